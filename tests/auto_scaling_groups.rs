//! EC2 Auto Scaling groups and launch templates (aws-facts 17.4): the requests, their checks
//! in AWS's words, zone balance, the default termination policy, scale-in protection, the
//! replacement of an instance EC2 terminated, and the activities' Description and Cause.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const MINUTE: u64 = 60_000;

/// `#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config`, base64 as a template takes it.
const USER_DATA: &str =
    "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1kZW1vID4+IC9ldGMvZWNzL2Vjcy5jb25maWc=";

fn with_template() -> World {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    let made = sim::ok(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "ecs-nodes", "LaunchTemplateData": {
            "ImageId": "ami-0ecsoptimized0000", "InstanceType": "m5.large", "UserData": USER_DATA,
            "IamInstanceProfile": { "Name": "ecsInstanceRole" } } }),
    );
    assert_eq!(made["LaunchTemplate"]["LaunchTemplateName"], "ecs-nodes");
    assert_eq!(made["LaunchTemplate"]["DefaultVersionNumber"], 1);
    assert!(made["LaunchTemplate"]["LaunchTemplateId"]
        .as_str()
        .unwrap()
        .starts_with("lt-"));
    world
}

fn create(world: &mut World, min: u32, max: u32, desired: u32) {
    sim::ok(
        world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes", "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes", "Version": "$Latest" },
                "MinSize": min, "MaxSize": max, "DesiredCapacity": desired,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa,subnet-bbbbbbbbbbbbbbbbb" }),
    );
}

fn group(world: &mut World) -> Value {
    sim::ok(
        world,
        "autoscaling:DescribeAutoScalingGroups",
        json!({ "AutoScalingGroupNames": ["nodes"] }),
    )["AutoScalingGroups"][0]
        .clone()
}

fn activities(world: &mut World) -> Vec<Value> {
    sim::ok(
        world,
        "autoscaling:DescribeScalingActivities",
        json!({ "AutoScalingGroupName": "nodes" }),
    )["Activities"]
        .as_array()
        .unwrap()
        .clone()
}

fn zones(group: &Value) -> Vec<String> {
    let mut z: Vec<String> = (group["Instances"].as_array().unwrap().iter())
        .map(|i| i["AvailabilityZone"].as_str().unwrap().to_string())
        .collect();
    z.sort();
    z
}

#[test]
fn launch_templates_keep_versions_and_refuse_what_ec2_refuses() {
    let mut world = with_template();
    let e = sim::err(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "ecs-nodes", "LaunchTemplateData": {} }),
    );
    assert_eq!(e.code, "InvalidLaunchTemplateName.AlreadyExistsException");
    let e = sim::err(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "plain", "LaunchTemplateData": { "UserData": "#!/bin/bash" } }),
    );
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "InvalidUserData.Malformed",
            "Invalid BASE64 encoding of user data."
        )
    );
    let e = sim::err(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "big", "LaunchTemplateData": { "InstanceType": "m99.huge" } }),
    );
    assert_eq!(e.path.as_deref(), Some("$.LaunchTemplateData.InstanceType"));
    let e = sim::err(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "spot", "LaunchTemplateData": { "InstanceMarketOptions": { "MarketType": "spot" } } }),
    );
    assert_eq!(e.code, "UnsupportedFeatureException");
    // A new version from the first, with another type.
    let v2 = sim::ok(
        &mut world,
        "ec2:CreateLaunchTemplateVersion",
        json!({ "LaunchTemplateName": "ecs-nodes", "SourceVersion": "1", "LaunchTemplateData": { "InstanceType": "c5.large" } }),
    );
    assert_eq!(v2["LaunchTemplateVersion"]["VersionNumber"], 2);
    assert_eq!(
        v2["LaunchTemplateVersion"]["LaunchTemplateData"]["ImageId"],
        "ami-0ecsoptimized0000"
    );
    assert_eq!(v2["LaunchTemplateVersion"]["DefaultVersion"], false);
    let listed = sim::ok(
        &mut world,
        "ec2:DescribeLaunchTemplates",
        json!({ "LaunchTemplateNames": ["ecs-nodes"] }),
    );
    assert_eq!(listed["LaunchTemplates"][0]["LatestVersionNumber"], 2);
    let latest = sim::ok(
        &mut world,
        "ec2:DescribeLaunchTemplateVersions",
        json!({ "LaunchTemplateName": "ecs-nodes", "Versions": ["$Latest"] }),
    );
    assert_eq!(
        latest["LaunchTemplateVersions"][0]["LaunchTemplateData"]["InstanceType"],
        "c5.large"
    );
}

#[test]
fn a_group_launches_across_its_zones_says_why_and_its_instances_join_the_cluster() {
    let mut world = with_template();
    create(&mut world, 1, 6, 3);
    let g = group(&mut world);
    assert_eq!(
        (
            g["MinSize"].as_u64(),
            g["MaxSize"].as_u64(),
            g["DesiredCapacity"].as_u64()
        ),
        (Some(1), Some(6), Some(3))
    );
    assert_eq!(g["AvailabilityZones"], json!(["us-east-1a", "us-east-1b"]));
    assert_eq!(g["HealthCheckType"], "EC2");
    assert_eq!(g["DefaultCooldown"], 300);
    // The zone with the fewest first: a, b, then a.
    assert_eq!(zones(&g), ["us-east-1a", "us-east-1a", "us-east-1b"]);
    assert!(g["Instances"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["LifecycleState"] == "Pending"));
    let acts = activities(&mut world);
    assert_eq!(acts.len(), 3);
    assert!(acts[0]["Description"]
        .as_str()
        .unwrap()
        .starts_with("Launching a new EC2 instance: i-"));
    assert_eq!(
        acts[0]["Cause"],
        "At 2026-01-01T00:00:00Z a user request created an AutoScalingGroup changing the desired capacity from 0 to 3.  At 2026-01-01T00:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 3."
    );
    assert_eq!(acts[0]["StatusCode"], "InProgress");
    sim::advance(&mut world, 2 * MINUTE);
    let g = group(&mut world);
    assert!(g["Instances"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["LifecycleState"] == "InService"));
    assert!(activities(&mut world)
        .iter()
        .all(|a| a["StatusCode"] == "Successful"));
    assert_eq!(
        sim::events(&world, "EC2 Instance Launch Successful").len(),
        3
    );
    // The template's user data names the cluster: the agents registered there.
    let listed = sim::ok(
        &mut world,
        "ecs:ListContainerInstances",
        json!({ "cluster": "demo" }),
    );
    assert_eq!(listed["containerInstanceArns"].as_array().unwrap().len(), 3);
    let described = sim::ok(
        &mut world,
        "autoscaling:DescribeAutoScalingInstances",
        json!({}),
    );
    assert_eq!(
        described["AutoScalingInstances"][0]["HealthStatus"],
        "HEALTHY"
    );
    assert_eq!(
        described["AutoScalingInstances"][0]["AutoScalingGroupName"],
        "nodes"
    );
    assert_eq!(
        described["AutoScalingInstances"][0]["LaunchTemplate"]["Version"],
        "1"
    );
}

