//! The event contract: what an EventBridge Scheduler schedule's target sends the function.
//!
//! Every schedule of a stack targets the one function; its target's `Input` carries the
//! schedule's name and task settings, and two context attributes EventBridge Scheduler fills
//! in on every invocation (and repeats on every retry of it):
//!
//! ```json
//! {"Schedule": "nightly-export", "TaskType": "Export",
//!  "Paths": "/projects \"/scratch/run 1\"",
//!  "TaskCompletionReportPath": "/fsx-drt-completion-reports", "ReleaseAfterDays": 14,
//!  "ScheduledTime": "<aws.scheduler.scheduled-time>",
//!  "ScheduleArn": "<aws.scheduler.schedule-arn>"}
//! ```
//!
//! The values are those of the stack's parameters, read by the parsers the environment's are:
//! `TaskType` as [`TaskType::parse`], `Paths` one string in the `Paths` parameter's form
//! ([`parse_paths`]; [`render_paths`] writes it), `TaskCompletionReportPath` a prefix inside the
//! data repository ([`ReportPath::parse`]), `ReleaseAfterDays` a number or a string of digits
//! (read for Release tasks only). `ScheduledTime` arrives as `2026-11-25T06:15:00Z`.
//!
//! The file system is the function's own (its FILE_SYSTEM_ID). An event without `Schedule`
//! (an EventBridge rule's, from a stack made before schedules, or `fsx-drt run`'s) runs with the
//! settings of the environment, as before; so does an event with `Schedule` and none of the
//! settings (the template as written, whose one schedule's settings are stack parameters in the
//! function's environment). An event with `Schedule` but without `ScheduledTime`
//! and `ScheduleArn` is a manual run of that schedule: a token of its own, like any manual run.

use serde_json::{Map, Value};

use crate::after::{After, AFTER};
use crate::config::{
    one, parse_release_after_days, read, Config, ConfigError, FileSystemId, ReportPath,
    ScheduleName, TaskType,
};
use crate::deferral::{parse_max_defer_minutes, Deferral, DEFERRAL, MAX_DEFER_MINUTES};
use crate::paths::{parse_paths, render_paths, FsPath};
use crate::slot::{minute_of, Slot};
use crate::{env, Invalid};

/// The schedule's name (1-64 of `[0-9A-Za-z._-]`): the tasks' schedule tag and the metrics'
/// Schedule dimension.
pub const SCHEDULE: &str = "Schedule";
pub const TASK_TYPE: &str = "TaskType";
pub const PATHS: &str = "Paths";
pub const REPORT_PATH: &str = "TaskCompletionReportPath";
pub const RELEASE_AFTER_DAYS: &str = "ReleaseAfterDays";
pub const SCHEDULED_TIME: &str = "ScheduledTime";
pub const SCHEDULE_ARN: &str = "ScheduleArn";
pub const ALL: [&str; 9] = [
    SCHEDULE,
    TASK_TYPE,
    PATHS,
    REPORT_PATH,
    RELEASE_AFTER_DAYS,
    MAX_DEFER_MINUTES,
    AFTER,
    SCHEDULED_TIME,
    SCHEDULE_ARN,
];

/// EventBridge Scheduler's context attributes, which the target's input holds as values of
/// `ScheduledTime` and `ScheduleArn`.
pub const SCHEDULED_TIME_ATTRIBUTE: &str = "<aws.scheduler.scheduled-time>";
pub const SCHEDULE_ARN_ATTRIBUTE: &str = "<aws.scheduler.schedule-arn>";

/// One schedule's task settings, as its event carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub name: ScheduleName,
    pub task_type: TaskType,
    pub paths: Vec<FsPath>,
    pub report_path: ReportPath,
    /// Used by Release tasks only (0 for the others).
    pub release_after_days: u32,
    /// How long a busy run is deferred, in minutes after its scheduled time (0: never).
    pub max_defer_minutes: u32,
    /// The schedule whose task for its current slot this one waits for.
    pub after: Option<After>,
}

impl Schedule {
    /// The configuration a run of this schedule has, on the function's file system.
    pub fn config(&self, file_system_id: FileSystemId) -> Config {
        Config {
            file_system_id,
            task_type: self.task_type,
            paths: self.paths.clone(),
            report_path: self.report_path.clone(),
            release_after_days: self.release_after_days,
        }
    }

