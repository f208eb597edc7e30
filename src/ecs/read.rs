//! What other services may read of ECS: who answers on a port of an instance, as a view,
//! never ECS's state. The load balancers ask it when they check a target.

use super::TaskStatus;
use crate::engine::time::SimTime;
use crate::world::World;

/// A container that listens on a host port: its task's status and when it reached RUNNING,
/// and its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening<'a> {
    pub task: super::TaskIdx,
    pub task_id: &'a str,
    pub running: bool,
    pub started_at: Option<SimTime>,
    pub image: &'a str,
    /// The container's index in the task (and its task definition).
    pub container: usize,
}

/// The container of a task on EC2 instance `ec2_instance_id` bound to TCP host port `port`
/// (bridge and host network modes), if a task holds that port: RUNNING, or on its way to or
/// from it.
pub fn listening_on<'a>(
    world: &'a World,
    ec2_instance_id: &str,
    port: u16,
) -> Option<Listening<'a>> {
    let ecs = &world.ecs;
    // The instance's agent knows its container instance: no scan of the cluster.
    let index = ecs.agents.get(ec2_instance_id)?.container_instance?;
    let instance = Some(&ecs.container_instances[index])
        .filter(|ci| ci.ec2_instance_id == ec2_instance_id && ci.tcp_ports.contains(&port))?;
    // A stopped task may still be listed with the port it held: the live one answers.
    instance.tasks.iter().find_map(|&t| {
        let task = &ecs.tasks[t];
        let index = t;
        if task.last_status == TaskStatus::Stopped {
            return None;
        }
        let n = (task.containers.iter()).position(|c| {
            c.bindings
                .iter()
                .any(|&(_, host, udp)| host == port && !udp)
        })?;
        Some(Listening {
            task: index,
            task_id: &task.id,
            running: task.last_status == TaskStatus::Running,
            started_at: task.started_at,
            image: &task.containers[n].image,
            container: n,
        })
    })
}

/// An awsvpc task's container that listens on `port` of the task's own address (awsvpc: the
/// container port itself), with the task's security groups and zone.
pub fn listening_on_address<'a>(
    world: &'a World,
    address: u32,
    port: u16,
) -> Option<(Listening<'a>, &'a [String], &'a str)> {
    let &index = world.ecs.eni_addresses.get(&address)?;
    let task = &world.ecs.tasks[index];
    let eni = task.eni.as_ref().filter(|e| e.private_ipv4 == address)?;
    if task.last_status == TaskStatus::Stopped {
        return None;
    }
    let definition = world
        .ecs
        .task_definitions
        .get(task.task_definition.split(':').next()?)?;
    let revision: usize = task.task_definition.rsplit(':').next()?.parse().ok()?;
    let spec = definition.get(revision.checked_sub(1)?)?;
    let n = (spec.containers.iter()).position(|c| {
        c.port_mappings
            .iter()
            .any(|p| p.container_port == port && !p.udp)
    })?;
    Some((
        Listening {
            task: index,
            task_id: &task.id,
            running: task.last_status == TaskStatus::Running,
            started_at: task.started_at,
            image: &spec.containers[n].image,
            container: n,
        },
        eni.security_groups.as_slice(),
        task.availability_zone.as_str(),
    ))
}

/// How much CPU a running task may use and what it reserved, for the playground's load
/// (`sim:SetTraffic`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskSize {
    /// CPU units the task may use at the most: its task-level `cpu` (Fargate always has one);
    /// else, on EC2, its share of the instance by CPU shares (a container's `cpu`, at least 2
    /// shares, as Docker gives), never less than it reserved.
    pub cpu_units_limit: f64,
    /// CPU units and MiB the task definition asks for (task level, else the containers' sum).
    pub cpu_units: u32,
    pub memory_mib: u32,
}

/// The CPU shares Docker gives a container that asks for none or fewer (its minimum).
pub const CPU_SHARES_MIN: u32 = 2;

/// What task `task` may use, if it exists and is not stopped.
pub fn task_size(world: &World, task: super::TaskIdx) -> Option<TaskSize> {
    let ecs = &world.ecs;
    let t = ecs.tasks.get(task)?;
    if t.last_status == TaskStatus::Stopped {
        return None;
    }
    let task_level_cpu = definition_of(world, &t.task_definition).and_then(|d| d.cpu_units);
    let limit = match (task_level_cpu, t.container_instance) {
        (Some(cpu), _) => f64::from(cpu),
        (None, None) => f64::from(t.cpu_units),
        (None, Some(ci)) => {
            let instance = &ecs.container_instances[ci];
            let shares = |units: u32| f64::from(units.max(CPU_SHARES_MIN));
            let total: f64 = (instance.tasks.iter())
                .filter_map(|&i| ecs.tasks.get(i))
                .filter(|other| other.last_status == TaskStatus::Running)
                .map(|other| shares(other.cpu_units))
                .sum();
            let share = f64::from(instance.cpu_units_registered) * shares(t.cpu_units)
                / total.max(shares(t.cpu_units));
            share.max(f64::from(t.cpu_units))
        }
    };
    Some(TaskSize {
        cpu_units_limit: limit,
        cpu_units: t.cpu_units,
        memory_mib: t.memory_mib,
    })
}

