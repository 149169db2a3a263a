//! `dspy-agent bench --workers`: batch submission and remote workers, on private servers.
//! - SubmitTasks throughput: `batch_submissions` pull-worker tasks (they stay queued, so only
//!   the durable submission path is measured) in batches of `batch_size`, 4 calls in flight
//!   over 4 HTTP/2 connections;
//! - end to end: `worker_tasks` no-op `command` tasks (`true`) run by `serve` itself (a local
//!   class of concurrency 12), then the same tasks through 3 `dspy-agent worker` processes of
//!   concurrency 4 (a `workers` class): tasks per second from the first submission to the last
//!   completion, and each task's time from its submission (the client's clock before its
//!   SubmitTasks call) to its completion (the server's `finished_at_ms`, the same clock).

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::json;
use tokio_stream::StreamExt;

use crate::cli::BenchArgs;
use crate::commands::Ctx;
use crate::commands::bench::{Server, Variant, start_server_with, summary};
use crate::commands::client::{self, Client};
use crate::error::{Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;

/// The remote workers of the end-to-end run, and the concurrency of each.
const WORKERS: usize = 3;
const PER_WORKER: usize = 4;

const CONFIG: &str = "[scheduler.classes.cpu_short]\nconcurrency = 12\n\
[scheduler.classes.cpu_long]\nexecutor = \"workers\"\nconcurrency = 12\n";

fn fail(s: tonic::Status) -> Error {
    Error::runtime(format!("bench request failed: {s}"))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn task(id: String, class: &str, payload: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id,
        class: class.into(),
        payload_json: payload.into(),
        ..Default::default()
    }
}

/// Durable SubmitTasks throughput: (seconds, tasks per second).
async fn batch_throughput(
    clients: &[Client],
    total: usize,
    batch: usize,
    prefix: &'static str,
) -> Result<(f64, f64)> {
    // One call in flight per client (connection).
    let batches: Vec<(usize, usize)> = (0..total)
        .step_by(batch.max(1))
        .map(|start| (start, (start + batch).min(total)))
        .collect();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let batches = std::sync::Arc::new(batches);
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for c in clients {
        let mut c = c.clone();
        let (next, batches) = (next.clone(), batches.clone());
        set.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(from, to)) = batches.get(i) else {
                    return Ok::<(), Error>(());
                };
                let tasks = (from..to)
                    .map(|n| task(format!("{prefix}-{n}"), "cpu_short", r#"{"data":"value"}"#))
                    .collect();
                let r = c
                    .submit_tasks(pb::SubmitTasksRequest { tasks })
                    .await
                    .map_err(fail)?
                    .into_inner();
                if r.results.iter().any(|r| r.outcome != "created") {
                    return Err(Error::runtime("a batch task was not created"));
                }
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(|e| Error::runtime(e.to_string()))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok((seconds, total as f64 / seconds))
}

/// Submit `n` no-op command tasks of `class` in batches of 1,000 and wait for every one to
/// complete: tasks per second, and each one's submission-to-completion time in ms.
async fn end_to_end(
    c: &mut Client,
    n: usize,
    class: &str,
    prefix: &str,
) -> Result<(f64, Vec<f64>)> {
    // Subscribed before the first submission, so that no completion is missed, and read
    // while the tasks are submitted: a stream left unread falls behind the server's event
    // bus and is ended (the server answers RESOURCE_EXHAUSTED, "resubscribe").
    let mut stream = c
        .stream_task_results(pb::StreamTaskResultsRequest::default())
        .await
        .map_err(fail)?
        .into_inner();
    let (tx, mut results) = tokio::sync::mpsc::unbounded_channel();
    // A JoinSet aborts the reader when it is dropped, an early return included.
    let mut reader = tokio::task::JoinSet::new();
    reader.spawn(async move {
        while let Some(r) = stream.next().await {
            let end = r.is_err();
            if tx.send(r).is_err() || end {
                break;
            }
        }
    });
    let payload = json!({ "command": "true" }).to_string();
    let mut submitted_ms: HashMap<String, u64> = HashMap::with_capacity(n);
    let started = Instant::now();
    for from in (0..n).step_by(1000) {
        let sent = now_ms();
        let tasks: Vec<_> = (from..(from + 1000).min(n))
            .map(|i| task(format!("{prefix}-{i}"), class, &payload))
            .collect();
        for t in &tasks {
            submitted_ms.insert(t.task_id.clone(), sent);
        }
        c.submit_tasks(pb::SubmitTasksRequest { tasks })
            .await
            .map_err(fail)?;
    }
    let mut latencies = Vec::with_capacity(n);
    let deadline = Instant::now() + Duration::from_secs(900);
    while latencies.len() < n {
        let next = tokio::time::timeout_at(deadline.into(), results.recv()).await;
        let r = match next {
            Ok(Some(Ok(r))) => r,
            Ok(Some(Err(s))) => return Err(fail(s)),
            Ok(None) => return Err(Error::runtime("the result stream ended")),
            Err(_) => {
                return Err(Error::runtime(format!(
                    "only {} of {n} {prefix} tasks completed in 15 minutes",
                    latencies.len()
                )));
            }
        };
        let Some(sent) = submitted_ms.remove(&r.task_id) else {
            continue;
        };
        if r.status != "completed" {
            return Err(Error::runtime(format!(
                "task {} ended {}: {}",
                r.task_id, r.status, r.error
            )));
        }
        latencies.push(r.finished_at_ms.saturating_sub(sent) as f64);
    }
    Ok((n as f64 / started.elapsed().as_secs_f64(), latencies))
}

/// `dspy-agent worker` processes of this executable, each with its own home and the token.
fn spawn_workers(server: &Server, addr: &str, token: &str) -> Result<Vec<Child>> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("cannot find this executable: {e}")))?;
    (0..WORKERS)
        .map(|n| {
            let home = server.home.join(format!("worker-{n}"));
            crate::state::ensure_home(&home)?;
            Command::new(&exe)
                .args(["worker", "--server", addr, "--classes", "cpu_long"])
                .args(["--concurrency", &PER_WORKER.to_string()])
                .args(["--name", &format!("bench-{n}")])
                .env("DSPY_AGENT_HOME", &home)
                .env("DSPY_AGENT_TOKEN", token)
                .env_remove("DSPY_AGENT_TLS_CA")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| Error::runtime(format!("cannot start a worker: {e}")))
        })
        .collect()
}

