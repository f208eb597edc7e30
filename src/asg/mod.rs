//! Amazon EC2 Auto Scaling (`autoscaling:`), its groups of instances (aws-facts 17.4):
//! CreateAutoScalingGroup from a launch template across the zones of its subnets,
//! UpdateAutoScalingGroup, SetDesiredCapacity, SetInstanceProtection,
//! TerminateInstanceInAutoScalingGroup, DeleteAutoScalingGroup, DescribeAutoScalingGroups,
//! DescribeAutoScalingInstances and DescribeScalingActivities with AWS's Description and Cause.
//! A group keeps its desired capacity: it launches in the zone with the fewest instances,
//! terminates by the default termination policy (the zone with the most instances, then the
//! oldest launch template version, then at random), honours scale-in protection, and replaces
//! an instance EC2 reports terminated (its EC2 health check). Instances are launched and
//! terminated by EC2 on the group's command; EC2 tells the group when one is running or gone.

pub mod metrics;
pub mod mixed;
pub mod policies;
pub mod read;

pub use read::GroupPolicy;

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ec2::read::LaunchOrder;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::SimTime;
use crate::world::{Command, World};

/// Groups the model holds (AWS's quota is 500 per Region).
pub const GROUPS_MAX: usize = 500;
/// A group's MaxSize at the most here: the container instances a cluster may have.
pub const GROUP_SIZE_MAX: i64 = 5_000;
/// Scaling activities kept, over all groups (the oldest go first); AWS keeps six weeks.
pub const ACTIVITIES_MAX: usize = 2_000;
/// DefaultCooldown when not given (aws-facts 17.4.1).
pub const DEFAULT_COOLDOWN_S: i64 = 300;

#[derive(Debug, Default)]
pub struct AsgState {
    pub groups: Vec<Group>,
    pub activities: VecDeque<Activity>,
    /// ECS managed scaling's target-tracking policies on groups.
    pub policies: Vec<GroupPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Pending,
    InService,
    /// Waiting for ECS to drain it (its capacity provider's managed draining, a lifecycle
    /// hook of ECS's on the group).
    TerminatingWait,
    Terminating,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Pending => "Pending",
            Lifecycle::InService => "InService",
            Lifecycle::TerminatingWait => "Terminating:Wait",
            Lifecycle::Terminating => "Terminating",
        }
    }

    /// Whether the instance is on its way out (it no longer counts toward the capacity).
    pub fn leaving(self) -> bool {
        matches!(self, Lifecycle::TerminatingWait | Lifecycle::Terminating)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupInstance {
    pub id: String,
    pub zone: String,
    pub instance_type: String,
    pub lifecycle: Lifecycle,
    pub protected: bool,
    /// A Spot instance (its group's mixed instances policy launched it so).
    pub spot: bool,
    pub template_version: u32,
    pub launched_at: SimTime,
    /// The activity that launches or terminates it, while in progress.
    pub activity: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub arn: String,
    pub template_id: String,
    pub template_name: String,
    /// The `Version` as given (`$Default`, `$Latest` or a number).
    pub template_version: String,
    pub min: u32,
    pub max: u32,
    pub desired: u32,
    /// Its zones, each with the subnet it launches into, in the order given.
    pub zones: Vec<(String, String)>,
    pub health_check_grace_s: u32,
    pub default_cooldown_s: u32,
    pub new_instances_protected: bool,
    pub tags: Vec<Value>,
    pub created_at: SimTime,
    pub instances: Vec<GroupInstance>,
    /// Being deleted with ForceDelete: it goes when its last instance has.
    pub deleting: bool,
    /// ECS drains an instance before the group terminates it (a capacity provider's managed
    /// draining).
    pub drain_hook: bool,
    /// The group metrics it publishes (EnableMetricsCollection), in AWS's order.
    pub enabled_metrics: Vec<&'static str>,
    /// Its mixed instances policy: several types, On-Demand and Spot.
    pub mixed: Option<mixed::Mixed>,
    /// What changed the desired capacity last, for the next activity's Cause (its first
    /// sentence).
    pending_cause: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: String,
    pub group: String,
    pub description: String,
    pub cause: String,
    pub start: SimTime,
    pub end: Option<SimTime>,
    pub status: &'static str,
    pub details: Value,
}

const CREATE_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.MixedInstancesPolicy",
        why: "mixed instances policies (several types, Spot) are not simulated yet: name one LaunchTemplate.",
        default: None,
    },
    Unmodelled {
        path: "$.LaunchConfigurationName",
        why: "launch configurations are retired by AWS: name a LaunchTemplate.",
        default: None,
    },
    Unmodelled {
        path: "$.InstanceId",
        why: "a group made from an instance is not simulated: name a LaunchTemplate.",
        default: None,
    },
    Unmodelled {
        path: "$.LoadBalancerNames",
        why: "ECS registers tasks with load balancers; groups attached to them are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.TargetGroupARNs",
        why: "ECS registers tasks with target groups; groups attached to them are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.LifecycleHookSpecificationList",
        why: "lifecycle hooks are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.WarmPool",
        why: "warm pools are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.CapacityRebalance",
        why: "capacity rebalancing needs Spot instances, not simulated yet.",
        default: Some(is_false),
    },
    Unmodelled {
        path: "$.TerminationPolicies",
        why: "only the Default termination policy is simulated.",
        default: Some(is_default_policy),
    },
    Unmodelled {
        path: "$.MaxInstanceLifetime",
        why: "a maximum instance lifetime is not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.PlacementGroup",
        why: "placement groups are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.DefaultInstanceWarmup",
        why: "instance warm-up of a group's own scaling policies is not simulated (managed scaling's is its capacity provider's instanceWarmupPeriod).",
        default: Some(is_minus_one),
    },
    Unmodelled {
        path: "$.Context",
        why: "a group's context is not simulated.",
        default: None,
    },
];

/// Paging of the Describe operations: every answer here is one page.
const DESCRIBE_UNMODELLED: &[Unmodelled] = &[Unmodelled {
    path: "$.NextToken",
    why: "every answer here is one page.",
    default: None,
}];

fn is_minus_one(v: &Value) -> bool {
    v.as_i64() == Some(-1)
}

