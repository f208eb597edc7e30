//! Clusters and container instances: CreateCluster, DeleteCluster, DescribeClusters,
//! ListClusters; the agent's registration of an EC2 instance; DescribeContainerInstances,
//! ListContainerInstances, UpdateContainerInstancesState (draining) and PutAttributes.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cluster, ContainerInstance, InstanceIdx, InstanceStatus, TaskStatus};
use crate::ec2::catalogue::instance_type;
use crate::engine::error::{parse_request, refuse_unmodelled, ApiError};
use crate::world::World;

/// Host ports the ECS agent reserves on every Linux instance (aws-facts 3.3, `ECS_RESERVED_PORTS`).
pub const RESERVED_TCP_PORTS: [u16; 5] = [22, 2375, 2376, 51678, 51679];

/// Custom attribute limits (aws-facts 2.4).
pub const ATTRIBUTE_NAME_CHARS_MAX: usize = 128;
pub const ATTRIBUTE_VALUE_CHARS_MAX: usize = 128;
/// ECS's quota of container instances per cluster (design.md section 9).
pub const CONTAINER_INSTANCES_PER_CLUSTER_MAX: usize = 5_000;

/// The cluster name in a `cluster` field: a name or an ARN; ECS's `default` when absent.
pub fn cluster_name(field: Option<&str>) -> String {
    match field {
        None | Some("") => "default".into(),
        Some(value) => value
            .rsplit_once(":cluster/")
            .map_or(value, |(_, name)| name)
            .to_string(),
    }
}

