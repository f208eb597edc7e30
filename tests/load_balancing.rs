//! Elastic Load Balancing v2: load balancers, listeners and target groups as ELB makes and
//! refuses them (aws-facts 8 and 17.1), and the target health state machine: one passing
//! check for a new target, the unhealthy threshold, the healthy threshold to recover, the
//! security groups between the load balancer and the instance, who listens on the port, the
//! image's health endpoint, TCP checks that only connect, deregistration delay, and targets of
//! a group no listener uses.

mod sim;

use ecsplay::world::World;
use serde_json::{json, Value};

const DEFAULT_VPC: &str = "vpc-0defa017000000000";
const SUBNETS: [&str; 2] = ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"];

fn target_group(world: &mut World, name: &str, extra: Value) -> Value {
    let mut input = json!({ "Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": DEFAULT_VPC });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    sim::ok(world, "elasticloadbalancing:CreateTargetGroup", input)["TargetGroups"][0].clone()
}

fn load_balancer(world: &mut World, name: &str, groups: Value) -> String {
    sim::ok(
        world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": name, "Subnets": SUBNETS, "SecurityGroups": groups }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn listener(world: &mut World, lb: &str, tg: &str) {
    sim::ok(
        world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Protocol": "HTTP", "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
}

#[test]
fn target_groups_take_elbs_defaults_per_protocol_and_refuse_out_of_range_settings() {
    let mut world = sim::world();
    let http = target_group(&mut world, "web", json!({}));
    assert_eq!(http["HealthCheckProtocol"], "HTTP");
    assert_eq!(http["HealthCheckPort"], "traffic-port");
    assert_eq!(http["HealthCheckPath"], "/");
    assert_eq!(http["HealthCheckIntervalSeconds"], 30);
    assert_eq!(
        http["HealthCheckTimeoutSeconds"], 6,
        "HTTP: 6 s (aws-facts 17.1.2)"
    );
    assert_eq!(http["HealthyThresholdCount"], 5);
    assert_eq!(http["UnhealthyThresholdCount"], 2);
    assert_eq!(http["Matcher"], json!({ "HttpCode": "200" }));
    assert_eq!(http["TargetType"], "instance");
    assert_eq!(http["LoadBalancerArns"], json!([]));
    let arn = http["TargetGroupArn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/"),
        "{arn}"
    );
    let tcp = target_group(&mut world, "nlb-targets", json!({ "Protocol": "TCP" }));
    assert_eq!(tcp["HealthCheckProtocol"], "TCP");
    assert_eq!(tcp["HealthCheckTimeoutSeconds"], 10);
    assert!(tcp.get("Matcher").is_none() && tcp.get("HealthCheckPath").is_none());
    let attributes = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        json!({ "TargetGroupArn": arn }),
    );
    assert!(attributes["Attributes"]
        .as_array()
        .unwrap()
        .contains(&json!({ "Key": "deregistration_delay.timeout_seconds", "Value": "300" })));

    let refused: &[(Value, &str, &str)] = &[
        (
            json!({ "HealthCheckIntervalSeconds": 4 }),
            "ValidationError",
            "$.HealthCheckIntervalSeconds",
        ),
        (
            json!({ "HealthCheckTimeoutSeconds": 121 }),
            "ValidationError",
            "$.HealthCheckTimeoutSeconds",
        ),
        (
            json!({ "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 5 }),
            "ValidationError",
            "$.HealthCheckTimeoutSeconds",
        ),
        (
            json!({ "HealthyThresholdCount": 11 }),
            "ValidationError",
            "$.HealthyThresholdCount",
        ),
        (
            json!({ "UnhealthyThresholdCount": 1 }),
            "ValidationError",
            "$.UnhealthyThresholdCount",
        ),
        (
            json!({ "Matcher": { "HttpCode": "200-502" } }),
            "ValidationError",
            "$.Matcher.HttpCode",
        ),
        (
            json!({ "HealthCheckEnabled": false }),
            "ValidationError",
            "$.HealthCheckEnabled",
        ),
        (json!({ "Port": 0 }), "ValidationError", "$.Port"),
        (
            json!({ "VpcId": "vpc-0000000000000dead" }),
            "ValidationError",
            "$.VpcId",
        ),
        (
            json!({ "TargetType": "lambda" }),
            "UnsupportedFeatureException",
            "$.TargetType",
        ),
        (json!({ "Name": "-web" }), "ValidationError", "$.Name"),
        (
            json!({ "Name": "web" }),
            "DuplicateTargetGroupName",
            "$.Name",
        ),
    ];
    for (extra, code, path) in refused {
        let mut input =
            json!({ "Name": "other", "Protocol": "HTTP", "Port": 80, "VpcId": DEFAULT_VPC });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let before = world.describe_all()["targetGroups"].clone();
        let error = sim::err(&mut world, "elasticloadbalancing:CreateTargetGroup", input);
        assert_eq!(
            (error.code.as_str(), error.path.as_deref()),
            (*code, Some(*path)),
            "{extra}"
        );
        assert_eq!(
            world.describe_all()["targetGroups"],
            before,
            "nothing changed"
        );
    }
    let modified = sim::ok(
        &mut world,
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        json!({ "TargetGroupArn": arn, "Attributes": [
            { "Key": "deregistration_delay.timeout_seconds", "Value": "30" },
            { "Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests" }
        ] }),
    );
    assert!(modified["Attributes"]
        .as_array()
        .unwrap()
        .contains(&json!({ "Key": "deregistration_delay.timeout_seconds", "Value": "30" })));
    let both = sim::err(
        &mut world,
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        json!({ "TargetGroupArn": arn, "Attributes": [{ "Key": "slow_start.duration_seconds", "Value": "60" }] }),
    );
    assert_eq!(
        both.code, "InvalidConfigurationRequest",
        "slow start with LOR"
    );
}

#[test]
fn load_balancers_and_listeners_are_made_and_refused_as_elb_does() {
    let mut world = sim::world();
    let one = sim::err(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": [SUBNETS[0]] }),
    );
    assert_eq!(one.code, "ValidationError");
    assert_eq!(
        one.message,
        "At least two subnets in two different Availability Zones must be specified"
    );
    let vpc = sim::ok(
        &mut world,
        "ec2:CreateVpc",
        json!({ "CidrBlock": "10.0.0.0/16" }),
    );
    let extra = sim::ok(
        &mut world,
        "ec2:CreateSubnet",
        json!({ "VpcId": vpc["Vpc"]["VpcId"], "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a" }),
    )["Subnet"]["SubnetId"]
        .clone();
    let same_zone = sim::err(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": [SUBNETS[0], "subnet-aaaaaaaaaaaaaaaaa"] }),
    );
    assert_eq!(same_zone.code, "InvalidConfigurationRequest");
    assert_eq!(
        same_zone.message,
        "A load balancer cannot be attached to multiple subnets in the same Availability Zone"
    );
    let two_vpcs = sim::err(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": [SUBNETS[1], extra] }),
    );
    assert_eq!(two_vpcs.code, "ValidationError");
    let missing = sim::err(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": ["subnet-0nothing", SUBNETS[1]] }),
    );
    assert_eq!(missing.code, "SubnetNotFound");
    let made = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": SUBNETS }),
    )["LoadBalancers"][0]
        .clone();
    assert_eq!(made["Type"], "application");
    assert_eq!(made["Scheme"], "internet-facing");
    assert_eq!(made["VpcId"], DEFAULT_VPC);
    assert_eq!(
        made["SecurityGroups"],
        json!(["sg-0defa017000000000"]),
        "the VPC's default group"
    );
    assert_eq!(made["AvailabilityZones"][1]["ZoneName"], "us-east-1b");
    let dns = made["DNSName"].as_str().unwrap();
    assert!(
        dns.starts_with("web-") && dns.ends_with(".us-east-1.elb.amazonaws.com"),
        "{dns}"
    );
    let lb = made["LoadBalancerArn"].as_str().unwrap().to_string();
    assert!(lb.contains(":loadbalancer/app/web/"), "{lb}");

    let tg = target_group(&mut world, "web", json!({}))["TargetGroupArn"].clone();
    let tg = tg.as_str().unwrap();
    listener(&mut world, &lb, tg);
    let again = sim::err(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Port": 80, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    assert_eq!(again.code, "DuplicateListener");
    let other = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "api", "Subnets": SUBNETS }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .clone();
    let shared = sim::err(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": other, "Port": 80, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    assert_eq!(shared.code, "TargetGroupAssociationLimit");
    assert_eq!(
        shared.message,
        format!("The following target groups cannot be associated with more than one load balancer: {tg}")
    );
    let described = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetGroups",
        json!({ "LoadBalancerArn": lb }),
    );
    assert_eq!(
        described["TargetGroups"][0]["LoadBalancerArns"],
        json!([lb])
    );
    let in_use = sim::err(
        &mut world,
        "elasticloadbalancing:DeleteTargetGroup",
        json!({ "TargetGroupArn": tg }),
    );
    assert_eq!(in_use.code, "ResourceInUse");
    assert_eq!(
        in_use.message,
        format!("Target group '{tg}' is currently in use by a listener or a rule")
    );
    // Without its load balancer (and so its listener) the group can go.
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeleteLoadBalancer",
        json!({ "LoadBalancerArn": lb }),
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeleteTargetGroup",
        json!({ "TargetGroupArn": tg }),
    );
    let gone = sim::err(
        &mut world,
        "elasticloadbalancing:DescribeTargetGroups",
        json!({ "TargetGroupArns": [tg] }),
    );
    assert_eq!(gone.code, "TargetGroupNotFound");
}

