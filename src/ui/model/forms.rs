//! The requests the playground's forms make, built from what the user chose: plain functions so
//! they are tested natively against the engine.

use serde_json::{json, Map, Value};

use crate::ecs::placement::cql;

/// Subnets the forms give Fargate tasks: the default subnets of three zones.
pub const FARGATE_SUBNETS: [&str; 3] = [
    "subnet-aaaaaaaaaaaaaaaaa",
    "subnet-bbbbbbbbbbbbbbbbb",
    "subnet-ccccccccccccccccc",
];

/// The ACTIVE clusters' names, for the forms' cluster choices.
pub fn active_clusters(world: &crate::world::World) -> Vec<String> {
    world
        .ecs
        .clusters
        .values()
        .filter(|c| c.active)
        .map(|c| c.name.clone())
        .collect()
}

/// Registered revisions as `family:revision`, newest first; only ACTIVE ones when asked (the
/// ones a service or RunTask may use).
pub fn revisions(world: &crate::world::World, active_only: bool) -> Vec<String> {
    let mut out: Vec<(u64, String)> = world
        .ecs
        .task_definitions
        .iter()
        .flat_map(|(family, revs)| {
            revs.iter()
                .filter(move |d| d.active || !active_only)
                .map(move |d| (d.registered_at, format!("{family}:{}", d.revision)))
        })
        .collect();
    out.sort_by(|a, b| b.cmp(a));
    out.into_iter().map(|(_, key)| key).collect()
}

/// `key=value, key2=value2` as a map; an entry without `=` is an error naming it.
pub fn parse_attributes(text: &str) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (key, value) = entry
            .split_once('=')
            .ok_or_else(|| format!("\"{entry}\" is not name=value"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(format!("\"{entry}\" has no name before the ="));
        }
        if map.contains_key(key) {
            return Err(format!(
                "\"{key}\" is given twice: an instance has one value per attribute"
            ));
        }
        // ECS's own rules and words (aws-facts 2.4), before the request is even made.
        crate::ecs::cluster::check_attribute_parts(key, Some(value.trim()), "$")
            .map_err(|e| format!("\"{key}\": {}", e.message))?;
        map.insert(key.to_string(), json!(value.trim()));
    }
    Ok(map)
}

