//! CloudFormation: stacks as [`StackView`]s (status, parameters and outputs parsed here once),
//! change sets, events and resources; drift detection in [`drift`].

mod drift;
mod stack_set;

pub use drift::{DriftDetection, PropertyDifference, ResourceDrift, StackDrift};
pub use stack_set::{
    InstanceChange, InstanceView, OperationResult, OperationView, Permissions, Preferences,
    StackSetSpec, StackSetView, Targets,
};

use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, DeploymentMode, Parameter, Stack, Tag,
};
use chrono::{DateTime, Utc};
use fsx_drt_core::outputs;

use super::error::{failed, Error, ErrorKind};
use super::Aws;
use crate::stack::{Change, StackEvent};

/// A stack as fsx-drt reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackView {
    pub name: String,
    /// The StackId (an ARN), which names this stack even after another of its name exists.
    pub id: Option<String>,
    /// CREATE_COMPLETE, UPDATE_IN_PROGRESS, ... ("?" when CloudFormation gave none).
    pub status: String,
    pub description: Option<String>,
    /// Parameter values, in the stack's order.
    pub parameters: Vec<(String, String)>,
    pub outputs: StackOutputs,
    pub termination_protection: bool,
    /// Stack tags, in the stack's order.
    pub tags: Vec<(String, String)>,
    /// The service role CloudFormation acts with, when one was given.
    pub role_arn: Option<String>,
    /// When it last changed (updated, else created), as CloudFormation writes times.
    pub last_change: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub deleted: Option<DateTime<Utc>>,
}

impl StackView {
    /// One parameter's value.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        find(&self.parameters, key)
    }

    /// An operation is still running on it.
    pub fn in_progress(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS")
    }

    /// The account in its StackId (`arn:aws:cloudformation:region:account:stack/...`): the
    /// owner of the artifact bucket deploy used, since deploy only uses the caller's own
    /// buckets.
    pub fn account(&self) -> Option<&str> {
        self.id
            .as_deref()?
            .split(':')
            .nth(4)
            .filter(|a| !a.is_empty())
    }
}

/// DescribeStacks' answer, parsed once.
fn time(t: Option<&aws_sdk_cloudformation::primitives::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn pairs(parameters: &[Parameter]) -> Vec<(String, String)> {
    parameters
        .iter()
        .filter_map(|p| {
            Some((
                p.parameter_key()?.to_string(),
                p.parameter_value()?.to_string(),
            ))
        })
        .collect()
}

impl From<&Stack> for StackView {
    fn from(stack: &Stack) -> StackView {
        StackView {
            name: stack.stack_name().unwrap_or_default().to_string(),
            id: stack.stack_id().map(str::to_string),
            status: stack
                .stack_status()
                .map_or("?".into(), |s| s.as_str().to_string()),
            description: stack.description().map(str::to_string),
            parameters: pairs(stack.parameters()),
            outputs: StackOutputs(
                stack
                    .outputs()
                    .iter()
                    .filter_map(|o| {
                        Some((o.output_key()?.to_string(), o.output_value()?.to_string()))
                    })
                    .collect(),
            ),
            termination_protection: stack.enable_termination_protection() == Some(true),
            tags: stack
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect(),
            role_arn: stack.role_arn().map(str::to_string),
            last_change: stack
                .last_updated_time()
                .or(stack.creation_time())
                .map(|t| t.to_string()),
            created: time(stack.creation_time()),
            updated: time(stack.last_updated_time()),
            deleted: time(stack.deletion_time()),
        }
    }
}

/// A stack's outputs, in its order, with the ones fsx-drt reads by name (the keys are the
/// template's, from the contract the Lambda crate holds).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackOutputs(pub Vec<(String, String)>);

impl StackOutputs {
    pub fn function_name(&self) -> Option<&str> {
        find(&self.0, outputs::FUNCTION_NAME)
    }

    pub fn log_group_name(&self) -> Option<&str> {
        find(&self.0, outputs::LOG_GROUP_NAME)
    }

    pub fn topic_arn(&self) -> Option<&str> {
        find(&self.0, outputs::TOPIC_ARN)
    }

    /// The alarms the stack made, as far as its outputs name them.
    pub fn alarm_names(&self) -> Vec<String> {
        [outputs::ERROR_ALARM_NAME, outputs::FAILED_TASK_ALARM_NAME]
            .iter()
            .filter_map(|k| find(&self.0, k).map(str::to_string))
            .collect()
    }
}

fn find<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// What a stack carries beside its template and parameters. Left empty, CloudFormation
/// keeps what the stack has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackOptions {
    /// Stack tags, which CloudFormation propagates to the resources.
    pub tags: Vec<(String, String)>,
    /// The service role CloudFormation acts with.
    pub role_arn: Option<String>,
    /// SNS topics told of the stack's events.
    pub notification_arns: Vec<String>,
    /// The permissions boundary for every role the template creates (a template parameter;
    /// empty removes it; none keeps the stack's).
    pub permissions_boundary: Option<String>,
    /// Termination protection on or off (none: as the stack has it).
    pub termination_protection: Option<bool>,
    /// An update's change set is drift-aware (DeploymentMode REVERT_DRIFT): properties
    /// changed outside CloudFormation go back to the template's values.
    pub revert_drift: bool,
}

