//! Fargate capacity providers and Fargate Spot (aws-facts 7.1, 7.4, 17.5): strategies' base
//! and weights, their checks, the cluster's providers and default strategy, the provider each
//! task runs on, Spot interruptions and Spot capacity.

mod sim;

use ecsplay::ecs::capacity_providers::{distribute, StrategyItem};
use ecsplay::world::World;
use serde_json::{json, Value};

const MINUTE: u64 = 60_000;

fn item(provider: &str, base: u32, weight: u32) -> StrategyItem {
    StrategyItem {
        capacity_provider: provider.into(),
        base,
        weight,
    }
}

#[test]
fn base_first_then_weights_split_the_rest() {
    let strategy = [item("FARGATE", 2, 1), item("FARGATE_SPOT", 0, 3)];
    // aws-facts 7.1's example: 2 on the base, the other 8 split 1:3.
    assert_eq!(distribute(&strategy, 10), [4, 6]);
    // Counts that do not divide: the base first, then one task at a time to whichever
    // provider is furthest below its share, the first listed on a tie.
    let table: [(u32, [u32; 2]); 9] = [
        (0, [0, 0]),
        (1, [1, 0]),
        (2, [2, 0]),
        (3, [2, 1]),
        (4, [2, 2]),
        (5, [3, 2]),
        (6, [3, 3]),
        (7, [3, 4]),
        (13, [5, 8]),
    ];
    for (count, expected) in table {
        assert_eq!(distribute(&strategy, count), expected, "{count} tasks");
    }
    // Past the base, no provider is ever a whole task away from its share, whatever the count
    // and weights.
    for weights in [[1, 4], [2, 3], [5, 1], [0, 7]] {
        let strategy = [
            item("FARGATE", 0, weights[0]),
            item("FARGATE_SPOT", 0, weights[1]),
        ];
        for count in 0..60 {
            let got = distribute(&strategy, count);
            let total = f64::from(weights[0] + weights[1]);
            for n in 0..2 {
                let share = f64::from(count) * f64::from(weights[n]) / total;
                assert!(
                    (f64::from(got[n]) - share).abs() < 1.0,
                    "{weights:?} {count}: {got:?}"
                );
            }
            assert_eq!(got.iter().sum::<u32>(), count);
        }
    }
    // A weight of 0 gets nothing beyond its base.
    assert_eq!(
        distribute(&[item("FARGATE", 3, 0), item("FARGATE_SPOT", 0, 1)], 9),
        [3, 6]
    );
}

/// Cluster `f` with FARGATE and FARGATE_SPOT, and a Fargate task definition `web`.
fn fargate_world(default_strategy: Value) -> World {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "f", "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": default_strategy }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "containerDefinitions": [{ "name": "web", "image": "web:1" }] }),
    );
    world
}

fn network() -> Value {
    json!({ "awsvpcConfiguration": { "subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"] } })
}

fn mixed() -> Value {
    json!([{ "capacityProvider": "FARGATE", "base": 2, "weight": 1 }, { "capacityProvider": "FARGATE_SPOT", "weight": 3 }])
}

fn create_web(world: &mut World, desired: u32, strategy: Option<Value>) -> Value {
    let mut input = json!({ "cluster": "f", "serviceName": "web", "taskDefinition": "web",
                            "desiredCount": desired, "networkConfiguration": network() });
    if let Some(strategy) = strategy {
        input["capacityProviderStrategy"] = strategy;
    }
    sim::ok(world, "ecs:CreateService", input)["service"].clone()
}

/// The service's running (desired RUNNING) tasks on each provider: (FARGATE, FARGATE_SPOT).
fn per_provider(world: &mut World) -> (usize, usize) {
    let arns = sim::service_tasks(world, "f", "web", "RUNNING");
    let tasks = sim::ok(
        world,
        "ecs:DescribeTasks",
        json!({ "cluster": "f", "tasks": arns }),
    )["tasks"]
        .clone();
    let on = |p: &str| {
        (tasks.as_array().unwrap().iter())
            .filter(|t| t["capacityProviderName"] == p)
            .count()
    };
    (on("FARGATE"), on("FARGATE_SPOT"))
}