/// The placement strategies the service form offers, by label, as the API spells them.
pub const STRATEGY_CHOICES: &[(&str, &str)] = &[
    ("default", "[]"),
    (
        "spread(AZ) + spread(instanceId)",
        r#"[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"spread","field":"instanceId"}]"#,
    ),
    (
        "binpack(memory)",
        r#"[{"type":"binpack","field":"memory"}]"#,
    ),
    ("binpack(cpu)", r#"[{"type":"binpack","field":"cpu"}]"#),
    (
        "spread(AZ) + binpack(memory)",
        r#"[{"type":"spread","field":"attribute:ecs.availability-zone"},{"type":"binpack","field":"memory"}]"#,
    ),
    (
        "spread(instanceId)",
        r#"[{"type":"spread","field":"instanceId"}]"#,
    ),
    ("random", r#"[{"type":"random"}]"#),
];

/// The strategy list for a choice of [`STRATEGY_CHOICES`] (empty: the API's default).
pub fn strategy(label: &str) -> Vec<Value> {
    STRATEGY_CHOICES
        .iter()
        .find(|(l, _)| *l == label)
        .and_then(|(_, json)| serde_json::from_str::<Vec<Value>>(json).ok())
        .unwrap_or_default()
}

/// A memberOf expression checked as the user types: None when empty or valid, else the
/// message with its 1-based column, as CreateService would refuse it.
pub fn check_member_of(expression: &str) -> Option<String> {
    if expression.trim().is_empty() {
        return None;
    }
    cql::parse(expression)
        .err()
        .map(|e| format!("Column {}: {}", e.column, e.message))
}

/// Everything the create-service form asks.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceForm {
    pub cluster: String,
    pub name: String,
    pub task_definition: String,
    pub launch_type: String,
    pub daemon: bool,
    /// The numbers as typed: see [`number_as_typed`].
    pub desired_count: String,
    pub strategy: String,
    pub member_of: String,
    pub distinct_instance: bool,
    pub minimum_healthy_percent: String,
    pub maximum_percent: String,
    pub circuit_breaker: bool,
    pub rollback: bool,
    /// The target group the service's tasks register with (or `classic:<name>`, a Classic
    /// Load Balancer), and the container and port that receive its traffic (the definition's
    /// first TCP port mapping).
    pub load_balancer: Option<(String, String, u16)>,
}

/// The container and port of a task definition (`family:revision`) that a load balancer would
/// send traffic to: its first container with a TCP port mapping.
pub fn load_balanced_port(
    world: &crate::world::World,
    task_definition: &str,
) -> Option<(String, u16)> {
    let (family, revision) = task_definition.rsplit_once(':')?;
    let revision: usize = revision.parse().ok()?;
    let definition = world
        .ecs
        .task_definitions
        .get(family)?
        .get(revision.checked_sub(1)?)?;
    definition.containers.iter().find_map(|c| {
        (c.port_mappings.iter())
            .find(|p| !p.udp)
            .map(|p| (c.name.clone(), p.container_port))
    })
}

impl ServiceForm {
    /// The CreateService request, with what the form holds as it holds it: the placement
    /// settings chosen go for Fargate too, so AWS's refusal says why they do not apply, and
    /// Fargate gets the awsvpc subnets it needs.
    pub fn request(&self) -> Value {
        let mut deployment = json!({
            "deploymentCircuitBreaker": { "enable": self.circuit_breaker, "rollback": self.rollback },
        });
        for (key, text) in [
            ("minimumHealthyPercent", &self.minimum_healthy_percent),
            ("maximumPercent", &self.maximum_percent),
        ] {
            if let Some(value) = number_as_typed(text) {
                deployment[key] = value;
            }
        }
        let mut input = json!({
            "cluster": self.cluster,
            "serviceName": self.name,
            "taskDefinition": self.task_definition,
            "deploymentConfiguration": deployment,
        });
        let map = input.as_object_mut().expect("an object");
        for (key, value) in launch_fields(&self.launch_type) {
            map.insert(key.into(), value);
        }
        if self.daemon {
            map.insert("schedulingStrategy".into(), json!("DAEMON"));
        } else if let Some(count) = number_as_typed(&self.desired_count) {
            map.insert("desiredCount".into(), count);
        }
        if is_fargate_choice(&self.launch_type) {
            map.insert("networkConfiguration".into(), fargate_network());
        }
        let strategy = strategy(&self.strategy);
        if !strategy.is_empty() {
            map.insert("placementStrategy".into(), json!(strategy));
        }
        let mut constraints = Vec::new();
        if self.distinct_instance {
            constraints.push(json!({ "type": "distinctInstance" }));
        }
        if !self.member_of.trim().is_empty() {
            constraints.push(json!({ "type": "memberOf", "expression": self.member_of.trim() }));
        }
        if !constraints.is_empty() {
            map.insert("placementConstraints".into(), json!(constraints));
        }
        if let Some((group, container, port)) = &self.load_balancer {
            let entry = match group.strip_prefix(CLASSIC_CHOICE) {
                Some(name) => {
                    json!({ "loadBalancerName": name, "containerName": container, "containerPort": port })
                }
                None => {
                    json!({ "targetGroupArn": group, "containerName": container, "containerPort": port })
                }
            };
            map.insert("loadBalancers".into(), json!([entry]));
        }
        input
    }
}

/// How the service form's load balancer choice names a Classic Load Balancer: `classic:<name>`.
pub const CLASSIC_CHOICE: &str = "classic:";

/// What a new service may register with: each target group by its ARN, each Classic Load
/// Balancer as `classic:<name>`, with the words the form shows.
pub fn load_balancer_choices(world: &crate::world::World) -> Vec<(String, String)> {
    (world.elb.target_groups.iter())
        .map(|tg| {
            if tg.classic {
                (
                    format!("Classic Load Balancer {}", tg.name),
                    format!("{CLASSIC_CHOICE}{}", tg.name),
                )
            } else {
                (format!("target group {}", tg.name), tg.arn.clone())
            }
        })
        .collect()
}

/// What the load balancing panel's "Create a Classic Load Balancer" form holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassicForm {
    pub name: String,
    /// The default subnets' zones (letters).
    pub zones: Vec<char>,
    /// `HTTP` or `TCP`.
    pub protocol: String,
    pub listener_port: String,
    pub instance_port: String,
    /// The health check's `Target` (`HTTP:80/`, `TCP:80`).
    pub health_target: String,
    pub interval_s: String,
    pub healthy_threshold: String,
    pub unhealthy_threshold: String,
    /// Connection draining's timeout; empty leaves it off (the API's default).
    pub draining_s: String,
}

