//! CloudFormation StackSets: one template rolled out as stack instances to accounts and
//! regions. Every mutating call here is an operation (its id chosen by the caller, so a
//! retried call is not a second operation) that the caller waits for with
//! [`Aws::stack_set_operation`] and whose per-instance outcomes it reads with
//! [`Aws::stack_set_operation_results`]: an operation can say SUCCEEDED while instances failed.

use aws_sdk_cloudformation::types::{
    AccountFilterType, Capability, ConcurrencyMode, DeploymentTargets, ManagedExecution,
    PermissionModels, RegionConcurrencyType, StackSetOperationPreferences,
};

use super::super::error::{failed, Error, ErrorKind};
use super::super::Aws;
use super::{pairs, parameters, TemplateSource};

/// A stack set as DescribeStackSet tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackSetView {
    pub name: String,
    pub status: String,
    /// SERVICE_MANAGED or SELF_MANAGED.
    pub permission_model: String,
    pub parameters: Vec<(String, String)>,
    pub template_body: String,
    /// Operations that do not conflict run at once, the others queue (QUEUED).
    pub managed_execution: bool,
    /// Service-managed: the OUs (or root) its instances were deployed to.
    pub organizational_units: Vec<String>,
}

/// What CreateStackSet and UpdateStackSet send.
#[derive(Debug, Clone)]
pub struct StackSetSpec {
    pub name: String,
    pub description: String,
    pub template: TemplateSource,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    pub permissions: Permissions,
}

/// Who deploys the instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    /// Through AWS Organizations: the instances' accounts are found under these OUs (or the
    /// root), narrowed to the named accounts (AccountFilterType INTERSECTION).
    Service { units: Vec<String> },
    /// An administration role in this account assumes an execution role in each target.
    SelfManaged {
        administration_role_arn: Option<String>,
        execution_role_name: Option<String>,
    },
}

impl Permissions {
    /// The administration role and execution role name (self-managed, when given).
    fn roles(&self) -> (Option<String>, Option<String>) {
        match self {
            Permissions::SelfManaged {
                administration_role_arn,
                execution_role_name,
            } => (administration_role_arn.clone(), execution_role_name.clone()),
            Permissions::Service { .. } => (None, None),
        }
    }
}

/// How an operation rolls out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub max_concurrent_percentage: u8,
    pub failure_tolerance_percentage: u8,
    pub region_order: Vec<String>,
    /// Regions at once (PARALLEL) or one after another (SEQUENTIAL).
    pub regions_in_parallel: bool,
    /// SOFT_FAILURE_TOLERANCE (concurrency kept up despite failures) rather than STRICT.
    pub soft_failure_tolerance: bool,
}

/// One stack instance as ListStackInstances or DescribeStackInstance tells it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InstanceView {
    pub account: String,
    pub region: String,
    pub stack_id: Option<String>,
    /// CURRENT, OUTDATED or INOPERABLE.
    pub status: String,
    /// PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, INOPERABLE, SKIPPED_SUSPENDED_ACCOUNT.
    pub detailed_status: String,
    pub reason: Option<String>,
    /// DescribeStackInstance only: the instance's own parameter values.
    pub overrides: Vec<(String, String)>,
}

/// An operation's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationView {
    /// QUEUED, RUNNING, SUCCEEDED, FAILED, STOPPING or STOPPED.
    pub status: String,
    pub reason: Option<String>,
}

impl OperationView {
    pub fn ended(&self) -> bool {
        matches!(self.status.as_str(), "SUCCEEDED" | "FAILED" | "STOPPED")
    }
}

/// One account and region's outcome in an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationResult {
    pub account: String,
    pub region: String,
    /// PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub status: String,
    pub reason: Option<String>,
}

/// What a call does to instances.
#[derive(Debug, Clone, Copy)]
pub enum InstanceChange<'a> {
    /// New instances, with these parameter overrides.
    Create(&'a [(String, String)]),
    /// The instances' overrides set to exactly these (a parameter left out takes the stack
    /// set's value again).
    Update(&'a [(String, String)]),
    /// The instances and their stacks deleted.
    Delete,
}

/// The instances one call touches: accounts in regions.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    pub accounts: &'a [String],
    pub regions: &'a [String],
}

fn preferences(p: &Preferences) -> StackSetOperationPreferences {
    StackSetOperationPreferences::builder()
        .max_concurrent_percentage(i32::from(p.max_concurrent_percentage))
        .failure_tolerance_percentage(i32::from(p.failure_tolerance_percentage))
        .set_region_order((!p.region_order.is_empty()).then(|| p.region_order.clone()))
        .region_concurrency_type(match p.regions_in_parallel {
            true => RegionConcurrencyType::Parallel,
            false => RegionConcurrencyType::Sequential,
        })
        .concurrency_mode(match p.soft_failure_tolerance {
            true => ConcurrencyMode::SoftFailureTolerance,
            false => ConcurrencyMode::StrictFailureTolerance,
        })
        .build()
}

