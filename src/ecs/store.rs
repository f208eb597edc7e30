//! The tasks the model remembers, by index. ECS shows a stopped task for an hour
//! ([`STOPPED_TASK_RETENTION_MS`]); after that the model forgets it (its events stay in the log),
//! and its slot takes the next task, so a long run with churn holds as many tasks as one hour
//! stops, not every task ever started.
//!
//! A [`TaskIdx`] names a slot. A forgotten task's slot is reused, so an index kept past the
//! task's life could name another task: every holder of indices (clusters, instances,
//! services, placement traces) drops the forgotten ones in [`super::EcsState::forget`], and
//! timers carry the task's `generation`, which a reused slot continues from, so a stale timer
//! finds a newer generation and does nothing. `serial` orders tasks by when they started.

use std::collections::VecDeque;

use super::{Task, TaskIdx};
use crate::engine::time::{SimTime, MS_PER_HOUR, MS_PER_MINUTE};

/// How long a stopped task stays visible to DescribeTasks and ListTasks: "at least one hour"
/// (aws-facts 4.2, DG `stopped-task-errors`); the model keeps it exactly that long, then
/// forgets it at the next sweep.
pub const STOPPED_TASK_RETENTION_MS: SimTime = MS_PER_HOUR;
/// How often the world looks for stopped tasks past their retention. A task is forgotten
/// between one hour and one hour and this long after it stopped.
pub const FORGET_SWEEP_MS: SimTime = MS_PER_MINUTE;

#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Task(Box<Task>),
    /// A forgotten task's slot: the generation its next task starts from.
    Vacant {
        next_generation: u32,
    },
}

#[derive(Debug, Default)]
pub struct TaskStore {
    slots: Vec<Slot>,
    /// Vacant slots, reused first-in first-out.
    free: VecDeque<TaskIdx>,
    live: usize,
    next_serial: u64,
    /// Stopped tasks in the order they stopped, with their serial (a slot reused since names
    /// another task), for the sweep.
    stopped: VecDeque<(SimTime, TaskIdx, u64)>,
}

impl TaskStore {
    /// The index the next [`TaskStore::insert`] will use.
    pub fn next_index(&self) -> TaskIdx {
        self.free.front().copied().unwrap_or(self.slots.len())
    }

    /// Keeps `task` at [`TaskStore::next_index`], with its serial and the slot's generation.
    pub fn insert(&mut self, mut task: Task) -> TaskIdx {
        task.serial = self.next_serial;
        self.next_serial += 1;
        self.live += 1;
        match self.free.pop_front() {
            Some(index) => {
                let Slot::Vacant { next_generation } = self.slots[index] else {
                    unreachable!("a free slot is vacant");
                };
                task.generation = next_generation;
                self.slots[index] = Slot::Task(Box::new(task));
                index
            }
            None => {
                self.slots.push(Slot::Task(Box::new(task)));
                self.slots.len() - 1
            }
        }
    }

    pub fn get(&self, index: TaskIdx) -> Option<&Task> {
        match self.slots.get(index) {
            Some(Slot::Task(task)) => Some(task),
            _ => None,
        }
    }

    /// Tasks started since the world began, forgotten ones included.
    pub fn started(&self) -> u64 {
        self.next_serial
    }

    /// Tasks remembered now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Slots, remembered tasks and vacant ones: every index is below this.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The indices of the tasks remembered, by slot.
    pub fn indices(&self) -> impl Iterator<Item = TaskIdx> + '_ {
        (0..self.slots.len()).filter(|&i| matches!(self.slots[i], Slot::Task(_)))
    }

    /// The indices of the tasks remembered, in the order they started.
    pub fn indices_by_start(&self) -> Vec<TaskIdx> {
        let mut indices: Vec<TaskIdx> = self.indices().collect();
        indices.sort_by_key(|&i| self[i].serial);
        indices
    }

    pub fn iter(&self) -> impl Iterator<Item = &Task> + '_ {
        self.indexed().map(|(_, task)| task)
    }

    pub fn indexed(&self) -> impl Iterator<Item = (TaskIdx, &Task)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| match slot {
                Slot::Task(task) => Some((i, &**task)),
                Slot::Vacant { .. } => None,
            })
    }

    /// Notes that the task at `index` stopped now, so the sweep forgets it in time.
    pub fn stopped(&mut self, index: TaskIdx, now: SimTime) {
        let serial = self[index].serial;
        self.stopped.push_back((now, index, serial));
    }

    /// Removes the tasks stopped more than [`STOPPED_TASK_RETENTION_MS`] before `now` and
    /// returns their indices, in the order they stopped.
    pub fn remove_expired(&mut self, now: SimTime) -> Vec<TaskIdx> {
        let mut removed = Vec::new();
        while let Some(&(stopped_at, index, serial)) = self.stopped.front() {
            if stopped_at + STOPPED_TASK_RETENTION_MS > now {
                break;
            }
            self.stopped.pop_front();
            let Some(task) = self.get(index) else {
                continue;
            };
            if task.serial != serial || !task.is_stopped() {
                continue;
            }
            let next_generation = task.generation.wrapping_add(1);
            self.slots[index] = Slot::Vacant { next_generation };
            self.free.push_back(index);
            self.live -= 1;
            removed.push(index);
        }
        removed
    }

    /// When the oldest stopped task is due to be forgotten.
    pub fn next_expiry(&self) -> Option<SimTime> {
        (self.stopped.front()).map(|&(at, _, _)| at + STOPPED_TASK_RETENTION_MS)
    }
}

impl std::ops::Index<TaskIdx> for TaskStore {
    type Output = Task;

    fn index(&self, index: TaskIdx) -> &Task {
        match &self.slots[index] {
            Slot::Task(task) => task,
            Slot::Vacant { .. } => panic!("task slot {index} was forgotten"),
        }
    }
}

impl std::ops::IndexMut<TaskIdx> for TaskStore {
    fn index_mut(&mut self, index: TaskIdx) -> &mut Task {
        match &mut self.slots[index] {
            Slot::Task(task) => task,
            Slot::Vacant { .. } => panic!("task slot {index} was forgotten"),
        }
    }
}
