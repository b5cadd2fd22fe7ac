//! Before anything changes: the file system exists, is Lustre and available, can run each
//! schedule's task type, and its data repositories cover each schedule's paths (the
//! Lambda's own planning code decides). The file system is read once for every schedule.

use crate::aws::Aws;
use crate::error::Failure;
use crate::params::{Param, Parameters, Problem};
use crate::workflows::plan::{lambda_config, plan_failure_at};

/// One schedule to check: where its problems are named (`Schedules.<name>.` or nothing for
/// a flat definition) and its values as the template's parameters.
pub struct Checked {
    pub place: String,
    pub parameters: Parameters,
}

/// What the preflight learnt that the template needs.
#[derive(Debug, Default)]
pub struct Found {
    /// The file system's storage capacity in GiB (the capacity alarm's threshold is a share
    /// of it), when FSx reports one.
    pub storage_gib: Option<u64>,
    /// Each schedule's completion report path in S3 and its task type (the API's name), as
    /// the function plans it today: what its role may read.
    pub reports: Vec<(String, &'static str)>,
}

pub async fn preflight(aws: &Aws, schedules: &[Checked]) -> Result<Found, Failure> {
    let Some(first) = schedules.first() else {
        return Ok(Found::default());
    };
    let fs_id = first.parameters.file_system_id.as_str();
    let invalid = |problem: String, fix: &str| {
        Failure::invalid(
            "the file system cannot be scheduled",
            vec![Problem::new(
                Param::FileSystemId.key(),
                Some(fs_id),
                fsx_drt_core::Invalid::new(problem, fix),
            )],
        )
    };
    let Some(fs) = aws.describe_file_system(fs_id).await? else {
        return Err(invalid(
            format!("no file system {fs_id} in region {}", aws.region),
            "check the id and the region (--region) with `aws fsx describe-file-systems`",
        ));
    };
    let kind = fs.kind.as_str();
    if kind != "LUSTRE" {
        return Err(invalid(
            format!("{fs_id} is an {kind} file system; data repository tasks need FSx for Lustre"),
            "give the id of an FSx for Lustre file system",
        ));
    }
    let lifecycle = fs.lifecycle.as_str();
    if lifecycle != "AVAILABLE" && lifecycle != "UPDATING" {
        return Err(invalid(
            format!("{fs_id} is {lifecycle}, not AVAILABLE"),
            "wait until the file system is AVAILABLE, then deploy again",
        ));
    }
    let facts = crate::file_system::Facts {
        version: fs.version.as_deref(),
        deployment: fs.deployment.as_deref(),
        storage: fs.storage.as_deref(),
        linked: fs.linked,
    };
    for Checked { place, parameters } in schedules {
        if let Err((param, why)) = crate::file_system::check(&facts, parameters.task_type) {
            let value = match param {
                Param::TaskType => parameters.task_type.name(),
                _ => fs_id,
            };
            let name = match param {
                Param::FileSystemId => param.key().to_string(),
                _ => format!("{place}{}", param.key()),
            };
            return Err(Failure::invalid(
                "the file system cannot run these tasks",
                vec![Problem::new(&name, Some(value), why)],
            ));
        }
    }
    let repositories = aws.repositories_of(&fs).await?;
    let mut reports = Vec::new();
    for Checked { place, parameters } in schedules {
        let plan = fsx_drt_core::plan::plan(&lambda_config(parameters), &repositories)
            .map_err(|e| plan_failure_at(e, parameters, place))?;
        reports.push((plan.request.report.path, plan.request.task_type));
    }
    Ok(Found {
        storage_gib: fs.storage_capacity_gib,
        reports,
    })
}
