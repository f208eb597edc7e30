//! Task placement on EC2 container instances (aws-facts 2 and 3).
//!
//! A placement decision runs over a [`Pool`]: a snapshot of the candidate instances with just
//! what placement reads (free CPU, memory, ENIs and ports, attributes, the groups of the tasks
//! on each). A [`Request`] holds what the task asks: its [`Demand`], its constraints (memberOf
//! expressions of the Cluster Query Language, distinctInstance) and its strategy chain.
//!
//! ECS's process (aws-facts 2.1): keep the instances that have the resources (CPU, memory,
//! ports, ENIs), then those that satisfy the constraints, then let the strategies choose. Each
//! strategy breaks the ties of the one before; when the chain ends in a tie, the instance
//! registered first wins.
//!
//! Two engines give the same choice: [`reference::place`] scans every instance and is written
//! to be obviously right; [`index::Placer`] keeps the fitting instances sorted by strategy key
//! so a decision costs a few tree operations (design.md section 7). Debug builds check one
//! against the other on every decision the simulation makes. [`trace::Decision`] keeps a
//! decision as data: every instance's fate, the scores, the choice or AWS's failure message.

pub mod cql;
pub mod index;
pub mod reference;
pub mod scale_in;
pub mod trace;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::{ContainerInstance, EcsState, InstanceIdx, InstanceStatus};
use crate::engine::error::ApiError;

/// The first host port the ECS-optimized AMI hands out dynamically, and the last: the Linux
/// kernel's default `ip_local_port_range` (aws-facts 3.2: ECS docs cite 32768 to 61000).
pub const DYNAMIC_PORT_FIRST: u16 = 32_768;
pub const DYNAMIC_PORT_LAST: u16 = 60_999;
const DYNAMIC_PORTS: u32 = (DYNAMIC_PORT_LAST - DYNAMIC_PORT_FIRST + 1) as u32;

/// Placement strategies per task or service (aws-facts 1.5).
pub const PLACEMENT_STRATEGIES_MAX: usize = 5;

/// `random` draws an instance among all candidates and keeps it if it fits, up to this many
/// times, before drawing among the fitting ones only. Either way every fitting instance is
/// equally likely (rejection sampling); the probes let a large cluster skip listing them all.
pub const RANDOM_PROBES: usize = 8;

/// The agent version every simulated instance reports (`versionInfo.agentVersion`), which
/// `agentVersion` expressions compare against.
pub const AGENT_VERSION: &str = "1.90.0";

/// What a task needs from an instance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Demand {
    pub cpu_units: u32,
    pub memory_mib: u32,
    /// Host-port mappings in bridge and host mode, every container's in order:
    /// (containerPort, hostPort or 0 for a dynamic one, udp).
    pub host_ports: Vec<(u16, u16, bool)>,
    pub needs_eni: bool,
    pub cpu_architecture: Option<&'static str>,
}

impl Demand {
    fn dynamic_ports(&self, udp: bool) -> u32 {
        self.host_ports
            .iter()
            .filter(|&&(_, host, u)| host == 0 && u == udp)
            .count() as u32
    }
}

/// Which resource `binpack` packs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Cpu,
    Memory,
}

/// One placement strategy (aws-facts 2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strategy {
    Random,
    /// `instanceId` and `host` spread over instances.
    SpreadInstance,
    /// `attribute:<name>`.
    SpreadAttribute(String),
    Binpack(Resource),
}

impl Strategy {
    /// ECS's JSON form.
    pub fn to_json(&self) -> Value {
        match self {
            Strategy::Random => json!({ "type": "random" }),
            Strategy::SpreadInstance => json!({ "type": "spread", "field": "instanceId" }),
            Strategy::SpreadAttribute(name) => {
                json!({ "type": "spread", "field": format!("attribute:{name}") })
            }
            Strategy::Binpack(Resource::Cpu) => json!({ "type": "binpack", "field": "cpu" }),
            Strategy::Binpack(Resource::Memory) => {
                json!({ "type": "binpack", "field": "memory" })
            }
        }
    }

