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

/// Deserializes a request into its typed shape, turning serde's complaint into an AWS error that
/// names the field: wrong types are `SerializationException`, unknown fields the CLI's
/// parameter-validation error.
///
/// Request structs list every field AWS accepts, with `deny_unknown_fields`, so a misspelt field
/// is refused rather than ignored; fields the model does not act on are parsed and left unread,
/// which is why those structs carry `#[allow(dead_code)]`.
pub fn parse_request<T: serde::de::DeserializeOwned>(
    input: &serde_json::Value,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(input).map_err(|err| {
        let path = json_path(&err.path().to_string());
        let message = err.inner().to_string();
        if message.starts_with("unknown field") {
            ApiError::new(
                "ParamValidationError",
                format!("Unknown parameter in input: {message}"),
                Some(&path),
            )
        } else if message.starts_with("missing field") {
            ApiError::new(
                "ParamValidationError",
                format!("Missing required parameter in input: {message}"),
                Some(&path),
            )
        } else {
            ApiError::serialization(message, &path)
        }
    })
}

/// `containerDefinitions[0].cpu` as `$.containerDefinitions[0].cpu`; `.` (the root) as `$`.
fn json_path(serde_path: &str) -> String {
    if serde_path == "." || serde_path.is_empty() {
        "$".into()
    } else if serde_path.starts_with('[') {
        format!("${serde_path}")
    } else {
        format!("$.{serde_path}")
    }
}
