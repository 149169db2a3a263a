//! Each local task process runs in its own cgroup, so that a kill reaches every process it
//! started, even one that left the process group (`setsid`) and dropped the server's
//! environment marker (`env -i`). Docker and systemd do the same.
//!
//! The hierarchy is the first of these that this process can write: cgroup v2 with
//! `cgroup.kill` (a plain v2 tree at /sys/fs/cgroup, or the hybrid layout's
//! /sys/fs/cgroup/unified), then v1 `freezer` (freeze, SIGKILL every pid, thaw), then v1 `pids`
//! (`pids.max` 0 so nothing forks, then SIGKILL until empty). None writable: no cgroup, and the
//! executor falls back to the process group and the environment marker alone.
//!
//! Layout: `<base>/dspy-agent-<serve pid>/task-<hash of the task id>-<n>`, where `<base>` is the
//! server's own cgroup in that hierarchy. The reaper kills the whole per-server parent when the
//! server is gone; crash recovery finds a task's cgroups under a dead server's parent by the
//! hash of its id.
//!
//! `DSPY_AGENT_TASK_CGROUP` (`auto`, `v2`, `freezer`, `pids` or `none`) restricts the choice;
//! the tests use it to exercise each kind on one machine.

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::process::{Sig, pid_alive, signal};

/// Environment variable that restricts the cgroup kind (see the module's doc).
pub const ENV: &str = "DSPY_AGENT_TASK_CGROUP";

const MOUNT: &str = "/sys/fs/cgroup";
/// The first argument that makes this binary the cgroup-joining helper (`joining_argv`).
pub const JOIN_ARG: &str = "__task-join-cgroup";
/// Run by `/bin/sh -c` with the cgroup's `cgroup.procs` as `$0` and the task's argv after it.
/// "0" is the writing process itself, in v1 and v2 alike.
const JOIN_SCRIPT: &str = "echo 0 >\"$0\" || { echo \"dspy-agent: cannot join the task's cgroup ($0)\" >&2; exit 126; }; exec \"$@\"";

/// Whether every name in this server's environment is a shell name, so that `/bin/sh` passes
/// the environment on as it is (dash drops the others). Decided once: the server's
/// environment does not change while it runs.
fn shell_keeps_environment() -> bool {
    static KEEPS: OnceLock<bool> = OnceLock::new();
    *KEEPS.get_or_init(|| {
        std::env::vars_os().all(|(name, _)| {
            let n = name.as_bytes();
            n.first()
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
                && n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        })
    })
}
const PARENT_PREFIX: &str = "dspy-agent-";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    V2,
    Freezer,
    Pids,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::V2 => "v2",
            Kind::Freezer => "freezer",
            Kind::Pids => "pids",
        }
    }

    /// What kind of cgroup `dir` is, from the files the kernel put in it.
    fn of(dir: &Path) -> Option<Kind> {
        if dir.join("cgroup.kill").exists() {
            Some(Kind::V2)
        } else if dir.join("freezer.state").exists() {
            Some(Kind::Freezer)
        } else if dir.join("pids.max").exists() {
            Some(Kind::Pids)
        } else {
            None
        }
    }
}

/// Where the server's own cgroup is, per kind (whether or not writable).
fn bases() -> Vec<(Kind, PathBuf)> {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let own_path = |pred: &dyn Fn(&str, &str) -> bool| {
        own.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (id, ctl, path) = (parts.next()?, parts.next()?, parts.next()?);
            pred(id, ctl).then(|| path.trim_start_matches('/').to_string())
        })
    };
    let mut out = vec![];
    if let Some(p) = own_path(&|id, ctl| id == "0" && ctl.is_empty()) {
        for root in [MOUNT.to_string(), format!("{MOUNT}/unified")] {
            let root = PathBuf::from(root);
            if root.join("cgroup.controllers").exists() {
                out.push((Kind::V2, root.join(&p)));
                break;
            }
        }
    }
    for kind in [Kind::Freezer, Kind::Pids] {
        if let Some(p) = own_path(&|_, ctl| ctl.split(',').any(|c| c == kind.name())) {
            out.push((kind, Path::new(MOUNT).join(kind.name()).join(p)));
        }
    }
    out
}

/// The per-server parent cgroup, created on first use (None: no hierarchy is writable).
pub fn parent() -> Option<&'static (Kind, PathBuf)> {
    static PARENT: OnceLock<Option<(Kind, PathBuf)>> = OnceLock::new();
    PARENT.get_or_init(make_parent).as_ref()
}

