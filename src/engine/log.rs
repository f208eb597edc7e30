//! The event log: every observable thing that happens, in order. It feeds the command line, the
//! UI and (later) EventBridge rules. Records carry JSON already in AWS's shapes, so printing one
//! is a single serialization, identical natively and in the browser.

use serde_json::{json, Value};

use super::error::ApiError;
use super::time::SimTime;

#[derive(Debug, Clone, PartialEq)]
pub enum LogRecord {
    /// An EventBridge event in AWS's envelope (`version`, `id`, `detail-type`, ...).
    Event { time: SimTime, event: Value },
    /// A service event message, as DescribeServices lists it.
    ServiceMessage {
        time: SimTime,
        service: String,
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

    /// The record as one line of `ecsplay run` (design.md section 5). `iso_time` formats a
    /// `SimTime` as an ISO-8601 timestamp.
    pub fn to_json(&self, iso_time: impl Fn(SimTime) -> String) -> Value {
        match self {
            LogRecord::Event { event, .. } => event.clone(),
            LogRecord::ServiceMessage {
                time,
                service,
                message,
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
