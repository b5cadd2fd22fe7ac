//! deploy and destroy against canned AWS responses (aws-smithy-mocks), for the stack states
//! and interruptions the local emulator cannot produce: a stack left in ROLLBACK_COMPLETE,
//! an update still running, UPDATE_ROLLBACK_FAILED, Ctrl-C while the change set is made or
//! executed, a deletion that fails and a resource kept with --retain.
//!
//! Every call a test does not expect panics (no rule matches it), so each test also proves
//! what fsx-drt did not do. The clock is tokio's paused one: polls take no wall-clock time.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_resources::DescribeStackResourcesOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::types::{
    ChangeAction, ChangeSetStatus, ChangeSetType, ResourceStatus, StackResource, StackStatus,
};
use aws_sdk_fsx::operation::describe_data_repository_tasks::DescribeDataRepositoryTasksOutput;
use aws_sdk_s3::operation::head_bucket::HeadBucketOutput;
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, Rule};
use fsx_drt::artifact::Artifact;
use fsx_drt::cli::{DeployArgs, DestroyArgs, ParamArgs};
use fsx_drt::commands::deploy::request as deploy_request;
use fsx_drt::commands::destroy::request as destroy_request;
use fsx_drt::error::Failure;
use fsx_drt::interrupt::Interrupt;
use fsx_drt::workflows::inputs::gather_definition;
use fsx_drt::workflows::{deploy, destroy};

use crate::common::*;

fn deploy_args() -> DeployArgs {
    DeployArgs {
        stack_name: STACK.into(),
        yes: true,
        timeout: HOUR,
        outputs_file: None,
        params: ParamArgs {
            file_system_id: Some(FS.into()),
            paths: Some("/".into()),
            email: Some("ops@example.com".into()),
            ..ParamArgs::default()
        },
        ..DeployArgs::default()
    }
}

fn prepared(args: &DeployArgs) -> deploy::Prepared {
    deploy::Prepared {
        draft: gather_definition(&args.params.inputs()).unwrap(),
        switch: None,
        change_set_name: None,
        artifact: Some(Artifact {
            bytes: Cow::Borrowed(b"PK\x05\x06 not a real zip"),
            source: "test".into(),
            sha256: "ab".repeat(32),
        }),
    }
}

/// What any deploy reads before it touches the stack: who is calling, the file system and
/// its repository, and the artifact already in the managed bucket.
const ACCOUNT: &str = "123456789012";

struct Preflight {
    identity: Rule,
    file_system: Rule,
    associations: Rule,
    bucket: Rule,
    object: Rule,
}

impl Preflight {
    fn new() -> Preflight {
        Preflight {
            identity: mock!(aws_sdk_sts::Client::get_caller_identity)
                .then_output(|| GetCallerIdentityOutput::builder().account(ACCOUNT).build()),
            file_system: mock!(aws_sdk_fsx::Client::describe_file_systems).then_output(file_system),
            associations: mock!(aws_sdk_fsx::Client::describe_data_repository_associations)
                .then_output(associations),
            // Every call on the artifact bucket names the account that must own it.
            bucket: mock!(aws_sdk_s3::Client::head_bucket)
                .match_requests(|r| r.expected_bucket_owner() == Some(ACCOUNT))
                .then_output(|| HeadBucketOutput::builder().build()),
            object: mock!(aws_sdk_s3::Client::head_object)
                .match_requests(|r| r.expected_bucket_owner() == Some(ACCOUNT))
                .then_output(|| HeadObjectOutput::builder().build()),
        }
    }

    fn fsx(&self) -> Vec<&Rule> {
        vec![&self.file_system, &self.associations]
    }

    fn s3(&self) -> Vec<&Rule> {
        vec![&self.bucket, &self.object]
    }
}

/// DescribeStacks answering with each of these in turn (None: the stack does not exist).
fn stacks_rule(answers: Vec<Option<StackStatus>>) -> Rule {
    let mut sequence = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| is_the_stack(r.stack_name()))
        .sequence();
    for answer in answers {
        sequence = match answer {
            Some(status) => sequence.output(move || {
                DescribeStacksOutput::builder()
                    .stacks(deployed_stack(status.clone()))
                    .build()
            }),
            None => sequence.http_status(
                400,
                Some(query_error(
                    "ValidationError",
                    "Stack with id fsx-drt-scheduler does not exist",
                )),
            ),
        };
    }
    sequence.build()
}

/// DescribeStackResources: these logical ids with this status.
fn resources_rule(ids: &[&str], status: ResourceStatus) -> Rule {
    let resources: Vec<StackResource> = ids
        .iter()
        .map(|id| {
            StackResource::builder()
                .stack_name(STACK)
                .logical_resource_id(*id)
                .resource_type(FUNCTION)
                .resource_status(status.clone())
                .timestamp(aws_sdk_cloudformation::primitives::DateTime::from_secs(0))
                .build()
        })
        .collect();
    mock!(aws_sdk_cloudformation::Client::describe_stack_resources)
        .sequence()
        .output(move || {
            DescribeStackResourcesOutput::builder()
                .set_stack_resources(Some(resources.clone()))
                .build()
        })
        .repeatedly()
        .build()
}

