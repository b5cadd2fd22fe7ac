//! What deploy and destroy make of a CloudFormation stack: what to do with the stack that is
//! there, the change set in words, progress while it runs, and, when it fails, which failure
//! caused the others.
//!
//! Peers print every event and leave the reader to find the one that matters among the
//! "Resource creation cancelled" it caused; here the root cause comes first. Everything is
//! pure: the command layer turns SDK types into these structs, does the calls and prints.

use std::fmt;
use std::time::Duration;

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

/// Who made a stack, told by its Description (DescribeStacks returns the template's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maker {
    FsxDrt,
    /// The reference solution's template (SO9028), which fsx-drt takes over in place.
    Reference,
    /// Anything else: never fsx-drt's to change, delete or call healthy.
    Other(Option<String>),
}

/// The start of every fsx-drt template's Description: the mark of its stacks.
pub const FSX_DRT_MARK: &str = "fsx-drt:";
/// What the reference solution's template's Description contains.
const REFERENCE_MARK: &str = "Data Repository Task Scheduler (SO9028)";

pub fn maker(description: Option<&str>) -> Maker {
    match description {
        Some(d) if d.trim_start().starts_with(FSX_DRT_MARK) => Maker::FsxDrt,
        Some(d) if d.contains(REFERENCE_MARK) => Maker::Reference,
        other => Maker::Other(other.map(str::to_string)),
    }
}

/// Whether a created change set (status CREATE_COMPLETE) can be executed, by its
/// ExecutionStatus: only AVAILABLE can.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executable {
    Yes,
    /// UNAVAILABLE: CloudFormation may still be getting it ready; ask again.
    Wait,
    No {
        why: &'static str,
    },
}

pub fn change_set_execution(execution_status: &str) -> Executable {
    match execution_status {
        "AVAILABLE" => Executable::Yes,
        "UNAVAILABLE" => Executable::Wait,
        "OBSOLETE" => Executable::No {
            why: "the stack changed after it was made (another deploy or update)",
        },
        "EXECUTE_IN_PROGRESS" | "EXECUTE_COMPLETE" | "EXECUTE_FAILED" => Executable::No {
            why: "someone else has executed it already",
        },
        _ => Executable::No {
            why: "CloudFormation does not offer it for execution",
        },
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

/// What deploy does with the stack that is there before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Existing {
    /// No stack to keep: a CREATE change set.
    Create,
    /// A working stack: an UPDATE change set.
    Update,
    /// A stack CloudFormation won't update and that holds nothing worth keeping: delete it,
    /// then create it again (after the person agrees).
    Recreate { why: String },
    /// Another operation is running: follow it to its end, then decide again.
    Attach,
    /// Only a person can get the stack out of this state.
    ManualAction { why: String, way_out: String },
}

/// Chooses what deploy does from the stack's status (None: there is no stack) and how many
/// resources it holds (those not deleted).
pub fn decide(status: Option<&str>, resource_count: usize, stack_name: &str) -> Existing {
    let Some(status) = status else {
        return Existing::Create;
    };
    let destroy = format!("fsx-drt destroy --stack-name {stack_name}");
    let manual = |why: String, way_out: String| Existing::ManualAction { why, way_out };
    match status {
        // DescribeStacks by id still shows a deleted stack; by name it is simply gone.
        "DELETE_COMPLETE" => Existing::Create,
        // An unexecuted CREATE change set leaves this empty stack, and another deploy may be
        // reviewing its change set right now: create a new change set beside it, as
        // `aws cloudformation deploy` does, rather than deleting someone else's.
        "REVIEW_IN_PROGRESS" if resource_count == 0 => Existing::Create,
        "REVIEW_IN_PROGRESS" => manual(
            format!(
                "stack {stack_name} is REVIEW_IN_PROGRESS yet holds {resource_count} resources, \
                 which CloudFormation should not allow"
            ),
            format!(
                "look at the stack and its change sets in the CloudFormation console; \
                 delete it with `{destroy}` if it is not needed"
            ),
        ),
        // Working stacks. After UPDATE_FAILED (rollback disabled) CloudFormation accepts a
        // new update as the retry.
        "CREATE_COMPLETE"
        | "UPDATE_COMPLETE"
        | "UPDATE_ROLLBACK_COMPLETE"
        | "UPDATE_FAILED"
        | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE" => Existing::Update,
        "ROLLBACK_COMPLETE" => Existing::Recreate {
            why: format!(
                "stack {stack_name} is ROLLBACK_COMPLETE: its creation failed and was rolled \
                 back, and CloudFormation can only delete such a stack, not update it"
            ),
        },
        "CREATE_FAILED" => Existing::Recreate {
            why: format!(
                "stack {stack_name} is CREATE_FAILED: its creation failed with rollback \
                 disabled, so it never worked; deleting it removes what that attempt created"
            ),
        },
        // The deletion a failed creation triggers failed too: what is left needs a person
        // first, or deleting it again fails the same way.
        "ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is ROLLBACK_FAILED: its creation failed and CloudFormation \
                 could not delete everything it had created"
            ),
            format!(
                "fix or remove by hand what the rollback could not delete (the stack's events \
                 say which and why), then run `{destroy}` and deploy again"
            ),
        ),
        "UPDATE_ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is UPDATE_ROLLBACK_FAILED: an update failed and so did its \
                 rollback; CloudFormation won't update it until the rollback finishes"
            ),
            format!(
                "fix what stopped the rollback (the stack's events say which resources and \
                 why), then run `aws cloudformation continue-update-rollback --stack-name \
                 {stack_name}`; add `--resources-to-skip LogicalId` for a resource that cannot \
                 be rolled back (CloudFormation then leaves it as it is, for you to fix). Or \
                 delete the stack with `{destroy}`"
            ),
        ),
        "DELETE_FAILED" => manual(
            format!(
                "stack {stack_name} is DELETE_FAILED: an earlier deletion stopped part way, \
                 and CloudFormation can only delete it now"
            ),
            format!(
                "run `{destroy}` again (the stack's events say what blocked it); if a resource \
                 cannot be deleted, keep it with `{destroy} --retain LogicalId` and remove it \
                 by hand; then deploy again"
            ),
        ),
        "IMPORT_ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is IMPORT_ROLLBACK_FAILED: a resource import failed and so \
                 did its rollback"
            ),
            format!(
                "fix what the stack's events report, then deploy again; if CloudFormation \
                 still refuses, delete the stack with `{destroy}`"
            ),
        ),
        s if s.ends_with("_IN_PROGRESS") => Existing::Attach,
        // A status newer than this code: don't guess what is safe.
        other => manual(
            format!("stack {stack_name} is {other}, a status fsx-drt does not know"),
            "look at the stack in the CloudFormation console; deploy again once it is \
             CREATE_COMPLETE or UPDATE_COMPLETE"
                .to_string(),
        ),
    }
}

