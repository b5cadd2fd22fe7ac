//! `fsx-drt plan`: the exact CreateDataRepositoryTask request each scheduled run sends, from
//! the parameters and the file system's data repositories (from FSx, or `--repositories`).

use std::fmt;
use std::path::Path;

use fsx_drt_core::plan::{plan, Association, PlanError, Repositories, SkippedAssociation};
use fsx_drt_core::{Config, Invalid, TASK_TAG};
use serde::Serialize;
use serde_json::{json, Value};

use super::inputs::{self, read_at_most, Inputs};
use crate::aws::{Aws, Connection};
use crate::error::Failure;
use crate::interrupt::{block_on, unchanged};
use crate::output::Printer;
use crate::params::{Param, Parameters, Problem};

/// What to plan: the parameters, and where the file system's data repositories come from
/// (a file, or else FSx).
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub inputs: Inputs,
    pub repositories: Option<std::path::PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct Planned {
    /// Where the data repositories came from.
    pub repositories: String,
    /// The request, with the token and tag described rather than computed: they depend on
    /// the deployed rule and function.
    pub request: Value,
    pub skipped_associations: Vec<SkippedAssociation>,
    /// Every schedule's request, for a definition with named schedules (the first is the
    /// one above).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<SchedulePlan>,
}

/// One named schedule's request.
#[derive(Debug, Serialize)]
pub struct SchedulePlan {
    pub name: String,
    pub request: Value,
}

pub fn run(
    args: &PlanRequest,
    connection: &Connection,
    interactive: bool,
    ui: &Printer,
) -> Result<Planned, Failure> {
    let draft = inputs::resolve_definition(&args.inputs, interactive, ui)?;
    let definition = crate::definition::validate(&draft, chrono::Utc::now())
        .map_err(|problems| crate::definition::invalid(&draft, problems))?;
    let parameters = definition.parameters(&definition.schedules[0]);
    let (source, repos) = match &args.repositories {
        Some(path) => (format!("file {}", path.display()), read_repositories(path)?),
        None => {
            let fs_id = parameters.file_system_id.as_str();
            let read = async {
                let aws = Aws::connect(connection).await?;
                aws.repositories(fs_id).await.map_err(|e| {
                    let failure = crate::aws::aws_failure(&e);
                    if e.unreachable {
                        return failure;
                    }
                    Failure {
                        help: Some("check the file system id, region and credentials, or pass --repositories FILE to plan offline".into()),
                        ..failure
                    }
                })
            };
            // Ctrl-C must stop the reading: once a prompt caught SIGINT, it no longer would.
            let found = block_on(unchanged(), async |_| read.await)?;
            (format!("FSx ({fs_id})"), found)
        }
    };
    let mut schedules = Vec::new();
    let mut first = None;
    for schedule in &definition.schedules {
        let parameters = definition.parameters(schedule);
        let place = match draft.mapped {
            true => format!("{}.{}.", crate::definition::SCHEDULES, schedule.name),
            false => String::new(),
        };
        let planned = plan(&lambda_config(&parameters), &repos)
            .map_err(|e| plan_failure_at(e, &parameters, &place))?;
        let mut request = serde_json::to_value(&planned.request).expect("requests serialize");
        let (token, tags) = match draft.mapped {
            false => (
                "slot-<48 hex digits of sha256(schedule ARN + newline + scheduled time to the minute)>: the same for every retry and redelivery of one scheduled run",
                json!([{"Key": TASK_TAG, "Value": "<the function's name>"}]),
            ),
            true => (
                "slot-<48 hex digits of sha256(schedule ARN + newline + scheduled time to the minute)>: the same for every retry of one scheduled run, different for each schedule",
                json!([
                    {"Key": TASK_TAG, "Value": "<the function's name>"},
                    {"Key": fsx_drt_core::SCHEDULE_TAG, "Value": schedule.name},
                ]),
            ),
        };
        request["ClientRequestToken"] = json!(token);
        request["Tags"] = tags;
        if draft.mapped {
            schedules.push(SchedulePlan {
                name: schedule.name.clone(),
                request: request.clone(),
            });
        }
        first.get_or_insert((request, planned.skipped));
    }
    let (request, skipped_associations) = first.expect("a definition has a schedule");
    Ok(Planned {
        repositories: source,
        request,
        skipped_associations,
        schedules,
    })
}

/// The configuration the deployed function will read from its environment.
pub fn lambda_config(parameters: &Parameters) -> Config {
    Config {
        file_system_id: parameters.file_system_id.clone(),
        task_type: parameters.task_type,
        paths: parameters.paths.clone(),
        report_path: parameters.report_path.clone(),
        release_after_days: parameters.release_after_days.unwrap_or_default(),
    }
}

