//! `dspy-agent bench --workflows`: on a private server with 4 in-process pull workers (real
//! gRPC clients doing LeaseTasks and CompleteTask), measure
//! - the scheduler's own rate: plain worker tasks submitted at once, completed by the workers;
//! - its own dispatch: one task at a time, from sending SubmitTask to a worker's lease;
//! - a chain of no-op steps: per step, from the worker sending CompleteTask for step k-1 to a
//!   worker's lease of step k (the CompleteTask call, the engine, the durable submission of
//!   step k and the lease's wake-up: everything between two steps);
//! - a map on the same 4 workers: items per second from StartWorkflowRun to the run's end.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::cli::BenchArgs;
use crate::commands::Ctx;
use crate::commands::bench::{Variant, start_server, summary};
use crate::commands::client::{self, Client};
use crate::error::{Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;

const WORKERS: usize = 4;

/// When each task was leased, when its CompleteTask was sent, and when it was answered.
#[derive(Default)]
struct Times {
    leased: HashMap<String, Instant>,
    /// When the worker sent CompleteTask, and when it was answered.
    completing: HashMap<String, Instant>,
    completed: HashMap<String, Instant>,
}

fn fail(s: tonic::Status) -> Error {
    Error::runtime(format!("bench request failed: {s}"))
}

/// A pull worker: lease up to 64, complete each at once with an empty result.
async fn worker(mut c: Client, n: usize, times: Arc<Mutex<Times>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(r) = c
            .lease_tasks(pb::LeaseTasksRequest {
                worker_id: format!("bench-{n}"),
                classes: vec!["cpu_short".into()],
                max: 64,
                lease_seconds: 60.0,
                wait_ms: 200,
                ..Default::default()
            })
            .await
        else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // The batch completes concurrently, as a worker with concurrency 64 would.
        let batch = r.into_inner().tasks.into_iter().map(|t| {
            let mut c = c.clone();
            let times = times.clone();
            async move {
                let leased = Instant::now();
                {
                    let mut g = lock(&times);
                    g.leased.insert(t.task_id.clone(), leased);
                    g.completing.insert(t.task_id.clone(), Instant::now());
                }
                let _ = c
                    .complete_task(pb::CompleteTaskRequest {
                        task_id: t.task_id.clone(),
                        lease_id: t.lease_id,
                        success: true,
                        result: HashMap::new(),
                        error: String::new(),
                        hand_back: false,
                    })
                    .await;
                lock(&times).completed.insert(t.task_id, Instant::now());
            }
        });
        futures_util::future::join_all(batch).await;
    }
}

fn lock(t: &Mutex<Times>) -> std::sync::MutexGuard<'_, Times> {
    t.lock().unwrap_or_else(|p| p.into_inner())
}

fn noop(id: String) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id,
        payload: HashMap::from([("noop".to_string(), "1".to_string())]),
        class: "cpu_short".into(),
        ..Default::default()
    }
}

/// Start a run and follow its stream to the end; (seconds, final status).
async fn run_to_end(c: &mut Client, workflow: &str, run_id: &str) -> Result<(f64, String)> {
    let started = Instant::now();
    c.start_workflow_run(pb::StartWorkflowRunRequest {
        workflow: workflow.into(),
        run_id: run_id.into(),
        ..Default::default()
    })
    .await
    .map_err(fail)?;
    let mut stream = c
        .stream_workflow_status(pb::StreamWorkflowStatusRequest {
            run_id: run_id.into(),
        })
        .await
        .map_err(fail)?
        .into_inner();
    while let Some(m) = stream.message().await.map_err(fail)? {
        if m.kind == "end" {
            let status = m.run.map(|r| r.status).unwrap_or_default();
            return Ok((started.elapsed().as_secs_f64(), status));
        }
    }
    Err(Error::runtime(format!(
        "the stream of {run_id} ended early"
    )))
}

