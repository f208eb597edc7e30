//! Requests through a load balancer (`sim:SetTraffic` sends them): a listener takes them, its
//! rules (by priority) or its default action pick where each path goes, a weighted forward
//! splits them over target groups, and each group spreads them over its targets by zone and
//! algorithm (aws-facts 17.1.3 to 17.1.7):
//!
//! - Clients reach the load balancer's nodes evenly, one node a zone. With cross-zone load
//!   balancing (always on for an ALB unless its target group turns it off; off for an NLB
//!   unless its target group turns it on) a node sends to every healthy target; without, to
//!   the healthy targets of its own zone only. An ALB node with none answers 503; an NLB
//!   leaves such a node out of its DNS answer, so its clients go to the others.
//! - Only healthy targets get requests (not `initial`, not draining); when a group has no
//!   healthy target and some unhealthy ones, it fails open and sends to those.
//! - `round_robin` gives each target the same share; `least_outstanding_requests` gives more
//!   to targets that can serve more (the model's smooth form of "the fewest in flight"); slow
//!   start ramps a newly healthy target's share linearly over its duration.
//! - An NLB with `clients` routes each client's flow to one target by a hash, so a few clients
//!   spread unevenly, as flow hashing does.
//!
//! Requests are whole numbers, split by largest remainders, so every request is counted once:
//! answered by a target, or by the load balancer.
//! What the targets did with them (served, too slow, refused) is the playground's model of the
//! application (`sim::traffic`); this module counts it, per minute, for the metrics.

use std::collections::BTreeMap;

use super::load_balancer::Kind;
use super::target_group::Reason;
use super::TargetState;
use crate::cloudwatch::Datum;
use crate::engine::time::SimTime;
use crate::world::World;

/// What one traffic sample sends to a load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow<'a> {
    /// The listener's port; the lowest port when not given.
    pub port: Option<u16>,
    pub requests: u64,
    /// Paths and their shares of the requests.
    pub paths: &'a [(String, f64)],
    /// Distinct clients (flows), when given.
    pub clients: Option<u32>,
}

/// Requests one target is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// The target group's index and the target's index in it.
    pub group: usize,
    pub target: usize,
    pub requests: u64,
}

/// Where a sample's requests went.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routed {
    pub shares: Vec<Share>,
    /// Requests the load balancer answered itself, by status code: 503 when no target could
    /// take them, a fixed response's code. An NLB resets the connection instead (code 0).
    pub answered_by_lb: BTreeMap<u16, u64>,
    /// Requests sent to unhealthy targets because their group failed open.
    pub fail_open: u64,
    /// Requests no listener took (nothing listens on the port): refused before the load
    /// balancer counts anything.
    pub unheard: u64,
}

/// How one target's requests ended (from `sim::traffic`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Outcome {
    /// Answered by the application: successfully, or with a 5xx (overloaded).
    pub ok: u64,
    pub target_5xx: u64,
    /// The load balancer could not reach the target: refused (502) or timed out (504).
    pub refused: u64,
    pub timed_out: u64,
    /// The answered requests' response times added up, in seconds.
    pub response_time_sum_s: f64,
}

/// A load balancer's minute so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Minute {
    /// Requests for which a target was chosen (`RequestCount`).
    pub requests: u64,
    /// Responses the load balancer generated, by code (`HTTPCode_ELB_*`); 0 is an NLB reset.
    pub lb_codes: BTreeMap<u16, u64>,
    pub fail_open: u64,
    /// Requests that arrived (chosen a target or not).
    pub arrived: u64,
    pub target: GroupMinute,
}

/// A target group's minute so far (also summed per load balancer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupMinute {
    pub requests: u64,
    pub target_2xx: u64,
    pub target_5xx: u64,
    pub refused: u64,
    pub timed_out: u64,
    pub response_time_sum_s: f64,
    pub response_time_min_s: f64,
    pub response_time_max_s: f64,
    pub answered: u64,
}

