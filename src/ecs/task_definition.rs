//! Task definitions: `RegisterTaskDefinition` takes the real request JSON (or the
//! `taskDefinition` of `describe-task-definition`, which pastes in unchanged) and checks it the
//! way ECS does (aws-facts section 1). Every failure is a `ClientException` with the JSON path of
//! the field, except wrong JSON types (`SerializationException`) and unknown fields (the CLI's
//! parameter validation), both found while reading the request.
//!
//! Messages are AWS's text where aws-facts 1.6 records it; the rest say the rule in ECS's terms.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, refuse_unmodelled, ApiError};

/// Limits of aws-facts 1.5.
pub const TASK_DEFINITION_BYTES_MAX: usize = 64 * 1024;
pub const CONTAINERS_PER_TASK_DEFINITION_MAX: usize = 10;
pub const PLACEMENT_CONSTRAINTS_MAX: usize = 10;
pub const CQL_EXPRESSION_CHARS_MAX: usize = 2_000;
/// EC2 task-level cpu: 0.125 to 192 vCPU (aws-facts 1.1, current API).
pub const EC2_TASK_CPU_UNITS_MIN: u32 = 128;
pub const EC2_TASK_CPU_UNITS_MAX: u32 = 196_608;
pub const EPHEMERAL_STORAGE_GIB_MIN: i64 = 21;
pub const EPHEMERAL_STORAGE_GIB_MAX: i64 = 200;
pub const FARGATE_STOP_TIMEOUT_S_MAX: i64 = 120;
/// The default stopTimeout on Fargate and, through ECS_CONTAINER_STOP_TIMEOUT, on EC2.
pub const STOP_TIMEOUT_S_DEFAULT: u32 = 30;
/// The log drivers Fargate accepts (aws-facts 1.2).
pub const FARGATE_LOG_DRIVERS: [&str; 3] = ["awslogs", "splunk", "awsfirelens"];
pub const LOG_DRIVERS: [&str; 8] = [
    "json-file",
    "syslog",
    "journald",
    "gelf",
    "fluentd",
    "awslogs",
    "splunk",
    "awsfirelens",
];

