//! What other services may ask of IAM: whether a role exists and trusts a service, and
//! whether it allows an action on a resource, with IAM's denial text.

use super::policy::{evaluate, Request};
use super::{managed, IMPLIED};
use crate::world::World;

pub use super::policy::Decision;

/// A role as another service sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleView {
    pub name: String,
    pub arn: String,
    /// Taken to exist from its conventional name (never created).
    pub implied: bool,
    /// The services its trust policy names.
    pub trusted_services: Vec<String>,
    /// Its managed policies' names, then its inline policies' names.
    pub policies: Vec<String>,
}

/// The role's name in an ARN (`arn:aws:iam::<account>:role/<path>/<name>`) or a bare name,
/// and whether the ARN is of this account.
fn role_name<'a>(world: &World, arn_or_name: &'a str) -> Option<&'a str> {
    match arn_or_name.strip_prefix("arn:aws:iam::") {
        Some(rest) => {
            let (account, resource) = rest.split_once(':')?;
            let path_name = resource.strip_prefix("role/")?;
            (account == world.config.account)
                .then(|| path_name.rsplit('/').next().unwrap_or(path_name))
        }
        None => Some(arn_or_name),
    }
}

/// The role of that ARN or name: made by a scenario, or implied by its conventional name.
pub fn role(world: &World, arn_or_name: &str) -> Option<RoleView> {
    let name = role_name(world, arn_or_name)?;
    if let Some(r) = world.iam.roles.get(&name.to_ascii_lowercase()) {
        let trusted_services = (r.trust.statements.iter())
            .filter(|s| s.allow)
            .flat_map(|s| s.principals.iter())
            .filter(|(k, _)| k == "Service")
            .map(|(_, v)| v.clone())
            .collect();
        let policies = (r
            .attached
            .iter()
            .map(|&i| managed::MANAGED[i].name.to_string()))
        .chain(r.inline.keys().cloned())
        .collect();
        return Some(RoleView {
            name: r.name.clone(),
            arn: world.role_arn(r),
            implied: false,
            trusted_services,
            policies,
        });
    }
    let implied = IMPLIED.iter().find(|i| i.name == name)?;
    Some(RoleView {
        name: implied.name.to_string(),
        arn: format!(
            "arn:aws:iam::{}:role/{}",
            world.config.account, implied.name
        ),
        implied: true,
        trusted_services: vec![implied.service.to_string()],
        policies: vec![managed::find(implied.policy)
            .map_or("", |(_, m)| m.name)
            .to_string()],
    })
}

/// Whether `service` (such as `ecs-tasks.amazonaws.com`) may assume the role on behalf of
/// `source_arn`: it exists and its trust policy allows `sts:AssumeRole` to the service. The
/// request carries the keys AWS's confused-deputy conditions test, `aws:SourceAccount` (the
/// account) and `aws:SourceArn`, so the trust policies the ECS guide recommends (ArnLike
/// `arn:aws:ecs:<region>:<account>:*`, StringEquals the account) hold.
pub fn can_assume(world: &World, arn_or_name: &str, service: &str, source_arn: &str) -> bool {
    let Some(name) = role_name(world, arn_or_name) else {
        return false;
    };
    if let Some(r) = world.iam.roles.get(&name.to_ascii_lowercase()) {
        let context = [
            ("aws:SourceAccount", world.config.account.as_str()),
            ("aws:SourceArn", source_arn),
        ];
        let request = Request {
            action: "sts:AssumeRole",
            resource: "",
            principal: Some(("Service", service)),
            context: &context,
        };
        return evaluate([&r.trust], &request) == Decision::Allowed;
    }
    IMPLIED
        .iter()
        .any(|i| i.name == name && i.service == service)
}

/// IAM's decision on the role calling `action` on `resource` (no role: the implicit deny).
pub fn authorize(world: &World, arn_or_name: &str, action: &str, resource: &str) -> Decision {
    let Some(name) = role_name(world, arn_or_name) else {
        return Decision::ImplicitDeny;
    };
    let request = Request {
        action,
        resource,
        principal: None,
        context: &[],
    };
    if let Some(r) = world.iam.roles.get(&name.to_ascii_lowercase()) {
        let attached = r.attached.iter().map(|&i| managed::document(i));
        let inline = r.inline.values().map(|(_, p)| p);
        return evaluate(attached.chain(inline), &request);
    }
    match IMPLIED.iter().find(|i| i.name == name) {
        Some(implied) => {
            let (index, _) = managed::find(implied.policy).expect("in the catalogue");
            evaluate([managed::document(index)], &request)
        }
        None => Decision::ImplicitDeny,
    }
}

/// The role of an instance profile (its name, or its ARN): made by a scenario, or
/// `ecsInstanceRole`'s implied profile of the same name.
pub fn instance_profile_role(world: &World, arn_or_name: &str) -> Option<String> {
    let name = arn_or_name.rsplit('/').next().unwrap_or(arn_or_name);
    match world.iam.instance_profiles.get(&name.to_ascii_lowercase()) {
        Some(p) => p.role.clone(),
        None => (IMPLIED.iter())
            .find(|i| i.name == name && i.service == "ec2.amazonaws.com")
            .map(|i| i.name.to_string()),
    }
}

/// IAM's AccessDenied text for a role's session: `User: <assumed-role ARN> is not authorized
/// to perform: <action> on resource: <resource> because no identity-based policy allows the
/// <action> action` (or `with an explicit deny in an identity-based policy`).
pub fn denied_message(
    world: &World,
    role_arn: &str,
    session: &str,
    action: &str,
    resource: &str,
    decision: Decision,
) -> String {
    let name = role_name(world, role_arn).unwrap_or(role_arn);
    let why = match decision {
        Decision::ExplicitDeny => "with an explicit deny in an identity-based policy".to_string(),
        _ => format!("because no identity-based policy allows the {action} action"),
    };
    format!(
        "User: arn:aws:sts::{}:assumed-role/{name}/{session} is not authorized to perform: {action} on resource: {resource} {why}",
        world.config.account
    )
}

/// Every role made, by name, for the playground's roles panel.
pub fn roles(world: &World) -> Vec<RoleView> {
    (world.iam.roles.values())
        .filter_map(|r| role(world, &r.name))
        .collect()
}

/// The managed policies a role may be given, (name, ARN), for the roles panel.
pub fn managed_policies() -> Vec<(&'static str, &'static str)> {
    managed::MANAGED.iter().map(|m| (m.name, m.arn)).collect()
}
