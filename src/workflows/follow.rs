//! Following a stack operation: DescribeStackEvents every second or two (never the SDK's
//! 30-second waiters), backing off with jitter when throttled; a progress bar on a terminal,
//! one line per event otherwise; the root cause first when it fails.

use std::collections::HashSet;
use std::time::Duration;

use chrono::DateTime;

use super::poll::Poll;
use super::session::Session;
use crate::aws::{ErrorKind, StackView};
use crate::error::{Exit, Failure};
use crate::stack::{self, Operation, Selector, StackEvent};

/// The stack operation to follow.
#[derive(Debug, Clone)]
pub struct Followed {
    pub operation: Operation,
    /// How its events are told from those of other operations.
    pub events: Selector,
    /// The number of resources it touches (for the progress bar; 0 when unknown).
    pub expected: usize,
    /// The stack's StackId, when known: events are read by it, so another stack made under
    /// the same name meanwhile (a concurrent deploy) is never followed instead.
    pub stack_id: Option<String>,
}

impl Followed {
    /// Attaches to whatever operation the stack is in (`status --watch`, or a deploy that
    /// finds it busy): its events since that operation started.
    pub fn attach(stack: &StackView) -> Followed {
        let deleting = stack.status.starts_with("DELETE");
        let since = stack::operation_started(deleting, stack.created, stack.updated, stack.deleted);
        Followed {
            operation: Operation::Attach { deleting },
            events: Selector::Since(since.unwrap_or(DateTime::UNIX_EPOCH)),
            expected: 0,
            stack_id: stack.id.clone(),
        }
    }
}

/// How a followed operation ended.
#[derive(Debug)]
pub enum End {
    /// CREATE_COMPLETE, UPDATE_COMPLETE, DELETE_COMPLETE, ...
    Succeeded(String),
    /// ROLLBACK_COMPLETE, DELETE_FAILED, ...: the status, and the failure to report (the
    /// root cause first, and the next step).
    Failed { status: String, failure: Failure },
}

impl End {
    /// The final status when it succeeded, else the failure.
    pub fn succeeded(self) -> Result<String, Failure> {
        match self {
            End::Succeeded(status) => Ok(status),
            End::Failed { failure, .. } => Err(failure),
        }
    }
}

/// Follows the stack's operation to its end and says how it ended. When the interrupt is
/// raised it stops following (exit 130) and leaves the stack alone.
pub async fn follow(
    session: &Session<'_>,
    stack_name: &str,
    followed: &Followed,
    timeout: Duration,
) -> Result<End, Failure> {
    let Followed {
        operation,
        events: selector,
        expected,
        stack_id,
    } = followed;
    let (operation, expected) = (*operation, *expected);
    let stack = stack_id.as_deref().unwrap_or(stack_name);
    let mut poll = Poll::new(
        timeout,
        session,
        reattach(stack_name),
        "{spinner} {pos}/{len} resources done, {elapsed} {wide_msg}",
    );
    if let Some(bar) = &poll.bar {
        bar.set_length(expected.max(1) as u64);
    }
    let mut seen = HashSet::new();
    let mut events: Vec<StackEvent> = Vec::new();
    let stopped = format!("stopped following stack {stack_name}; its operation goes on");
    loop {
        poll.check_deadline(&format!("stack {stack_name} is still in progress"))?;
        let page = poll
            .during(&stopped, session.aws.stack_events(stack))
            .await?;
        match page {
            Ok(page) => {
                poll.throttled = 0;
                let page: Vec<StackEvent> = page
                    .into_iter()
                    .filter(|e| selector.keeps(e) && seen.insert(e.event_id.clone()))
                    .collect();
                // Oldest first, ties in the order CloudFormation made them.
                let fresh: Vec<StackEvent> =
                    stack::chronological(&page).into_iter().cloned().collect();
                for event in &fresh {
                    session.ui.info(&stack::event_line(event));
                }
                events.extend(fresh);
                if let Some(bar) = &poll.bar {
                    let progress = stack::progress(&events, expected);
                    bar.set_length(progress.total.max(1) as u64);
                    bar.set_position(progress.done as u64);
                    bar.set_message(if progress.in_progress.is_empty() {
                        String::new()
                    } else {
                        format!("in progress: {}", progress.in_progress.join(", "))
                    });
                }
                if let Some(end) = stack::operation_end(&events, stack_name, operation) {
                    poll.finish();
                    let status = end.status.clone();
                    if stack::is_success(&status, operation.deleting()) {
                        return Ok(End::Succeeded(status));
                    }
                    let next = next_step(&status, stack_name);
                    let report = stack::failure_report(&events, &next);
                    let failure = Failure {
                        detail: Some(report.to_string()),
                        ..Failure::new(
                            Exit::Failed,
                            format!("stack {stack_name} ended {status}"),
                            None,
                        )
                    };
                    return Ok(End::Failed { status, failure });
                }
            }
            // Deleted so fast that the stack is gone before its events were read.
            Err(e) if operation.deleting() && e.is(&ErrorKind::NotFound) => {
                poll.finish();
                return Ok(End::Succeeded("DELETE_COMPLETE".to_string()));
            }
            Err(e) if e.is(&ErrorKind::Throttled) => poll.throttled += 1,
            Err(e) => {
                poll.abandon();
                let failure = Failure::from(e);
                let help = format!(
                    "{}; the stack operation goes on without fsx-drt watching: {}",
                    failure.help.as_deref().unwrap_or_default(),
                    poll.again()
                );
                return Err(Failure {
                    help: Some(help),
                    ..failure
                });
            }
        }
        poll.pause(&stopped).await?;
    }
}

