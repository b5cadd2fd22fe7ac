//! fsx-drt: deploy, inspect and remove a scheduler for Amazon FSx for Lustre data repository
//! tasks. `main` only parses the command line and maps the result to an exit code.
//!
//! - `cli`, `commands`: the command line (clap) and, per command, arguments into a request
//!   and the outcome onto the screen;
//! - `workflows`: what each command does, on plain requests in a session;
//! - `aws`: the one seam to AWS, one module per service with typed results;
//! - `definition` (the stack and its named schedules), `params`, `schedule`, `stack`,
//!   `template`, `task`, `file_system`, `artifact`: pure domain rules, holding most of the
//!   tests;
//! - `output`, `interrupt`, `error`, `outfile`: the screen, Ctrl-C, failures, files written.

pub mod artifact;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod definition;
pub mod error;
pub mod file_system;
pub mod interrupt;
pub mod outfile;
pub mod output;
pub mod params;
pub mod schedule;
pub mod stack;
pub mod stack_options;
pub mod task;
pub mod template;
pub mod workflows;
