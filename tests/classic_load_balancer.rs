//! The Classic Load Balancer (ELB's 2012-06-01 API under the same `elasticloadbalancing:`
//! prefix, told apart by the request's shape): made, described and refused as ELB does;
//! DescribeInstanceHealth's InService / OutOfService with its descriptions, the healthy
//! threshold a new instance needs, connection draining off by default and on when asked; ECS
//! services behind one (never awsvpc), with ECS's `(elb name)` events; traffic and `AWS/ELB`
//! metrics, with 503 and no fail-open when no instance is healthy. Also UpdateService's
//! `loadBalancers`, which starts a deployment whose tasks register with the new groups.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const MINUTE: u64 = 60_000;

fn create(world: &mut World, name: &str, zones: &[&str]) -> Value {
    sim::ok(
        world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "LoadBalancerName": name, "AvailabilityZones": zones,
                "Listeners": [{ "Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80 }] }),
    )
}

fn describe(world: &mut World, name: &str) -> Value {
    sim::ok(
        world,
        "elasticloadbalancing:DescribeLoadBalancers",
        json!({ "LoadBalancerNames": [name] }),
    )["LoadBalancerDescriptions"][0]
        .clone()
}

fn instance_health(world: &mut World, name: &str) -> Vec<(String, String, String)> {
    let answer = sim::ok(
        world,
        "elasticloadbalancing:DescribeInstanceHealth",
        json!({ "LoadBalancerName": name }),
    );
    answer["InstanceStates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap().to_string();
            (text("State"), text("ReasonCode"), text("Description"))
        })
        .collect()
}

fn health(state: &str, code: &str, description: &str) -> (String, String, String) {
    (state.into(), code.into(), description.into())
}

#[test]
fn a_classic_load_balancer_is_made_described_and_refused_in_the_classic_apis_shapes() {
    let mut world = sim::world();
    let made = create(&mut world, "legacy", &["us-east-1a", "us-east-1b"]);
    let dns = made["DNSName"].as_str().unwrap();
    assert!(
        dns.starts_with("legacy-") && dns.ends_with(".us-east-1.elb.amazonaws.com"),
        "{made}"
    );
    let lb = describe(&mut world, "legacy");
    assert_eq!(lb["DNSName"], dns);
    assert_eq!(
        lb["ListenerDescriptions"][0]["Listener"],
        json!({ "Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80 })
    );
    assert_eq!(lb["AvailabilityZones"], json!(["us-east-1a", "us-east-1b"]));
    assert_eq!(lb["Subnets"].as_array().unwrap().len(), 2);
    assert_eq!(lb["Scheme"], "internet-facing");
    assert_eq!(lb["Instances"], json!([]));
    assert_eq!(
        lb["HealthCheck"],
        json!({ "Target": "TCP:80", "Interval": 30, "Timeout": 5, "UnhealthyThreshold": 2, "HealthyThreshold": 10 })
    );
    // The same request again is answered as the first; v2 does not list a Classic one.
    let again = create(&mut world, "legacy", &["us-east-1a", "us-east-1b"]);
    assert_eq!(again["DNSName"], dns);
    let v2 = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeLoadBalancers",
        json!({}),
    );
    assert_eq!(v2["LoadBalancers"], json!([]));
    let attributes = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        json!({ "LoadBalancerName": "legacy" }),
    );
    assert_eq!(
        attributes["LoadBalancerAttributes"]["ConnectionDraining"],
        json!({ "Enabled": false, "Timeout": 300 }),
        "connection draining is off for a load balancer made by the API"
    );
    assert_eq!(
        attributes["LoadBalancerAttributes"]["CrossZoneLoadBalancing"],
        json!({ "Enabled": false })
    );

    let refused: &[(&str, Value, &str, &str, &str)] = &[
        (
            "CreateLoadBalancer",
            json!({ "LoadBalancerName": "nowhere", "Listeners": [{ "Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80 }] }),
            "ValidationError",
            "Either AvailabilityZones or SubnetIds must be specified",
            "$.Subnets",
        ),
        (
            "CreateLoadBalancer",
            json!({ "LoadBalancerName": "legacy", "AvailabilityZones": ["us-east-1a"], "Listeners": [{ "Protocol": "TCP", "LoadBalancerPort": 8080, "InstancePort": 8080 }] }),
            "DuplicateLoadBalancerName",
            "Load balancer named 'legacy' already exists and it is configured with different parameters.",
            "$.LoadBalancerName",
        ),
        (
            "DescribeLoadBalancers",
            json!({ "LoadBalancerNames": ["missing"] }),
            "LoadBalancerNotFound",
            "There is no ACTIVE Load Balancer named 'missing'",
            "$.LoadBalancerNames[0]",
        ),
        (
            "ConfigureHealthCheck",
            json!({ "LoadBalancerName": "legacy", "HealthCheck": { "Target": "HTTP:80/health", "Interval": 4, "Timeout": 2, "UnhealthyThreshold": 2, "HealthyThreshold": 2 } }),
            "ValidationError",
            "1 validation error detected: Value '4' at 'healthCheck.interval' failed to satisfy constraint: Member must have value greater than or equal to 5",
            "$.HealthCheck.Interval",
        ),
        (
            "ConfigureHealthCheck",
            json!({ "LoadBalancerName": "legacy", "HealthCheck": { "Target": "HTTP:80/health", "Interval": 10, "Timeout": 10, "UnhealthyThreshold": 2, "HealthyThreshold": 2 } }),
            "ValidationError",
            "HealthCheck Timeout must be less than Interval",
            "$.HealthCheck.Timeout",
        ),
        (
            "ConfigureHealthCheck",
            json!({ "LoadBalancerName": "legacy", "HealthCheck": { "Target": "HTTP:80", "Interval": 10, "Timeout": 5, "UnhealthyThreshold": 2, "HealthyThreshold": 2 } }),
            "ValidationError",
            "Invalid health check target 'HTTP:80': give TCP:port, SSL:port, HTTP:port/path or HTTPS:port/path",
            "$.HealthCheck.Target",
        ),
        (
            "RegisterInstancesWithLoadBalancer",
            json!({ "LoadBalancerName": "legacy", "Instances": [{ "InstanceId": "i-0000000000000dead" }] }),
            "InvalidInstance",
            "EC2 instance i-0000000000000dead is not valid: it must be a running or pending instance in the load balancer's VPC.",
            "$.Instances[0].InstanceId",
        ),
        (
            "ModifyLoadBalancerAttributes",
            json!({ "LoadBalancerName": "legacy", "LoadBalancerAttributes": { "ConnectionDraining": { "Enabled": true, "Timeout": 3601 } } }),
            "ValidationError",
            "1 validation error detected: Value '3601' at 'loadBalancerAttributes.connectionDraining.timeout' failed to satisfy constraint: Member must have value less than or equal to 3600",
            "$.LoadBalancerAttributes.ConnectionDraining.Timeout",
        ),
        (
            "ModifyLoadBalancerAttributes",
            json!({ "LoadBalancerName": "legacy", "LoadBalancerAttributes": { "AccessLog": { "Enabled": true, "S3BucketName": "logs" } } }),
            "UnsupportedFeatureException",
            "LoadBalancerAttributes.AccessLog is not modelled by this version of ecsplay: access logs are not simulated.",
            "$.LoadBalancerAttributes.AccessLog",
        ),
    ];
    for (operation, input, code, message, path) in refused {
        let before = world.describe_all();
        let e = sim::err(
            &mut world,
            &format!("elasticloadbalancing:{operation}"),
            input.clone(),
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.path.as_deref()),
            (*code, *message, Some(*path)),
            "{operation} {input}"
        );
        assert_eq!(world.describe_all(), before, "a refusal changes nothing");
    }
    // Deleting it (and deleting it again) succeeds; it is gone.
    for _ in 0..2 {
        sim::ok(
            &mut world,
            "elasticloadbalancing:DeleteLoadBalancer",
            json!({ "LoadBalancerName": "legacy" }),
        );
    }
    let e = sim::err(
        &mut world,
        "elasticloadbalancing:DescribeInstanceHealth",
        json!({ "LoadBalancerName": "legacy" }),
    );
    assert_eq!(e.code, "LoadBalancerNotFound");
}

/// One instance in us-east-1a running a task on host port 80, and a Classic Load Balancer
/// in front of port 80 with a 10 s HTTP check, 3 passes to go InService.
fn served(image: &str) -> (World, String) {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": image,
                "cpu": 256, "memory": 512, "portMappings": [{ "containerPort": 80, "hostPort": 80 }] }] }),
    );
    sim::ok(
        &mut world,
        "ecs:RunTask",
        json!({ "cluster": "demo", "taskDefinition": "web" }),
    );
    sim::advance(&mut world, 30_000);
    let instance = world.describe_all()["ec2Instances"][0]["InstanceId"]
        .as_str()
        .unwrap()
        .to_string();
    create(&mut world, "legacy", &["us-east-1a"]);
    sim::ok(
        &mut world,
        "elasticloadbalancing:ConfigureHealthCheck",
        json!({ "LoadBalancerName": "legacy", "HealthCheck": { "Target": "HTTP:80/", "Interval": 10, "Timeout": 5, "UnhealthyThreshold": 2, "HealthyThreshold": 3 } }),
    );
    (world, instance)
}

