//! A service's auto scaling as the services panel shows it, and the requests its form makes,
//! free of the browser.

use serde_json::{json, Value};

use crate::world::World;

/// One alarm of a policy as the panel lists it: name, state, threshold, comparison sign.
pub type AlarmLine = (String, &'static str, f64, &'static str);

/// Scaling activities shown per service, the newest first.
pub const ACTIVITIES_SHOWN: usize = 5;

/// A service's auto scaling as the panel shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScalingView {
    /// The scalable target's min and max, once registered.
    pub bounds: Option<(u32, u32)>,
    /// Each policy: its name, type, and its alarms (name, state, threshold, comparison).
    pub policies: Vec<(String, &'static str, Vec<AlarmLine>)>,
    /// The newest activities: description, cause, status.
    pub activities: Vec<(String, String, &'static str)>,
    /// `ALBRequestCountPerTarget`'s ResourceLabel, when the service is behind an ALB group.
    pub resource_label: Option<String>,
    /// Scheduled actions: name, schedule, zone.
    pub scheduled: Vec<(String, String, String)>,
}

/// What the panel shows of `cluster`/`service`'s scaling.
pub fn scaling_view(world: &World, cluster: &str, service: &str) -> ScalingView {
    let resource = format!("service/{cluster}/{service}");
    let bounds = (world.autoscaling.targets.iter())
        .find(|t| t.resource_id == resource)
        .map(|t| (t.min, t.max));
    let policies = (world.autoscaling.policies.iter())
        .filter(|p| p.resource_id == resource)
        .map(|p| {
            let (kind, names): (&'static str, Vec<String>) = match &p.kind {
                crate::autoscaling::PolicyKind::TargetTracking(tt) => (
                    "target tracking",
                    std::iter::once(tt.high.clone())
                        .chain(tt.low.clone())
                        .collect(),
                ),
                crate::autoscaling::PolicyKind::Step(_) => {
                    let names = (world.cloudwatch.alarms.iter())
                        .filter(|a| a.alarm_actions.contains(&p.arn))
                        .map(|a| a.name.clone())
                        .collect();
                    ("step", names)
                }
            };
            let alarms = (names.iter())
                .filter_map(|n| world.cloudwatch.alarms.iter().find(|a| a.name == *n))
                .map(|a| {
                    let sign = match a.comparison {
                        crate::cloudwatch::alarms::Comparison::Greater => ">",
                        crate::cloudwatch::alarms::Comparison::GreaterOrEqual => ">=",
                        crate::cloudwatch::alarms::Comparison::Less => "<",
                        crate::cloudwatch::alarms::Comparison::LessOrEqual => "<=",
                    };
                    (a.name.clone(), a.state.as_str(), a.threshold, sign)
                })
                .collect();
            (p.name.clone(), kind, alarms)
        })
        .collect();
    let activities = (world.autoscaling.activities.iter().rev())
        .filter(|a| a.resource_id == resource && a.not_scaled.is_none())
        .take(ACTIVITIES_SHOWN)
        .map(|a| (a.description.clone(), a.cause.clone(), a.status))
        .collect();
    let resource_label = (world.ecs.services.iter())
        .find(|s| s.cluster == cluster && s.name == service)
        .and_then(|s| s.load_balancers.first())
        .filter(|lb| lb.load_balancer_name.is_none())
        .and_then(|lb| {
            let users = world.load_balancers_of(&lb.target_group_arn);
            let alb = (world.elb.load_balancers.iter()).find(|l| {
                users.contains(&l.arn) && l.kind == crate::elb::load_balancer::Kind::Application
            })?;
            let dimension = crate::elb::traffic::dimension_value;
            Some(format!(
                "{}/{}",
                dimension(&alb.arn),
                dimension(&lb.target_group_arn)
            ))
        });
    let scheduled = (world.autoscaling.scheduled.iter())
        .filter(|a| a.resource_id == resource)
        .map(|a| {
            (
                a.name.clone(),
                a.schedule_text.clone(),
                a.timezone.clone().unwrap_or_else(|| "UTC".into()),
            )
        })
        .collect();
    ScalingView {
        bounds,
        policies,
        activities,
        resource_label,
        scheduled,
    }
}

/// The metrics a target-tracking policy may follow from the panel, with their default targets.
pub const TRACKED_METRICS: [(&str, &str, &str); 3] = [
    ("ECSServiceAverageCPUUtilization", "average CPU (%)", "50"),
    (
        "ECSServiceAverageMemoryUtilization",
        "average memory (%)",
        "70",
    ),
    (
        "ALBRequestCountPerTarget",
        "requests per target a minute",
        "1000",
    ),
];

/// PutScalingPolicy for a target-tracking policy on `metric` at `target` (the text typed: a
/// number is sent as one, anything else as typed for AWS's check to refuse).
pub fn target_tracking_request(
    resource: &str,
    metric: &str,
    target: &str,
    resource_label: Option<&str>,
) -> Value {
    let mut predefined = json!({ "PredefinedMetricType": metric });
    if metric == "ALBRequestCountPerTarget" {
        if let Some(label) = resource_label {
            predefined["ResourceLabel"] = json!(label);
        }
    }
    let target_value = typed_number(target);
    let short = match metric {
        "ECSServiceAverageCPUUtilization" => "cpu",
        "ECSServiceAverageMemoryUtilization" => "memory",
        _ => "requests",
    };
    json!({
        "PolicyName": format!("{short}-target-tracking"),
        "ServiceNamespace": "ecs",
        "ResourceId": resource,
        "ScalableDimension": crate::autoscaling::DIMENSION,
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": target_value,
            "PredefinedMetricSpecification": predefined,
        },
    })
}

