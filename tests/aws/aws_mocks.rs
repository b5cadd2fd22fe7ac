//! follow() and status against canned AWS responses (aws-smithy-mocks), for what the local
//! emulator cannot show: events arriving over several polls, a rollback cascade, throttling,
//! a stack that vanishes while it is deleted, an alarm in ALARM, an unconfirmed subscription,
//! a failed task, and drift (the emulator has no drift detection).
//!
//! The follow() tests run on tokio's paused clock: its 1-2 s sleeps between polls (and the
//! SDK's retry back-off) take no wall-clock time, and the time that passed on that clock
//! shows how long follow() waited. Only the timeout test runs in real time, since follow()
//! measures its timeout with the wall clock.

use std::time::Duration;

use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stack_resource_drifts::DescribeStackResourceDriftsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::detect_stack_drift::DetectStackDriftOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    DifferenceType, PropertyDifference, StackDriftDetectionStatus, StackDriftStatus,
    StackResourceDrift, StackResourceDriftStatus, StackStatus,
};
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::types::{MetricAlarm, StateValue};
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_fsx::types::{
    CompletionReport, DataRepositoryTask, DataRepositoryTaskFailureDetails,
    DataRepositoryTaskFilterName, DataRepositoryTaskLifecycle, DataRepositoryTaskStatus,
    DataRepositoryTaskType,
};
use aws_sdk_sns::operation::list_subscriptions_by_topic::ListSubscriptionsByTopicOutput;
use aws_sdk_sns::types::Subscription;
use aws_smithy_mocks::{mock, Rule};
use fsx_drt::aws::Aws;
use fsx_drt::aws::StackView;
use fsx_drt::cli::StatusArgs;
use fsx_drt::commands::status::request as status_request;
use fsx_drt::error::{Exit, Failure};
use fsx_drt::interrupt::Interrupt;
use fsx_drt::stack::{self, Operation, Progress, Selector};
use fsx_drt::workflows::existing_stack;
use fsx_drt::workflows::follow::{follow, End, Followed};
use fsx_drt::workflows::status::drift::Drift;
use fsx_drt::workflows::status::{gather, Status};

use crate::common::*;

/// Clients answering only from these rules (an unmatched call panics).
fn aws(cloudformation: &[&Rule], cloudwatch: &[&Rule], fsx: &[&Rule], sns: &[&Rule]) -> Aws {
    Rules {
        cloudformation: cloudformation.to_vec(),
        cloudwatch: cloudwatch.to_vec(),
        fsx: fsx.to_vec(),
        sns: sns.to_vec(),
        ..Rules::default()
    }
    .aws()
}

fn progress(done: usize, total: usize, in_progress: &[&str], failed: usize) -> Progress {
    Progress {
        done,
        total,
        in_progress: in_progress.iter().map(|s| s.to_string()).collect(),
        failed,
    }
}

/// A first deploy of six resources, seen over three polls, after its change set was created
/// and reviewed a minute and a half earlier.
fn create_timeline() -> Timeline {
    Timeline::new(vec![
        // The change set's creation: before this operation, so not part of it.
        (-95, STACK, STACK_TYPE, "REVIEW_IN_PROGRESS", USER),
        (0, STACK, STACK_TYPE, "CREATE_IN_PROGRESS", USER),
        (1, "LogGroup", LOG_GROUP, "CREATE_IN_PROGRESS", None),
        (1, "DeadLetterQueue", QUEUE, "CREATE_IN_PROGRESS", None),
        (1, "FunctionRole", ROLE, "CREATE_IN_PROGRESS", None),
        (2, "LogGroup", LOG_GROUP, "CREATE_IN_PROGRESS", INITIATED),
        (2, "LogGroup", LOG_GROUP, "CREATE_COMPLETE", None),
        // poll 1 sees the above
        (2, "DeadLetterQueue", QUEUE, "CREATE_IN_PROGRESS", INITIATED),
        (2, "FunctionRole", ROLE, "CREATE_IN_PROGRESS", INITIATED),
        (3, "DeadLetterQueue", QUEUE, "CREATE_COMPLETE", None),
        (17, "FunctionRole", ROLE, "CREATE_COMPLETE", None),
        (18, "Function", FUNCTION, "CREATE_IN_PROGRESS", None),
        (19, "Function", FUNCTION, "CREATE_IN_PROGRESS", INITIATED),
        // poll 2 sees the above
        (25, "Function", FUNCTION, "CREATE_COMPLETE", None),
        (26, "ScheduleRule", RULE, "CREATE_IN_PROGRESS", None),
        (27, "ScheduleRule", RULE, "CREATE_IN_PROGRESS", INITIATED),
        (87, "ScheduleRule", RULE, "CREATE_COMPLETE", None),
        (
            88,
            "SchedulePermission",
            PERMISSION,
            "CREATE_IN_PROGRESS",
            None,
        ),
        (
            89,
            "SchedulePermission",
            PERMISSION,
            "CREATE_IN_PROGRESS",
            INITIATED,
        ),
        (
            89,
            "SchedulePermission",
            PERMISSION,
            "CREATE_COMPLETE",
            None,
        ),
        (90, STACK, STACK_TYPE, "CREATE_COMPLETE", None),
    ])
}

#[tokio::test(start_paused = true)]
async fn follow_a_create_over_several_polls() {
    let timeline = create_timeline();
    let polls = [7, 13, timeline.events.len()];
    let rule = events_rule(polls.iter().map(|&n| timeline.page(n)).collect());
    let aws = aws(&[&rule], &[], &[], &[]);

    let started = tokio::time::Instant::now();
    let status = follow_for(&aws, &followed(Operation::Deploy, 6)).await;
    assert_eq!(status.unwrap(), "CREATE_COMPLETE");
    // One call per page, and none after the stack's CREATE_COMPLETE.
    assert_eq!(rule.num_calls(), 3);
    // Two waits of 1-2 s between the three polls.
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(2)..=Duration::from_secs(4)).contains(&waited),
        "{waited:?}"
    );

    // What the progress bar shows after each poll: the events so far, oldest first.
    let want = [
        progress(1, 6, &["DeadLetterQueue", "FunctionRole"], 0),
        progress(3, 6, &["Function"], 0),
        progress(6, 6, &[], 0),
    ];
    for (count, want) in polls.into_iter().zip(want) {
        let seen = timeline.of_operation(count);
        assert_eq!(stack::progress(&seen, 6), want, "after {count} events");
    }
    // The earlier operation's event is the stack's own: it would not count either way.
    let with_old = timeline.of_operation(polls[0]);
    assert_eq!(with_old.len(), polls[0] - 1);
    assert_eq!(
        stack::progress(&with_old, 6).to_string(),
        "1/6 resources done; in progress: DeadLetterQueue, FunctionRole"
    );
}

