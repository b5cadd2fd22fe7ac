//! The stack's events: in order, the failure that caused the others, progress while an
//! operation runs, and one line an event for logs.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// The resource type of the stack's own events. fsx-drt's template has no nested stacks, so
/// every event of this type is the stack's own.
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

/// One DescribeStackEvents entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StackEvent {
    pub event_id: String,
    #[serde(serialize_with = "rfc3339")]
    pub timestamp: DateTime<Utc>,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
    pub physical_id: Option<String>,
    /// The ClientRequestToken of the operation that made the event (CloudFormation puts the
    /// token given to ExecuteChangeSet, CreateStack, UpdateStack or DeleteStack on every
    /// event of that operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

/// chrono is built without serde; events carry milliseconds, so they are kept.
fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

impl StackEvent {
    pub fn is_stack_level(&self) -> bool {
        self.resource_type == STACK_TYPE
    }

    pub fn is_failed(&self) -> bool {
        self.status.ends_with("_FAILED")
    }

    /// A resource CloudFormation stopped because something else failed ("Resource creation
    /// cancelled"): a consequence, never the cause.
    pub fn is_cancellation(&self) -> bool {
        self.reason.as_deref().is_some_and(|r| {
            let r = r.to_lowercase();
            r.contains("cancelled") || r.contains("canceled")
        })
    }

    /// The reason on one line, or None when CloudFormation gave none.
    fn reason_line(&self) -> Option<String> {
        self.reason
            .as_deref()
            .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|r| !r.is_empty())
    }
}

/// Events oldest first, whatever order they came in (DescribeStackEvents gives newest first,
/// and polls overlap, so duplicates are dropped). Equal timestamps are ordered without looking
/// at the input order, so the same events always give the same answer: resources before the
/// stack (whose events follow from theirs: a failure, then the rollback it starts), a
/// resource's step starting before it ends, then by logical id and event id.
pub fn chronological(events: &[StackEvent]) -> Vec<&StackEvent> {
    let mut sorted: Vec<&StackEvent> = events.iter().collect();
    sorted.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then_with(|| a.is_stack_level().cmp(&b.is_stack_level()))
            .then_with(|| a.logical_id.cmp(&b.logical_id))
            .then_with(|| ends(a).cmp(&ends(b)))
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    sorted.dedup_by(|a, b| a.event_id == b.event_id);
    sorted
}

/// Whether an event ends a step (anything but `*_IN_PROGRESS`), for ordering equal times.
fn ends(e: &StackEvent) -> bool {
    !e.status.ends_with("_IN_PROGRESS")
}

/// The failure that caused the others: the earliest failed resource whose reason isn't a
/// cancellation. The stack's own events only repeat what its resources said ("The following
/// resource(s) failed to create: ..."), so they count only when no resource failed: then the
/// stack's earliest failure, or else the reason it started rolling back (a stack-wide
/// problem, or "User Initiated" for a cancelled update).
pub fn root_cause(events: &[StackEvent]) -> Option<&StackEvent> {
    let events = chronological(events);
    let failed = |stack_level: bool| {
        events
            .iter()
            .copied()
            .find(|e| e.is_stack_level() == stack_level && e.is_failed() && !e.is_cancellation())
    };
    failed(false).or_else(|| failed(true)).or_else(|| {
        events.iter().copied().find(|e| {
            e.is_stack_level()
                && e.status.ends_with("ROLLBACK_IN_PROGRESS")
                && e.reason_line().is_some()
        })
    })
}

/// Why an operation failed, for a person: the root cause first, then what followed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureReport {
    /// None when the events name no failure (they may have been cut short).
    pub root_cause: Option<StackEvent>,
    /// Every other failed event, oldest first: mostly cancellations the root cause caused, and
    /// what a rollback could not undo.
    pub also_failed: Vec<StackEvent>,
    /// What to do now; the caller knows the stack's state and so the way out.
    pub next_step: String,
}

pub fn failure_report(events: &[StackEvent], next_step: &str) -> FailureReport {
    let root = root_cause(events);
    let also_failed = chronological(events)
        .into_iter()
        .filter(|e| e.is_failed() && !root.is_some_and(|r| std::ptr::eq(*e, r)))
        .cloned()
        .collect();
    FailureReport {
        root_cause: root.cloned(),
        also_failed,
        next_step: next_step.to_string(),
    }
}

