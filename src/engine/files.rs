//! A small tree of files by absolute path, with sizes, for the data tasks write (EFS file
//! systems, an instance's bind mounts, a task's own storage). Bounded by [`FILES_MAX`].

use std::collections::BTreeMap;

use crate::engine::time::SimTime;

/// Files one tree holds at the most: writes to new paths past it are dropped.
pub const FILES_MAX: usize = 200;

/// A file as the model keeps it: its size and who wrote it last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileData {
    pub bytes: u64,
    pub writes: u64,
    pub modified_at: SimTime,
    /// The task (and zone) that wrote it last.
    pub writer: String,
}

/// A small tree of files by absolute path, bounded by [`FILES_MAX`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files(pub BTreeMap<String, FileData>);

impl Files {
    /// Appends `bytes` to the file at `path` (made if new, while there is room).
    pub fn append(&mut self, path: &str, bytes: u64, writer: &str, now: SimTime) {
        if !self.0.contains_key(path) && self.0.len() >= FILES_MAX {
            return;
        }
        let file = self.0.entry(path.to_string()).or_insert(FileData {
            bytes: 0,
            writes: 0,
            modified_at: now,
            writer: String::new(),
        });
        file.bytes = file.bytes.saturating_add(bytes);
        file.writes += 1;
        file.modified_at = now;
        file.writer = writer.to_string();
    }

    pub fn total_bytes(&self) -> u64 {
        self.0.values().map(|f| f.bytes).sum()
    }

    /// Whether `dir` exists: `/`, or a directory some file is under.
    pub fn has_dir(&self, dir: &str) -> bool {
        let dir = dir.trim_end_matches('/');
        dir.is_empty() || self.0.keys().any(|p| p.starts_with(&format!("{dir}/")))
    }
}
