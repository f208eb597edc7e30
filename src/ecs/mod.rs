//! Amazon ECS: task definitions, clusters, container instances, tasks and services, and the
//! container agent on EC2 instances. The state lives in [`EcsState`]; the request handlers are
//! `impl World` blocks in the submodules, one per resource, so a behaviour is found where AWS
//! keeps it. Its operations are in [`dispatch`], its timers in [`Timer`], its part of
//! `ecsplay describe` in [`describe`], its invariants in `invariants.rs`. It reads EC2 through
//! `ec2::read` and `ec2::catalogue`, and `sim:` through `sim::read` (docs/architecture.md).

pub mod agent;
pub mod asg_providers;
pub mod capacity_providers;
pub mod cluster;
pub mod deployment;
mod invariants;
pub mod load_balancers;
pub mod metrics;
pub mod placement;
pub mod provisioning;
pub mod read;
pub mod service;
pub mod startup;
pub mod store;
pub mod task;
pub mod task_definition;
pub mod unmodelled;
pub mod volumes;

use std::collections::BTreeMap;

use crate::engine::error::ApiError;
use crate::engine::time::SimTime;
use crate::world::World;
use task_definition::TaskDefinition;

/// The naming rule ECS applies to families, containers, clusters and services: 1 to 255
/// letters (uppercase and lowercase), numbers, underscores and hyphens.
pub fn is_valid_name(name: &str) -> bool {
    (1..=255).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// ECS's Describe* answer for a list of names or ARNs: the JSON of each one found, and a
/// `MISSING` failure (named by `arn_of`) for each of the rest, in request order.
pub(crate) fn found_or_missing(
    fields: &[String],
    describe: impl Fn(&str) -> Option<serde_json::Value>,
    arn_of: impl Fn(&str) -> String,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for field in fields {
        match describe(field) {
            Some(json) => found.push(json),
            None => failures.push(serde_json::json!({ "arn": arn_of(field), "reason": "MISSING" })),
        }
    }
    (found, failures)
}

/// The ECS settings a scenario may change (`settings` in the scenario file).
#[derive(Debug, Clone, PartialEq)]
pub struct EcsSettings {
    /// The deployment circuit breaker's minimum threshold.
    pub circuit_breaker_minimum_threshold: u32,
}

impl Default for EcsSettings {
    fn default() -> Self {
        Self {
            circuit_breaker_minimum_threshold: deployment::CIRCUIT_BREAKER_THRESHOLD_MIN,
        }
    }
}

/// Everything ECS schedules. Task timers carry the task's generation: a timer for a course the
/// task has left (it was stopped meanwhile) is ignored when it fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// An agent that could not register tries again.
    AgentRetry(String),
    /// The task's next lifecycle transition is due.
    TaskAdvance { task: TaskIdx, generation: u32 },
    /// A container of a running task exits by itself (sim:SetImageBehavior `exitAfter`).
    ContainerExit {
        task: TaskIdx,
        generation: u32,
        container: usize,
    },
    /// A container's application makes its AWS calls again (sim:SetImageBehavior `calls`
    /// with `every`).
    AppCalls {
        task: TaskIdx,
        generation: u32,
        container: usize,
    },
    /// A container writes its files again (sim:SetImageBehavior `writes` with `every`).
    ContainerWrites {
        task: TaskIdx,
        generation: u32,
        container: usize,
    },
    /// A container's health check settles on a status.
    ContainerHealth {
        task: TaskIdx,
        generation: u32,
        container: usize,
        health: Health,
    },
    /// The service scheduler looks at a service.
    Reconcile(ServiceIdx),
    /// A minute of Fargate Spot's random interruptions (the rate's generation).
    SpotMinute(u32),
    /// Capacity changed in a cluster with tasks waiting for it: they try to find room.
    PlaceWaiting(String),
}

