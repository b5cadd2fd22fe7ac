//! The two halves of a reviewed pipeline: `deploy --change-set-only` makes the change set and
//! keeps it ([`Kept`]); `deploy --execute-change-set NAME` executes it once reviewed, unless
//! the stack has moved on since it was made.

use std::fmt;
use std::time::Instant;

use fsx_drt_core::Invalid;
use serde::Serialize;

use super::{apply, DeployRequest, Deployed};
use crate::aws::{ChangeSetView, ErrorKind, StackView};
use crate::error::{Exit, Failure};
use crate::interrupt::UNCHANGED;
use crate::params::Problem;
use crate::stack::{self, Change, ChangeSetSummary, ParameterChange};
use crate::workflows::session::Session;

/// A change set made and kept for review; none when the stack already matches.
#[derive(Debug, Serialize)]
pub struct Kept {
    pub stack_name: String,
    pub change_set_name: Option<String>,
    pub change_set_arn: Option<String>,
    pub has_changes: bool,
    pub changes: Vec<Change>,
    pub parameters: Vec<ParameterChange>,
}

impl From<Deployed> for Kept {
    fn from(deployed: Deployed) -> Kept {
        let (name, arn) = deployed.kept.unzip();
        Kept {
            stack_name: deployed.stack_name,
            has_changes: name.is_some(),
            change_set_name: name,
            change_set_arn: arn,
            changes: deployed.changes,
            parameters: deployed.parameter_changes,
        }
    }
}

impl fmt::Display for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (Some(name), Some(arn)) = (&self.change_set_name, &self.change_set_arn) else {
            return writeln!(
                f,
                "Stack {} is up to date: no changes, no change set kept.",
                self.stack_name
            );
        };
        let summary = ChangeSetSummary {
            changes: self.changes.clone(),
            parameters: self.parameters.clone(),
        };
        writeln!(f, "Change set {name} kept for review:\n  {arn}\n")?;
        write!(f, "{summary}")?;
        writeln!(
            f,
            "\nExecute it with: fsx-drt deploy --stack-name {} --execute-change-set {name}",
            self.stack_name
        )
    }
}

