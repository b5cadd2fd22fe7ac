//! The rules the fsx-drt Lambda and the CLI share.
//!
//! The Lambda reads its configuration from the environment the CloudFormation template sets,
//! or a schedule's task settings from the schedule's event ([`event`]); the CLI validates the
//! same values before deploying. Both go through the parsers here, so a
//! value the CLI accepts is exactly a value the Lambda can run with.

pub mod after;
#[cfg(feature = "aws")]
pub mod aws;
pub mod capacity;
pub mod config;
pub mod deferral;
pub mod event;
#[cfg(feature = "handler")]
pub mod follow;
pub mod followup;
#[cfg(feature = "handler")]
pub mod handler;
#[cfg(feature = "handler")]
pub mod later;
#[cfg(feature = "runtime")]
pub mod logging;
pub mod paths;
pub mod plan;
pub mod report;
pub mod slot;

/// The CloudWatch metrics the Lambda publishes; the template's alarm and IAM condition name
/// the same ones.
pub mod metrics {
    /// Namespace of every fsx-drt metric (the role may publish to this one only).
    pub const NAMESPACE: &str = "FsxDrt";
    /// Count of finished tasks that FAILED or had failed files; the second alarm watches it.
    pub const FAILED_TASKS: &str = "FailedTasks";
    /// Count of runs skipped because a task was still pending or executing.
    pub const SKIPPED_RUNS: &str = "SkippedRuns";
    /// The dimension both carry: the function's own name.
    pub const DIMENSION: &str = "FunctionName";
    /// The second dimension of the same datapoint published again for a run of a schedule
    /// (value: the schedule's name), beside the one with FunctionName alone.
    pub const SCHEDULE_DIMENSION: &str = "Schedule";
}

/// What a data repository task's Lifecycle means to fsx-drt: one definition for the Lambda,
/// `tasks`, `run --wait`, `status` and `destroy`.
pub mod lifecycle {
    /// Still holding the file system (FSx runs one task at a time): PENDING or EXECUTING, and
    /// CANCELING, which has not let go yet.
    pub fn is_running(lifecycle: &str) -> bool {
        matches!(lifecycle, "PENDING" | "EXECUTING" | "CANCELING")
    }

    /// Ended without doing all it was asked: FAILED or CANCELED, or SUCCEEDED with files that
    /// failed (the completion report lists them).
    pub fn ended_badly(lifecycle: &str, failed_files: i64) -> bool {
        matches!(lifecycle, "FAILED" | "CANCELED") || (lifecycle == "SUCCEEDED" && failed_files > 0)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn running_and_ended_badly() {
            for (lifecycle, running, bad, bad_with_failed_files) in [
                ("PENDING", true, false, false),
                ("EXECUTING", true, false, false),
                ("CANCELING", true, false, false),
                ("SUCCEEDED", false, false, true),
                ("FAILED", false, true, true),
                ("CANCELED", false, true, true),
            ] {
                assert_eq!(is_running(lifecycle), running, "{lifecycle}");
                assert_eq!(ended_badly(lifecycle, 0), bad, "{lifecycle}");
                assert_eq!(
                    ended_badly(lifecycle, 2),
                    bad_with_failed_files,
                    "{lifecycle}"
                );
            }
        }
    }
}

/// The tag key on every task the function creates (value: the function's name), so the next
/// run finds its own tasks; the role may tag with this key only.
pub const TASK_TAG: &str = "fsx-drt:function";

/// The tag key on every task a schedule's run creates (value: the schedule's name), beside
/// [`TASK_TAG`], so the schedule's next run finds the schedule's own tasks; the role must be
/// allowed to tag with this key too.
pub const SCHEDULE_TAG: &str = "fsx-drt:schedule";

/// The tag key on every task a scheduled run creates (value: the slot's minute,
/// `2026-11-25T22:00Z`), so a schedule that runs After this one finds the task of the slot it
/// waits for ([`after`]).
pub const SLOT_TAG: &str = "fsx-drt:slot";

/// The tag key a follow-up check puts on a task it has reported as ended badly (value
/// `true`), so the schedule's next run does not count it again.
pub const REPORTED_TAG: &str = "fsx-drt:reported";

