//! The StackSets engine, for a fleet across accounts: one stack set (in the caller's
//! account and the first member's region) whose template every member shares, one stack
//! instance per member with its own values as parameter overrides. The plan (the stack set
//! created or updated, each member's instance created, updated or left, departed members'
//! instances deleted) is shown and approved once; then every operation is sent (each waits
//! its turn when StackSets is busy), followed to its end, and every instance's own outcome
//! read, since an operation may succeed while instances failed.

mod apply;
mod layout;
mod operation;

use std::time::Duration;

use tokio::time::Instant;

pub use layout::{effective, layout, plan, Action, Existing, Layout, Plan, Rendered};

use super::outcome::{Fleet, MemberResult, State};
use super::run::{Engine, Job};
use super::{FleetFile, FleetRequest, Member, Operation};
use crate::aws::{Aws, InstanceView, Permissions, Preferences, StackSetView};
use crate::error::{Exit, Failure};
use crate::params::Problem;
use crate::workflows::deploy;
use operation::Runner;

/// The stack set's settings from the flags.
#[derive(Debug, Clone)]
pub struct StackSetOptions {
    /// OUs (or the root) the member accounts are under: service-managed permissions.
    pub organizational_units: Vec<String>,
    /// Self-managed permissions (either given): the roles StackSets uses.
    pub administration_role_arn: Option<String>,
    pub execution_role_name: Option<String>,
    pub preferences: Preferences,
    /// Between two polls of an operation.
    pub poll: Duration,
}

impl Default for StackSetOptions {
    fn default() -> StackSetOptions {
        StackSetOptions {
            organizational_units: Vec::new(),
            administration_role_arn: None,
            execution_role_name: None,
            preferences: PREFERENCES,
            poll: Duration::from_secs(5),
        }
    }
}

/// Safe by default: a quarter of the instances at once, none may fail, a region at a time.
pub const PREFERENCES: Preferences = Preferences {
    max_concurrent_percentage: 25,
    failure_tolerance_percentage: 0,
    region_order: Vec::new(),
    regions_in_parallel: false,
    soft_failure_tolerance: false,
};

/// The stack set's name: the fleet's `Name` (by default the file's stem).
pub fn name(fleet: &FleetFile) -> String {
    format!("fsx-drt-{}", fleet.name)
}

/// Runs the request on the stack set; `admin` are the caller's clients in the stack set's
/// region, `caller` its account.
pub async fn run(
    engine: &Engine<'_>,
    request: &FleetRequest,
    fleet: &FleetFile,
    admin: &Aws,
    caller: &str,
) -> Result<Fleet, Failure> {
    let members = fleet.members.as_slice();
    let set = name(fleet);
    let places: Vec<(String, String)> = members.iter().map(|m| layout::place(m, caller)).collect();
    let mut rows: Vec<MemberResult> = (members.iter().zip(&places))
        .map(|(m, (account, _))| {
            let mut row = MemberResult::new(m, request.operation.word());
            row.account = Some(account.clone());
            row.stack_name = format!("(stack set {set})");
            row
        })
        .collect();
    let runner = Runner {
        aws: admin,
        set: &set,
        interrupt: engine.interrupt,
        deadline: Instant::now() + request.timeout,
        poll: request.stack_set.poll,
    };
    let existing = admin.describe_stack_set(&set).await?;
    let existing = existing.filter(|s| s.status != "DELETED");
    let permissions = permissions(&request.stack_set, existing.as_ref())?;
    let instances = match &existing {
        Some(_) => with_overrides(admin, &set).await?,
        None => Vec::new(),
    };
    match request.operation {
        Operation::Review | Operation::Execute => return Err(no_change_sets()),
        Operation::Status => status(
            &set,
            existing.as_ref(),
            &instances,
            &places,
            &mut rows,
            engine,
        ),
        Operation::Destroy => {
            if !instances.is_empty() {
                needs_units(&permissions)?;
            }
            let ctx = Ctx {
                fleet: &fleet.name,
                engine,
                request,
                runner: &runner,
                permissions: &permissions,
            };
            apply::destroy(&ctx, existing.is_some(), &instances, &places, &mut rows).await?
        }
        Operation::Diff | Operation::Deploy => {
            let artifact = request
                .artifact
                .as_ref()
                .expect("deploy and diff load the artifact");
            let now = chrono::Utc::now();
            let rendered: Vec<Rendered> = (members.iter())
                .map(|m| render(m, caller, &artifact.key(), now))
                .collect();
            let layout = layout(members, &rendered, caller)?;
            needs_units(&permissions)?;
            let current = existing.as_ref().map(|s| Existing {
                template: &s.template_body,
                parameters: &s.parameters,
                instances: &instances,
            });
            let layout = match &current {
                Some(current) => layout::rebase(layout, current),
                None => layout,
            };
            let plan = plan(&layout, &places, current.as_ref());
            show(engine, &set, &plan, members, &places, &layout);
            for (row, action) in rows.iter_mut().zip(&plan.members) {
                row.operation = action.word().into();
            }
            if request.operation == Operation::Diff {
                for (row, action) in rows.iter_mut().zip(&plan.members) {
                    row.state = State::Succeeded;
                    row.result = match action {
                        Action::Unchanged => "no changes".into(),
                        action => format!("would {}", action.word()),
                    };
                }
                return Ok(Fleet::new(rows));
            }
            let ctx = Ctx {
                fleet: &fleet.name,
                engine,
                request,
                runner: &runner,
                permissions: &permissions,
            };
            apply::deploy(&ctx, &set, members, &places, &layout, &plan, &mut rows).await?;
        }
    }
    Ok(Fleet::new(rows))
}