/// A change set's name as CloudFormation takes it (a letter, then letters, digits and
/// hyphens, at most 128 characters), or its ARN: exit 2 naming the flag otherwise.
pub fn check_change_set_name(value: &str) -> Result<(), Failure> {
    let name_ok = |name: &str| {
        name.len() <= 128
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let arn_ok = value.starts_with("arn:")
        && value.split(':').nth(2) == Some("cloudformation")
        && value.contains(":changeSet/");
    if name_ok(value) || arn_ok {
        return Ok(());
    }
    Err(Failure::invalid(
        "invalid change set name",
        vec![Problem::new(
            "--execute-change-set",
            Some(value),
            Invalid::new(
                "not a change set name (a letter, then letters, digits and hyphens, at most 128) nor its ARN",
                "give the name or ARN that deploy --change-set-only printed",
            ),
        )],
    ))
}

/// A kept change set checked against the stack as it is now, ready to execute.
pub struct Reviewed {
    /// Its ARN.
    pub arn: String,
    approved: apply::Approved,
}

impl Reviewed {
    /// It creates the stack (else updates it).
    pub fn creates(&self) -> bool {
        self.approved.create
    }

    /// What it changes, in words, as shown before approval.
    pub fn shown(&self, stack_name: &str) -> String {
        let (name, summary) = (&self.approved.name, &self.approved.summary);
        format!("\nChange set {name} on stack {stack_name}:\n{summary}")
    }
}

/// The change set `name` of the request's stack, read and checked: it still applies to the
/// stack as it is (exit 1 with the reason otherwise, nothing changed). None: it holds no
/// changes and the stack has not changed since it was made (a fleet's reviewed deploy keeps
/// such a change set for a member that already matched).
pub async fn review(
    session: &Session<'_>,
    args: &DeployRequest,
    name: &str,
) -> Result<Option<Reviewed>, Failure> {
    let aws = session.aws;
    let (stack, change_set) = session
        .interrupt
        .until(UNCHANGED, async {
            let stack = aws.describe_stack(&args.stack_name).await?;
            let change_set = match aws.describe_change_set(&args.stack_name, name).await {
                Ok(change_set) => Some(change_set),
                Err(e) if e.is(&ErrorKind::NotFound) => None,
                Err(e) => return Err(Failure::from(e)),
            };
            Ok((stack, change_set))
        })
        .await?;
    if let (Some(stack), Some(change_set)) = (&stack, &change_set) {
        if still_no_changes(stack, change_set) {
            return Ok(None);
        }
    }
    let (stack, change_set) =
        refuse_stale(&args.stack_name, name, stack, change_set, args.any_stack)?;
    let summary = ChangeSetSummary {
        parameters: stack::parameter_changes(&stack.parameters, &change_set.parameters),
        changes: change_set.changes,
    };
    Ok(Some(Reviewed {
        arn: change_set.id,
        approved: apply::Approved {
            name: name.to_string(),
            create: stack.status == "REVIEW_IN_PROGRESS",
            summary,
            stack_id: stack.id,
            next_steps: Vec::new(),
        },
    }))
}

/// fsx-drt's change set found nothing to change, and the stack is as it was then.
fn still_no_changes(stack: &StackView, change_set: &ChangeSetView) -> bool {
    let after = matches!((stack.updated, change_set.created), (Some(u), Some(c)) if u > c);
    change_set.description.starts_with("fsx-drt deploy")
        && change_set.status == "FAILED"
        && stack::is_no_changes_reason(&change_set.status_reason)
        && !stack.in_progress()
        && !after
}

/// Executes a reviewed change set and follows the stack (approval already given).
pub async fn apply_reviewed(
    session: &Session<'_>,
    args: &DeployRequest,
    reviewed: Reviewed,
    started: Instant,
) -> Result<Deployed, Failure> {
    apply::apply(session, args, reviewed.approved, started).await
}

/// Executes the reviewed change set `name` on the request's stack and follows it, after
/// checking that it still applies to the stack as it is, showing it and asking.
pub async fn execute_reviewed(
    session: &Session<'_>,
    args: &DeployRequest,
    name: &str,
    started: Instant,
) -> Result<Deployed, Failure> {
    let Some(reviewed) = review(session, args, name).await? else {
        let why = "it holds no changes: the stack already matches";
        return Err(refusal(&args.stack_name, name, why));
    };
    session.ui.info(&reviewed.shown(&args.stack_name));
    let kept = "the change set was kept, unexecuted";
    session
        .approve(args.yes, "Execute this change set?", kept, || async {
            Ok(())
        })
        .await?;
    if session.interrupt.is_raised() {
        return Err(Failure::new(
            Exit::Interrupted,
            format!("interrupted; {kept}, nothing was changed"),
            None,
        ));
    }
    apply_reviewed(session, args, reviewed, started).await
}

/// The stack and change set when the change set may run: it exists, fsx-drt made it (or
/// `--any-stack`), CloudFormation offers it for execution, the stack is not busy, and the
/// stack has not been updated since it was made (its template or parameters would no longer
/// be the ones the change set was made against). Otherwise exit 1 with the reason, nothing
/// changed, and how to make a fresh one.
fn refuse_stale(
    stack_name: &str,
    name: &str,
    stack: Option<StackView>,
    change_set: Option<ChangeSetView>,
    any_stack: bool,
) -> Result<(StackView, ChangeSetView), Failure> {
    let why = match (stack, change_set) {
        (None, _) => format!("there is no stack {stack_name}"),
        (Some(_), None) => format!(
            "stack {stack_name} has no change set {name}: it was deleted, or the stack was updated since (executing a change set deletes the stack's others)"
        ),
        (Some(stack), Some(change_set)) => match stale_reason(&stack, &change_set, any_stack) {
            None => return Ok((stack, change_set)),
            Some(why) => why,
        },
    };
    Err(refusal(stack_name, name, &why))
}

/// Exit 1: change set `name` is not executed, why, and how to make a fresh one.
fn refusal(stack_name: &str, name: &str, why: &str) -> Failure {
    Failure::new(
        Exit::Failed,
        format!("change set {name} is not executed: {why}; nothing was changed"),
        Some(format!(
            "make a fresh one from the stack as it is now: fsx-drt deploy --stack-name {stack_name} --change-set-only (with the same definition), review it, then execute that"
        )),
    )
}

fn stale_reason(stack: &StackView, change_set: &ChangeSetView, any_stack: bool) -> Option<String> {
    if !change_set.description.starts_with("fsx-drt deploy") && !any_stack {
        return Some(format!(
            "fsx-drt did not make it (its description is {:?}); pass --any-stack to execute it all the same",
            change_set.description
        ));
    }
    if stack.in_progress() && stack.status != "REVIEW_IN_PROGRESS" {
        return Some(format!(
            "the stack is {}: another operation is running (fsx-drt status --watch follows it)",
            stack.status
        ));
    }
    let execution = change_set.execution_status.as_str();
    match (execution, change_set.status.as_str()) {
        ("AVAILABLE", _) => {}
        ("OBSOLETE", _) => {
            return Some("CloudFormation marked it OBSOLETE: the stack changed after it was made".into())
        }
        ("EXECUTE_COMPLETE", _) => return Some("it was executed already".into()),
        ("EXECUTE_IN_PROGRESS", _) => return Some("it is being executed now".into()),
        ("EXECUTE_FAILED", _) => return Some("it was executed, and failed".into()),
        (_, "FAILED") if stack::is_no_changes_reason(&change_set.status_reason) => {
            return Some("it holds no changes: the stack already matches".into())
        }
        (_, "FAILED") => return Some(format!("it failed: {}", change_set.status_reason)),
        (_, status) => {
            return Some(format!(
                "CloudFormation does not offer it for execution (status {status}, ExecutionStatus {execution}); try again in a minute"
            ))
        }
    }
    match (stack.updated, change_set.created) {
        (Some(updated), Some(created)) if updated > created => Some(format!(
            "the stack was updated at {} UTC, after the change set was made at {} UTC, so the template and parameters it was made against are no longer the stack's",
            updated.format("%Y-%m-%d %H:%M:%S"),
            created.format("%Y-%m-%d %H:%M:%S")
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn stack(status: &str, updated_minute: Option<u32>) -> StackView {
        StackView {
            name: "s".into(),
            id: Some("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".into()),
            status: status.into(),
            description: None,
            parameters: Vec::new(),
            outputs: Default::default(),
            termination_protection: false,
            tags: Vec::new(),
            role_arn: None,
            last_change: None,
            created: None,
            updated: updated_minute.map(|m| Utc.with_ymd_and_hms(2026, 11, 30, 12, m, 0).unwrap()),
            deleted: None,
        }
    }

    fn change_set(execution: &str, status: &str, reason: &str) -> ChangeSetView {
        ChangeSetView {
            id: "arn:aws:cloudformation:us-east-1:123456789012:changeSet/c/1".into(),
            status: status.into(),
            execution_status: execution.into(),
            status_reason: reason.into(),
            description: "fsx-drt deploy".into(),
            created: Some(Utc.with_ymd_and_hms(2026, 11, 30, 12, 10, 0).unwrap()),
            parameters: Vec::new(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn a_change_set_runs_only_on_the_stack_it_was_made_against() {
        let ready = change_set("AVAILABLE", "CREATE_COMPLETE", "");
        let no_changes = "The submitted information didn't contain changes. Submit different information to create a change set.";
        let cases: Vec<(StackView, ChangeSetView, Option<&str>)> = vec![
            (stack("UPDATE_COMPLETE", Some(5)), ready.clone(), None),
            (stack("REVIEW_IN_PROGRESS", None), ready.clone(), None),
            (stack("CREATE_COMPLETE", Some(10)), ready.clone(), None),
            (stack("UPDATE_COMPLETE", Some(11)), ready.clone(), Some("the stack was updated at 2026-11-30 12:11:00 UTC, after the change set was made at 2026-11-30 12:10:00 UTC")),
            (stack("UPDATE_IN_PROGRESS", Some(5)), ready.clone(), Some("the stack is UPDATE_IN_PROGRESS")),
            (stack("UPDATE_COMPLETE", None), change_set("OBSOLETE", "CREATE_COMPLETE", ""), Some("OBSOLETE")),
            (stack("UPDATE_COMPLETE", None), change_set("EXECUTE_COMPLETE", "CREATE_COMPLETE", ""), Some("executed already")),
            (stack("UPDATE_COMPLETE", None), change_set("EXECUTE_FAILED", "CREATE_COMPLETE", ""), Some("executed, and failed")),
            (stack("UPDATE_COMPLETE", None), change_set("UNAVAILABLE", "FAILED", no_changes), Some("holds no changes")),
            (stack("UPDATE_COMPLETE", None), change_set("UNAVAILABLE", "FAILED", "Template error"), Some("it failed: Template error")),
            (stack("UPDATE_COMPLETE", None), change_set("UNAVAILABLE", "CREATE_IN_PROGRESS", ""), Some("try again in a minute")),
            (stack("UPDATE_COMPLETE", None), ChangeSetView { description: "by hand".into(), ..ready.clone() }, Some("fsx-drt did not make it")),
        ];
        for (stack, change_set, want) in cases {
            let got = stale_reason(&stack, &change_set, false);
            match want {
                None => assert_eq!(got, None, "{stack:?} {change_set:?}"),
                Some(part) => assert!(
                    got.as_deref().is_some_and(|g| g.contains(part)),
                    "{part:?} not in {got:?}"
                ),
            }
        }
        let by_hand = ChangeSetView {
            description: "by hand".into(),
            ..ready
        };
        assert_eq!(
            stale_reason(&stack("UPDATE_COMPLETE", None), &by_hand, true),
            None
        );
    }

    #[test]
    fn a_change_set_is_named_as_cloudformation_names_them_or_by_arn() {
        for good in [
            "fsx-drt-change-set-1764500000-ab12",
            "a",
            "arn:aws:cloudformation:eu-central-1:123456789012:changeSet/c-1/0f0e0d0c-aaaa-bbbb-cccc-000000000000",
        ] {
            assert!(check_change_set_name(good).is_ok(), "{good}");
        }
        for bad in ["", "1abc", "has space", "under_score", &"a".repeat(129)] {
            let failure = check_change_set_name(bad).unwrap_err();
            assert_eq!(failure.exit, Exit::Invalid, "{bad}");
            assert!(
                failure.to_string().contains("--execute-change-set"),
                "{failure}"
            );
        }
    }
}
