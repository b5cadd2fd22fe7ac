//! `fsx-drt deploy`: validate, check the file system, upload the artifact, create a change
//! set, show it, get approval, execute it and follow the stack to its end.

use std::fmt;
use std::time::Instant;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Output, Parameter, StackStatus};
use fsx_drt_lambda::Invalid;
use serde::Serialize;

use crate::artifact::Artifact;
use crate::aws::{block_on, error_kind, failed, Aws, ErrorKind};
use crate::cli::{DeployArgs, GlobalArgs};
use crate::commands::bucket::{self, Bucket};
use crate::commands::follow::Followed;
use crate::commands::{check_stack_name, follow, gather_parameters, interactive, prompt_missing};
use crate::error::{Exit, Failure};
use crate::interrupt::{Interrupt, UNCHANGED};
use crate::output::Printer;
use crate::params::{self, Param, Parameters, Problem, Resolved, Source};
use crate::stack::{
    self, Change, ChangeSetSummary, Executable, Existing, Operation, ParameterChange, Selector,
};
use crate::template::{maximum_event_age, CODE_BUCKET, CODE_KEY, MAXIMUM_EVENT_AGE, TEMPLATE_YAML};

#[derive(Debug, Serialize)]
pub struct Deployed {
    pub stack_name: String,
    pub status: String,
    /// create, update, or none (the stack already matched).
    pub operation: &'static str,
    pub changes: Vec<Change>,
    pub parameter_changes: Vec<ParameterChange>,
    #[serde(serialize_with = "crate::commands::outputs_map")]
    pub outputs: Vec<(String, String)>,
    pub duration_seconds: f64,
}

impl fmt::Display for Deployed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation {
            "none" => writeln!(
                f,
                "Stack {} is up to date ({}).",
                self.stack_name, self.status
            )?,
            op => writeln!(
                f,
                "Stack {} {}d: {} in {:.1} s.",
                self.stack_name, op, self.status, self.duration_seconds
            )?,
        }
        if !self.outputs.is_empty() {
            writeln!(f)?;
            writeln!(f, "Outputs:")?;
            let width = self.outputs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (key, value) in &self.outputs {
                writeln!(f, "  {key:<width$}  {value}")?;
            }
        }
        Ok(())
    }
}

pub fn run(args: &DeployArgs, global: &GlobalArgs, printer: &Printer) -> Result<Deployed, Failure> {
    let started = Instant::now();
    let prepared = prepare(args)?;
    let stopped = follow::interrupted(&args.stack_name, "deployment");
    block_on(stopped, async |interrupt| {
        let aws = Aws::connect(global).await?;
        execute(&aws, args, global, prepared, interrupt, printer, started).await
    })
}

/// What deploy checks offline, before any AWS call: the stack name, every parameter value
/// given so far, and the artifact.
pub struct Prepared {
    pub resolved: Resolved,
    pub artifact: Artifact,
}

pub fn prepare(args: &DeployArgs) -> Result<Prepared, Failure> {
    check_stack_name(&args.stack_name)?;
    if let Some(path) = &args.outputs_file {
        crate::outfile::check(path).map_err(|problem| {
            let name = path.display().to_string();
            Failure::invalid(
                "cannot write the outputs file",
                vec![Problem::new(
                    "--outputs-file",
                    Some(&name),
                    Invalid::new(problem, "give a file in an existing directory"),
                )],
            )
        })?;
    }
    let resolved = gather_parameters(&args.params)?;
    let present_problems: Vec<Problem> = match params::validate(&resolved) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.into_iter().filter(|p| p.value.is_some()).collect(),
    };
    if !present_problems.is_empty() {
        return Err(Failure::invalid(
            "the parameters are invalid",
            present_problems,
        ));
    }
    let artifact = Artifact::load(args.lambda_zip.as_deref())?;
    Ok(Prepared { resolved, artifact })
}

