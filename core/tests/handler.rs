//! The handler against the real SDK clients with canned AWS responses (aws-smithy-mocks).

use std::sync::{Arc, Mutex};

use aws_sdk_cloudwatch::operation::put_metric_data::PutMetricDataOutput;
use aws_sdk_fsx::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_fsx::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_fsx::error::BoxError;
use aws_sdk_fsx::operation::create_data_repository_task::{
    CreateDataRepositoryTaskError, CreateDataRepositoryTaskInput, CreateDataRepositoryTaskOutput,
};
use aws_sdk_fsx::operation::describe_data_repository_associations::DescribeDataRepositoryAssociationsOutput;
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_fsx::operation::describe_file_systems::DescribeFileSystemsOutput;
use aws_sdk_fsx::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_fsx::operation::tag_resource::{TagResourceInput, TagResourceOutput};
use aws_sdk_fsx::types::error::DataRepositoryTaskExecuting;
use aws_sdk_fsx::types::{
    CompletionReport, DataRepositoryAssociation, DataRepositoryConfiguration,
    DataRepositoryLifecycle, DataRepositoryTask, DataRepositoryTaskLifecycle,
    DataRepositoryTaskStatus, DataRepositoryTaskType, FileSystem, FileSystemType,
    LustreFileSystemConfiguration, Tag,
};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_scheduler::operation::create_schedule::{CreateScheduleInput, CreateScheduleOutput};
use aws_sdk_sns::operation::publish::{PublishInput, PublishOutput};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::DateTime;
use fsx_drt_core::event::Invocation;
use fsx_drt_core::follow::{CheckOutcome, FollowUps};
use fsx_drt_core::followup::{Cap, Check};
use fsx_drt_core::handler::{Handler, Outcome, RunError, RunResult};
use fsx_drt_core::later::Later;
use fsx_drt_core::slot::Slot;
use fsx_drt_core::{Config, REPORTED_TAG, SCHEDULE_TAG, SLOT_TAG, TASK_TAG};
use serde_json::{json, Value};

const FS: &str = "fs-0123456789abcdef0";
const FUNCTION: &str = "fsx-drt-Function-ABC";
const RULE: &str = "arn:aws:events:us-east-1:123456789012:rule/fsx-drt-ScheduleRule-XYZ";

fn event(time: &str) -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time,
        "region": "us-east-1",
        "resources": [RULE],
        "detail": {}
    })
}

fn config(task_type: &str, paths: &str) -> Config {
    Config::from_lookup(|name| {
        Some(
            match name {
                "FILE_SYSTEM_ID" => FS,
                "TASK_TYPE" => task_type,
                "FSX_PATHS" => paths,
                "COMPLETION_REPORT_PATH" => "/fsx-drt-completion-reports",
                "RELEASE_AFTER_DAYS" => "14",
                _ => return None,
            }
            .to_string(),
        )
    })
    .unwrap()
}

/// Every request body FSx is sent, one per attempt.
#[derive(Debug, Clone, Default)]
struct Wire(Arc<Mutex<Vec<String>>>);

impl Intercept for Wire {
    fn name(&self) -> &'static str {
        "Wire"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.request().body().bytes().unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(body).into_owned());
        Ok(())
    }
}

impl Wire {
    /// The ClientRequestToken of every CreateDataRepositoryTask attempt.
    fn tokens(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|b| serde_json::from_str::<Value>(b).ok())
            .filter_map(|v| v["ClientRequestToken"].as_str().map(str::to_string))
            .collect()
    }
}

fn associations_fs() -> Rule {
    mock!(aws_sdk_fsx::Client::describe_file_systems).then_output(|| {
        DescribeFileSystemsOutput::builder()
            .file_systems(
                FileSystem::builder()
                    .file_system_id(FS)
                    .file_system_type(FileSystemType::Lustre)
                    .build(),
            )
            .build()
    })
}

fn association(
    id: &str,
    fs_path: &str,
    s3: &str,
    lifecycle: DataRepositoryLifecycle,
) -> DataRepositoryAssociation {
    DataRepositoryAssociation::builder()
        .association_id(id)
        .file_system_id(FS)
        .file_system_path(fs_path)
        .data_repository_path(s3)
        .lifecycle(lifecycle)
        .build()
}

/// Two pages: the paginator must read both.
fn associations() -> Vec<Rule> {
    vec![
        mock!(aws_sdk_fsx::Client::describe_data_repository_associations)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                DescribeDataRepositoryAssociationsOutput::builder()
                    .associations(association(
                        "dra-data",
                        "/data",
                        "s3://bucket-a/data/",
                        DataRepositoryLifecycle::Available,
                    ))
                    .associations(association(
                        "dra-creating",
                        "/new",
                        "s3://bucket-n/",
                        DataRepositoryLifecycle::Creating,
                    ))
                    .next_token("page-2")
                    .build()
            }),
        mock!(aws_sdk_fsx::Client::describe_data_repository_associations)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                DescribeDataRepositoryAssociationsOutput::builder()
                    .associations(association(
                        "dra-database",
                        "/database",
                        "s3://bucket-b/db",
                        DataRepositoryLifecycle::Available,
                    ))
                    .build()
            }),
    ]
}

fn tasks(list: Vec<DataRepositoryTask>) -> Rule {
    mock!(aws_sdk_fsx::Client::describe_data_repository_tasks).then_output(move || {
        DescribeDataRepositoryTasksOutput::builder()
            .set_data_repository_tasks(Some(list.clone()))
            .build()
    })
}

/// Whose a task is, as the handler can tell: by its report path, then by its tag.
#[derive(Clone, Copy)]
enum Owner {
    /// This function's: its report path and its tag.
    Ours,
    /// Another stack's on the same file system with the same report path: another tag.
    SameReportPath,
    /// Someone's by hand: another report path.
    Other,
}

/// The report path this function's tasks use (config `/fsx-drt-completion-reports` under
/// the association of `/data`).
const REPORT: &str = "s3://bucket-a/data/fsx-drt-completion-reports";

fn task_arn(id: &str) -> String {
    format!("arn:aws:fsx:us-east-1:123456789012:task/{id}")
}

/// A task as DescribeDataRepositoryTasks returns it: Report.Path, but no Tags (nothing
/// documents that FSx fills them in there).
fn task(
    id: &str,
    lifecycle: DataRepositoryTaskLifecycle,
    created: i64,
    owner: Owner,
) -> DataRepositoryTask {
    let report = match owner {
        Owner::Ours | Owner::SameReportPath => REPORT.to_string(),
        Owner::Other => "s3://bucket-a/data/other-reports".to_string(),
    };
    DataRepositoryTask::builder()
        .task_id(id)
        .resource_arn(task_arn(id))
        .lifecycle(lifecycle)
        .r#type(DataRepositoryTaskType::Export)
        .creation_time(DateTime::from_secs(created))
        .file_system_id(FS)
        .report(
            CompletionReport::builder()
                .enabled(true)
                .path(report)
                .build(),
        )
        .build()
}

