//! Amazon EC2, as far as ECS needs it: RunInstances, TerminateInstances, DescribeInstances, the
//! instance-type catalogue, and the boot. When an instance is running, or terminated, EC2 tells
//! the root (`world::Command`), which tells ECS's agent (`ecs::agent`); EC2 knows nothing of
//! ECS. Other services read instances through [`read`] and the types through [`catalogue`].

pub mod catalogue;
pub mod launch_templates;
pub mod network;
pub mod read;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::SimTime;
use crate::world::{Command, World};

pub use read::InstanceState;

/// From RunInstances to the instance's state `running` and the ECS agent starting: the EC2
/// launch plus the ECS-optimized AMI's boot. AWS publishes no figure; instances are commonly
/// seen registering to their cluster about a minute after launch (unconfirmed).
pub const INSTANCE_BOOT_MS: SimTime = 45_000;
/// A Spot instance's interruption notice comes two minutes before EC2 reclaims it (aws-facts
/// 17.4.6).
pub const SPOT_NOTICE_MS: SimTime = 120_000;
/// EC2's quota on instances not yet terminated in the account. AWS's is per instance family in
/// vCPUs and adjustable; the model holds one count, far above any scenario's fleet, so that a
/// script cannot queue millions of boots.
pub const INSTANCES_PER_ACCOUNT_MAX: usize = 20_000;
/// RunInstances launches at most this many instances per call here (AWS's own limit depends
/// on the account's quota).
pub const INSTANCES_PER_REQUEST_MAX: i64 = 1_000;

#[derive(Debug, Default)]
pub struct Ec2State {
    pub instances: BTreeMap<String, Ec2Instance>,
    /// Instance ids in launch order, for DescribeInstances.
    pub launch_order: Vec<String>,
    /// VPCs, subnets and security groups.
    pub network: network::NetworkState,
    pub launch_templates: Vec<launch_templates::LaunchTemplate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ec2Instance {
    pub id: String,
    pub instance_type: String,
    pub image_id: String,
    pub availability_zone: String,
    pub subnet_id: String,
    pub state: InstanceState,
    pub launched_at: SimTime,
    /// Whether an instance profile gives the instance's software credentials.
    /// The IAM instance profile it was launched with (its name or ARN).
    pub instance_profile: Option<String>,
    /// Its security groups (the VPC's default group when RunInstances named none).
    pub security_group_ids: Vec<String>,
    /// The script the instance runs at boot, as given (plain or base64).
    pub user_data: Option<String>,
    /// A Spot instance (an Auto Scaling group's mixed instances policy launched it so).
    pub spot: bool,
    /// It has had its Spot interruption notice (a second one changes nothing).
    pub spot_noticed: bool,
}

/// What EC2 schedules: an instance finishing its boot.
#[derive(Debug, Clone, PartialEq)]
pub enum Timer {
    /// The instance is `running`: its software (the ECS agent) starts.
    Booted(String),
    /// The two minutes of a Spot interruption notice are up: EC2 reclaims the instance.
    SpotReclaim(String),
}

/// Performs `ec2:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "RunInstances" => world.run_instances(input),
        "TerminateInstances" => world.terminate_instances(input),
        "DescribeInstances" => world.describe_instances(input),
        "CreateVpc" => world.create_vpc(input),
        "DescribeVpcs" => world.describe_vpcs(input),
        "CreateSubnet" => world.create_subnet(input),
        "DescribeSubnets" => world.describe_subnets(input),
        "CreateSecurityGroup" => world.create_security_group(input),
        "AuthorizeSecurityGroupIngress" => world.authorize_ingress(input),
        "RevokeSecurityGroupIngress" => world.revoke_ingress(input),
        "DescribeSecurityGroups" => world.describe_security_groups(input),
        "CreateLaunchTemplate" => world.create_launch_template(input),
        "CreateLaunchTemplateVersion" => world.create_launch_template_version(input),
        "DescribeLaunchTemplates" => world.describe_launch_templates(input),
        "DescribeLaunchTemplateVersions" => world.describe_launch_template_versions(input),
        "DeleteLaunchTemplate" => world.delete_launch_template(input),
        _ => Err(ApiError::unknown_operation(&format!("ec2:{operation}"))),
    }
}

