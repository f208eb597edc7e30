//! The event queue: timers ordered by `(time, seq)`. `seq` is a global insertion counter, so
//! timers due at the same millisecond fire in the order they were scheduled (FIFO), on every
//! platform and every run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A bound on pending timers, so a runaway scenario fails loudly instead of eating the tab's
/// memory. Far above what the largest cluster needs (a few timers per task).
pub const QUEUE_TIMERS_MAX: usize = 4_000_000;

pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    // Reversed: BinaryHeap is a max-heap and the earliest (time, seq) must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `time`. Panics past [`QUEUE_TIMERS_MAX`]: that is a model bug.
    pub fn push(&mut self, time: SimTime, event: E) {
        assert!(
            self.heap.len() < QUEUE_TIMERS_MAX,
            "event queue over {QUEUE_TIMERS_MAX} timers"
        );
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// The earliest timer if it is due at or before `until`.
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        if self.heap.peek()?.time > until {
            return None;
        }
        self.heap.pop().map(|e| (e.time, e.event))
    }

    pub fn next_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_and_equal_times_in_insertion_order() {
        let mut queue = EventQueue::default();
        queue.push(20, "c");
        queue.push(10, "a");
        queue.push(20, "d");
        queue.push(10, "b");
        queue.push(5, "first");
        assert_eq!(queue.next_time(), Some(5));
        assert_eq!(queue.pop_due(4), None, "nothing is due before 5");
        let order: Vec<_> = std::iter::from_fn(|| queue.pop_due(100))
            .map(|(_, e)| e)
            .collect();
        assert_eq!(order, ["first", "a", "b", "c", "d"]);
        assert!(queue.is_empty());
    }
}
