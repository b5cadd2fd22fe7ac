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
//! one doubles; every wait at most [`CAP`] (so a task's end is known within it) and at least a
//! minute (Scheduler's `at()` runs to the minute). A task still running [`GIVE_UP_AFTER`] its
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
/// The longest wait between two checks: a task's end is reported within it.
pub const CAP: Duration = Duration::minutes(5);
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
    ) -> Check {
        Check {
            task_id: task_id.to_string(),
            schedule: schedule.map(str::to_string),
            attempt: 1,
            created_at,
            wait: bounded(expected.unwrap_or(DEFAULT_FIRST_WAIT)),
        }
    }

    /// When this check runs, counted from `now` (the moment it is arranged).
    pub fn at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.wait
    }

    /// The check after this one found the task running at `now`: twice the wait, capped;
    /// none once the task has run [`GIVE_UP_AFTER`].
    pub fn next(&self, now: DateTime<Utc>) -> Option<Check> {
        let wait = bounded(self.wait * 2);
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
                    wait: bounded(wait),
                }))
            }
            _ => Err(Invalid::new(
                format!("{CHECK} is not {{\"TaskId\": \"task-...\", \"Schedule\": NAME or null, \"Attempt\": N, \"CreatedAt\": TIME, \"WaitSeconds\": N}}: {value}"),
                "leave Check to the function: it writes it into the follow-up schedules it creates",
            )),
        }
    }
}

fn bounded(wait: Duration) -> Duration {
    wait.clamp(MIN_WAIT, CAP)
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
        let mut check = Check::first(TASK, Some("nightly-export"), at(22, 0), None);
        let mut now = at(22, 0);
        let mut waits = Vec::new();
        for _ in 0..5 {
            waits.push(check.wait.num_minutes());
            now = check.at(now);
            check = check.next(now).unwrap();
        }
        assert_eq!(waits, [2, 4, 5, 5, 5]);
        assert_eq!(check.attempt, 6);
        // A long previous task: the first wait is the cap; a short one: a minute.
        let long = Check::first(TASK, None, at(22, 0), Some(Duration::hours(3)));
        assert_eq!(long.wait, CAP);
        let short = Check::first(TASK, None, at(22, 0), Some(Duration::seconds(10)));
        assert_eq!(short.wait, MIN_WAIT);
        assert_eq!(short.next(at(22, 1)).unwrap().wait, Duration::minutes(2));
        // No longer followed a day after its creation.
        assert!(check.next(at(22, 0) + GIVE_UP_AFTER).is_none());
    }

    #[test]
    fn the_check_travels_in_the_event_and_names_its_schedule() {
        let check = Check::first(TASK, Some("nightly-export"), at(22, 0), None);
        let input = check.input();
        assert_eq!(
            input,
            json!({"Check": {"TaskId": TASK, "Schedule": "nightly-export", "Attempt": 1,
                             "CreatedAt": "2026-11-25T22:00:00Z", "WaitSeconds": 120}})
        );
        assert_eq!(Check::read(&input), Ok(Some(check.clone())));
        assert_eq!(Check::read(&json!({"Schedule": "x"})), Ok(None));
        let unscheduled = Check::first(TASK, None, at(22, 0), None);
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
