//! CloudWatch: the states of the stack's alarms, and the sums of its metrics.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};

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

impl Aws {
    /// The sum of `metric` (namespace FsxDrt) with these dimensions over the `days` days
    /// before `now`: one period, the Sum statistic.
    pub async fn metric_sum(
        &self,
        metric: &str,
        dimensions: &[(&str, &str)],
        now: chrono::DateTime<chrono::Utc>,
        days: u32,
    ) -> Result<f64, Error> {
        let seconds = i64::from(days) * 86_400;
        let mut request = self
            .clients
            .cloudwatch
            .get_metric_statistics()
            .namespace(fsx_drt_core::metrics::NAMESPACE)
            .metric_name(metric)
            .start_time(DateTime::from_secs(now.timestamp() - seconds))
            .end_time(DateTime::from_secs(now.timestamp()))
            .period(i32::try_from(seconds).unwrap_or(i32::MAX))
            .statistics(Statistic::Sum);
        for (name, value) in dimensions {
            request = request.dimensions(Dimension::builder().name(*name).value(*value).build());
        }
        let out = request
            .send()
            .await
            .map_err(failed("GetMetricStatistics"))?;
        Ok(out.datapoints().iter().filter_map(|d| d.sum()).sum())
    }
}
