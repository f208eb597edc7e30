//! Mixed instances policies (CreateAutoScalingGroup's `MixedInstancesPolicy`): a launch
//! template with several instance types (`Overrides`), and how many instances are On-Demand
//! and how many Spot (`InstancesDistribution`: `OnDemandBaseCapacity` first, then
//! `OnDemandPercentageAboveBaseCapacity` of the rest). On-Demand instances take the first
//! type (the `prioritized` strategy); Spot instances spread over the types, each launch taking
//! the type with the fewest Spot instances of the group (the model has no Spot prices or
//! pools, so every Spot allocation strategy is taken as this diversification, and Spot always
//! has capacity). Spot instances are interrupted by `sim:InterruptSpot` `instanceIds`.

use serde::Deserialize;
use serde_json::Value;

use super::{validation, TemplateField};
use crate::engine::error::ApiError;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct MixedPolicy {
    pub launch_template: Option<MixedTemplate>,
    pub instances_distribution: Option<Distribution>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct MixedTemplate {
    pub launch_template_specification: Option<TemplateField>,
    pub overrides: Option<Vec<Override>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct Override {
    pub instance_type: Option<String>,
    pub weighted_capacity: Option<Value>,
    pub launch_template_specification: Option<Value>,
    pub instance_requirements: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct Distribution {
    pub on_demand_allocation_strategy: Option<String>,
    pub on_demand_base_capacity: Option<i64>,
    pub on_demand_percentage_above_base_capacity: Option<i64>,
    pub spot_allocation_strategy: Option<String>,
    pub spot_instance_pools: Option<Value>,
    pub spot_max_price: Option<Value>,
}

/// What a group keeps of its mixed instances policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixed {
    /// The instance types, in priority order.
    pub types: Vec<String>,
    pub on_demand_base: u32,
    /// Percent of the instances above the base that are On-Demand (100 by default).
    pub on_demand_percent: u32,
    /// The policy as DescribeAutoScalingGroups shows it.
    pub described: Value,
}

const SPOT_STRATEGIES: [&str; 4] = [
    "lowest-price",
    "capacity-optimized",
    "capacity-optimized-prioritized",
    "price-capacity-optimized",
];

/// The overrides' and distribution's fields the model does not act on.
fn unmodelled(input: &Value, overrides: usize) -> Result<(), ApiError> {
    let base = "$.MixedInstancesPolicy";
    let paths: Vec<(String, &'static str)> = (0..overrides)
        .flat_map(|n| {
            [
                (format!("{base}.LaunchTemplate.Overrides[{n}].WeightedCapacity"), "instance weights are not simulated: each instance counts 1."),
                (format!("{base}.LaunchTemplate.Overrides[{n}].LaunchTemplateSpecification"), "a launch template per override is not simulated: one template for the group."),
                (format!("{base}.LaunchTemplate.Overrides[{n}].InstanceRequirements"), "attribute-based instance type selection is not simulated: name each InstanceType."),
            ]
        })
        .chain([
            (format!("{base}.InstancesDistribution.SpotMaxPrice"), "Spot prices are not simulated."),
            (format!("{base}.InstancesDistribution.SpotInstancePools"), "Spot pools are not simulated."),
        ])
        .collect();
    for (path, why) in &paths {
        // As a JSON pointer: `$.A.B[0].C` is `/A/B/0/C`.
        let pointer = path
            .trim_start_matches('$')
            .replace(['.', '['], "/")
            .replace(']', "");
        if input.pointer(&pointer).is_some_and(|v| !v.is_null()) {
            return Err(ApiError::not_modelled(path, why));
        }
    }
    Ok(())
}

/// The policy checked: its template field, and what the group keeps.
pub(super) fn check<'a>(
    policy: &'a MixedPolicy,
    input: &Value,
) -> Result<(&'a TemplateField, Mixed), ApiError> {
    let base = "$.MixedInstancesPolicy";
    let Some(template) = policy.launch_template.as_ref() else {
        return Err(validation(
            "A LaunchTemplate is required in a MixedInstancesPolicy.",
            &format!("{base}.LaunchTemplate"),
        ));
    };
    let Some(spec) = template.launch_template_specification.as_ref() else {
        return Err(validation(
            "A LaunchTemplateSpecification is required in a MixedInstancesPolicy's LaunchTemplate.",
            &format!("{base}.LaunchTemplate.LaunchTemplateSpecification"),
        ));
    };
    let overrides = template.overrides.as_deref().unwrap_or_default();
    unmodelled(input, overrides.len())?;
    let mut types = Vec::new();
    for (n, o) in overrides.iter().enumerate() {
        let path = format!("{base}.LaunchTemplate.Overrides[{n}].InstanceType");
        let Some(kind) = o.instance_type.as_deref() else {
            return Err(validation("An override needs an InstanceType.", &path));
        };
        if crate::ec2::catalogue::instance_type(kind).is_none() {
            return Err(validation(
                format!(
                    "Invalid value for InstanceType: {kind}. The instance type is not supported."
                ),
                &path,
            ));
        }
        types.push(kind.to_string());
    }
    let d = policy.instances_distribution.as_ref();
    let at = format!("{base}.InstancesDistribution");
    let base_capacity = d.and_then(|d| d.on_demand_base_capacity).unwrap_or(0);
    if base_capacity < 0 {
        return Err(validation(
            "OnDemandBaseCapacity must be 0 or more.",
            &format!("{at}.OnDemandBaseCapacity"),
        ));
    }
    let percent = d
        .and_then(|d| d.on_demand_percentage_above_base_capacity)
        .unwrap_or(100);
    if !(0..=100).contains(&percent) {
        return Err(validation(
            "OnDemandPercentageAboveBaseCapacity must be between 0 and 100.",
            &format!("{at}.OnDemandPercentageAboveBaseCapacity"),
        ));
    }
    if let Some(s) = d.and_then(|d| d.spot_allocation_strategy.as_deref()) {
        if !SPOT_STRATEGIES.contains(&s) {
            return Err(validation(
                format!(
                    "Invalid SpotAllocationStrategy: {s}. Valid values: {}.",
                    SPOT_STRATEGIES.join(", ")
                ),
                &format!("{at}.SpotAllocationStrategy"),
            ));
        }
    }
    match d.and_then(|d| d.on_demand_allocation_strategy.as_deref()) {
        None | Some("prioritized") => {}
        Some("lowest-price") => {
            return Err(ApiError::not_modelled(
                &format!("{at}.OnDemandAllocationStrategy"),
                "On-Demand prices are not simulated: use prioritized (the first override first).",
            ))
        }
        Some(other) => {
            return Err(validation(
                format!("Invalid OnDemandAllocationStrategy: {other}. Valid values: prioritized, lowest-price."),
                &format!("{at}.OnDemandAllocationStrategy"),
            ))
        }
    }
    let described = input
        .pointer("/MixedInstancesPolicy")
        .cloned()
        .unwrap_or_default();
    Ok((
        spec,
        Mixed {
            types,
            on_demand_base: base_capacity as u32,
            on_demand_percent: percent as u32,
            described,
        },
    ))
}

/// Whether the group's next instance is On-Demand, with `on_demand` and `spot` instances not
/// leaving: On-Demand while under the base, then the percentage of the instances above it
/// (rounded up), Spot otherwise.
pub fn next_is_on_demand(mixed: &Mixed, on_demand: u32, spot: u32) -> bool {
    let n = on_demand + spot + 1;
    let above = n.saturating_sub(mixed.on_demand_base);
    let target = n.min(mixed.on_demand_base)
        + (u64::from(above) * u64::from(mixed.on_demand_percent)).div_ceil(100) as u32;
    on_demand < target
}
