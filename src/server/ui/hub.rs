//! The one follower of the scheduler's event bus behind every dashboard stream. Each event is
//! looked at once, here, whatever the number of open streams: the hub marks the topics it
//! changes and publishes them at most once every `COALESCE` (a generation number per topic,
//! in a `watch` channel), so a stream wakes a few times a second at most, not once per event
//! (at 20,000 submissions a second, five tabs would otherwise mean 100,000 wake-ups a second).
//! It also ticks `workers` and `gpus` every `TICK` while there is a worker or a GPU, and
//! publishes the server's shutdown. It runs while some stream listens and stops with the last.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::stream::{COALESCE, TICK, Topic};
use crate::server::context::ServerCtx;
use crate::server::events::{Event, EventKind};
use crate::server::scheduler::WORKFLOW_TASK_PREFIX;

/// Run topics whose last change is this many generations old are forgotten (a stream sees
/// every generation within moments of its publication).
const KEEP_GENERATIONS: u64 = 240;

/// What the hub published: for each topic the generation it last changed in.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub generation: u64,
    /// Every topic changed in this generation (events were lost: anything may have changed).
    pub all: u64,
    pub topics: HashMap<String, u64>,
    /// The server is stopping: streams end.
    pub shutdown: bool,
}

impl Changes {
    /// The generation `topic` last changed in (0: not since the hub started).
    pub fn of(&self, topic: &str) -> u64 {
        self.topics.get(topic).copied().unwrap_or(0).max(self.all)
    }
}

/// The running hub, if any, shared by the streams of one server.
#[derive(Default)]
pub struct Hub {
    running: Mutex<Option<watch::Sender<Arc<Changes>>>>,
    /// When the running hub last published (None while no hub runs).
    last_publish: Mutex<Option<Instant>>,
}

impl Hub {
    /// When the running hub last published changes; None while none runs.
    pub fn last_publish(&self) -> Option<Instant> {
        *self.last_publish.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A receiver of the hub's publications, starting the hub when none runs.
    pub fn subscribe(self: &Arc<Self>, ctx: &Arc<ServerCtx>) -> watch::Receiver<Arc<Changes>> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = running.as_ref() {
            return tx.subscribe();
        }
        let (tx, rx) = watch::channel(Arc::new(Changes::default()));
        *running = Some(tx.clone());
        let (live, _) = ctx.sched.events.subscribe(None);
        tokio::spawn(run(ctx.clone(), self.clone(), tx, live));
        rx
    }
}

/// The topics `e` changes, by name.
fn topics_of(e: &Event) -> Vec<String> {
    let mut names: Vec<String> = [
        Topic::Tasks,
        Topic::Workflows,
        Topic::Services,
        Topic::Workers,
    ]
    .into_iter()
    .filter(|t| t.wants(e))
    .map(|t| t.name())
    .collect();
    let run = match e.data.get("run_id") {
        Some(run) => Some(run.as_str()),
        None => e
            .task_id
            .strip_prefix(WORKFLOW_TASK_PREFIX)
            .and_then(|rest| rest.split(':').next()),
    };
    if let Some(run) = run
        && Topic::Run(run.to_string()).wants(e)
    {
        names.push(format!("run:{run}"));
    }
    names
}

async fn run(
    ctx: Arc<ServerCtx>,
    hub: Arc<Hub>,
    tx: watch::Sender<Arc<Changes>>,
    mut live: broadcast::Receiver<Arc<Event>>,
) {
    let mut state = Changes::default();
    let mut dirty: HashSet<String> = HashSet::new();
    let mut all = false;
    let mut last_flush = Instant::now() - COALESCE;
    let mut flush_at: Option<Instant> = None;
    let mut tick = tokio::time::interval_at(Instant::now() + TICK, TICK);
    loop {
        tokio::select! {
            e = live.recv() => match e {
                Ok(e) if e.kind == EventKind::Shutdown => {
                    state.shutdown = true;
                    tx.send_replace(Arc::new(state));
                    stop(&hub);
                    return;
                }
                Ok(e) => dirty.extend(topics_of(&e)),
                Err(broadcast::error::RecvError::Lagged(_)) => all = true,
                Err(broadcast::error::RecvError::Closed) => {
                    stop(&hub);
                    return;
                }
            },
            _ = tick.tick() => {
                {
                    // Under the hub's lock: no stream subscribes to a hub that has stopped.
                    let mut running = hub.running.lock().unwrap_or_else(|p| p.into_inner());
                    if tx.receiver_count() == 0 {
                        *running = None;
                        *hub.last_publish.lock().unwrap_or_else(|p| p.into_inner()) = None;
                        return;
                    }
                }
                if !ctx.workers().is_empty() {
                    dirty.insert(Topic::Workers.name());
                }
                if !ctx.sched.gpu_gauges().0.is_empty() {
                    dirty.insert(Topic::Gpus.name());
                }
            }
            () = super::stream::sleep_until(flush_at) => {
                state.generation += 1;
                let g = state.generation;
                for name in dirty.drain() {
                    state.topics.insert(name, g);
                }
                if std::mem::take(&mut all) {
                    state.all = g;
                }
                state
                    .topics
                    .retain(|name, at| !name.starts_with("run:") || *at + KEEP_GENERATIONS > g);
                last_flush = Instant::now();
                *hub.last_publish.lock().unwrap_or_else(|p| p.into_inner()) = Some(last_flush);
                tx.send_replace(Arc::new(state.clone()));
                flush_at = None;
                continue;
            }
        }
        if flush_at.is_none() && (all || !dirty.is_empty()) {
            flush_at = Some((last_flush + COALESCE).max(Instant::now()));
        }
    }
}

fn stop(hub: &Hub) {
    *hub.running.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *hub.last_publish.lock().unwrap_or_else(|p| p.into_inner()) = None;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn an_event_names_its_topics() {
        let e = |kind, id: &str, data: &[(&str, &str)]| Event {
            sequence: 1,
            kind,
            timestamp_ms: 0,
            task_id: id.into(),
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            task: None,
        };
        assert_eq!(topics_of(&e(EventKind::TaskSubmitted, "t", &[])), ["tasks"]);
        assert_eq!(
            topics_of(&e(EventKind::TaskStarted, "wf:r1:s:-:1.1", &[])),
            ["tasks", "workflows", "run:r1"]
        );
        assert_eq!(
            topics_of(&e(EventKind::StepFailed, "r1", &[("run_id", "r1")])),
            ["workflows", "run:r1"]
        );
        assert_eq!(topics_of(&e(EventKind::ServiceDied, "", &[])), ["services"]);
        assert_eq!(
            topics_of(&e(EventKind::LeaseExpired, "t", &[])),
            ["tasks", "workers"]
        );
    }
}
