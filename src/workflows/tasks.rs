//! `fsx-drt tasks`: the data repository tasks of the stack's file system, newest first; and
//! `fsx-drt tasks cancel TASK_ID`.

use std::fmt;

use serde::Serialize;

use super::existing_stack;
use crate::aws::{Aws, ErrorKind};
use crate::error::{Exit, Failure};
use crate::params::Param;
use crate::task::Task;

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

/// The stack's file system's tasks (tests pass mocked clients).
pub async fn list(
    aws: &Aws,
    stack_name: &str,
    lifecycle: Option<&str>,
    limit: usize,
) -> Result<TaskList, Failure> {
    let stack = existing_stack(aws, stack_name, false).await?;
    let fs_id = stack.parameter(Param::FileSystemId.key()).ok_or_else(|| {
        Failure::new(
            Exit::Failed,
            format!("stack {stack_name} has no FileSystemId parameter: is it an fsx-drt stack?"),
            Some("check --stack-name".into()),
        )
    })?;
    let tasks = aws
        .tasks(fs_id)
        .await?
        .into_iter()
        .filter(|t| lifecycle.is_none_or(|l| t.lifecycle == l))
        .take(limit)
        .collect();
    Ok(TaskList {
        stack_name: stack_name.to_string(),
        tasks,
        file_system_id: fs_id.to_string(),
        lifecycle: lifecycle.map(str::to_string),
    })
}

pub async fn cancel(aws: &Aws, task_id: &str) -> Result<Canceled, Failure> {
    match aws.cancel_task(task_id).await {
        Ok((task_id, lifecycle)) => Ok(Canceled { task_id, lifecycle }),
        Err(e) if e.is(&ErrorKind::NotFound) => Err(Failure::new(
            Exit::Invalid,
            format!("there is no task {task_id} in region {}", aws.region),
            Some("list the tasks with fsx-drt tasks --stack-name NAME (and check --region)".into()),
        )),
        Err(e) if e.code() == Some("DataRepositoryTaskEnded") => Err(Failure::new(
            Exit::Failed,
            format!("task {task_id} has already ended: {}", e.message),
            Some("nothing to cancel; fsx-drt tasks --stack-name NAME shows how it ended".into()),
        )),
        Err(e) => Err(e.into()),
    }
}
