//! What deploy does with the stack that is there, and who made it.

use serde::Serialize;

/// Who made a stack, told by its Description (DescribeStacks returns the template's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maker {
    FsxDrt,
    /// The reference solution's template (SO9028), which fsx-drt takes over in place.
    Reference,
    /// Anything else: never fsx-drt's to change, delete or call healthy.
    Other(Option<String>),
}

/// The start of every fsx-drt template's Description: the mark of its stacks.
pub const FSX_DRT_MARK: &str = "fsx-drt:";
/// What the reference solution's template's Description contains.
const REFERENCE_MARK: &str = "Data Repository Task Scheduler (SO9028)";

pub fn maker(description: Option<&str>) -> Maker {
    match description {
        Some(d) if d.trim_start().starts_with(FSX_DRT_MARK) => Maker::FsxDrt,
        Some(d) if d.contains(REFERENCE_MARK) => Maker::Reference,
        other => Maker::Other(other.map(str::to_string)),
    }
}

/// What deploy does with the stack that is there before it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Existing {
    /// No stack to keep: a CREATE change set.
    Create,
    /// A working stack: an UPDATE change set.
    Update,
    /// A stack CloudFormation won't update and that holds nothing worth keeping: delete it,
    /// then create it again (after the person agrees).
    Recreate { why: String },
    /// Another operation is running: follow it to its end, then decide again.
    Attach,
    /// Only a person can get the stack out of this state.
    ManualAction { why: String, way_out: String },
}

