//! The task scheduler: one queue per class (higher priority first, FIFO within a priority), a
//! concurrency limit and a timeout per class, retries with exponential backoff and jitter,
//! cancellation, idempotent submission, and leases for pull workers.
//!
//! gRPC, HTTP and the CLI (through gRPC) all call these functions. All state sits behind one
//! mutex that is never held across an await; every change is appended to the store while the
//! lock is held, so the journal sees changes in the order they happened.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{Notify, oneshot, watch};

use crate::server::events::Events;
use crate::server::executor::{self, Kill, Outcome, Plan, RunSpec};
use crate::server::metrics::{Gauges, Metrics};
use crate::server::now_ms;
use crate::server::store::Store;
use crate::settings::{SchedulerSettings, TASK_CLASSES};

/// Longest task id.
pub const MAX_ID_LEN: usize = 128;
/// Most attempts a task may ask for.
pub const MAX_ATTEMPTS: u32 = 100;
/// Store records waiting for the disk before submissions are refused.
const MAX_STORE_BACKLOG: usize = 200_000;
/// Tasks held at most (queued, running and retained finished ones).
const MAX_TASKS: usize = 1_000_000;
/// Payload bytes of unfinished tasks held at most.
const MAX_PAYLOAD_MEMORY: usize = 1 << 30;
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Completed => "completed",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        Some(match s {
            "queued" => TaskState::Queued,
            "running" => TaskState::Running,
            "completed" => TaskState::Completed,
            "failed" => TaskState::Failed,
            "cancelled" => TaskState::Cancelled,
            _ => return None,
        })
    }
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Failed | TaskState::Cancelled
        )
    }
}

/// How a task runs, decided from its payload (and the class's handler) at submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutorKind {
    Process,
    Container,
    Handler,
    Worker,
}

impl ExecutorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutorKind::Process => "process",
            ExecutorKind::Container => "container",
            ExecutorKind::Handler => "handler",
            ExecutorKind::Worker => "worker",
        }
    }
}

/// A task as stored in the journal and shown to clients (the payload is kept apart).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub class: String,
    pub priority: i32,
    pub max_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<f64>,
    pub state: TaskState,
    pub attempt: u32,
    /// FIFO order within a priority.
    pub seq: u64,
    pub submitted_at_ms: u64,
    #[serde(default)]
    pub queued_at_ms: u64,
    #[serde(default)]
    pub started_at_ms: u64,
    #[serde(default)]
    pub finished_at_ms: u64,
    #[serde(default)]
    pub result: BTreeMap<String, String>,
    #[serde(default)]
    pub error: String,
    pub executor: ExecutorKind,
    /// sha256 of class and canonical payload: what idempotent resubmission compares.
    pub payload_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Process group of the running local process: after a crash, recovery kills what is
    /// left of it before the task runs again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgid: Option<u32>,
}

impl Task {
    /// The document HTTP and `--json` show.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "task_id": self.id,
            "class": self.class,
            "status": self.state.as_str(),
            "priority": self.priority,
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "executor": self.executor.as_str(),
            "submitted_at_ms": self.submitted_at_ms,
            "started_at_ms": self.started_at_ms,
            "finished_at_ms": self.finished_at_ms,
            "result": self.result,
            "error": self.error,
            "worker_id": self.worker_id,
        })
    }
}

/// What a client asks for.
#[derive(Debug, Clone, Default)]
pub struct SubmitRequest {
    pub task_id: String,
    /// Each value may carry JSON.
    pub payload: BTreeMap<String, String>,
    pub class: String,
    pub priority: i32,
    pub max_attempts: u32,
    pub timeout_s: f64,
}

/// Errors in the terms both gRPC and HTTP map to their own codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidArgument,
    AlreadyExists,
    NotFound,
    FailedPrecondition,
    Unavailable,
    ResourceExhausted,
    Internal,
}

#[derive(Debug, Clone)]
pub struct SchedError {
    pub kind: ErrorKind,
    pub message: String,
}

impl SchedError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SchedError {
            kind,
            message: message.into(),
        }
    }
}

pub type SResult<T> = std::result::Result<T, SchedError>;

#[derive(Debug, Clone)]
struct Lease {
    lease_id: String,
    expires: Instant,
    expires_ms: u64,
}

/// A task handed to a pull worker.
#[derive(Debug, Clone)]
pub struct LeasedTask {
    pub task_id: String,
    pub lease_id: String,
    pub class: String,
    pub payload_json: String,
    pub attempt: u32,
    pub lease_expires_at_ms: u64,
}

type QueueKey = (Reverse<i32>, u64);

#[derive(Default)]
struct Inner {
    tasks: HashMap<String, Task>,
    /// Payloads of unfinished tasks (dropped once a task ends; the hash stays).
    payloads: HashMap<String, Arc<str>>,
    /// Bytes held in `payloads`.
    payload_bytes: usize,
    /// Ready queues per class, for local execution and for pull workers.
    local: BTreeMap<String, BTreeMap<QueueKey, String>>,
    pull: BTreeMap<String, BTreeMap<QueueKey, String>>,
    /// Local executions holding a concurrency slot, by class.
    running_local: BTreeMap<String, HashSet<String>>,
    kills: HashMap<String, oneshot::Sender<Kill>>,
    leases: HashMap<String, Lease>,
    /// Finished tasks by finish time, for retention.
    finished: BTreeSet<(u64, String)>,
    next_seq: u64,
    /// Submissions whose journal record is not yet on disk: a retry of the same id waits on
    /// this before it is acknowledged.
    unsynced: HashMap<String, Durable>,
}