fn is_false(v: &Value) -> bool {
    v == &Value::Bool(false)
}

fn is_default_policy(v: &Value) -> bool {
    v.as_array()
        .is_some_and(|a| a.len() == 1 && a[0] == "Default")
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct TemplateField {
    launch_template_id: Option<String>,
    launch_template_name: Option<String>,
    version: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRequest {
    auto_scaling_group_name: String,
    launch_template: Option<TemplateField>,
    min_size: i64,
    max_size: i64,
    desired_capacity: Option<i64>,
    #[serde(rename = "VPCZoneIdentifier")]
    vpc_zone_identifier: Option<String>,
    availability_zones: Option<Vec<String>>,
    health_check_type: Option<String>,
    health_check_grace_period: Option<i64>,
    default_cooldown: Option<i64>,
    new_instances_protected_from_scale_in: Option<bool>,
    tags: Option<Vec<Value>>,
    service_linked_role_arn: Option<String>,
    default_instance_warmup: Option<i64>,
    capacity_rebalance: Option<bool>,
    termination_policies: Option<Vec<String>>,
    mixed_instances_policy: Option<mixed::MixedPolicy>,
    launch_configuration_name: Option<Value>,
    instance_id: Option<Value>,
    load_balancer_names: Option<Value>,
    #[serde(rename = "TargetGroupARNs")]
    target_group_arns: Option<Value>,
    lifecycle_hook_specification_list: Option<Value>,
    warm_pool: Option<Value>,
    max_instance_lifetime: Option<Value>,
    placement_group: Option<Value>,
    context: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct UpdateRequest {
    auto_scaling_group_name: String,
    launch_template: Option<TemplateField>,
    min_size: Option<i64>,
    max_size: Option<i64>,
    desired_capacity: Option<i64>,
    #[serde(rename = "VPCZoneIdentifier")]
    vpc_zone_identifier: Option<String>,
    health_check_grace_period: Option<i64>,
    default_cooldown: Option<i64>,
    new_instances_protected_from_scale_in: Option<bool>,
    health_check_type: Option<String>,
    mixed_instances_policy: Option<Value>,
    capacity_rebalance: Option<bool>,
    termination_policies: Option<Vec<String>>,
    max_instance_lifetime: Option<Value>,
    placement_group: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SetDesiredRequest {
    auto_scaling_group_name: String,
    desired_capacity: i64,
    honor_cooldown: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ProtectionRequest {
    instance_ids: Vec<String>,
    auto_scaling_group_name: String,
    protected_from_scale_in: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TerminateRequest {
    instance_id: String,
    should_decrement_desired_capacity: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteRequest {
    auto_scaling_group_name: String,
    force_delete: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeGroupsRequest {
    auto_scaling_group_names: Option<Vec<String>>,
    max_records: Option<Value>,
    next_token: Option<Value>,
    filters: Option<Value>,
    include_instances: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeInstancesRequest {
    instance_ids: Option<Vec<String>>,
    max_records: Option<Value>,
    next_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeActivitiesRequest {
    auto_scaling_group_name: Option<String>,
    activity_ids: Option<Vec<String>>,
    max_records: Option<Value>,
    next_token: Option<Value>,
    include_deleted_groups: Option<bool>,
}

fn validation(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("ValidationError", message, Some(path))
}

fn not_found(name: &str) -> ApiError {
    validation(
        format!("AutoScalingGroup name not found - AutoScalingGroup {name} not found"),
        "$.AutoScalingGroupName",
    )
}

/// A size field: 0 to [`GROUP_SIZE_MAX`].
fn size(value: i64, path: &str) -> Result<u32, ApiError> {
    if (0..=GROUP_SIZE_MAX).contains(&value) {
        Ok(value as u32)
    } else {
        Err(validation(
            format!("Value {value} at '{}' failed to satisfy constraint: Member must have value between 0 and {GROUP_SIZE_MAX}", path.trim_start_matches("$.")),
            path,
        ))
    }
}

/// AWS's bounds rules: max at least min, desired between them (aws-facts 17.4).
fn check_bounds(min: u32, max: u32, desired: u32) -> Result<(), ApiError> {
    if max < min {
        return Err(validation(
            format!("Max bound, {max}, must be greater than or equal to min bound, {min}"),
            "$.MaxSize",
        ));
    }
    if desired < min || desired > max {
        return Err(validation(
            format!("Desired capacity:{desired} must be between the specified min size:{min} and max size:{max}"),
            "$.DesiredCapacity",
        ));
    }
    Ok(())
}

/// Performs `autoscaling:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateAutoScalingGroup" => world.create_group(input),
        "UpdateAutoScalingGroup" => world.update_group(input),
        "SetDesiredCapacity" => world.set_desired_capacity(input),
        "SetInstanceProtection" => world.set_instance_protection(input),
        "TerminateInstanceInAutoScalingGroup" => world.terminate_in_group(input),
        "DeleteAutoScalingGroup" => world.delete_group(input),
        "DescribeAutoScalingGroups" => world.describe_groups(input),
        "DescribeAutoScalingInstances" => world.describe_group_instances(input),
        "DescribeScalingActivities" => world.describe_group_activities(input),
        "PutScalingPolicy" => world.put_group_scaling_policy(input),
        "DescribePolicies" => world.describe_group_policies(input),
        "DeletePolicy" => world.delete_group_policy(input),
        "EnableMetricsCollection" => world.enable_metrics_collection(input),
        "DisableMetricsCollection" => world.disable_metrics_collection(input),
        _ => Err(ApiError::unknown_operation(&format!(
            "autoscaling:{operation}"
        ))),
    }
}

/// ECS's managed draining on a group: it drains an instance before the group terminates it.
pub fn drain_before_terminating(world: &mut World, group: &str, on: bool) {
    if let Some(g) = world.asg.groups.iter_mut().find(|g| g.name == group) {
        g.drain_hook = on;
    }
}

/// ECS's managed termination protection sets or clears scale-in protection on instances of
/// `group` (as SetInstanceProtection does, without an activity).
pub fn protect_instances(world: &mut World, group: &str, ids: &[String], on: bool) {
    if let Some(g) = world.asg.groups.iter_mut().find(|g| g.name == group) {
        for i in g.instances.iter_mut().filter(|i| ids.contains(&i.id)) {
            i.protected = on;
        }
    }
}

/// ECS has drained an instance the group waits to terminate: it goes.
pub fn instance_drained(world: &mut World, id: &str) {
    if let Some((g, k)) = world.find_instance(id) {
        let instance = &mut world.asg.groups[g].instances[k];
        if instance.lifecycle == Lifecycle::TerminatingWait {
            instance.lifecycle = Lifecycle::Terminating;
            world.command(Command::TerminateInstance(id.to_string()));
        }
    }
}

/// EC2 reports an instance running: a group's Pending instance is InService.
pub fn instance_running(world: &mut World, id: &str) {
    world.group_instance_running(id);
}

/// EC2 reports an instance terminated: a group's instance leaves it, and one the group did not
/// terminate itself is replaced (its EC2 health check).
pub fn instance_terminated(world: &mut World, id: &str) {
    world.group_instance_gone(id);
}

/// The groups' invariants: the desired capacity within min and max; the instances that count
/// (not leaving) never more than the desired capacity, nor fewer unless all the rest are
/// protected or the group is being deleted; every instance one EC2 has and has not terminated.
pub fn invariants(world: &World) -> Result<(), String> {
    for g in &world.asg.groups {
        if g.desired < g.min || g.desired > g.max {
            return Err(format!(
                "group {}: desired {} outside min {} and max {}",
                g.name, g.desired, g.min, g.max
            ));
        }
        let live = g
            .instances
            .iter()
            .filter(|i| !i.lifecycle.leaving())
            .count() as u32;
        let protected = g
            .instances
            .iter()
            .filter(|i| !i.lifecycle.leaving() && i.protected)
            .count() as u32;
        // A group whose launch template is gone cannot launch (its activities say so).
        let can_launch = crate::ec2::read::launch_template_version(
            world,
            Some(&g.template_id),
            None,
            Some(&g.template_version),
        )
        .is_some();
        if live < g.desired && !g.deleting && can_launch {
            return Err(format!(
                "group {}: {live} instances for desired {}",
                g.name, g.desired
            ));
        }
        if live > g.desired.max(protected) {
            return Err(format!(
                "group {}: {live} instances for desired {} ({protected} protected)",
                g.name, g.desired
            ));
        }
        for i in &g.instances {
            let state = crate::ec2::read::instance(world, &i.id).map(|v| v.state);
            if state.is_none_or(|s| s == crate::ec2::read::InstanceState::Terminated)
                && !i.lifecycle.leaving()
            {
                return Err(format!(
                    "group {}: instance {} is gone from EC2",
                    g.name, i.id
                ));
            }
        }
    }
    Ok(())
}

/// EC2 Auto Scaling's part of `ecsplay describe`, in AWS response shapes (nothing without
/// groups).
pub fn describe(world: &World) -> Vec<(&'static str, Value)> {
    if world.asg.groups.is_empty() {
        return Vec::new();
    }
    let groups = (world.asg.groups.iter())
        .map(|g| world.asg_json(g))
        .collect();
    vec![("autoScalingGroups", Value::Array(groups))]
}

impl World {
    fn group_index(&self, name: &str) -> Option<usize> {
        self.asg.groups.iter().position(|g| g.name == name)
    }

    /// "At 2021-01-11T00:35:52Z": a Cause sentence's start.
    fn at(&self) -> String {
        format!("At {}Z", &self.iso(self.now)[..19])
    }

    /// The zones and subnets a group launches into: its subnets' zones, or the default subnets
    /// of the zones it names.
    fn group_zones(
        &self,
        vpc_zone_identifier: Option<&str>,
        zones: Option<&[String]>,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let mut out: Vec<(String, String)> = Vec::new();
        match (vpc_zone_identifier.filter(|v| !v.trim().is_empty()), zones) {
            (Some(subnets), _) => {
                for subnet in subnets.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let Some(zone) = crate::ec2::read::subnet_zone(self, subnet) else {
                        return Err(validation(
                            format!("The subnet ID '{subnet}' does not exist"),
                            "$.VPCZoneIdentifier",
                        ));
                    };
                    if !out.iter().any(|(z, _)| z == zone) {
                        out.push((zone.to_string(), subnet.to_string()));
                    }
                }
            }
            (None, Some(zones)) => {
                for (n, zone) in zones.iter().enumerate() {
                    let Some(subnet) = crate::ec2::read::default_subnet(self, zone) else {
                        return Err(validation(
                            format!("The availability zone '{zone}' is not legal"),
                            &format!("$.AvailabilityZones[{n}]"),
                        ));
                    };
                    out.push((zone.clone(), subnet.id.to_string()));
                }
            }
            (None, None) => {}
        }
        if out.is_empty() {
            return Err(validation(
                "At least one Availability Zone or VPC Subnet is required.",
                "$.VPCZoneIdentifier",
            ));
        }
        Ok(out)
    }

    /// The template a `LaunchTemplate` field names, as (id, name, version as given).
    fn group_template(&self, field: &TemplateField) -> Result<(String, String, String), ApiError> {
        let version = field.version.clone().unwrap_or_else(|| "$Default".into());
        let found = crate::ec2::read::launch_template_version(
            self,
            field.launch_template_id.as_deref(),
            field.launch_template_name.as_deref(),
            Some(&version),
        );
        match found {
            Some(v) => Ok((v.id, v.name, version)),
            None => Err(validation(
                match (&field.launch_template_id, &field.launch_template_name) {
                    (Some(id), _) => format!("You must use a valid fully-formed launch template. The specified launch template, with template ID {id}, does not exist."),
                    (None, Some(name)) => format!("You must use a valid fully-formed launch template. The specified launch template, with template name {name}, does not exist."),
                    (None, None) => "You must use a valid fully-formed launch template. A launch template ID or name is required.".to_string(),
                },
                "$.LaunchTemplate",
            )),
        }
    }

    fn create_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateRequest = parse_request(input)?;
        // The first entry refuses MixedInstancesPolicy, which a new group takes.
        refuse_unmodelled(input, &CREATE_UNMODELLED[1..])?;
        let name = request.auto_scaling_group_name.clone();
        if name.is_empty() || name.len() > 255 {
            return Err(validation(
                "AutoScalingGroupName must be 1 to 255 characters.",
                "$.AutoScalingGroupName",
            ));
        }
        if self.group_index(&name).is_some() {
            return Err(ApiError::new(
                "AlreadyExists",
                format!("AutoScalingGroup by this name already exists - A group with the name {name} already exists"),
                Some("$.AutoScalingGroupName"),
            ));
        }
        let (template, mixed) = match (&request.launch_template, &request.mixed_instances_policy) {
            (Some(template), None) => (template, None),
            (None, Some(policy)) => {
                let (template, kept) = mixed::check(policy, input)?;
                (template, Some(kept))
            }
            _ => {
                return Err(validation(
                    "Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.",
                    "$.LaunchTemplate",
                ))
            }
        };
        let (template_id, template_name, template_version) = self.group_template(template)?;
        let min = size(request.min_size, "$.MinSize")?;
        let max = size(request.max_size, "$.MaxSize")?;
        let desired = size(
            request.desired_capacity.unwrap_or(request.min_size),
            "$.DesiredCapacity",
        )?;
        check_bounds(min, max, desired)?;
        let zones = self.group_zones(
            request.vpc_zone_identifier.as_deref(),
            request.availability_zones.as_deref(),
        )?;
        if let Some(kind) = request.health_check_type.as_deref().filter(|k| *k != "EC2") {
            return Err(ApiError::not_modelled(
                "$.HealthCheckType",
                &format!("{kind} health checks of a group are not simulated: EC2 only."),
            ));
        }
        let grace = request.health_check_grace_period.unwrap_or(0);
        let cooldown = request.default_cooldown.unwrap_or(DEFAULT_COOLDOWN_S);
        for (value, path) in [
            (grace, "$.HealthCheckGracePeriod"),
            (cooldown, "$.DefaultCooldown"),
        ] {
            if !(0..=i64::from(i32::MAX)).contains(&value) {
                return Err(validation(
                    format!("{} must be 0 or more.", &path[2..]),
                    path,
                ));
            }
        }
        if self.asg.groups.len() >= GROUPS_MAX {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("You have reached your limit of {GROUPS_MAX} Auto Scaling groups."),
                None,
            ));
        }
        let arn = format!(
            "arn:aws:autoscaling:{}:{}:autoScalingGroup:{}:autoScalingGroupName/{name}",
            self.config.region,
            self.config.account,
            self.ids.uuid()
        );
        let cause = format!(
            "a user request created an AutoScalingGroup changing the desired capacity from 0 to {desired}."
        );
        self.asg.groups.push(Group {
            name: name.clone(),
            arn,
            template_id,
            template_name,
            template_version,
            min,
            max,
            desired,
            zones,
            health_check_grace_s: grace as u32,
            default_cooldown_s: cooldown as u32,
            new_instances_protected: request
                .new_instances_protected_from_scale_in
                .unwrap_or(false),
            tags: request.tags.unwrap_or_default(),
            created_at: self.now,
            instances: Vec::new(),
            deleting: false,
            drain_hook: false,
            enabled_metrics: Vec::new(),
            mixed,
            pending_cause: Some(cause),
        });
        let g = self.asg.groups.len() - 1;
        self.group_reconcile(g);
        Ok(json!({}))
    }

    fn update_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: UpdateRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_UNMODELLED)?;
        let Some(g) = self.group_index(&request.auto_scaling_group_name) else {
            return Err(not_found(&request.auto_scaling_group_name));
        };
        let group = &self.asg.groups[g];
        let min = match request.min_size {
            Some(v) => size(v, "$.MinSize")?,
            None => group.min,
        };
        let max = match request.max_size {
            Some(v) => size(v, "$.MaxSize")?,
            None => group.max,
        };
        // New bounds move the desired capacity inside them, as AWS does.
        let desired = match request.desired_capacity {
            Some(v) => size(v, "$.DesiredCapacity")?,
            None => group.desired.clamp(min, max.max(min)),
        };
        check_bounds(min, max, desired)?;
        let template = match &request.launch_template {
            Some(field) => Some(self.group_template(field)?),
            None => None,
        };
        let zones = match &request.vpc_zone_identifier {
            Some(v) => Some(self.group_zones(Some(v), None)?),
            None => None,
        };
        if let Some(kind) = request.health_check_type.as_deref().filter(|k| *k != "EC2") {
            return Err(ApiError::not_modelled(
                "$.HealthCheckType",
                &format!("{kind} health checks of a group are not simulated: EC2 only."),
            ));
        }
        let old = group.desired;
        let group = &mut self.asg.groups[g];
        group.min = min;
        group.max = max;
        group.desired = desired;
        if let Some((id, name, version)) = template {
            (
                group.template_id,
                group.template_name,
                group.template_version,
            ) = (id, name, version);
        }
        if let Some(zones) = zones {
            group.zones = zones;
        }
        if let Some(grace) = request.health_check_grace_period {
            group.health_check_grace_s = grace.clamp(0, i64::from(i32::MAX)) as u32;
        }
        if let Some(cooldown) = request.default_cooldown {
            group.default_cooldown_s = cooldown.clamp(0, i64::from(i32::MAX)) as u32;
        }
        if let Some(protect) = request.new_instances_protected_from_scale_in {
            group.new_instances_protected = protect;
        }
        if desired != old {
            group.pending_cause = Some(format!(
                "a user request update of AutoScalingGroup constraints to min: {min}, max: {max}, desired: {desired} changing the desired capacity from {old} to {desired}."
            ));
        }
        self.group_reconcile(g);
        Ok(json!({}))
    }

    fn set_desired_capacity(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: SetDesiredRequest = parse_request(input)?;
        if request.honor_cooldown == Some(true) {
            return Err(ApiError::not_modelled(
                "$.HonorCooldown",
                "a group's cooldown (for simple scaling policies) is not simulated.",
            ));
        }
        let Some(g) = self.group_index(&request.auto_scaling_group_name) else {
            return Err(not_found(&request.auto_scaling_group_name));
        };
        let group = &self.asg.groups[g];
        let desired = request.desired_capacity;
        if desired > i64::from(group.max) {
            return Err(validation(
                format!("New SetDesiredCapacity value {desired} is above max value {} for the AutoScalingGroup.", group.max),
                "$.DesiredCapacity",
            ));
        }
        if desired < i64::from(group.min) {
            return Err(validation(
                format!("New SetDesiredCapacity value {desired} is below min value {} for the AutoScalingGroup.", group.min),
                "$.DesiredCapacity",
            ));
        }
        let old = group.desired;
        let group = &mut self.asg.groups[g];
        group.desired = desired as u32;
        if group.desired != old {
            group.pending_cause = Some(format!(
                "a user request explicitly set group desired capacity changing the desired capacity from {old} to {desired}."
            ));
        }
        self.group_reconcile(g);
        Ok(json!({}))
    }

    fn set_instance_protection(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ProtectionRequest = parse_request(input)?;
        let Some(g) = self.group_index(&request.auto_scaling_group_name) else {
            return Err(not_found(&request.auto_scaling_group_name));
        };
        for (n, id) in request.instance_ids.iter().enumerate() {
            if !self.asg.groups[g].instances.iter().any(|i| i.id == *id) {
                return Err(validation(
                    format!(
                        "The instance {id} is not part of Auto Scaling group {}.",
                        request.auto_scaling_group_name
                    ),
                    &format!("$.InstanceIds[{n}]"),
                ));
            }
        }
        for i in &mut self.asg.groups[g].instances {
            if request.instance_ids.contains(&i.id) {
                i.protected = request.protected_from_scale_in;
            }
        }
        Ok(json!({}))
    }

    fn terminate_in_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TerminateRequest = parse_request(input)?;
        let found = (self.asg.groups.iter().enumerate()).find_map(|(g, group)| {
            (group.instances.iter())
                .position(|i| i.id == request.instance_id && !i.lifecycle.leaving())
                .map(|k| (g, k))
        });
        let Some((g, k)) = found else {
            return Err(validation(
                format!(
                    "Instance Id not found - No managed instance found for instance ID: {}",
                    request.instance_id
                ),
                "$.InstanceId",
            ));
        };
        let group = &self.asg.groups[g];
        let current = group.desired;
        if request.should_decrement_desired_capacity && current <= group.min {
            return Err(validation(
                format!("Currently, desiredSize equals minSize ({}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.", group.min),
                "$.ShouldDecrementDesiredCapacity",
            ));
        }
        let at = self.at();
        let id = request.instance_id.clone();
        let cause = if request.should_decrement_desired_capacity {
            self.asg.groups[g].desired -= 1;
            format!("{at} instance {id} was taken out of service in response to a user request, shrinking the capacity from {current} to {}.", current - 1)
        } else {
            format!("{at} instance {id} was taken out of service in response to a user request.")
        };
        let activity = self.terminate_group_instance(g, k, cause);
        self.group_reconcile(g);
        Ok(json!({ "Activity": self.activity_json(&activity) }))
    }

    fn delete_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteRequest = parse_request(input)?;
        let Some(g) = self.group_index(&request.auto_scaling_group_name) else {
            return Err(not_found(&request.auto_scaling_group_name));
        };
        let force = request.force_delete.unwrap_or(false);
        if !self.asg.groups[g].instances.is_empty() && !force {
            return Err(ApiError::new(
                "ResourceInUse",
                "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.",
                Some("$.AutoScalingGroupName"),
            ));
        }
        if self.asg.groups[g].instances.is_empty() {
            self.asg.groups.remove(g);
            return Ok(json!({}));
        }
        let group = &mut self.asg.groups[g];
        let old = group.desired;
        group.deleting = true;
        group.min = 0;
        group.desired = 0;
        group.pending_cause = Some(format!(
            "a user request delete of AutoScalingGroup changing the desired capacity from {old} to 0."
        ));
        // Deleting terminates protected instances too.
        for i in &mut self.asg.groups[g].instances {
            i.protected = false;
        }
        self.group_reconcile(g);
        Ok(json!({}))
    }

    /// Launches or terminates until the group holds its desired capacity (instances not
    /// Terminating count).
    fn group_reconcile(&mut self, g: usize) {
        let group = &self.asg.groups[g];
        let current = group
            .instances
            .iter()
            .filter(|i| !i.lifecycle.leaving())
            .count() as u32;
        let desired = group.desired;
        let first = group.pending_cause.clone();
        let at = self.at();
        let lead = first.map(|c| format!("{at} {c}  ")).unwrap_or_default();
        self.asg.groups[g].pending_cause = None;
        // Each instance's activity says the whole change, as AWS's do ("from 0 to 3" on each).
        if current < desired {
            for _ in current..desired {
                let cause = format!(
                    "{lead}{at} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from {current} to {desired}."
                );
                self.launch_group_instance(g, cause);
            }
        } else if current > desired {
            for _ in desired..current {
                let Some(k) = self.termination_choice(g) else {
                    let cause = format!("{lead}{at} Could not scale to desired capacity because all remaining instances are protected from scale-in.");
                    self.record_group_activity(
                        g,
                        "Terminating EC2 instance".into(),
                        cause,
                        "Failed",
                        json!({}),
                    );
                    break;
                };
                let id = self.asg.groups[g].instances[k].id.clone();
                let cause = format!(
                    "{lead}{at} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from {current} to {desired}.  {at} instance {id} was selected for termination."
                );
                self.terminate_group_instance(g, k, cause);
            }
        }
        if self.asg.groups[g].deleting && self.asg.groups[g].instances.is_empty() {
            self.asg.groups.remove(g);
        }
    }

    /// The zone with the fewest of the group's instances (the first listed on a tie) among
    /// those with capacity, or Err with the zone it would have been when none has (a zone
    /// failed by `sim:FailAvailabilityZone` has none: the group tries its other zones).
    fn launch_zone(&self, g: usize) -> Result<(String, String), (String, String)> {
        let group = &self.asg.groups[g];
        let count = |zone: &str| {
            (group.instances.iter())
                .filter(|i| i.zone == zone && !i.lifecycle.leaving())
                .count()
        };
        let fewest = |ok: &dyn Fn(&str) -> bool| {
            (group.zones.iter())
                .filter(|(zone, _)| ok(zone))
                .min_by_key(|(zone, _)| count(zone))
                .cloned()
        };
        fewest(&|zone| !crate::sim::read::zone_failed(self, zone))
            .ok_or_else(|| fewest(&|_| true).expect("a group has a zone"))
    }

    fn launch_group_instance(&mut self, g: usize, cause: String) {
        let (zone, subnet) = match self.launch_zone(g) {
            Ok(chosen) => chosen,
            Err((zone, subnet)) => {
                // EC2 has no capacity in any of the group's zones: a failed activity in
                // Auto Scaling's words (aws-facts 17.4.4).
                let kind = crate::ec2::read::launch_template_version(
                    self,
                    Some(&self.asg.groups[g].template_id),
                    None,
                    Some(&self.asg.groups[g].template_version),
                )
                .map(|v| v.instance_type.clone())
                .unwrap_or_default();
                let description = format!("Launching a new EC2 instance.  Status Reason: We currently do not have sufficient {kind} capacity in the Availability Zone you requested ({zone}). Launching EC2 instance failed.");
                self.record_group_activity(
                    g,
                    description,
                    cause,
                    "Failed",
                    json!({ "Subnet ID": subnet, "Availability Zone": zone }),
                );
                return;
            }
        };
        let group = &self.asg.groups[g];
        let Some(version) = crate::ec2::read::launch_template_version(
            self,
            Some(&group.template_id),
            None,
            Some(&group.template_version),
        ) else {
            let cause = format!("{cause}  The launch template no longer exists.");
            self.record_group_activity(g, "Launching a new EC2 instance.  Status Reason: The specified launch template does not exist. Launching EC2 instance failed.".into(), cause, "Failed", json!({ "Subnet ID": subnet, "Availability Zone": zone }));
            return;
        };
        // A mixed instances policy's market and type for this instance.
        let (instance_type, spot) = match &group.mixed {
            None => (version.instance_type.clone(), false),
            Some(m) => {
                let live = group.instances.iter().filter(|i| !i.lifecycle.leaving());
                let spot_count = live.clone().filter(|i| i.spot).count() as u32;
                let on_demand = live.clone().count() as u32 - spot_count;
                let types = if m.types.is_empty() {
                    vec![version.instance_type.clone()]
                } else {
                    m.types.clone()
                };
                if mixed::next_is_on_demand(m, on_demand, spot_count) {
                    (types[0].clone(), false)
                } else {
                    let spot_of = |t: &String| {
                        live.clone()
                            .filter(|i| i.spot && i.instance_type == *t)
                            .count()
                    };
                    let fewest = types.iter().min_by_key(|t| spot_of(t)).expect("a type");
                    (fewest.clone(), true)
                }
            }
        };
        let id = self.ids.instance_id();
        let protected = group.new_instances_protected;
        let details = json!({ "Subnet ID": subnet, "Availability Zone": zone });
        let activity = self.record_group_activity(
            g,
            format!("Launching a new EC2 instance: {id}"),
            cause,
            "InProgress",
            details,
        );
        self.asg.groups[g].instances.push(GroupInstance {
            id: id.clone(),
            zone: zone.clone(),
            instance_type: instance_type.clone(),
            lifecycle: Lifecycle::Pending,
            protected,
            spot,
            template_version: version.number,
            launched_at: self.now,
            activity: Some(activity.id),
        });
        self.command(Command::LaunchInstance(LaunchOrder {
            instance_id: id,
            template_id: version.id,
            version: version.number,
            zone,
            subnet,
            instance_type: Some(instance_type),
            spot,
        }));
    }

    /// Which instance scale-in terminates (aws-facts 17.4.2): of the zone with the most
    /// instances (that has one unprotected), the unprotected ones on the oldest launch
    /// template version, then one of them at random.
    fn termination_choice(&mut self, g: usize) -> Option<usize> {
        let group = &self.asg.groups[g];
        let live = |i: &GroupInstance| !i.lifecycle.leaving();
        let zone = (group.zones.iter())
            .map(|(z, _)| z)
            .filter(|z| {
                group
                    .instances
                    .iter()
                    .any(|i| live(i) && !i.protected && i.zone == **z)
            })
            .max_by_key(|z| {
                let n = group
                    .instances
                    .iter()
                    .filter(|i| live(i) && i.zone == **z)
                    .count();
                // The first listed zone wins a tie: max_by_key keeps the last, so invert.
                (
                    n,
                    std::cmp::Reverse(group.zones.iter().position(|(x, _)| x == *z)),
                )
            })?
            .clone();
        let candidates: Vec<usize> = (0..group.instances.len())
            .filter(|&k| {
                let i = &group.instances[k];
                live(i) && !i.protected && i.zone == zone
            })
            .collect();
        let oldest = (candidates.iter())
            .map(|&k| group.instances[k].template_version)
            .min()?;
        let oldest: Vec<usize> = (candidates.into_iter())
            .filter(|&k| group.instances[k].template_version == oldest)
            .collect();
        let pick = rand::Rng::random_range(&mut self.rng, 0..oldest.len() as u32) as usize;
        Some(oldest[pick])
    }

    /// Starts terminating the group's `k`-th instance; returns the activity.
    fn terminate_group_instance(&mut self, g: usize, k: usize, cause: String) -> Activity {
        let instance = &self.asg.groups[g].instances[k];
        let (id, zone) = (instance.id.clone(), instance.zone.clone());
        let subnet = (self.asg.groups[g].zones.iter())
            .find(|(z, _)| *z == zone)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        let activity = self.record_group_activity(
            g,
            format!("Terminating EC2 instance: {id}"),
            cause,
            "InProgress",
            json!({ "Subnet ID": subnet, "Availability Zone": zone }),
        );
        let drain = self.asg.groups[g].drain_hook;
        let instance = &mut self.asg.groups[g].instances[k];
        instance.activity = Some(activity.id.clone());
        if drain && instance.lifecycle == Lifecycle::InService {
            instance.lifecycle = Lifecycle::TerminatingWait;
            self.command(Command::DrainInstance(id));
        } else {
            instance.lifecycle = Lifecycle::Terminating;
            self.command(Command::TerminateInstance(id));
        }
        activity
    }

    fn record_group_activity(
        &mut self,
        g: usize,
        description: String,
        cause: String,
        status: &'static str,
        details: Value,
    ) -> Activity {
        let activity = Activity {
            id: self.ids.uuid(),
            group: self.asg.groups[g].name.clone(),
            description,
            cause,
            start: self.now,
            end: (status != "InProgress").then_some(self.now),
            status,
            details,
        };
        self.asg.activities.push_back(activity.clone());
        while self.asg.activities.len() > ACTIVITIES_MAX {
            self.asg.activities.pop_front();
        }
        activity
    }

    /// An activity in progress is done: Successful, now.
    fn finish_activity(&mut self, id: &str) -> Option<Activity> {
        let now = self.now;
        let a = self.asg.activities.iter_mut().find(|a| a.id == id)?;
        a.status = "Successful";
        a.end = Some(now);
        Some(a.clone())
    }

    fn find_instance(&self, id: &str) -> Option<(usize, usize)> {
        (self.asg.groups.iter().enumerate()).find_map(|(g, group)| {
            group
                .instances
                .iter()
                .position(|i| i.id == id)
                .map(|k| (g, k))
        })
    }

    fn group_instance_running(&mut self, id: &str) {
        let Some((g, k)) = self.find_instance(id) else {
            return;
        };
        let instance = &mut self.asg.groups[g].instances[k];
        if instance.lifecycle != Lifecycle::Pending {
            return;
        }
        instance.lifecycle = Lifecycle::InService;
        if let Some(activity) = instance.activity.take() {
            if let Some(a) = self.finish_activity(&activity) {
                self.group_event("EC2 Instance Launch Successful", g, id, &a);
            }
        }
    }

    fn group_instance_gone(&mut self, id: &str) {
        let Some((g, k)) = self.find_instance(id) else {
            return;
        };
        let instance = self.asg.groups[g].instances.remove(k);
        match instance.lifecycle {
            Lifecycle::Terminating | Lifecycle::TerminatingWait => {
                if let Some(a) = instance.activity.and_then(|a| self.finish_activity(&a)) {
                    self.group_event("EC2 Instance Terminate Successful", g, id, &a);
                }
                if self.asg.groups[g].deleting && self.asg.groups[g].instances.is_empty() {
                    self.asg.groups.remove(g);
                }
            }
            // Terminated by someone else: the group's EC2 health check takes it out of
            // service and a new instance replaces it.
            Lifecycle::Pending | Lifecycle::InService => {
                let at = self.at();
                let subnet = (self.asg.groups[g].zones.iter())
                    .find(|(z, _)| *z == instance.zone)
                    .map(|(_, s)| s.clone())
                    .unwrap_or_default();
                let a = self.record_group_activity(
                    g,
                    format!("Terminating EC2 instance: {id}"),
                    format!("{at} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped."),
                    "Successful",
                    json!({ "Subnet ID": subnet, "Availability Zone": instance.zone }),
                );
                self.group_event("EC2 Instance Terminate Successful", g, id, &a);
                let cause = format!(
                    "{at} an instance was launched in response to an unhealthy instance needing to be replaced."
                );
                let live = (self.asg.groups[g].instances.iter())
                    .filter(|i| !i.lifecycle.leaving())
                    .count() as u32;
                if live < self.asg.groups[g].desired {
                    self.launch_group_instance(g, cause);
                }
            }
        }
    }

    /// EventBridge's `EC2 Instance Launch Successful` / `EC2 Instance Terminate Successful`
    /// (aws-facts 17.4.4).
    fn group_event(&mut self, detail_type: &'static str, g: usize, id: &str, a: &Activity) {
        let group = &self.asg.groups[g];
        let detail = json!({
            "StatusCode": "InProgress",
            "AutoScalingGroupName": group.name,
            "ActivityId": a.id,
            "Details": a.details,
            "RequestId": a.id,
            "EndTime": self.iso(self.now),
            "EC2InstanceId": id,
            "StartTime": self.iso(a.start),
            "Cause": a.cause,
            "Description": a.description,
        });
        let resources = vec![
            group.arn.clone(),
            format!(
                "arn:aws:ec2:{}:{}:instance/{id}",
                self.config.region, self.config.account
            ),
        ];
        self.emit_event("aws.autoscaling", detail_type, resources, detail, None);
    }

    fn asg_json(&self, g: &Group) -> Value {
        let mut out = json!({
            "AutoScalingGroupName": g.name,
            "AutoScalingGroupARN": g.arn,
            "LaunchTemplate": { "LaunchTemplateId": g.template_id, "LaunchTemplateName": g.template_name, "Version": g.template_version },
            "MinSize": g.min,
            "MaxSize": g.max,
            "DesiredCapacity": g.desired,
            "DefaultCooldown": g.default_cooldown_s,
            "AvailabilityZones": g.zones.iter().map(|(z, _)| z).collect::<Vec<_>>(),
            "LoadBalancerNames": [],
            "TargetGroupARNs": [],
            "HealthCheckType": "EC2",
            "HealthCheckGracePeriod": g.health_check_grace_s,
            "Instances": g.instances.iter().map(|i| self.group_instance_json(g, i, false)).collect::<Vec<_>>(),
            "CreatedTime": self.iso(g.created_at),
            "SuspendedProcesses": [],
            "VPCZoneIdentifier": g.zones.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>().join(","),
            "EnabledMetrics": metrics::enabled_json(&g.enabled_metrics),
            "Tags": g.tags.iter().map(|t| {
                let mut t = t.clone();
                t["ResourceId"] = json!(g.name);
                t["ResourceType"] = json!("auto-scaling-group");
                t
            }).collect::<Vec<_>>(),
            "TerminationPolicies": ["Default"],
            "NewInstancesProtectedFromScaleIn": g.new_instances_protected,
            "ServiceLinkedRoleARN": format!("arn:aws:iam::{}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", self.config.account),
            "CapacityRebalance": false,
        });
        if let Some(m) = &g.mixed {
            // A mixed group names its template in its policy, not beside it.
            let map = out.as_object_mut().expect("an object");
            map.remove("LaunchTemplate");
            map.insert("MixedInstancesPolicy".into(), m.described.clone());
        }
        out
    }

    /// An instance as DescribeAutoScalingGroups (`with_group` false) or
    /// DescribeAutoScalingInstances lists it; the latter spells its health in capitals.
    fn group_instance_json(&self, g: &Group, i: &GroupInstance, with_group: bool) -> Value {
        let mut out = json!({
            "InstanceId": i.id,
            "InstanceType": i.instance_type,
            "AvailabilityZone": i.zone,
            "LifecycleState": i.lifecycle.as_str(),
            "HealthStatus": if with_group { "HEALTHY" } else { "Healthy" },
            "LaunchTemplate": { "LaunchTemplateId": g.template_id, "LaunchTemplateName": g.template_name, "Version": i.template_version.to_string() },
            "ProtectedFromScaleIn": i.protected,
        });
        if with_group {
            out["AutoScalingGroupName"] = json!(g.name);
        }
        out
    }

    fn activity_json(&self, a: &Activity) -> Value {
        let arn = (self.asg.groups.iter())
            .find(|g| g.name == a.group)
            .map(|g| g.arn.clone());
        let mut out = json!({
            "ActivityId": a.id,
            "AutoScalingGroupName": a.group,
            "Description": a.description,
            "Cause": a.cause,
            "StartTime": self.iso(a.start),
            "StatusCode": a.status,
            "Progress": if a.end.is_some() { 100 } else { 50 },
            "Details": a.details.to_string(),
        });
        if let Some(end) = a.end {
            out["EndTime"] = json!(self.iso(end));
        }
        if let Some(arn) = arn {
            out["AutoScalingGroupARN"] = json!(arn);
        }
        out
    }

    fn describe_groups(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeGroupsRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        if request.filters.is_some() || request.next_token.is_some() {
            return Err(ApiError::not_modelled(
                "$.Filters",
                "filters and paging are not simulated: name the groups.",
            ));
        }
        let names = request.auto_scaling_group_names.unwrap_or_default();
        let groups: Vec<Value> = (self.asg.groups.iter())
            .filter(|g| names.is_empty() || names.contains(&g.name))
            .map(|g| self.asg_json(g))
            .collect();
        Ok(json!({ "AutoScalingGroups": groups }))
    }

    fn describe_group_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeInstancesRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        let ids = request.instance_ids.unwrap_or_default();
        let instances: Vec<Value> = (self.asg.groups.iter())
            .flat_map(|g| g.instances.iter().map(move |i| (g, i)))
            .filter(|(_, i)| ids.is_empty() || ids.contains(&i.id))
            .map(|(g, i)| self.group_instance_json(g, i, true))
            .collect();
        Ok(json!({ "AutoScalingInstances": instances }))
    }

    fn describe_group_activities(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeActivitiesRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        if let Some(name) = &request.auto_scaling_group_name {
            if self.group_index(name).is_none() && !request.include_deleted_groups.unwrap_or(false)
            {
                return Err(not_found(name));
            }
        }
        let ids = request.activity_ids.unwrap_or_default();
        let activities: Vec<Value> = (self.asg.activities.iter().rev())
            .filter(|a| {
                request
                    .auto_scaling_group_name
                    .as_ref()
                    .is_none_or(|n| *n == a.group)
            })
            .filter(|a| ids.is_empty() || ids.contains(&a.id))
            .map(|a| self.activity_json(a))
            .collect();
        Ok(json!({ "Activities": activities }))
    }
}

