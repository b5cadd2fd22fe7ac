//! EventBridge Scheduler: the one-time schedules a stack's function made for deferred runs
//! (`fsx-drt-defer-*` in the stack's group, see `fsx_drt_core::deferral`).

use chrono::{DateTime, Utc};
use fsx_drt_core::deferral::{Deferral, NAME_PREFIX};
use serde_json::Value;

use super::error::{failed, Error, ErrorKind};
use super::Aws;
use crate::schedule::{parse_zone, wall_time, Schedule};

/// A slot waiting for its file system: the one-time schedule that tries it next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferred {
    /// The one-time schedule's name.
    pub name: String,
    /// The stack's schedule whose slot it is (none: a run with the environment's settings).
    pub schedule: Option<String>,
    /// The slot's scheduled time.
    pub slot: DateTime<Utc>,
    /// Which try the one-time schedule makes (1 for the first retry).
    pub attempt: u32,
    pub next_try: DateTime<Utc>,
    /// When the slot is given up.
    pub until: DateTime<Utc>,
}

impl Aws {
    /// The deferred runs waiting in `group`: its schedules named [`NAME_PREFIX`]..., each read
    /// for its time and input. One that ran (and was deleted) between the two calls is left
    /// out, as is one whose input is not a deferral's.
    pub async fn deferred_runs(&self, group: &str) -> Result<Vec<Deferred>, Error> {
        let mut names = Vec::new();
        let mut pages = self
            .clients
            .scheduler
            .list_schedules()
            .group_name(group)
            .name_prefix(NAME_PREFIX)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("ListSchedules"))?;
            names.extend(
                page.schedules()
                    .iter()
                    .filter_map(|s| s.name().map(str::to_string)),
            );
        }
        let mut deferred = Vec::new();
        for name in names {
            let got = self
                .clients
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(&name)
                .send()
                .await
                .map_err(failed("GetSchedule"));
            let out = match got {
                Ok(out) => out,
                Err(e) if e.is(&ErrorKind::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let at = out
                .schedule_expression()
                .and_then(|expression| at_time(expression, out.schedule_expression_timezone()));
            let input = out.target().and_then(|t| t.input());
            if let (Some(at), Some(input)) = (at, input) {
                deferred.extend(read(name, at, input));
            }
        }
        deferred.sort_by_key(|d| (d.next_try, d.name.clone()));
        Ok(deferred)
    }
}

/// An `at(...)` expression's instant, on the zone's wall clock (UTC when none).
fn at_time(expression: &str, zone: Option<&str>) -> Option<DateTime<Utc>> {
    let Ok(Schedule::At(wall)) = Schedule::parse(expression) else {
        return None;
    };
    let zone = parse_zone(zone.unwrap_or("UTC")).ok()?;
    wall_time(zone, wall).map(|t| t.with_timezone(&Utc))
}

/// A deferred run from its one-time schedule's name, time and input.
fn read(name: String, next_try: DateTime<Utc>, input: &str) -> Option<Deferred> {
    let event: Value = serde_json::from_str(input).ok()?;
    let deferral = Deferral::read(&event).ok()??;
    Some(Deferred {
        name,
        schedule: event["Schedule"].as_str().map(str::to_string),
        slot: deferral.since,
        attempt: deferral.attempt,
        next_try,
        until: deferral.until,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_deferral_is_read_from_its_schedule() {
        let input = r#"{"Schedule": "nightly-export", "ScheduledTime": "2026-11-25T22:00:00Z",
            "Deferral": {"Attempt": 2, "Since": "2026-11-25T22:00:00Z", "Until": "2026-11-25T23:59:00Z"}}"#;
        let at = at_time("at(2026-11-25T22:20:00)", Some("UTC")).unwrap();
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 11, 25, 22, 20, 0).unwrap());
        let deferred = read("fsx-drt-defer-x-2".into(), at, input).unwrap();
        assert_eq!(deferred.schedule.as_deref(), Some("nightly-export"));
        assert_eq!(deferred.attempt, 2);
        assert_eq!(
            deferred.slot,
            Utc.with_ymd_and_hms(2026, 11, 25, 22, 0, 0).unwrap()
        );
        assert_eq!(
            deferred.until,
            Utc.with_ymd_and_hms(2026, 11, 25, 23, 59, 0).unwrap()
        );
        // In a zone: its wall clock.
        assert_eq!(
            at_time("at(2026-11-25T23:20:00)", Some("Europe/Berlin")),
            Some(at)
        );
        // Not a deferral's: left out.
        assert_eq!(read("n".into(), at, r#"{"Schedule": "x"}"#), None);
        assert_eq!(read("n".into(), at, "not json"), None);
        assert_eq!(at_time("cron(0 1 * * ? *)", None), None);
    }
}
