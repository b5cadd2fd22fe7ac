//! The function's entry point: configuration and SDK clients once, then one run per event.

use fsx_drt_core::handler::Handler;
use fsx_drt_core::{metrics, Config};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let handler = match Config::from_lookup(|name| std::env::var(name).ok()) {
        Ok(config) => {
            let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            Ok(Handler {
                fsx: aws_sdk_fsx::Client::new(&sdk),
                cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
                config,
                function_name: std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
                namespace: std::env::var(fsx_drt_core::env::METRIC_NAMESPACE)
                    .unwrap_or_else(|_| metrics::NAMESPACE.to_string()),
                metrics_required: true,
            })
        }
        Err(errors) => {
            let text = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            tracing::error!(errors = %text, "invalid configuration");
            Err(format!("invalid configuration: {text}"))
        }
    };
    // A bad configuration fails every invocation with the same message (and so raises the
    // error alarm); retrying cannot help, the stack's parameters need fixing.
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        match handler {
            Ok(handler) => Ok(handler
                .run(&event.payload, &event.context.request_id)
                .await?),
            Err(configuration) => Err(Error::from(configuration.as_str())),
        }
    }))
    .await
}