#[test]
fn sizes_are_checked_with_auto_scalings_words() {
    let mut world = with_template();
    let mut attempt = |min: u32, max: u32, desired: u32| {
        sim::err(
            &mut world,
            "autoscaling:CreateAutoScalingGroup",
            json!({ "AutoScalingGroupName": "x", "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes" },
                    "MinSize": min, "MaxSize": max, "DesiredCapacity": desired, "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
        )
        .message
    };
    assert_eq!(
        attempt(2, 1, 2),
        "Max bound, 1, must be greater than or equal to min bound, 2"
    );
    assert_eq!(
        attempt(1, 3, 5),
        "Desired capacity:5 must be between the specified min size:1 and max size:3"
    );
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "x", "LaunchTemplate": { "LaunchTemplateName": "nope" }, "MinSize": 0, "MaxSize": 1,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(e.message, "You must use a valid fully-formed launch template. The specified launch template, with template name nope, does not exist.");
    create(&mut world, 1, 4, 2);
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes", "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes" }, "MinSize": 0, "MaxSize": 1, "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!((e.code.as_str(), e.message.as_str()), ("AlreadyExists", "AutoScalingGroup by this name already exists - A group with the name nodes already exists"));
    let e = sim::err(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "nodes", "DesiredCapacity": 5 }),
    );
    assert_eq!(
        e.message,
        "New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup."
    );
    let e = sim::err(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "other", "DesiredCapacity": 1 }),
    );
    assert_eq!(
        e.message,
        "AutoScalingGroup name not found - AutoScalingGroup other not found"
    );
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "mixed", "MixedInstancesPolicy": { "LaunchTemplate": { "LaunchTemplateSpecification": { "LaunchTemplateName": "ecs-nodes" } },
                "InstancesDistribution": { "OnDemandAllocationStrategy": "lowest-price" } }, "MinSize": 0, "MaxSize": 1, "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(
        (e.code.as_str(), e.path.as_deref()),
        (
            "UnsupportedFeatureException",
            Some("$.MixedInstancesPolicy.InstancesDistribution.OnDemandAllocationStrategy")
        )
    );
}

#[test]
fn scale_in_takes_from_the_fullest_zone_and_spares_protected_instances() {
    let mut world = with_template();
    create(&mut world, 0, 6, 3);
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "nodes", "DesiredCapacity": 2 }),
    );
    let acts = activities(&mut world);
    let cause = acts[0]["Cause"].as_str().unwrap();
    assert!(acts[0]["Description"]
        .as_str()
        .unwrap()
        .starts_with("Terminating EC2 instance: i-"));
    assert!(cause.starts_with("At 2026-01-01T00:02:00Z a user request explicitly set group desired capacity changing the desired capacity from 3 to 2.  At 2026-01-01T00:02:00Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 3 to 2.  At 2026-01-01T00:02:00Z instance i-"), "{cause}");
    assert!(cause.ends_with(" was selected for termination."), "{cause}");
    // Balance first: us-east-1a had two.
    sim::advance(&mut world, MINUTE);
    assert_eq!(zones(&group(&mut world)), ["us-east-1a", "us-east-1b"]);
    assert_eq!(
        sim::events(&world, "EC2 Instance Terminate Successful").len(),
        1
    );
    // Every instance protected: the desired capacity goes down, no instance does.
    let ids: Vec<String> = (group(&mut world)["Instances"].as_array().unwrap().iter())
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect();
    sim::ok(
        &mut world,
        "autoscaling:SetInstanceProtection",
        json!({ "AutoScalingGroupName": "nodes", "InstanceIds": ids, "ProtectedFromScaleIn": true }),
    );
    sim::ok(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "nodes", "DesiredCapacity": 1 }),
    );
    let g = group(&mut world);
    assert_eq!(g["DesiredCapacity"], 1);
    assert_eq!(g["Instances"].as_array().unwrap().len(), 2);
    assert!(activities(&mut world)[0]["Cause"].as_str().unwrap().ends_with("Could not scale to desired capacity because all remaining instances are protected from scale-in."));
}

#[test]
fn an_instance_terminated_outside_the_group_is_replaced_and_a_user_termination_may_shrink_it() {
    let mut world = with_template();
    create(&mut world, 1, 4, 2);
    sim::advance(&mut world, 2 * MINUTE);
    let first = group(&mut world)["Instances"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [first] }),
    );
    let acts = activities(&mut world);
    assert_eq!(
        acts[1]["Description"],
        format!("Terminating EC2 instance: {first}")
    );
    assert_eq!(acts[1]["Cause"], "At 2026-01-01T00:02:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.");
    assert_eq!(acts[0]["Cause"], "At 2026-01-01T00:02:00Z an instance was launched in response to an unhealthy instance needing to be replaced.");
    assert_eq!(group(&mut world)["Instances"].as_array().unwrap().len(), 2);
    sim::advance(&mut world, 2 * MINUTE);
    // A user's termination that shrinks the group.
    let second = group(&mut world)["Instances"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = sim::ok(
        &mut world,
        "autoscaling:TerminateInstanceInAutoScalingGroup",
        json!({ "InstanceId": second, "ShouldDecrementDesiredCapacity": true }),
    );
    assert_eq!(answer["Activity"]["Cause"], format!("At 2026-01-01T00:04:00Z instance {second} was taken out of service in response to a user request, shrinking the capacity from 2 to 1."));
    assert_eq!(group(&mut world)["DesiredCapacity"], 1);
    let last = group(&mut world)["Instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["LifecycleState"] == "InService")
        .unwrap()["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let e = sim::err(
        &mut world,
        "autoscaling:TerminateInstanceInAutoScalingGroup",
        json!({ "InstanceId": last, "ShouldDecrementDesiredCapacity": true }),
    );
    assert!(
        e.message
            .starts_with("Currently, desiredSize equals minSize (1)."),
        "{}",
        e.message
    );
    // Deleting needs ForceDelete while instances remain; then the group goes with them.
    let e = sim::err(
        &mut world,
        "autoscaling:DeleteAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes" }),
    );
    assert_eq!(e.code, "ResourceInUse");
    sim::ok(
        &mut world,
        "autoscaling:DeleteAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes", "ForceDelete": true }),
    );
    sim::advance(&mut world, MINUTE);
    let groups = sim::ok(
        &mut world,
        "autoscaling:DescribeAutoScalingGroups",
        json!({}),
    );
    assert_eq!(groups["AutoScalingGroups"], json!([]));
    let running = (ecsplay::ec2::read::instances(&world))
        .filter(|i| i.state != ecsplay::ec2::InstanceState::Terminated)
        .count();
    assert_eq!(running, 0);
}

#[test]
fn raising_the_minimum_raises_the_desired_capacity() {
    let mut world = with_template();
    create(&mut world, 0, 4, 0);
    assert_eq!(group(&mut world)["Instances"], json!([]));
    sim::ok(
        &mut world,
        "autoscaling:UpdateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes", "MinSize": 2 }),
    );
    let g = group(&mut world);
    assert_eq!(g["DesiredCapacity"], 2);
    assert_eq!(g["Instances"].as_array().unwrap().len(), 2);
    assert_eq!(
        activities(&mut world)[0]["Cause"],
        "At 2026-01-01T00:00:00Z a user request update of AutoScalingGroup constraints to min: 2, max: 4, desired: 2 changing the desired capacity from 0 to 2.  At 2026-01-01T00:00:00Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 2."
    );
}

