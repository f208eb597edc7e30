//! Running a scenario to a time: what `ecsplay run` and `ecsplay describe` do, and what the
//! determinism tests compare natively and in the browser.

use super::Scenario;
use crate::engine::time::{SimTime, MS_PER_MINUTE};
use crate::world::World;

/// Without `--until`, a run goes this far past the last step, so what the steps set in motion
/// (boots, deployments, steady state) plays out.
pub const RUN_PAST_LAST_STEP_MS: SimTime = 30 * MS_PER_MINUTE;

/// Where a run stops when no time is given.
pub fn default_until(scenario: &Scenario) -> SimTime {
    scenario.steps.iter().map(|s| s.at).max().unwrap_or(0) + RUN_PAST_LAST_STEP_MS
}

/// The world after running `scenario` to `until`.
pub fn run_until(scenario: &Scenario, until: SimTime) -> World {
    let mut world = World::from_scenario(scenario);
    while !world.advance_to(until) {}
    world
}

/// Timers fired between two hand-overs of the log in [`run_streaming`]: what they log is all
/// the run holds at once.
pub const STREAM_TIMERS_PER_SLICE: usize = 2_000;

/// Runs `scenario` to `until`, handing each log line to `sink` as the run goes (what `ecsplay
/// run` prints), so a run of any length holds only the records of one slice of timers.
pub fn run_streaming<E>(
    scenario: &Scenario,
    until: SimTime,
    mut sink: impl FnMut(String) -> Result<(), E>,
) -> Result<World, E> {
    let mut world = World::from_scenario(scenario);
    world.unbounded_log();
    loop {
        let done = world.advance_to_at_most(until, STREAM_TIMERS_PER_SLICE);
        for record in world.take_log() {
            sink(record.to_line(|t| world.iso(t)))?;
        }
        if done {
            return Ok(world);
        }
    }
}

/// The event log as `ecsplay run` prints it: one JSON document per line.
pub fn log_lines(world: &World) -> Vec<String> {
    world
        .log()
        .iter()
        .map(|record| record.to_line(|t| world.iso(t)))
        .collect()
}
