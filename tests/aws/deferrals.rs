//! Deferred runs end to end on the local emulator: a stack deployed with a MaxDeferMinutes
//! schedule, a task keeping its file system busy, the schedule's run deferred (a one-time
//! schedule in the stack's group), shown by `status` and `tasks`, then fired once the file
//! system is free: exactly one task for the slot, however often the try is delivered. And
//! a slot past its bound, given up.
//!
//! The emulator's Lambda runs no code and its Scheduler never fires: [`Function`] runs the
//! function's handler here, with the function's environment as the stack set it and SDK
//! clients on the emulator, as the Lambda runtime would (core/src/main.rs); [`fire`] does
//! what Scheduler does with a one-time schedule: invokes the function with its input, then
//! deletes it (ActionAfterCompletion DELETE).

use std::collections::HashMap;

use aws_config::{BehaviorVersion, Region};
use chrono::{DurationRound, Utc};
use fsx_drt_core::event::{Invocation, SCHEDULED_TIME_ATTRIBUTE, SCHEDULE_ARN_ATTRIBUTE};
use fsx_drt_core::handler::{Handler, Outcome, RunResult};
use fsx_drt_core::later::Later;
use serde_json::{json, Value};

use crate::emulator::{Emulator, LAMBDA_ZIP};

/// The stack's function, run here.
struct Function {
    env: HashMap<String, String>,
    name: String,
    arn: String,
    sdk: aws_config::SdkConfig,
}

impl Function {
    async fn of(emulator: &Emulator, stack: &str) -> Function {
        let found = emulator.aws(&format!(
            "out = {{o['OutputKey']: o['OutputValue'] for o in boto3.client('cloudformation', **kw).describe_stacks(StackName={stack:?})['Stacks'][0]['Outputs']}}\nconf = boto3.client('lambda', **kw).get_function_configuration(FunctionName=out['FunctionName'])\nprint(json.dumps([out['FunctionName'], conf['FunctionArn'], {{k: str(v) for k, v in conf['Environment']['Variables'].items()}}]))"
        ));
        let env = serde_json::from_value(found[2].clone()).unwrap();
        let credentials =
            aws_sdk_fsx::config::Credentials::new("testing", "testing", None, None, "emulator");
        let sdk = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&emulator.endpoint)
            .credentials_provider(credentials)
            .load()
            .await;
        Function {
            env,
            name: found[0].as_str().unwrap().to_string(),
            arn: found[1].as_str().unwrap().to_string(),
            sdk,
        }
    }

    /// One invocation with `event`, as the function handles it. Metrics are not required:
    /// the emulator's CloudWatch may not take them (the result's warnings say so).
    async fn invoke(&self, event: &Value) -> RunResult {
        let lookup = |name: &str| self.env.get(name).cloned();
        let invocation = Invocation::of_with(event, "emulator-request", lookup).unwrap();
        let handler = Handler {
            fsx: aws_sdk_fsx::Client::new(&self.sdk),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&self.sdk),
            config: invocation.config(lookup).unwrap(),
            function_name: self.name.clone(),
            namespace: fsx_drt_core::metrics::NAMESPACE.to_string(),
            metrics_required: false,
            later: Later::from_env(lookup, aws_sdk_scheduler::Client::new(&self.sdk), &self.arn),
        };
        handler.run_invocation(&invocation).await.unwrap()
    }

    /// The event Scheduler sends for the stack's schedule `name` fired at `scheduled`: its
    /// target's input with the context attributes replaced.
    fn scheduled_event(&self, emulator: &Emulator, name: &str, scheduled: &str) -> Value {
        let group = &self.env[fsx_drt_core::env::SCHEDULE_GROUP];
        let found = emulator.aws(&format!(
            "s = boto3.client('scheduler', **kw).get_schedule(Name={name:?}, GroupName={group:?})\nprint(json.dumps([s['Arn'], s['Target']['Input']]))"
        ));
        let input = found[1]
            .as_str()
            .unwrap()
            .replace(SCHEDULED_TIME_ATTRIBUTE, scheduled)
            .replace(SCHEDULE_ARN_ATTRIBUTE, found[0].as_str().unwrap());
        serde_json::from_str(&input).unwrap()
    }

    /// The one-time schedules waiting in the stack's group: name and input.
    fn one_time_schedules(&self, emulator: &Emulator) -> Vec<(String, Value)> {
        let group = &self.env[fsx_drt_core::env::SCHEDULE_GROUP];
        let found = emulator.aws(&format!(
            "sch = boto3.client('scheduler', **kw)\nnames = [s['Name'] for s in sch.list_schedules(GroupName={group:?}, NamePrefix='fsx-drt-defer-')['Schedules']]\nprint(json.dumps([[n, sch.get_schedule(Name=n, GroupName={group:?})] for n in names], default=str))"
        ));
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                let schedule = &pair[1];
                assert_eq!(schedule["ActionAfterCompletion"], "DELETE", "{schedule}");
                assert_eq!(schedule["Target"]["Arn"], self.arn.as_str(), "{schedule}");
                let input = schedule["Target"]["Input"].as_str().unwrap();
                (
                    pair[0].as_str().unwrap().to_string(),
                    serde_json::from_str(input).unwrap(),
                )
            })
            .collect()
    }

    /// What Scheduler does with each waiting one-time schedule (due or not: the test does
    /// not wait for its time): invokes the function with its input, then deletes it.
    async fn fire(&self, emulator: &Emulator) -> Vec<RunResult> {
        let group = &self.env[fsx_drt_core::env::SCHEDULE_GROUP];
        let mut results = Vec::new();
        for (name, input) in self.one_time_schedules(emulator) {
            results.push(self.invoke(&input).await);
            emulator.aws(&format!(
                "boto3.client('scheduler', **kw).delete_schedule(Name={name:?}, GroupName={group:?})\nprint('null')"
            ));
        }
        results
    }
}