#[test]
fn the_asg_preset_launches_replaces_and_scales_in_and_its_instances_run_the_service() {
    let scenario = ecsplay::scenario::presets::preset("asg-basics").expect("the preset");
    let at = |minute: u64| ecsplay::scenario::run::run_until(&scenario, minute * MINUTE);
    let mut world = at(7);
    assert_eq!(
        zones(&group(&mut world)),
        ["us-east-1a", "us-east-1a", "us-east-1b", "us-east-1b"]
    );
    let running = sim::describe_service(&mut world, "demo", "web")["runningCount"].clone();
    assert_eq!(running, 6);
    let mut world = at(10);
    let acts = activities(&mut world);
    assert!(acts.iter().any(|a| a["Cause"].as_str().unwrap().ends_with(
        "an instance was launched in response to an unhealthy instance needing to be replaced."
    )));
    assert_eq!(group(&mut world)["Instances"].as_array().unwrap().len(), 4);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
    let mut world = at(16);
    let g = group(&mut world);
    assert_eq!(g["Instances"].as_array().unwrap().len(), 3);
    let listed = sim::ok(
        &mut world,
        "ecs:ListContainerInstances",
        json!({ "cluster": "demo", "status": "ACTIVE" }),
    );
    assert_eq!(listed["containerInstanceArns"].as_array().unwrap().len(), 3);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
}

/// `with_template` and a group `nodes` of `desired` instances, its provider `nodes-cp` in
/// cluster `demo`, and one more instance in the cluster outside the group.
fn with_provider(desired: u32) -> (World, String) {
    let mut world = with_template();
    create(&mut world, 0, 6, desired);
    sim::launch(&mut world, "demo", "m5.large", "us-east-1a", 1);
    let arn = group(&mut world)["AutoScalingGroupARN"]
        .as_str()
        .unwrap()
        .to_string();
    let made = sim::ok(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn } }),
    );
    let provider = &made["capacityProvider"];
    assert_eq!(provider["status"], "ACTIVE");
    assert_eq!(
        provider["autoScalingGroupProvider"]["managedScaling"]["status"],
        "DISABLED"
    );
    assert_eq!(
        provider["autoScalingGroupProvider"]["managedScaling"]["targetCapacity"],
        100
    );
    assert_eq!(
        provider["autoScalingGroupProvider"]["managedScaling"]["instanceWarmupPeriod"],
        300
    );
    assert_eq!(
        provider["autoScalingGroupProvider"]["managedTerminationProtection"],
        "DISABLED"
    );
    assert_eq!(
        provider["autoScalingGroupProvider"]["managedDraining"],
        "ENABLED"
    );
    sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "demo", "capacityProviders": ["nodes-cp"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "nodes-cp", "weight": 1 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    (world, arn)
}

#[test]
fn a_group_capacity_provider_is_checked_described_and_runs_tasks_on_its_instances_only() {
    let (mut world, arn) = with_provider(2);
    let mut create_provider =
        |input: Value| sim::err(&mut world, "ecs:CreateCapacityProvider", input);
    let e = create_provider(
        json!({ "name": "ecs-nodes", "autoScalingGroupProvider": { "autoScalingGroupArn": arn } }),
    );
    assert_eq!(e.message, "The specified capacity provider name is invalid. Capacity provider names cannot be prefixed with 'aws', 'ecs', or 'fargate'.");
    let e = create_provider(
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn } }),
    );
    assert!(e
        .message
        .starts_with("The specified capacity provider already exists."));
    let e = create_provider(
        json!({ "name": "other", "autoScalingGroupProvider": { "autoScalingGroupArn": arn, "managedTerminationProtection": "ENABLED" } }),
    );
    assert!(
        e.message.starts_with(
            "The managed termination protection setting for the capacity provider is invalid."
        ),
        "{}",
        e.message
    );
    let e = create_provider(
        json!({ "name": "other", "autoScalingGroupProvider": { "autoScalingGroupArn": arn, "managedScaling": { "status": "ENABLED", "targetCapacity": 0 } } }),
    );
    assert_eq!(e.code, "InvalidParameterException");
    assert_eq!(
        e.path.as_deref(),
        Some("$.autoScalingGroupProvider.managedScaling.targetCapacity")
    );
    let described = sim::ok(&mut world, "ecs:DescribeCapacityProviders", json!({}));
    let names: Vec<&str> = (described["capacityProviders"].as_array().unwrap().iter())
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["FARGATE", "FARGATE_SPOT", "nodes-cp"]);

    // The cluster's default strategy: the service's tasks go to the group's two instances,
    // never to the instance outside it.
    sim::register(&mut world, "app", "app:1", 256, 256);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 6 }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let group_ids: Vec<String> = (group(&mut world)["Instances"].as_array().unwrap().iter())
        .map(|i| i["InstanceId"].as_str().unwrap().to_string())
        .collect();
    let arns = sim::service_tasks(&mut world, "demo", "app", "RUNNING");
    assert_eq!(arns.len(), 6);
    let tasks = sim::ok(
        &mut world,
        "ecs:DescribeTasks",
        json!({ "cluster": "demo", "tasks": arns }),
    )["tasks"]
        .clone();
    let instances = sim::ok(&mut world, "ecs:DescribeContainerInstances", json!({ "cluster": "demo",
        "containerInstances": tasks.as_array().unwrap().iter().map(|t| t["containerInstanceArn"].clone()).collect::<Vec<_>>() }))["containerInstances"].clone();
    for (task, instance) in tasks
        .as_array()
        .unwrap()
        .iter()
        .zip(instances.as_array().unwrap())
    {
        assert_eq!(task["capacityProviderName"], "nodes-cp");
        assert!(
            group_ids.contains(&instance["ec2InstanceId"].as_str().unwrap().to_string()),
            "{instance}"
        );
    }
    // A strategy mixing group and Fargate providers is refused.
    sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "demo", "capacityProviders": ["nodes-cp", "FARGATE"], "defaultCapacityProviderStrategy": [] }),
    );
    let e = sim::err(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "app",
        "capacityProviderStrategy": [{ "capacityProvider": "nodes-cp", "weight": 1 }, { "capacityProvider": "FARGATE", "weight": 1 }] }),
    );
    assert!(e.message.starts_with("The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers."));
    // In use: neither removed from the cluster nor deleted.
    let e = sim::err(
        &mut world,
        "ecs:DeleteCapacityProvider",
        json!({ "capacityProvider": "nodes-cp" }),
    );
    assert_eq!(e.code, "ResourceInUseException");
}

#[test]
fn managed_draining_moves_an_instances_tasks_before_its_group_terminates_it() {
    let (mut world, _) = with_provider(2);
    sim::register(&mut world, "app", "app:1", 256, 256);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 4 }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "nodes", "DesiredCapacity": 1 }),
    );
    let g = group(&mut world);
    let leaving = (g["Instances"].as_array().unwrap().iter())
        .find(|i| i["LifecycleState"] == "Terminating:Wait")
        .expect("the instance waits for ECS to drain it")["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = sim::ok(
        &mut world,
        "ecs:ListContainerInstances",
        json!({ "cluster": "demo", "status": "DRAINING" }),
    );
    assert_eq!(listed["containerInstanceArns"].as_array().unwrap().len(), 1);
    sim::advance(&mut world, 3 * MINUTE);
    // Drained, then terminated; the service's tasks run on the instance that stays.
    let state = ecsplay::ec2::read::instance(&world, &leaving)
        .unwrap()
        .state;
    assert_eq!(state, ecsplay::ec2::InstanceState::Terminated);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        4
    );
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 0, "no task was lost with its host");
    assert!(activities(&mut world)
        .iter()
        .all(|a| a["StatusCode"] == "Successful"));
}

#[test]
fn the_map_names_each_instances_group() {
    let scenario = ecsplay::scenario::presets::preset("asg-basics").expect("the preset");
    let world = ecsplay::scenario::run::run_until(&scenario, 3 * MINUTE);
    let layout = ecsplay::ui::model::map::MapLayout::build(&world, 900.0);
    let labels: Vec<&str> = layout.boxes.iter().map(|b| b.sublabel.as_str()).collect();
    assert_eq!(
        labels,
        ["m5.large · ACTIVE · nodes", "m5.large · ACTIVE · nodes"]
    );
}

