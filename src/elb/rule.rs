//! Listener rules of an Application Load Balancer: CreateRule, DescribeRules, DeleteRule. A
//! rule matches requests by `path-pattern` or `host-header` (`*` any run of characters, `?` one,
//! case-insensitive for hosts) and forwards them, or answers them, by its actions; rules are
//! tried by priority (1 first), the listener's default action last (aws-facts 8.1).

use serde::Deserialize;
use serde_json::{json, Value};

use super::load_balancer::{Action, Kind};
use super::validation;
use crate::engine::error::{parse_request, ApiError};
use crate::world::World;

/// A rule's priority: 1 to 50,000, one rule per priority on a listener (ELB's rule).
pub const RULE_PRIORITY_MAX: i64 = 50_000;
/// Rules per listener, and condition values per rule, at the most (ELB's quotas: 100 rules a
/// load balancer, 5 condition values a rule).
pub const RULES_PER_LISTENER_MAX: usize = 100;
pub const CONDITION_VALUES_MAX: usize = 5;
/// A condition value's length at the most (ELB: 128 characters).
pub const CONDITION_VALUE_CHARS_MAX: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub arn: String,
    pub listener: String,
    pub priority: u32,
    pub conditions: Vec<Condition>,
    /// The actions as given back by DescribeRules.
    pub actions: Value,
    /// The target groups the rule forwards to, with their weights.
    pub forward: Vec<(String, u32)>,
}

/// One condition: a field and the patterns any of which it must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub values: Vec<String>,
}

impl Condition {
    /// Whether a request with this path and host meets the condition.
    pub fn matches(&self, path: &str, host: &str) -> bool {
        match self.field.as_str() {
            "path-pattern" => self.values.iter().any(|p| wildcard(p, path)),
            "host-header" => (self.values.iter())
                .any(|p| wildcard(&p.to_ascii_lowercase(), &host.to_ascii_lowercase())),
            _ => false,
        }
    }
}

/// `*` matches any run of characters (none included), `?` exactly one; the rest itself.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The classic two-pointer match with backtracking to the last `*`: linear in practice,
    // and bounded by the 128-character patterns.
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

