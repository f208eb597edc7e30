//! Services: CreateService, UpdateService (desired count), DeleteService, DescribeServices,
//! ListServices, and the service scheduler's reconcile loop that keeps a REPLICA service at its
//! desired count and a DAEMON service on every active instance (aws-facts 4.1-4.5).

use serde::Deserialize;
use serde_json::{json, Value};

use super::cluster::short_id;
use super::placement::trace::Decision;
use super::placement::{self, PlacementFailure};
use super::task::{
    placement_strategies, runtime_constraints, Launch, NetworkConfiguration,
    PlacementConstraintField,
};
use super::Timer;
use super::{
    CircuitBreaker, DeploymentStatus, Health, InstanceIdx, InstanceStatus, LaunchType,
    RolloutState, SchedulingStrategy, Service, ServiceEvent, ServiceIdx, ServiceStatus, StopCode,
    TaskIdx, TaskStatus,
};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError};
use crate::engine::time::{SimTime, MS_PER_MINUTE, MS_PER_SECOND};
use crate::world::World;

/// A task with no load balancer and no essential container health check counts as healthy
/// 40 seconds after it reaches RUNNING (aws-facts 4.3).
pub const HEALTHY_AFTER_RUNNING_MS: SimTime = 40_000;
/// How often the scheduler tries again to place tasks it could not place, when nothing else
/// (a new instance, a stopped task) gives it a reason to look sooner.
pub const PLACEMENT_RETRY_MS: SimTime = MS_PER_MINUTE;
/// Throttle (aws-facts 4.4): after this many tasks in a row stop before reaching RUNNING, the
/// scheduler waits before the next launch, doubling the wait from the base up to 15 minutes.
/// AWS documents the growth and the cap, not the first steps (unconfirmed: 3, 30 s).
pub const THROTTLE_AFTER_FAILURES: u32 = 3;
pub const THROTTLE_BASE_MS: SimTime = 30_000;
pub const THROTTLE_MAX_MS: SimTime = 15 * MS_PER_MINUTE;
/// DescribeServices keeps the 100 latest events (aws-facts 4.5).
pub const SERVICE_EVENTS_MAX: usize = 100;
/// Tasks per service (aws-facts 1.5).
pub const TASKS_PER_SERVICE_MAX: i64 = 5_000;
/// Service task launches per reconcile: ECS starts tasks for a service at a bounded rate
/// (aws-facts 15: 250 per minute on EC2, 500 on Fargate); one reconcile per 15 s keeps under it.
pub const LAUNCHES_PER_RECONCILE_MAX: usize = 60;
pub const RECONCILE_AFTER_LAUNCH_BATCH_MS: SimTime = 15_000;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateServiceRequest {
    cluster: Option<String>,
    service_name: String,
    task_definition: Option<String>,
    desired_count: Option<i64>,
    launch_type: Option<String>,
    scheduling_strategy: Option<String>,
    deployment_configuration: Option<DeploymentConfiguration>,
    placement_constraints: Option<Vec<PlacementConstraintField>>,
    placement_strategy: Option<Vec<Value>>,
    network_configuration: Option<NetworkConfiguration>,
    health_check_grace_period_seconds: Option<i64>,
    load_balancers: Option<Vec<Value>>,
    service_registries: Option<Value>,
    capacity_provider_strategy: Option<Vec<super::capacity_providers::StrategyItemRequest>>,
    platform_version: Option<String>,
    role: Option<String>,
    client_token: Option<String>,
    deployment_controller: Option<Value>,
    tags: Option<Value>,
    #[serde(rename = "enableECSManagedTags")]
    enable_ecs_managed_tags: Option<bool>,
    propagate_tags: Option<String>,
    enable_execute_command: Option<bool>,
    service_connect_configuration: Option<Value>,
    volume_configurations: Option<Value>,
    vpc_lattice_configurations: Option<Value>,
    availability_zone_rebalancing: Option<String>,
}

