//! `fsx-drt diff`: deploy's inputs and checks, its change set shown and deleted.

use std::time::Instant;

use crate::cli::{DeployArgs, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest, Diffed, Job, Mode};

pub fn run(args: &DeployArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = DeployRequest {
        mode: Mode::Diff,
        ..args.request()?
    };
    let prepared = deploy::prepare(&request)?;
    let (connection, interactive) = (global.connection(), global.interactive());
    let job = Job::Deploy(Box::new(prepared));
    let deployed = deploy::run(&request, job, &connection, ui, interactive, started)?;
    ui.outcome(&Diffed::from(deployed))
}
