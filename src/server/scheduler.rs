//! The task scheduler: one queue per class (higher priority first, FIFO within a priority), a
//! concurrency limit and a timeout per class, retries with exponential backoff and jitter,
//! cancellation, idempotent submission, and leases for pull workers.
//!
//! gRPC, HTTP and the CLI (through gRPC) all call these functions. All state sits in one
//! `Table` behind one mutex that is never held across an await; every change is appended to the
//! store while the lock is held, so the journal sees changes in the order they happened.
//!
//! This file holds the state and the transitions every protocol shares: start an attempt,
//! complete it, fail it (retry or final failure), cancel, finish; plus recovery at start,
//! retention and gauges. The protocols build on it, each in its own module: `submission`
//! (SubmitTask), `lease` (pull workers) and `dispatch` (local runs, the dispatcher loop and
//! the graceful stop). None of them is used from here, so the modules form no cycle.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc};

use crate::server::clock::now_ms;
use crate::server::events::{EventKind, Events};
use crate::server::executor::{self, Kill};
use crate::server::metrics::{Gauges, Metrics, Occupancy};
use crate::server::store::{Loaded, Store};
use crate::server::table::{self, Table};
use crate::server::task::{ErrorKind, ExecutorKind, SResult, SchedError, Task, TaskState};
use crate::server::task_query::{self, TaskQuery};
use crate::settings::{SchedulerSettings, TASK_CLASSES};

const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub struct Scheduler {
    table: Mutex<Table>,
    pub store: Store,
    pub events: Events,
    pub metrics: Metrics,
    /// The pull workers that registered (`dspy-agent workers`, GET /workers).
    pub workers: crate::server::workers::Workers,
    cfg: SchedulerSettings,
    pub project: String,
    pub docker_host: crate::runtime::Engine,
    /// Wakes the dispatcher: local work is ready, or a slot came free.
    pub(crate) wake: Notify,
    /// Wakes the slurm loop: tasks to submit or jobs to cancel.
    pub(crate) slurm_wake: Notify,
    /// Wakes LeaseTasks long polls: worker tasks are ready (or the server drains).
    pub(crate) lease_wake: Notify,
    draining: AtomicBool,
    id_prefix: String,
    id_counter: AtomicU64,
    /// Submissions waiting for their record's fsync (an observable for tests).
    pub(crate) durable_waiters: Occupancy,
    pub started: Instant,
    /// Set once the memory budget first forced an early eviction (the log says so once).
    eviction_warned: AtomicBool,
    /// Where tasks whose id starts with `WORKFLOW_TASK_PREFIX` go when they end: the workflow
    /// engine, which sits above the scheduler and registers itself here at start.
    finish_hook: OnceLock<mpsc::UnboundedSender<Task>>,
}

/// Ids of tasks that workflow steps run as start with this.
pub const WORKFLOW_TASK_PREFIX: &str = "wf:";

/// How an attempt failed.
pub struct Failure {
    pub error: String,
    pub result: BTreeMap<String, String>,
    /// How long the attempt ran, for the duration histogram.
    pub duration_s: f64,
    /// Wait a backoff before the retry; false requeues at once (an expired lease).
    pub backoff: bool,
}

