//! The event log as the playground lists it: each record's kind, the service it concerns, and a
//! one-line summary in AWS's terms. The full record (AWS's JSON) stays one click away.

use serde_json::Value;

use crate::engine::LogRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A service event message (DescribeServices `events`).
    ServiceEvent,
    /// `ECS Task State Change`.
    Task,
    /// `ECS Container Instance State Change`.
    Instance,
    /// `ECS Deployment State Change`.
    Deployment,
    /// `ECS Service Action`.
    ServiceAction,
    /// `CloudWatch Alarm State Change`.
    Alarm,
    /// A service's desired count set by Application Auto Scaling: ECS's
    /// `SERVICE_DESIRED_COUNT_UPDATED` service action (never sent for a manual change).
    Scaling,
    /// EC2 and EC2 Auto Scaling's events: `EC2 Instance Launch Successful`, `… Terminate
    /// Successful`, `EC2 Spot Instance Interruption Warning`.
    Ec2,
    /// A request AWS refused.
    ApiError,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::ServiceEvent,
        Kind::Task,
        Kind::Instance,
        Kind::Deployment,
        Kind::ServiceAction,
        Kind::Alarm,
        Kind::Scaling,
        Kind::Ec2,
        Kind::ApiError,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Kind::ServiceEvent => "service event",
            Kind::Task => "task state change",
            Kind::Instance => "instance state change",
            Kind::Deployment => "deployment state change",
            Kind::ServiceAction => "service action",
            Kind::Alarm => "alarm state change",
            Kind::Scaling => "scaling",
            Kind::Ec2 => "EC2 and Auto Scaling",
            Kind::ApiError => "API error",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Kind::ServiceEvent => "service-event",
            Kind::Task => "task",
            Kind::Instance => "instance",
            Kind::Deployment => "deployment",
            Kind::ServiceAction => "service-action",
            Kind::Alarm => "alarm",
            Kind::Scaling => "scaling",
            Kind::Ec2 => "ec2",
            Kind::ApiError => "api-error",
        }
    }
}

/// A record's kind and the service it concerns (as `cluster/name`), when it concerns one.
pub fn classify(record: &LogRecord) -> (Kind, Option<String>) {
    match record {
        LogRecord::ServiceMessage {
            service, cluster, ..
        } => (Kind::ServiceEvent, Some(format!("{cluster}/{service}"))),
        LogRecord::Failed { .. } => (Kind::ApiError, None),
        LogRecord::Event {
            detail_type,
            service,
            text,
            ..
        } => {
            let kind = match *detail_type {
                "ECS Service Action" if text.contains("\"SERVICE_DESIRED_COUNT_UPDATED\"") => {
                    Kind::Scaling
                }
                "ECS Task State Change" => Kind::Task,
                "ECS Container Instance State Change" => Kind::Instance,
                "ECS Deployment State Change" => Kind::Deployment,
                "CloudWatch Alarm State Change" => Kind::Alarm,
                other if other.starts_with("EC2 ") => Kind::Ec2,
                _ => Kind::ServiceAction,
            };
            (kind, service.as_deref().map(str::to_string))
        }
    }
}

fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// One line for the record.
pub fn summary(record: &LogRecord) -> String {
    match record {
        LogRecord::ServiceMessage { message, .. } => message.clone(),
        LogRecord::Failed { action, error, .. } => format!("{action} refused: {error}"),
        LogRecord::Event { .. } => {
            let event = record.event().unwrap_or_default();
            let d = &event["detail"];
            let s = |v: &Value| v.as_str().unwrap_or("").to_string();
            match classify(record).0 {
                Kind::Task => {
                    let mut line = format!(
                        "Task {} {} (desired {}) · {}",
                        short(&s(&d["taskArn"])),
                        s(&d["lastStatus"]),
                        s(&d["desiredStatus"]),
                        short(&s(&d["taskDefinitionArn"])),
                    );
                    if let Some(reason) = d["stoppedReason"].as_str() {
                        line += &format!(" · {reason}");
                    }
                    line
                }
                Kind::Instance => format!(
                    "Container instance {} {} · agent {}",
                    s(&d["ec2InstanceId"]),
                    s(&d["status"]),
                    if d["agentConnected"].as_bool() == Some(true) {
                        "connected"
                    } else {
                        "disconnected"
                    },
                ),
                Kind::Deployment => format!(
                    "{} {} · {}",
                    s(&d["eventName"]),
                    s(&d["deploymentId"]),
                    s(&d["reason"])
                ),
                Kind::Scaling => format!(
                    "Desired count updated by Application Auto Scaling ({})",
                    s(&d["eventName"])
                ),
                // A Spot notice names its instance; Auto Scaling's events say their activity.
                Kind::Ec2 if d.get("instance-id").is_some() => format!(
                    "{} {} ({})",
                    s(&event["detail-type"]),
                    s(&d["instance-id"]),
                    s(&d["instance-action"])
                ),
                Kind::Ec2 => format!(
                    "{}: {} · {}",
                    s(&event["detail-type"]),
                    s(&d["Description"]),
                    s(&d["Cause"])
                ),
                Kind::Alarm => format!(
                    "Alarm {} {} -> {} · {}",
                    s(&d["alarmName"]),
                    s(&d["previousState"]["value"]),
                    s(&d["state"]["value"]),
                    s(&d["state"]["reason"])
                ),
                _ => format!(
                    "{} {}",
                    s(&d["eventName"]),
                    d.get("reason").and_then(Value::as_str).unwrap_or("")
                ),
            }
        }
    }
}
