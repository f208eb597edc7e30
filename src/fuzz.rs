//! A deterministic fuzzer in the spirit of TigerBeetle's VOPR: from a seed, a run generates a
//! timeline of requests across every action the model knows (most of them plausible, some
//! mutated into nonsense: wrong types, extreme numbers, empty or huge strings, unknown fields),
//! performs them with time advancing between them, and checks after every request and timer:
//!
//! - nothing panics (the caller sees a panic as a failed run, with the seed to replay it);
//! - the invariants hold (`World::check_invariants`), in every build, not only debug ones;
//! - a refused request changes nothing: the state (`describe_all`), the pending timers and the
//!   log are as they were, but for the one record of the refusal;
//! - the same seed gives the same bytes: every run is made twice and the logs compared;
//! - the run stays within named bounds of held tasks, held log records and pending timers.
//!
//! A failure names the seed and the step, so `ecsplay fuzz --seed N --runs 1` replays it.
//! Requests name resources that exist at the time (instance ids, task ARNs) by picking among
//! those the world holds when the request is made: a timeline cannot know them in advance.
//! As later issues add actions, they are added to [`ACTIONS`] and [`request`].

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde_json::{json, Map, Value};

use crate::engine::log::LOG_RECORDS_MAX;
use crate::world::{World, WorldConfig};

/// Every action the fuzzer sends. Each one is made by [`request`].
pub const ACTIONS: &[&str] = &[
    "ecs:CreateCluster",
    "ecs:DeleteCluster",
    "ecs:DescribeClusters",
    "ecs:ListClusters",
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTaskDefinitions",
    "ecs:DescribeContainerInstances",
    "ecs:ListContainerInstances",
    "ecs:UpdateContainerInstancesState",
    "ecs:PutAttributes",
    "ecs:RunTask",
    "ecs:StartTask",
    "ecs:StopTask",
    "ecs:DescribeTasks",
    "ecs:ListTasks",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:DeleteService",
    "ecs:DescribeServices",
    "ecs:ListServices",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:DescribeInstances",
    "ec2:CreateVpc",
    "ec2:DescribeVpcs",
    "ec2:CreateSubnet",
    "ec2:DescribeSubnets",
    "ec2:CreateSecurityGroup",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:DescribeSecurityGroups",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "sim:SetImageBehavior",
    "sim:SetTraffic",
    "cloudwatch:PutMetricData",
    "cloudwatch:PutMetricAlarm",
    "application-autoscaling:RegisterScalableTarget",
    "application-autoscaling:PutScalingPolicy",
    "application-autoscaling:PutScheduledAction",
    "ecs:PutClusterCapacityProviders",
    "sim:InterruptSpot",
    "sim:SetSpotCapacity",
    "ec2:CreateLaunchTemplate",
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:SetDesiredCapacity",
    "autoscaling:TerminateInstanceInAutoScalingGroup",
    "ecs:CreateCapacityProvider",
    "sim:FailAvailabilityZone",
    "sim:RestoreAvailabilityZone",
    "autoscaling:PutScalingPolicy",
    "autoscaling:EnableMetricsCollection",
    "iam:CreateRole",
    "iam:AttachRolePolicy",
    "logs:CreateLogGroup",
    "ssm:PutParameter",
    "secretsmanager:CreateSecret",
    "efs:CreateFileSystem",
    "efs:CreateMountTarget",
    "iam:PutRolePolicy",
    "secretsmanager:PutSecretValue",
    "s3:CreateBucket",
    "s3:PutObject",
];

/// The actions that set things in motion, sent half the time so runs place, deploy and stop
/// tasks rather than mostly describing.
const BUSY_ACTIONS: &[&str] = &[
    "ecs:RegisterTaskDefinition",
    "ecs:RunTask",
    "ecs:CreateService",
    "ecs:UpdateService",
    "ecs:StopTask",
    "ecs:UpdateContainerInstancesState",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "sim:SetImageBehavior",
];

/// Requests in one run, at the most.
pub const STEPS_PER_RUN_MAX: usize = 40;
/// Simulated time between two requests, at the most, and after the last one.
pub const GAP_MS_MAX: u64 = 5 * 60_000;
pub const RUN_PAST_LAST_MS: u64 = 20 * 60_000;
/// Bounds a run must stay within.
pub const TASKS_HELD_MAX: usize = 5_000;
pub const TIMERS_PENDING_MAX: usize = 200_000;
pub const TIMERS_PER_RUN_MAX: u64 = 2_000_000;
/// How often a request is mutated after it is made, out of 100.
pub const MUTATION_PERCENT: u32 = 20;

const CLUSTERS: &[&str] = &["default", "demo", "prod", ""];
const FAMILIES: &[&str] = &["web", "api", "worker"];
const IMAGES: &[&str] = &["nginx:1", "web:v2", "crash:v1", "app:latest"];
const TYPES: &[&str] = &[
    "t3.micro",
    "t3.medium",
    "m5.large",
    "c5.large",
    "m6g.large",
    "x9.huge",
];
const ZONES: &[&str] = &["us-east-1a", "us-east-1b", "us-east-1c", "us-west-2a"];
const SERVICES: &[&str] = &["web", "api", "worker"];

/// What one run did, for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    pub steps: usize,
    pub refused: usize,
    pub timers: u64,
    pub log_lines: usize,
    pub tasks_started: u64,
}

