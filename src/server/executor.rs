//! Running one task attempt: a local process (payload `command`, or the class's handler) or a
//! container (payload `image`, through crate::runtime). The result map holds exit_code,
//! duration_ms and bounded tails of stdout and stderr, plus the fields of stdout's last line
//! when that line is a JSON object.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;

use crate::os::{self, reaper};
use crate::runtime::{self, ContainerSpec, Runtime};

/// After a crash the scheduler kills what is left of a task's process group (see crate::os).
pub use crate::os::reaper::kill_leftovers;

/// Bytes of stdout and stderr kept (the end of each).
pub const TAIL_BYTES: usize = 16 * 1024;
/// Payloads up to this size reach containers in DSPY_TASK_PAYLOAD.
const ENV_PAYLOAD_MAX: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    Cancel,
    Shutdown,
}

#[derive(Debug, Clone)]
pub enum Plan {
    Process {
        argv: Vec<String>,
    },
    Container {
        image: String,
        command: Option<Vec<String>>,
    },
    /// Cannot run: fails the attempt with this message.
    Invalid(String),
}

pub struct RunSpec {
    pub id: String,
    pub class: String,
    pub attempt: u32,
    pub payload: Arc<str>,
    pub timeout: Duration,
    pub plan: Plan,
    pub project: String,
    pub docker_host: crate::runtime::Engine,
    /// Told the process group id once a local process started (the scheduler journals it, so
    /// a restart after a crash can kill what is left of the group).
    pub on_spawn: Option<Box<dyn FnOnce(u32) + Send + Sync>>,
    /// The GPUs the attempt holds, by UUID (empty: none).
    pub gpu_uuids: Vec<String>,
    /// The GPUs come from a simulated inventory: a container the engine cannot start for
    /// want of them is kept for inspection.
    pub gpu_simulated: bool,
}

/// What tells CUDA which GPUs are the task's: UUIDs, which mean the same device whatever the
/// order, and PCI bus order so that indices agree with nvidia-smi's.
pub fn gpu_env(uuids: &[String]) -> Vec<(&'static str, String)> {
    if uuids.is_empty() {
        return vec![];
    }
    vec![
        ("CUDA_VISIBLE_DEVICES", uuids.join(",")),
        ("CUDA_DEVICE_ORDER", "PCI_BUS_ID".to_string()),
    ]
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub success: bool,
    pub result: BTreeMap<String, String>,
    pub error: String,
    pub killed: Option<Kill>,
    pub duration: Duration,
}

/// `command` as argv: an array of strings, or a string run by `sh -c`.
pub fn parse_command(value: &serde_json::Value) -> Result<Vec<String>, String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => {
            Ok(vec!["sh".into(), "-c".into(), s.clone()])
        }
        serde_json::Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "every argv element must be a string".to_string())
            })
            .collect(),
        _ => Err("expected a non-empty argv array of strings or a shell command string".into()),
    }
}

pub async fn run(mut spec: RunSpec, kill: oneshot::Receiver<Kill>) -> Outcome {
    let started = Instant::now();
    let mut outcome = match &spec.plan {
        Plan::Process { argv } => {
            let argv = argv.clone();
            run_process(&mut spec, &argv, kill).await
        }
        Plan::Container { image, command } => {
            run_container(&spec, image, command.clone(), kill).await
        }
        Plan::Invalid(msg) => Outcome {
            error: msg.clone(),
            ..Default::default()
        },
    };
    outcome.duration = started.elapsed();
    outcome.result.insert(
        "duration_ms".into(),
        outcome.duration.as_millis().to_string(),
    );
    outcome
}

/// Keeps the last TAIL_BYTES of a stream.
async fn read_tail(mut r: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut tail = Vec::with_capacity(4096);
    let mut buf = [0u8; 8192];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * TAIL_BYTES {
                    tail.drain(..tail.len() - TAIL_BYTES);
                }
            }
        }
    }
    if tail.len() > TAIL_BYTES {
        tail.drain(..tail.len() - TAIL_BYTES);
    }
    tail
}