/// The last path segment of an ARN, or the value itself when it is already an id.
pub fn short_id(value: &str) -> &str {
    value.rsplit('/').next().unwrap_or(value)
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateClusterRequest {
    cluster_name: Option<String>,
    tags: Option<Value>,
    settings: Option<Value>,
    configuration: Option<Value>,
    capacity_providers: Option<Vec<String>>,
    default_capacity_provider_strategy: Option<Vec<super::capacity_providers::StrategyItemRequest>>,
    service_connect_defaults: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClusterRequest {
    cluster: Option<String>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListClustersRequest {
    max_results: Option<Value>,
    next_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeClustersRequest {
    clusters: Option<Vec<String>>,
    include: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContainerInstancesRequest {
    cluster: Option<String>,
    container_instances: Vec<String>,
    include: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListContainerInstancesRequest {
    cluster: Option<String>,
    filter: Option<String>,
    status: Option<String>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateStateRequest {
    cluster: Option<String>,
    container_instances: Vec<String>,
    status: String,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PutAttributesRequest {
    cluster: Option<String>,
    attributes: Vec<Attribute>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Attribute {
    name: String,
    value: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
}

impl World {
    /// The active cluster of that name or ARN, or ClusterNotFoundException.
    pub(crate) fn active_cluster(
        &self,
        field: Option<&str>,
        path: &str,
    ) -> Result<String, ApiError> {
        let name = cluster_name(field);
        match self.ecs.clusters.get(&name) {
            Some(cluster) if cluster.active => Ok(name),
            _ => Err(ApiError::cluster_not_found(path)),
        }
    }

    pub(crate) fn create_cluster(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: CreateClusterRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::CREATE_CLUSTER)?;
        let name = request.cluster_name.unwrap_or_else(|| "default".into());
        if !super::is_valid_name(&name) {
            return Err(ApiError::invalid_parameter(
                "Cluster name must be 1-255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.",
                "$.clusterName",
            ));
        }
        let (providers, strategy) = self.plan_cluster_providers(
            &name,
            request.capacity_providers.as_deref(),
            request.default_capacity_provider_strategy.as_deref(),
        )?;
        let given = request.capacity_providers.is_some()
            || request.default_capacity_provider_strategy.is_some();
        if let Some(existing) = self.ecs.clusters.get(&name).filter(|c| c.active) {
            if given
                && (existing.capacity_providers != providers
                    || existing.default_strategy != strategy)
            {
                return Err(ApiError::invalid_parameter(
                    "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
                    "$.capacityProviders",
                ));
            }
        }
        let described = self.ensure_cluster(&name);
        if !given {
            return Ok(json!({ "cluster": described }));
        }
        let cluster = self.ecs.clusters.get_mut(&name).expect("just ensured");
        cluster.capacity_providers = providers;
        cluster.default_strategy = strategy;
        let cluster = cluster.clone();
        self.sync_managed_scaling();
        Ok(json!({ "cluster": self.cluster_json(&cluster) }))
    }

    /// Creates the cluster if it is not there (CreateCluster is idempotent) and describes it.
    pub(crate) fn ensure_cluster(&mut self, name: &str) -> Value {
        let arn = self.arn("ecs", &format!("cluster/{name}"));
        let cluster = self
            .ecs
            .clusters
            .entry(name.to_string())
            .or_insert_with(|| Cluster {
                name: name.to_string(),
                arn,
                active: true,
                instances: Vec::new(),
                services: Default::default(),
                tasks: Vec::new(),
                capacity_providers: Vec::new(),
                default_strategy: Vec::new(),
                waiting: Vec::new(),
                place_queued: false,
            });
        cluster.active = true;
        let cluster = cluster.clone();
        self.cluster_json(&cluster)
    }

    pub(crate) fn delete_cluster(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ClusterRequest = parse_request(input)?;
        let name = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let cluster = &self.ecs.clusters[&name];
        if cluster
            .instances
            .iter()
            .any(|&i| self.ecs.container_instances[i].status != InstanceStatus::Inactive)
        {
            return Err(ApiError::new(
                "ClusterContainsContainerInstancesException",
                "The Cluster cannot be deleted while Container Instances are active or draining.",
                Some("$.cluster"),
            ));
        }
        if cluster
            .services
            .values()
            .any(|&s| self.ecs.services[s].status != super::ServiceStatus::Inactive)
        {
            return Err(ApiError::new(
                "ClusterContainsServicesException",
                "The Cluster cannot be deleted while Services are active.",
                Some("$.cluster"),
            ));
        }
        if cluster
            .tasks
            .iter()
            .any(|&t| !self.ecs.tasks[t].is_stopped())
        {
            return Err(ApiError::new(
                "ClusterContainsTasksException",
                "The Cluster cannot be deleted while Tasks are active.",
                Some("$.cluster"),
            ));
        }
        let cluster = self.ecs.clusters.get_mut(&name).expect("found above");
        cluster.active = false;
        let cluster = cluster.clone();
        self.sync_managed_scaling();
        Ok(json!({ "cluster": self.cluster_json(&cluster) }))
    }

    pub(crate) fn describe_clusters(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeClustersRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::DESCRIBE)?;
        let names = request.clusters.unwrap_or_else(|| vec!["default".into()]);
        let (clusters, failures) = super::found_or_missing(
            &names,
            |field| {
                self.ecs
                    .clusters
                    .get(&cluster_name(Some(field)))
                    .map(|c| self.cluster_json(c))
            },
            |field| self.arn("ecs", &format!("cluster/{field}")),
        );
        Ok(json!({ "clusters": clusters, "failures": failures }))
    }

    pub(crate) fn list_clusters(&mut self, input: &Value) -> Result<Value, ApiError> {
        let _: ListClustersRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::LIST)?;
        let arns: Vec<&str> = self
            .ecs
            .clusters
            .values()
            .filter(|c| c.active)
            .map(|c| c.arn.as_str())
            .collect();
        Ok(json!({ "clusterArns": arns }))
    }

    pub(crate) fn cluster_json(&self, cluster: &Cluster) -> Value {
        let tasks = cluster.tasks.iter().map(|&t| &self.ecs.tasks[t]);
        let running = tasks
            .clone()
            .filter(|t| t.last_status == TaskStatus::Running)
            .count();
        let pending = tasks.filter(|t| t.is_pending()).count();
        let registered = cluster
            .instances
            .iter()
            .filter(|&&i| self.ecs.container_instances[i].status != InstanceStatus::Inactive)
            .count();
        let active_services = cluster
            .services
            .values()
            .filter(|&&s| self.ecs.services[s].status == super::ServiceStatus::Active)
            .count();
        json!({
            "clusterArn": cluster.arn,
            "clusterName": cluster.name,
            "status": if cluster.active { "ACTIVE" } else { "INACTIVE" },
            "registeredContainerInstancesCount": registered,
            "runningTasksCount": running,
            "pendingTasksCount": pending,
            "activeServicesCount": active_services,
            "statistics": [],
            "tags": [],
            "settings": [{ "name": "containerInsights", "value": "disabled" }],
            "capacityProviders": cluster.capacity_providers,
            "defaultCapacityProviderStrategy": super::capacity_providers::strategy_json(&cluster.default_strategy),
        })
    }

    /// The agent on a running instance registers it to its cluster (`agent::agent_start`).
    pub(crate) fn register_container_instance(
        &mut self,
        ec2_id: &str,
        cluster: &str,
        reserved_memory_mib: u32,
        agent_attributes: std::collections::BTreeMap<String, String>,
    ) -> InstanceIdx {
        let ec2 = crate::ec2::read::instance(self, ec2_id).expect("a running instance");
        let (zone, image, subnet) = (
            ec2.availability_zone.to_string(),
            ec2.image_id.to_string(),
            ec2.subnet_id.to_string(),
        );
        let kind = instance_type(ec2.instance_type).expect("RunInstances checked the type");
        let id = self.ids.task_id();
        let arn = self.arn("ecs", &format!("container-instance/{cluster}/{id}"));
        let mut attributes = built_in_attributes(kind, zone.clone(), image, subnet);
        for (name, value) in agent_attributes {
            attributes.insert(name, Some(value));
        }
        let memory = crate::ec2::catalogue::registered_memory_mib(kind.memory_mib)
            .saturating_sub(reserved_memory_mib);
        let index = self.ecs.container_instances.len();
        self.ecs.container_instances.push(ContainerInstance {
            id,
            arn,
            cluster: cluster.to_string(),
            ec2_instance_id: ec2_id.to_string(),
            instance_type: kind.name,
            availability_zone: zone,
            status: InstanceStatus::Active,
            agent_connected: true,
            registered_at: self.now,
            cpu_units_registered: kind.vcpus * 1024,
            memory_mib_registered: memory,
            enis_registered: kind.max_enis - 1,
            cpu_units_used: 0,
            memory_mib_used: 0,
            enis_used: 0,
            tcp_ports: RESERVED_TCP_PORTS.into_iter().collect(),
            udp_ports: Default::default(),
            attributes,
            tasks: Vec::new(),
            cached_images: Default::default(),
            version: 1,
            gone: None,
            host_files: Default::default(),
        });
        self.ecs
            .clusters
            .get_mut(cluster)
            .expect("agent registers to an existing cluster")
            .instances
            .push(index);
        self.emit_instance_event(index);
        self.reconcile_cluster(cluster);
        index
    }

    pub(crate) fn emit_instance_event(&mut self, index: InstanceIdx) {
        let detail = self.container_instance_json(index);
        let arn = self.ecs.container_instances[index].arn.clone();
        self.emit_ecs_event("ECS Container Instance State Change", vec![arn], detail);
    }

    /// Finds container instances by id or ARN in a cluster.
    fn lookup_instances(&self, cluster: &str, fields: &[String]) -> (Vec<InstanceIdx>, Vec<Value>) {
        let mut found = Vec::new();
        let mut failures = Vec::new();
        for field in fields {
            let id = short_id(field);
            match self.ecs.clusters[cluster].instances.iter().find(|&&i| {
                self.ecs.container_instances[i].id == id
                    || self.ecs.container_instances[i].ec2_instance_id == id
            }) {
                Some(&i) => found.push(i),
                None => failures.push(json!({ "arn": field, "reason": "MISSING" })),
            }
        }
        (found, failures)
    }

    pub(crate) fn describe_container_instances(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: ContainerInstancesRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::DESCRIBE)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let (found, failures) = self.lookup_instances(&cluster, &request.container_instances);
        let instances: Vec<Value> = found
            .into_iter()
            .map(|i| self.container_instance_json(i))
            .collect();
        Ok(json!({ "containerInstances": instances, "failures": failures }))
    }

    pub(crate) fn list_container_instances(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListContainerInstancesRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::LIST)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        if request.filter.is_some() {
            return Err(ApiError::invalid_parameter(
                "ListContainerInstances filters (Cluster Query Language) are not modelled yet.",
                "$.filter",
            ));
        }
        let status = request.status.as_deref();
        let arns: Vec<&str> = self.ecs.clusters[&cluster]
            .instances
            .iter()
            .map(|&i| &self.ecs.container_instances[i])
            .filter(|ci| match status {
                Some(s) => ci.status.as_str() == s,
                None => ci.status != InstanceStatus::Inactive,
            })
            .map(|ci| ci.arn.as_str())
            .collect();
        Ok(json!({ "containerInstanceArns": arns }))
    }

    pub(crate) fn update_container_instances_state(
        &mut self,
        input: &Value,
    ) -> Result<Value, ApiError> {
        let request: UpdateStateRequest = parse_request(input)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        let status = match request.status.as_str() {
            "ACTIVE" => InstanceStatus::Active,
            "DRAINING" => InstanceStatus::Draining,
            other => {
                return Err(ApiError::invalid_parameter(
                    format!("Invalid status '{other}': valid values are ACTIVE and DRAINING."),
                    "$.status",
                ))
            }
        };
        let (found, failures) = self.lookup_instances(&cluster, &request.container_instances);
        let mut changed = Vec::new();
        for &i in &found {
            let instance = &mut self.ecs.container_instances[i];
            if instance.status != InstanceStatus::Inactive && instance.status != status {
                instance.status = status;
                instance.version += 1;
                changed.push(i);
            }
        }
        for &i in &changed {
            self.emit_instance_event(i);
        }
        if !changed.is_empty() {
            // Draining: the scheduler replaces service tasks; ACTIVE again: room to place.
            self.reconcile_cluster(&cluster);
        }
        let instances: Vec<Value> = found
            .into_iter()
            .map(|i| self.container_instance_json(i))
            .collect();
        Ok(json!({ "containerInstances": instances, "failures": failures }))
    }

    pub(crate) fn put_attributes(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: PutAttributesRequest = parse_request(input)?;
        let cluster = self.active_cluster(request.cluster.as_deref(), "$.cluster")?;
        // Check every attribute before changing any: the request is all or nothing.
        let mut updates = Vec::new();
        for (n, attribute) in request.attributes.iter().enumerate() {
            let path = format!("$.attributes[{n}]");
            check_attribute(attribute, &path)?;
            if attribute
                .target_type
                .as_deref()
                .is_some_and(|t| t != "container-instance")
            {
                return Err(ApiError::invalid_parameter(
                    "targetType must be container-instance.",
                    &format!("{path}.targetType"),
                ));
            }
            let target = attribute.target_id.as_deref().filter(|t| !t.is_empty());
            let target = target.ok_or_else(|| {
                ApiError::invalid_parameter(
                    "targetId is required: the container instance to set the attribute on.",
                    &format!("{path}.targetId"),
                )
            })?;
            let (found, _) = self.lookup_instances(&cluster, &[target.to_string()]);
            let Some(&index) = found.first() else {
                return Err(ApiError::new(
                    "TargetNotFoundException",
                    format!("Could not find {target}."),
                    Some(&format!("{path}.targetId")),
                ));
            };
            updates.push((index, attribute.name.clone(), attribute.value.clone()));
        }
        for (index, name, value) in updates {
            let instance = &mut self.ecs.container_instances[index];
            instance.attributes.insert(name, value);
            instance.version += 1;
        }
        self.reconcile_cluster(&cluster);
        let echoed: Vec<Value> = request
            .attributes
            .iter()
            .map(|a| json!({ "name": a.name, "value": a.value, "targetType": "container-instance", "targetId": a.target_id }))
            .collect();
        Ok(json!({ "attributes": echoed }))
    }

    pub(crate) fn container_instance_json(&self, index: InstanceIdx) -> Value {
        let ci = &self.ecs.container_instances[index];
        let running = ci
            .tasks
            .iter()
            .filter(|&&t| self.ecs.tasks[t].last_status == TaskStatus::Running)
            .count();
        let pending = ci
            .tasks
            .iter()
            .filter(|&&t| self.ecs.tasks[t].is_pending())
            .count();
        let attributes: Vec<Value> = ci
            .attributes
            .iter()
            .map(|(name, value)| match value {
                Some(value) => json!({ "name": name, "value": value }),
                None => json!({ "name": name }),
            })
            .collect();
        let ports = |set: &std::collections::BTreeSet<u16>| {
            set.iter().map(u16::to_string).collect::<Vec<_>>()
        };
        let resources = |cpu: u32, memory: u32, tcp: Vec<String>, udp: Vec<String>| {
            json!([
                { "name": "CPU", "type": "INTEGER", "integerValue": cpu },
                { "name": "MEMORY", "type": "INTEGER", "integerValue": memory },
                { "name": "PORTS", "type": "STRINGSET", "stringSetValue": tcp },
                { "name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": udp },
            ])
        };
        json!({
            "containerInstanceArn": ci.arn,
            "ec2InstanceId": ci.ec2_instance_id,
            "version": ci.version,
            "versionInfo": { "agentVersion": "1.90.0", "agentHash": "ecsplay", "dockerVersion": "DockerVersion: 25.0.6" },
            "status": ci.status.as_str(),
            "agentConnected": ci.agent_connected,
            "runningTasksCount": running,
            "pendingTasksCount": pending,
            "registeredAt": self.epoch_seconds(ci.registered_at),
            "registeredResources": resources(
                ci.cpu_units_registered,
                ci.memory_mib_registered,
                RESERVED_TCP_PORTS.iter().map(u16::to_string).collect(),
                Vec::new(),
            ),
            "remainingResources": resources(
                ci.cpu_units_registered - ci.cpu_units_used,
                ci.memory_mib_registered - ci.memory_mib_used,
                ports(&ci.tcp_ports),
                ports(&ci.udp_ports),
            ),
            "attributes": attributes,
            "attachments": [],
            "tags": [],
        })
    }
}

fn check_attribute(attribute: &Attribute, path: &str) -> Result<(), ApiError> {
    check_attribute_parts(&attribute.name, attribute.value.as_deref(), path)
}

/// ECS's rules for a custom attribute, however it arrives (PutAttributes, or the agent's
/// `ECS_INSTANCE_ATTRIBUTES` at registration): the name and value alphabets and lengths
/// (aws-facts 2.4), and no name in the `ecs.` namespace.
pub(crate) fn check_attribute_parts(
    name: &str,
    value: Option<&str>,
    path: &str,
) -> Result<(), ApiError> {
    let name_ok = |c: char| c.is_ascii_alphanumeric() || "-_/\\.".contains(c);
    if name.is_empty() || name.len() > ATTRIBUTE_NAME_CHARS_MAX || !name.chars().all(name_ok) {
        return Err(ApiError::invalid_parameter(
            "Attribute names are 1-128 characters: letters, numbers, hyphens, underscores, slashes, back slashes and periods.",
            &format!("{path}.name"),
        ));
    }
    if name.starts_with("ecs.") {
        return Err(ApiError::invalid_parameter(
            "Attributes in the ecs. namespace are set by Amazon ECS and cannot be changed.",
            &format!("{path}.name"),
        ));
    }
    if let Some(value) = value {
        let value_ok = |c: char| c.is_ascii_alphanumeric() || "-_.@/\\: ".contains(c);
        if value.is_empty()
            || value.len() > ATTRIBUTE_VALUE_CHARS_MAX
            || !value.chars().all(value_ok)
            || value.trim() != value
        {
            return Err(ApiError::invalid_parameter(
                "Attribute values are 1-128 characters: letters, numbers, hyphens, underscores, periods, at signs, slashes, back slashes, colons and spaces, with no leading or trailing whitespace.",
                &format!("{path}.value"),
            ));
        }
    }
    Ok(())
}

/// The attributes ECS sets on every container instance it registers (aws-facts 2.4).
fn built_in_attributes(
    kind: &crate::ec2::catalogue::InstanceType,
    zone: String,
    image: String,
    subnet: String,
) -> std::collections::BTreeMap<String, Option<String>> {
    let mut attributes = std::collections::BTreeMap::new();
    for (name, value) in [
        ("ecs.instance-type", kind.name.to_string()),
        ("ecs.availability-zone", zone.clone()),
        ("ecs.ami-id", image),
        ("ecs.os-type", "linux".into()),
        ("ecs.os-family", "LINUX".into()),
        ("ecs.cpu-architecture", kind.architecture.attribute().into()),
        ("ecs.vpc-id", "vpc-0ecsplay0000000001".into()),
        ("ecs.subnet-id", subnet),
        ("ecs.capability.task-eni", String::new()),
        (
            "com.amazonaws.ecs.capability.logging-driver.awslogs",
            String::new(),
        ),
        (
            "com.amazonaws.ecs.capability.docker-remote-api.1.44",
            String::new(),
        ),
    ] {
        attributes.insert(name.to_string(), (!value.is_empty()).then_some(value));
    }
    attributes
}
