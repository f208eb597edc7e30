//! What autosave keeps between visits: a versioned document (style rule 13) with the session's
//! scenario (the user's requests included, as steps), how many of its steps are the user's, the
//! simulated time reached, and the editor's text, so nothing typed is lost.

use serde::{Deserialize, Serialize};

use crate::engine::time::SimTime;
use crate::scenario::Scenario;

/// The only version this build writes; reading another is refused with a clear message and
/// the playground starts from the default scenario.
pub const SAVED_FORMAT: u64 = 1;
/// The storage key.
pub const STORAGE_KEY: &str = "ecsplay.session";
/// The storage key of the session Reset or another scenario set aside (the same format).
pub const SET_ASIDE_KEY: &str = "ecsplay.set-aside";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub format: u64,
    /// The preset it started from, for the picker.
    #[serde(default)]
    pub preset: Option<String>,
    pub scenario: Scenario,
    pub user_requests: usize,
    pub time_ms: SimTime,
    pub editor: String,
}

impl Saved {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a saved session serializes")
    }

    /// Reads a saved document; the scenario inside is checked as any scenario is.
    pub fn parse(text: &str) -> Result<Saved, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match value.get("format").and_then(serde_json::Value::as_u64) {
            Some(SAVED_FORMAT) => {}
            other => {
                return Err(format!(
                    "saved session format {other:?} is not {SAVED_FORMAT}"
                ))
            }
        }
        let saved: Saved = serde_json::from_value(value).map_err(|e| e.to_string())?;
        let scenario_text = serde_json::to_string(&saved.scenario).map_err(|e| e.to_string())?;
        Scenario::parse(&scenario_text).map_err(|e| e.to_string())?;
        if saved.user_requests > saved.scenario.steps.len() {
            return Err("more user requests than steps".into());
        }
        Ok(saved)
    }
}