#[test]
fn a_failed_instance_loses_its_tasks_and_its_group_replaces_it() {
    let scenario = ecsplay::scenario::presets::preset("asg-basics").expect("the preset");
    let mut world = ecsplay::scenario::run::run_until(&scenario, 6 * MINUTE);
    let failed = group(&mut world)["Instances"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let e = sim::err(
        &mut world,
        "sim:FailInstance",
        json!({ "instanceId": "i-0000000000000000" }),
    );
    assert_eq!(e.path.as_deref(), Some("$.instanceId"));
    sim::ok(
        &mut world,
        "sim:FailInstance",
        json!({ "instanceId": failed }),
    );
    let reason = format!("Host EC2 (instance {failed}) terminated.");
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stoppedReason"] == reason.as_str())
        .count();
    assert!(lost > 0, "its tasks are lost with ECS's reason");
    assert_eq!(
        activities(&mut world)[0]["Cause"],
        "At 2026-01-01T00:06:00Z an instance was launched in response to an unhealthy instance needing to be replaced."
    );
    sim::advance(&mut world, 3 * MINUTE);
    assert_eq!(group(&mut world)["Instances"].as_array().unwrap().len(), 4);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
}

#[test]
fn managed_scaling_follows_capacity_provider_reservation_out_and_back_in() {
    let mut world = with_template();
    create(&mut world, 1, 8, 1);
    let arn = group(&mut world)["AutoScalingGroupARN"]
        .as_str()
        .unwrap()
        .to_string();
    let made = sim::ok(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn,
                "managedScaling": { "status": "ENABLED", "targetCapacity": 100 } } }),
    );
    assert_eq!(
        made["capacityProvider"]["autoScalingGroupProvider"]["managedScaling"]["status"],
        "ENABLED"
    );
    sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "demo", "capacityProviders": ["nodes-cp"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "nodes-cp", "weight": 1 }] }),
    );
    // The group's policy and its two alarms on CapacityProviderReservation.
    let alarms =
        sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}))["MetricAlarms"].clone();
    let alarms = alarms.as_array().unwrap();
    assert_eq!(alarms.len(), 2);
    let high = alarms
        .iter()
        .find(|a| {
            a["AlarmName"]
                .as_str()
                .unwrap()
                .starts_with("TargetTracking-nodes-AlarmHigh-")
        })
        .unwrap();
    let low = alarms
        .iter()
        .find(|a| {
            a["AlarmName"]
                .as_str()
                .unwrap()
                .starts_with("TargetTracking-nodes-AlarmLow-")
        })
        .unwrap();
    assert_eq!(
        (high["Namespace"].as_str(), high["MetricName"].as_str()),
        (
            Some("AWS/ECS/ManagedScaling"),
            Some("CapacityProviderReservation")
        )
    );
    assert_eq!(
        (
            high["EvaluationPeriods"].as_u64(),
            high["Threshold"].as_f64(),
            high["ComparisonOperator"].as_str()
        ),
        (Some(1), Some(100.0), Some("GreaterThanThreshold"))
    );
    assert_eq!(
        (
            low["EvaluationPeriods"].as_u64(),
            low["ComparisonOperator"].as_str()
        ),
        (Some(15), Some("LessThanThreshold"))
    );
    assert!(high["AlarmActions"][0]
        .as_str()
        .unwrap()
        .contains(":autoScalingGroupName/nodes:policyName/ECSManagedAutoScalingPolicy-"));
    // 8 tasks of 1,024 CPU units: two fit an m5.large, so four instances are needed.
    sim::register(&mut world, "app", "app:1", 1024, 1024);
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 8 }),
    );
    sim::advance(&mut world, 6 * MINUTE);
    let g = group(&mut world);
    assert_eq!(g["DesiredCapacity"], 4, "ceil(1 x 400 / 100)");
    let acts = activities(&mut world);
    assert!(
        acts.iter().any(|a| a["Cause"]
            .as_str()
            .unwrap()
            .contains("in state ALARM triggered policy ECSManagedAutoScalingPolicy-")
            && a["Cause"]
                .as_str()
                .unwrap()
                .contains("changing the desired capacity from 1 to 4.")),
        "{acts:#?}"
    );
    sim::advance(&mut world, 4 * MINUTE);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        8
    );
    // Two tasks left: the service keeps them on two instances, two are empty (98%): below
    // the target for 15 minutes, the group scales in (floor(4 x 98 / 100) = 3); managed
    // draining moves what ran there, and no task is lost.
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "app", "desiredCount": 2 }),
    );
    sim::advance(&mut world, 20 * MINUTE);
    let desired = group(&mut world)["DesiredCapacity"].as_u64().unwrap();
    assert!(desired < 4, "scaled in: {desired}");
    sim::advance(&mut world, 40 * MINUTE);
    assert!(group(&mut world)["DesiredCapacity"].as_u64().unwrap() <= 2);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        2
    );
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 0, "managed draining moved the tasks first");
}

#[test]
fn the_managed_scaling_preset_grows_the_group_for_its_tasks_and_shrinks_it_after() {
    let scenario = ecsplay::scenario::presets::preset("managed-scaling").expect("the preset");
    let at = |minute: u64| ecsplay::scenario::run::run_until(&scenario, minute * MINUTE);
    let mut world = at(10);
    assert_eq!(group(&mut world)["DesiredCapacity"], 4);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        8
    );
    let mut world = at(60);
    assert!(group(&mut world)["DesiredCapacity"].as_u64().unwrap() < 4);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        2
    );
}

#[test]
fn fields_the_groups_and_providers_do_not_act_on_are_refused_by_path() {
    let mut world = with_template();
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "w", "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes" }, "MinSize": 0, "MaxSize": 1,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa", "DefaultInstanceWarmup": 60 }),
    );
    assert_eq!(
        (e.code.as_str(), e.path.as_deref()),
        (
            "UnsupportedFeatureException",
            Some("$.DefaultInstanceWarmup")
        )
    );
    create(&mut world, 0, 3, 1);
    let e = sim::err(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "nodes", "DesiredCapacity": 2, "HonorCooldown": true }),
    );
    assert_eq!(e.path.as_deref(), Some("$.HonorCooldown"));
    let e = sim::err(
        &mut world,
        "autoscaling:DescribeScalingActivities",
        json!({ "AutoScalingGroupName": "nodes", "NextToken": "x" }),
    );
    assert_eq!(e.path.as_deref(), Some("$.NextToken"));
    let arn = group(&mut world)["AutoScalingGroupARN"].clone();
    let e = sim::err(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "cp", "cluster": "demo", "autoScalingGroupProvider": { "autoScalingGroupArn": arn } }),
    );
    assert_eq!(
        (e.code.as_str(), e.path.as_deref()),
        ("UnsupportedFeatureException", Some("$.cluster"))
    );
}

/// Cluster `demo` whose default strategy is `nodes-cp`, a managed-scaling provider (target
/// 100%) of group `nodes` (m5.large, `min`..8 instances, `desired` at first).
fn managed(min: u32, desired: u32) -> World {
    let mut world = with_template();
    create(&mut world, min, 8, desired);
    let arn = group(&mut world)["AutoScalingGroupARN"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn,
                "managedScaling": { "status": "ENABLED", "targetCapacity": 100 } } }),
    );
    sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "demo", "capacityProviders": ["nodes-cp"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "nodes-cp", "weight": 1 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    world
}

