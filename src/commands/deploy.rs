//! `fsx-drt deploy`: the flags as a [`DeployRequest`], checked offline, then run in a session;
//! `--change-set-only` keeps the change set, `--execute-change-set` runs a kept one.

use std::time::Instant;

use crate::cli::{DeployArgs, DeployCommand, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest, Job, Kept, Mode};

pub fn request(args: &DeployArgs) -> Result<DeployRequest, Failure> {
    args.request()
}

pub fn run(command: &DeployCommand, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let mut request = request(&command.args)?;
    let (connection, interactive) = (global.connection(), global.interactive());
    if let Some(name) = &command.execute_change_set {
        deploy::check_change_set_name(name)?;
        crate::workflows::check_stack_name(&request.stack_name)?;
        let job = Job::Execute(name.clone());
        let deployed = deploy::run(&request, job, &connection, ui, interactive, started)?;
        return ui.outcome(&deployed);
    }
    if command.change_set_only {
        request.mode = Mode::Keep;
    }
    if request.guided {
        // Before anything else: nobody would answer.
        deploy::check_guided(interactive)?;
    }
    let prepared = deploy::prepare(&request)?;
    let job = Job::Deploy(Box::new(prepared));
    let deployed = deploy::run(&request, job, &connection, ui, interactive, started)?;
    match request.mode {
        Mode::Keep => ui.outcome(&Kept::from(deployed)),
        _ => ui.outcome(&deployed),
    }
}
