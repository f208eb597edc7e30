//! AWS Systems Manager Parameter Store, prefix `ssm:` (aws-facts 11): parameters of type
//! String, StringList and SecureString, with their versions, as ECS reads them for a
//! container's `secrets`. Requests take the JSON `aws ssm ... --cli-input-json` takes, in
//! PascalCase.
//!
//! Not here: KMS keys (a SecureString is encrypted with the account's default key, which
//! needs no permission beyond `ssm:GetParameters`), parameter policies, labels, paths queries.

pub mod read;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::World;

/// Parameters the model holds (Parameter Store's standard tier allows 10,000 a Region).
pub const PARAMETERS_MAX: usize = 10_000;
/// A standard parameter's value at most this many characters (4 KB).
pub const VALUE_CHARS_MAX: usize = 4_096;

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub kind: String,
    pub value: String,
    pub version: u64,
    pub modified_at: SimTime,
    pub description: Option<String>,
}

#[derive(Debug, Default)]
pub struct SsmState {
    /// Parameters by their name as given (with its leading `/`, if any).
    pub parameters: BTreeMap<String, Parameter>,
}

/// Performs `ssm:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "PutParameter" => world.put_parameter(input),
        "GetParameter" => world.get_parameter(input),
        "GetParameters" => world.get_parameters(input),
        "DeleteParameter" => world.delete_parameter(input),
        _ => Err(ApiError::unknown_operation(&format!("ssm:{operation}"))),
    }
}

/// The parameter's name from a name or an ARN of this Region and account (None for another
/// Region's or account's ARN).
pub fn parameter_name(world: &World, name_or_arn: &str) -> Option<String> {
    let Some(rest) = name_or_arn.strip_prefix("arn:aws:ssm:") else {
        return Some(name_or_arn.to_string());
    };
    let mut parts = rest.splitn(3, ':');
    let (region, account, resource) = (parts.next()?, parts.next()?, parts.next()?);
    let name = resource.strip_prefix("parameter")?;
    if region != world.config.region || account != world.config.account {
        return None;
    }
    // `parameter/a/b` is `/a/b`; `parameter/name` is `name`.
    let name = name.strip_prefix('/')?;
    Some(if name.contains('/') {
        format!("/{name}")
    } else {
        name.to_string()
    })
}

