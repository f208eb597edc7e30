//! Task placement as ECS does it (aws-facts 2 and 3): the filters in order, the constraints, the
//! strategies and their defaults, scale-in selection and the why-trace, through the API.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

/// Launches `count` instances of `instance_type` in `zone` into `cluster` and lets them join.
fn add_instances(world: &mut World, cluster: &str, instance_type: &str, zone: &str, count: u32) {
    sim::launch(world, cluster, instance_type, zone, count);
    sim::advance(world, 60_000);
}

/// A bridge-mode task definition with no host ports.
fn register_plain(world: &mut World, family: &str, cpu: u32, memory: u32) {
    sim::ok(
        world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": family, "containerDefinitions": [{
            "name": "app", "image": "app:1", "cpu": cpu, "memory": memory, "essential": true }] }),
    );
}

/// The container instance (registration order) and zone of each live task of the world.
fn placements(world: &World) -> Vec<(usize, String)> {
    world
        .ecs
        .tasks
        .iter()
        .filter(|t| !t.is_stopped())
        .map(|t| {
            let i = t.container_instance.expect("an EC2 task");
            (i, t.availability_zone.clone())
        })
        .collect()
}

fn tasks_per_instance(world: &World) -> Vec<usize> {
    (0..world.ecs.container_instances.len())
        .map(|i| placements(world).iter().filter(|(j, _)| *j == i).count())
        .collect()
}

fn run_task(world: &mut World, request: Value) -> Value {
    sim::ok(world, "ecs:RunTask", request)
}

#[test]
fn binpack_memory_fills_the_fullest_instance_that_fits() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 3);
    // m5.large registers 7865 MiB. Load instance 1 with 6000 MiB and instance 2 with 3000.
    register_plain(&mut world, "big", 256, 6000);
    register_plain(&mut world, "mid", 256, 3000);
    register_plain(&mut world, "small", 256, 1000);
    register_plain(&mut world, "large", 256, 2500);
    let on = |world: &mut World, family: &str, instance: usize| {
        let arn = world.ecs.container_instances[instance].arn.clone();
        sim::ok(
            world,
            "ecs:StartTask",
            json!({ "cluster": "demo", "taskDefinition": family, "containerInstances": [arn] }),
        );
    };
    on(&mut world, "big", 1);
    on(&mut world, "mid", 2);
    let binpack = json!([{ "type": "binpack", "field": "memory" }]);
    // 1000 MiB fits on instance 1 (1865 left): the fullest that fits.
    run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "small", "placementStrategy": binpack }),
    );
    assert_eq!(tasks_per_instance(&world), vec![0, 2, 1]);
    // 2500 MiB no longer fits on instance 1 (865 left); instance 2 (4865 left) is next fullest.
    run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "large", "placementStrategy": binpack }),
    );
    assert_eq!(tasks_per_instance(&world), vec![0, 2, 2]);

    let trace = &world.describe_all()["placementDecisions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["trace"]
        .clone();
    assert_eq!(trace["strategies"], json!(["binpack(memory)"]));
    assert_eq!(trace["defaultStrategies"], false);
    let fates = trace["instances"].as_array().unwrap();
    assert_eq!(fates[0]["result"], "candidate");
    assert_eq!(fates[0]["scores"][0]["value"], 7865);
    assert_eq!(fates[1]["result"], "rejected");
    assert_eq!(fates[1]["check"], "memory");
    assert_eq!(fates[1]["reason"], "RESOURCE:MEMORY");
    assert_eq!(
        fates[1]["detail"],
        "needs 2500 MiB of memory, 865 MiB available"
    );
    assert_eq!(fates[2]["result"], "chosen");
    assert_eq!(fates[2]["scores"][0]["value"], 4865);
}

