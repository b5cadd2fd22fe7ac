//! Where a stack operation stands: whether a status is the end, which events are the
//! operation's own, the event that ends it, and how long to wait between polls.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::events::StackEvent;

/// Whether a stack in this status has stopped: no operation is running on it. `UPDATE_FAILED`
/// (like `CREATE_FAILED`) is where a stack stops when its rollback is disabled.
pub fn is_terminal(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE"
            | "CREATE_FAILED"
            | "ROLLBACK_COMPLETE"
            | "ROLLBACK_FAILED"
            | "DELETE_COMPLETE"
            | "DELETE_FAILED"
            | "UPDATE_COMPLETE"
            | "UPDATE_FAILED"
            | "UPDATE_ROLLBACK_COMPLETE"
            | "UPDATE_ROLLBACK_FAILED"
            | "IMPORT_COMPLETE"
            | "IMPORT_ROLLBACK_COMPLETE"
            | "IMPORT_ROLLBACK_FAILED"
    )
}

/// What a follow is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A change set fsx-drt has just executed.
    Deploy,
    /// A deletion fsx-drt has just asked for.
    Delete,
    /// An operation already in progress when fsx-drt came (`deleting`: a deletion).
    Attach { deleting: bool },
}

impl Operation {
    pub fn deleting(self) -> bool {
        matches!(
            self,
            Operation::Delete | Operation::Attach { deleting: true }
        )
    }
}

/// A status that starts a stack operation (not a step within one, like a rollback).
fn starts_operation(status: &str, operation: Operation) -> bool {
    match operation {
        Operation::Delete => status == "DELETE_IN_PROGRESS",
        _ => matches!(
            status,
            "CREATE_IN_PROGRESS"
                | "UPDATE_IN_PROGRESS"
                | "DELETE_IN_PROGRESS"
                | "IMPORT_IN_PROGRESS"
        ),
    }
}

/// Which events belong to the operation being followed. Never the local clock: a laptop
/// minutes ahead of AWS (SigV4 accepts five) would miss its own operation's start, so AWS's
/// timestamps are only compared with AWS's own times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The ClientRequestToken fsx-drt passed to ExecuteChangeSet or DeleteStack: every event
    /// of that operation carries it, and no other event does.
    Token(String),
    /// An operation someone else started: events from the stack's own time for it on
    /// (LastUpdatedTime, CreationTime or DeletionTime, from DescribeStacks).
    Since(DateTime<Utc>),
}

impl Selector {
    pub fn keeps(&self, event: &StackEvent) -> bool {
        match self {
            Selector::Token(token) => event.client_request_token.as_deref() == Some(token),
            Selector::Since(start) => event.timestamp >= *start,
        }
    }
}

/// A unique ClientRequestToken for a stack operation fsx-drt starts (`[a-zA-Z0-9-]`, at
/// most 128 characters). The local clock only makes it unique; nothing compares it.
pub fn request_token(verb: &str) -> String {
    let now = Utc::now();
    format!(
        "fsx-drt-{verb}-{}-{}-{}",
        now.format("%Y%m%dT%H%M%S"),
        std::process::id(),
        now.timestamp_subsec_nanos()
    )
}

/// The stack's own time for the operation it is in (for attaching to it): DeletionTime while
/// deleting, else LastUpdatedTime, else CreationTime. None when CloudFormation gave none.
pub fn operation_started(
    deleting: bool,
    creation: Option<DateTime<Utc>>,
    last_updated: Option<DateTime<Utc>>,
    deletion: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    if deleting {
        deletion.or(last_updated).or(creation)
    } else {
        last_updated.or(creation)
    }
}

/// The stack event that ends the operation being followed, if it has ended. `events` are
/// the operation's own (see [`Selector`]), in chronological order: only an end after the
/// operation's start counts, and a deletion ends only in DELETE_*. For an operation already
/// in progress, its start may no longer be in view, so then the first end counts.
pub fn operation_end<'a>(
    events: &'a [StackEvent],
    stack_name: &str,
    operation: Operation,
) -> Option<&'a StackEvent> {
    let ours = |e: &StackEvent| e.is_stack_level() && e.logical_id == stack_name;
    let start = events
        .iter()
        .rposition(|e| ours(e) && starts_operation(&e.status, operation));
    let from = match (start, operation) {
        (Some(i), _) => i + 1,
        (None, Operation::Attach { .. }) => 0,
        (None, _) => return None,
    };
    events[from..].iter().find(|e| {
        ours(e)
            && is_terminal(&e.status)
            && (!operation.deleting() || e.status.starts_with("DELETE_"))
    })
}