impl World {
    pub(crate) fn parameter_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:ssm:{}:{}:parameter/{}",
            self.config.region,
            self.config.account,
            name.trim_start_matches('/')
        )
    }

    fn parameter_json(&self, p: &Parameter, decrypt: bool) -> Value {
        let value = if p.kind == "SecureString" && !decrypt {
            // Without WithDecryption, the ciphertext: opaque, base64 as SSM returns it.
            format!(
                "AQICAH{}",
                crate::engine::base64::encode(p.value.as_bytes())
            )
        } else {
            p.value.clone()
        };
        json!({
            "Name": p.name,
            "Type": p.kind,
            "Value": value,
            "Version": p.version,
            "LastModifiedDate": self.epoch_seconds(p.modified_at),
            "ARN": self.parameter_arn(&p.name),
            "DataType": "text",
        })
    }

    fn put_parameter(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            name: String,
            value: String,
            #[serde(rename = "Type")]
            kind: Option<String>,
            overwrite: Option<bool>,
            description: Option<String>,
            key_id: Option<String>,
            tier: Option<String>,
            data_type: Option<String>,
            allowed_pattern: Option<String>,
            /// Taken as they are: tags change nothing the model simulates.
            #[allow(dead_code)]
            tags: Option<Value>,
        }
        let request: Request = parse_request(input)?;
        let valid_name = (1..=2048).contains(&request.name.len())
            && request
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
            && !request
                .name
                .to_ascii_lowercase()
                .trim_start_matches('/')
                .starts_with("aws")
            && !request
                .name
                .to_ascii_lowercase()
                .trim_start_matches('/')
                .starts_with("ssm");
        if !valid_name {
            return Err(ApiError::new(
                "ValidationException",
                "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_",
                Some("$.Name"),
            ));
        }
        for (field, given) in [
            ("$.KeyId", request.key_id.is_some()),
            ("$.AllowedPattern", request.allowed_pattern.is_some()),
            (
                "$.Tier",
                request.tier.as_deref().is_some_and(|t| t != "Standard"),
            ),
            (
                "$.DataType",
                request.data_type.as_deref().is_some_and(|t| t != "text"),
            ),
        ] {
            if given {
                return Err(ApiError::not_modelled(
                    field,
                    "parameters here are Standard text parameters encrypted (SecureString) with the default key.",
                ));
            }
        }
        if request.value.is_empty() || request.value.chars().count() > VALUE_CHARS_MAX {
            return Err(ApiError::new(
                "ValidationException",
                format!("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length between 1 and {VALUE_CHARS_MAX}"),
                Some("$.Value"),
            ));
        }
        let existing = self.ssm.parameters.get(&request.name);
        let kind = match (request.kind.as_deref(), existing) {
            (Some(k @ ("String" | "StringList" | "SecureString")), _) => k.to_string(),
            (Some(other), _) => {
                return Err(ApiError::new(
                    "ValidationException",
                    format!("1 validation error detected: Value '{other}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]"),
                    Some("$.Type"),
                ))
            }
            (None, Some(p)) => p.kind.clone(),
            (None, None) => {
                return Err(ApiError::new(
                    "ValidationException",
                    "A parameter type is required when you create a parameter.",
                    Some("$.Type"),
                ))
            }
        };
        let version = match existing {
            Some(_) if request.overwrite != Some(true) => {
                return Err(ApiError::new(
                    "ParameterAlreadyExists",
                    "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
                    Some("$.Name"),
                ))
            }
            Some(p) => p.version + 1,
            None if self.ssm.parameters.len() >= PARAMETERS_MAX => {
                return Err(ApiError::new(
                    "ParameterLimitExceeded",
                    format!("You have exceeded the number of parameters for this AWS account ({PARAMETERS_MAX})."),
                    Some("$.Name"),
                ))
            }
            None => 1,
        };
        let description = request
            .description
            .or_else(|| existing.and_then(|p| p.description.clone()));
        self.ssm.parameters.insert(
            request.name.clone(),
            Parameter {
                name: request.name,
                kind,
                value: request.value,
                version,
                modified_at: self.now,
                description,
            },
        );
        Ok(json!({ "Version": version, "Tier": "Standard" }))
    }

    fn get_parameter(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            name: String,
            with_decryption: Option<bool>,
        }
        let request: Request = parse_request(input)?;
        let found = parameter_name(self, &request.name).and_then(|n| self.ssm.parameters.get(&n));
        match found {
            Some(p) => Ok(
                json!({ "Parameter": self.parameter_json(p, request.with_decryption == Some(true)) }),
            ),
            None => Err(ApiError::new("ParameterNotFound", "", Some("$.Name"))),
        }
    }

    fn get_parameters(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            names: Vec<String>,
            with_decryption: Option<bool>,
        }
        let request: Request = parse_request(input)?;
        if !(1..=10).contains(&request.names.len()) {
            return Err(ApiError::new(
                "ValidationException",
                "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10",
                Some("$.Names"),
            ));
        }
        let decrypt = request.with_decryption == Some(true);
        let (mut found, mut invalid) = (Vec::new(), Vec::new());
        for name in &request.names {
            match parameter_name(self, name).and_then(|n| self.ssm.parameters.get(&n)) {
                Some(p) => found.push(self.parameter_json(p, decrypt)),
                None => invalid.push(name.clone()),
            }
        }
        Ok(json!({ "Parameters": found, "InvalidParameters": invalid }))
    }

    fn delete_parameter(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            name: String,
        }
        let request: Request = parse_request(input)?;
        match self.ssm.parameters.remove(&request.name) {
            Some(_) => Ok(json!({})),
            None => Err(ApiError::new("ParameterNotFound", "", Some("$.Name"))),
        }
    }
}