/// One change-set change: what happens to one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Add, Modify, Remove, Import or Dynamic, as CloudFormation says.
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// For Modify: True, False or Conditional, as CloudFormation says.
    pub replacement: Option<String>,
}

impl Change {
    /// Replacement in words; "-" when it doesn't apply (adds, removes).
    fn replacement_word(&self) -> String {
        match self.replacement.as_deref() {
            None => "-".to_string(),
            Some("True") => "yes".to_string(),
            Some("False") => "no".to_string(),
            Some(other) => other.to_lowercase(),
        }
    }
}

/// A parameter whose value changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterChange {
    pub name: String,
    /// None: the stack didn't have it.
    pub old: Option<String>,
    pub new: String,
}

/// The parameters whose values differ, in the order of `new`. A parameter that is no longer
/// passed is not listed: it takes the template's default, and the resource changes show
/// whether that matters.
pub fn parameter_changes(
    old: &[(String, String)],
    new: &[(String, String)],
) -> Vec<ParameterChange> {
    new.iter()
        .filter_map(|(name, value)| {
            let before = old.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            (before != Some(value)).then(|| ParameterChange {
                name: name.clone(),
                old: before.cloned(),
                new: value.clone(),
            })
        })
        .collect()
}

/// A change set in words: what happens to each resource and parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeSetSummary {
    pub changes: Vec<Change>,
    pub parameters: Vec<ParameterChange>,
}

impl ChangeSetSummary {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.parameters.is_empty()
    }
}

