//! `dspy-agent serve`: run the scheduler in the foreground, or `--detach` it into the background
//! (log under $DSPY_AGENT_HOME/logs/, returns once Health answers); `serve status`, `serve stop`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cli::{ServeArgs, ServeCommand};
use crate::commands::Ctx;
use crate::commands::client;
use crate::error::{Code, Error, ExitStatus, Result};
use crate::os::{self, Sig};
use crate::proto::orchestrator as pb;
use crate::server;
use crate::state::{ServeState, StateFile};

/// Set in a detached server's environment: where its log goes (recorded in the state).
const LOG_ENV: &str = "DSPY_AGENT_SERVE_LOG";
/// How long `--detach` waits for the server to answer.
const DETACH_TIMEOUT: Duration = Duration::from_secs(20);

pub fn run(ctx: &Ctx, args: ServeArgs) -> Result<ExitStatus> {
    match args.command {
        Some(ServeCommand::Status) => block_on(status(ctx)),
        Some(ServeCommand::Stop { timeout }) => block_on(stop(ctx, timeout)),
        None if args.detach => block_on(detach(ctx, args.strict_journal, args.insecure_bind)),
        None => foreground(ctx, args.strict_journal, args.insecure_bind),
    }
}

fn block_on<F: std::future::Future<Output = Result<ExitStatus>>>(fut: F) -> Result<ExitStatus> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::runtime(format!("cannot start the async runtime: {e}")))?
        .block_on(fut)
}

