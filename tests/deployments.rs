//! Rolling deployments (aws-facts 5): the guide's examples step by step, the bounds held at every
//! event, the circuit breaker's threshold and rollback, and daemon deployments.

mod sim;

use ecsplay::ecs::deployment::{breaker_threshold, maximum_tasks, minimum_healthy};
use ecsplay::world::{World, WorldConfig};
use serde_json::{json, Value};

/// A cluster with room for everything here: two m5.24xlarge in two zones.
fn world_with_capacity(breaker_minimum: u32) -> World {
    let mut world = World::new(WorldConfig {
        seed: 5,
        ..WorldConfig::default()
    });
    world.ecs.settings.circuit_breaker_minimum_threshold = breaker_minimum;
    sim::cluster(
        &mut world,
        "demo",
        "m5.24xlarge",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    for (family, image) in [
        ("app", "app:1"),
        ("app-v2", "app:2"),
        ("app-bad", "app:bad"),
    ] {
        sim::ok(
            &mut world,
            "ecs:RegisterTaskDefinition",
            json!({ "family": family, "containerDefinitions": [{
                "name": "app", "image": image, "cpu": 64, "memory": 128, "essential": true }] }),
        );
    }
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "app:bad", "pull": "fail" }),
    );
    world
}

fn create(world: &mut World, desired: u32, min: u32, max: u32, breaker: bool) {
    sim::ok(
        world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "app",
                "desiredCount": desired,
                "deploymentConfiguration": {
                    "minimumHealthyPercent": min, "maximumPercent": max,
                    "deploymentCircuitBreaker": { "enable": breaker, "rollback": breaker } } }),
    );
    sim::advance(world, 5 * 60_000);
    let service = sim::describe_service(world, "demo", "web");
    assert_eq!(service["runningCount"], desired);
    assert_eq!(service["deployments"][0]["rolloutState"], "COMPLETED");
}

/// Counts of the service's tasks: live ones of older deployments and of the PRIMARY one, live
/// healthy ones, and all not yet STOPPED.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counts {
    old: u32,
    new: u32,
    healthy: u32,
    unstopped: u32,
}

fn counts(world: &mut World) -> Counts {
    let service = sim::describe_service(world, "demo", "web");
    let primary = service["deployments"][0]["id"].clone();
    let arns = sim::service_tasks(world, "demo", "web", "RUNNING");
    let stopped_arns = sim::service_tasks(world, "demo", "web", "STOPPED");
    let mut c = Counts {
        old: 0,
        new: 0,
        healthy: 0,
        unstopped: 0,
    };
    for arn in &arns {
        let task = sim::describe_task(world, "demo", arn);
        if task["startedBy"] == primary {
            c.new += 1;
        } else {
            c.old += 1;
        }
        c.unstopped += 1;
        // No health check: healthy 40 s after RUNNING (aws-facts 4.3).
        if task["lastStatus"] == "RUNNING"
            && world.now() as f64 / 1000.0 + 1_767_225_600.0
                >= task["startedAt"].as_f64().unwrap() + 40.0
        {
            c.healthy += 1;
        }
    }
    for arn in &stopped_arns {
        let task = sim::describe_task(world, "demo", arn);
        if task["lastStatus"] != "STOPPED" {
            c.unstopped += 1;
        }
    }
    c
}

fn deploy(world: &mut World, family: &str) {
    sim::ok(
        world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "taskDefinition": family }),
    );
}

/// Advances timer by timer until the deployment completes (or `limit` passes), checking the
/// bounds at every event; returns the counts seen after each event.
fn run_deployment(world: &mut World, desired: u32, min: u32, max: u32, limit: u64) -> Vec<Counts> {
    let floor_healthy = minimum_healthy(desired, min);
    let ceiling = maximum_tasks(desired, max);
    let until = world.now() + limit;
    let mut seen = vec![counts(world)];
    while let Some(next) = world.next_timer_at().filter(|&t| t <= until) {
        world.advance_to(next);
        world.check_invariants().unwrap();
        let c = counts(world);
        assert!(
            c.unstopped <= ceiling,
            "at {next} ms: {c:?} exceeds floor({desired} x {max}%) = {ceiling}"
        );
        assert!(
            c.healthy >= floor_healthy,
            "at {next} ms: {c:?} below ceil({desired} x {min}%) = {floor_healthy}"
        );
        if seen.last() != Some(&c) {
            seen.push(c);
        }
        let service = sim::describe_service(world, "demo", "web");
        if service["deployments"].as_array().unwrap().len() == 1
            && service["deployments"][0]["rolloutState"] == "COMPLETED"
        {
            break;
        }
    }
    seen
}

