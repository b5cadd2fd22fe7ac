//! `--fleet` on the emulator: three members in two regions, each its own stack, deployed,
//! inspected, one changed (diff shows only it), and destroyed, each step one table.

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

fn fleet_file(emulator: &Emulator, seeded: &str, b: &str, c: &str, c_retention: u32) -> String {
    let path = emulator.dir.join("fleet.yaml");
    std::fs::write(
        &path,
        format!(
            "Defaults:\n  EmailAddress: hpc-ops@example.com\n  Schedules:\n    nightly-export: {{TaskType: Export, Paths: /data, Schedule: \"0 22 * * ? *\", Timezone: Europe/Berlin}}\n\
             Members:\n  genomics: {{FileSystemId: {seeded}}}\n  cfd: {{FileSystemId: {b}, StackName: cfd-scheduler}}\n  \
             climate: {{FileSystemId: {c}, Region: eu-west-1, LogRetentionDays: {c_retention}, Schedules: {{nightly-export: {{Schedule: \"0 21 * * ? *\"}}}}}}\n"
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
fn a_three_member_fleet_in_two_regions_deploys_shows_diffs_and_goes() {
    let emulator = Emulator::start();
    let seeded = emulator.file_system_id.clone();
    let b = new_file_system(&emulator, "us-east-1");
    let c = new_file_system(&emulator, "eu-west-1");
    let file = fleet_file(&emulator, &seeded, &b, &c, 30);
    let zip = ["--lambda-zip", LAMBDA_ZIP];

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

    let deployed = emulator.fsx_drt(
        &[
            &["deploy", "--fleet", &file, "--yes", "--output", "json"][..],
            &zip,
        ]
        .concat(),
    );
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
    let file = fleet_file(&emulator, &seeded, &b, &c, 14);
    let diff =
        emulator.fsx_drt(&[&["diff", "--fleet", &file, "--output", "json"][..], &zip].concat());
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let result = json(&diff);
    let changed: Vec<bool> = (result["members"].as_array().unwrap().iter())
        .map(|m| m["detail"]["has_changes"].as_bool().unwrap())
        .collect();
    assert_eq!(changed, [false, false, true], "{result}\n{}", diff.stderr);
    let redeployed = emulator.fsx_drt(
        &[
            &["deploy", "--fleet", &file, "--yes", "--output", "json"][..],
            &zip,
        ]
        .concat(),
    );
    assert_eq!(redeployed.code, 0, "{}", redeployed.stderr);
    let result = json(&redeployed);
    assert_eq!(column(&result, "operation"), ["none", "none", "update"]);
    assert_eq!(
        column(&result, "result"),
        ["unchanged", "unchanged", "UPDATE_COMPLETE"]
    );

    let destroyed = emulator.fsx_drt(&["destroy", "--fleet", &file, "--yes", "--output", "json"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(json(&destroyed)["summary"]["succeeded"], 3);
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
