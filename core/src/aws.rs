//! Reading a file system's data repositories from FSx: shared by the Lambda and `fsx-drt plan`.

use aws_sdk_fsx::config::http::HttpResponse;
use aws_sdk_fsx::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_fsx::types::{Filter, FilterName};

use crate::plan::{Association, Repositories};

/// An AWS call that failed after the SDK's retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub operation: &'static str,
    pub message: String,
    /// The request never got an answer (no connection, or it timed out).
    pub unreachable: bool,
}

impl std::fmt::Display for AwsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed: {}", self.operation, self.message)
    }
}

impl std::error::Error for AwsError {}

impl AwsError {
    pub fn from_sdk<E>(operation: &'static str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        AwsError {
            operation,
            message: describe(&error),
            unreachable: unreachable(&error),
        }
    }
}

/// A failed call as a person reads it: the service's error code and message; else (no
/// answer) each cause in the chain, in words: "dispatch failure: io error: ... Connection
/// refused (os error 111)".
pub fn describe<E>(error: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(service) = error.as_service_error() {
        if service.code().is_some() {
            return format!(
                "{}: {}",
                service.code().unwrap_or("error"),
                service.message().unwrap_or("no message")
            );
        }
    }
    // An answer without an error code the SDK could read (a bare 500 from a proxy, say).
    if let Some(raw) = error.raw_response() {
        return format!("HTTP {} with no error code", raw.status().as_u16());
    }
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        let words = inner.to_string();
        if !text.contains(&words) {
            text.push_str(": ");
            text.push_str(&words);
        }
        cause = inner.source();
    }
    text
}

/// True when the request got no answer: nothing listening, no network, or a timeout.
pub fn unreachable<E, R>(error: &SdkError<E, R>) -> bool {
    matches!(
        error,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    )
}

/// The file system's data repositories: its linked bucket (older file systems) or every
/// data repository association (all pages).
pub async fn repositories(
    fsx: &aws_sdk_fsx::Client,
    file_system_id: &str,
) -> Result<Repositories, AwsError> {
    let described = fsx
        .describe_file_systems()
        .file_system_ids(file_system_id)
        .send()
        .await
        .map_err(|e| AwsError::from_sdk("DescribeFileSystems", e))?;
    repositories_of(fsx, file_system_id, described.file_systems().first()).await
}

/// The same, for a file system already described (saves a DescribeFileSystems).
pub async fn repositories_of(
    fsx: &aws_sdk_fsx::Client,
    file_system_id: &str,
    file_system: Option<&aws_sdk_fsx::types::FileSystem>,
) -> Result<Repositories, AwsError> {
    let linked = file_system
        .and_then(|fs| fs.lustre_configuration())
        .and_then(|l| l.data_repository_configuration())
        .filter(|d| d.import_path().is_some() || d.export_path().is_some());
    if let Some(linked) = linked {
        return Ok(Repositories::Linked {
            import_path: linked.import_path().map(str::to_string),
            export_path: linked.export_path().map(str::to_string),
        });
    }
    let mut associations = Vec::new();
    let mut pages = fsx
        .describe_data_repository_associations()
        .filters(
            Filter::builder()
                .name(FilterName::FileSystemId)
                .values(file_system_id)
                .build(),
        )
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("DescribeDataRepositoryAssociations", e))?;
        associations.extend(page.associations().iter().map(|a| {
            Association {
                association_id: a.association_id().unwrap_or_default().to_string(),
                file_system_path: a.file_system_path().unwrap_or_default().to_string(),
                data_repository_path: a.data_repository_path().unwrap_or_default().to_string(),
                lifecycle: a
                    .lifecycle()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_default(),
            }
        }));
    }
    Ok(Repositories::Associations(associations))
}

/// Every data repository task of the file system, all pages (FSx keeps them for a while).
pub async fn tasks(
    fsx: &aws_sdk_fsx::Client,
    file_system_id: &str,
) -> Result<Vec<aws_sdk_fsx::types::DataRepositoryTask>, AwsError> {
    use aws_sdk_fsx::types::{DataRepositoryTaskFilter, DataRepositoryTaskFilterName};
    let mut tasks = Vec::new();
    let mut pages = fsx
        .describe_data_repository_tasks()
        .filters(
            DataRepositoryTaskFilter::builder()
                .name(DataRepositoryTaskFilterName::FileSystemId)
                .values(file_system_id)
                .build(),
        )
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("DescribeDataRepositoryTasks", e))?;
        tasks.extend(page.data_repository_tasks().iter().cloned());
    }
    Ok(tasks)
}