/// Fires an EC2 timer.
pub fn fire(world: &mut World, timer: Timer) {
    match timer {
        Timer::Booted(id) => world.instance_booted(&id),
        Timer::SpotReclaim(id) => world.terminate_instance(&id),
    }
}

/// EC2's part of `ecsplay describe`.
pub fn describe(world: &World) -> Vec<(&'static str, Value)> {
    vec![
        ("ec2Instances", Value::Array(world.ec2_instances_json())),
        ("ec2Networks", world.networks_json()),
    ]
}

/// RunInstances fields the model does not act on, refused when they would change what happens
/// (see `ecs::unmodelled`). `KeyName`, `TagSpecifications`, `BlockDeviceMappings`, `Monitoring`, `MetadataOptions`, `EbsOptimized`
/// and `ClientToken` change nothing the model simulates and are taken as they are.
const RUN_INSTANCES_UNMODELLED: &[Unmodelled] = &[
    Unmodelled {
        path: "$.LaunchTemplate",
        why: "launch templates arrive with EC2 Auto Scaling; give InstanceType and UserData.",
        default: None,
    },
    Unmodelled {
        path: "$.InstanceMarketOptions",
        why: "Spot Instances arrive with cluster capacity; instances here are On-Demand.",
        default: None,
    },
    Unmodelled {
        path: "$.NetworkInterfaces",
        why: "an instance has its primary network interface in the subnet of its zone.",
        default: None,
    },
    Unmodelled {
        path: "$.Placement.Tenancy",
        why: "instances here run on shared tenancy.",
        default: Some(|v| v.as_str() == Some("default")),
    },
    Unmodelled {
        path: "$.SecurityGroups",
        why: "name security groups by id in SecurityGroupIds.",
        default: None,
    },
    Unmodelled {
        path: "$.Placement.GroupName",
        why: "placement groups are not simulated.",
        default: None,
    },
];

