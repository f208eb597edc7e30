//! A group's own scaling policies (PutScalingPolicy, DescribePolicies, DeletePolicy): target
//! tracking on `ASGAverageCPUUtilization`, the seed's "scale your ASG on CPU". The policy's
//! two alarms are on `AWS/EC2` `CPUUtilization` with the dimension `AutoScalingGroupName`
//! (Average of a minute, as `asg::metrics` publishes it): `TargetTracking-<group>-AlarmHigh-<uuid>`
//! above the target for 3 minutes, `-AlarmLow-` below 90% of it for 15 (the pattern
//! aws-facts 17.U item 1 confirms for Application Auto Scaling's target tracking, taken here
//! for EC2 Auto Scaling's as well). They invoke the policy as ECS's managed scaling does
//! (`alarm_invokes`): out to `ceil(N x CPU / target)` instances, nothing while the last
//! scale-out's instances warm up, in to `floor(N x CPU / target)` unless scale-in is disabled.

use serde::Deserialize;
use serde_json::{json, Value};

use super::read::GroupPolicy;
use super::{not_found, validation};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::world::{Command, World};

/// The instance warm-up a policy assumes when it names none (EstimatedInstanceWarmup): 300 s,
/// the default the console shows; AWS falls back to the group's DefaultInstanceWarmup, which
/// the model does not take.
pub const INSTANCE_WARMUP_DEFAULT_S: u32 = 300;
/// The alarms' datapoints: 3 above the target, 15 below 90% of it (aws-facts 17.U item 1).
pub const HIGH_ALARM_DATAPOINTS: u32 = 3;
pub const LOW_ALARM_DATAPOINTS: u32 = 15;
pub const LOW_ALARM_SHARE: f64 = 0.9;
/// Policies one group holds at the most (AWS's quota is 50 per group).
pub const POLICIES_PER_GROUP_MAX: usize = 50;