    /// A short label such as `spread(attribute:ecs.availability-zone)`.
    pub fn label(&self) -> String {
        match self {
            Strategy::Random => "random".into(),
            Strategy::SpreadInstance => "spread(instanceId)".into(),
            Strategy::SpreadAttribute(name) => format!("spread(attribute:{name})"),
            Strategy::Binpack(Resource::Cpu) => "binpack(cpu)".into(),
            Strategy::Binpack(Resource::Memory) => "binpack(memory)".into(),
        }
    }

    /// What a score of this strategy counts; lower wins.
    pub fn score_meaning(&self) -> &'static str {
        match self {
            Strategy::Random => "drawn at random",
            Strategy::SpreadInstance => "tasks of the group on the instance",
            Strategy::SpreadAttribute(_) => "tasks of the group on instances with this value",
            Strategy::Binpack(Resource::Cpu) => "CPU units left",
            Strategy::Binpack(Resource::Memory) => "MiB of memory left",
        }
    }
}

/// A service's default when it names no strategy: spread over Availability Zones, then over
/// the instances of each (aws-facts 2.2, "favors container instances with the fewest number of
/// running tasks for this service").
pub fn service_default_strategies() -> Vec<Strategy> {
    vec![
        Strategy::SpreadAttribute("ecs.availability-zone".into()),
        Strategy::SpreadInstance,
    ]
}

/// RunTask's default: random across the cluster (aws-facts 2.2).
pub fn run_task_default_strategies() -> Vec<Strategy> {
    vec![Strategy::Random]
}