/// A cluster of one m5.large in us-east-1a running a task of `image` on host port 80, an ALB
/// in front (in the default group, or with `own_group` one of its own), and a target group
/// `extra` registered with the instance.
fn served(image: &str, own_group: bool, extra: Value) -> (World, String, String) {
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
    // The load balancer's group: the instance's default group, or one of its own ("alb"),
    // which the instance's default group does not let in.
    let lb_group = if own_group {
        sim::ok(
            &mut world,
            "ec2:CreateSecurityGroup",
            json!({ "GroupName": "alb", "Description": "the load balancer" }),
        )["GroupId"]
            .clone()
    } else {
        json!("sg-0defa017000000000")
    };
    let lb = load_balancer(&mut world, "web", json!([lb_group]));
    let tg = target_group(&mut world, "web", extra)["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    listener(&mut world, &lb, &tg);
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterTargets",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance }] }),
    );
    (world, tg, instance)
}

/// The target's state, reason and description, as DescribeTargetHealth gives them.
fn health(world: &mut World, tg: &str) -> (String, Option<String>, Option<String>) {
    let answer = sim::ok(
        world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    let h = &answer["TargetHealthDescriptions"][0]["TargetHealth"];
    let text = |key: &str| h.get(key).and_then(Value::as_str).map(str::to_string);
    (text("State").unwrap(), text("Reason"), text("Description"))
}

fn state(
    text: &str,
    reason: Option<&str>,
    description: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        text.into(),
        reason.map(str::to_string),
        description.map(str::to_string),
    )
}

