//! The web app. `model` is the playground's logic without the browser (tested natively); the
//! rest are Yew components over the reducer state (style rules 2-4), the only code that touches
//! the browser.

pub mod model;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod capacity;
#[cfg(target_arch = "wasm32")]
mod charts;
#[cfg(target_arch = "wasm32")]
mod editor;
#[cfg(target_arch = "wasm32")]
mod efs;
#[cfg(target_arch = "wasm32")]
mod embed;
#[cfg(target_arch = "wasm32")]
mod event_log;
#[cfg(target_arch = "wasm32")]
mod fields;
#[cfg(target_arch = "wasm32")]
mod inspector;
#[cfg(target_arch = "wasm32")]
mod learn;
#[cfg(target_arch = "wasm32")]
mod load_balancing;
#[cfg(target_arch = "wasm32")]
mod map;
#[cfg(target_arch = "wasm32")]
mod roles;
#[cfg(target_arch = "wasm32")]
mod scaling;
#[cfg(target_arch = "wasm32")]
mod secrets;
#[cfg(target_arch = "wasm32")]
mod services;
#[cfg(target_arch = "wasm32")]
mod session_io;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod storage;
#[cfg(target_arch = "wasm32")]
mod time_controls;

#[cfg(target_arch = "wasm32")]
pub use app::App;
#[cfg(target_arch = "wasm32")]
pub use map::{draw_map, raster_scale};
#[cfg(target_arch = "wasm32")]
pub use state::{Action, Speed, UiState};
#[cfg(target_arch = "wasm32")]
pub use storage::{backend as autosave_backend, clear as clear_autosave};
