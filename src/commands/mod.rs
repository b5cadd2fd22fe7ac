//! The command line's side of each command: its arguments become a plain request, the
//! workflow runs, and the outcome is printed. This module only dispatches; no command
//! module uses another.

mod artifact;
pub mod deploy;
pub mod destroy;
mod diff;
mod docs;
mod fleet;
mod plan;
pub mod run;
mod schedule;
pub mod status;
mod switch;
mod tasks;
mod template;
mod validate;

use crate::cli::{Cli, Command};
use crate::error::Failure;
use crate::output::Printer;

pub fn run(cli: Cli, ui: &Printer) -> Result<(), Failure> {
    let global = &cli.global;
    match &cli.command {
        Command::Validate(args) => match &args.fleet {
            Some(file) => fleet::validate(file, global, ui),
            None => validate::run(args, global, ui),
        },
        Command::Schedule(args) => schedule::run(args, ui),
        Command::Template(args) => template::run(args, ui),
        Command::Plan(args) => plan::run(args, global, ui),
        Command::Deploy(command) => match &command.args.fleet {
            Some(file) => fleet::deploy(command, file, global, ui),
            None => deploy::run(command, global, ui),
        },
        Command::Diff(args) => match &args.fleet {
            Some(file) => fleet::diff(args, file, global, ui),
            None => diff::run(args, global, ui),
        },
        Command::Destroy(args) => match &args.fleet {
            Some(file) => fleet::destroy(args, file, global, ui),
            None => destroy::run(args, global, ui),
        },
        Command::Status(args) => match &args.fleet {
            Some(file) => fleet::status(args, file, global, ui),
            None => status::run(args, global, ui),
        },
        Command::Run(args) => run::run(args, global, ui),
        Command::Pause(args) => switch::run(args, false, global, ui),
        Command::Resume(args) => switch::run(args, true, global, ui),
        Command::Tasks(args) => tasks::run(args, global, ui),
        Command::Completions(args) => docs::completions(args.shell),
        Command::Man(args) => docs::man(args.out_dir.as_deref()),
        Command::Artifact(args) => artifact::run(args, ui),
    }
}
