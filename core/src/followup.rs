//! Follow-up checks: a task's outcome within minutes of its end, not at the next run.
//!
//! After creating a task the function arranges to check it: a one-time EventBridge Scheduler
//! schedule ([`crate::later`], named [`NAME_PREFIX`]`<task id>-<try>`) invokes it with a
//! [`CHECK`] object instead of a schedule's slot:
//!
//! ```json
//! {"Check": {"TaskId": "task-0123456789abcdef0", "Schedule": "nightly-export", "Attempt": 1,
//!            "CreatedAt": "2026-11-25T22:00:04Z", "WaitSeconds": 120}}
//! ```
//!
//! A check creates no task. It describes the task: still running, it arranges the next check;
//! ended badly ([`crate::lifecycle::ended_badly`]), it publishes FailedTasks and the alarm
//! topic gets [`message`]; ended well, nothing. The waits: the first is the task's expected
//! length (the schedule's previous finished task's, else [`DEFAULT_FIRST_WAIT`]), then each
//! one doubles; every wait at most the cap (FollowUpCapMinutes, [`DEFAULT_CAP_MINUTES`] unless
//! the stack sets [`crate::env::FOLLOW_UP_CAP_MINUTES`]: a task's end is known within it) and at
//! least a minute (Scheduler's `at()` runs to the minute). A task still running [`GIVE_UP_AFTER`] its
//! creation is no longer followed (a log line; the next run still reports it).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::report::Summary;
use crate::Invalid;

/// The field of a check's event.
pub const CHECK: &str = "Check";
/// The one-time schedules of follow-up checks; the function's role may create these (and
/// deferral's) only.
pub const NAME_PREFIX: &str = "fsx-drt-check-";
/// The definition's key (and template parameter) of the longest wait between two checks.
pub const CAP_KEY: &str = "FollowUpCapMinutes";
/// The longest wait between two checks unless the stack says otherwise: a task's end is
/// reported within it.
pub const DEFAULT_CAP_MINUTES: u32 = 5;
/// The cap's range: a minute (the shortest wait, [`MIN_WAIT`]) to an hour (beyond that an
/// hourly schedule's next run would tell first, and a person waits too long to learn it).
pub const MIN_CAP_MINUTES: u32 = 1;
pub const MAX_CAP_MINUTES: u32 = 60;
/// The first wait when the schedule has no finished task to go by.
pub const DEFAULT_FIRST_WAIT: Duration = Duration::minutes(2);
/// The shortest wait: Scheduler's one-time schedules run to the minute.
pub const MIN_WAIT: Duration = Duration::minutes(1);
/// A task running longer than this after its creation is no longer followed.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);
/// SNS takes a subject of fewer than 100 ASCII characters, no line breaks.
pub const MAX_SUBJECT: usize = 99;

/// Where the following of one task stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub task_id: String,
    /// The schedule whose run created the task (the metric's dimension); none for a run with
    /// the environment's settings.
    pub schedule: Option<String>,
    /// 1 for the first check, ...
    pub attempt: u32,
    pub created_at: DateTime<Utc>,
    /// The wait before this check.
    pub wait: Duration,
}

impl Check {
    /// The first check of a task created at `created_at`, after its expected length.
    pub fn first(
        task_id: &str,
        schedule: Option<&str>,
        created_at: DateTime<Utc>,
        expected: Option<Duration>,
        cap: Cap,
    ) -> Check {
        Check {
            task_id: task_id.to_string(),
            schedule: schedule.map(str::to_string),
            attempt: 1,
            created_at,
            wait: cap.bound(expected.unwrap_or(DEFAULT_FIRST_WAIT)),
        }
    }