/// An update's first page still holds the stack's CREATE_COMPLETE from yesterday: a
/// terminal status, which follow() must not take for the end of this operation.
#[tokio::test(start_paused = true)]
async fn follow_ignores_the_end_of_an_earlier_operation() {
    let timeline = Timeline::new(vec![
        (-86_490, STACK, STACK_TYPE, "CREATE_IN_PROGRESS", USER),
        (-86_400, STACK, STACK_TYPE, "CREATE_COMPLETE", None),
        (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
        // poll 1 sees the above
        (2, "Function", FUNCTION, "UPDATE_IN_PROGRESS", None),
        (4, "Function", FUNCTION, "UPDATE_COMPLETE", None),
        (
            5,
            STACK,
            STACK_TYPE,
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            None,
        ),
        (6, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
    ]);
    let rule = events_rule(vec![timeline.page(3), timeline.page(7)]);
    let aws = aws(&[&rule], &[], &[], &[]);
    let status = follow_for(&aws, &followed(Operation::Deploy, 1)).await;
    assert_eq!(status.unwrap(), "UPDATE_COMPLETE");
    assert_eq!(rule.num_calls(), 2);
}

/// Follows for up to an hour (of tokio's paused clock), never interrupted.
async fn follow_for(aws: &Aws, followed: &Followed) -> Result<String, Failure> {
    follow(
        &session(aws, &printer(), &Interrupt::never()),
        STACK,
        followed,
        HOUR,
    )
    .await
    .and_then(End::succeeded)
}

/// The operation fsx-drt started, told by the token its events carry.
fn followed(operation: Operation, expected: usize) -> Followed {
    Followed {
        operation,
        events: Selector::Token(TOKEN.into()),
        expected,
        stack_id: None,
    }
}

/// This machine's clock runs 4 minutes ahead of AWS's (SigV4 accepts up to 5): every event
/// of the operation is "older" than the moment the follow began by the local clock. Chosen
/// by its token, the operation still ends at the first poll.
#[tokio::test(start_paused = true)]
async fn follow_ends_at_once_when_the_local_clock_runs_ahead() {
    let aws_now = chrono::Utc::now().timestamp() - 240;
    let timeline = Timeline::started(
        aws_now - 8,
        vec![
            (-60, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
            (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
            (2, "Function", FUNCTION, "UPDATE_COMPLETE", None),
            (3, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
        ],
    );
    let rule = events_rule(vec![timeline.page(4)]);
    let aws = aws(&[&rule], &[], &[], &[]);
    let status = follow_for(&aws, &followed(Operation::Deploy, 1)).await;
    assert_eq!(status.unwrap(), "UPDATE_COMPLETE");
    assert_eq!(rule.num_calls(), 1);
}

/// The same when attaching to an operation someone else started (`status --watch`): its
/// events are chosen from the stack's own LastUpdatedTime, an AWS time, so a local clock
/// minutes ahead changes nothing, and the end of the operation before is not taken for it.
#[tokio::test(start_paused = true)]
async fn attaching_ends_at_once_when_the_local_clock_runs_ahead() {
    let aws_now = chrono::Utc::now().timestamp() - 240;
    let timeline = Timeline::started(
        aws_now - 8,
        vec![
            (-1, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
            (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
            (2, "Function", FUNCTION, "UPDATE_FAILED", None),
            (3, STACK, STACK_TYPE, "UPDATE_ROLLBACK_COMPLETE", None),
        ],
    );
    let rule = events_rule(vec![timeline.page(2), timeline.page(4)]);
    let aws = aws(&[&rule], &[], &[], &[]);
    let mut stack = deployed_stack(StackStatus::UpdateInProgress);
    stack.last_updated_time = Some(DateTime::from_secs(timeline.time(0).timestamp()));
    let failure = follow_for(&aws, &Followed::attach(&StackView::from(&stack)))
        .await
        .unwrap_err();
    assert_eq!(
        failure.error,
        "stack fsx-drt-scheduler ended UPDATE_ROLLBACK_COMPLETE"
    );
    assert_eq!(rule.num_calls(), 2);
}

/// A first deploy whose function's code is missing: the rule is cancelled, the stack rolls
/// back. The failure names the function first, not the cancellation it caused.
#[tokio::test(start_paused = true)]
async fn follow_a_rollback_reports_the_root_cause_first() {
    let timeline = Timeline::new(vec![
        (-40, STACK, STACK_TYPE, "REVIEW_IN_PROGRESS", USER),
        (0, STACK, STACK_TYPE, "CREATE_IN_PROGRESS", USER),
        (2, "FunctionRole", ROLE, "CREATE_IN_PROGRESS", None),
        (3, "FunctionRole", ROLE, "CREATE_IN_PROGRESS", INITIATED),
        (18, "FunctionRole", ROLE, "CREATE_COMPLETE", None),
        (19, "Function", FUNCTION, "CREATE_IN_PROGRESS", None),
        (19, "ScheduleRule", RULE, "CREATE_IN_PROGRESS", None),
        // poll 1 sees the above
        (20, "ScheduleRule", RULE, "CREATE_IN_PROGRESS", INITIATED),
        (21, "Function", FUNCTION, "CREATE_FAILED", Some(NO_SUCH_KEY)),
        (
            22,
            "ScheduleRule",
            RULE,
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
        ),
        (
            22,
            STACK,
            STACK_TYPE,
            "ROLLBACK_IN_PROGRESS",
            Some(
                "The following resource(s) failed to create: [Function, ScheduleRule]. \
                 Rollback requested by user.",
            ),
        ),
        (23, "ScheduleRule", RULE, "DELETE_IN_PROGRESS", None),
        (23, "Function", FUNCTION, "DELETE_IN_PROGRESS", None),
        // poll 2 sees the above
        (23, "ScheduleRule", RULE, "DELETE_COMPLETE", None),
        (23, "Function", FUNCTION, "DELETE_COMPLETE", None),
        (24, "FunctionRole", ROLE, "DELETE_IN_PROGRESS", None),
        (26, "FunctionRole", ROLE, "DELETE_COMPLETE", None),
        (27, STACK, STACK_TYPE, "ROLLBACK_COMPLETE", None),
    ]);
    let polls = [7, 13, timeline.events.len()];
    let rule = events_rule(polls.iter().map(|&n| timeline.page(n)).collect());
    let aws = aws(&[&rule], &[], &[], &[]);

    let failure = follow_for(&aws, &followed(Operation::Deploy, 3))
        .await
        .unwrap_err();
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(failure.exit, Exit::Failed);
    assert_eq!(failure.exit_code, 1);
    assert_eq!(
        failure.error,
        "stack fsx-drt-scheduler ended ROLLBACK_COMPLETE"
    );
    let detail = failure.detail.as_deref().unwrap();
    assert!(
        detail.starts_with("Root cause: Function (AWS::Lambda::Function) CREATE_FAILED"),
        "{detail}"
    );
    let cause = detail.find("NoSuchKey").unwrap();
    let cancelled = detail.find("Resource creation cancelled").unwrap();
    assert!(cause < cancelled, "{detail}");
    // What the bar shows once the failure is in: the role done, two resources failed.
    assert_eq!(
        stack::progress(&timeline.of_operation(10), 3),
        progress(1, 3, &[], 2)
    );

    insta::assert_snapshot!(
        "rollback_failure",
        timeline.relative_times(&failure.to_string())
    );
}

/// DescribeStackEvents throttled: the SDK retries each call (3 attempts); when all three are
/// throttled follow() waits longer and polls again, twice; the third poll's single throttle
/// is the SDK's to retry. None of it is an error.
#[tokio::test(start_paused = true)]
async fn follow_rides_out_throttling() {
    let timeline = create_timeline();
    let throttled = query_error("Throttling", "Rate exceeded");
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .http_status(400, Some(throttled.clone()))
        .times(7)
        .output({
            let page = timeline.page(timeline.events.len());
            move || page.clone()
        })
        .build();
    let aws = aws(&[&rule], &[], &[], &[]);

    let started = tokio::time::Instant::now();
    let status = follow_for(&aws, &followed(Operation::Deploy, 6)).await;
    assert_eq!(status.unwrap(), "CREATE_COMPLETE");
    assert_eq!(rule.num_calls(), 8, "7 throttled attempts, then the page");
    // follow()'s own back-off after two throttled polls: at least 1 s, then at least 2 s
    // (at most 2 s and 4 s); the SDK's back-off between attempts adds up to 1 s + 2 s each.
    let waited = started.elapsed();
    assert!(
        (Duration::from_secs(3)..=Duration::from_secs(15)).contains(&waited),
        "{waited:?}"
    );
}

/// Ctrl-C while following: it stops polling at once (exit 130), says how to come back, and
/// asks CloudFormation for nothing else (the client has no other rule): the stack goes on.
#[tokio::test(start_paused = true)]
async fn ctrl_c_stops_following_and_leaves_the_stack_alone() {
    let timeline = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
        (1, "Function", FUNCTION, "UPDATE_IN_PROGRESS", None),
    ]);
    let page = timeline.page(2);
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .output(move || page.clone())
        .repeatedly()
        .build();
    let aws = aws(&[&rule], &[], &[], &[]);
    let (trigger, interrupt) = Interrupt::manual();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(10)).await;
        trigger.raise();
    });
    let started = tokio::time::Instant::now();
    let failure = follow(
        &session(&aws, &printer(), &interrupt),
        STACK,
        &followed(Operation::Deploy, 2),
        HOUR,
    )
    .await
    .and_then(End::succeeded)
    .unwrap_err();
    assert_eq!(failure.exit_code, 130);
    assert_eq!(
        failure.error,
        "stopped following stack fsx-drt-scheduler; its operation goes on"
    );
    assert_eq!(
        failure.help.as_deref(),
        Some("re-attach with `fsx-drt status --watch --stack-name fsx-drt-scheduler`")
    );
    assert!(
        started.elapsed() < Duration::from_secs(11),
        "stopped at once"
    );
    assert!(
        rule.num_calls() >= 5,
        "it was polling: {}",
        rule.num_calls()
    );
}

/// The operation outlasts the time allowed: exit 4, and how to pick it up again.
#[tokio::test]
async fn follow_times_out_with_a_way_back() {
    let timeline = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "CREATE_IN_PROGRESS", USER),
        (1, "Function", FUNCTION, "CREATE_IN_PROGRESS", None),
    ]);
    let page = timeline.page(2);
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .then_output(move || page.clone());
    let aws = aws(&[&rule], &[], &[], &[]);

    let started = std::time::Instant::now();
    let failure = follow(
        &session(&aws, &printer(), &Interrupt::never()),
        STACK,
        &followed(Operation::Deploy, 1),
        Duration::from_secs(1),
    )
    .await
    .and_then(End::succeeded)
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(failure.exit, Exit::TimedOut);
    assert_eq!(failure.exit_code, 4);
    assert_eq!(
        failure.error,
        "stack fsx-drt-scheduler is still in progress after 1s"
    );
    assert_eq!(
        failure.help.as_deref(),
        Some(
            "this is not a failure: re-attach with \
             `fsx-drt status --watch --stack-name fsx-drt-scheduler`"
        )
    );
    // A poll, a wait of 1-2 s, and the time is up (a second poll only if the wait was
    // shorter than the scheduler's tick).
    assert!((1..=2).contains(&rule.num_calls()), "{}", rule.num_calls());
}

