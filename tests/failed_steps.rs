//! A scenario goes on past the steps AWS refuses (design.md section 4): each failure is logged
//! with its exception, message and path, and the rest of the timeline still runs.

#![cfg(not(target_arch = "wasm32"))]

use ecsplay::engine::LogRecord;
use ecsplay::scenario::run::run_until;
use ecsplay::scenario::Scenario;

#[test]
fn refused_steps_are_logged_and_the_scenario_goes_on() {
    let text = include_str!("../static/scenarios/troubleshooting.json");
    let scenario = Scenario::parse(text).unwrap();
    let world = run_until(&scenario, 10 * 60_000);
    let failures: Vec<(String, String, Option<String>)> = world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::Failed { action, error, .. } => {
                Some((action.clone(), error.code.clone(), error.path.clone()))
            }
            _ => None,
        })
        .collect();
    let expected = [
        (
            "ecs:CreateService",
            "ParamValidationError",
            "$.desiredCount",
        ),
        ("ecs:RegisterTaskDefinition", "ClientException", "$.memory"),
        ("ecs:RunTask", "ClusterNotFoundException", "$.cluster"),
    ];
    assert_eq!(
        failures,
        expected.map(|(a, c, p)| (a.to_string(), c.to_string(), Some(p.to_string())))
    );

    let messages: Vec<&str> = world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::ServiceMessage { message, .. } => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(messages.iter().any(|m| m.starts_with("(service worker) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ")
        && m.contains(") has insufficient memory available.")));
    assert!(
        messages.contains(&"(service crash) is unable to consistently start tasks successfully.")
    );
    // The steps after the refused ones ran: the cluster, the instance and both services exist.
    let state = world.describe_all();
    assert_eq!(state["containerInstances"].as_array().unwrap().len(), 1);
    assert_eq!(state["services"].as_array().unwrap().len(), 2);
    world.check_invariants().unwrap();
}
