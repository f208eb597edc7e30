//! Amazon EFS, prefix `efs:` (aws-facts 9, 17.6.1): file systems, mount targets (one a zone,
//! in a subnet, with security groups) and access points, and the files tasks write to them
//! (`sim:SetImageBehavior` `writes`), shared by every task that mounts the file system, in
//! every zone. Requests take the JSON `aws efs ... --cli-input-json` takes, in PascalCase.
//!
//! A mount target is `available` as soon as it is made (AWS takes about a minute and a half).
//! Not here: file system policies, lifecycle management, replication, backups, KMS keys.

pub mod read;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
pub use crate::engine::files::{FileData, Files, FILES_MAX};
use crate::engine::time::SimTime;
use crate::world::World;

/// File systems the model holds (EFS's quota is 1,000 an account a Region).
pub const FILE_SYSTEMS_MAX: usize = 100;
/// Access points a file system has at the most (EFS's quota is 10,000).
pub const ACCESS_POINTS_MAX: usize = 100;
/// Security groups of one mount target at the most (EFS's limit).
pub const MOUNT_TARGET_GROUPS_MAX: usize = 5;

#[derive(Debug, Clone)]
pub struct FileSystem {
    pub id: String,
    pub creation_token: String,
    pub name: Option<String>,
    pub created_at: SimTime,
    pub encrypted: bool,
    pub performance_mode: String,
    pub throughput_mode: String,
    pub files: Files,
    /// Directories made (an access point's root with CreationInfo), beside those files imply.
    pub dirs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct MountTarget {
    pub id: String,
    pub file_system: String,
    pub subnet: String,
    pub zone: String,
    pub vpc: String,
    pub address: u32,
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct AccessPoint {
    pub id: String,
    pub file_system: String,
    pub client_token: String,
    pub root: String,
    pub posix_user: Option<Value>,
    pub creation_info: Option<Value>,
}

#[derive(Debug, Default)]
pub struct EfsState {
    pub file_systems: Vec<FileSystem>,
    pub mount_targets: Vec<MountTarget>,
    pub access_points: Vec<AccessPoint>,
}

/// Performs `efs:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateFileSystem" => world.create_file_system(input),
        "DescribeFileSystems" => world.describe_file_systems(input),
        "CreateMountTarget" => world.create_mount_target(input),
        "DescribeMountTargets" => world.describe_mount_targets(input),
        "DeleteMountTarget" => world.delete_mount_target(input),
        "CreateAccessPoint" => world.create_access_point(input),
        "DescribeAccessPoints" => world.describe_access_points(input),
        _ => Err(ApiError::unknown_operation(&format!("efs:{operation}"))),
    }
}

/// A task's write to a file system (carried out by the root for ECS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfsWrite {
    pub file_system: String,
    pub path: String,
    pub bytes: u64,
    pub writer: String,
}

/// Carries out an [`EfsWrite`] (a file system deleted meanwhile takes nothing).
pub fn write(world: &mut World, w: EfsWrite) {
    let now = world.now;
    if let Some(fs) = world
        .efs
        .file_systems
        .iter_mut()
        .find(|f| f.id == w.file_system)
    {
        fs.files.append(&w.path, w.bytes, &w.writer, now);
    }
}

/// Makes an access point's root directory on first use (its CreationInfo says to).
pub fn make_dir(world: &mut World, file_system: &str, dir: &str) {
    if let Some(fs) = world
        .efs
        .file_systems
        .iter_mut()
        .find(|f| f.id == file_system)
    {
        if !fs.dirs.iter().any(|d| d == dir) && fs.dirs.len() < FILES_MAX {
            fs.dirs.push(dir.to_string());
        }
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        "FileSystemNotFound",
        format!("File system '{id}' does not exist."),
        Some("$.FileSystemId"),
    )
}

impl World {
    fn efs_fs(&self, id: &str) -> Result<usize, ApiError> {
        (self.efs.file_systems.iter())
            .position(|f| f.id == id)
            .ok_or_else(|| not_found(id))
    }

