//! What other services and the playground may read of CloudWatch Logs.

use crate::engine::time::SimTime;
use crate::world::World;

/// Whether the log group exists (in the world's Region: a group of another Region never does).
pub fn group_exists(world: &World, name: &str) -> bool {
    world.logs.groups.contains_key(name)
}

/// One line of a stream, for the log viewer.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub at: SimTime,
    pub stream: String,
    pub message: String,
}

/// The group names, in order.
pub fn groups(world: &World) -> Vec<String> {
    world.logs.groups.keys().cloned().collect()
}

/// The newest `max` lines of a group whose stream name contains `stream_part` (a task id, a
/// prefix) and whose message matches the term filter `pattern` (a pattern the filter cannot
/// take matches nothing), oldest first.
pub fn lines(
    world: &World,
    group: &str,
    stream_part: &str,
    pattern: &str,
    max: usize,
) -> Vec<Line> {
    let Some(g) = world.logs.groups.get(group) else {
        return Vec::new();
    };
    let Ok(terms) = super::parse_pattern(pattern) else {
        return Vec::new();
    };
    let mut out: Vec<Line> = (g.streams.iter())
        .filter(|(name, _)| name.contains(stream_part))
        .flat_map(|(name, s)| {
            (s.events.iter())
                .filter(|e| super::pattern_matches(&terms, &e.message))
                .map(move |e| Line {
                    at: e.at,
                    stream: name.clone(),
                    message: e.message.clone(),
                })
        })
        .collect();
    out.sort_by_key(|l| l.at);
    let skip = out.len().saturating_sub(max);
    out.split_off(skip)
}