/// Parses RunTask's or CreateService's `placementStrategy` (at `path`).
pub fn parse_strategies(values: &[Value], path: &str) -> Result<Vec<Strategy>, ApiError> {
    if values.len() > PLACEMENT_STRATEGIES_MAX {
        return Err(ApiError::invalid_parameter(
            "A task can have at most 5 placement strategies.",
            path,
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(n, value)| {
            let at = format!("{path}[{n}]");
            let Some(object) = value.as_object() else {
                return Err(ApiError::invalid_parameter(
                    "A placement strategy is an object with a type and a field.",
                    &at,
                ));
            };
            if let Some(key) = object.keys().find(|k| *k != "type" && *k != "field") {
                return Err(ApiError::invalid_parameter(
                    format!("Unknown field '{key}' in a placement strategy: valid fields are type and field."),
                    &format!("{at}.{key}"),
                ));
            }
            let field = object.get("field").and_then(Value::as_str);
            match object.get("type").and_then(Value::as_str) {
                Some("random") => Ok(Strategy::Random),
                Some("binpack") => match field.map(str::to_ascii_lowercase).as_deref() {
                    Some("cpu") => Ok(Strategy::Binpack(Resource::Cpu)),
                    Some("memory") => Ok(Strategy::Binpack(Resource::Memory)),
                    _ => Err(ApiError::invalid_parameter(
                        "The binpack placement strategy packs cpu or memory: set field to one of them.",
                        &format!("{at}.field"),
                    )),
                },
                Some("spread") => match field {
                    Some("instanceId" | "host") => Ok(Strategy::SpreadInstance),
                    Some(f) if f.starts_with("attribute:") && f.len() > "attribute:".len() => {
                        Ok(Strategy::SpreadAttribute(f["attribute:".len()..].to_string()))
                    }
                    _ => Err(ApiError::invalid_parameter(
                        "The spread placement strategy needs a field: instanceId, host or attribute:<name>.",
                        &format!("{at}.field"),
                    )),
                },
                other => Err(ApiError::invalid_parameter(
                    format!(
                        "Invalid placement strategy type '{}': valid values are random, spread and binpack.",
                        other.unwrap_or("")
                    ),
                    &format!("{at}.type"),
                )),
            }
        })
        .collect()
}

/// A memberOf constraint: its text (for messages and traces) and its parsed form.
#[derive(Debug, Clone)]
pub struct MemberOf {
    pub expression: String,
    pub parsed: cql::Expr,
}

impl MemberOf {
    /// Parses an expression; the error is AWS's InvalidParameterException with the column and
    /// what was expected.
    pub fn parse(expression: &str, path: &str) -> Result<MemberOf, ApiError> {
        cql::parse(expression)
            .map(|parsed| MemberOf {
                expression: expression.to_string(),
                parsed,
            })
            .map_err(|e| {
                ApiError::invalid_parameter(
                    format!("Invalid memberOf expression '{expression}': {e}."),
                    path,
                )
            })
    }
}

/// Everything one placement decision needs besides the pool.
#[derive(Debug, Clone)]
pub struct Request {
    pub demand: Demand,
    pub member_of: Vec<MemberOf>,
    pub distinct_instance: bool,
    /// The task group: `service:<name>`, or RunTask's group (`family:<family>` by default).
    /// Spread counts tasks of this group; distinctInstance keeps its tasks apart.
    pub group: String,
    /// The chain in force, defaults already applied.
    pub strategies: Vec<Strategy>,
    /// Whether `strategies` is a default rather than what the user asked (for the trace).
    pub default_strategies: bool,
}

/// One candidate instance as placement sees it.
#[derive(Debug, Clone)]
pub struct Slot<'a> {
    pub instance: InstanceIdx,
    /// The container instance id (the last part of its ARN).
    pub id: &'a str,
    pub arn: &'a str,
    pub ec2_instance_id: &'a str,
    pub availability_zone: &'a str,
    pub status: InstanceStatus,
    pub agent_connected: bool,
    pub registered_at_s: i64,
    pub cpu_free: u32,
    pub memory_free: u32,
    pub enis_free: u32,
    pub tcp_ports: Cow<'a, BTreeSet<u16>>,
    pub udp_ports: Cow<'a, BTreeSet<u16>>,
    /// Dynamic-range ports free, (tcp, udp).
    pub dynamic_free: (u32, u32),
    pub attributes: &'a BTreeMap<String, Option<String>>,
    /// `ecs.cpu-architecture` of `attributes`, looked up once: every check reads it.
    pub cpu_architecture: Option<&'a str>,
    pub running_tasks: u32,
    /// Live (not STOPPED) tasks on the instance per task group.
    pub groups: BTreeMap<String, u32>,
}

impl<'a> Slot<'a> {
    /// An ACTIVE, connected slot with the given free resources, reserved TCP ports and
    /// attributes, and no tasks: the benchmark and the property tests build pools this way.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        instance: InstanceIdx,
        id: &'a str,
        availability_zone: &'a str,
        cpu_free: u32,
        memory_free: u32,
        enis_free: u32,
        reserved_tcp: &'a BTreeSet<u16>,
        attributes: &'a BTreeMap<String, Option<String>>,
    ) -> Slot<'a> {
        Slot {
            instance,
            id,
            arn: id,
            ec2_instance_id: id,
            availability_zone,
            status: InstanceStatus::Active,
            agent_connected: true,
            registered_at_s: 0,
            cpu_free,
            memory_free,
            enis_free,
            dynamic_free: (free_dynamic(reserved_tcp), DYNAMIC_PORTS),
            tcp_ports: Cow::Borrowed(reserved_tcp),
            udp_ports: Cow::Owned(BTreeSet::new()),
            attributes,
            cpu_architecture: cpu_architecture(attributes),
            running_tasks: 0,
            groups: BTreeMap::new(),
        }
    }

    fn group_count(&self, group: &str) -> u32 {
        self.groups.get(group).copied().unwrap_or(0)
    }

    fn attribute_value(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(|v| v.as_deref())
    }
}

fn cpu_architecture(attributes: &BTreeMap<String, Option<String>>) -> Option<&str> {
    attributes
        .get("ecs.cpu-architecture")
        .and_then(|v| v.as_deref())
}

fn free_dynamic(ports: &BTreeSet<u16>) -> u32 {
    DYNAMIC_PORTS - ports.range(DYNAMIC_PORT_FIRST..=DYNAMIC_PORT_LAST).count() as u32
}