/// Why a run failed: the seed and step to replay, and what broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzFailure {
    pub seed: u64,
    pub step: usize,
    pub action: String,
    pub input: String,
    pub what: String,
}

impl std::fmt::Display for FuzzFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {} step {} {} {}: {}",
            self.seed, self.step, self.action, self.input, self.what
        )
    }
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An existing resource's name from the world, or a made-up one.
fn existing(rng: &mut ChaCha8Rng, names: Vec<String>, made_up: &str) -> String {
    if names.is_empty() || rng.random_range(0..20) == 0 {
        made_up.to_string()
    } else {
        pick(rng, &names).clone()
    }
}

fn file_systems(world: &World) -> Vec<String> {
    crate::efs::read::file_systems(world)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect()
}

fn instance_arns(world: &World) -> Vec<String> {
    (world.ecs.container_instances.iter())
        .map(|c| c.arn.clone())
        .collect()
}

fn task_arns(world: &World) -> Vec<String> {
    world.ecs.tasks.iter().map(|t| t.arn.clone()).collect()
}

fn target_group_arns(world: &World) -> Vec<String> {
    (world.elb.target_groups.iter())
        .map(|tg| tg.arn.clone())
        .collect()
}

fn vpc_ids(world: &World) -> Vec<String> {
    world
        .ec2
        .network
        .vpcs
        .iter()
        .map(|v| v.id.clone())
        .collect()
}

fn group_ids(world: &World) -> Vec<String> {
    (world.ec2.network.security_groups.iter())
        .map(|g| g.id.clone())
        .collect()
}

fn ec2_ids(world: &World) -> Vec<String> {
    world.ec2.launch_order.clone()
}

fn container(rng: &mut ChaCha8Rng, name: &str, mode: &str) -> Value {
    let mut c = json!({ "name": name, "image": pick(rng, IMAGES), "memory": pick(rng, &[64, 128, 512, 4096, 9000]) });
    if rng.random_bool(0.4) {
        // Bridge maps any host port (0: dynamic); awsvpc and host mode use the container's.
        let host = match mode {
            "bridge" => *pick(rng, &[0, 80, 8080]),
            _ => 80,
        };
        c["portMappings"] = json!([{ "containerPort": 80, "hostPort": host }]);
    }
    if rng.random_bool(0.2) {
        c["healthCheck"] =
            json!({ "command": ["CMD-SHELL", "curl -f localhost"], "interval": 5, "retries": 2 });
    }
    if rng.random_bool(0.2) {
        c["cpu"] = json!(pick(rng, &[0, 128, 1024]));
    }
    c
}