async fn run_process(
    spec: &mut RunSpec,
    argv: &[String],
    kill: oneshot::Receiver<Kill>,
) -> Outcome {
    // Its own cgroup where the machine allows, joined before the task's program runs: that
    // reaches what left the group and dropped the marker too (`env -i setsid ...`). The join
    // is a helper in front of the program (`TaskCgroup::joining_argv` says why), so a program
    // that cannot be run is refused here, with the error a direct spawn gives.
    let cgroup = os::cgroup::TaskCgroup::create(&spec.id);
    let line: Vec<std::ffi::OsString> = match &cgroup {
        Some(cg) => match os::find_program(&argv[0]) {
            Ok(_) => cg.joining_argv(argv),
            Err(e) => {
                cg.finish();
                return cannot_start(&argv[0], e);
            }
        },
        None => argv.iter().map(Into::into).collect(),
    };
    let mut cmd = tokio::process::Command::new(&line[0]);
    if cgroup.is_some() {
        // What `ps` shows for the helper until it execs the task's program.
        cmd.arg0("dspy-agent");
    }
    cmd.args(&line[1..])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env("DSPY_TASK_ID", &spec.id)
        .env("DSPY_TASK_CLASS", &spec.class)
        .env("DSPY_TASK_ATTEMPT", spec.attempt.to_string())
        // Marks the task's processes (and their children) as this server's, for the reaper.
        .env(reaper::SERVER_MARKER, std::process::id().to_string())
        .envs(gpu_env(&spec.gpu_uuids))
        // Its own process group, so a kill reaches what a shell started too.
        .process_group(0)
        .kill_on_drop(true);
    reaper::start();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            if let Some(cg) = cgroup {
                cg.finish();
            }
            return cannot_start(&argv[0], e);
        }
    };
    let pid = child.id();
    if let Some(pid) = pid {
        reaper::note_started(pid);
        if let Some(tell) = spec.on_spawn.take() {
            tell(pid);
        }
    }
    let stdin = child.stdin.take();
    let payload = spec.payload.clone();
    let writer = tokio::spawn(async move {
        if let Some(mut stdin) = stdin {
            // A task that does not read its stdin is fine.
            let _ = stdin.write_all(payload.as_bytes()).await;
            let _ = stdin.shutdown().await;
        }
    });
    let out = child.stdout.take().map(|s| tokio::spawn(read_tail(s)));
    let err = child.stderr.take().map(|s| tokio::spawn(read_tail(s)));

    let mut killed = None;
    let mut timed_out = false;
    let status = tokio::select! {
        status = child.wait() => status.ok(),
        _ = tokio::time::sleep(spec.timeout) => {
            timed_out = true;
            None
        }
        k = kill => {
            killed = Some(k.unwrap_or(Kill::Shutdown));
            None
        }
    };
    let status = match status {
        Some(s) => Some(s),
        None => {
            if let Some(pid) = pid {
                os::kill_group(pid);
            }
            let _ = child.kill().await;
            child.wait().await.ok()
        }
    };
    if let Some(cg) = cgroup {
        // Killed: everything in its cgroup goes too. Ended by itself: what it left running
        // stays (as in a process group) until the task is killed or the server stops.
        let kill = status.is_none() || killed.is_some() || timed_out;
        let _ = tokio::task::spawn_blocking(move || {
            if kill {
                cg.kill();
            } else {
                cg.finish();
            }
        })
        .await;
    }
    if let Some(pid) = pid {
        reaper::note_ended(pid);
    }
    writer.abort();
    let grab = |h: Option<tokio::task::JoinHandle<Vec<u8>>>| async move {
        match h {
            // A grandchild that escaped the group may hold the pipe: do not wait forever.
            Some(h) => tokio::time::timeout(Duration::from_secs(2), h)
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default(),
            None => vec![],
        }
    };
    let stdout = grab(out).await;
    let stderr = grab(err).await;

    let mut result = output_fields(&stdout, &stderr);
    let code = status.and_then(|s| s.code());
    if let Some(code) = code {
        result.insert("exit_code".into(), code.to_string());
    } else if let Some(sig) = status.and_then(|s| std::os::unix::process::ExitStatusExt::signal(&s))
    {
        result.insert("signal".into(), sig.to_string());
    }
    let error = if timed_out {
        format!("timed out after {:.1}s", spec.timeout.as_secs_f64())
    } else if killed == Some(Kill::Cancel) {
        "cancelled".into()
    } else if killed == Some(Kill::Shutdown) {
        "interrupted by shutdown".into()
    } else {
        match code {
            Some(0) => String::new(),
            Some(c) => format!("exited with code {c}"),
            None => "killed by a signal".into(),
        }
    };
    Outcome {
        success: error.is_empty(),
        result,
        error,
        killed,
        duration: Duration::ZERO,
    }
}