impl cql::Facts for Slot<'_> {
    fn attribute(&self, name: &str) -> Option<Option<&str>> {
        self.attributes.get(name).map(|v| v.as_deref())
    }
    fn ec2_instance_id(&self) -> &str {
        self.ec2_instance_id
    }
    fn agent_connected(&self) -> bool {
        self.agent_connected
    }
    fn agent_version(&self) -> &str {
        AGENT_VERSION
    }
    fn registered_at_s(&self) -> i64 {
        self.registered_at_s
    }
    fn running_tasks_count(&self) -> u32 {
        self.running_tasks
    }
    fn any_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
        self.groups.iter().any(|(g, &n)| n > 0 && test(g))
    }
}

/// The candidate instances of one decision, in registration order.
#[derive(Debug, Clone, Default)]
pub struct Pool<'a> {
    pub slots: Vec<Slot<'a>>,
}

impl<'a> Pool<'a> {
    /// The pool for `candidates` (deregistered instances are left out). `epoch_ms` is the
    /// simulation's epoch, for registeredAt.
    pub fn from_ecs(ecs: &'a EcsState, candidates: &[InstanceIdx], epoch_ms: i64) -> Pool<'a> {
        let slots = candidates
            .iter()
            .copied()
            .filter(|&i| ecs.container_instances[i].status != InstanceStatus::Inactive)
            .map(|i| slot_of(ecs, i, &ecs.container_instances[i], epoch_ms))
            .collect();
        Pool { slots }
    }

    /// Records a task of `request` placed on slot `s`: its resources, ports and group.
    pub fn add(&mut self, s: usize, request: &Request) {
        let demand = &request.demand;
        let slot = &mut self.slots[s];
        slot.cpu_free -= demand.cpu_units;
        slot.memory_free -= demand.memory_mib;
        slot.enis_free -= u32::from(demand.needs_eni);
        if !demand.host_ports.is_empty() {
            let (tcp, udp) = (slot.tcp_ports.to_mut(), slot.udp_ports.to_mut());
            for (_, host, is_udp) in assign_ports(tcp, udp, &demand.host_ports) {
                if is_udp {
                    udp.insert(host);
                } else {
                    tcp.insert(host);
                }
            }
            slot.dynamic_free = (free_dynamic(tcp), free_dynamic(udp));
        }
        match slot.groups.get_mut(&request.group) {
            Some(n) => *n += 1,
            None => {
                slot.groups.insert(request.group.clone(), 1);
            }
        }
    }
}

fn slot_of<'a>(
    ecs: &'a EcsState,
    index: InstanceIdx,
    instance: &'a ContainerInstance,
    epoch_ms: i64,
) -> Slot<'a> {
    let mut groups = BTreeMap::new();
    let mut running_tasks = 0;
    for &t in &instance.tasks {
        let task = &ecs.tasks[t];
        if !task.is_stopped() {
            *groups.entry(task.group.clone()).or_insert(0) += 1;
        }
        if task.last_status == super::TaskStatus::Running {
            running_tasks += 1;
        }
    }
    Slot {
        instance: index,
        id: &instance.id,
        arn: &instance.arn,
        ec2_instance_id: &instance.ec2_instance_id,
        availability_zone: &instance.availability_zone,
        status: instance.status,
        agent_connected: instance.agent_connected,
        registered_at_s: (epoch_ms + instance.registered_at as i64).div_euclid(1_000),
        cpu_free: instance.cpu_units_registered - instance.cpu_units_used,
        memory_free: instance.memory_mib_registered - instance.memory_mib_used,
        enis_free: instance.enis_registered - instance.enis_used,
        dynamic_free: (
            free_dynamic(&instance.tcp_ports),
            free_dynamic(&instance.udp_ports),
        ),
        tcp_ports: Cow::Borrowed(&instance.tcp_ports),
        udp_ports: Cow::Borrowed(&instance.udp_ports),
        attributes: &instance.attributes,
        cpu_architecture: cpu_architecture(&instance.attributes),
        running_tasks,
        groups,
    }
}

