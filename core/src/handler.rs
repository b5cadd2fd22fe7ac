//! One scheduled run: find the data repositories, plan the task, skip if one is still running,
//! report the previous task's failure, create the task for this slot.
//!
//! A run of an EventBridge Scheduler schedule ([`Invocation`] with a schedule) takes its task
//! settings from the schedule's event, tags its task with the schedule's name, looks only at
//! that schedule's tasks for the previous failure, and publishes each metric twice: with the
//! dimension FunctionName, as every run does, and with FunctionName and Schedule.

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_fsx::operation::create_data_repository_task::CreateDataRepositoryTaskError;
use aws_sdk_fsx::types::{
    CompletionReport, DataRepositoryTask, DataRepositoryTaskType, DurationSinceLastAccess,
    ReleaseConfiguration, ReportFormat, ReportScope, Tag, Unit,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::{info, warn};

use crate::after::{self, TaskOfSlot, Verdict};
use crate::aws::{repositories, tasks, AwsError};
use crate::config::{Config, ScheduleName};
use crate::deferral::Next;
use crate::event::Invocation;
use crate::follow::FollowUps;
use crate::later::Later;
use crate::plan::{plan, PlanError, TaskRequest};
use crate::slot::Slot;
use crate::{lifecycle, metrics, SCHEDULE_TAG, SLOT_TAG, TASK_TAG};

/// How many of the newest tasks with this function's report path (and, for a schedule's run,
/// the schedule's task type) are asked for their tags before giving up on finding its latest
/// (more only when other stacks, or other schedules of the same type, share the path).
const MAX_TAG_LOOKUPS: usize = 5;

/// How many tasks created within the window of a schedule's current slot are asked for their
/// tags when a run waits for that schedule (a file system runs one task at a time, so a
/// day's window holds few).
const MAX_AFTER_LOOKUPS: usize = 20;

/// The SDK clients, built once when the function starts, and the configuration (a schedule's
/// run uses its file system only, and the schedule's settings).
pub struct Handler {
    pub fsx: aws_sdk_fsx::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub config: Config,
    /// This function's name: the metrics' dimension and the tasks' tag.
    pub function_name: String,
    pub namespace: String,
    /// When false, a metric that cannot be published is a warning in the result instead of
    /// a failed run (the CLI's `run --direct`; the function itself needs them for its alarm).
    pub metrics_required: bool,
    /// How the function invokes itself later (a deferred run's next try); none: a busy run is
    /// skipped (`run --direct`, a stack made before deferrals).
    pub later: Option<Later>,
    /// Follow-up checks of the tasks it creates ([`crate::followup`]); none: a task's failure
    /// is reported at the schedule's next run only.
    pub follow_ups: Option<FollowUps>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    /// The file system was busy: the slot is tried again at `next_try`.
    Deferred,
    Skipped,
}

/// The invocation's result, as the reference's troubleshooting reads it (TaskId, Lifecycle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunResult {
    pub outcome: Outcome,
    pub task_id: Option<String>,
    pub lifecycle: Option<String>,
    #[serde(rename = "Type")]
    pub task_type: String,
    pub paths: Vec<String>,
    pub client_request_token: String,
    /// The schedule the run was for; none for a run with the environment's settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A deferred run's next try (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_try: Option<String>,
    /// What went wrong without failing the run (metrics not published).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug)]
pub enum RunError {
    Plan(PlanError),
    Aws(AwsError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Plan(e) => write!(f, "cannot plan the task: {e}"),
            RunError::Aws(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RunError {}

impl Handler {
    /// Handles one event with the configuration's settings, as before schedules: its slot is
    /// an EventBridge rule's or the invocation's (`request_id`), and a `Schedule` in it is not
    /// read. [`Invocation::of`] and [`Handler::run_invocation`] read schedules' events too.
    pub async fn run(&self, event: &Value, request_id: &str) -> Result<RunResult, RunError> {
        let invocation = Invocation {
            slot: Slot::of(event, request_id),
            schedule_name: None,
            schedule: None,
            retry: None,
        };
        self.run_invocation(&invocation).await
    }

    /// Handles one invocation: a schedule's with the schedule's settings on this file system,
    /// any other with the configuration's.
    pub async fn run_invocation(&self, invocation: &Invocation) -> Result<RunResult, RunError> {
        let mut warnings = Vec::new();
        let mut result = self.run_once(invocation, &mut warnings).await?;
        result.warnings = warnings;
        Ok(summary(result))
    }

    async fn run_once(
        &self,
        invocation: &Invocation,
        warnings: &mut Vec<String>,
    ) -> Result<RunResult, RunError> {
        let token = invocation.slot.token();
        let schedule = invocation.schedule_name.as_ref();
        let scheduled;
        let config = match &invocation.schedule {
            Some(s) => {
                scheduled = s.config(self.config.file_system_id.clone());
                &scheduled
            }
            None => &self.config,
        };
        let repositories = repositories(&self.fsx, config.file_system_id.as_str())
            .await
            .map_err(RunError::Aws)?;
        let plan = plan(config, &repositories).map_err(RunError::Plan)?;
        for s in &plan.skipped {
            warn!(
                association = %s.association_id,
                path = %s.file_system_path,
                lifecycle = %s.lifecycle,
                "data repository association skipped: not AVAILABLE"
            );
        }
        let request = plan.request;
        let tasks = tasks(&self.fsx, config.file_system_id.as_str())
            .await
            .map_err(RunError::Aws)?;
        // Once per slot: a deferred slot's later tries would count the same failure again.
        let first_try = invocation
            .retry
            .as_ref()
            .is_none_or(|r| r.deferral.attempt == 0);
        if first_try {
            self.report_previous_failure(&tasks, &request, schedule, warnings)
                .await?;
        }

        let base = |outcome, task: Option<&DataRepositoryTask>, reason: Option<String>| RunResult {
            outcome,
            task_id: task.and_then(|t| t.task_id()).map(str::to_string),
            lifecycle: task
                .and_then(|t| t.lifecycle())
                .map(|l| l.as_str().to_string()),
            task_type: request.task_type.to_string(),
            paths: request.paths.clone().unwrap_or_default(),
            client_request_token: token.clone(),
            schedule: schedule.map(ToString::to_string),
            reason,
            next_try: None,
            warnings: Vec::new(),
        };

        // A schedule After another: its scheduled run waits for the other's task of its
        // current slot (a manual run does not: a person asked for it).
        let after = invocation.schedule.as_ref().and_then(|s| s.after.as_ref());
        if let (Some(after), Some(scheduled)) = (after, invocation.slot.scheduled()) {
            let theirs = self
                .tasks_of(&tasks, &after.schedule, scheduled - after.within)
                .await?;
            let waiting = match after.verdict(scheduled, &theirs) {
                Verdict::Go => None,
                Verdict::Wait(reason) => Some(self.busy(invocation, reason, warnings).await?),
                Verdict::GiveUp(reason) => {
                    self.publish(metrics::SKIPPED_RUNS, schedule, warnings)
                        .await?;
                    self.tell_given_up(schedule, Some(scheduled), &reason, warnings)
                        .await;
                    Some((Outcome::Skipped, reason, None))
                }
            };
            if let Some((outcome, reason, next_try)) = waiting {
                let mut result = base(outcome, None, Some(reason));
                result.next_try = next_try;
                return Ok(result);
            }
        }

        if let Some(busy) = tasks.iter().find(|t| is_running(t)) {
            // A try of a slot whose task an earlier try created (and then failed, say, to
            // answer): that task is this slot's, not a reason to wait.
            if let (Some(_), Some(name), Some(slot)) =
                (&invocation.retry, schedule, invocation.slot.scheduled())
            {
                if self.is_slot_task(busy, name, slot).await? {
                    let reason = "this slot's task, created by an earlier try".to_string();
                    return Ok(base(Outcome::Created, Some(busy), Some(reason)));
                }
            }
            let reason = format!(
                "task {} is {} on the file system",
                busy.task_id().unwrap_or("?"),
                busy.lifecycle().map_or("running", |l| l.as_str())
            );
            let (outcome, reason, next_try) = self.busy(invocation, reason, warnings).await?;
            let mut result = base(outcome, Some(busy), Some(reason));
            result.next_try = next_try;
            return Ok(result);
        }

        let slot = invocation.slot.scheduled().filter(|_| schedule.is_some());
        match self.create(&request, &token, schedule, slot).await {
            Ok(task) => {
                self.arrange_first_check(&task, &tasks, &request, schedule, warnings)
                    .await;
                Ok(base(Outcome::Created, Some(&task), None))
            }
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(CreateDataRepositoryTaskError::DataRepositoryTaskExecuting(
                        _
                    ))
                ) =>
            {
                // Also FSx's answer to an export task while automatic export (a data
                // repository association's AutoExportPolicy) is at work.
                let reason = "FSx says a task is executing on the file system (an export task also waits for automatic export)".to_string();
                let (outcome, reason, next_try) = self.busy(invocation, reason, warnings).await?;
                let mut result = base(outcome, None, Some(reason));
                result.next_try = next_try;
                Ok(result)
            }
            Err(e) => Err(RunError::Aws(AwsError::from_sdk(
                "CreateDataRepositoryTask",
                e,
            ))),
        }
    }

    /// A busy file system: a deferrable run schedules its next try, unless its bound has
    /// passed; any other run, or one past its bound, is skipped with the SkippedRuns metric.
    async fn busy(
        &self,
        invocation: &Invocation,
        reason: String,
        warnings: &mut Vec<String>,
    ) -> Result<(Outcome, String, Option<String>), RunError> {
        let schedule = invocation.schedule_name.as_ref();
        let Some(retry) = &invocation.retry else {
            self.publish(metrics::SKIPPED_RUNS, schedule, warnings)
                .await?;
            return Ok((Outcome::Skipped, reason, None));
        };
        let since = retry.deferral.since.format("%Y-%m-%d %H:%M UTC");
        let until = retry.deferral.until.format("%Y-%m-%d %H:%M UTC");
        let later = self
            .later
            .as_ref()
            .filter(|_| retry.deferral.until > retry.deferral.since);
        match (later, retry.deferral.next(Utc::now())) {
            (Some(later), Next::TryAt(at, next)) => {
                let name = next.schedule_name(&invocation.slot.token());
                let what = format!(
                    "fsx-drt: try {} of {} (scheduled {since}), the file system was busy",
                    next.attempt,
                    schedule.map_or("the run", |s| s.as_str())
                );
                later
                    .invoke_at(&name, at, &next.input(&retry.event), &what)
                    .await
                    .map_err(RunError::Aws)?;
                let next_try = at.to_rfc3339_opts(SecondsFormat::Secs, true);
                let reason = format!(
                    "{reason}; deferred since {since}, next try {} (try {}, given up after {until})",
                    at.format("%H:%M UTC"),
                    next.attempt
                );
                Ok((Outcome::Deferred, reason, Some(next_try)))
            }
            _ => {
                self.publish(metrics::SKIPPED_RUNS, schedule, warnings)
                    .await?;
                let why = match (later, retry.deferral.attempt) {
                    (None, _) if retry.deferral.until > retry.deferral.since => {
                        "not deferred: the function cannot schedule itself (SCHEDULE_GROUP and SCHEDULER_ROLE_ARN unset; deploy the stack again)".to_string()
                    }
                    (_, 0) if retry.deferral.until == retry.deferral.since => {
                        "not deferred: MaxDeferMinutes is 0".to_string()
                    }
                    (_, 0) => format!("not deferred: its bound {until} comes before a first try"),
                    (_, n) => format!(
                        "given up after {n} tries since {since}: its bound {until} has passed"
                    ),
                };
                let reason = format!("{reason}; {why}");
                // A slot given up after waiting is worth a message; one never deferred
                // (a bound of 0, a stack made before deferrals) is the old behaviour.
                if retry.deferral.attempt > 0 {
                    let scheduled = Some(retry.deferral.since);
                    self.tell_given_up(schedule, scheduled, &reason, warnings)
                        .await;
                }
                Ok((Outcome::Skipped, reason, None))
            }
        }
    }

    /// The tasks this function made for `schedule`'s slots, among those created since
    /// `since`, with their slots (from their tags).
    async fn tasks_of(
        &self,
        tasks: &[DataRepositoryTask],
        schedule: &ScheduleName,
        since: DateTime<Utc>,
    ) -> Result<Vec<TaskOfSlot>, RunError> {
        let mut found = Vec::new();
        let recent = tasks.iter().filter(|t| {
            t.creation_time()
                .is_some_and(|c| c.secs() >= since.timestamp())
        });
        for task in recent.take(MAX_AFTER_LOOKUPS) {
            let tags = self.tags_of(task).await.map_err(RunError::Aws)?;
            let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
            let ours = tag(TASK_TAG) == Some(self.function_name.as_str())
                && tag(SCHEDULE_TAG) == Some(schedule.as_str());
            if let (true, Some(slot)) = (ours, tag(SLOT_TAG).and_then(after::parse_slot_tag)) {
                found.push(TaskOfSlot {
                    task_id: task.task_id().unwrap_or_default().to_string(),
                    slot,
                    lifecycle: task.lifecycle().map_or("", |l| l.as_str()).to_string(),
                    failed_files: task.status().and_then(|s| s.failed_count()).unwrap_or(0),
                });
            }
        }
        Ok(found)
    }

    /// Publishes FailedTasks when the latest task this function created has finished badly.
    /// Only the latest, and only once it has finished: a task still running was created after
    /// its predecessor was checked, so every task is reported once.
    ///
    /// The function's own tasks are those with its completion-report path (Report.Path, which
    /// DescribeDataRepositoryTasks returns) and its tag, read with ListTagsForResource: nothing
    /// documents that DescribeDataRepositoryTasks fills in Tags, and another stack on the same
    /// file system may use the same report path.
    ///
    /// A schedule's run looks at that schedule's tasks only: its tag too, and (before asking
    /// for tags, as the schedules of a file system often share a report path) its task type.
    async fn report_previous_failure(
        &self,
        tasks: &[DataRepositoryTask],
        request: &TaskRequest,
        schedule: Option<&ScheduleName>,
        warnings: &mut Vec<String>,
    ) -> Result<(), RunError> {
        let report_path = request.report.path.trim_end_matches('/');
        let same_report = |t: &&DataRepositoryTask| {
            t.report()
                .and_then(|r| r.path())
                .map(|p| p.trim_end_matches('/'))
                == Some(report_path)
        };
        let same_type = |t: &&DataRepositoryTask| {
            schedule.is_none() || t.r#type().map(|t| t.as_str()) == Some(request.task_type)
        };
        let mut candidates: Vec<&DataRepositoryTask> =
            tasks.iter().filter(same_report).filter(same_type).collect();
        candidates.sort_by_key(|t| {
            std::cmp::Reverse(t.creation_time().map(|c| (c.secs(), c.subsec_nanos())))
        });
        let mut latest = None;
        for task in candidates.into_iter().take(MAX_TAG_LOOKUPS) {
            match self.is_ours(task, schedule).await {
                Ok(true) => {
                    latest = Some(task);
                    break;
                }
                Ok(false) => {}
                // Not being able to tell must not cost this slot its task.
                Err(e) => {
                    warn!(error = %e, "cannot tell this function's tasks apart");
                    warnings.push(format!(
                        "the previous task was not checked for failure ({e})"
                    ));
                    return Ok(());
                }
            }
        }
        let Some(latest) = latest else { return Ok(()) };
        let failed_files = latest.status().and_then(|s| s.failed_count()).unwrap_or(0);
        let lifecycle = latest.lifecycle().map_or("", |l| l.as_str());
        // A follow-up check reported it when it ended.
        if lifecycle::ended_badly(lifecycle, failed_files) && !self.reported(latest).await {
            warn!(
                task_id = latest.task_id().unwrap_or("?"),
                lifecycle = latest.lifecycle().map_or("?", |l| l.as_str()),
                failed_files,
                failure = latest
                    .failure_details()
                    .and_then(|d| d.message())
                    .unwrap_or(""),
                "the previous task failed"
            );
            self.publish(metrics::FAILED_TASKS, schedule, warnings)
                .await?;
        }
        Ok(())
    }

    /// Whether this function created the task (for `schedule`, a run of it): its tags, as
    /// ListTagsForResource reports them.
    async fn is_ours(
        &self,
        task: &DataRepositoryTask,
        schedule: Option<&ScheduleName>,
    ) -> Result<bool, AwsError> {
        let tags = self.tags_of(task).await?;
        let tagged = |key: &str, value: &str| tags.iter().any(|(k, v)| k == key && v == value);
        Ok(tagged(TASK_TAG, &self.function_name)
            && schedule.is_none_or(|s| tagged(SCHEDULE_TAG, s.as_str())))
    }

    /// Whether this function created the task for `schedule`'s slot at `slot`.
    async fn is_slot_task(
        &self,
        task: &DataRepositoryTask,
        schedule: &ScheduleName,
        slot: DateTime<Utc>,
    ) -> Result<bool, RunError> {
        let tags = self.tags_of(task).await.map_err(RunError::Aws)?;
        let slot = after::slot_tag(slot);
        let tagged = |key: &str, value: &str| tags.iter().any(|(k, v)| k == key && v == value);
        Ok(tagged(TASK_TAG, &self.function_name)
            && tagged(SCHEDULE_TAG, schedule.as_str())
            && tagged(SLOT_TAG, &slot))
    }

    /// A task's tags, as ListTagsForResource reports them (none without an ARN).
    async fn tags_of(&self, task: &DataRepositoryTask) -> Result<Vec<(String, String)>, AwsError> {
        let Some(arn) = task.resource_arn() else {
            return Ok(Vec::new());
        };
        let tags = self
            .fsx
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("ListTagsForResource", e))?;
        Ok(tags
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect())
    }

    async fn create(
        &self,
        request: &TaskRequest,
        token: &str,
        schedule: Option<&ScheduleName>,
        slot: Option<DateTime<Utc>>,
    ) -> Result<DataRepositoryTask, aws_sdk_fsx::error::SdkError<CreateDataRepositoryTaskError>>
    {
        let report = CompletionReport::builder()
            .enabled(request.report.enabled)
            .path(&request.report.path)
            .format(ReportFormat::from(request.report.format))
            .scope(ReportScope::from(request.report.scope))
            .build();
        let release = request.release_configuration.as_ref().map(|r| {
            ReleaseConfiguration::builder()
                .duration_since_last_access(
                    DurationSinceLastAccess::builder()
                        .unit(Unit::from(r.duration_since_last_access.unit))
                        .value(r.duration_since_last_access.value.into())
                        .build(),
                )
                .build()
        });
        let tag = |key: &str, value: &str| Tag::builder().key(key).value(value).build();
        let mut tags = vec![tag(TASK_TAG, &self.function_name)];
        tags.extend(schedule.map(|s| tag(SCHEDULE_TAG, s.as_str())));
        tags.extend(slot.map(|s| tag(SLOT_TAG, &after::slot_tag(s))));
        let created = self
            .fsx
            .create_data_repository_task()
            .r#type(DataRepositoryTaskType::from(request.task_type))
            .file_system_id(&request.file_system_id)
            .set_paths(request.paths.clone())
            .report(report)
            .set_release_configuration(release)
            .client_request_token(token)
            .set_tags(Some(tags))
            .send()
            .await?;
        Ok(created
            .data_repository_task()
            .cloned()
            .unwrap_or_else(|| DataRepositoryTask::builder().build()))
    }

    /// Publishes one count of `metric` with the dimension FunctionName (the alarms' one) and,
    /// for a schedule's run, the same count with FunctionName and Schedule, in one request.
    pub(crate) async fn publish(
        &self,
        metric: &str,
        schedule: Option<&ScheduleName>,
        warnings: &mut Vec<String>,
    ) -> Result<(), RunError> {
        let dimension =
            |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
        let function = dimension(metrics::DIMENSION, &self.function_name);
        let mut sets = vec![vec![function.clone()]];
        sets.extend(schedule.map(|s| {
            vec![
                function.clone(),
                dimension(metrics::SCHEDULE_DIMENSION, s.as_str()),
            ]
        }));
        let data = sets.into_iter().map(|dimensions| {
            MetricDatum::builder()
                .metric_name(metric)
                .set_dimensions(Some(dimensions))
                .unit(StandardUnit::Count)
                .value(1.0)
                .build()
        });
        let sent = self
            .cloudwatch
            .put_metric_data()
            .namespace(&self.namespace)
            .set_metric_data(Some(data.collect()))
            .send()
            .await;
        let Err(e) = sent else { return Ok(()) };
        let message = match e.raw_response() {
            Some(raw) if e.as_service_error().and_then(|s| s.meta().code()).is_none() => {
                format!("HTTP {}", raw.status().as_u16())
            }
            _ => crate::aws::describe(&e),
        };
        let unreachable = crate::aws::unreachable(&e);
        if self.metrics_required {
            return Err(RunError::Aws(AwsError {
                operation: "PutMetricData",
                message,
                unreachable,
            }));
        }
        warn!(metric, %message, "metric not published");
        warnings.push(format!(
            "the {metric} metric was not published (PutMetricData: {message}); the alarm will not see this run"
        ));
        Ok(())
    }
}

fn is_running(task: &DataRepositoryTask) -> bool {
    task.lifecycle()
        .is_some_and(|l| lifecycle::is_running(l.as_str()))
}

/// The one log record of a run.
fn summary(result: RunResult) -> RunResult {
    info!(
        outcome = ?result.outcome,
        task_id = result.task_id.as_deref().unwrap_or(""),
        lifecycle = result.lifecycle.as_deref().unwrap_or(""),
        r#type = %result.task_type,
        schedule = result.schedule.as_deref().unwrap_or(""),
        paths = ?result.paths,
        reason = result.reason.as_deref().unwrap_or(""),
        "run finished"
    );
    result
}
