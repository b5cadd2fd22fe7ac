//! `fsx-drt status`: the stack, its schedule, deferred runs, alarms, email subscription,
//! recent tasks and drift. Exit 0 healthy, 1 unhealthy (failed stack, alarm in ALARM, latest
//! task failed, resources drifted from the template), 2 no stack. A deferred run is healthy (a
//! busy file system is normal); runs given up lately are a warning, exit 0: they cannot be
//! undone, and an exit 1 would fail every health check for days after one.

mod capacity;
pub mod drift;
mod schedules;

use std::fmt;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;

use super::deferrals::{self, DeferredRun, GivenUp};
use super::existing_stack;
use super::follow::{self, Followed};
use super::session::Session;
use super::upcoming::rfc3339;
use crate::error::{Exit, Failure};
use crate::params::Param;
use crate::schedule::Schedule;
use crate::stack;
use crate::task::Task;

/// Which stack to report on.
#[derive(Debug, Clone)]
pub struct StatusRequest {
    pub stack_name: String,
    /// Follow an operation in progress to its end first.
    pub watch: bool,
    /// Report on a stack fsx-drt did not make.
    pub any_stack: bool,
    pub timeout: Duration,
    /// Detect drift, waiting this long for the result ([`drift::WAIT`]); none: skip it.
    pub drift: Option<Duration>,
}

const TASKS_SHOWN: usize = 10;

/// `email_subscription` of a stack whose alarms go to a team's topic (AlarmTopicArn).
const TEAM_TOPIC: &str = "team topic";

#[derive(Debug, Serialize)]
pub struct Status {
    pub stack_name: String,
    pub status: String,
    pub last_change: Option<String>,
    #[serde(serialize_with = "crate::output::pairs_map")]
    pub parameters: Vec<(String, String)>,
    #[serde(serialize_with = "crate::output::pairs_map")]
    pub outputs: Vec<(String, String)>,
    /// Stack tags (propagated to the resources).
    #[serde(serialize_with = "crate::output::pairs_map")]
    pub tags: Vec<(String, String)>,
    pub schedule: Option<String>,
    /// The schedule in words.
    pub schedule_words: Option<String>,
    pub next_runs: Vec<String>,
    /// Every schedule, from the stack's template: in words, next runs in its zone.
    pub schedules: Vec<schedules::ScheduleStatus>,
    /// Two schedules due in the same minute (FSx runs one task at a time).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Slots waiting for a busy file system (healthy: FSx runs one task at a time).
    pub deferred: Vec<DeferredRun>,
    /// Schedules that gave slots up lately: a warning, not unhealthy (it cannot be undone,
    /// and would keep status failing for days).
    pub given_up: Vec<GivenUp>,
    pub alarms: Vec<Alarm>,
    /// The capacity alarm (ReleaseWhenFreeBelowPercent): threshold, free storage, state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<capacity::Capacity>,
    /// confirmed, PendingConfirmation, none, or "team topic" (AlarmTopicArn: not read).
    pub email_subscription: String,
    pub tasks: Vec<Task>,
    /// Whether the resources still match the template.
    pub drift: drift::Drift,
    pub healthy: bool,
    /// Why it is not healthy.
    pub problems: Vec<String>,
    /// The command that brings a drifted stack back to its template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Alarm {
    pub name: String,
    pub state: String,
}

