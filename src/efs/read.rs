//! What other services and the playground may read of EFS.

use super::{FileData, FileSystem};
use crate::world::World;

/// A mount target as another service sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountTargetView {
    pub id: String,
    pub subnet: String,
    pub zone: String,
    pub vpc: String,
    pub address: u32,
    pub security_groups: Vec<String>,
}

fn file_system<'a>(world: &'a World, id: &str) -> Option<&'a FileSystem> {
    world.efs.file_systems.iter().find(|f| f.id == id)
}

pub fn file_system_exists(world: &World, id: &str) -> bool {
    file_system(world, id).is_some()
}

/// The file system's mount targets.
pub fn mount_targets(world: &World, id: &str) -> Vec<MountTargetView> {
    (world.efs.mount_targets.iter())
        .filter(|m| m.file_system == id)
        .map(|m| MountTargetView {
            id: m.id.clone(),
            subnet: m.subnet.clone(),
            zone: m.zone.clone(),
            vpc: m.vpc.clone(),
            address: m.address,
            security_groups: m.security_groups.clone(),
        })
        .collect()
}

/// An access point's file system, root directory, and whether it makes the root on first
/// use (it has CreationInfo).
pub fn access_point(world: &World, id: &str) -> Option<(String, String, bool)> {
    let a = world.efs.access_points.iter().find(|a| a.id == id)?;
    Some((
        a.file_system.clone(),
        a.root.clone(),
        a.creation_info.is_some(),
    ))
}

/// Whether `dir` exists on the file system: `/`, a directory made, or one a file is under.
pub fn has_dir(world: &World, id: &str, dir: &str) -> bool {
    file_system(world, id).is_some_and(|f| {
        let dir = dir.trim_end_matches('/');
        f.files.has_dir(dir)
            || f.dirs
                .iter()
                .any(|d| d.trim_end_matches('/') == dir || d.starts_with(&format!("{dir}/")))
    })
}

/// The files under `dir` of a file system, by path.
pub fn files(world: &World, id: &str, dir: &str) -> Vec<(String, FileData)> {
    let dir = dir.trim_end_matches('/');
    file_system(world, id).map_or_else(Vec::new, |f| {
        (f.files.0.iter())
            .filter(|(p, _)| dir.is_empty() || p.starts_with(&format!("{dir}/")))
            .map(|(p, d)| (p.clone(), d.clone()))
            .collect()
    })
}

/// Every file system: its id, name and mount targets' zones, for the playground.
pub fn file_systems(world: &World) -> Vec<(String, Option<String>, Vec<String>)> {
    (world.efs.file_systems.iter())
        .map(|f| {
            let zones = mount_targets(world, &f.id)
                .into_iter()
                .map(|m| m.zone)
                .collect();
            (f.id.clone(), f.name.clone(), zones)
        })
        .collect()
}
