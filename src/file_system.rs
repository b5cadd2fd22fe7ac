//! What an FSx for Lustre file system can do with data repository tasks, from what
//! DescribeFileSystems says of it. Pure: deploy's preflight asks FSx, this decides, so that a
//! stack whose every run would fail is refused before any change set.
//!
//! From the FSx for Lustre user guide: release tasks do not exist on Lustre 2.10; data
//! repository associations do not exist on Lustre 2.10, SCRATCH_1 or Intelligent-Tiering
//! file systems, and a SCRATCH_1 (or other 2.10) file system has a data repository only when
//! it was created linked to one (ImportPath/ExportPath).

use fsx_drt_core::{Invalid, TaskType};

use crate::params::Param;

/// The facts DescribeFileSystems gives (its API strings).
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts<'a> {
    /// FileSystemTypeVersion: "2.10", "2.12", "2.15".
    pub version: Option<&'a str>,
    /// LustreConfiguration.DeploymentType: "SCRATCH_1", "PERSISTENT_2", ...
    pub deployment: Option<&'a str>,
    /// StorageType: "SSD", "HDD", "INTELLIGENT_TIERING".
    pub storage: Option<&'a str>,
    /// It has the older linked data repository (DataRepositoryConfiguration).
    pub linked: bool,
}

/// Why this file system cannot run the task type: the parameter to blame and the problem.
pub fn check(facts: &Facts<'_>, task_type: TaskType) -> Result<(), (Param, Invalid)> {
    if facts.storage == Some("INTELLIGENT_TIERING") {
        return Err((
            Param::FileSystemId,
            Invalid::new(
                "it is an Intelligent-Tiering file system, which has no data repository, so no data repository tasks",
                "give an FSx for Lustre file system with SSD or HDD storage linked to S3",
            ),
        ));
    }
    let no_associations = facts.version == Some("2.10") || facts.deployment == Some("SCRATCH_1");
    if no_associations && !facts.linked {
        return Err((
            Param::FileSystemId,
            Invalid::new(
                format!(
                    "it is a {} file system without a linked data repository; these take one only when created (ImportPath)",
                    facts
                        .deployment
                        .filter(|d| *d == "SCRATCH_1")
                        .unwrap_or("Lustre 2.10")
                ),
                "give a file system linked to S3, or one on Lustre 2.12 or later with a data repository association",
            ),
        ));
    }
    if task_type == TaskType::Release && facts.version == Some("2.10") {
        return Err((
            Param::TaskType,
            Invalid::new(
                "the file system runs Lustre 2.10, which has no release tasks",
                "use Export or Import here, or release on a file system on Lustre 2.12 or later",
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_kind_of_file_system_can_do() {
        let persistent_2 = Facts {
            version: Some("2.15"),
            deployment: Some("PERSISTENT_2"),
            storage: Some("SSD"),
            linked: false,
        };
        let linked_2_10 = Facts {
            version: Some("2.10"),
            deployment: Some("PERSISTENT_1"),
            storage: Some("HDD"),
            linked: true,
        };
        let scratch_1 = Facts {
            version: Some("2.10"),
            deployment: Some("SCRATCH_1"),
            storage: Some("SSD"),
            linked: false,
        };
        let tiering = Facts {
            storage: Some("INTELLIGENT_TIERING"),
            ..persistent_2
        };
        let blame = |facts: &Facts, task_type| check(facts, task_type).err().map(|(p, _)| p);
        for task_type in TaskType::ALL {
            assert_eq!(blame(&persistent_2, task_type), None, "{task_type:?}");
            assert_eq!(blame(&scratch_1, task_type), Some(Param::FileSystemId));
            assert_eq!(blame(&tiering, task_type), Some(Param::FileSystemId));
        }
        assert_eq!(blame(&linked_2_10, TaskType::Export), None);
        assert_eq!(blame(&linked_2_10, TaskType::Import), None);
        assert_eq!(
            blame(&linked_2_10, TaskType::Release),
            Some(Param::TaskType)
        );
        let (_, why) = check(&scratch_1, TaskType::Export).unwrap_err();
        assert!(why.to_string().contains("SCRATCH_1"), "{why}");
        // What DescribeFileSystems may leave out decides nothing.
        assert!(check(&Facts::default(), TaskType::Release).is_ok());
    }
}
