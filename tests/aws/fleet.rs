//! `--fleet` on the emulator: three members in two regions, each its own stack, deployed,
//! inspected, one changed (diff shows only it), one removed from the file (its stack
//! deleted), and destroyed, each step one table.

use serde_json::Value;

use crate::emulator::{Emulator, LAMBDA_ZIP};

/// A Lustre 2.15 file system in `region` whose /data is linked to the demo bucket.
fn new_file_system(emulator: &Emulator, region: &str) -> String {
    let created = emulator.aws(&format!(
        "kw['region_name'] = {region:?}\n\
         fsx = boto3.client('fsx', **kw)\n\
         fs = fsx.create_file_system(FileSystemType='LUSTRE', StorageCapacity=1200, SubnetIds=['subnet-0123456789abcdef1'], FileSystemTypeVersion='2.15', LustreConfiguration={{'DeploymentType': 'PERSISTENT_2', 'PerUnitStorageThroughput': 125}})['FileSystem']\n\
         fsx.create_data_repository_association(FileSystemId=fs['FileSystemId'], FileSystemPath='/data', DataRepositoryPath='s3://fsx-drt-demo-data/data/')\n\
         print(json.dumps(fs['FileSystemId']))"
    ));
    created.as_str().unwrap().to_string()
}

/// An emulator with three file systems: its own (us-east-1), one more there, one in eu-west-1.
fn three_file_systems() -> (Emulator, [String; 3]) {
    let emulator = Emulator::start();
    let seeded = emulator.file_system_id.clone();
    let b = new_file_system(&emulator, "us-east-1");
    let c = new_file_system(&emulator, "eu-west-1");
    (emulator, [seeded, b, c])
}

/// The fleet file (named `fleet`, after it); `left`: members left out of it.
fn fleet_file(emulator: &Emulator, fs: [&str; 3], c_retention: u32, left: &[&str]) -> String {
    let [seeded, b, c] = fs;
    let members = [
        ("genomics", format!("{{FileSystemId: {seeded}}}")),
        ("cfd", format!("{{FileSystemId: {b}, StackName: cfd-scheduler}}")),
        ("climate", format!("{{FileSystemId: {c}, Region: eu-west-1, LogRetentionDays: {c_retention}, Schedules: {{nightly-export: {{Schedule: \"0 21 * * ? *\"}}}}}}")),
    ];
    let members: String = (members.iter())
        .filter(|(name, _)| !left.contains(name))
        .map(|(name, member)| format!("  {name}: {member}\n"))
        .collect();
    write_fleet(emulator, &members)
}

/// `emulator.dir/fleet.yaml`: one nightly export for every member, then `members` (lines of
/// the Members map); its path.
pub(crate) fn write_fleet(emulator: &Emulator, members: &str) -> String {
    let path = emulator.dir.join("fleet.yaml");
    std::fs::write(
        &path,
        format!(
            "Defaults:\n  EmailAddress: hpc-ops@example.com\n  Schedules:\n    nightly-export: {{TaskType: Export, Paths: /data, Schedule: \"0 22 * * ? *\", Timezone: Europe/Berlin}}\n\
             Members:\n{members}"
        ),
    )
    .unwrap();
    path.display().to_string()
}

pub(crate) fn json(run: &crate::emulator::Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr))
}