fn deletion_events() -> Vec<DescribeStackEventsOutput> {
    let timeline = Timeline::new(vec![
        (-3600, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
        (0, STACK, STACK_TYPE, "DELETE_IN_PROGRESS", USER),
        (
            1,
            "SchedulePermission",
            PERMISSION,
            "DELETE_IN_PROGRESS",
            None,
        ),
        (2, "SchedulePermission", PERMISSION, "DELETE_COMPLETE", None),
        (2, "ScheduleRule", RULE, "DELETE_IN_PROGRESS", None),
    ]);
    vec![timeline.page(3), timeline.page(5)]
}

/// A deleted stack vanishes from DescribeStackEvents by name before its DELETE_COMPLETE is
/// seen: while deleting, that is the success.
#[tokio::test(start_paused = true)]
async fn follow_a_deletion_to_a_stack_that_no_longer_exists() {
    let [first, second] = <[_; 2]>::try_from(deletion_events()).unwrap();
    let gone = query_error(
        "ValidationError",
        "Stack [fsx-drt-scheduler] does not exist",
    );
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .output(move || first.clone())
        .output(move || second.clone())
        .http_status(400, Some(gone))
        .build();
    let aws = aws(&[&rule], &[], &[], &[]);
    let status = follow_for(&aws, &followed(Operation::Delete, 2)).await;
    assert_eq!(status.unwrap(), "DELETE_COMPLETE");
    // A ValidationError is not retried.
    assert_eq!(rule.num_calls(), 3);
}

/// The same answer when deploying is a failure (exit 1) that says what AWS said.
#[tokio::test(start_paused = true)]
async fn follow_a_deploy_whose_stack_vanishes_fails() {
    let gone = query_error(
        "ValidationError",
        "Stack [fsx-drt-scheduler] does not exist",
    );
    let rule = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .sequence()
        .http_status(400, Some(gone))
        .build();
    let aws = aws(&[&rule], &[], &[], &[]);
    let failure = follow_for(&aws, &followed(Operation::Deploy, 2))
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 1);
    assert_eq!(
        failure.error,
        "DescribeStackEvents failed: ValidationError: Stack [fsx-drt-scheduler] does not exist"
    );
    assert_eq!(rule.num_calls(), 1);
}

