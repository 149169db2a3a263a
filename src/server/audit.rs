//! The audit log, `$HOME/logs/audit.ndjson` (0600): one JSON line per mutating call, over gRPC
//! or HTTP, written by the auth gate (`server/auth/gate.rs`), which sees every call's method,
//! caller and outcome. Rotated by size: `audit.ndjson.1` is the newest old file, up to
//! `audit.keep` of them.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const FILE: &str = "audit.ndjson";

pub fn path(home: &Path) -> PathBuf {
    home.join("logs").join(FILE)
}

/// One line of the log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// RFC 3339, milliseconds, UTC.
    pub time: String,
    /// The client's address, or "" when the listener does not know it.
    pub peer: String,
    /// The token's name ("" when no valid token came).
    pub token: String,
    /// `OrchestratorService/SubmitTask` or `POST /queue/submit`.
    pub method: String,
    /// Task ids, service names, token names: what the call acted on.
    #[serde(default)]
    pub ids: Vec<String>,
    /// `ok`, or the gRPC code / HTTP status it ended with (`unauthenticated`, `403`).
    pub outcome: String,
}

struct Open {
    file: File,
    size: u64,
}

/// The log's writer. Lines are written whole under one lock; a failed write is counted as a
/// warning and never stops the call it describes.
pub struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
    keep: u32,
    open: Mutex<Option<Open>>,
}

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    crate::state::narrow_to_owner(&file)?;
    Ok(file)
}

impl AuditLog {
    pub fn new(home: &Path, max_bytes: u64, keep: u32) -> AuditLog {
        AuditLog {
            path: path(home),
            max_bytes: max_bytes.max(1024),
            keep,
            open: Mutex::new(None),
        }
    }

    /// Append one entry (the time is set here).
    pub fn record(&self, mut entry: Entry) {
        entry.time = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        let Ok(mut line) = serde_json::to_vec(&entry) else {
            return;
        };
        line.push(b'\n');
        let mut guard = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = self.write(&mut guard, &line) {
            *guard = None;
            tracing::warn!("audit log {}: {e}", self.path.display());
        }
    }

    fn write(&self, open: &mut Option<Open>, line: &[u8]) -> std::io::Result<()> {
        if open.is_none() {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let file = open_append(&self.path)?;
            let size = file.metadata()?.len();
            *open = Some(Open { file, size });
        }
        let o = open.as_mut().expect("opened above");
        if o.size > 0 && o.size + line.len() as u64 > self.max_bytes {
            self.rotate()?;
            let file = open_append(&self.path)?;
            *o = Open { file, size: 0 };
        }
        o.file.write_all(line)?;
        o.size += line.len() as u64;
        Ok(())
    }

    /// audit.ndjson → .1 → .2 … ; the file past `keep` is dropped.
    fn rotate(&self) -> std::io::Result<()> {
        let numbered = |n: u32| PathBuf::from(format!("{}.{n}", self.path.display()));
        if self.keep == 0 {
            return std::fs::remove_file(&self.path);
        }
        let _ = std::fs::remove_file(numbered(self.keep));
        for n in (1..self.keep).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        std::fs::rename(&self.path, numbered(1))
    }
}

/// Every entry in the home's log and its rotated files, oldest first. Lines that do not parse
/// (a torn last line after a crash) are skipped.
pub fn read(home: &Path) -> Result<Vec<Entry>> {
    let current = path(home);
    let mut files = vec![];
    for n in (1..=1000u32).rev() {
        let p = PathBuf::from(format!("{}.{n}", current.display()));
        if p.exists() {
            files.push(p);
        }
    }
    files.push(current);
    let mut out = vec![];
    for f in files {
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::runtime(format!("cannot read {}: {e}", f.display()))),
        };
        out.extend(
            text.lines()
                .filter_map(|l| serde_json::from_str::<Entry>(l).ok()),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> Entry {
        Entry {
            time: String::new(),
            peer: "127.0.0.1:1".into(),
            token: "default".into(),
            method: "OrchestratorService/SubmitTask".into(),
            ids: vec![format!("t{n}")],
            outcome: "ok".into(),
        }
    }

    #[test]
    fn the_log_rotates_by_size_and_keeps_n_files() {
        let home = tempfile::tempdir().unwrap();
        let log = AuditLog::new(home.path(), 1024, 2);
        for n in 0..100 {
            log.record(entry(n));
        }
        let dir = home.path().join("logs");
        assert!(dir.join("audit.ndjson.1").exists());
        assert!(dir.join("audit.ndjson.2").exists());
        assert!(!dir.join("audit.ndjson.3").exists(), "keeps 2 old files");
        let all = read(home.path()).unwrap();
        assert!(all.len() < 100 && all.len() > 10);
        // Oldest first, and the newest is the last written.
        assert_eq!(all.last().unwrap().ids, vec!["t99".to_string()]);
        let ids: Vec<usize> = all.iter().map(|e| e.ids[0][1..].parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] + 1 == w[1]), "{ids:?}");
        for f in ["audit.ndjson", "audit.ndjson.1"] {
            let mode = std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(dir.join(f)).unwrap().permissions(),
            );
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
    }
}