/// The form as the Classic API's requests: CreateLoadBalancer, ConfigureHealthCheck (every
/// field is required there: the form's empty ones take the values the console proposes), and
/// ModifyLoadBalancerAttributes when connection draining is asked for.
pub fn classic_batch(form: &ClassicForm) -> Vec<(String, Value)> {
    let name = form.name.trim();
    let protocol = if form.protocol.is_empty() {
        "HTTP"
    } else {
        form.protocol.as_str()
    };
    let mut listener = json!({ "Protocol": protocol, "InstanceProtocol": protocol });
    for (key, text) in [
        ("LoadBalancerPort", &form.listener_port),
        ("InstancePort", &form.instance_port),
    ] {
        listener[key] = number_field(text).unwrap_or(json!(80));
    }
    let zones: Vec<String> = (form.zones.iter())
        .map(|z| format!("us-east-1{z}"))
        .collect();
    let mut out = vec![(
        "elasticloadbalancing:CreateLoadBalancer".to_string(),
        json!({ "LoadBalancerName": name, "Listeners": [listener], "AvailabilityZones": zones }),
    )];
    let or = |text: &str, default: i64| number_field(text).unwrap_or(json!(default));
    let target = if form.health_target.trim().is_empty() {
        format!("TCP:{}", form.instance_port.trim())
    } else {
        form.health_target.trim().to_string()
    };
    out.push((
        "elasticloadbalancing:ConfigureHealthCheck".into(),
        json!({ "LoadBalancerName": name, "HealthCheck": {
            "Target": target,
            "Interval": or(&form.interval_s, 30),
            "Timeout": 5,
            "HealthyThreshold": or(&form.healthy_threshold, 10),
            "UnhealthyThreshold": or(&form.unhealthy_threshold, 2),
        } }),
    ));
    if let Some(timeout) = number_field(&form.draining_s) {
        out.push((
            "elasticloadbalancing:ModifyLoadBalancerAttributes".into(),
            json!({ "LoadBalancerName": name, "LoadBalancerAttributes": {
                "ConnectionDraining": { "Enabled": true, "Timeout": timeout },
            } }),
        ));
    }
    out
}

/// A number field as the CLI would send it: nothing when empty (the field is left out), an
/// integer as a number, anything else (`1e2`, `2.5`, `-x`) as the text typed, for the API's
/// own validation to refuse with its wording.
pub fn number_as_typed(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(match text.parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(text),
    })
}

/// awsvpc settings for a Fargate task or service.
pub fn fargate_network() -> Value {
    // No security group named: the VPC's default group, which lets in its own members (a
    // load balancer made with the default group reaches the tasks).
    json!({ "awsvpcConfiguration": { "subnets": FARGATE_SUBNETS, "assignPublicIp": "DISABLED" } })
}

/// The RunTask request of the run-task form.
pub fn run_task_request(
    cluster: &str,
    task_definition: &str,
    count: &str,
    launch_type: &str,
) -> Value {
    let mut input = json!({
        "cluster": cluster,
        "taskDefinition": task_definition,
    });
    for (key, value) in launch_fields(launch_type) {
        input[key] = value;
    }
    if let Some(count) = number_as_typed(count) {
        input["count"] = count;
    }
    if is_fargate_choice(launch_type) {
        input["networkConfiguration"] = fargate_network();
    }
    input
}

/// Whether a launch choice runs on Fargate (its tasks need awsvpc subnets).
pub fn is_fargate_choice(choice: &str) -> bool {
    matches!(choice, "FARGATE" | "spot" | "mixed")
}

/// The create-service and run-task forms' launch choices: a launch type, or a strategy of
/// Fargate's capacity providers (the cluster must have them: the capacity panel associates
/// them). Value and words.
pub const LAUNCH_CHOICES: [(&str, &str); 5] = [
    ("EC2", "EC2"),
    (
        "default",
        "the cluster's default capacity provider strategy",
    ),
    ("FARGATE", "FARGATE"),
    ("spot", "FARGATE_SPOT (capacity provider)"),
    (
        "mixed",
        "FARGATE base 2 + FARGATE_SPOT 1:3 (capacity providers)",
    ),
];

