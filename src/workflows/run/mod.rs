//! `fsx-drt run`: the scheduled work, now. By default the deployed function is invoked
//! synchronously (what the reference's troubleshooting does with `aws lambda invoke`);
//! `--direct` runs the function's own handler here instead. `--wait` follows the task.

use std::fmt;
use std::time::{Duration, Instant};

use fsx_drt_core::handler::{Outcome, RunError, RunResult};
use serde::Serialize;

mod schedule;

use super::existing_stack;
use super::inputs;
use super::poll::Poll;
use super::session::Session;
use crate::aws::{Aws, ErrorKind, StackView};
use crate::error::{Exit, Failure};
use crate::interrupt::UNCHANGED;
use crate::params::{self, Param, Resolved, Source};
use crate::task::Task;

/// Which stack's function to run, and how.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub stack_name: String,
    /// Wait for the task to end.
    pub wait: bool,
    /// Run the function's code from here instead of invoking it.
    pub direct: bool,
    pub timeout: Duration,
    /// Which schedule's task to run (default: the stack's only schedule).
    pub schedule: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Ran {
    pub stack_name: String,
    /// "function" (invoked) or "direct".
    pub via: &'static str,
    /// The stack's Paths, as the user wrote them (the request's are the API's form).
    pub paths: String,
    /// The run's result, as the function reports it.
    pub result: RunResult,
    /// The task as it ended (with --wait).
    pub task: Option<Task>,
    pub duration_seconds: f64,
}

impl Ran {
    /// The paths as the user wrote them; an import's also as the S3 paths it reads.
    fn paths_in_words(&self) -> String {
        let written = match self.paths.trim() {
            "" | "/" => "the whole file system".to_string(),
            paths => paths.to_string(),
        };
        let s3 = &self.result.paths;
        if s3.iter().any(|p| p.starts_with("s3://")) {
            format!("{written} (from {})", s3.join(" "))
        } else {
            written
        }
    }

    /// Waited for, and it failed or some files did.
    pub fn failed(&self) -> bool {
        self.task.as_ref().is_some_and(Task::failed_outright)
    }
}

impl fmt::Display for Ran {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.result;
        let how = if self.via == "direct" {
            "created from here with the function's code"
        } else {
            "by the function"
        };
        match r.outcome {
            Outcome::Created => writeln!(
                f,
                "Task {} ({}, {}) {how} for {}.",
                r.task_id.as_deref().unwrap_or("?"),
                r.task_type,
                r.lifecycle.as_deref().unwrap_or("?"),
                self.paths_in_words()
            )?,
            Outcome::Deferred => writeln!(
                f,
                "Deferred: {}.",
                r.reason.as_deref().unwrap_or("the file system is busy")
            )?,
            Outcome::Skipped => writeln!(
                f,
                "Skipped: {}; the next scheduled run tries again.",
                r.reason.as_deref().unwrap_or("another task is running")
            )?,
        }
        for warning in &r.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        if let Some(task) = &self.task {
            writeln!(f)?;
            write!(f, "{task}")?;
            if task.failed_outright() {
                let report = task.report.as_deref().map_or(String::new(), |r| {
                    format!(
                        "; the report is in {r} (fsx-drt tasks report {} summarises it)",
                        task.task_id
                    )
                });
                writeln!(f, "The task did not complete cleanly{report}.")?;
            }
        }
        Ok(())
    }
}

/// Ctrl-C once the function may have been called.
pub fn left(stack_name: &str) -> String {
    format!(
        "interrupted; a task may have been created all the same: see fsx-drt tasks --stack-name {stack_name}"
    )
}

