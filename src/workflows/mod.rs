//! What fsx-drt does, one module per workflow. Each takes a plain request and a
//! [`Session`](session::Session) (AWS clients, the UI, the interrupt) and returns a typed
//! outcome that is both `Display` (text) and `Serialize` (`--output json`), or a [`Failure`].
//! None of them knows about command-line parsing.

pub mod deferrals;
pub mod deploy;
pub mod destroy;
pub mod fleet;
pub mod follow;
pub mod inputs;
pub mod plan;
pub mod poll;
pub mod run;
pub mod session;
pub mod status;
pub mod tasks;
pub mod upcoming;
pub mod validate;

use crate::aws::{Aws, StackView};
use crate::error::{Exit, Failure};
use crate::params::{self, Problem};
use crate::stack::{self, Maker};

/// A stack name CloudFormation accepts, or exit 2 before any AWS call.
pub fn check_stack_name(name: &str) -> Result<(), Failure> {
    params::parse_stack_name(name).map(drop).map_err(|invalid| {
        Failure::invalid(
            "invalid stack name",
            vec![Problem::new("--stack-name", Some(name), invalid)],
        )
    })
}

/// The stack, or exit 2 when there is none (or it is not fsx-drt's, see [`check_maker`]).
pub async fn existing_stack(aws: &Aws, name: &str, any_stack: bool) -> Result<StackView, Failure> {
    let stack = aws.describe_stack(name).await?.ok_or_else(|| {
        Failure::new(
            Exit::Invalid,
            format!("there is no stack {name} in region {}", aws.region),
            Some("check --stack-name and --region, or deploy it with fsx-drt deploy".into()),
        )
    })?;
    check_maker(&stack, any_stack)?;
    Ok(stack)
}

/// A stack fsx-drt did not make (nor the reference solution) is not fsx-drt's to change,
/// delete or call healthy: exit 2 naming what was found, unless `--any-stack` says so.
pub fn check_maker(stack: &StackView, any_stack: bool) -> Result<(), Failure> {
    let Maker::Other(description) = stack::maker(stack.description.as_deref()) else {
        return Ok(());
    };
    if any_stack {
        return Ok(());
    }
    let found = match description {
        Some(d) => format!("its description is {d:?}"),
        None => "it has no description".to_string(),
    };
    Err(Failure::new(
        Exit::Invalid,
        format!(
            "stack {} was not made by fsx-drt ({found}); nothing was changed",
            stack.name
        ),
        Some(format!(
            "check --stack-name; fsx-drt's stacks have a description starting with {:?}. To act on this one all the same, pass --any-stack (deploy replaces its template and its resources, destroy deletes it)",
            stack::FSX_DRT_MARK
        )),
    ))
}

/// A schedule the stack does not have: exit 2 naming it, and the ones it has.
pub fn no_such_schedule(stack: &str, name: &str, names: &[&str]) -> Failure {
    Failure::invalid(
        "no such schedule",
        vec![Problem::new(
            "--schedule",
            Some(name),
            fsx_drt_core::Invalid::new(
                format!("stack {stack} has no schedule {name}"),
                format!("give one of: {}", names.join(", ")),
            ),
        )],
    )
}

/// Termination protection stops a deletion before it starts: exit 3 with the way out.
pub fn check_deletable(stack: &StackView) -> Result<(), Failure> {
    if !stack.termination_protection {
        return Ok(());
    }
    let name = &stack.name;
    Err(Failure::new(
        Exit::ManualAction,
        format!("stack {name} has termination protection on; nothing was deleted"),
        Some(format!(
            "if it really should go, lift the protection with `aws cloudformation \
             update-termination-protection --no-enable-termination-protection --stack-name \
             {name}`, then run the command again"
        )),
    ))
}