impl GroupMinute {
    fn add(&mut self, requests: u64, outcome: &Outcome) {
        self.requests += requests;
        self.target_2xx += outcome.ok;
        self.target_5xx += outcome.target_5xx;
        self.refused += outcome.refused;
        self.timed_out += outcome.timed_out;
        let answered = outcome.ok + outcome.target_5xx;
        if answered > 0 {
            let mean = outcome.response_time_sum_s / answered as f64;
            if self.answered == 0 {
                self.response_time_min_s = mean;
                self.response_time_max_s = mean;
            } else {
                self.response_time_min_s = self.response_time_min_s.min(mean);
                self.response_time_max_s = self.response_time_max_s.max(mean);
            }
            self.answered += answered;
            self.response_time_sum_s += outcome.response_time_sum_s;
        }
    }
}

/// The indexes of the target groups load balancer `arn` forwards to (by a listener or a rule).
pub fn groups_of(world: &World, arn: &str) -> Vec<usize> {
    (0..world.elb.target_groups.len())
        .filter(|&g| {
            (world
                .load_balancers_of(&world.elb.target_groups[g].arn)
                .iter())
            .any(|a| a == arn)
        })
        .collect()
}

/// Splits `total` over `weights` by largest remainders (ties to the first): the parts add up
/// to `total`. Weights of zero get nothing; all zero, nothing at all.
pub fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if sum <= 0.0 || total == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = (weights.iter())
        .map(|w| w.max(0.0) / sum * total as f64)
        .collect();
    let mut parts: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let given: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        parts[i] += 1;
    }
    parts
}

/// A stable 64-bit mix (SplitMix64's finaliser), for flow hashing.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Whether a group spreads across zones: its own attribute, else the load balancer's default
/// (on for an ALB, off for an NLB).
pub fn cross_zone(kind: Kind, attribute: &str) -> bool {
    match attribute {
        "true" => true,
        "false" => false,
        _ => kind == Kind::Application,
    }
}

/// The status code of a fixed-response action (`FixedResponseConfig.StatusCode`).
fn fixed_response_code(actions: &serde_json::Value) -> u16 {
    actions[0]["FixedResponseConfig"]["StatusCode"]
        .as_str()
        .and_then(|c| c.parse().ok())
        .unwrap_or(503)
}

/// Where `flow`'s requests go through load balancer `lb` (an index). `capacity` gives a
/// target's capacity (requests a second it can serve) for `least_outstanding_requests`.
pub fn route(
    world: &World,
    lb: usize,
    flow: &Flow<'_>,
    capacity: &dyn Fn(usize, usize) -> f64,
) -> Routed {
    let elb = &world.elb;
    let balancer = &elb.load_balancers[lb];
    let mut routed = Routed::default();
    let listener = (elb.listeners.iter())
        .filter(|l| l.load_balancer == balancer.arn)
        .filter(|l| flow.port.is_none_or(|p| p == l.port))
        .min_by_key(|l| l.port);
    let Some(listener) = listener else {
        // Nothing listens: the connections are refused before the load balancer counts them.
        routed.unheard = flow.requests;
        return routed;
    };
    let default_paths = [("/".to_string(), 1.0)];
    let paths = if flow.paths.is_empty() {
        &default_paths[..]
    } else {
        flow.paths
    };
    let weights: Vec<f64> = paths.iter().map(|(_, w)| *w).collect();
    let mut rules: Vec<&super::rule::Rule> = (elb.rules.iter())
        .filter(|r| r.listener == listener.arn)
        .collect();
    rules.sort_by_key(|r| r.priority);
    for ((path, _), count) in paths.iter().zip(apportion(flow.requests, &weights)) {
        if count == 0 {
            continue;
        }
        let rule = (rules.iter()).find(|r| {
            r.conditions
                .iter()
                .all(|c| c.matches(path, &balancer.dns_name))
        });
        let (forward, actions) = match rule {
            Some(r) => (&r.forward, &r.actions),
            None => (&listener.forward, &listener.default_actions),
        };
        if forward.is_empty() {
            *routed
                .answered_by_lb
                .entry(fixed_response_code(actions))
                .or_default() += count;
            continue;
        }
        let weights: Vec<f64> = forward.iter().map(|(_, w)| f64::from(*w)).collect();
        let weights = if weights.iter().all(|w| *w == 0.0) {
            vec![1.0; forward.len()]
        } else {
            weights
        };
        for ((arn, _), part) in forward.iter().zip(apportion(count, &weights)) {
            if let Some(group) = elb.target_groups.iter().position(|g| g.arn == *arn) {
                spread(world, lb, group, part, flow.clients, capacity, &mut routed);
            }
        }
    }
    // One share a target, in group then target order.
    routed.shares.sort_by_key(|s| (s.group, s.target));
    routed.shares.dedup_by(|b, a| {
        let same = a.group == b.group && a.target == b.target;
        if same {
            a.requests += b.requests;
        }
        same
    });
    routed.shares.retain(|s| s.requests > 0);
    routed
}

