//! What CI pipelines and platform teams use, on the local emulator: `fsx-drt diff` (what
//! deploy would change, and nothing left behind: no stack, no change set, nothing uploaded),
//! and the stack options (tags, service role, event topics) landing where AWS shows them.

use serde_json::{json, Value};

use crate::emulator::{Emulator, LAMBDA_ZIP};

/// Stacks, their change sets, and the buckets the emulator holds.
fn left_behind(emulator: &Emulator) -> Value {
    emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\nstacks = [s for s in cf.describe_stacks()['Stacks'] if s['StackStatus'] != 'DELETE_COMPLETE']\nprint(json.dumps({'stacks': [[s['StackName'], s['StackStatus'], len(cf.list_change_sets(StackName=s['StackId'])['Summaries'])] for s in stacks], 'buckets': sorted(b['Name'] for b in boto3.client('s3', **kw).list_buckets()['Buckets'])}))",
    )
}

#[test]
fn diff_shows_and_leaves_nothing_behind() {
    let emulator = Emulator::start();
    let fs = emulator.file_system_id.clone();
    let run = |verb: &str, schedule: &str| {
        let fixed = format!(
            "{verb} --stack-name d --yes --lambda-zip {LAMBDA_ZIP} --file-system-id {fs} --email ops@example.com --paths /data --output json"
        );
        let mut args: Vec<&str> = fixed.split(' ').collect();
        args.extend(["--schedule", schedule]);
        emulator.fsx_drt(&args)
    };
    let before = left_behind(&emulator);

    // Before the first deploy: every resource is an Add, and nothing is left.
    let first = run("diff", "cron(0 6 * * ? *)");
    assert_eq!(first.code, 0, "{}", first.stderr);
    let shown: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(shown["has_changes"], true);
    let changes = shown["changes"].as_array().unwrap();
    assert!(changes.len() > 5, "{shown}");
    assert!(changes.iter().all(|c| c["action"] == "Add"), "{shown}");
    assert_eq!(left_behind(&emulator), before);

    let deployed = run("deploy", "cron(0 6 * * ? *)");
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let after_deploy = left_behind(&emulator);

    // The same values: no changes, exit 0.
    let same = run("diff", "cron(0 6 * * ? *)");
    assert_eq!(same.code, 0, "{}", same.stderr);
    let same: Value = serde_json::from_str(&same.stdout).unwrap();
    assert_eq!(same["has_changes"], false, "{same}");

    // One value changed: the schedule is modified, the parameter shown; the stack stays.
    let changed = run("diff", "cron(30 7 * * ? *)");
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let changed: Value = serde_json::from_str(&changed.stdout).unwrap();
    assert_eq!(changed["has_changes"], true);
    // Which resource CloudFormation names is its own to say (moto names the group, AWS would
    // name the schedule): a Modify, and no Add or Remove.
    let actions: Vec<&Value> = changed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["action"])
        .collect();
    assert!(
        !actions.is_empty() && actions.iter().all(|a| *a == "Modify"),
        "{changed}"
    );
    let schedule = changed["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Schedule")
        .cloned();
    assert_eq!(
        schedule.map(|p| (p["old"].clone(), p["new"].clone())),
        Some((json!("cron(0 6 * * ? *)"), json!("cron(30 7 * * ? *)"))),
        "{changed}"
    );
    assert_eq!(left_behind(&emulator), after_deploy);
    let status = emulator.fsx_drt(&["status", "--stack-name", "d", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["schedule"], "cron(0 6 * * ? *)");
}

