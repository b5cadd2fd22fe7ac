//! The stack set's operations: deploy (the plan carried out) and destroy, each member's row
//! filled from its own instance's outcome.

use futures_util::future::join_all;

use super::layout::{stack_name, Action, Layout, Plan};
use super::operation::outcome;
use super::{bucket, Ctx};
use crate::aws::{InstanceChange, InstanceView, StackSetSpec, Targets, TemplateSource};
use crate::error::{Exit, Failure};
use crate::stack::request_token;
use crate::workflows::deploy;
use crate::workflows::fleet::outcome::{MemberResult, State};
use crate::workflows::fleet::Member;

/// One operation for some members' instances (or departed ones, without a row).
struct Step {
    action: Action,
    /// Member indexes, or none for a departed instance.
    member: Option<usize>,
    place: (String, String),
    overrides: Vec<(String, String)>,
}

pub async fn deploy(
    ctx: &Ctx<'_, '_>,
    set: &str,
    members: &[Member],
    places: &[(String, String)],
    layout: &Layout,
    plan: &Plan,
    rows: &mut [MemberResult],
) -> Result<(), Failure> {
    let quiet = !plan.create_set
        && !plan.update_set
        && plan.departed.is_empty()
        && plan.members.iter().all(|a| *a == Action::Unchanged);
    if quiet {
        for row in rows.iter_mut() {
            row.state = State::Succeeded;
            row.result = "unchanged".into();
        }
        return Ok(());
    }
    ctx.job()
        .approve(&format!("Apply this plan to stack set {set}?"))?;
    // Ctrl-C before anything was sent: nothing is (every member not started).
    if ctx.engine.interrupt.is_raised() {
        return Ok(());
    }
    let template = artifacts(ctx, members, places, &layout.template).await?;
    let spec = StackSetSpec {
        name: set.to_string(),
        description: format!("fsx-drt fleet {}", ctx.request.file.display()),
        template,
        parameters: layout.parameters.clone(),
        tags: vec![(
            crate::workflows::fleet::file::FLEET_TAG.into(),
            ctx.fleet.to_string(),
        )],
        permissions: ctx.permissions.clone(),
    };
    let admin = ctx.runner.aws;
    let prefs = &ctx.request.stack_set.preferences;
    if plan.create_set {
        admin
            .create_stack_set(&spec, &request_token("stack-set"))
            .await?;
        ctx.engine.ui.info(&format!("Created stack set {set}"));
    } else if plan.update_set {
        let id = request_token("update");
        let update = async || admin.update_stack_set(&spec, prefs, &id).await;
        let settled = async {
            ctx.runner.submit(ctx.engine.ui, &id, update).await?;
            let op = ctx.runner.settle(ctx.engine.ui, &id).await?;
            Ok::<_, Failure>((op.clone(), ctx.runner.results(&id).await?))
        }
        .await;
        for ((row, action), (account, region)) in rows.iter_mut().zip(&plan.members).zip(places) {
            if *action != Action::FollowSet {
                continue;
            }
            match &settled {
                Ok((op, results)) => record(row, outcome(op, results, account, region), None),
                Err(failure) => row.failed(failure.clone()),
            }
        }
        // The shared update did not run: no member's own step is started after it.
        if let Err(failure) = settled {
            for row in rows.iter_mut().filter(|r| r.state == State::NotStarted) {
                row.result = format!(
                    "not started: the stack set's update failed: {}",
                    failure.error
                );
            }
            return Ok(());
        }
    }
    for (row, action) in rows.iter_mut().zip(&plan.members) {
        if *action == Action::Unchanged {
            row.state = State::Succeeded;
            row.result = "unchanged".into();
        }
    }
    let mut steps: Vec<Step> = (plan.members.iter().enumerate())
        .filter(|(_, a)| matches!(a, Action::Create | Action::Update))
        .map(|(i, a)| Step {
            action: *a,
            member: Some(i),
            place: places[i].clone(),
            overrides: layout.overrides[i].clone(),
        })
        .collect();
    steps.extend(plan.departed.iter().map(|place| Step {
        action: Action::Delete,
        member: None,
        place: place.clone(),
        overrides: Vec::new(),
    }));
    run_steps(ctx, steps, rows).await;
    fill_stacks(ctx, places, &plan.members, rows).await;
    Ok(())
}

