//! The scheduler's in-memory state: every task, the payloads of unfinished ones, the ready
//! queues, what holds each running attempt (a kill switch or a lease), and finished tasks in
//! retention order with their approximate memory, and tombstones of
//! those retention dropped. It sits behind the scheduler's one mutex; this module only keeps its
//! pieces consistent and knows nothing of the store, events or metrics.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::{oneshot, watch};

use crate::server::executor::Kill;
use crate::server::gpus::GpuPool;
use crate::server::task::{ExecutorKind, Task};

/// Queue order: higher priority first, then submission order.
pub type QueueKey = (Reverse<i32>, u64);

/// A running attempt held by a pull worker until `expires`. Its id is on the task's record
/// (`Task::lease`), which the journal keeps.
#[derive(Debug, Clone)]
pub struct Lease {
    pub expires: Instant,
    pub expires_ms: u64,
}

impl Lease {
    /// A journaled lease held again after a restart, for its whole length from now.
    pub fn starting_now(record: &crate::server::task::LeaseRecord) -> Lease {
        let length = crate::server::clock::seconds(record.seconds);
        Lease {
            expires: Instant::now() + length,
            expires_ms: crate::server::clock::now_ms()
                .saturating_add(length.as_millis().min(u64::MAX as u128) as u64),
        }
    }
}

/// Set once a submission's record is on disk (Ok) or failed to get there (Err).
pub type Durable = watch::Receiver<Option<std::result::Result<(), String>>>;

#[derive(Default)]
pub struct Table {
    pub tasks: HashMap<String, Task>,
    /// Payloads of unfinished tasks (dropped once a task completes; the hash stays).
    pub payloads: HashMap<String, Arc<str>>,
    /// Payloads of failed and cancelled tasks, kept for a retry (`Scheduler::retry`): counted
    /// in `finished_bytes` and dropped with their task by retention.
    pub kept_payloads: HashMap<String, Arc<str>>,
    /// Bytes held in `payloads`.
    pub payload_bytes: usize,
    /// Ready queues per class, for local execution and for pull workers.
    pub local: BTreeMap<String, BTreeMap<QueueKey, String>>,
    pub pull: BTreeMap<String, BTreeMap<QueueKey, String>>,
    /// Local executions holding a concurrency slot, by class.
    pub running_local: BTreeMap<String, HashSet<String>>,
    pub kills: HashMap<String, oneshot::Sender<Kill>>,
    pub leases: HashMap<String, Lease>,
    /// Finished tasks by finish time, for retention. Change it through `add_finished` and
    /// `pop_finished`, which keep `finished_bytes` true.
    pub finished: BTreeSet<(u64, String)>,
    /// Approximate memory held by the finished tasks (`retained_size` of each).
    pub finished_bytes: usize,
    /// Tasks dropped by retention: id -> finish time, oldest first, bounded.
    pub tombstones: Tombstones,
    pub next_seq: u64,
    /// Submissions whose journal record is not yet on disk: a retry of the same id waits on
    /// this before it is acknowledged.
    pub unsynced: HashMap<String, Durable>,
    /// Which local task holds which GPU.
    pub gpus: GpuPool,
    /// Queued tasks of slurm-executor classes, all classes in one queue: the slurm loop submits
    /// them in batches (arrays), outside the local concurrency limits.
    pub slurm_ready: BTreeMap<QueueKey, String>,
    /// Tasks whose Slurm job is submitted and not yet seen to end.
    pub slurm_running: HashSet<String>,
    /// Slurm job ids to cancel, sent in one scancel by the slurm loop.
    pub slurm_cancels: Vec<String>,
    /// Tasks of a workflow `map` step on a slurm class: task id -> (step, max_parallel). They
    /// go as one array of their own with `%max_parallel`.
    pub slurm_maps: HashMap<String, (String, u32)>,
    /// Queued tasks waiting out a retry backoff: task id -> when they go back to their queue
    /// (ms). Only `why` reads it; the backoff's own timer requeues them.
    pub retry_at: HashMap<String, u64>,
}

/// Finished tasks kept at most, whatever the memory budget allows: half the tasks submission
/// accepts in all (`MAX_TASKS`), so retained results never make it refuse new work.
pub const MAX_RETAINED: usize = 500_000;

/// Tombstones kept at most (each costs an id and a number, about 100 bytes).
pub const MAX_TOMBSTONES: usize = 100_000;

/// A bounded map from the id of a task dropped by retention to its finish time, so that a
/// lookup can say "expired" rather than "no task". The oldest tombstone goes first.
#[derive(Default)]
pub struct Tombstones {
    by_id: HashMap<String, u64>,
    order: VecDeque<(String, u64)>,
}

impl Tombstones {
    pub fn insert(&mut self, id: String, finished_at_ms: u64) {
        while self.order.len() >= MAX_TOMBSTONES {
            let Some((old, at)) = self.order.pop_front() else {
                break;
            };
            // The same id may have been reused and dropped again since: keep the newer one.
            if self.by_id.get(&old) == Some(&at) {
                self.by_id.remove(&old);
            }
        }
        self.by_id.insert(id.clone(), finished_at_ms);
        self.order.push_back((id, finished_at_ms));
    }