#[test]
fn a_service_spreads_over_zones_then_over_the_instances_of_each_by_default() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    add_instances(&mut world, "demo", "m5.large", "us-east-1a", 3);
    add_instances(&mut world, "demo", "m5.large", "us-east-1b", 1);
    register_plain(&mut world, "web", 256, 512);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 6 }),
    );
    sim::advance(&mut world, 10_000);
    let zone_count = |zone: &str| placements(&world).iter().filter(|(_, z)| z == zone).count();
    // Three per zone, whatever the number of instances in each.
    assert_eq!((zone_count("us-east-1a"), zone_count("us-east-1b")), (3, 3));
    // Within us-east-1a, one per instance.
    assert_eq!(tasks_per_instance(&world), vec![1, 1, 1, 3]);
    // The sixth decision as its trace tells it: five tasks placed, three in us-east-1a (one per
    // instance) and two on the one instance of us-east-1b, which wins on the zone's count.
    let decisions = world.describe_all()["placementDecisions"].clone();
    let last = &decisions.as_array().unwrap()[5]["trace"];
    assert_eq!(
        last["strategies"],
        json!([
            "spread(attribute:ecs.availability-zone)",
            "spread(instanceId)"
        ])
    );
    assert_eq!(last["defaultStrategies"], true);
    let scores: Vec<(String, Vec<u64>)> = last["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|fate| {
            let values = fate["scores"].as_array().unwrap();
            let values = values.iter().map(|s| s["value"].as_u64().unwrap());
            (
                fate["result"].as_str().unwrap().to_string(),
                values.collect(),
            )
        })
        .collect();
    let candidate = |zone_tasks: u64, own: u64| ("candidate".to_string(), vec![zone_tasks, own]);
    assert_eq!(
        scores,
        [
            candidate(3, 1),
            candidate(3, 1),
            candidate(3, 1),
            ("chosen".to_string(), vec![2, 2])
        ]
    );
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(
        service["placementStrategy"],
        json!([]),
        "the default is not echoed"
    );
}

#[test]
fn spread_over_zones_then_binpack_within_each() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    add_instances(&mut world, "demo", "m5.large", "us-east-1a", 2);
    add_instances(&mut world, "demo", "m5.large", "us-east-1b", 2);
    register_plain(&mut world, "web", 256, 512);
    let strategy = json!([
        { "type": "spread", "field": "attribute:ecs.availability-zone" },
        { "type": "binpack", "field": "memory" }
    ]);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web",
                "desiredCount": 4, "placementStrategy": strategy }),
    );
    sim::advance(&mut world, 10_000);
    // Two per zone, packed onto the first instance of each.
    assert_eq!(tasks_per_instance(&world), vec![2, 0, 2, 0]);
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(service["placementStrategy"], strategy);
}

#[test]
fn member_of_with_a_pattern_keeps_tasks_on_t3_instances() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    add_instances(&mut world, "demo", "m5.large", "us-east-1a", 2);
    add_instances(&mut world, "demo", "t3.large", "us-east-1b", 1);
    register_plain(&mut world, "web", 128, 128);
    let response = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "web", "count": 5,
                "placementConstraints": [{ "type": "memberOf",
                    "expression": "attribute:ecs.instance-type =~ t3.*" }] }),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 5);
    assert_eq!(tasks_per_instance(&world), vec![0, 0, 5]);
    let trace = &world.describe_all()["placementDecisions"][0]["trace"];
    assert_eq!(trace["instances"][0]["check"], "memberOf");
    assert_eq!(
        trace["instances"][0]["detail"],
        "does not satisfy memberOf(attribute:ecs.instance-type =~ t3.*)"
    );
    assert_eq!(trace["strategies"], json!(["random"]), "RunTask's default");
    assert_eq!(trace["defaultStrategies"], true);
}

#[test]
fn distinct_instance_with_more_tasks_than_instances_leaves_the_rest_unplaced() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    register_plain(&mut world, "web", 128, 128);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 3,
                "placementConstraints": [{ "type": "distinctInstance" }] }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(tasks_per_instance(&world), vec![1, 1]);
    let messages = sim::messages(&world, "web");
    let closest = &world.ecs.container_instances[0].id;
    assert!(
        messages.iter().any(|m| m == &format!(
            "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance {closest}) is missing an attribute required by your task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
        )),
        "{messages:#?}"
    );
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(service["runningCount"], 2);
    assert_eq!(
        service["placementConstraints"],
        json!([{ "type": "distinctInstance" }])
    );
    let failure = world.describe_all()["placementDecisions"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["trace"]
        .clone();
    assert_eq!(failure["instances"][1]["check"], "distinctInstance");
    assert_eq!(failure["failure"]["reason"], "ATTRIBUTE");
}

#[test]
fn a_static_host_port_in_use_sends_the_next_task_elsewhere_then_fails() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "nginx",
            "memory": 128, "portMappings": [{ "containerPort": 80, "hostPort": 80 }] }] }),
    );
    let response = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "web", "count": 3 }),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(tasks_per_instance(&world), vec![1, 1]);
    assert_eq!(response["failures"][0]["reason"], "RESOURCE:PORTS");
    let trace = &world.describe_all()["placementDecisions"][1]["trace"];
    let taken: Vec<&Value> = trace["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "ports")
        .collect();
    assert_eq!(taken.len(), 1, "the second task saw the first's port");
    assert_eq!(taken[0]["detail"], "host port 80/tcp is already in use");
}

