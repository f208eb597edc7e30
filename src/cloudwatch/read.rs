//! What other services may read of CloudWatch: an alarm's state and its last evaluation, and
//! whether there is room for more alarms.

use super::alarms::AlarmState;
use crate::world::World;

/// An alarm as a scaling policy sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmView {
    pub state: AlarmState,
    pub threshold: f64,
    /// The newest datapoint of its last evaluation.
    pub last_value: Option<f64>,
    /// The real datapoints of its last evaluation's N periods, oldest first.
    pub recent: Vec<f64>,
}

pub fn alarm(world: &World, name: &str) -> Option<AlarmView> {
    let a = world.cloudwatch.alarms.iter().find(|a| a.name == name)?;
    Some(AlarmView {
        state: a.state,
        threshold: a.threshold,
        last_value: a.last_value,
        recent: a.recent.clone(),
    })
}

/// Whether `names` (those not held yet) fit under [`super::alarms::ALARMS_MAX`].
pub fn alarm_room(world: &World, names: &[&str]) -> bool {
    world.alarm_room(names).is_ok()
}

pub use super::alarms::AlarmState as State;