    pub(crate) fn file_system_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:elasticfilesystem:{}:{}:file-system/{id}",
            self.config.region, self.config.account
        )
    }

    fn file_system_json(&self, f: &FileSystem) -> Value {
        let targets = (self.efs.mount_targets.iter())
            .filter(|m| m.file_system == f.id)
            .count();
        let mut out = json!({
            "OwnerId": self.config.account,
            "CreationToken": f.creation_token,
            "FileSystemId": f.id,
            "FileSystemArn": self.file_system_arn(&f.id),
            "CreationTime": self.epoch_seconds(f.created_at),
            "LifeCycleState": "available",
            "NumberOfMountTargets": targets,
            "SizeInBytes": { "Value": f.files.total_bytes() + 6_144 },
            "PerformanceMode": f.performance_mode,
            "Encrypted": f.encrypted,
            "ThroughputMode": f.throughput_mode,
            "Tags": f.name.as_ref().map_or(json!([]), |n| json!([{ "Key": "Name", "Value": n }])),
        });
        if let Some(n) = &f.name {
            out["Name"] = json!(n);
        }
        out
    }

    fn mount_target_json(&self, m: &MountTarget) -> Value {
        json!({
            "OwnerId": self.config.account,
            "MountTargetId": m.id,
            "FileSystemId": m.file_system,
            "SubnetId": m.subnet,
            "LifeCycleState": "available",
            "IpAddress": std::net::Ipv4Addr::from(m.address).to_string(),
            "NetworkInterfaceId": format!("eni-{}", &m.id[5..]),
            "AvailabilityZoneName": m.zone,
            "VpcId": m.vpc,
        })
    }

    fn access_point_json(&self, a: &AccessPoint) -> Value {
        let mut root = json!({ "Path": a.root });
        if let Some(info) = &a.creation_info {
            root["CreationInfo"] = info.clone();
        }
        let mut out = json!({
            "ClientToken": a.client_token,
            "AccessPointId": a.id,
            "AccessPointArn": format!("arn:aws:elasticfilesystem:{}:{}:access-point/{}", self.config.region, self.config.account, a.id),
            "FileSystemId": a.file_system,
            "RootDirectory": root,
            "OwnerId": self.config.account,
            "LifeCycleState": "available",
        });
        if let Some(user) = &a.posix_user {
            out["PosixUser"] = user.clone();
        }
        out
    }

    fn create_file_system(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            creation_token: Option<String>,
            performance_mode: Option<String>,
            encrypted: Option<bool>,
            kms_key_id: Option<String>,
            throughput_mode: Option<String>,
            provisioned_throughput_in_mibps: Option<f64>,
            availability_zone_name: Option<String>,
            backup: Option<bool>,
            tags: Option<Vec<Value>>,
        }
        let request: Request = parse_request(input)?;
        for (field, given) in [
            ("$.KmsKeyId", request.kms_key_id.is_some()),
            (
                "$.ProvisionedThroughputInMibps",
                request.provisioned_throughput_in_mibps.is_some(),
            ),
            (
                "$.AvailabilityZoneName",
                request.availability_zone_name.is_some(),
            ),
        ] {
            if given {
                return Err(ApiError::not_modelled(
                    field,
                    "file systems here are Regional, with the default key and throughput.",
                ));
            }
        }
        let _ = request.backup;
        let performance_mode = request
            .performance_mode
            .unwrap_or_else(|| "generalPurpose".into());
        let throughput_mode = request.throughput_mode.unwrap_or_else(|| "bursting".into());
        if !matches!(performance_mode.as_str(), "generalPurpose" | "maxIO") {
            return Err(ApiError::new("ValidationException", format!("1 validation error detected: Value '{performance_mode}' at 'performanceMode' failed to satisfy constraint: Member must satisfy enum value set: [generalPurpose, maxIO]"), Some("$.PerformanceMode")));
        }
        if !matches!(throughput_mode.as_str(), "bursting" | "elastic") {
            return Err(ApiError::not_modelled(
                "$.ThroughputMode",
                "throughput here is bursting or elastic.",
            ));
        }
        let token = match request.creation_token {
            Some(t) => t,
            None => self.ids.uuid(),
        };
        if let Some(existing) = self
            .efs
            .file_systems
            .iter()
            .find(|f| f.creation_token == token)
        {
            return Err(ApiError::new(
                "FileSystemAlreadyExists",
                format!(
                    "File system '{}' already exists with creation token '{token}'",
                    existing.id
                ),
                Some("$.CreationToken"),
            ));
        }
        if self.efs.file_systems.len() >= FILE_SYSTEMS_MAX {
            return Err(ApiError::new(
                "FileSystemLimitExceeded",
                "You have reached the maximum number of file systems allowed for your account.",
                None,
            ));
        }
        let name = (request.tags.iter().flatten())
            .find(|t| t["Key"] == "Name")
            .and_then(|t| t["Value"].as_str())
            .map(str::to_string);
        let fs = FileSystem {
            id: format!("fs-{}", self.ids.hex(17)),
            creation_token: token,
            name,
            created_at: self.now,
            encrypted: request.encrypted.unwrap_or(false),
            performance_mode,
            throughput_mode,
            files: Files::default(),
            dirs: Vec::new(),
        };
        let out = self.file_system_json(&fs);
        self.efs.file_systems.push(fs);
        Ok(out)
    }

    fn describe_file_systems(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            file_system_id: Option<String>,
            creation_token: Option<String>,
            max_items: Option<i64>,
            marker: Option<String>,
        }
        let request: Request = parse_request(input)?;
        if request.marker.is_some() || request.max_items.is_some() {
            return Err(ApiError::not_modelled(
                "$.Marker",
                "lists are answered whole, in one page.",
            ));
        }
        if let Some(id) = &request.file_system_id {
            self.efs_fs(id)?;
        }
        let found: Vec<Value> = (self.efs.file_systems.iter())
            .filter(|f| request.file_system_id.as_ref().is_none_or(|id| *id == f.id))
            .filter(|f| {
                request
                    .creation_token
                    .as_ref()
                    .is_none_or(|t| *t == f.creation_token)
            })
            .map(|f| self.file_system_json(f))
            .collect();
        Ok(json!({ "FileSystems": found }))
    }

    fn create_mount_target(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            file_system_id: String,
            subnet_id: String,
            ip_address: Option<String>,
            security_groups: Option<Vec<String>>,
        }
        let request: Request = parse_request(input)?;
        self.efs_fs(&request.file_system_id)?;
        if request.ip_address.is_some() {
            return Err(ApiError::not_modelled(
                "$.IpAddress",
                "a mount target here takes the next address of its subnet.",
            ));
        }
        let Some(subnet) = crate::ec2::read::subnet(self, &request.subnet_id) else {
            return Err(ApiError::new(
                "SubnetNotFound",
                format!("The subnet ID '{}' does not exist", request.subnet_id),
                Some("$.SubnetId"),
            ));
        };
        let (zone, vpc, first) = (
            subnet.availability_zone.to_string(),
            subnet.vpc_id.to_string(),
            subnet.first_address,
        );
        let existing: Vec<&MountTarget> = (self.efs.mount_targets.iter())
            .filter(|m| m.file_system == request.file_system_id)
            .collect();
        if existing.iter().any(|m| m.vpc != vpc) {
            return Err(ApiError::new(
                "MountTargetConflict",
                "mount target already exists in a different VPC",
                Some("$.SubnetId"),
            ));
        }
        if existing.iter().any(|m| m.zone == zone) {
            return Err(ApiError::new(
                "MountTargetConflict",
                "mount target already exists in this AZ",
                Some("$.SubnetId"),
            ));
        }
        let groups = match request.security_groups {
            Some(g) if g.is_empty() || g.len() > MOUNT_TARGET_GROUPS_MAX => {
                return Err(ApiError::new(
                    "SecurityGroupLimitExceeded",
                    format!("A mount target takes 1 to {MOUNT_TARGET_GROUPS_MAX} security groups."),
                    Some("$.SecurityGroups"),
                ))
            }
            Some(g) => g,
            // Without security groups, the VPC's default one (as EFS does).
            None => crate::ec2::read::default_security_group(self, &vpc)
                .map(str::to_string)
                .into_iter()
                .collect(),
        };
        for (i, g) in groups.iter().enumerate() {
            if crate::ec2::read::security_group_vpc(self, g) != Some(vpc.as_str()) {
                return Err(ApiError::new(
                    "SecurityGroupNotFound",
                    format!("The security group '{g}' does not exist in this VPC"),
                    Some(&format!("$.SecurityGroups[{i}]")),
                ));
            }
        }
        let n = self.efs.mount_targets.len() as u32;
        let target = MountTarget {
            id: format!("fsmt-{}", self.ids.hex(17)),
            file_system: request.file_system_id,
            subnet: request.subnet_id,
            zone,
            vpc,
            // Addresses from the top of the subnet's first 256, away from the tasks' own.
            address: first + 250 - (n % 200),
            security_groups: groups,
        };
        let out = self.mount_target_json(&target);
        self.efs.mount_targets.push(target);
        Ok(out)
    }

    fn describe_mount_targets(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            file_system_id: Option<String>,
            mount_target_id: Option<String>,
            access_point_id: Option<String>,
            max_items: Option<i64>,
            marker: Option<String>,
        }
        let request: Request = parse_request(input)?;
        if request.marker.is_some()
            || request.max_items.is_some()
            || request.access_point_id.is_some()
        {
            return Err(ApiError::not_modelled(
                "$.Marker",
                "name the file system or the mount target; lists come whole.",
            ));
        }
        if request.file_system_id.is_none() && request.mount_target_id.is_none() {
            return Err(ApiError::new(
                "BadRequest",
                "Must specify exactly one mutually exclusive parameter.",
                Some("$.FileSystemId"),
            ));
        }
        if let Some(id) = &request.file_system_id {
            self.efs_fs(id)?;
        }
        let found: Vec<Value> = (self.efs.mount_targets.iter())
            .filter(|m| {
                request
                    .file_system_id
                    .as_ref()
                    .is_none_or(|id| *id == m.file_system)
            })
            .filter(|m| {
                request
                    .mount_target_id
                    .as_ref()
                    .is_none_or(|id| *id == m.id)
            })
            .map(|m| self.mount_target_json(m))
            .collect();
        if request.mount_target_id.is_some() && found.is_empty() {
            return Err(ApiError::new(
                "MountTargetNotFound",
                "Mount target does not exist.",
                Some("$.MountTargetId"),
            ));
        }
        Ok(json!({ "MountTargets": found }))
    }

    fn delete_mount_target(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            mount_target_id: String,
        }
        let request: Request = parse_request(input)?;
        let Some(i) = self
            .efs
            .mount_targets
            .iter()
            .position(|m| m.id == request.mount_target_id)
        else {
            return Err(ApiError::new(
                "MountTargetNotFound",
                "Mount target does not exist.",
                Some("$.MountTargetId"),
            ));
        };
        self.efs.mount_targets.remove(i);
        Ok(json!({}))
    }

    fn create_access_point(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            client_token: Option<String>,
            file_system_id: String,
            posix_user: Option<Value>,
            root_directory: Option<Value>,
            /// Taken as they are: tags change nothing the model simulates.
            #[allow(dead_code)]
            tags: Option<Value>,
        }
        let request: Request = parse_request(input)?;
        self.efs_fs(&request.file_system_id)?;
        let count = (self.efs.access_points.iter())
            .filter(|a| a.file_system == request.file_system_id)
            .count();
        if count >= ACCESS_POINTS_MAX {
            return Err(ApiError::new("AccessPointLimitExceeded", "You have reached the maximum number of access points allowed for this file system.", None));
        }
        let root = (request.root_directory.as_ref())
            .and_then(|r| r.get("Path"))
            .and_then(Value::as_str)
            .unwrap_or("/")
            .to_string();
        if !root.starts_with('/') {
            return Err(ApiError::new(
                "BadRequest",
                "RootDirectory Path must begin with /.",
                Some("$.RootDirectory.Path"),
            ));
        }
        let creation_info = request
            .root_directory
            .as_ref()
            .and_then(|r| r.get("CreationInfo"))
            .cloned();
        let token = match request.client_token {
            Some(t) => t,
            None => self.ids.uuid(),
        };
        let point = AccessPoint {
            id: format!("fsap-{}", self.ids.hex(17)),
            file_system: request.file_system_id,
            client_token: token,
            root,
            posix_user: request.posix_user,
            creation_info,
        };
        let out = self.access_point_json(&point);
        self.efs.access_points.push(point);
        Ok(out)
    }

    fn describe_access_points(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            file_system_id: Option<String>,
            access_point_id: Option<String>,
        }
        let request: Request = parse_request(input)?;
        let found: Vec<Value> = (self.efs.access_points.iter())
            .filter(|a| {
                request
                    .file_system_id
                    .as_ref()
                    .is_none_or(|id| *id == a.file_system)
            })
            .filter(|a| {
                request
                    .access_point_id
                    .as_ref()
                    .is_none_or(|id| *id == a.id)
            })
            .map(|a| self.access_point_json(a))
            .collect();
        Ok(json!({ "AccessPoints": found }))
    }
}