/// Why one instance cannot take the task, with the numbers (style rule 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    NotActive {
        status: InstanceStatus,
    },
    AgentDisconnected,
    MissingAttribute {
        name: String,
    },
    InsufficientCpu {
        requested: u32,
        available: u32,
    },
    InsufficientMemory {
        requested_mib: u32,
        available_mib: u32,
    },
    PortInUse {
        port: u16,
        udp: bool,
    },
    NoDynamicPort {
        requested: u32,
        available: u32,
    },
    InsufficientEnis {
        available: u32,
    },
    ConstraintUnmet {
        expression: String,
    },
    DistinctInstance {
        group: String,
    },
}

impl Rejection {
    /// The check that refused.
    pub fn check_id(&self) -> CheckId {
        match self {
            Rejection::NotActive { .. } => CheckId::Status,
            Rejection::AgentDisconnected => CheckId::Agent,
            Rejection::MissingAttribute { .. } => CheckId::Attributes,
            Rejection::InsufficientCpu { .. } => CheckId::Cpu,
            Rejection::InsufficientMemory { .. } => CheckId::Memory,
            Rejection::PortInUse { .. } | Rejection::NoDynamicPort { .. } => CheckId::Ports,
            Rejection::InsufficientEnis { .. } => CheckId::Eni,
            Rejection::ConstraintUnmet { .. } => CheckId::MemberOf,
            Rejection::DistinctInstance { .. } => CheckId::DistinctInstance,
        }
    }

    fn row(&self) -> &'static PlacementCheck {
        let id = self.check_id();
        CHECKS
            .iter()
            .find(|c| c.id == id)
            .expect("every check is listed")
    }

    /// RunTask's `failures[].reason` (aws-facts 2.6). A UDP port is the ports check's own
    /// code (aws-facts 16 item 11).
    pub fn reason_code(&self) -> &'static str {
        match self {
            Rejection::PortInUse { udp: true, .. } => "RESOURCE:PORTS_UDP",
            _ => self.row().reason_code,
        }
    }

    /// The check that refused, by name, as the trace shows it.
    pub fn check(&self) -> &'static str {
        self.row().name
    }

    /// The numbers behind the refusal, in words.
    pub fn detail(&self) -> String {
        match self {
            Rejection::NotActive { status } => {
                format!("the instance is {}; only ACTIVE instances take new tasks", status.as_str())
            }
            Rejection::AgentDisconnected => "the container agent is not connected".into(),
            Rejection::MissingAttribute { name } => format!("the task requires {name}"),
            Rejection::InsufficientCpu {
                requested,
                available,
            } => format!("needs {requested} CPU units, {available} available"),
            Rejection::InsufficientMemory {
                requested_mib,
                available_mib,
            } => format!("needs {requested_mib} MiB of memory, {available_mib} MiB available"),
            Rejection::PortInUse { port, udp } => format!(
                "host port {port}/{} is already in use",
                if *udp { "udp" } else { "tcp" }
            ),
            Rejection::NoDynamicPort {
                requested,
                available,
            } => format!(
                "needs {requested} dynamic host ports, {available} free in {DYNAMIC_PORT_FIRST}-{DYNAMIC_PORT_LAST}"
            ),
            Rejection::InsufficientEnis { available } => {
                format!("needs 1 ENI attachment point, {available} available")
            }
            Rejection::ConstraintUnmet { expression } => {
                format!("does not satisfy memberOf({expression})")
            }
            Rejection::DistinctInstance { group } => {
                format!("already runs a task of group {group}")
            }
        }
    }

    /// How far down the list of checks the instance got: the closest match is the one that
    /// got furthest.
    fn stage(&self) -> usize {
        let id = self.check_id();
        CHECKS
            .iter()
            .position(|c| c.id == id)
            .expect("every check is listed")
    }

    /// The end of AWS's service event: "The closest matching (container-instance X) ...".
    pub fn closest_match_phrase(&self) -> &'static str {
        self.row().closest_match
    }
}

