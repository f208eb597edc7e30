//! Traffic through load balancers (`sim:SetTraffic`) and the metrics it makes: requests spread
//! over healthy targets by zone and algorithm, listener rules route paths, an overloaded
//! service answers 5xx while its CPU is full, an ALB with no healthy target answers 503, a
//! group with only unhealthy targets fails open; and CloudWatch answers GetMetricStatistics,
//! GetMetricData and ListMetrics in its shapes, keeps PutMetricData's custom metrics, and
//! refuses what it does not keep. Every minute, the requests a load balancer counted are the
//! targets' answers plus its own errors.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const DEFAULT_VPC: &str = "vpc-0defa017000000000";
const SUBNETS: [&str; 2] = ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"];
const MINUTE: u64 = 60_000;

/// A cluster of `per_zone[i]` m5.large instances in zone i (a, b), whose default security
/// group lets the whole VPC in, and task definition `web` (image `image`, `cpu` units, host
/// port `host_port`: 0 dynamic).
fn cluster(per_zone: [u32; 2], image: &str, cpu: u32, host_port: u16) -> World {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    for (zone, count) in ["us-east-1a", "us-east-1b"].iter().zip(per_zone) {
        if count > 0 {
            sim::launch(&mut world, "demo", "m5.large", zone, count);
        }
    }
    sim::advance(&mut world, MINUTE);
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{ "CidrIp": "172.31.0.0/16" }] }] }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": image,
                "cpu": cpu, "memory": 512, "portMappings": [{ "containerPort": 80, "hostPort": host_port }] }] }),
    );
    world
}

/// A load balancer of `kind` (`application`, `network`) with a listener on port 80 forwarding
/// to a new target group `name`; returns (load balancer ARN, target group ARN).
fn balancer(world: &mut World, kind: &str, name: &str) -> (String, String) {
    let protocol = if kind == "network" { "TCP" } else { "HTTP" };
    let lb = sim::ok(
        world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": name, "Type": kind, "Subnets": SUBNETS, "SecurityGroups": ["sg-0defa017000000000"] }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let tg = group(world, name, protocol);
    sim::ok(
        world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Protocol": protocol, "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    (lb, tg)
}

fn group(world: &mut World, name: &str, protocol: &str) -> String {
    sim::ok(
        world,
        "elasticloadbalancing:CreateTargetGroup",
        json!({ "Name": name, "Protocol": protocol, "Port": 80, "VpcId": DEFAULT_VPC,
                "HealthCheckIntervalSeconds": 15 }),
    )["TargetGroups"][0]["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn service(world: &mut World, tg: &str, desired: u32, extra: Value) {
    let mut input = json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": desired,
            "loadBalancers": [{ "targetGroupArn": tg, "containerName": "web", "containerPort": 80 }] });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    sim::ok(world, "ecs:CreateService", input);
}

/// The load balancer's (or target group's) dimension value from its ARN.
fn dimension(arn: &str) -> String {
    match arn.split_once(":loadbalancer/") {
        Some((_, rest)) => rest.to_string(),
        None => arn.rsplit_once(':').unwrap().1.to_string(),
    }
}

/// One statistic of a metric per minute over the run so far, oldest first.
fn minutes(
    world: &mut World,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    stat: &str,
) -> Vec<f64> {
    let dimensions: Vec<Value> = dims
        .iter()
        .map(|(n, v)| json!({ "Name": n, "Value": v }))
        .collect();
    let answer = sim::ok(
        world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": namespace, "MetricName": name, "Dimensions": dimensions,
                "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-02T00:00:00Z",
                "Period": 60, "Statistics": [stat] }),
    );
    assert_eq!(answer["Label"], name);
    answer["Datapoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[stat].as_f64().unwrap())
        .collect()
}

