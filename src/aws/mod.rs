//! The one seam to AWS: SDK configuration from the usual chain (AWS_PROFILE/--profile,
//! AWS_REGION/--region, AWS_ENDPOINT_URL/--endpoint-url, default credentials), the clients,
//! and one module per service offering typed operations on them. Nothing outside this
//! module names an SDK type or operation.

mod cloudformation;
mod cloudwatch;
mod endpoint;
mod error;
mod fsx;
mod lambda;
mod log;
mod s3;
mod scheduler;
mod sns;
mod sts;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

pub use cloudformation::{
    ChangeSetIds, ChangeSetView, DriftDetection, InstanceChange, InstanceView, OperationResult,
    OperationView, Permissions, Preferences, PropertyDifference, ResourceDrift, StackDrift,
    StackOptions, StackOutputs, StackSetSpec, StackSetView, StackView, Targets, TemplateSource,
};
pub use cloudwatch::FreeStorage;
pub use error::{aws_failure, Error, ErrorKind};
pub use fsx::FileSystem;
pub use lambda::Invoked;
pub use s3::{BucketCheck, ObjectStart};
pub use scheduler::Deferred;

use crate::error::{Exit, Failure};

/// Where and as whom to call AWS: the global flags, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Log each request attempt to stderr.
    pub verbose: bool,
}

/// The SDK clients for one account and region, built from one configuration. Only the
/// modules below call them; each offers typed operations on `Aws`.
pub struct Aws {
    pub region: String,
    /// A custom endpoint (a local emulator, say), when one is configured.
    pub endpoint_url: Option<String>,
    clients: Clients,
}

/// One client per service. Built here from a configuration, or elsewhere (tests:
/// aws-smithy-mocks clients answering canned rules).
pub struct Clients {
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub fsx: aws_sdk_fsx::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub scheduler: aws_sdk_scheduler::Client,
    pub sns: aws_sdk_sns::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Aws {
    /// These clients, for `region`.
    pub fn from_clients(region: &str, clients: Clients) -> Aws {
        Aws {
            region: region.to_string(),
            endpoint_url: None,
            clients,
        }
    }

    pub async fn connect(global: &Connection) -> Result<Aws, Failure> {
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
        // Set on every client: otherwise each one rereads AWS_ENDPOINT_URL(_<SERVICE>) and the
        // profile unchecked, and an empty value panics inside the SDK.
        let endpoint = config.endpoint_url().map(str::to_string);
        macro_rules! client {
            ($sdk:ident $(, $setting:ident($value:expr))*) => {{
                let mut builder = $sdk::config::Builder::from(config);
                builder.set_endpoint_url(endpoint.clone());
                let builder = builder$(.$setting($value))*;
                let builder = if log { builder.interceptor(log::RequestLog) } else { builder };
                $sdk::Client::from_conf(builder.build())
            }};
        }
        let clients = Clients {
            cloudformation: client!(aws_sdk_cloudformation),
            cloudwatch: client!(aws_sdk_cloudwatch),
            fsx: client!(aws_sdk_fsx),
            lambda: client!(aws_sdk_lambda, timeout_config(slow())),
            // Emulators and other custom endpoints serve buckets by path, not by host name.
            s3: client!(
                aws_sdk_s3,
                force_path_style(config.endpoint_url().is_some()),
                timeout_config(slow())
            ),
            scheduler: client!(aws_sdk_scheduler),
            sns: client!(aws_sdk_sns),
            sts: client!(aws_sdk_sts),
        };
        Aws {
            region: config.region().map(ToString::to_string).unwrap_or_default(),
            endpoint_url: endpoint,
            clients,
        }
    }
}

/// How long fsx-drt waits for AWS (README, "Exit codes"), so that an endpoint that takes the
/// connection and never answers ends in an error instead of a hang: 5 s to connect, then
/// `response` s for the answer (sending the request included), `attempt` s per attempt and
/// `operation` s for an operation with its retries.
fn timeouts(response: u64, attempt: u64, operation: u64) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(response))
        .operation_attempt_timeout(Duration::from_secs(attempt))
        .operation_timeout(Duration::from_secs(operation))
        .build()
}

/// For Lambda's synchronous Invoke (it waits for the function, whose timeout is 60 s) and
/// S3 uploads (a zip of up to 50 MB).
fn slow() -> TimeoutConfig {
    timeouts(120, 120, 300)
}

async fn sdk_config(global: &Connection) -> Result<SdkConfig, Failure> {
    // Standard mode, 3 attempts: what AWS's SDKs default to, whatever AWS_MAX_ATTEMPTS says.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts(30, 60, 180))
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(region) = &global.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &global.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = endpoint::endpoint_url(
        global.endpoint_url.as_deref(),
        std::env::var_os(endpoint::ENDPOINT_ENV),
    )? {
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
