//! Load balancers and their listeners: CreateLoadBalancer, DescribeLoadBalancers,
//! DeleteLoadBalancer, CreateListener, DescribeListeners, DeleteListener.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{check_name, validation, LISTENERS_PER_LOAD_BALANCER_MAX, LOAD_BALANCERS_MAX};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::SimTime;
use crate::world::World;

/// Route 53 hosted zone of load balancers in us-east-1 (ALB and NLB differ), as
/// DescribeLoadBalancers gives it.
pub(super) const ALB_HOSTED_ZONE: &str = "Z35SXDOTRQ7X7K";
const NLB_HOSTED_ZONE: &str = "Z26RNL4JYFTOTI";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Application,
    Network,
    /// A Classic Load Balancer (`elb::classic`).
    Classic,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Application => "application",
            Kind::Network => "network",
            Kind::Classic => "classic",
        }
    }

    /// The listener and target-group protocols of this kind.
    pub fn protocols(self) -> &'static [&'static str] {
        match self {
            Kind::Application => &["HTTP", "HTTPS"],
            Kind::Network => &["TCP", "TLS", "UDP", "TCP_UDP"],
            Kind::Classic => &["HTTP", "TCP"],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub kind: Kind,
    pub scheme: String,
    pub vpc_id: String,
    /// Its subnets and their zones, one per zone.
    pub zones: Vec<(String, String)>,
    pub security_groups: Vec<String>,
    pub dns_name: String,
    pub created_at: SimTime,
    /// The address its health checks come from (its node in the first subnet).
    pub address: u32,
    /// What its traffic did in the minute under way, for its metrics.
    pub minute: super::traffic::Minute,
    /// Requests a second sent to it at the last traffic sample.
    pub requests_per_second: f32,
    /// A Classic Load Balancer's listeners and settings.
    pub classic: Option<Box<super::classic::Classic>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub arn: String,
    pub load_balancer: String,
    pub protocol: String,
    pub port: u16,
    /// The default action as given: forward (to weighted target groups) or a fixed response.
    pub default_actions: Value,
    /// The target groups the default action forwards to, with their weights.
    pub forward: Vec<(String, u32)>,
}

impl Listener {
    pub fn json(&self) -> Value {
        json!({
            "ListenerArn": self.arn,
            "LoadBalancerArn": self.load_balancer,
            "Port": self.port,
            "Protocol": self.protocol,
            "DefaultActions": self.default_actions,
        })
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateLoadBalancerRequest {
    name: String,
    subnets: Option<Vec<String>>,
    subnet_mappings: Option<Vec<SubnetMapping>>,
    security_groups: Option<Vec<String>>,
    scheme: Option<String>,
    tags: Option<Value>,
    #[serde(rename = "Type")]
    kind: Option<String>,
    ip_address_type: Option<String>,
    customer_owned_ipv4_pool: Option<Value>,
    enable_prefix_for_ipv6_source_nat: Option<Value>,
    ipam_pools: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SubnetMapping {
    subnet_id: String,
    allocation_id: Option<Value>,
    #[serde(rename = "PrivateIPv4Address")]
    private_ipv4_address: Option<Value>,
    #[serde(rename = "IPv6Address")]
    ipv6_address: Option<Value>,
    source_nat_ipv6_prefix: Option<Value>,
}

const CREATE_LOAD_BALANCER_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.IpAddressType",
        why: "load balancers here are IPv4.",
        default: Some(|v| v.as_str() == Some("ipv4")),
    },
    Unmodelled::field("$.CustomerOwnedIpv4Pool", "Outposts are not simulated."),
    Unmodelled {
        path: "$.EnablePrefixForIpv6SourceNat",
        why: "IPv6 is not simulated.",
        default: Some(|v| v.as_str() == Some("off")),
    },
    Unmodelled::field("$.IpamPools", "IPAM is not simulated."),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeLoadBalancersRequest {
    load_balancer_arns: Option<Vec<String>>,
    names: Option<Vec<String>>,
    marker: Option<Value>,
    page_size: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct LoadBalancerArnRequest {
    load_balancer_arn: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateListenerRequest {
    load_balancer_arn: String,
    protocol: Option<String>,
    port: Option<i64>,
    ssl_policy: Option<String>,
    certificates: Option<Value>,
    default_actions: Vec<Action>,
    alpn_policy: Option<Value>,
    tags: Option<Value>,
    mutual_authentication: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub(super) struct Action {
    #[serde(rename = "Type")]
    kind: String,
    target_group_arn: Option<String>,
    forward_config: Option<ForwardConfig>,
    fixed_response_config: Option<Value>,
    redirect_config: Option<Value>,
    authenticate_oidc_config: Option<Value>,
    authenticate_cognito_config: Option<Value>,
    order: Option<i64>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ForwardConfig {
    target_groups: Vec<WeightedTargetGroup>,
    target_group_stickiness_config: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct WeightedTargetGroup {
    target_group_arn: String,
    weight: Option<u32>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeListenersRequest {
    load_balancer_arn: Option<String>,
    listener_arns: Option<Vec<String>>,
    marker: Option<Value>,
    page_size: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ListenerArnRequest {
    listener_arn: String,
}

const CREATE_LISTENER_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field("$.MutualAuthentication", "mutual TLS is not simulated."),
    Unmodelled::field("$.AlpnPolicy", "TLS negotiation is not simulated."),
];

pub(super) const PAGING_UNMODELLED: &[Unmodelled] = &[Unmodelled::field(
    "$.Marker",
    "every answer here is one page.",
)];

fn load_balancer_not_found(path: &str) -> ApiError {
    ApiError::new(
        "LoadBalancerNotFound",
        "One or more load balancers not found",
        Some(path),
    )
}

fn parse_ipv4_base(cidr_base: u32, host: u32) -> u32 {
    cidr_base.wrapping_add(host)
}

impl World {
    /// The subnets a CreateLoadBalancer names, each existing, one per zone; an ALB spans two
    /// zones at least (aws-facts 8.1).
    fn load_balancer_subnets(
        &self,
        request: &CreateLoadBalancerRequest,
        kind: Kind,
    ) -> Result<Vec<(String, String, String)>, ApiError> {
        for (n, m) in request.subnet_mappings.iter().flatten().enumerate() {
            let given = m.allocation_id.is_some()
                || m.private_ipv4_address.is_some()
                || m.ipv6_address.is_some()
                || m.source_nat_ipv6_prefix.is_some();
            if given {
                return Err(ApiError::not_modelled(
                    &format!("$.SubnetMappings[{n}]"),
                    "Elastic IPs and chosen addresses are not simulated; give SubnetId alone.",
                ));
            }
        }
        let ids: Vec<String> = match (&request.subnets, &request.subnet_mappings) {
            (Some(subnets), _) if !subnets.is_empty() => subnets.clone(),
            (_, Some(mappings)) => mappings.iter().map(|m| m.subnet_id.clone()).collect(),
            _ => Vec::new(),
        };
        let mut out: Vec<(String, String, String)> = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            let subnet = crate::ec2::read::subnet(self, id).ok_or_else(|| {
                ApiError::new(
                    "SubnetNotFound",
                    format!("The subnet ID '{id}' is not valid"),
                    Some(&format!("$.Subnets[{n}]")),
                )
            })?;
            if out
                .iter()
                .any(|(_, zone, _)| *zone == subnet.availability_zone)
            {
                return Err(ApiError::new(
                    "InvalidConfigurationRequest",
                    "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
                    Some(&format!("$.Subnets[{n}]")),
                ));
            }
            if out.first().is_some_and(|(_, _, vpc)| *vpc != subnet.vpc_id) {
                return Err(validation(
                    "The subnets of a load balancer must all be in one VPC",
                    &format!("$.Subnets[{n}]"),
                ));
            }
            out.push((
                subnet.id.to_string(),
                subnet.availability_zone.to_string(),
                subnet.vpc_id.to_string(),
            ));
        }
        let needed = if kind == Kind::Application { 2 } else { 1 };
        if out.len() < needed {
            return Err(validation(
                "At least two subnets in two different Availability Zones must be specified",
                "$.Subnets",
            ));
        }
        Ok(out)
    }

    pub(crate) fn create_load_balancer(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateLoadBalancerRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_LOAD_BALANCER_UNMODELLED)?;
        check_name(&request.name, "Load balancer", "$.Name")?;
        if request.name.starts_with("internal-") {
            return Err(validation(
                "Load balancer names cannot begin with 'internal-'",
                "$.Name",
            ));
        }
        let kind = match request.kind.as_deref() {
            None | Some("application") => Kind::Application,
            Some("network") => Kind::Network,
            Some(other) => {
                return Err(ApiError::not_modelled(
                    "$.Type",
                    &format!(
                    "'{other}' load balancers are not simulated; Type is application or network."
                ),
                ))
            }
        };
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
        let names = self.elb.load_balancers.iter().map(|lb| lb.name.as_str());
        super::check_new_name(names, &request.name, "load balancer", LOAD_BALANCERS_MAX)?;
        let subnets = self.load_balancer_subnets(&request, kind)?;
        let vpc_id = subnets[0].2.clone();
        let security_groups = self.load_balancer_groups(&request, kind, &vpc_id)?;
        let id = self.ids.hex(16);
        let short = if kind == Kind::Application {
            "app"
        } else {
            "net"
        };
        let prefix = if scheme == "internal" {
            "internal-"
        } else {
            ""
        };
        let digits = u64::from_str_radix(&id[..9], 16).unwrap_or(0) % 9_000_000_000 + 1_000_000_000;
        let first = (crate::ec2::read::subnet(self, &subnets[0].0))
            .expect("checked")
            .first_address;
        let lb = LoadBalancer {
            arn: format!(
                "arn:aws:elasticloadbalancing:{}:{}:loadbalancer/{short}/{}/{id}",
                self.config.region, self.config.account, request.name
            ),
            name: request.name.clone(),
            kind,
            scheme,
            vpc_id,
            zones: subnets.into_iter().map(|(s, z, _)| (s, z)).collect(),
            security_groups,
            dns_name: format!(
                "{prefix}{}-{digits}.{}.elb.amazonaws.com",
                request.name, self.config.region
            ),
            created_at: self.now,
            address: parse_ipv4_base(first, 10),
            minute: Default::default(),
            requests_per_second: 0.0,
            classic: None,
        };
        let out = self.load_balancer_json(&lb);
        self.elb.load_balancers.push(lb);
        Ok(json!({ "LoadBalancers": [out] }))
    }

    /// An ALB's security groups (each existing, in its VPC; none given: the VPC's default
    /// group); an NLB has the ones given, possibly none.
    fn load_balancer_groups(
        &self,
        request: &CreateLoadBalancerRequest,
        kind: Kind,
        vpc_id: &str,
    ) -> Result<Vec<String>, ApiError> {
        let given = request.security_groups.clone().unwrap_or_default();
        for (n, id) in given.iter().enumerate() {
            let ok = crate::ec2::read::security_group_vpc(self, id) == Some(vpc_id);
            if !ok {
                return Err(ApiError::new(
                    "InvalidSecurityGroup",
                    format!("Security group '{id}' does not exist in VPC '{vpc_id}'"),
                    Some(&format!("$.SecurityGroups[{n}]")),
                ));
            }
        }
        if given.is_empty() && kind == Kind::Application {
            let default = crate::ec2::read::default_security_group(self, vpc_id);
            return Ok(default.map(str::to_string).into_iter().collect());
        }
        Ok(given)
    }

    pub(crate) fn load_balancer_json(&self, lb: &LoadBalancer) -> Value {
        json!({
            "LoadBalancerArn": lb.arn,
            "DNSName": lb.dns_name,
            "CanonicalHostedZoneId": if lb.kind == Kind::Application { ALB_HOSTED_ZONE } else { NLB_HOSTED_ZONE },
            "CreatedTime": self.iso(lb.created_at),
            "LoadBalancerName": lb.name,
            "Scheme": lb.scheme,
            "VpcId": lb.vpc_id,
            // AWS provisions for a few minutes; the model's load balancers are active at once.
            "State": { "Code": "active" },
            "Type": lb.kind.as_str(),
            "AvailabilityZones": lb.zones.iter().map(|(subnet, zone)| json!({
                "ZoneName": zone, "SubnetId": subnet, "LoadBalancerAddresses": [],
            })).collect::<Vec<_>>(),
            "SecurityGroups": lb.security_groups,
            "IpAddressType": "ipv4",
        })
    }

    pub(crate) fn describe_load_balancers(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeLoadBalancersRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let arns = request.load_balancer_arns.unwrap_or_default();
        let names = request.names.unwrap_or_default();
        // Classic Load Balancers answer the Classic API only.
        let lbs: Vec<&LoadBalancer> = (self.elb.load_balancers.iter())
            .filter(|lb| lb.kind != Kind::Classic)
            .collect();
        for (n, arn) in arns.iter().enumerate() {
            if !lbs.iter().any(|lb| lb.arn == *arn) {
                return Err(load_balancer_not_found(&format!("$.LoadBalancerArns[{n}]")));
            }
        }
        for (n, name) in names.iter().enumerate() {
            if !lbs.iter().any(|lb| lb.name == *name) {
                return Err(load_balancer_not_found(&format!("$.Names[{n}]")));
            }
        }
        let chosen: Vec<Value> = (lbs.iter())
            .filter(|lb| {
                (arns.is_empty() && names.is_empty())
                    || arns.contains(&lb.arn)
                    || names.contains(&lb.name)
            })
            .map(|lb| self.load_balancer_json(lb))
            .collect();
        Ok(json!({ "LoadBalancers": chosen }))
    }

    pub(crate) fn delete_load_balancer(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: LoadBalancerArnRequest = parse_request(input)?;
        // Deleting one that is not there succeeds, as ELB's delete calls do.
        let arn = request.load_balancer_arn;
        if (self.elb.load_balancers.iter()).any(|lb| lb.arn == arn && lb.kind == Kind::Classic) {
            return Ok(json!({}));
        }
        let listeners: Vec<String> = (self.elb.listeners.iter())
            .filter(|l| l.load_balancer == arn)
            .map(|l| l.arn.clone())
            .collect();
        self.elb.listeners.retain(|l| l.load_balancer != arn);
        self.elb.rules.retain(|r| !listeners.contains(&r.listener));
        self.elb.load_balancers.retain(|lb| lb.arn != arn);
        if !listeners.is_empty() {
            self.target_groups_changed();
        }
        Ok(json!({}))
    }

    /// The target groups a listener's default action (or a rule's action, at `path`) forwards
    /// to, with their weights; the action itself as DescribeListeners gives it back.
    pub(super) fn listener_actions(
        &self,
        actions: &[Action],
        kind: Kind,
        load_balancer: &str,
        path: &str,
    ) -> Result<(Vec<(String, u32)>, Value), ApiError> {
        if actions.len() != 1 {
            return Err(validation(
                "The actions are one action here: forward or fixed-response",
                path,
            ));
        }
        let action = &actions[0];
        let at = &format!("{path}[0]");
        let unmodelled = action.redirect_config.is_some()
            || action.authenticate_oidc_config.is_some()
            || action.authenticate_cognito_config.is_some()
            || (action.forward_config.as_ref())
                .and_then(|f| f.target_group_stickiness_config.as_ref())
                .is_some_and(|c| c.get("Enabled") == Some(&Value::Bool(true)));
        if unmodelled {
            return Err(ApiError::not_modelled(
                at,
                "redirects, authentication and stickiness are not simulated; forward or answer with a fixed response.",
            ));
        }
        let config_of_other_type = match action.kind.as_str() {
            "forward" => action.fixed_response_config.is_some(),
            _ => action.target_group_arn.is_some() || action.forward_config.is_some(),
        };
        if config_of_other_type {
            return Err(validation(
                format!(
                    "An action of type '{}' takes only its own configuration",
                    action.kind
                ),
                at,
            ));
        }
        let mut forward: Vec<(String, u32)> = match action.kind.as_str() {
            "forward" => match (&action.target_group_arn, &action.forward_config) {
                (Some(arn), None) => vec![(arn.clone(), 1)],
                (None, Some(config)) => (config.target_groups.iter())
                    .map(|t| (t.target_group_arn.clone(), t.weight.unwrap_or(1)))
                    .collect(),
                _ => {
                    return Err(validation(
                        "A forward action names either TargetGroupArn or ForwardConfig",
                        at,
                    ))
                }
            },
            "fixed-response" if action.fixed_response_config.is_some() => Vec::new(),
            "fixed-response" => {
                return Err(validation(
                    "A fixed-response action needs FixedResponseConfig",
                    at,
                ))
            }
            other => {
                return Err(ApiError::not_modelled(
                    &format!("{at}.Type"),
                    &format!("'{other}' actions are not simulated; use forward or fixed-response."),
                ))
            }
        };
        for (n, (arn, weight)) in forward.iter().enumerate() {
            let path = format!("{at}.ForwardConfig.TargetGroups[{n}]");
            let tg = (self.elb.target_groups.iter())
                .find(|tg| tg.arn == *arn)
                .ok_or_else(|| super::target_group::not_found(&path))?;
            if !kind.protocols().contains(&tg.protocol.as_str()) {
                return Err(ApiError::new(
                    "InvalidConfigurationRequest",
                    format!(
                        "The target group '{arn}' has protocol {}, which a {} load balancer does not route to",
                        tg.protocol,
                        kind.as_str()
                    ),
                    Some(&path),
                ));
            }
            let used_elsewhere = (self.elb.listeners.iter()).any(|l| {
                l.load_balancer != load_balancer && l.forward.iter().any(|(a, _)| a == arn)
            });
            if used_elsewhere {
                return Err(ApiError::new(
                    "TargetGroupAssociationLimit",
                    format!("The following target groups cannot be associated with more than one load balancer: {arn}"),
                    Some(&path),
                ));
            }
            if *weight > 999 {
                return Err(validation("A target group's weight is 0 to 999", &path));
            }
        }
        forward.dedup();
        let mut described = action_json(action);
        if let Some(order) = action.order {
            described["Order"] = json!(order);
        }
        Ok((forward, json!([described])))
    }

    pub(crate) fn create_listener(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateListenerRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_LISTENER_UNMODELLED)?;
        let lb = (self.elb.load_balancers.iter())
            .find(|lb| lb.arn == request.load_balancer_arn)
            .cloned()
            .ok_or_else(|| load_balancer_not_found("$.LoadBalancerArn"))?;
        let protocol = request.protocol.clone().unwrap_or_else(|| {
            if lb.kind == Kind::Application {
                "HTTP"
            } else {
                "TCP"
            }
            .into()
        });
        if !lb.kind.protocols().contains(&protocol.as_str()) {
            return Err(validation(
                format!(
                    "Listener protocol '{protocol}' must be one of '{}'",
                    lb.kind.protocols().join(", ")
                ),
                "$.Protocol",
            ));
        }
        if (protocol == "HTTPS" || protocol == "TLS") && request.certificates.is_none() {
            return Err(ApiError::new(
                "CertificateNotFound",
                "A certificate must be specified for HTTPS and TLS listeners",
                Some("$.Certificates"),
            ));
        }
        let port = request
            .port
            .unwrap_or(if protocol == "HTTPS" { 443 } else { 80 });
        let port = u16::try_from(port)
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| validation("Listener port must be between 1 and 65535", "$.Port"))?;
        let on_lb: Vec<&Listener> = (self.elb.listeners.iter())
            .filter(|l| l.load_balancer == lb.arn)
            .collect();
        if on_lb.iter().any(|l| l.port == port) {
            return Err(ApiError::new(
                "DuplicateListener",
                "A listener already exists on this port for this load balancer",
                Some("$.Port"),
            ));
        }
        if on_lb.len() >= LISTENERS_PER_LOAD_BALANCER_MAX {
            return Err(ApiError::new(
                "TooManyListeners",
                format!("A load balancer has at most {LISTENERS_PER_LOAD_BALANCER_MAX} listeners"),
                None,
            ));
        }
        let (forward, actions) = self.listener_actions(
            &request.default_actions,
            lb.kind,
            &lb.arn,
            "$.DefaultActions",
        )?;
        let listener = Listener {
            arn: format!(
                "{}/{}",
                lb.arn.replacen(":loadbalancer/", ":listener/", 1),
                self.ids.hex(16)
            ),
            load_balancer: lb.arn.clone(),
            protocol,
            port,
            default_actions: actions,
            forward,
        };
        let out = listener.json();
        self.elb.listeners.push(listener);
        self.target_groups_changed();
        Ok(json!({ "Listeners": [out] }))
    }

    pub(crate) fn describe_listeners(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeListenersRequest = parse_request(input)?;
        refuse_unmodelled(input, PAGING_UNMODELLED)?;
        let arns = request.listener_arns.unwrap_or_default();
        let v2 = |arn: &str| {
            (self.elb.load_balancers.iter()).any(|l| l.arn == arn && l.kind != Kind::Classic)
        };
        match &request.load_balancer_arn {
            Some(lb) if !v2(lb) => {
                return Err(load_balancer_not_found("$.LoadBalancerArn"));
            }
            None if arns.is_empty() => {
                return Err(validation(
                    "You must specify either listener ARNs or a load balancer ARN",
                    "$.LoadBalancerArn",
                ));
            }
            _ => {}
        }
        for (n, arn) in arns.iter().enumerate() {
            if !self.elb.listeners.iter().any(|l| l.arn == *arn) {
                return Err(ApiError::new(
                    "ListenerNotFound",
                    "One or more listeners not found",
                    Some(&format!("$.ListenerArns[{n}]")),
                ));
            }
        }
        let chosen: Vec<Value> = (self.elb.listeners.iter())
            .filter(|l| {
                request.load_balancer_arn.as_ref() == Some(&l.load_balancer)
                    || arns.contains(&l.arn)
            })
            .map(Listener::json)
            .collect();
        Ok(json!({ "Listeners": chosen }))
    }

    pub(crate) fn delete_listener(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListenerArnRequest = parse_request(input)?;
        if !self
            .elb
            .listeners
            .iter()
            .any(|l| l.arn == request.listener_arn)
        {
            return Err(ApiError::new(
                "ListenerNotFound",
                "One or more listeners not found",
                Some("$.ListenerArn"),
            ));
        }
        self.elb.listeners.retain(|l| l.arn != request.listener_arn);
        self.elb
            .rules
            .retain(|r| r.listener != request.listener_arn);
        self.target_groups_changed();
        Ok(json!({}))
    }
}

/// An action as DescribeListeners gives it back.
fn action_json(action: &Action) -> Value {
    let mut out = json!({ "Type": action.kind });
    if let Some(arn) = &action.target_group_arn {
        out["TargetGroupArn"] = json!(arn);
        out["ForwardConfig"] = json!({
            "TargetGroups": [{ "TargetGroupArn": arn, "Weight": 1 }],
            "TargetGroupStickinessConfig": { "Enabled": false },
        });
    }
    if let Some(config) = &action.forward_config {
        out["ForwardConfig"] = json!({
            "TargetGroups": config.target_groups.iter().map(|t| json!({
                "TargetGroupArn": t.target_group_arn, "Weight": t.weight.unwrap_or(1),
            })).collect::<Vec<_>>(),
            "TargetGroupStickinessConfig": { "Enabled": false },
        });
    }
    if let Some(config) = &action.fixed_response_config {
        out["FixedResponseConfig"] = config.clone();
    }
    out
}