/// ListTagsForResource: each task's tag, by its owner.
fn tags_of(owners: Vec<(&'static str, Owner)>) -> Rule {
    mock!(aws_sdk_fsx::Client::list_tags_for_resource).then_compute_output(move |req| {
        let owner = owners
            .iter()
            .find(|(id, _)| req.resource_arn() == Some(task_arn(id).as_str()))
            .map(|(_, owner)| *owner);
        let function = match owner {
            Some(Owner::Ours) => FUNCTION,
            _ => "another-stack-Function-DEF",
        };
        ListTagsForResourceOutput::builder()
            .tags(Tag::builder().key(TASK_TAG).value(function).build())
            .build()
    })
}

/// Echoes the request back as the created task, PENDING.
fn create_ok() -> Rule {
    mock!(aws_sdk_fsx::Client::create_data_repository_task).then_compute_output(created)
}

fn created(req: &CreateDataRepositoryTaskInput) -> CreateDataRepositoryTaskOutput {
    CreateDataRepositoryTaskOutput::builder()
        .data_repository_task(
            DataRepositoryTask::builder()
                .task_id("task-0123456789abcdef0")
                .lifecycle(DataRepositoryTaskLifecycle::Pending)
                .set_type(req.r#type().cloned())
                .set_paths(Some(req.paths().to_vec()).filter(|p| !p.is_empty()))
                .build(),
        )
        .build()
}

const GROUP: &str = "fsx-drt-ScheduleGroup-ABC";
const SCHEDULER_ROLE: &str = "arn:aws:iam::123456789012:role/fsx-drt-SchedulerRole-ABC";
const FUNCTION_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:fsx-drt-Function-ABC";

/// CreateSchedule succeeds; every request is kept in `sent`.
fn later_ok(sent: &Arc<Mutex<Vec<CreateScheduleInput>>>) -> Rule {
    let sent = sent.clone();
    mock!(aws_sdk_scheduler::Client::create_schedule)
        .match_requests(move |r| {
            sent.lock().unwrap().push(r.clone());
            true
        })
        .then_output(|| {
            CreateScheduleOutput::builder()
                .schedule_arn("arn")
                .build()
                .unwrap()
        })
}

fn metrics_ok() -> Rule {
    mock!(aws_sdk_cloudwatch::Client::put_metric_data)
        .then_output(|| PutMetricDataOutput::builder().build())
}

/// The canned AWS a run meets: a file system with two pages of associations, no tasks, and
/// creates and metrics that succeed. Tests replace the rules they are about.
struct Rules {
    file_systems: Rule,
    associations: Vec<Rule>,
    tasks: Rule,
    tags: Rule,
    create: Rule,
    metrics: Rule,
    /// Scheduler's CreateSchedule: a deferred run's next try.
    later: Rule,
}

impl Rules {
    fn standard() -> Self {
        Rules {
            file_systems: associations_fs(),
            associations: associations(),
            tasks: tasks(vec![]),
            tags: tags_of(vec![]),
            create: create_ok(),
            metrics: metrics_ok(),
            later: later_ok(&Arc::default()),
        }
    }

    fn handler(&self, config: Config) -> (Handler, Wire) {
        let wire = Wire::default();
        let recorder = wire.clone();
        let mut fsx_rules = vec![&self.file_systems, &self.tasks, &self.tags, &self.create];
        fsx_rules.extend(self.associations.iter());
        let fsx = mock_client!(aws_sdk_fsx, RuleMode::MatchAny, fsx_rules, |c| c
            .interceptor(recorder.clone()));
        let cloudwatch = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&self.metrics]);
        let scheduler = mock_client!(aws_sdk_scheduler, RuleMode::MatchAny, [&self.later]);
        let handler = Handler {
            fsx,
            cloudwatch,
            config,
            function_name: FUNCTION.into(),
            namespace: "FsxDrt".into(),
            metrics_required: true,
            later: Some(Later {
                scheduler,
                group: GROUP.into(),
                role_arn: SCHEDULER_ROLE.into(),
                function_arn: FUNCTION_ARN.into(),
            }),
            follow_ups: None,
        };
        (handler, wire)
    }

    /// Runs one scheduled event.
    async fn run(&self, config: Config) -> (Result<RunResult, RunError>, Wire) {
        let (handler, wire) = self.handler(config);
        (
            handler.run(&event("2026-11-25T06:15:00Z"), "req").await,
            wire,
        )
    }
}

fn sent_create(wire: &Wire) -> Value {
    let bodies = wire.0.lock().unwrap();
    let body = bodies
        .iter()
        .rev()
        .find(|b| b.contains("ClientRequestToken"))
        .expect("CreateDataRepositoryTask was sent");
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn export_creates_one_task_for_the_paths() {
    let rules = Rules::standard();
    let (result, wire) = rules
        .run(config("Export", "/data/a \"/database/b c\""))
        .await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Created);
    assert_eq!(result.task_id.as_deref(), Some("task-0123456789abcdef0"));
    assert_eq!(result.lifecycle.as_deref(), Some("PENDING"));
    let sent = sent_create(&wire);
    assert_eq!(sent["Type"], "EXPORT_TO_REPOSITORY");
    assert_eq!(sent["FileSystemId"], FS);
    assert_eq!(sent["Paths"], json!(["data/a", "database/b c"]));
    assert_eq!(
        sent["Report"],
        json!({"Enabled": true, "Path": "s3://bucket-a/data/fsx-drt-completion-reports",
               "Format": "REPORT_CSV_20191124", "Scope": "FAILED_FILES_ONLY"})
    );
    assert_eq!(sent["Tags"], json!([{"Key": TASK_TAG, "Value": FUNCTION}]));
    assert!(sent.get("ReleaseConfiguration").is_none());
    assert_eq!(rules.create.num_calls(), 1);
    assert_eq!(
        rules.associations[1].num_calls(),
        1,
        "the second page of associations was read"
    );
    assert_eq!(rules.metrics.num_calls(), 0);
    // The invocation result the reference's troubleshooting reads.
    let out = serde_json::to_value(&result).unwrap();
    assert_eq!(out["Outcome"], "created");
    assert_eq!(out["TaskId"], "task-0123456789abcdef0");
    assert_eq!(out["Lifecycle"], "PENDING");
    assert_eq!(out["Type"], "EXPORT_TO_REPOSITORY");
}

#[tokio::test]
async fn import_maps_paths_through_the_covering_association() {
    let (result, wire) = Rules::standard()
        .run(config("Import", "/data/x /database/y /data"))
        .await;
    result.unwrap();
    let sent = sent_create(&wire);
    assert_eq!(sent["Type"], "IMPORT_METADATA_FROM_REPOSITORY");
    assert_eq!(
        sent["Paths"],
        json!([
            "s3://bucket-a/data/x",
            "s3://bucket-b/db/y",
            "s3://bucket-a/data/"
        ])
    );
}

#[tokio::test]
async fn release_sends_the_age_in_days() {
    let (result, wire) = Rules::standard().run(config("Release", "/data")).await;
    result.unwrap();
    let sent = sent_create(&wire);
    assert_eq!(sent["Type"], "RELEASE_DATA_FROM_FILESYSTEM");
    assert_eq!(sent["Paths"], json!(["data"]));
    assert_eq!(
        sent["ReleaseConfiguration"],
        json!({"DurationSinceLastAccess": {"Unit": "DAYS", "Value": 14}})
    );
}

