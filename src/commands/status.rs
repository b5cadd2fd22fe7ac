//! `fsx-drt status`: exit 0 healthy, 1 unhealthy (drifted included), 2 no stack.

use crate::cli::{GlobalArgs, StatusArgs};
use crate::error::{Exit, Failure};
use crate::interrupt::unchanged;
use crate::output::Printer;
use crate::workflows::status::{self, drift, StatusRequest};
use crate::workflows::{check_stack_name, session};

pub fn request(args: &StatusArgs) -> StatusRequest {
    StatusRequest {
        stack_name: args.stack_name.clone(),
        watch: args.watch,
        any_stack: args.any_stack,
        timeout: args.timeout,
        drift: (!args.no_drift).then_some(drift::WAIT),
    }
}

pub fn run(args: &StatusArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let request = request(args);
    check_stack_name(&request.stack_name)?;
    let status = session::start(
        &global.connection(),
        ui,
        global.interactive(),
        unchanged(),
        async |session| status::gather(session, &request).await,
    )?;
    ui.outcome(&status)?;
    if status.healthy {
        Ok(())
    } else {
        Err(Failure::exit_only(Exit::Failed))
    }
}
