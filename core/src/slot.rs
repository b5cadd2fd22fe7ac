//! Which scheduled slot an invocation is for, and the ClientRequestToken that makes the slot
//! create at most one task: Lambda's retries and EventBridge's duplicate deliveries of one
//! slot send the same token, so FSx returns the task it already created.
//!
//! The token is `slot-` and the first 48 hex digits of the SHA-256 of `ARN \n minute`: the
//! EventBridge rule's ARN for a rule's event, the schedule's ARN for an EventBridge Scheduler
//! schedule's (its `<aws.scheduler.schedule-arn>` and `<aws.scheduler.scheduled-time>`, see
//! [`crate::event`]). The minute is the scheduled time's, which every retry and redelivery of
//! a slot repeats; two schedules firing in one minute have two ARNs, so two tokens. (A rule's
//! ARN and a schedule's never coincide: `arn:aws:events:` and `arn:aws:scheduler:`.)

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How the token was derived, for logs and `fsx-drt plan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Slot {
    /// A scheduled event: the rule (`resources[0]`) and its time, to the minute.
    Scheduled { rule_arn: String, minute: String },
    /// An EventBridge Scheduler schedule's invocation: the schedule's ARN and its scheduled
    /// time, to the minute.
    Schedule {
        schedule_arn: String,
        minute: String,
    },
    /// A CloudWatch alarm's change to ALARM (the capacity release, [`crate::capacity`]): the
    /// alarm's ARN and the state's timestamp, which a redelivery of the change repeats.
    Alarm { alarm_arn: String, changed: String },
    /// Anything else (a manual invoke): unique to this invocation.
    Invocation { request_id: String },
}

impl Slot {
    /// Reads the slot from an event; `request_id` is the invocation's, for events without one.
    pub fn of(event: &Value, request_id: &str) -> Slot {
        let rule_arn = event["resources"][0].as_str();
        let minute = event["time"].as_str().and_then(minute_of);
        match (rule_arn, minute) {
            (Some(rule_arn), Some(minute)) => Slot::Scheduled {
                rule_arn: rule_arn.to_string(),
                minute,
            },
            _ => Slot::Invocation {
                request_id: request_id.to_string(),
            },
        }
    }

    /// The slot's scheduled time (to the minute); none for an invocation's own.
    pub fn scheduled(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            Slot::Scheduled { minute, .. } | Slot::Schedule { minute, .. } => {
                chrono::NaiveDateTime::parse_from_str(minute, "%Y-%m-%dT%H:%M")
                    .ok()
                    .map(|t| t.and_utc())
            }
            // An alarm's change is no schedule's slot.
            Slot::Alarm { .. } | Slot::Invocation { .. } => None,
        }
    }

    /// 1-63 characters of `[A-Za-z0-9_.-]`, as the API requires.
    pub fn token(&self) -> String {
        let (prefix, key) = match self {
            Slot::Scheduled {
                rule_arn: arn,
                minute,
            }
            | Slot::Schedule {
                schedule_arn: arn,
                minute,
            } => ("slot-", format!("{arn}\n{minute}")),
            Slot::Alarm { alarm_arn, changed } => ("slot-", format!("{alarm_arn}\n{changed}")),
            Slot::Invocation { request_id } => ("run-", request_id.clone()),
        };
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{prefix}{}", &hex[..48])
    }
}

/// `2026-11-25T06:15:42Z` -> `2026-11-25T06:15`; `None` unless it is an RFC 3339 UTC time.
pub(crate) fn minute_of(time: &str) -> Option<String> {
    let b = time.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        r.into_iter()
            .all(|i| b.get(i).is_some_and(u8::is_ascii_digit))
    };
    let shape = b.len() >= 17
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && time.ends_with(['Z', 'z']);
    shape.then(|| time[..16].to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scheduled(time: &str) -> Value {
        json!({
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "time": time,
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/fsx-drt-ScheduleRule-ABC"],
            "detail": {}
        })
    }

    #[test]
    fn one_slot_one_token() {
        let a = Slot::of(&scheduled("2026-11-25T06:15:00Z"), "req-1");
        let b = Slot::of(&scheduled("2026-11-25T06:15:59Z"), "req-2");
        assert_eq!(
            a.token(),
            b.token(),
            "a redelivery within the minute is the same slot"
        );
        let next = Slot::of(&scheduled("2026-11-25T06:16:00Z"), "req-1");
        assert_ne!(a.token(), next.token());
        let token = a.token();
        assert!(token.len() <= 63);
        assert!(token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
    }

    #[test]
    fn another_rule_is_another_slot() {
        let mut other = scheduled("2026-11-25T06:15:00Z");
        other["resources"][0] = json!("arn:aws:events:us-east-1:123456789012:rule/other");
        assert_ne!(
            Slot::of(&other, "r").token(),
            Slot::of(&scheduled("2026-11-25T06:15:00Z"), "r").token()
        );
    }

    fn schedule(name: &str, time: &str) -> Slot {
        Slot::Schedule {
            schedule_arn: format!(
                "arn:aws:scheduler:us-east-1:123456789012:schedule/default/{name}"
            ),
            minute: minute_of(time).unwrap(),
        }
    }

    #[test]
    fn schedules_firing_in_one_minute_are_two_slots() {
        let nightly = schedule("nightly-export", "2026-11-25T06:15:00Z");
        let hourly = schedule("hourly-import", "2026-11-25T06:15:00Z");
        assert_ne!(nightly.token(), hourly.token());
        // A retry of the slot repeats its scheduled time (and a later second would too).
        assert_eq!(
            nightly.token(),
            schedule("nightly-export", "2026-11-25T06:15:07Z").token()
        );
        assert_ne!(
            nightly.token(),
            schedule("nightly-export", "2026-11-26T06:15:00Z").token()
        );
        let token = nightly.token();
        assert!(token.starts_with("slot-") && token.len() <= 63, "{token}");
    }

    #[test]
    fn manual_invocations_get_their_own_token() {
        for event in [
            json!({}),
            json!({"time": "2026-11-25T06:15:00Z"}),
            scheduled("yesterday"),
        ] {
            let a = Slot::of(&event, "req-1");
            assert_eq!(
                a,
                Slot::Invocation {
                    request_id: "req-1".into()
                }
            );
            assert_ne!(a.token(), Slot::of(&event, "req-2").token());
        }
    }
}