    /// When the dropped task `id` finished, if its tombstone is still kept.
    pub fn get(&self, id: &str) -> Option<u64> {
        self.by_id.get(id).copied()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Approximate memory a retained finished task holds: its strings, its result, and the
/// overhead of the struct and of the maps that index it.
pub fn retained_size(task: &Task) -> usize {
    const OVERHEAD: usize = 320;
    OVERHEAD
        + 3 * task.id.len()
        + task.class.len()
        + task.error.len()
        + task.payload_hash.len()
        + task.worker_id.as_ref().map_or(0, String::len)
        + task
            .result
            .iter()
            .map(|(k, v)| k.len() + v.len() + 48)
            .sum::<usize>()
}

/// The scheduler's lock. A panic while it was held leaves the state as consistent as each
/// step keeps it, so a poisoned lock is taken over rather than spread.
pub fn lock(m: &Mutex<Table>) -> MutexGuard<'_, Table> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Table {
    /// Task `id`'s lease is over (completed, handed back, expired or cancelled): out of the
    /// lease table and off the task's record.
    pub fn end_lease(&mut self, id: &str) {
        self.leases.remove(id);
        if let Some(t) = self.tasks.get_mut(id) {
            t.lease = None;
        }
    }

    /// Put a queued task in its ready queue: the pull queue for workers, else the local one.
    pub fn enqueue(&mut self, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
        if task.executor == ExecutorKind::Slurm {
            self.slurm_ready.insert(key, task.id.clone());
            return;
        }
        let queues = if task.executor == ExecutorKind::Worker {
            &mut self.pull
        } else {
            &mut self.local
        };
        // The class's queue exists after its first task: look it up before making a key.
        match queues.get_mut(&task.class) {
            Some(q) => q.insert(key, task.id.clone()),
            None => queues
                .entry(task.class.clone())
                .or_default()
                .insert(key, task.id.clone()),
        };
    }

    pub fn dequeue(&mut self, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
        self.slurm_ready.remove(&key);
        // A map step's throttle is only needed until the task is submitted.
        self.slurm_maps.remove(&task.id);
        for queues in [&mut self.local, &mut self.pull] {
            if let Some(q) = queues.get_mut(&task.class) {
                q.remove(&key);
            }
        }
    }

    pub fn keep_payload(&mut self, id: &str, payload: Arc<str>) {
        self.payload_bytes += payload.len();
        self.payloads.insert(id.to_string(), payload);
    }

    /// Drop an unfinished task's payload, returning it.
    pub fn drop_payload(&mut self, id: &str) -> Option<Arc<str>> {
        let p = self.payloads.remove(id)?;
        self.payload_bytes -= p.len();
        Some(p)
    }

    /// Index a finished task for retention and count its memory.
    pub fn add_finished(&mut self, task: &Task) {
        if self.finished.insert((task.finished_at_ms, task.id.clone())) {
            self.finished_bytes += retained_size(task);
        }
    }

    /// Keep a failed or cancelled task's payload for a retry (an unfinished one's moves here
    /// from `payloads`); counted with the retained finished tasks.
    pub fn keep_for_retry(&mut self, id: &str, payload: Arc<str>) {
        self.finished_bytes += payload.len();
        if let Some(old) = self.kept_payloads.insert(id.to_string(), payload) {
            self.finished_bytes = self.finished_bytes.saturating_sub(old.len());
        }
    }

    /// Take a finished task out of the retention index (it is queued again), with its kept
    /// payload. Its memory is no longer counted there.
    pub fn unfinish(&mut self, task: &Task) -> Option<Arc<str>> {
        if self
            .finished
            .remove(&(task.finished_at_ms, task.id.clone()))
        {
            self.finished_bytes = self.finished_bytes.saturating_sub(retained_size(task));
        }
        let payload = self.kept_payloads.remove(&task.id)?;
        self.finished_bytes = self.finished_bytes.saturating_sub(payload.len());
        Some(payload)
    }

    /// Drop the oldest finished task from memory, leaving a tombstone. Returns its finish
    /// time and id.
    pub fn pop_finished(&mut self) -> Option<(u64, String)> {
        let (at, id) = self.finished.pop_first()?;
        if let Some(task) = self.tasks.remove(&id) {
            self.finished_bytes = self.finished_bytes.saturating_sub(retained_size(&task));
        }
        if let Some(p) = self.kept_payloads.remove(&id) {
            self.finished_bytes = self.finished_bytes.saturating_sub(p.len());
        }
        self.tombstones.insert(id.clone(), at);
        Some((at, id))
    }

    /// Local executions running now, all classes.
    pub fn running_local_count(&self) -> usize {
        self.running_local.values().map(HashSet::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_are_bounded_and_keep_a_reused_ids_newest_finish() {
        let mut t = Tombstones::default();
        t.insert("a".into(), 1);
        // The id was reused and dropped again: its newer tombstone answers.
        t.insert("a".into(), 3);
        assert_eq!(t.get("a"), Some(3));
        for i in 0..MAX_TOMBSTONES - 2 {
            t.insert(format!("x{i}"), 2);
        }
        // Full: the oldest entry (a's first) goes, and a's newer one stays.
        t.insert("b".into(), 4);
        assert_eq!(t.get("a"), Some(3));
        assert_eq!(t.get("x0"), Some(2));
        // Then a's newer entry goes, then x0.
        t.insert("c".into(), 5);
        assert_eq!(t.get("a"), None);
        t.insert("d".into(), 6);
        assert_eq!(t.get("x0"), None);
        assert_eq!(t.get("d"), Some(6));
        assert!(t.len() <= MAX_TOMBSTONES);
    }
}
