//! From the function's configuration and the file system's data repositories to the exact
//! CreateDataRepositoryTask request. Pure: the handler and `fsx-drt plan` both call it.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::paths::FsPath;
use crate::TaskType;

/// The only report format and scope the API has.
pub const REPORT_FORMAT: &str = "REPORT_CSV_20191124";
pub const REPORT_SCOPE: &str = "FAILED_FILES_ONLY";

/// A data repository association, as DescribeDataRepositoryAssociations reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Association {
    pub association_id: String,
    pub file_system_path: String,
    pub data_repository_path: String,
    pub lifecycle: String,
}

/// Where a file system's data lives in S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repositories {
    /// Data repository associations (Persistent 2, and newer Scratch 2 / Persistent 1).
    Associations(Vec<Association>),
    /// An older file system linked to one bucket: `LustreConfiguration.DataRepositoryConfiguration`.
    Linked {
        import_path: Option<String>,
        export_path: Option<String>,
    },
}

/// The request, field for field as the API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskRequest {
    #[serde(rename = "Type")]
    pub task_type: &'static str,
    pub file_system_id: String,
    /// Omitted (everything) when a path is `/` for export and import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    pub report: Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_configuration: Option<ReleaseConfiguration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Report {
    pub enabled: bool,
    pub path: String,
    pub format: &'static str,
    pub scope: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReleaseConfiguration {
    pub duration_since_last_access: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Duration {
    pub unit: &'static str,
    pub value: u32,
}

/// The request and what was left out of it on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub request: TaskRequest,
    /// Associations not used because they are not AVAILABLE: `(id, path, lifecycle)`.
    pub skipped: Vec<SkippedAssociation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedAssociation {
    pub association_id: String,
    pub file_system_path: String,
    pub lifecycle: String,
}

/// Why no request can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The file system has no AVAILABLE data repository.
    NoRepository { skipped: Vec<SkippedAssociation> },
    /// These paths are not in any data repository.
    Uncovered(Vec<String>),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::NoRepository { skipped } if skipped.is_empty() => f.write_str(
                "the file system has no data repository: link an S3 bucket with a data repository association",
            ),
            PlanError::NoRepository { skipped } => write!(
                f,
                "the file system has no AVAILABLE data repository association ({}); wait until one is AVAILABLE or fix it",
                skipped
                    .iter()
                    .map(|s| format!("{} at {} is {}", s.association_id, s.file_system_path, s.lifecycle))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            PlanError::Uncovered(paths) => write!(
                f,
                "no data repository covers {}: add a data repository association for it or change Paths",
                paths.join(", ")
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// One available association, with its file-system path parsed.
struct Available<'a> {
    path: FsPath,
    s3: &'a str,
}

pub fn plan(config: &Config, repositories: &Repositories) -> Result<Plan, PlanError> {
    let (available, skipped) = split_available(repositories);
    let root = crate::paths::parse_paths("/")
        .expect("/ is a path")
        .remove(0);
    let whole = config.paths.iter().any(FsPath::is_root);

    // Each path's S3 location (for import and the report), or why there is none.
    let mut s3_paths = Vec::new();
    let mut uncovered = Vec::new();
    match repositories {
        Repositories::Linked {
            import_path,
            export_path,
        } => {
            let base = import_path.as_deref().or(export_path.as_deref());
            let Some(base) = base else {
                return Err(PlanError::NoRepository { skipped });
            };
            for path in &config.paths {
                s3_paths.push(join_s3(base, path.relative()));
            }
        }
        Repositories::Associations(_) => {
            if available.is_empty() {
                return Err(PlanError::NoRepository { skipped });
            }
            for path in &config.paths {
                if let Some(a) = covering(&available, path) {
                    let rest = path.components().skip(a.path.components().count());
                    s3_paths.push(join_s3(a.s3, &rest.collect::<Vec<_>>().join("/")));
                } else {
                    // A parent of associations (such as `/`) stands for all of them.
                    let inside: Vec<&Available> =
                        available.iter().filter(|a| path.covers(&a.path)).collect();
                    if inside.is_empty() {
                        uncovered.push(path.to_string());
                    }
                    s3_paths.extend(inside.iter().map(|a| join_s3(a.s3, "")));
                }
            }
        }
    }
    if !uncovered.is_empty() {
        return Err(PlanError::Uncovered(uncovered));
    }

    let paths = match config.task_type {
        TaskType::Export if whole => None,
        TaskType::Import if whole => None,
        TaskType::Release if whole => Some(vec!["/".to_string()]),
        TaskType::Export | TaskType::Release => Some(
            config
                .paths
                .iter()
                .map(|p| p.relative().to_string())
                .collect(),
        ),
        TaskType::Import => Some(dedup(s3_paths.clone())),
    };

    // The report goes to the repository of the first path (the root-most one for `/`).
    let report_base = match repositories {
        Repositories::Linked {
            import_path,
            export_path,
        } => export_path
            .as_deref()
            .or(import_path.as_deref())
            .unwrap_or_default()
            .to_string(),
        Repositories::Associations(_) => {
            let first = config.paths.first().unwrap_or(&root);
            let repository = covering(&available, first)
                .or_else(|| available.iter().find(|a| first.covers(&a.path)))
                .expect("every path was covered above");
            repository.s3.to_string()
        }
    };
    let report_path = join_s3(
        &report_base,
        config.report_path.as_str().trim_start_matches('/'),
    );

    Ok(Plan {
        request: TaskRequest {
            task_type: config.task_type.api_name(),
            file_system_id: config.file_system_id.to_string(),
            paths,
            report: Report {
                enabled: true,
                path: report_path,
                format: REPORT_FORMAT,
                scope: REPORT_SCOPE,
            },
            release_configuration: (config.task_type == TaskType::Release).then_some({
                ReleaseConfiguration {
                    duration_since_last_access: Duration {
                        unit: "DAYS",
                        value: config.release_after_days,
                    },
                }
            }),
        },
        skipped,
    })
}

fn split_available(repositories: &Repositories) -> (Vec<Available<'_>>, Vec<SkippedAssociation>) {
    let Repositories::Associations(associations) = repositories else {
        return (Vec::new(), Vec::new());
    };
    let mut available = Vec::new();
    let mut skipped = Vec::new();
    for a in associations {
        let parsed = crate::paths::parse_paths(&format!("\"{}\"", a.file_system_path));
        match parsed {
            Ok(mut paths) if a.lifecycle == "AVAILABLE" => available.push(Available {
                path: paths.remove(0),
                s3: &a.data_repository_path,
            }),
            _ => skipped.push(SkippedAssociation {
                association_id: a.association_id.clone(),
                file_system_path: a.file_system_path.clone(),
                lifecycle: a.lifecycle.clone(),
            }),
        }
    }
    // Longest file-system path first, so the first cover found is the closest.
    available.sort_by_key(|a| std::cmp::Reverse(a.path.components().count()));
    (available, skipped)
}

/// The association whose file-system path is the longest component-wise prefix of `path`.
fn covering<'a, 'b>(available: &'b [Available<'a>], path: &FsPath) -> Option<&'b Available<'a>> {
    available.iter().find(|a| a.path.covers(path))
}

fn join_s3(base: &str, rest: &str) -> String {
    let base = base.trim_end_matches('/');
    if rest.is_empty() {
        format!("{base}/")
    } else {
        format!("{base}/{rest}")
    }
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.retain(|i| seen.insert(i.clone()));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn config(task_type: &str, paths: &str) -> Config {
        Config::from_lookup(|name| {
            Some(
                match name {
                    "FILE_SYSTEM_ID" => "fs-0123456789abcdef0",
                    "TASK_TYPE" => task_type,
                    "FSX_PATHS" => paths,
                    "COMPLETION_REPORT_PATH" => "/reports",
                    "RELEASE_AFTER_DAYS" => "7",
                    _ => return None,
                }
                .to_string(),
            )
        })
        .unwrap()
    }

    fn association(id: &str, fs: &str, s3: &str) -> Association {
        Association {
            association_id: id.into(),
            file_system_path: fs.into(),
            data_repository_path: s3.into(),
            lifecycle: "AVAILABLE".into(),
        }
    }

    fn several() -> Repositories {
        Repositories::Associations(vec![
            association("dra-1", "/data", "s3://bucket-a/data-prefix/"),
            association("dra-2", "/database", "s3://bucket-b"),
            association("dra-3", "/data/deep", "s3://bucket-c/deep/"),
            Association {
                lifecycle: "MISCONFIGURED".into(),
                ..association("dra-4", "/broken", "s3://bucket-d/")
            },
        ])
    }

    #[test]
    fn export_uses_paths_relative_to_the_mount_point() {
        let plan = plan(
            &config("EXPORT_TO_REPOSITORY", "/data/a /database"),
            &several(),
        )
        .unwrap();
        let r = &plan.request;
        assert_eq!(r.task_type, "EXPORT_TO_REPOSITORY");
        assert_eq!(r.paths, Some(vec!["data/a".into(), "database".into()]));
        assert_eq!(r.report.path, "s3://bucket-a/data-prefix/reports");
        assert_eq!(r.report.format, "REPORT_CSV_20191124");
        assert_eq!(r.report.scope, "FAILED_FILES_ONLY");
        assert!(r.report.enabled);
        assert_eq!(r.release_configuration, None);
        assert_eq!(plan.skipped.len(), 1);
        assert_eq!(plan.skipped[0].lifecycle, "MISCONFIGURED");
    }

    #[test]
    fn export_of_the_root_is_everything() {
        let plan = plan(&config("Export", "/ /data"), &several()).unwrap();
        assert_eq!(plan.request.paths, None);
    }

    #[test]
    fn import_maps_through_the_longest_covering_association() {
        let plan = plan(
            &config("Import", "/data/x /database/y /data/deep/z /data"),
            &several(),
        )
        .unwrap();
        assert_eq!(
            plan.request.paths,
            Some(vec![
                "s3://bucket-a/data-prefix/x".into(),
                "s3://bucket-b/y".into(),
                "s3://bucket-c/deep/z".into(),
                "s3://bucket-a/data-prefix/".into(),
            ])
        );
        assert_eq!(plan.request.task_type, "IMPORT_METADATA_FROM_REPOSITORY");
    }

    #[test]
    fn a_parent_of_associations_stands_for_them() {
        let repos = Repositories::Associations(vec![
            association("dra-1", "/proj/a", "s3://a/"),
            association("dra-2", "/proj/b", "s3://b/"),
        ]);
        let plan = plan(&config("Import", "/proj"), &repos).unwrap();
        assert_eq!(
            plan.request.paths,
            Some(vec!["s3://a/".into(), "s3://b/".into()])
        );
    }

    #[test]
    fn uncovered_paths_fail_naming_them() {
        let err = plan(&config("Import", "/data/x /elsewhere /datab"), &several()).unwrap_err();
        assert_eq!(
            err,
            PlanError::Uncovered(vec!["/elsewhere".into(), "/datab".into()])
        );
        assert!(err.to_string().contains("/elsewhere, /datab"));
        // A path inside the only non-available association is uncovered too.
        let err = plan(&config("Export", "/broken/x"), &several()).unwrap_err();
        assert_eq!(err, PlanError::Uncovered(vec!["/broken/x".into()]));
    }

    #[test]
    fn no_available_association() {
        let repos = Repositories::Associations(vec![Association {
            lifecycle: "CREATING".into(),
            ..association("dra-9", "/", "s3://x/")
        }]);
        let err = plan(&config("Export", "/"), &repos).unwrap_err();
        assert!(err.to_string().contains("dra-9 at / is CREATING"), "{err}");
        let err = plan(&config("Export", "/"), &Repositories::Associations(vec![])).unwrap_err();
        assert!(err.to_string().contains("no data repository"), "{err}");
    }

    #[test]
    fn linked_repository_file_systems() {
        let repos = Repositories::Linked {
            import_path: Some("s3://old-bucket/in".into()),
            export_path: Some("s3://old-bucket/out/".into()),
        };
        let plan = plan(&config("Import", "/a/b /c"), &repos).unwrap();
        assert_eq!(
            plan.request.paths,
            Some(vec![
                "s3://old-bucket/in/a/b".into(),
                "s3://old-bucket/in/c".into()
            ])
        );
        assert_eq!(plan.request.report.path, "s3://old-bucket/out/reports");
    }

    #[test]
    fn release_sets_the_age_and_keeps_root_as_slash() {
        let repos = Repositories::Associations(vec![association("dra-1", "/", "s3://all/")]);
        let plan = plan(&config("Release", "/"), &repos).unwrap();
        let r = &plan.request;
        assert_eq!(r.task_type, "RELEASE_DATA_FROM_FILESYSTEM");
        assert_eq!(r.paths, Some(vec!["/".into()]));
        assert_eq!(r.report.path, "s3://all/reports");
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(
            json["ReleaseConfiguration"],
            serde_json::json!({"DurationSinceLastAccess": {"Unit": "DAYS", "Value": 7}})
        );
    }
}
