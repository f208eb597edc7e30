//! The reference placement: ECS's process written as plainly as possible, a scan of every
//! instance per decision. The indexed engine must choose exactly as this does; the property
//! tests and debug builds hold it to that.

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;

use super::{
    check, closest_match, effective_chain, pick, random_first, score, PlacementFailure, Pool,
    Request, Strategy,
};

/// Chooses a slot of `pool` for a task of `request`.
pub fn place(
    pool: &Pool,
    request: &Request,
    rng: &mut ChaCha8Rng,
) -> Result<usize, PlacementFailure> {
    let fits: Vec<bool> = pool
        .slots
        .iter()
        .map(|s| check(s, request).is_ok())
        .collect();
    let chain = effective_chain(&request.strategies);
    if chain.first() == Some(&Strategy::Random) {
        return random_first(pool.slots.len(), |s| fits[s], rng)
            .ok_or_else(|| closest_match(pool, request));
    }
    let mut set: Vec<usize> = (0..pool.slots.len()).filter(|&s| fits[s]).collect();
    if set.is_empty() {
        return Err(closest_match(pool, request));
    }
    let counts = spread_counts(pool, request);
    for (position, strategy) in chain.iter().enumerate() {
        if *strategy == Strategy::Random {
            return Ok(set[pick(rng, set.len())]);
        }
        let key = |s: usize| {
            score(strategy, &pool.slots[s], &request.group, |value| {
                counts[position].get(&value).copied().unwrap_or(0)
            })
        };
        let best = set.iter().map(|&s| key(s)).min().expect("not empty");
        set.retain(|&s| key(s) == best);
    }
    Ok(set[0])
}

/// Per strategy of the chain: for a spread over an attribute, the group's live tasks per value
/// of the attribute over every instance of the pool (a task on a draining instance still
/// counts for its zone); empty for the others.
pub(crate) fn spread_counts<'p>(
    pool: &'p Pool,
    request: &Request,
) -> Vec<BTreeMap<Option<&'p str>, u32>> {
    request
        .strategies
        .iter()
        .map(|strategy| {
            let mut per_value = BTreeMap::new();
            if let Strategy::SpreadAttribute(name) = strategy {
                for slot in &pool.slots {
                    *per_value.entry(slot.attribute_value(name)).or_insert(0) +=
                        slot.group_count(&request.group);
                }
            }
            per_value
        })
        .collect()
}
