//! Auto Scaling group capacity providers (aws-facts 7.2): CreateCapacityProvider,
//! UpdateCapacityProvider, DeleteCapacityProvider, DescribeCapacityProviders (with Fargate's
//! two). A strategy naming one runs its tasks on the group's instances in the cluster.
//! Managed scaling (the CapacityProviderReservation metric and the group's target tracking)
//! and managed termination protection are refused until the model has them; managed draining,
//! on by default, drains an instance in ECS before its group terminates it.

use serde::Deserialize;
use serde_json::{json, Value};

use super::capacity_providers::{FARGATE, FARGATE_SPOT};
use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::World;

/// CapacityProviderReservation's namespace.
pub const RESERVATION_NAMESPACE: &str = "AWS/ECS/ManagedScaling";

/// Auto Scaling group providers the model holds in all.
pub const PROVIDERS_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct ManagedScaling {
    pub enabled: bool,
    pub target_capacity: u32,
    pub minimum_step: u32,
    pub maximum_step: u32,
    pub warmup_s: u32,
}

impl Default for ManagedScaling {
    /// aws-facts 7.2's defaults; without a `managedScaling` the model takes it as DISABLED
    /// (the API names no default status; the console turns it on).
    fn default() -> Self {
        ManagedScaling {
            enabled: false,
            target_capacity: 100,
            minimum_step: 1,
            maximum_step: 10_000,
            warmup_s: 300,
        }
    }
}

/// Managed termination protection without managed scaling (aws-facts 7.2: "requires managed
/// scaling"); the wording follows ECS's message for the group's own protection, as none for
/// this case is at hand.
const MANAGED_TERMINATION_NEEDS_SCALING: &str = "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, managed scaling must also be enabled.";

