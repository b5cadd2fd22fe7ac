//! Order between schedules: a schedule with `After: other` (a release after the night's
//! export, say) runs its slot only once the other schedule's task for its current slot has
//! ended, and only if it SUCCEEDED; while that task is pending, running, or not created yet,
//! the run waits (deferred like a run that finds the file system busy); when it ended any
//! other way, the slot is given up with the reason.
//!
//! The other schedule's *current slot* is its slot in the window `(T - W, T]`, where T is this
//! run's scheduled time and W the other schedule's shortest gap between runs (deploy writes
//! it, in minutes): its slots are at least W apart, so at most one lies in the window. Its
//! task for that slot is known by the tags the function gives every scheduled task: the
//! schedule ([`crate::SCHEDULE_TAG`]) and the slot's minute ([`crate::SLOT_TAG`]). A
//! schedule whose runs are irregular (weekdays only, say) may have no slot in the window of a
//! run far from its last one: the run then waits until its bound and is given up, saying so.
//!
//! ```json
//! {"Schedule": "weekly-release", ..., "After": {"Schedule": "nightly-export", "WithinMinutes": 1440}}
//! ```

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::config::ScheduleName;
use crate::{lifecycle, Invalid};

/// The event field naming the schedule this one runs after.
pub const AFTER: &str = "After";

/// The schedule a run waits for, and its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub schedule: ScheduleName,
    /// The other schedule's shortest gap between runs.
    pub within: Duration,
}

/// One of the other schedule's tasks, as the function sees it: its slot (from its tag) and
/// where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOfSlot {
    pub task_id: String,
    pub slot: DateTime<Utc>,
    pub lifecycle: String,
    pub failed_files: i64,
}

/// What a run does about the schedule it comes after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Its task for the current slot SUCCEEDED with no failed files: run.
    Go,
    /// Not there yet, or still running: wait (defer), for the reason given.
    Wait(String),
    /// It ended otherwise: give the slot up, for the reason given.
    GiveUp(String),
}

impl After {
    /// The input deploy renders.
    pub fn input(&self) -> Value {
        json!({"Schedule": self.schedule.as_str(), "WithinMinutes": self.within.num_minutes()})
    }

    /// Reads the event's `After`; none when it has none.
    pub fn read(event: &Value) -> Result<Option<After>, Invalid> {
        let Some(value) = event.get(AFTER).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let bad = || {
            Invalid::new(
                format!("{AFTER} is not {{\"Schedule\": NAME, \"WithinMinutes\": N}}: {value}"),
                "write After in the schedule's definition (After: other-schedule); deploy renders it",
            )
        };
        let schedule = value["Schedule"]
            .as_str()
            .and_then(|s| ScheduleName::parse(s).ok())
            .ok_or_else(bad)?;
        let within = value["WithinMinutes"]
            .as_i64()
            .filter(|m| *m > 0)
            .ok_or_else(bad)?;
        Ok(Some(After {
            schedule,
            within: Duration::minutes(within),
        }))
    }

    /// The verdict for a run scheduled at `scheduled`, given the other schedule's tasks.
    pub fn verdict(&self, scheduled: DateTime<Utc>, tasks: &[TaskOfSlot]) -> Verdict {
        let name = self.schedule.as_str();
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC");
        let current = tasks
            .iter()
            .filter(|t| t.slot > scheduled - self.within && t.slot <= scheduled)
            .max_by_key(|t| t.slot);
        let Some(task) = current else {
            return Verdict::Wait(format!(
                "waiting for {name}: it has no task yet for a slot in the {} minutes up to {}",
                self.within.num_minutes(),
                at(scheduled)
            ));
        };
        let of = format!("{name}'s task {} (slot {})", task.task_id, at(task.slot));
        if lifecycle::is_running(&task.lifecycle) {
            return Verdict::Wait(format!("waiting for {of}: it is {}", task.lifecycle));
        }
        if lifecycle::ended_badly(&task.lifecycle, task.failed_files) {
            let how = match task.failed_files {
                0 => task.lifecycle.clone(),
                n => format!("{} with {n} failed files", task.lifecycle),
            };
            return Verdict::GiveUp(format!("{of} ended {how}, so this run does not follow it"));
        }
        Verdict::Go
    }
}

