//! Benchmarks that print their figures (design.md section 7), shared by `ecsplay bench`, the
//! `benches/` harness and the browser benchmark. The caller passes a clock in milliseconds, as
//! `std::time::Instant` does not exist in the browser.
//!
//! The placement workload is C2M's (2,000,000 tasks on 6,100 instances): m5.4xlarge instances
//! (16 vCPU, 64 GiB, 16,384 CPU units and 62,914 MiB registered) over three zones, a tenth of
//! them c5.4xlarge; tasks of 32 CPU units and 128 MiB with one memberOf that keeps them off the
//! c5s (`attribute:ecs.instance-type =~ m5.*`, a regular expression evaluated per instance).
//! Each task is placed on the index as the simulation places it (choose, then commit), without
//! the lifecycle that follows.
//!
//! The day workload is the whole simulation: a day of 1,000 instances and 10,000 service tasks
//! health-checked every 30 s, from the first request to the last timer.

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::ecs::placement::index::Placer;
use crate::ecs::placement::{reference, Demand, MemberOf, Pool, Request, Resource, Slot, Strategy};
use crate::engine::time::{SimTime, MS_PER_DAY};

/// The strategy chains the budgets name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    BinpackMemory,
    SpreadZoneThenInstance,
    Random,
}

impl Chain {
    pub const ALL: [Chain; 3] = [
        Chain::BinpackMemory,
        Chain::SpreadZoneThenInstance,
        Chain::Random,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Chain::BinpackMemory => "binpack(memory)",
            Chain::SpreadZoneThenInstance => "spread(AZ)+spread(instanceId)",
            Chain::Random => "random",
        }
    }

    fn strategies(self) -> Vec<Strategy> {
        match self {
            Chain::BinpackMemory => vec![Strategy::Binpack(Resource::Memory)],
            Chain::SpreadZoneThenInstance => vec![
                Strategy::SpreadAttribute("ecs.availability-zone".into()),
                Strategy::SpreadInstance,
            ],
            Chain::Random => vec![Strategy::Random],
        }
    }
}

/// The instances of the workload, owned, so a pool can borrow them.
pub struct Fleet {
    ids: Vec<String>,
    zones: Vec<String>,
    attributes: Vec<BTreeMap<String, Option<String>>>,
    reserved: BTreeSet<u16>,
}

impl Fleet {
    pub fn new(instances: usize) -> Fleet {
        let zone_names = ["us-east-1a", "us-east-1b", "us-east-1c"];
        let mut fleet = Fleet {
            ids: Vec::with_capacity(instances),
            zones: Vec::with_capacity(instances),
            attributes: Vec::with_capacity(instances),
            reserved: [22, 2375, 2376, 51678, 51679].into_iter().collect(),
        };
        for n in 0..instances {
            let zone = zone_names[n % 3];
            let instance_type = if n % 10 == 9 {
                "c5.4xlarge"
            } else {
                "m5.4xlarge"
            };
            let mut attributes = BTreeMap::new();
            for (name, value) in [
                ("ecs.availability-zone", zone),
                ("ecs.instance-type", instance_type),
                ("ecs.os-type", "linux"),
                ("ecs.cpu-architecture", "x86_64"),
            ] {
                attributes.insert(name.to_string(), Some(value.to_string()));
            }
            fleet.ids.push(format!("{n:032x}"));
            fleet.zones.push(zone.to_string());
            fleet.attributes.push(attributes);
        }
        fleet
    }

    pub fn pool(&self) -> Pool<'_> {
        Pool {
            slots: (0..self.ids.len())
                .map(|n| {
                    Slot::new(
                        n,
                        &self.ids[n],
                        &self.zones[n],
                        16_384,
                        62_914,
                        7,
                        &self.reserved,
                        &self.attributes[n],
                    )
                })
                .collect(),
        }
    }
}

/// The workload's request under `chain`.
pub fn request(chain: Chain) -> Request {
    Request {
        demand: Demand {
            cpu_units: 32,
            memory_mib: 128,
            ..Demand::default()
        },
        member_of: vec![MemberOf::parse("attribute:ecs.instance-type =~ m5.*", "$")
            .expect("a valid expression")],
        distinct_instance: false,
        group: "service:c2m".into(),
        strategies: chain.strategies(),
        default_strategies: false,
    }
}

