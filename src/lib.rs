//! fsx-drt: deploy, inspect and remove a scheduler for Amazon FSx for Lustre data repository
//! tasks. `main` only parses the command line and maps the result to an exit code; the
//! domain modules (`params`, `schedule`, `template`) are pure and hold most of the tests.

pub mod artifact;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod error;
pub mod file_system;
pub mod interrupt;
pub mod outfile;
pub mod output;
pub mod params;
pub mod schedule;
pub mod stack;
pub mod template;