/// Requests each target was sent at the last sample, by target id and port, from the world.
fn per_target(world: &World, tg: &str) -> Vec<(String, f32)> {
    let group = world
        .elb
        .target_groups
        .iter()
        .find(|g| g.arn == tg)
        .unwrap();
    group
        .targets
        .iter()
        .map(|t| (t.zone.clone().unwrap_or_default(), t.requests_per_second))
        .collect()
}

#[test]
fn requests_spread_evenly_over_healthy_targets_and_show_in_the_albs_metrics() {
    let mut world = cluster([2, 2], "web:1", 256, 0);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "cpuPerRequest": "10ms", "latency": "20ms", "memory": 128 }),
    );
    let (lb, tg) = balancer(&mut world, "application", "web");
    service(&mut world, &tg, 4, json!({}));
    sim::advance(&mut world, MINUTE);
    let answer = sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 100 }),
    );
    assert_eq!(answer["requestsPerSecond"], 100.0);
    assert_eq!(answer["loadBalancer"], lb.as_str());
    sim::advance(&mut world, 5 * MINUTE);

    let targets = per_target(&world, &tg);
    assert_eq!(targets.len(), 4);
    assert!(
        targets.iter().all(|(_, r)| *r == 25.0),
        "round robin: {targets:?}"
    );

    let lb_dim = dimension(&lb);
    assert!(lb_dim.starts_with("app/web/"), "{lb_dim}");
    let by_lb = [("LoadBalancer", lb_dim.as_str())];
    let requests = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "RequestCount",
        &by_lb,
        "Sum",
    );
    // The last full minutes carry 100 a second.
    assert_eq!(
        requests[requests.len() - 2..],
        [6000.0, 6000.0],
        "{requests:?}"
    );
    let ok = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        &by_lb,
        "Sum",
    );
    assert_eq!(ok.last(), Some(&6000.0));
    let tg_dim = dimension(&tg);
    let both = [
        ("LoadBalancer", lb_dim.as_str()),
        ("TargetGroup", tg_dim.as_str()),
    ];
    let healthy = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HealthyHostCount",
        &both,
        "Minimum",
    );
    assert_eq!(healthy.last(), Some(&4.0));
    let per = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        &[("TargetGroup", tg_dim.as_str())],
        "Sum",
    );
    assert_eq!(per.last(), Some(&1500.0));
    // 25 requests a second of 10 ms on a task that may use its share of the instance's
    // 2 vCPUs: a small load, so a response takes about its latency and CPU time.
    let latency = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        &by_lb,
        "Average",
    );
    let last = *latency.last().unwrap();
    assert!((0.030..0.035).contains(&last), "{last}");
    // 25 × 10 ms = a quarter of a vCPU: 256 units of the 256 the task asked for.
    let cpu = minutes(
        &mut world,
        "AWS/ECS",
        "CPUUtilization",
        &[("ClusterName", "demo"), ("ServiceName", "web")],
        "Average",
    );
    assert!((cpu.last().unwrap() - 100.0).abs() < 1e-9, "{cpu:?}");
    let memory = minutes(
        &mut world,
        "AWS/ECS",
        "MemoryUtilization",
        &[("ClusterName", "demo"), ("ServiceName", "web")],
        "Average",
    );
    assert_eq!(memory.last(), Some(&25.0), "128 of 512 MiB");
    let reservation = minutes(
        &mut world,
        "AWS/ECS",
        "CPUReservation",
        &[("ClusterName", "demo")],
        "Average",
    );
    // Four tasks of 256 units on four m5.large (2,048 units each).
    assert_eq!(reservation.last(), Some(&12.5));
}