fn foreground(ctx: &Ctx, strict_journal: bool, insecure_bind: bool) -> Result<ExitStatus> {
    let mut settings = ctx.settings()?;
    if strict_journal {
        settings.scheduler.strict_journal = crate::settings::Sourced {
            value: true,
            source: crate::settings::Source::Flag,
        };
    }
    let log_file = std::env::var_os(LOG_ENV).map(PathBuf::from);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| Error::runtime(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(server::run(settings, log_file, insecure_bind))?;
    // Executor tasks of killed work may linger; do not wait on them.
    rt.shutdown_timeout(Duration::from_secs(1));
    Ok(ExitStatus::Success)
}

async fn detach(ctx: &Ctx, strict_journal: bool, insecure_bind: bool) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let home = settings.home.value.clone();
    // Refuse early, naming the running server.
    drop(server::acquire_lock(&home)?);
    let logs = settings.logs_dir();
    crate::state::ensure_home(&home)?;
    std::fs::create_dir_all(&logs)
        .map_err(|e| Error::runtime(format!("cannot create {}: {e}", logs.display())))?;
    let log_path = logs.join("serve.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| Error::runtime(format!("cannot open {}: {e}", log_path.display())))?;
    // Only what this start writes to the log tells why it failed, not lines of earlier runs.
    let log_start = log.metadata().map_or(0, |m| m.len());
    let log2 = log
        .try_clone()
        .map_err(|e| Error::runtime(format!("cannot open {}: {e}", log_path.display())))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("cannot find this executable: {e}")))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("serve");
    if strict_journal {
        cmd.arg("--strict-journal");
    }
    if insecure_bind {
        cmd.arg("--insecure-bind");
    }
    cmd.env("DSPY_AGENT_HOME", &home)
        .env("DSPY_AGENT_PROJECT", &settings.project.value)
        .env(LOG_ENV, &log_path)
        .stdin(std::process::Stdio::null())
        .stdout(log)
        .stderr(log2);
    if settings.services_file.source != crate::settings::Source::Default {
        cmd.env("DSPY_AGENT_SERVICES_FILE", &settings.services_file.value);
    }
    if settings.env_file.source != crate::settings::Source::Default {
        cmd.env("DSPY_AGENT_ENV_FILE", &settings.env_file.value);
    }
    // Its own process group: Ctrl-C in the shell that started it does not reach it.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::runtime(format!("cannot start the server: {e}")))?;
    let pid = child.id();
    let started = Instant::now();
    let state_file = StateFile::new(&home);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(exited_early(&home, &log_path, log_start, status));
        }
        if let Some(s) = state_file.read().ok().and_then(|s| s.serve)
            && s.pid == pid
            && let Ok(mut c) = client::connect_to(&home, &client::Target::of(&s)).await
            && c.health(pb::HealthRequest {}).await.is_ok()
        {
            // Its start found a damaged journal: say so here too, not only in its log.
            if let Some(r) = server::store::start_report(&home.join("store")) {
                ctx.printer.warn(r.summary());
            }
            if ctx.printer.json {
                ctx.printer.json_document(json!({
                    "pid": s.pid,
                    "orchestrator_addr": s.orchestrator_addr,
                    "env_manager_addr": s.env_manager_addr,
                    "http_addr": s.http_addr,
                    "log_file": log_path,
                }))?;
                return Ok(ExitStatus::Success);
            }
            ctx.printer.progress(format!(
                "dspy-agent serve running in the background (pid {}); log: {}",
                s.pid,
                log_path.display()
            ));
            ctx.printer
                .line(format!("orchestrator gRPC  {}", s.orchestrator_addr))?;
            ctx.printer
                .line(format!("env manager gRPC   {}", s.env_manager_addr))?;
            ctx.printer.line(format!(
                "HTTP               {}://{}",
                scheme(&s),
                s.http_addr
            ))?;
            return Ok(ExitStatus::Success);
        }
        if started.elapsed() > DETACH_TIMEOUT {
            return Err(Error::runtime(format!(
                "the server (pid {pid}) did not answer within {}s; see {}",
                DETACH_TIMEOUT.as_secs(),
                log_path.display()
            )));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Why a detached server exited before answering: what it wrote to its log this time (its
/// last lines), or, when it could write nothing there, whether the disk is full.
fn exited_early(
    home: &std::path::Path,
    log_path: &std::path::Path,
    log_start: u64,
    status: std::process::ExitStatus,
) -> Error {
    let new = log_tail(log_path, log_start, 20);
    if !new.trim().is_empty() {
        return Error::runtime(format!(
            "the server exited ({status}) before answering; its log {}:\n{new}",
            log_path.display(),
        ));
    }
    let full = match free_bytes(home) {
        Some(n) if n < LOW_SPACE => format!(
            "; the disk holding {} is full ({n} bytes free): free some space and start it again",
            home.display()
        ),
        _ => String::new(),
    };
    Error::runtime(format!(
        "the server exited ({status}) before answering and wrote nothing to its log {}{full}",
        log_path.display(),
    ))
}

/// Below this many free bytes a home's disk counts as full (a server cannot start there).
const LOW_SPACE: u64 = 64 * 1024;

/// Bytes free to unprivileged users on the filesystem holding `path`.
fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let st = rustix::fs::statvfs(path).ok()?;
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

/// The last `n` lines of what was written to `path` from byte `from` on.
fn log_tail(path: &std::path::Path, from: u64, n: usize) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    let start = usize::try_from(from).unwrap_or(usize::MAX).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[start..]);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

async fn status(ctx: &Ctx) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let Some(s) = server::running(&settings.home.value) else {
        if ctx.printer.json {
            ctx.printer.json_document(json!({"running": false}))?;
        } else {
            ctx.printer.line("dspy-agent serve is not running")?;
        }
        return Ok(ctx.printer.failed(
            Code::OrchestratorDown,
            "dspy-agent serve is not running\nhint: start it with `dspy-agent serve --detach`",
        ));
    };
    let mut client = client::connect_to(&settings.home.value, &client::Target::of(&s))
        .await
        .ok();
    let health = match client.as_mut() {
        Some(c) => c
            .health(pb::HealthRequest {})
            .await
            .ok()
            .map(|r| r.into_inner()),
        None => None,
    };
    let mut tasks = serde_json::Map::new();
    if let Some(c) = client.as_mut()
        && let Ok(m) = c
            .get_metrics(pb::GetMetricsRequest {
                metric_names: vec![
                    "tasks_pending".into(),
                    "tasks_running".into(),
                    "tasks_evicted_total".into(),
                ],
            })
            .await
    {
        for m in m.into_inner().metrics {
            let key = m
                .name
                .trim_start_matches("tasks_")
                .trim_end_matches("_total");
            tasks.insert(key.to_string(), json!(m.value as u64));
        }
    }
    // What this server's start found in a damaged journal (none when it was clean).
    let journal = server::store::start_report(&settings.home.value.join("store"));
    let (status, uptime_ms) = health
        .as_ref()
        .map(|h| (h.status.clone(), h.uptime_ms))
        .unwrap_or_else(|| ("NOT ANSWERING".into(), 0));
    // Why it is degraded (journal writes fail), and whether slurmctld answers the slurm
    // executor: GET /health (with the token: its full report) has both.
    let doc = if health.is_some() {
        let token = server::auth::tokens::client_token(&settings.home.value);
        health_document(&s, token.as_deref()).await
    } else {
        None
    };
    let reason = doc
        .as_ref()
        .filter(|_| status == "DEGRADED")
        .and_then(|d| d.get("reason")?.as_str().map(str::to_string));
    let slurm = doc.as_ref().and_then(|d| d.get("slurm")).cloned();
    if ctx.printer.json {
        ctx.printer.json_document(json!({
            "running": true,
            "status": status,
            "reason": reason,
            "pid": s.pid,
            "version": s.version,
            "started_at": s.started_at,
            "uptime_ms": uptime_ms,
            "orchestrator_addr": s.orchestrator_addr,
            "env_manager_addr": s.env_manager_addr,
            "http_addr": s.http_addr,
            "log_file": s.log_file,
            "tasks": tasks,
            "slurm": slurm,
            "journal": journal.as_ref().map(|r| json!({
                "records_lost": r.records_lost(),
                "first_line": r.first_line(),
                "lost_tasks": r.lost_tasks,
                "copy": r.copy,
                "journal": r.journal,
            })),
        }))?;
        return Ok(ExitStatus::Success);
    }
    match &reason {
        Some(why) => ctx
            .printer
            .line(format!("status             {status}: {why}"))?,
        None => ctx.printer.line(format!("status             {status}"))?,
    }
    if let (Some(p), Some(r)) = (tasks.get("pending"), tasks.get("running")) {
        ctx.printer
            .line(format!("tasks              {p} pending, {r} running"))?;
    }
    if let Some(sl) = slurm.as_ref().filter(|v| v.is_object()) {
        let line = match sl["error"].as_str() {
            Some(why) => format!("slurm              slurmctld unreachable: {why}"),
            None => "slurm              slurmctld answers".to_string(),
        };
        ctx.printer.line(line)?;
    }
    if let Some(n) = tasks.get("evicted").filter(|n| n.as_u64() > Some(0)) {
        ctx.printer.line(format!(
            "retention          {n} finished task(s) evicted before scheduler.retention_min_age_s: raise scheduler.retention_memory_bytes"
        ))?;
    }
    if let Some(r) = &journal {
        ctx.printer.line(format!(
            "journal            {} record(s) lost at start (first at line {}), {} task(s) failed with `{}`; original kept as {}",
            r.records_lost(),
            r.first_line().unwrap_or(0),
            r.lost_tasks.len(),
            server::store::LOST,
            r.copy.as_ref().map_or("(no copy)".into(), |p| p.display().to_string()),
        ))?;
    }
    ctx.printer.line(format!("pid                {}", s.pid))?;
    ctx.printer
        .line(format!("version            {}", s.version))?;
    ctx.printer
        .line(format!("started            {}", s.started_at))?;
    ctx.printer
        .line(format!("orchestrator gRPC  {}", s.orchestrator_addr))?;
    ctx.printer
        .line(format!("env manager gRPC   {}", s.env_manager_addr))?;
    ctx.printer.line(format!(
        "HTTP               {}://{}",
        scheme(&s),
        s.http_addr
    ))?;
    if let Some(log) = &s.log_file {
        ctx.printer
            .line(format!("log                {}", log.display()))?;
    }
    Ok(ExitStatus::Success)
}