#[test]
fn reserved_ports_and_protocols_are_apart() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    let register = |world: &mut World, family: &str, port: u16, protocol: &str| {
        sim::ok(
            world,
            "ecs:RegisterTaskDefinition",
            json!({ "family": family, "containerDefinitions": [{ "name": "c", "image": "i",
                "memory": 64, "portMappings": [{ "containerPort": port, "hostPort": port, "protocol": protocol }] }] }),
        );
    };
    register(&mut world, "ssh", 22, "tcp");
    register(&mut world, "dns-tcp", 53, "tcp");
    register(&mut world, "dns-udp", 53, "udp");
    let ssh = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "ssh" }),
    );
    assert_eq!(
        ssh["failures"][0]["reason"], "RESOURCE:PORTS",
        "22 is reserved"
    );
    let tcp = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "dns-tcp" }),
    );
    let udp = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "dns-udp" }),
    );
    assert_eq!(tcp["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(
        udp["tasks"].as_array().unwrap().len(),
        1,
        "53/udp is not 53/tcp"
    );
    let again = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "dns-udp" }),
    );
    assert_eq!(again["failures"][0]["reason"], "RESOURCE:PORTS_UDP");
}

#[test]
fn awsvpc_tasks_need_a_free_eni_attachment_point() {
    let mut world = sim::world();
    // c5.large: 3 ENIs, one the instance's own: two awsvpc tasks (aws-facts 3.4).
    sim::cluster(&mut world, "demo", "c5.large", &["us-east-1a"], 1);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "vpc", "networkMode": "awsvpc", "containerDefinitions": [{
            "name": "c", "image": "i", "memory": 64 }] }),
    );
    let response = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "vpc", "count": 3,
                "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1"] } } }),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(response["failures"][0]["reason"], "RESOURCE:ENI");
}

#[test]
fn draining_and_wrong_architecture_instances_get_nothing_new() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    add_instances(&mut world, "demo", "m5.large", "us-east-1a", 1);
    add_instances(&mut world, "demo", "m6g.large", "us-east-1a", 1);
    let arn = world.ecs.container_instances[0].arn.clone();
    sim::ok(
        &mut world,
        "ecs:UpdateContainerInstancesState",
        json!({ "cluster": "demo", "containerInstances": [arn], "status": "DRAINING" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "x86", "runtimePlatform": { "cpuArchitecture": "X86_64" },
                "containerDefinitions": [{ "name": "c", "image": "i", "memory": 64 }] }),
    );
    let response = run_task(
        &mut world,
        json!({ "cluster": "demo", "taskDefinition": "x86" }),
    );
    // The draining x86 instance got further down the checks than the arm64 one? No: status
    // comes first, so the arm64 instance (refused for its architecture) is the closest.
    assert_eq!(response["failures"][0]["reason"], "ATTRIBUTE");
    assert_eq!(
        response["failures"][0]["arn"],
        world.ecs.container_instances[1].arn.as_str()
    );
}

#[test]
fn strategies_are_validated_with_their_paths() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    register_plain(&mut world, "web", 128, 128);
    let cases = [
        (json!([{ "type": "pack" }]), "$.placementStrategy[0].type"),
        (
            json!([{ "type": "binpack", "field": "disk" }]),
            "$.placementStrategy[0].field",
        ),
        (
            json!([{ "type": "random" }, { "type": "spread" }]),
            "$.placementStrategy[1].field",
        ),
        (
            Value::Array(vec![json!({ "type": "random" }); 6]),
            "$.placementStrategy",
        ),
    ];
    for (strategy, path) in cases {
        let error = sim::err(
            &mut world,
            "ecs:RunTask",
            json!({ "cluster": "demo", "taskDefinition": "web", "placementStrategy": strategy }),
        );
        assert_eq!(error.code, "InvalidParameterException", "{strategy}");
        assert_eq!(error.path.as_deref(), Some(path), "{strategy}");
    }
    let bad_cql = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "web",
                "placementConstraints": [{ "type": "memberOf", "expression": "attribute:stack === prod" }] }),
    );
    assert_eq!(
        bad_cql.path.as_deref(),
        Some("$.placementConstraints[0].expression")
    );
    assert!(
        bad_cql.message.contains("Expected a value at column 19"),
        "{}",
        bad_cql.message
    );
    assert!(world.ecs.tasks.is_empty(), "nothing ran");
}

