//! SubmitTask: validate a request, decide how the task runs, and accept it durably. A
//! submission is acknowledged only once its journal record is fsync'd, and so is a retry of the
//! same id and payload that arrives while the first still waits for the disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::sync::{oneshot, watch};

use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::executor;
use crate::server::scheduler::Scheduler;
use crate::server::store::Store;
use crate::server::table::{Durable, Table};
use crate::server::task::{
    ErrorKind, ExecutorKind, MAX_ATTEMPTS, SResult, SchedError, SubmitRequest, Task, TaskState,
    default_gpus, payload_object, validate_gpu_request, validate_id,
};
use crate::settings::TASK_CLASSES;

/// Store records waiting for the disk before submissions are refused.
const MAX_STORE_BACKLOG: usize = 200_000;
/// Tasks held at most (queued, running and retained finished ones).
const MAX_TASKS: usize = 1_000_000;
/// Payload bytes of unfinished tasks held at most.
const MAX_PAYLOAD_MEMORY: usize = 1 << 30;

/// A request that passed validation, in the scheduler's terms.
struct Checked {
    id: String,
    class: String,
    executor: ExecutorKind,
    payload_json: String,
    payload_hash: String,
    max_attempts: u32,
    timeout_s: Option<f64>,
    gpus: u32,
    gpu_memory_mb: u64,
}

const STORE_STOPPED: &str = "the store writer stopped before the task was written";

/// What admitting one validated request did.
enum Admitted {
    /// A new task (its id and executor; the task itself went into the table, uncopied),
    /// its journal record added to the caller's buffer.
    New(String, ExecutorKind),
    /// The same id and payload exist; wait for this when their first submission still waits
    /// for the disk.
    Existing(Box<Task>, Option<Durable>),
}

/// One request of a batch on its way to its answer: the task's id.
enum Slot<E> {
    Done(std::result::Result<(String, bool), E>),
    New(String, ExecutorKind),
    Existing(String, Option<Durable>),
}

async fn ack_outcome(
    ack: oneshot::Receiver<std::result::Result<(), String>>,
) -> std::result::Result<(), String> {
    ack.await.unwrap_or_else(|_| Err(STORE_STOPPED.into()))
}

/// Wait for a submission's record to reach the disk.
async fn durable(mut rx: Durable) -> SResult<()> {
    let outcome = match rx.wait_for(Option::is_some).await {
        Ok(v) => v.clone().unwrap_or(Ok(())),
        Err(_) => Err(STORE_STOPPED.to_string()),
    };
    outcome.map_err(|e| SchedError::new(ErrorKind::Internal, e))
}

impl Scheduler {
    /// Accept a task. Answers once it is fsync'd. Returns the task and whether it is new.
    pub async fn submit(self: &Arc<Self>, req: SubmitRequest) -> SResult<(Task, bool)> {
        self.refuse_when_draining()?;
        let checked = self.check(&req)?;
        let (synced_tx, synced) = watch::channel(None);
        let mut record = Vec::new();
        let (admitted, fresh, ack) = {
            let mut g = self.table();
            let admitted = self.admit_locked(&mut g, &req, checked, &synced, &mut record, 0)?;
            // The answer's copy of a new task (the table holds the task itself).
            let fresh = match &admitted {
                Admitted::New(id, _) => g.tasks.get(id).cloned(),
                Admitted::Existing(..) => None,
            };
            // Sent before the lock goes, so that the journal keeps the table's order.
            let ack = (!record.is_empty()).then(|| self.store.put_durable_batch(record, 1));
            (admitted, fresh, ack)
        };
        let _waiting = self.durable_waiters.enter();
        match (admitted, fresh, ack) {
            (Admitted::Existing(task, wait), _, _) => {
                if let Some(rx) = wait {
                    durable(rx).await?;
                }
                Ok((*task, false))
            }
            (Admitted::New(..), Some(task), Some(ack)) => {
                self.metrics.submitted(1);
                self.wake_for(task.executor);
                // Settled by its own task, so that a client that goes away before the fsync
                // does not leave retries waiting or a failed write unrolled.
                let me = self.clone();
                let id = task.id.clone();
                tokio::spawn(async move {
                    let outcome = ack_outcome(ack).await;
                    me.settle_submissions(&[id], &outcome);
                    let _ = synced_tx.send(Some(outcome));
                });
                durable(synced).await?;
                Ok((task, true))
            }
            _ => Err(SchedError::new(
                ErrorKind::Internal,
                "a new task without a journal record",
            )),
        }
    }