    /// The schedule target's `Input`: this schedule's settings and the context attributes
    /// EventBridge Scheduler replaces (a JSON object; the target wants it as a string).
    pub fn target_input(&self) -> Value {
        let mut input = Map::new();
        let mut put = |field: &str, value: Value| input.insert(field.to_string(), value);
        put(SCHEDULE, self.name.as_str().into());
        put(TASK_TYPE, self.task_type.name().into());
        put(PATHS, render_paths(&self.paths).into());
        put(REPORT_PATH, self.report_path.as_str().into());
        if self.task_type == TaskType::Release {
            put(RELEASE_AFTER_DAYS, self.release_after_days.into());
        }
        put(MAX_DEFER_MINUTES, self.max_defer_minutes.into());
        if let Some(after) = &self.after {
            put(AFTER, after.input());
        }
        put(SCHEDULED_TIME, SCHEDULED_TIME_ATTRIBUTE.into());
        put(SCHEDULE_ARN, SCHEDULE_ARN_ATTRIBUTE.into());
        Value::Object(input)
    }
}

/// What one invocation is for: its slot (the idempotency token) and, for a schedule's event,
/// the schedule with its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub slot: Slot,
    /// The schedule it runs for: its tasks' schedule tag and its metrics' dimension.
    pub schedule_name: Option<ScheduleName>,
    /// The schedule's settings when its event carries them; none when the function's
    /// environment holds them (the one schedule of the template as written, whose settings
    /// are stack parameters).
    pub schedule: Option<Schedule>,
    /// A scheduled run that may be deferred when the file system is busy (its schedule has a
    /// MaxDeferMinutes bound): where its slot stands, and the event its next try repeats.
    pub retry: Option<Retry>,
}

/// A deferrable run: its slot's state and the event a next try repeats (the context
/// attributes as this run received them, so the slot stays the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    pub deferral: Deferral,
    pub event: Value,
}

impl Invocation {
    /// Reads an event; `request_id` is the invocation's, for events that are not a slot.
    /// Every problem of a schedule's event is named by its field.
    pub fn of(event: &Value, request_id: &str) -> Result<Self, Vec<ConfigError>> {
        Self::of_with(event, request_id, |_| None)
    }