/// What a launch choice sends: `launchType`, or `capacityProviderStrategy`.
pub fn launch_fields(choice: &str) -> Vec<(&'static str, Value)> {
    match choice {
        "spot" => vec![(
            "capacityProviderStrategy",
            json!([{ "capacityProvider": "FARGATE_SPOT", "weight": 1 }]),
        )],
        "mixed" => vec![(
            "capacityProviderStrategy",
            json!([{ "capacityProvider": "FARGATE", "base": 2, "weight": 1 },
                   { "capacityProvider": "FARGATE_SPOT", "weight": 3 }]),
        )],
        // Neither a launch type nor a strategy: ECS takes the cluster's default strategy.
        "default" => Vec::new(),
        other => vec![("launchType", json!(other))],
    }
}

/// Strategies a Fargate service's row can move it to (UpdateService with
/// `capacityProviderStrategy` and, as ECS requires, `forceNewDeployment`): value and words.
pub const FARGATE_STRATEGY_CHOICES: [(&str, &str); 3] = [
    ("strategy:FARGATE", "capacity: FARGATE (new deployment)"),
    ("strategy:spot", "capacity: FARGATE_SPOT (new deployment)"),
    (
        "strategy:mixed",
        "capacity: FARGATE base 2 + FARGATE_SPOT 1:3 (new deployment)",
    ),
];

/// UpdateService moving `base` (cluster and service) to the strategy of a
/// [`FARGATE_STRATEGY_CHOICES`] value, with the forced new deployment ECS requires.
pub fn strategy_update(base: &Value, choice: &str) -> Option<Value> {
    let strategy = match choice.strip_prefix("strategy:")? {
        "FARGATE" => json!([{ "capacityProvider": "FARGATE", "weight": 1 }]),
        other => {
            launch_fields(other)
                .into_iter()
                .find(|(k, _)| *k == "capacityProviderStrategy")?
                .1
        }
    };
    let mut input = base.clone();
    input["capacityProviderStrategy"] = strategy;
    input["forceNewDeployment"] = json!(true);
    Some(input)
}

/// PutClusterCapacityProviders giving `cluster` FARGATE and FARGATE_SPOT, with no default
/// strategy (requests name theirs).
pub fn fargate_providers_request(cluster: &str) -> Value {
    json!({ "cluster": cluster, "capacityProviders": ["FARGATE", "FARGATE_SPOT"], "defaultCapacityProviderStrategy": [] })
}

/// sim:InterruptSpot for the share typed (in percent) of the running FARGATE_SPOT tasks; a
/// share that is not a number goes as typed for the action's check to refuse.
pub fn interrupt_spot_request(percent: &str) -> Value {
    let fraction = (percent.trim().parse::<f64>())
        .map_or_else(|_| json!(percent.trim()), |p| json!(p / 100.0));
    json!({ "capacityProvider": "FARGATE_SPOT", "fraction": fraction })
}

/// What the load balancing panel's "Create an Application Load Balancer" form holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlbForm {
    pub name: String,
    /// The default subnets' zones (letters), two at least.
    pub zones: Vec<char>,
    pub security_group: String,
    pub listener_port: String,
    pub target_port: String,
    pub health_check_path: String,
    pub interval_s: String,
    pub healthy_threshold: String,
    pub unhealthy_threshold: String,
    /// `instance` (EC2 tasks on bridge or host ports) or `ip` (awsvpc and Fargate tasks).
    pub target_type: String,
}

/// A number field of a form, as typed: empty leaves it out (the API's default).
fn number_field(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
    )
}