/// Where a change set's template comes from: sent in the request (up to 51,200 bytes), or
/// read by CloudFormation from S3 (up to 1 MB).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    Body(String),
    Url(String),
}

impl TemplateSource {
    /// TemplateBody and TemplateURL, one of them set.
    fn body_or_url(&self) -> (Option<String>, Option<String>) {
        match self {
            TemplateSource::Body(body) => (Some(body.clone()), None),
            TemplateSource::Url(url) => (None, Some(url.clone())),
        }
    }
}

fn parameters(values: &[(String, String)]) -> Vec<Parameter> {
    (values.iter())
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect()
}

fn tags(tags: &[(String, String)]) -> Vec<Tag> {
    (tags.iter())
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// A change set as DescribeChangeSet tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetView {
    /// Its ARN.
    pub id: String,
    pub status: String,
    pub execution_status: String,
    pub status_reason: String,
    pub description: String,
    pub created: Option<DateTime<Utc>>,
    /// The values the stack would have.
    pub parameters: Vec<(String, String)>,
    pub changes: Vec<Change>,
}

/// What CreateChangeSet answers: the change set's ARN and its stack's StackId.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSetIds {
    pub id: Option<String>,
    pub stack_id: Option<String>,
}

impl Aws {
    /// The stack by name or StackId; `None` when there is none.
    pub async fn describe_stack(&self, stack: &str) -> Result<Option<StackView>, Error> {
        match self
            .clients
            .cloudformation
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
        {
            Ok(out) => Ok(out.stacks().first().map(StackView::from)),
            Err(e) => match Error::from_sdk("DescribeStacks", &e) {
                error if error.is(&ErrorKind::NotFound) => Ok(None),
                error => Err(error),
            },
        }
    }

