//! Task processes must die with the server even on SIGKILL, and their own children with them,
//! which PDEATHSIG does not reach. A small child of the server (this same binary, started with
//! `ARG`) learns each task's process group on its stdin; when the server is gone, for any
//! reason, the pipe reads EOF and it SIGKILLs every group still listed. After a crash the next
//! server also kills what is left of a task's group before running it again
//! (`kill_leftovers`). Where task processes run in cgroups (see `cgroup`), the server also tells
//! the reaper its parent cgroup (a line `c<path>`), and the reaper kills that whole tree.

use std::io::{BufRead, Write};
use std::process::{ChildStdin, ExitCode};
use std::sync::{Mutex, OnceLock};

use super::process::{Sig, kill_group, signal};
use super::procfs::pids_with_env;

/// The hidden first argument that makes the binary the server's task reaper.
pub const ARG: &str = "__task-reaper";

/// Environment variable naming the server that started a task process. Children inherit it,
/// so the reaper finds them even when they left the task's process group.
pub const SERVER_MARKER: &str = "DSPY_AGENT_SERVE_PID";

/// The server's end of the reaper's stdin, once started (None: no reaper, e.g. under a test
/// harness, or it could not start).
fn reaper() -> Option<&'static Mutex<ChildStdin>> {
    static REAPER: OnceLock<Option<Mutex<ChildStdin>>> = OnceLock::new();
    REAPER.get_or_init(spawn).as_ref()
}

fn spawn() -> Option<Mutex<ChildStdin>> {
    // Only this binary knows ARG (a test harness's executable would not).
    let exe = std::env::current_exe()
        .ok()
        .filter(|p| p.file_name().is_some_and(|n| n == env!("CARGO_PKG_NAME")))?;
    let started = std::process::Command::new(exe)
        .arg(ARG)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn();
    match started {
        Ok(mut child) => {
            let stdin = child.stdin.take()?;
            // It exits on its own once the server is gone; nothing waits for it.
            std::mem::forget(child);
            Some(Mutex::new(stdin))
        }
        Err(e) => {
            tracing::error!(
                "cannot start the task reaper ({e}): task processes may outlive a crash until the next start"
            );
            None
        }
    }
}

/// Start the reaper if it is not running yet, and tell it the server's parent cgroup (if any).
/// Called before each task starts, so that it never misses one.
pub fn start() {
    static TOLD: OnceLock<()> = OnceLock::new();
    if reaper().is_some() {
        TOLD.get_or_init(|| {
            if let Some((_, dir)) = super::cgroup::parent() {
                note_line(&format!("c{}", dir.display()));
            }
        });
    }
}

/// Tell the reaper a task's process group started.
pub fn note_started(pgid: u32) {
    note('+', pgid);
}

/// Tell the reaper a task's process group ended (it was waited for, or killed).
pub fn note_ended(pgid: u32) {
    note('-', pgid);
}

fn note(sign: char, pgid: u32) {
    note_line(&format!("{sign}{pgid}"));
}

fn note_line(line: &str) {
    if let Some(r) = reaper() {
        let mut w = r.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = writeln!(w, "{line}") {
            tracing::warn!("the task reaper is gone ({e})");
        }
    }
}

/// The reaper's side (called from `crate::run` before any parsing).
pub fn main() -> ExitCode {
    // Read now, while the server is still the parent.
    let server = rustix::process::getppid().map_or(0, |p| p.as_raw_pid());
    let _signals = ignore_stop_signals();
    let mut groups = std::collections::HashSet::new();
    let mut cgroups = vec![];
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Some(dir) = line.strip_prefix('c') {
            cgroups.push(std::path::PathBuf::from(dir));
            continue;
        }
        let (sign, pgid) = line.split_at(line.len().min(1));
        let Ok(pgid) = pgid.parse::<u32>() else {
            continue;
        };
        match sign {
            "+" if pgid > 1 => {
                groups.insert(pgid);
            }
            "-" => {
                groups.remove(&pgid);
            }
            _ => {}
        }
    }
    // Every task cgroup of the server: this reaches processes that left both the group and
    // the marker behind (`env -i setsid ...`).
    for dir in cgroups {
        super::cgroup::kill_parent(&dir);
    }
    for pgid in groups {
        kill_group(pgid);
    }
    // A task spawned in the instant before its group reached this pipe carries the server's
    // marker in its environment (as do its children): find those too.
    if server > 0 {
        let marker = format!("{SERVER_MARKER}={server}");
        for pid in pids_with_env(&marker, None) {
            let _ = signal(pid, Sig::Kill);
        }
    }
    ExitCode::SUCCESS
}

/// Ctrl-C in the server's terminal reaches its whole process group, the reaper included; the
/// reaper must outlive the server's graceful drain, so SIGINT, SIGTERM and SIGHUP get handlers
/// that do nothing. tokio's handlers stay installed for the life of the process and replace the
/// default action (terminate); the runtime returned must be kept alive with them.
fn ignore_stop_signals() -> Option<tokio::runtime::Runtime> {
    use tokio::signal::unix::{SignalKind, signal};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .ok()?;
    rt.block_on(async {
        for kind in [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ] {
            if let Err(e) = signal(kind) {
                tracing::warn!("task reaper: cannot handle signal {kind:?}: {e}");
            }
        }
    });
    Some(rt)
}

/// After a crash: kill the processes still in a task's cgroups (under a dead server's parent)
/// and in its process group, recognised by their DSPY_TASK_ID, so that a task is never run
/// twice in parallel. Returns how many were killed.
pub fn kill_leftovers(pgid: u32, task_id: &str) -> usize {
    let marker = format!("DSPY_TASK_ID={task_id}");
    super::cgroup::kill_leftovers(task_id)
        + pids_with_env(&marker, Some(pgid))
            .into_iter()
            .filter(|pid| signal(*pid, Sig::Kill).is_ok())
            .count()
}
