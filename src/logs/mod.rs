//! Amazon CloudWatch Logs, prefix `logs:` (aws-facts 17.7): log groups with their retention,
//! log streams and their events. The awslogs driver of ECS tasks writes here through a
//! `world::Command` (as the driver calls `CreateLogStream` and `PutLogEvents`); the requests
//! read and filter what was written. Requests take the JSON `aws logs ... --cli-input-json`
//! takes, in camelCase; timestamps are milliseconds since the epoch.
//!
//! Bounded: [`GROUPS_MAX`] groups, [`STREAMS_PER_GROUP_MAX`] streams a group (the stream
//! written longest ago goes), [`EVENTS_PER_STREAM_MAX`] events a stream (the oldest go).
//!
//! Not here: metric filters, subscriptions, Logs Insights, KMS keys, the JSON and
//! space-delimited filter patterns (term patterns are).

pub mod read;

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::{SimTime, MS_PER_DAY};
use crate::world::World;

pub const GROUPS_MAX: usize = 1_000;
pub const STREAMS_PER_GROUP_MAX: usize = 500;
pub const EVENTS_PER_STREAM_MAX: usize = 1_000;
/// GetLogEvents and FilterLogEvents return at most this many events (CloudWatch Logs' limit).
pub const EVENTS_PER_ANSWER_MAX: usize = 10_000;
/// A log event's message at most this long here (CloudWatch Logs takes 256 KiB; the model's
/// lines are short).
pub const MESSAGE_CHARS_MAX: usize = 8_192;
/// The values `retentionInDays` takes (aws-facts 17.7.3).
pub const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

#[derive(Debug, Clone)]
pub struct Event {
    pub at: SimTime,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Stream {
    pub created_at: SimTime,
    pub events: VecDeque<Event>,
    pub last_write: SimTime,
}

#[derive(Debug, Clone)]
pub struct LogGroup {
    pub name: String,
    pub created_at: SimTime,
    pub retention_days: Option<u32>,
    pub streams: BTreeMap<String, Stream>,
}

#[derive(Debug, Default)]
pub struct LogsState {
    pub groups: BTreeMap<String, LogGroup>,
}

/// What the awslogs driver writes: lines to a stream of a group, creating the stream (and
/// the group, with `awslogs-create-group`) when missing.
#[derive(Debug, Clone, PartialEq)]
pub struct LogWrite {
    pub group: String,
    pub stream: String,
    pub create_group: bool,
    pub lines: Vec<String>,
}

/// Performs `logs:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateLogGroup" => world.create_log_group(input),
        "DeleteLogGroup" => world.delete_log_group(input),
        "DescribeLogGroups" => world.describe_log_groups(input),
        "PutRetentionPolicy" => world.put_retention_policy(input),
        "DeleteRetentionPolicy" => world.delete_retention_policy(input),
        "CreateLogStream" => world.create_log_stream(input),
        "DescribeLogStreams" => world.describe_log_streams(input),
        "PutLogEvents" => world.put_log_events(input),
        "GetLogEvents" => world.get_log_events(input),
        "FilterLogEvents" => world.filter_log_events(input),
        _ => Err(ApiError::unknown_operation(&format!("logs:{operation}"))),
    }
}

/// Carries out a driver's write (see [`LogWrite`]). A write to a group that does not exist
/// (and may not be created) or past the bounds is dropped, as the driver's would fail.
pub fn write(world: &mut World, w: LogWrite) {
    let now = world.now;
    if !world.logs.groups.contains_key(&w.group) {
        if !w.create_group || world.logs.groups.len() >= GROUPS_MAX {
            return;
        }
        world
            .logs
            .groups
            .insert(w.group.clone(), LogGroup::new(&w.group, now));
    }
    let group = world.logs.groups.get_mut(&w.group).expect("made");
    group.append(&w.stream, now, w.lines);
}