fn task_definition(rng: &mut ChaCha8Rng, world: &World) -> Value {
    let family = *pick(rng, FAMILIES);
    let count = rng.random_range(1..=3);
    let kind = rng.random_range(0..5);
    let mode = match kind {
        0 | 2 => "awsvpc",
        1 => "host",
        _ => "bridge",
    };
    let containers: Vec<Value> = (0..count)
        .map(|i| container(rng, &format!("c{i}"), mode))
        .collect();
    let mut td = json!({ "family": family, "containerDefinitions": containers });
    match kind {
        0 => td["networkMode"] = json!("awsvpc"),
        1 => td["networkMode"] = json!("host"),
        2 => {
            td["networkMode"] = json!("awsvpc");
            td["requiresCompatibilities"] = json!(["FARGATE"]);
            td["cpu"] = json!("256");
            td["memory"] = json!("512");
            for c in td["containerDefinitions"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                c["memory"] = json!(128);
                c.as_object_mut().map(|c| c.remove("portMappings"));
            }
        }
        _ => {}
    }
    // Now and then an EFS volume (of a file system made, or none) its containers write to.
    if rng.random_bool(0.2) {
        let fs = existing(rng, file_systems(world), "fs-0000000000000000");
        td["volumes"] =
            json!([{ "name": "shared", "efsVolumeConfiguration": { "fileSystemId": fs } }]);
        for c in td["containerDefinitions"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            c["mountPoints"] = json!([{ "sourceVolume": "shared", "containerPath": "/data" }]);
        }
    }
    // Now and then an execution role (made by iam:CreateRole, implied, or missing) and the
    // awslogs driver (its group made by logs:CreateLogGroup, created, or missing).
    if rng.random_bool(0.3) {
        let role = pick(rng, &["ecsTaskExecutionRole", "exec", "missing"]);
        td["executionRoleArn"] = json!(format!("arn:aws:iam::123456789012:role/{role}"));
        let create = if rng.random_bool(0.5) {
            "true"
        } else {
            "false"
        };
        for c in td["containerDefinitions"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            c["logConfiguration"] = json!({ "logDriver": "awslogs", "options": {
                "awslogs-group": "/ecs/fuzz", "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "ecs", "awslogs-create-group": create } });
            if rng.random_bool(0.5) {
                let from = pick(
                    rng,
                    &[
                        "db-password",
                        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
                    ],
                );
                c["secrets"] = json!([{ "name": "SECRET", "valueFrom": from }]);
            }
            // An environment file (made by s3:PutObject, or missing), private registry
            // credentials and a log driver's secret, all read with the execution role.
            if rng.random_bool(0.3) {
                c["environmentFiles"] =
                    json!([{ "value": "arn:aws:s3:::fuzz/app.env", "type": "s3" }]);
            }
            if rng.random_bool(0.2) {
                c["repositoryCredentials"] = json!({ "credentialsParameter": "db" });
            }
            if rng.random_bool(0.2) {
                c["logConfiguration"]["secretOptions"] =
                    json!([{ "name": "token", "valueFrom": "db-password" }]);
            }
        }
    }
    td
}

fn deployment_configuration(rng: &mut ChaCha8Rng) -> Value {
    json!({
        "minimumHealthyPercent": pick(rng, &[0, 50, 100]),
        "maximumPercent": pick(rng, &[100, 150, 200]),
        "deploymentCircuitBreaker": { "enable": rng.random_bool(0.5), "rollback": rng.random_bool(0.5) },
    })
}

fn placement(rng: &mut ChaCha8Rng, world: &World, family: &str, request: &mut Value) {
    // awsvpc tasks need subnets; give them nearly always, and others now and then.
    let awsvpc = (world.ecs.task_definitions.get(family))
        .and_then(|revisions| revisions.last())
        .is_some_and(|d| d.network_mode == crate::ecs::task_definition::NetworkMode::Awsvpc);
    if rng.random_bool(if awsvpc { 0.9 } else { 0.1 }) {
        request["networkConfiguration"] =
            json!({ "awsvpcConfiguration": { "subnets": ["subnet-a", "subnet-b"] } });
    }
    if rng.random_bool(0.3) {
        let strategies = [
            json!({ "type": "binpack", "field": "memory" }),
            json!({ "type": "spread", "field": "attribute:ecs.availability-zone" }),
            json!({ "type": "random" }),
        ];
        let strategy = pick(rng, &strategies).clone();
        request["placementStrategy"] = json!([strategy]);
    }
    if rng.random_bool(0.3) {
        let constraints = [
            json!({ "type": "distinctInstance" }),
            json!({ "type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*" }),
            json!({ "type": "memberOf", "expression": "attribute:stack == prod" }),
        ];
        let constraint = pick(rng, &constraints).clone();
        request["placementConstraints"] = json!([constraint]);
    }
    if rng.random_bool(0.2) {
        match *pick(rng, &["EC2", "FARGATE", "spot", "mixed", "group"]) {
            "group" => {
                request["capacityProviderStrategy"] =
                    json!([{ "capacityProvider": "nodes-cp", "weight": 1 }])
            }
            "spot" => {
                request["capacityProviderStrategy"] =
                    json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }])
            }
            "mixed" => {
                request["capacityProviderStrategy"] = json!([
                    { "capacityProvider": "FARGATE", "base": 1, "weight": 1 },
                    { "capacityProvider": "FARGATE_SPOT", "weight": 2 }])
            }
            launch => request["launchType"] = json!(launch),
        }
    }
}

/// A plausible request for `action`, naming resources the world holds.
pub fn request(rng: &mut ChaCha8Rng, world: &World, action: &str) -> Value {
    // Mostly names that exist, so requests reach the model's logic, not only its lookups.
    let clusters: Vec<String> = world.ecs.clusters.keys().cloned().collect();
    let cluster = {
        let made_up = *pick(rng, CLUSTERS);
        existing(rng, clusters, made_up)
    };
    let cluster = cluster.as_str();
    let services: Vec<String> = world.ecs.services.iter().map(|s| s.name.clone()).collect();
    let service = {
        let made_up = *pick(rng, SERVICES);
        existing(rng, services, made_up)
    };
    let service = service.as_str();
    let families: Vec<String> = world.ecs.task_definitions.keys().cloned().collect();
    let family = {
        let made_up = *pick(rng, FAMILIES);
        existing(rng, families, made_up)
    };
    let family = family.as_str();
    match action {
        "ecs:CreateCluster" => json!({ "clusterName": cluster }),
        "ecs:DeleteCluster" => json!({ "cluster": cluster }),
        "ecs:DescribeClusters" => json!({ "clusters": [cluster] }),
        "ecs:RegisterTaskDefinition" => task_definition(rng, world),
        "ecs:DeregisterTaskDefinition" | "ecs:DescribeTaskDefinition" => {
            json!({ "taskDefinition": format!("{family}:{}", rng.random_range(1..4)) })
        }
        "ecs:DescribeContainerInstances" | "ecs:UpdateContainerInstancesState" => {
            let arn = existing(rng, instance_arns(world), "nope");
            let mut r = json!({ "cluster": cluster, "containerInstances": [arn] });
            if action.ends_with("State") {
                r["status"] = json!(pick(rng, &["DRAINING", "ACTIVE"]));
            }
            r
        }
        "ecs:ListContainerInstances" | "ecs:ListTasks" | "ecs:ListServices" => {
            json!({ "cluster": cluster })
        }
        "ecs:PutAttributes" => {
            let arn = existing(rng, instance_arns(world), "nope");
            json!({ "cluster": cluster, "attributes": [{ "name": "stack", "value": pick(rng, &["prod", "dev"]), "targetId": arn }] })
        }
        _ => task_request(rng, world, action, cluster, service, family),
    }
}

