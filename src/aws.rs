//! The one seam to AWS: SDK configuration from the usual chain (AWS_PROFILE/--profile,
//! AWS_REGION/--region, AWS_ENDPOINT_URL/--endpoint-url, default credentials), and clients.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use fsx_drt_lambda::aws::AwsError;
use fsx_drt_lambda::Invalid;

use crate::cli::GlobalArgs;
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::params::Problem;

/// The SDK clients the commands use, built from one configuration.
pub struct Aws {
    pub region: String,
    /// A custom endpoint (a local emulator, say), when one is configured.
    pub endpoint_url: Option<String>,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub fsx: aws_sdk_fsx::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Aws {
    pub async fn connect(global: &GlobalArgs) -> Result<Aws, Failure> {
        let config = sdk_config(global).await?;
        if global.verbose {
            crate::output::log(&format!(
                "aws: region {}, endpoint {}, profile {}",
                config.region().map_or("-", |r| r.as_ref()),
                config.endpoint_url().unwrap_or("(the service's)"),
                global
                    .profile
                    .as_deref()
                    .or(std::env::var("AWS_PROFILE").ok().as_deref())
                    .unwrap_or("(default chain)")
            ));
        }
        Ok(Aws::with_log(&config, global.verbose))
    }

    /// Clients for one configuration (tests build it for the emulator or mocks).
    pub fn from_config(config: &SdkConfig) -> Aws {
        Aws::with_log(config, false)
    }

    /// Clients that also log each request attempt to stderr when `log` is set.
    fn with_log(config: &SdkConfig, log: bool) -> Aws {
        // Set on every client: otherwise each one rereads AWS_ENDPOINT_URL(_<SERVICE>) and the
        // profile unchecked, and an empty value panics inside the SDK.
        let endpoint = config.endpoint_url().map(str::to_string);
        macro_rules! client {
            ($sdk:ident $(, $setting:ident($value:expr))*) => {{
                let mut builder = $sdk::config::Builder::from(config);
                builder.set_endpoint_url(endpoint.clone());
                let builder = builder$(.$setting($value))*;
                let builder = if log { builder.interceptor(RequestLog) } else { builder };
                $sdk::Client::from_conf(builder.build())
            }};
        }
        Aws {
            region: config.region().map(ToString::to_string).unwrap_or_default(),
            endpoint_url: endpoint.clone(),
            cloudformation: client!(aws_sdk_cloudformation),
            cloudwatch: client!(aws_sdk_cloudwatch),
            fsx: client!(aws_sdk_fsx),
            lambda: client!(aws_sdk_lambda, timeout_config(slow())),
            // Emulators and other custom endpoints serve buckets by path, not by host name.
            s3: client!(
                aws_sdk_s3,
                force_path_style(config.endpoint_url().is_some()),
                timeout_config(slow())
            ),
            sns: client!(aws_sdk_sns),
            sts: client!(aws_sdk_sts),
        }
    }
}

/// `--verbose`: one line per request attempt (service, operation, HTTP status or transport
/// error, time taken). Only those: no header, body or credential is ever written.
#[derive(Debug)]
struct RequestLog;

#[derive(Debug, Clone)]
struct AttemptStarted(std::time::Instant);

impl aws_smithy_types::config_bag::Storable for AttemptStarted {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "fsx-drt request log"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(AttemptStarted(std::time::Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("?.?".to_string(), |m| {
            format!("{}.{}", m.service(), m.name())
        });
        let took = cfg
            .load::<AttemptStarted>()
            .map_or(0, |s| s.0.elapsed().as_millis());
        let outcome = match (context.response(), context.output_or_error()) {
            (Some(response), _) => format!("HTTP {}", response.status().as_u16()),
            (None, Some(Err(error))) => match error.as_connector_error() {
                Some(connector) => format!("not sent: {connector}"),
                None => "not sent".to_string(),
            },
            (None, _) => "no response".to_string(),
        };
        crate::output::log(&format!("aws: {operation} -> {outcome} ({took} ms)"));
        Ok(())
    }
}

/// How long fsx-drt waits for AWS (README, "Exit codes"), so that an endpoint that takes the
/// connection and never answers ends in an error instead of a hang: 5 s to connect, then
/// `response` s for the answer (sending the request included), `attempt` s per attempt and
/// `operation` s for an operation with its retries.
fn timeouts(response: u64, attempt: u64, operation: u64) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(response))
        .operation_attempt_timeout(Duration::from_secs(attempt))
        .operation_timeout(Duration::from_secs(operation))
        .build()
}

/// For Lambda's synchronous Invoke (it waits for the function, whose timeout is 60 s) and
/// S3 uploads (a zip of up to 50 MB).
fn slow() -> TimeoutConfig {
    timeouts(120, 120, 300)
}

async fn sdk_config(global: &GlobalArgs) -> Result<SdkConfig, Failure> {
    // Standard mode, 3 attempts: what AWS's SDKs default to, whatever AWS_MAX_ATTEMPTS says.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts(30, 60, 180))
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(region) = &global.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = endpoint_url(
        global.endpoint_url.as_deref(),
        std::env::var_os(ENDPOINT_ENV),
    )? {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(Failure::new(
            Exit::Invalid,
            "no AWS region is configured",
            Some("pass --region, set AWS_REGION, or set a region in your AWS profile".into()),
        ));
    }
    Ok(config)
}

const ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL";

/// The endpoint `--endpoint-url` or else AWS_ENDPOINT_URL gives, checked: empty means unset
/// (a common CI slip), anything else must be an http(s) URL, or exit 2 before any AWS call.
fn endpoint_url(
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

/// Runs a command's AWS work from its synchronous start, with Ctrl-C caught and raced against
/// all of it: Ctrl-C ends whatever request is in flight at once (`stopped`, exit 130), unless
/// the work answers it itself (saying how to re-attach, or cleaning up). Commands that make no
/// AWS call never start a runtime, which keeps them instant.
pub fn block_on<T>(
    stopped: Failure,
    work: impl AsyncFnOnce(&Interrupt) -> Result<T, Failure>,
) -> Result<T, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(async {
            let interrupt = Interrupt::ctrl_c();
            interrupt.around(stopped, work(&interrupt)).await
        })
}

/// An AWS call that failed, as the person running fsx-drt needs to read it: the service's
/// code and message, or the causes in words ("cannot reach the endpoint").
pub use fsx_drt_lambda::aws::describe;

/// What a failed AWS call means to fsx-drt, decided here once, from the error code (and from
/// the message only where AWS has no code of its own: CloudFormation says a stack does not
/// exist with a ValidationError), so callers branch on a type, never on text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// What was asked about does not exist: a stack, a file system, a bucket, a task.
    NotFound,
    /// Throttled, after the SDK's own retries.
    Throttled,
    /// No answer: nothing listening, no network, or a timeout.
    Unreachable,
    AccessDenied,
    /// Any other answer: the service's code and message.
    Service {
        code: String,
        message: String,
    },
}

/// The kind of a failed SDK call.
pub fn error_kind<E>(
    error: &aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>,
) -> ErrorKind
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    if fsx_drt_lambda::aws::unreachable(error) {
        return ErrorKind::Unreachable;
    }
    let service = error.as_service_error();
    let code = service.and_then(|s| s.code());
    let message = service.and_then(|s| s.message());
    match (code, error.raw_response().map(|r| r.status().as_u16())) {
        // HEAD answers have no body, so no code: the status says it.
        (None, Some(404)) => ErrorKind::NotFound,
        (None, Some(403)) => ErrorKind::AccessDenied,
        (None, Some(429)) => ErrorKind::Throttled,
        _ => classify(code, message),
    }
}

/// [`error_kind`] from the code and message an answer carried.
fn classify(code: Option<&str>, message: Option<&str>) -> ErrorKind {
    let message = message.unwrap_or_default();
    match code.unwrap_or_default() {
        "FileSystemNotFound"
        | "DataRepositoryTaskNotFound"
        | "DataRepositoryAssociationNotFound"
        | "NoSuchBucket"
        | "NotFound"
        | "ResourceNotFound"
        | "ResourceNotFoundException"
        | "StackSetNotFoundException"
        | "ChangeSetNotFound" => ErrorKind::NotFound,
        // CloudFormation's only word for a missing stack: "Stack with id X does not exist".
        "ValidationError" if message.ends_with("does not exist") => ErrorKind::NotFound,
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "SlowDown"
        | "RequestLimitExceeded" => ErrorKind::Throttled,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        code => ErrorKind::Service {
            code: code.to_string(),
            message: message.to_string(),
        },
    }
}

/// A failed AWS call as a command failure (exit 1) with what to check next.
pub fn failed<E>(
    operation: &'static str,
    error: &aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>,
) -> Failure
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    aws_failure(&AwsError {
        operation,
        message: describe(error),
        unreachable: fsx_drt_lambda::aws::unreachable(error),
    })
}

/// The same for a failure the Lambda crate's shared code reports.
pub fn aws_failure(error: &AwsError) -> Failure {
    let help = if error.unreachable {
        "cannot reach the AWS endpoint: check the network, --region and --endpoint-url (AWS_ENDPOINT_URL)"
    } else {
        "check your credentials and permissions (AWS_PROFILE / --profile), then run the command again"
    };
    Failure::new(Exit::Failed, error.to_string(), Some(help.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_apart_by_code() {
        let kind = |code: &str, message: &str| classify(Some(code), Some(message));
        assert_eq!(
            kind("ValidationError", "Stack with id fsx-drt does not exist"),
            ErrorKind::NotFound
        );
        assert_eq!(kind("FileSystemNotFound", "no"), ErrorKind::NotFound);
        assert_eq!(kind("Throttling", "Rate exceeded"), ErrorKind::Throttled);
        assert_eq!(kind("SlowDown", "Please reduce"), ErrorKind::Throttled);
        assert_eq!(kind("AccessDenied", "no"), ErrorKind::AccessDenied);
        // A ValidationError about something else is the service's to explain.
        assert_eq!(
            kind("ValidationError", "Template format error"),
            ErrorKind::Service {
                code: "ValidationError".into(),
                message: "Template format error".into()
            }
        );
        assert_eq!(
            kind("BucketAlreadyOwnedByYou", "yours"),
            ErrorKind::Service {
                code: "BucketAlreadyOwnedByYou".into(),
                message: "yours".into()
            }
        );
    }

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