/// Spreads `count` requests over group `group`'s targets from load balancer `lb`'s nodes.
fn spread(
    world: &World,
    lb: usize,
    group: usize,
    count: u64,
    clients: Option<u32>,
    capacity: &dyn Fn(usize, usize) -> f64,
    routed: &mut Routed,
) {
    if count == 0 {
        return;
    }
    let balancer = &world.elb.load_balancers[lb];
    let tg = &world.elb.target_groups[group];
    let now = world.now;
    let rejected = if balancer.kind == Kind::Network {
        0
    } else {
        503
    };
    let nodes: Vec<&str> = balancer.zones.iter().map(|(_, z)| z.as_str()).collect();
    let enabled =
        |t: &super::target_group::Target| t.zone.as_deref().is_none_or(|z| nodes.contains(&z));
    let healthy: Vec<bool> = (tg.targets.iter())
        .map(|t| t.state == TargetState::Healthy && enabled(t))
        .collect();
    // A Classic Load Balancer does not fail open: with no healthy instance it answers 503.
    let fail_open = !healthy.contains(&true)
        && balancer.kind != Kind::Classic
        && (tg.targets.iter()).any(|t| t.state == TargetState::Unhealthy && enabled(t));
    let across = fail_open || cross_zone(balancer.kind, &tg.cross_zone);
    let eligible = |i: usize, node: &str| {
        let t = &tg.targets[i];
        let ok = if fail_open {
            t.state == TargetState::Unhealthy && enabled(t)
        } else {
            healthy[i]
        };
        ok && (across || t.zone.as_deref().is_none_or(|z| z == node))
    };
    // An NLB answers DNS with the nodes that have somewhere to send to.
    let serving: Vec<&str> = if balancer.kind == Kind::Network {
        let with_targets: Vec<&str> = (nodes.iter().copied())
            .filter(|n| (0..tg.targets.len()).any(|i| eligible(i, n)))
            .collect();
        if with_targets.is_empty() {
            nodes.clone()
        } else {
            with_targets
        }
    } else {
        nodes.clone()
    };
    let slow_start_ms = SimTime::from(tg.slow_start_s) * crate::engine::time::MS_PER_SECOND;
    let weight = |i: usize| {
        let t = &tg.targets[i];
        let mut w = if tg.algorithm == "least_outstanding_requests" {
            capacity(group, i).max(1e-9)
        } else {
            1.0
        };
        if slow_start_ms > 0 && t.state == TargetState::Healthy {
            if let Some(&(since, _, _)) = t.history.last() {
                let elapsed = now.saturating_sub(since);
                if elapsed < slow_start_ms {
                    // The share grows linearly from a small start over the duration.
                    w *= (elapsed as f64 / slow_start_ms as f64).max(SLOW_START_FLOOR);
                }
            }
        }
        w
    };
    let fail_open_before = routed.shares.len();
    let to_targets = |node: &str, requests: u64, routed: &mut Routed| {
        let candidates: Vec<usize> = (0..tg.targets.len())
            .filter(|&i| eligible(i, node))
            .collect();
        if candidates.is_empty() {
            *routed.answered_by_lb.entry(rejected).or_default() += requests;
            return;
        }
        let weights: Vec<f64> = candidates.iter().map(|&i| weight(i)).collect();
        for (&target, part) in candidates.iter().zip(apportion(requests, &weights)) {
            routed.shares.push(Share {
                group,
                target,
                requests: part,
            });
        }
    };
    match clients.filter(|_| balancer.kind == Kind::Network) {
        Some(clients) if clients > 0 => {
            // Each client's flow lands on one node and one target by its hash.
            let per_client = apportion(count, &vec![1.0; clients as usize]);
            for (c, requests) in per_client.into_iter().enumerate() {
                if requests == 0 {
                    continue;
                }
                let h = mix(c as u64 ^ (u64::from(tg.key) << 32));
                let node = serving[(h % serving.len() as u64) as usize];
                let candidates: Vec<usize> = (0..tg.targets.len())
                    .filter(|&i| eligible(i, node))
                    .collect();
                if candidates.is_empty() {
                    *routed.answered_by_lb.entry(rejected).or_default() += requests;
                    continue;
                }
                let target = candidates[(mix(h) % candidates.len() as u64) as usize];
                routed.shares.push(Share {
                    group,
                    target,
                    requests,
                });
            }
        }
        _ => {
            let per_node = apportion(count, &vec![1.0; serving.len()]);
            for (node, requests) in serving.iter().zip(per_node) {
                to_targets(node, requests, routed);
            }
        }
    }
    if fail_open {
        routed.fail_open += (routed.shares[fail_open_before..].iter())
            .map(|s| s.requests)
            .sum::<u64>();
    }
}