/// The placement checks, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckId {
    Status,
    Agent,
    Attributes,
    Cpu,
    Memory,
    Ports,
    Eni,
    MemberOf,
    DistinctInstance,
}

/// One placement check: its name in the why-trace, its RunTask reason code, the end of AWS's
/// "closest matching" sentence, and the function that runs it. [`CHECKS`] lists them in ECS's
/// order (aws-facts 2.1): resources first, then constraints; an instance's position in that
/// list is how close it came. A new check (GPUs, say) is a row of `placement_checks!` with its
/// function, a [`CheckId`] and a [`Rejection`].
pub struct PlacementCheck {
    pub id: CheckId,
    pub name: &'static str,
    pub reason_code: &'static str,
    pub closest_match: &'static str,
    /// A constraint (memberOf, distinctInstance) rather than a resource check.
    pub constraint: bool,
}

const MISSING_ATTRIBUTE: &str = "is missing an attribute required by your task";

/// Defines [`CHECKS`] and the two passes that run them, from one list: each row's check runs
/// in the pass in the row's place, written out so the hottest path of placement is the checks
/// inlined in order.
macro_rules! placement_checks {
    (
        resources: [$($rid:ident, $rname:literal, $rcode:literal, $rphrase:expr, $rfn:ident;)*]
        constraints: [$($cid:ident, $cname:literal, $ccode:literal, $cphrase:expr, $cfn:ident;)*]
    ) => {
        /// Every check in ECS's order (aws-facts 2.1): resources, then constraints.
        pub const CHECKS: &[PlacementCheck] = &[
            $(PlacementCheck { id: CheckId::$rid, name: $rname, reason_code: $rcode, closest_match: $rphrase, constraint: false },)*
            $(PlacementCheck { id: CheckId::$cid, name: $cname, reason_code: $ccode, closest_match: $cphrase, constraint: true },)*
        ];

        /// The resource and attribute checks, in order.
        pub fn check_resources(slot: &Slot, request: &Request) -> Result<(), Rejection> {
            $($rfn(slot, request)?;)*
            Ok(())
        }

        /// The constraint checks: memberOf expressions (all, or only those whose answer
        /// depends on the instance's tasks), then distinctInstance.
        pub fn check_constraints(
            slot: &Slot,
            request: &Request,
            dynamic_only: bool,
        ) -> Result<(), Rejection> {
            $($cfn(slot, request, dynamic_only)?;)*
            Ok(())
        }
    };
}

placement_checks! {
    resources: [
        Status, "status", "INACTIVE", "is not in the ACTIVE state", check_status;
        Agent, "agent", "AGENT", "encountered error \"AGENT\"", check_agent;
        Attributes, "attributes", "ATTRIBUTE", MISSING_ATTRIBUTE, check_attributes;
        Cpu, "cpu", "RESOURCE:CPU", "has insufficient CPU units available", check_cpu;
        Memory, "memory", "RESOURCE:MEMORY", "has insufficient memory available", check_memory;
        Ports, "ports", "RESOURCE:PORTS", "is already using a port required by your task", check_ports;
        Eni, "eni", "RESOURCE:ENI", "does not have enough available ENI attachment points", check_eni;
    ]
    constraints: [
        MemberOf, "memberOf", "ATTRIBUTE", MISSING_ATTRIBUTE, check_member_of;
        DistinctInstance, "distinctInstance", "ATTRIBUTE", MISSING_ATTRIBUTE, check_distinct_instance;
    ]
}

/// No instance could take the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementFailure {
    /// The instance that passed the most checks, and what stopped it; None when the pool is
    /// empty.
    pub closest: Option<(InstanceIdx, Rejection)>,
}

/// AWS's service event for a task no instance could take, after "(service name) "
/// (aws-facts 4.5): naming the closest matching instance and what it lacked.
pub fn unable_to_place_message(closest: Option<(&str, &Rejection)>) -> String {
    unable_to_place_message_in(closest, "cluster")
}

