//! The endpoint `--endpoint-url` or AWS_ENDPOINT_URL names, checked before any call.

use fsx_drt_core::Invalid;

#[cfg(test)]
use crate::error::Exit;
use crate::error::Failure;
use crate::params::Problem;

pub(super) const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL";

/// The endpoint `--endpoint-url` or else AWS_ENDPOINT_URL gives, checked: empty means unset
/// (a common CI slip), anything else must be an http(s) URL, or exit 2 before any AWS call.
pub(super) fn endpoint_url(
    flag: Option<&str>,
    env: Option<std::ffi::OsString>,
) -> Result<Option<String>, Failure> {
    let (name, value) = match (flag.filter(|f| !f.is_empty()), env) {
        (Some(flag), _) => ("--endpoint-url", flag.to_string()),
        (None, Some(env)) if !env.is_empty() => match env.into_string() {
            Ok(value) => (ENDPOINT_ENV, value),
            Err(raw) => {
                return Err(endpoint_problem(
                    ENDPOINT_ENV,
                    &raw.to_string_lossy(),
                    "the value is not UTF-8".into(),
                ))
            }
        },
        _ => return Ok(None),
    };
    check_endpoint_url(&value)
        .map(|()| Some(value.clone()))
        .map_err(|problem| endpoint_problem(name, &value, problem))
}

fn endpoint_problem(name: &str, value: &str, problem: String) -> Failure {
    Failure::invalid(
        "invalid AWS endpoint",
        vec![Problem::new(
            name,
            Some(value),
            Invalid::new(
                problem,
                format!("give a URL such as http://127.0.0.1:5000 or https://fsx.us-east-1.amazonaws.com in {name}, or unset it for AWS's own endpoints"),
            ),
        )],
    )
}

/// `http(s)://host[:port][/path]`, as the SDK's endpoint resolver takes it.
fn check_endpoint_url(value: &str) -> Result<(), String> {
    let lower = value.to_ascii_lowercase();
    let Some(rest) = ["http://", "https://"]
        .iter()
        .find_map(|scheme| lower.starts_with(scheme).then(|| &value[scheme.len()..]))
    else {
        return Err("the URL does not start with http:// or https://".into());
    };
    if let Some(bad) = value
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || !c.is_ascii())
    {
        return Err(format!("the URL contains {bad:?}, which a URL cannot hold"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // What follows the host is RFC 3986's characters, with %XX escapes whole.
    let path = &rest[authority.len()..];
    if let Some(bad) = path
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !"-._~!$&'()*+,;=:@/?#%".contains(*c))
    {
        return Err(format!("the URL contains {bad:?}, which a URL cannot hold"));
    }
    let escapes_whole = path
        .split('%')
        .skip(1)
        .all(|after| after.len() >= 2 && after.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    if !escapes_whole {
        return Err("a % in the URL is not followed by two hex digits".into());
    }
    // An IPv6 literal is bracketed; its colons are not the port's.
    let (host, port, valid_host) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (address, rest) = v6.split_once(']').unwrap_or((v6, "?"));
            let port = rest.strip_prefix(':');
            let valid = address.chars().all(|c| c.is_ascii_hexdigit() || c == ':')
                && (rest.is_empty() || port.is_some());
            (address, port, valid)
        }
        None => {
            let (host, port) = authority
                .split_once(':')
                .map_or((authority, None), |(h, p)| (h, Some(p)));
            let valid = host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            (host, port, valid)
        }
    };
    if host.is_empty() {
        return Err("the URL has no host name".into());
    }
    if !valid_host {
        return Err(format!("{authority} is not a host name (and port)"));
    }
    if let Some(port) = port {
        if !port.parse::<u16>().is_ok_and(|p| p > 0) {
            return Err(format!("the port {port} is not a number from 1 to 65535"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_empty_means_unset_and_malformed_is_named() {
        let env = |v: &str| Some(std::ffi::OsString::from(v));
        assert_eq!(endpoint_url(None, None).unwrap(), None);
        assert_eq!(endpoint_url(Some(""), env("")).unwrap(), None);
        assert_eq!(
            endpoint_url(Some(""), env("http://127.0.0.1:5000")).unwrap(),
            Some("http://127.0.0.1:5000".into())
        );
        assert_eq!(
            endpoint_url(Some("https://x.example.com/a"), env("nope")).unwrap(),
            Some("https://x.example.com/a".into())
        );
        for good in [
            "http://localhost",
            "HTTPS://fsx.us-east-1.amazonaws.com",
            "http://[::1]:4566/",
            "https://h.example.com/a%20b?x=1&y=~#f",
            "http://a_b:1",
        ] {
            assert_eq!(check_endpoint_url(good), Ok(()), "{good}");
        }
        for bad in [
            "localhost:5000",
            "ftp://x",
            "http://",
            "http://:80",
            "http://a b",
            "http://x:0",
            "http://x:99999",
            "http://x:y",
            "http://u@x",
            "http://x/a{b}",
            "http://x/%zz",
            "http://x/a%2",
            "http://ex\u{430}mple.com",
        ] {
            assert!(check_endpoint_url(bad).is_err(), "{bad}");
        }
        let failure = endpoint_url(None, env("localhost:5000")).unwrap_err();
        assert_eq!(failure.exit, Exit::Invalid);
        assert_eq!(failure.problems[0].parameter, "AWS_ENDPOINT_URL");
        let failure = endpoint_url(Some("x"), None).unwrap_err();
        assert_eq!(failure.problems[0].parameter, "--endpoint-url");
    }
}
