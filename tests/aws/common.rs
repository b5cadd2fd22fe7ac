//! Shared by the aws-smithy-mocks tests: SDK clients answering only from canned rules.

#![allow(dead_code)] // each test module uses its own part

use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{Output, Parameter, ResourceStatus, Stack, StackStatus};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use chrono::Utc;
use fsx_drt::aws::{Aws, Clients};
use fsx_drt::stack;

pub const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

pub fn printer() -> fsx_drt::output::Printer {
    fsx_drt::output::Printer::new(fsx_drt::cli::OutputFormat::Text)
}

/// No terminal to ask: what CI sees.
pub fn global() -> fsx_drt::cli::GlobalArgs {
    fsx_drt::cli::GlobalArgs {
        output: fsx_drt::cli::OutputFormat::Text,
        no_input: true,
        region: None,
        profile: None,
        endpoint_url: None,
        verbose: false,
    }
}

/// The ClientRequestToken the mocked events of the followed operation carry (what
/// CloudFormation does with the token given to ExecuteChangeSet or DeleteStack).
pub const TOKEN: &str = "fsx-drt-test-operation";

thread_local! {
    /// The token fsx-drt sent with its last ExecuteChangeSet or DeleteStack, in this test
    /// (tokio's test runtime runs the test and its mocked calls on one thread).
    static SENT_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// For the `match_requests` of an ExecuteChangeSet or DeleteStack rule: remembers the token
/// fsx-drt sent, so that the events answered afterwards carry it. Always matches.
pub fn sent_token(token: Option<&str>) -> bool {
    SENT_TOKEN.with(|sent| *sent.borrow_mut() = token.map(str::to_string));
    true
}

/// A page of events as CloudFormation would answer it now: the followed operation's events
/// carry the token fsx-drt sent (when a test's rule saw one), else [`TOKEN`].
pub fn with_sent_token(mut page: DescribeStackEventsOutput) -> DescribeStackEventsOutput {
    let Some(sent) = SENT_TOKEN.with(|sent| sent.borrow().clone()) else {
        return page;
    };
    let events = page.stack_events.take().unwrap_or_default();
    page.stack_events = Some(
        events
            .into_iter()
            .map(|e| {
                if e.client_request_token() == Some(TOKEN) {
                    let mut e = e;
                    e.client_request_token = Some(sent.clone());
                    e
                } else {
                    e
                }
            })
            .collect(),
    );
    page
}

/// The rules each client answers from; a call no rule matches panics.
#[derive(Default, Clone)]
pub struct Rules<'a> {
    pub cloudformation: Vec<&'a Rule>,
    pub cloudwatch: Vec<&'a Rule>,
    pub fsx: Vec<&'a Rule>,
    pub lambda: Vec<&'a Rule>,
    pub s3: Vec<&'a Rule>,
    pub scheduler: Vec<&'a Rule>,
    pub sns: Vec<&'a Rule>,
    pub sts: Vec<&'a Rule>,
}

impl Rules<'_> {
    /// Clients answering only from these rules. They retry as aws-config sets them up for
    /// fsx-drt: standard mode, 3 attempts.
    pub fn aws(&self) -> Aws {
        let clients = Clients {
            cloudformation: mock_client!(
                aws_sdk_cloudformation,
                RuleMode::MatchAny,
                &self.cloudformation,
                |c| c.retry_config(RetryConfig::standard())
            ),
            cloudwatch: mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &self.cloudwatch),
            fsx: mock_client!(aws_sdk_fsx, RuleMode::MatchAny, &self.fsx, |c| c
                .retry_config(aws_sdk_fsx::config::retry::RetryConfig::standard())),
            lambda: mock_client!(aws_sdk_lambda, RuleMode::MatchAny, &self.lambda, |c| c
                .retry_config(aws_sdk_lambda::config::retry::RetryConfig::standard())),
            s3: mock_client!(aws_sdk_s3, RuleMode::MatchAny, &self.s3, |c| c
                .retry_config(aws_sdk_s3::config::retry::RetryConfig::standard())),
            scheduler: mock_client!(aws_sdk_scheduler, RuleMode::MatchAny, &self.scheduler),
            sns: mock_client!(aws_sdk_sns, RuleMode::MatchAny, &self.sns),
            sts: mock_client!(aws_sdk_sts, RuleMode::MatchAny, &self.sts, |c| c
                .retry_config(aws_sdk_sts::config::retry::RetryConfig::standard())),
        };
        Aws::from_clients("us-east-1", clients)
    }
}

