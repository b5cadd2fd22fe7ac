//! `tasks report` against canned AWS answers: a task's completion report read from S3 and
//! summarised, a report that is not where FSx writes it, and the tasks that have none to read
//! (still running, report disabled, no failed file), which make no S3 call at all.

use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_fsx::types::{
    CompletionReport, DataRepositoryTask, DataRepositoryTaskFailureDetails,
    DataRepositoryTaskLifecycle,
};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule};
use fsx_drt::error::Failure;
use fsx_drt::workflows::tasks::{self, Report, ReportState};

use crate::common::*;

const TASK: &str = "task-0a1b2c3d4e5f60718";
const ACCOUNT: &str = "123456789012";
const BUCKET: &str = "fsx-drt-data";
const REPORT_PATH: &str = "s3://fsx-drt-data/data/reports/";
const KEY: &str = "data/reports/task-0a1b2c3d4e5f60718/failures.csv";
const LITERAL_KEY: &str = "data/reports/task-task-0a1b2c3d4e5f60718/failures.csv";
/// The user guide's example report, and a path that needs quoting.
const REPORT: &str = "myRestrictedFile,failed,S3AccessDenied\n\
    dir1/myLargeFile,failed,FileSizeTooLarge\n\
    dir2/anotherLargeFile,failed,FileSizeTooLarge\n\
    \"dir3/a,b \"\"c\"\".txt\",failed,FileSizeTooLarge\n";

fn task(lifecycle: DataRepositoryTaskLifecycle, failed: i64, report: bool) -> DataRepositoryTask {
    let failure = (lifecycle == DataRepositoryTaskLifecycle::Failed).then(|| {
        DataRepositoryTaskFailureDetails::builder()
            .message("4 files could not be exported")
            .build()
    });
    export_task(TASK, lifecycle, 10, 10 - failed, failed)
        .set_failure_details(failure)
        .report(
            CompletionReport::builder()
                .enabled(report)
                .set_path(report.then(|| REPORT_PATH.to_string()))
                .build(),
        )
        .build()
}

fn describe(task: DataRepositoryTask) -> Rule {
    mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .match_requests(|r| r.task_ids() == [TASK])
        .then_output(move || {
            DescribeDataRepositoryTasksOutput::builder()
                .data_repository_tasks(task.clone())
                .build()
        })
}

fn account() -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity)
        .then_output(|| GetCallerIdentityOutput::builder().account(ACCOUNT).build())
}

/// GetObject of the first 8 MiB of `key` in the bucket, by its owner only: the body, or S3's
/// NoSuchKey.
fn object(key: &'static str, body: Option<&'static str>) -> Rule {
    let rule = mock!(aws_sdk_s3::Client::get_object).match_requests(move |r| {
        r.bucket() == Some(BUCKET)
            && r.key() == Some(key)
            && r.expected_bucket_owner() == Some(ACCOUNT)
            && r.range() == Some("bytes=0-8388607")
    });
    match body {
        Some(body) => rule.then_output(move || {
            GetObjectOutput::builder()
                .body(aws_sdk_s3::primitives::ByteStream::from_static(
                    body.as_bytes(),
                ))
                .build()
        }),
        None => rule.then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(404).unwrap(),
                aws_smithy_types::body::SdkBody::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
                     <Message>The specified key does not exist.</Message></Error>",
                ),
            )
        }),
    }
}

/// `tasks report TASK --stack-name STACK` with these FSx and S3 answers (S3 and STS answer
/// nothing when `s3` is empty: a call there fails the test).
async fn report(fsx: &Rule, s3: &[&Rule]) -> Result<Report, Failure> {
    let stack = stack_rule(deployed_stack(
        aws_sdk_cloudformation::types::StackStatus::CreateComplete,
    ));
    let template = template_rule();
    let sts = account();
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        fsx: vec![fsx],
        s3: s3.to_vec(),
        sts: if s3.is_empty() { vec![] } else { vec![&sts] },
        ..Rules::default()
    };
    tasks::report(&rules.aws(), Some(STACK), TASK).await
}

