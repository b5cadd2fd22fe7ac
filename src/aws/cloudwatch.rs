//! CloudWatch: the states of the stack's alarms, the file system's free storage, and the
//! sums of the stack's metrics.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Statistic};

use super::error::{failed, Error};
use super::Aws;

/// The file system's free data storage at one minute: AWS/FSx FreeDataStorageCapacity's Sum
/// (the bytes free over all its storage targets), the statistic the capacity alarm watches.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeStorage {
    pub bytes: f64,
    /// The datapoint's minute, RFC 3339.
    pub at: String,
}

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

    /// The latest minute of the file system's FreeDataStorageCapacity within the last
    /// quarter hour; none when CloudWatch has no datapoint there.
    pub async fn free_storage(&self, file_system_id: &str) -> Result<Option<FreeStorage>, Error> {
        let end = std::time::SystemTime::now();
        let start = end - std::time::Duration::from_secs(15 * 60);
        let out = self
            .clients
            .cloudwatch
            .get_metric_statistics()
            .namespace("AWS/FSx")
            .metric_name("FreeDataStorageCapacity")
            .dimensions(
                Dimension::builder()
                    .name("FileSystemId")
                    .value(file_system_id)
                    .build(),
            )
            .start_time(start.into())
            .end_time(end.into())
            .period(60)
            .statistics(Statistic::Sum)
            .send()
            .await
            .map_err(failed("GetMetricStatistics"))?;
        let latest = (out.datapoints().iter())
            .filter_map(|d| Some((d.timestamp()?, d.sum()?)))
            .max_by_key(|(at, _)| (at.secs(), at.subsec_nanos()));
        Ok(latest.map(|(at, bytes)| FreeStorage {
            bytes,
            at: at.to_string(),
        }))
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
        // Up to the next minute: a datapoint of this very second counts (times are whole
        // seconds on the wire).
        let end = now.timestamp() + 60;
        let mut request = self
            .clients
            .cloudwatch
            .get_metric_statistics()
            .namespace(fsx_drt_core::metrics::NAMESPACE)
            .metric_name(metric)
            .start_time(DateTime::from_secs(end - seconds))
            .end_time(DateTime::from_secs(end))
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