pub async fn run(ctx: &Ctx, args: &BenchArgs) -> Result<ExitStatus> {
    let (server, addr) = start_server(Variant::default(), "workflows", &[]).await?;
    let mut one = client::connect_to(&server.home, &addr).await?;
    let times = Arc::new(Mutex::new(Times::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for n in 0..WORKERS {
        let c = client::connect_to(&server.home, &addr).await?;
        workers.push(tokio::spawn(worker(c, n, times.clone(), stop.clone())));
    }

    // 1. The scheduler's own rate on these workers: `map_items` plain tasks at once.
    let n = args.map_items;
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for chunk in 0..16 {
        let mut c = one.clone();
        set.spawn(async move {
            for i in (chunk..n).step_by(16) {
                c.submit_task(noop(format!("plain-{i}"))).await?;
            }
            Ok::<(), tonic::Status>(())
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(|e| Error::runtime(e.to_string()))?
            .map_err(fail)?;
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    while lock(&times)
        .completed
        .keys()
        .filter(|k| k.starts_with("plain-"))
        .count()
        < n
    {
        if Instant::now() > deadline {
            return Err(Error::runtime(
                "the plain tasks did not finish in 10 minutes",
            ));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let plain_rate = n as f64 / started.elapsed().as_secs_f64();
    ctx.printer
        .progress(format!("scheduler: {n} plain tasks at {plain_rate:.0}/s"));

    // 2. The scheduler's own dispatch, one task at a time: SubmitTask sent -> leased.
    let mut dispatch = Vec::new();
    for i in 0..args.chain_steps.min(1000) {
        let id = format!("seq-{i}");
        let sent = Instant::now();
        one.submit_task(noop(id.clone())).await.map_err(fail)?;
        loop {
            let leased = {
                let t = lock(&times);
                t.completed.get(&id).and(t.leased.get(&id).copied())
            };
            if let Some(at) = leased {
                dispatch.push(at.saturating_duration_since(sent).as_secs_f64() * 1000.0);
                break;
            }
            tokio::task::yield_now().await;
        }
    }

    // 3. A chain of no-op steps.
    let steps: Vec<serde_json::Value> = (0..args.chain_steps)
        .map(|i| {
            let deps: Vec<String> = if i == 0 {
                vec![]
            } else {
                vec![format!("s{}", i - 1)]
            };
            json!({"id": format!("s{i}"), "depends": deps, "payload": {"noop": 1}})
        })
        .collect();
    let spec = json!({"name": "chain", "steps": steps});
    one.create_workflow(pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    })
    .await
    .map_err(fail)?;
    let (chain_s, chain_status) = run_to_end(&mut one, "chain", "chain-1").await?;
    let mut per_step = Vec::new();
    {
        let t = lock(&times);
        for i in 1..args.chain_steps {
            let prev = format!("wf:chain-1:s{}:-:1.1", i - 1);
            let this = format!("wf:chain-1:s{i}:-:1.1");
            if let (Some(done), Some(leased)) = (t.completing.get(&prev), t.leased.get(&this)) {
                per_step.push(leased.saturating_duration_since(*done).as_secs_f64() * 1000.0);
            }
        }
    }
    ctx.printer.progress(format!(
        "chain: {} steps {chain_status} in {chain_s:.2}s",
        args.chain_steps
    ));

    // 4. A map on the same workers.
    let spec = json!({"name": "fan", "params": {"xs": (0..args.map_items).collect::<Vec<_>>()},
        "steps": [{"id": "m", "map": "${params.xs}", "max_parallel": 2000,
                   "payload": {"x": "${item}"}}]});
    one.create_workflow(pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    })
    .await
    .map_err(fail)?;
    let (map_s, map_status) = run_to_end(&mut one, "fan", "fan-1").await?;
    let map_rate = args.map_items as f64 / map_s;
    ctx.printer.progress(format!(
        "map: {} items {map_status} in {map_s:.2}s",
        args.map_items
    ));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.await;
    }
    drop(server);

    let dispatch = summary(dispatch);
    let per_step = summary(per_step);
    let overhead_p50 =
        per_step["p50_ms"].as_f64().unwrap_or(0.0) - dispatch["p50_ms"].as_f64().unwrap_or(0.0);
    let doc = json!({
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "workers": WORKERS,
        "scheduler_tasks_per_second": plain_rate,
        "scheduler_dispatch": dispatch,
        "chain": {"steps": args.chain_steps, "status": chain_status, "seconds": chain_s,
                  "step_to_step": per_step, "overhead_p50_ms": overhead_p50},
        "map": {"items": args.map_items, "status": map_status, "seconds": map_s,
                "items_per_second": map_rate},
    });
    if ctx.printer.json {
        ctx.printer.json_document(doc)?;
        return Ok(ExitStatus::Success);
    }
    let ms = |v: &serde_json::Value, k: &str| format!("{:.3} ms", v[k].as_f64().unwrap_or(0.0));
    let rows = vec![
        vec![
            format!("scheduler: plain tasks/s on {WORKERS} pull workers"),
            format!("{plain_rate:.0}"),
        ],
        vec![
            "scheduler: one task, SubmitTask sent -> leased, p50".into(),
            ms(&doc["scheduler_dispatch"], "p50_ms"),
        ],
        vec![
            format!(
                "chain of {}: CompleteTask(k-1) sent -> step k leased, p50",
                args.chain_steps
            ),
            ms(&doc["chain"]["step_to_step"], "p50_ms"),
        ],
        vec![
            "chain: p99".into(),
            ms(&doc["chain"]["step_to_step"], "p99_ms"),
        ],
        vec![
            "chain: workflow overhead per step, p50 (minus one dispatch)".into(),
            format!("{overhead_p50:.3} ms"),
        ],
        vec![
            format!("map of {}: items/s", args.map_items),
            format!("{map_rate:.0}"),
        ],
    ];
    ctx.printer.table(&["measure", "value"], rows)?;
    Ok(ExitStatus::Success)
}
