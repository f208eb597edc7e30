//! CloudWatch metric alarms: CloudWatch's own truth tables for M-out-of-N and each
//! TreatMissingData mode (aws-facts 17.2.2), the state reasons in its words (17.2.3), the
//! `CloudWatch Alarm State Change` event, history, SetAlarmState, and PutMetricAlarm's checks.

mod sim;

use std::collections::VecDeque;

use ecsplay::cloudwatch::alarms::{evaluate, Alarm, AlarmState, Comparison, TreatMissing};
use ecsplay::cloudwatch::metrics::MetricId;
use ecsplay::world::World;
use serde_json::{json, Value};

const MINUTE: u64 = 60_000;

fn alarm(m: u32, n: u32, treat: TreatMissing) -> Alarm {
    Alarm {
        name: "t".into(),
        arn: "arn".into(),
        description: None,
        actions_enabled: true,
        ok_actions: vec![],
        alarm_actions: vec![],
        insufficient_data_actions: vec![],
        metric: MetricId::new("App", "Load", &[]),
        statistic: "Average".into(),
        unit: None,
        period_s: 60,
        evaluation_periods: n,
        datapoints_to_alarm: Some(m),
        threshold: 50.0,
        comparison: Comparison::Greater,
        treat_missing: treat,
        state: AlarmState::InsufficientData,
        state_reason: String::new(),
        state_reason_data: None,
        state_updated: 0,
        state_transitioned: 0,
        configuration_updated: 0,
        history: VecDeque::new(),
        last_value: None,
        recent: Vec::new(),
    }
}

/// The range of a row of the guide's tables, oldest first: `0` not breaching, `X` breaching,
/// `-` missing.
fn range(row: &str) -> Vec<(u64, Option<f64>)> {
    row.split(' ')
        .enumerate()
        .map(|(i, c)| {
            let value = match c {
                "0" => Some(10.0),
                "X" => Some(90.0),
                _ => None,
            };
            (i as u64 * MINUTE, value)
        })
        .collect()
}