/// Performs `ecs:<operation>`.
pub fn dispatch(
    world: &mut World,
    operation: &str,
    input: &serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    match operation {
        "CreateCluster" => world.create_cluster(input),
        "DeleteCluster" => world.delete_cluster(input),
        "DescribeClusters" => world.describe_clusters(input),
        "ListClusters" => world.list_clusters(input),
        "RegisterTaskDefinition" => world.register_task_definition(input),
        "DeregisterTaskDefinition" => world.deregister_task_definition(input),
        "DescribeTaskDefinition" => world.describe_task_definition(input),
        "ListTaskDefinitions" => world.list_task_definitions(input),
        "DescribeContainerInstances" => world.describe_container_instances(input),
        "ListContainerInstances" => world.list_container_instances(input),
        "UpdateContainerInstancesState" => world.update_container_instances_state(input),
        "PutAttributes" => world.put_attributes(input),
        "RunTask" => world.run_task(input),
        "StartTask" => world.start_task_request(input),
        "StopTask" => world.stop_task_request(input),
        "DescribeTasks" => world.describe_tasks(input),
        "ListTasks" => world.list_tasks(input),
        "CreateService" => world.create_service(input),
        "UpdateService" => world.update_service(input),
        "DeleteService" => world.delete_service(input),
        "DescribeServices" => world.describe_services(input),
        "ListServices" => world.list_services(input),
        "PutClusterCapacityProviders" => world.put_cluster_capacity_providers(input),
        "CreateCapacityProvider" => world.create_capacity_provider(input),
        "UpdateCapacityProvider" => world.update_capacity_provider(input),
        "DeleteCapacityProvider" => world.delete_capacity_provider(input),
        "DescribeCapacityProviders" => world.describe_capacity_providers(input),
        _ => Err(ApiError::unknown_operation(&format!("ecs:{operation}"))),
    }
}

/// Fires an ECS timer.
pub fn fire(world: &mut World, timer: Timer) {
    match timer {
        Timer::AgentRetry(ec2_id) => world.agent_start(&ec2_id),
        Timer::TaskAdvance { task, generation } => world.task_advance(task, generation),
        Timer::ContainerExit {
            task,
            generation,
            container,
        } => world.container_exit(task, generation, container),
        Timer::ContainerHealth {
            task,
            generation,
            container,
            health,
        } => world.container_health(task, generation, container, health),
        Timer::AppCalls {
            task,
            generation,
            container,
        } => world.app_calls(task, generation, container),
        Timer::ContainerWrites {
            task,
            generation,
            container,
        } => world.container_writes(task, generation, container),
        Timer::Reconcile(service) => world.reconcile(service),
        Timer::PlaceWaiting(cluster) => {
            if let Some(c) = world.ecs.clusters.get_mut(&cluster) {
                c.place_queued = false;
            }
            world.place_waiting(&cluster);
        }
        Timer::SpotMinute(generation) => world.spot_minute(generation),
    }
}

/// ECS's part of `ecsplay describe`, in AWS response shapes.
pub fn describe(world: &World) -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::{json, Value};
    let ecs = &world.ecs;
    let clusters = ecs
        .clusters
        .values()
        .map(|c| world.cluster_json(c))
        .collect();
    let instances = (0..ecs.container_instances.len())
        .map(|i| world.container_instance_json(i))
        .collect();
    let services = (0..ecs.services.len())
        .map(|s| world.service_json(s))
        .collect();
    let tasks = (ecs.tasks.indices_by_start().into_iter())
        .map(|t| world.task_json(t))
        .collect();
    let timelines = ecs
        .services
        .iter()
        .map(|s| json!({ "serviceArn": s.arn, "points": s.timeline, "changes": s.changes }));
    vec![
        ("clusters", Value::Array(clusters)),
        ("containerInstances", Value::Array(instances)),
        ("services", Value::Array(services)),
        ("tasks", Value::Array(tasks)),
        (
            "taskDefinitions",
            Value::Array(world.task_definitions_json()),
        ),
        ("placementDecisions", world.placement_decisions_json()),
        ("deploymentTimelines", Value::Array(timelines.collect())),
    ]
}

/// Index of a task in [`EcsState::tasks`]: valid while the task is remembered (until an hour
/// after it stopped, see [`store`]); the slot is then reused.
pub type TaskIdx = usize;
pub type InstanceIdx = usize;
pub type ServiceIdx = usize;

