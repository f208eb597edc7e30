//! `sim:SetTraffic`: requests sent to a load balancer, steady or as a profile over time, and
//! what they cost the tasks that answer them (the playground's model of the application).
//!
//! Traffic is sampled every [`TRAFFIC_SAMPLE_MS`] of simulated time: the sample takes the rate
//! at that moment, sends that many requests (whole numbers; the fraction carries over) through
//! the load balancer (`elb::traffic::route`), and each task that gets some does this with them:
//!
//! - Their CPU demand is requests a second × `cpuPerRequest` (of one vCPU). A task may use up
//!   to its limit (`ecs::read::task_size`: its task-level CPU, else its share of the instance).
//! - Under the limit every request is answered; its response time is `latency` plus its CPU
//!   time (slower on a task of less than one vCPU), stretched by queueing as `1 / (1 - load)`
//!   with the load held to [`LOAD_QUEUEING_MAX`].
//! - Over the limit the task serves what its CPU allows and its full queue answers the rest
//!   with a 5xx, and every answer waits as long as the queue allows.
//!
//! What a task used goes into its `AWS/ECS` utilization; what the targets answered, into the
//! load balancer's metrics.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ecs::read::TaskIdx;
use crate::elb::read::{Flow, Outcome, Routed};
use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::{parse_duration, SimTime, MS_PER_SECOND};
use crate::world::World;

/// How often traffic is sampled (simulated milliseconds): six samples a minute, as ECS
/// collects several datapoints a minute before it sends one (aws-facts 17.2.4).
pub const TRAFFIC_SAMPLE_MS: SimTime = 10 * MS_PER_SECOND;
/// Samples in a metric minute (CloudWatch's one-minute period).
pub const SAMPLES_PER_MINUTE: u32 = (crate::engine::time::MS_PER_MINUTE / TRAFFIC_SAMPLE_MS) as u32;
/// Requests a second one SetTraffic may send, at the most.
pub const REQUESTS_PER_SECOND_MAX: f64 = 100_000.0;
/// Points of a profile, paths, and clients, at the most.
pub const PROFILE_POINTS_MAX: usize = 100;
pub const PATHS_MAX: usize = 20;
pub const CLIENTS_MAX: u32 = 10_000;
/// The longest `cpuPerRequest` or `latency` (ten seconds) and the most `memory` an image may
/// be said to take (a Fargate task's 120 GiB).
pub const REQUEST_TIME_US_MAX: u64 = 10_000_000;
pub const IMAGE_MEMORY_MIB_MAX: u32 = 122_880;
/// The load past which queueing stops stretching response times: at it, and over capacity,
/// a request waits 1 / (1 - 0.95) = 20 times its CPU time (the model's bound for a full
/// queue; AWS publishes nothing here).
pub const LOAD_QUEUEING_MAX: f64 = 0.95;
/// CPU units in one vCPU.
const UNITS_PER_VCPU: f64 = 1024.0;
/// Lines one task writes for the requests it answered in one traffic sample, at the most
/// (`sim:SetImageBehavior` `logs.request`): a busy service's log shows its requests without
/// a line for each of thousands a second (the streams keep their newest events only).
pub const REQUEST_LOG_LINES_PER_SAMPLE_MAX: u64 = 10;

/// Traffic sent to one load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub load_balancer: String,
    /// When it was set: a profile's times count from here.
    pub since: SimTime,
    /// (time from `since`, requests a second), in time order; one point for a steady rate.
    pub points: Vec<(SimTime, f64)>,
    pub repeat: Option<SimTime>,
    pub paths: Vec<(String, f64)>,
    pub clients: Option<u32>,
    pub port: Option<u16>,
    /// The fraction of a request the last sample left over.
    carry: f64,
}