fn make_parent() -> Option<(Kind, PathBuf)> {
    let wanted = std::env::var(ENV).unwrap_or_default();
    if wanted == "none" {
        return None;
    }
    let name = format!("{PARENT_PREFIX}{}", std::process::id());
    for (kind, base) in bases() {
        if !(wanted.is_empty() || wanted == "auto" || wanted == kind.name()) {
            continue;
        }
        let dir = base.join(&name);
        if std::fs::create_dir(&dir).is_err() && !dir.is_dir() {
            continue;
        }
        if Kind::of(&dir) == Some(kind) {
            tracing::debug!("task processes run in cgroups under {}", dir.display());
            return Some((kind, dir));
        }
        // A v2 kernel without cgroup.kill (before 5.14).
        let _ = std::fs::remove_dir(&dir);
    }
    tracing::debug!("no writable cgroup hierarchy: task processes are tracked by process group");
    None
}

/// A short, stable name for a task id (FNV-1a, 64 bits): ids may hold any character.
fn id_hash(task_id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in task_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// One task attempt's cgroup.
#[derive(Debug)]
pub struct TaskCgroup {
    kind: Kind,
    dir: PathBuf,
    procs: CString,
}

impl TaskCgroup {
    /// Create a new cgroup for an attempt of `task_id` (None: no cgroups here, or it failed).
    pub fn create(task_id: &str) -> Option<TaskCgroup> {
        static N: AtomicU64 = AtomicU64::new(0);
        let (kind, parent) = parent()?;
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = parent.join(format!("task-{}-{n}", id_hash(task_id)));
        if let Err(e) = std::fs::create_dir(&dir) {
            tracing::warn!("cannot create cgroup {}: {e}", dir.display());
            return None;
        }
        let procs = CString::new(dir.join("cgroup.procs").as_os_str().as_bytes()).ok()?;
        Some(TaskCgroup {
            kind: *kind,
            dir,
            procs,
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The command line that joins this cgroup and then execs `argv`, so that nothing the
    /// task's program starts is outside it. Usually a small shell:
    /// `/bin/sh -c '<JOIN_SCRIPT>' <cgroup.procs> argv...`. Where this server's environment
    /// holds a name that is not a shell name (`BASH_FUNC_module%%`, which Lmod's `module`
    /// needs, or `a.b`), which dash would drop, this binary as a helper instead:
    /// `/proc/self/exe __task-join-cgroup <cgroup.procs> -- argv...` (`join_main`), which
    /// passes everything on unchanged but costs more (about 1.9 ms of CPU to the shell's 1.2
    /// with `true` run after it). The shell may set `PWD` to the directory the
    /// task really runs in (the helper leaves it as it is).
    ///
    /// Why not a `pre_exec` hook in the server: a hook makes std fork the whole server (its
    /// page tables copied, then each page it writes faulted back while the child execs),
    /// where a command without one is spawned with vfork semantics. With 12 tasks at once
    /// the fork cost 2.8× the no-op task rate (479 against 1,351 tasks/s); the shell brings
    /// it to 800, the helper to about 500.
    pub fn joining_argv(&self, argv: &[String]) -> Vec<OsString> {
        let procs = OsStr::from_bytes(self.procs.as_bytes()).to_os_string();
        // A program whose name starts with `-` would be an option to bash's `exec`.
        let shell = shell_keeps_environment() && !argv.first().is_some_and(|p| p.starts_with('-'));
        let mut out: Vec<OsString> = if shell {
            vec!["/bin/sh".into(), "-c".into(), JOIN_SCRIPT.into(), procs]
        } else {
            vec!["/proc/self/exe".into(), JOIN_ARG.into(), procs, "--".into()]
        };
        out.extend(argv.iter().map(Into::into));
        out
    }

    /// Kill every process in the cgroup (and its descendants), then remove it.
    pub fn kill(&self) -> usize {
        let n = kill_tree(self.kind, &self.dir);
        remove_tree(&self.dir);
        n
    }

    /// After the task's own process ended: remove the cgroup when nothing else is left in it.
    /// Processes it left running stay until the task is killed or the server stops.
    pub fn finish(&self) {
        if procs_in_tree(&self.dir).is_empty() {
            remove_tree(&self.dir);
        }
    }
}

/// `dspy-agent __task-join-cgroup <cgroup.procs> -- PROGRAM [ARGS...]`, the helper of
/// `joining_argv`: join the cgroup ("0" is the writing process, in v1 and v2 alike), then
/// exec the program. It returns only when one of those failed, with a shell's codes: 126
/// when the cgroup could not be joined, 127 when the program could not be run.
pub fn join_main() -> std::process::ExitCode {
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os().skip(2);
    let procs = args.next();
    let rest: Vec<OsString> = args.collect();
    let (Some(procs), Some((sep, argv))) = (procs, rest.split_first()) else {
        eprintln!("usage: dspy-agent {JOIN_ARG} <cgroup.procs> -- PROGRAM [ARGS...]");
        return std::process::ExitCode::from(2);
    };
    if sep != "--" || argv.is_empty() {
        eprintln!("usage: dspy-agent {JOIN_ARG} <cgroup.procs> -- PROGRAM [ARGS...]");
        return std::process::ExitCode::from(2);
    }
    if let Err(e) = std::fs::write(&procs, b"0") {
        eprintln!(
            "dspy-agent: cannot join the task's cgroup ({}): {e}",
            Path::new(&procs).display()
        );
        return std::process::ExitCode::from(126);
    }
    let e = std::process::Command::new(&argv[0]).args(&argv[1..]).exec();
    eprintln!("dspy-agent: cannot start {:?}: {e}", argv[0]);
    std::process::ExitCode::from(127)
}

fn write(dir: &Path, file: &str, value: &str) -> bool {
    std::fs::write(dir.join(file), value).is_ok()
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Pids in `dir` and every cgroup below it.
fn procs_in_tree(dir: &Path) -> Vec<u32> {
    let mut pids: Vec<u32> = std::fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    for sub in subdirs(dir) {
        pids.extend(procs_in_tree(&sub));
    }
    pids
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn kill_all(pids: &[u32]) -> usize {
    pids.iter()
        .filter(|p| signal(**p, Sig::Kill).is_ok())
        .count()
}

/// SIGKILL everything in the cgroup `dir` and below; waits (a few seconds at most) until it is
/// empty. Returns how many processes were signalled (v2: how many were in it).
pub fn kill_tree(kind: Kind, dir: &Path) -> usize {
    let mut killed = 0;
    // Whether to SIGKILL each pid until the cgroup is empty (cgroup.kill does it all itself).
    let mut resignal = true;
    match kind {
        Kind::V2 => {
            let before = procs_in_tree(dir).len();
            if write(dir, "cgroup.kill", "1") {
                killed = before;
                resignal = false;
            }
        }
        Kind::Freezer => {
            // Frozen processes cannot fork while we list and signal them.
            if write(dir, "freezer.state", "FROZEN") {
                wait_until(Duration::from_secs(2), || {
                    std::fs::read_to_string(dir.join("freezer.state"))
                        .is_ok_and(|s| s.trim() != "FREEZING")
                });
            }
            killed = kill_all(&procs_in_tree(dir));
            // SIGKILL is delivered once thawed.
            write(dir, "freezer.state", "THAWED");
        }
        Kind::Pids => {
            // No new process can start in the cgroup while we kill what is there.
            write(dir, "pids.max", "0");
        }
    }
    wait_until(Duration::from_secs(5), || {
        let left = procs_in_tree(dir);
        let live: Vec<u32> = left.into_iter().filter(|p| pid_alive(*p)).collect();
        if resignal {
            killed += kill_all(&live);
        }
        live.is_empty()
    });
    killed
}

/// Remove `dir` and the cgroups below it (deepest first); cgroups with processes stay.
fn remove_tree(dir: &Path) {
    for sub in subdirs(dir) {
        remove_tree(&sub);
    }
    // Processes just killed may take a moment to leave the cgroup.
    wait_until(Duration::from_secs(2), || {
        std::fs::remove_dir(dir).is_ok() || !dir.exists()
    });
}

/// The reaper's side, once the server is gone: kill every task cgroup under the server's
/// parent and remove them all.
pub fn kill_parent(dir: &Path) {
    if let Some(kind) = Kind::of(dir) {
        kill_tree(kind, dir);
    }
    remove_tree(dir);
}

/// After a crash: kill what is left of `task_id`'s cgroups under parents of servers that are no
/// longer running, and remove those parents once empty. Returns how many processes were killed.
pub fn kill_leftovers(task_id: &str) -> usize {
    let prefix = format!("task-{}-", id_hash(task_id));
    let me = std::process::id();
    let mut killed = 0;
    for (kind, base) in bases() {
        for parent in subdirs(&base) {
            let Some(pid) = parent
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(PARENT_PREFIX))
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me || pid_alive(pid) {
                continue;
            }
            for task in subdirs(&parent) {
                if task
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix))
                {
                    killed += kill_tree(kind, &task);
                    remove_tree(&task);
                } else {
                    // Another task's: removed only when empty (rmdir refuses otherwise).
                    let _ = std::fs::remove_dir(&task);
                }
            }
            let _ = std::fs::remove_dir(&parent);
        }
    }
    killed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_hashes_are_stable_and_distinct() {
        assert_eq!(id_hash("a:b"), id_hash("a:b"));
        assert_ne!(id_hash("a:b"), id_hash("a_b"));
        assert_eq!(id_hash("").len(), 16);
    }
}
