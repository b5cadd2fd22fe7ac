//! The single-account engine: each member's stack through the one-stack workflows, several
//! at once. At most `concurrency` members work at a time, and members of one region start
//! at least [`STAGGER`] apart, so their first calls and their followers' polls (already
//! jittered, every 1-2 s) do not arrive together at one region's CloudFormation.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::{join_all, LocalBoxFuture};
use tokio::sync::Semaphore;

use super::departed::{self, Departed, LEFT};
use super::outcome::{Fleet, MemberResult, State};
use super::{FleetFile, FleetRequest, Member, Operation};
use crate::aws::{Aws, StackOptions};
use crate::error::{Exit, Failure};
use crate::interrupt::Interrupt;
use crate::output::Printer;
use crate::workflows::deploy::{self, DeployRequest, Deployed, Diffed, Mode, Prepared};
use crate::workflows::destroy::{self, DestroyRequest};
use crate::workflows::inputs::Inputs;
use crate::workflows::session::Session;
use crate::workflows::status::{self, drift, StatusRequest};

/// The least time between two members of one region starting.
pub const STAGGER: Duration = Duration::from_millis(500);

/// Makes the clients for a region (tests: mocked clients per region).
pub type Connect<'a> = dyn Fn(&str) -> LocalBoxFuture<'a, Result<Aws, Failure>> + 'a;

/// What the engine works on, one at a time per row: a member, or a stack that left.
pub trait Place {
    /// The member's name (its lines' prefix).
    fn name(&self) -> &str;
    fn region(&self) -> &str;
}

impl Place for Member {
    fn name(&self) -> &str {
        &self.name
    }
    fn region(&self) -> &str {
        &self.region
    }
}

/// What the engine runs with.
pub struct Engine<'a> {
    pub ui: &'a Printer,
    pub interrupt: &'a Interrupt,
    /// A person can be asked (the one approval).
    pub interactive: bool,
    pub connect: &'a Connect<'a>,
}

/// Runs the request's operation on every member (and, for deploy and destroy, deletes the
/// stacks of members that left the file); the fleet's result, or a failure before any member
/// was touched (another account named: exit 2).
pub async fn run(
    engine: &Engine<'_>,
    request: &FleetRequest,
    fleet: &FleetFile,
) -> Result<Fleet, Failure> {
    let members = fleet.members.as_slice();
    let account = caller_account(engine, members).await?;
    let mut rows: Vec<MemberResult> = (members.iter())
        .map(|m| {
            let mut row = MemberResult::new(m, request.operation.word());
            row.account = Some(account.clone());
            row
        })
        .collect();
    let departed = match request.operation {
        Operation::Deploy | Operation::Diff | Operation::Destroy => {
            departed::find(engine, request, fleet).await?
        }
        Operation::Status => Vec::new(),
    };
    let mut gone: Vec<MemberResult> = (departed.iter())
        .map(|d| departed::row(d, &account))
        .collect();
    let started = Instant::now();
    match request.operation {
        Operation::Status => {
            let status = StatusRequest {
                stack_name: String::new(),
                watch: false,
                any_stack: false,
                timeout: request.timeout,
                drift: (!request.no_drift).then_some(drift::WAIT),
            };
            each(
                engine,
                request,
                members,
                &mut rows,
                async |session, m, row| {
                    let args = StatusRequest {
                        stack_name: m.stack_name.clone(),
                        ..status.clone()
                    };
                    let status = status::gather(session, &args).await?;
                    row.latest_task = status
                        .tasks
                        .first()
                        .map(|t| format!("{} {}", t.task_id, t.lifecycle));
                    match status.healthy {
                        true => row.succeeded(format!("healthy ({})", status.status), &status),
                        false => {
                            let why = format!("unhealthy: {}", status.problems.join("; "));
                            row.detail = serde_json::to_value(&status).ok();
                            return Err(Failure::new(Exit::Failed, why, None));
                        }
                    }
                    Ok(())
                },
            )
            .await;
        }
        Operation::Diff => {
            each(
                engine,
                request,
                members,
                &mut rows,
                async |session, m, row| {
                    let deployed = make(session, request, m, Mode::Diff, started).await?;
                    let diffed = Diffed::from(deployed);
                    let words = match diffed.changes.len() + diffed.parameters.len() {
                        0 => "no changes".to_string(),
                        n => format!("{n} changes"),
                    };
                    row.succeeded(words, &diffed);
                    Ok(())
                },
            )
            .await;
            // Shown, not deleted.
            for row in &mut gone {
                row.state = State::Succeeded;
            }
        }
        Operation::Deploy => {
            let left = (&departed[..], &mut gone[..]);
            deploy_all(engine, request, members, &mut rows, left, started).await?
        }
        Operation::Destroy => {
            let names: Vec<&str> = (members.iter().map(|m| m.stack_name.as_str()))
                .chain(departed.iter().map(|d| d.stack.name.as_str()))
                .collect();
            let question = format!("Delete {} stacks ({})?", names.len(), names.join(", "));
            approve(engine, request.yes, &question)?;
            each(
                engine,
                request,
                members,
                &mut rows,
                async |session, m, row| {
                    let destroyed = delete_stack(session, request, &m.stack_name, started).await?;
                    row.succeeded(format!("deleted ({})", destroyed.status), &destroyed);
                    Ok(())
                },
            )
            .await;
            if go_on(engine, request, &rows) {
                departed::delete(engine, request, &departed, &mut gone, started).await;
            }
        }
    }
    rows.extend(gone);
    Ok(Fleet::new(rows))
}

