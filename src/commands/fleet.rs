//! `--fleet FILE` on validate, diff, deploy (also `--change-set-only` and
//! `--execute-change-set`), status and destroy: the file checked offline
//! (exit 2 naming every problem's member and place), then every member's stack; one table,
//! or one JSON object, as the result.

use std::path::Path;

use crate::artifact::Artifact;
use crate::aws::Preferences;
use crate::cli::{DeployArgs, DeployCommand, DestroyArgs, GlobalArgs, StackSetArgs, StatusArgs};
use crate::error::Failure;
use crate::output::Printer;
use crate::workflows::fleet::stack_set::StackSetOptions;
use crate::workflows::fleet::{self, FleetRequest, Operation};

pub fn validate(path: &Path, global: &GlobalArgs, ui: &Printer) -> Result<(), Failure> {
    let fleet = fleet::load(path, region(global).as_deref())?;
    fleet::stack_set::check_offline(&fleet.members)?;
    ui.outcome(&fleet::validated(&fleet))
}

pub fn deploy(
    command: &DeployCommand,
    file: &Path,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    let operation = match (command.change_set_only, &command.execute_change_set) {
        (true, _) => Operation::Review,
        (false, Some(name)) => {
            fleet::check_change_set_name(name)?;
            Operation::Execute
        }
        (false, None) => Operation::Deploy,
    };
    let request = FleetRequest {
        fail_fast: command.fail_fast,
        change_set: command.execute_change_set.clone(),
        ..changes(&command.args, file, operation)
    };
    run(request, command.args.lambda_zip.as_deref(), global, ui)
}

pub fn diff(
    args: &DeployArgs,
    file: &Path,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    let request = changes(args, file, Operation::Diff);
    run(request, args.lambda_zip.as_deref(), global, ui)
}

pub fn status(
    args: &StatusArgs,
    file: &Path,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    let request = FleetRequest {
        timeout: args.timeout,
        no_drift: args.no_drift,
        ..request(file, Operation::Status)
    };
    run(request, None, global, ui)
}

pub fn destroy(
    args: &DestroyArgs,
    file: &Path,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    let request = FleetRequest {
        yes: args.yes,
        timeout: args.timeout,
        stack_set: stack_set(&args.stack_set),
        ..request(file, Operation::Destroy)
    };
    run(request, None, global, ui)
}

/// The Region of members without one: `--region`, else `AWS_REGION` (a profile's region
/// would need the profile read: give Region in the file then).
fn region(global: &GlobalArgs) -> Option<String> {
    let env = std::env::var("AWS_REGION").ok();
    global.region.clone().or(env).filter(|r| !r.is_empty())
}

/// The StackSets flags as the engine takes them.
fn stack_set(args: &StackSetArgs) -> StackSetOptions {
    StackSetOptions {
        organizational_units: args.organizational_units.clone(),
        administration_role_arn: args.administration_role_arn.clone(),
        execution_role_name: args.execution_role_name.clone(),
        preferences: Preferences {
            max_concurrent_percentage: args.max_concurrent_percentage,
            failure_tolerance_percentage: args.failure_tolerance_percentage,
            region_order: args.region_order.clone(),
            regions_in_parallel: args.regions_in_parallel,
            soft_failure_tolerance: args.soft_failure_tolerance,
        },
        ..StackSetOptions::default()
    }
}

fn changes(args: &DeployArgs, file: &Path, operation: Operation) -> FleetRequest {
    FleetRequest {
        stack_set: stack_set(&args.stack_set),
        concurrency: usize::from(args.concurrency),
        yes: args.yes,
        timeout: args.timeout,
        ..request(file, operation)
    }
}

fn request(file: &Path, operation: Operation) -> FleetRequest {
    FleetRequest {
        file: file.to_path_buf(),
        operation,
        concurrency: fleet::CONCURRENCY,
        fail_fast: false,
        yes: false,
        timeout: std::time::Duration::from_secs(30 * 60),
        no_drift: false,
        artifact: None,
        stack_set: StackSetOptions::default(),
        change_set: None,
        region: None,
    }
}

/// The file checked offline first, then the artifact (deploy and diff), then AWS.
fn run(
    mut request: FleetRequest,
    lambda_zip: Option<&Path>,
    global: &GlobalArgs,
    ui: &Printer,
) -> Result<(), Failure> {
    request.region = region(global);
    let fleet = fleet::load(&request.file, request.region.as_deref())?;
    let uploads = [Operation::Deploy, Operation::Diff, Operation::Review];
    if uploads.contains(&request.operation) {
        request.artifact = Some(Artifact::load(lambda_zip)?);
    }
    let connection = global.connection();
    let (fleet, interrupted) =
        fleet::start(&request, &fleet, &connection, ui, global.interactive())?;
    ui.outcome(&fleet)?;
    match fleet.exit(interrupted) {
        None => Ok(()),
        Some(exit) => Err(Failure::exit_only(exit)),
    }
}
