//! The simulation engine: time, the event queue ordered by `(time, seq)` (generic over its timer
//! type), deterministic ids, API errors and request parsing, and the event log. It knows no AWS
//! service: it imports nothing else of the crate (`tests/architecture.rs` holds it to that), and
//! the composition root, [`crate::world`], puts it together with the services.
//!
//! Pure and deterministic: nothing here reads a wall clock, OS randomness or the browser.

pub mod base64;
pub mod error;
pub mod files;
pub mod ids;
pub mod log;
pub mod queue;
pub mod time;

pub use error::ApiError;
pub use log::LogRecord;
