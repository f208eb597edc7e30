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

/// Classic Load Balancers a service may name at the most (aws-facts 3: one).
pub const CLASSIC_LOAD_BALANCERS_PER_SERVICE_MAX: usize = 1;

/// One entry of a service's `loadBalancers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLoadBalancer {
    /// The target group; for a Classic Load Balancer, the group ELB keeps its instances in.
    pub target_group_arn: String,
    /// A Classic Load Balancer's name (its instances are the targets).
    pub load_balancer_name: Option<String>,
    pub container_name: String,
    pub container_port: u16,
}

impl ServiceLoadBalancer {
    /// As DescribeServices gives it.
    pub fn json(&self) -> serde_json::Value {
        let mut out = serde_json::json!({
            "containerName": self.container_name,
            "containerPort": self.container_port,
        });
        match &self.load_balancer_name {
            Some(name) => out["loadBalancerName"] = name.clone().into(),
            None => out["targetGroupArn"] = self.target_group_arn.clone().into(),
        }
        out
    }

    /// What ECS's service events call it: `(target-group <arn>)` or `(elb <name>)`.
    pub fn event_name(&self) -> String {
        match &self.load_balancer_name {
            Some(name) => format!("(elb {name})"),
            None => format!("(target-group {})", self.target_group_arn),
        }
    }