#[test]
fn desired_4_at_50_100_stops_two_before_starting_two() {
    let mut world = world_with_capacity(3);
    create(&mut world, 4, 50, 100, false);
    deploy(&mut world, "app-v2");
    let seen = run_deployment(&mut world, 4, 50, 100, 30 * 60_000);
    // The first change: two old tasks stop, nothing new yet.
    assert_eq!((seen[1].old, seen[1].new), (2, 0), "{seen:#?}");
    let last = seen.last().unwrap();
    assert_eq!((last.old, last.new, last.healthy), (0, 4, 4), "{seen:#?}");
}

#[test]
fn desired_4_at_100_200_starts_four_first() {
    let mut world = world_with_capacity(3);
    create(&mut world, 4, 100, 200, false);
    deploy(&mut world, "app-v2");
    let seen = run_deployment(&mut world, 4, 100, 200, 30 * 60_000);
    assert_eq!((seen[1].old, seen[1].new), (4, 4), "{seen:#?}");
    let last = seen.last().unwrap();
    assert_eq!((last.old, last.new), (0, 4));
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(service["deployments"][0]["rolloutState"], "COMPLETED");
    let completed = sim::events(&world, "ECS Deployment State Change")
        .into_iter()
        .filter(|e| e["detail"]["eventName"] == "SERVICE_DEPLOYMENT_COMPLETED")
        .count();
    assert_eq!(completed, 2, "the first deployment and this one");
}

#[test]
fn desired_2_at_minimum_75_stops_nothing_until_the_new_tasks_are_healthy() {
    let mut world = world_with_capacity(3);
    create(&mut world, 2, 75, 200, false);
    deploy(&mut world, "app-v2");
    let seen = run_deployment(&mut world, 2, 75, 200, 30 * 60_000);
    // ceil(2 x 0.75) = 2: the old tasks stay until two new ones are healthy.
    for c in &seen {
        if c.old < 2 {
            assert!(c.healthy >= 2 && c.new == 2, "{seen:#?}");
        }
    }
    let last = seen.last().unwrap();
    assert_eq!((last.old, last.new), (0, 2), "{seen:#?}");
}

#[test]
fn desired_3_at_maximum_125_cannot_start_and_says_so() {
    let mut world = world_with_capacity(3);
    create(&mut world, 3, 100, 125, false);
    deploy(&mut world, "app-v2");
    sim::advance(&mut world, 10 * 60_000);
    let c = counts(&mut world);
    assert_eq!(
        (c.old, c.new),
        (3, 0),
        "floor(3 x 1.25) = 3: no room to start"
    );
    let messages = sim::messages(&world, "web");
    let stalled = messages
        .iter()
        .filter(|m| m.as_str() == "(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
        .count();
    assert_eq!(stalled, 1, "{messages:#?}");
    // Raising the maximum lets it finish.
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web",
                "deploymentConfiguration": { "maximumPercent": 200 } }),
    );
    let seen = run_deployment(&mut world, 3, 100, 200, 30 * 60_000);
    assert_eq!(seen.last().unwrap().new, 3);
}

#[test]
fn only_the_desired_count_starts_no_deployment() {
    let mut world = world_with_capacity(3);
    create(&mut world, 2, 100, 200, false);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 3 }),
    );
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(service["deployments"].as_array().unwrap().len(), 1);
    sim::advance(&mut world, 5 * 60_000);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "forceNewDeployment": true }),
    );
    let service = sim::describe_service(&mut world, "demo", "web");
    let deployments = service["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 2, "forceNewDeployment starts one");
    assert_eq!(deployments[0]["status"], "PRIMARY");
    assert_eq!(deployments[0]["rolloutState"], "IN_PROGRESS");
    assert_eq!(deployments[1]["status"], "ACTIVE");
    assert_eq!(
        deployments[0]["taskDefinition"],
        deployments[1]["taskDefinition"]
    );
    let seen = run_deployment(&mut world, 3, 100, 200, 30 * 60_000);
    assert_eq!(seen.last().unwrap().new, 3);
}

#[test]
fn a_daemon_at_0_100_stops_its_old_tasks_then_starts_new_ones() {
    let mut world = world_with_capacity(3);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "app",
                "schedulingStrategy": "DAEMON" }),
    );
    sim::advance(&mut world, 5 * 60_000);
    deploy(&mut world, "app-v2");
    let seen = run_deployment(&mut world, 2, 0, 100, 30 * 60_000);
    assert_eq!(
        (seen[1].old, seen[1].new),
        (0, 0),
        "both old stop first: {seen:#?}"
    );
    assert!(seen.iter().all(|c| c.unstopped <= 2), "one per instance");
    assert_eq!(seen.last().unwrap().new, 2);
}

