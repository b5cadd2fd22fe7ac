//! Fault injection (aws-smithy-mocks sequences): each AWS call deploy, destroy and run make,
//! in turn, answers with a 500 and then throttling before it succeeds: the command succeeds
//! (the SDK retries, 3 attempts). Then each keeps failing: the command fails with a clear
//! error naming the call, exit 1, never a panic, and never an outputs file (whole or half).
//!
//! Paused clock: the SDK's back-off between attempts takes no wall-clock time.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_stack_resources::DescribeStackResourcesOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::types::{ChangeAction, StackStatus};
use aws_sdk_fsx::operation::create_data_repository_task::CreateDataRepositoryTaskOutput;
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_fsx::types::{DataRepositoryTask, DataRepositoryTaskLifecycle};
use aws_sdk_s3::operation::delete_object::DeleteObjectOutput;
use aws_sdk_s3::operation::head_bucket::HeadBucketOutput;
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::mock;
use fsx_drt::artifact::Artifact;
use fsx_drt::cli::{DeployArgs, DestroyArgs, ParamArgs, RunArgs};
use fsx_drt::commands::deploy::request as deploy_request;
use fsx_drt::commands::destroy::request as destroy_request;
use fsx_drt::commands::run::request as run_request;
use fsx_drt::error::Failure;
use fsx_drt::interrupt::Interrupt;
use fsx_drt::workflows::inputs::gather_definition;
use fsx_drt::workflows::{deploy, destroy, run};

use crate::common::*;

/// How one call misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A 500, then throttling, then the answer.
    Flaky,
    /// 500 on every attempt.
    Down,
}

/// The call that misbehaves, and how (None: every call answers at once).
#[derive(Debug, Clone, Copy)]
struct Fault(Option<(&'static str, Kind)>);

impl Fault {
    fn on(&self, operation: &str) -> Option<Kind> {
        self.0
            .filter(|(op, _)| *op == operation)
            .map(|(_, kind)| kind)
    }
}

/// Throttling as each protocol says it.
fn throttling(protocol: &str) -> (u16, String) {
    match protocol {
        "query" => (400, query_error("Throttling", "Rate exceeded")),
        "json" => (400, r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into()),
        // S3 answers SlowDown with a 503.
        _ => (
            503,
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                .into(),
        ),
    }
}

/// A rule for `$op`, answering `$output` every time, after the fault if it is this call's.
macro_rules! rule {
    ($fault:expr, $name:literal, $protocol:literal, $op:path, $output:expr) => {
        rule!($fault, $name, $protocol, $op, $output, |_| true)
    };
    ($fault:expr, $name:literal, $protocol:literal, $op:path, $output:expr, $matches:expr) => {{
        let mut sequence = mock!($op).match_requests($matches).sequence();
        match $fault.on($name) {
            Some(Kind::Flaky) => {
                let (status, body) = throttling($protocol);
                sequence = sequence
                    .http_status(500, None)
                    .http_status(status, Some(body));
            }
            Some(Kind::Down) => sequence = sequence.http_status(500, None).times(50),
            None => {}
        }
        sequence.output($output).repeatedly().build()
    }};
}

fn outputs_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fsx-drt-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    let _ = std::fs::remove_file(&path);
    path
}

fn stack_output() -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(deployed_stack(StackStatus::UpdateComplete))
        .build()
}

fn stacks_rule(fault: Fault) -> aws_smithy_mocks::Rule {
    rule!(
        fault,
        "DescribeStacks",
        "query",
        aws_sdk_cloudformation::Client::describe_stacks,
        stack_output
    )
}

fn file_system_rule(fault: Fault) -> aws_smithy_mocks::Rule {
    rule!(
        fault,
        "DescribeFileSystems",
        "json",
        aws_sdk_fsx::Client::describe_file_systems,
        file_system
    )
}

fn associations_rule(fault: Fault) -> aws_smithy_mocks::Rule {
    rule!(
        fault,
        "DescribeDataRepositoryAssociations",
        "json",
        aws_sdk_fsx::Client::describe_data_repository_associations,
        associations
    )
}