impl LogGroup {
    fn new(name: &str, now: SimTime) -> Self {
        LogGroup {
            name: name.to_string(),
            created_at: now,
            retention_days: None,
            streams: BTreeMap::new(),
        }
    }

    fn ensure_stream(&mut self, stream: &str, now: SimTime) -> &mut Stream {
        if !self.streams.contains_key(stream) && self.streams.len() >= STREAMS_PER_GROUP_MAX {
            let oldest = (self.streams.iter())
                .min_by_key(|(_, s)| s.last_write)
                .map(|(n, _)| n.clone())
                .expect("full");
            self.streams.remove(&oldest);
        }
        self.streams.entry(stream.to_string()).or_insert(Stream {
            created_at: now,
            events: VecDeque::new(),
            last_write: now,
        })
    }

    fn append(&mut self, stream: &str, now: SimTime, lines: Vec<String>) {
        let retention = self.retention_days;
        let s = self.ensure_stream(stream, now);
        s.last_write = now;
        for line in lines {
            let mut message = line;
            if message.chars().count() > MESSAGE_CHARS_MAX {
                message = message.chars().take(MESSAGE_CHARS_MAX).collect();
            }
            s.events.push_back(Event { at: now, message });
        }
        while s.events.len() > EVENTS_PER_STREAM_MAX {
            s.events.pop_front();
        }
        if let Some(days) = retention {
            let keep_from = now.saturating_sub(u64::from(days) * MS_PER_DAY);
            while s.events.front().is_some_and(|e| e.at < keep_from) {
                s.events.pop_front();
            }
        }
    }

    fn stored_bytes(&self) -> usize {
        (self.streams.values())
            .flat_map(|s| s.events.iter())
            .map(|e| e.message.len() + 26)
            .sum()
    }
}

fn not_found() -> ApiError {
    ApiError::new(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        Some("$.logGroupName"),
    )
}

/// CloudWatch Logs' name rule for groups (aws-facts 17.7.3).
fn check_group_name(name: &str) -> Result<(), ApiError> {
    let ok = (1..=512).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c));
    if !ok {
        return Err(ApiError::invalid_parameter(
            format!("1 validation error detected: Value '{name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"),
            "$.logGroupName",
        ));
    }
    if name.starts_with("aws/") {
        return Err(ApiError::invalid_parameter(
            "Log group names cannot start with 'aws/'.",
            "$.logGroupName",
        ));
    }
    Ok(())
}

fn check_stream_name(name: &str) -> Result<(), ApiError> {
    if !(1..=512).contains(&name.len()) || name.contains(':') || name.contains('*') {
        return Err(ApiError::invalid_parameter(
            format!("1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"),
            "$.logStreamName",
        ));
    }
    Ok(())
}

/// A term filter pattern (CloudWatch Logs' "Matching terms in log events"): every plain term
/// must appear, no `-term` may, and with `?term`s at least one of them must. Quoted terms
/// keep their spaces; matching is case-sensitive.
pub fn pattern_matches(terms: &[String], message: &str) -> bool {
    let mut any = Vec::new();
    for t in terms {
        if let Some(t) = t.strip_prefix('?') {
            any.push(t);
        } else if let Some(t) = t.strip_prefix('-') {
            if message.contains(t) {
                return false;
            }
        } else if !message.contains(t.as_str()) {
            return false;
        }
    }
    any.is_empty() || any.iter().any(|t| message.contains(t))
}

