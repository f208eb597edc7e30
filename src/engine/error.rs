//! API errors as AWS returns them: the exception name, the message, and (an ecsplay addition)
//! the JSON path of the offending field in the request.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// The AWS exception name: `ClientException`, `InvalidParameterException`, ...
    pub code: String,
    pub message: String,
    /// JSON path into the request, `$.containerDefinitions[0].memory`; absent when the error is
    /// about the request as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>, path: Option<&str>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            path: path.map(str::to_string),
        }
    }

    /// ECS's error for an invalid task definition or an unknown resource it looked up.
    pub fn client(message: impl Into<String>, path: &str) -> Self {
        Self::new("ClientException", message, Some(path))
    }

    /// ECS's error for a bad RunTask / CreateService / UpdateService parameter.
    pub fn invalid_parameter(message: impl Into<String>, path: &str) -> Self {
        Self::new("InvalidParameterException", message, Some(path))
    }

    pub fn cluster_not_found(path: &str) -> Self {
        Self::new("ClusterNotFoundException", "Cluster not found.", Some(path))
    }

    pub fn service_not_found(path: &str) -> Self {
        Self::new("ServiceNotFoundException", "Service not found.", Some(path))
    }

    /// A request field of the wrong JSON type, as the AWS JSON protocol rejects it.
    pub fn serialization(message: impl Into<String>, path: &str) -> Self {
        Self::new("SerializationException", message, Some(path))
    }

    /// A request field the model does not act on yet: refused, never ignored.
    pub fn not_modelled(path: &str, what: &str) -> Self {
        let field = path.trim_start_matches("$.");
        Self::new(
            "UnsupportedFeatureException",
            format!("{field} is not modelled by this version of ecsplay: {what}"),
            Some(path),
        )
    }

    /// An action this model does not know (a typo, or a service not modelled yet).
    pub fn unknown_operation(action: &str) -> Self {
        Self::new(
            "UnknownOperationException",
            format!("ecsplay does not model the action {action:?}"),
            Some("$.action"),
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(path) = &self.path {
            write!(f, " (at {path})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Deserializes a request into its typed shape, turning serde's complaint into the error the
/// AWS CLI (botocore's parameter validation) gives before a request is sent, with the field's
/// JSON path: `Invalid type for parameter desiredCount, value: two, type: <class 'str'>, valid
/// types: <class 'int'>`, `Unknown parameter in input: "foo", must be one of: ...`,
/// `Missing required parameter in input: "family"`. No Rust type name reaches the user.
///
/// Request structs list every field AWS accepts, with `deny_unknown_fields`, so a misspelt field
/// is refused rather than ignored; fields the model does not act on are parsed and left unread,
/// which is why those structs carry `#[allow(dead_code)]`.
pub fn parse_request<T: serde::de::DeserializeOwned>(
    input: &serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(input).map_err(|err| {
        let segments = path_segments(err.path());
        let message = err.inner().to_string();
        cli_validation_error(input, &segments, &message)
    })
}

/// One step of a path into a request: an object's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// serde_path_to_error's path as [`Segment`]s.
pub fn path_segments(path: &serde_path_to_error::Path) -> Vec<Segment> {
    use serde_path_to_error::Segment as S;
    path.iter()
        .filter_map(|segment| match segment {
            S::Seq { index } => Some(Segment::Index(*index)),
            S::Map { key } => Some(Segment::Key(key.clone())),
            S::Enum { variant } => Some(Segment::Key(variant.clone())),
            S::Unknown => None,
        })
        .collect()
}

/// botocore's name for a place in the request: `containerDefinitions[0].memory`; the request
/// itself is `input`.
pub fn cli_name(segments: &[Segment]) -> String {
    let mut name = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) if name.is_empty() => name.push_str(key),
            Segment::Key(key) => {
                name.push('.');
                name.push_str(key);
            }
            Segment::Index(i) => name.push_str(&format!("[{i}]")),
        }
    }
    if name.is_empty() {
        "input".into()
    } else {
        name
    }
}

/// The JSON path of the same place: `$.containerDefinitions[0].memory`, `$` for the request.
pub fn json_path_of(segments: &[Segment]) -> String {
    let mut path = String::from("$");
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                path.push('.');
                path.push_str(key);
            }
            Segment::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

fn value_at<'a>(
    root: &'a serde_json::Value,
    segments: &[Segment],
) -> Option<&'a serde_json::Value> {
    segments
        .iter()
        .try_fold(root, |value, segment| match segment {
            Segment::Key(key) => value.get(key),
            Segment::Index(i) => value.get(i),
        })
}