/// A target in slow start gets at least this fraction of a full share.
pub const SLOW_START_FLOOR: f64 = 0.02;

/// Whether traffic to a target times out: the application answers what reaches it, unless
/// the load balancer cannot reach it, and its last failed check tells (a timeout is a security
/// group or nothing at the address).
pub fn times_out(world: &World, group: usize, target: usize) -> bool {
    world.elb.target_groups[group].targets[target].reason == Some(Reason::Timeout)
}

/// Counts one sample's requests through load balancer `lb`: what was routed and how each
/// target's share ended, and each target's requests a second (for the map).
pub fn account(
    world: &mut World,
    lb: usize,
    routed: &Routed,
    outcomes: &[Outcome],
    arrived: u64,
    sample_s: f64,
) {
    // The groups this load balancer forwards to start the sample at no requests.
    for g in groups_of(world, &world.elb.load_balancers[lb].arn) {
        for t in world.elb.target_groups[g].targets.iter_mut() {
            t.requests_per_second = 0.0;
        }
    }
    let elb = &mut world.elb;
    let balancer = &mut elb.load_balancers[lb];
    let minute = &mut balancer.minute;
    minute.arrived += arrived - routed.unheard;
    minute.fail_open += routed.fail_open;
    for (code, n) in &routed.answered_by_lb {
        *minute.lb_codes.entry(*code).or_default() += n;
    }
    balancer.requests_per_second = ((arrived - routed.unheard) as f64 / sample_s) as f32;
    for (share, outcome) in routed.shares.iter().zip(outcomes) {
        let minute = &mut elb.load_balancers[lb].minute;
        minute.requests += share.requests;
        minute.target.add(share.requests, outcome);
        *minute.lb_codes.entry(502).or_default() += outcome.refused;
        *minute.lb_codes.entry(504).or_default() += outcome.timed_out;
        let tg = &mut elb.target_groups[share.group];
        tg.minute.add(share.requests, outcome);
        tg.targets[share.target].requests_per_second = (share.requests as f64 / sample_s) as f32;
    }
}

/// The last dimension value of an ELB ARN: `app/<name>/<id>` for a load balancer,
/// `targetgroup/<name>/<id>` for a target group (aws-facts 17.2.5).
pub fn dimension_value(arn: &str) -> &str {
    if let Some((_, rest)) = arn.split_once(":loadbalancer/") {
        rest
    } else {
        arn.rsplit_once(':').map_or(arn, |(_, rest)| rest)
    }
}

