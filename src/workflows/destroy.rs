//! `fsx-drt destroy`: confirm, warn about a running task, delete, follow, and remove the
//! stack's artifact when no other stack uses it.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::follow::{self, End};
use super::session::Session;
use super::{check_deletable, existing_stack};
use crate::aws::Aws;
use crate::error::{Exit, Failure};
use crate::interrupt::UNCHANGED;
use crate::params::{Param, Problem};
use crate::template::{CODE_BUCKET, CODE_KEY};

/// Which stack to delete, and how.
#[derive(Debug, Clone)]
pub struct DestroyRequest {
    pub stack_name: String,
    /// Confirmed in advance.
    pub yes: bool,
    /// Logical ids to keep after a deletion failed.
    pub retain: Vec<String>,
    /// Act on a stack fsx-drt did not make.
    pub any_stack: bool,
    pub timeout: Duration,
    /// The service role CloudFormation deletes with (default: the stack's own, if any).
    pub role_arn: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Destroyed {
    pub stack_name: String,
    pub status: String,
    /// Logical ids of resources kept in the account (`--retain`, or accepted when offered).
    pub retained: Vec<String>,
    /// `s3://bucket/key` of artifacts removed (none when another stack still uses them).
    pub artifacts_removed: Vec<String>,
    pub duration_seconds: f64,
}

impl fmt::Display for Destroyed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Stack {} deleted ({}) in {:.1} s.",
            self.stack_name, self.status, self.duration_seconds
        )?;
        for id in &self.retained {
            writeln!(
                f,
                "Kept {id} in the account: it is no longer managed by any stack; delete it by hand when it can go."
            )?;
        }
        for artifact in &self.artifacts_removed {
            writeln!(f, "Removed {artifact} (no other stack uses it).")?;
        }
        Ok(())
    }
}

