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
pub(crate) const CONNECTIONS: usize = 4;

pub(crate) struct Server {
    pub(crate) child: std::process::Child,
    pub(crate) home: PathBuf,
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

/// How a bench server and its clients are secured. Tokens are always checked; `named_token`
/// uses a named `submit` token (looked up among the home's named tokens) instead of the
/// home's own, and `tls` serves a self-signed certificate that the clients verify.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Variant {
    named_token: bool,
    tls: bool,
}

impl Variant {
    fn label(self) -> &'static str {
        match (self.named_token, self.tls) {
            (false, false) => "home token, no TLS",
            (true, false) => "named token",
            (false, true) => "home token + TLS",
            (true, true) => "named token + TLS",
        }
    }
}

/// A private server for one measurement, secured as `variant`, with `extra_env` set.
pub(crate) async fn start_server(
    variant: Variant,
    tag: &str,
    extra_env: &[(&str, String)],
) -> Result<(Server, client::Target)> {
    start_server_with(variant, tag, extra_env, "").await
}

/// [`start_server`], with `config` in its config.toml.
pub(crate) async fn start_server_with(
    variant: Variant,
    tag: &str,
    extra_env: &[(&str, String)],
    config: &str,
) -> Result<(Server, client::Target)> {
    let home = std::env::temp_dir().join(format!("dspy-agent-bench-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    crate::state::ensure_home(&home)?;
    let mut text = String::from(config);
    if variant.tls {
        text.push_str("[tls]\nself_signed = true\n");
    }
    if !text.is_empty() {
        crate::state::write_atomic(&home.join("config.toml"), text.as_bytes())?;
    }
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
        .envs(extra_env.iter().map(|(k, v)| (k, v)))
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

async fn wait_for_addr(home: &Path, pid: u32) -> Result<client::Target> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(s) = StateFile::new(home).read().ok().and_then(|s| s.serve)
            && s.pid == pid
        {
            return Ok(client::Target::of(&s));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err(Error::runtime("the bench server did not start"))
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
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
        ..Default::default()
    }
}

/// A client of a bench server, with the variant's token.
async fn bench_client(server: &Server, addr: &client::Target, token: &str) -> Result<Client> {
    let (channel, _) = client::channel(&server.home, addr).await?;
    Ok(client::with_bearer(
        channel,
        client::Bearer::new(Some(token)),
    ))
}

/// The token a variant's clients send.
fn variant_token(server: &Server, variant: Variant) -> Result<String> {
    if variant.named_token {
        crate::server::auth::tokens::create(
            &server.home,
            "bench",
            crate::server::auth::Role::Submit,
        )
    } else {
        crate::server::auth::tokens::read_default(&server.home)
            .ok_or_else(|| Error::runtime("the bench server wrote no token"))
    }
}

/// Durable submissions with `in_flight` requests over `clients`: (seconds, per second).
pub(crate) async fn throughput(
    clients: &[Client],
    total: usize,
    in_flight: usize,
    prefix: &str,
    data: &HashMap<String, String>,
) -> Result<(f64, f64)> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..in_flight.max(1) {
        let mut c = clients[w % clients.len()].clone();
        let next = next.clone();
        let data = data.clone();
        let prefix = prefix.to_string();
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), tonic::Status>(());
                }
                c.submit_task(submit_req(format!("{prefix}-{i}"), data.clone()))
                    .await?;
            }
        });
    }
    while let Some(r) = workers.join_next().await {
        r.map_err(|e| Error::runtime(format!("bench worker failed: {e}")))?
            .map_err(|s| Error::runtime(format!("bench request failed: {s}")))?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok((elapsed, total as f64 / elapsed))
}

