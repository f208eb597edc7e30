//! EC2 networking, as far as ECS and its load balancers need it: VPCs, subnets and security
//! groups with their inbound rules. CreateVpc, DescribeVpcs, CreateSubnet, DescribeSubnets,
//! CreateSecurityGroup, AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress and
//! DescribeSecurityGroups, in EC2's shapes and words.
//!
//! Every Region has a default VPC (172.31.0.0/16, as AWS makes it) with one default subnet per
//! Availability Zone (a to f, each a /20) and a default security group. Their ids are fixed
//! strings, not drawn from the id generator, so a scenario that never names a network keeps
//! every id it had: the default subnet of zone `x` is `subnet-xxxxxxxxxxxxxxxxx`, the id
//! RunInstances has always given an instance launched without a SubnetId. A subnet id that was
//! never created keeps the model's earlier rule where ECS reads it (see `ecs::task`): subnet n
//! of an awsvpc configuration is in the Region's n-th zone.
//!
//! What the rules decide (which traffic reaches a target) is for the load balancers to ask,
//! through [`super::read`]; outbound rules are AWS's default (all traffic allowed) and are not
//! modelled.

use serde::Deserialize;
use serde_json::{json, Value};

use super::dry_run_stop;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::world::World;

/// The zones every Region has in the model (`<region>a` to `<region>f`).
pub const ZONE_LETTERS: [char; 6] = ['a', 'b', 'c', 'd', 'e', 'f'];
/// The default VPC's id and block, and its default security group's id.
pub const DEFAULT_VPC_ID: &str = "vpc-0defa017000000000";
pub const DEFAULT_VPC_CIDR: &str = "172.31.0.0/16";
pub const DEFAULT_SECURITY_GROUP_ID: &str = "sg-0defa017000000000";
/// A VPC's block is a /16 to a /28 (EC2's rule), and so is a subnet's.
pub const CIDR_PREFIX_MIN: u8 = 16;
pub const CIDR_PREFIX_MAX: u8 = 28;
/// AWS keeps five addresses of every subnet (the first four and the last).
pub const SUBNET_RESERVED_ADDRESSES: u64 = 5;
/// Security groups, and inbound rules per group, the model holds at the most (EC2's default
/// quotas: 2,500 groups per Region, 60 inbound rules per group).
pub const SECURITY_GROUPS_MAX: usize = 2_500;
pub const INGRESS_RULES_PER_GROUP_MAX: usize = 60;
/// VPCs and subnets at the most (EC2's default quotas are 5 VPCs a Region and 200 subnets a
/// VPC; the model holds a few more VPCs for scenarios that build several).
pub const VPCS_MAX: usize = 50;
pub const SUBNETS_MAX: usize = 1_000;

#[derive(Debug, Default)]
pub struct NetworkState {
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vpc {
    pub id: String,
    pub cidr: Cidr,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub cidr: Cidr,
    pub availability_zone: String,
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub vpc_id: String,
    pub ingress: Vec<Rule>,
}

/// One inbound rule: traffic of `protocol` to ports `from_port..=to_port` from `peer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    /// `tcp`, `udp`, `icmp`, or `-1` for every protocol (ports then do not apply).
    pub protocol: String,
    pub from_port: i64,
    pub to_port: i64,
    pub peer: Peer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Cidr(Cidr),
    /// Traffic from network interfaces in this security group.
    Group(String),
}

/// An IPv4 block: its first address and its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/16`; the address is taken to its block's first (as EC2 stores it).
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = text.split_once('/')?;
        let prefix: u8 = prefix.parse().ok()?;
        let octets: Vec<u8> = address
            .split('.')
            .map(|o| o.parse::<u8>().ok())
            .collect::<Option<_>>()?;
        if octets.len() != 4 || prefix > 32 {
            return None;
        }
        let address = u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]);
        Some(Cidr {
            base: address & Cidr::mask(prefix),
            prefix,
        })
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }

    pub fn contains_address(&self, address: u32) -> bool {
        address & Cidr::mask(self.prefix) == self.base
    }

    /// Whether `inner` lies wholly inside this block.
    pub fn contains(&self, inner: &Cidr) -> bool {
        inner.prefix >= self.prefix && self.contains_address(inner.base)
    }

    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    pub fn addresses(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [a, b, c, d] = self.base.to_be_bytes();
        write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
    }
}

/// The default subnet of a zone: `subnet-` and the zone's letter 17 times.
pub fn default_subnet_id(zone_letter: char) -> String {
    format!("subnet-{}", zone_letter.to_string().repeat(17))
}

