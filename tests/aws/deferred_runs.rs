//! Deferred runs in `status` and `tasks` against canned answers: the one-time schedules of
//! the stack's group (ListSchedules, all pages, then GetSchedule each) and the SkippedRuns
//! metric per schedule (GetMetricStatistics), and what status says without those permissions
//! or on an endpoint without the calls.

use aws_sdk_cloudformation::types::{Output, StackStatus};
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::operation::get_metric_statistics::GetMetricStatisticsOutput;
use aws_sdk_cloudwatch::types::Datapoint;
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use aws_sdk_scheduler::operation::list_schedules::ListSchedulesOutput;
use aws_sdk_scheduler::types::{ScheduleSummary, Target};
use aws_sdk_sns::operation::list_subscriptions_by_topic::ListSubscriptionsByTopicOutput;
use aws_smithy_mocks::{mock, Rule};
use chrono::{Duration, Utc};
use fsx_drt::interrupt::Interrupt;
use fsx_drt::workflows::status::{gather, Status, StatusRequest};
use fsx_drt::workflows::tasks;

use crate::common::*;

const GROUP: &str = "fsx-drt-scheduler-ScheduleGroup-Q1W2E3";
const FUNCTION: &str = "fsx-drt-scheduler-Function-AbCdEf123456";
const DEFERRED: &str = "fsx-drt-defer-0123456789abcdef-1";
const OTHER: &str = "fsx-drt-defer-fedcba9876543210-2";

/// The test stack, with the schedule group that deferrals need.
fn stack_with_group() -> Rule {
    let mut stack = deployed_stack(StackStatus::UpdateComplete);
    stack.outputs.get_or_insert_default().push(
        Output::builder()
            .output_key("ScheduleGroupName")
            .output_value(GROUP)
            .build(),
    );
    stack_rule(stack)
}

/// ListSchedules of the group by the deferrals' prefix, over two pages.
fn list_rule() -> Rule {
    let summary = |name: &str| {
        ScheduleSummary::builder()
            .name(name)
            .group_name(GROUP)
            .build()
    };
    mock!(aws_sdk_scheduler::Client::list_schedules)
        .match_requests(|r| {
            r.group_name() == Some(GROUP) && r.name_prefix() == Some("fsx-drt-defer-")
        })
        .sequence()
        .output(move || {
            ListSchedulesOutput::builder()
                .schedules(summary(DEFERRED))
                .next_token("page-2")
                .build()
                .unwrap()
        })
        .output(move || {
            ListSchedulesOutput::builder()
                .schedules(summary(OTHER))
                .build()
                .unwrap()
        })
        .build()
}

/// GetSchedule: DEFERRED is the schedule `default`'s slot of 22:00 UTC, two hours ago, tried
/// again in 20 minutes (its first retry), given up at 23:59; OTHER ran (and was deleted)
/// between the two calls.
fn get_rule() -> Rule {
    let slot = (Utc::now() - Duration::hours(2))
        .date_naive()
        .and_hms_opt(22, 0, 0)
        .unwrap()
        .and_utc();
    let input = serde_json::json!({
        "Schedule": "default",
        "ScheduledTime": slot.to_rfc3339(),
        "Deferral": {
            "Attempt": 1,
            "Since": slot.to_rfc3339(),
            "Until": (slot + Duration::minutes(119)).to_rfc3339(),
        },
    });
    let at = (slot + Duration::minutes(20)).format("at(%Y-%m-%dT%H:%M:%S)");
    let at = at.to_string();
    mock!(aws_sdk_scheduler::Client::get_schedule)
        .match_requests(|r| r.group_name() == Some(GROUP))
        .then_output(move || {
            GetScheduleOutput::builder()
                .name(DEFERRED)
                .schedule_expression(&at)
                .schedule_expression_timezone("UTC")
                .target(
                    Target::builder()
                        .arn("arn:aws:lambda:us-east-1:123456789012:function:f")
                        .role_arn("arn:aws:iam::123456789012:role/r")
                        .input(input.to_string())
                        .build()
                        .unwrap(),
                )
                .build()
        })
}

/// An HTTP answer with this status and body.
fn answer(status: u16, body: &'static str) -> aws_smithy_runtime_api::http::Response {
    aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
        aws_smithy_types::body::SdkBody::from(body),
    )
}

/// GetSchedule of OTHER: it ran, and Scheduler deleted it.
fn gone_rule() -> Rule {
    mock!(aws_sdk_scheduler::Client::get_schedule)
        .match_requests(|r| r.name() == Some(OTHER))
        .then_http_response(|| {
            answer(
                404,
                "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"no such schedule\"}",
            )
        })
}

/// SkippedRuns of the schedule `default` of this function: 1 over the last 7 days.
fn skipped_rule() -> Rule {
    mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .match_requests(|r| {
            let dimension = |name: &str| {
                r.dimensions()
                    .iter()
                    .find(|d| d.name() == Some(name))
                    .and_then(|d| d.value())
                    .map(str::to_string)
            };
            r.namespace() == Some("FsxDrt")
                && r.metric_name() == Some("SkippedRuns")
                && r.period() == Some(7 * 86_400)
                && dimension("FunctionName").as_deref() == Some(FUNCTION)
                && dimension("Schedule").as_deref() == Some("default")
        })
        .then_output(|| {
            GetMetricStatisticsOutput::builder()
                .datapoints(Datapoint::builder().sum(1.0).build())
                .build()
        })
}

