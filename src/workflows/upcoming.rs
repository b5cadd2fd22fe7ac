//! `fsx-drt schedule EXPR`: the next fire times of an expression in a time zone, one RFC 3339
//! line each; and the way every command writes run times.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::Failure;
use crate::params::{Param, Problem};
use crate::schedule::{parse_zone, wall_time, Schedule};

/// The flag that names the time zone, in problems.
const TIMEZONE_FLAG: &str = "--timezone";

#[derive(Debug, Serialize)]
pub struct Upcoming {
    pub expression: String,
    pub timezone: String,
    pub next: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The next `count` fire times of `expression` read in the IANA zone `timezone`, after
/// `after` (default: now). Problems with both are reported together.
pub fn upcoming(
    expression: &str,
    timezone: &str,
    after: Option<DateTime<Utc>>,
    count: usize,
) -> Result<Upcoming, Failure> {
    let schedule = Schedule::parse(expression).map_err(|invalids| {
        invalids
            .into_iter()
            .map(|i| Problem::new(Param::Schedule.key(), Some(expression), i))
            .collect::<Vec<_>>()
    });
    let zone =
        parse_zone(timezone).map_err(|i| vec![Problem::new(TIMEZONE_FLAG, Some(timezone), i)]);
    let (schedule, zone) = match (schedule, zone) {
        (Ok(schedule), Ok(zone)) => (schedule, zone),
        (Err(mut problems), Err(mut more)) => {
            problems.append(&mut more);
            return Err(Failure::invalid(
                "invalid schedule expression and time zone",
                problems,
            ));
        }
        (Err(problems), _) => {
            return Err(Failure::invalid("invalid schedule expression", problems))
        }
        (_, Err(problems)) => return Err(Failure::invalid("invalid time zone", problems)),
    };
    let after = after.unwrap_or_else(Utc::now);
    let next = rfc3339_in(&schedule.upcoming_in(zone, after, count));
    let ended = (next.len() < count).then(|| {
        format!(
            "the schedule ends: {} fire time(s) after {}",
            next.len(),
            rfc3339_in(&[after.with_timezone(&zone)])[0]
        )
    });
    Ok(Upcoming {
        expression: schedule.expression(),
        timezone: zone.name().to_string(),
        next,
        note: skipped_note(&schedule, zone)
            .or(ended)
            .or_else(|| rate_note(&schedule)),
    })
}

/// Times as RFC 3339 in UTC, to the second.
pub fn rfc3339(times: &[DateTime<Utc>]) -> Vec<String> {
    times
        .iter()
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .collect()
}

/// Times as RFC 3339 to the second with their zone's offset: `Z` for UTC itself, `+00:00` for
/// a zone that is only at UTC's offset for now (London in winter).
pub fn rfc3339_in(times: &[DateTime<Tz>]) -> Vec<String> {
    times
        .iter()
        .map(|t| {
            let utc = matches!(t.timezone(), Tz::UTC | Tz::Etc__UTC);
            t.to_rfc3339_opts(SecondsFormat::Secs, utc)
        })
        .collect()
}

/// A one-time schedule whose wall-clock time the zone's clocks skip never runs.
fn skipped_note(schedule: &Schedule, zone: Tz) -> Option<String> {
    match schedule {
        Schedule::At(wall) if wall_time(zone, *wall).is_none() => Some(format!(
            "{} names a time that {zone}'s clocks skip (they move forward then): it never runs; pick a time outside the gap",
            schedule.expression()
        )),
        _ => None,
    }
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
