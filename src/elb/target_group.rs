//! Target groups, their targets and the targets' health: CreateTargetGroup (every health-check
//! setting with ELB's defaults per protocol and their ranges, aws-facts 8.2),
//! DescribeTargetGroups, DeleteTargetGroup, ModifyTargetGroupAttributes,
//! DescribeTargetGroupAttributes, RegisterTargets, DeregisterTargets, DescribeTargetHealth, and
//! the health checks themselves (aws-facts 17.1.1, 17.1.2, 17.1.8).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    check_name, validation, TargetKey, Timer, FAILING_RESPONSE_CODE, TARGETS_PER_GROUP_MAX,
    TARGET_GROUPS_MAX, TARGET_HISTORY_MAX, TARGET_REGISTRATION_MS,
};
use crate::ec2::read::{ingress_allows, instance, InstanceState, Source};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::{SimTime, MS_PER_SECOND};
use crate::world::World;

/// `deregistration_delay.timeout_seconds`: 300 by default, 0 to 3,600 (aws-facts 8.2).
pub const DEREGISTRATION_DELAY_S_DEFAULT: u32 = 300;
pub const DEREGISTRATION_DELAY_S_MAX: u32 = 3_600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetState {
    Initial,
    Healthy,
    Unhealthy,
    Draining,
    Unused,
}

impl TargetState {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Initial => "initial",
            TargetState::Healthy => "healthy",
            TargetState::Unhealthy => "unhealthy",
            TargetState::Draining => "draining",
            TargetState::Unused => "unused",
        }
    }
}

