//! What deploy and destroy make of a CloudFormation stack: what to do with the stack that is
//! there, the change set in words, progress while it runs, and, when it fails, which failure
//! caused the others.
//!
//! Peers print every event and leave the reader to find the one that matters among the
//! "Resource creation cancelled" it caused; here the root cause comes first. Everything is
//! pure: the command layer turns SDK types into these structs, does the calls and prints.

pub mod change_set;
pub mod decision;
pub mod events;
pub mod status;

pub use change_set::{
    change_set_execution, is_no_changes_reason, parameter_changes, Change, ChangeSetSummary,
    Executable, ParameterChange,
};
pub use decision::{decide, maker, Existing, Maker, FSX_DRT_MARK};
pub use events::{
    chronological, event_line, failure_report, progress, root_cause, FailureReport, Progress,
    StackEvent, STACK_TYPE,
};
pub use status::{
    is_success, is_terminal, next_poll_delay, operation_end, operation_started, request_token,
    Operation, Selector,
};

#[cfg(test)]
mod fixtures;
