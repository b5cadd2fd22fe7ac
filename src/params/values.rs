//! The rules of single values that are not a type of their own: the team's alarm topic, the
//! alarm address, the log retention, the stack name.

use fsx_drt_core::Invalid;

use super::{Param, LOG_RETENTION_DAYS};

/// A team's SNS topic ARN.
pub(super) fn parse_alarm_topic_arn(value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    crate::stack_options::check_topic_arn(Param::AlarmTopicArn.key(), value)
        .map(|()| value.to_string())
        .map_err(|problem| Invalid::new(problem.problem, problem.fix))
}

/// One plausible address: SNS sends the confirmation there, so a typo silently loses alarms.
pub fn parse_email(value: &str) -> Result<String, Invalid> {
    let fix = "give one address such as ops@example.com (SNS sends a confirmation mail to it)";
    let v = value.trim();
    if v.contains([',', ';']) || v.split_whitespace().count() > 1 {
        return Err(Invalid::new(
            "only one address is allowed",
            "give one address; subscribe more addresses to the topic after deploying",
        ));
    }
    // SNS sends to ASCII addresses only; a non-ASCII letter is usually a look-alike (a
    // Cyrillic а for a Latin a) pasted from somewhere, invisible to the reader.
    if let Some((position, c)) = v.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(Invalid::new(
            format!(
                "character {} is {c:?} (U+{:04X}), not ASCII; SNS email addresses are ASCII only, and a character like this often looks like a Latin letter",
                position + 1,
                u32::from(c)
            ),
            "type the address again on an ASCII keyboard, e.g. ops@example.com",
        ));
    }
    let valid = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && local.len() <= 64
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        })
        && !v.chars().any(|c| c.is_control() || c.is_whitespace());
    if valid {
        Ok(v.to_string())
    } else {
        Err(Invalid::new("not an email address (name@domain.tld)", fix))
    }
}

pub(super) fn parse_log_retention(value: &str) -> Result<u32, Invalid> {
    value
        .trim()
        .parse()
        .ok()
        .filter(|d| LOG_RETENTION_DAYS.contains(d))
        .ok_or_else(|| {
            Invalid::new(
                format!(
                    "CloudWatch Logs keeps logs for one of {} days",
                    LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
                ),
                "pick one of those, e.g. 30",
            )
        })
}

/// A CloudFormation stack name: a letter, then letters, digits and hyphens, 128 at most.
pub fn parse_stack_name(value: &str) -> Result<String, Invalid> {
    let mut chars = value.chars();
    let valid = value.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(value.to_string())
    } else {
        Err(Invalid::new(
            "a stack name starts with a letter and has only letters, digits and hyphens (128 at most)",
            "pick a name such as fsx-drt-scheduler",
        ))
    }
}
