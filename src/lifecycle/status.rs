//! Status (`ps`): the project's containers as Docker sees them, one health verdict each, and
//! the repair of state.json from them.

use std::collections::BTreeSet;

use serde::Serialize;
use tokio::task::JoinSet;

use super::stack::Stack;
use crate::catalog::Service;
use crate::error::{Error, Result};
use crate::health::Probe;
use crate::ports::PortBinding;
use crate::runtime::{ContainerInfo, Runtime};
use crate::state::ServiceState;

/// One row of `ps`.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    pub service: String,
    /// Docker's state (running, exited, ...), or `removed` when the container vanished behind
    /// the tool's back since the last command.
    pub state: String,
    /// healthy, unhealthy, starting (image HEALTHCHECK), or none (no check).
    pub health: String,
    pub container_id: String,
    pub image: String,
    pub ports: Vec<PortBinding>,
    pub started_at: Option<String>,
    /// Restarts by Docker's restart policy, and the exit code of the last run (0 while the
    /// first run goes on).
    pub restart_count: i64,
    pub exit_code: Option<i64>,
}

impl Stack {
    /// The project's services as Docker sees them (labels are the truth); repairs state.json.
    pub async fn status(&self) -> Result<Vec<ServiceStatus>> {
        self.status_with(true).await
    }

    /// The same rows as `status`, without writing state.json (for `serve`'s `/health`, which
    /// anyone may call often).
    pub async fn status_read_only(&self) -> Result<Vec<ServiceStatus>> {
        self.status_with(false).await
    }

    async fn status_with(&self, repair: bool) -> Result<Vec<ServiceStatus>> {
        let containers = self.runtime.project_containers(&self.project).await?;
        let mut checks = JoinSet::new();
        for c in containers {
            let svc = self.catalog.services.get(&c.service).cloned();
            let rt = self.runtime.clone();
            checks.spawn(async move {
                let health = health_of(&rt, svc.as_ref(), &c).await;
                // A restarted container's state holds the current run's code (0): the last
                // exit's comes from the engine's events.
                let exit_code = match (c.restart_count, c.created_at) {
                    (1.., Some(created)) if c.running => rt
                        .last_exit_code(&c.id, created)
                        .await
                        .ok()
                        .flatten()
                        .or(c.exit_code),
                    _ => c.exit_code,
                };
                ServiceStatus {
                    service: c.service.clone(),
                    state: c.state.clone(),
                    health,
                    container_id: c.id.clone(),
                    image: c.image.clone(),
                    ports: c.ports.clone(),
                    started_at: c.started_at.clone(),
                    restart_count: c.restart_count,
                    exit_code,
                }
            });
        }
        let mut rows: Vec<ServiceStatus> = checks.join_all().await;

        // Repair the cache. The container list above may already be stale (another process
        // can create a service meanwhile), so an entry is forgotten only when its own container
        // id is confirmed gone, and refreshed only when it still names the container we saw.
        let state = self.state.clone();
        let recorded = {
            let state = state.clone();
            tokio::task::spawn_blocking(move || state.read())
                .await
                .map_err(|e| Error::runtime(format!("state read task failed: {e}")))??
        };
        let mut gone = BTreeSet::new();
        if let Some(p) = recorded.projects.get(&self.project) {
            for entry in p.services.values() {
                let seen = rows.iter().any(|r| r.container_id == entry.container_id);
                if !seen && self.runtime.inspect(&entry.container_id).await?.is_none() {
                    gone.insert(entry.container_id.clone());
                }
            }
        }
        let repaired = match repair {
            // The state is a cache: a home that cannot be written (read-only) still lists.
            true => match self.repair(gone.clone(), rows.clone()).await {
                Ok(v) => Some(v),
                Err(e) => {
                    tracing::debug!("state.json not repaired: {e}");
                    None
                }
            },
            false => None,
        };
        let vanished = if let Some(v) = repaired {
            v
        } else {
            recorded
                .projects
                .get(&self.project)
                .map(|p| {
                    p.services
                        .iter()
                        .filter(|(_, e)| gone.contains(&e.container_id))
                        .map(|(n, e)| (n.clone(), e.clone()))
                        .collect()
                })
                .unwrap_or_default()
        };

        for (name, entry) in vanished {
            // Replaced by a newer container (another home recreated it): that row says enough.
            if rows.iter().any(|r| r.service == name) {
                continue;
            }
            rows.push(ServiceStatus {
                service: name,
                state: "removed".into(),
                health: "unhealthy".into(),
                container_id: entry.container_id,
                image: entry.image,
                ports: vec![],
                started_at: None,
                restart_count: 0,
                exit_code: None,
            });
        }
        rows.sort_by(|a, b| a.service.cmp(&b.service));
        Ok(rows)
    }

    /// Forget the entries whose containers are confirmed `gone` and refresh those that still
    /// name a live container; returns the forgotten ones.
    async fn repair(
        &self,
        gone: BTreeSet<String>,
        live: Vec<ServiceStatus>,
    ) -> Result<Vec<(String, ServiceState)>> {
        let state = self.state.clone();
        let project = self.project.clone();
        tokio::task::spawn_blocking(move || {
            state.update(|s| {
                let p = s.projects.entry(project.clone()).or_default();
                let mut vanished = Vec::new();
                p.services.retain(|name, entry| {
                    let keep = !gone.contains(&entry.container_id);
                    if !keep {
                        vanished.push((name.clone(), entry.clone()));
                    }
                    keep
                });
                for r in &live {
                    let entry =
                        p.services
                            .entry(r.service.clone())
                            .or_insert_with(|| ServiceState {
                                container_id: r.container_id.clone(),
                                image: r.image.clone(),
                                config_hash: String::new(),
                                ports: vec![],
                                remapped: vec![],
                                health: String::new(),
                                started_at: None,
                            });
                    if entry.container_id == r.container_id {
                        entry.ports = r.ports.clone();
                        entry.health = r.health.clone();
                        entry.started_at = r.started_at.clone();
                    }
                }
                if p.services.is_empty() {
                    s.projects.remove(&project);
                }
                vanished
            })
        })
        .await
        .map_err(|e| Error::runtime(format!("state update task failed: {e}")))?
    }
}

/// One health verdict for `ps`: Docker's HEALTHCHECK status when the image has one, else one
/// host-side probe.
async fn health_of(rt: &Runtime, svc: Option<&Service>, c: &ContainerInfo) -> String {
    if !c.running {
        return "unhealthy".into();
    }
    if let Some(h) = &c.docker_health {
        return h.clone();
    }
    let Some(svc) = svc else { return "none".into() };
    match Probe::for_service(svc, c) {
        Ok(Probe::None) => "none".into(),
        Ok(probe) => match probe.check(rt, &c.id).await {
            Ok(()) => "healthy".into(),
            Err(_) => "unhealthy".into(),
        },
        Err(_) => "unhealthy".into(),
    }
}