#[test]
fn stack_options_land_where_aws_shows_them() {
    let emulator = Emulator::start();
    // The topic must exist (CloudFormation checks it).
    emulator.aws("boto3.client('sns', **kw).create_topic(Name='stack-events')\nboto3.client('iam', **kw).create_policy(PolicyName='boundary', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]}))\nprint(1)");
    let fixed = format!(
        "deploy --stack-name o --yes --lambda-zip {LAMBDA_ZIP} --file-system-id {} --email ops@example.com --paths /data --tags team=hpc,cost-center=42 --role-arn arn:aws:iam::123456789012:role/deployer --notification-arns arn:aws:sns:us-east-1:123456789012:stack-events --permissions-boundary arn:aws:iam::123456789012:policy/boundary",
        emulator.file_system_id
    );
    let deployed = emulator.fsx_drt(&fixed.split(' ').collect::<Vec<_>>());
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let stack = emulator.aws(
        "s = boto3.client('cloudformation', **kw).describe_stacks(StackName='o')['Stacks'][0]\nprint(json.dumps([sorted([t['Key'], t['Value']] for t in s.get('Tags', [])), s.get('RoleARN'), s.get('NotificationARNs')]))",
    );
    assert_eq!(
        stack,
        json!([
            [["cost-center", "42"], ["team", "hpc"]],
            "arn:aws:iam::123456789012:role/deployer",
            ["arn:aws:sns:us-east-1:123456789012:stack-events"]
        ])
    );
    let status = emulator.fsx_drt(&["status", "--stack-name", "o", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["tags"], json!({"team": "hpc", "cost-center": "42"}));
    // Every role the stack made has the boundary (get-role shows it).
    let boundaries = emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\niam = boto3.client('iam', **kw)\nroles = [r['PhysicalResourceId'] for r in cf.describe_stack_resources(StackName='o')['StackResources'] if r.get('ResourceType') == 'AWS::IAM::Role']\nprint(json.dumps(sorted(set(iam.get_role(RoleName=n)['Role'].get('PermissionsBoundary', {}).get('PermissionsBoundaryArn', 'none') for n in roles)) + [len(roles)]))",
    );
    assert_eq!(
        boundaries,
        json!(["arn:aws:iam::123456789012:policy/boundary", 2])
    );
}

