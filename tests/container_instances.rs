//! Container instances: what the agent registers (aws-facts 2.4, 3.3, 15), custom attributes
//! with PutAttributes, StartTask onto a named instance, and `ecsplay describe`.

mod sim;

use serde_json::json;

#[test]
fn the_agent_registers_the_instance_with_its_resources_and_attributes() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m6g.large", &["us-east-1c"], 1);
    let ci = world.describe_all()["containerInstances"][0].clone();
    assert_eq!(ci["status"], "ACTIVE");
    assert_eq!(ci["agentConnected"], true);
    assert_eq!(
        ci["registeredResources"][0],
        json!({ "name": "CPU", "type": "INTEGER", "integerValue": 2048 }),
        "2 vCPU x 1024"
    );
    assert_eq!(
        ci["registeredResources"][1]["integerValue"], 7865,
        "8 GiB less the OS share"
    );
    assert_eq!(
        ci["registeredResources"][2]["stringSetValue"],
        json!(["22", "2375", "2376", "51678", "51679"])
    );
    let attribute = |name: &str| {
        ci["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .and_then(|a| a["value"].as_str())
            .map(str::to_string)
    };
    assert_eq!(attribute("ecs.cpu-architecture").as_deref(), Some("arm64"));
    assert_eq!(
        attribute("ecs.availability-zone").as_deref(),
        Some("us-east-1c")
    );
    assert_eq!(attribute("ecs.instance-type").as_deref(), Some("m6g.large"));
    assert_eq!(attribute("ecs.os-type").as_deref(), Some("linux"));
    let registered = &sim::events(&world, "ECS Container Instance State Change")[0];
    assert_eq!(registered["detail"]["ec2InstanceId"], ci["ec2InstanceId"]);
}

#[test]
fn custom_attributes_steer_member_of_and_are_all_or_nothing() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 2);
    let arns: Vec<String> = world.describe_all()["containerInstances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["containerInstanceArn"].as_str().unwrap().to_string())
        .collect();
    let bad = sim::err(
        &mut world,
        "ecs:PutAttributes",
        json!({ "cluster": "demo", "attributes": [
        { "name": "stack", "value": "prod", "targetId": arns[1] },
        { "name": "ecs.instance-type", "value": "x", "targetId": arns[1] } ] }),
    );
    assert_eq!(bad.path.as_deref(), Some("$.attributes[1].name"));
    let unchanged = sim::ok(
        &mut world,
        "ecs:DescribeContainerInstances",
        json!({ "cluster": "demo", "containerInstances": [arns[1]] }),
    );
    assert!(
        !unchanged.to_string().contains("\"stack\""),
        "the valid first attribute was not applied either"
    );

    sim::ok(
        &mut world,
        "ecs:PutAttributes",
        json!({ "cluster": "demo", "attributes": [{ "name": "stack", "value": "prod", "targetId": arns[1] }] }),
    );
    sim::register(&mut world, "web", "nginx", 128, 128);
    let placed = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "web",
        "placementConstraints": [{ "type": "memberOf", "expression": "attribute:stack == prod" }] }),
    );
    assert_eq!(placed["tasks"][0]["containerInstanceArn"], arns[1].as_str());
    let nowhere = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "web",
        "placementConstraints": [{ "type": "memberOf", "expression": "attribute:stack == test" }] }),
    );
    assert_eq!(nowhere["failures"][0]["reason"], "ATTRIBUTE");
}

#[test]
fn start_task_places_on_the_named_instance() {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    sim::register(&mut world, "web", "nginx", 128, 128);
    let second = world.describe_all()["containerInstances"][1]["containerInstanceArn"]
        .as_str()
        .unwrap()
        .to_string();
    let started = sim::ok(
        &mut world,
        "ecs:StartTask",
        json!({ "cluster": "demo", "taskDefinition": "web", "containerInstances": [second] }),
    );
    assert_eq!(started["tasks"][0]["containerInstanceArn"], second.as_str());
    assert_eq!(started["tasks"][0]["availabilityZone"], "us-east-1b");
    let missing = sim::err(
        &mut world,
        "ecs:StartTask",
        json!({ "cluster": "demo", "taskDefinition": "web", "containerInstances": ["0123"] }),
    );
    assert_eq!(missing.path.as_deref(), Some("$.containerInstances[0]"));
}

#[test]
fn describe_prints_the_state_at_a_time() {
    let path = format!(
        "{}/static/scenarios/default.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecsplay"))
        .args(["describe", &path, "--at", "5m"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["time"], "2026-01-01T00:05:00.000Z");
    assert_eq!(state["clusters"][0]["clusterName"], "demo");
    assert_eq!(state["clusters"][0]["registeredContainerInstancesCount"], 2);
    assert_eq!(state["services"][0]["runningCount"], 4);
    assert_eq!(
        state["services"][0]["events"][0]["message"],
        "(service web) has reached a steady state."
    );
    assert_eq!(state["tasks"].as_array().unwrap().len(), 4);
    let usage = std::process::Command::new(env!("CARGO_BIN_EXE_ecsplay"))
        .args(["describe", &path])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2), "describe needs --at");
}