/// Set once a submission's record is on disk (Ok) or failed to get there (Err).
type Durable = watch::Receiver<Option<std::result::Result<(), String>>>;

/// Wait for a submission's record to reach the disk.
async fn durable(mut rx: Durable) -> SResult<()> {
    let outcome = match rx.wait_for(Option::is_some).await {
        Ok(v) => v.clone().unwrap_or(Ok(())),
        Err(_) => Err("the store writer stopped before the task was written".to_string()),
    };
    outcome.map_err(|e| SchedError::new(ErrorKind::Internal, e))
}

pub struct Scheduler {
    inner: Mutex<Inner>,
    pub store: Store,
    pub events: Events,
    pub metrics: Metrics,
    cfg: SchedulerSettings,
    pub project: String,
    pub docker_host: String,
    wake: Notify,
    lease_wake: Notify,
    draining: AtomicBool,
    id_prefix: String,
    id_counter: AtomicU64,
    pub started: Instant,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Task ids become file-free keys, log fields and container-name parts: keep them plain.
pub fn validate_id(id: &str) -> SResult<()> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(SchedError::new(
            ErrorKind::InvalidArgument,
            format!("task id must be 1-{MAX_ID_LEN} characters"),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
    {
        return Err(SchedError::new(
            ErrorKind::InvalidArgument,
            format!("task id {id:?} has the character {c:?}: use only A-Z a-z 0-9 . _ : -"),
        ));
    }
    if id == "." || id == ".." {
        return Err(SchedError::new(
            ErrorKind::InvalidArgument,
            "task id may not be . or ..",
        ));
    }
    Ok(())
}

/// The payload map as one JSON object: each value is parsed as JSON when it parses, and kept as
/// a string otherwise.
pub fn payload_object(
    payload: &BTreeMap<String, String>,
) -> serde_json::Map<String, serde_json::Value> {
    payload
        .iter()
        .map(|(k, v)| {
            let value = serde_json::from_str::<serde_json::Value>(v)
                .unwrap_or_else(|_| serde_json::Value::String(v.clone()));
            (k.clone(), value)
        })
        .collect()
}

impl Scheduler {
    /// Build the scheduler from the store's contents: queued tasks are queued again, tasks that
    /// were running are retried as a new attempt (or failed when out of attempts).
    pub fn new(
        store: Store,
        loaded: crate::server::store::Loaded,
        cfg: SchedulerSettings,
        project: String,
        docker_host: String,
    ) -> Arc<Scheduler> {
        let started_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let sched = Arc::new(Scheduler {
            inner: Mutex::new(Inner::default()),
            store,
            events: Events::new(),
            metrics: Metrics::default(),
            cfg,
            project,
            docker_host,
            wake: Notify::new(),
            lease_wake: Notify::new(),
            draining: AtomicBool::new(false),
            id_prefix: format!("t{:x}", started_ns / 1000),
            id_counter: AtomicU64::new(0),
            started: Instant::now(),
        });
        {
            let mut g = lock(&sched.inner);
            let now = now_ms();
            for (mut task, payload) in loaded {
                g.next_seq = g.next_seq.max(task.seq + 1);
                if task.state == TaskState::Running {
                    task.worker_id = None;
                    // A crash left its processes behind (a shell's children outlive the
                    // PDEATHSIG of the shell): kill them before it runs again.
                    if let Some(pgid) = task.pgid.take() {
                        let n = executor::kill_leftovers(pgid, &task.id);
                        if n > 0 {
                            tracing::warn!(
                                "killed {n} leftover process(es) of task {} (process group {pgid})",
                                task.id
                            );
                        }
                    }
                    if task.attempt < task.max_attempts {
                        task.state = TaskState::Queued;
                        task.queued_at_ms = now;
                        task.error = "interrupted: the server exited while it ran".into();
                    } else {
                        task.state = TaskState::Failed;
                        task.finished_at_ms = now;
                        task.error =
                            "interrupted: the server exited while it ran, and it was out of attempts"
                                .into();
                    }
                    sched.store.put(&task);
                }
                if let Some(p) = payload.filter(|_| !task.state.is_terminal()) {
                    g.payload_bytes += p.len();
                    g.payloads.insert(task.id.clone(), Arc::from(p));
                }
                if task.state == TaskState::Queued {
                    // A handler may have been configured (or removed) since.
                    if matches!(task.executor, ExecutorKind::Handler | ExecutorKind::Worker) {
                        task.executor = sched.handler_or_worker(&task.class);
                    }
                    sched.enqueue(&mut g, &task);
                } else if task.state.is_terminal() {
                    g.finished.insert((task.finished_at_ms, task.id.clone()));
                }
                g.tasks.insert(task.id.clone(), task);
            }
            sched.apply_retention(&mut g);
        }
        sched
    }

    pub fn settings(&self) -> &SchedulerSettings {
        &self.cfg
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    fn handler_or_worker(&self, class: &str) -> ExecutorKind {
        match self
            .cfg
            .classes
            .get(class)
            .and_then(|c| c.handler.value.as_ref())
        {
            Some(_) => ExecutorKind::Handler,
            None => ExecutorKind::Worker,
        }
    }

    fn enqueue(&self, g: &mut Inner, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
        let queues = if task.executor == ExecutorKind::Worker {
            &mut g.pull
        } else {
            &mut g.local
        };
        queues
            .entry(task.class.clone())
            .or_default()
            .insert(key, task.id.clone());
    }

    fn dequeue(g: &mut Inner, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
        for queues in [&mut g.local, &mut g.pull] {
            if let Some(q) = queues.get_mut(&task.class) {
                q.remove(&key);
            }
        }
    }

    fn new_id(&self) -> String {
        let n = self.id_counter.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.id_prefix)
    }

    /// Accept a task. Answers once it is fsync'd. Returns the task and whether it is new.
    pub async fn submit(self: &Arc<Self>, req: SubmitRequest) -> SResult<(Task, bool)> {
        if self.is_draining() {
            return Err(SchedError::new(
                ErrorKind::Unavailable,
                "the scheduler is shutting down and takes no new tasks",
            ));
        }
        let class = if req.class.is_empty() {
            "cpu_short".to_string()
        } else {
            req.class.clone()
        };
        if !TASK_CLASSES.contains(&class.as_str()) {
            return Err(SchedError::new(
                ErrorKind::InvalidArgument,
                format!(
                    "unknown task class {class:?} (expected one of {})",
                    TASK_CLASSES.join(", ")
                ),
            ));
        }
        if class == "gpu_slurm" {
            return Err(SchedError::new(
                ErrorKind::FailedPrecondition,
                "task class gpu_slurm needs a Slurm backend, which this scheduler does not have yet",
            ));
        }
        let raw_size: usize = req.payload.iter().map(|(k, v)| k.len() + v.len()).sum();
        let max = self.cfg.max_payload_bytes.value as usize;
        if raw_size > max {
            return Err(SchedError::new(
                ErrorKind::InvalidArgument,
                format!(
                    "payload is {raw_size} bytes; the limit is {max} (scheduler.max_payload_bytes)"
                ),
            ));
        }
        let object = payload_object(&req.payload);
        let executor = match (object.get("command"), object.get("image")) {
            (_, Some(serde_json::Value::String(_))) => ExecutorKind::Container,
            (_, Some(_)) => {
                return Err(SchedError::new(
                    ErrorKind::InvalidArgument,
                    "payload `image` must be a string",
                ));
            }
            (Some(cmd), None) => {
                executor::parse_command(cmd).map_err(|e| {
                    SchedError::new(
                        ErrorKind::InvalidArgument,
                        format!("payload `command`: {e}"),
                    )
                })?;
                ExecutorKind::Process
            }
            (None, None) => self.handler_or_worker(&class),
        };
        let payload_json = serde_json::Value::Object(object).to_string();
        if payload_json.len() > max {
            return Err(SchedError::new(
                ErrorKind::InvalidArgument,
                format!(
                    "payload is {} bytes as JSON; the limit is {max} (scheduler.max_payload_bytes)",
                    payload_json.len()
                ),
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(class.as_bytes());
        hasher.update([0]);
        hasher.update(payload_json.as_bytes());
        let hash = hex::encode(&hasher.finalize()[..16]);
        let id = if req.task_id.is_empty() {
            self.new_id()
        } else {
            validate_id(&req.task_id)?;
            req.task_id.clone()
        };
        // 0 is proto3's "not set": the configured default.
        let max_attempts = match req.max_attempts {
            0 => self.cfg.max_attempts.value,
            n if n <= MAX_ATTEMPTS => n,
            n => {
                return Err(SchedError::new(
                    ErrorKind::InvalidArgument,
                    format!("max_attempts is {n}; expected 1 to {MAX_ATTEMPTS}"),
                ));
            }
        };
        let timeout_s = (req.timeout_s > 0.0 && req.timeout_s.is_finite()).then_some(req.timeout_s);

        let (task, synced, created) = 'found: {
            let mut g = lock(&self.inner);
            if let Some(existing) = g.tasks.get(&id) {
                if existing.payload_hash == hash {
                    // The first submission may still wait for its fsync: acknowledge the retry
                    // only once the task is on disk, as the first one is.
                    break 'found (existing.clone(), g.unsynced.get(&id).cloned(), false);
                }
                return Err(SchedError::new(
                    ErrorKind::AlreadyExists,
                    format!("task {id} already exists with a different class or payload"),
                ));
            }
            if g.tasks.len() >= MAX_TASKS
                || self.store.backlog() >= MAX_STORE_BACKLOG
                || g.payload_bytes + payload_json.len() > MAX_PAYLOAD_MEMORY
            {
                return Err(SchedError::new(
                    ErrorKind::ResourceExhausted,
                    "the scheduler holds too many tasks; try again later",
                ));
            }
            let now = now_ms();
            let seq = g.next_seq;
            g.next_seq += 1;
            let task = Task {
                id: id.clone(),
                class,
                priority: req.priority,
                max_attempts,
                timeout_s,
                state: TaskState::Queued,
                attempt: 0,
                seq,
                submitted_at_ms: now,
                queued_at_ms: now,
                started_at_ms: 0,
                finished_at_ms: 0,
                result: BTreeMap::new(),
                error: String::new(),
                executor,
                payload_hash: hash,
                worker_id: None,
                pgid: None,
            };
            let ack = self.store.put_durable(&task, &payload_json);
            let (synced_tx, synced) = watch::channel(None);
            g.unsynced.insert(id.clone(), synced.clone());
            // Settled by its own task, so that a client that goes away before the fsync does
            // not leave retries waiting or a failed write unrolled.
            let me = self.clone();
            let sid = id.clone();
            tokio::spawn(async move {
                let outcome = match ack.await {
                    Ok(r) => r,
                    Err(_) => Err("the store writer stopped before the task was written".into()),
                };
                me.settle_submission(&sid, &outcome);
                let _ = synced_tx.send(Some(outcome));
            });
            g.payload_bytes += payload_json.len();
            g.payloads.insert(id.clone(), Arc::from(payload_json));
            self.enqueue(&mut g, &task);
            g.tasks.insert(id.clone(), task.clone());
            self.events.emit(
                "task_submitted",
                &id,
                BTreeMap::from([
                    ("class".to_string(), task.class.clone()),
                    ("priority".to_string(), task.priority.to_string()),
                ]),
                None,
            );
            (task, Some(synced), true)
        };
        if created {
            self.metrics.submitted();
            if task.executor == ExecutorKind::Worker {
                self.lease_wake.notify_waiters();
            } else {
                self.wake.notify_one();
            }
        }
        if let Some(rx) = synced {
            durable(rx).await?;
        }
        Ok((task, created))
    }

    /// A submission's record reached the disk, or failed to. A failed one is withdrawn while it
    /// still waits in its queue, as if never submitted (its submitter gets the error); one that
    /// already started stays, and its later records carry it.
    fn settle_submission(&self, id: &str, outcome: &std::result::Result<(), String>) {
        let mut g = lock(&self.inner);
        g.unsynced.remove(id);
        if outcome.is_ok() {
            return;
        }
        let Some(task) = g.tasks.get(id).cloned() else {
            return;
        };
        if task.state != TaskState::Queued || task.attempt != 0 {
            return;
        }
        Self::dequeue(&mut g, &task);
        g.tasks.remove(id);
        if let Some(p) = g.payloads.remove(id) {
            g.payload_bytes -= p.len();
        }
        self.events.emit(
            "task_failed",
            id,
            BTreeMap::from([
                ("class".to_string(), task.class.clone()),
                (
                    "error".to_string(),
                    "the task could not be written to the journal".to_string(),
                ),
            ]),
            None,
        );
    }

    pub fn get(&self, id: &str) -> SResult<Task> {
        lock(&self.inner)
            .tasks
            .get(id)
            .cloned()
            .ok_or_else(|| SchedError::new(ErrorKind::NotFound, format!("no task {id}")))
    }

    /// Tasks, newest first, filtered by status and class. Returns (page, total matching).
    pub fn list(
        &self,
        status: Option<TaskState>,
        class: Option<&str>,
        limit: usize,
    ) -> (Vec<Task>, usize) {
        let g = lock(&self.inner);
        let mut matching: Vec<&Task> = g
            .tasks
            .values()
            .filter(|t| status.is_none_or(|s| t.state == s))
            .filter(|t| class.is_none_or(|c| t.class == c))
            .collect();
        let total = matching.len();
        matching.sort_by_key(|t| Reverse(t.seq));
        (matching.into_iter().take(limit).cloned().collect(), total)
    }

    /// Finished tasks (for result-stream replay), oldest first.
    pub fn finished_tasks(&self, ids: &HashSet<String>) -> Vec<Task> {
        let g = lock(&self.inner);
        g.finished
            .iter()
            .filter(|(_, id)| ids.is_empty() || ids.contains(id))
            .filter_map(|(_, id)| g.tasks.get(id).cloned())
            .collect()
    }

    /// Cancel a queued or running task. Returns the task and whether this call cancelled it.
    pub fn cancel(&self, id: &str) -> SResult<(Task, bool)> {
        let mut g = lock(&self.inner);
        let task = g
            .tasks
            .get(id)
            .cloned()
            .ok_or_else(|| SchedError::new(ErrorKind::NotFound, format!("no task {id}")))?;
        if task.state.is_terminal() {
            return Ok((task, false));
        }
        Self::dequeue(&mut g, &task);
        g.leases.remove(id);
        if let Some(kill) = g.kills.remove(id) {
            let _ = kill.send(Kill::Cancel);
        }
        let was_running = task.state == TaskState::Running;
        let done = self
            .finish_locked(&mut g, id, |t| {
                t.state = TaskState::Cancelled;
                t.error = "cancelled".into();
            })
            .ok_or_else(|| vanished(id))?;
        if was_running {
            self.metrics.finished(&done.class, "cancelled", 0.0);
        }
        Ok((done, true))
    }

    /// Mark a task terminal, record it, emit its event. Returns the final task.
    fn finish_locked(
        &self,
        g: &mut Inner,
        id: &str,
        change: impl FnOnce(&mut Task),
    ) -> Option<Task> {
        let task = g.tasks.get_mut(id)?;
        change(task);
        task.finished_at_ms = now_ms();
        task.worker_id = None;
        let task = task.clone();
        if let Some(p) = g.payloads.remove(id) {
            g.payload_bytes -= p.len();
        }
        g.finished.insert((task.finished_at_ms, task.id.clone()));
        self.store.put(&task);
        let kind = match task.state {
            TaskState::Completed => "task_completed",
            TaskState::Cancelled => "task_cancelled",
            _ => "task_failed",
        };
        let mut data = BTreeMap::from([
            ("class".to_string(), task.class.clone()),
            ("attempt".to_string(), task.attempt.to_string()),
        ]);
        if !task.error.is_empty() {
            data.insert("error".into(), task.error.clone());
        }
        self.events
            .emit(kind, &task.id, data, Some(Arc::new(task.clone())));
        self.apply_retention(g);
        Some(task)
    }

    /// A failed attempt: retry after a backoff when attempts remain, else fail.
    fn fail_attempt_locked(
        self: &Arc<Self>,
        g: &mut Inner,
        id: &str,
        error: String,
        result: BTreeMap<String, String>,
        backoff: bool,
    ) -> Option<Task> {
        let task = g.tasks.get_mut(id)?;
        if task.attempt < task.max_attempts {
            task.state = TaskState::Queued;
            task.error = error.clone();
            task.result = result;
            task.worker_id = None;
            let attempt = task.attempt;
            let task = task.clone();
            self.store.put(&task);
            let delay = if backoff {
                self.backoff(attempt)
            } else {
                Duration::ZERO
            };
            self.events.emit(
                "task_retrying",
                id,
                BTreeMap::from([
                    ("attempt".to_string(), attempt.to_string()),
                    ("error".to_string(), error),
                    ("delay_ms".to_string(), delay.as_millis().to_string()),
                ]),
                None,
            );
            if delay.is_zero() {
                self.requeue_locked(g, id, attempt);
            } else {
                let me = self.clone();
                let id = id.to_string();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let mut g = lock(&me.inner);
                    me.requeue_locked(&mut g, &id, attempt);
                });
            }
            Some(task)
        } else {
            self.finish_locked(g, id, |t| {
                t.state = TaskState::Failed;
                t.error = error;
                t.result = result;
            })
        }
    }

    /// Put a task waiting for a retry back in its queue, unless it changed meanwhile.
    fn requeue_locked(&self, g: &mut Inner, id: &str, attempt: u32) {
        let Some(task) = g.tasks.get_mut(id) else {
            return;
        };
        if task.state != TaskState::Queued || task.attempt != attempt {
            return;
        }
        task.queued_at_ms = now_ms();
        let task = task.clone();
        self.enqueue(g, &task);
        if task.executor == ExecutorKind::Worker {
            self.lease_wake.notify_waiters();
        } else {
            self.wake.notify_one();
        }
    }

    /// Exponential backoff with +-25 % jitter, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.cfg.retry_backoff_ms.value as f64;
        let exp = base * 2f64.powi(attempt.saturating_sub(1).min(20) as i32);
        let jitter = 0.75 + fastrand::f64() * 0.5;
        Duration::from_millis((exp * jitter) as u64).min(MAX_BACKOFF)
    }

    /// Start what the concurrency limits allow. Called by the dispatcher loop.
    fn launch_ready(self: &Arc<Self>) {
        let mut launches = Vec::new();
        {
            let mut g = lock(&self.inner);
            let now = now_ms();
            for class in TASK_CLASSES {
                let limit = self
                    .cfg
                    .classes
                    .get(class)
                    .map_or(1, |c| c.concurrency.value) as usize;
                loop {
                    let running = g.running_local.get(class).map_or(0, HashSet::len);
                    if running >= limit {
                        break;
                    }
                    let Some((_, id)) = g.local.get_mut(class).and_then(|q| q.pop_first()) else {
                        break;
                    };
                    let payload = g
                        .payloads
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| Arc::from("{}"));
                    let Some(task) = g.tasks.get_mut(&id) else {
                        continue;
                    };
                    task.state = TaskState::Running;
                    task.attempt += 1;
                    task.started_at_ms = now;
                    let task = task.clone();
                    self.store.put(&task);
                    g.running_local
                        .entry(class.to_string())
                        .or_default()
                        .insert(id.clone());
                    let (kill_tx, kill_rx) = oneshot::channel();
                    g.kills.insert(id.clone(), kill_tx);
                    self.metrics
                        .started(class, now.saturating_sub(task.queued_at_ms) as f64 / 1000.0);
                    self.events.emit(
                        "task_started",
                        &id,
                        BTreeMap::from([
                            ("class".to_string(), task.class.clone()),
                            ("attempt".to_string(), task.attempt.to_string()),
                            ("executor".to_string(), task.executor.as_str().to_string()),
                        ]),
                        None,
                    );
                    launches.push((task, payload, kill_rx));
                }
            }
        }
        for (task, payload, kill_rx) in launches {
            let plan = self.plan_for(&task, &payload);
            let timeout = task.timeout_s.unwrap_or_else(|| {
                self.cfg
                    .classes
                    .get(&task.class)
                    .map_or(300.0, |c| c.timeout_s.value)
            });
            let spec = RunSpec {
                id: task.id.clone(),
                class: task.class.clone(),
                attempt: task.attempt,
                payload,
                timeout: crate::server::seconds(timeout),
                plan,
                project: self.project.clone(),
                docker_host: self.docker_host.clone(),
                on_spawn: Some(self.record_pgid(&task.id, task.attempt)),
            };
            let me = self.clone();
            tokio::spawn(async move {
                let outcome = executor::run(spec, kill_rx).await;
                me.on_outcome(&task.id, task.attempt, outcome);
            });
        }
    }

