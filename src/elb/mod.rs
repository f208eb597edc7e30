//! Elastic Load Balancing (v2: Application and Network Load Balancers), prefix
//! `elasticloadbalancing:` as IAM spells it: load balancers, listeners that forward to target
//! groups, target groups with their health-check settings and attributes, targets and their
//! health (aws-facts 8 and 17.1). Requests take the JSON `aws elbv2 ... --cli-input-json`
//! takes, in PascalCase; answers have ELB's shapes.
//!
//! A target is checked on its group's interval once a listener of a load balancer forwards to
//! the group: it passes one check to be healthy when new (aws-facts 17.1.2), fails
//! `UnhealthyThresholdCount` in a row to be unhealthy, and passes `HealthyThresholdCount` in a
//! row to recover. What a check finds is read from the other services: the instance (EC2), the
//! security groups between the load balancer and the instance (EC2's rules: a port they do not
//! open times out), who listens on the port (ECS), and how the image answers (`sim:`).
//!
//! The Classic Load Balancer (the 2012-06-01 API) is `classic`: the same prefix, told apart by
//! the request's shape.

pub mod classic;
pub mod load_balancer;
pub mod read;
pub mod rule;
pub mod target_group;
pub mod traffic;

use serde_json::Value;

use crate::engine::error::ApiError;
use crate::engine::time::SimTime;
use crate::world::World;

pub use target_group::{Reason, TargetState};

/// From RegisterTargets to the first health check: AWS observed 1.5 s from the registration
/// to the target's `initial` state (aws-facts 17.1.2, OBS:68982846908); AWS publishes no figure.
pub const TARGET_REGISTRATION_MS: SimTime = 1_500;
/// The response code a failing health endpoint gives (`sim:SetImageBehavior` `"targetHealth":
/// "fail"`): the model's choice, an application's usual "Internal Server Error".
pub const FAILING_RESPONSE_CODE: u16 = 500;
/// Each target keeps its newest health changes for the inspector, at the most.
pub const TARGET_HISTORY_MAX: usize = 50;
/// Load balancers, target groups and targets per group the model holds at the most (ELB's
/// default quotas: 50 load balancers and 3,000 target groups a Region, 1,000 targets a group).
pub const LOAD_BALANCERS_MAX: usize = 50;
pub const TARGET_GROUPS_MAX: usize = 3_000;
pub const TARGETS_PER_GROUP_MAX: usize = 1_000;
/// Listeners per load balancer (ELB's quota).
pub const LISTENERS_PER_LOAD_BALANCER_MAX: usize = 50;

#[derive(Debug, Default)]
pub struct ElbState {
    pub load_balancers: Vec<load_balancer::LoadBalancer>,
    pub listeners: Vec<load_balancer::Listener>,
    pub rules: Vec<rule::Rule>,
    pub target_groups: Vec<target_group::TargetGroup>,
    /// Target groups made so far: the next group's key.
    pub groups_created: u32,
}

/// Which target a timer is for, by numbers only (a check is ELB's most frequent event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetKey {
    /// The group's [`target_group::TargetGroup::key`].
    pub group: u32,
    /// The target's [`target_group::Target::serial`].
    pub serial: u32,
    pub generation: u32,
}

/// What ELB schedules.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// A target's next health check (or, the first time, its registration completing). A
    /// target is found by its group's key and its serial (targets are kept in serial order);
    /// the generation tells a stale timer from a live one after the target changed course.
    HealthCheck(TargetKey),
    /// A deregistering target's delay is over: it leaves the group.
    DrainDone(TargetKey),
}

/// Performs `elasticloadbalancing:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    if classic::is_classic(operation, input) {
        return match operation {
            "CreateLoadBalancer" => world.create_classic_load_balancer(input),
            "DescribeLoadBalancers" => world.describe_classic_load_balancers(input),
            "DeleteLoadBalancer" => world.delete_classic_load_balancer(input),
            "ModifyLoadBalancerAttributes" => world.modify_classic_attributes(input),
            _ => world.describe_classic_attributes(input),
        };
    }
    match operation {
        "ConfigureHealthCheck" => world.configure_health_check(input),
        "RegisterInstancesWithLoadBalancer" => world.register_instances(input),
        "DeregisterInstancesFromLoadBalancer" => world.deregister_instances(input),
        "DescribeInstanceHealth" => world.describe_instance_health(input),
        "CreateLoadBalancer" => world.create_load_balancer(input),
        "DescribeLoadBalancers" => world.describe_load_balancers(input),
        "DeleteLoadBalancer" => world.delete_load_balancer(input),
        "CreateListener" => world.create_listener(input),
        "DescribeListeners" => world.describe_listeners(input),
        "DeleteListener" => world.delete_listener(input),
        "CreateRule" => world.create_rule(input),
        "DescribeRules" => world.describe_rules(input),
        "DeleteRule" => world.delete_rule(input),
        "CreateTargetGroup" => world.create_target_group(input),
        "DescribeTargetGroups" => world.describe_target_groups(input),
        "DeleteTargetGroup" => world.delete_target_group(input),
        "ModifyTargetGroupAttributes" => world.modify_target_group_attributes(input),
        "DescribeTargetGroupAttributes" => world.describe_target_group_attributes(input),
        "RegisterTargets" => world.register_targets(input),
        "DeregisterTargets" => world.deregister_targets(input),
        "DescribeTargetHealth" => world.describe_target_health(input),
        _ => Err(ApiError::unknown_operation(&format!(
            "elasticloadbalancing:{operation}"
        ))),
    }
}