/// A deploy given no tags sends no Tags at all (not an empty list, which would remove the
/// stack's): UpdateStack's reference says an absent Tags leaves the stack's as they are.
fn create_change_set_rule(kind: ChangeSetType) -> Rule {
    mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(move |r| {
            r.change_set_type() == Some(&kind)
                && r.tags.is_none()
                && r.parameters()
                    .iter()
                    .any(|p| p.parameter_key() == Some("FileSystemId"))
        })
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id("cs-1")
                .stack_id(STACK_ID)
                .build()
        })
}

/// CreateChangeSet refused (for requests `matching`), so a deploy ends right after asking
/// for it; and the deletion of the change set it may leave.
fn refused_change_set(
    matching: impl Fn(&aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetInput) -> bool
        + Send
        + Sync
        + 'static,
) -> (Rule, Rule) {
    let refused = mock!(aws_sdk_cloudformation::Client::create_change_set)
        .match_requests(matching)
        .sequence()
        .http_status(400, Some(query_error("ValidationError", "Template error")))
        .build();
    let discard = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .then_output(|| DeleteChangeSetOutput::builder().build());
    (refused, discard)
}

/// A change set that adds the function.
fn change_set_ready_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_change_set)
        .then_output(|| change_set_ready(ChangeAction::Add, "Function", FUNCTION))
}

fn execute_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::execute_change_set)
        .match_requests(|r| sent_token(r.client_request_token()))
        .then_output(|| ExecuteChangeSetOutput::builder().build())
}

fn delete_change_set_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .match_requests(|r| r.stack_name() == Some(STACK))
        .then_output(|| DeleteChangeSetOutput::builder().build())
}

fn delete_stack_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::delete_stack)
        .match_requests(|r| {
            is_the_stack(r.stack_name())
                && r.retain_resources().is_empty()
                && sent_token(r.client_request_token())
        })
        .then_output(|| DeleteStackOutput::builder().build())
}

/// Exit 3: the error says what, the help the command that gets the stack out.
fn assert_needs_a_person(failure: &Failure, error: &str, command: &str) {
    assert_eq!(failure.exit_code, 3, "{failure:?}");
    assert!(failure.error.contains(error), "{failure:?}");
    let help = failure.help.as_deref().unwrap_or("");
    assert!(help.contains(command), "{failure:?}");
}

async fn deploy(rules: &Rules<'_>, args: &DeployArgs) -> Result<deploy::Deployed, Failure> {
    deploy_until(rules, args, &Interrupt::never()).await
}

/// A deploy that `interrupt` (Ctrl-C) may stop.
async fn deploy_until(
    rules: &Rules<'_>,
    args: &DeployArgs,
    interrupt: &Interrupt,
) -> Result<deploy::Deployed, Failure> {
    // Without a file, deploy reads the stack's template (the written one: flat, as before).
    let template = template_rule();
    let rules = rules.and_cloudformation(&template);
    deploy::execute(
        &session(&rules.aws(), &printer(), interrupt),
        &deploy_request(args).unwrap(),
        prepared(args),
        Instant::now(),
    )
    .await
}

/// Events of one operation of the stack, all at once, ending in `end`.
fn operation(start: &'static str, end: &'static str) -> Timeline {
    Timeline::new(vec![
        (0, STACK, STACK_TYPE, start, USER),
        (1, "Function", FUNCTION, start, None),
        (4, "Function", FUNCTION, end, None),
        (5, STACK, STACK_TYPE, end, None),
    ])
}

