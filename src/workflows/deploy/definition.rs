//! From a definition to what CloudFormation gets: the template (as written, with its one
//! schedule's settings as parameters, for a flat definition like the reference's; rendered
//! with one schedule resource per named schedule otherwise) and the parameter values.

use chrono::{DateTime, Utc};
use fsx_drt_core::config::ScheduleName;

use super::preflight::Checked;
use crate::definition::{self, capacity, Definition, Draft, Extra, ScheduleSpec};
use crate::error::Failure;
use crate::params::{Param, Source, Values};
use crate::template::{self, maximum_event_age, ScheduleResource, TEMPLATE_YAML, TIMEZONE};
use crate::workflows::inputs;

/// What the change set sends.
pub struct Rendered {
    pub template: String,
    /// Parameter values, without the artifact's (the caller adds those).
    pub values: Vec<(String, String)>,
    /// Each schedule for the preflight, its problems named by its place.
    pub checked: Vec<Checked>,
    /// The schedules in words, with their next runs, for the summary before approval.
    pub summary: String,
}

/// Fills what the draft lacks from the stack's current values: a flat definition takes every
/// parameter (and its Timezone) from the stack, a definition with named schedules only the
/// stack-wide ones (its schedules are all in the file, or read back from the stack).
pub fn fill_from_stack(draft: &mut Draft, stack: &[(String, String)]) {
    if draft.mapped {
        let stack_wide: Values = inputs::from_stack(stack, None)
            .into_iter()
            .filter(|(param, _)| !definition::is_schedule_param(*param))
            .collect();
        for schedule in &mut draft.schedules {
            schedule.values.fill(stack_wide.clone(), Source::Stack);
        }
    } else if let Some(schedule) = draft.schedules.first_mut() {
        let task_type = schedule.values.get(Param::TaskType).map(|(v, _)| v.clone());
        schedule
            .values
            .fill(inputs::from_stack(stack, task_type), Source::Stack);
        let zone = stack.iter().find(|(k, _)| k == TIMEZONE);
        if let Some((_, zone)) = zone {
            schedule
                .extras
                .entry(Extra::Timezone)
                .or_insert_with(|| (zone.clone(), Source::Stack));
        }
    }
}

/// The written template takes a flat definition whose only addition is its Timezone (one
/// address, no other schedule keys); any other definition is rendered.
fn written(draft: &Draft) -> bool {
    !draft.mapped
        && draft.more_emails.is_empty()
        && draft.schedules.len() == 1
        && draft.schedules[0]
            .extras
            .keys()
            .all(|extra| matches!(extra, Extra::Timezone | Extra::MaxDeferMinutes))
}

pub fn render(draft: &Draft, definition: &Definition, now: DateTime<Utc>) -> Rendered {
    let place = |s: &ScheduleSpec| match draft.mapped {
        true => format!("{}.{}.", definition::SCHEDULES, s.name),
        false => String::new(),
    };
    let checked = definition
        .schedules
        .iter()
        .map(|s| Checked {
            place: place(s),
            parameters: definition.parameters(s),
        })
        .collect();
    let summary = summary(definition, now);
    // Lambda retries a failed run until a minute before the next run of any schedule.
    let event_age = definition
        .schedules
        .iter()
        .map(|s| maximum_event_age(&s.expression, now))
        .min()
        .unwrap_or(3600);
    let mut values: Vec<(String, String)>;
    let template = if written(draft) {
        let schedule = &definition.schedules[0];
        values = key_values(definition.parameters(schedule).template_values());
        values.push((TIMEZONE.into(), schedule.timezone.name().into()));
        values.push((
            template::MAX_DEFER_MINUTES.into(),
            schedule.max_defer_minutes.to_string(),
        ));
        TEMPLATE_YAML.to_string()
    } else {
        let stack_wide = definition.parameters(&definition.schedules[0]);
        values = key_values(
            stack_wide
                .template_values()
                .into_iter()
                .filter(|(param, _)| !definition::is_schedule_param(*param))
                .collect(),
        );
        let resources: Vec<ScheduleResource> = definition
            .schedules
            .iter()
            .map(|s| resource(definition, s, now))
            .collect();
        template::render_for(
            &resources,
            definition.email_addresses.get(1..).unwrap_or_default(),
        )
        .to_string()
    };
    values.push((template::MAXIMUM_EVENT_AGE.into(), event_age.to_string()));
    // The threshold needs the file system's size: the preflight adds it.
    let release = (definition.capacity_release.as_ref()).and_then(|release| {
        let schedule = definition
            .schedules
            .iter()
            .find(|s| s.name == release.schedule)?;
        Some(capacity::settings(
            release,
            &settings_of(definition, schedule, now),
        ))
    });
    values.push((
        template::CAPACITY_RELEASE.into(),
        release.unwrap_or_default(),
    ));
    Rendered {
        template,
        values,
        checked,
        summary,
    }
}

