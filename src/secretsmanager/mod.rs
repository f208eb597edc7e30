//! AWS Secrets Manager, prefix `secretsmanager:` (aws-facts 11): secrets with versions and
//! staging labels (`AWSCURRENT`, `AWSPREVIOUS`), as ECS reads them for a container's
//! `secrets` (a whole secret, a JSON key, a version stage or id). Requests take the JSON `aws
//! secretsmanager ... --cli-input-json` takes, in PascalCase.
//!
//! Not here: binary secrets, rotation functions, replication, KMS keys, resource policies.

pub mod read;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::World;

/// Secrets the model holds (Secrets Manager's quota is 500,000 a Region).
pub const SECRETS_MAX: usize = 1_000;
/// Versions kept a secret: the labelled ones and the newest unlabelled (Secrets Manager keeps
/// about 100); older unlabelled versions go first.
pub const VERSIONS_PER_SECRET_MAX: usize = 20;
/// A SecretString at most this many characters (65,536 bytes).
pub const SECRET_CHARS_MAX: usize = 65_536;

pub const CURRENT: &str = "AWSCURRENT";
pub const PREVIOUS: &str = "AWSPREVIOUS";

#[derive(Debug, Clone)]
pub struct Version {
    pub id: String,
    pub value: String,
    pub stages: Vec<String>,
    pub created_at: SimTime,
}

#[derive(Debug, Clone)]
pub struct Secret {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub created_at: SimTime,
    pub changed_at: SimTime,
    pub versions: Vec<Version>,
}

#[derive(Debug, Default)]
pub struct SecretsState {
    pub secrets: Vec<Secret>,
}

/// Performs `secretsmanager:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateSecret" => world.create_secret(input),
        "PutSecretValue" => world.put_secret_value(input),
        "GetSecretValue" => world.get_secret_value(input),
        "DescribeSecret" => world.describe_secret(input),
        "DeleteSecret" => world.delete_secret(input),
        _ => Err(ApiError::unknown_operation(&format!(
            "secretsmanager:{operation}"
        ))),
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
        Some("$.SecretId"),
    )
}

/// The secret a `SecretId` names: its name, its full ARN, or its ARN without the six-character
/// suffix (a partial ARN).
pub fn find<'a>(world: &'a World, id: &str) -> Option<&'a Secret> {
    world.secrets.secrets.iter().find(|s| {
        s.name == id
            || s.arn == id
            || s.arn
                .rsplit_once('-')
                .is_some_and(|(partial, _)| partial == id)
    })
}

impl Secret {
    /// The version with that id, or that stage (AWSCURRENT when neither is given).
    pub fn version(&self, id: Option<&str>, stage: Option<&str>) -> Result<&Version, String> {
        match (id, stage) {
            (Some(id), _) => (self.versions.iter().find(|v| v.id == id)).ok_or_else(|| {
                format!("Secrets Manager can't find the specified secret value for VersionId: {id}")
            }),
            (None, stage) => {
                let stage = stage.unwrap_or(CURRENT);
                (self.versions.iter().find(|v| v.stages.iter().any(|s| s == stage)))
                    .ok_or_else(|| format!("Secrets Manager can't find the specified secret value for staging label: {stage}"))
            }
        }
    }

    /// Adds a version labelled AWSCURRENT: the version that was current becomes AWSPREVIOUS.
    fn add_current(&mut self, id: String, value: String, now: SimTime) {
        for v in &mut self.versions {
            v.stages.retain(|s| s != PREVIOUS);
        }
        for v in &mut self.versions {
            if let Some(i) = v.stages.iter().position(|s| s == CURRENT) {
                v.stages[i] = PREVIOUS.to_string();
            }
        }
        self.versions.push(Version {
            id,
            value,
            stages: vec![CURRENT.to_string()],
            created_at: now,
        });
        while self.versions.len() > VERSIONS_PER_SECRET_MAX {
            match self.versions.iter().position(|v| v.stages.is_empty()) {
                Some(i) => {
                    self.versions.remove(i);
                }
                None => break,
            }
        }
        self.changed_at = now;
    }
}

fn check_value(value: &str) -> Result<(), ApiError> {
    if value.chars().count() > SECRET_CHARS_MAX {
        return Err(ApiError::new(
            "InvalidParameterException",
            format!("1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to {SECRET_CHARS_MAX}"),
            Some("$.SecretString"),
        ));
    }
    Ok(())
}

impl World {
    fn secret_index(&self, id: &str) -> Result<usize, ApiError> {
        let secret = find(self, id).ok_or_else(not_found)?;
        Ok(self
            .secrets
            .secrets
            .iter()
            .position(|s| s.arn == secret.arn)
            .expect("found"))
    }

