//! The one seam to AWS: SDK configuration from the usual chain (AWS_PROFILE/--profile,
//! AWS_REGION/--region, AWS_ENDPOINT_URL/--endpoint-url, default credentials), and clients.

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::cli::GlobalArgs;
use crate::error::{Exit, Failure};

/// The SDK clients the commands use, built from one configuration.
pub struct Aws {
    pub region: String,
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub fsx: aws_sdk_fsx::Client,
    pub s3: aws_sdk_s3::Client,
    pub sns: aws_sdk_sns::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Aws {
    pub async fn connect(global: &GlobalArgs) -> Result<Aws, Failure> {
        let config = sdk_config(global).await?;
        Ok(Aws::from_config(&config))
    }

    /// Clients for one configuration (tests build it for the emulator or mocks).
    pub fn from_config(config: &SdkConfig) -> Aws {
        // Emulators and other custom endpoints serve buckets by path, not by host name.
        let s3 = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(config.endpoint_url().is_some())
            .build();
        Aws {
            region: config.region().map(ToString::to_string).unwrap_or_default(),
            cloudformation: aws_sdk_cloudformation::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            fsx: aws_sdk_fsx::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3),
            sns: aws_sdk_sns::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
        }
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
/// code and message, or the whole chain for transport errors ("cannot reach the endpoint").
pub fn describe<E, R>(error: &aws_sdk_fsx::error::SdkError<E, R>) -> String
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or("no message")
        ),
        None => aws_sdk_fsx::error::DisplayErrorContext(error).to_string(),
    }
}

/// A failed AWS call as a command failure (exit 1) with what to check next.
pub fn failed<E, R>(operation: &str, error: &aws_sdk_fsx::error::SdkError<E, R>) -> Failure
where
    E: aws_sdk_fsx::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let unreachable = matches!(
        error,
        aws_sdk_fsx::error::SdkError::DispatchFailure(_)
            | aws_sdk_fsx::error::SdkError::TimeoutError(_)
    );
    let help = if unreachable {
        "cannot reach the AWS endpoint: check the network, --region and --endpoint-url (AWS_ENDPOINT_URL)"
    } else {
        "check your credentials and permissions (AWS_PROFILE / --profile), then run the command again"
    };
    Failure::new(
        Exit::Failed,
        format!("{operation} failed: {}", describe(error)),
        Some(help.into()),
    )
}
