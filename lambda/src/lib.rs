//! The rules the fsx-drt Lambda and the CLI share.
//!
//! The Lambda reads its configuration from the environment the CloudFormation template sets;
//! the CLI validates the same values before deploying. Both go through the parsers here, so a
//! value the CLI accepts is exactly a value the Lambda can run with.

pub mod config;
pub mod paths;

pub use config::{FileSystemId, ReportPath, TaskType};
pub use paths::{parse_paths, render_paths, FsPath};

/// Why a value was refused: what is wrong (and what is allowed), and how to fix it.
///
/// The caller knows the value's name (a CLI parameter or a Lambda environment variable) and
/// adds it when reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub problem: String,
    pub fix: String,
}

impl Invalid {
    pub fn new(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; fix: {}", self.problem, self.fix)
    }
}
