//! While `serve` runs it follows the Docker engine's event stream for the project's service
//! containers (not polling): a crash, a restart under Docker's restart policy and a failing
//! image HEALTHCHECK become scheduler events (`service_died`, `service_restarted`,
//! `service_unhealthy`, `service_healthy`), the metrics `service_up` and
//! `service_restarts_total`, and the reason `/health` says DEGRADED.
//!
//! What counts as a restart: a `start` of a container whose Docker RestartCount grew since we
//! last saw it. Docker raises that count only when its restart policy brings a container back;
//! `up`, `restart` and `docker start` do not (dspy-agent's `up` and `restart` make a new
//! container, whose count starts at 0, and `docker start` resets it), so they are never taken
//! for a crash. A `die` that no `kill` or `stop` through the engine preceded is a crash
//! (`service_died`); `down`, `docker stop` and `docker kill` send those first. (A signal sent
//! with `docker kill --signal` that the process survives leaves that mark until the container
//! next starts, so a crash in between reads as deliberate.)
//!
//! The watcher never takes `serve` down: without an engine it says why in `/health` and tries
//! again with a growing pause (1 s up to 30 s); when the engine goes away or restarts, the
//! stream ends and it reconnects the same way, and the containers' RestartCounts read on
//! reconnecting account for restarts it missed meanwhile.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::runtime::{ContainerAction, ContainerEvent, ContainerInfo, Engine, Runtime};
use crate::server::events::EventKind;
use crate::server::scheduler::Scheduler;

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A session that lasted this long was a good one: the next failure waits FIRST_BACKOFF again.
const GOOD_SESSION: Duration = Duration::from_secs(30);
/// Events kept while the first listing of the containers is under way.
const MAX_PENDING: usize = 1024;
/// The longest one listing or inspection may take before the session starts over.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the watcher remembers of one container.
#[derive(Debug, Clone, Default)]
struct Tracked {
    service: String,
    /// Docker's RestartCount when last read.
    restart_count: i64,
    /// A `kill` or `stop` came through the engine since it last started.
    stopping: bool,
    /// It died without one (so a start without a readable RestartCount is still a restart).
    crashed: bool,
    last_exit: Option<i64>,
}

/// The watcher's state across sessions.
struct Watch {
    sched: Arc<Scheduler>,
    containers: HashMap<String, Tracked>,
}