/// One measured run.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub chain: Chain,
    pub instances: usize,
    pub tasks: usize,
    pub placed: usize,
    pub seconds: f64,
    /// A digest of where every task went, so two runs can be compared.
    pub digest: u64,
}

impl Figure {
    pub fn nanoseconds_per_task(&self) -> f64 {
        self.seconds * 1e9 / self.tasks as f64
    }

    pub fn line(&self) -> String {
        format!(
            "placement {:<30} {:>9} tasks on {:>5} instances: {:>7.3} s, {:>6.0} ns/task ({} placed)",
            self.chain.label(),
            self.tasks,
            self.instances,
            self.seconds,
            self.nanoseconds_per_task(),
            self.placed
        )
    }
}

/// Places `tasks` tasks on `instances` instances under `chain`, timed by `clock_ms`.
pub fn placement(
    chain: Chain,
    instances: usize,
    tasks: usize,
    clock_ms: &dyn Fn() -> f64,
) -> Figure {
    let fleet = Fleet::new(instances);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let start = clock_ms();
    let mut placer = Placer::new(fleet.pool(), request(chain));
    let mut placed = 0;
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..tasks {
        match placer.choose(&mut rng) {
            Ok(s) => {
                placer.commit(s);
                placed += 1;
                digest = (digest ^ s as u64).wrapping_mul(0x0100_0000_01b3);
            }
            Err(_) => break,
        }
    }
    let seconds = (clock_ms() - start) / 1_000.0;
    Figure {
        chain,
        instances,
        tasks,
        placed,
        seconds,
        digest,
    }
}

/// The same decisions with the reference scan (for small sizes: it is quadratic), to show the
/// digests agree.
pub fn placement_reference(chain: Chain, instances: usize, tasks: usize) -> u64 {
    let fleet = Fleet::new(instances);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let request = request(chain);
    let mut pool = fleet.pool();
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for _ in 0..tasks {
        match reference::place(&pool, &request, &mut rng) {
            Ok(s) => {
                pool.add(s, &request);
                digest = (digest ^ s as u64).wrapping_mul(0x0100_0000_01b3);
            }
            Err(_) => break,
        }
    }
    digest
}

/// The C2M sizes, and half the cluster with half the tasks for the doubling budget.
pub const C2M_INSTANCES: usize = 6_100;
pub const C2M_TASKS: usize = 2_000_000;

/// Runs every chain at C2M scale and at half of it; returns the figures, full size first. Each
/// chain is first run once at a tenth of the size and not measured, so a browser's compiler has
/// optimised the code before the clock starts (it is the same code natively).
pub fn placement_suite(clock_ms: &dyn Fn() -> f64, scale: f64) -> Vec<(Figure, Figure)> {
    let instances = ((C2M_INSTANCES as f64) * scale).round() as usize;
    let tasks = ((C2M_TASKS as f64) * scale).round() as usize;
    Chain::ALL
        .iter()
        .map(|&chain| {
            placement(chain, instances / 10, tasks / 10, clock_ms);
            let full = placement(chain, instances, tasks, clock_ms);
            let half = placement(chain, instances / 2, tasks / 2, clock_ms);
            (full, half)
        })
        .collect()
}

/// The report `ecsplay bench placement` prints.
pub fn report(suite: &[(Figure, Figure)]) -> String {
    let mut out = String::new();
    for (full, half) in suite {
        out.push_str(&full.line());
        out.push('\n');
        out.push_str(&half.line());
        out.push('\n');
        out.push_str(&format!(
            "  time per task, doubling the cluster: x{:.2}\n",
            full.nanoseconds_per_task() / half.nanoseconds_per_task()
        ));
    }
    out
}

