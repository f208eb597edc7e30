//! Step references: `"id": "x"` on a step, `${x.Path[0].Field}` in a later step's input.

#![cfg(not(target_arch = "wasm32"))]

use ecsplay::engine::LogRecord;
use ecsplay::scenario::run::run_until;
use ecsplay::scenario::{Scenario, ScenarioError};
use serde_json::{json, Value};

fn scenario(steps: Value) -> Scenario {
    let text = json!({ "format": 1, "name": "refs", "seed": 3, "steps": steps }).to_string();
    Scenario::parse(&text).unwrap()
}

fn base_steps() -> Vec<Value> {
    vec![
        json!({ "id": "cl", "at": "0s", "action": "ecs:CreateCluster", "input": { "clusterName": "demo" } }),
        json!({ "at": "0s", "action": "ec2:RunInstances", "input": ecsplay::ec2::run_instances_request("m5.large", 1, "us-east-1a", "demo", &Default::default()) }),
        json!({ "id": "td", "at": "0s", "action": "ecs:RegisterTaskDefinition", "input": { "family": "web",
            "containerDefinitions": [{ "name": "web", "image": "nginx", "memory": 128 }] } }),
        json!({ "id": "bad", "at": "0s", "action": "ecs:CreateCluster", "input": { "clusterName": "no spaces" } }),
    ]
}

fn failures(world: &ecsplay::world::World) -> Vec<(String, String, String)> {
    world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::Failed { action, error, .. } => {
                Some((action.clone(), error.code.clone(), error.message.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn references_take_values_from_earlier_responses() {
    let mut steps = base_steps();
    steps.push(
        json!({ "id": "svc", "at": "60s", "action": "ecs:CreateService", "input": {
        "cluster": "${cl.cluster.clusterArn}", "serviceName": "web",
        "taskDefinition": "${td.taskDefinition.taskDefinitionArn}",
        "desiredCount": "${td.taskDefinition.revision}" } }),
    );
    steps.push(
        json!({ "at": "2m", "action": "ecs:UpdateService", "input": {
        "cluster": "demo", "service": "${svc.service.serviceName}", "desiredCount": 2 } }),
    );
    let world = run_until(&scenario(Value::Array(steps)), 10 * 60_000);
    // Only the step meant to fail failed.
    let failed = failures(&world);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "ecs:CreateCluster");
    let state = world.describe_all();
    let service = &state["services"][0];
    assert_eq!(
        service["clusterArn"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/demo"
    );
    assert_eq!(
        service["taskDefinition"],
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"
    );
    assert_eq!(service["desiredCount"], 2);
}

#[test]
fn references_that_cannot_be_resolved_fail_their_step_and_name_themselves() {
    let cases = [
        ("${nope.cluster.clusterArn}", "${nope.cluster.clusterArn}: no step has the id \"nope\""),
        ("${bad.cluster.clusterArn}", "${bad.cluster.clusterArn}: step \"bad\" was refused, so it has no response"),
        ("${later.cluster.clusterArn}", "${later.cluster.clusterArn}: step \"later\" has not run yet"),
        ("${cl.cluster.clusterName2}", "${cl.cluster.clusterName2}: the response has no field cluster.clusterName2"),
        ("${td.taskDefinition.containerDefinitions[3].name}", "${td.taskDefinition.containerDefinitions[3].name}: the response has no taskDefinition.containerDefinitions[3]"),
        ("arn-${cl.cluster.clusterArn", "${cl.cluster.clusterArn: the reference is missing its '}'"),
    ];
    for (reference, message) in cases {
        let mut steps = base_steps();
        steps.push(json!({ "at": "30s", "action": "ecs:DescribeClusters", "input": { "clusters": [reference] } }));
        steps.push(json!({ "id": "later", "at": "5m", "action": "ecs:ListClusters", "input": {} }));
        let world = run_until(&scenario(Value::Array(steps)), 10 * 60_000);
        let failed = failures(&world);
        assert_eq!(failed.len(), 2, "{reference}: {failed:?}");
        assert_eq!(failed[1].0, "ecs:DescribeClusters");
        assert_eq!(failed[1].1, "StepReferenceError");
        assert_eq!(failed[1].2, message);
    }
}

#[test]
fn a_reference_inside_a_longer_string_is_replaced_by_its_text() {
    let mut steps = base_steps();
    steps.push(json!({ "at": "60s", "action": "ecs:CreateService", "input": {
        "cluster": "demo", "serviceName": "web-${td.taskDefinition.revision}",
        "taskDefinition": "${td.taskDefinition.family}:${td.taskDefinition.revision}", "desiredCount": 1 } }));
    let world = run_until(&scenario(Value::Array(steps)), 5 * 60_000);
    assert_eq!(world.describe_all()["services"][0]["serviceName"], "web-1");
}

#[test]
fn step_ids_are_checked_when_the_scenario_is_read() {
    let duplicate = json!([
        { "id": "a", "at": "0s", "action": "ecs:ListClusters" },
        { "id": "a", "at": "1s", "action": "ecs:ListClusters" },
    ]);
    let text = json!({ "format": 1, "name": "x", "steps": duplicate }).to_string();
    match Scenario::parse(&text) {
        Err(ScenarioError::Invalid { path, message }) => {
            assert_eq!(path, "$.steps[1].id");
            assert!(message.contains("used by an earlier step"));
        }
        other => panic!("{other:?}"),
    }
    let text = json!({ "format": 1, "name": "x", "steps": [{ "id": "a b", "at": "0s", "action": "ecs:ListClusters" }] }).to_string();
    assert!(
        matches!(Scenario::parse(&text), Err(ScenarioError::Invalid { path, .. }) if path == "$.steps[0].id")
    );
}