    /// The same, as the function reads it: a schedule's event without MaxDeferMinutes (the
    /// written template's one schedule, whose settings are stack parameters) takes the bound
    /// from the environment (MAX_DEFER_MINUTES).
    pub fn of_with(
        event: &Value,
        request_id: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Vec<ConfigError>> {
        let mut invocation = Self::read(event, request_id)?;
        if invocation.schedule_name.is_some() {
            let bound = match present(event, MAX_DEFER_MINUTES) {
                Some(Value::String(text)) => Some((MAX_DEFER_MINUTES, text.clone())),
                Some(value) => Some((MAX_DEFER_MINUTES, value.to_string())),
                None => lookup(env::MAX_DEFER_MINUTES).map(|text| (env::MAX_DEFER_MINUTES, text)),
            };
            invocation.retry = retry(event, &invocation.slot, bound).map_err(|e| vec![e])?;
        }
        Ok(invocation)
    }

    fn read(event: &Value, request_id: &str) -> Result<Self, Vec<ConfigError>> {
        if present(event, SCHEDULE).is_none() {
            return Ok(Invocation {
                slot: Slot::of(event, request_id),
                schedule_name: None,
                schedule: None,
                retry: None,
            });
        }
        let errors = &mut Vec::new();
        let name = field(event, errors, SCHEDULE, |v| one(ScheduleName::parse(v)));
        let settings = [TASK_TYPE, PATHS, REPORT_PATH, RELEASE_AFTER_DAYS];
        if settings.iter().all(|s| present(event, s).is_none()) {
            let slot = slot(event, errors, request_id);
            return match (name, slot) {
                (Some(name), Some(slot)) if errors.is_empty() => Ok(Invocation {
                    slot,
                    schedule_name: Some(name),
                    schedule: None,
                    retry: None,
                }),
                _ => Err(std::mem::take(errors)),
            };
        }
        let task_type = field(event, errors, TASK_TYPE, |v| one(TaskType::parse(v)));
        let paths = field(event, errors, PATHS, parse_paths);
        let report = field(event, errors, REPORT_PATH, |v| one(ReportPath::parse(v)));
        let release_after_days = match task_type {
            Some(TaskType::Release) => field(event, errors, RELEASE_AFTER_DAYS, |v| {
                one(parse_release_after_days(v))
            }),
            _ => Some(0),
        };
        let slot = slot(event, errors, request_id);
        let after = After::read(event).unwrap_or_else(|invalid| {
            errors.push(ConfigError {
                variable: AFTER,
                value: Some(event[AFTER].to_string()),
                invalid,
            });
            None
        });
        match (name, task_type, paths, report, release_after_days, slot) {
            (
                Some(name),
                Some(task_type),
                Some(paths),
                Some(report_path),
                Some(days),
                Some(slot),
            ) if errors.is_empty() => Ok(Invocation {
                slot,
                schedule_name: Some(name.clone()),
                schedule: Some(Schedule {
                    name,
                    task_type,
                    paths,
                    report_path,
                    release_after_days: days,
                    // Read (and checked) with the retry state.
                    max_defer_minutes: present(event, MAX_DEFER_MINUTES)
                        .and_then(Value::as_u64)
                        .and_then(|m| u32::try_from(m).ok())
                        .unwrap_or(0),
                    after,
                }),
                retry: None,
            }),
            _ => Err(std::mem::take(errors)),
        }
    }

    /// The configuration this invocation runs with: its schedule's settings on the file system
    /// of the environment (FILE_SYSTEM_ID), or the environment's whole configuration.
    pub fn config(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, Vec<ConfigError>> {
        match &self.schedule {
            Some(schedule) => FileSystemId::from_lookup(lookup)
                .map(|fs| schedule.config(fs))
                .map_err(|e| vec![e]),
            None => Config::from_lookup(lookup),
        }
    }
}

/// The field's value, unless absent or null.
fn present<'a>(event: &'a Value, name: &str) -> Option<&'a Value> {
    event.get(name).filter(|v| !v.is_null())
}

/// Reads one field: a string, or a number written as one.
fn field<T>(
    event: &Value,
    errors: &mut Vec<ConfigError>,
    name: &'static str,
    parse: impl FnOnce(&str) -> Result<T, Vec<Invalid>>,
) -> Option<T> {
    let text = match present(event, name) {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        Some(other) => {
            let example = if name == PATHS {
                r#", the paths separated by spaces and quoted when they hold one: "/a \"/b c\"""#
            } else {
                ""
            };
            errors.push(ConfigError {
                variable: name,
                value: Some(other.to_string()),
                invalid: Invalid::new(
                    format!("{name} is a JSON string{example}"),
                    "write the schedule's target input as fsx-drt deploy does",
                ),
            });
            return None;
        }
    };
    let missing = || {
        Invalid::new(
            "the event has no such field",
            "give every schedule's target the input fsx-drt deploy writes",
        )
    };
    read(text, missing, errors, name, parse)
}

/// The schedule's slot from ScheduleArn and ScheduledTime; a token of its own without both.
fn slot(event: &Value, errors: &mut Vec<ConfigError>, request_id: &str) -> Option<Slot> {
    if present(event, SCHEDULE_ARN).is_none() && present(event, SCHEDULED_TIME).is_none() {
        return Some(Slot::Invocation {
            request_id: request_id.to_string(),
        });
    }
    let schedule_arn = field(event, errors, SCHEDULE_ARN, |v| one(parse_schedule_arn(v)));
    let minute = field(event, errors, SCHEDULED_TIME, |v| {
        one(parse_scheduled_time(v))
    });
    Some(Slot::Schedule {
        schedule_arn: schedule_arn?,
        minute: minute?,
    })
}