#[test]
fn a_new_instance_is_in_service_after_the_healthy_threshold_and_out_of_service_after_the_unhealthy_one(
) {
    let (mut world, instance) = served("web:1");
    let registered = sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        json!({ "LoadBalancerName": "legacy", "Instances": [{ "InstanceId": instance }] }),
    );
    assert_eq!(registered["Instances"], json!([{ "InstanceId": instance }]));
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health(
            "OutOfService",
            "ELB",
            "Instance registration is still in progress."
        )]
    );
    // The first check passes at 1.5 s, the second at 11.5 s: not yet the threshold of 3.
    sim::advance(&mut world, 15_000);
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health(
            "OutOfService",
            "Instance",
            "Instance has not passed the configured HealthyThreshold number of health checks consecutively."
        )]
    );
    sim::advance(&mut world, 10_000);
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health("InService", "N/A", "N/A")]
    );
    // The endpoint fails: two failed checks later the instance is OutOfService.
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "targetHealth": "fail" }),
    );
    sim::advance(&mut world, 20_000);
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health(
            "OutOfService",
            "Instance",
            "Instance has failed at least the UnhealthyThreshold number of health checks consecutively."
        )]
    );
    // Traffic to a load balancer with no healthy instance: 503 from the load balancer, never
    // to the unhealthy instance (no fail-open), in AWS/ELB.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "legacy", "requestsPerSecond": 10 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    let sums = |world: &mut World, name: &str| -> f64 {
        let answer = sim::ok(
            world,
            "cloudwatch:GetMetricStatistics",
            json!({ "Namespace": "AWS/ELB", "MetricName": name,
                    "Dimensions": [{ "Name": "LoadBalancerName", "Value": "legacy" }],
                    "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-02T00:00:00Z",
                    "Period": 3600, "Statistics": ["Sum"] }),
        );
        (answer["Datapoints"].as_array().unwrap().iter())
            .map(|d| d["Sum"].as_f64().unwrap())
            .sum()
    };
    let elb_5xx = sums(&mut world, "HTTPCode_ELB_5XX");
    let backend_2xx = sums(&mut world, "HTTPCode_Backend_2XX");
    assert!(
        elb_5xx >= 1_200.0,
        "two minutes of 10/s answered 503: {elb_5xx}"
    );
    assert_eq!(backend_2xx, 0.0);
    assert_eq!(sums(&mut world, "RequestCount"), elb_5xx);
}

