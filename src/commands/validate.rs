//! `fsx-drt validate`: the parameters checked offline.

use crate::cli::{GlobalArgs, ValidateArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::validate::{self, ValidateRequest};

pub fn run(args: &ValidateArgs, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let request = ValidateRequest {
        stack_name: args.stack_name.clone(),
        after: args.after,
        inputs: args.params.inputs(),
    };
    let valid = validate::run(&request, global.interactive(), ui)?;
    ui.outcome(&valid)
}
