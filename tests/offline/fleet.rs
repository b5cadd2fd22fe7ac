//! Fleet files (`--fleet`): Defaults merged into each member, and every problem of every
//! member named by its member and place, exit 2, before anything is asked of AWS.

use chrono::{TimeZone, Utc};
use fsx_drt::workflows::fleet::file::read;
use fsx_drt::workflows::fleet::Member;
use serde_json::Value;

use crate::cli::{fsx_drt, run, temp_file};

const DEFAULTS: &str = r#"
Defaults:
  EmailAddress: hpc-ops@example.com
  Tags: {team: hpc, cost-center: "42"}
  Schedules:
    nightly-export: {TaskType: Export, Schedule: "0 22 * * ? *", Timezone: Europe/Berlin, Paths: /data}
"#;

fn members(yaml: &str, region: Option<&str>) -> Result<Vec<Member>, fsx_drt::error::Failure> {
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 7, 43, 0).unwrap();
    read(
        "fleet.yaml",
        format!("{DEFAULTS}{yaml}").as_bytes(),
        region,
        now,
    )
    .map(|fleet| fleet.members)
}

fn places(failure: &fsx_drt::error::Failure) -> Vec<&str> {
    failure
        .problems
        .iter()
        .map(|p| p.parameter.as_str())
        .collect()
}

#[test]
fn a_member_overrides_defaults_key_by_key_schedules_by_name_then_key() {
    let fleet = members(
        r#"
Members:
  genomics: {FileSystemId: fs-0123456789abcdef0, Region: eu-central-1}
  cfd:
    FileSystemId: fs-0fedcba9876543210
    Region: us-east-1
    StackName: cfd-scheduler
    EmailAddress: cfd@example.com
    Tags: {team: cfd}
    Schedules:
      nightly-export: {Schedule: "0 23 * * ? *"}
      weekly-import: {TaskType: Import, Schedule: "0 4 ? * SUN *", Paths: /in}
"#,
        None,
    )
    .unwrap();
    let [genomics, cfd] = fleet.as_slice() else {
        panic!("two members: {fleet:?}")
    };
    // The defaults alone.
    assert_eq!(genomics.stack_name, "fsx-drt-genomics");
    assert_eq!(genomics.region, "eu-central-1");
    assert_eq!(genomics.definition.email_addresses, ["hpc-ops@example.com"]);
    let nightly = &genomics.definition.schedules[0];
    assert_eq!(nightly.expression.expression(), "cron(0 22 * * ? *)");
    assert_eq!(nightly.timezone.name(), "Europe/Berlin");
    assert_eq!(
        genomics.draft.tags,
        [
            ("team".into(), "hpc".into()),
            ("cost-center".into(), "42".into())
        ]
    );
    // The member's keys win; the default schedule's other keys stay; its own schedule joins.
    assert_eq!(cfd.stack_name, "cfd-scheduler");
    assert_eq!(cfd.definition.email_addresses, ["cfd@example.com"]);
    let names: Vec<&str> = cfd
        .definition
        .schedules
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["nightly-export", "weekly-import"]);
    let nightly = &cfd.definition.schedules[0];
    assert_eq!(nightly.expression.expression(), "cron(0 23 * * ? *)");
    assert_eq!(nightly.timezone.name(), "Europe/Berlin");
    assert_eq!(nightly.paths[0].to_string(), "/data");
    assert_eq!(
        cfd.draft.tags,
        [
            ("team".into(), "cfd".into()),
            ("cost-center".into(), "42".into())
        ]
    );
}

#[test]
fn region_from_defaults_or_the_flag_and_account_kept() {
    let fleet = members(
        "Members:\n  a: {FileSystemId: fs-0123456789abcdef0, Account: \"123456789012\"}\n",
        Some("eu-west-1"),
    )
    .unwrap();
    assert_eq!(fleet[0].region, "eu-west-1");
    assert_eq!(fleet[0].account.as_deref(), Some("123456789012"));
    let yaml = format!("{DEFAULTS}  Region: ap-southeast-2\nMembers:\n  a: {{FileSystemId: fs-0123456789abcdef0}}\n");
    let now = Utc::now();
    let fleet = read("f.yaml", yaml.as_bytes(), Some("eu-west-1"), now)
        .unwrap()
        .members;
    assert_eq!(
        fleet[0].region, "ap-southeast-2",
        "the file's Region wins over --region"
    );
}