#[test]
fn deregistering_leaves_at_once_without_connection_draining_and_drains_with_it() {
    let (mut world, instance) = served("web:1");
    let register =
        json!({ "LoadBalancerName": "legacy", "Instances": [{ "InstanceId": instance }] });
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        register.clone(),
    );
    sim::advance(&mut world, 40_000);
    let left = sim::ok(
        &mut world,
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        register.clone(),
    );
    assert_eq!(left["Instances"], json!([]));
    sim::advance(&mut world, 1);
    let asked = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeInstanceHealth",
        register.clone(),
    );
    assert_eq!(
        asked["InstanceStates"][0]["Description"],
        "Instance is not currently registered with the LoadBalancer."
    );

    let modified = sim::ok(
        &mut world,
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        json!({ "LoadBalancerName": "legacy", "LoadBalancerAttributes": { "ConnectionDraining": { "Enabled": true, "Timeout": 60 } } }),
    );
    assert_eq!(
        modified["LoadBalancerAttributes"]["ConnectionDraining"],
        json!({ "Enabled": true, "Timeout": 60 })
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        register.clone(),
    );
    sim::advance(&mut world, 40_000);
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        register.clone(),
    );
    sim::advance(&mut world, 30_000);
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health(
            "InService",
            "ELB",
            "Instance deregistration currently in progress."
        )]
    );
    sim::advance(&mut world, 31_000);
    assert_eq!(instance_health(&mut world, "legacy"), []);
}

