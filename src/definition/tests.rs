//! The definition's unit tests: files in, a definition or every problem by its place out.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fsx_drt_core::TaskType;

use super::*;
use crate::params::{Problem, Values};

const NOW: &str = "2026-11-25T07:43:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

/// The issue's example: three schedules in Berlin time.
const ISSUE: &str = include_str!("../../tests/offline/schedules.yaml");

fn draft_with(text: &str, flags: &[(Param, &str)], name: Option<&str>) -> Draft {
    let file = read("d.yaml", text.as_bytes()).expect("a document");
    let flags: Values = flags.iter().map(|(p, v)| (*p, v.to_string())).collect();
    Draft::new(&flags, name, Some(("d.yaml".into(), file)), &Values::new())
}

fn ok(text: &str) -> Definition {
    validate(&draft_with(text, &[], None), now()).unwrap()
}

fn problems(text: &str) -> Vec<Problem> {
    validate(&draft_with(text, &[], None), now()).unwrap_err()
}

/// The problem at `place`, whose problem or fix says `says`.
fn named(text: &str, place: &str, says: &str) {
    let found = problems(text);
    assert!(
        found
            .iter()
            .any(|p| p.parameter == place && (p.problem.contains(says) || p.fix.contains(says))),
        "{place} / {says}: {found:#?}"
    );
}

/// The issue's definition with one schedule's keys replaced.
fn one(schedule: &str) -> String {
    format!("FileSystemId: fs-0123456789abcdef0\nEmailAddress: ops@example.com\nSchedules:\n  nightly: {schedule}\n")
}

#[test]
fn the_issue_example_is_three_schedules_sorted_by_name() {
    let d = ok(ISSUE);
    let names: Vec<&str> = d.schedules.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["morning-import", "nightly-export", "weekly-release"]
    );
    assert_eq!(d.email_addresses, ["hpc-ops@example.com"]);
    assert_eq!(d.log_retention_days, 30);
    let release = &d.schedules[2];
    assert_eq!(release.task_type, TaskType::Release);
    assert_eq!(release.release_after_days, Some(14));
    assert_eq!(release.timezone, Tz::Europe__Berlin);
    assert!(release.enabled && release.flexible_window_minutes.is_none());
    assert_eq!(
        fsx_drt_core::render_paths(&d.schedules[1].paths),
        "/projects \"/scratch/run 1\""
    );
    // 05:30 in Berlin is 04:30 UTC in winter; Thursday 26 November is the next weekday.
    let morning = &d.schedules[0];
    assert_eq!(
        crate::workflows::upcoming::rfc3339(&morning.upcoming(now(), 2)),
        ["2026-11-26T04:30:00Z", "2026-11-27T04:30:00Z"]
    );
    assert_eq!(morning.describe(), "at 05:30 Europe/Berlin on MON-FRI");
}

#[test]
fn a_flat_file_is_one_schedule_named_default() {
    let text = include_str!("../../examples/parameters.json");
    let d = ok(text);
    assert_eq!(d.schedules.len(), 1);
    let s = &d.schedules[0];
    assert_eq!((s.name.as_str(), s.timezone), (DEFAULT_NAME, Tz::UTC));
    assert_eq!(s.expression.expression(), "cron(15 6 * * ? *)");
    // The same parameters as the flat validation gives.
    let p = d.parameters(s);
    assert_eq!(p.task_type, TaskType::Import);
    // A flat YAML map takes a schedule's own keys at the top level too; problems keep the
    // bare key as their place.
    let d = ok("FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nTimezone: Asia/Tokyo\n");
    assert_eq!(d.schedules[0].timezone, Tz::Asia__Tokyo);
    named(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nTimezone: Mars/Olympus\n",
        "Timezone",
        "not an IANA time zone",
    );
    // --schedule-name names a flat definition's schedule.
    let draft = draft_with(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\n",
        &[],
        Some("hourly"),
    );
    assert_eq!(validate(&draft, now()).unwrap().schedules[0].name, "hourly");
    let draft = draft_with(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\n",
        &[],
        Some("a b"),
    );
    let found = validate(&draft, now()).unwrap_err();
    assert_eq!(found[0].parameter, "--schedule-name", "{found:?}");
}