    /// Accept many tasks at once, answered per task in order. Each request that converted
    /// (`Ok`) and passes validation is admitted under one hold of the table's lock; their
    /// records go to the journal as one message with one acknowledgement and one settling
    /// task, and the call answers once all are on disk. One bad task is an error in its own
    /// slot only. `err` turns the scheduler's error into the caller's.
    pub async fn submit_batch<E>(
        self: &Arc<Self>,
        reqs: Vec<Result<SubmitRequest, E>>,
        err: impl Fn(SchedError) -> E,
    ) -> Vec<Result<(String, bool), E>> {
        if let Err(e) = self.refuse_when_draining() {
            return reqs.into_iter().map(|_| Err(err(e.clone()))).collect();
        }
        let checked: Vec<Result<(SubmitRequest, Checked), E>> = reqs
            .into_iter()
            .map(|r| {
                let req = r?;
                let checked = self.check(&req).map_err(&err)?;
                Ok((req, checked))
            })
            .collect();
        let (synced_tx, synced) = watch::channel(None);
        let mut slots = Vec::with_capacity(checked.len());
        let mut new_ids = Vec::new();
        let mut records = Vec::new();
        let ack = {
            let mut g = self.table();
            for c in checked {
                let slot = match c {
                    Err(e) => Slot::Done(Err(e)),
                    Ok((req, checked)) => {
                        let unsent = new_ids.len();
                        match self.admit_locked(
                            &mut g,
                            &req,
                            checked,
                            &synced,
                            &mut records,
                            unsent,
                        ) {
                            Err(e) => Slot::Done(Err(err(e))),
                            Ok(Admitted::Existing(task, wait)) => Slot::Existing(task.id, wait),
                            Ok(Admitted::New(id, executor)) => {
                                new_ids.push(id.clone());
                                Slot::New(id, executor)
                            }
                        }
                    }
                };
                slots.push(slot);
            }
            // Sent before the lock goes, so that the journal keeps the table's order.
            (!new_ids.is_empty()).then(|| self.store.put_durable_batch(records, new_ids.len()))
        };
        let _waiting = self.durable_waiters.enter();
        let mut outcome = None;
        if let Some(ack) = ack {
            let created = new_ids.len();
            self.metrics.submitted(created as u64);
            // Once per kind of executor among the new tasks, not once per task.
            let mut woken: Vec<ExecutorKind> = Vec::new();
            for s in &slots {
                if let Slot::New(_, executor) = s
                    && !woken.contains(executor)
                {
                    self.wake_for(*executor);
                    woken.push(*executor);
                }
            }
            // Settled by its own task, so that a client that goes away before the fsync does
            // not leave retries waiting or a failed write unrolled.
            let (done_tx, done_rx) = tokio::sync::oneshot::channel();
            let me = self.clone();
            tokio::spawn(async move {
                let result = ack_outcome(ack).await;
                me.settle_submissions(&new_ids, &result);
                let _ = synced_tx.send(Some(result.clone()));
                let _ = done_tx.send(result);
            });
            outcome = Some(done_rx.await.unwrap_or_else(|_| Err(STORE_STOPPED.into())));
        }
        let mut out = Vec::with_capacity(slots.len());
        for slot in slots {
            out.push(match slot {
                Slot::Done(r) => r,
                Slot::New(id, _) => match &outcome {
                    Some(Err(e)) => Err(err(SchedError::new(ErrorKind::Internal, e.clone()))),
                    _ => Ok((id, true)),
                },
                Slot::Existing(id, None) => Ok((id, false)),
                Slot::Existing(id, Some(rx)) => {
                    durable(rx).await.map(|()| (id, false)).map_err(&err)
                }
            });
        }
        out
    }

