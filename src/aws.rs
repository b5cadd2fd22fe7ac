//! The one seam to AWS: SDK configuration from the usual chain (AWS_PROFILE/--profile,
//! AWS_REGION/--region, AWS_ENDPOINT_URL/--endpoint-url, default credentials), and clients.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use fsx_drt_lambda::aws::AwsError;

use crate::cli::GlobalArgs;
use crate::error::{Exit, Failure};

/// The SDK clients the commands use, built from one configuration.
pub struct Aws {
    pub region: String,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub fsx: aws_sdk_fsx::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Aws {
    pub async fn connect(global: &GlobalArgs) -> Result<Aws, Failure> {
        let config = sdk_config(global).await?;
        if global.verbose {
            crate::output::log(&format!(
                "aws: region {}, endpoint {}, profile {}",
                config.region().map_or("-", |r| r.as_ref()),
                config.endpoint_url().unwrap_or("(the service's)"),
                global
                    .profile
                    .as_deref()
                    .or(std::env::var("AWS_PROFILE").ok().as_deref())
                    .unwrap_or("(default chain)")
            ));
        }
        Ok(Aws::with_log(&config, global.verbose))
    }

    /// Clients for one configuration (tests build it for the emulator or mocks).
    pub fn from_config(config: &SdkConfig) -> Aws {
        Aws::with_log(config, false)
    }

    /// Clients that also log each request attempt to stderr when `log` is set.
    fn with_log(config: &SdkConfig, log: bool) -> Aws {
        macro_rules! client {
            ($sdk:ident $(, $setting:ident($value:expr))*) => {{
                let builder = $sdk::config::Builder::from(config)$(.$setting($value))*;
                let builder = if log { builder.interceptor(RequestLog) } else { builder };
                $sdk::Client::from_conf(builder.build())
            }};
        }
        Aws {
            region: config.region().map(ToString::to_string).unwrap_or_default(),
            cloudformation: client!(aws_sdk_cloudformation),
            cloudwatch: client!(aws_sdk_cloudwatch),
            fsx: client!(aws_sdk_fsx),
            lambda: client!(aws_sdk_lambda),
            // Emulators and other custom endpoints serve buckets by path, not by host name.
            s3: client!(
                aws_sdk_s3,
                force_path_style(config.endpoint_url().is_some())
            ),
            sns: client!(aws_sdk_sns),
            sts: client!(aws_sdk_sts),
        }
    }
}

/// `--verbose`: one line per request attempt (service, operation, HTTP status or transport
/// error, time taken). Only those: no header, body or credential is ever written.
#[derive(Debug)]
struct RequestLog;

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

async fn sdk_config(global: &GlobalArgs) -> Result<SdkConfig, Failure> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &global.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &global.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(Failure::new(
            Exit::Invalid,
            "no AWS region is configured",
            Some("pass --region, set AWS_REGION, or set a region in your AWS profile".into()),
        ));
    }
    Ok(config)
}

/// Runs async AWS work from a synchronous command. Commands that make no AWS call never
/// start a runtime, which keeps them instant.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(future)
}

/// An AWS call that failed, as the person running fsx-drt needs to read it: the service's
/// code and message, or the causes in words ("cannot reach the endpoint").
pub use fsx_drt_lambda::aws::describe;

/// A failed AWS call as a command failure (exit 1) with what to check next.
pub fn failed<E>(
    operation: &'static str,
    error: &aws_sdk_fsx::error::SdkError<E, aws_sdk_fsx::config::http::HttpResponse>,
) -> Failure
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    aws_failure(&AwsError {
        operation,
        message: describe(error),
        unreachable: fsx_drt_lambda::aws::unreachable(error),
    })
}

/// The same for a failure the Lambda crate's shared code reports.
pub fn aws_failure(error: &AwsError) -> Failure {
    let help = if error.unreachable {
        "cannot reach the AWS endpoint: check the network, --region and --endpoint-url (AWS_ENDPOINT_URL)"
    } else {
        "check your credentials and permissions (AWS_PROFILE / --profile), then run the command again"
    };
    Failure::new(Exit::Failed, error.to_string(), Some(help.into()))
}