/// A task on the file system that keeps it busy until canceled (its id).
fn busy(emulator: &Emulator) -> String {
    let found = emulator.aws(&format!(
        "t = boto3.client('fsx', **kw).create_data_repository_task(Type='EXPORT_TO_REPOSITORY', FileSystemId={:?}, Paths=['data/busy'], Report={{'Enabled': False}})\nprint(json.dumps(t['DataRepositoryTask']['TaskId']))",
        emulator.file_system_id
    ));
    found.as_str().unwrap().to_string()
}

/// Waits (up to 20 s) until the task has ended.
fn ended(emulator: &Emulator, task_id: &str) {
    let lifecycle = emulator.aws(&format!(
        "import time\nfsx = boto3.client('fsx', **kw)\nfor _ in range(200):\n    l = fsx.describe_data_repository_tasks(TaskIds=[{task_id:?}])['DataRepositoryTasks'][0]['Lifecycle']\n    if l in ('SUCCEEDED', 'FAILED', 'CANCELED'): break\n    time.sleep(0.1)\nprint(json.dumps(l))"
    ));
    assert!(
        ["SUCCEEDED", "FAILED", "CANCELED"].contains(&lifecycle.as_str().unwrap()),
        "{lifecycle}"
    );
}

/// The tasks on the file system tagged with this schedule: their ids.
fn tasks_of(emulator: &Emulator, schedule: &str) -> Vec<String> {
    let found = emulator.aws(&format!(
        "fsx = boto3.client('fsx', **kw)\ntasks = fsx.describe_data_repository_tasks(Filters=[{{'Name': 'file-system-id', 'Values': [{:?}]}}])['DataRepositoryTasks']\nprint(json.dumps([t['TaskId'] for t in tasks if {{'Key': 'fsx-drt:schedule', 'Value': {schedule:?}}} in fsx.list_tags_for_resource(ResourceARN=t['ResourceARN'])['Tags']]))",
        emulator.file_system_id
    ));
    serde_json::from_value(found).unwrap()
}

/// A stack whose nightly-export may wait 120 minutes for its file system.
fn deployed(emulator: &Emulator) {
    let definition = emulator.dir.join("deferrals.yaml");
    std::fs::write(
        &definition,
        format!(
            "FileSystemId: {}\nEmailAddress: hpc-ops@example.com\nSchedules:\n  nightly-export: {{TaskType: Export, Paths: [/data], Schedule: \"0 22 * * ? *\", Timezone: Europe/Berlin, MaxDeferMinutes: 120}}\n",
            emulator.file_system_id
        ),
    )
    .unwrap();
    let deploy = emulator.fsx_drt(&[
        "deploy",
        "--stack-name",
        "deferrals",
        "--parameters-file",
        definition.to_str().unwrap(),
        "--lambda-zip",
        LAMBDA_ZIP,
        "--yes",
        "--no-input",
    ]);
    assert_eq!(deploy.code, 0, "{}", deploy.stderr);
}