#[test]
fn a_service_behind_a_classic_load_balancer_registers_its_instances_and_is_never_awsvpc() {
    let (mut world, _) = served("web:1");
    // The RunTask's task holds host port 80 on the one instance: stop it first.
    let tasks = sim::ok(&mut world, "ecs:ListTasks", json!({ "cluster": "demo" }));
    let task = tasks["taskArns"][0].as_str().unwrap().to_string();
    sim::ok(
        &mut world,
        "ecs:StopTask",
        json!({ "cluster": "demo", "task": task }),
    );
    sim::advance(&mut world, 60_000);
    let service = sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                "loadBalancers": [{ "loadBalancerName": "legacy", "containerName": "web", "containerPort": 80 }] }),
    );
    assert_eq!(
        service["service"]["loadBalancers"],
        json!([{ "loadBalancerName": "legacy", "containerName": "web", "containerPort": 80 }])
    );
    sim::advance(&mut world, 2 * MINUTE);
    let messages = sim::messages(&world, "web");
    assert!(
        messages
            .iter()
            .any(|m| m == "(service web) registered 1 instances in (elb legacy)"),
        "{messages:?}"
    );
    assert_eq!(
        instance_health(&mut world, "legacy"),
        [health("InService", "N/A", "N/A")]
    );
    assert!(
        messages
            .iter()
            .any(|m| m == "(service web) has reached a steady state."),
        "{messages:?}"
    );

    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "vpc", "networkMode": "awsvpc", "containerDefinitions": [{ "name": "web", "image": "web:1",
                "cpu": 256, "memory": 512, "portMappings": [{ "containerPort": 80 }] }] }),
    );
    let refused: &[(Value, &str, &str)] = &[
        (
            json!({ "cluster": "demo", "serviceName": "vpc", "taskDefinition": "vpc", "desiredCount": 1,
                    "networkConfiguration": { "awsvpcConfiguration": { "subnets": ["subnet-aaaaaaaaaaaaaaaaa"] } },
                    "loadBalancers": [{ "loadBalancerName": "legacy", "containerName": "web", "containerPort": 80 }] }),
            "Services with tasks that use the awsvpc network mode (for example, those with the Fargate launch type) only support Application Load Balancers and Network Load Balancers. Classic Load Balancers are not supported.",
            "$.loadBalancers[0].loadBalancerName",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "two", "taskDefinition": "web", "desiredCount": 1,
                    "loadBalancers": [{ "loadBalancerName": "missing", "containerName": "web", "containerPort": 80 }] }),
            "Load balancer missing does not exist.",
            "$.loadBalancers[0].loadBalancerName",
        ),
        (
            json!({ "cluster": "demo", "serviceName": "two", "taskDefinition": "web", "desiredCount": 1,
                    "loadBalancers": [{ "loadBalancerName": "legacy", "containerName": "web", "containerPort": 8080 }] }),
            "The container web did not have a container port 8080 defined.",
            "$.loadBalancers[0].containerPort",
        ),
    ];
    for (input, message, path) in refused {
        let e = sim::err(&mut world, "ecs:CreateService", input.clone());
        assert_eq!(
            (e.code.as_str(), e.message.as_str(), e.path.as_deref()),
            ("InvalidParameterException", *message, Some(*path)),
            "{input}"
        );
    }
}

