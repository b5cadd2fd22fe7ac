//! The stack deploy finds, brought to where a change set can start: created, updated,
//! re-created after a failed create (confirmed), or first followed to the end of an
//! operation in progress; a stack that needs a person's decision stops here (exit 3).

use super::{DeployRequest, Mode, Target};
use crate::aws::Aws;
use crate::error::{Exit, Failure};
use crate::interrupt::UNCHANGED;
use crate::stack::{self, Existing};
use crate::workflows::check_deletable;
use crate::workflows::follow::{self, Followed};
use crate::workflows::session::Session;

/// Brings the stack to a state a change set can start from, and says which kind: a new
/// stack, an update, a re-creation after a failed create (confirmed), or first following an
/// operation still in progress. A stack that needs a person's decision stops here (exit 3).
pub(super) async fn settle(
    session: &Session<'_>,
    args: &DeployRequest,
    target: &Target,
) -> Result<bool, Failure> {
    let (aws, interrupt, printer) = (session.aws, session.interrupt, session.ui);
    let status = target.existing.as_ref().map(|s| s.status.clone());
    // Only a stack waiting for review needs its resources counted (see stack::decide).
    let resources = if status.as_deref() == Some("REVIEW_IN_PROGRESS") {
        interrupt
            .until(UNCHANGED, count_resources(aws, &args.stack_name))
            .await?
    } else {
        0
    };
    match stack::decide(status.as_deref(), resources, &args.stack_name) {
        Existing::Create => Ok(true),
        Existing::Update => Ok(false),
        Existing::Recreate { why } if args.mode != Mode::Apply => Err(Failure::new(
            Exit::ManualAction,
            format!(
                "{why}; {}",
                match args.mode {
                    Mode::Diff => "diff shows no changes for it",
                    _ => "no change set can be made on it",
                }
            ),
            Some("fsx-drt deploy deletes it (after confirmation) and creates it anew".into()),
        )),
        Existing::Recreate { why } => {
            if let Some(stack) = &target.existing {
                check_deletable(stack)?;
            }
            printer.info(&why);
            session
                .approve(
                    args.yes,
                    "Delete it and create it again?",
                    "the stack was left as it was",
                    || async { Ok(()) },
                )
                .await?;
            let stack_id = target.existing.as_ref().and_then(|s| s.id.as_deref());
            let role = args.options.role_arn.as_deref();
            follow::delete(
                session,
                (&args.stack_name, stack_id),
                &[],
                role,
                args.timeout,
            )
            .await?
            .succeeded()?;
            Ok(true)
        }
        Existing::Attach => {
            printer.info(&format!(
                "Stack {} is busy ({}); following it first.",
                args.stack_name,
                status.as_deref().unwrap_or("?")
            ));
            let Some(stack) = &target.existing else {
                return Ok(true);
            };
            let end = follow::follow(
                session,
                &args.stack_name,
                &Followed::attach(stack),
                args.timeout,
            )
            .await?
            .succeeded()?;
            match end.as_str() {
                "DELETE_COMPLETE" => Ok(true),
                "ROLLBACK_COMPLETE" => Err(Failure::new(
                    Exit::Failed,
                    format!("stack {} ended {end}", args.stack_name),
                    Some("run fsx-drt deploy again to delete and re-create it".into()),
                )),
                _ => Ok(false),
            }
        }
        Existing::ManualAction { why, way_out } => {
            Err(Failure::new(Exit::ManualAction, why, Some(way_out)))
        }
    }
}

/// The resources a stack holds that are not deleted.
async fn count_resources(aws: &Aws, stack_name: &str) -> Result<usize, Failure> {
    let resources = aws.stack_resources(stack_name).await?;
    Ok(resources
        .iter()
        .filter(|(_, status)| status != "DELETE_COMPLETE")
        .count())
}
