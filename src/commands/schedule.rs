//! `fsx-drt schedule EXPR [--timezone ZONE]`: the next fire times, one per line.

use crate::cli::ScheduleArgs;
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::upcoming::upcoming;

pub fn run(args: &ScheduleArgs, ui: &Printer) -> Result<(), Failure> {
    let outcome = upcoming(
        &args.expression,
        &args.timezone,
        args.after,
        args.count as usize,
    )?;
    if let Some(note) = &outcome.note {
        ui.note(note);
    }
    ui.outcome(&outcome)
}