impl NetworkState {
    /// The Region's default VPC, its subnets and its security group (made with the world).
    pub(crate) fn ensure_defaults(&mut self, region: &str) {
        if self.vpcs.iter().any(|v| v.is_default) {
            return;
        }
        let cidr = Cidr::parse(DEFAULT_VPC_CIDR).expect("a valid block");
        self.vpcs.insert(
            0,
            Vpc {
                id: DEFAULT_VPC_ID.into(),
                cidr,
                is_default: true,
            },
        );
        for (n, letter) in ZONE_LETTERS.iter().enumerate() {
            // 172.31.0.0/20, 172.31.16.0/20, ...: AWS's default subnets.
            let base = cidr.base + ((n as u32) << 12);
            self.subnets.insert(
                n,
                Subnet {
                    id: default_subnet_id(*letter),
                    vpc_id: DEFAULT_VPC_ID.into(),
                    cidr: Cidr { base, prefix: 20 },
                    availability_zone: format!("{region}{letter}"),
                    is_default: true,
                },
            );
        }
        self.security_groups
            .insert(0, default_group(DEFAULT_SECURITY_GROUP_ID, DEFAULT_VPC_ID));
    }

    pub fn vpc(&self, id: &str) -> Option<&Vpc> {
        self.vpcs.iter().find(|v| v.id == id)
    }

    pub fn subnet(&self, id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.id == id)
    }

    pub fn group(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }
}

/// A VPC's default security group: everything from the group itself may come in.
fn default_group(id: &str, vpc_id: &str) -> SecurityGroup {
    SecurityGroup {
        id: id.into(),
        name: "default".into(),
        description: "default VPC security group".into(),
        vpc_id: vpc_id.into(),
        ingress: vec![Rule {
            id: format!("sgr-{}", &id[3..]),
            protocol: "-1".into(),
            from_port: -1,
            to_port: -1,
            peer: Peer::Group(id.into()),
        }],
    }
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateVpcRequest {
    cidr_block: Option<String>,
    amazon_provided_ipv6_cidr_block: Option<bool>,
    ipv6_pool: Option<Value>,
    ipv6_cidr_block: Option<Value>,
    ipv4_ipam_pool_id: Option<Value>,
    ipv4_netmask_length: Option<Value>,
    ipv6_ipam_pool_id: Option<Value>,
    ipv6_netmask_length: Option<Value>,
    ipv6_cidr_block_network_border_group: Option<Value>,
    instance_tenancy: Option<String>,
    tag_specifications: Option<Value>,
    dry_run: Option<bool>,
}

const IPV6: &str = "IPv6 is not simulated.";
const IPAM: &str = "IPAM is not simulated; give CidrBlock.";

const CREATE_VPC_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.AmazonProvidedIpv6CidrBlock",
        "IPv6 is not simulated; a VPC has its IPv4 block.",
    ),
    Unmodelled::field("$.Ipv6Pool", IPV6),
    Unmodelled::field("$.Ipv6CidrBlock", IPV6),
    Unmodelled::field("$.Ipv4IpamPoolId", IPAM),
    Unmodelled::field("$.Ipv4NetmaskLength", IPAM),
    Unmodelled::field("$.Ipv6IpamPoolId", IPV6),
    Unmodelled::field("$.Ipv6NetmaskLength", IPV6),
    Unmodelled::field("$.Ipv6CidrBlockNetworkBorderGroup", IPV6),
    Unmodelled {
        path: "$.InstanceTenancy",
        why: "instances here run on shared tenancy.",
        default: Some(|v| v.as_str() == Some("default")),
    },
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateSubnetRequest {
    vpc_id: String,
    cidr_block: Option<String>,
    availability_zone: Option<String>,
    availability_zone_id: Option<Value>,
    ipv6_cidr_block: Option<Value>,
    outpost_arn: Option<Value>,
    ipv6_native: Option<bool>,
    ipv4_ipam_pool_id: Option<Value>,
    ipv4_netmask_length: Option<Value>,
    ipv6_ipam_pool_id: Option<Value>,
    ipv6_netmask_length: Option<Value>,
    tag_specifications: Option<Value>,
    dry_run: Option<bool>,
}

const CREATE_SUBNET_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.AvailabilityZoneId",
        "zone ids are not simulated; give AvailabilityZone.",
    ),
    Unmodelled::field("$.Ipv6CidrBlock", IPV6),
    Unmodelled::field("$.OutpostArn", "Outposts are not simulated."),
    Unmodelled::field("$.Ipv6Native", IPV6),
    Unmodelled::field("$.Ipv4IpamPoolId", IPAM),
    Unmodelled::field("$.Ipv4NetmaskLength", IPAM),
    Unmodelled::field("$.Ipv6IpamPoolId", IPV6),
    Unmodelled::field("$.Ipv6NetmaskLength", IPV6),
];

