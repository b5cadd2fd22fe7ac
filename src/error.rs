//! Failures and the exit codes they map to. Each exit code means one thing.

use std::fmt;

use serde::Serialize;

use crate::params::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// The operation failed (AWS said no, the stack rolled back, ...).
    Failed,
    /// Invalid input or usage; nothing was touched.
    Invalid,
    /// The stack is in a state only a person can get it out of.
    ManualAction,
    /// The operation is still running when the time allowed ran out.
    TimedOut,
    /// Ctrl-C: fsx-drt stopped; the stack operation, if started, goes on.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Failed => 1,
            Exit::Invalid => 2,
            Exit::ManualAction => 3,
            Exit::TimedOut => 4,
            Exit::Interrupted => 130,
        }
    }
}

/// Why a command did not succeed, with every problem and what to do next.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    #[serde(skip)]
    pub exit: Exit,
    pub error: String,
    /// What a person needs after the one-line error: a failure report, say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub exit_code: u8,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<String>, help: Option<String>) -> Self {
        Failure {
            exit,
            error: error.into(),
            detail: None,
            problems: Vec::new(),
            help,
            exit_code: exit.code(),
        }
    }

    /// Only an exit code: what went wrong was printed as the result (status: unhealthy).
    pub fn exit_only(exit: Exit) -> Self {
        Failure::new(exit, "", None)
    }

    /// Invalid input: every problem, nothing touched.
    pub fn invalid(what: &str, problems: Vec<Problem>) -> Self {
        let count = problems.len();
        let error = if count == 1 {
            format!("{what}: 1 problem; nothing was changed")
        } else {
            format!("{what}: {count} problems; nothing was changed")
        };
        Failure {
            problems,
            ..Failure::new(Exit::Invalid, error, None)
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.error)?;
        if let Some(detail) = &self.detail {
            writeln!(f)?;
            write!(f, "{detail}")?;
        }
        for problem in &self.problems {
            writeln!(f)?;
            for (i, line) in problem.to_string().lines().enumerate() {
                let bullet = if i == 0 { "  - " } else { "    " };
                writeln!(f, "{bullet}{line}")?;
            }
        }
        if let Some(help) = &self.help {
            writeln!(f, "help: {help}")?;
        }
        Ok(())
    }
}
