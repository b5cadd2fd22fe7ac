//! The change set deploy makes, waits for, and withdraws when it will not run.

use crate::aws::{Aws, ChangeSetIds, StackOptions, TemplateSource};
use crate::error::{Exit, Failure};
use crate::stack::{self, Change, Executable};

pub enum ChangeSetState {
    Ready(Vec<Change>),
    NoChanges,
}

/// How many polls a created change set may stay UNAVAILABLE (not yet offered for execution)
/// before deploy gives up on it.
const UNAVAILABLE_POLLS: u32 = 30;

/// Creates the change set and waits until CloudFormation has worked it out; also returns
/// its ARN and the StackId CloudFormation gives its stack.
pub async fn make(
    aws: &Aws,
    stack_name: &str,
    name: &str,
    create: bool,
    template: &TemplateSource,
    values: &[(String, String)],
    options: &StackOptions,
) -> Result<(ChangeSetState, ChangeSetIds), Failure> {
    let ids = aws
        .create_change_set(stack_name, name, create, template, values, options)
        .await?;
    let state = wait(aws, stack_name, name).await?;
    Ok((state, ids))
}

/// Deletes a change set that will not run, and the stack when it was made just for it and
/// still holds nothing: REVIEW_IN_PROGRESS with no other change set waiting. Another deploy
/// of the same name may have made that stack, or be executing its own change set on it, so
/// it is deleted only then, and by its StackId. Best effort; true when the stack was deleted.
pub async fn discard(aws: &Aws, stack_name: &str, name: &str, new_stack: bool) -> bool {
    delete(aws, stack_name, name).await;
    if !new_stack {
        return false;
    }
    let Ok(Some(stack)) = aws.describe_stack(stack_name).await else {
        return false;
    };
    let Some(id) = stack
        .id
        .as_deref()
        .filter(|_| stack.status == "REVIEW_IN_PROGRESS")
    else {
        return false;
    };
    if !aws.change_set_count(id).await.is_ok_and(|n| n == 0) {
        return false;
    }
    let token = stack::request_token("delete");
    aws.delete_stack(id, &[], &token, None).await.is_ok()
}

/// Best effort: a change set left behind is harmless, and the caller is already leaving.
pub async fn delete(aws: &Aws, stack_name: &str, name: &str) {
    let _ = aws.delete_change_set(stack_name, name).await;
}

/// Polls the change set every second until it is ready; an empty one is not an error, one
/// that cannot be executed (only AVAILABLE can) is explained, never executed.
async fn wait(aws: &Aws, stack_name: &str, name: &str) -> Result<ChangeSetState, Failure> {
    let mut unavailable = 0;
    for attempt in 0..600u32 {
        let out = aws.describe_change_set(stack_name, name).await?;
        let execution = out.execution_status.as_str();
        let pause = stack::next_poll_delay(0, f64::from(attempt % 7) / 7.0);
        match (out.status.as_str(), stack::change_set_execution(execution)) {
            ("CREATE_COMPLETE", Executable::Wait) if unavailable < UNAVAILABLE_POLLS => {
                unavailable += 1;
                tokio::time::sleep(pause).await;
            }
            ("CREATE_COMPLETE", Executable::Wait) => {
                return Err(not_executable(
                    name,
                    execution,
                    "CloudFormation still does not offer it for execution",
                ))
            }
            ("CREATE_COMPLETE", Executable::No { why }) => {
                return Err(not_executable(name, execution, why))
            }
            ("CREATE_COMPLETE", Executable::Yes) => return Ok(ChangeSetState::Ready(out.changes)),
            ("FAILED", _) => {
                let reason = out.status_reason;
                if stack::is_no_changes_reason(&reason) {
                    return Ok(ChangeSetState::NoChanges);
                }
                return Err(Failure::new(
                    Exit::Failed,
                    format!("the change set failed: {reason}"),
                    Some("fix what the reason names, then deploy again".into()),
                ));
            }
            _ => tokio::time::sleep(pause).await,
        }
    }
    Err(Failure::new(
        Exit::TimedOut,
        format!("change set {name} is still not ready"),
        Some("look at it with `aws cloudformation describe-change-set`".into()),
    ))
}

fn not_executable(name: &str, execution: &str, why: &str) -> Failure {
    Failure::new(
        Exit::Failed,
        format!(
            "change set {name} cannot be executed (ExecutionStatus {execution}): {why}; nothing was changed"
        ),
        Some("run fsx-drt deploy again: it makes a new change set from the stack as it is now".into()),
    )
}
