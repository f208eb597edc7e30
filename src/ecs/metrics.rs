//! ECS's metrics in `AWS/ECS`, once a minute (aws-facts 17.2.4): per service (`ClusterName`,
//! `ServiceName`) `CPUUtilization` and `MemoryUtilization`; per cluster with registered
//! instances (`ClusterName`) `CPUReservation`, `MemoryReservation`, `CPUUtilization` and
//! `MemoryUtilization`. What a task uses comes from the playground's load (`sim::read`):
//! the CPU its requests cost, averaged over the minute, and the memory its image says.

use crate::cloudwatch::Datum;
use crate::world::World;

use super::{InstanceStatus, ServiceStatus};

const NAMESPACE: &str = "AWS/ECS";

/// The metrics of the minute that just ended.
pub fn minute_metrics(world: &World) -> Vec<Datum> {
    let ecs = &world.ecs;
    let mut out = Vec::new();
    // Without load every task uses nothing: no need to ask task by task.
    let load = crate::sim::read::any_load(world);
    let usage = |t| {
        if load {
            crate::sim::read::task_usage(world, t)
        } else {
            (0.0, 0.0)
        }
    };
    for service in ecs.services.iter() {
        if service.status != ServiceStatus::Active {
            continue;
        }
        let (mut tasks, mut cpu_size, mut memory_size, mut cpu_used, mut memory_used) =
            (0u32, 0f64, 0f64, 0f64, 0f64);
        for &t in &service.tasks {
            let Some(task) = ecs.tasks.get(t).filter(|task| task.is_running()) else {
                continue;
            };
            tasks += 1;
            cpu_size += f64::from(task.cpu_units);
            memory_size += f64::from(task.memory_mib);
            let (cpu, memory) = usage(t);
            cpu_used += cpu;
            memory_used += memory;
        }
        if tasks == 0 {
            continue;
        }
        // "(Total CPU units used by tasks in service) x 100 / (Total CPU units specified in
        // task definition) x (number of tasks in service)", and the same for memory.
        let dims = [
            ("ClusterName", service.cluster.as_str()),
            ("ServiceName", service.name.as_str()),
        ];
        if cpu_size > 0.0 {
            out.push(Datum::value(
                NAMESPACE,
                "CPUUtilization",
                &dims,
                "Percent",
                cpu_used * 100.0 / cpu_size,
            ));
        }
        if memory_size > 0.0 {
            out.push(Datum::value(
                NAMESPACE,
                "MemoryUtilization",
                &dims,
                "Percent",
                memory_used * 100.0 / memory_size,
            ));
        }
    }
    for cluster in ecs.clusters.values().filter(|c| c.active) {
        let (mut cpu_registered, mut memory_registered, mut cpu_reserved, mut memory_reserved) =
            (0f64, 0f64, 0f64, 0f64);
        let (mut cpu_used, mut memory_used) = (0f64, 0f64);
        for &i in &cluster.instances {
            let instance = &ecs.container_instances[i];
            if instance.status == InstanceStatus::Inactive {
                continue;
            }
            cpu_registered += f64::from(instance.cpu_units_registered);
            memory_registered += f64::from(instance.memory_mib_registered);
            cpu_reserved += f64::from(instance.cpu_units_used);
            memory_reserved += f64::from(instance.memory_mib_used);
            for &t in &instance.tasks {
                if load && ecs.tasks.get(t).is_some_and(|task| task.is_running()) {
                    let (cpu, memory) = usage(t);
                    cpu_used += cpu;
                    memory_used += memory;
                }
            }
        }
        if cpu_registered == 0.0 {
            continue;
        }
        let dims = [("ClusterName", cluster.name.as_str())];
        let percent = |part: f64, whole: f64| {
            if whole > 0.0 {
                part * 100.0 / whole
            } else {
                0.0
            }
        };
        out.push(Datum::value(
            NAMESPACE,
            "CPUReservation",
            &dims,
            "Percent",
            percent(cpu_reserved, cpu_registered),
        ));
        out.push(Datum::value(
            NAMESPACE,
            "MemoryReservation",
            &dims,
            "Percent",
            percent(memory_reserved, memory_registered),
        ));
        out.push(Datum::value(
            NAMESPACE,
            "CPUUtilization",
            &dims,
            "Percent",
            percent(cpu_used, cpu_registered),
        ));
        out.push(Datum::value(
            NAMESPACE,
            "MemoryUtilization",
            &dims,
            "Percent",
            percent(memory_used, memory_registered),
        ));
    }
    // CapacityProviderReservation of each provider with managed scaling at work.
    for (p, provider) in ecs.providers.iter().enumerate() {
        let (Some(managed), Some(value)) = (&provider.managed, world.reservation(p)) else {
            continue;
        };
        out.push(Datum::value(
            super::asg_providers::RESERVATION_NAMESPACE,
            "CapacityProviderReservation",
            &[
                ("CapacityProviderName", provider.name.as_str()),
                ("ClusterName", managed.cluster.as_str()),
            ],
            "Percent",
            value,
        ));
    }
    out
}
