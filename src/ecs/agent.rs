//! The ECS container agent on an EC2 instance: once EC2 says the instance is running, it reads
//! its configuration from the UserData (as the ECS-optimized AMI reads /etc/ecs/ecs.config),
//! registers the instance to its cluster, or says why it cannot and retries. When EC2 says the
//! instance is gone, its container instance leaves the cluster and its tasks stop.
//!
//! EC2 tells ECS through the root's commands (`world::Command`); the agent reads the instance
//! through EC2's published read functions (`ec2::read`), never EC2's state.

use std::collections::BTreeMap;

use super::{InstanceIdx, InstanceStatus, StopCode, Timer};
use crate::ec2::read::{self as ec2, InstanceState};
use crate::engine::error::ApiError;
use crate::engine::log::LogRecord;
use crate::engine::time::SimTime;
use crate::world::World;

/// How long an agent that could not register (its cluster did not exist yet) waits before its
/// first retry. Each further failure doubles the wait, up to [`AGENT_RETRY_MS_MAX`]: the agent
/// backs off exponentially; its exact schedule is not documented (unconfirmed), so these are
/// the model's figures.
pub const AGENT_RETRY_MS: SimTime = 60_000;
pub const AGENT_RETRY_MS_MAX: SimTime = 30 * 60_000;

/// What ECS knows of an EC2 instance's agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agent {
    /// The container instance it registered, once it has.
    pub container_instance: Option<InstanceIdx>,
    /// Registrations it tried that failed because the cluster did not exist.
    pub registration_failures: u32,
}