/// The cluster-map benchmark's world (design.md section 7: 1,000 instances, 10,000 tasks):
/// m5.xlarge instances over three zones, each task of 64 CPU units and 256 MiB, started by
/// RunTask (ten at a time, spread over the instances) and run until RUNNING. A tenth of them
/// come from four services' worth of task groups, so the map has colours to batch.
pub fn map_fleet(instances: usize, tasks: usize) -> crate::world::World {
    use serde_json::json;
    let mut world = crate::world::World::new(crate::world::WorldConfig::default());
    must(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "bench" }),
    );
    launch_over_zones(&mut world, "m5.xlarge", instances, "bench");
    must(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({
            "family": "app", "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [{ "name": "app", "image": "app:1", "cpu": 64, "memory": 256, "essential": true }],
        }),
    );
    while !world.advance_by(5 * crate::engine::time::MS_PER_MINUTE) {}
    for started in (0..tasks).step_by(10) {
        let count = (tasks - started).min(10);
        must(
            &mut world,
            "ecs:RunTask",
            json!({
                "cluster": "bench", "taskDefinition": "app", "count": count,
                "placementStrategy": [{ "type": "spread", "field": "instanceId" }],
            }),
        );
    }
    while !world.advance_by(5 * crate::engine::time::MS_PER_MINUTE) {}
    world
}

/// The benchmarks `ecsplay bench` and the `cargo bench` harnesses run, by name.
pub const BENCHMARKS: [&str; 6] = [
    "placement",
    "day",
    "day-alb",
    "day-scaling",
    "closed-loop",
    "engine",
];

/// Runs the benchmark `name` (one of [`BENCHMARKS`]) at `scale` and returns the report it
/// prints, one line per figure; None for an unknown name.
pub fn run_report(name: &str, scale: f64, clock_ms: &dyn Fn() -> f64) -> Option<String> {
    match name {
        "placement" => Some(report(&placement_suite(clock_ms, scale))),
        "day" => {
            let (instances, tasks) = day_size(scale);
            Some(format!("{}\n", day(instances, tasks, clock_ms).line()))
        }
        "day-alb" => {
            let (instances, tasks) = day_size(scale);
            let start = clock_ms();
            let world = simulated_day_behind_alb(instances, tasks);
            let seconds = (clock_ms() - start) / 1_000.0;
            let targets: usize = world
                .elb
                .target_groups
                .iter()
                .map(|tg| tg.targets.len())
                .sum();
            Some(format!(
                "day behind an ALB: 24 h simulated, {instances} instances, {tasks} tasks on dynamic host ports, each a target checked every 30 s, a daily traffic profile on each service (peak {DAY_REQUESTS_PER_TASK_PEAK} requests a second a task): {seconds:.3} s ({} timers, {targets} targets at the end, {} requests)\n",
                world.timers_fired(),
                requests_sent(&world)
            ))
        }
        "day-scaling" => {
            let start = clock_ms();
            let world = simulated_day_with_scaling();
            let seconds = (clock_ms() - start) / 1_000.0;
            let desired: Vec<String> = (world.ecs.services.iter())
                .map(|s| format!("{} {}", s.name, s.desired_count))
                .collect();
            Some(format!(
                "day with target tracking: 24 h simulated, two services behind an ALB each under a daily traffic profile with target tracking at 50% CPU (2 to 12 tasks): {seconds:.3} s ({} timers, {} scaling activities, {} log records; desired at the end: {})\n",
                world.timers_fired(),
                world.autoscaling.activities.len(),
                world.log().len(),
                desired.join(", ")
            ))
        }
        "closed-loop" => {
            let scenario = crate::scenario::presets::preset("closed-loop-day").expect("a preset");
            let start = clock_ms();
            let world = crate::scenario::run::run_until(
                &scenario,
                24 * 60 * crate::engine::time::MS_PER_MINUTE,
            );
            let seconds = (clock_ms() - start) / 1_000.0;
            let launched = (world.asg.activities.iter())
                .filter(|a| a.description.starts_with("Launching a new EC2 instance: "))
                .count();
            Some(format!(
                "closed-loop day: the preset closed-loop-day for 24 h simulated (daily traffic, service target tracking, a managed-scaling capacity provider and its group): {seconds:.3} s ({} timers, {launched} instances launched, {} log records)\n",
                world.timers_fired(),
                world.log().len(),
            ))
        }
        "engine" => {
            let events = (ENGINE_EVENTS as f64 * scale) as usize;
            let figures = engine_suite(events, clock_ms);
            Some(figures.iter().map(|f| f.line() + "\n").collect())
        }
        _ => None,
    }
}