/// The request, as the CLI's `--cli-input-json` takes it. Fields ECS accepts but the model does
/// not interpret are kept as JSON so DescribeTaskDefinition returns them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterTaskDefinitionRequest {
    pub family: String,
    pub container_definitions: Vec<ContainerDefinition>,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    pub network_mode: Option<String>,
    pub volumes: Option<Vec<Volume>>,
    pub placement_constraints: Option<Vec<PlacementConstraint>>,
    pub requires_compatibilities: Option<Vec<String>>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub proxy_configuration: Option<Value>,
    pub inference_accelerators: Option<Value>,
    pub tags: Option<Value>,
    pub ephemeral_storage: Option<EphemeralStorage>,
    pub runtime_platform: Option<RuntimePlatform>,
    pub enable_fault_injection: Option<bool>,
    // Fields of describe-task-definition's output: accepted so it pastes in, then ignored,
    // as ECS computes them anew.
    pub task_definition_arn: Option<IgnoredAny>,
    pub revision: Option<IgnoredAny>,
    pub status: Option<IgnoredAny>,
    pub requires_attributes: Option<IgnoredAny>,
    pub compatibilities: Option<IgnoredAny>,
    pub registered_at: Option<IgnoredAny>,
    pub registered_by: Option<IgnoredAny>,
    pub deregistered_at: Option<IgnoredAny>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerDefinition {
    pub name: Option<String>,
    pub image: Option<String>,
    pub cpu: Option<i64>,
    pub memory: Option<i64>,
    pub memory_reservation: Option<i64>,
    pub links: Option<Vec<String>>,
    pub port_mappings: Option<Vec<PortMapping>>,
    pub essential: Option<bool>,
    pub health_check: Option<HealthCheck>,
    pub log_configuration: Option<LogConfiguration>,
    pub hostname: Option<String>,
    pub stop_timeout: Option<i64>,
    pub start_timeout: Option<i64>,
    pub privileged: Option<bool>,
    pub depends_on: Option<Vec<ContainerDependency>>,
    pub mount_points: Option<Vec<MountPoint>>,
    pub repository_credentials: Option<Value>,
    pub restart_policy: Option<Value>,
    pub entry_point: Option<Value>,
    pub command: Option<Value>,
    pub environment: Option<Value>,
    pub environment_files: Option<Vec<Value>>,
    pub volumes_from: Option<Value>,
    pub linux_parameters: Option<Value>,
    pub secrets: Option<Value>,
    pub version_consistency: Option<Value>,
    pub user: Option<Value>,
    pub working_directory: Option<Value>,
    pub disable_networking: Option<Value>,
    pub readonly_root_filesystem: Option<Value>,
    pub dns_servers: Option<Value>,
    pub dns_search_domains: Option<Value>,
    pub extra_hosts: Option<Value>,
    pub docker_security_options: Option<Value>,
    pub interactive: Option<Value>,
    pub pseudo_terminal: Option<Value>,
    pub docker_labels: Option<Value>,
    pub ulimits: Option<Value>,
    pub system_controls: Option<Value>,
    pub resource_requirements: Option<Value>,
    pub firelens_configuration: Option<Value>,
    pub credential_specs: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortMapping {
    pub container_port: Option<i64>,
    pub host_port: Option<i64>,
    pub protocol: Option<String>,
    pub name: Option<String>,
    pub app_protocol: Option<String>,
    pub container_port_range: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthCheck {
    pub command: Vec<String>,
    pub interval: Option<i64>,
    pub timeout: Option<i64>,
    pub retries: Option<i64>,
    pub start_period: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogConfiguration {
    pub log_driver: String,
    pub options: Option<std::collections::BTreeMap<String, String>>,
    pub secret_options: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerDependency {
    pub container_name: String,
    pub condition: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MountPoint {
    pub source_volume: Option<String>,
    pub container_path: Option<String>,
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Volume {
    pub name: Option<String>,
    pub host: Option<Value>,
    pub docker_volume_configuration: Option<Value>,
    pub efs_volume_configuration: Option<Value>,
    pub fsx_windows_file_server_volume_configuration: Option<Value>,
    pub s3files_volume_configuration: Option<Value>,
    pub configured_at_launch: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacementConstraint {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub expression: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EphemeralStorage {
    pub size_in_gi_b: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimePlatform {
    pub cpu_architecture: Option<String>,
    pub operating_system_family: Option<String>,
}

/// What the simulation needs from a registered task definition, computed once at registration.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    pub family: String,
    pub revision: u32,
    pub arn: String,
    pub active: bool,
    pub network_mode: NetworkMode,
    /// `requiresCompatibilities` names FARGATE (and the definition passed Fargate's rules).
    /// Every valid definition also runs on EC2, as ECS's `compatibilities` shows.
    pub fargate_compatible: bool,
    /// Task-level values, in CPU units and MiB, when set.
    pub cpu_units: Option<u32>,
    pub memory_mib: Option<u32>,
    pub containers: Vec<ContainerSpec>,
    /// memberOf expressions of the task definition.
    pub member_of: Vec<String>,
    /// `runtimePlatform.cpuArchitecture` when set: `x86_64` or `arm64`, as ECS's attribute.
    pub cpu_architecture: Option<&'static str>,
    pub registered_at: u64,
    /// Its volumes, checked (aws-facts 9).
    pub volumes: Vec<VolumeSpec>,
    /// Fargate's ephemeral storage, GiB (`ephemeralStorage.sizeInGiB`, else 20).
    pub ephemeral_storage_gib: u32,
    /// `executionRoleArn` and `taskRoleArn` as given (an ARN, or for the task role a name).
    pub execution_role: Option<String>,
    pub task_role: Option<String>,
    /// The request as registered, for DescribeTaskDefinition.
    pub request: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Bridge,
    Host,
    Awsvpc,
    None,
}

impl NetworkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::Awsvpc => "awsvpc",
            NetworkMode::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub cpu_units: u32,
    /// What placement subtracts: memoryReservation if set, else memory (aws-facts 2.1).
    pub memory_reserved_mib: u32,
    pub port_mappings: Vec<PortSpec>,
    pub health_check: Option<HealthCheckSpec>,
    pub stop_timeout_s: u32,
    /// Its awslogs log driver's options, when it logs to CloudWatch Logs.
    pub awslogs: Option<AwsLogs>,
    /// `environment` (name, value), `environmentFiles` (S3 object ARNs, in order) and
    /// `secrets` (name, valueFrom), as given.
    pub environment: Vec<(String, String)>,
    pub environment_files: Vec<String>,
    pub secrets: Vec<(String, String)>,
    /// `repositoryCredentials.credentialsParameter`: the Secrets Manager secret (ARN or name)
    /// holding a private registry's credentials, read with the execution role at PENDING.
    pub repository_credentials: Option<String>,
    /// `logConfiguration.secretOptions` (name, valueFrom): the log driver's secrets, read
    /// with the execution role at PENDING as `secrets` are.
    pub log_secrets: Vec<(String, String)>,
    /// `mountPoints` (volume, containerPath, readOnly) and `volumesFrom` (container,
    /// readOnly).
    pub mount_points: Vec<(String, String, bool)>,
    pub volumes_from: Vec<(String, bool)>,
}

/// Fargate's ephemeral storage when the definition does not ask for more (aws-facts 9).
pub const EPHEMERAL_STORAGE_GIB_DEFAULT: u32 = 20;

/// A task definition's volume (aws-facts 9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    pub name: String,
    pub kind: VolumeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeKind {
    /// A bind mount: a path of the instance (EC2, `sourcePath`), or one Docker manages for
    /// the task (no `sourcePath`; on Fargate, the task's ephemeral storage).
    Host { source_path: Option<String> },
    /// A Docker volume (EC2 only): made and removed with the task, or `shared` and kept on
    /// the instance.
    Docker { shared: bool, autoprovision: bool },
    /// An EFS file system.
    Efs {
        file_system: String,
        root: String,
        access_point: Option<String>,
        iam: bool,
        transit_encryption: bool,
    },
}

/// A container's environment files at the most (aws-facts 11).
pub const ENVIRONMENT_FILES_MAX: usize = 10;

/// The awslogs driver's options (aws-facts 17.7.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsLogs {
    pub group: String,
    pub region: String,
    pub stream_prefix: Option<String>,
    /// `awslogs-create-group` is `"true"`.
    pub create_group: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub container_port: u16,
    /// 0 for a dynamic host port (bridge mode).
    pub host_port: u16,
    pub udp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthCheckSpec {
    pub interval_s: u32,
    pub timeout_s: u32,
    pub retries: u32,
    pub start_period_s: u32,
}

impl TaskDefinition {
    /// `family:revision`, as ECS names a revision.
    pub fn key(&self) -> String {
        format!("{}:{}", self.family, self.revision)
    }

    /// CPU units placement reserves: the task-level value, else the sum of the containers'.
    pub fn cpu_units_reserved(&self) -> u32 {
        self.cpu_units
            // Registration holds the sum to TASK_RESERVED_CPU_UNITS_MAX; saturating all the same.
            .unwrap_or_else(|| {
                (self.containers.iter()).fold(0u32, |sum, c| sum.saturating_add(c.cpu_units))
            })
    }

    /// MiB placement reserves: the task-level value, else each container's memoryReservation
    /// or memory.
    pub fn memory_mib_reserved(&self) -> u32 {
        self.memory_mib
            // Registration holds the sum to TASK_RESERVED_MIB_MAX; saturating all the same.
            .unwrap_or_else(|| {
                (self.containers.iter())
                    .fold(0u32, |sum, c| sum.saturating_add(c.memory_reserved_mib))
            })
    }

    /// The container health check that decides the task's health: any essential container's.
    pub fn has_essential_health_check(&self) -> bool {
        self.containers
            .iter()
            .any(|c| c.essential && c.health_check.is_some())
    }
}

/// `"1024"`, `"1 vCPU"`, `"0.5 vcpu"` as CPU units.
pub fn parse_cpu(text: &str) -> Option<u32> {
    parse_with_unit(text, &["vcpu"], 1024)
}

/// `"2048"`, `"2GB"`, `"2 GB"`, `"0.5 gb"` as MiB.
pub fn parse_memory(text: &str) -> Option<u32> {
    parse_with_unit(text, &["gb"], 1024)
}

fn parse_with_unit(text: &str, units: &[&str], unit_size: u32) -> Option<u32> {
    let text = text.trim();
    if let Ok(plain) = text.parse::<u32>() {
        return Some(plain);
    }
    let lower = text.to_ascii_lowercase();
    let number = units.iter().find_map(|u| lower.strip_suffix(u))?.trim_end();
    let value: f64 = number.parse().ok()?;
    let scaled = value * f64::from(unit_size);
    (value > 0.0 && scaled.fract() == 0.0 && scaled <= f64::from(u32::MAX)).then_some(scaled as u32)
}

/// The valid Fargate memory sizes (MiB) for a task cpu (units), Linux (aws-facts 1.4).
pub fn fargate_memory_options(cpu_units: u32) -> Vec<u32> {
    let range =
        |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect::<Vec<_>>();
    match cpu_units {
        256 => vec![512, 1024, 2048],
        512 => range(1024, 4096, 1024),
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122880, 8192),
        _ => Vec::new(),
    }
}

/// Reads and checks a RegisterTaskDefinition request. Returns the model's view of it (with
/// revision and ARN left for the caller to fill in) or the first error ECS would report.
pub fn validate(input: &Value) -> Result<TaskDefinition, ApiError> {
    let input = unwrap_describe_output(input);
    let size = serde_json::to_string(input)
        .map(|s| s.len())
        .unwrap_or(usize::MAX);
    if size > TASK_DEFINITION_BYTES_MAX {
        return Err(ApiError::client(
            format!("Task definition size ({size} bytes) exceeds the limit of 64 KiB."),
            "$",
        ));
    }
    let request: RegisterTaskDefinitionRequest = parse_request(input)?;
    if !super::is_valid_name(&request.family) {
        return Err(ApiError::client(
            "Family name must be 1-255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.",
            "$.family",
        ));
    }
    let compat = compatibilities(&request)?;
    let network_mode = network_mode(&request, compat)?;
    let cpu_units = task_cpu(&request, compat)?;
    let memory_mib = task_memory(&request, compat, cpu_units)?;
    check_task_level_fargate_rules(&request, compat)?;
    let member_of = placement_constraints(&request, compat)?;
    let containers = containers(&request, compat, network_mode, cpu_units, memory_mib)?;
    let cpu_architecture = cpu_architecture(&request)?;
    let mut stored = without_computed_fields(input);
    // Task-level sizes with units ("1 vCPU", ".5 GB") are kept as ECS returns them: the
    // integer string of CPU units and MiB.
    for (field, value) in [("cpu", cpu_units), ("memory", memory_mib)] {
        if let (Some(given), Some(v)) = (stored.get_mut(field), value) {
            if given.is_string() {
                *given = json!(v.to_string());
            }
        }
    }
    Ok(TaskDefinition {
        family: request.family.clone(),
        revision: 0,
        arn: String::new(),
        active: true,
        network_mode,
        fargate_compatible: compat.fargate,
        cpu_units,
        memory_mib,
        containers,
        member_of,
        cpu_architecture,
        registered_at: 0,
        volumes: volume_specs(&request, compat)?,
        ephemeral_storage_gib: (request.ephemeral_storage.as_ref())
            .map_or(EPHEMERAL_STORAGE_GIB_DEFAULT, |e| e.size_in_gi_b as u32),
        execution_role: request.execution_role_arn.clone(),
        task_role: request.task_role_arn.clone(),
        request: stored,
    })
}

fn cpu_architecture(
    request: &RegisterTaskDefinitionRequest,
) -> Result<Option<&'static str>, ApiError> {
    let field = (request.runtime_platform.as_ref()).and_then(|p| p.cpu_architecture.as_deref());
    match field {
        None => Ok(None),
        Some("X86_64") => Ok(Some("x86_64")),
        Some("ARM64") => Ok(Some("arm64")),
        Some(other) => Err(ApiError::client(
            format!("Invalid cpuArchitecture '{other}': valid values are X86_64 and ARM64."),
            "$.runtimePlatform.cpuArchitecture",
        )),
    }
}

/// The container instance attributes a definition needs, as DescribeTaskDefinition lists them
/// in `requiresAttributes`, for the features the model knows: a task role, each log driver,
/// an execution role pulling from ECR or sending awslogs, awsvpc's task ENI, container health
/// checks, secrets from Parameter Store or Secrets Manager, and container ordering. The Docker
/// remote API versions ECS also lists are left out (which feature needs which version is not
/// established here).
fn requires_attributes(request: &Value) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let execution_role = request
        .get("executionRoleArn")
        .is_some_and(|r| r.is_string());
    if request.get("taskRoleArn").is_some_and(|r| r.is_string()) {
        out.insert("com.amazonaws.ecs.capability.task-iam-role".to_string());
    }
    if request.get("networkMode").and_then(Value::as_str) == Some("awsvpc") {
        out.insert("ecs.capability.task-eni".to_string());
    }
    let containers = (request
        .get("containerDefinitions")
        .and_then(Value::as_array))
    .map(Vec::as_slice)
    .unwrap_or_default();
    for c in containers {
        if let Some(driver) = c
            .pointer("/logConfiguration/logDriver")
            .and_then(Value::as_str)
        {
            out.insert(format!(
                "com.amazonaws.ecs.capability.logging-driver.{driver}"
            ));
            if driver == "awslogs" && execution_role {
                out.insert("ecs.capability.execution-role-awslogs".to_string());
            }
        }
        let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
        if image.contains(".dkr.ecr.") {
            out.insert("com.amazonaws.ecs.capability.ecr-auth".to_string());
            if execution_role {
                out.insert("ecs.capability.execution-role-ecr-pull".to_string());
            }
        }
        if c.get("environmentFiles")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
        {
            out.insert("ecs.capability.env-files.s3".to_string());
        }
        if c.get("repositoryCredentials").is_some_and(Value::is_object) {
            out.insert("ecs.capability.private-registry-authentication.secretsmanager".to_string());
        }
        out.extend(secret_attributes(
            c.pointer("/logConfiguration/secretOptions"),
            "bootstrap.log-driver",
        ));
        if c.get("healthCheck").is_some_and(Value::is_object) {
            out.insert("ecs.capability.container-health-check".to_string());
        }
        if c.get("dependsOn")
            .and_then(Value::as_array)
            .is_some_and(|d| !d.is_empty())
        {
            out.insert("ecs.capability.container-ordering".to_string());
        }
        out.extend(secret_attributes(c.get("secrets"), "environment-variables"));
    }
    out.into_iter().collect()
}

/// The attributes a list of secrets (`secrets`, a log driver's `secretOptions`) requires:
/// `ecs.capability.secrets.asm.<use>` for each from Secrets Manager, `.ssm.<use>` for each
/// from Parameter Store.
fn secret_attributes<'a>(
    secrets: Option<&'a Value>,
    usage: &'a str,
) -> impl Iterator<Item = String> + 'a {
    (secrets.and_then(Value::as_array).into_iter().flatten()).map(move |secret| {
        let from = secret
            .get("valueFrom")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let store = if from.starts_with("arn:aws:secretsmanager:") {
            "asm"
        } else {
            "ssm"
        };
        format!("ecs.capability.secrets.{store}.{usage}")
    })
}

/// The request as it is kept, less what DescribeTaskDefinition adds (pasted output registers
/// as the definition it describes).
fn without_computed_fields(input: &Value) -> Value {
    let mut stored = input.clone();
    if let Value::Object(map) = &mut stored {
        for computed in [
            "taskDefinitionArn",
            "revision",
            "status",
            "requiresAttributes",
            "compatibilities",
            "registeredAt",
            "registeredBy",
            "deregisteredAt",
        ] {
            map.remove(computed);
        }
    }
    stored
}

/// `describe-task-definition` prints `{"taskDefinition": {...}, "tags": [...]}`; pasting all of
/// it registers the inner definition, as a person would mean.
fn unwrap_describe_output(input: &Value) -> &Value {
    match input.as_object() {
        Some(map)
            if map.contains_key("taskDefinition")
                && map.keys().all(|k| k == "taskDefinition" || k == "tags") =>
        {
            &map["taskDefinition"]
        }
        _ => input,
    }
}

#[derive(Debug, Clone, Copy)]
struct Compat {
    ec2: bool,
    fargate: bool,
}

fn compatibilities(request: &RegisterTaskDefinitionRequest) -> Result<Compat, ApiError> {
    let mut compat = Compat {
        ec2: false,
        fargate: false,
    };
    for (i, value) in request
        .requires_compatibilities
        .iter()
        .flatten()
        .enumerate()
    {
        match value.as_str() {
            "EC2" | "EXTERNAL" | "MANAGED_INSTANCES" => compat.ec2 = true,
            "FARGATE" => compat.fargate = true,
            other => {
                return Err(ApiError::client(
                    format!("Invalid compatibility '{other}': valid values are EC2, FARGATE, EXTERNAL and MANAGED_INSTANCES."),
                    &format!("$.requiresCompatibilities[{i}]"),
                ))
            }
        }
    }
    Ok(compat)
}

fn network_mode(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
) -> Result<NetworkMode, ApiError> {
    let mode = match request.network_mode.as_deref() {
        None | Some("bridge") => NetworkMode::Bridge,
        Some("host") => NetworkMode::Host,
        Some("awsvpc") => NetworkMode::Awsvpc,
        Some("none") => NetworkMode::None,
        Some(other) => {
            return Err(ApiError::client(
                format!(
                "Invalid networkMode '{other}': valid values are bridge, host, awsvpc and none."
            ),
                "$.networkMode",
            ))
        }
    };
    if compat.fargate && mode != NetworkMode::Awsvpc {
        return Err(ApiError::client(
            "Fargate only supports network mode 'awsvpc'.",
            "$.networkMode",
        ));
    }
    Ok(mode)
}

fn task_cpu(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
) -> Result<Option<u32>, ApiError> {
    let Some(text) = request.cpu.as_deref() else {
        if compat.fargate {
            return Err(ApiError::client(
                "Fargate requires that 'cpu' be defined at the task level.",
                "$.cpu",
            ));
        }
        return Ok(None);
    };
    let units = parse_cpu(text)
        .ok_or_else(|| ApiError::client("Invalid 'cpu' setting for task.", "$.cpu"))?;
    if compat.fargate {
        if fargate_memory_options(units).is_empty() {
            return Err(ApiError::client(
                "Invalid 'cpu' setting for task. Fargate accepts 256, 512, 1024, 2048, 4096, 8192 or 16384 CPU units.",
                "$.cpu",
            ));
        }
    } else if !(EC2_TASK_CPU_UNITS_MIN..=EC2_TASK_CPU_UNITS_MAX).contains(&units) {
        return Err(ApiError::client(
            format!("Invalid 'cpu' setting for task. The task cpu must be between {EC2_TASK_CPU_UNITS_MIN} and {EC2_TASK_CPU_UNITS_MAX} CPU units."),
            "$.cpu",
        ));
    }
    Ok(Some(units))
}

fn task_memory(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
    cpu_units: Option<u32>,
) -> Result<Option<u32>, ApiError> {
    let Some(text) = request.memory.as_deref() else {
        if compat.fargate {
            return Err(ApiError::client(
                "Fargate requires that 'memory' be defined at the task level.",
                "$.memory",
            ));
        }
        return Ok(None);
    };
    let mib = parse_memory(text)
        .ok_or_else(|| ApiError::client("Invalid 'memory' setting for task.", "$.memory"))?;
    if compat.fargate {
        let cpu = cpu_units.expect("Fargate cpu checked first");
        let options = fargate_memory_options(cpu);
        if !options.contains(&mib) {
            // ECS reports an invalid pair as a bad cpu setting (aws-facts 1.6); the path points at
            // memory, the value to change for this cpu.
            return Err(ApiError::client(
                format!(
                    "Invalid 'cpu' setting for task. No Fargate configuration exists for cpu {cpu} and memory {mib}: with {cpu} CPU units, memory must be one of {}.",
                    options.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                ),
                "$.memory",
            ));
        }
        let windows = request
            .runtime_platform
            .as_ref()
            .and_then(|p| p.operating_system_family.as_deref())
            .is_some_and(|f| f.starts_with("WINDOWS"));
        if windows && cpu < 1024 {
            return Err(ApiError::client(
                "Windows tasks on Fargate need at least 1 vCPU (1024 CPU units).",
                "$.cpu",
            ));
        }
    }
    Ok(Some(mib))
}

fn check_task_level_fargate_rules(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
) -> Result<(), ApiError> {
    if let Some(storage) = &request.ephemeral_storage {
        if !(EPHEMERAL_STORAGE_GIB_MIN..=EPHEMERAL_STORAGE_GIB_MAX).contains(&storage.size_in_gi_b)
        {
            return Err(ApiError::client(
                format!("The ephemeral storage size must be between {EPHEMERAL_STORAGE_GIB_MIN} and {EPHEMERAL_STORAGE_GIB_MAX} GiB."),
                "$.ephemeralStorage.sizeInGiB",
            ));
        }
    }
    if !compat.fargate {
        return Ok(());
    }
    if request.ipc_mode.is_some() {
        return Err(ApiError::client(
            "Tasks using the Fargate launch type do not support ipcMode.",
            "$.ipcMode",
        ));
    }
    if request.pid_mode.as_deref() == Some("host") {
        return Err(ApiError::client(
            "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
            "$.pidMode",
        ));
    }
    Ok(())
}

fn placement_constraints(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
) -> Result<Vec<String>, ApiError> {
    let constraints = request.placement_constraints.as_deref().unwrap_or_default();
    if constraints.len() > PLACEMENT_CONSTRAINTS_MAX {
        return Err(ApiError::client(
            format!(
                "Too many placement constraints: at most {PLACEMENT_CONSTRAINTS_MAX} are allowed."
            ),
            "$.placementConstraints",
        ));
    }
    if compat.fargate && !constraints.is_empty() {
        return Err(ApiError::client(
            "Task placement constraints are not supported for tasks using the Fargate launch type.",
            "$.placementConstraints",
        ));
    }
    let mut expressions = Vec::new();
    for (i, constraint) in constraints.iter().enumerate() {
        let path = format!("$.placementConstraints[{i}]");
        if constraint.kind.as_deref() != Some("memberOf") {
            return Err(ApiError::client(
                "A task definition supports only placement constraints of type memberOf.",
                &format!("{path}.type"),
            ));
        }
        let expression = constraint.expression.as_deref().unwrap_or_default();
        if expression.trim().is_empty() || expression.chars().count() > CQL_EXPRESSION_CHARS_MAX {
            return Err(ApiError::client(
                format!("A memberOf constraint needs an expression of 1 to {CQL_EXPRESSION_CHARS_MAX} characters."),
                &format!("{path}.expression"),
            ));
        }
        crate::ecs::placement::cql::parse(expression).map_err(|e| {
            ApiError::client(
                format!("Invalid memberOf expression '{expression}': {e}."),
                &format!("{path}.expression"),
            )
        })?;
        expressions.push(expression.to_string());
    }
    Ok(expressions)
}

fn containers(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
    network_mode: NetworkMode,
    task_cpu: Option<u32>,
    task_memory: Option<u32>,
) -> Result<Vec<ContainerSpec>, ApiError> {
    let defs = &request.container_definitions;
    if defs.is_empty() {
        return Err(ApiError::client(
            "Container list cannot be empty.",
            "$.containerDefinitions",
        ));
    }
    if defs.len() > CONTAINERS_PER_TASK_DEFINITION_MAX {
        return Err(ApiError::client(
            format!(
                "Too many containers: a task definition can have at most {CONTAINERS_PER_TASK_DEFINITION_MAX} (it has {}).",
                defs.len()
            ),
            "$.containerDefinitions",
        ));
    }
    let mut specs: Vec<ContainerSpec> = Vec::with_capacity(defs.len());
    for (i, def) in defs.iter().enumerate() {
        let spec = container(request, def, i, compat, network_mode, task_memory)?;
        if specs.iter().any(|s| s.name == spec.name) {
            return Err(ApiError::client(
                format!("Duplicate container name '{}': container names must be unique within a task definition.", spec.name),
                &format!("$.containerDefinitions[{i}].name"),
            ));
        }
        specs.push(spec);
    }
    if !specs.iter().any(|c| c.essential) {
        return Err(ApiError::client(
            "All tasks must have at least one essential container.",
            "$.containerDefinitions",
        ));
    }
    check_container_sums(defs, &specs, task_cpu, task_memory)?;
    check_cross_references(request, defs, &specs)?;
    check_host_ports(&specs)?;
    Ok(specs)
}

fn container(
    request: &RegisterTaskDefinitionRequest,
    def: &ContainerDefinition,
    i: usize,
    compat: Compat,
    network_mode: NetworkMode,
    task_memory: Option<u32>,
) -> Result<ContainerSpec, ApiError> {
    let path = format!("$.containerDefinitions[{i}]");
    let name = def.name.clone().filter(|n| !n.is_empty()).ok_or_else(|| {
        ApiError::client(
            "Container.name should not be null or empty.",
            &format!("{path}.name"),
        )
    })?;
    if !super::is_valid_name(&name) {
        return Err(ApiError::client(
            format!("Invalid container name '{name}': up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed."),
            &format!("{path}.name"),
        ));
    }
    let image = def.image.clone().filter(|i| !i.is_empty()).ok_or_else(|| {
        ApiError::client(
            "Container.image should not be null or empty.",
            &format!("{path}.image"),
        )
    })?;
    // "Up to 255 letters (uppercase and lowercase), numbers, hyphens, underscores, colons,
    // periods, forward slashes, and number signs are allowed" (BOTO-ECS), and `@` of a digest:
    // a template placeholder ({{image}}, <IMAGE>, ${repo}) is refused as ECS refuses it.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_:./#@".contains(c);
    if !image.chars().all(allowed) {
        return Err(ApiError::client(
            "Container.image contains invalid characters.",
            &format!("{path}.image"),
        ));
    }
    if image.len() > 255 {
        return Err(ApiError::client(
            format!("Invalid setting for container '{name}'. The image name is longer than 255 characters."),
            &format!("{path}.image"),
        ));
    }
    let memory_reserved_mib = container_memory(def, &name, &path, task_memory)?;
    let cpu_units = match def.cpu {
        None => 0,
        Some(cpu) if (0..=i64::from(EC2_TASK_CPU_UNITS_MAX)).contains(&cpu) => cpu as u32,
        Some(_) => {
            return Err(ApiError::client(
                format!("Invalid 'cpu' setting for container '{name}'."),
                &format!("{path}.cpu"),
            ))
        }
    };
    check_networking(def, &name, &path, network_mode)?;
    let port_mappings = port_mappings(def, &name, &path, network_mode)?;
    let health_check = health_check(def, &name, &path)?;
    check_container_fargate_rules(request, def, &name, &image, &path, compat)?;
    let stop_timeout_s = stop_timeout(def, &name, &path, compat)?;
    let (environment, environment_files, secrets) = environment(request, def, &name, &path)?;
    let (repository_credentials, log_secrets) = execution_secrets(request, def, &path)?;
    let mount_points = (def.mount_points.iter().flatten())
        .map(|m| {
            (
                m.source_volume.clone().unwrap_or_default(),
                m.container_path.clone().unwrap_or_default(),
                m.read_only.unwrap_or(false),
            )
        })
        .collect();
    let volumes_from = volumes_from(def, &path)?;
    Ok(ContainerSpec {
        mount_points,
        volumes_from,
        environment,
        environment_files,
        secrets,
        repository_credentials,
        log_secrets,
        name,
        image,
        essential: def.essential.unwrap_or(true),
        cpu_units,
        memory_reserved_mib,
        port_mappings,
        health_check,
        stop_timeout_s,
        awslogs: awslogs(def),
    })
}

fn volumes_from(def: &ContainerDefinition, path: &str) -> Result<Vec<(String, bool)>, ApiError> {
    let Some(value) = &def.volumes_from else {
        return Ok(Vec::new());
    };
    let Some(list) = value.as_array() else {
        return Err(ApiError::serialization(
            "expected a list",
            &format!("{path}.volumesFrom"),
        ));
    };
    list.iter()
        .enumerate()
        .map(
            |(i, v)| match v.get("sourceContainer").and_then(Value::as_str) {
                Some(source) => Ok((
                    source.to_string(),
                    v.get("readOnly").and_then(Value::as_bool).unwrap_or(false),
                )),
                None => Err(ApiError::client(
                    "volumesFrom needs a sourceContainer.",
                    &format!("{path}.volumesFrom[{i}].sourceContainer"),
                )),
            },
        )
        .collect()
}

/// Whether a text names an S3 bucket or object.
fn names_s3(text: &str) -> bool {
    text.starts_with("s3://") || text.starts_with("arn:aws:s3:::")
}

const S3_NOT_A_VOLUME: &str = "S3 is not a file system ECS mounts: a task reads and writes S3 objects with the AWS SDK, using its task role (taskRoleArn) for the permissions. For a shared file system, use an EFS volume.";

/// The definition's volumes, checked as ECS registers them (aws-facts 9, 17.6.1).
fn volume_specs(
    request: &RegisterTaskDefinitionRequest,
    compat: Compat,
) -> Result<Vec<VolumeSpec>, ApiError> {
    let mut out: Vec<VolumeSpec> = Vec::new();
    for (i, v) in request.volumes.iter().flatten().enumerate() {
        let at = format!("$.volumes[{i}]");
        let name = v.name.clone().unwrap_or_default();
        if name.is_empty() || name.len() > 255 {
            return Err(ApiError::client(
                "Volume name must be 1-255 characters.",
                &format!("{at}.name"),
            ));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(ApiError::client(
                format!("Volume name '{name}' is used more than once."),
                &format!("{at}.name"),
            ));
        }
        if v.fsx_windows_file_server_volume_configuration.is_some() {
            return Err(ApiError::not_modelled(
                &format!("{at}.fsxWindowsFileServerVolumeConfiguration"),
                "FSx for Windows File Server volumes are not simulated.",
            ));
        }
        if v.configured_at_launch == Some(true) {
            return Err(ApiError::not_modelled(
                &format!("{at}.configuredAtLaunch"),
                "Amazon EBS volumes configured at launch are not simulated.",
            ));
        }
        if v.s3files_volume_configuration.is_some() {
            return Err(ApiError::not_modelled(&format!("{at}.s3filesVolumeConfiguration"), "Amazon S3 Files file systems are not simulated; a plain S3 bucket is not a volume at all."));
        }
        let given = [
            v.host.is_some(),
            v.docker_volume_configuration.is_some(),
            v.efs_volume_configuration.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(ApiError::client(format!("Volume '{name}' can have only one of host, dockerVolumeConfiguration and efsVolumeConfiguration."), &at));
        }
        let text = |value: &Option<Value>, key: &str| {
            value
                .as_ref()
                .and_then(|v| v.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let kind = if let Some(efs) = &v.efs_volume_configuration {
            let efs_at = format!("{at}.efsVolumeConfiguration");
            let file_system = text(&v.efs_volume_configuration, "fileSystemId").unwrap_or_default();
            if names_s3(&file_system) {
                return Err(ApiError::client(
                    S3_NOT_A_VOLUME,
                    &format!("{efs_at}.fileSystemId"),
                ));
            }
            if file_system.is_empty() {
                return Err(ApiError::client(
                    "fileSystemId is required for an EFS volume.",
                    &format!("{efs_at}.fileSystemId"),
                ));
            }
            let root =
                text(&v.efs_volume_configuration, "rootDirectory").unwrap_or_else(|| "/".into());
            let transit = match text(&v.efs_volume_configuration, "transitEncryption").as_deref() {
                None | Some("DISABLED") => false,
                Some("ENABLED") => true,
                Some(other) => return Err(ApiError::client(format!("Invalid transitEncryption '{other}': valid values are ENABLED and DISABLED."), &format!("{efs_at}.transitEncryption"))),
            };
            let auth = efs.get("authorizationConfig");
            let access_point = auth
                .and_then(|a| a.get("accessPointId"))
                .and_then(Value::as_str)
                .map(str::to_string);
            let iam = match auth.and_then(|a| a.get("iam")).and_then(Value::as_str) {
                None | Some("DISABLED") => false,
                Some("ENABLED") => true,
                Some(other) => {
                    return Err(ApiError::client(
                        format!("Invalid iam '{other}': valid values are ENABLED and DISABLED."),
                        &format!("{efs_at}.authorizationConfig.iam"),
                    ))
                }
            };
            if access_point.is_some() && root != "/" {
                return Err(ApiError::client("When using an EFS access point, the root directory must either be set to \"/\" or be omitted.", &format!("{efs_at}.rootDirectory")));
            }
            // The two messages below are the model's (aws-facts 17.U item 5: AWS's own text is
            // unconfirmed); the rules are BOTO-ECS's.
            if access_point.is_some() && !transit {
                return Err(ApiError::client(
                    "Transit encryption must be enabled when using an EFS access point.",
                    &format!("{efs_at}.transitEncryption"),
                ));
            }
            if iam && !transit {
                return Err(ApiError::client(
                    "EFS IAM authorization requires transit encryption to be enabled.",
                    &format!("{efs_at}.transitEncryption"),
                ));
            }
            if iam && request.task_role_arn.is_none() {
                return Err(ApiError::client(
                    "EFS IAM authorization requires a task role.",
                    "$.taskRoleArn",
                ));
            }
            VolumeKind::Efs {
                file_system,
                root,
                access_point,
                iam,
                transit_encryption: transit,
            }
        } else if let Some(docker) = &v.docker_volume_configuration {
            let d_at = format!("{at}.dockerVolumeConfiguration");
            if compat.fargate {
                return Err(ApiError::client("Docker volumes are not supported on Fargate: use a bind mount (host) or an EFS volume.", &d_at));
            }
            let shared = match docker.get("scope").and_then(Value::as_str) {
                None | Some("task") => false,
                Some("shared") => true,
                Some(other) => {
                    return Err(ApiError::client(
                        format!("Invalid scope '{other}': valid values are task and shared."),
                        &format!("{d_at}.scope"),
                    ))
                }
            };
            let autoprovision = docker
                .get("autoprovision")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if autoprovision && !shared {
                return Err(ApiError::client(
                    "autoprovision is only supported for Docker volumes with the shared scope.",
                    &format!("{d_at}.autoprovision"),
                ));
            }
            if docker
                .get("driver")
                .and_then(Value::as_str)
                .is_some_and(|d| d != "local")
            {
                return Err(ApiError::not_modelled(
                    &format!("{d_at}.driver"),
                    "only the local Docker volume driver is simulated.",
                ));
            }
            VolumeKind::Docker {
                shared,
                autoprovision,
            }
        } else {
            let source_path = text(&v.host, "sourcePath").filter(|p| !p.is_empty());
            if source_path.as_deref().is_some_and(names_s3) {
                return Err(ApiError::client(
                    S3_NOT_A_VOLUME,
                    &format!("{at}.host.sourcePath"),
                ));
            }
            if compat.fargate && source_path.is_some() {
                return Err(ApiError::client("Fargate does not support host.sourcePath: a bind mount on Fargate is the task's ephemeral storage (leave sourcePath out), or use an EFS volume.", &format!("{at}.host.sourcePath")));
            }
            VolumeKind::Host { source_path }
        };
        out.push(VolumeSpec { name, kind });
    }
    Ok(out)
}

/// A list of objects each with string fields `keys` (both required), at `path`.
fn pairs(
    value: &Option<Value>,
    keys: [&str; 2],
    path: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Some(list) = value.as_array() else {
        return Err(ApiError::serialization("expected a list", path));
    };
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let field = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
            match (field(keys[0]), field(keys[1])) {
                (Some(a), Some(b)) => Ok((a, b)),
                _ => Err(ApiError::client(
                    format!(
                        "Each entry needs '{}' and '{}' as strings.",
                        keys[0], keys[1]
                    ),
                    &format!("{path}[{i}]"),
                )),
            }
        })
        .collect()
}

type Environment = (Vec<(String, String)>, Vec<String>, Vec<(String, String)>);
/// A container's registry credentials' secret and its log driver's secrets (name, valueFrom).
type ExecutionSecrets = (Option<String>, Vec<(String, String)>);

/// A container's `environment`, `environmentFiles` and `secrets`, checked as ECS registers
/// them: secrets need an execution role; at most ten environment files, each an S3 object
/// ARN of type `s3` ending in `.env`.
fn environment(
    request: &RegisterTaskDefinitionRequest,
    def: &ContainerDefinition,
    name: &str,
    path: &str,
) -> Result<Environment, ApiError> {
    let environment = pairs(
        &def.environment,
        ["name", "value"],
        &format!("{path}.environment"),
    )?;
    let secrets = pairs(
        &def.secrets,
        ["name", "valueFrom"],
        &format!("{path}.secrets"),
    )?;
    if !secrets.is_empty() && request.execution_role_arn.is_none() {
        return Err(ApiError::client(
            "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
            "$.executionRoleArn",
        ));
    }
    let files = def.environment_files.clone().unwrap_or_default();
    if files.len() > ENVIRONMENT_FILES_MAX {
        return Err(ApiError::client(
            format!("Invalid setting for container '{name}': at most {ENVIRONMENT_FILES_MAX} environment files may be specified."),
            &format!("{path}.environmentFiles"),
        ));
    }
    let mut environment_files = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let at = format!("{path}.environmentFiles[{i}]");
        let value = file
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if file.get("type").and_then(Value::as_str) != Some("s3") {
            return Err(ApiError::client(
                "Invalid environment file type: the only type is 's3'.",
                &format!("{at}.type"),
            ));
        }
        if !value.starts_with("arn:aws:s3:::") || !value.contains('/') {
            return Err(ApiError::client(
                format!("Invalid environment file '{value}': give the ARN of an S3 object, arn:aws:s3:::bucket/key.env."),
                &format!("{at}.value"),
            ));
        }
        // Where ECS enforces the extension, and its words, are unconfirmed (aws-facts 17.U
        // item 5): the model refuses at registration.
        if !value.ends_with(".env") {
            return Err(ApiError::client(
                format!("Invalid environment file '{value}': environment files must have the .env file extension."),
                &format!("{at}.value"),
            ));
        }
        environment_files.push(value.to_string());
    }
    Ok((environment, environment_files, secrets))
}

/// A container's private registry credentials (`repositoryCredentials`) and its log
/// driver's `secretOptions`, both read with the execution role, so both need one. ECS's words
/// for secretOptions without one are taken to be those for `secrets`; for repositoryCredentials
/// ECS's own are unconfirmed (aws-facts 17.6.2), so the model's say what is missing.
fn execution_secrets(
    request: &RegisterTaskDefinitionRequest,
    def: &ContainerDefinition,
    path: &str,
) -> Result<ExecutionSecrets, ApiError> {
    let log_secrets = match &def.log_configuration {
        Some(log) => pairs(
            &log.secret_options,
            ["name", "valueFrom"],
            &format!("{path}.logConfiguration.secretOptions"),
        )?,
        None => Vec::new(),
    };
    if !log_secrets.is_empty() && request.execution_role_arn.is_none() {
        return Err(ApiError::client(
            "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
            "$.executionRoleArn",
        ));
    }
    let Some(credentials) = &def.repository_credentials else {
        return Ok((None, log_secrets));
    };
    let at = format!("{path}.repositoryCredentials.credentialsParameter");
    let parameter = match credentials.get("credentialsParameter") {
        Some(Value::String(p)) if !p.is_empty() => p.clone(),
        Some(_) => return Err(ApiError::serialization("expected a string", &at)),
        None => {
            return Err(ApiError::new(
                "ParamValidationError",
                "Missing required parameter in containerDefinitions.repositoryCredentials: \"credentialsParameter\"",
                Some(&at),
            ))
        }
    };
    if let Some(other) = (credentials.as_object().into_iter().flatten())
        .map(|(k, _)| k)
        .find(|k| *k != "credentialsParameter")
    {
        return Err(ApiError::new(
            "ParamValidationError",
            format!("Unknown parameter in containerDefinitions.repositoryCredentials: \"{other}\", must be one of: credentialsParameter"),
            Some(&format!("{path}.repositoryCredentials.{other}")),
        ));
    }
    if request.execution_role_arn.is_none() {
        return Err(ApiError::client(
            "Private registry authentication (repositoryCredentials) reads its secret with the task execution role: specify a value for 'executionRoleArn'.",
            "$.executionRoleArn",
        ));
    }
    Ok((Some(parameter), log_secrets))
}

fn awslogs(def: &ContainerDefinition) -> Option<AwsLogs> {
    let log = def
        .log_configuration
        .as_ref()
        .filter(|l| l.log_driver == "awslogs")?;
    let options = log.options.as_ref()?;
    Some(AwsLogs {
        group: options.get("awslogs-group")?.clone(),
        region: options.get("awslogs-region")?.clone(),
        stream_prefix: options.get("awslogs-stream-prefix").cloned(),
        create_group: options
            .get("awslogs-create-group")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    })
}

/// A container's stopTimeout: 30 s by default, at most 120 s on Fargate.
fn stop_timeout(
    def: &ContainerDefinition,
    name: &str,
    path: &str,
    compat: Compat,
) -> Result<u32, ApiError> {
    Ok(match def.stop_timeout {
        None => STOP_TIMEOUT_S_DEFAULT,
        Some(s) if (0..=i64::from(i32::MAX)).contains(&s)
            && (!compat.fargate || s <= FARGATE_STOP_TIMEOUT_S_MAX) => s as u32,
        Some(s) if s >= 0 && compat.fargate => {
            return Err(ApiError::client(
                format!("Invalid 'stopTimeout' setting for container '{name}'. On Fargate the maximum is {FARGATE_STOP_TIMEOUT_S_MAX} seconds."),
                &format!("{path}.stopTimeout"),
            ))
        }
        Some(_) => {
            return Err(ApiError::client(
                format!("Invalid 'stopTimeout' setting for container '{name}'. The value must be 0 or more seconds."),
                &format!("{path}.stopTimeout"),
            ))
        }
    })
}

fn container_memory(
    def: &ContainerDefinition,
    name: &str,
    path: &str,
    task_memory: Option<u32>,
) -> Result<u32, ApiError> {
    for (field, value) in [
        ("memory", def.memory),
        ("memoryReservation", def.memory_reservation),
    ] {
        if value.is_some_and(|v| v <= 0 || v > i64::from(CONTAINER_MEMORY_MIB_MAX)) {
            return Err(ApiError::client(
                format!("Invalid '{field}' setting for container '{name}'."),
                &format!("{path}.{field}"),
            ));
        }
    }
    // Equal is valid: real task definitions set both to the same value and ECS takes them.
    if let (Some(hard), Some(soft)) = (def.memory, def.memory_reservation) {
        if hard < soft {
            return Err(ApiError::client(
                format!("Invalid setting for container '{name}'. The value for 'memory' must be greater than or equal to the value for 'memoryReservation'."),
                &format!("{path}.memoryReservation"),
            ));
        }
    }
    if task_memory.is_none() && def.memory.is_none() && def.memory_reservation.is_none() {
        return Err(ApiError::client(
            format!("Invalid setting for container '{name}'. At least one of 'memory' or 'memoryReservation' must be specified."),
            path,
        ));
    }
    Ok(def.memory_reservation.or(def.memory).unwrap_or(0) as u32)
}

/// ECS's container `memory`, `memoryReservation` and `cpu` are 32-bit signed integers, and so
/// is what a task's containers add up to: a task definition whose containers together reserve
/// more is refused rather than summed into a number that wraps.
pub const CONTAINER_MEMORY_MIB_MAX: u32 = i32::MAX as u32;
pub const TASK_RESERVED_MIB_MAX: u64 = i32::MAX as u64;
pub const TASK_RESERVED_CPU_UNITS_MAX: u64 = i32::MAX as u64;

fn check_networking(
    def: &ContainerDefinition,
    name: &str,
    path: &str,
    mode: NetworkMode,
) -> Result<(), ApiError> {
    if mode == NetworkMode::Awsvpc && def.hostname.is_some() {
        return Err(ApiError::client(
            "hostname is not supported on container when networkMode=awsvpc.",
            &format!("{path}.hostname"),
        ));
    }
    if mode != NetworkMode::Bridge && def.links.as_ref().is_some_and(|l| !l.is_empty()) {
        return Err(ApiError::client(
            format!("Invalid setting for container '{name}'. links are supported only when networkMode=bridge."),
            &format!("{path}.links"),
        ));
    }
    Ok(())
}

fn port_mappings(
    def: &ContainerDefinition,
    name: &str,
    path: &str,
    mode: NetworkMode,
) -> Result<Vec<PortSpec>, ApiError> {
    let mappings = def.port_mappings.as_deref().unwrap_or_default();
    if mode == NetworkMode::None && !mappings.is_empty() {
        return Err(ApiError::client(
            format!("Invalid setting for container '{name}'. Port mappings are not supported when networkMode=none."),
            &format!("{path}.portMappings"),
        ));
    }
    let mut specs: Vec<PortSpec> = Vec::with_capacity(mappings.len());
    for (j, mapping) in mappings.iter().enumerate() {
        let at = format!("{path}.portMappings[{j}]");
        let (container_port, host_port) = mapping_ports(mapping, name, &at, mode)?;
        let udp = match mapping.protocol.as_deref() {
            None | Some("tcp") => false,
            Some("udp") => true,
            Some(other) => {
                return Err(ApiError::client(
                    format!("Invalid protocol '{other}' for container '{name}': valid values are tcp and udp."),
                    &format!("{at}.protocol"),
                ))
            }
        };
        if specs
            .iter()
            .any(|s| s.container_port == container_port && s.udp != udp)
        {
            return Err(ApiError::client(
                format!("Invalid setting for container '{name}'. You can't expose the same container port ({container_port}) for multiple protocols."),
                &format!("{at}.protocol"),
            ));
        }
        specs.push(PortSpec {
            container_port,
            host_port,
            udp,
        });
    }
    Ok(specs)
}

/// A port mapping's container port and host port (0: dynamic), as the network mode has them.
fn mapping_ports(
    mapping: &PortMapping,
    name: &str,
    at: &str,
    mode: NetworkMode,
) -> Result<(u16, u16), ApiError> {
    if mapping.container_port_range.is_some() {
        // Ranges reach placement as many ports; the model keeps to single ports for now.
        return Err(ApiError::client(
            "containerPortRange is not modelled by ecsplay yet: map single ports.",
            &format!("{at}.containerPortRange"),
        ));
    }
    let container_port = match mapping.container_port {
        Some(p) if (1..=65_535).contains(&p) => p as u16,
        _ => {
            return Err(ApiError::client(
                format!("Invalid 'containerPort' setting for container '{name}'."),
                &format!("{at}.containerPort"),
            ))
        }
    };
    let host_port = match mapping.host_port {
        None => None,
        Some(p) if (0..=65_535).contains(&p) => Some(p as u16),
        Some(_) => {
            return Err(ApiError::client(
                format!("Invalid 'hostPort' setting for container '{name}'."),
                &format!("{at}.hostPort"),
            ))
        }
    };
    let host_port = match mode {
        NetworkMode::Awsvpc | NetworkMode::Host => match host_port {
            None => container_port,
            Some(p) if p == container_port => p,
            Some(_) => {
                return Err(ApiError::client(
                    format!(
                        "When networkMode={}, the host ports and container ports in port mappings must match.",
                        mode.as_str()
                    ),
                    &format!("{at}.hostPort"),
                ))
            }
        },
        _ => host_port.unwrap_or(0),
    };
    Ok((container_port, host_port))
}

fn health_check(
    def: &ContainerDefinition,
    name: &str,
    path: &str,
) -> Result<Option<HealthCheckSpec>, ApiError> {
    let Some(check) = &def.health_check else {
        return Ok(None);
    };
    let at = format!("{path}.healthCheck");
    // ECS does not check the command's form at registration: real task definitions register
    // `["curl -f http://localhost/"]` without CMD or CMD-SHELL (Docker runs it at start).
    let field = |value: Option<i64>, default: u32, min: i64, max: i64, field: &str| {
        match value {
        None => Ok(default),
        Some(v) if (min..=max).contains(&v) => Ok(v as u32),
        Some(v) => Err(ApiError::client(
            format!("Invalid health check {field} {v} for container '{name}': it must be between {min} and {max}."),
            &format!("{at}.{field}"),
        )),
    }
    };
    Ok(Some(HealthCheckSpec {
        interval_s: field(check.interval, 30, 5, 300, "interval")?,
        timeout_s: field(check.timeout, 5, 2, 60, "timeout")?,
        retries: field(check.retries, 3, 1, 10, "retries")?,
        start_period_s: field(check.start_period, 0, 0, 300, "startPeriod")?,
    }))
}

fn check_container_fargate_rules(
    request: &RegisterTaskDefinitionRequest,
    def: &ContainerDefinition,
    name: &str,
    image: &str,
    path: &str,
    compat: Compat,
) -> Result<(), ApiError> {
    if let Some(log) = &def.log_configuration {
        let at = format!("{path}.logConfiguration");
        if !LOG_DRIVERS.contains(&log.log_driver.as_str()) {
            return Err(ApiError::client(
                format!(
                    "Invalid log driver '{}' for container '{name}'.",
                    log.log_driver
                ),
                &format!("{at}.logDriver"),
            ));
        }
        if compat.fargate && !FARGATE_LOG_DRIVERS.contains(&log.log_driver.as_str()) {
            return Err(ApiError::client(
                format!("Log driver {} is not supported on Fargate: use awslogs, splunk or awsfirelens.", log.log_driver),
                &format!("{at}.logDriver"),
            ));
        }
        if log.log_driver == "awslogs" {
            let options = log.options.clone().unwrap_or_default();
            let mut required = vec!["awslogs-group", "awslogs-region"];
            if compat.fargate {
                required.push("awslogs-stream-prefix");
            }
            if let Some(missing) = required.iter().find(|k| !options.contains_key(**k)) {
                return Err(ApiError::client(
                    format!("The awslogs log driver needs the option '{missing}' for container '{name}'."),
                    &format!("{at}.options"),
                ));
            }
            if compat.fargate && request.execution_role_arn.is_none() {
                return Err(ApiError::client(
                    "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
                    "$.executionRoleArn",
                ));
            }
        }
    }
    if !compat.fargate {
        return Ok(());
    }
    if image.contains(".dkr.ecr.") && request.execution_role_arn.is_none() {
        return Err(ApiError::client(
            "Fargate requires task definition to have execution role ARN to support ECR images.",
            "$.executionRoleArn",
        ));
    }
    if def.privileged == Some(true) {
        return Err(ApiError::client(
            "Tasks using the Fargate launch type do not support privileged containers.",
            &format!("{path}.privileged"),
        ));
    }
    Ok(())
}

fn check_container_sums(
    defs: &[ContainerDefinition],
    specs: &[ContainerSpec],
    task_cpu: Option<u32>,
    task_memory: Option<u32>,
) -> Result<(), ApiError> {
    // Each term is at most i32::MAX (checked per container) and there are at most 10, so the
    // sums in u64 / i64 cannot overflow; the totals are then held to ECS's 32-bit limit.
    let reserved: u64 = specs.iter().map(|c| u64::from(c.memory_reserved_mib)).sum();
    if task_memory.is_none() && reserved > TASK_RESERVED_MIB_MAX {
        return Err(ApiError::client(
            format!("Invalid setting for task: the containers' memory adds up to {reserved} MiB, more than the limit of {TASK_RESERVED_MIB_MAX} MiB."),
            "$.containerDefinitions",
        ));
    }
    let cpu_total: u64 = specs.iter().map(|c| u64::from(c.cpu_units)).sum();
    if task_cpu.is_none() && cpu_total > TASK_RESERVED_CPU_UNITS_MAX {
        return Err(ApiError::client(
            format!("Invalid setting for task: the containers' cpu adds up to {cpu_total} units, more than the limit of {TASK_RESERVED_CPU_UNITS_MAX} units."),
            "$.containerDefinitions",
        ));
    }
    if let Some(task_memory) = task_memory {
        let hard: i64 = defs
            .iter()
            .map(|d| d.memory.or(d.memory_reservation).unwrap_or(0))
            .sum();
        if hard > i64::from(task_memory) {
            return Err(ApiError::client(
                format!("The sum of the containers' memory ({hard} MiB) is greater than the task memory ({task_memory} MiB)."),
                "$.memory",
            ));
        }
    }
    if let Some(task_cpu) = task_cpu {
        let cpu = cpu_total;
        if cpu > u64::from(task_cpu) {
            return Err(ApiError::client(
                format!("The sum of the containers' cpu ({cpu} units) is greater than the task cpu ({task_cpu} units)."),
                "$.cpu",
            ));
        }
    }
    Ok(())
}

fn check_cross_references(
    request: &RegisterTaskDefinitionRequest,
    defs: &[ContainerDefinition],
    specs: &[ContainerSpec],
) -> Result<(), ApiError> {
    let volumes: Vec<&str> = request
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.name.as_deref())
        .collect();
    for (i, def) in defs.iter().enumerate() {
        for (j, dependency) in def.depends_on.iter().flatten().enumerate() {
            let at = format!("$.containerDefinitions[{i}].dependsOn[{j}]");
            if !specs.iter().any(|s| s.name == dependency.container_name) {
                return Err(ApiError::client(
                    format!(
                        "Invalid dependsOn: no container named '{}' in the task definition.",
                        dependency.container_name
                    ),
                    &format!("{at}.containerName"),
                ));
            }
            if !matches!(
                dependency.condition.as_str(),
                "START" | "COMPLETE" | "SUCCESS" | "HEALTHY"
            ) {
                return Err(ApiError::client(
                    format!("Invalid dependsOn condition '{}': valid values are START, COMPLETE, SUCCESS and HEALTHY.", dependency.condition),
                    &format!("{at}.condition"),
                ));
            }
        }
        for (j, (source, _)) in specs[i].volumes_from.iter().enumerate() {
            if *source == specs[i].name || !specs.iter().any(|s| s.name == *source) {
                return Err(ApiError::client(
                    format!("Invalid volumesFrom: no other container named '{source}' in the task definition."),
                    &format!("$.containerDefinitions[{i}].volumesFrom[{j}].sourceContainer"),
                ));
            }
        }
        for (j, mount) in def.mount_points.iter().flatten().enumerate() {
            if mount
                .container_path
                .as_deref()
                .is_none_or(|p| !p.starts_with('/'))
            {
                return Err(ApiError::client(
                    "A mount point needs a containerPath, an absolute path in the container.",
                    &format!("$.containerDefinitions[{i}].mountPoints[{j}].containerPath"),
                ));
            }
            let source = mount.source_volume.as_deref().unwrap_or_default();
            if !volumes.contains(&source) {
                return Err(ApiError::client(
                    format!("Unknown volume '{source}'."),
                    &format!("$.containerDefinitions[{i}].mountPoints[{j}].sourceVolume"),
                ));
            }
        }
    }
    Ok(())
}

