//! The roles panel's model: the roles there are (made, implied by their conventional name, or
//! named by a task definition and missing), what each is used for, and the requests a role
//! template makes.

use serde_json::{json, Value};

use crate::iam::read as iam;
use crate::world::World;

/// A role made from a template: the service it trusts and its managed policy.
pub struct RoleTemplate {
    pub id: &'static str,
    pub label: &'static str,
    pub service: &'static str,
    /// The managed policy attached, if any (a task role starts with none: the application's
    /// permissions are the user's to give).
    pub policy: Option<&'static str>,
}

pub const TEMPLATES: &[RoleTemplate] = &[
    RoleTemplate {
        id: "execution",
        label: "ECS task execution role (pulls images, writes logs)",
        service: "ecs-tasks.amazonaws.com",
        policy: Some(crate::iam::managed::EXECUTION_ROLE_POLICY),
    },
    RoleTemplate {
        id: "task",
        label: "ECS task role (the application's AWS calls)",
        service: "ecs-tasks.amazonaws.com",
        policy: None,
    },
    RoleTemplate {
        id: "instance",
        label: "ECS container instance role (the agent on EC2)",
        service: "ec2.amazonaws.com",
        policy: Some(crate::iam::managed::INSTANCE_ROLE_POLICY),
    },
];

/// The requests that make role `name` from template `id`: CreateRole with the template's
/// trust policy, then AttachRolePolicy (and for the instance role, its instance profile).
pub fn create_role_batch(name: &str, id: &str) -> Vec<(String, Value)> {
    let template = TEMPLATES
        .iter()
        .find(|t| t.id == id)
        .unwrap_or(&TEMPLATES[0]);
    let mut batch = vec![(
        "iam:CreateRole".to_string(),
        json!({
            "RoleName": name,
            "AssumeRolePolicyDocument": crate::iam::trust_policy_for(template.service),
            "Description": template.label,
        }),
    )];
    if let Some(policy) = template.policy {
        batch.push((
            "iam:AttachRolePolicy".into(),
            json!({ "RoleName": name, "PolicyArn": policy }),
        ));
    }
    if template.id == "instance" {
        batch.push((
            "iam:CreateInstanceProfile".into(),
            json!({ "InstanceProfileName": name }),
        ));
        batch.push((
            "iam:AddRoleToInstanceProfile".into(),
            json!({ "InstanceProfileName": name, "RoleName": name }),
        ));
    }
    batch
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleState {
    Made,
    /// Never made; taken to exist from its conventional name.
    Implied,
    /// Named by a task definition, never made: ECS cannot assume it.
    Missing,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleRow {
    pub name: String,
    pub state: RoleState,
    pub trusts: Vec<String>,
    pub policies: Vec<String>,
    /// What uses it: "execution role of web:2: pulls from ECR, writes to CloudWatch Logs".
    pub uses: Vec<String>,
    /// The template that would make it, for a missing role: "execution" or "task".
    pub template: &'static str,
}

fn short_name(arn_or_name: &str) -> String {
    arn_or_name
        .rsplit('/')
        .next()
        .unwrap_or(arn_or_name)
        .to_string()
}

/// Every role made, then those the newest revision of each family names that were not.
pub fn role_rows(world: &World) -> Vec<RoleRow> {
    let mut rows: Vec<RoleRow> = iam::roles(world)
        .into_iter()
        .map(|r| RoleRow {
            name: r.name,
            state: RoleState::Made,
            trusts: r.trusted_services,
            policies: r.policies,
            uses: Vec::new(),
            template: "task",
        })
        .collect();
    let newest = (world.ecs.task_definitions.values())
        .filter_map(|revisions| revisions.iter().rev().find(|d| d.active));
    for d in newest {
        let fargate = d.fargate_compatible;
        let ecr = d.containers.iter().any(|c| c.image.contains(".dkr.ecr."));
        let logs = d.containers.iter().any(|c| c.awslogs.is_some());
        let mut execution_does = Vec::new();
        if ecr {
            execution_does.push("pulls from ECR");
        }
        if logs && fargate {
            execution_does.push("writes to CloudWatch Logs");
        }
        if execution_does.is_empty() {
            execution_does.push("fetches what the task needs to start");
        }
        let named = [
            (
                &d.execution_role,
                format!(
                    "execution role of {}: {}",
                    d.key(),
                    execution_does.join(", ")
                ),
                "execution",
            ),
            (
                &d.task_role,
                format!("task role of {}: the application's AWS calls", d.key()),
                "task",
            ),
        ];
        for (role, use_text, template) in named {
            let Some(role) = role else { continue };
            let name = short_name(role);
            if let Some(row) = rows.iter_mut().find(|r| r.name.eq_ignore_ascii_case(&name)) {
                row.uses.push(use_text);
                continue;
            }
            let row = match iam::role(world, role) {
                Some(view) => RoleRow {
                    name: view.name,
                    state: RoleState::Implied,
                    trusts: view.trusted_services,
                    policies: view.policies,
                    uses: vec![use_text],
                    template,
                },
                None => RoleRow {
                    name,
                    state: RoleState::Missing,
                    trusts: Vec::new(),
                    policies: Vec::new(),
                    uses: vec![use_text],
                    template,
                },
            };
            rows.push(row);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_say_what_each_role_is_for_and_whether_it_exists() {
        let mut world = World::new(Default::default());
        world
            .apply(
                "ecs:RegisterTaskDefinition",
                &json!({
                    "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                    "cpu": "256", "memory": "512",
                    "executionRoleArn": "arn:aws:iam::123456789012:role/webExecutionRole",
                    "taskRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                    "containerDefinitions": [{ "name": "web", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1" }],
                }),
            )
            .unwrap();
        let rows = role_rows(&world);
        assert_eq!(rows[0].name, "webExecutionRole");
        assert_eq!(rows[0].state, RoleState::Missing);
        assert_eq!(rows[0].uses, ["execution role of web:1: pulls from ECR"]);
        assert_eq!(rows[0].template, "execution");
        assert_eq!(rows[1].state, RoleState::Implied);
        assert_eq!(rows[1].policies, ["AmazonECSTaskExecutionRolePolicy"]);
        for (action, input) in create_role_batch("webExecutionRole", "execution") {
            world.apply(&action, &input).unwrap();
        }
        let rows = role_rows(&world);
        assert_eq!(rows[0].state, RoleState::Made);
        assert_eq!(rows[0].trusts, ["ecs-tasks.amazonaws.com"]);
        assert_eq!(rows[0].uses, ["execution role of web:1: pulls from ECR"]);
    }
}
