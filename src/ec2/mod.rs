//! Amazon EC2, as far as ECS needs it: RunInstances, TerminateInstances, DescribeInstances, the
//! instance-type catalogue, and the boot that ends with the ECS agent registering the instance
//! to the cluster named in its UserData.

pub mod catalogue;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::ecs::{InstanceIdx, InstanceStatus, StopCode};
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError, Unmodelled};
use crate::engine::time::SimTime;
use crate::engine::world::{Timer, World};

/// From RunInstances to the instance's state `running` and the ECS agent starting: the EC2
/// launch plus the ECS-optimized AMI's boot. AWS publishes no figure; instances are commonly
/// seen registering to their cluster about a minute after launch (unconfirmed).
pub const INSTANCE_BOOT_MS: SimTime = 45_000;
/// From the agent starting to its RegisterContainerInstance call (unconfirmed, a few seconds).
pub const AGENT_REGISTER_MS: SimTime = 5_000;
/// How long an agent that could not register (its cluster did not exist yet) waits before its
/// first retry. Each further failure doubles the wait, up to [`AGENT_RETRY_MS_MAX`]: the agent
/// backs off exponentially; its exact schedule is not documented (unconfirmed), so these are
/// the model's figures.
pub const AGENT_RETRY_MS: SimTime = 60_000;
pub const AGENT_RETRY_MS_MAX: SimTime = 30 * 60_000;
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
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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

#[derive(Debug, Clone, PartialEq)]
pub struct Ec2Instance {
    pub id: String,
    pub instance_type: String,
    pub image_id: String,
    pub availability_zone: String,
    pub subnet_id: String,
    pub state: InstanceState,
    pub launched_at: SimTime,
    /// The cluster its agent joins: `ECS_CLUSTER=` in the UserData, else `default`.
    pub cluster: String,
    /// Whether an instance profile gives the agent credentials; without one it cannot register.
    pub has_instance_profile: bool,
    /// `ECS_RESERVED_MEMORY` from the UserData.
    pub reserved_memory_mib: u32,
    /// `ECS_INSTANCE_ATTRIBUTES` from the UserData: custom attributes set at registration.
    pub agent_attributes: BTreeMap<String, String>,
    pub container_instance: Option<InstanceIdx>,
    /// Registrations the agent tried that failed because the cluster did not exist.
    pub registration_failures: u32,
}

/// RunInstances fields the model does not act on, refused when they would change what happens
/// (see `ecs::unmodelled`). `KeyName`, `SecurityGroupIds`, `SecurityGroups`,
/// `TagSpecifications`, `BlockDeviceMappings`, `Monitoring`, `MetadataOptions`, `EbsOptimized`
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
        path: "$.Placement.GroupName",
        why: "placement groups are not simulated.",
        default: None,
    },
];

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
    security_group_ids: Option<Value>,
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

/// The cluster an ECS agent joins, its reserved memory and custom attributes, read from
/// UserData the way the ECS-optimized AMI reads /etc/ecs/ecs.config. UserData may be base64.
pub fn agent_config(user_data: Option<&str>) -> (String, u32, BTreeMap<String, String>) {
    let text = user_data
        .map(|u| decode_base64(u).unwrap_or_else(|| u.to_string()))
        .unwrap_or_default();
    let value_of = |key: &str| {
        text.lines().find_map(|line| {
            let start = line.find(&format!("{key}="))?;
            let rest = &line[start + key.len() + 1..];
            let value = rest
                .split(">>")
                .next()
                .unwrap_or(rest)
                .trim()
                .trim_matches(['"', '\'']);
            Some(value.to_string())
        })
    };
    let cluster = value_of("ECS_CLUSTER")
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "default".into());
    let reserved = value_of("ECS_RESERVED_MEMORY")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let attributes = value_of("ECS_INSTANCE_ATTRIBUTES")
        .and_then(|json| {
            serde_json::from_str::<BTreeMap<String, String>>(&json.replace("\\\"", "\"")).ok()
        })
        .unwrap_or_default();
    (cluster, reserved, attributes)
}