/// Single-client SubmitTask latencies, in milliseconds.
async fn submit_latency(
    one: &mut Client,
    samples: usize,
    prefix: &str,
    data: &HashMap<String, String>,
) -> Result<Vec<f64>> {
    let mut lat = Vec::with_capacity(samples);
    for i in 0..samples {
        let t = Instant::now();
        one.submit_task(submit_req(format!("{prefix}-{i}"), data.clone()))
            .await
            .map_err(|s| Error::runtime(format!("bench request failed: {s}")))?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(lat)
}

/// Throughput and SubmitTask latency on a fresh server secured as `variant`.
async fn measure_variant(
    args: &BenchArgs,
    variant: Variant,
    tag: &str,
    data: &HashMap<String, String>,
) -> Result<serde_json::Value> {
    let (server, addr) = start_server(variant, tag, &[]).await?;
    let token = variant_token(&server, variant)?;
    let mut one = bench_client(&server, &addr, &token).await?;
    let _ = submit_latency(&mut one, 200, &format!("{tag}-warm"), data).await?;
    let mut clients = Vec::new();
    for _ in 0..CONNECTIONS {
        clients.push(bench_client(&server, &addr, &token).await?);
    }
    let (seconds, per_second) = throughput(
        &clients,
        args.submissions,
        args.concurrency,
        &format!("{tag}-tp"),
        data,
    )
    .await?;
    let lat = submit_latency(&mut one, args.samples, &format!("{tag}-lat"), data).await?;
    Ok(json!({
        "variant": variant.label(),
        "seconds": seconds,
        "per_second": per_second,
        "submit_latency": summary(lat),
    }))
}

pub async fn run(ctx: &Ctx, args: BenchArgs) -> Result<ExitStatus> {
    if let Some(jobs) = args.slurm {
        return crate::commands::bench_slurm::run(ctx, jobs, args.slurm_poll_interval_s).await;
    }
    if args.workflows {
        return crate::commands::bench_workflows::run(ctx, &args).await;
    }
    if args.workers {
        return crate::commands::bench_workers::run(ctx, &args).await;
    }
    if let Some(tasks) = args.ui {
        return crate::commands::bench_ui::run(ctx, tasks, &args).await;
    }
    let (server, addr) = start_server(Variant::default(), "main", &[]).await?;
    let pid = server.child.id();
    let fail = |s: tonic::Status| Error::runtime(format!("bench request failed: {s}"));
    let mut one = client::connect_to(&server.home, &addr).await?;
    one.health(pb::HealthRequest {}).await.map_err(fail)?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss_kb = os::procfs::rss_kb(pid);
    ctx.printer.progress(format!(
        "server pid {pid} at {}, idle RSS {idle_rss_kb} kB",
        addr.addr
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
        clients.push(client::connect_to(&server.home, &addr).await?);
    }
    let total = args.submissions;
    let (elapsed, throughput) = throughput(&clients, total, args.concurrency, "tp", &data).await?;
    let group_syncs = syncs(&mut one).await.saturating_sub(syncs_before);
    ctx.printer.progress(format!(
        "throughput: {total} durable submissions in {elapsed:.2}s = {throughput:.0}/s at {} in flight",
        args.concurrency
    ));

    // 2. Single-client SubmitTask latency.
    let submit_lat = submit_latency(&mut one, args.samples, "lat", &data).await?;
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

    drop(server);

    // 5. The same submissions on a server secured as asked (--auth, --tls), in this run.
    let secured = if args.auth || args.tls {
        let variant = Variant {
            named_token: args.auth,
            tls: args.tls,
        };
        ctx.printer
            .progress(format!("again with {}", variant.label()));
        Some(measure_variant(&args, variant, "secured", &data).await?)
    } else {
        None
    };

    let mut doc = json!({
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
    if let Some(sec) = &secured {
        doc["secured"] = sec.clone();
    }
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
    let mut rows = rows;
    if let Some(sec) = &secured {
        let label = sec["variant"].as_str().unwrap_or_default();
        let per_second = sec["per_second"].as_f64().unwrap_or(0.0);
        let p50 = sec["submit_latency"]["p50_ms"].as_f64().unwrap_or(0.0);
        let base_p50 = doc["submit_latency"]["p50_ms"].as_f64().unwrap_or(0.0);
        let change = |new: f64, old: f64| format!("{:+.1}%", (new / old.max(1e-9) - 1.0) * 100.0);
        rows.push(vec![
            format!("durable submissions/s ({label})"),
            format!("{per_second:.0} ({})", change(per_second, throughput)),
        ]);
        rows.push(vec![
            format!("SubmitTask p50 ({label})"),
            format!("{p50:.3} ms ({})", change(p50, base_p50)),
        ]);
    }
    ctx.printer.table(&["measure", "value"], rows)?;
    Ok(ExitStatus::Success)
}