#[test]
fn flags_apply_to_the_named_schedule_only() {
    let flags = [(Param::Paths, "/from-flag"), (Param::LogRetentionDays, "7")];
    let draft = draft_with(ISSUE, &flags, Some("nightly-export"));
    let d = validate(&draft, now()).unwrap();
    let paths: Vec<String> = d
        .schedules
        .iter()
        .map(|s| fsx_drt_core::render_paths(&s.paths))
        .collect();
    assert_eq!(paths, ["/projects", "/from-flag", "/"]);
    assert_eq!(d.log_retention_days, 7, "stack-wide flags apply to all");

    let found = validate(&draft_with(ISSUE, &flags, None), now()).unwrap_err();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].parameter, "--schedule-name");
    assert!(found[0].problem.contains("--paths"), "{:?}", found[0]);
    let found = validate(&draft_with(ISSUE, &[], Some("nightly")), now()).unwrap_err();
    assert!(
        found[0].fix.contains("morning-import, nightly-export"),
        "{:?}",
        found[0]
    );
    // FSX_DRT_* variables for a schedule's keys need a name too; they rank below the file.
    let file = read("d.yaml", ISSUE.as_bytes()).unwrap();
    let env: Values = [(Param::Schedule, "rate(1 hour)".to_string())].into();
    let draft = Draft::new(
        &Values::new(),
        None,
        Some(("d.yaml".into(), file.clone())),
        &env,
    );
    let found = validate(&draft, now()).unwrap_err();
    assert!(found[0].problem.contains("FSX_DRT_SCHEDULE"), "{found:?}");
    let env: Values = [
        (Param::Schedule, "rate(1 hour)".to_string()),
        (Param::ReleaseAfterDays, "3".to_string()),
        (Param::TaskCompletionReportPath, "/env-reports".to_string()),
    ]
    .into();
    let draft = Draft::new(
        &Values::new(),
        Some("weekly-release"),
        Some(("d.yaml".into(), file)),
        &env,
    );
    let d = validate(&draft, now()).unwrap();
    let weekly = &d.schedules[2];
    assert_eq!(weekly.report_path.as_str(), "/env-reports");
    assert_eq!(
        d.schedules[0].report_path.as_str(),
        "/fsx-drt-completion-reports"
    );
    assert_eq!(weekly.expression.expression(), "cron(0 3 ? * SUN *)");
    assert_eq!(weekly.release_after_days, Some(14));
    // Stack-wide flags alone need no name.
    let only_stack = [(Param::LogRetentionDays, "7")];
    assert!(validate(&draft_with(ISSUE, &only_stack, None), now()).is_ok());
}

#[test]
fn names_follow_the_stricter_rule_and_are_unique_ignoring_case() {
    for bad in [
        "nightly_export",
        "nightly.export",
        "nächtlich",
        &"a".repeat(65),
    ] {
        assert!(validate_name(bad).is_err(), "{bad}");
    }
    for good in ["a", "Nightly-Export-2", &"a".repeat(64)] {
        assert!(validate_name(good).is_ok(), "{good}");
    }
    named(
        &one("{}").replace("nightly:", "nightly_x:"),
        "Schedules.nightly_x",
        "only letters",
    );
    let twice = format!("{}  Nightly: {{}}\n", one("{}"));
    named(&twice, "Schedules.Nightly", "differ only in case");
}

#[test]
fn every_problem_is_named_by_its_place() {
    let text = one(
        "{Timezone: Europe/Berln, FlexibleWindowMinutes: 0, Enabled: yes, TaskType: Sync, Schedul: x}",
    );
    let found = problems(&text);
    let places: Vec<&str> = found.iter().map(|p| p.parameter.as_str()).collect();
    for place in [
        "Schedules.nightly.Schedul",
        "Schedules.nightly.TaskType",
        "Schedules.nightly.Timezone",
        "Schedules.nightly.FlexibleWindowMinutes",
        "Schedules.nightly.Enabled",
    ] {
        assert!(places.contains(&place), "{place}: {places:?}");
    }
    named(
        &text,
        "Schedules.nightly.Timezone",
        "did you mean Europe/Berlin?",
    );
    named(&text, "Schedules.nightly.Schedul", "did you mean Schedule?");
}

#[test]
fn a_busy_run_is_deferred_until_the_schedule_s_next_run_at_most_a_day_unless_told() {
    let bound = |schedule: &str| ok(&one(schedule)).schedules[0].max_defer_minutes;
    assert_eq!(bound("{Schedule: \"rate(1 hour)\"}"), 59);
    assert_eq!(bound("{Schedule: \"cron(0 22 * * ? *)\"}"), 1439);
    assert_eq!(bound("{Schedule: \"cron(0 22 ? * SUN *)\"}"), 1440);
    assert_eq!(bound("{Schedule: \"rate(1 hour)\", MaxDeferMinutes: 0}"), 0);
    assert_eq!(
        bound("{Schedule: \"rate(1 hour)\", MaxDeferMinutes: 600}"),
        600
    );
    named(
        &one("{MaxDeferMinutes: two hours}"),
        "Schedules.nightly.MaxDeferMinutes",
        "0 to 1440",
    );
}

