//! STS: who is calling.

use super::error::{failed, Error};
use super::Aws;

impl Aws {
    /// The caller's account id.
    pub async fn account(&self) -> Result<String, Error> {
        let out = self
            .clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(failed("GetCallerIdentity"))?;
        Ok(out.account.unwrap_or_default())
    }
}