/// The task definition `family:revision`.
fn definition_of<'a>(
    world: &'a World,
    family_revision: &str,
) -> Option<&'a super::task_definition::TaskDefinition> {
    let (family, revision) = family_revision.rsplit_once(':')?;
    let revision: usize = revision.parse().ok()?;
    world
        .ecs
        .task_definitions
        .get(family)?
        .get(revision.checked_sub(1)?)
}

/// The zone of the awsvpc task at `address`, if one holds it.
pub fn address_zone(world: &World, address: u32) -> Option<&str> {
    let &index = world.ecs.eni_addresses.get(&address)?;
    let task = world.ecs.tasks.get(index)?;
    Some(task.availability_zone.as_str())
}

pub use super::TaskIdx;

/// Task `task`'s serial (which task holds the slot), if the slot holds one.
pub fn task_serial(world: &World, task: TaskIdx) -> Option<u64> {
    world.ecs.tasks.get(task).map(|t| t.serial)
}

/// What container `container` of task `task` writes to its awslogs stream when it writes
/// `lines` now (None without the awslogs driver, or for a group in another Region): for the
/// root to carry out as `Command::WriteLogs`.
pub fn container_log(
    world: &World,
    task: TaskIdx,
    container: usize,
    lines: Vec<String>,
) -> Option<crate::logs::LogWrite> {
    world.task_container_log(task, container, lines)
}

/// The images of task `task`'s containers.
pub fn task_images(world: &World, task: TaskIdx) -> impl Iterator<Item = &str> + '_ {
    (world.ecs.tasks.get(task).into_iter())
        .flat_map(|t| t.containers.iter())
        .map(|c| c.image.as_str())
}

/// Every task index is below this (slots are reused, see `ecs::store`).
pub fn task_slots(world: &World) -> usize {
    world.ecs.tasks.slot_count()
}

/// An ACTIVE service's desired and running counts, by its cluster's and its own name.
pub fn service_counts(world: &World, cluster: &str, service: &str) -> Option<(u32, u32)> {
    let s = (world.ecs.services.iter()).find(|s| {
        s.cluster == cluster && s.name == service && s.status == super::ServiceStatus::Active
    })?;
    let running = (s.tasks.iter())
        .filter(|&&t| world.ecs.tasks.get(t).is_some_and(|t| t.is_running()))
        .count() as u32;
    Some((s.desired_count, running))
}

/// Tasks a service may have at the most (ECS's quota).
pub use super::service::TASKS_PER_SERVICE_MAX;

/// The running tasks on FARGATE_SPOT not yet told to stop, by ARN, in start order: what
/// `sim:InterruptSpot` may interrupt.
pub fn spot_task_arns(world: &World) -> Vec<String> {
    (world.spot_tasks().into_iter())
        .map(|t| world.ecs.tasks[t].arn.clone())
        .collect()
}

/// Fargate Spot's capacity and random interruption rate an hour.
pub fn spot_settings(world: &World) -> (bool, f64) {
    (
        world.ecs.spot.available,
        world.ecs.spot.interruptions_per_hour,
    )
}

/// The Fargate Spot capacity provider's name.
pub use super::capacity_providers::FARGATE_SPOT;

/// The CPU an EC2 instance's running tasks use this minute, in percent of its registered CPU
/// (what the host's CPUUtilization reads in the model: the agent and the OS use nothing);
/// None when the instance has no ACTIVE or DRAINING container instance.
pub fn instance_cpu_percent(world: &World, ec2_id: &str) -> Option<f64> {
    let i = world.container_instance_of(ec2_id)?;
    let instance = &world.ecs.container_instances[i];
    if instance.status == super::InstanceStatus::Inactive || instance.cpu_units_registered == 0 {
        return None;
    }
    let used: f64 = (instance.tasks.iter())
        .filter(|&&t| world.ecs.tasks.get(t).is_some_and(|task| task.is_running()))
        .map(|&t| crate::sim::read::task_usage(world, t).0)
        .sum();
    Some(used * 100.0 / f64::from(instance.cpu_units_registered))
}
