//! Faults around processes, against the real binary: a task process that escapes its process
//! group and drops the server's environment marker (`env -i setsid sleep N &`) still dies with
//! the task (cancel) and with the server (`serve stop`, `kill -9`), because each task runs in
//! its own cgroup; and a read-only home still lists (`ps`) but `down` removes nothing.
//!
//! Each test sleeps for a unique number of seconds, so its escaped `sleep` is found in /proc
//! by its argument alone.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

fn unique_secs() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    (7_000_000 + (std::process::id() % 100_000) * 10 + n).to_string()
}

fn cmd(home: &Path, extra: &[(&str, &str)]) -> Command {
    let mut c = Command::new(BIN);
    c.env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_PROJECT", format!("fp{}", std::process::id()))
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("ORCHESTRATOR_GRPC_ADDR")
        .env_remove("ENV_MANAGER_GRPC_ADDR")
        .env_remove("RUST_LOG");
    c.envs(extra.iter().copied());
    c
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Running (not zombie) processes whose command line is exactly `sleep <secs>`.
fn sleeps(secs: &str) -> Vec<u32> {
    let want = format!("sleep\0{secs}\0");
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let zombie = stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X')));
        if cmdline == want.as_bytes() && !zombie {
            out.push(pid);
        }
    }
    out
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A detached server on a temporary home; stopped (and its leftovers killed) on drop.
struct Serve {
    home: tempfile::TempDir,
    env: Vec<(&'static str, &'static str)>,
    pid: u32,
    secs: Vec<String>,
}

impl Serve {
    fn start(env: &[(&'static str, &'static str)]) -> Serve {
        let home = tempfile::tempdir().unwrap();
        let out = ok(cmd(home.path(), env)
            .args(["serve", "--detach", "--json"])
            .output()
            .unwrap());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        Serve {
            home,
            env: env.to_vec(),
            pid: doc["pid"].as_u64().unwrap() as u32,
            secs: vec![],
        }
    }

    fn cli(&self, args: &[&str]) -> Output {
        cmd(self.home.path(), &self.env)
            .args(args)
            .output()
            .unwrap()
    }

    /// Submit a task that starts an escaping `sleep` and then runs `then`; returns the sleep's
    /// pid once it runs.
    fn submit_escape(&mut self, id: &str, then: &str) -> (String, u32) {
        let secs = unique_secs();
        self.secs.push(secs.clone());
        let script = format!("env -i setsid sleep {secs} >/dev/null 2>&1 </dev/null & {then}");
        let payload = serde_json::json!({ "command": script }).to_string();
        ok(self.cli(&["submit", "--id", id, "--payload", &payload]));
        let mut pid = 0;
        wait_for(
            &format!("sleep {secs} to start"),
            Duration::from_secs(20),
            || {
                pid = sleeps(&secs).first().copied().unwrap_or(0);
                pid != 0
            },
        );
        (secs, pid)
    }

    /// The cgroup line of `pid` in this server's task cgroups, for hierarchy `ctl` ("" for any).
    fn task_cgroup_of(&self, pid: u32, ctl: &str) -> Option<String> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
        let marker = format!("/dspy-agent-{}/task-", self.pid);
        text.lines()
            .find(|l| {
                l.contains(&marker)
                    && (ctl.is_empty() || l.split(':').nth(1).is_some_and(|c| c == ctl))
            })
            .map(str::to_string)
    }

    fn alive(&self) -> bool {
        Path::new(&format!("/proc/{}", self.pid)).exists()
            && !std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
                .unwrap_or_default()
                .contains(") Z")
    }

    fn stop(&self) {
        ok(self.cli(&["serve", "stop", "--timeout", "3"]));
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.cli(&["serve", "stop", "--timeout", "3"]);
        }
        for secs in &self.secs {
            for pid in sleeps(secs) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
    }
}

/// Whether this test process can make a cgroup of kind `ctl` ("freezer", "pids", or "" for
/// any the server could use, v2 with cgroup.kill included): when it can, a task must run in one.
fn hierarchy_writable(ctl: &str) -> bool {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut dirs = vec![];
    for line in own.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(id), Some(ctls), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let path = path.trim_start_matches('/');
        if id == "0" && ctls.is_empty() && ctl.is_empty() {
            for root in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
                if Path::new(root).join("cgroup.controllers").exists() {
                    dirs.push((Path::new(root).join(path), "cgroup.kill"));
                    break;
                }
            }
        }
        for kind in ["freezer", "pids"] {
            if (ctl.is_empty() || ctl == kind) && ctls.split(',').any(|c| c == kind) {
                let file = if kind == "pids" {
                    "pids.max"
                } else {
                    "freezer.state"
                };
                dirs.push((Path::new("/sys/fs/cgroup").join(kind).join(path), file));
            }
        }
    }
    dirs.into_iter().any(|(base, file)| {
        let probe = base.join(format!("faults-process-probe-{}", std::process::id()));
        let ok = std::fs::create_dir(&probe).is_ok() && probe.join(file).exists();
        let _ = std::fs::remove_dir(&probe);
        ok
    })
}

