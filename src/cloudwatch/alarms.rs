//! Metric alarms (aws-facts 17.2.1 to 17.2.3): `PutMetricAlarm`, `DescribeAlarms`,
//! `DescribeAlarmHistory`, `DeleteAlarms`, `SetAlarmState`. Every alarm is evaluated each
//! simulated minute, once the minute's metrics are in, over its evaluation range of `N + 2`
//! periods (`N` = `EvaluationPeriods`; AWS's range is "larger than N", N + 2 in its example):
//!
//! - `N` real datapoints or more: the most recent `N`; ALARM when `M` of them breach
//!   (`M` = `DatapointsToAlarm`, else `N`), else OK. `TreatMissingData` is not used.
//! - fewer (but some): every real one, and the missing ones treated as `TreatMissingData`
//!   says: `breaching` and `notBreaching` count as such; with `missing` and `ignore`, `M`
//!   breaching is ALARM, any real non-breaching datapoint is OK, and otherwise `missing` goes
//!   to ALARM when the oldest breaching datapoint of the last `N` periods is at least `M`
//!   periods old (AWS's rule against premature alarms), else keeps its state, as `ignore` does.
//! - none: INSUFFICIENT_DATA for `missing`, the state kept for `ignore`, ALARM for
//!   `breaching`, OK for `notBreaching`.
//!
//! This reproduces both truth tables of CloudWatch's guide (tests/alarms.rs). A change of
//! state is kept in the alarm's history and logged as a `CloudWatch Alarm State Change`
//! event; the new state's actions run (an Application Auto Scaling policy's ARN: the policy is
//! invoked, and again at each evaluation while the alarm stays in ALARM, as AWS re-invokes
//! scaling actions).

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{json, Value};

use super::invalid_value;
use super::metrics::MetricId;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::world::World;

/// Alarms held at the most (CloudWatch's default quota is 5,000 a Region; a playground needs
/// far fewer).
pub const ALARMS_MAX: usize = 500;
/// History items kept per alarm, newest last (CloudWatch keeps 30 days).
pub const HISTORY_PER_ALARM_MAX: usize = 100;
/// Datapoints listed in a state reason before it switches to "the most recent datapoints"
/// (seen inline for 3, listed for 5; 4 is the model's choice, aws-facts 17.2.3).
const REASON_INLINE_MAX: usize = 4;
/// The evaluation range is this many periods more than `EvaluationPeriods` (aws-facts 17.2.2).
const RANGE_EXTRA_PERIODS: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterOrEqual,
    Greater,
    Less,
    LessOrEqual,
}

impl Comparison {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "GreaterThanOrEqualToThreshold" => Some(Comparison::GreaterOrEqual),
            "GreaterThanThreshold" => Some(Comparison::Greater),
            "LessThanThreshold" => Some(Comparison::Less),
            "LessThanOrEqualToThreshold" => Some(Comparison::LessOrEqual),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterOrEqual => "GreaterThanOrEqualToThreshold",
            Comparison::Greater => "GreaterThanThreshold",
            Comparison::Less => "LessThanThreshold",
            Comparison::LessOrEqual => "LessThanOrEqualToThreshold",
        }
    }

    /// The words of a state reason: `greater than or equal to`.
    fn words(self) -> &'static str {
        match self {
            Comparison::GreaterOrEqual => "greater than or equal to",
            Comparison::Greater => "greater than",
            Comparison::Less => "less than",
            Comparison::LessOrEqual => "less than or equal to",
        }
    }

    pub fn breaches(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::GreaterOrEqual => value >= threshold,
            Comparison::Greater => value > threshold,
            Comparison::Less => value < threshold,
            Comparison::LessOrEqual => value <= threshold,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreatMissing {
    Breaching,
    NotBreaching,
    Ignore,
    Missing,
}

impl TreatMissing {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "breaching" => Some(TreatMissing::Breaching),
            "notBreaching" => Some(TreatMissing::NotBreaching),
            "ignore" => Some(TreatMissing::Ignore),
            "missing" => Some(TreatMissing::Missing),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TreatMissing::Breaching => "breaching",
            TreatMissing::NotBreaching => "notBreaching",
            TreatMissing::Ignore => "ignore",
            TreatMissing::Missing => "missing",
        }
    }
}

/// One item of an alarm's history (`DescribeAlarmHistory`).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryItem {
    pub time: SimTime,
    /// `ConfigurationUpdate`, `StateUpdate` or `Action`.
    pub kind: &'static str,
    pub summary: String,
    pub data: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub actions_enabled: bool,
    pub ok_actions: Vec<String>,
    pub alarm_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    pub metric: MetricId,
    pub statistic: String,
    pub unit: Option<String>,
    pub period_s: u32,
    pub evaluation_periods: u32,
    pub datapoints_to_alarm: Option<u32>,
    pub threshold: f64,
    pub comparison: Comparison,
    pub treat_missing: TreatMissing,
    pub state: AlarmState,
    pub state_reason: String,
    pub state_reason_data: Option<String>,
    pub state_updated: SimTime,
    pub state_transitioned: SimTime,
    pub configuration_updated: SimTime,
    pub history: VecDeque<HistoryItem>,
    /// The newest datapoint of its last evaluation (the value a scaling policy acts on).
    pub last_value: Option<f64>,
    /// The real datapoints of the last N periods at its last evaluation, oldest first (a step
    /// policy aggregates them by its MetricAggregationType).
    pub recent: Vec<f64>,
}

