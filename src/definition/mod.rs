//! A stack's definition: the stack-wide values and one or more named schedules.
//!
//! The parameters file grows a `Schedules` map of names to schedules, each with the
//! reference's schedule keys (TaskType, Paths, Schedule, TaskCompletionReportPath,
//! ReleaseAfterDays) and Scheduler's own (Timezone, StartDate, EndDate,
//! FlexibleWindowMinutes, Enabled); FileSystemId, EmailAddress, LogRetentionDays and
//! FollowUpCapMinutes stay at the top level. A flat file (the reference's parameters.json, or a map without
//! `Schedules`), flags, `FSX_DRT_*` variables and prompts still work unchanged: they define
//! one schedule named [`DEFAULT_NAME`] (or `--schedule-name`).
//!
//! Each value's rule has one home: the template parameters are checked by
//! [`crate::params::validate`], the rest in `rules`. Pure: no I/O, no AWS; `now` is passed in.

pub mod capacity;
mod file;
mod merge;
mod order;
mod rules;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fsx_drt_core::{FileSystemId, FsPath, ReportPath, TaskType};

use crate::params::{Param, Parameters};
use crate::schedule::Schedule;

pub use file::{read, FileDefinition, FileSchedule};
pub use merge::{Draft, DraftSchedule};
pub use rules::{parse_timezone, validate, validate_name};

/// The name of the one schedule a flat definition (flags, the reference's file) makes.
pub const DEFAULT_NAME: &str = "default";
/// The most schedules one stack holds: each is a template resource, and the template must
/// stay under CloudFormation's size limit.
pub const MAX_SCHEDULES: usize = 50;
/// The key of the schedules map in the parameters file.
pub const SCHEDULES: &str = "Schedules";
/// The key of the stack's tags in the parameters file (no template parameter: they go on
/// the change set, as `--tags` do).
pub const TAGS: &str = "Tags";

/// Template parameters that belong to each schedule; the others are stack-wide.
pub fn is_schedule_param(param: Param) -> bool {
    !matches!(
        param,
        Param::FileSystemId
            | Param::EmailAddress
            | Param::LogRetentionDays
            | Param::AlarmTopicArn
            | Param::FollowUpCapMinutes
    )
}

/// A schedule's keys that are no template parameter: EventBridge Scheduler's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extra {
    Timezone,
    StartDate,
    EndDate,
    FlexibleWindowMinutes,
    Enabled,
    MaxDeferMinutes,
    After,
}

impl Extra {
    pub const ALL: [Extra; 7] = [
        Extra::Timezone,
        Extra::StartDate,
        Extra::EndDate,
        Extra::FlexibleWindowMinutes,
        Extra::Enabled,
        Extra::MaxDeferMinutes,
        Extra::After,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Extra::Timezone => "Timezone",
            Extra::StartDate => "StartDate",
            Extra::EndDate => "EndDate",
            Extra::FlexibleWindowMinutes => "FlexibleWindowMinutes",
            Extra::Enabled => "Enabled",
            Extra::MaxDeferMinutes => "MaxDeferMinutes",
            Extra::After => "After",
        }
    }

    pub fn from_key(key: &str) -> Option<Extra> {
        Extra::ALL.into_iter().find(|e| e.key() == key)
    }
}

/// A checked definition, ready to deploy.
#[derive(Debug, Clone)]
pub struct Definition {
    pub file_system_id: FileSystemId,
    /// The first is the template's EmailAddress; none when the alarms go to a team topic.
    pub email_addresses: Vec<String>,
    /// The team's SNS topic the alarms publish to, instead of the stack's own.
    pub alarm_topic_arn: Option<String>,
    pub log_retention_days: u32,
    /// FollowUpCapMinutes: the longest wait between two follow-up checks of a task.
    pub follow_up_cap: fsx_drt_core::followup::Cap,
    /// Sorted by name; names are unique ignoring case.
    pub schedules: Vec<ScheduleSpec>,
    /// ReleaseWhenFreeBelowPercent: the capacity alarm and the release it runs.
    pub capacity_release: Option<capacity::CapacityRelease>,
}

/// One checked schedule.
#[derive(Debug, Clone)]
pub struct ScheduleSpec {
    pub name: String,
    pub task_type: TaskType,
    pub paths: Vec<FsPath>,
    pub expression: Schedule,
    /// The zone the expression's fields are in (default UTC).
    pub timezone: Tz,
    pub report_path: ReportPath,
    /// Only for Release tasks.
    pub release_after_days: Option<u32>,
    pub start_date: Option<DateTime<Utc>>,
    pub end_date: Option<DateTime<Utc>>,
    /// `None`: Scheduler's FlexibleTimeWindow is OFF.
    pub flexible_window_minutes: Option<u32>,
    pub enabled: bool,
    /// How long a run that finds the file system busy is deferred, in minutes after its
    /// scheduled time (0: never); given, or until the schedule's next run, at most a day.
    pub max_defer_minutes: u32,
    /// The schedule whose task of its current slot this one waits for.
    pub after: Option<String>,
}