#[test]
fn an_overloaded_service_answers_5xx_and_its_cpu_is_full() {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "api", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "containerDefinitions": [{ "name": "api", "image": "api:1", "portMappings": [{ "containerPort": 80 }] }] }),
    );
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{ "GroupId": "sg-0defa017000000000" }] }] }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "api:1", "cpuPerRequest": 50, "latency": "5ms" }),
    );
    let lb = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "api", "Subnets": SUBNETS, "SecurityGroups": ["sg-0defa017000000000"] }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let tg = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateTargetGroup",
        json!({ "Name": "api", "Protocol": "HTTP", "Port": 80, "VpcId": DEFAULT_VPC, "TargetType": "ip" }),
    )["TargetGroups"][0]["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Protocol": "HTTP", "Port": 80, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "api", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
                "networkConfiguration": { "awsvpcConfiguration": { "subnets": SUBNETS } },
                "loadBalancers": [{ "targetGroupArn": tg, "containerName": "api", "containerPort": 80 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    // A quarter vCPU serves 0.25 / 0.05 s = 5 requests a second; two tasks, 10. Send 30.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "requestsPerSecond": 30 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    let lb_dim = dimension(&lb);
    let by_lb = [("LoadBalancer", lb_dim.as_str())];
    let requests = *minutes(
        &mut world,
        "AWS/ApplicationELB",
        "RequestCount",
        &by_lb,
        "Sum",
    )
    .last()
    .unwrap();
    let ok = *minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        &by_lb,
        "Sum",
    )
    .last()
    .unwrap();
    let errors = *minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        &by_lb,
        "Sum",
    )
    .last()
    .unwrap();
    assert_eq!(requests, 1800.0);
    assert_eq!(ok, 600.0, "10 a second served");
    assert_eq!(ok + errors, requests, "requests in = answers out");
    let cpu = minutes(
        &mut world,
        "AWS/ECS",
        "CPUUtilization",
        &[("ClusterName", "demo"), ("ServiceName", "api")],
        "Average",
    );
    assert_eq!(
        cpu.last(),
        Some(&100.0),
        "a Fargate task never uses more than its size"
    );
    // Full queues: 5 ms + 200 ms of CPU (a quarter vCPU) × 20.
    let latency = *minutes(
        &mut world,
        "AWS/ApplicationELB",
        "TargetResponseTime",
        &by_lb,
        "Average",
    )
    .last()
    .unwrap();
    assert!((latency - 4.005).abs() < 1e-6, "{latency}");
}

#[test]
fn an_alb_with_no_healthy_target_answers_503_and_a_group_of_unhealthy_ones_fails_open() {
    let mut world = cluster([1, 1], "web:1", 256, 0);
    let (lb, tg) = balancer(&mut world, "application", "web");
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "requestsPerSecond": 10 }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let lb_dim = dimension(&lb);
    let by_lb = [("LoadBalancer", lb_dim.as_str())];
    let unavailable = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_503_Count",
        &by_lb,
        "Sum",
    );
    assert_eq!(unavailable.last(), Some(&600.0));
    let all_5xx = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        &by_lb,
        "Sum",
    );
    assert_eq!(all_5xx.last(), Some(&600.0));
    assert!(
        minutes(&mut world, "AWS/ApplicationELB", "RequestCount", &by_lb, "Sum").is_empty(),
        "no target registered, no RequestCount: requests rejected before a target is chosen are not counted"
    );

    // Targets whose health endpoint fails: all unhealthy, so the group fails open.
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "targetHealth": "fail" }),
    );
    service(
        &mut world,
        &tg,
        2,
        json!({ "healthCheckGracePeriodSeconds": 3600 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    let states: Vec<String> = (world.elb.target_groups[0].targets.iter())
        .map(|t| t.state.as_str().to_string())
        .collect();
    assert_eq!(states, ["unhealthy", "unhealthy"]);
    let open = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "UnhealthyRoutingRequestCount",
        &by_lb,
        "Sum",
    );
    assert_eq!(open.last(), Some(&600.0));
    let ok = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        &by_lb,
        "Sum",
    );
    assert_eq!(ok.last(), Some(&600.0), "the application itself answers");
}