    /// When this check runs, counted from `now` (the moment it is arranged).
    pub fn at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.wait
    }

    /// The check after this one found the task running at `now`: twice the wait, capped;
    /// none once the task has run [`GIVE_UP_AFTER`].
    pub fn next(&self, now: DateTime<Utc>, cap: Cap) -> Option<Check> {
        let wait = cap.bound(self.wait * 2);
        if now + wait > self.created_at + GIVE_UP_AFTER {
            return None;
        }
        Some(Check {
            attempt: self.attempt + 1,
            wait,
            ..self.clone()
        })
    }

    /// The one-time schedule's name: unique per task and check, at most 64 characters.
    pub fn schedule_name(&self) -> String {
        let id = &self.task_id[..self.task_id.len().min(40)];
        format!("{NAME_PREFIX}{id}-{}", self.attempt)
    }

    /// The one-time schedule's input.
    pub fn input(&self) -> Value {
        json!({
            CHECK: {
                "TaskId": self.task_id,
                "Schedule": self.schedule,
                "Attempt": self.attempt,
                "CreatedAt": self.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "WaitSeconds": self.wait.num_seconds(),
            }
        })
    }

    /// The check an event carries: none for any other event.
    pub fn read(event: &Value) -> Result<Option<Check>, Invalid> {
        let Some(value) = event.get(CHECK).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let task_id = value["TaskId"]
            .as_str()
            .filter(|id| id.starts_with("task-") && id.len() <= 64);
        let schedule = match &value["Schedule"] {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => None,
        };
        let attempt = value["Attempt"]
            .as_u64()
            .and_then(|a| u32::try_from(a).ok());
        let created_at = value["CreatedAt"]
            .as_str()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let wait = value["WaitSeconds"].as_i64().map(Duration::seconds);
        match (task_id, schedule, attempt, created_at, wait) {
            (Some(task_id), Some(schedule), Some(attempt), Some(created_at), Some(wait)) => {
                Ok(Some(Check {
                    task_id: task_id.to_string(),
                    schedule,
                    attempt,
                    created_at,
                    wait: Cap::MAX.bound(wait),
                }))
            }
            _ => Err(Invalid::new(
                format!("{CHECK} is not {{\"TaskId\": \"task-...\", \"Schedule\": NAME or null, \"Attempt\": N, \"CreatedAt\": TIME, \"WaitSeconds\": N}}: {value}"),
                "leave Check to the function: it writes it into the follow-up schedules it creates",
            )),
        }
    }
}

/// The longest wait between two checks of a task (FollowUpCapMinutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap(Duration);

impl Cap {
    pub const DEFAULT: Cap = Cap(Duration::minutes(DEFAULT_CAP_MINUTES as i64));
    pub const MAX: Cap = Cap(Duration::minutes(MAX_CAP_MINUTES as i64));

    /// Whole minutes, [`MIN_CAP_MINUTES`] to [`MAX_CAP_MINUTES`].
    pub fn parse(value: &str) -> Result<Cap, Invalid> {
        match value.trim().parse::<u32>() {
            Ok(minutes) if (MIN_CAP_MINUTES..=MAX_CAP_MINUTES).contains(&minutes) => {
                Ok(Cap(Duration::minutes(i64::from(minutes))))
            }
            _ => Err(Invalid::new(
                format!("the follow-up cap is a whole number of minutes from {MIN_CAP_MINUTES} to {MAX_CAP_MINUTES}: the longest wait between two checks of a task, so its end is told within it"),
                format!("give minutes such as {DEFAULT_CAP_MINUTES} (the default), or leave {CAP_KEY} out"),
            )),
        }
    }

    /// The cap of the environment the template sets ([`crate::env::FOLLOW_UP_CAP_MINUTES`]);
    /// unset or empty (a stack made before the setting): the default.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Cap, crate::config::ConfigError> {
        let variable = crate::env::FOLLOW_UP_CAP_MINUTES;
        match lookup(variable).filter(|v| !v.trim().is_empty()) {
            None => Ok(Cap::DEFAULT),
            Some(value) => Cap::parse(&value).map_err(|invalid| crate::config::ConfigError {
                variable,
                value: Some(value),
                invalid,
            }),
        }
    }

    pub fn minutes(self) -> i64 {
        self.0.num_minutes()
    }

    /// `wait`, at least [`MIN_WAIT`] and at most the cap.
    pub fn bound(self, wait: Duration) -> Duration {
        wait.clamp(MIN_WAIT, self.0)
    }
}

impl Default for Cap {
    fn default() -> Cap {
        Cap::DEFAULT
    }
}

/// What a finished task was and did, as DescribeDataRepositoryTasks tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub task_id: String,
    /// EXPORT_TO_REPOSITORY, ...
    pub task_type: String,
    pub file_system_id: String,
    pub schedule: Option<String>,
    pub lifecycle: String,
    pub end_time: Option<DateTime<Utc>>,
    pub total: Option<i64>,
    pub succeeded: Option<i64>,
    pub failed: Option<i64>,
    /// FailureDetails.Message.
    pub failure: Option<String>,
}

