//! `fsx-drt schedule EXPR`: the next fire times of an expression, one RFC 3339 line each;
//! and the way every command writes run times.

use std::fmt;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use crate::error::Failure;
use crate::params::{Param, Problem};
use crate::schedule::Schedule;

#[derive(Debug, Serialize)]
pub struct Upcoming {
    pub expression: String,
    pub next: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The next `count` fire times of `expression` after `after` (default: now).
pub fn upcoming(
    expression: &str,
    after: Option<chrono::DateTime<Utc>>,
    count: usize,
) -> Result<Upcoming, Failure> {
    let schedule = Schedule::parse(expression).map_err(|invalids| {
        Failure::invalid(
            "invalid schedule expression",
            invalids
                .into_iter()
                .map(|i| Problem::new(Param::Schedule.key(), Some(expression), i))
                .collect(),
        )
    })?;
    let after = after.unwrap_or_else(Utc::now);
    let next = rfc3339(&schedule.upcoming(after, count));
    let ended = (next.len() < count).then(|| {
        format!(
            "the schedule ends: {} fire time(s) after {}",
            next.len(),
            rfc3339(&[after])[0]
        )
    });
    Ok(Upcoming {
        expression: schedule.expression(),
        next,
        note: ended.or_else(|| rate_note(&schedule)),
    })
}

/// Times as RFC 3339 in UTC, to the second.
pub fn rfc3339(times: &[chrono::DateTime<Utc>]) -> Vec<String> {
    times
        .iter()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .collect()
}

/// Rate schedules have no fixed phase, so their times are only an illustration.
pub fn rate_note(schedule: &Schedule) -> Option<String> {
    matches!(schedule, Schedule::Rate(_)).then(|| {
        "a rate schedule starts counting when the rule is created; these times count from the given instant".to_string()
    })
}

impl fmt::Display for Upcoming {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for time in &self.next {
            writeln!(f, "{time}")?;
        }
        Ok(())
    }
}
