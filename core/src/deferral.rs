//! A scheduled run that finds its file system busy is deferred, not dropped.
//!
//! FSx runs one data repository task per file system at a time. A run of a schedule that finds
//! one still running (or that FSx answers with DataRepositoryTaskExecuting) arranges to try its
//! slot again: the function creates a one-time EventBridge Scheduler schedule (`at(...)`, in the
//! stack's group, deleted after it runs) that invokes it with the same event, its context
//! attributes written out (so the slot's token, and with it the task FSx creates at most once,
//! stay the same) and a [`DEFERRAL`] object saying which try it is. The tries back off
//! ([`delay`]) until the schedule's bound, [`MAX_DEFER_MINUTES`] after the scheduled time; a
//! try that would come later gives the slot up (the SkippedRuns metric).
//!
//! ```json
//! {"Schedule": "nightly-export", ..., "MaxDeferMinutes": 1440,
//!  "ScheduledTime": "2026-11-25T22:00:00Z",
//!  "ScheduleArn": "arn:aws:scheduler:eu-central-1:123456789012:schedule/G/nightly-export",
//!  "Deferral": {"Attempt": 2, "Since": "2026-11-25T22:00:00Z", "Until": "2026-11-26T22:00:00Z"}}
//! ```

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::Invalid;

/// The schedule's bound, in minutes after its scheduled time (0: never defer). fsx-drt deploy
/// writes it into every schedule's input: the definition's, else until the schedule's next
/// run, at most [`MAX_BOUND_MINUTES`].
pub const MAX_DEFER_MINUTES: &str = "MaxDeferMinutes";
/// Which try a deferred run is: `{"Attempt", "Since", "Until"}`.
pub const DEFERRAL: &str = "Deferral";
/// A day: no slot is kept longer.
pub const MAX_BOUND_MINUTES: u32 = 1440;
/// The one-time schedules of deferred runs are named `fsx-drt-defer-...` in the stack's group:
/// `status` and `tasks` list them by this prefix, the function's role may create only these.
pub const NAME_PREFIX: &str = "fsx-drt-defer-";

/// The first try comes 5 minutes after the busy one, then 10, 20, and every 30 after that.
pub fn delay(attempt: u32) -> Duration {
    Duration::minutes((5i64 << attempt.min(3)).min(30))
}

/// Where a deferred slot stands: its try, since when, and when it is given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deferral {
    /// 0 for the scheduled run itself, 1 for the first retry, ...
    pub attempt: u32,
    /// The slot's scheduled time.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

/// What a busy run does with its slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time, as this try.
    TryAt(DateTime<Utc>, Deferral),
    /// The bound has passed (or would before the next try): the slot is given up.
    GiveUp,
}

impl Deferral {
    /// The scheduled run's own state: try 0, bound `max_minutes` after the scheduled time.
    pub fn first(scheduled: DateTime<Utc>, max_minutes: u32) -> Deferral {
        Deferral {
            attempt: 0,
            since: scheduled,
            until: scheduled + Duration::minutes(max_minutes.min(MAX_BOUND_MINUTES).into()),
        }
    }

    /// The next try after a busy one at `now`.
    pub fn next(&self, now: DateTime<Utc>) -> Next {
        let at = now + delay(self.attempt);
        if at > self.until {
            return Next::GiveUp;
        }
        Next::TryAt(
            at,
            Deferral {
                attempt: self.attempt + 1,
                ..self.clone()
            },
        )
    }

    /// The name of the one-time schedule for this try of the slot with `token`: unique per
    /// slot and try, at most 64 characters.
    pub fn schedule_name(&self, token: &str) -> String {
        let key = token.trim_start_matches("slot-");
        format!(
            "{NAME_PREFIX}{}-{}",
            &key[..key.len().min(40)],
            self.attempt
        )
    }

    /// The one-time schedule's input: the run's event with this try's state.
    pub fn input(&self, event: &Value) -> Value {
        let mut input = event.clone();
        if let Some(object) = input.as_object_mut() {
            object.insert(
                DEFERRAL.into(),
                json!({
                    "Attempt": self.attempt,
                    "Since": time(self.since),
                    "Until": time(self.until),
                }),
            );
        }
        input
    }

