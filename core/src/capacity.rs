//! Release when space runs low: the stack's capacity alarm (AWS/FSx FreeDataStorageCapacity
//! below the definition's ReleaseWhenFreeBelowPercent) has the function as its action, and its
//! change to ALARM is one release run.
//!
//! A CloudWatch alarm invokes a Lambda function asynchronously, once per state change, with an
//! event of its own shape and no custom input (CloudWatch user guide, "Invoke a Lambda function
//! from an alarm"):
//!
//! ```json
//! {"source": "aws.cloudwatch",
//!  "alarmArn": "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:fsx-drt-capacity",
//!  "time": "2026-11-25T06:15:42.490+0000",
//!  "alarmData": {"alarmName": "fsx-drt-capacity",
//!                "state": {"value": "ALARM", "reason": "...",
//!                          "timestamp": "2026-11-25T06:15:42.490+0000"}, ...}}
//! ```
//!
//! So the release's settings are in the function's environment ([`env::CAPACITY_RELEASE`]:
//! the chosen Release schedule's target input without its slot, as deploy renders it), and
//! the slot is the alarm's ARN with the state's timestamp: Lambda's retries and CloudWatch's
//! redeliveries of one change create one task. A busy file system defers the run as a
//! schedule's ([`crate::deferral`]): the try's input is the alarm's event with its Deferral.
//! OK and INSUFFICIENT_DATA are no run.
//!
//! Ordering (`After:`) applies through the schedule's settings once they carry it: the run
//! is that schedule's (its name tags the task and dimensions the metrics).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::config::{ConfigError, TaskType};
use crate::deferral::{Deferral, DEFERRAL};
use crate::event::{Invocation, Retry};
use crate::slot::Slot;
use crate::{env, Invalid};

/// The event's `source` when a CloudWatch alarm invokes the function.
pub const SOURCE: &str = "aws.cloudwatch";
/// The only state that releases.
pub const ALARM: &str = "ALARM";

/// A CloudWatch alarm's state change, as its Lambda action sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmEvent {
    pub alarm_arn: String,
    pub alarm_name: String,
    /// ALARM, OK or INSUFFICIENT_DATA.
    pub state: String,
    /// When the alarm entered the state, as CloudWatch writes it.
    pub changed: String,
}

impl AlarmEvent {
    /// The alarm's change, when the event is one (`source` aws.cloudwatch with `alarmArn`).
    pub fn read(event: &Value) -> Option<AlarmEvent> {
        if event.get("source").and_then(Value::as_str) != Some(SOURCE) {
            return None;
        }
        let alarm_arn = event.get("alarmArn")?.as_str()?.to_string();
        let data = &event["alarmData"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Some(AlarmEvent {
            alarm_name: text(&data["alarmName"]),
            state: text(&data["state"]["value"]),
            changed: text(&data["state"]["timestamp"]),
            alarm_arn,
        })
    }

    pub fn is_alarm(&self) -> bool {
        self.state == ALARM
    }
}

/// What the function does with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Run(Box<Invocation>),
    /// An alarm's change to OK or INSUFFICIENT_DATA: nothing to release.
    Ignored(AlarmEvent),
}

