//! `fsx-drt pause` and `resume`: a deploy of the stack's own schedules, read back from its
//! template, with one (or all) disabled or enabled; everything else as it is, so the stack
//! stays the one source of truth (a schedule switched in the console would be drift).

use super::{DeployRequest, Switch, Target};
use crate::error::Failure;
use crate::template::{self, CODE_BUCKET};
use crate::workflows::session::Session;
use crate::workflows::{existing_stack, no_such_schedule};

pub(super) async fn target(
    session: &Session<'_>,
    args: &DeployRequest,
    switch: &Switch,
) -> Result<Target, Failure> {
    let aws = session.aws;
    let stack = existing_stack(aws, &args.stack_name, args.any_stack).await?;
    let by = stack.id.as_deref().unwrap_or(&stack.name);
    let deployed = aws.stack_template(by).await?;
    let mut schedules = template::deployed(&deployed, &stack.parameters);
    if schedules.is_empty() {
        // A stack still on an EventBridge rule (the reference's, or an earlier fsx-drt's):
        // a deploy of no schedules would remove its rule.
        return Err(Failure::new(
            crate::error::Exit::Invalid,
            format!(
                "stack {} has no EventBridge Scheduler schedules to switch; nothing was changed",
                stack.name
            ),
            Some(format!(
                "move it to schedules first with fsx-drt deploy --stack-name {}",
                stack.name
            )),
        ));
    }
    if let Some(name) = &switch.schedule {
        if !schedules.iter().any(|s| &s.name == name) {
            let names: Vec<&str> = schedules.iter().map(|s| s.name.as_str()).collect();
            return Err(no_such_schedule(&stack.name, name, &names));
        }
    }
    let mut summary = String::from("Schedules:\n");
    for schedule in &mut schedules {
        if switch
            .schedule
            .as_ref()
            .is_none_or(|name| name == &schedule.name)
        {
            schedule.enabled = switch.enabled;
        }
        let state = if schedule.enabled {
            "enabled"
        } else {
            "disabled"
        };
        summary.push_str(&format!(
            "  {} ({state}): {} in {}\n",
            schedule.name, schedule.expression, schedule.timezone
        ));
    }
    // Its further addresses too: the template holds them, not its parameters.
    let rendered = template::render_for(&schedules, &template::more_emails(&deployed));
    // The stack's own values for what the rendered template still takes.
    let values: Vec<(String, String)> = stack
        .parameters
        .iter()
        .filter(|(key, _)| rendered["Parameters"].get(key).is_some())
        .cloned()
        .collect();
    Ok(Target {
        template: rendered.to_string(),
        schedules: summary,
        next_steps: Vec::new(),
        old_values: stack.parameters.clone(),
        bucket: stack.parameter(CODE_BUCKET).unwrap_or_default().to_string(),
        account: stack.account().unwrap_or_default().to_string(),
        values,
        existing: Some(stack),
        artifact: None,
    })
}