/// Deletes the stack (keeping `retain`, which CloudFormation allows only after a deletion
/// failed) and follows the deletion to its end. `stack` is its name and, when known, its
/// StackId, by which it is deleted and followed (never another stack of the same name);
/// `role_arn`: the service role CloudFormation deletes with, when one is given.
pub async fn delete(
    session: &Session<'_>,
    (stack_name, stack_id): (&str, Option<&str>),
    retain: &[String],
    role_arn: Option<&str>,
    timeout: Duration,
) -> Result<End, Failure> {
    let token = stack::request_token("delete");
    let request =
        session
            .aws
            .delete_stack(stack_id.unwrap_or(stack_name), retain, &token, role_arn);
    session
        .interrupt
        .until_or(interrupted(stack_name, "deletion"), async {
            request.await.map_err(Failure::from)
        })
        .await?;
    let followed = Followed {
        operation: Operation::Delete,
        events: Selector::Token(token),
        expected: 0,
        stack_id: stack_id.map(str::to_string),
    };
    follow(session, stack_name, &followed, timeout).await
}

/// How to pick up following a stack operation fsx-drt stopped watching.
fn reattach(stack_name: &str) -> String {
    format!("re-attach with `fsx-drt status --watch --stack-name {stack_name}`")
}

/// Ctrl-C once a stack operation may have been asked for: exit 130, and how to follow it.
pub fn interrupted(stack_name: &str, operation: &str) -> Failure {
    Failure::new(
        Exit::Interrupted,
        format!("interrupted; the {operation} of stack {stack_name} may have started, and goes on if it did"),
        Some(reattach(stack_name)),
    )
}

/// What to do after the stack ended in a failed state.
fn next_step(status: &str, stack_name: &str) -> String {
    match status {
        "ROLLBACK_COMPLETE" => format!(
            "fix the root cause, then run fsx-drt deploy again: it deletes the empty stack {stack_name} and creates it anew"
        ),
        "UPDATE_ROLLBACK_COMPLETE" => {
            "the stack is back as it was; fix the root cause and deploy again".to_string()
        }
        "UPDATE_ROLLBACK_FAILED" => format!(
            "continue the rollback: `aws cloudformation continue-update-rollback --stack-name {stack_name}` (add --resources-to-skip for resources that cannot roll back), then deploy again"
        ),
        "DELETE_FAILED" => format!(
            "fix the root cause and run fsx-drt destroy --stack-name {stack_name} again, or retain the resource that cannot be deleted"
        ),
        _ => "fix the root cause, then run the command again".to_string(),
    }
}