/// ECS's managed scaling puts its policy on a group (or replaces it, same ARN).
pub fn put_managed_policy(world: &mut World, policy: GroupPolicy) {
    let policies = &mut world.asg.policies;
    match policies.iter().position(|p| p.arn == policy.arn) {
        Some(i) => policies[i] = policy,
        None => policies.push(policy),
    }
}

/// ECS's managed scaling is off: its policy goes.
pub fn delete_managed_policy(world: &mut World, arn: &str) {
    world.asg.policies.retain(|p| p.arn != arn);
}

/// One of the policy's alarms is in ALARM (CloudWatch invokes it on entering the state and
/// each minute it stays): the group's desired capacity follows CapacityProviderReservation to
/// its target (aws-facts 7.3). Out: `ceil(N x metric / target)` instances, the step between
/// the minimum and maximum step sizes, two instances when the group has none, nothing while the
/// last scale-out's instances warm up; in: `floor(N x metric / target)`.
pub fn alarm_invokes(world: &mut World, policy: &str, alarm: &str, state: &str) {
    if state != "ALARM" {
        return;
    }
    let Some(p) = world.asg.policies.iter().position(|p| p.arn == policy) else {
        return;
    };
    let policy = world.asg.policies[p].clone();
    let Some(g) = world.group_index(&policy.group) else {
        return;
    };
    let Some(value) = crate::cloudwatch::read::alarm(world, alarm).and_then(|a| a.last_value)
    else {
        return;
    };
    let group = &world.asg.groups[g];
    let in_service = group
        .instances
        .iter()
        .filter(|i| i.lifecycle == Lifecycle::InService)
        .count() as u32;
    let current = group.desired;
    if value < policy.target && policy.disable_scale_in {
        return;
    }
    let wanted = if value > policy.target {
        let warming = policy.last_scale_out.is_some_and(|t| {
            world.now < t + SimTime::from(policy.warmup_s) * crate::engine::time::MS_PER_SECOND
        });
        if warming {
            return;
        }
        if in_service == 0 && policy.predefined_metric.is_none() {
            current.max(2)
        } else {
            let computed = (f64::from(in_service) * value / policy.target).ceil() as u32;
            let step = computed
                .saturating_sub(in_service)
                .clamp(policy.minimum_step, policy.maximum_step);
            current.max(in_service + step)
        }
    } else if value < policy.target {
        (f64::from(in_service) * value / policy.target).floor() as u32
    } else {
        return;
    };
    let wanted = wanted.clamp(group.min, group.max);
    if wanted == current {
        return;
    }
    if wanted > current {
        world.asg.policies[p].last_scale_out = Some(world.now);
    }
    world.asg.groups[g].desired = wanted;
    world.asg.groups[g].pending_cause = Some(format!(
        "a monitor alarm {alarm} in state ALARM triggered policy {} changing the desired capacity from {current} to {wanted}.",
        policy.name
    ));
    world.group_reconcile(g);
}
