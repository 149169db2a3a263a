//! The lease protocol for pull workers. LeaseTasks hands ready worker tasks out with a lease,
//! long-polling until one arrives; CompleteTask ends the attempt; ExtendLease keeps long work
//! alive; an expired lease (reaped on the dispatcher's tick) fails the attempt, which goes back
//! to the queue at once as a new attempt while attempts remain.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::scheduler::{Failure, Scheduler, vanished};
use crate::server::table::{Lease, Table};
use crate::server::task::{ErrorKind, LeaseRecord, SResult, SchedError, Task, TaskState};
use crate::settings::TASK_CLASSES;

/// A task handed to a pull worker.
#[derive(Debug, Clone)]
pub struct LeasedTask {
    pub task_id: String,
    pub lease_id: String,
    pub class: String,
    pub payload_json: String,
    pub attempt: u32,
    pub lease_expires_at_ms: u64,
    /// The worker's GPUs this task may use.
    pub gpu_uuids: Vec<String>,
    /// The attempt's time limit: the task's `timeout_s`, else its class's.
    pub timeout_s: f64,
}

/// GPUs one worker may declare at most.
const MAX_WORKER_GPUS: usize = 64;
/// Queued tasks of a class looked at for one that fits a GPU worker.
const MAX_SCAN: usize = 1000;

