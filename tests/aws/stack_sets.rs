//! The StackSets engine (a fleet across accounts) on canned answers: what the emulator
//! cannot be made to do on cue (a busy stack set, QUEUED operations, an operation that
//! SUCCEEDED while an instance failed, Ctrl-C).

use std::borrow::Cow;
use std::sync::Mutex;

use aws_sdk_cloudformation::operation::create_stack_instances::CreateStackInstancesOutput;
use aws_sdk_cloudformation::operation::describe_stack_instance::DescribeStackInstanceOutput;
use aws_sdk_cloudformation::operation::describe_stack_set::DescribeStackSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_set_operation::DescribeStackSetOperationOutput;
use aws_sdk_cloudformation::operation::list_stack_instances::ListStackInstancesOutput;
use aws_sdk_cloudformation::operation::list_stack_set_operation_results::ListStackSetOperationResultsOutput;
use aws_sdk_cloudformation::types::{
    Parameter, StackInstance, StackInstanceComprehensiveStatus, StackInstanceDetailedStatus,
    StackInstanceStatus, StackInstanceSummary, StackSet, StackSetOperation,
    StackSetOperationResultStatus, StackSetOperationResultSummary, StackSetOperationStatus,
    StackSetStatus,
};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule};
use fsx_drt::artifact::Artifact;
use fsx_drt::error::Exit;
use fsx_drt::interrupt::Interrupt;
use fsx_drt::workflows::fleet::{self, Engine, FleetFile, FleetRequest, Operation, State};

use crate::common::*;

const CALLER: &str = "111111111111";
const OTHER: &str = "222222222222";
const SET: &str = "fsx-drt-fleet";
const FAILED_WHY: &str = "ResourceLogicalId:Function, ResourceType:AWS::Lambda::Function, ResourceStatusReason:Error occurred while GetObject. S3 Error Code: AccessDenied.";

/// Three members: two in the other account (two regions), one in the caller's.
fn members() -> FleetFile {
    let yaml = format!(
        "Defaults: {{EmailAddress: ops@example.com}}\n\
         Members:\n\
         \x20 genomics: {{FileSystemId: fs-0123456789abcdef0, Region: eu-central-1, Account: \"{OTHER}\"}}\n\
         \x20 cfd: {{FileSystemId: fs-0fedcba9876543210, Region: us-east-1, Account: \"{OTHER}\"}}\n\
         \x20 local: {{FileSystemId: fs-00000000000000001, Region: us-east-1}}\n"
    );
    fleet::file::read("fleet.yaml", yaml.as_bytes(), None, chrono::Utc::now()).unwrap()
}

fn request(operation: Operation) -> FleetRequest {
    let mut stack_set = fleet::stack_set::StackSetOptions {
        execution_role_name: Some("AWSCloudFormationStackSetExecutionRole".into()),
        ..Default::default()
    };
    stack_set.poll = std::time::Duration::from_secs(2);
    FleetRequest {
        file: "fleet.yaml".into(),
        operation,
        concurrency: 4,
        fail_fast: false,
        yes: true,
        timeout: HOUR,
        no_drift: true,
        artifact: Some(Artifact {
            bytes: Cow::Borrowed(b"PK"),
            source: "test".into(),
            sha256: "ab".repeat(32),
        }),
        stack_set,
        change_set: None,
        region: None,
    }
}

fn identity() -> Rule {
    mock!(aws_sdk_sts::Client::get_caller_identity)
        .then_output(|| GetCallerIdentityOutput::builder().account(CALLER).build())
}

fn not_found() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_set).then_http_response(|| {
        http(
            400,
            &query_error(
                "StackSetNotFoundException",
                "StackSet fsx-drt-fleet not found",
            ),
        )
    })
}

fn http(status: u16, body: &str) -> aws_smithy_runtime_api::http::Response {
    aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
        aws_smithy_types::body::SdkBody::from(body.to_string()),
    )
}

/// Answers every operation QUEUED, then RUNNING, then SUCCEEDED (per call, across the
/// operations followed at once: each goes through them).
fn operations() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_set_operation)
        .sequence()
        .output(|| operation(StackSetOperationStatus::Queued))
        .output(|| operation(StackSetOperationStatus::Running))
        .output(|| operation(StackSetOperationStatus::Succeeded))
        .repeatedly()
        .build()
}

fn operation(status: StackSetOperationStatus) -> DescribeStackSetOperationOutput {
    DescribeStackSetOperationOutput::builder()
        .stack_set_operation(StackSetOperation::builder().status(status).build())
        .build()
}