fn alarms_rule() -> Rule {
    mock!(aws_sdk_cloudwatch::Client::describe_alarms)
        .then_output(|| DescribeAlarmsOutput::builder().build())
}

fn no_tasks_rule() -> Rule {
    mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .then_output(|| DescribeDataRepositoryTasksOutput::builder().build())
}

fn subscription_rule() -> Rule {
    mock!(aws_sdk_sns::Client::list_subscriptions_by_topic)
        .then_output(|| ListSubscriptionsByTopicOutput::builder().build())
}

/// status of the test stack with a schedule group: these answers to the SkippedRuns query
/// and the scheduler's calls, no alarm, task or subscription.
async fn status(skipped: &Rule, scheduler: &[&Rule]) -> Result<Status, fsx_drt::error::Failure> {
    let (stack, template, alarms, tasks, subscription) = (
        stack_with_group(),
        template_rule(),
        alarms_rule(),
        no_tasks_rule(),
        subscription_rule(),
    );
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        cloudwatch: vec![&alarms, skipped],
        fsx: vec![&tasks],
        scheduler: scheduler.to_vec(),
        sns: vec![&subscription],
        ..Rules::default()
    };
    let aws = rules.aws();
    let request = StatusRequest {
        stack_name: STACK.into(),
        watch: false,
        any_stack: false,
        timeout: HOUR,
        drift: None,
    };
    gather(&session(&aws, &printer(), &Interrupt::never()), &request).await
}

#[tokio::test]
async fn status_shows_deferred_runs_and_runs_given_up_and_stays_healthy() {
    let (list, get, gone, skipped) = (list_rule(), get_rule(), gone_rule(), skipped_rule());
    let status = status(&skipped, &[&list, &gone, &get]).await.unwrap();
    assert_eq!(list.num_calls(), 2, "both pages");
    assert_eq!(gone.num_calls(), 1);
    assert_eq!(skipped.num_calls(), 1);
    assert_eq!(status.deferred.len(), 1, "{:?}", status.deferred);
    let run = &status.deferred[0];
    assert_eq!(run.schedule.as_deref(), Some("default"));
    assert_eq!(run.attempt, 1);
    assert_eq!(run.one_time_schedule, DEFERRED);
    assert!(run.slot.ends_with("T22:00:00+00:00"), "{run:?}");
    let text = status.to_string();
    let line = format!(
        "  default: slot {} 22:00 (+00:00) deferred (the file system was busy), next try 22:20 \
         (try 1), given up after 23:59\n",
        &run.slot[..10]
    );
    assert!(text.contains(&format!("Deferred runs:\n{line}")), "{text}");
    assert!(
        text.contains(
            "  warning: default: 1 run given up in the last 7 days (SkippedRuns): the file \
             system stayed busy past MaxDeferMinutes\n"
        ),
        "{text}"
    );
    // Deferring is what a busy file system calls for; a given-up run is a warning.
    assert!(status.healthy, "{:?}", status.problems);
    assert!(
        text.ends_with("Healthy, but 1 schedule gave runs up lately (see Deferred runs).\n"),
        "{text}"
    );
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["deferred"][0]["next_try"], run.next_try.as_str());
    assert_eq!(json["given_up"][0]["runs"], 1);
}

#[tokio::test]
async fn status_without_the_permissions_or_the_calls_says_so_and_goes_on() {
    let list = mock!(aws_sdk_scheduler::Client::list_schedules).then_http_response(|| {
        answer(
            400,
            "{\"__type\":\"AccessDeniedException\",\"Message\":\"not authorized to perform \
             scheduler:ListSchedules\"}",
        )
    });
    // An endpoint without CloudWatch's protocol (the local emulator): 404, no code.
    let skipped = mock!(aws_sdk_cloudwatch::Client::get_metric_statistics)
        .then_http_response(|| answer(404, ""));
    let status = status(&skipped, &[&list]).await.unwrap();
    assert!(status.deferred.is_empty() && status.given_up.is_empty());
    assert_eq!(status.warnings.len(), 2, "{:?}", status.warnings);
    assert!(
        status.warnings[0].starts_with("not checked: ListSchedules failed")
            && status.warnings[1].starts_with("not checked: GetMetricStatistics failed"),
        "{:?}",
        status.warnings
    );
    assert!(status.healthy);
}

#[tokio::test]
async fn tasks_lists_deferred_slots_before_the_tasks() {
    let (stack, template, list, get, gone, tasks_rule) = (
        stack_with_group(),
        template_rule(),
        list_rule(),
        get_rule(),
        gone_rule(),
        no_tasks_rule(),
    );
    let rules = Rules {
        cloudformation: vec![&stack, &template],
        fsx: vec![&tasks_rule],
        scheduler: vec![&list, &gone, &get],
        ..Rules::default()
    };
    let list = tasks::list(&rules.aws(), STACK, None, 10).await.unwrap();
    assert_eq!(list.deferred.len(), 1);
    let text = list.to_string();
    assert!(
        text.contains("\n  DEFERRED (no task yet)  default: slot "),
        "{text}"
    );
    assert!(!text.contains("(none)"), "{text}");
    // With --lifecycle, only tasks: no scheduler call (no rule would answer it).
    let rules = Rules {
        cloudformation: vec![&stack],
        fsx: vec![&tasks_rule],
        ..Rules::default()
    };
    let list = tasks::list(&rules.aws(), STACK, Some("FAILED"), 10)
        .await
        .unwrap();
    assert!(list.deferred.is_empty());
}