/// A stack deleted as destroy does it, already approved.
pub(super) async fn delete_stack(
    session: &Session<'_>,
    request: &FleetRequest,
    stack_name: &str,
    started: Instant,
) -> Result<destroy::Destroyed, Failure> {
    let args = DestroyRequest {
        stack_name: stack_name.to_string(),
        yes: true,
        retain: Vec::new(),
        any_stack: false,
        timeout: request.timeout,
        role_arn: None,
    };
    destroy::execute(session, &args, started).await
}

/// Whether a next step starts: not after Ctrl-C, nor after a failure with `--fail-fast`.
fn go_on(engine: &Engine<'_>, request: &FleetRequest, rows: &[MemberResult]) -> bool {
    let failed = rows.iter().any(|r| r.state == State::Failed);
    !(engine.interrupt.is_raised() || (failed && request.fail_fast))
}

/// All change sets made and shown first, with the stacks of members that left, approved
/// once, then executed and followed together, and those stacks deleted.
async fn deploy_all(
    engine: &Engine<'_>,
    request: &FleetRequest,
    members: &[Member],
    rows: &mut [MemberResult],
    (departed, gone): (&[Departed], &mut [MemberResult]),
    started: Instant,
) -> Result<(), Failure> {
    let kept: RefCell<Vec<Option<(String, bool)>>> = RefCell::new(vec![None; members.len()]);
    each(engine, request, members, rows, async |session, m, row| {
        let deployed = make(session, request, m, Mode::Keep, started).await?;
        let index = members
            .iter()
            .position(|x| x.name == m.name)
            .expect("a member");
        let new_stack = deployed.status == "(no stack)";
        row.operation = if new_stack { "create" } else { "update" }.into();
        let kept_set = deployed.kept.clone();
        let shown = deploy::Kept::from(deployed);
        match kept_set {
            Some((name, _)) => {
                session.ui.info(&format!("{shown}"));
                row.result = "change set made".into();
                kept.borrow_mut()[index] = Some((name, new_stack));
                row.state = State::NotStarted;
            }
            None => {
                row.operation = "none".into();
                row.succeeded("unchanged", &shown);
            }
        }
        Ok(())
    })
    .await;
    // `each` marks a member whose change set was made as succeeded: it is not done yet.
    let kept = kept.into_inner();
    for (row, kept) in rows.iter_mut().zip(&kept) {
        if kept.is_some() {
            row.state = State::NotStarted;
        }
    }
    for d in departed {
        let line = format!("Stack {} in {}: {LEFT}", d.stack.name, d.region);
        engine.ui.member(&d.member).info(&line);
    }
    let count = kept.iter().flatten().count();
    if count + departed.len() == 0 {
        return Ok(());
    }
    let question = match departed.len() {
        0 => format!("Deploy these changes to {count} stacks?"),
        n => format!("Deploy these changes to {count} stacks, and delete {n} that left the fleet?"),
    };
    let go = match go_on(engine, request, rows) {
        true => approve(engine, request.yes, &question),
        false => Err(Failure::exit_only(Exit::Failed)),
    };
    if let Err(failure) = go {
        withdraw(engine, members, rows, &kept).await;
        for row in gone.iter_mut() {
            row.result = format!("not started: {LEFT}");
        }
        return match failure.error.is_empty() {
            true => Ok(()),
            false => Err(failure),
        };
    }
    let chosen: Vec<Member> = (members.iter().zip(&kept))
        .filter(|(_, k)| k.is_some())
        .map(|(m, _)| m.clone())
        .collect();
    let mut chosen_rows: Vec<MemberResult> = (chosen.iter())
        .map(|m| {
            let i = members
                .iter()
                .position(|x| x.name == m.name)
                .expect("a member");
            // Moved out for the second pass, and back after it.
            std::mem::replace(&mut rows[i], MemberResult::new(m, ""))
        })
        .collect();
    let names: Vec<String> = (kept.iter().flatten()).map(|(n, _)| n.clone()).collect();
    each(
        engine,
        request,
        &chosen,
        &mut chosen_rows,
        async |session, m, row| {
            let i = chosen
                .iter()
                .position(|x| x.name == m.name)
                .expect("a member");
            let args = DeployRequest {
                yes: true,
                ..deploy_request(request, m, Mode::Apply)
            };
            let deployed = deploy::execute_reviewed(session, &args, &names[i], started).await?;
            row.succeeded(deployed.status.clone(), &deployed);
            Ok(())
        },
    )
    .await;
    for (m, row) in chosen.iter().zip(chosen_rows) {
        let i = members
            .iter()
            .position(|x| x.name == m.name)
            .expect("a member");
        rows[i] = row;
    }
    if go_on(engine, request, rows) {
        departed::delete(engine, request, departed, gone, started).await;
    }
    Ok(())
}

