//! The Classic Load Balancer: ELB's first API (2012-06-01, `aws elb`), under the prefix
//! `elasticloadbalancing:` that it shares with v2; a request's shape tells them apart
//! (`LoadBalancerName` and `Listeners` to create, `LoadBalancerNames` to describe,
//! `LoadBalancerName` to delete). CreateLoadBalancer, ConfigureHealthCheck,
//! RegisterInstancesWithLoadBalancer, DeregisterInstancesFromLoadBalancer,
//! DescribeInstanceHealth, DescribeLoadBalancers, DeleteLoadBalancer,
//! ModifyLoadBalancerAttributes and DescribeLoadBalancerAttributes, in their shapes.
//!
//! A Classic Load Balancer is kept as a load balancer of kind `classic` whose listeners
//! forward to one group of its own, never listed by the v2 API: its registered instances on
//! the listeners' instance port, checked by its health check. Routing, checks, draining and
//! metrics are the v2 machinery's, with the Classic Load Balancer's differences (aws-facts
//! 17.1.13): a new instance is InService after `HealthyThreshold` passing checks in a row, not
//! one; no fail-open (no healthy instance: the load balancer answers 503); HTTP listeners route
//! to the least outstanding requests and TCP ones round robin; connection draining and
//! cross-zone load balancing are off until ModifyLoadBalancerAttributes turns them on (the
//! API's defaults; the console turns both on); metrics in `AWS/ELB` by `LoadBalancerName`.

use serde::Deserialize;
use serde_json::{json, Value};

use super::load_balancer::{Kind, Listener, LoadBalancer};
use super::target_group::{HealthCheck, Reason, Target, TargetGroup, TargetState};
use super::{check_name, validation, LOAD_BALANCERS_MAX, TARGET_GROUPS_MAX};
use crate::cloudwatch::Datum;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::world::World;

/// The health check of a Classic Load Balancer no ConfigureHealthCheck has set: a TCP
/// connection to the first listener's instance port every 30 s, 5 s timeout, 2 failures to
/// go OutOfService, 10 passes to go InService. AWS documents the console's proposal
/// (HTTP:80/index.html) but not the API's default; these are the values the API is known to
/// answer with (UNCONFIRMED in aws-facts: the model's choice).
pub const DEFAULT_INTERVAL_S: u32 = 30;
pub const DEFAULT_TIMEOUT_S: u32 = 5;
pub const DEFAULT_UNHEALTHY_THRESHOLD: u32 = 2;
pub const DEFAULT_HEALTHY_THRESHOLD: u32 = 10;
/// Connection draining's timeout when it is turned on without one (aws-facts 17.1.13).
pub const DRAINING_TIMEOUT_S_DEFAULT: u32 = 300;
pub const DRAINING_TIMEOUT_S_MAX: u32 = 3_600;
/// The idle timeout of a connection (`ConnectionSettings.IdleTimeout`): only the default.
pub const IDLE_TIMEOUT_S: u32 = 60;

/// One listener of a Classic Load Balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicListener {
    pub protocol: String,
    pub load_balancer_port: u16,
    pub instance_protocol: String,
    pub instance_port: u16,
}

