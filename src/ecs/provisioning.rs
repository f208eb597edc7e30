//! Tasks waiting for capacity (aws-facts 7.3): a task of an Auto Scaling group capacity
//! provider that finds no room on its provider's instances is not refused. It stays
//! PROVISIONING, with no container instance, until its group has an instance it fits on
//! ("If the Auto Scaling group is unable to scale out to accommodate the number of tasks run,
//! the tasks will fail to transition beyond the PROVISIONING state", DG
//! `asg-capacity-providers`). Those tasks are what CapacityProviderReservation counts as
//! needing instances, so managed scaling grows the group for them.

use super::placement::{self, Strategy};
use super::task::{Launch, AGENT_PICKUP_MS, ENI_ATTACH_MS};
use super::task_definition::TaskDefinition;
use super::{InstanceIdx, LaunchType, TaskIdx, TaskStatus, Timer};
use crate::world::World;

/// Tasks one cluster keeps PROVISIONING at most: ECS's quota "Tasks in the PROVISIONING state
/// per cluster" (500, from the ECS service quotas page as remembered, not re-checked: a
/// named constant). A task beyond it is a placement failure, as without a capacity provider.
pub const PROVISIONING_TASKS_PER_CLUSTER_MAX: usize = 500;

/// How a waiting task is to be placed once there is room: the request's constraints and
/// strategies, kept with it (a service's may change while it waits; it keeps what it was
/// launched with, as a started task keeps its definition).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitPlacement {
    pub member_of: Vec<String>,
    pub distinct_instance: bool,
    pub strategies: Vec<Strategy>,
    /// The default strategies when `strategies` is empty: a service's or RunTask's.
    pub for_service: bool,
}

/// A task waiting for capacity and how it is to be placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub task: TaskIdx,
    pub placement: WaitPlacement,
}

impl World {
    /// How many more tasks `cluster` may keep waiting for capacity.
    pub(crate) fn waiting_room(&self, cluster: &str) -> usize {
        let waiting = self.ecs.clusters[cluster]
            .waiting
            .iter()
            .filter(|w| self.is_waiting(w.task))
            .count();
        PROVISIONING_TASKS_PER_CLUSTER_MAX.saturating_sub(waiting)
    }

    /// A task with no instance yet that is not on Fargate: waiting for capacity, unless stopped.
    pub(crate) fn is_waiting(&self, task: TaskIdx) -> bool {
        let t = &self.ecs.tasks[task];
        t.launch_type == LaunchType::Ec2 && t.container_instance.is_none() && !t.is_stopped()
    }

    /// Starts a task of `launch` (its capacity provider named, no instance) PROVISIONING, to
    /// wait for an instance of its provider's group.
    pub(crate) fn wait_for_capacity(
        &mut self,
        launch: Launch,
        placement: WaitPlacement,
    ) -> TaskIdx {
        debug_assert!(launch.instance.is_none() && launch.capacity_provider.is_some());
        let cluster = launch.cluster.clone();
        // The list keeps stopped and placed tasks until the next pass; at the quota they go
        // now, so it never holds more than the quota.
        if self.ecs.clusters[&cluster].waiting.len() >= PROVISIONING_TASKS_PER_CLUSTER_MAX {
            let mut list = std::mem::take(
                &mut self
                    .ecs
                    .clusters
                    .get_mut(&cluster)
                    .expect("cluster")
                    .waiting,
            );
            list.retain(|w| self.is_waiting(w.task));
            self.ecs
                .clusters
                .get_mut(&cluster)
                .expect("cluster")
                .waiting = list;
        }
        let task = self.start_task(launch);
        self.ecs
            .clusters
            .get_mut(&cluster)
            .expect("cluster")
            .waiting
            .push(Waiting { task, placement });
        task
    }

    /// Capacity may have changed in `cluster`: its waiting tasks look for room at once (after
    /// what is going on now).
    pub(crate) fn queue_place_waiting(&mut self, cluster: &str) {
        let Some(c) = self.ecs.clusters.get_mut(cluster) else {
            return;
        };
        if c.waiting.is_empty() || c.place_queued {
            return;
        }
        c.place_queued = true;
        self.schedule(0, Timer::PlaceWaiting(cluster.to_string()));
    }

