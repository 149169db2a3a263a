//! `dspy-agent bench`: start a private server (temporary home, free ports) and measure durable
//! SubmitTask throughput with many requests in flight, single-client SubmitTask and
//! GetTaskStatus latency, submission-to-process-start delay, and the server's idle memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cli::BenchArgs;
use crate::commands::Ctx;
use crate::commands::client::{self, Client};
use crate::error::{Error, ExitStatus, Result};
use crate::os::{self, Sig};
use crate::proto::orchestrator as pb;
use crate::state::StateFile;

/// HTTP/2 connections the throughput run spreads its requests over.
const CONNECTIONS: usize = 4;

pub(crate) struct Server {
    pub(crate) child: std::process::Child,
    home: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = os::signal(self.child.id(), Sig::Term);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

pub(crate) async fn start_server() -> Result<(Server, String)> {
    let home = std::env::temp_dir().join(format!("dspy-agent-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    crate::state::ensure_home(&home)?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::runtime(format!("cannot find this executable: {e}")))?;
    let child = std::process::Command::new(exe)
        .arg("serve")
        .env("DSPY_AGENT_HOME", &home)
        .env(
            "DSPY_AGENT_PROJECT",
            format!("bench-{}", std::process::id()),
        )
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_RETENTION_COUNT", "500000")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .map_err(|e| Error::runtime(format!("cannot start the server: {e}")))?;
    let pid = child.id();
    let server = Server { child, home };
    let addr = wait_for_addr(&server.home, pid).await?;
    Ok((server, addr))
}

async fn wait_for_addr(home: &Path, pid: u32) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(s) = StateFile::new(home).read().ok().and_then(|s| s.serve)
            && s.pid == pid
        {
            return Ok(s.orchestrator_addr);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(Error::runtime("the bench server did not start"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn summary(mut v: Vec<f64>) -> serde_json::Value {
    v.sort_by(|a, b| a.total_cmp(b));
    json!({
        "p50_ms": percentile(&v, 0.50),
        "p90_ms": percentile(&v, 0.90),
        "p99_ms": percentile(&v, 0.99),
        "max_ms": v.last().copied().unwrap_or(0.0),
        "samples": v.len(),
    })
}

fn submit_req(id: String, payload: HashMap<String, String>) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id,
        payload,
        class: "cpu_short".into(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
    }
}

pub async fn run(ctx: &Ctx, args: BenchArgs) -> Result<ExitStatus> {
    if args.workflows {
        return crate::commands::bench_workflows::run(ctx, &args).await;
    }
    let (server, addr) = start_server().await?;
    let pid = server.child.id();
    let fail = |s: tonic::Status| Error::runtime(format!("bench request failed: {s}"));
    let mut one = client::connect_to(&addr).await?;
    one.health(pb::HealthRequest {}).await.map_err(fail)?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss_kb = os::procfs::rss_kb(pid);
    ctx.printer.progress(format!(
        "server pid {pid} at {addr}, idle RSS {idle_rss_kb} kB"
    ));

    // Pull-worker tasks (no command, no handler): they stay queued, so this measures the
    // durable submission path alone.
    let data: HashMap<String, String> = HashMap::from([("data".into(), "\"value\"".into())]);

    // Warm up connections and code paths.
    for i in 0..200 {
        one.submit_task(submit_req(format!("warm-{i}"), data.clone()))
            .await
            .map_err(fail)?;
    }

    let syncs = |c: &mut Client| {
        let mut c = c.clone();
        async move {
            c.get_metrics(pb::GetMetricsRequest {
                metric_names: vec!["orchestrator_journal_syncs_total".into()],
            })
            .await
            .ok()
            .and_then(|m| m.into_inner().metrics.first().map(|m| m.value as u64))
            .unwrap_or(0)
        }
    };
    let syncs_before = syncs(&mut one).await;

    // 1. Throughput with `concurrency` requests in flight.
    let mut clients: Vec<Client> = Vec::new();
    for _ in 0..CONNECTIONS {
        clients.push(client::connect_to(&addr).await?);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let total = args.submissions;
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..args.concurrency.max(1) {
        let mut c = clients[w % CONNECTIONS].clone();
        let next = next.clone();
        let data = data.clone();
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), tonic::Status>(());
                }
                c.submit_task(submit_req(format!("tp-{i}"), data.clone()))
                    .await?;
            }
        });
    }
    while let Some(r) = workers.join_next().await {
        r.map_err(|e| Error::runtime(format!("bench worker failed: {e}")))?
            .map_err(fail)?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let throughput = total as f64 / elapsed;
    let group_syncs = syncs(&mut one).await.saturating_sub(syncs_before);
    ctx.printer.progress(format!(
        "throughput: {total} durable submissions in {elapsed:.2}s = {throughput:.0}/s at {} in flight",
        args.concurrency
    ));

    // 2. Single-client SubmitTask latency.
    let mut submit_lat = Vec::with_capacity(args.samples);
    for i in 0..args.samples {
        let t = Instant::now();
        one.submit_task(submit_req(format!("lat-{i}"), data.clone()))
            .await
            .map_err(fail)?;
        submit_lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // 3. GetTaskStatus latency.
    let mut get_lat = Vec::with_capacity(args.samples);
    for i in 0..args.samples {
        let t = Instant::now();
        one.get_task_status(pb::GetTaskStatusRequest {
            task_id: format!("lat-{i}"),
        })
        .await
        .map_err(fail)?;
        get_lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    // 4. Submission to process start on an otherwise idle server: the process prints its own
    // start time (ns since the epoch).
    let mut results = one
        .stream_task_results(pb::StreamTaskResultsRequest {
            task_ids: vec![],
            include_completed: false,
        })
        .await
        .map_err(fail)?
        .into_inner();
    let mut start_lat = Vec::with_capacity(args.starts);
    for i in 0..args.starts {
        let id = format!("start-{i}");
        let payload = HashMap::from([("command".to_string(), "[\"date\", \"+%s%N\"]".to_string())]);
        let sent_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        one.submit_task(submit_req(id.clone(), payload))
            .await
            .map_err(fail)?;
        loop {
            let r = results
                .message()
                .await
                .map_err(fail)?
                .ok_or_else(|| Error::runtime("the result stream ended"))?;
            if r.task_id != id {
                continue;
            }
            let started_ns: u128 = r
                .result
                .get("stdout_tail")
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| Error::runtime(format!("task {id} printed no start time: {r:?}")))?;
            start_lat.push(started_ns.saturating_sub(sent_ns) as f64 / 1e6);
            break;
        }
    }
    drop(results);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after_kb = os::procfs::rss_kb(pid);

    let doc = json!({
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "submit_throughput": {
            "submissions": total,
            "in_flight": args.concurrency,
            "connections": CONNECTIONS,
            "seconds": elapsed,
            "per_second": throughput,
            "fdatasyncs": group_syncs,
        },
        "submit_latency": summary(submit_lat),
        "get_status_latency": summary(get_lat),
        "submit_to_start": summary(start_lat),
        "idle_rss_kb": idle_rss_kb,
        "rss_after_kb": rss_after_kb,
    });
    drop(server);
    if ctx.printer.json {
        ctx.printer.json_document(doc)?;
        return Ok(ExitStatus::Success);
    }
    let ms = |v: &serde_json::Value, k: &str| format!("{:.3} ms", v[k].as_f64().unwrap_or(0.0));
    let rows = vec![
        vec![
            format!("durable submissions/s ({} in flight)", args.concurrency),
            format!("{throughput:.0}"),
        ],
        vec![
            "fdatasync calls during it".into(),
            format!(
                "{group_syncs} ({:.0} submissions per sync)",
                total as f64 / group_syncs.max(1) as f64
            ),
        ],
        vec![
            "SubmitTask p50".into(),
            ms(&doc["submit_latency"], "p50_ms"),
        ],
        vec![
            "SubmitTask p99".into(),
            ms(&doc["submit_latency"], "p99_ms"),
        ],
        vec![
            "GetTaskStatus p50".into(),
            ms(&doc["get_status_latency"], "p50_ms"),
        ],
        vec![
            "GetTaskStatus p99".into(),
            ms(&doc["get_status_latency"], "p99_ms"),
        ],
        vec![
            "submit to process start p50".into(),
            ms(&doc["submit_to_start"], "p50_ms"),
        ],
        vec![
            "submit to process start p99".into(),
            ms(&doc["submit_to_start"], "p99_ms"),
        ],
        vec![
            "idle RSS".into(),
            format!("{:.1} MB", idle_rss_kb as f64 / 1024.0),
        ],
        vec![
            "RSS after the runs".into(),
            format!("{:.1} MB", rss_after_kb as f64 / 1024.0),
        ],
    ];
    ctx.printer.table(&["measure", "value"], rows)?;
    Ok(ExitStatus::Success)
}