/// Service-managed instances are named by OU and account; self-managed ones by account.
fn deployment_targets(permissions: &Permissions, accounts: &[String]) -> Option<DeploymentTargets> {
    match permissions {
        Permissions::Service { units } => Some(
            DeploymentTargets::builder()
                .set_organizational_unit_ids(Some(units.clone()))
                .set_accounts(Some(accounts.to_vec()))
                .account_filter_type(AccountFilterType::Intersection)
                .build(),
        ),
        Permissions::SelfManaged { .. } => None,
    }
}

fn self_managed_accounts(permissions: &Permissions, accounts: &[String]) -> Option<Vec<String>> {
    matches!(permissions, Permissions::SelfManaged { .. }).then(|| accounts.to_vec())
}

/// What CreateStackSet and UpdateStackSet share (builders of their own types): the
/// template, parameters, tags, roles, and managed execution (operations that do not
/// conflict run at once, the others queue).
macro_rules! spec {
    ($call:expr, $spec:expr) => {{
        let (body, url) = $spec.template.body_or_url();
        let (admin, exec) = $spec.permissions.roles();
        $call
            .stack_set_name(&$spec.name)
            .description(&$spec.description)
            .set_template_body(body)
            .set_template_url(url)
            .set_parameters(Some(parameters(&$spec.parameters)))
            .set_tags(Some(super::tags(&$spec.tags)))
            .capabilities(Capability::CapabilityIam)
            .set_administration_role_arn(admin)
            .set_execution_role_name(exec)
            .managed_execution(ManagedExecution::builder().active(true).build())
    }};
}

/// The part every call on instances shares (each a builder of its own type): the stack set,
/// the targets as the permission model names them, the preferences and the operation id.
macro_rules! instances {
    ($call:expr, $name:expr, $permissions:expr, $targets:expr, $prefs:expr, $id:expr) => {
        $call
            .stack_set_name($name)
            .set_accounts(self_managed_accounts($permissions, $targets.accounts))
            .set_deployment_targets(deployment_targets($permissions, $targets.accounts))
            .set_regions(Some($targets.regions.to_vec()))
            .operation_preferences(preferences($prefs))
            .operation_id($id)
    };
}

impl From<&aws_sdk_cloudformation::types::StackInstanceSummary> for InstanceView {
    fn from(s: &aws_sdk_cloudformation::types::StackInstanceSummary) -> InstanceView {
        InstanceView {
            account: s.account().unwrap_or_default().to_string(),
            region: s.region().unwrap_or_default().to_string(),
            stack_id: s.stack_id().map(str::to_string),
            status: s.status().map_or("?", |s| s.as_str()).to_string(),
            detailed_status: (s.stack_instance_status())
                .and_then(|d| d.detailed_status())
                .map_or("?", |d| d.as_str())
                .to_string(),
            reason: s.status_reason().map(str::to_string),
            overrides: Vec::new(),
        }
    }
}

