//! `fsx-drt tasks`: the data repository tasks of the stack's file system, newest first; and
//! `fsx-drt tasks cancel TASK_ID`.

use std::fmt;

use crate::params::Param;
use aws_sdk_fsx::operation::cancel_data_repository_task::CancelDataRepositoryTaskError;
use aws_sdk_fsx::types::DataRepositoryTask;
use fsx_drt_lambda::lifecycle;
use serde::Serialize;

use crate::aws::{block_on, describe, failed, Aws};
use crate::cli::{GlobalArgs, TasksAction, TasksArgs};
use crate::commands::{check_stack_name, existing_stack, stack_parameter};
use crate::error::{Exit, Failure};
use crate::interrupt::unchanged;
use crate::params::Problem;

/// The lifecycles FSx reports, as `--lifecycle` takes them.
pub const LIFECYCLES: [&str; 6] = [
    "PENDING",
    "EXECUTING",
    "FAILED",
    "SUCCEEDED",
    "CANCELED",
    "CANCELING",
];

/// One task, as status, tasks and run show it.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub task_id: String,
    #[serde(rename = "type")]
    pub task_type: String,
    pub lifecycle: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub succeeded: Option<i64>,
    pub failed: Option<i64>,
    pub total: Option<i64>,
    pub failure: Option<String>,
    /// Where FSx writes the completion report (`failures.csv` lists failed files).
    pub report: Option<String>,
}

impl From<&DataRepositoryTask> for Task {
    fn from(t: &DataRepositoryTask) -> Task {
        Task {
            task_id: t.task_id().unwrap_or_default().to_string(),
            task_type: t
                .r#type()
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            lifecycle: t
                .lifecycle()
                .map(|x| x.as_str().to_string())
                .unwrap_or_default(),
            start: t.start_time().map(|x| x.to_string()),
            end: t.end_time().map(|x| x.to_string()),
            succeeded: t.status().and_then(|s| s.succeeded_count()),
            failed: t.status().and_then(|s| s.failed_count()),
            total: t.status().and_then(|s| s.total_count()),
            failure: t
                .failure_details()
                .and_then(|d| d.message())
                .map(str::to_string),
            report: t
                .report()
                .filter(|r| r.enabled() == Some(true))
                .and_then(|r| r.path())
                .map(|p| {
                    format!(
                        // FSx writes {Path}/{TaskId}/failures.csv (TaskId is task-...).
                        "{}/{}/",
                        p.trim_end_matches('/'),
                        t.task_id().unwrap_or("?")
                    )
                }),
        }
    }
}

impl Task {
    /// Ended badly: FAILED or CANCELED, or finished with files that failed.
    pub fn failed_outright(&self) -> bool {
        lifecycle::ended_badly(&self.lifecycle, self.failed.unwrap_or(0))
    }

    pub fn is_running(&self) -> bool {
        lifecycle::is_running(&self.lifecycle)
    }
}

/// Two-space indented row, then its failure and report lines.
impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "  {}  {}  {}  start {}  end {}  ok {}  failed {}",
            self.task_id,
            self.task_type,
            self.lifecycle,
            self.start.as_deref().unwrap_or("-"),
            self.end.as_deref().unwrap_or("-"),
            self.succeeded.map_or("-".into(), |n| n.to_string()),
            self.failed.map_or("-".into(), |n| n.to_string()),
        )?;
        if let Some(failure) = &self.failure {
            writeln!(f, "      failure: {failure}")?;
        }
        if let Some(report) = &self.report {
            writeln!(f, "      report: {report}")?;
        }
        Ok(())
    }
}

/// The file system's tasks, newest first, optionally of one lifecycle, at most `limit`.
pub async fn newest(
    aws: &Aws,
    fs_id: &str,
    lifecycle: Option<&str>,
    limit: usize,
) -> Result<Vec<Task>, Failure> {
    let mut all = fsx_drt_lambda::aws::tasks(&aws.fsx, fs_id)
        .await
        .map_err(|e| crate::aws::aws_failure(&e))?;
    all.sort_by_key(|t| std::cmp::Reverse(t.creation_time().map(|c| (c.secs(), c.subsec_nanos()))));
    Ok(all
        .iter()
        .filter(|t| lifecycle.is_none_or(|l| t.lifecycle().map(|x| x.as_str()) == Some(l)))
        .take(limit)
        .map(Task::from)
        .collect())
}

#[derive(Debug, Serialize)]
pub struct TaskList {
    pub stack_name: String,
    pub file_system_id: String,
    pub lifecycle: Option<String>,
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
        if self.tasks.is_empty() {
            writeln!(f, "  (none)")?;
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

/// What `fsx-drt tasks` printed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    List(TaskList),
    Canceled(Canceled),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::List(list) => list.fmt(f),
            Outcome::Canceled(canceled) => canceled.fmt(f),
        }
    }
}

pub fn run(args: &TasksArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    match &args.action {
        Some(TasksAction::Cancel(cancel_args)) => {
            check_task_id(&cancel_args.task_id)?;
            let id = &cancel_args.task_id;
            let stopped = Failure::new(
                Exit::Interrupted,
                format!("interrupted; the cancellation of {id} may have been sent all the same"),
                Some("see fsx-drt tasks --stack-name NAME".into()),
            );
            block_on(stopped, async |_| {
                let aws = Aws::connect(global).await?;
                cancel(&aws, id).await.map(Outcome::Canceled)
            })
        }
        None => {
            // clap requires --stack-name without a subcommand.
            let stack_name = args.stack_name.as_deref().unwrap_or_default();
            check_stack_name(stack_name)?;
            let lifecycle = check_lifecycle(args.lifecycle.as_deref())?;
            if args.limit == 0 {
                return Err(invalid(
                    "--limit",
                    "0",
                    "it must be at least 1",
                    "give how many tasks to show, e.g. --limit 20",
                ));
            }
            block_on(unchanged(), async |_| {
                let aws = Aws::connect(global).await?;
                list(&aws, stack_name, lifecycle.as_deref(), args.limit)
                    .await
                    .map(Outcome::List)
            })
        }
    }
}