#[test]
fn every_problem_of_every_member_is_named_by_its_place() {
    let failure = members(
        r#"
Members:
  genomics: {FileSystemId: fs-01, Region: eu-central-1}
  cfd: {FileSystemId: fs-0fedcba9876543210, Account: "12345", Schedules: {nightly-export: {Timezone: Europe/Berln}}}
  bad_name: {FileSystemId: fs-0fedcba9876543210, Region: us-east-1, StackName: other}
  dup: {FileSystemId: fs-0fedcba9876543210, Region: eu-central-1, StackName: fsx-drt-genomics, Colour: red}
  list: [1, 2]
"#,
        None,
    )
    .unwrap_err();
    assert_eq!(failure.exit_code, 2);
    let mut found = places(&failure);
    found.sort();
    assert_eq!(
        found,
        [
            "Members.bad_name",
            "Members.cfd.Account",
            "Members.cfd.Region",
            "Members.cfd.Schedules.nightly-export.Timezone",
            "Members.dup.Colour",
            "Members.dup.StackName",
            "Members.genomics.FileSystemId",
            "Members.list",
        ],
        "{failure}"
    );
    let timezone = &failure
        .problems
        .iter()
        .find(|p| p.parameter.ends_with("Timezone"))
        .unwrap();
    assert!(timezone.fix.contains("Europe/Berlin"), "{timezone:?}");
    let dup = failure
        .problems
        .iter()
        .find(|p| p.parameter == "Members.dup.StackName")
        .unwrap();
    assert!(
        dup.problem
            .contains("member genomics deploys stack fsx-drt-genomics in eu-central-1"),
        "{dup:?}"
    );
}

#[test]
fn a_file_without_members_or_with_unknown_keys_is_refused() {
    let now = Utc::now();
    let failure = read(
        "f.yaml",
        b"Defaults: {EmailAddress: a@example.com}\n",
        None,
        now,
    )
    .unwrap_err();
    assert_eq!(places(&failure), ["Members"]);
    let failure = read(
        "f.yaml",
        b"Member: {}\nDefaults:\n  StackName: x\n",
        None,
        now,
    )
    .unwrap_err();
    assert_eq!(
        places(&failure),
        ["Member", "Defaults.StackName"],
        "{failure}"
    );
    assert!(failure.problems[0].fix.contains("Members"), "{failure}");
}

#[test]
fn validate_fleet_exits_2_before_any_aws_call_and_0_with_a_row_per_member() {
    let bad = temp_file(
        "fleet-bad.yaml",
        &format!("{DEFAULTS}Members:\n  a: {{FileSystemId: fs-01, Region: eu-central-1}}\n  b: {{FileSystemId: fs-0123456789abcdef0}}\n"),
    );
    let out = run(fsx_drt()
        .args(["validate", "--output", "json", "--fleet"])
        .arg(&bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let named: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["Members.a.FileSystemId", "Members.b.Region"]);

    let good = temp_file(
        "fleet-good.yaml",
        &format!("{DEFAULTS}Members:\n  a: {{FileSystemId: fs-0123456789abcdef0, Region: eu-central-1}}\n  b: {{FileSystemId: fs-0123456789abcdef1}}\n"),
    );
    let out = run(fsx_drt()
        .args([
            "validate",
            "--output",
            "json",
            "--region",
            "us-east-1",
            "--fleet",
        ])
        .arg(&good));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["summary"]["succeeded"], 2);
    assert_eq!(json["members"][1]["region"], "us-east-1");
    assert_eq!(json["members"][1]["stack_name"], "fsx-drt-b");
    // Deploy checks the file the same way, before touching AWS (no endpoint is reachable).
    let out = run(fsx_drt()
        .args([
            "deploy",
            "--yes",
            "--no-input",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--fleet",
        ])
        .arg(&bad));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("Members.a.FileSystemId"),
        "{}",
        out.stderr
    );
}

