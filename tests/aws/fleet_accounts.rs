//! A fleet across accounts on the emulator's StackSets: an organization with two member
//! accounts, three members in two regions; deployed (one stack set, an instance per member,
//! each a real stack in its account whose function was made from the caller's bucket of its
//! region), inspected (each instance's own values), one member changed (only its instance
//! updated), one removed (its instance and stack deleted), and destroyed.

use serde_json::Value;

use crate::emulator::{Emulator, LAMBDA_ZIP};
use crate::fleet::{column, json, write_fleet};

/// The organization's root and two new accounts (the caller is its management account).
fn organization(emulator: &Emulator) -> (String, String, String) {
    let made = emulator.aws(
        "org = boto3.client('organizations', **kw)\n\
         org.create_organization(FeatureSet='ALL')\n\
         root = org.list_roots()['Roots'][0]['Id']\n\
         ids = [org.create_account(Email=f'{n}@example.com', AccountName=n)['CreateAccountStatus']['AccountId'] for n in ('genomics', 'climate')]\n\
         print(json.dumps([root] + ids))",
    );
    let text = |i: usize| made[i].as_str().unwrap().to_string();
    (text(0), text(1), text(2))
}

/// What account `account` holds in `region`: its stacks (name, status) and, for each
/// function, its FILE_SYSTEM_ID.
fn holdings(emulator: &Emulator, account: &str, region: &str) -> Value {
    emulator.aws(&format!(
        "c = boto3.client('sts', **kw).assume_role(RoleArn='arn:aws:iam::{account}:role/look', RoleSessionName='test')['Credentials']\n\
         kw.update(region_name={region:?}, aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])\n\
         stacks = [[s['StackName'], s['StackStatus']] for s in boto3.client('cloudformation', **kw).describe_stacks()['Stacks']]\n\
         lam = boto3.client('lambda', **kw)\n\
         envs = [lam.get_function_configuration(FunctionName=f['FunctionName'])['Environment']['Variables'].get('FILE_SYSTEM_ID') for f in lam.list_functions()['Functions']]\n\
         print(json.dumps({{'stacks': stacks, 'file_systems': envs}}))"
    ))
}

#[test]
fn a_fleet_across_two_accounts_and_two_regions_deploys_changes_loses_a_member_and_goes() {
    let emulator = Emulator::start();
    let (root, genomics, climate) = organization(&emulator);
    let member = |name: &str, fs: &str, account: &str, region: &str| {
        format!("  {name}: {{FileSystemId: {fs}, Account: \"{account}\", Region: {region}}}\n")
    };
    let three = [
        member("genomics", "fs-0123456789abcdef0", &genomics, "us-east-1"),
        member("cfd", "fs-0fedcba9876543210", &genomics, "eu-west-1"),
        member("climate", "fs-0aaaaaaaaaaaaaaa1", &climate, "us-east-1"),
    ];
    let file = write_fleet(&emulator, &three.concat());
    let fsx_drt = |args: &[&str]| {
        let common = ["--fleet", &file, "--output", "json"];
        emulator.fsx_drt(&[args, &common[..]].concat())
    };
    let changes = [
        "--organizational-unit-id",
        &root,
        "--lambda-zip",
        LAMBDA_ZIP,
    ];

    let deployed = fsx_drt(&[&["deploy", "--yes"][..], &changes].concat());
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let result = json(&deployed);
    assert_eq!(column(&result, "operation"), ["create"; 3], "{result}");
    assert_eq!(
        column(&result, "account"),
        [genomics.as_str(), &genomics, &climate]
    );
    assert!(
        column(&result, "stack_name")
            .iter()
            .all(|s| s.starts_with("StackSet-fsx-drt-fleet-")),
        "{result}"
    );
    // Each instance is a stack in its account and region, its function made from the
    // caller's bucket of that region (the emulator's Lambda checks the bucket policy) with
    // the member's own file system.
    let held = holdings(&emulator, &genomics, "eu-west-1");
    assert_eq!(held["stacks"][0][1], "CREATE_COMPLETE", "{held}");
    assert_eq!(
        held["file_systems"],
        serde_json::json!(["fs-0fedcba9876543210"])
    );
    let held = holdings(&emulator, &climate, "us-east-1");
    assert_eq!(
        held["file_systems"],
        serde_json::json!(["fs-0aaaaaaaaaaaaaaa1"])
    );

    let status = fsx_drt(&["status"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    let result = json(&status);
    assert_eq!(column(&result, "result"), ["CURRENT"; 3], "{result}");
    let effective = &result["members"][2]["detail"]["effective_parameters"];
    assert_eq!(
        effective["FileSystemId"], "fs-0aaaaaaaaaaaaaaa1",
        "{result}"
    );
    assert_eq!(effective["EmailAddress"], "hpc-ops@example.com");

    // climate gets another file system: the plan and the deploy touch only its instance.
    let changed = [
        three[0].clone(),
        three[1].clone(),
        member("climate", "fs-0bbbbbbbbbbbbbbb2", &climate, "us-east-1"),
    ];
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace(&three[2], &changed[2]),
    )
    .unwrap();
    let diff = fsx_drt(&[&["diff"][..], &changes].concat());
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_eq!(
        column(&json(&diff), "result"),
        ["no changes", "no changes", "would update"]
    );
    let updated = fsx_drt(&[&["deploy", "--yes"][..], &changes].concat());
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    assert_eq!(
        column(&json(&updated), "operation"),
        ["none", "none", "update"]
    );
    let held = holdings(&emulator, &climate, "us-east-1");
    assert_eq!(
        held["file_systems"],
        serde_json::json!(["fs-0bbbbbbbbbbbbbbb2"]),
        "{held}"
    );

    // cfd leaves the file: its instance, and the stack in genomics' eu-west-1, go.
    std::fs::write(
        &file,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace(&three[1], ""),
    )
    .unwrap();
    let shrunk = fsx_drt(&[&["deploy", "--yes"][..], &changes].concat());
    assert_eq!(shrunk.code, 0, "{}", shrunk.stderr);
    assert!(
        shrunk
            .stderr
            .contains(&format!("delete   instance in {genomics}, eu-west-1")),
        "the plan shows it: {}",
        shrunk.stderr
    );
    assert_eq!(column(&json(&shrunk), "member"), ["genomics", "climate"]);
    let held = holdings(&emulator, &genomics, "eu-west-1");
    assert_eq!(held["stacks"], serde_json::json!([]), "{held}");
    assert_eq!(
        holdings(&emulator, &genomics, "us-east-1")["stacks"][0][1],
        "CREATE_COMPLETE"
    );

    let destroyed = fsx_drt(&["destroy", "--yes"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(json(&destroyed)["summary"]["succeeded"], 2);
    for (account, region) in [(&genomics, "us-east-1"), (&climate, "us-east-1")] {
        assert_eq!(
            holdings(&emulator, account, region)["stacks"],
            serde_json::json!([])
        );
    }
    let sets = emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\n\
         print(json.dumps([s['Status'] for s in cf.list_stack_sets()['Summaries']]))",
    );
    assert!(
        sets.as_array().unwrap().iter().all(|s| s == "DELETED"),
        "{sets}"
    );
}
