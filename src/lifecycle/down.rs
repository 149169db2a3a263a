//! `down`: stop and remove services, dependents first, in parallel where the graph allows;
//! then the network when nothing is left, and volumes when asked.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::events::{Event, EventSink, Phase};
use super::stack::Stack;
use crate::error::{Error, Result};
use crate::graph::{self, Plan};
use crate::runtime::ContainerInfo;

#[derive(Debug, Clone, Default)]
pub struct DownOptions {
    pub services: Vec<String>,
    pub volumes: bool,
    pub timeout_s: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub service: String,
    pub container_id: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DownReport {
    pub project: String,
    pub removed: Vec<Removed>,
    pub network_removed: bool,
    pub volumes_removed: Vec<String>,
    pub duration_ms: u64,
}

/// `down` records what it removed in the state: before removing anything, prove the home takes
/// a new file (a read-only mount or an immutable directory does not).
pub fn check_state_writable(home: &std::path::Path) -> Result<()> {
    if !home.is_dir() {
        return Ok(());
    }
    let probe = home.join(format!(".down-check-{}", std::process::id()));
    match std::fs::File::create_new(&probe) {
        Ok(_) => std::fs::remove_file(&probe).map_err(|e| Error::runtime(format!("{e}"))),
        Err(e) => Err(Error::runtime(format!(
            "cannot write the state in {} ({e}); nothing was removed",
            home.display()
        ))),
    }
}

impl Stack {
    /// Stop and remove services, dependents first; everything in parallel that the graph allows.
    pub async fn down(
        self: &Arc<Self>,
        opts: DownOptions,
        events: EventSink,
    ) -> Result<DownReport> {
        let started = Instant::now();
        if let Some(home) = self.state.path().parent() {
            check_state_writable(home)?;
        }
        let containers: BTreeMap<String, ContainerInfo> = self
            .runtime
            .project_containers(&self.project)
            .await?
            .into_iter()
            .map(|c| (c.service.clone(), c))
            .collect();
        let selected: BTreeSet<String> = if opts.services.is_empty() {
            containers.keys().cloned().collect()
        } else {
            // Unknown to the catalog but present as a container (an old definition) is fine.
            let (known, unknown): (Vec<String>, Vec<String>) = opts
                .services
                .iter()
                .cloned()
                .partition(|s| self.catalog.services.contains_key(s));
            for s in &unknown {
                if !containers.contains_key(s) {
                    return Err(Error::usage(format!("unknown service `{s}`")));
                }
            }
            let mut set = graph::reverse_closure(&self.catalog, &known)?;
            set.extend(unknown);
            set
        };
        let to_stop: BTreeSet<String> = selected
            .iter()
            .filter(|s| containers.contains_key(*s))
            .cloned()
            .collect();
        let plan = Plan::new(&self.catalog, &to_stop);

        // Reverse order: a service stops once everything that depends on it has stopped.
        let run = graph::run_ordered(&plan.dependents, false, |name: String| {
            let id = containers[&name].id.clone();
            let rt = self.runtime.clone();
            let events = Arc::clone(&events);
            let timeout = opts.timeout_s;
            async move {
                let t0 = Instant::now();
                events(Event::Service {
                    service: name.clone(),
                    status: Phase::Stopping,
                    message: None,
                });
                rt.stop_and_remove(&id, timeout).await?;
                events(Event::Service {
                    service: name.clone(),
                    status: Phase::Removed,
                    message: None,
                });
                Ok::<_, Error>(Removed {
                    service: name,
                    container_id: id,
                    duration_ms: t0.elapsed().as_millis() as u64,
                })
            }
        })
        .await;
        let mut removed = Vec::new();
        let mut first_error = None;
        for (name, result) in run.results {
            match result {
                Ok(r) => removed.push(r),
                Err(e) => {
                    first_error.get_or_insert(e.context(format!("cannot remove `{name}`")));
                }
            }
        }
        removed.sort_by(|a, b| a.service.cmp(&b.service));

        let gone: BTreeSet<String> = removed.iter().map(|r| r.service.clone()).collect();
        let all_gone = containers.keys().all(|k| gone.contains(k));
        let network_removed = if all_gone {
            self.runtime.remove_network(&self.project).await?
        } else {
            false
        };
        let mut volumes_removed = Vec::new();
        if opts.volumes {
            let names = if opts.services.is_empty() {
                self.runtime.project_volumes(&self.project, None).await?
            } else {
                let mut v = Vec::new();
                for s in &selected {
                    v.extend(self.runtime.project_volumes(&self.project, Some(s)).await?);
                }
                v
            };
            for v in names {
                if self.runtime.remove_volume(&v).await? {
                    volumes_removed.push(v);
                }
            }
        }
        let state = self.state.clone();
        let project = self.project.clone();
        // Forget the services in scope, except those whose removal failed.
        let failed: BTreeSet<String> = to_stop.difference(&gone).cloned().collect();
        let scope = (!opts.services.is_empty()).then(|| selected.clone());
        tokio::task::spawn_blocking(move || {
            state.update(|s| {
                if let Some(p) = s.projects.get_mut(&project) {
                    p.services.retain(|k, _| {
                        failed.contains(k) || scope.as_ref().is_some_and(|s| !s.contains(k))
                    });
                    if p.services.is_empty() {
                        s.projects.remove(&project);
                    }
                }
            })
        })
        .await
        .map_err(|e| Error::runtime(format!("state update task failed: {e}")))??;
        if let Some(e) = first_error {
            return Err(e);
        }
        Ok(DownReport {
            project: self.project.clone(),
            removed,
            network_removed,
            volumes_removed,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }
}
