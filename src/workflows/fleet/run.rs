//! The single-account engine: each member's stack through the one-stack workflows, several
//! at once. At most `concurrency` members work at a time, and members of one region start
//! at least [`STAGGER`] apart, so their first calls and their followers' polls (already
//! jittered, every 1-2 s) do not arrive together at one region's CloudFormation.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::{join_all, LocalBoxFuture};
use tokio::sync::Semaphore;

use super::change_sets;
use super::departed;
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
    let first = members.first().expect("a fleet has members");
    let aws = (engine.connect)(&first.region).await?;
    let account = aws.account().await?;
    // Another account: the StackSets engine, its stack set in the first member's region.
    if (members.iter()).any(|m| m.account.as_deref().is_some_and(|a| a != account)) {
        return super::stack_set::run(engine, request, fleet, &aws, &account).await;
    }
    let mut rows: Vec<MemberResult> = (members.iter())
        .map(|m| {
            let mut row = MemberResult::new(m, request.operation.word());
            row.account = Some(account.clone());
            row
        })
        .collect();
    let departed = match request.operation {
        Operation::Status => Vec::new(),
        _ => departed::find(engine, request, fleet).await?,
    };
    let mut gone: Vec<MemberResult> = (departed.iter())
        .map(|d| departed::row(d, &account))
        .collect();
    let job = Job {
        engine,
        request,
        started: Instant::now(),
    };
    match request.operation {
        Operation::Status => {
            let status = StatusRequest {
                stack_name: String::new(),
                watch: false,
                any_stack: false,
                timeout: request.timeout,
                drift: (!request.no_drift).then_some(drift::WAIT),
            };
            job.each(members, &mut rows, async |session, m, row| {
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
            })
            .await;
        }
        Operation::Diff => {
            job.each(members, &mut rows, async |session, m, row| {
                let deployed = make(session, job, m, Mode::Diff, None).await?;
                let diffed = Diffed::from(deployed);
                let words = match diffed.changes.len() + diffed.parameters.len() {
                    0 => "no changes".to_string(),
                    n => format!("{n} changes"),
                };
                row.succeeded(words, &diffed);
                Ok(())
            })
            .await;
            // Shown, not deleted.
            for row in &mut gone {
                row.state = State::Succeeded;
            }
        }
        Operation::Deploy | Operation::Execute => {
            let left = (&departed[..], &mut gone[..]);
            change_sets::deploy_all(job, members, &mut rows, left).await?
        }
        Operation::Review => change_sets::keep_all(job, members, &mut rows, &mut gone).await,
        Operation::Destroy => {
            let names: Vec<&str> = (members.iter().map(|m| m.stack_name.as_str()))
                .chain(departed.iter().map(|d| d.stack.name.as_str()))
                .collect();
            let question = format!("Delete {} stacks ({})?", names.len(), names.join(", "));
            job.approve(&question)?;
            job.each(members, &mut rows, async |session, m, row| {
                let destroyed = delete_stack(session, job, &m.stack_name).await?;
                row.succeeded(format!("deleted ({})", destroyed.status), &destroyed);
                Ok(())
            })
            .await;
            if job.go_on(&rows) {
                departed::delete(job, &departed, &mut gone).await;
            }
        }
    }
    rows.extend(gone);
    Ok(Fleet::new(rows))
}

/// A stack deleted as destroy does it, already approved.
pub(super) async fn delete_stack(
    session: &Session<'_>,
    job: Job<'_, '_>,
    stack_name: &str,
) -> Result<destroy::Destroyed, Failure> {
    let args = DestroyRequest {
        stack_name: stack_name.to_string(),
        yes: true,
        retain: Vec::new(),
        any_stack: false,
        timeout: job.request.timeout,
        role_arn: None,
    };
    destroy::execute(session, &args, job.started).await
}

/// What every pass over the members works with: the engine, the request, and when the
/// run started.
#[derive(Clone, Copy)]
pub(super) struct Job<'j, 'e> {
    pub engine: &'j Engine<'e>,
    pub request: &'j FleetRequest,
    pub started: Instant,
}

impl Job<'_, '_> {
    /// Whether a next step starts: not after Ctrl-C, nor after a failure with `--fail-fast`.
    pub(super) fn go_on(self, rows: &[MemberResult]) -> bool {
        let failed = rows.iter().any(|r| r.state == State::Failed);
        !(self.engine.interrupt.is_raised() || (failed && self.request.fail_fast))
    }

    /// `--yes`, or one question to a person; anyone else gets exit 2 (and the change sets go).
    pub(super) fn approve(self, question: &str) -> Result<(), Failure> {
        if self.request.yes {
            return Ok(());
        }
        if !self.engine.interactive {
            return Err(Failure::new(
                Exit::Invalid,
                "approval needed, and nobody can be asked (no terminal, or --no-input)",
                Some("review the changes above, then run again with --yes".into()),
            ));
        }
        match self.engine.ui.confirm(question) {
            true => Ok(()),
            false => Err(Failure::new(
                Exit::Interrupted,
                "not approved; nothing was changed",
                None,
            )),
        }
    }

    /// `work` for every member (or departed stack), at most `concurrency` at once, paced per
    /// region; a member's failure is its row's, and with `--fail-fast` (or after Ctrl-C)
    /// members not yet started are not started.
    pub(super) async fn each<P: Place>(
        self,
        members: &[P],
        rows: &mut [MemberResult],
        work: impl AsyncFn(&Session<'_>, &P, &mut MemberResult) -> Result<(), Failure>,
    ) {
        let slots = Semaphore::new(self.request.concurrency.max(1));
        let failed = Cell::new(false);
        let next_start: RefCell<HashMap<String, tokio::time::Instant>> = RefCell::default();
        let tasks = members.iter().zip(rows.iter_mut()).map(async |(m, row)| {
            let _slot = slots.acquire().await.expect("the semaphore stays open");
            if self.engine.interrupt.is_raised() || (self.request.fail_fast && failed.get()) {
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
                let aws = (self.engine.connect)(m.region()).await?;
                let ui = self.engine.ui.member(m.name());
                let session = Session {
                    aws: &aws,
                    ui: &ui,
                    interrupt: self.engine.interrupt,
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
}

pub(super) fn deploy_request(request: &FleetRequest, m: &Member, mode: Mode) -> DeployRequest {
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

/// A member's change set, made by deploy itself (diff or kept for review), named `name`
/// (else a fresh name).
pub(super) async fn make(
    session: &Session<'_>,
    job: Job<'_, '_>,
    m: &Member,
    mode: Mode,
    name: Option<&str>,
) -> Result<Deployed, Failure> {
    let prepared = Prepared {
        draft: m.draft.clone(),
        artifact: job.request.artifact.clone(),
        switch: None,
        change_set_name: name.map(str::to_string),
    };
    deploy::execute(
        session,
        &deploy_request(job.request, m, mode),
        prepared,
        job.started,
    )
    .await
}
