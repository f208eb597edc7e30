//! Application Auto Scaling of an ECS service (aws-facts 6, 17.3): scalable targets, target
//! tracking with its two managed alarms acting on live traffic (out, then in after its
//! cooldown), step scaling's adjustments and rounding (the worked example of aws-facts 6.3),
//! min/max, and scaling activities in AWS's words.

mod sim;

use ecsplay::autoscaling::{
    percent_change, scale_in_capacity, scale_out_capacity, step_capacity, step_for, Adjustment,
    Step,
};
use ecsplay::world::World;
use serde_json::{json, Value};

const MINUTE: u64 = 60_000;

#[test]
fn percent_changes_round_as_application_auto_scaling_does() {
    assert_eq!(percent_change(10, 127), 12, "12.7 rounds down");
    assert_eq!(percent_change(4, 10), 1, "0.4 rounds up to 1");
    assert_eq!(percent_change(4, -10), -1, "-0.4 rounds to -1");
    assert_eq!(percent_change(10, -67), -6, "-6.7 rounds toward zero");
    let step = Step {
        adjustment: Adjustment::Percent,
        steps: vec![],
        min_adjustment_magnitude: Some(2),
        cooldown_s: 0,
        aggregation: "Average".into(),
        configuration: Value::Null,
    };
    assert_eq!(
        step_capacity(&step, 4, 25),
        6,
        "25% of 4 is 1; the minimum magnitude makes it 2"
    );
}

#[test]
fn the_worked_step_scaling_example_comes_out_exactly() {
    // Threshold 50; above it 0-10 nothing, 10-20 +10%, 20 and more +30%; below it down to -15
    // -10%, beyond -30%. Bounds above: lower inclusive, upper exclusive; below, the reverse.
    let steps = vec![
        (None, Some(-15.0), -30),
        (Some(-15.0), Some(0.0), -10),
        (Some(0.0), Some(10.0), 0),
        (Some(10.0), Some(20.0), 10),
        (Some(20.0), None, 30),
    ];
    let step = Step {
        adjustment: Adjustment::Percent,
        steps: steps.clone(),
        min_adjustment_magnitude: None,
        cooldown_s: 0,
        aggregation: "Average".into(),
        configuration: Value::Null,
    };
    let mut capacity = 10u32;
    for (metric, expected) in [(60.0, 11), (70.0, 14), (40.0, 13), (30.0, 10)] {
        let adjustment = step_for(&steps, metric - 50.0).unwrap();
        capacity = step_capacity(&step, capacity, adjustment) as u32;
        assert_eq!(capacity, expected, "metric {metric}");
    }
    // The ends: 10 above is the +10% step (lower inclusive), 15 below the -30% one (upper
    // inclusive below the threshold).
    assert_eq!(step_for(&steps, 10.0), Some(10));
    assert_eq!(step_for(&steps, -15.0), Some(-30));
    assert_eq!(step_for(&steps, 0.0), Some(0));
}

#[test]
fn target_tracking_capacity_is_proportional_out_and_rounded_down_in() {
    assert_eq!(
        scale_out_capacity(4, 80.0, 50.0),
        7,
        "ceil(4 x 80 / 50) = ceil(6.4)"
    );
    assert_eq!(scale_out_capacity(4, 50.5, 50.0), 5, "at least one more");
    assert_eq!(
        scale_in_capacity(7, 30.0, 50.0),
        5,
        "ceil(7 x 30 / 50) = ceil(4.2): 4 would be over 50"
    );
    assert_eq!(
        scale_in_capacity(4, 40.0, 50.0),
        4,
        "4 x 40 / 50 = 3.2: 3 would flap"
    );
}

