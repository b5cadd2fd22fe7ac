//! The function invoking itself later: a one-time EventBridge Scheduler schedule in the stack's
//! group (`at(...)` in UTC, deleted by Scheduler once it has run: ActionAfterCompletion DELETE)
//! whose target is the function, with the role the stack's schedules use. Deferred runs
//! ([`crate::deferral`]) use it.

use aws_sdk_scheduler::error::SdkError;
use aws_sdk_scheduler::operation::create_schedule::CreateScheduleError;
use aws_sdk_scheduler::types::{
    ActionAfterCompletion, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy, Target,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::aws::AwsError;
use crate::deferral::at_expression;
use crate::env;

/// Where and as whom the function schedules itself.
#[derive(Debug, Clone)]
pub struct Later {
    pub scheduler: aws_sdk_scheduler::Client,
    /// The stack's schedule group (SCHEDULE_GROUP).
    pub group: String,
    /// The role the stack's schedules invoke the function with (SCHEDULER_ROLE_ARN).
    pub role_arn: String,
    /// The function's own ARN (from the invocation's context).
    pub function_arn: String,
}

impl Later {
    /// From the environment the template sets; none when it lacks either variable (a stack
    /// made before deferrals: its runs are skipped when busy, as they were).
    pub fn from_env(
        lookup: impl Fn(&str) -> Option<String>,
        scheduler: aws_sdk_scheduler::Client,
        function_arn: &str,
    ) -> Option<Later> {
        let group = lookup(env::SCHEDULE_GROUP).filter(|g| !g.is_empty())?;
        let role_arn = lookup(env::SCHEDULER_ROLE_ARN).filter(|r| !r.is_empty())?;
        Some(Later {
            scheduler,
            group,
            role_arn,
            function_arn: function_arn.to_string(),
        })
    }

    /// Invokes the function with `input` at `at` (to the second, UTC). A schedule of that name
    /// already there (this invocation retried by Lambda) is the same arrangement: done.
    pub async fn invoke_at(
        &self,
        name: &str,
        at: DateTime<Utc>,
        input: &Value,
        description: &str,
    ) -> Result<(), AwsError> {
        let target = Target::builder()
            .arn(&self.function_arn)
            .role_arn(&self.role_arn)
            .input(input.to_string())
            // Delivery retried for an hour, as the stack's own schedules.
            .retry_policy(
                RetryPolicy::builder()
                    .maximum_retry_attempts(4)
                    .maximum_event_age_in_seconds(3600)
                    .build(),
            )
            .build()
            .map_err(unbuilt)?;
        let window = FlexibleTimeWindow::builder()
            .mode(FlexibleTimeWindowMode::Off)
            .build()
            .map_err(unbuilt)?;
        let created = self
            .scheduler
            .create_schedule()
            .name(name)
            .group_name(&self.group)
            .schedule_expression(at_expression(at))
            .schedule_expression_timezone("UTC")
            .flexible_time_window(window)
            .action_after_completion(ActionAfterCompletion::Delete)
            .description(description)
            .target(target)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), CreateScheduleError::ConflictException(_)) =>
            {
                Ok(())
            }
            Err(e) => Err(AwsError::from_sdk("CreateSchedule", e)),
        }
    }
}

/// A request the SDK would not build (a required field missing): a bug, named as the call.
fn unbuilt(e: aws_sdk_scheduler::error::BuildError) -> AwsError {
    AwsError {
        operation: "CreateSchedule",
        message: e.to_string(),
        unreachable: false,
    }
}
