//! Release when space runs low: `ReleaseWhenFreeBelowPercent: 20` at the top of a definition
//! makes an alarm on the file system's free data storage whose ALARM runs a release, with the
//! settings (paths, ReleaseAfterDays, report path, MaxDeferMinutes) of the definition's one
//! Release schedule, or of the one `ReleaseWhenFreeBelowSchedule` names when it has several.
//! A Release schedule that should only serve the alarm can be `Enabled: false`.

use fsx_drt_core::{Invalid, TaskType};

use super::rules::sourced;
use super::ScheduleSpec;
use crate::params::{Problem, Source};

pub const PERCENT: &str = "ReleaseWhenFreeBelowPercent";
pub const SCHEDULE: &str = "ReleaseWhenFreeBelowSchedule";

/// The two keys ([`PERCENT`], [`SCHEDULE`]) as the file (or the stack) gives them.
pub type Draft = std::collections::BTreeMap<&'static str, (String, Source)>;

/// A checked capacity release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityRelease {
    /// 1 to 99: the alarm fires below this share of the file system's storage capacity.
    pub percent: u32,
    /// The Release schedule whose settings the release runs with.
    pub schedule: String,
}

impl CapacityRelease {
    /// The alarm's threshold in bytes for a file system of `storage_gib` GiB (FSx's
    /// StorageCapacity), as FreeDataStorageCapacity counts them.
    pub fn threshold_bytes(&self, storage_gib: u64) -> u64 {
        storage_gib * (1 << 30) * u64::from(self.percent) / 100
    }
}

/// The capacity release of a definition whose schedules are `schedules` (those that passed
/// their own rules); every problem names its key and value.
pub fn check(
    draft: &Draft,
    schedules: &[ScheduleSpec],
) -> Result<Option<CapacityRelease>, Vec<Problem>> {
    let Some((text, source)) = draft.get(PERCENT) else {
        return match draft.get(SCHEDULE) {
            Some((name, source)) => Err(vec![sourced(
                SCHEDULE,
                name,
                source,
                Invalid::new(
                    format!("{SCHEDULE} names the release the capacity alarm runs, and there is no {PERCENT}"),
                    format!("add {PERCENT}: 20 (release below 20% free), or remove {SCHEDULE}"),
                ),
            )]),
            None => Ok(None),
        };
    };
    let percent = match text.trim().parse::<u32>() {
        Ok(p) if (1..=99).contains(&p) => p,
        _ => {
            return Err(vec![sourced(
                PERCENT,
                text,
                source,
                Invalid::new(
                    "the share of free storage below which a release runs is a whole percentage from 1 to 99",
                    format!("write e.g. {PERCENT}: 20, or remove the key for no capacity alarm"),
                ),
            )])
        }
    };
    let mut releases: Vec<&str> = schedules
        .iter()
        .filter(|s| s.task_type == TaskType::Release)
        .map(|s| s.name.as_str())
        .collect();
    releases.sort_unstable();
    let schedule = match (draft.get(SCHEDULE), releases.as_slice()) {
        (Some((name, source)), _) => {
            let Some(named) = schedules.iter().find(|s| s.name == *name) else {
                return Err(vec![sourced(
                    SCHEDULE,
                    name,
                    source,
                    Invalid::new(
                        format!("the definition has no schedule named {name}"),
                        names_fix(&releases),
                    ),
                )]);
            };
            if named.task_type != TaskType::Release {
                return Err(vec![sourced(
                    SCHEDULE,
                    name,
                    source,
                    Invalid::new(
                        format!(
                            "{name} is an {} schedule; the capacity alarm runs a Release",
                            named.task_type.name()
                        ),
                        names_fix(&releases),
                    ),
                )]);
            }
            name.clone()
        }
        (None, [one]) => one.to_string(),
        (None, _) => {
            return Err(vec![sourced(
                PERCENT,
                text,
                source,
                Invalid::new(
                    format!(
                        "the capacity alarm runs a Release schedule's release, and the definition has {}",
                        match releases.len() {
                            0 => "none".to_string(),
                            n => format!("{n} ({})", releases.join(", ")),
                        }
                    ),
                    names_fix(&releases),
                ),
            )]);
        }
    };
    Ok(Some(CapacityRelease { percent, schedule }))
}

/// The template parameter CapacityRelease for `release` among `schedules`: the schedule's
/// target input (`input`, its slot fields left out, as the function reads it from
/// CAPACITY_RELEASE) with the percentage, which deploy without a file reads back.
pub fn settings(release: &CapacityRelease, input: &serde_json::Value) -> String {
    let mut settings = input.as_object().cloned().unwrap_or_default();
    for slot in [
        fsx_drt_core::event::SCHEDULED_TIME,
        fsx_drt_core::event::SCHEDULE_ARN,
    ] {
        settings.remove(slot);
    }
    settings.insert(PERCENT.into(), release.percent.into());
    serde_json::Value::Object(settings).to_string()
}

/// The keys as a stack's CapacityRelease parameter holds them: what deploy without a file
/// keeps.
pub fn from_stack(parameters: &[(String, String)]) -> Draft {
    let settings = parameters
        .iter()
        .find(|(k, _)| k == crate::template::CAPACITY_RELEASE)
        .and_then(|(_, v)| serde_json::from_str::<serde_json::Value>(v).ok())
        .unwrap_or_default();
    let text = |key: &str| match &settings[key] {
        serde_json::Value::String(s) => Some((s.clone(), Source::Stack)),
        serde_json::Value::Number(n) => Some((n.to_string(), Source::Stack)),
        _ => None,
    };
    let found = [
        (PERCENT, text(PERCENT)),
        (SCHEDULE, text(fsx_drt_core::event::SCHEDULE)),
    ];
    (found.into_iter())
        .filter_map(|(key, value)| Some((key, value?)))
        .collect()
}

fn names_fix(releases: &[&str]) -> String {
    match releases {
        [] => {
            "add a schedule with TaskType: Release (Enabled: false if only the alarm should run it)"
                .into()
        }
        _ => format!(
            "set {SCHEDULE} to one of the Release schedules: {}",
            releases.join(", ")
        ),
    }
}