/// A cluster of four m5.large instances, an ALB, and service `web` of 2 tasks of a quarter
/// vCPU (task-level cpu 256) behind it, each request 10 ms of CPU.
fn scaled_world() -> World {
    let mut world = sim::world();
    sim::cluster(
        &mut world,
        "demo",
        "m5.large",
        &["us-east-1a", "us-east-1b"],
        2,
    );
    sim::ok(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{ "CidrIp": "172.31.0.0/16" }] }] }),
    );
    sim::ok(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "web", "cpu": "256", "memory": "512", "containerDefinitions": [{ "name": "web", "image": "web:1",
                "portMappings": [{ "containerPort": 80, "hostPort": 0 }] }] }),
    );
    sim::ok(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "web:1", "cpuPerRequest": "10ms", "latency": "20ms" }),
    );
    let lb = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateLoadBalancer",
        json!({ "Name": "web", "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"], "SecurityGroups": ["sg-0defa017000000000"] }),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .clone();
    let tg = sim::ok(
        &mut world,
        "elasticloadbalancing:CreateTargetGroup",
        json!({ "Name": "web", "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-0defa017000000000",
                "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 2 }),
    )["TargetGroups"][0]["TargetGroupArn"]
        .clone();
    sim::ok(
        &mut world,
        "elasticloadbalancing:CreateListener",
        json!({ "LoadBalancerArn": lb, "Protocol": "HTTP", "Port": 80,
                "DefaultActions": [{ "Type": "forward", "TargetGroupArn": tg }] }),
    );
    sim::ok(
        &mut world,
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web", "desiredCount": 2,
                "loadBalancers": [{ "targetGroupArn": tg, "containerName": "web", "containerPort": 80 }] }),
    );
    sim::advance(&mut world, 2 * MINUTE);
    world
}

fn register(world: &mut World, min: u32, max: u32) -> Value {
    sim::ok(
        world,
        "application-autoscaling:RegisterScalableTarget",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
                "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": min, "MaxCapacity": max }),
    )
}

fn desired(world: &mut World) -> u64 {
    sim::describe_service(world, "demo", "web")["desiredCount"]
        .as_u64()
        .unwrap()
}

