//! `fsx-drt deploy`: validate, check the file system, upload the artifact, create a change
//! set, show it, get approval, execute it and follow the stack to its end.

mod apply;
mod artifact_bucket;
mod change_set;
mod definition;
mod diff;
mod existing;
mod guided;
mod own;
mod preflight;
mod reviewed;
mod switch;

pub use diff::Diffed;
pub use guided::check_interactive as check_guided;
pub use reviewed::{
    apply_reviewed, check_change_set_name, execute_reviewed, review, Kept, Reviewed,
};

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::Utc;

use fsx_drt_core::Invalid;
use serde::Serialize;

pub use self::artifact_bucket::{share as share_artifacts, upload as upload_artifact, Bucket};
use self::change_set::ChangeSetState;
pub use self::definition::render;
use super::follow;
use super::inputs::{self, Inputs};
use super::session::Session;
use super::{check_maker, check_stack_name};
use crate::artifact::Artifact;
use crate::aws::{Aws, StackOptions, StackView, TemplateSource};
use crate::definition::Draft;
use crate::error::{Exit, Failure};
use crate::interrupt::UNCHANGED;
use crate::params::Problem;
use crate::stack::{self, Change, ChangeSetSummary, ParameterChange};
use crate::template::{
    CODE_BUCKET, CODE_KEY, COMPLETION_REPORT_OBJECTS, FREE_CAPACITY_ALARM_BYTES,
    PERMISSIONS_BOUNDARY,
};

/// What to deploy, and how.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub stack_name: String,
    /// The Lambda artifact (default: the one bundled or built).
    pub lambda_zip: Option<PathBuf>,
    /// A bucket of the caller's for the artifact, instead of the managed one.
    pub artifact_bucket: Option<String>,
    /// Approved in advance.
    pub yes: bool,
    pub timeout: Duration,
    /// Where to write the stack's outputs as JSON.
    pub outputs_file: Option<PathBuf>,
    /// Act on a stack fsx-drt did not make.
    pub any_stack: bool,
    /// Ask for every setting, and offer to save the answers.
    pub guided: bool,
    /// Tags, service role and event topics for the stack.
    pub options: StackOptions,
    pub mode: Mode,
    pub inputs: Inputs,
}

/// What deploy does with the change set it makes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Show it, get approval, execute it and follow the stack to its end.
    #[default]
    Apply,
    /// Only show what would change (`fsx-drt diff`): the change set is made, shown and
    /// deleted, with the empty stack made for it; nothing is uploaded.
    Diff,
    /// Make it and keep it for review (`--change-set-only`): its name and ARN are printed,
    /// and `--execute-change-set NAME` runs it later.
    Keep,
}

#[derive(Debug, Serialize)]
pub struct Deployed {
    pub stack_name: String,
    pub status: String,
    /// create, update, or none (the stack already matched).
    pub operation: &'static str,
    pub changes: Vec<Change>,
    pub parameter_changes: Vec<ParameterChange>,
    #[serde(serialize_with = "crate::output::pairs_map")]
    pub outputs: Vec<(String, String)>,
    pub duration_seconds: f64,
    /// What is left to do: confirm the alarm mail's subscription, and when the first run is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub next_steps: Vec<String>,
    /// The change set kept for review (`--change-set-only`): its name and ARN.
    #[serde(skip)]
    pub kept: Option<(String, String)>,
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
        if !self.next_steps.is_empty() {
            writeln!(f)?;
            writeln!(f, "Next:")?;
            for step in &self.next_steps {
                writeln!(f, "  - {step}")?;
            }
        }
        Ok(())
    }
}

/// What deploy checks offline, before any AWS call: the stack name, every parameter value
/// given so far, and the artifact.
pub struct Prepared {
    pub draft: Draft,
    /// None: the stack keeps its function's code (pause and resume).
    pub artifact: Option<Artifact>,
    /// Pause or resume: the stack's own schedules, with these switched.
    pub switch: Option<Switch>,
    /// The change set's name (a fleet's reviewed deploy gives every member's one name);
    /// none: a fresh one.
    pub change_set_name: Option<String>,
}

/// Schedules to disable or enable: one by name, or all of them.
#[derive(Debug, Clone)]
pub struct Switch {
    pub schedule: Option<String>,
    pub enabled: bool,
}

/// The role and topics well formed, before any AWS call (tags are checked as they are
/// read from the flag).
fn check_options(options: &StackOptions) -> Result<(), Failure> {
    let mut problems: Vec<Problem> = Vec::new();
    if let Some(role) = &options.role_arn {
        problems.extend(crate::stack_options::check_role_arn("--role-arn", role).err());
    }
    if let Some(policy) = &options.permissions_boundary {
        problems
            .extend(crate::stack_options::check_policy_arn("--permissions-boundary", policy).err());
    }
    for topic in &options.notification_arns {
        problems.extend(crate::stack_options::check_topic_arn("--notification-arns", topic).err());
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(Failure::invalid("invalid stack options", problems)),
    }
}