/// GET /health's full document, read with one plain HTTP/1.0 request (bounded to 2s).
async fn health_document(s: &ServeState, token: Option<&str>) -> Option<serde_json::Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if s.tls {
        // Plain HTTP/1.0 by hand only; over TLS the status line says DEGRADED without why.
        return None;
    }
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let ask = async {
        let mut conn = tokio::net::TcpStream::connect(&s.http_addr).await.ok()?;
        conn.write_all(format!("GET /health HTTP/1.0\r\nHost: localhost\r\n{auth}\r\n").as_bytes())
            .await
            .ok()?;
        let mut answer = Vec::new();
        conn.read_to_end(&mut answer).await.ok()?;
        let text = String::from_utf8_lossy(&answer);
        let body = text.split_once("\r\n\r\n")?.1;
        serde_json::from_str(body).ok()
    };
    tokio::time::timeout(Duration::from_secs(2), ask)
        .await
        .ok()
        .flatten()
}

/// The HTTP listener's URL scheme.
fn scheme(s: &ServeState) -> &'static str {
    if s.tls { "https" } else { "http" }
}

/// `serve stop --json`, one shape whether or not a server was running:
/// `{was_running, stopped, pid, killed}`. `was_running`: a server was found; `stopped`: this call
/// stopped it; `pid`: its pid, or null; `killed`: it outlived the drain and got SIGKILL.
fn stop_document(pid: Option<u32>, killed: bool) -> serde_json::Value {
    json!({
        "was_running": pid.is_some(),
        "stopped": pid.is_some(),
        "pid": pid,
        "killed": killed,
    })
}

