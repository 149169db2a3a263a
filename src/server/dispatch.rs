//! Local execution. The dispatcher loop starts what each class's concurrency limit allows as a
//! process or container (through `executor`), takes the outcomes back, reaps expired leases and
//! applies retention on a timer; the graceful stop lets running work finish for a while and
//! puts the rest back in the queue.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::executor::{self, Kill, Outcome, Plan, RunSpec};
use crate::server::gpus;
use crate::server::scheduler::{Failure, Scheduler};
use crate::server::table::Table;
use crate::server::task::{ExecutorKind, Task, TaskState};
use crate::settings::TASK_CLASSES;

/// A local attempt ready to run: the task as it started, its payload and its kill switch.
type Launch = (Task, Arc<str>, oneshot::Receiver<Kill>);

impl Scheduler {
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
                    self.maybe_refresh_gpus(ticks);
                    if ticks.is_multiple_of(50) {
                        let mut g = self.table();
                        self.apply_retention(&mut g);
                        drop(g);
                        self.maybe_compact();
                    }
                }
            }
        }
    }

    /// Start what the concurrency limits allow.
    fn launch_ready(self: &Arc<Self>) {
        let launches = {
            let mut g = self.table();
            let mut launches = Vec::new();
            g.gpus.blocked = false;
            for class in TASK_CLASSES {
                self.start_local_locked(&mut g, class, &mut launches);
            }
            launches
        };
        let gpu_simulated = self.table().gpus.simulated();
        for (task, payload, kill_rx) in launches {
            let plan = self.plan_for(&task, &payload);
            let timeout = self.attempt_timeout_s(&task);
            let spec = RunSpec {
                id: task.id.clone(),
                class: task.class.clone(),
                attempt: task.attempt,
                payload,
                timeout: crate::server::clock::seconds(timeout),
                plan,
                project: self.project.clone(),
                docker_host: self.docker_host.clone(),
                on_spawn: Some(self.record_pgid(&task.id, task.attempt)),
                gpu_uuids: task.gpu_uuids.clone(),
                gpu_simulated,
            };
            let me = self.clone();
            tokio::spawn(async move {
                let outcome = executor::run(spec, kill_rx).await;
                me.on_outcome(&task.id, task.attempt, outcome);
            });
        }
    }

    /// Start queued local tasks of `class` while it has free slots. A task that needs GPUs
    /// starts only when enough are free; until then it blocks those behind it in its class,
    /// so a 2-GPU task is not starved by a stream of 1-GPU ones.
    fn start_local_locked(
        self: &Arc<Self>,
        g: &mut Table,
        class: &str,
        launches: &mut Vec<Launch>,
    ) {
        let limit = self.class_limit(g, class) as usize;
        while g.running_local.get(class).map_or(0, HashSet::len) < limit {
            let Some((&key, id)) = g.local.get(class).and_then(|q| q.first_key_value()) else {
                break;
            };
            let id = id.clone();
            let (gpus, memory) = g
                .tasks
                .get(&id)
                .map_or((0, 0), |t| (t.gpus, t.gpu_memory_mb));
            let mut uuids = Vec::new();
            if gpus > 0 {
                if let Some(why) = gpus::never_fits(&g.gpus.inventory, gpus, memory) {
                    // The machine changed since submission (or a restart found fewer GPUs).
                    if let Some(q) = g.local.get_mut(class) {
                        q.remove(&key);
                    }
                    self.fail_never_fits_locked(g, &id, why);
                    continue;
                }
                match g.gpus.pick(gpus, memory) {
                    Some(picked) => uuids = picked,
                    None => {
                        g.gpus.blocked = true;
                        break;
                    }
                }
            }
            if let Some(q) = g.local.get_mut(class) {
                q.remove(&key);
            }
            // Set before the start, which journals the task with them.
            if let Some(t) = g.tasks.get_mut(&id) {
                t.gpu_uuids = uuids.clone();
            }
            let payload = g
                .payloads
                .get(&id)
                .cloned()
                .unwrap_or_else(|| Arc::from("{}"));
            let Some(task) = self.start_attempt_locked(g, &id, None) else {
                continue;
            };
            g.gpus.take(&id, &uuids);
            g.running_local
                .entry(class.to_string())
                .or_default()
                .insert(id.clone());
            let (kill_tx, kill_rx) = oneshot::channel();
            g.kills.insert(id, kill_tx);
            launches.push((task, payload, kill_rx));
        }
    }

    /// Journal a started process's group, so that recovery after a crash can kill it.
    fn record_pgid(self: &Arc<Self>, id: &str, attempt: u32) -> Box<dyn FnOnce(u32) + Send + Sync> {
        let me = self.clone();
        let id = id.to_string();
        Box::new(move |pgid| {
            let mut g = me.table();
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
            ExecutorKind::Slurm => {
                Plan::Invalid("a slurm task reached the local dispatcher".into())
            }
            ExecutorKind::Handler | ExecutorKind::Worker => {
                match self
                    .settings()
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
        let mut g = self.table();
        let class = g.tasks.get(id).map(|t| t.class.clone()).unwrap_or_default();
        let pgid = g.tasks.get(id).and_then(|t| t.pgid);
        let had_gpus = g.tasks.get(id).is_some_and(|t| !t.gpu_uuids.is_empty());
        g.gpus.release(id, pgid);
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
            let duration_s = outcome.duration.as_secs_f64();
            if outcome.success {
                self.complete_attempt_locked(&mut g, id, outcome.result, duration_s);
            } else {
                let failure = Failure {
                    error: outcome.error,
                    result: outcome.result,
                    duration_s,
                    backoff: true,
                };
                self.fail_attempt_locked(&mut g, id, failure);
            }
        }
        drop(g);
        if had_gpus {
            // Settle the release now rather than at the next timer tick.
            self.refresh_gpus();
        }
        self.wake.notify_one();
    }

    /// An attempt's time limit in seconds: the task's own `timeout_s`, else its class's.
    pub(crate) fn attempt_timeout_s(&self, task: &Task) -> f64 {
        task.timeout_s.unwrap_or_else(|| {
            self.settings()
                .classes
                .get(&task.class)
                .map_or(300.0, |c| c.timeout_s.value)
        })
    }

    /// A graceful stop kills what still runs locally: those tasks go back to `queued` in the
    /// journal without using up an attempt (the attempt did not fail; the server left), so the
    /// next start runs them again. Only a crash, which leaves them `running`, costs an attempt.
    fn requeue_interrupted_locked(&self, g: &mut Table) {
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
        self.start_draining();
        self.events
            .emit(EventKind::Shutdown, "", Default::default(), None);
        let deadline = Instant::now() + timeout;
        loop {
            let running = self.table().running_local_count();
            if running == 0 {
                break;
            }
            if Instant::now() >= deadline {
                {
                    let mut g = self.table();
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
                while Instant::now() < reap_deadline && self.table().running_local_count() > 0 {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.store.flush().await;
    }
}
