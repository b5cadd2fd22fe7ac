//! Each schedule of a stack as status shows it: read back from the stack's template (the
//! stack is the one source of truth), in words, with its next runs in its own zone and the
//! latest task it started.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::aws::{Aws, StackView};
use crate::error::Failure;
use crate::schedule::{parse_zone, Schedule};
use crate::task::Task;
use crate::template;
use crate::workflows::upcoming::{rfc3339, rfc3339_in};

/// How many runs of each schedule status shows.
const RUNS_SHOWN: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct ScheduleStatus {
    pub name: String,
    pub expression: String,
    pub timezone: String,
    pub enabled: bool,
    /// The expression in words, in its zone.
    pub words: String,
    /// RFC 3339 with the zone's offset.
    pub next_runs: Vec<String>,
    /// The same instants in UTC.
    pub next_runs_utc: Vec<String>,
    /// The newest task this schedule started (`task-... SUCCEEDED`), among the recent ones.
    pub latest_task: Option<String>,
}

/// Two enabled schedules due in the same minute among each one's next 50 runs, in words.
pub fn clash(schedules: &[ScheduleStatus], now: DateTime<Utc>) -> Option<String> {
    let runs: Vec<(&str, Vec<DateTime<Utc>>)> = schedules
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| {
            let zone = parse_zone(&s.timezone).ok()?;
            let times = Schedule::parse(&s.expression)
                .ok()?
                .upcoming_in(zone, now, 50);
            Some((
                s.name.as_str(),
                times.iter().map(|t| t.with_timezone(&Utc)).collect(),
            ))
        })
        .collect();
    crate::schedule::clash_warning(&runs)
}

/// The stack's schedules; `tasks` are the file system's newest, whose tags say which
/// schedule made them.
pub async fn of(
    aws: &Aws,
    stack: &StackView,
    tasks: &[Task],
    now: DateTime<Utc>,
) -> Result<Vec<ScheduleStatus>, Failure> {
    let by = stack.id.as_deref().unwrap_or(&stack.name);
    let deployed = template::deployed(&aws.stack_template(by).await?, &stack.parameters);
    let mut tagged = Vec::new();
    if !deployed.is_empty() {
        for task in tasks {
            if let Some(arn) = &task.arn {
                let schedule = aws.tag(arn, fsx_drt_core::SCHEDULE_TAG).await?;
                tagged.push((schedule, task));
            }
        }
    }
    Ok(deployed
        .into_iter()
        .map(|s| {
            let latest = tagged
                .iter()
                .find(|(schedule, _)| schedule.as_deref() == Some(s.name.as_str()))
                .map(|(_, t)| format!("{} {}", t.task_id, t.lifecycle));
            status(s, latest, now)
        })
        .collect())
}

fn status(
    s: template::ScheduleResource,
    latest_task: Option<String>,
    now: DateTime<Utc>,
) -> ScheduleStatus {
    let parsed = Schedule::parse(&s.expression).ok();
    let zone = parse_zone(&s.timezone).ok();
    let words = parsed
        .as_ref()
        .map_or_else(|| s.expression.clone(), |p| p.describe_in(&s.timezone));
    let runs = match (&parsed, zone, s.enabled) {
        (Some(p), Some(zone), true) => p.upcoming_in(zone, now, RUNS_SHOWN),
        _ => Vec::new(),
    };
    let utc: Vec<DateTime<Utc>> = runs.iter().map(|t| t.with_timezone(&Utc)).collect();
    ScheduleStatus {
        name: s.name,
        expression: s.expression,
        timezone: s.timezone,
        enabled: s.enabled,
        words,
        next_runs: rfc3339_in(&runs),
        next_runs_utc: rfc3339(&utc),
        latest_task,
    }
}

impl std::fmt::Display for ScheduleStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.enabled { "" } else { " (disabled)" };
        writeln!(f, "  {}{state}: {}", self.name, self.words)?;
        for (run, utc) in self.next_runs.iter().zip(&self.next_runs_utc) {
            match run == utc {
                true => writeln!(f, "      next {run}")?,
                false => writeln!(f, "      next {run}  ({utc})")?,
            }
        }
        if let Some(task) = &self.latest_task {
            writeln!(f, "      latest task {task}")?;
        }
        Ok(())
    }
}