/// Whether a terminal status means the operation did what was asked. A rollback that
/// completed (`*ROLLBACK_COMPLETE`) left a working stack but is still a failed deploy. A
/// deleted stack may instead vanish from DescribeStacks by name; the caller counts that too.
pub fn is_success(status: &str, deleting: bool) -> bool {
    if deleting {
        status == "DELETE_COMPLETE"
    } else {
        matches!(
            status,
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
        )
    }
}

/// The usual pause between polls of the stack's events: quick enough to feel live, slow
/// enough to leave DescribeStackEvents' rate for others.
const POLL: Duration = Duration::from_secs(1);
/// The longest pause while throttled: a deploy's progress is still worth seeing.
const THROTTLED_CAP: Duration = Duration::from_secs(20);

/// How long to wait before the next poll. `throttled` is how many polls in a row were
/// throttled (0: the last one wasn't); `jitter` is a random number in 0..1 from the caller, so
/// pollers sharing an account spread out. Unthrottled: 1 to 2 s. Throttled: doubling from 2 s
/// up to the cap, waiting at least half of it ("equal jitter"), so a throttled poller always
/// backs off.
pub fn next_poll_delay(throttled: u32, jitter: f64) -> Duration {
    let jitter = if jitter.is_nan() {
        0.0
    } else {
        jitter.clamp(0.0, 1.0)
    };
    if throttled == 0 {
        return POLL.mul_f64(1.0 + jitter);
    }
    let ceiling = POLL
        .saturating_mul(1 << throttled.min(16))
        .min(THROTTLED_CAP);
    let half = ceiling / 2;
    half + half.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::fixtures::{at, ev, FUNCTION, STACK};
    use crate::stack::STACK_TYPE;

    /// Events are chosen by the operation's token, or by the stack's own start time, never by
    /// the local clock: these events are from 2026, whatever today is.
    #[test]
    fn an_operation_s_events_are_chosen_by_token_or_the_stack_s_own_time() {
        let tagged = |secs, token: Option<&str>| StackEvent {
            client_request_token: token.map(str::to_string),
            ..ev(secs, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", None)
        };
        let mine = Selector::Token("fsx-drt-deploy-1".into());
        assert!(mine.keeps(&tagged(5, Some("fsx-drt-deploy-1"))));
        assert!(!mine.keeps(&tagged(5, Some("fsx-drt-deploy-2"))));
        assert!(!mine.keeps(&tagged(5, None)));
        let since = Selector::Since(at(5, 0));
        assert!(since.keeps(&tagged(5, None)));
        assert!(since.keeps(&tagged(6, Some("someone-else"))));
        assert!(!since.keeps(&tagged(4, None)));

        // The stack's own time for each kind of operation.
        let (created, updated, deleted) = (Some(at(1, 0)), Some(at(2, 0)), Some(at(3, 0)));
        assert_eq!(operation_started(false, created, None, None), created);
        assert_eq!(operation_started(false, created, updated, None), updated);
        assert_eq!(operation_started(true, created, updated, deleted), deleted);
        assert_eq!(operation_started(true, None, None, None), None);

        // Tokens are unique and within CloudFormation's pattern and length.
        let (a, b) = (request_token("deploy"), request_token("deploy"));
        assert_ne!(a, b);
        for token in [a, b] {
            assert!(token.len() <= 128, "{token}");
            assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        }
    }

    /// Attached to an operation whose start is in view (the stack's own time can take in
    /// the end of the operation just before): the end after that start counts.
    #[test]
    fn attaching_skips_an_earlier_end_when_the_start_is_in_view() {
        let stack = |secs, status| ev(secs, STACK, STACK_TYPE, status, None);
        let events = vec![
            stack(1, "UPDATE_COMPLETE"),
            stack(1, "UPDATE_IN_PROGRESS"),
            stack(9, "UPDATE_ROLLBACK_COMPLETE"),
        ];
        let end = operation_end(&events[..2], STACK, Operation::Attach { deleting: false });
        assert_eq!(end, None);
        let end = operation_end(&events, STACK, Operation::Attach { deleting: false });
        assert_eq!(
            end.map(|e| e.status.as_str()),
            Some("UPDATE_ROLLBACK_COMPLETE")
        );
    }

    #[test]
    fn the_end_of_an_earlier_operation_is_not_the_end_of_this_one() {
        let stack = |secs, status| ev(secs, STACK, STACK_TYPE, status, None);
        let status_of =
            |events: &[StackEvent], op| operation_end(events, STACK, op).map(|e| e.status.clone());
        // A deploy ended 4 s before destroy began; its start is outside the window.
        let mut events = vec![stack(10, "CREATE_COMPLETE")];
        assert_eq!(status_of(&events, Operation::Delete), None);
        events.push(stack(14, "DELETE_IN_PROGRESS"));
        assert_eq!(status_of(&events, Operation::Delete), None);
        events.push(stack(20, "DELETE_COMPLETE"));
        assert_eq!(
            status_of(&events, Operation::Delete).as_deref(),
            Some("DELETE_COMPLETE")
        );

        // A quick update started and ended inside the window, then this one.
        let mut events = vec![stack(1, "UPDATE_IN_PROGRESS"), stack(3, "UPDATE_COMPLETE")];
        events.push(stack(5, "UPDATE_IN_PROGRESS"));
        assert_eq!(status_of(&events, Operation::Deploy), None);
        events.push(stack(6, "UPDATE_ROLLBACK_IN_PROGRESS"));
        events.push(stack(9, "UPDATE_ROLLBACK_COMPLETE"));
        assert_eq!(
            status_of(&events, Operation::Deploy).as_deref(),
            Some("UPDATE_ROLLBACK_COMPLETE")
        );

        // Attached to an operation that began long ago: its start is never seen.
        let events = vec![
            stack(1, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
            stack(2, "UPDATE_COMPLETE"),
        ];
        assert_eq!(
            status_of(&events, Operation::Attach { deleting: false }).as_deref(),
            Some("UPDATE_COMPLETE")
        );
        // Another resource's or stack's terminal event is not the end.
        let events = vec![
            stack(1, "CREATE_IN_PROGRESS"),
            ev(2, "Function", FUNCTION, "CREATE_COMPLETE", None),
            ev(3, "other-stack", STACK_TYPE, "CREATE_COMPLETE", None),
        ];
        assert_eq!(status_of(&events, Operation::Deploy), None);
    }

    #[test]
    fn terminal_and_success() {
        // (status, terminal, success when deploying, success when deleting)
        let cases = [
            ("CREATE_IN_PROGRESS", false, false, false),
            ("CREATE_COMPLETE", true, true, false),
            ("CREATE_FAILED", true, false, false),
            ("ROLLBACK_IN_PROGRESS", false, false, false),
            ("ROLLBACK_COMPLETE", true, false, false),
            ("ROLLBACK_FAILED", true, false, false),
            ("DELETE_IN_PROGRESS", false, false, false),
            ("DELETE_COMPLETE", true, false, true),
            ("DELETE_FAILED", true, false, false),
            ("UPDATE_IN_PROGRESS", false, false, false),
            ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", false, false, false),
            ("UPDATE_COMPLETE", true, true, false),
            ("UPDATE_FAILED", true, false, false),
            ("UPDATE_ROLLBACK_IN_PROGRESS", false, false, false),
            (
                "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                false,
                false,
                false,
            ),
            ("UPDATE_ROLLBACK_COMPLETE", true, false, false),
            ("UPDATE_ROLLBACK_FAILED", true, false, false),
            ("REVIEW_IN_PROGRESS", false, false, false),
            ("IMPORT_IN_PROGRESS", false, false, false),
            ("IMPORT_COMPLETE", true, true, false),
            ("IMPORT_ROLLBACK_COMPLETE", true, false, false),
            ("IMPORT_ROLLBACK_FAILED", true, false, false),
        ];
        for (status, terminal, deployed, deleted) in cases {
            assert_eq!(is_terminal(status), terminal, "{status}");
            assert_eq!(is_success(status, false), deployed, "{status}");
            assert_eq!(is_success(status, true), deleted, "{status}");
        }
    }

    #[test]
    fn poll_delays() {
        let ms = |d: Duration| d.as_millis();
        // (throttled in a row, jitter, delay in ms)
        let cases = [
            (0, 0.0, 1_000),
            (0, 0.5, 1_500),
            (0, 1.0, 2_000),
            (0, 7.0, 2_000),
            (0, f64::NAN, 1_000),
            (1, 0.0, 1_000),
            (1, 1.0, 2_000),
            (2, 0.0, 2_000),
            (3, 0.5, 6_000),
            (4, 1.0, 16_000),
            (5, 0.0, 10_000),
            (5, 1.0, 20_000),
            (u32::MAX, 1.0, 20_000),
            (u32::MAX, -3.0, 10_000),
        ];
        for (throttled, jitter, want) in cases {
            assert_eq!(
                ms(next_poll_delay(throttled, jitter)),
                want,
                "{throttled} {jitter}"
            );
        }
        // Throttled waits grow (at their least) and never pass the cap.
        let floors: Vec<Duration> = (1..10).map(|n| next_poll_delay(n, 0.0)).collect();
        assert!(floors.windows(2).all(|w| w[0] <= w[1]));
        assert!((0..40).all(|n| next_poll_delay(n, 1.0) <= THROTTLED_CAP));
    }
}
