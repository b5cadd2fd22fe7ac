//! `fsx-drt destroy`: confirm, warn about a running task, delete, follow, and remove the
//! stack's artifact when no other stack uses it.

use std::fmt;
use std::time::Instant;

use serde::Serialize;

use crate::aws::{block_on, failed, Aws};
use crate::cli::{DestroyArgs, GlobalArgs};
use crate::commands::{check_stack_name, existing_stack, follow, interactive, stack_parameter};
use crate::error::{Exit, Failure};
use crate::interrupt::{Interrupt, UNCHANGED};
use crate::output::Printer;
use crate::params::{Param, Problem};
use crate::template::{CODE_BUCKET, CODE_KEY};

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

pub fn run(
    args: &DestroyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Destroyed, Failure> {
    let started = Instant::now();
    check_stack_name(&args.stack_name)?;
    let stopped = follow::interrupted(&args.stack_name, "deletion");
    block_on(stopped, async |interrupt| {
        let aws = Aws::connect(global).await?;
        execute(&aws, args, global, interrupt, printer, started).await
    })
}

/// The deletion itself, on the given clients (tests pass mocked ones).
pub async fn execute(
    aws: &Aws,
    args: &DestroyArgs,
    global: &GlobalArgs,
    interrupt: &Interrupt,
    printer: &Printer,
    started: Instant,
) -> Result<Destroyed, Failure> {
    // Reading changes nothing: Ctrl-C simply stops.
    let reading = async {
        let stack = existing_stack(aws, &args.stack_name, args.any_stack).await?;
        follow::check_deletable(&stack, &args.stack_name)?;
        let mut retain = Vec::new();
        if !args.retain.is_empty() {
            // CloudFormation takes RetainResources only from a stack whose deletion failed,
            // and only for the resources that failed.
            let stuck = delete_failed(aws, &args.stack_name).await?;
            retain = check_retain(
                &args.retain,
                &stuck,
                stack.stack_status().map(|s| s.as_str()),
            )?;
        }
        if let Some(fs_id) = stack_parameter(&stack, Param::FileSystemId.key()) {
            warn_running_task(aws, &fs_id, printer).await;
        }
        Ok((stack, retain))
    };
    let (stack, mut retain) = interrupt.until(UNCHANGED, reading).await?;
    let parameter = |key: &str| stack_parameter(&stack, key);
    confirm(args, global, printer)?;
    let status = loop {
        let deleted = follow::delete(
            aws,
            (&args.stack_name, stack.stack_id()),
            &retain,
            args.timeout,
            interrupt,
            printer,
        )
        .await;
        match deleted {
            Ok(status) => break status,
            // Once: a deletion that keeps resources and still fails needs a person.
            Err(failure) if retain.is_empty() => {
                retain = what_to_keep(aws, args, global, failure, printer).await?;
            }
            Err(failure) => return Err(failure),
        }
    };
    let mut removed = Vec::new();
    if let (Some(bucket), Some(key)) = (parameter(CODE_BUCKET), parameter(CODE_KEY)) {
        // The stack is gone already: failing to tidy up must not turn that into a failure.
        match used_elsewhere(aws, &args.stack_name, &bucket, &key).await {
            Ok(true) => {}
            Ok(false) => {
                let owner = stack.stack_id().and_then(account_of);
                if crate::commands::bucket::delete_artifact(aws, &bucket, &key, owner)
                    .await
                    .is_ok()
                {
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
    aws: &Aws,
    args: &DestroyArgs,
    global: &GlobalArgs,
    failure: Failure,
    printer: &Printer,
) -> Result<Vec<String>, Failure> {
    if follow::ended(&failure) != Some("DELETE_FAILED") {
        return Err(failure);
    }
    let stuck = delete_failed(aws, &args.stack_name).await?;
    if stuck.is_empty() {
        return Err(failure);
    }
    if offer_retain(args, global, &stuck, &failure, printer) {
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
    let resources = follow::resources(aws, stack_name).await?;
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
            fsx_drt_lambda::Invalid::new(problem, fix),
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
    args: &DestroyArgs,
    global: &GlobalArgs,
    stuck: &[String],
    failure: &Failure,
    printer: &Printer,
) -> bool {
    if args.yes || !interactive(global) {
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
fn confirm(args: &DestroyArgs, global: &GlobalArgs, printer: &Printer) -> Result<(), Failure> {
    if args.yes {
        return Ok(());
    }
    if !interactive(global) {
        return Err(Failure::new(
            Exit::Invalid,
            "deleting a stack needs confirmation, and nobody can be asked",
            Some("run again with --yes".into()),
        ));
    }
    let typed = printer
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
async fn warn_running_task(aws: &Aws, fs_id: &str, printer: &Printer) {
    let tasks = fsx_drt_lambda::aws::tasks(&aws.fsx, fs_id).await;
    if let Ok(tasks) = tasks {
        let running = tasks.iter().filter(|t| {
            t.lifecycle()
                .is_some_and(|l| fsx_drt_lambda::lifecycle::is_running(l.as_str()))
        });
        for task in running {
            printer.info(&format!(
                "warning: task {} is {} on {fs_id}; deleting the scheduler does not stop it (fsx-drt tasks cancel)",
                task.task_id().unwrap_or("?"),
                task.lifecycle().map_or("running", |l| l.as_str())
            ));
        }
    }
}

/// The account in a stack's ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/...`): the
/// owner of the artifact bucket deploy used, since deploy only uses the caller's own buckets.
fn account_of(stack_id: &str) -> Option<&str> {
    stack_id.split(':').nth(4).filter(|a| !a.is_empty())
}

/// True when another stack's CodeBucket/CodeKey name the same artifact.
async fn used_elsewhere(
    aws: &Aws,
    stack_name: &str,
    bucket: &str,
    key: &str,
) -> Result<bool, Failure> {
    let mut pages = aws.cloudformation.describe_stacks().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed("DescribeStacks", &e))?;
        for other in page.stacks() {
            if other.stack_name() == Some(stack_name) {
                continue;
            }
            let has = |k: &str, v: &str| {
                other
                    .parameters()
                    .iter()
                    .any(|p| p.parameter_key() == Some(k) && p.parameter_value() == Some(v))
            };
            if has(CODE_BUCKET, bucket) && has(CODE_KEY, key) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
