//! What other services may read of EC2: an instance's facts, as a view, never EC2's state.

use crate::world::World;

/// The default subnet of a zone's letter, and the addresses AWS keeps in every subnet.
pub use super::network::{default_subnet_id, SUBNET_RESERVED_ADDRESSES};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceState {
    Pending,
    Running,
    Terminated,
}

impl InstanceState {
    pub fn as_str(&self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Running => "running",
            InstanceState::Terminated => "terminated",
        }
    }
}

/// One instance as another service sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceView<'a> {
    pub id: &'a str,
    pub instance_type: &'a str,
    pub image_id: &'a str,
    pub availability_zone: &'a str,
    pub subnet_id: &'a str,
    pub state: InstanceState,
    /// The IAM instance profile it was launched with (its name or ARN).
    pub instance_profile: Option<&'a str>,
    pub user_data: Option<&'a str>,
    pub spot: bool,
}

pub fn instance<'a>(world: &'a World, id: &str) -> Option<InstanceView<'a>> {
    world.ec2.instances.get(id).map(|i| InstanceView {
        id: &i.id,
        instance_type: &i.instance_type,
        image_id: &i.image_id,
        availability_zone: &i.availability_zone,
        subnet_id: &i.subnet_id,
        state: i.state,
        instance_profile: i.instance_profile.as_deref(),
        user_data: i.user_data.as_deref(),
        spot: i.spot,
    })
}

/// Every instance, in launch order.
pub fn instances(world: &World) -> impl Iterator<Item = InstanceView<'_>> + '_ {
    (world.ec2.launch_order.iter()).filter_map(move |id| instance(world, id))
}

/// The Availability Zone of a subnet that exists (a default subnet, or one CreateSubnet made).
pub fn subnet_zone<'a>(world: &'a World, subnet_id: &str) -> Option<&'a str> {
    (world.ec2.network.subnet(subnet_id)).map(|s| s.availability_zone.as_str())
}

/// An instance's security groups.
pub fn instance_security_groups<'a>(world: &'a World, id: &str) -> &'a [String] {
    world
        .ec2
        .instances
        .get(id)
        .map_or(&[], |i| i.security_group_ids.as_slice())
}

/// Where traffic comes from: an address, and the security groups of the network interface it
/// leaves by (a load balancer's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    pub address: u32,
    pub security_groups: &'a [String],
}

/// Whether any inbound rule of `groups` lets `protocol` traffic (`tcp`, `udp`) from `source`
/// reach `port`: a rule of that protocol or of every protocol, whose port range holds the port
/// and whose peer is a block holding the source's address or a group the source is in. A
/// group never created lets nothing in.
pub fn ingress_allows(
    world: &World,
    groups: &[String],
    source: Source<'_>,
    protocol: &str,
    port: u16,
) -> bool {
    use super::network::Peer;
    let network = &world.ec2.network;
    groups
        .iter()
        .filter_map(|id| network.group(id))
        .flat_map(|g| g.ingress.iter())
        .any(|rule| {
            let protocol_matches = rule.protocol == "-1" || rule.protocol == protocol;
            let port_matches =
                rule.protocol == "-1" || (rule.from_port..=rule.to_port).contains(&i64::from(port));
            let peer_matches = match &rule.peer {
                Peer::Cidr(cidr) => cidr.contains_address(source.address),
                Peer::Group(id) => source.security_groups.contains(id),
            };
            protocol_matches && port_matches && peer_matches
        })
}

/// A subnet as another service sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetView<'a> {
    pub id: &'a str,
    pub vpc_id: &'a str,
    pub availability_zone: &'a str,
    /// The first address of its block, and how many it holds.
    pub first_address: u32,
    pub addresses: u64,
}

pub fn subnet<'a>(world: &'a World, id: &str) -> Option<SubnetView<'a>> {
    world.ec2.network.subnet(id).map(|s| SubnetView {
        id: &s.id,
        vpc_id: &s.vpc_id,
        availability_zone: &s.availability_zone,
        first_address: s.cidr.base,
        addresses: s.cidr.addresses(),
    })
}

pub fn vpc_exists(world: &World, id: &str) -> bool {
    world.ec2.network.vpc(id).is_some()
}

/// The VPC of a security group that exists.
pub fn security_group_vpc<'a>(world: &'a World, id: &str) -> Option<&'a str> {
    world.ec2.network.group(id).map(|g| g.vpc_id.as_str())
}

/// A VPC's default security group.
pub fn default_security_group<'a>(world: &'a World, vpc_id: &str) -> Option<&'a str> {
    (world.ec2.network.security_groups.iter())
        .find(|g| g.vpc_id == vpc_id && g.name == "default")
        .map(|g| g.id.as_str())
}

/// The default VPC's default subnet in `zone` (where a Classic Load Balancer given
/// `AvailabilityZones` puts its node).
pub fn default_subnet<'a>(world: &'a World, zone: &str) -> Option<SubnetView<'a>> {
    let network = &world.ec2.network;
    let vpc = network.vpcs.iter().find(|v| v.is_default)?;
    let s = (network.subnets.iter())
        .find(|s| s.vpc_id == vpc.id && s.is_default && s.availability_zone == zone)?;
    subnet(world, &s.id)
}

/// A security group's name (`GroupName`).
pub fn security_group_name<'a>(world: &'a World, id: &str) -> Option<&'a str> {
    world.ec2.network.group(id).map(|g| g.name.as_str())
}

/// An Auto Scaling group's order to EC2: launch instance `instance_id` (drawn by the group)
/// from a template's version into a zone's subnet.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchOrder {
    pub instance_id: String,
    pub template_id: String,
    pub version: u32,
    pub zone: String,
    pub subnet: String,
    /// The type to launch instead of the template's (a mixed instances policy's override).
    pub instance_type: Option<String>,
    /// Launch it as a Spot instance.
    pub spot: bool,
}

/// A launch template's version as others see it: the template's id and name, the version's
/// number, and the instance type it launches.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateVersionView {
    pub id: String,
    pub name: String,
    pub number: u32,
    pub instance_type: String,
}

/// The version a `LaunchTemplate` field of another service names (`LaunchTemplateId` or
/// `LaunchTemplateName`, and `Version`: `$Default`, `$Latest` or a number; none is the
/// default).
pub fn launch_template_version(
    world: &World,
    id: Option<&str>,
    name: Option<&str>,
    version: Option<&str>,
) -> Option<TemplateVersionView> {
    let template = (world.ec2.launch_templates.iter()).find(|t| {
        id.is_some_and(|id| t.id == id) || (id.is_none() && name.is_some_and(|n| t.name == n))
    })?;
    let v = template.resolve(version)?;
    Some(TemplateVersionView {
        id: template.id.clone(),
        name: template.name.clone(),
        number: v.number,
        instance_type: (v.data.get("InstanceType").and_then(|t| t.as_str()))
            .unwrap_or("m5.large")
            .to_string(),
    })
}