/// The deploy itself, on the given clients. `interrupt` (Ctrl-C) while the change set is
/// made or awaits approval deletes it, and the stack when it was created just for it; while
/// the stack changes, it stops following and leaves the stack to finish.
pub async fn execute(
    aws: &Aws,
    args: &DeployArgs,
    global: &GlobalArgs,
    prepared: Prepared,
    interrupt: &Interrupt,
    printer: &Printer,
    started: Instant,
) -> Result<Deployed, Failure> {
    // Reading changes nothing: Ctrl-C simply stops.
    let target = interrupt
        .until(UNCHANGED, target(aws, args, global, prepared, printer))
        .await?;
    let change_set_type = settle_existing(aws, args, global, &target, interrupt, printer).await?;
    let bucket = Bucket {
        name: &target.bucket,
        owner: &target.account,
        managed: args.artifact_bucket.is_none(),
    };
    interrupt
        .until(
            UNCHANGED,
            bucket::upload(aws, &bucket, &target.artifact, printer),
        )
        .await?;
    // A new stack exists only for this change set, unless it was already waiting for review
    // (someone else's change set may be waiting with it).
    let new_stack = change_set_type == ChangeSetType::Create
        && target.existing.as_ref().and_then(|s| s.stack_status())
            != Some(&StackStatus::ReviewInProgress);

    // Unique even for two deploys in one second (of this stack, or of two stacks in an
    // emulator that does not scope change-set names by stack).
    let name = stack::request_token("change-set");
    let made = tokio::select! {
        biased;
        () = interrupt.raised() => None,
        made = make_change_set(aws, &args.stack_name, &name, &change_set_type, &target.values) => Some(made),
    };
    // Ctrl-C before the change set is executed: it goes, and the stack made for it, even
    // when Ctrl-C is pressed again meanwhile.
    let withdraw = || async {
        let discarding = discard(aws, &args.stack_name, &name, new_stack);
        let emptied = interrupt.shielded(discarding).await;
        Failure::new(
            Exit::Interrupted,
            format!(
                "interrupted; change set {name} was deleted{}, nothing was changed",
                if emptied {
                    " with the empty stack made for it"
                } else {
                    ""
                }
            ),
            None,
        )
    };
    let (changes, stack_id) = match made {
        None => return Err(withdraw().await),
        Some(Err(failure)) => {
            discard(aws, &args.stack_name, &name, new_stack).await;
            return Err(failure);
        }
        Some(Ok((ChangeSetState::NoChanges, _))) => {
            delete_change_set(aws, &args.stack_name, &name).await;
            // Nothing changed: the stack read at the start is current, unless another
            // operation was followed to its end first.
            let stack = match &target.existing {
                Some(stack)
                    if stack
                        .stack_status()
                        .is_some_and(|s| !s.as_str().ends_with("_IN_PROGRESS")) =>
                {
                    Some(stack.clone())
                }
                _ => describe_stack(aws, &args.stack_name).await?,
            };
            let outputs = stack
                .as_ref()
                .map(|s| outputs(s.outputs()))
                .unwrap_or_default();
            if let Some(path) = &args.outputs_file {
                write_outputs(path, &outputs)?;
            }
            return Ok(Deployed {
                stack_name: args.stack_name.clone(),
                status: stack
                    .as_ref()
                    .and_then(|s| s.stack_status())
                    .map_or("?".into(), |s| s.as_str().to_string()),
                operation: "none",
                changes: Vec::new(),
                parameter_changes: Vec::new(),
                outputs,
                duration_seconds: started.elapsed().as_secs_f64(),
            });
        }
        Some(Ok((ChangeSetState::Ready(changes), stack_id))) => (changes, stack_id),
    };
    let summary = ChangeSetSummary {
        changes,
        parameters: stack::parameter_changes(&target.old_values, &target.values),
    };
    printer.info(&format!("\nChange set {name}:\n{summary}"));

    let cancel = || async {
        discard(aws, &args.stack_name, &name, new_stack).await;
        Ok(())
    };
    approve(
        args,
        global,
        printer,
        "Deploy these changes?",
        "the change set was deleted and the stack left as it was",
        cancel,
    )
    .await?;

    if interrupt.is_raised() {
        return Err(withdraw().await);
    }
    let token = stack::request_token("deploy");
    let request = aws
        .cloudformation
        .execute_change_set()
        .stack_name(&args.stack_name)
        .change_set_name(&name)
        .client_request_token(&token)
        .send();
    interrupt
        .until_or(follow::interrupted(&args.stack_name, "deployment"), async {
            request.await.map_err(|e| failed("ExecuteChangeSet", &e))
        })
        .await?;
    let followed = Followed {
        operation: Operation::Deploy,
        events: Selector::Token(token),
        expected: summary.changes.len(),
        stack_id,
    };
    let end = follow::follow(
        aws,
        &args.stack_name,
        &followed,
        args.timeout,
        interrupt,
        printer,
    )
    .await?;
    let by_id = followed.stack_id.as_deref().unwrap_or(&args.stack_name);
    let stack = describe_stack(aws, by_id).await?;
    let outputs = stack.map(|s| outputs(s.outputs())).unwrap_or_default();
    if let Some(path) = &args.outputs_file {
        write_outputs(path, &outputs)?;
    }
    Ok(Deployed {
        stack_name: args.stack_name.clone(),
        status: end,
        operation: if change_set_type == ChangeSetType::Create {
            "create"
        } else {
            "update"
        },
        changes: summary.changes,
        parameter_changes: summary.parameters,
        outputs,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Where the deploy is going: the stack as it is, and every value the change set sends.
struct Target {
    existing: Option<aws_sdk_cloudformation::types::Stack>,
    /// The stack's current parameter values (empty for a new stack).
    old_values: Vec<(String, String)>,
    values: Vec<(String, String)>,
    bucket: String,
    /// The caller's account, which must own the bucket.
    account: String,
    artifact: Artifact,
}

/// Caller identity, the stack, the parameters completed from it (and prompts), and the
/// preflight: everything read before anything is changed.
async fn target(
    aws: &Aws,
    args: &DeployArgs,
    global: &GlobalArgs,
    prepared: Prepared,
    printer: &Printer,
) -> Result<Target, Failure> {
    let Prepared {
        mut resolved,
        artifact,
    } = prepared;
    let account = aws
        .sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| failed("GetCallerIdentity", &e))?
        .account
        .unwrap_or_default();
    printer.info(&format!(
        "Deploying stack {} in account {account}, region {}.",
        args.stack_name, aws.region
    ));

    let existing = describe_stack(aws, &args.stack_name).await?;
    if let Some(stack) = &existing {
        crate::commands::check_maker(stack, &args.stack_name, args.any_stack)?;
        if stack::maker(stack.description()) == stack::Maker::Reference {
            printer.info(&format!(
                "Stack {} is the reference solution's: fsx-drt takes it over in place, keeping its parameters.",
                args.stack_name
            ));
        }
    }
    let old_values = existing
        .as_ref()
        .map(crate::commands::parameter_pairs)
        .unwrap_or_default();
    let task_type = resolved.get(Param::TaskType).map(|(v, _)| v.clone());
    let stack_values = crate::commands::stack_values(&old_values, task_type);
    resolved.fill(stack_values, Source::Stack);
    prompt_missing(&mut resolved, global, printer)?;
    let parameters = params::validate(&resolved)
        .map_err(|problems| Failure::invalid("the parameters are invalid", problems))?;
    preflight(aws, &parameters).await?;

    let bucket = match &args.artifact_bucket {
        Some(bucket) => bucket.clone(),
        None => format!("fsx-drt-artifacts-{account}-{}", aws.region),
    };
    let mut values: Vec<(String, String)> = parameters
        .template_values()
        .into_iter()
        .map(|(p, v)| (p.key().to_string(), v))
        .collect();
    values.push((CODE_BUCKET.into(), bucket.clone()));
    values.push((CODE_KEY.into(), artifact.key()));
    values.push((
        MAXIMUM_EVENT_AGE.into(),
        maximum_event_age(&parameters.schedule, chrono::Utc::now()).to_string(),
    ));
    Ok(Target {
        existing,
        old_values,
        values,
        bucket,
        account,
        artifact,
    })
}

/// Brings the stack to a state a change set can start from, and says which kind: a new
/// stack, an update, a re-creation after a failed create (confirmed), or first following an
/// operation still in progress. A stack that needs a person's decision stops here (exit 3).
async fn settle_existing(
    aws: &Aws,
    args: &DeployArgs,
    global: &GlobalArgs,
    target: &Target,
    interrupt: &Interrupt,
    printer: &Printer,
) -> Result<ChangeSetType, Failure> {
    let status = target
        .existing
        .as_ref()
        .and_then(|s| s.stack_status())
        .map(|s| s.as_str().to_string());
    // Only a stack waiting for review needs its resources counted (see stack::decide).
    let resources = if status.as_deref() == Some("REVIEW_IN_PROGRESS") {
        interrupt
            .until(UNCHANGED, count_resources(aws, &args.stack_name))
            .await?
    } else {
        0
    };
    match stack::decide(status.as_deref(), resources, &args.stack_name) {
        Existing::Create => Ok(ChangeSetType::Create),
        Existing::Update => Ok(ChangeSetType::Update),
        Existing::Recreate { why } => {
            if let Some(stack) = &target.existing {
                follow::check_deletable(stack, &args.stack_name)?;
            }
            printer.info(&why);
            approve(
                args,
                global,
                printer,
                "Delete it and create it again?",
                "the stack was left as it was",
                || async { Ok(()) },
            )
            .await?;
            let stack_id = target.existing.as_ref().and_then(|s| s.stack_id());
            follow::delete(
                aws,
                (&args.stack_name, stack_id),
                &[],
                args.timeout,
                interrupt,
                printer,
            )
            .await?;
            Ok(ChangeSetType::Create)
        }
        Existing::Attach => {
            printer.info(&format!(
                "Stack {} is busy ({}); following it first.",
                args.stack_name,
                status.as_deref().unwrap_or("?")
            ));
            let Some(stack) = &target.existing else {
                return Ok(ChangeSetType::Create);
            };
            let end = follow::follow(
                aws,
                &args.stack_name,
                &Followed::attach(stack),
                args.timeout,
                interrupt,
                printer,
            )
            .await?;
            match end.as_str() {
                "DELETE_COMPLETE" => Ok(ChangeSetType::Create),
                "ROLLBACK_COMPLETE" => Err(Failure::new(
                    Exit::Failed,
                    format!("stack {} ended {end}", args.stack_name),
                    Some("run fsx-drt deploy again to delete and re-create it".into()),
                )),
                _ => Ok(ChangeSetType::Update),
            }
        }
        Existing::ManualAction { why, way_out } => {
            Err(Failure::new(Exit::ManualAction, why, Some(way_out)))
        }
    }
}

/// Creates the change set and waits until CloudFormation has worked it out; also returns
/// the StackId CloudFormation gives the change set's stack.
async fn make_change_set(
    aws: &Aws,
    stack_name: &str,
    name: &str,
    change_set_type: &ChangeSetType,
    values: &[(String, String)],
) -> Result<(ChangeSetState, Option<String>), Failure> {
    let created = aws
        .cloudformation
        .create_change_set()
        .stack_name(stack_name)
        .change_set_name(name)
        .change_set_type(change_set_type.clone())
        .template_body(TEMPLATE_YAML)
        .capabilities(Capability::CapabilityIam)
        .set_parameters(Some(
            values
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(k)
                        .parameter_value(v)
                        .build()
                })
                .collect(),
        ))
        .description("fsx-drt deploy")
        .send()
        .await
        .map_err(|e| failed("CreateChangeSet", &e))?;
    let state = wait_change_set(aws, stack_name, name).await?;
    Ok((state, created.stack_id().map(str::to_string)))
}

