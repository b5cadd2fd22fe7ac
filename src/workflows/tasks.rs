//! `fsx-drt tasks`: the data repository tasks of the stack's file system, newest first, after
//! the slots deferred while it is busy (state DEFERRED, no task yet);
//! `fsx-drt tasks cancel TASK_ID`; and `fsx-drt tasks report TASK_ID`, a task's completion
//! report summarised.

use std::fmt;

use fsx_drt_core::report::{report_objects, summarise_start, Summary, READ_LIMIT};
use serde::Serialize;

use super::deferrals::{self, DeferredRun};
use super::existing_stack;
use crate::aws::{Aws, ErrorKind, StackView};
use crate::error::{Exit, Failure};
use crate::params::Param;
use crate::task::Task;

#[derive(Debug, Serialize)]
pub struct TaskList {
    pub stack_name: String,
    pub file_system_id: String,
    pub lifecycle: Option<String>,
    /// Slots waiting for the busy file system: no task yet (listed without --lifecycle).
    pub deferred: Vec<DeferredRun>,
    pub tasks: Vec<Task>,
}

impl fmt::Display for TaskList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let which = self
            .lifecycle
            .as_deref()
            .map_or(String::new(), |l| format!(" {l}"));
        writeln!(
            f,
            "Data repository tasks{which} of {} (stack {}), newest first:",
            self.file_system_id, self.stack_name
        )?;
        if self.tasks.is_empty() && self.deferred.is_empty() {
            writeln!(f, "  (none)")?;
        }
        for run in &self.deferred {
            writeln!(f, "  DEFERRED (no task yet)  {run}")?;
        }
        for task in &self.tasks {
            write!(f, "{task}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Serialize)]
pub struct Canceled {
    pub task_id: String,
    pub lifecycle: String,
}

impl fmt::Display for Canceled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Task {} is {}: FSx stops it after the file in progress; files already done stay done.",
            self.task_id, self.lifecycle
        )
    }
}

/// A task's completion report, as far as there is one.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The stack whose file system the task must have run on, when one was given.
    pub stack_name: Option<String>,
    pub file_system_id: String,
    pub task: Task,
    #[serde(flatten)]
    pub state: ReportState,
}

/// Whether there is a report to read, and what it says (`state` in JSON).
#[derive(Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ReportState {
    /// PENDING, EXECUTING or CANCELING: FSx writes the report when the task ends.
    Running,
    /// The task was created with Report.Enabled false.
    Disabled,
    /// Ended with no failed file: nothing to summarise.
    NoFailedFiles {
        report: Option<String>,
    },
    Summarised {
        summary: Summary,
    },
    /// Failed files, but no report object where FSx writes it.
    Missing {
        looked_for: Vec<String>,
    },
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let task = &self.task;
        let stack = self
            .stack_name
            .as_deref()
            .map_or(String::new(), |s| format!(" (stack {s})"));
        writeln!(
            f,
            "Task {} of {}{stack}:",
            task.task_id, self.file_system_id
        )?;
        write!(f, "{task}")?;
        match &self.state {
            ReportState::Running => writeln!(
                f,
                "It is still {}: FSx writes its completion report when it ends; run this again \
                 then.",
                task.lifecycle
            ),
            ReportState::Disabled => writeln!(
                f,
                "It writes no completion report (it was created with Report.Enabled false). \
                 The stack's function always asks for one, under TaskCompletionReportPath; \
                 a task created by hand needs one too (aws fsx create-data-repository-task \
                 --report Enabled=true,Path=s3://...,Format=REPORT_CSV_20191124,\
                 Scope=FAILED_FILES_ONLY)."
            ),
            ReportState::NoFailedFiles { report } => {
                let location = report
                    .as_deref()
                    .map_or(String::new(), |r| format!(" (its report: {r})"));
                writeln!(f, "No file failed: nothing to summarise{location}.")
            }
            ReportState::Summarised { summary } => write!(f, "{summary}"),
            ReportState::Missing { looked_for } => {
                writeln!(
                    f,
                    "{} file(s) failed, but there is no completion report where FSx writes it; \
                     looked for:",
                    task.failed.unwrap_or(0)
                )?;
                for object in looked_for {
                    writeln!(f, "  {object}")?;
                }
                writeln!(
                    f,
                    "It may have been deleted or expired (an S3 lifecycle rule on the bucket)."
                )
            }
        }
    }
}

/// What `fsx-drt tasks` printed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    List(TaskList),
    Canceled(Canceled),
    Report(Box<Report>),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::List(list) => list.fmt(f),
            Outcome::Canceled(canceled) => canceled.fmt(f),
            Outcome::Report(report) => report.fmt(f),
        }
    }
}

/// The file system the stack schedules tasks on.
async fn file_system_of(aws: &Aws, stack_name: &str) -> Result<String, Failure> {
    file_system_in(&existing_stack(aws, stack_name, false).await?, stack_name)
}

