//! Members that left the fleet: stacks tagged with the fleet's name (`fsx-drt:fleet`) in a
//! region the file names (or `--region`) that no member of the file deploys any more. deploy
//! shows them in its plan and deletes them after the one approval, diff shows them, destroy
//! deletes them with the members.

use std::collections::BTreeSet;

use super::file::{FLEET_TAG, MEMBER_TAG};
use super::outcome::{MemberResult, State};
use super::run::{delete_stack, Engine, Job, Place};
use super::{FleetFile, FleetRequest};
use crate::aws::StackView;
use crate::error::{Exit, Failure};
use crate::params::Param;

/// A stack of the fleet whose member is no longer in the file (or deploys another stack).
#[derive(Debug, Clone)]
pub struct Departed {
    /// The member it was deployed for (its `fsx-drt:member` tag).
    pub member: String,
    pub region: String,
    pub stack: StackView,
}

impl Place for Departed {
    fn name(&self) -> &str {
        &self.member
    }
    fn region(&self) -> &str {
        &self.region
    }
}

/// Every stack of the fleet, in the regions the file names and `--region`, that is no
/// member's stack; asked before anything is changed (a region that cannot be listed stops
/// the run: what would be deleted is not known).
pub async fn find(
    engine: &Engine<'_>,
    request: &FleetRequest,
    fleet: &FleetFile,
) -> Result<Vec<Departed>, Failure> {
    let regions: BTreeSet<&str> = (fleet.members.iter().map(|m| m.region.as_str()))
        .chain(request.region.as_deref())
        .collect();
    let mut found = Vec::new();
    for region in regions {
        let aws = (engine.connect)(region).await?;
        let stacks = engine
            .interrupt
            .until(crate::interrupt::UNCHANGED, async {
                aws.stacks().await.map_err(Failure::from)
            })
            .await?;
        for stack in stacks {
            if departed(fleet, region, &stack) {
                let member = tag(&stack, MEMBER_TAG);
                found.push(Departed {
                    member: member.unwrap_or_else(|| stack.name.clone()),
                    region: region.to_string(),
                    stack,
                });
            }
        }
    }
    Ok(found)
}

fn tag(stack: &StackView, key: &str) -> Option<String> {
    (stack.tags.iter())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// The fleet's tag and no member's stack in `region`. A stack set's instance (named
/// `StackSet-...`, tagged by its stack set when the fleet once spanned accounts) is
/// StackSets' to delete, never this engine's.
fn departed(fleet: &FleetFile, region: &str, stack: &StackView) -> bool {
    let ours = tag(stack, FLEET_TAG).as_deref() == Some(fleet.name.as_str());
    let member = (fleet.members.iter()).any(|m| m.region == region && m.stack_name == stack.name);
    ours && !member && stack.status != "DELETE_COMPLETE" && !stack.name.starts_with("StackSet-")
}

/// A departed member's row: operation delete, not started.
pub fn row(departed: &Departed, account: &str) -> MemberResult {
    MemberResult {
        member: departed.member.clone(),
        account: Some(account.to_string()),
        region: departed.region.clone(),
        stack_name: departed.stack.name.clone(),
        file_system_id: (departed.stack.parameter(Param::FileSystemId.key()))
            .unwrap_or("-")
            .to_string(),
        operation: "delete".into(),
        state: State::NotStarted,
        result: LEFT.into(),
        next_run: None,
        latest_task: None,
        change_set: None,
        failure: None,
        detail: None,
    }
}

/// How a departed member shows in a plan (and in diff's result).
pub const LEFT: &str = "delete (left the fleet)";

/// Exit 1 when another operation runs on the stack (it is left alone; the fleet's next run
/// deletes it). A stack waiting for review (REVIEW_IN_PROGRESS) can go.
fn busy(d: &Departed) -> Option<Failure> {
    let stack = &d.stack;
    if !stack.in_progress() || stack.status == "REVIEW_IN_PROGRESS" {
        return None;
    }
    Some(Failure::new(
        Exit::Failed,
        format!(
            "stack {} left the fleet but is {}: another operation is running; it was not deleted",
            stack.name, stack.status
        ),
        Some(format!(
            "run again once it has ended (fsx-drt status --watch --stack-name {} --region {} follows it)",
            stack.name, d.region
        )),
    ))
}

/// Deletes the departed members' stacks as destroy does, each its row. A stack that is busy
/// (another operation running) or protected is not deleted: its row fails (exit 1), the
/// others go on.
pub(super) async fn delete(job: Job<'_, '_>, departed: &[Departed], rows: &mut [MemberResult]) {
    job.each(departed, rows, async |session, d, row| {
        if let Some(busy) = busy(d) {
            return Err(busy);
        }
        let destroyed = delete_stack(session, job, &d.stack.name).await?;
        row.succeeded(
            format!("deleted, left the fleet ({})", destroyed.status),
            &destroyed,
        );
        Ok(())
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_departed_stack_busy_with_another_operation_is_not_deleted() {
        let departed = |status: &str| Departed {
            member: "cfd".into(),
            region: "us-east-1".into(),
            stack: StackView {
                name: "cfd-scheduler".into(),
                status: status.into(),
                ..StackView::default()
            },
        };
        for status in [
            "UPDATE_IN_PROGRESS",
            "DELETE_IN_PROGRESS",
            "UPDATE_ROLLBACK_IN_PROGRESS",
        ] {
            let failure = busy(&departed(status)).expect(status);
            assert_eq!(failure.exit, Exit::Failed);
            assert!(failure
                .error
                .contains(&format!("is {status}: another operation is running")));
            assert!(failure
                .help
                .as_deref()
                .is_some_and(|h| h.contains("--region us-east-1")));
        }
        for status in [
            "UPDATE_COMPLETE",
            "REVIEW_IN_PROGRESS",
            "ROLLBACK_COMPLETE",
            "DELETE_FAILED",
        ] {
            assert!(busy(&departed(status)).is_none(), "{status}");
        }
    }

    #[test]
    fn only_the_fleet_s_own_stacks_no_member_deploys_have_departed() {
        let yaml = "Name: hpc\nMembers:\n  a: {FileSystemId: fs-0123456789abcdef0, Region: eu-west-1, EmailAddress: a@example.com}\n";
        let fleet = crate::workflows::fleet::file::read(
            "f.yaml",
            yaml.as_bytes(),
            None,
            chrono::Utc::now(),
        )
        .unwrap();
        let stack = |name: &str, fleet: &str, status: &str| StackView {
            name: name.into(),
            status: status.into(),
            tags: vec![(FLEET_TAG.into(), fleet.into())],
            ..StackView::default()
        };
        let cases = [
            (stack("fsx-drt-b", "hpc", "CREATE_COMPLETE"), true),
            (stack("fsx-drt-a", "hpc", "CREATE_COMPLETE"), false),
            (stack("fsx-drt-b", "other", "CREATE_COMPLETE"), false),
            (stack("fsx-drt-b", "hpc", "DELETE_COMPLETE"), false),
            (
                stack("StackSet-fsx-drt-hpc-0a1b", "hpc", "CREATE_COMPLETE"),
                false,
            ),
        ];
        for (stack, expected) in cases {
            assert_eq!(
                departed(&fleet, "eu-west-1", &stack),
                expected,
                "{}",
                stack.name
            );
        }
        let elsewhere = stack("fsx-drt-a", "hpc", "CREATE_COMPLETE");
        assert!(
            departed(&fleet, "us-east-1", &elsewhere),
            "a's stack name in another region"
        );
    }
}