#[test]
fn a_new_target_is_healthy_after_one_passing_check() {
    let (mut world, tg, instance) = served("nginx:1", false, json!({}));
    assert_eq!(
        health(&mut world, &tg),
        state(
            "initial",
            Some("Elb.RegistrationInProgress"),
            Some("Target registration is in progress")
        )
    );
    sim::advance(&mut world, 1_000);
    assert_eq!(
        health(&mut world, &tg).0,
        "initial",
        "the first check comes 1.5 s after registration"
    );
    sim::advance(&mut world, 1_000);
    assert_eq!(
        health(&mut world, &tg),
        state("healthy", None, None),
        "no Reason on a healthy target"
    );
    let described = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    assert_eq!(
        described["TargetHealthDescriptions"][0]["Target"],
        json!({ "Id": instance, "Port": 80, "AvailabilityZone": "us-east-1a" })
    );
    assert_eq!(
        described["TargetHealthDescriptions"][0]["HealthCheckPort"],
        "80"
    );
}

#[test]
fn a_failing_endpoint_is_unhealthy_after_the_threshold_and_recovers_after_the_healthy_threshold() {
    let (mut world, tg, _) = served("flaky:1", false, json!({}));
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "flaky:1", "targetHealth": "fail" }),
    );
    sim::advance(&mut world, 2_000);
    assert_eq!(
        health(&mut world, &tg),
        state(
            "initial",
            Some("Elb.InitialHealthChecking"),
            Some("Initial health checks in progress")
        ),
        "one failure of the two the threshold asks for"
    );
    sim::advance(&mut world, 30_000);
    assert_eq!(
        health(&mut world, &tg),
        state(
            "unhealthy",
            Some("Target.ResponseCodeMismatch"),
            Some("Health checks failed with these codes: [500]")
        )
    );
    // The endpoint recovers: five passing checks in a row (30 s apart) before it is healthy.
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "flaky:1", "targetHealth": "pass" }),
    );
    sim::advance(&mut world, 4 * 30_000);
    assert_eq!(
        health(&mut world, &tg).0,
        "unhealthy",
        "four passes are not enough"
    );
    sim::advance(&mut world, 30_000);
    assert_eq!(health(&mut world, &tg).0, "healthy");
}

#[test]
fn a_tcp_check_only_connects_so_a_failing_endpoint_passes_it() {
    let (mut world, _, instance) = served("flaky:2", false, json!({}));
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "flaky:2", "targetHealth": "fail" }),
    );
    // The same task behind an NLB, whose TCP target group checks by connecting.
    let nlb = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "tcp", "Type": "network", "Subnets": SUBNETS, "SecurityGroups": ["sg-0defa017000000000"] }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .clone();
    let tg = target_group(&mut world, "tcp", json!({ "Protocol": "TCP" }))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let http_to_nlb = sim::err(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": nlb, "Protocol": "HTTP", "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    assert_eq!(http_to_nlb.path.as_deref(), Some("$.Protocol"));
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": nlb, "Protocol": "TCP", "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterTargets",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance }] }),
    );
    sim::advance(&mut world, 32_000);
    assert_eq!(health(&mut world, &tg).0, "healthy");
    // An ALB target group cannot check by TCP.
    let refused = sim::err(
        &mut world,
        "elasticloadbalancing:CreateTargetGroup",
        json!({ "Name": "web2", "Protocol": "HTTP", "Port": 80, "VpcId": DEFAULT_VPC, "HealthCheckProtocol": "TCP" }),
    );
    assert_eq!(refused.path.as_deref(), Some("$.HealthCheckProtocol"));
}

