//! `fsx-drt deploy`: the flags as a [`DeployRequest`], checked offline, then run in a session.

use std::time::Instant;

use crate::cli::{DeployArgs, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest};

pub fn request(args: &DeployArgs) -> Result<DeployRequest, Failure> {
    args.request()
}

pub fn run(args: &DeployArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = request(args)?;
    if request.guided {
        // Before anything else: nobody would answer.
        deploy::check_guided(global.interactive())?;
    }
    let prepared = deploy::prepare(&request)?;
    let deployed = deploy::run(
        &request,
        prepared,
        &global.connection(),
        ui,
        global.interactive(),
        started,
    )?;
    ui.outcome(&deployed)
}
