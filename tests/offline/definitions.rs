//! Definitions with named schedules, as a user runs `fsx-drt validate` on them: each bad one
//! exits 2 naming the place (`Schedules.<name>.<Key>`) with a fix, prints no result and
//! touches nothing; good ones list every schedule.

use crate::cli::{fsx_drt, run, temp_file, Run, AFTER};

const STACK: &str = "FileSystemId: fs-0123456789abcdef0\nEmailAddress: hpc-ops@example.com\n";

/// A team's SNS topic for the alarms.
const TEAM_TOPIC: &str = "arn:aws:sns:eu-central-1:123456789012:team-alarms";

/// The issue's example: three schedules in Berlin time.
const ISSUE: &str = include_str!("schedules.yaml");

/// `fsx-drt validate` on a definition file (written under `name`), with more arguments.
fn validate_file(name: &str, text: &str, extra: &[&str]) -> Run {
    let path = temp_file(name, text);
    let fixed = format!("validate --no-input --after {AFTER} --parameters-file");
    let out = run(fsx_drt().args(fixed.split(' ')).arg(&path).args(extra));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "{name} was changed"
    );
    out
}

/// The JSON of a run that found the definition valid.
fn valid_json(out: &Run) -> serde_json::Value {
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The stack's keys and one schedule `nightly-export` with these keys.
fn one(keys: &str) -> String {
    format!("{STACK}Schedules:\n  nightly-export: {keys}\n")
}

#[test]
fn bad_definitions_exit_2_naming_the_place() {
    let many: String = (0..51).map(|i| format!("  s{i}: {{}}\n")).collect();
    let long_name = "a".repeat(65);
    let cases: Vec<(String, Vec<&str>, String, &str)> = vec![
        // (file, flags, place, what the problem or fix says)
        (
            one("{Timezone: Europe/Berln}"),
            vec![],
            "Schedules.nightly-export.Timezone".into(),
            "did you mean Europe/Berlin?",
        ),
        (
            one("{Timezone: Mars/Olympus_Mons}"),
            vec![],
            "Schedules.nightly-export.Timezone".into(),
            "not an IANA time zone",
        ),
        (
            format!("{}  Nightly-Export: {{}}\n", one("{}")),
            vec![],
            "Schedules.Nightly-Export".into(),
            "differ only in case",
        ),
        (
            format!("{STACK}Schedules:\n  nightly_export: {{}}\n"),
            vec![],
            "Schedules.nightly_export".into(),
            "only letters, digits and -",
        ),
        (
            format!("{STACK}Schedules:\n  nightly.export: {{}}\n"),
            vec![],
            "Schedules.nightly.export".into(),
            "only letters, digits and -",
        ),
        (
            format!("{STACK}Schedules:\n  {long_name}: {{}}\n"),
            vec![],
            format!("Schedules.{long_name}"),
            "Scheduler allows 64",
        ),
        (
            format!("{STACK}Schedules:\n  \"\": {{}}\n"),
            vec![],
            "Schedules.".into(),
            "name is empty",
        ),
        (
            one("{Schedule: \"at(2026-11-25T07:00:00)\"}"),
            vec![],
            "Schedules.nightly-export.Schedule".into(),
            "is past",
        ),
        (
            one("{StartDate: 2027-02-01, EndDate: 2027-01-01}"),
            vec![],
            "Schedules.nightly-export.EndDate".into(),
            "not after StartDate",
        ),
        (
            one("{StartDate: next week}"),
            vec![],
            "Schedules.nightly-export.StartDate".into(),
            "ISO 8601",
        ),
        (
            one("{FlexibleWindowMinutes: 0}"),
            vec![],
            "Schedules.nightly-export.FlexibleWindowMinutes".into(),
            "1 to 1440",
        ),
        (
            one("{FlexibleWindowMinutes: 1441}"),
            vec![],
            "Schedules.nightly-export.FlexibleWindowMinutes".into(),
            "1 to 1440",
        ),
        (
            ISSUE.replace("Timezone: Europe/Berlin}\n  weekly", "Timezone: Europe/Berlin, After: weekly-release}\n  weekly")
                .replace("Timezone: Europe/Berlin}\n", "Timezone: Europe/Berlin, After: nightly-export}\n"),
            vec![],
            "Schedules.weekly-release.After".into(),
            "wait for each other: weekly-release after nightly-export after weekly-release",
        ),
        (
            one("{After: nightly-export}"),
            vec![],
            "Schedules.nightly-export.After".into(),
            "cannot wait for itself",
        ),
        (
            ISSUE.replace("SUN *\", Timezone", "SUN *\", After: nightly-exprot, Timezone"),
            vec![],
            "Schedules.weekly-release.After".into(),
            "did you mean nightly-export?",
        ),
        (
            one("{MaxDeferMinutes: 1441}"),
            vec![],
            "Schedules.nightly-export.MaxDeferMinutes".into(),
            "0 to 1440",
        ),
        (
            one("{Enabled: maybe}"),
            vec![],
            "Schedules.nightly-export.Enabled".into(),
            "true or false",
        ),
        (
            one("{Timzone: UTC}"),
            vec![],
            "Schedules.nightly-export.Timzone".into(),
            "did you mean Timezone?",
        ),
        (
            one("{Path: /projects}"),
            vec![],
            "Schedules.nightly-export.Path".into(),
            "did you mean Paths?",
        ),
        (
            one("{TaskType: Export, ReleaseAfterDays: 7}"),
            vec![],
            "Schedules.nightly-export.ReleaseAfterDays".into(),
            "only to Release",
        ),
        (
            one("{TaskType: Sync}"),
            vec![],
            "Schedules.nightly-export.TaskType".into(),
            "fix:",
        ),
        (
            one("{Schedule: \"0 8 * * MON *\"}"),
            vec![],
            "Schedules.nightly-export.Schedule".into(),
            "must be `?`",
        ),
        (
            one("{Paths: [relative/dir]}"),
            vec![],
            "Schedules.nightly-export.Paths".into(),
            "fix:",
        ),
        (
            one("{FileSystemId: fs-0123abcd}"),
            vec![],
            "Schedules.nightly-export.FileSystemId".into(),
            "stack-wide",
        ),
        (
            one("[/projects]"),
            vec![],
            "Schedules.nightly-export".into(),
            "not a map of keys",
        ),
        (
            format!("{}TaskType: Import\n", one("{}")),
            vec![],
            "TaskType".into(),
            "also has Schedules",
        ),
        (
            format!("{STACK}Shedules: {{}}\n"),
            vec![],
            "Shedules".into(),
            "did you mean Schedules?",
        ),
        (
            format!("{STACK}Schedules: {{}}\n"),
            vec![],
            "Schedules".into(),
            "no schedules",
        ),
        (
            format!("{STACK}Schedules: [nightly]\n"),
            vec![],
            "Schedules".into(),
            "not a map of names",
        ),
        (
            format!("{STACK}Schedules:\n{many}"),
            vec![],
            "Schedules".into(),
            "51 schedules",
        ),
        (
            ISSUE.into(),
            vec!["--paths", "/x"],
            "--schedule-name".into(),
            "--paths",
        ),
        (
            ISSUE.into(),
            vec!["--schedule-name", "nightly"],
            "--schedule-name".into(),
            "no schedule named nightly",
        ),
        (
            STACK.into(),
            vec!["--schedule-name", "nightly_export"],
            "--schedule-name".into(),
            "only letters, digits and -",
        ),
        (
            ISSUE.replace("hpc-ops@example.com", "[hpc-ops@example.com, oncall]"),
            vec![],
            "EmailAddress".into(),
            "not an email address",
        ),
        (
            ISSUE.replace("fs-0123456789abcdef0", "fs-1"),
            vec![],
            "FileSystemId".into(),
            "fix:",
        ),
        // Tags: the rule --tags has, named by place.
        (
            format!("{STACK}Tags: {{aws:owner: me}}\n"),
            vec![],
            "Tags.aws:owner".into(),
            "aws: are AWS's own",
        ),
        (
            format!("{STACK}Tags: {{team: \"\"}}\n"),
            vec![],
            "Tags.team".into(),
            "a tag value is 1 to 256 characters",
        ),
        (
            format!("{STACK}Tags: {{team: {{a: 1}}}}\n"),
            vec![],
            "Tags.team".into(),
            "not text or a number",
        ),
        (
            format!("{STACK}Tags: [{{Key: a, Value: x}}, {{Key: a, Value: y}}]\n"),
            vec![],
            "Tags.a".into(),
            "given twice",
        ),
        (
            format!("{STACK}Tags: [{{Key: team}}]\n"),
            vec![],
            "Tags[0]".into(),
            "not {Key: ..., Value: ...}",
        ),
        (
            format!("{STACK}Tags: team=hpc\n"),
            vec![],
            "Tags".into(),
            "not a map of keys to values",
        ),
        (
            format!(
                "{STACK}Tags: {{{}}}\n",
                (0..51)
                    .map(|i| format!("k{i}: v"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            vec![],
            "Tags".into(),
            "at most 50",
        ),
        (
            format!("{STACK}Tag: {{team: hpc}}\n"),
            vec![],
            "Tag".into(),
            "did you mean Tags?",
        ),
        // AlarmTopicArn: an SNS topic ARN, and EmailAddress not beside it.
        (
            format!("{STACK}AlarmTopicArn: {TEAM_TOPIC}\n"),
            vec![],
            "EmailAddress".into(),
            "not both",
        ),
        (
            STACK.into(),
            vec!["--alarm-topic-arn", TEAM_TOPIC],
            "EmailAddress".into(),
            "AlarmTopicArn arn:aws:sns:eu-central-1:123456789012:team-alarms is given too",
        ),
        (
            "FileSystemId: fs-0123456789abcdef0\nAlarmTopicArn: arn:aws:sqs:eu-central-1:123456789012:q\n".into(),
            vec![],
            "AlarmTopicArn".into(),
            "not an sns ARN",
        ),
        (
            one(&format!("{{AlarmTopicArn: {TEAM_TOPIC}}}")),
            vec![],
            "Schedules.nightly-export.AlarmTopicArn".into(),
            "stack-wide",
        ),
        // FollowUpCapMinutes: whole minutes from 1 to 60, stack-wide.
        (
            format!("{STACK}FollowUpCapMinutes: 90\n"),
            vec![],
            "FollowUpCapMinutes".into(),
            "from 1 to 60",
        ),
        (
            STACK.into(),
            vec!["--follow-up-cap", "0"],
            "FollowUpCapMinutes".into(),
            "--follow-up-cap",
        ),
        (
            one("{FollowUpCapMinutes: 10}"),
            vec![],
            "Schedules.nightly-export.FollowUpCapMinutes".into(),
            "stack-wide",
        ),
    ];
    assert!(cases.len() >= 20);
    for (i, (text, flags, place, says)) in cases.iter().enumerate() {
        let out = validate_file(&format!("definition-{i}.yaml"), text, flags);
        let case = format!("{text}{flags:?}");
        let named = out.stderr.contains(&format!("- {place} "))
            || out.stderr.contains(&format!("- {place}:"));
        let refused = out.code == 2
            && named
            && out.stderr.contains(says)
            && out.stderr.contains("fix:")
            && out.stdout.is_empty();
        assert!(
            refused,
            "{case}: exit {}, should name {place}, say {says} and give a fix, printing no result:\n{}{}",
            out.code, out.stderr, out.stdout
        );
    }
}

#[test]
fn tags_in_a_map_or_cloudformations_list_are_no_parameter() {
    for tags in [
        "{team: hpc, cost-center: 42}",
        "[{Key: team, Value: hpc}, {Key: cost-center, Value: \"42\"}]",
    ] {
        let text = format!("{STACK}Tags: {tags}\n");
        let out = validate_file("tagged.yaml", &text, &["--output", "json"]);
        valid_json(&out);
    }
}

/// With a team topic, no address is needed (nor asked for), from the file or the environment.
#[test]
fn a_team_topic_takes_the_place_of_the_address() {
    let text = format!("FileSystemId: fs-0123456789abcdef0\nAlarmTopicArn: {TEAM_TOPIC}\n");
    let out = validate_file("team.yaml", &text, &["--output", "json"]);
    let json = valid_json(&out);
    assert_eq!(json["parameters"]["AlarmTopicArn"], TEAM_TOPIC, "{json}");
    assert_eq!(json["parameters"]["EmailAddress"], "", "{json}");
    let fixed = format!(
        "validate --no-input --after {AFTER} --output json --file-system-id fs-0123456789abcdef0"
    );
    let out = run(fsx_drt()
        .args(fixed.split(' '))
        .env("FSX_DRT_ALARM_TOPIC_ARN", TEAM_TOPIC));
    let json = valid_json(&out);
    assert_eq!(json["sources"]["AlarmTopicArn"], "environment", "{json}");
    // Without it, the address is required as ever.
    let out = run(fsx_drt().args(fixed.split(' ')));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("EmailAddress is required"),
        "{}",
        out.stdout
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let json = r#"{"FileSystemId": "fs-0123456789abcdef0", "EmailAddress": "a@b.co",
 "Schedules": {"a": {"Timezone": "Nowhere", "FlexibleWindowMinutes": 0},
               "b_c": {"Enabled": "yes"}}}"#;
    let out = validate_file("several.json", json, &["--output", "json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let places: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "Schedules.a.Timezone",
            "Schedules.a.FlexibleWindowMinutes",
            "Schedules.b_c",
            "Schedules.b_c.Enabled"
        ]
    );
}

#[test]
fn the_issue_definition_lists_every_schedule() {
    let out = validate_file("issue.yaml", ISSUE, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = [
        "Schedule morning-import (enabled): Import /projects",
        "cron(30 5 ? * MON-FRI *) in Europe/Berlin: runs at 05:30 Europe/Berlin on MON-FRI",
        "Schedule nightly-export (enabled): Export /projects \"/scratch/run 1\"",
        "Schedule weekly-release (enabled): Release /",
        "releases files idle 14 days",
        "next (UTC): 2026-11-26T04:30:00Z, 2026-11-27T04:30:00Z",
    ];
    let missing: Vec<&str> = lines
        .into_iter()
        .filter(|line| !out.stdout.contains(line))
        .collect();
    assert!(missing.is_empty(), "{missing:?} missing:\n{}", out.stdout);

    let out = validate_file(
        "issue-json.yaml",
        ISSUE,
        &[
            "--output=json",
            "--schedule-name=nightly-export",
            "--paths=/from-flag",
        ],
    );
    let json = valid_json(&out);
    let schedules = the_issues_three(&json);
    assert_eq!(schedules[1]["paths"], "/from-flag");
    assert_eq!(schedules[0]["paths"], "/projects");
    assert_eq!(schedules[1]["timezone"], "Europe/Berlin");
    assert_eq!(schedules[1]["next_runs"][0], "2026-11-25T21:00:00Z");
    assert_eq!(json["parameters"]["FileSystemId"], "fs-0123456789abcdef0");
    assert!(json["parameters"].get("Schedule").is_none(), "per schedule");
}

#[test]
fn a_flat_definition_is_one_schedule_named_default() {
    let reference = std::fs::read_to_string("examples/parameters.json").unwrap();
    let out = validate_file(
        "reference.json",
        &reference,
        &["--output", "json", "--email", "ops@example.com"],
    );
    let json = valid_json(&out);
    assert_eq!(json["schedules"][0]["name"], "default");
    assert_eq!(json["schedules"][0]["timezone"], "UTC");
    assert_eq!(json["parameters"]["Schedule"], "cron(15 6 * * ? *)");
}

/// `fsx-drt template --parameters-file` prints what deploy sends for a definition: one
/// schedule resource each, in its zone; a bad definition is exit 2 naming the place.
#[test]
fn the_template_for_a_definition() {
    let path = temp_file("issue-template.yaml", ISSUE);
    let out = run(fsx_drt().args(["template", "--parameters-file"]).arg(&path));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let template: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schedules: Vec<(&String, &serde_json::Value)> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Scheduler::Schedule")
        .collect();
    assert_eq!(schedules.len(), 3);
    for (id, schedule) in schedules {
        let p = &schedule["Properties"];
        assert_eq!(p["ScheduleExpressionTimezone"], "Europe/Berlin", "{id}");
        let input: serde_json::Value =
            serde_json::from_str(p["Target"]["Input"].as_str().unwrap()).unwrap();
        assert_eq!(input["Schedule"], p["Name"], "{id}");
    }
    // The written template's per-schedule parameters are not in it.
    assert!(template["Parameters"].get("Schedule").is_none());

    // After: the schedule waited for, with its shortest gap between runs (the nightly export's
    // is 23 hours, on the night Berlin's clocks go forward); MaxDeferMinutes: until the
    // schedule's next run.
    let ordered = temp_file(
        "ordered-template.yaml",
        &ISSUE.replace(
            "SUN *\", Timezone",
            "SUN *\", After: nightly-export, Timezone",
        ),
    );
    let out = run(fsx_drt()
        .args(["template", "--parameters-file"])
        .arg(&ordered));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let template: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let input = |id: &str| -> serde_json::Value {
        let p = &template["Resources"][id]["Properties"];
        serde_json::from_str(p["Target"]["Input"].as_str().unwrap()).unwrap()
    };
    let release = input("ScheduleWeeklyRelease");
    assert_eq!(
        release["After"],
        serde_json::json!({"Schedule": "nightly-export", "WithinMinutes": 1380})
    );
    assert_eq!(release["MaxDeferMinutes"], 1440);
    assert_eq!(input("ScheduleNightlyExport")["MaxDeferMinutes"], 1379);
    assert!(input("ScheduleNightlyExport").get("After").is_none());

    let bad = temp_file(
        "bad-template.yaml",
        &ISSUE.replace("Timezone: Europe/Berlin", "Timezone: Europe/Berln"),
    );
    let out = run(fsx_drt().args(["template", "--parameters-file"]).arg(&bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("Schedules.morning-import.Timezone"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

/// `fsx-drt plan` on a definition: each schedule's own request, tagged with its name.
#[test]
fn plan_shows_each_schedules_request() {
    let text = ISSUE
        .replace("/projects", "/drt-test")
        .replace(", \"/scratch/run 1\"", "")
        .replace(
            "ReleaseAfterDays: 14,",
            "ReleaseAfterDays: 14, Paths: [/drt-test],",
        );
    let path = temp_file("plan-schedules.yaml", &text);
    let out = run(fsx_drt()
        .args([
            "plan",
            "--no-input",
            "--output",
            "json",
            "--parameters-file",
        ])
        .arg(&path)
        .args(["--repositories", "tests/data/associations.json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schedules = the_issues_three(&json);
    let types: Vec<&str> = schedules
        .iter()
        .map(|s| s["request"]["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "IMPORT_METADATA_FROM_REPOSITORY",
            "EXPORT_TO_REPOSITORY",
            "RELEASE_DATA_FROM_FILESYSTEM"
        ]
    );
    for s in schedules {
        let tags = s["request"]["Tags"].to_string();
        assert!(tags.contains(s["name"].as_str().unwrap()), "{tags}");
    }
    // A path no repository covers is named at its schedule.
    let uncovered = temp_file(
        "plan-uncovered.yaml",
        &text.replace(
            "Paths: [/drt-test], Schedule: \"0 3",
            "Paths: [/elsewhere], Schedule: \"0 3",
        ),
    );
    let out = run(fsx_drt()
        .args(["plan", "--no-input", "--parameters-file"])
        .arg(&uncovered)
        .args(["--repositories", "tests/data/associations.json"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("Schedules.weekly-release.Paths"),
        "{}",
        out.stderr
    );
}

/// The `schedules` of a JSON result, checked to be the issue's three, in name order.
fn the_issues_three(json: &serde_json::Value) -> &Vec<serde_json::Value> {
    let schedules = json["schedules"].as_array().unwrap();
    let names: Vec<&str> = schedules
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["morning-import", "nightly-export", "weekly-release"]
    );
    schedules
}

/// Two schedules of one file system due in the same minute are warned about, in real time:
/// 22:00 in Berlin is 21:00 UTC in winter (a clash with 21:00 UTC) but 20:00 UTC in summer.
#[test]
fn schedules_due_in_the_same_minute_are_warned_of() {
    let text = format!(
        "{STACK}Schedules:\n  a-export: {{TaskType: Export, Paths: [/p], Schedule: \"0 22 * * ? *\", Timezone: Europe/Berlin}}\n  b-import: {{TaskType: Import, Paths: [/p], Schedule: \"0 21 * * ? *\"}}\n"
    );
    let path = temp_file("same-minute.yaml", &text);
    let at = |after: &str| {
        let args = format!("validate --no-input --output json --after {after} --parameters-file");
        let out = run(fsx_drt().args(args.split(' ')).arg(&path));
        valid_json(&out)["warnings"].clone()
    };
    let winter = at("2026-12-01T00:00:00Z");
    assert!(
        winter[0]
            .as_str()
            .unwrap()
            .starts_with("a-export and b-import are both due at 2026-12-01 21:00 UTC"),
        "{winter}"
    );
    // Summer: no clash until the clocks go back in October.
    let summer = at("2026-06-01T00:00:00Z");
    assert!(summer.is_null(), "{summer}");
}

/// `deploy --guided` asks for every setting: with nobody to ask it is exit 2 before any AWS
/// call (nothing listens at the endpoint given).
#[test]
fn guided_needs_someone_to_answer() {
    let args = "deploy --stack-name s --guided --no-input --region us-east-1 --endpoint-url http://127.0.0.1:9";
    let out = run(fsx_drt().args(args.split(' ')));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--guided"), "{}", out.stderr);
    assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
}

/// ReleaseWhenFreeBelowPercent out of range or without a Release schedule to run: exit 2
/// naming the key and its value, before any AWS call; in range, the template carries the
/// capacity alarm (conditional on the threshold deploy computes).
#[test]
fn release_when_free_below_is_checked_before_any_aws_call() {
    let bad = temp_file(
        "capacity-bad.yaml",
        &format!("{ISSUE}ReleaseWhenFreeBelowPercent: 150\n"),
    );
    let out = run(fsx_drt().args(["template", "--parameters-file"]).arg(&bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("ReleaseWhenFreeBelowPercent") && out.stderr.contains("150"),
        "{}",
        out.stderr
    );
    let good = temp_file(
        "capacity-good.yaml",
        &format!("{ISSUE}ReleaseWhenFreeBelowPercent: 20\n"),
    );
    let out = run(fsx_drt().args(["template", "--parameters-file"]).arg(&good));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let template: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        template["Resources"]["FreeCapacityAlarm"]["Condition"],
        "HasCapacityAlarm"
    );
}
