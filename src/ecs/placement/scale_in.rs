//! Which tasks stop when a service scales in (aws-facts 2.2), one at a time, each choice seeing
//! the ones before:
//!
//! - tasks that are not yet RUNNING go before running ones (stopping those loses no work);
//! - then each strategy of the chain, keeping the tasks it would stop first: `binpack` the task
//!   whose instance has the most of the resource available after it stops; `spread` a task on
//!   the value (zone, instance, ...) with the most of the service's tasks, so the rest stay
//!   balanced; `random` any;
//! - among the tasks still tied, one at random ("within an Availability Zone, tasks are
//!   selected at random").

use rand_chacha::ChaCha8Rng;

use super::{pick, Resource, Strategy};
use std::collections::BTreeMap;

use crate::ecs::{EcsState, InstanceIdx, TaskIdx};

/// Chooses `count` of `live` to stop, in the order they are chosen.
pub fn choose_to_stop(
    ecs: &EcsState,
    live: &[TaskIdx],
    count: usize,
    strategies: &[Strategy],
    rng: &mut ChaCha8Rng,
) -> Vec<TaskIdx> {
    let mut remaining: Vec<TaskIdx> = live.to_vec();
    remaining.sort_unstable();
    let mut chosen = Vec::new();
    // Resources already freed on each instance by the tasks chosen so far.
    let mut freed: BTreeMap<InstanceIdx, (u32, u32)> = BTreeMap::new();
    while chosen.len() < count && !remaining.is_empty() {
        let not_running: Vec<TaskIdx> = remaining
            .iter()
            .copied()
            .filter(|&t| !ecs.tasks[t].is_running())
            .collect();
        let mut set = if not_running.is_empty() {
            remaining.clone()
        } else {
            not_running
        };
        for strategy in strategies {
            if *strategy == Strategy::Random {
                break;
            }
            // Remaining tasks per spread value, counted once for this choice.
            let mut per_value: BTreeMap<Option<String>, u64> = BTreeMap::new();
            if matches!(
                strategy,
                Strategy::SpreadInstance | Strategy::SpreadAttribute(_)
            ) {
                for &t in &remaining {
                    *per_value.entry(spread_value(ecs, strategy, t)).or_insert(0) += 1;
                }
            }
            let key = |t: TaskIdx| -> u64 {
                match strategy {
                    Strategy::Binpack(resource) => binpack_score(ecs, &freed, *resource, t),
                    _ => match spread_value(ecs, strategy, t) {
                        None => 0,
                        value => per_value[&value],
                    },
                }
            };
            let best = set.iter().map(|&t| key(t)).max().expect("not empty");
            set.retain(|&t| key(t) == best);
        }
        let task = set[pick(rng, set.len())];
        remaining.retain(|&t| t != task);
        if let Some(i) = ecs.tasks[task].container_instance {
            let entry = freed.entry(i).or_insert((0, 0));
            entry.0 += ecs.tasks[task].cpu_units;
            entry.1 += ecs.tasks[task].memory_mib;
        }
        chosen.push(task);
    }
    chosen
}

/// The value of the field a spread balances, for a task; Fargate tasks have a zone only.
fn spread_value(ecs: &EcsState, strategy: &Strategy, task: TaskIdx) -> Option<String> {
    let t = &ecs.tasks[task];
    match strategy {
        Strategy::SpreadInstance => t.container_instance.map(|i| i.to_string()),
        Strategy::SpreadAttribute(name) => match t.container_instance {
            Some(i) => ecs.container_instances[i]
                .attributes
                .get(name)
                .cloned()
                .flatten(),
            None if name == "ecs.availability-zone" => Some(t.availability_zone.clone()),
            None => None,
        },
        _ => None,
    }
}

/// binpack's preference: the resource the task's instance has left once it and the tasks
/// already chosen there have stopped.
fn binpack_score(
    ecs: &EcsState,
    freed: &BTreeMap<InstanceIdx, (u32, u32)>,
    resource: Resource,
    task: TaskIdx,
) -> u64 {
    let t = &ecs.tasks[task];
    let Some(index) = t.container_instance else {
        return 0;
    };
    let i = &ecs.container_instances[index];
    let (cpu_freed, memory_freed) = freed.get(&index).copied().unwrap_or_default();
    u64::from(match resource {
        Resource::Cpu => i.cpu_units_registered - i.cpu_units_used + cpu_freed + t.cpu_units,
        Resource::Memory => {
            i.memory_mib_registered - i.memory_mib_used + memory_freed + t.memory_mib
        }
    })
}