/// Python's `str()` of a JSON value, as botocore prints the value it refused.
pub fn python_str(value: &serde_json::Value) -> String {
    use serde_json::Value;
    fn repr(value: &Value) -> String {
        match value {
            Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            other => python_str(other),
        }
    }
    match value {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(repr).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("'{k}': {}", repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's class of a JSON value once the CLI has read it.
pub fn python_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_f64() => "<class 'float'>",
        Value::Number(_) => "<class 'int'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

/// The classes botocore accepts for what serde expected (`i64`, `a string`, `struct X`, ...).
fn valid_types(expected: &str) -> &'static str {
    let expected = expected.trim();
    let integer = [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "isize",
    ];
    if integer.contains(&expected) || expected.contains("integer") {
        "<class 'int'>"
    } else if expected == "f32" || expected == "f64" || expected.contains("number") {
        "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>"
    } else if expected.contains("bool") {
        "<class 'bool'>"
    } else if expected.contains("sequence")
        || expected.contains("array")
        || expected.contains("tuple")
    {
        "<class 'list'>, <class 'tuple'>"
    } else if expected.contains("struct") || expected.contains("map") || expected.contains("object")
    {
        "<class 'dict'>"
    } else {
        "<class 'str'>"
    }
}

/// The range of the integer type serde expected, as botocore's `valid range: min-max`.
pub fn integer_range(expected: &str) -> Option<(i128, i128)> {
    Some(match expected.trim() {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

/// botocore's `ParamValidationError`, at the JSON path of `segments`.
fn param_error(text: String, segments: &[Segment]) -> ApiError {
    ApiError::new("ParamValidationError", text, Some(&json_path_of(segments)))
}

/// The names serde lists after "expected one of" / "expected": `` `a`, `b` `` or `` `a` or `b` ``.
pub fn backquoted(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, name)| name.to_string())
        .collect()
}

/// serde's message about `input` at `segments` in the AWS CLI's words (see [`parse_request`]).
pub fn cli_validation_error(
    input: &serde_json::Value,
    segments: &[Segment],
    message: &str,
) -> ApiError {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return unknown_field(segments, rest);
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        // The path is the object that lacks the field: there is no field to point at.
        let field = backquoted(rest).pop().unwrap_or_default();
        return param_error(
            format!(
                "Missing required parameter in {}: \"{field}\"",
                cli_name(segments)
            ),
            segments,
        );
    }
    let name = cli_name(segments);
    let value = value_at(input, segments)
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let expected = message
        .rsplit_once(", expected ")
        .map(|(_, e)| e)
        .unwrap_or("");
    if message.starts_with("invalid type: ") {
        return param_error(
            format!(
                "Invalid type for parameter {name}, value: {}, type: {}, valid types: {}",
                python_str(&value),
                python_type(&value),
                valid_types(expected)
            ),
            segments,
        );
    }
    if message.starts_with("invalid value: ") {
        if let Some((min, max)) = integer_range(expected) {
            return param_error(
                format!(
                    "Invalid range for parameter {name}, value: {}, valid range: {min}-{max}",
                    python_str(&value)
                ),
                segments,
            );
        }
    }
    if message.starts_with("invalid length ") {
        return param_error(
            format!(
                "Invalid length for parameter {name}, value: {}",
                python_str(&value)
            ),
            segments,
        );
    }
    // A message of the model's own (a custom deserializer's): already in plain words.
    param_error(
        format!("Invalid value for parameter {name}: {message}"),
        segments,
    )
}

/// A field of a request the model does not act on, and what to say of it.
pub struct Unmodelled {
    /// Its JSON path from the request: `$.loadBalancers`, `$.deploymentConfiguration.alarms`.
    pub path: &'static str,
    pub why: &'static str,
    /// A value that means what leaving the field out means (`"ECS"` for a deployment
    /// controller's type): accepted.
    pub default: Option<fn(&serde_json::Value) -> bool>,
}

impl Unmodelled {
    /// A field refused whenever it is given a value.
    pub const fn field(path: &'static str, why: &'static str) -> Unmodelled {
        Unmodelled {
            path,
            why,
            default: None,
        }
    }
}

/// Refuses the first field of `fields` that `input` gives a value that would change what
/// happens: present, not null, not an empty list, object or string, not `false`, and not its
/// documented default. The model acts on everything else it accepts.
pub fn refuse_unmodelled(input: &serde_json::Value, fields: &[Unmodelled]) -> Result<(), ApiError> {
    use serde_json::Value;
    for field in fields {
        let pointer = field.path.trim_start_matches('$').replace('.', "/");
        let Some(value) = input.pointer(&pointer) else {
            continue;
        };
        let empty = match value {
            Value::Null | Value::Bool(false) => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::String(s) => s.is_empty(),
            Value::Number(_) | Value::Bool(true) => false,
        };
        if empty || field.default.is_some_and(|is_default| is_default(value)) {
            continue;
        }
        return Err(ApiError::not_modelled(field.path, field.why));
    }
    Ok(())
}

/// botocore's unknown-field error: the object that has the field, and the ones it takes.
fn unknown_field(segments: &[Segment], rest: &str) -> ApiError {
    let mut names = backquoted(rest);
    let field = if names.is_empty() {
        String::new()
    } else {
        names.remove(0)
    };
    // The path may end at the unknown field itself; the CLI names the object holding it.
    let mut parent = segments.to_vec();
    if parent.last() == Some(&Segment::Key(field.clone())) {
        parent.pop();
    }
    let mut at = parent.clone();
    at.push(Segment::Key(field.clone()));
    param_error(
        format!(
            "Unknown parameter in {}: \"{field}\", must be one of: {}",
            cli_name(&parent),
            names.join(", ")
        ),
        &at,
    )
}