/// A step's end: its instance's result, the failure that kept it from one, and the
/// instance as it stands (created or updated).
type Outcome = (
    Step,
    Result<(), String>,
    Option<Failure>,
    Option<InstanceView>,
);

/// Every step sent (in turn: StackSets queues what conflicts) and followed at once.
async fn run_steps(ctx: &Ctx<'_, '_>, steps: Vec<Step>, rows: &mut [MemberResult]) {
    let names: Vec<String> = rows.iter().map(|r| r.member.clone()).collect();
    let admin = ctx.runner.aws;
    let prefs = &ctx.request.stack_set.preferences;
    let set = ctx.runner.set;
    let mut sent = Vec::new();
    let mut outcomes: Vec<Outcome> = Vec::new();
    for step in steps {
        let ui = match step.member {
            Some(i) => ctx.engine.ui.member(&names[i]),
            None => ctx
                .engine
                .ui
                .member(&format!("{}/{}", step.place.0, step.place.1)),
        };
        if ctx.engine.interrupt.is_raised()
            || (ctx.request.fail_fast && outcomes.iter().any(|o| o.2.is_some()))
        {
            break;
        }
        let id = request_token(step.action.word());
        let (accounts, regions) = ([step.place.0.clone()], [step.place.1.clone()]);
        let targets = Targets {
            accounts: &accounts,
            regions: &regions,
        };
        let change = match step.action {
            Action::Create => InstanceChange::Create(&step.overrides),
            Action::Update => InstanceChange::Update(&step.overrides),
            _ => InstanceChange::Delete,
        };
        let call = async || {
            (admin.change_stack_instances(set, ctx.permissions, targets, change, prefs, &id)).await
        };
        match ctx.runner.submit(&ui, &id, call).await {
            Ok(()) => sent.push((step, id, ui)),
            Err(failure) => outcomes.push((step, Err(String::new()), Some(failure), None)),
        }
    }
    let followed = join_all(sent.into_iter().map(async |(step, id, ui)| {
        let settled = async {
            let op = ctx.runner.settle(&ui, &id).await?;
            let results = ctx.runner.results(&id).await?;
            let (account, region) = &step.place;
            let result = outcome(&op, &results, account, region);
            if result.is_err() || step.action == Action::Delete {
                return Ok((result, None));
            }
            // StackSets may succeed without touching an account it may not reach (a
            // service-managed stack set never deploys to the organization's management
            // account, nor to an account outside the OUs given).
            match ctx.runner.aws.stack_instance(set, account, region).await? {
                Some(instance) => Ok((result, Some(instance))),
                None => Ok((Err(format!(
                    "StackSets made no instance in account {account}, region {region}: a service-managed stack set reaches only accounts under the OUs given (--organizational-unit-id), never the organization's management account"
                )), None)),
            }
        }
        .await;
        match settled {
            Ok((result, instance)) => (step, result, None, instance),
            Err(failure) => (step, Err(String::new()), Some(failure), None),
        }
    }))
    .await;
    outcomes.extend(followed);
    for (step, result, failure, instance) in outcomes {
        let Some(i) = step.member else {
            let (account, region) = &step.place;
            match failure.map_or(result, |f| Err(f.error)) {
                Ok(()) => (ctx.engine.ui).info(&format!("Deleted the instance in {account}, {region}")),
                Err(why) => ctx.engine.ui.info(&format!(
                    "warning: the instance in {account}, {region} (no member) was not deleted: {why}"
                )),
            }
            continue;
        };
        if let Some(instance) = &instance {
            name_stack(&mut rows[i], instance);
        }
        match failure {
            Some(failure) => rows[i].failed(failure),
            None => record(&mut rows[i], result, Some(step.action)),
        }
    }
}

/// A member's row from its instance's outcome.
fn record(row: &mut MemberResult, result: Result<(), String>, action: Option<Action>) {
    let word = action.unwrap_or(Action::FollowSet).word();
    match result {
        Ok(()) => {
            row.state = State::Succeeded;
            row.result = format!("{word} succeeded");
        }
        Err(why) => row.failed(Failure::new(
            Exit::Failed,
            format!("{word} failed: {why}"),
            Some(
                "fix the cause, then deploy the fleet again: the instance is deployed again".into(),
            ),
        )),
    }
}