#[test]
fn a_security_group_that_does_not_let_the_load_balancer_in_times_the_checks_out() {
    // The instance keeps the default group, which lets in only its own members.
    let (mut world, tg, instance) = served("nginx:1", true, json!({}));
    sim::advance(&mut world, 32_000);
    assert_eq!(
        health(&mut world, &tg),
        state(
            "unhealthy",
            Some("Target.Timeout"),
            Some("Request timed out")
        )
    );
    // The fix: the instance's group lets the load balancer's group in on port 80. Healthy
    // again takes the healthy threshold (five checks).
    let alb = world.describe_all()["loadBalancers"][0]["SecurityGroups"][0].clone();
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{ "GroupId": alb }] }] }),
    );
    sim::advance(&mut world, 5 * 30_000);
    assert_eq!(health(&mut world, &tg).0, "healthy", "{instance}");
}

#[test]
fn nothing_listening_on_the_port_fails_the_checks() {
    let (mut world, tg, instance) = served("nginx:1", false, json!({}));
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterTargets",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance, "Port": 8080 }] }),
    );
    sim::advance(&mut world, 32_000);
    let answer = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance, "Port": 8080 }, { "Id": "i-0000000000000beef" }] }),
    );
    let d = &answer["TargetHealthDescriptions"];
    assert_eq!(
        d[0]["TargetHealth"],
        json!({ "State": "unhealthy", "Reason": "Target.FailedHealthChecks", "Description": "Health checks failed" })
    );
    assert_eq!(
        d[1]["TargetHealth"],
        json!({ "State": "unused", "Reason": "Target.NotRegistered", "Description": "Target is not registered to the target group" })
    );
}

#[test]
fn a_deregistered_target_drains_for_the_delay_then_leaves() {
    let (mut world, tg, instance) = served("nginx:1", false, json!({}));
    sim::advance(&mut world, 2_000);
    sim::ok(
        &mut world,
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        json!({ "TargetGroupArn": tg, "Attributes": [{ "Key": "deregistration_delay.timeout_seconds", "Value": "30" }] }),
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeregisterTargets",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance }] }),
    );
    assert_eq!(
        health(&mut world, &tg),
        state(
            "draining",
            Some("Target.DeregistrationInProgress"),
            Some("Target deregistration is in progress")
        )
    );
    sim::advance(&mut world, 29_000);
    assert_eq!(health(&mut world, &tg).0, "draining");
    sim::advance(&mut world, 1_000);
    let answer = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    assert_eq!(
        answer["TargetHealthDescriptions"],
        json!([]),
        "gone after 30 s"
    );
}

#[test]
fn targets_of_a_group_no_listener_uses_are_unused_until_one_does() {
    let mut world = sim::world();
    sim::cluster(&mut world, "demo", "m5.large", &["us-east-1a"], 1);
    let instance = world.describe_all()["ec2Instances"][0]["InstanceId"].clone();
    let tg = target_group(&mut world, "web", json!({}))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "elasticloadbalancing:RegisterTargets",
        json!({ "TargetGroupArn": tg, "Targets": [{ "Id": instance }] }),
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(
        health(&mut world, &tg),
        state(
            "unused",
            Some("Target.NotInUse"),
            Some("Target group is not configured to receive traffic from the load balancer")
        )
    );
    let lb = load_balancer(&mut world, "web", json!(["sg-0defa017000000000"]));
    listener(&mut world, &lb, &tg);
    assert_eq!(
        health(&mut world, &tg).1.as_deref(),
        Some("Elb.RegistrationInProgress")
    );
    // Nothing listens on port 80 of the instance: the checks fail.
    sim::advance(&mut world, 32_000);
    assert_eq!(
        health(&mut world, &tg).1.as_deref(),
        Some("Target.FailedHealthChecks")
    );
    // A terminated instance is no target.
    sim::ok(
        &mut world,
        "ec2:TerminateInstances",
        json!({ "InstanceIds": [instance] }),
    );
    sim::advance(&mut world, 30_000);
    assert_eq!(
        health(&mut world, &tg),
        state(
            "unused",
            Some("Target.InvalidState"),
            Some("Target is in the terminated state")
        )
    );
}