/// What the deploy and destroy steps share.
struct Ctx<'a, 'e> {
    /// The fleet's Name (tagged on the stack set, hence on every instance's stack).
    fleet: &'a str,
    engine: &'a Engine<'e>,
    request: &'a FleetRequest,
    runner: &'a Runner<'a>,
    permissions: &'a Permissions,
}

impl<'a, 'e> Ctx<'a, 'e> {
    /// The single-account engine's pass, for its one approval.
    fn job(&self) -> Job<'a, 'e> {
        Job {
            engine: self.engine,
            request: self.request,
            started: std::time::Instant::now(),
        }
    }
}

/// The permission model: the stack set's own when it exists (the flags must agree), else
/// self-managed when a role flag is given, else service-managed (the OUs given, else the
/// stack set's own).
fn permissions(
    options: &StackSetOptions,
    existing: Option<&StackSetView>,
) -> Result<Permissions, Failure> {
    let self_managed =
        options.administration_role_arn.is_some() || options.execution_role_name.is_some();
    let units = match (options.organizational_units.is_empty(), existing) {
        (true, Some(set)) => set.organizational_units.clone(),
        _ => options.organizational_units.clone(),
    };
    let service = Permissions::Service { units };
    let existing = existing.map(|s| s.permission_model.as_str());
    let own = Permissions::SelfManaged {
        administration_role_arn: options.administration_role_arn.clone(),
        execution_role_name: options.execution_role_name.clone(),
    };
    match (existing, self_managed) {
        (Some("SELF_MANAGED"), _) => Ok(own),
        (Some(_), true) => Err(Failure::invalid(
            "the stack set uses service-managed permissions",
            vec![Problem::new(
                "--administration-role-arn",
                options.administration_role_arn.as_deref(),
                fsx_drt_core::Invalid::new(
                    "a stack set's permission model cannot change",
                    "leave --administration-role-arn and --execution-role-name out, or give the fleet another Name",
                ),
            )],
        )),
        (Some(_), false) | (None, false) => Ok(service),
        (None, true) => Ok(own),
    }
}

/// Exit 2: one flag's problem, and its fix.
fn refused(what: &str, flag: &str, problem: &str, fix: &str) -> Failure {
    let invalid = fsx_drt_core::Invalid::new(problem, fix);
    Failure::invalid(what, vec![Problem::new(flag, None, invalid)])
}

/// `--change-set-only` / `--execute-change-set`: StackSets has none (its plan is diff).
fn no_change_sets() -> Failure {
    refused(
        "a fleet across accounts is a stack set, and StackSets has no change sets",
        "--change-set-only / --execute-change-set",
        "members name other accounts, so the fleet is deployed with CloudFormation StackSets",
        "review the plan with fsx-drt diff --fleet FILE, then deploy --fleet FILE --yes",
    )
}

/// Service-managed instances are named by their OUs: exit 2 when there are none.
fn needs_units(permissions: &Permissions) -> Result<(), Failure> {
    match permissions {
        Permissions::Service { units } if units.is_empty() => Err(no_units()),
        _ => Ok(()),
    }
}

fn no_units() -> Failure {
    refused(
        "service-managed permissions need the organizational units",
        "--organizational-unit-id",
        "a service-managed stack set reaches accounts through the OUs (or the root) they are in",
        "give --organizational-unit-id ou-... (or the root, r-...) once per OU, or use self-managed permissions with --administration-role-arn / --execution-role-name",
    )
}

/// A member's template and values, its artifact in the region's bucket of the caller.
fn render(m: &Member, caller: &str, key: &str, now: chrono::DateTime<chrono::Utc>) -> Rendered {
    let r = deploy::render(&m.draft, &m.definition, now);
    let mut values = r.values;
    values.extend([
        (
            crate::template::FREE_CAPACITY_ALARM_BYTES.to_string(),
            "0".to_string(),
        ),
        (
            crate::template::PERMISSIONS_BOUNDARY.to_string(),
            String::new(),
        ),
        (
            crate::template::CODE_BUCKET.to_string(),
            bucket(caller, &m.region),
        ),
        (crate::template::CODE_KEY.to_string(), key.to_string()),
    ]);
    Rendered {
        template: r.template,
        values,
    }
}