/// The deletion itself, in a session (tests pass mocked clients).
pub async fn execute(
    session: &Session<'_>,
    args: &DestroyRequest,
    started: Instant,
) -> Result<Destroyed, Failure> {
    let (aws, interrupt, printer) = (session.aws, session.interrupt, session.ui);
    // Reading changes nothing: Ctrl-C simply stops.
    let reading = async {
        let stack = existing_stack(aws, &args.stack_name, args.any_stack).await?;
        check_deletable(&stack)?;
        let mut retain = Vec::new();
        if !args.retain.is_empty() {
            // CloudFormation takes RetainResources only from a stack whose deletion failed,
            // and only for the resources that failed.
            let stuck = delete_failed(aws, &args.stack_name).await?;
            retain = check_retain(&args.retain, &stuck, Some(&stack.status))?;
        }
        if let Some(fs_id) = stack.parameter(Param::FileSystemId.key()) {
            warn_running_task(session, fs_id).await;
        }
        Ok((stack, retain))
    };
    let (stack, mut retain) = interrupt.until(UNCHANGED, reading).await?;
    confirm(session, args)?;
    let status = loop {
        let deleted = follow::delete(
            session,
            (&args.stack_name, stack.id.as_deref()),
            &retain,
            args.role_arn.as_deref(),
            args.timeout,
        )
        .await?;
        match deleted {
            End::Succeeded(status) => break status,
            // Once: a deletion that keeps resources and still fails needs a person.
            End::Failed { status, failure } if retain.is_empty() && status == "DELETE_FAILED" => {
                retain = what_to_keep(session, args, failure).await?;
            }
            End::Failed { failure, .. } => return Err(failure),
        }
    };
    let mut removed = Vec::new();
    if let (Some(bucket), Some(key)) = (stack.parameter(CODE_BUCKET), stack.parameter(CODE_KEY)) {
        // The stack is gone already: failing to tidy up must not turn that into a failure.
        match used_elsewhere(aws, &args.stack_name, bucket, key).await {
            Ok(true) => {}
            Ok(false) => {
                if aws.delete_object(bucket, key, stack.account()).await.is_ok() {
                    removed.push(format!("s3://{bucket}/{key}"));
                }
            }
            Err(failure) => printer.info(&format!(
                "warning: kept s3://{bucket}/{key}: fsx-drt could not tell whether another stack uses it ({}); delete it by hand if none does",
                failure.error
            )),
        }
    }
    Ok(Destroyed {
        stack_name: args.stack_name.clone(),
        status,
        retained: retain,
        artifacts_removed: removed,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// After a deletion that did not complete: the resources to keep on the next try, when it
/// ended DELETE_FAILED and the person asked accepts; otherwise the failure, with the
/// `--retain` command that would finish the job.
async fn what_to_keep(
    session: &Session<'_>,
    args: &DestroyRequest,
    failure: Failure,
) -> Result<Vec<String>, Failure> {
    let stuck = delete_failed(session.aws, &args.stack_name).await?;
    if stuck.is_empty() {
        return Err(failure);
    }
    if offer_retain(session, args, &stuck, &failure) {
        return Ok(stuck);
    }
    let flags: String = stuck.iter().map(|id| format!(" --retain {id}")).collect();
    Err(Failure {
        help: Some(format!(
            "fix the root cause and run `fsx-drt destroy --stack-name {0}` again, or keep what \
             cannot be deleted and delete the rest: `fsx-drt destroy --stack-name {0}{flags}`",
            args.stack_name
        )),
        ..failure
    })
}

/// The logical ids of the stack's resources whose deletion failed.
async fn delete_failed(aws: &Aws, stack_name: &str) -> Result<Vec<String>, Failure> {
    let resources = aws.stack_resources(stack_name).await?;
    Ok(resources
        .into_iter()
        .filter(|(_, status)| status == "DELETE_FAILED")
        .map(|(id, _)| id)
        .collect())
}

/// `--retain` names only resources whose deletion failed, on a DELETE_FAILED stack; else
/// exit 2 before anything is deleted.
fn check_retain(
    wanted: &[String],
    stuck: &[String],
    status: Option<&str>,
) -> Result<Vec<String>, Failure> {
    let problem = |value: &str, problem: String, fix: String| {
        Problem::new(
            "--retain",
            Some(value),
            fsx_drt_core::Invalid::new(problem, fix),
        )
    };
    let problems: Vec<Problem> = if status != Some("DELETE_FAILED") {
        wanted
            .iter()
            .map(|id| {
                problem(
                    id,
                    format!(
                        "the stack is {}; resources can be kept only after a deletion failed (DELETE_FAILED)",
                        status.unwrap_or("?")
                    ),
                    "leave --retain out; if the deletion fails, destroy offers to keep what blocked it".into(),
                )
            })
            .collect()
    } else {
        wanted
            .iter()
            .filter(|id| !stuck.contains(id))
            .map(|id| {
                problem(
                    id,
                    format!("{id} is not a resource whose deletion failed"),
                    format!("give one of: {}", stuck.join(", ")),
                )
            })
            .collect()
    };
    if problems.is_empty() {
        Ok(wanted.to_vec())
    } else {
        Err(Failure::invalid("cannot keep these resources", problems))
    }
}

/// After a failed deletion, a person at a terminal is shown why and asked whether to keep
/// the resources that failed and delete the rest. `--yes` and scripts are never asked:
/// keeping resources is a choice to make knowingly (`--retain`).
fn offer_retain(
    session: &Session<'_>,
    args: &DestroyRequest,
    stuck: &[String],
    failure: &Failure,
) -> bool {
    let printer = session.ui;
    if args.yes || !session.interactive {
        return false;
    }
    printer.info(&format!("error: {}", failure.error));
    if let Some(detail) = &failure.detail {
        printer.info(detail.trim_end());
    }
    printer.confirm(&format!(
        "Keep {} in the account (no longer managed) and delete the rest of {}?",
        stuck.join(", "),
        args.stack_name
    ))
}

/// `--yes`, or the person types the stack's name; anyone else gets exit 2 and the hint.
fn confirm(session: &Session<'_>, args: &DestroyRequest) -> Result<(), Failure> {
    if args.yes {
        return Ok(());
    }
    if !session.interactive {
        return Err(Failure::new(
            Exit::Invalid,
            "deleting a stack needs confirmation, and nobody can be asked",
            Some("run again with --yes".into()),
        ));
    }
    let typed = session
        .ui
        .ask(
            &format!("Type the stack name ({}) to delete it", args.stack_name),
            |_| Ok(()),
        )
        .unwrap_or_default();
    if typed.trim() == args.stack_name {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Interrupted,
            "not confirmed; nothing was deleted",
            None,
        ))
    }
}

/// Deleting the scheduler does not stop a task that is running; say so.
async fn warn_running_task(session: &Session<'_>, fs_id: &str) {
    if let Ok(tasks) = session.aws.tasks(fs_id).await {
        for task in tasks.iter().filter(|t| t.is_running()) {
            session.ui.info(&format!(
                "warning: task {} is {} on {fs_id}; deleting the scheduler does not stop it (fsx-drt tasks cancel)",
                task.task_id, task.lifecycle
            ));
        }
    }
}

/// True when another stack's CodeBucket/CodeKey name the same artifact.
async fn used_elsewhere(
    aws: &Aws,
    stack_name: &str,
    bucket: &str,
    key: &str,
) -> Result<bool, Failure> {
    Ok(aws.stacks().await?.iter().any(|other| {
        other.name != stack_name
            && other.parameter(CODE_BUCKET) == Some(bucket)
            && other.parameter(CODE_KEY) == Some(key)
    }))
}