/// Everything status reports, read in a session (tests pass mocked clients).
pub async fn gather(session: &Session<'_>, args: &StatusRequest) -> Result<Status, Failure> {
    let aws = session.aws;
    let mut stack = existing_stack(aws, &args.stack_name, args.any_stack).await?;
    if args.watch && stack.in_progress() {
        follow::follow(
            session,
            &args.stack_name,
            &Followed::attach(&stack),
            args.timeout,
        )
        .await?
        .succeeded()?;
        match aws.describe_stack(&args.stack_name).await? {
            Some(now) => stack = now,
            None => {
                return Err(Failure::new(
                    Exit::Invalid,
                    format!("stack {} was deleted", args.stack_name),
                    None,
                ))
            }
        }
    }
    let status = stack.status.clone();
    let schedule = stack.parameter(Param::Schedule.key()).map(str::to_string);
    let parsed = schedule.as_deref().and_then(|s| Schedule::parse(s).ok());
    let schedule_words = parsed.as_ref().map(Schedule::describe);
    // In the stack's Timezone (UTC for stacks without one), shown in UTC.
    let zone = stack
        .parameter(crate::template::TIMEZONE)
        .and_then(|z| crate::schedule::parse_zone(z).ok())
        .unwrap_or(chrono_tz::Tz::UTC);
    let next_runs = parsed
        .map(|s| {
            let runs = s.upcoming_in(zone, Utc::now(), 5);
            rfc3339(
                &runs
                    .iter()
                    .map(|t| t.with_timezone(&Utc))
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();

    let mut problems = Vec::new();
    if !stack::is_success(&status, false) || status.ends_with("ROLLBACK_COMPLETE") {
        problems.push(format!("the stack is {status}"));
    }
    let alarm_names = stack.outputs.alarm_names();
    let mut alarms = Vec::new();
    if !alarm_names.is_empty() {
        for (name, state) in aws.alarm_states(alarm_names).await? {
            if state == "ALARM" {
                problems.push(format!("alarm {name} is in ALARM"));
            }
            alarms.push(Alarm { name, state });
        }
    }
    let capacity = capacity::of(aws, &stack).await?;
    // A team's topic is not the stack's: its subscriptions are the team's to read and manage.
    let team_topic = (stack.parameter(Param::AlarmTopicArn.key())).is_some_and(|t| !t.is_empty());
    let email_subscription = match (team_topic, stack.outputs.topic_arn()) {
        (true, _) => TEAM_TOPIC.to_string(),
        (false, Some(topic)) => aws.email_subscription(topic).await?,
        (false, None) => "none".to_string(),
    };
    let tasks = match stack.parameter(Param::FileSystemId.key()) {
        Some(fs_id) => aws
            .tasks(fs_id)
            .await?
            .into_iter()
            .take(TASKS_SHOWN)
            .collect(),
        None => Vec::new(),
    };
    let schedules = schedules::of(aws, &stack, &tasks, Utc::now()).await?;
    let mut warnings: Vec<String> = schedules::clash(&schedules, Utc::now())
        .into_iter()
        .collect();
    let zones: Vec<(String, chrono_tz::Tz)> = schedules
        .iter()
        .filter_map(|s| {
            Some((
                s.name.clone(),
                crate::schedule::parse_zone(&s.timezone).ok()?,
            ))
        })
        .collect();
    let deferred = deferrals::deferred(aws, &stack, &zones).await;
    let deferred = deferrals::unread_is_a_note(deferred, &mut warnings)?;
    let names: Vec<String> = schedules.iter().map(|s| s.name.clone()).collect();
    let given_up = deferrals::given_up(aws, &stack, &names, Utc::now()).await;
    let given_up = deferrals::unread_is_a_note(given_up, &mut warnings)?;
    if let Some(latest) = tasks.first() {
        if latest.failed_outright() {
            let files = match latest.failed {
                Some(n) if latest.lifecycle == "SUCCEEDED" => format!(" with {n} failed files"),
                _ => String::new(),
            };
            problems.push(format!(
                "the latest task {} {}{files}",
                latest.task_id, latest.lifecycle
            ));
        }
    }
    // Once, on the stack as it is now (after following an operation with --watch).
    let drift = match args.drift {
        Some(wait) => {
            drift::check(session, stack.id.as_deref().unwrap_or(&stack.name), wait).await?
        }
        None => drift::Drift::Skipped,
    };
    let mut next_step = None;
    if let drift::Drift::Drifted { resources, .. } = &drift {
        let n = resources.len();
        problems.push(format!(
            "{n} resource{} drifted from the template",
            if n == 1 { "" } else { "s" }
        ));
        next_step = Some(revert_drift(&args.stack_name));
    }
    Ok(Status {
        stack_name: args.stack_name.clone(),
        status,
        last_change: stack.last_change,
        parameters: stack.parameters,
        outputs: stack.outputs.0,
        tags: stack.tags,
        schedule,
        schedule_words,
        next_runs,
        schedules,
        warnings,
        deferred,
        given_up,
        alarms,
        capacity,
        email_subscription,
        tasks,
        drift,
        healthy: problems.is_empty(),
        problems,
        next_step,
    })
}

/// The deploy that puts the template's values back (a drift-aware change set): it takes every
/// value from the stack, named schedules included (read back from its template).
fn revert_drift(stack_name: &str) -> String {
    format!("fsx-drt deploy --stack-name {stack_name} --revert-drift")
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Stack {}: {}", self.stack_name, self.status)?;
        if let Some(last) = &self.last_change {
            writeln!(f, "  last change {last}")?;
        }
        let table =
            |f: &mut fmt::Formatter<'_>, title: &str, rows: &[(String, String)]| -> fmt::Result {
                writeln!(f)?;
                writeln!(f, "{title}:")?;
                let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                for (k, v) in rows {
                    writeln!(f, "  {k:<width$}  {v}")?;
                }
                Ok(())
            };
        table(f, "Parameters", &self.parameters)?;
        table(f, "Outputs", &self.outputs)?;
        if !self.tags.is_empty() {
            table(f, "Tags", &self.tags)?;
        }
        if self.schedules.is_empty() {
            if let Some(schedule) = &self.schedule {
                writeln!(f)?;
                let words = self.schedule_words.as_deref().unwrap_or("");
                writeln!(f, "Schedule {schedule}: {words}; next runs (UTC):")?;
                for run in &self.next_runs {
                    writeln!(f, "  {run}")?;
                }
            }
        } else {
            writeln!(f)?;
            writeln!(f, "Schedules:")?;
            for schedule in &self.schedules {
                write!(f, "{schedule}")?;
            }
            for warning in &self.warnings {
                writeln!(f, "warning: {warning}")?;
            }
            writeln!(f)?;
            writeln!(f, "Deferred runs:")?;
            if self.deferred.is_empty() && self.given_up.is_empty() {
                writeln!(f, "  (none)")?;
            }
            for run in &self.deferred {
                writeln!(f, "  {run}")?;
            }
            for given_up in &self.given_up {
                writeln!(f, "  warning: {given_up}")?;
            }
        }
        writeln!(f)?;
        writeln!(f, "Alarms:")?;
        if self.alarms.is_empty() {
            writeln!(f, "  (none reported)")?;
        }
        for alarm in &self.alarms {
            writeln!(f, "  {}  {}", alarm.state, alarm.name)?;
        }
        if let Some(capacity) = &self.capacity {
            writeln!(f)?;
            write!(f, "{capacity}")?;
        }
        writeln!(f)?;
        let hint = match self.email_subscription.as_str() {
            "PendingConfirmation" => {
                " (open the confirmation mail AWS sent, or alarms reach nobody)"
            }
            TEAM_TOPIC => {
                " (the alarms publish to the TopicArn output; who it mails is the team's)"
            }
            _ => "",
        };
        writeln!(f, "Email subscription: {}{hint}", self.email_subscription)?;
        writeln!(f)?;
        writeln!(f, "Recent data repository tasks:")?;
        if self.tasks.is_empty() {
            writeln!(f, "  (none)")?;
        }
        for t in &self.tasks {
            write!(f, "{t}")?;
        }
        writeln!(f)?;
        write!(f, "{}", self.drift)?;
        writeln!(f)?;
        match (self.healthy, self.given_up.len()) {
            (true, 0) => return writeln!(f, "Healthy."),
            (true, n) => {
                return writeln!(
                    f,
                    "Healthy, but {n} schedule{} gave runs up lately (see Deferred runs).",
                    if n == 1 { "" } else { "s" }
                )
            }
            _ => {}
        }
        writeln!(f, "Unhealthy: {}.", self.problems.join("; "))?;
        match &self.next_step {
            Some(step) => writeln!(f, "To bring it back to its template: {step}"),
            None => Ok(()),
        }
    }
}
