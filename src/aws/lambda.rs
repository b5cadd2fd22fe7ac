//! Lambda: invoking the stack's function, or running its code from here (`run --direct`).

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use fsx_drt_core::handler::Handler;
use fsx_drt_core::Config;

use super::error::{failed, Error};
use super::Aws;

/// What a synchronous invocation answered.
#[derive(Debug, Clone)]
pub struct Invoked {
    pub payload: Vec<u8>,
    /// Set when the function failed (Unhandled, ...); the payload then holds its error.
    pub function_error: Option<String>,
}

impl Aws {
    /// Invokes the function and waits for its answer.
    pub async fn invoke(&self, function_name: &str, payload: String) -> Result<Invoked, Error> {
        let out = self
            .clients
            .lambda
            .invoke()
            .function_name(function_name)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(failed("Invoke"))?;
        Ok(Invoked {
            payload: out
                .payload()
                .map(|p| p.as_ref().to_vec())
                .unwrap_or_default(),
            function_error: out.function_error().map(str::to_string),
        })
    }

    /// The function's own handler on these clients: its code, run from here.
    pub fn handler(&self, config: Config, function_name: &str) -> Handler {
        Handler {
            fsx: self.clients.fsx.clone(),
            cloudwatch: self.clients.cloudwatch.clone(),
            config,
            function_name: function_name.to_string(),
            namespace: fsx_drt_core::metrics::NAMESPACE.to_string(),
            metrics_required: false,
            later: None,
            follow_ups: None,
        }
    }
}