/// Deletes a change set that will not run, and the stack when it was made just for it and
/// still holds nothing: REVIEW_IN_PROGRESS with no other change set waiting. Another deploy
/// of the same name may have made that stack, or be executing its own change set on it, so
/// it is deleted only then, and by its StackId. Best effort; true when the stack was deleted.
async fn discard(aws: &Aws, stack_name: &str, name: &str, new_stack: bool) -> bool {
    delete_change_set(aws, stack_name, name).await;
    if !new_stack {
        return false;
    }
    let Ok(Some(stack)) = describe_stack(aws, stack_name).await else {
        return false;
    };
    let (Some(id), Some(StackStatus::ReviewInProgress)) = (stack.stack_id(), stack.stack_status())
    else {
        return false;
    };
    let others = aws
        .cloudformation
        .list_change_sets()
        .stack_name(id)
        .send()
        .await;
    if !others.is_ok_and(|o| o.summaries().is_empty()) {
        return false;
    }
    aws.cloudformation
        .delete_stack()
        .stack_name(id)
        .send()
        .await
        .is_ok()
}

/// `--yes` approves; a person at a terminal is asked; anyone else gets exit 2 and the hint.
/// `cancel` undoes what was prepared when the answer is no.
async fn approve<F, Fut>(
    args: &DeployArgs,
    global: &GlobalArgs,
    printer: &Printer,
    question: &str,
    declined: &str,
    cancel: F,
) -> Result<(), Failure>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    if args.yes {
        return Ok(());
    }
    if !interactive(global) {
        cancel().await?;
        return Err(Failure::new(
            Exit::Invalid,
            "approval needed, and nobody can be asked (no terminal, or --no-input)",
            Some("review the changes above, then run again with --yes".into()),
        ));
    }
    if printer.confirm(question) {
        Ok(())
    } else {
        cancel().await?;
        Err(Failure::new(
            Exit::Interrupted,
            format!("not approved; {declined}"),
            None,
        ))
    }
}