impl Alarm {
    /// `DatapointsToAlarm`, or `EvaluationPeriods` when unset.
    pub fn m(&self) -> u32 {
        self.datapoints_to_alarm.unwrap_or(self.evaluation_periods)
    }

    fn remember(&mut self, item: HistoryItem) {
        self.history.push_back(item);
        while self.history.len() > HISTORY_PER_ALARM_MAX {
            self.history.pop_front();
        }
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutMetricAlarmRequest {
    alarm_name: String,
    alarm_description: Option<String>,
    actions_enabled: Option<bool>,
    #[serde(rename = "OKActions")]
    ok_actions: Option<Vec<String>>,
    alarm_actions: Option<Vec<String>>,
    insufficient_data_actions: Option<Vec<String>>,
    metric_name: Option<String>,
    namespace: Option<String>,
    statistic: Option<String>,
    extended_statistic: Option<String>,
    dimensions: Option<Vec<Dimension>>,
    period: Option<i64>,
    unit: Option<String>,
    evaluation_periods: i64,
    datapoints_to_alarm: Option<i64>,
    threshold: Option<f64>,
    comparison_operator: String,
    treat_missing_data: Option<String>,
    evaluate_low_sample_count_percentile: Option<String>,
    metrics: Option<Value>,
    tags: Option<Value>,
    threshold_metric_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Dimension {
    name: String,
    value: String,
}

const PUT_METRIC_ALARM_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.ExtendedStatistic",
        "percentiles are not simulated: use Statistic.",
    ),
    Unmodelled::field(
        "$.EvaluateLowSampleCountPercentile",
        "percentiles are not simulated.",
    ),
    Unmodelled::field(
        "$.Metrics",
        "metric math alarms are not simulated: name one metric.",
    ),
    Unmodelled::field(
        "$.ThresholdMetricId",
        "anomaly detection alarms are not simulated.",
    ),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeAlarmsRequest {
    alarm_names: Option<Vec<String>>,
    alarm_name_prefix: Option<String>,
    alarm_types: Option<Vec<String>>,
    state_value: Option<String>,
    action_prefix: Option<String>,
    children_of_alarm_name: Option<String>,
    parents_of_alarm_name: Option<String>,
    max_records: Option<i64>,
    next_token: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeAlarmHistoryRequest {
    alarm_name: Option<String>,
    alarm_contributor_id: Option<String>,
    alarm_types: Option<Vec<String>>,
    history_item_type: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    max_records: Option<i64>,
    next_token: Option<String>,
    scan_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteAlarmsRequest {
    alarm_names: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SetAlarmStateRequest {
    alarm_name: String,
    state_value: String,
    state_reason: String,
    state_reason_data: Option<String>,
}

const PAGING_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field("$.NextToken", "every answer here is one page."),
    Unmodelled::field(
        "$.ChildrenOfAlarmName",
        "composite alarms are not simulated.",
    ),
    Unmodelled::field(
        "$.ParentsOfAlarmName",
        "composite alarms are not simulated.",
    ),
    Unmodelled::field(
        "$.AlarmContributorId",
        "multi-time-series alarms are not simulated.",
    ),
];

fn resource_not_found(name: &str, path: &str) -> ApiError {
    ApiError::new(
        "ResourceNotFound",
        format!("Alarm {name} does not exist."),
        Some(path),
    )
}

/// A number as CloudWatch's reasons print it, in Java's `Double.toString` style: `50.0`,
/// `82.5`, `8.3714617344E10`.
pub fn java_double(value: f64) -> String {
    if value == 0.0 {
        return "0.0".into();
    }
    let magnitude = value.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let text = format!("{value}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        let exponent = magnitude.log10().floor() as i32;
        let mantissa = value / 10f64.powi(exponent);
        let mantissa = format!("{mantissa}");
        let mantissa = if mantissa.contains('.') {
            mantissa
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}

/// Whether an alarm action is an Application Auto Scaling policy's ARN.
fn is_scaling_policy(arn: &str) -> bool {
    arn.starts_with("arn:aws:autoscaling:") && arn.contains(":scalingPolicy:")
}

/// What one evaluation found: the new state and the datapoints behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// None: the state is kept.
    pub state: Option<AlarmState>,
    pub reason: String,
}

/// Evaluates an alarm over its evaluation range: `range[i]` the datapoint of the i-th period,
/// oldest first, with its period's start; None where it is missing. A verdict without a state
/// keeps the alarm's.
pub fn evaluate(
    alarm: &Alarm,
    range: &[(SimTime, Option<f64>)],
    stamp: &dyn Fn(SimTime) -> String,
) -> Verdict {
    let n = alarm.evaluation_periods as usize;
    let m = alarm.m() as usize;
    let breaches = |v: f64| alarm.comparison.breaches(v, alarm.threshold);
    let real: Vec<(SimTime, f64)> = range
        .iter()
        .filter_map(|&(t, v)| v.map(|v| (t, v)))
        .collect();
    let fill_words = match alarm.treat_missing {
        TreatMissing::Breaching => "Breaching",
        _ => "NonBreaching",
    };
    if real.is_empty() {
        let state = match alarm.treat_missing {
            TreatMissing::Missing => Some(AlarmState::InsufficientData),
            TreatMissing::Ignore => None,
            TreatMissing::Breaching => Some(AlarmState::Alarm),
            TreatMissing::NotBreaching => Some(AlarmState::Ok),
        };
        let reason = match state {
            Some(AlarmState::InsufficientData) | None => unknown(n),
            Some(_) => format!(
                "Threshold Crossed: no datapoints were received for {} and {} {} treated as [{fill_words}].",
                plural(n, "period", "periods"),
                plural(n, "missing datapoint", "missing datapoints"),
                if n == 1 { "was" } else { "were" },
            ),
        };
        return Verdict { state, reason };
    }
    if real.len() >= n {
        let recent = &real[real.len() - n..];
        let breaching: Vec<(SimTime, f64)> = recent
            .iter()
            .copied()
            .filter(|&(_, v)| breaches(v))
            .collect();
        let alarmed = breaching.len() >= m;
        let shown: Vec<(SimTime, f64)> = if alarmed {
            breaching
        } else {
            recent
                .iter()
                .copied()
                .filter(|&(_, v)| !breaches(v))
                .collect()
        };
        let state = if alarmed {
            AlarmState::Alarm
        } else {
            AlarmState::Ok
        };
        let reason = crossed(alarm, state, &shown, n, 0, stamp);
        return Verdict {
            state: Some(state),
            reason,
        };
    }
    // Fewer real datapoints than N: all of them, and the missing ones as few as make N.
    let filled = n - real.len();
    let breaching: Vec<(SimTime, f64)> =
        real.iter().copied().filter(|&(_, v)| breaches(v)).collect();
    let calm: Vec<(SimTime, f64)> = real
        .iter()
        .copied()
        .filter(|&(_, v)| !breaches(v))
        .collect();
    let (state, shown) = match alarm.treat_missing {
        TreatMissing::Breaching => {
            if breaching.len() + filled >= m {
                (Some(AlarmState::Alarm), breaching)
            } else {
                (Some(AlarmState::Ok), calm)
            }
        }
        TreatMissing::NotBreaching => {
            if breaching.len() >= m {
                (Some(AlarmState::Alarm), breaching)
            } else {
                (Some(AlarmState::Ok), calm)
            }
        }
        TreatMissing::Ignore | TreatMissing::Missing => {
            if breaching.len() >= m {
                (Some(AlarmState::Alarm), breaching)
            } else if !calm.is_empty() {
                (Some(AlarmState::Ok), calm)
            } else {
                // Only breaching datapoints and missing ones: `missing` alarms when the oldest
                // breaching one of the last N periods is M periods old or more.
                let last_n = &range[range.len().saturating_sub(n)..];
                let oldest = last_n.iter().position(|&(_, v)| v.is_some_and(breaches));
                let old_enough = oldest.is_some_and(|i| last_n.len() - i >= m);
                if alarm.treat_missing == TreatMissing::Missing && old_enough {
                    (Some(AlarmState::Alarm), breaching)
                } else {
                    (None, breaching)
                }
            }
        }
    };
    let treated = matches!(
        alarm.treat_missing,
        TreatMissing::Breaching | TreatMissing::NotBreaching
    );
    let reason = match state {
        Some(s) => crossed(alarm, s, &shown, n, if treated { filled } else { 0 }, stamp),
        None => unknown(filled),
    };
    Verdict { state, reason }
}

/// `Insufficient Data: 1 datapoint was unknown.` (aws-facts 17.2.3).
fn unknown(n: usize) -> String {
    format!(
        "Insufficient Data: {} {} unknown.",
        plural(n, "datapoint", "datapoints"),
        if n == 1 { "was" } else { "were" }
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A "Threshold Crossed" reason in CloudWatch's words (aws-facts 17.2.3): the datapoints
/// `shown` (those that decided it), newest first.
fn crossed(
    alarm: &Alarm,
    state: AlarmState,
    shown: &[(SimTime, f64)],
    n: usize,
    filled: usize,
    stamp: &dyn Fn(SimTime) -> String,
) -> String {
    let not = if state == AlarmState::Alarm {
        ""
    } else {
        "not "
    };
    let words = alarm.comparison.words();
    let threshold = java_double(alarm.threshold);
    let mut newest_first: Vec<(SimTime, f64)> = shown.to_vec();
    newest_first.reverse();
    let items: Vec<String> = (newest_first.iter())
        .take(if shown.len() > REASON_INLINE_MAX {
            5
        } else {
            REASON_INLINE_MAX
        })
        .map(|&(t, v)| format!("{} ({})", java_double(v), stamp(t)))
        .collect();
    let count = shown.len();
    let verb = if count == 1 { "was" } else { "were" };
    let mut text = if count == 0 && filled > 0 {
        format!(
            "Threshold Crossed: no datapoints were received for {}",
            plural(filled, "period", "periods")
        )
    } else if alarm.datapoints_to_alarm.is_some() {
        if count > REASON_INLINE_MAX {
            format!("Threshold Crossed: {count} out of the last {n} datapoints {verb} {not}{words} the threshold ({threshold}). The most recent datapoints which crossed the threshold: [{}, ... {count} items]", items.join(", "))
        } else {
            format!("Threshold Crossed: {count} out of the last {n} datapoints [{}] {verb} {not}{words} the threshold ({threshold})", items.join(", "))
        }
    } else if count > REASON_INLINE_MAX {
        format!("Threshold Crossed: {count} datapoints {verb} {not}{words} the threshold ({threshold}). The most recent datapoints which crossed the threshold: [{}, ... {count} items]", items.join(", "))
    } else {
        format!(
            "Threshold Crossed: {} [{}] {verb} {not}{words} the threshold ({threshold})",
            plural(count, "datapoint", "datapoints"),
            items.join(", ")
        )
    };
    if filled > 0 {
        let fill_words = if alarm.treat_missing == TreatMissing::Breaching {
            "Breaching"
        } else {
            "NonBreaching"
        };
        text.push_str(&format!(
            " and {} {} treated as [{fill_words}]",
            plural(filled, "missing datapoint", "missing datapoints"),
            if filled == 1 { "was" } else { "were" }
        ));
    }
    if let Some(m) = alarm.datapoints_to_alarm {
        let (needed, transition) = if state == AlarmState::Alarm {
            (m as usize, "OK -> ALARM")
        } else {
            (n + 1 - m as usize, "ALARM -> OK")
        };
        text.push_str(&format!(
            " (minimum {} for {transition} transition)",
            plural(needed, "datapoint", "datapoints")
        ));
    }
    text.push('.');
    text
}

/// `dd/MM/yy HH:mm:ss`, as state reasons stamp datapoints.
fn reason_stamp(world: &World, time: SimTime) -> String {
    let iso = world.iso(time); // 2026-01-01T00:05:00.000Z
    format!(
        "{}/{}/{} {}",
        &iso[8..10],
        &iso[5..7],
        &iso[2..4],
        &iso[11..19]
    )
}

/// `2023-06-17T02:53:00.000+0000`, as StateReasonData stamps its times.
fn data_stamp(world: &World, time: SimTime) -> String {
    let iso = world.iso(time);
    format!("{}+0000", &iso[..23])
}

impl World {
    fn alarm_index(&self, name: &str) -> Option<usize> {
        self.cloudwatch.alarms.iter().position(|a| a.name == name)
    }

    pub(crate) fn put_metric_alarm(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutMetricAlarmRequest = parse_request(input)?;
        refuse_unmodelled(input, PUT_METRIC_ALARM_UNMODELLED)?;
        let alarm = self.plan_alarm(request)?;
        self.put_alarm(alarm);
        Ok(json!({}))
    }

    /// An alarm from a PutMetricAlarm request, checked as CloudWatch checks it.
    fn plan_alarm(&self, request: PutMetricAlarmRequest) -> Result<Alarm, ApiError> {
        let name = request.alarm_name.clone();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(invalid_value(
                "The alarm name must be 1 to 255 characters.",
                "$.AlarmName",
            ));
        }
        let (Some(namespace), Some(metric_name)) = (&request.namespace, &request.metric_name)
        else {
            return Err(ApiError::new(
                "MissingParameter",
                "Namespace and MetricName are required for an alarm on one metric.",
                Some("$.MetricName"),
            ));
        };
        let Some(statistic) = request.statistic.clone() else {
            return Err(ApiError::new(
                "MissingParameter",
                "Either Statistic or ExtendedStatistic must be specified.",
                Some("$.Statistic"),
            ));
        };
        if !["SampleCount", "Average", "Sum", "Minimum", "Maximum"].contains(&statistic.as_str()) {
            return Err(invalid_value(
                format!("The parameter Statistic must be one of SampleCount, Average, Sum, Minimum, Maximum; not '{statistic}'."),
                "$.Statistic",
            ));
        }
        let period = request.period.unwrap_or(60);
        if [10, 20, 30].contains(&period) {
            return Err(ApiError::not_modelled(
                "$.Period",
                "high-resolution alarms (10, 20 or 30 seconds) are not simulated: metrics here have one datapoint a minute.",
            ));
        }
        if period < 60 || period % 60 != 0 {
            return Err(invalid_value(
                "The parameter Period must be 10, 20, 30 or a multiple of 60.",
                "$.Period",
            ));
        }
        let n = request.evaluation_periods;
        if n < 1 {
            return Err(invalid_value(
                "The parameter EvaluationPeriods must be greater than or equal to 1.",
                "$.EvaluationPeriods",
            ));
        }
        let total = period * n;
        if total > 604_800 || (period < 3_600 && total > 86_400) {
            return Err(invalid_value(
                "The evaluation period, Period x EvaluationPeriods, must not exceed one day for periods under an hour, or seven days.",
                "$.EvaluationPeriods",
            ));
        }
        let m = match request.datapoints_to_alarm {
            None => None,
            Some(m) if (1..=n).contains(&m) => Some(m as u32),
            Some(_) => {
                return Err(invalid_value(
                    "DatapointsToAlarm must be between 1 and EvaluationPeriods.",
                    "$.DatapointsToAlarm",
                ))
            }
        };
        let Some(threshold) = request.threshold else {
            return Err(ApiError::new(
                "MissingParameter",
                "The parameter Threshold is required.",
                Some("$.Threshold"),
            ));
        };
        let comparison = Comparison::parse(&request.comparison_operator).ok_or_else(|| {
            if request.comparison_operator.contains("Band") {
                ApiError::not_modelled(
                    "$.ComparisonOperator",
                    "anomaly detection bands are not simulated.",
                )
            } else {
                invalid_value(
                    format!(
                        "Invalid value '{}' for ComparisonOperator.",
                        request.comparison_operator
                    ),
                    "$.ComparisonOperator",
                )
            }
        })?;
        let treat = request.treat_missing_data.as_deref().unwrap_or("missing");
        let treat_missing = TreatMissing::parse(treat).ok_or_else(|| {
            invalid_value(
                format!("Invalid value '{treat}' for TreatMissingData: breaching, notBreaching, ignore or missing."),
                "$.TreatMissingData",
            )
        })?;
        let dimensions: Vec<(&str, &str)> = (request.dimensions.iter().flatten())
            .map(|d| (d.name.as_str(), d.value.as_str()))
            .collect();
        // Only Application Auto Scaling policies act here: notifications (SNS), EC2 and Systems
        // Manager actions would be accepted and never happen, so they are refused by name.
        let lists = [
            ("OKActions", &request.ok_actions),
            ("AlarmActions", &request.alarm_actions),
            (
                "InsufficientDataActions",
                &request.insufficient_data_actions,
            ),
        ];
        for (field, list) in lists {
            for (n, action) in list.iter().flatten().enumerate() {
                if !is_scaling_policy(action) {
                    return Err(ApiError::not_modelled(
                        &format!("$.{field}[{n}]"),
                        &format!("the action '{action}' is not simulated: only Application Auto Scaling policies (arn:aws:autoscaling:...:scalingPolicy:...) act on alarms here."),
                    ));
                }
            }
        }
        let metric = MetricId::new(namespace, metric_name, &dimensions);
        let now = self.now;
        Ok(Alarm {
            arn: self.arn("cloudwatch", &format!("alarm:{name}")),
            name,
            description: request.alarm_description,
            actions_enabled: request.actions_enabled.unwrap_or(true),
            ok_actions: request.ok_actions.unwrap_or_default(),
            alarm_actions: request.alarm_actions.unwrap_or_default(),
            insufficient_data_actions: request.insufficient_data_actions.unwrap_or_default(),
            metric,
            statistic,
            unit: request.unit,
            period_s: period as u32,
            evaluation_periods: n as u32,
            datapoints_to_alarm: m,
            threshold,
            comparison,
            treat_missing,
            state: AlarmState::InsufficientData,
            state_reason: "Unchecked: Initial alarm creation".into(),
            state_reason_data: None,
            state_updated: now,
            state_transitioned: now,
            configuration_updated: now,
            history: VecDeque::new(),
            last_value: None,
            recent: Vec::new(),
        })
    }

    /// Adds or replaces an alarm (PutMetricAlarm, or a target-tracking policy's own). A
    /// replaced alarm keeps its state; a new one starts INSUFFICIENT_DATA.
    pub(crate) fn put_alarm(&mut self, mut alarm: Alarm) {
        let now = self.now;
        match self.alarm_index(&alarm.name) {
            Some(i) => {
                let old = &mut self.cloudwatch.alarms[i];
                alarm.state = old.state;
                alarm.state_reason = std::mem::take(&mut old.state_reason);
                alarm.state_reason_data = old.state_reason_data.take();
                alarm.state_updated = old.state_updated;
                alarm.state_transitioned = old.state_transitioned;
                alarm.history = std::mem::take(&mut old.history);
                alarm.remember(HistoryItem {
                    time: now,
                    kind: "ConfigurationUpdate",
                    summary: format!("Alarm \"{}\" updated", alarm.name),
                    data: json!({ "type": "Update", "version": "1.0" }),
                });
                self.cloudwatch.alarms[i] = alarm;
            }
            None => {
                alarm.remember(HistoryItem {
                    time: now,
                    kind: "ConfigurationUpdate",
                    summary: format!("Alarm \"{}\" created", alarm.name),
                    data: json!({ "type": "Create", "version": "1.0" }),
                });
                self.cloudwatch.alarms.push(alarm);
            }
        }
    }

    /// Room for `count` new alarms, or CloudWatch's `LimitExceeded`.
    pub(crate) fn alarm_room(&self, names: &[&str]) -> Result<(), ApiError> {
        let new = names
            .iter()
            .filter(|n| self.alarm_index(n).is_none())
            .count();
        if self.cloudwatch.alarms.len() + new > ALARMS_MAX {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("The maximum number of alarms ({ALARMS_MAX}) has been reached."),
                None,
            ));
        }
        Ok(())
    }

    pub(crate) fn alarm_json(&self, a: &Alarm) -> Value {
        let mut out = json!({
            "AlarmName": a.name,
            "AlarmArn": a.arn,
            "AlarmConfigurationUpdatedTimestamp": self.iso(a.configuration_updated),
            "ActionsEnabled": a.actions_enabled,
            "OKActions": a.ok_actions,
            "AlarmActions": a.alarm_actions,
            "InsufficientDataActions": a.insufficient_data_actions,
            "StateValue": a.state.as_str(),
            "StateReason": a.state_reason,
            "StateUpdatedTimestamp": self.iso(a.state_updated),
            "StateTransitionedTimestamp": self.iso(a.state_transitioned),
            "MetricName": a.metric.name,
            "Namespace": a.metric.namespace,
            "Statistic": a.statistic,
            "Dimensions": a.metric.dimensions.iter().map(|(n, v)| json!({ "Name": n, "Value": v })).collect::<Vec<_>>(),
            "Period": a.period_s,
            "EvaluationPeriods": a.evaluation_periods,
            "Threshold": a.threshold,
            "ComparisonOperator": a.comparison.as_str(),
            "TreatMissingData": a.treat_missing.as_str(),
        });
        if let Some(d) = &a.description {
            out["AlarmDescription"] = json!(d);
        }
        if let Some(m) = a.datapoints_to_alarm {
            out["DatapointsToAlarm"] = json!(m);
        }
        if let Some(u) = &a.unit {
            out["Unit"] = json!(u);
        }
        if let Some(data) = &a.state_reason_data {
            out["StateReasonData"] = json!(data);
        }
        out
    }

    pub(crate) fn describe_alarms(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeAlarmsRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let state = match request.state_value.as_deref() {
            None => None,
            Some(s) => Some(AlarmState::parse(s).ok_or_else(|| {
                invalid_value(
                    format!("Invalid value '{s}' for StateValue: OK, ALARM or INSUFFICIENT_DATA."),
                    "$.StateValue",
                )
            })?),
        };
        if request.alarm_names.is_some() && request.alarm_name_prefix.is_some() {
            return Err(invalid_value(
                "AlarmNames and AlarmNamePrefix cannot be used together.",
                "$.AlarmNamePrefix",
            ));
        }
        let composite_only = (request.alarm_types.iter().flatten()).all(|t| t == "CompositeAlarm")
            && request.alarm_types.as_ref().is_some_and(|t| !t.is_empty());
        let max = request.max_records.unwrap_or(50).clamp(1, 100) as usize;
        let alarms: Vec<Value> = (self.cloudwatch.alarms.iter())
            .filter(|_| !composite_only)
            .filter(|a| (request.alarm_names.as_ref()).is_none_or(|names| names.contains(&a.name)))
            .filter(|a| {
                (request.alarm_name_prefix.as_deref()).is_none_or(|p| a.name.starts_with(p))
            })
            .filter(|a| state.is_none_or(|s| a.state == s))
            .filter(|a| {
                (request.action_prefix.as_deref()).is_none_or(|p| {
                    (a.alarm_actions
                        .iter()
                        .chain(&a.ok_actions)
                        .chain(&a.insufficient_data_actions))
                    .any(|action| action.starts_with(p))
                })
            })
            .take(max)
            .map(|a| self.alarm_json(a))
            .collect();
        Ok(json!({ "MetricAlarms": alarms, "CompositeAlarms": [] }))
    }

    pub(crate) fn describe_alarm_history(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeAlarmHistoryRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let bound = |text: &Option<String>, path: &str| -> Result<Option<SimTime>, ApiError> {
            match text {
                None => Ok(None),
                Some(t) => {
                    let epoch = crate::engine::time::parse_timestamp(t)
                        .map_err(|e| invalid_value(e, path))?;
                    Ok(Some((epoch - self.config.start_epoch_ms).max(0) as SimTime))
                }
            }
        };
        let start = bound(&request.start_date, "$.StartDate")?;
        let end = bound(&request.end_date, "$.EndDate")?;
        if let Some(kind) = &request.history_item_type {
            let known = [
                "ConfigurationUpdate",
                "StateUpdate",
                "Action",
                "AlarmContributorStateUpdate",
                "AlarmContributorAction",
            ];
            if !known.contains(&kind.as_str()) {
                return Err(invalid_value(
                    format!("Invalid value '{kind}' for HistoryItemType."),
                    "$.HistoryItemType",
                ));
            }
        }
        let max = request.max_records.unwrap_or(100).clamp(1, 100) as usize;
        let mut items: Vec<(SimTime, Value)> = Vec::new();
        for a in &self.cloudwatch.alarms {
            if request.alarm_name.as_ref().is_some_and(|n| *n != a.name) {
                continue;
            }
            for h in &a.history {
                let kept = request
                    .history_item_type
                    .as_deref()
                    .is_none_or(|k| k == h.kind)
                    && start.is_none_or(|s| h.time >= s)
                    && end.is_none_or(|e| h.time <= e);
                if kept {
                    items.push((
                        h.time,
                        json!({
                            "AlarmName": a.name,
                            "AlarmType": "MetricAlarm",
                            "Timestamp": self.iso(h.time),
                            "HistoryItemType": h.kind,
                            "HistorySummary": h.summary,
                            "HistoryData": h.data.to_string(),
                        }),
                    ));
                }
            }
        }
        // Newest first unless asked for the oldest (ScanBy TimestampAscending).
        items.sort_by_key(|(t, _)| *t);
        if request.scan_by.as_deref() != Some("TimestampAscending") {
            items.reverse();
        }
        let out: Vec<Value> = items.into_iter().take(max).map(|(_, v)| v).collect();
        Ok(json!({ "AlarmHistoryItems": out }))
    }

    pub(crate) fn delete_alarms(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteAlarmsRequest = parse_request(input)?;
        for (n, name) in request.alarm_names.iter().enumerate() {
            if self.alarm_index(name).is_none() {
                return Err(resource_not_found(name, &format!("$.AlarmNames[{n}]")));
            }
        }
        let names = request.alarm_names;
        self.cloudwatch.alarms.retain(|a| !names.contains(&a.name));
        Ok(json!({}))
    }

    /// Removes alarms by name, those there (a scaling policy's own, as it goes).
    pub(crate) fn remove_alarms(&mut self, names: &[String]) {
        self.cloudwatch.alarms.retain(|a| !names.contains(&a.name));
    }

    pub(crate) fn set_alarm_state(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: SetAlarmStateRequest = parse_request(input)?;
        let Some(i) = self.alarm_index(&request.alarm_name) else {
            return Err(resource_not_found(&request.alarm_name, "$.AlarmName"));
        };
        let state = AlarmState::parse(&request.state_value).ok_or_else(|| {
            invalid_value(
                format!(
                    "Invalid value '{}' for StateValue: OK, ALARM or INSUFFICIENT_DATA.",
                    request.state_value
                ),
                "$.StateValue",
            )
        })?;
        if let Some(data) = &request.state_reason_data {
            if serde_json::from_str::<Value>(data).is_err() {
                return Err(ApiError::new(
                    "InvalidFormat",
                    "StateReasonData is not valid JSON.",
                    Some("$.StateReasonData"),
                ));
            }
        }
        // The state holds until the next evaluation, which sets it from the data again.
        self.change_alarm_state(i, state, request.state_reason, request.state_reason_data);
        Ok(json!({}))
    }

    /// Evaluates every alarm at `at`, a minute's end, once that minute's metrics are in.
    pub(crate) fn evaluate_alarms(&mut self, at: SimTime) {
        for i in 0..self.cloudwatch.alarms.len() {
            let alarm = &self.cloudwatch.alarms[i];
            let period = SimTime::from(alarm.period_s) * MS_PER_SECOND;
            // Periods of more than a minute end at a multiple of their length.
            if at % period != 0 || at < period {
                continue;
            }
            let periods = alarm.evaluation_periods + RANGE_EXTRA_PERIODS;
            let start = at.saturating_sub(period * SimTime::from(periods));
            let first = at - period * SimTime::from(periods.min((at / period) as u32));
            // An alarm with a Unit watches only datapoints of that unit: another unit is no data.
            let unit_differs = (alarm.unit.as_deref()).is_some_and(|u| {
                (self.cloudwatch.metrics.series(&alarm.metric)).is_some_and(|s| s.unit != u)
            });
            let buckets = if unit_differs {
                Vec::new()
            } else {
                (self.cloudwatch.metrics).buckets(&alarm.metric, first, at, period)
            };
            let mut range: Vec<(SimTime, Option<f64>)> = Vec::new();
            let mut t = start;
            while t < at {
                let value = (t >= first)
                    .then(|| {
                        buckets
                            .iter()
                            .find(|(b, _)| *b == t)
                            .map(|(_, s)| s.get(&alarm.statistic))
                    })
                    .flatten();
                range.push((t, value));
                t += period;
            }
            let world: &World = self;
            let verdict = evaluate(alarm, &range, &|t| reason_stamp(world, t));
            let data = self.reason_data(alarm, &range, at);
            let last_value = range.iter().rev().find_map(|&(_, v)| v);
            let n = alarm.evaluation_periods as usize;
            let recent: Vec<f64> = range[range.len().saturating_sub(n)..]
                .iter()
                .filter_map(|&(_, v)| v)
                .collect();
            self.cloudwatch.alarms[i].last_value = last_value;
            self.cloudwatch.alarms[i].recent = recent;
            let current = self.cloudwatch.alarms[i].state;
            match verdict.state {
                Some(state) if state != current => {
                    self.change_alarm_state(i, state, verdict.reason, Some(data));
                }
                _ => {
                    let a = &self.cloudwatch.alarms[i];
                    if a.state == AlarmState::Alarm && a.actions_enabled {
                        // Scaling actions run again at each evaluation while in ALARM.
                        self.alarm_actions(i, true);
                    }
                }
            }
        }
    }

    /// StateReasonData of an evaluation, as CloudWatch writes it (aws-facts 17.2.3).
    fn reason_data(&self, alarm: &Alarm, range: &[(SimTime, Option<f64>)], at: SimTime) -> String {
        let n = alarm.evaluation_periods as usize;
        let evaluated = &range[range.len().saturating_sub(n)..];
        let mut data = json!({
            "version": "1.0",
            "queryDate": data_stamp(self, at),
            "startDate": data_stamp(self, evaluated.first().map_or(at, |e| e.0)),
            "statistic": alarm.statistic,
            "period": alarm.period_s,
            "recentDatapoints": evaluated.iter().filter_map(|e| e.1).collect::<Vec<_>>(),
            "threshold": alarm.threshold,
            "evaluatedDatapoints": evaluated.iter().rev().map(|&(t, v)| match v {
                Some(v) => json!({ "timestamp": data_stamp(self, t), "sampleCount": 1.0, "value": v }),
                None => json!({ "timestamp": data_stamp(self, t) }),
            }).collect::<Vec<_>>(),
        });
        if let Some(unit) = &alarm.unit {
            data["unit"] = json!(unit);
        }
        data.to_string()
    }

    /// Moves alarm `i` to `state`: its history, the `CloudWatch Alarm State Change` event, and
    /// the new state's actions.
    fn change_alarm_state(
        &mut self,
        i: usize,
        state: AlarmState,
        reason: String,
        data: Option<String>,
    ) {
        let now = self.now;
        let stamp = data_stamp(self, now);
        let previous_stamp = data_stamp(self, self.cloudwatch.alarms[i].state_updated);
        let a = &mut self.cloudwatch.alarms[i];
        let previous = json!({
            "value": a.state.as_str(),
            "reason": a.state_reason,
            "reasonData": a.state_reason_data,
            "timestamp": previous_stamp,
        });
        let before = a.state;
        a.state = state;
        a.state_reason = reason.clone();
        a.state_reason_data = data.clone();
        a.state_updated = now;
        if before != state {
            a.state_transitioned = now;
        }
        a.remember(HistoryItem {
            time: now,
            kind: "StateUpdate",
            summary: format!("Alarm updated from {} to {}", before.as_str(), state.as_str()),
            data: json!({
                "version": "1.0",
                "oldState": { "stateValue": before.as_str() },
                "newState": { "stateValue": state.as_str(), "stateReason": reason, "stateReasonData": data.as_deref().and_then(|d| serde_json::from_str::<Value>(d).ok()) },
            }),
        });
        let a = &self.cloudwatch.alarms[i];
        let detail = json!({
            "alarmName": a.name,
            "state": { "value": state.as_str(), "reason": reason, "reasonData": data, "timestamp": stamp },
            "previousState": previous,
            "configuration": {
                "description": a.description,
                "metrics": [{
                    "id": "m1",
                    "metricStat": {
                        "metric": {
                            "namespace": a.metric.namespace,
                            "name": a.metric.name,
                            "dimensions": a.metric.dimensions.iter().map(|(n, v)| (n.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
                        },
                        "period": a.period_s,
                        "stat": a.statistic,
                    },
                    "returnData": true,
                }],
            },
        });
        let arn = a.arn.clone();
        self.emit_event(
            "aws.cloudwatch",
            "CloudWatch Alarm State Change",
            vec![arn],
            detail,
            None,
        );
        if self.cloudwatch.alarms[i].actions_enabled {
            self.alarm_actions(i, false);
        }
    }

    /// Runs alarm `i`'s actions for its state: on entering it, all of them; `again` (while it
    /// stays in ALARM), the scaling policies only.
    fn alarm_actions(&mut self, i: usize, again: bool) {
        let a = &self.cloudwatch.alarms[i];
        let actions = match a.state {
            AlarmState::Ok => &a.ok_actions,
            AlarmState::Alarm => &a.alarm_actions,
            AlarmState::InsufficientData => &a.insufficient_data_actions,
        };
        let scaling: Vec<String> = (actions.iter())
            .filter(|arn| is_scaling_policy(arn))
            .cloned()
            .collect();
        let (name, state) = (a.name.clone(), a.state);
        for policy in scaling {
            if state == AlarmState::Alarm || !again {
                self.command(crate::world::Command::ScalingPolicyAlarm(
                    policy,
                    name.clone(),
                    state.as_str(),
                ));
            }
        }
    }
}
