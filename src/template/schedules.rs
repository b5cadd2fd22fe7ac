//! The template deploy sends for a definition with its own schedules: the written template
//! (one schedule, its settings as parameters, as the reference's parameters file fills them)
//! with that schedule replaced by one `AWS::Scheduler::Schedule` per named schedule, each
//! carrying its settings in the function's input. Stack-wide values stay parameters.

use serde_json::{json, Map, Value};

use super::template_json;

/// The parameters only the written template's one schedule uses.
const PER_SCHEDULE_PARAMETERS: [&str; 6] = [
    "Schedule",
    "Timezone",
    "Paths",
    "TaskType",
    "TaskCompletionReportPath",
    "ReleaseAfterDays",
];

/// The function's environment variables that only the written template's one schedule
/// needs: with named schedules, each run's input carries them.
const PER_SCHEDULE_ENVIRONMENT: [&str; 4] = [
    "TASK_TYPE",
    "FSX_PATHS",
    "COMPLETION_REPORT_PATH",
    "RELEASE_AFTER_DAYS",
];

/// The email subscription, copied for each further address.
const SUBSCRIPTION: &str = "AlarmSubscription";

/// The conditions only the written template's one schedule uses.
const PER_SCHEDULE_CONDITIONS: [&str; 3] = ["IsExport", "IsImport", "ScheduleIsWrapped"];

/// The written template's one schedule, and the outputs that describe it.
const WRITTEN_SCHEDULE: &str = "TaskSchedule";
const PER_SCHEDULE_OUTPUTS: [&str; 2] = ["Schedule", "Timezone"];

/// The largest template CreateChangeSet takes as TemplateBody, and from S3 (TemplateURL).
pub const MAX_TEMPLATE_BODY_BYTES: usize = 51_200;
pub const MAX_TEMPLATE_URL_BYTES: usize = 1_048_576;

/// One named schedule as the rendered template holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleResource {
    /// The schedule's name (Scheduler's `Name`, unique in the stack's group).
    pub name: String,
    /// `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// IANA zone the expression is read in.
    pub timezone: String,
    pub enabled: bool,
    pub flexible_window_minutes: Option<u32>,
    /// ISO 8601 instants, as Scheduler's StartDate and EndDate take them.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The task settings the function reads from its input (the slot fields are added).
    pub settings: Map<String, Value>,
}

/// The template for these schedules (JSON, which CloudFormation takes as it takes YAML), with
/// an email subscription for each of `more_emails` beside EmailAddress's.
pub fn render_for(schedules: &[ScheduleResource], more_emails: &[String]) -> Value {
    let mut template = template_json();
    let written = template["Resources"][WRITTEN_SCHEDULE].clone();
    for name in PER_SCHEDULE_PARAMETERS {
        object(&mut template["Parameters"]).remove(name);
    }
    let groups = &mut template["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"];
    for group in groups.as_array_mut().expect("parameter groups") {
        group["Parameters"]
            .as_array_mut()
            .expect("a group's parameters")
            .retain(|p| !PER_SCHEDULE_PARAMETERS.iter().any(|name| p == name));
    }
    let environment = &mut template["Resources"]["Function"]["Properties"]["Environment"];
    for name in PER_SCHEDULE_ENVIRONMENT {
        object(&mut environment["Variables"]).remove(name);
    }
    for name in PER_SCHEDULE_CONDITIONS {
        object(&mut template["Conditions"]).remove(name);
    }
    for name in PER_SCHEDULE_OUTPUTS {
        object(&mut template["Outputs"]).remove(name);
    }
    let resources = object(&mut template["Resources"]);
    let subscription = resources[SUBSCRIPTION].clone();
    for (i, email) in more_emails.iter().enumerate() {
        let mut more = subscription.clone();
        more["Properties"]["Endpoint"] = json!(email);
        more["Metadata"]["com.aws.cloudformation.Context"] =
            json!({"why": format!("Emails {email} too (confirmed like EmailAddress).")});
        resources.insert(format!("{SUBSCRIPTION}{}", i + 2), more);
    }
    resources.remove(WRITTEN_SCHEDULE);
    for (id, schedule) in logical_ids(schedules) {
        resources.insert(id, resource(&written, schedule));
    }
    template
}

fn object(value: &mut Value) -> &mut Map<String, Value> {
    value.as_object_mut().expect("an object")
}

/// `Schedule` and the name in CamelCase (`nightly-export` -> `ScheduleNightlyExport`),
/// with a number added when two names give the same id (`a-b` and `a--b`).
fn logical_ids(schedules: &[ScheduleResource]) -> Vec<(String, &ScheduleResource)> {
    let mut taken = std::collections::HashSet::new();
    schedules
        .iter()
        .map(|schedule| {
            let camel: String = schedule
                .name
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|part| !part.is_empty())
                .map(|part| {
                    let mut chars = part.chars();
                    let first = chars.next().map(|c| c.to_ascii_uppercase());
                    first.into_iter().chain(chars).collect::<String>()
                })
                .collect();
            let base = format!("Schedule{camel}");
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}{n}");
                n += 1;
            }
            (id, schedule)
        })
        .collect()
}