/// Not approved (or `--fail-fast` after a failure): every kept change set goes, then the
/// empty stacks made for them (a stack is deleted only once no change set waits on it, and
/// moto's ListChangeSets answers every stack's, so all change sets go first); those
/// members were not started.
async fn withdraw(
    engine: &Engine<'_>,
    members: &[Member],
    rows: &mut [MemberResult],
    kept: &[Option<(String, bool)>],
) {
    for new_stacks in [false, true] {
        for (m, kept) in members.iter().zip(kept) {
            let Some((name, new_stack)) = kept else {
                continue;
            };
            if new_stacks && !new_stack {
                continue;
            }
            if let Ok(aws) = (engine.connect)(&m.region).await {
                deploy::discard_kept(&aws, &m.stack_name, name, new_stacks).await;
            }
        }
    }
    for (row, kept) in rows.iter_mut().zip(kept) {
        if kept.is_some() {
            row.result = "not started: change set deleted".into();
        }
    }
}

/// `yes`, or one question to a person; anyone else gets exit 2 (and the change sets go).
fn approve(engine: &Engine<'_>, yes: bool, question: &str) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !engine.interactive {
        return Err(Failure::new(
            Exit::Invalid,
            "approval needed, and nobody can be asked (no terminal, or --no-input)",
            Some("review the changes above, then run again with --yes".into()),
        ));
    }
    match engine.ui.confirm(question) {
        true => Ok(()),
        false => Err(Failure::new(
            Exit::Interrupted,
            "not approved; nothing was changed",
            None,
        )),
    }
}

