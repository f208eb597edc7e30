//! A task's volumes at run time (aws-facts 9, 17.6.1): its EFS volumes mounted at PENDING
//! (a mount target in the task's zone and VPC, NFS 2049 open to the task, the root directory
//! there, the task role's EFS permissions with IAM authorization), and where what its
//! containers write lands (`sim:SetImageBehavior` `writes`):
//!
//! - an EFS volume: the file system, shared by every task that mounts it, in every zone;
//! - a bind mount with a `sourcePath` (EC2), or a `shared` Docker volume: the instance's disk,
//!   kept across tasks, lost with the instance;
//! - a bind mount without one, a task-scoped Docker volume, or no volume at all (the
//!   container's writable layer): the task's own storage, gone with the task. On Fargate
//!   that is its ephemeral storage, shared with its image layers: a write past it fails with
//!   `no space left on device` and the container exits.

use super::startup::Checked;
use super::task_definition::{TaskDefinition, VolumeKind};
use super::{LaunchType, TaskIdx, TaskStatus};
use crate::efs::EfsWrite;
use crate::engine::files::Files;
use crate::iam::read::{self as iam, Decision};
use crate::world::{Command, World};

/// NFS, the port a mount target must be reachable on.
pub const NFS_PORT: u16 = 2049;
const GIB: u64 = 1 << 30;

/// Where one path a container writes lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Efs { file_system: String, path: String },
    Host { path: String },
    Task { key: String },
    ReadOnly,
}

fn efs_error(stderr: &str, code: u32) -> String {
    format!("ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: {stderr} : unsuccessful EFS utils command execution; code: {code}")
}

/// `root` joined with the part of `path` under `mount` (`/data` + `/mnt/x` under `/mnt`).
fn under(root: &str, mount: &str, path: &str) -> String {
    let rest = path
        .strip_prefix(mount.trim_end_matches('/'))
        .unwrap_or(path);
    format!(
        "{}{}",
        root.trim_end_matches('/'),
        if rest.is_empty() { "/" } else { rest }
    )
}

impl World {
    /// The task's network as NFS sees it: its zone, VPC, address and security groups (its
    /// ENI's, or on bridge and host networking its instance's).
    fn task_network(&self, task: TaskIdx) -> Option<(String, String, u32, Vec<String>)> {
        let t = &self.ecs.tasks[task];
        if let Some(eni) = &t.eni {
            let subnet = crate::ec2::read::subnet(self, &eni.subnet_id)?;
            let mut groups = eni.security_groups.clone();
            if groups.is_empty() {
                // An ENI given no security groups has its VPC's default one.
                groups.extend(
                    crate::ec2::read::default_security_group(self, subnet.vpc_id)
                        .map(str::to_string),
                );
            }
            return Some((
                subnet.availability_zone.to_string(),
                subnet.vpc_id.to_string(),
                eni.private_ipv4,
                groups,
            ));
        }
        let ec2_id = &self.ecs.container_instances[t.container_instance?].ec2_instance_id;
        let instance = crate::ec2::read::instance(self, ec2_id)?;
        let subnet = crate::ec2::read::subnet(self, instance.subnet_id)?;
        // The instance's own address is not modelled: one inside its subnet stands for it.
        let address = subnet.first_address + 10;
        let groups = crate::ec2::read::instance_security_groups(self, ec2_id).to_vec();
        Some((
            subnet.availability_zone.to_string(),
            subnet.vpc_id.to_string(),
            address,
            groups,
        ))
    }

