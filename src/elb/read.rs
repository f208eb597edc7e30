//! What other services may read of ELB: a target group's facts and a target's health, as
//! views, never ELB's state. ECS asks them when it attaches a service and counts its tasks.

pub use super::TargetState;
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::world::World;

/// A target group as ECS sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetGroupView<'a> {
    pub arn: &'a str,
    /// `instance` or `ip`.
    pub target_type: &'a str,
    /// Whether a listener (or a rule) of a load balancer forwards to it.
    pub in_use: bool,
    pub deregistration_delay_ms: SimTime,
    /// The port targets take when none is given (a Classic Load Balancer's instance port).
    pub port: u16,
}

pub fn target_group<'a>(world: &'a World, arn: &str) -> Option<TargetGroupView<'a>> {
    let tg = world.elb.target_groups.iter().find(|tg| tg.arn == arn)?;
    Some(TargetGroupView {
        arn: &tg.arn,
        target_type: &tg.target_type,
        in_use: !world.load_balancers_of(arn).is_empty(),
        deregistration_delay_ms: SimTime::from(tg.deregistration_delay_s) * MS_PER_SECOND,
        port: tg.port,
    })
}

/// A target's state and, when it has one, ELB's description of why (`Request timed out`; a
/// Classic Load Balancer's instance: its DescribeInstanceHealth description).
pub fn target_health(
    world: &World,
    arn: &str,
    id: &str,
    port: u16,
) -> Option<(TargetState, Option<String>)> {
    let tg = world.elb.target_groups.iter().find(|tg| tg.arn == arn)?;
    let target = &tg.targets[tg.find(id, port)?];
    if tg.classic {
        let lb = world.elb.load_balancers.iter().find(|lb| lb.arn == arn)?;
        let (_, _, description) = super::classic::classic_health(lb, tg, Some(target));
        return Some((target.state, Some(description.to_string())));
    }
    Some((target.state, target.reason.map(|r| r.description())))
}

/// The group a Classic Load Balancer named `name` keeps its instances in: its ARN.
pub fn classic_group<'a>(world: &'a World, name: &str) -> Option<&'a str> {
    (world.elb.load_balancers.iter())
        .find(|lb| lb.name == name && lb.classic.is_some())
        .map(|lb| lb.arn.as_str())
}

pub use super::traffic::{Flow, Outcome, Routed, Share};

/// A load balancer as `sim:SetTraffic` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadBalancerView<'a> {
    pub index: usize,
    pub arn: &'a str,
    /// A Network Load Balancer (else an Application or Classic one).
    pub network: bool,
    /// A Classic Load Balancer.
    pub classic: bool,
}

/// The load balancer named `name_or_arn` (its name or its ARN).
pub fn load_balancer<'a>(world: &'a World, name_or_arn: &str) -> Option<LoadBalancerView<'a>> {
    let (index, lb) = (world.elb.load_balancers.iter())
        .enumerate()
        .find(|(_, lb)| lb.arn == name_or_arn || lb.name == name_or_arn)?;
    Some(LoadBalancerView {
        index,
        arn: &lb.arn,
        network: lb.kind == super::load_balancer::Kind::Network,
        classic: lb.classic.is_some(),
    })
}

/// Whether load balancer `arn` has a listener on `port`.
pub fn listens_on(world: &World, arn: &str, port: u16) -> bool {
    (world.elb.listeners.iter()).any(|l| l.load_balancer == arn && l.port == port)
}

/// Where a sample's requests go through load balancer `index` (see `elb::traffic`).
pub fn route(
    world: &World,
    index: usize,
    flow: &Flow<'_>,
    capacity: &dyn Fn(usize, usize) -> f64,
) -> Routed {
    super::traffic::route(world, index, flow, capacity)
}

/// A target by its group's index and its index in the group: whether it is an address (an
/// `ip` group), its id and port, and whether its checks time out (nothing gets through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetView<'a> {
    /// The target for as long as it stays on one course: its group's key, its serial and its
    /// generation (see `elb::TargetKey`).
    pub key: (u32, u32, u32),
    pub address: Option<u32>,
    pub id: &'a str,
    pub port: u16,
    pub times_out: bool,
}

/// [`TargetView::key`] alone, without the rest's work.
pub fn target_key(world: &World, group: usize, target: usize) -> (u32, u32, u32) {
    let tg = &world.elb.target_groups[group];
    let t = &tg.targets[target];
    (tg.key, t.serial, t.generation)
}

pub fn target(world: &World, group: usize, target: usize) -> TargetView<'_> {
    let tg = &world.elb.target_groups[group];
    let t = &tg.targets[target];
    TargetView {
        key: (tg.key, t.serial, t.generation),
        address: if tg.target_type == "ip" {
            super::target_group::ipv4(&t.id)
        } else {
            None
        },
        id: &t.id,
        port: t.port,
        times_out: super::traffic::times_out(world, group, target),
    }
}

/// A dotted IPv4 address as a number (`10.0.1.23`), as `ip` targets are named.
pub fn address(text: &str) -> Option<u32> {
    super::target_group::ipv4(text)
}