/// The terms of a filter pattern; JSON (`{ ... }`) and space-delimited (`[ ... ]`) patterns
/// are refused.
pub fn parse_pattern(pattern: &str) -> Result<Vec<String>, ApiError> {
    let p = pattern.trim();
    if p.starts_with('{') || p.starts_with('[') || p.starts_with('%') {
        return Err(ApiError::not_modelled(
            "$.filterPattern",
            "filter patterns here are terms (ERROR, \"exact phrase\", ?either, -not); JSON, space-delimited and regular-expression patterns are not simulated.",
        ));
    }
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in p.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    Ok(terms)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateLogGroupRequest {
    log_group_name: String,
    kms_key_id: Option<String>,
    /// Taken as it is: tags change nothing the model simulates.
    #[allow(dead_code)]
    tags: Option<Value>,
    log_group_class: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupRequest {
    log_group_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeLogGroupsRequest {
    log_group_name_prefix: Option<String>,
    log_group_name_pattern: Option<String>,
    limit: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RetentionRequest {
    log_group_name: String,
    retention_in_days: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StreamRequest {
    log_group_name: String,
    log_stream_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeLogStreamsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name_prefix: Option<String>,
    order_by: Option<String>,
    descending: Option<bool>,
    limit: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InputEvent {
    timestamp: i64,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PutLogEventsRequest {
    log_group_name: String,
    log_stream_name: String,
    log_events: Vec<InputEvent>,
    sequence_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GetLogEventsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_name: String,
    start_time: Option<i64>,
    end_time: Option<i64>,
    limit: Option<i64>,
    start_from_head: Option<bool>,
    next_token: Option<String>,
    unmask: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FilterLogEventsRequest {
    log_group_name: Option<String>,
    log_group_identifier: Option<String>,
    log_stream_names: Option<Vec<String>>,
    log_stream_name_prefix: Option<String>,
    start_time: Option<i64>,
    end_time: Option<i64>,
    filter_pattern: Option<String>,
    limit: Option<i64>,
    interleaved: Option<bool>,
    next_token: Option<String>,
    unmask: Option<bool>,
}

fn paging(next_token: &Option<String>) -> Result<(), ApiError> {
    match next_token {
        Some(_) => Err(ApiError::not_modelled(
            "$.nextToken",
            "answers come whole, in one page.",
        )),
        None => Ok(()),
    }
}

fn limit(value: Option<i64>, max: i64) -> Result<usize, ApiError> {
    match value {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) => Err(ApiError::invalid_parameter(
            format!("1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {max}"),
            "$.limit",
        )),
    }
}

/// The group's name from `logGroupName` or `logGroupIdentifier` (a name or an ARN).
fn group_named(name: &Option<String>, identifier: &Option<String>) -> Result<String, ApiError> {
    match (name, identifier) {
        (Some(n), None) => Ok(n.clone()),
        (None, Some(id)) => Ok(id
            .split_once(":log-group:")
            .map_or(id.as_str(), |(_, rest)| rest.trim_end_matches(":*"))
            .to_string()),
        _ => Err(ApiError::invalid_parameter(
            "LogGroupName and LogGroupIdentifier are mutually exclusive parameters. Specify exactly one of them.",
            "$.logGroupName",
        )),
    }
}

impl World {
    fn logs_ms(&self, at: SimTime) -> i64 {
        self.config.start_epoch_ms + at as i64
    }

    /// A timestamp of a request, as sim time (before the scenario's start: 0).
    fn sim_ms(&self, epoch_ms: i64) -> SimTime {
        (epoch_ms - self.config.start_epoch_ms).max(0) as SimTime
    }

    fn log_group_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:logs:{}:{}:log-group:{name}",
            self.config.region, self.config.account
        )
    }

    fn log_group(&self, name: &str) -> Result<&LogGroup, ApiError> {
        self.logs.groups.get(name).ok_or_else(not_found)
    }

    fn log_group_json(&self, g: &LogGroup) -> Value {
        let arn = self.log_group_arn(&g.name);
        let mut out = json!({
            "logGroupName": g.name,
            "creationTime": self.logs_ms(g.created_at),
            "metricFilterCount": 0,
            "arn": format!("{arn}:*"),
            "storedBytes": g.stored_bytes(),
            "logGroupClass": "STANDARD",
            "logGroupArn": arn,
        });
        if let Some(days) = g.retention_days {
            out["retentionInDays"] = json!(days);
        }
        out
    }

    fn create_log_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateLogGroupRequest = parse_request(input)?;
        check_group_name(&request.log_group_name)?;
        if request.kms_key_id.is_some() {
            return Err(ApiError::not_modelled(
                "$.kmsKeyId",
                "KMS keys are not simulated.",
            ));
        }
        if request
            .log_group_class
            .as_deref()
            .is_some_and(|c| c != "STANDARD")
        {
            return Err(ApiError::not_modelled(
                "$.logGroupClass",
                "log groups here are of the STANDARD class.",
            ));
        }
        if self.logs.groups.contains_key(&request.log_group_name) {
            return Err(ApiError::new(
                "ResourceAlreadyExistsException",
                "The specified log group already exists",
                Some("$.logGroupName"),
            ));
        }
        if self.logs.groups.len() >= GROUPS_MAX {
            return Err(ApiError::new(
                "LimitExceededException",
                format!("The model holds at most {GROUPS_MAX} log groups."),
                Some("$.logGroupName"),
            ));
        }
        let group = LogGroup::new(&request.log_group_name, self.now);
        self.logs.groups.insert(request.log_group_name, group);
        Ok(json!({}))
    }

    fn delete_log_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: GroupRequest = parse_request(input)?;
        self.log_group(&request.log_group_name)?;
        self.logs.groups.remove(&request.log_group_name);
        Ok(json!({}))
    }

    fn describe_log_groups(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeLogGroupsRequest = parse_request(input)?;
        paging(&request.next_token)?;
        let max = limit(request.limit, 50)?;
        if request.log_group_name_prefix.is_some() && request.log_group_name_pattern.is_some() {
            return Err(ApiError::invalid_parameter(
                "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.",
                "$.logGroupNamePattern",
            ));
        }
        let prefix = request.log_group_name_prefix.unwrap_or_default();
        let pattern = (request.log_group_name_pattern.unwrap_or_default()).to_ascii_lowercase();
        let groups: Vec<Value> = (self.logs.groups.values())
            .filter(|g| {
                g.name.starts_with(&prefix) && g.name.to_ascii_lowercase().contains(&pattern)
            })
            .take(max)
            .map(|g| self.log_group_json(g))
            .collect();
        Ok(json!({ "logGroups": groups }))
    }

    fn put_retention_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RetentionRequest = parse_request(input)?;
        let days = request.retention_in_days;
        if !RETENTION_DAYS.iter().any(|&d| i64::from(d) == days) {
            let set: Vec<String> = RETENTION_DAYS.iter().map(u32::to_string).collect();
            return Err(ApiError::invalid_parameter(
                format!("1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]", set.join(", ")),
                "$.retentionInDays",
            ));
        }
        self.log_group(&request.log_group_name)?;
        let group = self
            .logs
            .groups
            .get_mut(&request.log_group_name)
            .expect("checked");
        group.retention_days = Some(days as u32);
        Ok(json!({}))
    }

    fn delete_retention_policy(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: GroupRequest = parse_request(input)?;
        self.log_group(&request.log_group_name)?;
        let group = self
            .logs
            .groups
            .get_mut(&request.log_group_name)
            .expect("checked");
        group.retention_days = None;
        Ok(json!({}))
    }

    fn create_log_stream(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: StreamRequest = parse_request(input)?;
        check_stream_name(&request.log_stream_name)?;
        let group = self.log_group(&request.log_group_name)?;
        if group.streams.contains_key(&request.log_stream_name) {
            return Err(ApiError::new(
                "ResourceAlreadyExistsException",
                "The specified log stream already exists",
                Some("$.logStreamName"),
            ));
        }
        let now = self.now;
        let group = self
            .logs
            .groups
            .get_mut(&request.log_group_name)
            .expect("checked");
        group.ensure_stream(&request.log_stream_name, now);
        Ok(json!({}))
    }

    fn describe_log_streams(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeLogStreamsRequest = parse_request(input)?;
        paging(&request.next_token)?;
        let max = limit(request.limit, 50)?;
        let name = group_named(&request.log_group_name, &request.log_group_identifier)?;
        let group = self.log_group(&name)?;
        let by_time = match request.order_by.as_deref() {
            None | Some("LogStreamName") => false,
            Some("LastEventTime") => true,
            Some(other) => {
                return Err(ApiError::invalid_parameter(
                    format!("1 validation error detected: Value '{other}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"),
                    "$.orderBy",
                ))
            }
        };
        if by_time && request.log_stream_name_prefix.is_some() {
            return Err(ApiError::invalid_parameter(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
                "$.orderBy",
            ));
        }
        let prefix = request.log_stream_name_prefix.unwrap_or_default();
        let mut streams: Vec<(&String, &Stream)> = group
            .streams
            .iter()
            .filter(|(n, _)| n.starts_with(&prefix))
            .collect();
        if by_time {
            streams.sort_by_key(|(_, s)| s.events.back().map_or(s.created_at, |e| e.at));
        }
        if request.descending == Some(true) {
            streams.reverse();
        }
        let arn = self.log_group_arn(&name);
        let out: Vec<Value> = streams
            .into_iter()
            .take(max)
            .map(|(n, s)| {
                let mut v = json!({
                    "logStreamName": n,
                    "creationTime": self.logs_ms(s.created_at),
                    "arn": format!("{arn}:log-stream:{n}"),
                    "storedBytes": 0,
                });
                if let (Some(first), Some(last)) = (s.events.front(), s.events.back()) {
                    v["firstEventTimestamp"] = json!(self.logs_ms(first.at));
                    v["lastEventTimestamp"] = json!(self.logs_ms(last.at));
                    v["lastIngestionTime"] = json!(self.logs_ms(last.at));
                }
                v
            })
            .collect();
        Ok(json!({ "logStreams": out }))
    }

    fn put_log_events(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutLogEventsRequest = parse_request(input)?;
        if request.log_events.is_empty() || request.log_events.len() > 10_000 {
            return Err(ApiError::invalid_parameter(
                "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000",
                "$.logEvents",
            ));
        }
        let group = self.log_group(&request.log_group_name)?;
        if !group.streams.contains_key(&request.log_stream_name) {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                "The specified log stream does not exist.",
                Some("$.logStreamName"),
            ));
        }
        let _ = request.sequence_token;
        let events: Vec<(SimTime, String)> = (request.log_events.into_iter())
            .map(|e| (self.sim_ms(e.timestamp), e.message))
            .collect();
        let now = self.now;
        let group = self
            .logs
            .groups
            .get_mut(&request.log_group_name)
            .expect("checked");
        let stream = group.ensure_stream(&request.log_stream_name, now);
        stream.last_write = now;
        for (at, message) in events {
            stream.events.push_back(Event {
                at,
                message: message.chars().take(MESSAGE_CHARS_MAX).collect(),
            });
        }
        while stream.events.len() > EVENTS_PER_STREAM_MAX {
            stream.events.pop_front();
        }
        Ok(json!({}))
    }

    fn event_in(&self, e: &Event, start: Option<i64>, end: Option<i64>) -> bool {
        let t = self.logs_ms(e.at);
        start.is_none_or(|s| t >= s) && end.is_none_or(|x| t < x)
    }

    fn get_log_events(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: GetLogEventsRequest = parse_request(input)?;
        paging(&request.next_token)?;
        let _ = request.unmask;
        let max = limit(request.limit, EVENTS_PER_ANSWER_MAX as i64)?;
        let name = group_named(&request.log_group_name, &request.log_group_identifier)?;
        let group = self.log_group(&name)?;
        let Some(stream) = group.streams.get(&request.log_stream_name) else {
            return Err(ApiError::new(
                "ResourceNotFoundException",
                "The specified log stream does not exist.",
                Some("$.logStreamName"),
            ));
        };
        let matching: Vec<&Event> = (stream.events.iter())
            .filter(|e| self.event_in(e, request.start_time, request.end_time))
            .collect();
        // From the head, the first `limit`; else the last `limit` (CloudWatch Logs' default).
        let chosen: &[&Event] = if request.start_from_head == Some(true) {
            &matching[..max.min(matching.len())]
        } else {
            &matching[matching.len().saturating_sub(max)..]
        };
        let events: Vec<Value> = (chosen.iter())
            .map(|e| json!({ "timestamp": self.logs_ms(e.at), "message": e.message, "ingestionTime": self.logs_ms(e.at) }))
            .collect();
        let n = chosen.len();
        Ok(json!({
            "events": events,
            "nextForwardToken": format!("f/{n:056}"),
            "nextBackwardToken": format!("b/{:056}", 0),
        }))
    }

    fn filter_log_events(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: FilterLogEventsRequest = parse_request(input)?;
        paging(&request.next_token)?;
        let _ = (request.interleaved, request.unmask);
        let max = limit(request.limit, EVENTS_PER_ANSWER_MAX as i64)?;
        if request.log_stream_names.is_some() && request.log_stream_name_prefix.is_some() {
            return Err(ApiError::invalid_parameter(
                "You cannot specify both LogStreamNames and LogStreamNamePrefix.",
                "$.logStreamNames",
            ));
        }
        let terms = parse_pattern(request.filter_pattern.as_deref().unwrap_or(""))?;
        let name = group_named(&request.log_group_name, &request.log_group_identifier)?;
        let group = self.log_group(&name)?;
        let prefix = request.log_stream_name_prefix.unwrap_or_default();
        let mut found: Vec<(&String, &Event)> = Vec::new();
        for (stream_name, stream) in &group.streams {
            let named = match &request.log_stream_names {
                Some(names) => names.contains(stream_name),
                None => stream_name.starts_with(&prefix),
            };
            if !named {
                continue;
            }
            found.extend(
                (stream.events.iter())
                    .filter(|e| self.event_in(e, request.start_time, request.end_time))
                    .filter(|e| pattern_matches(&terms, &e.message))
                    .map(|e| (stream_name, e)),
            );
        }
        // Interleaved by time, as CloudWatch Logs answers.
        found.sort_by_key(|(_, e)| e.at);
        let events: Vec<Value> = (found.iter().take(max).enumerate())
            .map(|(i, (stream, e))| {
                json!({
                    "logStreamName": stream,
                    "timestamp": self.logs_ms(e.at),
                    "message": e.message,
                    "ingestionTime": self.logs_ms(e.at),
                    "eventId": format!("{:056}", i),
                })
            })
            .collect();
        Ok(json!({ "events": events, "searchedLogStreams": [] }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_patterns() {
        let p = |s: &str| parse_pattern(s).unwrap();
        assert!(pattern_matches(&p(""), "anything"));
        assert!(pattern_matches(&p("ERROR"), "an ERROR here"));
        assert!(!pattern_matches(&p("ERROR"), "an error here"));
        assert!(pattern_matches(&p("ERROR db"), "ERROR: db down"));
        assert!(!pattern_matches(&p("ERROR db"), "ERROR: cache down"));
        assert!(pattern_matches(&p("?ERROR ?WARN"), "WARN slow"));
        assert!(!pattern_matches(&p("?ERROR ?WARN"), "INFO ok"));
        assert!(!pattern_matches(&p("ERROR -timeout"), "ERROR timeout"));
        assert!(pattern_matches(&p("\"GET /health\""), "GET /health 200"));
        assert!(!pattern_matches(&p("\"GET /health\""), "GET /api/health"));
        assert_eq!(
            parse_pattern("{ $.level = \"x\" }").unwrap_err().code,
            "UnsupportedFeatureException"
        );
    }
}