/// What the scheduled-action form says of a schedule as it is typed: the next time it names
/// (in UTC and in its zone's clock), or what is wrong with it.
pub fn schedule_check(world: &World, schedule: &str, timezone: &str) -> Result<String, String> {
    use crate::autoscaling::schedule::{next_after, offset_at, parse, zone};
    let parsed = parse(schedule.trim())?;
    let (standard, dst) = zone(timezone)
        .ok_or_else(|| format!("'{timezone}' is not in the model's table of zones"))?;
    let now = world.config.start_epoch_ms + world.now() as i64;
    let next = next_after(&parsed, (standard, dst), now, now, None)
        .ok_or("it names no time after now (within a year)")?;
    let local = next + offset_at(standard, dst, next);
    let local = crate::engine::time::format_timestamp(local);
    let utc = crate::engine::time::format_timestamp(next);
    Ok(format!(
        "next: {} {timezone} ({} UTC)",
        &local[..16].replace('T', " "),
        &utc[11..16]
    ))
}

/// PutScheduledAction for the form: a schedule in a zone setting min and max (each typed
/// number sent as one, anything else as typed, empty left out).
pub fn scheduled_request(
    resource: &str,
    name: &str,
    schedule: &str,
    timezone: &str,
    min: &str,
    max: &str,
) -> Value {
    let mut action = json!({});
    for (key, text) in [("MinCapacity", min), ("MaxCapacity", max)] {
        let text = text.trim();
        if !text.is_empty() {
            action[key] = typed_number(text);
        }
    }
    json!({
        "ServiceNamespace": "ecs",
        "ResourceId": resource,
        "ScalableDimension": crate::autoscaling::DIMENSION,
        "ScheduledActionName": name.trim(),
        "Schedule": schedule.trim(),
        "Timezone": timezone,
        "ScalableTargetAction": action,
    })
}

/// What a form's request would meet if sent now, as it is typed: None when it would be
/// accepted, else AWS's refusal (code, message, field). Application Auto Scaling's checks
/// (RegisterScalableTarget, PutScalingPolicy) run against the session's world, changing nothing.
pub fn form_check(world: &World, action: &str, input: &Value) -> Option<String> {
    let operation = action.strip_prefix("application-autoscaling:")?;
    crate::autoscaling::check(world, operation, input)
        .err()
        .map(|e| e.to_string())
}

/// RegisterScalableTarget for the min and max typed (a number sent as one, anything else as
/// typed for AWS's check to refuse).
pub fn register_request(resource: &str, min: &str, max: &str) -> Value {
    json!({
        "ServiceNamespace": "ecs",
        "ResourceId": resource,
        "ScalableDimension": crate::autoscaling::DIMENSION,
        "MinCapacity": typed_number(min),
        "MaxCapacity": typed_number(max),
    })
}

fn typed_number(text: &str) -> Value {
    let text = text.trim();
    (text.parse::<i64>().map(|n| json!(n)))
        .or_else(|_| text.parse::<f64>().map(|v| json!(v)))
        .unwrap_or_else(|_| json!(text))
}

/// The step-scaling form: which way the policy scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepDirection {
    /// Out when the metric is at or above the threshold.
    Out,
    /// In when the metric is at or below it.
    In,
}