/// The last CapacityProviderReservation datapoint of `nodes-cp` in cluster `demo`.
fn reservation(world: &mut World) -> f64 {
    let answer = sim::ok(
        world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": "AWS/ECS/ManagedScaling", "MetricName": "CapacityProviderReservation",
                "Dimensions": [{ "Name": "CapacityProviderName", "Value": "nodes-cp" },
                               { "Name": "ClusterName", "Value": "demo" }],
                "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-02T00:00:00Z",
                "Period": 60, "Statistics": ["Average"] }),
    );
    let points = answer["Datapoints"].as_array().unwrap().clone();
    let last = points
        .iter()
        .max_by_key(|d| d["Timestamp"].as_str().unwrap().to_string())
        .expect("a datapoint");
    last["Average"].as_f64().unwrap()
}

/// The cluster's tasks that are to run, described.
fn tasks_to_run(world: &mut World) -> Vec<Value> {
    let arns = sim::ok(
        world,
        "ecs:ListTasks",
        json!({ "cluster": "demo", "desiredStatus": "RUNNING" }),
    )["taskArns"]
        .clone();
    sim::ok(
        world,
        "ecs:DescribeTasks",
        json!({ "cluster": "demo", "tasks": arns }),
    )["tasks"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn tasks_without_room_wait_provisioning_and_land_when_the_group_grows() {
    let mut world = managed(1, 1);
    sim::register(&mut world, "app", "app:1", 1024, 1024);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 8 }),
    );
    sim::advance(&mut world, 10_000);
    let tasks = tasks_to_run(&mut world);
    assert_eq!(tasks.len(), 8, "every task is started, none refused");
    let waiting: Vec<&Value> = tasks
        .iter()
        .filter(|t| t.get("containerInstanceArn").is_none())
        .collect();
    assert_eq!(waiting.len(), 6, "two fit the one m5.large");
    // The map draws them in the PROVISIONING lane, under the instance.
    let layout = ecsplay::ui::model::map::MapLayout::build(&world, 900.0);
    let (top, _, label) = layout
        .provisioning_lane
        .clone()
        .expect("a PROVISIONING lane");
    assert_eq!(
        label,
        "PROVISIONING: 6 tasks waiting for capacity (6 for nodes-cp)"
    );
    let in_lane = layout.chips.iter().filter(|c| c.y > top).count();
    assert_eq!((layout.chips.len(), in_lane), (8, 6));
    for t in &waiting {
        assert_eq!(t["lastStatus"], "PROVISIONING");
        assert_eq!(t["capacityProviderName"], "nodes-cp");
        assert!(t.get("availabilityZone").is_none());
    }
    assert!(
        !sim::messages(&world, "app")
            .iter()
            .any(|m| m.contains("was unable to place a task")),
        "waiting is not a placement failure"
    );
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["pendingCount"],
        6
    );
    // Six waiting tasks fill three more instances: (1 + 3) / 1 x 100.
    sim::advance(&mut world, MINUTE);
    assert_eq!(reservation(&mut world), 400.0);
    sim::advance(&mut world, 8 * MINUTE);
    assert_eq!(group(&mut world)["DesiredCapacity"], 4);
    let tasks = tasks_to_run(&mut world);
    assert!(
        tasks
            .iter()
            .all(|t| t["lastStatus"] == "RUNNING" && t.get("containerInstanceArn").is_some()),
        "{tasks:#?}"
    );
    assert_eq!(reservation(&mut world), 100.0);
}

#[test]
fn run_task_with_no_instances_waits_and_ecs_scales_out_to_two_instances_first() {
    let mut world = managed(0, 0);
    sim::register(&mut world, "job", "job:1", 512, 512);
    let answer = sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "job", "count": 3 }),
    );
    assert_eq!(answer["failures"], json!([]));
    let tasks = answer["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3);
    assert!(tasks
        .iter()
        .all(|t| t["lastStatus"] == "PROVISIONING" && t["capacityProviderName"] == "nodes-cp"));
    // M > 0 and N = 0: 200%, and ECS scales out to two instances.
    sim::advance(&mut world, MINUTE);
    assert_eq!(reservation(&mut world), 200.0);
    sim::advance(&mut world, 2 * MINUTE);
    assert_eq!(group(&mut world)["DesiredCapacity"], 2);
    sim::advance(&mut world, 4 * MINUTE);
    let tasks = tasks_to_run(&mut world);
    assert_eq!(tasks.len(), 3);
    assert!(
        tasks.iter().all(|t| t["lastStatus"] == "RUNNING"),
        "{tasks:#?}"
    );
}

#[test]
fn the_instances_needed_are_binpacked_over_mixed_sizes_and_too_large_tasks_left_out() {
    // One instance, full; then tasks of 1,536 and 512 CPU units and one of 4,096 wait.
    let mut world = managed(1, 1);
    sim::register(&mut world, "fill", "fill:1", 2048, 1024);
    sim::register(&mut world, "big", "big:1", 1536, 1024);
    sim::register(&mut world, "small", "small:1", 512, 512);
    sim::register(&mut world, "huge", "huge:1", 4096, 1024);
    let run = |world: &mut World, family: &str, count: u32| {
        let answer = sim::ok(
            world,
            "ecs:RunTask",
            json!({ "cluster": "demo", "taskDefinition": family, "count": count }),
        );
        assert_eq!(answer["failures"], json!([]), "{family}");
    };
    run(&mut world, "fill", 1);
    // Larger than an m5.large (2 vCPUs): waits, and is not counted.
    run(&mut world, "huge", 1);
    sim::advance(&mut world, MINUTE);
    assert_eq!(reservation(&mut world), 100.0, "the huge task is left out");
    // Each 1,536 takes an instance and leaves 512 for a small one: three instances, not four.
    run(&mut world, "big", 3);
    run(&mut world, "small", 3);
    sim::advance(&mut world, MINUTE);
    assert_eq!(reservation(&mut world), 400.0);
}

#[test]
fn the_scale_from_zero_preset_launches_two_instances_first_and_returns_to_zero() {
    let scenario = ecsplay::scenario::presets::preset("scale-from-zero").expect("the preset");
    let at = |ms: u64| ecsplay::scenario::run::run_until(&scenario, ms);
    let mut world = at(90_000);
    assert_eq!(group(&mut world)["DesiredCapacity"], 0);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["pendingCount"],
        3,
        "the tasks wait PROVISIONING"
    );
    let mut world = at(4 * MINUTE);
    assert_eq!(
        group(&mut world)["DesiredCapacity"],
        2,
        "two instances first"
    );
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        3
    );
    // Group metrics, collected since the start: desired 0, then 2.
    let answer = sim::ok(
        &mut world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": "AWS/AutoScaling", "MetricName": "GroupDesiredCapacity",
                "Dimensions": [{ "Name": "AutoScalingGroupName", "Value": "nodes" }],
                "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-02T00:00:00Z",
                "Period": 60, "Statistics": ["Maximum"] }),
    );
    let mut points: Vec<(String, f64)> = (answer["Datapoints"].as_array().unwrap().iter())
        .map(|d| {
            (
                d["Timestamp"].as_str().unwrap().to_string(),
                d["Maximum"].as_f64().unwrap(),
            )
        })
        .collect();
    points.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(points.first().map(|p| p.1), Some(0.0));
    assert_eq!(points.last().map(|p| p.1), Some(2.0));
    let mut world = at(45 * MINUTE);
    assert_eq!(group(&mut world)["DesiredCapacity"], 0, "back to zero");
}

