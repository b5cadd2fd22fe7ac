//! `fsx-drt diff`: deploy's inputs and checks, its change set shown and deleted.

use std::time::Instant;

use crate::cli::{DeployArgs, GlobalArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest, Diffed};

pub fn run(args: &DeployArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let started = Instant::now();
    let request = DeployRequest {
        diff: true,
        ..args.request()?
    };
    let prepared = deploy::prepare(&request)?;
    let (connection, interactive) = (global.connection(), global.interactive());
    let deployed = deploy::run(&request, prepared, &connection, ui, interactive, started)?;
    ui.outcome(&Diffed::from(deployed))
}
