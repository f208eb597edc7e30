//! Tasks and their lifecycle (aws-facts 4.2): RunTask, StartTask, StopTask, DescribeTasks,
//! ListTasks, and the timers that move a task through PROVISIONING, PENDING, ACTIVATING,
//! RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING and STOPPED. How an image behaves once
//! started comes from `sim:SetImageBehavior`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::cluster::short_id;
use super::placement::index::Placer;
#[cfg(debug_assertions)]
use super::placement::reference;
use super::placement::trace::Decision;
use super::placement::{self, Demand, MemberOf, PlacementFailure, Pool, Request, Strategy};
use super::task_definition::{NetworkMode, TaskDefinition};
use super::Timer;
use super::{
    Container, Health, InstanceIdx, LaunchType, ServiceIdx, StopCode, Task, TaskIdx, TaskStatus,
};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError};
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::sim::read::ImageBehavior;
use crate::world::World;

// Durations AWS does not publish. Each is a named constant so a reader sees what the model
// assumes; the figures are typical of what the ECS console shows.

/// Fargate capacity and the task's ENI: PROVISIONING to PENDING.
pub const FARGATE_PROVISIONING_MS: SimTime = 20_000;
/// An awsvpc task's ENI on an EC2 instance: PROVISIONING to PENDING.
pub const ENI_ATTACH_MS: SimTime = 5_000;
/// The agent picks up a PENDING task and starts pulling: PENDING to ACTIVATING.
pub const AGENT_PICKUP_MS: SimTime = 1_000;
/// Pulling an image that is not on the host yet (Fargate always pulls).
pub const IMAGE_PULL_MS: SimTime = 8_000;
/// "Pulling" an image already on the instance (ECS_IMAGE_PULL_BEHAVIOR default checks the
/// registry, then uses the cached layers).
pub const IMAGE_PULL_CACHED_MS: SimTime = 500;
/// Creating and starting the containers after the pull.
pub const CONTAINER_START_MS: SimTime = 1_000;
/// A well-behaved container exits this long after SIGTERM, unless its stopTimeout is shorter
/// (then it is killed at the timeout).
pub const SIGTERM_EXIT_MS: SimTime = 2_000;
/// An awsvpc task's ENI detached and deleted: DEPROVISIONING to STOPPED.
pub const ENI_DETACH_MS: SimTime = 5_000;
/// Tasks per RunTask call (aws-facts 1.5).
pub const RUN_TASK_COUNT_MAX: i64 = 10;
/// Container instances one StartTask names, at most (BOTO-ECS `StartTaskRequest`).
pub const START_TASK_INSTANCES_MAX: usize = 10;

/// The placement of one standalone task: its instance (None on Fargate), zone and why-trace;
/// or why it found no instance.
type StandaloneDecision = Result<(Option<InstanceIdx>, String, Option<Decision>), PlacementFailure>;

/// A task as `launch` starts it, in its first status, with every timestamp but `createdAt` unset.
fn new_task(
    id: String,
    arn: String,
    launch: Launch,
    definition: &TaskDefinition,
    containers: Vec<Container>,
    first: TaskStatus,
    now: SimTime,
) -> Task {
    Task {
        id,
        arn,
        cluster: launch.cluster.clone(),
        task_definition: definition.key(),
        launch_type: launch.launch_type,
        container_instance: launch.instance,
        availability_zone: launch.availability_zone,
        group: launch.group,
        started_by: launch.started_by,
        service: launch.service,
        capacity_provider: launch.capacity_provider,
        last_status: first,
        desired_status: TaskStatus::Running,
        containers,
        cpu_units: definition.cpu_units_reserved(),
        memory_mib: definition.memory_mib_reserved(),
        uses_eni: definition.network_mode == NetworkMode::Awsvpc,
        essential_health_check: definition.has_essential_health_check(),
        created_at: now,
        pull_started_at: None,
        pull_stopped_at: None,
        started_at: None,
        stopping_at: None,
        execution_stopped_at: None,
        stopped_at: None,
        stop_code: None,
        stopped_reason: None,
        version: 1,
        generation: 0,
        serial: 0,
        reached_running: false,
        replacing: false,
        eni: None,
        startup: Vec::new(),
        app_calls: Vec::new(),
        files: Default::default(),
        efs_mounts: Vec::new(),
    }
}

/// An awsvpc task's ENI as DescribeTasks lists it in `attachments`, its status following the
/// task's. The ENI's and the attachment's ids are made from the task's id (the generator is
/// not drawn, so adding them renamed nothing).
fn eni_attachment(t: &Task, eni: &super::TaskEni) -> serde_json::Value {
    let status = match t.last_status {
        TaskStatus::Provisioning => "ATTACHING",
        TaskStatus::Deprovisioning => "DETACHING",
        TaskStatus::Stopped => "DELETED",
        _ => "ATTACHED",
    };
    let id = &t.id;
    let address = eni.address();
    serde_json::json!({
        "id": format!("{}-{}-{}-{}-{}", &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..32]),
        "type": "ElasticNetworkInterface",
        "status": status,
        "details": [
            { "name": "subnetId", "value": eni.subnet_id },
            { "name": "networkInterfaceId", "value": format!("eni-{}", &id[..17]) },
            { "name": "privateDnsName", "value": format!("ip-{}.ec2.internal", address.replace('.', "-")) },
            { "name": "privateIPv4Address", "value": address },
        ],
    })
}

/// A new task's containers, PENDING, before any binding.
fn new_containers(definition: &TaskDefinition) -> Vec<Container> {
    (definition.containers.iter())
        .map(|c| Container {
            name: c.name.clone(),
            image: c.image.clone(),
            essential: c.essential,
            last_status: TaskStatus::Pending,
            exit_code: None,
            reason: None,
            health: Health::Unknown,
            bindings: Vec::new(),
            environment: Vec::new(),
        })
        .collect()
}

/// What RunTask decided: the tasks to launch and how to place them.
struct RunTaskPlan {
    launch: Launch,
    count: usize,
    subnets: Vec<String>,
    member_of: Vec<String>,
    distinct_instance: bool,
    strategies: Vec<Strategy>,
    capacity_provider_strategy: Vec<super::capacity_providers::StrategyItem>,
}