/// `--termination-protection on` guards the stack: destroy explains it (exit 3); `off` on an
/// otherwise unchanged deploy lifts it, and destroy goes through.
#[test]
fn termination_protection_on_and_off() {
    let emulator = Emulator::start();
    let deploy = |protection: &str| {
        let fixed = format!(
            "deploy --stack-name p --yes --lambda-zip {LAMBDA_ZIP} --file-system-id {} --email ops@example.com --paths /data --termination-protection {protection}",
            emulator.file_system_id
        );
        emulator.fsx_drt(&fixed.split(' ').collect::<Vec<_>>())
    };
    let protected = |emulator: &Emulator| {
        emulator.aws("print(json.dumps(boto3.client('cloudformation', **kw).describe_stacks(StackName='p')['Stacks'][0]['EnableTerminationProtection']))")
    };
    let on = deploy("on");
    assert_eq!(on.code, 0, "{}", on.stderr);
    assert_eq!(protected(&emulator), json!(true));
    let refused = emulator.fsx_drt(&["destroy", "--stack-name", "p", "--yes"]);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("termination protection"),
        "{}",
        refused.stderr
    );
    let off = deploy("off");
    assert_eq!(off.code, 0, "{}", off.stderr);
    assert!(off.stdout.contains("is up to date"), "{}", off.stdout);
    assert_eq!(protected(&emulator), json!(false));
    let destroyed = emulator.fsx_drt(&["destroy", "--stack-name", "p", "--yes"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
}

/// The reviewed pair: `--change-set-only` keeps a change set (a new stack waits for review
/// with it), `--execute-change-set` runs it; one the stack has outgrown is refused with the
/// reason and nothing changes.
#[test]
fn a_reviewed_change_set_runs_once_and_only_on_the_stack_it_was_made_for() {
    let emulator = Emulator::start();
    let fs = emulator.file_system_id.clone();
    let keep = |schedule: &str| {
        let fixed = format!(
            "deploy --stack-name r --change-set-only --lambda-zip {LAMBDA_ZIP} --file-system-id {fs} --email ops@example.com --paths /data --output json"
        );
        let mut args: Vec<&str> = fixed.split(' ').collect();
        args.extend(["--schedule", schedule]);
        let kept = emulator.fsx_drt(&args);
        assert_eq!(kept.code, 0, "{}", kept.stderr);
        serde_json::from_str::<Value>(&kept.stdout).unwrap()
    };
    let execute = |name: &Value| {
        emulator.fsx_drt(&[
            "deploy",
            "--stack-name",
            "r",
            "--execute-change-set",
            name.as_str().unwrap(),
            "--yes",
            "--output",
            "json",
        ])
    };
    let schedule_of = |emulator: &Emulator| {
        let status = emulator.fsx_drt(&["status", "--stack-name", "r", "--output", "json"]);
        serde_json::from_str::<Value>(&status.stdout).unwrap()["schedule"].clone()
    };

    // A new stack: every resource an Add, kept on the stack CloudFormation made for it.
    let first = keep("cron(0 6 * * ? *)");
    assert_eq!(first["has_changes"], true, "{first}");
    assert!(
        first["change_set_arn"]
            .as_str()
            .unwrap()
            .contains(":changeSet/"),
        "{first}"
    );
    let changes = first["changes"].as_array().unwrap();
    assert!(
        changes.len() > 5 && changes.iter().all(|c| c["action"] == "Add"),
        "{first}"
    );
    assert_eq!(
        left_behind(&emulator)["stacks"],
        json!([["r", "REVIEW_IN_PROGRESS", 1]])
    );
    let created = execute(&first["change_set_name"]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let created: Value = serde_json::from_str(&created.stdout).unwrap();
    assert_eq!(
        (&created["operation"], &created["status"]),
        (&json!("create"), &json!("CREATE_COMPLETE"))
    );
    assert_eq!(schedule_of(&emulator), "cron(0 6 * * ? *)");

    // Unchanged: nothing kept.
    let same = keep("cron(0 6 * * ? *)");
    assert_eq!(
        (&same["has_changes"], &same["change_set_name"]),
        (&json!(false), &Value::Null),
        "{same}"
    );

    // Two reviews of the same stack: executing one removes the other, which is then refused.
    let a = keep("cron(0 7 * * ? *)");
    let b = keep("cron(0 8 * * ? *)");
    let ran = execute(&b["change_set_name"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let refused = execute(&a["change_set_name"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stdout.contains("has no change set"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stdout.contains("--change-set-only"),
        "{}",
        refused.stderr
    );
    // Spent: refused, not run twice.
    let again = execute(&b["change_set_name"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stdout.contains("executed already"),
        "{}",
        again.stderr
    );
    assert_eq!(schedule_of(&emulator), "cron(0 8 * * ? *)");

    // The stack updated some other way after the review: its LastUpdatedTime says so.
    let c = keep("cron(0 9 * * ? *)");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    emulator.aws("cf = boto3.client('cloudformation', **kw)\ns = cf.describe_stacks(StackName='r')['Stacks'][0]\nps = [{'ParameterKey': p['ParameterKey'], 'ParameterValue': 'cron(0 10 * * ? *)' if p['ParameterKey'] == 'Schedule' else p['ParameterValue']} for p in s['Parameters']]\ncf.update_stack(StackName='r', UsePreviousTemplate=True, Parameters=ps, Capabilities=['CAPABILITY_IAM'])\nprint(1)");
    let outgrown = execute(&c["change_set_name"]);
    assert_eq!(outgrown.code, 1, "{}", outgrown.stderr);
    assert!(
        outgrown.stdout.contains("the stack was updated at"),
        "{}",
        outgrown.stderr
    );
    assert_eq!(schedule_of(&emulator), "cron(0 10 * * ? *)");

    // What the change set already holds cannot be given again; a bad name is named.
    for given in [
        ["--tags", "a=b"],
        ["--file-system-id", "fs-0123456789abcdef0"],
    ] {
        let mut args = vec!["deploy", "--stack-name", "r", "--execute-change-set", "x"];
        args.extend(given);
        let mixed = emulator.fsx_drt(&args);
        assert_eq!(mixed.code, 2, "{}", mixed.stderr);
        assert!(
            mixed.stderr.contains("cannot be used with"),
            "{}",
            mixed.stderr
        );
    }
    let bad = emulator.fsx_drt(&[
        "deploy",
        "--stack-name",
        "r",
        "--execute-change-set",
        "no_such",
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("--execute-change-set"),
        "{}",
        bad.stderr
    );
}

/// `Tags:` in the definition file land on the stack, `--tags` goes over them key by key, and
/// a later deploy that gives no tags sends none, so the stack keeps its own.
#[test]
fn tags_from_the_file_the_flag_over_them_and_kept_when_none_given() {
    let emulator = Emulator::start();
    let file = emulator.dir.join("tagged.yaml");
    std::fs::write(
        &file,
        format!(
            "FileSystemId: {}\nEmailAddress: ops@example.com\nPaths: /data\nTags: {{team: hpc, cost-center: 42}}\n",
            emulator.file_system_id
        ),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let tags = |emulator: &Emulator| {
        emulator.aws("s = boto3.client('cloudformation', **kw).describe_stacks(StackName='t')['Stacks'][0]\nprint(json.dumps(sorted([t['Key'], t['Value']] for t in s.get('Tags', []))))")
    };
    let fixed = format!("deploy --stack-name t --yes --lambda-zip {LAMBDA_ZIP}");
    let mut args: Vec<&str> = fixed.split(' ').collect();
    args.extend([
        "--parameters-file",
        file,
        "--tags",
        "cost-center=7,owner=ana",
    ]);
    let deployed = emulator.fsx_drt(&args);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    assert_eq!(
        tags(&emulator),
        json!([["cost-center", "7"], ["owner", "ana"], ["team", "hpc"]])
    );
    // No tags at all (flags only, another schedule): the stack's stay.
    let again = format!(
        "{fixed} --file-system-id {} --email ops@example.com --paths /data",
        emulator.file_system_id
    );
    let mut args: Vec<&str> = again.split(' ').collect();
    args.extend(["--schedule", "rate(2 hours)", "--output", "json"]);
    let redeployed = emulator.fsx_drt(&args);
    assert_eq!(redeployed.code, 0, "{}", redeployed.stderr);
    let redeployed: Value = serde_json::from_str(&redeployed.stdout).unwrap();
    assert_eq!(redeployed["operation"], "update", "{redeployed}");
    assert_eq!(
        tags(&emulator),
        json!([["cost-center", "7"], ["owner", "ana"], ["team", "hpc"]])
    );
    // Only the tags change: an update all the same, and the tags given are the stack's.
    let mut args: Vec<&str> = again.split(' ').collect();
    args.extend([
        "--schedule",
        "rate(2 hours)",
        "--tags",
        "team=storage",
        "--output",
        "json",
    ]);
    let retagged = emulator.fsx_drt(&args);
    assert_eq!(retagged.code, 0, "{}", retagged.stderr);
    let retagged: Value = serde_json::from_str(&retagged.stdout).unwrap();
    assert_eq!(retagged["operation"], "update", "{retagged}");
    assert_eq!(tags(&emulator), json!([["team", "storage"]]));
}

/// `--alarm-topic-arn`: a stack that mailed its own topic moves to the team's topic (its
/// EmailAddress gives way): no topic or key of its own any more, TopicArn is the team's
/// topic and AlarmTopicKeyArn is gone; status does not read the team's subscriptions. (moto
/// makes no alarms or subscriptions, and does not serve the SDK's CloudWatch protocol: the
/// alarms' actions are checked on the template, tests/offline/template.rs.)
#[test]
fn alarms_move_to_the_teams_topic() {
    let emulator = Emulator::start();
    let team = emulator.aws(
        "print(json.dumps(boto3.client('sns', **kw).create_topic(Name='team-alarms')['TopicArn']))",
    );
    let team = team.as_str().unwrap();
    let deploy = |extra: &[&str]| {
        let fixed = format!(
            "deploy --stack-name a --yes --lambda-zip {LAMBDA_ZIP} --file-system-id {} --paths /data --output json",
            emulator.file_system_id
        );
        let mut args: Vec<&str> = fixed.split(' ').collect();
        args.extend(extra);
        let run = emulator.fsx_drt(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<Value>(&run.stdout).unwrap()
    };
    let seen = |emulator: &Emulator| {
        emulator.aws("cf = boto3.client('cloudformation', **kw)\nkinds = sorted(r.get('ResourceType', '') for r in cf.describe_stack_resources(StackName='a')['StackResources'])\ntopics = sorted(t['TopicArn'] for t in boto3.client('sns', **kw).list_topics()['Topics'])\nprint(json.dumps([[k for k in kinds if k.startswith(('AWS::SNS', 'AWS::KMS'))], len(topics)]))")
    };
    let own = deploy(&["--email", "ops@example.com"]);
    assert!(own["outputs"]["AlarmTopicKeyArn"].is_string(), "{own}");
    assert_ne!(own["outputs"]["TopicArn"], team, "{own}");
    assert_eq!(
        seen(&emulator),
        json!([["AWS::KMS::Key", "AWS::SNS::Topic"], 2])
    );

    let moved = deploy(&["--alarm-topic-arn", team]);
    assert_eq!(moved["outputs"]["TopicArn"], team, "{moved}");
    let steps = moved["next_steps"].to_string();
    assert!(
        steps.contains(team) && steps.contains("cloudwatch.amazonaws.com publish"),
        "{steps}"
    );
    assert!(
        moved["outputs"].get("AlarmTopicKeyArn").is_none(),
        "{moved}"
    );
    // The stack's own topic and key are gone; the team's topic is left as it was.
    assert_eq!(seen(&emulator), json!([[], 1]));
    let status = emulator.fsx_drt(&["status", "--stack-name", "a", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["email_subscription"], "team topic", "{status}");
    assert_eq!(status["parameters"]["AlarmTopicArn"], team);
    assert_eq!(status["parameters"]["EmailAddress"], "");
}
