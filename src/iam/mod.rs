//! AWS Identity and Access Management, prefix `iam:` (aws-facts 10): roles with their trust
//! policies, the AWS managed policies ECS uses ([`managed`]), inline policies, and instance
//! profiles. Requests take the JSON `aws iam ... --cli-input-json` takes, in PascalCase; policy
//! documents are JSON strings, as the CLI sends them. [`policy`] evaluates them; the other
//! services ask through [`read`] whenever AWS checks a role.
//!
//! Roles a scenario names and never creates: the conventional names ([`IMPLIED`]) are taken
//! to exist with what the name implies (`ecsTaskExecutionRole` trusts `ecs-tasks.amazonaws.com`
//! and has AmazonECSTaskExecutionRolePolicy), so scenarios written before IAM was modelled
//! keep their meaning. Any other role never created does not exist.
//!
//! IAM is global: its ARNs have no Region.

pub mod managed;
pub mod policy;
pub mod read;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::World;

use policy::{Kind, Policy};

/// Roles the model holds (IAM's default quota is 1,000 an account).
pub const ROLES_MAX: usize = 1_000;
/// Managed policies attached to one role (IAM's default quota).
pub const ATTACHED_POLICIES_MAX: usize = 10;
/// Inline policies of one role, at most (the model's bound; IAM bounds their total size).
pub const INLINE_POLICIES_MAX: usize = 10;
/// Instance profiles the model holds (IAM's default quota is 1,000 an account).
pub const INSTANCE_PROFILES_MAX: usize = 1_000;
/// A trust policy at most this long (IAM's default quota for role trust policies).
pub const TRUST_POLICY_CHARS_MAX: usize = 2_048;

/// A role as a scenario made it.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub path: String,
    pub id: String,
    pub description: Option<String>,
    pub created_at: SimTime,
    pub trust_text: String,
    pub trust: Policy,
    /// Managed policies attached, as indexes of [`managed::MANAGED`], in order.
    pub attached: Vec<usize>,
    /// Inline policies by name: their text and parsed document.
    pub inline: BTreeMap<String, (String, Policy)>,
}

#[derive(Debug, Clone)]
pub struct InstanceProfile {
    pub name: String,
    pub path: String,
    pub id: String,
    pub created_at: SimTime,
    /// Its role's name (an instance profile holds at most one).
    pub role: Option<String>,
}

#[derive(Debug, Default)]
pub struct IamState {
    /// Roles by lowercased name (IAM's names are unique regardless of case).
    pub roles: BTreeMap<String, Role>,
    pub instance_profiles: BTreeMap<String, InstanceProfile>,
}

/// A role taken to exist when a scenario names it and never creates it: its name, the
/// service its trust policy allows, and its managed policy.
pub struct Implied {
    pub name: &'static str,
    pub service: &'static str,
    pub policy: &'static str,
}

pub const IMPLIED: &[Implied] = &[
    Implied {
        name: "ecsTaskExecutionRole",
        service: "ecs-tasks.amazonaws.com",
        policy: managed::EXECUTION_ROLE_POLICY,
    },
    Implied {
        name: "ecsInstanceRole",
        service: "ec2.amazonaws.com",
        policy: managed::INSTANCE_ROLE_POLICY,
    },
    Implied {
        name: "ecsEventsRole",
        service: "events.amazonaws.com",
        policy: managed::EVENTS_ROLE_POLICY,
    },
];