/// Standard base64 with padding; None if `text` is not base64 of UTF-8 text.
fn decode_base64(text: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.is_empty() || clean.len() % 4 != 0 {
        return None;
    }
    // Padding is one or two `=` at the very end: `====`, `A===` or `=` inside are not base64
    // (and a pad count of 3 or 4 would leave nothing to decode).
    let padding = clean.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 || clean[..clean.len() - padding].contains(&b'=') {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let mut n: u32 = 0;
        let mut pad = 0;
        for &c in chunk {
            n <<= 6;
            if c == b'=' {
                pad += 1;
            } else {
                n |= ALPHABET.iter().position(|&a| a == c)? as u32;
            }
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    String::from_utf8(out).ok()
}

impl World {
    pub(crate) fn run_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: RunInstancesRequest = parse_request(input)?;
        refuse_unmodelled(input, RUN_INSTANCES_UNMODELLED)?;
        let type_name = request
            .instance_type
            .clone()
            .unwrap_or_else(|| "m1.small".into());
        let kind = catalogue::instance_type(&type_name).ok_or_else(|| {
            ApiError::new(
                "InvalidParameterValue",
                format!(
                    "Invalid value '{type_name}' for InstanceType. ecsplay knows: {}.",
                    catalogue::INSTANCE_TYPES
                        .iter()
                        .map(|t| t.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Some("$.InstanceType"),
            )
        })?;
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
        let az = match request
            .placement
            .as_ref()
            .and_then(|p| p.availability_zone.clone())
        {
            Some(az) => az,
            None => format!("{}a", self.config.region),
        };
        let suffix = az.strip_prefix(self.config.region.as_str()).unwrap_or("");
        if suffix.len() != 1 || !('a'..='f').contains(&suffix.chars().next().unwrap_or(' ')) {
            return Err(ApiError::new(
                "InvalidParameterValue",
                format!(
                    "Invalid availability zone: [{az}]. Use a zone of {} such as {}a.",
                    self.config.region, self.config.region
                ),
                Some("$.Placement.AvailabilityZone"),
            ));
        }
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
        if request.dry_run == Some(true) {
            return Err(ApiError::new(
                "DryRunOperation",
                "Request would have succeeded, but DryRun flag is set.",
                Some("$.DryRun"),
            ));
        }
        let (cluster, reserved_memory_mib, agent_attributes) =
            agent_config(request.user_data.as_deref());
        let subnet_id = request
            .subnet_id
            .unwrap_or_else(|| format!("subnet-{}", &az[az.len() - 1..].repeat(17)));
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
                cluster: cluster.clone(),
                has_instance_profile: request.iam_instance_profile.is_some(),
                reserved_memory_mib,
                agent_attributes: agent_attributes.clone(),
                container_instance: None,
                registration_failures: 0,
            };
            described.push(instance_json(&instance, self));
            self.ec2.instances.insert(id.clone(), instance);
            self.ec2.launch_order.push(id.clone());
            self.schedule(INSTANCE_BOOT_MS, Timer::AgentStart(id));
        }
        Ok(json!({ "Instances": described }))
    }

    /// The instance is running and its ECS agent starts: it registers, or says why it cannot.
    pub(crate) fn agent_start(&mut self, ec2_id: &str) {
        let Some(instance) = self.ec2.instances.get_mut(ec2_id) else {
            return;
        };
        if instance.state == InstanceState::Terminated || instance.container_instance.is_some() {
            return;
        }
        instance.state = InstanceState::Running;
        let (cluster, has_profile) = (instance.cluster.clone(), instance.has_instance_profile);
        let agent = format!("ecs:RegisterContainerInstance (ECS agent on {ec2_id})");
        if !has_profile {
            // The agent has no credentials to call ECS; the instance runs but never joins.
            self.record(crate::engine::log::LogRecord::Failed {
                time: self.now,
                action: agent,
                error: ApiError::new(
                    "NoCredentialProviders",
                    "no valid providers in chain: the instance has no IAM instance profile, so its ECS agent cannot register it (launch it with IamInstanceProfile, e.g. ecsInstanceRole)",
                    Some("$.IamInstanceProfile"),
                ),
            });
            return;
        }
        // The agent creates the `default` cluster itself when it is configured for none.
        if cluster == "default" && !self.ecs.clusters.contains_key("default") {
            self.ensure_cluster("default");
        }
        if !self.ecs.clusters.get(&cluster).is_some_and(|c| c.active) {
            let failures = {
                let instance = self.ec2.instances.get_mut(ec2_id).expect("found above");
                instance.registration_failures += 1;
                instance.registration_failures
            };
            // The same failure again says nothing new: the log keeps the 1st, 2nd, 4th, 8th ...
            // so a fleet pointed at a missing cluster logs a few lines an instance, not one a
            // minute forever.
            if failures.is_power_of_two() {
                let action = if failures == 1 {
                    agent
                } else {
                    format!(
                        "ecs:RegisterContainerInstance (ECS agent on {ec2_id}, attempt {failures})"
                    )
                };
                self.record(crate::engine::log::LogRecord::Failed {
                    time: self.now,
                    action,
                    error: ApiError::cluster_not_found("$.UserData"),
                });
            }
            let backoff = AGENT_RETRY_MS.saturating_mul(1 << (failures - 1).min(16));
            self.schedule(
                backoff.min(AGENT_RETRY_MS_MAX),
                Timer::AgentStart(ec2_id.to_string()),
            );
            return;
        }
        let count = self.ecs.clusters[&cluster].instances.len();
        if count >= crate::ecs::cluster::CONTAINER_INSTANCES_PER_CLUSTER_MAX {
            self.record(crate::engine::log::LogRecord::Failed {
                time: self.now,
                action: agent,
                error: ApiError::new(
                    "LimitExceededException",
                    "The cluster already has 5,000 container instances, the ECS quota.",
                    None,
                ),
            });
            return;
        }
        if let Some(error) = self.invalid_agent_attribute(ec2_id) {
            // The agent refuses its own configuration and never registers, as the real one
            // exits on an ECS_INSTANCE_ATTRIBUTES it cannot accept.
            self.record(crate::engine::log::LogRecord::Failed {
                time: self.now,
                action: agent,
                error,
            });
            return;
        }
        self.register_container_instance(ec2_id, &cluster);
    }

    /// The first custom attribute of the instance's `ECS_INSTANCE_ATTRIBUTES` that ECS would
    /// refuse (the same rules as PutAttributes), as the agent's error.
    fn invalid_agent_attribute(&self, ec2_id: &str) -> Option<ApiError> {
        let attributes = &self.ec2.instances.get(ec2_id)?.agent_attributes;
        attributes.iter().find_map(|(name, value)| {
            crate::ecs::cluster::check_attribute_parts(name, Some(value), "$.UserData")
                .err()
                .map(|e| {
                    let message = format!(
                        "ECS_INSTANCE_ATTRIBUTES: attribute {:?}: {}",
                        truncated(name),
                        e.message
                    );
                    ApiError::new(&e.code, message, Some("$.UserData"))
                })
        })
    }

    pub(crate) fn terminate_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstanceIdsRequest = parse_request(input)?;
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
            if let Some(index) = instance.container_instance {
                self.lose_container_instance(
                    index,
                    &format!("Host EC2 (instance {id}) terminated."),
                );
            }
        }
        Ok(json!({ "TerminatingInstances": changes }))
    }

    /// The instance is gone: its tasks stop, it leaves the cluster (INACTIVE), and services
    /// replace what ran there.
    fn lose_container_instance(&mut self, index: InstanceIdx, reason: &str) {
        let instance = &self.ecs.container_instances[index];
        let cluster = instance.cluster.clone();
        let tasks: Vec<_> = instance
            .tasks
            .iter()
            .copied()
            .filter(|&t| !self.ecs.tasks[t].is_stopped())
            .collect();
        for task in tasks {
            self.lose_task(task, StopCode::TerminationNotice, reason);
        }
        let instance = &mut self.ecs.container_instances[index];
        instance.status = InstanceStatus::Inactive;
        instance.agent_connected = false;
        instance.version += 1;
        self.emit_instance_event(index);
        self.reconcile_cluster(&cluster);
    }

    pub(crate) fn describe_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: InstanceIdsRequest = parse_request(input)?;
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