/// The step-scaling form's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct StepForm {
    pub direction: StepDirection,
    /// `CPUUtilization` or `MemoryUtilization` of the service (AWS/ECS).
    pub metric: String,
    pub threshold: String,
    /// ChangeInCapacity, PercentChangeInCapacity or ExactCapacity.
    pub adjustment_type: String,
    /// The adjustment as typed: positive; an In policy sends it negated (but ExactCapacity).
    pub adjustment: String,
    pub cooldown: String,
}

/// The step-scaling form's metrics: AWS/ECS's service metrics, with their words.
pub const STEP_METRICS: [(&str, &str); 2] = [
    ("CPUUtilization", "CPU (%)"),
    ("MemoryUtilization", "memory (%)"),
];

/// The step-scaling form's adjustment types: AWS's name and the form's words.
pub const ADJUSTMENT_TYPES: [(&str, &str); 3] = [
    ("ChangeInCapacity", "tasks"),
    ("PercentChangeInCapacity", "% of tasks"),
    ("ExactCapacity", "tasks exactly"),
];

/// The step form's alarm: one datapoint of a minute's average crosses the threshold (the
/// form's choice: one period reacts as fast as the service's one-minute metrics allow).
pub const STEP_ALARM_PERIOD_S: u32 = 60;

impl StepForm {
    /// The policy's name: `<metric>-step-out` or `-in`.
    pub fn policy_name(&self) -> String {
        let metric = if self.metric == "MemoryUtilization" {
            "memory"
        } else {
            "cpu"
        };
        let way = match self.direction {
            StepDirection::Out => "out",
            StepDirection::In => "in",
        };
        format!("{metric}-step-{way}")
    }

    /// PutScalingPolicy (StepScaling, one step open on the far side of the threshold).
    pub fn policy_request(&self, resource: &str) -> Value {
        let adjustment = match typed_number(&self.adjustment) {
            Value::Number(n)
                if self.direction == StepDirection::In
                    && self.adjustment_type != "ExactCapacity" =>
            {
                n.as_i64()
                    .map_or(json!(-n.as_f64().unwrap_or(0.0)), |n| json!(-n))
            }
            other => other,
        };
        let step = match self.direction {
            StepDirection::Out => {
                json!({ "MetricIntervalLowerBound": 0, "ScalingAdjustment": adjustment })
            }
            StepDirection::In => {
                json!({ "MetricIntervalUpperBound": 0, "ScalingAdjustment": adjustment })
            }
        };
        let mut config = json!({
            "AdjustmentType": self.adjustment_type,
            "StepAdjustments": [step],
            "MetricAggregationType": "Average",
        });
        if !self.cooldown.trim().is_empty() {
            config["Cooldown"] = typed_number(&self.cooldown);
        }
        json!({
            "PolicyName": self.policy_name(),
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": crate::autoscaling::DIMENSION,
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": config,
        })
    }

    /// The policy and then its alarm on the service's metric, which names the policy's ARN
    /// from the first answer (`${r0.PolicyARN}`).
    pub fn batch(&self, cluster: &str, service: &str) -> Vec<(String, Value)> {
        let resource = format!("service/{cluster}/{service}");
        let operator = match self.direction {
            StepDirection::Out => "GreaterThanOrEqualToThreshold",
            StepDirection::In => "LessThanOrEqualToThreshold",
        };
        let alarm = json!({
            "AlarmName": format!("{service}-{}", self.policy_name()),
            "Namespace": "AWS/ECS",
            "MetricName": self.metric,
            "Dimensions": [{ "Name": "ClusterName", "Value": cluster }, { "Name": "ServiceName", "Value": service }],
            "Statistic": "Average",
            "Period": STEP_ALARM_PERIOD_S,
            "EvaluationPeriods": 1,
            "Threshold": typed_number(&self.threshold),
            "ComparisonOperator": operator,
            "AlarmActions": ["${r0.PolicyARN}"],
        });
        vec![
            (
                "application-autoscaling:PutScalingPolicy".into(),
                self.policy_request(&resource),
            ),
            ("cloudwatch:PutMetricAlarm".into(), alarm),
        ]
    }

    /// What the form would meet if sent now: the policy's refusal, or a threshold that is not
    /// a number; None when both would be accepted.
    pub fn check(&self, world: &World, cluster: &str, service: &str) -> Option<String> {
        let resource = format!("service/{cluster}/{service}");
        let policy = self.policy_request(&resource);
        form_check(world, "application-autoscaling:PutScalingPolicy", &policy).or_else(|| {
            (!typed_number(&self.threshold).is_number()).then(|| {
                format!(
                    "ValidationException: Threshold '{}' is not a number. (at $.Threshold)",
                    self.threshold.trim()
                )
            })
        })
    }
}