    /// The state an event carries: none for a run that was never deferred.
    pub fn read(event: &Value) -> Result<Option<Deferral>, Invalid> {
        let Some(value) = event.get(DEFERRAL).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let bad = || {
            Invalid::new(
                format!("{DEFERRAL} is not {{\"Attempt\": N, \"Since\": TIME, \"Until\": TIME}}: {value}"),
                "leave Deferral to the function: it writes it into the schedules it creates",
            )
        };
        let at = |field: &str| {
            value[field]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let attempt = value["Attempt"]
            .as_u64()
            .and_then(|a| u32::try_from(a).ok());
        match (attempt, at("Since"), at("Until")) {
            (Some(attempt), Some(since), Some(until)) => Ok(Some(Deferral {
                attempt,
                since,
                until,
            })),
            _ => Err(bad()),
        }
    }
}

/// `MaxDeferMinutes`: a whole number of minutes, 0 to a day.
pub fn parse_max_defer_minutes(value: &str) -> Result<u32, Invalid> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|m| *m <= MAX_BOUND_MINUTES)
        .ok_or_else(|| {
            Invalid::new(
                format!("not a whole number of minutes from 0 to {MAX_BOUND_MINUTES}"),
                "give how long a busy run may wait for its file system, e.g. 120 (0: never)",
            )
        })
}

/// The default bound for a schedule whose next run comes `gap` after this one: until then,
/// at most a day, at least a minute less than the gap (so two tries of one schedule never
/// overlap its next slot).
pub fn default_bound(gap: Duration) -> u32 {
    let minutes = (gap.num_minutes() - 1).clamp(0, MAX_BOUND_MINUTES.into());
    u32::try_from(minutes).unwrap_or(MAX_BOUND_MINUTES)
}

/// An `at()` expression's time: `yyyy-mm-ddThh:mm:ss`, in the schedule's time zone (UTC).
pub fn at_expression(at: DateTime<Utc>) -> String {
    format!("at({})", at.format("%Y-%m-%dT%H:%M:%S"))
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap()
    }

    #[test]
    fn tries_back_off_to_every_half_hour() {
        let minutes: Vec<i64> = (0..6).map(|a| delay(a).num_minutes()).collect();
        assert_eq!(minutes, [5, 10, 20, 30, 30, 30]);
    }

    #[test]
    fn a_busy_slot_is_tried_again_until_its_bound_then_given_up() {
        let mut state = Deferral::first(at(22, 0), 60);
        assert_eq!(state.until, at(23, 0));
        let mut now = at(22, 0);
        let mut tries = Vec::new();
        while let Next::TryAt(when, next) = state.next(now) {
            tries.push(when);
            assert_eq!((next.since, next.until), (at(22, 0), at(23, 0)));
            state = next;
            now = when;
        }
        assert_eq!(tries, [at(22, 5), at(22, 15), at(22, 35)]);
        assert_eq!(state.attempt, 3);
        // The fourth try would be at 23:05, past the bound.
        assert_eq!(state.next(at(22, 35)), Next::GiveUp);
        // A bound of 0: never deferred.
        assert_eq!(Deferral::first(at(22, 0), 0).next(at(22, 0)), Next::GiveUp);
        // Never longer than a day.
        assert_eq!(
            Deferral::first(at(22, 0), 5000).until,
            at(22, 0) + Duration::days(1)
        );
    }

    #[test]
    fn the_state_travels_in_the_event_and_names_the_schedule() {
        let event = json!({"Schedule": "nightly-export", "ScheduledTime": "2026-11-25T22:00:00Z"});
        let state = Deferral {
            attempt: 2,
            since: at(22, 0),
            until: at(23, 0),
        };
        let input = state.input(&event);
        assert_eq!(input["Schedule"], "nightly-export");
        assert_eq!(
            input[DEFERRAL],
            json!({"Attempt": 2, "Since": "2026-11-25T22:00:00Z", "Until": "2026-11-25T23:00:00Z"})
        );
        assert_eq!(Deferral::read(&input), Ok(Some(state.clone())));
        assert_eq!(Deferral::read(&event), Ok(None));
        assert!(Deferral::read(&json!({"Deferral": {"Attempt": "x"}})).is_err());
        let token = format!("slot-{}", "ab".repeat(24));
        let name = state.schedule_name(&token);
        assert_eq!(name, format!("{NAME_PREFIX}{}-2", "ab".repeat(20)));
        assert!(name.len() <= 64, "{name}");
        assert_eq!(at_expression(at(22, 5)), "at(2026-11-25T22:05:00)");
    }

    #[test]
    fn bounds_are_minutes_up_to_a_day() {
        assert_eq!(parse_max_defer_minutes("120"), Ok(120));
        assert_eq!(parse_max_defer_minutes("0"), Ok(0));
        assert!(parse_max_defer_minutes("1441").is_err());
        assert!(parse_max_defer_minutes("-1").is_err());
        assert!(parse_max_defer_minutes("1.5").is_err());
        assert_eq!(default_bound(Duration::hours(1)), 59);
        assert_eq!(default_bound(Duration::days(7)), 1440);
        assert_eq!(default_bound(Duration::minutes(1)), 0);
    }
}