impl Scheduler {
    /// Build the scheduler from the store's contents: queued tasks are queued again, tasks that
    /// were running are retried as a new attempt (or failed when out of attempts).
    pub fn new(
        store: Store,
        loaded: Loaded,
        cfg: SchedulerSettings,
        project: String,
        docker_host: crate::runtime::Engine,
    ) -> Arc<Scheduler> {
        let started_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let sched = Arc::new(Scheduler {
            workers: Default::default(),
            table: Mutex::new(Table::default()),
            store,
            events: Events::new(),
            metrics: Metrics::default(),
            cfg,
            project,
            docker_host,
            wake: Notify::new(),
            lease_wake: Notify::new(),
            slurm_wake: Notify::new(),
            draining: AtomicBool::new(false),
            id_prefix: format!("t{:x}", started_ns / 1000),
            id_counter: AtomicU64::new(0),
            durable_waiters: Occupancy::default(),
            started: Instant::now(),
            eviction_warned: AtomicBool::new(false),
            finish_hook: OnceLock::new(),
        });
        {
            let mut g = sched.table();
            let now = now_ms();
            for (mut task, payload) in loaded {
                g.next_seq = g.next_seq.max(task.seq + 1);
                if task.state == TaskState::Running {
                    if task.executor == ExecutorKind::Slurm && task.slurm.is_some() {
                        // Its job runs on the cluster whatever happened here: the slurm loop
                        // looks it up (adoption), and never submits it again.
                        g.slurm_running.insert(task.id.clone());
                    } else if let Some(lease) = &task.lease {
                        // A pull worker may still run it: its lease holds again for its
                        // length from now, for the worker to extend it or report.
                        g.leases
                            .insert(task.id.clone(), table::Lease::starting_now(lease));
                    } else {
                        sched.recover_interrupted(&mut task, now);
                    }
                }
                if let Some(p) = payload {
                    if !task.state.is_terminal() {
                        g.keep_payload(&task.id, Arc::from(p));
                    } else if retryable(&task) {
                        g.keep_for_retry(&task.id, Arc::from(p));
                    }
                }
                if task.state == TaskState::Queued {
                    // A handler may have been configured (or removed) since.
                    if matches!(task.executor, ExecutorKind::Handler | ExecutorKind::Worker) {
                        task.executor = sched.handler_or_worker(&task.class);
                    }
                    g.enqueue(&task);
                } else if task.state.is_terminal() {
                    g.add_finished(&task);
                }
                g.tasks.insert(task.id.clone(), task);
            }
            sched.apply_retention(&mut g);
        }
        sched
    }