pub(crate) async fn describe_stack(
    aws: &Aws,
    stack_name: &str,
) -> Result<Option<aws_sdk_cloudformation::types::Stack>, Failure> {
    match aws
        .cloudformation
        .describe_stacks()
        .stack_name(stack_name)
        .send()
        .await
    {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(e) if error_kind(&e) == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(failed("DescribeStacks", &e)),
    }
}

async fn count_resources(aws: &Aws, stack_name: &str) -> Result<usize, Failure> {
    let resources = follow::resources(aws, stack_name).await?;
    Ok(resources
        .iter()
        .filter(|(_, status)| status != "DELETE_COMPLETE")
        .count())
}

/// The file system exists, is Lustre and available, and its data repositories cover every
/// path (the Lambda's own planning code decides).
async fn preflight(aws: &Aws, parameters: &Parameters) -> Result<(), Failure> {
    let fs_id = parameters.file_system_id.as_str();
    let invalid = |problem: String, fix: &str| {
        Failure::invalid(
            "the file system cannot be scheduled",
            vec![Problem::new(
                Param::FileSystemId.key(),
                Some(fs_id),
                fsx_drt_lambda::Invalid::new(problem, fix),
            )],
        )
    };
    let described = match aws
        .fsx
        .describe_file_systems()
        .file_system_ids(fs_id)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if error_kind(&e) == ErrorKind::NotFound => {
            return Err(invalid(
                format!("no file system {fs_id} in region {}", aws.region),
                "check the id and the region (--region) with `aws fsx describe-file-systems`",
            ))
        }
        Err(e) => return Err(failed("DescribeFileSystems", &e)),
    };
    let Some(fs) = described.file_systems().first() else {
        return Err(invalid(
            format!("no file system {fs_id} in region {}", aws.region),
            "check the id and the region (--region)",
        ));
    };
    let kind = fs.file_system_type().map(|t| t.as_str()).unwrap_or("?");
    if kind != "LUSTRE" {
        return Err(invalid(
            format!("{fs_id} is an {kind} file system; data repository tasks need FSx for Lustre"),
            "give the id of an FSx for Lustre file system",
        ));
    }
    let lifecycle = fs.lifecycle().map(|l| l.as_str()).unwrap_or("?");
    if lifecycle != "AVAILABLE" && lifecycle != "UPDATING" {
        return Err(invalid(
            format!("{fs_id} is {lifecycle}, not AVAILABLE"),
            "wait until the file system is AVAILABLE, then deploy again",
        ));
    }
    let lustre = fs.lustre_configuration();
    let facts = crate::file_system::Facts {
        version: fs.file_system_type_version(),
        deployment: lustre.and_then(|l| l.deployment_type()).map(|d| d.as_str()),
        storage: fs.storage_type().map(|s| s.as_str()),
        linked: lustre
            .and_then(|l| l.data_repository_configuration())
            .is_some_and(|d| d.import_path().is_some() || d.export_path().is_some()),
    };
    if let Err((param, why)) = crate::file_system::check(&facts, parameters.task_type) {
        let value = match param {
            Param::TaskType => parameters.task_type.name(),
            _ => fs_id,
        };
        return Err(Failure::invalid(
            "the file system cannot run these tasks",
            vec![Problem::new(param.key(), Some(value), why)],
        ));
    }
    let repositories = fsx_drt_lambda::aws::repositories_of(&aws.fsx, fs_id, Some(fs))
        .await
        .map_err(|e| crate::aws::aws_failure(&e))?;
    let config = crate::commands::plan::lambda_config(parameters);
    fsx_drt_lambda::plan::plan(&config, &repositories)
        .map_err(|e| crate::commands::plan::plan_failure(e, parameters))?;
    Ok(())
}

