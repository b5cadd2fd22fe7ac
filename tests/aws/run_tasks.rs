//! run and tasks against canned AWS responses (aws-smithy-mocks): invoking the function
//! (which the emulator's Lambda cannot run), waiting for a task over several polls, a task
//! that ends with failed files, Ctrl-C while waiting, and cancelling.

use std::time::{Duration, Instant};

use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_fsx::operation::cancel_data_repository_task::CancelDataRepositoryTaskOutput;
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_fsx::types::{
    CompletionReport, DataRepositoryTask, DataRepositoryTaskLifecycle, DataRepositoryTaskType,
};
use aws_sdk_lambda::operation::invoke::InvokeOutput;
use aws_sdk_lambda::primitives::Blob;
use aws_smithy_mocks::{mock, Rule};
use fsx_drt::cli::RunArgs;
use fsx_drt::commands::run::request as run_request;
use fsx_drt::error::Failure;
use fsx_drt::interrupt::Interrupt;
use fsx_drt::workflows::{run, tasks};
use fsx_drt_core::handler::Outcome;

use crate::common::*;

const TASK: &str = "task-0a1b2c3d4e5f60718";
const FUNCTION_NAME: &str = "fsx-drt-scheduler-Function-AbCdEf123456";

fn run_args(wait: bool) -> RunArgs {
    RunArgs {
        stack_name: STACK.into(),
        schedule: None,
        wait,
        direct: false,
        timeout: Duration::from_secs(3600),
    }
}

fn invoke_rule(payload: &'static str, function_error: Option<&'static str>) -> Rule {
    mock!(aws_sdk_lambda::Client::invoke)
        .match_requests(|r| {
            r.function_name() == Some(FUNCTION_NAME)
                && r.invocation_type()
                    == Some(&aws_sdk_lambda::types::InvocationType::RequestResponse)
                && r.payload()
                    .is_some_and(|p| String::from_utf8_lossy(p.as_ref()).contains("fsx-drt.cli"))
        })
        .then_output(move || {
            InvokeOutput::builder()
                .status_code(200)
                .set_function_error(function_error.map(str::to_string))
                .payload(Blob::new(payload))
                .build()
        })
}

const CREATED: &str = r#"{"Outcome":"created","TaskId":"task-0a1b2c3d4e5f60718","Lifecycle":"PENDING","Type":"EXPORT_TO_REPOSITORY","Paths":["data"],"ClientRequestToken":"run-1"}"#;

fn task(lifecycle: DataRepositoryTaskLifecycle, ok: i64, failed: i64) -> DataRepositoryTask {
    export_task(TASK, lifecycle, 100, ok, failed)
        .report(
            CompletionReport::builder()
                .enabled(true)
                .path("/fsx-drt-completion-reports")
                .build(),
        )
        .build()
}

/// DescribeDataRepositoryTasks for this one task: each answer in turn.
fn task_polls(answers: Vec<DataRepositoryTask>) -> Rule {
    let mut sequence = mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .match_requests(|r| r.task_ids() == [TASK])
        .sequence();
    for answer in answers {
        sequence = sequence.output(move || {
            DescribeDataRepositoryTasksOutput::builder()
                .data_repository_tasks(answer.clone())
                .build()
        });
    }
    sequence.build()
}

async fn run_with(
    rules: &Rules<'_>,
    args: &RunArgs,
    interrupt: &Interrupt,
) -> Result<run::Ran, Failure> {
    run::execute(
        &session(&rules.aws(), &printer(), interrupt),
        &run_request(args),
        Instant::now(),
    )
    .await
}