impl fmt::Display for FailureReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.root_cause {
            Some(e) => {
                writeln!(
                    f,
                    "Root cause: {} ({}) {} at {} UTC",
                    e.logical_id,
                    e.resource_type,
                    e.status,
                    e.timestamp.format("%H:%M:%S")
                )?;
                let reason = e
                    .reason_line()
                    .unwrap_or_else(|| "(CloudFormation gave no reason)".to_string());
                writeln!(f, "  {reason}")?;
            }
            None => writeln!(
                f,
                "Root cause: unknown; the stack's events name no failure."
            )?,
        }
        if !self.also_failed.is_empty() {
            writeln!(f)?;
            writeln!(f, "Also failed:")?;
            for e in &self.also_failed {
                writeln!(f, "  {}", event_line(e))?;
            }
        }
        writeln!(f)?;
        writeln!(f, "Next step: {}", self.next_step)
    }
}

/// Where one operation stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Resources whose latest step completed (or was skipped, as a retained resource is).
    pub done: usize,
    pub total: usize,
    /// Logical ids of resources being worked on, the longest running first.
    pub in_progress: Vec<String>,
    pub failed: usize,
}

/// Counts the resources of one operation's events by each one's latest status. `expected` is
/// the change set's number of changes; it is only a floor for the total, since a replacement
/// or a rollback touches a resource again under the same logical id and an update's cleanup
/// can reach beyond the changes. The stack's own events are not a resource and not counted.
pub fn progress(events: &[StackEvent], expected_resources: usize) -> Progress {
    let mut latest: Vec<&StackEvent> = Vec::new();
    for e in chronological(events) {
        if e.is_stack_level() {
            continue;
        }
        latest.retain(|l| l.logical_id != e.logical_id);
        latest.push(e);
    }
    let count = |suffixes: &[&str]| {
        latest
            .iter()
            .filter(|e| suffixes.iter().any(|s| e.status.ends_with(s)))
            .count()
    };
    Progress {
        done: count(&["_COMPLETE", "_SKIPPED"]),
        total: expected_resources.max(latest.len()),
        in_progress: latest
            .iter()
            .filter(|e| e.status.ends_with("_IN_PROGRESS"))
            .map(|e| e.logical_id.clone())
            .collect(),
        failed: count(&["_FAILED"]),
    }
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} resources done", self.done, self.total)?;
        if !self.in_progress.is_empty() {
            write!(f, "; in progress: {}", self.in_progress.join(", "))?;
        }
        if self.failed > 0 {
            write!(f, "; {} failed", self.failed)?;
        }
        Ok(())
    }
}

/// Wide enough for every resource status up to ROLLBACK_IN_PROGRESS; the rarer, longer ones
/// (UPDATE_ROLLBACK_...) push the rest of their line right.
const STATUS_WIDTH: usize = 20;
/// Wide enough for the template's longest resource, `DeadLetterQueuePolicy
/// (AWS::SQS::QueuePolicy)`, and a stack named like fsx-drt-scheduler.
const RESOURCE_WIDTH: usize = 46;

