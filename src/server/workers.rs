//! The pull workers this server has seen: who they are (RegisterWorker), when they last
//! called (LeaseTasks, ExtendLease, CompleteTask) and what they ran. In memory only: a worker
//! registers again when it reconnects to a restarted server.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::proto::orchestrator as pb;
use crate::server::clock::now_ms;

#[derive(Default)]
pub struct Workers {
    inner: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    by_name: BTreeMap<String, Entry>,
    /// Which worker holds each leased task (so CompleteTask, which names no worker, counts).
    holder: HashMap<String, Holder>,
}

struct Holder {
    worker: String,
    /// When a listing first found the task no longer leased. The entry outlives that by
    /// `FORGET_AFTER_MS`: the scheduler ends a completed task's lease just before CompleteTask
    /// counts it here, and a listing in between must not lose that count.
    unleased_since_ms: Option<u64>,
}

const FORGET_AFTER_MS: u64 = 10_000;

struct Entry {
    info: pb::WorkerInfo,
    lease_ms: u64,
    /// Its last LeaseTasks long poll: an idle worker is silent that long between calls.
    poll_ms: u64,
}

impl Workers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn register(&self, r: pb::RegisterWorkerRequest) {
        let lease_s = if r.lease_seconds.is_finite() && r.lease_seconds > 0.0 {
            r.lease_seconds
        } else {
            30.0
        };
        let mut g = self.lock();
        let old = g.by_name.remove(&r.name);
        let (done, failed) = old.map_or((0, 0), |e| (e.info.tasks_done, e.info.tasks_failed));
        let info = pb::WorkerInfo {
            name: r.name.clone(),
            host: r.host,
            version: r.version,
            classes: r.classes,
            concurrency: r.concurrency,
            gpus: r.gpus,
            last_seen_ms: now_ms(),
            tasks_done: done,
            tasks_failed: failed,
            ..Default::default()
        };
        let lease_ms = (lease_s * 1000.0) as u64;
        let entry = Entry {
            info,
            lease_ms,
            poll_ms: 0,
        };
        g.by_name.insert(r.name, entry);
    }

    /// A LeaseTasks call from `worker` begins, waiting up to `wait_ms` for work. False: this
    /// server does not know it (it should register again).
    pub fn polling(&self, worker: &str, wait_ms: u64) -> bool {
        match self.lock().by_name.get_mut(worker) {
            Some(e) => {
                e.info.last_seen_ms = now_ms();
                e.poll_ms = wait_ms;
                true
            }
            None => false,
        }
    }

    /// A LeaseTasks call from `worker` that got `tasks`; unregistered workers are not listed.
    pub fn leased<'a>(&self, worker: &str, tasks: impl Iterator<Item = &'a str>) {
        let mut g = self.lock();
        if !g.by_name.contains_key(worker) {
            return;
        }
        for t in tasks {
            let holder = Holder {
                worker: worker.to_string(),
                unleased_since_ms: None,
            };
            g.holder.insert(t.to_string(), holder);
        }
        if let Some(e) = g.by_name.get_mut(worker) {
            e.info.last_seen_ms = now_ms();
        }
    }

    /// ExtendLease of `task`: its holder is alive.
    pub fn extended(&self, task: &str) {
        let mut g = self.lock();
        if let Some(w) = g.holder.get(task).map(|h| h.worker.clone())
            && let Some(e) = g.by_name.get_mut(&w)
        {
            e.info.last_seen_ms = now_ms();
        }
    }

    /// CompleteTask of `task`: its holder is alive and has one more done or failed (`None`:
    /// handed back, counted as neither).
    pub fn completed(&self, task: &str, success: Option<bool>) {
        let mut g = self.lock();
        if let Some(h) = g.holder.remove(task)
            && let Some(e) = g.by_name.get_mut(&h.worker)
        {
            e.info.last_seen_ms = now_ms();
            match success {
                Some(true) => e.info.tasks_done += 1,
                Some(false) => e.info.tasks_failed += 1,
                None => {}
            }
        }
    }

    /// Every registered worker, by name; `lost` once silent longer than its lease.
    /// `still_leased` says which tasks the scheduler still has leased: the others' leases
    /// expired, or they were cancelled, so they no longer count as running.
    pub fn list(&self, still_leased: impl Fn(&str) -> bool) -> Vec<pb::WorkerInfo> {
        let mut g = self.lock();
        let now = now_ms();
        g.holder.retain(|task, h| {
            if still_leased(task) {
                h.unleased_since_ms = None;
                return true;
            }
            let since = *h.unleased_since_ms.get_or_insert(now);
            now.saturating_sub(since) < FORGET_AFTER_MS
        });
        let mut running: HashMap<&str, u64> = HashMap::new();
        for h in g.holder.values().filter(|h| h.unleased_since_ms.is_none()) {
            *running.entry(h.worker.as_str()).or_default() += 1;
        }
        g.by_name
            .values()
            .map(|e| {
                let silent = now.saturating_sub(e.info.last_seen_ms);
                let lost = silent > e.lease_ms + e.poll_ms;
                pb::WorkerInfo {
                    state: if lost { "lost" } else { "connected" }.into(),
                    // A lost worker's leases expire and its tasks go back to the queue.
                    tasks_running: if lost {
                        0
                    } else {
                        running.get(e.info.name.as_str()).copied().unwrap_or(0)
                    },
                    ..e.info.clone()
                }
            })
            .collect()
    }

    /// The tasks each worker holds now, with when their leases expire: those the scheduler
    /// still has leased (`lease_expiry` answers its expiry in ms, None once the lease ended).
    /// Reads only; the dashboard's workers page asks it.
    pub fn holding(
        &self,
        lease_expiry: impl Fn(&str) -> Option<u64>,
    ) -> BTreeMap<String, Vec<(String, u64)>> {
        let g = self.lock();
        let mut out: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
        for (task, h) in g
            .holder
            .iter()
            .filter(|(_, h)| h.unleased_since_ms.is_none())
        {
            if let Some(expires) = lease_expiry(task) {
                out.entry(h.worker.clone())
                    .or_default()
                    .push((task.clone(), expires));
            }
        }
        for tasks in out.values_mut() {
            tasks.sort();
        }
        out
    }

    /// Registered workers heard from within their lease that take tasks of `class` (a worker
    /// that names no classes takes them all). Reads only; `why` asks it.
    pub fn connected_for(&self, class: &str) -> u32 {
        let g = self.lock();
        let now = now_ms();
        g.by_name
            .values()
            .filter(|e| now.saturating_sub(e.info.last_seen_ms) <= e.lease_ms + e.poll_ms)
            .filter(|e| e.info.classes.is_empty() || e.info.classes.iter().any(|c| c == class))
            .count() as u32
    }
}