    /// Mounts the task's EFS volumes, as at PENDING: each step kept, the first failure with
    /// the EFS mount helper's text.
    pub(crate) fn mount_volumes(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
        checked: &mut Checked,
    ) -> Option<String> {
        let region = &self.config.region;
        for volume in &definition.volumes {
            let VolumeKind::Efs {
                file_system,
                root,
                access_point,
                iam: iam_auth,
                ..
            } = &volume.kind
            else {
                continue;
            };
            let step = format!("Mount EFS volume {}", volume.name);
            let Some((zone, vpc, address, groups)) = self.task_network(task) else {
                continue;
            };
            let target = (crate::efs::read::mount_targets(self, file_system).into_iter())
                .find(|m| m.zone == zone && m.vpc == vpc);
            let dns = format!("{file_system}.efs.{region}.amazonaws.com");
            let Some(target) = target else {
                // No mount target in the task's zone: the file system's name does not resolve there.
                let reason = efs_error(&format!("Failed to resolve \"{dns}\" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID. See https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail. Attempting to lookup mount target ip address using botocore. Failed to import necessary dependency botocore, please install botocore first."), 1);
                checked.fail_step(&step, reason.clone());
                return Some(reason);
            };
            let source = crate::ec2::read::Source {
                address,
                security_groups: &groups,
            };
            if !crate::ec2::read::ingress_allows(
                self,
                &target.security_groups,
                source,
                "tcp",
                NFS_PORT,
            ) {
                let reason = efs_error("b'mount.nfs4: Connection timed out'", 32);
                checked.fail_step(&step, reason.clone());
                return Some(reason);
            }
            let (mount_root, creates) = match access_point {
                Some(id) => match crate::efs::read::access_point(self, id) {
                    Some((fs, path, creates)) if fs == *file_system => (path, creates),
                    _ => {
                        let reason = efs_error(&format!("b'mount.nfs4: access denied by server while mounting 127.0.0.1:/' (access point {id} of {file_system} not found)"), 32);
                        checked.fail_step(&step, reason.clone());
                        return Some(reason);
                    }
                },
                None => (root.clone(), false),
            };
            if !crate::efs::read::has_dir(self, file_system, &mount_root) {
                if creates {
                    checked
                        .commands
                        .push(Command::EfsMakeDir(file_system.clone(), mount_root.clone()));
                } else {
                    let reason = efs_error(&format!("b'mount.nfs4: mounting {dns}:{mount_root} failed, reason given by server: No such file or directory'"), 32);
                    checked.fail_step(&step, reason.clone());
                    return Some(reason);
                }
            }
            if *iam_auth {
                let role = definition.task_role.clone().unwrap_or_default();
                let arn = self.file_system_arn_of(file_system);
                let writes = definition.containers.iter().any(|c| {
                    c.mount_points
                        .iter()
                        .any(|(v, _, ro)| *v == volume.name && !ro)
                });
                let mut actions = vec!["elasticfilesystem:ClientMount"];
                if writes {
                    actions.push("elasticfilesystem:ClientWrite");
                }
                if actions
                    .iter()
                    .any(|a| iam::authorize(self, &role, a, &arn) != Decision::Allowed)
                {
                    let reason = efs_error(&format!("b'mount.nfs4: access denied by server while mounting 127.0.0.1:{mount_root}'"), 32);
                    checked.fail_step(&step, reason.clone());
                    return Some(reason);
                }
            }
            checked.pass_step(
                &step,
                format!("{file_system}:{mount_root} through {} in {zone}", target.id),
            );
            checked
                .efs_mounts
                .push((volume.name.clone(), file_system.clone(), mount_root));
        }
        None
    }

    fn file_system_arn_of(&self, id: &str) -> String {
        format!(
            "arn:aws:elasticfilesystem:{}:{}:file-system/{id}",
            self.config.region, self.config.account
        )
    }

    /// Where `path`, written by `container` of the task, lands: the volume mounted at the
    /// longest prefix of the path (its own mount points, then those of `volumesFrom`), else
    /// the container's writable layer.
    pub(crate) fn storage_for(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
        container: usize,
        path: &str,
    ) -> Storage {
        let spec = &definition.containers[container];
        let mut mounts: Vec<(&str, &str, bool)> = (spec.mount_points.iter())
            .map(|(v, p, ro)| (v.as_str(), p.as_str(), *ro))
            .collect();
        for (source, read_only) in &spec.volumes_from {
            if let Some(other) = definition.containers.iter().find(|c| c.name == *source) {
                mounts.extend(
                    other
                        .mount_points
                        .iter()
                        .map(|(v, p, ro)| (v.as_str(), p.as_str(), *ro || *read_only)),
                );
            }
        }
        let within = |mount: &str| {
            path == mount || path.starts_with(&format!("{}/", mount.trim_end_matches('/')))
        };
        let best = mounts
            .into_iter()
            .filter(|(_, p, _)| within(p))
            .max_by_key(|(_, p, _)| p.len());
        let Some((volume, mount, read_only)) = best else {
            return Storage::Task {
                key: format!("{}:{path}", spec.name),
            };
        };
        if read_only {
            return Storage::ReadOnly;
        }
        let t = &self.ecs.tasks[task];
        let kind = definition
            .volumes
            .iter()
            .find(|v| v.name == volume)
            .map(|v| &v.kind);
        match kind {
            Some(VolumeKind::Efs { .. }) => match t.efs_mounts.iter().find(|(v, _, _)| v == volume)
            {
                Some((_, fs, root)) => Storage::Efs {
                    file_system: fs.clone(),
                    path: under(root, mount, path),
                },
                None => Storage::ReadOnly,
            },
            Some(VolumeKind::Host {
                source_path: Some(source),
            }) if t.launch_type == LaunchType::Ec2 => Storage::Host {
                path: under(source, mount, path),
            },
            Some(VolumeKind::Docker { shared: true, .. }) if t.launch_type == LaunchType::Ec2 => {
                Storage::Host {
                    path: under(
                        &format!("/var/lib/docker/volumes/{volume}/_data"),
                        mount,
                        path,
                    ),
                }
            }
            _ => Storage::Task {
                key: format!("{volume}:{}", under("", mount, path)),
            },
        }
    }