/// Milliseconds of a duration, saturating (leases are clamped far below the limit anyway).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Scheduler {
    /// Give up to `max` ready worker tasks of `classes` to `worker_id`, waiting up to `wait`
    /// for one to arrive when none is ready. A worker that declares `gpus` (UUIDs) gets only
    /// tasks that fit those its other leases leave free.
    pub async fn lease(
        self: &Arc<Self>,
        worker_id: &str,
        classes: &[String],
        max: usize,
        lease: Duration,
        wait: Duration,
        gpus: &[String],
    ) -> SResult<Vec<LeasedTask>> {
        if worker_id.is_empty() || worker_id.len() > 256 {
            return Err(SchedError::invalid("worker_id must be 1-256 characters"));
        }
        if gpus.len() > MAX_WORKER_GPUS || gpus.iter().any(|u| u.trim().is_empty()) {
            return Err(SchedError::invalid(format!(
                "gpus must list at most {MAX_WORKER_GPUS} non-empty GPU UUIDs"
            )));
        }
        if let Some(c) = classes.iter().find(|c| !TASK_CLASSES.contains(&c.as_str())) {
            return Err(SchedError::invalid(format!("unknown task class {c:?}")));
        }
        let classes: Vec<String> = if classes.is_empty() {
            TASK_CLASSES.iter().map(|s| s.to_string()).collect()
        } else {
            classes.to_vec()
        };
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before looking, so a task that arrives after the look wakes us.
            let notified = self.lease_wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_draining() {
                return Ok(vec![]);
            }
            let got = self.take_leases(worker_id, &classes, max, lease, gpus);
            if !got.is_empty() {
                return Ok(got);
            }
            let _waiting = self.metrics.lease_waiters.enter();
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
        worker_gpus: &[String],
    ) -> Vec<LeasedTask> {
        let mut g = self.table();
        let mut out = Vec::new();
        while out.len() < max {
            let free = free_worker_gpus(&g, worker_id, worker_gpus);
            // The best task across the asked classes: priority, then FIFO. A worker that
            // declares GPUs gets the first task of each class that fits its free ones (another
            // worker may take the bigger ones before it).
            let best = classes
                .iter()
                .filter_map(|c| {
                    let q = g.pull.get(c)?;
                    let (k, _) = q
                        .iter()
                        .take(if worker_gpus.is_empty() { 1 } else { MAX_SCAN })
                        .find(|(_, id)| {
                            worker_gpus.is_empty()
                                || g.tasks.get(*id).map_or(0, |t| t.gpus) as usize <= free.len()
                        })?;
                    Some((*k, c.clone()))
                })
                .min();
            let Some((key, class)) = best else { break };
            let Some(id) = g.pull.get_mut(&class).and_then(|q| q.remove(&key)) else {
                break;
            };
            // This attempt's GPUs (none from a worker that declares none), set before the
            // start, which journals the task with them.
            let gpu_uuids: Vec<String> = match g.tasks.get_mut(&id) {
                Some(t) => {
                    t.gpu_uuids = if worker_gpus.is_empty() {
                        vec![]
                    } else {
                        free.into_iter().take(t.gpus as usize).collect()
                    };
                    t.gpu_uuids.clone()
                }
                None => vec![],
            };
            let payload = g
                .payloads
                .get(&id)
                .map(|p| p.to_string())
                .unwrap_or_else(|| "{}".into());
            // The lease goes into the record that starts the attempt, so that a restart
            // honours it.
            let Some(t) = g.tasks.get_mut(&id) else {
                continue;
            };
            let lease_id = format!("{}/{}/{:08x}", t.attempt + 1, worker_id, fastrand::u32(..));
            t.lease = Some(LeaseRecord {
                id: lease_id.clone(),
                seconds: lease.as_secs_f64(),
            });
            let Some(task) = self.start_attempt_locked(&mut g, &id, Some(worker_id)) else {
                continue;
            };
            let timeout_s = self.attempt_timeout_s(&task);
            let expires_ms = now_ms().saturating_add(millis(lease));
            g.leases.insert(
                id.clone(),
                Lease {
                    expires: Instant::now() + lease,
                    expires_ms,
                },
            );
            out.push(LeasedTask {
                task_id: id,
                lease_id,
                class: task.class,
                payload_json: payload,
                attempt: task.attempt,
                lease_expires_at_ms: expires_ms,
                gpu_uuids,
                timeout_s,
            });
        }
        out
    }

    /// The lease of a running task, if `lease_id` still holds it.
    fn check_lease<'a>(g: &'a mut Table, id: &str, lease_id: &str) -> SResult<&'a mut Lease> {
        let (state, holds) = g
            .tasks
            .get(id)
            .map(|t| (t.state, t.lease.as_ref().is_some_and(|l| l.id == lease_id)))
            .ok_or_else(|| SchedError::not_found(id))?;
        match g.leases.get_mut(id) {
            Some(l) if holds && state == TaskState::Running => Ok(l),
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
        let mut g = self.table();
        Self::check_lease(&mut g, id, lease_id)?;
        g.end_lease(id);
        let started = g.tasks.get(id).map_or(0, |t| t.started_at_ms);
        let duration_s = now_ms().saturating_sub(started) as f64 / 1000.0;
        let done = if success {
            self.complete_attempt_locked(&mut g, id, result, duration_s)
        } else {
            let error = if error.is_empty() {
                "the worker reported a failure".to_string()
            } else {
                error
            };
            let failure = Failure {
                error,
                result,
                duration_s,
                backoff: true,
            };
            self.fail_attempt_locked(&mut g, id, failure)
        };
        done.ok_or_else(|| vanished(id))
    }

    /// A worker gives a leased task back (its drain time ran out): it goes back to the queue
    /// at once, and the attempt does not count against `max_attempts`.
    pub fn hand_back(self: &Arc<Self>, id: &str, lease_id: &str) -> SResult<Task> {
        let mut g = self.table();
        Self::check_lease(&mut g, id, lease_id)?;
        g.end_lease(id);
        let worker = match g.tasks.get_mut(id) {
            Some(t) => {
                t.attempt = t.attempt.saturating_sub(1);
                t.worker_id.clone().unwrap_or_default()
            }
            None => return Err(vanished(id)),
        };
        let failure = Failure {
            error: format!("handed back by worker {worker:?} (it was stopping)"),
            result: BTreeMap::new(),
            duration_s: 0.0,
            backoff: false,
        };
        let task = self.fail_attempt_locked(&mut g, id, failure);
        drop(g);
        self.lease_wake.notify_waiters();
        task.ok_or_else(|| vanished(id))
    }

    pub fn extend_lease(&self, id: &str, lease_id: &str, lease: Duration) -> SResult<u64> {
        let mut g = self.table();
        let l = Self::check_lease(&mut g, id, lease_id)?;
        l.expires = Instant::now() + lease;
        l.expires_ms = now_ms().saturating_add(millis(lease));
        Ok(l.expires_ms)
    }

    /// Expired leases go back to the queue as a new attempt (or fail when out of attempts).
    pub(crate) fn reap_leases(self: &Arc<Self>) {
        let now = Instant::now();
        let mut g = self.table();
        let expired: Vec<String> = g
            .leases
            .iter()
            .filter(|(_, l)| l.expires <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            g.end_lease(&id);
            let worker = g
                .tasks
                .get(&id)
                .and_then(|t| t.worker_id.clone())
                .unwrap_or_default();
            self.events.emit(
                EventKind::LeaseExpired,
                &id,
                BTreeMap::from([("worker_id".to_string(), worker.clone())]),
                None,
            );
            let failure = Failure {
                error: format!("the lease of worker {worker:?} expired"),
                result: BTreeMap::new(),
                duration_s: 0.0,
                backoff: false,
            };
            self.fail_attempt_locked(&mut g, &id, failure);
        }
    }
}