#[tokio::test]
async fn a_report_with_failed_files_is_summarised() {
    let fsx = describe(task(DataRepositoryTaskLifecycle::Succeeded, 4, true));
    let found = object(KEY, Some(REPORT));
    let report = report(&fsx, &[&found]).await.unwrap();
    let ReportState::Summarised { summary } = &report.state else {
        panic!("{report:?}");
    };
    assert_eq!(summary.failed_files, 4);
    assert_eq!(summary.first_failed[3].path, "dir3/a,b \"c\".txt");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["state"], "summarised");
    assert_eq!(
        json["summary"]["by_error_code"][0]["error_code"],
        "FileSizeTooLarge"
    );
    assert_eq!(json["summary"]["by_error_code"][0]["files"], 3);
    assert_eq!(json["task"]["failed"], 4);
    insta::assert_snapshot!("task_report_summarised", report.to_string());
}

#[tokio::test]
async fn a_report_not_where_fsx_writes_it_is_missing_naming_where_it_was_looked_for() {
    let fsx = describe(task(DataRepositoryTaskLifecycle::Failed, 4, true));
    let (first, second) = (object(KEY, None), object(LITERAL_KEY, None));
    let report = report(&fsx, &[&first, &second]).await.unwrap();
    let ReportState::Missing { looked_for } = &report.state else {
        panic!("{report:?}");
    };
    assert_eq!(
        looked_for,
        &[
            format!("s3://{BUCKET}/{KEY}"),
            format!("s3://{BUCKET}/{LITERAL_KEY}")
        ]
    );
    let text = report.to_string();
    assert!(
        text.contains("4 file(s) failed, but there is no completion report"),
        "{text}"
    );
    assert!(
        text.contains("failure: 4 files could not be exported"),
        "{text}"
    );
    // The second place FSx's documented path can mean is read when the first is empty.
    let found = object(LITERAL_KEY, Some(REPORT));
    let report = self::report(&fsx, &[&first, &found]).await.unwrap();
    assert!(
        matches!(report.state, ReportState::Summarised { .. }),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_long_report_is_read_from_its_start_and_an_empty_one_is_read_too() {
    let fsx = describe(task(DataRepositoryTaskLifecycle::Succeeded, 4, true));
    let start = mock!(aws_sdk_s3::Client::get_object)
        .match_requests(|r| r.range() == Some("bytes=0-8388607"))
        .then_output(|| {
            GetObjectOutput::builder()
                .content_range("bytes 0-14/50000000")
                .body(aws_sdk_s3::primitives::ByteStream::from_static(
                    b"a,failed,X\nb,fa",
                ))
                .build()
        });
    let report = report(&fsx, &[&start]).await.unwrap();
    let ReportState::Summarised { summary } = &report.state else {
        panic!("{report:?}");
    };
    assert!(summary.truncated, "{summary:?}");
    assert_eq!(
        (
            summary.failed_files,
            summary.malformed_lines,
            summary.bytes_total
        ),
        (1, 0, 50_000_000)
    );
    assert!(report
        .to_string()
        .contains("first 11 of 50000000 bytes only"));

    // S3 answers a range of an empty object with 416 InvalidRange.
    let empty = mock!(aws_sdk_s3::Client::get_object).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(416).unwrap(),
            aws_smithy_types::body::SdkBody::from(
                "<Error><Code>InvalidRange</Code><Message>The requested range is not \
                 satisfiable</Message></Error>",
            ),
        )
    });
    let report = self::report(&fsx, &[&empty]).await.unwrap();
    let ReportState::Summarised { summary } = &report.state else {
        panic!("{report:?}");
    };
    assert_eq!((summary.failed_files, summary.truncated), (0, false));
}

#[tokio::test]
async fn running_disabled_and_clean_tasks_have_no_report_to_read() {
    use DataRepositoryTaskLifecycle::{Canceled, Executing, Pending, Succeeded};
    for (task, state, says) in [
        (task(Pending, 0, true), "running", "still PENDING"),
        (task(Executing, 2, true), "running", "still EXECUTING"),
        (
            task(Succeeded, 3, false),
            "disabled",
            "Report.Enabled false",
        ),
        (
            task(Succeeded, 0, true),
            "no_failed_files",
            "No file failed",
        ),
        (task(Canceled, 0, true), "no_failed_files", "No file failed"),
    ] {
        let fsx = describe(task);
        let report = report(&fsx, &[]).await.unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["state"], state, "{report:?}");
        let text = report.to_string();
        assert!(text.contains(says), "{text}");
        if state == "no_failed_files" {
            assert!(text.contains(&format!("s3://{BUCKET}/{KEY}")), "{text}");
        }
    }
}

