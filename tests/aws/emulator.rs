//! deploy, status and destroy against the local AWS emulator (moto with the project's FSx
//! extension, started here): what a person or a CI pipeline sees, and what lands in "AWS".

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The emulator for this test, stopped when dropped.
pub(crate) struct Emulator {
    child: Child,
    pub(crate) endpoint: String,
    pub(crate) file_system_id: String,
    pub(crate) dir: PathBuf,
}

impl Emulator {
    pub(crate) fn start() -> Emulator {
        let root = env!("CARGO_MANIFEST_DIR");
        let dir = std::env::temp_dir().join(format!("fsx-drt-emulator-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new("bash")
            .arg(format!("{root}/emulator/setup.sh"))
            .args(["--port", "0"])
            .env("FSX_DRT_EMULATOR_REQUEST_LOG", dir.join("requests.log"))
            .env("FSX_DRT_EMULATOR_LOG", dir.join("emulator.log"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("emulator/setup.sh starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut endpoint, mut file_system_id) = (None, None);
        while endpoint.is_none() || file_system_id.is_none() {
            let line = lines
                .next()
                .expect("the emulator prints its endpoint and file system")
                .unwrap();
            if let Some(v) = line.strip_prefix("AWS_ENDPOINT_URL=") {
                endpoint = Some(v.to_string());
            }
            if let Some(v) = line.strip_prefix("FILE_SYSTEM_ID=") {
                file_system_id = Some(v.to_string());
            }
        }
        Emulator {
            child,
            endpoint: endpoint.unwrap(),
            file_system_id: file_system_id.unwrap(),
            dir,
        }
    }

    /// The binary, with real-looking credentials and `--verbose`: whatever it prints, the
    /// secret key is never in it.
    pub(crate) fn fsx_drt(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_fsx-drt"))
            .args(args)
            .arg("--verbose")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        for secret in [SECRET_KEY, SESSION_TOKEN] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "fsx-drt {args:?} printed a secret:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    /// Asks the emulator directly (boto3 from its own venv), returning JSON.
    pub(crate) fn aws(&self, script: &str) -> Value {
        let root = env!("CARGO_MANIFEST_DIR");
        let program = format!(
            "import boto3, json\nkw = dict(endpoint_url={:?}, region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{script}",
            self.endpoint
        );
        let output = Command::new(format!("{root}/target/venv-emulator/bin/python"))
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    fn requests(&self) -> String {
        std::fs::read_to_string(self.dir.join("requests.log")).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// AWS's documented example key pair, as real credentials look (moto accepts any).
const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLEdGVzdHRva2VuZm9yZnN4ZHJ0";

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// Any valid zip does for the emulator (its Lambda does not run code): a small one with an
/// arm64 ELF header as bootstrap, so the test does not need the cross-built artifact.
pub(crate) const LAMBDA_ZIP: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bootstrap.zip");

#[test]
fn deploy_status_redeploy_and_destroy_on_the_emulator() {
    let emulator = Emulator::start();
    let fs = emulator.file_system_id.clone();
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "--stack-name",
            "it",
            "--yes",
            "--lambda-zip",
            LAMBDA_ZIP,
        ];
        args.extend_from_slice(extra);
        emulator.fsx_drt(&args)
    };

    // Bad input: exit 2, and nothing created: no bucket, no stack.
    let bad = deploy(&["--file-system-id", "fs-BAD", "--email", "ops@example.com"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("FileSystemId"));
    let uncovered = deploy(&[
        "--file-system-id",
        &fs,
        "--email",
        "ops@example.com",
        "--paths",
        "/elsewhere",
    ]);
    assert_eq!(uncovered.code, 2, "{}", uncovered.stderr);
    assert!(uncovered
        .stderr
        .contains("no data repository covers /elsewhere"));
    let nothing = emulator.aws(
        "print(json.dumps({'buckets': [b['Name'] for b in boto3.client('s3', **kw).list_buckets()['Buckets']], 'stacks': [s['StackName'] for s in boto3.client('cloudformation', **kw).describe_stacks()['Stacks']]}))",
    );
    assert_eq!(nothing["stacks"], serde_json::json!([]));
    assert_eq!(
        nothing["buckets"],
        serde_json::json!(["fsx-drt-demo-data"]),
        "only the seeded bucket"
    );
    assert!(!emulator.requests().contains("CreateChangeSet"));

    // A fresh deploy.
    let created = deploy(&[
        "--file-system-id",
        &fs,
        "--email",
        "ops@example.com",
        "--paths",
        "/data/in \"/data/with space\"",
        "--task-type",
        "release",
        "--release-after-days",
        "7",
        "--schedule",
        "15 6 * * ? *",
        "--output",
        "json",
    ]);
    assert_eq!(created.code, 0, "{}", created.stderr);
    let result: Value = serde_json::from_str(&created.stdout).unwrap();
    assert_eq!(result["status"], "CREATE_COMPLETE");
    assert_eq!(result["operation"], "create");
    assert_eq!(result["outputs"]["Schedule"], "cron(15 6 * * ? *)");
    let function = result["outputs"]["FunctionName"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        created.stderr.contains("Add     Function"),
        "{}",
        created.stderr
    );

    // What landed: the function, its environment, the schedule (in its zone, targeting the
    // function), topic and queue.
    let landed = emulator.aws(&format!(
        "lam = boto3.client('lambda', **kw)\nf = lam.get_function_configuration(FunctionName={function:?})\nsch = boto3.client('scheduler', **kw)\nfound = [sch.get_schedule(Name=s['Name'], GroupName=s['GroupName']) for s in sch.list_schedules()['Schedules']]\nprint(json.dumps({{'runtime': f['Runtime'], 'handler': f['Handler'], 'memory': f['MemorySize'], 'env': f['Environment']['Variables'], 'schedules': [[s['ScheduleExpression'], s['ScheduleExpressionTimezone'], s['State']] for s in found], 'targets': [s['Target']['Arn'] == f['FunctionArn'] for s in found], 'topics': len(boto3.client('sns', **kw).list_topics()['Topics']), 'queues': len(boto3.client('sqs', **kw).list_queues().get('QueueUrls', []))}}))"
    ));
    // No reserved concurrency (it fails first deploys on low-quota accounts); Lambda's
    // retries of a failed run bounded instead, here by a daily schedule's hour.
    let invoke = emulator.aws(&format!(
        "lam = boto3.client('lambda', **kw)\nc = lam.get_function_event_invoke_config(FunctionName={function:?})\nr = lam.get_function_concurrency(FunctionName={function:?})\nprint(json.dumps({{'retries': c['MaximumRetryAttempts'], 'age': c['MaximumEventAgeInSeconds'], 'reserved': r.get('ReservedConcurrentExecutions')}}))"
    ));
    assert_eq!(
        invoke,
        serde_json::json!({"retries": 2, "age": 3600, "reserved": null})
    );
    assert_eq!(landed["runtime"], "provided.al2023");
    assert_eq!(landed["handler"], "bootstrap");
    assert_eq!(landed["memory"], 128);
    let env = &landed["env"];
    assert_eq!(env["FILE_SYSTEM_ID"], fs.as_str());
    assert_eq!(env["TASK_TYPE"], "RELEASE_DATA_FROM_FILESYSTEM");
    assert_eq!(env["FSX_PATHS"], "/data/in \"/data/with space\"");
    assert_eq!(env["COMPLETION_REPORT_PATH"], "/fsx-drt-completion-reports");
    assert_eq!(env["RELEASE_AFTER_DAYS"].to_string().trim_matches('"'), "7");
    assert_eq!(
        landed["schedules"],
        serde_json::json!([["cron(15 6 * * ? *)", "UTC", "ENABLED"]])
    );
    assert_eq!(landed["targets"], serde_json::json!([true]));
    assert_eq!(landed["topics"], 1);
    assert_eq!(landed["queues"], 1);

    // The same again: no change is success, not an error.
    let outputs = emulator.dir.join("outputs.json");
    let again = deploy(&["--outputs-file", outputs.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("is up to date"), "{}", again.stdout);
    // CI reads the outputs after every deploy, changed or not.
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
    assert_eq!(written["FunctionName"], function.as_str());

    // One parameter changes: the change set shows old -> new; the rest comes from the stack.
    let changed = deploy(&["--schedule", "rate(1 hour)"]);
    assert_eq!(changed.code, 0, "{}", changed.stderr);
    let parameter_change = |key: &str, change: &str| {
        changed
            .stderr
            .lines()
            .any(|l| l.trim_start().starts_with(key) && l.ends_with(change))
    };
    assert!(
        parameter_change("Schedule:", "cron(15 6 * * ? *) -> rate(1 hour)"),
        "{}",
        changed.stderr
    );
    // Lambda's retries of a failed run now end a minute before the next hourly run.
    assert!(
        parameter_change("MaximumEventAgeSeconds:", "3600 -> 3540"),
        "{}",
        changed.stderr
    );
    assert!(
        changed.stdout.contains("updated: UPDATE_COMPLETE"),
        "{}",
        changed.stdout
    );

    // Status, for people and for programs.
    let status = emulator.fsx_drt(&["status", "--stack-name", "it"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status.stdout.contains("Stack it: UPDATE_COMPLETE"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("Healthy."));
    // The emulator has no drift detection (InvalidAction): not checked, and not a failure.
    assert!(
        status
            .stdout
            .contains("Drift: not checked: the endpoint does not support drift detection\n"),
        "{}",
        status.stdout
    );
    let status = emulator.fsx_drt(&["status", "--stack-name", "it", "--output", "json"]);
    let json: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(json["parameters"]["Schedule"], "rate(1 hour)");
    assert_eq!(json["parameters"]["TaskType"], "Release");
    assert_eq!(json["healthy"], true);
    assert_eq!(json["drift"]["state"], "not_checked");

    // --verbose logs each request, and only that.
    assert!(
        status
            .stderr
            .contains("aws: CloudFormation.DescribeStacks -> HTTP 200"),
        "{}",
        status.stderr
    );

    // Run now, from here (the emulator's Lambda runs no code), and wait: PENDING -> SUCCEEDED.
    let ran = emulator.fsx_drt(&[
        "run",
        "--stack-name",
        "it",
        "--direct",
        "--wait",
        "--output",
        "json",
    ]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let ran: Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(ran["result"]["Outcome"], "created");
    assert_eq!(ran["result"]["Type"], "RELEASE_DATA_FROM_FILESYSTEM");
    assert_eq!(ran["task"]["lifecycle"], "SUCCEEDED");
    let task_id = ran["result"]["TaskId"].as_str().unwrap().to_string();
    assert_eq!(ran["task"]["task_id"], task_id.as_str());
    assert!(emulator.requests().contains("CreateDataRepositoryTask"));

    // Tasks: listed, filtered, and one running cancelled.
    let listed = emulator.fsx_drt(&["tasks", "--stack-name", "it", "--lifecycle", "succeeded"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(listed.stdout.contains(&task_id), "{}", listed.stdout);
    let started = emulator.fsx_drt(&["run", "--stack-name", "it", "--direct", "--output", "json"]);
    assert_eq!(started.code, 0, "{}", started.stderr);
    let started: Value = serde_json::from_str(&started.stdout).unwrap();
    let running = started["result"]["TaskId"].as_str().unwrap().to_string();
    // Another run while it runs is skipped, not an error.
    let skipped = emulator.fsx_drt(&["run", "--stack-name", "it", "--direct"]);
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
    assert!(
        skipped.stdout.starts_with("Skipped: task"),
        "{}",
        skipped.stdout
    );
    let cancelled = emulator.fsx_drt(&["tasks", "cancel", &running]);
    assert_eq!(cancelled.code, 0, "{}", cancelled.stderr);
    assert!(
        cancelled.stdout.contains("CANCELING"),
        "{}",
        cancelled.stdout
    );
    let missing = emulator.fsx_drt(&["tasks", "cancel", "task-0123456789abcdef0"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(missing
        .stderr
        .contains("there is no task task-0123456789abcdef0"));

    // Termination protection: destroy says how to lift it and deletes nothing.
    let protect = |on: bool| {
        emulator.aws(&format!(
            "cf = boto3.client('cloudformation', **kw)\ncf.update_termination_protection(StackName='it', EnableTerminationProtection={})\nprint(json.dumps(cf.describe_stacks(StackName='it')['Stacks'][0]['EnableTerminationProtection']))",
            if on { "True" } else { "False" }
        ))
    };
    assert_eq!(protect(true), true);
    let refused = emulator.fsx_drt(&["destroy", "--stack-name", "it", "--yes"]);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("update-termination-protection --no-enable-termination-protection"),
        "{}",
        refused.stderr
    );
    assert!(!emulator.requests().contains("DeleteStack"));
    assert_eq!(protect(false), false);

    // Destroy: gone, and so is its artifact.
    let destroyed = emulator.fsx_drt(&["destroy", "--stack-name", "it", "--yes"]);
    assert_eq!(destroyed.code, 0, "{}", destroyed.stderr);
    assert!(
        destroyed.stdout.contains("Removed s3://"),
        "{}",
        destroyed.stdout
    );
    let gone = emulator.fsx_drt(&["status", "--stack-name", "it"]);
    assert_eq!(gone.code, 2);
    assert!(gone.stderr.contains("there is no stack it"));
}

/// Someone else's stack of the same name: deploy, status and destroy leave it alone (exit 2,
/// naming what was found), and it is there afterwards as it was.
#[test]
fn a_stack_fsx_drt_did_not_make_is_left_untouched() {
    let emulator = Emulator::start();
    let fs = emulator.file_system_id.clone();
    let shop = emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\nt = {'Description': 'Our web shop', 'Resources': {'Orders': {'Type': 'AWS::SQS::Queue'}}}\ncf.create_stack(StackName='shop', TemplateBody=json.dumps(t))\nprint(json.dumps(cf.describe_stacks(StackName='shop')['Stacks'][0]['StackStatus']))",
    );
    let commands: [&[&str]; 3] = [
        &[
            "deploy",
            "--stack-name",
            "shop",
            "--yes",
            "--lambda-zip",
            LAMBDA_ZIP,
            "--file-system-id",
            &fs,
            "--email",
            "ops@example.com",
            "--paths",
            "/data",
        ],
        &["status", "--stack-name", "shop"],
        &["destroy", "--stack-name", "shop", "--yes"],
    ];
    for args in commands {
        let run = emulator.fsx_drt(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("not made by fsx-drt") && run.stderr.contains("\"Our web shop\""),
            "{args:?}: {}",
            run.stderr
        );
    }
    let after = emulator.aws(
        "cf = boto3.client('cloudformation', **kw)\ns = cf.describe_stacks(StackName='shop')['Stacks'][0]\nr = cf.describe_stack_resources(StackName='shop')['StackResources']\nprint(json.dumps([s['StackStatus'], s['Description'], [x['LogicalResourceId'] for x in r]]))",
    );
    assert_eq!(after, serde_json::json!([shop, "Our web shop", ["Orders"]]));
    for call in ["CreateChangeSet", "DeleteStack", "PutObject"] {
        assert!(!emulator.requests().contains(call), "{call}");
    }
}
