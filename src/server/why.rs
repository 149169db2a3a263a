//! "Why isn't this task running?" as data: for a queued task (or a Slurm job still pending),
//! what holds it back, computed when asked from the scheduler's state at that moment. Nothing
//! here runs on the dispatch path: the only state it reads that dispatch does not already keep
//! is the retry time `fail_attempt_locked` notes in the table (`Table::retry_at`).
//!
//! The cost of one answer is at most one walk of the task's class queue (to count the tasks
//! ahead of it); a listing's answers share one walk per class.

use std::collections::{BTreeMap, HashMap};

use crate::proto::orchestrator as pb;
use crate::server::clock::now_ms;
use crate::server::gpus::Holder;
use crate::server::scheduler::{Scheduler, missing};
use crate::server::table::{QueueKey, Table};
use crate::server::task::{ExecutorKind, SResult, Task, TaskState};

/// Which reason holds a task back (`BlockedReason.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Its class runs as many tasks as its concurrency limit allows, and it is next.
    ClassCap,
    /// Tasks of higher or equal priority, submitted earlier, are before it in its queue.
    QueueAhead,
    /// It is next and a slot is free, but not enough GPUs are free.
    Gpu,
    /// Its class runs on pull workers and none of that class is connected.
    NoWorker,
    /// Pull workers of its class are connected; none has leased it yet.
    WorkersBusy,
    /// Its last attempt failed; it goes back to its queue at `until_ms`.
    RetryBackoff,
    /// A slurm-class task the slurm loop has not submitted yet.
    SlurmSubmit,
    /// Its Slurm job is submitted and Slurm keeps it pending.
    SlurmPending,
    /// The server is stopping and starts nothing new.
    Draining,
    /// Nothing holds it: the dispatcher starts it on its next pass.
    Dispatching,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ClassCap => "class_cap",
            Kind::QueueAhead => "queue_ahead",
            Kind::Gpu => "gpu",
            Kind::NoWorker => "no_worker",
            Kind::WorkersBusy => "workers_busy",
            Kind::RetryBackoff => "retry_backoff",
            Kind::SlurmSubmit => "slurm_submit",
            Kind::SlurmPending => "slurm_pending",
            Kind::Draining => "draining",
            Kind::Dispatching => "dispatching",
        }
    }
}

/// How many keys of `queue` come before each of `keys` (the keys absent from it are absent
/// from the answer). Two walks in step, one from each end of the queue, and the first to place
/// every key answers: the cost is about twice the shorter of "up to the last key" and "back to
/// the first key", so the newest tasks of a long queue (what listings show) cost little, and
/// one task costs at most its queue's length.
fn ranks(queue: Option<&BTreeMap<QueueKey, String>>, keys: &[QueueKey]) -> HashMap<QueueKey, u64> {
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let Some(queue) = queue.filter(|_| !keys.is_empty()) else {
        return HashMap::new();
    };
    let len = queue.len() as u64;
    let (mut fwd, mut bwd) = (queue.keys(), queue.keys().rev());
    // Forward: keys[fi..] still to place, `fpos` keys seen. Backward: keys[..bi] still to
    // place, `bseen` keys seen from the back.
    let (mut fi, mut fpos, mut fout) = (0usize, 0u64, HashMap::new());
    let (mut bi, mut bseen, mut bout) = (keys.len(), 0u64, HashMap::new());
    loop {
        match fwd.next() {
            None => return fout,
            Some(k) => {
                while fi < keys.len() && keys[fi] < *k {
                    fi += 1; // not in the queue
                }
                if fi < keys.len() && keys[fi] == *k {
                    fout.insert(*k, fpos);
                    fi += 1;
                }
                fpos += 1;
                if fi == keys.len() {
                    return fout;
                }
            }
        }
        match bwd.next() {
            None => return bout,
            Some(k) => {
                while bi > 0 && keys[bi - 1] > *k {
                    bi -= 1;
                }
                if bi > 0 && keys[bi - 1] == *k {
                    bout.insert(*k, len - 1 - bseen);
                    bi -= 1;
                }
                bseen += 1;
                if bi == 0 {
                    return bout;
                }
            }
        }
    }
}