/// The run's retry state: for a run of a schedule (ScheduledTime and ScheduleArn given) whose
/// event has a MaxDeferMinutes bound, either the Deferral it carries or, for the scheduled run
/// itself, the first.
fn retry(
    event: &Value,
    slot: &Slot,
    bound: Option<(&'static str, String)>,
) -> Result<Option<Retry>, ConfigError> {
    let problem = |variable: &'static str, value: String, invalid: Invalid| ConfigError {
        variable,
        value: Some(value),
        invalid,
    };
    let (Some((source, text)), Slot::Schedule { .. }) = (bound, slot) else {
        return Ok(None);
    };
    let minutes =
        parse_max_defer_minutes(&text).map_err(|invalid| problem(source, text, invalid))?;
    let deferral = match Deferral::read(event) {
        Ok(Some(deferral)) => deferral,
        Ok(None) => {
            let scheduled = event[SCHEDULED_TIME]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&chrono::Utc));
            match scheduled {
                Some(at) => Deferral::first(at, minutes),
                None => return Ok(None),
            }
        }
        Err(invalid) => return Err(problem(DEFERRAL, event[DEFERRAL].to_string(), invalid)),
    };
    let mut event = event.clone();
    if let Some(object) = event.as_object_mut() {
        object.remove(DEFERRAL);
        // A try carries its bound (from the environment, too) so it can defer again.
        object.insert(MAX_DEFER_MINUTES.into(), minutes.into());
    }
    Ok(Some(Retry { deferral, event }))
}

/// The context attribute left as it was written: the event did not come from the schedule.
fn not_replaced(attribute: &str) -> Invalid {
    Invalid::new(
        format!("{attribute} is replaced by EventBridge Scheduler only when the schedule invokes the function"),
        "leave ScheduledTime and ScheduleArn out of an event sent by hand",
    )
}

fn parse_schedule_arn(value: &str) -> Result<String, Invalid> {
    if value == SCHEDULE_ARN_ATTRIBUTE {
        return Err(not_replaced(value));
    }
    let shape = value.starts_with("arn:")
        && value.split(':').nth(2) == Some("scheduler")
        && value.contains(":schedule/");
    if !shape {
        return Err(Invalid::new(
            "not a schedule's ARN (arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME)",
            format!("set ScheduleArn to {SCHEDULE_ARN_ATTRIBUTE}"),
        ));
    }
    Ok(value.to_string())
}