#[derive(Debug, Default)]
pub struct EcsState {
    pub clusters: BTreeMap<String, Cluster>,
    /// Revisions per family, revision n at index n - 1.
    pub task_definitions: BTreeMap<String, Vec<TaskDefinition>>,
    pub container_instances: Vec<ContainerInstance>,
    pub tasks: store::TaskStore,
    pub services: Vec<Service>,
    /// The why-trace of each task's placement, while kept (see `task::keep_trace`).
    pub placement_traces: BTreeMap<TaskIdx, placement::trace::Decision>,
    /// Instance fates held by `placement_traces`.
    pub trace_fates: usize,
    /// The agent of each EC2 instance that has started one, by instance id.
    pub agents: BTreeMap<String, agent::Agent>,
    pub settings: EcsSettings,
    /// Services whose tasks changed state since their timeline's last point (each at most
    /// once): [`World::record_changed_timelines`] adds a point for each, so the charts see
    /// every change at the moment it happens, not at the scheduler's next look.
    pub timelines_changed: Vec<ServiceIdx>,
    /// awsvpc tasks started, for their private addresses.
    pub enis_made: u32,
    /// The task that holds each private address, while it is not STOPPED (the load
    /// balancers' `ip` targets are found by it).
    pub eni_addresses: BTreeMap<u32, TaskIdx>,
    /// Fargate Spot's capacity and interruption rate.
    pub spot: capacity_providers::Spot,
    /// Auto Scaling group capacity providers.
    pub providers: Vec<asg_providers::AsgProvider>,
    /// EC2 instances their groups wait to terminate until ECS has drained them.
    pub drain_requests: std::collections::BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    pub active: bool,
    /// Container instances in registration order.
    pub instances: Vec<InstanceIdx>,
    /// Services by name, including DRAINING and INACTIVE ones.
    pub services: BTreeMap<String, ServiceIdx>,
    /// Every task ever started in the cluster, in start order.
    pub tasks: Vec<TaskIdx>,
    /// Its capacity providers (PutClusterCapacityProviders) and default strategy.
    pub capacity_providers: Vec<String>,
    pub default_strategy: Vec<capacity_providers::StrategyItem>,
    /// Tasks PROVISIONING until an instance of their capacity provider has room, oldest
    /// first (those stopped or placed since are dropped at the next pass).
    pub waiting: Vec<provisioning::Waiting>,
    /// A PlaceWaiting timer is due.
    pub place_queued: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceStatus {
    Active,
    Draining,
    Inactive,
}

impl InstanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Active => "ACTIVE",
            InstanceStatus::Draining => "DRAINING",
            InstanceStatus::Inactive => "INACTIVE",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerInstance {
    pub id: String,
    pub arn: String,
    pub cluster: String,
    pub ec2_instance_id: String,
    pub instance_type: &'static str,
    pub availability_zone: String,
    pub status: InstanceStatus,
    pub agent_connected: bool,
    pub registered_at: SimTime,
    pub cpu_units_registered: u32,
    pub memory_mib_registered: u32,
    /// Interfaces awsvpc tasks may use: the type's maximum less the instance's primary ENI.
    pub enis_registered: u32,
    /// Resources held by tasks placed here and not yet STOPPED.
    pub cpu_units_used: u32,
    pub memory_mib_used: u32,
    pub enis_used: u32,
    /// Host ports held: the agent's reserved ports and every static or dynamic port of a task
    /// placed here, TCP and UDP apart.
    pub tcp_ports: std::collections::BTreeSet<u16>,
    pub udp_ports: std::collections::BTreeSet<u16>,
    /// Built-in and custom attributes, by name.
    pub attributes: BTreeMap<String, Option<String>>,
    /// Tasks placed here, in placement order (stopped ones included until the instance goes).
    pub tasks: Vec<TaskIdx>,
    /// Images already pulled to this instance: a second pull of the same image is quick.
    pub cached_images: std::collections::BTreeSet<String>,
    /// Bumped on every change, as `version` in DescribeContainerInstances and events.
    /// When its host went away (EC2 terminated it) and why, in a few words for the map
    /// (`terminated`, `Spot interruption`, `its zone failed`).
    pub gone: Option<(SimTime, &'static str)>,
    pub version: u64,
    /// What tasks wrote to the instance's disk (bind mounts with a source path, shared
    /// Docker volumes under /var/lib/docker/volumes): kept across tasks, lost with the
    /// instance.
    pub host_files: crate::engine::files::Files,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaskStatus {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Activating => "ACTIVATING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Deactivating => "DEACTIVATING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Deprovisioning => "DEPROVISIONING",
            TaskStatus::Stopped => "STOPPED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchType {
    Ec2,
    Fargate,
}

impl LaunchType {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Ec2 => "EC2",
            LaunchType::Fargate => "FARGATE",
        }
    }
}

/// `TaskStopCode` of the ECS API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCode {
    TaskFailedToStart,
    EssentialContainerExited,
    UserInitiated,
    ServiceSchedulerInitiated,
    TerminationNotice,
    SpotInterruption,
}