/// DescribeVpcs, DescribeSubnets and DescribeSecurityGroups choose by id (or name); filters
/// and paging are not simulated.
const DESCRIBE_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.Filters",
        "filters are not simulated; name what you want by its id.",
    ),
    Unmodelled::field("$.NextToken", "every answer here is one page."),
];

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeVpcsRequest {
    vpc_ids: Option<Vec<String>>,
    filters: Option<Value>,
    dry_run: Option<bool>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeSubnetsRequest {
    subnet_ids: Option<Vec<String>>,
    filters: Option<Value>,
    dry_run: Option<bool>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct CreateSecurityGroupRequest {
    group_name: String,
    description: String,
    vpc_id: Option<String>,
    tag_specifications: Option<Value>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct DescribeSecurityGroupsRequest {
    group_ids: Option<Vec<String>>,
    group_names: Option<Vec<String>>,
    filters: Option<Value>,
    dry_run: Option<bool>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

/// AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress: the rules as IpPermissions,
/// or one rule in the short form (IpProtocol, FromPort, ToPort, CidrIp).
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IngressRequest {
    group_id: Option<String>,
    group_name: Option<String>,
    ip_permissions: Option<Vec<IpPermission>>,
    cidr_ip: Option<String>,
    from_port: Option<i64>,
    to_port: Option<i64>,
    ip_protocol: Option<String>,
    source_security_group_name: Option<String>,
    source_security_group_owner_id: Option<String>,
    security_group_rule_ids: Option<Vec<String>>,
    tag_specifications: Option<Value>,
    dry_run: Option<bool>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IpPermission {
    ip_protocol: Option<String>,
    from_port: Option<i64>,
    to_port: Option<i64>,
    ip_ranges: Option<Vec<IpRange>>,
    ipv6_ranges: Option<Value>,
    prefix_list_ids: Option<Value>,
    user_id_group_pairs: Option<Vec<GroupPair>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IpRange {
    cidr_ip: String,
    description: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct GroupPair {
    group_id: Option<String>,
    group_name: Option<String>,
    user_id: Option<String>,
    description: Option<String>,
    vpc_id: Option<String>,
    vpc_peering_connection_id: Option<Value>,
    peering_status: Option<Value>,
}

const INGRESS_UNMODELLED: &[Unmodelled] = &[
    Unmodelled::field(
        "$.SecurityGroupRuleIds",
        "name the rules to revoke by their IpPermissions.",
    ),
    Unmodelled::field(
        "$.SourceSecurityGroupOwnerId",
        "every group here is of this account.",
    ),
];

fn not_found_vpc(id: &str, path: &str) -> ApiError {
    ApiError::new(
        "InvalidVpcID.NotFound",
        format!("The vpc ID '{id}' does not exist"),
        Some(path),
    )
}

fn not_found_group(id: &str, path: &str) -> ApiError {
    ApiError::new(
        "InvalidGroup.NotFound",
        format!("The security group '{id}' does not exist"),
        Some(path),
    )
}

fn block(text: &str, code: &str, path: &str) -> Result<Cidr, ApiError> {
    Cidr::parse(text)
        .filter(|c| (CIDR_PREFIX_MIN..=CIDR_PREFIX_MAX).contains(&c.prefix))
        .ok_or_else(|| ApiError::new(code, format!("The CIDR '{text}' is invalid."), Some(path)))
}

impl World {
    fn network(&mut self) -> &mut NetworkState {
        &mut self.ec2.network
    }

    pub(super) fn create_vpc(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateVpcRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_VPC_UNMODELLED)?;
        let text = request.cidr_block.ok_or_else(|| {
            ApiError::new(
                "MissingParameter",
                "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
                Some("$.CidrBlock"),
            )
        })?;
        let cidr = block(&text, "InvalidVpc.Range", "$.CidrBlock")?;
        if self.network().vpcs.len() >= VPCS_MAX {
            return Err(ApiError::new(
                "VpcLimitExceeded",
                format!("The maximum number of VPCs has been reached ({VPCS_MAX} in the model)."),
                None,
            ));
        }
        dry_run_stop(request.dry_run)?;
        let id = format!("vpc-{}", self.ids.hex(17));
        let group_id = format!("sg-{}", self.ids.hex(17));
        let network = self.network();
        network.vpcs.push(Vpc {
            id: id.clone(),
            cidr,
            is_default: false,
        });
        // Every VPC comes with its default security group.
        network.security_groups.push(default_group(&group_id, &id));
        let vpc = network.vpc(&id).expect("just made").clone();
        Ok(json!({ "Vpc": self.vpc_json(&vpc) }))
    }

    pub(super) fn describe_vpcs(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeVpcsRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        let wanted = request.vpc_ids.unwrap_or_default();
        for (n, id) in wanted.iter().enumerate() {
            if self.network().vpc(id).is_none() {
                return Err(not_found_vpc(id, &format!("$.VpcIds[{n}]")));
            }
        }
        dry_run_stop(request.dry_run)?;
        let vpcs: Vec<Value> = (self.network().vpcs.clone().iter())
            .filter(|v| wanted.is_empty() || wanted.contains(&v.id))
            .map(|v| self.vpc_json(v))
            .collect();
        Ok(json!({ "Vpcs": vpcs }))
    }

    fn vpc_json(&self, vpc: &Vpc) -> Value {
        json!({
            "CidrBlock": vpc.cidr.to_string(),
            "DhcpOptionsId": "dopt-0defa017000000000",
            "State": "available",
            "VpcId": vpc.id,
            "OwnerId": self.config.account,
            "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [{
                "AssociationId": format!("vpc-cidr-assoc-{}", &vpc.id[4..]),
                "CidrBlock": vpc.cidr.to_string(),
                "CidrBlockState": { "State": "associated" },
            }],
            "IsDefault": vpc.is_default,
        })
    }

    pub(super) fn create_subnet(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateSubnetRequest = parse_request(input)?;
        refuse_unmodelled(input, CREATE_SUBNET_UNMODELLED)?;
        let vpc = (self.network().vpc(&request.vpc_id).cloned())
            .ok_or_else(|| not_found_vpc(&request.vpc_id, "$.VpcId"))?;
        let text = request.cidr_block.ok_or_else(|| {
            ApiError::new(
                "MissingParameter",
                "The request must contain the parameter cidrBlock",
                Some("$.CidrBlock"),
            )
        })?;
        let cidr = block(&text, "InvalidSubnet.Range", "$.CidrBlock")?;
        if !vpc.cidr.contains(&cidr) {
            return Err(ApiError::new(
                "InvalidSubnet.Range",
                format!("The CIDR '{text}' is invalid."),
                Some("$.CidrBlock"),
            ));
        }
        let network = self.network();
        if (network.subnets.iter()).any(|s| s.vpc_id == vpc.id && s.cidr.overlaps(&cidr)) {
            return Err(ApiError::new(
                "InvalidSubnet.Conflict",
                format!("The CIDR '{text}' conflicts with another subnet"),
                Some("$.CidrBlock"),
            ));
        }
        if network.subnets.len() >= SUBNETS_MAX {
            return Err(ApiError::new(
                "SubnetLimitExceeded",
                format!(
                    "The maximum number of subnets has been reached ({SUBNETS_MAX} in the model)."
                ),
                None,
            ));
        }
        // EC2 chooses a zone when none is named; the model takes the Region's first.
        let zone =
            self.zone_of_request(request.availability_zone.as_deref(), "$.AvailabilityZone")?;
        dry_run_stop(request.dry_run)?;
        let subnet = Subnet {
            id: format!("subnet-{}", self.ids.hex(17)),
            vpc_id: vpc.id,
            cidr,
            availability_zone: zone,
            is_default: false,
        };
        let out = self.subnet_json(&subnet);
        self.network().subnets.push(subnet);
        Ok(json!({ "Subnet": out }))
    }

    /// A zone a request names (the Region's first when it names none), checked.
    pub(super) fn zone_of_request(
        &self,
        zone: Option<&str>,
        path: &str,
    ) -> Result<String, ApiError> {
        let region = &self.config.region;
        let zone = zone.map_or_else(|| format!("{region}a"), str::to_string);
        let suffix = zone.strip_prefix(region.as_str()).unwrap_or("");
        let mut letters = suffix.chars();
        match (letters.next(), letters.next()) {
            (Some(letter), None) if ZONE_LETTERS.contains(&letter) => Ok(zone),
            _ => Err(ApiError::new(
                "InvalidParameterValue",
                format!(
                    "Invalid availability zone: [{zone}]. Use a zone of {region} such as {region}a."
                ),
                Some(path),
            )),
        }
    }

    pub(super) fn describe_subnets(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeSubnetsRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        let wanted = request.subnet_ids.unwrap_or_default();
        for (n, id) in wanted.iter().enumerate() {
            if self.network().subnet(id).is_none() {
                return Err(ApiError::new(
                    "InvalidSubnetID.NotFound",
                    format!("The subnet ID '{id}' does not exist"),
                    Some(&format!("$.SubnetIds[{n}]")),
                ));
            }
        }
        dry_run_stop(request.dry_run)?;
        let subnets: Vec<Value> = (self.network().subnets.clone().iter())
            .filter(|s| wanted.is_empty() || wanted.contains(&s.id))
            .map(|s| self.subnet_json(s))
            .collect();
        Ok(json!({ "Subnets": subnets }))
    }

    fn subnet_json(&self, subnet: &Subnet) -> Value {
        let zone_letter = subnet.availability_zone.chars().last().unwrap_or('a');
        let used = (self.ec2.instances.values())
            .filter(|i| i.subnet_id == subnet.id && i.state != super::InstanceState::Terminated)
            .count() as u64;
        json!({
            "AvailabilityZone": subnet.availability_zone,
            "AvailabilityZoneId": format!("use1-az{}", (zone_letter as u8 - b'a') + 1),
            "AvailableIpAddressCount": subnet.cidr.addresses().saturating_sub(SUBNET_RESERVED_ADDRESSES + used),
            "CidrBlock": subnet.cidr.to_string(),
            "DefaultForAz": subnet.is_default,
            "MapPublicIpOnLaunch": subnet.is_default,
            "State": "available",
            "SubnetId": subnet.id,
            "VpcId": subnet.vpc_id,
            "OwnerId": self.config.account,
            "AssignIpv6AddressOnCreation": false,
            "Ipv6CidrBlockAssociationSet": [],
            "SubnetArn": format!("arn:aws:ec2:{}:{}:subnet/{}", self.config.region, self.config.account, subnet.id),
        })
    }

    pub(super) fn create_security_group(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateSecurityGroupRequest = parse_request(input)?;
        let vpc_id = request.vpc_id.unwrap_or_else(|| DEFAULT_VPC_ID.into());
        if self.network().vpc(&vpc_id).is_none() {
            return Err(not_found_vpc(&vpc_id, "$.VpcId"));
        }
        let name = request.group_name;
        if name.is_empty() || name.len() > 255 {
            return Err(ApiError::new(
                "InvalidParameterValue",
                "Invalid value for parameter GroupName: it must be 1 to 255 characters.",
                Some("$.GroupName"),
            ));
        }
        if name.starts_with("sg-") {
            return Err(ApiError::new(
                "InvalidParameterValue",
                "Group names may not be in the format sg-*.",
                Some("$.GroupName"),
            ));
        }
        let network = self.network();
        if (network.security_groups.iter()).any(|g| g.vpc_id == vpc_id && g.name == name) {
            return Err(ApiError::new(
                "InvalidGroup.Duplicate",
                format!("The security group '{name}' already exists for VPC '{vpc_id}'"),
                Some("$.GroupName"),
            ));
        }
        if network.security_groups.len() >= SECURITY_GROUPS_MAX {
            return Err(ApiError::new(
                "SecurityGroupLimitExceeded",
                format!("The maximum number of security groups for the region has been reached ({SECURITY_GROUPS_MAX})."),
                None,
            ));
        }
        dry_run_stop(request.dry_run)?;
        let id = format!("sg-{}", self.ids.hex(17));
        self.network().security_groups.push(SecurityGroup {
            id: id.clone(),
            name,
            description: request.description,
            vpc_id,
            ingress: Vec::new(),
        });
        Ok(json!({
            "GroupId": id,
            "SecurityGroupArn": self.group_arn(&id),
        }))
    }

    fn group_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:ec2:{}:{}:security-group/{id}",
            self.config.region, self.config.account
        )
    }

    /// The group an ingress request names: GroupId, else GroupName in the default VPC.
    fn ingress_group(&mut self, request: &IngressRequest) -> Result<String, ApiError> {
        let network = self.network();
        match (&request.group_id, &request.group_name) {
            (Some(id), _) => (network.group(id).map(|g| g.id.clone()))
                .ok_or_else(|| not_found_group(id, "$.GroupId")),
            (None, Some(name)) => (network.security_groups.iter())
                .find(|g| g.vpc_id == DEFAULT_VPC_ID && g.name == *name)
                .map(|g| g.id.clone())
                .ok_or_else(|| {
                    ApiError::new(
                        "InvalidGroup.NotFound",
                        format!("The security group '{name}' does not exist in default VPC '{DEFAULT_VPC_ID}'"),
                        Some("$.GroupName"),
                    )
                }),
            (None, None) => Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter groupId or groupName",
                Some("$.GroupId"),
            )),
        }
    }

    /// The rules an ingress request gives, checked (ids left empty).
    fn requested_rules(&mut self, request: &IngressRequest) -> Result<Vec<Rule>, ApiError> {
        let mut rules = Vec::new();
        let short = request.ip_protocol.is_some()
            || request.cidr_ip.is_some()
            || request.source_security_group_name.is_some();
        if short {
            let protocol = protocol_of(request.ip_protocol.as_deref(), "$.IpProtocol")?;
            let (from, to) = ports(&protocol, request.from_port, request.to_port, "$.FromPort")?;
            let peer = match (&request.cidr_ip, &request.source_security_group_name) {
                (Some(cidr), _) => Peer::Cidr(peer_block(cidr, "$.CidrIp")?),
                (None, Some(name)) => {
                    Peer::Group(self.group_named(name, "$.SourceSecurityGroupName")?)
                }
                (None, None) => Peer::Cidr(peer_block("0.0.0.0/0", "$.CidrIp")?),
            };
            rules.push(rule(protocol, from, to, peer));
        }
        for (n, permission) in request.ip_permissions.iter().flatten().enumerate() {
            let at = format!("$.IpPermissions[{n}]");
            if permission.ipv6_ranges.as_ref().is_some_and(non_empty)
                || permission.prefix_list_ids.as_ref().is_some_and(non_empty)
            {
                return Err(ApiError::not_modelled(
                    &format!("{at}.Ipv6Ranges"),
                    "IPv6 ranges and prefix lists are not simulated; use IpRanges or UserIdGroupPairs.",
                ));
            }
            let protocol = protocol_of(
                permission.ip_protocol.as_deref(),
                &format!("{at}.IpProtocol"),
            )?;
            let (from, to) = ports(
                &protocol,
                permission.from_port,
                permission.to_port,
                &format!("{at}.FromPort"),
            )?;
            for (m, range) in permission.ip_ranges.iter().flatten().enumerate() {
                let cidr = peer_block(&range.cidr_ip, &format!("{at}.IpRanges[{m}].CidrIp"))?;
                rules.push(rule(protocol.clone(), from, to, Peer::Cidr(cidr)));
            }
            for (m, pair) in permission.user_id_group_pairs.iter().flatten().enumerate() {
                let path = format!("{at}.UserIdGroupPairs[{m}].GroupId");
                if pair.vpc_peering_connection_id.is_some() || pair.peering_status.is_some() {
                    return Err(ApiError::not_modelled(
                        &format!("{at}.UserIdGroupPairs[{m}].VpcPeeringConnectionId"),
                        "VPC peering is not simulated; name a group of this account's VPCs.",
                    ));
                }
                let group = match (&pair.group_id, &pair.group_name) {
                    (Some(id), _) => (self.network().group(id).map(|g| g.id.clone()))
                        .ok_or_else(|| not_found_group(id, &path))?,
                    (None, Some(name)) => self.group_named(name, &path)?,
                    (None, None) => {
                        return Err(ApiError::new(
                            "MissingParameter",
                            "A group pair needs a GroupId or a GroupName.",
                            Some(&path),
                        ))
                    }
                };
                rules.push(rule(protocol.clone(), from, to, Peer::Group(group)));
            }
        }
        if rules.is_empty() {
            return Err(ApiError::new(
                "MissingParameter",
                "No rules were given: name IpPermissions with IpRanges or UserIdGroupPairs.",
                Some("$.IpPermissions"),
            ));
        }
        Ok(rules)
    }

    fn group_named(&mut self, name: &str, path: &str) -> Result<String, ApiError> {
        (self.network().security_groups.iter())
            .find(|g| g.vpc_id == DEFAULT_VPC_ID && g.name == name)
            .map(|g| g.id.clone())
            .ok_or_else(|| not_found_group(name, path))
    }

    /// What Authorize- and RevokeSecurityGroupIngress both read: the request, its group
    /// (as it is now) and the rules it names, checked.
    fn ingress_request(
        &mut self,
        input: &Value,
    ) -> Result<(IngressRequest, SecurityGroup, Vec<Rule>), ApiError> {
        let request: IngressRequest = parse_request(input)?;
        refuse_unmodelled(input, INGRESS_UNMODELLED)?;
        let group_id = self.ingress_group(&request)?;
        let rules = self.requested_rules(&request)?;
        let group = self
            .network()
            .group(&group_id)
            .expect("found above")
            .clone();
        Ok((request, group, rules))
    }

    pub(super) fn authorize_ingress(&mut self, input: &Value) -> Result<Value, ApiError> {
        let (request, group, rules) = self.ingress_request(input)?;
        let group_id = group.id.clone();
        for (n, new) in rules.iter().enumerate() {
            let repeated = rules[..n].iter().any(|r| same_rule(r, new));
            if repeated || group.ingress.iter().any(|r| same_rule(r, new)) {
                return Err(ApiError::new(
                    "InvalidPermission.Duplicate",
                    format!("the specified rule \"{}\" already exists", rule_text(new)),
                    Some("$.IpPermissions"),
                ));
            }
        }
        if group.ingress.len() + rules.len() > INGRESS_RULES_PER_GROUP_MAX {
            return Err(ApiError::new(
                "RulesPerSecurityGroupLimitExceeded",
                format!("The maximum number of rules per security group has been reached ({INGRESS_RULES_PER_GROUP_MAX})."),
                None,
            ));
        }
        dry_run_stop(request.dry_run)?;
        let mut added = Vec::new();
        for mut new in rules {
            new.id = format!("sgr-{}", self.ids.hex(17));
            added.push(self.rule_json(&group_id, &new));
            let network = self.network();
            let group = (network.security_groups.iter_mut())
                .find(|g| g.id == group_id)
                .expect("found above");
            group.ingress.push(new);
        }
        Ok(json!({ "Return": true, "SecurityGroupRules": added }))
    }

    pub(super) fn revoke_ingress(&mut self, input: &Value) -> Result<Value, ApiError> {
        let (request, group, rules) = self.ingress_request(input)?;
        let group_id = group.id.clone();
        if !rules
            .iter()
            .all(|r| group.ingress.iter().any(|have| same_rule(have, r)))
        {
            return Err(ApiError::new(
                "InvalidPermission.NotFound",
                "The specified rule does not exist in this security group.",
                Some("$.IpPermissions"),
            ));
        }
        dry_run_stop(request.dry_run)?;
        let network = self.network();
        let group = (network.security_groups.iter_mut())
            .find(|g| g.id == group_id)
            .expect("found above");
        group
            .ingress
            .retain(|have| !rules.iter().any(|r| same_rule(have, r)));
        Ok(json!({ "Return": true }))
    }

    pub(super) fn describe_security_groups(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeSecurityGroupsRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_UNMODELLED)?;
        let ids = request.group_ids.unwrap_or_default();
        let names = request.group_names.unwrap_or_default();
        let groups = self.network().security_groups.clone();
        for (n, id) in ids.iter().enumerate() {
            if !groups.iter().any(|g| g.id == *id) {
                return Err(not_found_group(id, &format!("$.GroupIds[{n}]")));
            }
        }
        for (n, name) in names.iter().enumerate() {
            if !groups
                .iter()
                .any(|g| g.vpc_id == DEFAULT_VPC_ID && g.name == *name)
            {
                return Err(ApiError::new(
                    "InvalidGroup.NotFound",
                    format!("The security group '{name}' does not exist in default VPC '{DEFAULT_VPC_ID}'"),
                    Some(&format!("$.GroupNames[{n}]")),
                ));
            }
        }
        dry_run_stop(request.dry_run)?;
        let chosen: Vec<Value> = (groups.iter())
            .filter(|g| {
                (ids.is_empty() && names.is_empty())
                    || ids.contains(&g.id)
                    || (g.vpc_id == DEFAULT_VPC_ID && names.contains(&g.name))
            })
            .map(|g| self.group_json(g))
            .collect();
        Ok(json!({ "SecurityGroups": chosen }))
    }

    fn group_json(&self, group: &SecurityGroup) -> Value {
        json!({
            "Description": group.description,
            "GroupName": group.name,
            "IpPermissions": group.ingress.iter().map(|r| self.permission_json(r)).collect::<Vec<_>>(),
            "OwnerId": self.config.account,
            "GroupId": group.id,
            "IpPermissionsEgress": [{
                "IpProtocol": "-1",
                "IpRanges": [{ "CidrIp": "0.0.0.0/0" }],
                "Ipv6Ranges": [],
                "PrefixListIds": [],
                "UserIdGroupPairs": [],
            }],
            "VpcId": group.vpc_id,
            "SecurityGroupArn": self.group_arn(&group.id),
        })
    }

    /// One rule as DescribeSecurityGroups lists it: a permission of one peer.
    fn permission_json(&self, rule: &Rule) -> Value {
        let mut out = json!({ "IpProtocol": rule.protocol });
        if rule.protocol != "-1" {
            out["FromPort"] = json!(rule.from_port);
            out["ToPort"] = json!(rule.to_port);
        }
        let (ranges, pairs) = match &rule.peer {
            Peer::Cidr(cidr) => (json!([{ "CidrIp": cidr.to_string() }]), json!([])),
            Peer::Group(id) => (
                json!([]),
                json!([{ "GroupId": id, "UserId": self.config.account }]),
            ),
        };
        out["IpRanges"] = ranges;
        out["Ipv6Ranges"] = json!([]);
        out["PrefixListIds"] = json!([]);
        out["UserIdGroupPairs"] = pairs;
        out
    }

    /// A rule as AuthorizeSecurityGroupIngress answers it.
    fn rule_json(&self, group_id: &str, rule: &Rule) -> Value {
        let mut out = json!({
            "SecurityGroupRuleId": rule.id,
            "GroupId": group_id,
            "GroupOwnerId": self.config.account,
            "IsEgress": false,
            "IpProtocol": rule.protocol,
            "FromPort": rule.from_port,
            "ToPort": rule.to_port,
            "SecurityGroupRuleArn": format!("arn:aws:ec2:{}:{}:security-group-rule/{}", self.config.region, self.config.account, rule.id),
        });
        match &rule.peer {
            Peer::Cidr(cidr) => out["CidrIpv4"] = json!(cidr.to_string()),
            Peer::Group(id) => {
                out["ReferencedGroupInfo"] = json!({ "GroupId": id, "UserId": self.config.account })
            }
        }
        out
    }

    /// The networks as `ecsplay describe` shows them, in DescribeVpcs', DescribeSubnets' and
    /// DescribeSecurityGroups' shapes.
    pub(crate) fn networks_json(&self) -> Value {
        let network = &self.ec2.network;
        json!({
            "Vpcs": network.vpcs.iter().map(|v| self.vpc_json(v)).collect::<Vec<_>>(),
            "Subnets": network.subnets.iter().map(|s| self.subnet_json(s)).collect::<Vec<_>>(),
            "SecurityGroups": network.security_groups.iter().map(|g| self.group_json(g)).collect::<Vec<_>>(),
        })
    }
}