/// Requests about tasks and services.
fn task_request(
    rng: &mut ChaCha8Rng,
    world: &World,
    action: &str,
    cluster: &str,
    service: &str,
    family: &str,
) -> Value {
    match action {
        "ecs:RunTask" => {
            let mut r = json!({ "cluster": cluster, "taskDefinition": family, "count": rng.random_range(1..=3) });
            placement(rng, world, family, &mut r);
            r
        }
        "ecs:StartTask" => {
            let arn = existing(rng, instance_arns(world), "nope");
            json!({ "cluster": cluster, "taskDefinition": family, "containerInstances": [arn] })
        }
        "ecs:StopTask" => {
            json!({ "cluster": cluster, "task": existing(rng, task_arns(world), "nope") })
        }
        "ecs:DescribeTasks" => {
            json!({ "cluster": cluster, "tasks": [existing(rng, task_arns(world), "nope")] })
        }
        "ecs:CreateService" => {
            let mut r = json!({ "cluster": cluster, "serviceName": service, "taskDefinition": family,
                "desiredCount": pick(rng, &[0, 1, 3, 8]) });
            if rng.random_bool(0.15) {
                r["schedulingStrategy"] = json!("DAEMON");
                r.as_object_mut().map(|o| o.remove("desiredCount"));
            }
            if rng.random_bool(0.4) {
                r["deploymentConfiguration"] = deployment_configuration(rng);
            }
            if rng.random_bool(0.2) {
                r["healthCheckGracePeriodSeconds"] = json!(pick(rng, &[0, 30, 600]));
            }
            placement(rng, world, family, &mut r);
            r
        }
        "ecs:UpdateService" => {
            let mut r = json!({ "cluster": cluster, "service": service });
            match rng.random_range(0..4) {
                0 => r["desiredCount"] = json!(pick(rng, &[0, 2, 5])),
                1 => r["taskDefinition"] = json!(family),
                2 => r["forceNewDeployment"] = json!(true),
                _ => r["deploymentConfiguration"] = deployment_configuration(rng),
            }
            r
        }
        "ecs:DeleteService" => {
            json!({ "cluster": cluster, "service": service, "force": rng.random_bool(0.5) })
        }
        "ecs:DescribeServices" => json!({ "cluster": cluster, "services": [service] }),
        _ => ec2_request(rng, world, action, cluster, service),
    }
}