impl ScheduleSpec {
    /// StartDate as Scheduler takes it (ISO 8601, UTC).
    pub fn start_date_iso(&self) -> Option<String> {
        self.start_date.as_ref().map(iso8601)
    }

    /// EndDate as Scheduler takes it (ISO 8601, UTC).
    pub fn end_date_iso(&self) -> Option<String> {
        self.end_date.as_ref().map(iso8601)
    }

    /// The expression in words, in the schedule's zone.
    pub fn describe(&self) -> String {
        self.expression.describe_in(self.timezone.name())
    }

    /// The shortest time between two of its coming runs in its zone (none for one run):
    /// what bounds a deferral by default, and the window of a schedule waiting After it.
    pub fn shortest_gap(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let runs = self.upcoming(now, crate::template::GAP_RUNS);
        runs.windows(2).map(|pair| pair[1] - pair[0]).min()
    }

    /// The next `count` fire times after `after`: the expression's fields read in the
    /// schedule's zone (a local time that does not exist at a DST change is skipped, one
    /// that happens twice counts once), clipped to StartDate and EndDate.
    pub fn upcoming(&self, after: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        // A run at StartDate itself counts.
        let after = match self.start_date {
            Some(start) if start > after => start - chrono::TimeDelta::seconds(1),
            _ => after,
        };
        let mut times: Vec<DateTime<Utc>> = self
            .expression
            .upcoming_in(self.timezone, after, count)
            .iter()
            .map(|t| t.with_timezone(&Utc))
            .collect();
        times.retain(|t| self.end_date.is_none_or(|end| *t <= end));
        times
    }
}

pub(crate) fn iso8601(time: &DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Definition {
    /// Two enabled schedules due in the same minute among each one's next 50 runs, in words
    /// (see [`crate::schedule::first_clash`]).
    pub fn same_minute_warning(&self, now: DateTime<Utc>) -> Option<String> {
        let runs: Vec<(&str, Vec<DateTime<Utc>>)> = self
            .schedules
            .iter()
            .filter(|s| s.enabled)
            .map(|s| (s.name.as_str(), s.upcoming(now, 50)))
            .collect();
        crate::schedule::clash_warning(&runs)
    }

    /// One schedule's values as the reference template's parameters.
    pub fn parameters(&self, schedule: &ScheduleSpec) -> Parameters {
        Parameters {
            file_system_id: self.file_system_id.clone(),
            schedule: schedule.expression.clone(),
            paths: schedule.paths.clone(),
            task_type: schedule.task_type,
            report_path: schedule.report_path.clone(),
            email: self.email_addresses.first().cloned().unwrap_or_default(),
            alarm_topic_arn: self.alarm_topic_arn.clone(),
            release_after_days: schedule.release_after_days,
            log_retention_days: self.log_retention_days,
            follow_up_cap: self.follow_up_cap,
        }
    }
}

/// Where a key's problem is named: `Schedules.<name>.<key>` when the file has a `Schedules`
/// map, the bare key for a flat definition (as it always was).
pub fn place(mapped: bool, schedule: &str, key: &str) -> String {
    if mapped {
        format!("{SCHEDULES}.{schedule}.{key}")
    } else {
        key.to_string()
    }
}

/// The failure for these problems, in the words a flat definition always had.
pub fn invalid(draft: &Draft, problems: Vec<crate::params::Problem>) -> crate::error::Failure {
    let what = match draft.mapped {
        true => "the definition is invalid",
        false => "the parameters are invalid",
    };
    crate::error::Failure::invalid(what, problems)
}

/// A flat definition's values as a definition file (`--parameters-file` reads it back):
/// every parameter and the schedule's Timezone, in the parameter table's order.
pub fn flat_yaml(schedule: &merge::DraftSchedule) -> String {
    let mut map = serde_json::Map::new();
    for param in Param::ALL {
        if let Some((value, _)) = schedule.values.get(param) {
            map.insert(
                param.key().to_string(),
                serde_json::Value::String(value.clone()),
            );
        }
    }
    for (extra, (value, _)) in &schedule.extras {
        map.insert(
            extra.key().to_string(),
            serde_json::Value::String(value.clone()),
        );
    }
    format!(
        "# fsx-drt definition, saved by deploy --guided (fsx-drt deploy --parameters-file THIS)\n{}",
        serde_yaml::to_string(&map).expect("a map of strings serializes")
    )
}

#[cfg(test)]
mod tests;