/// The written schedule's resource, with this schedule's values.
fn resource(written: &Value, schedule: &ScheduleResource) -> Value {
    let mut resource = written.clone();
    // A short note: the written schedule's would repeat in every one.
    resource["Metadata"]["com.aws.cloudformation.Context"] = json!({
        "why": format!("Invokes the function for schedule {} (settings in its input).", schedule.name)
    });
    let p = &mut resource["Properties"];
    p["Name"] = json!(schedule.name);
    p["Description"] = json!(format!("fsx-drt schedule {}", schedule.name));
    p["ScheduleExpression"] = json!(schedule.expression);
    p["ScheduleExpressionTimezone"] = json!(schedule.timezone);
    p["State"] = json!(if schedule.enabled {
        "ENABLED"
    } else {
        "DISABLED"
    });
    p["FlexibleTimeWindow"] = match schedule.flexible_window_minutes {
        Some(minutes) => json!({"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes}),
        None => json!({"Mode": "OFF"}),
    };
    if let Some(start) = &schedule.start_date {
        p["StartDate"] = json!(start);
    }
    if let Some(end) = &schedule.end_date {
        p["EndDate"] = json!(end);
    }
    let written_input: Value = serde_json::from_str(
        p["Target"]["Input"]
            .as_str()
            .expect("the written schedule has an input"),
    )
    .expect("the written input is JSON");
    // One order whatever the settings' (a deploy's, or read back by pause): the same
    // schedule renders the same template.
    let mut input = Map::new();
    input.insert("Schedule".into(), json!(schedule.name));
    let mut settings: Vec<(&String, &Value)> = schedule
        .settings
        .iter()
        .filter(|(key, _)| !SLOT_FIELDS.contains(&key.as_str()))
        .collect();
    // The event contract's order, whatever order the settings were read back in.
    let rank = |key: &str| fsx_drt_core::event::ALL.iter().position(|k| *k == key);
    settings.sort_by_key(|(key, _)| (rank(key).unwrap_or(usize::MAX), key.as_str()));
    for (key, value) in settings {
        input.insert(key.clone(), value.clone());
    }
    for slot in ["ScheduledTime", "ScheduleArn"] {
        input.insert(slot.into(), written_input[slot].clone());
    }
    p["Target"]["Input"] = json!(Value::Object(input).to_string());
    resource
}

/// The schedules a deployed stack holds, read back from its template (GetTemplate) and its
/// parameter values: the rendered template's schedules as they are, the written template's
/// one schedule (named `default`) with its references resolved. This is what status,
/// pause and resume start from, so the stack stays the one source of truth.
pub fn deployed(template: &Value, parameters: &[(String, String)]) -> Vec<ScheduleResource> {
    let parameter = |name: &str| {
        parameters
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                template["Parameters"][name]["Default"]
                    .as_str()
                    .map(str::to_string)
            })
    };
    // A value, or the parameter a {"Ref": name} names.
    let resolve = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("Ref").and_then(Value::as_str).and_then(parameter),
        _ => None,
    };
    let resources = template["Resources"].as_object().into_iter().flatten();
    resources
        .filter(|(_, r)| r["Type"] == "AWS::Scheduler::Schedule")
        .map(|(id, r)| {
            let p = &r["Properties"];
            let input: Map<String, Value> = p["Target"]["Input"]
                .as_str()
                .and_then(|i| serde_json::from_str(i).ok())
                .unwrap_or_default();
            let written = id == WRITTEN_SCHEDULE;
            let mut settings = input;
            for slot in SLOT_FIELDS {
                settings.remove(slot);
            }
            if written {
                // The written template's settings are its parameters.
                for name in [
                    "TaskType",
                    "Paths",
                    "TaskCompletionReportPath",
                    "ReleaseAfterDays",
                ] {
                    if let Some(value) = parameter(name) {
                        settings.insert(name.into(), json!(value));
                    }
                }
            }
            ScheduleResource {
                name: p["Name"]
                    .as_str()
                    .map_or_else(|| DEFAULT_NAME.to_string(), str::to_string),
                // The written schedule's expression is its parameter (bare cron fields
                // wrapped by the template), in the form fsx-drt writes.
                expression: match written {
                    true => parameter("Schedule").map(|e| canonical(&e)),
                    false => resolve(&p["ScheduleExpression"]),
                }
                .unwrap_or_default(),
                timezone: resolve(&p["ScheduleExpressionTimezone"]).unwrap_or_else(|| "UTC".into()),
                enabled: p["State"] != "DISABLED",
                flexible_window_minutes: p["FlexibleTimeWindow"]["MaximumWindowInMinutes"]
                    .as_u64()
                    .and_then(|m| u32::try_from(m).ok()),
                start_date: resolve(&p["StartDate"]),
                end_date: resolve(&p["EndDate"]),
                settings,
            }
        })
        .collect()
}