/// A service behind target group `blue`, with a second group `green` on another listener.
fn two_groups() -> (World, String, String) {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    let lb = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"] }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let mut groups = Vec::new();
    for (name, port) in [("blue", 80), ("green", 8080)] {
        let tg = sim::ok(
            &mut world,
            "elasticloadbalancing:CreateTargetGroup",
            json!({ "Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0defa017000000000",
                    "HealthCheckIntervalSeconds": 10 }),
        )["TargetGroups"][0]["TargetGroupArn"]
            .as_str()
            .unwrap()
            .to_string();
        sim::ok(
            &mut world,
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Protocol": "HTTP", "Port": port,
                    "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
        );
        groups.push(tg);
    }
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "web:1",
                "cpu": 256, "memory": 512, "portMappings": [{ "containerPort": 80, "hostPort": 0 }] }] }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
                "loadBalancers": [{ "targetGroupArn": groups[0], "containerName": "web", "containerPort": 80 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let green = groups.pop().unwrap();
    (world, groups.pop().unwrap(), green)
}

fn targets(world: &mut World, tg: &str) -> Vec<String> {
    let answer = sim::ok(
        world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    (answer["TargetHealthDescriptions"]
        .as_array()
        .unwrap()
        .iter())
    .map(|d| d["TargetHealth"]["State"].as_str().unwrap().to_string())
    .collect()
}

#[test]
fn update_service_load_balancers_start_a_deployment_whose_tasks_register_with_the_new_group() {
    let (mut world, blue, green) = two_groups();
    assert_eq!(targets(&mut world, &blue), ["healthy", "healthy"]);
    let updated = sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web",
                "loadBalancers": [{ "targetGroupArn": green, "containerName": "web", "containerPort": 80 }] }),
    );
    let deployments = updated["service"]["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 2, "a new deployment: {updated}");
    assert_eq!(deployments[0]["status"], "PRIMARY");
    assert_eq!(
        updated["service"]["loadBalancers"][0]["targetGroupArn"],
        green.as_str()
    );
    sim::advance(&mut world, 60_000);
    // The new deployment's tasks are in green; the old ones drain from blue.
    assert_eq!(targets(&mut world, &green), ["healthy", "healthy"]);
    assert!(
        targets(&mut world, &blue).iter().all(|s| s == "draining"),
        "{:?}",
        targets(&mut world, &blue)
    );
    sim::advance(&mut world, 6 * MINUTE);
    assert_eq!(targets(&mut world, &blue), Vec::<String>::new());
    let service = sim::describe_service(&mut world, "demo", "web");
    assert_eq!(service["deployments"].as_array().unwrap().len(), 1);
    assert_eq!(service["deployments"][0]["rolloutState"], "COMPLETED");

    // Same load balancers again: no new deployment. A task definition without the container
    // port the load balancer names: ECS's message.
    let same = sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web",
                "loadBalancers": [{ "targetGroupArn": green, "containerName": "web", "containerPort": 80 }] }),
    );
    assert_eq!(same["service"]["deployments"].as_array().unwrap().len(), 1);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": "web:2",
                "cpu": 256, "memory": 512, "portMappings": [{ "containerPort": 8000, "hostPort": 0 }] }] }),
    );
    let e = sim::err(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "taskDefinition": "web:2" }),
    );
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        (
            "InvalidParameterException",
            "Unable to update the service web: Load balancer container name or port changed in task definition"
        )
    );
    // With loadBalancers naming the new port, the same update is taken; an empty list removes
    // them (the next deployment's tasks register nowhere).
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "taskDefinition": "web:2",
                "loadBalancers": [{ "targetGroupArn": green, "containerName": "web", "containerPort": 8000 }] }),
    );
    let removed = sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "loadBalancers": [] }),
    );
    assert_eq!(removed["service"]["loadBalancers"], json!([]));
}
