//! CloudWatch: the states of the stack's alarms.

use super::error::{failed, Error};
use super::Aws;

impl Aws {
    /// Each named alarm that exists, with its state (OK, ALARM, INSUFFICIENT_DATA).
    pub async fn alarm_states(&self, names: Vec<String>) -> Result<Vec<(String, String)>, Error> {
        let out = self
            .clients
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(names))
            .send()
            .await
            .map_err(failed("DescribeAlarms"))?;
        Ok(out
            .metric_alarms()
            .iter()
            .map(|alarm| {
                (
                    alarm.alarm_name().unwrap_or_default().to_string(),
                    alarm
                        .state_value()
                        .map_or("?".into(), |s| s.as_str().to_string()),
                )
            })
            .collect())
    }
}