impl<'a> Rules<'a> {
    /// These rules, with `rule` after the CloudFormation ones (a fallback they override).
    pub fn and_cloudformation(&self, rule: &'a Rule) -> Rules<'a> {
        let mut cloudformation = self.cloudformation.clone();
        cloudformation.push(rule);
        Rules {
            cloudformation,
            cloudwatch: self.cloudwatch.clone(),
            fsx: self.fsx.clone(),
            lambda: self.lambda.clone(),
            s3: self.s3.clone(),
            scheduler: self.scheduler.clone(),
            sns: self.sns.clone(),
            sts: self.sts.clone(),
        }
    }
}

pub const STACK: &str = "fsx-drt-scheduler";
pub const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/fsx-drt-scheduler/\
    5b1d7e40-15c2-11f1-8a3e-0a1b2c3d4e5f";
pub const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
pub const LOG_GROUP: &str = "AWS::Logs::LogGroup";
pub const QUEUE: &str = "AWS::SQS::Queue";
pub const ROLE: &str = "AWS::IAM::Role";
pub const FUNCTION: &str = "AWS::Lambda::Function";
pub const RULE: &str = "AWS::Events::Rule";
pub const PERMISSION: &str = "AWS::Lambda::Permission";
pub const INITIATED: Option<&str> = Some("Resource creation Initiated");
pub const USER: Option<&str> = Some("User Initiated");
pub const NO_SUCH_KEY: &str = "Resource handler returned message: \"Error occurred while \
    GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. \
    (Service: Lambda, Status Code: 400, Request ID: 6f1e2d3c-4b5a-4978-8a1b-2c3d4e5f6a7b)\" \
    (RequestToken: 0c4e7a52-8d3b-4f21-9e6a-5b7c8d9e0f1a, HandlerErrorCode: InvalidRequest)";

/// One stack event: seconds after the operation started (negative: an earlier operation),
/// logical id, resource type, status and reason.
pub type Ev = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

/// A stack's events, oldest first, at times relative to the start of the operation.
pub struct Timeline {
    pub start: chrono::DateTime<Utc>,
    pub events: Vec<Ev>,
}

impl Timeline {
    /// The operation started 2 s ago, on a whole second (so each event's time of day is
    /// exact). Events at 0 s or later are the operation's own and carry [`TOKEN`].
    pub fn new(events: Vec<Ev>) -> Timeline {
        Timeline::started(Utc::now().timestamp() - 2, events)
    }

    /// The same, started at `start` (Unix seconds, by AWS's clock).
    pub fn started(start: i64, events: Vec<Ev>) -> Timeline {
        let start = chrono::DateTime::from_timestamp(start, 0).unwrap();
        Timeline { start, events }
    }

    pub fn time(&self, at: i64) -> chrono::DateTime<Utc> {
        self.start + chrono::Duration::seconds(at)
    }

    pub fn event_id(&self, i: usize) -> String {
        let (_, logical_id, _, status, _) = self.events[i];
        format!("{logical_id}-{status}-{i:04}")
    }

    pub fn sdk_event(&self, i: usize) -> aws_sdk_cloudformation::types::StackEvent {
        let (at, logical_id, resource_type, status, reason) = self.events[i];
        let physical_id = if resource_type == STACK_TYPE {
            STACK_ID.to_string()
        } else {
            format!("{STACK}-{logical_id}-A1B2C3D4")
        };
        aws_sdk_cloudformation::types::StackEvent::builder()
            .stack_id(STACK_ID)
            .stack_name(STACK)
            .event_id(self.event_id(i))
            .logical_resource_id(logical_id)
            .physical_resource_id(physical_id)
            .resource_type(resource_type)
            .resource_status(ResourceStatus::from(status))
            .set_resource_status_reason(reason.map(str::to_string))
            .timestamp(DateTime::from_secs(self.time(at).timestamp()))
            .set_client_request_token((at >= 0).then(|| TOKEN.to_string()))
            .build()
    }