const DEPLOY_CALLS: [&str; 9] = [
    "GetCallerIdentity",
    "DescribeStacks",
    "GetTemplate",
    "DescribeFileSystems",
    "DescribeDataRepositoryAssociations",
    "HeadObject",
    "CreateChangeSet",
    "DescribeChangeSet",
    "ExecuteChangeSet",
];

/// An update of the deployed stack (one resource changes), with `fault`.
async fn deploy_with(fault: Fault, outputs: &Path) -> Result<deploy::Deployed, Failure> {
    let update = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
        (1, "ScheduleRule", RULE, "UPDATE_IN_PROGRESS", None),
        (2, "ScheduleRule", RULE, "UPDATE_COMPLETE", None),
        (3, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
    ]);
    let page = update.page(4);
    let identity = rule!(
        fault,
        "GetCallerIdentity",
        "query",
        aws_sdk_sts::Client::get_caller_identity,
        || {
            GetCallerIdentityOutput::builder()
                .account("123456789012")
                .build()
        }
    );
    let stacks = stacks_rule(fault);
    let fs = file_system_rule(fault);
    let repos = associations_rule(fault);
    let resources = rule!(
        fault,
        "DescribeStackResources",
        "query",
        aws_sdk_cloudformation::Client::describe_stack_resources,
        || DescribeStackResourcesOutput::builder().build()
    );
    let bucket = rule!(
        fault,
        "HeadBucket",
        "s3",
        aws_sdk_s3::Client::head_bucket,
        || { HeadBucketOutput::builder().build() }
    );
    let object = rule!(
        fault,
        "HeadObject",
        "s3",
        aws_sdk_s3::Client::head_object,
        || { HeadObjectOutput::builder().build() }
    );
    // The stack's template: its schedules are kept when no file is given.
    let template = rule!(
        fault,
        "GetTemplate",
        "query",
        aws_sdk_cloudformation::Client::get_template,
        || GetTemplateOutput::builder()
            .template_body(fsx_drt::template::TEMPLATE_YAML)
            .build()
    );
    let create = rule!(
        fault,
        "CreateChangeSet",
        "query",
        aws_sdk_cloudformation::Client::create_change_set,
        || { CreateChangeSetOutput::builder().id("cs").build() }
    );
    let ready = rule!(
        fault,
        "DescribeChangeSet",
        "query",
        aws_sdk_cloudformation::Client::describe_change_set,
        || change_set_ready(ChangeAction::Modify, "ScheduleRule", RULE)
    );
    let execute = rule!(
        fault,
        "ExecuteChangeSet",
        "query",
        aws_sdk_cloudformation::Client::execute_change_set,
        || { ExecuteChangeSetOutput::builder().build() },
        |r| sent_token(r.client_request_token())
    );
    let events = rule!(
        fault,
        "DescribeStackEvents",
        "query",
        aws_sdk_cloudformation::Client::describe_stack_events,
        move || with_sent_token(page.clone())
    );
    // Discarding a change set after a failure: best effort, never faulty here.
    let discard = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .sequence()
        .output(|| {
            aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput::builder()
                .build()
        })
        .repeatedly()
        .build();
    let rules = Rules {
        cloudformation: vec![
            &stacks, &template, &resources, &create, &ready, &execute, &events, &discard,
        ],
        fsx: vec![&fs, &repos],
        s3: vec![&bucket, &object],
        sts: vec![&identity],
        ..Rules::default()
    };
    let args = DeployArgs {
        stack_name: STACK.into(),
        yes: true,
        timeout: Duration::from_secs(3600),
        outputs_file: Some(outputs.to_path_buf()),
        params: ParamArgs {
            schedule: Some("rate(2 hours)".into()),
            paths: Some("/".into()),
            ..ParamArgs::default()
        },
        ..DeployArgs::default()
    };
    let prepared = deploy::Prepared {
        draft: gather_definition(&args.params.inputs()).unwrap(),
        switch: None,
        change_set_name: None,
        artifact: Some(Artifact {
            bytes: Cow::Borrowed(b"zip"),
            source: "test".into(),
            sha256: "cd".repeat(32),
        }),
    };
    deploy::execute(
        &session(&rules.aws(), &printer(), &Interrupt::never()),
        &deploy_request(&args).unwrap(),
        prepared,
        Instant::now(),
    )
    .await
}

