//! The event log: every observable thing that happens, in order. It feeds the command line, the
//! UI and (later) EventBridge rules. An EventBridge event is kept as its JSON text, written once
//! when it happens: printing it is a copy, identical natively and in the browser, and it takes
//! about a seventh of the memory of a `serde_json::Value` tree.
//!
//! The world holds the newest [`LOG_RECORDS_MAX`] records and counts the ones it let go, so a
//! long run holds bounded memory; the command line streams records out as they happen and keeps
//! none (`World::take_log`).

use serde_json::{json, Value};

use super::error::ApiError;
use super::time::SimTime;

/// The most records the world holds. Older ones are let go (and counted, `World::log_dropped`);
/// the playground says so above its log. About 1.5 KB a record: some 30 MB at the most.
pub const LOG_RECORDS_MAX: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub enum LogRecord {
    /// An EventBridge event in AWS's envelope (`version`, `id`, `detail-type`, ...), as JSON
    /// text, with what the log's filters need kept beside it.
    Event {
        time: SimTime,
        detail_type: &'static str,
        /// The service the event concerns, when it concerns one, as `cluster/name` (names
        /// repeat across clusters).
        service: Option<Box<str>>,
        text: Box<str>,
    },
    /// A service event message, as DescribeServices lists it.
    ServiceMessage {
        time: SimTime,
        service: String,
        /// The service's cluster, for the log's filters (not part of the record's line).
        cluster: String,
        message: String,
    },
    /// A scenario step or UI request that AWS would have refused.
    Failed {
        time: SimTime,
        action: String,
        error: ApiError,
    },
}

impl LogRecord {
    pub fn time(&self) -> SimTime {
        match self {
            LogRecord::Event { time, .. }
            | LogRecord::ServiceMessage { time, .. }
            | LogRecord::Failed { time, .. } => *time,
        }
    }

    /// An EventBridge event's JSON; None for the other records.
    pub fn event(&self) -> Option<Value> {
        match self {
            LogRecord::Event { text, .. } => {
                Some(serde_json::from_str(text).expect("the log wrote this JSON itself"))
            }
            _ => None,
        }
    }

    /// The record as one line of `ecsplay run`, without parsing an event's text again.
    pub fn to_line(&self, iso_time: impl Fn(SimTime) -> String) -> String {
        match self {
            LogRecord::Event { text, .. } => text.to_string(),
            other => other.to_json(iso_time).to_string(),
        }
    }

    /// The record as one line of `ecsplay run` (design.md section 5). `iso_time` formats a
    /// `SimTime` as an ISO-8601 timestamp.
    pub fn to_json(&self, iso_time: impl Fn(SimTime) -> String) -> Value {
        match self {
            LogRecord::Event { .. } => self.event().unwrap_or(Value::Null),
            LogRecord::ServiceMessage {
                time,
                service,
                message,
                ..
            } => {
                json!({ "time": iso_time(*time), "service": service, "message": message })
            }
            LogRecord::Failed {
                time,
                action,
                error,
            } => {
                json!({ "time": iso_time(*time), "action": action, "error": error })
            }
        }
    }
}
