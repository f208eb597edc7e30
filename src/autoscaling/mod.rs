//! Application Auto Scaling for ECS services, prefix `application-autoscaling:` (aws-facts 6,
//! 17.3): scalable targets (`service/<cluster>/<service>`, `ecs:service:DesiredCount`),
//! target-tracking and step scaling policies, and their scaling activities. Requests take the
//! JSON `aws application-autoscaling ... --cli-input-json` takes, in PascalCase.
//!
//! A target-tracking policy makes its two alarms in CloudWatch (by a `world::Command`), as AWS
//! does: `AlarmHigh` (the metric above the target for 3 datapoints of a minute) and, unless
//! `DisableScaleIn`, `AlarmLow` (below 0.9 x target for 15). A step policy acts on the alarm
//! you make. CloudWatch invokes a policy when its alarm enters ALARM and at each evaluation
//! while it stays there; the policy works out a new desired count and, when it differs, asks
//! ECS to set it as the service-linked role would (`Command::SetDesiredCount`).
//!
//! AWS publishes no capacity formula for target tracking (aws-facts 16.1); the model's:
//! out to `ceil(current x metric / target)` ([`scale_out_capacity`]), in to the same when it is
//! fewer ([`scale_in_capacity`]: fewer still would flap back out), within the target's bounds.
//! Scheduled actions (`schedule`) set the target's min and max at their times, ignoring
//! cooldowns, and push the desired count inside them.

pub mod schedule;

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::cloudwatch::read::State as AlarmState;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::world::{Command, World};

/// The only scalable dimension of an ECS service.
pub const DIMENSION: &str = "ecs:service:DesiredCount";
/// Cooldowns when a policy gives none: 300 s for ECS services (aws-facts 6.2, 6.3).
pub const COOLDOWN_S_DEFAULT: u32 = 300;
/// A target-tracking policy's alarms (aws-facts 17.3.1): above the target for 3 one-minute
/// datapoints; below `LOW_ALARM_SHARE` of it for 15.
pub const HIGH_ALARM_DATAPOINTS: u32 = 3;
pub const LOW_ALARM_DATAPOINTS: u32 = 15;
pub const LOW_ALARM_SHARE: f64 = 0.9;
/// Scalable targets, policies, and activities kept (the newest; AWS keeps six weeks).
pub const TARGETS_MAX: usize = 500;
pub const POLICIES_PER_TARGET_MAX: usize = 50;
pub const ACTIVITIES_MAX: usize = 1_000;

/// Scheduled actions per scalable target at the most (Application Auto Scaling's quota).
pub const SCHEDULED_ACTIONS_PER_TARGET_MAX: usize = 200;

/// What Application Auto Scaling schedules: a scheduled action's next time (by its number: a
/// replaced or deleted action's timer finds nothing).
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    Scheduled(u64),
}