/// Best effort: a change set left behind is harmless, and the caller is already leaving.
async fn delete_change_set(aws: &Aws, stack_name: &str, name: &str) {
    let _ = aws
        .cloudformation
        .delete_change_set()
        .stack_name(stack_name)
        .change_set_name(name)
        .send()
        .await;
}

enum ChangeSetState {
    Ready(Vec<Change>),
    NoChanges,
}

/// How many polls a created change set may stay UNAVAILABLE (not yet offered for execution)
/// before deploy gives up on it.
const UNAVAILABLE_POLLS: u32 = 30;

/// Polls the change set every second until it is ready; an empty one is not an error, one
/// that cannot be executed (only AVAILABLE can) is explained, never executed.
async fn wait_change_set(
    aws: &Aws,
    stack_name: &str,
    name: &str,
) -> Result<ChangeSetState, Failure> {
    let mut unavailable = 0;
    for attempt in 0..600u32 {
        let out = aws
            .cloudformation
            .describe_change_set()
            .stack_name(stack_name)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| failed("DescribeChangeSet", &e))?;
        let status = out.status().map(|s| s.as_str()).unwrap_or("");
        let execution = out.execution_status().map_or("", |s| s.as_str());
        match (status, stack::change_set_execution(execution)) {
            ("CREATE_COMPLETE", Executable::Wait) if unavailable < UNAVAILABLE_POLLS => {
                unavailable += 1;
                tokio::time::sleep(stack::next_poll_delay(0, f64::from(attempt % 7) / 7.0)).await;
            }
            ("CREATE_COMPLETE", Executable::Wait | Executable::No { .. }) => {
                let why = match stack::change_set_execution(execution) {
                    Executable::No { why } => why,
                    _ => "CloudFormation still does not offer it for execution",
                };
                return Err(Failure::new(
                    Exit::Failed,
                    format!(
                        "change set {name} cannot be executed (ExecutionStatus {execution}): {why}; nothing was changed"
                    ),
                    Some(
                        "run fsx-drt deploy again: it makes a new change set from the stack as it is now".into(),
                    ),
                ));
            }
            ("CREATE_COMPLETE", Executable::Yes) => {
                let changes = out
                    .changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(|r| Change {
                        action: r
                            .action()
                            .map(|a| a.as_str().to_string())
                            .unwrap_or_default(),
                        logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                        resource_type: r.resource_type().unwrap_or_default().to_string(),
                        replacement: r.replacement().map(|x| x.as_str().to_string()),
                    })
                    .collect();
                return Ok(ChangeSetState::Ready(changes));
            }
            ("FAILED", _) => {
                let reason = out.status_reason().unwrap_or_default();
                if stack::is_no_changes_reason(reason) {
                    return Ok(ChangeSetState::NoChanges);
                }
                return Err(Failure::new(
                    Exit::Failed,
                    format!("the change set failed: {reason}"),
                    Some("fix what the reason names, then deploy again".into()),
                ));
            }
            _ => tokio::time::sleep(stack::next_poll_delay(0, f64::from(attempt % 7) / 7.0)).await,
        }
    }
    Err(Failure::new(
        Exit::TimedOut,
        format!("change set {name} is still not ready"),
        Some("look at it with `aws cloudformation describe-change-set`".into()),
    ))
}

fn outputs(list: &[Output]) -> Vec<(String, String)> {
    list.iter()
        .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
        .collect()
}

/// Writes the outputs as a JSON object, whole or not at all.
fn write_outputs(path: &std::path::Path, outputs: &[(String, String)]) -> Result<(), Failure> {
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
