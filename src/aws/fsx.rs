//! FSx: the file system fsx-drt schedules, its data repositories and its tasks.

use aws_sdk_fsx::types::DataRepositoryTask;
use fsx_drt_core::plan::Repositories;
use fsx_drt_core::report::report_folder;

use super::error::{failed, Error, ErrorKind};
use super::Aws;
use crate::error::Failure;
use crate::task::Task;

/// A file system as the preflight checks it.
#[derive(Debug, Clone)]
pub struct FileSystem {
    pub id: String,
    /// LUSTRE, WINDOWS, ...
    pub kind: String,
    /// AVAILABLE, UPDATING, ...
    pub lifecycle: String,
    pub version: Option<String>,
    pub deployment: Option<String>,
    pub storage: Option<String>,
    /// Linked to a bucket the old way (ImportPath/ExportPath), not by associations.
    pub linked: bool,
    /// StorageCapacity, in GiB.
    pub storage_capacity_gib: Option<u64>,
    described: aws_sdk_fsx::types::FileSystem,
}

impl Aws {
    /// The file system, or `None` when there is none of that id in this region.
    pub async fn describe_file_system(&self, id: &str) -> Result<Option<FileSystem>, Error> {
        let described = match self
            .clients
            .fsx
            .describe_file_systems()
            .file_system_ids(id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                return match Error::from_sdk("DescribeFileSystems", &e) {
                    error if error.is(&ErrorKind::NotFound) => Ok(None),
                    error => Err(error),
                }
            }
        };
        Ok(described.file_systems().first().map(|fs| {
            let lustre = fs.lustre_configuration();
            FileSystem {
                id: id.to_string(),
                kind: fs
                    .file_system_type()
                    .map_or("?".into(), |t| t.as_str().to_string()),
                lifecycle: fs
                    .lifecycle()
                    .map_or("?".into(), |l| l.as_str().to_string()),
                version: fs.file_system_type_version().map(str::to_string),
                deployment: lustre
                    .and_then(|l| l.deployment_type())
                    .map(|d| d.as_str().to_string()),
                storage: fs.storage_type().map(|s| s.as_str().to_string()),
                linked: lustre
                    .and_then(|l| l.data_repository_configuration())
                    .is_some_and(|d| d.import_path().is_some() || d.export_path().is_some()),
                storage_capacity_gib: fs.storage_capacity().and_then(|g| u64::try_from(g).ok()),
                described: fs.clone(),
            }
        }))
    }

    /// The data repositories of a file system already described.
    pub async fn repositories_of(&self, fs: &FileSystem) -> Result<Repositories, Failure> {
        fsx_drt_core::aws::repositories_of(&self.clients.fsx, &fs.id, Some(&fs.described))
            .await
            .map_err(|e| super::aws_failure(&e))
    }

    /// The data repositories of a file system by id (one more call).
    pub async fn repositories(
        &self,
        fs_id: &str,
    ) -> Result<Repositories, fsx_drt_core::aws::AwsError> {
        fsx_drt_core::aws::repositories(&self.clients.fsx, fs_id).await
    }

    /// Every task of the file system, newest first.
    pub async fn tasks(&self, fs_id: &str) -> Result<Vec<Task>, Failure> {
        let mut all = fsx_drt_core::aws::tasks(&self.clients.fsx, fs_id)
            .await
            .map_err(|e| super::aws_failure(&e))?;
        all.sort_by_key(|t| {
            std::cmp::Reverse(t.creation_time().map(|c| (c.secs(), c.subsec_nanos())))
        });
        Ok(all.iter().map(task).collect())
    }

    /// One task by id, or `None` when FSx does not list it.
    pub async fn task(&self, task_id: &str) -> Result<Option<Task>, Error> {
        let out = self
            .clients
            .fsx
            .describe_data_repository_tasks()
            .task_ids(task_id)
            .send()
            .await
            .map_err(failed("DescribeDataRepositoryTasks"))?;
        Ok(out.data_repository_tasks().first().map(task))
    }

    /// The value of one of a resource's tags (a task's `fsx-drt:schedule`, say).
    pub async fn tag(&self, arn: &str, key: &str) -> Result<Option<String>, Error> {
        let out = self
            .clients
            .fsx
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(failed("ListTagsForResource"))?;
        Ok(out
            .tags()
            .iter()
            .find(|t| t.key() == Some(key))
            .and_then(|t| t.value())
            .map(str::to_string))
    }

    /// Asks FSx to cancel the task; returns its id and lifecycle (CANCELING) as FSx answers.
    pub async fn cancel_task(&self, task_id: &str) -> Result<(String, String), Error> {
        let out = self
            .clients
            .fsx
            .cancel_data_repository_task()
            .task_id(task_id)
            .send()
            .await
            .map_err(failed("CancelDataRepositoryTask"))?;
        Ok((
            out.task_id().unwrap_or(task_id).to_string(),
            out.lifecycle()
                .map_or("CANCELING".into(), |l| l.as_str().to_string()),
        ))
    }
}

fn task(t: &DataRepositoryTask) -> Task {
    Task {
        task_id: t.task_id().unwrap_or_default().to_string(),
        task_type: t
            .r#type()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        lifecycle: t
            .lifecycle()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        start: t.start_time().map(|x| x.to_string()),
        end: t.end_time().map(|x| x.to_string()),
        succeeded: t.status().and_then(|s| s.succeeded_count()),
        failed: t.status().and_then(|s| s.failed_count()),
        total: t.status().and_then(|s| s.total_count()),
        failure: t
            .failure_details()
            .and_then(|d| d.message())
            .map(str::to_string),
        report: report_path(t).map(|p| report_folder(p, t.task_id().unwrap_or("?"))),
        report_path: report_path(t).map(str::to_string),
        file_system_id: t.file_system_id().map(str::to_string),
        arn: t.resource_arn().map(str::to_string),
    }
}

/// Report.Path, when the task writes a report.
fn report_path(t: &DataRepositoryTask) -> Option<&str> {
    t.report()
        .filter(|r| r.enabled() == Some(true))
        .and_then(|r| r.path())
}