/// Requests of EC2 and `sim:`.
/// Requests of EC2, ELB, CloudWatch, Application Auto Scaling and `sim:`.
fn ec2_request(
    rng: &mut ChaCha8Rng,
    world: &World,
    action: &str,
    cluster: &str,
    service: &str,
) -> Value {
    match action {
        "ec2:RunInstances" => {
            let count = rng.random_range(1..=4);
            let mut attributes = Map::new();
            if rng.random_bool(0.3) {
                attributes.insert("stack".into(), json!(pick(rng, &["prod", "dev"])));
            }
            let (kind, zone) = (*pick(rng, TYPES), *pick(rng, ZONES));
            let mut r = crate::ec2::run_instances_request(kind, count, zone, cluster, &attributes);
            if rng.random_bool(0.1) {
                r.as_object_mut().map(|o| o.remove("IamInstanceProfile"));
            }
            r
        }
        "ec2:TerminateInstances" | "ec2:DescribeInstances" => {
            json!({ "InstanceIds": [existing(rng, ec2_ids(world), "i-0000000000000000")] })
        }
        "ec2:CreateVpc" => {
            json!({ "CidrBlock": pick(rng, &["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/8"]) })
        }
        "ec2:CreateSubnet" => json!({
            "VpcId": existing(rng, vpc_ids(world), "vpc-0000000000000dead"),
            "CidrBlock": pick(rng, &["10.0.1.0/24", "10.0.2.0/24", "172.31.96.0/20", "10.1.0.0/24"]),
            "AvailabilityZone": pick(rng, ZONES),
        }),
        "ec2:CreateSecurityGroup" => json!({
            "GroupName": pick(rng, &["alb", "tasks", "default", "sg-x"]),
            "Description": "fuzz",
        }),
        "ec2:AuthorizeSecurityGroupIngress" | "ec2:RevokeSecurityGroupIngress" => {
            let groups = group_ids(world);
            let peer = if rng.random_bool(0.5) {
                json!({ "IpRanges": [{ "CidrIp": pick(rng, &["0.0.0.0/0", "10.0.0.0/8"]) }] })
            } else {
                json!({ "UserIdGroupPairs": [{ "GroupId": existing(rng, groups.clone(), "sg-0") }] })
            };
            let port = *pick(rng, &[80, 443, 8080]);
            let mut permission = json!({ "IpProtocol": pick(rng, &["tcp", "udp", "-1"]), "FromPort": port, "ToPort": port });
            if let (Some(p), Some(extra)) = (permission.as_object_mut(), peer.as_object()) {
                p.extend(extra.clone());
            }
            json!({ "GroupId": existing(rng, groups, "sg-0"), "IpPermissions": [permission] })
        }
        "ec2:DescribeVpcs" => json!({}),
        "elasticloadbalancing:CreateLoadBalancer" if rng.random_bool(0.2) => json!({
            "LoadBalancerName": pick(rng, &["legacy", "web"]),
            "AvailabilityZones": ["us-east-1a"],
            "Listeners": [{ "Protocol": pick(rng, &["HTTP", "TCP"]), "LoadBalancerPort": 80, "InstancePort": pick(rng, &[80, 8080]) }],
        }),
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer" => json!({
            "LoadBalancerName": pick(rng, &["legacy", "web"]),
            "Instances": [{ "InstanceId": existing(rng, ec2_ids(world), "i-0000000000000000") }],
        }),
        "ec2:CreateLaunchTemplate" => json!({
            "LaunchTemplateName": "nodes",
            "LaunchTemplateData": { "InstanceType": pick(rng, &["m5.large", "t3.small"]),
                // "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config"
                "UserData": "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1kZW1vID4+IC9ldGMvZWNzL2Vjcy5jb25maWc=" },
        }),
        "autoscaling:CreateAutoScalingGroup" => {
            let mut group = json!({
                "AutoScalingGroupName": "nodes",
                "MinSize": 0, "MaxSize": 4, "DesiredCapacity": rng.random_range(0..=3),
                "VPCZoneIdentifier": "subnet-aaaaaaaaaaaaaaaaa,subnet-bbbbbbbbbbbbbbbbb",
                "NewInstancesProtectedFromScaleIn": rng.random_bool(0.3),
            });
            if rng.random_bool(0.5) {
                group["LaunchTemplate"] = json!({ "LaunchTemplateName": "nodes" });
            } else {
                // A mixed group: two types, Spot above the base.
                group["MixedInstancesPolicy"] = json!({
                    "LaunchTemplate": { "LaunchTemplateSpecification": { "LaunchTemplateName": "nodes" },
                                        "Overrides": [{ "InstanceType": "m5.large" }, { "InstanceType": "c5.large" }] },
                    "InstancesDistribution": { "OnDemandBaseCapacity": rng.random_range(0..=1),
                                               "OnDemandPercentageAboveBaseCapacity": pick(rng, &[0, 50]) } });
            }
            group
        }
        "autoscaling:SetDesiredCapacity" => json!({
            "AutoScalingGroupName": "nodes", "DesiredCapacity": rng.random_range(0..=5),
        }),
        "autoscaling:TerminateInstanceInAutoScalingGroup" => json!({
            "InstanceId": existing(rng, ec2_ids(world), "i-0000000000000000"),
            "ShouldDecrementDesiredCapacity": rng.random_bool(0.5),
        }),
        "ecs:CreateCapacityProvider" => {
            let arn = (world.asg.groups.first()).map_or("nope".to_string(), |g| g.arn.clone());
            match rng.random_range(0..3) {
                0 => {
                    json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn } })
                }
                // Managed scaling, and with it termination protection when the group allows.
                1 => {
                    json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn,
                    "managedScaling": { "status": "ENABLED", "targetCapacity": pick(rng, &[80, 100]) } } })
                }
                _ => {
                    json!({ "name": "nodes-cp", "autoScalingGroupProvider": { "autoScalingGroupArn": arn,
                    "managedScaling": { "status": "ENABLED" }, "managedTerminationProtection": "ENABLED" } })
                }
            }
        }
        "sim:FailAvailabilityZone" | "sim:RestoreAvailabilityZone" => json!({
            "availabilityZone": pick(rng, &["us-east-1a", "us-east-1b"]),
        }),
        "autoscaling:PutScalingPolicy" => json!({
            "AutoScalingGroupName": "nodes", "PolicyName": "cpu", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingConfiguration": { "PredefinedMetricSpecification": { "PredefinedMetricType": "ASGAverageCPUUtilization" },
                "TargetValue": pick(rng, &[30.0, 70.0]) },
        }),
        "autoscaling:EnableMetricsCollection" => json!({
            "AutoScalingGroupName": "nodes", "Granularity": "1Minute",
        }),
        "ecs:PutClusterCapacityProviders" => {
            let providers = match rng.random_range(0..4) {
                0 => json!(["FARGATE", "FARGATE_SPOT"]),
                1 => json!(["FARGATE_SPOT"]),
                2 => json!(["nodes-cp"]),
                _ => json!([]),
            };
            // Sometimes the group's provider as the default: services then wait PROVISIONING.
            let default = if providers == json!(["nodes-cp"]) && rng.random_bool(0.5) {
                json!([{ "capacityProvider": "nodes-cp", "weight": 1 }])
            } else {
                json!([])
            };
            json!({ "cluster": cluster, "capacityProviders": providers, "defaultCapacityProviderStrategy": default })
        }
        "sim:InterruptSpot" if rng.random_bool(0.5) => {
            json!({ "instanceIds": [existing(rng, ec2_ids(world), "i-0000000000000000")] })
        }
        "sim:InterruptSpot" => {
            json!({ "capacityProvider": "FARGATE_SPOT", "fraction": pick(rng, &[0.3, 1.0]) })
        }
        "sim:SetSpotCapacity" => json!({
            "capacityProvider": "FARGATE_SPOT",
            "available": rng.random_bool(0.6),
            "interruptionsPerHour": pick(rng, &[0.0, 2.0]),
        }),
        "sim:SetTraffic" => json!({
            "loadBalancer": pick(rng, &["web", "api", "legacy"]),
            "requestsPerSecond": pick(rng, &[0, 10, 500]),
        }),
        "cloudwatch:PutMetricData" => json!({
            "Namespace": "App",
            "MetricData": [{ "MetricName": "Load", "Value": pick(rng, &[5.0, 50.0, 95.0]) }],
        }),
        "cloudwatch:PutMetricAlarm" => json!({
            "AlarmName": pick(rng, &["load-high", "load-low"]),
            "Namespace": "App", "MetricName": "Load", "Statistic": "Average", "Period": 60,
            "EvaluationPeriods": pick(rng, &[1, 3]), "Threshold": 50,
            "ComparisonOperator": pick(rng, &["GreaterThanThreshold", "LessThanThreshold"]),
            "TreatMissingData": pick(rng, &["missing", "breaching", "ignore", "notBreaching"]),
            "AlarmActions": (world.autoscaling.policies.iter()).map(|p| p.arn.clone()).take(1).collect::<Vec<_>>(),
        }),
        "application-autoscaling:RegisterScalableTarget" => json!({
            "ServiceNamespace": "ecs",
            "ResourceId": format!("service/{cluster}/{service}"),
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": pick(rng, &[0, 1, 2]), "MaxCapacity": pick(rng, &[1, 4, 8]),
        }),
        "application-autoscaling:PutScalingPolicy" if rng.random_bool(0.5) => json!({
            "PolicyName": "cpu", "ServiceNamespace": "ecs",
            "ResourceId": format!("service/{cluster}/{service}"),
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": { "TargetValue": pick(rng, &[20.0, 50.0]), "ScaleOutCooldown": 0,
                "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" } },
        }),
        "application-autoscaling:PutScalingPolicy" => json!({
            "PolicyName": "step", "ServiceNamespace": "ecs",
            "ResourceId": format!("service/{cluster}/{service}"),
            "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": { "AdjustmentType": pick(rng, &["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"]),
                "Cooldown": pick(rng, &[0, 60]),
                "StepAdjustments": [{ "MetricIntervalLowerBound": 0, "ScalingAdjustment": pick(rng, &[1, 50, -1]) }] },
        }),
        "application-autoscaling:PutScheduledAction" => json!({
            "ServiceNamespace": "ecs", "ScheduledActionName": pick(rng, &["a", "b"]),
            "ResourceId": format!("service/{cluster}/{service}"),
            "ScalableDimension": "ecs:service:DesiredCount",
            "Schedule": pick(rng, &["rate(5 minutes)", "cron(*/10 * * * ? *)", "at(2026-01-01T01:00:00)"]),
            "Timezone": pick(rng, &["UTC", "Europe/Paris"]),
            "ScalableTargetAction": { "MinCapacity": pick(rng, &[0, 2]), "MaxCapacity": pick(rng, &[3, 6]) },
        }),
        "elasticloadbalancing:CreateLoadBalancer" => json!({
            "Name": pick(rng, &["web", "api"]),
            "Type": pick(rng, &["application", "network"]),
            "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", pick(rng, &["subnet-bbbbbbbbbbbbbbbbb", "subnet-aaaaaaaaaaaaaaaaa"])],
        }),
        "elasticloadbalancing:CreateTargetGroup" => json!({
            "Name": pick(rng, &["web", "api"]),
            "Protocol": pick(rng, &["HTTP", "TCP"]),
            "Port": pick(rng, &[80, 8080]),
            "VpcId": "vpc-0defa017000000000",
            "HealthCheckIntervalSeconds": pick(rng, &[5, 30]),
            "HealthyThresholdCount": 2,
        }),
        "elasticloadbalancing:CreateListener" => json!({
            "LoadBalancerArn": existing(rng, world.elb.load_balancers.iter().map(|l| l.arn.clone()).collect(), "arn:lb"),
            "Protocol": pick(rng, &["HTTP", "TCP"]),
            "Port": 80,
            "DefaultActions": [{ "Type": "forward", "TargetGroupArn": existing(rng, target_group_arns(world), "arn:tg") }],
        }),
        "elasticloadbalancing:RegisterTargets" | "elasticloadbalancing:DeregisterTargets" => {
            json!({
                "TargetGroupArn": existing(rng, target_group_arns(world), "arn:tg"),
                "Targets": [{ "Id": existing(rng, ec2_ids(world), "i-0000000000000000"), "Port": pick(rng, &[80, 8080]) }],
            })
        }
        "elasticloadbalancing:DescribeTargetHealth" => json!({
            "TargetGroupArn": existing(rng, target_group_arns(world), "arn:tg"),
        }),
        "ec2:DescribeSubnets" => json!({}),
        "ec2:DescribeSecurityGroups" => {
            json!({ "GroupIds": [existing(rng, group_ids(world), "sg-0")] })
        }
        "iam:CreateRole" => {
            let service = pick(rng, &["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]);
            json!({ "RoleName": pick(rng, &["exec", "app"]), "AssumeRolePolicyDocument": crate::iam::trust_policy_for(service) })
        }
        "iam:AttachRolePolicy" => json!({
            "RoleName": pick(rng, &["exec", "app"]),
            "PolicyArn": pick(rng, &[crate::iam::managed::EXECUTION_ROLE_POLICY, "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"]),
        }),
        "logs:CreateLogGroup" => json!({ "logGroupName": "/ecs/fuzz" }),
        "ssm:PutParameter" => {
            json!({ "Name": "db-password", "Value": "x", "Type": "SecureString", "Overwrite": rng.random_bool(0.5) })
        }
        "efs:CreateFileSystem" => {
            json!({ "CreationToken": format!("fuzz-{}", rng.random_range(0..3)) })
        }
        "efs:CreateMountTarget" => {
            let fs = existing(rng, file_systems(world), "fs-0000000000000000");
            let subnet = crate::ec2::network::default_subnet_id(*pick(rng, &['a', 'b', 'c']));
            json!({ "FileSystemId": fs, "SubnetId": subnet })
        }
        "secretsmanager:CreateSecret" => {
            json!({ "Name": "db", "SecretString": "{\"password\":\"x\"}" })
        }
        "secretsmanager:PutSecretValue" => {
            json!({ "SecretId": "db", "SecretString": "{\"password\":\"y\"}" })
        }
        "iam:PutRolePolicy" => {
            let action = pick(
                rng,
                &[
                    "ssm:GetParameters",
                    "secretsmanager:GetSecretValue",
                    "s3:GetObject",
                    "logs:CreateLogGroup",
                    "*",
                ],
            );
            let effect = pick(rng, &["Allow", "Allow", "Deny"]);
            json!({ "RoleName": pick(rng, &["exec", "app"]), "PolicyName": format!("fuzz-{}", rng.random_range(0..3)),
                "PolicyDocument": format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Action":"{action}","Resource":"*"}}]}}"#) })
        }
        "s3:CreateBucket" => json!({ "Bucket": "fuzz" }),
        "s3:PutObject" => {
            json!({ "Bucket": "fuzz", "Key": "app.env", "Body": "# fuzz\nSTAGE=fuzz\nLEVEL=debug\n" })
        }
        "sim:SetImageBehavior" => {
            let mut r = json!({ "image": pick(rng, IMAGES) });
            match rng.random_range(0..6) {
                5 => {
                    r["imageSize"] = json!(pick(rng, &["1GiB", "19GiB", "25GiB"]));
                    r["writes"] = json!([{ "path": pick(rng, &["/data/x.log", "/tmp/y"]), "every": "30s", "size": pick(rng, &["1KiB", "2GiB"]) }]);
                }
                4 => {
                    r["logs"] = json!({ "start": ["starting"], "request": ["GET / 200"], "exit": ["exiting"] });
                    r["calls"] = json!([{ "action": "s3:GetObject", "resource": "arn:aws:s3:::fuzz/app.env", "every": "30s" }]);
                }
                0 => r["pull"] = json!("fail"),
                1 => r["exitAfter"] = json!(pick(rng, &["1s", "30s", "10m"])),
                2 => r["healthCheck"] = json!("fail"),
                3 => r["startupTime"] = json!(pick(rng, &["5s", "2m"])),
                _ => {}
            }
            r
        }
        _ => json!({}),
    }
}

/// A value of another kind, or an extreme of the same kind.
fn mutant(rng: &mut ChaCha8Rng, value: &Value) -> Value {
    let extremes = [
        json!(0),
        json!(-1),
        json!(1.5),
        json!(2_147_483_648_i64),
        json!(u64::MAX),
        json!(""),
        json!("x".repeat(300)),
        json!("===="),
        json!(null),
        json!(true),
        json!([]),
        json!({}),
        json!([value.clone(), value.clone()]),
    ];
    match value {
        Value::String(s) if rng.random_bool(0.3) => json!(format!("{s}{s}")),
        _ => pick(rng, &extremes).clone(),
    }
}

/// Mutates one place in `value`: a leaf replaced, a field removed, or an unknown field added.
fn mutate(rng: &mut ChaCha8Rng, value: &mut Value, depth: u32) {
    match value {
        Value::Object(map) if !map.is_empty() && depth < 6 => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = pick(rng, &keys).clone();
            match rng.random_range(0..6) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    map.insert("fuzzField".into(), json!(1));
                }
                2 => {
                    let replacement = mutant(rng, &map[&key]);
                    map.insert(key, replacement);
                }
                _ => mutate(rng, map.get_mut(&key).expect("a key of the map"), depth + 1),
            }
        }
        Value::Array(items) if !items.is_empty() && depth < 6 => {
            let i = rng.random_range(0..items.len());
            if rng.random_bool(0.2) {
                let copy = items[i].clone();
                items.push(copy);
            } else {
                mutate(rng, &mut items[i], depth + 1);
            }
        }
        other => *other = mutant(rng, other),
    }
}