#[tokio::test]
async fn an_unknown_task_or_one_of_another_file_system_is_exit_2() {
    let unknown =
        mock!(aws_sdk_fsx::Client::describe_data_repository_tasks).then_http_response(|| {
            aws_smithy_runtime_api::http::Response::new(
                aws_smithy_runtime_api::http::StatusCode::try_from(400).unwrap(),
                aws_smithy_types::body::SdkBody::from(format!(
                    "{{\"__type\":\"DataRepositoryTaskNotFound\",\"Message\":\"{TASK}\"}}"
                )),
            )
        });
    let failure = report(&unknown, &[]).await.unwrap_err();
    assert_eq!(failure.exit_code, 2, "{failure:?}");
    assert!(failure.error.contains("there is no task"), "{failure:?}");

    let mut elsewhere = task(DataRepositoryTaskLifecycle::Succeeded, 4, true);
    elsewhere.file_system_id = Some("fs-0fedcba9876543210".into());
    let fsx = describe(elsewhere);
    let failure = report(&fsx, &[]).await.unwrap_err();
    assert_eq!(failure.exit_code, 2, "{failure:?}");
    assert!(
        failure
            .error
            .contains("ran on fs-0fedcba9876543210, not on"),
        "{failure:?}"
    );
}

/// On the emulator, whose tasks write real reports into its S3: a task with failed files,
/// while it runs and once it ended, its report deleted, and a clean task.
#[test]
fn tasks_report_on_the_emulator() {
    use serde_json::Value;
    let emulator = crate::emulator::Emulator::start();
    let create = |path: &str| -> String {
        let task = emulator.aws(&format!(
            "fsx = boto3.client('fsx', **kw)\n\
             t = fsx.create_data_repository_task(Type='EXPORT_TO_REPOSITORY', FileSystemId={:?}, \
             Paths=[{path:?}], Report={{'Enabled': True, 'Path': 's3://fsx-drt-demo-data/data/reports', \
             'Format': 'REPORT_CSV_20191124', 'Scope': 'FAILED_FILES_ONLY'}})\n\
             print(json.dumps(t['DataRepositoryTask']['TaskId']))",
            emulator.file_system_id
        ));
        task.as_str().unwrap().to_string()
    };
    let report = |task: &str| -> Value {
        let run = emulator.fsx_drt(&["tasks", "report", task, "--output", "json"]);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    let ended = |task: &str| -> Value {
        for _ in 0..60 {
            let got = report(task);
            if got["state"] != "running" {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        panic!("{task} did not end");
    };

    let failing = create("data/partial-25");
    assert_eq!(report(&failing)["state"], "running");
    let got = ended(&failing);
    assert_eq!(got["state"], "summarised", "{got}");
    let summary = &got["summary"];
    assert_eq!(summary["failed_files"], 25);
    assert_eq!(summary["first_failed"].as_array().unwrap().len(), 20);
    assert_eq!(
        summary["first_failed"][1]["path"],
        "data/partial-25/file-001,\"1\".dat"
    );
    assert_eq!(
        summary["by_error_code"],
        serde_json::json!([
            {"error_code": "FileSizeTooLarge", "files": 13},
            {"error_code": "S3AccessDenied", "files": 12},
        ])
    );
    let key = format!("data/reports/{failing}/failures.csv");
    assert_eq!(
        summary["location"],
        format!("s3://fsx-drt-demo-data/{key}").as_str()
    );
    let text = emulator.fsx_drt(&["tasks", "report", &failing]);
    assert!(
        text.stdout.contains("Failed files (the first 20):"),
        "{}",
        text.stdout
    );

    emulator.aws(&format!(
        "boto3.client('s3', **kw).delete_object(Bucket='fsx-drt-demo-data', Key={key:?})\nprint('null')"
    ));
    let got = report(&failing);
    assert_eq!(got["state"], "missing", "{got}");
    assert_eq!(
        got["looked_for"][0],
        format!("s3://fsx-drt-demo-data/{key}").as_str()
    );

    let clean = create("data/clean");
    let got = ended(&clean);
    assert_eq!(got["state"], "no_failed_files", "{got}");
    assert_eq!(got["task"]["lifecycle"], "SUCCEEDED");

    let unknown = emulator.fsx_drt(&["tasks", "report", "task-0123456789abcdef0"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
}