    pub(crate) fn refuse_when_draining(&self) -> SResult<()> {
        if self.is_draining() {
            return Err(SchedError::new(
                ErrorKind::Draining,
                "the scheduler is shutting down and takes no new tasks",
            ));
        }
        Ok(())
    }

    /// Admit one validated request under the table's lock: the task as it exists (same id
    /// and payload), or a new one queued with its journal record added to `records`, which
    /// the caller sends before it lets go of the lock; `unsent` records are already there,
    /// and count towards the store's backlog. `synced` answers retries of the new id until
    /// its record is settled.
    fn admit_locked(
        &self,
        g: &mut Table,
        req: &SubmitRequest,
        checked: Checked,
        synced: &Durable,
        records: &mut Vec<u8>,
        unsent: usize,
    ) -> SResult<Admitted> {
        let id = checked.id;
        if let Some(existing) = g.tasks.get(&id) {
            if existing.payload_hash == checked.payload_hash {
                // The first submission may still wait for its fsync: acknowledge the retry
                // only once the task is on disk, as the first one is.
                return Ok(Admitted::Existing(
                    Box::new(existing.clone()),
                    g.unsynced.get(&id).cloned(),
                ));
            }
            return Err(SchedError::new(
                ErrorKind::AlreadyExists,
                format!("task {id} already exists with a different class or payload"),
            ));
        }
        if g.tasks.len() >= MAX_TASKS
            || self.store.backlog() + unsent >= MAX_STORE_BACKLOG
            || g.payload_bytes + checked.payload_json.len() > MAX_PAYLOAD_MEMORY
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
            class: checked.class,
            priority: req.priority,
            max_attempts: checked.max_attempts,
            timeout_s: checked.timeout_s,
            seq,
            submitted_at_ms: now,
            queued_at_ms: now,
            executor: checked.executor,
            payload_hash: checked.payload_hash,
            submitted_by: req.submitted_by.clone(),
            gpus: checked.gpus,
            gpu_memory_mb: checked.gpu_memory_mb,
            ..Task::blank(&id)
        };
        Store::encode_durable(records, &task, &checked.payload_json);
        g.unsynced.insert(id.clone(), synced.clone());
        g.keep_payload(&id, Arc::from(checked.payload_json));
        g.enqueue(&task);
        self.events.emit(
            EventKind::TaskSubmitted,
            &id,
            BTreeMap::from([
                ("class".to_string(), task.class.clone()),
                ("priority".to_string(), task.priority.to_string()),
            ]),
            None,
        );
        let executor = task.executor;
        g.tasks.insert(id.clone(), task);
        Ok(Admitted::New(id, executor))
    }

    /// Validate a request: class, payload size and shape, id, attempts. Decides the executor
    /// and computes the payload's canonical JSON and hash.
    fn check(&self, req: &SubmitRequest) -> SResult<Checked> {
        let class = if req.class.is_empty() {
            "cpu_short".to_string()
        } else {
            req.class.clone()
        };
        if !TASK_CLASSES.contains(&class.as_str()) {
            return Err(SchedError::invalid(format!(
                "unknown task class {class:?} (expected one of {})",
                TASK_CLASSES.join(", ")
            )));
        }
        let max = self.settings().max_payload_bytes.value as usize;
        let object = submitted_object(req, max)?;
        let executor = match (object.get("command"), object.get("image")) {
            (_, Some(serde_json::Value::String(_))) => ExecutorKind::Container,
            (_, Some(_)) => return Err(SchedError::invalid("payload `image` must be a string")),
            (Some(cmd), None) => {
                executor::parse_command(cmd)
                    .map_err(|e| SchedError::invalid(format!("payload `command`: {e}")))?;
                ExecutorKind::Process
            }
            (None, None) => self.handler_or_worker(&class),
        };
        let (gpus, gpu_memory_mb) = validate_gpu_request(&class, req.gpus, req.gpu_memory_mb)?;
        let timeout_s = (req.timeout_s > 0.0 && req.timeout_s.is_finite()).then_some(req.timeout_s);
        let executor = self.slurm_executor(&class, executor, &object, timeout_s)?;
        // `executor = "workers"`: checked like a local task, then left for a pull worker.
        let workers_only = self
            .settings()
            .classes
            .get(&class)
            .is_some_and(|c| c.workers);
        let executor = if workers_only {
            ExecutorKind::Worker
        } else {
            executor
        };
        self.check_gpu_fit(executor, gpus, gpu_memory_mb)?;
        let payload_json = serde_json::Value::Object(object).to_string();
        if payload_json.len() > max {
            return Err(SchedError::invalid(format!(
                "payload is {} bytes as JSON; the limit is {max} (scheduler.max_payload_bytes)",
                payload_json.len()
            )));
        }
        let mut hasher = Sha256::new();
        hasher.update(class.as_bytes());
        hasher.update([0]);
        hasher.update(payload_json.as_bytes());
        // GPU needs other than the class's default are part of what a retry must repeat; the
        // default adds nothing, so hashes journaled before these fields existed still match.
        if gpus != default_gpus(&class) || gpu_memory_mb != 0 {
            hasher.update(format!("\0gpus={gpus};gpu_memory_mb={gpu_memory_mb}").as_bytes());
        }
        let payload_hash = hex::encode(&hasher.finalize()[..16]);
        let id = if req.task_id.is_empty() {
            self.new_id()
        } else {
            validate_id(&req.task_id)?;
            req.task_id.clone()
        };
        // 0 is proto3's "not set": the configured default.
        let max_attempts = match req.max_attempts {
            0 => self.settings().max_attempts.value,
            n if n <= MAX_ATTEMPTS => n,
            n => {
                return Err(SchedError::invalid(format!(
                    "max_attempts is {n}; expected 1 to {MAX_ATTEMPTS}"
                )));
            }
        };
        Ok(Checked {
            id,
            class,
            executor,
            payload_json,
            payload_hash,
            max_attempts,
            timeout_s,
            gpus,
            gpu_memory_mb,
        })
    }

    /// A class whose `executor = "slurm"` runs what would run here (a command, an image, its
    /// handler) as a Slurm job. Refused at once when the job could never be submitted: nothing
    /// to run, no sbatch, an image without a container runtime, a time limit under Slurm's
    /// minute.
    fn slurm_executor(
        &self,
        class: &str,
        executor: ExecutorKind,
        object: &serde_json::Map<String, serde_json::Value>,
        timeout_s: Option<f64>,
    ) -> SResult<ExecutorKind> {
        let settings = self.settings();
        let Some(cls) = settings.classes.get(class).filter(|c| c.slurm.value) else {
            return Ok(executor);
        };
        let precondition = |m: String| SchedError::new(ErrorKind::FailedPrecondition, m);
        if executor == ExecutorKind::Worker {
            // A Slurm job needs something to run; no pull worker serves a Slurm class.
            return Err(precondition(format!(
                "task class {class} runs on Slurm: the payload needs `command` or `image` (or set scheduler.classes.{class}.handler)"
            )));
        }
        let cfg = crate::slurm::Config::from_settings(&settings.slurm);
        cfg.resolve(crate::slurm::Command::Sbatch).map_err(|e| {
            precondition(format!("task class {class} runs on Slurm: {}", e.message()))
        })?;
        if object.contains_key("image") && cfg.container_runtime.is_none() {
            return Err(precondition(format!(
                "task class {class} runs on Slurm, and a payload `image` there needs slurm.container_runtime (apptainer, singularity or docker)"
            )));
        }
        let limit = timeout_s
            .or(settings.slurm.time_limit_s.value)
            .unwrap_or(cls.timeout_s.value);
        if limit < crate::slurm::script::MIN_TIME_LIMIT_S {
            return Err(SchedError::invalid(format!(
                "timeout {limit} s is below Slurm's minimum time limit of 60 s (limits are whole minutes)"
            )));
        }
        Ok(ExecutorKind::Slurm)
    }

    /// A submission's record reached the disk, or failed to. A failed one is withdrawn while it
    /// still waits in its queue, as if never submitted (its submitter gets the error); one that
    /// already started stays, and its later records carry it.
    fn settle_submissions(&self, ids: &[String], outcome: &std::result::Result<(), String>) {
        let mut g = self.table();
        for id in ids {
            g.unsynced.remove(id);
            if outcome.is_err() {
                self.withdraw_locked(&mut g, id);
            }
        }
    }

    fn withdraw_locked(&self, g: &mut Table, id: &str) {
        let Some(task) = g.tasks.get(id).cloned() else {
            return;
        };
        if task.state != TaskState::Queued || task.attempt != 0 {
            return;
        }
        g.dequeue(&task);
        g.tasks.remove(id);
        g.drop_payload(id);
        self.events.emit(
            EventKind::TaskFailed,
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
}

/// The payload a client sent as one JSON object: `payload_json` when present (values exactly
/// as sent), else the legacy map (each value parsed as JSON when it parses). Size is checked
/// before parsing.
fn submitted_object(
    req: &SubmitRequest,
    max: usize,
) -> SResult<serde_json::Map<String, serde_json::Value>> {
    let raw_size = match &req.payload_json {
        Some(text) => text.len(),
        None => req.payload.iter().map(|(k, v)| k.len() + v.len()).sum(),
    };
    if raw_size > max {
        return Err(SchedError::invalid(format!(
            "payload is {raw_size} bytes; the limit is {max} (scheduler.max_payload_bytes)"
        )));
    }
    let Some(text) = &req.payload_json else {
        return Ok(payload_object(&req.payload));
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        // Keys sorted as the legacy map's are, so the same payload hashes the same either way
        // (an idempotent resubmission does not depend on the field it came in).
        Ok(serde_json::Value::Object(mut object)) => {
            object.sort_keys();
            Ok(object)
        }
        Ok(other) => Err(SchedError::invalid(format!(
            "payload_json must be a JSON object, not {}",
            json_kind(&other)
        ))),
        Err(e) => Err(SchedError::invalid(format!(
            "payload_json is not valid JSON: {e}"
        ))),
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::server::scheduler::test_scheduler;

    fn worker_task(id: &str) -> SubmitRequest {
        SubmitRequest {
            task_id: id.into(),
            payload: BTreeMap::from([("data".to_string(), "1".to_string())]),
            payload_json: None,
            ..Default::default()
        }
    }

    /// Wait until `n` submissions wait for their fsync, or `stop` holds.
    async fn until_waiting(sched: &Scheduler, n: u64, stop: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while sched.durable_waiters.get() < n && !stop() {
            assert!(
                Instant::now() < deadline,
                "{n} submissions never waited for the disk"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    // Holding the writer's gate across awaits is the point: it keeps the fsync pending.
    #[allow(clippy::await_holding_lock)]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_retried_submit_is_acknowledged_only_once_the_task_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        let faults = sched.store.faults.clone();

        // The writer is held: neither the submission nor its retry may be acknowledged.
        let gate = faults.gate.lock().unwrap();
        let first = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("a")).await }
        });
        until_waiting(&sched, 1, || first.is_finished()).await;
        let retry = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("a")).await }
        });
        // Both wait for the disk (or the retry wrongly answered at once).
        until_waiting(&sched, 2, || retry.is_finished()).await;
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
        until_waiting(&sched, 1, || first.is_finished()).await;
        let retry = tokio::spawn({
            let s = sched.clone();
            async move { s.submit(worker_task("b")).await }
        });
        // The retry must be waiting on the same write before the write fails.
        until_waiting(&sched, 2, || retry.is_finished()).await;
        drop(gate);
        let e = first.await.unwrap().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        let e = retry.await.unwrap().unwrap_err();
        assert_eq!(e.kind, ErrorKind::Internal, "{e:?}");
        assert_eq!(sched.get("b").unwrap_err().kind, ErrorKind::NotFound);
        // Submitting it again works.
        assert!(sched.submit(worker_task("b")).await.unwrap().1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_draining_scheduler_refuses_submissions_as_draining() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        sched.start_draining();
        let e = sched.submit(worker_task("late")).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Draining, "{e:?}");
    }
}
