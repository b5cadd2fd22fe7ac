//! Schedules on EventBridge Scheduler, on the local emulator: a definition of three named
//! schedules in a local time zone, and the two ways a stack comes to fsx-drt's schedules:
//! one made by an earlier fsx-drt (an EventBridge rule) and one made by the reference
//! solution itself, both taken over in place by `fsx-drt deploy`.

use serde_json::{json, Value};

use crate::emulator::{Emulator, LAMBDA_ZIP};

/// Every schedule the emulator holds: name, expression, zone, state and input.
fn schedules(emulator: &Emulator) -> Value {
    emulator.aws(
        "sch = boto3.client('scheduler', **kw)\nfound = [sch.get_schedule(Name=s['Name'], GroupName=s['GroupName']) for s in sch.list_schedules()['Schedules']]\nprint(json.dumps(sorted([[s['Name'], s['ScheduleExpression'], s['ScheduleExpressionTimezone'], s['State'], json.loads(s['Target']['Input'])] for s in found])))",
    )
}

fn rules(emulator: &Emulator) -> Value {
    emulator.aws(
        "print(json.dumps([r['Name'] for r in boto3.client('events', **kw).list_rules()['Rules']]))",
    )
}

#[test]
fn three_schedules_in_local_time() {
    let emulator = Emulator::start();
    let definition = emulator.dir.join("schedules.yaml");
    std::fs::write(
        &definition,
        format!(
            "FileSystemId: {}\nEmailAddress: hpc-ops@example.com\nSchedules:\n  morning-import: {{TaskType: Import, Paths: [/data], Schedule: \"30 5 ? * MON-FRI *\", Timezone: Europe/Berlin}}\n  nightly-export: {{TaskType: Export, Paths: [/data/in, \"/data/with space\"], Schedule: \"0 22 * * ? *\", Timezone: Europe/Berlin}}\n  weekly-release: {{TaskType: Release, ReleaseAfterDays: 14, Paths: [/data], Schedule: \"0 3 ? * SUN *\", Timezone: Europe/Berlin, Enabled: false}}\n",
            emulator.file_system_id
        ),
    )
    .unwrap();
    let file = definition.to_str().unwrap();
    let deploy = || {
        emulator.fsx_drt(&[
            "deploy",
            "--stack-name",
            "three",
            "--yes",
            "--lambda-zip",
            LAMBDA_ZIP,
            "--parameters-file",
            file,
        ])
    };
    let created = deploy();
    assert_eq!(created.code, 0, "{}", created.stderr);
    // Before approval: each schedule in words, its next runs in its zone and in UTC.
    for line in [
        "nightly-export: Export /data/in \"/data/with space\"",
        "weekly-release (disabled): Release",
        "Europe/Berlin",
    ] {
        assert!(created.stderr.contains(line), "{line}: {}", created.stderr);
    }
    assert!(
        created.stderr.contains(":00+01:00  (") || created.stderr.contains(":00+02:00  ("),
        "{}",
        created.stderr
    );

    // After: what is left to do, the subscription and the first run.
    for line in [
        "Next:",
        "confirm the subscription AWS mailed to hpc-ops@example.com",
        "the first run: ",
    ] {
        assert!(created.stdout.contains(line), "{line}: {}", created.stdout);
    }

    let found = schedules(&emulator);
    let names: Vec<&Value> = found.as_array().unwrap().iter().map(|s| &s[0]).collect();
    assert_eq!(
        names,
        [
            &json!("morning-import"),
            &json!("nightly-export"),
            &json!("weekly-release")
        ]
    );
    let export = &found[1];
    assert_eq!(export[1], "cron(0 22 * * ? *)");
    assert_eq!(export[2], "Europe/Berlin");
    assert_eq!(export[3], "ENABLED");
    assert_eq!(found[2][3], "DISABLED");
    // The function's input: the schedule's settings and Scheduler's slot attributes.
    let input = &export[4];
    assert_eq!(input["Schedule"], "nightly-export");
    assert_eq!(input["TaskType"], "Export");
    assert_eq!(input["Paths"], "/data/in \"/data/with space\"");
    assert_eq!(input["ScheduledTime"], "<aws.scheduler.scheduled-time>");
    assert_eq!(input["ScheduleArn"], "<aws.scheduler.schedule-arn>");
    assert_eq!(found[2][4]["ReleaseAfterDays"], 14);

    let on = |verb: &str, schedule: &str, extra: &str| {
        emulator.fsx_drt(&[verb, "--stack-name", "three", "--schedule", schedule, extra])
    };
    // One schedule paused, then resumed: deploys of the stack's own schedules.
    let paused = on("pause", "nightly-export", "--yes");
    assert_eq!(paused.code, 0, "{}", paused.stderr);
    let states_of = |found: &Value| -> Vec<String> {
        let states = found.as_array().unwrap().iter();
        states.map(|s| s[3].as_str().unwrap().to_string()).collect()
    };
    let says = |text: &str, what: &str| assert!(text.contains(what), "{what}: {text}");
    let expect = |states: [&str; 3]| assert_eq!(states_of(&schedules(&emulator)), states);
    expect(["ENABLED", "DISABLED", "DISABLED"]);
    let status = emulator.fsx_drt(&["status", "--stack-name", "three"]);
    says(&status.stdout, "nightly-export (disabled):");
    let resumed = on("resume", "nightly-export", "--yes");
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    expect(["ENABLED", "ENABLED", "DISABLED"]);
    // A schedule that is not there is exit 2, naming it and the ones that are.
    let unknown = on("pause", "nope", "--yes");
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    says(&unknown.stderr, "morning-import");

    // One schedule run now, with its own settings; status names its latest task.
    let ran = on("run", "morning-import", "--direct");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    says(&ran.stdout, "IMPORT_METADATA_FROM_REPOSITORY");
    let several = emulator.fsx_drt(&["run", "--stack-name", "three", "--direct"]);
    assert_eq!(several.code, 2, "{}", several.stderr);
    let status = emulator.fsx_drt(&["status", "--stack-name", "three", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    let latest = &status["schedules"][0];
    assert_eq!(latest["name"], "morning-import");
    assert!(
        latest["latest_task"]
            .as_str()
            .is_some_and(|t| t.starts_with("task-")),
        "{latest}"
    );
    assert_eq!(status["schedules"][1]["latest_task"], Value::Null);

    // The same definition again: nothing to do.
    let again = deploy();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stdout.contains("is up to date"),
        "{}\n{}",
        again.stdout,
        again.stderr
    );

    let destroyed = emulator.fsx_drt(&["destroy", "--stack-name", "three", "--yes"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert_eq!(schedules(&emulator), json!([]));
}

/// A stack made by an earlier fsx-drt (its EventBridge rule) and one made by the reference
/// solution (whose Schedule holds six bare cron fields, as its parameters file has them):
/// deploy keeps their parameters, shows the rule going and the schedule coming, and afterwards
/// each is an fsx-drt stack on EventBridge Scheduler.
#[test]
fn rule_stacks_move_to_a_schedule_in_place() {
    let emulator = Emulator::start();
    let root = env!("CARGO_MANIFEST_DIR");
    let fs = &emulator.file_system_id;
    let zip = std::fs::read(LAMBDA_ZIP).unwrap();
    let made = emulator.aws(&format!(
        "cf = boto3.client('cloudformation', **kw)\ns3 = boto3.client('s3', **kw)\ns3.create_bucket(Bucket='old-code')\ns3.put_object(Bucket='old-code', Key='code.zip', Body=bytes({zip:?}))\nold = open({old:?}).read()\nref = open({reference:?}).read()\np = lambda **v: [{{'ParameterKey': k, 'ParameterValue': x}} for k, x in v.items()]\ncf.create_stack(StackName='earlier', TemplateBody=old, Capabilities=['CAPABILITY_IAM'], Parameters=p(EmailAddress='ops@example.com', FileSystemId={fs:?}, Paths='/data', Schedule='cron(15 6 * * ? *)', CodeBucket='old-code', CodeKey='code.zip'))\ncf.create_stack(StackName='reference', TemplateBody=ref, Capabilities=['CAPABILITY_IAM'], Parameters=p(EmailAddress='ops@example.com', FileSystemId={fs:?}, Paths='/data', Schedule='0 6 * * ? *', TaskType='Import'))\nprint(json.dumps([cf.describe_stacks(StackName=n)['Stacks'][0]['StackStatus'] for n in ['earlier', 'reference']]))",
        old = format!("{root}/tests/data/fsx-drt-eventbridge-rule.yaml"),
        reference = format!("{root}/tests/data/reference-template.yaml"),
    ));
    assert_eq!(made, json!(["CREATE_COMPLETE", "CREATE_COMPLETE"]));
    assert_eq!(rules(&emulator).as_array().unwrap().len(), 2);
    // Before it moves, a rule stack has no schedule to pause: exit 2, its rule kept.
    let refused = emulator.fsx_drt(&["pause", "--stack-name", "earlier", "--yes"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("fsx-drt deploy --stack-name earlier"),
        "{}",
        refused.stderr
    );
    assert_eq!(rules(&emulator).as_array().unwrap().len(), 2);

    for (stack, expression) in [
        ("earlier", "cron(15 6 * * ? *)"),
        ("reference", "cron(0 6 * * ? *)"),
    ] {
        let moved = emulator.fsx_drt(&[
            "deploy",
            "--stack-name",
            stack,
            "--yes",
            "--lambda-zip",
            LAMBDA_ZIP,
        ]);
        assert_eq!(moved.code, 0, "{stack}: {}", moved.stderr);
        // The change set says the rule goes and the schedule comes.
        assert!(
            moved.stderr.contains("AWS::Events::Rule") && moved.stderr.contains("Remove"),
            "{stack}: {}",
            moved.stderr
        );
        assert!(
            moved.stderr.contains("Add     TaskSchedule"),
            "{stack}: {}",
            moved.stderr
        );
        // Its own schedule kept, now read in UTC by Scheduler.
        let status = emulator.fsx_drt(&["status", "--stack-name", stack, "--output", "json"]);
        let status: Value = serde_json::from_str(&status.stdout).unwrap();
        assert_eq!(status["schedule"], expression, "{stack}");
        assert_eq!(status["parameters"]["Timezone"], "UTC", "{stack}");
    }
    assert_eq!(rules(&emulator), json!([]));
    let found = schedules(&emulator);
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    for schedule in found.as_array().unwrap() {
        assert_eq!(schedule[4]["Schedule"], "default");
        assert_eq!(schedule[2], "UTC");
    }
}

/// Fifty schedules, the most one stack holds: the template is over CreateChangeSet's
/// 51,200-byte TemplateBody, so it goes through the artifact bucket (TemplateURL).
#[test]
fn fifty_schedules_go_through_the_artifact_bucket() {
    let emulator = Emulator::start();
    let mut text = format!(
        "FileSystemId: {}\nEmailAddress: hpc-ops@example.com\nSchedules:\n",
        emulator.file_system_id
    );
    // One is due with export-00, at midnight in New York: status warns of it.
    text.push_str("  clash: {TaskType: Import, Paths: [/data], Schedule: \"0 0 * * ? *\", Timezone: America/New_York}\n");
    for i in 0..49 {
        text.push_str(&format!(
            "  export-{i:02}: {{TaskType: Export, Paths: [/data], Schedule: \"{} {} * * ? *\", Timezone: America/New_York}}\n",
            i % 60,
            i % 24
        ));
    }
    let definition = emulator.dir.join("fifty.yaml");
    std::fs::write(&definition, text).unwrap();
    let created = emulator.fsx_drt(&[
        "deploy",
        "--stack-name",
        "fifty",
        "--yes",
        "--lambda-zip",
        LAMBDA_ZIP,
        "--parameters-file",
        definition.to_str().unwrap(),
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    assert_eq!(schedules(&emulator).as_array().unwrap().len(), 50);
    let templates = emulator.aws(
        "s3 = boto3.client('s3', **kw)\nb = [x['Name'] for x in s3.list_buckets()['Buckets'] if x['Name'].startswith('fsx-drt-artifacts-')][0]\nprint(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket=b, Prefix='fsx-drt/templates/').get('Contents', [])]))",
    );
    assert_eq!(templates.as_array().unwrap().len(), 1, "{templates}");
    let status = emulator.fsx_drt(&["status", "--stack-name", "fifty", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    let warning = status["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.starts_with("clash and export-00 are both due at "),
        "{status}"
    );
}

/// `fsx-drt template` with the reference's own parameters.json (six bare cron fields), by
/// plain `aws cloudformation create-stack`: the schedule is `cron(...)` of those fields in UTC.
#[test]
fn the_written_template_takes_the_references_parameters() {
    let emulator = Emulator::start();
    let root = env!("CARGO_MANIFEST_DIR");
    let template = emulator.fsx_drt(&["template"]).stdout;
    let file = emulator.dir.join("written.yaml");
    std::fs::write(&file, template).unwrap();
    let zip = std::fs::read(LAMBDA_ZIP).unwrap();
    let made = emulator.aws(&format!(
        "cf = boto3.client('cloudformation', **kw)\ns3 = boto3.client('s3', **kw)\ns3.create_bucket(Bucket='code')\ns3.put_object(Bucket='code', Key='code.zip', Body=bytes({zip:?}))\nparams = json.load(open({params:?}))\nfor p in params:\n    if p['ParameterKey'] == 'FileSystemId': p['ParameterValue'] = {fs:?}\n    if p['ParameterKey'] == 'Paths': p['ParameterValue'] = '/data'\nparams += [{{'ParameterKey': 'CodeBucket', 'ParameterValue': 'code'}}, {{'ParameterKey': 'CodeKey', 'ParameterValue': 'code.zip'}}]\ncf.create_stack(StackName='plain', TemplateBody=open({file:?}).read(), Capabilities=['CAPABILITY_IAM'], Parameters=params)\ns = cf.describe_stacks(StackName='plain')['Stacks'][0]\nprint(json.dumps([s['StackStatus'], [o['OutputValue'] for o in s['Outputs'] if o['OutputKey'] == 'Schedule']]))",
        params = format!("{root}/examples/parameters.json"),
        fs = emulator.file_system_id,
        file = file.to_str().unwrap(),
    ));
    assert_eq!(made, json!(["CREATE_COMPLETE", ["cron(15 6 * * ? *)"]]));
    let found = schedules(&emulator);
    assert_eq!(found[0][1], "cron(15 6 * * ? *)", "{found}");
    assert_eq!(found[0][2], "UTC");
    // status reads it back the same way.
    let status = emulator.fsx_drt(&["status", "--stack-name", "plain", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["schedules"][0]["expression"], "cron(15 6 * * ? *)");
}

/// deploy and diff without the definition file on a stack of named schedules: the stack's own
/// schedules (and its further addresses) are kept, an unchanged deploy is up to date, a flag
/// for a schedule's key changes only `--schedule-name`'s schedule, and without the name it is
/// exit 2 with nothing touched. With the file, the file is the whole truth: a schedule it no
/// longer has is shown going.
#[test]
fn a_stack_keeps_its_named_schedules_without_the_file() {
    let emulator = Emulator::start();
    let definition = emulator.dir.join("two.yaml");
    let two = |schedules: &str| {
        format!(
            "FileSystemId: {}\nEmailAddress: [hpc-ops@example.com, storage@example.com]\nSchedules:\n{schedules}",
            emulator.file_system_id
        )
    };
    let one = "  one: {TaskType: Import, Paths: [/data], Schedule: \"30 5 ? * MON-FRI *\", Timezone: Europe/Berlin, FlexibleWindowMinutes: 15}\n";
    let both = format!("{one}  two: {{TaskType: Release, ReleaseAfterDays: 14, Paths: [/data], Schedule: \"rate(6 hours)\", Enabled: false}}\n");
    std::fs::write(&definition, two(&both)).unwrap();
    let file = definition.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec![args[0], "--stack-name", "named", "--lambda-zip", LAMBDA_ZIP];
        all.extend(&args[1..]);
        emulator.fsx_drt(&all)
    };
    let deployed = run(&["deploy", "--yes", "--parameters-file", file]);
    assert_eq!(deployed.code, 0, "{}", deployed.stderr);
    let before = schedules(&emulator);
    assert_eq!(before.as_array().unwrap().len(), 2, "{before}");

    // No file: nothing would change, and nothing does.
    let diff = run(&["diff", "--output", "json"]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let diff: Value = serde_json::from_str(&diff.stdout).unwrap();
    assert_eq!(diff["has_changes"], false, "{diff}");
    for verb in [
        vec!["deploy", "--yes"],
        vec!["deploy", "--yes", "--revert-drift"],
    ] {
        let again = run(&verb);
        assert_eq!(again.code, 0, "{verb:?}: {}", again.stderr);
        assert!(
            again.stdout.contains("is up to date"),
            "{verb:?}: {}",
            again.stdout
        );
    }
    assert_eq!(schedules(&emulator), before);

    // A schedule's flag without --schedule-name: exit 2 naming the flag, the schedules and
    // the fix; nothing touched.
    let refused = run(&["deploy", "--yes", "--schedule", "cron(0 7 * * ? *)"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    for part in [
        "--schedule",
        "one, two",
        "--schedule-name NAME",
        "--parameters-file",
    ] {
        assert!(refused.stderr.contains(part), "{part}: {}", refused.stderr);
    }
    assert_eq!(schedules(&emulator), before);

    // With it: that schedule changes, the other is kept as it was.
    let changed = run(&[
        "deploy",
        "--yes",
        "--schedule-name",
        "one",
        "--schedule",
        "cron(0 7 * * ? *)",
    ]);
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let after = schedules(&emulator);
    assert_eq!(after[0][1], "cron(0 7 * * ? *)", "{after}");
    assert_eq!(after[0][2], "Europe/Berlin");
    assert_eq!(after[0][4], before[0][4], "one's settings kept");
    assert_eq!(after[1], before[1], "two untouched");
    let status = emulator.fsx_drt(&["status", "--stack-name", "named", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    let shown: Vec<(&Value, &Value, &Value)> = (status["schedules"].as_array().unwrap().iter())
        .map(|s| (&s["name"], &s["expression"], &s["enabled"]))
        .collect();
    assert_eq!(
        shown,
        [
            (&json!("one"), &json!("cron(0 7 * * ? *)"), &json!(true)),
            (&json!("two"), &json!("rate(6 hours)"), &json!(false)),
        ]
    );

    // pause and resume keep the further address (a subscription of the template's own).
    let paused = emulator.fsx_drt(&[
        "pause",
        "--stack-name",
        "named",
        "--schedule",
        "one",
        "--yes",
    ]);
    assert_eq!(paused.code, 0, "{}", paused.stderr);
    let mailed = emulator.aws(
        "b = boto3.client('cloudformation', **kw).get_template(StackName='named')['TemplateBody']\nprint(json.dumps('storage@example.com' in (b if isinstance(b, str) else json.dumps(b))))",
    );
    assert_eq!(mailed, json!(true));

    // The file is the whole truth: a schedule it lacks is shown going.
    std::fs::write(&definition, two(one)).unwrap();
    let diff = run(&["diff", "--output", "json", "--parameters-file", file]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    let diff: Value = serde_json::from_str(&diff.stdout).unwrap();
    let removed: Vec<&Value> = (diff["changes"].as_array().unwrap().iter())
        .filter(|c| c["action"] == "Remove")
        .map(|c| &c["logical_id"])
        .collect();
    assert_eq!(removed, [&json!("ScheduleTwo")], "{diff}");
}