/// The completion report as far as the function could read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportRead {
    Summarised(Summary),
    /// The task was created without a report.
    Disabled,
    /// FSx counts no failed file: the report lists none.
    NoFailedFiles,
    /// Looked for where FSx writes it, not there.
    Missing(Vec<String>),
    /// Could not be read (the error, e.g. AccessDenied).
    Unreadable {
        location: String,
        error: String,
    },
}

/// The alarm topic's message about a task that ended badly: a subject (SNS: under 100 ASCII
/// characters) and a body a person can act on.
pub fn message(task: &Ended, report: &ReportRead) -> (String, String) {
    let kind = match task.task_type.as_str() {
        "EXPORT_TO_REPOSITORY" => "Export",
        "IMPORT_METADATA_FROM_REPOSITORY" => "Import",
        "RELEASE_DATA_FROM_FILESYSTEM" => "Release",
        other => other,
    };
    let outcome = match (task.lifecycle.as_str(), task.failed) {
        ("SUCCEEDED", Some(n)) => format!("SUCCEEDED with {n} failed file(s)"),
        (lifecycle, _) => lifecycle.to_string(),
    };
    // The subject's words in the order a cut spares: what, where, how, then the schedule.
    let short = match (task.lifecycle.as_str(), task.failed) {
        ("SUCCEEDED", Some(n)) => format!("{n} file(s) FAILED"),
        (lifecycle, _) => lifecycle.to_string(),
    };
    let schedule = task
        .schedule
        .as_deref()
        .map_or(String::new(), |s| format!(" ({s})"));
    let subject = format!(
        "fsx-drt: {kind} {} on {}: {short}{schedule}",
        task.task_id, task.file_system_id
    );
    let mut body = vec![
        format!("{kind} task {} {outcome}.", task.task_id),
        String::new(),
        format!("File system: {}", task.file_system_id),
        format!(
            "Schedule:    {}",
            task.schedule
                .as_deref()
                .unwrap_or("(none: a run with the stack's settings)")
        ),
        format!("Task:        {}", task.task_id),
    ];
    if let Some(end) = task.end_time {
        body.push(format!(
            "Ended:       {}",
            end.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
    }
    let count = |n: Option<i64>| n.map_or("?".to_string(), |n| n.to_string());
    body.push(format!(
        "Files:       {} total, {} succeeded, {} failed",
        count(task.total),
        count(task.succeeded),
        count(task.failed)
    ));
    if let Some(failure) = &task.failure {
        body.push(format!("Failure:     {failure}"));
    }
    body.push(String::new());
    match report {
        ReportRead::Summarised(summary) => {
            body.push("Completion report:".into());
            body.extend(summary.to_string().lines().map(|l| format!("  {l}")));
        }
        ReportRead::Disabled => {
            body.push("Completion report: none (the task was created without one).".into())
        }
        ReportRead::NoFailedFiles => {
            body.push("Completion report: no failed files to list.".into())
        }
        ReportRead::Missing(looked) => body.push(format!(
            "Completion report: not found (looked for {}).",
            looked.join(", ")
        )),
        ReportRead::Unreadable { location, error } => body.push(format!(
            "Completion report: {location} could not be read ({error})."
        )),
    }
    body.push(String::new());
    body.push(format!(
        "Next: fsx-drt tasks report {} (the whole report summarised), or aws fsx describe-data-repository-tasks --task-ids {}",
        task.task_id, task.task_id
    ));
    (subject_line(&subject), body.join("\n") + "\n")
}

/// The alarm topic's message about a slot given up (its bound passed while the file system
/// was busy, or the schedule it runs After did not succeed): a person learns it now, not from
/// a missing task days later.
pub fn given_up_message(
    schedule: &str,
    scheduled: DateTime<Utc>,
    file_system_id: &str,
    reason: &str,
) -> (String, String) {
    let at = scheduled.format("%Y-%m-%d %H:%M UTC");
    let subject = subject_line(&format!(
        "fsx-drt: {schedule} run of {at} given up on {file_system_id}"
    ));
    let body = [
        format!("The {schedule} run scheduled for {at} on {file_system_id} was given up: no task was created for it."),
        String::new(),
        format!("Why: {reason}."),
        String::new(),
        format!("Next: the schedule runs again at its next slot. To run it now: fsx-drt run --stack-name STACK --schedule {schedule}; to see what holds the file system: fsx-drt tasks --stack-name STACK."),
    ]
    .join("\n");
    (subject, body)
}

/// ASCII, one line, under 100 characters (cut with "...").
fn subject_line(text: &str) -> String {
    let ascii: String = text
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '?'
            }
        })
        .collect();
    if ascii.len() <= MAX_SUBJECT {
        return ascii;
    }
    format!("{}...", &ascii[..MAX_SUBJECT - 3])
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::report::summarise;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap()
    }

    const TASK: &str = "task-0123456789abcdef0";

    #[test]
    fn checks_start_at_the_expected_length_and_double_up_to_the_cap() {
        let cap = Cap::DEFAULT;
        let mut check = Check::first(TASK, Some("nightly-export"), at(22, 0), None, cap);
        let mut now = at(22, 0);
        let mut waits = Vec::new();
        for _ in 0..5 {
            waits.push(check.wait.num_minutes());
            now = check.at(now);
            check = check.next(now, cap).unwrap();
        }
        assert_eq!(waits, [2, 4, 5, 5, 5]);
        assert_eq!(check.attempt, 6);
        // A long previous task: the first wait is the cap; a short one: a minute.
        let long = Check::first(TASK, None, at(22, 0), Some(Duration::hours(3)), cap);
        assert_eq!(long.wait, Duration::minutes(i64::from(DEFAULT_CAP_MINUTES)));
        let short = Check::first(TASK, None, at(22, 0), Some(Duration::seconds(10)), cap);
        assert_eq!(short.wait, MIN_WAIT);
        assert_eq!(
            short.next(at(22, 1), cap).unwrap().wait,
            Duration::minutes(2)
        );
        // No longer followed a day after its creation.
        assert!(check.next(at(22, 0) + GIVE_UP_AFTER, cap).is_none());
    }

    #[test]
    fn another_cap_bounds_every_wait() {
        let waits = |cap: Cap, expected: Option<Duration>| {
            let mut check = Check::first(TASK, None, at(22, 0), expected, cap);
            let mut waits = vec![check.wait.num_minutes()];
            for _ in 0..6 {
                check = check.next(at(22, 0), cap).unwrap();
                waits.push(check.wait.num_minutes());
            }
            waits
        };
        let one = Cap::parse("1").unwrap();
        assert_eq!(waits(one, None), [1; 7]);
        let hour = Cap::parse("60").unwrap();
        assert_eq!(waits(hour, None), [2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(
            waits(Cap::parse("12").unwrap(), Some(Duration::hours(2))),
            [12; 7]
        );
        assert_eq!(one.minutes(), 1);
        assert_eq!(Cap::default(), Cap::DEFAULT);
        // A check read back from its event keeps its wait up to the largest cap.
        let long = Check::first(TASK, None, at(22, 0), Some(Duration::hours(3)), hour);
        assert_eq!(
            Check::read(&long.input()).unwrap().unwrap().wait,
            Duration::hours(1)
        );
    }

    #[test]
    fn the_cap_is_whole_minutes_from_one_to_sixty() {
        for (text, minutes) in [("1", 1), ("5", 5), (" 60 ", 60)] {
            assert_eq!(Cap::parse(text).unwrap().minutes(), minutes, "{text}");
        }
        for bad in ["0", "61", "-1", "2.5", "five", ""] {
            let invalid = Cap::parse(bad).unwrap_err();
            assert!(invalid.problem.contains("from 1 to 60"), "{bad}: {invalid}");
            assert!(invalid.fix.contains(CAP_KEY), "{bad}: {invalid}");
        }
        let env = |value: Option<&str>| {
            Cap::from_lookup(|name| {
                assert_eq!(name, crate::env::FOLLOW_UP_CAP_MINUTES);
                value.map(str::to_string)
            })
        };
        assert_eq!(env(None), Ok(Cap::DEFAULT));
        assert_eq!(env(Some("")), Ok(Cap::DEFAULT));
        assert_eq!(env(Some("15")).unwrap().minutes(), 15);
        let error = env(Some("90")).unwrap_err();
        assert_eq!(error.variable, crate::env::FOLLOW_UP_CAP_MINUTES);
        assert_eq!(error.value.as_deref(), Some("90"));
    }

    #[test]
    fn the_check_travels_in_the_event_and_names_its_schedule() {
        let check = Check::first(TASK, Some("nightly-export"), at(22, 0), None, Cap::DEFAULT);
        let input = check.input();
        assert_eq!(
            input,
            json!({"Check": {"TaskId": TASK, "Schedule": "nightly-export", "Attempt": 1,
                             "CreatedAt": "2026-11-25T22:00:00Z", "WaitSeconds": 120}})
        );
        assert_eq!(Check::read(&input), Ok(Some(check.clone())));
        assert_eq!(Check::read(&json!({"Schedule": "x"})), Ok(None));
        let unscheduled = Check::first(TASK, None, at(22, 0), None, Cap::DEFAULT);
        assert_eq!(Check::read(&unscheduled.input()), Ok(Some(unscheduled)));
        for bad in [
            json!({"Check": {"TaskId": "fs-1"}}),
            json!({"Check": {"TaskId": TASK, "Schedule": 3, "Attempt": 1,
                             "CreatedAt": "2026-11-25T22:00:00Z", "WaitSeconds": 120}}),
            json!({"Check": "task-1"}),
        ] {
            let error = Check::read(&bad).unwrap_err();
            assert!(error.problem.starts_with("Check is not {"), "{error}");
        }
        let name = check.schedule_name();
        assert_eq!(name, "fsx-drt-check-task-0123456789abcdef0-1");
        assert!(name.len() <= 64);
    }

    fn ended(lifecycle: &str, failed: i64, failure: Option<&str>) -> Ended {
        Ended {
            task_id: TASK.into(),
            task_type: "EXPORT_TO_REPOSITORY".into(),
            file_system_id: "fs-0123456789abcdef0".into(),
            schedule: Some("nightly-export".into()),
            lifecycle: lifecycle.into(),
            end_time: Some(at(22, 7)),
            total: Some(1000),
            succeeded: Some(1000 - failed),
            failed: Some(failed),
            failure: failure.map(str::to_string),
        }
    }

    #[test]
    fn a_failed_task_s_message_says_what_failed_and_what_to_do() {
        let report = summarise(
            "s3://bucket-a/data/fsx-drt-completion-reports/task-0123456789abcdef0/failures.csv",
            "data/a,failed,FileSizeTooLarge\ndata/b,failed,PathNotFound\ndata/c,failed,FileSizeTooLarge\n",
        );
        let (subject, body) = message(
            &ended("SUCCEEDED", 3, None),
            &ReportRead::Summarised(report),
        );
        assert!(subject.len() <= MAX_SUBJECT, "{subject}");
        insta::assert_snapshot!("files_failed", format!("{subject}\n\n{body}"));
        let (subject, body) = message(
            &ended(
                "FAILED",
                0,
                Some("The task failed: access denied to the bucket"),
            ),
            &ReportRead::Unreadable {
                location: "s3://b/r/task-0123456789abcdef0/failures.csv".into(),
                error: "GetObject failed: AccessDenied: Access Denied".into(),
            },
        );
        insta::assert_snapshot!("task_failed", format!("{subject}\n\n{body}"));
    }

    #[test]
    fn the_subject_stays_one_short_ascii_line() {
        let mut task = ended("CANCELED", 0, None);
        task.schedule = Some("a-very-long-schedule-name-that-goes-on-and-on-é".into());
        let (subject, _) = message(&task, &ReportRead::Disabled);
        assert_eq!(subject.len(), MAX_SUBJECT);
        assert!(subject.ends_with("..."), "{subject}");
        assert!(subject.is_ascii());
        let (_, body) = message(&task, &ReportRead::Missing(vec!["s3://b/k".into()]));
        assert!(body.contains("Completion report: not found (looked for s3://b/k)."));
    }

    #[test]
    fn a_slot_given_up_is_told_with_the_reason_and_the_next_step() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 29, 2, 0, 0).unwrap();
        let (subject, body) = given_up_message(
            "weekly-release",
            at,
            "fs-0123456789abcdef0",
            "nightly-export's task task-0123 (slot 2026-11-28 21:00 UTC) ended FAILED, so this run does not follow it",
        );
        assert_eq!(
            subject,
            "fsx-drt: weekly-release run of 2026-11-29 02:00 UTC given up on fs-0123456789abcdef0"
        );
        assert!(subject.len() <= MAX_SUBJECT);
        assert!(
            body.contains("Why: nightly-export's task task-0123"),
            "{body}"
        );
        assert!(
            body.contains("fsx-drt run --stack-name STACK --schedule weekly-release"),
            "{body}"
        );
    }
}