impl From<Timer> for crate::world::Timer {
    fn from(timer: Timer) -> Self {
        crate::world::Timer::AutoScaling(timer)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledAction {
    pub number: u64,
    pub name: String,
    pub arn: String,
    pub resource_id: String,
    pub schedule_text: String,
    pub schedule: schedule::Schedule,
    pub timezone: Option<String>,
    /// Epoch ms, UTC.
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub created_at: SimTime,
}

#[derive(Debug, Default)]
pub struct AutoScalingState {
    pub targets: Vec<ScalableTarget>,
    pub policies: Vec<Policy>,
    pub scheduled: Vec<ScheduledAction>,
    /// Scheduled actions made so far: the next one's number.
    pub scheduled_made: u64,
    /// Scaling activities, oldest first.
    pub activities: VecDeque<Activity>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScalableTarget {
    pub resource_id: String,
    pub cluster: String,
    pub service: String,
    pub arn: String,
    pub min: u32,
    pub max: u32,
    /// DynamicScalingInSuspended, DynamicScalingOutSuspended, ScheduledScalingSuspended.
    pub suspended: [bool; 3],
    pub created_at: SimTime,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyKind {
    TargetTracking(TargetTracking),
    Step(Step),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetTracking {
    pub target: f64,
    /// The configuration as given, for DescribeScalingPolicies.
    pub configuration: Value,
    pub scale_out_cooldown_s: u32,
    pub scale_in_cooldown_s: u32,
    pub disable_scale_in: bool,
    /// Its alarms' names: high, then low (none with DisableScaleIn).
    pub high: String,
    pub low: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub adjustment: Adjustment,
    /// (lower bound, upper bound, adjustment), relative to the alarm's threshold.
    pub steps: Vec<(Option<f64>, Option<f64>, i64)>,
    pub min_adjustment_magnitude: Option<i64>,
    pub cooldown_s: u32,
    /// Average, Minimum or Maximum.
    pub aggregation: String,
    pub configuration: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adjustment {
    Change,
    Percent,
    Exact,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub arn: String,
    pub resource_id: String,
    pub kind: PolicyKind,
    pub created_at: SimTime,
    /// Its last scale-out: when, and the capacity before and after.
    pub last_out: Option<(SimTime, u32, u32)>,
    pub last_in: Option<SimTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: String,
    pub resource_id: String,
    pub description: String,
    pub cause: String,
    pub at: SimTime,
    /// `Successful` or `Failed` (with a not-scaled reason).
    pub status: &'static str,
    pub message: String,
    pub not_scaled: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RegisterRequest {
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    min_capacity: Option<i64>,
    max_capacity: Option<i64>,
    #[serde(rename = "RoleARN")]
    role_arn: Option<String>,
    suspended_state: Option<Suspended>,
    tags: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Suspended {
    dynamic_scaling_in_suspended: Option<bool>,
    dynamic_scaling_out_suspended: Option<bool>,
    scheduled_scaling_suspended: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetRequest {
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeRequest {
    service_namespace: String,
    resource_ids: Option<Vec<String>>,
    resource_id: Option<String>,
    scalable_dimension: Option<String>,
    policy_names: Option<Vec<String>>,
    max_results: Option<i64>,
    next_token: Option<String>,
    include_not_scaled_activities: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutPolicyRequest {
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
    policy_type: Option<String>,
    step_scaling_policy_configuration: Option<StepConfiguration>,
    target_tracking_scaling_policy_configuration: Option<TargetTrackingConfiguration>,
    predictive_scaling_policy_configuration: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetTrackingConfiguration {
    target_value: f64,
    predefined_metric_specification: Option<PredefinedMetric>,
    customized_metric_specification: Option<CustomizedMetric>,
    scale_out_cooldown: Option<i64>,
    scale_in_cooldown: Option<i64>,
    disable_scale_in: Option<bool>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PredefinedMetric {
    predefined_metric_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_label: Option<String>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CustomizedMetric {
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dimensions: Option<Vec<MetricDimension>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statistic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics: Option<Value>,
}

#[derive(Deserialize, serde::Serialize, Clone)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct MetricDimension {
    name: String,
    value: String,
}

#[allow(dead_code)]
#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StepConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    adjustment_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step_adjustments: Option<Vec<StepAdjustment>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_adjustment_magnitude: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cooldown: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_aggregation_type: Option<String>,
}

#[derive(Deserialize, serde::Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct StepAdjustment {
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_interval_lower_bound: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metric_interval_upper_bound: Option<f64>,
    scaling_adjustment: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeletePolicyRequest {
    policy_name: String,
    service_namespace: String,
    resource_id: String,
    scalable_dimension: String,
}

/// A checked PutScalingPolicy: the request, its target's index, the policy it replaces, and
/// what a target-tracking policy follows.
type PolicyPlan = (PutPolicyRequest, usize, Option<usize>, Option<Tracked>);

/// A checked RegisterScalableTarget: the request, cluster, service, the target it updates,
/// min and max.
type RegisterPlan = (RegisterRequest, String, String, Option<usize>, u32, u32);

fn validation(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::new("ValidationException", message, Some(path))
}

/// The namespace and dimension of a request: ECS's service desired count only.
fn check_namespace(namespace: &str, dimension: Option<&str>) -> Result<(), ApiError> {
    if namespace != "ecs" {
        return Err(ApiError::not_modelled(
            "$.ServiceNamespace",
            &format!("Application Auto Scaling of '{namespace}' is not simulated: ecs only."),
        ));
    }
    if let Some(d) = dimension.filter(|d| *d != DIMENSION) {
        return Err(validation(
            format!(
                "Unsupported scalable dimension '{d}' for service namespace ecs: {DIMENSION} only."
            ),
            "$.ScalableDimension",
        ));
    }
    Ok(())
}

/// `service/<cluster>/<service>`: its cluster and service.
fn service_of(resource_id: &str) -> Result<(String, String), ApiError> {
    let mut parts = resource_id.split('/');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("service"), Some(cluster), Some(service), None)
            if !cluster.is_empty() && !service.is_empty() =>
        {
            Ok((cluster.to_string(), service.to_string()))
        }
        _ => Err(validation(
            format!("Unsupported resource ID '{resource_id}': an ECS service is service/<cluster-name>/<service-name>."),
            "$.ResourceId",
        )),
    }
}

/// A capacity in a request: 0 to ECS's tasks-per-service quota.
fn capacity(value: Option<i64>, path: &str) -> Result<Option<u32>, ApiError> {
    let most = crate::ecs::read::TASKS_PER_SERVICE_MAX;
    match value {
        None => Ok(None),
        Some(v) if (0..=most).contains(&v) => Ok(Some(v as u32)),
        Some(v) => Err(validation(
            format!("Invalid capacity {v}: between 0 and {most}."),
            path,
        )),
    }
}

/// A policy's or scheduled action's name: 1 to 256 characters, without ':'.
fn check_name(name: &str, what: &str, path: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 256 || name.contains(':') {
        return Err(validation(
            format!("The {what} name must be 1 to 256 characters, without ':'."),
            path,
        ));
    }
    Ok(())
}

fn no_target(resource_id: &str) -> ApiError {
    ApiError::new(
        "ObjectNotFoundException",
        format!("No scalable target registered for service namespace: ecs, resource ID: {resource_id}, scalable dimension: {DIMENSION}"),
        Some("$.ResourceId"),
    )
}

/// Target tracking's scale-out: proportional to the metric (aws-facts 16.1: AWS publishes no
/// formula; the model's), one task at the least.
pub fn scale_out_capacity(current: u32, metric: f64, target: f64) -> u32 {
    let base = f64::from(current.max(1));
    ((base * metric / target).ceil() as u32).max(current + 1)
}

/// Target tracking's scale-in: the fewest tasks that keep the metric at or under the target,
/// `ceil(current x metric / target)` (the model's, aws-facts 16.1). Fewer would push the
/// metric over the target and scale out again at once: AWS's not-scaled reason
/// `AutoScalingAnticipatedFlapping`.
pub fn scale_in_capacity(current: u32, metric: f64, target: f64) -> u32 {
    ((f64::from(current) * metric / target).ceil().max(0.0) as u32).min(current)
}

/// A percent change as Application Auto Scaling rounds it (aws-facts 6.3): above 1 down, 0 to
/// 1 up to 1, -1 to 0 down to -1, below -1 up (toward zero).
pub fn percent_change(current: u32, percent: i64) -> i64 {
    let x = f64::from(current) * percent as f64 / 100.0;
    if x > 1.0 {
        x.floor() as i64
    } else if x > 0.0 {
        1
    } else if x == 0.0 {
        0
    } else if x > -1.0 {
        -1
    } else {
        x.ceil() as i64
    }
}

/// The step for `difference` (metric minus threshold): above the threshold a step's lower
/// bound is inclusive and its upper exclusive; below, the other way round (aws-facts 6.3).
pub fn step_for(steps: &[(Option<f64>, Option<f64>, i64)], difference: f64) -> Option<i64> {
    steps.iter().find_map(|&(lower, upper, adjustment)| {
        let inside = if difference >= 0.0 {
            lower.is_none_or(|l| difference >= l) && upper.is_none_or(|u| difference < u)
        } else {
            lower.is_none_or(|l| difference > l) && upper.is_none_or(|u| difference <= u)
        };
        inside.then_some(adjustment)
    })
}

/// The capacity a step policy asks for from `current` with `adjustment`.
pub fn step_capacity(step: &Step, current: u32, adjustment: i64) -> i64 {
    match step.adjustment {
        Adjustment::Change => i64::from(current) + adjustment,
        Adjustment::Exact => adjustment,
        Adjustment::Percent => {
            let mut change = percent_change(current, adjustment);
            if let Some(magnitude) = step.min_adjustment_magnitude {
                if change != 0 && change.abs() < magnitude {
                    change = magnitude * change.signum();
                }
            }
            i64::from(current) + change
        }
    }
}

/// Performs `application-autoscaling:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "RegisterScalableTarget" => world.register_scalable_target(input),
        "DeregisterScalableTarget" => world.deregister_scalable_target(input),
        "DescribeScalableTargets" => world.describe_scalable_targets(input),
        "PutScalingPolicy" => world.put_scaling_policy(input),
        "DescribeScalingPolicies" => world.describe_scaling_policies(input),
        "DeleteScalingPolicy" => world.delete_scaling_policy(input),
        "DescribeScalingActivities" => world.describe_scaling_activities(input),
        "PutScheduledAction" => world.put_scheduled_action(input),
        "DescribeScheduledActions" => world.describe_scheduled_actions(input),
        "DeleteScheduledAction" => world.delete_scheduled_action(input),
        _ => Err(ApiError::unknown_operation(&format!(
            "application-autoscaling:{operation}"
        ))),
    }
}

/// Checks `application-autoscaling:<operation>` against the world as it is, changing nothing:
/// the refusal it would meet, with AWS's message and the field's path. The panel's forms call
/// it as they are typed. RegisterScalableTarget and PutScalingPolicy only.
pub fn check(world: &World, operation: &str, input: &Value) -> Result<(), ApiError> {
    match operation {
        "RegisterScalableTarget" => world.plan_register(input).map(drop),
        "PutScalingPolicy" => world.plan_policy(input).map(drop),
        _ => Err(ApiError::unknown_operation(&format!(
            "application-autoscaling:{operation} (no check)"
        ))),
    }
}

/// Fires an Application Auto Scaling timer.
pub fn fire(world: &mut World, timer: Timer) {
    match timer {
        Timer::Scheduled(number) => world.run_scheduled_action(number),
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutScheduledRequest {
    service_namespace: String,
    schedule: Option<String>,
    timezone: Option<String>,
    scheduled_action_name: String,
    resource_id: String,
    scalable_dimension: String,
    start_time: Option<Value>,
    end_time: Option<Value>,
    scalable_target_action: Option<TargetAction>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetAction {
    min_capacity: Option<i64>,
    max_capacity: Option<i64>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeScheduledRequest {
    service_namespace: String,
    scheduled_action_names: Option<Vec<String>>,
    resource_id: Option<String>,
    scalable_dimension: Option<String>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteScheduledRequest {
    service_namespace: String,
    scheduled_action_name: String,
    resource_id: String,
    scalable_dimension: String,
}

/// CloudWatch's alarm `alarm` in `state` invokes policy `policy` (its ARN).
pub fn alarm_invokes(world: &mut World, policy: &str, alarm: &str, state: &str) {
    if state == AlarmState::Alarm.as_str() {
        world.invoke_policy(policy, alarm);
    }
}

const PAGING_UNMODELLED: &[Unmodelled] = &[Unmodelled::field(
    "$.NextToken",
    "every answer here is one page.",
)];

impl World {
    fn target_index(&self, resource_id: &str) -> Option<usize> {
        (self.autoscaling.targets.iter()).position(|t| t.resource_id == resource_id)
    }

    /// A RegisterScalableTarget request checked against the world as it is, without a change:
    /// the request, its cluster and service, the target it updates, and its min and max.
    fn plan_register(&self, input: &Value) -> Result<RegisterPlan, ApiError> {
        let request: RegisterRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        let (cluster, service) = service_of(&request.resource_id)?;
        if crate::ecs::read::service_counts(self, &cluster, &service).is_none() {
            return Err(validation(
                format!("ECS service doesn't exist: {}", request.resource_id),
                "$.ResourceId",
            ));
        }
        let existing = self.target_index(&request.resource_id);
        let min = capacity(request.min_capacity, "$.MinCapacity")?;
        let max = capacity(request.max_capacity, "$.MaxCapacity")?;
        let (min, max) = match (existing.map(|i| &self.autoscaling.targets[i]), min, max) {
            (Some(t), min, max) => (min.unwrap_or(t.min), max.unwrap_or(t.max)),
            (None, Some(min), Some(max)) => (min, max),
            (None, _, _) => {
                return Err(validation(
                    "MinCapacity and MaxCapacity are required when a scalable target is registered the first time.",
                    "$.MinCapacity",
                ))
            }
        };
        if min > max {
            return Err(validation(
                format!(
                    "Minimum capacity ({min}) cannot be greater than maximum capacity ({max})."
                ),
                "$.MinCapacity",
            ));
        }
        if existing.is_none() && self.autoscaling.targets.len() >= TARGETS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("The model holds {TARGETS_MAX} scalable targets at the most."),
                None,
            ));
        }
        Ok((request, cluster, service, existing, min, max))
    }

    pub(crate) fn register_scalable_target(&mut self, input: &Value) -> Result<Value, ApiError> {
        let (request, cluster, service, existing, min, max) = self.plan_register(input)?;
        let s = request.suspended_state.as_ref();
        let flag = |f: fn(&Suspended) -> Option<bool>, old: bool| s.and_then(f).unwrap_or(old);
        match existing {
            Some(i) => {
                let t = &mut self.autoscaling.targets[i];
                t.min = min;
                t.max = max;
                t.suspended = [
                    flag(|s| s.dynamic_scaling_in_suspended, t.suspended[0]),
                    flag(|s| s.dynamic_scaling_out_suspended, t.suspended[1]),
                    flag(|s| s.scheduled_scaling_suspended, t.suspended[2]),
                ];
                Ok(json!({ "ScalableTargetARN": t.arn }))
            }
            None => {
                let id = self.ids.hex(32);
                let arn = self.arn(
                    "application-autoscaling",
                    &format!("scalable-target/{}", &id[..28]),
                );
                self.autoscaling.targets.push(ScalableTarget {
                    resource_id: request.resource_id,
                    cluster,
                    service,
                    arn: arn.clone(),
                    min,
                    max,
                    suspended: [
                        flag(|s| s.dynamic_scaling_in_suspended, false),
                        flag(|s| s.dynamic_scaling_out_suspended, false),
                        flag(|s| s.scheduled_scaling_suspended, false),
                    ],
                    created_at: self.now,
                });
                Ok(json!({ "ScalableTargetARN": arn }))
            }
        }
    }

    pub(crate) fn deregister_scalable_target(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TargetRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        let Some(i) = self.target_index(&request.resource_id) else {
            return Err(no_target(&request.resource_id));
        };
        // Its policies go with it, and their alarms.
        let alarms: Vec<String> = (self.autoscaling.policies.iter())
            .filter(|p| p.resource_id == request.resource_id)
            .flat_map(policy_alarms)
            .collect();
        self.autoscaling
            .policies
            .retain(|p| p.resource_id != request.resource_id);
        self.autoscaling.targets.remove(i);
        if !alarms.is_empty() {
            self.command(Command::DeleteAlarms(alarms));
        }
        Ok(json!({}))
    }

    pub(crate) fn describe_scalable_targets(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        check_namespace(
            &request.service_namespace,
            request.scalable_dimension.as_deref(),
        )?;
        let targets: Vec<Value> = (self.autoscaling.targets.iter())
            .filter(|t| (request.resource_ids.as_ref()).is_none_or(|ids| ids.contains(&t.resource_id)))
            .map(|t| {
                json!({
                    "ServiceNamespace": "ecs",
                    "ResourceId": t.resource_id,
                    "ScalableDimension": DIMENSION,
                    "MinCapacity": t.min,
                    "MaxCapacity": t.max,
                    "RoleARN": self.arn("iam", "role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService").replace(&format!(":{}:", self.config.region), "::"),
                    "CreationTime": self.epoch_seconds(t.created_at),
                    "SuspendedState": {
                        "DynamicScalingInSuspended": t.suspended[0],
                        "DynamicScalingOutSuspended": t.suspended[1],
                        "ScheduledScalingSuspended": t.suspended[2],
                    },
                    "ScalableTargetARN": t.arn,
                })
            })
            .collect();
        Ok(json!({ "ScalableTargets": targets }))
    }

    /// A PutScalingPolicy request checked against the world as it is, without a change (the
    /// panel's forms check as they are typed with it): the request, its target, the policy it
    /// replaces, and a target-tracking policy's metric.
    fn plan_policy(&self, input: &Value) -> Result<PolicyPlan, ApiError> {
        let request: PutPolicyRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        let Some(t) = self.target_index(&request.resource_id) else {
            return Err(no_target(&request.resource_id));
        };
        let name = request.policy_name.clone();
        check_name(&name, "policy", "$.PolicyName")?;
        let existing = (self.autoscaling.policies.iter())
            .position(|p| p.resource_id == request.resource_id && p.name == name);
        let count = (self.autoscaling.policies.iter())
            .filter(|p| p.resource_id == request.resource_id)
            .count();
        if existing.is_none() && count >= POLICIES_PER_TARGET_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!(
                    "A scalable target has {POLICIES_PER_TARGET_MAX} scaling policies at the most."
                ),
                None,
            ));
        }
        let target = &self.autoscaling.targets[t];
        let tracked = match request.policy_type.as_deref().unwrap_or("StepScaling") {
            "TargetTrackingScaling" => {
                if request.step_scaling_policy_configuration.is_some() {
                    return Err(validation(
                        "StepScalingPolicyConfiguration is for PolicyType StepScaling.",
                        "$.StepScalingPolicyConfiguration",
                    ));
                }
                let Some(config) = &request.target_tracking_scaling_policy_configuration else {
                    return Err(validation(
                        "TargetTrackingScalingPolicyConfiguration is required for PolicyType TargetTrackingScaling.",
                        "$.TargetTrackingScalingPolicyConfiguration",
                    ));
                };
                Some(tracked_metric(config, target)?)
            }
            "StepScaling" => {
                if request
                    .target_tracking_scaling_policy_configuration
                    .is_some()
                {
                    return Err(validation(
                        "TargetTrackingScalingPolicyConfiguration is for PolicyType TargetTrackingScaling.",
                        "$.TargetTrackingScalingPolicyConfiguration",
                    ));
                }
                let Some(config) = &request.step_scaling_policy_configuration else {
                    return Err(validation(
                        "StepScalingPolicyConfiguration is required for PolicyType StepScaling.",
                        "$.StepScalingPolicyConfiguration",
                    ));
                };
                plan_step(config)?;
                None
            }
            "PredictiveScaling" => {
                return Err(ApiError::not_modelled(
                    "$.PolicyType",
                    "predictive scaling is not simulated.",
                ))
            }
            other => {
                return Err(validation(
                    format!("Invalid PolicyType '{other}': TargetTrackingScaling or StepScaling."),
                    "$.PolicyType",
                ))
            }
        };
        Ok((request, t, existing, tracked))
    }

    pub(crate) fn put_scaling_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let (request, t, existing, tracked) = self.plan_policy(input)?;
        let name = request.policy_name.clone();
        let policy_type = request.policy_type.as_deref().unwrap_or("StepScaling");
        let arn = match existing {
            Some(i) => self.autoscaling.policies[i].arn.clone(),
            None => format!(
                "arn:aws:autoscaling:{}:{}:scalingPolicy:{}:resource/ecs/{}:policyName/{name}",
                self.config.region,
                self.config.account,
                self.ids.uuid(),
                request.resource_id
            ),
        };
        let target = self.autoscaling.targets[t].clone();
        let (kind, alarms) = match (tracked, &request.step_scaling_policy_configuration) {
            (Some(tracked), _) => {
                let old = existing.and_then(|i| match &self.autoscaling.policies[i].kind {
                    PolicyKind::TargetTracking(tt) => Some((tt.high.clone(), tt.low.clone())),
                    PolicyKind::Step(_) => None,
                });
                self.plan_target_tracking(tracked, &target, &arn, old)
            }
            (None, Some(config)) => (PolicyKind::Step(plan_step(config)?), Vec::new()),
            (None, None) => unreachable!("plan_policy has a configuration for each type"),
        };
        let names: Vec<&str> = alarms
            .iter()
            .map(|(n, _)| n["AlarmName"].as_str().unwrap_or(""))
            .collect();
        if !crate::cloudwatch::read::alarm_room(self, &names) {
            return Err(ApiError::new(
                "LimitExceededException",
                "CloudWatch holds no room for this policy's alarms.",
                None,
            ));
        }
        // A policy replaced by one of another kind, or without a low alarm, leaves its old
        // alarms behind: they go.
        let kept: Vec<String> = alarms
            .iter()
            .filter_map(|(a, _)| a["AlarmName"].as_str().map(str::to_string))
            .collect();
        if let Some(i) = existing {
            let gone: Vec<String> = policy_alarms(&self.autoscaling.policies[i])
                .into_iter()
                .filter(|n| !kept.contains(n))
                .collect();
            if !gone.is_empty() {
                self.command(Command::DeleteAlarms(gone));
            }
        }
        let answer_alarms: Vec<Value> = alarms.iter().map(|(_, a)| a.clone()).collect();
        for (alarm, _) in alarms {
            self.command(Command::CloudWatch("PutMetricAlarm", alarm));
        }
        let policy = Policy {
            name,
            arn: arn.clone(),
            resource_id: request.resource_id,
            kind,
            created_at: self.now,
            last_out: None,
            last_in: None,
        };
        match existing {
            Some(i) => self.autoscaling.policies[i] = policy,
            None => self.autoscaling.policies.push(policy),
        }
        let mut out = json!({ "PolicyARN": arn });
        if policy_type == "TargetTrackingScaling" {
            out["Alarms"] = json!(answer_alarms);
        }
        Ok(out)
    }

    /// A target-tracking policy and its alarms' PutMetricAlarm requests (with each alarm's
    /// name and ARN for the answer). `old`: the alarms' names of the policy it replaces.
    fn plan_target_tracking(
        &mut self,
        tracked: Tracked,
        target: &ScalableTarget,
        arn: &str,
        old: Option<(String, Option<String>)>,
    ) -> (PolicyKind, Vec<(Value, Value)>) {
        let Tracked {
            target_value,
            disable_in,
            configuration,
            namespace,
            metric,
            statistic,
            unit,
            dimensions,
            out_cooldown,
            in_cooldown,
        } = tracked;
        let (high, low) = old.unwrap_or_else(|| {
            (
                format!(
                    "TargetTracking-{}-AlarmHigh-{}",
                    target.resource_id,
                    self.ids.uuid()
                ),
                None,
            )
        });
        let low = if disable_in {
            None
        } else {
            Some(low.unwrap_or_else(|| {
                format!(
                    "TargetTracking-{}-AlarmLow-{}",
                    target.resource_id,
                    self.ids.uuid()
                )
            }))
        };
        let description = format!("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}.");
        let alarm = |name: &str, operator: &str, threshold: f64, datapoints: u32| {
            let mut request = json!({
                "AlarmName": name,
                "AlarmDescription": description,
                "ActionsEnabled": true,
                "AlarmActions": [arn],
                "MetricName": metric,
                "Namespace": namespace,
                "Statistic": statistic,
                "Dimensions": dimensions,
                "Period": 60,
                "EvaluationPeriods": datapoints,
                "Threshold": threshold,
                "ComparisonOperator": operator,
                "TreatMissingData": "missing",
            });
            if let Some(unit) = &unit {
                request["Unit"] = json!(unit);
            }
            (
                request,
                json!({ "AlarmName": name, "AlarmARN": self.arn("cloudwatch", &format!("alarm:{name}")) }),
            )
        };
        let mut alarms = vec![alarm(
            &high,
            "GreaterThanThreshold",
            target_value,
            HIGH_ALARM_DATAPOINTS,
        )];
        if let Some(low) = &low {
            alarms.push(alarm(
                low,
                "LessThanThreshold",
                target_value * LOW_ALARM_SHARE,
                LOW_ALARM_DATAPOINTS,
            ));
        }
        (
            PolicyKind::TargetTracking(TargetTracking {
                target: target_value,
                configuration,
                scale_out_cooldown_s: out_cooldown,
                scale_in_cooldown_s: in_cooldown,
                disable_scale_in: disable_in,
                high,
                low,
            }),
            alarms,
        )
    }

    pub(crate) fn describe_scaling_policies(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        check_namespace(
            &request.service_namespace,
            request.scalable_dimension.as_deref(),
        )?;
        let policies: Vec<Value> = (self.autoscaling.policies.iter())
            .filter(|p| {
                request
                    .resource_id
                    .as_ref()
                    .is_none_or(|r| *r == p.resource_id)
            })
            .filter(|p| (request.policy_names.as_ref()).is_none_or(|n| n.contains(&p.name)))
            .map(|p| self.policy_json(p))
            .collect();
        Ok(json!({ "ScalingPolicies": policies }))
    }

    fn policy_json(&self, p: &Policy) -> Value {
        let mut out = json!({
            "PolicyARN": p.arn,
            "PolicyName": p.name,
            "ServiceNamespace": "ecs",
            "ResourceId": p.resource_id,
            "ScalableDimension": DIMENSION,
            "CreationTime": self.epoch_seconds(p.created_at),
        });
        match &p.kind {
            PolicyKind::TargetTracking(tt) => {
                out["PolicyType"] = json!("TargetTrackingScaling");
                out["TargetTrackingScalingPolicyConfiguration"] = tt.configuration.clone();
                let names = std::iter::once(&tt.high).chain(tt.low.as_ref());
                out["Alarms"] = json!(names
                    .map(|n| json!({ "AlarmName": n, "AlarmARN": self.arn("cloudwatch", &format!("alarm:{n}")) }))
                    .collect::<Vec<_>>());
            }
            PolicyKind::Step(step) => {
                out["PolicyType"] = json!("StepScaling");
                out["StepScalingPolicyConfiguration"] = step.configuration.clone();
                out["Alarms"] = json!([]);
            }
        }
        out
    }

    pub(crate) fn delete_scaling_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeletePolicyRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        let Some(i) = (self.autoscaling.policies.iter())
            .position(|p| p.resource_id == request.resource_id && p.name == request.policy_name)
        else {
            return Err(ApiError::new(
                "ObjectNotFoundException",
                format!("No scaling policy found for service namespace: ecs, resource ID: {}, scalable dimension: {DIMENSION}, policy name: {}", request.resource_id, request.policy_name),
                Some("$.PolicyName"),
            ));
        };
        let policy = self.autoscaling.policies.remove(i);
        let alarms = policy_alarms(&policy);
        if !alarms.is_empty() {
            self.command(Command::DeleteAlarms(alarms));
        }
        Ok(json!({}))
    }

    pub(crate) fn describe_scaling_activities(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        check_namespace(
            &request.service_namespace,
            request.scalable_dimension.as_deref(),
        )?;
        let with_not_scaled = request.include_not_scaled_activities == Some(true);
        let max = request.max_results.unwrap_or(50).clamp(1, 50) as usize;
        let out: Vec<Value> = (self.autoscaling.activities.iter().rev())
            .filter(|a| {
                request
                    .resource_id
                    .as_ref()
                    .is_none_or(|r| *r == a.resource_id)
            })
            .filter(|a| with_not_scaled || a.not_scaled.is_none())
            .take(max)
            .map(|a| {
                let mut v = json!({
                    "ActivityId": a.id,
                    "ServiceNamespace": "ecs",
                    "ResourceId": a.resource_id,
                    "ScalableDimension": DIMENSION,
                    "Description": a.description,
                    "Cause": a.cause,
                    "StartTime": self.epoch_seconds(a.at),
                    "EndTime": self.epoch_seconds(a.at),
                    "StatusCode": a.status,
                    "StatusMessage": a.message,
                });
                if let Some(reasons) = &a.not_scaled {
                    v["NotScaledReasons"] = reasons.clone();
                }
                v
            })
            .collect();
        Ok(json!({ "ScalingActivities": out }))
    }

    fn record_activity(&mut self, activity: Activity) {
        let activities = &mut self.autoscaling.activities;
        activities.push_back(activity);
        while activities.len() > ACTIVITIES_MAX {
            activities.pop_front();
        }
    }

    /// A policy invoked by its alarm in ALARM: the capacity it asks for, within the target's
    /// bounds and its cooldowns; a change is an activity and a desired count set on ECS.
    fn invoke_policy(&mut self, arn: &str, alarm: &str) {
        let Some(p) = self.autoscaling.policies.iter().position(|p| p.arn == arn) else {
            return;
        };
        let policy = self.autoscaling.policies[p].clone();
        let Some(t) = self.target_index(&policy.resource_id) else {
            return;
        };
        let target = self.autoscaling.targets[t].clone();
        let Some((current, _)) =
            crate::ecs::read::service_counts(self, &target.cluster, &target.service)
        else {
            return;
        };
        let Some(view) = crate::cloudwatch::read::alarm(self, alarm) else {
            return;
        };
        let now = self.now;
        let within = |since: Option<SimTime>, seconds: u32| {
            since.is_some_and(|at| now < at + SimTime::from(seconds) * MS_PER_SECOND)
        };
        let cause = format!(
            "monitor alarm {alarm} in state ALARM triggered policy {}",
            policy.name
        );
        let Some(value) = view.last_value else {
            return; // No datapoint: nothing to act on (insufficient data does not scale).
        };
        // What the policy asks for, and whether it is out (true) or in.
        let wanted: Option<(i64, bool)> = match &policy.kind {
            PolicyKind::TargetTracking(tt) => {
                if alarm == tt.high {
                    let wanted = scale_out_capacity(current, value, tt.target);
                    // In the cooldown after a scale-out, only a larger one goes ahead.
                    let larger = policy
                        .last_out
                        .filter(|(at, _, _)| within(Some(*at), tt.scale_out_cooldown_s))
                        .is_none_or(|(_, _, after)| wanted > after);
                    larger.then_some((i64::from(wanted), true))
                } else if tt.low.as_deref() == Some(alarm) && !tt.disable_scale_in {
                    // ScaleInCooldown: after a scale-in, before another (aws-facts 6.2).
                    let cooling = within(policy.last_in, tt.scale_in_cooldown_s);
                    if cooling {
                        None
                    } else {
                        // In only if every other target-tracking policy that scales in agrees:
                        // the largest capacity any of them asks for.
                        let agreed = self.agreed_scale_in(
                            &policy,
                            current,
                            scale_in_capacity(current, value, tt.target),
                        );
                        // Fewer would push the metric over the target: AWS does not scale.
                        let flapping =
                            (f64::from(current) * value / tt.target).floor() < f64::from(current);
                        if agreed.is_some_and(|c| c >= current) && flapping {
                            let code = "AutoScalingAnticipatedFlapping";
                            self.not_scaled(&target, &cause, code, current);
                        }
                        agreed.map(|c| (i64::from(c), false))
                    }
                } else {
                    None
                }
            }
            PolicyKind::Step(step) => {
                // The alarm's datapoints of its evaluation, by MetricAggregationType.
                let values = if view.recent.is_empty() {
                    vec![value]
                } else {
                    view.recent.clone()
                };
                let aggregated = match step.aggregation.as_str() {
                    "Minimum" => values.iter().copied().fold(f64::INFINITY, f64::min),
                    "Maximum" => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => values.iter().sum::<f64>() / values.len() as f64,
                };
                let difference = aggregated - view.threshold;
                step_for(&step.steps, difference).and_then(|adjustment| {
                    let proposed = step_capacity(step, current, adjustment);
                    let out = proposed > i64::from(current);
                    match policy
                        .last_out
                        .filter(|(at, _, _)| within(Some(*at), step.cooldown_s))
                    {
                        // In the cooldown of a scale-out, a larger step adds what it adds
                        // beyond the last one (from the capacity before it).
                        Some((_, before, _)) if out => {
                            let again = step_capacity(step, before, adjustment);
                            (again > i64::from(current)).then_some((again, true))
                        }
                        Some(_) => None,
                        None if !out && within(policy.last_in, step.cooldown_s) => None,
                        None => Some((proposed, out)),
                    }
                })
            }
        };
        let Some((wanted, out)) = wanted else {
            return;
        };
        let suspended = if out {
            target.suspended[1]
        } else {
            target.suspended[0]
        };
        if suspended {
            return;
        }
        // Below the minimum a scale-out starts from it; above the maximum a scale-in does.
        let (min, max) = (i64::from(target.min), i64::from(target.max));
        let new = if out {
            if i64::from(current) >= max {
                self.not_scaled(&target, &cause, "AlreadyAtMaxCapacity", current);
                return;
            }
            wanted.max(min).min(max)
        } else {
            if i64::from(current) <= min {
                self.not_scaled(&target, &cause, "AlreadyAtMinCapacity", current);
                return;
            }
            wanted.min(max).max(min)
        };
        let new = new as u32;
        if new == current {
            return;
        }
        self.set_desired_count(&target, new, cause);
        let p = &mut self.autoscaling.policies[p];
        if out {
            p.last_out = Some((now, current, new));
        } else {
            p.last_in = Some(now);
        }
    }

    /// A change of `target`'s desired count to `new`: the activity in AWS's words, and the
    /// count set on ECS as the service-linked role would.
    fn set_desired_count(&mut self, target: &ScalableTarget, new: u32, cause: String) {
        let id = self.ids.uuid();
        self.record_activity(Activity {
            id,
            resource_id: target.resource_id.clone(),
            description: format!("Setting desired count to {new}."),
            cause,
            at: self.now,
            status: "Successful",
            message: format!(
                "Successfully set desired count to {new}. Change successfully fulfilled by ecs."
            ),
            not_scaled: None,
        });
        self.command(Command::SetDesiredCount(
            target.cluster.clone(),
            target.service.clone(),
            new,
        ));
    }

    /// Epoch ms (UTC) of simulated time `t`.
    fn epoch_ms(&self, t: SimTime) -> i64 {
        self.config.start_epoch_ms + t as i64
    }

    /// A timestamp field: ISO 8601 text or epoch seconds, as the CLI sends them.
    fn time_field(value: &Option<Value>, path: &str) -> Result<Option<i64>, ApiError> {
        match value {
            None => Ok(None),
            Some(Value::String(text)) => crate::engine::time::parse_timestamp(text)
                .map(Some)
                .map_err(|e| validation(e, path)),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(|s| Some((s * 1000.0) as i64))
                .ok_or_else(|| validation("not a time", path)),
            Some(_) => Err(validation("a time is ISO 8601 text or epoch seconds", path)),
        }
    }

    pub(crate) fn put_scheduled_action(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutScheduledRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        if self.target_index(&request.resource_id).is_none() {
            return Err(no_target(&request.resource_id));
        }
        let name = request.scheduled_action_name.clone();
        check_name(&name, "scheduled action", "$.ScheduledActionName")?;
        let existing = (self.autoscaling.scheduled.iter())
            .position(|a| a.resource_id == request.resource_id && a.name == name);
        let old = existing.map(|i| self.autoscaling.scheduled[i].clone());
        let text = match (&request.schedule, &old) {
            (Some(t), _) => t.clone(),
            (None, Some(o)) => o.schedule_text.clone(),
            (None, None) => {
                return Err(validation(
                    "Schedule is required for a new scheduled action.",
                    "$.Schedule",
                ))
            }
        };
        let parsed = schedule::parse(&text).map_err(|e| {
            validation(
                format!("Invalid schedule expression '{text}': {e}"),
                "$.Schedule",
            )
        })?;
        let timezone = request
            .timezone
            .clone()
            .or_else(|| old.as_ref().and_then(|o| o.timezone.clone()));
        if let Some(tz) = &timezone {
            if schedule::zone(tz).is_none() {
                return Err(ApiError::not_modelled(
                    "$.Timezone",
                    &format!("the time zone '{tz}' is not in the model's table of zones (see the README); UTC, Etc/GMT+N and the named ones are."),
                ));
            }
        }
        let start = Self::time_field(&request.start_time, "$.StartTime")?;
        let end = Self::time_field(&request.end_time, "$.EndTime")?;
        let action = request.scalable_target_action.as_ref();
        let min = capacity(
            action.and_then(|a| a.min_capacity),
            "$.ScalableTargetAction.MinCapacity",
        )?;
        let max = capacity(
            action.and_then(|a| a.max_capacity),
            "$.ScalableTargetAction.MaxCapacity",
        )?;
        if let (Some(min), Some(max)) = (min, max) {
            if min > max {
                return Err(validation(
                    format!(
                        "Minimum capacity ({min}) cannot be greater than maximum capacity ({max})."
                    ),
                    "$.ScalableTargetAction.MinCapacity",
                ));
            }
        }
        let count = (self.autoscaling.scheduled.iter())
            .filter(|a| a.resource_id == request.resource_id)
            .count();
        if existing.is_none() && count >= SCHEDULED_ACTIONS_PER_TARGET_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("A scalable target has {SCHEDULED_ACTIONS_PER_TARGET_MAX} scheduled actions at the most."),
                None,
            ));
        }
        self.autoscaling.scheduled_made += 1;
        let number = self.autoscaling.scheduled_made;
        let arn = match &old {
            Some(o) => o.arn.clone(),
            None => format!(
                "arn:aws:autoscaling:{}:{}:scheduledAction:{}:resource/ecs/{}:scheduledActionName/{name}",
                self.config.region,
                self.config.account,
                self.ids.uuid(),
                request.resource_id
            ),
        };
        let scheduled = ScheduledAction {
            number,
            name,
            arn,
            resource_id: request.resource_id,
            schedule_text: text,
            schedule: parsed,
            timezone,
            start,
            end,
            min,
            max,
            created_at: self.now,
        };
        self.schedule_next(&scheduled);
        match existing {
            Some(i) => self.autoscaling.scheduled[i] = scheduled,
            None => self.autoscaling.scheduled.push(scheduled),
        }
        Ok(json!({}))
    }

    /// Sets the timer of a scheduled action's next time, if it has one.
    fn schedule_next(&mut self, action: &ScheduledAction) {
        let zone = schedule::zone(action.timezone.as_deref().unwrap_or("UTC")).expect("checked");
        let now = self.epoch_ms(self.now);
        let origin = action
            .start
            .unwrap_or_else(|| self.epoch_ms(action.created_at));
        let after = action.start.map_or(now, |s| (s - 1).max(now));
        if let Some(next) = schedule::next_after(&action.schedule, zone, after, origin, action.end)
        {
            let delay = (next - now).max(0) as SimTime;
            self.schedule(delay, Timer::Scheduled(action.number));
        }
    }

    /// A scheduled action's time: the target's new bounds (unless scheduled scaling is
    /// suspended), the desired count pushed inside them, the next time set.
    fn run_scheduled_action(&mut self, number: u64) {
        let Some(action) = (self.autoscaling.scheduled.iter())
            .find(|a| a.number == number)
            .cloned()
        else {
            return; // Replaced or deleted since.
        };
        self.schedule_next(&action);
        let Some(t) = self.target_index(&action.resource_id) else {
            return;
        };
        if self.autoscaling.targets[t].suspended[2] {
            return;
        }
        let target = &mut self.autoscaling.targets[t];
        let min = action.min.unwrap_or(target.min);
        let max = action.max.unwrap_or(target.max);
        target.min = min.min(max);
        target.max = max;
        let target = target.clone();
        let what = match (action.min, action.max) {
            (Some(min), Some(max)) => format!("min capacity to {min} and max capacity to {max}"),
            (Some(min), None) => format!("min capacity to {min}"),
            (None, Some(max)) => format!("max capacity to {max}"),
            (None, None) => "nothing".into(),
        };
        let now = self.now;
        let id = self.ids.uuid();
        self.record_activity(Activity {
            id,
            resource_id: target.resource_id.clone(),
            description: format!("Setting {what}"),
            cause: format!("scheduled action name {} was triggered", action.name),
            at: now,
            status: "Successful",
            message: format!("Successfully set {what}"),
            not_scaled: None,
        });
        let Some((current, _)) =
            crate::ecs::read::service_counts(self, &target.cluster, &target.service)
        else {
            return;
        };
        let (new, cause) = if current < target.min {
            (
                target.min,
                format!("minimum capacity was set to {}", target.min),
            )
        } else if current > target.max {
            (
                target.max,
                format!("maximum capacity was set to {}", target.max),
            )
        } else {
            return;
        };
        self.set_desired_count(&target, new, cause);
    }

    pub(crate) fn describe_scheduled_actions(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeScheduledRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        check_namespace(
            &request.service_namespace,
            request.scalable_dimension.as_deref(),
        )?;
        let iso = |ms: i64| crate::engine::time::format_timestamp(ms);
        let out: Vec<Value> = (self.autoscaling.scheduled.iter())
            .filter(|a| {
                request
                    .resource_id
                    .as_ref()
                    .is_none_or(|r| *r == a.resource_id)
            })
            .filter(|a| {
                (request.scheduled_action_names.as_ref()).is_none_or(|n| n.contains(&a.name))
            })
            .map(|a| {
                let mut v = json!({
                    "ScheduledActionName": a.name,
                    "ScheduledActionARN": a.arn,
                    "ServiceNamespace": "ecs",
                    "Schedule": a.schedule_text,
                    "ResourceId": a.resource_id,
                    "ScalableDimension": DIMENSION,
                    "ScalableTargetAction": {},
                    "CreationTime": self.epoch_seconds(a.created_at),
                });
                if let Some(tz) = &a.timezone {
                    v["Timezone"] = json!(tz);
                }
                if let Some(min) = a.min {
                    v["ScalableTargetAction"]["MinCapacity"] = json!(min);
                }
                if let Some(max) = a.max {
                    v["ScalableTargetAction"]["MaxCapacity"] = json!(max);
                }
                if let Some(s) = a.start {
                    v["StartTime"] = json!(iso(s));
                }
                if let Some(e) = a.end {
                    v["EndTime"] = json!(iso(e));
                }
                v
            })
            .collect();
        Ok(json!({ "ScheduledActions": out }))
    }

    pub(crate) fn delete_scheduled_action(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteScheduledRequest = parse_request(input)?;
        check_namespace(
            &request.service_namespace,
            Some(&request.scalable_dimension),
        )?;
        let found = (self.autoscaling.scheduled.iter()).position(|a| {
            a.resource_id == request.resource_id && a.name == request.scheduled_action_name
        });
        let Some(i) = found else {
            return Err(ApiError::new(
                "ObjectNotFoundException",
                format!("No scheduled action found for service namespace: ecs, resource ID: {}, scalable dimension: {DIMENSION}, scheduled action name: {}", request.resource_id, request.scheduled_action_name),
                Some("$.ScheduledActionName"),
            ));
        };
        self.autoscaling.scheduled.remove(i);
        Ok(json!({}))
    }

    /// A not-scaled activity (DescribeScalingActivities with IncludeNotScaledActivities).
    fn not_scaled(&mut self, target: &ScalableTarget, cause: &str, code: &str, current: u32) {
        // One per alarm episode is enough: not again while the last activity says the same.
        let same = (self.autoscaling.activities.iter().rev())
            .find(|a| a.resource_id == target.resource_id)
            .is_some_and(|a| a.cause == cause && a.not_scaled.is_some());
        if same {
            return;
        }
        let bound = match code {
            "AlreadyAtMaxCapacity" => ("MaxCapacity", target.max),
            "AlreadyAtMinCapacity" => ("MinCapacity", target.min),
            _ => ("CurrentCapacity", current),
        };
        let id = self.ids.uuid();
        self.record_activity(Activity {
            id,
            resource_id: target.resource_id.clone(),
            description: "Attempting to scale due to alarm triggered".into(),
            cause: cause.to_string(),
            at: self.now,
            status: "Failed",
            message: format!("Failed to set desired count: the capacity is {current} already."),
            not_scaled: Some(
                json!([{ "Code": code, bound.0: bound.1, "CurrentCapacity": current }]),
            ),
        });
    }

    /// A scale-in to `proposed` by `policy`, if every other target-tracking policy of its
    /// target that scales in has its low alarm in ALARM: the largest of what they ask for.
    fn agreed_scale_in(&self, policy: &Policy, current: u32, proposed: u32) -> Option<u32> {
        let mut capacity = proposed;
        for other in &self.autoscaling.policies {
            if other.arn == policy.arn || other.resource_id != policy.resource_id {
                continue;
            }
            let PolicyKind::TargetTracking(tt) = &other.kind else {
                continue;
            };
            if tt.disable_scale_in {
                continue;
            }
            let low = tt
                .low
                .as_deref()
                .and_then(|n| crate::cloudwatch::read::alarm(self, n))?;
            if low.state != AlarmState::Alarm {
                return None;
            }
            let value = low.last_value?;
            capacity = capacity.max(scale_in_capacity(current, value, tt.target));
        }
        Some(capacity)
    }
}

/// The names of a policy's own alarms.
fn policy_alarms(p: &Policy) -> Vec<String> {
    match &p.kind {
        PolicyKind::TargetTracking(tt) => std::iter::once(tt.high.clone())
            .chain(tt.low.clone())
            .collect(),
        PolicyKind::Step(_) => Vec::new(),
    }
}

/// What a target-tracking configuration follows, checked (aws-facts 6.2): the metric of its
/// alarms and its cooldowns.
struct Tracked {
    target_value: f64,
    disable_in: bool,
    /// The configuration as given, for DescribeScalingPolicies.
    configuration: Value,
    namespace: String,
    metric: String,
    statistic: String,
    unit: Option<String>,
    dimensions: Vec<Value>,
    out_cooldown: u32,
    in_cooldown: u32,
}

fn tracked_metric(
    config: &TargetTrackingConfiguration,
    target: &ScalableTarget,
) -> Result<Tracked, ApiError> {
    let at = "$.TargetTrackingScalingPolicyConfiguration";
    if !(config.target_value > 0.0 && config.target_value.is_finite()) {
        return Err(validation(
            "TargetValue must be greater than 0.",
            &format!("{at}.TargetValue"),
        ));
    }
    let dims = |pairs: &[(&str, &str)]| -> Vec<Value> {
        pairs
            .iter()
            .map(|(n, v)| json!({ "Name": n, "Value": v }))
            .collect()
    };
    let (namespace, metric, statistic, unit, dimensions) = match (
        &config.predefined_metric_specification,
        &config.customized_metric_specification,
    ) {
        (Some(p), None) => match p.predefined_metric_type.as_str() {
            "ECSServiceAverageCPUUtilization" | "ECSServiceAverageMemoryUtilization" => {
                if p.resource_label.is_some() {
                    return Err(validation(
                        format!("ResourceLabel is only for ALBRequestCountPerTarget, not {}.", p.predefined_metric_type),
                        &format!("{at}.PredefinedMetricSpecification.ResourceLabel"),
                    ));
                }
                let name = if p.predefined_metric_type.contains("CPU") {
                    "CPUUtilization"
                } else {
                    "MemoryUtilization"
                };
                (
                    "AWS/ECS".to_string(),
                    name.to_string(),
                    "Average".to_string(),
                    Some("Percent".to_string()),
                    dims(&[("ClusterName", &target.cluster), ("ServiceName", &target.service)]),
                )
            }
            "ALBRequestCountPerTarget" => {
                let label = p.resource_label.clone().unwrap_or_default();
                // app/<lb>/<id>/targetgroup/<tg>/<id>
                let group = label
                    .find("/targetgroup/")
                    .map(|i| &label[i + 1..])
                    .filter(|g| g.split('/').count() == 3 && label.starts_with("app/"));
                let Some(group) = group else {
                    return Err(validation(
                        "ALBRequestCountPerTarget needs ResourceLabel app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/<target-group-id>.",
                        &format!("{at}.PredefinedMetricSpecification.ResourceLabel"),
                    ));
                };
                (
                    "AWS/ApplicationELB".to_string(),
                    "RequestCountPerTarget".to_string(),
                    "Sum".to_string(),
                    None,
                    dims(&[("TargetGroup", group)]),
                )
            }
            other if other.contains("HighResolution") => {
                return Err(ApiError::not_modelled(
                    &format!("{at}.PredefinedMetricSpecification.PredefinedMetricType"),
                    "high-resolution metrics are not simulated.",
                ))
            }
            other => {
                return Err(validation(
                    format!("Unsupported PredefinedMetricType '{other}' for ecs: ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget."),
                    &format!("{at}.PredefinedMetricSpecification.PredefinedMetricType"),
                ))
            }
        },
        (None, Some(c)) => {
            if c.metrics.is_some() {
                return Err(ApiError::not_modelled(
                    &format!("{at}.CustomizedMetricSpecification.Metrics"),
                    "metric math is not simulated: name one metric.",
                ));
            }
            let (Some(name), Some(namespace), Some(statistic)) = (&c.metric_name, &c.namespace, &c.statistic) else {
                return Err(validation(
                    "CustomizedMetricSpecification needs MetricName, Namespace and Statistic.",
                    &format!("{at}.CustomizedMetricSpecification"),
                ));
            };
            let pairs: Vec<Value> = (c.dimensions.iter().flatten())
                .map(|d| json!({ "Name": d.name, "Value": d.value }))
                .collect();
            (namespace.clone(), name.clone(), statistic.clone(), c.unit.clone(), pairs)
        }
        _ => {
            return Err(validation(
                "Give one of PredefinedMetricSpecification and CustomizedMetricSpecification.",
                at,
            ))
        }
    };
    let cooldown = |v: Option<i64>, path: &str| -> Result<u32, ApiError> {
        match v {
            None => Ok(COOLDOWN_S_DEFAULT),
            Some(v) if (0..=i64::from(i32::MAX)).contains(&v) => Ok(v as u32),
            Some(_) => Err(validation("A cooldown is 0 seconds or more.", path)),
        }
    };
    let out_cooldown = cooldown(config.scale_out_cooldown, &format!("{at}.ScaleOutCooldown"))?;
    let in_cooldown = cooldown(config.scale_in_cooldown, &format!("{at}.ScaleInCooldown"))?;
    Ok(Tracked {
        target_value: config.target_value,
        disable_in: config.disable_scale_in.unwrap_or(false),
        configuration: serde_json::to_value(config).expect("serializes"),
        namespace,
        metric,
        statistic,
        unit,
        dimensions,
        out_cooldown,
        in_cooldown,
    })
}

/// A step policy from its configuration, checked (aws-facts 6.3).
fn plan_step(config: &StepConfiguration) -> Result<Step, ApiError> {
    let at = "$.StepScalingPolicyConfiguration";
    let adjustment = match config.adjustment_type.as_deref() {
        Some("ChangeInCapacity") => Adjustment::Change,
        Some("PercentChangeInCapacity") => Adjustment::Percent,
        Some("ExactCapacity") => Adjustment::Exact,
        Some(other) => {
            return Err(validation(
                format!("Invalid AdjustmentType '{other}': ChangeInCapacity, PercentChangeInCapacity or ExactCapacity."),
                &format!("{at}.AdjustmentType"),
            ))
        }
        None => {
            return Err(validation(
                "AdjustmentType is required.",
                &format!("{at}.AdjustmentType"),
            ))
        }
    };
    let given = config.step_adjustments.as_deref().unwrap_or_default();
    if given.is_empty() {
        return Err(validation(
            "StepAdjustments must have at least one step.",
            &format!("{at}.StepAdjustments"),
        ));
    }
    let mut steps: Vec<(Option<f64>, Option<f64>, i64)> = given
        .iter()
        .map(|s| {
            (
                s.metric_interval_lower_bound,
                s.metric_interval_upper_bound,
                s.scaling_adjustment,
            )
        })
        .collect();
    for (n, &(lower, upper, _)) in steps.iter().enumerate() {
        let path = format!("{at}.StepAdjustments[{n}]");
        if lower.is_none() && upper.is_none() {
            return Err(validation("A step cannot have both bounds null.", &path));
        }
        if let (Some(l), Some(u)) = (lower, upper) {
            if l >= u {
                return Err(validation(
                    "A step's upper bound must be greater than its lower bound.",
                    &path,
                ));
            }
        }
    }
    if steps.iter().filter(|s| s.0.is_none()).count() > 1
        || steps.iter().filter(|s| s.1.is_none()).count() > 1
    {
        return Err(validation(
            "At most one step may have a null lower bound, and one a null upper bound.",
            &format!("{at}.StepAdjustments"),
        ));
    }
    // No gaps or overlaps: sorted by lower bound, each starts where the last ends.
    steps.sort_by(|a, b| {
        a.0.unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.0.unwrap_or(f64::NEG_INFINITY))
    });
    for pair in steps.windows(2) {
        if pair[0].1 != pair[1].0 {
            return Err(validation(
                "The steps must not overlap or leave gaps: each step's lower bound is the upper bound of the one before.",
                &format!("{at}.StepAdjustments"),
            ));
        }
    }
    if config.min_adjustment_magnitude.is_some() && adjustment != Adjustment::Percent {
        return Err(validation(
            "MinAdjustmentMagnitude is only for PercentChangeInCapacity.",
            &format!("{at}.MinAdjustmentMagnitude"),
        ));
    }
    let cooldown = match config.cooldown {
        None => COOLDOWN_S_DEFAULT,
        Some(c) if (0..=i64::from(i32::MAX)).contains(&c) => c as u32,
        Some(_) => {
            return Err(validation(
                "Cooldown is 0 seconds or more.",
                &format!("{at}.Cooldown"),
            ))
        }
    };
    let aggregation = config
        .metric_aggregation_type
        .clone()
        .unwrap_or_else(|| "Average".into());
    if !["Average", "Minimum", "Maximum"].contains(&aggregation.as_str()) {
        return Err(validation(
            format!("Invalid MetricAggregationType '{aggregation}': Average, Minimum or Maximum."),
            &format!("{at}.MetricAggregationType"),
        ));
    }
    Ok(Step {
        adjustment,
        steps,
        min_adjustment_magnitude: config.min_adjustment_magnitude,
        cooldown_s: cooldown,
        aggregation,
        configuration: serde_json::to_value(config).expect("serializes"),
    })
}
