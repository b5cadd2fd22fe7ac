//! The approved half of a deploy, shared by `deploy` and `deploy --execute-change-set`:
//! execute the change set, follow the stack to its end, then set termination protection and
//! write the outputs.

use std::time::Instant;

use super::{DeployRequest, Deployed};
use crate::aws::{Aws, StackView};
use crate::error::{Exit, Failure};
use crate::stack::{self, ChangeSetSummary, Operation, Selector};
use crate::workflows::follow::{self, Followed};
use crate::workflows::session::Session;

/// A change set approved for execution.
pub struct Approved {
    pub name: String,
    /// What it changes, as shown for approval.
    pub summary: ChangeSetSummary,
    pub stack_id: Option<String>,
    /// It creates the stack (else updates it).
    pub create: bool,
    /// What is left to do once it is deployed.
    pub next_steps: Vec<String>,
}

/// Executes the change set (its events carry a fresh token), follows the stack until the
/// operation ends (Ctrl-C stops following and leaves the stack to finish), and reads the
/// outputs.
pub async fn apply(
    session: &Session<'_>,
    args: &DeployRequest,
    approved: Approved,
    started: Instant,
) -> Result<Deployed, Failure> {
    let (aws, interrupt) = (session.aws, session.interrupt);
    let token = stack::request_token("deploy");
    let request = aws.execute_change_set(&args.stack_name, &approved.name, &token);
    interrupt
        .until_or(follow::interrupted(&args.stack_name, "deployment"), async {
            request.await.map_err(Failure::from)
        })
        .await?;
    let followed = Followed {
        operation: Operation::Deploy,
        events: Selector::Token(token),
        expected: approved.summary.changes.len(),
        stack_id: approved.stack_id,
    };
    let end = follow::follow(session, &args.stack_name, &followed, args.timeout)
        .await?
        .succeeded()?;
    let by_id = followed.stack_id.as_deref().unwrap_or(&args.stack_name);
    let stack = aws.describe_stack(by_id).await?;
    protect(aws, args, stack.as_ref()).await?;
    let outputs = stack.map(|s| s.outputs.0).unwrap_or_default();
    if let Some(path) = &args.outputs_file {
        write_outputs(path, &outputs)?;
    }
    Ok(Deployed {
        stack_name: args.stack_name.clone(),
        status: end,
        operation: if approved.create { "create" } else { "update" },
        changes: approved.summary.changes,
        parameter_changes: approved.summary.parameters,
        outputs,
        duration_seconds: started.elapsed().as_secs_f64(),
        next_steps: approved.next_steps,
        kept: None,
    })
}

/// `--termination-protection on|off`, when it differs from the stack's.
pub async fn protect(
    aws: &Aws,
    args: &DeployRequest,
    stack: Option<&StackView>,
) -> Result<(), Failure> {
    let (Some(on), Some(stack)) = (args.options.termination_protection, stack) else {
        return Ok(());
    };
    if stack.termination_protection != on {
        let by = stack.id.as_deref().unwrap_or(&stack.name);
        aws.set_termination_protection(by, on).await?;
    }
    Ok(())
}

/// Writes the outputs as a JSON object, whole or not at all.
pub fn write_outputs(path: &std::path::Path, outputs: &[(String, String)]) -> Result<(), Failure> {
    let map: serde_json::Map<String, serde_json::Value> = outputs
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    let text = serde_json::to_string_pretty(&map).expect("json") + "\n";
    crate::outfile::write(path, text.as_bytes()).map_err(|e| {
        Failure::new(
            Exit::Failed,
            format!(
                "the stack is deployed, but {} could not be written: {e}",
                path.display()
            ),
            Some("see the outputs with fsx-drt status".into()),
        )
    })
}