/// The log as `ecsplay run` prints it.
fn lines(world: &World) -> Vec<String> {
    (world.log().iter())
        .map(|r| r.to_line(|t| world.iso(t)))
        .collect()
}

struct Run {
    world: World,
    rng: ChaCha8Rng,
    seed: u64,
    report: RunReport,
}

impl Run {
    fn fail(&self, step: usize, action: &str, input: &Value, what: String) -> FuzzFailure {
        let mut input = input.to_string();
        input.truncate(400);
        FuzzFailure {
            seed: self.seed,
            step,
            action: action.into(),
            input,
            what,
        }
    }

    /// Advances to `until` one timer at a time, checking the invariants and bounds after each.
    fn advance(&mut self, until: u64, step: usize) -> Result<(), FuzzFailure> {
        loop {
            let done = self.world.advance_to_at_most(until, 1);
            self.report.timers += 1;
            if let Err(violation) = self.world.check_invariants() {
                return Err(self.fail(
                    step,
                    "(timer)",
                    &Value::Null,
                    format!("invariant: {violation}"),
                ));
            }
            self.bounds(step)?;
            if done {
                return Ok(());
            }
        }
    }

    fn bounds(&self, step: usize) -> Result<(), FuzzFailure> {
        let world = &self.world;
        let over = if world.ecs.tasks.len() > TASKS_HELD_MAX {
            Some(format!("{} tasks held", world.ecs.tasks.len()))
        } else if world.log().len() > LOG_RECORDS_MAX * 5 / 4 {
            Some(format!("{} log records held", world.log().len()))
        } else if world.pending_timers() > TIMERS_PENDING_MAX {
            Some(format!("{} timers pending", world.pending_timers()))
        } else if self.report.timers > TIMERS_PER_RUN_MAX {
            Some(format!("{} timers fired", self.report.timers))
        } else {
            None
        };
        match over {
            Some(what) => Err(self.fail(step, "(bounds)", &Value::Null, what)),
            None => Ok(()),
        }
    }

