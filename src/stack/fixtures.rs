//! Events and resource types the stack modules' tests share.

use chrono::{DateTime, TimeZone, Utc};

use super::events::StackEvent;

/// An event at 12:00:00 UTC plus `secs` (and `millis`).
pub(super) fn at(secs: u32, millis: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
        + chrono::Duration::seconds(secs.into())
        + chrono::Duration::milliseconds(millis.into())
}

pub(super) fn ev(
    secs: u32,
    logical_id: &str,
    ty: &str,
    status: &str,
    reason: Option<&str>,
) -> StackEvent {
    StackEvent {
        event_id: format!("{logical_id}-{status}-{secs}"),
        timestamp: at(secs, 0),
        logical_id: logical_id.to_string(),
        resource_type: ty.to_string(),
        status: status.to_string(),
        reason: reason.map(str::to_string),
        physical_id: None,
        client_request_token: None,
    }
}

pub(super) const STACK: &str = "fsx-drt-scheduler";
pub(super) const ROLE: &str = "AWS::IAM::Role";
pub(super) const FUNCTION: &str = "AWS::Lambda::Function";
pub(super) const RULE: &str = "AWS::Events::Rule";