#[test]
fn scheduler_settings() {
    let d = ok(&one(
        "{StartDate: 2027-01-01, EndDate: \"2027-06-30T18:00:00+02:00\", FlexibleWindowMinutes: 15, Enabled: false}",
    ));
    let s = &d.schedules[0];
    assert_eq!(s.start_date_iso().unwrap(), "2027-01-01T00:00:00Z");
    assert_eq!(s.end_date_iso().unwrap(), "2027-06-30T16:00:00Z");
    assert_eq!((s.flexible_window_minutes, s.enabled), (Some(15), false));
    // Runs start at StartDate.
    assert_eq!(
        crate::workflows::upcoming::rfc3339(&s.upcoming(now(), 1)),
        ["2027-01-01T00:00:00Z"]
    );
    assert_eq!(
        ok(&one("{FlexibleWindowMinutes: \"OFF\"}")).schedules[0].flexible_window_minutes,
        None
    );
    named(
        &one("{FlexibleWindowMinutes: 1441}"),
        "Schedules.nightly.FlexibleWindowMinutes",
        "1 to 1440",
    );
    named(
        &one("{StartDate: 2027-02-01, EndDate: 2027-01-01}"),
        "Schedules.nightly.EndDate",
        "not after StartDate",
    );
    named(
        &one("{StartDate: tomorrow}"),
        "Schedules.nightly.StartDate",
        "ISO 8601",
    );
    named(
        &one("{TaskType: Export, ReleaseAfterDays: 7}"),
        "Schedules.nightly.ReleaseAfterDays",
        "only to Release",
    );
}

#[test]
fn at_in_the_past_is_named_in_the_schedules_zone() {
    // 08:00 in Berlin on 25 November is 07:00 UTC, before NOW (07:43 UTC).
    named(
        &one("{Schedule: \"at(2026-11-25T08:00:00)\", Timezone: Europe/Berlin}"),
        "Schedules.nightly.Schedule",
        "2026-11-25T07:00:00Z is past",
    );
    assert_eq!(
        rules::at_time("at(2026-11-25T09:00:00)", Tz::Europe__Berlin).unwrap(),
        DateTime::parse_from_rfc3339("2026-11-25T08:00:00Z").unwrap()
    );
    assert_eq!(rules::at_time("cron(0 0 * * ? *)", Tz::UTC), None);
}

#[test]
fn the_file_says_what_is_misplaced() {
    named(
        &format!("{}TaskType: Import\n", one("{}")),
        "TaskType",
        "also has Schedules",
    );
    named(
        &one("{FileSystemId: fs-0123abcd}"),
        "Schedules.nightly.FileSystemId",
        "stack-wide",
    );
    named(&one("[1, 2]"), "Schedules.nightly", "not a map of keys");
    named(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nSchedules: [a]\n",
        "Schedules",
        "not a map",
    );
    named(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nShedules: {}\n",
        "Shedules",
        "did you mean Schedules?",
    );
    named(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nTimezon: UTC\n",
        "Timezon",
        "did you mean Timezone?",
    );
}

#[test]
fn how_many_schedules() {
    named(
        "FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nSchedules: {}\n",
        "Schedules",
        "no schedules",
    );
    let many: String = (0..=MAX_SCHEDULES)
        .map(|i| format!("  s{i}: {{}}\n"))
        .collect();
    let text = format!("FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nSchedules:\n{many}");
    named(&text, "Schedules", "51 schedules");
    let fifty: String = (0..MAX_SCHEDULES)
        .map(|i| format!("  s{i}: {{}}\n"))
        .collect();
    let text = format!("FileSystemId: fs-0123abcd\nEmailAddress: a@b.co\nSchedules:\n{fifty}");
    assert_eq!(ok(&text).schedules.len(), MAX_SCHEDULES);
}

#[test]
fn stack_wide_problems_are_reported_once() {
    let text = ISSUE.replace("fs-0123456789abcdef0", "fs-1");
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].parameter, "FileSystemId");
}

#[test]
fn email_addresses_may_be_a_list() {
    let text = ISSUE.replace(
        "hpc-ops@example.com",
        "[hpc-ops@example.com, oncall@example.com]",
    );
    assert_eq!(
        ok(&text).email_addresses,
        ["hpc-ops@example.com", "oncall@example.com"]
    );
    let text = ISSUE.replace("hpc-ops@example.com", "[hpc-ops@example.com, oncall]");
    named(&text, "EmailAddress", "not an email address");
}

#[test]
fn time_zones_suggest_close_names() {
    assert_eq!(parse_timezone("Europe/Berlin").unwrap(), Tz::Europe__Berlin);
    for (bad, suggestion) in [
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("Europe/Frankfurt", ""),
    ] {
        let fix = parse_timezone(bad).unwrap_err().fix;
        assert!(fix.contains(suggestion), "{bad}: {fix}");
    }
}

/// What `deploy --guided` saves reads back as the same definition.
#[test]
fn guided_answers_saved_read_back_the_same() {
    let flat = "FileSystemId: fs-0123456789abcdef0\nEmailAddress: ops@example.com\nSchedule: \"30 5 ? * MON-FRI *\"\nPaths: /projects \"/scratch/run 1\"\nTaskType: Import\nTimezone: Australia/Adelaide\n";
    let draft = draft_with(flat, &[], None);
    let saved = flat_yaml(&draft.schedules[0]);
    let again = draft_with(&saved, &[], None);
    let (a, b) = (
        validate(&draft, now()).unwrap(),
        validate(&again, now()).unwrap(),
    );
    assert_eq!(format!("{:?}", a.schedules), format!("{:?}", b.schedules));
    assert_eq!(b.schedules[0].timezone, Tz::Australia__Adelaide);
    assert_eq!(a.file_system_id, b.file_system_id);
}
