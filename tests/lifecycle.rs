//! The task lifecycle (aws-facts 4.2): statuses and their timestamps, stop codes and reasons,
//! image behaviour, resources taken and given back, and the EventBridge events on the way.

mod sim;

use ecsplay::ecs::placement::DYNAMIC_PORT_FIRST;
use ecsplay::ecs::task::{
    AGENT_PICKUP_MS, CONTAINER_START_MS, FARGATE_PROVISIONING_MS, IMAGE_PULL_MS, SIGTERM_EXIT_MS,
};
use serde_json::{json, Value};

fn run_task(world: &mut ecsplay::world::World, cluster: &str, definition: &str) -> Value {
    let response = sim::ok(
        world,
        "ecs:RunTask",
        json!({ "cluster": cluster, "taskDefinition": definition }),
    );
    assert_eq!(response["failures"], json!([]));
    response["tasks"][0].clone()
}

fn memory_remaining(world: &mut ecsplay::world::World) -> i64 {
    let d = world.describe_all();
    d["containerInstances"][0]["remainingResources"][1]["integerValue"]
        .as_i64()
        .unwrap()
}

#[test]
fn an_ec2_task_runs_then_stops_on_request() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx:1.27", 256, 512);
    let before = memory_remaining(&mut world);
    let task = run_task(&mut world, "demo", "web:1");
    let arn = task["taskArn"].as_str().unwrap().to_string();
    assert_eq!(task["lastStatus"], "PENDING");
    assert_eq!(task["group"], "family:web");
    assert_eq!(
        memory_remaining(&mut world),
        before - 512,
        "memory is reserved at placement"
    );

    sim::advance(
        &mut world,
        AGENT_PICKUP_MS + IMAGE_PULL_MS + CONTAINER_START_MS - 1,
    );
    assert_eq!(
        sim::describe_task(&mut world, "demo", &arn)["lastStatus"],
        "ACTIVATING",
        "pulling"
    );
    sim::advance(&mut world, 1);
    let running = sim::describe_task(&mut world, "demo", &arn);
    assert_eq!(running["lastStatus"], "RUNNING");
    assert_eq!(
        running["containers"][0]["networkBindings"][0]["hostPort"], DYNAMIC_PORT_FIRST,
        "a dynamic host port"
    );
    assert!(
        running["pullStoppedAt"].as_f64().unwrap() > running["pullStartedAt"].as_f64().unwrap()
    );

    sim::ok(
        &mut world,
        "ecs:StopTask",
        json!({ "cluster": "demo", "task": arn }),
    );
    sim::advance(&mut world, SIGTERM_EXIT_MS);
    let stopped = sim::describe_task(&mut world, "demo", &arn);
    assert_eq!(stopped["lastStatus"], "STOPPED");
    assert_eq!(stopped["stopCode"], "UserInitiated");
    assert_eq!(stopped["stoppedReason"], "Task stopped by user");
    assert_eq!(stopped["containers"][0]["exitCode"], 143, "SIGTERM");
    assert_eq!(
        memory_remaining(&mut world),
        before,
        "resources are given back at STOPPED"
    );

    let statuses: Vec<(String, String)> = sim::events(&world, "ECS Task State Change")
        .iter()
        .map(|e| {
            (
                e["detail"]["lastStatus"].as_str().unwrap().into(),
                e["detail"]["desiredStatus"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected = [
        ("PENDING", "RUNNING"),
        ("RUNNING", "RUNNING"),
        ("RUNNING", "STOPPED"),
        ("STOPPING", "STOPPED"),
        ("STOPPED", "STOPPED"),
    ];
    assert_eq!(
        statuses,
        expected.map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let event = &sim::events(&world, "ECS Task State Change")[0];
    assert_eq!(event["source"], "aws.ecs");
    assert_eq!(event["resources"][0], arn.as_str());
    assert!(
        event["detail"].get("healthStatus").is_none(),
        "health is not in task state change events"
    );
}

#[test]
fn a_fargate_task_provisions_and_deprovisions() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "f" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({
        "family": "job", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
        "containerDefinitions": [{ "name": "job", "image": "busybox" }] }),
    );
    let missing_network = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "f", "taskDefinition": "job", "launchType": "FARGATE" }),
    );
    assert_eq!(
        missing_network.message,
        "Network Configuration must be provided when networkMode 'awsvpc' is specified."
    );
    let response = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({
        "cluster": "f", "taskDefinition": "job", "launchType": "FARGATE",
        "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1", "subnet-2"] } } }),
    );
    let arn = response["tasks"][0]["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(response["tasks"][0]["lastStatus"], "PROVISIONING");
    sim::advance(&mut world, FARGATE_PROVISIONING_MS);
    assert_eq!(
        sim::describe_task(&mut world, "f", &arn)["lastStatus"],
        "PENDING"
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(
        sim::describe_task(&mut world, "f", &arn)["lastStatus"],
        "RUNNING"
    );
    sim::ok(
        &mut world,
        "ecs:StopTask",
        json!({ "cluster": "f", "task": arn, "reason": "done for today" }),
    );
    sim::advance(&mut world, SIGTERM_EXIT_MS);
    assert_eq!(
        sim::describe_task(&mut world, "f", &arn)["lastStatus"],
        "DEPROVISIONING",
        "the ENI is detached last"
    );
    sim::advance(&mut world, 60_000);
    let stopped = sim::describe_task(&mut world, "f", &arn);
    assert_eq!(
        (
            stopped["lastStatus"].as_str(),
            stopped["stoppedReason"].as_str()
        ),
        (Some("STOPPED"), Some("done for today"))
    );
    assert_eq!(stopped["launchType"], "FARGATE");
}

#[test]
fn image_behaviour_decides_how_a_task_ends() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.xlarge", &["us-east-1a"], 1);
    sim::register(&mut world, "missing", "ghost:404", 128, 128);
    sim::register(&mut world, "crash", "crash:1", 128, 128);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "ghost:404", "pull": "fail" }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "crash:1", "exitAfter": "30s", "exitCode": 2 }),
    );
    let ghost = run_task(&mut world, "demo", "missing")["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    let crash = run_task(&mut world, "demo", "crash")["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::advance(&mut world, 120_000);

    let ghost = sim::describe_task(&mut world, "demo", &ghost);
    assert_eq!(ghost["stopCode"], "TaskFailedToStart");
    assert!(
        ghost["stoppedReason"]
            .as_str()
            .unwrap()
            .starts_with("CannotPullContainerError:"),
        "{ghost}"
    );
    assert!(ghost.get("startedAt").is_none(), "it never ran");

    let crash = sim::describe_task(&mut world, "demo", &crash);
    assert_eq!(crash["stopCode"], "EssentialContainerExited");
    assert_eq!(crash["stoppedReason"], "Essential container in task exited");
    assert_eq!(crash["containers"][0]["exitCode"], 2);
    let ran_ms = (crash["executionStoppedAt"].as_f64().unwrap()
        - crash["startedAt"].as_f64().unwrap())
        * 1000.0;
    assert_eq!(ran_ms.round() as i64, 30_000);
}