/// `validate --fleet`: members naming two accounts or more are a stack set whoever the
/// caller is, so they must fit one (exit 2 otherwise), checked without AWS. Two members
/// without an Account in one region are both the caller's, which is one instance.
pub fn check_offline(members: &[Member]) -> Result<(), Failure> {
    let mut accounts: Vec<&str> = members
        .iter()
        .filter_map(|m| m.account.as_deref())
        .collect();
    accounts.sort_unstable();
    accounts.dedup();
    if accounts.len() < 2 {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let caller = "the caller's";
    let rendered: Vec<Rendered> = (members.iter())
        .map(|m| render(m, caller, "fsx-drt/artifact.zip", now))
        .collect();
    layout(members, &rendered, caller).map(drop)
}

/// The caller's artifact bucket in a region (each region's functions read their own).
fn bucket(caller: &str, region: &str) -> String {
    format!("fsx-drt-artifacts-{caller}-{region}")
}

/// Every instance with its overrides (DescribeStackInstance: ListStackInstances has none).
async fn with_overrides(admin: &Aws, set: &str) -> Result<Vec<InstanceView>, Failure> {
    let mut found = Vec::new();
    for i in admin.stack_instances(set).await? {
        let full = admin.stack_instance(set, &i.account, &i.region).await?;
        found.push(full.unwrap_or(i));
    }
    Ok(found)
}

fn show(
    engine: &Engine<'_>,
    set: &str,
    plan: &Plan,
    members: &[Member],
    places: &[(String, String)],
    layout: &Layout,
) {
    let ui = engine.ui;
    let head = match (plan.create_set, plan.update_set) {
        (true, _) => format!("Stack set {set}: create"),
        (false, true) => {
            format!("Stack set {set}: update the template or shared values (every instance)")
        }
        (false, false) => format!("Stack set {set}: unchanged"),
    };
    ui.info(&head);
    for ((m, (account, region)), (action, overrides)) in
        (members.iter().zip(places)).zip(plan.members.iter().zip(&layout.overrides))
    {
        let own: Vec<String> = overrides.iter().map(|(k, v)| format!("{k}={v}")).collect();
        ui.info(&format!(
            "  {:<8} {} ({account}, {region}) overrides: {}",
            action.word(),
            m.name,
            match own.is_empty() {
                true => "none".to_string(),
                false => own.join(", "),
            }
        ));
    }
    for (account, region) in &plan.departed {
        ui.info(&format!(
            "  delete   instance in {account}, {region} (no member of the file)"
        ));
    }
}

/// Each member's instance as StackSets has it: its status, its stack, and the values it
/// runs with (the stack set's, its overrides over them), which the console shows nowhere
/// together.
fn status(
    set: &str,
    existing: Option<&StackSetView>,
    instances: &[InstanceView],
    places: &[(String, String)],
    rows: &mut [MemberResult],
    engine: &Engine<'_>,
) {
    let Some(existing) = existing else {
        for row in rows.iter_mut() {
            row.failed(Failure::new(
                Exit::Failed,
                format!("no stack set {set}"),
                Some("deploy the fleet first: fsx-drt deploy --fleet FILE".into()),
            ));
        }
        return;
    };
    for (row, (account, region)) in rows.iter_mut().zip(places) {
        let Some(i) = (instances.iter()).find(|i| &i.account == account && &i.region == region)
        else {
            row.failed(Failure::new(
                Exit::Failed,
                format!("no instance in account {account}, region {region}"),
                Some("deploy the fleet: fsx-drt deploy --fleet FILE".into()),
            ));
            continue;
        };
        apply::name_stack(row, i);
        let values = effective(&existing.parameters, &i.overrides);
        let own: Vec<String> = (i.overrides.iter())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        engine.ui.member(&row.member).info(&format!(
            "{} values from the stack set; its own: {}",
            values.len() - i.overrides.len(),
            match own.is_empty() {
                true => "none".to_string(),
                false => own.join(", "),
            }
        ));
        let detail = serde_json::json!({
            "instance": i,
            "effective_parameters": (values.iter())
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                .collect::<serde_json::Map<_, _>>(),
        });
        if i.status == "CURRENT" && i.detailed_status == "SUCCEEDED" {
            row.succeeded("CURRENT", &detail);
            continue;
        }
        row.detail = Some(detail);
        row.failed(Failure::new(
            Exit::Failed,
            format!(
                "{} ({}){}",
                i.status,
                i.detailed_status,
                i.reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
            Some("deploy the fleet again to redeploy it, once the cause is fixed".into()),
        ));
    }
    for i in instances {
        if !places
            .iter()
            .any(|(a, r)| a == &i.account && r == &i.region)
        {
            engine.ui.info(&format!(
                "warning: stack set {set} has an instance in account {}, region {} that no member names; deploy --fleet deletes it",
                i.account, i.region
            ));
        }
    }
}