/// Deploys the bad image with the breaker on; returns the service after it has rolled back.
fn roll_back(desired: u32, breaker_minimum: u32) -> (World, Value) {
    let mut world = world_with_capacity(breaker_minimum);
    create(&mut world, desired, 100, 200, true);
    deploy(&mut world, "app-bad");
    let failed_id = sim::describe_service(&mut world, "demo", "web")["deployments"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let threshold = breaker_threshold(desired, breaker_minimum);
    // Step until the breaker trips; it counts exactly the threshold (failures at the same
    // instant after the trip are not counted), and the rollback starts at that instant.
    let failed_tasks_at_trip = loop {
        let next = world.next_timer_at().expect("the deployment goes on");
        assert!(next < 6 * 3_600_000, "the breaker never tripped");
        world.advance_to(next);
        let tripped = sim::events(&world, "ECS Deployment State Change")
            .iter()
            .any(|e| e["detail"]["eventName"] == "SERVICE_DEPLOYMENT_FAILED");
        if tripped {
            let deployments = &world.ecs.services[0].deployments;
            let failed = deployments.iter().find(|d| d.id == failed_id).unwrap();
            assert_eq!(failed.rollout_state.as_str(), "FAILED");
            assert_eq!(deployments[0].created_at, world.now(), "rollback at once");
            assert!(
                world.ecs.tasks.iter().any(|t| {
                    t.started_by.as_deref() == Some(failed_id.as_str()) && t.is_stopped()
                }),
                "tasks of the failed deployment stopped"
            );
            break failed.failed_tasks;
        }
    };
    assert_eq!(failed_tasks_at_trip, threshold, "desired {desired}");
    sim::advance(&mut world, 3 * 3_600_000);
    let service = sim::describe_service(&mut world, "demo", "web");
    (world, service)
}

#[test]
fn the_circuit_breaker_rolls_back_after_exactly_the_threshold() {
    for (desired, threshold) in [(1, 3), (6, 3), (25, 13), (500, 200)] {
        assert_eq!(breaker_threshold(desired, 3), threshold);
        let (world, service) = roll_back(desired, 3);
        let deployments = service["deployments"].as_array().unwrap();
        assert_eq!(deployments.len(), 1, "desired {desired}: {deployments:#?}");
        assert_eq!(deployments[0]["rolloutState"], "COMPLETED");
        assert!(deployments[0]["taskDefinition"]
            .as_str()
            .unwrap()
            .ends_with("task-definition/app:1"));
        assert_eq!(service["runningCount"], desired);
        let events = sim::events(&world, "ECS Deployment State Change");
        let names: Vec<&str> = events
            .iter()
            .map(|e| e["detail"]["eventName"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "SERVICE_DEPLOYMENT_IN_PROGRESS",
                "SERVICE_DEPLOYMENT_COMPLETED",
                "SERVICE_DEPLOYMENT_IN_PROGRESS",
                "SERVICE_DEPLOYMENT_FAILED",
                "SERVICE_DEPLOYMENT_IN_PROGRESS",
                "SERVICE_DEPLOYMENT_COMPLETED"
            ],
            "desired {desired}"
        );
        assert_eq!(
            events[3]["detail"]["reason"],
            "ECS deployment circuit breaker: task failed to start."
        );
        let good = events[0]["detail"]["deploymentId"].as_str().unwrap();
        assert_eq!(
            events[4]["detail"]["reason"],
            format!("ECS deployment circuit breaker: rolling back to deploymentId {good}.")
        );
    }
}

#[test]
fn the_older_minimum_of_10_is_a_scenario_setting() {
    assert_eq!(breaker_threshold(1, 10), 10);
    assert_eq!(breaker_threshold(25, 10), 13);
    assert_eq!(breaker_threshold(800, 10), 200);
    let (_, service) = roll_back(1, 10);
    assert_eq!(service["deployments"][0]["rolloutState"], "COMPLETED");
}

#[test]
fn rounding_follows_the_guide() {
    assert_eq!(minimum_healthy(2, 75), 2);
    assert_eq!(minimum_healthy(4, 50), 2);
    assert_eq!(maximum_tasks(3, 125), 3);
    assert_eq!(maximum_tasks(4, 200), 8);
    assert_eq!(minimum_healthy(3, 0), 0);
}

#[test]
fn deployment_settings_the_model_lacks_are_refused_not_ignored() {
    let mut world = world_with_capacity(3);
    for (config, path) in [
        (
            json!({ "strategy": "BLUE_GREEN" }),
            "$.deploymentConfiguration.strategy",
        ),
        (
            json!({ "alarms": { "alarmNames": ["high-5xx"], "enable": true, "rollback": true } }),
            "$.deploymentConfiguration.alarms",
        ),
    ] {
        let error = sim::err(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "app",
                    "desiredCount": 1, "deploymentConfiguration": config }),
        );
        assert_eq!(error.code, "UnsupportedFeatureException");
        assert_eq!(error.path.as_deref(), Some(path));
    }
    assert!(world.ecs.services.is_empty());
}
