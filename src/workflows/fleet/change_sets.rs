//! A fleet's deploy through change sets: every member's made (or, with
//! `--execute-change-set`, the kept one checked) and shown first, with the stacks of members
//! that left, approved once, then executed and followed together; `--change-set-only` makes
//! them under one name and keeps them.

use std::cell::RefCell;

use super::departed::{self, Departed, LEFT};
use super::outcome::{MemberResult, State};
use super::run::{deploy_request, make, Engine, Job};
use super::{FleetRequest, Member};
use crate::error::{Exit, Failure};
use crate::stack::ChangeSetSummary;
use crate::workflows::deploy::{self, DeployRequest, Deployed, Kept, Mode};
use crate::workflows::session::Session;

/// A member's change set waiting for the approval; `new_stack`: its stack exists only for it.
#[derive(Debug, Clone)]
struct Pending {
    name: String,
    new_stack: bool,
}

/// deploy --fleet (with `--execute-change-set NAME`: each member's kept change set NAME,
/// refused as a single deploy refuses it, a refused member a failed row).
pub(super) async fn deploy_all(
    job: Job<'_, '_>,
    members: &[Member],
    rows: &mut [MemberResult],
    (departed, gone): (&[Departed], &mut [MemberResult]),
) -> Result<(), Failure> {
    let (engine, request) = (job.engine, job.request);
    let pending: RefCell<Vec<Option<Pending>>> = RefCell::new(vec![None; members.len()]);
    let reviewed = request.change_set.as_deref();
    job.each(members, rows, async |session, m, row| {
        let found = match reviewed {
            None => made(session, job, m, row).await?,
            Some(name) => kept(session, request, m, row, name).await?,
        };
        pending.borrow_mut()[index(members, m)] = found;
        Ok(())
    })
    .await;
    // `each` marks a member whose change set waits as succeeded: it is not done yet.
    let pending = pending.into_inner();
    for (row, pending) in rows.iter_mut().zip(&pending) {
        if pending.is_some() {
            row.state = State::NotStarted;
        }
    }
    for d in departed {
        let line = format!("Stack {} in {}: {LEFT}", d.stack.name, d.region);
        engine.ui.member(&d.member).info(&line);
    }
    let count = pending.iter().flatten().count();
    if count + departed.len() == 0 {
        return Ok(());
    }
    let question = match departed.len() {
        0 => format!("Deploy these changes to {count} stacks?"),
        n => format!("Deploy these changes to {count} stacks, and delete {n} that left the fleet?"),
    };
    let go = match job.go_on(rows) {
        true => job.approve(&question),
        false => Err(Failure::exit_only(Exit::Failed)),
    };
    if let Err(failure) = go {
        match reviewed {
            None => withdraw(engine, members, rows, &pending).await,
            Some(_) => keep(rows, &pending),
        }
        for row in gone.iter_mut() {
            row.result = format!("not started: {LEFT}");
        }
        return match failure.error.is_empty() {
            true => Ok(()),
            false => Err(failure),
        };
    }
    let chosen: Vec<Member> = (members.iter().zip(&pending))
        .filter(|(_, p)| p.is_some())
        .map(|(m, _)| m.clone())
        .collect();
    // Moved out for the second pass, and back after it.
    let mut chosen_rows: Vec<MemberResult> = (chosen.iter())
        .map(|m| std::mem::replace(&mut rows[index(members, m)], MemberResult::new(m, "")))
        .collect();
    let names: Vec<String> = (pending.iter().flatten()).map(|p| p.name.clone()).collect();
    job.each(&chosen, &mut chosen_rows, async |session, m, row| {
        let name = &names[index(&chosen, m)];
        let args = deploy_request(request, m, Mode::Apply);
        // Checked again: the stack may have moved on while the approval was asked.
        let Some(reviewed) = deploy::review(session, &args, name).await? else {
            row.operation = "none".into();
            row.succeeded("unchanged", &());
            return Ok(());
        };
        row.change_set = Some(reviewed.arn.clone());
        let deployed = deploy::apply_reviewed(session, &args, reviewed, job.started).await?;
        row.succeeded(deployed.status.clone(), &deployed);
        Ok(())
    })
    .await;
    for (m, row) in chosen.iter().zip(chosen_rows) {
        rows[index(members, m)] = row;
    }
    if job.go_on(rows) {
        departed::delete(job, departed, gone).await;
    }
    Ok(())
}