#[tokio::test]
async fn a_linked_repository_file_system_maps_through_its_import_path() {
    let rules = Rules {
        file_systems: mock!(aws_sdk_fsx::Client::describe_file_systems).then_output(|| {
            let linked = DataRepositoryConfiguration::builder()
                .import_path("s3://legacy/in")
                .export_path("s3://legacy/out")
                .build();
            DescribeFileSystemsOutput::builder()
                .file_systems(
                    FileSystem::builder()
                        .file_system_id(FS)
                        .lustre_configuration(
                            LustreFileSystemConfiguration::builder()
                                .data_repository_configuration(linked)
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        ..Rules::standard()
    };
    let (result, wire) = rules.run(config("Import", "/a/b")).await;
    result.unwrap();
    let sent = sent_create(&wire);
    assert_eq!(sent["Paths"], json!(["s3://legacy/in/a/b"]));
    assert_eq!(
        sent["Report"]["Path"],
        "s3://legacy/out/fsx-drt-completion-reports"
    );
    assert_eq!(
        rules.associations[0].num_calls(),
        0,
        "linked file systems have no associations to list"
    );
}

#[tokio::test]
async fn an_uncovered_path_fails_the_run_naming_it() {
    let rules = Rules::standard();
    // /datab is not inside /data, and /new is only CREATING.
    let (result, _) = rules.run(config("Import", "/data/x /datab /new/y")).await;
    let err = result.unwrap_err();
    assert!(matches!(err, RunError::Plan(_)));
    assert!(err.to_string().contains("/datab, /new/y"), "{err}");
    assert_eq!(rules.create.num_calls(), 0);
}

/// A task still holding the file system (a task being canceled too) means this run is
/// skipped, not attempted and not failed.
#[tokio::test]
async fn a_running_task_means_this_run_is_skipped_not_failed() {
    for (lifecycle, name) in [
        (DataRepositoryTaskLifecycle::Executing, "EXECUTING"),
        (DataRepositoryTaskLifecycle::Canceling, "CANCELING"),
    ] {
        let rules = Rules {
            tasks: tasks(vec![task("task-busy", lifecycle, 100, Owner::Other)]),
            ..Rules::standard()
        };
        let (result, _) = rules.run(config("Export", "/data")).await;
        let result = result.unwrap();
        assert_eq!(result.outcome, Outcome::Skipped);
        assert_eq!(result.task_id.as_deref(), Some("task-busy"));
        assert!(result.reason.unwrap().contains(name));
        assert_eq!(rules.create.num_calls(), 0);
        assert_eq!(rules.metrics.num_calls(), 1, "SkippedRuns was published");
    }
}

#[tokio::test]
async fn data_repository_task_executing_is_a_skip_too() {
    let rules = Rules {
        create: mock!(aws_sdk_fsx::Client::create_data_repository_task).then_error(|| {
            CreateDataRepositoryTaskError::DataRepositoryTaskExecuting(
                DataRepositoryTaskExecuting::builder()
                    .message("An existing task is executing")
                    .build(),
            )
        }),
        metrics: mock!(aws_sdk_cloudwatch::Client::put_metric_data)
            .match_requests(|r| {
                r.namespace() == Some("FsxDrt")
                    && r.metric_data().iter().any(|d| {
                        d.metric_name() == Some("SkippedRuns")
                            && d.dimensions().iter().any(|x| {
                                x.name() == Some("FunctionName") && x.value() == Some(FUNCTION)
                            })
                    })
            })
            .then_output(|| PutMetricDataOutput::builder().build()),
        ..Rules::standard()
    };
    let (result, _) = rules.run(config("Export", "/data")).await;
    assert_eq!(result.unwrap().outcome, Outcome::Skipped);
    assert_eq!(rules.metrics.num_calls(), 1);
}

#[tokio::test]
async fn throttled_twice_then_created_with_the_same_token_on_every_attempt() {
    let rules = Rules {
        create: mock!(aws_sdk_fsx::Client::create_data_repository_task)
            .sequence()
            .http_status(503, None)
            .times(2)
            .output(|| created(&CreateDataRepositoryTaskInput::builder().build().unwrap()))
            .build(),
        ..Rules::standard()
    };
    let (result, wire) = rules.run(config("Export", "/data")).await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Created);
    assert_eq!(rules.create.num_calls(), 3);
    let tokens = wire.tokens();
    assert_eq!(tokens.len(), 3, "three attempts on the wire");
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_eq!(tokens[0], result.client_request_token);
}

#[tokio::test]
async fn one_slot_delivered_twice_sends_one_token() {
    let mut tokens = Vec::new();
    for (time, request_id) in [
        ("2026-11-25T06:15:00Z", "req-1"),
        ("2026-11-25T06:15:31Z", "req-2"),
    ] {
        let (handler, wire) = Rules::standard().handler(config("Export", "/data"));
        handler.run(&event(time), request_id).await.unwrap();
        tokens.extend(wire.tokens());
    }
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0], tokens[1]);

    // A manual invocation (no rule, no time) gets a token of its own.
    let (handler, wire) = Rules::standard().handler(config("Export", "/data"));
    handler.run(&json!({}), "req-3").await.unwrap();
    assert_ne!(wire.tokens()[0], tokens[0]);
}

#[tokio::test]
async fn the_previous_task_failing_publishes_failed_tasks() {
    let rules = Rules {
        tasks: tasks(vec![
            task(
                "task-older-ok",
                DataRepositoryTaskLifecycle::Succeeded,
                100,
                Owner::Ours,
            ),
            task(
                "task-old-failed",
                DataRepositoryTaskLifecycle::Failed,
                200,
                Owner::Ours,
            ),
            // Someone else's failures are not ours to report: by hand, or another stack's
            // with the same report path (newer, so its tag is read and it is passed over).
            task(
                "task-other",
                DataRepositoryTaskLifecycle::Failed,
                300,
                Owner::Other,
            ),
            task(
                "task-other-stack",
                DataRepositoryTaskLifecycle::Succeeded,
                250,
                Owner::SameReportPath,
            ),
        ]),
        tags: tags_of(vec![
            ("task-old-failed", Owner::Ours),
            ("task-other-stack", Owner::SameReportPath),
        ]),
        metrics: mock!(aws_sdk_cloudwatch::Client::put_metric_data)
            .match_requests(|r| {
                r.metric_data()
                    .iter()
                    .any(|d| d.metric_name() == Some("FailedTasks"))
            })
            .then_output(|| PutMetricDataOutput::builder().build()),
        ..Rules::standard()
    };
    let (result, _) = rules.run(config("Export", "/data")).await;
    assert_eq!(result.unwrap().outcome, Outcome::Created);
    assert_eq!(rules.metrics.num_calls(), 1);
    // The other stack's newer task, then ours (and ours again: has a check reported it
    // already?): the hand-made one is never asked about.
    assert_eq!(rules.tags.num_calls(), 3);
}

/// The latest task with this function's report path is another stack's: its failure is
/// that stack's to report, and this function's own latest succeeded.
#[tokio::test]
async fn another_stack_s_failure_with_the_same_report_path_is_not_reported() {
    let rules = Rules {
        tasks: tasks(vec![
            task(
                "task-ours-ok",
                DataRepositoryTaskLifecycle::Succeeded,
                100,
                Owner::Ours,
            ),
            task(
                "task-theirs-failed",
                DataRepositoryTaskLifecycle::Failed,
                200,
                Owner::SameReportPath,
            ),
        ]),
        tags: tags_of(vec![
            ("task-ours-ok", Owner::Ours),
            ("task-theirs-failed", Owner::SameReportPath),
        ]),
        ..Rules::standard()
    };
    let (result, _) = rules.run(config("Export", "/data")).await;
    assert_eq!(result.unwrap().outcome, Outcome::Created);
    assert_eq!(rules.metrics.num_calls(), 0);
}

#[tokio::test]
async fn failed_files_count_as_failure_but_a_clean_task_does_not() {
    // A CANCELED task did not do what it was asked either (the same rule as tasks and status).
    for (lifecycle, failed_count, expected_metrics) in [
        (DataRepositoryTaskLifecycle::Succeeded, 3, 1),
        (DataRepositoryTaskLifecycle::Succeeded, 0, 0),
        (DataRepositoryTaskLifecycle::Canceled, 0, 1),
    ] {
        let mut done = task("task-done", lifecycle, 200, Owner::Ours);
        done.status = Some(
            DataRepositoryTaskStatus::builder()
                .failed_count(failed_count)
                .build(),
        );
        let rules = Rules {
            tasks: tasks(vec![done]),
            tags: tags_of(vec![("task-done", Owner::Ours)]),
            ..Rules::standard()
        };
        let (result, _) = rules.run(config("Export", "/data")).await;
        result.unwrap();
        assert_eq!(
            rules.metrics.num_calls(),
            expected_metrics,
            "failed_count {failed_count}"
        );
    }
}

// Runs of EventBridge Scheduler schedules: the settings, the slot and the schedule come from
// the event (core/src/event.rs); the file system from the function's configuration.

fn schedule_arn(name: &str) -> String {
    format!("arn:aws:scheduler:us-east-1:123456789012:schedule/fsx-drt/{name}")
}

/// A schedule's event as EventBridge Scheduler delivers its target's input.
fn schedule_event(name: &str, task_type: &str, paths: &str, time: &str) -> Value {
    json!({
        "Schedule": name,
        "TaskType": task_type,
        "Paths": paths,
        "TaskCompletionReportPath": "/fsx-drt-completion-reports",
        "ReleaseAfterDays": 14,
        "ScheduledTime": time,
        "ScheduleArn": schedule_arn(name)
    })
}

impl Rules {
    /// Runs one event as the function does: read as an invocation, on a function configured
    /// for an export of /data (which a schedule's settings replace).
    async fn invoke(&self, event: &Value, request_id: &str) -> (Result<RunResult, RunError>, Wire) {
        let (handler, wire) = self.handler(config("Export", "/data"));
        let invocation = Invocation::of(event, request_id).expect("a valid event");
        (handler.run_invocation(&invocation).await, wire)
    }
}

fn nightly() -> Value {
    schedule_event(
        "nightly-export",
        "Export",
        "/data/a \"/database/b c\"",
        "2026-11-25T06:15:00Z",
    )
}

#[tokio::test]
async fn a_schedule_s_run_takes_its_settings_from_the_event_and_tags_its_task() {
    let rules = Rules::standard();
    let event = schedule_event(
        "hourly-import",
        "Import",
        "/database/y",
        "2026-11-25T06:00:00Z",
    );
    let (result, wire) = rules.invoke(&event, "req").await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Created);
    assert_eq!(result.schedule.as_deref(), Some("hourly-import"));
    let sent = sent_create(&wire);
    assert_eq!(
        sent["FileSystemId"], FS,
        "the file system is the function's"
    );
    assert_eq!(sent["Type"], "IMPORT_METADATA_FROM_REPOSITORY");
    assert_eq!(sent["Paths"], json!(["s3://bucket-b/db/y"]));
    assert_eq!(
        sent["Report"]["Path"],
        "s3://bucket-b/db/fsx-drt-completion-reports"
    );
    assert_eq!(
        sent["Tags"],
        json!([
            {"Key": TASK_TAG, "Value": FUNCTION},
            {"Key": SCHEDULE_TAG, "Value": "hourly-import"},
            {"Key": SLOT_TAG, "Value": "2026-11-25T06:00Z"}
        ])
    );
    assert_eq!(
        serde_json::to_value(&result).unwrap()["Schedule"],
        "hourly-import"
    );

    let release = schedule_event("weekly-release", "Release", "/data", "2026-11-25T06:00:00Z");
    let (result, wire) = Rules::standard().invoke(&release, "req").await;
    result.unwrap();
    assert_eq!(
        sent_create(&wire)["ReleaseConfiguration"],
        json!({"DurationSinceLastAccess": {"Unit": "DAYS", "Value": 14}})
    );
}