/// `deploymentCircuitBreaker`: both fields are required, as in the API.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CircuitBreakerField {
    enable: bool,
    rollback: bool,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeploymentConfiguration {
    maximum_percent: Option<i64>,
    minimum_healthy_percent: Option<i64>,
    deployment_circuit_breaker: Option<CircuitBreakerField>,
    alarms: Option<Value>,
    strategy: Option<String>,
    bake_time_in_minutes: Option<Value>,
    lifecycle_hooks: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateServiceRequest {
    cluster: Option<String>,
    service: String,
    desired_count: Option<i64>,
    task_definition: Option<String>,
    force_new_deployment: Option<bool>,
    deployment_configuration: Option<DeploymentConfiguration>,
    health_check_grace_period_seconds: Option<i64>,
    network_configuration: Option<Value>,
    placement_constraints: Option<Vec<PlacementConstraintField>>,
    placement_strategy: Option<Vec<Value>>,
    capacity_provider_strategy: Option<Vec<super::capacity_providers::StrategyItemRequest>>,
    platform_version: Option<String>,
    enable_execute_command: Option<bool>,
    #[serde(rename = "enableECSManagedTags")]
    enable_ecs_managed_tags: Option<bool>,
    load_balancers: Option<Vec<Value>>,
    propagate_tags: Option<String>,
    service_registries: Option<Value>,
    service_connect_configuration: Option<Value>,
    volume_configurations: Option<Value>,
    vpc_lattice_configurations: Option<Value>,
    availability_zone_rebalancing: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeleteServiceRequest {
    cluster: Option<String>,
    service: String,
    force: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeServicesRequest {
    cluster: Option<String>,
    services: Vec<String>,
    include: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListServicesRequest {
    cluster: Option<String>,
    launch_type: Option<String>,
    scheduling_strategy: Option<String>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

fn percent(value: Option<i64>, default: u32, path: &str) -> Result<u32, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if (0..=i64::from(u32::MAX)).contains(&v) => Ok(v as u32),
        Some(_) => Err(ApiError::invalid_parameter(
            "The deployment percentage must be a non-negative integer.",
            path,
        )),
    }
}

/// A service's or deployment's `launchType`, or its `capacityProviderStrategy` when it has one
/// (DescribeServices gives one or the other).
fn launch_or_strategy(out: &mut Value, s: &super::Service) {
    let map = out.as_object_mut().expect("an object");
    if !s.capacity_provider_strategy.is_empty() {
        map.shift_remove("launchType");
        map.insert(
            "capacityProviderStrategy".into(),
            super::capacity_providers::strategy_json(&s.capacity_provider_strategy),
        );
    }
}

/// The longest health-check grace period ECS takes (aws-facts 4.3).
pub const HEALTH_CHECK_GRACE_PERIOD_S_MAX: i64 = i32::MAX as i64;

/// Where a service task goes: its instance (None on Fargate), zone and why-trace.
type Placed = (Option<InstanceIdx>, String, Option<Decision>);

/// What CreateService decided, to apply.
struct CreateServicePlan {
    cluster: String,
    name: String,
    definition: String,
    launch_type: LaunchType,
    strategy: SchedulingStrategy,
    desired_count: u32,
    placement_strategy: Vec<placement::Strategy>,
    member_of: Vec<String>,
    distinct_instance: bool,
    deployment: DeploymentSettings,
    grace_s: u32,
    subnets: Vec<String>,
    security_groups: Vec<String>,
    load_balancers: Vec<super::load_balancers::ServiceLoadBalancer>,
    capacity_provider_strategy: Vec<super::capacity_providers::StrategyItem>,
}

/// What UpdateService decided, to apply: `None` leaves a setting as it is.
struct UpdateServicePlan {
    service: ServiceIdx,
    /// A new task definition's `family:revision`.
    definition: Option<String>,
    force_new_deployment: bool,
    deployment: DeploymentSettings,
    desired_count: Option<u32>,
    grace_s: Option<u32>,
    placement_strategy: Option<Vec<placement::Strategy>>,
    constraints: Option<(Vec<String>, bool)>,
    /// New load balancers (an empty list removes them all).
    load_balancers: Option<Vec<super::load_balancers::ServiceLoadBalancer>>,
    /// A new capacity provider strategy (with a forced new deployment).
    capacity_provider_strategy: Option<Vec<super::capacity_providers::StrategyItem>>,
}

/// A service's deployment bounds and circuit breaker.
#[derive(Debug, Clone, Copy)]
struct DeploymentSettings {
    minimum_healthy_percent: u32,
    maximum_percent: u32,
    circuit_breaker: CircuitBreaker,
}

impl DeploymentSettings {
    /// ECS's defaults: 100 / 200 for REPLICA, 0 / 100 for DAEMON, no breaker (aws-facts 5.1).
    fn defaults(strategy: SchedulingStrategy) -> Self {
        let (minimum, maximum) = match strategy {
            SchedulingStrategy::Replica => (100, 200),
            SchedulingStrategy::Daemon => (0, 100),
        };
        Self {
            minimum_healthy_percent: minimum,
            maximum_percent: maximum,
            circuit_breaker: CircuitBreaker::default(),
        }
    }

    /// These settings with what a request's deploymentConfiguration changes, checked.
    fn updated(
        self,
        strategy: SchedulingStrategy,
        config: Option<&DeploymentConfiguration>,
    ) -> Result<Self, ApiError> {
        let minimum = percent(
            config.and_then(|c| c.minimum_healthy_percent),
            self.minimum_healthy_percent,
            "$.deploymentConfiguration.minimumHealthyPercent",
        )?;
        let maximum = percent(
            config.and_then(|c| c.maximum_percent),
            self.maximum_percent,
            "$.deploymentConfiguration.maximumPercent",
        )?;
        check_percents(strategy, minimum, maximum)?;
        let circuit_breaker = (config.and_then(|c| c.deployment_circuit_breaker.as_ref())).map_or(
            self.circuit_breaker,
            |b| CircuitBreaker {
                enable: b.enable,
                rollback: b.rollback,
            },
        );
        Ok(Self {
            minimum_healthy_percent: minimum,
            maximum_percent: maximum,
            circuit_breaker,
        })
    }
}

fn scheduling_strategy(field: Option<&str>) -> Result<SchedulingStrategy, ApiError> {
    match field {
        None | Some("REPLICA") => Ok(SchedulingStrategy::Replica),
        Some("DAEMON") => Ok(SchedulingStrategy::Daemon),
        Some(other) => Err(ApiError::invalid_parameter(
            format!("Invalid schedulingStrategy '{other}': valid values are REPLICA and DAEMON."),
            "$.schedulingStrategy",
        )),
    }
}

/// A desired count, as CreateService and UpdateService check it: none for a daemon, 0 to
/// [`TASKS_PER_SERVICE_MAX`] for a replica service.
fn desired_count(
    strategy: SchedulingStrategy,
    value: Option<i64>,
) -> Result<Option<u32>, ApiError> {
    match value {
        Some(_) if strategy == SchedulingStrategy::Daemon => Err(ApiError::invalid_parameter(
            "The daemon scheduling strategy does not support a desired count.",
            "$.desiredCount",
        )),
        Some(n) if !(0..=TASKS_PER_SERVICE_MAX).contains(&n) => Err(ApiError::invalid_parameter(
            format!("desiredCount must be between 0 and {TASKS_PER_SERVICE_MAX}."),
            "$.desiredCount",
        )),
        other => Ok(other.map(|n| n as u32)),
    }
}

/// A health-check grace period: 0 to [`HEALTH_CHECK_GRACE_PERIOD_S_MAX`] seconds.
fn grace_period(value: Option<i64>) -> Result<Option<u32>, ApiError> {
    match value {
        Some(g) if !(0..=HEALTH_CHECK_GRACE_PERIOD_S_MAX).contains(&g) => {
            Err(ApiError::invalid_parameter(
                format!("healthCheckGracePeriodSeconds must be between 0 and {HEALTH_CHECK_GRACE_PERIOD_S_MAX}."),
                "$.healthCheckGracePeriodSeconds",
            ))
        }
        other => Ok(other.map(|g| g as u32)),
    }
}

/// A service's placement strategies, when the request names any: none for a daemon.
fn service_placement_strategies(
    strategy: SchedulingStrategy,
    list: Option<&[Value]>,
    launch_type: LaunchType,
) -> Result<Option<Vec<placement::Strategy>>, ApiError> {
    match list {
        Some(list) if strategy == SchedulingStrategy::Daemon && !list.is_empty() => {
            Err(ApiError::invalid_parameter(
                "The daemon scheduling strategy does not support placement strategies.",
                "$.placementStrategy",
            ))
        }
        Some(list) => Ok(Some(placement_strategies(Some(list), launch_type)?)),
        None => Ok(None),
    }
}

/// The deployment bounds' rules: a daemon's maximum is 100; the maximum is above 0 and at least
/// the minimum.
fn check_percents(
    strategy: SchedulingStrategy,
    minimum: u32,
    maximum: u32,
) -> Result<(), ApiError> {
    if strategy == SchedulingStrategy::Daemon && maximum != 100 {
        return Err(ApiError::invalid_parameter(
            "The maximumPercent of a daemon service must be 100.",
            "$.deploymentConfiguration.maximumPercent",
        ));
    }
    if maximum < minimum || maximum == 0 {
        return Err(ApiError::invalid_parameter(
            "maximumPercent must be greater than 0 and at least minimumHealthyPercent.",
            "$.deploymentConfiguration.maximumPercent",
        ));
    }
    Ok(())
}

impl World {
    /// "(service web) has started 2 tasks: (task a) (task b)." and its "has stopped N running
    /// tasks" twin (aws-facts 4.5).
    pub(crate) fn tasks_message(&mut self, service: ServiceIdx, verb: &str, tasks: &[TaskIdx]) {
        let name = self.ecs.services[service].name.clone();
        let running = if verb == "stopped" { "running " } else { "" };
        let message = format!(
            "(service {name}) has {verb} {} {running}tasks: {}.",
            tasks.len(),
            task_list(self, tasks)
        );
        self.service_message(service, message);
    }
}

pub(crate) fn task_list(world: &World, tasks: &[TaskIdx]) -> String {
    tasks
        .iter()
        .map(|&t| format!("(task {})", world.ecs.tasks[t].id))
        .collect::<Vec<_>>()
        .join(" ")
}

impl World {
    pub(crate) fn create_service(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateServiceRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::CREATE_SERVICE)?;
        let plan = self.plan_create_service(&request)?;
        let index = self.apply_create_service(plan);
        Ok(json!({ "service": self.service_json(index) }))
    }

    /// Every check of CreateService, over the world as it is: a plan to apply, or AWS's error.
    fn plan_create_service(
        &self,
        request: &CreateServiceRequest,
    ) -> Result<CreateServicePlan, ApiError> {
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let name = request.service_name.clone();
        self.check_new_service_name(&cluster, &name)?;
        let reference = request.task_definition.as_deref().ok_or_else(|| {
            ApiError::invalid_parameter(
                "A task definition is required for a service using the ECS deployment controller.",
                "$.taskDefinition",
            )
        })?;
        let definition = self.resolve_task_definition(reference, "$.taskDefinition")?;
        let (launch_type, capacity_provider_strategy) = self.launch_choice(
            &cluster,
            request.launch_type.as_deref(),
            request.capacity_provider_strategy.as_deref(),
            definition,
        )?;
        let strategy = scheduling_strategy(request.scheduling_strategy.as_deref())?;
        let desired_count =
            match (strategy, request.desired_count) {
                (SchedulingStrategy::Replica, None) => return Err(ApiError::invalid_parameter(
                    "desiredCount is required for a service using the REPLICA scheduling strategy.",
                    "$.desiredCount",
                )),
                (strategy, n) => desired_count(strategy, n)?.unwrap_or(0),
            };
        if strategy == SchedulingStrategy::Daemon && launch_type == LaunchType::Fargate {
            return Err(ApiError::invalid_parameter(
                "The daemon scheduling strategy does not support the FARGATE launch type.",
                "$.schedulingStrategy",
            ));
        }
        let placement_strategy = service_placement_strategies(
            strategy,
            request.placement_strategy.as_deref(),
            launch_type,
        )?
        .unwrap_or_default();
        self.check_network(
            definition,
            request.network_configuration.as_ref(),
            "$.networkConfiguration",
        )?;
        let (member_of, distinct_instance) = runtime_constraints(
            request.placement_constraints.as_deref(),
            launch_type,
            definition.member_of.len(),
        )?;
        let defaults = DeploymentSettings::defaults(strategy);
        let deployment = defaults.updated(strategy, request.deployment_configuration.as_ref())?;
        let load_balancers =
            self.plan_load_balancers(request.load_balancers.as_ref(), definition)?;
        Ok(CreateServicePlan {
            cluster,
            name,
            definition: definition.key(),
            launch_type,
            strategy,
            desired_count,
            placement_strategy,
            member_of,
            distinct_instance,
            deployment,
            grace_s: grace_period(request.health_check_grace_period_seconds)?.unwrap_or(0),
            subnets: (request.network_configuration.as_ref())
                .map(|n| n.awsvpc_configuration.subnets.clone())
                .unwrap_or_default(),
            security_groups: (request.network_configuration.as_ref())
                .and_then(|n| n.awsvpc_configuration.security_groups.clone())
                .unwrap_or_default(),
            load_balancers,
            capacity_provider_strategy,
        })
    }

    /// A new service's name: ECS's naming rule, and no ACTIVE or DRAINING service of that name.
    fn check_new_service_name(&self, cluster: &str, name: &str) -> Result<(), ApiError> {
        if !super::is_valid_name(name) {
            return Err(ApiError::invalid_parameter(
                "Service name must be 1-255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.",
                "$.serviceName",
            ));
        }
        match self.ecs.clusters[cluster].services.get(name) {
            Some(&existing) if self.ecs.services[existing].status != ServiceStatus::Inactive => {
                Err(ApiError::invalid_parameter(
                    "Creation of service was not idempotent.",
                    "$.serviceName",
                ))
            }
            _ => Ok(()),
        }
    }

    /// Creates the service a plan describes and starts its first deployment.
    fn apply_create_service(&mut self, plan: CreateServicePlan) -> ServiceIdx {
        let index = self.ecs.services.len();
        let (cluster, name) = (plan.cluster, plan.name);
        self.ecs.services.push(Service {
            name: name.clone(),
            arn: self.arn("ecs", &format!("service/{cluster}/{name}")),
            cluster: cluster.clone(),
            status: ServiceStatus::Active,
            scheduling_strategy: plan.strategy,
            launch_type: plan.launch_type,
            desired_count: plan.desired_count,
            deployments: Vec::new(),
            circuit_breaker: plan.deployment.circuit_breaker,
            timeline: Vec::new(),
            changes: Vec::new(),
            minimum_healthy_percent: plan.deployment.minimum_healthy_percent,
            maximum_percent: plan.deployment.maximum_percent,
            health_check_grace_period_s: plan.grace_s,
            member_of: plan.member_of,
            distinct_instance: plan.distinct_instance,
            placement_strategy: plan.placement_strategy,
            last_placement_failure: None,
            created_at: self.now,
            tasks: Vec::new(),
            events: Vec::new(),
            steady: false,
            start_failures_in_a_row: 0,
            throttled_until: 0,
            reconcile_queued: false,
            timeline_changed: false,
            subnets: plan.subnets,
            security_groups: plan.security_groups,
            load_balancers: plan.load_balancers,
            capacity_provider_strategy: plan.capacity_provider_strategy,
        });
        let services = &mut self
            .ecs
            .clusters
            .get_mut(&cluster)
            .expect("cluster")
            .services;
        services.insert(name, index);
        self.start_deployment(index, plan.definition, None);
        index
    }

    fn find_service(&self, cluster: &str, field: &str, path: &str) -> Result<ServiceIdx, ApiError> {
        match self.ecs.clusters[cluster].services.get(short_id(field)) {
            Some(&s) if self.ecs.services[s].status != ServiceStatus::Inactive => Ok(s),
            _ => Err(ApiError::service_not_found(path)),
        }
    }

    pub(crate) fn update_service(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: UpdateServiceRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::UPDATE_SERVICE)?;
        let plan = self.plan_update_service(&request)?;
        let service = plan.service;
        self.apply_update_service(plan);
        Ok(json!({ "service": self.service_json(service) }))
    }

    /// Every check of UpdateService, over the world as it is: a plan to apply, or AWS's error.
    fn plan_update_service(
        &self,
        request: &UpdateServiceRequest,
    ) -> Result<UpdateServicePlan, ApiError> {
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let service = self.find_service(&cluster, &request.service, "$.service")?;
        let s = &self.ecs.services[service];
        if s.status == ServiceStatus::Draining {
            return Err(ApiError::new(
                "ServiceNotActiveException",
                "Service was not ACTIVE.",
                Some("$.service"),
            ));
        }
        let definition = match &request.task_definition {
            None => None,
            Some(reference) => Some(self.check_new_definition(service, reference)?),
        };
        let strategy = s.scheduling_strategy;
        let current = DeploymentSettings {
            minimum_healthy_percent: s.minimum_healthy_percent,
            maximum_percent: s.maximum_percent,
            circuit_breaker: s.circuit_breaker,
        };
        let deployment = current.updated(strategy, request.deployment_configuration.as_ref())?;
        let desired_count = desired_count(strategy, request.desired_count)?;
        let grace_s = grace_period(request.health_check_grace_period_seconds)?;
        // New placement strategies or constraints (an empty list removes them) apply to the
        // tasks placed from now on; the tasks already running stay where they are.
        let placement_strategy = service_placement_strategies(
            strategy,
            request.placement_strategy.as_deref(),
            s.launch_type,
        )?;
        let constraints = match request.placement_constraints.as_deref() {
            Some(list) => {
                let current = self
                    .resolve_task_definition(s.task_definition(), "$")
                    .expect("registered");
                Some(runtime_constraints(
                    Some(list),
                    s.launch_type,
                    current.member_of.len(),
                )?)
            }
            None => None,
        };
        let load_balancers = self.plan_updated_load_balancers(
            service,
            definition.as_deref(),
            request.load_balancers.as_ref(),
        )?;
        let capacity_provider_strategy = match request.capacity_provider_strategy.as_deref() {
            Some(items) => Some(self.plan_updated_strategy(
                service,
                items,
                request.force_new_deployment == Some(true),
            )?),
            None => None,
        };
        Ok(UpdateServicePlan {
            service,
            definition,
            force_new_deployment: request.force_new_deployment == Some(true),
            deployment,
            desired_count,
            grace_s,
            placement_strategy,
            constraints,
            load_balancers,
            capacity_provider_strategy,
        })
    }

    /// UpdateService's `loadBalancers`, checked against the task definition the service will
    /// run; without them, a new task definition must still have the containers and ports the
    /// service's load balancers name.
    fn plan_updated_load_balancers(
        &self,
        service: ServiceIdx,
        new_definition: Option<&str>,
        field: Option<&Vec<Value>>,
    ) -> Result<Option<Vec<super::load_balancers::ServiceLoadBalancer>>, ApiError> {
        let s = &self.ecs.services[service];
        let key = new_definition.unwrap_or(s.task_definition());
        let definition = self.resolve_task_definition(key, "$").expect("registered");
        if field.is_some() {
            return self.plan_load_balancers(field, definition).map(Some);
        }
        let still_there = (s.load_balancers.iter()).all(|lb| {
            (definition.containers.iter())
                .filter(|c| c.name == lb.container_name)
                .any(|c| (c.port_mappings.iter()).any(|p| p.container_port == lb.container_port))
        });
        if !still_there {
            return Err(ApiError::invalid_parameter(
                format!(
                    "Unable to update the service {}: Load balancer container name or port changed in task definition",
                    s.name
                ),
                "$.taskDefinition",
            ));
        }
        Ok(None)
    }

    /// A new task definition for `service`: registered, of the service's launch type and
    /// network mode. Returns its `family:revision`.
    fn check_new_definition(
        &self,
        service: ServiceIdx,
        reference: &str,
    ) -> Result<String, ApiError> {
        let definition = self.resolve_task_definition(reference, "$.taskDefinition")?;
        let s = &self.ecs.services[service];
        if s.launch_type == LaunchType::Fargate && !definition.fargate_compatible {
            return Err(ApiError::invalid_parameter(
                "Task definition does not support launch_type FARGATE.",
                "$.taskDefinition",
            ));
        }
        let current = self
            .resolve_task_definition(s.task_definition(), "$")
            .expect("registered");
        if definition.network_mode != current.network_mode {
            return Err(ApiError::invalid_parameter(
                "The network mode of the new task definition must match the service's: its network configuration stays as it is.",
                "$.taskDefinition",
            ));
        }
        Ok(definition.key())
    }

    /// Changes the service as a plan says; a new task definition, or forceNewDeployment,
    /// starts a deployment (aws-facts 5.1), a new desired count alone does not (4.1).
    fn apply_update_service(&mut self, plan: UpdateServicePlan) {
        let service = plan.service;
        let s = &mut self.ecs.services[service];
        s.minimum_healthy_percent = plan.deployment.minimum_healthy_percent;
        s.maximum_percent = plan.deployment.maximum_percent;
        s.circuit_breaker = plan.deployment.circuit_breaker;
        if let Some(strategies) = plan.placement_strategy {
            s.placement_strategy = strategies;
        }
        if let Some((member_of, distinct)) = plan.constraints {
            s.member_of = member_of;
            s.distinct_instance = distinct;
        }
        if let Some(desired) = plan.desired_count {
            s.desired_count = desired;
        }
        if let Some(grace) = plan.grace_s {
            s.health_check_grace_period_s = grace;
        }
        let mut changed = plan
            .definition
            .as_deref()
            .is_some_and(|d| d != s.task_definition());
        // New load balancers start a deployment: its tasks register with them (aws-facts 8.1).
        if let Some(load_balancers) = plan.load_balancers {
            changed |= load_balancers != s.load_balancers;
            s.load_balancers = load_balancers;
        }
        // A new strategy comes with a forced new deployment; its tasks go by the new one.
        if let Some(strategy) = plan.capacity_provider_strategy {
            s.capacity_provider_strategy = strategy;
        }
        if changed || plan.force_new_deployment {
            let key = plan
                .definition
                .unwrap_or_else(|| s.task_definition().to_string());
            self.start_deployment(service, key, None);
        }
        self.queue_reconcile(service, 0);
    }

    /// Application Auto Scaling sets a service's desired count, as its service-linked role
    /// (`AWSServiceRoleForApplicationAutoScaling_ECSService`) would with UpdateService: the
    /// same change, and ECS's `SERVICE_DESIRED_COUNT_UPDATED` (aws-facts 13: not sent for a
    /// change made by hand).
    pub(crate) fn desired_count_by_autoscaling(&mut self, cluster: &str, name: &str, count: u32) {
        let request = json!({ "cluster": cluster, "service": name, "desiredCount": count });
        if self.update_service(&request).is_err() {
            return; // The service went (or drains) since the policy looked: nothing to set.
        }
        if let Ok(service) = self.find_service(cluster, name, "$.service") {
            self.service_action_event(service, "INFO", "SERVICE_DESIRED_COUNT_UPDATED", json!({}));
        }
    }

    pub(crate) fn delete_service(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DeleteServiceRequest = parse_request(input)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let service = self.find_service(&cluster, &request.service, "$.service")?;
        let s = &self.ecs.services[service];
        if s.scheduling_strategy == SchedulingStrategy::Replica
            && s.desired_count > 0
            && request.force != Some(true)
        {
            return Err(ApiError::invalid_parameter(
                "The service cannot be stopped while it is scaled above 0.",
                "$.service",
            ));
        }
        let s = &mut self.ecs.services[service];
        s.status = ServiceStatus::Draining;
        s.desired_count = 0;
        self.queue_reconcile(service, 0);
        Ok(json!({ "service": self.service_json(service) }))
    }

    pub(crate) fn describe_services(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeServicesRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::DESCRIBE)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        if request.services.len() > 10 {
            return Err(ApiError::invalid_parameter(
                "services can have at most 10 items.",
                "$.services",
            ));
        }
        let (services, failures) = super::found_or_missing(
            &request.services,
            |field| {
                let services = &self.ecs.clusters[&cluster].services;
                services.get(short_id(field)).map(|&s| self.service_json(s))
            },
            str::to_string,
        );
        Ok(json!({ "services": services, "failures": failures }))
    }

    pub(crate) fn list_services(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListServicesRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::LIST)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let arns: Vec<&str> = self.ecs.clusters[&cluster]
            .services
            .values()
            .map(|&s| &self.ecs.services[s])
            // DRAINING and INACTIVE services are not listed (aws-facts 4.1).
            .filter(|s| s.status == ServiceStatus::Active)
            .filter(|s| {
                request
                    .launch_type
                    .as_ref()
                    .is_none_or(|l| s.launch_type.as_str() == l)
            })
            .filter(|s| {
                request
                    .scheduling_strategy
                    .as_ref()
                    .is_none_or(|strategy| s.scheduling_strategy.as_str() == strategy)
            })
            .map(|s| s.arn.as_str())
            .collect();
        Ok(json!({ "serviceArns": arns }))
    }

    /// Queues one reconcile of the service `delay_ms` from now, unless one is already queued.
    pub(crate) fn queue_reconcile(&mut self, service: ServiceIdx, delay_ms: SimTime) {
        let s = &mut self.ecs.services[service];
        if s.reconcile_queued || s.status == ServiceStatus::Inactive {
            return;
        }
        s.reconcile_queued = true;
        self.schedule(delay_ms, Timer::Reconcile(service));
    }

    /// Capacity changed in the cluster: every service there takes another look.
    pub(crate) fn reconcile_cluster(&mut self, cluster: &str) {
        self.queue_place_waiting(cluster);
        let services: Vec<ServiceIdx> = self.ecs.clusters[cluster]
            .services
            .values()
            .copied()
            .collect();
        for service in services {
            self.queue_reconcile(service, 0);
        }
    }

    pub(crate) fn service_message(&mut self, service: ServiceIdx, message: String) {
        let id = self.ids.uuid();
        let s = &mut self.ecs.services[service];
        s.events.insert(
            0,
            ServiceEvent {
                id,
                created_at: self.now,
                message: message.clone(),
            },
        );
        s.events.truncate(SERVICE_EVENTS_MAX);
        let (name, cluster) = (s.name.clone(), s.cluster.clone());
        self.record(crate::engine::log::LogRecord::ServiceMessage {
            time: self.now,
            service: name,
            cluster,
            message,
        });
    }

    fn service_action_event(
        &mut self,
        service: ServiceIdx,
        event_type: &str,
        event_name: &str,
        extra: Value,
    ) {
        let s = &self.ecs.services[service];
        let mut detail = json!({
            "eventType": event_type,
            "eventName": event_name,
            "clusterArn": self.ecs.clusters[&s.cluster].arn,
            "createdAt": self.iso(self.now),
        });
        if let (Some(map), Some(extra)) = (detail.as_object_mut(), extra.as_object()) {
            map.extend(extra.clone());
        }
        let arn = s.arn.clone();
        self.emit_ecs_event("ECS Service Action", vec![arn], detail);
    }

    /// The service scheduler's look at one service: stop what is unhealthy or surplus, start
    /// what is missing, and say when the service is steady.
    pub(crate) fn reconcile(&mut self, service: ServiceIdx) {
        self.ecs.services[service].reconcile_queued = false;
        if self.ecs.services[service].status == ServiceStatus::Inactive {
            return;
        }
        self.replace_unhealthy(service);
        match self.ecs.services[service].scheduling_strategy {
            SchedulingStrategy::Replica => self.reconcile_replica(service),
            SchedulingStrategy::Daemon => self.reconcile_daemon(service),
        }
        self.retire_drained_deployments(service);
        self.check_steady_state(service);
        self.record_timeline(service);
    }

    /// Service tasks the service still counts: not asked to stop, and not being replaced.
    pub(crate) fn live_tasks(&self, service: ServiceIdx) -> Vec<TaskIdx> {
        self.ecs.services[service]
            .tasks
            .iter()
            .copied()
            .filter(|&t| {
                let task = &self.ecs.tasks[t];
                task.desired_status == TaskStatus::Running && !task.replacing
            })
            .collect()
    }

    /// Replaces tasks whose essential container failed its health checks (once past the grace
    /// period) and, for REPLICA services, tasks on DRAINING instances (aws-facts 4.3, 4.6). When
    /// maximumPercent leaves room the replacement starts first and the old task stops once the
    /// service has its desired count of healthy tasks without it; otherwise old tasks stop, the
    /// unhealthy one at a time and the healthy ones only while minimumHealthyPercent holds.
    fn replace_unhealthy(&mut self, service: ServiceIdx) {
        let candidates = self.replacement_candidates(service);
        let mut stopped = self.replace_or_stop(service, candidates);
        stopped.extend(self.stop_replaced_tasks(service));
        if !stopped.is_empty() {
            self.tasks_message(service, "stopped", &stopped);
        }
    }

    /// The service's tasks to replace: unhealthy past their grace period, and (REPLICA) those
    /// on draining instances. Unhealthy ones still in their grace period bring a later look.
    fn replacement_candidates(&mut self, service: ServiceIdx) -> Vec<TaskIdx> {
        let s = &self.ecs.services[service];
        let grace_ms = u64::from(s.health_check_grace_period_s) * MS_PER_SECOND;
        let replica = s.scheduling_strategy == SchedulingStrategy::Replica;
        let mut candidates = Vec::new();
        for task in self.live_tasks(service) {
            let t = &self.ecs.tasks[task];
            let on_draining = t.container_instance.is_some_and(|i| {
                self.ecs.container_instances[i].status == InstanceStatus::Draining
            });
            if t.is_running() && self.fails_health(task) {
                let grace_ends = t.started_at.expect("running tasks have started") + grace_ms;
                if self.now < grace_ends {
                    // Look again when the grace period is over.
                    self.queue_reconcile(service, grace_ends - self.now);
                } else {
                    candidates.push(task);
                }
            } else if replica && on_draining {
                candidates.push(task);
            }
        }
        candidates
    }

    /// Marks each candidate for replacement-first while maximumPercent has room; without room
    /// stops unhealthy ones one at a time and healthy ones within the minimum. The stopped.
    fn replace_or_stop(&mut self, service: ServiceIdx, candidates: Vec<TaskIdx>) -> Vec<TaskIdx> {
        let s = &self.ecs.services[service];
        let replica = s.scheduling_strategy == SchedulingStrategy::Replica;
        let minimum =
            super::deployment::minimum_healthy(s.desired_count, s.minimum_healthy_percent);
        let maximum = super::deployment::maximum_tasks(s.desired_count, s.maximum_percent);
        let mut stopped = Vec::new();
        let mut marked = 0;
        let mut unhealthy_stopped = false;
        for task in candidates {
            let unhealthy = self.fails_health(task);
            if replica && self.unstopped_tasks(service).len() as u32 + marked < maximum {
                // Room for the replacement first: the task leaves the count and stays up.
                self.ecs.tasks[task].replacing = true;
                marked += 1;
                continue;
            }
            let healthy = self
                .live_tasks(service)
                .iter()
                .filter(|&&t| self.healthy_for_service(t).is_ok())
                .count() as u32;
            let allowed = if !replica {
                true
            } else if unhealthy {
                !unhealthy_stopped
            } else {
                healthy > minimum
            };
            if allowed {
                unhealthy_stopped |= unhealthy;
                self.stop_replaced(task);
                stopped.push(task);
            }
        }
        stopped
    }

    /// Tasks being replaced go once their replacements are in: an unhealthy task when the
    /// service has its desired count RUNNING without it, a healthy one on a draining instance
    /// when it has its desired count healthy (so minimumHealthyPercent holds throughout).
    fn stop_replaced_tasks(&mut self, service: ServiceIdx) -> Vec<TaskIdx> {
        let desired = self.ecs.services[service].desired_count;
        let live = self.live_tasks(service);
        let running = live
            .iter()
            .filter(|&&t| self.ecs.tasks[t].is_running())
            .count() as u32;
        let healthy = live
            .iter()
            .filter(|&&t| self.healthy_for_service(t).is_ok())
            .count() as u32;
        let replaced: Vec<TaskIdx> = self.ecs.services[service]
            .tasks
            .iter()
            .copied()
            .filter(|&t| {
                let task = &self.ecs.tasks[t];
                task.replacing
                    && task.desired_status == TaskStatus::Running
                    && if self.fails_health(t) {
                        running >= desired
                    } else {
                        healthy >= desired
                    }
            })
            .collect();
        for &task in &replaced {
            self.stop_replaced(task);
        }
        replaced
    }

    /// Whether the task failed its health checks: an essential container's, or a load
    /// balancer's on one of its targets.
    fn fails_health(&self, task: TaskIdx) -> bool {
        self.ecs.tasks[task].health() == Health::Unhealthy || self.unhealthy_target(task).is_some()
    }

    /// Stops a task the scheduler replaces, saying why.
    fn stop_replaced(&mut self, task: TaskIdx) {
        if let Some(reason) = self.unhealthy_target_reason(task) {
            self.stop_task_now(task, StopCode::ServiceSchedulerInitiated, &reason);
            return;
        }
        let t = &self.ecs.tasks[task];
        let reason = match t
            .containers
            .iter()
            .find(|c| c.essential && c.health == Health::Unhealthy)
        {
            Some(c) => format!("Task failed container health checks (container {})", c.name),
            None => "Container instance is being drained".to_string(),
        };
        self.stop_task_now(task, StopCode::ServiceSchedulerInitiated, &reason);
    }

    fn reconcile_replica(&mut self, service: ServiceIdx) {
        let live = self.live_tasks(service);
        let desired = self.ecs.services[service].desired_count as usize;
        let deploying = self.ecs.services[service].deployments[0].rollout_state
            == RolloutState::Failed
            || live
                .iter()
                .any(|&t| self.deployment_of(service, t) != Some(0));
        if deploying && self.ecs.services[service].status == ServiceStatus::Active {
            self.deploy_step(service, &live);
        } else if live.len() > desired {
            self.stop_chosen(service, &live, live.len() - desired, "Scaling activity");
        } else if live.len() < desired {
            if self.now < self.ecs.services[service].throttled_until {
                let wait = self.ecs.services[service].throttled_until - self.now;
                self.queue_reconcile(service, wait);
                return;
            }
            self.launch(
                service,
                (desired - live.len()).min(LAUNCHES_PER_RECONCILE_MAX),
            );
        }
        if self.ecs.services[service].status == ServiceStatus::Draining
            && self.ecs.services[service]
                .tasks
                .iter()
                .all(|&t| self.ecs.tasks[t].is_stopped())
        {
            self.ecs.services[service].status = ServiceStatus::Inactive;
        }
    }

    /// Stops `count` of `candidates`, chosen as ECS chooses for the service's strategies
    /// (aws-facts 2.2, see `placement::scale_in`); `activity` starts the stopped reason, e.g.
    /// "Scaling activity initiated by (deployment ecs-svc/...)".
    pub(crate) fn stop_chosen(
        &mut self,
        service: ServiceIdx,
        candidates: &[TaskIdx],
        count: usize,
        activity: &str,
    ) {
        let strategies = self.strategies_in_force(service);
        let chosen = placement::scale_in::choose_to_stop(
            &self.ecs,
            candidates,
            count,
            &strategies,
            &mut self.rng,
        );
        let primary = self.ecs.services[service].deployments[0].id.clone();
        for &task in &chosen {
            self.stop_task_now(
                task,
                StopCode::ServiceSchedulerInitiated,
                &format!("{activity} initiated by (deployment {primary})"),
            );
        }
        self.tasks_message(service, "stopped", &chosen);
    }

    /// Records a started task on the deployment timeline: where it went.
    pub(crate) fn record_start(&mut self, service: ServiceIdx, task: TaskIdx) {
        let t = &self.ecs.tasks[task];
        let reason = match (t.container_instance, t.launch_type) {
            (Some(i), _) => format!(
                "placed on container instance {} in {}",
                self.ecs.container_instances[i].id, t.availability_zone
            ),
            (None, LaunchType::Fargate) => format!("Fargate, in {}", t.availability_zone),
            (None, LaunchType::Ec2) => format!(
                "PROVISIONING: waiting for an instance of capacity provider {}",
                t.capacity_provider.as_deref().unwrap_or("")
            ),
        };
        self.record_change(service, task, "started", reason);
    }

    /// The strategy chain a service's tasks are placed with: its own, or the default.
    pub(crate) fn strategies_in_force(&self, service: ServiceIdx) -> Vec<placement::Strategy> {
        let s = &self.ecs.services[service];
        if s.placement_strategy.is_empty() {
            placement::service_default_strategies()
        } else {
            s.placement_strategy.clone()
        }
    }

    /// Starts up to `count` tasks; reports the first placement failure and tries again later.
    pub(crate) fn launch(&mut self, service: ServiceIdx, count: usize) {
        let s = &self.ecs.services[service];
        let definition = self
            .resolve_task_definition(s.task_definition(), "$")
            .expect("registered")
            .clone();
        if let Some(message) = self.assume_roles_error(&definition) {
            let name = s.name.clone();
            self.service_message(
                service,
                format!("(service {name}) failed to launch a task with (error {message})."),
            );
            self.queue_reconcile(service, PLACEMENT_RETRY_MS);
            return;
        }
        let group = format!("service:{}", s.name);
        let (cluster, launch_type, deployment) = (
            s.cluster.clone(),
            s.launch_type,
            s.deployments[0].id.clone(),
        );
        let mut spot_failure = false;
        let mut unplaced = Vec::new();
        let (placed, mut failure, providers) = match launch_type {
            LaunchType::Fargate => {
                let (providers, blocked) = self.service_providers(service, count);
                spot_failure = blocked > 0;
                let placed = self.fargate_zones(service, providers.len());
                (placed, None, providers)
            }
            LaunchType::Ec2
                if !self.ecs.services[service]
                    .capacity_provider_strategy
                    .is_empty() =>
            {
                let (placed, failure, named, left) =
                    self.place_on_providers(service, &definition, &group, count);
                unplaced = left;
                (placed, failure, named)
            }
            LaunchType::Ec2 => {
                let candidates = self.ecs.clusters[&cluster].instances.clone();
                let (placed, failure) =
                    self.place_service_tasks(service, &definition, &group, count, &candidates);
                let none = vec![None; placed.len()];
                (placed, failure, none)
            }
        };
        let mut started = Vec::new();
        for ((instance, availability_zone, trace), capacity_provider) in
            placed.into_iter().zip(providers)
        {
            let launch = Launch {
                capacity_provider,
                cluster: cluster.clone(),
                definition: definition.key(),
                launch_type,
                instance,
                availability_zone,
                group: group.clone(),
                started_by: Some(deployment.clone()),
                service: Some(service),
            };
            started.push(self.start_service_task(service, launch, trace));
        }
        // Tasks an Auto Scaling group provider has no room for wait PROVISIONING for it,
        // within the cluster's quota; beyond it they fail to place as without a provider.
        let room = self.waiting_room(&cluster);
        if !unplaced.is_empty() && unplaced.len() <= room {
            failure = None;
        }
        for capacity_provider in unplaced.into_iter().take(room) {
            let s = &self.ecs.services[service];
            let placement = super::provisioning::WaitPlacement {
                member_of: s.member_of.clone(),
                distinct_instance: s.distinct_instance,
                strategies: s.placement_strategy.clone(),
                for_service: true,
            };
            let launch = Launch {
                capacity_provider: Some(capacity_provider),
                cluster: cluster.clone(),
                definition: definition.key(),
                launch_type,
                instance: None,
                availability_zone: String::new(),
                group: group.clone(),
                started_by: Some(deployment.clone()),
                service: Some(service),
            };
            let task = self.wait_for_capacity(launch, placement);
            self.ecs.services[service].tasks.push(task);
            self.record_start(service, task);
            started.push(task);
        }
        if !started.is_empty() {
            self.tasks_message(service, "started", &started);
        }
        if let Some(failure) = failure {
            self.report_placement_failure(service, &failure);
            self.queue_reconcile(service, PLACEMENT_RETRY_MS);
        } else if spot_failure {
            self.report_no_fargate_capacity(service);
            self.queue_reconcile(service, PLACEMENT_RETRY_MS);
        } else if count == LAUNCHES_PER_RECONCILE_MAX {
            self.queue_reconcile(service, RECONCILE_AFTER_LAUNCH_BATCH_MS);
        }
    }

    /// The capacity provider of each of a Fargate service's next `count` tasks (None without a
    /// strategy), after the tasks it runs, and how many of them Fargate Spot could not take
    /// (it has no capacity: those are not started).
    fn service_providers(&self, service: ServiceIdx, count: usize) -> (Vec<Option<String>>, usize) {
        let strategy = &self.ecs.services[service].capacity_provider_strategy;
        if strategy.is_empty() {
            return (vec![None; count], 0);
        }
        let live = self.live_tasks(service);
        let mut counts: Vec<u32> = (strategy.iter())
            .map(|item| {
                (live.iter())
                    .filter(|&&t| {
                        self.ecs.tasks[t].capacity_provider.as_deref()
                            == Some(item.capacity_provider.as_str())
                    })
                    .count() as u32
            })
            .collect();
        let chosen = World::providers_for(strategy, &mut counts, count);
        let available = self.ecs.spot.available;
        let blocked = (chosen.iter())
            .filter(|p| !available && *p == super::capacity_providers::FARGATE_SPOT)
            .count();
        let providers = (chosen.into_iter())
            .filter(|p| available || p != super::capacity_providers::FARGATE_SPOT)
            .map(Some)
            .collect();
        (providers, blocked)
    }

    /// An EC2 service's next `count` tasks by its strategy of Auto Scaling group providers: each
    /// provider's share placed on the cluster's instances of its group; with the provider of
    /// each task that found no room.
    fn place_on_providers(
        &mut self,
        service: ServiceIdx,
        definition: &super::TaskDefinition,
        group: &str,
        count: usize,
    ) -> (
        Vec<Placed>,
        Option<PlacementFailure>,
        Vec<Option<String>>,
        Vec<String>,
    ) {
        let (providers, _) = self.service_providers(service, count);
        let strategy = self.ecs.services[service]
            .capacity_provider_strategy
            .clone();
        let cluster = self.ecs.services[service].cluster.clone();
        let (mut placed, mut failure, mut named) = (Vec::new(), None, Vec::new());
        let mut unplaced = Vec::new();
        for item in &strategy {
            let name = &item.capacity_provider;
            let share = providers
                .iter()
                .filter(|p| p.as_deref() == Some(name.as_str()))
                .count();
            if share == 0 {
                continue;
            }
            let candidates = self.provider_candidates(&cluster, name);
            let (mine, why) =
                self.place_service_tasks(service, definition, group, share, &candidates);
            named.extend(std::iter::repeat_n(Some(name.clone()), mine.len()));
            unplaced.extend(std::iter::repeat_n(name.clone(), share - mine.len()));
            placed.extend(mine);
            failure = failure.or(why);
        }
        (placed, failure, named, unplaced)
    }

    /// Fargate Spot has no capacity for a service's task: ECS's service event and the
    /// placement failure event with RESOURCE:FARGATE (aws-facts 7.4, 17.1.10).
    fn report_no_fargate_capacity(&mut self, service: ServiceIdx) {
        let name = self.ecs.services[service].name.clone();
        self.service_message(
            service,
            format!("(service {name}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone."),
        );
        let arn = self.arn(
            "ecs",
            &format!(
                "capacity-provider/{}",
                super::capacity_providers::FARGATE_SPOT
            ),
        );
        self.service_action_event(
            service,
            "ERROR",
            "SERVICE_TASK_PLACEMENT_FAILURE",
            json!({ "reason": "RESOURCE:FARGATE", "capacityProviderArns": [arn] }),
        );
    }

    /// Fargate spreads a service's tasks across the Availability Zones of its subnets.
    fn fargate_zones(&self, service: ServiceIdx, count: usize) -> Vec<Placed> {
        let zones = super::task::fargate_subnet_zones(self, &self.ecs.services[service].subnets);
        let live = self.live_tasks(service);
        let mut counts: Vec<usize> = zones
            .iter()
            .map(|zone| {
                live.iter()
                    .filter(|&&t| &self.ecs.tasks[t].availability_zone == zone)
                    .count()
            })
            .collect();
        let mut placed = Vec::with_capacity(count);
        for _ in 0..count {
            let z = (0..zones.len()).min_by_key(|&z| counts[z]).unwrap_or(0);
            if let Some(n) = counts.get_mut(z) {
                *n += 1;
            }
            let zone = zones
                .get(z)
                .cloned()
                .unwrap_or_else(|| format!("{}a", self.config.region));
            placed.push((None, zone, None));
        }
        placed
    }

    /// Where `count` tasks of an EC2 service go, in order, and the failure that ends the batch.
    fn place_service_tasks(
        &mut self,
        service: ServiceIdx,
        definition: &super::TaskDefinition,
        group: &str,
        count: usize,
        candidates: &[InstanceIdx],
    ) -> (Vec<Placed>, Option<PlacementFailure>) {
        let s = &self.ecs.services[service];
        let request = self.placement_request(
            definition,
            &s.member_of,
            s.distinct_instance,
            group.to_string(),
            &s.placement_strategy,
            placement::service_default_strategies(),
        );
        let mut placed = Vec::new();
        let mut failure = None;
        for (outcome, trace) in self.place_tasks(candidates, request, count, true) {
            match outcome {
                Ok(i) => {
                    let zone = self.ecs.container_instances[i].availability_zone.clone();
                    placed.push((Some(i), zone, Some(trace)));
                }
                Err(f) => {
                    self.ecs.services[service].last_placement_failure = Some(trace);
                    failure = Some(f);
                }
            }
        }
        if failure.is_none() && count > 0 {
            // Every task asked for found an instance: the old failure no longer explains anything.
            self.ecs.services[service].last_placement_failure = None;
        }
        (placed, failure)
    }

    fn report_placement_failure(&mut self, service: ServiceIdx, failure: &PlacementFailure) {
        let name = self.ecs.services[service].name.clone();
        let closest = failure
            .closest
            .as_ref()
            .map(|(i, rejection)| (&self.ecs.container_instances[*i], rejection));
        // With Auto Scaling group providers the pool is the providers' instances.
        let pool = if self.ecs.services[service]
            .capacity_provider_strategy
            .is_empty()
        {
            "cluster"
        } else {
            "capacity provider"
        };
        let message = format!(
            "(service {name}) {}",
            placement::unable_to_place_message_in(closest.map(|(i, r)| (i.id.as_str(), r)), pool)
        );
        // With no instance at all there is no closest match; the event still needs a reason.
        let reason = closest.map_or("RESOURCE:CPU", |(_, r)| r.reason_code());
        let instance_arn = closest.map(|(i, _)| i.arn.clone());
        self.service_message(service, message);
        let mut extra = json!({ "reason": reason });
        if let Some(arn) = instance_arn {
            extra["containerInstanceArns"] = json!([arn]);
        }
        self.service_action_event(service, "ERROR", "SERVICE_TASK_PLACEMENT_FAILURE", extra);
    }

    /// A DAEMON service runs one task on each ACTIVE instance that meets its constraints and has
    /// room; it stops its tasks on instances that are draining or gone.
    fn reconcile_daemon(&mut self, service: ServiceIdx) {
        let draining_service = self.ecs.services[service].status == ServiceStatus::Draining;
        if !draining_service {
            self.replace_old_daemon_tasks(service);
        }
        let (started, stopped) = self.daemon_per_instance(service, draining_service);
        for &task in &stopped {
            self.stop_task_now(
                task,
                StopCode::ServiceSchedulerInitiated,
                "Container instance is being drained",
            );
        }
        if !started.is_empty() {
            self.tasks_message(service, "started", &started);
        }
        if !stopped.is_empty() {
            self.tasks_message(service, "stopped", &stopped);
        }
        if draining_service
            && self.ecs.services[service]
                .tasks
                .iter()
                .all(|&t| self.ecs.tasks[t].is_stopped())
        {
            self.ecs.services[service].status = ServiceStatus::Inactive;
        }
    }

    /// A deployment replaces daemon tasks instance by instance: old ones stop while
    /// minimumHealthyPercent allows (0 by default: all at once), and each instance gets the new
    /// task once its old one has stopped (maximumPercent is 100).
    fn replace_old_daemon_tasks(&mut self, service: ServiceIdx) {
        let minimum_percent = self.ecs.services[service].minimum_healthy_percent;
        let live = self.live_tasks(service);
        let old: Vec<TaskIdx> = live
            .iter()
            .copied()
            .filter(|&t| self.deployment_of(service, t) != Some(0))
            .collect();
        if old.is_empty() {
            return;
        }
        let minimum = super::deployment::minimum_healthy(live.len() as u32, minimum_percent);
        let healthy = live
            .iter()
            .filter(|&&t| self.healthy_for_service(t).is_ok())
            .count() as u32;
        let count = (healthy.saturating_sub(minimum) as usize).min(old.len());
        if count > 0 {
            self.stop_chosen(service, &old, count, "Deployment replacement");
        }
    }

    /// One daemon task on each active instance that has none; the tasks to stop on instances
    /// that are no longer active (after every other task on a draining one). Returns the
    /// started and the ones to stop.
    fn daemon_per_instance(
        &mut self,
        service: ServiceIdx,
        draining_service: bool,
    ) -> (Vec<TaskIdx>, Vec<TaskIdx>) {
        let s = &self.ecs.services[service];
        let definition = self
            .resolve_task_definition(s.task_definition(), "$")
            .expect("registered")
            .clone();
        let group = format!("service:{}", s.name);
        let request = self.placement_request(
            &definition,
            &s.member_of,
            false,
            group.clone(),
            &[],
            Vec::new(),
        );
        let template = Launch {
            cluster: s.cluster.clone(),
            definition: definition.key(),
            launch_type: LaunchType::Ec2,
            instance: None,
            availability_zone: String::new(),
            group,
            started_by: Some(s.deployments[0].id.clone()),
            service: Some(service),
            capacity_provider: None,
        };
        // A daemon service's tasks that keep failing to start are throttled as a replica
        // service's are (aws-facts 4.4): no new one until the wait is over.
        let throttled_ms = (s.throttled_until > self.now).then(|| s.throttled_until - self.now);
        let instances: Vec<InstanceIdx> = self.ecs.clusters[&s.cluster].instances.clone();
        let mut started = Vec::new();
        let mut stopped = Vec::new();
        for i in instances {
            let mine: Vec<TaskIdx> = self
                .live_tasks(service)
                .into_iter()
                .filter(|&t| self.ecs.tasks[t].container_instance == Some(i))
                .collect();
            let status = self.ecs.container_instances[i].status;
            if draining_service || status != InstanceStatus::Active {
                // Daemon tasks stop last on a draining instance: after every other task there.
                let others_left = self.ecs.container_instances[i].tasks.iter().any(|&t| {
                    self.ecs.tasks[t].service != Some(service) && !self.ecs.tasks[t].is_stopped()
                });
                if !(status == InstanceStatus::Draining && others_left) {
                    stopped.extend(mine);
                }
                continue;
            }
            let occupied = self
                .unstopped_tasks(service)
                .iter()
                .any(|&t| self.ecs.tasks[t].container_instance == Some(i));
            if occupied {
                continue;
            }
            if throttled_ms.is_some() {
                continue;
            }
            // One instance, no strategy: the daemon task goes there if every check passes.
            if let Some((Ok(_), trace)) = self.place_tasks(&[i], request.clone(), 1, true).pop() {
                let zone = self.ecs.container_instances[i].availability_zone.clone();
                let launch = Launch {
                    instance: Some(i),
                    availability_zone: zone,
                    ..template.clone()
                };
                started.push(self.start_service_task(service, launch, Some(trace)));
            }
        }
        if let Some(wait) = throttled_ms {
            self.queue_reconcile(service, wait);
        }
        (started, stopped)
    }

    /// Starts one of a service's tasks where `launch` says and keeps its why-trace.
    fn start_service_task(
        &mut self,
        service: ServiceIdx,
        launch: Launch,
        trace: Option<Decision>,
    ) -> TaskIdx {
        let task = self.start_task(launch);
        if let Some(trace) = trace {
            self.keep_trace(task, trace);
        }
        self.ecs.services[service].tasks.push(task);
        self.record_start(service, task);
        task
    }

    /// The number of tasks a service wants now: desiredCount, or for a daemon the instances
    /// that run (or could run) one.
    pub(crate) fn target_count(&self, service: ServiceIdx) -> usize {
        let s = &self.ecs.services[service];
        match s.scheduling_strategy {
            SchedulingStrategy::Replica => s.desired_count as usize,
            SchedulingStrategy::Daemon => self.live_tasks(service).len(),
        }
    }

    /// Whether the task counts as healthy for the service (aws-facts 4.3), and if not yet, when
    /// it will.
    pub(crate) fn healthy_for_service(&self, task: TaskIdx) -> Result<(), Option<SimTime>> {
        let t = &self.ecs.tasks[task];
        let Some(started) = t.started_at.filter(|_| t.is_running()) else {
            return Err(None);
        };
        // Behind a load balancer: healthy once its targets are, and its containers too when
        // they have health checks. ELB says when a target changes (a reconcile follows).
        let behind_load_balancer = !self.task_load_balancers(task).is_empty();
        if behind_load_balancer {
            let containers_ok = !t.essential_health_check || t.health() == Health::Healthy;
            return if containers_ok && self.targets_healthy(task) {
                Ok(())
            } else {
                Err(None)
            };
        }
        if t.essential_health_check {
            return if t.health() == Health::Healthy {
                Ok(())
            } else {
                Err(None)
            };
        }
        let at = started + HEALTHY_AFTER_RUNNING_MS;
        if self.now >= at {
            Ok(())
        } else {
            Err(Some(at))
        }
    }

    /// "has reached a steady state": running = desired, nothing pending, every task healthy.
    fn check_steady_state(&mut self, service: ServiceIdx) {
        if self.ecs.services[service].status != ServiceStatus::Active {
            return;
        }
        let live = self.live_tasks(service);
        let target = self.target_count(service);
        let others = self.unstopped_tasks(service).len() > live.len();
        let mut steady = live.len() == target && !others;
        for &task in &live {
            if let Err(when) = self.healthy_for_service(task) {
                steady = false;
                if let Some(at) = when {
                    self.queue_reconcile(service, at - self.now);
                }
            }
        }
        let was = std::mem::replace(&mut self.ecs.services[service].steady, steady);
        if steady && !was {
            let name = self.ecs.services[service].name.clone();
            self.service_message(
                service,
                format!("(service {name}) has reached a steady state."),
            );
            self.service_action_event(service, "INFO", "SERVICE_STEADY_STATE", json!({}));
        }
        if steady {
            self.complete_deployment(service);
        }
    }

    /// A service task reached RUNNING: the throttle forgets earlier failures.
    pub(crate) fn task_reached_running(&mut self, service: ServiceIdx, task: TaskIdx) {
        self.deployment_task_ran(service, task);
        self.register_task_targets(service, task);
        let s = &mut self.ecs.services[service];
        s.start_failures_in_a_row = 0;
        s.throttled_until = 0;
        self.queue_reconcile(service, 0);
    }

    /// A service task reached STOPPED: replace it, throttling if tasks keep failing to start.
    pub(crate) fn service_task_stopped(&mut self, service: ServiceIdx, task: TaskIdx) {
        let reason = self.ecs.tasks[task]
            .stopped_reason
            .clone()
            .unwrap_or_default();
        self.record_change(service, task, "stopped", reason);
        self.deployment_task_stopped(service, task);
        if !self.ecs.tasks[task].reached_running
            && self.ecs.tasks[task].stop_code == Some(StopCode::TaskFailedToStart)
        {
            let s = &mut self.ecs.services[service];
            s.start_failures_in_a_row += 1;
            let failures = s.start_failures_in_a_row;
            if failures >= THROTTLE_AFTER_FAILURES {
                let wait = THROTTLE_BASE_MS
                    .saturating_mul(1 << (failures - THROTTLE_AFTER_FAILURES).min(16))
                    .min(THROTTLE_MAX_MS);
                s.throttled_until = self.now + wait;
                if failures == THROTTLE_AFTER_FAILURES {
                    let name = s.name.clone();
                    self.service_message(
                        service,
                        format!(
                            "(service {name}) is unable to consistently start tasks successfully."
                        ),
                    );
                    self.service_action_event(
                        service,
                        "WARN",
                        "SERVICE_TASK_START_IMPAIRED",
                        json!({}),
                    );
                }
            }
        }
        self.queue_reconcile(service, 0);
    }

    /// One entry of DescribeServices' `deployments`.
    fn deployment_json(&self, service: ServiceIdx, n: usize, d: &super::Deployment) -> Value {
        let s = &self.ecs.services[service];
        let mine: Vec<&super::Task> = s
            .tasks
            .iter()
            .filter(|&&t| self.deployment_of(service, t) == Some(n))
            .map(|&t| &self.ecs.tasks[t])
            .collect();
        let definition = self
            .resolve_task_definition(&d.task_definition, "$")
            .expect("registered");
        let mut out = json!({
            "id": d.id,
            "status": d.status.as_str(),
            "taskDefinition": definition.arn,
            "desiredCount": if n == 0 { self.target_count(service) } else { 0 },
            "pendingCount": mine.iter().filter(|t| t.is_pending()).count(),
            "runningCount": mine.iter().filter(|t| t.is_running()).count(),
            "failedTasks": d.failed_tasks,
            "createdAt": self.epoch_seconds(d.created_at),
            "updatedAt": self.epoch_seconds(d.updated_at),
            "launchType": s.launch_type.as_str(),
            "rolloutState": d.rollout_state.as_str(),
            "rolloutStateReason": d.rollout_state_reason,
        });
        launch_or_strategy(&mut out, s);
        out
    }

    pub(crate) fn service_json(&self, service: ServiceIdx) -> Value {
        let s = &self.ecs.services[service];
        let tasks = s.tasks.iter().map(|&t| &self.ecs.tasks[t]);
        let running = tasks.clone().filter(|t| t.is_running()).count();
        let pending = tasks.filter(|t| t.is_pending()).count();
        let definition = self
            .resolve_task_definition(s.task_definition(), "$")
            .expect("registered");
        let desired = self.target_count(service);
        let events: Vec<Value> = s
            .events
            .iter()
            .map(|e| json!({ "id": e.id, "createdAt": self.epoch_seconds(e.created_at), "message": e.message }))
            .collect();
        let mut out = json!({
            "serviceArn": s.arn,
            "serviceName": s.name,
            "clusterArn": self.ecs.clusters[&s.cluster].arn,
            "status": s.status.as_str(),
            "desiredCount": desired,
            "runningCount": running,
            "pendingCount": pending,
            "launchType": s.launch_type.as_str(),
            "taskDefinition": definition.arn,
            "loadBalancers": s.load_balancers.iter().map(|lb| lb.json()).collect::<Vec<_>>(),
            "schedulingStrategy": s.scheduling_strategy.as_str(),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": { "enable": s.circuit_breaker.enable, "rollback": s.circuit_breaker.rollback },
                "maximumPercent": s.maximum_percent,
                "minimumHealthyPercent": s.minimum_healthy_percent,
            },
            "deployments": s.deployments.iter().enumerate()
                .filter(|(_, d)| d.status != DeploymentStatus::Inactive)
                .map(|(n, d)| self.deployment_json(service, n, d))
                .collect::<Vec<_>>(),
            "events": events,
            "createdAt": self.epoch_seconds(s.created_at),
            "placementConstraints": s.member_of.iter().map(|e| json!({ "type": "memberOf", "expression": e }))
                .chain(s.distinct_instance.then(|| json!({ "type": "distinctInstance" })))
                .collect::<Vec<_>>(),
            "placementStrategy": s.placement_strategy.iter().map(placement::Strategy::to_json).collect::<Vec<_>>(),
            "healthCheckGracePeriodSeconds": s.health_check_grace_period_s,
            "deploymentController": { "type": "ECS" },
        });
        launch_or_strategy(&mut out, s);
        out
    }
}
