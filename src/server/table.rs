//! The scheduler's in-memory state: every task, the payloads of unfinished ones, the ready
//! queues, what holds each running attempt (a kill switch or a lease), and finished tasks in
//! retention order. It sits behind the scheduler's one mutex; this module only keeps its
//! pieces consistent and knows nothing of the store, events or metrics.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::{oneshot, watch};

use crate::server::executor::Kill;
use crate::server::task::{ExecutorKind, Task};

/// Queue order: higher priority first, then submission order.
pub type QueueKey = (Reverse<i32>, u64);

/// A running attempt held by a pull worker until `expires`.
#[derive(Debug, Clone)]
pub struct Lease {
    pub lease_id: String,
    pub expires: Instant,
    pub expires_ms: u64,
}

/// Set once a submission's record is on disk (Ok) or failed to get there (Err).
pub type Durable = watch::Receiver<Option<std::result::Result<(), String>>>;

#[derive(Default)]
pub struct Table {
    pub tasks: HashMap<String, Task>,
    /// Payloads of unfinished tasks (dropped once a task ends; the hash stays).
    pub payloads: HashMap<String, Arc<str>>,
    /// Bytes held in `payloads`.
    pub payload_bytes: usize,
    /// Ready queues per class, for local execution and for pull workers.
    pub local: BTreeMap<String, BTreeMap<QueueKey, String>>,
    pub pull: BTreeMap<String, BTreeMap<QueueKey, String>>,
    /// Local executions holding a concurrency slot, by class.
    pub running_local: BTreeMap<String, HashSet<String>>,
    pub kills: HashMap<String, oneshot::Sender<Kill>>,
    pub leases: HashMap<String, Lease>,
    /// Finished tasks by finish time, for retention.
    pub finished: BTreeSet<(u64, String)>,
    pub next_seq: u64,
    /// Submissions whose journal record is not yet on disk: a retry of the same id waits on
    /// this before it is acknowledged.
    pub unsynced: HashMap<String, Durable>,
}

/// The scheduler's lock. A panic while it was held leaves the state as consistent as each
/// step keeps it, so a poisoned lock is taken over rather than spread.
pub fn lock(m: &Mutex<Table>) -> MutexGuard<'_, Table> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Table {
    /// Put a queued task in its ready queue: the pull queue for workers, else the local one.
    pub fn enqueue(&mut self, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
        let queues = if task.executor == ExecutorKind::Worker {
            &mut self.pull
        } else {
            &mut self.local
        };
        queues
            .entry(task.class.clone())
            .or_default()
            .insert(key, task.id.clone());
    }

    pub fn dequeue(&mut self, task: &Task) {
        let key = (Reverse(task.priority), task.seq);
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

    pub fn drop_payload(&mut self, id: &str) {
        if let Some(p) = self.payloads.remove(id) {
            self.payload_bytes -= p.len();
        }
    }

    /// Local executions running now, all classes.
    pub fn running_local_count(&self) -> usize {
        self.running_local.values().map(HashSet::len).sum()
    }
}