#[test]
fn fleet_flags_need_a_fleet_and_exclude_a_stack() {
    let out = run(fsx_drt().args(["deploy", "--stack-name", "s", "--fail-fast"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(fsx_drt().args(["status", "--stack-name", "s", "--fleet", "f.yaml"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(fsx_drt().args(["destroy"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--stack-name"), "{}", out.stderr);
}

#[test]
fn validate_fleet_checks_a_fleet_of_several_accounts_fits_one_stack_set() {
    let file = temp_file(
        "fleet-accounts.yaml",
        &format!(
            "{DEFAULTS}Members:\n  \
             a: {{FileSystemId: fs-0123456789abcdef0, Region: eu-central-1, Account: '222222222222'}}\n  \
             b: {{FileSystemId: fs-0123456789abcdef1, Region: eu-central-1, Account: '333333333333', Schedules: {{other: {{TaskType: Import, Schedule: 'rate(1 hour)'}}}}}}\n  \
             c: {{FileSystemId: fs-0123456789abcdef2, Region: eu-central-1, Account: '222222222222'}}\n  \
             d: {{FileSystemId: fs-0123456789abcdef3, Region: us-east-1, Account: '333333333333', ReleaseWhenFreeBelowPercent: 20, Schedules: {{release: {{TaskType: Release, Schedule: 'rate(1 day)', Enabled: false}}}}}}\n"
        ),
    );
    let out = run(fsx_drt()
        .args(["validate", "--output", "json", "--fleet"])
        .arg(&file));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let named: Vec<&str> = (json["problems"].as_array().unwrap().iter())
        .map(|p| p["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(
        named,
        [
            "Members.c.Region",
            "Members.d.ReleaseWhenFreeBelowPercent",
            "Members.b.Schedules",
            "Members.d.Schedules"
        ],
        "{}",
        out.stdout
    );
}

#[test]
fn the_fleet_is_named_by_name_else_by_the_file_and_every_member_is_tagged_with_it() {
    let now = Utc::now();
    let members = "Members:\n  a: {FileSystemId: fs-0123456789abcdef0, Region: eu-west-1, EmailAddress: a@example.com}\n";
    let fleet = read("dir/hpc-fleet.yaml", members.as_bytes(), None, now).unwrap();
    assert_eq!(fleet.name, "hpc-fleet", "the file's stem");
    let named = format!("Name: genomics-2\n{members}");
    let fleet = read("dir/hpc-fleet.yaml", named.as_bytes(), None, now).unwrap();
    assert_eq!(fleet.name, "genomics-2");
    assert_eq!(
        fleet.members[0].tags,
        [
            ("fsx-drt:fleet".to_string(), "genomics-2".to_string()),
            ("fsx-drt:member".to_string(), "a".to_string())
        ]
    );
    let long = "a".repeat(101);
    for (file, name, value) in [
        ("f.yaml", "Name: 2fleet\n", "2fleet"),
        ("f.yaml", "Name: has_underscore\n", "has_underscore"),
        ("f.yaml", &format!("Name: {long}\n")[..], &long[..]),
        ("my_fleet.yaml", "", "my_fleet"),
    ] {
        let failure = read(file, format!("{name}{members}").as_bytes(), None, now).unwrap_err();
        assert_eq!(failure.exit_code, 2);
        assert_eq!(places(&failure), ["Name"], "{failure}");
        let problem = &failure.problems[0];
        assert_eq!(problem.value.as_deref(), Some(value));
        assert!(problem.fix.contains("Name: hpc-fleet"), "{problem:?}");
    }
    let failure = read(
        "f.yaml",
        format!("Name: [a]\n{members}").as_bytes(),
        None,
        now,
    )
    .unwrap_err();
    assert_eq!(places(&failure), ["Name"], "{failure}");
    assert!(
        failure.problems[0].problem.contains("Name is text"),
        "{failure}"
    );
}

#[test]
fn the_fleet_tags_count_toward_a_stacks_50() {
    let tags: Vec<String> = (0..47).map(|i| format!("t{i}: v")).collect();
    let yaml = format!(
        "Members:\n  a: {{FileSystemId: fs-0123456789abcdef0, Region: eu-west-1, Tags: {{{}}}}}\n",
        tags.join(", ")
    );
    let failure = members(&yaml, None).unwrap_err();
    assert_eq!(places(&failure), ["Members.a.Tags"], "{failure}");
    assert!(failure.problems[0].problem.contains("51 tags"), "{failure}");
}

#[test]
fn a_fleets_change_sets_are_executed_by_name_not_by_one_members_arn() {
    let arn = "arn:aws:cloudformation:eu-central-1:123456789012:changeSet/c-1/0f0e0d0c-aaaa-bbbb-cccc-000000000000";
    let out = run(fsx_drt().args([
        "deploy",
        "--fleet",
        "fleet.yaml",
        "--no-input",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--execute-change-set",
        arn,
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--execute-change-set"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("a fleet's share a name"),
        "{}",
        out.stderr
    );
    // The flags go together with --fleet (and --fail-fast with them).
    let out = run(fsx_drt().args([
        "deploy",
        "--fleet",
        "missing.yaml",
        "--change-set-only",
        "--fail-fast",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot read missing.yaml"),
        "{}",
        out.stderr
    );
}