fn file_system_in(stack: &StackView, stack_name: &str) -> Result<String, Failure> {
    stack
        .parameter(Param::FileSystemId.key())
        .map(str::to_string)
        .ok_or_else(|| {
            Failure::new(
                Exit::Failed,
                format!(
                    "stack {stack_name} has no FileSystemId parameter: is it an fsx-drt stack?"
                ),
                Some("check --stack-name".into()),
            )
        })
}

/// Exit 2 for a task FSx does not know, in the words `tasks cancel` uses.
fn no_such_task(aws: &Aws, task_id: &str) -> Failure {
    Failure::new(
        Exit::Invalid,
        format!("there is no task {task_id} in region {}", aws.region),
        Some("list the tasks with fsx-drt tasks --stack-name NAME (and check --region)".into()),
    )
}

/// The stack's file system's tasks (tests pass mocked clients).
pub async fn list(
    aws: &Aws,
    stack_name: &str,
    lifecycle: Option<&str>,
    limit: usize,
) -> Result<TaskList, Failure> {
    let stack = existing_stack(aws, stack_name, false).await?;
    let fs_id = &file_system_in(&stack, stack_name)?;
    let deferred = match lifecycle {
        None => {
            let zones = deferrals::zones(aws, &stack).await?;
            deferrals::deferred(aws, &stack, &zones).await?
        }
        Some(_) => Vec::new(),
    };
    let tasks = aws
        .tasks(fs_id)
        .await?
        .into_iter()
        .filter(|t| lifecycle.is_none_or(|l| t.lifecycle == l))
        .take(limit)
        .collect();
    Ok(TaskList {
        stack_name: stack_name.to_string(),
        deferred,
        tasks,
        file_system_id: fs_id.to_string(),
        lifecycle: lifecycle.map(str::to_string),
    })
}

pub async fn cancel(aws: &Aws, task_id: &str) -> Result<Canceled, Failure> {
    match aws.cancel_task(task_id).await {
        Ok((task_id, lifecycle)) => Ok(Canceled { task_id, lifecycle }),
        Err(e) if e.is(&ErrorKind::NotFound) => Err(no_such_task(aws, task_id)),
        Err(e) if e.code() == Some("DataRepositoryTaskEnded") => Err(Failure::new(
            Exit::Failed,
            format!("task {task_id} has already ended: {}", e.message),
            Some("nothing to cancel; fsx-drt tasks --stack-name NAME shows how it ended".into()),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The task's completion report, read from S3 and summarised, or why there is none to read.
pub async fn report(aws: &Aws, stack_name: Option<&str>, task_id: &str) -> Result<Report, Failure> {
    let stack_fs = match stack_name {
        Some(name) => Some(file_system_of(aws, name).await?),
        None => None,
    };
    let task = match aws.task(task_id).await {
        Ok(Some(task)) => task,
        Ok(None) => return Err(no_such_task(aws, task_id)),
        Err(e) if e.is(&ErrorKind::NotFound) => return Err(no_such_task(aws, task_id)),
        Err(e) => return Err(e.into()),
    };
    let file_system_id = task.file_system_id.clone().unwrap_or_default();
    if let (Some(name), Some(fs_id)) = (stack_name, &stack_fs) {
        if file_system_id != *fs_id {
            return Err(Failure::new(
                Exit::Invalid,
                format!(
                    "task {task_id} ran on {file_system_id}, not on {fs_id}, the file system of stack {name}"
                ),
                Some("give the stack that schedules that file system, or leave out --stack-name".into()),
            ));
        }
    }
    let state = report_state(aws, &task).await?;
    Ok(Report {
        stack_name: stack_name.map(str::to_string),
        file_system_id,
        task,
        state,
    })
}

async fn report_state(aws: &Aws, task: &Task) -> Result<ReportState, Failure> {
    if task.is_running() {
        return Ok(ReportState::Running);
    }
    let Some(path) = task.report_path.as_deref() else {
        return Ok(ReportState::Disabled);
    };
    let objects = report_objects(path, &task.task_id, &task.task_type).ok_or_else(|| {
        Failure::new(
            Exit::Failed,
            format!("task {}'s Report.Path {path:?} is not an s3:// path", task.task_id),
            Some("FSx documents Report.Path as s3://bucket/prefix: check the task with aws fsx describe-data-repository-tasks".into()),
        )
    })?;
    if task.failed.unwrap_or(0) == 0 {
        return Ok(ReportState::NoFailedFiles {
            report: objects.first().map(ToString::to_string),
        });
    }
    let owner = aws.account().await?;
    for object in &objects {
        let found = aws
            .object_start(&object.bucket, &object.key, &owner, READ_LIMIT)
            .await
            .map_err(|e| {
                let denied = e.is(&ErrorKind::AccessDenied);
                let mut failure = Failure::from(e);
                if denied {
                    failure.help = Some(format!(
                        "reading {object} needs s3:GetObject on it, and the bucket must be account {owner}'s"
                    ));
                }
                failure
            })?;
        if let Some(start) = found {
            let text = String::from_utf8_lossy(&start.bytes);
            return Ok(ReportState::Summarised {
                summary: summarise_start(&object.to_string(), &text, start.total),
            });
        }
    }
    Ok(ReportState::Missing {
        looked_for: objects.iter().map(ToString::to_string).collect(),
    })
}