    /// A task the journal says was running when the server went away: a new attempt, or a
    /// final failure when out of attempts.
    fn recover_interrupted(&self, task: &mut Task, now: u64) {
        task.worker_id = None;
        // A crash left its processes behind (a shell's children outlive the PDEATHSIG of the
        // shell): kill them before it runs again.
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
                "interrupted: the server exited while it ran, and it was out of attempts".into();
        }
        self.store.put(task);
    }

    /// Send every workflow task that ends to `tx` (the workflow engine; set once).
    pub fn set_finish_hook(&self, tx: mpsc::UnboundedSender<Task>) {
        let _ = self.finish_hook.set(tx);
    }

    pub fn settings(&self) -> &SchedulerSettings {
        &self.cfg
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// From now on: no submissions, no leases, no new local runs.
    pub(crate) fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
        self.lease_wake.notify_waiters();
    }

    pub(crate) fn table(&self) -> MutexGuard<'_, Table> {
        table::lock(&self.table)
    }

    pub(crate) fn handler_or_worker(&self, class: &str) -> ExecutorKind {
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

    pub(crate) fn new_id(&self) -> String {
        let n = self.id_counter.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.id_prefix)
    }

    /// Tell whoever runs this kind of task that one is ready.
    pub(crate) fn wake_for(&self, executor: ExecutorKind) {
        if executor == ExecutorKind::Worker {
            self.lease_wake.notify_waiters();
        } else if executor == ExecutorKind::Slurm {
            self.slurm_wake.notify_one();
        } else {
            self.wake.notify_one();
        }
    }

    pub fn get(&self, id: &str) -> SResult<Task> {
        let g = self.table();
        g.tasks.get(id).cloned().ok_or_else(|| missing(&g, id))
    }

    /// Tasks, newest first, filtered by status and class. Returns (page, total matching).
    pub fn list(
        &self,
        status: Option<TaskState>,
        class: Option<&str>,
        limit: usize,
    ) -> (Vec<Task>, usize) {
        self.query(&TaskQuery {
            status,
            class: class.map(str::to_string),
            limit,
            ..Default::default()
        })
    }

    /// The page of tasks `q` selects and how many match (every listing runs this).
    pub fn query(&self, q: &TaskQuery) -> (Vec<Task>, usize) {
        task_query::select(&self.table(), q)
    }

    /// Tasks counted by state and class, and each class's queue.
    pub fn overview(&self) -> task_query::Overview {
        task_query::overview(&self.table())
    }

    /// The payload of an unfinished task, or of a failed or cancelled one kept for a retry (a
    /// completed one's is dropped; its hash stays).
    pub fn payload(&self, id: &str) -> Option<Arc<str>> {
        let g = self.table();
        g.payloads
            .get(id)
            .or_else(|| g.kept_payloads.get(id))
            .cloned()
    }

    /// Finished tasks (for result-stream replay), oldest first.
    pub fn finished_tasks(&self, ids: &HashSet<String>) -> Vec<Task> {
        let g = self.table();
        g.finished
            .iter()
            .filter(|(_, id)| ids.is_empty() || ids.contains(id))
            .filter_map(|(_, id)| g.tasks.get(id).cloned())
            .collect()
    }

    /// Cancel a queued or running task. Returns the task and whether this call cancelled it.
    pub fn cancel(&self, id: &str) -> SResult<(Task, bool)> {
        let mut g = self.table();
        let task = g.tasks.get(id).cloned().ok_or_else(|| missing(&g, id))?;
        if task.state.is_terminal() {
            return Ok((task, false));
        }
        g.dequeue(&task);
        g.end_lease(id);
        if let Some(kill) = g.kills.remove(id) {
            let _ = kill.send(Kill::Cancel);
        }
        if g.slurm_running.remove(id)
            && let Some(job) = &task.slurm
        {
            // Sent with the other cancellations of this moment in one scancel.
            g.slurm_cancels.push(job.job_id.clone());
            self.slurm_wake.notify_one();
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

    /// Start the next attempt of a task taken from its ready queue, local or leased: it is
    /// running from now on, journaled, counted and announced. `worker_id` names the pull
    /// worker for a lease. The caller registers what holds the attempt (a kill switch or a
    /// lease) under the same lock.
    pub(crate) fn start_attempt_locked(
        &self,
        g: &mut Table,
        id: &str,
        worker_id: Option<&str>,
    ) -> Option<Task> {
        let now = now_ms();
        let task = g.tasks.get_mut(id)?;
        task.state = TaskState::Running;
        task.attempt += 1;
        task.started_at_ms = now;
        task.worker_id = worker_id.map(str::to_string);
        let task = task.clone();
        self.store.put(&task);
        self.metrics.started(
            &task.class,
            now.saturating_sub(task.queued_at_ms) as f64 / 1000.0,
        );
        let mut data = BTreeMap::from([
            ("class".to_string(), task.class.clone()),
            ("attempt".to_string(), task.attempt.to_string()),
            ("executor".to_string(), task.executor.as_str().to_string()),
        ]);
        if let Some(w) = worker_id {
            data.insert("worker_id".into(), w.to_string());
        }
        self.events.emit(EventKind::TaskStarted, id, data, None);
        Some(task)
    }

    /// A running attempt succeeded: the task is completed with this result.
    pub(crate) fn complete_attempt_locked(
        &self,
        g: &mut Table,
        id: &str,
        result: BTreeMap<String, String>,
        duration_s: f64,
    ) -> Option<Task> {
        let class = g.tasks.get(id)?.class.clone();
        self.metrics.finished(&class, "completed", duration_s);
        self.finish_locked(g, id, |t| {
            t.state = TaskState::Completed;
            t.result = result;
            t.error = String::new();
        })
    }

    /// A running attempt failed: retry it (after a backoff, unless told not to) while attempts
    /// remain, else fail the task. The one place that counts a failed attempt in the metrics.
    pub(crate) fn fail_attempt_locked(
        self: &Arc<Self>,
        g: &mut Table,
        id: &str,
        failure: Failure,
    ) -> Option<Task> {
        let Failure {
            error,
            result,
            duration_s,
            backoff,
        } = failure;
        let task = g.tasks.get_mut(id)?;
        let retry = task.attempt < task.max_attempts;
        self.metrics.finished(
            &task.class,
            if retry { "retrying" } else { "failed" },
            duration_s,
        );
        if !retry {
            return self.finish_locked(g, id, |t| {
                t.state = TaskState::Failed;
                t.error = error;
                t.result = result;
            });
        }
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
            EventKind::TaskRetrying,
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
            g.retry_at.insert(
                id.to_string(),
                now_ms().saturating_add(delay.as_millis() as u64),
            );
            let me = self.clone();
            let id = id.to_string();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let mut g = me.table();
                me.requeue_locked(&mut g, &id, attempt);
            });
        }
        Some(task)
    }

    /// Mark a task terminal, record it, emit its event. Returns the final task.
    fn finish_locked(
        &self,
        g: &mut Table,
        id: &str,
        change: impl FnOnce(&mut Task),
    ) -> Option<Task> {
        let task = g.tasks.get_mut(id)?;
        change(task);
        task.finished_at_ms = now_ms();
        task.worker_id = None;
        let task = task.clone();
        // A failed or cancelled task keeps its payload for a retry; a completed one's goes.
        if let Some(p) = g.drop_payload(id)
            && retryable(&task)
        {
            g.keep_for_retry(id, p);
        }
        g.retry_at.remove(id);
        g.add_finished(&task);
        self.store.put(&task);
        let kind = match task.state {
            TaskState::Completed => EventKind::TaskCompleted,
            TaskState::Cancelled => EventKind::TaskCancelled,
            _ => EventKind::TaskFailed,
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
        if task.id.starts_with(WORKFLOW_TASK_PREFIX)
            && let Some(hook) = self.finish_hook.get()
        {
            let _ = hook.send(task.clone());
        }
        self.apply_retention(g);
        Some(task)
    }

    /// Put a task waiting for a retry back in its queue, unless it changed meanwhile.
    fn requeue_locked(&self, g: &mut Table, id: &str, attempt: u32) {
        if g.tasks.get(id).is_none_or(|t| t.attempt == attempt) {
            g.retry_at.remove(id);
        }
        let Some(task) = g.tasks.get_mut(id) else {
            return;
        };
        if task.state != TaskState::Queued || task.attempt != attempt {
            return;
        }
        task.queued_at_ms = now_ms();
        let task = task.clone();
        g.enqueue(&task);
        self.wake_for(task.executor);
    }

    /// Exponential backoff with +-25 % jitter, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.cfg.retry_backoff_ms.value as f64;
        let exp = base * 2f64.powi(attempt.saturating_sub(1).min(20) as i32);
        let jitter = 0.75 + fastrand::f64() * 0.5;
        Duration::from_millis((exp * jitter) as u64).min(MAX_BACKOFF)
    }

    /// Drop finished tasks, oldest first: past `retention_age_s`; past `retention_count` once
    /// older than `retention_min_age_s`; and, whatever their age, while they hold more than
    /// `retention_memory_bytes` (or more than `MAX_RETAINED` of them). An eviction before the minimum age is counted and warned of
    /// (once). Each dropped task leaves a tombstone, so a lookup answers "expired".
    pub(crate) fn apply_retention(&self, g: &mut Table) {
        let max_count = self.cfg.retention_count.value as usize;
        let budget = usize::try_from(self.cfg.retention_memory_bytes.value).unwrap_or(usize::MAX);
        let now = now_ms();
        let cutoff = now.saturating_sub(self.cfg.retention_age_s.value.saturating_mul(1000));
        let min_age_cutoff =
            now.saturating_sub(self.cfg.retention_min_age_s.value.saturating_mul(1000));
        let mut evicted = 0u64;
        while let Some(&(at, _)) = g.finished.first() {
            let over_budget = g.finished_bytes > budget || g.finished.len() > table::MAX_RETAINED;
            let expired = at < cutoff || (g.finished.len() > max_count && at <= min_age_cutoff);
            if !expired && !over_budget {
                break;
            }
            if !expired {
                evicted += 1;
            }
            if let Some((_, id)) = g.pop_finished() {
                self.store.delete(&id);
            }
        }
        if evicted > 0 {
            self.metrics.evicted(evicted);
            if !self.eviction_warned.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    "finished tasks outgrew scheduler.retention_memory_bytes ({budget} bytes): \
                     the oldest are dropped before scheduler.retention_min_age_s ({} s); \
                     tasks_evicted_total counts them (warned once)",
                    self.cfg.retention_min_age_s.value
                );
            }
        }
    }

    /// Compact the journal when it has grown well past the live data.
    pub(crate) fn maybe_compact(&self) {
        let bytes = self.store.journal_bytes();
        if bytes < 64 << 20 {
            return;
        }
        let g = self.table();
        let live_estimate = (g.tasks.len() as u64) * 512
            + (g.payload_bytes + g.kept_payloads.values().map(|p| p.len()).sum::<usize>()) as u64;
        if bytes > live_estimate.saturating_mul(4) {
            self.store.compact(g.tasks.values().map(|t| {
                let payload = g.payloads.get(&t.id).or_else(|| g.kept_payloads.get(&t.id));
                (t, payload.map(|p| &**p))
            }));
        }
    }

    pub fn gauges(&self) -> Gauges {
        let g = self.table();
        let mut gauges = Gauges {
            tasks_stored: g.tasks.len() as u64,
            journal_bytes: self.store.journal_bytes(),
            journal_syncs: self.store.syncs(),
            ..Default::default()
        };
        for class in TASK_CLASSES {
            let limit = self.class_limit(&g, class);
            let of_class = |id: &String| g.tasks.get(id).is_some_and(|t| t.class == class);
            let queued = g.local.get(class).map_or(0, BTreeMap::len)
                + g.pull.get(class).map_or(0, BTreeMap::len)
                + g.slurm_ready.values().filter(|id| of_class(id)).count();
            let inflight = g.running_local.get(class).map_or(0, HashSet::len)
                + g.slurm_running.iter().filter(|id| of_class(id)).count()
                + g.leases
                    .keys()
                    .filter(|id| g.tasks.get(*id).is_some_and(|t| t.class == class))
                    .count();
            gauges
                .classes
                .insert(class.to_string(), (limit, inflight as u64, queued as u64));
        }
        drop(g);
        let (gpus, wait) = self.gpu_gauges();
        gauges.gpus = gpus;
        gauges.gpu_wait_seconds = wait;
        gauges.workers = self.worker_list();
        gauges
    }

    /// The registered pull workers, their running counts checked against the leases.
    pub fn worker_list(&self) -> Vec<crate::proto::orchestrator::WorkerInfo> {
        let table = self.table();
        self.workers.list(|task| table.leases.contains_key(task))
    }
}

