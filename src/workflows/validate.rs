//! `fsx-drt validate`: checks parameters offline and shows what deploy would use.

use std::fmt;

use chrono::Utc;
use fsx_drt_core::Invalid;
use serde::{Serialize, Serializer};

use super::inputs::{self, Inputs};
use super::upcoming::{rate_note, rfc3339};
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
    /// The values CloudFormation would get, by template parameter name.
    #[serde(serialize_with = "by_name")]
    pub parameters: Vec<(Param, String)>,
    /// Where each value came from.
    #[serde(serialize_with = "by_name")]
    pub sources: Vec<(Param, Source)>,
    /// The schedule in words.
    pub schedule: String,
    pub next_runs: Vec<String>,
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
    let resolved = inputs::resolve(&args.inputs, interactive, ui)?;
    let mut problems = Vec::new();
    if let Some(name) = &args.stack_name {
        if let Err(invalid) = params::parse_stack_name(name) {
            problems.push(Problem::new("--stack-name", Some(name), invalid));
        }
    }
    let parameters = match params::validate(&resolved) {
        Ok(parameters) => Some(parameters),
        Err(mut found) => {
            problems.append(&mut found);
            None
        }
    };
    let after = args.after.unwrap_or_else(Utc::now);
    let runs = parameters
        .as_ref()
        .map(|p| p.schedule.upcoming(after, RUNS_SHOWN));
    if let (Some(p), Some(runs)) = (&parameters, &runs) {
        if runs.is_empty() {
            let (value, source) = resolved.get(Param::Schedule).cloned().unwrap_or((
                Param::Schedule.default().unwrap_or_default().to_string(),
                Source::Default,
            ));
            problems.push(Problem::sourced(
                Param::Schedule,
                &value,
                &source,
                Invalid::new(
                    format!(
                        "{} never fires after {}",
                        p.schedule.expression(),
                        rfc3339(&[after])[0]
                    ),
                    "check the year and day fields (February has no 30th, years end at 2199)",
                ),
            ));
        }
    }
    let (Some(parameters), Some(runs), true) = (parameters, runs, problems.is_empty()) else {
        return Err(Failure::invalid("the parameters are invalid", problems));
    };
    let values = parameters.template_values();
    let sources = values
        .iter()
        .map(|(param, _)| {
            let source = resolved
                .get(*param)
                .map_or(Source::Default, |(_, s)| s.clone());
            (*param, source)
        })
        .collect();
    Ok(Valid {
        valid: true,
        stack_name: args.stack_name.clone(),
        parameters: values,
        sources,
        schedule: parameters.schedule.describe(),
        next_runs: rfc3339(&runs),
        note: rate_note(&parameters.schedule),
    })
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
        writeln!(f)?;
        writeln!(
            f,
            "Runs {}; the next {} (UTC):",
            self.schedule,
            self.next_runs.len()
        )?;
        for run in &self.next_runs {
            writeln!(f, "  {run}")?;
        }
        if let Some(note) = &self.note {
            writeln!(f, "  ({note})")?;
        }
        Ok(())
    }
}
