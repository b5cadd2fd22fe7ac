//! `fsx-drt deploy`: validate, check the file system, upload the artifact, create a change
//! set, show it, get approval, execute it and follow the stack to its end.

use std::fmt;
use std::time::Instant;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Output, Parameter};
use fsx_drt_lambda::Invalid;
use serde::Serialize;

use crate::artifact::Artifact;
use crate::aws::{block_on, failed, Aws};
use crate::cli::{DeployArgs, GlobalArgs};
use crate::commands::{check_stack_name, follow, gather_parameters, interactive, prompt_missing};
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::output::Printer;
use crate::params::{self, Param, Parameters, Problem, Resolved, Source};
use crate::stack::{self, Change, ChangeSetSummary, Existing, Operation, ParameterChange};
use crate::template::TEMPLATE_YAML;

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
    block_on(async {
        let aws = Aws::connect(global).await?;
        let interrupt = Interrupt::ctrl_c();
        execute(&aws, args, global, prepared, &interrupt, printer, started).await
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

/// Ctrl-C while deploy only reads (or uploads the content-addressed artifact).
const UNCHANGED: &str = "interrupted; nothing was changed";

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
    interrupt
        .until(
            UNCHANGED,
            upload(
                aws,
                &target.bucket,
                &target.artifact,
                args.artifact_bucket.is_none(),
                printer,
            ),
        )
        .await?;
    // A new stack exists only for this change set, unless it was already waiting for review
    // (someone else's change set may be waiting with it).
    let new_stack = change_set_type == ChangeSetType::Create
        && target.existing.as_ref().and_then(|s| s.stack_status())
            != Some(&aws_sdk_cloudformation::types::StackStatus::ReviewInProgress);

    let name = format!("fsx-drt-{}", chrono::Utc::now().format("%Y%m%d%H%M%S"));
    let made = tokio::select! {
        biased;
        () = interrupt.raised() => None,
        made = make_change_set(aws, &args.stack_name, &name, &change_set_type, &target.values) => Some(made),
    };
    let changes = match made {
        None => {
            discard(aws, &args.stack_name, &name, new_stack).await;
            return Err(Failure::new(
                Exit::Interrupted,
                format!(
                    "interrupted; change set {name} was deleted{}, nothing was changed",
                    if new_stack {
                        " with the empty stack made for it"
                    } else {
                        ""
                    }
                ),
                None,
            ));
        }
        Some(Err(failure)) => {
            discard(aws, &args.stack_name, &name, new_stack).await;
            return Err(failure);
        }
        Some(Ok(ChangeSetState::NoChanges)) => {
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
        Some(Ok(ChangeSetState::Ready(changes))) => changes,
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
        "Deploy these changes?",
        "the change set was deleted and the stack left as it was",
        cancel,
    )
    .await?;

    aws.cloudformation
        .execute_change_set()
        .stack_name(&args.stack_name)
        .change_set_name(&name)
        .send()
        .await
        .map_err(|e| failed("ExecuteChangeSet", &e))?;
    let end = follow::follow(
        aws,
        &args.stack_name,
        Operation::Deploy,
        summary.changes.len(),
        args.timeout,
        interrupt,
        printer,
    )
    .await?;
    let stack = describe_stack(aws, &args.stack_name).await?;
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
    let old_values = existing
        .as_ref()
        .map(crate::commands::parameter_pairs)
        .unwrap_or_default();
    let task_type = resolved.get(Param::TaskType).map(|(v, _)| v.clone());
    let stack_values = crate::commands::stack_values(&old_values, task_type);
    resolved.fill(stack_values, Source::Stack);
    prompt_missing(&mut resolved, global)?;
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
    values.push(("CodeBucket".into(), bucket.clone()));
    values.push(("CodeKey".into(), artifact.key()));
    Ok(Target {
        existing,
        old_values,
        values,
        bucket,
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
            printer.info(&why);
            approve(
                args,
                global,
                "Delete it and create it again?",
                "the stack was left as it was",
                || async { Ok(()) },
            )
            .await?;
            follow::delete(aws, &args.stack_name, &[], args.timeout, interrupt, printer).await?;
            Ok(ChangeSetType::Create)
        }
        Existing::Attach => {
            printer.info(&format!(
                "Stack {} is busy ({}); following it first.",
                args.stack_name,
                status.as_deref().unwrap_or("?")
            ));
            let end = follow::follow(
                aws,
                &args.stack_name,
                Operation::Attach {
                    deleting: status.as_deref().is_some_and(|s| s.starts_with("DELETE")),
                },
                0,
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

/// Creates the change set and waits until CloudFormation has worked it out.
async fn make_change_set(
    aws: &Aws,
    stack_name: &str,
    name: &str,
    change_set_type: &ChangeSetType,
    values: &[(String, String)],
) -> Result<ChangeSetState, Failure> {
    aws.cloudformation
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
    wait_change_set(aws, stack_name, name).await
}

/// Deletes a change set that will not run, and the stack when it was made just for it (a
/// stack created for a change set that never ran holds nothing). Best effort.
async fn discard(aws: &Aws, stack_name: &str, name: &str, new_stack: bool) {
    delete_change_set(aws, stack_name, name).await;
    if new_stack {
        let _ = aws
            .cloudformation
            .delete_stack()
            .stack_name(stack_name)
            .send()
            .await;
    }
}

/// `--yes` approves; a person at a terminal is asked; anyone else gets exit 2 and the hint.
/// `cancel` undoes what was prepared when the answer is no.
async fn approve<F, Fut>(
    args: &DeployArgs,
    global: &GlobalArgs,
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
    let yes = match dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact()
    {
        Ok(yes) => yes,
        Err(_) => {
            // Ctrl-C: end the prompt's line before the error.
            crate::output::log("");
            false
        }
    };
    if yes {
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
        Err(e) if crate::aws::describe(&e).contains("does not exist") => Ok(None),
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
        Err(e) if crate::aws::describe(&e).starts_with("FileSystemNotFound") => {
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
    let repositories = fsx_drt_lambda::aws::repositories_of(&aws.fsx, fs_id, Some(fs))
        .await
        .map_err(|e| crate::aws::aws_failure(&e))?;
    let config = crate::commands::plan::lambda_config(parameters);
    fsx_drt_lambda::plan::plan(&config, &repositories)
        .map_err(|e| crate::commands::plan::plan_failure(e, parameters))?;
    Ok(())
}

/// Uploads the artifact to `s3://bucket/fsx-drt/<sha256>.zip` unless it is there already;
/// creates the managed bucket (encrypted, public access blocked) on first use.
async fn upload(
    aws: &Aws,
    bucket: &str,
    artifact: &Artifact,
    managed: bool,
    printer: &Printer,
) -> Result<(), Failure> {
    // The usual case, the artifact already there, takes one request.
    let key = artifact.key();
    match aws.s3.head_object().bucket(bucket).key(&key).send().await {
        Ok(_) => return Ok(()),
        // Missing, or no bucket (HEAD cannot tell which), or not ours: the bucket says.
        Err(e) if matches!(http_status(&e), Some(403 | 404)) => {}
        Err(e) => return Err(failed("HeadObject", &e)),
    }
    let found = match aws.s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => true,
        Err(e) if !managed && matches!(http_status(&e), Some(403 | 404)) => {
            return Err(Failure::invalid(
                "the artifact bucket cannot be used",
                vec![Problem::new(
                    "--artifact-bucket",
                    Some(bucket),
                    fsx_drt_lambda::Invalid::new(
                        "the bucket does not exist or is not yours",
                        "create it in this region, or leave --artifact-bucket out to use a managed bucket",
                    ),
                )],
            ));
        }
        Err(e) if http_status(&e) == Some(404) => false,
        // Throttled or failing after the SDK's retries, or not ours: never "missing".
        Err(e) => return Err(failed("HeadBucket", &e)),
    };
    if !found {
        create_bucket(aws, bucket, printer).await?;
    }
    printer.info(&format!(
        "Uploading the Lambda artifact to s3://{bucket}/{key}"
    ));
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(&key)
        .body(artifact.bytes.to_vec().into())
        .send()
        .await
        .map_err(|e| failed("PutObject", &e))?;
    Ok(())
}

async fn create_bucket(aws: &Aws, bucket: &str, printer: &Printer) -> Result<(), Failure> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    printer.info(&format!("Creating the artifact bucket {bucket}"));
    let mut create = aws.s3.create_bucket().bucket(bucket);
    if aws.region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(aws.region.as_str()))
                .build(),
        );
    }
    match create.send().await {
        Ok(_) => {}
        // Another deploy created it a moment ago: it's ours all the same.
        Err(e) if crate::aws::describe(&e).starts_with("BucketAlreadyOwnedByYou") => {}
        Err(e) => return Err(failed("CreateBucket", &e)),
    }
    let encryption = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::Aes256)
                        .build()
                        .expect("algorithm set"),
                )
                .build(),
        )
        .build()
        .expect("rules set");
    aws.s3
        .put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(|e| failed("PutBucketEncryption", &e))?;
    aws.s3
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| failed("PutPublicAccessBlock", &e))?;
    Ok(())
}

/// The HTTP status of a failed call, when there was an answer.
fn http_status<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> Option<u16> {
    error.raw_response().map(|r| r.status().as_u16())
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

/// Polls the change set every second until it is ready; an empty one is not an error.
async fn wait_change_set(
    aws: &Aws,
    stack_name: &str,
    name: &str,
) -> Result<ChangeSetState, Failure> {
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
        match status {
            "CREATE_COMPLETE" => {
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
            "FAILED" => {
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