/// One worker as JSON: what GET /workers and `dspy-agent workers --json` show.
pub fn json(w: &pb::WorkerInfo) -> serde_json::Value {
    serde_json::json!({
        "name": w.name,
        "host": w.host,
        "version": w.version,
        "classes": w.classes,
        "concurrency": w.concurrency,
        "gpus": w.gpus,
        "last_seen_ms": w.last_seen_ms,
        "state": w.state,
        "tasks_running": w.tasks_running,
        "tasks_done": w.tasks_done,
        "tasks_failed": w.tasks_failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_leases_and_completions() {
        let w = Workers::default();
        w.leased("ghost", ["t0"].into_iter()); // unregistered: not listed
        w.register(pb::RegisterWorkerRequest {
            name: "a".into(),
            ..Default::default()
        });
        w.leased("a", ["t1", "t2", "t3"].into_iter());
        w.completed("t1", Some(true));
        w.completed("t2", Some(false));
        let list = w.list(|_| true);
        assert_eq!(list.len(), 1);
        let a = &list[0];
        assert_eq!((a.tasks_running, a.tasks_done, a.tasks_failed), (1, 1, 1));
        assert_eq!(a.state, "connected");
        // t3's lease ended on the server: no longer running here, but a CompleteTask that
        // arrives after that listing (the scheduler ends the lease first) still counts.
        assert_eq!(w.list(|_| false)[0].tasks_running, 0);
        w.completed("t3", Some(true));
        assert_eq!(w.list(|_| false)[0].tasks_done, 2);
        w.leased("a", ["t4"].into_iter());
        let held = w.holding(|t| (t == "t4").then_some(99));
        assert_eq!(held["a"], vec![("t4".to_string(), 99)]);
        assert_eq!(w.list(|_| true)[0].tasks_running, 1);
    }
}
