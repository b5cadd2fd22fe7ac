//! `--verbose`: the request log, one line per attempt.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// `--verbose`: one line per request attempt (service, operation, HTTP status or transport
/// error, time taken). Only those: no header, body or credential is ever written.
#[derive(Debug)]
pub(super) struct RequestLog;

#[derive(Debug, Clone)]
struct AttemptStarted(std::time::Instant);

impl aws_smithy_types::config_bag::Storable for AttemptStarted {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "fsx-drt request log"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(AttemptStarted(std::time::Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("?.?".to_string(), |m| {
            format!("{}.{}", m.service(), m.name())
        });
        let took = cfg
            .load::<AttemptStarted>()
            .map_or(0, |s| s.0.elapsed().as_millis());
        let outcome = match (context.response(), context.output_or_error()) {
            (Some(response), _) => format!("HTTP {}", response.status().as_u16()),
            (None, Some(Err(error))) => match error.as_connector_error() {
                Some(connector) => format!("not sent: {connector}"),
                None => "not sent".to_string(),
            },
            (None, _) => "no response".to_string(),
        };
        crate::output::log(&format!("aws: {operation} -> {outcome} ({took} ms)"));
        Ok(())
    }
}
