//! Refuse, never ignore: every request field the model does not act on is refused with
//! `UnsupportedFeatureException` and its path, on every operation that takes it, and a value
//! that means what leaving the field out means is accepted.

#![cfg(not(target_arch = "wasm32"))]

mod sim;

use serde_json::{json, Value};
use sim::{cluster, err, ok, world};

/// `base` with the fields of `extra` set.
fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn service(extra: Value) -> Value {
    let base = json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1 });
    with(base, extra)
}

fn update(extra: Value) -> Value {
    with(json!({ "cluster": "demo", "service": "base" }), extra)
}

fn run_task(extra: Value) -> Value {
    with(json!({ "cluster": "demo", "taskDefinition": "web" }), extra)
}

#[test]
fn fields_the_model_does_not_act_on_are_refused_with_their_paths() {
    let mut world = world();
    cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 0, 128);
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "base", "taskDefinition": "web", "desiredCount": 0 }),
    );
    let cases = [
        (
            "ecs:CreateCluster",
            json!({ "clusterName": "insights", "settings": [{ "name": "containerInsights", "value": "enabled" }] }),
            "$.settings",
        ),
        (
            "ecs:CreateCluster",
            json!({ "clusterName": "exec", "configuration": { "executeCommandConfiguration": { "logging": "DEFAULT" } } }),
            "$.configuration",
        ),
        // An empty strategy (back to the cluster's default) is not simulated.
        (
            "ecs:UpdateService",
            update(json!({ "capacityProviderStrategy": [], "forceNewDeployment": true })),
            "$.capacityProviderStrategy",
        ),
        (
            "ecs:CreateService",
            service(
                json!({ "loadBalancers": [{ "targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef", "containerName": "web", "containerPort": 80, "advancedConfiguration": {} }] }),
            ),
            "$.loadBalancers[0].advancedConfiguration",
        ),
        (
            "ecs:UpdateService",
            update(
                json!({ "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-1"] } } }),
            ),
            "$.networkConfiguration",
        ),
        (
            "ecs:CreateService",
            service(
                json!({ "serviceRegistries": [{ "registryArn": "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1" }] }),
            ),
            "$.serviceRegistries",
        ),
        (
            "ecs:CreateService",
            service(json!({ "deploymentController": { "type": "CODE_DEPLOY" } })),
            "$.deploymentController",
        ),
        (
            "ecs:CreateService",
            service(json!({ "enableExecuteCommand": true })),
            "$.enableExecuteCommand",
        ),
        (
            "ecs:CreateService",
            service(json!({ "deploymentConfiguration": { "bakeTimeInMinutes": 5 } })),
            "$.deploymentConfiguration.bakeTimeInMinutes",
        ),
        (
            "ecs:UpdateService",
            update(json!({ "deploymentConfiguration": { "strategy": "BLUE_GREEN" } })),
            "$.deploymentConfiguration.strategy",
        ),
        (
            "ecs:RunTask",
            run_task(
                json!({ "overrides": { "containerOverrides": [{ "name": "web", "command": ["sleep", "1"] }] } }),
            ),
            "$.overrides",
        ),
        (
            "ecs:RunTask",
            run_task(json!({ "overrides": { "memory": "4096" } })),
            "$.overrides",
        ),
        (
            "ec2:RunInstances",
            json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "InstanceMarketOptions": { "MarketType": "spot" } }),
            "$.InstanceMarketOptions",
        ),
        (
            "ec2:RunInstances",
            json!({ "MinCount": 1, "MaxCount": 1, "LaunchTemplate": { "LaunchTemplateName": "ecs" } }),
            "$.LaunchTemplate",
        ),
        (
            "ec2:RunInstances",
            json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "Placement": { "Tenancy": "dedicated" } }),
            "$.Placement.Tenancy",
        ),
        (
            "ec2:DescribeInstances",
            json!({ "Filters": [{ "Name": "instance-type", "Values": ["t3.micro"] }] }),
            "$.Filters",
        ),
        (
            "ecs:DescribeServices",
            json!({ "cluster": "demo", "services": ["base"], "include": ["TAGS"] }),
            "$.include",
        ),
        (
            "ecs:DescribeClusters",
            json!({ "clusters": ["demo"], "include": ["STATISTICS"] }),
            "$.include",
        ),
        (
            "ecs:ListTasks",
            json!({ "cluster": "demo", "maxResults": 10 }),
            "$.maxResults",
        ),
        (
            "ecs:ListClusters",
            json!({ "nextToken": "abc" }),
            "$.nextToken",
        ),
    ];
    for (action, input, path) in cases {
        let before = world.describe_all();
        let error = err(&mut world, action, input.clone());
        assert_eq!(
            error.code, "UnsupportedFeatureException",
            "{action} {input}"
        );
        assert_eq!(error.path.as_deref(), Some(path), "{action} {input}");
        let field = path.trim_start_matches("$.");
        assert!(
            error.message.starts_with(&format!(
                "{field} is not modelled by this version of ecsplay: "
            )),
            "{}",
            error.message
        );
        assert_eq!(world.describe_all(), before, "{action} changed the world");
    }
}