fn deploy_request(request: &FleetRequest, m: &Member, mode: Mode) -> DeployRequest {
    DeployRequest {
        stack_name: m.stack_name.clone(),
        lambda_zip: None,
        artifact_bucket: None,
        yes: false,
        timeout: request.timeout,
        outputs_file: None,
        any_stack: false,
        guided: false,
        // Tags merge over the definition's: the fleet's own always land.
        options: StackOptions {
            tags: m.tags.clone(),
            ..StackOptions::default()
        },
        mode,
        // The definition is the fleet file's (the prepared draft, never read again): with
        // a file, deploy does not keep the stack's own schedules.
        inputs: Inputs {
            parameters_file: Some(request.file.clone()),
            ..Inputs::default()
        },
    }
}

/// A member's change set, made by deploy itself (diff or kept for review).
async fn make(
    session: &Session<'_>,
    request: &FleetRequest,
    m: &Member,
    mode: Mode,
    started: Instant,
) -> Result<Deployed, Failure> {
    let prepared = Prepared {
        draft: m.draft.clone(),
        artifact: request.artifact.clone(),
        switch: None,
    };
    deploy::execute(
        session,
        &deploy_request(request, m, mode),
        prepared,
        started,
    )
    .await
}

/// The caller's account, asked once; a member naming another account is for the StackSets
/// engine, which is not there yet: exit 2 before anything is touched.
async fn caller_account(engine: &Engine<'_>, members: &[Member]) -> Result<String, Failure> {
    let first = members.first().expect("a fleet has members");
    let aws = (engine.connect)(&first.region).await?;
    let caller = aws.account().await?;
    let others: Vec<crate::params::Problem> = (members.iter())
        .filter_map(|m| m.account.as_deref().filter(|a| *a != caller).map(|a| (m, a)))
        .map(|(m, a)| {
            crate::params::Problem::new(
                format!("Members.{}.Account", m.name),
                Some(a),
                fsx_drt_core::Invalid::new(
                    format!("not yet: several accounts need the StackSets engine (issue 15 part 2); the caller is account {caller}"),
                    "deploy each account's members with that account's credentials, or leave Account out",
                ),
            )
        })
        .collect();
    match others.is_empty() {
        true => Ok(caller),
        false => Err(Failure::invalid("the fleet names other accounts", others)),
    }
}

/// `work` for every member (or departed stack), at most `concurrency` at once, paced per
/// region; a member's failure is its row's, and with `--fail-fast` (or after Ctrl-C) members
/// not yet started are not started.
pub(super) async fn each<P: Place>(
    engine: &Engine<'_>,
    request: &FleetRequest,
    members: &[P],
    rows: &mut [MemberResult],
    work: impl AsyncFn(&Session<'_>, &P, &mut MemberResult) -> Result<(), Failure>,
) {
    let slots = Semaphore::new(request.concurrency.max(1));
    let failed = Cell::new(false);
    let next_start: RefCell<HashMap<String, tokio::time::Instant>> = RefCell::default();
    let tasks = members.iter().zip(rows.iter_mut()).map(async |(m, row)| {
        let _slot = slots.acquire().await.expect("the semaphore stays open");
        if engine.interrupt.is_raised() || (request.fail_fast && failed.get()) {
            return;
        }
        let at = {
            let mut starts = next_start.borrow_mut();
            let now = tokio::time::Instant::now();
            let at = starts.get(m.region()).map_or(now, |t| (*t).max(now));
            starts.insert(m.region().to_string(), at + STAGGER);
            at
        };
        tokio::time::sleep_until(at).await;
        let result = async {
            let aws = (engine.connect)(m.region()).await?;
            let ui = engine.ui.member(m.name());
            let session = Session {
                aws: &aws,
                ui: &ui,
                interrupt: engine.interrupt,
                interactive: false,
            };
            work(&session, m, row).await
        }
        .await;
        match result {
            Ok(()) if row.state != State::Failed => row.state = State::Succeeded,
            Ok(()) => failed.set(true),
            Err(failure) => {
                failed.set(true);
                row.failed(failure);
            }
        }
    });
    join_all(tasks).await;
}