/// Whether a deployed template is one rendered for named schedules (its schedules and their
/// settings are resources, not parameters), rather than the written one or a rule stack's.
pub fn rendered(template: &Value) -> bool {
    let resources = template["Resources"].as_object().into_iter().flatten();
    let mut schedules = resources.filter(|(_, r)| r["Type"] == "AWS::Scheduler::Schedule");
    template["Resources"].get(WRITTEN_SCHEDULE).is_none() && schedules.next().is_some()
}

/// The addresses a rendered template mails beside EmailAddress (its further subscriptions),
/// in the order they were given.
pub fn more_emails(template: &Value) -> Vec<String> {
    let resources = template["Resources"].as_object().into_iter().flatten();
    let mut found: Vec<(u32, String)> = resources
        .filter_map(|(id, r)| {
            let n = id.strip_prefix(SUBSCRIPTION)?.parse::<u32>().ok()?;
            let email = r["Properties"]["Endpoint"].as_str()?;
            Some((n, email.to_string()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, email)| email).collect()
}

/// An expression as fsx-drt writes it (`cron(...)` for six bare fields), or as it is when it
/// does not parse.
fn canonical(expression: &str) -> String {
    crate::schedule::Schedule::parse(expression)
        .map_or_else(|_| expression.to_string(), |s| s.expression())
}

/// The input's fields that are not settings: the schedule and its slot.
const SLOT_FIELDS: [&str; 3] = ["Schedule", "ScheduledTime", "ScheduleArn"];

/// The name of the written template's one schedule (and of a flat definition's).
pub const DEFAULT_NAME: &str = "default";

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn schedules(n: usize) -> Vec<ScheduleResource> {
        (0..n)
            .map(|i| ScheduleResource {
                name: format!("nightly-export-{i}"),
                expression: "cron(0 22 * * ? *)".into(),
                timezone: "Europe/Berlin".into(),
                enabled: i % 2 == 0,
                flexible_window_minutes: (i == 1).then_some(15),
                start_date: None,
                end_date: None,
                settings: json!({
                    "TaskType": "Export",
                    "Paths": "/projects \"/scratch/run 1\"",
                    "TaskCompletionReportPath": "/fsx-drt-completion-reports",
                })
                .as_object()
                .unwrap()
                .clone(),
            })
            .collect()
    }

    #[test]
    fn one_resource_per_schedule_with_its_settings_in_the_input() {
        let t = render_for(&schedules(3), &[]);
        let resources = t["Resources"].as_object().unwrap();
        let found: Vec<&String> = resources
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::Scheduler::Schedule")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            found,
            [
                "ScheduleNightlyExport0",
                "ScheduleNightlyExport1",
                "ScheduleNightlyExport2"
            ]
        );
        let p = &resources["ScheduleNightlyExport1"]["Properties"];
        assert_eq!(p["Name"], "nightly-export-1");
        assert_eq!(p["ScheduleExpressionTimezone"], "Europe/Berlin");
        assert_eq!(p["State"], "DISABLED");
        assert_eq!(
            p["FlexibleTimeWindow"],
            json!({"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15})
        );
        assert_eq!(p["GroupName"], json!({"Ref": "ScheduleGroup"}));
        let input: Value = serde_json::from_str(p["Target"]["Input"].as_str().unwrap()).unwrap();
        assert_eq!(input["Schedule"], "nightly-export-1");
        assert_eq!(input["Paths"], "/projects \"/scratch/run 1\"");
        assert_eq!(input["ScheduledTime"], "<aws.scheduler.scheduled-time>");
        assert_eq!(input["ScheduleArn"], "<aws.scheduler.schedule-arn>");
    }

    #[test]
    fn the_written_schedule_and_its_parameters_go() {
        let t = render_for(&schedules(1), &[]);
        assert!(t["Resources"].get(WRITTEN_SCHEDULE).is_none());
        for name in PER_SCHEDULE_PARAMETERS {
            assert!(t["Parameters"].get(name).is_none(), "{name}");
            assert!(
                !t["Metadata"].to_string().contains(&format!("\"{name}\"")),
                "{name}"
            );
        }
        let variables = &t["Resources"]["Function"]["Properties"]["Environment"]["Variables"];
        for name in PER_SCHEDULE_ENVIRONMENT {
            assert!(variables.get(name).is_none(), "{name}");
        }
        // Nothing refers to what was removed.
        let text = t.to_string();
        for gone in ["IsExport", "IsImport", WRITTEN_SCHEDULE] {
            assert!(!text.contains(gone), "{gone}");
        }
    }

    #[test]
    fn each_further_address_gets_its_subscription() {
        let more = [
            "storage@example.com".to_string(),
            "oncall@example.com".to_string(),
        ];
        let t = render_for(&schedules(1), &more);
        let mut endpoints: Vec<String> = t["Resources"]
            .as_object()
            .unwrap()
            .values()
            .filter(|r| r["Type"] == "AWS::SNS::Subscription")
            .map(|r| r["Properties"]["Endpoint"].to_string())
            .collect();
        endpoints.sort();
        assert_eq!(
            endpoints,
            [
                "\"oncall@example.com\"",
                "\"storage@example.com\"",
                "{\"Ref\":\"EmailAddress\"}"
            ]
        );
    }

    /// The contract with the function: every input field is one the function reads, and the
    /// environment holds only what it reads from there.
    #[test]
    fn inputs_and_environment_keep_the_contract() {
        let t = render_for(&schedules(2), &[]);
        for (_, r) in t["Resources"].as_object().unwrap() {
            if r["Type"] != "AWS::Scheduler::Schedule" {
                continue;
            }
            let input: Map<String, Value> =
                serde_json::from_str(r["Properties"]["Target"]["Input"].as_str().unwrap()).unwrap();
            for key in input.keys() {
                assert!(fsx_drt_core::event::ALL.contains(&key.as_str()), "{key}");
            }
        }
        let variables = &t["Resources"]["Function"]["Properties"]["Environment"]["Variables"];
        for key in variables.as_object().unwrap().keys() {
            assert!(fsx_drt_core::env::ALL.contains(&key.as_str()), "{key}");
        }
    }

    #[test]
    fn names_that_camel_case_alike_get_distinct_ids() {
        let mut two = schedules(2);
        two[0].name = "a-b".into();
        two[1].name = "a--b".into();
        let ids: Vec<String> = logical_ids(&two).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["ScheduleAB", "ScheduleAB2"]);
    }

    #[test]
    fn what_is_rendered_reads_back_the_same() {
        let written = schedules(3);
        assert_eq!(deployed(&render_for(&written, &[]), &[]), written);
    }

    #[test]
    fn a_rendered_template_and_its_further_addresses_read_back() {
        let more = ["b@example.com".to_string(), "c@example.com".to_string()];
        let rendered = render_for(&schedules(1), &more);
        assert!(super::rendered(&rendered));
        assert_eq!(more_emails(&rendered), more);
        // Ten and more: by number, not by text.
        let many: Vec<String> = (0..11).map(|i| format!("{i}@example.com")).collect();
        assert_eq!(more_emails(&render_for(&schedules(1), &many)), many);
        // The written template (its one schedule a resource of parameters) is not.
        assert!(!super::rendered(&template_json()));
        assert!(more_emails(&template_json()).is_empty());
        // Nor one with no schedule at all (a rule stack's).
        assert!(!super::rendered(
            &json!({"Resources": {"Rule": {"Type": "AWS::Events::Rule"}}})
        ));
    }

    #[test]
    fn the_written_schedule_reads_back_from_the_parameters() {
        let parameters = [
            (
                "Schedule".to_string(),
                "cron(30 5 ? * MON-FRI *)".to_string(),
            ),
            ("Timezone".to_string(), "Europe/Berlin".to_string()),
            ("TaskType".to_string(), "Import".to_string()),
        ];
        let found = deployed(&template_json(), &parameters);
        assert_eq!(found.len(), 1);
        let s = &found[0];
        assert_eq!(s.name, DEFAULT_NAME);
        assert_eq!(s.expression, "cron(30 5 ? * MON-FRI *)");
        assert_eq!(s.timezone, "Europe/Berlin");
        assert!(s.enabled);
        assert_eq!(s.settings["TaskType"], "Import");
        // Not given: the template's default.
        assert_eq!(s.settings["Paths"], "/");
    }

    /// CloudFormation's limits: a template of at most 1 MB read from S3 (51,200 bytes as a
    /// TemplateBody: a definition that big goes through the artifact bucket) and at most
    /// 500 resources.
    #[test]
    fn fifty_schedules_stay_under_cloudformations_limits() {
        let template = render_for(&schedules(50), &[]);
        let body = template.to_string();
        assert!(body.len() <= MAX_TEMPLATE_URL_BYTES, "{} bytes", body.len());
        assert!(template["Resources"].as_object().unwrap().len() <= 500);
        // A few schedules still fit in a TemplateBody.
        assert!(render_for(&schedules(10), &[]).to_string().len() <= MAX_TEMPLATE_BODY_BYTES);
    }
}
