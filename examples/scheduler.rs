//! EventBridge Scheduler, played on the local emulator, whose Scheduler never fires and whose
//! Lambda runs no code: the stack's function's handler runs here, with the environment the
//! stack gave the function and SDK clients on the emulator (as the Lambda runtime runs it,
//! core/src/main.rs), on the events Scheduler would send.
//!
//! ```sh
//! cargo run --example scheduler -- STACK fire SCHEDULE   # the schedule's run for this minute
//! cargo run --example scheduler -- STACK due             # the deferred runs' one-time schedules
//! ```
//!
//! Each invocation's result is printed as JSON. `cargo xtask demo` and the emulator tests
//! (tests/aws/deferrals.rs) use it.

use std::collections::HashMap;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use chrono::{DurationRound, Utc};
use fsx_drt_core::event::{Invocation, SCHEDULED_TIME_ATTRIBUTE, SCHEDULE_ARN_ATTRIBUTE};
use fsx_drt_core::handler::{Handler, RunResult};
use fsx_drt_core::later::Later;
use serde_json::Value;

/// The stack's function, run here.
pub struct Function {
    pub name: String,
    pub arn: String,
    env: HashMap<String, String>,
    sdk: aws_config::SdkConfig,
}

/// A one-time schedule a deferred run left in the stack's group.
#[derive(Debug)]
pub struct OneTime {
    pub name: String,
    pub input: Value,
    pub action_after_completion: Option<String>,
    pub target_arn: String,
}

/// SDK configuration for the emulator at `endpoint`.
pub async fn emulator(endpoint: &str) -> aws_config::SdkConfig {
    let credentials =
        aws_sdk_fsx::config::Credentials::new("testing", "testing", None, None, "emulator");
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(credentials)
        .load()
        .await
}

/// `<aws.scheduler.scheduled-time>` as Scheduler writes it (2022-03-22T18:59:43Z), `hours_ago`
/// hours before this minute.
pub fn scheduled_time(hours_ago: i64) -> String {
    let minute = Utc::now()
        .duration_trunc(chrono::Duration::minutes(1))
        .unwrap();
    (minute - chrono::Duration::hours(hours_ago)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Function {
    pub async fn of(sdk: &aws_config::SdkConfig, stack: &str) -> Function {
        let stacks = aws_sdk_cloudformation::Client::new(sdk)
            .describe_stacks()
            .stack_name(stack)
            .send()
            .await
            .expect("the stack");
        let name = stacks.stacks()[0]
            .outputs()
            .iter()
            .find(|o| o.output_key() == Some(fsx_drt_core::outputs::FUNCTION_NAME))
            .and_then(|o| o.output_value())
            .expect("a FunctionName output")
            .to_string();
        let function = aws_sdk_lambda::Client::new(sdk)
            .get_function_configuration()
            .function_name(&name)
            .send()
            .await
            .expect("the function");
        let env = function
            .environment()
            .and_then(|e| e.variables())
            .cloned()
            .unwrap_or_default();
        Function {
            name,
            arn: function.function_arn().unwrap_or_default().to_string(),
            env,
            sdk: sdk.clone(),
        }
    }

    fn group(&self) -> &str {
        &self.env[fsx_drt_core::env::SCHEDULE_GROUP]
    }

    fn scheduler(&self) -> aws_sdk_scheduler::Client {
        aws_sdk_scheduler::Client::new(&self.sdk)
    }

    /// GetSchedule of a schedule of the stack's group.
    async fn schedule(&self, name: &str) -> GetScheduleOutput {
        self.scheduler()
            .get_schedule()
            .name(name)
            .group_name(self.group())
            .send()
            .await
            .unwrap_or_else(|e| panic!("schedule {name}: {e:?}"))
    }

    /// One invocation with `event`, as the function handles it. Metrics are required, as in
    /// the function.
    pub async fn invoke(&self, event: &Value) -> RunResult {
        let lookup = |name: &str| self.env.get(name).cloned();
        let invocation = Invocation::of_with(event, "emulated-request", lookup).unwrap();
        let handler = Handler {
            fsx: aws_sdk_fsx::Client::new(&self.sdk),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&self.sdk),
            config: invocation.config(lookup).unwrap(),
            function_name: self.name.clone(),
            namespace: fsx_drt_core::metrics::NAMESPACE.to_string(),
            metrics_required: true,
            later: Later::from_env(lookup, self.scheduler(), &self.arn),
            follow_ups: None,
        };
        handler.run_invocation(&invocation).await.unwrap()
    }

    /// The event Scheduler sends for the stack's schedule `name` fired at `scheduled`: its
    /// target's input with the context attributes replaced.
    pub async fn scheduled_event(&self, name: &str, scheduled: &str) -> Value {
        let schedule = self.schedule(name).await;
        let input = schedule
            .target()
            .and_then(|t| t.input())
            .unwrap_or("{}")
            .replace(SCHEDULED_TIME_ATTRIBUTE, scheduled)
            .replace(SCHEDULE_ARN_ATTRIBUTE, schedule.arn().unwrap_or_default());
        serde_json::from_str(&input).unwrap()
    }

    /// The one-time schedules waiting in the stack's group.
    pub async fn one_time_schedules(&self) -> Vec<OneTime> {
        let listed = self
            .scheduler()
            .list_schedules()
            .group_name(self.group())
            .name_prefix(fsx_drt_core::deferral::NAME_PREFIX)
            .send()
            .await
            .unwrap();
        let mut found = Vec::new();
        for summary in listed.schedules() {
            let name = summary.name().unwrap_or_default();
            let got = self.schedule(name).await;
            let target = got.target().unwrap();
            found.push(OneTime {
                name: name.to_string(),
                input: serde_json::from_str(target.input().unwrap_or("{}")).unwrap(),
                action_after_completion: got
                    .action_after_completion()
                    .map(|a| a.as_str().to_string()),
                target_arn: target.arn().to_string(),
            });
        }
        found
    }

    /// What Scheduler does with each waiting one-time schedule (due or not: nobody waits for
    /// its time here): invokes the function with its input, then deletes it
    /// (ActionAfterCompletion DELETE).
    pub async fn fire_one_time_schedules(&self) -> Vec<RunResult> {
        let mut results = Vec::new();
        for one_time in self.one_time_schedules().await {
            results.push(self.invoke(&one_time.input).await);
            self.scheduler()
                .delete_schedule()
                .name(&one_time.name)
                .group_name(self.group())
                .send()
                .await
                .unwrap();
        }
        results
    }
}

#[tokio::main]
#[allow(dead_code)] // the tests use this file's helpers, not its main
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL: the emulator");
    let sdk = emulator(&endpoint).await;
    let (stack, action) = (&args[0], args.get(1).map(String::as_str));
    let function = Function::of(&sdk, stack).await;
    let results = match (action, args.get(2)) {
        (Some("fire"), Some(schedule)) => {
            let event = function.scheduled_event(schedule, &scheduled_time(0)).await;
            vec![function.invoke(&event).await]
        }
        (Some("due"), None) => function.fire_one_time_schedules().await,
        _ => panic!("usage: scheduler STACK fire SCHEDULE | scheduler STACK due"),
    };
    for result in results {
        println!("{}", serde_json::to_string(&result).unwrap());
    }
}