// ---------------------------------------------------------------------------------------
// status

fn alarms_rule(task_alarm: StateValue) -> Rule {
    let alarm = |name: &str, state: StateValue| {
        MetricAlarm::builder()
            .alarm_name(name)
            .state_value(state)
            .build()
    };
    mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(|r| r.alarm_names() == [ERROR_ALARM, TASK_ALARM])
        .then_output(move || {
            DescribeAlarmsOutput::builder()
                .metric_alarms(alarm(ERROR_ALARM, StateValue::Ok))
                .metric_alarms(alarm(TASK_ALARM, task_alarm.clone()))
                .build()
        })
}

/// The email subscription, not confirmed yet (SNS shows no ARN until it is).
fn pending_subscription_rule() -> Rule {
    mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .match_requests(|r| r.topic_arn() == Some(TOPIC))
        .then_output(|| {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(
                    Subscription::builder()
                        .subscription_arn("PendingConfirmation")
                        .owner("123456789012")
                        .protocol("email")
                        .endpoint("ops@example.com")
                        .topic_arn(TOPIC)
                        .build(),
                )
                .build()
        })
}

fn task(id: &str, created: i64, lifecycle: DataRepositoryTaskLifecycle) -> DataRepositoryTask {
    let failed = lifecycle == DataRepositoryTaskLifecycle::Failed;
    DataRepositoryTask::builder()
        .task_id(id)
        .file_system_id(FS)
        .r#type(DataRepositoryTaskType::Export)
        .lifecycle(lifecycle)
        .creation_time(DateTime::from_secs(created))
        .start_time(DateTime::from_secs(created + 2))
        .end_time(DateTime::from_secs(created + 95))
        .status(
            DataRepositoryTaskStatus::builder()
                .total_count(1_200)
                .succeeded_count(if failed { 1_188 } else { 1_200 })
                .failed_count(if failed { 12 } else { 0 })
                .build(),
        )
        .set_failure_details(failed.then(|| {
            DataRepositoryTaskFailureDetails::builder()
                .message("12 files could not be exported; see the completion report")
                .build()
        }))
        .report(
            CompletionReport::builder()
                .enabled(true)
                .path("/fsx-drt-completion-reports")
                .build(),
        )
        .build()
}

/// The file system's tasks, oldest first as FSx may list them: status shows the newest first.
fn tasks_rule(latest: DataRepositoryTaskLifecycle) -> Rule {
    mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .match_requests(|r| {
            r.filters().len() == 1
                && r.filters()[0].name() == Some(&DataRepositoryTaskFilterName::FileSystemId)
                && r.filters()[0].values() == [FS]
        })
        .then_output(move || {
            DescribeDataRepositoryTasksOutput::builder()
                .data_repository_tasks(task(
                    "task-0a1b2c3d4e5f60001",
                    1_772_560_800, // 2026-03-03T18:00:00Z
                    DataRepositoryTaskLifecycle::Succeeded,
                ))
                .data_repository_tasks(task(
                    "task-0a1b2c3d4e5f60002",
                    1_772_582_400, // 2026-03-04T00:00:00Z
                    latest.clone(),
                ))
                .build()
        })
}

fn status_args() -> StatusArgs {
    StatusArgs {
        stack_name: STACK.into(),
        watch: false,
        any_stack: false,
        timeout: HOUR,
        no_drift: false,
        fleet: None,
    }
}

/// status with these arguments, on these answers.
async fn gathered(aws: &Aws, args: StatusArgs) -> Status {
    gather(
        &session(aws, &printer(), &Interrupt::never()),
        &status_request(&args),
    )
    .await
    .unwrap()
}

async fn status_of(
    stack: StackStatus,
    task_alarm: StateValue,
    latest: DataRepositoryTaskLifecycle,
) -> Status {
    let (detect, detection) = (
        detect_rule(),
        detection_rule(vec![complete(StackDriftStatus::InSync)]),
    );
    status_with(
        stack,
        task_alarm,
        latest,
        &[&detect, &detection],
        &status_args(),
    )
    .await
}

/// status with the stack healthy but for `drift_rules`' answers (which fsx-drt reads).
async fn status_with(
    stack: StackStatus,
    task_alarm: StateValue,
    latest: DataRepositoryTaskLifecycle,
    drift_rules: &[&Rule],
    args: &StatusArgs,
) -> Status {
    let (stack, alarms) = (stack_rule(deployed_stack(stack)), alarms_rule(task_alarm));
    let (tasks, subscription) = (tasks_rule(latest), pending_subscription_rule());
    let template = template_rule();
    let mut cloudformation = vec![&stack, &template];
    cloudformation.extend_from_slice(drift_rules);
    let aws = aws(&cloudformation, &[&alarms], &[&tasks], &[&subscription]);
    let status = gather(
        &session(&aws, &printer(), &Interrupt::never()),
        &status_request(args),
    )
    .await
    .unwrap();
    for rule in [&stack, &template, &alarms, &tasks, &subscription] {
        assert_eq!(rule.num_calls(), 1);
    }
    status
}

/// status of a healthy stack, drift read from `drift_rules`.
async fn drift_status(drift_rules: &[&Rule]) -> Status {
    status_with(
        StackStatus::UpdateComplete,
        StateValue::Ok,
        DataRepositoryTaskLifecycle::Succeeded,
        drift_rules,
        &status_args(),
    )
    .await
}

const DETECTION: &str = "b78ac9b0-dec1-11e7-a451-503a3e7b0c91";

/// DetectStackDrift on the test's stack, by its StackId.
fn detect_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::detect_stack_drift)
        .match_requests(|r| is_the_stack(r.stack_name()))
        .then_output(|| {
            DetectStackDriftOutput::builder()
                .stack_drift_detection_id(DETECTION)
                .build()
        })
}

fn complete(drift: StackDriftStatus) -> DescribeStackDriftDetectionStatusOutput {
    detection(
        StackDriftDetectionStatus::DetectionComplete,
        Some(drift),
        None,
    )
}