#[tokio::test]
async fn two_schedules_in_one_minute_get_two_tokens_and_a_retried_slot_one() {
    let mut tokens = Vec::new();
    for (event, request_id) in [
        (nightly(), "req-1"),
        // The same slot again: Lambda's retry or Scheduler's, with a new request id.
        (nightly(), "req-2"),
        (
            schedule_event("hourly-import", "Import", "/data", "2026-11-25T06:15:00Z"),
            "req-3",
        ),
        (
            schedule_event("nightly-export", "Export", "/data", "2026-11-26T06:15:00Z"),
            "req-4",
        ),
    ] {
        let (result, wire) = Rules::standard().invoke(&event, request_id).await;
        assert_eq!(wire.tokens(), [result.unwrap().client_request_token]);
        tokens.extend(wire.tokens());
    }
    assert_eq!(tokens[0], tokens[1], "a retried slot");
    assert_ne!(tokens[0], tokens[2], "another schedule in the same minute");
    assert_ne!(tokens[0], tokens[3], "the next day's slot");
    assert_eq!(
        tokens[0],
        Slot::Schedule {
            schedule_arn: schedule_arn("nightly-export"),
            minute: "2026-11-25T06:15".into()
        }
        .token()
    );

    // `fsx-drt run` of a schedule (no scheduled time): a token of its own each time.
    let mut manual = nightly();
    manual["source"] = json!("fsx-drt.cli");
    let object = manual.as_object_mut().unwrap();
    object.remove("ScheduledTime");
    object.remove("ScheduleArn");
    let (first, _) = Rules::standard().invoke(&manual, "req-5").await;
    let (second, _) = Rules::standard().invoke(&manual, "req-6").await;
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_ne!(first.client_request_token, second.client_request_token);
    assert_eq!(first.schedule.as_deref(), Some("nightly-export"));
}

#[tokio::test]
async fn events_without_a_schedule_run_as_before() {
    // The rule's event through the new entry point: the same token, settings and tags as
    // Handler::run gives it.
    let rules = Rules::standard();
    let (result, wire) = rules.invoke(&event("2026-11-25T06:15:00Z"), "req").await;
    let result = result.unwrap();
    assert_eq!(result.schedule, None);
    assert!(serde_json::to_value(&result)
        .unwrap()
        .get("Schedule")
        .is_none());
    let sent = sent_create(&wire);
    assert_eq!(sent["Paths"], json!(["data"]));
    assert_eq!(sent["Tags"], json!([{"Key": TASK_TAG, "Value": FUNCTION}]));
    let (handler, old) = Rules::standard().handler(config("Export", "/data"));
    handler
        .run(&event("2026-11-25T06:15:00Z"), "other")
        .await
        .unwrap();
    assert_eq!(wire.tokens(), old.tokens());
}

/// ListTagsForResource for tasks of schedules: this function's tag and each task's schedule.
fn schedule_tags(schedules: Vec<(&'static str, &'static str)>) -> Rule {
    mock!(aws_sdk_fsx::Client::list_tags_for_resource).then_compute_output(move |req| {
        let mut out = ListTagsForResourceOutput::builder()
            .tags(Tag::builder().key(TASK_TAG).value(FUNCTION).build());
        if let Some((_, schedule)) = schedules
            .iter()
            .find(|(id, _)| req.resource_arn() == Some(task_arn(id).as_str()))
        {
            out = out.tags(Tag::builder().key(SCHEDULE_TAG).value(*schedule).build());
        }
        out.build()
    })
}

/// The tasks of three schedules sharing the report path: nightly-export's failed, then
/// hourly-export's and hourly-import's succeeded after it.
fn three_schedules() -> Rules {
    let mut import = task(
        "task-hourly-import",
        DataRepositoryTaskLifecycle::Succeeded,
        400,
        Owner::Ours,
    );
    import.r#type = Some(DataRepositoryTaskType::Import);
    Rules {
        tasks: tasks(vec![
            task(
                "task-nightly",
                DataRepositoryTaskLifecycle::Failed,
                200,
                Owner::Ours,
            ),
            task(
                "task-hourly-export",
                DataRepositoryTaskLifecycle::Succeeded,
                300,
                Owner::Ours,
            ),
            import,
        ]),
        tags: schedule_tags(vec![
            ("task-nightly", "nightly-export"),
            ("task-hourly-export", "hourly-export"),
            ("task-hourly-import", "hourly-import"),
        ]),
        ..Rules::standard()
    }
}

#[tokio::test]
async fn the_failed_task_check_looks_at_the_schedule_s_own_tasks() {
    // nightly-export's latest task failed, though newer tasks of other schedules succeeded.
    let rules = three_schedules();
    let (result, _) = rules.invoke(&nightly(), "req").await;
    assert_eq!(result.unwrap().outcome, Outcome::Created);
    assert_eq!(rules.metrics.num_calls(), 1, "FailedTasks was published");
    // hourly-export's task is asked about and passed over; hourly-import's is another type;
    // nightly-export's is asked again whether a follow-up check reported it.
    assert_eq!(rules.tags.num_calls(), 3);

    // hourly-export's latest succeeded: nightly-export's failure is not its to report.
    let rules = three_schedules();
    let hourly = schedule_event("hourly-export", "Export", "/data", "2026-11-25T07:00:00Z");
    let (result, _) = rules.invoke(&hourly, "req").await;
    result.unwrap();
    assert_eq!(rules.metrics.num_calls(), 0);
    assert_eq!(rules.tags.num_calls(), 1);

    // A run with the environment's settings looks at every task of the function, as before.
    let rules = three_schedules();
    let (result, _) = rules.invoke(&event("2026-11-25T06:15:00Z"), "req").await;
    result.unwrap();
    assert_eq!(
        rules.metrics.num_calls(),
        0,
        "the function's latest succeeded"
    );
}

