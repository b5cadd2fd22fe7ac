//! Follow-up checks of tasks on the local emulator, timed as the function's own: for each task,
//! the first check after its expected length, then the next after twice the wait, every wait
//! within the cap (`fsx_drt_core::followup`), each one the function's handler on SDK clients
//! for the emulator, until the check reports the task. Where the function has Scheduler invoke
//! it at the next check's time, this waits for that time itself (Scheduler's own delivery delay
//! is left out). `cargo xtask bench alarm` (bench/alarm_bench.py) runs it.
//!
//! ```sh
//! AWS_ENDPOINT_URL=http://127.0.0.1:PORT cargo run --example follow_up_checks -- \
//!     TOPIC_ARN CAP_MINUTES TASK_ID:FILE_SYSTEM_ID:EXPECTED_SECONDS...
//! ```
//!
//! Prints one JSON line per task once it is reported: its id, how many checks it took and how
//! long the last one (the one that reported it) took.

use std::time::Instant;

use chrono::Utc;
use fsx_drt_core::follow::{check_config, CheckOutcome, FollowUps};
use fsx_drt_core::followup::{Cap, Check};
use fsx_drt_core::handler::Handler;
use fsx_drt_core::FileSystemId;
use serde_json::json;

#[path = "scheduler.rs"]
#[allow(dead_code)]
mod scheduler;

/// Follows one task until a check reports it; its line of output.
async fn follow(
    sdk: &aws_config::SdkConfig,
    topic_arn: &str,
    cap: Cap,
    task: &str,
) -> serde_json::Value {
    let mut fields = task.splitn(3, ':');
    let (task_id, fs, expected) = (
        fields.next().unwrap(),
        fields
            .next()
            .expect("TASK_ID:FILE_SYSTEM_ID:EXPECTED_SECONDS"),
        fields
            .next()
            .expect("TASK_ID:FILE_SYSTEM_ID:EXPECTED_SECONDS"),
    );
    let expected = chrono::Duration::seconds(expected.parse().expect("whole seconds"));
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    let handler = Handler {
        fsx: aws_sdk_fsx::Client::new(sdk),
        cloudwatch: aws_sdk_cloudwatch::Client::new(sdk),
        config: check_config(FileSystemId::parse(fs).expect("a file system id")),
        function_name: "fsx-drt-bench".into(),
        namespace: fsx_drt_core::metrics::NAMESPACE.into(),
        metrics_required: true,
        // The next check's time is waited for here, as Scheduler would.
        later: None,
        follow_ups: Some(FollowUps {
            sns: aws_sdk_sns::Client::new(sdk),
            s3,
            topic_arn: topic_arn.to_string(),
            cap,
        }),
    };
    // Arranged as the run that created the task arranges it: from the task's creation.
    let described = handler
        .fsx
        .describe_data_repository_tasks()
        .task_ids(task_id)
        .send()
        .await
        .expect("the task");
    let created = described.data_repository_tasks()[0]
        .creation_time()
        .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
        .unwrap_or_else(Utc::now);
    let mut check = Check::first(task_id, Some("bench"), created, Some(expected), cap);
    let mut at = check.at(created);
    loop {
        if let Ok(wait) = (at - Utc::now()).to_std() {
            tokio::time::sleep(wait).await;
        }
        let started = Instant::now();
        let result = handler.check(&check).await.expect("a check");
        let took = started.elapsed();
        match result.outcome {
            CheckOutcome::Running => {
                let now = Utc::now();
                check = check.next(now, cap).expect("followed for a day");
                at = check.at(now);
            }
            CheckOutcome::Reported => {
                return json!({
                    "TaskId": task_id,
                    "Checks": check.attempt,
                    "ExpectedSeconds": expected.num_seconds(),
                    "CheckMs": took.as_secs_f64() * 1000.0,
                });
            }
            other => panic!("{task_id}: the check found {other:?}, not a task that ended badly"),
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL: the emulator");
    let [topic_arn, cap, tasks @ ..] = &args[..] else {
        panic!("usage: follow_up_checks TOPIC_ARN CAP_MINUTES TASK_ID:FILE_SYSTEM_ID:EXPECTED_SECONDS...");
    };
    let cap = Cap::parse(cap).expect("the cap in minutes, 1-60");
    let sdk = scheduler::emulator(&endpoint).await;
    let followed: Vec<_> = tasks
        .iter()
        .map(|task| {
            let (sdk, topic_arn, task) = (sdk.clone(), topic_arn.clone(), task.clone());
            tokio::spawn(async move { follow(&sdk, &topic_arn, cap, &task).await })
        })
        .collect();
    for handle in followed {
        println!("{}", handle.await.expect("a followed task"));
    }
}
