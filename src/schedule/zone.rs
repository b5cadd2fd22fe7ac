//! Schedules in a time zone, as EventBridge Scheduler runs them (user guide, "Schedule types",
//! daylight saving time): a cron expression is read on the zone's wall clock; a wall-clock time
//! that a spring-forward gap skips does not run; one that an autumn overlap repeats runs once,
//! at its first occurrence (the earlier offset). A rate keeps fixed durations (a day is 24
//! hours). An `at()` time is one wall-clock time in the zone, with the same rules: in an
//! overlap it runs at its first occurrence, and in a gap (a time the zone's clocks skip, which
//! never happens there) it does not run.
//!
//! `tests/data/cron/zone_vectors.json` (Quartz on the wall clock, the JDK's zone rules for the
//! instants) holds this module to that.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{Tz, TZ_VARIANTS};
use fsx_drt_core::Invalid;

use super::Schedule;

/// How many near names an unknown zone's fix offers.
const SUGGESTIONS: usize = 3;

/// An IANA time zone name exactly as EventBridge Scheduler takes it (`Europe/Berlin`, `UTC`):
/// case and spelling count. The zones are compiled in (chrono-tz), the same on every machine.
pub fn parse_zone(name: &str) -> Result<Tz, Invalid> {
    if let Ok(zone) = name.parse::<Tz>() {
        return Ok(zone);
    }
    let near = closest_zones(name);
    let fix = match near.as_slice() {
        [exact] if exact.eq_ignore_ascii_case(name) => {
            format!("write {exact}: zone names are case-sensitive")
        }
        _ => format!(
            "give an IANA time zone name such as Europe/Berlin or UTC; the closest are {}",
            near.join(", ")
        ),
    };
    Err(Invalid::new(
        format!("`{name}` is not an IANA time zone name"),
        fix,
    ))
}

/// The zone names nearest `name`: the one that differs only in case, else the best few by
/// their whole name or their last part (`new york` finds America/New_York).
fn closest_zones(name: &str) -> Vec<&'static str> {
    let squash = |s: &str| s.trim().to_lowercase().replace(' ', "_");
    let wanted = squash(name);
    let names = TZ_VARIANTS.iter().map(|zone| zone.name());
    if let Some(exact) = names.clone().find(|n| n.eq_ignore_ascii_case(name.trim())) {
        return vec![exact];
    }
    let mut scored: Vec<(f64, &'static str)> = names
        .map(|n| {
            let full = squash(n);
            let last = full.rsplit('/').next().unwrap_or(&full);
            let score =
                strsim::jaro_winkler(&wanted, &full).max(strsim::jaro_winkler(&wanted, last));
            (score, n)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, n)| n)
        .collect()
}

/// The instant a wall-clock time names in `zone`: the earlier of two in an autumn overlap,
/// none in a spring-forward gap.
pub fn wall_time(zone: Tz, wall: NaiveDateTime) -> Option<DateTime<Tz>> {
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(a, b) => Some(a.min(b)),
        LocalResult::None => None,
    }
}

