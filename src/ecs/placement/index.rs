//! The indexed placement engine: the reference's choice at a few tree operations per task.
//!
//! A chain's strategies score an instance either by something of its own (binpack's free
//! resource, spread over instances' task count) or by something it shares with every instance
//! of the same attribute value (spread over an attribute: the group's tasks on that value). The
//! instances are split into cells, one per combination of spread-attribute values; within a
//! cell the shared scores are equal, so each cell keeps its fitting instances in a sorted set
//! keyed by their own scores in chain order, then registration order. The best instance is the
//! best of the cells' first entries. Placing a task changes only the chosen instance's own
//! scores and whether it still fits, and the counts of its cell's values.
//!
//! A chain that starts with `random` needs no order: it probes (see `RANDOM_PROBES`).

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha8Rng;

use super::{
    check_constraints, check_resources, closest_match, effective_chain, pick, random_first,
    PlacementFailure, Pool, Request, Resource, Strategy, PLACEMENT_STRATEGIES_MAX,
};

/// An instance's own scores in chain order (unused places 0), then its slot: the sort key.
type LocalKey = ([u32; PLACEMENT_STRATEGIES_MAX], u32);

/// What a place in the chain scores by.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A spread over an attribute: the n-th of the chain's bucket strategies.
    Bucket(usize),
    /// An instance's own score.
    Own(Own),
}

#[derive(Debug, Clone, Copy)]
enum Own {
    GroupTasks,
    Free(Resource),
}

struct Cell {
    /// Value id per bucket strategy.
    values: Vec<u32>,
    members: BTreeSet<LocalKey>,
}

/// Places tasks of one request, one after another, over a pool it keeps up to date.
pub struct Placer<'a> {
    pool: Pool<'a>,
    request: Request,
    /// The chain up to a random, without the random; and whether a random ends it.
    parts: Vec<Part>,
    random_at: Option<usize>,
    /// Per slot: whether the constraints that cannot change (static memberOf) hold.
    static_ok: Vec<bool>,
    fits: Vec<bool>,
    /// Per bucket strategy: each slot's value id, and the group's tasks per value id.
    values: Vec<Vec<u32>>,
    counts: Vec<Vec<u32>>,
    cells: Vec<Cell>,
    cell_of: Vec<u32>,
    keys: Vec<LocalKey>,
}

/// The parts of a slot's key, in chain order, up to the first `random`; and the attribute
/// names whose values make the buckets, in the order their parts name them.
fn key_parts(chain: &[Strategy]) -> (Vec<Part>, Vec<String>) {
    let mut parts = Vec::new();
    let mut bucket_names = Vec::new();
    for strategy in chain {
        parts.push(match strategy {
            Strategy::Random => break,
            Strategy::SpreadAttribute(name) => {
                bucket_names.push(name.clone());
                Part::Bucket(bucket_names.len() - 1)
            }
            Strategy::SpreadInstance => Part::Own(Own::GroupTasks),
            Strategy::Binpack(resource) => Part::Own(Own::Free(*resource)),
        });
    }
    (parts, bucket_names)
}

/// For each bucket attribute: each slot's value id (ids in order of first appearance), and the
/// group's tasks per value.
fn bucket_values(pool: &Pool<'_>, names: &[String], group: &str) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut values = Vec::new();
    let mut counts = Vec::new();
    for name in names {
        let mut ids: BTreeMap<Option<&str>, u32> = BTreeMap::new();
        let per_slot: Vec<u32> = pool
            .slots
            .iter()
            .map(|slot| {
                let next = ids.len() as u32;
                *ids.entry(slot.attribute_value(name)).or_insert(next)
            })
            .collect();
        let mut per_value = vec![0u32; ids.len()];
        for (s, slot) in pool.slots.iter().enumerate() {
            per_value[per_slot[s] as usize] += slot.group_count(group);
        }
        values.push(per_slot);
        counts.push(per_value);
    }
    (values, counts)
}

impl<'a> Placer<'a> {
    pub fn new(pool: Pool<'a>, request: Request) -> Placer<'a> {
        let chain = effective_chain(&request.strategies).to_vec();
        let random_at = chain.iter().position(|s| *s == Strategy::Random);
        let (parts, bucket_names) = key_parts(&chain);
        let n = pool.slots.len();
        let static_ok = pool
            .slots
            .iter()
            .map(|slot| {
                request
                    .member_of
                    .iter()
                    .all(|m| m.parsed.is_dynamic() || m.parsed.eval(slot))
            })
            .collect();
        let (values, counts) = bucket_values(&pool, &bucket_names, &request.group);
        let mut cell_ids: BTreeMap<Vec<u32>, u32> = BTreeMap::new();
        let mut cells = Vec::new();
        let cell_of = (0..n)
            .map(|s| {
                let key: Vec<u32> = values.iter().map(|v| v[s]).collect();
                *cell_ids.entry(key.clone()).or_insert_with(|| {
                    cells.push(Cell {
                        values: key,
                        members: BTreeSet::new(),
                    });
                    cells.len() as u32 - 1
                })
            })
            .collect();
        let mut placer = Placer {
            pool,
            request,
            parts,
            random_at,
            static_ok,
            fits: vec![false; n],
            values,
            counts,
            cells,
            cell_of,
            keys: vec![([0; PLACEMENT_STRATEGIES_MAX], 0); n],
        };
        for s in 0..n {
            placer.refresh(s);
        }
        placer
    }

    pub fn pool(&self) -> &Pool<'a> {
        &self.pool
    }

