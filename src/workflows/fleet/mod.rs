//! A fleet: many file systems, regions and accounts from one file, one stack per member.
//!
//! The file ([`file`]) becomes a plan, one [`Member`] per stack with its checked
//! definition; an engine then carries out an [`Operation`] on every member and reports a row
//! per member ([`Fleet`]). Two engines, chosen by the file: for one account, [`run`] (the
//! one-stack workflows, several members at once, with its change sets and the stacks of
//! members that left); when a member names another account, [`stack_set`] (one
//! CloudFormation stack set, an instance per member), taking the same members and giving
//! the same result.

mod change_sets;
mod departed;
pub mod file;
mod outcome;
mod run;
pub mod stack_set;

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;

pub use departed::Departed;
pub use file::{FleetFile, Member};
pub use outcome::{Fleet, MemberResult, State, Summary};
pub use run::{run, Connect, Engine, STAGGER};

use crate::artifact::Artifact;
use crate::aws::{Aws, Connection};
use crate::error::Failure;
use crate::output::Printer;
use crate::params::Problem;

/// The members working at once by default.
pub const CONCURRENCY: usize = 4;

/// What is done to every member's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Diff,
    Deploy,
    /// deploy `--change-set-only`: every member's change set made and kept.
    Review,
    /// deploy `--execute-change-set NAME` (the name in [`FleetRequest::change_set`]).
    Execute,
    Status,
    Destroy,
}

impl Operation {
    pub fn word(self) -> &'static str {
        match self {
            Operation::Diff => "diff",
            Operation::Deploy | Operation::Execute => "deploy",
            Operation::Review => "change set",
            Operation::Status => "status",
            Operation::Destroy => "delete",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FleetRequest {
    pub file: PathBuf,
    pub operation: Operation,
    /// Members working at once (at least 1).
    pub concurrency: usize,
    /// After a member fails, members not yet started are not started.
    pub fail_fast: bool,
    /// Approved in advance (deploy, destroy).
    pub yes: bool,
    /// How long each member's stack operation is followed.
    pub timeout: Duration,
    /// status: skip drift detection.
    pub no_drift: bool,
    /// The Lambda artifact deploy uploads (deploy and diff).
    pub artifact: Option<Artifact>,
    /// The StackSets engine's settings (members in other accounts).
    pub stack_set: stack_set::StackSetOptions,
    /// The kept change sets' name (`--execute-change-set`).
    pub change_set: Option<String>,
    /// `--region` (else `AWS_REGION`): searched with the members' regions for stacks that
    /// left the fleet.
    pub region: Option<String>,
}

/// The fleet file read and checked offline; `region` is `--region`, for members without one.
pub fn load(path: &std::path::Path, region: Option<&str>) -> Result<FleetFile, Failure> {
    let name = path.display().to_string();
    let bytes = super::inputs::read_at_most(path, crate::params::MAX_FILE_BYTES).map_err(|e| {
        Failure::invalid(
            "cannot read the fleet file",
            vec![Problem::new(
                "--fleet",
                Some(&name),
                fsx_drt_core::Invalid::new(
                    format!("cannot read {name}: {e}"),
                    "give the path of an existing, readable file",
                ),
            )],
        )
    })?;
    file::read(&name, &bytes, region, Utc::now())
}

/// `--execute-change-set` with a fleet: a change set's name (every member has its own ARN).
pub fn check_change_set_name(name: &str) -> Result<(), Failure> {
    crate::workflows::deploy::check_change_set_name(name)?;
    if !name.starts_with("arn:") {
        return Ok(());
    }
    Err(Failure::invalid(
        "a fleet's change sets are named, not given by ARN",
        vec![Problem::new(
            "--execute-change-set",
            Some(name),
            fsx_drt_core::Invalid::new(
                "an ARN names one member's change set; a fleet's share a name",
                "give the name deploy --fleet --change-set-only printed",
            ),
        )],
    ))
}

/// `validate --fleet`: a row per member, nothing asked of AWS.
pub fn validated(fleet: &FleetFile) -> Fleet {
    let rows = (fleet.members.iter())
        .map(|m| {
            let mut row = MemberResult::new(m, "validate");
            row.state = State::Succeeded;
            row.result = "valid".into();
            row
        })
        .collect();
    Fleet::new(rows)
}

/// Runs the request on every member with clients for each member's region; the fleet's
/// result and whether Ctrl-C stopped it.
pub fn start(
    request: &FleetRequest,
    fleet: &FleetFile,
    connection: &Connection,
    ui: &Printer,
    interactive: bool,
) -> Result<(Fleet, bool), Failure> {
    let stopped = Failure::new(
        crate::error::Exit::Interrupted,
        "interrupted; members' stack operations that had started go on",
        Some(format!(
            "see where they are: fsx-drt status --fleet {}",
            request.file.display()
        )),
    );
    crate::interrupt::block_on(stopped, async |interrupt| {
        let connect = |region: &str| -> futures_util::future::LocalBoxFuture<'_, _> {
            let connection = Connection {
                region: Some(region.to_string()),
                ..connection.clone()
            };
            Box::pin(async move { Aws::connect(&connection).await })
        };
        let engine = Engine {
            ui,
            interrupt,
            interactive,
            connect: &connect,
        };
        let fleet = run(&engine, request, fleet).await?;
        Ok((fleet, interrupt.is_raised()))
    })
}