#[test]
fn a_standalone_task_keeps_running_when_its_health_check_fails() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "hc", "containerDefinitions": [{
        "name": "app", "image": "sick:1", "memory": 128,
        "healthCheck": { "command": ["CMD", "/health"], "interval": 10, "retries": 3, "startPeriod": 15 } }] }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "sick:1", "healthCheck": "fail" }),
    );
    let arn = run_task(&mut world, "demo", "hc")["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::advance(&mut world, 10_000);
    let started = sim::describe_task(&mut world, "demo", &arn);
    assert_eq!(started["healthStatus"], "UNKNOWN");
    // Checks at 10, 20, 30, 40 s; the one at 10 s is inside startPeriod; 3 failures: 40 s.
    sim::advance(&mut world, 39_999);
    assert_eq!(
        sim::describe_task(&mut world, "demo", &arn)["healthStatus"],
        "UNKNOWN"
    );
    sim::advance(&mut world, 1);
    let sick = sim::describe_task(&mut world, "demo", &arn);
    assert_eq!(
        (sick["healthStatus"].as_str(), sick["lastStatus"].as_str()),
        (Some("UNHEALTHY"), Some("RUNNING"))
    );
}

#[test]
fn placement_failures_are_run_task_failures() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "empty" }),
    );
    sim::register(&mut world, "big", "x", 128, 100_000);
    let none = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "empty", "taskDefinition": "big" }),
    );
    assert_eq!(
        (none.code.as_str(), none.message.as_str()),
        (
            "InvalidParameterException",
            "No Container Instances were found in your cluster."
        )
    );

    sim::cluster(&mut world, "demo", "t3.medium", &["us-east-1a"], 1);
    let response = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "big" }),
    );
    assert_eq!(response["tasks"], json!([]));
    assert_eq!(response["failures"][0]["reason"], "RESOURCE:MEMORY");

    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "static", "containerDefinitions": [{
        "name": "a", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 80, "hostPort": 80 }] }] }),
    );
    let two = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "static", "count": 2 }),
    );
    assert_eq!(
        two["tasks"].as_array().unwrap().len(),
        1,
        "one instance, one host port 80"
    );
    assert_eq!(two["failures"][0]["reason"], "RESOURCE:PORTS");
    let ssh = sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "ssh", "containerDefinitions": [{
        "name": "a", "image": "x", "memory": 64, "portMappings": [{ "containerPort": 22, "hostPort": 22 }] }] }),
    );
    assert_eq!(ssh["taskDefinition"]["revision"], 1);
    let reserved = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "ssh" }),
    );
    assert_eq!(
        reserved["failures"][0]["reason"], "RESOURCE:PORTS",
        "22 is reserved by the agent"
    );

    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "vpc", "networkMode": "awsvpc", "containerDefinitions": [{ "name": "a", "image": "x", "memory": 16 }] }),
    );
    let network = json!({ "awsvpcConfiguration": { "subnets": ["subnet-1"] } });
    // t3.medium: 3 ENIs, one the instance's own: 2 awsvpc tasks (aws-facts 3.4).
    let three = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "vpc", "count": 3, "networkConfiguration": network }),
    );
    assert_eq!(three["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(three["failures"][0]["reason"], "RESOURCE:ENI");
}

#[test]
fn an_instance_without_an_instance_profile_never_joins() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1,
        "UserData": "echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config" }),
    );
    sim::advance(&mut world, 300_000);
    assert_eq!(world.describe_all()["containerInstances"], json!([]));
    let failed = world.log().iter().find_map(|r| match r {
        ecsplay::engine::LogRecord::Failed { error, .. } => Some(error.clone()),
        _ => None,
    });
    assert_eq!(
        failed.expect("the agent's failure is logged").code,
        "NoCredentialProviders"
    );
}

#[test]
fn terminating_an_instance_stops_its_tasks() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 256, 256);
    let arn = run_task(&mut world, "demo", "web")["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::advance(&mut world, 30_000);
    let ec2_id = world.describe_all()["containerInstances"][0]["ec2InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [ec2_id] }),
    );
    sim::advance(&mut world, 30_000);
    let task = sim::describe_task(&mut world, "demo", &arn);
    assert_eq!(task["lastStatus"], "STOPPED");
    assert_eq!(
        task["stoppedReason"],
        format!("Host EC2 (instance {ec2_id}) terminated.")
    );
    assert_eq!(
        world.describe_all()["containerInstances"][0]["status"],
        "INACTIVE"
    );
}