/// The worker's declared GPUs that none of its leased tasks holds, in declared order.
fn free_worker_gpus(g: &Table, worker_id: &str, declared: &[String]) -> Vec<String> {
    if declared.is_empty() {
        return vec![];
    }
    let busy: std::collections::HashSet<&str> = g
        .leases
        .keys()
        .filter_map(|id| g.tasks.get(id))
        .filter(|t| t.worker_id.as_deref() == Some(worker_id))
        .flat_map(|t| t.gpu_uuids.iter().map(String::as_str))
        .collect();
    declared
        .iter()
        .filter(|u| !busy.contains(u.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::scheduler::test_scheduler;
    use crate::server::task::SubmitRequest;

    fn worker_task(id: &str) -> SubmitRequest {
        SubmitRequest {
            task_id: id.into(),
            payload: BTreeMap::from([("data".to_string(), "1".to_string())]),
            payload_json: None,
            max_attempts: 2,
            ..Default::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lease_starts_an_attempt_and_its_expiry_fails_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        sched.submit(worker_task("w")).await.unwrap();
        let none = Duration::ZERO;
        let got = sched
            .lease("w1", &[], 5, Duration::from_secs(30), none, &[])
            .await
            .unwrap();
        assert_eq!((got.len(), got[0].attempt), (1, 1));
        let t = sched.get("w").unwrap();
        assert_eq!(
            (t.state, t.worker_id.as_deref()),
            (TaskState::Running, Some("w1"))
        );
        // Expire it by hand: the attempt fails, is counted once, and is leased again at once.
        sched.table().leases.get_mut("w").unwrap().expires = Instant::now();
        sched.reap_leases();
        let t = sched.get("w").unwrap();
        assert_eq!((t.state, t.worker_id.as_deref()), (TaskState::Queued, None));
        assert!(t.error.contains("w1"), "{}", t.error);
        let retrying = sched
            .metrics
            .samples(&sched.gauges())
            .into_iter()
            .flat_map(|(_, s)| s)
            .find(|s| {
                s.name == "orchestrator_task_attempts_finished_total"
                    && s.labels.get("status").map(String::as_str) == Some("retrying")
            })
            .map(|s| s.value);
        assert_eq!(retrying, Some(1.0));
        let again = sched
            .lease("w2", &[], 5, Duration::from_secs(30), none, &[])
            .await
            .unwrap();
        assert_eq!(again[0].attempt, 2);
        // A stale lease id is refused; the live one completes the task.
        let stale = sched
            .complete("w", &got[0].lease_id, true, BTreeMap::new(), String::new())
            .unwrap_err();
        assert_eq!(stale.kind, ErrorKind::FailedPrecondition);
        let done = sched
            .complete(
                "w",
                &again[0].lease_id,
                true,
                BTreeMap::new(),
                String::new(),
            )
            .unwrap();
        assert_eq!(done.state, TaskState::Completed);
    }
}
