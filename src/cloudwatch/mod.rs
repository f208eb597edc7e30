//! Amazon CloudWatch, prefix `cloudwatch:`: metrics (aws-facts 17.2.4, 17.2.5). A store of
//! one-minute datapoints per metric (namespace, name and dimensions), which the services fill
//! as AWS's do, once a simulated minute, and which answers `GetMetricData`,
//! `GetMetricStatistics` and `ListMetrics`; `PutMetricData` adds custom metrics. Requests take
//! the JSON `aws cloudwatch ... --cli-input-json` takes, in PascalCase.
//!
//! What the services publish, and when: at the end of each simulated minute the root asks
//! ELB (`AWS/ApplicationELB`, `AWS/NetworkELB`) and ECS (`AWS/ECS`) for that minute's values
//! ([`Datum`]s) and stores them with the minute's start as their timestamp.
//!
//! Alarms (`alarms`) are evaluated each minute once the minute's metrics are in; their
//! actions reach Application Auto Scaling by a `world::Command`.
//!
//! Not here: metric math, percentiles, high-resolution metrics and alarms, composite alarms.

pub mod alarms;
pub mod metrics;
pub mod read;

use serde_json::Value;

use crate::engine::error::ApiError;
use crate::world::World;

pub use metrics::{Datum, MetricStore};

/// The period of every datapoint here: one minute, the finest AWS's own metrics have.
pub const PERIOD_MS: u64 = crate::engine::time::MS_PER_MINUTE;
/// Datapoints kept per metric: a day of minutes (AWS keeps one-minute data 15 days; a day is
/// what a playground run looks back on). Older ones go first.
pub const DATAPOINTS_PER_METRIC_MAX: usize = 1_440;
/// Metrics (namespace, name and dimensions) the store holds at the most; past it a new
/// metric is refused (PutMetricData) or not kept (a service's).
pub const METRICS_MAX: usize = 2_000;

#[derive(Debug, Default)]
pub struct CloudWatchState {
    pub metrics: MetricStore,
    /// Metric alarms, in the order they were made.
    pub alarms: Vec<alarms::Alarm>,
}

/// Performs `cloudwatch:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "PutMetricData" => world.put_metric_data(input),
        "PutMetricAlarm" => world.put_metric_alarm(input),
        "DescribeAlarms" => world.describe_alarms(input),
        "DescribeAlarmHistory" => world.describe_alarm_history(input),
        "DeleteAlarms" => world.delete_alarms(input),
        "SetAlarmState" => world.set_alarm_state(input),
        "GetMetricData" => world.get_metric_data(input),
        "GetMetricStatistics" => world.get_metric_statistics(input),
        "ListMetrics" => world.list_metrics(input),
        _ => Err(ApiError::unknown_operation(&format!(
            "cloudwatch:{operation}"
        ))),
    }
}

/// Stores what the services published for the minute starting at `minute_start`.
pub fn publish(world: &mut World, minute_start: u64, data: Vec<Datum>) {
    for datum in data {
        world.cloudwatch.metrics.add(datum, minute_start);
    }
}

/// CloudWatch's `InvalidParameterValue`, with the field's path.
pub(crate) fn invalid_value(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("InvalidParameterValue", message, Some(path))
}
