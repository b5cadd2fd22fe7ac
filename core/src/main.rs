//! The function's entry point: SDK clients once, then one run per event, with the settings of
//! the event's schedule or, for any other event, of the environment.

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use fsx_drt_core::capacity::{self, Read};
use fsx_drt_core::follow::{check_config, FollowUps};
use fsx_drt_core::followup::{Check, CHECK};
use fsx_drt_core::handler::Handler;
use fsx_drt_core::later::Later;
use fsx_drt_core::{metrics, ConfigError, FileSystemId, Invalid};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

// One event at a time: a single-threaded runtime is enough, and smaller.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    fsx_drt_core::logging::init();
    // The SDK's HTTPS client on rustls with ring rather than its default aws-lc-rs: the same
    // hyper client, cipher suites and native root certificates, in a smaller zip. (Lambda sets
    // no proxy variables; this client reads none.)
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await;
    let fsx = aws_sdk_fsx::Client::new(&sdk);
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk);
    let scheduler = aws_sdk_scheduler::Client::new(&sdk);
    let sns = aws_sdk_sns::Client::new(&sdk);
    let s3 = aws_sdk_s3::Client::new(&sdk);
    let function_name = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    let namespace = std::env::var(fsx_drt_core::env::METRIC_NAMESPACE)
        .unwrap_or_else(|_| metrics::NAMESPACE.to_string());
    let (fsx, cloudwatch, scheduler, sns, s3, function_name, namespace) = (
        &fsx,
        &cloudwatch,
        &scheduler,
        &sns,
        &s3,
        &function_name,
        &namespace,
    );
    // A bad event or configuration fails the invocation with every problem named (and so
    // raises the error alarm); retrying cannot help, the schedule or the stack needs fixing.
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let request_id = &event.context.request_id;
        let env = |name: &str| std::env::var(name).ok();
        let later = Later::from_env(env, scheduler.clone(), &event.context.invoked_function_arn);
        let follow_ups = FollowUps::from_env(env, sns.clone(), s3.clone())
            .map_err(|e| refused("invalid configuration", &[e]))?;
        // A follow-up check creates no task: the file system is all it needs of the settings.
        if let Some(check) = Check::read(&event.payload)
            .map_err(|invalid| refused("invalid event", &[check_error(&event.payload, invalid)]))?
        {
            let file_system_id = FileSystemId::from_lookup(env)
                .map_err(|e| refused("invalid configuration", &[e]))?;
            let handler = Handler {
                fsx: fsx.clone(),
                cloudwatch: cloudwatch.clone(),
                config: check_config(file_system_id),
                function_name: function_name.clone(),
                namespace: namespace.clone(),
                metrics_required: true,
                later,
                follow_ups,
            };
            let result = handler.check(&check).await?;
            return Ok::<_, Error>(serde_json::to_value(result)?);
        }
        let invocation =
            match capacity::read(&event.payload, request_id, |name| std::env::var(name).ok())
                .map_err(|errors| refused("invalid event", &errors))?
            {
                Read::Run(invocation) => invocation,
                Read::Ignored(alarm) => {
                    tracing::info!(alarm = %alarm.alarm_name, state = %alarm.state, "the capacity alarm is not in ALARM: no release");
                    return Ok(serde_json::json!({"Outcome": "ignored", "Alarm": alarm.alarm_name, "State": alarm.state}));
                }
            };
        let config = invocation
            .config(|name| std::env::var(name).ok())
            .map_err(|errors| refused("invalid configuration", &errors))?;
        let handler = Handler {
            fsx: fsx.clone(),
            cloudwatch: cloudwatch.clone(),
            config,
            function_name: function_name.clone(),
            namespace: namespace.clone(),
            metrics_required: true,
            later,
            follow_ups,
        };
        let result = handler.run_invocation(&invocation).await?;
        Ok::<_, Error>(serde_json::to_value(result)?)
    }))
    .await
}

fn refused(what: &str, errors: &[ConfigError]) -> Error {
    let text = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    tracing::error!(errors = %text, "{what}");
    Error::from(format!("{what}: {text}"))
}

fn check_error(event: &Value, invalid: Invalid) -> ConfigError {
    ConfigError {
        variable: CHECK,
        value: Some(event[CHECK].to_string()),
        invalid,
    }
}