pub(crate) fn column(result: &Value, key: &str) -> Vec<String> {
    (result["members"].as_array().unwrap().iter())
        .map(|m| m[key].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn a_three_member_fleet_in_two_regions_deploys_shows_diffs_loses_members_and_goes() {
    let (emulator, [seeded, b, c]) = three_file_systems();
    let fs = [seeded.as_str(), &b, &c];
    let file = fleet_file(&emulator, fs, 30, &[]);
    let zip = ["--lambda-zip", LAMBDA_ZIP];
    let deploy = |file: &str, more: &[&str]| {
        emulator.fsx_drt(&[&["deploy", "--fleet", file, "--yes"][..], more, &zip].concat())
    };

    // Without --yes and without a terminal: the change sets are made and shown, then
    // withdrawn with the stacks made for them; exit 2 and nothing left.
    let refused = emulator.fsx_drt(&[&["deploy", "--fleet", &file][..], &zip].concat());
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("[climate]"),
        "member lines are prefixed: {}",
        refused.stderr
    );
    let stacks = |region: &str| {
        emulator.aws(&format!(
            "kw['region_name'] = {region:?}\nprint(json.dumps(sorted(s['StackName'] for s in boto3.client('cloudformation', **kw).describe_stacks()['Stacks'] if s['StackStatus'] != 'DELETE_COMPLETE')))"
        ))
    };
    assert_eq!(stacks("us-east-1"), serde_json::json!([]));
    assert_eq!(stacks("eu-west-1"), serde_json::json!([]));

    let deployed = deploy(&file, &["--output", "json"]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let result = json(&deployed);
    assert_eq!(column(&result, "member"), ["genomics", "cfd", "climate"]);
    assert_eq!(column(&result, "operation"), ["create", "create", "create"]);
    assert_eq!(column(&result, "state"), ["succeeded"; 3]);
    assert_eq!(column(&result, "result"), ["CREATE_COMPLETE"; 3]);
    assert_eq!(
        column(&result, "region"),
        ["us-east-1", "us-east-1", "eu-west-1"]
    );
    assert_eq!(column(&result, "account"), ["123456789012"; 3]);
    assert_eq!(result["summary"]["succeeded"], 3);
    assert_eq!(
        stacks("us-east-1"),
        serde_json::json!(["cfd-scheduler", "fsx-drt-genomics"])
    );
    assert_eq!(stacks("eu-west-1"), serde_json::json!(["fsx-drt-climate"]));
    let tags = emulator.aws(
        "print(json.dumps({t['Key']: t['Value'] for t in boto3.client('cloudformation', **kw).describe_stacks(StackName='cfd-scheduler')['Stacks'][0]['Tags']}))",
    );
    assert_eq!(tags["fsx-drt:fleet"], "fleet", "{tags}");
    assert_eq!(tags["fsx-drt:member"], "cfd", "{tags}");

    let status = emulator.fsx_drt(&["status", "--fleet", &file]);
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    assert!(
        status.stdout.starts_with("MEMBER"),
        "one table: {}",
        status.stdout
    );
    assert_eq!(
        status.stdout.matches("healthy (CREATE_COMPLETE)").count(),
        3,
        "{}",
        status.stdout
    );
    // No member's file system has run a task yet: no column of dashes for it.
    assert!(!status.stdout.contains("LATEST TASK"), "{}", status.stdout);
    assert!(
        status
            .stdout
            .contains("3 succeeded, 0 failed, 0 not started."),
        "{}",
        status.stdout
    );

    // One member changed (its log retention): diff shows changes for it only; deploy
    // updates it only.
    let file = fleet_file(&emulator, fs, 14, &[]);
    let diff =
        emulator.fsx_drt(&[&["diff", "--fleet", &file, "--output", "json"][..], &zip].concat());
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let result = json(&diff);
    let changed: Vec<bool> = (result["members"].as_array().unwrap().iter())
        .map(|m| m["detail"]["has_changes"].as_bool().unwrap())
        .collect();
    assert_eq!(changed, [false, false, true], "{result}\n{}", diff.stderr);
    let redeployed = deploy(&file, &["--output", "json"]);
    assert_eq!(redeployed.code, 0, "{}", redeployed.stderr);
    assert_eq!(
        redeployed.stderr.matches("Change set ").count(),
        1,
        "climate's change set is shown once, when made: {}",
        redeployed.stderr
    );
    let result = json(&redeployed);
    assert_eq!(column(&result, "operation"), ["none", "none", "update"]);
    assert_eq!(
        column(&result, "result"),
        ["unchanged", "unchanged", "UPDATE_COMPLETE"]
    );

    // cfd leaves the file: diff shows its stack going, deploy deletes it after the one
    // approval and leaves the others as they are.
    let file = fleet_file(&emulator, fs, 14, &["cfd"]);
    let diff =
        emulator.fsx_drt(&[&["diff", "--fleet", &file, "--output", "json"][..], &zip].concat());
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let result = json(&diff);
    assert_eq!(column(&result, "member"), ["genomics", "climate", "cfd"]);
    assert_eq!(column(&result, "operation"), ["diff", "diff", "delete"]);
    assert_eq!(column(&result, "result")[2], "delete (left the fleet)");
    assert_eq!(
        stacks("us-east-1"),
        serde_json::json!(["cfd-scheduler", "fsx-drt-genomics"]),
        "diff deletes nothing"
    );
    // Protected, its stack is not deleted: its row fails (exit 1), the others go on.
    let protect = |on: bool| {
        emulator.aws(&format!(
            "boto3.client('cloudformation', **kw).update_termination_protection(StackName='cfd-scheduler', EnableTerminationProtection={})\nprint('null')",
            if on { "True" } else { "False" }
        ))
    };
    protect(true);
    let refused = deploy(&file, &["--output", "json"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    let result = json(&refused);
    assert_eq!(
        column(&result, "state"),
        ["succeeded", "succeeded", "failed"]
    );
    assert!(
        column(&result, "result")[2].contains("termination protection"),
        "{result}"
    );
    protect(false);
    let shrunk = deploy(&file, &[]);
    assert_eq!(shrunk.code, 0, "{}\n{}", shrunk.stdout, shrunk.stderr);
    assert!(
        shrunk
            .stderr
            .contains("[cfd] Stack cfd-scheduler in us-east-1: delete (left the fleet)"),
        "the plan shows it: {}",
        shrunk.stderr
    );
    let row = (shrunk.stdout.lines())
        .find(|l| l.starts_with("cfd "))
        .unwrap_or_else(|| panic!("a row for cfd: {}", shrunk.stdout));
    assert!(
        row.contains(" delete ") && row.contains("deleted, left the fleet (DELETE_COMPLETE)"),
        "{row}"
    );
    for member in ["genomics ", "climate "] {
        let row = shrunk.stdout.lines().find(|l| l.starts_with(member));
        assert!(
            row.is_some_and(|r| r.contains(" none ") && r.contains("unchanged")),
            "untouched: {row:?}"
        );
    }
    assert!(
        shrunk.stdout.contains("3 succeeded, 0 failed"),
        "{}",
        shrunk.stdout
    );
    assert_eq!(stacks("us-east-1"), serde_json::json!(["fsx-drt-genomics"]));
    assert_eq!(stacks("eu-west-1"), serde_json::json!(["fsx-drt-climate"]));

    // destroy with genomics gone from the file too (its region is AWS_REGION's, searched
    // with the file's): both stacks go.
    let file = fleet_file(&emulator, fs, 14, &["cfd", "genomics"]);
    let destroyed = emulator.fsx_drt(&["destroy", "--fleet", &file, "--yes", "--output", "json"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    let result = json(&destroyed);
    assert_eq!(column(&result, "member"), ["climate", "genomics"]);
    assert_eq!(column(&result, "operation"), ["delete", "delete"]);
    assert_eq!(result["summary"]["succeeded"], 2);
    assert_eq!(stacks("us-east-1"), serde_json::json!([]));
    assert_eq!(stacks("eu-west-1"), serde_json::json!([]));
}

#[test]
fn another_account_takes_the_stack_sets_engine_which_needs_the_ous_before_anything_changes() {
    let emulator = Emulator::start();
    let path = emulator.dir.join("accounts.yaml");
    let fs = &emulator.file_system_id;
    std::fs::write(
        &path,
        format!("Defaults: {{EmailAddress: a@example.com}}\nMembers:\n  mine: {{FileSystemId: {fs}, Account: \"123456789012\"}}\n  theirs: {{FileSystemId: {fs}, Account: \"210987654321\", StackName: other}}\n"),
    )
    .unwrap();
    let file = path.display().to_string();
    let run = emulator.fsx_drt(&[
        "deploy",
        "--fleet",
        &file,
        "--yes",
        "--lambda-zip",
        LAMBDA_ZIP,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--organizational-unit-id"),
        "service-managed by default, and no OU given: {}",
        run.stderr
    );
    let requests = std::fs::read_to_string(emulator.dir.join("requests.log")).unwrap_or_default();
    assert!(requests.contains("DescribeStackSet"), "{requests}");
    assert!(
        !requests.contains("CreateChangeSet") && !requests.contains("CreateStackSet"),
        "{requests}"
    );
}

#[test]
fn a_fleets_reviewed_deploy_keeps_one_named_change_set_per_member_and_refuses_a_stale_one() {
    let (emulator, [seeded, b, c]) = three_file_systems();
    let path = emulator.dir.join("reviewed.yaml");
    let write = |retention: [u32; 3]| {
        let [r1, r2, r3] = retention;
        std::fs::write(
            &path,
            format!(
                "Defaults:\n  EmailAddress: hpc-ops@example.com\n  Schedules:\n    nightly-export: {{TaskType: Export, Paths: /data, Schedule: \"0 22 * * ? *\"}}\n\
                 Members:\n  genomics: {{FileSystemId: {seeded}, LogRetentionDays: {r1}}}\n  cfd: {{FileSystemId: {b}, LogRetentionDays: {r2}}}\n  \
                 climate: {{FileSystemId: {c}, Region: eu-west-1, LogRetentionDays: {r3}}}\n"
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let zip = ["--lambda-zip", LAMBDA_ZIP];
    let file = write([30, 30, 30]);
    let deployed = emulator.fsx_drt(&[&["deploy", "--fleet", &file, "--yes"][..], &zip].concat());
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);

    // genomics and climate change, cfd does not: one name for every member's change set.
    let file = write([14, 30, 14]);
    let review = emulator.fsx_drt(
        &[
            &[
                "deploy",
                "--fleet",
                &file,
                "--change-set-only",
                "--output",
                "json",
            ][..],
            &zip,
        ]
        .concat(),
    );
    assert_eq!(review.code, 0, "{}", review.stderr);
    let result = json(&review);
    assert_eq!(column(&result, "operation"), ["update", "none", "update"]);
    let results = column(&result, "result");
    let name = results[0]
        .strip_prefix("change set ")
        .and_then(|r| r.strip_suffix(" kept"))
        .unwrap_or_else(|| panic!("{results:?}"))
        .to_string();
    assert_eq!(results[2], format!("change set {name} kept"));
    assert_eq!(results[1], "unchanged: no changes");
    let arns = column(&result, "change_set");
    assert!(
        arns[0].contains(&format!(":changeSet/{name}/")) && arns[1] == "-",
        "{arns:?}"
    );
    assert!(
        review
            .stderr
            .contains(&format!("--execute-change-set {name}")),
        "the next step is told: {}",
        review.stderr
    );
    let retention = |region: &str, stack: &str| {
        emulator.aws(&format!(
            "kw['region_name'] = {region:?}\nprint(json.dumps({{p['ParameterKey']: p['ParameterValue'] for p in boto3.client('cloudformation', **kw).describe_stacks(StackName={stack:?})['Stacks'][0]['Parameters']}}['LogRetentionDays']))"
        ))
    };
    assert_eq!(
        retention("us-east-1", "fsx-drt-genomics"),
        "30",
        "nothing executed"
    );

    // Someone executes genomics' change set by hand: the fleet's execution refuses it (a
    // failed row, exit 1) and runs the others; cfd, unchanged, is unchanged.
    emulator.aws(&format!(
        "boto3.client('cloudformation', **kw).execute_change_set(StackName='fsx-drt-genomics', ChangeSetName={name:?})\nprint('null')"
    ));
    let executed = emulator.fsx_drt(&[
        "deploy",
        "--fleet",
        &file,
        "--execute-change-set",
        &name,
        "--yes",
        "--output",
        "json",
    ]);
    assert_eq!(executed.code, 1, "{}", executed.stderr);
    let result = json(&executed);
    assert_eq!(
        column(&result, "state"),
        ["failed", "succeeded", "succeeded"]
    );
    assert_eq!(column(&result, "operation"), ["deploy", "none", "update"]);
    let results = column(&result, "result");
    assert!(
        results[0].contains(&format!(
            "change set {name} is not executed: it was executed already"
        )),
        "{results:?}"
    );
    assert_eq!(results[1..], ["unchanged", "UPDATE_COMPLETE"]);
    assert_eq!(retention("eu-west-1", "fsx-drt-climate"), "14");
    assert_eq!(
        executed.stderr.matches("Change set ").count(),
        1,
        "climate's change set shown once: {}",
        executed.stderr
    );
}