/// Every account and region SUCCEEDED but the other account's eu-central-1: FAILED.
fn results() -> Rule {
    mock!(aws_sdk_cloudformation::Client::list_stack_set_operation_results).then_output(|| {
        let result = |account: &str, region: &str, ok: bool| {
            StackSetOperationResultSummary::builder()
                .account(account)
                .region(region)
                .status(match ok {
                    true => StackSetOperationResultStatus::Succeeded,
                    false => StackSetOperationResultStatus::Failed,
                })
                .set_status_reason((!ok).then(|| FAILED_WHY.to_string()))
                .build()
        };
        ListStackSetOperationResultsOutput::builder()
            .summaries(result(OTHER, "eu-central-1", false))
            .summaries(result(OTHER, "us-east-1", true))
            .summaries(result(CALLER, "us-east-1", true))
            .build()
    })
}

fn instance_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_instance).then_compute_output(|input| {
        let (account, region) = (
            input.stack_instance_account().unwrap(),
            input.stack_instance_region().unwrap(),
        );
        DescribeStackInstanceOutput::builder()
            .stack_instance(
                StackInstance::builder()
                    .account(account)
                    .region(region)
                    .stack_id(format!(
                        "arn:aws:cloudformation:{region}:{account}:stack/StackSet-{SET}-abc/0001"
                    ))
                    .status(StackInstanceStatus::Current)
                    .stack_instance_status(
                        StackInstanceComprehensiveStatus::builder()
                            .detailed_status(StackInstanceDetailedStatus::Succeeded)
                            .build(),
                    )
                    .build(),
            )
            .build()
    })
}

/// Deploys the fleet on clients answering from `rules` (every member's region alike; the
/// artifact is in every bucket already), with Ctrl-C pressed first when `interrupted`; the
/// fleet, and how many bucket policies were written.
async fn deploy_on(rules: Rules<'_>, interrupted: bool) -> (fleet::Fleet, usize) {
    let head = mock!(aws_sdk_s3::Client::head_object)
        .then_output(|| aws_sdk_s3::operation::head_object::HeadObjectOutput::builder().build());
    let policy = mock!(aws_sdk_s3::Client::put_bucket_policy).then_output(|| {
        aws_sdk_s3::operation::put_bucket_policy::PutBucketPolicyOutput::builder().build()
    });
    let connect = |_: &str| -> futures_util::future::LocalBoxFuture<'_, _> {
        let aws = Rules {
            s3: vec![&head, &policy],
            ..rules.clone()
        }
        .aws();
        Box::pin(async move { Ok(aws) })
    };
    let ui = printer();
    let (trigger, interrupt) = Interrupt::manual();
    if interrupted {
        trigger.raise();
    }
    let engine = Engine {
        ui: &ui,
        interrupt: &interrupt,
        interactive: false,
        connect: &connect,
    };
    let fleet = fleet::run(&engine, &request(Operation::Deploy), &members())
        .await
        .unwrap();
    (fleet, policy.num_calls())
}

fn assert_only_genomics_failed(fleet: &fleet::Fleet) {
    let states: Vec<State> = fleet.members.iter().map(|m| m.state).collect();
    assert_eq!(
        states,
        [State::Failed, State::Succeeded, State::Succeeded],
        "{fleet}"
    );
}

/// What one CreateStackInstances sent: accounts, regions, parameter overrides.
type Sent = (Vec<String>, Vec<String>, Vec<(String, String)>);

/// Each CreateStackInstances' request, in order.
static SENT: Mutex<Vec<Sent>> = Mutex::new(Vec::new());

