//! A data repository task as fsx-drt shows it (status, tasks, run), and the rules for the
//! task ids and lifecycles a person types.

use std::fmt;

use fsx_drt_core::lifecycle;
use serde::Serialize;

use crate::error::Failure;
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
    /// The task's Report.Path, when it writes a report.
    #[serde(skip)]
    pub report_path: Option<String>,
    #[serde(skip)]
    pub file_system_id: Option<String>,
    /// The task's ARN (its tags name the schedule that made it).
    #[serde(skip)]
    pub arn: Option<String>,
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

/// Exit 2 naming the flag, its value and the fix.
pub fn invalid(flag: &str, value: &str, problem: &str, fix: &str) -> Failure {
    Failure::invalid(
        &format!("invalid {flag}"),
        vec![Problem::new(
            flag,
            Some(value),
            fsx_drt_core::Invalid::new(problem, fix),
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

pub fn check_lifecycle(value: Option<&str>) -> Result<Option<String>, Failure> {
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
            report_path: None,
            file_system_id: None,
            arn: None,
        };
        assert!(task("FAILED", None).failed_outright());
        assert!(task("CANCELED", None).failed_outright());
        assert!(task("SUCCEEDED", Some(2)).failed_outright());
        assert!(!task("SUCCEEDED", Some(0)).failed_outright());
        assert!(!task("EXECUTING", Some(3)).failed_outright());
        assert!(task("EXECUTING", None).is_running());
    }
}