    /// Every stack of the account and region, all pages.
    pub async fn stacks(&self) -> Result<Vec<StackView>, Error> {
        let mut stacks = Vec::new();
        let mut pages = self
            .clients
            .cloudformation
            .describe_stacks()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("DescribeStacks"))?;
            stacks.extend(page.stacks().iter().map(StackView::from));
        }
        Ok(stacks)
    }

    /// Creates a change set (`create`: for a new stack) from the template and values, with
    /// IAM capability; returns its ARN and the StackId CloudFormation gives its stack.
    pub async fn create_change_set(
        &self,
        stack: &str,
        name: &str,
        create: bool,
        template: &TemplateSource,
        values: &[(String, String)],
        options: &StackOptions,
    ) -> Result<ChangeSetIds, Error> {
        let (body, url) = template.body_or_url();
        let out = self
            .clients
            .cloudformation
            .create_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .change_set_type(if create {
                ChangeSetType::Create
            } else {
                ChangeSetType::Update
            })
            .set_template_body(body)
            .set_template_url(url)
            .capabilities(Capability::CapabilityIam)
            .set_parameters(Some(parameters(values)))
            .description("fsx-drt deploy")
            .set_tags((!options.tags.is_empty()).then(|| tags(&options.tags)))
            .set_role_arn(options.role_arn.clone())
            // A new stack has nothing to revert.
            .set_deployment_mode(
                (options.revert_drift && !create).then_some(DeploymentMode::RevertDrift),
            )
            .set_notification_arns(
                (!options.notification_arns.is_empty()).then(|| options.notification_arns.clone()),
            )
            .send()
            .await
            .map_err(failed("CreateChangeSet"))?;
        Ok(ChangeSetIds {
            id: out.id().map(str::to_string),
            stack_id: out.stack_id().map(str::to_string),
        })
    }

    pub async fn describe_change_set(
        &self,
        stack: &str,
        name: &str,
    ) -> Result<ChangeSetView, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(failed("DescribeChangeSet"))?;
        let changes = out
            .changes()
            .iter()
            .filter_map(|c| c.resource_change())
            .map(|r| Change {
                action: r
                    .action()
                    .map(|a| a.as_str().to_string())
                    .unwrap_or_default(),
                logical_id: r.logical_resource_id().unwrap_or_default().to_string(),
                resource_type: r.resource_type().unwrap_or_default().to_string(),
                replacement: r.replacement().map(|x| x.as_str().to_string()),
            })
            .collect();
        Ok(ChangeSetView {
            id: out.change_set_id().unwrap_or_default().to_string(),
            description: out.description().unwrap_or_default().to_string(),
            created: time(out.creation_time()),
            parameters: pairs(out.parameters()),
            status: out.status().map_or("", |s| s.as_str()).to_string(),
            execution_status: out
                .execution_status()
                .map_or("", |s| s.as_str())
                .to_string(),
            status_reason: out.status_reason().unwrap_or_default().to_string(),
            changes,
        })
    }

    pub async fn delete_change_set(&self, stack: &str, name: &str) -> Result<(), Error> {
        self.clients
            .cloudformation
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map(drop)
            .map_err(failed("DeleteChangeSet"))
    }

    /// How many change sets the stack holds.
    pub async fn change_set_count(&self, stack: &str) -> Result<usize, Error> {
        let out = self
            .clients
            .cloudformation
            .list_change_sets()
            .stack_name(stack)
            .send()
            .await
            .map_err(failed("ListChangeSets"))?;
        Ok(out.summaries().len())
    }

    /// Executes a change set; its events carry `token`.
    pub async fn execute_change_set(
        &self,
        stack: &str,
        name: &str,
        token: &str,
    ) -> Result<(), Error> {
        self.clients
            .cloudformation
            .execute_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .client_request_token(token)
            .send()
            .await
            .map(drop)
            .map_err(failed("ExecuteChangeSet"))
    }

    /// Turns the stack's termination protection on or off.
    pub async fn set_termination_protection(&self, stack: &str, on: bool) -> Result<(), Error> {
        self.clients
            .cloudformation
            .update_termination_protection()
            .stack_name(stack)
            .enable_termination_protection(on)
            .send()
            .await
            .map(drop)
            .map_err(failed("UpdateTerminationProtection"))
    }

    /// Starts deleting the stack, keeping `retain`; its events carry `token`.
    pub async fn delete_stack(
        &self,
        stack: &str,
        retain: &[String],
        token: &str,
        role_arn: Option<&str>,
    ) -> Result<(), Error> {
        self.clients
            .cloudformation
            .delete_stack()
            .stack_name(stack)
            .set_role_arn(role_arn.map(str::to_string))
            .set_retain_resources((!retain.is_empty()).then(|| retain.to_vec()))
            .client_request_token(token)
            .send()
            .await
            .map(drop)
            .map_err(failed("DeleteStack"))
    }

    /// The stack's newest events (the first page: CloudFormation lists newest first).
    pub async fn stack_events(&self, stack: &str) -> Result<Vec<StackEvent>, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
            .map_err(failed("DescribeStackEvents"))?;
        Ok(out.stack_events().iter().filter_map(event).collect())
    }

    /// The template the stack runs (as sent: YAML or JSON), as JSON with long-form
    /// intrinsics.
    pub async fn stack_template(&self, stack: &str) -> Result<serde_json::Value, Error> {
        let out = self
            .clients
            .cloudformation
            .get_template()
            .stack_name(stack)
            .send()
            .await
            .map_err(failed("GetTemplate"))?;
        let body = out.template_body().unwrap_or_default();
        crate::template::parse(body).ok_or_else(|| Error {
            operation: "GetTemplate",
            kind: ErrorKind::Service {
                code: "UnreadableTemplate".into(),
                message: "the stack's template is neither JSON nor YAML".into(),
            },
            message: "the stack's template is neither JSON nor YAML".into(),
        })
    }

    /// Each resource's logical id and status.
    pub async fn stack_resources(&self, stack: &str) -> Result<Vec<(String, String)>, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_resources()
            .stack_name(stack)
            .send()
            .await
            .map_err(failed("DescribeStackResources"))?;
        Ok(out
            .stack_resources()
            .iter()
            .map(|r| {
                (
                    r.logical_resource_id().unwrap_or_default().to_string(),
                    r.resource_status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                )
            })
            .collect())
    }
}

fn event(e: &aws_sdk_cloudformation::types::StackEvent) -> Option<StackEvent> {
    let timestamp = e.timestamp()?;
    Some(StackEvent {
        event_id: e.event_id()?.to_string(),
        timestamp: DateTime::from_timestamp(timestamp.secs(), timestamp.subsec_nanos())?,
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        status: e
            .resource_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: e.resource_status_reason().map(str::to_string),
        physical_id: e.physical_resource_id().map(str::to_string),
        client_request_token: e.client_request_token().map(str::to_string),
    })
}