fn non_empty(value: &Value) -> bool {
    value.as_array().is_some_and(|a| !a.is_empty())
}

fn rule(protocol: String, from_port: i64, to_port: i64, peer: Peer) -> Rule {
    Rule {
        id: String::new(),
        protocol,
        from_port,
        to_port,
        peer,
    }
}

/// Two rules are the same when all but their ids are.
fn same_rule(a: &Rule, b: &Rule) -> bool {
    a.protocol == b.protocol
        && a.from_port == b.from_port
        && a.to_port == b.to_port
        && a.peer == b.peer
}

/// A rule as EC2 names it in its messages: `peer: 0.0.0.0/0, TCP, from port: 80, to port: 80,
/// ALLOW`, or `peer: sg-..., ALL, ALLOW` for every protocol.
fn rule_text(rule: &Rule) -> String {
    let peer = match &rule.peer {
        Peer::Cidr(cidr) => cidr.to_string(),
        Peer::Group(id) => id.clone(),
    };
    if rule.protocol == "-1" {
        format!("peer: {peer}, ALL, ALLOW")
    } else {
        format!(
            "peer: {peer}, {}, from port: {}, to port: {}, ALLOW",
            rule.protocol.to_uppercase(),
            rule.from_port,
            rule.to_port
        )
    }
}

