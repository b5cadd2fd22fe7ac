//! `fsx-drt destroy`: the flags as a [`DestroyRequest`], then the deletion in a session.

use std::time::Instant;

use crate::cli::{DestroyArgs, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::destroy::{self, DestroyRequest};
use crate::workflows::{check_stack_name, follow, session};

pub fn request(args: &DestroyArgs) -> DestroyRequest {
    DestroyRequest {
        stack_name: args.stack_name.clone(),
        yes: args.yes,
        retain: args.retain.clone(),
        any_stack: args.any_stack,
        timeout: args.timeout,
        role_arn: args.role_arn.clone(),
    }
}

pub fn run(args: &DestroyArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = request(args);
    check_stack_name(&request.stack_name)?;
    if let Some(role) = &request.role_arn {
        crate::stack_options::check_role_arn("--role-arn", role)
            .map_err(|p| Failure::invalid("invalid --role-arn", vec![p]))?;
    }
    let stopped = follow::interrupted(&request.stack_name, "deletion");
    let destroyed = session::start(
        &global.connection(),
        ui,
        global.interactive(),
        stopped,
        async |session| destroy::execute(session, &request, started).await,
    )?;
    ui.outcome(&destroyed)
}