fn key_values(values: Vec<(Param, String)>) -> Vec<(String, String)> {
    values
        .into_iter()
        .map(|(param, value)| (param.key().to_string(), value))
        .collect()
}

/// The capacity alarm's threshold (0: none) for a file system of `storage_gib` GiB.
pub fn free_capacity_alarm_bytes(
    definition: &Definition,
    storage_gib: Option<u64>,
) -> Result<u64, Failure> {
    let Some(release) = &definition.capacity_release else {
        return Ok(0);
    };
    match storage_gib {
        Some(gib) if gib > 0 => Ok(release.threshold_bytes(gib)),
        _ => Err(Failure::invalid(
            "the capacity alarm has no threshold",
            vec![crate::params::Problem::new(
                capacity::PERCENT,
                Some(&release.percent.to_string()),
                fsx_drt_core::Invalid::new(
                    format!("FSx reports no StorageCapacity for {}, of which the alarm's threshold is a share", definition.file_system_id.as_str()),
                    format!("check the file system with `aws fsx describe-file-systems`, or remove {}", capacity::PERCENT),
                ),
            )],
        )),
    }
}

/// [`template::COMPLETION_REPORT_OBJECTS`]: the objects of every schedule's completion
/// reports (`s3://bucket/prefix` and task type, as the preflight planned them), each once;
/// refused, naming TaskCompletionReportPath, when they do not fit CloudFormation's 4,096
/// bytes of a parameter.
pub fn completion_report_objects(
    region: &str,
    reports: &[(String, &'static str)],
) -> Result<String, Failure> {
    let mut arns: Vec<String> = Vec::new();
    for (path, task_type) in reports {
        let of_path =
            fsx_drt_core::report::report_object_arns(template::partition(region), path, task_type);
        for arn in of_path.unwrap_or_default() {
            if arn.contains(',') {
                return Err(too_many_or_comma(
                    format!("the completion report path {path} holds a comma, which separates the ARNs of {}", template::COMPLETION_REPORT_OBJECTS),
                    "a report path without commas".into(),
                ));
            }
            if !arns.contains(&arn) {
                arns.push(arn);
            }
        }
    }
    let joined = arns.join(",");
    if joined.len() > template::MAX_PARAMETER_BYTES {
        return Err(too_many_or_comma(
            format!(
                "the schedules' {} report locations take {} bytes as {}, and CloudFormation takes {} in a parameter",
                arns.len(),
                joined.len(),
                template::COMPLETION_REPORT_OBJECTS,
                template::MAX_PARAMETER_BYTES
            ),
            format!(
                "fewer different {}s (one for all is usual)",
                Param::TaskCompletionReportPath.key()
            ),
        ));
    }
    Ok(joined)
}

/// Exit 2 naming TaskCompletionReportPath: the role cannot be granted its reports.
fn too_many_or_comma(problem: String, instead: String) -> Failure {
    Failure::invalid(
        "the function's role cannot be granted the completion reports",
        vec![crate::params::Problem::new(
            Param::TaskCompletionReportPath.key(),
            None,
            fsx_drt_core::Invalid::new(problem, format!("give the schedules {instead}")),
        )],
    )
}

/// One schedule's target input, as the function reads it.
fn settings_of(
    definition: &Definition,
    schedule: &ScheduleSpec,
    now: DateTime<Utc>,
) -> serde_json::Value {
    // The schedule it waits for, with that one's shortest gap between runs in its own zone
    // (its current slot is the one within that gap before a run).
    let after = schedule.after.as_ref().and_then(|name| {
        let other = definition.schedules.iter().find(|s| &s.name == name)?;
        Some(fsx_drt_core::after::After {
            schedule: ScheduleName::parse(name).ok()?,
            within: other.shortest_gap(now).unwrap_or(chrono::Duration::days(1)),
        })
    });
    fsx_drt_core::event::Schedule {
        name: ScheduleName::parse(&schedule.name).expect("a checked schedule name"),
        task_type: schedule.task_type,
        paths: schedule.paths.clone(),
        report_path: schedule.report_path.clone(),
        release_after_days: schedule.release_after_days.unwrap_or_default(),
        max_defer_minutes: schedule.max_defer_minutes,
        after,
    }
    .target_input()
}

/// One schedule as its resource: the function reads its settings from the input.
fn resource(
    definition: &Definition,
    schedule: &ScheduleSpec,
    now: DateTime<Utc>,
) -> ScheduleResource {
    let settings = settings_of(definition, schedule, now);
    ScheduleResource {
        name: schedule.name.clone(),
        expression: schedule.expression.expression(),
        timezone: schedule.timezone.name().to_string(),
        enabled: schedule.enabled,
        flexible_window_minutes: schedule.flexible_window_minutes,
        start_date: schedule.start_date_iso(),
        end_date: schedule.end_date_iso(),
        settings: settings.as_object().cloned().unwrap_or_default(),
    }
}

/// How many runs of each schedule the summary shows.
const RUNS_SHOWN: usize = 3;

/// Each schedule in words with its next runs in its zone (and UTC), and a warning for two
/// schedules due in the same minute: FSx runs one task at a time on a file system.
pub fn summary(definition: &Definition, now: DateTime<Utc>) -> String {
    let mut text = String::from("Schedules:\n");
    for s in &definition.schedules {
        let state = if s.enabled { "" } else { " (disabled)" };
        text.push_str(&format!(
            "  {}{state}: {} {} - {}\n",
            s.name,
            s.task_type.name(),
            fsx_drt_core::render_paths(&s.paths),
            s.describe()
        ));
        for run in s.upcoming(now, RUNS_SHOWN) {
            let local = run.with_timezone(&s.timezone);
            text.push_str(&format!(
                "      {}  ({} UTC)\n",
                local.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                run.format("%Y-%m-%d %H:%M")
            ));
        }
    }
    if let Some(warning) = definition.same_minute_warning(now) {
        text.push_str(&format!("warning: {warning}\n"));
    }
    text
}

/// What is left once the stack is deployed: confirming the alarm mail of each address the
/// stack did not mail before (AWS sends a confirmation; alarms reach nobody until it is
/// accepted), or checking a team topic the stack did not use before, and when the first run
/// is.
pub fn next_steps(
    definition: &Definition,
    stack: &[(String, String)],
    now: DateTime<Utc>,
) -> Vec<String> {
    let known = stack
        .iter()
        .find(|(k, _)| k == Param::EmailAddress.key())
        .map(|(_, v)| v.as_str());
    let mut steps: Vec<String> = definition
        .email_addresses
        .iter()
        .enumerate()
        .filter(|(i, email)| *i > 0 || known != Some(email.as_str()))
        .map(|(_, email)| {
            format!("confirm the subscription AWS mailed to {email}: alarms reach nobody until it is accepted (fsx-drt status shows it)")
        })
        .collect();
    let known_topic = stack
        .iter()
        .find(|(k, _)| k == Param::AlarmTopicArn.key())
        .map(|(_, v)| v.as_str());
    if let Some(topic) = (definition.alarm_topic_arn.as_deref()).filter(|t| known_topic != Some(*t))
    {
        steps.push(format!("make sure {topic} lets cloudwatch.amazonaws.com publish (its access policy, and its KMS key's policy if it is encrypted): fsx-drt cannot read another team's policy, and alarms it refuses reach nobody"));
    }
    let first = definition
        .schedules
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| s.upcoming(now, 1).first().map(|t| (*t, s)))
        .min_by_key(|(t, _)| *t);
    if let Some((at, s)) = first {
        steps.push(format!(
            "the first run: {} at {} ({} UTC)",
            s.name,
            at.with_timezone(&s.timezone)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            at.format("%Y-%m-%d %H:%M")
        ));
    }
    steps
}

/// Checks the whole definition (every problem, each named by its place).
pub fn check(draft: &Draft, now: DateTime<Utc>) -> Result<Definition, Failure> {
    definition::validate(draft, now).map_err(|problems| definition::invalid(draft, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Values;

    const ISSUE: &str = include_str!("../../../tests/offline/schedules.yaml");

    fn rendered(text: &str) -> (Definition, Rendered) {
        let file = definition::read("d.yaml", text.as_bytes()).unwrap();
        let draft = Draft::new(
            &Values::new(),
            None,
            Some(("d.yaml".into(), file)),
            &Values::new(),
        );
        let now = Utc::now();
        let checked = definition::validate(&draft, now).unwrap();
        let rendered = render(&draft, &checked, now);
        (checked, rendered)
    }

    fn value<'a>(rendered: &'a Rendered, key: &str) -> &'a str {
        let found = rendered.values.iter().find(|(k, _)| k == key);
        found.map(|(_, v)| v.as_str()).unwrap()
    }

    /// CompletionReportObjects: each schedule's report path as the function plans it, each
    /// object once; none without schedules; exit 2 naming TaskCompletionReportPath when the
    /// ARNs cannot be a CommaDelimitedList of CloudFormation's size.
    #[test]
    fn the_role_reads_the_reports_under_each_schedule_s_report_path() {
        let export = "EXPORT_TO_REPOSITORY";
        let one = [(
            "s3://bucket-a/data/fsx-drt-completion-reports".to_string(),
            export,
        )];
        assert_eq!(
            completion_report_objects("eu-central-1", &one).unwrap(),
            "arn:aws:s3:::bucket-a/data/fsx-drt-completion-reports/task-*/failures.csv"
        );
        let several = [
            ("s3://bucket-a/data/reports".to_string(), export),
            (
                "s3://bucket-b/in/reports".to_string(),
                "IMPORT_METADATA_FROM_REPOSITORY",
            ),
            (
                "s3://bucket-a/data/reports".to_string(),
                "RELEASE_DATA_FROM_FILESYSTEM",
            ),
        ];
        assert_eq!(
            completion_report_objects("cn-north-1", &several).unwrap(),
            "arn:aws-cn:s3:::bucket-a/data/reports/task-*/failures.csv,\
             arn:aws-cn:s3:::bucket-b/in/reports/task-*/report.csv,\
             arn:aws-cn:s3:::bucket-b/in/reports/task-*/failures.csv"
        );
        assert_eq!(completion_report_objects("us-east-1", &[]).unwrap(), "");
        let comma = [("s3://b/re,ports".to_string(), export)];
        let long: Vec<(String, &str)> = (0..40)
            .map(|i| (format!("s3://b/{}{i}", "r".repeat(100)), export))
            .collect();
        for bad in [&comma[..], &long[..]] {
            let failure = completion_report_objects("us-east-1", bad).unwrap_err();
            assert_eq!(failure.exit.code(), 2);
            assert!(
                format!("{failure:?}").contains("TaskCompletionReportPath"),
                "{failure:?}"
            );
        }
    }

    #[test]
    fn the_follow_up_cap_is_a_stack_parameter_of_either_template() {
        for text in [
            ISSUE.to_string(),
            "FileSystemId: fs-0123456789abcdef0\nEmailAddress: a@b.co\n".into(),
        ] {
            let (_, plain) = rendered(&text);
            assert_eq!(value(&plain, "FollowUpCapMinutes"), "5", "{text}");
            let (checked, capped) = rendered(&format!("{text}FollowUpCapMinutes: 15\n"));
            assert_eq!(value(&capped, "FollowUpCapMinutes"), "15", "{text}");
            assert_eq!(checked.follow_up_cap.minutes(), 15);
            let parsed = template::parse(&capped.template).unwrap();
            assert!(parsed["Parameters"]["FollowUpCapMinutes"].is_object());
        }
    }

    #[test]
    fn the_capacity_release_is_the_chosen_schedule_s_input_and_kept_by_the_stack() {
        let (checked, with) = rendered(&format!("{ISSUE}ReleaseWhenFreeBelowPercent: 20\n"));
        let settings: serde_json::Value =
            serde_json::from_str(value(&with, template::CAPACITY_RELEASE)).unwrap();
        assert_eq!(settings["Schedule"], "weekly-release");
        assert_eq!(settings["TaskType"], "Release");
        assert_eq!(settings["ReleaseAfterDays"], 14);
        assert_eq!(settings[capacity::PERCENT], 20);
        assert!(settings.get("ScheduledTime").is_none() && settings.get("ScheduleArn").is_none());
        // What the function reads back from CAPACITY_RELEASE.
        let read = fsx_drt_core::event::Invocation::of(&settings, "r").unwrap();
        assert_eq!(read.schedule.unwrap().release_after_days, 14);
        // Deploy without a file reads the keys back from the stack's parameter.
        let stack = vec![(
            template::CAPACITY_RELEASE.to_string(),
            value(&with, template::CAPACITY_RELEASE).to_string(),
        )];
        let kept = capacity::from_stack(&stack);
        assert_eq!(kept[capacity::PERCENT].0, "20");
        assert_eq!(kept[capacity::SCHEDULE].0, "weekly-release");
        // 20% of 1200 GiB; none without the key, and no size is exit 2 naming the key.
        assert_eq!(
            free_capacity_alarm_bytes(&checked, Some(1200)).unwrap(),
            257_698_037_760
        );
        let (without, plain) = rendered(ISSUE);
        assert_eq!(value(&plain, template::CAPACITY_RELEASE), "");
        assert_eq!(free_capacity_alarm_bytes(&without, Some(1200)).unwrap(), 0);
        let failure = free_capacity_alarm_bytes(&checked, None).unwrap_err();
        assert_eq!(failure.exit.code(), 2);
        assert!(
            format!("{failure:?}").contains(capacity::PERCENT),
            "{failure:?}"
        );
    }
}