/// Whether a task that ended this way keeps its payload for a retry: failed or cancelled, and
/// not a workflow's (the workflow engine retries those).
pub(crate) fn retryable(task: &Task) -> bool {
    matches!(task.state, TaskState::Failed | TaskState::Cancelled)
        && !task.id.starts_with(WORKFLOW_TASK_PREFIX)
}

/// NOT_FOUND for a task the table lacks: "expired" with its finish time when retention
/// dropped it and its tombstone is still kept, else a plain "no task".
pub(crate) fn missing(g: &Table, id: &str) -> SchedError {
    match g.tombstones.get(id) {
        Some(at) => SchedError::expired(id, at),
        None => SchedError::not_found(id),
    }
}

/// Callers look a task up under the same lock first, so this is a bug, reported, not a panic.
pub(crate) fn vanished(id: &str) -> SchedError {
    SchedError::new(
        ErrorKind::Internal,
        format!("task {id} vanished while the scheduler lock was held"),
    )
}

/// A scheduler on a fresh store in `dir`, with default settings, for unit tests.
#[cfg(test)]
pub(crate) fn test_scheduler(dir: &std::path::Path) -> Arc<Scheduler> {
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
    Scheduler::new(
        store,
        loaded,
        settings.scheduler,
        "p".into(),
        crate::runtime::Engine {
            host: String::new(),
            allow_plain_tcp: false,
        },
    )
}
