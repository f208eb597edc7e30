//! REPLICA services (aws-facts 4.1-4.5): the reconcile loop keeps desiredCount, replaces tasks
//! that stop or fail their health checks, throttles tasks that keep failing to start, and says
//! so in AWS's service event wording.

mod sim;

use ecsplay::ecs::service::HEALTHY_AFTER_RUNNING_MS;
use serde_json::json;

fn service(world: &mut ecsplay::world::World, name: &str, definition: &str, desired: u32) {
    sim::ok(
        world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": name, "taskDefinition": definition, "desiredCount": desired }),
    );
    // The scheduler acts on the new service at once, in the same millisecond.
    sim::advance(world, 0);
}

#[test]
fn a_service_reaches_its_desired_count_then_a_steady_state() {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    sim::register(&mut world, "web", "nginx", 256, 512);
    service(&mut world, "web", "web:1", 4);
    let started = &sim::messages(&world, "web")[0];
    assert!(
        started.starts_with("(service web) has started 4 tasks: (task "),
        "{started}"
    );
    assert_eq!(started.matches("(task ").count(), 4);
    sim::advance(&mut world, 10_000 + HEALTHY_AFTER_RUNNING_MS - 1);
    assert_eq!(
        sim::messages(&world, "web").len(),
        1,
        "not steady until 40 s after RUNNING"
    );
    sim::advance(&mut world, 1);
    assert_eq!(
        sim::messages(&world, "web")[1],
        "(service web) has reached a steady state."
    );
    let described = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(
        (
            described["runningCount"].as_u64(),
            described["pendingCount"].as_u64()
        ),
        (Some(4), Some(0))
    );
    assert_eq!(described["deployments"][0]["rolloutState"], "COMPLETED");
    assert_eq!(
        described["events"][0]["message"], "(service web) has reached a steady state.",
        "newest first"
    );
    let steady = sim::events(&world, "ECS Service Action");
    assert_eq!(steady[0]["detail"]["eventName"], "SERVICE_STEADY_STATE");
    let first = sim::service_tasks(&mut world, "demo", "web", "RUNNING").remove(0);
    let task = sim::describe_task(&mut world, "demo", &first);
    assert_eq!(task["group"], "service:web");
    assert!(task["startedBy"].as_str().unwrap().starts_with("ecs-svc/"));
}

#[test]
fn desired_count_changes_scale_out_and_in() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    sim::register(&mut world, "web", "nginx", 256, 512);
    service(&mut world, "web", "web", 2);
    sim::advance(&mut world, 60_000);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 5 }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "web", "RUNNING").len(),
        5
    );
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 1 }),
    );
    sim::advance(&mut world, 60_000);
    let last = sim::messages(&world, "web");
    assert!(
        last.iter()
            .any(|m| m.starts_with("(service web) has stopped 4 running tasks: ")),
        "{last:#?}"
    );
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "web", "RUNNING").len(),
        1
    );
    let stopped = sim::service_tasks(&mut world, "demo", "web", "STOPPED");
    let task = sim::describe_task(&mut world, "demo", &stopped[0]);
    assert_eq!(task["stopCode"], "ServiceSchedulerInitiated");
    assert!(task["stoppedReason"]
        .as_str()
        .unwrap()
        .starts_with("Scaling activity initiated by (deployment ecs-svc/"));
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["deployments"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "a desired count starts no deployment"
    );
}

#[test]
fn tasks_that_stop_are_replaced() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "crash", "crash:1", 256, 256);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "crash:1", "exitAfter": "60s" }),
    );
    service(&mut world, "crash", "crash", 2);
    sim::advance(&mut world, 5 * 60_000);
    let stopped = sim::service_tasks(&mut world, "demo", "crash", "STOPPED");
    assert!(
        stopped.len() >= 6,
        "each crash is replaced: {} stopped",
        stopped.len()
    );
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "crash", "RUNNING").len(),
        2,
        "two live at any time"
    );
    let messages = sim::messages(&world, "crash");
    assert!(
        !messages
            .iter()
            .any(|m| m.contains("unable to consistently start")),
        "tasks that ran are not throttled"
    );
}

#[test]
fn tasks_that_never_start_are_throttled() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "ghost", "ghost:1", 256, 256);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "ghost:1", "pull": "fail" }),
    );
    service(&mut world, "ghost", "ghost", 1);
    sim::advance(&mut world, 60 * 60_000);
    let messages = sim::messages(&world, "ghost");
    let impaired = messages
        .iter()
        .filter(|m| *m == "(service ghost) is unable to consistently start tasks successfully.")
        .count();
    assert_eq!(impaired, 1);
    let starts = messages
        .iter()
        .filter(|m| m.contains("has started 1 tasks"))
        .count();
    // Without the throttle a launch every ~10 s would make 360 in an hour; with waits doubling
    // from 30 s to 15 min it is a handful.
    assert!((5..=12).contains(&starts), "{starts} launches in an hour");
    assert!(sim::events(&world, "ECS Service Action")
        .iter()
        .any(|e| e["detail"]["eventName"] == "SERVICE_TASK_START_IMPAIRED"));
}