pub async fn run(ctx: &Ctx, args: &BenchArgs) -> Result<ExitStatus> {
    let p = &ctx.printer;
    // 1. SubmitTasks throughput, on its own server.
    let (server, addr) = start_server_with(Variant::default(), "batch", &[], "").await?;
    let mut clients = Vec::new();
    let in_flight = usize::from(args.batch_in_flight);
    for _ in 0..in_flight {
        clients.push(client::connect_to(&server.home, &addr).await?);
    }
    batch_throughput(&clients, args.batch_size * 4, args.batch_size, "warm").await?;
    let cpu = |pid: u32| crate::os::procfs::cpu_seconds(pid);
    let (server_cpu, own_cpu) = (cpu(server.child.id()), cpu(std::process::id()));
    let (seconds, per_second) =
        batch_throughput(&clients, args.batch_submissions, args.batch_size, "b").await?;
    // CPU per task, which the machine's other load does not change as much as the rate.
    let per_task_us =
        |before: f64, after: f64| (after - before) * 1e6 / args.batch_submissions as f64;
    let server_us = per_task_us(server_cpu, cpu(server.child.id()));
    let client_us = per_task_us(own_cpu, cpu(std::process::id()));
    p.progress(format!(
        "SubmitTasks: {} durable submissions in {seconds:.2} s = {per_second:.0}/s (batches of {}, {in_flight} in flight); CPU per task: server {server_us:.2} µs, client {client_us:.2} µs",
        args.batch_submissions, args.batch_size
    ));
    drop(clients);
    drop(server);

    // 2. End to end: serve itself, then 3 workers, on one server.
    let (server, addr) = start_server_with(Variant::default(), "workers", &[], CONFIG).await?;
    let mut c = client::connect_to(&server.home, &addr).await?;
    let n = args.worker_tasks;
    let (local_rate, local) = end_to_end(&mut c, n, "cpu_short", "local").await?;
    p.progress(format!(
        "serve itself: {n} no-op tasks at {local_rate:.0}/s (concurrency 12)"
    ));
    let token = crate::server::auth::tokens::create(
        &server.home,
        "bench-workers",
        crate::server::auth::Role::Worker,
    )?;
    let mut workers = spawn_workers(&server, &addr.addr, &token)?;
    let remote = end_to_end(&mut c, n, "cpu_long", "remote").await;
    for w in &mut workers {
        let _ = crate::os::signal(w.id(), crate::os::Sig::Term);
    }
    for w in &mut workers {
        let _ = w.wait();
    }
    let (remote_rate, remote) = remote?;
    p.progress(format!(
        "{WORKERS} workers: {n} no-op tasks at {remote_rate:.0}/s (concurrency {PER_WORKER} each)"
    ));
    let report = json!({
        "submit_tasks": {
            "submissions": args.batch_submissions,
            "batch_size": args.batch_size,
            "in_flight": in_flight,
            "seconds": seconds,
            "per_second": per_second,
            "server_cpu_us_per_task": server_us,
            "client_cpu_us_per_task": client_us,
        },
        "end_to_end": {
            "tasks": n,
            "serve_itself": { "per_second": local_rate, "submit_to_done": summary(local) },
            "workers": {
                "workers": WORKERS,
                "concurrency_each": PER_WORKER,
                "per_second": remote_rate,
                "submit_to_done": summary(remote),
            },
        },
    });
    if p.json {
        p.json_document(report)?;
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    }
    Ok(ExitStatus::Success)
}