    /// Places the cluster's waiting tasks that now fit on their providers' instances, oldest
    /// first; forgets those that stopped or were placed.
    pub(crate) fn place_waiting(&mut self, cluster: &str) {
        let Some(c) = self.ecs.clusters.get(cluster) else {
            return;
        };
        if c.waiting.is_empty() {
            return;
        }
        let waiting =
            std::mem::take(&mut self.ecs.clusters.get_mut(cluster).expect("cluster").waiting);
        let mut kept = Vec::with_capacity(waiting.len());
        // Tasks found no room in this pass, by provider, group and task definition: later ones
        // alike (a service's, placed with the same constraints) are not tried, as each try
        // builds a pool of the group's instances. They try again at the next change.
        let mut full: Vec<(String, String, String)> = Vec::new();
        for how in waiting {
            if !self.is_waiting(how.task) {
                continue;
            }
            let t = &self.ecs.tasks[how.task];
            let provider = t.capacity_provider.clone().unwrap_or_default();
            let key = (provider.clone(), t.group.clone(), t.task_definition.clone());
            if full.contains(&key) {
                kept.push(how);
                continue;
            }
            let definition = self
                .resolve_task_definition(&t.task_definition, "$")
                .expect("registered")
                .clone();
            let how_placed = &how.placement;
            let request = self.placement_request(
                &definition,
                &how_placed.member_of,
                how_placed.distinct_instance,
                t.group.clone(),
                &how_placed.strategies,
                if how_placed.for_service {
                    placement::service_default_strategies()
                } else {
                    placement::run_task_default_strategies()
                },
            );
            let candidates = self.provider_candidates(cluster, &provider);
            let decision = self.place_tasks(&candidates, request, 1, true).pop();
            match decision {
                Some((Ok(instance), trace)) => {
                    self.assign_waiting(how.task, instance, &definition);
                    self.keep_trace(how.task, trace);
                }
                _ => {
                    full.push(key);
                    kept.push(how);
                }
            }
        }
        // Tasks made waiting while this ran (none today) stay after the older ones.
        let cluster = self.ecs.clusters.get_mut(cluster).expect("cluster");
        kept.append(&mut cluster.waiting);
        cluster.waiting = kept;
    }

    /// A waiting task found `instance`: it takes the instance's resources and goes on as a
    /// task placed there would (its ENI attached first in awsvpc mode).
    fn assign_waiting(
        &mut self,
        task: TaskIdx,
        instance: InstanceIdx,
        definition: &TaskDefinition,
    ) {
        let mut containers = std::mem::take(&mut self.ecs.tasks[task].containers);
        self.reserve(instance, definition, &mut containers);
        let zone = self.ecs.container_instances[instance]
            .availability_zone
            .clone();
        let t = &mut self.ecs.tasks[task];
        t.containers = containers;
        t.container_instance = Some(instance);
        t.availability_zone = zone.clone();
        t.version += 1;
        let generation = t.generation;
        let launch = Launch {
            cluster: t.cluster.clone(),
            definition: t.task_definition.clone(),
            launch_type: t.launch_type,
            instance: Some(instance),
            availability_zone: zone,
            group: t.group.clone(),
            started_by: t.started_by.clone(),
            service: t.service,
            capacity_provider: t.capacity_provider.clone(),
        };
        let i = &mut self.ecs.container_instances[instance];
        i.tasks.push(task);
        i.version += 1;
        let delay = if self.ecs.tasks[task].uses_eni {
            let eni = self.new_eni(&launch);
            self.ecs.eni_addresses.insert(eni.private_ipv4, task);
            self.ecs.tasks[task].eni = Some(eni);
            self.emit_task_event(task);
            ENI_ATTACH_MS
        } else {
            self.set_status(task, TaskStatus::Pending);
            AGENT_PICKUP_MS
        };
        self.schedule(delay, Timer::TaskAdvance { task, generation });
        if let Some(service) = launch.service {
            self.record_start(service, task);
        }
    }
}