/// Which hierarchies to try: the automatic choice, and each v1 kind where the machine has it.
const KINDS: [(&str, &str); 3] = [("auto", ""), ("freezer", "freezer"), ("pids", "pids")];

#[test]
fn a_setsid_escape_dies_with_serve_stop() {
    let mut tried = 0;
    for (kind, ctl) in KINDS {
        if !hierarchy_writable(ctl) {
            println!("skipped cgroup kind `{kind}`: no writable hierarchy of that kind here");
            continue;
        }
        let mut s = Serve::start(&[("DSPY_AGENT_TASK_CGROUP", kind)]);
        let (exited, pid_a) = s.submit_escape("exits", "exit 0");
        let (sleeping, pid_b) = s.submit_escape("sleeps", "sleep 600");
        let line = s.task_cgroup_of(pid_a, ctl).unwrap_or_else(|| {
            panic!(
                "{kind}: the task's process is not in a task cgroup: {}",
                std::fs::read_to_string(format!("/proc/{pid_a}/cgroup")).unwrap_or_default()
            )
        });
        assert!(s.task_cgroup_of(pid_b, ctl).is_some(), "{kind}: {line}");
        tried += 1;
        s.stop();
        wait_for(
            &format!("{kind}: escaped sleeps to die with the server"),
            Duration::from_secs(15),
            || sleeps(&exited).is_empty() && sleeps(&sleeping).is_empty(),
        );
        // The server's cgroups go with it (the reaper removes them once empty).
        let parent = format!("dspy-agent-{}", s.pid);
        let root = Path::new("/sys/fs/cgroup");
        wait_for(
            &format!("{kind}: the server's cgroups to be removed"),
            Duration::from_secs(15),
            || {
                [root.join("unified"), root.to_path_buf(), root.join(ctl)]
                    .iter()
                    .all(|dir| !dir.join(&parent).exists())
            },
        );
    }
    if tried == 0 {
        println!("skipped: no writable cgroup hierarchy on this machine (process-group fallback)");
    }
}

#[test]
fn a_setsid_escape_dies_when_its_task_is_cancelled() {
    if !hierarchy_writable("") {
        println!("skipped: no writable cgroup hierarchy on this machine (process-group fallback)");
        return;
    }
    let mut s = Serve::start(&[]);
    let (secs, pid) = s.submit_escape("c", "sleep 600");
    assert!(s.task_cgroup_of(pid, "").is_some(), "not in a task cgroup");
    ok(s.cli(&["tasks", "cancel", "c"]));
    wait_for(
        "the escaped sleep to die with its cancelled task",
        Duration::from_secs(15),
        || sleeps(&secs).is_empty(),
    );
    assert!(s.alive(), "cancelling a task must not stop the server");
}

#[test]
fn a_setsid_escape_dies_when_the_server_is_killed() {
    if !hierarchy_writable("") {
        println!("skipped: no writable cgroup hierarchy on this machine (process-group fallback)");
        return;
    }
    let mut s = Serve::start(&[]);
    let (secs, pid) = s.submit_escape("k", "sleep 600");
    assert!(s.task_cgroup_of(pid, "").is_some(), "not in a task cgroup");
    ok(Command::new("kill")
        .args(["-9", &s.pid.to_string()])
        .output()
        .unwrap());
    wait_for(
        "the reaper to kill the escaped sleep",
        Duration::from_secs(15),
        || sleeps(&secs).is_empty(),
    );
}

/// Pid of the task reaper that server `server` started (its child, `dspy-agent __task-reaper`).
fn reaper_of(server: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let ppid: u32 = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid == server && cmdline.ends_with(b"\0__task-reaper\0")).then_some(pid)
    })
}

#[test]
fn a_restart_after_a_crash_kills_what_is_left_in_the_task_cgroup() {
    if !hierarchy_writable("") {
        println!("skipped: no writable cgroup hierarchy on this machine (process-group fallback)");
        return;
    }
    let mut s = Serve::start(&[]);
    let (secs, pid) = s.submit_escape("crash", "sleep 600");
    let line = s.task_cgroup_of(pid, "").expect("not in a task cgroup");
    // An acknowledged submission means the records before it (the task's process group) are
    // on disk.
    ok(s.cli(&[
        "submit",
        "--id",
        "barrier",
        "--payload",
        r#"{"command": "true"}"#,
    ]));
    // The reaper first, so that nothing cleans up: only the next start can.
    let reaper = reaper_of(s.pid).expect("the server's task reaper");
    for pid in [reaper, s.pid] {
        ok(Command::new("kill")
            .args(["-9", &pid.to_string()])
            .output()
            .unwrap());
    }
    wait_for("the server to die", Duration::from_secs(10), || !s.alive());
    assert_eq!(
        sleeps(&secs),
        [pid],
        "the escaped sleep died without a restart"
    );
    let old = s.pid;
    // The lock goes with the server's last thread, a moment after its leader is a zombie.
    let mut out = None;
    wait_for("a restart to succeed", Duration::from_secs(20), || {
        let o = cmd(s.home.path(), &s.env)
            .args(["serve", "--detach", "--json"])
            .output()
            .unwrap();
        out = Some(o).filter(|o| o.status.success());
        out.is_some()
    });
    let out = out.unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    s.pid = doc["pid"].as_u64().unwrap() as u32;
    // The task runs again (a new sleep of the same length); the old one must be gone.
    wait_for(
        "the restart to kill the crashed task's cgroup",
        Duration::from_secs(20),
        || !sleeps(&secs).contains(&pid),
    );
    // The dead server's parent cgroup is removed once empty.
    let parent = line
        .splitn(3, ':')
        .nth(2)
        .and_then(|p| p.split("/task-").next())
        .unwrap()
        .to_string();
    assert!(parent.ends_with(&format!("dspy-agent-{old}")), "{parent}");
    let root = Path::new("/sys/fs/cgroup");
    wait_for(
        "the old parent cgroup to go",
        Duration::from_secs(10),
        || {
            [root.join("unified"), root.to_path_buf()]
                .iter()
                .all(|r| !r.join(parent.trim_start_matches('/')).exists())
        },
    );
}

