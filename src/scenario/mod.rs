//! The scenario format (version 1, design.md section 4): a seed and a timeline of AWS requests
//! and `sim:` actions. Parsing checks the document's size, its format version and its shape, and
//! reports malformed JSON with its line and column. It does not validate each step's `input`:
//! that is the job of the handler of the step's action, when the step runs.

pub mod presets;
pub mod reference;
pub mod run;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::engine::error::{backquoted, integer_range, json_path_of, path_segments, Segment};
use crate::engine::time::{duration_from_ms, format_duration, parse_duration, parse_timestamp};

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
    /// A name later steps use to refer to this step's response (`${id.Field[0]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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

/// `at`: a duration string or a whole number of milliseconds, under the same limit.
fn deserialize_at<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    use serde::de::Error;
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(n) if n.as_u64().is_some() => {
            duration_from_ms(n.as_u64().unwrap_or(0)).map_err(D::Error::custom)
        }
        serde_json::Value::String(text) => parse_duration(&text).map_err(D::Error::custom),
        other => Err(D::Error::custom(format!(
            "expected a duration such as \"90s\" or a whole number of milliseconds, not {other}"
        ))),
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
        if text.starts_with('\u{feff}') {
            return Err(ScenarioError::Syntax {
                line: 1,
                column: 1,
                message:
                    "the file starts with a byte order mark (U+FEFF): save it as UTF-8 without one"
                        .into(),
            });
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax_error)?;
        check_format(&value)?;
        // Read again with the path tracked: a field of the wrong shape is named by its path,
        // in plain words, at its line and column.
        let mut reader = serde_json::Deserializer::from_str(text);
        let scenario: Scenario = serde_path_to_error::deserialize(&mut reader).map_err(|err| {
            let segments = path_segments(err.path());
            let (line, column) = (err.inner().line(), err.inner().column().max(1));
            ScenarioError::Syntax {
                line,
                column,
                message: field_error(&segments, &without_position(err.inner())),
            }
        })?;
        scenario.check_values()?;
        Ok(scenario)
    }

    /// The values that parse but are not allowed: too many steps, a start that is not a
    /// timestamp, step ids that are malformed or repeated, a region or account that is not one.
    fn check_values(&self) -> Result<(), ScenarioError> {
        if self.steps.len() > SCENARIO_STEPS_MAX {
            return Err(ScenarioError::TooManySteps {
                steps: self.steps.len(),
            });
        }
        parse_timestamp(&self.start).map_err(|message| ScenarioError::Invalid {
            path: "$.start".into(),
            message,
        })?;
        let mut ids = std::collections::BTreeSet::new();
        for (n, step) in self.steps.iter().enumerate() {
            let Some(id) = &step.id else { continue };
            let path = format!("$.steps[{n}].id");
            if !reference::is_valid_step_id(id) {
                return Err(ScenarioError::Invalid {
                    path,
                    message: format!(
                        "invalid step id {id:?}: 1 to {} letters, digits, '-' and '_'",
                        reference::STEP_ID_CHARS_MAX
                    ),
                });
            }
            if !ids.insert(id.as_str()) {
                return Err(ScenarioError::Invalid {
                    path,
                    message: format!("the step id {id:?} is used by an earlier step"),
                });
            }
        }
        if !is_region_name(&self.region) {
            return Err(ScenarioError::Invalid {
                path: "$.region".into(),
                message: format!(
                    "invalid region {:?}: expected a Region code such as \"us-east-1\"",
                    self.region
                ),
            });
        }
        if self.account.len() != 12 || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScenarioError::Invalid {
                path: "$.account".into(),
                message: format!(
                    "invalid account {:?}: an AWS account id is 12 digits, such as \"123456789012\"",
                    self.account
                ),
            });
        }
        Ok(())
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

/// The document names the one format this build reads.
fn check_format(value: &serde_json::Value) -> Result<(), ScenarioError> {
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
    Ok(())
}

fn syntax_error(err: serde_json::Error) -> ScenarioError {
    ScenarioError::Syntax {
        line: err.line(),
        // An empty file is reported at column 0; a person counts from 1.
        column: err.column().max(1),
        message: json_error_message(&err),
    }
}

/// A scenario field of the wrong shape, in plain words with its JSON path: `$.seed: expected a
/// whole number, not "x"`; `$.foo: unknown field "foo"; a scenario has format, name, ...`.
fn field_error(segments: &[Segment], message: &str) -> String {
    let path = json_path_of(segments);
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let mut fields = backquoted(rest);
        let field = if fields.is_empty() {
            String::new()
        } else {
            fields.remove(0)
        };
        let at = if segments.last() == Some(&Segment::Key(field.clone())) {
            path
        } else {
            format!("{path}.{field}")
        };
        return format!(
            "{at}: unknown field \"{field}\"; the fields here are {}",
            fields.join(", ")
        );
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let field = backquoted(rest).pop().unwrap_or_default();
        return format!("{path}: the field \"{field}\" is required");
    }
    let wrong = (message.strip_prefix("invalid type: "))
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some(rest) = wrong {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "{path}: expected {}, not {}",
            plain_expected(expected),
            plain_found(found)
        );
    }
    format!("{path}: {}", plain_json_message(message))
}

/// serde's name for what it wanted, as a person would say it.
fn plain_expected(expected: &str) -> String {
    let expected = expected.trim();
    if let Some((min, max)) = integer_range(expected) {
        format!("a whole number from {min} to {max}")
    } else if expected.contains("string") {
        "a string".into()
    } else if expected.contains("sequence") {
        "an array".into()
    } else if expected.contains("struct") || expected.contains("map") {
        "an object".into()
    } else if expected.contains("bool") {
        "true or false".into()
    } else {
        expected.replace('`', "\"")
    }
}

/// serde's description of the value it found (`string "x"`, `integer `-1``, `map`).
fn plain_found(found: &str) -> String {
    let found = found.replace('`', "");
    match found.as_str() {
        "map" => "an object".into(),
        "sequence" => "an array".into(),
        "null" => "null".into(),
        other => other
            .strip_prefix("string ")
            .map(str::to_string)
            .or_else(|| other.strip_prefix("integer ").map(str::to_string))
            .or_else(|| other.strip_prefix("floating point ").map(str::to_string))
            .or_else(|| other.strip_prefix("boolean ").map(str::to_string))
            .unwrap_or_else(|| other.to_string()),
    }
}

/// serde_json's message without the " at line L column C" it appends (callers report the line
/// and column on their own), and in plain words where serde_json's are a parser's.
pub fn json_error_message(err: &serde_json::Error) -> String {
    plain_json_message(&without_position(err))
}

fn without_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

fn plain_json_message(message: &str) -> String {
    match message {
        "recursion limit exceeded" => "the JSON nests more than 128 arrays and objects deep".into(),
        "EOF while parsing a value" => {
            "the text ends where a value should be (is it empty?)".into()
        }
        "EOF while parsing an object" => "the text ends inside an object: a '}' is missing".into(),
        "EOF while parsing a list" => "the text ends inside an array: a ']' is missing".into(),
        "EOF while parsing a string" => "the text ends inside a string: a '\"' is missing".into(),
        "expected value" => "expected a JSON value here".into(),
        "trailing characters" => "unexpected text after the end of the JSON document".into(),
        "trailing comma" => "a comma before a closing bracket: JSON allows none".into(),
        "key must be a string" => "an object's keys must be strings in double quotes".into(),
        other => other.replace('`', "'"),
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
