//! `fsx-drt deploy`: the flags as a [`DeployRequest`], checked offline, then run in a session.

use std::time::Instant;

use crate::cli::{DeployArgs, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest};

pub fn request(args: &DeployArgs) -> DeployRequest {
    DeployRequest {
        stack_name: args.stack_name.clone(),
        lambda_zip: args.lambda_zip.clone(),
        artifact_bucket: args.artifact_bucket.clone(),
        yes: args.yes,
        timeout: args.timeout,
        outputs_file: args.outputs_file.clone(),
        any_stack: args.any_stack,
        guided: args.guided,
        inputs: args.params.inputs(),
    }
}

pub fn run(args: &DeployArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = request(args);
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