fn activities(world: &mut World) -> Vec<Value> {
    sim::ok(
        world,
        "application-autoscaling:DescribeScalingActivities",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/web" }),
    )["ScalingActivities"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn target_tracking_on_cpu_makes_its_alarms_and_scales_out_then_in_after_its_cooldown() {
    let mut world = scaled_world();
    let registered = register(&mut world, 1, 10);
    assert!(registered["ScalableTargetARN"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/"));
    let policy = sim::ok(
        &mut world,
        "application-autoscaling:PutScalingPolicy",
        json!({ "PolicyName": "cpu50", "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
                "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": { "TargetValue": 50.0,
                    "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" } } }),
    );
    let arn = policy["PolicyARN"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:")
            && arn.ends_with(":resource/ecs/service/demo/web:policyName/cpu50"),
        "{arn}"
    );
    let names: Vec<&str> = (policy["Alarms"].as_array().unwrap().iter())
        .map(|a| a["AlarmName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names[0].starts_with("TargetTracking-service/demo/web-AlarmHigh-"));
    assert!(names[1].starts_with("TargetTracking-service/demo/web-AlarmLow-"));
    let alarms =
        sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}))["MetricAlarms"].clone();
    let high = &alarms[0];
    assert_eq!(
        (
            high["MetricName"].as_str(),
            high["Namespace"].as_str(),
            high["Statistic"].as_str()
        ),
        (Some("CPUUtilization"), Some("AWS/ECS"), Some("Average"))
    );
    assert_eq!(high["Threshold"], 50.0);
    assert_eq!(high["EvaluationPeriods"], 3);
    assert_eq!(high["ComparisonOperator"], "GreaterThanThreshold");
    assert_eq!(high["AlarmActions"], json!([arn]));
    assert_eq!(
        high["AlarmDescription"],
        format!("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}.")
    );
    assert_eq!(alarms[1]["Threshold"], 45.0);
    assert_eq!(alarms[1]["EvaluationPeriods"], 15);
    assert_eq!(alarms[1]["ComparisonOperator"], "LessThanThreshold");

    // 40 requests a second over 2 tasks: 20 each, 0.2 vCPU of their 0.25: 80% CPU.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 40 }),
    );
    sim::advance(&mut world, 5 * MINUTE);
    let state = |world: &mut World, name: &str| {
        sim::ok(
            world,
            "cloudwatch:DescribeAlarms",
            json!({ "AlarmNames": [name] }),
        )["MetricAlarms"][0]["StateValue"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let went: Vec<(String, String)> = (sim::events(&world, "CloudWatch Alarm State Change").iter())
        .map(|e| {
            (
                e["detail"]["alarmName"].as_str().unwrap().to_string(),
                e["detail"]["state"]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        went.contains(&(names[0].to_string(), "ALARM".to_string())),
        "{went:?}"
    );
    assert_eq!(desired(&mut world), 4, "ceil(2 x 80 / 50)");
    let first = &activities(&mut world)[0];
    assert_eq!(first["Description"], "Setting desired count to 4.");
    assert_eq!(
        first["Cause"],
        format!(
            "monitor alarm {} in state ALARM triggered policy cpu50",
            names[0]
        )
    );
    assert_eq!(first["StatusCode"], "Successful");
    assert_eq!(
        first["StatusMessage"],
        "Successfully set desired count to 4. Change successfully fulfilled by ecs."
    );
    let updated = sim::events(&world, "ECS Service Action");
    assert!(
        updated
            .iter()
            .any(|e| e["detail"]["eventName"] == "SERVICE_DESIRED_COUNT_UPDATED"),
        "ECS says the desired count was updated"
    );
    // Four tasks at 10 a second each: 40%, under the low alarm's 45, but 3 tasks would be at
    // 53%, over the target: not scaled (anticipated flapping).
    sim::advance(&mut world, 20 * MINUTE);
    assert_eq!(desired(&mut world), 4);
    let all = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScalingActivities",
        json!({ "ServiceNamespace": "ecs", "IncludeNotScaledActivities": true }),
    );
    assert_eq!(
        all["ScalingActivities"][0]["NotScaledReasons"][0]["Code"],
        "AutoScalingAnticipatedFlapping",
        "{all}"
    );
    // Half the traffic: 20%; after 15 minutes below 45 the low alarm scales in to ceil(4 x 20
    // / 50) = 2, and 2 tasks at 40% stay.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 20 }),
    );
    sim::advance(&mut world, 20 * MINUTE);
    assert_eq!(state(&mut world, names[0]), "OK");
    assert_eq!(desired(&mut world), 2, "ceil(4 x 20 / 50) = 2");
    assert_eq!(
        activities(&mut world)[0]["Description"],
        "Setting desired count to 2."
    );
    // The charts: the tasks chart marks each change; the high alarm's chart has its time in
    // ALARM behind its metric.
    use ecsplay::ui::model::charts::{alarm_charts, scaling_marks};
    let marks = scaling_marks(&world, "demo", "web");
    let labels: Vec<&str> = marks.iter().map(|(_, label, _)| label.as_str()).collect();
    assert_eq!(labels, ["-> 4", "-> 2"]);
    // Each mark says, on hover, what the activity says: its description and cause.
    assert!(
        marks[0].2.starts_with(
            "Setting desired count to 4. monitor alarm TargetTracking-service/demo/web-AlarmHigh-"
        ) && marks[0].2.contains("in state ALARM triggered policy cpu50"),
        "{}",
        marks[0].2
    );
    // Its strip sits on its line: the plot from 42 to 404 of 420 pixels over 0 to 20 minutes.
    let share = ecsplay::ui::model::charts::x_share(10 * MINUTE, 20.0, (42.0, 16.0, 420.0));
    assert!((share - (42.0 + 181.0) / 420.0).abs() < 1e-9, "{share}");
    let charts = alarm_charts(&world);
    let high = charts
        .iter()
        .find(|c| c.caption.starts_with("AlarmHigh"))
        .unwrap();
    assert_eq!(high.bands.len(), 1, "one stretch in ALARM");
    let (from, to) = high.bands[0];
    assert!(to > from && to - from >= 60_000, "{:?}", high.bands);
}

#[test]
fn the_scalable_target_bounds_hold_and_requests_are_checked() {
    let mut world = scaled_world();
    let refused: &[(&str, Value, &str, &str)] = &[
        (
            "RegisterScalableTarget",
            json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/nope", "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 1, "MaxCapacity": 2 }),
            "ValidationException",
            "ECS service doesn't exist: service/demo/nope",
        ),
        (
            "RegisterScalableTarget",
            json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount", "MinCapacity": 5, "MaxCapacity": 2 }),
            "ValidationException",
            "Minimum capacity (5) cannot be greater than maximum capacity (2).",
        ),
        (
            "PutScalingPolicy",
            json!({ "PolicyName": "p", "ServiceNamespace": "ecs", "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount",
                    "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": { "TargetValue": 50.0,
                    "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" } } }),
            "ObjectNotFoundException",
            "No scalable target registered for service namespace: ecs, resource ID: service/demo/web, scalable dimension: ecs:service:DesiredCount",
        ),
    ];
    for (operation, input, code, message) in refused {
        let e = sim::err(
            &mut world,
            &format!("application-autoscaling:{operation}"),
            input.clone(),
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            (*code, *message),
            "{operation}"
        );
    }
    register(&mut world, 1, 3);
    // A step policy on a user alarm: +3 tasks whenever the load is 0 or more above 80.
    let policy = sim::ok(
        &mut world,
        "application-autoscaling:PutScalingPolicy",
        json!({ "PolicyName": "burst", "ServiceNamespace": "ecs", "ResourceId": "service/demo/web",
                "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "StepScaling",
                "StepScalingPolicyConfiguration": { "AdjustmentType": "ChangeInCapacity", "Cooldown": 60,
                    "StepAdjustments": [{ "MetricIntervalLowerBound": 0, "ScalingAdjustment": 3 }] } }),
    );
    assert!(policy.get("Alarms").is_none());
    sim::ok(
        &mut world,
        "cloudwatch:PutMetricAlarm",
        json!({ "AlarmName": "load-high", "Namespace": "App", "MetricName": "Load", "Statistic": "Maximum",
                "Period": 60, "EvaluationPeriods": 1, "Threshold": 80, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "AlarmActions": [policy["PolicyARN"]] }),
    );
    for _ in 0..3 {
        sim::advance(&mut world, 1_000);
        sim::ok(
            &mut world,
            "cloudwatch:PutMetricData",
            json!({ "Namespace": "App", "MetricData": [{ "MetricName": "Load", "Value": 95 }] }),
        );
        sim::advance(&mut world, MINUTE - 1_000);
    }
    assert_eq!(desired(&mut world), 3, "2 + 3 held at the maximum of 3");
    let with_not_scaled = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScalingActivities",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/web", "IncludeNotScaledActivities": true }),
    )["ScalingActivities"]
        .as_array()
        .unwrap()
        .clone();
    let not_scaled = with_not_scaled
        .iter()
        .find(|a| a.get("NotScaledReasons").is_some())
        .expect("a not-scaled activity at the maximum");
    assert_eq!(
        not_scaled["NotScaledReasons"][0]["Code"],
        "AlreadyAtMaxCapacity"
    );
    assert_eq!(not_scaled["StatusCode"], "Failed");
    // Deregistering the target deletes its policies (a target-tracking one's alarms too).
    sim::ok(
        &mut world,
        "application-autoscaling:DeregisterScalableTarget",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/web", "ScalableDimension": "ecs:service:DesiredCount" }),
    );
    let policies = sim::ok(
        &mut world,
        "application-autoscaling:DescribeScalingPolicies",
        json!({ "ServiceNamespace": "ecs" }),
    );
    assert_eq!(policies["ScalingPolicies"], json!([]));
}