#[tokio::test(start_paused = true)]
async fn a_stack_left_in_rollback_complete_is_deleted_and_created_again() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![
        Some(StackStatus::RollbackComplete),
        Some(StackStatus::CreateComplete),
    ]);
    let resources = resources_rule(&["Function"], ResourceStatus::DeleteComplete);
    let delete = delete_stack_rule();
    let deletion = operation("DELETE_IN_PROGRESS", "DELETE_COMPLETE");
    let creation = operation("CREATE_IN_PROGRESS", "CREATE_COMPLETE");
    let events = events_rule(vec![deletion.page(4), creation.page(4)]);
    // Both operations are followed by StackId (a rule that sees every call first, and fails
    // the test on one by name): another stack of the same name is never taken for this one.
    let by_id = mock!(aws_sdk_cloudformation::Client::describe_stack_events)
        .match_requests(|r| {
            assert_eq!(r.stack_name(), Some(STACK_ID), "events read by StackId");
            false
        })
        .then_output(|| unreachable!());
    let (create, ready, execute) = (
        create_change_set_rule(ChangeSetType::Create),
        change_set_ready_rule(),
        execute_rule(),
    );
    let rules = Rules {
        cloudformation: vec![
            &by_id, &stacks, &resources, &delete, &events, &create, &ready, &execute,
        ],
        fsx: preflight.fsx(),
        s3: preflight.s3(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let deployed = deploy(&rules, &deploy_args()).await.unwrap();
    assert_eq!(deployed.operation, "create");
    assert_eq!(deployed.status, "CREATE_COMPLETE");
    assert_eq!(deployed.changes.len(), 1);
    for rule in [&delete, &create, &execute] {
        assert_eq!(rule.num_calls(), 1);
    }
    assert_eq!(
        events.num_calls(),
        2,
        "one poll for the deletion, one for the creation"
    );
}

#[tokio::test(start_paused = true)]
async fn without_approval_a_rollback_complete_stack_is_left_alone() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![Some(StackStatus::RollbackComplete)]);
    let resources = resources_rule(&[], ResourceStatus::DeleteComplete);
    let delete = delete_stack_rule();
    let rules = Rules {
        cloudformation: vec![&stacks, &resources, &delete],
        fsx: preflight.fsx(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let args = DeployArgs {
        yes: false,
        ..deploy_args()
    };
    let failure = deploy(&rules, &args).await.unwrap_err();
    assert_eq!(failure.exit_code, 2, "{failure:?}");
    assert!(
        failure.help.as_deref().unwrap_or("").contains("--yes"),
        "{failure:?}"
    );
    assert_eq!(delete.num_calls(), 0);
    // Nothing was uploaded either: the S3 client has no rule, so a call would have panicked.
}

#[tokio::test(start_paused = true)]
async fn an_update_in_progress_is_followed_then_updated() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![
        Some(StackStatus::UpdateInProgress),
        Some(StackStatus::UpdateComplete),
    ]);
    let resources = resources_rule(&["Function"], ResourceStatus::UpdateInProgress);
    let running = operation("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE");
    let ours = operation("UPDATE_IN_PROGRESS", "UPDATE_COMPLETE");
    // Someone else's update: two polls, still running, then done; then ours.
    let events = events_rule(vec![
        running.page(2),
        running.page(3),
        running.page(4),
        ours.page(4),
    ]);
    let (create, ready, execute) = (
        create_change_set_rule(ChangeSetType::Update),
        change_set_ready_rule(),
        execute_rule(),
    );
    let rules = Rules {
        cloudformation: vec![&stacks, &resources, &events, &create, &ready, &execute],
        fsx: preflight.fsx(),
        s3: preflight.s3(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let started = tokio::time::Instant::now();
    let deployed = deploy(&rules, &deploy_args()).await.unwrap();
    assert_eq!(deployed.operation, "update");
    assert_eq!(deployed.status, "UPDATE_COMPLETE");
    assert_eq!(events.num_calls(), 4);
    assert_eq!(
        create.num_calls(),
        1,
        "the change set came after the other update"
    );
    assert!(
        started.elapsed() <= Duration::from_secs(8),
        "polls every 1-2 s"
    );
}

#[tokio::test(start_paused = true)]
async fn update_rollback_failed_needs_a_person_and_changes_nothing() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![Some(StackStatus::UpdateRollbackFailed)]);
    let resources = resources_rule(&["Function"], ResourceStatus::UpdateFailed);
    let rules = Rules {
        cloudformation: vec![&stacks, &resources],
        fsx: preflight.fsx(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let failure = deploy(&rules, &deploy_args()).await.unwrap_err();
    assert_needs_a_person(
        &failure,
        "UPDATE_ROLLBACK_FAILED",
        "continue-update-rollback --stack-name fsx-drt-scheduler",
    );
}

/// ListChangeSets on the stack: none left.
fn no_other_change_sets_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::list_change_sets)
        .match_requests(|r| is_the_stack(r.stack_name()))
        .then_output(|| {
            aws_sdk_cloudformation::operation::list_change_sets::ListChangeSetsOutput::builder()
                .build()
        })
}

