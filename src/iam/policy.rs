//! IAM policy documents: parsed once when a role is created or a policy put, then evaluated
//! at every step where AWS checks a role. What the model needs of IAM's evaluation logic
//! (the IAM User Guide's "Policy evaluation logic"): a request is allowed when some statement
//! allows it and none denies it; an explicit Deny wins; no match is an implicit deny.
//! `Action` and `Resource` match with `*` and `?` wildcards (actions case-insensitively);
//! conditions take the string and ARN operators, with `...IfExists`.
//!
//! `NotAction`, `NotResource`, `NotPrincipal` and other condition operators are refused with
//! the field's path: they are valid IAM, but this model does not evaluate them.

use serde_json::Value;

use crate::engine::error::ApiError;

/// Policy documents at most this long, in characters (IAM's quota for an inline role policy,
/// 10,240, and for a trust policy, 2,048, both lower than this; see the requests).
pub const POLICY_DOCUMENT_CHARS_MAX: usize = 10_240;

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub allow: bool,
    pub actions: Vec<String>,
    /// Empty in a trust policy (which names principals instead).
    pub resources: Vec<String>,
    /// `Principal`: (kind, value) such as ("Service", "ecs-tasks.amazonaws.com"), or
    /// ("*", "*") for anyone.
    pub principals: Vec<(String, String)>,
    pub conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringLike,
    StringNotLike,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    pub if_exists: bool,
    pub key: String,
    pub values: Vec<String>,
}

/// What a policy document is for: a role's permissions, or its trust policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Identity,
    Trust,
}

/// IAM's answer to a request: allowed, or denied with or without an explicit Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ImplicitDeny,
    ExplicitDeny,
}

/// One request to evaluate: the action, the resource (or the principal asking to assume a
/// role), and the request's context keys.
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub principal: Option<(&'a str, &'a str)>,
    pub context: &'a [(&'a str, &'a str)],
}

fn malformed(message: &str, path: &str) -> ApiError {
    ApiError::new("MalformedPolicyDocument", message, Some(path))
}

/// A string or a list of strings (IAM's element shape), else malformed.
fn strings(value: &Value, path: &str) -> Result<Vec<String>, ApiError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| {
                (v.as_str().map(str::to_string))
                    .ok_or_else(|| malformed("Syntax errors in policy.", path))
            })
            .collect(),
        _ => Err(malformed("Syntax errors in policy.", path)),
    }
}

/// Parses a policy document given as IAM takes it: a JSON string (the CLI's
/// `--assume-role-policy-document` and `--policy-document`). `path` is the request field.
pub fn parse(text: &str, kind: Kind, path: &str) -> Result<Policy, ApiError> {
    if text.chars().count() > POLICY_DOCUMENT_CHARS_MAX {
        return Err(ApiError::new(
            "LimitExceeded",
            format!("Cannot exceed quota for PolicySize: {POLICY_DOCUMENT_CHARS_MAX}"),
            Some(path),
        ));
    }
    let document: Value = serde_json::from_str(text).map_err(|e| {
        malformed(
            &format!(
                "This policy contains invalid Json (line {}, column {}).",
                e.line(),
                e.column()
            ),
            path,
        )
    })?;
    parse_value(&document, kind, path)
}

pub fn parse_value(document: &Value, kind: Kind, path: &str) -> Result<Policy, ApiError> {
    let Some(map) = document.as_object() else {
        return Err(malformed("Syntax errors in policy.", path));
    };
    for key in map.keys() {
        if !matches!(key.as_str(), "Version" | "Statement" | "Id") {
            return Err(malformed(
                &format!("Syntax errors in policy. Unknown field {key}."),
                path,
            ));
        }
    }
    if let Some(version) = map.get("Version") {
        if !matches!(version.as_str(), Some("2012-10-17" | "2008-10-17")) {
            return Err(malformed("The policy failed legacy parsing", path));
        }
    }
    let statements = match map.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Err(malformed("Syntax errors in policy.", path)),
    };
    let statements = statements
        .into_iter()
        .map(|s| statement(s, kind, path))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Policy { statements })
}