#[derive(Debug, Clone, PartialEq)]
pub struct AsgProvider {
    pub name: String,
    pub arn: String,
    pub group_arn: String,
    pub group_name: String,
    pub managed_scaling: ManagedScaling,
    pub termination_protection: bool,
    /// On by default (aws-facts 17.4.6): ECS drains an instance before its group terminates it.
    pub managed_draining: bool,
    pub created_at: SimTime,
    /// Managed scaling at work: the cluster it serves, the group's policy and its two alarms.
    pub managed: Option<Managed>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Managed {
    pub cluster: String,
    pub policy_arn: String,
    pub high: String,
    pub low: String,
}

/// The reservation's scale-in alarm: 15 datapoints of a minute below the target (aws-facts
/// 7.3, 17.4.5); the scale-out one: 1.
pub const LOW_ALARM_DATAPOINTS: u32 = 15;
pub const HIGH_ALARM_DATAPOINTS: u32 = 1;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ManagedScalingRequest {
    status: Option<String>,
    target_capacity: Option<i64>,
    minimum_scaling_step_size: Option<i64>,
    maximum_scaling_step_size: Option<i64>,
    instance_warmup_period: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupProviderRequest {
    auto_scaling_group_arn: Option<String>,
    managed_scaling: Option<ManagedScalingRequest>,
    managed_termination_protection: Option<String>,
    managed_draining: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateRequest {
    name: String,
    auto_scaling_group_provider: Option<GroupProviderRequest>,
    managed_instances_provider: Option<Value>,
    cluster: Option<String>,
    tags: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateRequest {
    name: String,
    auto_scaling_group_provider: Option<GroupProviderRequest>,
    managed_instances_provider: Option<Value>,
    cluster: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeleteRequest {
    capacity_provider: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeRequest {
    capacity_providers: Option<Vec<String>>,
    include: Option<Value>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

/// `cluster` names the cluster of an ECS Managed Instances provider, not simulated.
fn refuse_cluster(cluster: Option<&str>) -> Result<(), ApiError> {
    match cluster {
        Some(_) => Err(ApiError::not_modelled(
            "$.cluster",
            "a cluster is named for ECS Managed Instances providers, not simulated: an Auto Scaling group provider serves the clusters it is associated with.",
        )),
        None => Ok(()),
    }
}

fn invalid(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::invalid_parameter(message, path)
}

/// ENABLED or DISABLED.
fn switch(value: Option<&str>, default: bool, path: &str) -> Result<bool, ApiError> {
    match value {
        None => Ok(default),
        Some("ENABLED") => Ok(true),
        Some("DISABLED") => Ok(false),
        Some(other) => Err(invalid(
            format!("Invalid value '{other}': ENABLED or DISABLED."),
            path,
        )),
    }
}

/// A number in a range, or the default.
fn ranged(
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
    default: u32,
    path: &str,
) -> Result<u32, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if range.contains(&v) => Ok(v as u32),
        Some(v) => Err(invalid(
            format!(
                "{} {v} is out of range: {} to {}.",
                &path[path.rfind('.').map_or(0, |i| i + 1)..],
                range.start(),
                range.end()
            ),
            path,
        )),
    }
}

fn managed_scaling(
    request: Option<&ManagedScalingRequest>,
    current: &ManagedScaling,
    at: &str,
) -> Result<ManagedScaling, ApiError> {
    let Some(r) = request else {
        return Ok(current.clone());
    };
    let scaling = ManagedScaling {
        // Given without a status, managed scaling is on (the console's and CloudFormation's
        // reading of a managedScaling block).
        enabled: switch(r.status.as_deref(), true, &format!("{at}.status"))?,
        target_capacity: ranged(
            r.target_capacity,
            1..=100,
            current.target_capacity,
            &format!("{at}.targetCapacity"),
        )?,
        minimum_step: ranged(
            r.minimum_scaling_step_size,
            1..=10_000,
            current.minimum_step,
            &format!("{at}.minimumScalingStepSize"),
        )?,
        maximum_step: ranged(
            r.maximum_scaling_step_size,
            1..=10_000,
            current.maximum_step,
            &format!("{at}.maximumScalingStepSize"),
        )?,
        warmup_s: ranged(
            r.instance_warmup_period,
            0..=10_000,
            current.warmup_s,
            &format!("{at}.instanceWarmupPeriod"),
        )?,
    };
    if scaling.minimum_step > scaling.maximum_step {
        return Err(invalid(
            "The minimumScalingStepSize must be less than or equal to the maximumScalingStepSize.",
            &format!("{at}.minimumScalingStepSize"),
        ));
    }
    Ok(scaling)
}

impl World {
    pub(crate) fn create_capacity_provider(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateRequest = parse_request(input)?;
        refuse_cluster(request.cluster.as_deref())?;
        let name = request.name.clone();
        let lower = name.to_ascii_lowercase();
        if ["aws", "ecs", "fargate"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return Err(invalid(
                "The specified capacity provider name is invalid. Capacity provider names cannot be prefixed with 'aws', 'ecs', or 'fargate'.",
                "$.name",
            ));
        }
        if !super::is_valid_name(&name) {
            return Err(invalid(
                "Capacity provider name must be 1-255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.",
                "$.name",
            ));
        }
        if request.managed_instances_provider.is_some() {
            return Err(ApiError::not_modelled(
                "$.managedInstancesProvider",
                "ECS Managed Instances are not simulated: name an autoScalingGroupProvider.",
            ));
        }
        if (self.ecs.providers.iter()).any(|p| p.name == name) {
            return Err(invalid(
                "The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.",
                "$.name",
            ));
        }
        let Some(provider) = &request.auto_scaling_group_provider else {
            return Err(invalid(
                "autoScalingGroupProvider is required.",
                "$.autoScalingGroupProvider",
            ));
        };
        let at = "$.autoScalingGroupProvider";
        let Some(group_arn) = provider.auto_scaling_group_arn.as_deref() else {
            return Err(invalid(
                "autoScalingGroupArn is required.",
                &format!("{at}.autoScalingGroupArn"),
            ));
        };
        let Some(group) = crate::asg::read::group(self, group_arn) else {
            return Err(invalid(
                format!("The specified Auto Scaling group does not exist: {group_arn}."),
                &format!("{at}.autoScalingGroupArn"),
            ));
        };
        let scaling = managed_scaling(
            provider.managed_scaling.as_ref(),
            &ManagedScaling::default(),
            &format!("{at}.managedScaling"),
        )?;
        let protection = switch(
            provider.managed_termination_protection.as_deref(),
            false,
            &format!("{at}.managedTerminationProtection"),
        )?;
        if protection {
            // AWS's checks first (aws-facts 7.2), then the model's refusal.
            let path = format!("{at}.managedTerminationProtection");
            if !group.new_instances_protected {
                return Err(invalid(
                    "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, the Auto Scaling group must have instance protection from scale in enabled.",
                    &path,
                ));
            }
            if !scaling.enabled {
                return Err(invalid(MANAGED_TERMINATION_NEEDS_SCALING, &path));
            }
        }
        let draining = switch(
            provider.managed_draining.as_deref(),
            true,
            &format!("{at}.managedDraining"),
        )?;
        if (self.ecs.providers.iter()).any(|p| p.group_arn == group.arn) {
            return Err(invalid(
                "The specified Auto Scaling group is already in use by another capacity provider.",
                &format!("{at}.autoScalingGroupArn"),
            ));
        }
        if self.ecs.providers.len() >= PROVIDERS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("The model holds {PROVIDERS_MAX} capacity providers at the most."),
                None,
            ));
        }
        let arn = self.arn("ecs", &format!("capacity-provider/{name}"));
        self.ecs.providers.push(AsgProvider {
            name: name.clone(),
            arn,
            group_arn: group.arn,
            group_name: group.name.clone(),
            managed_scaling: scaling,
            termination_protection: protection,
            managed_draining: draining,
            created_at: self.now,
            managed: None,
        });
        if draining {
            self.command(crate::world::Command::DrainBeforeTerminating(
                group.name, true,
            ));
        }
        self.sync_managed_scaling();
        let provider = self.ecs.providers.last().expect("just pushed").clone();
        Ok(json!({ "capacityProvider": self.provider_json(&provider) }))
    }

    pub(crate) fn update_capacity_provider(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: UpdateRequest = parse_request(input)?;
        refuse_cluster(request.cluster.as_deref())?;
        let Some(p) = self
            .ecs
            .providers
            .iter()
            .position(|p| p.name == request.name)
        else {
            return Err(invalid(
                "The specified capacity provider does not exist. Specify a valid capacity provider and try again.",
                "$.name",
            ));
        };
        let Some(update) = &request.auto_scaling_group_provider else {
            return Err(invalid(
                "autoScalingGroupProvider is required.",
                "$.autoScalingGroupProvider",
            ));
        };
        let at = "$.autoScalingGroupProvider";
        if update.auto_scaling_group_arn.is_some() {
            return Err(invalid(
                "The Auto Scaling group of a capacity provider cannot be changed.",
                &format!("{at}.autoScalingGroupArn"),
            ));
        }
        let current = self.ecs.providers[p].clone();
        let scaling = managed_scaling(
            update.managed_scaling.as_ref(),
            &current.managed_scaling,
            &format!("{at}.managedScaling"),
        )?;
        let protection = switch(
            update.managed_termination_protection.as_deref(),
            current.termination_protection,
            &format!("{at}.managedTerminationProtection"),
        )?;
        if protection && !scaling.enabled {
            return Err(invalid(
                MANAGED_TERMINATION_NEEDS_SCALING,
                &format!("{at}.managedTerminationProtection"),
            ));
        }
        let draining = switch(
            update.managed_draining.as_deref(),
            current.managed_draining,
            &format!("{at}.managedDraining"),
        )?;
        let provider = &mut self.ecs.providers[p];
        provider.managed_scaling = scaling;
        provider.managed_draining = draining;
        provider.termination_protection = protection;
        self.sync_managed_scaling();
        let provider = self.ecs.providers[p].clone();
        if draining != current.managed_draining {
            self.command(crate::world::Command::DrainBeforeTerminating(
                provider.group_name.clone(),
                draining,
            ));
        }
        let mut out = self.provider_json(&provider);
        out["updateStatus"] = json!("UPDATE_COMPLETE");
        Ok(json!({ "capacityProvider": out }))
    }

    pub(crate) fn delete_capacity_provider(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteRequest = parse_request(input)?;
        let name = request
            .capacity_provider
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        if name == FARGATE || name == FARGATE_SPOT {
            return Err(invalid(
                "The specified capacity provider is reserved and cannot be deleted.",
                "$.capacityProvider",
            ));
        }
        let Some(p) = self.ecs.providers.iter().position(|p| p.name == name) else {
            return Err(invalid(
                "The specified capacity provider does not exist. Specify a valid capacity provider and try again.",
                "$.capacityProvider",
            ));
        };
        if let Some(cluster) =
            (self.ecs.clusters.values()).find(|c| c.active && c.capacity_providers.contains(&name))
        {
            return Err(ApiError::new(
                "ResourceInUseException",
                format!("The specified capacity provider is in use and cannot be removed. Remove it from cluster {} first.", cluster.name),
                Some("$.capacityProvider"),
            ));
        }
        let provider = self.ecs.providers.remove(p);
        if provider.managed_draining {
            self.command(crate::world::Command::DrainBeforeTerminating(
                provider.group_name.clone(),
                false,
            ));
        }
        let mut out = self.provider_json(&provider);
        out["status"] = json!("INACTIVE");
        out["updateStatus"] = json!("DELETE_IN_PROGRESS");
        Ok(json!({ "capacityProvider": out }))
    }

    pub(crate) fn describe_capacity_providers(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        if request.next_token.is_some() || request.include.is_some() {
            return Err(ApiError::not_modelled(
                if request.next_token.is_some() {
                    "$.nextToken"
                } else {
                    "$.include"
                },
                "every answer here is one page, without tags.",
            ));
        }
        let wanted: Vec<String> = (request.capacity_providers.unwrap_or_default().iter())
            .map(|p| p.rsplit('/').next().unwrap_or_default().to_string())
            .collect();
        let mut providers: Vec<Value> = [FARGATE, FARGATE_SPOT]
            .iter()
            .filter(|n| wanted.is_empty() || wanted.iter().any(|w| w == *n))
            .map(|n| json!({ "capacityProviderArn": self.arn("ecs", &format!("capacity-provider/{n}")), "name": n, "status": "ACTIVE", "tags": [] }))
            .collect();
        providers.extend(
            (self.ecs.providers.iter())
                .filter(|p| wanted.is_empty() || wanted.contains(&p.name))
                .map(|p| self.provider_json(p)),
        );
        let failures: Vec<Value> = (wanted.iter())
            .filter(|w| self.provider_is_fargate(w).is_none())
            .map(|w| json!({ "arn": self.arn("ecs", &format!("capacity-provider/{w}")), "reason": "MISSING" }))
            .collect();
        Ok(json!({ "capacityProviders": providers, "failures": failures }))
    }

    fn provider_json(&self, p: &AsgProvider) -> Value {
        let s = &p.managed_scaling;
        json!({
            "capacityProviderArn": p.arn,
            "name": p.name,
            "status": "ACTIVE",
            "autoScalingGroupProvider": {
                "autoScalingGroupArn": p.group_arn,
                "managedScaling": {
                    "status": if s.enabled { "ENABLED" } else { "DISABLED" },
                    "targetCapacity": s.target_capacity,
                    "minimumScalingStepSize": s.minimum_step,
                    "maximumScalingStepSize": s.maximum_step,
                    "instanceWarmupPeriod": s.warmup_s,
                },
                "managedTerminationProtection": if p.termination_protection { "ENABLED" } else { "DISABLED" },
                "managedDraining": if p.managed_draining { "ENABLED" } else { "DISABLED" },
            },
            "tags": [],
        })
    }

    /// Managed scaling where it should be: a provider with managed scaling on and a cluster has
    /// the group's target-tracking policy and its two alarms on CapacityProviderReservation
    /// (aws-facts 17.4.5: `TargetTracking-<group>-AlarmHigh-<uuid>` above the target for 1
    /// minute, `-AlarmLow-` below it for 15; the policy `ECSManagedAutoScalingPolicy-<uuid>`);
    /// others have none. Called after anything that changes a provider or a cluster's
    /// providers.
    pub(crate) fn sync_managed_scaling(&mut self) {
        for p in 0..self.ecs.providers.len() {
            let provider = &self.ecs.providers[p];
            let cluster = (self.ecs.clusters.values())
                .find(|c| c.active && c.capacity_providers.contains(&provider.name))
                .map(|c| c.name.clone());
            let wanted = cluster.filter(|_| provider.managed_scaling.enabled);
            let current = provider.managed.as_ref().map(|m| m.cluster.clone());
            if wanted == current {
                if let Some(m) = &provider.managed {
                    // The target or steps may have changed: the policy and alarms follow.
                    let m = m.clone();
                    self.put_managed(p, &m);
                }
                continue;
            }
            if let Some(old) = self.ecs.providers[p].managed.take() {
                self.command(crate::world::Command::DeleteAlarms(vec![old.high, old.low]));
                self.command(crate::world::Command::DeleteGroupPolicy(old.policy_arn));
            }
            if let Some(cluster) = wanted {
                let group = self.ecs.providers[p].group_name.clone();
                let policy = format!("ECSManagedAutoScalingPolicy-{}", self.ids.uuid());
                let managed = Managed {
                    cluster,
                    policy_arn: format!(
                        "arn:aws:autoscaling:{}:{}:scalingPolicy:{}:autoScalingGroupName/{group}:policyName/{policy}",
                        self.config.region,
                        self.config.account,
                        self.ids.uuid()
                    ),
                    high: format!("TargetTracking-{group}-AlarmHigh-{}", self.ids.uuid()),
                    low: format!("TargetTracking-{group}-AlarmLow-{}", self.ids.uuid()),
                };
                self.put_managed(p, &managed);
                self.ecs.providers[p].managed = Some(managed);
            }
        }
    }

    /// The group's policy and the two alarms of provider `p`'s managed scaling.
    fn put_managed(&mut self, p: usize, m: &Managed) {
        let provider = self.ecs.providers[p].clone();
        let s = &provider.managed_scaling;
        let target = f64::from(s.target_capacity);
        let name = m
            .policy_arn
            .rsplit("policyName/")
            .next()
            .unwrap_or_default()
            .to_string();
        self.command(crate::world::Command::PutGroupPolicy(
            crate::asg::read::GroupPolicy {
                group: provider.group_name.clone(),
                arn: m.policy_arn.clone(),
                name,
                target,
                minimum_step: s.minimum_step,
                maximum_step: s.maximum_step,
                warmup_s: s.warmup_s,
                last_scale_out: None,
                predefined_metric: None,
                disable_scale_in: false,
                alarms: vec![m.high.clone(), m.low.clone()],
            },
        ));
        let description = format!(
            "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {}.",
            m.policy_arn
        );
        for (alarm, operator, periods) in [
            (&m.high, "GreaterThanThreshold", HIGH_ALARM_DATAPOINTS),
            (&m.low, "LessThanThreshold", LOW_ALARM_DATAPOINTS),
        ] {
            self.command(crate::world::Command::CloudWatch(
                "PutMetricAlarm",
                json!({
                    "AlarmName": alarm,
                    "AlarmDescription": description,
                    "ActionsEnabled": true,
                    "AlarmActions": [m.policy_arn],
                    "MetricName": "CapacityProviderReservation",
                    "Namespace": RESERVATION_NAMESPACE,
                    "Statistic": "Average",
                    "Dimensions": [{ "Name": "CapacityProviderName", "Value": provider.name }, { "Name": "ClusterName", "Value": m.cluster }],
                    "Period": 60,
                    "EvaluationPeriods": periods,
                    "Threshold": target,
                    "ComparisonOperator": operator,
                    "TreatMissingData": "missing",
                }),
            ));
        }
    }

    /// CapacityProviderReservation of provider `p` in its cluster (aws-facts 7.3): with tasks
    /// PROVISIONING for its capacity, the instances needed (those running plus the fresh
    /// instances of the group's type the waiting tasks fill, `instances_needed`) over those
    /// running, x 100 (200 with none running); else 100 less the instances without a
    /// non-daemon task. A task larger than the group's instance type is left out: it waits,
    /// and the metric does not count it.
    pub(crate) fn reservation(&self, p: usize) -> Option<f64> {
        let provider = &self.ecs.providers[p];
        let cluster = &provider.managed.as_ref()?.cluster;
        let group = crate::asg::read::group(self, &provider.group_arn)?;
        let kind = crate::ec2::catalogue::instance_type(&group.instance_type)?;
        let capacity = Fresh {
            cpu: kind.vcpus * 1024,
            memory: crate::ec2::catalogue::registered_memory_mib(kind.memory_mib),
            enis: kind.max_enis.saturating_sub(1),
        };
        let instances: Vec<super::InstanceIdx> = self
            .provider_candidates(cluster, &provider.name)
            .into_iter()
            .filter(|&i| self.ecs.container_instances[i].status == super::InstanceStatus::Active)
            .collect();
        let running = instances.len() as f64;
        let waiting: Vec<Fresh> = (self.ecs.clusters.get(cluster).into_iter())
            .flat_map(|c| c.waiting.iter())
            .filter(|w| self.is_waiting(w.task))
            .map(|w| &self.ecs.tasks[w.task])
            .filter(|t| t.capacity_provider.as_deref() == Some(provider.name.as_str()))
            .map(|t| Fresh {
                cpu: t.cpu_units,
                memory: t.memory_mib,
                enis: u32::from(t.uses_eni),
            })
            .collect();
        let extra = instances_needed(&waiting, capacity) as f64;
        if extra > 0.0 {
            return Some(if running == 0.0 {
                200.0
            } else {
                100.0 * (running + extra) / running
            });
        }
        let empty = (instances.iter())
            .filter(|&&i| {
                // Empty: no live task but daemon tasks (aws-facts 7.3).
                !(self.ecs.container_instances[i].tasks.iter()).any(|&t| {
                    let task = &self.ecs.tasks[t];
                    !task.is_stopped()
                        && task.service.is_none_or(|s| {
                            self.ecs.services[s].scheduling_strategy
                                != super::SchedulingStrategy::Daemon
                        })
                })
            })
            .count();
        Some(if running == 0.0 {
            100.0
        } else {
            100.0 - empty as f64
        })
    }

    /// The cluster's instances in a provider's group: where its tasks go.
    pub(crate) fn provider_candidates(
        &self,
        cluster: &str,
        provider: &str,
    ) -> Vec<super::InstanceIdx> {
        let Some(group) = (self.ecs.providers.iter())
            .find(|p| p.name == provider)
            .and_then(|p| crate::asg::read::group(self, &p.group_arn))
        else {
            return Vec::new();
        };
        // A set: a cluster and a group of thousands of instances each match in n log n.
        let members: std::collections::BTreeSet<&str> =
            group.instances.iter().map(String::as_str).collect();
        (self.ecs.clusters[cluster].instances.iter())
            .copied()
            .filter(|&i| members.contains(self.ecs.container_instances[i].ec2_instance_id.as_str()))
            .collect()
    }
}

impl World {
    /// Managed termination protection (aws-facts 7.3), each minute: of the instances of a
    /// provider with it on, ECS keeps scale-in protection on those running a task other than a
    /// daemon's and takes it off the others, so the group's scale-in takes only empty ones.
    /// Instances launch protected (the group must protect new instances).
    pub(crate) fn managed_termination_protection(&mut self) {
        let mut changes = Vec::new();
        for p in &self.ecs.providers {
            let Some(managed) = p.managed.as_ref().filter(|_| p.termination_protection) else {
                continue;
            };
            let (mut busy, mut empty) = (Vec::new(), Vec::new());
            for i in self.provider_candidates(&managed.cluster, &p.name) {
                let instance = &self.ecs.container_instances[i];
                if instance.status == super::InstanceStatus::Inactive {
                    continue;
                }
                let runs_work = instance.tasks.iter().any(|&t| {
                    let task = &self.ecs.tasks[t];
                    !task.is_stopped()
                        && task.service.is_none_or(|s| {
                            self.ecs.services[s].scheduling_strategy
                                != super::SchedulingStrategy::Daemon
                        })
                });
                let id = instance.ec2_instance_id.clone();
                if runs_work {
                    busy.push(id);
                } else {
                    empty.push(id);
                }
            }
            changes.push((p.group_name.clone(), busy, true));
            changes.push((p.group_name.clone(), empty, false));
        }
        for (group, ids, on) in changes {
            if !ids.is_empty() {
                self.command(crate::world::Command::ProtectInstances(group, ids, on));
            }
        }
    }

    /// Managed draining (aws-facts 17.4.6): the group is about to terminate instance `ec2_id`;
    /// its container instance goes DRAINING, the services move their tasks, and the group is
    /// told once no task runs there (at once if the instance never registered).
    pub(crate) fn drain_for_termination(&mut self, ec2_id: &str) {
        let Some(i) = self
            .ecs
            .agents
            .get(ec2_id)
            .and_then(|a| a.container_instance)
        else {
            self.command(crate::world::Command::InstanceDrained(ec2_id.to_string()));
            return;
        };
        self.ecs.drain_requests.insert(ec2_id.to_string());
        let instance = &mut self.ecs.container_instances[i];
        if instance.status == super::InstanceStatus::Active {
            instance.status = super::InstanceStatus::Draining;
            instance.version += 1;
            let cluster = instance.cluster.clone();
            self.emit_instance_event(i);
            self.reconcile_cluster(&cluster);
        }
        self.check_drained(i);
    }

    /// A container instance being drained for its group has no task left: the group may
    /// terminate it.
    pub(crate) fn check_drained(&mut self, i: super::InstanceIdx) {
        let instance = &self.ecs.container_instances[i];
        if !self.ecs.drain_requests.contains(&instance.ec2_instance_id) {
            return;
        }
        if instance
            .tasks
            .iter()
            .any(|&t| !self.ecs.tasks[t].is_stopped())
        {
            return;
        }
        let id = instance.ec2_instance_id.clone();
        self.ecs.drain_requests.remove(&id);
        self.command(crate::world::Command::InstanceDrained(id));
    }
}

/// What a task asks of a fresh instance, or what a fresh instance of a group's type offers:
/// CPU units, MiB and awsvpc task ENIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fresh {
    pub cpu: u32,
    pub memory: u32,
    pub enis: u32,
}

/// ECS's "instances needed" estimate for tasks waiting for capacity (aws-facts 7.3): the
/// fresh instances of `capacity` they fill when binpacked, largest first, each into the first
/// instance with room (first-fit decreasing). A task larger than an instance is left out.
pub(crate) fn instances_needed(tasks: &[Fresh], capacity: Fresh) -> usize {
    let fits =
        |t: &Fresh| t.cpu <= capacity.cpu && t.memory <= capacity.memory && t.enis <= capacity.enis;
    let mut tasks: Vec<Fresh> = tasks.iter().copied().filter(fits).collect();
    tasks.sort_by_key(|t| std::cmp::Reverse((t.memory, t.cpu, t.enis)));
    let mut free: Vec<Fresh> = Vec::new();
    for t in tasks {
        let room = free
            .iter_mut()
            .find(|f| t.cpu <= f.cpu && t.memory <= f.memory && t.enis <= f.enis);
        let f = match room {
            Some(f) => f,
            None => {
                free.push(capacity);
                free.last_mut().expect("pushed")
            }
        };
        f.cpu -= t.cpu;
        f.memory -= t.memory;
        f.enis -= t.enis;
    }
    free.len()
}