    /// Journal a started process's group, so that recovery after a crash can kill it.
    fn record_pgid(self: &Arc<Self>, id: &str, attempt: u32) -> Box<dyn FnOnce(u32) + Send + Sync> {
        let me = self.clone();
        let id = id.to_string();
        Box::new(move |pgid| {
            let mut g = lock(&me.inner);
            if let Some(task) = g.tasks.get_mut(&id)
                && task.state == TaskState::Running
                && task.attempt == attempt
            {
                task.pgid = Some(pgid);
                let task = task.clone();
                me.store.put(&task);
            }
        })
    }

    fn plan_for(&self, task: &Task, payload: &str) -> Plan {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(payload).unwrap_or_default();
        match task.executor {
            ExecutorKind::Container => Plan::Container {
                image: object
                    .get("image")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                command: object
                    .get("command")
                    .and_then(|c| executor::parse_command(c).ok()),
            },
            ExecutorKind::Process => match object.get("command").map(executor::parse_command) {
                Some(Ok(argv)) => Plan::Process { argv },
                Some(Err(e)) => Plan::Invalid(format!("payload `command`: {e}")),
                None => Plan::Invalid("payload has no `command`".into()),
            },
            ExecutorKind::Handler | ExecutorKind::Worker => {
                match self
                    .cfg
                    .classes
                    .get(&task.class)
                    .and_then(|c| c.handler.value.clone())
                {
                    Some(h) => Plan::Process {
                        argv: vec!["sh".into(), "-c".into(), h],
                    },
                    None => Plan::Invalid("no handler is configured for this class".into()),
                }
            }
        }
    }

