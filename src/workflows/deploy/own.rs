//! deploy and diff without a definition file on a stack whose schedules are named: the
//! stack's own schedules, read back from its template (as pause and resume do), are the
//! definition. An unchanged deploy then changes nothing, and flags for a schedule's keys
//! change only the schedule `--schedule-name` names (the only one, when there is one); a
//! flat stack (the written template, or a rule stack) goes on as before.

use serde_json::Value;

use super::DeployRequest;
use crate::aws::{Aws, StackView};
use crate::definition::{self, place, Draft, DraftSchedule, Extra};
use crate::error::Failure;
use crate::params::{Param, Problem, Source, Values};
use crate::template::{self, ScheduleResource};
use crate::workflows::inputs;

/// The stack's named schedules as the draft deploy goes on with, or `None` when the file
/// gives the definition or the stack has no named schedules (yet).
pub(super) async fn draft(
    aws: &Aws,
    args: &DeployRequest,
    stack: &StackView,
) -> Result<Option<Draft>, Failure> {
    // A stack still waiting for its first change set has no template of its own.
    if args.inputs.parameters_file.is_some() || stack.status == "REVIEW_IN_PROGRESS" {
        return Ok(None);
    }
    let by = stack.id.as_deref().unwrap_or(&stack.name);
    let deployed = aws.stack_template(by).await?;
    if !template::rendered(&deployed) {
        return Ok(None);
    }
    let schedules = template::deployed(&deployed, &stack.parameters);
    let names: Vec<String> = schedules.iter().map(|s| s.name.clone()).collect();
    let mut draft = inputs::gather_from_stack(&args.inputs, &stack.name, &names)?;
    draft.more_emails = (template::more_emails(&deployed).into_iter())
        .map(|email| (email, Source::Stack))
        .collect();
    for (schedule, read) in draft.schedules.iter_mut().zip(&schedules) {
        let problems = fill(schedule, read);
        draft.problems.extend(problems);
    }
    match draft.problems.is_empty() {
        true => Ok(Some(draft)),
        false => {
            let problems = std::mem::take(&mut draft.problems);
            Err(definition::invalid(&draft, problems))
        }
    }
}