impl StopCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StopCode::TaskFailedToStart => "TaskFailedToStart",
            StopCode::EssentialContainerExited => "EssentialContainerExited",
            StopCode::UserInitiated => "UserInitiated",
            StopCode::ServiceSchedulerInitiated => "ServiceSchedulerInitiated",
            StopCode::TerminationNotice => "TerminationNotice",
            StopCode::SpotInterruption => "SpotInterruption",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Healthy,
    Unhealthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "UNKNOWN",
            Health::Healthy => "HEALTHY",
            Health::Unhealthy => "UNHEALTHY",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub last_status: TaskStatus,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health: Health,
    /// Host ports bound for this container: (containerPort, hostPort, udp).
    pub bindings: Vec<(u16, u16, bool)>,
    /// Its environment as resolved when it started: `environment`, then its environment
    /// files, then its secrets (startup.rs). Empty when it has none.
    pub environment: Vec<startup::EnvVar>,
}

/// An awsvpc task's network interface (aws-facts 3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskEni {
    pub subnet_id: String,
    pub private_ipv4: u32,
    pub security_groups: Vec<String>,
}

impl TaskEni {
    pub fn address(&self) -> String {
        let [a, b, c, d] = self.private_ipv4.to_be_bytes();
        format!("{a}.{b}.{c}.{d}")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: String,
    pub arn: String,
    pub cluster: String,
    /// `family:revision` of its task definition.
    pub task_definition: String,
    pub launch_type: LaunchType,
    pub container_instance: Option<InstanceIdx>,
    pub availability_zone: String,
    pub group: String,
    pub started_by: Option<String>,
    pub service: Option<ServiceIdx>,
    pub last_status: TaskStatus,
    pub desired_status: TaskStatus,
    pub containers: Vec<Container>,
    pub cpu_units: u32,
    pub memory_mib: u32,
    pub uses_eni: bool,
    /// Whether an essential container has a health check: then the service counts the task
    /// healthy only once its checks pass. Kept from the definition, which a scheduler pass
    /// would otherwise look up for every task.
    pub essential_health_check: bool,
    pub created_at: SimTime,
    pub pull_started_at: Option<SimTime>,
    pub pull_stopped_at: Option<SimTime>,
    pub started_at: Option<SimTime>,
    pub stopping_at: Option<SimTime>,
    pub execution_stopped_at: Option<SimTime>,
    pub stopped_at: Option<SimTime>,
    pub stop_code: Option<StopCode>,
    pub stopped_reason: Option<String>,
    /// Bumped on every change, as `version` in DescribeTasks and `detail.version` in events.
    pub version: u64,
    /// Bumped when the task's course changes (a stop is requested), so timers scheduled for
    /// the old course know they are stale.
    pub generation: u32,
    /// The order tasks started in, across reused slots (set by [`store::TaskStore::insert`]).
    pub serial: u64,
    /// Whether the task ever reached RUNNING: the service throttle counts those that did not.
    pub reached_running: bool,
    /// A service task the scheduler is replacing (failed health checks, or its instance is
    /// draining) with the replacement started first: no longer counted toward the desired
    /// count, stopped once the service is healthy without it (aws-facts 4.3).
    pub replacing: bool,
    /// An awsvpc task's network interface: its subnet, private address and security groups.
    pub eni: Option<TaskEni>,
    /// The capacity provider it runs on, when it was started by a strategy.
    pub capacity_provider: Option<String>,
    /// Its start-up checklist: each check it went through, passed or failed (startup.rs).
    pub startup: Vec<startup::StartupStep>,
    /// The last answer to each AWS call its application made with its credentials:
    /// (container, action, resource, answer).
    pub app_calls: Vec<(usize, String, String, String)>,
    /// What the task's containers wrote to its own storage (a bind mount without a source
    /// path, a task-scoped Docker volume, a container's writable layer), keyed
    /// `volume:path` or `container:path`: gone with the task.
    pub files: crate::engine::files::Files,
    /// Its EFS volumes as mounted: (volume, file system, root directory on it).
    pub efs_mounts: Vec<(String, String, String)>,
}

impl Task {
    /// The task's health from its essential containers: UNHEALTHY before UNKNOWN before
    /// HEALTHY (aws-facts 1.3).
    pub fn health(&self) -> Health {
        let essential = self.containers.iter().filter(|c| c.essential);
        if essential.clone().any(|c| c.health == Health::Unhealthy) {
            Health::Unhealthy
        } else if essential.clone().any(|c| c.health == Health::Unknown) {
            Health::Unknown
        } else {
            Health::Healthy
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.last_status == TaskStatus::Stopped
    }

    /// Counted by a service as pending: PROVISIONING, PENDING or ACTIVATING, not being stopped.
    pub fn is_pending(&self) -> bool {
        self.desired_status == TaskStatus::Running && self.last_status < TaskStatus::Running
    }

    pub fn is_running(&self) -> bool {
        self.last_status == TaskStatus::Running
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulingStrategy {
    Replica,
    Daemon,
}

impl SchedulingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulingStrategy::Replica => "REPLICA",
            SchedulingStrategy::Daemon => "DAEMON",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceStatus {
    Active,
    Draining,
    Inactive,
}

impl ServiceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Active => "ACTIVE",
            ServiceStatus::Draining => "DRAINING",
            ServiceStatus::Inactive => "INACTIVE",
        }
    }
}

/// `Deployment.status`: the newest is PRIMARY; older ones are ACTIVE while they still have
/// tasks, then INACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentStatus {
    Primary,
    Active,
    Inactive,
}