impl Traffic {
    /// Requests a second at `at`: linear between the profile's points, the first before them,
    /// the last after (or, with `repeat`, the pattern again).
    pub fn rate_at(&self, at: SimTime) -> f64 {
        let mut t = at.saturating_sub(self.since);
        if let Some(repeat) = self.repeat.filter(|r| *r > 0) {
            t %= repeat;
        }
        let after = self.points.partition_point(|&(p, _)| p <= t);
        match (
            after.checked_sub(1).map(|i| self.points[i]),
            self.points.get(after),
        ) {
            (None, Some(&(_, r))) | (Some((_, r)), None) => r,
            (Some((t0, r0)), Some(&(t1, r1))) => {
                r0 + (r1 - r0) * (t - t0) as f64 / (t1 - t0).max(1) as f64
            }
            (None, None) => 0.0,
        }
    }
}

/// The traffic set, and what the tasks used in the minute under way.
#[derive(Debug, Default)]
pub struct TrafficState {
    pub flows: Vec<Traffic>,
    /// CPU units each task used, summed over the minute's samples (with the task's serial, so
    /// a reused slot's new task starts afresh).
    /// By task slot (as many as the tasks' slots at the last sample, so bounded as they are).
    usage: Vec<Option<(u64, f64)>>,
    /// Who answers each target, found once and kept while the world stays as it was.
    endpoints: EndpointCache,
}

/// Endpoints cached at most (a cache over the limit starts again).
pub const ENDPOINTS_CACHED_MAX: usize = 100_000;

/// The task behind each target (by its `elb::read::TargetView::key`), as found at `epoch`:
/// the world's log records and requests so far. Every change to what answers a target (a
/// task starting or stopping, an instance gone: events the log records; a target registered,
/// an image's behaviour: requests) moves the epoch, and the cache starts again. Health checks,
/// which change neither, leave it.
#[derive(Debug, Default)]
struct EndpointCache {
    epoch: u64,
    by_target: std::collections::HashMap<(u32, u32, u32), Option<Endpoint>>,
}

impl TrafficState {
    /// CPU units task `task` used on average over the minute under way.
    pub fn cpu_used(&self, world: &World, task: TaskIdx) -> f64 {
        let Some(&Some((serial, sum))) = self.usage.get(task) else {
            return 0.0;
        };
        let current = crate::ecs::read::task_serial(world, task);
        if current == Some(serial) {
            sum / f64::from(SAMPLES_PER_MINUTE)
        } else {
            0.0
        }
    }

    /// Whether a task used anything this minute.
    pub fn any_usage(&self) -> bool {
        self.usage.iter().any(Option::is_some)
    }

