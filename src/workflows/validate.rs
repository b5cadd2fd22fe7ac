//! `fsx-drt validate`: checks parameters offline and shows what deploy would use.

use std::fmt;

use chrono::{DateTime, Utc};
use fsx_drt_core::{render_paths, Invalid};
use serde::{Serialize, Serializer};

use super::inputs::{self, Inputs};
use super::upcoming::{rate_note, rfc3339};
use crate::definition::{self, Draft, ScheduleSpec};
use crate::error::Failure;
use crate::output::Printer;
use crate::params::{self, Param, Problem, Source};

/// How many run times the summary shows.
const RUNS_SHOWN: usize = 5;

#[derive(Debug, Serialize)]
pub struct Valid {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_name: Option<String>,
    /// The values CloudFormation would get, by template parameter name: with one schedule
    /// all of them, with several the stack-wide ones (each schedule's are in `schedules`).
    #[serde(serialize_with = "by_name")]
    pub parameters: Vec<(Param, String)>,
    /// Where each value came from.
    #[serde(serialize_with = "by_name")]
    pub sources: Vec<(Param, Source)>,
    /// With one schedule: the schedule in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// With one schedule: its next runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_runs: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// EmailAddress given as a list: every address, the first being the parameter's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_addresses: Option<Vec<String>>,
    /// Every schedule, by name.
    pub schedules: Vec<ScheduleView>,
    /// Two schedules due in the same minute.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// A flat definition (no `Schedules` map): shown as it always was.
    #[serde(skip)]
    pub flat: bool,
}

