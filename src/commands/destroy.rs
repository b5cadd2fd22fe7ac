//! `fsx-drt destroy`: confirm, warn about a running task, delete, follow, and remove the
//! stack's artifact when no other stack uses it.

use std::fmt;
use std::time::Instant;

use serde::Serialize;

use crate::aws::{block_on, failed, Aws};
use crate::cli::{DestroyArgs, GlobalArgs};
use crate::commands::{check_stack_name, existing_stack, follow, interactive};
use crate::error::{Exit, Failure};
use crate::output::Printer;

#[derive(Debug, Serialize)]
pub struct Destroyed {
    pub stack_name: String,
    pub status: String,
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
    block_on(async {
        let aws = Aws::connect(global).await?;
        let stack = existing_stack(&aws, &args.stack_name).await?;
        let parameter = |key: &str| {
            stack
                .parameters()
                .iter()
                .find(|p| p.parameter_key() == Some(key))
                .and_then(|p| p.parameter_value())
                .map(str::to_string)
        };
        if let Some(fs_id) = parameter("FileSystemId") {
            warn_running_task(&aws, &fs_id, printer).await;
        }
        confirm(args, global)?;
        aws.cloudformation
            .delete_stack()
            .stack_name(&args.stack_name)
            .send()
            .await
            .map_err(|e| failed("DeleteStack", &e))?;
        let status = follow::follow(&aws, &args.stack_name, true, 0, args.timeout, printer).await?;
        let mut removed = Vec::new();
        if let (Some(bucket), Some(key)) = (parameter("CodeBucket"), parameter("CodeKey")) {
            if !used_elsewhere(&aws, &args.stack_name, &bucket, &key).await?
                && aws
                    .s3
                    .delete_object()
                    .bucket(&bucket)
                    .key(&key)
                    .send()
                    .await
                    .is_ok()
            {
                removed.push(format!("s3://{bucket}/{key}"));
            }
        }
        Ok(Destroyed {
            stack_name: args.stack_name.clone(),
            status,
            artifacts_removed: removed,
            duration_seconds: started.elapsed().as_secs_f64(),
        })
    })
}

/// `--yes`, or the person types the stack's name; anyone else gets exit 2 and the hint.
fn confirm(args: &DestroyArgs, global: &GlobalArgs) -> Result<(), Failure> {
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
    let typed: String = dialoguer::Input::new()
        .with_prompt(format!(
            "Type the stack name ({}) to delete it",
            args.stack_name
        ))
        .allow_empty(true)
        .interact_text()
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
            matches!(
                t.lifecycle().map(|l| l.as_str()),
                Some("PENDING" | "EXECUTING")
            )
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
            if has("CodeBucket", bucket) && has("CodeKey", key) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
