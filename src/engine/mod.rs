//! The simulation engine: time, and (as the engine issue lands) the event queue, the seeded
//! random generator, the `World` and its event log. Pure and deterministic: nothing here reads a
//! wall clock, OS randomness or the browser.

pub mod time;