/// The form as the three requests the console makes: the target group (r0), the load
/// balancer (r1), and its listener forwarding to the group, naming both by their answers.
pub fn alb_batch(form: &AlbForm) -> Vec<(String, Value)> {
    let mut group = json!({
        "Name": form.name, "Protocol": "HTTP", "VpcId": crate::ec2::network::DEFAULT_VPC_ID,
        "TargetType": if form.target_type.is_empty() { "instance" } else { form.target_type.as_str() },
    });
    let fields = [
        ("Port", number_field(&form.target_port)),
        ("HealthCheckIntervalSeconds", number_field(&form.interval_s)),
        (
            "HealthyThresholdCount",
            number_field(&form.healthy_threshold),
        ),
        (
            "UnhealthyThresholdCount",
            number_field(&form.unhealthy_threshold),
        ),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            group[key] = value;
        }
    }
    if !form.health_check_path.trim().is_empty() {
        group["HealthCheckPath"] = json!(form.health_check_path.trim());
    }
    let subnets: Vec<String> = (form.zones.iter())
        .map(|z| crate::ec2::network::default_subnet_id(*z))
        .collect();
    let mut balancer = json!({ "Name": form.name, "Type": "application", "Subnets": subnets });
    if !form.security_group.is_empty() {
        balancer["SecurityGroups"] = json!([form.security_group]);
    }
    let mut listener = json!({
        "LoadBalancerArn": "${r1.LoadBalancers[0].LoadBalancerArn}",
        "Protocol": "HTTP",
        "DefaultActions": [{ "Type": "forward", "TargetGroupArn": "${r0.TargetGroups[0].TargetGroupArn}" }],
    });
    if let Some(port) = number_field(&form.listener_port) {
        listener["Port"] = port;
    }
    vec![
        ("elasticloadbalancing:CreateTargetGroup".into(), group),
        ("elasticloadbalancing:CreateLoadBalancer".into(), balancer),
        ("elasticloadbalancing:CreateListener".into(), listener),
    ]
}

/// An inbound rule as the panel asks for it: TCP ports `from`-`to` into `group` from a block
/// (`10.0.0.0/8`) or a security group (`sg-...`).
pub fn ingress_request(group: &str, from: &str, to: &str, source: &str) -> Value {
    let port = |text: &str| number_field(text).unwrap_or(Value::Null);
    let to = if to.trim().is_empty() { from } else { to };
    let mut permission = json!({ "IpProtocol": "tcp", "FromPort": port(from), "ToPort": port(to) });
    let source = source.trim();
    if source.starts_with("sg-") {
        permission["UserIdGroupPairs"] = json!([{ "GroupId": source }]);
    } else {
        permission["IpRanges"] = json!([{ "CidrIp": source }]);
    }
    json!({ "GroupId": group, "IpPermissions": [permission] })
}

/// The traffic profiles the load balancing panel offers, by name, with what each does.
pub const TRAFFIC_PROFILES: [(&str, &str); 4] = [
    ("steady", "steady"),
    ("ramp", "ramp up over 10 minutes"),
    ("daily", "daily: night, morning rise, midday peak, evening"),
    ("spike", "spike: 5 minutes quiet, then 5 at the top"),
];

/// `sim:SetTraffic` for load balancer `arn` at `rps` requests a second with a named profile
/// ([`TRAFFIC_PROFILES`]): steady, a ramp from nothing over ten minutes, a daily pattern
/// peaking at `rps` at noon, or a spike from a fifth of `rps` to all of it.
pub fn traffic_request(arn: &str, rps: &str, profile: &str) -> Result<Value, String> {
    let rps: f64 = rps
        .trim()
        .parse()
        .ok()
        .filter(|r: &f64| r.is_finite() && *r >= 0.0)
        .ok_or_else(|| format!("requests a second must be a number of 0 or more, not {rps:?}"))?;
    let point =
        |at: &str, share: f64| json!({ "at": at, "requestsPerSecond": (rps * share).round() });
    Ok(match profile {
        "steady" => json!({ "loadBalancer": arn, "requestsPerSecond": rps }),
        "ramp" => json!({ "loadBalancer": arn, "profile": [point("0s", 0.0), point("10m", 1.0)] }),
        "daily" => json!({ "loadBalancer": arn, "repeat": "24h", "profile": [
            point("0s", 0.2), point("6h", 0.2), point("9h", 0.7), point("12h", 1.0),
            point("18h", 0.6), point("22h", 0.3), point("24h", 0.2)] }),
        "spike" => json!({ "loadBalancer": arn, "profile": [
            point("0s", 0.2), point("5m", 0.2), point("5m10s", 1.0), point("10m", 1.0), point("10m10s", 0.2)] }),
        other => return Err(format!("unknown traffic profile {other:?}")),
    })
}

#[cfg(test)]
mod traffic_tests {
    use super::*;

    #[test]
    fn each_profile_is_a_set_traffic_the_model_takes() {
        let mut world = crate::world::World::new(Default::default());
        let lb = world
            .apply(
                "elasticloadbalancing:CreateLoadBalancer",
                &json!({ "Name": "web", "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"] }),
            )
            .unwrap()["LoadBalancers"][0]["LoadBalancerArn"]
            .as_str()
            .unwrap()
            .to_string();
        for (name, _) in TRAFFIC_PROFILES {
            let request = traffic_request(&lb, "200", name).unwrap();
            let answer = world.apply("sim:SetTraffic", &request).unwrap();
            let expected = match name {
                "steady" => 200.0,
                "ramp" => 0.0,
                _ => 40.0,
            };
            assert_eq!(answer["requestsPerSecond"], expected, "{name}");
        }
        assert!(traffic_request(&lb, "-3", "steady").is_err());
        assert!(traffic_request(&lb, "10", "tidal").is_err());
    }
}

