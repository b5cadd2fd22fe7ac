use std::process::ExitCode;

use clap::Parser;
use fsx_drt::cli::Cli;
use fsx_drt::output::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.output);
    match fsx_drt::commands::run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // If even the failure can't be written, the exit code still tells.
            if !failure.error.is_empty() {
                let _ = printer.failure(&failure);
            }
            ExitCode::from(failure.exit.code())
        }
    }
}