#[test]
fn fargate_takes_no_strategy_and_spreads_over_its_subnets_zones() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "f", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                "cpu": "256", "memory": "512",
                "containerDefinitions": [{ "name": "c", "image": "i" }] }),
    );
    let network =
        json!({ "awsvpcConfiguration": { "subnets": ["subnet-a", "subnet-b", "subnet-c"] } });
    let error = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "f", "taskDefinition": "f", "desiredCount": 6,
                "launchType": "FARGATE", "networkConfiguration": network,
                "placementStrategy": [{ "type": "random" }] }),
    );
    assert_eq!(error.path.as_deref(), Some("$.placementStrategy"));
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "f", "taskDefinition": "f", "desiredCount": 6,
                "launchType": "FARGATE", "networkConfiguration": network }),
    );
    sim::advance(&mut world, 5_000);
    for zone in ["us-east-1a", "us-east-1b", "us-east-1c"] {
        let n = world
            .ecs
            .tasks
            .iter()
            .filter(|t| t.availability_zone == zone)
            .count();
        assert_eq!(n, 2, "{zone}");
    }
}

#[test]
fn scale_in_keeps_the_zones_balanced() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    add_instances(&mut world, "demo", "m5.large", "us-east-1a", 1);
    add_instances(&mut world, "demo", "m5.large", "us-east-1b", 1);
    add_instances(&mut world, "demo", "m5.large", "us-east-1c", 1);
    register_plain(&mut world, "web", 128, 128);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 9 }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(tasks_per_instance(&world), vec![3, 3, 3]);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 3 }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(tasks_per_instance(&world), vec![1, 1, 1]);
}

#[test]
fn binpack_scale_in_empties_the_instance_with_the_most_room() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    register_plain(&mut world, "web", 128, 2000);
    register_plain(&mut world, "other", 128, 3000);
    let arn = world.ecs.container_instances[0].arn.clone();
    sim::ok(
        &mut world,
        "ecs:StartTask",
        json!({ "cluster": "demo", "taskDefinition": "other", "containerInstances": [arn] }),
    );
    // binpack puts two web tasks on instance 0 (fuller: 4865 free) and the rest on instance 1.
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 4,
                "placementStrategy": [{ "type": "binpack", "field": "memory" }] }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(tasks_per_instance(&world), vec![3, 2]);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 2 }),
    );
    sim::advance(&mut world, 60_000);
    // Instance 1 has the most memory left after each stop: both its web tasks go.
    assert_eq!(tasks_per_instance(&world), vec![3, 0]);
}

#[test]
fn run_task_random_is_repeatable_and_reaches_every_instance() {
    let run = || {
        let mut world = sim::world();
        sim::cluster(
            &mut world,
            "demo",
            "m5.large",
            &["us-east-1a", "us-east-1b"],
            2,
        );
        register_plain(&mut world, "job", 64, 64);
        for _ in 0..4 {
            run_task(
                &mut world,
                json!({ "cluster": "demo", "taskDefinition": "job", "count": 10 }),
            );
        }
        tasks_per_instance(&world)
    };
    let first = run();
    assert_eq!(first, run(), "same seed, same draws");
    assert_eq!(first.iter().sum::<usize>(), 40);
    assert!(first.iter().all(|&n| n > 0), "{first:?}");
}

#[test]
fn update_service_changes_the_strategy_for_tasks_placed_from_then_on() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 3);
    register_plain(&mut world, "web", 128, 512);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 3 }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(tasks_per_instance(&world), vec![1, 1, 1], "default spread");
    let refused = sim::err(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 9,
                "placementStrategy": [{ "type": "binpack", "field": "gpu" }] }),
    );
    assert_eq!(
        refused.path.as_deref(),
        Some("$.placementStrategy[0].field")
    );
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["desiredCount"],
        3,
        "a refused update changes nothing"
    );
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 6,
                "placementStrategy": [{ "type": "binpack", "field": "memory" }] }),
    );
    sim::advance(&mut world, 60_000);
    // The three new tasks pack onto the first instance; the old ones stay put.
    assert_eq!(tasks_per_instance(&world), vec![4, 1, 1]);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["placementStrategy"],
        json!([{ "type": "binpack", "field": "memory" }])
    );
}
