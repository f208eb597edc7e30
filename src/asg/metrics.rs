//! Group metrics (EnableMetricsCollection, DisableMetricsCollection): a group whose metrics
//! collection is on publishes them in `AWS/AutoScaling` with the dimension
//! `AutoScalingGroupName` once a minute, as the console's "Monitoring" tab charts them.
//! Granularity is `1Minute`, the only one AWS offers. Without weights each capacity metric
//! equals its instance count.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{not_found, validation, Lifecycle};
use crate::cloudwatch::Datum;
use crate::engine::error::{parse_request, ApiError};
use crate::world::World;

pub const NAMESPACE: &str = "AWS/AutoScaling";

/// The group metrics the model publishes, in AWS's order (BOTO-ASG `EnableMetricsCollection`).
/// The warm pool's metrics are not among them: the model has no warm pools.
pub const GROUP_METRICS: [&str; 13] = [
    "GroupMinSize",
    "GroupMaxSize",
    "GroupDesiredCapacity",
    "GroupInServiceInstances",
    "GroupPendingInstances",
    "GroupStandbyInstances",
    "GroupTerminatingInstances",
    "GroupTotalInstances",
    "GroupInServiceCapacity",
    "GroupPendingCapacity",
    "GroupStandbyCapacity",
    "GroupTerminatingCapacity",
    "GroupTotalCapacity",
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct EnableRequest {
    auto_scaling_group_name: String,
    metrics: Option<Vec<String>>,
    granularity: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DisableRequest {
    auto_scaling_group_name: String,
    metrics: Option<Vec<String>>,
}

/// The metrics a request names (all of them when it names none), each checked.
fn named(metrics: Option<&[String]>) -> Result<Vec<&'static str>, ApiError> {
    let Some(metrics) = metrics.filter(|m| !m.is_empty()) else {
        return Ok(GROUP_METRICS.to_vec());
    };
    let mut out = Vec::new();
    for (n, m) in metrics.iter().enumerate() {
        let path = format!("$.Metrics[{n}]");
        let Some(known) = GROUP_METRICS.iter().find(|k| **k == m.as_str()) else {
            let message = if m.starts_with("WarmPool") || m == "GroupAndWarmPoolDesiredCapacity" {
                format!("{m} is a warm pool metric; the playground models no warm pools.")
            } else {
                format!(
                    "Invalid metric name: {m}. Valid metrics: {}.",
                    GROUP_METRICS.join(", ")
                )
            };
            return Err(validation(message, &path));
        };
        if !out.contains(known) {
            out.push(*known);
        }
    }
    Ok(out)
}

impl World {
    pub(crate) fn enable_metrics_collection(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: EnableRequest = parse_request(input)?;
        let g = (self.group_index(&request.auto_scaling_group_name))
            .ok_or_else(|| not_found(&request.auto_scaling_group_name))?;
        if request.granularity != "1Minute" {
            return Err(validation("Valid granularity is 1Minute.", "$.Granularity"));
        }
        let metrics = named(request.metrics.as_deref())?;
        let enabled = &mut self.asg.groups[g].enabled_metrics;
        for m in metrics {
            if !enabled.contains(&m) {
                enabled.push(m);
            }
        }
        enabled.sort_by_key(|m| GROUP_METRICS.iter().position(|k| k == m));
        Ok(json!({}))
    }

    pub(crate) fn disable_metrics_collection(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DisableRequest = parse_request(input)?;
        let g = (self.group_index(&request.auto_scaling_group_name))
            .ok_or_else(|| not_found(&request.auto_scaling_group_name))?;
        let metrics = named(request.metrics.as_deref())?;
        self.asg.groups[g]
            .enabled_metrics
            .retain(|m| !metrics.contains(m));
        Ok(json!({}))
    }
}

/// DescribeAutoScalingGroups' `EnabledMetrics`.
pub(crate) fn enabled_json(metrics: &[&'static str]) -> Value {
    json!(metrics
        .iter()
        .map(|m| json!({ "Metric": m, "Granularity": "1Minute" }))
        .collect::<Vec<_>>())
}

/// The group metrics of the minute that just ended, for the groups that collect them (each
/// group's state as the minute ends).
pub fn minute_metrics(world: &World) -> Vec<Datum> {
    let mut out = Vec::new();
    let load = crate::sim::read::any_load(world);
    for g in &world.asg.groups {
        // EC2's CPUUtilization of the group's instances, averaged (what ASGAverageCPUUtilization
        // tracks), for every group with instances in service and a policy tracking it.
        let tracked =
            (world.asg.policies.iter()).any(|p| p.group == g.name && p.predefined_metric.is_some());
        let cpu: Vec<f64> = (g.instances.iter())
            .filter(|i| tracked && i.lifecycle == Lifecycle::InService)
            .filter_map(|i| {
                if load {
                    crate::ecs::read::instance_cpu_percent(world, &i.id)
                } else {
                    Some(0.0)
                }
            })
            .collect();
        if !cpu.is_empty() {
            out.push(Datum::value(
                "AWS/EC2",
                "CPUUtilization",
                &[("AutoScalingGroupName", g.name.as_str())],
                "Percent",
                cpu.iter().sum::<f64>() / cpu.len() as f64,
            ));
        }
        if g.enabled_metrics.is_empty() {
            continue;
        }
        let count = |pred: fn(Lifecycle) -> bool| {
            g.instances.iter().filter(|i| pred(i.lifecycle)).count() as f64
        };
        let pending = count(|l| l == Lifecycle::Pending);
        let in_service = count(|l| l == Lifecycle::InService);
        let terminating = count(Lifecycle::leaving);
        let total = g.instances.len() as f64;
        for &m in &g.enabled_metrics {
            let value = match m {
                "GroupMinSize" => f64::from(g.min),
                "GroupMaxSize" => f64::from(g.max),
                "GroupDesiredCapacity" => f64::from(g.desired),
                "GroupInServiceInstances" | "GroupInServiceCapacity" => in_service,
                "GroupPendingInstances" | "GroupPendingCapacity" => pending,
                "GroupTerminatingInstances" | "GroupTerminatingCapacity" => terminating,
                "GroupTotalInstances" | "GroupTotalCapacity" => total,
                _ => 0.0, // Standby: the model puts no instance in standby.
            };
            out.push(Datum::value(
                NAMESPACE,
                m,
                &[("AutoScalingGroupName", g.name.as_str())],
                "None",
                value,
            ));
        }
    }
    out
}