    /// Performs one request; a refusal must leave everything as it was but the log's record.
    fn apply(&mut self, step: usize, action: &str, input: &Value) -> Result<(), FuzzFailure> {
        let before = self.world.describe_all();
        let (log_before, timers_before) = (self.world.log().len(), self.world.pending_timers());
        let dropped_before = self.world.log_dropped();
        let result = self.world.apply_logged(action, input);
        if let Err(violation) = self.world.check_invariants() {
            return Err(self.fail(step, action, input, format!("invariant: {violation}")));
        }
        if let Err(error) = result {
            self.report.refused += 1;
            let held = self.world.log().len() as u64 + self.world.log_dropped();
            let unchanged = self.world.describe_all() == before
                && self.world.pending_timers() == timers_before
                && held == log_before as u64 + dropped_before + 1;
            if !unchanged {
                return Err(self.fail(
                    step,
                    action,
                    input,
                    format!("refused ({error}) but changed the world"),
                ));
            }
            for rust in [
                "expected i64",
                "expected u32",
                "expected struct",
                "untagged enum",
                "invalid type: ",
            ] {
                if error.message.contains(rust) {
                    return Err(self.fail(
                        step,
                        action,
                        input,
                        format!("library wording: {}", error.message),
                    ));
                }
            }
        }
        self.bounds(step)
    }
}