/// The rows of members without a step of their own (unchanged, or updated with the stack set)
/// name their instance's stack.
async fn fill_stacks(
    ctx: &Ctx<'_, '_>,
    places: &[(String, String)],
    actions: &[Action],
    rows: &mut [MemberResult],
) {
    // A member's own step read its instance already.
    let others = (places.iter().zip(actions).zip(rows.iter_mut()))
        .filter(|((_, a), _)| !matches!(a, Action::Create | Action::Update));
    for (((account, region), _), row) in others {
        let found = ctx
            .runner
            .aws
            .stack_instance(ctx.runner.set, account, region)
            .await;
        if let Ok(Some(i)) = found {
            name_stack(row, &i);
        }
    }
}

pub(super) fn name_stack(row: &mut MemberResult, i: &InstanceView) {
    if let Some(name) = i.stack_id.as_deref().and_then(stack_name) {
        row.stack_name = name.to_string();
    }
}

/// The artifact in the caller's bucket of every members' region, readable by exactly the
/// member accounts there; the template as a body, or from the stack set region's bucket
/// when it is too big for one.
async fn artifacts(
    ctx: &Ctx<'_, '_>,
    members: &[Member],
    places: &[(String, String)],
    template: &str,
) -> Result<TemplateSource, Failure> {
    let artifact = ctx
        .request
        .artifact
        .as_ref()
        .expect("deploy loads the artifact");
    let caller = ctx.runner.aws.account().await?;
    let mut done: Vec<&str> = Vec::new();
    for m in members {
        if done.contains(&m.region.as_str()) {
            continue;
        }
        done.push(&m.region);
        let aws = (ctx.engine.connect)(&m.region).await?;
        let name = bucket(&caller, &m.region);
        let readers: Vec<String> = (places.iter())
            .filter(|(_, r)| r == &m.region)
            .map(|(a, _)| a.clone())
            .filter(|a| a != &caller)
            .collect();
        let target = deploy::Bucket {
            name: &name,
            owner: &caller,
            managed: true,
        };
        deploy::upload_artifact(&aws, &target, artifact, ctx.engine.ui).await?;
        deploy::share_artifacts(&aws, &target, &readers).await?;
    }
    if template.len() <= crate::template::MAX_TEMPLATE_BODY_BYTES {
        return Ok(TemplateSource::Body(template.to_string()));
    }
    let admin = ctx.runner.aws;
    let name = bucket(&caller, &admin.region);
    let target = deploy::Bucket {
        name: &name,
        owner: &caller,
        managed: true,
    };
    deploy::template_source(admin, &target, template).await
}

/// Every instance deleted (the members' and any other), then the stack set.
pub async fn destroy(
    ctx: &Ctx<'_, '_>,
    exists: bool,
    instances: &[InstanceView],
    places: &[(String, String)],
    rows: &mut [MemberResult],
) -> Result<(), Failure> {
    let set = ctx.runner.set;
    if !exists {
        for row in rows.iter_mut() {
            row.state = State::Succeeded;
            row.result = format!("no stack set {set}: nothing to delete");
        }
        return Ok(());
    }
    ctx.job().approve(&format!(
        "Delete stack set {set} and its {} instances?",
        instances.len()
    ))?;
    let steps: Vec<Step> = (instances.iter())
        .map(|i| {
            let place = (i.account.clone(), i.region.clone());
            Step {
                action: Action::Delete,
                member: places.iter().position(|p| *p == place),
                place,
                overrides: Vec::new(),
            }
        })
        .collect();
    let touched: Vec<Option<usize>> = steps.iter().map(|s| s.member).collect();
    run_steps(ctx, steps, rows).await;
    for (i, row) in rows.iter_mut().enumerate() {
        if !touched.contains(&Some(i)) {
            row.state = State::Succeeded;
            row.result = "no instance: nothing to delete".into();
        }
    }
    if rows.iter().all(|r| r.state == State::Succeeded) {
        ctx.runner.aws.delete_stack_set(set).await?;
        ctx.engine.ui.info(&format!("Deleted stack set {set}"));
    }
    Ok(())
}
