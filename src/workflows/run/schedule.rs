//! `run --schedule NAME`: which of the stack's schedules to run now, read back from its
//! template, and the event that runs it (the schedule's name and settings, no slot: a manual
//! run has a token of its own).

use serde_json::Value;

use crate::aws::{Aws, StackView};
use crate::error::{Exit, Failure};
use crate::template::{self, ScheduleResource};
use crate::workflows::no_such_schedule;

/// The schedule asked for; without a name, the stack's only schedule, or none for a stack on
/// an EventBridge rule (the reference's, or an earlier fsx-drt's), whose run is as before.
pub async fn chosen(
    aws: &Aws,
    stack: &StackView,
    name: Option<&str>,
) -> Result<Option<ScheduleResource>, Failure> {
    let by = stack.id.as_deref().unwrap_or(&stack.name);
    let mut schedules = template::deployed(&aws.stack_template(by).await?, &stack.parameters);
    let names = || {
        schedules
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => match schedules.iter().position(|s| s.name == name) {
            Some(i) => Ok(Some(schedules.swap_remove(i))),
            None => {
                let names: Vec<&str> = schedules.iter().map(|s| s.name.as_str()).collect();
                Err(no_such_schedule(&stack.name, name, &names))
            }
        },
        None if schedules.len() > 1 => Err(Failure::new(
            Exit::Invalid,
            format!(
                "stack {} has {} schedules; say which to run",
                stack.name,
                schedules.len()
            ),
            Some(format!("pass --schedule with one of: {}", names())),
        )),
        None => Ok(schedules.pop()),
    }
}

/// The manual event, with the schedule's name and settings when one was chosen.
pub fn event(mut manual: Value, schedule: Option<&ScheduleResource>) -> Value {
    if let Some(schedule) = schedule {
        for (key, value) in &schedule.settings {
            manual[key] = value.clone();
        }
        manual[fsx_drt_core::event::SCHEDULE] = Value::String(schedule.name.clone());
    }
    manual
}

/// The stack's schedule does not read as the function would read it.
pub fn unreadable(stack: &StackView, errors: &[fsx_drt_core::ConfigError]) -> Failure {
    let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
    Failure::new(
        Exit::Failed,
        format!(
            "stack {}'s schedule cannot be run: {}",
            stack.name,
            reasons.join("; ")
        ),
        Some("deploy the stack again with fsx-drt deploy, then run it".into()),
    )
}