/// One run from `seed`: its steps, with invariants, refusals and bounds checked.
fn run_once(seed: u64) -> Result<(RunReport, Vec<String>), FuzzFailure> {
    let mut run = Run {
        world: World::new(WorldConfig {
            seed,
            ..WorldConfig::default()
        }),
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0f0f_f00d),
        seed,
        report: RunReport::default(),
    };
    let steps = run.rng.random_range(1..=STEPS_PER_RUN_MAX);
    // Capacity first more often than not, so placement and services have something to do.
    let mut at = 0;
    for step in 0..steps {
        let action = match step {
            0 => "ecs:CreateCluster",
            1 | 2 if run.rng.random_bool(0.8) => "ec2:RunInstances",
            3 if run.rng.random_bool(0.8) => "ecs:RegisterTaskDefinition",
            4 if run.rng.random_bool(0.6) => "ecs:CreateService",
            _ if run.rng.random_bool(0.5) => *pick(&mut run.rng, BUSY_ACTIONS),
            _ => *pick(&mut run.rng, ACTIONS),
        };
        let mut input = request(&mut run.rng, &run.world, action);
        if step == 0 {
            // A cluster that exists from the start, so most later requests find one.
            input = json!({ "clusterName": pick(&mut run.rng, &CLUSTERS[..3]) });
        }
        if step > 4 && run.rng.random_range(0..100) < MUTATION_PERCENT {
            mutate(&mut run.rng, &mut input, 0);
        }
        run.apply(step, action, &input)?;
        run.report.steps += 1;
        at += run.rng.random_range(0..=GAP_MS_MAX);
        run.advance(at, step)?;
    }
    run.advance(at + RUN_PAST_LAST_MS, steps)?;
    let log = lines(&run.world);
    run.report.log_lines = log.len();
    run.report.tasks_started = run.world.ecs.tasks.started();
    Ok((run.report, log))
}

/// One seed, run twice: the two runs must agree byte for byte.
pub fn fuzz_seed(seed: u64) -> Result<RunReport, FuzzFailure> {
    let (report, first) = run_once(seed)?;
    let (_, second) = run_once(seed)?;
    if first != second {
        let at = first
            .iter()
            .zip(&second)
            .position(|(a, b)| a != b)
            .unwrap_or(first.len().min(second.len()));
        return Err(FuzzFailure {
            seed,
            step: 0,
            action: "(determinism)".into(),
            input: String::new(),
            what: format!("the same seed gave different logs from line {at}"),
        });
    }
    Ok(report)
}

/// The seeds `seed`, `seed + 1`, ... `seed + runs - 1`, each run twice; the first failure stops
/// the pass. `before` is told each seed before its run, so a panic (which aborts a release
/// build) is known by the last seed announced; `--seed S --runs 1` replays run S alone.
pub fn fuzz(seed: u64, runs: u64, mut before: impl FnMut(u64)) -> Result<RunReport, FuzzFailure> {
    let mut total = RunReport::default();
    for n in 0..runs {
        let s = seed.wrapping_add(n);
        before(s);
        let report = fuzz_seed(s)?;
        total.steps += report.steps;
        total.refused += report.refused;
        total.timers += report.timers;
        total.log_lines += report.log_lines;
        total.tasks_started += report.tasks_started;
    }
    Ok(total)
}
