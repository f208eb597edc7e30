//! The event queue: timers ordered by `(time, seq)`, where `seq` is the order they were
//! scheduled in, so timers due at the same millisecond fire first-in first-out, on every
//! platform and every run.
//!
//! It is a radix heap: the engine never schedules a timer before the last one it took out (time
//! only moves forward), so timers can be kept in buckets by the highest bit in which their time
//! differs from that last time. Bucket 0 holds the timers due exactly then; taking one out when
//! it is empty finds the earliest time in the first non-empty bucket and moves that bucket's
//! timers down, each by at least one bit, so a timer moves at most 64 times and in practice a
//! few. That is several times faster than a binary heap's log n comparisons at the sizes a
//! large cluster keeps pending (design.md section 7: at least 10 M events/s in the browser).
//!
//! Why FIFO holds without storing `seq`: every bucket keeps its timers in the order they were
//! scheduled. New timers are appended, and a bucket is only spread out into lower buckets that
//! are all empty, in its own order. Timers with the same time are always in the same bucket.

use std::collections::VecDeque;

use super::time::SimTime;

/// A bound on pending timers, so a runaway scenario fails loudly instead of eating the tab's
/// memory. Far above what the largest cluster needs (a few timers per task).
pub const QUEUE_TIMERS_MAX: usize = 4_000_000;

/// One bucket per bit of `SimTime`, plus bucket 0 for the timers due at `last`.
const BUCKETS: usize = SimTime::BITS as usize + 1;

pub struct EventQueue<E> {
    /// Timers due at `last`, oldest first.
    due: VecDeque<(SimTime, E)>,
    /// `spread[b - 1]`: timers whose time differs from `last` first at bit `b - 1`, in the
    /// order they were scheduled.
    spread: Vec<Vec<(SimTime, E)>>,
    /// The time of the last timer taken out (0 before any): no timer is ever earlier.
    last: SimTime,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self {
            due: VecDeque::new(),
            spread: (1..BUCKETS).map(|_| Vec::new()).collect(),
            last: 0,
            len: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `time`. Panics past [`QUEUE_TIMERS_MAX`], or for a time before the
    /// last timer taken out: both are model bugs.
    pub fn push(&mut self, time: SimTime, event: E) {
        assert!(
            self.len < QUEUE_TIMERS_MAX,
            "event queue over {QUEUE_TIMERS_MAX} timers"
        );
        assert!(
            time >= self.last,
            "timer at {time} ms scheduled before the last one fired ({} ms)",
            self.last
        );
        self.len += 1;
        match self.bucket(time) {
            0 => self.due.push_back((time, event)),
            b => self.spread[b - 1].push((time, event)),
        }
    }

    /// 0 for `last` itself, else one more than the highest bit where `time` and `last` differ.
    fn bucket(&self, time: SimTime) -> usize {
        (SimTime::BITS - (time ^ self.last).leading_zeros()) as usize
    }

    /// The earliest timer if it is due at or before `until`.
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        if self.due.is_empty() {
            let b = self.spread.iter().position(|bucket| !bucket.is_empty())?;
            let earliest = self.spread[b].iter().map(|&(t, _)| t).min()?;
            // Only a timer actually taken out moves `last` on: one that is not due yet must
            // leave room for timers scheduled before it.
            if earliest > until {
                return None;
            }
            self.last = earliest;
            let mut moving = std::mem::take(&mut self.spread[b]);
            for (time, event) in moving.drain(..) {
                match self.bucket(time) {
                    0 => self.due.push_back((time, event)),
                    lower => self.spread[lower - 1].push((time, event)),
                }
            }
            // The emptied bucket keeps its allocation for the timers to come.
            self.spread[b] = moving;
        }
        if self.last > until {
            return None;
        }
        let popped = self.due.pop_front()?;
        self.len -= 1;
        Some(popped)
    }

    pub fn next_time(&self) -> Option<SimTime> {
        if !self.due.is_empty() {
            return Some(self.last);
        }
        let bucket = self.spread.iter().find(|bucket| !bucket.is_empty())?;
        bucket.iter().map(|&(t, _)| t).min()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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

    /// The order a binary heap of `(time, seq)` gives: the queue's specification.
    struct Reference(
        std::collections::BinaryHeap<std::cmp::Reverse<(SimTime, u64, u32)>>,
        u64,
    );

    impl Reference {
        fn push(&mut self, time: SimTime, event: u32) {
            self.0.push(std::cmp::Reverse((time, self.1, event)));
            self.1 += 1;
        }

        fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, u32)> {
            match self.0.peek() {
                Some(std::cmp::Reverse((t, _, _))) if *t <= until => {
                    self.0.pop().map(|std::cmp::Reverse((t, _, e))| (t, e))
                }
                _ => None,
            }
        }
    }

    #[test]
    fn it_takes_timers_out_in_the_order_of_a_heap_of_time_and_seq() {
        use rand::{Rng, SeedableRng};
        for seed in 0..200 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut queue = EventQueue::default();
            let mut reference = Reference(Default::default(), 0);
            let mut now: SimTime = 0;
            let mut event = 0;
            // Delays from 0 (ties) to far ahead, and advances short of, at and past the next
            // timer, as the engine makes them.
            let delay_max = [0, 3, 1_000, 1 << 40][seed as usize % 4];
            for _ in 0..400 {
                for _ in 0..rng.random_range(0..4) {
                    let time = now + rng.random_range(0..=delay_max);
                    queue.push(time, event);
                    reference.push(time, event);
                    event += 1;
                }
                assert_eq!(queue.next_time(), reference.0.peek().map(|r| r.0 .0));
                let until = now + rng.random_range(0..=delay_max.max(1));
                loop {
                    let got = queue.pop_due(until);
                    assert_eq!(got, reference.pop_due(until), "seed {seed}");
                    match got {
                        Some((t, _)) => now = t,
                        None => break,
                    }
                }
                now = now.max(until);
                assert_eq!(queue.len(), reference.0.len());
            }
        }
    }

    #[test]
    #[should_panic(expected = "scheduled before the last one fired")]
    fn a_timer_in_the_past_is_a_model_bug() {
        let mut queue = EventQueue::default();
        queue.push(10, ());
        queue.pop_due(10);
        queue.push(9, ());
    }
}