/// `<aws.scheduler.scheduled-time>` as Scheduler writes it (2022-03-22T18:59:43Z), `hours_ago`
/// hours before this minute.
fn scheduled_time(hours_ago: i64) -> String {
    let minute = Utc::now()
        .duration_trunc(chrono::Duration::minutes(1))
        .unwrap();
    (minute - chrono::Duration::hours(hours_ago)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[tokio::test]
async fn a_busy_file_system_defers_the_slot_and_the_fired_try_creates_its_one_task() {
    // Tasks run until canceled (a minute): the test decides when the file system is free.
    let emulator = Emulator::start_with(&[("FSX_DRT_EMULATOR_TASK_SECONDS", "60")]);
    deployed(&emulator);
    let function = Function::of(&emulator, "deferrals").await;
    let blocker = busy(&emulator);

    let scheduled = scheduled_time(0);
    let event = function.scheduled_event(&emulator, "nightly-export", &scheduled);
    let deferred = function.invoke(&event).await;
    assert_eq!(deferred.outcome, Outcome::Deferred, "{deferred:?}");
    // The task it found running, not one of its own.
    assert_eq!(deferred.task_id.as_deref(), Some(blocker.as_str()));
    let waiting = function.one_time_schedules(&emulator);
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].1["Deferral"]["Attempt"], 1);
    assert_eq!(waiting[0].1["ScheduledTime"], event["ScheduledTime"]);

    // status and tasks show it; a deferral is healthy.
    let status = emulator.fsx_drt(&["status", "--stack-name", "deferrals", "--output", "json"]);
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    let shown = &status["deferred"][0];
    assert_eq!(shown["schedule"], "nightly-export", "{status}");
    assert_eq!(shown["attempt"], 1, "{status}");
    assert_eq!(shown["one_time_schedule"], waiting[0].0.as_str());
    // In the schedule's zone (Berlin: +01:00 or +02:00).
    assert!(
        shown["slot"].as_str().unwrap().ends_with(":00+01:00")
            || shown["slot"].as_str().unwrap().ends_with(":00+02:00"),
        "{shown}"
    );
    let text = emulator.fsx_drt(&["status", "--stack-name", "deferrals"]);
    assert!(
        text.stdout
            .contains("Deferred runs:\n  nightly-export: slot "),
        "{}",
        text.stdout
    );
    let tasks = emulator.fsx_drt(&["tasks", "--stack-name", "deferrals"]);
    assert_eq!(tasks.code, 0, "{}", tasks.stderr);
    assert!(
        tasks
            .stdout
            .contains("  DEFERRED (no task yet)  nightly-export: slot "),
        "{}",
        tasks.stdout
    );

    // The file system is free again: the try creates the slot's task.
    let canceled = emulator.fsx_drt(&["tasks", "cancel", &blocker]);
    assert_eq!(canceled.code, 0, "{}", canceled.stderr);
    ended(&emulator, &blocker);
    let fired = function.fire(&emulator).await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].outcome, Outcome::Created, "{:?}", fired[0]);
    assert_eq!(fired[0].client_request_token, deferred.client_request_token);
    let task_id = fired[0].task_id.clone().unwrap();
    assert!(function.one_time_schedules(&emulator).is_empty());
    assert_eq!(tasks_of(&emulator, "nightly-export"), std::slice::from_ref(&task_id));

    // The same try delivered again (Scheduler's retry) once that task has ended: FSx's
    // idempotency by ClientRequestToken answers the same task; still one task for the slot.
    let canceled = emulator.fsx_drt(&["tasks", "cancel", &task_id]);
    assert_eq!(canceled.code, 0, "{}", canceled.stderr);
    ended(&emulator, &task_id);
    let again = function.invoke(&waiting[0].1).await;
    assert_eq!(
        (again.outcome, again.task_id.as_deref()),
        (Outcome::Created, Some(task_id.as_str())),
        "{again:?}"
    );
    assert_eq!(tasks_of(&emulator, "nightly-export"), [task_id]);
    let status = emulator.fsx_drt(&["status", "--stack-name", "deferrals", "--output", "json"]);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(status["deferred"], json!([]), "{status}");
}

#[tokio::test]
async fn a_slot_past_its_bound_is_given_up_with_the_metric() {
    let emulator = Emulator::start();
    deployed(&emulator);
    let function = Function::of(&emulator, "deferrals").await;
    busy(&emulator);
    // Fired three hours ago (delivered late, say): its 120 minutes have passed.
    let scheduled = scheduled_time(3);
    let event = function.scheduled_event(&emulator, "nightly-export", &scheduled);
    let skipped = function.invoke(&event).await;
    assert_eq!(skipped.outcome, Outcome::Skipped, "{skipped:?}");
    assert!(
        skipped
            .reason
            .as_deref()
            .unwrap()
            .contains("not deferred: its bound"),
        "{skipped:?}"
    );
    assert!(function.one_time_schedules(&emulator).is_empty());
    let sum = emulator.aws(&format!(
        "import datetime\nnow = datetime.datetime.now(datetime.timezone.utc)\nd = boto3.client('cloudwatch', **kw).get_metric_statistics(Namespace='FsxDrt', MetricName='SkippedRuns', Dimensions=[{{'Name': 'FunctionName', 'Value': {:?}}}, {{'Name': 'Schedule', 'Value': 'nightly-export'}}], StartTime=now - datetime.timedelta(days=1), EndTime=now + datetime.timedelta(minutes=1), Period=86400, Statistics=['Sum'])['Datapoints']\nprint(json.dumps(sum(p['Sum'] for p in d)))",
        function.name
    ));
    assert_eq!(sum, json!(1.0), "{skipped:?}");
    let status = emulator.fsx_drt(&["status", "--stack-name", "deferrals"]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(
        status
            .stdout
            .contains("  warning: nightly-export: 1 run given up in the last 7 days (SkippedRuns)"),
        "{}",
        status.stdout
    );
}
