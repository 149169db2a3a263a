//! `state.json`: a cache of what the tool started, shared by stateless subcommands.
//! Writers hold an exclusive advisory lock on `state.lock`, readers a shared one. Every write
//! goes to a temp file in the same directory, is fsync'd, then renamed over the old file, so a
//! reader or a crash never sees half a document. Docker's labels remain the truth; `ps` repairs
//! this file from them.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ports::PortBinding;

pub const SCHEMA_VERSION: u32 = 1;

/// The lock wait of every StateFile this process opens, in ms: the `lock_timeout_s` setting,
/// which `Settings::load` sets. A state file is opened in many places that have no settings at
/// hand, so the setting is handed over once here instead of to each of them.
static LOCK_TIMEOUT_MS: AtomicU64 = AtomicU64::new(10_000);

/// Set the lock wait of the StateFiles opened from now on (see `LOCK_TIMEOUT_MS`).
pub fn set_lock_timeout(timeout: Duration) {
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    LOCK_TIMEOUT_MS.store(ms, Ordering::Relaxed);
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema_version: u32,
    #[serde(default)]
    pub projects: BTreeMap<String, ProjectState>,
    /// The running `dspy-agent serve`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serve: Option<ServeState>,
    /// Fields written by a newer version are kept, not dropped.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Default for State {
    fn default() -> Self {
        State {
            schema_version: SCHEMA_VERSION,
            projects: BTreeMap::new(),
            serve: None,
            extra: serde_json::Map::new(),
        }
    }
}