/// [`plan_failure`] for one schedule of a definition: its problems named at `place`
/// (`Schedules.<name>.`, or nothing for a flat definition).
pub fn plan_failure_at(error: PlanError, parameters: &Parameters, place: &str) -> Failure {
    let mut failure = plan_failure(error, parameters);
    for problem in &mut failure.problems {
        if problem.parameter != Param::FileSystemId.key() {
            problem.parameter = format!("{place}{}", problem.parameter);
        }
    }
    failure
}

pub fn plan_failure(error: PlanError, parameters: &Parameters) -> Failure {
    let (param, value) = match &error {
        PlanError::Uncovered(_) => (Param::Paths, fsx_drt_core::render_paths(&parameters.paths)),
        PlanError::NoRepository { .. } => {
            (Param::FileSystemId, parameters.file_system_id.to_string())
        }
    };
    let problem = Problem::new(
        param.key(),
        Some(&value),
        Invalid::new(
            error.to_string(),
            "a scheduled run would fail the same way; change Paths or the file system's data repositories",
        ),
    );
    Failure::invalid("the task cannot be planned", vec![problem])
}

/// Far more than the associations a file system can have (each about 1 KB of JSON).
const MAX_REPOSITORIES_BYTES: u64 = 16 << 20;

/// `aws fsx describe-data-repository-associations` output, a bare list of associations,
/// `aws fsx describe-file-systems` output, or `{"ImportPath", "ExportPath"}`.
fn read_repositories(path: &Path) -> Result<Repositories, Failure> {
    let bad = |problem: String| {
        Failure::invalid(
            "cannot read --repositories",
            vec![Problem::new(
                "--repositories",
                Some(&path.display().to_string()),
                Invalid::new(
                    problem,
                    "give the output of `aws fsx describe-data-repository-associations` (or a list of associations, or {\"ImportPath\": ..., \"ExportPath\": ...})",
                ),
            )],
        )
    };
    let bytes = read_at_most(path, MAX_REPOSITORIES_BYTES).map_err(|e| bad(e.to_string()))?;
    if bytes.len() as u64 > MAX_REPOSITORIES_BYTES {
        return Err(bad(format!(
            "the file is larger than {} MiB",
            MAX_REPOSITORIES_BYTES >> 20
        )));
    }
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let linked = |v: &Value| {
        let import_path = v["ImportPath"].as_str().map(str::to_string);
        let export_path = v["ExportPath"].as_str().map(str::to_string);
        (import_path.is_some() || export_path.is_some()).then_some(Repositories::Linked {
            import_path,
            export_path,
        })
    };
    let associations = |v: &Value| -> Result<Repositories, Failure> {
        serde_json::from_value::<Vec<Association>>(v.clone())
            .map(Repositories::Associations)
            .map_err(|e| bad(format!("not a list of associations: {e}")))
    };
    if value.is_array() {
        return associations(&value);
    }
    if value.get("Associations").is_some() {
        return associations(&value["Associations"]);
    }
    let from_file_system =
        &value["FileSystems"][0]["LustreConfiguration"]["DataRepositoryConfiguration"];
    linked(from_file_system)
        .or_else(|| linked(&value))
        .ok_or_else(|| bad("no associations, ImportPath or ExportPath in it".into()))
}

impl fmt::Display for Planned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schedules.is_empty() {
            writeln!(
                f,
                "Each scheduled run sends this CreateDataRepositoryTask request (data repositories from {}):",
                self.repositories
            )?;
            writeln!(f)?;
            writeln!(
                f,
                "{}",
                serde_json::to_string_pretty(&self.request).expect("json")
            )?;
        }
        for schedule in &self.schedules {
            writeln!(
                f,
                "Each run of {} sends this CreateDataRepositoryTask request (data repositories from {}):",
                schedule.name, self.repositories
            )?;
            writeln!(f)?;
            writeln!(
                f,
                "{}",
                serde_json::to_string_pretty(&schedule.request).expect("json")
            )?;
            writeln!(f)?;
        }
        if !self.skipped_associations.is_empty() {
            writeln!(f)?;
            writeln!(f, "Not used (not AVAILABLE):")?;
            for s in &self.skipped_associations {
                writeln!(
                    f,
                    "  {} at {}: {}",
                    s.association_id, s.file_system_path, s.lifecycle
                )?;
            }
        }
        Ok(())
    }
}