#[test]
fn group_metrics_collection_is_enabled_described_checked_and_disabled() {
    let mut world = with_template();
    create(&mut world, 1, 4, 1);
    let enable = |world: &mut World, input: Value| {
        sim::ok(world, "autoscaling:EnableMetricsCollection", input)
    };
    enable(
        &mut world,
        json!({ "AutoScalingGroupName": "nodes", "Metrics": ["GroupInServiceInstances", "GroupDesiredCapacity"], "Granularity": "1Minute" }),
    );
    assert_eq!(
        group(&mut world)["EnabledMetrics"],
        json!([{ "Metric": "GroupDesiredCapacity", "Granularity": "1Minute" },
               { "Metric": "GroupInServiceInstances", "Granularity": "1Minute" }])
    );
    let e = sim::err(
        &mut world,
        "autoscaling:EnableMetricsCollection",
        json!({ "AutoScalingGroupName": "nodes", "Granularity": "5Minute" }),
    );
    assert_eq!(e.path.as_deref(), Some("$.Granularity"));
    let e = sim::err(
        &mut world,
        "autoscaling:EnableMetricsCollection",
        json!({ "AutoScalingGroupName": "other", "Granularity": "1Minute" }),
    );
    assert_eq!(
        e.message,
        "AutoScalingGroup name not found - AutoScalingGroup other not found"
    );
    sim::advance(&mut world, 3 * MINUTE);
    let metrics = sim::ok(
        &mut world,
        "cloudwatch:ListMetrics",
        json!({ "Namespace": "AWS/AutoScaling" }),
    )["Metrics"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(metrics, 2);
    sim::ok(
        &mut world,
        "autoscaling:DisableMetricsCollection",
        json!({ "AutoScalingGroupName": "nodes" }),
    );
    assert_eq!(group(&mut world)["EnabledMetrics"], json!([]));
}

#[test]
fn the_closed_loop_day_grows_and_shrinks_the_group_with_the_traffic() {
    let scenario = ecsplay::scenario::presets::preset("closed-loop-day").expect("the preset");
    let hour = 60 * MINUTE;
    let mut world = ecsplay::scenario::run::run_until(&scenario, 6 * hour);
    assert_eq!(
        group(&mut world)["DesiredCapacity"],
        1,
        "the night needs one"
    );
    world.advance_to(13 * hour);
    let service = sim::describe_service(&mut world, "demo", "web");
    assert!(service["runningCount"].as_u64().unwrap() >= 12, "{service}");
    assert!(group(&mut world)["DesiredCapacity"].as_u64().unwrap() >= 3);
    world.advance_to(24 * hour);
    assert!(group(&mut world)["DesiredCapacity"].as_u64().unwrap() <= 2);
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 0, "managed draining moved every task first");
}

#[test]
fn a_failed_zone_loses_its_instances_and_the_group_and_service_move_to_the_other() {
    let scenario = ecsplay::scenario::presets::preset("zone-failure").expect("the preset");
    let zones_of_tasks = |world: &mut World| -> Vec<String> {
        let mut zones: Vec<String> = tasks_to_run(world)
            .iter()
            .filter(|t| t["lastStatus"] == "RUNNING")
            .map(|t| t["availabilityZone"].as_str().unwrap().to_string())
            .collect();
        zones.sort();
        zones
    };
    let mut world = ecsplay::scenario::run::run_until(&scenario, 5 * MINUTE);
    let before = zones_of_tasks(&mut world);
    assert_eq!(before.len(), 8);
    assert_eq!(before.iter().filter(|z| *z == "us-east-1a").count(), 4);
    // Just after the failure the map shows the zone's two hosts faded, with why, and does not
    // count them as instances.
    world.advance_to(6 * MINUTE + 10_000);
    let layout = ecsplay::ui::model::map::MapLayout::build(&world, 900.0);
    let gone: Vec<&str> = (layout.boxes.iter())
        .filter(|b| b.gone)
        .map(|b| b.sublabel.as_str())
        .collect();
    assert_eq!(gone, ["m5.large · gone: its zone failed"; 2]);
    // The two of us-east-1b: the replacements are still booting.
    let summary = layout.summary();
    assert_eq!((summary.instances, summary.booting), (2, 2));
    world.advance_to(15 * MINUTE);
    let layout = ecsplay::ui::model::map::MapLayout::build(&world, 900.0);
    assert!(layout.boxes.iter().all(|b| !b.gone), "faded after a minute");
    let g = group(&mut world);
    let in_service: Vec<&str> = (g["Instances"].as_array().unwrap().iter())
        .filter(|i| i["LifecycleState"] == "InService")
        .map(|i| i["AvailabilityZone"].as_str().unwrap())
        .collect();
    assert_eq!(in_service, ["us-east-1b"; 4], "{g:#}");
    assert_eq!(
        zones_of_tasks(&mut world),
        vec!["us-east-1b".to_string(); 8]
    );
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["lastStatus"] == "STOPPED")
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 4, "the failed zone's tasks were lost");
    // EC2 has no capacity there while it is down; back after the restore.
    let e = sim::err(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1, "SubnetId": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(e.code, "InsufficientInstanceCapacity");
    assert!(e.message.starts_with(
        "We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."
    ));
    let e = sim::err(
        &mut world,
        "sim:FailAvailabilityZone",
        json!({ "availabilityZone": "us-east-9z" }),
    );
    assert_eq!(e.path.as_deref(), Some("$.availabilityZone"));
    world.advance_to(21 * MINUTE);
    sim::ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "m5.large", "MinCount": 1, "MaxCount": 1, "SubnetId": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
}

#[test]
fn managed_termination_protection_keeps_busy_instances_and_lets_empty_ones_go() {
    let mut world = with_template();
    sim::ok(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "nodes", "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes", "Version": "$Latest" },
                "MinSize": 1, "MaxSize": 8, "DesiredCapacity": 1, "NewInstancesProtectedFromScaleIn": true,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa,subnet-bbbbbbbbbbbbbbbbb" }),
    );
    let arn = group(&mut world)["AutoScalingGroupARN"]
        .as_str()
        .unwrap()
        .to_string();
    // Without managed scaling it is refused; with it, taken.
    let e = sim::err(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn, "managedTerminationProtection": "ENABLED" } }),
    );
    assert_eq!(
        e.path.as_deref(),
        Some("$.autoScalingGroupProvider.managedTerminationProtection")
    );
    let made = sim::ok(
        &mut world,
        "ecs:CreateCapacityProvider",
        json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn,
                "managedScaling": { "status": "ENABLED", "targetCapacity": 100 }, "managedTerminationProtection": "ENABLED" } }),
    );
    assert_eq!(
        made["capacityProvider"]["autoScalingGroupProvider"]["managedTerminationProtection"],
        "ENABLED"
    );
    sim::ok(
        &mut world,
        "ecs:PutClusterCapacityProviders",
        json!({ "cluster": "demo", "capacityProviders": ["nodes-cp"], "defaultCapacityProviderStrategy": [{ "capacityProvider": "nodes-cp", "weight": 1 }] }),
    );
    sim::register(&mut world, "app", "app:1", 1024, 1024);
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 8 }),
    );
    sim::advance(&mut world, 10 * MINUTE);
    assert_eq!(group(&mut world)["DesiredCapacity"], 4);
    // Two tasks left, spread over two instances: the other two are empty, lose their
    // protection, and scale-in takes them; the busy two stay protected and keep their tasks.
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "app", "desiredCount": 2 }),
    );
    sim::advance(&mut world, 60 * MINUTE);
    let g = group(&mut world);
    let instances = g["Instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2, "{g:#}");
    assert!(
        instances.iter().all(|i| i["ProtectedFromScaleIn"] == true),
        "{g:#}"
    );
    let drained = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["lastStatus"] == "STOPPED")
        .count();
    assert_eq!(
        drained, 6,
        "only the six scaled-in tasks stopped: none was drained away"
    );
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        2
    );
}

