//! The binary, as a user or a CI pipeline runs it: every rule's bad inputs exit 2 with a
//! message naming the field; good inputs exit 0; what a person reads is snapshotted.

use std::path::PathBuf;

use assert_cmd::Command;

const FS: &str = "fs-0123456789abcdef0";
pub(crate) const AFTER: &str = "2026-11-25T07:43:00Z";

/// The binary with a clean environment (no FSX_DRT_*, no AWS_*), never prompting.
pub(crate) fn fsx_drt() -> Command {
    let mut cmd = Command::cargo_bin("fsx-drt").unwrap();
    cmd.env_clear().current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn validate(extra: &[&str]) -> Command {
    let mut cmd = fsx_drt();
    cmd.args(["validate", "--no-input", "--after", AFTER])
        .args(["--file-system-id", FS, "--email", "ops@example.com"])
        .args(extra);
    cmd
}

pub(crate) fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fsx-drt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub(crate) fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn bad_inputs_exit_2_naming_the_field() {
    let many_paths = (0..33)
        .map(|i| format!("/d{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let long_path = format!("/{}", "a".repeat(4096));
    let unknown_key = temp_file("unknown.json", r#"{"FileSystemID": "fs-0123abcd"}"#);
    let managed_key = temp_file("managed.yaml", "CodeBucket: my-bucket\n");
    let bad_json = temp_file(
        "bad.json",
        "[\n  {\"ParameterKey\": \"Paths\" \"ParameterValue\": \"/\"}\n]\n",
    );
    let bad_yaml = temp_file("bad.yaml", "Paths: /a\n  Schedule: [\n");
    let bad_value_in_file = temp_file(
        "value.json",
        r#"[{"ParameterKey": "Paths", "ParameterValue": "data"}]"#,
    );
    let unknown_key = unknown_key.to_str().unwrap();
    let managed_key = managed_key.to_str().unwrap();
    let bad_json = bad_json.to_str().unwrap();
    let bad_yaml = bad_yaml.to_str().unwrap();
    let bad_value_in_file = bad_value_in_file.to_str().unwrap();

    let cases: Vec<(Vec<&str>, &str)> = vec![
        // FileSystemId
        (vec!["--file-system-id", "fs-123"], "FileSystemId"),
        (
            vec!["--file-system-id", "fs-0123456789ABCDEF0"],
            "FileSystemId",
        ),
        (
            vec!["--file-system-id", "0123456789abcdef0"],
            "FileSystemId",
        ),
        (
            vec!["--file-system-id", "fs-0123456789abcdef0123"],
            "FileSystemId",
        ),
        (
            vec!["--file-system-id", "fs-0123456789abcdefg"],
            "FileSystemId",
        ),
        (vec!["--file-system-id", ""], "FileSystemId"),
        // Schedule
        (vec!["--schedule", "0 8 * * MON *"], "Schedule"),
        (vec!["--schedule", "* * * * *"], "Schedule"),
        (vec!["--schedule", "60 * * * ? *"], "Schedule"),
        (vec!["--schedule", "0 0 ? * 1#6 *"], "Schedule"),
        (vec!["--schedule", "0 0 ? * 3#1,6#3 *"], "Schedule"),
        (vec!["--schedule", "0 0 L,15 * ? *"], "Schedule"),
        (vec!["--schedule", "rate(1 minutes)"], "Schedule"),
        (vec!["--schedule", "rate(5 weeks)"], "Schedule"),
        (vec!["--schedule", "cron(0 0 * * ? *"], "Schedule"),
        (vec!["--schedule", "0 0 30 2 ? *"], "Schedule"),
        (vec!["--schedule", "0 0 1 1 ? 2000"], "Schedule"),
        (vec!["--schedule", "* * * * ? 2200"], "Schedule"),
        (vec!["--schedule", "rate(99999999999 days)"], "Schedule"),
        (vec!["--schedule", "rate(4000000000 days)"], "Schedule"),
        // Paths
        (vec!["--paths", ""], "Paths"),
        (vec!["--paths", "relative/dir"], "Paths"),
        (vec!["--paths", "/a /a"], "Paths"),
        (vec!["--paths", "/a \"/b c"], "Paths"),
        (vec!["--paths", "/a/../b"], "Paths"),
        (vec!["--paths", "/./a"], "Paths"),
        (vec!["--paths", &many_paths], "Paths"),
        (vec!["--paths", &long_path], "Paths"),
        (vec!["--paths", "\"/a\u{7}b\""], "Paths"),
        // TaskType
        (vec!["--task-type", "Sync"], "TaskType"),
        (vec!["--task-type", "AUTO_RELEASE_DATA"], "TaskType"),
        (vec!["--task-type", ""], "TaskType"),
        // TaskCompletionReportPath
        (vec!["--report-path", "reports"], "TaskCompletionReportPath"),
        (vec!["--report-path", "/"], "TaskCompletionReportPath"),
        (vec!["--report-path", "/a b"], "TaskCompletionReportPath"),
        (vec!["--report-path", "/a/../b"], "TaskCompletionReportPath"),
        // EmailAddress
        (vec!["--email", "ops"], "EmailAddress"),
        (vec!["--email", "ops@example"], "EmailAddress"),
        (vec!["--email", "a@b.com,c@d.com"], "EmailAddress"),
        (vec!["--email", ""], "EmailAddress"),
        (vec!["--email", "ops@ex\u{430}mple.com"], "EmailAddress"),
        // ReleaseAfterDays
        (
            vec!["--task-type", "Release", "--release-after-days=-1"],
            "ReleaseAfterDays",
        ),
        (
            vec!["--task-type", "Release", "--release-after-days", "ten"],
            "ReleaseAfterDays",
        ),
        (vec!["--release-after-days", "5"], "ReleaseAfterDays"),
        // LogRetentionDays
        (vec!["--log-retention-days", "31"], "LogRetentionDays"),
        (vec!["--log-retention-days", "forever"], "LogRetentionDays"),
        // Stack name
        (vec!["--stack-name", "1stack"], "--stack-name"),
        (vec!["--stack-name", "my_stack"], "--stack-name"),
        // Parameters file
        (vec!["--parameters-file", unknown_key], "FileSystemID"),
        (vec!["--parameters-file", managed_key], "CodeBucket"),
        (vec!["--parameters-file", bad_json], "--parameters-file"),
        (vec!["--parameters-file", bad_yaml], "--parameters-file"),
        (vec!["--parameters-file", bad_value_in_file], "Paths"),
        (
            vec!["--parameters-file", "/no/such/file.json"],
            "--parameters-file",
        ),
    ];
    assert!(cases.len() >= 40);
    for (args, field) in &cases {
        let out = run(validate(args).env("FSX_DRT_UNRELATED", "x"));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!("- {field}")),
            "{args:?} should name {field}:\n{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("fix:"),
            "{args:?} gives no fix:\n{}",
            out.stderr
        );
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed a result: {}",
            out.stdout
        );
    }
}

#[test]
fn required_values_are_named_when_missing_and_nobody_can_be_asked() {
    let out = run(fsx_drt().args(["validate", "--after", AFTER]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("- FileSystemId: FileSystemId is required"),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains("- EmailAddress: EmailAddress is required"));
    assert!(out.stderr.contains("--email, set FSX_DRT_EMAIL_ADDRESS"));
}

#[test]
fn environment_values_are_checked_and_named() {
    let out = run(fsx_drt()
        .args([
            "validate",
            "--no-input",
            "--after",
            AFTER,
            "--email",
            "ops@example.com",
        ])
        .env("FSX_DRT_FILE_SYSTEM_ID", "fs-bad"));
    assert_eq!(out.code, 2);
    assert!(out
        .stderr
        .contains("FileSystemId = \"fs-bad\" (from environment)"));
    assert!(out.stderr.contains("FSX_DRT_FILE_SYSTEM_ID"));
}

#[test]
fn a_variable_that_is_not_utf8_is_named_not_ignored() {
    use std::os::unix::ffi::OsStrExt;
    let out = run(validate(&[]).env(
        "FSX_DRT_PATHS",
        std::ffi::OsStr::from_bytes(b"/data/caf\xe9"),
    ));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "- Paths = \"/data/caf\u{fffd}\" (from environment): the value is not UTF-8 text"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(in FSX_DRT_PATHS)"), "{}", out.stderr);
}

#[test]
fn parameters_files_point_the_right_way() {
    // A byte-order mark is read past; UTF-16 is named, not "more than one document".
    let bom = temp_file("bom.json", "\u{feff}{\"Paths\": \"/bom\"}");
    let out = run(&mut validate(&["--parameters-file", bom.to_str().unwrap()]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("/bom"), "{}", out.stdout);
    let utf16 = temp_file("utf16.yaml", "");
    let bytes: Vec<u8> = "\u{feff}Paths: /x\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&utf16, bytes).unwrap();
    let deep = temp_file("deep.yaml", &"- ".repeat(100_000));
    let twice = temp_file("twice.json", "{\"Paths\": \"/a\",\n \"Paths\": \"/b\"}");
    for (file, says) in [
        (&utf16, "the file is UTF-16 text"),
        (&deep, "nests more than 32 levels"),
        (&twice, "Paths is given twice in one map (lines 1 and 2)"),
    ] {
        let started = std::time::Instant::now();
        let out = run(&mut validate(&[
            "--parameters-file",
            file.to_str().unwrap(),
        ]));
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains(says), "{}", out.stderr);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn messages_escape_control_characters_and_cut_long_values() {
    // A 1 MB value comes from a file: an argument that long is too long for exec.
    let huge = temp_file(
        "huge.yaml",
        &format!("TaskCompletionReportPath: /{}\n", "a".repeat(1_000_000)),
    );
    let out = run(&mut validate(&[
        "--paths",
        "\"/a\u{1b}[2Jb\"",
        "--parameters-file",
        huge.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 2);
    assert!(!out.stderr.contains('\u{1b}'), "{}", out.stderr);
    assert!(out.stderr.contains(r"\u{1b}[2J"), "{}", out.stderr);
    assert!(out.stderr.len() < 5_000, "{} bytes", out.stderr.len());
    assert!(
        out.stderr.contains("… (999801 more characters)"),
        "{}",
        out.stderr
    );
    let key = temp_file("esc.yaml", "\"Pa\\ths\u{1b}]0;x\u{7}\": /x\n");
    let out = run(&mut validate(&[
        "--parameters-file",
        key.to_str().unwrap(),
        "--output",
        "json",
    ]));
    assert_eq!(out.code, 2);
    assert!(!out.stdout.contains(r"\u001b"), "{}", out.stdout);
}

#[test]
fn invalid_schedule_expression_exits_2() {
    for expr in ["0 8 * * MON *", "rate(2 day)", "cron(* * * * ? 2300)"] {
        let out = run(fsx_drt().args(["schedule", expr]));
        assert_eq!(out.code, 2, "{expr}");
        assert!(out.stderr.contains("- Schedule"), "{expr}: {}", out.stderr);
    }
    let out = run(fsx_drt().args(["schedule", "15 6 * * ? *", "--after", "yesterday"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--after"), "{}", out.stderr);
}

#[test]
fn good_inputs_exit_0() {
    let reference = "examples/parameters.json";
    let yaml = temp_file(
        "good.yaml",
        "FileSystemId: fs-0123abcd\nEmailAddress: ops@example.com\nPaths:\n  - /data\n  - /with space\nTaskType: release\nReleaseAfterDays: 0\n",
    );
    let yaml = yaml.to_str().unwrap();
    let paths_32 = (0..32)
        .map(|i| format!("/d{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--parameters-file", reference],
        vec!["--parameters-file", yaml],
        vec!["--schedule", "cron(0 12 LW * ? *)"],
        vec!["--schedule", "rate(1 hour)"],
        vec!["--schedule", "0 0 ? * 6#5 2026-2030"],
        vec!["--paths", &paths_32],
        vec!["--paths", "/dir1 /dir_2 \"/dir 3\" /dir4/file1"],
        vec!["--task-type", "IMPORT_METADATA_FROM_REPOSITORY"],
        vec!["--task-type", "release", "--release-after-days", "7"],
        vec![
            "--file-system-id",
            "fs-0123abcd",
            "--stack-name",
            "fsx-drt-scheduler",
        ],
        vec!["--log-retention-days", "365", "--report-path", "/reports/"],
    ];
    for args in &cases {
        let out = run(&mut validate(args));
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains("are valid"), "{args:?}: {}", out.stdout);
    }
}

#[test]
fn flags_beat_the_file_which_beats_the_environment() {
    let out = run(fsx_drt()
        .args([
            "validate",
            "--no-input",
            "--output",
            "json",
            "--after",
            AFTER,
        ])
        .args([
            "--parameters-file",
            "examples/parameters.json",
            "--paths",
            "/from-flag",
        ])
        .env("FSX_DRT_SCHEDULE", "rate(1 day)")
        .env("FSX_DRT_TASK_TYPE", "Release")
        .env("FSX_DRT_LOG_RETENTION_DAYS", "7"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let parameters = &json["parameters"];
    assert_eq!(parameters["Paths"], "/from-flag");
    assert_eq!(json["sources"]["Paths"], "flag");
    assert_eq!(
        parameters["Schedule"], "cron(15 6 * * ? *)",
        "the file beats the environment"
    );
    assert_eq!(
        parameters["TaskType"], "Import",
        "the file beats the environment"
    );
    assert_eq!(parameters["LogRetentionDays"], "7");
    assert_eq!(json["sources"]["LogRetentionDays"], "environment");
    assert_eq!(json["next_runs"][0], "2026-11-26T06:15:00Z");
}

#[test]
fn json_failures_are_one_object_on_stdout() {
    let out = run(&mut validate(&["--output", "json", "--paths", "nope"]));
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["exit_code"], 2);
    assert_eq!(json["problems"][0]["parameter"], "Paths");
    assert_eq!(json["problems"][0]["value"], "nope");
}

#[test]
fn schedule_prints_rfc3339_lines_and_stops_when_the_schedule_ends() {
    let out = run(fsx_drt().args(["schedule", "15 6 * * ? *", "--after", AFTER, "--count", "2"]));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "2026-11-26T06:15:00Z\n2026-11-27T06:15:00Z\n");

    let out = run(fsx_drt().args(["schedule", "cron(0 0 1 1 ? 2027-2028)", "--after", AFTER]));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "2027-01-01T00:00:00Z\n2028-01-01T00:00:00Z\n");
    assert!(
        out.stderr.contains("the schedule ends: 2 fire time(s)"),
        "{}",
        out.stderr
    );

    let out = run(fsx_drt().args([
        "schedule",
        "rate(6 hours)",
        "--after",
        AFTER,
        "--count",
        "1",
        "--output",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["expression"], "rate(6 hours)");
    assert_eq!(json["next"][0], "2026-11-25T13:43:00Z");
    assert!(json["note"].as_str().unwrap().contains("rule is created"));
}

#[test]
fn schedule_in_a_time_zone_prints_its_offsets_across_daylight_saving() {
    let in_zone = |expr: &str, zone: &str, after: &str, count: &str| {
        run(fsx_drt()
            .args(["schedule", expr, "--timezone", zone, "--after", after])
            .args(["--count", count]))
    };
    // Berlin springs forward on 2026-03-29 at 02:00: that day has no 02:30, so no run.
    let out = in_zone("30 2 * * ? *", "Europe/Berlin", "2026-03-27T12:00:00Z", "3");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "2026-03-28T02:30:00+01:00\n2026-03-30T02:30:00+02:00\n2026-03-31T02:30:00+02:00\n"
    );
    // New York falls back on 2026-11-01 at 02:00: 01:30 comes twice and runs once, the first.
    let out = in_zone(
        "30 1 * * ? *",
        "America/New_York",
        "2026-10-30T12:00:00Z",
        "3",
    );
    assert_eq!(
        out.stdout,
        "2026-10-31T01:30:00-04:00\n2026-11-01T01:30:00-04:00\n2026-11-02T01:30:00-05:00\n"
    );
    // A one-time schedule in the gap never runs, and says so.
    let out = in_zone("at(2026-03-29T02:30:00)", "Europe/Berlin", AFTER, "1");
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(out.stderr.contains("clocks skip"), "{}", out.stderr);

    let out = run(fsx_drt()
        .args(["schedule", "at(2027-01-01T00:00:00)", "--output", "json"])
        .args(["--timezone", "Asia/Kathmandu", "--after", AFTER]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["timezone"], "Asia/Kathmandu");
    assert_eq!(json["next"][0], "2027-01-01T00:00:00+05:45");
    let out = run(fsx_drt()
        .args(["schedule", "15 6 * * ? *", "--output", "json"])
        .args(["--after", AFTER]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["timezone"], "UTC");
    assert_eq!(json["next"][0], "2026-11-26T06:15:00Z");
}

#[test]
fn an_unknown_time_zone_exits_2_naming_timezone_and_the_nearest() {
    for (zone, nearest) in [
        ("Europe/Berln", "Europe/Berlin"),
        ("utc", "UTC"),
        ("", "UTC"),
    ] {
        let out = run(fsx_drt().args(["schedule", "15 6 * * ? *", "--timezone", zone]));
        assert_eq!(out.code, 2, "{zone}");
        assert!(out.stderr.contains("--timezone"), "{zone}: {}", out.stderr);
        assert!(out.stderr.contains(nearest), "{zone}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{zone}");
    }
}

#[test]
fn template_prints_yaml_and_json() {
    let out = run(fsx_drt().arg("template"));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, fsx_drt::template::TEMPLATE_YAML);
    let out = run(fsx_drt().args(["template", "--output", "json"]));
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(json["Resources"].as_object().unwrap().len() > 5);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    // `fsx-drt template | head -1` must not fail or print a panic.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} template | head -c 1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
            env!("CARGO_BIN_EXE_fsx-drt")
        ))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

#[test]
fn snapshots_of_what_people_read() {
    let help = run(fsx_drt().arg("--help"));
    insta::assert_snapshot!("help", help.stdout);
    let help = run(fsx_drt().args(["validate", "--help"]));
    insta::assert_snapshot!("validate_help", help.stdout);

    let ok = run(&mut validate(&[
        "--parameters-file",
        "examples/parameters.json",
    ]));
    insta::assert_snapshot!("validate_ok", ok.stdout);

    let bad = run(&mut validate(&[
        "--file-system-id",
        "fs-XYZ",
        "--schedule",
        "0 8 * * MON *",
        "--paths",
        "/data \"/open",
    ]));
    insta::assert_snapshot!("validate_error", bad.stderr);
}

#[test]
fn plan_shows_the_exact_request_offline() {
    let out = run(fsx_drt().args([
        "plan",
        "--no-input",
        "--output",
        "json",
        "--parameters-file",
        "examples/parameters.json",
        "--repositories",
        "tests/data/associations.json",
        "--paths",
        "/drt-test/in \"/drt-test/with space\"",
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let request = &json["request"];
    assert_eq!(request["Type"], "IMPORT_METADATA_FROM_REPOSITORY");
    assert_eq!(
        request["Paths"],
        serde_json::json!([
            "s3://my-bucket/drt-test/in",
            "s3://my-bucket/drt-test/with space"
        ])
    );
    assert_eq!(
        request["Report"]["Path"],
        "s3://my-bucket/drt-test/fsx-drt-completion-reports"
    );
    assert_eq!(json["skipped_associations"][0]["association_id"], "dra-0b2");

    let text = run(fsx_drt().args([
        "plan",
        "--no-input",
        "--parameters-file",
        "examples/parameters.json",
        "--repositories",
        "tests/data/associations.json",
        "--task-type",
        "export",
    ]));
    insta::assert_snapshot!("plan_export", text.stdout);
}

#[test]
fn plan_refuses_what_a_run_would_fail_on() {
    let out = run(fsx_drt().args([
        "plan",
        "--no-input",
        "--parameters-file",
        "examples/parameters.json",
        "--repositories",
        "tests/data/associations.json",
        "--paths",
        "/drt-testing",
    ]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("- Paths = \"/drt-testing\""),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains("no data repository covers /drt-testing"));

    let not_json = temp_file("repositories.txt", "dra-1 /data");
    let out = run(fsx_drt().args([
        "plan",
        "--no-input",
        "--parameters-file",
        "examples/parameters.json",
        "--repositories",
        not_json.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("- --repositories"), "{}", out.stderr);
}

#[test]
fn artifact_names_its_source_and_checksum_or_how_to_get_one() {
    let out = run(fsx_drt().args(["artifact", "--output", "json", "--lambda-zip", GOOD_ZIP]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let sha = json["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(json["key"], format!("fsx-drt/{sha}.zip"));

    let not_zip = temp_file("bootstrap.txt", "hello");
    let out = run(fsx_drt().args(["artifact", "--lambda-zip", not_zip.to_str().unwrap()]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not a zip file"), "{}", out.stderr);

    // The test binary is built without FSX_DRT_LAMBDA_ZIP, so it has nothing embedded.
    if fsx_drt::artifact::EMBEDDED.is_none() {
        let out = run(fsx_drt().arg("artifact"));
        assert_eq!(out.code, 2);
        assert!(out.stderr.contains("cargo xtask install"), "{}", out.stderr);
        assert!(out.stderr.contains("--lambda-zip"));
    }
}

/// A zip with an arm64 ELF header as `bootstrap` at its root.
const GOOD_ZIP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bootstrap.zip");

#[test]
fn deploy_refuses_a_zip_lambda_cannot_run_before_any_aws_call() {
    // A good bootstrap, but in a folder.
    let nested = temp_file("nested.zip", "");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&nested).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    writer.start_file("target/bootstrap", options).unwrap();
    let good = std::fs::read(GOOD_ZIP).unwrap();
    let header = zip::ZipArchive::new(std::io::Cursor::new(good))
        .unwrap()
        .by_name("bootstrap")
        .map(|mut entry| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            bytes
        })
        .unwrap();
    std::io::Write::write_all(&mut writer, &header).unwrap();
    writer.finish().unwrap();
    let out = run(fsx_drt().args([
        "deploy",
        "--stack-name",
        "s",
        "--yes",
        "--no-input",
        "--file-system-id",
        FS,
        "--email",
        "ops@example.com",
        "--region",
        "us-east-1",
        // Nothing listens there: an AWS call would fail with "cannot reach".
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--lambda-zip",
        nested.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--lambda-zip"), "{}", out.stderr);
    assert!(out.stderr.contains("nested.zip"), "{}", out.stderr);
    assert!(out.stderr.contains("not at the root"), "{}", out.stderr);
    assert!(out.stderr.contains("cargo xtask lambda"), "{}", out.stderr);
    assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
}

#[test]
fn completions_and_man_pages_come_from_the_command_line_definitions() {
    for (shell, marker) in [
        ("bash", "complete -F _fsx__drt"),
        ("zsh", "#compdef fsx-drt"),
        ("fish", "complete -c fsx-drt"),
        ("elvish", "edit:completion:arg-completer[fsx-drt]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(fsx_drt().args(["completions", shell]));
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}");
        // Every command and its flags, e.g. run --wait and tasks cancel.
        for word in [
            "deploy",
            "destroy",
            "tasks",
            "cancel",
            "stack-name",
            "lifecycle",
        ] {
            assert!(out.stdout.contains(word), "{shell} completes {word}");
        }
    }
    let bad = run(fsx_drt().args(["completions", "tcsh"]));
    assert_eq!(bad.code, 2);
    assert!(bad
        .stderr
        .contains("[possible values: bash, elvish, fish, powershell, zsh]"));

    let page = run(fsx_drt().arg("man"));
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(page.stdout.contains(".TH fsx-drt 1"), "{}", page.stdout);
    assert!(
        page.stdout.contains("fsx\\-drt\\-deploy(1)"),
        "SEE ALSO names the command pages"
    );
    let dir = std::env::temp_dir().join(format!("fsx-drt-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = run(fsx_drt().args(["man", "--out-dir"]).arg(&dir));
    assert_eq!(written.code, 0, "{}", written.stderr);
    for name in [
        "fsx-drt.1",
        "fsx-drt-deploy.1",
        "fsx-drt-run.1",
        "fsx-drt-tasks-cancel.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.starts_with(".ie"), "{name} is roff");
    }
}

#[test]
fn run_tasks_and_status_bad_input_exits_2_before_any_aws_call() {
    // No AWS_* at all: an AWS call would fail with exit 1 (no region), not 2 naming the field.
    for (args, field) in [
        (vec!["tasks", "cancel", "task-123"], "TASK_ID"),
        (vec!["tasks", "cancel", "fs-0123456789abcdef0"], "TASK_ID"),
        (
            vec!["tasks", "--stack-name", "s", "--lifecycle", "DONE"],
            "--lifecycle",
        ),
        (
            vec!["tasks", "--stack-name", "s", "--limit", "0"],
            "--limit",
        ),
        (vec!["tasks", "--stack-name", "bad_name!"], "--stack-name"),
        (vec!["run", "--stack-name", "bad_name!"], "--stack-name"),
        (vec!["status", "--stack-name", "bad_name!"], "--stack-name"),
        (
            vec!["status", "--stack-name", "1-a", "--watch"],
            "--stack-name",
        ),
    ] {
        let out = run(fsx_drt().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(field), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("fix:"), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_closed_or_full_stderr_never_panics() {
    // `--verbose` logs every request to stderr; a line that cannot be written is lost, the
    // command is not (exit 1: nothing listens at the endpoint; a panic would be 101).
    for redirect in ["2>&-", "2>/dev/full"] {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{} status --stack-name s --verbose --no-input {redirect}",
                env!("CARGO_BIN_EXE_fsx-drt")
            ))
            .env_clear()
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{redirect}");
    }
}

/// The binary with dummy credentials and a region, as an AWS command needs.
fn with_aws(cmd: &mut Command) -> &mut Command {
    cmd.env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
}

#[test]
fn an_empty_endpoint_is_unset_and_a_malformed_one_exits_2() {
    // Nothing listens on port 1: reaching it is exit 1, a panic in the SDK was 101.
    let nowhere = "http://127.0.0.1:1";
    for (flag, env) in [
        ("", ("AWS_ENDPOINT_URL", nowhere)),
        (nowhere, ("AWS_ENDPOINT_URL", "")),
        (nowhere, ("AWS_ENDPOINT_URL_CLOUDFORMATION", "")),
    ] {
        let out = run(with_aws(&mut fsx_drt())
            .args(["status", "--stack-name", "s", "--endpoint-url", flag])
            .env(env.0, env.1));
        assert_eq!(out.code, 1, "{flag:?} {env:?}: {}", out.stderr);
        assert!(out.stderr.contains("cannot reach"), "{}", out.stderr);
    }
    for (flag, env, named) in [
        (Some("localhost:5000"), None, "--endpoint-url"),
        (None, Some("http://exa mple.com"), "AWS_ENDPOINT_URL"),
        (Some("https://"), Some(nowhere), "--endpoint-url"),
    ] {
        let mut cmd = fsx_drt();
        with_aws(&mut cmd).args(["tasks", "--stack-name", "s", "--output", "json"]);
        if let Some(flag) = flag {
            cmd.args(["--endpoint-url", flag]);
        }
        if let Some(env) = env {
            cmd.env("AWS_ENDPOINT_URL", env);
        }
        let out = run(&mut cmd);
        assert_eq!(out.code, 2, "{flag:?} {env:?}: {}", out.stdout);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["problems"][0]["parameter"], named);
        assert!(!out.stdout.contains("Builder"), "{}", out.stdout);
    }
}

#[test]
fn usage_errors_are_one_json_object_with_output_json() {
    use std::os::unix::ffi::OsStrExt;
    let not_utf8 = std::ffi::OsStr::from_bytes(b"--paths=/caf\xe9");
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![
            "validate".as_ref(),
            "--bogus".as_ref(),
            "--output".as_ref(),
            "json".as_ref(),
        ],
        vec![
            "--output=json".as_ref(),
            "validate".as_ref(),
            "--paths".as_ref(),
        ],
        vec!["status".as_ref(), "--output".as_ref(), "json".as_ref()],
        vec!["--output=json".as_ref(), "nonsense".as_ref()],
        vec!["validate".as_ref(), not_utf8, "--output=json".as_ref()],
    ];
    for args in cases {
        let out = run(fsx_drt().args(&args));
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {:?}", out.stdout));
        assert_eq!(json["exit_code"], 2, "{args:?}");
        assert!(!json["error"].as_str().unwrap().is_empty(), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
    }
    // Without it, clap's own text for people; help still goes to stdout.
    let out = run(fsx_drt().args(["validate", "--bogus"]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("unexpected argument"), "{}", out.stderr);
    let out = run(fsx_drt().args(["--help", "--output", "json"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Usage"));
}

#[test]
fn deploy_refuses_an_outputs_file_it_could_not_write_before_any_aws_call() {
    let dir = std::env::temp_dir().join(format!("fsx-drt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("no-such-dir/outputs.json");
    for path in [missing.to_str().unwrap(), dir.to_str().unwrap()] {
        let out = run(fsx_drt().args([
            "deploy",
            "--stack-name",
            "s",
            "--yes",
            "--file-system-id",
            FS,
            "--email",
            "ops@example.com",
            "--outputs-file",
            path,
        ]));
        assert_eq!(out.code, 2, "{path}: {}", out.stderr);
        assert!(out.stderr.contains("- --outputs-file"), "{}", out.stderr);
        assert!(!missing.parent().unwrap().exists());
    }
}

#[test]
fn endless_files_are_refused_not_read_whole() {
    // /dev/zero never ends: reading it whole ran out of memory.
    let out = run(&mut validate(&["--parameters-file", "/dev/zero"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("larger than 1024 KiB"),
        "{}",
        out.stderr
    );
    let out = run(fsx_drt().args([
        "plan",
        "--no-input",
        "--file-system-id",
        FS,
        "--email",
        "ops@example.com",
        "--repositories",
        "/dev/zero",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("larger than 16 MiB"), "{}", out.stderr);
}

#[test]
fn ctrl_c_at_a_prompt_is_exit_130_with_the_json_object() {
    // A prompt needs a terminal: script(1) gives the command one, and ^C reaches it as a key
    // (which the terminal library turned into SIGINT, ending the process before any JSON).
    let command = format!(
        "{} validate --output json --email ops@example.com",
        env!("CARGO_BIN_EXE_fsx-drt")
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(sleep 1; printf '\\003'; sleep 1) | timeout 20 script -qec '{command}' /dev/null"
        ))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("TERM", "dumb")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(130), "{stdout}");
    assert!(stdout.contains("\"exit_code\": 130"), "{stdout}");
    assert!(
        stdout.contains("interrupted; nothing was changed"),
        "{stdout}"
    );
}