/// Why a target is in its state: ELB's reason codes, each with its description
/// (aws-facts 17.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    RegistrationInProgress,
    InitialHealthChecking,
    ResponseCodeMismatch(u16),
    Timeout,
    FailedHealthChecks,
    DeregistrationInProgress,
    NotInUse,
    NotRegistered,
    /// The instance is stopped or terminated.
    InvalidState(&'static str),
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::RegistrationInProgress => "Elb.RegistrationInProgress",
            Reason::InitialHealthChecking => "Elb.InitialHealthChecking",
            Reason::ResponseCodeMismatch(_) => "Target.ResponseCodeMismatch",
            Reason::Timeout => "Target.Timeout",
            Reason::FailedHealthChecks => "Target.FailedHealthChecks",
            Reason::DeregistrationInProgress => "Target.DeregistrationInProgress",
            Reason::NotInUse => "Target.NotInUse",
            Reason::NotRegistered => "Target.NotRegistered",
            Reason::InvalidState(_) => "Target.InvalidState",
        }
    }

    pub fn description(self) -> String {
        match self {
            Reason::RegistrationInProgress => "Target registration is in progress".into(),
            Reason::InitialHealthChecking => "Initial health checks in progress".into(),
            Reason::ResponseCodeMismatch(code) => {
                format!("Health checks failed with these codes: [{code}]")
            }
            Reason::Timeout => "Request timed out".into(),
            Reason::FailedHealthChecks => "Health checks failed".into(),
            Reason::DeregistrationInProgress => "Target deregistration is in progress".into(),
            Reason::NotInUse => {
                "Target group is not configured to receive traffic from the load balancer".into()
            }
            Reason::NotRegistered => "Target is not registered to the target group".into(),
            Reason::InvalidState(state) => format!("Target is in the {state} state"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    pub protocol: String,
    /// None: the port each target receives traffic on (`traffic-port`).
    pub port: Option<u16>,
    pub path: Option<String>,
    pub interval_s: u32,
    pub timeout_s: u32,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    /// Matcher.HttpCode, for HTTP and HTTPS checks.
    pub matcher: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub port: u16,
    pub availability_zone: Option<String>,
    pub state: TargetState,
    pub reason: Option<Reason>,
    /// Passed and failed checks in a row.
    pub passes: u32,
    pub failures: u32,
    /// Its registration's number in the group: targets are kept in serial order.
    pub serial: u32,
    /// Bumped when the target changes course (drains, is unused, is used again): its older
    /// timers are stale.
    pub generation: u32,
    /// Its newest health changes: when, the state, the reason.
    pub history: Vec<(SimTime, TargetState, Option<Reason>)>,
    /// Its zone, found when it registered (the instance's, or the task's for an address), for
    /// routing by zone.
    pub zone: Option<String>,
    /// Requests a second it was sent at the last traffic sample.
    pub requests_per_second: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    /// The group's number, for timers (see [`super::TargetKey`]).
    pub key: u32,
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: u16,
    pub vpc_id: String,
    pub target_type: String,
    pub health: HealthCheck,
    pub deregistration_delay_s: u32,
    pub slow_start_s: u32,
    pub algorithm: String,
    pub cross_zone: String,
    pub targets: Vec<Target>,
    /// Targets registered since the group was made: the next target's serial.
    pub registrations: u32,
    /// Where its health checks come from (the first load balancer that uses it): the address
    /// and security groups, kept as listeners change rather than found at every check.
    pub check_source: (u32, Vec<String>),
    /// What its traffic did in the minute under way, for its metrics.
    pub minute: super::traffic::GroupMinute,
    /// The group a Classic Load Balancer keeps its instances in (its ARN is the load
    /// balancer's): the v2 API never shows it.
    pub classic: bool,
    /// Each target's serial by its id and port: ECS asks after its tasks' targets by them,
    /// task by task, and a scan of a group of thousands each time would cost the square.
    pub(crate) by_id: std::collections::HashMap<(String, u16), u32>,
}

impl TargetGroup {
    /// The position of the target `id` on `port`, if registered.
    pub fn find(&self, id: &str, port: u16) -> Option<usize> {
        let serial = *self.by_id.get(&(id.to_string(), port))?;
        self.targets
            .binary_search_by_key(&serial, |t| t.serial)
            .ok()
    }

    /// The target with `key`'s serial, if its generation is still `key`'s.
    fn target_position(&self, key: TargetKey) -> Option<usize> {
        let position = (self.targets)
            .binary_search_by_key(&key.serial, |t| t.serial)
            .ok()?;
        (self.targets[position].generation == key.generation).then_some(position)
    }

    fn key_of(&self, target: &Target) -> TargetKey {
        TargetKey {
            group: self.key,
            serial: target.serial,
            generation: target.generation,
        }
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateTargetGroupRequest {
    name: String,
    protocol: Option<String>,
    protocol_version: Option<String>,
    port: Option<i64>,
    vpc_id: Option<String>,
    health_check_protocol: Option<String>,
    health_check_port: Option<String>,
    health_check_enabled: Option<bool>,
    health_check_path: Option<String>,
    health_check_interval_seconds: Option<i64>,
    health_check_timeout_seconds: Option<i64>,
    healthy_threshold_count: Option<i64>,
    unhealthy_threshold_count: Option<i64>,
    matcher: Option<Matcher>,
    target_type: Option<String>,
    tags: Option<Value>,
    ip_address_type: Option<String>,
    target_control_port: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Matcher {
    http_code: Option<String>,
    grpc_code: Option<String>,
}

const CREATE_TARGET_GROUP_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.ProtocolVersion",
        why: "targets here speak HTTP/1.1.",
        default: Some(|v| v.as_str() == Some("HTTP1")),
    },
    Unmodelled {
        path: "$.IpAddressType",
        why: "targets here are IPv4.",
        default: Some(|v| v.as_str() == Some("ipv4")),
    },
    Unmodelled::field(
        "$.Matcher.GrpcCode",
        "gRPC health checks are not simulated.",
    ),
    Unmodelled::field(
        "$.TargetControlPort",
        "target control ports are not simulated.",
    ),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeTargetGroupsRequest {
    load_balancer_arn: Option<String>,
    target_group_arns: Option<Vec<String>>,
    names: Option<Vec<String>>,
    marker: Option<Value>,
    page_size: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetGroupArnRequest {
    target_group_arn: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ModifyAttributesRequest {
    target_group_arn: String,
    attributes: Vec<Attribute>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct Attribute {
    key: String,
    value: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetsRequest {
    target_group_arn: String,
    targets: Vec<TargetDescription>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetDescription {
    id: String,
    port: Option<i64>,
    availability_zone: Option<String>,
    quic_server_id: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeTargetHealthRequest {
    target_group_arn: String,
    targets: Option<Vec<TargetDescription>>,
    include: Option<Value>,
}

const PAGING_UNMODELLED: &[Unmodelled] = &[Unmodelled::field(
    "$.Marker",
    "every answer here is one page.",
)];

pub(crate) fn not_found(path: &str) -> ApiError {
    ApiError::new(
        "TargetGroupNotFound",
        "One or more target groups not found",
        Some(path),
    )
}

/// A whole number in `range`, or ELB's message naming the field.
fn in_range(
    value: Option<i64>,
    default: u32,
    min: u32,
    max: u32,
    field: &str,
) -> Result<u32, ApiError> {
    let value = value.unwrap_or(i64::from(default));
    if value < i64::from(min) || value > i64::from(max) {
        return Err(validation(
            format!("{field} must be between {min} and {max}"),
            &format!("$.{field}"),
        ));
    }
    Ok(value as u32)
}

/// The health-check settings a CreateTargetGroup asks for, with ELB's defaults for its
/// protocol (aws-facts 8.2 and 17.1.2: HTTP 6 s timeout, HTTPS and TCP 10 s).
fn health_check(
    request: &CreateTargetGroupRequest,
    protocol: &str,
) -> Result<HealthCheck, ApiError> {
    let alb = matches!(protocol, "HTTP" | "HTTPS");
    let check_protocol = request.health_check_protocol.clone().unwrap_or_else(|| {
        if alb {
            "HTTP".into()
        } else {
            "TCP".into()
        }
    });
    let allowed: &[&str] = if alb {
        &["HTTP", "HTTPS"]
    } else {
        &["HTTP", "HTTPS", "TCP"]
    };
    if !allowed.contains(&check_protocol.as_str()) {
        return Err(validation(
            format!(
                "Health check protocol '{check_protocol}' must be one of '{}'",
                allowed.join(", ")
            ),
            "$.HealthCheckProtocol",
        ));
    }
    let http = check_protocol != "TCP";
    let port = match request.health_check_port.as_deref() {
        None | Some("traffic-port") => None,
        Some(text) => Some(
            text.parse::<u16>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| {
                    validation(
                        "Health check port must be 'traffic-port' or between 1 and 65535",
                        "$.HealthCheckPort",
                    )
                })?,
        ),
    };
    let timeout_default = if check_protocol == "HTTP" { 6 } else { 10 };
    let interval_s = in_range(
        request.health_check_interval_seconds,
        30,
        5,
        300,
        "HealthCheckIntervalSeconds",
    )?;
    let timeout_s = in_range(
        request.health_check_timeout_seconds,
        timeout_default,
        2,
        120,
        "HealthCheckTimeoutSeconds",
    )?;
    // "Timeout must be smaller than the interval": the Classic Load Balancer's documented
    // rule (aws-facts 17.1.2); ELBv2's wording is unconfirmed.
    if timeout_s >= interval_s {
        return Err(validation(
            "Health check timeout must be smaller than the interval",
            "$.HealthCheckTimeoutSeconds",
        ));
    }
    let matcher = if http {
        let default = if alb { "200" } else { "200-399" };
        let code = request
            .matcher
            .as_ref()
            .and_then(|m| m.http_code.clone())
            .unwrap_or_else(|| default.into());
        check_matcher(&code, if alb { 499 } else { 599 })?;
        Some(code)
    } else {
        None
    };
    Ok(HealthCheck {
        protocol: check_protocol,
        port,
        path: http.then(|| {
            request
                .health_check_path
                .clone()
                .unwrap_or_else(|| "/".into())
        }),
        interval_s,
        timeout_s,
        healthy_threshold: in_range(
            request.healthy_threshold_count,
            5,
            2,
            10,
            "HealthyThresholdCount",
        )?,
        unhealthy_threshold: in_range(
            request.unhealthy_threshold_count,
            2,
            2,
            10,
            "UnhealthyThresholdCount",
        )?,
        matcher,
    })
}

/// `"200"`, `"200,202"` or `"200-299"`: codes from 200 to `max` (ELB's matcher rule).
fn check_matcher(code: &str, max: u16) -> Result<(), ApiError> {
    let ok = code.split(',').all(|part| {
        let (low, high) = part.split_once('-').unwrap_or((part, part));
        match (low.trim().parse::<u16>(), high.trim().parse::<u16>()) {
            (Ok(low), Ok(high)) => (200..=max).contains(&low) && (low..=max).contains(&high),
            _ => false,
        }
    });
    if ok {
        Ok(())
    } else {
        Err(validation(
            format!("Health check matcher HTTP code '{code}' must be within '200-{max}'"),
            "$.Matcher.HttpCode",
        ))
    }
}

/// A dotted IPv4 address as a number.
pub(crate) fn ipv4(text: &str) -> Option<u32> {
    let octets: Vec<u8> = text
        .split('.')
        .map(|o| o.parse::<u8>().ok())
        .collect::<Option<_>>()?;
    (octets.len() == 4).then(|| u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]))
}

/// Whether `code` is one of the matcher's codes.
fn matches_code(matcher: &str, code: u16) -> bool {
    matcher.split(',').any(|part| {
        let (low, high) = part.split_once('-').unwrap_or((part, part));
        matches!((low.trim().parse::<u16>(), high.trim().parse::<u16>()),
            (Ok(low), Ok(high)) if (low..=high).contains(&code))
    })
}

impl World {
    pub(crate) fn create_target_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateTargetGroupRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_TARGET_GROUP_UNMODELLED)?;
        check_name(&request.name, "Target group", "$.Name")?;
        let target_type = request
            .target_type
            .clone()
            .unwrap_or_else(|| "instance".into());
        if !["instance", "ip"].contains(&target_type.as_str()) {
            return Err(ApiError::not_modelled(
                "$.TargetType",
                &format!(
                    "'{target_type}' targets are not simulated; TargetType is instance or ip."
                ),
            ));
        }
        let protocol = request
            .protocol
            .clone()
            .ok_or_else(|| validation("A protocol must be specified", "$.Protocol"))?;
        if !["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"].contains(&protocol.as_str()) {
            return Err(validation(
                format!(
                    "Protocol '{protocol}' must be one of 'HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP'"
                ),
                "$.Protocol",
            ));
        }
        let port = request
            .port
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p >= 1)
            .ok_or_else(|| validation("A port between 1 and 65535 must be specified", "$.Port"))?;
        let vpc_id = request
            .vpc_id
            .clone()
            .ok_or_else(|| validation("A VPC ID must be specified", "$.VpcId"))?;
        if !crate::ec2::read::vpc_exists(self, &vpc_id) {
            return Err(validation(
                format!("The VPC ID '{vpc_id}' is not found"),
                "$.VpcId",
            ));
        }
        if request.health_check_enabled == Some(false) {
            return Err(validation(
                "Health checks cannot be disabled for target groups with target type 'instance' or 'ip'",
                "$.HealthCheckEnabled",
            ));
        }
        let health = health_check(&request, &protocol)?;
        let names: Vec<&str> = (self.elb.target_groups.iter())
            .filter(|tg| !tg.classic)
            .map(|tg| tg.name.as_str())
            .collect();
        super::check_new_name(
            names.into_iter(),
            &request.name,
            "target group",
            TARGET_GROUPS_MAX,
        )?;
        self.elb.groups_created += 1;
        let tg = TargetGroup {
            key: self.elb.groups_created,
            arn: format!(
                "arn:aws:elasticloadbalancing:{}:{}:targetgroup/{}/{}",
                self.config.region,
                self.config.account,
                request.name,
                self.ids.hex(16)
            ),
            name: request.name,
            protocol,
            port,
            vpc_id,
            target_type,
            health,
            deregistration_delay_s: DEREGISTRATION_DELAY_S_DEFAULT,
            slow_start_s: 0,
            algorithm: "round_robin".into(),
            cross_zone: "use_load_balancer_configuration".into(),
            targets: Vec::new(),
            registrations: 0,
            check_source: (0, Vec::new()),
            minute: Default::default(),
            classic: false,
            by_id: Default::default(),
        };
        let out = self.target_group_json(&tg);
        self.elb.target_groups.push(tg);
        Ok(json!({ "TargetGroups": [out] }))
    }

    /// The load balancers whose listeners, or their rules, forward to the group.
    pub(crate) fn load_balancers_of(&self, arn: &str) -> Vec<String> {
        let elb = &self.elb;
        let by_rules = (elb.rules.iter())
            .filter(|r| r.forward.iter().any(|(tg, _)| tg == arn))
            .filter_map(|r| elb.listeners.iter().find(|l| l.arn == r.listener));
        let mut out: Vec<String> = (elb.listeners.iter())
            .filter(|l| l.forward.iter().any(|(tg, _)| tg == arn))
            .chain(by_rules)
            .map(|l| l.load_balancer.clone())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    pub(crate) fn target_group_json(&self, tg: &TargetGroup) -> Value {
        let h = &tg.health;
        let mut out = json!({
            "TargetGroupArn": tg.arn,
            "TargetGroupName": tg.name,
            "Protocol": tg.protocol,
            "Port": tg.port,
            "VpcId": tg.vpc_id,
            "HealthCheckProtocol": h.protocol,
            "HealthCheckPort": h.port.map_or_else(|| "traffic-port".to_string(), |p| p.to_string()),
            "HealthCheckEnabled": true,
            "HealthCheckIntervalSeconds": h.interval_s,
            "HealthCheckTimeoutSeconds": h.timeout_s,
            "HealthyThresholdCount": h.healthy_threshold,
            "UnhealthyThresholdCount": h.unhealthy_threshold,
            "LoadBalancerArns": self.load_balancers_of(&tg.arn),
            "TargetType": tg.target_type,
            "IpAddressType": "ipv4",
        });
        if let Some(path) = &h.path {
            out["HealthCheckPath"] = json!(path);
        }
        if let Some(code) = &h.matcher {
            out["Matcher"] = json!({ "HttpCode": code });
        }
        if matches!(tg.protocol.as_str(), "HTTP" | "HTTPS") {
            out["ProtocolVersion"] = json!("HTTP1");
        }
        out
    }

    fn target_group_index(&self, arn: &str, path: &str) -> Result<usize, ApiError> {
        (self.elb.target_groups.iter())
            .position(|tg| tg.arn == arn && !tg.classic)
            .ok_or_else(|| not_found(path))
    }

    pub(crate) fn describe_target_groups(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeTargetGroupsRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let arns = request.target_group_arns.unwrap_or_default();
        let names = request.names.unwrap_or_default();
        for (n, arn) in arns.iter().enumerate() {
            self.target_group_index(arn, &format!("$.TargetGroupArns[{n}]"))?;
        }
        for (n, name) in names.iter().enumerate() {
            if !(self.elb.target_groups.iter()).any(|tg| tg.name == *name && !tg.classic) {
                return Err(not_found(&format!("$.Names[{n}]")));
            }
        }
        if let Some(lb) = &request.load_balancer_arn {
            if !self.elb.load_balancers.iter().any(|l| l.arn == *lb) {
                return Err(ApiError::new(
                    "LoadBalancerNotFound",
                    "One or more load balancers not found",
                    Some("$.LoadBalancerArn"),
                ));
            }
        }
        let chosen: Vec<Value> = (self.elb.target_groups.iter())
            .filter(|tg| !tg.classic)
            .filter(|tg| {
                let by_lb = request
                    .load_balancer_arn
                    .as_ref()
                    .is_none_or(|lb| self.load_balancers_of(&tg.arn).contains(lb));
                let named = (arns.is_empty() && names.is_empty())
                    || arns.contains(&tg.arn)
                    || names.contains(&tg.name);
                by_lb && named
            })
            .map(|tg| self.target_group_json(tg))
            .collect();
        Ok(json!({ "TargetGroups": chosen }))
    }

    pub(crate) fn delete_target_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TargetGroupArnRequest = parse_request(input)?;
        let arn = request.target_group_arn;
        if !self.load_balancers_of(&arn).is_empty() {
            return Err(ApiError::new(
                "ResourceInUse",
                format!("Target group '{arn}' is currently in use by a listener or a rule"),
                Some("$.TargetGroupArn"),
            ));
        }
        // Deleting one that is not there succeeds, as ELB's delete calls do.
        self.elb.target_groups.retain(|tg| tg.arn != arn);
        Ok(json!({}))
    }

    fn attributes_json(tg: &TargetGroup) -> Value {
        let mut attributes = vec![
            json!({ "Key": "deregistration_delay.timeout_seconds", "Value": tg.deregistration_delay_s.to_string() }),
            json!({ "Key": "load_balancing.cross_zone.enabled", "Value": tg.cross_zone }),
        ];
        if matches!(tg.protocol.as_str(), "HTTP" | "HTTPS") {
            attributes.push(json!({ "Key": "slow_start.duration_seconds", "Value": tg.slow_start_s.to_string() }));
            attributes
                .push(json!({ "Key": "load_balancing.algorithm.type", "Value": tg.algorithm }));
        }
        json!({ "Attributes": attributes })
    }

    pub(crate) fn describe_target_group_attributes(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: TargetGroupArnRequest = parse_request(input)?;
        let index = self.target_group_index(&request.target_group_arn, "$.TargetGroupArn")?;
        Ok(Self::attributes_json(&self.elb.target_groups[index]))
    }

    pub(crate) fn modify_target_group_attributes(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: ModifyAttributesRequest = parse_request(input)?;
        let index = self.target_group_index(&request.target_group_arn, "$.TargetGroupArn")?;
        let mut tg = self.elb.target_groups[index].clone();
        let alb = matches!(tg.protocol.as_str(), "HTTP" | "HTTPS");
        for (n, attribute) in request.attributes.iter().enumerate() {
            let path = format!("$.Attributes[{n}].Value");
            let number = |min: u32, max: u32| {
                (attribute.value.parse::<u32>().ok())
                    .filter(|v| (min..=max).contains(v))
                    .ok_or_else(|| {
                        validation(
                            format!(
                                "'{}' must be a number between {min} and {max}",
                                attribute.key
                            ),
                            &path,
                        )
                    })
            };
            match attribute.key.as_str() {
                "deregistration_delay.timeout_seconds" => {
                    tg.deregistration_delay_s = number(0, DEREGISTRATION_DELAY_S_MAX)?
                }
                "slow_start.duration_seconds" if alb => {
                    let seconds = number(0, 900)?;
                    if (1..30).contains(&seconds) {
                        return Err(validation(
                            "Slow start duration must be 0 (off) or between 30 and 900 seconds",
                            &path,
                        ));
                    }
                    tg.slow_start_s = seconds;
                }
                "load_balancing.algorithm.type" if alb => {
                    if !["round_robin", "least_outstanding_requests"]
                        .contains(&attribute.value.as_str())
                    {
                        return Err(validation("'load_balancing.algorithm.type' must be round_robin or least_outstanding_requests", &path));
                    }
                    tg.algorithm = attribute.value.clone();
                }
                "load_balancing.cross_zone.enabled" => {
                    if !["true", "false", "use_load_balancer_configuration"]
                        .contains(&attribute.value.as_str())
                    {
                        return Err(validation("'load_balancing.cross_zone.enabled' must be true, false or use_load_balancer_configuration", &path));
                    }
                    tg.cross_zone = attribute.value.clone();
                }
                other => {
                    return Err(ApiError::not_modelled(
                        &format!("$.Attributes[{n}].Key"),
                        &format!("the attribute '{other}' is not simulated for this target group."),
                    ))
                }
            }
        }
        // aws-facts 17.1.6: slow start and least outstanding requests cannot both be on.
        if tg.slow_start_s > 0 && tg.algorithm == "least_outstanding_requests" {
            return Err(ApiError::new(
                "InvalidConfigurationRequest",
                "Slow start and the least outstanding requests algorithm cannot both be enabled",
                Some("$.Attributes"),
            ));
        }
        let out = Self::attributes_json(&tg);
        self.elb.target_groups[index] = tg;
        Ok(out)
    }

    /// The targets a request names, checked: instance targets are EC2 instances that exist, on
    /// the port given or the group's.
    fn requested_targets(
        &self,
        tg: &TargetGroup,
        targets: &[TargetDescription],
    ) -> Result<Vec<(String, u16, Option<String>)>, ApiError> {
        let mut out = Vec::new();
        for (n, t) in targets.iter().enumerate() {
            let at = format!("$.Targets[{n}]");
            if t.quic_server_id.is_some() {
                return Err(ApiError::not_modelled(
                    &format!("{at}.QuicServerId"),
                    "QUIC is not simulated.",
                ));
            }
            if tg.target_type == "ip" {
                let port = match t.port {
                    None => tg.port,
                    Some(p) => u16::try_from(p).ok().filter(|p| *p >= 1).ok_or_else(|| {
                        validation("Port must be between 1 and 65535", &format!("{at}.Port"))
                    })?,
                };
                if ipv4(&t.id).is_none() {
                    return Err(ApiError::new(
                        "InvalidTarget",
                        format!("The IP address '{}' is not a valid IPv4 address", t.id),
                        Some(&format!("{at}.Id")),
                    ));
                }
                out.push((t.id.clone(), port, t.availability_zone.clone()));
                continue;
            }
            let port = match t.port {
                None => tg.port,
                Some(p) => u16::try_from(p).ok().filter(|p| *p >= 1).ok_or_else(|| {
                    validation("Port must be between 1 and 65535", &format!("{at}.Port"))
                })?,
            };
            let Some(found) = instance(self, &t.id) else {
                return Err(ApiError::new(
                    "InvalidTarget",
                    format!("The following targets are not valid instances: '{}'", t.id),
                    Some(&format!("{at}.Id")),
                ));
            };
            if found.state == InstanceState::Terminated {
                return Err(ApiError::new(
                    "InvalidTarget",
                    format!("The following targets are not in a running state and cannot be registered: '{}'", t.id),
                    Some(&format!("{at}.Id")),
                ));
            }
            out.push((t.id.clone(), port, t.availability_zone.clone()));
        }
        Ok(out)
    }

    pub(crate) fn register_targets(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TargetsRequest = parse_request(input)?;
        let index = self.target_group_index(&request.target_group_arn, "$.TargetGroupArn")?;
        let wanted = self.requested_targets(&self.elb.target_groups[index], &request.targets)?;
        let tg = &self.elb.target_groups[index];
        let new = wanted
            .iter()
            .filter(|(id, port, _)| {
                !tg.targets
                    .iter()
                    .any(|t| t.id == *id && t.port == *port && t.state != TargetState::Draining)
            })
            .count();
        if tg.targets.len() + new > TARGETS_PER_GROUP_MAX {
            return Err(ApiError::new(
                "TooManyTargets",
                format!("A target group holds at most {TARGETS_PER_GROUP_MAX} targets"),
                Some("$.Targets"),
            ));
        }
        let in_use = !self.load_balancers_of(&request.target_group_arn).is_empty();
        for (id, port, zone) in wanted {
            self.add_target(index, id, port, zone, in_use);
        }
        Ok(json!({}))
    }

    /// Registers a target (again, if it was draining: registration cancels the deregistration).
    pub(crate) fn add_target(
        &mut self,
        index: usize,
        id: String,
        port: u16,
        zone: Option<String>,
        in_use: bool,
    ) {
        let now = self.now;
        let found_zone = zone.clone().or_else(|| {
            let tg = &self.elb.target_groups[index];
            if tg.target_type == "ip" {
                let address = ipv4(&id)?;
                crate::ecs::read::address_zone(self, address).map(str::to_string)
            } else {
                instance(self, &id).map(|i| i.availability_zone.to_string())
            }
        });
        let tg = &mut self.elb.target_groups[index];
        if let Some(position) = tg.find(&id, port) {
            if tg.targets[position].state != TargetState::Draining {
                return; // Registering a registered target changes nothing, as on AWS.
            }
            tg.targets.remove(position);
        }
        tg.registrations += 1;
        let (state, reason) = if in_use {
            (TargetState::Initial, Reason::RegistrationInProgress)
        } else {
            (TargetState::Unused, Reason::NotInUse)
        };
        let target = Target {
            id,
            port,
            availability_zone: zone,
            state,
            reason: Some(reason),
            passes: 0,
            failures: 0,
            serial: tg.registrations,
            generation: 0,
            history: vec![(now, state, Some(reason))],
            zone: found_zone,
            requests_per_second: 0.0,
        };
        let key = tg.key_of(&target);
        tg.by_id.insert((target.id.clone(), port), target.serial);
        tg.targets.push(target);
        if in_use {
            self.schedule(TARGET_REGISTRATION_MS, Timer::HealthCheck(key));
        }
    }

    pub(crate) fn deregister_targets(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TargetsRequest = parse_request(input)?;
        let index = self.target_group_index(&request.target_group_arn, "$.TargetGroupArn")?;
        let tg = &self.elb.target_groups[index];
        let mut chosen = Vec::new();
        for (n, t) in request.targets.iter().enumerate() {
            let port = t
                .port
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(tg.port);
            if !tg
                .targets
                .iter()
                .any(|have| have.id == t.id && have.port == port)
            {
                return Err(ApiError::new(
                    "InvalidTarget",
                    format!(
                        "The following targets are not registered in target group '{}': '{}'",
                        tg.arn, t.id
                    ),
                    Some(&format!("$.Targets[{n}].Id")),
                ));
            }
            chosen.push((t.id.clone(), port));
        }
        for (id, port) in chosen {
            self.drain_target(index, &id, port);
        }
        Ok(json!({}))
    }

    /// A deregistered target drains for the group's delay, then leaves it (aws-facts 17.1.8).
    pub(crate) fn drain_target(&mut self, index: usize, id: &str, port: u16) {
        let now = self.now;
        let tg = &mut self.elb.target_groups[index];
        let delay_ms = SimTime::from(tg.deregistration_delay_s) * MS_PER_SECOND;
        let group = tg.key;
        let Some(target) = tg.find(id, port).map(|p| &mut tg.targets[p]) else {
            return;
        };
        if target.state == TargetState::Draining {
            return;
        }
        target.generation = target.generation.wrapping_add(1);
        let key = TargetKey {
            group,
            serial: target.serial,
            generation: target.generation,
        };
        set_state(
            target,
            now,
            TargetState::Draining,
            Some(Reason::DeregistrationInProgress),
        );
        self.schedule(delay_ms, Timer::DrainDone(key));
    }

    pub(crate) fn drain_done(&mut self, key: TargetKey) {
        let Some(tg) = self
            .elb
            .target_groups
            .iter_mut()
            .find(|g| g.key == key.group)
        else {
            return;
        };
        if let Some(position) = tg.target_position(key) {
            let t = tg.targets.remove(position);
            tg.by_id.remove(&(t.id, t.port));
        }
    }

    /// Listeners changed: targets of groups no listener forwards to are unused; targets of
    /// groups that a listener now uses start their registration.
    pub(crate) fn target_groups_changed(&mut self) {
        let now = self.now;
        let mut checks = Vec::new();
        for index in 0..self.elb.target_groups.len() {
            let users = self.load_balancers_of(&self.elb.target_groups[index].arn);
            let in_use = !users.is_empty();
            let source = (self.elb.load_balancers.iter())
                .find(|lb| users.contains(&lb.arn))
                .map_or((0, Vec::new()), |lb| {
                    (lb.address, lb.security_groups.clone())
                });
            let tg = &mut self.elb.target_groups[index];
            tg.check_source = source;
            let group = tg.key;
            for target in tg
                .targets
                .iter_mut()
                .filter(|t| t.state != TargetState::Draining)
            {
                let unused = target.state == TargetState::Unused;
                if in_use && unused {
                    target.generation = target.generation.wrapping_add(1);
                    target.passes = 0;
                    target.failures = 0;
                    set_state(
                        target,
                        now,
                        TargetState::Initial,
                        Some(Reason::RegistrationInProgress),
                    );
                    checks.push(TargetKey {
                        group,
                        serial: target.serial,
                        generation: target.generation,
                    });
                } else if !in_use && !unused {
                    target.generation = target.generation.wrapping_add(1);
                    set_state(target, now, TargetState::Unused, Some(Reason::NotInUse));
                }
            }
        }
        for key in checks {
            self.schedule(TARGET_REGISTRATION_MS, Timer::HealthCheck(key));
        }
    }

    /// What one health check of a target finds: None when it passes, else why it failed.
    fn check_target(&self, tg: &TargetGroup, target: &Target) -> Result<(), Reason> {
        if tg.target_type == "ip" {
            return self.check_address_target(tg, target);
        }
        let Some(host) = instance(self, &target.id) else {
            return Err(Reason::InvalidState("terminated"));
        };
        match host.state {
            InstanceState::Terminated => return Err(Reason::InvalidState("terminated")),
            InstanceState::Pending => return Err(Reason::Timeout),
            InstanceState::Running => {}
        }
        let port = tg.health.port.unwrap_or(target.port);
        // The checks come from the load balancer's nodes, with its security groups: the
        // instance's groups must let them in on the health-check port, or the check times out.
        let source = Source {
            address: tg.check_source.0,
            security_groups: &tg.check_source.1,
        };
        let groups = crate::ec2::read::instance_security_groups(self, &target.id);
        if !ingress_allows(self, groups, source, "tcp", port) {
            return Err(Reason::Timeout);
        }
        // Nothing listens on the port, or its task is not running: the connection is refused.
        let Some(listening) = crate::ecs::read::listening_on(self, &target.id, port) else {
            return Err(Reason::FailedHealthChecks);
        };
        self.answer_check(tg, listening)
    }

    /// One check of an `ip` target: an awsvpc task's address. Its own security groups (none:
    /// the VPC's default group) must let the load balancer in on the port (aws-facts 8.3).
    fn check_address_target(&self, tg: &TargetGroup, target: &Target) -> Result<(), Reason> {
        let port = tg.health.port.unwrap_or(target.port);
        // A task in a zone sim:FailAvailabilityZone took away is unreachable.
        let zone_failed = ipv4(&target.id)
            .and_then(|address| crate::ecs::read::address_zone(self, address))
            .is_some_and(|zone| crate::sim::read::zone_failed(self, zone));
        if zone_failed {
            return Err(Reason::Timeout);
        }
        let found = ipv4(&target.id)
            .and_then(|address| crate::ecs::read::listening_on_address(self, address, port));
        let Some((listening, groups, _)) = found else {
            // Nothing answers at that address: the connection attempt times out.
            return Err(Reason::Timeout);
        };
        let default_group = crate::ec2::read::default_security_group(self, &tg.vpc_id)
            .map(str::to_string)
            .into_iter()
            .collect::<Vec<_>>();
        let groups = if groups.is_empty() {
            default_group.as_slice()
        } else {
            groups
        };
        let source = Source {
            address: tg.check_source.0,
            security_groups: &tg.check_source.1,
        };
        if !ingress_allows(self, groups, source, "tcp", port) {
            return Err(Reason::Timeout);
        }
        self.answer_check(tg, listening)
    }

    /// What a check finds once it reaches a container listening on the port.
    fn answer_check(
        &self,
        tg: &TargetGroup,
        listening: crate::ecs::read::Listening<'_>,
    ) -> Result<(), Reason> {
        let behavior = crate::sim::read::image_behavior(self, listening.image);
        let ready = listening.running
            && listening
                .started_at
                .is_some_and(|at| self.now >= at + behavior.startup_ms);
        if !ready {
            return Err(Reason::FailedHealthChecks);
        }
        // A TCP (or SSL) check only connects; an HTTP check reads the response code.
        let http = matches!(tg.health.protocol.as_str(), "HTTP" | "HTTPS");
        if http && behavior.target_health_fails {
            let code = FAILING_RESPONSE_CODE;
            if !tg
                .health
                .matcher
                .as_deref()
                .is_some_and(|m| matches_code(m, code))
            {
                return Err(Reason::ResponseCodeMismatch(code));
            }
        }
        Ok(())
    }

    /// A target's health check is due: check it, count, change its state, and schedule the next.
    pub(crate) fn health_check(&mut self, key: TargetKey) {
        let Some(index) = (self.elb.target_groups.iter()).position(|tg| tg.key == key.group) else {
            return;
        };
        let tg = &self.elb.target_groups[index];
        let Some(position) = tg.target_position(key) else {
            return;
        };
        let outcome = self.check_target(tg, &tg.targets[position]);
        let now = self.now;
        let tg = &mut self.elb.target_groups[index];
        let (healthy_after, unhealthy_after) =
            (tg.health.healthy_threshold, tg.health.unhealthy_threshold);
        let classic = tg.classic;
        let interval_ms = SimTime::from(tg.health.interval_s) * MS_PER_SECOND;
        let target = &mut tg.targets[position];
        let before = target.state;
        if let Err(Reason::InvalidState(state)) = outcome {
            // A terminated instance is no target: it is unused, and checks stop.
            set_state(
                target,
                now,
                TargetState::Unused,
                Some(Reason::InvalidState(state)),
            );
            return;
        }
        if target.reason == Some(Reason::RegistrationInProgress) {
            set_state(
                target,
                now,
                TargetState::Initial,
                Some(Reason::InitialHealthChecking),
            );
        }
        match outcome {
            Ok(()) => {
                target.passes += 1;
                target.failures = 0;
                // A new target (initial) needs one passing check; one that recovers from
                // unhealthy, the healthy threshold (aws-facts 17.1.2). A Classic Load
                // Balancer's instance needs the healthy threshold either way (17.1.13).
                let needed = if target.state == TargetState::Unhealthy || classic {
                    healthy_after
                } else {
                    1
                };
                if target.state != TargetState::Healthy && target.passes >= needed {
                    set_state(target, now, TargetState::Healthy, None);
                }
            }
            Err(reason) => {
                target.failures += 1;
                target.passes = 0;
                if target.failures >= unhealthy_after {
                    set_state(target, now, TargetState::Unhealthy, Some(reason));
                }
            }
        }
        if target.state != before {
            // The services behind the group count their tasks' health by it.
            let target_group = tg.arn.clone();
            self.command(crate::world::Command::TargetHealthChanged(target_group));
        }
        self.schedule(interval_ms, Timer::HealthCheck(key));
    }

    pub(crate) fn target_health_json(&self, tg: &TargetGroup, target: &Target) -> Value {
        let mut health = json!({ "State": target.state.as_str() });
        // A healthy target carries its state only (aws-facts 17.1.1).
        if let Some(reason) = target
            .reason
            .filter(|_| target.state != TargetState::Healthy)
        {
            health["Reason"] = json!(reason.code());
            health["Description"] = json!(reason.description());
        }
        let mut described = json!({ "Id": target.id, "Port": target.port });
        let zone = (target.availability_zone.clone())
            .or_else(|| instance(self, &target.id).map(|i| i.availability_zone.to_string()))
            .or_else(|| {
                let address = ipv4(&target.id)?;
                let port = tg.health.port.unwrap_or(target.port);
                crate::ecs::read::listening_on_address(self, address, port)
                    .map(|(_, _, zone)| zone.to_string())
            });
        if let Some(zone) = zone {
            described["AvailabilityZone"] = json!(zone);
        }
        json!({
            "Target": described,
            "HealthCheckPort": tg.health.port.unwrap_or(target.port).to_string(),
            "TargetHealth": health,
        })
    }

    pub(crate) fn describe_target_health(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeTargetHealthRequest = parse_request(input)?;
        refuse_unmodelled(
            input,
            &[Unmodelled::field(
                "$.Include",
                "anomaly detection is not simulated.",
            )],
        )?;
        let index = self.target_group_index(&request.target_group_arn, "$.TargetGroupArn")?;
        let tg = &self.elb.target_groups[index];
        let descriptions: Vec<Value> = match &request.targets {
            None => tg
                .targets
                .iter()
                .map(|t| self.target_health_json(tg, t))
                .collect(),
            Some(asked) => asked
                .iter()
                .map(|a| {
                    let port = a
                        .port
                        .and_then(|p| u16::try_from(p).ok())
                        .unwrap_or(tg.port);
                    match tg.find(&a.id, port).map(|p| &tg.targets[p]) {
                        Some(t) => self.target_health_json(tg, t),
                        None => json!({
                            "Target": { "Id": a.id, "Port": port },
                            "HealthCheckPort": tg.health.port.unwrap_or(port).to_string(),
                            "TargetHealth": {
                                "State": "unused",
                                "Reason": Reason::NotRegistered.code(),
                                "Description": Reason::NotRegistered.description(),
                            },
                        }),
                    }
                })
                .collect(),
        };
        Ok(json!({ "TargetHealthDescriptions": descriptions }))
    }
}

/// Changes a target's state and keeps the change in its bounded history.
fn set_state(target: &mut Target, now: SimTime, state: TargetState, reason: Option<Reason>) {
    if target.state == state && target.reason == reason {
        return;
    }
    target.state = state;
    target.reason = reason;
    target.history.push((now, state, reason));
    if target.history.len() > TARGET_HISTORY_MAX {
        target.history.remove(0);
    }
}