/// The failure names the call and what to do; exit 1; no outputs file, whole or partial.
fn assert_clear_failure(failure: &Failure, operation: &str, outputs: &Path) {
    assert_eq!(failure.exit_code, 1, "{operation}: {failure:?}");
    assert!(failure.help.is_some(), "{operation}: a next step");
    // Words, not the SDK's debug dump of the response.
    assert_eq!(
        failure.error,
        format!("{operation} failed: HTTP 500 with no error code"),
        "{operation}"
    );
    assert!(!outputs.exists(), "{operation}: no outputs file");
    assert!(
        !outputs.with_extension("fsx-drt-tmp").exists(),
        "{operation}: no partial outputs file"
    );
}

#[tokio::test(start_paused = true)]
async fn deploy_rides_out_a_500_and_throttling_on_each_call() {
    for operation in DEPLOY_CALLS.into_iter().chain(["DescribeStackEvents"]) {
        let outputs = outputs_file(&format!("flaky-{operation}"));
        let deployed = deploy_with(Fault(Some((operation, Kind::Flaky))), &outputs)
            .await
            .unwrap_or_else(|f| panic!("{operation}: {f:?}"));
        assert_eq!(deployed.status, "UPDATE_COMPLETE", "{operation}");
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&outputs).unwrap()).unwrap();
        assert_eq!(
            written["TopicArn"], TOPIC,
            "{operation}: the whole outputs file"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn deploy_fails_clearly_when_a_call_keeps_failing() {
    for operation in DEPLOY_CALLS.into_iter().chain(["DescribeStackEvents"]) {
        let outputs = outputs_file(&format!("down-{operation}"));
        let failure = deploy_with(Fault(Some((operation, Kind::Down))), &outputs)
            .await
            .unwrap_err();
        assert_clear_failure(&failure, operation, &outputs);
        if operation == "DescribeStackEvents" {
            assert!(
                failure
                    .help
                    .as_deref()
                    .unwrap()
                    .contains("the stack operation goes on"),
                "{failure:?}"
            );
        }
    }
}

/// A deletion of the deployed stack, with `fault` (its artifact is named in its parameters
/// only through CodeBucket/CodeKey, which this stack lacks: no S3 call).
async fn destroy_with(fault: Fault) -> Result<destroy::Destroyed, Failure> {
    let deletion = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "DELETE_IN_PROGRESS", USER),
        (2, STACK, STACK_TYPE, "DELETE_COMPLETE", None),
    ]);
    let page = deletion.page(2);
    let stacks = stacks_rule(fault);
    let tasks = rule!(
        fault,
        "DescribeDataRepositoryTasks",
        "json",
        aws_sdk_fsx::Client::describe_data_repository_tasks,
        || DescribeDataRepositoryTasksOutput::builder().build()
    );
    let delete = rule!(
        fault,
        "DeleteStack",
        "query",
        aws_sdk_cloudformation::Client::delete_stack,
        || { DeleteStackOutput::builder().build() },
        |r| sent_token(r.client_request_token())
    );
    let events = rule!(
        fault,
        "DescribeStackEvents",
        "query",
        aws_sdk_cloudformation::Client::describe_stack_events,
        move || with_sent_token(page.clone())
    );
    let unused_s3 = mock!(aws_sdk_s3::Client::delete_object)
        .then_output(|| DeleteObjectOutput::builder().build());
    let rules = Rules {
        cloudformation: vec![&stacks, &delete, &events],
        fsx: vec![&tasks],
        s3: vec![&unused_s3],
        ..Rules::default()
    };
    let args = DestroyArgs {
        stack_set: Default::default(),
        stack_name: STACK.into(),
        role_arn: None,
        yes: true,
        retain: Vec::new(),
        any_stack: false,
        timeout: Duration::from_secs(3600),
        fleet: None,
    };
    destroy::execute(
        &session(&rules.aws(), &printer(), &Interrupt::never()),
        &destroy_request(&args),
        Instant::now(),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn destroy_rides_out_faults_or_fails_clearly() {
    for operation in [
        "DescribeStacks",
        "DescribeDataRepositoryTasks",
        "DeleteStack",
        "DescribeStackEvents",
    ] {
        let destroyed = destroy_with(Fault(Some((operation, Kind::Flaky))))
            .await
            .unwrap_or_else(|f| panic!("{operation}: {f:?}"));
        assert_eq!(destroyed.status, "DELETE_COMPLETE", "{operation}");
        let down = destroy_with(Fault(Some((operation, Kind::Down)))).await;
        if operation == "DescribeDataRepositoryTasks" {
            // Only a warning is at stake: the deletion goes ahead.
            assert_eq!(down.unwrap().status, "DELETE_COMPLETE");
        } else {
            assert_clear_failure(&down.unwrap_err(), operation, &outputs_file("none"));
        }
    }
}

/// `run --direct --wait` on the deployed stack, with `fault`.
async fn run_with(fault: Fault) -> Result<run::Ran, Failure> {
    let task = |lifecycle| {
        DataRepositoryTask::builder()
            .task_id("task-0a1b2c3d4e5f60718")
            .lifecycle(lifecycle)
            .file_system_id(FS)
            .build()
    };
    let stacks = stacks_rule(fault);
    let fs = file_system_rule(fault);
    let repos = associations_rule(fault);
    // The handler's look at running tasks lists by file system; the wait asks by task id.
    let listing = mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .match_requests(|r| r.task_ids().is_empty())
        .sequence()
        .output(|| DescribeDataRepositoryTasksOutput::builder().build())
        .repeatedly()
        .build();
    let polls = rule!(
        fault,
        "DescribeDataRepositoryTasks",
        "json",
        aws_sdk_fsx::Client::describe_data_repository_tasks,
        move || DescribeDataRepositoryTasksOutput::builder()
            .data_repository_tasks(task(DataRepositoryTaskLifecycle::Succeeded))
            .build()
    );
    let create = rule!(
        fault,
        "CreateDataRepositoryTask",
        "json",
        aws_sdk_fsx::Client::create_data_repository_task,
        move || CreateDataRepositoryTaskOutput::builder()
            .data_repository_task(task(DataRepositoryTaskLifecycle::Pending))
            .build()
    );
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stacks, &template],
        fsx: vec![&fs, &repos, &listing, &polls, &create],
        ..Rules::default()
    };
    let args = RunArgs {
        stack_name: STACK.into(),
        schedule: None,
        wait: true,
        direct: true,
        timeout: Duration::from_secs(3600),
    };
    run::execute(
        &session(&rules.aws(), &printer(), &Interrupt::never()),
        &run_request(&args),
        Instant::now(),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn run_rides_out_faults_or_fails_clearly() {
    for operation in [
        "DescribeStacks",
        "DescribeFileSystems",
        "DescribeDataRepositoryAssociations",
        "CreateDataRepositoryTask",
        "DescribeDataRepositoryTasks",
    ] {
        let ran = run_with(Fault(Some((operation, Kind::Flaky))))
            .await
            .unwrap_or_else(|f| panic!("{operation}: {f:?}"));
        assert_eq!(ran.task.unwrap().lifecycle, "SUCCEEDED", "{operation}");
        let failure = run_with(Fault(Some((operation, Kind::Down))))
            .await
            .unwrap_err();
        assert_clear_failure(&failure, operation, &outputs_file("none"));
    }
}
