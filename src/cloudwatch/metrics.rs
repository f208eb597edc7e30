//! The metric store and the requests that read and write it: `PutMetricData`,
//! `GetMetricStatistics`, `GetMetricData`, `ListMetrics`.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{invalid_value, DATAPOINTS_PER_METRIC_MAX, METRICS_MAX, PERIOD_MS};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::{parse_timestamp, MS_PER_HOUR, MS_PER_SECOND};
use crate::world::World;

/// A metric: its namespace, name and dimensions (sorted by name, as CloudWatch treats a
/// metric's dimensions as a set).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MetricId {
    pub namespace: String,
    pub name: String,
    pub dimensions: Vec<(String, String)>,
}

impl MetricId {
    pub fn new(namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> Self {
        let mut dimensions: Vec<(String, String)> = (dimensions.iter())
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        dimensions.sort();
        Self {
            namespace: namespace.into(),
            name: name.into(),
            dimensions,
        }
    }
}

/// One value a service (or PutMetricData) gives a metric for a minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub metric: MetricId,
    pub unit: &'static str,
    pub stats: Stats,
}

impl Datum {
    /// A single value.
    pub fn value(
        namespace: &str,
        name: &str,
        dimensions: &[(&str, &str)],
        unit: &'static str,
        value: f64,
    ) -> Self {
        Self {
            metric: MetricId::new(namespace, name, dimensions),
            unit,
            stats: Stats::one(value),
        }
    }
}

impl Datum {
    /// A statistic set: [sample count, sum, minimum, maximum].
    pub fn statistics(
        namespace: &str,
        name: &str,
        dimensions: &[(&str, &str)],
        unit: &'static str,
        [count, sum, min, max]: [f64; 4],
    ) -> Self {
        Self {
            metric: MetricId::new(namespace, name, dimensions),
            unit,
            stats: Stats {
                count,
                sum,
                min,
                max,
            },
        }
    }
}

/// A minute's statistic set: how many values, their sum, least and greatest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub count: f64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    pub fn one(value: f64) -> Self {
        Self {
            count: 1.0,
            sum: value,
            min: value,
            max: value,
        }
    }

    fn merge(&mut self, other: Stats) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The statistic named as CloudWatch names it.
    pub fn get(&self, statistic: &str) -> f64 {
        match statistic {
            "SampleCount" => self.count,
            "Sum" => self.sum,
            "Minimum" => self.min,
            "Maximum" => self.max,
            _ => {
                if self.count > 0.0 {
                    self.sum / self.count
                } else {
                    0.0
                }
            }
        }
    }
}

/// A metric's datapoints, one a minute, oldest first, and its unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub unit: &'static str,
    /// (the minute's start, its statistics), by minute.
    pub points: VecDeque<(u64, Stats)>,
}

/// Every metric's datapoints: at most [`METRICS_MAX`] metrics of [`DATAPOINTS_PER_METRIC_MAX`]
/// points each.
#[derive(Debug, Default)]
pub struct MetricStore {
    series: BTreeMap<MetricId, Series>,
}

impl MetricStore {
    /// Adds `datum` to the minute starting at `minute_start` (merged with what the minute
    /// has). False when the store is full and the metric new: it is not kept.
    pub fn add(&mut self, datum: Datum, minute_start: u64) -> bool {
        if !self.series.contains_key(&datum.metric) && self.series.len() >= METRICS_MAX {
            return false;
        }
        let series = self.series.entry(datum.metric).or_default();
        series.unit = datum.unit;
        let points = &mut series.points;
        match points.binary_search_by_key(&minute_start, |&(m, _)| m) {
            Ok(i) => points[i].1.merge(datum.stats),
            Err(i) => points.insert(i, (minute_start, datum.stats)),
        }
        while points.len() > DATAPOINTS_PER_METRIC_MAX {
            points.pop_front();
        }
        true
    }

