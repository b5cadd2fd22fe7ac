//! Deferred runs as `status` and `tasks` show them: each slot waiting for its busy file
//! system (the one-time schedule that tries it next, read from the stack's schedule group),
//! and the runs each schedule gave up lately (the SkippedRuns metric, dimension Schedule).
//!
//! Only stacks with a schedule group (the ScheduleGroupName output) defer runs; others have
//! none to show.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fsx_drt_core::{metrics, outputs};
use serde::Serialize;

use crate::aws::{Aws, Deferred, ErrorKind, StackView};
use crate::error::Failure;

/// How far back status sums the runs each schedule gave up.
pub const GIVEN_UP_DAYS: u32 = 7;

/// A slot waiting for its file system, times in its schedule's zone.
#[derive(Debug, Clone, Serialize)]
pub struct DeferredRun {
    /// The schedule whose slot it is (none: a run with the function's own settings).
    pub schedule: Option<String>,
    /// The slot's scheduled time (RFC 3339 in the schedule's zone).
    pub slot: String,
    pub next_try: String,
    /// Which try the next one is (1: the first retry after the scheduled run).
    pub attempt: u32,
    /// When the slot is given up if the file system is still busy.
    pub given_up_after: String,
    /// The one-time schedule that makes the next try.
    pub one_time_schedule: String,
}

/// A schedule that gave up runs lately (SkippedRuns).
#[derive(Debug, Clone, Serialize)]
pub struct GivenUp {
    pub schedule: String,
    pub runs: u64,
    pub days: u32,
}

/// The stack's schedule group, when it has one.
pub fn group(stack: &StackView) -> Option<&str> {
    stack
        .outputs
        .0
        .iter()
        .find(|(k, _)| k == outputs::SCHEDULE_GROUP_NAME)
        .map(|(_, v)| v.as_str())
        .filter(|g| !g.is_empty())
}

/// Each of the stack's schedules' zone, read back from its template; none without a schedule
/// group (no deferrals to show in a zone).
pub async fn zones(aws: &Aws, stack: &StackView) -> Result<Vec<(String, Tz)>, Failure> {
    if group(stack).is_none() {
        return Ok(Vec::new());
    }
    let by = stack.id.as_deref().unwrap_or(&stack.name);
    let template = aws.stack_template(by).await?;
    Ok(crate::template::deployed(&template, &stack.parameters)
        .into_iter()
        .filter_map(|s| Some((s.name, crate::schedule::parse_zone(&s.timezone).ok()?)))
        .collect())
}

/// The stack's deferred runs, each in the zone of its schedule (`zones`: name and zone; UTC
/// for one not there). None without a schedule group.
pub async fn deferred(
    aws: &Aws,
    stack: &StackView,
    zones: &[(String, Tz)],
) -> Result<Vec<DeferredRun>, crate::aws::Error> {
    let Some(group) = group(stack) else {
        return Ok(Vec::new());
    };
    Ok(aws
        .deferred_runs(group)
        .await?
        .into_iter()
        .map(|d| shown(d, zones))
        .collect())
}

fn shown(d: Deferred, zones: &[(String, Tz)]) -> DeferredRun {
    let zone = zones
        .iter()
        .find(|(name, _)| Some(name) == d.schedule.as_ref())
        .map_or(Tz::UTC, |(_, zone)| *zone);
    let rfc3339 = |t: DateTime<Utc>| t.with_timezone(&zone).to_rfc3339();
    DeferredRun {
        schedule: d.schedule,
        slot: rfc3339(d.slot),
        next_try: rfc3339(d.next_try),
        attempt: d.attempt,
        given_up_after: rfc3339(d.until),
        one_time_schedule: d.name,
    }
}

/// The schedules among `names` that gave up runs in the last [`GIVEN_UP_DAYS`] days. None
/// without a schedule group or the function's name.
pub async fn given_up(
    aws: &Aws,
    stack: &StackView,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<GivenUp>, crate::aws::Error> {
    let (Some(_), Some(function)) = (group(stack), stack.outputs.function_name()) else {
        return Ok(Vec::new());
    };
    let mut given_up = Vec::new();
    for name in names {
        let dimensions = [
            (metrics::DIMENSION, function),
            (metrics::SCHEDULE_DIMENSION, name.as_str()),
        ];
        let sum = aws
            .metric_sum(metrics::SKIPPED_RUNS, &dimensions, now, GIVEN_UP_DAYS)
            .await?;
        if sum >= 1.0 {
            given_up.push(GivenUp {
                schedule: name.clone(),
                // A count of runs: whole and far below u64's range.
                runs: sum.round() as u64,
                days: GIVEN_UP_DAYS,
            });
        }
    }
    Ok(given_up)
}

/// What could not be read is said, not failed: a CLI user from before deferrals lacks
/// scheduler:ListSchedules and cloudwatch:GetMetricStatistics (AccessDenied), and an endpoint
/// may not offer the call (a local emulator: Unsupported, or HTTP 404 without a code, which
/// reads as NotFound, as does a schedule group deleted meanwhile).
pub fn unread_is_a_note<T: Default>(
    result: Result<T, crate::aws::Error>,
    notes: &mut Vec<String>,
) -> Result<T, Failure> {
    match result {
        Ok(value) => Ok(value),
        Err(e)
            if e.is(&ErrorKind::AccessDenied)
                || e.is(&ErrorKind::Unsupported)
                || e.is(&ErrorKind::NotFound) =>
        {
            notes.push(format!("not checked: {e}"));
            Ok(T::default())
        }
        Err(e) => Err(e.into()),
    }
}

/// A time as a line shows it: the wall clock, with the date when it is not `day`'s.
fn clock(time: &str, day: &str) -> String {
    match DateTime::parse_from_rfc3339(time) {
        Ok(t) if t.format("%Y-%m-%d").to_string() == day => t.format("%H:%M").to_string(),
        Ok(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => time.to_string(),
    }
}

impl std::fmt::Display for DeferredRun {
    /// `nightly-export: slot 2026-11-25 22:00 (+01:00) deferred (the file system was busy),
    /// next try 22:20 (try 2), given up after 23:59`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let slot = DateTime::parse_from_rfc3339(&self.slot).ok();
        let day = slot.map_or(String::new(), |t| t.format("%Y-%m-%d").to_string());
        let slot = slot.map_or(self.slot.clone(), |t| {
            t.format("%Y-%m-%d %H:%M (%:z)").to_string()
        });
        write!(
            f,
            "{}: slot {slot} deferred (the file system was busy), next try {} (try {}), given up after {}",
            self.schedule.as_deref().unwrap_or("the function's run"),
            clock(&self.next_try, &day),
            self.attempt,
            clock(&self.given_up_after, &day),
        )
    }
}

impl std::fmt::Display for GivenUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = if self.runs == 1 { "" } else { "s" };
        write!(
            f,
            "{}: {} run{s} given up in the last {} days (SkippedRuns): the file system stayed busy past MaxDeferMinutes",
            self.schedule, self.runs, self.days
        )
    }
}