    /// What DescribeStackEvents returns once the first `count` events happened: all of them,
    /// newest first.
    pub fn page(&self, count: usize) -> DescribeStackEventsOutput {
        DescribeStackEventsOutput::builder()
            .set_stack_events(Some((0..count).rev().map(|i| self.sdk_event(i)).collect()))
            .build()
    }

    /// The first `count` events as fsx-drt's own, without those of earlier operations.
    pub fn of_operation(&self, count: usize) -> Vec<stack::StackEvent> {
        (0..count)
            .filter(|&i| self.events[i].0 >= 0)
            .map(|i| {
                let (at, logical_id, resource_type, status, reason) = self.events[i];
                stack::StackEvent {
                    event_id: self.event_id(i),
                    timestamp: self.time(at),
                    logical_id: logical_id.into(),
                    resource_type: resource_type.into(),
                    status: status.into(),
                    reason: reason.map(str::to_string),
                    physical_id: None,
                    client_request_token: Some(TOKEN.into()),
                }
            })
            .collect()
    }

    /// `text` with each event's time of day as its offset from the start ("T+21s"), so
    /// snapshots do not depend on when the test ran.
    pub fn relative_times(&self, text: &str) -> String {
        let mut text = text.to_string();
        for &(at, ..) in &self.events {
            let clock = self.time(at).format("%H:%M:%S").to_string();
            text = text.replace(&clock, &format!("T{at:+}s"));
        }
        text
    }
}

/// The test's stack, by name or by StackId.
pub fn is_the_stack(name: Option<&str>) -> bool {
    name == Some(STACK) || name == Some(STACK_ID)
}

/// DescribeStackEvents answering each poll with the next page, then nothing: one poll more
/// than the pages panics (aws-smithy-mocks: no rule left).
pub fn events_rule(pages: Vec<DescribeStackEventsOutput>) -> Rule {
    let mut sequence = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|r| is_the_stack(r.stack_name()))
        .sequence();
    for page in pages {
        sequence = sequence.output(move || with_sent_token(page.clone()));
    }
    sequence.build()
}

pub const FS: &str = "fs-0123456789abcdef0";
pub const TOPIC: &str =
    "arn:aws:sns:us-east-1:123456789012:fsx-drt-scheduler-AlarmTopic-Q1W2E3R4T5Y6";
pub const LOG_GROUP_NAME: &str = "fsx-drt-scheduler-LogGroup-Z9Y8X7W6V5U4";
pub const ERROR_ALARM: &str = "fsx-drt-scheduler-ErrorAlarm-1A2B3C4D5E6F";
pub const TASK_ALARM: &str = "fsx-drt-scheduler-FailedTaskAlarm-7G8H9I0J1K2L";

/// The deployed stack: a schedule whose only run is far away (next runs do not depend on
/// today), its alarms, topic and file system.
pub fn deployed_stack(status: StackStatus) -> Stack {
    let parameter = |k: &str, v: &str| {
        Parameter::builder()
            .parameter_key(k)
            .parameter_value(v)
            .build()
    };
    let output = |k: &str, v: &str| Output::builder().output_key(k).output_value(v).build();
    Stack::builder()
        .stack_id(STACK_ID)
        .stack_name(STACK)
        .stack_status(status)
        .description(
            fsx_drt::template::template_json()["Description"]
                .as_str()
                .unwrap(),
        )
        .creation_time(DateTime::from_secs(1_772_366_400)) // 2026-03-01T12:00:00Z
        .last_updated_time(DateTime::from_secs(1_772_539_200)) // 2026-03-03T12:00:00Z
        .parameters(parameter("FileSystemId", FS))
        .parameters(parameter("Schedule", "cron(0 0 1 1 ? 2199)"))
        .parameters(parameter("TaskType", "Export"))
        .parameters(parameter("EmailAddress", "ops@example.com"))
        .parameters(parameter("Paths", "/data"))
        .outputs(output(
            "FunctionName",
            "fsx-drt-scheduler-Function-AbCdEf123456",
        ))
        .outputs(output("TopicArn", TOPIC))
        .outputs(output("ErrorAlarmName", ERROR_ALARM))
        .outputs(output("FailedTaskAlarmName", TASK_ALARM))
        .outputs(output("LogGroupName", LOG_GROUP_NAME))
        .build()
}