fn statement(value: &Value, kind: Kind, path: &str) -> Result<Statement, ApiError> {
    let Some(map) = value.as_object() else {
        return Err(malformed("Syntax errors in policy.", path));
    };
    for key in map.keys() {
        match key.as_str() {
            "Sid" | "Effect" | "Action" | "Resource" | "Principal" | "Condition" => {}
            "NotAction" | "NotResource" | "NotPrincipal" => {
                return Err(ApiError::not_modelled(
                    &format!("{path}.Statement.{key}"),
                    "policies here are evaluated on Action, Resource and Principal.",
                ))
            }
            _ => {
                return Err(malformed(
                    &format!("Syntax errors in policy. Unknown field {key}."),
                    path,
                ))
            }
        }
    }
    let allow = match map.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        Some(_) => return Err(malformed("Syntax errors in policy.", path)),
        None => return Err(malformed("Missing required field Effect", path)),
    };
    let actions = match map.get("Action") {
        Some(v) => strings(v, path)?,
        None => return Err(malformed("Missing required field Action", path)),
    };
    let (resources, principals) = match kind {
        Kind::Identity => {
            if map.contains_key("Principal") {
                return Err(malformed(
                    "Policy document should not specify a principal.",
                    path,
                ));
            }
            let resources = match map.get("Resource") {
                Some(v) => strings(v, path)?,
                None => return Err(malformed("Missing required field Resource", path)),
            };
            (resources, Vec::new())
        }
        Kind::Trust => {
            if map.contains_key("Resource") {
                return Err(malformed("Has prohibited field Resource", path));
            }
            let principals = match map.get("Principal") {
                Some(Value::String(s)) if s == "*" => vec![("*".to_string(), "*".to_string())],
                Some(Value::Object(p)) if !p.is_empty() => {
                    let mut out = Vec::new();
                    for (kind, values) in p {
                        if !matches!(
                            kind.as_str(),
                            "Service" | "AWS" | "Federated" | "CanonicalUser"
                        ) {
                            return Err(malformed(
                                &format!("Invalid principal in policy: \"{kind}\""),
                                path,
                            ));
                        }
                        for v in strings(values, path)? {
                            out.push((kind.clone(), v));
                        }
                    }
                    out
                }
                Some(_) => return Err(malformed("Syntax errors in policy.", path)),
                None => return Err(malformed("Missing required field Principal", path)),
            };
            (Vec::new(), principals)
        }
    };
    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(v) => conditions(v, path)?,
    };
    Ok(Statement {
        allow,
        actions,
        resources,
        principals,
        conditions,
    })
}

fn conditions(value: &Value, path: &str) -> Result<Vec<Condition>, ApiError> {
    let Some(blocks) = value.as_object() else {
        return Err(malformed("Syntax errors in policy.", path));
    };
    let mut out = Vec::new();
    for (name, keys) in blocks {
        let (base, if_exists) = match name.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (name.as_str(), false),
        };
        let operator = match base {
            "StringEquals" | "ArnEquals" => Operator::StringEquals,
            "StringNotEquals" | "ArnNotEquals" => Operator::StringNotEquals,
            "StringLike" | "ArnLike" => Operator::StringLike,
            "StringNotLike" | "ArnNotLike" => Operator::StringNotLike,
            _ => {
                return Err(ApiError::not_modelled(
                    &format!("{path}.Statement.Condition.{name}"),
                    "conditions here use the String and Arn operators (Equals, NotEquals, Like, NotLike, and IfExists).",
                ))
            }
        };
        let Some(keys) = keys.as_object() else {
            return Err(malformed("Syntax errors in policy.", path));
        };
        for (key, values) in keys {
            out.push(Condition {
                operator,
                if_exists,
                key: key.to_ascii_lowercase(),
                values: strings(values, path)?,
            });
        }
    }
    Ok(out)
}

/// IAM's wildcard match: `*` any run of characters, `?` any one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn condition_holds(condition: &Condition, context: &[(&str, &str)]) -> bool {
    let value = context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&condition.key))
        .map(|(_, v)| *v);
    let Some(value) = value else {
        // A key the request does not carry: only IfExists (and the negated operators) hold.
        return condition.if_exists
            || matches!(
                condition.operator,
                Operator::StringNotEquals | Operator::StringNotLike
            );
    };
    let any = |f: &dyn Fn(&str) -> bool| condition.values.iter().any(|v| f(v));
    match condition.operator {
        Operator::StringEquals => any(&|v| v == value),
        Operator::StringNotEquals => !any(&|v| v == value),
        Operator::StringLike => any(&|v| glob(v, value)),
        Operator::StringNotLike => !any(&|v| glob(v, value)),
    }
}

impl Statement {
    fn matches(&self, request: &Request) -> bool {
        let action = request.action.to_ascii_lowercase();
        if !self
            .actions
            .iter()
            .any(|a| glob(&a.to_ascii_lowercase(), &action))
        {
            return false;
        }
        let target = match request.principal {
            Some((kind, who)) => self
                .principals
                .iter()
                .any(|(k, v)| (k == "*" && v == "*") || (k == kind && (v == who || v == "*"))),
            None => self.resources.iter().any(|r| glob(r, request.resource)),
        };
        target
            && self
                .conditions
                .iter()
                .all(|c| condition_holds(c, request.context))
    }
}

