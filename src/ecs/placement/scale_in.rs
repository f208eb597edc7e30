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
use crate::ecs::{EcsState, TaskIdx};

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
            let key = |t: TaskIdx| score(ecs, &remaining, &chosen, strategy, t);
            let best = set.iter().map(|&t| key(t)).max().expect("not empty");
            set.retain(|&t| key(t) == best);
        }
        let task = set[pick(rng, set.len())];
        remaining.retain(|&t| t != task);
        chosen.push(task);
    }
    chosen
}

/// How much stopping `task` serves the strategy (higher goes first). `chosen` are the tasks
/// already chosen to stop: their resources count as free.
fn score(
    ecs: &EcsState,
    remaining: &[TaskIdx],
    chosen: &[TaskIdx],
    strategy: &Strategy,
    task: TaskIdx,
) -> u64 {
    let t = &ecs.tasks[task];
    let instance = t.container_instance.map(|i| &ecs.container_instances[i]);
    // The value of the field a spread balances, for this task; Fargate tasks have a zone only.
    let value = |other: TaskIdx| -> Option<String> {
        let o = &ecs.tasks[other];
        match strategy {
            Strategy::SpreadInstance => o.container_instance.map(|i| i.to_string()),
            Strategy::SpreadAttribute(name) => match o.container_instance {
                Some(i) => ecs.container_instances[i]
                    .attributes
                    .get(name)
                    .cloned()
                    .flatten(),
                None if name == "ecs.availability-zone" => Some(o.availability_zone.clone()),
                None => None,
            },
            _ => None,
        }
    };
    match strategy {
        Strategy::Random => 0,
        Strategy::Binpack(resource) => instance.map_or(0, |i| {
            let amount = |task: &crate::ecs::Task| match resource {
                Resource::Cpu => task.cpu_units,
                Resource::Memory => task.memory_mib,
            };
            let free = match resource {
                Resource::Cpu => i.cpu_units_registered - i.cpu_units_used,
                Resource::Memory => i.memory_mib_registered - i.memory_mib_used,
            };
            let freed: u32 = chosen
                .iter()
                .map(|&c| &ecs.tasks[c])
                .filter(|c| c.container_instance == t.container_instance)
                .map(amount)
                .sum();
            u64::from(free + freed + amount(t))
        }),
        Strategy::SpreadInstance | Strategy::SpreadAttribute(_) => {
            let mine = value(task);
            if mine.is_none() {
                return 0;
            }
            remaining.iter().filter(|&&o| value(o) == mine).count() as u64
        }
    }
}