#[tokio::test(start_paused = true)]
async fn a_busy_stack_set_and_queued_operations_are_waited_for_and_a_failed_instance_behind_success_is_its_member_s_failure(
) {
    let identity = identity();
    let missing = not_found();
    let create_set = mock!(aws_sdk_cloudformation::Client::create_stack_set).then_output(|| {
        aws_sdk_cloudformation::operation::create_stack_set::CreateStackSetOutput::builder().build()
    });
    let busy = mock!(aws_sdk_cloudformation::Client::create_stack_instances)
        .sequence()
        .http_response(|| http(409, &query_error("OperationInProgressException", "Another Operation on StackSet arn:aws:cloudformation:us-east-1:111111111111:stackset/fsx-drt-fleet is in progress")))
        .build();
    let create_instances = mock!(aws_sdk_cloudformation::Client::create_stack_instances)
        .match_requests(|input| {
            let overrides = (input.parameter_overrides().iter())
                .map(|p| {
                    (
                        p.parameter_key().unwrap().to_string(),
                        p.parameter_value().unwrap().to_string(),
                    )
                })
                .collect();
            SENT.lock().unwrap().push((
                input.accounts().to_vec(),
                input.regions().to_vec(),
                overrides,
            ));
            let prefs = input.operation_preferences().unwrap();
            prefs.max_concurrent_percentage() == Some(25)
                && prefs.failure_tolerance_percentage() == Some(0)
        })
        .then_output(|| {
            CreateStackInstancesOutput::builder()
                .operation_id("op")
                .build()
        });
    let operations = operations();
    let results = results();
    let instance = instance_rule();
    let (fleet, policies) = deploy_on(
        Rules {
            cloudformation: vec![
                &missing,
                &create_set,
                &busy,
                &create_instances,
                &operations,
                &results,
                &instance,
            ],
            sts: vec![&identity],
            ..Rules::default()
        },
        false,
    )
    .await;

    assert_only_genomics_failed(&fleet);
    assert!(
        fleet.members[0]
            .result
            .contains("S3 Error Code: AccessDenied"),
        "{fleet}"
    );
    assert_eq!(
        fleet.exit(false),
        Some(Exit::Failed),
        "one failed instance fails the fleet"
    );
    assert_eq!(fleet.members[1].stack_name, format!("StackSet-{SET}-abc"));
    assert_eq!(create_set.num_calls(), 1);
    assert_eq!(
        busy.num_calls(),
        1,
        "refused once while another operation ran"
    );
    assert_eq!(
        create_instances.num_calls(),
        3,
        "then each member's instance, once"
    );
    assert_eq!(
        operations.num_calls(),
        5,
        "the operations answered QUEUED and RUNNING were polled again until they ended"
    );
    // Two buckets (us-east-1, eu-central-1), each shared with the other account only.
    assert_eq!(policies, 2);
    let sent = SENT.lock().unwrap().clone();
    let genomics = sent
        .iter()
        .find(|(_, r, _)| r == &["eu-central-1"])
        .expect("genomics' instance");
    assert_eq!(genomics.0, [OTHER], "one instance per call: its account");
    assert!(
        genomics
            .2
            .contains(&("FileSystemId".into(), "fs-0123456789abcdef0".into())),
        "{genomics:?}"
    );
    assert!(
        genomics.2.contains(&(
            "CodeBucket".into(),
            format!("fsx-drt-artifacts-{CALLER}-eu-central-1")
        )),
        "each region's functions read its own bucket: {genomics:?}"
    );
    assert!(
        !genomics.2.iter().any(|(k, _)| k == "EmailAddress"),
        "shared values are the stack set's"
    );
}

/// A self-managed stack set whose template is older than the fleet's.
fn old_set() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stack_set).then_output(|| {
        DescribeStackSetOutput::builder()
            .stack_set(
                StackSet::builder()
                    .stack_set_name(SET)
                    .status(StackSetStatus::Active)
                    .permission_model(aws_sdk_cloudformation::types::PermissionModels::SelfManaged)
                    .template_body("{\"old\": true}")
                    .parameters(
                        Parameter::builder()
                            .parameter_key("EmailAddress")
                            .parameter_value("ops@example.com")
                            .build(),
                    )
                    .build(),
            )
            .build()
    })
}

/// Its instances: the three members' and one of an account no member names.
fn listed() -> Rule {
    mock!(aws_sdk_cloudformation::Client::list_stack_instances).then_output(|| {
        let summary = |account: &str, region: &str| {
            StackInstanceSummary::builder()
                .account(account)
                .region(region)
                .status(StackInstanceStatus::Current)
                .build()
        };
        ListStackInstancesOutput::builder()
            .summaries(summary(OTHER, "eu-central-1"))
            .summaries(summary(OTHER, "us-east-1"))
            .summaries(summary(CALLER, "us-east-1"))
            .summaries(summary("333333333333", "eu-west-1"))
            .build()
    })
}