    /// A new minute: the usage starts again.
    pub fn start_minute(&mut self) {
        self.usage.iter_mut().for_each(|u| *u = None);
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SetTrafficRequest {
    load_balancer: String,
    requests_per_second: Option<f64>,
    profile: Option<Vec<ProfilePoint>>,
    repeat: Option<Value>,
    paths: Option<BTreeMap<String, f64>>,
    clients: Option<u32>,
    port: Option<u16>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProfilePoint {
    at: Value,
    requests_per_second: f64,
}

fn rate(value: f64, path: &str) -> Result<f64, ApiError> {
    if value.is_finite() && (0.0..=REQUESTS_PER_SECOND_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(ApiError::invalid_parameter(
            format!("requestsPerSecond must be from 0 to {REQUESTS_PER_SECOND_MAX}."),
            path,
        ))
    }
}

fn duration(value: &Value, path: &str) -> Result<SimTime, ApiError> {
    match value {
        Value::String(text) => {
            parse_duration(text).map_err(|e| ApiError::invalid_parameter(e.0, path))
        }
        Value::Number(n) if n.as_u64().is_some() => {
            crate::engine::time::duration_from_ms(n.as_u64().unwrap_or(0))
                .map_err(|e| ApiError::invalid_parameter(e.0, path))
        }
        _ => Err(ApiError::serialization(
            "expected a duration such as \"2h\"",
            path,
        )),
    }
}

impl World {
    pub(super) fn set_traffic(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: SetTrafficRequest = parse_request(input)?;
        let lb =
            crate::elb::read::load_balancer(self, &request.load_balancer).ok_or_else(|| {
                ApiError::new(
                    "LoadBalancerNotFound",
                    "One or more load balancers not found",
                    Some("$.loadBalancer"),
                )
            })?;
        let points = match (request.requests_per_second, &request.profile) {
            (Some(r), None) => vec![(0, rate(r, "$.requestsPerSecond")?)],
            (None, Some(profile)) if !profile.is_empty() => {
                if profile.len() > PROFILE_POINTS_MAX {
                    return Err(ApiError::invalid_parameter(
                        format!("A profile has at most {PROFILE_POINTS_MAX} points."),
                        "$.profile",
                    ));
                }
                let mut points = Vec::with_capacity(profile.len());
                for (n, p) in profile.iter().enumerate() {
                    let at = duration(&p.at, &format!("$.profile[{n}].at"))?;
                    if points.last().is_some_and(|&(last, _)| at <= last) {
                        return Err(ApiError::invalid_parameter(
                            "A profile's points must be in time order, each later than the one before.",
                            &format!("$.profile[{n}].at"),
                        ));
                    }
                    let r = rate(
                        p.requests_per_second,
                        &format!("$.profile[{n}].requestsPerSecond"),
                    )?;
                    points.push((at, r));
                }
                points
            }
            _ => {
                return Err(ApiError::invalid_parameter(
                    "Give either requestsPerSecond or a profile of at least one point.",
                    "$.requestsPerSecond",
                ))
            }
        };
        let repeat = match &request.repeat {
            None => None,
            Some(value) => {
                let every = duration(value, "$.repeat")?;
                let last = points.last().map_or(0, |p| p.0);
                if every == 0 || every < last {
                    return Err(ApiError::invalid_parameter(
                        "repeat must be longer than zero and no shorter than the profile.",
                        "$.repeat",
                    ));
                }
                Some(every)
            }
        };
        let paths: Vec<(String, f64)> = request
            .paths
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        if paths.len() > PATHS_MAX {
            return Err(ApiError::invalid_parameter(
                format!("At most {PATHS_MAX} paths."),
                "$.paths",
            ));
        }
        for (path, share) in &paths {
            if !(path.starts_with('/') && share.is_finite() && *share >= 0.0) {
                return Err(ApiError::invalid_parameter(
                    "Each path starts with / and has a share of 0 or more.",
                    &format!("$.paths.{path}"),
                ));
            }
        }
        if !paths.is_empty() && paths.iter().all(|(_, s)| *s == 0.0) {
            return Err(ApiError::invalid_parameter(
                "At least one path must have a share above 0.",
                "$.paths",
            ));
        }
        if let Some(clients) = request.clients {
            if !lb.network {
                return Err(ApiError::invalid_parameter(
                    "clients shapes the flows of a Network Load Balancer, which hashes each flow to one target; an Application Load Balancer balances each request.",
                    "$.clients",
                ));
            }
            if !(1..=CLIENTS_MAX).contains(&clients) {
                return Err(ApiError::invalid_parameter(
                    format!("clients must be from 1 to {CLIENTS_MAX}."),
                    "$.clients",
                ));
            }
        }
        if let Some(port) = request.port {
            if !crate::elb::read::listens_on(self, lb.arn, port) {
                return Err(ApiError::invalid_parameter(
                    format!("The load balancer has no listener on port {port}."),
                    "$.port",
                ));
            }
        }
        let arn = lb.arn.to_string();
        let traffic = Traffic {
            load_balancer: arn.clone(),
            since: self.now,
            points,
            repeat,
            paths,
            clients: request.clients,
            port: request.port,
            carry: 0.0,
        };
        let now_rate = traffic.rate_at(self.now);
        let flows = &mut self.sim.traffic.flows;
        // With a port, the traffic of that listener is replaced; without, the load balancer's.
        flows.retain(|f| f.load_balancer != arn || request.port.is_some_and(|p| f.port != Some(p)));
        let stopped = traffic.points.iter().all(|p| p.1 == 0.0);
        if !stopped {
            flows.push(traffic);
        }
        Ok(json!({ "loadBalancer": arn, "requestsPerSecond": now_rate }))
    }
}

/// Who answers a target's requests: a running task's index and the image's behaviour.
#[derive(Debug, Clone, Copy)]
struct Endpoint {
    task: TaskIdx,
    /// The container that listens, and whether its image writes lines for requests.
    container: usize,
    logs_requests: bool,
    serial: u64,
    cpu_per_request_s: f64,
    latency_s: f64,
    cpu_limit: f64,
}

/// The task behind target `target` of group `group`, if one runs there.
fn endpoint(world: &World, group: usize, target: usize) -> Option<Endpoint> {
    let t = crate::elb::read::target(world, group, target);
    let listening = match t.address {
        Some(address) => {
            crate::ecs::read::listening_on_address(world, address, t.port).map(|(l, _, _)| l)
        }
        None => crate::ecs::read::listening_on(world, t.id, t.port),
    }?;
    if !listening.running {
        return None;
    }
    let behavior = super::read::image_behavior(world, listening.image);
    let size = crate::ecs::read::task_size(world, listening.task)?;
    Some(Endpoint {
        task: listening.task,
        container: listening.container,
        logs_requests: !behavior.log_request.is_empty(),
        serial: crate::ecs::read::task_serial(world, listening.task)?,
        cpu_per_request_s: behavior.cpu_per_request_us as f64 / 1e6,
        latency_s: behavior.latency_us as f64 / 1e6,
        cpu_limit: size.cpu_units_limit.max(1.0),
    })
}

/// Each task's lines for the requests it answered in a sample (`logs.request`, in turn), at
/// most [`REQUEST_LOG_LINES_PER_SAMPLE_MAX`], sent to CloudWatch Logs through the root.
fn write_request_logs(world: &mut World, answered: BTreeMap<TaskIdx, (usize, u64)>) {
    for (task, (container, requests)) in answered {
        let Some(behavior) = (crate::ecs::read::task_images(world, task).nth(container))
            .and_then(|image| world.sim.images.get(image))
        else {
            continue;
        };
        let count = requests.min(REQUEST_LOG_LINES_PER_SAMPLE_MAX) as usize;
        let lines = (behavior.log_request.iter().cycle())
            .take(count)
            .cloned()
            .collect();
        if let Some(write) = crate::ecs::read::container_log(world, task, container, lines) {
            world.command(crate::world::Command::WriteLogs(write));
        }
    }
}

/// What one sample did at a load balancer (by index): the requests that arrived, where they
/// went, and how each target's share ended; the root hands it to ELB to count.
pub type Sampled = (usize, u64, Routed, Vec<Outcome>);

/// One traffic sample at `at`: every flow's requests routed and answered. What the tasks used
/// is kept here; what the load balancers saw is returned for ELB's books.
pub fn sample(world: &mut World, at: SimTime) -> Vec<Sampled> {
    if world.sim.traffic.flows.is_empty() {
        return Vec::new();
    }
    let sample_s = TRAFFIC_SAMPLE_MS as f64 / MS_PER_SECOND as f64;
    struct Plan {
        lb: usize,
        arrived: u64,
        routed: Routed,
        endpoints: Vec<Option<Endpoint>>,
    }
    let mut plans = Vec::new();
    let mut carries = Vec::new();
    let mut cache = std::mem::take(&mut world.sim.traffic.endpoints);
    let epoch = world.log().len() as u64 + world.log_dropped() + world.requests_applied();
    if cache.epoch != epoch || cache.by_target.len() > ENDPOINTS_CACHED_MAX {
        cache.by_target.clear();
        cache.epoch = epoch;
    }
    let cache = std::cell::RefCell::new(cache);
    let endpoint = |world: &World, g: usize, t: usize| {
        let key = crate::elb::read::target_key(world, g, t);
        if let Some(found) = cache.borrow().by_target.get(&key) {
            return *found;
        }
        let found = endpoint(world, g, t);
        cache.borrow_mut().by_target.insert(key, found);
        found
    };
    for flow in &world.sim.traffic.flows {
        let Some(lb) = crate::elb::read::load_balancer(world, &flow.load_balancer).map(|l| l.index)
        else {
            carries.push(flow.carry);
            continue;
        };
        let exact = flow.rate_at(at) * sample_s + flow.carry;
        let requests = exact.floor() as u64;
        carries.push(exact - requests as f64);
        let capacity = |g: usize, t: usize| {
            endpoint(world, g, t).map_or(0.0, |e| {
                if e.cpu_per_request_s > 0.0 {
                    e.cpu_limit / UNITS_PER_VCPU / e.cpu_per_request_s
                } else {
                    f64::MAX / 1e6
                }
            })
        };
        let routed = crate::elb::read::route(
            world,
            lb,
            &Flow {
                port: flow.port,
                requests,
                paths: &flow.paths,
                clients: flow.clients,
            },
            &capacity,
        );
        let endpoints = (routed.shares.iter())
            .map(|s| endpoint(world, s.group, s.target))
            .collect();
        plans.push(Plan {
            lb,
            arrived: requests,
            routed,
            endpoints,
        });
    }
    // Each task's demand over every load balancer that sends to it.
    // (Indexed by task slot: a sample visits every target, and a map's lookups cost more.)
    let slots = crate::ecs::read::task_slots(world);
    let mut demand: Vec<f64> = vec![0.0; slots];
    for plan in &plans {
        for (share, endpoint) in plan.routed.shares.iter().zip(&plan.endpoints) {
            if let Some(e) = endpoint {
                demand[e.task] +=
                    share.requests as f64 / sample_s * e.cpu_per_request_s * UNITS_PER_VCPU;
            }
        }
    }
    let mut accounts = Vec::new();
    let mut used: Vec<Option<(u64, f64)>> = vec![None; slots];
    // Requests each logging task answered: (container, requests), by task.
    let mut answered: BTreeMap<TaskIdx, (usize, u64)> = BTreeMap::new();
    for plan in &plans {
        let mut outcomes = Vec::with_capacity(plan.routed.shares.len());
        for (share, endpoint) in plan.routed.shares.iter().zip(&plan.endpoints) {
            let Some(e) = endpoint else {
                // Nothing answers there: a blocked port times out, else the connection fails.
                let timed_out =
                    crate::elb::read::target(world, share.group, share.target).times_out;
                outcomes.push(if timed_out {
                    Outcome {
                        timed_out: share.requests,
                        ..Outcome::default()
                    }
                } else {
                    Outcome {
                        refused: share.requests,
                        ..Outcome::default()
                    }
                });
                continue;
            };
            let wanted = demand[e.task];
            let load = wanted / e.cpu_limit;
            let served = if load > 1.0 {
                (share.requests as f64 / load).floor() as u64
            } else {
                share.requests
            };
            let cpu_time = e.cpu_per_request_s * UNITS_PER_VCPU / e.cpu_limit.min(UNITS_PER_VCPU);
            let response = e.latency_s + cpu_time / (1.0 - load.min(LOAD_QUEUEING_MAX));
            outcomes.push(Outcome {
                ok: served,
                target_5xx: share.requests - served,
                response_time_sum_s: response * share.requests as f64,
                ..Outcome::default()
            });
            used[e.task] = Some((e.serial, wanted.min(e.cpu_limit)));
            if e.logs_requests && share.requests > 0 {
                answered.entry(e.task).or_insert((e.container, 0)).1 += share.requests;
            }
        }
        accounts.push((plan.lb, outcomes));
    }
    world.sim.traffic.endpoints = cache.into_inner();
    for (flow, carry) in world.sim.traffic.flows.iter_mut().zip(carries) {
        flow.carry = carry;
    }
    let usage = &mut world.sim.traffic.usage;
    usage.resize(slots, None);
    for (task, used) in used.into_iter().enumerate() {
        let Some((serial, units)) = used else {
            continue;
        };
        let entry = usage[task].get_or_insert((serial, 0.0));
        if entry.0 != serial {
            *entry = (serial, 0.0);
        }
        entry.1 += units;
    }
    write_request_logs(world, answered);
    (plans.into_iter().zip(accounts))
        .map(|(plan, (lb, outcomes))| (lb, plan.arrived, plan.routed, outcomes))
        .collect()
}