#[tokio::test]
async fn run_invokes_the_function_and_reports_the_task() {
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let invoke = invoke_rule(CREATED, None);
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        lambda: vec![&invoke],
        ..Rules::default()
    };
    let ran = run_with(&rules, &run_args(false), &Interrupt::never())
        .await
        .unwrap();
    assert_eq!(invoke.num_calls(), 1);
    assert_eq!(ran.result.outcome, Outcome::Created);
    assert!(!ran.failed());
    assert_eq!(
        ran.to_string(),
        "Task task-0a1b2c3d4e5f60718 (EXPORT_TO_REPOSITORY, PENDING) by the function for /data.\n"
    );
    // Paths as the user wrote them; an import's also as the repository's.
    let import = run::Ran {
        result: fsx_drt_core::handler::RunResult {
            task_type: "IMPORT_METADATA_FROM_REPOSITORY".into(),
            paths: vec!["s3://bucket/data/".into()],
            ..ran.result.clone()
        },
        paths: "/data".into(),
        ..ran
    };
    assert!(
        import
            .to_string()
            .ends_with("for /data (from s3://bucket/data/).\n"),
        "{import}"
    );
    // A release of everything is sent as `/`, and said in words.
    let release = run::Ran {
        result: fsx_drt_core::handler::RunResult {
            task_type: "RELEASE_DATA_FROM_FILESYSTEM".into(),
            paths: vec!["/".into()],
            ..import.result.clone()
        },
        paths: "/".into(),
        ..import
    };
    assert!(
        release
            .to_string()
            .ends_with("for the whole file system.\n"),
        "{release}"
    );
}

#[tokio::test]
async fn a_function_error_is_exit_1_with_its_message_and_the_way_to_its_log() {
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let invoke = invoke_rule(
        r#"{"errorType":"RunError","errorMessage":"no data repository covers /datab"}"#,
        Some("Unhandled"),
    );
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        lambda: vec![&invoke],
        ..Rules::default()
    };
    let failure = run_with(&rules, &run_args(true), &Interrupt::never())
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 1);
    assert_eq!(
        failure.error,
        format!(
            "the function {FUNCTION_NAME} failed (Unhandled): no data repository covers /datab"
        )
    );
    let help = failure.help.unwrap();
    // The function logs to the stack's own log group, not /aws/lambda/NAME.
    assert!(
        help.contains(&format!("aws logs tail {LOG_GROUP_NAME}")),
        "{help}"
    );
    assert!(help.contains("run --direct"), "{help}");
}

#[tokio::test(start_paused = true)]
async fn wait_follows_the_task_and_fails_on_failed_files_naming_the_report() {
    use DataRepositoryTaskLifecycle::{Executing, Pending, Succeeded};
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let invoke = invoke_rule(CREATED, None);
    let polls = task_polls(vec![
        task(Pending, 0, 0),
        task(Executing, 40, 0),
        task(Executing, 80, 1),
        task(Succeeded, 97, 3),
    ]);
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        lambda: vec![&invoke],
        fsx: vec![&polls],
        ..Rules::default()
    };
    let started = tokio::time::Instant::now();
    let ran = run_with(&rules, &run_args(true), &Interrupt::never())
        .await
        .unwrap();
    assert_eq!(polls.num_calls(), 4);
    assert!(
        started.elapsed() <= Duration::from_secs(6),
        "polls every 1-2 s"
    );
    let task = ran.task.as_ref().unwrap();
    assert_eq!(
        (task.lifecycle.as_str(), task.succeeded, task.failed),
        ("SUCCEEDED", Some(97), Some(3))
    );
    assert!(ran.failed(), "failed files make the run a failure (exit 1)");
    let text = ran.to_string();
    assert!(
        text.contains(
            "The task did not complete cleanly; the report is in \
             /fsx-drt-completion-reports/task-0a1b2c3d4e5f60718/ \
             (fsx-drt tasks report task-0a1b2c3d4e5f60718 summarises it)."
        ),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_while_waiting_leaves_the_task_running() {
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let invoke = invoke_rule(CREATED, None);
    let polls = mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .sequence()
        .output(|| {
            DescribeDataRepositoryTasksOutput::builder()
                .data_repository_tasks(task(DataRepositoryTaskLifecycle::Executing, 1, 0))
                .build()
        })
        .repeatedly()
        .build();
    let cancel = mock!(aws_sdk_fsx::Client::cancel_data_repository_task)
        .then_output(|| CancelDataRepositoryTaskOutput::builder().build());
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        lambda: vec![&invoke],
        fsx: vec![&polls, &cancel],
        ..Rules::default()
    };
    let (trigger, interrupt) = Interrupt::manual();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(7)).await;
        trigger.raise();
    });
    let failure = run_with(&rules, &run_args(true), &interrupt)
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 130);
    assert_eq!(
        failure.error,
        format!("stopped waiting for task {TASK}; it goes on")
    );
    assert_eq!(cancel.num_calls(), 0, "the task is not cancelled");
    assert!(polls.num_calls() >= 3);
}

