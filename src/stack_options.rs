//! What a platform team sets on the stack itself, checked offline (exit 2 naming the flag):
//! tags (which CloudFormation propagates to the resources), the service role CloudFormation
//! acts with, and the SNS topics told of stack events.

use fsx_drt_core::Invalid;

use crate::params::Problem;

/// CloudFormation's limits for stack tags.
const MAX_TAGS: usize = 50;
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 256;

/// `KEY=VALUE,KEY=VALUE`: each key once, 1-128 characters, not starting with `aws:`; values
/// up to 256 characters; at most 50.
pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, Vec<Problem>> {
    let problem = |value: &str, why: String, fix: &str| {
        Problem::new("--tags", Some(value), Invalid::new(why, fix))
    };
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            problems.push(problem(
                pair,
                "not KEY=VALUE".into(),
                "write each tag as KEY=VALUE, e.g. team=hpc,cost-center=42",
            ));
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.chars().count() > MAX_KEY {
            problems.push(problem(
                pair,
                format!("a tag key is 1 to {MAX_KEY} characters"),
                "shorten the key",
            ));
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            problems.push(problem(
                pair,
                "keys starting with aws: are AWS's own".into(),
                "choose another key",
            ));
        } else if value.chars().count() > MAX_VALUE {
            problems.push(problem(
                pair,
                format!("a tag value is at most {MAX_VALUE} characters"),
                "shorten the value",
            ));
        } else if tags.iter().any(|(k, _)| k == key) {
            problems.push(problem(
                pair,
                format!("the key {key} is given twice"),
                "give each key once",
            ));
        } else {
            tags.push((key.to_string(), value.to_string()));
        }
    }
    if tags.len() > MAX_TAGS {
        problems.push(problem(
            text,
            format!("{} tags; a stack takes at most {MAX_TAGS}", tags.len()),
            "drop some",
        ));
    }
    if problems.is_empty() {
        Ok(tags)
    } else {
        Err(problems)
    }
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
            parse_tags("team=hpc, cost-center=42,empty=").unwrap(),
            [
                ("team".to_string(), "hpc".to_string()),
                ("cost-center".to_string(), "42".to_string()),
                ("empty".to_string(), String::new())
            ]
        );
        for bad in [
            "team",
            "=x",
            "aws:x=y",
            "a=1,a=2",
            &format!("{}=v", "k".repeat(129)),
        ] {
            let problems = parse_tags(bad).unwrap_err();
            assert_eq!(problems[0].parameter, "--tags", "{bad}");
        }
        let many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
        assert!(parse_tags(&many.join(",")).is_err());
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
