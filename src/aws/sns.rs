//! SNS: whether the alarm topic's email subscription was confirmed.

use super::error::{failed, Error};
use super::Aws;

impl Aws {
    /// The topic's email subscription: "confirmed", "PendingConfirmation" or "none".
    pub async fn email_subscription(&self, topic_arn: &str) -> Result<String, Error> {
        let out = self
            .clients
            .sns
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn)
            .send()
            .await
            .map_err(failed("ListSubscriptionsByTopic"))?;
        let email = out
            .subscriptions()
            .iter()
            .find(|s| s.protocol() == Some("email"));
        Ok(match email.and_then(|s| s.subscription_arn()) {
            Some("PendingConfirmation") => "PendingConfirmation",
            Some(_) => "confirmed",
            None => "none",
        }
        .to_string())
    }
}