    pub fn request(&self) -> &Request {
        &self.request
    }

    fn check(&self, s: usize) -> bool {
        let slot = &self.pool.slots[s];
        self.static_ok[s]
            && check_resources(slot, &self.request).is_ok()
            && check_constraints(slot, &self.request, true).is_ok()
    }

    fn own_key(&self, s: usize) -> LocalKey {
        let slot = &self.pool.slots[s];
        let mut key = [0; PLACEMENT_STRATEGIES_MAX];
        for (place, part) in self.parts.iter().enumerate() {
            key[place] = match part {
                Part::Bucket(_) => 0,
                Part::Own(Own::GroupTasks) => slot.group_count(&self.request.group),
                Part::Own(Own::Free(Resource::Cpu)) => slot.cpu_free,
                Part::Own(Own::Free(Resource::Memory)) => slot.memory_free,
            };
        }
        (key, s as u32)
    }

    /// Re-reads slot `s` after a change: whether it fits, and its place in its cell.
    fn refresh(&mut self, s: usize) {
        let fits = self.check(s);
        let random_only = self.random_at == Some(0);
        if !random_only {
            let cell = self.cell_of[s] as usize;
            if self.fits[s] {
                self.cells[cell].members.remove(&self.keys[s]);
            }
            if fits {
                self.keys[s] = self.own_key(s);
                self.cells[cell].members.insert(self.keys[s]);
            }
        }
        self.fits[s] = fits;
    }

    /// The full chain key of a cell member: shared scores from the cell, own from the member.
    fn full_key(&self, cell: &Cell, own: &LocalKey) -> [u32; PLACEMENT_STRATEGIES_MAX] {
        let mut key = own.0;
        for (place, part) in self.parts.iter().enumerate() {
            if let Part::Bucket(b) = part {
                key[place] = self.counts[*b][cell.values[*b] as usize];
            }
        }
        key
    }

    /// Slot `s`'s score under each strategy of the chain before any `random`, in chain order
    /// (lower wins), as the index ranks it now: what a why-trace shows for a fitting instance.
    pub fn scores(&self, s: usize) -> [u32; PLACEMENT_STRATEGIES_MAX] {
        let cell = &self.cells[self.cell_of[s] as usize];
        self.full_key(cell, &self.own_key(s))
    }

    /// Chooses a slot for the next task; does not place it (see [`Placer::commit`]).
    pub fn choose(&self, rng: &mut ChaCha8Rng) -> Result<usize, PlacementFailure> {
        if self.random_at == Some(0) {
            return random_first(self.fits.len(), |s| self.fits[s], rng)
                .ok_or_else(|| closest_match(&self.pool, &self.request));
        }
        let mut best: Option<([u32; PLACEMENT_STRATEGIES_MAX], u32)> = None;
        for cell in &self.cells {
            if let Some(first) = cell.members.first() {
                let candidate = (self.full_key(cell, first), first.1);
                if best.is_none_or(|b| candidate < b) {
                    best = Some(candidate);
                }
            }
        }
        let Some((best_key, best_slot)) = best else {
            return Err(closest_match(&self.pool, &self.request));
        };
        if self.random_at.is_none() {
            return Ok(best_slot as usize);
        }
        // A random after other strategies: draw among every instance tied on the chain so far.
        let mut tied: Vec<usize> = Vec::new();
        for cell in &self.cells {
            for member in &cell.members {
                if self.full_key(cell, member) != best_key {
                    break;
                }
                tied.push(member.1 as usize);
            }
        }
        tied.sort_unstable();
        Ok(tied[pick(rng, tied.len())])
    }

    /// Places a task on slot `s`: updates the pool and the index.
    pub fn commit(&mut self, s: usize) {
        self.pool.add(s, &self.request);
        for b in 0..self.values.len() {
            let value = self.values[b][s] as usize;
            self.counts[b][value] += 1;
        }
        self.refresh(s);
    }

    pub fn into_pool(self) -> Pool<'a> {
        self.pool
    }
}