/// ELB's metrics for the minute that just ended, and the minute's counts started again
/// (aws-facts 17.2.5): per load balancer, and per target group with its load balancer.
pub fn take_minute_metrics(world: &mut World) -> Vec<Datum> {
    let mut out = Vec::new();
    let used: Vec<Vec<usize>> = (world.elb.load_balancers.iter())
        .map(|lb| groups_of(world, &lb.arn))
        .collect();
    let elb = &mut world.elb;
    for (lb, groups) in elb.load_balancers.iter_mut().zip(used) {
        let minute = std::mem::take(&mut lb.minute);
        if lb.kind == Kind::Classic {
            for g in groups {
                let tg = &mut elb.target_groups[g];
                tg.minute = GroupMinute::default();
                super::classic::minute_metrics(&mut out, lb, &minute, tg);
            }
            continue;
        }
        let lb_dim = dimension_value(&lb.arn).to_string();
        let alb = lb.kind == Kind::Application;
        let ns = if alb {
            "AWS/ApplicationELB"
        } else {
            "AWS/NetworkELB"
        };
        let by_lb = [("LoadBalancer", lb_dim.as_str())];
        let registered = groups
            .iter()
            .any(|&g| !elb.target_groups[g].targets.is_empty());
        if alb {
            if registered || minute.requests > 0 {
                out.push(Datum::value(
                    ns,
                    "RequestCount",
                    &by_lb,
                    "Count",
                    minute.requests as f64,
                ));
            }
            let elb_5xx: u64 = (minute.lb_codes.iter())
                .filter(|(c, _)| (500..600).contains(*c))
                .map(|(_, n)| n)
                .sum();
            if elb_5xx > 0 {
                out.push(Datum::value(
                    ns,
                    "HTTPCode_ELB_5XX_Count",
                    &by_lb,
                    "Count",
                    elb_5xx as f64,
                ));
            }
            for (code, n) in &minute.lb_codes {
                if [500, 502, 503, 504].contains(code) && *n > 0 {
                    let name = format!("HTTPCode_ELB_{code}_Count");
                    out.push(Datum::value(ns, &name, &by_lb, "Count", *n as f64));
                }
            }
            if minute.fail_open > 0 {
                out.push(Datum::value(
                    ns,
                    "UnhealthyRoutingRequestCount",
                    &by_lb,
                    "Count",
                    minute.fail_open as f64,
                ));
            }
            push_group_counts(&mut out, ns, &by_lb, &minute.target);
        } else {
            if registered || minute.requests > 0 {
                out.push(Datum::value(
                    ns,
                    "NewFlowCount",
                    &by_lb,
                    "Count",
                    minute.requests as f64,
                ));
            }
            let resets = minute.lb_codes.get(&0).copied().unwrap_or(0);
            if resets > 0 {
                out.push(Datum::value(
                    ns,
                    "TCP_ELB_Reset_Count",
                    &by_lb,
                    "Count",
                    resets as f64,
                ));
            }
            if minute.fail_open > 0 {
                out.push(Datum::value(
                    ns,
                    "UnhealthyRoutingFlowCount",
                    &by_lb,
                    "Count",
                    minute.fail_open as f64,
                ));
            }
        }
        for g in groups {
            let tg = &mut elb.target_groups[g];
            let group_minute = std::mem::take(&mut tg.minute);
            let tg_dim = dimension_value(&tg.arn).to_string();
            let both = [
                ("LoadBalancer", lb_dim.as_str()),
                ("TargetGroup", tg_dim.as_str()),
            ];
            let healthy = (tg.targets.iter())
                .filter(|t| t.state == TargetState::Healthy)
                .count();
            let unhealthy = (tg.targets.iter())
                .filter(|t| t.state == TargetState::Unhealthy)
                .count();
            out.push(Datum::value(
                ns,
                "HealthyHostCount",
                &both,
                "Count",
                healthy as f64,
            ));
            out.push(Datum::value(
                ns,
                "UnHealthyHostCount",
                &both,
                "Count",
                unhealthy as f64,
            ));
            if tg.targets.is_empty() {
                continue;
            }
            if alb {
                out.push(Datum::value(
                    ns,
                    "RequestCount",
                    &both,
                    "Count",
                    group_minute.requests as f64,
                ));
                // The group's requests over its healthy targets (else its registered ones).
                let per = healthy.max(if healthy == 0 { tg.targets.len() } else { 1 });
                let per_target = group_minute.requests as f64 / per as f64;
                out.push(Datum::value(
                    ns,
                    "RequestCountPerTarget",
                    &[("TargetGroup", tg_dim.as_str())],
                    "Count",
                    per_target,
                ));
                out.push(Datum::value(
                    ns,
                    "RequestCountPerTarget",
                    &both,
                    "Count",
                    per_target,
                ));
                push_group_counts(&mut out, ns, &both, &group_minute);
            } else {
                out.push(Datum::value(
                    ns,
                    "NewFlowCount",
                    &both,
                    "Count",
                    group_minute.requests as f64,
                ));
                if group_minute.target_5xx > 0 {
                    out.push(Datum::value(
                        ns,
                        "TCP_Target_Reset_Count",
                        &both,
                        "Count",
                        group_minute.target_5xx as f64,
                    ));
                }
            }
        }
    }
    out
}

