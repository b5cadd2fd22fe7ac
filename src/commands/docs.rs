//! `fsx-drt completions SHELL` and `fsx-drt man`: generated from the command line itself.

use crate::cli::Cli;
use crate::error::Failure;
use crate::output::{unwritten, write_out};

pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "fsx-drt", &mut script);
    write_out(&String::from_utf8_lossy(&script)).map_err(unwritten)
}

/// The man page on stdout, or one page per command written into `dir`.
pub fn man(dir: Option<&std::path::Path>) -> Result<(), Failure> {
    let command = <Cli as clap::CommandFactory>::command();
    let written = match dir {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .and_then(|()| write_out(&String::from_utf8_lossy(&page)))
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
    };
    written.map_err(unwritten)
}