/// The dimensions of each datapoint a PutMetricData sends, as `name=value` lists.
fn dimensions(
    input: &aws_sdk_cloudwatch::operation::put_metric_data::PutMetricDataInput,
) -> Vec<(String, Vec<String>)> {
    input
        .metric_data()
        .iter()
        .map(|d| {
            let names = d
                .dimensions()
                .iter()
                .map(|x| format!("{}={}", x.name().unwrap_or(""), x.value().unwrap_or("")))
                .collect();
            (d.metric_name().unwrap_or("").to_string(), names)
        })
        .collect()
}

#[tokio::test]
async fn a_schedule_s_metrics_are_published_with_and_without_the_schedule() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let seen = sent.clone();
    let rules = Rules {
        tasks: tasks(vec![task(
            "task-busy",
            DataRepositoryTaskLifecycle::Executing,
            100,
            Owner::Other,
        )]),
        metrics: mock!(aws_sdk_cloudwatch::Client::put_metric_data).then_compute_output(
            move |req| {
                seen.lock().unwrap().push(dimensions(req));
                PutMetricDataOutput::builder().build()
            },
        ),
        ..Rules::standard()
    };
    let (result, _) = rules.invoke(&nightly(), "req").await;
    assert_eq!(result.unwrap().outcome, Outcome::Skipped);
    let function = format!("FunctionName={FUNCTION}");
    assert_eq!(
        *sent.lock().unwrap(),
        [vec![
            ("SkippedRuns".to_string(), vec![function.clone()]),
            (
                "SkippedRuns".to_string(),
                vec![function.clone(), "Schedule=nightly-export".to_string()]
            ),
        ]],
        "one request: the alarms' datapoint and the schedule's"
    );

    // Without a schedule, the one datapoint as before.
    sent.lock().unwrap().clear();
    let (result, _) = rules.invoke(&event("2026-11-25T06:15:00Z"), "req").await;
    result.unwrap();
    assert_eq!(
        *sent.lock().unwrap(),
        [vec![("SkippedRuns".to_string(), vec![function])]]
    );
}

// Deferral (core/src/deferral.rs): a busy file system defers a schedule's slot with a
// one-time schedule that repeats the event; the try runs it with the same token.

/// `nightly()` scheduled `minutes_ago`, bound `bound` minutes.
fn deferrable(minutes_ago: i64, bound: u32) -> Value {
    let scheduled = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    let mut event = nightly();
    event["ScheduledTime"] = json!(scheduled.format("%Y-%m-%dT%H:%M:00Z").to_string());
    event["MaxDeferMinutes"] = json!(bound);
    event
}

fn busy() -> Rule {
    tasks(vec![task(
        "task-busy",
        DataRepositoryTaskLifecycle::Executing,
        100,
        Owner::Other,
    )])
}

#[tokio::test]
async fn a_busy_file_system_defers_the_slot_and_the_try_creates_its_one_task() {
    let sent = Arc::default();
    let rules = Rules {
        tasks: busy(),
        later: later_ok(&sent),
        ..Rules::standard()
    };
    let event = deferrable(0, 120);
    let (result, _) = rules.invoke(&event, "req-1").await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Deferred, "{result:?}");
    assert!(
        result.reason.as_deref().unwrap().contains("deferred since"),
        "{result:?}"
    );
    assert_eq!(rules.create.num_calls(), 0);
    assert_eq!(
        rules.metrics.num_calls(),
        0,
        "no SkippedRuns: the slot is not lost"
    );
    let request = sent.lock().unwrap().pop().expect("CreateSchedule was sent");
    assert!(
        request.name().unwrap().starts_with("fsx-drt-defer-"),
        "{request:?}"
    );
    assert!(request.name().unwrap().ends_with("-1") && request.name().unwrap().len() <= 64);
    assert_eq!(request.group_name(), Some(GROUP));
    assert_eq!(request.schedule_expression_timezone(), Some("UTC"));
    assert_eq!(
        request.action_after_completion().map(|a| a.as_str()),
        Some("DELETE")
    );
    let at = chrono::NaiveDateTime::parse_from_str(
        request.schedule_expression().unwrap(),
        "at(%Y-%m-%dT%H:%M:%S)",
    )
    .unwrap()
    .and_utc();
    let wait = at - chrono::Utc::now();
    assert!(
        wait > chrono::Duration::minutes(4) && wait <= chrono::Duration::minutes(5),
        "{at}"
    );
    let target = request.target().unwrap();
    assert_eq!(
        (target.arn(), target.role_arn()),
        (FUNCTION_ARN, SCHEDULER_ROLE)
    );
    let input: Value = serde_json::from_str(target.input().unwrap()).unwrap();
    assert_eq!(input["Deferral"]["Attempt"], 1);
    assert_eq!(input["ScheduledTime"], event["ScheduledTime"]);
    assert_eq!(input["ScheduleArn"], event["ScheduleArn"]);

    // The try, on a free file system: the slot's one task, with the slot's token.
    let (tried, wire) = Rules::standard().invoke(&input, "req-2").await;
    let tried = tried.unwrap();
    assert_eq!(tried.outcome, Outcome::Created);
    assert_eq!(wire.tokens(), [result.client_request_token]);

    // Still busy at the try: the next one backs off (10 minutes), same slot.
    let again_sent = Arc::default();
    let again = Rules {
        tasks: busy(),
        later: later_ok(&again_sent),
        ..Rules::standard()
    };
    let (second, _) = again.invoke(&input, "req-3").await;
    assert_eq!(second.unwrap().outcome, Outcome::Deferred);
    let next = again_sent.lock().unwrap().pop().unwrap();
    assert!(next.name().unwrap().ends_with("-2"), "{next:?}");
    let input: Value = serde_json::from_str(next.target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["Deferral"]["Attempt"], 2);
}

#[tokio::test]
async fn past_its_bound_a_busy_slot_is_given_up_with_skipped_runs() {
    // Scheduled 58 minutes ago with a bound of an hour: the next try (5 minutes) is too late.
    let sent = Arc::default();
    let rules = Rules {
        tasks: busy(),
        later: later_ok(&sent),
        ..Rules::standard()
    };
    let (result, _) = rules.invoke(&deferrable(58, 60), "req").await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Skipped);
    assert!(
        result.reason.as_deref().unwrap().contains("bound"),
        "{result:?}"
    );
    assert_eq!(rules.metrics.num_calls(), 1, "SkippedRuns");
    assert!(sent.lock().unwrap().is_empty());

    // A bound of 0: skipped at once, as before deferrals.
    let rules = Rules {
        tasks: busy(),
        ..Rules::standard()
    };
    let (result, _) = rules.invoke(&deferrable(0, 0), "req").await;
    assert!(result
        .unwrap()
        .reason
        .unwrap()
        .contains("MaxDeferMinutes is 0"));
}

#[tokio::test]
async fn a_try_that_cannot_be_scheduled_fails_the_run_so_lambda_retries_it() {
    let rules = Rules {
        tasks: busy(),
        later: mock!(aws_sdk_scheduler::Client::create_schedule).then_error(|| {
            aws_sdk_scheduler::operation::create_schedule::CreateScheduleError::ValidationException(
                aws_sdk_scheduler::types::error::ValidationException::builder()
                    .message("not authorized to pass the role")
                    .build()
                    .unwrap(),
            )
        }),
        ..Rules::standard()
    };
    let (result, _) = rules.invoke(&deferrable(0, 120), "req").await;
    let error = result.unwrap_err().to_string();
    assert!(error.contains("CreateSchedule"), "{error}");
    assert_eq!(rules.metrics.num_calls(), 0);
}