impl DeploymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentStatus::Primary => "PRIMARY",
            DeploymentStatus::Active => "ACTIVE",
            DeploymentStatus::Inactive => "INACTIVE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutState {
    InProgress,
    Completed,
    Failed,
}

impl RolloutState {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutState::InProgress => "IN_PROGRESS",
            RolloutState::Completed => "COMPLETED",
            RolloutState::Failed => "FAILED",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub task_definition: String,
    pub status: DeploymentStatus,
    pub rollout_state: RolloutState,
    pub rollout_state_reason: String,
    pub created_at: SimTime,
    pub updated_at: SimTime,
    /// The circuit breaker's count (aws-facts 5.3): tasks that failed to reach RUNNING, then,
    /// once one of the deployment's tasks has run, tasks that failed their health checks.
    pub failed_tasks: u32,
    /// Whether a task of this deployment has reached RUNNING (the breaker's second stage).
    pub task_ran: bool,
    /// Whether the "unable to stop or start tasks" event was sent for the current stall.
    pub stalled: bool,
    /// The target groups its tasks register with: the service's when the deployment started
    /// (an UpdateService that changes them starts a new deployment; aws-facts 8.1).
    pub load_balancers: Vec<load_balancers::ServiceLoadBalancer>,
}

/// `deploymentConfiguration.deploymentCircuitBreaker`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CircuitBreaker {
    pub enable: bool,
    pub rollback: bool,
}

/// One moment of a service's deployments, for the timeline the playground charts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePoint {
    /// Milliseconds since the scenario start.
    pub time: SimTime,
    pub deployment_id: String,
    pub status: &'static str,
    pub rollout_state: &'static str,
    pub desired: u32,
    pub pending: u32,
    pub running: u32,
    pub healthy: u32,
}