fn detection(
    status: StackDriftDetectionStatus,
    drift: Option<StackDriftStatus>,
    reason: Option<&str>,
) -> DescribeStackDriftDetectionStatusOutput {
    DescribeStackDriftDetectionStatusOutput::builder()
        .stack_id(STACK_ID)
        .stack_drift_detection_id(DETECTION)
        .detection_status(status)
        .set_stack_drift_status(drift)
        .set_detection_status_reason(reason.map(str::to_string))
        .timestamp(DateTime::from_secs(1_772_539_200))
        .build()
}

/// DescribeStackDriftDetectionStatus answering each poll with the next answer.
fn detection_rule(answers: Vec<DescribeStackDriftDetectionStatusOutput>) -> Rule {
    let mut sequence = mock!(aws_sdk_cloudformation::Client::describe_stack_drift_detection_status)
        .match_requests(|r| r.stack_drift_detection_id() == Some(DETECTION))
        .sequence();
    for answer in answers {
        sequence = sequence.output(move || answer.clone());
    }
    sequence.build()
}

#[tokio::test]
async fn status_healthy_but_the_subscription_is_unconfirmed() {
    let status = status_of(
        StackStatus::UpdateComplete,
        StateValue::Ok,
        DataRepositoryTaskLifecycle::Succeeded,
    )
    .await;
    assert_eq!(status.email_subscription, "PendingConfirmation");
    assert!(status.healthy, "{:?}", status.problems);
    // The one schedule of the template as written, read back with the stack's values.
    let names: Vec<&str> = status.schedules.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["default"]);
    assert_eq!(status.schedules[0].timezone, "UTC");
    assert_eq!(status.schedules[0].next_runs, ["2199-01-01T00:00:00Z"]);
    assert_eq!(status.next_runs, ["2199-01-01T00:00:00Z"]);
    let text = status.to_string();
    assert!(
        text.contains(
            "Email subscription: PendingConfirmation (open the confirmation mail AWS sent, \
             or alarms reach nobody)"
        ),
        "{text}"
    );
    assert_eq!(status.drift, Drift::InSync);
    assert!(
        text.ends_with("Drift: in sync with the template\n\nHealthy.\n"),
        "{text}"
    );
}

#[tokio::test]
async fn status_unhealthy_with_an_alarm_and_a_failed_task() {
    let status = status_of(
        StackStatus::UpdateComplete,
        StateValue::Alarm,
        DataRepositoryTaskLifecycle::Failed,
    )
    .await;
    assert!(!status.healthy);
    assert_eq!(
        status.problems,
        [
            format!("alarm {TASK_ALARM} is in ALARM"),
            "the latest task task-0a1b2c3d4e5f60002 FAILED".to_string(),
        ]
    );
    // Newest first.
    let ids: Vec<&str> = status.tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["task-0a1b2c3d4e5f60002", "task-0a1b2c3d4e5f60001"]);
    insta::assert_snapshot!("status_unhealthy", status.to_string());
}

/// Only a task that ended badly, FAILED or CANCELED (one definition for the Lambda's alarm,
/// tasks and status): unhealthy too.
#[tokio::test]
async fn status_unhealthy_when_only_the_latest_task_failed() {
    for (lifecycle, name) in [
        (DataRepositoryTaskLifecycle::Failed, "FAILED"),
        (DataRepositoryTaskLifecycle::Canceled, "CANCELED"),
    ] {
        let status = status_of(StackStatus::UpdateComplete, StateValue::Ok, lifecycle).await;
        assert!(!status.healthy);
        assert_eq!(
            status.problems,
            [format!("the latest task task-0a1b2c3d4e5f60002 {name}")]
        );
    }
}

/// `status --watch` on a stack mid-update follows it, then reports the stack as it ended.
#[tokio::test(start_paused = true)]
async fn status_watch_follows_the_operation_first() {
    let timeline = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", USER),
        (3, "Function", FUNCTION, "UPDATE_IN_PROGRESS", None),
        (9, "Function", FUNCTION, "UPDATE_COMPLETE", None),
        (
            10,
            STACK,
            STACK_TYPE,
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            None,
        ),
        (11, STACK, STACK_TYPE, "UPDATE_COMPLETE", None),
    ]);
    let events = events_rule(vec![timeline.page(2), timeline.page(5)]);
    let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(deployed_stack(StackStatus::UpdateInProgress))
                .build()
        })
        .output(|| {
            DescribeStacksOutput::builder()
                .stacks(deployed_stack(StackStatus::UpdateComplete))
                .build()
        })
        .build();
    let alarms = alarms_rule(StateValue::Ok);
    let tasks = tasks_rule(DataRepositoryTaskLifecycle::Succeeded);
    let subscription = pending_subscription_rule();
    let template = template_rule();
    let (detect, detection) = (
        detect_rule(),
        detection_rule(vec![complete(StackDriftStatus::InSync)]),
    );
    let aws = aws(
        &[&stacks, &events, &template, &detect, &detection],
        &[&alarms],
        &[&tasks],
        &[&subscription],
    );
    let status = gathered(
        &aws,
        StatusArgs {
            watch: true,
            ..status_args()
        },
    )
    .await;
    assert_eq!(status.status, "UPDATE_COMPLETE");
    assert!(status.healthy, "{:?}", status.problems);
    assert_eq!((stacks.num_calls(), events.num_calls()), (2, 2));
    // Drift is detected once, on the stack as the operation left it.
    assert_eq!((detect.num_calls(), detection.num_calls()), (1, 1));
    assert_eq!(status.drift, Drift::InSync);
}

/// status does not call a stack fsx-drt did not make healthy: exit 2, naming it.
#[tokio::test]
async fn status_refuses_a_stack_fsx_drt_did_not_make() {
    let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let mut stack = deployed_stack(StackStatus::CreateComplete);
        stack.description = None;
        DescribeStacksOutput::builder().stacks(stack).build()
    });
    let aws = aws(&[&stacks], &[], &[], &[]);
    let failure = gather(
        &session(&aws, &printer(), &Interrupt::never()),
        &status_request(&status_args()),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.exit_code, 2, "{failure:?}");
    assert!(
        failure.error.contains("it has no description"),
        "{failure:?}"
    );
}

