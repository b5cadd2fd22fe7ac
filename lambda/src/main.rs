//! The function's entry point: configuration and SDK clients once, then one run per event.

use fsx_drt_lambda::handler::Handler;
use fsx_drt_lambda::{metrics, Config};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    // A bad configuration fails the function's start, naming every variable: retrying
    // cannot help, the stack's parameters need fixing.
    let config = Config::from_lookup(|name| std::env::var(name).ok()).map_err(|errors| {
        let text = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        tracing::error!(errors = %text, "invalid configuration");
        Error::from(format!("invalid configuration: {text}"))
    })?;
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let handler = Handler {
        fsx: aws_sdk_fsx::Client::new(&sdk),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk),
        config,
        function_name: std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default(),
        namespace: std::env::var(fsx_drt_lambda::env::METRIC_NAMESPACE)
            .unwrap_or_else(|_| metrics::NAMESPACE.to_string()),
    };
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let result = handler
            .run(&event.payload, &event.context.request_id)
            .await?;
        Ok::<_, Error>(result)
    }))
    .await
}
