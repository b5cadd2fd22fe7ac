//! Following a stack operation: DescribeStackEvents every second or two (never the SDK's
//! 30-second waiters), backing off with jitter when throttled; a progress bar on a terminal,
//! one line per event otherwise; the root cause first when it fails.

use std::collections::HashSet;
use std::time::Duration;

use chrono::DateTime;

use crate::aws::{error_kind, failed, Aws, ErrorKind};
use crate::commands::poll::Poll;
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::output::Printer;
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
    /// An operation someone else started, as DescribeStacks shows the stack now.
    pub fn attach(stack: &aws_sdk_cloudformation::types::Stack) -> Followed {
        let deleting = stack
            .stack_status()
            .is_some_and(|s| s.as_str().starts_with("DELETE"));
        let time = |t: Option<&aws_sdk_cloudformation::primitives::DateTime>| {
            t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        };
        let since = stack::operation_started(
            deleting,
            time(stack.creation_time()),
            time(stack.last_updated_time()),
            time(stack.deletion_time()),
        );
        Followed {
            operation: Operation::Attach { deleting },
            events: Selector::Since(since.unwrap_or(DateTime::UNIX_EPOCH)),
            expected: 0,
            stack_id: stack.stack_id().map(str::to_string),
        }
    }
}

/// Follows the stack's operation to its end and returns the final status. When `interrupt`
/// is raised it stops following (exit 130) and leaves the stack alone.
pub async fn follow(
    aws: &Aws,
    stack_name: &str,
    followed: &Followed,
    timeout: Duration,
    interrupt: &Interrupt,
    printer: &Printer,
) -> Result<String, Failure> {
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
        interrupt,
        reattach(stack_name),
        "{spinner} {pos}/{len} resources done, {elapsed} {wide_msg}",
        printer,
    );
    if let Some(bar) = &poll.bar {
        bar.set_length(expected.max(1) as u64);
    }
    let mut seen = HashSet::new();
    let mut events: Vec<StackEvent> = Vec::new();
    let stopped = format!("stopped following stack {stack_name}; its operation goes on");
    loop {
        poll.check_deadline(&format!("stack {stack_name} is still in progress"))?;
        let request = aws
            .cloudformation
            .describe_stack_events()
            .stack_name(stack)
            .send();
        let page = poll.during(&stopped, request).await?;
        match page {
            Ok(page) => {
                poll.throttled = 0;
                let page: Vec<StackEvent> = page
                    .stack_events()
                    .iter()
                    .filter_map(convert)
                    .filter(|e| selector.keeps(e) && seen.insert(e.event_id.clone()))
                    .collect();
                // Oldest first, ties in the order CloudFormation made them.
                let fresh: Vec<StackEvent> =
                    stack::chronological(&page).into_iter().cloned().collect();
                for event in &fresh {
                    printer.info(&stack::event_line(event));
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
                let end = stack::operation_end(&events, stack_name, operation);
                if let Some(end) = end {
                    poll.finish();
                    let status = end.status.clone();
                    if stack::is_success(&status, operation.deleting()) {
                        return Ok(status);
                    }
                    let next = next_step(&status, stack_name);
                    let report = stack::failure_report(&events, &next);
                    return Err(Failure {
                        detail: Some(report.to_string()),
                        ..Failure::new(
                            Exit::Failed,
                            format!("stack {stack_name} ended {status}"),
                            None,
                        )
                    });
                }
            }
            Err(e) if operation.deleting() && error_kind(&e) == ErrorKind::NotFound => {
                poll.finish();
                return Ok("DELETE_COMPLETE".to_string());
            }
            Err(e) if error_kind(&e) == ErrorKind::Throttled => poll.throttled += 1,
            Err(e) => {
                poll.abandon();
                let failure = failed("DescribeStackEvents", &e);
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
/// StackId, by which it is deleted and followed (never another stack of the same name).
pub async fn delete(
    aws: &Aws,
    (stack_name, stack_id): (&str, Option<&str>),
    retain: &[String],
    timeout: Duration,
    interrupt: &Interrupt,
    printer: &Printer,
) -> Result<String, Failure> {
    let token = stack::request_token("delete");
    let request = aws
        .cloudformation
        .delete_stack()
        .stack_name(stack_id.unwrap_or(stack_name))
        .set_retain_resources((!retain.is_empty()).then(|| retain.to_vec()))
        .client_request_token(&token)
        .send();
    interrupt
        .until_or(interrupted(stack_name, "deletion"), async {
            request.await.map_err(|e| failed("DeleteStack", &e))
        })
        .await?;
    let followed = Followed {
        operation: Operation::Delete,
        events: Selector::Token(token),
        expected: 0,
        stack_id: stack_id.map(str::to_string),
    };
    follow(aws, stack_name, &followed, timeout, interrupt, printer).await
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

/// A stack with termination protection cannot be deleted: say so, and how to lift it, before
/// asking for anything (CloudFormation would refuse DeleteStack with a ValidationError).
pub fn check_deletable(
    stack: &aws_sdk_cloudformation::types::Stack,
    stack_name: &str,
) -> Result<(), Failure> {
    if stack.enable_termination_protection() != Some(true) {
        return Ok(());
    }
    Err(Failure::new(
        Exit::ManualAction,
        format!("stack {stack_name} has termination protection on; nothing was deleted"),
        Some(format!(
            "if it really should go, lift the protection with `aws cloudformation \
             update-termination-protection --no-enable-termination-protection --stack-name \
             {stack_name}`, then run the command again"
        )),
    ))
}

/// The stack's resources: logical id and status.
pub async fn resources(aws: &Aws, stack_name: &str) -> Result<Vec<(String, String)>, Failure> {
    let out = aws
        .cloudformation
        .describe_stack_resources()
        .stack_name(stack_name)
        .send()
        .await
        .map_err(|e| failed("DescribeStackResources", &e))?;
    Ok(out
        .stack_resources()
        .iter()
        .map(|r| {
            (
                r.logical_resource_id().unwrap_or_default().to_string(),
                r.resource_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect())
}

/// The status a followed stack ended in, when that is what `failure` reports (as opposed to
/// the follow itself failing).
pub fn ended(failure: &Failure) -> Option<&str> {
    failure
        .error
        .rsplit_once(" ended ")
        .filter(|(start, _)| start.starts_with("stack "))
        .map(|(_, status)| status)
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

fn convert(e: &aws_sdk_cloudformation::types::StackEvent) -> Option<StackEvent> {
    let timestamp = e.timestamp()?;
    Some(StackEvent {
        event_id: e.event_id()?.to_string(),
        timestamp: DateTime::from_timestamp(timestamp.secs(), timestamp.subsec_nanos())?,
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        status: e
            .resource_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: e.resource_status_reason().map(str::to_string),
        physical_id: e.physical_resource_id().map(str::to_string),
        client_request_token: e.client_request_token().map(str::to_string),
    })
}