impl Aws {
    /// The stack set, or `None` when there is none of that name.
    pub async fn describe_stack_set(&self, name: &str) -> Result<Option<StackSetView>, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_set()
            .stack_set_name(name)
            .send()
            .await
            .map_err(failed("DescribeStackSet"));
        let out = match out {
            Err(e) if e.is(&ErrorKind::NotFound) => return Ok(None),
            other => other?,
        };
        let Some(set) = out.stack_set() else {
            return Ok(None);
        };
        Ok(Some(StackSetView {
            name: set.stack_set_name().unwrap_or(name).to_string(),
            status: set.status().map_or("?", |s| s.as_str()).to_string(),
            permission_model: (set.permission_model())
                .map_or("SELF_MANAGED", |p| p.as_str())
                .to_string(),
            parameters: pairs(set.parameters()),
            template_body: set.template_body().unwrap_or_default().to_string(),
            managed_execution: (set.managed_execution())
                .and_then(|m| m.active())
                .unwrap_or(false),
            organizational_units: set.organizational_unit_ids().to_vec(),
        }))
    }

    /// Creates the stack set (no instances yet), with managed execution so that operations
    /// on different instances run at once and conflicting ones queue.
    pub async fn create_stack_set(&self, spec: &StackSetSpec, token: &str) -> Result<(), Error> {
        let model = match spec.permissions {
            Permissions::Service { .. } => PermissionModels::ServiceManaged,
            Permissions::SelfManaged { .. } => PermissionModels::SelfManaged,
        };
        spec!(self.clients.cloudformation.create_stack_set(), spec)
            .permission_model(model)
            .client_request_token(token)
            .send()
            .await
            .map(drop)
            .map_err(failed("CreateStackSet"))
    }

    /// New template and stack-set parameters for every instance (their overrides kept).
    pub async fn update_stack_set(
        &self,
        spec: &StackSetSpec,
        prefs: &Preferences,
        operation_id: &str,
    ) -> Result<(), Error> {
        spec!(self.clients.cloudformation.update_stack_set(), spec)
            .operation_preferences(preferences(prefs))
            .operation_id(operation_id)
            .send()
            .await
            .map(drop)
            .map_err(failed("UpdateStackSet"))
    }

    pub async fn delete_stack_set(&self, name: &str) -> Result<(), Error> {
        self.clients
            .cloudformation
            .delete_stack_set()
            .stack_set_name(name)
            .send()
            .await
            .map(drop)
            .map_err(failed("DeleteStackSet"))
    }

    /// Creates, updates or deletes the targets' instances (and their stacks) as one
    /// operation.
    pub async fn change_stack_instances(
        &self,
        name: &str,
        permissions: &Permissions,
        targets: Targets<'_>,
        change: InstanceChange<'_>,
        prefs: &Preferences,
        operation_id: &str,
    ) -> Result<(), Error> {
        let cfn = &self.clients.cloudformation;
        match change {
            InstanceChange::Create(overrides) => instances!(
                cfn.create_stack_instances(),
                name,
                permissions,
                targets,
                prefs,
                operation_id
            )
            .set_parameter_overrides(Some(parameters(overrides)))
            .send()
            .await
            .map(drop)
            .map_err(failed("CreateStackInstances")),
            InstanceChange::Update(overrides) => instances!(
                cfn.update_stack_instances(),
                name,
                permissions,
                targets,
                prefs,
                operation_id
            )
            .set_parameter_overrides(Some(parameters(overrides)))
            .send()
            .await
            .map(drop)
            .map_err(failed("UpdateStackInstances")),
            InstanceChange::Delete => instances!(
                cfn.delete_stack_instances(),
                name,
                permissions,
                targets,
                prefs,
                operation_id
            )
            .retain_stacks(false)
            .send()
            .await
            .map(drop)
            .map_err(failed("DeleteStackInstances")),
        }
    }

    /// Every instance of the stack set, all pages.
    pub async fn stack_instances(&self, name: &str) -> Result<Vec<InstanceView>, Error> {
        let mut found = Vec::new();
        let mut pages = self
            .clients
            .cloudformation
            .list_stack_instances()
            .stack_set_name(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("ListStackInstances"))?;
            found.extend(page.summaries().iter().map(InstanceView::from));
        }
        Ok(found)
    }

    /// One instance with its overrides, or `None` when the stack set has none there.
    pub async fn stack_instance(
        &self,
        name: &str,
        account: &str,
        region: &str,
    ) -> Result<Option<InstanceView>, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_instance()
            .stack_set_name(name)
            .stack_instance_account(account)
            .stack_instance_region(region)
            .send()
            .await
            .map_err(failed("DescribeStackInstance"));
        let out = match out {
            Err(e) if e.code() == Some("StackInstanceNotFoundException") => return Ok(None),
            other => other?,
        };
        let Some(i) = out.stack_instance() else {
            return Ok(None);
        };
        Ok(Some(InstanceView {
            account: i.account().unwrap_or(account).to_string(),
            region: i.region().unwrap_or(region).to_string(),
            stack_id: i.stack_id().map(str::to_string),
            status: i.status().map_or("?", |s| s.as_str()).to_string(),
            detailed_status: (i.stack_instance_status())
                .and_then(|d| d.detailed_status())
                .map_or("?", |d| d.as_str())
                .to_string(),
            reason: i.status_reason().map(str::to_string),
            overrides: pairs(i.parameter_overrides()),
        }))
    }

    pub async fn stack_set_operation(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<OperationView, Error> {
        let out = self
            .clients
            .cloudformation
            .describe_stack_set_operation()
            .stack_set_name(name)
            .operation_id(operation_id)
            .send()
            .await
            .map_err(failed("DescribeStackSetOperation"))?;
        let op = out.stack_set_operation();
        Ok(OperationView {
            status: (op.and_then(|o| o.status()))
                .map_or("?", |s| s.as_str())
                .to_string(),
            reason: op.and_then(|o| o.status_reason()).map(str::to_string),
        })
    }

    /// Each account and region's outcome of the operation, all pages.
    pub async fn stack_set_operation_results(
        &self,
        name: &str,
        operation_id: &str,
    ) -> Result<Vec<OperationResult>, Error> {
        let mut found = Vec::new();
        let mut pages = self
            .clients
            .cloudformation
            .list_stack_set_operation_results()
            .stack_set_name(name)
            .operation_id(operation_id)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("ListStackSetOperationResults"))?;
            found.extend(page.summaries().iter().map(|s| OperationResult {
                account: s.account().unwrap_or_default().to_string(),
                region: s.region().unwrap_or_default().to_string(),
                status: s.status().map_or("?", |s| s.as_str()).to_string(),
                reason: s.status_reason().map(str::to_string),
            }));
        }
        Ok(found)
    }
}