/// A trust policy that lets `service` assume the role (what the console's templates write).
pub fn trust_policy_for(service: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

/// Performs `iam:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateRole" => world.create_role(input),
        "GetRole" => world.get_role(input),
        "ListRoles" => world.list_roles(input),
        "DeleteRole" => world.delete_role(input),
        "UpdateAssumeRolePolicy" => world.update_assume_role_policy(input),
        "AttachRolePolicy" => world.attach_role_policy(input, true),
        "DetachRolePolicy" => world.attach_role_policy(input, false),
        "ListAttachedRolePolicies" => world.list_attached_role_policies(input),
        "PutRolePolicy" => world.put_role_policy(input),
        "GetRolePolicy" => world.get_role_policy(input),
        "DeleteRolePolicy" => world.delete_role_policy(input),
        "ListRolePolicies" => world.list_role_policies(input),
        "CreateInstanceProfile" => world.create_instance_profile(input),
        "AddRoleToInstanceProfile" => world.add_role_to_instance_profile(input),
        "GetInstanceProfile" => world.get_instance_profile(input),
        _ => Err(ApiError::unknown_operation(&format!("iam:{operation}"))),
    }
}

/// `describe`'s part: the roles and instance profiles made.
pub fn describe(world: &World) -> Vec<(&'static str, Value)> {
    if world.iam.roles.is_empty() && world.iam.instance_profiles.is_empty() {
        return Vec::new();
    }
    let roles = world
        .iam
        .roles
        .values()
        .map(|r| world.role_json(r))
        .collect();
    let profiles = (world.iam.instance_profiles.values())
        .map(|p| world.instance_profile_json(p))
        .collect();
    vec![
        ("roles", Value::Array(roles)),
        ("instanceProfiles", Value::Array(profiles)),
    ]
}

fn no_such_role(name: &str) -> ApiError {
    ApiError::new(
        "NoSuchEntity",
        format!("The role with name {name} cannot be found."),
        Some("$.RoleName"),
    )
}

/// IAM's name rule for roles, policies and instance profiles: 1 to `max` of `[\w+=,.@-]`.
fn check_name(name: &str, max: usize, path: &str) -> Result<(), ApiError> {
    let valid = (1..=max).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if valid {
        return Ok(());
    }
    let field = path.trim_start_matches("$.");
    let field = format!("{}{}", field[..1].to_ascii_lowercase(), &field[1..]);
    Err(ApiError::new(
        "ValidationError",
        format!("1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"),
        Some(path),
    ))
}