#[test]
fn listener_rules_match_paths_and_hosts_by_priority_and_keep_their_groups_in_use() {
    use ecsplay::elb::rule::wildcard;
    assert!(wildcard("/api/*", "/api/orders"));
    assert!(wildcard("/api/*", "/api/"));
    assert!(!wildcard("/api/*", "/apis"));
    assert!(wildcard("*.example.com", "shop.example.com"));
    assert!(wildcard("/img/?.png", "/img/a.png"));
    assert!(!wildcard("/img/?.png", "/img/ab.png"));
    assert!(wildcard("*", ""));

    let mut world = sim::world();
    let lb = load_balancer(&mut world, "web", json!(["sg-0defa017000000000"]));
    let web = target_group(&mut world, "web", json!({}))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let api = target_group(&mut world, "api", json!({ "Port": 8080 }))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    listener(&mut world, &lb, &web);
    let listener_arn = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeListeners",
        json!({ "LoadBalancerArn": lb }),
    )["Listeners"][0]["ListenerArn"]
        .as_str()
        .unwrap()
        .to_string();
    let rule = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateRule",
        json!({ "ListenerArn": listener_arn, "Priority": 10,
                "Conditions": [{ "Field": "path-pattern", "Values": ["/api/*"] }],
                "Actions": [{ "Type": "forward", "TargetGroupArn": api }] }),
    )["Rules"][0]
        .clone();
    assert_eq!(rule["Priority"], "10", "a string, as ELB gives it");
    assert_eq!(
        rule["Conditions"][0]["PathPatternConfig"]["Values"],
        json!(["/api/*"])
    );
    assert!(rule["RuleArn"]
        .as_str()
        .unwrap()
        .contains(":listener-rule/app/web/"));
    let taken = sim::err(
        &mut world,
        "elasticloadbalancing:CreateRule",
        json!({ "ListenerArn": listener_arn, "Priority": 10,
                "Conditions": [{ "Field": "host-header", "HostHeaderConfig": { "Values": ["*.example.com"] } }],
                "Actions": [{ "Type": "forward", "TargetGroupArn": web }] }),
    );
    assert_eq!(
        (taken.code.as_str(), taken.message.as_str()),
        ("PriorityInUse", "Priority '10' is currently in use")
    );
    let headers = sim::err(
        &mut world,
        "elasticloadbalancing:CreateRule",
        json!({ "ListenerArn": listener_arn, "Priority": 20,
                "Conditions": [{ "Field": "http-header", "HttpHeaderConfig": { "HttpHeaderName": "x", "Values": ["y"] } }],
                "Actions": [{ "Type": "forward", "TargetGroupArn": web }] }),
    );
    assert_eq!(headers.code, "UnsupportedFeatureException");
    let described = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeRules",
        json!({ "ListenerArn": listener_arn }),
    );
    let rules = described["Rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1]["Priority"], "default");
    assert_eq!(rules[1]["IsDefault"], true);
    // The rule's group is in use: it names the load balancer, and cannot be deleted.
    let groups = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetGroups",
        json!({ "TargetGroupArns": [api] }),
    );
    assert_eq!(groups["TargetGroups"][0]["LoadBalancerArns"], json!([lb]));
    let in_use = sim::err(
        &mut world,
        "elasticloadbalancing:DeleteTargetGroup",
        json!({ "TargetGroupArn": api }),
    );
    assert_eq!(in_use.code, "ResourceInUse");
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeleteRule",
        json!({ "RuleArn": rule["RuleArn"] }),
    );
    sim::ok(
        &mut world,
        "elasticloadbalancing:DeleteTargetGroup",
        json!({ "TargetGroupArn": api }),
    );
}

/// Two instances (one per zone) of the default VPC whose default group lets the ALB's group in
/// on every TCP port, an ALB with that group, a target group `web` behind its listener, and a
/// task definition `web` whose container port 80 maps to `host_port` (0: dynamic).
fn service_world(host_port: u16, image: &str) -> (World, String) {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        1,
    );
    let alb_group = sim::ok(
        &mut world,
        "ec2:CreateSecurityGroup",
        json!({ "GroupName": "alb", "Description": "the load balancer" }),
    )["GroupId"]
        .clone();
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [{ "GroupId": alb_group }] }] }),
    );
    let lb = load_balancer(&mut world, "web", json!([alb_group]));
    let tg = target_group(
        &mut world,
        "web",
        json!({ "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 2 }),
    )["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    listener(&mut world, &lb, &tg);
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "containerDefinitions": [{ "name": "web", "image": image,
                "cpu": 256, "memory": 512, "portMappings": [{ "containerPort": 80, "hostPort": host_port }] }] }),
    );
    (world, tg)
}

fn web_service(world: &mut World, tg: &str, desired: u32) -> Value {
    sim::ok(
        world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": desired,
                "loadBalancers": [{ "targetGroupArn": tg, "containerName": "web", "containerPort": 80 }] }),
    )
}

