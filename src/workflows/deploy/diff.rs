//! `fsx-drt diff`: what deploy would change, and nothing left behind. The same inputs,
//! checks and change set as deploy; the change set is then deleted (with the empty stack
//! CloudFormation makes for a new one), even on Ctrl-C or error.

use std::fmt;

use serde::Serialize;

use super::Deployed;
use crate::stack::{Change, ChangeSetSummary, ParameterChange};

/// The changes a deploy would make: a stack that does not exist shows every resource as Add.
#[derive(Debug, Serialize)]
pub struct Diffed {
    pub stack_name: String,
    pub has_changes: bool,
    pub changes: Vec<Change>,
    pub parameters: Vec<ParameterChange>,
}

impl From<Deployed> for Diffed {
    fn from(deployed: Deployed) -> Diffed {
        Diffed {
            stack_name: deployed.stack_name,
            has_changes: !deployed.changes.is_empty() || !deployed.parameter_changes.is_empty(),
            changes: deployed.changes,
            parameters: deployed.parameter_changes,
        }
    }
}

impl fmt::Display for Diffed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_changes {
            return writeln!(f, "Stack {} is up to date: no changes.", self.stack_name);
        }
        let summary = ChangeSetSummary {
            changes: self.changes.clone(),
            parameters: self.parameters.clone(),
        };
        write!(f, "{summary}")
    }
}