#[test]
fn values_that_mean_the_default_are_accepted() {
    let mut world = world();
    cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 0, 128);
    ok(
        &mut world,
        "ecs:CreateService",
        service(json!({
            "loadBalancers": [], "serviceRegistries": [], "enableExecuteCommand": false,
            "deploymentController": { "type": "ECS" },
            "availabilityZoneRebalancing": "DISABLED",
            "deploymentConfiguration": { "strategy": "ROLLING", "maximumPercent": 200, "minimumHealthyPercent": 100,
                "alarms": { "alarmNames": [], "enable": false, "rollback": false } },
            "tags": [{ "key": "team", "value": "web" }], "propagateTags": "NONE", "clientToken": "abc",
        })),
    );
    let response = ok(
        &mut world,
        "ecs:RunTask",
        run_task(json!({ "overrides": { "containerOverrides": [{ "name": "web" }] }, "count": 1 })),
    );
    assert_eq!(response["tasks"].as_array().unwrap().len(), 1);
    ok(
        &mut world,
        "ec2:RunInstances",
        json!({ "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1, "KeyName": "me",
                "Placement": { "AvailabilityZone": "us-east-1a", "Tenancy": "default" },
                "TagSpecifications": [{ "ResourceType": "instance", "Tags": [{ "Key": "Name", "Value": "ecs" }] }] }),
    );
}

#[test]
fn list_filters_and_dry_runs_are_acted_on() {
    let mut world = world();
    cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::register(&mut world, "web", "nginx", 0, 128);
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "base", "taskDefinition": "web", "desiredCount": 0 }),
    );
    ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "agent", "taskDefinition": "web", "schedulingStrategy": "DAEMON" }),
    );
    let daemons = ok(
        &mut world,
        "ecs:ListServices",
        json!({ "cluster": "demo", "schedulingStrategy": "DAEMON" }),
    );
    assert_eq!(
        daemons["serviceArns"],
        json!(["arn:aws:ecs:us-east-1:123456789012:service/demo/agent"])
    );
    let replicas = ok(
        &mut world,
        "ecs:ListServices",
        json!({ "cluster": "demo", "schedulingStrategy": "REPLICA" }),
    );
    assert_eq!(
        replicas["serviceArns"],
        json!(["arn:aws:ecs:us-east-1:123456789012:service/demo/base"])
    );
    // DescribeTaskDefinition's tags are always in the answer, so asking for them is fine.
    ok(
        &mut world,
        "ecs:DescribeTaskDefinition",
        json!({ "taskDefinition": "web", "include": ["TAGS"] }),
    );
    let id = world.ec2_instances_json()[0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    let before = world.describe_all();
    let error = err(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [id], "DryRun": true }),
    );
    assert_eq!(error.code, "DryRunOperation");
    assert_eq!(world.describe_all(), before);
    let error = err(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [id], "Filters": [] }),
    );
    assert_eq!(error.code, "ParamValidationError");
    assert!(error
        .message
        .starts_with("Unknown parameter in input: \"Filters\""));
    let error = err(
        &mut world,
        "ecs:DeregisterTaskDefinition",
        json!({ "taskDefinition": "web:1", "include": ["TAGS"] }),
    );
    assert_eq!(error.code, "ParamValidationError");
}