pub fn stack_rule(stack: Stack) -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(STACK))
        .then_output(move || {
            DescribeStacksOutput::builder()
                .stacks(stack.clone())
                .build()
        })
}

/// The file system every mocked deploy checks: Lustre, AVAILABLE.
pub fn file_system() -> aws_sdk_fsx::operation::describe_file_systems::DescribeFileSystemsOutput {
    aws_sdk_fsx::operation::describe_file_systems::DescribeFileSystemsOutput::builder()
        .file_systems(
            aws_sdk_fsx::types::FileSystem::builder()
                .file_system_id(FS)
                .file_system_type(aws_sdk_fsx::types::FileSystemType::Lustre)
                .lifecycle(aws_sdk_fsx::types::FileSystemLifecycle::Available)
                .build(),
        )
        .build()
}

/// Its one data repository association, / -> s3://fsx-drt-data.
pub fn associations() -> aws_sdk_fsx::operation::describe_data_repository_associations::DescribeDataRepositoryAssociationsOutput{
    aws_sdk_fsx::operation::describe_data_repository_associations::DescribeDataRepositoryAssociationsOutput::builder()
        .associations(
            aws_sdk_fsx::types::DataRepositoryAssociation::builder()
                .file_system_id(FS)
                .file_system_path("/")
                .data_repository_path("s3://fsx-drt-data")
                .lifecycle(aws_sdk_fsx::types::DataRepositoryLifecycle::Available)
                .build(),
        )
        .build()
}

/// A change set CloudFormation has worked out: one resource change.
pub fn change_set_ready(
    action: aws_sdk_cloudformation::types::ChangeAction,
    logical_id: &str,
    resource_type: &str,
) -> aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput {
    use aws_sdk_cloudformation::types::{Change, ChangeSetStatus, ResourceChange};
    aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput::builder()
        .status(ChangeSetStatus::CreateComplete)
        .execution_status(aws_sdk_cloudformation::types::ExecutionStatus::Available)
        .changes(
            Change::builder()
                .resource_change(
                    ResourceChange::builder()
                        .action(action)
                        .logical_resource_id(logical_id)
                        .resource_type(resource_type)
                        .build(),
                )
                .build(),
        )
        .build()
}

/// A CloudFormation error as the service sends it (the awsQuery protocol's XML).
pub fn query_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">\
         <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>8d6c2f0e-1b3a-4c5d-9e7f-0a1b2c3d4e5f</RequestId></ErrorResponse>"
    )
}

/// A session on these clients: nobody to ask (what CI sees).
pub fn session<'a>(
    aws: &'a Aws,
    ui: &'a fsx_drt::output::Printer,
    interrupt: &'a fsx_drt::interrupt::Interrupt,
) -> fsx_drt::workflows::session::Session<'a> {
    fsx_drt::workflows::session::Session {
        aws,
        ui,
        interrupt,
        interactive: false,
    }
}

/// The stack's template, as GetTemplate answers it: the one fsx-drt deploys as written.
pub fn template_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::get_template)
        .match_requests(|r| is_the_stack(r.stack_name()))
        .then_output(|| {
            aws_sdk_cloudformation::operation::get_template::GetTemplateOutput::builder()
                .template_body(fsx_drt::template::TEMPLATE_YAML)
                .build()
        })
}

/// An export task of [`FS`] as DescribeDataRepositoryTasks shows it, with these file counts
/// (of `total`); the caller adds the report and the failure.
pub fn export_task(
    id: &str,
    lifecycle: aws_sdk_fsx::types::DataRepositoryTaskLifecycle,
    total: i64,
    ok: i64,
    failed: i64,
) -> aws_sdk_fsx::types::builders::DataRepositoryTaskBuilder {
    aws_sdk_fsx::types::DataRepositoryTask::builder()
        .task_id(id)
        .r#type(aws_sdk_fsx::types::DataRepositoryTaskType::Export)
        .lifecycle(lifecycle)
        .creation_time(aws_sdk_fsx::primitives::DateTime::from_secs(1_772_366_400))
        .file_system_id(FS)
        .status(
            aws_sdk_fsx::types::DataRepositoryTaskStatus::builder()
                .total_count(total)
                .succeeded_count(ok)
                .failed_count(failed)
                .build(),
        )
}