/// One schedule as `validate` shows it.
#[derive(Debug, Serialize)]
pub struct ScheduleView {
    pub name: String,
    pub task_type: String,
    pub paths: String,
    pub expression: String,
    /// The expression in words.
    pub runs: String,
    pub timezone: String,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_after_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flexible_window_minutes: Option<u32>,
    pub next_runs: Vec<String>,
    /// The same runs in the schedule's zone, with its offset.
    pub next_runs_local: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A map keyed by parameter name, in parameter order.
fn by_name<S: Serializer, T: Serialize>(entries: &[(Param, T)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(entries.iter().map(|(p, v)| (p.key(), v)))
}

/// What to check: the parameters, the stack name when given, and the instant run times
/// count from (default: now).
#[derive(Debug, Clone)]
pub struct ValidateRequest {
    pub stack_name: Option<String>,
    pub after: Option<chrono::DateTime<Utc>>,
    pub inputs: Inputs,
}

pub fn run(args: &ValidateRequest, interactive: bool, ui: &Printer) -> Result<Valid, Failure> {
    let draft = inputs::resolve_definition(&args.inputs, interactive, ui)?;
    let mut problems = Vec::new();
    if let Some(name) = &args.stack_name {
        if let Err(invalid) = params::parse_stack_name(name) {
            problems.push(Problem::new("--stack-name", Some(name), invalid));
        }
    }
    // One-time at() schedules in the past, and run times, count from this instant.
    let after = args.after.unwrap_or_else(Utc::now);
    let checked = match definition::validate(&draft, after) {
        Ok(definition) => Some(definition),
        Err(mut found) => {
            problems.append(&mut found);
            None
        }
    };
    let mut views = Vec::new();
    for spec in checked.iter().flat_map(|d| &d.schedules) {
        let runs = spec.upcoming(after, RUNS_SHOWN);
        if runs.is_empty() {
            problems.push(never_fires(&draft, spec, after));
        }
        views.push(view(spec, &runs));
    }
    let (Some(definition), true) = (checked, problems.is_empty()) else {
        return Err(Failure::invalid("the parameters are invalid", problems));
    };
    let first = &definition.schedules[0];
    let single = definition.schedules.len() == 1;
    let values: Vec<(Param, String)> = (definition.parameters(first).template_values())
        .into_iter()
        .filter(|(param, _)| single || !definition::is_schedule_param(*param))
        .collect();
    // Each schedule has the same stack-wide values; its own are the flat definition's.
    let resolved = &draft.schedules[0].values;
    let sources = values
        .iter()
        .map(|(param, _)| {
            let source = resolved
                .get(*param)
                .map_or(Source::Default, |(_, s)| s.clone());
            (*param, source)
        })
        .collect();
    let one = single.then(|| &views[0]);
    Ok(Valid {
        valid: true,
        stack_name: args.stack_name.clone(),
        parameters: values,
        sources,
        schedule: one.map(|v| v.runs.clone()),
        next_runs: one.map(|v| v.next_runs.clone()),
        note: one.and_then(|v| v.note.clone()),
        email_addresses: (definition.email_addresses.len() > 1)
            .then(|| definition.email_addresses.clone()),
        schedules: views,
        warnings: definition.same_minute_warning(after).into_iter().collect(),
        flat: !draft.mapped,
    })
}

/// A schedule whose expression (or EndDate) leaves no run after `after`.
fn never_fires(draft: &Draft, spec: &ScheduleSpec, after: DateTime<Utc>) -> Problem {
    let values = draft
        .schedules
        .iter()
        .find(|s| s.name == spec.name)
        .map(|s| &s.values);
    let (value, source) = values
        .and_then(|v| v.get(Param::Schedule).cloned())
        .unwrap_or((
            Param::Schedule.default().unwrap_or_default().to_string(),
            Source::Default,
        ));
    let ends = spec
        .end_date_iso()
        .map_or(String::new(), |end| format!(" before its EndDate {end}"));
    let mut problem = Problem::sourced(
        Param::Schedule,
        &value,
        &source,
        Invalid::new(
            format!(
                "{} never fires after {}{ends}",
                spec.expression.expression(),
                rfc3339(&[after])[0]
            ),
            "check the year and day fields (February has no 30th, years end at 2199)",
        ),
    );
    problem.parameter = definition::place(draft.mapped, &spec.name, Param::Schedule.key());
    problem
}

fn view(spec: &ScheduleSpec, runs: &[DateTime<Utc>]) -> ScheduleView {
    ScheduleView {
        name: spec.name.clone(),
        task_type: spec.task_type.name().to_string(),
        paths: render_paths(&spec.paths),
        expression: spec.expression.expression(),
        runs: spec.describe(),
        timezone: spec.timezone.name().to_string(),
        enabled: spec.enabled,
        release_after_days: spec.release_after_days,
        start_date: spec.start_date_iso(),
        end_date: spec.end_date_iso(),
        flexible_window_minutes: spec.flexible_window_minutes,
        next_runs: rfc3339(runs),
        next_runs_local: runs
            .iter()
            .map(|t| {
                t.with_timezone(&spec.timezone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .collect(),
        note: rate_note(&spec.expression),
    }
}

impl fmt::Display for Valid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.stack_name {
            Some(name) => writeln!(f, "Parameters for stack {name} are valid.")?,
            None => writeln!(f, "Parameters are valid.")?,
        }
        writeln!(f)?;
        let width = self
            .parameters
            .iter()
            .map(|(p, _)| p.key().len())
            .max()
            .unwrap_or(0);
        let value_width = self
            .parameters
            .iter()
            .map(|(_, v)| v.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        for ((param, value), (_, source)) in self.parameters.iter().zip(&self.sources) {
            let key = param.key();
            writeln!(f, "  {key:<width$}  {value:<value_width$}  ({source})")?;
        }
        if let Some(emails) = &self.email_addresses {
            writeln!(f, "  (alarms go to {})", emails.join(", "))?;
        }
        if !self.flat {
            self.schedules.iter().try_for_each(|s| write!(f, "\n{s}"))?;
            return self
                .warnings
                .iter()
                .try_for_each(|w| write!(f, "\nwarning: {w}\n"));
        }
        let (Some(schedule), Some(next_runs)) = (&self.schedule, &self.next_runs) else {
            return Ok(());
        };
        writeln!(f)?;
        writeln!(f, "Runs {schedule}; the next {} (UTC):", next_runs.len())?;
        for run in next_runs {
            writeln!(f, "  {run}")?;
        }
        if let Some(note) = &self.note {
            writeln!(f, "  ({note})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ScheduleView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.enabled { "enabled" } else { "disabled" };
        writeln!(
            f,
            "Schedule {} ({state}): {} {}",
            self.name, self.task_type, self.paths
        )?;
        writeln!(
            f,
            "  {} in {}: runs {}",
            self.expression, self.timezone, self.runs
        )?;
        let settings = [
            self.release_after_days
                .map(|d| format!("releases files idle {d} days")),
            self.start_date.as_ref().map(|d| format!("from {d}")),
            self.end_date.as_ref().map(|d| format!("until {d}")),
            self.flexible_window_minutes
                .map(|m| format!("within {m} minutes of each time")),
        ];
        let settings: Vec<String> = settings.into_iter().flatten().collect();
        if !settings.is_empty() {
            writeln!(f, "  {}", settings.join("; "))?;
        }
        if self.timezone != "UTC" {
            let zone = &self.timezone;
            writeln!(f, "  next ({zone}): {}", self.next_runs_local.join(", "))?;
        }
        writeln!(f, "  next (UTC): {}", self.next_runs.join(", "))?;
        if let Some(note) = &self.note {
            writeln!(f, "  ({note})")?;
        }
        Ok(())
    }
}