#[test]
fn create_service_checks_its_load_balancers_with_ecs_messages() {
    let (mut world, tg) = service_world(0, "web:1");
    let unattached = target_group(&mut world, "spare", json!({}))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let ip = target_group(&mut world, "ips", json!({ "TargetType": "ip" }))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: &[(Value, &str, &str)] = &[
        (
            json!([{ "targetGroupArn": tg, "containerName": "api", "containerPort": 80 }]),
            "The container api does not exist in the task definition.",
            "$.loadBalancers[0].containerName",
        ),
        (
            json!([{ "targetGroupArn": tg, "containerName": "web", "containerPort": 443 }]),
            "The container web did not have a container port 443 defined.",
            "$.loadBalancers[0].containerPort",
        ),
        (
            json!([{ "targetGroupArn": tg, "containerPort": 80 }]),
            "Container Name can not be blank.",
            "$.loadBalancers[0].containerName",
        ),
        (
            json!([{ "targetGroupArn": unattached, "containerName": "web", "containerPort": 80 }]),
            "",
            "$.loadBalancers[0].targetGroupArn",
        ),
        (
            json!([{ "targetGroupArn": ip, "containerName": "web", "containerPort": 80 }]),
            "",
            "$.loadBalancers[0].targetGroupArn",
        ),
    ];
    for (lbs, message, path) in cases {
        let error = sim::err(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1, "loadBalancers": lbs }),
        );
        assert_eq!(error.code, "InvalidParameterException", "{lbs}");
        assert_eq!(error.path.as_deref(), Some(*path), "{lbs}");
        if !message.is_empty() {
            assert_eq!(error.message, *message);
        }
    }
    let unattached_error = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                "loadBalancers": [{ "targetGroupArn": unattached, "containerName": "web", "containerPort": 80 }] }),
    );
    assert_eq!(
        unattached_error.message,
        format!("The target group with targetGroupArn {unattached} does not have an associated load balancer.")
    );
    let ip_error = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 1,
                "loadBalancers": [{ "targetGroupArn": ip, "containerName": "web", "containerPort": 80 }] }),
    );
    assert_eq!(
        ip_error.message,
        format!("The provided target group {ip} has target type ip, which is incompatible with the bridge network mode specified in the task definition.")
    );
    assert!(world.ecs.services.is_empty(), "refusals change nothing");
}

#[test]
fn a_services_tasks_register_their_dynamic_ports_and_count_healthy_when_their_targets_are() {
    let (mut world, tg) = service_world(0, "web:1");
    let created = web_service(&mut world, &tg, 2);
    assert_eq!(
        created["service"]["loadBalancers"],
        json!([{ "targetGroupArn": tg, "containerName": "web", "containerPort": 80 }])
    );
    sim::advance(&mut world, 20_000);
    let messages = sim::messages(&world, "web");
    let registered = messages
        .iter()
        .filter(|m| **m == format!("(service web) registered 1 targets in (target-group {tg})"))
        .count();
    assert_eq!(registered, 2, "{messages:?}");
    // Each target is an instance and the host port Docker chose from the ephemeral range.
    let health = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    for d in health["TargetHealthDescriptions"].as_array().unwrap() {
        let port = d["Target"]["Port"].as_u64().unwrap();
        assert!(port >= 32768, "a dynamic host port: {port}");
        assert_eq!(d["TargetHealth"]["State"], "healthy", "{d}");
    }
    // Steady once the targets are healthy.
    sim::advance(&mut world, 60_000);
    assert!(
        sim::messages(&world, "web")
            .iter()
            .any(|m| m == "(service web) has reached a steady state."),
        "{:?}",
        sim::messages(&world, "web")
    );
}

#[test]
fn a_task_whose_target_turns_unhealthy_is_replaced_with_ecs_reason() {
    let (mut world, tg) = service_world(80, "web:1");
    web_service(&mut world, &tg, 1);
    sim::advance(&mut world, 120_000);
    let first = world.describe_all()["tasks"][0]["taskArn"]
        .as_str()
        .unwrap()
        .to_string();
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "targetHealth": "fail" }),
    );
    sim::advance(&mut world, 60_000);
    let messages = sim::messages(&world, "web");
    let id = first.rsplit('/').next().unwrap();
    assert!(
        messages.iter().any(|m| *m == format!(
            "(service web) (task {id}) (port 80) is unhealthy in (target-group {tg}) due to (reason Health checks failed with these codes: [500])."
        )),
        "{messages:?}"
    );
    let task = sim::describe_task(&mut world, "demo", &first);
    assert_eq!(task["desiredStatus"], "STOPPED");
    assert_eq!(task["stopCode"], "ServiceSchedulerInitiated");
    assert_eq!(
        task["stoppedReason"],
        json!(format!(
            "Task failed ELB health checks in (target-group {tg})"
        ))
    );
}