// After (core/src/after.rs): a schedule that waits for another's task of its current slot.

/// ListTagsForResource: this function's tags for one schedule's task of one slot.
fn tags_of_slot(id: &'static str, schedule: &'static str, slot: String) -> Rule {
    mock!(aws_sdk_fsx::Client::list_tags_for_resource).then_compute_output(move |req| {
        let mut out = ListTagsForResourceOutput::builder();
        if req.resource_arn() == Some(task_arn(id).as_str()) {
            for (key, value) in [
                (TASK_TAG, FUNCTION),
                (SCHEDULE_TAG, schedule),
                ("fsx-drt:slot", slot.as_str()),
            ] {
                out = out.tags(Tag::builder().key(key).value(value).build());
            }
        }
        out.build()
    })
}

/// The weekly release, After the nightly export, scheduled now; the export's task of an hour
/// ago in `lifecycle` (none: not created yet).
async fn release_after_export(
    export: Option<(DataRepositoryTaskLifecycle, i64)>,
) -> (Result<RunResult, RunError>, Wire, Rules) {
    let (rules, event) = release_case(export);
    let (result, wire) = rules.invoke(&event, "req").await;
    (result, wire, rules)
}

/// The canned AWS and the event of [`release_after_export`].
fn release_case(export: Option<(DataRepositoryTaskLifecycle, i64)>) -> (Rules, Value) {
    let now = chrono::Utc::now();
    let hour_ago = now - chrono::Duration::hours(1);
    let slot = hour_ago.format("%Y-%m-%dT%H:%MZ").to_string();
    let mut rules = Rules::standard();
    if let Some((lifecycle, failed)) = export {
        let mut exported = task("task-export", lifecycle, hour_ago.timestamp(), Owner::Ours);
        exported.status = Some(
            DataRepositoryTaskStatus::builder()
                .failed_count(failed)
                .build(),
        );
        rules.tasks = tasks(vec![exported]);
        rules.tags = tags_of_slot("task-export", "nightly-export", slot);
    }
    let mut event = schedule_event(
        "weekly-release",
        "Release",
        "/data",
        &now.format("%Y-%m-%dT%H:%M:00Z").to_string(),
    );
    event["MaxDeferMinutes"] = json!(600);
    event["After"] = json!({"Schedule": "nightly-export", "WithinMinutes": 1440});
    (rules, event)
}

#[tokio::test]
async fn a_slot_given_up_after_a_failed_export_is_told_on_the_alarm_topic() {
    let (rules, event) = release_case(Some((DataRepositoryTaskLifecycle::Failed, 0)));
    let messages = Arc::default();
    let (mut handler, _) = rules.handler(config("Export", "/data"));
    handler.follow_ups = Some(follow_ups(None, &messages));
    let invocation = Invocation::of(&event, "req").unwrap();
    let result = handler.run_invocation(&invocation).await.unwrap();
    assert_eq!(result.outcome, Outcome::Skipped);
    let sent = messages.lock().unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let subject = sent[0].subject().unwrap();
    assert!(
        subject.starts_with("fsx-drt: weekly-release run of "),
        "{subject}"
    );
    assert!(subject.contains("given up"), "{subject}");
    let body = sent[0].message().unwrap();
    assert!(
        body.contains("task-export") && body.contains("ended FAILED"),
        "{body}"
    );
}

#[tokio::test]
async fn a_schedule_after_another_runs_once_its_task_of_the_slot_succeeded() {
    let (result, wire, rules) =
        release_after_export(Some((DataRepositoryTaskLifecycle::Succeeded, 0))).await;
    assert_eq!(result.unwrap().outcome, Outcome::Created);
    assert_eq!(rules.create.num_calls(), 1);
    // Its own task carries its slot, for schedules After it.
    let tags = sent_create(&wire)["Tags"].clone();
    assert!(
        tags.as_array()
            .unwrap()
            .iter()
            .any(|t| t["Key"] == "fsx-drt:slot"),
        "{tags}"
    );
}

#[tokio::test]
async fn a_schedule_after_another_waits_while_its_task_runs_or_is_not_there_yet() {
    for export in [Some((DataRepositoryTaskLifecycle::Executing, 0)), None] {
        let (result, _, rules) = release_after_export(export.clone()).await;
        let result = result.unwrap();
        assert_eq!(result.outcome, Outcome::Deferred, "{export:?}: {result:?}");
        assert!(
            result
                .reason
                .as_deref()
                .unwrap()
                .contains("waiting for nightly-export"),
            "{result:?}"
        );
        assert_eq!(rules.create.num_calls(), 0);
        assert!(result.next_try.is_some());
    }
}

#[tokio::test]
async fn a_schedule_after_another_gives_its_slot_up_when_that_task_failed() {
    for (lifecycle, failed, says) in [
        (DataRepositoryTaskLifecycle::Failed, 0, "ended FAILED"),
        (DataRepositoryTaskLifecycle::Succeeded, 4, "4 failed files"),
    ] {
        let (result, _, rules) = release_after_export(Some((lifecycle, failed))).await;
        let result = result.unwrap();
        assert_eq!(result.outcome, Outcome::Skipped);
        assert!(
            result.reason.as_deref().unwrap().contains(says),
            "{result:?}"
        );
        assert_eq!(rules.create.num_calls(), 0);
        assert_eq!(rules.metrics.num_calls(), 1, "SkippedRuns");
    }
}

#[tokio::test]
async fn a_deferred_try_does_not_count_the_previous_failure_again() {
    let previous = task(
        "task-prev",
        DataRepositoryTaskLifecycle::Failed,
        100,
        Owner::Ours,
    );
    for (attempt, published) in [(0, 1), (1, 0)] {
        let rules = Rules {
            tasks: tasks(vec![previous.clone()]),
            tags: tags_of_slot("task-prev", "nightly-export", "2026-11-24T06:15Z".into()),
            ..Rules::standard()
        };
        let mut event = deferrable(0, 120);
        if attempt > 0 {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            event["Deferral"] = json!({"Attempt": attempt, "Since": now, "Until": now});
        }
        let (result, _) = rules.invoke(&event, "req").await;
        assert_eq!(result.unwrap().outcome, Outcome::Created);
        assert_eq!(rules.metrics.num_calls(), published, "try {attempt}");
    }
}

#[tokio::test]
async fn a_try_that_finds_its_own_slot_s_task_running_does_not_wait_for_it() {
    let event = deferrable(10, 120);
    let slot = event["ScheduledTime"].as_str().unwrap()[..16].to_string() + "Z";
    let sent = Arc::default();
    let rules = Rules {
        tasks: tasks(vec![task(
            "task-mine",
            DataRepositoryTaskLifecycle::Executing,
            100,
            Owner::Ours,
        )]),
        tags: tags_of_slot("task-mine", "nightly-export", slot),
        later: later_ok(&sent),
        ..Rules::standard()
    };
    let (result, _) = rules.invoke(&event, "req").await;
    let result = result.unwrap();
    assert_eq!(result.outcome, Outcome::Created, "{result:?}");
    assert_eq!(result.task_id.as_deref(), Some("task-mine"));
    assert!(sent.lock().unwrap().is_empty(), "no further try");
    assert_eq!(rules.create.num_calls(), 0);
}

