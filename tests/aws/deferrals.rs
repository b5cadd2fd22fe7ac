//! Deferred runs end to end on the local emulator: a stack deployed with a MaxDeferMinutes
//! schedule, a task keeping its file system busy, the schedule's run deferred (a one-time
//! schedule in the stack's group), shown by `status` and `tasks`, then fired once the file
//! system is free: exactly one task for the slot, however often the try is delivered. And
//! a slot past its bound, given up.
//!
//! The emulator's Lambda runs no code and its Scheduler never fires: examples/scheduler.rs
//! plays Scheduler (the function's handler run here, with the stack's environment for it).

use fsx_drt_core::handler::Outcome;
use serde_json::{json, Value};

use crate::emulator::{Emulator, LAMBDA_ZIP};
use crate::scheduler::{emulator as sdk_on, scheduled_time, Function};

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

#[tokio::test]
async fn a_busy_file_system_defers_the_slot_and_the_fired_try_creates_its_one_task() {
    // Tasks run until canceled (a minute): the test decides when the file system is free.
    let emulator = Emulator::start_with(&[("FSX_DRT_EMULATOR_TASK_SECONDS", "60")]);
    deployed(&emulator);
    let function = Function::of(&sdk_on(&emulator.endpoint).await, "deferrals").await;
    let blocker = busy(&emulator);

    let scheduled = scheduled_time(0);
    let event = function.scheduled_event("nightly-export", &scheduled).await;
    let deferred = function.invoke(&event).await;
    assert_eq!(deferred.outcome, Outcome::Deferred, "{deferred:?}");
    // The task it found running, not one of its own.
    assert_eq!(deferred.task_id.as_deref(), Some(blocker.as_str()));
    let waiting = function.one_time_schedules().await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].input["Deferral"]["Attempt"], 1);
    assert_eq!(waiting[0].input["ScheduledTime"], event["ScheduledTime"]);
    assert_eq!(
        waiting[0].action_after_completion.as_deref(),
        Some("DELETE")
    );
    assert_eq!(waiting[0].target_arn, function.arn);

    // status and tasks show it; a deferral is healthy.
    let status = emulator.fsx_drt(&["status", "--stack-name", "deferrals", "--output", "json"]);
    assert_eq!(status.code, 0, "{}\n{}", status.stdout, status.stderr);
    let status: Value = serde_json::from_str(&status.stdout).unwrap();
    let shown = &status["deferred"][0];
    assert_eq!(shown["schedule"], "nightly-export", "{status}");
    assert_eq!(shown["attempt"], 1, "{status}");
    assert_eq!(shown["one_time_schedule"], waiting[0].name.as_str());
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
    let fired = function.fire_one_time_schedules().await;
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].outcome, Outcome::Created, "{:?}", fired[0]);
    assert_eq!(fired[0].client_request_token, deferred.client_request_token);
    let task_id = fired[0].task_id.clone().unwrap();
    assert!(function.one_time_schedules().await.is_empty());
    assert_eq!(
        tasks_of(&emulator, "nightly-export"),
        std::slice::from_ref(&task_id)
    );

    // The same try delivered again (Scheduler's retry) once that task has ended: FSx's
    // idempotency by ClientRequestToken answers the same task; still one task for the slot.
    let canceled = emulator.fsx_drt(&["tasks", "cancel", &task_id]);
    assert_eq!(canceled.code, 0, "{}", canceled.stderr);
    ended(&emulator, &task_id);
    let again = function.invoke(&waiting[0].input).await;
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
    let function = Function::of(&sdk_on(&emulator.endpoint).await, "deferrals").await;
    busy(&emulator);
    // Fired three hours ago (delivered late, say): its 120 minutes have passed.
    let scheduled = scheduled_time(3);
    let event = function.scheduled_event("nightly-export", &scheduled).await;
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
    assert!(function.one_time_schedules().await.is_empty());
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
        "{}{}",
        status.stdout,
        status.stderr
    );
}
