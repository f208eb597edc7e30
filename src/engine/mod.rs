//! The simulation engine: time, the event queue ordered by `(time, seq)`, deterministic ids, API
//! errors, the event log, invariants, and the `World` that ties them together. Pure and
//! deterministic: nothing here reads a wall clock, OS randomness or the browser.

pub mod error;
pub mod ids;
mod invariants;
pub mod log;
pub mod queue;
pub mod time;
pub mod world;

pub use error::ApiError;
pub use log::LogRecord;
pub use world::{World, WorldConfig};