/// Requests the load balancers took over the run (CloudWatch's RequestCount, summed).
fn requests_sent(world: &crate::world::World) -> u64 {
    (world.cloudwatch.metrics.iter())
        .filter(|(id, _)| {
            id.namespace == "AWS/ApplicationELB"
                && id.name == "RequestCount"
                && id.dimensions.len() == 1
        })
        .flat_map(|(_, series)| series.points.iter())
        .map(|(_, stats)| stats.get("Sum"))
        .sum::<f64>()
        .round() as u64
}

/// Milliseconds since the call, from the machine's monotonic clock. Native only: std has no
/// clock in the browser (it panics there), so the browser benchmarks pass `Date.now`.
pub fn native_clock_ms() -> impl Fn() -> f64 {
    let start = std::time::Instant::now();
    move || start.elapsed().as_secs_f64() * 1_000.0
}

/// The scale a `cargo bench` harness was given: its first number argument (`cargo bench`
/// passes `--bench` too), 1 without one.
pub fn scale_argument(args: impl Iterator<Item = String>) -> f64 {
    args.skip(1)
        .find_map(|a| a.parse::<f64>().ok())
        .unwrap_or(1.0)
}

/// The simulated-day workload (design.md section 7): this many instances and tasks, over 24 h.
pub const DAY_INSTANCES: usize = 1_000;
pub const DAY_TASKS: usize = 10_000;
pub const DAY_MS: SimTime = MS_PER_DAY;
/// The container health check's interval, as the budget names it.
pub const DAY_HEALTH_CHECK_INTERVAL_S: u32 = 30;

/// The day workload's instances and tasks at `scale` (1 is the budget's size).
pub fn day_size(scale: f64) -> (usize, usize) {
    let of = |n: usize| ((n as f64 * scale).round() as usize).max(1);
    (of(DAY_INSTANCES), of(DAY_TASKS))
}

/// What a simulated day cost.
#[derive(Debug, Clone, PartialEq)]
pub struct DayFigure {
    pub instances: usize,
    pub tasks: usize,
    /// Tasks RUNNING and healthy at the end of the day.
    pub healthy: usize,
    pub seconds: f64,
    pub timers: u64,
    pub log_records: usize,
}

impl DayFigure {
    pub fn line(&self) -> String {
        format!(
            "day: 24 h simulated, {} instances, {} tasks with a health check every {DAY_HEALTH_CHECK_INTERVAL_S} s: {:.3} s ({} timers, {} log records; {} tasks healthy at the end)",
            self.instances, self.tasks, self.seconds, self.timers, self.log_records, self.healthy
        )
    }
}

/// Times [`simulated_day`] with `clock_ms`, from the first request to the last timer.
pub fn day(instances: usize, tasks: usize, clock_ms: &dyn Fn() -> f64) -> DayFigure {
    let start = clock_ms();
    let world = simulated_day(instances, tasks);
    let seconds = (clock_ms() - start) / 1_000.0;
    let healthy = world
        .ecs
        .tasks
        .iter()
        .filter(|t| t.is_running() && t.health() == crate::ecs::Health::Healthy)
        .count();
    DayFigure {
        instances,
        tasks,
        healthy,
        seconds,
        timers: world.timers_fired(),
        log_records: world.log().len(),
    }
}

/// Replays a day of a cluster of `instances` m5.xlarge instances over three zones running
/// `tasks` tasks, in services of at most 5,000 (ECS's quota), each task with an essential
/// container health-checked every 30 s: the instances boot and register, the services are
/// created, placed (spread over zones, then instances, each decision recorded for its
/// why-trace) and run to the end of the day.
pub fn simulated_day(instances: usize, tasks: usize) -> crate::world::World {
    use serde_json::json;
    let mut world = day_cluster(
        instances,
        json!({
            "healthCheck": {
                "command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                "interval": DAY_HEALTH_CHECK_INTERVAL_S,
            },
        }),
    );
    let per_service = crate::ecs::service::TASKS_PER_SERVICE_MAX as usize;
    for (n, first) in (0..tasks).step_by(per_service).enumerate() {
        let desired = (tasks - first).min(per_service);
        must(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "day", "serviceName": format!("app-{n}"), "taskDefinition": "app", "desiredCount": desired }),
        );
    }
    while !world.advance_to(DAY_MS) {}
    world
}

