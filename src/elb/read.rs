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
}

pub fn target_group<'a>(world: &'a World, arn: &str) -> Option<TargetGroupView<'a>> {
    let tg = world.elb.target_groups.iter().find(|tg| tg.arn == arn)?;
    Some(TargetGroupView {
        arn: &tg.arn,
        target_type: &tg.target_type,
        in_use: !world.load_balancers_of(arn).is_empty(),
        deregistration_delay_ms: SimTime::from(tg.deregistration_delay_s) * MS_PER_SECOND,
    })
}

/// A target's state and, when it has one, ELB's description of why (`Request timed out`).
pub fn target_health(
    world: &World,
    arn: &str,
    id: &str,
    port: u16,
) -> Option<(TargetState, Option<String>)> {
    let tg = world.elb.target_groups.iter().find(|tg| tg.arn == arn)?;
    let target = tg.targets.iter().find(|t| t.id == id && t.port == port)?;
    Some((target.state, target.reason.map(|r| r.description())))
}