#[test]
fn a_service_with_a_strategy_runs_its_tasks_on_each_provider_by_base_and_weight() {
    let mut world = fargate_world(json!([]));
    let service = create_web(&mut world, 10, Some(mixed()));
    assert_eq!(
        service["capacityProviderStrategy"],
        json!([
        { "capacityProvider": "FARGATE", "weight": 1, "base": 2 },
        { "capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0 }])
    );
    assert!(
        service.get("launchType").is_none(),
        "one or the other: {service}"
    );
    assert_eq!(
        service["deployments"][0]["capacityProviderStrategy"],
        service["capacityProviderStrategy"]
    );
    sim::advance(&mut world, 2 * MINUTE);
    assert_eq!(per_provider(&mut world), (4, 6));
    let arn = sim::service_tasks(&mut world, "f", "web", "RUNNING")[0].clone();
    let task = sim::describe_task(&mut world, "f", &arn);
    assert_eq!(
        task["launchType"], "FARGATE",
        "a Fargate Spot task is a Fargate task"
    );
    assert_eq!(task["lastStatus"], "RUNNING");
    let described = sim::ok(
        &mut world,
        "ecs:DescribeClusters",
        json!({ "clusters": ["f"] }),
    )["clusters"][0]
        .clone();
    assert_eq!(
        described["capacityProviders"],
        json!(["FARGATE", "FARGATE_SPOT"])
    );
}

#[test]
fn the_clusters_default_strategy_applies_when_a_request_names_neither() {
    let mut world = fargate_world(json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]));
    let service = create_web(&mut world, 3, None);
    assert_eq!(
        service["capacityProviderStrategy"][0]["capacityProvider"],
        "FARGATE_SPOT"
    );
    let run = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "web", "count": 2, "networkConfiguration": network() }),
    );
    for task in run["tasks"].as_array().unwrap() {
        assert_eq!(task["capacityProviderName"], "FARGATE_SPOT");
    }
    // A launch type still wins: no provider, and no strategy on the service.
    let run = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "web", "launchType": "FARGATE", "networkConfiguration": network() }),
    );
    assert!(run["tasks"][0].get("capacityProviderName").is_none());
    // RunTask's own strategy, counted within the request.
    let run = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "web", "count": 10, "networkConfiguration": network(),
                "capacityProviderStrategy": mixed() }),
    );
    let spot = (run["tasks"].as_array().unwrap().iter())
        .filter(|t| t["capacityProviderName"] == "FARGATE_SPOT")
        .count();
    assert_eq!(spot, 6);
}

#[test]
fn strategies_and_providers_are_checked_with_ecs_words() {
    let mut world = fargate_world(json!([]));
    let mut create = |strategy: Value, extra: Value| {
        let mut input = json!({ "cluster": "f", "serviceName": "x", "taskDefinition": "web", "desiredCount": 1,
                                "networkConfiguration": network(), "capacityProviderStrategy": strategy });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        let e = sim::err(&mut world, "ecs:CreateService", input);
        (
            e.code.clone(),
            e.message.clone(),
            e.path.clone().unwrap_or_default(),
        )
    };
    let (code, message, path) = create(mixed(), json!({ "launchType": "FARGATE" }));
    assert_eq!(code, "InvalidParameterException");
    assert_eq!(message, "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
    assert_eq!(path, "$.capacityProviderStrategy");
    let (_, message, path) = create(
        json!([{ "capacityProvider": "my-asg-provider", "weight": 1 }]),
        json!({}),
    );
    assert!(
        message.starts_with("The specified capacity provider does not exist."),
        "{message}"
    );
    assert_eq!(path, "$.capacityProviderStrategy[0].capacityProvider");
    let (_, message, _) = create(
        json!([{ "capacityProvider": "FARGATE", "base": 1, "weight": 1 }, { "capacityProvider": "FARGATE_SPOT", "base": 1, "weight": 1 }]),
        json!({}),
    );
    assert!(message.contains("Only one capacity provider"), "{message}");
    let (_, message, _) = create(
        json!([{ "capacityProvider": "FARGATE", "base": 1 }]),
        json!({}),
    );
    assert!(message.contains("weight greater than zero"), "{message}");
    let (_, _, path) = create(
        json!([{ "capacityProvider": "FARGATE", "weight": 1001 }]),
        json!({}),
    );
    assert_eq!(path, "$.capacityProviderStrategy[0].weight");
    let (_, _, path) = create(
        json!([{ "capacityProvider": "FARGATE", "weight": 1, "base": 100001 }]),
        json!({}),
    );
    assert_eq!(path, "$.capacityProviderStrategy[0].base");

    // A provider the cluster does not have.
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "plain" }),
    );
    let e = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "plain", "serviceName": "x", "taskDefinition": "web", "desiredCount": 1,
                "networkConfiguration": network(), "capacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }] }),
    );
    assert!(e.message.starts_with("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster."), "{}", e.message);
    // A task definition that is not for Fargate cannot run on Fargate providers.
    sim::register(&mut world, "ec2only", "app:1", 64, 64);
    let e = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "ec2only", "capacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }] }),
    );
    assert_eq!(
        e.message,
        "Task definition does not support launch_type FARGATE."
    );

    // PutClusterCapacityProviders: the default strategy names associated providers only, and
    // a provider in use stays.
    let e = sim::err(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "plain", "capacityProviders": ["FARGATE"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }] }),
    );
    assert_eq!(
        e.path.as_deref(),
        Some("$.defaultCapacityProviderStrategy[0].capacityProvider")
    );
    let put = sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "plain", "capacityProviders": ["FARGATE", "FARGATE_SPOT"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "FARGATE", "weight": 1 }] }),
    );
    assert_eq!(
        put["cluster"]["defaultCapacityProviderStrategy"],
        json!([{ "capacityProvider": "FARGATE", "weight": 1, "base": 0 }])
    );
    create_web(&mut world, 2, Some(mixed()));
    let e = sim::err(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "f", "capacityProviders": ["FARGATE"], "defaultCapacityProviderStrategy": [] }),
    );
    assert_eq!(e.code, "ResourceInUseException");
    assert!(e
        .message
        .starts_with("The specified capacity provider is in use and cannot be removed."));
    // CreateCluster again with other providers is not idempotent.
    let e = sim::err(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "f", "capacityProviders": ["FARGATE"] }),
    );
    assert_eq!(e.message, "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
}