/// Makes `dir` refuse writes even to root, until dropped: `chattr +i`, else a tmpfs mounted
/// there and remounted read-only. None: neither works here.
struct ReadOnly {
    dir: std::path::PathBuf,
    mounted: bool,
}

impl ReadOnly {
    fn make(dir: &Path) -> Option<ReadOnly> {
        let run = |args: &[&str]| {
            Command::new(args[0])
                .args(&args[1..])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        let d = dir.to_str()?;
        if run(&["chattr", "+i", d]) {
            return Some(ReadOnly {
                dir: dir.into(),
                mounted: false,
            });
        }
        if run(&["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", d]) {
            let _ = std::fs::write(dir.join("config.toml"), "");
            if run(&["mount", "-o", "remount,ro", d]) {
                return Some(ReadOnly {
                    dir: dir.into(),
                    mounted: true,
                });
            }
            run(&["umount", d]);
        }
        None
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let d = self.dir.to_str().unwrap();
        let _ = if self.mounted {
            Command::new("umount").arg(d).status()
        } else {
            Command::new("chattr").args(["-i", d]).status()
        };
    }
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_read_only_home_lists_but_down_removes_nothing() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "").unwrap();
    let Some(_ro) = ReadOnly::make(home.path()) else {
        println!("skipped: neither chattr +i nor a read-only tmpfs mount works here");
        return;
    };
    assert!(
        std::fs::write(home.path().join("probe"), "x").is_err(),
        "the home is still writable"
    );
    let before = listing(home.path());

    let ps = cmd(home.path(), &[])
        .args(["ps", "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&ps.stderr);
    // `ps` only reads: it works, or fails only for want of a container engine (4).
    assert!(
        matches!(ps.status.code(), Some(0 | 4)),
        "ps on a read-only home: {:?} {err}",
        ps.status
    );
    assert!(!err.contains("state"), "{err}");

    let down = cmd(home.path(), &[]).args(["down"]).output().unwrap();
    let err = String::from_utf8_lossy(&down.stderr);
    assert_eq!(down.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write the state") && err.contains("nothing was removed"),
        "{err}"
    );
    assert_eq!(listing(home.path()), before);
}

/// An environment name that is not a shell name (`BASH_FUNC_probe%%`, how bash exports a
/// function; `A.B`) reaches a task whose command runs without a shell exactly, and the task
/// still runs in its own cgroup: the server then joins the cgroup through its own helper, as
/// dash, the usual `/bin/sh`, would drop such names.
#[test]
fn unusual_environment_names_reach_the_task_and_it_still_runs_in_its_cgroup() {
    let s = Serve::start(&[("BASH_FUNC_probe%%", "() {  echo hi\n}"), ("A.B", "1")]);
    let run = |id: &str, argv: &[&str]| -> serde_json::Value {
        let payload = serde_json::json!({ "command": argv }).to_string();
        let out = ok(s.cli(&[
            "--json",
            "submit",
            "--id",
            id,
            "--payload",
            &payload,
            "--wait",
        ]));
        let task: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(task["status"], "completed", "{task}");
        task
    };
    let env = run("env", &["env"]);
    let vars = env["result"]["stdout_tail"].as_str().unwrap();
    assert!(vars.contains("BASH_FUNC_probe%%=() {  echo hi"), "{vars}");
    assert!(vars.lines().any(|l| l == "A.B=1"), "{vars}");
    if hierarchy_writable("") {
        let cg = run("cg", &["cat", "/proc/self/cgroup"]);
        let lines = cg["result"]["stdout_tail"].as_str().unwrap();
        assert!(
            lines.contains(&format!("/dspy-agent-{}/task-", s.pid)),
            "not in a task cgroup: {lines}"
        );
    } else {
        println!("cgroup part skipped: no writable cgroup hierarchy on this machine");
    }
}