#[test]
fn a_groups_cpu_target_tracking_policy_makes_its_alarms_and_scales_out_on_cpu() {
    let scenario = ecsplay::scenario::presets::preset("asg-cpu-scaling").expect("the preset");
    let mut world = ecsplay::scenario::run::run_until(&scenario, 3 * MINUTE);
    let policies = sim::ok(
        &mut world,
        "autoscaling:DescribePolicies",
        json!({ "AutoScalingGroupName": "nodes" }),
    )["ScalingPolicies"]
        .clone();
    let policy = &policies[0];
    assert_eq!(policy["PolicyType"], "TargetTrackingScaling");
    assert_eq!(
        policy["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]
            ["PredefinedMetricType"],
        "ASGAverageCPUUtilization"
    );
    assert!(policy["PolicyARN"]
        .as_str()
        .unwrap()
        .contains(":autoScalingGroupName/nodes:policyName/cpu50"));
    let alarms =
        sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}))["MetricAlarms"].clone();
    let find = |part: &str| {
        (alarms.as_array().unwrap().iter())
            .find(|a| a["AlarmName"].as_str().unwrap().starts_with(part))
            .cloned()
            .unwrap()
    };
    let high = find("TargetTracking-nodes-AlarmHigh-");
    let low = find("TargetTracking-nodes-AlarmLow-");
    assert_eq!(
        (
            high["Namespace"].as_str(),
            high["MetricName"].as_str(),
            high["EvaluationPeriods"].as_u64(),
            high["Threshold"].as_f64()
        ),
        (Some("AWS/EC2"), Some("CPUUtilization"), Some(3), Some(50.0))
    );
    assert_eq!(
        (low["EvaluationPeriods"].as_u64(), low["Threshold"].as_f64()),
        (Some(15), Some(45.0))
    );
    // 80 requests a second of 40 ms on two m5.large: 80% CPU, so ceil(2 x 80 / 50) = 4.
    world.advance_to(12 * MINUTE);
    assert_eq!(group(&mut world)["DesiredCapacity"], 4);
    assert!(activities(&mut world)
        .iter()
        .any(|a| a["Cause"].as_str().unwrap().contains(
            "in state ALARM triggered policy cpu50 changing the desired capacity from 2 to 4."
        )));
    // Refusals: other policy kinds by path; ECS's own policy is not the user's to delete.
    let e = sim::err(
        &mut world,
        "autoscaling:PutScalingPolicy",
        json!({ "AutoScalingGroupName": "nodes", "PolicyName": "simple", "AdjustmentType": "ChangeInCapacity", "ScalingAdjustment": 1 }),
    );
    assert_eq!(e.path.as_deref(), Some("$.PolicyType"));
    sim::ok(
        &mut world,
        "autoscaling:DeletePolicy",
        json!({ "AutoScalingGroupName": "nodes", "PolicyName": "cpu50" }),
    );
    let alarms = sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}))["MetricAlarms"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(alarms, 0, "its alarms went with it");
}

/// `ECS_CLUSTER=demo` and `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true`, base64.
const SPOT_DRAINING_USER_DATA: &str = "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1kZW1vID4+IC9ldGMvZWNzL2Vjcy5jb25maWcKZWNobyBFQ1NfRU5BQkxFX1NQT1RfSU5TVEFOQ0VfRFJBSU5JTkc9dHJ1ZSA+PiAvZXRjL2Vjcy9lY3MuY29uZmln";

#[test]
fn a_mixed_group_launches_on_demand_and_spot_and_a_spot_interruption_drains_and_is_replaced() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ec2:CreateLaunchTemplate",
        json!({ "LaunchTemplateName": "spot-nodes", "LaunchTemplateData": {
            "ImageId": "ami-0ecsoptimized0000", "InstanceType": "m5.large", "UserData": SPOT_DRAINING_USER_DATA,
            "IamInstanceProfile": { "Name": "ecsInstanceRole" } } }),
    );
    let policy = json!({
        "LaunchTemplate": { "LaunchTemplateSpecification": { "LaunchTemplateName": "spot-nodes", "Version": "$Latest" },
                            "Overrides": [{ "InstanceType": "m5.large" }, { "InstanceType": "c5.large" }] },
        "InstancesDistribution": { "OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 0,
                                   "SpotAllocationStrategy": "price-capacity-optimized" } });
    // Not both a LaunchTemplate and a policy; the policy's unmodelled fields by path.
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "mixed", "MinSize": 0, "MaxSize": 6,
                "LaunchTemplate": { "LaunchTemplateName": "spot-nodes" }, "MixedInstancesPolicy": policy,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(e.path.as_deref(), Some("$.LaunchTemplate"));
    let mut weighted = policy.clone();
    weighted["LaunchTemplate"]["Overrides"][1]["WeightedCapacity"] = json!("2");
    let e = sim::err(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "mixed", "MinSize": 0, "MaxSize": 6, "MixedInstancesPolicy": weighted,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
    );
    assert_eq!(
        e.path.as_deref(),
        Some("$.MixedInstancesPolicy.LaunchTemplate.Overrides[1].WeightedCapacity")
    );
    sim::ok(
        &mut world,
        "autoscaling:CreateAutoScalingGroup",
        json!({ "AutoScalingGroupName": "mixed", "MinSize": 0, "MaxSize": 6, "DesiredCapacity": 3,
                "MixedInstancesPolicy": policy,
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa,subnet-bbbbbbbbbbbbbbbbb" }),
    );
    let g = sim::ok(
        &mut world,
        "autoscaling:DescribeAutoScalingGroups",
        json!({ "AutoScalingGroupNames": ["mixed"] }),
    )["AutoScalingGroups"][0]
        .clone();
    assert_eq!(g["MixedInstancesPolicy"], policy);
    assert!(g.get("LaunchTemplate").is_none());
    // The base is On-Demand (the first type); above it 0% On-Demand: Spot, over both types.
    let described = sim::ok(&mut world, "ec2:DescribeInstances", json!({}))["Reservations"][0]
        ["Instances"]
        .clone();
    let markets: Vec<(String, bool)> = (described.as_array().unwrap().iter())
        .map(|i| {
            (
                i["InstanceType"].as_str().unwrap().to_string(),
                i["InstanceLifecycle"] == "spot",
            )
        })
        .collect();
    assert_eq!(
        markets,
        [
            ("m5.large".to_string(), false),
            ("m5.large".to_string(), true),
            ("c5.large".to_string(), true),
        ]
    );
    let spot_id = described[1]["InstanceId"].as_str().unwrap().to_string();
    let on_demand_id = described[0]["InstanceId"].as_str().unwrap().to_string();
    sim::register(&mut world, "app", "app:1", 512, 512);
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "app", "taskDefinition": "app", "desiredCount": 6 }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    // Only a Spot instance can be interrupted.
    let e = sim::err(
        &mut world,
        "sim:InterruptSpot",
        json!({ "instanceIds": [on_demand_id] }),
    );
    assert_eq!(e.path.as_deref(), Some("$.instanceIds[0]"));
    sim::ok(
        &mut world,
        "sim:InterruptSpot",
        json!({ "instanceIds": [spot_id] }),
    );
    sim::advance(&mut world, 1_000);
    let warnings = sim::events(&world, "EC2 Spot Instance Interruption Warning");
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0]["source"], "aws.ec2");
    assert_eq!(
        warnings[0]["detail"],
        json!({ "instance-id": spot_id, "instance-action": "terminate" })
    );
    // ECS_ENABLE_SPOT_INSTANCE_DRAINING: the container instance drains at the notice.
    let arns = sim::ok(
        &mut world,
        "ecs:ListContainerInstances",
        json!({ "cluster": "demo" }),
    )["containerInstanceArns"]
        .clone();
    let instances = sim::ok(
        &mut world,
        "ecs:DescribeContainerInstances",
        json!({ "cluster": "demo", "containerInstances": arns }),
    )["containerInstances"]
        .clone();
    let drained = (instances.as_array().unwrap().iter())
        .find(|i| i["ec2InstanceId"] == spot_id.as_str())
        .unwrap();
    assert_eq!(drained["status"], "DRAINING");
    // Two minutes after the notice EC2 reclaims it; the group launches a Spot replacement.
    sim::advance(&mut world, 3 * MINUTE);
    let g = sim::ok(
        &mut world,
        "autoscaling:DescribeAutoScalingGroups",
        json!({ "AutoScalingGroupNames": ["mixed"] }),
    )["AutoScalingGroups"][0]
        .clone();
    let ids: Vec<&str> = (g["Instances"].as_array().unwrap().iter())
        .map(|i| i["InstanceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(!ids.contains(&spot_id.as_str()));
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 0, "the tasks moved while the instance drained");
    assert_eq!(
        sim::describe_service(&mut world, "demo", "app")["runningCount"],
        6
    );
}