/// Follow the project's containers until the task is aborted (at shutdown).
pub async fn run(sched: Arc<Scheduler>, engine: Engine, project: String) {
    let mut watch = Watch {
        sched,
        containers: HashMap::new(),
    };
    let mut backoff = FIRST_BACKOFF;
    let mut said: Option<String> = None;
    loop {
        let started = Instant::now();
        let why = watch.session(&engine, &project).await;
        watch.sched.metrics.services.watching(Some(why.clone()));
        if said.as_ref() != Some(&why) {
            tracing::info!("service watch: {why}; trying again");
            said = Some(why);
        }
        if started.elapsed() >= GOOD_SESSION {
            backoff = FIRST_BACKOFF;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn bounded<T>(
    what: &str,
    f: impl Future<Output = Result<T, crate::runtime::RuntimeError>>,
) -> Result<T, String> {
    match tokio::time::timeout(CALL_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(e.message),
        Err(_) => Err(format!(
            "the Docker engine did not answer {what} within {}s",
            CALL_TIMEOUT.as_secs()
        )),
    }
}

impl Watch {
    /// Connect, read the containers, then follow their events until the stream fails; why it
    /// ended.
    async fn session(&mut self, engine: &Engine, project: &str) -> String {
        let rt = match Runtime::connect_to(engine).await {
            Ok(rt) => rt,
            Err(e) => return e.message,
        };
        let mut stream = rt.container_events(project);
        // Poll the stream while the listing runs, so that the subscription is open before the
        // listing answers and no event falls between the two; events that arrive meanwhile
        // wait in `pending`.
        let mut pending = Vec::new();
        let listing = bounded("a container listing", rt.project_containers(project));
        tokio::pin!(listing);
        let rows = loop {
            tokio::select! {
                biased;
                e = stream.next() => match e {
                    Some(Ok(e)) if pending.len() < MAX_PENDING => pending.push(e),
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return e.message,
                    None => return "the Docker engine closed its event stream".into(),
                },
                rows = &mut listing => match rows {
                    Ok(rows) => break rows,
                    Err(why) => return why,
                },
            }
        };
        self.seed(rows);
        self.sched.metrics.services.watching(None);
        tracing::info!("service watch: following Docker events for project {project}");
        for e in pending {
            self.apply(&rt, e).await;
        }
        loop {
            match stream.next().await {
                Some(Ok(e)) => self.apply(&rt, e).await,
                Some(Err(e)) => return e.message,
                None => return "the Docker engine closed its event stream".into(),
            }
        }
    }

    /// Take the containers as they are now. A container seen in an earlier session whose
    /// RestartCount grew was restarted while nobody watched: counted and told.
    fn seed(&mut self, rows: Vec<ContainerInfo>) {
        let stats = &self.sched.metrics.services;
        let mut seen = HashMap::new();
        for c in rows {
            let before = self.containers.remove(&c.id);
            let missed = before
                .as_ref()
                .map_or(0, |t| (c.restart_count - t.restart_count).max(0));
            stats.update(&c.service, |v| {
                v.container_id = c.id.clone();
                v.up = c.running;
                v.state = c.state.clone();
                v.restart_count = c.restart_count;
                v.health = c.docker_health.clone();
                if !c.running {
                    v.last_exit_code = c.exit_code;
                }
                if missed > 0 {
                    v.restarts += missed as u64;
                    v.last_restart_ms = Some(crate::server::clock::now_ms());
                }
            });
            if missed > 0 {
                self.emit(
                    EventKind::ServiceRestarted,
                    &c.service,
                    &c.id,
                    &[
                        ("restart_count", Some(c.restart_count)),
                        ("exit_code", c.exit_code),
                    ],
                );
            }
            seen.insert(
                c.id.clone(),
                Tracked {
                    service: c.service.clone(),
                    restart_count: c.restart_count,
                    last_exit: c.exit_code,
                    ..Default::default()
                },
            );
        }
        // Services whose container went away meanwhile.
        for (name, v) in stats.views() {
            if !seen.values().any(|t| t.service == name) && v.state != "removed" {
                stats.update(&name, |v| {
                    v.up = false;
                    v.state = "removed".into();
                    v.health = None;
                });
            }
        }
        self.containers = seen;
    }

    async fn inspect(rt: &Runtime, id: &str) -> Option<ContainerInfo> {
        bounded("an inspection", rt.inspect(id))
            .await
            .ok()
            .flatten()
    }

    async fn apply(&mut self, rt: &Runtime, e: ContainerEvent) {
        let stats = &self.sched.metrics.services;
        let id = e.container_id.as_str();
        let tracked = self
            .containers
            .entry(e.container_id.clone())
            .or_insert_with(|| Tracked {
                service: e.service.clone(),
                ..Default::default()
            });
        match e.action {
            ContainerAction::Create => {
                stats.update(&e.service, |v| {
                    v.container_id = e.container_id.clone();
                    v.state = "created".into();
                    v.up = false;
                    v.restart_count = 0;
                    v.health = None;
                });
            }
            ContainerAction::Kill | ContainerAction::Stop => tracked.stopping = true,
            ContainerAction::Die => {
                tracked.last_exit = e.exit_code;
                let deliberate = tracked.stopping;
                tracked.crashed = !deliberate;
                let state = if deliberate {
                    "exited"
                } else {
                    // Docker has decided by now whether its policy brings it back.
                    match Self::inspect(rt, id).await {
                        Some(c) if c.state == "restarting" => "restarting",
                        _ if e.exit_code.unwrap_or(0) != 0 => "crashed",
                        _ => "exited",
                    }
                };
                stats.update(&e.service, |v| {
                    v.up = false;
                    v.state = state.into();
                    v.last_exit_code = e.exit_code;
                });
                if !deliberate {
                    self.emit(
                        EventKind::ServiceDied,
                        &e.service,
                        id,
                        &[
                            ("exit_code", e.exit_code),
                            ("restarting", Some(i64::from(state == "restarting"))),
                        ],
                    );
                }
            }
            ContainerAction::Start => {
                let info = Self::inspect(rt, id).await;
                let Some(tracked) = self.containers.get_mut(id) else {
                    return;
                };
                let (count, grew) = match &info {
                    Some(c) => (
                        c.restart_count,
                        (c.restart_count - tracked.restart_count).max(0),
                    ),
                    // Not readable: a start after a crash is a restart all the same.
                    None => (
                        tracked.restart_count + i64::from(tracked.crashed),
                        i64::from(tracked.crashed),
                    ),
                };
                tracked.restart_count = count;
                tracked.stopping = false;
                tracked.crashed = false;
                let last_exit = tracked.last_exit;
                stats.update(&e.service, |v| {
                    v.container_id = e.container_id.clone();
                    v.up = true;
                    v.state = "running".into();
                    v.restart_count = count;
                    v.health = info.as_ref().and_then(|c| c.docker_health.clone());
                    if grew > 0 {
                        v.restarts += grew as u64;
                        v.last_restart_ms = Some(e.time_ms);
                    }
                });
                if grew > 0 {
                    self.emit(
                        EventKind::ServiceRestarted,
                        &e.service,
                        id,
                        &[("restart_count", Some(count)), ("exit_code", last_exit)],
                    );
                }
            }
            ContainerAction::Destroy => {
                self.containers.remove(id);
                stats.update(&e.service, |v| {
                    if v.container_id == e.container_id {
                        v.up = false;
                        v.state = "removed".into();
                        v.health = None;
                    }
                });
            }
            ContainerAction::Healthy => {
                let was = stats.update(&e.service, |v| v.health.replace("healthy".into()));
                if was.as_deref() == Some("unhealthy") {
                    self.emit(EventKind::ServiceHealthy, &e.service, id, &[]);
                }
            }
            ContainerAction::Unhealthy => {
                let was = stats.update(&e.service, |v| v.health.replace("unhealthy".into()));
                if was.as_deref() != Some("unhealthy") {
                    self.emit(EventKind::ServiceUnhealthy, &e.service, id, &[]);
                }
            }
        }
    }

    /// A scheduler event about a service: its name, its container and the numbers known.
    fn emit(&self, kind: EventKind, service: &str, id: &str, numbers: &[(&str, Option<i64>)]) {
        let mut data = BTreeMap::from([
            ("service".to_string(), service.to_string()),
            ("container_id".to_string(), id.to_string()),
        ]);
        for (k, v) in numbers {
            if let Some(v) = v {
                data.insert((*k).to_string(), v.to_string());
            }
        }
        tracing::info!("service watch: {} {service}", kind.as_str());
        self.sched.events.emit(kind, "", data, None);
    }
}
