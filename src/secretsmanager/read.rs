//! What other services and the playground may read of Secrets Manager.

use crate::world::World;

/// A secret reference as ECS's `valueFrom` writes it (aws-facts 11):
/// `arn:aws:secretsmanager:region:account:secret:name[:json-key[:version-stage[:version-id]]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The secret's ARN (full or partial), without the optional parts.
    pub secret: String,
    pub region: String,
    pub account: String,
    pub json_key: Option<String>,
    pub version_stage: Option<String>,
    pub version_id: Option<String>,
}

/// Parses a `valueFrom` naming Secrets Manager; None when it is not such an ARN.
pub fn reference(value_from: &str) -> Option<Reference> {
    let rest = value_from.strip_prefix("arn:aws:secretsmanager:")?;
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() < 4 || parts[2] != "secret" || parts[3].is_empty() || parts.len() > 7 {
        return None;
    }
    let part = |i: usize| {
        parts
            .get(i)
            .filter(|p| !p.is_empty())
            .map(|p| p.to_string())
    };
    Some(Reference {
        secret: format!(
            "arn:aws:secretsmanager:{}:{}:secret:{}",
            parts[0], parts[1], parts[3]
        ),
        region: parts[0].to_string(),
        account: parts[1].to_string(),
        json_key: part(4),
        version_stage: part(5),
        version_id: part(6),
    })
}

/// Why a reference could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// No such secret (in this Region and account).
    NotFound,
    /// The secret has no version of that stage or id: Secrets Manager's message.
    NoVersion(String),
    /// The secret's value is not JSON with that key.
    NoKey(String),
}

/// The value a reference reads, and the version it read; the secret's full ARN is
/// [`secret_arn`].
pub fn resolve(world: &World, r: &Reference) -> Result<(String, String), Unreadable> {
    if r.region != world.config.region || r.account != world.config.account {
        return Err(Unreadable::NotFound);
    }
    let secret = super::find(world, &r.secret).ok_or(Unreadable::NotFound)?;
    let version = secret
        .version(r.version_id.as_deref(), r.version_stage.as_deref())
        .map_err(Unreadable::NoVersion)?;
    let value = match &r.json_key {
        None => version.value.clone(),
        Some(key) => {
            let json: serde_json::Value =
                serde_json::from_str(&version.value).map_err(|_| Unreadable::NoKey(key.clone()))?;
            match json.get(key) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => return Err(Unreadable::NoKey(key.clone())),
            }
        }
    };
    Ok((value, version.id.clone()))
}

/// The full ARN of the secret a reference names, when it exists (else the reference's).
pub fn secret_arn(world: &World, r: &Reference) -> String {
    super::find(world, &r.secret).map_or_else(|| r.secret.clone(), |s| s.arn.clone())
}

/// The id of a secret's AWSCURRENT version, if it has one (the playground compares it with
/// what a running task read).
pub fn current_version(world: &World, secret_arn: &str) -> Option<String> {
    let secret = super::find(world, secret_arn)?;
    secret.version(None, None).ok().map(|v| v.id.clone())
}

/// Every secret: its name, ARN and AWSCURRENT version id, for the playground.
pub fn secrets(world: &World) -> Vec<(String, String, Option<String>)> {
    (world.secrets.secrets.iter())
        .map(|s| {
            (
                s.name.clone(),
                s.arn.clone(),
                s.version(None, None).ok().map(|v| v.id.clone()),
            )
        })
        .collect()
}