/// Reads any event the function gets: an alarm's change (see [`invocation`]), else as
/// [`Invocation::of_with`] reads a schedule's or any other.
pub fn read(
    event: &Value,
    request_id: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Read, Vec<ConfigError>> {
    match AlarmEvent::read(event) {
        Some(alarm) if !alarm.is_alarm() => Ok(Read::Ignored(alarm)),
        Some(alarm) => invocation(&alarm, event, lookup).map(|i| Read::Run(Box::new(i))),
        None => Invocation::of_with(event, request_id, lookup).map(|i| Read::Run(Box::new(i))),
    }
}

/// The release run an alarm's change to ALARM is: the settings of [`env::CAPACITY_RELEASE`],
/// the alarm's slot and, unless its MaxDeferMinutes is 0, deferrable from the state's time.
/// Every problem is named by its variable or field.
pub fn invocation(
    alarm: &AlarmEvent,
    event: &Value,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Invocation, Vec<ConfigError>> {
    let problem = |variable: &'static str, value: Option<String>, invalid: Invalid| {
        vec![ConfigError {
            variable,
            value,
            invalid,
        }]
    };
    let fix = "deploy the stack again with ReleaseWhenFreeBelowPercent in its definition";
    let Some(text) = lookup(env::CAPACITY_RELEASE).filter(|t| !t.trim().is_empty()) else {
        let why = format!(
            "alarm {} invoked the function, which has no capacity release settings",
            alarm.alarm_name
        );
        return Err(problem(env::CAPACITY_RELEASE, None, Invalid::new(why, fix)));
    };
    let settings: Value = serde_json::from_str(&text).map_err(|e| {
        let why = format!("not a JSON object of a schedule's settings ({e})");
        problem(
            env::CAPACITY_RELEASE,
            Some(text.clone()),
            Invalid::new(why, fix),
        )
    })?;
    let mut invocation = Invocation::of(&settings, &alarm.changed)?;
    let schedule = match &invocation.schedule {
        Some(s) if s.task_type == TaskType::Release => s.clone(),
        _ => {
            let why = "the capacity release's settings are not a Release schedule's";
            return Err(problem(
                env::CAPACITY_RELEASE,
                Some(text),
                Invalid::new(why, fix),
            ));
        }
    };
    let since = parse_time(&alarm.changed).ok_or_else(|| {
        let why = "alarmData.state.timestamp is not a time such as 2026-11-25T06:15:42.490+0000";
        problem(
            "alarmData.state.timestamp",
            Some(alarm.changed.clone()),
            Invalid::new(why, "send the event as the alarm's Lambda action writes it"),
        )
    })?;
    invocation.slot = Slot::Alarm {
        alarm_arn: alarm.alarm_arn.clone(),
        changed: alarm.changed.clone(),
    };
    let deferral = match Deferral::read(event) {
        Ok(Some(deferral)) => deferral,
        Ok(None) => Deferral::first(since, schedule.max_defer_minutes),
        Err(invalid) => {
            return Err(problem(
                DEFERRAL,
                Some(event[DEFERRAL].to_string()),
                invalid,
            ))
        }
    };
    let mut event = event.clone();
    if let Some(object) = event.as_object_mut() {
        object.remove(DEFERRAL);
    }
    invocation.retry = Some(Retry { deferral, event });
    Ok(invocation)
}

/// CloudWatch's `2026-11-25T06:15:42.490+0000`, or RFC 3339.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:cloudwatch:eu-central-1:123456789012:alarm:fsx-drt-capacity";

    pub(crate) fn event(state: &str) -> Value {
        json!({
            "source": "aws.cloudwatch",
            "alarmArn": ARN,
            "accountId": "123456789012",
            "time": "2026-11-25T06:15:42.490+0000",
            "region": "eu-central-1",
            "alarmData": {
                "alarmName": "fsx-drt-capacity",
                "state": {"value": state, "reason": "Threshold Crossed",
                          "timestamp": "2026-11-25T06:15:42.490+0000"},
                "previousState": {"value": "OK", "timestamp": "2026-11-24T06:15:42.490+0000"},
                "configuration": {"metrics": []}
            }
        })
    }

    fn settings(name: &str) -> Option<String> {
        (name == env::CAPACITY_RELEASE).then(|| {
            json!({"Schedule": "weekly-release", "TaskType": "Release", "Paths": "/projects",
                   "TaskCompletionReportPath": "/reports", "ReleaseAfterDays": 14,
                   "MaxDeferMinutes": 60})
            .to_string()
        })
    }

    #[test]
    fn only_an_alarm_s_event_is_read_as_one() {
        let alarm = AlarmEvent::read(&event("ALARM")).unwrap();
        assert_eq!(alarm.alarm_arn, ARN);
        assert_eq!(alarm.alarm_name, "fsx-drt-capacity");
        assert!(alarm.is_alarm());
        assert!(!AlarmEvent::read(&event("OK")).unwrap().is_alarm());
        assert!(!AlarmEvent::read(&event("INSUFFICIENT_DATA"))
            .unwrap()
            .is_alarm());
        assert_eq!(AlarmEvent::read(&json!({"source": "aws.events"})), None);
        assert_eq!(AlarmEvent::read(&json!({"Schedule": "x"})), None);
    }

    #[test]
    fn the_change_to_alarm_is_one_slot_running_the_release_s_settings() {
        let first = event("ALARM");
        let alarm = AlarmEvent::read(&first).unwrap();
        let invocation = invocation(&alarm, &first, settings).unwrap();
        let schedule = invocation.schedule.clone().unwrap();
        assert_eq!(schedule.name.as_str(), "weekly-release");
        assert_eq!(schedule.release_after_days, 14);
        assert_eq!(
            invocation.schedule_name.as_ref().map(|n| n.as_str()),
            Some("weekly-release")
        );
        let retry = invocation.retry.clone().unwrap();
        assert_eq!(
            retry.deferral.until - retry.deferral.since,
            chrono::Duration::minutes(60)
        );
        assert_eq!(retry.event, first, "a try repeats the alarm's event");
        // A redelivery of the change: the same token; the next change: another.
        let again = super::invocation(&alarm, &first, settings).unwrap();
        assert_eq!(again.slot.token(), invocation.slot.token());
        let mut later = event("ALARM");
        later["alarmData"]["state"]["timestamp"] = json!("2026-11-26T01:00:00.000+0000");
        let next = AlarmEvent::read(&later).unwrap();
        let next = super::invocation(&next, &later, settings).unwrap();
        assert_ne!(next.slot.token(), invocation.slot.token());
    }

    #[test]
    fn missing_or_wrong_settings_are_named() {
        let first = event("ALARM");
        let alarm = AlarmEvent::read(&first).unwrap();
        let errors = invocation(&alarm, &first, |_| None).unwrap_err();
        assert_eq!(errors[0].variable, env::CAPACITY_RELEASE);
        assert!(errors[0]
            .to_string()
            .contains("ReleaseWhenFreeBelowPercent"));
        let export = |_: &str| {
            Some(
                json!({"Schedule": "e", "TaskType": "Export", "Paths": "/p",
                        "TaskCompletionReportPath": "/r"})
                .to_string(),
            )
        };
        let errors = invocation(&alarm, &first, export).unwrap_err();
        assert!(errors[0].to_string().contains("not a Release schedule's"));
        let mut bad_time = first.clone();
        bad_time["alarmData"]["state"]["timestamp"] = json!("yesterday");
        let alarm = AlarmEvent::read(&bad_time).unwrap();
        let errors = invocation(&alarm, &bad_time, settings).unwrap_err();
        assert_eq!(errors[0].variable, "alarmData.state.timestamp");
    }
}