fn check_path(path: &Option<String>) -> Result<String, ApiError> {
    let p = path.clone().unwrap_or_else(|| "/".into());
    if p.starts_with('/') && p.ends_with('/') && p.len() <= 512 {
        Ok(p)
    } else {
        Err(ApiError::new(
            "ValidationError",
            "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
            Some("$.Path"),
        ))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRoleRequest {
    role_name: String,
    assume_role_policy_document: String,
    path: Option<String>,
    description: Option<String>,
    max_session_duration: Option<i64>,
    permissions_boundary: Option<String>,
    /// Taken as it is: tags change nothing the model simulates.
    #[allow(dead_code)]
    tags: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RoleNameRequest {
    role_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct UpdateAssumeRolePolicyRequest {
    role_name: String,
    policy_document: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AttachRolePolicyRequest {
    role_name: String,
    policy_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PutRolePolicyRequest {
    role_name: String,
    policy_name: String,
    policy_document: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RolePolicyRequest {
    role_name: String,
    policy_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListRolesRequest {
    path_prefix: Option<String>,
    marker: Option<String>,
    max_items: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateInstanceProfileRequest {
    instance_profile_name: String,
    path: Option<String>,
    /// Taken as it is: tags change nothing the model simulates.
    #[allow(dead_code)]
    tags: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstanceProfileRoleRequest {
    instance_profile_name: String,
    role_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstanceProfileRequest {
    instance_profile_name: String,
}

impl World {
    fn iam_timestamp(&self, at: SimTime) -> String {
        format!("{}Z", &self.iso(at)[..19])
    }

    pub(crate) fn role_arn(&self, role: &Role) -> String {
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.config.account, role.path, role.name
        )
    }

    fn role_json(&self, role: &Role) -> Value {
        let trust: Value = serde_json::from_str(&role.trust_text).unwrap_or(Value::Null);
        let mut out = json!({
            "Path": role.path,
            "RoleName": role.name,
            "RoleId": role.id,
            "Arn": self.role_arn(role),
            "CreateDate": self.iam_timestamp(role.created_at),
            "AssumeRolePolicyDocument": trust,
            "MaxSessionDuration": 3600,
        });
        if let Some(d) = &role.description {
            out["Description"] = json!(d);
        }
        out
    }

    fn instance_profile_json(&self, p: &InstanceProfile) -> Value {
        let roles: Vec<Value> = (p.role.iter())
            .filter_map(|r| self.iam.roles.get(&r.to_ascii_lowercase()))
            .map(|r| self.role_json(r))
            .collect();
        json!({
            "Path": p.path,
            "InstanceProfileName": p.name,
            "InstanceProfileId": p.id,
            "Arn": format!("arn:aws:iam::{}:instance-profile{}{}", self.config.account, p.path, p.name),
            "CreateDate": self.iam_timestamp(p.created_at),
            "Roles": roles,
        })
    }

    fn iam_role(&self, name: &str) -> Result<&Role, ApiError> {
        self.iam
            .roles
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| no_such_role(name))
    }

    fn create_role(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateRoleRequest = parse_request(input)?;
        check_name(&request.role_name, 64, "$.RoleName")?;
        let path = check_path(&request.path)?;
        if request.permissions_boundary.is_some() {
            return Err(ApiError::not_modelled(
                "$.PermissionsBoundary",
                "permissions boundaries are not evaluated.",
            ));
        }
        if let Some(d) = request.max_session_duration {
            if !(3600..=43200).contains(&d) {
                return Err(ApiError::new("ValidationError", format!("1 validation error detected: Value '{d}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"), Some("$.MaxSessionDuration")));
            }
        }
        if request.assume_role_policy_document.chars().count() > TRUST_POLICY_CHARS_MAX {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_CHARS_MAX}"),
                Some("$.AssumeRolePolicyDocument"),
            ));
        }
        let trust = policy::parse(
            &request.assume_role_policy_document,
            Kind::Trust,
            "$.AssumeRolePolicyDocument",
        )?;
        let key = request.role_name.to_ascii_lowercase();
        if self.iam.roles.contains_key(&key) {
            return Err(ApiError::new(
                "EntityAlreadyExists",
                format!("Role with name {} already exists.", request.role_name),
                Some("$.RoleName"),
            ));
        }
        if self.iam.roles.len() >= ROLES_MAX {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("Cannot exceed quota for RolesPerAccount: {ROLES_MAX}"),
                Some("$.RoleName"),
            ));
        }
        let id = format!("AROA{}", self.ids.hex(17).to_ascii_uppercase());
        let role = Role {
            name: request.role_name,
            path,
            id,
            description: request.description,
            created_at: self.now,
            trust_text: request.assume_role_policy_document,
            trust,
            attached: Vec::new(),
            inline: BTreeMap::new(),
        };
        let out = json!({ "Role": self.role_json(&role) });
        self.iam.roles.insert(key, role);
        Ok(out)
    }

    fn get_role(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RoleNameRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        Ok(json!({ "Role": self.role_json(role) }))
    }

    fn list_roles(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListRolesRequest = parse_request(input)?;
        if request.marker.is_some() || request.max_items.is_some() {
            return Err(ApiError::not_modelled(
                "$.Marker",
                "lists are answered whole, in one page.",
            ));
        }
        let prefix = request.path_prefix.unwrap_or_else(|| "/".into());
        let roles: Vec<Value> = (self.iam.roles.values())
            .filter(|r| r.path.starts_with(&prefix))
            .map(|r| self.role_json(r))
            .collect();
        Ok(json!({ "Roles": roles, "IsTruncated": false }))
    }

    fn delete_role(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RoleNameRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        if !role.attached.is_empty() || !role.inline.is_empty() {
            return Err(ApiError::new(
                "DeleteConflict",
                "Cannot delete entity, must detach all policies first.",
                Some("$.RoleName"),
            ));
        }
        let key = role.name.to_ascii_lowercase();
        if (self.iam.instance_profiles.values()).any(|p| {
            p.role
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(&key))
        }) {
            return Err(ApiError::new(
                "DeleteConflict",
                "Cannot delete entity, must remove roles from instance profile first.",
                Some("$.RoleName"),
            ));
        }
        self.iam.roles.remove(&key);
        Ok(json!({}))
    }

    fn update_assume_role_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: UpdateAssumeRolePolicyRequest = parse_request(input)?;
        self.iam_role(&request.role_name)?;
        let trust = policy::parse(&request.policy_document, Kind::Trust, "$.PolicyDocument")?;
        let role = (self
            .iam
            .roles
            .get_mut(&request.role_name.to_ascii_lowercase()))
        .expect("checked");
        role.trust = trust;
        role.trust_text = request.policy_document;
        Ok(json!({}))
    }

    fn attach_role_policy(&mut self, input: &Value, attach: bool) -> Result<Value, ApiError> {
        let request: AttachRolePolicyRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        let Some((index, _)) = managed::find(&request.policy_arn) else {
            let known = request.policy_arn.starts_with("arn:aws:iam::aws:policy/");
            return Err(if attach && known {
                ApiError::not_modelled(
                    "$.PolicyArn",
                    &format!("this AWS managed policy is not in the model's catalogue; it knows {}. Put an inline policy (PutRolePolicy) with the actions instead.",
                        managed::MANAGED.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")),
                )
            } else {
                ApiError::new(
                    "NoSuchEntity",
                    format!(
                        "Policy {} does not exist or is not attachable.",
                        request.policy_arn
                    ),
                    Some("$.PolicyArn"),
                )
            });
        };
        if attach && role.attached.len() >= ATTACHED_POLICIES_MAX && !role.attached.contains(&index)
        {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("Cannot exceed quota for PoliciesPerRole: {ATTACHED_POLICIES_MAX}"),
                Some("$.PolicyArn"),
            ));
        }
        if !attach && !role.attached.contains(&index) {
            return Err(ApiError::new(
                "NoSuchEntity",
                format!("Policy {} was not found.", request.policy_arn),
                Some("$.PolicyArn"),
            ));
        }
        let role = (self
            .iam
            .roles
            .get_mut(&request.role_name.to_ascii_lowercase()))
        .expect("checked");
        if attach {
            if !role.attached.contains(&index) {
                role.attached.push(index);
            }
        } else {
            role.attached.retain(|&i| i != index);
        }
        Ok(json!({}))
    }

    fn list_attached_role_policies(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RoleNameRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        let attached: Vec<Value> = (role.attached.iter())
            .map(|&i| json!({ "PolicyName": managed::MANAGED[i].name, "PolicyArn": managed::MANAGED[i].arn }))
            .collect();
        Ok(json!({ "AttachedPolicies": attached, "IsTruncated": false }))
    }

    fn put_role_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutRolePolicyRequest = parse_request(input)?;
        check_name(&request.policy_name, 128, "$.PolicyName")?;
        let role = self.iam_role(&request.role_name)?;
        let document = policy::parse(&request.policy_document, Kind::Identity, "$.PolicyDocument")?;
        if role.inline.len() >= INLINE_POLICIES_MAX
            && !role.inline.contains_key(&request.policy_name)
        {
            return Err(ApiError::new(
                "LimitExceeded",
                format!("A role holds at most {INLINE_POLICIES_MAX} inline policies here."),
                Some("$.PolicyName"),
            ));
        }
        let role = (self
            .iam
            .roles
            .get_mut(&request.role_name.to_ascii_lowercase()))
        .expect("checked");
        role.inline
            .insert(request.policy_name, (request.policy_document, document));
        Ok(json!({}))
    }

    fn get_role_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RolePolicyRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        let Some((text, _)) = role.inline.get(&request.policy_name) else {
            return Err(ApiError::new(
                "NoSuchEntity",
                format!(
                    "The role policy with name {} cannot be found.",
                    request.policy_name
                ),
                Some("$.PolicyName"),
            ));
        };
        let document: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        Ok(
            json!({ "RoleName": role.name, "PolicyName": request.policy_name, "PolicyDocument": document }),
        )
    }

    fn delete_role_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RolePolicyRequest = parse_request(input)?;
        self.iam_role(&request.role_name)?;
        let role = (self
            .iam
            .roles
            .get_mut(&request.role_name.to_ascii_lowercase()))
        .expect("checked");
        if role.inline.remove(&request.policy_name).is_none() {
            return Err(ApiError::new(
                "NoSuchEntity",
                format!(
                    "The role policy with name {} cannot be found.",
                    request.policy_name
                ),
                Some("$.PolicyName"),
            ));
        }
        Ok(json!({}))
    }

    fn list_role_policies(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RoleNameRequest = parse_request(input)?;
        let role = self.iam_role(&request.role_name)?;
        let names: Vec<&String> = role.inline.keys().collect();
        Ok(json!({ "PolicyNames": names, "IsTruncated": false }))
    }

    fn create_instance_profile(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateInstanceProfileRequest = parse_request(input)?;
        check_name(&request.instance_profile_name, 128, "$.InstanceProfileName")?;
        let path = check_path(&request.path)?;
        let key = request.instance_profile_name.to_ascii_lowercase();
        if self.iam.instance_profiles.contains_key(&key) {
            return Err(ApiError::new(
                "EntityAlreadyExists",
                format!(
                    "Instance Profile {} already exists.",
                    request.instance_profile_name
                ),
                Some("$.InstanceProfileName"),
            ));
        }
        if self.iam.instance_profiles.len() >= INSTANCE_PROFILES_MAX {
            return Err(ApiError::new(
                "LimitExceeded",
                format!(
                    "Cannot exceed quota for InstanceProfilesPerAccount: {INSTANCE_PROFILES_MAX}"
                ),
                Some("$.InstanceProfileName"),
            ));
        }
        let profile = InstanceProfile {
            name: request.instance_profile_name,
            path,
            id: format!("AIPA{}", self.ids.hex(17).to_ascii_uppercase()),
            created_at: self.now,
            role: None,
        };
        let out = json!({ "InstanceProfile": self.instance_profile_json(&profile) });
        self.iam.instance_profiles.insert(key, profile);
        Ok(out)
    }

    fn add_role_to_instance_profile(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstanceProfileRoleRequest = parse_request(input)?;
        let name = self.iam_role(&request.role_name)?.name.clone();
        let key = request.instance_profile_name.to_ascii_lowercase();
        let Some(profile) = self.iam.instance_profiles.get_mut(&key) else {
            return Err(ApiError::new(
                "NoSuchEntity",
                format!(
                    "Instance Profile {} cannot be found.",
                    request.instance_profile_name
                ),
                Some("$.InstanceProfileName"),
            ));
        };
        if profile.role.is_some() {
            return Err(ApiError::new(
                "LimitExceeded",
                "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
                Some("$.RoleName"),
            ));
        }
        profile.role = Some(name);
        Ok(json!({}))
    }

    fn get_instance_profile(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstanceProfileRequest = parse_request(input)?;
        let key = request.instance_profile_name.to_ascii_lowercase();
        let Some(profile) = self.iam.instance_profiles.get(&key) else {
            return Err(ApiError::new(
                "NoSuchEntity",
                format!(
                    "Instance Profile {} cannot be found.",
                    request.instance_profile_name
                ),
                Some("$.InstanceProfileName"),
            ));
        };
        Ok(json!({ "InstanceProfile": self.instance_profile_json(profile) }))
    }
}
