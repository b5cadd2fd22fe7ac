//! status on the capacity alarm (ReleaseWhenFreeBelowPercent): the threshold, the file
//! system's free data storage now, the alarm's state and the release it runs. The alarm in
//! ALARM is no problem of the stack: it means a release is under way.

use std::fmt;

use serde::Serialize;

use crate::aws::{Aws, FreeStorage, StackView};
use crate::definition::capacity;
use crate::error::Failure;
use crate::params::Param;
use crate::template::FREE_CAPACITY_ALARM_BYTES;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Capacity {
    pub free_below_percent: Option<u32>,
    /// The Release schedule whose settings the release runs with.
    pub release_schedule: Option<String>,
    pub threshold_bytes: u64,
    /// The latest FreeDataStorageCapacity datapoint (none in the last 15 minutes: unknown).
    pub free_bytes: Option<f64>,
    pub measured_at: Option<String>,
    /// Why the free storage could not be read (status goes on without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_unread: Option<String>,
    pub alarm_name: Option<String>,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub alarm_state: Option<String>,
}

/// The stack's capacity alarm, as its parameters, outputs and CloudWatch say; none without
/// one.
pub async fn of(aws: &Aws, stack: &StackView) -> Result<Option<Capacity>, Failure> {
    let Some(mut capacity) = configured(&stack.parameters, &stack.outputs.0) else {
        return Ok(None);
    };
    if let Some(fs) = stack.parameter(Param::FileSystemId.key()) {
        match aws.free_storage(fs).await {
            Ok(free) => {
                capacity.free_bytes = free.as_ref().map(|f| f.bytes);
                capacity.measured_at = free.map(|FreeStorage { at, .. }| at);
            }
            Err(e) => capacity.free_unread = Some(e.to_string()),
        }
    }
    if let Some(name) = capacity.alarm_name.clone() {
        let states = aws.alarm_states(vec![name]).await?;
        capacity.alarm_state = states.into_iter().next().map(|(_, state)| state);
    }
    Ok(Some(capacity))
}

/// What the stack's parameters and outputs say, before CloudWatch is asked.
pub fn configured(
    parameters: &[(String, String)],
    outputs: &[(String, String)],
) -> Option<Capacity> {
    let threshold_bytes = (parameters.iter())
        .find(|(k, _)| k == FREE_CAPACITY_ALARM_BYTES)
        .and_then(|(_, b)| b.parse::<u64>().ok())
        .filter(|b| *b > 0)?;
    let settings = capacity::from_stack(parameters);
    Some(Capacity {
        free_below_percent: (settings.get(capacity::PERCENT)).and_then(|(p, _)| p.parse().ok()),
        release_schedule: settings.get(capacity::SCHEDULE).map(|(s, _)| s.clone()),
        threshold_bytes,
        free_bytes: None,
        measured_at: None,
        free_unread: None,
        alarm_name: (outputs.iter())
            .find(|(k, _)| k == fsx_drt_core::outputs::FREE_CAPACITY_ALARM_NAME)
            .map(|(_, v)| v.clone()),
        alarm_state: None,
    })
}

fn gib(bytes: f64) -> String {
    format!("{:.1} GiB", bytes / f64::from(1u32 << 30))
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Release when space runs low:")?;
        let percent = self
            .free_below_percent
            .map_or(String::new(), |p| format!("{p}%, "));
        let release = self
            .release_schedule
            .as_deref()
            .map_or(String::new(), |s| format!(" runs {s}'s release"));
        let threshold = gib(self.threshold_bytes as f64);
        writeln!(f, "  free below {percent}{threshold}{release}")?;
        match (&self.free_bytes, &self.measured_at, &self.free_unread) {
            (Some(bytes), Some(at), _) => writeln!(f, "  free now {} (at {at})", gib(*bytes))?,
            (_, _, Some(why)) => writeln!(f, "  free now: unknown ({why})")?,
            _ => writeln!(
                f,
                "  free now: unknown (no FreeDataStorageCapacity datapoint in the last 15 minutes)"
            )?,
        }
        let state = self.alarm_state.as_deref().unwrap_or("not found");
        let name = self.alarm_name.as_deref().unwrap_or("");
        writeln!(f, "  alarm {state}  {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(parameters: &[(&str, &str)], outputs: &[(&str, &str)]) -> Option<Capacity> {
        let pairs = |list: &[(&str, &str)]| {
            (list.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        configured(&pairs(parameters), &pairs(outputs))
    }

    #[test]
    fn the_threshold_the_release_and_free_storage_in_words() {
        let release = r#"{"Schedule":"weekly-release","TaskType":"Release","ReleaseWhenFreeBelowPercent":20}"#;
        let mut capacity = stack(
            &[
                (FREE_CAPACITY_ALARM_BYTES, "257698037760"),
                (crate::template::CAPACITY_RELEASE, release),
            ],
            &[("FreeCapacityAlarmName", "fsx-drt-free-capacity")],
        )
        .unwrap();
        assert_eq!(capacity.free_below_percent, Some(20));
        assert_eq!(capacity.release_schedule.as_deref(), Some("weekly-release"));
        assert_eq!(
            capacity.alarm_name.as_deref(),
            Some("fsx-drt-free-capacity")
        );
        capacity.free_bytes = Some(193_273_528_320.0);
        capacity.measured_at = Some("2026-11-25T06:15:00Z".into());
        capacity.alarm_state = Some("ALARM".into());
        assert_eq!(
            capacity.to_string(),
            "Release when space runs low:\n  free below 20%, 240.0 GiB runs weekly-release's release\n  free now 180.0 GiB (at 2026-11-25T06:15:00Z)\n  alarm ALARM  fsx-drt-free-capacity\n"
        );
        let json = serde_json::to_value(&capacity).unwrap();
        assert_eq!(json["threshold_bytes"], 257_698_037_760u64);
        assert_eq!(json["alarm_state"], "ALARM");
        // No threshold (0, or a stack made before capacity alarms): nothing to show.
        assert_eq!(stack(&[(FREE_CAPACITY_ALARM_BYTES, "0")], &[]), None);
        assert_eq!(stack(&[], &[]), None);
    }
}