/// A task a service started or stopped, with why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineChange {
    pub time: SimTime,
    pub deployment_id: String,
    pub task_id: String,
    /// `started` or `stopped`.
    pub change: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEvent {
    pub id: String,
    pub created_at: SimTime,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub arn: String,
    pub cluster: String,
    pub status: ServiceStatus,
    pub scheduling_strategy: SchedulingStrategy,
    pub launch_type: LaunchType,
    pub desired_count: u32,
    /// Newest first: the PRIMARY deployment, then older ones (INACTIVE ones are kept for the
    /// timeline and left out of DescribeServices).
    pub deployments: Vec<Deployment>,
    pub circuit_breaker: CircuitBreaker,
    /// Deployment counts over time, one point per deployment whenever they change.
    pub timeline: Vec<TimelinePoint>,
    pub changes: Vec<TimelineChange>,
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
    pub health_check_grace_period_s: u32,
    pub member_of: Vec<String>,
    pub distinct_instance: bool,
    /// The strategies CreateService named (empty: the default applies).
    pub placement_strategy: Vec<placement::Strategy>,
    /// The why-trace of the last task that found no instance.
    pub last_placement_failure: Option<placement::trace::Decision>,
    pub created_at: SimTime,
    /// Tasks the service started, in start order.
    pub tasks: Vec<TaskIdx>,
    /// The 100 most recent events, newest first (DescribeServices `events`).
    pub events: Vec<ServiceEvent>,
    /// Whether the last steady-state check found the service steady: the message is sent when
    /// a service becomes steady, not on every check.
    pub steady: bool,
    /// Tasks that stopped before reaching RUNNING, one after another (aws-facts 4.4).
    pub start_failures_in_a_row: u32,
    /// The earliest time the throttle lets the scheduler start another task.
    pub throttled_until: SimTime,
    /// Whether a reconcile timer is already queued, so bursts of changes queue one.
    pub reconcile_queued: bool,
    /// Whether the service is in [`EcsState::timelines_changed`].
    pub timeline_changed: bool,
    /// awsvpc subnets (Fargate tasks spread over their zones).
    pub subnets: Vec<String>,
    /// Its awsvpc tasks' security groups (none given: the VPC's default group).
    pub security_groups: Vec<String>,
    /// Its target groups, each with the container and port that receive the traffic.
    pub load_balancers: Vec<load_balancers::ServiceLoadBalancer>,
    /// Its capacity provider strategy (empty: its launch type).
    pub capacity_provider_strategy: Vec<capacity_providers::StrategyItem>,
}

impl Service {
    /// The task definition of the PRIMARY deployment: the one the service runs now.
    pub fn task_definition(&self) -> &str {
        &self.deployments[0].task_definition
    }
}

impl EcsState {
    /// Forgets the tasks stopped more than an hour before `now` (ECS shows them that long) and
    /// drops their indices from everything that holds one.
    pub(crate) fn forget_expired_tasks(&mut self, now: SimTime) {
        let removed = self.tasks.remove_expired(now);
        if removed.is_empty() {
            return;
        }
        let mut gone = vec![false; self.tasks.slot_count()];
        for &t in &removed {
            gone[t] = true;
        }
        let kept = |t: &TaskIdx| !gone[*t];
        for cluster in self.clusters.values_mut() {
            cluster.tasks.retain(kept);
        }
        for instance in &mut self.container_instances {
            instance.tasks.retain(kept);
        }
        for service in &mut self.services {
            service.tasks.retain(kept);
        }
        for t in &removed {
            if let Some(trace) = self.placement_traces.remove(t) {
                self.trace_fates -= trace.fates().max(1);
            }
        }
    }
}

impl World {
    /// Appends an EventBridge event from `aws.ecs` to the log.
    pub(crate) fn emit_ecs_event(
        &mut self,
        detail_type: &'static str,
        resources: Vec<String>,
        detail: serde_json::Value,
    ) {
        // The service an event concerns, as `cluster/name`, for the log's filters: a task's
        // group and cluster name it, and a deployment's or service action's resource is the
        // service's ARN (`...:service/cluster/name`).
        let service = match detail_type {
            "ECS Task State Change" => detail["group"]
                .as_str()
                .and_then(|g| g.strip_prefix("service:"))
                .zip(
                    detail["clusterArn"]
                        .as_str()
                        .and_then(|a| a.rsplit('/').next()),
                )
                .map(|(name, cluster)| Box::from(format!("{cluster}/{name}"))),
            "ECS Deployment State Change" | "ECS Service Action" => resources
                .first()
                .and_then(|arn| arn.split_once(":service/"))
                .map(|(_, key)| Box::from(key)),
            _ => None,
        };
        self.emit_event("aws.ecs", detail_type, resources, detail, service);
    }

    /// The why-trace of each task's placement still kept, and of each service's last task that
    /// found no instance.
    pub fn placement_decisions_json(&self) -> serde_json::Value {
        let tasks = self.ecs.placement_traces.iter().map(
            |(&t, d)| serde_json::json!({ "taskArn": self.ecs.tasks[t].arn, "trace": d.expand(&self.ecs) }),
        );
        let failures = self.ecs.services.iter().filter_map(|s| {
            s.last_placement_failure
                .as_ref()
                .map(|d| serde_json::json!({ "serviceArn": s.arn, "trace": d.expand(&self.ecs) }))
        });
        serde_json::Value::Array(tasks.chain(failures).collect())
    }
}