/// One event as a line, for output that is not a terminal (logs, CI): the time (UTC), the
/// status, the resource and the reason when there is one. Widths are fixed, not measured,
/// since lines are printed as events arrive.
pub fn event_line(e: &StackEvent) -> String {
    let time = e.timestamp.format("%H:%M:%S");
    let resource = format!("{} ({})", e.logical_id, e.resource_type);
    let line = match e.reason_line() {
        Some(reason) => format!(
            "{time}  {:<STATUS_WIDTH$}  {resource:<RESOURCE_WIDTH$}  {reason}",
            e.status
        ),
        None => format!("{time}  {:<STATUS_WIDTH$}  {resource}", e.status),
    };
    line.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::fixtures::{at, ev, FUNCTION, ROLE, RULE, STACK};

    const NO_SUCH_KEY: &str = "Resource handler returned message: 'Error occurred while \
        GetObject. S3 Error Code: NoSuchKey'";

    /// A first deploy whose function's code is missing, oldest first.
    fn rollback_cascade() -> Vec<StackEvent> {
        vec![
            ev(
                0,
                STACK,
                STACK_TYPE,
                "CREATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            ev(2, "FunctionRole", ROLE, "CREATE_IN_PROGRESS", None),
            ev(
                3,
                "FunctionRole",
                ROLE,
                "CREATE_IN_PROGRESS",
                Some("Resource creation Initiated"),
            ),
            ev(18, "FunctionRole", ROLE, "CREATE_COMPLETE", None),
            ev(19, "Function", FUNCTION, "CREATE_IN_PROGRESS", None),
            ev(19, "ScheduleRule", RULE, "CREATE_IN_PROGRESS", None),
            ev(
                20,
                "ScheduleRule",
                RULE,
                "CREATE_IN_PROGRESS",
                Some("Resource creation Initiated"),
            ),
            ev(21, "Function", FUNCTION, "CREATE_FAILED", Some(NO_SUCH_KEY)),
            ev(
                22,
                "ScheduleRule",
                RULE,
                "CREATE_FAILED",
                Some("Resource creation cancelled"),
            ),
            ev(
                22,
                STACK,
                STACK_TYPE,
                "ROLLBACK_IN_PROGRESS",
                Some(
                    "The following resource(s) failed to create: [Function, ScheduleRule]. \
                     Rollback requested by user.",
                ),
            ),
            ev(23, "ScheduleRule", RULE, "DELETE_COMPLETE", None),
            ev(23, "Function", FUNCTION, "DELETE_COMPLETE", None),
            ev(24, "FunctionRole", ROLE, "DELETE_IN_PROGRESS", None),
            ev(26, "FunctionRole", ROLE, "DELETE_COMPLETE", None),
            ev(27, STACK, STACK_TYPE, "ROLLBACK_COMPLETE", None),
        ]
    }

    const NEXT: &str = "put the function's zip at the CodeKey in CodeBucket, then run \
        `fsx-drt deploy` again (it deletes the ROLLBACK_COMPLETE stack first)";

    #[test]
    fn root_cause_is_the_first_real_failure_in_any_order() {
        let oldest_first = rollback_cascade();
        let mut newest_first = oldest_first.clone();
        newest_first.reverse();
        for events in [&oldest_first, &newest_first] {
            let root = root_cause(events).unwrap();
            assert_eq!(root.logical_id, "Function");
            assert_eq!(root.status, "CREATE_FAILED");
        }
        assert_eq!(
            failure_report(&oldest_first, NEXT),
            failure_report(&newest_first, NEXT)
        );
    }

    #[test]
    fn root_cause_ties_do_not_depend_on_input_order() {
        // Two real failures in the same millisecond: the same one wins either way round.
        let a = ev(5, "Alpha", RULE, "CREATE_FAILED", Some("bad rule"));
        let b = ev(5, "Beta", FUNCTION, "CREATE_FAILED", Some("bad function"));
        // A cancellation before them never wins.
        let c = ev(
            4,
            "Gamma",
            ROLE,
            "CREATE_FAILED",
            Some("Resource Creation Canceled"),
        );
        for events in [
            vec![a.clone(), b.clone(), c.clone()],
            vec![c.clone(), b.clone(), a.clone()],
        ] {
            assert_eq!(root_cause(&events).unwrap().logical_id, "Alpha");
        }
    }

    #[test]
    fn root_cause_cases() {
        let stack_failed = ev(
            9,
            STACK,
            STACK_TYPE,
            "UPDATE_ROLLBACK_FAILED",
            Some("The following resource(s) failed to update: [Function]."),
        );
        let cancelled = ev(
            5,
            "Function",
            FUNCTION,
            "UPDATE_FAILED",
            Some("Resource update cancelled"),
        );
        let rolling_back = ev(
            6,
            STACK,
            STACK_TYPE,
            "UPDATE_ROLLBACK_IN_PROGRESS",
            Some("User Initiated"),
        );
        let no_reason = ev(7, "Function", FUNCTION, "DELETE_FAILED", None);
        let cases: Vec<(&str, Vec<StackEvent>, Option<&str>)> = vec![
            ("no events", vec![], None),
            (
                "success has no root cause",
                vec![ev(1, "Function", FUNCTION, "CREATE_COMPLETE", None)],
                None,
            ),
            (
                "only cancellations: nothing to blame",
                vec![cancelled.clone()],
                None,
            ),
            (
                "the stack's failure when no resource failed",
                vec![cancelled.clone(), stack_failed.clone()],
                Some("UPDATE_ROLLBACK_FAILED"),
            ),
            (
                "a resource beats the stack even when later",
                vec![
                    stack_failed.clone(),
                    ev(10, "Rule", RULE, "UPDATE_FAILED", Some("x")),
                ],
                Some("UPDATE_FAILED"),
            ),
            (
                "a cancelled update: the reason the stack rolled back",
                vec![cancelled.clone(), rolling_back.clone()],
                Some("UPDATE_ROLLBACK_IN_PROGRESS"),
            ),
            (
                "a failure without a reason still counts",
                vec![cancelled, no_reason],
                Some("DELETE_FAILED"),
            ),
        ];
        for (name, events, want) in cases {
            assert_eq!(
                root_cause(&events).map(|e| e.status.as_str()),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn cancellations() {
        for (reason, cancelled) in [
            (Some("Resource creation cancelled"), true),
            (Some("Resource update cancelled"), true),
            (Some("Resource deletion CANCELED"), true),
            (Some(NO_SUCH_KEY), false),
            (None, false),
        ] {
            let e = ev(0, "Function", FUNCTION, "CREATE_FAILED", reason);
            assert_eq!(e.is_cancellation(), cancelled, "{reason:?}");
        }
    }

    #[test]
    fn failure_report_puts_the_root_cause_first() {
        let mut events = rollback_cascade();
        events.reverse();
        let report = failure_report(&events, NEXT);
        assert_eq!(report.root_cause.as_ref().unwrap().logical_id, "Function");
        let also: Vec<&str> = report
            .also_failed
            .iter()
            .map(|e| e.logical_id.as_str())
            .collect();
        assert_eq!(also, ["ScheduleRule"]);
        insta::assert_snapshot!("failure_report", report.to_string());
        insta::assert_json_snapshot!("failure_report_json", report);
    }

    #[test]
    fn failure_report_without_a_cause() {
        let report = failure_report(&[], "run `fsx-drt status` to see the stack");
        assert_eq!(report.root_cause, None);
        assert!(report.to_string().starts_with("Root cause: unknown"));
    }

    #[test]
    fn event_lines() {
        let mut events = rollback_cascade();
        // Reasons on several lines still make one line.
        events[7].reason = Some(format!("{NO_SUCH_KEY}\n  (RequestToken: abc)"));
        let lines: Vec<String> = chronological(&events).into_iter().map(event_line).collect();
        assert!(lines.iter().all(|l| !l.ends_with(' ') && !l.contains('\n')));
        insta::assert_snapshot!("event_lines", lines.join("\n"));
    }

    #[test]
    fn chronological_drops_duplicates_and_orders_ties() {
        let start = ev(5, "Function", FUNCTION, "CREATE_IN_PROGRESS", None);
        let end = ev(5, "Function", FUNCTION, "CREATE_COMPLETE", None);
        let rollback = ev(5, STACK, STACK_TYPE, "ROLLBACK_IN_PROGRESS", Some("failed"));
        let other = ev(
            5,
            "Alarm",
            RULE,
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
        );
        let events = [
            rollback.clone(),
            end.clone(),
            start.clone(),
            end.clone(),
            other.clone(),
        ];
        let sorted: Vec<&StackEvent> = chronological(&events);
        assert_eq!(sorted, [&other, &start, &end, &rollback]);
    }

    #[test]
    fn progress_counts_each_resource_by_its_latest_status() {
        let mut events = vec![
            ev(
                0,
                STACK,
                STACK_TYPE,
                "UPDATE_IN_PROGRESS",
                Some("User Initiated"),
            ),
            ev(
                1,
                "LogGroup",
                "AWS::Logs::LogGroup",
                "UPDATE_IN_PROGRESS",
                None,
            ),
            ev(1, "Function", FUNCTION, "UPDATE_IN_PROGRESS", None),
            ev(
                2,
                "AlarmTopic",
                "AWS::SNS::Topic",
                "CREATE_IN_PROGRESS",
                None,
            ),
            ev(
                3,
                "LogGroup",
                "AWS::Logs::LogGroup",
                "UPDATE_COMPLETE",
                None,
            ),
            ev(4, "ScheduleRule", RULE, "UPDATE_IN_PROGRESS", None),
            ev(
                5,
                "AlarmTopic",
                "AWS::SNS::Topic",
                "CREATE_FAILED",
                Some("denied"),
            ),
            ev(6, "OldQueue", "AWS::SQS::Queue", "DELETE_SKIPPED", None),
        ];
        events.reverse();
        let p = progress(&events, 6);
        assert_eq!(
            p,
            Progress {
                done: 2,
                total: 6,
                in_progress: vec!["Function".into(), "ScheduleRule".into()],
                failed: 1,
            }
        );
        assert_eq!(
            p.to_string(),
            "2/6 resources done; in progress: Function, ScheduleRule; 1 failed"
        );
    }

    #[test]
    fn progress_cases() {
        let cascade = rollback_cascade();
        let want = |done, total, in_progress: &[&str], failed| Progress {
            done,
            total,
            in_progress: in_progress.iter().map(|s| s.to_string()).collect(),
            failed,
        };
        let cases: Vec<(&str, &[StackEvent], usize, Progress)> = vec![
            ("nothing yet", &[], 3, want(0, 3, &[], 0)),
            // Every resource rolled back: each one's latest step, a delete, completed.
            ("a finished rollback", &cascade, 3, want(3, 3, &[], 0)),
            (
                "midway through the create",
                &cascade[..7],
                3,
                want(1, 3, &["Function", "ScheduleRule"], 0),
            ),
            ("the failure", &cascade[..9], 3, want(1, 3, &[], 2)),
            // More resources than changes (a cleanup beyond them): the total grows.
            (
                "more resources than expected",
                &cascade,
                1,
                want(3, 3, &[], 0),
            ),
        ];
        for (name, events, expected, want) in cases {
            assert_eq!(progress(events, expected), want, "{name}");
        }
    }

    #[test]
    fn events_serialize_with_rfc3339_times() {
        let mut e = ev(1, "Function", FUNCTION, "CREATE_COMPLETE", None);
        e.timestamp = at(1, 250);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["timestamp"], "2026-03-01T12:00:01.250Z");
    }
}