/// A stack set whose template is older: one update for every instance, which SUCCEEDED
/// while genomics' instance FAILED; an instance of an account and region no member names
/// is deleted.
#[tokio::test(start_paused = true)]
async fn an_update_that_succeeded_with_a_failed_instance_fails_that_member_and_a_departed_instance_goes(
) {
    let identity = identity();
    let set = old_set();
    let list = listed();
    let update = mock!(aws_sdk_cloudformation::Client::update_stack_set).then_output(|| {
        aws_sdk_cloudformation::operation::update_stack_set::UpdateStackSetOutput::builder().build()
    });
    let update_instances =
        mock!(aws_sdk_cloudformation::Client::update_stack_instances)
        .then_output(|| aws_sdk_cloudformation::operation::update_stack_instances::UpdateStackInstancesOutput::builder().build());
    let delete = mock!(aws_sdk_cloudformation::Client::delete_stack_instances)
        .match_requests(|input| {
            input.accounts() == ["333333333333"]
                && input.regions() == ["eu-west-1"]
                && input.retain_stacks() == Some(false)
        })
        .then_output(|| aws_sdk_cloudformation::operation::delete_stack_instances::DeleteStackInstancesOutput::builder().build());
    let operations = operations();
    let results = results();
    let instance = instance_rule();
    let (fleet, policies) = deploy_on(
        Rules {
            cloudformation: vec![
                &set,
                &list,
                &update,
                &update_instances,
                &delete,
                &operations,
                &results,
                &instance,
            ],
            sts: vec![&identity],
            ..Rules::default()
        },
        false,
    )
    .await;
    // The mocked instances have no overrides: every member's are new (UpdateStackInstances).
    assert_only_genomics_failed(&fleet);
    assert_eq!(update.num_calls(), 1, "one update for the new template");
    assert_eq!(
        policies, 2,
        "the buckets are shared again with the members' accounts"
    );
    assert_eq!(delete.num_calls(), 1, "the departed instance, and only it");
    assert_eq!(fleet.exit(false), Some(Exit::Failed));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_before_the_operations_leaves_every_member_unstarted() {
    let identity = identity();
    let missing = not_found();
    let create_set = mock!(aws_sdk_cloudformation::Client::create_stack_set).then_output(|| {
        aws_sdk_cloudformation::operation::create_stack_set::CreateStackSetOutput::builder().build()
    });
    let (fleet, policies) = deploy_on(
        Rules {
            cloudformation: vec![&missing, &create_set],
            sts: vec![&identity],
            ..Rules::default()
        },
        true,
    )
    .await;
    assert!(
        fleet.members.iter().all(|m| m.state == State::NotStarted),
        "{fleet}"
    );
    assert_eq!(create_set.num_calls(), 0, "nothing was sent");
    assert_eq!(policies, 0, "no bucket was touched");
    assert_eq!(fleet.exit(true), Some(Exit::Interrupted));
}

#[tokio::test(start_paused = true)]
async fn a_refused_stack_set_update_starts_no_member_and_every_member_is_reported() {
    let identity = identity();
    let set = old_set();
    let list = listed();
    let denied = mock!(aws_sdk_cloudformation::Client::update_stack_set).then_http_response(|| {
        http(
            403,
            &query_error(
                "AccessDenied",
                "User is not authorized to perform: cloudformation:UpdateStackSet",
            ),
        )
    });
    let update_instances = mock!(aws_sdk_cloudformation::Client::update_stack_instances)
        .then_output(|| {
            aws_sdk_cloudformation::operation::update_stack_instances::UpdateStackInstancesOutput::builder().build()
        });
    let instance = instance_rule();
    let (fleet, _) = deploy_on(
        Rules {
            cloudformation: vec![&set, &list, &denied, &update_instances, &instance],
            sts: vec![&identity],
            ..Rules::default()
        },
        false,
    )
    .await;
    assert!(
        (fleet.members.iter())
            .all(|m| m.state == State::NotStarted
                && m.result.contains("the stack set's update failed")),
        "{fleet}"
    );
    assert_eq!(
        update_instances.num_calls(),
        0,
        "no member's own step after it"
    );
    assert_eq!(fleet.exit(false), Some(Exit::Failed));
}

#[tokio::test(start_paused = true)]
async fn a_stack_set_fleet_refuses_the_reviewed_pair_before_changing_anything() {
    let identity = identity();
    let missing = not_found();
    let create_set = mock!(aws_sdk_cloudformation::Client::create_stack_set).then_output(|| {
        aws_sdk_cloudformation::operation::create_stack_set::CreateStackSetOutput::builder().build()
    });
    let rules = Rules {
        cloudformation: vec![&missing, &create_set],
        sts: vec![&identity],
        ..Rules::default()
    };
    let connect = |_: &str| -> futures_util::future::LocalBoxFuture<'_, _> {
        let aws = rules.aws();
        Box::pin(async move { Ok(aws) })
    };
    let ui = printer();
    let interrupt = Interrupt::never();
    let engine = Engine {
        ui: &ui,
        interrupt: &interrupt,
        interactive: false,
        connect: &connect,
    };
    for operation in [Operation::Review, Operation::Execute] {
        let failure = fleet::run(&engine, &request(operation), &members())
            .await
            .unwrap_err();
        assert_eq!(failure.exit, Exit::Invalid, "{failure:?}");
        assert!(
            failure.error.contains("StackSets has no change sets"),
            "{failure:?}"
        );
    }
    assert_eq!(create_set.num_calls(), 0);
}