/// The capacity alarm's change as CloudWatch's Lambda action sends it.
fn capacity_alarm(state: &str, changed: &str) -> Value {
    json!({
        "source": "aws.cloudwatch",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fsx-drt-FreeCapacityAlarm-ABC",
        "accountId": "123456789012",
        "time": changed,
        "region": "us-east-1",
        "alarmData": {
            "alarmName": "fsx-drt-FreeCapacityAlarm-ABC",
            "state": {"value": state, "reason": "Threshold Crossed", "timestamp": changed},
            "previousState": {"value": "OK", "timestamp": "2026-11-24T06:15:42.490+0000"},
            "configuration": {"metrics": []}
        }
    })
}

/// The function's environment with the capacity release deploy renders.
fn capacity_env(name: &str) -> Option<String> {
    (name == fsx_drt_core::env::CAPACITY_RELEASE).then(|| {
        json!({"Schedule": "weekly-release", "TaskType": "Release", "Paths": "/data/a",
               "TaskCompletionReportPath": "/fsx-drt-completion-reports",
               "ReleaseAfterDays": 21, "MaxDeferMinutes": 60})
        .to_string()
    })
}

#[tokio::test]
async fn the_capacity_alarm_s_alarm_event_creates_one_release_with_the_schedule_s_settings() {
    use fsx_drt_core::capacity::{read, Read};
    let event = capacity_alarm("ALARM", "2026-11-25T06:15:42.490+0000");
    let Ok(Read::Run(invocation)) = read(&event, "req-1", capacity_env) else {
        panic!("the ALARM change is a run");
    };
    let rules = Rules::standard();
    let (handler, wire) = rules.handler(config("Export", "/data"));
    let result = handler.run_invocation(&invocation).await.unwrap();
    assert_eq!(result.outcome, Outcome::Created, "{result:?}");
    assert_eq!(result.schedule.as_deref(), Some("weekly-release"));
    assert_eq!(rules.create.num_calls(), 1);
    let sent = sent_create(&wire);
    assert_eq!(sent["Type"], "RELEASE_DATA_FROM_FILESYSTEM");
    assert_eq!(sent["Paths"], json!(["data/a"]));
    assert_eq!(
        sent["ReleaseConfiguration"]["DurationSinceLastAccess"],
        json!({"Unit": "DAYS", "Value": 21})
    );
    assert!(
        sent["Tags"]
            .as_array()
            .unwrap()
            .contains(&json!({"Key": SCHEDULE_TAG, "Value": "weekly-release"})),
        "{sent}"
    );

    // Lambda's retry or CloudWatch's redelivery of the same change: the same token.
    let Ok(Read::Run(again)) = read(&event, "req-2", capacity_env) else {
        panic!("a run");
    };
    let (handler, wire) = Rules::standard().handler(config("Export", "/data"));
    handler.run_invocation(&again).await.unwrap();
    assert_eq!(wire.tokens(), [result.client_request_token]);
}

#[tokio::test]
async fn a_busy_file_system_defers_the_capacity_release_with_the_alarm_s_event() {
    use fsx_drt_core::capacity::{read, Read};
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3f+0000");
    let event = capacity_alarm("ALARM", &now.to_string());
    let Ok(Read::Run(invocation)) = read(&event, "req-1", capacity_env) else {
        panic!("a run");
    };
    let sent = Arc::default();
    let rules = Rules {
        tasks: busy(),
        later: later_ok(&sent),
        ..Rules::standard()
    };
    let (handler, _) = rules.handler(config("Export", "/data"));
    let result = handler.run_invocation(&invocation).await.unwrap();
    assert_eq!(result.outcome, Outcome::Deferred, "{result:?}");
    let request = sent.lock().unwrap().pop().expect("CreateSchedule was sent");
    let input: Value = serde_json::from_str(request.target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["alarmArn"], event["alarmArn"]);
    assert_eq!(input["Deferral"]["Attempt"], 1);
    // The try is read as the same change: the same slot.
    let Ok(Read::Run(tried)) = read(&input, "req-2", capacity_env) else {
        panic!("a run");
    };
    assert_eq!(tried.slot.token(), invocation.slot.token());
    assert_eq!(tried.retry.unwrap().deferral.attempt, 1);
}

#[tokio::test]
async fn the_capacity_alarm_s_ok_and_insufficient_data_release_nothing() {
    use fsx_drt_core::capacity::{read, Read};
    for state in ["OK", "INSUFFICIENT_DATA"] {
        let event = capacity_alarm(state, "2026-11-25T07:15:42.490+0000");
        let read = read(&event, "req", capacity_env).unwrap();
        assert!(
            matches!(&read, Read::Ignored(alarm) if alarm.state == state),
            "{read:?}"
        );
    }
}

// Follow-up checks: the first arranged after a task is created; each check describes the
// task, arranges the next while it runs, reports it once when it ends badly.

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:fsx-drt-AlarmTopic-ABC";
const CHECKED: &str = "task-0123456789abcdef0";

/// What a check sends beyond FSx: the report read from S3, the message to SNS.
struct Sent {
    schedules: Arc<Mutex<Vec<CreateScheduleInput>>>,
    messages: Arc<Mutex<Vec<PublishInput>>>,
    tagged: Arc<Mutex<Vec<TagResourceInput>>>,
}

fn follow_ups(report: Option<&'static str>, messages: &Arc<Mutex<Vec<PublishInput>>>) -> FollowUps {
    let get = mock!(aws_sdk_s3::Client::get_object)
        .match_requests(|r| r.range() == Some("bytes=0-8388607"))
        .then_compute_output(move |r| {
            assert_eq!(r.bucket(), Some("bucket-a"));
            assert_eq!(
                r.key(),
                Some("data/fsx-drt-completion-reports/task-0123456789abcdef0/failures.csv")
            );
            GetObjectOutput::builder()
                .body(ByteStream::from_static(report.unwrap_or("").as_bytes()))
                .build()
        });
    let sent = messages.clone();
    let publish = mock!(aws_sdk_sns::Client::publish)
        .match_requests(move |r| {
            sent.lock().unwrap().push(r.clone());
            true
        })
        .then_output(|| PublishOutput::builder().message_id("m-1").build());
    FollowUps {
        sns: mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&publish]),
        s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&get]),
        topic_arn: TOPIC.into(),
        cap: Cap::DEFAULT,
    }
}

/// The checked task as FSx describes it now.
fn checked(lifecycle: DataRepositoryTaskLifecycle, failed: i64) -> DataRepositoryTask {
    let mut task = task(CHECKED, lifecycle, 1_000, Owner::Ours);
    task.status = Some(
        DataRepositoryTaskStatus::builder()
            .total_count(10)
            .succeeded_count(10 - failed)
            .failed_count(failed)
            .build(),
    );
    task
}

/// A handler with follow-ups that finds `task`, already tagged reported when `reported`.
fn checking(rules: &mut Rules, found: DataRepositoryTask, reported: bool, sent: &Sent) -> Handler {
    rules.tasks = tasks(vec![found]);
    rules.tags = mock!(aws_sdk_fsx::Client::list_tags_for_resource).then_output(move || {
        let mut out = ListTagsForResourceOutput::builder()
            .tags(Tag::builder().key(TASK_TAG).value(FUNCTION).build());
        if reported {
            out = out.tags(Tag::builder().key(REPORTED_TAG).value("true").build());
        }
        out.build()
    });
    rules.later = later_ok(&sent.schedules);
    let (mut handler, _) = rules.handler(config("Export", "/data"));
    let tagged = sent.tagged.clone();
    let tag = mock!(aws_sdk_fsx::Client::tag_resource)
        .match_requests(move |r| {
            tagged.lock().unwrap().push(r.clone());
            true
        })
        .then_output(|| TagResourceOutput::builder().build());
    let mut fsx_rules = vec![&rules.tasks, &rules.tags, &tag];
    fsx_rules.extend(rules.associations.iter());
    handler.fsx = mock_client!(aws_sdk_fsx, RuleMode::MatchAny, fsx_rules);
    handler.follow_ups = Some(follow_ups(
        Some("data/a,failed,FileSizeTooLarge\ndata/b,failed,PathNotFound\n"),
        &sent.messages,
    ));
    handler
}