/// The run on the given clients (tests pass mocked ones).
pub async fn execute(
    session: &Session<'_>,
    args: &RunRequest,
    started: Instant,
) -> Result<Ran, Failure> {
    let (aws, interrupt) = (session.aws, session.interrupt);
    let stack = interrupt
        .until(UNCHANGED, existing_stack(aws, &args.stack_name, false))
        .await?;
    let function_name = stack
        .outputs
        .function_name()
        .map(str::to_string)
        .ok_or_else(|| {
            Failure::new(
                Exit::Failed,
                format!(
                    "stack {} has no FunctionName output ({})",
                    args.stack_name, stack.status
                ),
                Some(format!(
                    "see fsx-drt status --stack-name {}; deploy it if it is not complete",
                    args.stack_name
                )),
            )
        })?;
    let schedule = interrupt
        .until(
            UNCHANGED,
            schedule::chosen(aws, &stack, args.schedule.as_deref()),
        )
        .await?;
    let event = schedule::event(manual_event(), schedule.as_ref());
    let left = left(&args.stack_name);
    let result = if args.direct {
        interrupt
            .until(&left, direct(aws, &stack, &function_name, &event))
            .await?
    } else {
        let log_group = stack.outputs.log_group_name();
        interrupt
            .until(&left, invoke(aws, &function_name, log_group, &event))
            .await?
    };
    let task = match (&result.outcome, &result.task_id, args.wait) {
        (Outcome::Created, Some(id), true) => {
            let fs_id = stack
                .parameter(Param::FileSystemId.key())
                .unwrap_or_default();
            Some(wait(session, fs_id, id, args.timeout).await?)
        }
        _ => None,
    };
    Ok(Ran {
        stack_name: args.stack_name.clone(),
        via: if args.direct { "direct" } else { "function" },
        paths: schedule
            .as_ref()
            .and_then(|s| s.settings.get(fsx_drt_core::event::PATHS)?.as_str())
            .or(stack.parameter(Param::Paths.key()))
            .unwrap_or_default()
            .to_string(),
        result,
        task,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// The event a manual run sends: not a scheduled slot, so the function makes a fresh
/// idempotency token from the invocation's request id.
fn manual_event() -> serde_json::Value {
    serde_json::json!({ "source": "fsx-drt.cli", "detail-type": "fsx-drt run" })
}

/// Invokes the function and waits for its answer (RequestResponse).
/// `log_group`: the stack's LogGroupName output, where the function logs (not
/// `/aws/lambda/NAME`: the template gives it a log group of its own).
async fn invoke(
    aws: &Aws,
    function_name: &str,
    log_group: Option<&str>,
    event: &serde_json::Value,
) -> Result<RunResult, Failure> {
    let out = aws.invoke(function_name, event.to_string()).await?;
    let payload = out.payload.as_slice();
    let logs = match log_group {
        Some(group) => format!("its log: aws logs tail {group} --since 10m"),
        None => "its log: the stack's LogGroupName output (fsx-drt status)".to_string(),
    };
    if let Some(kind) = &out.function_error {
        let message = serde_json::from_slice::<serde_json::Value>(payload)
            .ok()
            .and_then(|v| v.get("errorMessage")?.as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(payload).into_owned());
        return Err(Failure::new(
            Exit::Failed,
            format!("the function {function_name} failed ({kind}): {message}"),
            Some(format!(
                "fix what it names, then run again; {logs}. Where the function cannot run (a local emulator), `fsx-drt run --direct` runs its code from here"
            )),
        ));
    }
    serde_json::from_slice(payload).map_err(|e| {
        Failure::new(
            Exit::Failed,
            format!(
                "the function {function_name} answered something other than a run result ({e}): {}",
                String::from_utf8_lossy(payload)
            ),
            Some(format!("is the stack's function fsx-drt's? {logs}")),
        )
    })
}

/// Runs the function's handler here, with the configuration the stack gave the function.
async fn direct(
    aws: &Aws,
    stack: &StackView,
    function_name: &str,
    event: &serde_json::Value,
) -> Result<RunResult, Failure> {
    let request_id = format!(
        "fsx-drt-run-{}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    );
    let invocation = fsx_drt_core::event::Invocation::of(event, &request_id)
        .map_err(|errors| schedule::unreadable(stack, &errors))?;
    let config = match &invocation.schedule {
        // A named schedule's settings, on the stack's file system.
        Some(settings) => {
            let fs = stack
                .parameter(Param::FileSystemId.key())
                .unwrap_or_default();
            let fs = fsx_drt_core::FileSystemId::parse(fs).map_err(|invalid| {
                Failure::invalid(
                    "the stack's parameters are invalid",
                    vec![crate::params::Problem::new(
                        Param::FileSystemId.key(),
                        Some(fs),
                        invalid,
                    )],
                )
            })?;
            settings.config(fs)
        }
        None => {
            let values = inputs::from_stack(&stack.parameters, None);
            let parameters =
                params::validate(&Resolved::from_layers(vec![(Source::Stack, values)])).map_err(
                    |problems| Failure::invalid("the stack's parameters are invalid", problems),
                )?;
            super::plan::lambda_config(&parameters)
        }
    };
    let handler = aws.handler(config, function_name);
    handler
        .run_invocation(&invocation)
        .await
        .map_err(|e| match e {
            RunError::Aws(e) => crate::aws::aws_failure(&e),
            RunError::Plan(e) => Failure::new(
                Exit::Failed,
                format!("the run failed: cannot plan the task: {e}"),
                Some(
                    "the stack's paths no longer match the file system's data repositories: fix them with fsx-drt deploy (fsx-drt plan shows the request)"
                        .into(),
                ),
            ),
        })
}

/// Polls the task every 1-2 s until it ends; a spinner with its counts on a terminal, a line
/// per change otherwise.
async fn wait(
    session: &Session<'_>,
    fs_id: &str,
    task_id: &str,
    timeout: Duration,
) -> Result<Task, Failure> {
    let mut poll = Poll::new(
        timeout,
        session,
        "see it with fsx-drt tasks --stack-name NAME".to_string(),
        "{spinner} {elapsed} {wide_msg}",
    );
    let stopped = format!("stopped waiting for task {task_id}; it goes on");
    let mut last = String::new();
    loop {
        let answer = poll.during(&stopped, session.aws.task(task_id)).await?;
        match answer {
            Ok(out) => {
                poll.throttled = 0;
                let Some(task) = out else {
                    poll.abandon();
                    return Err(Failure::new(
                        Exit::Failed,
                        format!("task {task_id} is not listed on {fs_id}"),
                        Some(poll.again().to_string()),
                    ));
                };
                let line = progress_line(&task);
                if line != last {
                    match &poll.bar {
                        Some(bar) => bar.set_message(line.clone()),
                        None => session.ui.info(&line),
                    }
                    last = line;
                }
                if !task.is_running() {
                    poll.finish();
                    return Ok(task);
                }
            }
            Err(e) if e.is(&ErrorKind::Throttled) => poll.throttled += 1,
            Err(e) => {
                poll.abandon();
                return Err(e.into());
            }
        }
        poll.check_deadline(&format!("task {task_id} is still running"))?;
        poll.pause(&stopped).await?;
    }
}

/// "task-… EXECUTING: 1200 of 5000 files done, 3 failed".
fn progress_line(task: &Task) -> String {
    let counts = match (task.succeeded, task.failed, task.total) {
        (Some(ok), failed, Some(total)) => format!(
            ": {ok} of {total} files done, {} failed",
            failed.unwrap_or(0)
        ),
        (Some(ok), failed, None) => format!(": {ok} files done, {} failed", failed.unwrap_or(0)),
        _ => String::new(),
    };
    format!("{} {}{counts}", task.task_id, task.lifecycle)
}