impl Schedule {
    /// Up to `count` successive fire times strictly after `after` of the schedule run in
    /// `zone`, as EventBridge Scheduler runs it (see the module's doc); fewer when it ends.
    /// In UTC these are [`Schedule::upcoming`]'s times.
    pub fn upcoming_in(&self, zone: Tz, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Tz>> {
        match self {
            Schedule::Rate(_) => self
                .upcoming(after, count)
                .iter()
                .map(|t| t.with_timezone(&zone))
                .collect(),
            Schedule::At(wall) => wall_time(zone, *wall)
                .filter(|t| *t > after)
                .into_iter()
                .take(count)
                .collect(),
            Schedule::Cron(cron) => {
                // The wall clock, with UTC standing in for it: Cron counts on a clock that never
                // shifts. Wall times repeated by an overlap that `after` is already past (its
                // second pass) ran at their first occurrence, before `after`.
                let offset = zone.offset_from_utc_datetime(&after.naive_utc()).fix();
                let Some(start) = after.naive_utc().checked_add_offset(offset) else {
                    return Vec::new(); // past the last time chrono holds: no wall clock
                };
                let start = Utc.from_utc_datetime(&start);
                std::iter::successors(cron.next_after(start), |wall| cron.next_after(*wall))
                    .filter_map(|wall| wall_time(zone, wall.naive_utc()))
                    .filter(|t| *t > after)
                    .take(count)
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::at;
    use chrono::SecondsFormat;

    fn next(expr: &str, zone: &str, after: &str, n: usize) -> Vec<String> {
        Schedule::parse(expr)
            .unwrap()
            .upcoming_in(parse_zone(zone).unwrap(), at(after), n)
            .iter()
            .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
            .collect()
    }

    #[test]
    fn a_gap_time_does_not_run_and_an_overlap_time_runs_once() {
        // Berlin: 2026-03-29 02:00 CET -> 03:00 CEST; 2026-10-25 03:00 CEST -> 02:00 CET.
        assert_eq!(
            next("30 2 * * ? *", "Europe/Berlin", "2026-03-27T12:00:00Z", 3),
            [
                "2026-03-28T02:30:00+01:00",
                "2026-03-30T02:30:00+02:00",
                "2026-03-31T02:30:00+02:00"
            ]
        );
        assert_eq!(
            next("0/30 2 * * ? *", "Europe/Berlin", "2026-10-24T23:45:00Z", 3),
            [
                "2026-10-25T02:00:00+02:00",
                "2026-10-25T02:30:00+02:00",
                "2026-10-26T02:00:00+01:00"
            ]
        );
        // From inside the overlap's second pass: its times ran an hour ago.
        assert_eq!(
            next("0/30 2 * * ? *", "Europe/Berlin", "2026-10-25T01:10:00Z", 1),
            ["2026-10-26T02:00:00+01:00"]
        );
    }

    #[test]
    fn rates_keep_24_hour_days_and_utc_is_upcoming() {
        assert_eq!(
            next("rate(1 day)", "Europe/Berlin", "2026-03-28T11:00:00Z", 2),
            ["2026-03-29T13:00:00+02:00", "2026-03-30T13:00:00+02:00"]
        );
        let cron = Schedule::parse("0 0 L * ? *").unwrap();
        let utc: Vec<DateTime<Utc>> = cron
            .upcoming_in(Tz::UTC, at("2026-11-25T07:43:00Z"), 5)
            .iter()
            .map(|t| t.with_timezone(&Utc))
            .collect();
        assert_eq!(utc, cron.upcoming(at("2026-11-25T07:43:00Z"), 5));
        assert!(cron
            .upcoming_in(Tz::Pacific__Kiritimati, DateTime::<Utc>::MAX_UTC, 5)
            .is_empty());
    }

    #[test]
    fn one_time_schedules_in_a_zone() {
        let berlin = "Europe/Berlin";
        let after = "2026-01-01T00:00:00Z";
        assert_eq!(
            next("at(2026-06-01T09:00:00)", berlin, after, 5),
            ["2026-06-01T09:00:00+02:00"]
        );
        assert_eq!(
            next("at(2026-10-25T02:30:00)", berlin, after, 5),
            ["2026-10-25T02:30:00+02:00"]
        );
        assert!(next("at(2026-03-29T02:30:00)", berlin, after, 5).is_empty());
        assert!(next("at(2026-06-01T09:00:00)", berlin, "2026-06-01T07:00:00Z", 5).is_empty());
    }

    #[test]
    fn zones_are_iana_names_and_unknown_ones_get_the_nearest() {
        assert_eq!(parse_zone("Europe/Berlin").unwrap(), Tz::Europe__Berlin);
        assert_eq!(parse_zone("UTC").unwrap(), Tz::UTC);
        for (bad, fix) in [
            (
                "europe/berlin",
                "write Europe/Berlin: zone names are case-sensitive",
            ),
            ("Berlin", "the closest are Europe/Berlin"),
            ("America/New York", "the closest are America/New_York"),
            ("Europe/Berln", "the closest are Europe/Berlin"),
            ("Asia/Calcuta", "Asia/Calcutta"),
        ] {
            let invalid = parse_zone(bad).unwrap_err();
            assert!(invalid.problem.contains(&format!("`{bad}`")), "{bad}");
            assert!(invalid.fix.contains(fix), "{bad}: {}", invalid.fix);
        }
    }
}