/// Each mode's result for a row: Some(state), or None for "retain".
type Row = (&'static str, [Option<AlarmState>; 4]);

fn check(m: u32, rows: &[Row]) {
    use AlarmState::{Alarm as A, InsufficientData as I, Ok as O};
    let _ = (A, I, O);
    let modes = [
        TreatMissing::Missing,
        TreatMissing::Ignore,
        TreatMissing::Breaching,
        TreatMissing::NotBreaching,
    ];
    for (row, expected) in rows {
        for (mode, want) in modes.iter().zip(expected) {
            let verdict = evaluate(&alarm(m, 3, *mode), &range(row), &|_| "t".into());
            assert_eq!(
                verdict.state, *want,
                "M={m} N=3 {row:?} {mode:?}: {}",
                verdict.reason
            );
        }
    }
}

#[test]
fn three_out_of_three_follows_cloudwatchs_truth_table() {
    use AlarmState::{Alarm as A, InsufficientData as I, Ok as O};
    check(
        3,
        &[
            ("0 - X - X", [Some(O), Some(O), Some(O), Some(O)]),
            ("0 - - - -", [Some(O), Some(O), Some(O), Some(O)]),
            ("- - - - -", [Some(I), None, Some(A), Some(O)]),
            ("0 X X - X", [Some(A), Some(A), Some(A), Some(A)]),
            ("- - X - -", [Some(A), None, Some(A), Some(O)]),
        ],
    );
    // The guide's premature-alarm rule: a breaching datapoint not yet M periods old does not
    // alarm with `missing`.
    for row in ["- - - - X", "- - - X -"] {
        let verdict = evaluate(&alarm(3, 3, TreatMissing::Missing), &range(row), &|_| {
            "t".into()
        });
        assert_eq!(verdict.state, None, "{row}");
    }
}

#[test]
fn two_out_of_three_follows_cloudwatchs_truth_table() {
    use AlarmState::{Alarm as A, Ok as O};
    check(
        2,
        &[
            ("0 - X - X", [Some(A), Some(A), Some(A), Some(A)]),
            ("0 0 X 0 X", [Some(A), Some(A), Some(A), Some(A)]),
            ("0 - X - -", [Some(O), Some(O), Some(A), Some(O)]),
            ("- - - - 0", [Some(O), Some(O), Some(A), Some(O)]),
            ("- - - X -", [Some(A), None, Some(A), Some(O)]),
        ],
    );
}

fn put(world: &mut World, value: f64) {
    sim::ok(
        world,
        "cloudwatch:PutMetricData",
        json!({ "Namespace": "App", "MetricData": [{ "MetricName": "Load", "Value": value }] }),
    );
}

fn describe(world: &mut World, name: &str) -> Value {
    sim::ok(
        world,
        "cloudwatch:DescribeAlarms",
        json!({ "AlarmNames": [name] }),
    )["MetricAlarms"][0]
        .clone()
}

#[test]
fn an_alarm_goes_to_alarm_and_back_with_cloudwatchs_reasons_events_and_history() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricAlarm",
        json!({ "AlarmName": "load-high", "Namespace": "App", "MetricName": "Load",
                "Statistic": "Average", "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
                "Threshold": 80, "ComparisonOperator": "GreaterThanOrEqualToThreshold" }),
    );
    let created = describe(&mut world, "load-high");
    assert_eq!(created["StateValue"], "INSUFFICIENT_DATA");
    assert_eq!(created["StateReason"], "Unchecked: Initial alarm creation");
    assert_eq!(created["TreatMissingData"], "missing");
    assert_eq!(
        created["AlarmArn"],
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:load-high"
    );
    // Minutes 0 to 2: 10, 90, 95.
    sim::feed_load(&mut world, &[10.0, 90.0, 95.0]);
    let alarmed = describe(&mut world, "load-high");
    assert_eq!(alarmed["StateValue"], "ALARM");
    assert_eq!(
        alarmed["StateReason"],
        "Threshold Crossed: 2 out of the last 3 datapoints [95.0 (01/01/26 00:02:00), 90.0 (01/01/26 00:01:00)] were greater than or equal to the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
    );
    let data: Value = serde_json::from_str(alarmed["StateReasonData"].as_str().unwrap()).unwrap();
    assert_eq!(data["recentDatapoints"], json!([10.0, 90.0, 95.0]));
    assert_eq!(data["threshold"], 80.0);
    assert_eq!(data["period"], 60);
    // After the first minute one calm datapoint and two missing: OK (the guide's `0 - - - -`).
    let events = sim::events(&world, "CloudWatch Alarm State Change");
    let states: Vec<(&str, &str)> = (events.iter())
        .map(|e| {
            (
                e["detail"]["previousState"]["value"].as_str().unwrap(),
                e["detail"]["state"]["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, [("INSUFFICIENT_DATA", "OK"), ("OK", "ALARM")]);
    assert_eq!(events[1]["source"], "aws.cloudwatch");
    assert_eq!(
        events[1]["resources"],
        json!(["arn:aws:cloudwatch:us-east-1:123456789012:alarm:load-high"])
    );
    // Two calm minutes: 2 of the last 3 not breaching is OK (N - M + 1 = 2).
    sim::feed_load(&mut world, &[20.0, 30.0]);
    let calm = describe(&mut world, "load-high");
    assert_eq!(calm["StateValue"], "OK");
    assert_eq!(
        calm["StateReason"],
        "Threshold Crossed: 2 out of the last 3 datapoints [30.0 (01/01/26 00:04:00), 20.0 (01/01/26 00:03:00)] were not greater than or equal to the threshold (80.0) (minimum 2 datapoints for ALARM -> OK transition)."
    );
    let history = sim::ok(
        &mut world,
        "cloudwatch:DescribeAlarmHistory",
        json!({ "AlarmName": "load-high", "HistoryItemType": "StateUpdate" }),
    );
    let summaries: Vec<&str> = (history["AlarmHistoryItems"].as_array().unwrap().iter())
        .map(|h| h["HistorySummary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Alarm updated from ALARM to OK",
            "Alarm updated from OK to ALARM",
            "Alarm updated from INSUFFICIENT_DATA to OK"
        ]
    );
    // SetAlarmState holds until the next evaluation.
    sim::ok(
        &mut world,
        "cloudwatch:SetAlarmState",
        json!({ "AlarmName": "load-high", "StateValue": "ALARM", "StateReason": "testing the actions" }),
    );
    assert_eq!(
        describe(&mut world, "load-high")["StateReason"],
        "testing the actions"
    );
    sim::advance(&mut world, MINUTE);
    assert_eq!(describe(&mut world, "load-high")["StateValue"], "OK");
    // No data for three periods (the range is N + 2 = 5): missing datapoints, then
    // INSUFFICIENT_DATA once none is left in the range.
    sim::advance(&mut world, 5 * MINUTE);
    let idle = describe(&mut world, "load-high");
    assert_eq!(idle["StateValue"], "INSUFFICIENT_DATA");
    assert_eq!(
        idle["StateReason"],
        "Insufficient Data: 3 datapoints were unknown."
    );
    sim::ok(
        &mut world,
        "cloudwatch:DeleteAlarms",
        json!({ "AlarmNames": ["load-high"] }),
    );
    let none = sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}));
    assert_eq!(none["MetricAlarms"], json!([]));
}

#[test]
fn a_missing_datapoint_treated_as_breaching_says_so() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricAlarm",
        json!({ "AlarmName": "quiet", "Namespace": "App", "MetricName": "Load",
                "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1,
                "Threshold": 1, "ComparisonOperator": "LessThanThreshold", "TreatMissingData": "breaching" }),
    );
    sim::advance(&mut world, 1_000);
    put(&mut world, 5.0);
    sim::advance(&mut world, MINUTE);
    assert_eq!(
        describe(&mut world, "quiet")["StateReason"],
        "Threshold Crossed: 1 datapoint [5.0 (01/01/26 00:00:00)] was not less than the threshold (1.0)."
    );
    sim::advance(&mut world, 3 * MINUTE);
    let alarmed = describe(&mut world, "quiet");
    assert_eq!(alarmed["StateValue"], "ALARM");
}