#[test]
fn an_nlb_without_cross_zone_load_balancing_loads_the_lone_target_of_a_zone_more() {
    let mut world = cluster([1, 3], "web:1", 256, 80);
    let (lb, tg) = balancer(&mut world, "network", "net");
    service(
        &mut world,
        &tg,
        4,
        json!({ "placementConstraints": [{ "type": "distinctInstance" }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "requestsPerSecond": 120 }),
    );
    sim::advance(&mut world, MINUTE);
    let mut targets = per_target(&world, &tg);
    targets.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(
        targets,
        [
            ("us-east-1a".to_string(), 60.0),
            ("us-east-1b".to_string(), 20.0),
            ("us-east-1b".to_string(), 20.0),
            ("us-east-1b".to_string(), 20.0),
        ],
        "each zone's node gets half; without cross-zone it keeps it in its zone"
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        json!({ "TargetGroupArn": tg, "Attributes": [{ "Key": "load_balancing.cross_zone.enabled", "Value": "true" }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let targets = per_target(&world, &tg);
    assert!(
        targets.iter().all(|(_, r)| *r == 30.0),
        "with cross-zone on: {targets:?}"
    );
    let lb_dim = dimension(&lb);
    assert!(lb_dim.starts_with("net/net/"), "{lb_dim}");
    let flows = minutes(
        &mut world,
        "AWS/NetworkELB",
        "NewFlowCount",
        &[("LoadBalancer", lb_dim.as_str())],
        "Sum",
    );
    assert_eq!(flows.last(), Some(&7200.0));

    // A few clients' flows hash to a few targets, unevenly.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "requestsPerSecond": 120, "clients": 2 }),
    );
    sim::advance(&mut world, MINUTE);
    let busy = per_target(&world, &tg)
        .iter()
        .filter(|(_, r)| *r > 0.0)
        .count();
    assert!(busy <= 2, "two flows reach at most two targets");
    let refused = sim::err(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "nope", "requestsPerSecond": 1 }),
    );
    assert_eq!(
        (refused.code.as_str(), refused.path.as_deref()),
        ("LoadBalancerNotFound", Some("$.loadBalancer"))
    );
}

#[test]
fn listener_rules_route_each_path_to_its_group_and_weights_split_a_forward() {
    let mut world = cluster([1, 1], "web:1", 256, 0);
    let (lb, web) = balancer(&mut world, "application", "web");
    let api = group(&mut world, "api", "HTTP");
    let listener = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeListeners",
        json!({ "LoadBalancerArn": lb }),
    )["Listeners"][0]["ListenerArn"]
        .clone();
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateRule",
        json!({ "ListenerArn": listener, "Priority": 10,
                "Conditions": [{ "Field": "path-pattern", "Values": ["/api/*"] }],
                "Actions": [{ "Type": "forward", "TargetGroupArn": api }] }),
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateRule",
        json!({ "ListenerArn": listener, "Priority": 20,
                "Conditions": [{ "Field": "path-pattern", "Values": ["/old"] }],
                "Actions": [{ "Type": "fixed-response", "FixedResponseConfig": { "StatusCode": "404" } }] }),
    );
    service(&mut world, &web, 1, json!({}));
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "api", "taskDefinition": "web", "desiredCount": 1,
                "loadBalancers": [{ "targetGroupArn": api, "containerName": "web", "containerPort": 80 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "requestsPerSecond": 100, "paths": { "/api/orders": 0.6, "/": 0.3, "/old": 0.1 } }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    let rate =
        |world: &World, arn: &str| per_target(world, arn).iter().map(|(_, r)| r).sum::<f32>();
    assert_eq!((rate(&world, &api), rate(&world, &web)), (60.0, 30.0));
    let lb_dim = dimension(&lb);
    let by_lb = [("LoadBalancer", lb_dim.as_str())];
    let requests = minutes(
        &mut world,
        "AWS/ApplicationELB",
        "RequestCount",
        &by_lb,
        "Sum",
    );
    assert_eq!(
        requests.last(),
        Some(&5400.0),
        "the fixed responses chose no target"
    );
}

#[test]
fn a_daily_profile_ramps_linearly_and_repeats() {
    let mut world = cluster([1, 1], "web:1", 256, 0);
    let (lb, tg) = balancer(&mut world, "application", "web");
    service(&mut world, &tg, 2, json!({}));
    sim::advance(&mut world, 2 * MINUTE);
    let answer = sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": lb, "profile": [{ "at": "0s", "requestsPerSecond": 0 }, { "at": "10m", "requestsPerSecond": 100 }], "repeat": "20m" }),
    );
    assert_eq!(answer["requestsPerSecond"], 0.0);
    sim::advance(&mut world, 5 * MINUTE);
    assert_eq!(
        world.elb.load_balancers[0].requests_per_second, 50.0,
        "halfway up the ramp"
    );
    sim::advance(&mut world, 20 * MINUTE);
    assert_eq!(
        world.elb.load_balancers[0].requests_per_second, 50.0,
        "the same point a period later"
    );
    for (input, path) in [
        (json!({ "loadBalancer": lb }), "$.requestsPerSecond"),
        (
            json!({ "loadBalancer": lb, "requestsPerSecond": -1 }),
            "$.requestsPerSecond",
        ),
        (
            json!({ "loadBalancer": lb, "profile": [{ "at": "10m", "requestsPerSecond": 1 }, { "at": "5m", "requestsPerSecond": 1 }] }),
            "$.profile[1].at",
        ),
        (
            json!({ "loadBalancer": lb, "requestsPerSecond": 1, "clients": 3 }),
            "$.clients",
        ),
        (
            json!({ "loadBalancer": lb, "requestsPerSecond": 1, "port": 81 }),
            "$.port",
        ),
        (
            json!({ "loadBalancer": lb, "requestsPerSecond": 1, "repeat": "0s" }),
            "$.repeat",
        ),
    ] {
        let refused = sim::err(&mut world, "sim:SetTraffic", input);
        assert_eq!(refused.path.as_deref(), Some(path), "{refused}");
    }
}