/// No stack by that name: DescribeStacks' ValidationError is "no stack" (exit 2), not a
/// failed call; any other error is one (exit 1).
#[tokio::test]
async fn a_missing_stack_is_exit_2_other_errors_exit_1() {
    let missing = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            400,
            Some(query_error(
                "ValidationError",
                "Stack with id fsx-drt-scheduler does not exist",
            )),
        )
        .times(2)
        .build();
    let aws_missing = aws(&[&missing], &[], &[], &[]);
    let failure = existing_stack(&aws_missing, STACK, false)
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 2);
    assert_eq!(
        failure.error,
        "there is no stack fsx-drt-scheduler in region us-east-1"
    );
    let failure: Failure = gather(
        &session(&aws_missing, &printer(), &Interrupt::never()),
        &status_request(&status_args()),
    )
    .await
    .unwrap_err();
    assert_eq!(failure.exit, Exit::Invalid);
    assert_eq!(missing.num_calls(), 2);

    let denied = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .sequence()
        .http_status(
            403,
            Some(query_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
                 cloudformation:DescribeStacks",
            )),
        )
        .build();
    let aws_denied = aws(&[&denied], &[], &[], &[]);
    let failure = existing_stack(&aws_denied, STACK, false).await.unwrap_err();
    assert_eq!(failure.exit_code, 1);
    assert!(
        failure
            .error
            .starts_with("DescribeStacks failed: AccessDenied: User: "),
        "{}",
        failure.error
    );
}

// ---------------------------------------------------------------------------------------
// status: drift

fn difference(path: &str, expected: &str, actual: &str) -> PropertyDifference {
    PropertyDifference::builder()
        .property_path(path)
        .expected_value(expected)
        .actual_value(actual)
        .difference_type(DifferenceType::NotEqual)
        .build()
}

fn resource_drift(
    logical_id: &str,
    resource_type: &str,
    differences: Vec<PropertyDifference>,
) -> StackResourceDrift {
    StackResourceDrift::builder()
        .stack_id(STACK_ID)
        .logical_resource_id(logical_id)
        .physical_resource_id(format!("{STACK}-{logical_id}-A1B2C3D4"))
        .resource_type(resource_type)
        .stack_resource_drift_status(StackResourceDriftStatus::Modified)
        .set_property_differences(Some(differences))
        .timestamp(DateTime::from_secs(1_772_539_260))
        .build()
}

/// Someone changed the function's environment and disabled the schedule in the console:
/// CloudFormation finds it on the second poll, and lists the two resources over two pages
/// (asked for MODIFIED and DELETED only). status is unhealthy (exit 1), lists each property
/// expected -> actual, in text and JSON, and names the deploy that reverts it.
#[tokio::test(start_paused = true)]
async fn status_lists_drifted_resources_and_the_deploy_that_reverts_them() {
    let detect = detect_rule();
    let detection = detection_rule(vec![
        detection(StackDriftDetectionStatus::DetectionInProgress, None, None),
        complete(StackDriftStatus::Drifted),
    ]);
    let pages = mock!(aws_sdk_cloudformation::Client::describe_stack_resource_drifts)
        .match_requests(|r| {
            is_the_stack(r.stack_name())
                && r.stack_resource_drift_status_filters()
                    == [
                        StackResourceDriftStatus::Modified,
                        StackResourceDriftStatus::Deleted,
                    ]
        })
        .sequence()
        .output(|| {
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    "Function",
                    FUNCTION,
                    vec![difference(
                        "/Environment/Variables/TASK_TYPE",
                        "EXPORT_TO_REPOSITORY",
                        "IMPORT_METADATA_FROM_REPOSITORY",
                    )],
                ))
                .next_token("page-2")
                .build()
        })
        .output(|| {
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    "Schedule",
                    "AWS::Scheduler::Schedule",
                    vec![difference("/State", "ENABLED", "DISABLED")],
                ))
                .build()
        })
        .build();
    let status = drift_status(&[&detect, &detection, &pages]).await;
    assert_eq!(
        (detect.num_calls(), detection.num_calls(), pages.num_calls()),
        (1, 2, 2)
    );
    assert!(!status.healthy);
    assert_eq!(status.problems, ["2 resources drifted from the template"]);
    let revert = format!("fsx-drt deploy --stack-name {STACK} --revert-drift");
    assert_eq!(status.next_step.as_deref(), Some(revert.as_str()));
    let text = status.to_string();
    assert!(
        text.contains(
            "Drift: 2 resources drifted from the template\n\
             \x20 Function (AWS::Lambda::Function) MODIFIED\n\
             \x20     /Environment/Variables/TASK_TYPE: EXPORT_TO_REPOSITORY -> IMPORT_METADATA_FROM_REPOSITORY\n\
             \x20 Schedule (AWS::Scheduler::Schedule) MODIFIED\n\
             \x20     /State: ENABLED -> DISABLED\n"
        ),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "Unhealthy: 2 resources drifted from the template.\n\
             To bring it back to its template: {revert}\n"
        )),
        "{text}"
    );
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["drift"]["state"], "drifted");
    assert_eq!(json["next_step"], revert.as_str());
    let schedule = &json["drift"]["resources"][1];
    assert_eq!(schedule["logical_id"], "Schedule");
    assert_eq!(schedule["resource_type"], "AWS::Scheduler::Schedule");
    assert_eq!(
        schedule["differences"][0],
        serde_json::json!({"path": "/State", "expected": "ENABLED", "actual": "DISABLED", "kind": "NOT_EQUAL"})
    );
}

/// Drift detection that cannot run never fails status: denied, refused for the stack's
/// state (CloudFormation's ValidationError), or not offered by the endpoint (an emulator's
/// InvalidAction). Each is "not checked" with the reason; status stays healthy (exit 0).
#[tokio::test]
async fn status_reports_drift_not_checked_when_detection_cannot_run() {
    let cases = [
        (
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
             cloudformation:DetectStackDrift",
            "allow cloudformation:DetectStackDrift, DescribeStackDriftDetectionStatus and \
             DescribeStackResourceDrifts, or pass --no-drift",
        ),
        (
            400,
            "ValidationError",
            "Drift detection is not supported for stack fsx-drt-scheduler in status \
             UPDATE_IN_PROGRESS",
            "DetectStackDrift failed: ValidationError: Drift detection is not supported",
        ),
        (
            400,
            "InvalidAction",
            "The action or operation requested is invalid",
            "the endpoint does not support drift detection",
        ),
    ];
    for (http, code, message, reason) in cases {
        let detect = mock!(aws_sdk_cloudformation::Client::detect_stack_drift)
            .sequence()
            .http_status(http, Some(query_error(code, message)))
            .build();
        let status = drift_status(&[&detect]).await;
        assert!(status.healthy, "{code}: {:?}", status.problems);
        assert_eq!(status.next_step, None);
        let Drift::NotChecked { reason: got } = &status.drift else {
            panic!("{code}: {:?}", status.drift);
        };
        assert!(got.contains(reason), "{code}: {got}");
        assert!(status.to_string().contains("Drift: not checked: "));
        assert_eq!(
            serde_json::to_value(&status).unwrap()["drift"]["state"],
            "not_checked"
        );
    }
}