/// `deploy --fleet --change-set-only`: every member's change set made under one name and
/// kept (a member that already matches keeps its empty change set of that name, so the
/// execution later tells it from one whose change set went); nothing is executed or deleted.
pub(super) async fn keep_all(
    job: Job<'_, '_>,
    members: &[Member],
    rows: &mut [MemberResult],
    gone: &mut [MemberResult],
) {
    let name = crate::stack::request_token("change-set");
    job.each(members, rows, async |session, m, row| {
        let deployed = make(session, job, m, Mode::Keep, Some(&name)).await?;
        operation(row, &deployed);
        match deployed.kept.clone() {
            Some((name, arn)) => {
                show(session, &name, &deployed);
                row.change_set = Some(arn);
                row.succeeded(format!("change set {name} kept"), &Kept::from(deployed));
            }
            None => row.succeeded("unchanged: no changes", &Kept::from(deployed)),
        }
        Ok(())
    })
    .await;
    // Shown, not deleted: the execution deletes them.
    for row in gone.iter_mut() {
        row.state = State::Succeeded;
    }
    if rows.iter().any(|r| r.change_set.is_some()) || !gone.is_empty() {
        job.engine.ui.info(&format!(
            "\nReview them, then execute them with: fsx-drt deploy --fleet {} --execute-change-set {name}",
            job.request.file.display()
        ));
    }
}

/// deploy's first pass: the member's change set made and shown; none when it matches.
async fn made(
    session: &Session<'_>,
    job: Job<'_, '_>,
    m: &Member,
    row: &mut MemberResult,
) -> Result<Option<Pending>, Failure> {
    let deployed = make(session, job, m, Mode::Keep, None).await?;
    operation(row, &deployed);
    let new_stack = row.operation == "create";
    let Some((name, _)) = deployed.kept.clone() else {
        row.succeeded("unchanged", &Kept::from(deployed));
        return Ok(None);
    };
    show(session, &name, &deployed);
    row.result = "change set made".into();
    Ok(Some(Pending { name, new_stack }))
}

/// `--execute-change-set`'s first pass: the member's kept change set checked and shown;
/// none when it holds no changes and the stack is as it was (the member matched).
async fn kept(
    session: &Session<'_>,
    request: &FleetRequest,
    m: &Member,
    row: &mut MemberResult,
    name: &str,
) -> Result<Option<Pending>, Failure> {
    let args: DeployRequest = deploy_request(request, m, Mode::Apply);
    let Some(reviewed) = deploy::review(session, &args, name).await? else {
        row.operation = "none".into();
        row.succeeded("unchanged", &());
        return Ok(None);
    };
    session.ui.info(&reviewed.shown(&m.stack_name));
    row.operation = if reviewed.creates() {
        "create"
    } else {
        "update"
    }
    .into();
    row.change_set = Some(reviewed.arn.clone());
    row.result = "change set checked".into();
    let name = name.to_string();
    Ok(Some(Pending {
        name,
        new_stack: false,
    }))
}

fn operation(row: &mut MemberResult, deployed: &Deployed) {
    row.operation = match (deployed.kept.is_some(), deployed.status.as_str()) {
        (false, _) => "none",
        (true, "(no stack)") => "create",
        (true, _) => "update",
    }
    .into();
}

fn show(session: &Session<'_>, name: &str, deployed: &Deployed) {
    let summary = ChangeSetSummary {
        changes: deployed.changes.clone(),
        parameters: deployed.parameter_changes.clone(),
    };
    session.ui.info(&format!("\nChange set {name}:\n{summary}"));
}

fn index(members: &[Member], m: &Member) -> usize {
    (members.iter().position(|x| x.name == m.name)).expect("a member")
}

/// `--execute-change-set` not approved: the reviewed change sets stay for another try.
fn keep(rows: &mut [MemberResult], pending: &[Option<Pending>]) {
    for (row, pending) in rows.iter_mut().zip(pending) {
        if pending.is_some() {
            row.result = "not started: change set kept".into();
        }
    }
}

/// Not approved (or `--fail-fast` after a failure): every kept change set goes, then the
/// empty stacks made for them (a stack is deleted only once no change set waits on it, and
/// moto's ListChangeSets answers every stack's, so all change sets go first); those
/// members were not started.
async fn withdraw(
    engine: &Engine<'_>,
    members: &[Member],
    rows: &mut [MemberResult],
    pending: &[Option<Pending>],
) {
    for new_stacks in [false, true] {
        for (m, pending) in members.iter().zip(pending) {
            let Some(p) = pending else {
                continue;
            };
            if new_stacks && !p.new_stack {
                continue;
            }
            if let Ok(aws) = (engine.connect)(&m.region).await {
                deploy::discard_kept(&aws, &m.stack_name, &p.name, new_stacks).await;
            }
        }
    }
    for (row, pending) in rows.iter_mut().zip(pending) {
        if pending.is_some() {
            row.result = "not started: change set deleted".into();
        }
    }
}