#[test]
fn a_stopping_task_drains_for_the_deregistration_delay_before_it_stops() {
    let (mut world, tg) = service_world(0, "web:1");
    sim::ok(
        &mut world,
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        json!({ "TargetGroupArn": tg, "Attributes": [{ "Key": "deregistration_delay.timeout_seconds", "Value": "120" }] }),
    );
    web_service(&mut world, &tg, 2);
    sim::advance(&mut world, 120_000);
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 1 }),
    );
    sim::advance(&mut world, 5_000);
    let messages = sim::messages(&world, "web");
    assert!(
        messages
            .iter()
            .any(|m| *m == format!("(service web) deregistered 1 targets in (target-group {tg})")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("(service web, taskSet ecs-svc/")
                && m.ends_with(") has begun draining connections on 1 tasks.")),
        "{messages:?}"
    );
    let stopping = |world: &mut World| {
        world.describe_all()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["desiredStatus"] == "STOPPED")
            .map(|t| t["lastStatus"].as_str().unwrap().to_string())
    };
    assert_eq!(stopping(&mut world).as_deref(), Some("DEACTIVATING"));
    let draining = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    assert!(draining
        .to_string()
        .contains("Target.DeregistrationInProgress"));
    sim::advance(&mut world, 110_000);
    assert_eq!(
        stopping(&mut world).as_deref(),
        Some("DEACTIVATING"),
        "still draining at 115 s"
    );
    sim::advance(&mut world, 60_000);
    assert_eq!(
        stopping(&mut world).as_deref(),
        Some("STOPPED"),
        "the delay over, the task stops"
    );
}

#[test]
fn the_map_marks_each_chip_with_its_targets_health() {
    use ecsplay::elb::read::TargetState;
    use ecsplay::ui::model::map::MapLayout;
    use ecsplay::ui::model::map_paint::target_colour;
    let (mut world, tg) = service_world(0, "web:1");
    web_service(&mut world, &tg, 2);
    sim::advance(&mut world, 20_000);
    let layout = MapLayout::build(&world, 900.0);
    let marks: Vec<Option<TargetState>> = layout.chips.iter().map(|c| c.target).collect();
    assert_eq!(
        marks,
        [Some(TargetState::Healthy), Some(TargetState::Healthy)]
    );
    // Scaled in, the stopping task's target drains, and its chip says so.
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "web", "desiredCount": 1 }),
    );
    sim::advance(&mut world, 5_000);
    let layout = MapLayout::build(&world, 900.0);
    let mut marks: Vec<Option<TargetState>> = layout.chips.iter().map(|c| c.target).collect();
    marks.sort_by_key(|m| format!("{m:?}"));
    assert_eq!(
        marks,
        [Some(TargetState::Draining), Some(TargetState::Healthy)]
    );
    assert_ne!(
        target_colour(TargetState::Healthy),
        target_colour(TargetState::Unhealthy)
    );
}

#[test]
fn fields_elb_would_act_on_and_the_model_does_not_are_refused_with_their_paths() {
    let mut world = sim::world();
    let lb = load_balancer(&mut world, "web", json!(["sg-0defa017000000000"]));
    let tg = target_group(&mut world, "web", json!({}))["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: &[(&str, Value, &str)] = &[
        (
            "elasticloadbalancing:CreateLoadBalancer",
            json!({ "Name": "nlb", "Type": "network", "SubnetMappings": [{ "SubnetId": SUBNETS[0], "AllocationId": "eipalloc-1" }] }),
            "$.SubnetMappings[0]",
        ),
        (
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Port": 81, "DefaultActions": [{ "Type": "redirect", "RedirectConfig": { "Protocol": "HTTPS", "StatusCode": "HTTP_301" } }] }),
            "$.DefaultActions[0]",
        ),
        (
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Port": 81, "DefaultActions": [{ "Type": "forward", "ForwardConfig": {
                "TargetGroups": [{ "TargetGroupArn": tg }], "TargetGroupStickinessConfig": { "Enabled": true, "DurationSeconds": 60 } } }] }),
            "$.DefaultActions[0]",
        ),
        (
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Port": 81, "MutualAuthentication": { "Mode": "verify" },
                    "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
            "$.MutualAuthentication",
        ),
        (
            "elasticloadbalancing:RegisterTargets",
            json!({ "TargetGroupArn": tg, "Targets": [{ "Id": "i-0000000000000beef", "QuicServerId": "0x1" }] }),
            "$.Targets[0].QuicServerId",
        ),
        (
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
                    "UserIdGroupPairs": [{ "GroupId": "sg-0defa017000000000", "VpcPeeringConnectionId": "pcx-1" }] }] }),
            "$.IpPermissions[0].UserIdGroupPairs[0].VpcPeeringConnectionId",
        ),
    ];
    for (action, input, path) in cases {
        let error = sim::err(&mut world, action, input.clone());
        assert_eq!(error.code, "UnsupportedFeatureException", "{input}");
        assert_eq!(error.path.as_deref(), Some(*path), "{input}");
    }
    let mixed = sim::err(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Port": 81, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg,
                "FixedResponseConfig": { "StatusCode": "200" } }] }),
    );
    assert_eq!(mixed.code, "ValidationError");
}

