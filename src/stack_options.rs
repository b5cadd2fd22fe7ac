//! What a platform team sets on the stack itself, checked offline (exit 2 naming the flag):
//! tags (which CloudFormation propagates to the resources), the service role CloudFormation
//! acts with, and the SNS topics told of stack events.

use fsx_drt_core::Invalid;

use crate::params::Problem;

/// CloudFormation's limits for stack tags (service model: TagKey 1-128, TagValue 1-256,
/// Tags at most 50).
const MAX_TAGS: usize = 50;
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 256;

/// `KEY=VALUE,KEY=VALUE`, each tag checked by [`check_tag`], each key once, at most 50.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            problems.push(Problem::new(
                "--tags",
                Some(pair),
                Invalid::new(
                    "not KEY=VALUE",
                    "write each tag as KEY=VALUE, e.g. team=hpc,cost-center=42",
                ),
            ));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let checked = match tags.iter().any(|(k, _)| k == key) {
            true => Err(Invalid::new(
                format!("the key {key} is given twice"),
                "give each key once",
            )),
            false => check_tag(key, value),
        };
        match checked {
            Ok(()) => tags.push((key.to_string(), value.to_string())),
            Err(invalid) => problems.push(Problem::new("--tags", Some(pair), invalid)),
        }
    }
    problems.extend(check_tag_count("--tags", tags.len()).err());
    match problems.is_empty() {
        true => Ok(tags),
        false => Err(problems),
    }
}

/// One stack tag as CloudFormation takes it: a key of 1-128 characters not starting with
/// `aws:` (AWS's own), a value of 1-256. The one rule for `--tags` and the file's `Tags`.
pub fn check_tag(key: &str, value: &str) -> Result<(), Invalid> {
    if key.is_empty() || key.chars().count() > MAX_KEY {
        Err(Invalid::new(
            format!("a tag key is 1 to {MAX_KEY} characters"),
            "shorten the key",
        ))
    } else if key.to_ascii_lowercase().starts_with("aws:") {
        Err(Invalid::new(
            "keys starting with aws: are AWS's own",
            "choose another key",
        ))
    } else if value.is_empty() || value.chars().count() > MAX_VALUE {
        Err(Invalid::new(
            format!("a tag value is 1 to {MAX_VALUE} characters"),
            "give a value (e.g. none), or shorten it",
        ))
    } else {
        Ok(())
    }
}

/// At most 50 tags on a stack (`place`: the flag, or the file's `Tags`).
pub fn check_tag_count(place: &str, count: usize) -> Result<(), Problem> {
    match count > MAX_TAGS {
        false => Ok(()),
        true => Err(Problem::new(
            place,
            Some(&format!("{count} tags")),
            Invalid::new(
                format!("{count} tags; a stack takes at most {MAX_TAGS}"),
                "drop some",
            ),
        )),
    }
}

/// The file's tags with the flag's over them, key by key (a key in both takes the flag's
/// value), in the file's order then the flag's new keys.
pub fn merge_tags(file: &[(String, String)], flag: &[(String, String)]) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = file
        .iter()
        .map(|(k, v)| {
            let value = flag.iter().find(|(fk, _)| fk == k).map_or(v, |(_, fv)| fv);
            (k.clone(), value.clone())
        })
        .collect();
    tags.extend(
        flag.iter()
            .filter(|(k, _)| !file.iter().any(|(fk, _)| fk == k))
            .cloned(),
    );
    tags
}

/// An IAM role's ARN, as CloudFormation's RoleARN takes it.
pub fn check_role_arn(flag: &str, value: &str) -> Result<(), Problem> {
    check_iam_arn(flag, value, "role/", "cloudformation-deployer")
}

/// An IAM managed policy's ARN (a permissions boundary), or empty for none.
pub fn check_policy_arn(flag: &str, value: &str) -> Result<(), Problem> {
    match value.is_empty() {
        true => Ok(()),
        false => check_iam_arn(flag, value, "policy/", "team-boundary"),
    }
}

/// An IAM ARN of one kind (`role/`, `policy/`) with a name.
fn check_iam_arn(flag: &str, value: &str, kind: &str, example: &str) -> Result<(), Problem> {
    let example = format!("arn:aws:iam::123456789012:{kind}{example}");
    let named = |resource: &str| resource.strip_prefix(kind).is_some_and(|n| !n.is_empty());
    check_arn(flag, value, "iam", named, &example)
}

/// An SNS topic's ARN.
pub fn check_topic_arn(flag: &str, value: &str) -> Result<(), Problem> {
    check_arn(
        flag,
        value,
        "sns",
        |topic| {
            !topic.is_empty()
                && topic.len() <= 256
                && topic
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        },
        "arn:aws:sns:eu-central-1:123456789012:stack-events",
    )
}

fn check_arn(
    flag: &str,
    value: &str,
    service: &str,
    resource_ok: impl Fn(&str) -> bool,
    example: &str,
) -> Result<(), Problem> {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && ["aws", "aws-cn", "aws-us-gov"].contains(&parts[1])
        && parts[2] == service
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && resource_ok(parts[5]);
    if ok {
        return Ok(());
    }
    Err(Problem::new(
        flag,
        Some(value),
        Invalid::new(
            format!("not an {service} ARN of the form {example}"),
            format!("copy the ARN from the console or the CLI, e.g. {example}"),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_as_cloudformation_takes_them() {
        assert_eq!(
            parse_tags("team=hpc, cost-center=42").unwrap(),
            [
                ("team".to_string(), "hpc".to_string()),
                ("cost-center".to_string(), "42".to_string()),
            ]
        );
        for bad in [
            "team",
            "=x",
            "aws:x=y",
            "a=1,a=2",
            "empty=",
            &format!("{}=v", "k".repeat(129)),
            &format!("k={}", "v".repeat(257)),
        ] {
            let problems = parse_tags(bad).unwrap_err();
            assert_eq!(problems[0].parameter, "--tags", "{bad}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
        assert!(parse_tags(&many.join(",")).is_err());
        assert!(parse_tags(&many[..50].join(",")).is_ok());
    }

    #[test]
    fn the_flag_overrides_the_file_key_by_key() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            merge_tags(
                &pairs(&[("team", "hpc"), ("cost-center", "42")]),
                &pairs(&[("cost-center", "7"), ("owner", "ana")])
            ),
            pairs(&[("team", "hpc"), ("cost-center", "7"), ("owner", "ana")])
        );
    }

    #[test]
    fn arns_of_the_right_service() {
        assert!(check_role_arn("--role-arn", "arn:aws:iam::123456789012:role/deployer").is_ok());
        assert!(
            check_role_arn("--role-arn", "arn:aws:iam::123456789012:role/path/deployer").is_ok()
        );
        for bad in [
            "deployer",
            "arn:aws:iam::123:role/x",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:iam::123456789012:user/x",
        ] {
            assert_eq!(
                check_role_arn("--role-arn", bad).unwrap_err().parameter,
                "--role-arn",
                "{bad}"
            );
        }
        assert!(check_topic_arn(
            "--notification-arns",
            "arn:aws:sns:eu-central-1:123456789012:events"
        )
        .is_ok());
        assert!(check_topic_arn(
            "--notification-arns",
            "arn:aws:sns:eu-central-1:123456789012:"
        )
        .is_err());
    }
}