/// At most 128 characters of a name for a message (ECS's own limit for attribute names).
fn truncated(text: &str) -> String {
    match text.char_indices().nth(128) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

fn instance_json(instance: &Ec2Instance, world: &World) -> Value {
    json!({
        "InstanceId": instance.id,
        "InstanceType": instance.instance_type,
        "ImageId": instance.image_id,
        "State": { "Name": instance.state.as_str() },
        "Placement": { "AvailabilityZone": instance.availability_zone },
        "SubnetId": instance.subnet_id,
        "LaunchTime": world.iso(instance.launched_at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_reads_its_cluster_from_user_data() {
        let plain = "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config";
        assert_eq!(agent_config(Some(plain)).0, "demo");
        // The same script, base64 encoded, as the EC2 API carries it.
        let encoded =
            "IyEvYmluL2Jhc2gKZWNobyBFQ1NfQ0xVU1RFUj1kZW1vID4+IC9ldGMvZWNzL2Vjcy5jb25maWc=";
        assert_eq!(agent_config(Some(encoded)).0, "demo");
        assert_eq!(agent_config(None).0, "default");
        let reserved = "echo ECS_CLUSTER=x >> /etc/ecs/ecs.config\necho ECS_RESERVED_MEMORY=256 >> /etc/ecs/ecs.config";
        assert_eq!(agent_config(Some(reserved)).1, 256);
        let attrs = r#"echo 'ECS_INSTANCE_ATTRIBUTES={"stack":"prod"}' >> /etc/ecs/ecs.config"#;
        assert_eq!(
            agent_config(Some(attrs)).2.get("stack").map(String::as_str),
            Some("prod")
        );
    }
}