/// The template's Outputs the CLI reads (`status`, `run`): renaming one in the template
/// breaks them, so tests/offline/template.rs holds the template to this list.
pub mod outputs {
    pub const FUNCTION_NAME: &str = "FunctionName";
    pub const FUNCTION_ARN: &str = "FunctionArn";
    pub const SCHEDULE_GROUP_NAME: &str = "ScheduleGroupName";
    pub const TOPIC_ARN: &str = "TopicArn";
    pub const ALARM_TOPIC_KEY_ARN: &str = "AlarmTopicKeyArn";
    pub const ERROR_ALARM_NAME: &str = "ErrorAlarmName";
    pub const FAILED_TASK_ALARM_NAME: &str = "FailedTaskAlarmName";
    /// Only with a capacity alarm (ReleaseWhenFreeBelowPercent).
    pub const FREE_CAPACITY_ALARM_NAME: &str = "FreeCapacityAlarmName";
    pub const SCHEDULE: &str = "Schedule";
    pub const TIMEZONE: &str = "Timezone";
    pub const DEAD_LETTER_QUEUE_URL: &str = "DeadLetterQueueUrl";
    pub const DEAD_LETTER_QUEUE_ARN: &str = "DeadLetterQueueArn";
    pub const LOG_GROUP_NAME: &str = "LogGroupName";
    pub const ALL: [&str; 13] = [
        FUNCTION_NAME,
        FUNCTION_ARN,
        SCHEDULE_GROUP_NAME,
        TOPIC_ARN,
        ALARM_TOPIC_KEY_ARN,
        ERROR_ALARM_NAME,
        FAILED_TASK_ALARM_NAME,
        FREE_CAPACITY_ALARM_NAME,
        SCHEDULE,
        TIMEZONE,
        DEAD_LETTER_QUEUE_URL,
        DEAD_LETTER_QUEUE_ARN,
        LOG_GROUP_NAME,
    ];
}

/// The environment variables the template sets for the function.
pub mod env {
    pub const FILE_SYSTEM_ID: &str = "FILE_SYSTEM_ID";
    pub const TASK_TYPE: &str = "TASK_TYPE";
    pub const FSX_PATHS: &str = "FSX_PATHS";
    pub const COMPLETION_REPORT_PATH: &str = "COMPLETION_REPORT_PATH";
    pub const RELEASE_AFTER_DAYS: &str = "RELEASE_AFTER_DAYS";
    pub const METRIC_NAMESPACE: &str = "METRIC_NAMESPACE";
    /// The stack's schedule group and the role its schedules invoke the function with: where
    /// the function schedules a deferred run's next try ([`crate::later`]).
    pub const SCHEDULE_GROUP: &str = "SCHEDULE_GROUP";
    pub const SCHEDULER_ROLE_ARN: &str = "SCHEDULER_ROLE_ARN";
    /// The written template's schedule's MaxDeferMinutes (a rendered schedule's input holds
    /// its own).
    pub const MAX_DEFER_MINUTES: &str = "MAX_DEFER_MINUTES";
    /// The capacity release's settings, a schedule's target input without its slot (empty:
    /// no capacity alarm), see [`crate::capacity`].
    pub const CAPACITY_RELEASE: &str = "CAPACITY_RELEASE";
    /// The topic a follow-up check tells of a task that ended badly ([`crate::followup`]):
    /// the stack's alarm topic, or the team's (AlarmTopicArn). Unset: no follow-up checks.
    pub const ALARM_TOPIC_ARN: &str = "ALARM_TOPIC_ARN";
    /// The longest wait between two follow-up checks of a task, in minutes
    /// ([`crate::followup::Cap`]); unset: the default.
    pub const FOLLOW_UP_CAP_MINUTES: &str = "FOLLOW_UP_CAP_MINUTES";
    pub const ALL: [&str; 12] = [
        FILE_SYSTEM_ID,
        TASK_TYPE,
        FSX_PATHS,
        COMPLETION_REPORT_PATH,
        RELEASE_AFTER_DAYS,
        METRIC_NAMESPACE,
        SCHEDULE_GROUP,
        SCHEDULER_ROLE_ARN,
        MAX_DEFER_MINUTES,
        CAPACITY_RELEASE,
        ALARM_TOPIC_ARN,
        FOLLOW_UP_CAP_MINUTES,
    ];
}

pub use config::{Config, ConfigError, FileSystemId, ReportPath, ScheduleName, TaskType};
pub use paths::{parse_paths, render_paths, FsPath};

/// Why a value was refused: what is wrong (and what is allowed), and how to fix it.
///
/// The caller knows the value's name (a CLI parameter, a Lambda environment variable or a
/// field of a schedule's event) and adds it when reporting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub problem: String,
    pub fix: String,
}

impl Invalid {
    pub fn new(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}; fix: {}", self.problem, self.fix)
    }
}