/// The agent's configuration from UserData: the cluster it joins (`ECS_CLUSTER`, else
/// `default`), its reserved memory (`ECS_RESERVED_MEMORY`) and custom attributes
/// (`ECS_INSTANCE_ATTRIBUTES`). UserData may be base64.
pub fn agent_config(user_data: Option<&str>) -> (String, u32, BTreeMap<String, String>) {
    let text = config_text(user_data);
    let value_of = |key: &str| config_value(&text, key);
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

/// UserData as text (it may be base64).
fn config_text(user_data: Option<&str>) -> String {
    user_data
        .map(|u| crate::engine::base64::decode(u).unwrap_or_else(|| u.to_string()))
        .unwrap_or_default()
}

/// The value UserData gives an agent setting (`echo KEY=value >> /etc/ecs/ecs.config`).
fn config_value(text: &str, key: &str) -> Option<String> {
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
}

/// Whether the agent drains its instance on a Spot interruption notice:
/// `ECS_ENABLE_SPOT_INSTANCE_DRAINING=true` (off by default, aws-facts 17.4.6).
pub fn spot_instance_draining(user_data: Option<&str>) -> bool {
    config_value(&config_text(user_data), "ECS_ENABLE_SPOT_INSTANCE_DRAINING")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

impl World {
    /// EC2's Spot interruption notice for `ec2_id`: with Spot instance draining on, the agent
    /// sets its container instance DRAINING (PENDING service tasks stop, replacements go
    /// elsewhere); without it, nothing until EC2 reclaims the instance.
    pub(crate) fn spot_instance_warning(&mut self, ec2_id: &str) {
        let user_data = crate::ec2::read::instance(self, ec2_id).and_then(|i| i.user_data);
        if !spot_instance_draining(user_data) {
            return;
        }
        let Some(i) = self.container_instance_of(ec2_id) else {
            return;
        };
        let instance = &mut self.ecs.container_instances[i];
        if instance.status != InstanceStatus::Active {
            return;
        }
        instance.status = InstanceStatus::Draining;
        instance.version += 1;
        let cluster = instance.cluster.clone();
        self.emit_instance_event(i);
        self.reconcile_cluster(&cluster);
    }
}

/// The first custom attribute of `ECS_INSTANCE_ATTRIBUTES` that ECS would refuse (the same
/// rules as PutAttributes), as the agent's error.
fn invalid_agent_attribute(attributes: &BTreeMap<String, String>) -> Option<ApiError> {
    attributes.iter().find_map(|(name, value)| {
        super::cluster::check_attribute_parts(name, Some(value), "$.UserData")
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

/// At most 128 characters of a name for a message (ECS's own limit for attribute names).
fn truncated(text: &str) -> String {
    match text.char_indices().nth(128) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_string(),
    }
}

impl World {
    /// EC2 says the instance is running (or the agent's retry is due): the agent registers
    /// it, or says why it cannot.
    pub(crate) fn agent_start(&mut self, ec2_id: &str) {
        let Some(instance) = ec2::instance(self, ec2_id) else {
            return;
        };
        let registered = self
            .ecs
            .agents
            .get(ec2_id)
            .and_then(|a| a.container_instance);
        if instance.state == InstanceState::Terminated || registered.is_some() {
            return;
        }
        let (cluster, reserved_memory_mib, attributes) = agent_config(instance.user_data);
        let agent = format!("ecs:RegisterContainerInstance (ECS agent on {ec2_id})");
        if let Some(error) = self.agent_credentials(&instance, &cluster) {
            // The agent cannot call ECS; the instance runs but never joins.
            self.agent_failed(agent, error);
            return;
        }
        // The agent creates the `default` cluster itself when it is configured for none.
        if cluster == "default" && !self.ecs.clusters.contains_key("default") {
            self.ensure_cluster("default");
        }
        if !self.ecs.clusters.get(&cluster).is_some_and(|c| c.active) {
            self.agent_retry_later(ec2_id, agent);
            return;
        }
        let count = self.ecs.clusters[&cluster].instances.len();
        if count >= super::cluster::CONTAINER_INSTANCES_PER_CLUSTER_MAX {
            self.agent_failed(
                agent,
                ApiError::new(
                    "LimitExceededException",
                    "The cluster already has 5,000 container instances, the ECS quota.",
                    None,
                ),
            );
            return;
        }
        if let Some(error) = invalid_agent_attribute(&attributes) {
            // The agent refuses its own configuration and never registers, as the real one
            // exits on an ECS_INSTANCE_ATTRIBUTES it cannot accept.
            self.agent_failed(agent, error);
            return;
        }
        let index =
            self.register_container_instance(ec2_id, &cluster, reserved_memory_mib, attributes);
        self.ecs
            .agents
            .entry(ec2_id.to_string())
            .or_default()
            .container_instance = Some(index);
    }

    /// Why the instance's agent cannot call RegisterContainerInstance with its instance
    /// profile's role, if it cannot: no profile, a profile without a role, a role EC2 may not
    /// assume, or one whose policies do not allow the call.
    fn agent_credentials(&self, instance: &ec2::InstanceView, cluster: &str) -> Option<ApiError> {
        let no_credentials = |why: String| {
            Some(ApiError::new(
                "NoCredentialProviders",
                format!("no valid providers in chain: {why}, so its ECS agent cannot register it (launch it with IamInstanceProfile, e.g. ecsInstanceRole)"),
                Some("$.IamInstanceProfile"),
            ))
        };
        let Some(profile) = instance.instance_profile else {
            return no_credentials("the instance has no IAM instance profile".into());
        };
        let Some(role) = crate::iam::read::instance_profile_role(self, profile) else {
            return no_credentials(format!(
                "the instance profile '{profile}' does not exist or holds no role"
            ));
        };
        let source = format!(
            "arn:aws:ec2:{}:{}:instance/{}",
            self.config.region, self.config.account, instance.id
        );
        if !crate::iam::read::can_assume(self, &role, "ec2.amazonaws.com", &source) {
            return no_credentials(format!(
                "the role '{role}' of its instance profile does not trust ec2.amazonaws.com"
            ));
        }
        let resource = format!(
            "arn:aws:ecs:{}:{}:cluster/{cluster}",
            self.config.region, self.config.account
        );
        let action = "ecs:RegisterContainerInstance";
        let decision = crate::iam::read::authorize(self, &role, action, &resource);
        (decision != crate::iam::read::Decision::Allowed).then(|| {
            ApiError::new(
                "AccessDeniedException",
                crate::iam::read::denied_message(
                    self,
                    &role,
                    instance.id,
                    action,
                    &resource,
                    decision,
                ),
                None,
            )
        })
    }

    fn agent_failed(&mut self, action: String, error: ApiError) {
        self.record(LogRecord::Failed {
            time: self.now,
            action,
            error,
        });
    }

    /// The cluster does not exist (yet): the agent tries again later, backing off.
    fn agent_retry_later(&mut self, ec2_id: &str, agent: String) {
        let failures = {
            let state = self.ecs.agents.entry(ec2_id.to_string()).or_default();
            state.registration_failures += 1;
            state.registration_failures
        };
        // The same failure again says nothing new: the log keeps the 1st, 2nd, 4th, 8th ...
        // so a fleet pointed at a missing cluster logs a few lines an instance, not one a
        // minute forever.
        if failures.is_power_of_two() {
            let action = if failures == 1 {
                agent
            } else {
                format!("ecs:RegisterContainerInstance (ECS agent on {ec2_id}, attempt {failures})")
            };
            self.agent_failed(action, ApiError::cluster_not_found("$.UserData"));
        }
        let backoff = AGENT_RETRY_MS.saturating_mul(1 << (failures - 1).min(16));
        self.schedule(
            backoff.min(AGENT_RETRY_MS_MAX),
            Timer::AgentRetry(ec2_id.to_string()),
        );
    }

    /// EC2 says the instance is terminated: its tasks stop, it leaves the cluster (INACTIVE),
    /// and services replace what ran there.
    pub(crate) fn agent_instance_gone(&mut self, ec2_id: &str) {
        let Some(index) = self
            .ecs
            .agents
            .get(ec2_id)
            .and_then(|a| a.container_instance)
        else {
            return;
        };
        self.ecs.drain_requests.remove(ec2_id);
        let reason = format!("Host EC2 (instance {ec2_id}) terminated.");
        let zone = &self.ecs.container_instances[index].availability_zone;
        let why = if crate::sim::read::zone_failed(self, zone) {
            "its zone failed"
        } else if crate::ec2::read::instance(self, ec2_id).is_some_and(|i| i.spot) {
            "Spot interruption"
        } else {
            "terminated"
        };
        self.ecs.container_instances[index].gone = Some((self.now, why));
        // What tasks wrote to its disk goes with it.
        self.ecs.container_instances[index].host_files = Default::default();
        let instance = &self.ecs.container_instances[index];
        let cluster = instance.cluster.clone();
        let tasks: Vec<_> = instance
            .tasks
            .iter()
            .copied()
            .filter(|&t| !self.ecs.tasks[t].is_stopped())
            .collect();
        for task in tasks {
            self.lose_task(task, StopCode::TerminationNotice, &reason);
        }
        let instance = &mut self.ecs.container_instances[index];
        instance.status = InstanceStatus::Inactive;
        instance.agent_connected = false;
        instance.version += 1;
        self.emit_instance_event(index);
        self.reconcile_cluster(&cluster);
    }

    /// The container instance an EC2 instance's agent registered, if it has.
    pub fn container_instance_of(&self, ec2_id: &str) -> Option<InstanceIdx> {
        self.ecs
            .agents
            .get(ec2_id)
            .and_then(|a| a.container_instance)
    }
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