/// What the capacity panel's "Create an Auto Scaling group" form holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AsgForm {
    pub name: String,
    pub instance_type: String,
    /// The cluster its instances join (the launch template's user data names it).
    pub cluster: String,
    /// The default subnets' zones (letters).
    pub zones: Vec<char>,
    /// The sizes as typed.
    pub min: String,
    pub desired: String,
    pub max: String,
    /// Percent of the instances that are Spot, as typed ("0": On-Demand only, no policy).
    pub spot_percent: String,
    /// A second instance type for a mixed instances policy ("" for none).
    pub second_type: String,
}

impl AsgForm {
    /// Whether the group needs a mixed instances policy: Spot, or a second type.
    fn mixed(&self) -> bool {
        !self.second_type.is_empty() || !matches!(self.spot_percent.trim(), "" | "0")
    }

    /// The launch template the group launches from: the ECS-optimized AMI, the type, the
    /// instance role, and user data (base64) that names the cluster.
    pub fn template_request(&self) -> Value {
        let mut script = format!(
            "#!/bin/bash\necho ECS_CLUSTER={} >> /etc/ecs/ecs.config",
            self.cluster
        );
        if self.mixed() {
            // Spot instances drain at their interruption notice (aws-facts 17.4.6).
            script.push_str("\necho ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config");
        }
        json!({
            "LaunchTemplateName": format!("{}-template", self.name.trim()),
            "LaunchTemplateData": {
                "ImageId": crate::ec2::ECS_AMI,
                "InstanceType": self.instance_type,
                "IamInstanceProfile": { "Name": "ecsInstanceRole" },
                "UserData": crate::engine::base64::encode(script.as_bytes()),
            },
        })
    }

    /// CreateLaunchTemplate, then CreateAutoScalingGroup from it across the chosen zones'
    /// default subnets.
    pub fn batch(&self) -> Vec<(String, Value)> {
        let subnets: Vec<String> = (self.zones.iter())
            .map(|&z| crate::ec2::read::default_subnet_id(z))
            .collect();
        let template = json!({ "LaunchTemplateName": format!("{}-template", self.name.trim()), "Version": "$Latest" });
        let mut group = json!({
            "AutoScalingGroupName": self.name.trim(),
            "VPCZoneIdentifier": subnets.join(","),
        });
        if self.mixed() {
            let mut overrides = vec![json!({ "InstanceType": self.instance_type })];
            if !self.second_type.is_empty() && self.second_type != self.instance_type {
                overrides.push(json!({ "InstanceType": self.second_type }));
            }
            // The percentage as typed, turned into On-Demand's share (Auto Scaling checks it).
            let on_demand = match self.spot_percent.trim().parse::<i64>() {
                Ok(spot) => json!(100 - spot),
                Err(_) => json!(self.spot_percent.trim()),
            };
            group["MixedInstancesPolicy"] = json!({
                "LaunchTemplate": { "LaunchTemplateSpecification": template, "Overrides": overrides },
                "InstancesDistribution": { "OnDemandBaseCapacity": 0, "OnDemandPercentageAboveBaseCapacity": on_demand },
            });
        } else {
            group["LaunchTemplate"] = template;
        }
        for (key, text) in [
            ("MinSize", &self.min),
            ("DesiredCapacity", &self.desired),
            ("MaxSize", &self.max),
        ] {
            if let Some(value) = number_as_typed(text) {
                group[key] = value;
            }
        }
        vec![
            ("ec2:CreateLaunchTemplate".into(), self.template_request()),
            ("autoscaling:CreateAutoScalingGroup".into(), group),
        ]
    }
}