/// Fires an ELB timer.
pub fn fire(world: &mut World, timer: Timer) {
    match timer {
        Timer::HealthCheck(key) => world.health_check(key),
        Timer::DrainDone(key) => world.drain_done(key),
    }
}

/// ELB's part of `ecsplay describe`: load balancers, listeners and target groups in their
/// Describe* shapes, each group with its targets' health.
pub fn describe(world: &World) -> Vec<(&'static str, Value)> {
    let elb = &world.elb;
    if elb.load_balancers.is_empty() && elb.target_groups.is_empty() {
        return Vec::new();
    }
    vec![
        (
            "loadBalancers",
            Value::Array(
                (elb.load_balancers.iter())
                    .filter(|lb| lb.classic.is_none())
                    .map(|lb| world.load_balancer_json(lb))
                    .collect(),
            ),
        ),
        (
            "classicLoadBalancers",
            Value::Array(
                (0..elb.load_balancers.len())
                    .filter(|&lb| elb.load_balancers[lb].classic.is_some())
                    .map(|lb| world.classic_json(lb))
                    .collect(),
            ),
        ),
        (
            "listeners",
            Value::Array(
                (elb.listeners.iter())
                    .filter(|l| !is_classic_listener(world, l))
                    .map(|l| l.json())
                    .collect(),
            ),
        ),
        (
            "rules",
            Value::Array(elb.rules.iter().map(|r| r.json()).collect()),
        ),
        (
            "targetGroups",
            Value::Array(
                (elb.target_groups.iter())
                    .filter(|tg| !tg.classic)
                    .map(|tg| {
                        let mut out = world.target_group_json(tg);
                        out["TargetHealthDescriptions"] = Value::Array(
                            (tg.targets.iter())
                                .map(|t| world.target_health_json(tg, t))
                                .collect(),
                        );
                        out
                    })
                    .collect(),
            ),
        ),
    ]
}

/// Whether a listener is a Classic Load Balancer's.
fn is_classic_listener(world: &World, listener: &load_balancer::Listener) -> bool {
    (world.elb.load_balancers.iter())
        .any(|lb| lb.arn == listener.load_balancer && lb.classic.is_some())
}

/// Registers a target as ECS does for a service's task (a `world::Command` from ECS, carried
/// out by the root): as RegisterTargets would, without a request.
pub fn register_target(world: &mut World, target_group: &str, id: &str, port: u16) {
    if let Some(index) = world
        .elb
        .target_groups
        .iter()
        .position(|tg| tg.arn == target_group)
    {
        let in_use = !world.load_balancers_of(target_group).is_empty();
        world.add_target(index, id.to_string(), port, None, in_use);
    }
}

/// Deregisters a target as ECS does when it stops a service's task: it drains for the group's
/// deregistration delay.
pub fn deregister_target(world: &mut World, target_group: &str, id: &str, port: u16) {
    if let Some(index) = world
        .elb
        .target_groups
        .iter()
        .position(|tg| tg.arn == target_group)
    {
        world.drain_target(index, id, port);
    }
}

/// ELB's `ValidationError`, with the field's path.
pub(crate) fn validation(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("ValidationError", message, Some(path))
}

/// A new load balancer's or target group's name is not taken (`DuplicateLoadBalancerName`,
/// `DuplicateTargetGroupName`) and the quota of them has room (`TooManyLoadBalancers`,
/// `TooManyTargetGroups`).
pub(crate) fn check_new_name<'a>(
    mut names: impl ExactSizeIterator<Item = &'a str>,
    name: &str,
    what: &str,
    quota: usize,
) -> Result<(), ApiError> {
    let code: String = what
        .split(' ')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect();
    let count = names.len();
    if names.any(|n| n == name) {
        return Err(ApiError::new(
            &format!("Duplicate{code}Name"),
            format!("A {what} with the same name '{name}' exists, but with different settings"),
            Some("$.Name"),
        ));
    }
    if count >= quota {
        return Err(ApiError::new(
            &format!("TooMany{code}s"),
            format!("The quota of {quota} {what}s has been reached"),
            None,
        ));
    }
    Ok(())
}

/// A name of a load balancer or target group: 1 to 32 letters, digits and hyphens, neither
/// starting nor ending with a hyphen (ELB's rule; the wording is the model's).
pub(crate) fn check_name(name: &str, what: &str, path: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(validation(
            format!("{what} name '{name}' is not valid: it must be 1 to 32 letters, digits and hyphens, and must not begin or end with a hyphen"),
            path,
        ))
    }
}
