//! DAEMON services (aws-facts 4.1, 4.6): one task on each active instance, including instances
//! that join later; on a draining instance the other tasks leave first and the daemon task last.

mod sim;

use serde_json::json;

#[test]
fn one_daemon_task_per_active_instance_and_it_leaves_a_draining_one_last() {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "c5.xlarge",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    sim::register(&mut world, "agent", "agent:1", 128, 64);
    sim::register(&mut world, "web", "nginx", 256, 256);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON" }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        // binpack(memory) puts both web tasks on the fuller first instance, beside its daemon task.
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
                "placementStrategy": [{ "type": "binpack", "field": "memory" }] }),
    );
    sim::advance(&mut world, 60_000);
    let described = sim::describe_service(&mut world, "demo", "agent");
    assert_eq!(
        (
            described["desiredCount"].as_u64(),
            described["runningCount"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(
        described["deploymentConfiguration"]["minimumHealthyPercent"], 0,
        "daemon default"
    );
    assert_eq!(described["deploymentConfiguration"]["maximumPercent"], 100);

    sim::ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "c5.xlarge", "MinCount": 1, "MaxCount": 1,
        "Placement": { "AvailabilityZone": "us-east-1c" }, "IamInstanceProfile": { "Name": "ecsInstanceRole" },
        "UserData": "echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config" }),
    );
    sim::advance(&mut world, 120_000);
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "agent", "RUNNING").len(),
        3,
        "the new instance gets one"
    );

    // Drain the instance the web tasks run on (placement fills the first instance).
    let first = world.describe_all()["containerInstances"][0]["containerInstanceArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "ecs:UpdateContainerInstancesState",
        json!({ "cluster": "demo", "containerInstances": [first], "status": "DRAINING" }),
    );
    sim::advance(&mut world, 120_000);
    let stopped_at = |world: &mut ecsplay::world::World, service: &str| -> Vec<f64> {
        sim::service_tasks(world, "demo", service, "STOPPED")
            .iter()
            .map(|arn| sim::describe_task(world, "demo", arn))
            .filter(|t| t["containerInstanceArn"] == first.as_str())
            .map(|t| t["stoppedAt"].as_f64().unwrap())
            .collect()
    };
    let web = stopped_at(&mut world, "web");
    let agent = stopped_at(&mut world, "agent");
    assert_eq!((web.len(), agent.len()), (2, 1));
    assert!(
        agent[0] >= web.iter().cloned().fold(0.0, f64::max),
        "the daemon task stops last"
    );
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "web", "RUNNING").len(),
        2,
        "web moved elsewhere"
    );
    assert_eq!(
        sim::service_tasks(&mut world, "demo", "agent", "RUNNING").len(),
        2
    );
    let events = sim::events(&world, "ECS Container Instance State Change");
    assert_eq!(events.last().unwrap()["detail"]["status"], "DRAINING");
}

#[test]
fn a_daemon_service_whose_tasks_cannot_start_is_throttled_like_a_replica_service() {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "c5.xlarge",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "agent:broken", "pull": "fail" }),
    );
    sim::register(&mut world, "agent", "agent:broken", 128, 64);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "agent", "taskDefinition": "agent", "schedulingStrategy": "DAEMON" }),
    );
    sim::advance(&mut world, 30 * 60_000);
    let started = world
        .ecs
        .tasks
        .iter()
        .filter(|t| t.group == "service:agent")
        .count();
    // Unthrottled, two instances would start a task each every few seconds (hundreds in half an
    // hour); throttled, the waits double from 30 s to 15 minutes.
    assert!((4..=30).contains(&started), "{started} tasks started");
    assert!(sim::messages(&world, "agent")
        .iter()
        .any(|m| m == "(service agent) is unable to consistently start tasks successfully."));
}
