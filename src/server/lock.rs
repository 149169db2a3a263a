//! `serve.lock`: one server per home. The server holds an exclusive flock on it for its whole
//! life, so holding it is the proof that a pid is this home's server. A pid in state.json alone
//! proves nothing: after a crash the pid may be reused by an unrelated process, which must
//! never be signalled.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::os::{self, Sig};
use crate::state::{ServeState, StateFile};

pub fn lock_path(home: &Path) -> PathBuf {
    home.join("serve.lock")
}

/// Take the home's serve lock, or say which server holds it.
pub fn acquire_lock(home: &Path) -> Result<File> {
    crate::state::ensure_home(home)?;
    let path = lock_path(home);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::runtime(format!("cannot open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => {
            let who = StateFile::new(home)
                .read()
                .ok()
                .and_then(|s| s.serve)
                .map(|s| {
                    format!(
                        "pid {}, orchestrator at {}, http at {}",
                        s.pid, s.orchestrator_addr, s.http_addr
                    )
                })
                .unwrap_or_else(|| "another process".into());
            Err(Error::runtime(format!(
                "dspy-agent serve is already running for {} ({who}); stop it with `dspy-agent serve stop`",
                home.display()
            )))
        }
        Err(TryLockError::Error(e)) => Err(Error::runtime(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// Whether `pid` holds this home's serve lock, i.e. is its running server.
pub fn holds_serve_lock(home: &Path, pid: u32) -> bool {
    // No lock file: no server ever ran here.
    let Ok(file) = File::open(lock_path(home)) else {
        return false;
    };
    match os::procfs::flock_holders(&file) {
        Some(holders) => holders.contains(&pid),
        // Without /proc/locks: someone holds it if a shared lock cannot be had (ours is
        // dropped at once), and the pid is alive.
        None => {
            matches!(file.try_lock_shared(), Err(TryLockError::WouldBlock)) && os::pid_alive(pid)
        }
    }
}

/// The running server of this home: the one state.json names, if it holds the serve lock.
pub fn running(home: &Path) -> Option<ServeState> {
    let state = StateFile::new(home).read().ok()?.serve?;
    holds_serve_lock(home, state.pid).then_some(state)
}

/// Signal the home's server, checking first that `pid` holds its serve lock. Returns whether
/// the signal was sent.
pub fn signal_server(home: &Path, pid: u32, sig: Sig) -> bool {
    holds_serve_lock(home, pid) && os::signal(pid, sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_lock_holder_is_the_server() {
        let home = tempfile::tempdir().unwrap();
        let me = std::process::id();
        assert!(!holds_serve_lock(home.path(), me), "no lock file yet");
        let lock = acquire_lock(home.path()).unwrap();
        assert!(holds_serve_lock(home.path(), me));
        // A live process that is not the holder (pid 1 always exists).
        assert!(!holds_serve_lock(home.path(), 1));
        assert!(!signal_server(home.path(), 1, Sig::Term));
        drop(lock);
        assert!(!holds_serve_lock(home.path(), me));
    }
}