#[test]
fn put_metric_alarm_refuses_what_cloudwatch_refuses_and_changes_nothing() {
    let mut world = sim::world();
    let base = json!({ "AlarmName": "a", "Namespace": "App", "MetricName": "Load", "Statistic": "Average",
                       "Period": 60, "EvaluationPeriods": 3, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold" });
    let with = |extra: Value| {
        let mut input = base.clone();
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    let cases: &[(Value, &str, &str)] = &[
        (
            with(json!({ "Period": 90 })),
            "InvalidParameterValue",
            "$.Period",
        ),
        (
            with(json!({ "Period": 10 })),
            "UnsupportedFeatureException",
            "$.Period",
        ),
        (
            with(json!({ "Period": 3600, "EvaluationPeriods": 169 })),
            "InvalidParameterValue",
            "$.EvaluationPeriods",
        ),
        (
            with(json!({ "Period": 60, "EvaluationPeriods": 1441 })),
            "InvalidParameterValue",
            "$.EvaluationPeriods",
        ),
        (
            with(json!({ "DatapointsToAlarm": 4 })),
            "InvalidParameterValue",
            "$.DatapointsToAlarm",
        ),
        (
            with(json!({ "ComparisonOperator": "Above" })),
            "InvalidParameterValue",
            "$.ComparisonOperator",
        ),
        (
            with(json!({ "TreatMissingData": "zero" })),
            "InvalidParameterValue",
            "$.TreatMissingData",
        ),
        (
            with(json!({ "ExtendedStatistic": "p99" })),
            "UnsupportedFeatureException",
            "$.ExtendedStatistic",
        ),
    ];
    for (input, code, path) in cases {
        let e = sim::err(&mut world, "cloudwatch:PutMetricAlarm", input.clone());
        assert_eq!(
            (e.code.as_str(), e.path.as_deref()),
            (*code, Some(*path)),
            "{input}"
        );
    }
    let none = sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}));
    assert_eq!(none["MetricAlarms"], json!([]));
    let e = sim::err(
        &mut world,
        "cloudwatch:DeleteAlarms",
        json!({ "AlarmNames": ["nope"] }),
    );
    assert_eq!(e.code, "ResourceNotFound");
}

#[test]
fn the_playgrounds_log_lists_an_alarms_change_as_its_own_kind() {
    use ecsplay::engine::LogRecord;
    use ecsplay::ui::model::log_view::{classify, summary, Kind};
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricAlarm",
        json!({ "AlarmName": "hot", "Namespace": "App", "MetricName": "Load", "Statistic": "Maximum",
                "Period": 60, "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold" }),
    );
    sim::advance(&mut world, 1_000);
    put(&mut world, 9.0);
    sim::advance(&mut world, MINUTE);
    let record: &LogRecord = world.log().last().unwrap();
    assert_eq!(classify(record).0, Kind::Alarm);
    assert_eq!(
        summary(record),
        "Alarm hot INSUFFICIENT_DATA -> ALARM · Threshold Crossed: 1 datapoint [9.0 (01/01/26 00:00:00)] was greater than the threshold (5.0)."
    );
}

#[test]
fn each_alarm_with_datapoints_has_a_chart_of_its_metric_and_threshold() {
    use ecsplay::ui::model::charts::alarm_charts;
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricAlarm",
        json!({ "AlarmName": "hot", "Namespace": "App", "MetricName": "Load", "Statistic": "Maximum",
                "Period": 60, "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold" }),
    );
    assert!(alarm_charts(&world).is_empty(), "no datapoints, no chart");
    sim::feed_load(&mut world, &[3.0, 9.0]);
    let charts = alarm_charts(&world);
    assert_eq!(charts.len(), 1);
    assert_eq!(
        charts[0].caption,
        "hot: Load Maximum (GreaterThanThreshold), now ALARM"
    );
    let values: Vec<f64> = charts[0].lines[0].points.iter().map(|p| p.1).collect();
    assert_eq!(values, [3.0, 9.0]);
    assert!(charts[0].lines[1].points.iter().all(|p| p.1 == 5.0));
}

#[test]
fn an_alarm_with_a_unit_sees_no_data_of_another_unit() {
    let mut world = sim::world();
    for (name, unit) in [("seconds", "Seconds"), ("count", "Count")] {
        sim::ok(
            &mut world,
            "cloudwatch:PutMetricAlarm",
            json!({ "AlarmName": name, "Namespace": "App", "MetricName": "Load", "Statistic": "Maximum", "Unit": unit,
                    "Period": 60, "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold" }),
        );
    }
    sim::advance(&mut world, 1_000);
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricData",
        json!({ "Namespace": "App", "MetricData": [{ "MetricName": "Load", "Value": 9, "Unit": "Count" }] }),
    );
    sim::advance(&mut world, MINUTE);
    assert_eq!(describe(&mut world, "count")["StateValue"], "ALARM");
    assert_eq!(
        describe(&mut world, "seconds")["StateValue"],
        "INSUFFICIENT_DATA"
    );
}
