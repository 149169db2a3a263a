//! `up`: the closure of the requested services, the GPU decision per service, then a start per
//! service as soon as its own dependencies are healthy. The report says what happened to each.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use super::events::{Event, EventSink, Phase};
use super::outcome::{Failure, UpOptions, UpReport};
use super::stack::Stack;
use super::start::{StartError, StartJob};
use crate::catalog::{Catalog, GpuMode};
use crate::error::{Error, Result};
use crate::graph::{self, Plan};
use crate::ports::PortAllocator;
use crate::settings::Settings;

/// The services `up` starts: those named, or else those config.toml enables. An unknown name
/// or a dependency cycle is a usage error, found before Docker is contacted.
pub fn services_to_start(
    settings: &Settings,
    catalog: &Catalog,
    requested: Vec<String>,
) -> Result<Vec<String>> {
    let services = if requested.is_empty() {
        crate::catalog::default_services(settings, catalog)?
    } else {
        requested
    };
    graph::closure(catalog, &services)?;
    Ok(services)
}

impl Stack {
    /// Bring up `opts.services` and their dependencies. Each service starts as soon as its own
    /// dependencies are healthy. On a failure the healthy part keeps running.
    pub async fn up(self: &Arc<Self>, opts: UpOptions, events: EventSink) -> Result<UpReport> {
        let started = Instant::now();
        if opts.services.is_empty() {
            return Err(Error::usage("no services to start"));
        }
        let members = graph::closure(&self.catalog, &opts.services)?;
        let plan = Plan::new(&self.catalog, &members);
        let inventory = crate::gpu::inventory()?;
        let gpus = inventory.gpus.len();
        let mut use_gpu = BTreeMap::new();
        for name in &members {
            let svc = self.service(name)?;
            let attach = match svc.gpu {
                GpuMode::None => false,
                GpuMode::Required if gpus == 0 || !self.gpu_allowed => {
                    return Err(Error::runtime(format!(
                        "service `{name}` requires an NVIDIA GPU, but {}",
                        if gpus == 0 {
                            format!("none was found ({})", inventory.why_none())
                        } else {
                            "GPU use is off in settings (gpu = false)".to_string()
                        }
                    )));
                }
                GpuMode::Required => true,
                GpuMode::Auto if gpus > 0 && self.gpu_allowed => true,
                GpuMode::Auto => {
                    events(Event::Warning {
                        service: Some(name.clone()),
                        message: format!("no NVIDIA GPU available; starting `{name}` on CPU"),
                    });
                    false
                }
            };
            use_gpu.insert(name.clone(), attach);
        }

        // Scanning the build contexts may refuse one (too large, unreadable): before any change.
        let members_list: Vec<String> = members.iter().cloned().collect();
        let build_hashes = Arc::new(self.build_hashes(&members_list).await?);

        let network = {
            let state = self.state.clone();
            let _lock = tokio::task::spawn_blocking(move || state.exclusive())
                .await
                .map_err(|e| Error::runtime(format!("lock task failed: {e}")))??;
            self.runtime.ensure_network(&self.project).await?
        };
        let ports = Arc::new(PortAllocator::new(
            self.runtime.published_host_ports().await?,
        ));
        let opts = Arc::new(opts);

        let run = graph::run_ordered(&plan.deps, true, |name: String| {
            let stack = Arc::clone(self);
            let job = StartJob {
                gpu: use_gpu[&name],
                network: network.clone(),
                ports: Arc::clone(&ports),
                opts: Arc::clone(&opts),
                events: Arc::clone(&events),
                build_hash: build_hashes.get(&name).cloned(),
            };
            let events = Arc::clone(&events);
            async move {
                let result = stack.start_service(&name, job).await;
                if let Err(err) = &result {
                    stack.emit_service(&events, &name, Phase::Failed, Some(err.reason.clone()));
                }
                result
            }
        })
        .await;
        let mut outcomes = Vec::new();
        let mut failed: Option<(String, StartError)> = None;
        for (name, result) in run.results {
            match result {
                Ok(outcome) => outcomes.push(outcome),
                Err(err) => {
                    failed.get_or_insert((name, err));
                }
            }
        }
        for name in &run.skipped {
            let cause = failed
                .as_ref()
                .map(|(f, _)| f.as_str())
                .unwrap_or("a dependency");
            self.emit_service(
                &events,
                name,
                Phase::Skipped,
                Some(format!("dependency `{cause}` failed")),
            );
        }
        outcomes.sort_by(|a, b| a.service.cmp(&b.service));
        let failed = failed.map(|(service, err)| Failure {
            chain: dependency_chain(&self.catalog, &opts.services, &service),
            service,
            reason: err.reason,
            log_tail: err.log_tail,
            exit_code: err.code as u8,
        });
        Ok(UpReport {
            project: self.project.clone(),
            ok: failed.is_none(),
            services: outcomes,
            failed,
            skipped: run.skipped,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }
}

/// The path from a requested service down to `failed` through `depends_on` edges.
fn dependency_chain(catalog: &Catalog, requested: &[String], failed: &str) -> Vec<String> {
    let mut roots: Vec<&String> = requested.iter().collect();
    roots.sort();
    for root in roots {
        let mut parent: HashMap<String, String> = HashMap::new();
        let mut queue = VecDeque::from([root.clone()]);
        let mut seen = BTreeSet::from([root.clone()]);
        while let Some(node) = queue.pop_front() {
            if node == failed {
                let mut chain = vec![node.clone()];
                let mut cur = node;
                while let Some(p) = parent.get(&cur) {
                    chain.push(p.clone());
                    cur = p.clone();
                }
                chain.reverse();
                return chain;
            }
            if let Some(svc) = catalog.services.get(&node) {
                let mut deps = svc.depends_on.clone();
                deps.sort();
                for d in deps {
                    if seen.insert(d.clone()) {
                        parent.insert(d.clone(), node.clone());
                        queue.push_back(d);
                    }
                }
            }
        }
    }
    vec![failed.to_string()]
}