/// `2026-11-25T06:15:00Z` -> `2026-11-25T06:15`, the slot's minute.
fn parse_scheduled_time(value: &str) -> Result<String, Invalid> {
    if value == SCHEDULED_TIME_ATTRIBUTE {
        return Err(not_replaced(value));
    }
    minute_of(value).ok_or_else(|| {
        Invalid::new(
            "not a UTC time such as 2026-11-25T06:15:00Z",
            format!("set ScheduledTime to {SCHEDULED_TIME_ATTRIBUTE}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly-export";

    fn event() -> Value {
        json!({
            "Schedule": "nightly-export",
            "TaskType": "Release",
            "Paths": "/projects \"/scratch/run 1\"",
            "TaskCompletionReportPath": "/fsx-drt-completion-reports",
            "ReleaseAfterDays": 14,
            "ScheduledTime": "2026-11-25T06:15:00Z",
            "ScheduleArn": ARN
        })
    }

    fn problems(event: &Value) -> Vec<String> {
        Invocation::of(event, "req")
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_schedule_s_event_carries_its_settings_and_slot() {
        let invocation = Invocation::of(&event(), "req").unwrap();
        let schedule = invocation.schedule.unwrap();
        assert_eq!(schedule.name.as_str(), "nightly-export");
        assert_eq!(schedule.task_type, TaskType::Release);
        assert_eq!(
            render_paths(&schedule.paths),
            "/projects \"/scratch/run 1\""
        );
        assert_eq!(schedule.report_path.as_str(), "/fsx-drt-completion-reports");
        assert_eq!(schedule.release_after_days, 14);
        assert_eq!(
            invocation.slot,
            Slot::Schedule {
                schedule_arn: ARN.into(),
                minute: "2026-11-25T06:15".into()
            }
        );
        // The days as a string, and other tasks not needing them.
        let mut days = event();
        days[RELEASE_AFTER_DAYS] = json!(" 30 ");
        let schedule = Invocation::of(&days, "r").unwrap().schedule.unwrap();
        assert_eq!(schedule.release_after_days, 30);
        let mut export = event();
        export[TASK_TYPE] = json!("EXPORT_TO_REPOSITORY");
        export.as_object_mut().unwrap().remove(RELEASE_AFTER_DAYS);
        let schedule = Invocation::of(&export, "r").unwrap().schedule.unwrap();
        assert_eq!(
            (schedule.task_type, schedule.release_after_days),
            (TaskType::Export, 0)
        );
    }

    #[test]
    fn the_target_input_is_read_back_once_scheduler_fills_it_in() {
        let mut schedule = Invocation::of(&event(), "r").unwrap().schedule.unwrap();
        let after = After {
            schedule: ScheduleName::parse("nightly-export").unwrap(),
            within: chrono::Duration::hours(24),
        };
        schedule.after = Some(after.clone());
        let mut input = schedule.target_input();
        let keys: Vec<&str> = input
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ALL);
        assert_eq!(input[SCHEDULED_TIME], "<aws.scheduler.scheduled-time>");
        assert_eq!(input[SCHEDULE_ARN], "<aws.scheduler.schedule-arn>");
        input[SCHEDULED_TIME] = json!("2026-11-25T06:15:00Z");
        input[SCHEDULE_ARN] = json!(ARN);
        let mut written = event();
        written[MAX_DEFER_MINUTES] = json!(0);
        written[AFTER] = after.input();
        assert_eq!(
            Invocation::of(&input, "r").unwrap(),
            Invocation::of(&written, "r").unwrap()
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = json!({
            "Schedule": "nightly export",
            "TaskType": "Sync",
            "Paths": ["/projects"],
            "ScheduledTime": "2026-11-25 06:15",
            "ScheduleArn": "arn:aws:events:us-east-1:123456789012:rule/x"
        });
        let found = problems(&bad);
        let named: Vec<&str> = found
            .iter()
            .map(|p| p.split(['=', ' ']).next().unwrap())
            .collect();
        assert_eq!(
            named,
            [
                SCHEDULE,
                TASK_TYPE,
                PATHS,
                REPORT_PATH,
                SCHEDULE_ARN,
                SCHEDULED_TIME
            ],
            "{found:?}"
        );
        assert!(found[2].contains("Paths is a JSON string"), "{}", found[2]);
        assert!(found[3].starts_with("TaskCompletionReportPath is not set"));

        let mut release = event();
        release[RELEASE_AFTER_DAYS] = json!(-1);
        let found = problems(&release);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("ReleaseAfterDays=\"-1\": the number of days"));
    }

    /// The template as written sends the schedule's name and slot only: its settings are the
    /// stack's parameters, in the function's environment.
    #[test]
    fn a_schedule_without_settings_takes_the_environments() {
        let slot_only = json!({
            "Schedule": "default",
            "ScheduledTime": "2026-11-25T06:15:00Z",
            "ScheduleArn": ARN
        });
        let invocation = Invocation::of(&slot_only, "req").unwrap();
        assert_eq!(invocation.schedule_name.unwrap().as_str(), "default");
        assert_eq!(invocation.schedule, None);
        assert_eq!(
            invocation.slot,
            Invocation::of(&event(), "other").unwrap().slot,
            "the same slot as the same schedule's event with settings"
        );
    }

    #[test]
    fn context_attributes_not_filled_in_are_refused() {
        let mut by_hand = event();
        by_hand[SCHEDULED_TIME] = json!(SCHEDULED_TIME_ATTRIBUTE);
        by_hand[SCHEDULE_ARN] = json!(SCHEDULE_ARN_ATTRIBUTE);
        let found = problems(&by_hand);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("replaced by EventBridge Scheduler"));
        // One of the two alone is not a slot either.
        let mut half = event();
        half.as_object_mut().unwrap().remove(SCHEDULE_ARN);
        assert!(problems(&half)[0].starts_with("ScheduleArn is not set"));
    }

    #[test]
    fn a_schedule_run_by_hand_has_a_token_of_its_own() {
        let mut manual = event();
        manual["source"] = json!("fsx-drt.cli");
        let object = manual.as_object_mut().unwrap();
        object.remove(SCHEDULED_TIME);
        object.remove(SCHEDULE_ARN);
        let invocation = Invocation::of(&manual, "req-9").unwrap();
        assert_eq!(
            invocation.slot,
            Slot::Invocation {
                request_id: "req-9".into()
            }
        );
        assert!(invocation.schedule.is_some());
    }

    #[test]
    fn events_without_a_schedule_are_read_as_before() {
        let rule = json!({
            "source": "aws.events", "time": "2026-11-25T06:15:00Z",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/r"],
            // Settings without Schedule are not a schedule's: the environment's apply.
            "TaskType": "Sync"
        });
        for event in [
            rule,
            json!({"source": "fsx-drt.cli"}),
            json!({"Schedule": null}),
        ] {
            let invocation = Invocation::of(&event, "req").unwrap();
            assert_eq!(invocation.schedule, None);
            assert_eq!(invocation.slot, Slot::of(&event, "req"));
        }
    }

    fn lookup(name: &str) -> Option<String> {
        match name {
            "FILE_SYSTEM_ID" => Some("fs-0123abcd".into()),
            "TASK_TYPE" => Some("Import".into()),
            _ => None,
        }
    }

    #[test]
    fn the_file_system_comes_from_the_environment() {
        let config = Invocation::of(&event(), "r")
            .unwrap()
            .config(lookup)
            .unwrap();
        assert_eq!(config.file_system_id.as_str(), "fs-0123abcd");
        assert_eq!(config.task_type, TaskType::Release);
        assert_eq!(config.release_after_days, 14);
        // Without a schedule the environment must hold every setting, as before.
        let errors = Invocation::of(&json!({}), "r")
            .unwrap()
            .config(lookup)
            .unwrap_err();
        assert_eq!(errors[0].variable, "FSX_PATHS");
        let errors = Invocation::of(&event(), "r")
            .unwrap()
            .config(|_| None)
            .unwrap_err();
        assert_eq!(errors[0].variable, "FILE_SYSTEM_ID");
    }

    #[test]
    fn a_schedule_s_bound_comes_from_its_input_or_for_the_written_template_the_environment() {
        let mut deferrable = event();
        deferrable[MAX_DEFER_MINUTES] = json!(90);
        let retry = Invocation::of(&deferrable, "r").unwrap().retry.unwrap();
        assert_eq!(
            retry.deferral.until - retry.deferral.since,
            chrono::Duration::minutes(90)
        );
        // Without a bound anywhere: skipped when busy, as before deferrals.
        assert_eq!(Invocation::of(&event(), "r").unwrap().retry, None);
        // The written template's event: no settings, the bound in the environment.
        let written = json!({"Schedule": "default", "ScheduledTime": "2026-11-25T06:15:00Z", "ScheduleArn": ARN});
        let env = |name: &str| (name == env::MAX_DEFER_MINUTES).then(|| "30".to_string());
        let retry = Invocation::of_with(&written, "r", env)
            .unwrap()
            .retry
            .unwrap();
        assert_eq!(
            retry.deferral.until.to_rfc3339(),
            "2026-11-25T06:45:00+00:00"
        );
        assert_eq!(
            retry.event[MAX_DEFER_MINUTES], 30,
            "a try carries the bound"
        );
        // A bad bound is named where it came from.
        let bad = |_: &str| Some("two hours".to_string());
        let errors = Invocation::of_with(&written, "r", bad).unwrap_err();
        assert_eq!(errors[0].variable, env::MAX_DEFER_MINUTES);
        deferrable[MAX_DEFER_MINUTES] = json!(2000);
        assert_eq!(
            Invocation::of(&deferrable, "r").unwrap_err()[0].variable,
            MAX_DEFER_MINUTES
        );
        // A manual run of the schedule (no scheduled time) is never deferred.
        let mut manual = deferrable.clone();
        manual[MAX_DEFER_MINUTES] = json!(90);
        manual.as_object_mut().unwrap().remove(SCHEDULED_TIME);
        manual.as_object_mut().unwrap().remove(SCHEDULE_ARN);
        assert_eq!(Invocation::of(&manual, "r").unwrap().retry, None);
    }
}