    fn create_secret(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            name: String,
            secret_string: Option<String>,
            secret_binary: Option<Value>,
            description: Option<String>,
            kms_key_id: Option<String>,
            client_request_token: Option<String>,
            add_replica_regions: Option<Value>,
            force_overwrite_replica_secret: Option<bool>,
            /// Taken as they are: tags change nothing the model simulates.
            #[allow(dead_code)]
            tags: Option<Value>,
        }
        let request: Request = parse_request(input)?;
        for (field, given) in [
            ("$.SecretBinary", request.secret_binary.is_some()),
            ("$.KmsKeyId", request.kms_key_id.is_some()),
            ("$.AddReplicaRegions", request.add_replica_regions.is_some()),
            (
                "$.ForceOverwriteReplicaSecret",
                request.force_overwrite_replica_secret == Some(true),
            ),
        ] {
            if given {
                return Err(ApiError::not_modelled(
                    field,
                    "secrets here are SecretString values in one Region, encrypted with the default key.",
                ));
            }
        }
        let valid = (1..=512).contains(&request.name.len())
            && request
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
        if !valid {
            return Err(ApiError::new(
                "ValidationException",
                "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
                Some("$.Name"),
            ));
        }
        if let Some(value) = &request.secret_string {
            check_value(value)?;
        }
        if find(self, &request.name).is_some() {
            return Err(ApiError::new(
                "ResourceExistsException",
                format!(
                    "The operation failed because the secret {} already exists.",
                    request.name
                ),
                Some("$.Name"),
            ));
        }
        if self.secrets.secrets.len() >= SECRETS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("The model holds at most {SECRETS_MAX} secrets."),
                Some("$.Name"),
            ));
        }
        let suffix = self.ids.hex(6);
        let arn = format!(
            "arn:aws:secretsmanager:{}:{}:secret:{}-{suffix}",
            self.config.region, self.config.account, request.name
        );
        let mut secret = Secret {
            name: request.name.clone(),
            arn: arn.clone(),
            description: request.description,
            created_at: self.now,
            changed_at: self.now,
            versions: Vec::new(),
        };
        let mut out = json!({ "ARN": arn, "Name": request.name });
        if let Some(value) = request.secret_string {
            let id = request
                .client_request_token
                .unwrap_or_else(|| self.ids.uuid());
            secret.add_current(id.clone(), value, self.now);
            out["VersionId"] = json!(id);
        }
        self.secrets.secrets.push(secret);
        Ok(out)
    }

    fn put_secret_value(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            secret_id: String,
            secret_string: Option<String>,
            secret_binary: Option<Value>,
            client_request_token: Option<String>,
            version_stages: Option<Vec<String>>,
        }
        let request: Request = parse_request(input)?;
        if request.secret_binary.is_some() {
            return Err(ApiError::not_modelled(
                "$.SecretBinary",
                "secrets here are SecretString values.",
            ));
        }
        if request
            .version_stages
            .as_ref()
            .is_some_and(|s| s.as_slice() != [CURRENT])
        {
            return Err(ApiError::not_modelled(
                "$.VersionStages",
                "a new value here becomes AWSCURRENT (and the one before it AWSPREVIOUS).",
            ));
        }
        let Some(value) = request.secret_string else {
            return Err(ApiError::new(
                "InvalidRequestException",
                "You must provide either SecretString or SecretBinary.",
                Some("$.SecretString"),
            ));
        };
        check_value(&value)?;
        let index = self.secret_index(&request.secret_id)?;
        let id = request
            .client_request_token
            .unwrap_or_else(|| self.ids.uuid());
        let now = self.now;
        let secret = &mut self.secrets.secrets[index];
        secret.add_current(id.clone(), value, now);
        Ok(
            json!({ "ARN": secret.arn, "Name": secret.name, "VersionId": id, "VersionStages": [CURRENT] }),
        )
    }

    fn get_secret_value(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            secret_id: String,
            version_id: Option<String>,
            version_stage: Option<String>,
        }
        let request: Request = parse_request(input)?;
        let secret = &self.secrets.secrets[self.secret_index(&request.secret_id)?];
        let version = secret
            .version(
                request.version_id.as_deref(),
                request.version_stage.as_deref(),
            )
            .map_err(|m| ApiError::new("ResourceNotFoundException", m, Some("$.SecretId")))?;
        Ok(json!({
            "ARN": secret.arn,
            "Name": secret.name,
            "VersionId": version.id,
            "SecretString": version.value,
            "VersionStages": version.stages,
            "CreatedDate": self.epoch_seconds(version.created_at),
        }))
    }

    fn describe_secret(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            secret_id: String,
        }
        let request: Request = parse_request(input)?;
        let secret = &self.secrets.secrets[self.secret_index(&request.secret_id)?];
        let stages: serde_json::Map<String, Value> = (secret.versions.iter())
            .filter(|v| !v.stages.is_empty())
            .map(|v| (v.id.clone(), json!(v.stages)))
            .collect();
        let mut out = json!({
            "ARN": secret.arn,
            "Name": secret.name,
            "CreatedDate": self.epoch_seconds(secret.created_at),
            "LastChangedDate": self.epoch_seconds(secret.changed_at),
            "VersionIdsToStages": stages,
        });
        if let Some(d) = &secret.description {
            out["Description"] = json!(d);
        }
        Ok(out)
    }

    fn delete_secret(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            secret_id: String,
            force_delete_without_recovery: Option<bool>,
            recovery_window_in_days: Option<i64>,
        }
        let request: Request = parse_request(input)?;
        if request.force_delete_without_recovery != Some(true)
            || request.recovery_window_in_days.is_some()
        {
            return Err(ApiError::not_modelled(
                "$.RecoveryWindowInDays",
                "a secret here is deleted at once: give ForceDeleteWithoutRecovery true.",
            ));
        }
        let index = self.secret_index(&request.secret_id)?;
        let secret = self.secrets.secrets.remove(index);
        Ok(
            json!({ "ARN": secret.arn, "Name": secret.name, "DeletionDate": self.epoch_seconds(self.now) }),
        )
    }
}