    pub fn series(&self, metric: &MetricId) -> Option<&Series> {
        self.series.get(metric)
    }

    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&MetricId, &Series)> {
        self.series.iter()
    }

    /// Whether `metric` could be added (it is held, or there is room).
    fn has_room_for(&self, metric: &MetricId) -> bool {
        self.series.contains_key(metric) || self.series.len() < METRICS_MAX
    }

    /// The statistics of `metric` over `[start, end)` in buckets of `period` from `start`:
    /// (each bucket's start, its statistics), for buckets that hold data.
    pub fn buckets(
        &self,
        metric: &MetricId,
        start: u64,
        end: u64,
        period: u64,
    ) -> Vec<(u64, Stats)> {
        let mut out: Vec<(u64, Stats)> = Vec::new();
        let Some(series) = self.series.get(metric) else {
            return out;
        };
        let first = series.points.partition_point(|&(m, _)| m < start);
        for &(minute, stats) in series.points.range(first..) {
            if minute >= end {
                break;
            }
            let bucket = start + (minute - start) / period * period;
            match out.last_mut() {
                Some((b, s)) if *b == bucket => s.merge(stats),
                _ => out.push((bucket, stats)),
            }
        }
        out
    }
}

/// The statistics GetMetricStatistics and GetMetricData know.
const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
/// Datapoints one GetMetricStatistics may return (CloudWatch's limit).
pub const STATISTICS_DATAPOINTS_MAX: u64 = 1_440;
/// Values one PutMetricData may carry (CloudWatch's limit).
pub const PUT_METRIC_DATA_MAX: usize = 1_000;
/// Dimensions a metric may have (CloudWatch's limit).
pub const DIMENSIONS_MAX: usize = 30;
/// How far ahead PutMetricData accepts a timestamp (CloudWatch: two hours).
const FUTURE_MS_MAX: u64 = 2 * MS_PER_HOUR;