/// The template deploy would send for this definition (offline: no stack values, no
/// prompts), as JSON.
pub fn template_for(inputs: &Inputs) -> Result<serde_json::Value, Failure> {
    let draft = inputs::gather_definition(inputs)?;
    let now = Utc::now();
    let checked = definition::check(&draft, now)?;
    let rendered = definition::render(&draft, &checked, now);
    Ok(crate::template::parse(&rendered.template).expect("the rendered template parses"))
}

/// What pause and resume check offline.
pub fn prepare_switch(args: &DeployRequest, switch: Switch) -> Result<Prepared, Failure> {
    check_stack_name(&args.stack_name)?;
    Ok(Prepared {
        draft: Draft::default(),
        artifact: None,
        switch: Some(switch),
        change_set_name: None,
    })
}

pub fn prepare(args: &DeployRequest) -> Result<Prepared, Failure> {
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
    check_options(&args.options)?;
    let draft = inputs::gather_definition(&args.inputs)?;
    let mut present_problems: Vec<Problem> = match crate::definition::validate(&draft, Utc::now()) {
        Ok(_) => Vec::new(),
        Err(problems) => problems.into_iter().filter(|p| p.value.is_some()).collect(),
    };
    let tags = crate::stack_options::merge_tags(&draft.tags, &args.options.tags);
    present_problems
        .extend(crate::stack_options::check_tag_count("--tags and Tags", tags.len()).err());
    if !present_problems.is_empty() {
        return Err(crate::definition::invalid(&draft, present_problems));
    }
    let artifact = Artifact::load(args.lambda_zip.as_deref())?;
    Ok(Prepared {
        draft,
        artifact: Some(artifact),
        switch: None,
        change_set_name: None,
    })
}

/// What a deploy run does once connected.
pub enum Job {
    /// Make a change set from the prepared definition (and, by the request's mode, show,
    /// keep or execute it).
    Deploy(Box<Prepared>),
    /// Execute a change set kept for review, by name or ARN.
    Execute(String),
}

/// Connects and runs the job (Ctrl-C before a change set runs withdraws the one deploy made,
/// or leaves a reviewed one kept; after, the stack is left to finish and the way to re-attach
/// is said).
pub fn run(
    request: &DeployRequest,
    job: Job,
    connection: &crate::aws::Connection,
    ui: &crate::output::Printer,
    interactive: bool,
    started: Instant,
) -> Result<Deployed, Failure> {
    let stopped = follow::interrupted(&request.stack_name, "deployment");
    super::session::start(
        connection,
        ui,
        interactive,
        stopped,
        async |session| match job {
            Job::Deploy(prepared) => execute(session, request, *prepared, started).await,
            Job::Execute(name) => execute_reviewed(session, request, &name, started).await,
        },
    )
}