fn key_of(t: &Task) -> QueueKey {
    (std::cmp::Reverse(t.priority), t.seq)
}

fn set(r: &mut pb::BlockedReason, kind: Kind, message: String) {
    r.kind = kind.as_str().into();
    r.message = message;
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Scheduler {
    /// What holds task `id` back now; None when nothing does (it runs, or it ended).
    pub fn why(&self, id: &str) -> SResult<Option<pb::BlockedReason>> {
        let g = self.table();
        let task = g.tasks.get(id).ok_or_else(|| missing(&g, id))?;
        let mut out = self.why_locked(&g, std::slice::from_ref(task));
        Ok(out.remove(id))
    }

    /// The reasons of several tasks (a listing) under one lock, by task id; tasks that nothing
    /// holds back are absent. The tasks are looked up again: the copies say which.
    pub fn why_many(&self, tasks: &[Task]) -> HashMap<String, pb::BlockedReason> {
        let g = self.table();
        let current: Vec<Task> = tasks
            .iter()
            .filter_map(|t| g.tasks.get(&t.id))
            .filter(|t| t.state == TaskState::Queued || t.executor == ExecutorKind::Slurm)
            .cloned()
            .collect();
        self.why_locked(&g, &current)
    }

    /// A task as gRPC shows it, with what holds it back.
    pub fn status(&self, id: &str) -> SResult<pb::TaskStatus> {
        let g = self.table();
        let task = g.tasks.get(id).ok_or_else(|| missing(&g, id))?;
        let mut status = pb::TaskStatus::from(task);
        status.blocked_reason = self.why_locked(&g, std::slice::from_ref(task)).remove(id);
        Ok(status)
    }

    /// Listed tasks as gRPC shows them, each with what holds it back.
    pub fn statuses(&self, tasks: &[Task]) -> Vec<pb::TaskStatus> {
        let mut why = self.why_many(tasks);
        tasks
            .iter()
            .map(|t| pb::TaskStatus {
                blocked_reason: why.remove(&t.id),
                ..pb::TaskStatus::from(t)
            })
            .collect()
    }

    fn why_locked(&self, g: &Table, tasks: &[Task]) -> HashMap<String, pb::BlockedReason> {
        let now = now_ms();
        // Queue positions, one walk per queue.
        let mut wanted: BTreeMap<(u8, &str), Vec<QueueKey>> = BTreeMap::new();
        for t in tasks.iter().filter(|t| t.state == TaskState::Queued) {
            let queue = match t.executor {
                ExecutorKind::Slurm => (2, ""),
                ExecutorKind::Worker => (1, t.class.as_str()),
                _ => (0, t.class.as_str()),
            };
            wanted.entry(queue).or_default().push(key_of(t));
        }
        let mut rank: HashMap<(u8, &str), HashMap<QueueKey, u64>> = HashMap::new();
        for (queue, keys) in &wanted {
            let q = match queue.0 {
                0 => g.local.get(queue.1),
                1 => g.pull.get(queue.1),
                _ => Some(&g.slurm_ready),
            };
            rank.insert(*queue, ranks(q, keys));
        }
        let mut workers: HashMap<&str, u32> = HashMap::new();
        let mut out = HashMap::new();
        for t in tasks {
            let queue = match t.executor {
                ExecutorKind::Slurm => (2, ""),
                ExecutorKind::Worker => (1, t.class.as_str()),
                _ => (0, t.class.as_str()),
            };
            let ahead = rank.get(&queue).and_then(|r| r.get(&key_of(t))).copied();
            let reason = match t.state {
                TaskState::Running => slurm_pending(t),
                TaskState::Queued => {
                    let connected = *workers
                        .entry(t.class.as_str())
                        .or_insert_with(|| self.workers.connected_for(&t.class));
                    Some(self.queued_reason(g, t, ahead, connected, now))
                }
                _ => None,
            };
            if let Some(r) = reason {
                out.insert(t.id.clone(), r);
            }
        }
        out
    }

    fn queued_reason(
        &self,
        g: &Table,
        t: &Task,
        ahead: Option<u64>,
        workers: u32,
        now: u64,
    ) -> pb::BlockedReason {
        let class = &t.class;
        let mut r = pb::BlockedReason {
            class: class.clone(),
            gpus_needed: t.gpus,
            ..Default::default()
        };
        if let Some(&until) = g.retry_at.get(&t.id).filter(|&&u| u > now) {
            r.until_ms = until;
            let secs = (until - now).div_ceil(1000);
            set(
                &mut r,
                Kind::RetryBackoff,
                format!(
                    "attempt {} of {} failed; it is retried after a backoff, in {secs}s",
                    t.attempt, t.max_attempts
                ),
            );
            return r;
        }
        if self.is_draining() {
            set(
                &mut r,
                Kind::Draining,
                "the server is stopping and starts no new work; it runs at the next start".into(),
            );
            return r;
        }
        // Not in its queue and no retry pending: it is between two steps of the scheduler
        // (submitted, or about to be put back), which take no time to speak of.
        let Some(ahead) = ahead else {
            set(
                &mut r,
                Kind::Dispatching,
                "queued; the scheduler puts it in its queue now".into(),
            );
            return r;
        };
        r.ahead = ahead;
        let ahead_text = plural(ahead, "task", "tasks");
        match t.executor {
            ExecutorKind::Slurm => {
                let msg = if ahead == 0 {
                    "next to be submitted to Slurm (sbatch) by the slurm loop".to_string()
                } else {
                    format!("{ahead_text} ahead of it waiting to be submitted to Slurm")
                };
                set(&mut r, Kind::SlurmSubmit, msg);
            }
            ExecutorKind::Worker => {
                r.workers_connected = workers;
                if workers == 0 {
                    set(
                        &mut r,
                        Kind::NoWorker,
                        format!(
                            "no pull worker of class {class} is connected (dspy-agent worker --classes {class})"
                        ),
                    );
                } else if ahead > 0 {
                    set(
                        &mut r,
                        Kind::QueueAhead,
                        format!(
                            "{ahead_text} ahead of it at higher or equal priority in class {class}'s worker queue ({} connected)",
                            plural(workers.into(), "worker", "workers")
                        ),
                    );
                } else {
                    let gpus = if t.gpus > 0 {
                        format!(" with {} free", plural(t.gpus.into(), "GPU", "GPUs"))
                    } else {
                        String::new()
                    };
                    set(
                        &mut r,
                        Kind::WorkersBusy,
                        format!(
                            "next in class {class}'s worker queue; waiting for one of its {} to have a free slot{gpus}",
                            plural(workers.into(), "connected worker", "connected workers")
                        ),
                    );
                }
            }
            _ => {
                let limit = self.class_limit(g, class);
                let running = g.running_local.get(class.as_str()).map_or(0, |s| s.len()) as u32;
                r.running = running;
                r.limit = limit;
                let full = running >= limit;
                if ahead > 0 {
                    let cap = if full {
                        format!("{running} running of {limit}")
                    } else {
                        "the first of them waits for GPUs".to_string()
                    };
                    set(
                        &mut r,
                        Kind::QueueAhead,
                        format!(
                            "{ahead_text} ahead of it at higher or equal priority in class {class} ({cap})"
                        ),
                    );
                } else if full {
                    set(
                        &mut r,
                        Kind::ClassCap,
                        format!(
                            "class {class} is at its concurrency limit: {running} running of {limit}"
                        ),
                    );
                } else if t.gpus > 0 && g.gpus.pick(t.gpus, t.gpu_memory_mb).is_none() {
                    self.gpu_reason(g, t, &mut r);
                } else {
                    set(
                        &mut r,
                        Kind::Dispatching,
                        "nothing holds it: the dispatcher starts it on its next pass".into(),
                    );
                }
            }
        }
        r
    }

    /// The GPUs a task waits for: how many are free (with enough memory), who holds the rest.
    fn gpu_reason(&self, g: &Table, t: &Task, r: &mut pb::BlockedReason) {
        let mut free = 0u32;
        for gpu in &g.gpus.inventory.gpus {
            match g.gpus.holder(&gpu.uuid) {
                Some(h) => r.gpus_held.push(pb::HeldGpu {
                    uuid: gpu.uuid.clone(),
                    index: gpu.index,
                    task_id: h.task_id().to_string(),
                    state: match h {
                        Holder::Running { .. } => "running",
                        Holder::Releasing { .. } => "releasing",
                        Holder::Quarantined { .. } => "quarantined",
                    }
                    .into(),
                }),
                None if t.gpu_memory_mb == 0 || gpu.memory_free_mb >= t.gpu_memory_mb => free += 1,
                None => {}
            }
        }
        r.gpus_free = free;
        let holders: Vec<String> = r
            .gpus_held
            .iter()
            .map(|h| format!("GPU {} by {} ({})", h.index, h.task_id, h.state))
            .collect();
        let memory = match t.gpu_memory_mb {
            0 => String::new(),
            m => format!(" with {m} MiB free"),
        };
        r.kind = Kind::Gpu.as_str().into();
        r.message = format!(
            "waiting for {}{memory}: {free} free of {}; held: {}",
            plural(t.gpus.into(), "GPU", "GPUs"),
            g.gpus.count(),
            if holders.is_empty() {
                "none".to_string()
            } else {
                holders.join(", ")
            }
        );
    }
}

/// A running slurm task whose job Slurm has not started: its job id, state and reason.
fn slurm_pending(t: &Task) -> Option<pb::BlockedReason> {
    let job = t.slurm.as_ref()?;
    if t.executor != ExecutorKind::Slurm || !(job.state.is_empty() || job.state == "PENDING") {
        return None;
    }
    let message = if job.state.is_empty() {
        format!(
            "Slurm job {} is submitted; squeue has not reported it yet",
            job.job_id
        )
    } else {
        format!(
            "Slurm job {} is pending: {}",
            job.job_id,
            if job.reason.is_empty() {
                "no reason given"
            } else {
                &job.reason
            }
        )
    };
    Some(pb::BlockedReason {
        kind: Kind::SlurmPending.as_str().into(),
        message,
        class: t.class.clone(),
        slurm_job_id: job.job_id.clone(),
        slurm_state: job.state.clone(),
        slurm_reason: job.reason.clone(),
        gpus_needed: t.gpus,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use super::*;
    use crate::server::scheduler::test_scheduler;
    use crate::server::task::SubmitRequest;

    fn worker_task(id: &str, priority: i32) -> SubmitRequest {
        SubmitRequest {
            task_id: id.into(),
            payload_json: Some(r#"{"q": 1}"#.into()),
            class: "cpu_short".into(),
            priority,
            max_attempts: 2,
            ..Default::default()
        }
    }

    #[test]
    fn ranks_from_either_end_agree_with_counting() {
        let queue: BTreeMap<QueueKey, String> = (0..50u64)
            .map(|i| ((std::cmp::Reverse((i % 3) as i32), i), i.to_string()))
            .collect();
        let all: Vec<QueueKey> = queue.keys().copied().collect();
        let absent = (std::cmp::Reverse(7), 99);
        for picks in [
            vec![0usize],
            vec![49],
            vec![25],
            vec![0, 49],
            vec![3, 4, 40, 41, 42],
            vec![45, 46, 47, 48, 49],
            (0..50).collect(),
        ] {
            let mut keys: Vec<QueueKey> = picks.iter().map(|&i| all[i]).collect();
            keys.push(absent);
            let got = ranks(Some(&queue), &keys);
            let want: HashMap<QueueKey, u64> = picks.iter().map(|&i| (all[i], i as u64)).collect();
            assert_eq!(got, want, "{picks:?}");
        }
        assert!(ranks(Some(&queue), &[absent]).is_empty());
        assert!(ranks(None, &[all[0]]).is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_listing_counts_the_same_ahead_as_one_task_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        for (id, p) in [("a", 0), ("b", 3), ("c", 0), ("d", -1), ("e", 3)] {
            sched.submit(worker_task(id, p)).await.unwrap();
        }
        let (tasks, _) = sched.list(None, None, 100);
        let many = sched.why_many(&tasks);
        let mut ahead = BTreeMap::new();
        for t in &tasks {
            let one = sched.why(&t.id).unwrap().unwrap();
            assert_eq!(many[&t.id], one);
            assert_eq!(one.kind, "no_worker");
            ahead.insert(t.id.clone(), one.ahead);
        }
        let want: BTreeMap<String, u64> = [("b", 0), ("e", 1), ("a", 2), ("c", 3), ("d", 4)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(ahead, want);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_attempt_waits_until_its_retry_and_a_cancel_forgets_it() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        sched.submit(worker_task("f", 0)).await.unwrap();
        let got = sched
            .lease("w1", &[], 1, Duration::from_secs(30), Duration::ZERO, &[])
            .await
            .unwrap();
        assert_eq!(
            sched.why("f").unwrap(),
            None,
            "a leased task is not blocked"
        );
        let before = now_ms();
        sched
            .complete("f", &got[0].lease_id, false, BTreeMap::new(), "boom".into())
            .unwrap();
        let r = sched.why("f").unwrap().unwrap();
        assert_eq!(r.kind, "retry_backoff", "{r:?}");
        // retry_backoff_ms's default with its jitter, from the failure.
        let base = sched.settings().retry_backoff_ms.value;
        let wait = r.until_ms - before;
        assert!(
            (base * 3 / 4..=base * 5 / 4 + 100).contains(&wait),
            "{wait} ms for a {base} ms backoff"
        );
        sched.cancel("f").unwrap();
        assert_eq!(sched.why("f").unwrap(), None);
        assert!(sched.table().retry_at.is_empty());
    }
}

/// The cost of an answer on a long queue, printed (`cargo test --lib why::measure -- --ignored
/// --nocapture`; README "Why a task waits" quotes it).
#[cfg(test)]
mod measure {
    use crate::server::scheduler::test_scheduler;
    use crate::server::task::SubmitRequest;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore]
    async fn why_on_a_queue_of_100000() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        let n = 100_000;
        for chunk in 0..(n / 1000) {
            let reqs: Vec<Result<SubmitRequest, ()>> = (0..1000)
                .map(|i| {
                    Ok(SubmitRequest {
                        task_id: format!("t{chunk}-{i}"),
                        payload_json: Some(r#"{"q": 1}"#.into()),
                        class: "cpu_short".into(),
                        max_attempts: 1,
                        ..Default::default()
                    })
                })
                .collect();
            for r in sched.submit_batch(reqs, |_| ()).await {
                r.unwrap();
            }
        }
        let last = format!("t{}-999", n / 1000 - 1);
        let t0 = std::time::Instant::now();
        for _ in 0..100 {
            assert_eq!(sched.why(&last).unwrap().unwrap().ahead, (n - 1) as u64);
        }
        eprintln!("why(last of {n}): {:?} each", t0.elapsed() / 100);
        let middle = format!("t{}-0", n / 2000);
        let t0 = std::time::Instant::now();
        for _ in 0..20 {
            assert_eq!(sched.why(&middle).unwrap().unwrap().ahead, (n / 2) as u64);
        }
        eprintln!("why(middle of {n}): {:?} each", t0.elapsed() / 20);
        let t0 = std::time::Instant::now();
        for _ in 0..20 {
            let (tasks, _) = sched.list(None, None, 100);
            let s = sched.statuses(&tasks);
            assert_eq!(s.len(), 100);
        }
        eprintln!(
            "ListTasks' 100 newest of {n} with their reasons: {:?} each",
            t0.elapsed() / 20
        );
        let t0 = std::time::Instant::now();
        for _ in 0..20 {
            let (tasks, _) = sched.list(None, None, 100);
            assert_eq!(tasks.len(), 100);
        }
        eprintln!("the same without reasons: {:?} each", t0.elapsed() / 20);
    }
}