    /// An executor finished (or was killed).
    fn on_outcome(self: &Arc<Self>, id: &str, attempt: u32, outcome: Outcome) {
        let mut g = lock(&self.inner);
        let class = g.tasks.get(id).map(|t| t.class.clone()).unwrap_or_default();
        if let Some(set) = g.running_local.get_mut(&class) {
            set.remove(id);
        }
        g.kills.remove(id);
        let current = g
            .tasks
            .get(id)
            .is_some_and(|t| t.state == TaskState::Running && t.attempt == attempt);
        // Cancelled meanwhile, or killed by shutdown (already put back in the queue): the
        // journal keeps it as it is.
        if current && !matches!(outcome.killed, Some(Kill::Shutdown)) {
            let duration = outcome.duration.as_secs_f64();
            if outcome.success {
                self.metrics.finished(&class, "completed", duration);
                self.finish_locked(&mut g, id, |t| {
                    t.state = TaskState::Completed;
                    t.result = outcome.result;
                    t.error = String::new();
                });
            } else {
                let retry = g.tasks.get(id).is_some_and(|t| t.attempt < t.max_attempts);
                self.metrics
                    .finished(&class, if retry { "retrying" } else { "failed" }, duration);
                self.fail_attempt_locked(&mut g, id, outcome.error, outcome.result, true);
            }
        }
        drop(g);
        self.wake.notify_one();
    }