/// A Fargate service of `api` tasks (port 8080) behind an ALB with an `ip` target group, the
/// tasks in the default subnets of two zones with the security group `tasks`; `open` lets the
/// ALB's group into `tasks` on 8080.
fn fargate_world(open: bool) -> (World, String) {
    let mut world = sim::world();
    sim::ok(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "api", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                "cpu": "256", "memory": "512",
                "containerDefinitions": [{ "name": "api", "image": "api:1", "portMappings": [{ "containerPort": 8080 }] }] }),
    );
    let group = |world: &mut World, name: &str| {
        sim::ok(
            world,
            "ec2:CreateSecurityGroup",
            json!({ "GroupName": name, "Description": name }),
        )["GroupId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (alb, tasks) = (group(&mut world, "alb"), group(&mut world, "tasks"));
    if open {
        sim::ok(
            &mut world,
            "ec2:AuthorizeSecurityGroupIngress",
            json!({ "GroupId": tasks, "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{ "GroupId": alb }] }] }),
        );
    }
    let lb = load_balancer(&mut world, "api", json!([alb]));
    let tg = target_group(
        &mut world,
        "api",
        json!({ "TargetType": "ip", "Port": 8080 }),
    )["TargetGroupArn"]
        .as_str()
        .unwrap()
        .to_string();
    listener(&mut world, &lb, &tg);
    let instances =
        target_group(&mut world, "inst", json!({ "Port": 8080 }))["TargetGroupArn"].clone();
    let instance_type = sim::err(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "api", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
                "networkConfiguration": { "awsvpcConfiguration": { "subnets": SUBNETS, "securityGroups": [tasks] } },
                "loadBalancers": [{ "targetGroupArn": instances, "containerName": "api", "containerPort": 8080 }] }),
    );
    assert!(
        instance_type.message.contains(
            "has target type instance, which is incompatible with the awsvpc network mode"
        ),
        "{}",
        instance_type.message
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "api", "taskDefinition": "api", "desiredCount": 2, "launchType": "FARGATE",
                "networkConfiguration": { "awsvpcConfiguration": { "subnets": SUBNETS, "securityGroups": [tasks] } },
                "loadBalancers": [{ "targetGroupArn": tg, "containerName": "api", "containerPort": 8080 }] }),
    );
    sim::advance(&mut world, 90_000);
    (world, tg)
}

#[test]
fn fargate_tasks_register_their_own_addresses_in_an_ip_target_group() {
    let (mut world, tg) = fargate_world(true);
    let health = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    let targets = health["TargetHealthDescriptions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(targets.len(), 2);
    let tasks = world.describe_all()["tasks"].clone();
    for target in &targets {
        assert_eq!(target["TargetHealth"]["State"], "healthy", "{target}");
        assert_eq!(target["Target"]["Port"], 8080);
        let address = target["Target"]["Id"].as_str().unwrap();
        assert!(
            address.starts_with("172.31."),
            "an address of a default subnet: {address}"
        );
        // The address is the task's own, as DescribeTasks gives it in its ENI attachment.
        let task = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["attachments"][0]["details"][3]["value"] == json!(address))
            .unwrap_or_else(|| panic!("no task has {address}"));
        assert_eq!(task["attachments"][0]["type"], "ElasticNetworkInterface");
        assert_eq!(task["attachments"][0]["status"], "ATTACHED");
        assert_eq!(
            target["Target"]["AvailabilityZone"],
            task["availabilityZone"]
        );
    }
}

#[test]
fn an_ip_target_whose_task_group_does_not_let_the_alb_in_times_out() {
    let (mut world, tg) = fargate_world(false);
    sim::advance(&mut world, 60_000);
    let health = sim::ok(
        &mut world,
        "elasticloadbalancing:DescribeTargetHealth",
        json!({ "TargetGroupArn": tg }),
    );
    let text = health.to_string();
    assert!(
        text.contains("Target.Timeout") || text.contains("Task failed"),
        "{text}"
    );
    assert!(
        sim::messages(&world, "api")
            .iter()
            .any(|m| m.contains("due to (reason Request timed out).")),
        "{:?}",
        sim::messages(&world, "api")
    );
}

#[test]
fn the_day_behind_an_alb_benchmark_keeps_every_task_a_healthy_target() {
    // A hundredth of the benchmark's size, for an hour: every task registered and healthy.
    let world = ecsplay::bench::simulated_day_behind_alb_until(10, 100, 3_600_000);
    let targets: Vec<_> = world
        .elb
        .target_groups
        .iter()
        .flat_map(|tg| tg.targets.iter())
        .collect();
    assert_eq!(targets.len(), 100);
    assert!(targets
        .iter()
        .all(|t| t.state == ecsplay::elb::read::TargetState::Healthy));
}