/// How long a Shutdown request may take to be answered before `serve stop` falls back to a
/// signal.
const SHUTDOWN_RPC_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a server that released its lock may take to exit (its runtime winds down).
const EXIT_GRACE: Duration = Duration::from_secs(2);

async fn stop(ctx: &Ctx, timeout: Option<f64>) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let timeout = timeout
        .unwrap_or(settings.scheduler.shutdown_timeout_s.value)
        .max(0.0);
    let home = settings.home.value.clone();
    // Only a process that holds this home's serve lock is its server; a pid in state.json alone
    // may belong to an unrelated process by now.
    let Some(s) = server::running(&home) else {
        ctx.printer.progress("dspy-agent serve is not running");
        if ctx.printer.json {
            ctx.printer.json_document(stop_document(None, false))?;
        }
        return Ok(ExitStatus::Success);
    };
    let pid = s.pid;
    // The drain the server actually applies: a server already draining (after a SIGTERM, or an
    // earlier `serve stop`) keeps its first timeout, and is not killed before that one ends.
    let drain = match ask_to_stop(&home, &s, timeout).await {
        Ok(drain) => drain,
        Err(why) => {
            // An older server without the RPC, or one that does not answer: SIGTERM, checked
            // against the lock. It drains for its own scheduler.shutdown_timeout_s.
            ctx.printer.warn(format!(
                "the server did not take the Shutdown request ({why}); sending SIGTERM"
            ));
            if !server::lock::signal_server(&home, pid, Sig::Term) {
                ctx.printer.progress("dspy-agent serve is not running");
                if ctx.printer.json {
                    ctx.printer.json_document(stop_document(None, false))?;
                }
                return Ok(ExitStatus::Success);
            }
            timeout.max(settings.scheduler.shutdown_timeout_s.value)
        }
    };
    ctx.printer.progress(format!(
        "stopping dspy-agent serve (pid {pid}): running tasks may finish"
    ));
    let killed = wait_for_exit(&home, pid, drain).await;
    if ctx.printer.json {
        ctx.printer
            .json_document(stop_document(Some(pid), killed))?;
    } else if killed {
        ctx.printer.warn(format!(
            "the server did not stop within {drain}s and was killed; its unfinished tasks stay in the store"
        ));
    } else {
        ctx.printer.progress("stopped");
    }
    Ok(ExitStatus::Success)
}

/// The Shutdown RPC, with the drain timeout and the pid it is meant for. Returns the drain
/// timeout the server applies.
async fn ask_to_stop(
    home: &Path,
    s: &ServeState,
    timeout: f64,
) -> std::result::Result<f64, String> {
    let request = async {
        let mut c = client::connect_to(home, &client::Target::of(s))
            .await
            .map_err(|e| e.message)?;
        c.shutdown(pb::ShutdownRequest {
            pid: s.pid,
            drain_timeout_seconds: Some(timeout),
        })
        .await
        .map(|r| r.into_inner().drain_timeout_seconds)
        .map_err(|e| e.message().to_string())
    };
    tokio::time::timeout(SHUTDOWN_RPC_TIMEOUT, request)
        .await
        .unwrap_or_else(|_| Err("no answer".into()))
}

/// Wait for the server to exit. If it still holds the lock a little after its drain timeout,
/// SIGKILL it; returns whether that happened.
async fn wait_for_exit(home: &std::path::Path, pid: u32, timeout: f64) -> bool {
    let deadline = Instant::now() + server::clock::seconds(timeout + 10.0);
    let mut released: Option<Instant> = None;
    while os::pid_alive(pid) {
        // Once the lock is gone, the pid is no proof of anything for long: it may be reused.
        if released.is_none() && !server::lock::holds_serve_lock(home, pid) {
            released = Some(Instant::now());
        }
        if released.is_some_and(|t| t.elapsed() > EXIT_GRACE) {
            return false;
        }
        if Instant::now() >= deadline {
            if !server::lock::signal_server(home, pid, Sig::Kill) {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = StateFile::new(home).update(|st| {
                if st.serve.as_ref().is_some_and(|v| v.pid == pid) {
                    st.serve = None;
                }
            });
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}
