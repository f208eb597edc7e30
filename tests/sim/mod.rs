//! Helpers for the native behaviour tests: a world, requests that must succeed or fail, and
//! time that advances one timer at a time with the invariants checked after each.

#![allow(dead_code)] // each test file uses its own part of this module

use ecsplay::engine::{ApiError, LogRecord};
use ecsplay::world::{World, WorldConfig};
use serde_json::{json, Value};

pub fn world() -> World {
    World::new(WorldConfig {
        seed: 7,
        ..WorldConfig::default()
    })
}

#[track_caller]
pub fn ok(world: &mut World, action: &str, input: Value) -> Value {
    match world.apply(action, &input) {
        Ok(response) => response,
        Err(err) => panic!("{action} failed: {err}"),
    }
}

#[track_caller]
pub fn err(world: &mut World, action: &str, input: Value) -> ApiError {
    match world.apply(action, &input) {
        Ok(response) => panic!("{action} succeeded: {response}"),
        Err(err) => err,
    }
}

/// Advances `ms`, one timer at a time, checking the invariants after each.
#[track_caller]
pub fn advance(world: &mut World, ms: u64) {
    let until = world.now() + ms;
    while let Some(next) = world.next_timer_at().filter(|&t| t <= until) {
        world.advance_to(next);
        world
            .check_invariants()
            .unwrap_or_else(|v| panic!("invariant at {next} ms: {v}"));
    }
    world.advance_to(until);
}

/// A cluster `name` with `count` instances of `instance_type` per zone, registered.
pub fn cluster(world: &mut World, name: &str, instance_type: &str, zones: &[&str], count: u32) {
    ok(world, "ecs:CreateCluster", json!({ "clusterName": name }));
    for zone in zones {
        launch(world, name, instance_type, zone, count);
    }
    advance(world, 60_000);
}

/// Launches `count` EC2 instances of `instance_type` in `zone` whose agent joins `cluster`.
pub fn launch(world: &mut World, cluster: &str, instance_type: &str, zone: &str, count: u32) {
    let request = ecsplay::ec2::run_instances_request(
        instance_type,
        count,
        zone,
        cluster,
        &Default::default(),
    );
    ok(world, "ec2:RunInstances", request);
}

/// An EC2 task definition `family` with one essential container.
pub fn register(world: &mut World, family: &str, image: &str, cpu: u32, memory_mib: u32) -> Value {
    ok(
        world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": family,
            "containerDefinitions": [{
                "name": "app", "image": image, "cpu": cpu, "memory": memory_mib, "essential": true,
                "portMappings": [{ "containerPort": 8080 }],
            }],
        }),
    )
}

/// The service event messages logged for `service`, oldest first.
pub fn messages(world: &World, service: &str) -> Vec<String> {
    world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::ServiceMessage {
                service: s,
                message,
                ..
            } if s == service => Some(message.clone()),
            _ => None,
        })
        .collect()
}

/// The EventBridge events of one detail-type, oldest first.
pub fn events(world: &World, detail_type: &str) -> Vec<Value> {
    world
        .log()
        .iter()
        .filter_map(|r| match r {
            LogRecord::Event { detail_type: d, .. } if *d == detail_type => r.event(),
            _ => None,
        })
        .collect()
}

pub fn describe_service(world: &mut World, cluster: &str, service: &str) -> Value {
    ok(
        world,
        "ecs:DescribeServices",
        json!({ "cluster": cluster, "services": [service] }),
    )["services"][0]
        .clone()
}

pub fn describe_task(world: &mut World, cluster: &str, task_arn: &str) -> Value {
    ok(
        world,
        "ecs:DescribeTasks",
        json!({ "cluster": cluster, "tasks": [task_arn] }),
    )["tasks"][0]
        .clone()
}

pub fn service_tasks(
    world: &mut World,
    cluster: &str,
    service: &str,
    desired_status: &str,
) -> Vec<String> {
    let listed = ok(
        world,
        "ecs:ListTasks",
        json!({ "cluster": cluster, "serviceName": service, "desiredStatus": desired_status }),
    );
    listed["taskArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// Cluster `demo` (two m5.large in us-east-1a) running service `app` of `desired` small tasks
/// (64 CPU units, 64 MiB), registered as a scalable target of `min` to `max` tasks.
pub fn scalable_app(desired: u32, min: u32, max: u32) -> World {
    let mut world = world();
    cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "app", "containerDefinitions": [{ "name": "app", "image": "app:1", "cpu": 64, "memory": 64 }] }),
    );
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": desired }),
    );
    ok(
        &mut world,
        "application-autoscaling:RegisterScalableTarget",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app", "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": min, "MaxCapacity": max }),
    );
    world
}

/// One datapoint a minute of the custom metric `App`/`Load`: each put a second into its minute.
#[track_caller]
pub fn feed_load(world: &mut World, values: &[f64]) {
    for &value in values {
        advance(world, 1_000);
        ok(
            world,
            "cloudwatch:PutMetricData",
            json!({ "Namespace": "App", "MetricData": [{ "MetricName": "Load", "Value": value }] }),
        );
        advance(world, 59_000);
    }
}

/// Service `app`'s desired count in cluster `demo`.
pub fn app_desired(world: &mut World) -> u64 {
    describe_service(world, "demo", "app")["desiredCount"]
        .as_u64()
        .unwrap()
}
