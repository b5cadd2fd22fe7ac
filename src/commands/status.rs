//! `fsx-drt status`: the stack, its schedule, alarms, email subscription and recent tasks.
//! Exit 0 healthy, 1 unhealthy (failed stack, alarm in ALARM, latest task failed), 2 no stack.

use std::fmt;

use chrono::Utc;
use fsx_drt_lambda::outputs as output;
use serde::Serialize;

use crate::aws::{block_on, failed, Aws};
use crate::cli::{GlobalArgs, StatusArgs};
use crate::commands::deploy::describe_stack;
use crate::commands::schedule::rfc3339;
use crate::commands::tasks::{self, Task};
use crate::commands::{check_stack_name, existing_stack, follow};
use crate::error::{Exit, Failure};
use crate::interrupt::{unchanged, Interrupt};
use crate::output::Printer;
use crate::params::Param;
use crate::schedule::Schedule;
use crate::stack;

/// How many of the file system's tasks are shown.
const TASKS_SHOWN: usize = 10;

#[derive(Debug, Serialize)]
pub struct Status {
    pub stack_name: String,
    pub status: String,
    pub last_change: Option<String>,
    #[serde(serialize_with = "crate::commands::outputs_map")]
    pub parameters: Vec<(String, String)>,
    #[serde(serialize_with = "crate::commands::outputs_map")]
    pub outputs: Vec<(String, String)>,
    pub schedule: Option<String>,
    /// The schedule in words.
    pub schedule_words: Option<String>,
    pub next_runs: Vec<String>,
    pub alarms: Vec<Alarm>,
    /// confirmed, PendingConfirmation, or none.
    pub email_subscription: String,
    pub tasks: Vec<Task>,
    pub healthy: bool,
    /// Why it is not healthy.
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Alarm {
    pub name: String,
    pub state: String,
}

pub fn run(args: &StatusArgs, global: &GlobalArgs, printer: &Printer) -> Result<Status, Failure> {
    check_stack_name(&args.stack_name)?;
    block_on(unchanged(), async |interrupt| {
        let aws = Aws::connect(global).await?;
        gather(&aws, args, interrupt, printer).await
    })
}

/// The status of the stack, from clients already connected (tests pass mocked ones).
pub async fn gather(
    aws: &Aws,
    args: &StatusArgs,
    interrupt: &Interrupt,
    printer: &Printer,
) -> Result<Status, Failure> {
    let mut stack = existing_stack(aws, &args.stack_name, args.any_stack).await?;
    let in_progress = stack
        .stack_status()
        .is_some_and(|s| s.as_str().ends_with("_IN_PROGRESS"));
    if args.watch && in_progress {
        follow::follow(
            aws,
            &args.stack_name,
            &follow::Followed::attach(&stack),
            args.timeout,
            interrupt,
            printer,
        )
        .await?;
        match describe_stack(aws, &args.stack_name).await? {
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
    let status = stack
        .stack_status()
        .map_or("?".into(), |s| s.as_str().to_string());
    let pairs = |items: Vec<(Option<&str>, Option<&str>)>| -> Vec<(String, String)> {
        items
            .into_iter()
            .filter_map(|(k, v)| Some((k?.to_string(), v?.to_string())))
            .collect()
    };
    let parameters = pairs(
        stack
            .parameters()
            .iter()
            .map(|p| (p.parameter_key(), p.parameter_value()))
            .collect(),
    );
    let outputs = pairs(
        stack
            .outputs()
            .iter()
            .map(|o| (o.output_key(), o.output_value()))
            .collect(),
    );
    let find = |list: &[(String, String)], key: &str| {
        list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    let schedule = find(&parameters, Param::Schedule.key());
    let parsed = schedule.as_deref().and_then(|s| Schedule::parse(s).ok());
    let schedule_words = parsed.as_ref().map(Schedule::describe);
    let next_runs = parsed
        .map(|s| rfc3339(&s.upcoming(Utc::now(), 5)))
        .unwrap_or_default();

    let mut problems = Vec::new();
    if !stack::is_success(&status, false) || status.ends_with("ROLLBACK_COMPLETE") {
        problems.push(format!("the stack is {status}"));
    }
    let alarm_names: Vec<String> = [output::ERROR_ALARM_NAME, output::FAILED_TASK_ALARM_NAME]
        .iter()
        .filter_map(|k| find(&outputs, k))
        .collect();
    let mut alarms = Vec::new();
    if !alarm_names.is_empty() {
        let out = aws
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(alarm_names))
            .send()
            .await
            .map_err(|e| failed("DescribeAlarms", &e))?;
        for alarm in out.metric_alarms() {
            let state = alarm
                .state_value()
                .map_or("?".into(), |s| s.as_str().to_string());
            if state == "ALARM" {
                problems.push(format!(
                    "alarm {} is in ALARM",
                    alarm.alarm_name().unwrap_or("?")
                ));
            }
            alarms.push(Alarm {
                name: alarm.alarm_name().unwrap_or_default().to_string(),
                state,
            });
        }
    }
    let email_subscription = match find(&outputs, output::TOPIC_ARN) {
        Some(topic) => {
            let out = aws
                .sns
                .list_subscriptions_by_topic()
                .topic_arn(topic)
                .send()
                .await
                .map_err(|e| failed("ListSubscriptionsByTopic", &e))?;
            let email = out
                .subscriptions()
                .iter()
                .find(|s| s.protocol() == Some("email"));
            match email.and_then(|s| s.subscription_arn()) {
                Some("PendingConfirmation") => "PendingConfirmation".to_string(),
                Some(_) => "confirmed".to_string(),
                None => "none".to_string(),
            }
        }
        None => "none".to_string(),
    };
    let tasks = match find(&parameters, Param::FileSystemId.key()) {
        Some(fs_id) => recent_tasks(aws, &fs_id).await?,
        None => Vec::new(),
    };
    if let Some(latest) = tasks.first() {
        if latest.failed_outright() {
            // FAILED and CANCELED say it; SUCCEEDED is bad only for its failed files.
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
    Ok(Status {
        stack_name: args.stack_name.clone(),
        status,
        last_change: stack
            .last_updated_time()
            .or(stack.creation_time())
            .map(|t| t.to_string()),
        parameters,
        outputs,
        schedule,
        schedule_words,
        next_runs,
        alarms,
        email_subscription,
        tasks,
        healthy: problems.is_empty(),
        problems,
    })
}

async fn recent_tasks(aws: &Aws, fs_id: &str) -> Result<Vec<Task>, Failure> {
    tasks::newest(aws, fs_id, None, TASKS_SHOWN).await
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
        if let Some(schedule) = &self.schedule {
            writeln!(f)?;
            let words = self.schedule_words.as_deref().unwrap_or("");
            writeln!(f, "Schedule {schedule}: {words}; next runs (UTC):")?;
            for run in &self.next_runs {
                writeln!(f, "  {run}")?;
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
        writeln!(f)?;
        let hint = if self.email_subscription == "PendingConfirmation" {
            " (open the confirmation mail AWS sent, or alarms reach nobody)"
        } else {
            ""
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
        if self.healthy {
            writeln!(f, "Healthy.")
        } else {
            writeln!(f, "Unhealthy: {}.", self.problems.join("; "))
        }
    }
}