/// Two containers of one task cannot bind the same static host port and protocol.
fn check_host_ports(specs: &[ContainerSpec]) -> Result<(), ApiError> {
    let mut seen: Vec<(u16, bool)> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        for (j, port) in spec.port_mappings.iter().enumerate() {
            if port.host_port == 0 {
                continue;
            }
            if seen.contains(&(port.host_port, port.udp)) {
                return Err(ApiError::client(
                    format!(
                        "Host port {} is mapped more than once in the task definition.",
                        port.host_port
                    ),
                    &format!("$.containerDefinitions[{i}].portMappings[{j}].hostPort"),
                ));
            }
            seen.push((port.host_port, port.udp));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_memory_strings_with_units() {
        assert_eq!(parse_cpu("1024"), Some(1024));
        assert_eq!(parse_cpu("1 vCPU"), Some(1024));
        assert_eq!(parse_cpu("0.25 vcpu"), Some(256));
        assert_eq!(parse_cpu("2vCPU"), Some(2048));
        assert_eq!(parse_cpu("lots"), None);
        assert_eq!(parse_memory("2GB"), Some(2048));
        assert_eq!(parse_memory("0.5 GB"), Some(512));
        assert_eq!(parse_memory("3072"), Some(3072));
        assert_eq!(parse_memory("1 TB"), None);
    }

    #[test]
    fn the_fargate_table_has_the_documented_sizes() {
        assert_eq!(fargate_memory_options(2048).len(), 13);
        assert_eq!(fargate_memory_options(4096).len(), 23);
        assert_eq!(fargate_memory_options(8192).len(), 12);
        assert_eq!(fargate_memory_options(16384).len(), 12);
        assert_eq!(fargate_memory_options(16384).last(), Some(&122_880));
        assert!(fargate_memory_options(300).is_empty());
    }
}

// The API: RegisterTaskDefinition, DeregisterTaskDefinition, DescribeTaskDefinition,
// ListTaskDefinitions.

use crate::world::World;

/// Revisions one family may have, deregistered ones included (aws-facts 1.5).
pub const REVISIONS_PER_FAMILY_MAX: usize = 1_000_000;

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TaskDefinitionRef {
    task_definition: String,
}

/// DescribeTaskDefinition's request: `include: ["TAGS"]` asks for the tags, which the answer
/// always carries (none: tags are not simulated).
#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DescribeTaskDefinitionRequest {
    task_definition: String,
    include: Option<Vec<String>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListTaskDefinitionsRequest {
    family_prefix: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    max_results: Option<Value>,
    next_token: Option<Value>,
}

impl World {
    pub(crate) fn register_task_definition(&mut self, input: &Value) -> Result<Value, ApiError> {
        let mut definition = validate(input)?;
        let revisions = self
            .ecs
            .task_definitions
            .get(&definition.family)
            .map_or(0, Vec::len);
        if revisions >= REVISIONS_PER_FAMILY_MAX {
            return Err(ApiError::client(
                "The family has reached the limit of 1,000,000 revisions.",
                "$.family",
            ));
        }
        definition.revision = revisions as u32 + 1;
        definition.arn = self.arn("ecs", &format!("task-definition/{}", definition.key()));
        definition.registered_at = self.now;
        let json = self.task_definition_json(&definition);
        self.ecs
            .task_definitions
            .entry(definition.family.clone())
            .or_default()
            .push(definition);
        Ok(
            json!({ "taskDefinition": json, "tags": input.get("tags").cloned().unwrap_or(json!([])) }),
        )
    }

    /// A task definition by `family`, `family:revision` or ARN; `family` means its latest ACTIVE
    /// revision.
    pub(crate) fn resolve_task_definition(
        &self,
        reference: &str,
        path: &str,
    ) -> Result<&TaskDefinition, ApiError> {
        let not_found = || ApiError::client("Unable to describe task definition.", path);
        let name = reference
            .rsplit_once(":task-definition/")
            .map_or(reference, |(_, n)| n);
        let (family, revision) = match name.rsplit_once(':') {
            Some((family, revision)) => (
                family,
                Some(revision.parse::<usize>().map_err(|_| not_found())?),
            ),
            None => (name, None),
        };
        let revisions = self
            .ecs
            .task_definitions
            .get(family)
            .ok_or_else(not_found)?;
        match revision {
            Some(n) if n >= 1 => revisions.get(n - 1).ok_or_else(not_found),
            Some(_) => Err(not_found()),
            None => revisions
                .iter()
                .rev()
                .find(|d| d.active)
                .ok_or_else(not_found),
        }
    }

    pub(crate) fn deregister_task_definition(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: TaskDefinitionRef = parse_request(input)?;
        if !request.task_definition.contains(':') {
            return Err(ApiError::client(
                "The specified revision is not specified: use family:revision or the full ARN.",
                "$.taskDefinition",
            ));
        }
        let key = self
            .resolve_task_definition(&request.task_definition, "$.taskDefinition")?
            .key();
        let (family, revision) = key.rsplit_once(':').expect("key is family:revision");
        let definition = &mut self.ecs.task_definitions.get_mut(family).expect("resolved")
            [revision.parse::<usize>().expect("number") - 1];
        definition.active = false;
        let definition = definition.clone();
        Ok(json!({ "taskDefinition": self.task_definition_json(&definition) }))
    }

    pub(crate) fn describe_task_definition(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: DescribeTaskDefinitionRequest = parse_request(input)?;
        let definition =
            self.resolve_task_definition(&request.task_definition, "$.taskDefinition")?;
        Ok(json!({ "taskDefinition": self.task_definition_json(definition), "tags": [] }))
    }

    pub(crate) fn list_task_definitions(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ListTaskDefinitionsRequest = parse_request(input)?;
        refuse_unmodelled(input, super::unmodelled::LIST)?;
        let want_active = match request.status.as_deref() {
            None | Some("ACTIVE") => true,
            Some("INACTIVE") => false,
            Some(other) => {
                return Err(ApiError::invalid_parameter(
                    format!("Invalid status '{other}': valid values are ACTIVE and INACTIVE."),
                    "$.status",
                ))
            }
        };
        let mut arns: Vec<&str> = self
            .ecs
            .task_definitions
            .iter()
            .filter(|(family, _)| {
                request
                    .family_prefix
                    .as_deref()
                    .is_none_or(|p| family.starts_with(p))
            })
            .flat_map(|(_, revisions)| revisions.iter())
            .filter(|d| d.active == want_active)
            .map(|d| d.arn.as_str())
            .collect();
        if request.sort.as_deref() == Some("DESC") {
            arns.reverse();
        }
        Ok(json!({ "taskDefinitionArns": arns }))
    }

    pub(crate) fn task_definition_json(&self, definition: &TaskDefinition) -> Value {
        let mut out = definition.request.clone();
        let map = out.as_object_mut().expect("validated as an object");
        map.insert("taskDefinitionArn".into(), json!(definition.arn));
        map.insert("revision".into(), json!(definition.revision));
        map.insert(
            "status".into(),
            json!(if definition.active {
                "ACTIVE"
            } else {
                "INACTIVE"
            }),
        );
        map.insert(
            "networkMode".into(),
            json!(definition.network_mode.as_str()),
        );
        // As DescribeTaskDefinition shows it: a Fargate definition also validates for EC2.
        let compatibilities = if definition.fargate_compatible {
            vec!["EC2", "FARGATE"]
        } else {
            vec!["EXTERNAL", "EC2"]
        };
        map.insert("compatibilities".into(), json!(compatibilities));
        map.insert(
            "requiresAttributes".into(),
            json!(requires_attributes(&definition.request)
                .into_iter()
                .map(|name| json!({ "name": name }))
                .collect::<Vec<_>>()),
        );
        map.insert(
            "registeredAt".into(),
            self.epoch_seconds(definition.registered_at),
        );
        map.insert(
            "registeredBy".into(),
            json!(self
                .arn("iam", "root")
                .replace(&format!(":{}:", self.config.region), "::")),
        );
        if let Some(containers) = map
            .get_mut("containerDefinitions")
            .and_then(Value::as_array_mut)
        {
            for container in containers {
                if let Some(c) = container.as_object_mut() {
                    c.entry("essential").or_insert(json!(true));
                    c.entry("cpu").or_insert(json!(0));
                    c.entry("portMappings").or_insert(json!([]));
                }
            }
        }
        map.remove("tags");
        out
    }

    /// What `aws ecs describe-task-definition` prints for `family:revision`: the playground's
    /// editor reopens a revision as this, and registers it back as it is.
    pub fn describe_task_definition_output(&self, family: &str, revision: usize) -> Option<Value> {
        let definition = self
            .ecs
            .task_definitions
            .get(family)?
            .get(revision.checked_sub(1)?)?;
        Some(json!({ "taskDefinition": self.task_definition_json(definition) }))
    }

    pub(crate) fn task_definitions_json(&self) -> Vec<Value> {
        self.ecs
            .task_definitions
            .values()
            .flatten()
            .map(|d| self.task_definition_json(d))
            .collect()
    }
}
