//! Task placement on EC2 container instances: the seam the placement engine plugs into. For now
//! a chain of ECS's checks in ECS's order (aws-facts 2.1) over the cluster's instances in
//! registration order, placing on the first that passes; every rejection is data, and a failure
//! names the closest matching instance and AWS's reason code.
//!
//! Strategies (binpack, spread, random), the full Cluster Query Language and the indexed
//! structure arrive with the placement issue; `memberOf` understands `attribute:<name>`,
//! `ec2InstanceId` and `agentConnected` compared with `==` / `!=`, joined by `and`.

use super::{ContainerInstance, InstanceIdx, InstanceStatus};
use crate::engine::world::World;

/// The first host port the ECS-optimized AMI hands out dynamically, and the last: the Linux
/// kernel's default `ip_local_port_range` (aws-facts 3.2: ECS docs cite 32768 to 61000).
pub const DYNAMIC_PORT_FIRST: u16 = 32_768;
pub const DYNAMIC_PORT_LAST: u16 = 60_999;

/// What a task needs from an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    pub cpu_units: u32,
    pub memory_mib: u32,
    /// Static host ports, (port, udp).
    pub static_ports: Vec<(u16, bool)>,
    /// How many dynamic host ports, (tcp, udp).
    pub dynamic_ports: (usize, usize),
    pub needs_eni: bool,
    pub cpu_architecture: Option<&'static str>,
    pub member_of: Vec<String>,
    /// distinctInstance: no other live task of this group on the instance.
    pub distinct_instance_group: Option<String>,
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
    NoDynamicPort,
    InsufficientEnis {
        available: u32,
    },
    ConstraintUnmet {
        expression: String,
    },
}

impl Rejection {
    /// RunTask's `failures[].reason` (aws-facts 2.6).
    pub fn reason_code(&self) -> &'static str {
        match self {
            Rejection::NotActive { .. } => "INACTIVE",
            Rejection::AgentDisconnected => "AGENT",
            Rejection::MissingAttribute { .. } => "ATTRIBUTE",
            Rejection::InsufficientCpu { .. } => "RESOURCE:CPU",
            Rejection::InsufficientMemory { .. } => "RESOURCE:MEMORY",
            Rejection::PortInUse { udp: true, .. } => "RESOURCE:PORTS_UDP",
            Rejection::PortInUse { .. } | Rejection::NoDynamicPort => "RESOURCE:PORTS",
            Rejection::InsufficientEnis { .. } => "RESOURCE:ENI",
            Rejection::ConstraintUnmet { .. } => "ATTRIBUTE",
        }
    }

    /// How far down the chain the instance got: the closest match is the one that got furthest.
    fn stage(&self) -> u8 {
        match self {
            Rejection::NotActive { .. } => 0,
            Rejection::AgentDisconnected => 1,
            Rejection::MissingAttribute { .. } => 2,
            Rejection::InsufficientCpu { .. } => 3,
            Rejection::InsufficientMemory { .. } => 4,
            Rejection::PortInUse { .. } | Rejection::NoDynamicPort => 5,
            Rejection::InsufficientEnis { .. } => 6,
            Rejection::ConstraintUnmet { .. } => 7,
        }
    }

    /// The end of AWS's service event: "The closest matching (container-instance X) ...".
    pub fn closest_match_phrase(&self) -> &'static str {
        match self {
            Rejection::NotActive { .. } => "is not in the ACTIVE state",
            Rejection::AgentDisconnected => "encountered error \"AGENT\"",
            Rejection::MissingAttribute { .. } | Rejection::ConstraintUnmet { .. } => {
                "is missing an attribute required by your task"
            }
            Rejection::InsufficientCpu { .. } => "has insufficient CPU units available",
            Rejection::InsufficientMemory { .. } => "has insufficient memory available",
            Rejection::PortInUse { .. } | Rejection::NoDynamicPort => {
                "is already using a port required by your task"
            }
            Rejection::InsufficientEnis { .. } => {
                "does not have enough available ENI attachment points"
            }
        }
    }
}

/// No instance could take the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementFailure {
    /// The instance that passed the most checks, and what stopped it; None when the cluster
    /// has no registered instance at all.
    pub closest: Option<(InstanceIdx, Rejection)>,
}