/// The deploy itself, on the given clients. `interrupt` (Ctrl-C) while the change set is
/// made or awaits approval deletes it, and the stack when it was created just for it; while
/// the stack changes, it stops following and leaves the stack to finish.
pub async fn execute(
    session: &Session<'_>,
    args: &DeployRequest,
    prepared: Prepared,
    started: Instant,
) -> Result<Deployed, Failure> {
    let (aws, interrupt, printer) = (session.aws, session.interrupt, session.ui);
    // The file's tags with the flag's over them. None at all: the change set carries no
    // Tags, and the stack keeps its own.
    let options = StackOptions {
        tags: crate::stack_options::merge_tags(&prepared.draft.tags, &args.options.tags),
        ..args.options.clone()
    };
    // Unique even for two deploys in one second (of this stack, or of two stacks in an
    // emulator that does not scope change-set names by stack).
    let named = prepared.change_set_name.clone();
    let name = (named.clone()).unwrap_or_else(|| stack::request_token("change-set"));
    // Reading changes nothing: Ctrl-C simply stops.
    let target = interrupt
        .until(UNCHANGED, target(session, args, prepared))
        .await?;
    let create = existing::settle(session, args, &target).await?;
    let bucket = Bucket {
        name: &target.bucket,
        owner: &target.account,
        managed: args.artifact_bucket.is_none(),
    };
    if let Some(artifact) = target.artifact.as_ref().filter(|_| args.mode != Mode::Diff) {
        interrupt
            .until(
                UNCHANGED,
                artifact_bucket::upload(aws, &bucket, artifact, printer),
            )
            .await?;
    }
    let template = interrupt
        .until(UNCHANGED, template_source(aws, &bucket, &target.template))
        .await?;
    // A new stack exists only for this change set, unless it was already waiting for review
    // (someone else's change set may be waiting with it).
    let new_stack =
        create && target.existing.as_ref().map(|s| s.status.as_str()) != Some("REVIEW_IN_PROGRESS");
    let made = tokio::select! {
        biased;
        () = interrupt.raised() => None,
        made = change_set::make(aws, &args.stack_name, &name, create, &template, &target.values, &options) => Some(made),
    };
    // Ctrl-C before the change set is executed: it goes, and the stack made for it, even
    // when Ctrl-C is pressed again meanwhile.
    let withdraw = || async {
        let discarding = change_set::discard(aws, &args.stack_name, &name, new_stack);
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
    let (changes, ids) = match made {
        None => return Err(withdraw().await),
        Some(Err(failure)) => {
            change_set::discard(aws, &args.stack_name, &name, new_stack).await;
            return Err(failure);
        }
        Some(Ok((ChangeSetState::NoChanges, _))) => {
            // A fleet's reviewed deploy keeps it (named for all members): executing the
            // fleet's change sets later tells this member, still unchanged, from one whose
            // change set is gone.
            if !(args.mode == Mode::Keep && named.is_some()) {
                change_set::discard(aws, &args.stack_name, &name, new_stack).await;
            }
            // Nothing changed: the stack read at the start is current, unless another
            // operation was followed to its end first.
            let stack = match &target.existing {
                Some(stack) if !stack.in_progress() => Some(stack.clone()),
                _ => aws.describe_stack(&args.stack_name).await?,
            };
            let outputs = stack
                .as_ref()
                .map(|s| s.outputs.0.clone())
                .unwrap_or_default();
            if args.mode == Mode::Apply {
                apply::protect(aws, args, stack.as_ref()).await?;
            }
            if let Some(path) = &args.outputs_file {
                apply::write_outputs(path, &outputs)?;
            }
            return Ok(Deployed {
                stack_name: args.stack_name.clone(),
                status: stack.as_ref().map_or("?".into(), |s| s.status.clone()),
                operation: "none",
                changes: Vec::new(),
                parameter_changes: Vec::new(),
                outputs,
                duration_seconds: started.elapsed().as_secs_f64(),
                next_steps: Vec::new(),
                kept: None,
            });
        }
        Some(Ok((ChangeSetState::Ready(changes), ids))) => (changes, ids),
    };
    let summary = ChangeSetSummary {
        changes,
        parameters: stack::parameter_changes(&target.old_values, &target.values),
    };
    if args.mode != Mode::Apply {
        let kept = match args.mode {
            // Shown, never executed: it goes, with the stack made for it, Ctrl-C or not.
            Mode::Diff => {
                interrupt
                    .shielded(change_set::discard(aws, &args.stack_name, &name, new_stack))
                    .await;
                None
            }
            _ => Some((name, ids.id.unwrap_or_default())),
        };
        printer.info(&format!("\n{}", target.schedules));
        return Ok(Deployed {
            stack_name: args.stack_name.clone(),
            status: target
                .existing
                .as_ref()
                .map_or("(no stack)".into(), |s| s.status.clone()),
            operation: "none",
            changes: summary.changes,
            parameter_changes: summary.parameters,
            outputs: Vec::new(),
            duration_seconds: started.elapsed().as_secs_f64(),
            next_steps: Vec::new(),
            kept,
        });
    }
    printer.info(&format!(
        "\n{}\nChange set {name}:\n{summary}",
        target.schedules
    ));

    let cancel = || async {
        change_set::discard(aws, &args.stack_name, &name, new_stack).await;
        Ok(())
    };
    session
        .approve(
            args.yes,
            "Deploy these changes?",
            "the change set was deleted and the stack left as it was",
            cancel,
        )
        .await?;

    if interrupt.is_raised() {
        return Err(withdraw().await);
    }
    let approved = apply::Approved {
        name,
        summary,
        stack_id: ids.stack_id,
        create,
        next_steps: target.next_steps,
    };
    apply::apply(session, args, approved, started).await
}

/// A change set kept for review withdrawn (a fleet's deploy not approved), with the empty
/// stack made for it when `new_stack`; best effort.
pub async fn discard_kept(aws: &Aws, stack_name: &str, name: &str, new_stack: bool) -> bool {
    change_set::discard(aws, stack_name, name, new_stack).await
}

/// The template in the request when it fits (51,200 bytes), else through the artifact
/// bucket, keyed by its content like the function's code.
pub async fn template_source(
    aws: &Aws,
    bucket: &Bucket<'_>,
    template: &str,
) -> Result<TemplateSource, Failure> {
    if template.len() <= crate::template::MAX_TEMPLATE_BODY_BYTES {
        return Ok(TemplateSource::Body(template.to_string()));
    }
    let digest = crate::artifact::sha256_hex(template.as_bytes());
    let key = format!("fsx-drt/templates/{digest}.json");
    aws.put_object(
        bucket.name,
        &key,
        bucket.owner,
        template.as_bytes().to_vec(),
    )
    .await?;
    Ok(TemplateSource::Url(aws.object_url(bucket.name, &key)))
}

/// Where the deploy is going: the stack as it is, and every value the change set sends.
struct Target {
    existing: Option<StackView>,
    /// The template the change set sends (as written, or rendered for named schedules).
    template: String,
    /// The schedules in words with their next runs.
    schedules: String,
    /// What is left to do once it is deployed.
    next_steps: Vec<String>,
    /// The stack's current parameter values (empty for a new stack).
    old_values: Vec<(String, String)>,
    values: Vec<(String, String)>,
    bucket: String,
    /// The caller's account, which must own the bucket.
    account: String,
    /// The function's code to upload (none when the stack keeps its own).
    artifact: Option<Artifact>,
}

/// Caller identity, the stack, the parameters completed from it (and prompts), and the
/// preflight: everything read before anything is changed.
async fn target(
    session: &Session<'_>,
    args: &DeployRequest,
    prepared: Prepared,
) -> Result<Target, Failure> {
    let (aws, printer) = (session.aws, session.ui);
    if let Some(switch) = &prepared.switch {
        return switch::target(session, args, switch).await;
    }
    let Prepared {
        mut draft,
        artifact,
        ..
    } = prepared;
    let account = aws.account().await?;
    let doing = match args.mode {
        Mode::Diff => "Comparing",
        Mode::Keep => "Making a change set for",
        Mode::Apply => "Deploying",
    };
    printer.info(&format!(
        "{doing} stack {} in account {account}, region {}.",
        args.stack_name, aws.region
    ));

    let existing = aws.describe_stack(&args.stack_name).await?;
    if let Some(stack) = &existing {
        check_maker(stack, args.any_stack)?;
        if stack::maker(stack.description.as_deref()) == stack::Maker::Reference {
            printer.info(&format!(
                "Stack {} is the reference solution's: fsx-drt takes it over in place, keeping its parameters.",
                args.stack_name
            ));
        }
    }
    // No file: a stack's named schedules are its own definition, kept unless flags say.
    if let Some(stack) = &existing {
        if let Some(own) = own::draft(aws, args, stack).await? {
            draft = own;
        }
    }
    let old_values = existing
        .as_ref()
        .map(|s| s.parameters.clone())
        .unwrap_or_default();
    definition::fill_from_stack(&mut draft, &old_values);
    // No file: the stack's capacity alarm is kept, as its schedules are.
    if args.inputs.parameters_file.is_none() && draft.capacity.is_empty() {
        draft.capacity = crate::definition::capacity::from_stack(&old_values);
    }
    if args.guided {
        guided::ask(&mut draft, session.interactive, printer)?;
        if let Some(path) = guided::offer_to_save(&draft, printer)? {
            printer.info(&format!(
                "Saved; next time: fsx-drt deploy --stack-name {} --parameters-file {path}",
                args.stack_name
            ));
        }
    } else {
        inputs::prompt_definition(&mut draft, session.interactive, printer)?;
    }
    let now = Utc::now();
    let checked = definition::check(&draft, now)?;
    let rendered = definition::render(&draft, &checked, now);
    let found = preflight::preflight(aws, &rendered.checked).await?;

    let bucket = match &args.artifact_bucket {
        Some(bucket) => bucket.clone(),
        None => format!("fsx-drt-artifacts-{account}-{}", aws.region),
    };
    let next_steps = definition::next_steps(&checked, &old_values, now);
    let mut values = rendered.values;
    values.push((
        FREE_CAPACITY_ALARM_BYTES.into(),
        definition::free_capacity_alarm_bytes(&checked, found.storage_gib)?.to_string(),
    ));
    values.push((
        COMPLETION_REPORT_OBJECTS.into(),
        definition::completion_report_objects(&aws.region, &found.reports)?,
    ));
    // The flag's boundary, else the stack's, else none.
    let boundary = args.options.permissions_boundary.clone().or_else(|| {
        old_values
            .iter()
            .find(|(k, _)| k == PERMISSIONS_BOUNDARY)
            .map(|(_, v)| v.clone())
    });
    values.push((PERMISSIONS_BOUNDARY.into(), boundary.unwrap_or_default()));
    values.push((CODE_BUCKET.into(), bucket.clone()));
    values.push((
        CODE_KEY.into(),
        artifact.as_ref().map(Artifact::key).unwrap_or_default(),
    ));
    Ok(Target {
        existing,
        old_values,
        values,
        template: rendered.template,
        schedules: rendered.summary,
        next_steps,
        bucket,
        account,
        artifact,
    })
}
