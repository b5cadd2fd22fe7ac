//! The CloudFormation template deploy uses, embedded at build time.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use serde_yaml::value::TaggedValue;

use crate::schedule::Schedule;

mod schedules;

pub use schedules::{
    deployed, more_emails, render_for, rendered, ScheduleResource, DEFAULT_NAME,
    MAX_TEMPLATE_BODY_BYTES, MAX_TEMPLATE_URL_BYTES,
};

/// The template as written (YAML, short-form intrinsics).
pub const TEMPLATE_YAML: &str = include_str!("../templates/fsx-drt.yaml");

/// The template parameters deploy sets itself: where the function's zip is.
pub const CODE_BUCKET: &str = "CodeBucket";
pub const CODE_KEY: &str = "CodeKey";

/// The permissions boundary of every role the stack creates (empty: none).
pub const PERMISSIONS_BOUNDARY: &str = "PermissionsBoundary";

/// The IANA time zone the schedule is read in (default UTC).
pub const TIMEZONE: &str = "Timezone";

/// The template parameter deploy derives from the schedule: how long Lambda goes on retrying
/// a scheduled run whose function failed (AWS::Lambda::EventInvokeConfig).
pub const MAXIMUM_EVENT_AGE: &str = "MaximumEventAgeSeconds";

/// The template's default for [`MAXIMUM_EVENT_AGE`] (stacks made with plain create-stack get
/// it), and the most deploy sets: retries happen within minutes, or not usefully at all.
const DEFAULT_EVENT_AGE_SECONDS: i64 = 3600;
/// Lambda's lower bound for MaximumEventAgeInSeconds (the upper is 21,600).
const MIN_EVENT_AGE_SECONDS: i64 = 60;
/// How many runs ahead the shortest gap is looked for: a day and a half of a per-minute
/// schedule, years of an hourly one.
pub const GAP_RUNS: usize = 2000;

/// The template parameter (and schedule input field) bounding how long a busy run is
/// deferred, in minutes after its scheduled time.
pub const MAX_DEFER_MINUTES: &str = fsx_drt_core::deferral::MAX_DEFER_MINUTES;

/// The template parameters of the capacity alarm (ReleaseWhenFreeBelowPercent): its threshold
/// in bytes (0: no alarm) and the release it runs (a Release schedule's input, without its
/// slot, as JSON).
pub const FREE_CAPACITY_ALARM_BYTES: &str = "FreeCapacityAlarmBytes";
pub const CAPACITY_RELEASE: &str = "CapacityRelease";

/// The template parameter listing the S3 objects (ARNs) of the completion reports the
/// function may read (empty: none), which deploy writes from each schedule's report path.
pub const COMPLETION_REPORT_OBJECTS: &str = "CompletionReportObjects";

/// CloudFormation takes a parameter value of at most 4,096 bytes.
pub const MAX_PARAMETER_BYTES: usize = 4096;

/// The partition of a Region's ARNs (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// [`MAXIMUM_EVENT_AGE`] for a schedule: a minute shorter than the shortest gap between its
/// runs, so a retried run never starts after the next slot fired; at least Lambda's minimum
/// of 60 s, at most an hour.
pub fn maximum_event_age(schedule: &Schedule, now: DateTime<Utc>) -> i64 {
    schedule
        .shortest_gap(now, GAP_RUNS)
        .map(|gap| gap.num_seconds())
        .map_or(DEFAULT_EVENT_AGE_SECONDS, |gap| {
            (gap - 60).min(DEFAULT_EVENT_AGE_SECONDS)
        })
        .max(MIN_EVENT_AGE_SECONDS)
}

/// The template as JSON, with `!Ref x` and friends in their long `{"Ref": x}` form, for tools
/// that read JSON (CloudFormation accepts both).
pub fn template_json() -> Value {
    parse(TEMPLATE_YAML).expect("the embedded template is valid YAML")
}

/// A template as CloudFormation takes it, JSON or YAML (JSON is YAML), as JSON.
pub fn parse(body: &str) -> Option<Value> {
    serde_yaml::from_str(body).ok().map(to_json)
}

fn to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (key_string(k), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Y::Tagged(tagged) => intrinsic(*tagged),
    }
}

fn key_string(key: serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s,
        other => serde_yaml::to_string(&other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// `!Ref x` -> `{"Ref": x}`, `!GetAtt a.b` -> `{"Fn::GetAtt": ["a", "b"]}`,
/// `!Condition c` -> `{"Condition": c}`, `!X v` -> `{"Fn::X": v}`.
fn intrinsic(tagged: TaggedValue) -> Value {
    let name = tagged.tag.to_string();
    let name = name.trim_start_matches('!');
    let value = to_json(tagged.value);
    let (key, value) = match (name, value) {
        ("Ref", v) => ("Ref".to_string(), v),
        ("Condition", v) => ("Condition".to_string(), v),
        ("GetAtt", Value::String(s)) => {
            let parts = match s.split_once('.') {
                Some((resource, attribute)) => vec![resource.into(), attribute.into()],
                None => vec![Value::String(s)],
            };
            ("Fn::GetAtt".to_string(), Value::Array(parts))
        }
        (other, v) => (format!("Fn::{other}"), v),
    };
    Value::Object(Map::from_iter([(key, value)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let yaml = "a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub '${X}-y'\nd: !If [C, 1, 2]\n";
        let json = to_json(serde_yaml::from_str(yaml).unwrap());
        assert_eq!(
            json,
            serde_json::json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["R", "Arn"]},
                "c": {"Fn::Sub": "${X}-y"},
                "d": {"Fn::If": ["C", 1, 2]},
            })
        );
    }

    #[test]
    fn embedded_template_converts() {
        let json = template_json();
        assert!(json["Resources"].is_object());
        assert!(json["Parameters"]["FileSystemId"].is_object());
    }

    #[test]
    fn retries_end_a_minute_before_the_next_run_at_most_an_hour_at_least_a_minute() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let age = |expression: &str| maximum_event_age(&Schedule::parse(expression).unwrap(), now);
        assert_eq!(age("rate(15 minutes)"), 14 * 60);
        assert_eq!(age("rate(1 minute)"), 60);
        assert_eq!(age("rate(6 hours)"), 3600);
        assert_eq!(age("0 0/6 * * ? *"), 3600);
        // Twice on Mondays, half an hour apart: the shortest gap, not the usual one.
        assert_eq!(age("0,30 8 ? * MON *"), 29 * 60);
        // Once a day: a day apart, so the most.
        assert_eq!(age("50 8 * * ? *"), 3600);
        // A single run left (the year 2199): no gap, the default.
        assert_eq!(age("0 0 1 1 ? 2199"), 3600);
    }
}
