//! The web app: Yew components over immutable state (style rules 2-4). The only module that
//! touches the browser.

mod shell;
mod state;

pub use shell::App;
pub use state::{Action, Speed, UiState};