/// The same, for a pool that is the `pool` ("cluster", or "capacity provider" when the task
/// goes to an Auto Scaling group provider's instances, aws-facts 4.5).
pub fn unable_to_place_message_in(closest: Option<(&str, &Rejection)>, pool: &str) -> String {
    let why = match closest {
        Some((id, rejection)) => format!(
            "The closest matching (container-instance {id}) {}.",
            rejection.closest_match_phrase()
        ),
        None => format!("Reason: No Container Instances were found in your {pool}."),
    };
    format!("was unable to place a task because no container instance met all of its requirements. {why} For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.")
}

#[inline(always)]
fn check_status(slot: &Slot, _: &Request) -> Result<(), Rejection> {
    if slot.status != InstanceStatus::Active {
        return Err(Rejection::NotActive {
            status: slot.status,
        });
    }
    Ok(())
}

#[inline(always)]
fn check_agent(slot: &Slot, _: &Request) -> Result<(), Rejection> {
    if !slot.agent_connected {
        return Err(Rejection::AgentDisconnected);
    }
    Ok(())
}

#[inline(always)]
fn check_attributes(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    if let Some(arch) = request.demand.cpu_architecture {
        if slot.cpu_architecture != Some(arch) {
            return Err(Rejection::MissingAttribute {
                name: format!("ecs.cpu-architecture={arch}"),
            });
        }
    }
    Ok(())
}

#[inline(always)]
fn check_cpu(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    if request.demand.cpu_units > slot.cpu_free {
        return Err(Rejection::InsufficientCpu {
            requested: request.demand.cpu_units,
            available: slot.cpu_free,
        });
    }
    Ok(())
}

#[inline(always)]
fn check_memory(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    if request.demand.memory_mib > slot.memory_free {
        return Err(Rejection::InsufficientMemory {
            requested_mib: request.demand.memory_mib,
            available_mib: slot.memory_free,
        });
    }
    Ok(())
}

#[inline(always)]
fn check_ports(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    let demand = &request.demand;
    if demand.host_ports.is_empty() {
        return Ok(());
    }
    for &(_, port, udp) in &demand.host_ports {
        let used = if udp {
            &slot.udp_ports
        } else {
            &slot.tcp_ports
        };
        if port != 0 && used.contains(&port) {
            return Err(Rejection::PortInUse { port, udp });
        }
    }
    for (udp, free) in [(false, slot.dynamic_free.0), (true, slot.dynamic_free.1)] {
        let requested = demand.dynamic_ports(udp);
        if requested > free {
            return Err(Rejection::NoDynamicPort {
                requested,
                available: free,
            });
        }
    }
    Ok(())
}

#[inline(always)]
fn check_eni(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    if request.demand.needs_eni && slot.enis_free == 0 {
        return Err(Rejection::InsufficientEnis { available: 0 });
    }
    Ok(())
}

#[inline(always)]
fn check_member_of(slot: &Slot, request: &Request, dynamic_only: bool) -> Result<(), Rejection> {
    for m in &request.member_of {
        if (!dynamic_only || m.parsed.is_dynamic()) && !m.parsed.eval(slot) {
            return Err(Rejection::ConstraintUnmet {
                expression: m.expression.clone(),
            });
        }
    }
    Ok(())
}

#[inline(always)]
fn check_distinct_instance(slot: &Slot, request: &Request, _: bool) -> Result<(), Rejection> {
    if request.distinct_instance && slot.group_count(&request.group) > 0 {
        return Err(Rejection::DistinctInstance {
            group: request.group.clone(),
        });
    }
    Ok(())
}

/// Every check, in ECS's order.
pub fn check(slot: &Slot, request: &Request) -> Result<(), Rejection> {
    check_resources(slot, request)?;
    check_constraints(slot, request, false)
}

