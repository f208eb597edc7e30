//! A service behind load balancers (aws-facts 4.3, 8.1, 17.1.9 to 17.1.12): CreateService's
//! `loadBalancers` checked with ECS's messages; a task's targets registered with ELB when it
//! reaches RUNNING (the EC2 instance and the host port of the named container port, for bridge
//! and host network modes); the task healthy for the service once its targets are, and replaced
//! when one turns unhealthy past the grace period; on stop, the targets deregistered and the
//! task DEACTIVATING for the groups' deregistration delay. ELB is reached only through
//! `elb::read` and `world::Command`s.

use serde::Deserialize;

use super::task_definition::{NetworkMode, TaskDefinition};
use super::{ServiceIdx, TaskIdx};
use crate::elb::read::target_group;
use crate::elb::read::TargetState;
use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::{Command, World};

/// Target groups a service may name at the most (aws-facts 8.1).
pub const LOAD_BALANCERS_PER_SERVICE_MAX: usize = 5;

/// One entry of a service's `loadBalancers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLoadBalancer {
    pub target_group_arn: String,
    pub container_name: String,
    pub container_port: u16,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LoadBalancerField {
    target_group_arn: Option<String>,
    load_balancer_name: Option<String>,
    container_name: Option<String>,
    container_port: Option<i64>,
    advanced_configuration: Option<serde_json::Value>,
}

fn invalid(message: impl Into<String>, path: &str) -> ApiError {
    ApiError::invalid_parameter(message, path)
}

impl World {
    /// CreateService's `loadBalancers`, checked against the task definition and ELB.
    pub(crate) fn plan_load_balancers(
        &self,
        field: Option<&Vec<serde_json::Value>>,
        definition: &TaskDefinition,
    ) -> Result<Vec<ServiceLoadBalancer>, ApiError> {
        let entries = field.cloned().unwrap_or_default();
        if entries.len() > LOAD_BALANCERS_PER_SERVICE_MAX {
            return Err(invalid(
                format!(
                    "A service can have at most {LOAD_BALANCERS_PER_SERVICE_MAX} target groups."
                ),
                "$.loadBalancers",
            ));
        }
        let mut out: Vec<ServiceLoadBalancer> = Vec::new();
        for (n, entry) in entries.iter().enumerate() {
            let at = format!("$.loadBalancers[{n}]");
            let lb: LoadBalancerField = parse_request(entry).map_err(|mut e| {
                e.path = e.path.map(|p| p.replacen('$', &at, 1));
                e
            })?;
            out.push(self.check_load_balancer(&lb, definition, &at)?);
        }
        Ok(out)
    }

    fn check_load_balancer(
        &self,
        lb: &LoadBalancerField,
        definition: &TaskDefinition,
        at: &str,
    ) -> Result<ServiceLoadBalancer, ApiError> {
        if lb.load_balancer_name.is_some() {
            return Err(ApiError::not_modelled(
                &format!("{at}.loadBalancerName"),
                "Classic Load Balancers are not simulated yet; name an ALB or NLB target group.",
            ));
        }
        if lb.advanced_configuration.is_some() {
            return Err(ApiError::not_modelled(
                &format!("{at}.advancedConfiguration"),
                "blue/green deployments are not simulated.",
            ));
        }
        let arn = lb.target_group_arn.clone().unwrap_or_default();
        let Some(group) = target_group(self, &arn) else {
            return Err(invalid(
                format!("Unable to find target group {arn}."),
                &format!("{at}.targetGroupArn"),
            ));
        };
        let name = lb.container_name.clone().unwrap_or_default();
        if name.is_empty() {
            return Err(invalid(
                "Container Name can not be blank.",
                &format!("{at}.containerName"),
            ));
        }
        let Some(container) = definition.containers.iter().find(|c| c.name == name) else {
            return Err(invalid(
                format!("The container {name} does not exist in the task definition."),
                &format!("{at}.containerName"),
            ));
        };
        let port = lb.container_port.unwrap_or(0);
        let mapped = (container.port_mappings.iter())
            .find(|p| i64::from(p.container_port) == port && !p.udp);
        let Some(mapped) = mapped else {
            return Err(invalid(
                format!("The container {name} did not have a container port {port} defined."),
                &format!("{at}.containerPort"),
            ));
        };
        let mode = definition.network_mode;
        let incompatible = match group.target_type {
            "instance" => mode == NetworkMode::Awsvpc,
            _ => mode != NetworkMode::Awsvpc,
        };
        if incompatible {
            return Err(invalid(
                format!(
                    "The provided target group {arn} has target type {}, which is incompatible with the {} network mode specified in the task definition.",
                    group.target_type,
                    mode.as_str()
                ),
                &format!("{at}.targetGroupArn"),
            ));
        }
        if !group.in_use {
            return Err(invalid(
                format!("The target group with targetGroupArn {arn} does not have an associated load balancer."),
                &format!("{at}.targetGroupArn"),
            ));
        }
        Ok(ServiceLoadBalancer {
            target_group_arn: arn,
            container_name: name,
            container_port: mapped.container_port,
        })
    }

