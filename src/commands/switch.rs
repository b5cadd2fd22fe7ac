//! `fsx-drt pause` and `fsx-drt resume`: a deploy of the stack's own schedules with one (or
//! all) switched off or on.

use std::time::Instant;

use crate::cli::{GlobalArgs, SwitchArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest, Job, Switch};

pub fn run(
    args: &SwitchArgs,
    enabled: bool,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    let started = Instant::now();
    let request = DeployRequest {
        stack_name: args.stack_name.clone(),
        lambda_zip: None,
        artifact_bucket: None,
        yes: args.yes,
        timeout: args.timeout,
        outputs_file: None,
        any_stack: false,
        guided: false,
        options: Default::default(),
        mode: Default::default(),
        inputs: Default::default(),
    };
    let switch = Switch {
        schedule: args.schedule.clone(),
        enabled,
    };
    let prepared = deploy::prepare_switch(&request, switch)?;
    let (connection, interactive) = (global.connection(), global.interactive());
    let job = Job::Deploy(Box::new(prepared));
    let deployed = deploy::run(&request, job, &connection, ui, interactive, started)?;
    ui.outcome(&deployed)
}