/// An Auto Scaling group as the capacity panel lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupLine {
    pub name: String,
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    /// Each instance: its id, zone, lifecycle state, and whether it is Spot.
    pub instances: Vec<(String, String, &'static str, bool)>,
    /// The newest activities: description and status.
    pub activities: Vec<(String, &'static str)>,
    pub arn: String,
    /// Its ECS capacity provider, if it has one.
    pub provider: Option<String>,
    /// The cluster its instances registered with, and the providers that cluster has.
    pub cluster: Option<(String, Vec<String>)>,
    /// Its own target-tracking policy on ASGAverageCPUUtilization: name and target.
    pub cpu_policy: Option<(String, f64)>,
}

impl GroupLine {
    /// CreateCapacityProvider for the group (`<group>-cp`, managed scaling on at a target of
    /// 100%: the group follows its cluster's tasks).
    pub fn provider_request(&self) -> Value {
        json!({ "name": format!("{}-cp", self.name), "autoScalingGroupProvider": {
            "autoScalingGroupArn": self.arn,
            "managedScaling": { "status": "ENABLED", "targetCapacity": 100 } } })
    }

    /// PutScalingPolicy: target tracking on the group's average CPU at `target` percent, as
    /// typed (Auto Scaling checks the number).
    pub fn cpu_policy_request(&self, target: &str) -> Value {
        let value = number_as_typed(target).unwrap_or_else(|| json!(target.trim()));
        json!({ "AutoScalingGroupName": self.name, "PolicyName": "cpu-target-tracking",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingConfiguration": {
                    "PredefinedMetricSpecification": { "PredefinedMetricType": "ASGAverageCPUUtilization" },
                    "TargetValue": value } })
    }

    /// PutClusterCapacityProviders adding the group's provider to its cluster's, as the
    /// cluster's default strategy.
    pub fn associate_request(&self) -> Option<Value> {
        let provider = self.provider.as_ref()?;
        let (cluster, providers) = self.cluster.as_ref()?;
        let mut all = providers.clone();
        if !all.contains(provider) {
            all.push(provider.clone());
        }
        Some(json!({ "cluster": cluster, "capacityProviders": all,
                     "defaultCapacityProviderStrategy": [{ "capacityProvider": provider, "weight": 1 }] }))
    }
}

/// Activities shown per group, the newest first.
pub const GROUP_ACTIVITIES_SHOWN: usize = 3;

/// The groups, as the capacity panel lists them.
pub fn group_lines(world: &crate::world::World) -> Vec<GroupLine> {
    (world.asg.groups.iter())
        .map(|g| GroupLine {
            name: g.name.clone(),
            min: g.min,
            desired: g.desired,
            max: g.max,
            instances: (g.instances.iter())
                .map(|i| (i.id.clone(), i.zone.clone(), i.lifecycle.as_str(), i.spot))
                .collect(),
            activities: (world.asg.activities.iter().rev())
                .filter(|a| a.group == g.name)
                .take(GROUP_ACTIVITIES_SHOWN)
                .map(|a| (a.description.clone(), a.status))
                .collect(),
            arn: g.arn.clone(),
            provider: (world.ecs.providers.iter())
                .find(|p| p.group_arn == g.arn)
                .map(|p| p.name.clone()),
            cluster: (g.instances.iter())
                .find_map(|i| world.ecs.agents.get(&i.id)?.container_instance)
                .map(|ci| {
                    let name = world.ecs.container_instances[ci].cluster.clone();
                    let providers = (world.ecs.clusters.get(&name))
                        .map(|c| c.capacity_providers.clone())
                        .unwrap_or_default();
                    (name, providers)
                }),
            cpu_policy: (world.asg.policies.iter())
                .find(|p| p.group == g.name && p.predefined_metric.is_some())
                .map(|p| (p.name.clone(), p.target)),
        })
        .collect()
}

#[cfg(test)]
mod strategy_tests {
    use super::*;

    #[test]
    fn a_rows_strategy_choice_is_an_update_with_a_forced_deployment() {
        let base = json!({ "cluster": "demo", "service": "web" });
        let update = strategy_update(&base, "strategy:mixed").unwrap();
        assert_eq!(update["forceNewDeployment"], true);
        assert_eq!(
            update["capacityProviderStrategy"],
            json!([{ "capacityProvider": "FARGATE", "base": 2, "weight": 1 },
                   { "capacityProvider": "FARGATE_SPOT", "weight": 3 }])
        );
        assert_eq!(
            strategy_update(&base, "strategy:FARGATE").unwrap()["capacityProviderStrategy"],
            json!([{ "capacityProvider": "FARGATE", "weight": 1 }])
        );
        assert!(strategy_update(&base, "web:2").is_none());
        assert!(strategy_update(&base, "force").is_none());
    }
}