fn cannot_start(program: &str, e: std::io::Error) -> Outcome {
    Outcome {
        error: format!("cannot start {program:?}: {e}"),
        ..Default::default()
    }
}

/// The result fields every run reports from its output: the tails, and the fields of stdout's
/// last line when it is a JSON object.
pub(crate) fn output_fields(stdout: &[u8], stderr: &[u8]) -> BTreeMap<String, String> {
    let mut result = BTreeMap::new();
    add_json_fields(&mut result, stdout);
    result.insert("stdout_tail".into(), String::from_utf8_lossy(stdout).into());
    result.insert("stderr_tail".into(), String::from_utf8_lossy(stderr).into());
    result
}

/// Fields of stdout's last non-empty line, when it is a JSON object; they never replace the
/// executor's own fields.
fn add_json_fields(result: &mut BTreeMap<String, String>, stdout: &[u8]) {
    let text = String::from_utf8_lossy(stdout);
    let Some(last) = text.lines().rev().find(|l| !l.trim().is_empty()) else {
        return;
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(last.trim()) {
        for (k, v) in map {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            result.insert(k, v);
        }
    }
}

/// The container of one attempt: `<project>-task-<id>-<hash>-<attempt>`. Docker names allow
/// `[a-zA-Z0-9_.-]`, so other characters of the id (`:`) become `_`; the short hash of the raw
/// id keeps ids that differ only there (`a:b`, `a_b`) apart, since a start force-removes a
/// container of the same name.
pub fn container_name(project: &str, id: &str, attempt: u32) -> String {
    use sha2::{Digest, Sha256};
    let safe_id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = hex::encode(&Sha256::digest(id.as_bytes())[..4]);
    format!("{project}-task-{safe_id}-{hash}-{attempt}")
}

async fn run_container(
    spec: &RunSpec,
    image: &str,
    command: Option<Vec<String>>,
    kill: oneshot::Receiver<Kill>,
) -> Outcome {
    let fail = |error: String| Outcome {
        error,
        ..Default::default()
    };
    let rt = match Runtime::connect_to(&spec.docker_host).await {
        Ok(rt) => rt,
        Err(e) => return fail(e.message),
    };
    let mut env = BTreeMap::from([
        ("DSPY_TASK_ID".to_string(), spec.id.clone()),
        ("DSPY_TASK_CLASS".to_string(), spec.class.clone()),
        ("DSPY_TASK_ATTEMPT".to_string(), spec.attempt.to_string()),
    ]);
    if spec.payload.len() <= ENV_PAYLOAD_MAX {
        env.insert("DSPY_TASK_PAYLOAD".into(), spec.payload.to_string());
    }
    env.extend(
        gpu_env(&spec.gpu_uuids)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v)),
    );
    let cspec = ContainerSpec {
        name: container_name(&spec.project, &spec.id, spec.attempt),
        image: image.to_string(),
        command,
        env,
        labels: HashMap::from([
            (runtime::LABEL_PROJECT.to_string(), spec.project.clone()),
            (runtime::LABEL_TASK.to_string(), spec.id.clone()),
        ]),
        ports: vec![],
        host_ip: "127.0.0.1".into(),
        volumes: vec![],
        network: None,
        aliases: vec![],
        init: true,
        nano_cpus: None,
        memory: None,
        gpus: false,
        gpu_device_ids: spec.gpu_uuids.clone(),
        auto_remove: false,
        keep_on_start_failure: spec.gpu_simulated && !spec.gpu_uuids.is_empty(),
    };
    // A container left over from an interrupted earlier run of this attempt.
    if let Ok(Some(old)) = rt.inspect(&cspec.name).await {
        let _ = rt.force_remove(&old.id).await;
    }
    let id = match rt.create_and_start(&cspec).await {
        Ok(id) => id,
        Err(e) => return fail(e.message),
    };
    let mut killed = None;
    let mut timed_out = false;
    let exit = tokio::select! {
        code = rt.wait_exit(&id) => Some(code),
        _ = tokio::time::sleep(spec.timeout) => { timed_out = true; None }
        k = kill => { killed = Some(k.unwrap_or(Kill::Shutdown)); None }
    };
    if exit.is_none() {
        let _ = rt.stop_and_remove(&id, 0).await;
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    if exit.is_some() {
        let mut logs = Box::pin(rt.logs(&id, false, Some(500), None));
        while let Some(Ok(line)) = logs.next().await {
            let buf = if line.stream == "stderr" {
                &mut stderr
            } else {
                &mut stdout
            };
            buf.extend_from_slice(line.message.as_bytes());
            buf.push(b'\n');
            if buf.len() > 2 * TAIL_BYTES {
                buf.drain(..buf.len() - TAIL_BYTES);
            }
        }
        let _ = rt.force_remove(&id).await;
    }
    for buf in [&mut stdout, &mut stderr] {
        if buf.len() > TAIL_BYTES {
            buf.drain(..buf.len() - TAIL_BYTES);
        }
    }
    let mut result = output_fields(&stdout, &stderr);
    result.insert("container_id".into(), id.chars().take(12).collect());
    let error = match (&exit, timed_out, killed) {
        (_, true, _) => format!("timed out after {:.1}s", spec.timeout.as_secs_f64()),
        (_, _, Some(Kill::Cancel)) => "cancelled".into(),
        (_, _, Some(Kill::Shutdown)) => "interrupted by shutdown".into(),
        (Some(Ok(code)), _, _) => {
            result.insert("exit_code".into(), code.to_string());
            if *code == 0 {
                String::new()
            } else {
                format!("exited with code {code}")
            }
        }
        (Some(Err(e)), _, _) => e.message.clone(),
        (None, false, None) => "the container ended without an exit code".into(),
    };
    Outcome {
        success: error.is_empty(),
        result,
        error,
        killed,
        duration: Duration::ZERO,
    }
}

#[cfg(test)]
mod container_name_tests {
    use super::container_name;

    #[test]
    fn ids_that_differ_only_in_unsafe_characters_get_different_valid_names() {
        let a = container_name("proj", "a:b", 1);
        let b = container_name("proj", "a_b", 1);
        assert_ne!(a, b);
        for name in [&a, &b] {
            // Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+
            let mut chars = name.chars();
            assert!(
                chars.next().is_some_and(|c| c.is_ascii_alphanumeric()),
                "{name}"
            );
            assert!(
                chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')),
                "{name}"
            );
            assert!(
                name.starts_with("proj-task-a_b-") && name.ends_with("-1"),
                "{name}"
            );
        }
        // The same attempt of the same task keeps its name (a leftover is found and removed).
        assert_eq!(container_name("proj", "a:b", 1), a);
        assert_ne!(container_name("proj", "a:b", 2), a);
    }
}