/// Where the running scheduler is: the addresses it actually bound (port 0 picks free ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServeState {
    pub pid: u32,
    pub orchestrator_addr: String,
    pub env_manager_addr: String,
    pub http_addr: String,
    /// The log file of a detached server; absent in the foreground.
    #[serde(default)]
    pub log_file: Option<PathBuf>,
    pub started_at: String,
    pub version: String,
    /// Whether the listeners speak TLS (clients then use https and the home's CA).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tls: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    #[serde(default)]
    pub services: BTreeMap<String, ServiceState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceState {
    pub container_id: String,
    pub image: String,
    pub config_hash: String,
    #[serde(default)]
    pub ports: Vec<PortBinding>,
    /// Host ports that were busy and moved aside at `up` time.
    #[serde(default)]
    pub remapped: Vec<PortRemap>,
    pub health: String,
    pub started_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRemap {
    pub container_port: u16,
    pub requested: u16,
    pub actual: u16,
}

/// The state file of one home directory.
#[derive(Debug, Clone)]
pub struct StateFile {
    dir: PathBuf,
    lock_timeout: Duration,
}

impl StateFile {
    pub fn new(home: &Path) -> Self {
        StateFile {
            dir: home.to_path_buf(),
            lock_timeout: Duration::from_millis(LOCK_TIMEOUT_MS.load(Ordering::Relaxed)),
        }
    }

    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("state.lock")
    }

    /// Read under a shared lock. A missing file is an empty state.
    pub fn read(&self) -> Result<State> {
        if !self.path().exists() {
            return Ok(State::default());
        }
        let _lock = match self.lock(false) {
            Ok(lock) => Some(lock),
            // A read-only home without a lock file: nothing can be writing the state there.
            Err(_) if !self.lock_path().exists() => None,
            Err(e) => return Err(e),
        };
        self.read_unlocked()
    }

    /// Read, change and write back under the exclusive lock. `change` sees the latest state.
    pub fn update<T>(&self, change: impl FnOnce(&mut State) -> T) -> Result<T> {
        ensure_home(&self.dir)?;
        let _lock = self.lock(true)?;
        let mut state = self.read_unlocked()?;
        let before = state.clone();
        let out = change(&mut state);
        if state != before {
            self.write_unlocked(&state)?;
        }
        Ok(out)
    }

    /// Hold the exclusive lock while doing something that is not a state change but must not
    /// race with other processes (creating the project network). Dropping the file unlocks.
    pub fn exclusive(&self) -> Result<File> {
        self.lock(true)
    }

    fn read_unlocked(&self) -> Result<State> {
        let path = self.path();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => {
                return Err(Error::runtime(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        match serde_json::from_str::<State>(&text) {
            Ok(state) if state.schema_version > SCHEMA_VERSION => Err(Error::runtime(format!(
                "{} has schema_version {}, newer than this dspy-agent understands ({SCHEMA_VERSION}): upgrade dspy-agent",
                path.display(),
                state.schema_version
            ))),
            Ok(state) => Ok(state),
            // Only a hand edit can do this (writes are atomic). The file is a cache that
            // Docker's labels rebuild, so keep the bad copy for the user and start afresh.
            Err(e) => {
                let aside = path.with_extension(format!("json.corrupt-{}", std::process::id()));
                let _ = std::fs::rename(&path, &aside);
                tracing::warn!(
                    "{} was not valid JSON ({e}); moved it to {} and started a new one",
                    path.display(),
                    aside.display()
                );
                Ok(State::default())
            }
        }
    }

    fn write_unlocked(&self, state: &State) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(state)?;
        bytes.push(b'\n');
        write_atomic(&self.path(), &bytes)
    }

    /// Take the lock, retrying until the timeout; the error names the pid that holds it.
    fn lock(&self, exclusive: bool) -> Result<File> {
        ensure_home(&self.dir)?;
        let path = self.lock_path();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            // A shared lock needs no write access (a read-only home still reads its state).
            .or_else(|e| match exclusive {
                false => File::open(&path),
                true => Err(e),
            })
            .map_err(|e| Error::runtime(format!("cannot open {}: {e}", path.display())))?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            let attempt = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match attempt {
                Ok(()) => return Ok(file),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(Error::runtime(format!(
                        "cannot lock {}: {e}",
                        path.display()
                    )));
                }
            }
            if start.elapsed() >= self.lock_timeout {
                let holder = lock_holder(&file)
                    .map(|pid| format!("process {pid}"))
                    .unwrap_or_else(|| "another process".into());
                return Err(Error::runtime(format!(
                    "timed out after {:.1}s waiting for the lock on {}: held by {holder}",
                    self.lock_timeout.as_secs_f64(),
                    path.display()
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

/// Create the home directory, private to the user.
pub fn ensure_home(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Error::runtime(format!("cannot create {}: {e}", dir.display())))
}

/// Create (or truncate) a file only its owner may read or write (mode 0600): the home's files
/// carry task payloads, tokens and keys. An existing file is narrowed to 0600 too.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(true).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    narrow_to_owner(&file)?;
    Ok(file)
}

/// Open (creating if needed, never truncating) a file with mode 0600: lock files.
pub fn create_private_keep(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true).read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Set an open file's mode to 0600 (a file made before this rule, or under a loose umask).
pub fn narrow_to_owner(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Write `bytes` to `path` so that readers see the old or the new file, never a mix:
/// temp file in the same directory, fsync, rename, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = create_private(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::runtime(format!("cannot write {}: {e}", path.display()))
    })
}

/// The pid (other than this process) holding a flock on this file, from /proc/locks.
fn lock_holder(file: &File) -> Option<u32> {
    crate::os::procfs::flock_holders(file)?
        .into_iter()
        .find(|pid| *pid != std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_round_trips_and_keeps_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("state.json"),
            r#"{"schema_version":1,"projects":{},"future_field":{"x":1}}"#,
        )
        .unwrap();
        let sf = StateFile::new(dir.path());
        sf.update(|s| {
            s.projects.entry("p".into()).or_default();
        })
        .unwrap();
        let text = std::fs::read_to_string(sf.path()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["future_field"]["x"], 1);
        assert!(v["projects"]["p"].is_object());
        assert_eq!(sf.read().unwrap().projects.len(), 1);
    }

    #[test]
    fn corrupt_file_is_moved_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.json"), "{ half").unwrap();
        let sf = StateFile::new(dir.path());
        sf.update(|s| s.projects.insert("p".into(), ProjectState::default()))
            .unwrap();
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read_to_string(aside[0].path()).unwrap(), "{ half");
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.json"), r#"{"schema_version":99}"#).unwrap();
        let err = StateFile::new(dir.path()).read().unwrap_err();
        assert!(err.message.contains("upgrade"), "{}", err.message);
    }

    #[test]
    fn lock_timeout_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let sf = StateFile::new(dir.path()).with_lock_timeout(Duration::from_millis(100));
        // A child process holds the lock: flock conflicts are per open file, so this is real.
        let mut child = std::process::Command::new("flock")
            .arg(dir.path().join("state.lock"))
            .args(["sleep", "5"])
            .spawn()
            .expect("flock(1) from util-linux");
        let deadline = Instant::now() + Duration::from_secs(5);
        let err = loop {
            match sf.update(|_| ()) {
                Err(e) => break e,
                Ok(()) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Ok(()) => panic!("the lock was never contended"),
            }
        };
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(err.message.contains("held by process"), "{}", err.message);
    }

    #[test]
    fn threads_updating_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let sf = StateFile::new(dir.path());
                std::thread::spawn(move || {
                    sf.update(|s| {
                        s.projects.insert(format!("p{i}"), ProjectState::default());
                    })
                    .unwrap()
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(
            StateFile::new(dir.path()).read().unwrap().projects.len(),
            16
        );
    }
}