/// A detection still running when status stops waiting is reported with its id and the
/// command that shows it, not as a failure; one that failed for some resources without
/// finding drift is not checked, with CloudFormation's reason.
#[tokio::test(start_paused = true)]
async fn status_does_not_wait_long_for_drift_detection() {
    let detect = detect_rule();
    let running = detection_rule(vec![detection(
        StackDriftDetectionStatus::DetectionInProgress,
        None,
        None,
    )]);
    let args = status_request(&status_args());
    let args = fsx_drt::workflows::status::StatusRequest {
        drift: Some(Duration::ZERO),
        ..args
    };
    let (stack, alarms) = (
        stack_rule(deployed_stack(StackStatus::UpdateComplete)),
        alarms_rule(StateValue::Ok),
    );
    let (tasks, subscription) = (
        tasks_rule(DataRepositoryTaskLifecycle::Succeeded),
        pending_subscription_rule(),
    );
    let template = template_rule();
    let aws = aws(
        &[&stack, &template, &detect, &running],
        &[&alarms],
        &[&tasks],
        &[&subscription],
    );
    let status = gather(&session(&aws, &printer(), &Interrupt::never()), &args)
        .await
        .unwrap();
    assert!(status.healthy, "{:?}", status.problems);
    assert_eq!(
        status.drift,
        Drift::StillRunning {
            detection_id: DETECTION.into()
        }
    );
    assert!(status.to_string().contains(&format!(
        "aws cloudformation describe-stack-drift-detection-status --stack-drift-detection-id {DETECTION}"
    )));

    let (detect, failed) = (
        detect_rule(),
        detection_rule(vec![detection(
            StackDriftDetectionStatus::DetectionFailed,
            Some(StackDriftStatus::InSync),
            Some("Failed to detect drift on resource [Topic]"),
        )]),
    );
    let status = drift_status(&[&detect, &failed]).await;
    assert!(status.healthy);
    assert_eq!(
        status.drift,
        Drift::NotChecked {
            reason: "drift detection failed: Failed to detect drift on resource [Topic]".into()
        }
    );
}

/// `--no-drift`: no drift detection at all (a DetectStackDrift that would report drift is
/// never called); status says it was skipped.
#[tokio::test]
async fn no_drift_skips_drift_detection() {
    let detect = detect_rule();
    let drifted = detection_rule(vec![complete(StackDriftStatus::Drifted)]);
    let args = StatusArgs {
        no_drift: true,
        ..status_args()
    };
    let status = status_with(
        StackStatus::UpdateComplete,
        StateValue::Ok,
        DataRepositoryTaskLifecycle::Succeeded,
        &[&detect, &drifted],
        &args,
    )
    .await;
    assert_eq!((detect.num_calls(), drifted.num_calls()), (0, 0));
    assert!(status.healthy, "{:?}", status.problems);
    assert_eq!(status.drift, Drift::Skipped);
    assert!(status
        .to_string()
        .contains("Drift: not checked (--no-drift)\n"));
    assert_eq!(
        serde_json::to_value(&status).unwrap()["drift"],
        serde_json::json!({"state": "skipped"})
    );
}

/// A throttled poll of the detection (after the SDK's own 3 attempts) is waited out with
/// back-off, as every poll does, not taken for a detection that cannot run.
#[tokio::test(start_paused = true)]
async fn a_throttled_drift_poll_is_retried() {
    let detect = detect_rule();
    let throttled = mock!(aws_sdk_cloudformation::Client::describe_stack_drift_detection_status)
        .match_requests(|r| r.stack_drift_detection_id() == Some(DETECTION))
        .sequence()
        .http_status(400, Some(query_error("Throttling", "Rate exceeded")))
        .times(3)
        .output(|| complete(StackDriftStatus::InSync))
        .build();
    let status = drift_status(&[&detect, &throttled]).await;
    assert_eq!(throttled.num_calls(), 4);
    assert_eq!(status.drift, Drift::InSync);
}

/// A stack with a capacity alarm: status shows the threshold, the latest free storage
/// (GetMetricStatistics, FreeDataStorageCapacity's Sum per minute) and the alarm's state;
/// the alarm in ALARM (a release under way) leaves the stack healthy.
#[tokio::test]
async fn status_shows_free_capacity_the_threshold_and_the_capacity_alarm() {
    use aws_sdk_cloudformation::types::{Output, Parameter};
    use aws_sdk_cloudwatch::operation::get_metric_statistics::GetMetricStatisticsOutput;
    use aws_sdk_cloudwatch::types::{Datapoint, Statistic};
    const CAPACITY_ALARM: &str = "fsx-drt-scheduler-free-capacity";
    let release = r#"{"Schedule":"default","TaskType":"Release","Paths":"/data","TaskCompletionReportPath":"/r","ReleaseAfterDays":14,"MaxDeferMinutes":60,"ReleaseWhenFreeBelowPercent":20}"#;
    let mut stack = deployed_stack(StackStatus::UpdateComplete);
    let parameter = |k: &str, v: &str| {
        Parameter::builder()
            .parameter_key(k)
            .parameter_value(v)
            .build()
    };
    (stack.parameters.get_or_insert_with(Vec::new)).extend([
        parameter("FreeCapacityAlarmBytes", "257698037760"),
        parameter("CapacityRelease", release),
    ]);
    (stack.outputs.get_or_insert_with(Vec::new)).push(
        Output::builder()
            .output_key("FreeCapacityAlarmName")
            .output_value(CAPACITY_ALARM)
            .build(),
    );
    let point = |minute: i64, bytes: f64| {
        Datapoint::builder()
            .timestamp(aws_smithy_types::DateTime::from_secs(
                1_772_582_400 + 60 * minute,
            ))
            .sum(bytes)
            .build()
    };
    let metric = mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .match_requests(|r| {
            r.namespace() == Some("AWS/FSx")
                && r.metric_name() == Some("FreeDataStorageCapacity")
                && r.dimensions()[0].value() == Some(FS)
                && r.statistics() == [Statistic::Sum]
        })
        .then_output(move || {
            GetMetricStatisticsOutput::builder()
                .datapoints(point(2, 193_273_528_320.0))
                .datapoints(point(1, 200_000_000_000.0))
                .build()
        });
    let capacity_alarm = mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .match_requests(|r| r.alarm_names() == [CAPACITY_ALARM])
        .then_output(|| {
            DescribeAlarmsOutput::builder()
                .metric_alarms(
                    MetricAlarm::builder()
                        .alarm_name(CAPACITY_ALARM)
                        .state_value(StateValue::Alarm)
                        .build(),
                )
                .build()
        });
    let (stack, alarms) = (stack_rule(stack), alarms_rule(StateValue::Ok));
    let (tasks, subscription) = (
        tasks_rule(DataRepositoryTaskLifecycle::Succeeded),
        pending_subscription_rule(),
    );
    let template = template_rule();
    let aws = aws(
        &[&stack, &template],
        &[&alarms, &capacity_alarm, &metric],
        &[&tasks],
        &[&subscription],
    );
    let status = gathered(
        &aws,
        StatusArgs {
            no_drift: true,
            ..status_args()
        },
    )
    .await;
    assert!(status.healthy, "{:?}", status.problems);
    let text = status.to_string();
    assert!(
        text.contains(
            "Release when space runs low:\n  free below 20%, 240.0 GiB runs default's release\n  \
             free now 180.0 GiB (at 2026-03-04T00:02:00Z)\n  alarm ALARM  fsx-drt-scheduler-free-capacity\n"
        ),
        "{text}"
    );
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["capacity"]["threshold_bytes"], 257_698_037_760u64);
    assert_eq!(json["capacity"]["free_bytes"], 193_273_528_320.0);
    assert_eq!(json["capacity"]["alarm_state"], "ALARM");
    assert_eq!(metric.num_calls(), 1);
}