impl Rule {
    pub fn json(&self) -> Value {
        json!({
            "RuleArn": self.arn,
            "Priority": self.priority.to_string(),
            "Conditions": self.conditions.iter().map(|c| {
                let config = if c.field == "path-pattern" { "PathPatternConfig" } else { "HostHeaderConfig" };
                json!({ "Field": c.field, "Values": c.values, config: { "Values": c.values } })
            }).collect::<Vec<_>>(),
            "Actions": self.actions,
            "IsDefault": false,
        })
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRuleRequest {
    listener_arn: String,
    conditions: Vec<ConditionField>,
    priority: i64,
    actions: Vec<Action>,
    tags: Option<Value>,
    transforms: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ConditionField {
    field: Option<String>,
    values: Option<Vec<String>>,
    host_header_config: Option<ValuesConfig>,
    path_pattern_config: Option<ValuesConfig>,
    http_header_config: Option<Value>,
    query_string_config: Option<Value>,
    http_request_method_config: Option<Value>,
    source_ip_config: Option<Value>,
    regex_values: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ValuesConfig {
    values: Option<Vec<String>>,
    regex_values: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeRulesRequest {
    listener_arn: Option<String>,
    rule_arns: Option<Vec<String>>,
    marker: Option<Value>,
    page_size: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RuleArnRequest {
    rule_arn: String,
}

fn rule_not_found(path: &str) -> ApiError {
    ApiError::new("RuleNotFound", "One or more rules not found", Some(path))
}

/// A rule's conditions, checked: `path-pattern` and `host-header`, by `Values` or their config.
fn conditions(fields: &[ConditionField]) -> Result<Vec<Condition>, ApiError> {
    if fields.is_empty() {
        return Err(validation(
            "A rule must have at least one condition",
            "$.Conditions",
        ));
    }
    let mut out: Vec<Condition> = Vec::new();
    for (n, c) in fields.iter().enumerate() {
        let at = format!("$.Conditions[{n}]");
        let regex_in_config = [&c.host_header_config, &c.path_pattern_config]
            .iter()
            .any(|config| config.as_ref().is_some_and(|v| v.regex_values.is_some()));
        let unmodelled = c.http_header_config.is_some()
            || c.query_string_config.is_some()
            || c.http_request_method_config.is_some()
            || c.source_ip_config.is_some()
            || c.regex_values.is_some()
            || regex_in_config;
        let field = c.field.clone().unwrap_or_default();
        if unmodelled || !["path-pattern", "host-header"].contains(&field.as_str()) {
            return Err(ApiError::not_modelled(
                &format!("{at}.Field"),
                "rules here match path-pattern and host-header.",
            ));
        }
        let config = if field == "path-pattern" {
            &c.path_pattern_config
        } else {
            &c.host_header_config
        };
        let values = match (&c.values, config.as_ref().and_then(|v| v.values.clone())) {
            (Some(values), None) => values.clone(),
            (None, Some(values)) => values,
            _ => {
                return Err(validation(
                    format!(
                        "A '{field}' condition takes its patterns in Values or in its config, once"
                    ),
                    &at,
                ))
            }
        };
        if values.is_empty()
            || values.len() > CONDITION_VALUES_MAX
            || values
                .iter()
                .any(|v| v.is_empty() || v.len() > CONDITION_VALUE_CHARS_MAX)
        {
            return Err(validation(
                format!("A condition has 1 to {CONDITION_VALUES_MAX} values of 1 to {CONDITION_VALUE_CHARS_MAX} characters"),
                &format!("{at}.Values"),
            ));
        }
        if out.iter().any(|o| o.field == field) {
            return Err(validation(
                format!("A rule can have only one '{field}' condition"),
                &at,
            ));
        }
        out.push(Condition { field, values });
    }
    Ok(out)
}

impl World {
    pub(crate) fn create_rule(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateRuleRequest = parse_request(input)?;
        crate::engine::error::refuse_unmodelled(
            input,
            &[crate::engine::error::Unmodelled::field(
                "$.Transforms",
                "URL and host rewrites are not simulated.",
            )],
        )?;
        let listener = (self.elb.listeners.iter())
            .find(|l| l.arn == request.listener_arn)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    "ListenerNotFound",
                    "One or more listeners not found",
                    Some("$.ListenerArn"),
                )
            })?;
        let kind = (self.elb.load_balancers.iter())
            .find(|lb| lb.arn == listener.load_balancer)
            .map_or(Kind::Application, |lb| lb.kind);
        if kind == Kind::Network {
            return Err(validation(
                "Network Load Balancer listeners have no rules",
                "$.ListenerArn",
            ));
        }
        if !(1..=RULE_PRIORITY_MAX).contains(&request.priority) {
            return Err(validation(
                format!("Priority must be between 1 and {RULE_PRIORITY_MAX}"),
                "$.Priority",
            ));
        }
        let priority = request.priority as u32;
        let on_listener: Vec<&Rule> = (self.elb.rules.iter())
            .filter(|r| r.listener == listener.arn)
            .collect();
        if on_listener.iter().any(|r| r.priority == priority) {
            return Err(ApiError::new(
                "PriorityInUse",
                format!("Priority '{priority}' is currently in use"),
                Some("$.Priority"),
            ));
        }
        if on_listener.len() >= RULES_PER_LISTENER_MAX {
            return Err(ApiError::new(
                "TooManyRules",
                format!("A listener has at most {RULES_PER_LISTENER_MAX} rules"),
                None,
            ));
        }
        let conditions = conditions(&request.conditions)?;
        let (forward, actions) =
            self.listener_actions(&request.actions, kind, &listener.load_balancer, "$.Actions")?;
        let rule = Rule {
            arn: format!(
                "{}/{}",
                listener.arn.replacen(":listener/", ":listener-rule/", 1),
                self.ids.hex(16)
            ),
            listener: listener.arn,
            priority,
            conditions,
            actions,
            forward,
        };
        let out = rule.json();
        self.elb.rules.push(rule);
        self.target_groups_changed();
        Ok(json!({ "Rules": [out] }))
    }

    pub(crate) fn describe_rules(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeRulesRequest = parse_request(input)?;
        crate::engine::error::refuse_unmodelled(input, super::load_balancer::PAGING_UNMODELLED)?;
        let arns = request.rule_arns.unwrap_or_default();
        for (n, arn) in arns.iter().enumerate() {
            if !self.elb.rules.iter().any(|r| r.arn == *arn) {
                return Err(rule_not_found(&format!("$.RuleArns[{n}]")));
            }
        }
        let mut out: Vec<Value> = Vec::new();
        if let Some(listener_arn) = &request.listener_arn {
            let listener = (self.elb.listeners.iter())
                .find(|l| l.arn == *listener_arn)
                .ok_or_else(|| {
                    ApiError::new(
                        "ListenerNotFound",
                        "One or more listeners not found",
                        Some("$.ListenerArn"),
                    )
                })?;
            let mut rules: Vec<&Rule> = (self.elb.rules.iter())
                .filter(|r| r.listener == *listener_arn)
                .collect();
            rules.sort_by_key(|r| r.priority);
            out.extend(rules.iter().map(|r| r.json()));
            // The listener's default action is its last rule.
            out.push(json!({
                "RuleArn": format!("{}/{}", listener.arn.replacen(":listener/", ":listener-rule/", 1), &listener.arn[listener.arn.len() - 16..]),
                "Priority": "default",
                "Conditions": [],
                "Actions": listener.default_actions,
                "IsDefault": true,
            }));
        } else if arns.is_empty() {
            return Err(validation(
                "You must specify either listener ARN or rule ARNs",
                "$.ListenerArn",
            ));
        }
        out.extend(
            (self.elb.rules.iter())
                .filter(|r| arns.contains(&r.arn))
                .map(Rule::json),
        );
        Ok(json!({ "Rules": out }))
    }

    pub(crate) fn delete_rule(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RuleArnRequest = parse_request(input)?;
        if !self.elb.rules.iter().any(|r| r.arn == request.rule_arn) {
            return Err(rule_not_found("$.RuleArn"));
        }
        self.elb.rules.retain(|r| r.arn != request.rule_arn);
        self.target_groups_changed();
        Ok(json!({}))
    }
}
