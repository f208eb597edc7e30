//! What other services may read of EC2 Auto Scaling: a group's facts, as a view.

use crate::engine::time::SimTime;
use crate::world::World;

/// A group as another service sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    pub name: String,
    pub arn: String,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    pub new_instances_protected: bool,
    /// Its instances' EC2 ids, not yet terminating.
    pub instances: Vec<String>,
    /// The instance type its launch template names (a mixed group's smallest).
    pub instance_type: String,
}

/// The group of that ARN (or name).
pub fn group(world: &World, arn_or_name: &str) -> Option<GroupView> {
    let g = (world.asg.groups.iter()).find(|g| g.arn == arn_or_name || g.name == arn_or_name)?;
    Some(GroupView {
        name: g.name.clone(),
        arn: g.arn.clone(),
        min: g.min,
        max: g.max,
        desired: g.desired,
        new_instances_protected: g.new_instances_protected,
        instances: (g.instances.iter())
            .filter(|i| !i.lifecycle.leaving())
            .map(|i| i.id.clone())
            .collect(),
        instance_type: match g.mixed.as_ref().filter(|m| !m.types.is_empty()) {
            // The smallest of a mixed group's types (aws-facts 7.3: a task larger than the
            // smallest is left out of CapacityProviderReservation).
            Some(m) => (m.types.iter())
                .min_by_key(|t| {
                    crate::ec2::catalogue::instance_type(t)
                        .map_or((u32::MAX, u32::MAX), |k| (k.vcpus, k.memory_mib))
                })
                .cloned()
                .expect("a type"),
            None => crate::ec2::read::launch_template_version(
                world,
                Some(&g.template_id),
                None,
                Some(&g.template_version),
            )
            .map_or_else(|| "m5.large".to_string(), |v| v.instance_type),
        },
    })
}

/// The name of the group an instance is in, if any.
pub fn group_of_instance<'a>(world: &'a World, ec2_id: &str) -> Option<&'a str> {
    (world.asg.groups.iter())
        .find(|g| g.instances.iter().any(|i| i.id == ec2_id))
        .map(|g| g.name.as_str())
}

/// A target-tracking policy ECS's managed scaling puts on a group (aws-facts 7.2, 7.3,
/// 17.4.5): its alarms on CapacityProviderReservation invoke it.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPolicy {
    pub group: String,
    pub arn: String,
    pub name: String,
    pub target: f64,
    pub minimum_step: u32,
    pub maximum_step: u32,
    pub warmup_s: u32,
    pub last_scale_out: Option<SimTime>,
    /// The predefined metric of a policy PutScalingPolicy made (`ASGAverageCPUUtilization`);
    /// None for ECS managed scaling's policy.
    pub predefined_metric: Option<String>,
    pub disable_scale_in: bool,
    /// Its alarms' names (those of ECS's policy are ECS's to manage).
    pub alarms: Vec<String>,
}