    /// What its service events count: targets, or a Classic Load Balancer's instances.
    pub fn event_unit(&self) -> &'static str {
        if self.load_balancer_name.is_some() {
            "instances"
        } else {
            "targets"
        }
    }
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
        let classic = out
            .iter()
            .filter(|lb| lb.load_balancer_name.is_some())
            .count();
        if classic > CLASSIC_LOAD_BALANCERS_PER_SERVICE_MAX {
            return Err(invalid(
                "A service can have at most one Classic Load Balancer.",
                "$.loadBalancers",
            ));
        }
        Ok(out)
    }

    fn check_load_balancer(
        &self,
        lb: &LoadBalancerField,
        definition: &TaskDefinition,
        at: &str,
    ) -> Result<ServiceLoadBalancer, ApiError> {
        if lb.advanced_configuration.is_some() {
            return Err(ApiError::not_modelled(
                &format!("{at}.advancedConfiguration"),
                "blue/green deployments are not simulated.",
            ));
        }
        if let Some(name) = &lb.load_balancer_name {
            return self.check_classic_load_balancer(lb, name, definition, at);
        }
        let arn = lb.target_group_arn.clone().unwrap_or_default();
        let Some(group) = target_group(self, &arn) else {
            return Err(invalid(
                format!("Unable to find target group {arn}."),
                &format!("{at}.targetGroupArn"),
            ));
        };
        let (name, container_port) = Self::check_container_port(lb, definition, at)?;
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
            load_balancer_name: None,
            container_name: name,
            container_port,
        })
    }

    /// The container and port a `loadBalancers` entry names: in the task definition, a TCP
    /// container port of that container.
    fn check_container_port(
        lb: &LoadBalancerField,
        definition: &TaskDefinition,
        at: &str,
    ) -> Result<(String, u16), ApiError> {
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
        match mapped {
            Some(mapped) => Ok((name, mapped.container_port)),
            None => Err(invalid(
                format!("The container {name} did not have a container port {port} defined."),
                &format!("{at}.containerPort"),
            )),
        }
    }

    /// A Classic Load Balancer entry: never with awsvpc (so never on Fargate), never with a
    /// target group too; the load balancer must exist. Its instances are its targets, on the
    /// instance port of its listeners.
    fn check_classic_load_balancer(
        &self,
        lb: &LoadBalancerField,
        name: &str,
        definition: &TaskDefinition,
        at: &str,
    ) -> Result<ServiceLoadBalancer, ApiError> {
        if lb.target_group_arn.is_some() {
            // The rule is BOTO-ECS's (a target group is for ALB and NLB, a name for a CLB);
            // the wording is the model's.
            return Err(invalid(
                "Specify either loadBalancerName (a Classic Load Balancer) or targetGroupArn (an Application or Network Load Balancer), not both.",
                &format!("{at}.targetGroupArn"),
            ));
        }
        if definition.network_mode == NetworkMode::Awsvpc {
            return Err(invalid(
                "Services with tasks that use the awsvpc network mode (for example, those with the Fargate launch type) only support Application Load Balancers and Network Load Balancers. Classic Load Balancers are not supported.",
                &format!("{at}.loadBalancerName"),
            ));
        }
        let Some(group) = crate::elb::read::classic_group(self, name) else {
            // ECS's exact wording for a missing CLB is not known; the model's.
            return Err(invalid(
                format!("Load balancer {name} does not exist."),
                &format!("{at}.loadBalancerName"),
            ));
        };
        let (container_name, container_port) = Self::check_container_port(lb, definition, at)?;
        Ok(ServiceLoadBalancer {
            target_group_arn: group.to_string(),
            load_balancer_name: Some(name.to_string()),
            container_name,
            container_port,
        })
    }

    /// The load balancers of the deployment that started the task (the service's, for a task
    /// whose deployment is no longer kept).
    pub(crate) fn task_load_balancers(&self, task: TaskIdx) -> &[ServiceLoadBalancer] {
        let Some(service) = self.ecs.tasks[task].service else {
            return &[];
        };
        let s = &self.ecs.services[service];
        // Most services have none: no need to find the task's deployment.
        if s.load_balancers.is_empty() && s.deployments.iter().all(|d| d.load_balancers.is_empty())
        {
            return &[];
        }
        match self.deployment_of(service, task) {
            Some(d) => &s.deployments[d].load_balancers,
            None => &s.load_balancers,
        }
    }

    /// The task's targets: for each of its deployment's target groups, the EC2 instance and
    /// the host port its container's port is bound to (a Classic Load Balancer's instance
    /// port: the instance is the target), or, for awsvpc, its address and container port.
    pub(crate) fn task_targets(&self, task: TaskIdx) -> Vec<(String, String, u16)> {
        let t = &self.ecs.tasks[task];
        let load_balancers = self.task_load_balancers(task);
        if load_balancers.is_empty() {
            return Vec::new();
        }
        // awsvpc: the task's own address and the container port (ip target groups).
        if let Some(eni) = &t.eni {
            return (load_balancers.iter())
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
        (load_balancers.iter())
            .filter_map(|lb| {
                if lb.load_balancer_name.is_some() {
                    let port = target_group(self, &lb.target_group_arn)?.port;
                    return Some((lb.target_group_arn.clone(), ec2_id.clone(), port));
                }
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
            let (unit, called) = self.target_words(task, &group);
            self.command(Command::RegisterTarget(group, id, port));
            self.service_message(
                service,
                format!("(service {name}) registered 1 {unit} in {called}"),
            );
        }
    }

    /// How ECS's events speak of a task's target in `group`: "targets" in
    /// `(target-group <arn>)`, or "instances" in `(elb <name>)` for a Classic Load Balancer.
    fn target_words(&self, task: TaskIdx, group: &str) -> (&'static str, String) {
        match (self.task_load_balancers(task).iter()).find(|lb| lb.target_group_arn == group) {
            Some(lb) => (lb.event_unit(), lb.event_name()),
            None => ("targets", format!("(target-group {group})")),
        }
    }

    /// Whether every target of the task is healthy (true for a task without targets).
    pub(crate) fn targets_healthy(&self, task: TaskIdx) -> bool {
        (self.task_targets(task).iter()).all(|(group, id, port)| {
            crate::elb::read::target_health(self, group, id, *port)
                .is_some_and(|(state, _)| state == TargetState::Healthy)
        })
    }

    /// The first of the task's targets that is unhealthy: its group, id, port and ELB's reason.
    pub(crate) fn unhealthy_target(&self, task: TaskIdx) -> Option<(String, String, u16, String)> {
        self.task_targets(task)
            .into_iter()
            .find_map(|(group, id, port)| {
                match crate::elb::read::target_health(self, &group, &id, port) {
                    Some((TargetState::Unhealthy, reason)) => {
                        Some((group, id, port, reason.unwrap_or_default()))
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
            let (unit, called) = self.target_words(task, &group);
            self.command(Command::DeregisterTarget(group, id, port));
            self.service_message(
                service,
                format!("(service {name}) deregistered 1 {unit} in {called}"),
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
        let uses = |lbs: &[ServiceLoadBalancer]| lbs.iter().any(|lb| lb.target_group_arn == group);
        let services: Vec<ServiceIdx> = (0..self.ecs.services.len())
            .filter(|&s| {
                let s = &self.ecs.services[s];
                uses(&s.load_balancers) || s.deployments.iter().any(|d| uses(&d.load_balancers))
            })
            .collect();
        for service in services {
            self.queue_reconcile(service, 0);
        }
    }

    /// The service events of a task whose target ELB found unhealthy, and its stopped reason.
    pub(crate) fn unhealthy_target_reason(&mut self, task: TaskIdx) -> Option<String> {
        let (group, instance, port, reason) = self.unhealthy_target(task)?;
        let classic = (self.task_load_balancers(task).iter())
            .find(|lb| lb.target_group_arn == group)
            .and_then(|lb| lb.load_balancer_name.clone());
        let t = &self.ecs.tasks[task];
        if let Some(service) = t.service {
            let (name, id) = (self.ecs.services[service].name.clone(), t.id.clone());
            let message = match &classic {
                // The Classic Load Balancer's form (aws-facts 17.1.11).
                Some(lb) => format!("service ({name}) (task {id}) (instance {instance}) is unhealthy in (elb {lb}) due to (reason {reason})"),
                None => format!("(service {name}) (task {id}) (port {port}) is unhealthy in (target-group {group}) due to (reason {reason})."),
            };
            self.service_message(service, message);
        }
        Some(match classic {
            Some(lb) => format!("Task failed ELB health checks in (elb {lb})"),
            None => format!("Task failed ELB health checks in (target-group {group})"),
        })
    }
}