#[test]
fn cloudwatch_keeps_custom_metrics_and_answers_in_its_shapes() {
    let mut world = sim::world();
    sim::advance(&mut world, 3 * MINUTE);
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricData",
        json!({ "Namespace": "Shop", "MetricData": [
            { "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }], "Value": 5, "Unit": "Count", "Timestamp": "2026-01-01T00:01:10Z" },
            { "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }], "Value": 7, "Unit": "Count", "Timestamp": "2026-01-01T00:01:40Z" },
            { "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }], "StatisticValues": { "SampleCount": 2, "Sum": 10, "Minimum": 4, "Maximum": 6 }, "Unit": "Count", "Timestamp": "2026-01-01T00:02:00Z" },
        ] }),
    );
    let stats = sim::ok(
        &mut world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": "Shop", "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }],
                "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "Period": 60,
                "Statistics": ["Sum", "Average", "SampleCount", "Maximum"] }),
    );
    assert_eq!(
        stats["Datapoints"],
        json!([
            { "Timestamp": "2026-01-01T00:01:00Z", "Sum": 12.0, "Average": 6.0, "SampleCount": 2.0, "Maximum": 7.0, "Unit": "Count" },
            { "Timestamp": "2026-01-01T00:02:00Z", "Sum": 10.0, "Average": 5.0, "SampleCount": 2.0, "Maximum": 6.0, "Unit": "Count" },
        ])
    );
    let data = sim::ok(
        &mut world,
        "cloudwatch:GetMetricData",
        json!({ "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "MetricDataQueries": [
            { "Id": "orders", "MetricStat": { "Metric": { "Namespace": "Shop", "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }] }, "Period": 300, "Stat": "Sum" } }
        ] }),
    );
    assert_eq!(
        data,
        json!({ "MetricDataResults": [{ "Id": "orders", "Label": "Orders", "Timestamps": ["2026-01-01T00:00:00Z"], "Values": [22.0], "StatusCode": "Complete" }], "Messages": [] })
    );
    let listed = sim::ok(
        &mut world,
        "cloudwatch:ListMetrics",
        json!({ "Namespace": "Shop" }),
    );
    assert_eq!(
        listed,
        json!({ "Metrics": [{ "Namespace": "Shop", "MetricName": "Orders", "Dimensions": [{ "Name": "Region", "Value": "eu" }] }] })
    );
    for (action, input, code, path) in [
        (
            "cloudwatch:PutMetricData",
            json!({ "Namespace": "AWS/ECS", "MetricData": [{ "MetricName": "x", "Value": 1 }] }),
            "InvalidParameterValue",
            "$.Namespace",
        ),
        (
            "cloudwatch:PutMetricData",
            json!({ "Namespace": "Shop", "MetricData": [{ "MetricName": "x", "Value": 1, "StatisticValues": { "SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1 } }] }),
            "InvalidParameterCombination",
            "$.MetricData[0].Value",
        ),
        (
            "cloudwatch:PutMetricData",
            json!({ "Namespace": "Shop", "MetricData": [{ "MetricName": "x", "Value": 1, "StorageResolution": 1 }] }),
            "UnsupportedFeatureException",
            "$.MetricData[0].StorageResolution",
        ),
        (
            "cloudwatch:GetMetricStatistics",
            json!({ "Namespace": "Shop", "MetricName": "Orders", "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "Period": 90, "Statistics": ["Sum"] }),
            "InvalidParameterValue",
            "$.Period",
        ),
        (
            "cloudwatch:GetMetricStatistics",
            json!({ "Namespace": "Shop", "MetricName": "Orders", "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-03T00:00:00Z", "Period": 60, "Statistics": ["Sum"] }),
            "InvalidParameterCombination",
            "$.Period",
        ),
        (
            "cloudwatch:GetMetricStatistics",
            json!({ "Namespace": "Shop", "MetricName": "Orders", "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "Period": 60, "ExtendedStatistics": ["p99"] }),
            "UnsupportedFeatureException",
            "$.ExtendedStatistics",
        ),
        (
            "cloudwatch:GetMetricData",
            json!({ "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "MetricDataQueries": [{ "Id": "m", "Expression": "SUM(METRICS())" }] }),
            "UnsupportedFeatureException",
            "$.MetricDataQueries[0].Expression",
        ),
        (
            "cloudwatch:GetMetricData",
            json!({ "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "MetricDataQueries": [{ "Id": "Bad", "MetricStat": { "Metric": { "Namespace": "Shop", "MetricName": "Orders" }, "Period": 60, "Stat": "Sum" } }] }),
            "ValidationError",
            "$.MetricDataQueries[0].Id",
        ),
        (
            "cloudwatch:GetMetricData",
            json!({ "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-01T00:05:00Z", "MetricDataQueries": [{ "Id": "m", "Period": 60, "MetricStat": { "Metric": { "Namespace": "Shop", "MetricName": "Orders" }, "Period": 60, "Stat": "Sum" } }] }),
            "UnsupportedFeatureException",
            "$.MetricDataQueries[0].Period",
        ),
    ] {
        let refused = sim::err(&mut world, action, input);
        assert_eq!(
            (refused.code.as_str(), refused.path.as_deref()),
            (code, Some(path)),
            "{refused}"
        );
    }
    let error = sim::err(
        &mut world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": "Shop", "MetricName": "Orders", "StartTime": "2026-01-01T00:00:00Z", "EndTime": "2026-01-03T00:00:00Z", "Period": 60, "Statistics": ["Sum"] }),
    );
    assert_eq!(error.message, "You have requested up to 2880 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.");
}

/// The statistic of the minute ending at `minute_end` (ms), from the world's store.
fn at_minute(
    world: &mut World,
    namespace: &str,
    name: &str,
    dims: &[(&str, &str)],
    stat: &str,
    minute_end: u64,
) -> f64 {
    let dimensions: Vec<Value> = dims
        .iter()
        .map(|(n, v)| json!({ "Name": n, "Value": v }))
        .collect();
    let start =
        ecsplay::engine::time::format_timestamp(1_767_225_600_000 + (minute_end - MINUTE) as i64);
    let end = ecsplay::engine::time::format_timestamp(1_767_225_600_000 + minute_end as i64);
    let answer = sim::ok(
        world,
        "cloudwatch:GetMetricStatistics",
        json!({ "Namespace": namespace, "MetricName": name, "Dimensions": dimensions,
                "StartTime": start, "EndTime": end, "Period": 60, "Statistics": [stat] }),
    );
    answer["Datapoints"][0][stat].as_f64().unwrap_or(0.0)
}

#[test]
fn the_overload_preset_shows_5xx_past_the_services_capacity_until_it_scales_out() {
    use ecsplay::scenario::{run::run_until, Scenario};
    let scenario = Scenario::parse(include_str!(
        "../static/scenarios/alb-traffic-overload.json"
    ))
    .unwrap();
    let mut world = run_until(&scenario, 40 * MINUTE);
    let lb = world.elb.load_balancers[0].arn.clone();
    let lb_dim = dimension(&lb);
    let by_lb = [("LoadBalancer", lb_dim.as_str())];
    let service = [("ClusterName", "demo"), ("ServiceName", "web")];
    // At 10 minutes: 21 a second, under the two tasks' 25.
    assert_eq!(
        at_minute(
            &mut world,
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            &by_lb,
            "Sum",
            10 * MINUTE
        ),
        0.0
    );
    let cpu_early = at_minute(
        &mut world,
        "AWS/ECS",
        "CPUUtilization",
        &service,
        "Average",
        10 * MINUTE,
    );
    assert!((70.0..95.0).contains(&cpu_early), "{cpu_early}");
    // At 22 minutes: about 57 a second, over 25: the rest are 5xx and the CPU is full.
    let errors = at_minute(
        &mut world,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        &by_lb,
        "Sum",
        22 * MINUTE,
    );
    assert!(errors > 1500.0, "{errors}");
    assert_eq!(
        at_minute(
            &mut world,
            "AWS/ECS",
            "CPUUtilization",
            &service,
            "Average",
            22 * MINUTE
        ),
        100.0
    );
    // After scaling to 6 tasks (75 a second) the 60 a second are all served.
    assert_eq!(
        at_minute(
            &mut world,
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            &by_lb,
            "Sum",
            35 * MINUTE
        ),
        0.0
    );
    assert_eq!(
        at_minute(
            &mut world,
            "AWS/ApplicationELB",
            "RequestCount",
            &by_lb,
            "Sum",
            35 * MINUTE
        ),
        3600.0
    );
}

#[test]
fn the_map_draws_the_load_balancer_its_flows_by_requests_and_each_chips_cpu() {
    use ecsplay::ui::model::map::{MapLayout, FLOW_W_MAX};
    // An NLB over three instances in one zone and one in the other, cross-zone off: each
    // zone's node gets half the flows, so the lone instance in us-east-1b gets three times
    // what each in us-east-1a gets, and its flow is the widest.
    let mut world = cluster([3, 1], "web:1", 256, 80);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "cpuPerRequest": "5ms", "latency": "10ms" }),
    );
    let (_, tg) = balancer(&mut world, "network", "web");
    service(
        &mut world,
        &tg,
        4,
        json!({ "placementConstraints": [{ "type": "distinctInstance" }] }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    let before = MapLayout::build(&world, 900.0);
    assert_eq!(before.balancers.len(), 1);
    assert!(before.flows.is_empty(), "no traffic, no flows");
    assert!(before.chips.iter().all(|c| c.cpu.is_none()));
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 120, "clients": 1200 }),
    );
    sim::advance(&mut world, MINUTE);
    let layout = MapLayout::build(&world, 900.0);
    let lane = &layout.balancers[0];
    assert_eq!(lane.nodes.len(), 2, "a node in each zone");
    assert!(
        lane.label.starts_with("web · NLB :80 · 120 req/s"),
        "{}",
        lane.label
    );
    let mut flows: Vec<(f32, f64)> = (layout.flows.iter())
        .map(|f| (f.requests_per_second, f.width))
        .collect();
    flows.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(flows.len(), 4, "{flows:?}");
    let total: f32 = flows.iter().map(|f| f.0).sum();
    assert!((total - 120.0).abs() < 1.0, "{flows:?}");
    assert_eq!(flows[3].1, FLOW_W_MAX, "the busiest is the widest");
    assert!(
        flows[3].0 > 2.0 * flows[2].0,
        "the lone instance in us-east-1b takes its node's half: {flows:?}"
    );
    // Every flow starts on the lane, from the node in its target's zone.
    for f in &layout.flows {
        assert_eq!(f.from.1, lane.y);
        assert!(lane.nodes.contains(&f.from.0));
    }
    let cpu: Vec<f32> = layout.chips.iter().filter_map(|c| c.cpu).collect();
    assert_eq!(cpu.len(), 4, "every task has work");
    assert!(cpu.iter().all(|&c| c > 0.0 && c < 1.0), "{cpu:?}");
}

#[test]
fn a_new_image_behaviour_mid_traffic_changes_what_each_request_costs_at_once() {
    let mut world = cluster([1, 1], "web:1", 256, 0);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "cpuPerRequest": "10ms", "latency": "20ms" }),
    );
    let (_, tg) = balancer(&mut world, "application", "web");
    service(&mut world, &tg, 2, json!({}));
    sim::advance(&mut world, 2 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 20 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "cpuPerRequest": "20ms", "latency": "20ms" }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    let cpu = minutes(
        &mut world,
        "AWS/ECS",
        "CPUUtilization",
        &[("ClusterName", "demo"), ("ServiceName", "web")],
        "Average",
    );
    // 10 requests a second a task: 0.1 vCPU (102.4 units of 256) at 10 ms, twice at 20 ms.
    let before = cpu[cpu.len() - 4];
    let after = cpu[cpu.len() - 1];
    assert!((before - 40.0).abs() < 1.0, "{cpu:?}");
    assert!((after - 80.0).abs() < 1.0, "{cpu:?}");
}

#[test]
fn each_listener_keeps_its_own_traffic_and_a_request_without_a_port_replaces_them_all() {
    let mut world = cluster([1, 1], "web:1", 256, 0);
    let (lb, web) = balancer(&mut world, "application", "web");
    let api = group(&mut world, "api", "HTTP");
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Protocol": "HTTP", "Port": 81,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": api }] }),
    );
    service(&mut world, &web, 1, json!({}));
    service(&mut world, &api, 1, json!({ "serviceName": "api" }));
    sim::advance(&mut world, 2 * MINUTE);
    for (port, rate) in [(80, 10), (81, 30)] {
        sim::ok(
            &mut world,
            "sim:SetTraffic",
            json!({ "loadBalancer": "web", "port": port, "requestsPerSecond": rate }),
        );
    }
    sim::advance(&mut world, 2 * MINUTE);
    let per_group = |world: &mut World, tg: &str| {
        let dims = [
            ("LoadBalancer", dimension(&lb)),
            ("TargetGroup", dimension(tg)),
        ];
        let dims: Vec<(&str, &str)> = dims.iter().map(|(n, v)| (*n, v.as_str())).collect();
        minutes(world, "AWS/ApplicationELB", "RequestCount", &dims, "Sum")
    };
    assert_eq!(per_group(&mut world, &web).last(), Some(&600.0));
    assert_eq!(per_group(&mut world, &api).last(), Some(&1800.0));
    // Without a port: the whole load balancer's traffic is replaced (here, stopped).
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 0 }),
    );
    assert!(world.sim.traffic.flows.is_empty());
}