/// A deploy whose change set CloudFormation made (CREATE_COMPLETE) but will not execute,
/// because the stack changed meanwhile (ExecutionStatus OBSOLETE); DescribeStacks answers
/// `stacks` in turn. Returns the failure, the DescribeStacks calls and the change sets
/// deleted. ExecuteChangeSet and DeleteStack have no rule: a call would panic.
async fn deploy_with_an_obsolete_change_set(
    stacks: Vec<Option<StackStatus>>,
    kind: ChangeSetType,
) -> (Failure, usize, usize) {
    let preflight = Preflight::new();
    let stacks = stacks_rule(stacks);
    let create = create_change_set_rule(kind);
    let obsolete = mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(|| {
        let mut out = change_set_ready(ChangeAction::Modify, "Function", FUNCTION);
        out.execution_status = Some(aws_sdk_cloudformation::types::ExecutionStatus::Obsolete);
        out
    });
    let delete_change_set = mock!(aws_sdk_cloudformation::Client::delete_change_set)
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let rules = Rules {
        cloudformation: vec![&stacks, &create, &obsolete, &delete_change_set],
        fsx: preflight.fsx(),
        s3: preflight.s3(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let failure = deploy(&rules, &deploy_args()).await.unwrap_err();
    assert_eq!(failure.exit_code, 1, "{failure:?}");
    assert!(failure.error.contains("OBSOLETE"), "{failure:?}");
    (failure, stacks.num_calls(), delete_change_set.num_calls())
}

/// An update whose change set went OBSOLETE is explained and its change set deleted, never
/// executed.
#[tokio::test(start_paused = true)]
async fn an_obsolete_change_set_is_explained_not_executed() {
    let (failure, _, change_sets_deleted) = deploy_with_an_obsolete_change_set(
        vec![Some(StackStatus::UpdateComplete)],
        ChangeSetType::Update,
    )
    .await;
    assert!(failure.error.contains("the stack changed"), "{failure:?}");
    let help = failure.help.as_deref().unwrap_or("");
    assert!(help.contains("deploy again"), "{failure:?}");
    assert_eq!(change_sets_deleted, 1);
}

/// Two deploys of a new stack at once: both made a CREATE change set on the one stack, and
/// the other deploy executed its own first, so this one's is OBSOLETE. This deploy deletes
/// only its change set: the stack, now being created by the other deploy, is left alone.
#[tokio::test(start_paused = true)]
async fn a_second_deploy_at_once_never_deletes_the_first_one_s_stack() {
    let (_, stack_reads, change_sets_deleted) = deploy_with_an_obsolete_change_set(
        vec![None, Some(StackStatus::CreateInProgress)],
        ChangeSetType::Create,
    )
    .await;
    assert_eq!(change_sets_deleted, 1);
    assert_eq!(stack_reads, 2, "the stack was looked at before deleting");
}

/// The change set never gets ready; Ctrl-C comes 5 s in.
async fn interrupted_while_the_change_set_is_made(
    existing: Option<StackStatus>,
    kind: ChangeSetType,
) -> (Failure, usize, usize) {
    let preflight = Preflight::new();
    // A new stack is looked at again before it is deleted: still empty, for review.
    let stacks = stacks_rule(match &existing {
        None => vec![None, Some(StackStatus::ReviewInProgress)],
        Some(_) => vec![existing.clone()],
    });
    let no_other_change_sets = no_other_change_sets_rule();
    let reviewing = existing == Some(StackStatus::ReviewInProgress);
    let ids: &[&str] = if reviewing { &[] } else { &["Function"] };
    let resources = resources_rule(ids, ResourceStatus::UpdateComplete);
    let create = create_change_set_rule(kind);
    let pending = mock!(aws_sdk_cloudformation::Client::describe_change_set)
        .sequence()
        .output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreatePending)
                .build()
        })
        .repeatedly()
        .build();
    let delete_change_set = delete_change_set_rule();
    let delete = delete_stack_rule();
    let mut cloudformation = vec![
        &stacks,
        &create,
        &pending,
        &delete_change_set,
        &delete,
        &no_other_change_sets,
    ];
    if existing.is_some() {
        cloudformation.push(&resources);
    }
    let rules = Rules {
        cloudformation,
        fsx: preflight.fsx(),
        s3: preflight.s3(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let (trigger, interrupt) = Interrupt::manual();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        trigger.raise();
    });
    let failure = deploy_until(&rules, &deploy_args(), &interrupt)
        .await
        .unwrap_err();
    assert_eq!(create.num_calls(), 1);
    assert!(pending.num_calls() >= 3, "it was still waiting");
    (failure, delete_change_set.num_calls(), delete.num_calls())
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_while_a_new_stack_s_change_set_is_made_removes_both() {
    let (failure, change_sets_deleted, stacks_deleted) =
        interrupted_while_the_change_set_is_made(None, ChangeSetType::Create).await;
    assert_eq!(failure.exit_code, 130, "{failure:?}");
    assert!(
        failure
            .error
            .contains("was deleted with the empty stack made for it"),
        "{failure:?}"
    );
    assert_eq!((change_sets_deleted, stacks_deleted), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_while_an_update_s_change_set_is_made_keeps_the_stack() {
    let (failure, change_sets_deleted, stacks_deleted) = interrupted_while_the_change_set_is_made(
        Some(StackStatus::UpdateComplete),
        ChangeSetType::Update,
    )
    .await;
    assert_eq!(failure.exit_code, 130, "{failure:?}");
    assert!(failure.error.contains("nothing was changed"), "{failure:?}");
    assert_eq!((change_sets_deleted, stacks_deleted), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_keeps_a_stack_that_was_already_waiting_for_review() {
    // REVIEW_IN_PROGRESS without resources gets a CREATE change set; someone else's change
    // set may be waiting on that stack, so it is not deleted.
    let (failure, change_sets_deleted, stacks_deleted) = interrupted_while_the_change_set_is_made(
        Some(StackStatus::ReviewInProgress),
        ChangeSetType::Create,
    )
    .await;
    assert_eq!(failure.exit_code, 130, "{failure:?}");
    assert_eq!((change_sets_deleted, stacks_deleted), (1, 0));
}

/// A stack update whose Ctrl-C comes while CloudFormation answers `when`: DescribeChangeSet
/// (the change set ready, not yet executed) or ExecuteChangeSet. No events rule: following
/// the stack would panic.
async fn interrupted_around_execution(when: &str) -> (Failure, usize, usize) {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![Some(StackStatus::UpdateComplete)]);
    let (trigger, interrupt) = Interrupt::manual();
    let trigger = std::sync::Arc::new(trigger);
    let raise = move || trigger.raise();
    let (ready, execute) = if when == "DescribeChangeSet" {
        let ready =
            mock!(aws_sdk_cloudformation::Client::describe_change_set).then_output(move || {
                raise();
                change_set_ready(ChangeAction::Modify, "Function", FUNCTION)
            });
        (ready, execute_rule())
    } else {
        let execute =
            mock!(aws_sdk_cloudformation::Client::execute_change_set).then_output(move || {
                raise();
                ExecuteChangeSetOutput::builder().build()
            });
        (change_set_ready_rule(), execute)
    };
    let create = create_change_set_rule(ChangeSetType::Update);
    let delete_change_set = delete_change_set_rule();
    let rules = Rules {
        cloudformation: vec![&stacks, &create, &ready, &execute, &delete_change_set],
        fsx: preflight.fsx(),
        s3: preflight.s3(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let failure = deploy_until(&rules, &deploy_args(), &interrupt)
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 130, "{failure:?}");
    (failure, execute.num_calls(), delete_change_set.num_calls())
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_once_the_change_set_is_ready_deletes_it_unexecuted() {
    let (failure, executed, change_sets_deleted) =
        interrupted_around_execution("DescribeChangeSet").await;
    assert!(failure.error.contains("nothing was changed"), "{failure:?}");
    assert_eq!((executed, change_sets_deleted), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_execution_wins_over_following_with_the_way_back() {
    let (failure, executed, change_sets_deleted) =
        interrupted_around_execution("ExecuteChangeSet").await;
    // Ctrl-C is not swallowed: the stack is not followed to a success (exit 0).
    assert!(failure.error.contains("goes on"), "{failure:?}");
    let help = failure.help.as_deref().unwrap_or_default();
    assert!(
        help.contains(&format!("fsx-drt status --watch --stack-name {STACK}")),
        "{failure:?}"
    );
    assert_eq!((executed, change_sets_deleted), (1, 0));
}

/// A release schedule for a Lustre 2.10 file system: refused (exit 2, TaskType named, with
/// why) before anything is uploaded or any change set made (no rule: a call would panic).
#[tokio::test]
async fn release_on_lustre_2_10_is_refused_before_any_change() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![None]);
    let old = mock!(aws_sdk_fsx::Client::describe_file_systems).then_output(|| {
        let mut out = file_system();
        // A 2.10 file system with its linked bucket: export and import work, release not.
        if let Some(fs) = out.file_systems.as_mut().and_then(|f| f.first_mut()) {
            fs.file_system_type_version = Some("2.10".into());
            fs.lustre_configuration = Some(
                aws_sdk_fsx::types::LustreFileSystemConfiguration::builder()
                    .data_repository_configuration(
                        aws_sdk_fsx::types::DataRepositoryConfiguration::builder()
                            .import_path("s3://fsx-drt-data")
                            .export_path("s3://fsx-drt-data/export")
                            .build(),
                    )
                    .build(),
            );
        }
        out
    });
    let rules = Rules {
        cloudformation: vec![&stacks],
        fsx: vec![&old, &preflight.associations],
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let mut args = deploy_args();
    args.params.task_type = Some("Release".into());
    let failure = deploy(&rules, &args).await.unwrap_err();
    assert_eq!(failure.exit_code, 2, "{failure:?}");
    let problem = &failure.problems[0];
    assert_eq!(problem.parameter, "TaskType");
    assert_eq!(problem.value.as_deref(), Some("Release"));
    assert!(problem.problem.contains("Lustre 2.10"), "{problem:?}");
}

/// HeadObject and HeadBucket on the artifact bucket, both answering this HTTP status.
fn heads_answering(status: u16) -> (Rule, Rule) {
    (
        mock!(aws_sdk_s3::Client::head_object)
            .sequence()
            .http_status(status, None)
            .build(),
        mock!(aws_sdk_s3::Client::head_bucket)
            .sequence()
            .http_status(status, None)
            .build(),
    )
}

/// S3 answers 403 to HeadObject and HeadBucket when the bucket is another account's (the
/// ExpectedBucketOwner check): a clear failure naming the bucket and --artifact-bucket, and
/// nothing uploaded and no change set (neither has a rule: a call would panic).
#[tokio::test(start_paused = true)]
async fn a_bucket_owned_by_another_account_is_refused_before_anything_is_uploaded() {
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![Some(StackStatus::UpdateComplete)]);
    let (object, bucket) = heads_answering(403);
    let rules = Rules {
        cloudformation: vec![&stacks],
        fsx: preflight.fsx(),
        s3: vec![&object, &bucket],
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let failure = deploy(&rules, &deploy_args()).await.unwrap_err();
    assert_eq!(failure.exit_code, 1, "{failure:?}");
    let bucket_name = format!("fsx-drt-artifacts-{ACCOUNT}-us-east-1");
    assert!(failure.error.contains(&bucket_name), "{failure:?}");
    assert!(failure.error.contains("another account"), "{failure:?}");
    assert!(
        failure
            .help
            .as_deref()
            .unwrap_or("")
            .contains("--artifact-bucket"),
        "{failure:?}"
    );
}

/// The managed bucket, missing, is created and then only used as this account's: every call
/// names the owner, and its policy refuses plain HTTP.
#[tokio::test(start_paused = true)]
async fn a_new_managed_bucket_is_owned_encrypted_and_tls_only() {
    use aws_sdk_s3::operation::{
        create_bucket::CreateBucketOutput, put_bucket_encryption::PutBucketEncryptionOutput,
        put_bucket_policy::PutBucketPolicyOutput, put_object::PutObjectOutput,
        put_public_access_block::PutPublicAccessBlockOutput,
    };
    let preflight = Preflight::new();
    let stacks = stacks_rule(vec![Some(StackStatus::UpdateComplete)]);
    let (object, bucket) = heads_answering(404);
    let create = mock!(aws_sdk_s3::Client::create_bucket)
        .then_output(|| CreateBucketOutput::builder().build());
    let encryption = mock!(aws_sdk_s3::Client::put_bucket_encryption)
        .match_requests(|r| r.expected_bucket_owner() == Some(ACCOUNT))
        .then_output(|| PutBucketEncryptionOutput::builder().build());
    let public = mock!(aws_sdk_s3::Client::put_public_access_block)
        .match_requests(|r| r.expected_bucket_owner() == Some(ACCOUNT))
        .then_output(|| PutPublicAccessBlockOutput::builder().build());
    let policy = mock!(aws_sdk_s3::Client::put_bucket_policy)
        .match_requests(|r| {
            r.expected_bucket_owner() == Some(ACCOUNT)
                && r.policy()
                    .is_some_and(|p| p.contains("\"aws:SecureTransport\":\"false\""))
        })
        .then_output(|| PutBucketPolicyOutput::builder().build());
    let put = mock!(aws_sdk_s3::Client::put_object)
        .match_requests(|r| r.expected_bucket_owner() == Some(ACCOUNT))
        .then_output(|| PutObjectOutput::builder().build());
    // The change set is refused, so the deploy ends right after the upload.
    let (change_set, discard) = refused_change_set(|_| true);
    let rules = Rules {
        cloudformation: vec![&stacks, &change_set, &discard],
        fsx: preflight.fsx(),
        s3: vec![
            &object,
            &bucket,
            &create,
            &encryption,
            &public,
            &policy,
            &put,
        ],
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let failure = deploy(&rules, &deploy_args()).await.unwrap_err();
    assert!(failure.error.contains("CreateChangeSet"), "{failure:?}");
    for rule in [&create, &encryption, &public, &policy, &put] {
        assert_eq!(rule.num_calls(), 1);
    }
}

// ---------------------------------------------------------------------------------------
// destroy

fn destroy_args(retain: &[&str]) -> DestroyArgs {
    DestroyArgs {
        stack_set: Default::default(),
        stack_name: STACK.into(),
        role_arn: None,
        yes: true,
        retain: retain.iter().map(|s| s.to_string()).collect(),
        any_stack: false,
        timeout: HOUR,
        fleet: None,
    }
}

fn no_tasks_rule() -> Rule {
    mock!(aws_sdk_fsx::Client::describe_data_repository_tasks)
        .then_output(|| DescribeDataRepositoryTasksOutput::builder().build())
}

async fn destroy(rules: &Rules<'_>, args: &DestroyArgs) -> Result<destroy::Destroyed, Failure> {
    destroy_until(rules, args, &Interrupt::never()).await
}

/// A destroy that `interrupt` (Ctrl-C) may stop.
async fn destroy_until(
    rules: &Rules<'_>,
    args: &DestroyArgs,
    interrupt: &Interrupt,
) -> Result<destroy::Destroyed, Failure> {
    destroy::execute(
        &session(&rules.aws(), &printer(), interrupt),
        &destroy_request(args),
        Instant::now(),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn ctrl_c_during_delete_stack_wins_over_following_with_the_way_back() {
    let stacks = stacks_rule(vec![Some(StackStatus::CreateComplete)]);
    let tasks = no_tasks_rule();
    let (trigger, interrupt) = Interrupt::manual();
    let delete = mock!(aws_sdk_cloudformation::Client::delete_stack).then_output(move || {
        trigger.raise();
        DeleteStackOutput::builder().build()
    });
    // No events rule: following the deletion would panic.
    let rules = Rules {
        cloudformation: vec![&stacks, &delete],
        fsx: vec![&tasks],
        ..Rules::default()
    };
    let failure = destroy_until(&rules, &destroy_args(&[]), &interrupt)
        .await
        .unwrap_err();
    assert_eq!(failure.exit_code, 130, "{failure:?}");
    assert!(failure.error.contains("goes on"), "{failure:?}");
    let help = failure.help.as_deref().unwrap_or_default();
    assert!(
        help.contains(&format!("fsx-drt status --watch --stack-name {STACK}")),
        "{failure:?}"
    );
    assert_eq!(delete.num_calls(), 1);
}

const LOG_GROUP_IN_USE: &str = "Resource handler returned message: \"log group is in use\"";

#[tokio::test(start_paused = true)]
async fn a_failed_deletion_names_the_resource_and_the_retain_flag() {
    let stacks = stacks_rule(vec![Some(StackStatus::CreateComplete)]);
    let tasks = no_tasks_rule();
    let delete = delete_stack_rule();
    let failing = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "DELETE_IN_PROGRESS", USER),
        (1, "Function", FUNCTION, "DELETE_IN_PROGRESS", None),
        (
            2,
            "LogGroup",
            LOG_GROUP,
            "DELETE_FAILED",
            Some(LOG_GROUP_IN_USE),
        ),
        (3, "Function", FUNCTION, "DELETE_COMPLETE", None),
        (4, STACK, STACK_TYPE, "DELETE_FAILED", None),
    ]);
    let events = events_rule(vec![failing.page(5)]);
    let resources = resources_rule(&["LogGroup"], ResourceStatus::DeleteFailed);
    let rules = Rules {
        cloudformation: vec![&stacks, &delete, &events, &resources],
        fsx: vec![&tasks],
        ..Rules::default()
    };
    let failure = destroy(&rules, &destroy_args(&[])).await.unwrap_err();
    assert_eq!(failure.exit_code, 1, "{failure:?}");
    assert_eq!(failure.error, "stack fsx-drt-scheduler ended DELETE_FAILED");
    let detail = failure.detail.clone().unwrap_or_default();
    assert!(
        detail.contains("LogGroup") && detail.contains("log group is in use"),
        "root cause: {detail}"
    );
    let help = failure.help.clone().unwrap_or_default();
    assert!(
        help.contains("fsx-drt destroy --stack-name fsx-drt-scheduler --retain LogGroup"),
        "{help}"
    );
    assert_eq!(delete.num_calls(), 1, "not retried on its own");
}

#[tokio::test(start_paused = true)]
async fn retain_keeps_the_failed_resource_and_deletes_the_rest() {
    let stacks = stacks_rule(vec![Some(StackStatus::DeleteFailed)]);
    let tasks = no_tasks_rule();
    let resources = resources_rule(&["LogGroup"], ResourceStatus::DeleteFailed);
    let delete = mock!(aws_sdk_cloudformation::Client::delete_stack)
        .match_requests(|r| {
            r.retain_resources() == ["LogGroup"] && sent_token(r.client_request_token())
        })
        .then_output(|| DeleteStackOutput::builder().build());
    let deletion = Timeline::new(vec![
        (0, STACK, STACK_TYPE, "DELETE_IN_PROGRESS", USER),
        (1, "LogGroup", LOG_GROUP, "DELETE_SKIPPED", None),
        (2, STACK, STACK_TYPE, "DELETE_COMPLETE", None),
    ]);
    let events = events_rule(vec![deletion.page(3)]);
    let rules = Rules {
        cloudformation: vec![&stacks, &resources, &delete, &events],
        fsx: vec![&tasks],
        ..Rules::default()
    };
    let destroyed = destroy(&rules, &destroy_args(&["LogGroup"])).await.unwrap();
    assert_eq!(destroyed.status, "DELETE_COMPLETE");
    assert_eq!(destroyed.retained, ["LogGroup"]);
    assert!(destroyed
        .to_string()
        .contains("Kept LogGroup in the account"));
    assert_eq!(delete.num_calls(), 1);
}

#[tokio::test]
async fn retain_is_refused_before_anything_is_deleted() {
    // On a healthy stack, and naming a resource whose deletion did not fail.
    for (status, retain, says) in [
        (
            StackStatus::CreateComplete,
            "LogGroup",
            "only after a deletion failed",
        ),
        (
            StackStatus::DeleteFailed,
            "Function",
            "give one of: LogGroup",
        ),
    ] {
        let stacks = stacks_rule(vec![Some(status)]);
        let resources = resources_rule(&["LogGroup"], ResourceStatus::DeleteFailed);
        let rules = Rules {
            cloudformation: vec![&stacks, &resources],
            ..Rules::default()
        };
        let failure = destroy(&rules, &destroy_args(&[retain])).await.unwrap_err();
        assert_eq!(failure.exit_code, 2, "{failure:?}");
        let problem = &failure.problems[0];
        assert_eq!(problem.parameter, "--retain");
        assert_eq!(problem.value.as_deref(), Some(retain));
        assert!(
            format!("{} {}", problem.problem, problem.fix).contains(says),
            "{problem:?}"
        );
    }
}

/// A stack with termination protection: destroy says so and how to lift it (exit 3), before
/// asking or deleting anything (DeleteStack has no rule: a call would panic).
#[tokio::test]
async fn a_protected_stack_is_explained_and_left_alone() {
    let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks).then_output(|| {
        let mut stack = deployed_stack(StackStatus::UpdateComplete);
        stack.enable_termination_protection = Some(true);
        DescribeStacksOutput::builder().stacks(stack).build()
    });
    let rules = Rules {
        cloudformation: vec![&stacks],
        ..Rules::default()
    };
    let failure = destroy(&rules, &destroy_args(&[])).await.unwrap_err();
    assert_needs_a_person(
        &failure,
        "termination protection",
        "update-termination-protection --no-enable-termination-protection",
    );
}

/// The stack is gone; whether another stack shares its artifact cannot be told (the scan of
/// every stack is denied): the artifact is kept with a warning, and destroy still succeeds.
#[tokio::test(start_paused = true)]
async fn a_failed_artifact_scan_keeps_the_artifact_and_still_succeeds() {
    let with_artifact = || {
        let mut stack = deployed_stack(StackStatus::UpdateComplete);
        for (key, value) in [("CodeBucket", "artifacts"), ("CodeKey", "fsx-drt/ab.zip")] {
            stack.parameters.get_or_insert_with(Vec::new).push(
                aws_sdk_cloudformation::types::Parameter::builder()
                    .parameter_key(key)
                    .parameter_value(value)
                    .build(),
            );
        }
        DescribeStacksOutput::builder().stacks(stack).build()
    };
    let stacks = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(STACK))
        .then_output(with_artifact);
    let scan = mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name().is_none())
        .sequence()
        .http_status(403, Some(query_error("AccessDenied", "not allowed")))
        .build();
    let tasks = no_tasks_rule();
    let delete = delete_stack_rule();
    let deletion = operation("DELETE_IN_PROGRESS", "DELETE_COMPLETE");
    let events = events_rule(vec![deletion.page(4)]);
    let rules = Rules {
        cloudformation: vec![&stacks, &scan, &delete, &events],
        fsx: vec![&tasks],
        ..Rules::default()
    };
    let destroyed = destroy(&rules, &destroy_args(&[])).await.unwrap();
    assert_eq!(destroyed.status, "DELETE_COMPLETE");
    assert!(destroyed.artifacts_removed.is_empty());
    assert_eq!(scan.num_calls(), 1);
}

/// A stack fsx-drt did not make (its description is another's), as DescribeStacks shows it.
fn foreign_stacks_rule() -> Rule {
    mock!(aws_sdk_cloudformation::Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(STACK))
        .then_output(|| {
            let mut stack = deployed_stack(StackStatus::UpdateComplete);
            stack.description = Some("Our web shop".into());
            DescribeStacksOutput::builder().stacks(stack).build()
        })
}

/// deploy and destroy leave a stack fsx-drt did not make alone (exit 2, naming what was
/// found): no change set, no upload, no deletion (none has a rule: a call would panic).
/// With --any-stack, destroy deletes it as asked.
#[tokio::test(start_paused = true)]
async fn a_stack_fsx_drt_did_not_make_is_left_alone() {
    let preflight = Preflight::new();
    let stacks = foreign_stacks_rule();
    let rules = Rules {
        cloudformation: vec![&stacks],
        fsx: preflight.fsx(),
        sts: vec![&preflight.identity],
        ..Rules::default()
    };
    let refused = [
        deploy(&rules, &deploy_args()).await.unwrap_err(),
        destroy(&rules, &destroy_args(&[])).await.unwrap_err(),
    ];
    for failure in refused {
        assert_eq!(failure.exit_code, 2, "{failure:?}");
        assert!(
            failure.error.contains("not made by fsx-drt") && failure.error.contains("Our web shop"),
            "{failure:?}"
        );
        assert!(
            failure
                .help
                .as_deref()
                .unwrap_or("")
                .contains("--any-stack"),
            "{failure:?}"
        );
    }

    let tasks = no_tasks_rule();
    let delete = delete_stack_rule();
    let deletion = operation("DELETE_IN_PROGRESS", "DELETE_COMPLETE");
    let events = events_rule(vec![deletion.page(4)]);
    let rules = Rules {
        cloudformation: vec![&stacks, &delete, &events],
        fsx: vec![&tasks],
        ..Rules::default()
    };
    let args = DestroyArgs {
        stack_set: Default::default(),
        any_stack: true,
        ..destroy_args(&[])
    };
    let destroyed = destroy(&rules, &args).await.unwrap();
    assert_eq!(destroyed.status, "DELETE_COMPLETE");
    assert_eq!(delete.num_calls(), 1);
}

// ---------------------------------------------------------------------------------------
// deploy --revert-drift

/// `--revert-drift` makes an update's change set drift-aware (DeploymentMode REVERT_DRIFT,
/// what status names for a drifted stack); without it the change set is a plain one. The
/// change set is refused here, so the deploy ends right after asking for it.
#[tokio::test(start_paused = true)]
async fn revert_drift_asks_for_a_drift_aware_change_set() {
    use aws_sdk_cloudformation::types::DeploymentMode;
    for (revert_drift, mode) in [(true, Some(DeploymentMode::RevertDrift)), (false, None)] {
        let preflight = Preflight::new();
        let stacks = stacks_rule(vec![Some(StackStatus::UpdateComplete)]);
        let (change_set, discard) = refused_change_set(move |r| {
            r.change_set_type() == Some(&ChangeSetType::Update)
                && r.deployment_mode() == mode.as_ref()
        });
        let rules = Rules {
            cloudformation: vec![&stacks, &change_set, &discard],
            fsx: preflight.fsx(),
            s3: preflight.s3(),
            sts: vec![&preflight.identity],
            ..Rules::default()
        };
        let args = DeployArgs {
            revert_drift,
            ..deploy_args()
        };
        let failure = deploy(&rules, &args).await.unwrap_err();
        assert!(failure.error.contains("CreateChangeSet"), "{failure:?}");
        assert_eq!(change_set.num_calls(), 1, "revert_drift {revert_drift}");
    }
}