const PUT_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.TargetTrackingConfiguration.CustomizedMetricSpecification",
        why: "customized metrics are not simulated: use PredefinedMetricSpecification ASGAverageCPUUtilization.",
        default: None,
    },
    Unmodelled {
        path: "$.TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel",
        why: "ALBRequestCountPerTarget on a group is not simulated: use ASGAverageCPUUtilization.",
        default: None,
    },
    Unmodelled {
        path: "$.AdjustmentType",
        why: "simple and step scaling policies on a group are not simulated: use TargetTrackingScaling.",
        default: None,
    },
    Unmodelled {
        path: "$.MinAdjustmentStep",
        why: "simple and step scaling policies on a group are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.MinAdjustmentMagnitude",
        why: "simple and step scaling policies on a group are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.ScalingAdjustment",
        why: "simple and step scaling policies on a group are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.Cooldown",
        why: "simple and step scaling policies on a group are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.MetricAggregationType",
        why: "simple and step scaling policies on a group are not simulated.",
        default: None,
    },
    Unmodelled {
        path: "$.StepAdjustments",
        why: "step scaling policies on a group are not simulated: use TargetTrackingScaling.",
        default: None,
    },
    Unmodelled {
        path: "$.PredictiveScalingConfiguration",
        why: "predictive scaling is not simulated.",
        default: None,
    },
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutRequest {
    auto_scaling_group_name: String,
    policy_name: String,
    policy_type: Option<String>,
    adjustment_type: Option<Value>,
    min_adjustment_step: Option<Value>,
    min_adjustment_magnitude: Option<Value>,
    scaling_adjustment: Option<Value>,
    cooldown: Option<Value>,
    metric_aggregation_type: Option<Value>,
    step_adjustments: Option<Value>,
    estimated_instance_warmup: Option<i64>,
    target_tracking_configuration: Option<TargetTracking>,
    enabled: Option<bool>,
    predictive_scaling_configuration: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetTracking {
    predefined_metric_specification: Option<Predefined>,
    customized_metric_specification: Option<Value>,
    target_value: f64,
    disable_scale_in: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Predefined {
    predefined_metric_type: String,
    resource_label: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeRequest {
    auto_scaling_group_name: Option<String>,
    policy_names: Option<Vec<String>>,
    policy_types: Option<Vec<String>>,
    max_records: Option<Value>,
    next_token: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DeleteRequest {
    auto_scaling_group_name: Option<String>,
    policy_name: String,
}

impl World {
    pub(crate) fn put_group_scaling_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutRequest = parse_request(input)?;
        let group = request.auto_scaling_group_name.clone();
        if self.group_index(&group).is_none() {
            return Err(not_found(&group));
        }
        let kind = request.policy_type.as_deref().unwrap_or("SimpleScaling");
        if kind != "TargetTrackingScaling" {
            return Err(ApiError::not_modelled(
                "$.PolicyType",
                &format!("{kind} policies on a group are not simulated: use TargetTrackingScaling (SimpleScaling is the default when PolicyType is not given)."),
            ));
        }
        refuse_unmodelled(input, PUT_UNMODELLED)?;
        if request.enabled == Some(false) {
            return Err(ApiError::not_modelled(
                "$.Enabled",
                "a disabled policy is not simulated: delete the policy instead.",
            ));
        }
        let Some(tracking) = request.target_tracking_configuration else {
            return Err(validation(
                "TargetTrackingConfiguration is required for a TargetTrackingScaling policy.",
                "$.TargetTrackingConfiguration",
            ));
        };
        let Some(metric) = tracking.predefined_metric_specification else {
            return Err(validation(
                "A PredefinedMetricSpecification or CustomizedMetricSpecification is required.",
                "$.TargetTrackingConfiguration",
            ));
        };
        let path =
            "$.TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType";
        match metric.predefined_metric_type.as_str() {
            "ASGAverageCPUUtilization" => {}
            "ASGAverageNetworkIn" | "ASGAverageNetworkOut" | "ALBRequestCountPerTarget" => {
                return Err(ApiError::not_modelled(
                    path,
                    "only ASGAverageCPUUtilization is simulated for a group.",
                ))
            }
            other => {
                return Err(validation(
                    format!("Invalid PredefinedMetricType: {other}. Valid values: ASGAverageCPUUtilization, ASGAverageNetworkIn, ASGAverageNetworkOut, ALBRequestCountPerTarget."),
                    path,
                ))
            }
        }
        if !(tracking.target_value > 0.0 && tracking.target_value.is_finite()) {
            return Err(validation(
                "TargetValue must be greater than 0.",
                "$.TargetTrackingConfiguration.TargetValue",
            ));
        }
        let warmup = match request.estimated_instance_warmup {
            None => INSTANCE_WARMUP_DEFAULT_S,
            Some(s) if (0..=i64::from(u32::MAX)).contains(&s) => s as u32,
            Some(_) => {
                return Err(validation(
                    "EstimatedInstanceWarmup must be 0 or more.",
                    "$.EstimatedInstanceWarmup",
                ))
            }
        };
        let existing = (self.asg.policies.iter())
            .position(|p| p.group == group && p.name == request.policy_name);
        if existing.is_none()
            && self
                .asg
                .policies
                .iter()
                .filter(|p| p.group == group)
                .count()
                >= POLICIES_PER_GROUP_MAX
        {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("The group {group} holds {POLICIES_PER_GROUP_MAX} scaling policies at the most."),
                None,
            ));
        }
        // An update keeps the policy's ARN and alarms.
        let (arn, alarms) = match existing {
            Some(i) => (
                self.asg.policies[i].arn.clone(),
                self.asg.policies[i].alarms.clone(),
            ),
            None => {
                let uuid = self.ids.uuid();
                let arn = format!(
                    "arn:aws:autoscaling:{}:{}:scalingPolicy:{uuid}:autoScalingGroupName/{group}:policyName/{}",
                    self.config.region, self.config.account, request.policy_name
                );
                let high = format!("TargetTracking-{group}-AlarmHigh-{}", self.ids.uuid());
                let low = format!("TargetTracking-{group}-AlarmLow-{}", self.ids.uuid());
                (arn, vec![high, low])
            }
        };
        let target = tracking.target_value;
        let policy = GroupPolicy {
            group: group.clone(),
            arn: arn.clone(),
            name: request.policy_name.clone(),
            target,
            minimum_step: 1,
            maximum_step: u32::MAX,
            warmup_s: warmup,
            last_scale_out: existing.and_then(|i| self.asg.policies[i].last_scale_out),
            predefined_metric: Some(metric.predefined_metric_type.clone()),
            disable_scale_in: tracking.disable_scale_in.unwrap_or(false),
            alarms: alarms.clone(),
        };
        match existing {
            Some(i) => self.asg.policies[i] = policy,
            None => self.asg.policies.push(policy),
        }
        let description = format!("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}.");
        for (alarm, operator, periods, threshold) in [
            (
                &alarms[0],
                "GreaterThanThreshold",
                HIGH_ALARM_DATAPOINTS,
                target,
            ),
            (
                &alarms[1],
                "LessThanThreshold",
                LOW_ALARM_DATAPOINTS,
                LOW_ALARM_SHARE * target,
            ),
        ] {
            self.command(Command::CloudWatch(
                "PutMetricAlarm",
                json!({
                    "AlarmName": alarm,
                    "AlarmDescription": description,
                    "ActionsEnabled": true,
                    "AlarmActions": [arn],
                    "MetricName": "CPUUtilization",
                    "Namespace": "AWS/EC2",
                    "Statistic": "Average",
                    "Dimensions": [{ "Name": "AutoScalingGroupName", "Value": group }],
                    "Period": 60,
                    "EvaluationPeriods": periods,
                    "Threshold": threshold,
                    "ComparisonOperator": operator,
                    "Unit": "Percent",
                    "TreatMissingData": "missing",
                }),
            ));
        }
        Ok(json!({ "PolicyARN": arn, "Alarms": self.alarms_json(&alarms) }))
    }

    pub(crate) fn describe_group_policies(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        refuse_unmodelled(
            input,
            &[Unmodelled {
                path: "$.NextToken",
                why: "every answer is one page.",
                default: None,
            }],
        )?;
        let policies: Vec<Value> = (self.asg.policies.iter())
            .filter(|p| {
                request
                    .auto_scaling_group_name
                    .as_ref()
                    .is_none_or(|g| *g == p.group)
            })
            .filter(|p| {
                (request.policy_names.as_ref())
                    .is_none_or(|names| names.iter().any(|n| *n == p.name || *n == p.arn))
            })
            // Every policy the model holds is a target-tracking one.
            .filter(|_| {
                (request.policy_types.as_ref())
                    .is_none_or(|types| types.iter().any(|t| t == "TargetTrackingScaling"))
            })
            .map(|p| self.group_policy_json(p))
            .collect();
        Ok(json!({ "ScalingPolicies": policies }))
    }

    /// A policy's `Alarms`: each name with its ARN.
    fn alarms_json(&self, alarms: &[String]) -> Vec<Value> {
        (alarms.iter())
            .map(|a| json!({ "AlarmName": a, "AlarmARN": self.arn("cloudwatch", &format!("alarm:{a}")) }))
            .collect()
    }

    fn group_policy_json(&self, p: &GroupPolicy) -> Value {
        let configuration = match &p.predefined_metric {
            Some(metric) => json!({
                "PredefinedMetricSpecification": { "PredefinedMetricType": metric },
                "TargetValue": p.target,
                "DisableScaleIn": p.disable_scale_in,
            }),
            // ECS's policy tracks its capacity provider's metric.
            None => json!({
                "CustomizedMetricSpecification": {
                    "MetricName": "CapacityProviderReservation",
                    "Namespace": "AWS/ECS/ManagedScaling",
                    "Statistic": "Average",
                },
                "TargetValue": p.target,
                "DisableScaleIn": false,
            }),
        };
        json!({
            "AutoScalingGroupName": p.group,
            "PolicyName": p.name,
            "PolicyARN": p.arn,
            "PolicyType": "TargetTrackingScaling",
            "StepAdjustments": [],
            "EstimatedInstanceWarmup": p.warmup_s,
            "Alarms": self.alarms_json(&p.alarms),
            "TargetTrackingConfiguration": configuration,
            "Enabled": true,
        })
    }

    pub(crate) fn delete_group_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteRequest = parse_request(input)?;
        let found = self.asg.policies.iter().position(|p| {
            (p.name == request.policy_name
                && request
                    .auto_scaling_group_name
                    .as_ref()
                    .is_none_or(|g| *g == p.group))
                || p.arn == request.policy_name
        });
        let Some(i) = found else {
            if let Some(g) = &request.auto_scaling_group_name {
                if self.group_index(g).is_none() {
                    return Err(not_found(g));
                }
            }
            return Err(validation(
                format!("Policy {} not found.", request.policy_name),
                "$.PolicyName",
            ));
        };
        if self.asg.policies[i].predefined_metric.is_none() {
            return Err(validation(
                "This policy is managed by Amazon ECS (a capacity provider's managed scaling): turn managed scaling off on the capacity provider instead.",
                "$.PolicyName",
            ));
        }
        let policy = self.asg.policies.remove(i);
        self.command(Command::DeleteAlarms(policy.alarms));
        Ok(json!({}))
    }
}
