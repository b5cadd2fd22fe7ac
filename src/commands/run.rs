//! `fsx-drt run`: exit 1 when the task it waited for did not end cleanly.

use std::time::Instant;

use crate::cli::{GlobalArgs, RunArgs};
use crate::error::{Exit, Failure};
use crate::output::Printer;
use crate::workflows::run::{self, RunRequest};
use crate::workflows::{check_stack_name, session};

pub fn request(args: &RunArgs) -> RunRequest {
    RunRequest {
        stack_name: args.stack_name.clone(),
        wait: args.wait,
        direct: args.direct,
        timeout: args.timeout,
        schedule: args.schedule.clone(),
    }
}

pub fn run(args: &RunArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = request(args);
    check_stack_name(&request.stack_name)?;
    let stopped = Failure::new(Exit::Interrupted, run::left(&request.stack_name), None);
    let ran = session::start(
        &global.connection(),
        ui,
        global.interactive(),
        stopped,
        async |session| run::execute(session, &request, started).await,
    )?;
    ui.outcome(&ran)?;
    if ran.failed() {
        Err(Failure::exit_only(Exit::Failed))
    } else {
        Ok(())
    }
}
