//! The scenario format, version 1 (design.md section 4): what is accepted, and how each kind of
//! bad document is refused.

use ecsplay::scenario::{Scenario, ScenarioError, SCENARIO_BYTES_MAX, SCENARIO_STEPS_MAX};

#[test]
fn a_minimal_scenario_takes_the_documented_defaults() {
    let scenario = Scenario::parse(r#"{"format": 1, "name": "empty"}"#).unwrap();
    assert_eq!(scenario.seed, 0);
    assert_eq!(scenario.region, "us-east-1");
    assert_eq!(scenario.account, "123456789012");
    assert_eq!(scenario.start, "2026-01-01T00:00:00Z");
    assert!(scenario.steps.is_empty());
}

#[test]
fn step_times_accept_durations_and_milliseconds() {
    let text = r#"{"format": 1, "name": "t", "steps": [
        {"at": "90s", "action": "ecs:CreateCluster", "input": {"clusterName": "a"}},
        {"at": "1h30m", "action": "ecs:CreateCluster"},
        {"at": 2500, "action": "ecs:CreateCluster"}
    ]}"#;
    let scenario = Scenario::parse(text).unwrap();
    let at: Vec<u64> = scenario.steps.iter().map(|s| s.at).collect();
    assert_eq!(at, [90_000, 5_400_000, 2_500]);
    assert_eq!(
        scenario.steps[1].input,
        serde_json::json!({}),
        "input defaults to an empty request"
    );
}

/// Each refused document, with what the refusal must say.
#[test]
fn bad_documents_are_refused_with_where_and_why() {
    let cases: &[(&str, &str)] = &[
        (
            "{\"format\": 1,\n \"name\": \"x\",,}",
            "line 2, column 14: an object's keys must be strings",
        ),
        (
            "{\"format\": 1, \"name\": \"x\"",
            "the text ends inside an object",
        ),
        ("[]", "$.format: missing field"),
        (
            r#"{"format": 2, "name": "x"}"#,
            "unsupported scenario format 2: this version of ecsplay reads format 1",
        ),
        (
            r#"{"format": "1", "name": "x"}"#,
            "unsupported scenario format \"1\"",
        ),
        (r#"{"format": 1}"#, "$: the field \"name\" is required"),
        (
            r#"{"format": 1, "name": "x", "sed": 4}"#,
            "$.sed: unknown field \"sed\"",
        ),
        (
            r#"{"format": 1, "name": "x", "start": "tomorrow"}"#,
            "$.start: invalid timestamp",
        ),
        (
            r#"{"format": 1, "name": "x", "steps": [{"at": "5 min", "action": "a"}]}"#,
            "unknown unit",
        ),
        (
            r#"{"format": 1, "name": "x", "steps": [{"action": "a"}]}"#,
            "$.steps[0]: the field \"at\" is required",
        ),
    ];
    for (text, expected) in cases {
        let err = Scenario::parse(text).expect_err(text).to_string();
        assert!(
            err.contains(expected),
            "{text:?}: got {err:?}, expected it to contain {expected:?}"
        );
    }
}

#[test]
fn malformed_json_reports_line_and_column() {
    let err = Scenario::parse("{\n  \"format\": 1,\n  \"name\": x\n}").unwrap_err();
    assert!(
        matches!(
            err,
            ScenarioError::Syntax {
                line: 3,
                column: 11,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn limits_are_enforced() {
    let padding = " ".repeat(SCENARIO_BYTES_MAX);
    let big = format!("{{\"format\": 1, \"name\": \"x\"}}{padding}");
    assert_eq!(
        Scenario::parse(&big),
        Err(ScenarioError::TooLarge { bytes: big.len() })
    );

    let step = r#"{"at": 0, "action": "ecs:ListClusters"}"#;
    let steps = vec![step; SCENARIO_STEPS_MAX + 1].join(",");
    let many = format!("{{\"format\": 1, \"name\": \"x\", \"steps\": [{steps}]}}");
    assert_eq!(
        Scenario::parse(&many),
        Err(ScenarioError::TooManySteps {
            steps: SCENARIO_STEPS_MAX + 1
        })
    );
    let steps = vec![step; SCENARIO_STEPS_MAX].join(",");
    let most = format!("{{\"format\": 1, \"name\": \"x\", \"steps\": [{steps}]}}");
    assert!(
        Scenario::parse(&most).is_ok(),
        "exactly the limit is allowed"
    );
}

#[test]
fn settings_default_to_the_current_breaker_minimum_and_reach_the_world() {
    let plain = Scenario::parse(r#"{"format": 1, "name": "x"}"#).unwrap();
    assert_eq!(plain.settings.circuit_breaker_minimum_threshold, 3);
    let older = Scenario::parse(
        r#"{"format": 1, "name": "x", "settings": {"circuitBreakerMinimumThreshold": 10}}"#,
    )
    .unwrap();
    let world = ecsplay::world::World::from_scenario(&older);
    assert_eq!(world.ecs.settings.circuit_breaker_minimum_threshold, 10);
    let err = Scenario::parse(r#"{"format": 1, "name": "x", "settings": {"breaker": 10}}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("breaker"), "{err}");
}
