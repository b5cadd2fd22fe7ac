//! The one seam to AWS: SDK configuration from the usual chain (AWS_PROFILE/--profile,
//! AWS_REGION/--region, AWS_ENDPOINT_URL/--endpoint-url, default credentials), and clients.

use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::cli::GlobalArgs;
use crate::error::{Exit, Failure};

/// The SDK clients the commands use, built from one configuration.
pub struct Aws {
    pub fsx: aws_sdk_fsx::Client,
}

impl Aws {
    pub async fn connect(global: &GlobalArgs) -> Result<Aws, Failure> {
        let config = sdk_config(global).await?;
        Ok(Aws {
            fsx: aws_sdk_fsx::Client::new(&config),
        })
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