/// `tcp`, `udp`, `icmp` (or their numbers 6, 17, 1), or `-1` / `all`.
fn protocol_of(protocol: Option<&str>, path: &str) -> Result<String, ApiError> {
    match protocol.map(str::to_ascii_lowercase).as_deref() {
        Some("tcp" | "6") => Ok("tcp".into()),
        Some("udp" | "17") => Ok("udp".into()),
        Some("icmp" | "1") => Ok("icmp".into()),
        Some("-1" | "all") => Ok("-1".into()),
        Some(other) => Err(ApiError::new(
            "InvalidParameterValue",
            format!("Invalid value '{other}' for IP protocol. Unknown protocol."),
            Some(path),
        )),
        None => Err(ApiError::new(
            "MissingParameter",
            "The request must contain the parameter ipProtocol",
            Some(path),
        )),
    }
}

/// The port range of a rule: both ends for TCP and UDP (0 to 65535, from <= to); for every
/// protocol, -1 to -1.
fn ports(
    protocol: &str,
    from: Option<i64>,
    to: Option<i64>,
    path: &str,
) -> Result<(i64, i64), ApiError> {
    match protocol {
        "-1" => Ok((-1, -1)),
        "icmp" => Ok((from.unwrap_or(-1), to.unwrap_or(-1))),
        _ => match (from, to) {
            (Some(from), Some(to)) if (0..=65535).contains(&from) && (from..=65535).contains(&to) => {
                Ok((from, to))
            }
            (Some(from), Some(to)) => Err(ApiError::new(
                "InvalidParameterValue",
                format!("Invalid port range {from}-{to}: ports are 0 to 65535 and FromPort is at most ToPort."),
                Some(path),
            )),
            _ => Err(ApiError::new(
                "InvalidParameterValue",
                "Invalid value for portRange. Must specify both from and to ports with TCP/UDP.",
                Some(path),
            )),
        },
    }
}

/// A rule's source block (any prefix length, 0.0.0.0/0 included).
fn peer_block(text: &str, path: &str) -> Result<Cidr, ApiError> {
    Cidr::parse(text).ok_or_else(|| {
        ApiError::new(
            "InvalidParameterValue",
            format!("CIDR block {text} is malformed"),
            Some(path),
        )
    })
}