/// Checks one instance, in ECS's order.
pub fn check(
    world: &World,
    instance: &ContainerInstance,
    demand: &Demand,
) -> Result<(), Rejection> {
    if instance.status != InstanceStatus::Active {
        return Err(Rejection::NotActive {
            status: instance.status,
        });
    }
    if !instance.agent_connected {
        return Err(Rejection::AgentDisconnected);
    }
    if let Some(arch) = demand.cpu_architecture {
        if instance
            .attributes
            .get("ecs.cpu-architecture")
            .and_then(|v| v.as_deref())
            != Some(arch)
        {
            return Err(Rejection::MissingAttribute {
                name: format!("ecs.cpu-architecture={arch}"),
            });
        }
    }
    let available = instance.cpu_units_registered - instance.cpu_units_used;
    if demand.cpu_units > available {
        return Err(Rejection::InsufficientCpu {
            requested: demand.cpu_units,
            available,
        });
    }
    let available_mib = instance.memory_mib_registered - instance.memory_mib_used;
    if demand.memory_mib > available_mib {
        return Err(Rejection::InsufficientMemory {
            requested_mib: demand.memory_mib,
            available_mib,
        });
    }
    for &(port, udp) in &demand.static_ports {
        let used = if udp {
            &instance.udp_ports
        } else {
            &instance.tcp_ports
        };
        if used.contains(&port) {
            return Err(Rejection::PortInUse { port, udp });
        }
    }
    let free = |used: &std::collections::BTreeSet<u16>| {
        usize::from(DYNAMIC_PORT_LAST - DYNAMIC_PORT_FIRST + 1)
            - used.range(DYNAMIC_PORT_FIRST..=DYNAMIC_PORT_LAST).count()
    };
    if demand.dynamic_ports.0 > free(&instance.tcp_ports)
        || demand.dynamic_ports.1 > free(&instance.udp_ports)
    {
        return Err(Rejection::NoDynamicPort);
    }
    if demand.needs_eni && instance.enis_used >= instance.enis_registered {
        return Err(Rejection::InsufficientEnis {
            available: instance.enis_registered - instance.enis_used,
        });
    }
    for expression in &demand.member_of {
        if !member_of(instance, expression) {
            return Err(Rejection::ConstraintUnmet {
                expression: expression.clone(),
            });
        }
    }
    if let Some(group) = &demand.distinct_instance_group {
        let taken = instance.tasks.iter().any(|&t| {
            let task = &world.ecs.tasks[t];
            !task.is_stopped() && &task.group == group
        });
        if taken {
            return Err(Rejection::ConstraintUnmet {
                expression: "distinctInstance".into(),
            });
        }
    }
    Ok(())
}

/// The interim memberOf evaluator: `subject (==|!=) value` joined by `and`.
fn member_of(instance: &ContainerInstance, expression: &str) -> bool {
    expression.split(" and ").all(|term| {
        let (subject, value, equal) = match (term.split_once("!="), term.split_once("==")) {
            (Some((s, v)), _) => (s.trim(), v.trim(), false),
            (None, Some((s, v))) => (s.trim(), v.trim(), true),
            _ => return false,
        };
        let actual = match subject {
            "ec2InstanceId" => Some(instance.ec2_instance_id.clone()),
            "agentConnected" => Some(instance.agent_connected.to_string()),
            _ => subject
                .strip_prefix("attribute:")
                .and_then(|name| instance.attributes.get(name).cloned().flatten()),
        };
        (actual.as_deref() == Some(value)) == equal
    })
}

/// Picks an instance for the task: the first, in registration order, that passes every check.
/// `candidates` are the instances to consider (a cluster's, or StartTask's list).
pub fn place(
    world: &World,
    candidates: &[InstanceIdx],
    demand: &Demand,
) -> Result<InstanceIdx, PlacementFailure> {
    let mut closest: Option<(InstanceIdx, Rejection)> = None;
    for &index in candidates {
        let instance = &world.ecs.container_instances[index];
        if instance.status == InstanceStatus::Inactive {
            continue;
        }
        match check(world, instance, demand) {
            Ok(()) => return Ok(index),
            Err(rejection) => {
                if closest
                    .as_ref()
                    .is_none_or(|(_, best)| rejection.stage() > best.stage())
                {
                    closest = Some((index, rejection));
                }
            }
        }
    }
    Err(PlacementFailure { closest })
}

/// Ports a task placed on `instance` binds: static ones as asked, dynamic ones the lowest free
/// in the ephemeral range. Returns (containerPort, hostPort, udp) per mapping, container order.
pub fn assign_ports(
    instance: &ContainerInstance,
    mappings: &[(u16, u16, bool)],
) -> Vec<(u16, u16, bool)> {
    let mut taken_tcp = instance.tcp_ports.clone();
    let mut taken_udp = instance.udp_ports.clone();
    mappings
        .iter()
        .map(|&(container_port, host_port, udp)| {
            let taken = if udp { &mut taken_udp } else { &mut taken_tcp };
            let host = if host_port != 0 {
                host_port
            } else {
                (DYNAMIC_PORT_FIRST..=DYNAMIC_PORT_LAST)
                    .find(|p| !taken.contains(p))
                    .expect("checked by placement")
            };
            taken.insert(host);
            (container_port, host, udp)
        })
        .collect()
}