/// Fills what flags and variables left open with the deployed schedule's values (below
/// them, as the stack's values always are); a setting this fsx-drt does not know is a
/// problem, since deploying without it would drop it.
fn fill(schedule: &mut DraftSchedule, read: &ScheduleResource) -> Vec<Problem> {
    let mut values = Values::from([(Param::Schedule, read.expression.clone())]);
    let mut extras = vec![
        (Extra::Timezone, Some(read.timezone.clone())),
        (Extra::StartDate, read.start_date.clone()),
        (Extra::EndDate, read.end_date.clone()),
        (
            Extra::FlexibleWindowMinutes,
            read.flexible_window_minutes.map(|m| m.to_string()),
        ),
        (Extra::Enabled, Some(read.enabled.to_string())),
    ];
    let mut problems = Vec::new();
    for (key, value) in &read.settings {
        let text = match value {
            Value::String(s) => s.clone(),
            // Rendered as {"Schedule": NAME, "WithinMinutes": N}; defined as the name.
            Value::Object(after) if key == fsx_drt_core::after::AFTER => after
                .get("Schedule")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            other => other.to_string(),
        };
        match (Param::from_key(key), Extra::from_key(key)) {
            (Some(param), _) => {
                values.insert(param, text);
            }
            (None, Some(extra)) => extras.push((extra, Some(text))),
            (None, None) => problems.push(Problem {
                parameter: place(true, &read.name, key),
                value: Some(text),
                source: Some(Source::Stack.to_string()),
                problem: format!(
                    "the stack's schedule {} has a setting this fsx-drt does not know; \
                     deploying without the definition would drop it",
                    read.name
                ),
                fix: "deploy with --parameters-file and the whole definition, or with the \
                      fsx-drt that made the stack"
                    .into(),
            }),
        }
    }
    schedule.values.fill(values, Source::Stack);
    for (extra, text) in extras {
        if let Some(text) = text {
            schedule
                .extras
                .entry(extra)
                .or_insert((text, Source::Stack));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn read(name: &str, settings: Value) -> ScheduleResource {
        ScheduleResource {
            name: name.into(),
            expression: "cron(0 22 * * ? *)".into(),
            timezone: "Europe/Berlin".into(),
            enabled: false,
            flexible_window_minutes: Some(15),
            start_date: Some("2027-01-01T00:00:00Z".into()),
            end_date: None,
            settings: settings.as_object().unwrap().clone(),
        }
    }

    fn stack_wide() -> Values {
        Values::from([
            (Param::FileSystemId, "fs-0123456789abcdef0".to_string()),
            (Param::EmailAddress, "ops@example.com".to_string()),
        ])
    }

    /// The stack's two schedules, with `flags` for `--schedule-name`'s, checked.
    fn checked(
        flags: &Values,
        schedule_name: Option<&str>,
    ) -> Result<definition::Definition, Vec<Problem>> {
        let deployed = [
            read(
                "one",
                json!({"TaskType": "Release", "Paths": "/a \"/b c\"", "ReleaseAfterDays": 14,
                       "TaskCompletionReportPath": "/reports"}),
            ),
            read("two", json!({"TaskType": "Import", "Paths": "/x"})),
        ];
        let names: Vec<String> = deployed.iter().map(|s| s.name.clone()).collect();
        let mut draft = Draft::from_stack(flags, schedule_name, "s", &names, &Values::new());
        for (schedule, read) in draft.schedules.iter_mut().zip(&deployed) {
            assert!(fill(schedule, read).is_empty());
            schedule.values.fill(stack_wide(), Source::Stack);
        }
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .unwrap();
        definition::validate(&draft, now)
    }

    #[test]
    fn the_stacks_schedules_read_back_whole() {
        let definition = checked(&Values::new(), None).unwrap();
        let [one, two] = &definition.schedules[..] else {
            panic!("two schedules")
        };
        assert_eq!(one.name, "one");
        assert_eq!(one.task_type, fsx_drt_core::TaskType::Release);
        assert_eq!(one.release_after_days, Some(14));
        assert_eq!(fsx_drt_core::render_paths(&one.paths), "/a \"/b c\"");
        assert_eq!(one.report_path.as_str(), "/reports");
        assert_eq!(one.expression.expression(), "cron(0 22 * * ? *)");
        assert_eq!(one.timezone.name(), "Europe/Berlin");
        assert!(!one.enabled);
        assert_eq!(one.flexible_window_minutes, Some(15));
        assert_eq!(
            one.start_date_iso().as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(one.end_date, None);
        assert_eq!(two.task_type, fsx_drt_core::TaskType::Import);
    }

    #[test]
    fn a_flag_changes_only_the_named_schedule() {
        let flags = Values::from([(Param::Schedule, "cron(30 7 * * ? *)".to_string())]);
        let definition = checked(&flags, Some("two")).unwrap();
        let expressions: Vec<String> = (definition.schedules.iter())
            .map(|s| s.expression.expression())
            .collect();
        assert_eq!(expressions, ["cron(0 22 * * ? *)", "cron(30 7 * * ? *)"]);
        // A stack-wide value goes to both, without --schedule-name.
        let flags = Values::from([(Param::LogRetentionDays, "90".to_string())]);
        assert_eq!(checked(&flags, None).unwrap().log_retention_days, 90);
    }

    #[test]
    fn a_schedules_flag_without_a_name_names_the_flag_the_schedules_and_the_fix() {
        let flags = Values::from([(Param::Schedule, "cron(30 7 * * ? *)".to_string())]);
        let problems = checked(&flags, None).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert_eq!(p.parameter, "--schedule");
        assert_eq!(
            p.problem,
            "--schedule set a schedule's values, and stack s has 2 schedules (one, two)"
        );
        assert!(p.fix.contains("--schedule-name NAME"), "{}", p.fix);
        assert!(p.fix.contains("--parameters-file"), "{}", p.fix);
        // A name the stack does not have: its schedules named.
        let problems = checked(&flags, Some("three")).unwrap_err();
        assert_eq!(problems[0].parameter, "--schedule-name");
        assert_eq!(problems[0].problem, "stack s has no schedule named three");
        assert!(problems[0].fix.contains("one, two"), "{}", problems[0].fix);
    }

    #[test]
    fn a_setting_this_fsx_drt_does_not_know_is_named_not_dropped() {
        let mut schedule = DraftSchedule::default();
        let problems = fill(&mut schedule, &read("one", json!({"Colour": "blue"})));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].parameter, "Schedules.one.Colour");
        assert_eq!(problems[0].value.as_deref(), Some("blue"));
    }

    /// A one-time schedule that has run stays in the stack as it is; given anew it is refused.
    #[test]
    fn a_past_one_time_schedule_of_the_stack_is_kept() {
        let mut past = read("once", json!({"TaskType": "Export", "Paths": "/"}));
        past.expression = "at(2026-01-01T00:00:00)".into();
        let mut draft =
            Draft::from_stack(&Values::new(), None, "s", &["once".into()], &Values::new());
        assert!(fill(&mut draft.schedules[0], &past).is_empty());
        draft.schedules[0].values.fill(stack_wide(), Source::Stack);
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 30, 12, 0, 0)
            .unwrap();
        assert!(definition::validate(&draft, now).is_ok());
        let flags = Values::from([(Param::Schedule, "at(2026-01-01T00:00:00)".to_string())]);
        let mut draft = Draft::from_stack(&flags, None, "s", &["once".into()], &Values::new());
        assert!(fill(&mut draft.schedules[0], &past).is_empty());
        draft.schedules[0].values.fill(stack_wide(), Source::Stack);
        assert!(definition::validate(&draft, now).is_err());
    }
}
