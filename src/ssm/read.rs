//! What other services and the playground may read of Parameter Store.

use crate::world::World;

/// A parameter as another service sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterView {
    pub name: String,
    pub arn: String,
    pub kind: String,
    pub value: String,
    pub version: u64,
}

/// The parameter of that name, or ARN of this Region and account.
pub fn parameter(world: &World, name_or_arn: &str) -> Option<ParameterView> {
    let name = super::parameter_name(world, name_or_arn)?;
    let p = world.ssm.parameters.get(&name)?;
    Some(ParameterView {
        name: p.name.clone(),
        arn: world.parameter_arn(&p.name),
        kind: p.kind.clone(),
        value: p.value.clone(),
        version: p.version,
    })
}

/// The ARN a parameter name or ARN stands for (in this Region when it is a name).
pub fn arn_of(world: &World, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else {
        world.parameter_arn(name_or_arn)
    }
}

/// Every parameter, by name, for the playground.
pub fn parameters(world: &World) -> Vec<ParameterView> {
    (world.ssm.parameters.keys())
        .filter_map(|n| parameter(world, n))
        .collect()
}