/// CloudWatch's units.
const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Dimension {
    name: String,
    value: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DimensionFilter {
    name: String,
    value: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutMetricDataRequest {
    namespace: String,
    metric_data: Option<Vec<MetricDatum>>,
    entity_metric_data: Option<Value>,
    strict_entity_validation: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MetricDatum {
    metric_name: String,
    dimensions: Option<Vec<Dimension>>,
    timestamp: Option<Value>,
    value: Option<f64>,
    statistic_values: Option<StatisticValues>,
    values: Option<Vec<f64>>,
    counts: Option<Vec<f64>>,
    unit: Option<String>,
    storage_resolution: Option<i64>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StatisticValues {
    sample_count: f64,
    sum: f64,
    minimum: f64,
    maximum: f64,
}

const PUT_METRIC_DATA_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.EntityMetricData",
        "entities are not simulated; use MetricData.",
    ),
    Unmodelled::field("$.StrictEntityValidation", "entities are not simulated."),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GetMetricStatisticsRequest {
    namespace: String,
    metric_name: String,
    dimensions: Option<Vec<Dimension>>,
    start_time: Value,
    end_time: Value,
    period: i64,
    statistics: Option<Vec<String>>,
    extended_statistics: Option<Vec<String>>,
    unit: Option<String>,
}

const GET_METRIC_STATISTICS_UNMODELLED: &[Unmodelled] = &[Unmodelled::field(
    "$.ExtendedStatistics",
    "percentiles are not kept: each minute keeps its sample count, sum, minimum and maximum.",
)];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GetMetricDataRequest {
    metric_data_queries: Vec<MetricDataQuery>,
    start_time: Value,
    end_time: Value,
    next_token: Option<Value>,
    scan_by: Option<String>,
    max_datapoints: Option<i64>,
    label_options: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MetricDataQuery {
    id: String,
    metric_stat: Option<MetricStat>,
    expression: Option<Value>,
    label: Option<String>,
    return_data: Option<bool>,
    period: Option<i64>,
    account_id: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MetricStat {
    metric: Metric,
    period: i64,
    stat: String,
    unit: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Metric {
    namespace: String,
    metric_name: String,
    dimensions: Option<Vec<Dimension>>,
}

const GET_METRIC_DATA_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field("$.NextToken", "every answer here is one page."),
    Unmodelled::field("$.LabelOptions", "labels are given as they are."),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListMetricsRequest {
    namespace: Option<String>,
    metric_name: Option<String>,
    dimensions: Option<Vec<DimensionFilter>>,
    next_token: Option<Value>,
    recently_active: Option<String>,
    include_linked_accounts: Option<bool>,
    owning_account: Option<Value>,
}

const LIST_METRICS_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field("$.NextToken", "every answer here is one page."),
    Unmodelled {
        path: "$.IncludeLinkedAccounts",
        why: "there is one account here.",
        default: Some(|v| v.as_bool() == Some(false)),
    },
    Unmodelled::field("$.OwningAccount", "there is one account here."),
];

fn dimension_pairs(
    dimensions: &Option<Vec<Dimension>>,
    path: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let dimensions = dimensions.as_deref().unwrap_or(&[]);
    if dimensions.len() > DIMENSIONS_MAX {
        return Err(invalid_value(
            format!(
                "The collection {} must not have a size greater than {DIMENSIONS_MAX}.",
                path.trim_start_matches("$.")
            ),
            path,
        ));
    }
    let mut pairs: Vec<(String, String)> = dimensions
        .iter()
        .map(|d| (d.name.clone(), d.value.clone()))
        .collect();
    pairs.sort();
    Ok(pairs)
}

fn check_unit(unit: &Option<String>, path: &str) -> Result<Option<&'static str>, ApiError> {
    match unit {
        None => Ok(None),
        Some(u) => UNITS
            .iter()
            .find(|k| **k == u.as_str())
            .copied()
            .map(Some)
            .ok_or_else(|| {
                invalid_value(
                    format!(
                        "The parameter Unit must be a value in the set [ {} ].",
                        UNITS.join(", ")
                    ),
                    path,
                )
            }),
    }
}

fn check_statistic(stat: &str, path: &str) -> Result<(), ApiError> {
    if STATISTICS.contains(&stat) {
        return Ok(());
    }
    if stat.starts_with('p') || stat.starts_with("tm") || stat.starts_with("tc") {
        return Err(ApiError::not_modelled(
            path,
            "percentiles and trimmed statistics are not kept: each minute keeps its sample count, sum, minimum and maximum.",
        ));
    }
    Err(invalid_value(
        format!(
            "The parameter Statistics must be a value in the set [ {} ].",
            STATISTICS.join(", ")
        ),
        path,
    ))
}

fn check_period(period: i64, path: &str) -> Result<u64, ApiError> {
    if period < 1 {
        return Err(invalid_value(
            "The parameter Period must be greater than 0.",
            path,
        ));
    }
    if period < 60 {
        return Err(ApiError::not_modelled(
            path,
            "high-resolution periods are not kept: the finest period here is 60 seconds.",
        ));
    }
    if period % 60 != 0 {
        return Err(invalid_value(
            "The parameter Period must be a multiple of 60.",
            path,
        ));
    }
    Ok(period as u64 * MS_PER_SECOND)
}

impl World {
    /// A timestamp field (ISO-8601, or seconds since the epoch as a number) as simulated time,
    /// which may lie before the start.
    fn cloudwatch_time(&self, value: &Value, path: &str) -> Result<i64, ApiError> {
        let epoch_ms = match value {
            Value::String(text) => parse_timestamp(text).map_err(|e| invalid_value(e, path))?,
            Value::Number(n) => n
                .as_f64()
                .map(|s| (s * 1000.0) as i64)
                .ok_or_else(|| invalid_value("expected a timestamp", path))?,
            _ => {
                return Err(ApiError::serialization(
                    "expected a timestamp such as \"2026-01-01T00:00:00Z\"",
                    path,
                ))
            }
        };
        Ok(epoch_ms - self.config.start_epoch_ms)
    }

    /// `2026-01-01T00:05:00Z`: how the CLI prints CloudWatch's timestamps, to the second.
    pub(crate) fn cloudwatch_timestamp(&self, time: u64) -> String {
        format!("{}Z", &self.iso(time)[..19])
    }

    /// StartTime and EndTime as simulated times, the start before the end.
    fn time_range(&self, start: &Value, end: &Value) -> Result<(u64, u64), ApiError> {
        let start = self.cloudwatch_time(start, "$.StartTime")?;
        let end = self.cloudwatch_time(end, "$.EndTime")?;
        if start >= end {
            return Err(invalid_value(
                "The parameter StartTime must be less than the parameter EndTime.",
                "$.StartTime",
            ));
        }
        Ok((start.max(0) as u64, end.max(0) as u64))
    }

    pub(crate) fn put_metric_data(&mut self, input: &Value) -> Result<Value, ApiError> {
        refuse_unmodelled(input, PUT_METRIC_DATA_UNMODELLED)?;
        let request: PutMetricDataRequest = parse_request(input)?;
        if request.namespace.starts_with("AWS/") {
            return Err(invalid_value(
                format!(
                    "The value {} for parameter Namespace is invalid.",
                    request.namespace
                ),
                "$.Namespace",
            ));
        }
        let data = request.metric_data.unwrap_or_default();
        if data.is_empty() {
            return Err(ApiError::new(
                "MissingParameter",
                "The parameter MetricData is required.",
                Some("$.MetricData"),
            ));
        }
        if data.len() > PUT_METRIC_DATA_MAX {
            return Err(invalid_value(
                format!("The collection MetricData must not have a size greater than {PUT_METRIC_DATA_MAX}."),
                "$.MetricData",
            ));
        }
        let mut plan = Vec::with_capacity(data.len());
        for (n, d) in data.iter().enumerate() {
            let at = |field: &str| format!("$.MetricData[{n}].{field}");
            let member = |field: &str| format!("MetricData.member.{}.{field}", n + 1);
            if let Some(resolution) = d.storage_resolution {
                if resolution == 1 {
                    return Err(ApiError::not_modelled(
                        &at("StorageResolution"),
                        "high-resolution metrics are not kept: every datapoint here is a minute's.",
                    ));
                }
                if resolution != 60 {
                    return Err(invalid_value(
                        format!(
                            "The parameter {} must be either 1 or 60.",
                            member("StorageResolution")
                        ),
                        &at("StorageResolution"),
                    ));
                }
            }
            let unit = check_unit(&d.unit, &at("Unit"))?.unwrap_or("None");
            let dimensions = dimension_pairs(&d.dimensions, &at("Dimensions"))?;
            let time = match &d.timestamp {
                None => self.now,
                Some(value) => {
                    let t = self.cloudwatch_time(value, &at("Timestamp"))?;
                    if t > (self.now + FUTURE_MS_MAX) as i64 {
                        return Err(invalid_value(
                            format!("The parameter {} must specify a time no more than two hours in the future.", member("Timestamp")),
                            &at("Timestamp"),
                        ));
                    }
                    if t < 0 {
                        return Err(invalid_value(
                            format!("The parameter {} must specify a time within the simulation, from its start.", member("Timestamp")),
                            &at("Timestamp"),
                        ));
                    }
                    t as u64
                }
            };
            let given = [
                d.value.is_some(),
                d.statistic_values.is_some(),
                d.values.is_some(),
            ];
            if given.iter().filter(|g| **g).count() > 1 {
                return Err(ApiError::new(
                    "InvalidParameterCombination",
                    format!("The parameters {}, {} and {} are mutually exclusive and you have specified more than one.", member("Value"), member("StatisticValues"), member("Values")),
                    Some(&at("Value")),
                ));
            }
            let stats = if let Some(v) = d.value {
                Stats::one(v)
            } else if let Some(s) = &d.statistic_values {
                if s.sample_count <= 0.0 || s.minimum > s.maximum {
                    return Err(invalid_value(
                        format!("The parameter {} must have a SampleCount greater than 0 and a Minimum no greater than its Maximum.", member("StatisticValues")),
                        &at("StatisticValues"),
                    ));
                }
                Stats {
                    count: s.sample_count,
                    sum: s.sum,
                    min: s.minimum,
                    max: s.maximum,
                }
            } else if let Some(values) = d.values.as_ref().filter(|v| !v.is_empty()) {
                let counts = d.counts.clone().unwrap_or_else(|| vec![1.0; values.len()]);
                if counts.len() != values.len() {
                    return Err(invalid_value(
                        format!(
                            "The parameters {} and {} must be of the same size.",
                            member("Values"),
                            member("Counts")
                        ),
                        &at("Counts"),
                    ));
                }
                let mut stats = Stats {
                    count: 0.0,
                    sum: 0.0,
                    min: f64::INFINITY,
                    max: f64::NEG_INFINITY,
                };
                for (v, c) in values.iter().zip(&counts) {
                    stats.merge(Stats {
                        count: *c,
                        sum: v * c,
                        min: *v,
                        max: *v,
                    });
                }
                stats
            } else {
                return Err(ApiError::new(
                    "MissingParameter",
                    format!("The parameter {} is required.", member("Value")),
                    Some(&at("Value")),
                ));
            };
            let metric = MetricId {
                namespace: request.namespace.clone(),
                name: d.metric_name.clone(),
                dimensions,
            };
            if !self.cloudwatch.metrics.has_room_for(&metric) {
                return Err(ApiError::new(
                    "LimitExceeded",
                    format!("The simulation holds {METRICS_MAX} metrics, its limit."),
                    Some(&at("MetricName")),
                ));
            }
            plan.push((
                Datum {
                    metric,
                    unit,
                    stats,
                },
                time / PERIOD_MS * PERIOD_MS,
            ));
        }
        for (datum, minute) in plan {
            self.cloudwatch.metrics.add(datum, minute);
        }
        Ok(json!({}))
    }

    pub(crate) fn get_metric_statistics(&mut self, input: &Value) -> Result<Value, ApiError> {
        refuse_unmodelled(input, GET_METRIC_STATISTICS_UNMODELLED)?;
        let request: GetMetricStatisticsRequest = parse_request(input)?;
        let period = check_period(request.period, "$.Period")?;
        let (start, end) = self.time_range(&request.start_time, &request.end_time)?;
        let statistics = request.statistics.unwrap_or_default();
        if statistics.is_empty() {
            return Err(ApiError::new(
                "MissingParameter",
                "Must specify either Statistics or ExtendedStatistics, but not both.",
                Some("$.Statistics"),
            ));
        }
        for (n, s) in statistics.iter().enumerate() {
            check_statistic(s, &format!("$.Statistics[{n}]"))?;
        }
        let unit = check_unit(&request.unit, "$.Unit")?;
        let requested = (end - start).div_ceil(period);
        if requested > STATISTICS_DATAPOINTS_MAX {
            return Err(ApiError::new(
                "InvalidParameterCombination",
                format!("You have requested up to {requested} datapoints, which exceeds the limit of {STATISTICS_DATAPOINTS_MAX}. You may reduce the datapoints requested by increasing Period, or decreasing the time range."),
                Some("$.Period"),
            ));
        }
        let metric = MetricId {
            namespace: request.namespace,
            name: request.metric_name.clone(),
            dimensions: dimension_pairs(&request.dimensions, "$.Dimensions")?,
        };
        let series_unit = self.cloudwatch.metrics.series(&metric).map(|s| s.unit);
        let wrong_unit = unit.is_some() && unit != series_unit;
        let datapoints: Vec<Value> = if wrong_unit {
            Vec::new()
        } else {
            (self.cloudwatch.metrics.buckets(&metric, start, end, period))
                .into_iter()
                .map(|(at, stats)| {
                    let mut point = Map::new();
                    point.insert("Timestamp".into(), json!(self.cloudwatch_timestamp(at)));
                    for s in &statistics {
                        point.insert(s.clone(), json!(stats.get(s)));
                    }
                    point.insert("Unit".into(), json!(series_unit.unwrap_or("None")));
                    Value::Object(point)
                })
                .collect()
        };
        Ok(json!({ "Label": request.metric_name, "Datapoints": datapoints }))
    }

    pub(crate) fn get_metric_data(&mut self, input: &Value) -> Result<Value, ApiError> {
        refuse_unmodelled(input, GET_METRIC_DATA_UNMODELLED)?;
        let request: GetMetricDataRequest = parse_request(input)?;
        let (start, end) = self.time_range(&request.start_time, &request.end_time)?;
        let descending = match request.scan_by.as_deref() {
            None | Some("TimestampDescending") => true,
            Some("TimestampAscending") => false,
            Some(_) => {
                return Err(invalid_value(
                    "The parameter ScanBy must be a value in the set [ TimestampDescending, TimestampAscending ].",
                    "$.ScanBy",
                ))
            }
        };
        if request.metric_data_queries.is_empty() || request.metric_data_queries.len() > 500 {
            return Err(invalid_value(
                "The collection MetricDataQueries must have from 1 to 500 members.",
                "$.MetricDataQueries",
            ));
        }
        let mut ids: Vec<&str> = Vec::new();
        let mut plan = Vec::new();
        for (n, q) in request.metric_data_queries.iter().enumerate() {
            let at = |field: &str| format!("$.MetricDataQueries[{n}].{field}");
            let id_ok = q.id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && q.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !id_ok {
                return Err(ApiError::new(
                    "ValidationError",
                    format!("The value {} for parameter MetricDataQueries.member.{}.Id is invalid: it must start with a lowercase letter and hold letters, digits and underscores.", q.id, n + 1),
                    Some(&at("Id")),
                ));
            }
            if ids.contains(&q.id.as_str()) {
                return Err(ApiError::new(
                    "ValidationError",
                    format!(
                        "The value {} for parameter MetricDataQueries.member.{}.Id is not unique.",
                        q.id,
                        n + 1
                    ),
                    Some(&at("Id")),
                ));
            }
            ids.push(&q.id);
            if q.expression.is_some() {
                return Err(ApiError::not_modelled(
                    &at("Expression"),
                    "metric math is not simulated: ask for each metric with MetricStat.",
                ));
            }
            if q.period.is_some() {
                return Err(ApiError::not_modelled(
                    &at("Period"),
                    "a query's own Period is for an Expression, which is not simulated; give it in MetricStat.",
                ));
            }
            if q.account_id.is_some() {
                return Err(ApiError::not_modelled(
                    &at("AccountId"),
                    "there is one account here.",
                ));
            }
            let Some(stat) = &q.metric_stat else {
                return Err(ApiError::new(
                    "ValidationError",
                    format!("Exactly one of MetricStat and Expression must be given in MetricDataQueries.member.{}.", n + 1),
                    Some(&at("MetricStat")),
                ));
            };
            let period = check_period(stat.period, &at("MetricStat.Period"))?;
            check_statistic(&stat.stat, &at("MetricStat.Stat"))?;
            let unit = check_unit(&stat.unit, &at("MetricStat.Unit"))?;
            let metric = MetricId {
                namespace: stat.metric.namespace.clone(),
                name: stat.metric.metric_name.clone(),
                dimensions: dimension_pairs(
                    &stat.metric.dimensions,
                    &at("MetricStat.Metric.Dimensions"),
                )?,
            };
            plan.push((q, metric, period, stat.stat.clone(), unit));
        }
        let max = request.max_datapoints.unwrap_or(100_800).max(1) as usize;
        let mut left = max;
        let mut results = Vec::new();
        for (q, metric, period, stat, unit) in plan {
            if q.return_data == Some(false) {
                continue;
            }
            let series_unit = self.cloudwatch.metrics.series(&metric).map(|s| s.unit);
            let mut points = if unit.is_some() && unit != series_unit {
                Vec::new()
            } else {
                self.cloudwatch.metrics.buckets(&metric, start, end, period)
            };
            if descending {
                points.reverse();
            }
            let complete = points.len() <= left;
            points.truncate(left);
            left -= points.len();
            let timestamps: Vec<String> = points
                .iter()
                .map(|(t, _)| self.cloudwatch_timestamp(*t))
                .collect();
            let values: Vec<f64> = points.iter().map(|(_, s)| s.get(&stat)).collect();
            results.push(json!({
                "Id": q.id,
                "Label": q.label.clone().unwrap_or_else(|| metric.name.clone()),
                "Timestamps": timestamps,
                "Values": values,
                "StatusCode": if complete { "Complete" } else { "PartialData" },
            }));
        }
        Ok(json!({ "MetricDataResults": results, "Messages": [] }))
    }

    pub(crate) fn list_metrics(&mut self, input: &Value) -> Result<Value, ApiError> {
        refuse_unmodelled(input, LIST_METRICS_UNMODELLED)?;
        let request: ListMetricsRequest = parse_request(input)?;
        let recent = match request.recently_active.as_deref() {
            None => None,
            Some("PT3H") => Some(3 * MS_PER_HOUR),
            Some(_) => {
                return Err(invalid_value(
                    "The parameter RecentlyActive must be a value in the set [ PT3H ].",
                    "$.RecentlyActive",
                ))
            }
        };
        let filters = request.dimensions.unwrap_or_default();
        let now = self.now;
        let metrics: Vec<Value> = (self.cloudwatch.metrics.iter())
            .filter(|(m, _)| request.namespace.as_ref().is_none_or(|n| *n == m.namespace))
            .filter(|(m, _)| request.metric_name.as_ref().is_none_or(|n| *n == m.name))
            .filter(|(m, _)| {
                filters.iter().all(|f| {
                    m.dimensions
                        .iter()
                        .any(|(n, v)| *n == f.name && f.value.as_ref().is_none_or(|fv| fv == v))
                })
            })
            .filter(|(_, s)| {
                recent.is_none_or(|r| s.points.back().is_some_and(|(t, _)| t + r >= now))
            })
            .map(|(m, _)| {
                json!({
                    "Namespace": m.namespace,
                    "MetricName": m.name,
                    "Dimensions": m.dimensions.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({ "Metrics": metrics }))
    }
}