/// Chooses what deploy does from the stack's status (None: there is no stack) and how many
/// resources it holds (those not deleted).
pub fn decide(status: Option<&str>, resource_count: usize, stack_name: &str) -> Existing {
    let Some(status) = status else {
        return Existing::Create;
    };
    let destroy = format!("fsx-drt destroy --stack-name {stack_name}");
    let manual = |why: String, way_out: String| Existing::ManualAction { why, way_out };
    match status {
        // DescribeStacks by id still shows a deleted stack; by name it is simply gone.
        "DELETE_COMPLETE" => Existing::Create,
        // An unexecuted CREATE change set leaves this empty stack, and another deploy may be
        // reviewing its change set right now: create a new change set beside it, as
        // `aws cloudformation deploy` does, rather than deleting someone else's.
        "REVIEW_IN_PROGRESS" if resource_count == 0 => Existing::Create,
        "REVIEW_IN_PROGRESS" => manual(
            format!(
                "stack {stack_name} is REVIEW_IN_PROGRESS yet holds {resource_count} resources, \
                 which CloudFormation should not allow"
            ),
            format!(
                "look at the stack and its change sets in the CloudFormation console; \
                 delete it with `{destroy}` if it is not needed"
            ),
        ),
        // Working stacks. After UPDATE_FAILED (rollback disabled) CloudFormation accepts a
        // new update as the retry.
        "CREATE_COMPLETE"
        | "UPDATE_COMPLETE"
        | "UPDATE_ROLLBACK_COMPLETE"
        | "UPDATE_FAILED"
        | "IMPORT_COMPLETE"
        | "IMPORT_ROLLBACK_COMPLETE" => Existing::Update,
        "ROLLBACK_COMPLETE" => Existing::Recreate {
            why: format!(
                "stack {stack_name} is ROLLBACK_COMPLETE: its creation failed and was rolled \
                 back, and CloudFormation can only delete such a stack, not update it"
            ),
        },
        "CREATE_FAILED" => Existing::Recreate {
            why: format!(
                "stack {stack_name} is CREATE_FAILED: its creation failed with rollback \
                 disabled, so it never worked; deleting it removes what that attempt created"
            ),
        },
        // The deletion a failed creation triggers failed too: what is left needs a person
        // first, or deleting it again fails the same way.
        "ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is ROLLBACK_FAILED: its creation failed and CloudFormation \
                 could not delete everything it had created"
            ),
            format!(
                "fix or remove by hand what the rollback could not delete (the stack's events \
                 say which and why), then run `{destroy}` and deploy again"
            ),
        ),
        "UPDATE_ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is UPDATE_ROLLBACK_FAILED: an update failed and so did its \
                 rollback; CloudFormation won't update it until the rollback finishes"
            ),
            format!(
                "fix what stopped the rollback (the stack's events say which resources and \
                 why), then run `aws cloudformation continue-update-rollback --stack-name \
                 {stack_name}`; add `--resources-to-skip LogicalId` for a resource that cannot \
                 be rolled back (CloudFormation then leaves it as it is, for you to fix). Or \
                 delete the stack with `{destroy}`"
            ),
        ),
        "DELETE_FAILED" => manual(
            format!(
                "stack {stack_name} is DELETE_FAILED: an earlier deletion stopped part way, \
                 and CloudFormation can only delete it now"
            ),
            format!(
                "run `{destroy}` again (the stack's events say what blocked it); if a resource \
                 cannot be deleted, keep it with `{destroy} --retain LogicalId` and remove it \
                 by hand; then deploy again"
            ),
        ),
        "IMPORT_ROLLBACK_FAILED" => manual(
            format!(
                "stack {stack_name} is IMPORT_ROLLBACK_FAILED: a resource import failed and so \
                 did its rollback"
            ),
            format!(
                "fix what the stack's events report, then deploy again; if CloudFormation \
                 still refuses, delete the stack with `{destroy}`"
            ),
        ),
        s if s.ends_with("_IN_PROGRESS") => Existing::Attach,
        // A status newer than this code: don't guess what is safe.
        other => manual(
            format!("stack {stack_name} is {other}, a status fsx-drt does not know"),
            "look at the stack in the CloudFormation console; deploy again once it is \
             CREATE_COMPLETE or UPDATE_COMPLETE"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::fixtures::STACK;

    #[test]
    fn stacks_are_told_apart_by_their_description() {
        let ours = crate::template::template_json()["Description"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(maker(Some(&ours)), Maker::FsxDrt);
        assert_eq!(
            maker(Some(
                "Deployment for FSx for Lustre Data Repository Task Scheduler (SO9028)."
            )),
            Maker::Reference
        );
        assert_eq!(
            maker(Some("Our web shop")),
            Maker::Other(Some("Our web shop".into()))
        );
        assert_eq!(maker(None), Maker::Other(None));
    }

    #[test]
    fn decide_every_status() {
        #[derive(Debug, PartialEq)]
        enum Want {
            Create,
            Update,
            Recreate,
            Attach,
            Manual(&'static str),
        }
        let cases = [
            (None, 0, Want::Create),
            (Some("DELETE_COMPLETE"), 0, Want::Create),
            (Some("REVIEW_IN_PROGRESS"), 0, Want::Create),
            (Some("REVIEW_IN_PROGRESS"), 2, Want::Manual("console")),
            (Some("CREATE_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_ROLLBACK_COMPLETE"), 12, Want::Update),
            (Some("UPDATE_FAILED"), 12, Want::Update),
            (Some("IMPORT_COMPLETE"), 12, Want::Update),
            (Some("IMPORT_ROLLBACK_COMPLETE"), 12, Want::Update),
            (Some("ROLLBACK_COMPLETE"), 0, Want::Recreate),
            (Some("CREATE_FAILED"), 3, Want::Recreate),
            (Some("ROLLBACK_FAILED"), 1, Want::Manual("fsx-drt destroy")),
            (
                Some("UPDATE_ROLLBACK_FAILED"),
                12,
                Want::Manual("continue-update-rollback --stack-name fsx-drt-scheduler"),
            ),
            (Some("DELETE_FAILED"), 4, Want::Manual("--retain LogicalId")),
            (
                Some("IMPORT_ROLLBACK_FAILED"),
                12,
                Want::Manual("fsx-drt destroy"),
            ),
            (Some("CREATE_IN_PROGRESS"), 0, Want::Attach),
            (Some("UPDATE_IN_PROGRESS"), 12, Want::Attach),
            (
                Some("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
                12,
                Want::Attach,
            ),
            (Some("UPDATE_ROLLBACK_IN_PROGRESS"), 12, Want::Attach),
            (Some("ROLLBACK_IN_PROGRESS"), 3, Want::Attach),
            (Some("DELETE_IN_PROGRESS"), 3, Want::Attach),
            (Some("IMPORT_IN_PROGRESS"), 3, Want::Attach),
            (Some("IMPORT_ROLLBACK_IN_PROGRESS"), 3, Want::Attach),
            (
                Some("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"),
                12,
                Want::Attach,
            ),
            (Some("SOMETHING_NEW"), 3, Want::Manual("console")),
        ];
        for (status, resources, want) in cases {
            let got = match decide(status, resources, STACK) {
                Existing::Create => Want::Create,
                Existing::Update => Want::Update,
                Existing::Recreate { why } => {
                    assert!(why.contains(status.unwrap()), "{why}");
                    Want::Recreate
                }
                Existing::Attach => Want::Attach,
                Existing::ManualAction { why, way_out } => {
                    assert!(why.contains(status.unwrap()), "{why}");
                    assert!(why.contains(STACK), "{why}");
                    match want {
                        Want::Manual(needle) => {
                            assert!(way_out.contains(needle), "{status:?}: {way_out}");
                            Want::Manual(needle)
                        }
                        _ => Want::Manual(""),
                    }
                }
            };
            assert_eq!(got, want, "{status:?} with {resources} resources");
        }
    }
}