impl fmt::Display for ChangeSetSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "No changes: the stack already matches.");
        }
        if self.changes.is_empty() {
            writeln!(f, "No resource changes.")?;
        } else {
            let rows: Vec<[String; 4]> = self
                .changes
                .iter()
                .map(|c| {
                    [
                        c.action.clone(),
                        c.logical_id.clone(),
                        c.resource_type.clone(),
                        c.replacement_word(),
                    ]
                })
                .collect();
            let header = ["ACTION", "LOGICAL ID", "TYPE", "REPLACEMENT"].map(str::to_string);
            let widths: Vec<usize> = (0..4)
                .map(|i| {
                    std::iter::once(&header)
                        .chain(&rows)
                        .map(|r| r[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            for row in std::iter::once(&header).chain(&rows) {
                let line = format!(
                    "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                    row[0],
                    row[1],
                    row[2],
                    row[3],
                    w0 = widths[0],
                    w1 = widths[1],
                    w2 = widths[2],
                );
                writeln!(f, "{}", line.trim_end())?;
            }
        }
        if !self.parameters.is_empty() {
            writeln!(f)?;
            writeln!(f, "Parameters:")?;
            let width = self
                .parameters
                .iter()
                .map(|p| p.name.chars().count() + 1)
                .max()
                .unwrap_or(0);
            for p in &self.parameters {
                let name = format!("{}:", p.name);
                match &p.old {
                    Some(old) => writeln!(f, "  {name:<width$}  {old} -> {}", p.new)?,
                    None => writeln!(f, "  {name:<width$}  {} (new)", p.new)?,
                }
            }
        }
        Ok(())
    }
}

/// Whether a failed change set's reason only says there was nothing to change, which deploy
/// reports as success. CloudFormation words it two ways, depending on the path taken.
pub fn is_no_changes_reason(reason: &str) -> bool {
    let reason = reason.to_lowercase().replace('\u{2019}', "'");
    reason.contains("didn't contain changes")
        || reason.contains("did not contain changes")
        || reason.contains("no updates are to be performed")
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
    use chrono::TimeZone;

    /// An event at 12:00:00 UTC plus `secs` (and `millis`).
    fn at(secs: u32, millis: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
            + chrono::Duration::seconds(secs.into())
            + chrono::Duration::milliseconds(millis.into())
    }

    fn ev(secs: u32, logical_id: &str, ty: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            event_id: format!("{logical_id}-{status}-{secs}"),
            timestamp: at(secs, 0),
            logical_id: logical_id.to_string(),
            resource_type: ty.to_string(),
            status: status.to_string(),
            reason: reason.map(str::to_string),
            physical_id: None,
            client_request_token: None,
        }
    }

    const STACK: &str = "fsx-drt-scheduler";

    #[test]
    fn stacks_are_told_apart_by_their_description() {
        let ours = crate::template::template_json()["Description"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(maker(Some(&ours)), Maker::FsxDrt);
        assert_eq!(
            maker(Some(
                "Deployment for FSx for Lustre Data Repository Task Scheduler (SO9028)."
            )),
            Maker::Reference
        );
        assert_eq!(
            maker(Some("Our web shop")),
            Maker::Other(Some("Our web shop".into()))
        );
        assert_eq!(maker(None), Maker::Other(None));
    }

    #[test]
    fn only_an_available_change_set_is_executed() {
        assert_eq!(change_set_execution("AVAILABLE"), Executable::Yes);
        assert_eq!(change_set_execution("UNAVAILABLE"), Executable::Wait);
        for status in ["OBSOLETE", "EXECUTE_COMPLETE", "EXECUTE_FAILED", ""] {
            assert!(
                matches!(change_set_execution(status), Executable::No { .. }),
                "{status}"
            );
        }
    }

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
    const ROLE: &str = "AWS::IAM::Role";
    const FUNCTION: &str = "AWS::Lambda::Function";
    const RULE: &str = "AWS::Events::Rule";
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
    fn decide_every_status() {
        #[derive(Debug, PartialEq)]
        enum Want {
            Create,
            Update,
            Recreate,
            Attach,
            Manual(&'static str),
        }
        let cases = [
            (None, 0, Want::Create),
            (Some("DELETE_COMPLETE"), 0, Want::Create),
            (Some("REVIEW_IN_PROGRESS"), 0, Want::Create),
            (Some("REVIEW_IN_PROGRESS"), 2, Want::Manual("console")),
            (Some("CREATE_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_ROLLBACK_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_FAILED"), 12, Want::Update),
            (Some("IMPORT_COMPLETE"), 12, Want::Update),
            (Some("IMPORT_ROLLBACK_COMPLETE"), 12, Want::Update),
            (Some("ROLLBACK_COMPLETE"), 0, Want::Recreate),
            (Some("CREATE_FAILED"), 3, Want::Recreate),
            (Some("ROLLBACK_FAILED"), 1, Want::Manual("fsx-drt destroy")),
            (
                Some("UPDATE_ROLLBACK_FAILED"),
                12,
                Want::Manual("continue-update-rollback --stack-name fsx-drt-scheduler"),
            ),
            (Some("DELETE_FAILED"), 4, Want::Manual("--retain LogicalId")),
            (
                Some("IMPORT_ROLLBACK_FAILED"),
                12,
                Want::Manual("fsx-drt destroy"),
            ),
            (Some("CREATE_IN_PROGRESS"), 0, Want::Attach),
            (Some("UPDATE_IN_PROGRESS"), 12, Want::Attach),
            (
                Some("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
                12,
                Want::Attach,
            ),
            (Some("UPDATE_ROLLBACK_IN_PROGRESS"), 12, Want::Attach),
            (Some("ROLLBACK_IN_PROGRESS"), 3, Want::Attach),
            (Some("DELETE_IN_PROGRESS"), 3, Want::Attach),
            (Some("IMPORT_IN_PROGRESS"), 3, Want::Attach),
            (Some("IMPORT_ROLLBACK_IN_PROGRESS"), 3, Want::Attach),
            (
                Some("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
                12,
                Want::Attach,
            ),
            (Some("SOMETHING_NEW"), 3, Want::Manual("console")),
        ];
        for (status, resources, want) in cases {
            let got = match decide(status, resources, STACK) {
                Existing::Create => Want::Create,
                Existing::Update => Want::Update,
                Existing::Recreate { why } => {
                    assert!(why.contains(status.unwrap()), "{why}");
                    Want::Recreate
                }
                Existing::Attach => Want::Attach,
                Existing::ManualAction { why, way_out } => {
                    assert!(why.contains(status.unwrap()), "{why}");
                    assert!(why.contains(STACK), "{why}");
                    match want {
                        Want::Manual(needle) => {
                            assert!(way_out.contains(needle), "{status:?}: {way_out}");
                            Want::Manual(needle)
                        }
                        _ => Want::Manual(""),
                    }
                }
            };
            assert_eq!(got, want, "{status:?} with {resources} resources");
        }
    }

    #[test]
    fn parameter_changes_only_what_differs() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        let old = pairs(&[
            ("Schedule", "cron(0 0/6 * * ? *)"),
            ("TaskType", "Export"),
            ("ReleaseAfterDays", "30"),
        ]);
        let new = pairs(&[
            ("Schedule", "rate(1 hour)"),
            ("TaskType", "Export"),
            ("EmailAddress", "ops@example.com"),
        ]);
        assert_eq!(
            parameter_changes(&old, &new),
            [
                ParameterChange {
                    name: "Schedule".into(),
                    old: Some("cron(0 0/6 * * ? *)".into()),
                    new: "rate(1 hour)".into(),
                },
                ParameterChange {
                    name: "EmailAddress".into(),
                    old: None,
                    new: "ops@example.com".into(),
                },
            ]
        );
        assert_eq!(parameter_changes(&old, &old), []);
    }

    fn change(action: &str, logical_id: &str, ty: &str, replacement: Option<&str>) -> Change {
        Change {
            action: action.into(),
            logical_id: logical_id.into(),
            resource_type: ty.into(),
            replacement: replacement.map(str::to_string),
        }
    }

    #[test]
    fn change_set_table() {
        let summary = ChangeSetSummary {
            changes: vec![
                change("Add", "FailedTaskAlarm", "AWS::CloudWatch::Alarm", None),
                change("Modify", "Function", FUNCTION, Some("False")),
                change("Modify", "ScheduleRule", RULE, Some("Conditional")),
                change("Modify", "DeadLetterQueue", "AWS::SQS::Queue", Some("True")),
                change("Remove", "OldAlarm", "AWS::CloudWatch::Alarm", None),
            ],
            parameters: vec![
                ParameterChange {
                    name: "Schedule".into(),
                    old: Some("cron(0 0/6 * * ? *)".into()),
                    new: "rate(1 hour)".into(),
                },
                ParameterChange {
                    name: "CodeKey".into(),
                    old: Some("fsx-drt/lambda-1a2b3c.zip".into()),
                    new: "fsx-drt/lambda-4d5e6f.zip".into(),
                },
                ParameterChange {
                    name: "ReleaseAfterDays".into(),
                    old: None,
                    new: "7".into(),
                },
            ],
        };
        let text = summary.to_string();
        assert!(text.lines().all(|l| !l.ends_with(' ')));
        insta::assert_snapshot!("change_set_table", text);
    }

    #[test]
    fn change_set_without_changes() {
        let empty = ChangeSetSummary {
            changes: vec![],
            parameters: vec![],
        };
        assert_eq!(
            empty.to_string(),
            "No changes: the stack already matches.\n"
        );
        let only_parameters = ChangeSetSummary {
            changes: vec![],
            parameters: vec![ParameterChange {
                name: "Paths".into(),
                old: Some("/".into()),
                new: "/a /b".into(),
            }],
        };
        assert_eq!(
            only_parameters.to_string(),
            "No resource changes.\n\nParameters:\n  Paths:  / -> /a /b\n"
        );
    }

    #[test]
    fn no_changes_reasons() {
        for (reason, none) in [
            (
                "The submitted information didn't contain changes. Submit different \
                 information to create a change set.",
                true,
            ),
            ("No updates are to be performed.", true),
            (
                "The submitted information didn\u{2019}t contain changes.",
                true,
            ),
            ("no updates are to be performed", true),
            (
                "Template format error: Unresolved resource dependencies",
                false,
            ),
            ("", false),
        ] {
            assert_eq!(is_no_changes_reason(reason), none, "{reason}");
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

    #[test]
    fn events_serialize_with_rfc3339_times() {
        let mut e = ev(1, "Function", FUNCTION, "CREATE_COMPLETE", None);
        e.timestamp = at(1, 250);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["timestamp"], "2026-03-01T12:00:01.250Z");
    }
}