/// The stack's file system's tasks (tests pass mocked clients).
pub async fn list(
    aws: &Aws,
    stack_name: &str,
    lifecycle: Option<&str>,
    limit: usize,
) -> Result<TaskList, Failure> {
    let stack = existing_stack(aws, stack_name, false).await?;
    let fs_id = stack_parameter(&stack, Param::FileSystemId.key()).ok_or_else(|| {
        Failure::new(
            Exit::Failed,
            format!("stack {stack_name} has no FileSystemId parameter: is it an fsx-drt stack?"),
            Some("check --stack-name".into()),
        )
    })?;
    Ok(TaskList {
        stack_name: stack_name.to_string(),
        tasks: newest(aws, &fs_id, lifecycle, limit).await?,
        file_system_id: fs_id,
        lifecycle: lifecycle.map(str::to_string),
    })
}

pub async fn cancel(aws: &Aws, task_id: &str) -> Result<Canceled, Failure> {
    match aws
        .fsx
        .cancel_data_repository_task()
        .task_id(task_id)
        .send()
        .await
    {
        Ok(out) => Ok(Canceled {
            task_id: out.task_id().unwrap_or(task_id).to_string(),
            lifecycle: out
                .lifecycle()
                .map_or("CANCELING".into(), |l| l.as_str().to_string()),
        }),
        Err(e) => Err(match e.as_service_error() {
            Some(CancelDataRepositoryTaskError::DataRepositoryTaskNotFound(_)) => Failure::new(
                Exit::Invalid,
                format!("there is no task {task_id} in region {}", aws.region),
                Some(
                    "list the tasks with fsx-drt tasks --stack-name NAME (and check --region)"
                        .into(),
                ),
            ),
            Some(CancelDataRepositoryTaskError::DataRepositoryTaskEnded(_)) => Failure::new(
                Exit::Failed,
                format!("task {task_id} has already ended: {}", describe(&e)),
                Some(
                    "nothing to cancel; fsx-drt tasks --stack-name NAME shows how it ended".into(),
                ),
            ),
            _ => failed("CancelDataRepositoryTask", &e),
        }),
    }
}

fn invalid(flag: &str, value: &str, problem: &str, fix: &str) -> Failure {
    Failure::invalid(
        &format!("invalid {flag}"),
        vec![Problem::new(
            flag,
            Some(value),
            fsx_drt_lambda::Invalid::new(problem, fix),
        )],
    )
}

/// `task-` and 17 or more lower-case hex digits, as FSx names tasks.
pub fn check_task_id(task_id: &str) -> Result<(), Failure> {
    let hex = task_id.strip_prefix("task-").unwrap_or("");
    if hex.len() >= 17 && hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
        return Ok(());
    }
    Err(invalid(
        "TASK_ID",
        task_id,
        "not a data repository task id (task- and 17 hex digits)",
        "copy the id from fsx-drt tasks --stack-name NAME, e.g. task-0123456789abcdef0",
    ))
}

fn check_lifecycle(value: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(value) = value else { return Ok(None) };
    let upper = value.trim().to_ascii_uppercase();
    if LIFECYCLES.contains(&upper.as_str()) {
        return Ok(Some(upper));
    }
    Err(invalid(
        "--lifecycle",
        value,
        "not a task lifecycle",
        &format!("give one of {}", LIFECYCLES.join(", ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_as_fsx_names_them() {
        assert!(check_task_id("task-0123456789abcdef0").is_ok());
        assert!(check_task_id("task-0123456789abcdef0123").is_ok());
        for bad in [
            "",
            "task-",
            "task-0123456789ABCDEF0",
            "fs-0123456789abcdef0",
            "task-0123",
        ] {
            let failure = check_task_id(bad).unwrap_err();
            assert_eq!(failure.exit_code, 2, "{bad}");
            assert_eq!(failure.problems[0].parameter, "TASK_ID");
        }
    }

    #[test]
    fn lifecycles_case_insensitive() {
        assert_eq!(
            check_lifecycle(Some("failed")).unwrap().as_deref(),
            Some("FAILED")
        );
        assert_eq!(check_lifecycle(None).unwrap(), None);
        let failure = check_lifecycle(Some("DONE")).unwrap_err();
        assert_eq!(failure.problems[0].parameter, "--lifecycle");
        assert!(failure.problems[0].fix.contains("SUCCEEDED"));
    }

    #[test]
    fn failed_means_failed_or_canceled_or_failed_files() {
        let task = |lifecycle: &str, failed: Option<i64>| Task {
            task_id: "task-0123456789abcdef0".into(),
            task_type: "EXPORT_TO_REPOSITORY".into(),
            lifecycle: lifecycle.into(),
            start: None,
            end: None,
            succeeded: None,
            failed,
            total: None,
            failure: None,
            report: None,
        };
        assert!(task("FAILED", None).failed_outright());
        assert!(task("CANCELED", None).failed_outright());
        assert!(task("SUCCEEDED", Some(2)).failed_outright());
        assert!(!task("SUCCEEDED", Some(0)).failed_outright());
        assert!(!task("EXECUTING", Some(3)).failed_outright());
        assert!(task("EXECUTING", None).is_running());
    }
}