/// The failure for a pool where nothing fits: the instance that got furthest, first in
/// registration order among equals.
pub fn closest_match(pool: &Pool, request: &Request) -> PlacementFailure {
    let mut closest: Option<(InstanceIdx, Rejection)> = None;
    for slot in &pool.slots {
        if let Err(rejection) = check(slot, request) {
            if closest
                .as_ref()
                .is_none_or(|(_, best)| rejection.stage() > best.stage())
            {
                closest = Some((slot.instance, rejection));
            }
        }
    }
    PlacementFailure { closest }
}

/// A strategy's score of a slot (lower wins). `spread_count` gives, for a spread over an
/// attribute, the group's tasks on instances with the given value.
fn score(
    strategy: &Strategy,
    slot: &Slot,
    group: &str,
    spread_count: impl Fn(Option<&str>) -> u32,
) -> u32 {
    match strategy {
        Strategy::Random => 0,
        Strategy::SpreadInstance => slot.group_count(group),
        Strategy::SpreadAttribute(name) => spread_count(slot.attribute_value(name)),
        Strategy::Binpack(Resource::Cpu) => slot.cpu_free,
        Strategy::Binpack(Resource::Memory) => slot.memory_free,
    }
}

/// An index below `len`, uniformly. A single choice draws nothing.
pub fn pick(rng: &mut ChaCha8Rng, len: usize) -> usize {
    if len <= 1 {
        0
    } else {
        // u32, not usize: the draw must be the same on 64-bit hosts and in 32-bit wasm.
        rng.random_range(0..len as u32) as usize
    }
}

/// `random` as the first strategy: probes over all `n` slots, then a draw among the fitting.
pub fn random_first(n: usize, fits: impl Fn(usize) -> bool, rng: &mut ChaCha8Rng) -> Option<usize> {
    if n == 0 {
        return None;
    }
    for _ in 0..RANDOM_PROBES {
        let s = rng.random_range(0..n as u32) as usize;
        if fits(s) {
            return Some(s);
        }
    }
    let fitting: Vec<usize> = (0..n).filter(|&s| fits(s)).collect();
    if fitting.is_empty() {
        None
    } else {
        Some(fitting[pick(rng, fitting.len())])
    }
}

/// The chain up to and including its first `random` (nothing after a random draw can matter).
fn effective_chain(strategies: &[Strategy]) -> &[Strategy] {
    match strategies.iter().position(|s| *s == Strategy::Random) {
        Some(p) => &strategies[..=p],
        None => strategies,
    }
}

/// Host ports for `mappings` given the ports taken: static ones as asked, dynamic ones the
/// lowest free in the ephemeral range. Returns (containerPort, hostPort, udp) per mapping.
pub fn assign_ports(
    tcp: &BTreeSet<u16>,
    udp: &BTreeSet<u16>,
    mappings: &[(u16, u16, bool)],
) -> Vec<(u16, u16, bool)> {
    let mut taken_tcp: Vec<u16> = Vec::new();
    let mut taken_udp: Vec<u16> = Vec::new();
    mappings
        .iter()
        .map(|&(container_port, host_port, is_udp)| {
            let (set, extra) = if is_udp {
                (udp, &mut taken_udp)
            } else {
                (tcp, &mut taken_tcp)
            };
            let host = if host_port != 0 {
                host_port
            } else {
                (DYNAMIC_PORT_FIRST..=DYNAMIC_PORT_LAST)
                    .find(|p| !set.contains(p) && !extra.contains(p))
                    .expect("checked by placement")
            };
            extra.push(host);
            (container_port, host, is_udp)
        })
        .collect()
}

#[cfg(test)]
mod check_list_tests {
    use super::*;

    #[test]
    fn resource_checks_come_first_and_each_check_once() {
        let first_constraint = CHECKS.iter().position(|c| c.constraint).unwrap();
        assert!(CHECKS[first_constraint..].iter().all(|c| c.constraint));
        assert_eq!(CHECKS[0].id, CheckId::Status);
        for (n, check) in CHECKS.iter().enumerate() {
            assert_eq!(CHECKS.iter().position(|c| c.id == check.id), Some(n));
        }
    }
}