#[test]
fn the_panel_offers_requests_per_target_with_the_services_resource_label() {
    use ecsplay::ui::model::scaling::{scaling_view, target_tracking_request};
    let mut world = scaled_world();
    let view = scaling_view(&world, "demo", "web");
    assert_eq!(view.bounds, None);
    let label = view.resource_label.clone().expect("web is behind an ALB");
    assert!(
        label.starts_with("app/web/") && label.contains("/targetgroup/web/"),
        "{label}"
    );
    register(&mut world, 2, 6);
    let request = target_tracking_request(
        "service/demo/web",
        "ALBRequestCountPerTarget",
        "600",
        Some(&label),
    );
    assert_eq!(request["PolicyName"], "requests-target-tracking");
    sim::ok(
        &mut world,
        "application-autoscaling:PutScalingPolicy",
        request,
    );
    let alarms =
        sim::ok(&mut world, "cloudwatch:DescribeAlarms", json!({}))["MetricAlarms"].clone();
    assert_eq!(alarms[0]["MetricName"], "RequestCountPerTarget");
    assert_eq!(alarms[0]["Namespace"], "AWS/ApplicationELB");
    assert_eq!(alarms[0]["Statistic"], "Sum");
    assert_eq!(
        alarms[0]["Dimensions"],
        json!([{ "Name": "TargetGroup", "Value": &label[label.find("targetgroup/").unwrap()..] }])
    );
    let view = scaling_view(&world, "demo", "web");
    assert_eq!(view.bounds, Some((2, 6)));
    assert_eq!(view.policies.len(), 1);
    let (name, kind, alarm_lines) = &view.policies[0];
    assert_eq!(
        (name.as_str(), *kind),
        ("requests-target-tracking", "target tracking")
    );
    assert_eq!(alarm_lines.len(), 2);
    assert_eq!(
        (alarm_lines[0].1, alarm_lines[0].2, alarm_lines[0].3),
        ("INSUFFICIENT_DATA", 600.0, ">")
    );
    // 600 requests a target a minute at 2 targets: 20 a second. 60 a second is 1,800 each:
    // the high alarm scales out to ceil(2 x 1800 / 600) = 6.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 60 }),
    );
    sim::advance(&mut world, 5 * MINUTE);
    assert_eq!(desired(&mut world), 6);
}