/// `HTTPCode_Target_2XX_Count`, `..._5XX_Count` and `TargetResponseTime` of a minute.
fn push_group_counts(out: &mut Vec<Datum>, ns: &str, dims: &[(&str, &str)], m: &GroupMinute) {
    if m.target_2xx > 0 {
        out.push(Datum::value(
            ns,
            "HTTPCode_Target_2XX_Count",
            dims,
            "Count",
            m.target_2xx as f64,
        ));
    }
    if m.target_5xx > 0 {
        out.push(Datum::value(
            ns,
            "HTTPCode_Target_5XX_Count",
            dims,
            "Count",
            m.target_5xx as f64,
        ));
    }
    if m.answered > 0 {
        out.push(Datum::statistics(
            ns,
            "TargetResponseTime",
            dims,
            "Seconds",
            [
                m.answered as f64,
                m.response_time_sum_s,
                m.response_time_min_s,
                m.response_time_max_s,
            ],
        ));
    }
}

/// ELB's books: every request a load balancer or a group counted this minute ended once, as a
/// target's answer (2xx or 5xx) or the load balancer's (502 refused, 504 timed out), and a
/// load balancer's count is what its targets got.
pub fn invariants(world: &World) -> Result<(), String> {
    let balanced =
        |m: &GroupMinute| m.requests == m.target_2xx + m.target_5xx + m.refused + m.timed_out;
    for lb in &world.elb.load_balancers {
        if lb.minute.requests != lb.minute.target.requests || !balanced(&lb.minute.target) {
            return Err(format!(
                "load balancer {}'s requests this minute do not add up: {:?}",
                lb.name, lb.minute
            ));
        }
        let chosen_or_answered = lb.minute.requests
            + (lb.minute.lb_codes.iter())
                .filter(|(c, _)| ![502, 504].contains(*c))
                .map(|(_, n)| n)
                .sum::<u64>();
        if chosen_or_answered != lb.minute.arrived {
            return Err(format!("load balancer {} took {} requests this minute and accounted for {chosen_or_answered}", lb.name, lb.minute.arrived));
        }
    }
    for tg in &world.elb.target_groups {
        let indexed = tg.by_id.len() == tg.targets.len()
            && (tg.targets.iter())
                .all(|t| tg.by_id.get(&(t.id.clone(), t.port)) == Some(&t.serial));
        if !indexed {
            return Err(format!(
                "target group {}'s index of its targets by id and port is not its targets",
                tg.name
            ));
        }
        if !balanced(&tg.minute) {
            return Err(format!(
                "target group {}'s requests this minute do not add up: {:?}",
                tg.name, tg.minute
            ));
        }
    }
    Ok(())
}
