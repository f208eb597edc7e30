//! Invariants as code (style rule 9): checked after every request and every timer in debug
//! builds and in every scenario test. Derived counts are recomputed from the tasks, never
//! trusted.

use std::collections::BTreeSet;

use super::{InstanceStatus, LaunchType, ServiceStatus, TaskStatus};
use crate::world::World;

impl World {
    /// ECS's invariants, the first broken one in words (the root names the service).
    pub(crate) fn ecs_invariants(&self) -> Result<(), String> {
        self.check_instances()?;
        self.check_tasks()?;
        self.check_addresses()?;
        self.check_targets()?;
        self.check_services()
    }

    /// A service task is a live target (initial, healthy or unhealthy) of its load balancers
    /// only while it is RUNNING or DEACTIVATING: ECS registers it at RUNNING and deregisters it
    /// as it stops.
    fn check_targets(&self) -> Result<(), String> {
        use crate::elb::read::target_health;
        use crate::elb::read::TargetState;
        for service in self
            .ecs
            .services
            .iter()
            .filter(|s| !s.load_balancers.is_empty())
        {
            for &t in &service.tasks {
                let task = &self.ecs.tasks[t];
                if matches!(
                    task.last_status,
                    TaskStatus::Running | TaskStatus::Deactivating
                ) {
                    continue;
                }
                for (group, id, port) in self.task_targets(t) {
                    // A stopped task's host port (or address) may serve a newer task now.
                    let holder = match crate::elb::read::address(&id) {
                        Some(address) => super::read::listening_on_address(self, address, port)
                            .map(|(l, _, _)| l.task),
                        None => super::read::listening_on(self, &id, port).map(|l| l.task),
                    };
                    if holder.is_some_and(|h| h != t) {
                        continue;
                    }
                    let state = target_health(self, &group, &id, port).map(|(s, _)| s);
                    let live = matches!(
                        state,
                        Some(TargetState::Initial | TargetState::Healthy | TargetState::Unhealthy)
                    );
                    if live {
                        return Err(format!(
                            "task {} is {} but still a live target {id}:{port} of {group}",
                            task.id,
                            task.last_status.as_str()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every private address held names a task that has it and has not stopped.
    fn check_addresses(&self) -> Result<(), String> {
        for (&address, &t) in &self.ecs.eni_addresses {
            let task = &self.ecs.tasks[t];
            let holds = task.eni.as_ref().is_some_and(|e| e.private_ipv4 == address);
            if !holds || task.last_status == TaskStatus::Stopped {
                return Err(format!(
                    "address {address:#x} is held for task {}, which does not hold it or has stopped",
                    task.id
                ));
            }
        }
        Ok(())
    }

    /// No instance is over-committed, and its books match the tasks placed on it.
    fn check_instances(&self) -> Result<(), String> {
        for (index, ci) in self.ecs.container_instances.iter().enumerate() {
            let live: Vec<_> = ci
                .tasks
                .iter()
                .map(|&t| &self.ecs.tasks[t])
                .filter(|t| !t.is_stopped())
                .collect();
            let cpu: u32 = live.iter().map(|t| t.cpu_units).sum();
            let memory: u32 = live.iter().map(|t| t.memory_mib).sum();
            let enis = live.iter().filter(|t| t.uses_eni).count() as u32;
            if (cpu, memory, enis) != (ci.cpu_units_used, ci.memory_mib_used, ci.enis_used) {
                return Err(format!(
                    "container instance {index}: books say cpu {} memory {} enis {}, tasks hold {cpu} {memory} {enis}",
                    ci.cpu_units_used, ci.memory_mib_used, ci.enis_used
                ));
            }
            if cpu > ci.cpu_units_registered
                || memory > ci.memory_mib_registered
                || enis > ci.enis_registered
            {
                return Err(format!("container instance {index} is over-committed: cpu {cpu}, memory {memory}, enis {enis}"));
            }
            let mut tcp = BTreeSet::new();
            let mut udp = BTreeSet::new();
            for t in live.iter().filter(|t| !t.uses_eni) {
                for &(_, host, is_udp) in t.containers.iter().flat_map(|c| c.bindings.iter()) {
                    if !(if is_udp {
                        udp.insert(host)
                    } else {
                        tcp.insert(host)
                    }) {
                        return Err(format!(
                            "container instance {index}: host port {host} bound twice"
                        ));
                    }
                }
            }
            let expected_tcp: BTreeSet<u16> = crate::ecs::cluster::RESERVED_TCP_PORTS
                .into_iter()
                .chain(tcp)
                .collect();
            if expected_tcp != ci.tcp_ports || udp != ci.udp_ports {
                return Err(format!(
                    "container instance {index}: port books do not match the tasks' bindings"
                ));
            }
            if ci.status == InstanceStatus::Inactive && !live.is_empty() {
                return Err(format!(
                    "container instance {index} is INACTIVE with {} live tasks",
                    live.len()
                ));
            }
        }
        Ok(())
    }

    /// Every task's status fits its history.
    fn check_tasks(&self) -> Result<(), String> {
        for (index, t) in self.ecs.tasks.indexed() {
            if t.is_stopped() != t.stopped_at.is_some() {
                return Err(format!(
                    "task {index}: STOPPED exactly when stoppedAt is set"
                ));
            }
            if t.last_status > TaskStatus::Running && t.desired_status != TaskStatus::Stopped {
                return Err(format!(
                    "task {index} is {} but desired {}",
                    t.last_status.as_str(),
                    t.desired_status.as_str()
                ));
            }
            if t.started_at.is_some() != t.reached_running {
                return Err(format!(
                    "task {index}: startedAt set exactly when it reached RUNNING"
                ));
            }
            if t.desired_status == TaskStatus::Stopped
                && (t.stop_code.is_none() || t.stopped_reason.is_none())
            {
                return Err(format!(
                    "task {index} is stopping without a stopCode and stoppedReason"
                ));
            }
            // A task's capacity provider is one its cluster has, while the task lives.
            if let Some(provider) = t.capacity_provider.as_ref().filter(|_| !t.is_stopped()) {
                if !self.ecs.clusters[&t.cluster]
                    .capacity_providers
                    .contains(provider)
                {
                    return Err(format!(
                        "task {index} runs on {provider}, which its cluster {} does not have",
                        t.cluster
                    ));
                }
            }
            // An EC2 task without an instance is waiting for its provider's: PROVISIONING,
            // named by a provider, listed as waiting in its cluster, with no ENI yet.
            if t.launch_type == LaunchType::Ec2 && t.container_instance.is_none() && !t.is_stopped()
            {
                let listed =
                    (self.ecs.clusters[&t.cluster].waiting.iter()).any(|w| w.task == index);
                if t.last_status != TaskStatus::Provisioning
                    || t.capacity_provider.is_none()
                    || t.eni.is_some()
                    || !listed
                {
                    return Err(format!(
                        "task {index} has no instance but is not a PROVISIONING task waiting for its capacity provider"
                    ));
                }
            }
        }
        for (name, c) in &self.ecs.clusters {
            if c.waiting.len() > crate::ecs::provisioning::PROVISIONING_TASKS_PER_CLUSTER_MAX {
                return Err(format!(
                    "cluster {name} lists {} waiting tasks",
                    c.waiting.len()
                ));
            }
        }
        Ok(())
    }

    /// Service counts add up, and a service never holds more live tasks than it may.
    fn check_services(&self) -> Result<(), String> {
        for (index, s) in self.ecs.services.iter().enumerate() {
            let live = s
                .tasks
                .iter()
                .filter(|&&t| self.ecs.tasks[t].desired_status == TaskStatus::Running)
                .count();
            // Scale-in happens in the reconcile after a change, so a service may hold more than
            // desired for a moment; it never holds more than the per-service quota, and an
            // INACTIVE service holds none.
            if live > crate::ecs::service::TASKS_PER_SERVICE_MAX as usize
                || (s.status == ServiceStatus::Inactive && live > 0)
            {
                return Err(format!(
                    "service {index} ({}) holds {live} live tasks",
                    s.status.as_str()
                ));
            }
            for &t in &s.tasks {
                if self.ecs.tasks[t].service != Some(index) {
                    return Err(format!(
                        "service {index} lists task {t}, which belongs elsewhere"
                    ));
                }
            }
        }
        Ok(())
    }
}