/// RunInstances' `IamInstanceProfile`: its `Name`, else its `Arn`.
fn profile_name(value: Option<&Value>) -> Option<String> {
    let v = value?;
    (v.get("Name").or_else(|| v.get("Arn")))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| Some(String::new()))
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RunInstancesRequest {
    image_id: Option<String>,
    instance_type: Option<String>,
    min_count: i64,
    max_count: i64,
    placement: Option<PlacementField>,
    subnet_id: Option<String>,
    iam_instance_profile: Option<Value>,
    user_data: Option<String>,
    key_name: Option<Value>,
    security_group_ids: Option<Vec<String>>,
    security_groups: Option<Value>,
    tag_specifications: Option<Value>,
    block_device_mappings: Option<Value>,
    monitoring: Option<Value>,
    network_interfaces: Option<Value>,
    metadata_options: Option<Value>,
    launch_template: Option<Value>,
    instance_market_options: Option<Value>,
    ebs_optimized: Option<Value>,
    dry_run: Option<bool>,
    client_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct PlacementField {
    availability_zone: Option<String>,
    tenancy: Option<Value>,
    group_name: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct InstanceIdsRequest {
    instance_ids: Option<Vec<String>>,
    dry_run: Option<bool>,
    filters: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TerminateInstancesRequest {
    instance_ids: Option<Vec<String>>,
    dry_run: Option<bool>,
}

/// The Amazon Linux ECS-optimized AMI id launch requests name (any id works in the model).
pub const ECS_AMI: &str = "ami-0a1b2c3d4e5f60718";

/// A RunInstances request for ECS container instances, as the playground's capacity form, the
/// benchmarks and the tests make it: the ECS-optimized AMI, the instance role, and UserData
/// that points the agent at the cluster (and sets custom attributes).
pub fn run_instances_request(
    instance_type: &str,
    count: u32,
    zone: &str,
    cluster: &str,
    attributes: &serde_json::Map<String, Value>,
) -> Value {
    let mut user_data = format!("#!/bin/bash\necho ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config");
    if !attributes.is_empty() {
        user_data += &format!(
            "\necho 'ECS_INSTANCE_ATTRIBUTES={}' >> /etc/ecs/ecs.config",
            Value::Object(attributes.clone())
        );
    }
    json!({
        "ImageId": ECS_AMI,
        "InstanceType": instance_type,
        "MinCount": count,
        "MaxCount": count,
        "Placement": { "AvailabilityZone": zone },
        "IamInstanceProfile": { "Name": "ecsInstanceRole" },
        "UserData": user_data,
    })
}

impl World {
    fn run_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RunInstancesRequest = parse_request(input)?;
        refuse_unmodelled(input, RUN_INSTANCES_UNMODELLED)?;
        let kind = requested_type(request.instance_type.as_deref())?;
        if request.min_count < 1
            || request.max_count < request.min_count
            || request.max_count > INSTANCES_PER_REQUEST_MAX
        {
            return Err(ApiError::new(
                "InvalidParameterValue",
                format!("MinCount must be at least 1 and MaxCount between MinCount and {INSTANCES_PER_REQUEST_MAX}."),
                Some("$.MaxCount"),
            ));
        }
        let (az, subnet_id) =
            self.requested_subnet(request.placement.as_ref(), request.subnet_id)?;
        if crate::sim::read::zone_failed(self, &az) {
            // EC2's answer when a zone has no capacity for the type (sim:FailAvailabilityZone).
            return Err(ApiError::new(
                "InsufficientInstanceCapacity",
                format!("We currently do not have sufficient {} capacity in the Availability Zone you requested ({az}). Our system will be working on provisioning additional capacity.", kind.name),
                Some("$.SubnetId"),
            ));
        }
        let security_group_ids = self.requested_groups(request.security_group_ids, &subnet_id)?;
        let pending_or_running = (self.ec2.instances.values())
            .filter(|i| i.state != InstanceState::Terminated)
            .count();
        if pending_or_running + request.min_count as usize > INSTANCES_PER_ACCOUNT_MAX {
            return Err(ApiError::new(
                "InstanceLimitExceeded",
                format!(
                    "You have requested more instances ({}) than your current instance limit of {INSTANCES_PER_ACCOUNT_MAX} allows for the specified instance type.",
                    pending_or_running + request.min_count as usize
                ),
                Some("$.MinCount"),
            ));
        }
        dry_run_stop(request.dry_run)?;
        let image_id = request
            .image_id
            .unwrap_or_else(|| "ami-0ecsplay00000000".into());
        let mut described = Vec::new();
        // EC2 launches MaxCount when it can, else as many as the quota leaves (at least MinCount).
        let count =
            (request.max_count as usize).min(INSTANCES_PER_ACCOUNT_MAX - pending_or_running);
        for _ in 0..count {
            let id = self.ids.instance_id();
            let instance = Ec2Instance {
                id: id.clone(),
                instance_type: kind.name.to_string(),
                image_id: image_id.clone(),
                availability_zone: az.clone(),
                subnet_id: subnet_id.clone(),
                state: InstanceState::Pending,
                launched_at: self.now,
                instance_profile: profile_name(request.iam_instance_profile.as_ref()),
                security_group_ids: security_group_ids.clone(),
                user_data: request.user_data.clone(),
                spot: false,
                spot_noticed: false,
            };
            described.push(instance_json(&instance, self));
            self.ec2.instances.insert(id.clone(), instance);
            self.ec2.launch_order.push(id.clone());
            self.schedule(INSTANCE_BOOT_MS, Timer::Booted(id));
        }
        Ok(json!({ "Instances": described }))
    }

    /// The zone and subnet a RunInstances asks for: a subnet that exists gives its zone (a
    /// Placement naming another is refused); else the zone asked for (the Region's first when
    /// none is) and, without a SubnetId, that zone's default subnet. A SubnetId never created
    /// is kept as given, with the zone of Placement, as the model has always taken it.
    fn requested_subnet(
        &self,
        placement: Option<&PlacementField>,
        subnet_id: Option<String>,
    ) -> Result<(String, String), ApiError> {
        let asked = placement.and_then(|p| p.availability_zone.as_deref());
        if let Some(subnet) = subnet_id
            .as_deref()
            .and_then(|id| self.ec2.network.subnet(id))
        {
            if asked.is_some_and(|az| az != subnet.availability_zone) {
                return Err(ApiError::new(
                    "InvalidParameterValue",
                    format!(
                        "The subnet '{}' is in {}, not in the Availability Zone {} that Placement names.",
                        subnet.id,
                        subnet.availability_zone,
                        asked.unwrap_or_default()
                    ),
                    Some("$.Placement.AvailabilityZone"),
                ));
            }
            return Ok((subnet.availability_zone.clone(), subnet.id.clone()));
        }
        let az = self.zone_of_request(asked, "$.Placement.AvailabilityZone")?;
        let letter = az.chars().last().unwrap_or('a');
        let subnet = subnet_id.unwrap_or_else(|| network::default_subnet_id(letter));
        Ok((az, subnet))
    }

    /// The security groups a RunInstances names, each of which must exist (and be of the
    /// subnet's VPC); none named: the VPC's default group.
    fn requested_groups(
        &self,
        ids: Option<Vec<String>>,
        subnet_id: &str,
    ) -> Result<Vec<String>, ApiError> {
        let network = &self.ec2.network;
        let vpc = (network.subnet(subnet_id).map(|s| s.vpc_id.as_str()))
            .unwrap_or(network::DEFAULT_VPC_ID);
        let ids = ids.unwrap_or_default();
        if ids.is_empty() {
            let default = (network.security_groups.iter())
                .find(|g| g.vpc_id == vpc && g.name == "default")
                .map_or(network::DEFAULT_SECURITY_GROUP_ID, |g| g.id.as_str());
            return Ok(vec![default.to_string()]);
        }
        for (n, id) in ids.iter().enumerate() {
            let path = format!("$.SecurityGroupIds[{n}]");
            match network.group(id) {
                None => {
                    return Err(ApiError::new(
                        "InvalidGroup.NotFound",
                        format!("The security group '{id}' does not exist"),
                        Some(&path),
                    ))
                }
                Some(group) if group.vpc_id != vpc => {
                    return Err(ApiError::new(
                        "InvalidParameter",
                        format!(
                        "Security group {id} and subnet {subnet_id} belong to different networks."
                    ),
                        Some(&path),
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(ids)
    }

    /// The boot finished: the instance is `running`, and the root tells what runs on it.
    fn instance_booted(&mut self, id: &str) {
        let Some(instance) = self.ec2.instances.get_mut(id) else {
            return;
        };
        if instance.state == InstanceState::Terminated {
            return;
        }
        instance.state = InstanceState::Running;
        self.command(Command::InstanceRunning(id.to_string()));
    }

    fn terminate_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TerminateInstancesRequest = parse_request(input)?;
        let ids = request.instance_ids.unwrap_or_default();
        if ids.is_empty() {
            return Err(ApiError::new(
                "MissingParameter",
                "The request must contain the parameter InstanceIds.",
                Some("$.InstanceIds"),
            ));
        }
        for (n, id) in ids.iter().enumerate() {
            if !self.ec2.instances.contains_key(id) {
                return Err(ApiError::new(
                    "InvalidInstanceID.NotFound",
                    format!("The instance ID '{id}' does not exist"),
                    Some(&format!("$.InstanceIds[{n}]")),
                ));
            }
        }
        dry_run_stop(request.dry_run)?;
        let mut changes = Vec::new();
        for id in &ids {
            let instance = self.ec2.instances.get_mut(id).expect("checked above");
            let previous = instance.state.as_str();
            instance.state = InstanceState::Terminated;
            changes.push(json!({
                "InstanceId": id,
                "PreviousState": { "Name": previous },
                "CurrentState": { "Name": "shutting-down" },
            }));
            // The instance's software (the ECS agent) hears of it from the root, in order.
            self.command(Command::InstanceTerminated(id.clone()));
        }
        Ok(json!({ "TerminatingInstances": changes }))
    }

    /// An Auto Scaling group terminates its instance (`world::Command::TerminateInstance`): as
    /// TerminateInstances does.
    /// A Spot instance's two-minute interruption notice (aws-facts 17.4.6): EventBridge's
    /// `EC2 Spot Instance Interruption Warning`, ECS told (it drains the container instance
    /// when the agent has ECS_ENABLE_SPOT_INSTANCE_DRAINING), and the instance reclaimed
    /// (terminated) two minutes later.
    pub(crate) fn interrupt_spot_instance(&mut self, id: &str) {
        let Some(instance) = self.ec2.instances.get_mut(id) else {
            return;
        };
        if !instance.spot || instance.spot_noticed || instance.state == InstanceState::Terminated {
            return;
        }
        instance.spot_noticed = true;
        let arn = self.arn("ec2", &format!("instance/{id}"));
        self.emit_event(
            "aws.ec2",
            "EC2 Spot Instance Interruption Warning",
            vec![arn],
            json!({ "instance-id": id, "instance-action": "terminate" }),
            None,
        );
        self.command(Command::SpotInstanceWarning(id.to_string()));
        self.schedule(SPOT_NOTICE_MS, Timer::SpotReclaim(id.to_string()));
    }

    pub(crate) fn terminate_instance(&mut self, id: &str) {
        let Some(instance) = self.ec2.instances.get_mut(id) else {
            return;
        };
        if instance.state == InstanceState::Terminated {
            return;
        }
        instance.state = InstanceState::Terminated;
        self.command(Command::InstanceTerminated(id.to_string()));
    }

    fn describe_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstanceIdsRequest = parse_request(input)?;
        refuse_unmodelled(input, DESCRIBE_INSTANCES_UNMODELLED)?;
        dry_run_stop(request.dry_run)?;
        let wanted = request.instance_ids.unwrap_or_default();
        let instances: Vec<Value> = self
            .ec2
            .launch_order
            .iter()
            .filter(|id| wanted.is_empty() || wanted.contains(id))
            .map(|id| instance_json(&self.ec2.instances[id], self))
            .collect();
        Ok(json!({ "Reservations": [{ "Instances": instances }] }))
    }

    pub fn ec2_instances_json(&self) -> Vec<Value> {
        self.ec2
            .launch_order
            .iter()
            .map(|id| instance_json(&self.ec2.instances[id], self))
            .collect()
    }
}

/// A request that passed every check but asked for a dry run stops here, as EC2's do.
pub(crate) fn dry_run_stop(dry_run: Option<bool>) -> Result<(), ApiError> {
    if dry_run == Some(true) {
        return Err(ApiError::new(
            "DryRunOperation",
            "Request would have succeeded, but DryRun flag is set.",
            Some("$.DryRun"),
        ));
    }
    Ok(())
}

/// DescribeInstances' filters are not applied: instances are chosen by their ids.
const DESCRIBE_INSTANCES_UNMODELLED: &[Unmodelled] = &[Unmodelled {
    path: "$.Filters",
    why: "filters are not simulated; name the instances with InstanceIds.",
    default: None,
}];

/// The instance type a RunInstances asks for (EC2's default, m1.small, when it names none), from
/// the catalogue.
fn requested_type(name: Option<&str>) -> Result<&'static catalogue::InstanceType, ApiError> {
    let type_name = name.unwrap_or("m1.small");
    catalogue::instance_type(type_name).ok_or_else(|| {
        let known: Vec<&str> = catalogue::INSTANCE_TYPES.iter().map(|t| t.name).collect();
        ApiError::new(
            "InvalidParameterValue",
            format!(
                "Invalid value '{type_name}' for InstanceType. ecsplay knows: {}.",
                known.join(", ")
            ),
            Some("$.InstanceType"),
        )
    })
}

fn instance_json(instance: &Ec2Instance, world: &World) -> Value {
    let mut out = json!({
        "InstanceId": instance.id,
        "InstanceType": instance.instance_type,
        "ImageId": instance.image_id,
        "State": { "Name": instance.state.as_str() },
        "Placement": { "AvailabilityZone": instance.availability_zone },
        "SubnetId": instance.subnet_id,
        "SecurityGroups": instance.security_group_ids.iter().map(|id| json!({
            "GroupId": id,
            "GroupName": world.ec2.network.group(id).map_or("", |g| g.name.as_str()),
        })).collect::<Vec<_>>(),
        "LaunchTime": world.iso(instance.launched_at),
    });
    if instance.spot {
        out["InstanceLifecycle"] = json!("spot");
    }
    out
}
