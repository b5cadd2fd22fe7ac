//! Follow-up checks on the function's side ([`crate::followup`] holds the rules): arranging
//! the first check after creating a task, and a check itself (describe the task; running:
//! the next check; ended badly: the FailedTasks metric, the alarm topic's message with the
//! completion report summarised, and the task tagged [`REPORTED_TAG`] so the schedule's next
//! run does not count it again).

use aws_sdk_fsx::types::{DataRepositoryTask, Tag};
use aws_sdk_s3::error::ProvideErrorMetadata;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use tracing::{info, warn};

use crate::aws::AwsError;
use crate::config::{Config, ConfigError, FileSystemId, ReportPath, ScheduleName, TaskType};
use crate::followup::{given_up_message, message, Cap, Check, Ended, ReportRead};
use crate::handler::{Handler, RunError};
use crate::plan::TaskRequest;
use crate::report::{report_objects, summarise_start, READ_LIMIT};
use crate::{env, lifecycle, metrics, REPORTED_TAG};

/// What checks need beyond a run: where the message goes, and the clients to read the report
/// and send it.
#[derive(Debug, Clone)]
pub struct FollowUps {
    pub sns: aws_sdk_sns::Client,
    pub s3: aws_sdk_s3::Client,
    /// ALARM_TOPIC_ARN.
    pub topic_arn: String,
    /// FOLLOW_UP_CAP_MINUTES: the longest wait between two checks.
    pub cap: Cap,
}

impl FollowUps {
    /// From the environment the template sets; none without ALARM_TOPIC_ARN (a stack made
    /// before follow-up checks: failures are reported at the next run, as they were). A bad
    /// FOLLOW_UP_CAP_MINUTES is an error naming it.
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String>,
        sns: aws_sdk_sns::Client,
        s3: aws_sdk_s3::Client,
    ) -> Result<Option<FollowUps>, ConfigError> {
        let Some(topic_arn) = lookup(env::ALARM_TOPIC_ARN).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let cap = Cap::from_lookup(lookup)?;
        Ok(Some(FollowUps {
            sns,
            s3,
            topic_arn,
            cap,
        }))
    }
}

impl FollowUps {
    /// Publishes one message to the alarm topic.
    async fn tell(&self, subject: String, body: String) -> Result<(), AwsError> {
        self.sns
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(subject)
            .message(body)
            .send()
            .await
            .map(drop)
            .map_err(|e| AwsError::from_sdk("Publish", e))
    }
}