#[test]
fn an_interrupted_spot_task_gets_its_warning_stops_and_is_replaced_on_spot() {
    let mut world = fargate_world(json!([]));
    create_web(&mut world, 10, Some(mixed()));
    sim::advance(&mut world, 2 * MINUTE);
    let answer = sim::ok(
        &mut world,
        "sim:InterruptSpot",
        json!({ "capacityProvider": "FARGATE_SPOT", "fraction": 0.3 }),
    );
    let interrupted: Vec<String> = (answer["interruptedTaskArns"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(interrupted.len(), 2, "30% of 6, rounded up");
    sim::advance(&mut world, 1_000);
    // The warning: the task state change with desiredStatus STOPPED while still RUNNING.
    let warning = (sim::events(&world, "ECS Task State Change").into_iter())
        .find(|e| {
            e["detail"]["taskArn"] == interrupted[0].as_str()
                && e["detail"]["desiredStatus"] == "STOPPED"
        })
        .expect("the warning event");
    assert_eq!(warning["detail"]["lastStatus"], "RUNNING");
    assert_eq!(warning["detail"]["stopCode"], "SpotInterruption");
    assert_eq!(
        warning["detail"]["stoppedReason"],
        "Your Spot Task was interrupted."
    );
    assert_eq!(warning["detail"]["capacityProviderName"], "FARGATE_SPOT");
    sim::advance(&mut world, 2 * MINUTE);
    let stopped = sim::describe_task(&mut world, "f", &interrupted[0]);
    assert_eq!(stopped["lastStatus"], "STOPPED");
    assert_eq!(stopped["stopCode"], "SpotInterruption");
    // The service replaced them on Spot: 4 and 6 again.
    assert_eq!(per_provider(&mut world), (4, 6));
    // Only running Spot tasks can be interrupted.
    let e = sim::err(
        &mut world,
        "sim:InterruptSpot",
        json!({ "taskArns": [interrupted[0]] }),
    );
    assert_eq!(e.path.as_deref(), Some("$.taskArns[0]"));
    let e = sim::err(
        &mut world,
        "sim:InterruptSpot",
        json!({ "instanceIds": ["i-0123"] }),
    );
    assert_eq!(
        (e.message.as_str(), e.path.as_deref()),
        (
            "i-0123 is not a pending or running Spot instance.",
            Some("$.instanceIds[0]")
        )
    );
}

#[test]
fn without_spot_capacity_spot_tasks_wait_and_fargate_never_takes_their_place() {
    let mut world = fargate_world(json!([]));
    create_web(&mut world, 10, Some(mixed()));
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetSpotCapacity",
        json!({ "capacityProvider": "FARGATE_SPOT", "available": false }),
    );
    sim::ok(
        &mut world,
        "sim:InterruptSpot",
        json!({ "capacityProvider": "FARGATE_SPOT", "fraction": 1.0 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    assert_eq!(
        per_provider(&mut world),
        (4, 0),
        "On-Demand does not stand in for Spot"
    );
    let messages = sim::messages(&world, "web");
    assert!(
        messages.iter().any(|m| m == "(service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone."),
        "{messages:#?}"
    );
    let failure = (sim::events(&world, "ECS Service Action").into_iter())
        .find(|e| e["detail"]["eventName"] == "SERVICE_TASK_PLACEMENT_FAILURE")
        .expect("the placement failure event");
    assert_eq!(failure["detail"]["reason"], "RESOURCE:FARGATE");
    assert!(failure["detail"]["capacityProviderArns"][0]
        .as_str()
        .unwrap()
        .ends_with(":capacity-provider/FARGATE_SPOT"));
    // RunTask says so in its failures.
    let run = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "web", "networkConfiguration": network(),
                "capacityProviderStrategy": [{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }] }),
    );
    assert_eq!(run["failures"][0]["reason"], "RESOURCE:FARGATE");
    // Capacity returns: the service fills its Spot share again.
    sim::ok(
        &mut world,
        "sim:SetSpotCapacity",
        json!({ "capacityProvider": "FARGATE_SPOT", "available": true }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    assert_eq!(per_provider(&mut world), (4, 6));
}

/// Which Spot tasks a rate of interruptions reclaims over `minutes`.
fn interrupted_by_rate(minutes: u64) -> Vec<String> {
    let mut world = fargate_world(json!([]));
    create_web(&mut world, 10, Some(mixed()));
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetSpotCapacity",
        json!({ "capacityProvider": "FARGATE_SPOT", "interruptionsPerHour": 3.0 }),
    );
    sim::advance(&mut world, minutes * MINUTE);
    let stopped = sim::service_tasks(&mut world, "f", "web", "STOPPED");
    let tasks = sim::ok(
        &mut world,
        "ecs:DescribeTasks",
        json!({ "cluster": "f", "tasks": stopped }),
    )["tasks"]
        .clone();
    let mut arns: Vec<String> = (tasks.as_array().unwrap().iter())
        .filter(|t| t["stopCode"] == "SpotInterruption")
        .map(|t| t["taskArn"].as_str().unwrap().to_string())
        .collect();
    arns.sort();
    // Interruptions fall on Spot tasks only, and the service keeps its shares.
    assert!(tasks
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["capacityProviderName"] == "FARGATE_SPOT"));
    assert_eq!(per_provider(&mut world), (4, 6));
    arns
}

#[test]
fn a_random_interruption_rate_reclaims_spot_tasks_the_same_way_every_run() {
    let first = interrupted_by_rate(30);
    // 6 tasks at 3 an hour each for half an hour: about 9 expected.
    assert!((3..=20).contains(&first.len()), "{}", first.len());
    assert_eq!(first, interrupted_by_rate(30), "seeded");
}

#[test]
fn a_strategy_changes_only_with_a_forced_new_deployment() {
    let mut world = fargate_world(json!([]));
    create_web(&mut world, 4, Some(mixed()));
    sim::advance(&mut world, 2 * MINUTE);
    let spot_only = json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]);
    let e = sim::err(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "f", "service": "web", "capacityProviderStrategy": spot_only }),
    );
    assert!(e.message.contains("forceNewDeployment"), "{}", e.message);
    let service = sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "f", "service": "web", "capacityProviderStrategy": spot_only, "forceNewDeployment": true }),
    )["service"].clone();
    assert_eq!(
        service["capacityProviderStrategy"],
        json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0 }])
    );
    sim::advance(&mut world, 10 * MINUTE);
    assert_eq!(
        per_provider(&mut world),
        (0, 4),
        "the new deployment's tasks are all on Spot"
    );
}

#[test]
fn the_spot_mix_preset_splits_4_and_6_loses_spot_and_gets_it_back() {
    let scenario = ecsplay::scenario::presets::preset("fargate-spot-mix").expect("the preset");
    let counts = |minute: u64| {
        let mut world = ecsplay::scenario::run::run_until(&scenario, minute * MINUTE);
        let arns = sim::service_tasks(&mut world, "demo", "web", "RUNNING");
        let tasks = sim::ok(
            &mut world,
            "ecs:DescribeTasks",
            json!({ "cluster": "demo", "tasks": arns }),
        )["tasks"]
            .clone();
        let running_on = |p: &str| {
            (tasks.as_array().unwrap().iter())
                .filter(|t| t["capacityProviderName"] == p && t["lastStatus"] == "RUNNING")
                .count()
        };
        (running_on("FARGATE"), running_on("FARGATE_SPOT"))
    };
    assert_eq!(counts(3), (4, 6));
    assert_eq!(counts(8), (4, 6), "the interrupted half replaced on Spot");
    assert_eq!(counts(14), (4, 0), "no Spot capacity: Spot's share waits");
    assert_eq!(counts(19), (4, 6));
}
