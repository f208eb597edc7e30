//! The Cluster Query Language of `memberOf` constraints (aws-facts 2.5): subjects, operators in
//! symbol and word forms, `[a, b]` lists, Java-style regular expressions for `=~` / `!~`,
//! `task:group`, `and` / `or` / `not` (or `&&` / `||` / `!`) and parentheses.
//!
//! An expression is parsed once into an [`Expr`] and evaluated against an instance's [`Facts`].
//! Parse errors carry the column (1-based, in characters) and what was expected there.

use std::cmp::Ordering;

use crate::engine::time::parse_timestamp;

/// What an expression can ask of a container instance.
pub trait Facts {
    /// `Some(Some(v))` for an attribute with a value, `Some(None)` for one without (such as
    /// `ecs.capability.*`), `None` when the instance lacks it.
    fn attribute(&self, name: &str) -> Option<Option<&str>>;
    fn ec2_instance_id(&self) -> &str;
    fn agent_connected(&self) -> bool;
    fn agent_version(&self) -> &str;
    /// Seconds since the Unix epoch.
    fn registered_at_s(&self) -> i64;
    fn running_tasks_count(&self) -> u32;
    /// Whether a live task on the instance belongs to a group for which `test` holds.
    fn any_group(&self, test: &mut dyn FnMut(&str) -> bool) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CqlError {
    /// 1-based character column.
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for CqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    AgentConnected,
    AgentVersion,
    Attribute,
    Ec2InstanceId,
    RegisteredAt,
    RunningTasksCount,
    TaskGroup,
}

impl Subject {
    fn name(self) -> &'static str {
        match self {
            Subject::AgentConnected => "agentConnected",
            Subject::AgentVersion => "agentVersion",
            Subject::Attribute => "attribute:<name>",
            Subject::Ec2InstanceId => "ec2InstanceId",
            Subject::RegisteredAt => "registeredAt",
            Subject::RunningTasksCount => "runningTasksCount",
            Subject::TaskGroup => "task:group",
        }
    }

