//! Step references: a step may carry `"id": "tg"`, and any string in a later step's input may
//! contain `${tg.TargetGroups[0].TargetGroupArn}`, a dotted path with `[n]` indexes into that
//! step's response, as a script captures an ARN with `--query`. A string that is one reference
//! and nothing else takes the referenced value as it is (a number stays a number); a reference
//! inside a longer string is replaced by its text (a string without quotes, anything else as
//! JSON). A reference that cannot be resolved fails the step with an error that names it.

use serde_json::Value;

use crate::engine::error::ApiError;

/// What is known of a step id when a later step refers to it.
pub enum Referent<'a> {
    /// The step ran and AWS answered this.
    Answered(&'a Value),
    /// The step ran and was refused.
    Refused,
    /// The step is in the scenario but has not run yet.
    NotYet,
    /// No step has this id.
    Unknown,
}

/// The longest a step id may be, and its alphabet: letters, digits, `-` and `_`.
pub const STEP_ID_CHARS_MAX: usize = 64;

pub fn is_valid_step_id(id: &str) -> bool {
    (1..=STEP_ID_CHARS_MAX).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn reference_error(reference: &str, why: String) -> ApiError {
    ApiError::new(
        "StepReferenceError",
        format!("${{{reference}}}: {why}"),
        Some("$.input"),
    )
}

/// Follows `TargetGroups[0].TargetGroupArn` into `value`.
fn follow<'a>(value: &'a Value, path: &str, reference: &str) -> Result<&'a Value, ApiError> {
    let mut here = value;
    let mut walked = String::new();
    for part in path.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            walked += if walked.is_empty() { "" } else { "." };
            walked += key;
            here = here.get(key).ok_or_else(|| {
                reference_error(reference, format!("the response has no field {walked}"))
            })?;
        }
        let mut rest = indexes;
        while let Some(stripped) = rest.strip_prefix('[') {
            let (number, after) = stripped
                .split_once(']')
                .ok_or_else(|| reference_error(reference, "an index is missing its ']'".into()))?;
            let n: usize = number
                .parse()
                .map_err(|_| reference_error(reference, format!("[{number}] is not an index")))?;
            walked += &format!("[{n}]");
            here = here.get(n).ok_or_else(|| {
                reference_error(reference, format!("the response has no {walked}"))
            })?;
            rest = after;
        }
        if !rest.is_empty() {
            return Err(reference_error(
                reference,
                format!("unexpected {rest:?} in the path"),
            ));
        }
    }
    Ok(here)
}

/// The value `reference` (`tg.TargetGroups[0].TargetGroupArn`) names.
fn lookup<'a>(
    reference: &str,
    referent: &impl Fn(&str) -> Referent<'a>,
) -> Result<&'a Value, ApiError> {
    let (id, path) = match reference.find(['.', '[']) {
        Some(i) => (&reference[..i], reference[i..].trim_start_matches('.')),
        None => (reference, ""),
    };
    match referent(id) {
        Referent::Answered(response) if path.is_empty() => Ok(response),
        Referent::Answered(response) => follow(response, path, reference),
        Referent::Refused => Err(reference_error(
            reference,
            format!("step {id:?} was refused, so it has no response"),
        )),
        Referent::NotYet => Err(reference_error(
            reference,
            format!("step {id:?} has not run yet"),
        )),
        Referent::Unknown => Err(reference_error(
            reference,
            format!("no step has the id {id:?}"),
        )),
    }
}

fn resolve_string<'a>(
    text: &str,
    referent: &impl Fn(&str) -> Referent<'a>,
) -> Result<Value, ApiError> {
    if !text.contains("${") {
        return Ok(Value::String(text.to_string()));
    }
    // One reference and nothing else: the value as it is.
    if let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
        if !inner.contains("${") && !inner.contains('}') {
            return lookup(inner, referent).cloned();
        }
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out += &rest[..start];
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| {
            ApiError::new(
                "StepReferenceError",
                format!("${{{after}: the reference is missing its '}}'"),
                Some("$.input"),
            )
        })?;
        match lookup(&after[..end], referent)? {
            Value::String(s) => out += s,
            other => out += &other.to_string(),
        }
        rest = &after[end + 1..];
    }
    out += rest;
    Ok(Value::String(out))
}

/// `input` with every reference in its strings (not its keys) replaced.
pub fn resolve<'a>(
    input: &Value,
    referent: &impl Fn(&str) -> Referent<'a>,
) -> Result<Value, ApiError> {
    Ok(match input {
        Value::String(text) => resolve_string(text, referent)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| resolve(item, referent))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, value) in map {
                out.insert(key.clone(), resolve(value, referent)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Whether `input` holds a reference at all (most steps do not, and are used as they are).
pub fn has_references(input: &Value) -> bool {
    match input {
        Value::String(text) => text.contains("${"),
        Value::Array(items) => items.iter().any(has_references),
        Value::Object(map) => map.values().any(has_references),
        _ => false,
    }
}
