//! UI state as a reducer: one `Action` per user intent, one `Reducible` impl that returns a new
//! state (style rule 2).

use std::rc::Rc;

use yew::Reducible;

use crate::engine::time::SimTime;
use crate::scenario::Scenario;

/// How many simulated seconds pass per wall-clock second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    X1,
    X10,
    X100,
    X1000,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X100, Speed::X1000];

    pub fn factor(self) -> u32 {
        match self {
            Speed::X1 => 1,
            Speed::X10 => 10,
            Speed::X100 => 100,
            Speed::X1000 => 1000,
        }
    }

    pub fn label(self) -> String {
        format!("{}x", self.factor())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UiState {
    pub scenario: Rc<Scenario>,
    pub sim_time_ms: SimTime,
    pub playing: bool,
    pub speed: Speed,
}

impl UiState {
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario: Rc::new(scenario),
            sim_time_ms: 0,
            playing: false,
            speed: Speed::X10,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Play,
    Pause,
    SetSpeed(Speed),
    /// Back to the scenario's start.
    Reset,
}

impl Reducible for UiState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Play => next.playing = true,
            Action::Pause => next.playing = false,
            Action::SetSpeed(speed) => next.speed = speed,
            Action::Reset => {
                next.playing = false;
                next.sim_time_ms = 0;
            }
        }
        Rc::new(next)
    }
}
