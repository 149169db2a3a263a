//! `dspy-agent worker`: a pull worker on any machine. It leases tasks of its classes from a
//! `serve` over gRPC, runs their `command` or `image` payloads with the server's own executor
//! (`server::executor::run`: process groups, cgroups, timeouts, output tails, the JSON last
//! line, containers on this machine's Docker), extends each lease while the task runs and
//! reports with CompleteTask. It knows nothing of the CLI beyond the gRPC client it is given.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, oneshot};

use crate::commands::client::Client;
use crate::proto::orchestrator as pb;
use crate::server::executor::{self, Kill, Plan, RunSpec};

pub struct Config {
    pub name: String,
    pub classes: Vec<String>,
    pub concurrency: usize,
    /// The GPUs this worker offers, by UUID (empty: it does not schedule GPUs).
    pub gpus: Vec<String>,
    pub lease_s: f64,
    /// How long running tasks may go on after SIGTERM before they are stopped.
    pub drain: Duration,
    pub project: String,
    pub docker_host: crate::runtime::Engine,
}

/// Tasks this worker finished, for its last log line.
#[derive(Default)]
pub struct Counts {
    pub done: std::sync::atomic::AtomicU64,
    pub failed: std::sync::atomic::AtomicU64,
    pub dropped: std::sync::atomic::AtomicU64,
}

/// What a leased task runs: its `image` in a container, its `command` as a process group.
fn plan(payload: &str) -> Plan {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(payload).unwrap_or_default();
    let command = object.get("command").map(executor::parse_command);
    match (object.get("image"), command) {
        (Some(serde_json::Value::String(image)), command) => Plan::Container {
            image: image.clone(),
            command: command.and_then(Result::ok),
        },
        (Some(_), _) => Plan::Invalid("payload `image` must be a string".into()),
        (None, Some(Ok(argv))) => Plan::Process { argv },
        (None, Some(Err(e))) => Plan::Invalid(format!("payload `command`: {e}")),
        (None, None) => Plan::Invalid(
            "payload has neither `command` nor `image`: dspy-agent worker runs only those".into(),
        ),
    }
}