/// Evaluates `request` against every statement of `policies`: an explicit Deny wins, then an
/// Allow, else the implicit deny.
pub fn evaluate<'a>(policies: impl IntoIterator<Item = &'a Policy>, request: &Request) -> Decision {
    let mut allowed = false;
    for policy in policies {
        for s in &policy.statements {
            if s.matches(request) {
                if !s.allow {
                    return Decision::ExplicitDeny;
                }
                allowed = true;
            }
        }
    }
    if allowed {
        Decision::Allowed
    } else {
        Decision::ImplicitDeny
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(text: &str) -> Policy {
        parse(text, Kind::Identity, "$.PolicyDocument").expect("valid")
    }

    fn ask<'a>(action: &'a str, resource: &'a str) -> Request<'a> {
        Request {
            action,
            resource,
            principal: None,
            context: &[],
        }
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(glob("s3:Get*", "s3:GetObject"));
        assert!(glob("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.env"));
        assert!(glob("ecr:Batch???Image", "ecr:BatchGetImage"));
        assert!(!glob("s3:Get*", "s3:PutObject"));
        assert!(!glob("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/x"));
        assert!(glob("*", ""));
    }

    #[test]
    fn allow_deny_and_the_implicit_deny() {
        let allow = identity(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
        );
        let deny = identity(
            r#"{"Statement":{"Effect":"Deny","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::secret/*"}}"#,
        );
        let get = ask("s3:GetObject", "arn:aws:s3:::public/a");
        assert_eq!(evaluate([&allow], &get), Decision::Allowed);
        // Actions match case-insensitively.
        assert_eq!(
            evaluate([&allow], &ask("S3:getobject", "x")),
            Decision::Allowed
        );
        let secret = ask("s3:GetObject", "arn:aws:s3:::secret/key");
        assert_eq!(evaluate([&allow, &deny], &secret), Decision::ExplicitDeny);
        assert_eq!(evaluate([&deny, &allow], &secret), Decision::ExplicitDeny);
        assert_eq!(
            evaluate([&allow], &ask("s3:PutObject", "x")),
            Decision::ImplicitDeny
        );
        assert_eq!(evaluate([], &get), Decision::ImplicitDeny);
    }

    #[test]
    fn trust_policies_name_principals() {
        let trust = parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#,
            Kind::Trust,
            "$.AssumeRolePolicyDocument",
        )
        .expect("valid");
        let assume = |service| Request {
            action: "sts:AssumeRole",
            resource: "",
            principal: Some(("Service", service)),
            context: &[],
        };
        assert_eq!(
            evaluate([&trust], &assume("ecs-tasks.amazonaws.com")),
            Decision::Allowed
        );
        assert_eq!(
            evaluate([&trust], &assume("ec2.amazonaws.com")),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn conditions_on_context_keys() {
        let policy = identity(
            r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLike":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}}]}"#,
        );
        let with = |context: &'static [(&'static str, &'static str)]| Request {
            action: "iam:PassRole",
            resource: "arn:aws:iam::123456789012:role/app",
            principal: None,
            context,
        };
        assert_eq!(
            evaluate(
                [&policy],
                &with(&[("iam:PassedToService", "ecs-tasks.amazonaws.com")])
            ),
            Decision::Allowed
        );
        assert_eq!(
            evaluate(
                [&policy],
                &with(&[("iam:PassedToService", "ec2.amazonaws.com")])
            ),
            Decision::ImplicitDeny
        );
        // A key the request lacks fails a plain operator.
        assert_eq!(evaluate([&policy], &with(&[])), Decision::ImplicitDeny);
    }

    #[test]
    fn malformed_documents_say_why() {
        let error = |text: &str, kind| parse(text, kind, "$.PolicyDocument").unwrap_err();
        assert_eq!(
            error("{\"Statement\": [", Kind::Identity).code,
            "MalformedPolicyDocument"
        );
        assert!(error("{\"Statement\": [", Kind::Identity)
            .message
            .contains("line 1"));
        assert_eq!(
            error(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*"}}"#,
                Kind::Identity
            )
            .message,
            "Missing required field Resource"
        );
        assert_eq!(
            error(
                r#"{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Resource":"*"}}"#,
                Kind::Trust
            )
            .message,
            "Has prohibited field Resource"
        );
        assert_eq!(
            error(
                r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}}"#,
                Kind::Identity
            )
            .message,
            "Policy document should not specify a principal."
        );
        assert_eq!(
            error(
                r#"{"Statement":{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}}"#,
                Kind::Identity
            )
            .code,
            "UnsupportedFeatureException"
        );
    }
}
