//! The scenario format (version 1, design.md section 4): a seed and a timeline of AWS requests
//! and `sim:` actions. Parsing checks the document's size, its format version and its shape, and
//! reports malformed JSON with its line and column. It does not validate each step's `input`:
//! that is the job of the handler of the step's action, when the step runs.

pub mod presets;
pub mod run;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::time::{format_duration, parse_duration, parse_timestamp};

/// The only format this build reads. Older versions, when there are any, keep their meaning.
pub const FORMAT_VERSION: u64 = 1;
/// Limits of design.md section 9.
pub const SCENARIO_BYTES_MAX: usize = 1024 * 1024;
pub const SCENARIO_STEPS_MAX: usize = 10_000;

/// The scenario a new visitor sees, also what `make serve` opens.
pub const DEFAULT_SCENARIO_JSON: &str = include_str!("../../static/scenarios/default.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub format: u64,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_account")]
    pub account: String,
    #[serde(default = "default_start")]
    pub start: String,
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// Model settings a scenario may change from the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// The deployment circuit breaker's minimum threshold: 3 today, 10 in the ECS guide of
    /// 2023 that many exam questions assume (aws-facts 5.3).
    #[serde(default = "default_breaker_minimum")]
    pub circuit_breaker_minimum_threshold: u32,
}

fn default_breaker_minimum() -> u32 {
    crate::ecs::deployment::CIRCUIT_BREAKER_THRESHOLD_MIN
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            circuit_breaker_minimum_threshold: default_breaker_minimum(),
        }
    }
}

impl Settings {
    fn is_default(&self) -> bool {
        *self == Settings::default()
    }
}

/// One timeline entry: at `at` after the start, perform `action` with `input`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(deserialize_with = "deserialize_at", serialize_with = "serialize_at")]
    pub at: u64,
    pub action: String,
    #[serde(default = "empty_object")]
    pub input: serde_json::Value,
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_account() -> String {
    "123456789012".into()
}

fn default_start() -> String {
    "2026-01-01T00:00:00Z".into()
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

fn deserialize_at<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum At {
        Ms(u64),
        Text(String),
    }
    match At::deserialize(deserializer)? {
        At::Ms(ms) => parse_duration(&ms.to_string()).map_err(serde::de::Error::custom),
        At::Text(text) => parse_duration(&text).map_err(serde::de::Error::custom),
    }
}

fn serialize_at<S: serde::Serializer>(at: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_duration(*at))
}

/// Why a scenario document was refused. Nothing of a refused document is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    /// Not JSON, or JSON of the wrong shape; line and column are 1-based.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A `format` this build does not know.
    UnsupportedFormat {
        found: String,
    },
    TooLarge {
        bytes: usize,
    },
    TooManySteps {
        steps: usize,
    },
    /// A value that parsed but is not allowed (e.g. a start time that is not a timestamp).
    Invalid {
        path: String,
        message: String,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column, message } => {
                write!(f, "line {line}, column {column}: {message}")
            }
            Self::UnsupportedFormat { found } => write!(
                f,
                "unsupported scenario format {found}: this version of ecsplay reads format {FORMAT_VERSION}"
            ),
            Self::TooLarge { bytes } => write!(
                f,
                "scenario is {bytes} bytes, over the limit of {SCENARIO_BYTES_MAX} bytes (1 MiB)"
            ),
            Self::TooManySteps { steps } => write!(
                f,
                "scenario has {steps} steps, over the limit of {SCENARIO_STEPS_MAX}"
            ),
            Self::Invalid { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    /// Parses and checks a scenario document.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        if text.len() > SCENARIO_BYTES_MAX {
            return Err(ScenarioError::TooLarge { bytes: text.len() });
        }
        // Read the version before the shape: a future format may have fields this one rejects,
        // and its reader deserves "unsupported format", not "unknown field".
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax_error)?;
        match value.get("format") {
            Some(serde_json::Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(ScenarioError::UnsupportedFormat {
                    found: found.to_string(),
                })
            }
            None => {
                return Err(ScenarioError::Invalid {
                    path: "$.format".into(),
                    message: format!(
                        "missing field: a scenario starts with \"format\": {FORMAT_VERSION}"
                    ),
                })
            }
        }
        let scenario: Scenario = serde_json::from_str(text).map_err(syntax_error)?;
        if scenario.steps.len() > SCENARIO_STEPS_MAX {
            return Err(ScenarioError::TooManySteps {
                steps: scenario.steps.len(),
            });
        }
        parse_timestamp(&scenario.start).map_err(|message| ScenarioError::Invalid {
            path: "$.start".into(),
            message,
        })?;
        if !is_region_name(&scenario.region) {
            return Err(ScenarioError::Invalid {
                path: "$.region".into(),
                message: format!(
                    "invalid region {:?}: expected a Region code such as \"us-east-1\"",
                    scenario.region
                ),
            });
        }
        if scenario.account.len() != 12 || !scenario.account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScenarioError::Invalid {
                path: "$.account".into(),
                message: format!(
                    "invalid account {:?}: an AWS account id is 12 digits, such as \"123456789012\"",
                    scenario.account
                ),
            });
        }
        Ok(scenario)
    }

    /// The default scenario; it is part of the build, so failing to parse it is a bug.
    pub fn default_scenario() -> Scenario {
        Scenario::parse(DEFAULT_SCENARIO_JSON)
            .expect("static/scenarios/default.json is a valid scenario")
    }

    /// The scenario's start as milliseconds since the Unix epoch.
    pub fn start_epoch_ms(&self) -> i64 {
        parse_timestamp(&self.start).expect("checked by Scenario::parse")
    }
}

/// A Region code as AWS writes them: a two-letter area, one or more words, a number
/// (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`), at most 32 characters.
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    name.len() <= 32
        && parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(|p| lower(p))
        && parts[parts.len() - 1].parse::<u8>().is_ok_and(|n| n > 0)
}

fn syntax_error(err: serde_json::Error) -> ScenarioError {
    ScenarioError::Syntax {
        line: err.line(),
        column: err.column(),
        message: json_error_message(&err),
    }
}

/// serde_json's message without the " at line L column C" it appends: callers report the line
/// and column on their own.
pub fn json_error_message(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_scenario_parses() {
        let scenario = Scenario::default_scenario();
        assert_eq!(scenario.format, 1);
        assert_eq!(scenario.region, "us-east-1");
        assert!(scenario
            .steps
            .iter()
            .any(|s| s.action == "ecs:CreateService"));
        let service = scenario
            .steps
            .iter()
            .find(|s| s.action == "ecs:CreateService")
            .unwrap();
        assert_eq!(service.at, 120_000);
    }
}
