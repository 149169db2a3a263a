//! Signals and liveness for a pid or a process group.
//!
//! Pids are `u32` here, as `std::process` gives them; 0 and anything above `i32::MAX` name no
//! process, and signalling them is refused rather than handed to kill(2), where 0 and negative
//! numbers mean whole process groups.

use std::io;

use rustix::io::Errno;
use rustix::process::{Pid, Signal, kill_process, kill_process_group, test_kill_process};

use super::procfs;

/// The signals this tool sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// Ask to stop (a server drains first).
    Term,
    /// Stop now.
    Kill,
}

impl Sig {
    fn raw(self) -> Signal {
        match self {
            Sig::Term => Signal::TERM,
            Sig::Kill => Signal::KILL,
        }
    }
}

/// A pid kill(2) can take as one process: 1 to i32::MAX.
fn to_pid(pid: u32) -> Option<Pid> {
    i32::try_from(pid).ok().and_then(Pid::from_raw)
}

fn refused() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a process id")
}

/// Whether `pid` is a running process. It may belong to another user (EPERM still means it
/// exists); a zombie (exited, not yet reaped) does not count.
pub fn pid_alive(pid: u32) -> bool {
    let Some(p) = to_pid(pid) else {
        return false;
    };
    if procfs::is_zombie(pid) {
        return false;
    }
    match test_kill_process(p) {
        Ok(()) => true,
        Err(e) => e == Errno::PERM,
    }
}

/// Send `sig` to one process.
pub fn signal(pid: u32, sig: Sig) -> io::Result<()> {
    let p = to_pid(pid).ok_or_else(refused)?;
    kill_process(p, sig.raw()).map_err(io::Error::from)
}

/// Send `sig` to every process in group `pgid`. Group 1 (init's) is refused.
pub fn signal_group(pgid: u32, sig: Sig) -> io::Result<()> {
    let p = to_pid(pgid).filter(|_| pgid > 1).ok_or_else(refused)?;
    kill_process_group(p, sig.raw()).map_err(io::Error::from)
}

/// SIGKILL a task's process group; a group that is already gone is fine.
pub fn kill_group(pgid: u32) {
    let _ = signal_group(pgid, Sig::Kill);
}

/// Where exec would find `program`: itself when it holds a `/`, else the first executable
/// file of that name in `PATH`. The error is the one a spawn gives (not found, not allowed),
/// for a caller that execs it through a wrapper, where a missing program would otherwise be
/// the wrapper's exit code 127.
pub fn find_program(program: &str) -> io::Result<std::path::PathBuf> {
    use rustix::fs::{Access, access};
    use std::path::{Path, PathBuf};
    let runnable = |p: &Path| p.is_file() && access(p, Access::EXEC_OK).is_ok();
    if program.is_empty() {
        return Err(Errno::NOENT.into());
    }
    if program.contains('/') {
        let p = Path::new(program);
        return if runnable(p) {
            Ok(p.to_path_buf())
        } else if p.is_file() {
            Err(Errno::ACCESS.into())
        } else {
            Err(Errno::NOENT.into())
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| {
            // An empty entry is the current directory, as for execvp.
            let dir = if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            };
            dir.join(program)
        })
        .find(|p| runnable(p))
        .ok_or_else(|| Errno::NOENT.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn liveness_follows_a_child_and_bad_pids_are_refused() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        assert!(pid_alive(pid));
        signal(pid, Sig::Kill).unwrap();
        // Until reaped it is a zombie, which is not alive either.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pid_alive(pid) {
            assert!(Instant::now() < deadline, "{pid} outlived SIGKILL");
            std::thread::sleep(Duration::from_millis(10));
        }
        child.wait().unwrap();
        for bad in [0, u32::MAX] {
            assert!(!pid_alive(bad));
            assert!(signal(bad, Sig::Term).is_err());
        }
        assert!(signal_group(1, Sig::Term).is_err());
    }

    #[test]
    fn a_group_kill_reaches_the_children_of_a_shell() {
        use std::os::unix::process::CommandExt;
        let mut child = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30; wait"])
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = child.id();
        // Wait until the shell has started both sleeps.
        let deadline = Instant::now() + Duration::from_secs(5);
        while procfs::pids_in_group(pgid).len() < 3 {
            assert!(
                Instant::now() < deadline,
                "the shell did not start its children"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        kill_group(pgid);
        child.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while procfs::pids_in_group(pgid).iter().any(|p| pid_alive(*p)) {
            assert!(Instant::now() < deadline, "a child outlived the group kill");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn find_program_searches_path_and_gives_spawns_errors() {
        assert!(find_program("sh").unwrap().is_absolute());
        assert_eq!(
            find_program("/bin/sh").unwrap(),
            std::path::Path::new("/bin/sh")
        );
        let missing = find_program("no-such-program-here").unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            find_program("").unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
        // A file that is not executable: permission denied, as exec says.
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "x").unwrap();
        let err = find_program(plain.to_str().unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    }
}