/// The placement decisions kept for `describe` and the inspector, counted in instance fates (a
/// decision holds one per candidate instance, some 50 bytes): about 5 MB at most. The oldest
/// go first.
pub const PLACEMENT_TRACE_FATES_MAX: usize = 100_000;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RunTaskRequest {
    cluster: Option<String>,
    task_definition: String,
    count: Option<i64>,
    launch_type: Option<String>,
    group: Option<String>,
    started_by: Option<String>,
    placement_constraints: Option<Vec<PlacementConstraintField>>,
    placement_strategy: Option<Vec<Value>>,
    network_configuration: Option<NetworkConfiguration>,
    overrides: Option<Value>,
    tags: Option<Value>,
    #[serde(rename = "enableECSManagedTags")]
    enable_ecs_managed_tags: Option<bool>,
    propagate_tags: Option<String>,
    platform_version: Option<String>,
    capacity_provider_strategy: Option<Vec<super::capacity_providers::StrategyItemRequest>>,
    reference_id: Option<String>,
    enable_execute_command: Option<bool>,
    client_token: Option<String>,
    volume_configurations: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PlacementConstraintField {
    #[serde(rename = "type")]
    pub kind: String,
    pub expression: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct NetworkConfiguration {
    pub awsvpc_configuration: AwsvpcConfiguration,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct AwsvpcConfiguration {
    pub subnets: Vec<String>,
    pub security_groups: Option<Vec<String>>,
    pub assign_public_ip: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartTaskRequest {
    cluster: Option<String>,
    task_definition: String,
    container_instances: Vec<String>,
    group: Option<String>,
    started_by: Option<String>,
    network_configuration: Option<NetworkConfiguration>,
    overrides: Option<Value>,
    tags: Option<Value>,
    #[serde(rename = "enableECSManagedTags")]
    enable_ecs_managed_tags: Option<bool>,
    propagate_tags: Option<String>,
    reference_id: Option<String>,
    enable_execute_command: Option<bool>,
    volume_configurations: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StopTaskRequest {
    cluster: Option<String>,
    task: String,
    reason: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeTasksRequest {
    cluster: Option<String>,
    tasks: Vec<String>,
    include: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListTasksRequest {
    cluster: Option<String>,
    container_instance: Option<String>,
    family: Option<String>,
    started_by: Option<String>,
    service_name: Option<String>,
    desired_status: Option<String>,
    launch_type: Option<String>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

/// Where a new task goes, decided before it exists.
#[derive(Clone)]
pub(crate) struct Launch {
    pub cluster: String,
    pub definition: String,
    pub launch_type: LaunchType,
    pub instance: Option<InstanceIdx>,
    pub availability_zone: String,
    pub group: String,
    pub started_by: Option<String>,
    pub service: Option<ServiceIdx>,
    /// The capacity provider the task runs on, when a strategy chose it.
    pub capacity_provider: Option<String>,
}

/// The launch type a request asks for, checked against the task definition.
pub(crate) fn launch_type(
    field: Option<&str>,
    definition: &TaskDefinition,
    path: &str,
) -> Result<LaunchType, ApiError> {
    let launch_type = match field {
        None | Some("EC2") => LaunchType::Ec2,
        Some("FARGATE") => LaunchType::Fargate,
        Some(other) => {
            return Err(ApiError::invalid_parameter(
                format!("Invalid launch type '{other}': ecsplay models EC2 and FARGATE."),
                path,
            ))
        }
    };
    if launch_type == LaunchType::Fargate && !definition.fargate_compatible {
        return Err(ApiError::invalid_parameter(
            "Task definition does not support launch_type FARGATE.",
            path,
        ));
    }
    Ok(launch_type)
}

/// The Availability Zones of an awsvpc task's subnets, each once, in the order of the list. A
/// subnet that exists (a default subnet, or one CreateSubnet made) is in its own zone; one
/// never created keeps the model's earlier rule: subnet n of the list is in the Region's n-th
/// zone (a, b, c, ...), as a subnet per zone is the usual layout.
pub(crate) fn subnet_zones(world: &World, subnets: &[String]) -> Vec<String> {
    let region = &world.config.region;
    let mut zones: Vec<String> = Vec::new();
    for (n, id) in subnets.iter().enumerate() {
        let zone = match crate::ec2::read::subnet_zone(world, id) {
            Some(zone) => zone.to_string(),
            None if n < 6 => format!("{region}{}", (b'a' + n as u8) as char),
            None => continue,
        };
        if !zones.contains(&zone) {
            zones.push(zone);
        }
    }
    zones
}

/// The zones of `subnets` Fargate can place a task in now: those not failed
/// (`sim:FailAvailabilityZone`); all of them if every one has (the task waits for none).
pub(crate) fn fargate_subnet_zones(world: &World, subnets: &[String]) -> Vec<String> {
    let zones = subnet_zones(world, subnets);
    let up: Vec<String> = (zones.iter())
        .filter(|z| !crate::sim::read::zone_failed(world, z))
        .cloned()
        .collect();
    if up.is_empty() {
        zones
    } else {
        up
    }
}

impl World {
    /// An awsvpc task's network interface: in its service's subnet of the task's zone (a
    /// standalone task: the zone's default subnet), with the next private address of that
    /// subnet (after AWS's four reserved ones), and its service's security groups. A subnet
    /// never created is taken as the block 10.0.n.0/24 of its place n in the list.
    pub(super) fn new_eni(&mut self, launch: &Launch) -> super::TaskEni {
        let (subnets, security_groups) = match launch.service {
            Some(s) => (
                self.ecs.services[s].subnets.clone(),
                self.ecs.services[s].security_groups.clone(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let zone = &launch.availability_zone;
        let in_zone = subnets.iter().enumerate().find(|(n, id)| {
            let z = crate::ec2::read::subnet_zone(self, id).map(str::to_string);
            z.unwrap_or_else(|| {
                format!(
                    "{}{}",
                    self.config.region,
                    (b'a' + (*n as u8).min(25)) as char
                )
            }) == *zone
        });
        let (n, subnet_id) = match in_zone {
            Some((n, id)) => (n, id.clone()),
            None => (
                0,
                crate::ec2::read::default_subnet_id(zone.chars().last().unwrap_or('a')),
            ),
        };
        let (base, size) = match crate::ec2::read::subnet(self, &subnet_id) {
            Some(view) => (view.first_address, view.addresses),
            None => (u32::from_be_bytes([10, 0, n as u8, 0]), 256),
        };
        self.ecs.enis_made = self.ecs.enis_made.wrapping_add(1);
        let usable = size
            .saturating_sub(crate::ec2::read::SUBNET_RESERVED_ADDRESSES)
            .max(1);
        let host = 4 + (u64::from(self.ecs.enis_made) % usable) as u32;
        super::TaskEni {
            subnet_id,
            private_ipv4: base + host,
            security_groups,
        }
    }

    /// What a task of `definition` asks of an instance, with its constraints (the task
    /// definition's memberOf expressions, then `member_of`), group and strategy chain: the
    /// strategies asked for, or `default` when none were.
    pub(crate) fn placement_request(
        &self,
        definition: &TaskDefinition,
        member_of: &[String],
        distinct_instance: bool,
        group: String,
        strategies: &[Strategy],
        default: Vec<Strategy>,
    ) -> Request {
        let uses_host_ports = matches!(
            definition.network_mode,
            NetworkMode::Bridge | NetworkMode::Host
        );
        let host_ports = if uses_host_ports {
            definition
                .containers
                .iter()
                .flat_map(|c| c.port_mappings.iter())
                .map(|p| (p.container_port, p.host_port, p.udp))
                .collect()
        } else {
            Vec::new()
        };
        let member_of = definition
            .member_of
            .iter()
            .chain(member_of)
            .map(|e| MemberOf::parse(e, "$").expect("validated when it was accepted"))
            .collect();
        let default_strategies = strategies.is_empty() && !default.is_empty();
        Request {
            demand: Demand {
                cpu_units: definition.cpu_units_reserved(),
                memory_mib: definition.memory_mib_reserved(),
                host_ports,
                needs_eni: definition.network_mode == NetworkMode::Awsvpc,
                cpu_architecture: definition.cpu_architecture,
            },
            member_of,
            distinct_instance,
            group,
            strategies: if strategies.is_empty() {
                default
            } else {
                strategies.to_vec()
            },
            default_strategies,
        }
    }

    /// Places up to `count` tasks of `request` over `candidates`, one after another, each
    /// seeing the ones before; stops at the first that finds no instance when
    /// `stop_at_failure`. Each decision's why-trace is returned with it.
    pub(crate) fn place_tasks(
        &mut self,
        candidates: &[InstanceIdx],
        request: Request,
        count: usize,
        stop_at_failure: bool,
    ) -> Vec<(Result<InstanceIdx, PlacementFailure>, Decision)> {
        let pool = Pool::from_ecs(&self.ecs, candidates, self.config.start_epoch_ms);
        let mut placer = Placer::new(pool, request);
        let mut decisions = Vec::new();
        for _ in 0..count {
            #[cfg(debug_assertions)]
            let mut shadow = self.rng.clone();
            let outcome = placer.choose(&mut self.rng);
            // Debug builds (every test) hold the index to the reference's choice and draws.
            #[cfg(debug_assertions)]
            {
                let expected = reference::place(placer.pool(), placer.request(), &mut shadow);
                assert_eq!(outcome, expected, "indexed and reference placement differ");
                assert!(
                    shadow == self.rng,
                    "indexed and reference placement drew differently"
                );
            }
            let trace = Decision::record(&placer, &outcome);
            let placed = outcome.map(|s| {
                placer.commit(s);
                placer.pool().slots[s].instance
            });
            let failed = placed.is_err();
            decisions.push((placed, trace));
            if failed && stop_at_failure {
                break;
            }
        }
        decisions
    }

    /// Keeps a task's placement trace, dropping the oldest ones beyond the budget.
    pub(crate) fn keep_trace(&mut self, task: TaskIdx, trace: Decision) {
        let ecs = &mut self.ecs;
        ecs.trace_fates += trace.fates().max(1);
        ecs.placement_traces.insert(task, trace);
        while ecs.trace_fates > PLACEMENT_TRACE_FATES_MAX && ecs.placement_traces.len() > 1 {
            let (_, old) = ecs.placement_traces.pop_first().expect("more than one");
            ecs.trace_fates -= old.fates().max(1);
        }
    }

    pub(crate) fn run_task(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RunTaskRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::RUN_TASK)?;
        let plan = self.plan_run_task(&request)?;
        Ok(self.apply_run_task(plan))
    }

    /// Every check that can refuse a RunTask, over the world as it is. From the plan on the
    /// request succeeds: a task that finds no instance is a `failures` entry, not an error.
    fn plan_run_task(&self, request: &RunTaskRequest) -> Result<RunTaskPlan, ApiError> {
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let definition =
            self.resolve_task_definition(&request.task_definition, "$.taskDefinition")?;
        if let Some(message) = self.assume_roles_error(definition) {
            return Err(ApiError::client(message, "$.taskDefinition"));
        }
        let (launch_type, capacity_provider_strategy) = self.launch_choice(
            &cluster,
            request.launch_type.as_deref(),
            request.capacity_provider_strategy.as_deref(),
            definition,
        )?;
        let count = request.count.unwrap_or(1);
        if !(1..=RUN_TASK_COUNT_MAX).contains(&count) {
            return Err(ApiError::invalid_parameter(
                format!("count must be between 1 and {RUN_TASK_COUNT_MAX}."),
                "$.count",
            ));
        }
        let subnets = self.check_network(
            definition,
            request.network_configuration.as_ref(),
            "$.networkConfiguration",
        )?;
        let (member_of, distinct_instance) = runtime_constraints(
            request.placement_constraints.as_deref(),
            launch_type,
            definition.member_of.len(),
        )?;
        let strategies = placement_strategies(request.placement_strategy.as_deref(), launch_type)?;
        let group =
            (request.group.clone()).unwrap_or_else(|| format!("family:{}", definition.family));
        // With a capacity provider the tasks wait for the group's instances instead.
        if launch_type == LaunchType::Ec2
            && capacity_provider_strategy.is_empty()
            && self.ecs.clusters[&cluster].instances.is_empty()
        {
            return Err(ApiError::invalid_parameter(
                "No Container Instances were found in your cluster.",
                "$.cluster",
            ));
        }
        Ok(RunTaskPlan {
            launch: Launch {
                cluster,
                definition: definition.key(),
                launch_type,
                instance: None,
                availability_zone: String::new(),
                group,
                started_by: request.started_by.clone(),
                service: None,
                capacity_provider: None,
            },
            count: count as usize,
            subnets,
            member_of,
            distinct_instance,
            strategies,
            capacity_provider_strategy,
        })
    }

    /// Places and starts the tasks of a plan.
    fn apply_run_task(&mut self, plan: RunTaskPlan) -> Value {
        let template = plan.launch.clone();
        let decisions = match template.launch_type {
            LaunchType::Ec2 if !plan.capacity_provider_strategy.is_empty() => {
                return self.run_on_group_providers(&template, &plan)
            }
            LaunchType::Fargate if !plan.capacity_provider_strategy.is_empty() => {
                return self.run_on_providers(
                    &template,
                    &plan.subnets,
                    &plan.capacity_provider_strategy,
                    plan.count,
                )
            }
            LaunchType::Fargate => {
                let zones = fargate_subnet_zones(self, &plan.subnets);
                (0..plan.count)
                    .map(|n| Ok((None, zones[n % zones.len()].clone(), None)))
                    .collect()
            }
            LaunchType::Ec2 => {
                let definition = (self.resolve_task_definition(&template.definition, "$"))
                    .expect("planned")
                    .clone();
                let request = self.placement_request(
                    &definition,
                    &plan.member_of,
                    plan.distinct_instance,
                    template.group.clone(),
                    &plan.strategies,
                    placement::run_task_default_strategies(),
                );
                let candidates = self.ecs.clusters[&template.cluster].instances.clone();
                self.ec2_decisions(&candidates, request, plan.count)
            }
        };
        self.start_standalone(&template, decisions)
    }

    /// RunTask's tasks on Fargate capacity providers: each to its provider by the strategy's
    /// base and weights (counted within the request), spread over the subnets' zones; a task
    /// Fargate Spot has no capacity for is a `failures` entry with RESOURCE:FARGATE.
    fn run_on_providers(
        &mut self,
        template: &Launch,
        subnets: &[String],
        strategy: &[super::capacity_providers::StrategyItem],
        count: usize,
    ) -> Value {
        use super::capacity_providers::FARGATE_SPOT;
        let zones = fargate_subnet_zones(self, subnets);
        let mut counts = vec![0; strategy.len()];
        let providers = World::providers_for(strategy, &mut counts, count);
        let mut started = Vec::new();
        let mut failures = Vec::new();
        for (n, provider) in providers.into_iter().enumerate() {
            if provider == FARGATE_SPOT && !self.ecs.spot.available {
                let arn = self.arn("ecs", &format!("capacity-provider/{FARGATE_SPOT}"));
                failures.push(json!({ "arn": arn, "reason": "RESOURCE:FARGATE" }));
                continue;
            }
            started.push(self.start_task(Launch {
                availability_zone: zones[n % zones.len()].clone(),
                capacity_provider: Some(provider),
                ..template.clone()
            }));
        }
        let tasks: Vec<Value> = started.into_iter().map(|t| self.task_json(t)).collect();
        json!({ "tasks": tasks, "failures": failures })
    }

    /// RunTask's tasks on Auto Scaling group providers: each provider's share (counted within
    /// the request) placed on the cluster's instances of its group.
    fn run_on_group_providers(&mut self, template: &Launch, plan: &RunTaskPlan) -> Value {
        let strategy = &plan.capacity_provider_strategy;
        let mut counts = vec![0; strategy.len()];
        let providers = World::providers_for(strategy, &mut counts, plan.count);
        let definition = (self.resolve_task_definition(&template.definition, "$"))
            .expect("planned")
            .clone();
        let (mut tasks, mut failures) = (Vec::new(), Vec::new());
        for item in strategy {
            let name = &item.capacity_provider;
            let share = providers.iter().filter(|p| *p == name).count();
            if share == 0 {
                continue;
            }
            let request = self.placement_request(
                &definition,
                &plan.member_of,
                plan.distinct_instance,
                template.group.clone(),
                &plan.strategies,
                placement::run_task_default_strategies(),
            );
            let candidates = self.provider_candidates(&template.cluster, name);
            let mut decisions = self.ec2_decisions(&candidates, request, share);
            let launch = Launch {
                capacity_provider: Some(name.clone()),
                ..template.clone()
            };
            // Those the group has no room for wait PROVISIONING (provisioning.rs), within the
            // cluster's quota; beyond it they are failures as without a provider.
            let unplaced = decisions.iter().filter(|d| d.is_err()).count();
            let waiting = unplaced.min(self.waiting_room(&template.cluster));
            let mut skipped = 0;
            decisions.retain(|d| {
                let wait = d.is_err() && skipped < waiting;
                skipped += usize::from(wait);
                !wait
            });
            let answer = self.start_standalone(&launch, decisions);
            tasks.extend(answer["tasks"].as_array().cloned().unwrap_or_default());
            failures.extend(answer["failures"].as_array().cloned().unwrap_or_default());
            for _ in 0..waiting {
                let placement = super::provisioning::WaitPlacement {
                    member_of: plan.member_of.clone(),
                    distinct_instance: plan.distinct_instance,
                    strategies: plan.strategies.clone(),
                    for_service: false,
                };
                let task = self.wait_for_capacity(
                    Launch {
                        instance: None,
                        availability_zone: String::new(),
                        ..launch.clone()
                    },
                    placement,
                );
                tasks.push(self.task_json(task));
            }
        }
        json!({ "tasks": tasks, "failures": failures })
    }

    /// Placement decisions for standalone tasks on EC2, as start_standalone takes them.
    fn ec2_decisions(
        &mut self,
        candidates: &[InstanceIdx],
        request: Request,
        count: usize,
    ) -> Vec<StandaloneDecision> {
        self.place_tasks(candidates, request, count, false)
            .into_iter()
            .map(|(placed, trace)| {
                placed.map(|i| {
                    let zone = self.ecs.container_instances[i].availability_zone.clone();
                    (Some(i), zone, Some(trace))
                })
            })
            .collect()
    }

    /// Starts standalone tasks where `decisions` say, in order, and answers as RunTask and
    /// StartTask do: the tasks started, and a `failures` entry for each that found no
    /// instance. Every check that can refuse the request is done before this.
    fn start_standalone(&mut self, template: &Launch, decisions: Vec<StandaloneDecision>) -> Value {
        let mut started = Vec::new();
        let mut failures = Vec::new();
        for decision in decisions {
            match decision {
                Ok((instance, availability_zone, trace)) => {
                    let task = self.start_task(Launch {
                        instance,
                        availability_zone,
                        ..template.clone()
                    });
                    if let Some(trace) = trace {
                        self.keep_trace(task, trace);
                    }
                    started.push(task);
                }
                Err(failure) => failures.push(self.failure_json(&failure)),
            }
        }
        let tasks: Vec<Value> = started.into_iter().map(|t| self.task_json(t)).collect();
        json!({ "tasks": tasks, "failures": failures })
    }

    /// RunTask's `failures[]` entry for a placement failure.
    pub(crate) fn failure_json(&self, failure: &PlacementFailure) -> Value {
        match &failure.closest {
            Some((i, rejection)) => {
                json!({ "arn": self.ecs.container_instances[*i].arn, "reason": rejection.reason_code() })
            }
            None => json!({ "reason": "No Container Instances were found in your cluster." }),
        }
    }

    /// The awsvpc rules of RunTask and CreateService: a network configuration exactly when the
    /// task definition uses awsvpc. Returns the subnets.
    pub(crate) fn check_network(
        &self,
        definition: &TaskDefinition,
        network: Option<&NetworkConfiguration>,
        path: &str,
    ) -> Result<Vec<String>, ApiError> {
        match (definition.network_mode, network) {
            (NetworkMode::Awsvpc, None) => Err(ApiError::invalid_parameter(
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
                path,
            )),
            (NetworkMode::Awsvpc, Some(config)) => {
                let subnets = &config.awsvpc_configuration.subnets;
                if subnets.is_empty() || subnets.len() > 16 {
                    return Err(ApiError::invalid_parameter("subnets can have at least 1 and at most 16 items.", &format!("{path}.awsvpcConfiguration.subnets")));
                }
                if config.awsvpc_configuration.security_groups.as_ref().is_some_and(|g| g.len() > 5) {
                    return Err(ApiError::invalid_parameter("securityGroups can have at most 5 items.", &format!("{path}.awsvpcConfiguration.securityGroups")));
                }
                Ok(subnets.clone())
            }
            (_, Some(_)) => Err(ApiError::invalid_parameter(
                "Network Configuration is not valid for the given networkMode of this task definition.",
                path,
            )),
            (_, None) => Ok(Vec::new()),
        }
    }

    pub(crate) fn start_task_request(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: StartTaskRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::START_TASK)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let definition = self
            .resolve_task_definition(&request.task_definition, "$.taskDefinition")?
            .clone();
        launch_type(Some("EC2"), &definition, "$.taskDefinition")?;
        if let Some(message) = self.assume_roles_error(&definition) {
            return Err(ApiError::client(message, "$.taskDefinition"));
        }
        self.check_network(
            &definition,
            request.network_configuration.as_ref(),
            "$.networkConfiguration",
        )?;
        if request.container_instances.is_empty()
            || request.container_instances.len() > START_TASK_INSTANCES_MAX
        {
            return Err(ApiError::invalid_parameter(
                format!("containerInstances must list 1 to {START_TASK_INSTANCES_MAX} container instances."),
                "$.containerInstances",
            ));
        }
        let chosen = self.named_instances(&cluster, &request.container_instances)?;
        let group = request
            .group
            .clone()
            .unwrap_or_else(|| format!("family:{}", definition.family));
        let template = Launch {
            cluster: cluster.clone(),
            definition: definition.key(),
            launch_type: LaunchType::Ec2,
            instance: None,
            availability_zone: String::new(),
            group: group.clone(),
            started_by: request.started_by.clone(),
            service: None,
            capacity_provider: None,
        };
        // StartTask names the instances: each task is checked against its own (ECS still
        // applies the resource checks and the task definition's constraints), no strategy.
        let mut decisions = Vec::new();
        for &instance in &chosen {
            let request =
                self.placement_request(&definition, &[], false, group.clone(), &[], Vec::new());
            decisions.extend(self.ec2_decisions(&[instance], request, 1));
        }
        Ok(self.start_standalone(&template, decisions))
    }

    /// The container instances a StartTask names, each once, in the cluster.
    fn named_instances(
        &self,
        cluster: &str,
        fields: &[String],
    ) -> Result<Vec<InstanceIdx>, ApiError> {
        let mut chosen = Vec::new();
        for (n, field) in fields.iter().enumerate() {
            let id = short_id(field);
            let found = self.ecs.clusters[cluster]
                .instances
                .iter()
                .copied()
                .find(|&i| self.ecs.container_instances[i].id == id);
            let found = found.ok_or_else(|| {
                ApiError::invalid_parameter(
                    format!("Container instance {field} was not found in the cluster."),
                    &format!("$.containerInstances[{n}]"),
                )
            })?;
            // Each task's decision is made against the instance as it is before any of this
            // call's tasks start, so one instance named twice would get two tasks checked as
            // if alone (two on one host port). AWS's answer to a repeated instance is not
            // documented; the model refuses it.
            if chosen.contains(&found) {
                return Err(ApiError::invalid_parameter(
                    format!("Container instance {field} is listed more than once in containerInstances."),
                    &format!("$.containerInstances[{n}]"),
                ));
            }
            chosen.push(found);
        }
        Ok(chosen)
    }

    /// Creates a task where `launch` says, reserves its resources, and starts its lifecycle.
    pub(crate) fn start_task(&mut self, launch: Launch) -> TaskIdx {
        let definition = self
            .resolve_task_definition(&launch.definition, "$")
            .expect("resolved by the caller")
            .clone();
        let index = self.ecs.tasks.next_index();
        let id = self.ids.task_id();
        let arn = self.arn("ecs", &format!("task/{}/{id}", launch.cluster));
        let uses_eni = definition.network_mode == NetworkMode::Awsvpc;
        // An EC2 task with no instance waits for its capacity provider's (provisioning.rs):
        // PROVISIONING, with no ENI and no timer until it is placed.
        let waiting = launch.launch_type == LaunchType::Ec2 && launch.instance.is_none();
        let mut containers = new_containers(&definition);
        if let Some(i) = launch.instance {
            self.reserve(i, &definition, &mut containers);
        }
        // awsvpc tasks and every Fargate task start in PROVISIONING (their ENI, their capacity).
        let first = if waiting || uses_eni || launch.launch_type == LaunchType::Fargate {
            TaskStatus::Provisioning
        } else {
            TaskStatus::Pending
        };
        for c in &mut containers {
            c.last_status = first.min(TaskStatus::Pending);
        }
        let (cluster_name, launch_type, instance) =
            (launch.cluster.clone(), launch.launch_type, launch.instance);
        let eni = (uses_eni && !waiting).then(|| self.new_eni(&launch));
        let mut task = new_task(id, arn, launch, &definition, containers, first, self.now);
        task.startup = Self::assumed_roles(&definition);
        if let Some(eni) = &eni {
            self.ecs.eni_addresses.insert(eni.private_ipv4, index);
        }
        task.eni = eni;
        let inserted = self.ecs.tasks.insert(task);
        debug_assert_eq!(inserted, index);
        // A reused slot continues its generation, so the old task's timers stay stale.
        let generation = self.ecs.tasks[index].generation;
        let cluster = self.ecs.clusters.get_mut(&cluster_name).expect("cluster");
        cluster.tasks.push(index);
        if let Some(i) = instance {
            self.ecs.container_instances[i].tasks.push(index);
            self.ecs.container_instances[i].version += 1;
        }
        self.emit_task_event(index);
        if waiting {
            return index;
        }
        let delay = match (first, launch_type) {
            (TaskStatus::Provisioning, LaunchType::Fargate) => FARGATE_PROVISIONING_MS,
            (TaskStatus::Provisioning, _) => ENI_ATTACH_MS,
            _ => AGENT_PICKUP_MS,
        };
        self.schedule(
            delay,
            Timer::TaskAdvance {
                task: index,
                generation,
            },
        );
        index
    }

    /// Takes the task's CPU, memory, ports and ENI from the instance and records the port
    /// bindings on the containers.
    pub(super) fn reserve(
        &mut self,
        index: InstanceIdx,
        definition: &TaskDefinition,
        containers: &mut [Container],
    ) {
        let host_ports = matches!(
            definition.network_mode,
            NetworkMode::Bridge | NetworkMode::Host
        );
        let instance = &mut self.ecs.container_instances[index];
        instance.cpu_units_used += definition.cpu_units_reserved();
        instance.memory_mib_used += definition.memory_mib_reserved();
        if definition.network_mode == NetworkMode::Awsvpc {
            instance.enis_used += 1;
        }
        for (container, spec) in containers.iter_mut().zip(&definition.containers) {
            let mappings: Vec<(u16, u16, bool)> = spec
                .port_mappings
                .iter()
                .map(|p| (p.container_port, p.host_port, p.udp))
                .collect();
            container.bindings = if host_ports {
                let bound =
                    placement::assign_ports(&instance.tcp_ports, &instance.udp_ports, &mappings);
                for &(_, host, udp) in &bound {
                    if udp {
                        instance.udp_ports.insert(host)
                    } else {
                        instance.tcp_ports.insert(host)
                    };
                }
                bound
            } else {
                mappings
            };
        }
    }

    /// Gives the task's resources back to its instance (when the task reaches STOPPED).
    fn release(&mut self, task: TaskIdx) {
        let t = &self.ecs.tasks[task];
        let Some(index) = t.container_instance else {
            return;
        };
        let (cpu, memory, eni) = (t.cpu_units, t.memory_mib, t.uses_eni);
        let host_ports: Vec<(u16, bool)> = if t.uses_eni {
            Vec::new()
        } else {
            t.containers
                .iter()
                .flat_map(|c| c.bindings.iter().map(|&(_, host, udp)| (host, udp)))
                .collect()
        };
        let instance = &mut self.ecs.container_instances[index];
        instance.cpu_units_used -= cpu;
        instance.memory_mib_used -= memory;
        instance.enis_used -= u32::from(eni);
        for (port, udp) in host_ports {
            if udp {
                instance.udp_ports.remove(&port)
            } else {
                instance.tcp_ports.remove(&port)
            };
        }
        instance.version += 1;
    }

    pub(super) fn set_status(&mut self, task: TaskIdx, status: TaskStatus) {
        let t = &mut self.ecs.tasks[task];
        t.last_status = status;
        t.version += 1;
        if let Some(service) = t.service {
            let s = &mut self.ecs.services[service];
            if !s.timeline_changed {
                s.timeline_changed = true;
                self.ecs.timelines_changed.push(service);
            }
        }
        let t = &mut self.ecs.tasks[task];
        for c in &mut t.containers {
            if c.last_status != TaskStatus::Stopped {
                c.last_status = match status {
                    TaskStatus::Provisioning | TaskStatus::Pending | TaskStatus::Activating => {
                        TaskStatus::Pending
                    }
                    TaskStatus::Running | TaskStatus::Deactivating | TaskStatus::Stopping => {
                        TaskStatus::Running
                    }
                    TaskStatus::Deprovisioning | TaskStatus::Stopped => TaskStatus::Stopped,
                };
            }
        }
        // ACTIVATING and DEACTIVATING are seen in events only with service discovery or more
        // than one target group (aws-facts 4.2); the model has neither yet.
        if !matches!(status, TaskStatus::Activating | TaskStatus::Deactivating) {
            self.emit_task_event(task);
        }
    }

    /// The next step of a task's lifecycle, if `generation` is still the task's course.
    pub(crate) fn task_advance(&mut self, task: TaskIdx, generation: u32) {
        // A stale timer may name a slot whose task was forgotten since.
        let Some(t) = self.ecs.tasks.get(task) else {
            return;
        };
        if t.generation != generation {
            return;
        }
        let next = |delay, world: &mut World| {
            world.schedule(delay, Timer::TaskAdvance { task, generation })
        };
        match t.last_status {
            TaskStatus::Provisioning => {
                self.set_status(task, TaskStatus::Pending);
                next(AGENT_PICKUP_MS, self);
            }
            TaskStatus::Pending => {
                // The execution resources first (registry auth), then the pull.
                let definition = self.resolve_task_definition(&t.task_definition, "$");
                let checked = self.fetch_execution_resources(task, definition.expect("registered"));
                if !self.apply_checked(task, checked) {
                    return;
                }
                self.ecs.tasks[task].pull_started_at = Some(self.now);
                self.set_status(task, TaskStatus::Activating);
                let delay = self.pull_duration(task);
                next(delay, self);
            }
            TaskStatus::Activating if t.pull_stopped_at.is_none() => {
                self.pull_done(task, generation)
            }
            TaskStatus::Activating => self.task_running(task),
            TaskStatus::Deactivating => {
                self.set_status(task, TaskStatus::Stopping);
                let delay = self.stop_duration(task);
                next(delay, self);
            }
            TaskStatus::Stopping => {
                self.ecs.tasks[task].execution_stopped_at = Some(self.now);
                for c in &mut self.ecs.tasks[task].containers {
                    if c.exit_code.is_none() && c.last_status != TaskStatus::Pending {
                        // SIGTERM, then exit: 143 is 128 + SIGTERM (15), what Docker reports.
                        c.exit_code = Some(143);
                    }
                }
                if self.ecs.tasks[task].uses_eni {
                    self.set_status(task, TaskStatus::Deprovisioning);
                    next(ENI_DETACH_MS, self);
                } else {
                    self.task_stopped(task);
                }
            }
            TaskStatus::Deprovisioning => self.task_stopped(task),
            TaskStatus::Running | TaskStatus::Stopped => {}
        }
    }

    fn pull_duration(&self, task: TaskIdx) -> SimTime {
        let t = &self.ecs.tasks[task];
        let cached = |image: &str| {
            t.container_instance.is_some_and(|i| {
                self.ecs.container_instances[i]
                    .cached_images
                    .contains(image)
            })
        };
        // Containers pull in parallel: the task waits for the slowest.
        t.containers
            .iter()
            .map(|c| {
                if cached(&c.image) {
                    IMAGE_PULL_CACHED_MS
                } else {
                    IMAGE_PULL_MS
                }
            })
            .max()
            .unwrap_or(0)
    }

    fn pull_done(&mut self, task: TaskIdx, generation: u32) {
        self.ecs.tasks[task].pull_stopped_at = Some(self.now);
        let failed = self.ecs.tasks[task]
            .containers
            .iter()
            .position(|c| self.behavior(&c.image).pull_fails);
        if let Some(c) = failed {
            let image = self.ecs.tasks[task].containers[c].image.clone();
            let reason = format!(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: not found"
            );
            self.ecs.tasks[task].containers[c].reason = Some(reason.clone());
            self.stop_task_now(task, StopCode::TaskFailedToStart, &reason);
            return;
        }
        // The images' layers must fit a Fargate task's ephemeral storage.
        let definition = self.resolve_task_definition(&self.ecs.tasks[task].task_definition, "$");
        if let Some(reason) = self.images_too_large(task, definition.expect("registered")) {
            self.fail_start(task, &reason);
            return;
        }
        // The containers are created: their log drivers start.
        let definition = self.resolve_task_definition(&self.ecs.tasks[task].task_definition, "$");
        let checked = self.start_log_drivers(task, definition.expect("registered"));
        if !self.apply_checked(task, checked) {
            return;
        }
        let t = &self.ecs.tasks[task];
        if let Some(i) = t.container_instance {
            let images: Vec<String> = t.containers.iter().map(|c| c.image.clone()).collect();
            self.ecs.container_instances[i].cached_images.extend(images);
        }
        let startup = self.ecs.tasks[task]
            .containers
            .iter()
            .map(|c| self.behavior(&c.image).startup_ms)
            .max()
            .unwrap_or(0);
        self.schedule(
            CONTAINER_START_MS + startup,
            Timer::TaskAdvance { task, generation },
        );
    }

    pub(crate) fn behavior(&self, image: &str) -> ImageBehavior {
        crate::sim::read::image_behavior(self, image)
    }

    fn task_running(&mut self, task: TaskIdx) {
        let t = &mut self.ecs.tasks[task];
        t.started_at = Some(self.now);
        t.reached_running = true;
        let generation = t.generation;
        self.set_status(task, TaskStatus::Running);
        let definition = self
            .resolve_task_definition(&self.ecs.tasks[task].task_definition, "$")
            .expect("registered")
            .clone();
        for (n, spec) in definition.containers.iter().enumerate() {
            let behavior = self.behavior(&spec.image);
            if spec.awslogs.is_some() {
                let lines = (behavior.log_start.clone())
                    .unwrap_or_else(|| vec![format!("{}: started ({})", spec.name, spec.image)]);
                if let Some(write) = self.container_log(task, &definition, n, lines) {
                    self.command(crate::world::Command::WriteLogs(write));
                }
            }
            if !behavior.calls.is_empty() {
                self.app_calls(task, generation, n);
            }
            if !behavior.writes.is_empty() {
                // Once the task is running (a write may fail and stop it).
                self.schedule(
                    0,
                    Timer::ContainerWrites {
                        task,
                        generation,
                        container: n,
                    },
                );
            }
            if let Some(after) = behavior.exit_after_ms {
                self.schedule(
                    after,
                    Timer::ContainerExit {
                        task,
                        generation,
                        container: n,
                    },
                );
            }
            if let Some(check) = spec.health_check {
                let interval = u64::from(check.interval_s) * MS_PER_SECOND;
                let (delay, health) = if behavior.health_check_fails {
                    // Checks run every interval; failures inside startPeriod do not count, and
                    // `retries` failures in a row make the container UNHEALTHY (aws-facts 1.3).
                    let first_counted =
                        u64::from(check.start_period_s) * MS_PER_SECOND / interval + 1;
                    (
                        (first_counted + u64::from(check.retries) - 1) * interval,
                        Health::Unhealthy,
                    )
                } else {
                    (interval, Health::Healthy)
                };
                self.schedule(
                    delay,
                    Timer::ContainerHealth {
                        task,
                        generation,
                        container: n,
                        health,
                    },
                );
            }
        }
        if let Some(service) = self.ecs.tasks[task].service {
            self.task_reached_running(service, task);
        }
    }

    pub(crate) fn container_exit(&mut self, task: TaskIdx, generation: u32, container: usize) {
        let Some(t) = self.ecs.tasks.get(task) else {
            return;
        };
        if t.generation != generation || t.last_status != TaskStatus::Running {
            return;
        }
        let behavior = self.behavior(&t.containers[container].image);
        if !behavior.log_exit.is_empty() {
            if let Some(write) = self.task_container_log(task, container, behavior.log_exit) {
                self.command(crate::world::Command::WriteLogs(write));
            }
        }
        self.exit_container(task, container, behavior.exit_code);
    }

    /// A running task's container exits with `exit_code`: an essential one stops the task.
    pub(crate) fn exit_container(&mut self, task: TaskIdx, container: usize, exit_code: i32) {
        let essential = self.ecs.tasks[task].containers[container].essential;
        let c = &mut self.ecs.tasks[task].containers[container];
        c.last_status = TaskStatus::Stopped;
        c.exit_code = Some(exit_code);
        self.ecs.tasks[task].version += 1;
        if essential {
            self.stop_task_now(
                task,
                StopCode::EssentialContainerExited,
                "Essential container in task exited",
            );
        } else {
            self.emit_task_event(task);
        }
    }

    pub(crate) fn container_health(
        &mut self,
        task: TaskIdx,
        generation: u32,
        container: usize,
        health: Health,
    ) {
        if self.ecs.tasks.get(task).is_none() {
            return;
        }
        let t = &mut self.ecs.tasks[task];
        if t.generation != generation || t.last_status != TaskStatus::Running {
            return;
        }
        t.containers[container].health = health;
        t.version += 1;
        // Health is not part of task state change events (aws-facts 13.1); services act on it.
        if let Some(service) = self.ecs.tasks[task].service {
            self.queue_reconcile(service, 0);
        }
    }

    /// Asks a task to stop, from wherever it is in its lifecycle.
    pub(crate) fn stop_task_now(&mut self, task: TaskIdx, code: StopCode, reason: &str) {
        let t = &mut self.ecs.tasks[task];
        if t.desired_status == TaskStatus::Stopped {
            return;
        }
        t.desired_status = TaskStatus::Stopped;
        t.stop_code = Some(code);
        t.stopped_reason = Some(reason.to_string());
        t.stopping_at = Some(self.now);
        t.generation += 1;
        t.version += 1;
        let generation = t.generation;
        let status = t.last_status;
        match status {
            // Nothing started yet: the task goes straight on (its ENI, if any, is detached).
            TaskStatus::Provisioning | TaskStatus::Pending => {
                self.emit_task_event(task);
                // A task still waiting for capacity has no ENI to detach.
                if self.ecs.tasks[task].eni.is_some() {
                    self.set_status(task, TaskStatus::Deprovisioning);
                    self.schedule(ENI_DETACH_MS, Timer::TaskAdvance { task, generation });
                } else {
                    self.task_stopped(task);
                }
            }
            TaskStatus::Activating | TaskStatus::Running => {
                self.emit_task_event(task);
                // DEACTIVATING: its targets deregister and drain for their groups' delay
                // (aws-facts 17.1.8); without load balancers it takes no time.
                let drain_ms = if status == TaskStatus::Running {
                    self.deregister_task_targets(task)
                } else {
                    0
                };
                self.set_status(task, TaskStatus::Deactivating);
                self.schedule(drain_ms, Timer::TaskAdvance { task, generation });
            }
            TaskStatus::Deactivating
            | TaskStatus::Stopping
            | TaskStatus::Deprovisioning
            | TaskStatus::Stopped => {}
        }
    }

    /// The task's host is gone: it is STOPPED at once, without a shutdown.
    pub(crate) fn lose_task(&mut self, task: TaskIdx, code: StopCode, reason: &str) {
        self.stop_task_now(task, code, reason);
        let t = &mut self.ecs.tasks[task];
        if t.last_status != TaskStatus::Stopped {
            t.generation += 1;
            t.execution_stopped_at.get_or_insert(self.now);
            self.task_stopped(task);
        }
    }

    /// SIGTERM to exit: the app's own shutdown, or SIGKILL at the shortest stopTimeout.
    fn stop_duration(&self, task: TaskIdx) -> SimTime {
        let t = &self.ecs.tasks[task];
        if t.containers
            .iter()
            .all(|c| c.last_status == TaskStatus::Stopped || c.exit_code.is_some())
        {
            return 0;
        }
        let definition = self
            .resolve_task_definition(&t.task_definition, "$")
            .expect("registered");
        let timeout = definition
            .containers
            .iter()
            .map(|c| u64::from(c.stop_timeout_s) * MS_PER_SECOND)
            .min()
            .unwrap_or(0);
        SIGTERM_EXIT_MS.min(timeout)
    }

    fn task_stopped(&mut self, task: TaskIdx) {
        self.release(task);
        if let Some(address) = self.ecs.tasks[task].eni.as_ref().map(|e| e.private_ipv4) {
            if self.ecs.eni_addresses.get(&address) == Some(&task) {
                self.ecs.eni_addresses.remove(&address);
            }
        }
        let t = &mut self.ecs.tasks[task];
        t.stopped_at = Some(self.now);
        t.execution_stopped_at.get_or_insert(self.now);
        self.ecs.tasks.stopped(task, self.now);
        self.set_status(task, TaskStatus::Stopped);
        if let Some(service) = self.ecs.tasks[task].service {
            self.service_task_stopped(service, task);
        }
        // The room the task leaves may be what a task waiting for capacity needs.
        if self.ecs.tasks[task].container_instance.is_some() {
            let cluster = self.ecs.tasks[task].cluster.clone();
            self.queue_place_waiting(&cluster);
        }
        // The last tasks leaving a draining instance let its daemon tasks stop; an instance
        // drained for its group is then let go.
        if let Some(i) = self.ecs.tasks[task].container_instance {
            if self.ecs.container_instances[i].status == super::InstanceStatus::Draining {
                let cluster = self.ecs.tasks[task].cluster.clone();
                self.reconcile_cluster(&cluster);
                self.check_drained(i);
            }
        }
    }

    pub(crate) fn stop_task_request(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: StopTaskRequest = parse_request(input)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let task = self.find_task(&cluster, &request.task).ok_or_else(|| {
            ApiError::invalid_parameter("The referenced task was not found.", "$.task")
        })?;
        if request.reason.as_ref().is_some_and(|r| r.len() > 255) {
            return Err(ApiError::invalid_parameter(
                "reason can be at most 255 characters.",
                "$.reason",
            ));
        }
        let reason = request
            .reason
            .unwrap_or_else(|| "Task stopped by user".into());
        self.stop_task_now(task, StopCode::UserInitiated, &reason);
        Ok(json!({ "task": self.task_json(task) }))
    }

    pub(crate) fn find_task(&self, cluster: &str, field: &str) -> Option<TaskIdx> {
        let id = short_id(field);
        self.ecs.clusters[cluster]
            .tasks
            .iter()
            .copied()
            .find(|&t| self.ecs.tasks[t].id == id)
    }

    pub(crate) fn describe_tasks(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeTasksRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::DESCRIBE)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        if request.tasks.len() > 100 {
            return Err(ApiError::invalid_parameter(
                "tasks can have at most 100 items.",
                "$.tasks",
            ));
        }
        let (tasks, failures) = super::found_or_missing(
            &request.tasks,
            |field| self.find_task(&cluster, field).map(|t| self.task_json(t)),
            str::to_string,
        );
        Ok(json!({ "tasks": tasks, "failures": failures }))
    }

    pub(crate) fn list_tasks(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListTasksRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::LIST)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let want_stopped = match request.desired_status.as_deref() {
            None | Some("RUNNING") | Some("PENDING") => false,
            Some("STOPPED") => true,
            Some(other) => {
                return Err(ApiError::invalid_parameter(
                    format!("Invalid desiredStatus '{other}'."),
                    "$.desiredStatus",
                ))
            }
        };
        let service = match &request.service_name {
            Some(name) => Some(
                *self.ecs.clusters[&cluster]
                    .services
                    .get(short_id(name))
                    .ok_or_else(|| ApiError::service_not_found("$.serviceName"))?,
            ),
            None => None,
        };
        let arns: Vec<&str> = self.ecs.clusters[&cluster]
            .tasks
            .iter()
            .map(|&t| (t, &self.ecs.tasks[t]))
            .filter(|(_, t)| (t.desired_status == TaskStatus::Stopped) == want_stopped)
            .filter(|(_, t)| service.is_none() || t.service == service)
            .filter(|(_, t)| {
                request.family.as_ref().is_none_or(|f| {
                    t.task_definition.rsplit_once(':').map(|(fam, _)| fam) == Some(f.as_str())
                })
            })
            .filter(|(_, t)| {
                request
                    .started_by
                    .as_ref()
                    .is_none_or(|s| t.started_by.as_ref() == Some(s))
            })
            .filter(|(_, t)| {
                request
                    .launch_type
                    .as_ref()
                    .is_none_or(|l| t.launch_type.as_str() == l)
            })
            .filter(|(_, t)| {
                request.container_instance.as_ref().is_none_or(|ci| {
                    t.container_instance
                        .is_some_and(|i| self.ecs.container_instances[i].id == short_id(ci))
                })
            })
            .map(|(_, t)| t.arn.as_str())
            .collect();
        Ok(json!({ "taskArns": arns }))
    }

    pub(crate) fn emit_task_event(&mut self, task: TaskIdx) {
        let mut detail = self.task_json_with(task, |w, t| w.iso(t).into());
        // Health is not part of task state change events (aws-facts 13.1).
        if let Some(map) = detail.as_object_mut() {
            map.remove("healthStatus");
            if let Some(containers) = map.get_mut("containers").and_then(Value::as_array_mut) {
                for c in containers {
                    c.as_object_mut().map(|c| c.remove("healthStatus"));
                }
            }
        }
        let arn = self.ecs.tasks[task].arn.clone();
        self.emit_ecs_event("ECS Task State Change", vec![arn], detail);
    }

    /// The task as DescribeTasks returns it (timestamps in epoch seconds).
    pub(crate) fn task_json(&self, task: TaskIdx) -> Value {
        self.task_json_with(task, |w, t| w.epoch_seconds(t))
    }

    /// A task's containers as DescribeTasks lists them.
    fn containers_json(&self, t: &Task) -> Vec<Value> {
        t
            .containers
            .iter()
            .map(|c| {
                let mut out = json!({
                    "containerArn": self.arn("ecs", &format!("container/{}/{}/{}", t.cluster, t.id, c.name)),
                    "taskArn": t.arn,
                    "name": c.name,
                    "image": c.image,
                    "lastStatus": c.last_status.as_str(),
                    "healthStatus": c.health.as_str(),
                    "networkBindings": c.bindings.iter().filter(|_| !t.uses_eni).map(|&(container, host, udp)| json!({
                        "bindIP": "0.0.0.0", "containerPort": container, "hostPort": host, "protocol": if udp { "udp" } else { "tcp" },
                    })).collect::<Vec<_>>(),
                    "essential": c.essential,
                });
                if let Some(code) = c.exit_code {
                    out["exitCode"] = json!(code);
                }
                if let Some(reason) = &c.reason {
                    out["reason"] = json!(reason);
                }
                out
            })
            .collect()
    }

    fn task_json_with(&self, task: TaskIdx, time: impl Fn(&World, SimTime) -> Value) -> Value {
        let t = &self.ecs.tasks[task];
        let definition = self
            .resolve_task_definition(&t.task_definition, "$")
            .expect("registered");
        let containers = self.containers_json(t);
        let mut out = json!({
            "taskArn": t.arn,
            "clusterArn": self.ecs.clusters[&t.cluster].arn,
            "taskDefinitionArn": definition.arn,
            "lastStatus": t.last_status.as_str(),
            "desiredStatus": t.desired_status.as_str(),
            "launchType": t.launch_type.as_str(),
            "availabilityZone": t.availability_zone,
            "group": t.group,
            "cpu": t.cpu_units.to_string(),
            "memory": t.memory_mib.to_string(),
            "containers": containers,
            "healthStatus": t.health().as_str(),
            "connectivity": "CONNECTED",
            "createdAt": time(self, t.created_at),
            "version": t.version,
            "overrides": { "containerOverrides": t.containers.iter().map(|c| json!({ "name": c.name })).collect::<Vec<_>>() },
            "tags": [],
            "attachments": t.eni.as_ref().map(|eni| vec![eni_attachment(t, eni)]).unwrap_or_default(),
        });
        let map = out.as_object_mut().expect("object");
        if t.availability_zone.is_empty() {
            // Waiting for capacity: no zone yet.
            map.remove("availabilityZone");
        }
        if let Some(i) = t.container_instance {
            map.insert(
                "containerInstanceArn".into(),
                json!(self.ecs.container_instances[i].arn),
            );
        }
        if t.launch_type == LaunchType::Fargate {
            map.insert("platformVersion".into(), json!("1.4.0"));
        }
        if let Some(by) = &t.started_by {
            map.insert("startedBy".into(), json!(by));
        }
        if let Some(provider) = &t.capacity_provider {
            map.insert("capacityProviderName".into(), json!(provider));
        }
        for (field, value) in [
            ("pullStartedAt", t.pull_started_at),
            ("pullStoppedAt", t.pull_stopped_at),
            ("startedAt", t.started_at),
            ("stoppingAt", t.stopping_at),
            ("executionStoppedAt", t.execution_stopped_at),
            ("stoppedAt", t.stopped_at),
        ] {
            if let Some(at) = value {
                map.insert(field.into(), time(self, at));
            }
        }
        if let Some(code) = t.stop_code {
            map.insert("stopCode".into(), json!(code.as_str()));
        }
        if let Some(reason) = &t.stopped_reason {
            map.insert("stoppedReason".into(), json!(reason));
        }
        out
    }
}

/// The placement strategies of RunTask and CreateService: at most 5, none on Fargate (which
/// spreads across the zones of its subnets).
pub(crate) fn placement_strategies(
    strategies: Option<&[Value]>,
    launch_type: LaunchType,
) -> Result<Vec<Strategy>, ApiError> {
    let strategies = strategies.unwrap_or_default();
    if launch_type == LaunchType::Fargate && !strategies.is_empty() {
        return Err(ApiError::invalid_parameter(
            "Task placement strategies are not supported for tasks using the Fargate launch type.",
            "$.placementStrategy",
        ));
    }
    placement::parse_strategies(strategies, "$.placementStrategy")
}

/// Runtime placement constraints of RunTask and CreateService: memberOf expressions and whether
/// distinctInstance is asked; at most 10 with the task definition's.
pub(crate) fn runtime_constraints(
    constraints: Option<&[PlacementConstraintField]>,
    launch_type: LaunchType,
    from_task_definition: usize,
) -> Result<(Vec<String>, bool), ApiError> {
    let constraints = constraints.unwrap_or_default();
    if constraints.is_empty() {
        return Ok((Vec::new(), false));
    }
    if launch_type == LaunchType::Fargate {
        return Err(ApiError::invalid_parameter(
            "Task placement constraints are not supported for tasks using the Fargate launch type.",
            "$.placementConstraints",
        ));
    }
    if constraints.len() + from_task_definition > super::task_definition::PLACEMENT_CONSTRAINTS_MAX
    {
        return Err(ApiError::invalid_parameter(
            "A task can have at most 10 placement constraints, counting those of its task definition.",
            "$.placementConstraints",
        ));
    }
    let mut member_of = Vec::new();
    let mut distinct = false;
    for (n, c) in constraints.iter().enumerate() {
        let path = format!("$.placementConstraints[{n}]");
        match (c.kind.as_str(), &c.expression) {
            ("distinctInstance", None) => distinct = true,
            ("distinctInstance", Some(_)) => {
                return Err(ApiError::invalid_parameter("A distinctInstance constraint cannot have an expression.", &format!("{path}.expression")))
            }
            ("memberOf", Some(e)) if !e.trim().is_empty() && e.chars().count() <= 2000 => {
                MemberOf::parse(e, &format!("{path}.expression"))?;
                member_of.push(e.clone())
            }
            ("memberOf", _) => {
                return Err(ApiError::invalid_parameter("A memberOf constraint needs an expression of 1 to 2000 characters.", &format!("{path}.expression")))
            }
            (other, _) => {
                return Err(ApiError::invalid_parameter(
                    format!("Invalid placement constraint type '{other}': valid values are distinctInstance and memberOf."),
                    &format!("{path}.type"),
                ))
            }
        }
    }
    Ok((member_of, distinct))
}