#[tokio::test]
async fn tasks_lists_newest_first_filtered_and_limited() {
    use DataRepositoryTaskLifecycle::{Failed, Succeeded};
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let at = |id: &str, secs: i64, lifecycle: DataRepositoryTaskLifecycle| {
        DataRepositoryTask::builder()
            .task_id(id)
            .r#type(DataRepositoryTaskType::Export)
            .lifecycle(lifecycle)
            .creation_time(aws_sdk_fsx::primitives::DateTime::from_secs(secs))
            .build()
    };
    let listing = mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .match_requests(|r| {
            r.filters()
                .iter()
                .any(|f| f.values().contains(&FS.to_string()))
        })
        .then_output(move || {
            DescribeDataRepositoryTasksOutput::builder()
                .data_repository_tasks(at("task-00000000000000001", 100, Succeeded))
                .data_repository_tasks(at("task-00000000000000003", 300, Failed))
                .data_repository_tasks(at("task-00000000000000002", 200, Succeeded))
                .data_repository_tasks(at("task-00000000000000004", 400, Succeeded))
                .build()
        });
    let template = template_rule();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        fsx: vec![&listing],
        ..Rules::default()
    };
    let list = tasks::list(&rules.aws(), STACK, Some("SUCCEEDED"), 2)
        .await
        .unwrap();
    let ids: Vec<&str> = list.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["task-00000000000000004", "task-00000000000000002"]);
    assert_eq!(list.file_system_id, FS);
}

#[tokio::test]
async fn cancel_names_a_missing_or_finished_task() {
    let error = |code: &'static str| {
        mock!(aws_sdk_fsx::Client::cancel_data_repository_task).then_http_response(move || {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(400).unwrap(),
                aws_smithy_types::body::SdkBody::from(format!(
                    "{{\"__type\":\"{code}\",\"Message\":\"task {TASK}\"}}"
                )),
            )
        })
    };
    for (code, exit, says) in [
        ("DataRepositoryTaskNotFound", 2, "there is no task"),
        ("DataRepositoryTaskEnded", 1, "has already ended"),
    ] {
        let rule = error(code);
        let rules = Rules {
            fsx: vec![&rule],
            ..Rules::default()
        };
        let failure = tasks::cancel(&rules.aws(), TASK).await.unwrap_err();
        assert_eq!(failure.exit_code, exit, "{code}: {failure:?}");
        assert!(failure.error.contains(says), "{code}: {failure:?}");
    }
    let ok = mock!(aws_sdk_fsx::Client::cancel_data_repository_task)
        .match_requests(|r| r.task_id() == Some(TASK))
        .then_output(|| {
            CancelDataRepositoryTaskOutput::builder()
                .task_id(TASK)
                .lifecycle(DataRepositoryTaskLifecycle::Canceling)
                .build()
        });
    let rules = Rules {
        fsx: vec![&ok],
        ..Rules::default()
    };
    let canceled = tasks::cancel(&rules.aws(), TASK).await.unwrap();
    assert_eq!(canceled.lifecycle, "CANCELING");
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_a_slow_invoke_stops_and_says_where_to_look() {
    let (trigger, interrupt) = Interrupt::manual();
    // Raised as the schedule is read, the call before the function's: the invoke is abandoned
    // (no Invoke rule exists, so a call would have panicked).
    let stack = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(move || {
        let stack = deployed_stack(aws_sdk_cloudformation::types::StackStatus::CreateComplete);
        DescribeStacksOutput::builder().stacks(stack).build()
    });
    let template = mock!(aws_sdk_cloudformation::Client::get_template).then_output(move || {
        trigger.raise();
        GetTemplateOutput::builder()
            .template_body(fsx_drt::template::TEMPLATE_YAML)
            .build()
    });
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        ..Rules::default()
    };
    let aws = rules.aws();
    let failure = run::execute(
        &session(&aws, &printer(), &interrupt),
        &run_request(&run_args(true)),
        Instant::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.exit_code, 130);
    assert!(
        failure
            .error
            .contains("see fsx-drt tasks --stack-name fsx-drt-scheduler"),
        "{failure:?}"
    );
}
