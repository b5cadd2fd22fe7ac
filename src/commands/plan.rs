//! `fsx-drt plan`: the request each scheduled run would send.

use crate::cli::{GlobalArgs, PlanArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::plan::{self, PlanRequest};

pub fn run(args: &PlanArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let request = PlanRequest {
        inputs: args.params.inputs(),
        repositories: args.repositories.clone(),
    };
    let planned = plan::run(&request, &global.connection(), global.interactive(), ui)?;
    ui.outcome(&planned)
}