/// The slot tag's value: the scheduled minute, `2026-11-25T22:00Z`.
pub fn slot_tag(scheduled: DateTime<Utc>) -> String {
    scheduled.format("%Y-%m-%dT%H:%MZ").to_string()
}

/// Reads a slot tag back.
pub fn parse_slot_tag(value: &str) -> Option<DateTime<Utc>> {
    chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%MZ")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn task(id: &str, slot: DateTime<Utc>, lifecycle: &str, failed: i64) -> TaskOfSlot {
        TaskOfSlot {
            task_id: id.into(),
            slot,
            lifecycle: lifecycle.into(),
            failed_files: failed,
        }
    }

    fn nightly() -> After {
        After {
            schedule: ScheduleName::parse("nightly-export").unwrap(),
            within: Duration::hours(24),
        }
    }

    #[test]
    fn a_run_follows_the_other_schedule_s_task_for_its_current_slot() {
        let after = nightly();
        // Release Sunday 23:00; export nightly at 22:00.
        let sunday = at(29, 23);
        let yesterday = task("task-sat", at(28, 22), "SUCCEEDED", 0);
        let tonight =
            |lifecycle: &str, failed: i64| task("task-sun", at(29, 22), lifecycle, failed);
        assert_eq!(
            after.verdict(sunday, &[yesterday.clone(), tonight("SUCCEEDED", 0)]),
            Verdict::Go
        );
        for running in ["PENDING", "EXECUTING"] {
            let v = after.verdict(sunday, &[yesterday.clone(), tonight(running, 0)]);
            assert!(
                matches!(&v, Verdict::Wait(why) if why.contains(running)),
                "{v:?}"
            );
        }
        let v = after.verdict(sunday, &[yesterday.clone(), tonight("FAILED", 0)]);
        assert!(
            matches!(&v, Verdict::GiveUp(why) if why.contains("task-sun") && why.contains("FAILED")),
            "{v:?}"
        );
        let v = after.verdict(sunday, &[tonight("SUCCEEDED", 3)]);
        assert!(
            matches!(&v, Verdict::GiveUp(why) if why.contains("3 failed files")),
            "{v:?}"
        );
        // Tonight's export not created yet (deferred, say): yesterday's does not count.
        let v = after.verdict(sunday, std::slice::from_ref(&yesterday));
        assert!(
            matches!(&v, Verdict::Wait(why) if why.contains("no task yet")),
            "{v:?}"
        );
        // Both at 22:00: the export's slot of this very minute is the current one.
        let v = after.verdict(at(29, 22), &[yesterday]);
        assert!(matches!(v, Verdict::Wait(_)), "{v:?}");
        assert_eq!(
            after.verdict(at(29, 22), &[tonight("SUCCEEDED", 0)]),
            Verdict::Go
        );
    }

    #[test]
    fn after_and_slot_tags_travel_as_text() {
        let after = nightly();
        let event = json!({"After": after.input()});
        assert_eq!(After::read(&event), Ok(Some(after)));
        assert_eq!(After::read(&json!({})), Ok(None));
        assert!(After::read(&json!({"After": "nightly-export"})).is_err());
        assert!(After::read(&json!({"After": {"Schedule": "x", "WithinMinutes": 0}})).is_err());
        assert_eq!(slot_tag(at(29, 22)), "2026-11-29T22:00Z");
        assert_eq!(parse_slot_tag("2026-11-29T22:00Z"), Some(at(29, 22)));
        assert_eq!(parse_slot_tag("yesterday"), None);
    }
}