/// Lease and run until `stop` resolves; then lease no more, let running tasks finish within
/// the drain time, stop the rest and hand them back (queued again at once; if the server
/// cannot be told, their leases expire and it queues them then).
pub async fn run(
    client: Client,
    cfg: Config,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Arc<Counts>, String> {
    let cfg = Arc::new(cfg);
    let counts = Arc::new(Counts::default());
    let slots = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
    let mut kills: Vec<oneshot::Sender<Kill>> = Vec::new();
    let mut backoff = Duration::from_millis(200);
    tokio::pin!(stop);
    register(&client, &cfg).await?;
    let mut reconnecting = true;
    loop {
        let first = tokio::select! {
            _ = &mut stop => break,
            p = slots.clone().acquire_owned() => p.expect("never closed"),
        };
        let mut permits = vec![first];
        while let Ok(p) = slots.clone().try_acquire_owned() {
            permits.push(p);
        }
        let req = pb::LeaseTasksRequest {
            worker_id: cfg.name.clone(),
            classes: cfg.classes.clone(),
            max: permits.len() as u32,
            lease_seconds: cfg.lease_s,
            wait_ms: 2000,
            gpus: cfg.gpus.clone(),
        };
        let mut c = client.clone();
        let leased = tokio::select! {
            _ = &mut stop => break,
            r = c.lease_tasks(req) => r,
        };
        let tasks = match leased {
            Ok(r) => {
                backoff = Duration::from_millis(200);
                let r = r.into_inner();
                if std::mem::take(&mut reconnecting) || r.unknown_worker {
                    // A restarted server has forgotten this worker (the registry is in memory).
                    let _ = register(&client, &cfg).await;
                }
                r.tasks
            }
            Err(s)
                if s.code() == tonic::Code::Unauthenticated
                    || s.code() == tonic::Code::PermissionDenied =>
            {
                return Err(format!(
                    "the server refused this worker ({:?}): {} (set DSPY_AGENT_TOKEN to a token with the worker role)",
                    s.code(),
                    s.message()
                ));
            }
            Err(s) => {
                tracing::warn!("lease failed ({}); retrying in {backoff:?}", s.message());
                reconnecting = true;
                drop(permits);
                tokio::select! {
                    _ = &mut stop => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
        };
        kills.retain(|k| !k.is_closed());
        for (task, permit) in tasks.into_iter().zip(permits.drain(..)) {
            let (kill_tx, kill_rx) = oneshot::channel();
            kills.push(kill_tx);
            let (client, cfg, counts) = (client.clone(), cfg.clone(), counts.clone());
            tokio::spawn(async move {
                run_one(client, &cfg, &counts, task, kill_rx).await;
                drop(permit);
            });
        }
    }
    // Draining: running tasks hold permits; wait for all of them, up to the drain time.
    let all = cfg.concurrency.max(1) as u32;
    let drained = tokio::time::timeout(cfg.drain, slots.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("drain time over; stopping the tasks still running");
        for k in kills {
            let _ = k.send(Kill::Shutdown);
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
    }
    Ok(counts)
}

/// RegisterWorker: who this worker is, for `dspy-agent workers` and GET /workers. A refused
/// token stops the worker; a server that is away is retried by the lease loop.
async fn register(client: &Client, cfg: &Config) -> Result<(), String> {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let req = pb::RegisterWorkerRequest {
        name: cfg.name.clone(),
        host: host.trim().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        classes: cfg.classes.clone(),
        concurrency: cfg.concurrency as u32,
        gpus: cfg.gpus.clone(),
        lease_seconds: cfg.lease_s,
    };
    match client.clone().register_worker(req).await {
        Err(s)
            if s.code() == tonic::Code::Unauthenticated
                || s.code() == tonic::Code::PermissionDenied =>
        {
            Err(format!(
                "the server refused this worker ({:?}): {} (set DSPY_AGENT_TOKEN to a token with the worker role)",
                s.code(),
                s.message()
            ))
        }
        Err(s) => {
            tracing::warn!("cannot register ({}); the lease loop retries", s.message());
            Ok(())
        }
        Ok(_) => Ok(()),
    }
}

async fn run_one(
    client: Client,
    cfg: &Config,
    counts: &Counts,
    task: pb::LeasedTask,
    kill: oneshot::Receiver<Kill>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let spec = RunSpec {
        id: task.task_id.clone(),
        class: task.class.clone(),
        attempt: task.attempt,
        payload: Arc::from(task.payload_json.as_str()),
        // The server's limit for this attempt (its own, else its class's); a day when the
        // server is older and does not say.
        timeout: if task.timeout_seconds > 0.0 {
            crate::server::clock::seconds(task.timeout_seconds)
        } else {
            Duration::from_secs(24 * 3600)
        },
        plan: plan(&task.payload_json),
        project: cfg.project.clone(),
        docker_host: cfg.docker_host.clone(),
        on_spawn: None,
        gpu_uuids: task.gpu_uuids.clone(),
        gpu_simulated: false,
    };
    let mut expires = Instant::now() + Duration::from_secs_f64(cfg.lease_s);
    let running = executor::run(spec, kill);
    tokio::pin!(running);
    let every = Duration::from_secs_f64((cfg.lease_s / 3.0).max(0.2));
    let outcome = loop {
        tokio::select! {
            o = &mut running => break o,
            _ = tokio::time::sleep(every) => {
                let mut c = client.clone();
                let req = pb::ExtendLeaseRequest {
                    task_id: task.task_id.clone(),
                    lease_id: task.lease_id.clone(),
                    lease_seconds: cfg.lease_s,
                };
                match c.extend_lease(req).await {
                    Ok(_) => expires = Instant::now() + Duration::from_secs_f64(cfg.lease_s),
                    // The server is away: keep running, report if it comes back in time.
                    Err(s) => {
                        tracing::warn!("cannot extend the lease of {}: {}", task.task_id, s.message());
                    }
                }
            }
        }
    };
    if outcome.killed == Some(Kill::Shutdown) {
        hand_back(client, &task).await;
        return;
    }
    let req = pb::CompleteTaskRequest {
        task_id: task.task_id.clone(),
        lease_id: task.lease_id.clone(),
        success: outcome.success,
        result: outcome.result.into_iter().collect(),
        error: outcome.error,
        hand_back: false,
    };
    let mut backoff = Duration::from_millis(200);
    loop {
        let mut c = client.clone();
        match c.complete_task(req.clone()).await {
            Ok(_) => {
                let n = if req.success {
                    &counts.done
                } else {
                    &counts.failed
                };
                n.fetch_add(1, Relaxed);
                return;
            }
            Err(s)
                if matches!(
                    s.code(),
                    tonic::Code::Unavailable | tonic::Code::DeadlineExceeded | tonic::Code::Unknown
                ) && Instant::now() < expires =>
            {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
            Err(s) => {
                counts.dropped.fetch_add(1, Relaxed);
                tracing::warn!(
                    "dropping the result of {} (attempt {}): {}",
                    task.task_id,
                    task.attempt,
                    s.message()
                );
                eprintln!(
                    "warning: dropped the result of {}: {}",
                    task.task_id,
                    s.message()
                );
                return;
            }
        }
    }
}

/// The drain time ran out and the task was stopped: give it back, so the server queues it
/// again at once without counting the attempt. One try, bounded: if the server does not
/// answer, the lease expires and the server queues it then.
async fn hand_back(client: Client, task: &pb::LeasedTask) {
    let req = pb::CompleteTaskRequest {
        task_id: task.task_id.clone(),
        lease_id: task.lease_id.clone(),
        hand_back: true,
        ..Default::default()
    };
    let mut c = client;
    match tokio::time::timeout(Duration::from_secs(5), c.complete_task(req)).await {
        Ok(Ok(_)) => eprintln!("handed {} back to the server", task.task_id),
        Ok(Err(s)) => tracing::warn!("cannot hand {} back: {}", task.task_id, s.message()),
        Err(_) => tracing::warn!(
            "cannot hand {} back: the server did not answer",
            task.task_id
        ),
    }
}