/// The day's workload with each service behind an Application Load Balancer: one target group
/// per service (dynamic host ports, checked every 30 s) on a listener of its own, the load
/// balancer in the instances' default security group, and a daily traffic profile on each
/// listener (a tenth of the peak at night, the peak at noon, [`DAY_REQUESTS_PER_TASK_PEAK`]
/// requests a second per task) whose requests cost CPU: the health checks, the traffic
/// samples, and the minute's metrics for ELB and ECS.
pub fn simulated_day_behind_alb(instances: usize, tasks: usize) -> crate::world::World {
    simulated_day_behind_alb_until(instances, tasks, DAY_MS)
}

/// Requests a second each task of the day behind an ALB gets at noon, and what one costs.
pub const DAY_REQUESTS_PER_TASK_PEAK: f64 = 2.0;
const DAY_CPU_PER_REQUEST: &str = "5ms";

/// The daily profile of the day behind an ALB, for a peak of `peak` requests a second.
fn daily_profile(peak: f64) -> serde_json::Value {
    let point = |at: &str, share: f64| serde_json::json!({ "at": at, "requestsPerSecond": (peak * share).round() });
    serde_json::json!([
        point("0h", 0.1),
        point("6h", 0.1),
        point("9h", 0.6),
        point("12h", 1.0),
        point("18h", 0.6),
        point("22h", 0.1),
        point("24h", 0.1),
    ])
}

/// [`simulated_day_behind_alb`], run to `until` only.
pub fn simulated_day_behind_alb_until(
    instances: usize,
    tasks: usize,
    until: SimTime,
) -> crate::world::World {
    use serde_json::json;
    let mut world = day_cluster(
        instances,
        json!({ "portMappings": [{ "containerPort": 80, "hostPort": 0 }] }),
    );
    let lb = world
        .apply(
            "elasticloadbalancing:CreateLoadBalancer",
            &json!({ "Name": "day", "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb", "subnet-ccccccccccccccccc"] }),
        )
        .expect("the load balancer")["LoadBalancers"][0]["LoadBalancerArn"]
        .clone();
    let per_service = crate::ecs::service::TASKS_PER_SERVICE_MAX as usize;
    for (n, first) in (0..tasks).step_by(per_service).enumerate() {
        let desired = (tasks - first).min(per_service);
        let group = world
            .apply(
                "elasticloadbalancing:CreateTargetGroup",
                &json!({ "Name": format!("app-{n}"), "Protocol": "HTTP", "Port": 80, "VpcId": crate::ec2::network::DEFAULT_VPC_ID }),
            )
            .expect("the target group")["TargetGroups"][0]["TargetGroupArn"]
            .clone();
        must(
            &mut world,
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Port": 80 + n, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": group }] }),
        );
        must(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "day", "serviceName": format!("app-{n}"), "taskDefinition": "app", "desiredCount": desired,
                    "loadBalancers": [{ "targetGroupArn": group, "containerName": "app", "containerPort": 80 }] }),
        );
        must(
            &mut world,
            "sim:SetTraffic",
            json!({ "loadBalancer": "day", "port": 80 + n, "repeat": "24h",
                    "profile": daily_profile(desired as f64 * DAY_REQUESTS_PER_TASK_PEAK) }),
        );
    }
    must(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "app:1", "cpuPerRequest": DAY_CPU_PER_REQUEST, "latency": "20ms", "memory": 128 }),
    );
    while !world.advance_to(until) {}
    world
}