#[test]
fn the_step_scaling_preset_walks_the_worked_example() {
    use ecsplay::scenario::presets::preset;
    use ecsplay::scenario::run::run_until;
    let scenario = preset("step-scaling").expect("the preset");
    // Each datapoint is put at m:30 and acts at the next minute's start.
    let mut seen = Vec::new();
    for minute in [6, 8, 10, 12, 13] {
        let mut world = run_until(&scenario, minute * MINUTE + 1_000);
        seen.push(desired_of(&mut world, "worker"));
    }
    assert_eq!(seen, [11, 14, 13, 10, 10]);
}

fn desired_of(world: &mut World, service: &str) -> u64 {
    sim::describe_service(world, "demo", service)["desiredCount"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_spike_during_the_scale_in_cooldown_scales_out_at_once_and_the_next_scale_in_waits() {
    let mut world = sim::scalable_app(4, 1, 20);
    sim::ok(
        &mut world,
        "application-autoscaling:PutScalingPolicy",
        json!({ "PolicyName": "load", "ServiceNamespace": "ecs", "ResourceId": "service/demo/app",
                "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": { "TargetValue": 50.0, "ScaleOutCooldown": 0, "ScaleInCooldown": 1200,
                    "CustomizedMetricSpecification": { "MetricName": "Load", "Namespace": "App", "Statistic": "Average" } } }),
    );
    let feed = |world: &mut World, value: f64, minutes: usize| {
        sim::feed_load(world, &vec![value; minutes]);
    };
    let desired = sim::app_desired;
    // 15 quiet minutes at 20: the low alarm scales in to ceil(4 x 20 / 50) = 2.
    feed(&mut world, 20.0, 15);
    assert_eq!(desired(&mut world), 2);
    // A spike within the 20-minute scale-in cooldown: 3 minutes at 100 scale out at once.
    feed(&mut world, 100.0, 3);
    assert_eq!(desired(&mut world), 4, "ceil(2 x 100 / 50)");
    // Quiet again: the low alarm fires after 15 minutes, but the scale-in cooldown (20 minutes
    // from the last scale-in) holds it until it is over.
    feed(&mut world, 20.0, 16);
    let held = desired(&mut world);
    feed(&mut world, 20.0, 3);
    let after = desired(&mut world);
    assert_eq!(
        (held, after),
        (4, 2),
        "held by the cooldown, then ceil(4 x 20 / 50)"
    );
}

#[test]
fn the_day_with_target_tracking_benchmark_scales_both_services_out_by_day_and_in_by_night() {
    let world = ecsplay::bench::simulated_day_with_scaling();
    for service in ["web", "api"] {
        let resource = format!("service/demo/{service}");
        let counts: Vec<u32> = (world.autoscaling.activities.iter())
            .filter(|a| a.resource_id == resource && a.not_scaled.is_none())
            .filter_map(|a| a.description.strip_prefix("Setting desired count to "))
            .filter_map(|n| n.trim_end_matches('.').parse().ok())
            .collect();
        let peak = counts.iter().copied().max().unwrap_or(0);
        assert!(peak > 4, "{service} scaled out by day: {counts:?}");
        assert_eq!(
            counts.last(),
            Some(&2),
            "{service} back to its minimum by night: {counts:?}"
        );
    }
}

#[test]
fn a_step_policy_aggregates_its_alarms_datapoints_by_its_metric_aggregation_type() {
    let run = |aggregation: &str| -> u64 {
        let mut world = sim::scalable_app(2, 1, 20);
        let policy = sim::ok(
            &mut world,
            "application-autoscaling:PutScalingPolicy",
            json!({ "PolicyName": "out", "ServiceNamespace": "ecs", "ResourceId": "service/demo/app",
                    "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "StepScaling",
                    "StepScalingPolicyConfiguration": { "AdjustmentType": "ChangeInCapacity", "Cooldown": 3600,
                        "MetricAggregationType": aggregation,
                        "StepAdjustments": [
                            { "MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 20, "ScalingAdjustment": 1 },
                            { "MetricIntervalLowerBound": 20, "ScalingAdjustment": 3 }] } }),
        );
        sim::ok(
            &mut world,
            "cloudwatch:PutMetricAlarm",
            json!({ "AlarmName": "busy", "Namespace": "App", "MetricName": "Load", "Statistic": "Average",
                    "Period": 60, "EvaluationPeriods": 3, "DatapointsToAlarm": 1, "Threshold": 50,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold", "AlarmActions": [policy["PolicyARN"]] }),
        );
        // 40, 40, then 100: in ALARM at the third (1 of 3); the average of the three is 60
        // (10 over: +1), the maximum 100 (50 over: +3).
        sim::feed_load(&mut world, &[40.0, 40.0, 100.0]);
        sim::app_desired(&mut world)
    };
    assert_eq!(run("Average"), 3);
    assert_eq!(run("Maximum"), 5);
}

#[test]
fn the_panels_checks_give_the_apis_refusals_as_typed_and_change_nothing() {
    use ecsplay::ui::model::scaling::{form_check, register_request, target_tracking_request};
    let check = |world: &World, action: &str, input: &Value| form_check(world, action, input);
    let mut checked = scaled_world();
    let mut plain = scaled_world();
    let register_action = "application-autoscaling:RegisterScalableTarget";
    let refusal = check(
        &checked,
        register_action,
        &register_request("service/demo/web", "5", "3"),
    )
    .expect("min above max is refused");
    assert_eq!(
        refusal,
        "ValidationException: Minimum capacity (5) cannot be greater than maximum capacity (3). (at $.MinCapacity)"
    );
    let typed = check(
        &checked,
        register_action,
        &register_request("service/demo/web", "two", "3"),
    )
    .expect("a word is not a capacity");
    assert!(typed.contains("$.MinCapacity"), "{typed}");
    assert_eq!(
        check(
            &checked,
            register_action,
            &register_request("service/demo/web", "1", "8")
        ),
        None
    );
    // A policy before its scalable target: ObjectNotFoundException, as the API answers.
    let policy_action = "application-autoscaling:PutScalingPolicy";
    let cpu = |target: &str| {
        target_tracking_request(
            "service/demo/web",
            "ECSServiceAverageCPUUtilization",
            target,
            None,
        )
    };
    let missing = check(&checked, policy_action, &cpu("50")).expect("no target yet");
    assert!(missing.starts_with("ObjectNotFoundException"), "{missing}");
    register(&mut checked, 1, 8);
    register(&mut plain, 1, 8);
    assert_eq!(
        check(&checked, policy_action, &cpu("0")).as_deref(),
        Some("ValidationException: TargetValue must be greater than 0. (at $.TargetTrackingScalingPolicyConfiguration.TargetValue)")
    );
    assert!(check(&checked, policy_action, &cpu("fifty")).is_some());
    assert_eq!(check(&checked, policy_action, &cpu("50")), None);
    // Checking made nothing and drew no ids: the policy made next is the one a world that
    // was never checked makes.
    let a = sim::ok(&mut checked, policy_action, cpu("50"));
    let b = sim::ok(&mut plain, policy_action, cpu("50"));
    assert_eq!(a, b);
}

#[test]
fn the_step_form_makes_a_policy_and_the_alarm_that_invokes_it() {
    use ecsplay::ui::model::scaling::{StepDirection, StepForm};
    let mut world = scaled_world();
    register(&mut world, 1, 10);
    let form = StepForm {
        direction: StepDirection::Out,
        metric: "CPUUtilization".into(),
        threshold: "70".into(),
        adjustment_type: "ChangeInCapacity".into(),
        adjustment: "3".into(),
        cooldown: "300".into(),
    };
    assert_eq!(form.check(&world, "demo", "web"), None);
    let batch = form.batch("demo", "web");
    let config = &batch[0].1["StepScalingPolicyConfiguration"];
    assert_eq!(
        config["StepAdjustments"],
        json!([{ "MetricIntervalLowerBound": 0, "ScalingAdjustment": 3 }])
    );
    let arn = sim::ok(&mut world, &batch[0].0, batch[0].1.clone())["PolicyARN"].clone();
    let mut alarm = batch[1].1.clone();
    assert_eq!(alarm["AlarmActions"], json!(["${r0.PolicyARN}"]));
    alarm["AlarmActions"] = json!([arn]);
    sim::ok(&mut world, &batch[1].0, alarm);
    // 40 requests a second on 2 tasks is 80% CPU: at or above 70, three tasks more.
    sim::ok(
        &mut world,
        "sim:SetTraffic",
        json!({ "loadBalancer": "web", "requestsPerSecond": 40 }),
    );
    sim::advance(&mut world, 3 * MINUTE);
    assert_eq!(desired(&mut world), 5);
    let first = &activities(&mut world)[0];
    assert_eq!(first["Description"], "Setting desired count to 5.");
    assert!(
        first["Cause"].as_str().unwrap().contains(
            "monitor alarm web-cpu-step-out in state ALARM triggered policy cpu-step-out"
        ),
        "{first}"
    );

    // The scale-in side: the adjustment is sent negative, the step below the threshold.
    let inward = StepForm {
        direction: StepDirection::In,
        threshold: "20".into(),
        ..form.clone()
    };
    let request = &inward.batch("demo", "web")[0].1;
    assert_eq!(
        request["StepScalingPolicyConfiguration"]["StepAdjustments"],
        json!([{ "MetricIntervalUpperBound": 0, "ScalingAdjustment": -3 }])
    );
    assert_eq!(
        inward.batch("demo", "web")[1].1["ComparisonOperator"],
        "LessThanOrEqualToThreshold"
    );
    // What the form refuses as typed.
    let bad = StepForm {
        threshold: "high".into(),
        ..form.clone()
    };
    assert_eq!(
        bad.check(&world, "demo", "web").as_deref(),
        Some("ValidationException: Threshold 'high' is not a number. (at $.Threshold)")
    );
    let bad = StepForm {
        adjustment_type: "ExactCapacity".into(),
        cooldown: "-5".into(),
        ..form
    };
    assert!(bad
        .check(&world, "demo", "web")
        .is_some_and(|m| m.contains("Cooldown")));
}

/// The desired count of `service` in `preset` at each of `minutes`.
fn desired_counts(preset: &str, service: &str, minutes: &[u64]) -> Vec<u64> {
    let scenario = ecsplay::scenario::presets::preset(preset).expect("the preset");
    (minutes.iter())
        .map(|&m| {
            let mut world = ecsplay::scenario::run::run_until(&scenario, m * MINUTE);
            desired_of(&mut world, service)
        })
        .collect()
}

#[test]
fn the_requests_per_target_preset_scales_on_its_target_groups_requests() {
    // 80 requests a second from minute 10: 2,400 a minute per target of 2, four times the
    // target of 600, for three minutes: 8 tasks; back to 10 a second at 50 minutes: 75 per
    // target, 15 minutes under 540: the minimum of 2.
    assert_eq!(
        desired_counts("alb-requests-per-target", "web", &[9, 12, 15, 49, 64, 67]),
        [2, 2, 8, 8, 8, 2]
    );
    // The policy's ResourceLabel names the preset's own load balancer and target group.
    let scenario = ecsplay::scenario::presets::preset("alb-requests-per-target").unwrap();
    let world = ecsplay::scenario::run::run_until(&scenario, 3 * MINUTE);
    let view = ecsplay::ui::model::scaling::scaling_view(&world, "demo", "web");
    let label = view.resource_label.expect("behind an ALB");
    assert!(
        scenario
            .steps
            .iter()
            .any(|s| s.input.to_string().contains(&label)),
        "{label}"
    );
}

#[test]
fn the_cooldown_spike_preset_scales_out_through_the_scale_in_cooldown_and_waits_to_scale_in() {
    // Out at 8 minutes, in at 35, out again at 43 in the scale-in cooldown, and in only at
    // 65: 30 minutes after the scale-in at 35, though the low alarm fired before.
    assert_eq!(
        desired_counts("cooldown-spike", "web", &[7, 9, 34, 36, 42, 44, 64, 66]),
        [2, 4, 4, 2, 2, 4, 4, 2]
    );
    let scenario = ecsplay::scenario::presets::preset("cooldown-spike").unwrap();
    let mut world = ecsplay::scenario::run::run_until(&scenario, 64 * MINUTE);
    let low = sim::ok(
        &mut world,
        "cloudwatch:DescribeAlarms",
        json!({ "AlarmNamePrefix": "TargetTracking-service/demo/web-AlarmLow" }),
    )["MetricAlarms"][0]["StateValue"]
        .clone();
    assert_eq!(low, "ALARM", "the low alarm waits on the cooldown");
}

#[test]
fn the_playgrounds_log_lists_a_desired_count_set_by_scaling_as_its_own_kind() {
    use ecsplay::engine::LogRecord;
    use ecsplay::ui::model::log_view::{classify, summary, Kind};
    let mut world = sim::scalable_app(4, 1, 20);
    sim::ok(
        &mut world,
        "application-autoscaling:PutScheduledAction",
        json!({ "ServiceNamespace": "ecs", "ResourceId": "service/demo/app", "ScalableDimension": "ecs:service:DesiredCount",
                "ScheduledActionName": "more", "Schedule": "at(2026-01-01T00:05:00)",
                "ScalableTargetAction": { "MinCapacity": 6 } }),
    );
    // A manual change is a service action ECS does not send: no scaling line for it.
    sim::ok(
        &mut world,
        "ecs:UpdateService",
        json!({ "cluster": "demo", "service": "app", "desiredCount": 5 }),
    );
    sim::advance(&mut world, 6 * MINUTE);
    let scaling: Vec<&LogRecord> = (world.log().iter())
        .filter(|r| classify(r).0 == Kind::Scaling)
        .collect();
    assert_eq!(scaling.len(), 1, "the scheduled action's change only");
    assert_eq!(
        classify(scaling[0]),
        (Kind::Scaling, Some("demo/app".to_string()))
    );
    assert_eq!(
        summary(scaling[0]),
        "Desired count updated by Application Auto Scaling (SERVICE_DESIRED_COUNT_UPDATED)"
    );
}