    /// The operators each subject takes (aws-facts 2.5's table; task:group, which the table
    /// leaves out, takes the equality, list and pattern ones).
    fn allows(self, op: Op) -> bool {
        use Op::*;
        match self {
            Subject::Attribute => true,
            Subject::AgentConnected | Subject::Ec2InstanceId | Subject::TaskGroup => {
                matches!(op, Eq | Ne | In | NotIn | Matches | NotMatches)
            }
            Subject::AgentVersion | Subject::RegisteredAt | Subject::RunningTasksCount => {
                matches!(op, Eq | Ne | Gt | Ge | Lt | Le)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Exists,
    NotExists,
    In,
    NotIn,
    Matches,
    NotMatches,
}

/// Operators by symbol and by word, longest symbols first so `>=` is not read as `>`.
const OPERATORS: &[(&str, Op)] = &[
    ("==", Op::Eq),
    ("!=", Op::Ne),
    (">=", Op::Ge),
    ("<=", Op::Le),
    (">", Op::Gt),
    ("<", Op::Lt),
    ("=~", Op::Matches),
    ("!~", Op::NotMatches),
    ("!exists", Op::NotExists),
    ("!in", Op::NotIn),
    ("equals", Op::Eq),
    ("not_equals", Op::Ne),
    ("greater_than_equal", Op::Ge),
    ("greater_than", Op::Gt),
    ("less_than_equal", Op::Le),
    ("less_than", Op::Lt),
    ("not_exists", Op::NotExists),
    ("exists", Op::Exists),
    ("not_in", Op::NotIn),
    ("in", Op::In),
    ("not_matches", Op::NotMatches),
    ("matches", Op::Matches),
];

#[derive(Debug, Clone)]
pub enum Argument {
    None,
    Value(String),
    List(Vec<String>),
    /// A compiled pattern, anchored at both ends as Java's `matches` is.
    Pattern(regex_lite::Regex),
    /// registeredAt, in seconds since the epoch.
    Time(i64),
}

#[derive(Debug, Clone)]
pub struct Term {
    pub subject: Subject,
    /// The attribute's name for `attribute:<name>`.
    pub attribute: String,
    pub op: Op,
    pub argument: Argument,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Term(Term),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// Parses a CQL expression.
pub fn parse(text: &str) -> Result<Expr, CqlError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    parser.skip_space();
    if parser.at == parser.chars.len() {
        return Err(parser.error("Expected an expression"));
    }
    let expr = parser.or()?;
    parser.skip_space();
    if parser.at < parser.chars.len() {
        return Err(parser.error("Expected `and`, `or` or the end of the expression"));
    }
    Ok(expr)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn error(&self, message: &str) -> CqlError {
        CqlError {
            column: self.at + 1,
            message: message.to_string(),
        }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn rest_starts_with(&self, word: &str) -> bool {
        word.chars()
            .enumerate()
            .all(|(n, w)| self.chars.get(self.at + n) == Some(&w))
    }

    /// A keyword such as `and` that must stand alone: followed by a space, a parenthesis or the
    /// end. Consumes it when present.
    fn keyword(&mut self, word: &str) -> bool {
        if !self.rest_starts_with(word) {
            return false;
        }
        let after = self.chars.get(self.at + word.chars().count());
        let symbol = !word.chars().next().is_some_and(char::is_alphabetic);
        if symbol || after.is_none_or(|c| c.is_whitespace() || *c == '(' || *c == '[') {
            self.at += word.chars().count();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, CqlError> {
        let mut left = self.and()?;
        loop {
            self.skip_space();
            if self.keyword("||") || self.keyword("or") {
                let right = self.and()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn and(&mut self) -> Result<Expr, CqlError> {
        let mut left = self.unary()?;
        loop {
            self.skip_space();
            if self.keyword("&&") || self.keyword("and") {
                let right = self.unary()?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, CqlError> {
        self.skip_space();
        if self.keyword("not") || self.keyword("!") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.chars.get(self.at) == Some(&'(') {
            self.at += 1;
            let inner = self.or()?;
            self.skip_space();
            if self.chars.get(self.at) != Some(&')') {
                return Err(self.error("Expected `)`"));
            }
            self.at += 1;
            return Ok(inner);
        }
        self.term().map(Expr::Term)
    }

    fn term(&mut self) -> Result<Term, CqlError> {
        if self.at == self.chars.len() {
            return Err(self.error("Expected an expression"));
        }
        let (subject, attribute) = self.subject()?;
        self.skip_space();
        let op_at = self.at;
        let op = self.operator()?;
        if !subject.allows(op) {
            return Err(CqlError {
                column: op_at + 1,
                message: format!("The operator is not valid for {}", subject.name()),
            });
        }
        if matches!(op, Op::Exists | Op::NotExists) {
            return Ok(Term {
                subject,
                attribute,
                op,
                argument: Argument::None,
            });
        }
        self.skip_space();
        let argument = self.argument(subject, op)?;
        Ok(Term {
            subject,
            attribute,
            op,
            argument,
        })
    }

    /// The operator at the cursor (a word operator must end there).
    fn operator(&mut self) -> Result<Op, CqlError> {
        OPERATORS
            .iter()
            .find(|(word, _)| {
                self.rest_starts_with(word) && {
                    // A word operator must end there (`in` is not the start of `inactive`).
                    let after = self.chars.get(self.at + word.len());
                    !word
                        .chars()
                        .all(|c| c.is_alphabetic() || c == '_' || c == '!')
                        || after.is_none_or(|c| !(c.is_alphanumeric() || *c == '_'))
                }
            })
            .map(|&(word, op)| {
                self.at += word.len();
                op
            })
            .ok_or_else(|| {
                self.error(
                    "Expected an operator (==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~)",
                )
            })
    }

    /// The value or list after an operator, checked for its subject.
    fn argument(&mut self, subject: Subject, op: Op) -> Result<Argument, CqlError> {
        let value_at = self.at;
        let argument = if matches!(op, Op::In | Op::NotIn) {
            Argument::List(self.list()?)
        } else {
            let value = self.value(false)?;
            match (subject, op) {
                (_, Op::Matches | Op::NotMatches) => {
                    let regex = compile_pattern(&value).map_err(|message| CqlError {
                        column: value_at + 1,
                        message,
                    })?;
                    Argument::Pattern(regex)
                }
                (Subject::RegisteredAt, _) => {
                    Argument::Time(registered_at(&value).ok_or_else(|| CqlError {
                        column: value_at + 1,
                        message:
                            "Expected a date such as 2018-06-18 or 2018-06-18T22:28:28Z".into(),
                    })?)
                }
                (Subject::RunningTasksCount, _) if value.parse::<u32>().is_err() => {
                    return Err(CqlError {
                        column: value_at + 1,
                        message: "Expected a whole number".into(),
                    })
                }
                (Subject::AgentVersion, _) if version(&value).is_none() => {
                    return Err(CqlError {
                        column: value_at + 1,
                        message: "Expected a version such as 1.14.5".into(),
                    })
                }
                _ => Argument::Value(value),
            }
        };
        Ok(argument)
    }

    fn subject(&mut self) -> Result<(Subject, String), CqlError> {
        for (word, subject) in [
            ("agentConnected", Subject::AgentConnected),
            ("agentVersion", Subject::AgentVersion),
            ("ec2InstanceId", Subject::Ec2InstanceId),
            ("registeredAt", Subject::RegisteredAt),
            ("runningTasksCount", Subject::RunningTasksCount),
            ("task:group", Subject::TaskGroup),
        ] {
            if self.rest_starts_with(word) {
                let after = self.chars.get(self.at + word.len());
                if after.is_none_or(|c| !(c.is_alphanumeric() || *c == ':' || *c == '.')) {
                    self.at += word.len();
                    return Ok((subject, String::new()));
                }
            }
        }
        if self.rest_starts_with("attribute:") {
            self.at += "attribute:".len();
            let start = self.at;
            while self.chars.get(self.at).is_some_and(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '\\' | '.')
            }) {
                self.at += 1;
            }
            if self.at == start {
                return Err(self.error("Expected an attribute name"));
            }
            let name: String = self.chars[start..self.at].iter().collect();
            return Ok((Subject::Attribute, name));
        }
        Err(self.error("Expected a subject (agentConnected, agentVersion, attribute:<name>, ec2InstanceId, registeredAt, runningTasksCount, task:group), `not` or `(`"))
    }

    /// A value: quoted with ' or ", or a run of characters up to a space, `)` (and `,` or `]` in
    /// a list).
    fn value(&mut self, in_list: bool) -> Result<String, CqlError> {
        match self.chars.get(self.at) {
            Some(&quote) if quote == '\'' || quote == '"' => {
                let start = self.at;
                self.at += 1;
                let begin = self.at;
                while self.chars.get(self.at).is_some_and(|c| *c != quote) {
                    self.at += 1;
                }
                if self.at == self.chars.len() {
                    return Err(CqlError {
                        column: start + 1,
                        message: format!("Expected a closing {quote}"),
                    });
                }
                let value = self.chars[begin..self.at].iter().collect();
                self.at += 1;
                Ok(value)
            }
            Some('=' | '!' | '<' | '>') => Err(self.error("Expected a value")),
            _ => {
                let start = self.at;
                let mut depth = 0usize;
                while let Some(&c) = self.chars.get(self.at) {
                    if c.is_whitespace()
                        || (c == ')' && depth == 0)
                        || (in_list && (c == ',' || c == ']'))
                    {
                        break;
                    }
                    // Parentheses inside a pattern such as (m5|c5).* belong to the value.
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    self.at += 1;
                }
                if self.at == start {
                    return Err(self.error("Expected a value"));
                }
                Ok(self.chars[start..self.at].iter().collect())
            }
        }
    }

    fn list(&mut self) -> Result<Vec<String>, CqlError> {
        if self.chars.get(self.at) != Some(&'[') {
            return Err(self.error("Expected `[` to start a list"));
        }
        self.at += 1;
        let mut values = Vec::new();
        loop {
            self.skip_space();
            values.push(self.value(true)?);
            self.skip_space();
            match self.chars.get(self.at) {
                Some(',') => self.at += 1,
                Some(']') => {
                    self.at += 1;
                    return Ok(values);
                }
                _ => return Err(self.error("Expected `,` or `]`")),
            }
        }
    }
}

/// registeredAt's forms: `2018-06-18T22:28:28+00:00`, `...Z`, `2018-06-18T22:28:28`, `2018-06-18`.
fn registered_at(text: &str) -> Option<i64> {
    let with_zone = if text.contains('T') && !(text.ends_with('Z') || text.ends_with("+00:00")) {
        format!("{text}Z")
    } else {
        text.to_string()
    };
    parse_timestamp(&with_zone)
        .ok()
        .map(|ms| ms.div_euclid(1_000))
}

/// A dotted version as numbers, for agentVersion: `1.14.5` -> [1, 14, 5].
fn version(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|p| p.parse().ok()).collect()
}

/// Orders two attribute values: as numbers when both are, else as text.
fn compare_values(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

fn ordered(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        _ => false,
    }
}

impl Term {
    /// Tests one text value. Negative operators are the negation of their positive form, so
    /// `attribute:stack != prod` holds on an instance without a stack attribute.
    fn test_value(&self, actual: Option<&str>) -> bool {
        let positive = match self.op {
            Op::Ne => Op::Eq,
            Op::NotIn => Op::In,
            Op::NotMatches => Op::Matches,
            Op::NotExists => Op::Exists,
            op => op,
        };
        let holds = match (positive, &self.argument, actual) {
            (Op::Exists, _, _) => unreachable!("exists is decided on presence"),
            (_, _, None) => false,
            (Op::In, Argument::List(values), Some(a)) => values.iter().any(|v| v == a),
            (Op::Matches, Argument::Pattern(regex), Some(a)) => regex.is_match(a),
            (op, Argument::Value(v), Some(a)) => ordered(op, compare_values(a, v)),
            _ => false,
        };
        holds != (positive != self.op)
    }

    pub fn eval(&self, facts: &dyn Facts) -> bool {
        match self.subject {
            Subject::Attribute => match self.op {
                Op::Exists => facts.attribute(&self.attribute).is_some(),
                Op::NotExists => facts.attribute(&self.attribute).is_none(),
                _ => self.test_value(facts.attribute(&self.attribute).flatten()),
            },
            Subject::Ec2InstanceId => self.test_value(Some(facts.ec2_instance_id())),
            Subject::AgentConnected => self.test_value(Some(if facts.agent_connected() {
                "true"
            } else {
                "false"
            })),
            Subject::AgentVersion => match &self.argument {
                Argument::Value(v) => ordered(
                    self.op,
                    version(facts.agent_version())
                        .unwrap_or_default()
                        .cmp(&version(v).unwrap_or_default()),
                ),
                _ => false,
            },
            Subject::RegisteredAt => match self.argument {
                Argument::Time(t) => ordered(self.op, facts.registered_at_s().cmp(&t)),
                _ => false,
            },
            Subject::RunningTasksCount => match &self.argument {
                Argument::Value(v) => ordered(
                    self.op,
                    facts
                        .running_tasks_count()
                        .cmp(&v.parse::<u32>().unwrap_or(0)),
                ),
                _ => false,
            },
            Subject::TaskGroup => {
                let positive = match self.op {
                    Op::Ne => Op::Eq,
                    Op::NotIn => Op::In,
                    Op::NotMatches => Op::Matches,
                    op => op,
                };
                let any = facts.any_group(&mut |group| match (&self.argument, positive) {
                    (Argument::Value(v), Op::Eq) => group == v,
                    (Argument::List(values), Op::In) => values.iter().any(|v| v == group),
                    (Argument::Pattern(regex), Op::Matches) => regex.is_match(group),
                    _ => false,
                });
                any == (positive == self.op)
            }
        }
    }

    /// Whether the answer can change as tasks come and go on the instance.
    fn is_dynamic(&self) -> bool {
        matches!(
            self.subject,
            Subject::RunningTasksCount | Subject::TaskGroup
        )
    }
}

impl Expr {
    pub fn eval(&self, facts: &dyn Facts) -> bool {
        match self {
            Expr::Term(term) => term.eval(facts),
            Expr::Not(inner) => !inner.eval(facts),
            Expr::And(a, b) => a.eval(facts) && b.eval(facts),
            Expr::Or(a, b) => a.eval(facts) || b.eval(facts),
        }
    }

    /// Whether the answer depends on the tasks on the instance (runningTasksCount, task:group)
    /// and so can change while tasks are placed; otherwise it is fixed for the instance.
    pub fn is_dynamic(&self) -> bool {
        match self {
            Expr::Term(term) => term.is_dynamic(),
            Expr::Not(inner) => inner.is_dynamic(),
            Expr::And(a, b) | Expr::Or(a, b) => a.is_dynamic() || b.is_dynamic(),
        }
    }
}

/// The most heap a compiled `=~` pattern may take. An ordinary attribute pattern compiles to a
/// few KiB; a pattern that would need more (`(?:a|b){20000}`) is refused, so neither compiling
/// it nor matching with it can stall a scheduling pass.
pub const PATTERN_BYTES_MAX: usize = 256 * 1024;
/// Compiled patterns kept for reuse: a service's constraints are parsed again on each request
/// and scheduling pass, and compiling is the expensive part. Full, the cache starts afresh.
pub const PATTERN_CACHE_ENTRIES_MAX: usize = 256;

type Compiled = Result<regex_lite::Regex, String>;

thread_local! {
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, Compiled>> =
        Default::default();
}

/// The whole-value regular expression of `=~` / `!~` (Java's `matches()`), compiled once per
/// distinct pattern while the cache holds it. Only a cache: no answer depends on it.
fn compile_pattern(pattern: &str) -> Compiled {
    PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(found) = cache.get(pattern) {
            return found.clone();
        }
        let compiled = regex_lite::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(PATTERN_BYTES_MAX)
            .build()
            .map_err(|e| {
                let detail = e.to_string();
                if detail.contains("size limit") {
                    format!(
                        "Invalid regular expression: it compiles to more than the limit of {} KiB.",
                        PATTERN_BYTES_MAX / 1024
                    )
                } else {
                    let last = detail.lines().last().unwrap_or("");
                    format!("Invalid regular expression: {last}")
                }
            });
        if cache.len() >= PATTERN_CACHE_ENTRIES_MAX {
            cache.clear();
        }
        cache.insert(pattern.to_string(), compiled.clone());
        compiled
    })
}