    /// Give up to `max` ready worker tasks of `classes` to `worker_id`, waiting up to `wait`
    /// for one to arrive when none is ready.
    pub async fn lease(
        self: &Arc<Self>,
        worker_id: &str,
        classes: &[String],
        max: usize,
        lease: Duration,
        wait: Duration,
    ) -> SResult<Vec<LeasedTask>> {
        if worker_id.is_empty() || worker_id.len() > 256 {
            return Err(SchedError::new(
                ErrorKind::InvalidArgument,
                "worker_id must be 1-256 characters",
            ));
        }
        for c in classes {
            if !TASK_CLASSES.contains(&c.as_str()) {
                return Err(SchedError::new(
                    ErrorKind::InvalidArgument,
                    format!("unknown task class {c:?}"),
                ));
            }
        }
        let classes: Vec<String> = if classes.is_empty() {
            TASK_CLASSES.iter().map(|s| s.to_string()).collect()
        } else {
            classes.to_vec()
        };
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.lease_wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_draining() {
                return Ok(vec![]);
            }
            let got = self.take_leases(worker_id, &classes, max, lease);
            if !got.is_empty() {
                return Ok(got);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(vec![]);
            }
        }
    }

    fn take_leases(
        &self,
        worker_id: &str,
        classes: &[String],
        max: usize,
        lease: Duration,
    ) -> Vec<LeasedTask> {
        let mut g = lock(&self.inner);
        let mut out = Vec::new();
        let now = now_ms();
        while out.len() < max {
            // The best task across the asked classes: priority, then FIFO.
            let best = classes
                .iter()
                .filter_map(|c| {
                    g.pull
                        .get(c)
                        .and_then(|q| q.first_key_value())
                        .map(|(k, _)| (*k, c.clone()))
                })
                .min();
            let Some((_, class)) = best else { break };
            let Some((_, id)) = g.pull.get_mut(&class).and_then(|q| q.pop_first()) else {
                break;
            };
            let payload = g
                .payloads
                .get(&id)
                .map(|p| p.to_string())
                .unwrap_or_else(|| "{}".into());
            let Some(task) = g.tasks.get_mut(&id) else {
                continue;
            };
            task.state = TaskState::Running;
            task.attempt += 1;
            task.started_at_ms = now;
            task.worker_id = Some(worker_id.to_string());
            let task = task.clone();
            let lease_id = format!("{}/{}/{:08x}", task.attempt, worker_id, fastrand::u32(..));
            let expires_ms = now + lease.as_millis() as u64;
            g.leases.insert(
                id.clone(),
                Lease {
                    lease_id: lease_id.clone(),
                    expires: Instant::now() + lease,
                    expires_ms,
                },
            );
            self.store.put(&task);
            self.metrics.started(
                &task.class,
                now.saturating_sub(task.queued_at_ms) as f64 / 1000.0,
            );
            self.events.emit(
                "task_started",
                &id,
                BTreeMap::from([
                    ("class".to_string(), task.class.clone()),
                    ("attempt".to_string(), task.attempt.to_string()),
                    ("executor".to_string(), "worker".to_string()),
                    ("worker_id".to_string(), worker_id.to_string()),
                ]),
                None,
            );
            out.push(LeasedTask {
                task_id: id,
                lease_id,
                class: task.class.clone(),
                payload_json: payload,
                attempt: task.attempt,
                lease_expires_at_ms: expires_ms,
            });
        }
        out
    }

    fn check_lease<'a>(g: &'a mut Inner, id: &str, lease_id: &str) -> SResult<&'a mut Lease> {
        let state = g
            .tasks
            .get(id)
            .map(|t| t.state)
            .ok_or_else(|| SchedError::new(ErrorKind::NotFound, format!("no task {id}")))?;
        match g.leases.get_mut(id) {
            Some(l) if l.lease_id == lease_id && state == TaskState::Running => Ok(l),
            _ => Err(SchedError::new(
                ErrorKind::FailedPrecondition,
                format!(
                    "lease {lease_id:?} on task {id} is not held (it expired, was cancelled, or the task is {})",
                    state.as_str()
                ),
            )),
        }
    }

    /// A pull worker's answer for a leased task.
    pub fn complete(
        self: &Arc<Self>,
        id: &str,
        lease_id: &str,
        success: bool,
        result: BTreeMap<String, String>,
        error: String,
    ) -> SResult<Task> {
        let mut g = lock(&self.inner);
        Self::check_lease(&mut g, id, lease_id)?;
        g.leases.remove(id);
        let (class, started) = g
            .tasks
            .get(id)
            .map(|t| (t.class.clone(), t.started_at_ms))
            .unwrap_or_default();
        let duration = now_ms().saturating_sub(started) as f64 / 1000.0;
        if success {
            self.metrics.finished(&class, "completed", duration);
            self.finish_locked(&mut g, id, |t| {
                t.state = TaskState::Completed;
                t.result = result;
                t.error = String::new();
            })
            .ok_or_else(|| vanished(id))
        } else {
            let retry = g.tasks.get(id).is_some_and(|t| t.attempt < t.max_attempts);
            self.metrics
                .finished(&class, if retry { "retrying" } else { "failed" }, duration);
            let error = if error.is_empty() {
                "the worker reported a failure".to_string()
            } else {
                error
            };
            self.fail_attempt_locked(&mut g, id, error, result, true)
                .ok_or_else(|| vanished(id))
        }
    }

    pub fn extend_lease(&self, id: &str, lease_id: &str, lease: Duration) -> SResult<u64> {
        let mut g = lock(&self.inner);
        let l = Self::check_lease(&mut g, id, lease_id)?;
        l.expires = Instant::now() + lease;
        l.expires_ms = now_ms() + lease.as_millis() as u64;
        Ok(l.expires_ms)
    }

    /// Expired leases go back to the queue as a new attempt (or fail when out of attempts).
    fn reap_leases(self: &Arc<Self>) {
        let now = Instant::now();
        let mut g = lock(&self.inner);
        let expired: Vec<String> = g
            .leases
            .iter()
            .filter(|(_, l)| l.expires <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            g.leases.remove(&id);
            let worker = g
                .tasks
                .get(&id)
                .and_then(|t| t.worker_id.clone())
                .unwrap_or_default();
            let class = g
                .tasks
                .get(&id)
                .map(|t| t.class.clone())
                .unwrap_or_default();
            self.events.emit(
                "lease_expired",
                &id,
                BTreeMap::from([("worker_id".to_string(), worker.clone())]),
                None,
            );
            let retry = g.tasks.get(&id).is_some_and(|t| t.attempt < t.max_attempts);
            self.metrics
                .finished(&class, if retry { "retrying" } else { "failed" }, 0.0);
            self.fail_attempt_locked(
                &mut g,
                &id,
                format!("the lease of worker {worker:?} expired"),
                BTreeMap::new(),
                false,
            );
        }
    }

    /// Drop finished tasks beyond the retention count or age.
    fn apply_retention(&self, g: &mut Inner) {
        let max_count = self.cfg.retention_count.value as usize;
        let cutoff = now_ms().saturating_sub(self.cfg.retention_age_s.value.saturating_mul(1000));
        while let Some((at, id)) = g.finished.first().cloned() {
            if g.finished.len() <= max_count && at >= cutoff {
                break;
            }
            g.finished.pop_first();
            g.tasks.remove(&id);
            self.store.delete(&id);
        }
    }

    /// Compact the journal when it has grown well past the live data.
    fn maybe_compact(&self) {
        let bytes = self.store.journal_bytes();
        if bytes < 64 << 20 {
            return;
        }
        let g = lock(&self.inner);
        let live_estimate =
            (g.tasks.len() as u64) * 512 + g.payloads.values().map(|p| p.len() as u64).sum::<u64>();
        if bytes > live_estimate.saturating_mul(4) {
            self.store.compact(
                g.tasks
                    .values()
                    .map(|t| (t, g.payloads.get(&t.id).map(|p| &**p))),
            );
        }
    }

    pub fn gauges(&self) -> Gauges {
        let g = lock(&self.inner);
        let mut gauges = Gauges {
            tasks_stored: g.tasks.len() as u64,
            journal_bytes: self.store.journal_bytes(),
            journal_syncs: self.store.syncs(),
            ..Default::default()
        };
        for class in TASK_CLASSES {
            let limit = self
                .cfg
                .classes
                .get(class)
                .map_or(0, |c| c.concurrency.value);
            let queued = g.local.get(class).map_or(0, BTreeMap::len)
                + g.pull.get(class).map_or(0, BTreeMap::len);
            let inflight = g.running_local.get(class).map_or(0, HashSet::len)
                + g.leases
                    .keys()
                    .filter(|id| g.tasks.get(*id).is_some_and(|t| t.class == class))
                    .count();
            gauges
                .classes
                .insert(class.to_string(), (limit, inflight as u64, queued as u64));
        }
        let oldest_gpu = [g.local.get("gpu"), g.pull.get("gpu")]
            .into_iter()
            .flatten()
            .flat_map(|q| q.values())
            .filter_map(|id| g.tasks.get(id).map(|t| t.queued_at_ms))
            .min();
        gauges.gpu_wait_seconds = oldest_gpu
            .map(|at| now_ms().saturating_sub(at) as f64 / 1000.0)
            .unwrap_or(0.0);
        gauges
    }

    /// Dispatch until draining starts; reap leases and apply retention on a timer.
    pub async fn run(self: Arc<Self>) {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks = 0u64;
        loop {
            if self.is_draining() {
                return;
            }
            self.launch_ready();
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tick.tick() => {
                    self.reap_leases();
                    ticks += 1;
                    if ticks.is_multiple_of(50) {
                        let mut g = lock(&self.inner);
                        self.apply_retention(&mut g);
                        drop(g);
                        self.maybe_compact();
                    }
                }
            }
        }
    }

    /// A graceful stop kills what still runs locally: those tasks go back to `queued` in the
    /// journal without using up an attempt (the attempt did not fail; the server left), so the
    /// next start runs them again. Only a crash, which leaves them `running`, costs an attempt.
    fn requeue_interrupted_locked(&self, g: &mut Inner) {
        let ids: Vec<String> = g.running_local.values().flatten().cloned().collect();
        for id in ids {
            let Some(task) = g.tasks.get_mut(&id) else {
                continue;
            };
            if task.state != TaskState::Running {
                continue;
            }
            task.state = TaskState::Queued;
            task.attempt = task.attempt.saturating_sub(1);
            task.queued_at_ms = now_ms();
            task.error = "interrupted by a server stop; it runs again at the next start".into();
            let task = task.clone();
            self.store.put(&task);
        }
    }

    /// Graceful stop: take no new work, let running local tasks finish for up to `timeout`,
    /// kill the rest (they go back to `queued` without using up an attempt, so the next start
    /// runs them), and flush the store.
    pub async fn shutdown(&self, timeout: Duration) {
        self.draining.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
        self.lease_wake.notify_waiters();
        self.events.emit("shutdown", "", BTreeMap::new(), None);
        let deadline = Instant::now() + timeout;
        loop {
            let running: usize = lock(&self.inner)
                .running_local
                .values()
                .map(HashSet::len)
                .sum();
            if running == 0 {
                break;
            }
            if Instant::now() >= deadline {
                {
                    let mut g = lock(&self.inner);
                    tracing::warn!(
                        "{running} task(s) still running after {:.1}s: killing them; they run again at the next start",
                        timeout.as_secs_f64()
                    );
                    self.requeue_interrupted_locked(&mut g);
                    for (_, kill) in g.kills.drain() {
                        let _ = kill.send(Kill::Shutdown);
                    }
                }
                // Let the executors reap their processes and containers.
                let reap_deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < reap_deadline
                    && lock(&self.inner)
                        .running_local
                        .values()
                        .any(|s| !s.is_empty())
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.store.flush().await;
    }
}

/// Callers look a task up under the same lock first, so this is a bug, reported, not a panic.
fn vanished(id: &str) -> SchedError {
    SchedError::new(
        ErrorKind::Internal,
        format!("task {id} vanished while the scheduler lock was held"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_and_bounded() {
        for ok in ["task-1", "a.b_c:d-E9", &"x".repeat(MAX_ID_LEN)] {
            assert!(validate_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "a\\b",
            "..",
            ".",
            "a b",
            "é",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            let e = validate_id(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn payload_values_carry_json_or_stay_strings() {
        let m = BTreeMap::from([
            ("n".to_string(), "3".to_string()),
            ("s".to_string(), "\"quoted\"".to_string()),
            ("plain".to_string(), "value".to_string()),
            ("argv".to_string(), "[\"echo\", \"hi\"]".to_string()),
        ]);
        let o = payload_object(&m);
        assert_eq!(
            serde_json::Value::Object(o),
            serde_json::json!({"n": 3, "s": "quoted", "plain": "value", "argv": ["echo", "hi"]})
        );
    }

    fn scheduler(dir: &std::path::Path) -> Arc<Scheduler> {
        let cli = crate::settings::CliOverrides {
            home: Some(crate::settings::Sourced {
                value: dir.to_path_buf(),
                source: crate::settings::Source::Flag,
            }),
            ..Default::default()
        };
        let settings =
            crate::settings::Settings::load_with(&cli, &BTreeMap::<String, String>::new()).unwrap();
        let (store, loaded) = Store::open(&dir.join("store")).unwrap();
        Scheduler::new(store, loaded, settings.scheduler, "p".into(), String::new())
    }

    fn worker_task(id: &str) -> SubmitRequest {
        SubmitRequest {
            task_id: id.into(),
            payload: BTreeMap::from([("data".to_string(), "1".to_string())]),
            ..Default::default()
        }
    }

    // Holding the writer's gate across awaits is the point: it keeps the fsync pending.
    #[allow(clippy::await_holding_lock)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_retried_submit_is_acknowledged_only_once_the_task_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let sched = scheduler(dir.path());
        let faults = sched.store.faults.clone();

        // The writer is held: neither the submission nor its retry may be acknowledged.
        let gate = faults.gate.lock().unwrap();
        let first = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("a")).await }
        });
        while sched.get("a").is_err() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let retry = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("a")).await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!first.is_finished());
        assert!(
            !retry.is_finished(),
            "the retry was acknowledged before the task was on disk"
        );
        drop(gate);
        assert!(first.await.unwrap().unwrap().1);
        assert!(!retry.await.unwrap().unwrap().1);

        // A failed write fails the submission and its retry, and withdraws the task.
        let gate = faults.gate.lock().unwrap();
        *faults.fail_after.lock().unwrap() = Some(5);
        let first = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("b")).await }
        });
        while sched.get("b").is_err() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let retry = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("b")).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(gate);
        let e = first.await.unwrap().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        let e = retry.await.unwrap().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        assert_eq!(sched.get("b").unwrap_err().kind, ErrorKind::NotFound);
        // Submitting it again works.
        assert!(sched.submit(worker_task("b")).await.unwrap().1);
    }
}