    /// Bytes of a Fargate task's ephemeral storage in use: its images' layers and what its
    /// containers wrote to its own storage.
    pub fn ephemeral_used(&self, t: &super::Task) -> u64 {
        let mut images: Vec<&str> = t.containers.iter().map(|c| c.image.as_str()).collect();
        images.sort_unstable();
        images.dedup();
        let layers: u64 = images.iter().map(|i| self.behavior(i).image_bytes).sum();
        layers + t.files.total_bytes()
    }

    /// The reason a Fargate task's images do not fit its ephemeral storage, if they do not.
    pub(crate) fn images_too_large(
        &self,
        task: TaskIdx,
        definition: &TaskDefinition,
    ) -> Option<String> {
        let t = &self.ecs.tasks[task];
        if t.launch_type != LaunchType::Fargate {
            return None;
        }
        let limit = u64::from(definition.ephemeral_storage_gib) * GIB;
        (self.ephemeral_used(t) > limit).then(|| {
            let blob = u64::from_str_radix(&t.id[..8], 16).unwrap_or(0) % 1_000_000_000;
            format!("CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob{blob:09}: no space left on device")
        })
    }

    /// A running container writes its files (sim:SetImageBehavior `writes`), then again after
    /// the shortest `every`. A write past a Fargate task's ephemeral storage fails: the
    /// container logs it and exits with code 1.
    pub(crate) fn container_writes(&mut self, task: TaskIdx, generation: u32, container: usize) {
        let Some(t) = self.ecs.tasks.get(task) else {
            return;
        };
        if t.generation != generation || t.last_status != TaskStatus::Running {
            return;
        }
        let writes = self.behavior(&t.containers[container].image).writes;
        let Ok(definition) = self.resolve_task_definition(&t.task_definition, "$") else {
            return;
        };
        let definition = definition.clone();
        let fargate = t.launch_type == LaunchType::Fargate;
        let writer = format!("task {} ({})", &t.id[..8], t.availability_zone);
        let limit = u64::from(definition.ephemeral_storage_gib) * GIB;
        let mut again: Option<u64> = None;
        let mut failed = Vec::new();
        for w in &writes {
            if let Some(every) = w.every_ms {
                again = Some(again.map_or(every, |a| a.min(every)));
            }
            match self.storage_for(task, &definition, container, &w.path) {
                Storage::Efs { file_system, path } => self.command(Command::EfsWrite(EfsWrite {
                    file_system,
                    path,
                    bytes: w.bytes,
                    writer: writer.clone(),
                })),
                Storage::Host { path } => {
                    if let Some(i) = self.ecs.tasks[task].container_instance {
                        let now = self.now;
                        self.ecs.container_instances[i]
                            .host_files
                            .append(&path, w.bytes, &writer, now);
                    }
                }
                Storage::Task { key } => {
                    if fargate && self.ephemeral_used(&self.ecs.tasks[task]) + w.bytes > limit {
                        failed.push(format!("write {}: no space left on device", w.path));
                        continue;
                    }
                    let now = self.now;
                    self.ecs.tasks[task]
                        .files
                        .append(&key, w.bytes, &writer, now);
                }
                Storage::ReadOnly => {
                    failed.push(format!("write {}: read-only file system", w.path))
                }
            }
        }
        if failed.is_empty() {
            if let Some(every) = again {
                self.schedule(
                    every,
                    super::Timer::ContainerWrites {
                        task,
                        generation,
                        container,
                    },
                );
            }
            return;
        }
        if let Some(write) = self.container_log(task, &definition, container, failed) {
            self.command(Command::WriteLogs(write));
        }
        self.exit_container(task, container, 1);
    }
}

/// Files of a tree under a prefix, for the inspector.
pub fn listed(files: &Files, prefix: &str) -> Vec<(String, u64, String)> {
    (files.0.iter())
        .filter(|(p, _)| p.starts_with(prefix))
        .map(|(p, f)| (p.clone(), f.bytes, f.writer.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_a_mount() {
        assert_eq!(under("/data", "/mnt", "/mnt/x/y.log"), "/data/x/y.log");
        assert_eq!(under("/", "/mnt/", "/mnt/y.log"), "/y.log");
        assert_eq!(under("", "/var/log", "/var/log/app.log"), "/app.log");
    }
}
