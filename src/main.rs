use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use fsx_drt::cli::{Cli, OutputFormat};
use fsx_drt::error::{Exit, Failure};
use fsx_drt::output::Printer;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error, &args),
    };
    let printer = Printer::new(cli.global.output);
    match fsx_drt::commands::run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => fail(&printer, &failure),
    }
}

fn fail(printer: &Printer, failure: &Failure) -> ExitCode {
    // If even the failure can't be written, the exit code still tells.
    if !failure.error.is_empty() {
        let _ = printer.failure(failure);
    }
    ExitCode::from(failure.exit.code())
}

/// A command line clap refuses. `--output json` promises one JSON object for every failure,
/// so it is looked for in the raw arguments clap could not parse.
fn usage_error(error: &clap::Error, args: &[OsString]) -> ExitCode {
    let json = args.iter().enumerate().any(|(i, arg)| {
        arg == "--output=json"
            || (arg == "--output" && args.get(i + 1).is_some_and(|v| v == "json"))
    });
    if !json || !error.use_stderr() {
        // Help and --version (stdout, exit 0), or a usage error for people: clap's own text.
        error.exit();
    }
    let text = error.render().to_string();
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let mut failure = Failure::new(
        Exit::Invalid,
        first.trim_start_matches("error: "),
        Some("run fsx-drt --help, or fsx-drt COMMAND --help".into()),
    );
    let rest = rest.trim();
    if !rest.is_empty() {
        failure.detail = Some(format!("{rest}\n"));
    }
    fail(&Printer::new(OutputFormat::Json), &failure)
}