    /// The task's targets: for each of its service's target groups, the EC2 instance and the
    /// host port its container's port is bound to.
    pub(crate) fn task_targets(&self, task: TaskIdx) -> Vec<(String, String, u16)> {
        let t = &self.ecs.tasks[task];
        let Some(service) = t.service else {
            return Vec::new();
        };
        // awsvpc: the task's own address and the container port (ip target groups).
        if let Some(eni) = &t.eni {
            return (self.ecs.services[service].load_balancers.iter())
                .map(|lb| {
                    (
                        lb.target_group_arn.clone(),
                        eni.address(),
                        lb.container_port,
                    )
                })
                .collect();
        }
        let Some(instance) = t.container_instance else {
            return Vec::new();
        };
        let ec2_id = &self.ecs.container_instances[instance].ec2_instance_id;
        (self.ecs.services[service].load_balancers.iter())
            .filter_map(|lb| {
                let container = t.containers.iter().find(|c| c.name == lb.container_name)?;
                let &(_, host, _) = (container.bindings.iter())
                    .find(|&&(port, _, udp)| port == lb.container_port && !udp)?;
                Some((lb.target_group_arn.clone(), ec2_id.clone(), host))
            })
            .collect()
    }

    /// A service task reached RUNNING: ECS registers its targets (aws-facts 17.1.9).
    pub(crate) fn register_task_targets(&mut self, service: ServiceIdx, task: TaskIdx) {
        let name = self.ecs.services[service].name.clone();
        for (group, id, port) in self.task_targets(task) {
            self.command(Command::RegisterTarget(group.clone(), id, port));
            self.service_message(
                service,
                format!("(service {name}) registered 1 targets in (target-group {group})"),
            );
        }
    }

    /// Whether every target of the task is healthy (true for a task without targets).
    pub(crate) fn targets_healthy(&self, task: TaskIdx) -> bool {
        (self.task_targets(task).iter()).all(|(group, id, port)| {
            crate::elb::read::target_health(self, group, id, *port)
                .is_some_and(|(state, _)| state == TargetState::Healthy)
        })
    }

    /// The first of the task's targets that is unhealthy: its group, port and ELB's reason.
    pub(crate) fn unhealthy_target(&self, task: TaskIdx) -> Option<(String, u16, String)> {
        self.task_targets(task)
            .into_iter()
            .find_map(|(group, id, port)| {
                match crate::elb::read::target_health(self, &group, &id, port) {
                    Some((TargetState::Unhealthy, reason)) => {
                        Some((group, port, reason.unwrap_or_default()))
                    }
                    _ => None,
                }
            })
    }

    /// A running service task is stopping: its targets are deregistered and drain; the task
    /// stays DEACTIVATING for the longest deregistration delay. Returns that delay.
    pub(crate) fn deregister_task_targets(&mut self, task: TaskIdx) -> SimTime {
        let targets = self.task_targets(task);
        let Some(service) = self.ecs.tasks[task].service.filter(|_| !targets.is_empty()) else {
            return 0;
        };
        let name = self.ecs.services[service].name.clone();
        let deployment = (self.deployment_of(service, task))
            .map(|d| self.ecs.services[service].deployments[d].id.clone())
            .unwrap_or_default();
        let mut delay = 0;
        for (group, id, port) in targets {
            delay = delay.max(target_group(self, &group).map_or(0, |g| g.deregistration_delay_ms));
            self.command(Command::DeregisterTarget(group.clone(), id, port));
            self.service_message(
                service,
                format!("(service {name}) deregistered 1 targets in (target-group {group})"),
            );
        }
        self.service_message(
            service,
            format!(
                "(service {name}, taskSet {deployment}) has begun draining connections on 1 tasks."
            ),
        );
        delay
    }

    /// A target of `group` changed state: the services behind it look again.
    pub(crate) fn target_health_changed(&mut self, group: &str) {
        let services: Vec<ServiceIdx> = (0..self.ecs.services.len())
            .filter(|&s| {
                (self.ecs.services[s].load_balancers.iter()).any(|lb| lb.target_group_arn == group)
            })
            .collect();
        for service in services {
            self.queue_reconcile(service, 0);
        }
    }

    /// The service events of a task whose target ELB found unhealthy, and its stopped reason.
    pub(crate) fn unhealthy_target_reason(&mut self, task: TaskIdx) -> Option<String> {
        let (group, port, reason) = self.unhealthy_target(task)?;
        let t = &self.ecs.tasks[task];
        if let Some(service) = t.service {
            let (name, id) = (self.ecs.services[service].name.clone(), t.id.clone());
            self.service_message(
                service,
                format!("(service {name}) (task {id}) (port {port}) is unhealthy in (target-group {group}) due to (reason {reason})."),
            );
        }
        Some(format!(
            "Task failed ELB health checks in (target-group {group})"
        ))
    }
}