/// What a Classic Load Balancer has beyond a load balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Classic {
    pub listeners: Vec<ClassicListener>,
    /// The health check's `Target` as set ("TCP:80", "HTTP:80/health").
    pub health_target: String,
    /// Connection draining's timeout, when it is on.
    pub draining_s: Option<u32>,
    pub cross_zone: bool,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateRequest {
    load_balancer_name: String,
    listeners: Vec<ListenerField>,
    availability_zones: Option<Vec<String>>,
    subnets: Option<Vec<String>>,
    security_groups: Option<Vec<String>>,
    scheme: Option<String>,
    tags: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListenerField {
    protocol: String,
    load_balancer_port: i64,
    instance_protocol: Option<String>,
    instance_port: i64,
    #[serde(rename = "SSLCertificateId")]
    ssl_certificate_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct NameRequest {
    load_balancer_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ConfigureHealthCheckRequest {
    load_balancer_name: String,
    health_check: HealthCheckField,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct HealthCheckField {
    target: String,
    interval: i64,
    timeout: i64,
    unhealthy_threshold: i64,
    healthy_threshold: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstancesRequest {
    load_balancer_name: String,
    instances: Vec<InstanceField>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstanceField {
    instance_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeInstanceHealthRequest {
    load_balancer_name: String,
    instances: Option<Vec<InstanceField>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeRequest {
    load_balancer_names: Option<Vec<String>>,
    marker: Option<Value>,
    page_size: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ModifyAttributesRequest {
    load_balancer_name: String,
    load_balancer_attributes: AttributesField,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct AttributesField {
    cross_zone_load_balancing: Option<EnabledField>,
    connection_draining: Option<DrainingField>,
    access_log: Option<Value>,
    connection_settings: Option<Value>,
    additional_attributes: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct EnabledField {
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DrainingField {
    enabled: bool,
    timeout: Option<i64>,
}

const ATTRIBUTES_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.LoadBalancerAttributes.AccessLog",
        why: "access logs are not simulated.",
        default: Some(|v| v["Enabled"] == json!(false)),
    },
    Unmodelled {
        path: "$.LoadBalancerAttributes.ConnectionSettings",
        why: "connections are not simulated one by one: the idle timeout stays 60 seconds.",
        default: Some(|v| v["IdleTimeout"] == json!(IDLE_TIMEOUT_S)),
    },
    Unmodelled {
        path: "$.LoadBalancerAttributes.AdditionalAttributes",
        why: "the Classic Load Balancer's additional attributes (desync mitigation) are not simulated.",
        default: Some(|v| v.as_array().is_some_and(|a| a.is_empty())),
    },
];

const PAGING_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field("$.Marker", "every answer here is one page."),
    Unmodelled::field("$.PageSize", "every answer here is one page."),
];

/// Whether an `elasticloadbalancing:` request is the Classic API's: it names a load balancer
/// by `LoadBalancerName` (or `LoadBalancerNames`), which v2 never does.
pub fn is_classic(operation: &str, input: &Value) -> bool {
    match operation {
        "DescribeLoadBalancers" => input.get("LoadBalancerNames").is_some(),
        "CreateLoadBalancer"
        | "DeleteLoadBalancer"
        | "ModifyLoadBalancerAttributes"
        | "DescribeLoadBalancerAttributes" => input.get("LoadBalancerName").is_some(),
        _ => false,
    }
}

/// The Classic API's "no such load balancer".
fn not_found(name: &str, path: &str) -> ApiError {
    ApiError::new(
        "LoadBalancerNotFound",
        format!("There is no ACTIVE Load Balancer named '{name}'"),
        Some(path),
    )
}

/// A number in `min..=max`, or the Classic API's validation message for `member`.
fn bounded(value: i64, min: u32, max: u32, member: &str, path: &str) -> Result<u32, ApiError> {
    if value < i64::from(min) {
        return Err(validation(
            format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"),
            path,
        ));
    }
    if value > i64::from(max) {
        return Err(validation(
            format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"),
            path,
        ));
    }
    Ok(value as u32)
}

/// A health check's `Target`: `TCP:port`, `SSL:port`, `HTTP:port/path`, `HTTPS:port/path`.
fn parse_target(target: &str) -> Result<(String, u16, Option<String>), ApiError> {
    let bad = || {
        validation(
            format!("Invalid health check target '{target}': give TCP:port, SSL:port, HTTP:port/path or HTTPS:port/path"),
            "$.HealthCheck.Target",
        )
    };
    let (protocol, rest) = target.split_once(':').ok_or_else(bad)?;
    let protocol = protocol.to_ascii_uppercase();
    let (port, path) = match rest.find('/') {
        Some(at) => (&rest[..at], Some(rest[at..].to_string())),
        None => (rest, None),
    };
    let port: u16 = port.parse().ok().filter(|p| *p >= 1).ok_or_else(bad)?;
    match (protocol.as_str(), &path) {
        ("TCP" | "SSL", None) | ("HTTP" | "HTTPS", Some(_)) => Ok((protocol, port, path)),
        _ => Err(bad()),
    }
}

/// A load balancer port a Classic Load Balancer may listen on (in a VPC): 25, 80, 443, 465,
/// 587, or 1024 to 65535.
fn load_balancer_port_ok(port: i64) -> bool {
    [25, 80, 443, 465, 587].contains(&port) || (1024..=65535).contains(&port)
}

impl World {
    fn classic_index(&self, name: &str, path: &str) -> Result<usize, ApiError> {
        (self.elb.load_balancers.iter())
            .position(|lb| lb.kind == Kind::Classic && lb.name == name)
            .ok_or_else(|| not_found(name, path))
    }

    /// The index of the group a Classic Load Balancer keeps its instances in.
    fn classic_group_index(&self, lb: usize) -> usize {
        let arn = &self.elb.load_balancers[lb].arn;
        (self.elb.target_groups.iter())
            .position(|tg| tg.classic && tg.arn == *arn)
            .expect("a Classic Load Balancer has its group")
    }

    fn classic_listeners(listeners: &[ListenerField]) -> Result<Vec<ClassicListener>, ApiError> {
        if listeners.is_empty() {
            return Err(validation(
                "1 validation error detected: Value '[]' at 'listeners' failed to satisfy constraint: Member must not be empty",
                "$.Listeners",
            ));
        }
        let mut out: Vec<ClassicListener> = Vec::new();
        for (n, l) in listeners.iter().enumerate() {
            let at = format!("$.Listeners[{n}]");
            let protocol = l.protocol.to_ascii_uppercase();
            if !["HTTP", "HTTPS", "TCP", "SSL"].contains(&protocol.as_str()) {
                return Err(validation(
                    format!("Invalid protocol '{}': HTTP, HTTPS, TCP or SSL", l.protocol),
                    &format!("{at}.Protocol"),
                ));
            }
            if ["HTTPS", "SSL"].contains(&protocol.as_str()) || l.ssl_certificate_id.is_some() {
                return Err(ApiError::not_modelled(
                    &format!("{at}.Protocol"),
                    "HTTPS and SSL listeners need certificates, which are not simulated; use HTTP or TCP.",
                ));
            }
            if !load_balancer_port_ok(l.load_balancer_port) {
                return Err(validation(
                    format!(
                        "LoadBalancerPort {} is not valid: 25, 80, 443, 465, 587 or 1024 to 65535",
                        l.load_balancer_port
                    ),
                    &format!("{at}.LoadBalancerPort"),
                ));
            }
            let instance_port = bounded(
                l.instance_port,
                1,
                65_535,
                "instancePort",
                &format!("{at}.InstancePort"),
            )? as u16;
            let layer7 = protocol == "HTTP";
            let instance_protocol =
                match l.instance_protocol.as_deref().map(str::to_ascii_uppercase) {
                    None => {
                        if layer7 {
                            "HTTP".to_string()
                        } else {
                            "TCP".to_string()
                        }
                    }
                    Some(p) if p == "HTTP" || p == "TCP" => p,
                    Some(p) if p == "HTTPS" || p == "SSL" => return Err(ApiError::not_modelled(
                        &format!("{at}.InstanceProtocol"),
                        "encrypted connections to instances are not simulated; use HTTP or TCP.",
                    )),
                    Some(p) => {
                        return Err(validation(
                            format!("Invalid protocol '{p}': HTTP, HTTPS, TCP or SSL"),
                            &format!("{at}.InstanceProtocol"),
                        ))
                    }
                };
            if (instance_protocol == "HTTP") != layer7 {
                // The rule is ELB's (an HTTP front end needs an HTTP back end, TCP a TCP one);
                // the wording is the model's.
                return Err(validation(
                    format!("Listener protocol {protocol} cannot be used with instance protocol {instance_protocol}: both must be HTTP, or both TCP"),
                    &format!("{at}.InstanceProtocol"),
                ));
            }
            if out
                .iter()
                .any(|o| i64::from(o.load_balancer_port) == l.load_balancer_port)
            {
                return Err(ApiError::new(
                    "DuplicateListener",
                    format!(
                        "A listener already exists for {} with LoadBalancerPort {}",
                        "the load balancer", l.load_balancer_port
                    ),
                    Some(&format!("{at}.LoadBalancerPort")),
                ));
            }
            if out
                .first()
                .is_some_and(|o| o.instance_port != instance_port)
            {
                return Err(ApiError::not_modelled(
                    &format!("{at}.InstancePort"),
                    "a Classic Load Balancer here sends all its listeners to one instance port; give every listener the same InstancePort.",
                ));
            }
            out.push(ClassicListener {
                protocol,
                load_balancer_port: l.load_balancer_port as u16,
                instance_protocol,
                instance_port,
            });
        }
        Ok(out)
    }

    /// The subnets of a new Classic Load Balancer: those given (one per zone), or the default
    /// VPC's default subnets in the zones given.
    fn classic_subnets(
        &self,
        request: &CreateRequest,
    ) -> Result<Vec<(String, String, String)>, ApiError> {
        let zones = request.availability_zones.clone().unwrap_or_default();
        let subnets = request.subnets.clone().unwrap_or_default();
        if zones.is_empty() && subnets.is_empty() {
            return Err(validation(
                "Either AvailabilityZones or SubnetIds must be specified",
                "$.Subnets",
            ));
        }
        let mut out: Vec<(String, String, String)> = Vec::new();
        if !subnets.is_empty() {
            for (n, id) in subnets.iter().enumerate() {
                let at = format!("$.Subnets[{n}]");
                let subnet = crate::ec2::read::subnet(self, id).ok_or_else(|| {
                    ApiError::new(
                        "SubnetNotFound",
                        format!("The subnet ID '{id}' is not valid"),
                        Some(&at),
                    )
                })?;
                if out
                    .iter()
                    .any(|(_, zone, _)| *zone == subnet.availability_zone)
                {
                    return Err(ApiError::new(
                        "InvalidConfigurationRequest",
                        "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
                        Some(&at),
                    ));
                }
                if out.first().is_some_and(|(_, _, vpc)| *vpc != subnet.vpc_id) {
                    return Err(validation(
                        "The subnets of a load balancer must all be in one VPC",
                        &at,
                    ));
                }
                out.push((
                    subnet.id.into(),
                    subnet.availability_zone.into(),
                    subnet.vpc_id.into(),
                ));
            }
            return Ok(out);
        }
        for (n, zone) in zones.iter().enumerate() {
            let subnet = crate::ec2::read::default_subnet(self, zone).ok_or_else(|| {
                validation(
                    format!("Invalid Availability Zone: {zone}"),
                    &format!("$.AvailabilityZones[{n}]"),
                )
            })?;
            if !out.iter().any(|(_, z, _)| z == zone) {
                out.push((
                    subnet.id.into(),
                    subnet.availability_zone.into(),
                    subnet.vpc_id.into(),
                ));
            }
        }
        Ok(out)
    }

    pub(crate) fn create_classic_load_balancer(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: CreateRequest = parse_request(input)?;
        let name = request.load_balancer_name.clone();
        check_name(&name, "Load balancer", "$.LoadBalancerName")?;
        let listeners = Self::classic_listeners(&request.listeners)?;
        let scheme = request
            .scheme
            .clone()
            .unwrap_or_else(|| "internet-facing".into());
        if !["internet-facing", "internal"].contains(&scheme.as_str()) {
            return Err(validation(
                format!("'{scheme}' is not a valid scheme: internet-facing or internal"),
                "$.Scheme",
            ));
        }
        if let Some(lb) = self.elb.load_balancers.iter().find(|lb| lb.name == name) {
            // The same request again answers as the first did (CreateLoadBalancer is
            // idempotent); anything else under the name is refused.
            let same = lb
                .classic
                .as_ref()
                .is_some_and(|c| c.listeners == listeners);
            if same {
                return Ok(json!({ "DNSName": lb.dns_name }));
            }
            return Err(ApiError::new(
                "DuplicateLoadBalancerName",
                format!("Load balancer named '{name}' already exists and it is configured with different parameters."),
                Some("$.LoadBalancerName"),
            ));
        }
        if self.elb.load_balancers.len() >= LOAD_BALANCERS_MAX {
            return Err(ApiError::new(
                "TooManyLoadBalancers",
                format!("Exceeded quota of account: the quota of {LOAD_BALANCERS_MAX} load balancers has been reached"),
                None,
            ));
        }
        if self.elb.target_groups.len() >= TARGET_GROUPS_MAX {
            return Err(ApiError::new(
                "TooManyLoadBalancers",
                format!("The model holds {TARGET_GROUPS_MAX} target groups at the most"),
                None,
            ));
        }
        let subnets = self.classic_subnets(&request)?;
        let vpc_id = subnets[0].2.clone();
        let given = request.security_groups.clone().unwrap_or_default();
        for (n, id) in given.iter().enumerate() {
            if crate::ec2::read::security_group_vpc(self, id) != Some(vpc_id.as_str()) {
                return Err(ApiError::new(
                    "InvalidSecurityGroup",
                    format!("Security group '{id}' does not exist in VPC '{vpc_id}'"),
                    Some(&format!("$.SecurityGroups[{n}]")),
                ));
            }
        }
        // None given: the VPC's default group (AWS makes a default ELB group; the model uses
        // the VPC's).
        let security_groups = if given.is_empty() {
            crate::ec2::read::default_security_group(self, &vpc_id)
                .map(str::to_string)
                .into_iter()
                .collect()
        } else {
            given
        };
        let arn = format!(
            "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{name}",
            self.config.region, self.config.account
        );
        let digits =
            u64::from_str_radix(&self.ids.hex(9), 16).unwrap_or(0) % 9_000_000_000 + 1_000_000_000;
        let prefix = if scheme == "internal" {
            "internal-"
        } else {
            ""
        };
        let first = crate::ec2::read::subnet(self, &subnets[0].0)
            .expect("checked")
            .first_address;
        let port = listeners[0].instance_port;
        let health_target = format!("TCP:{port}");
        let layer7 = listeners[0].instance_protocol == "HTTP";
        self.elb.groups_created += 1;
        let group = TargetGroup {
            key: self.elb.groups_created,
            arn: arn.clone(),
            name: name.clone(),
            protocol: listeners[0].instance_protocol.clone(),
            port,
            vpc_id: vpc_id.clone(),
            target_type: "instance".into(),
            health: HealthCheck {
                protocol: "TCP".into(),
                port: Some(port),
                path: None,
                interval_s: DEFAULT_INTERVAL_S,
                timeout_s: DEFAULT_TIMEOUT_S,
                healthy_threshold: DEFAULT_HEALTHY_THRESHOLD,
                unhealthy_threshold: DEFAULT_UNHEALTHY_THRESHOLD,
                matcher: None,
            },
            deregistration_delay_s: 0,
            slow_start_s: 0,
            algorithm: if layer7 {
                "least_outstanding_requests"
            } else {
                "round_robin"
            }
            .into(),
            cross_zone: "false".into(),
            targets: Vec::new(),
            registrations: 0,
            check_source: (0, Vec::new()),
            minute: Default::default(),
            classic: true,
            by_id: Default::default(),
        };
        for l in &listeners {
            self.elb.listeners.push(Listener {
                arn: format!("{arn}/listener/{}", l.load_balancer_port),
                load_balancer: arn.clone(),
                protocol: l.protocol.clone(),
                port: l.load_balancer_port,
                default_actions: json!([{ "Type": "forward", "TargetGroupArn": arn }]),
                forward: vec![(arn.clone(), 1)],
            });
        }
        let dns_name = format!(
            "{prefix}{name}-{digits}.{}.elb.amazonaws.com",
            self.config.region
        );
        self.elb.target_groups.push(group);
        self.elb.load_balancers.push(LoadBalancer {
            arn,
            name,
            kind: Kind::Classic,
            scheme,
            vpc_id,
            zones: subnets.into_iter().map(|(s, z, _)| (s, z)).collect(),
            security_groups,
            dns_name: dns_name.clone(),
            created_at: self.now,
            address: first.wrapping_add(10),
            minute: Default::default(),
            requests_per_second: 0.0,
            classic: Some(Box::new(Classic {
                listeners,
                health_target,
                draining_s: None,
                cross_zone: false,
            })),
        });
        self.target_groups_changed();
        Ok(json!({ "DNSName": dns_name }))
    }

    pub(crate) fn configure_health_check(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ConfigureHealthCheckRequest = parse_request(input)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        let h = &request.health_check;
        let (protocol, port, path) = parse_target(&h.target)?;
        let interval = bounded(
            h.interval,
            5,
            300,
            "healthCheck.interval",
            "$.HealthCheck.Interval",
        )?;
        let timeout = bounded(
            h.timeout,
            2,
            60,
            "healthCheck.timeout",
            "$.HealthCheck.Timeout",
        )?;
        let unhealthy = bounded(
            h.unhealthy_threshold,
            2,
            10,
            "healthCheck.unhealthyThreshold",
            "$.HealthCheck.UnhealthyThreshold",
        )?;
        let healthy = bounded(
            h.healthy_threshold,
            2,
            10,
            "healthCheck.healthyThreshold",
            "$.HealthCheck.HealthyThreshold",
        )?;
        if timeout >= interval {
            // ELB's rule (the timeout must be less than the interval); the wording is the
            // model's.
            return Err(validation(
                "HealthCheck Timeout must be less than Interval",
                "$.HealthCheck.Timeout",
            ));
        }
        let group = self.classic_group_index(lb);
        let tg = &mut self.elb.target_groups[group];
        tg.health = HealthCheck {
            // Any answer but "200 OK" fails an HTTP check.
            matcher: (path.is_some()).then(|| "200".to_string()),
            protocol,
            port: Some(port),
            path,
            interval_s: interval,
            timeout_s: timeout,
            healthy_threshold: healthy,
            unhealthy_threshold: unhealthy,
        };
        let classic = self.elb.load_balancers[lb]
            .classic
            .as_mut()
            .expect("classic");
        classic.health_target = h.target.clone();
        Ok(json!({ "HealthCheck": self.classic_health_json(lb) }))
    }

    fn classic_health_json(&self, lb: usize) -> Value {
        let classic = self.elb.load_balancers[lb]
            .classic
            .as_ref()
            .expect("classic");
        let h = &self.elb.target_groups[self.classic_group_index(lb)].health;
        json!({
            "Target": classic.health_target,
            "Interval": h.interval_s,
            "Timeout": h.timeout_s,
            "UnhealthyThreshold": h.unhealthy_threshold,
            "HealthyThreshold": h.healthy_threshold,
        })
    }

    /// The instances registered with a Classic Load Balancer (those deregistering are not).
    fn classic_instances(&self, group: usize) -> Vec<Value> {
        (self.elb.target_groups[group].targets.iter())
            .filter(|t| t.state != TargetState::Draining)
            .map(|t| json!({ "InstanceId": t.id }))
            .collect()
    }

    pub(crate) fn register_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstancesRequest = parse_request(input)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        let vpc = self.elb.load_balancers[lb].vpc_id.clone();
        for (n, i) in request.instances.iter().enumerate() {
            let view = crate::ec2::read::instance(self, &i.instance_id);
            let known =
                view.is_some_and(|v| v.state != crate::ec2::read::InstanceState::Terminated);
            // An instance in a subnet never created is in the default VPC (ec2's rule).
            let in_vpc = view.is_some_and(|v| {
                crate::ec2::read::subnet(self, v.subnet_id).is_none_or(|s| s.vpc_id == vpc)
            });
            if !known || !in_vpc {
                // The code is ELB's; the wording is the model's.
                return Err(ApiError::new(
                    "InvalidInstance",
                    format!("EC2 instance {} is not valid: it must be a running or pending instance in the load balancer's VPC.", i.instance_id),
                    Some(&format!("$.Instances[{n}].InstanceId")),
                ));
            }
        }
        let group = self.classic_group_index(lb);
        let port = self.elb.target_groups[group].port;
        for i in &request.instances {
            self.add_target(group, i.instance_id.clone(), port, None, true);
        }
        Ok(json!({ "Instances": self.classic_instances(group) }))
    }

    pub(crate) fn deregister_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstancesRequest = parse_request(input)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        let group = self.classic_group_index(lb);
        let port = self.elb.target_groups[group].port;
        for (n, i) in request.instances.iter().enumerate() {
            let registered = (self.elb.target_groups[group].targets.iter())
                .any(|t| t.id == i.instance_id && t.state != TargetState::Draining);
            if !registered {
                return Err(ApiError::new(
                    "InvalidInstance",
                    format!(
                        "EC2 instance {} is not registered with load balancer {}.",
                        i.instance_id, request.load_balancer_name
                    ),
                    Some(&format!("$.Instances[{n}].InstanceId")),
                ));
            }
        }
        for i in &request.instances {
            self.drain_target(group, &i.instance_id, port);
        }
        Ok(json!({ "Instances": self.classic_instances(group) }))
    }

    pub(crate) fn describe_instance_health(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeInstanceHealthRequest = parse_request(input)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        let group = self.classic_group_index(lb);
        let tg = &self.elb.target_groups[group];
        let balancer = &self.elb.load_balancers[lb];
        let states: Vec<Value> = match &request.instances {
            None => tg
                .targets
                .iter()
                .map(|t| instance_state(balancer, tg, Some(t), &t.id))
                .collect(),
            Some(asked) => asked
                .iter()
                .map(|a| {
                    let t = tg.targets.iter().find(|t| t.id == a.instance_id);
                    instance_state(balancer, tg, t, &a.instance_id)
                })
                .collect(),
        };
        Ok(json!({ "InstanceStates": states }))
    }

    pub(crate) fn describe_classic_load_balancers(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: DescribeRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let names = request.load_balancer_names.unwrap_or_default();
        let mut chosen = Vec::new();
        for (n, name) in names.iter().enumerate() {
            chosen.push(self.classic_index(name, &format!("$.LoadBalancerNames[{n}]"))?);
        }
        if names.is_empty() {
            chosen = (0..self.elb.load_balancers.len())
                .filter(|&i| self.elb.load_balancers[i].kind == Kind::Classic)
                .collect();
        }
        let out: Vec<Value> = chosen.into_iter().map(|lb| self.classic_json(lb)).collect();
        Ok(json!({ "LoadBalancerDescriptions": out }))
    }

    /// A Classic Load Balancer as DescribeLoadBalancers (2012-06-01) gives it.
    pub(crate) fn classic_json(&self, lb: usize) -> Value {
        let balancer = &self.elb.load_balancers[lb];
        let classic = balancer.classic.as_ref().expect("classic");
        let group = self.classic_group_index(lb);
        let source_group = (balancer.security_groups.first())
            .and_then(|id| crate::ec2::read::security_group_name(self, id))
            .unwrap_or("default");
        json!({
            "LoadBalancerName": balancer.name,
            "DNSName": balancer.dns_name,
            "CanonicalHostedZoneName": balancer.dns_name,
            "CanonicalHostedZoneNameID": super::load_balancer::ALB_HOSTED_ZONE,
            "ListenerDescriptions": classic.listeners.iter().map(|l| json!({
                "Listener": {
                    "Protocol": l.protocol,
                    "LoadBalancerPort": l.load_balancer_port,
                    "InstanceProtocol": l.instance_protocol,
                    "InstancePort": l.instance_port,
                },
                "PolicyNames": [],
            })).collect::<Vec<_>>(),
            "Policies": {
                "AppCookieStickinessPolicies": [],
                "LBCookieStickinessPolicies": [],
                "OtherPolicies": [],
            },
            "BackendServerDescriptions": [],
            "AvailabilityZones": balancer.zones.iter().map(|(_, z)| z).collect::<Vec<_>>(),
            "Subnets": balancer.zones.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            "VPCId": balancer.vpc_id,
            "Instances": self.classic_instances(group),
            "HealthCheck": self.classic_health_json(lb),
            "SourceSecurityGroup": { "OwnerAlias": self.config.account, "GroupName": source_group },
            "SecurityGroups": balancer.security_groups,
            "CreatedTime": self.iso(balancer.created_at),
            "Scheme": balancer.scheme,
        })
    }

    pub(crate) fn delete_classic_load_balancer(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: NameRequest = parse_request(input)?;
        // Deleting one that is not there succeeds, as ELB's delete calls do.
        let Ok(lb) = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName") else {
            return Ok(json!({}));
        };
        let arn = self.elb.load_balancers[lb].arn.clone();
        self.elb.listeners.retain(|l| l.load_balancer != arn);
        self.elb
            .target_groups
            .retain(|tg| !(tg.classic && tg.arn == arn));
        self.elb.load_balancers.remove(lb);
        self.target_groups_changed();
        Ok(json!({}))
    }

    fn classic_attributes_json(&self, lb: usize) -> Value {
        let classic = self.elb.load_balancers[lb]
            .classic
            .as_ref()
            .expect("classic");
        json!({
            "CrossZoneLoadBalancing": { "Enabled": classic.cross_zone },
            "AccessLog": { "Enabled": false },
            "ConnectionDraining": {
                "Enabled": classic.draining_s.is_some(),
                "Timeout": classic.draining_s.unwrap_or(DRAINING_TIMEOUT_S_DEFAULT),
            },
            "ConnectionSettings": { "IdleTimeout": IDLE_TIMEOUT_S },
            "AdditionalAttributes": [],
        })
    }

    pub(crate) fn describe_classic_attributes(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: NameRequest = parse_request(input)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        Ok(json!({ "LoadBalancerAttributes": self.classic_attributes_json(lb) }))
    }

    pub(crate) fn modify_classic_attributes(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ModifyAttributesRequest = parse_request(input)?;
        refuse_unmodelled(input, ATTRIBUTES_UNMODELLED)?;
        let lb = self.classic_index(&request.load_balancer_name, "$.LoadBalancerName")?;
        let attributes = &request.load_balancer_attributes;
        let draining = match &attributes.connection_draining {
            None => None,
            Some(d) => {
                let timeout = match d.timeout {
                    None => DRAINING_TIMEOUT_S_DEFAULT,
                    Some(t) => bounded(
                        t,
                        1,
                        DRAINING_TIMEOUT_S_MAX,
                        "loadBalancerAttributes.connectionDraining.timeout",
                        "$.LoadBalancerAttributes.ConnectionDraining.Timeout",
                    )?,
                };
                Some(d.enabled.then_some(timeout))
            }
        };
        let group = self.classic_group_index(lb);
        let classic = self.elb.load_balancers[lb]
            .classic
            .as_mut()
            .expect("classic");
        if let Some(draining) = draining {
            classic.draining_s = draining;
        }
        if let Some(cross_zone) = &attributes.cross_zone_load_balancing {
            classic.cross_zone = cross_zone.enabled;
        }
        let (draining_s, cross_zone) = (classic.draining_s, classic.cross_zone);
        let tg = &mut self.elb.target_groups[group];
        tg.deregistration_delay_s = draining_s.unwrap_or(0);
        tg.cross_zone = cross_zone.to_string();
        Ok(json!({
            "LoadBalancerName": request.load_balancer_name,
            "LoadBalancerAttributes": self.classic_attributes_json(lb),
        }))
    }
}

/// An instance's health as DescribeInstanceHealth gives it (aws-facts 17.1.13).
fn instance_state(lb: &LoadBalancer, tg: &TargetGroup, target: Option<&Target>, id: &str) -> Value {
    let (state, code, description) = classic_health(lb, tg, target);
    json!({ "InstanceId": id, "State": state, "ReasonCode": code, "Description": description })
}

/// `State`, `ReasonCode` and `Description` of an instance of a Classic Load Balancer.
pub(crate) fn classic_health(
    lb: &LoadBalancer,
    tg: &TargetGroup,
    target: Option<&Target>,
) -> (&'static str, &'static str, &'static str) {
    const NOT_REGISTERED: &str = "Instance is not currently registered with the LoadBalancer.";
    let Some(t) = target else {
        return ("OutOfService", "ELB", NOT_REGISTERED);
    };
    let zone_enabled = t
        .zone
        .as_deref()
        .is_none_or(|z| lb.zones.iter().any(|(_, lz)| lz == z));
    match (t.state, t.reason) {
        (TargetState::Draining, _) => ("InService", "ELB", "Instance deregistration currently in progress."),
        (_, Some(Reason::InvalidState(state))) => (
            "OutOfService",
            "Instance",
            match state {
                "stopped" => "Instance is in stopped state.",
                "pending" => "Instance is in pending state.",
                _ => "Instance is in terminated state.",
            },
        ),
        _ if !zone_enabled => (
            "OutOfService",
            "ELB",
            "Instance is in the EC2 Availability Zone for which LoadBalancer is not configured to route traffic to.",
        ),
        (TargetState::Healthy, _) => ("InService", "N/A", "N/A"),
        (TargetState::Unhealthy, _) => (
            "OutOfService",
            "Instance",
            "Instance has failed at least the UnhealthyThreshold number of health checks consecutively.",
        ),
        (_, Some(Reason::RegistrationInProgress)) => {
            ("OutOfService", "ELB", "Instance registration is still in progress.")
        }
        _ if tg.targets.is_empty() => ("OutOfService", "ELB", NOT_REGISTERED),
        _ => (
            "OutOfService",
            "Instance",
            "Instance has not passed the configured HealthyThreshold number of health checks consecutively.",
        ),
    }
}

/// A Classic Load Balancer's metrics for a minute (`AWS/ELB`, by `LoadBalancerName`):
/// RequestCount, HealthyHostCount, UnHealthyHostCount, Latency, HTTPCode_Backend_2XX and
/// _5XX, HTTPCode_ELB_5XX, BackendConnectionErrors.
pub(crate) fn minute_metrics(
    out: &mut Vec<Datum>,
    lb: &LoadBalancer,
    minute: &super::traffic::Minute,
    tg: &TargetGroup,
) {
    const NS: &str = "AWS/ELB";
    let dims = [("LoadBalancerName", lb.name.as_str())];
    let healthy = tg
        .targets
        .iter()
        .filter(|t| t.state == TargetState::Healthy)
        .count();
    let unhealthy = tg
        .targets
        .iter()
        .filter(|t| t.state == TargetState::Unhealthy)
        .count();
    out.push(Datum::value(
        NS,
        "HealthyHostCount",
        &dims,
        "Count",
        healthy as f64,
    ));
    out.push(Datum::value(
        NS,
        "UnHealthyHostCount",
        &dims,
        "Count",
        unhealthy as f64,
    ));
    if tg.targets.is_empty() && minute.arrived == 0 {
        return;
    }
    out.push(Datum::value(
        NS,
        "RequestCount",
        &dims,
        "Count",
        minute.arrived as f64,
    ));
    let m = &minute.target;
    let counts = [
        ("HTTPCode_Backend_2XX", m.target_2xx),
        ("HTTPCode_Backend_5XX", m.target_5xx),
        ("BackendConnectionErrors", m.refused + m.timed_out),
        (
            "HTTPCode_ELB_5XX",
            (minute.lb_codes.iter())
                .filter(|(c, _)| (500..600).contains(*c))
                .map(|(_, n)| n)
                .sum(),
        ),
    ];
    for (name, n) in counts {
        if n > 0 {
            out.push(Datum::value(NS, name, &dims, "Count", n as f64));
        }
    }
    if m.answered > 0 {
        out.push(Datum::statistics(
            NS,
            "Latency",
            &dims,
            "Seconds",
            [
                m.answered as f64,
                m.response_time_sum_s,
                m.response_time_min_s,
                m.response_time_max_s,
            ],
        ));
    }
}