// ---------------------------------------------------------------------------------------
// Fleets: one member failing while the others succeed, and --fail-fast.

mod fleets {
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
    use fsx_drt::workflows::fleet::{self, Engine, FleetFile, FleetRequest, Operation, State};

    use super::*;

    /// Three members on the test's stack name, each in its own region; the second's
    /// (eu-west-1) CloudFormation denies everything.
    fn members() -> FleetFile {
        let member = |region: &str| format!("{{StackName: {STACK}, Region: {region}}}");
        let yaml = format!(
            "Defaults: {{EmailAddress: ops@example.com, FileSystemId: {FS}}}\n\
             Members:\n  first: {}\n  denied: {}\n  third: {}\n",
            member("us-east-1"),
            member("eu-west-1"),
            member("eu-north-1"),
        );
        fleet::file::read("fleet.yaml", yaml.as_bytes(), None, chrono::Utc::now()).unwrap()
    }

    fn request(concurrency: usize, fail_fast: bool) -> FleetRequest {
        FleetRequest {
            file: "fleet.yaml".into(),
            operation: Operation::Status,
            concurrency,
            fail_fast,
            yes: true,
            timeout: HOUR,
            no_drift: true,
            artifact: None,
            stack_set: Default::default(),
            change_set: None,
            region: None,
        }
    }

    async fn status_fleet(request: &FleetRequest) -> (fleet::Fleet, Vec<usize>) {
        status_fleet_until(request, Interrupt::never()).await
    }

    async fn status_fleet_until(
        request: &FleetRequest,
        interrupt: Interrupt,
    ) -> (fleet::Fleet, Vec<usize>) {
        let identity = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
            GetCallerIdentityOutput::builder()
                .account("123456789012")
                .build()
        });
        let stack = stack_rule(deployed_stack(StackStatus::UpdateComplete));
        let template = template_rule();
        let alarms = alarms_rule(StateValue::Ok);
        let tasks = tasks_rule(DataRepositoryTaskLifecycle::Succeeded);
        let subscription = pending_subscription_rule();
        let denied = mock!(aws_sdk_cloudformation::Client::describe_stacks)
            .sequence()
            .http_status(
                403,
                Some(query_error(
                    "AccessDenied",
                    "User is not authorized to perform: cloudformation:DescribeStacks",
                )),
            )
            .build();
        let connect = |region: &str| -> futures_util::future::LocalBoxFuture<'_, _> {
            let cloudformation: Vec<&Rule> = match region {
                "eu-west-1" => vec![&denied],
                _ => vec![&stack, &template],
            };
            let aws = Rules {
                cloudformation,
                cloudwatch: vec![&alarms],
                fsx: vec![&tasks],
                sns: vec![&subscription],
                sts: vec![&identity],
                ..Rules::default()
            }
            .aws();
            Box::pin(async move { Ok(aws) })
        };
        let ui = printer();
        let engine = Engine {
            ui: &ui,
            interrupt: &interrupt,
            interactive: false,
            connect: &connect,
        };
        let fleet = fleet::run(&engine, request, &members()).await.unwrap();
        (fleet, vec![stack.num_calls(), denied.num_calls()])
    }

    fn states(fleet: &fleet::Fleet) -> Vec<State> {
        fleet.members.iter().map(|m| m.state).collect()
    }

    #[tokio::test(start_paused = true)]
    async fn one_member_failing_does_not_stop_the_others_and_every_member_is_reported() {
        let (fleet, calls) = status_fleet(&request(4, false)).await;
        assert_eq!(
            states(&fleet),
            [State::Succeeded, State::Failed, State::Succeeded],
            "{fleet}"
        );
        assert_eq!(
            calls,
            [2, 1],
            "both others read their stack; the denied one is not retried"
        );
        assert_eq!(fleet.exit(false), Some(Exit::Failed));
        assert_eq!(fleet.exit(true), Some(Exit::Interrupted));
        let denied = &fleet.members[1];
        assert_eq!(denied.region, "eu-west-1");
        assert!(
            denied.result.contains("AccessDenied") || denied.result.contains("not authorized"),
            "{}",
            denied.result
        );
        let text = fleet.to_string();
        assert!(
            text.contains("2 succeeded, 1 failed, 0 not started."),
            "{text}"
        );
        assert!(
            text.contains("[denied] "),
            "the failure is named by its member: {text}"
        );
        let json = serde_json::to_value(&fleet).unwrap();
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(json["members"][1]["failure"]["exit_code"], 1);
    }

    #[tokio::test(start_paused = true)]
    async fn fail_fast_starts_no_member_after_a_failure() {
        let (fleet, calls) = status_fleet(&request(1, true)).await;
        assert_eq!(
            states(&fleet),
            [State::Succeeded, State::Failed, State::NotStarted],
            "{fleet}"
        );
        assert_eq!(calls, [1, 1]);
        assert_eq!(fleet.members[2].result, "not started");
        assert_eq!(fleet.exit(false), Some(Exit::Failed));
    }

    #[tokio::test(start_paused = true)]
    async fn after_ctrl_c_no_member_is_started_and_the_exit_is_130() {
        let (trigger, interrupt) = Interrupt::manual();
        trigger.raise();
        let (fleet, calls) = status_fleet_until(&request(4, false), interrupt).await;
        assert_eq!(states(&fleet), [State::NotStarted; 3], "{fleet}");
        assert_eq!(calls, [0, 0]);
        assert_eq!(fleet.exit(true), Some(Exit::Interrupted));
    }
}