/// A day of the `target-tracking-daily` preset's workload on two services: four m5.large
/// instances, an ALB with a listener and target group per service (`web` on 80, `api` on 81),
/// each service 2 to 12 tasks of a quarter vCPU with target tracking at 50% CPU, and a daily
/// traffic profile on each listener (api's peak twice web's, later in the day).
pub fn simulated_day_with_scaling() -> crate::world::World {
    use serde_json::json;
    let mut world = crate::world::World::new(crate::world::WorldConfig::default());
    must(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "demo" }),
    );
    launch_over_zones(&mut world, "m5.large", 4, "demo");
    must(
        &mut world,
        "ec2:AuthorizeSecurityGroupIngress",
        json!({ "GroupId": "sg-0defa017000000000", "IpPermissions": [{ "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{ "CidrIp": "172.31.0.0/16" }] }] }),
    );
    let lb = world
        .apply(
            "elasticloadbalancing:CreateLoadBalancer",
            &json!({ "Name": "front", "Subnets": ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb", "subnet-ccccccccccccccccc"] }),
        )
        .expect("the load balancer")["LoadBalancers"][0]["LoadBalancerArn"]
        .clone();
    must(
        &mut world,
        "sim:SetImageBehavior",
        json!({ "image": "app:1", "cpuPerRequest": "20ms", "latency": "30ms", "memory": 200 }),
    );
    must(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "app", "cpu": "256", "memory": "512", "containerDefinitions": [{ "name": "app", "image": "app:1",
                "portMappings": [{ "containerPort": 80, "hostPort": 0 }] }] }),
    );
    for (n, (name, peak, noon)) in [("web", 60.0, "12h"), ("api", 120.0, "16h")]
        .into_iter()
        .enumerate()
    {
        let group = world
            .apply(
                "elasticloadbalancing:CreateTargetGroup",
                &json!({ "Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": crate::ec2::network::DEFAULT_VPC_ID,
                         "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 2 }),
            )
            .expect("the target group")["TargetGroups"][0]["TargetGroupArn"]
            .clone();
        must(
            &mut world,
            "elasticloadbalancing:CreateListener",
            json!({ "LoadBalancerArn": lb, "Port": 80 + n, "DefaultActions": [{ "Type": "forward", "TargetGroupArn": group }] }),
        );
        must(
            &mut world,
            "ecs:CreateService",
            json!({ "cluster": "demo", "serviceName": name, "taskDefinition": "app", "desiredCount": 2,
                    "loadBalancers": [{ "targetGroupArn": group, "containerName": "app", "containerPort": 80 }] }),
        );
        let resource = format!("service/demo/{name}");
        must(
            &mut world,
            "application-autoscaling:RegisterScalableTarget",
            json!({ "ServiceNamespace": "ecs", "ResourceId": resource, "ScalableDimension": "ecs:service:DesiredCount",
                    "MinCapacity": 2, "MaxCapacity": 12 }),
        );
        must(
            &mut world,
            "application-autoscaling:PutScalingPolicy",
            json!({ "PolicyName": "cpu50", "ServiceNamespace": "ecs", "ResourceId": resource,
                    "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
                    "TargetTrackingScalingPolicyConfiguration": { "TargetValue": 50.0,
                        "PredefinedMetricSpecification": { "PredefinedMetricType": "ECSServiceAverageCPUUtilization" } } }),
        );
        let point =
            |at: &str, share: f64| json!({ "at": at, "requestsPerSecond": (peak * share).round() });
        must(
            &mut world,
            "sim:SetTraffic",
            json!({ "loadBalancer": "front", "port": 80 + n, "repeat": "24h",
                    "profile": [point("0h", 0.07), point("6h", 0.07), point("9h", 0.6), point(noon, 1.0), point("20h", 0.4), point("24h", 0.07)] }),
        );
    }
    while !world.advance_to(DAY_MS) {}
    world
}

/// The day's cluster `day` of `instances` m5.xlarge instances over three zones, and its task
/// definition `app`: one essential container of 64 CPU units and 256 MiB, with `container`'s
/// fields besides (a health check, port mappings).
fn day_cluster(instances: usize, container: serde_json::Value) -> crate::world::World {
    use serde_json::json;
    let mut world = crate::world::World::new(crate::world::WorldConfig::default());
    must(
        &mut world,
        "ecs:CreateCluster",
        json!({ "clusterName": "day" }),
    );
    launch_over_zones(&mut world, "m5.xlarge", instances, "day");
    let mut definition =
        json!({ "name": "app", "image": "app:1", "cpu": 64, "memory": 256, "essential": true });
    if let (Some(d), Some(extra)) = (definition.as_object_mut(), container.as_object()) {
        d.extend(extra.clone());
    }
    must(
        &mut world,
        "ecs:RegisterTaskDefinition",
        json!({ "family": "app", "requiresCompatibilities": ["EC2"], "containerDefinitions": [definition] }),
    );
    world
}

/// Applies a request the workload needs; a refusal is a bug in the workload.
fn must(world: &mut crate::world::World, action: &str, input: serde_json::Value) {
    world
        .apply(action, &input)
        .unwrap_or_else(|e| panic!("benchmark workload: {action}: {e}"));
}

/// RunInstances for `count` container instances of `instance_type` joining `cluster`, spread
/// evenly over three zones.
fn launch_over_zones(
    world: &mut crate::world::World,
    instance_type: &str,
    count: usize,
    cluster: &str,
) {
    let zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
    for (n, zone) in zones.iter().enumerate() {
        let in_zone = count / 3 + usize::from(n < count % 3);
        if in_zone > 0 {
            let request = crate::ec2::run_instances_request(
                instance_type,
                in_zone as u32,
                zone,
                cluster,
                &Default::default(),
            );
            must(world, "ec2:RunInstances", request);
        }
    }
}

/// The engine-core workload (design.md section 7, at least 10 M events/s in the browser): the
/// "hold" model of event-queue benchmarks. A number of timers stay pending; each event pops the
/// earliest and schedules one in its place a random 1 ms to 60 s later, drawn from the
/// simulation's generator. The pending counts: one timer per task of the budget's 10,000-task
/// cluster, and ten times that, to show how the cost grows with the queue.
pub const ENGINE_PENDING: [usize; 2] = [10_000, 100_000];
pub const ENGINE_EVENTS: usize = 10_000_000;
const ENGINE_DELAY_MS_MAX: u32 = 60_000;

#[derive(Debug, Clone, PartialEq)]
pub struct EngineFigure {
    pub pending: usize,
    pub events: usize,
    pub seconds: f64,
    /// The time reached, so two runs can be compared.
    pub final_time: SimTime,
}

impl EngineFigure {
    pub fn events_per_second(&self) -> f64 {
        self.events as f64 / self.seconds
    }

    pub fn line(&self) -> String {
        format!(
            "engine core: {} events, {} pending (hold model): {:.3} s, {:.1} M events/s (sim time reached {} ms)",
            self.events,
            self.pending,
            self.seconds,
            self.events_per_second() / 1e6,
            self.final_time
        )
    }
}

/// [`engine_core`] at each of [`ENGINE_PENDING`], `events` events each.
pub fn engine_suite(events: usize, clock_ms: &dyn Fn() -> f64) -> Vec<EngineFigure> {
    ENGINE_PENDING
        .iter()
        .map(|&pending| engine_core(pending, events, clock_ms))
        .collect()
}

/// Runs the hold model on the engine's queue and generator, timed by `clock_ms`.
pub fn engine_core(pending: usize, events: usize, clock_ms: &dyn Fn() -> f64) -> EngineFigure {
    use rand::Rng;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut queue = crate::engine::queue::EventQueue::default();
    for n in 0..pending {
        queue.push(u64::from(rng.random_range(1..=ENGINE_DELAY_MS_MAX)), n);
    }
    let start = clock_ms();
    let mut now = 0;
    for _ in 0..events {
        let (time, event) = queue.pop_due(SimTime::MAX).expect("pending");
        now = time;
        queue.push(
            now + u64::from(rng.random_range(1..=ENGINE_DELAY_MS_MAX)),
            event,
        );
    }
    EngineFigure {
        pending,
        events,
        seconds: (clock_ms() - start) / 1_000.0,
        final_time: now,
    }
}