/// A handler with follow-ups whose checked task is still executing.
fn checking_running(rules: &mut Rules, sent: &Sent) -> Handler {
    let running = checked(DataRepositoryTaskLifecycle::Executing, 0);
    checking(rules, running, false, sent)
}

fn nothing_sent() -> Sent {
    Sent {
        schedules: Arc::default(),
        messages: Arc::default(),
        tagged: Arc::default(),
    }
}

fn first_check() -> Check {
    // Created just now: a day later a task is no longer followed.
    Check::first(
        CHECKED,
        Some("nightly-export"),
        chrono::Utc::now(),
        None,
        Cap::DEFAULT,
    )
}

/// A run with follow-ups of `cap` creates its task: the one-time schedules it arranged.
async fn first_check_arranged(cap: Cap) -> Vec<CreateScheduleInput> {
    let sent = nothing_sent();
    let mut rules = Rules {
        later: later_ok(&sent.schedules),
        ..Rules::standard()
    };
    rules.tasks = tasks(vec![]);
    let (mut handler, _) = rules.handler(config("Export", "/data"));
    let mut follow_ups = follow_ups(None, &sent.messages);
    follow_ups.cap = cap;
    handler.follow_ups = Some(follow_ups);
    let result = handler
        .run(&event("2026-11-25T06:15:00Z"), "req")
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Created);
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    let schedules = sent.schedules.lock().unwrap().clone();
    schedules
}

#[tokio::test]
async fn a_created_task_arranges_its_first_check() {
    let schedules = first_check_arranged(Cap::DEFAULT).await;
    assert_eq!(schedules.len(), 1);
    assert_eq!(
        schedules[0].name(),
        Some("fsx-drt-check-task-0123456789abcdef0-1")
    );
    let input: Value =
        serde_json::from_str(schedules[0].target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["Check"]["TaskId"], CHECKED);
    assert_eq!(input["Check"]["Attempt"], 1);
    // No finished task to go by: two minutes.
    assert_eq!(input["Check"]["WaitSeconds"], 120);
    // Without follow-ups (run --direct, a stack made before them): no check.
    let quiet = nothing_sent();
    let rules = Rules {
        later: later_ok(&quiet.schedules),
        ..Rules::standard()
    };
    rules.run(config("Export", "/data")).await.0.unwrap();
    assert!(quiet.schedules.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_check_of_a_running_task_arranges_the_next_with_back_off() {
    let sent = nothing_sent();
    let mut rules = Rules::standard();
    let handler = checking_running(&mut rules, &sent);
    let result = handler.check(&first_check()).await.unwrap();
    assert_eq!(result.outcome, CheckOutcome::Running);
    assert!(result.next_check.is_some());
    let schedules = sent.schedules.lock().unwrap();
    assert_eq!(
        schedules[0].name(),
        Some("fsx-drt-check-task-0123456789abcdef0-2")
    );
    let input: Value =
        serde_json::from_str(schedules[0].target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["Check"]["WaitSeconds"], 240);
    assert_eq!(rules.metrics.num_calls(), 0);
    assert!(sent.messages.lock().unwrap().is_empty());
}

/// FollowUpCapMinutes: the stack's cap bounds the first check and the next one.
#[tokio::test]
async fn the_stack_s_follow_up_cap_bounds_the_checks() {
    let sent = nothing_sent();
    let mut rules = Rules::standard();
    let mut handler = checking_running(&mut rules, &sent);
    let one_minute = Cap::parse("1").unwrap();
    handler.follow_ups.as_mut().unwrap().cap = one_minute;
    let check = Check::first(
        CHECKED,
        Some("nightly-export"),
        chrono::Utc::now(),
        None,
        one_minute,
    );
    assert_eq!(check.wait.num_seconds(), 60);
    let result = handler.check(&check).await.unwrap();
    assert_eq!(result.outcome, CheckOutcome::Running);
    let input: Value = {
        let schedules = sent.schedules.lock().unwrap();
        serde_json::from_str(schedules[0].target().unwrap().input().unwrap()).unwrap()
    };
    assert_eq!(
        input["Check"]["WaitSeconds"], 60,
        "not doubled past the cap"
    );

    // A created task's first check: a minute, not the default two.
    let schedules = first_check_arranged(one_minute).await;
    let input: Value =
        serde_json::from_str(schedules[0].target().unwrap().input().unwrap()).unwrap();
    assert_eq!(input["Check"]["WaitSeconds"], 60);
}

#[tokio::test]
async fn a_task_that_ended_badly_is_reported_by_its_check_with_the_report_summary() {
    for (lifecycle, failed, words) in [
        (DataRepositoryTaskLifecycle::Failed, 2, "FAILED"),
        (
            DataRepositoryTaskLifecycle::Succeeded,
            2,
            "2 file(s) FAILED",
        ),
    ] {
        let sent = nothing_sent();
        let mut rules = Rules::standard();
        let handler = checking(&mut rules, checked(lifecycle, failed), false, &sent);
        let result = handler.check(&first_check()).await.unwrap();
        assert_eq!(result.outcome, CheckOutcome::Reported, "{words}");
        assert_eq!(rules.metrics.num_calls(), 1, "{words}: FailedTasks");
        let messages = sent.messages.lock().unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].topic_arn(), Some(TOPIC));
        let subject = messages[0].subject().unwrap();
        assert_eq!(
            subject,
            format!("fsx-drt: Export {CHECKED} on {FS}: {words} (nightly-export)")
        );
        let body = messages[0].message().unwrap();
        for line in [
            "s3://bucket-a/data/fsx-drt-completion-reports/task-0123456789abcdef0/failures.csv",
            "FileSizeTooLarge  1",
            "PathNotFound      1",
            "data/a",
            "fsx-drt tasks report task-0123456789abcdef0",
        ] {
            assert!(body.contains(line), "{line} not in {body}");
        }
        let tagged = sent.tagged.lock().unwrap();
        assert_eq!(tagged[0].tags()[0].key(), Some(REPORTED_TAG));
        assert!(
            sent.schedules.lock().unwrap().is_empty(),
            "no further check"
        );
    }
}

#[tokio::test]
async fn a_clean_task_or_one_reported_already_sends_nothing() {
    for (lifecycle, reported, outcome) in [
        (
            DataRepositoryTaskLifecycle::Succeeded,
            false,
            CheckOutcome::Ended,
        ),
        (
            DataRepositoryTaskLifecycle::Failed,
            true,
            CheckOutcome::AlreadyReported,
        ),
    ] {
        let sent = nothing_sent();
        let mut rules = Rules::standard();
        let handler = checking(&mut rules, checked(lifecycle, 0), reported, &sent);
        let result = handler.check(&first_check()).await.unwrap();
        assert_eq!(result.outcome, outcome);
        assert_eq!(rules.metrics.num_calls(), 0);
        assert!(sent.messages.lock().unwrap().is_empty());
        assert!(sent.schedules.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_next_run_does_not_count_a_failure_a_check_reported() {
    let sent = nothing_sent();
    let mut rules = Rules::standard();
    let mut handler = checking(
        &mut rules,
        checked(DataRepositoryTaskLifecycle::Failed, 0),
        true,
        &sent,
    );
    // The run creates its task (on its own FSx mock) after looking at the previous one.
    let mut fsx_rules = vec![
        &rules.file_systems,
        &rules.tasks,
        &rules.tags,
        &rules.create,
    ];
    fsx_rules.extend(rules.associations.iter());
    handler.fsx = mock_client!(aws_sdk_fsx, RuleMode::MatchAny, fsx_rules);
    let result = handler
        .run(&event("2026-11-26T06:15:00Z"), "req")
        .await
        .unwrap();
    assert_eq!(result.outcome, Outcome::Created);
    assert_eq!(
        rules.metrics.num_calls(),
        0,
        "FailedTasks not published again"
    );
}