/// The configuration of a Handler that only checks: the file system's; a check plans no task,
/// so the settings of one (not in the environment of a stack with named schedules) are unused.
pub fn check_config(file_system_id: FileSystemId) -> Config {
    Config {
        file_system_id,
        task_type: TaskType::Export,
        paths: Vec::new(),
        // The template's default.
        report_path: ReportPath::parse("/fsx-drt-completion-reports")
            .unwrap_or_else(|e| unreachable!("the default report path: {e}")),
        release_after_days: 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckOutcome {
    /// Still running: checked again at `next_check`.
    Running,
    /// Ended badly: metric and message sent.
    Reported,
    /// Ended badly, and already reported (a retried check).
    AlreadyReported,
    /// Ended well: nothing to say.
    Ended,
    /// Still running a day after its creation: no longer followed.
    GivenUp,
    /// FSx no longer knows the task.
    NotFound,
}

/// A check's result (the invocation's, in the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckResult {
    pub outcome: CheckOutcome,
    pub task_id: String,
    pub lifecycle: Option<String>,
    /// RFC 3339, UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_check: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// How long the schedule's previous finished task took: the newest ended task of the same
/// type writing the same report path, other than `created`.
pub fn expected_length(
    tasks: &[DataRepositoryTask],
    request: &TaskRequest,
    created: Option<&str>,
) -> Option<Duration> {
    let report_path = request.report.path.trim_end_matches('/');
    tasks
        .iter()
        .filter(|t| t.task_id() != created)
        .filter(|t| t.r#type().map(|t| t.as_str()) == Some(request.task_type))
        .filter(|t| {
            t.report()
                .and_then(|r| r.path())
                .map(|p| p.trim_end_matches('/'))
                == Some(report_path)
        })
        .filter_map(|t| {
            let (start, end) = (t.start_time()?, t.end_time()?);
            Some((t.creation_time()?.secs(), end.secs() - start.secs()))
        })
        .filter(|(_, seconds)| *seconds >= 0)
        .max_by_key(|(created, _)| *created)
        .map(|(_, seconds)| Duration::seconds(seconds))
}

fn utc(time: &aws_sdk_fsx::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Handler {
    /// After a run created `task`: its first check, when the function can schedule itself
    /// and has a topic. A check that cannot be arranged is a warning, not a failed run (the
    /// next run still reports the task).
    pub(crate) async fn arrange_first_check(
        &self,
        task: &DataRepositoryTask,
        tasks: &[DataRepositoryTask],
        request: &TaskRequest,
        schedule: Option<&ScheduleName>,
        warnings: &mut Vec<String>,
    ) {
        let (Some(later), Some(follow_ups), Some(task_id)) =
            (&self.later, &self.follow_ups, task.task_id())
        else {
            return;
        };
        let now = Utc::now();
        let created = task.creation_time().and_then(utc).unwrap_or(now);
        let expected = expected_length(tasks, request, Some(task_id));
        let check = Check::first(
            task_id,
            schedule.map(ScheduleName::as_str),
            created,
            expected,
            follow_ups.cap,
        );
        let what = format!("fsx-drt: check {} of task {task_id}", check.attempt);
        if let Err(e) = later
            .invoke_at(&check.schedule_name(), check.at(now), &check.input(), &what)
            .await
        {
            warn!(error = %e, task_id, "no follow-up check arranged");
            warnings.push(format!(
                "no follow-up check of {task_id} arranged ({e}); the next run reports it"
            ));
        }
    }

    /// One follow-up check of a task.
    pub async fn check(&self, check: &Check) -> Result<CheckResult, RunError> {
        let mut result = CheckResult {
            outcome: CheckOutcome::NotFound,
            task_id: check.task_id.clone(),
            lifecycle: None,
            next_check: None,
            warnings: Vec::new(),
        };
        let described = self
            .fsx
            .describe_data_repository_tasks()
            .task_ids(&check.task_id)
            .send()
            .await;
        let task = match described {
            Ok(out) => out.data_repository_tasks().first().cloned(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_data_repository_task_not_found()) =>
            {
                None
            }
            Err(e) => {
                return Err(RunError::Aws(AwsError::from_sdk(
                    "DescribeDataRepositoryTasks",
                    e,
                )))
            }
        };
        let Some(task) = task else {
            info!(task_id = %check.task_id, "checked task not found");
            return Ok(result);
        };
        let lifecycle = task.lifecycle().map_or("", |l| l.as_str()).to_string();
        let failed = task.status().and_then(|s| s.failed_count()).unwrap_or(0);
        result.lifecycle = Some(lifecycle.clone());
        if lifecycle::is_running(&lifecycle) {
            let now = Utc::now();
            let cap = self.follow_ups.as_ref().map_or(Cap::DEFAULT, |f| f.cap);
            let Some(next) = check.next(now, cap) else {
                warn!(task_id = %check.task_id, "task still running a day after its creation: no longer followed");
                result.outcome = CheckOutcome::GivenUp;
                return Ok(result);
            };
            if let Some(later) = &self.later {
                let what = format!("fsx-drt: check {} of task {}", next.attempt, check.task_id);
                later
                    .invoke_at(&next.schedule_name(), next.at(now), &next.input(), &what)
                    .await
                    .map_err(RunError::Aws)?;
                result.next_check = Some(rfc3339(next.at(now)));
            }
            result.outcome = CheckOutcome::Running;
            return Ok(result);
        }
        if !lifecycle::ended_badly(&lifecycle, failed) {
            info!(task_id = %check.task_id, %lifecycle, "checked task ended well");
            result.outcome = CheckOutcome::Ended;
            return Ok(result);
        }
        if self.reported(&task).await {
            result.outcome = CheckOutcome::AlreadyReported;
            return Ok(result);
        }
        let schedule = check
            .schedule
            .as_deref()
            .and_then(|s| ScheduleName::parse(s).ok());
        self.publish(
            metrics::FAILED_TASKS,
            schedule.as_ref(),
            &mut result.warnings,
        )
        .await?;
        self.send_message(&task, check).await?;
        self.mark_reported(&task, &mut result.warnings).await;
        warn!(task_id = %check.task_id, %lifecycle, failed, "task ended badly: reported");
        result.outcome = CheckOutcome::Reported;
        Ok(result)
    }

    /// Tells the alarm topic that a slot was given up; a message that cannot be sent is a
    /// warning (SkippedRuns, already published, raises nothing, but the run itself is done).
    pub(crate) async fn tell_given_up(
        &self,
        schedule: Option<&ScheduleName>,
        scheduled: Option<DateTime<Utc>>,
        reason: &str,
        warnings: &mut Vec<String>,
    ) {
        let (Some(follow_ups), Some(schedule), Some(scheduled)) =
            (&self.follow_ups, schedule, scheduled)
        else {
            return;
        };
        let fs = self.config.file_system_id.as_str();
        let (subject, body) = given_up_message(schedule.as_str(), scheduled, fs, reason);
        if let Err(e) = follow_ups.tell(subject, body).await {
            warn!(error = %e, "the message about the slot given up was not sent");
            warnings.push(format!("the alarm topic was not told ({e})"));
        }
    }

    async fn send_message(&self, task: &DataRepositoryTask, check: &Check) -> Result<(), RunError> {
        let Some(follow_ups) = &self.follow_ups else {
            return Ok(());
        };
        let status = task.status();
        let ended = Ended {
            task_id: check.task_id.clone(),
            task_type: task.r#type().map_or("", |t| t.as_str()).to_string(),
            file_system_id: task.file_system_id().unwrap_or("?").to_string(),
            schedule: check.schedule.clone(),
            lifecycle: task.lifecycle().map_or("", |l| l.as_str()).to_string(),
            end_time: task.end_time().and_then(utc),
            total: status.and_then(|s| s.total_count()),
            succeeded: status.and_then(|s| s.succeeded_count()),
            failed: status.and_then(|s| s.failed_count()),
            failure: task
                .failure_details()
                .and_then(|d| d.message())
                .map(str::to_string),
        };
        let report = self.read_report(task, &follow_ups.s3).await;
        let (subject, body) = message(&ended, &report);
        follow_ups.tell(subject, body).await.map_err(RunError::Aws)
    }

    /// The task's completion report, summarised from its first [`READ_LIMIT`] bytes.
    async fn read_report(&self, task: &DataRepositoryTask, s3: &aws_sdk_s3::Client) -> ReportRead {
        let report = task.report().filter(|r| r.enabled().unwrap_or(false));
        let Some(path) = report.and_then(|r| r.path()) else {
            return ReportRead::Disabled;
        };
        if task.status().and_then(|s| s.failed_count()) == Some(0) {
            return ReportRead::NoFailedFiles;
        }
        let task_type = task.r#type().map_or("", |t| t.as_str());
        let Some(objects) = report_objects(path, task.task_id().unwrap_or(""), task_type) else {
            return ReportRead::Unreadable {
                location: path.to_string(),
                error: "not an s3:// path".into(),
            };
        };
        for object in &objects {
            let got = s3
                .get_object()
                .bucket(&object.bucket)
                .key(&object.key)
                .range(format!("bytes=0-{}", READ_LIMIT - 1))
                .send()
                .await;
            let out = match got {
                Ok(out) => out,
                Err(e) => match e.code() {
                    Some("NoSuchKey" | "NoSuchBucket") => continue,
                    // S3 answers a range of an empty object so.
                    Some("InvalidRange") => {
                        return ReportRead::Summarised(summarise_start(&object.to_string(), "", 0))
                    }
                    _ => {
                        return ReportRead::Unreadable {
                            location: object.to_string(),
                            error: AwsError::from_sdk("GetObject", e).to_string(),
                        }
                    }
                },
            };
            let total = out
                .content_range()
                .and_then(|r| r.rsplit_once('/'))
                .and_then(|(_, total)| total.parse::<u64>().ok());
            return match out.body.collect().await {
                Ok(body) => {
                    let bytes = body.into_bytes();
                    let text = String::from_utf8_lossy(&bytes);
                    let total = total.unwrap_or(bytes.len() as u64);
                    ReportRead::Summarised(summarise_start(&object.to_string(), &text, total))
                }
                Err(e) => ReportRead::Unreadable {
                    location: object.to_string(),
                    error: format!("GetObject: the content did not arrive whole: {e}"),
                },
            };
        }
        ReportRead::Missing(objects.iter().map(ToString::to_string).collect())
    }

    /// Whether a check has reported the task already (its [`REPORTED_TAG`]); a tag that
    /// cannot be read counts as not reported (twice is better than never).
    pub(crate) async fn reported(&self, task: &DataRepositoryTask) -> bool {
        let Some(arn) = task.resource_arn() else {
            return false;
        };
        match self
            .fsx
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
        {
            Ok(out) => out
                .tags()
                .iter()
                .any(|t| t.key() == Some(REPORTED_TAG) && t.value() == Some("true")),
            Err(e) => {
                warn!(error = %AwsError::from_sdk("ListTagsForResource", e), "reported tag not read");
                false
            }
        }
    }

    async fn mark_reported(&self, task: &DataRepositoryTask, warnings: &mut Vec<String>) {
        let Some(arn) = task.resource_arn() else {
            return;
        };
        let tag = Tag::builder().key(REPORTED_TAG).value("true").build();
        if let Err(e) = self
            .fsx
            .tag_resource()
            .resource_arn(arn)
            .tags(tag)
            .send()
            .await
        {
            let e = AwsError::from_sdk("TagResource", e);
            warn!(error = %e, "task not tagged as reported");
            warnings.push(format!(
                "the task was not tagged as reported ({e}); the next run may count it again"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checking_handler_has_the_file_system_s_configuration() {
        let fs = FileSystemId::parse("fs-0123456789abcdef0").unwrap();
        assert_eq!(check_config(fs.clone()).file_system_id, fs);
    }
}