#[test]
fn unhealthy_service_tasks_are_replaced_after_the_grace_period() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "sick", "containerDefinitions": [{
        "name": "app", "image": "sick:1", "memory": 128, "healthCheck": { "command": ["CMD", "/health"], "interval": 10, "retries": 2 } }] }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "sick:1", "healthCheck": "fail" }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "sick", "taskDefinition": "sick",
        "desiredCount": 1, "healthCheckGracePeriodSeconds": 60 }),
    );
    // RUNNING at 10 s, UNHEALTHY at 30 s (2 failed checks 10 s apart), grace over at 70 s.
    sim::advance(&mut world, 70_000 - 1);
    assert!(
        sim::service_tasks(&mut world, "demo", "sick", "STOPPED").is_empty(),
        "inside the 60 s grace period"
    );
    sim::advance(&mut world, 5_000);
    let stopped = sim::service_tasks(&mut world, "demo", "sick", "STOPPED");
    assert_eq!(stopped.len(), 1);
    let task = sim::describe_task(&mut world, "demo", &stopped[0]);
    assert_eq!(
        task["stoppedReason"],
        "Task failed container health checks (container app)"
    );
    sim::advance(&mut world, 20_000);
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "sick", "RUNNING").len(),
        1,
        "replaced"
    );
}

#[test]
fn an_unplaceable_service_says_why_and_places_when_capacity_arrives() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "t3.medium", &["us-east-1a"], 1);
    sim::register(&mut world, "big", "big:1", 1024, 6_000);
    service(&mut world, "big", "big", 1);
    let id = world.describe_all()["containerInstances"][0]["containerInstanceArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        sim::messages(&world, "big")[0],
        format!("(service big) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance {id}) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
    );
    let failure = &sim::events(&world, "ECS Service Action")[0]["detail"];
    assert_eq!(
        (failure["eventName"].as_str(), failure["reason"].as_str()),
        (
            Some("SERVICE_TASK_PLACEMENT_FAILURE"),
            Some("RESOURCE:MEMORY")
        )
    );
    sim::ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1,
        "IamInstanceProfile": { "Name": "ecsInstanceRole" }, "UserData": "echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config" }),
    );
    sim::advance(&mut world, 120_000);
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "big", "RUNNING").len(),
        1
    );
}

#[test]
fn service_requests_are_checked_before_anything_changes() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 256, 256);
    let six_strategies = vec![json!({ "type": "spread", "field": "instanceId" }); 6];
    let cases = [
        (
            json!({ "cluster": "nope", "serviceName": "a", "taskDefinition": "web", "desiredCount": 1 }),
            "ClusterNotFoundException",
            "$.cluster",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "nope", "desiredCount": 1 }),
            "ClientException",
            "$.taskDefinition",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web" }),
            "InvalidParameterException",
            "$.desiredCount",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web", "desiredCount": 1, "launchType": "FARGATE" }),
            "InvalidParameterException",
            "$.launchType",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web", "schedulingStrategy": "DAEMON", "desiredCount": 2 }),
            "InvalidParameterException",
            "$.desiredCount",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web", "desiredCount": 1,
                 "placementConstraints": [{ "type": "distinctInstance", "expression": "x" }] }),
            "InvalidParameterException",
            "$.placementConstraints[0].expression",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web", "desiredCount": 1,
                 "deploymentConfiguration": { "minimumHealthyPercent": 100, "maximumPercent": 50 } }),
            "InvalidParameterException",
            "$.deploymentConfiguration.maximumPercent",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "a", "taskDefinition": "web", "desiredCount": 1, "placementStrategy": six_strategies }),
            "InvalidParameterException",
            "$.placementStrategy",
        ),
    ];
    for (n, (input, code, path)) in cases.into_iter().enumerate() {
        let err = sim::err(&mut world, "ecs:CreateService", input);
        assert_eq!(
            (err.code.as_str(), err.path.as_deref()),
            (code, Some(path)),
            "case {n}: {err}"
        );
    }
    assert!(
        world.describe_all()["services"]
            .as_array()
            .unwrap()
            .is_empty(),
        "no refused request created a service"
    );

    service(&mut world, "web", "web", 1);
    let twice = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1 }),
    );
    assert_eq!(twice.message, "Creation of service was not idempotent.");
    let busy = sim::err(
        &mut world,
        "ecs:DeleteService",
        json!({ "cluster": "demo", "service": "web" }),
    );
    assert_eq!(
        busy.message,
        "The service cannot be stopped while it is scaled above 0."
    );
    sim::ok(
        &mut world,
        "ecs:DeleteService",
        json!({ "cluster": "demo", "service": "web", "force": true }),
    );
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["status"],
        "DRAINING"
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["status"],
        "INACTIVE"
    );
    let listed = sim::ok(&mut world, "ecs:ListServices", json!({ "cluster": "demo" }));
    assert_eq!(listed["serviceArns"], json!([]));
}