#[test]
fn the_spot_mix_preset_drains_an_interrupted_spot_instance_and_replaces_it_with_spot() {
    let scenario = ecsplay::scenario::presets::preset("asg-spot-mix").expect("the preset");
    let mut world = ecsplay::scenario::run::run_until(&scenario, 4 * MINUTE);
    let spot_of = |world: &mut World| -> Vec<bool> {
        let described = sim::ok(world, "ec2:DescribeInstances", json!({}))["Reservations"][0]
            ["Instances"]
            .clone();
        (described.as_array().unwrap().iter())
            .filter(|i| i["State"]["Name"] != "terminated")
            .map(|i| i["InstanceLifecycle"] == "spot")
            .collect()
    };
    assert_eq!(spot_of(&mut world), [false, true, true]);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
    world.advance_to(12 * MINUTE);
    assert_eq!(
        spot_of(&mut world),
        [false, true, true],
        "replaced with Spot"
    );
    assert_eq!(
        sim::events(&world, "EC2 Spot Instance Interruption Warning").len(),
        1
    );
    let lost = (sim::events(&world, "ECS Task State Change").into_iter())
        .filter(|e| e["detail"]["stopCode"] == "TerminationNotice")
        .count();
    assert_eq!(lost, 0);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
}

#[test]
fn the_map_puts_each_groups_instances_side_by_side() {
    let mut world = with_template();
    let group = |world: &mut World, name: &str, desired: u32| {
        sim::ok(
            world,
            "autoscaling:CreateAutoScalingGroup",
            json!({ "AutoScalingGroupName": name, "LaunchTemplate": { "LaunchTemplateName": "ecs-nodes" },
                    "MinSize": 0, "MaxSize": 4, "DesiredCapacity": desired, "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa" }),
        );
    };
    // Launched in the order web, api, web: drawn api, web, web.
    group(&mut world, "web", 1);
    group(&mut world, "api", 1);
    sim::ok(
        &mut world,
        "autoscaling:SetDesiredCapacity",
        json!({ "AutoScalingGroupName": "web", "DesiredCapacity": 2 }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let layout = ecsplay::ui::model::map::MapLayout::build(&world, 900.0);
    let groups: Vec<&str> = (layout.boxes.iter())
        .map(|b| b.sublabel.rsplit(" · ").next().unwrap())
        .collect();
    assert_eq!(groups, ["api", "web", "web"]);
}

#[test]
fn a_failed_zones_fargate_targets_time_out_and_their_tasks_are_replaced_elsewhere() {
    let scenario = ecsplay::scenario::presets::preset("alb-fargate").expect("the preset");
    let mut world = ecsplay::scenario::run::run_until(&scenario, 10 * MINUTE);
    let zones = |world: &mut World| -> Vec<String> {
        let arns = sim::ok(
            world,
            "ecs:ListTasks",
            json!({ "cluster": "serverless", "serviceName": "api", "desiredStatus": "RUNNING" }),
        )["taskArns"]
            .clone();
        let tasks = sim::ok(
            world,
            "ecs:DescribeTasks",
            json!({ "cluster": "serverless", "tasks": arns }),
        )["tasks"]
            .clone();
        let mut zones: Vec<String> = (tasks.as_array().unwrap().iter())
            .filter(|t| t["lastStatus"] == "RUNNING")
            .map(|t| t["availabilityZone"].as_str().unwrap().to_string())
            .collect();
        zones.sort();
        zones
    };
    assert_eq!(
        zones(&mut world),
        ["us-east-1a", "us-east-1b", "us-east-1c"]
    );
    sim::ok(
        &mut world,
        "sim:FailAvailabilityZone",
        json!({ "availabilityZone": "us-east-1a" }),
    );
    // Its target's checks time out, ECS replaces the task, and Fargate places the new one in
    // a zone that is up.
    sim::advance(&mut world, 10 * MINUTE);
    let now = zones(&mut world);
    assert_eq!(now.len(), 3, "{now:?}");
    assert!(!now.iter().any(|z| z == "us-east-1a"), "{now:?}");
    assert!(
        sim::messages(&world, "api")
            .iter()
            .any(|m| m.contains("is unhealthy in (target-group")
                && m.contains("due to (reason Request timed out)")),
        "{:?}",
        sim::messages(&world, "api")
    );
}

#[test]
fn a_groups_spot_instances_are_interrupted_at_random_at_the_rate_set() {
    let scenario = ecsplay::scenario::presets::preset("asg-spot-mix").expect("the preset");
    let mut world = ecsplay::scenario::run::run_until(&scenario, 4 * MINUTE);
    let e = sim::err(
        &mut world,
        "sim:SetSpotCapacity",
        json!({ "autoScalingGroupName": "other", "interruptionsPerHour": 2 }),
    );
    assert_eq!(e.path.as_deref(), Some("$.autoScalingGroupName"));
    // One an hour each: over 10 hours of two Spot instances, some interruptions, each
    // replaced; the same seed draws the same ones.
    let mut again = ecsplay::scenario::run::run_until(&scenario, 4 * MINUTE);
    for w in [&mut world, &mut again] {
        sim::ok(
            w,
            "sim:SetSpotCapacity",
            json!({ "autoScalingGroupName": "nodes", "interruptionsPerHour": 1 }),
        );
        // A minute at a time, as the page advances: `advance_to` over an idle queue passes
        // every minute's samples before the timers they schedule (the reclaim two minutes after
        // a notice), so one long call would see the noticed instances still running.
        for minute in 5..=10 * 60 {
            w.advance_to(minute * MINUTE);
        }
    }
    let warnings = sim::events(&world, "EC2 Spot Instance Interruption Warning");
    assert!(warnings.len() >= 5, "{}", warnings.len());
    assert_eq!(
        warnings,
        sim::events(&again, "EC2 Spot Instance Interruption Warning")
    );
    assert_eq!(group(&mut world)["Instances"].as_array().unwrap().len(), 3);
    assert_eq!(
        sim::describe_service(&mut world, "demo", "web")["runningCount"],
        6
    );
}
