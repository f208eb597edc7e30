//! What other services may read of ECS: who answers on a port of an instance, as a view,
//! never ECS's state. The load balancers ask it when they check a target.

use super::TaskStatus;
use crate::engine::time::SimTime;
use crate::world::World;

/// A container that listens on a host port: its task's status and when it reached RUNNING,
/// and its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening<'a> {
    pub task_id: &'a str,
    pub running: bool,
    pub started_at: Option<SimTime>,
    pub image: &'a str,
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
        if task.last_status == TaskStatus::Stopped {
            return None;
        }
        let container = (task.containers.iter()).find(|c| {
            c.bindings
                .iter()
                .any(|&(_, host, udp)| host == port && !udp)
        })?;
        Some(Listening {
            task_id: &task.id,
            running: task.last_status == TaskStatus::Running,
            started_at: task.started_at,
            image: &container.image,
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
    let container = (spec.containers.iter()).find(|c| {
        c.port_mappings
            .iter()
            .any(|p| p.container_port == port && !p.udp)
    })?;
    Some((
        Listening {
            task_id: &task.id,
            running: task.last_status == TaskStatus::Running,
            started_at: task.started_at,
            image: &container.image,
        },
        eni.security_groups.as_slice(),
        task.availability_zone.as_str(),
    ))
}
