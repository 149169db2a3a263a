//! Service lifecycle: `up`, `down` and status. The CLI commands and the EnvManagerService gRPC API
//! both call these functions; there is no second implementation.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::task::JoinSet;

use crate::catalog::{Catalog, GpuMode, HealthKind, Service};
use crate::error::{Code, Error, Result};
use crate::graph::{self, Plan};
use crate::health::{self, Probe};
use crate::ports::{PortAllocator, PortBinding};
use crate::runtime::{self, ContainerInfo, ContainerSpec, ErrorKind, Runtime, RuntimeError};
use crate::settings::Settings;
use crate::state::{PortRemap, ServiceState, StateFile};

/// Lines of a failed service's log shown with the failure.
pub const LOG_TAIL_LINES: usize = 20;
/// Host address that published ports bind to.
pub const HOST_IP: &str = "127.0.0.1";

/// Everything the lifecycle functions need, built once per command.
pub struct Stack {
    pub runtime: Runtime,
    pub catalog: Catalog,
    pub project: String,
    pub state: StateFile,
    /// Settings' `gpu`: allow passthrough for `gpu = "auto"` services.
    pub gpu_allowed: bool,
}

/// Progress, streamed while `up` runs (NDJSON on stderr with `--json`, gRPC StartServices).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Pull {
        service: String,
        image: String,
        status: String,
        layer: Option<String>,
        current: Option<i64>,
        total: Option<i64>,
    },
    Service {
        service: String,
        status: Phase,
        message: Option<String>,
    },
    PortRemapped {
        service: String,
        container_port: u16,
        requested: u16,
        actual: u16,
    },
    Warning {
        service: Option<String>,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Pulling,
    Creating,
    Waiting,
    Healthy,
    Unchanged,
    Failed,
    Skipped,
    Stopping,
    Removed,
}

pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

#[derive(Debug, Clone, Default)]
pub struct UpOptions {
    pub services: Vec<String>,
    pub pull: bool,
    pub recreate: bool,
    pub wait_timeout: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Created,
    Recreated,
    Unchanged,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceOutcome {
    pub service: String,
    pub action: Action,
    pub health: String,
    pub container_id: String,
    pub ports: Vec<PortBinding>,
    pub remapped: Vec<PortRemap>,
    pub gpu: bool,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub service: String,
    pub reason: String,
    /// From a requested service down to the failed one: what needed it.
    pub chain: Vec<String>,
    pub log_tail: Vec<String>,
    /// The exit code this failure maps to (3 when unhealthy).
    pub exit_code: u8,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpReport {
    pub project: String,
    pub ok: bool,
    pub services: Vec<ServiceOutcome>,
    pub failed: Option<Failure>,
    /// Services not started because a dependency failed.
    pub skipped: Vec<String>,
    pub duration_ms: u64,
}

/// A service failure inside `up`, before the chain is known.
struct StartError {
    reason: String,
    code: Code,
    log_tail: Vec<String>,
}

impl From<Error> for StartError {
    fn from(e: Error) -> Self {
        StartError {
            reason: e.message,
            code: e.code,
            log_tail: vec![],
        }
    }
}

impl From<RuntimeError> for StartError {
    fn from(e: RuntimeError) -> Self {
        Error::from(e).into()
    }
}

impl Stack {
    /// Settings, catalog and a connected Docker client: what the lifecycle commands and the
    /// Settings, catalog and a connected Docker client: what the lifecycle commands and the
    /// EnvManagerService share.
    pub async fn from_settings(settings: &Settings) -> Result<Stack> {
        Self::connect(settings, crate::catalog::resolve(settings)?).await
    }

    /// A stack over this catalog (from `catalog::resolve`) with a connected Docker client.
    pub async fn connect(settings: &Settings, catalog: Catalog) -> Result<Stack> {
        let runtime = Runtime::connect(&settings.docker_host.value).await?;
        Ok(Stack {
            runtime,
            catalog,
            project: settings.project.value.clone(),
            state: StateFile::new(&settings.home.value),
            gpu_allowed: settings.gpu.value,
        })
    }

    /// One service's definition, as it will run.
    pub fn service(&self, name: &str) -> Result<Service> {
        self.catalog
            .services
            .get(name)
            .cloned()
            .ok_or_else(|| Error::usage(format!("unknown service `{name}`")))
    }

    fn emit_service(
        &self,
        events: &EventSink,
        service: &str,
        status: Phase,
        message: Option<String>,
    ) {
        events(Event::Service {
            service: service.to_string(),
            status,
            message,
        });
    }

    /// Bring up `opts.services` and their dependencies. Each service starts as soon as its own
    /// dependencies are healthy. On a failure the healthy part keeps running.
    pub async fn up(self: &Arc<Self>, opts: UpOptions, events: EventSink) -> Result<UpReport> {
        let started = Instant::now();
        if opts.services.is_empty() {
            return Err(Error::usage("no services to start"));
        }
        let members = graph::closure(&self.catalog, &opts.services)?;
        let plan = Plan::new(&self.catalog, &members);
        let gpus = crate::gpu::nvidia_gpu_count();
        let mut use_gpu = BTreeMap::new();
        for name in &members {
            let svc = self.service(name)?;
            let attach = match svc.gpu {
                GpuMode::None => false,
                GpuMode::Required if gpus == 0 || !self.gpu_allowed => {
                    return Err(Error::runtime(format!(
                        "service `{name}` requires an NVIDIA GPU, but {}",
                        if gpus == 0 {
                            "none was found (no NVIDIA driver loaded: /proc/driver/nvidia/gpus is empty)"
                        } else {
                            "GPU use is off in settings (gpu = false)"
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

        let existing: HashMap<String, ContainerInfo> = self
            .runtime
            .project_containers(&self.project)
            .await?
            .into_iter()
            .map(|c| (c.service.clone(), c))
            .collect();
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
                existing: existing.get(&name).cloned(),
                gpu: use_gpu[&name],
                network: network.clone(),
                ports: Arc::clone(&ports),
                opts: Arc::clone(&opts),
                events: Arc::clone(&events),
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

    async fn start_service(
        &self,
        name: &str,
        job: StartJob,
    ) -> std::result::Result<ServiceOutcome, StartError> {
        let started = Instant::now();
        let svc = self.service(name)?;
        let hash = config_hash(&svc, job.gpu);
        let timeout = startup_budget(&svc, &job.opts);
        let events = &job.events;

        let mut action = Action::Created;
        if let Some(old) = &job.existing {
            if old.running && old.config_hash == hash && !job.opts.recreate {
                return self.adopt(&svc, old, &job, started).await;
            }
            action = Action::Recreated;
            self.runtime.stop_and_remove(&old.id, 10).await?;
            // Its host ports are free again: the new container may keep them.
            for p in &old.ports {
                job.ports.release(p.host_port);
            }
        }

        if !self.runtime.image_present(&svc.image).await? {
            if !job.opts.pull {
                return Err(StartError {
                    reason: format!(
                        "image `{}` is not present locally and --no-pull was given",
                        svc.image
                    ),
                    code: Code::Runtime,
                    log_tail: vec![],
                });
            }
            self.emit_service(events, name, Phase::Pulling, Some(svc.image.clone()));
            let sink = Arc::clone(events);
            self.runtime
                .pull(&svc.image, |p| {
                    sink(Event::Pull {
                        service: name.to_string(),
                        image: svc.image.clone(),
                        status: p.status,
                        layer: p.layer,
                        current: p.current,
                        total: p.total,
                    })
                })
                .await
                .map_err(|e| e.context(format!("service `{name}`")))?;
        }

        let mut volumes = Vec::new();
        for v in &svc.volumes {
            let vol = runtime::volume_name(&self.project, name, &v.name);
            let labels = HashMap::from([
                (runtime::LABEL_PROJECT.to_string(), self.project.clone()),
                (runtime::LABEL_SERVICE.to_string(), name.to_string()),
            ]);
            self.runtime.ensure_volume(&vol, labels).await?;
            volumes.push((vol, v.path.clone()));
        }

        self.emit_service(events, name, Phase::Creating, None);
        let mut gpu = job.gpu;
        let mut attempts = 0;
        let (id, remapped) = loop {
            attempts += 1;
            let mut host_ports = Vec::new();
            let mut remapped = Vec::new();
            for p in &svc.ports {
                let Some(actual) = job.ports.allocate(p.host) else {
                    for (_, h) in &host_ports {
                        job.ports.release(*h);
                    }
                    return Err(StartError {
                        reason: format!(
                            "no free host port in {}..={} for container port {}",
                            p.host,
                            p.host.saturating_add(crate::ports::REMAP_RANGE),
                            p.container
                        ),
                        code: Code::Runtime,
                        log_tail: vec![],
                    });
                };
                if actual != p.host {
                    remapped.push(PortRemap {
                        container_port: p.container,
                        requested: p.host,
                        actual,
                    });
                }
                host_ports.push((p.container, actual));
            }
            let spec = ContainerSpec {
                name: runtime::container_name(&self.project, name),
                image: svc.image.clone(),
                command: svc.command.clone(),
                env: svc.env.clone(),
                labels: HashMap::from([
                    (runtime::LABEL_PROJECT.to_string(), self.project.clone()),
                    (runtime::LABEL_SERVICE.to_string(), name.to_string()),
                    (runtime::LABEL_HASH.to_string(), config_hash(&svc, gpu)),
                ]),
                ports: host_ports.clone(),
                host_ip: HOST_IP.into(),
                volumes: volumes.clone(),
                network: Some(job.network.clone()),
                aliases: vec![name.to_string()],
                init: svc.init,
                nano_cpus: svc.resources.cpus.map(|c| (c * 1e9) as i64),
                memory: svc
                    .resources
                    .memory
                    .map(|m| i64::try_from(m).unwrap_or(i64::MAX)),
                gpus: gpu,
                auto_remove: false,
            };
            match self.runtime.create_and_start(&spec).await {
                Ok(id) => break (id, remapped),
                Err(e) if attempts < 4 && e.kind == ErrorKind::PortConflict => {
                    // Someone took a port between our check and Docker's bind: try the next ones.
                    tracing::info!("{name}: host port conflict, retrying: {}", e.message);
                }
                Err(e) if gpu && svc.gpu == GpuMode::Auto && e.kind == ErrorKind::NoGpuRuntime => {
                    events(Event::Warning {
                        service: Some(name.to_string()),
                        message: format!(
                            "Docker cannot pass GPUs through ({}); starting `{name}` on CPU",
                            e.message
                        ),
                    });
                    gpu = false;
                    for (_, h) in &host_ports {
                        job.ports.release(*h);
                    }
                    continue;
                }
                Err(e) if e.kind == ErrorKind::NameInUse => {
                    // Another `up` created this service a moment ago: wait for theirs.
                    for (_, h) in &host_ports {
                        job.ports.release(*h);
                    }
                    let theirs = self.wait_running(&spec.name, timeout).await?;
                    return self.adopt(&svc, &theirs, &job, started).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        for r in &remapped {
            events(Event::PortRemapped {
                service: name.to_string(),
                container_port: r.container_port,
                requested: r.requested,
                actual: r.actual,
            });
        }
        let info = self.runtime.inspect(&id).await?.ok_or_else(|| {
            Error::runtime(format!(
                "container of `{name}` vanished right after it started"
            ))
        })?;
        let probe = match Probe::for_service(&svc, &info) {
            Ok(probe) => probe,
            // Exited already (so Docker lists no ports): that is the failure to report.
            Err(_) if !info.running => {
                let code = info
                    .exit_code
                    .map(|c| format!(" with code {c}"))
                    .unwrap_or_default();
                return Err(StartError {
                    reason: format!(
                        "service `{name}`: container {}{code} before it became healthy",
                        info.state
                    ),
                    code: Code::Unhealthy,
                    log_tail: self.runtime.log_tail(&id, LOG_TAIL_LINES).await,
                });
            }
            Err(reason) => {
                return Err(StartError {
                    reason,
                    code: Code::Runtime,
                    log_tail: vec![],
                });
            }
        };
        if !matches!(svc.health.kind, HealthKind::None) {
            self.emit_service(events, name, Phase::Waiting, None);
        }
        let hash = config_hash(&svc, gpu);
        let result = self.wait(&svc, &probe, &id, timeout).await;
        let outcome = ServiceOutcome {
            service: name.to_string(),
            action,
            health: if result.is_ok() {
                "healthy"
            } else {
                "unhealthy"
            }
            .into(),
            container_id: id,
            ports: info.ports,
            remapped,
            gpu,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        self.record(&outcome, &svc, &hash).await?;
        result?;
        self.emit_service(
            events,
            name,
            Phase::Healthy,
            Some(format!("{} ms", outcome.duration_ms)),
        );
        Ok(outcome)
    }

    /// Keep a running container whose definition matches: wait for it to be healthy.
    async fn adopt(
        &self,
        svc: &Service,
        container: &ContainerInfo,
        job: &StartJob,
        started: Instant,
    ) -> std::result::Result<ServiceOutcome, StartError> {
        let name = svc.name.as_str();
        let timeout = startup_budget(svc, &job.opts);
        let probe = Probe::for_service(svc, container).map_err(|reason| StartError {
            reason,
            code: Code::Runtime,
            log_tail: vec![],
        })?;
        if probe.check(&self.runtime, &container.id).await.is_err() {
            self.emit_service(&job.events, name, Phase::Waiting, None);
            self.wait(svc, &probe, &container.id, timeout).await?;
        }
        let outcome = ServiceOutcome {
            service: name.to_string(),
            action: Action::Unchanged,
            health: "healthy".into(),
            container_id: container.id.clone(),
            ports: container.ports.clone(),
            remapped: vec![],
            gpu: job.gpu,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        self.emit_service(&job.events, name, Phase::Unchanged, None);
        self.record(&outcome, svc, &container.config_hash).await?;
        Ok(outcome)
    }

    /// Wait until the named container runs (another process may have created it and not yet
    /// started it); its details then.
    async fn wait_running(&self, container: &str, timeout: Duration) -> Result<ContainerInfo> {
        let deadline = Instant::now() + timeout;
        let mut pause = health::FIRST_BACKOFF;
        loop {
            match self.runtime.inspect(container).await? {
                Some(c) if c.running => return Ok(c),
                Some(c) if c.state != "created" => {
                    return Err(Error::new(
                        Code::Unhealthy,
                        format!(
                            "container {container} is {} (started by another process)",
                            c.state
                        ),
                    ));
                }
                _ if Instant::now() >= deadline => {
                    return Err(Error::new(
                        Code::Unhealthy,
                        format!("container {container}, created by another process, never started"),
                    ));
                }
                _ => {}
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }

    async fn wait(
        &self,
        svc: &Service,
        probe: &Probe,
        id: &str,
        timeout: Duration,
    ) -> std::result::Result<(), StartError> {
        match health::wait_healthy(probe, &self.runtime, id, timeout).await {
            Ok(_) => Ok(()),
            Err(f) => Err(StartError {
                reason: f.reason,
                code: Code::Unhealthy,
                log_tail: self.runtime.log_tail(id, LOG_TAIL_LINES).await,
            }),
        }
        .map_err(|mut e| {
            e.reason = format!("service `{}`: {}", svc.name, e.reason);
            e
        })
    }

    /// Write one service's entry into state.json (off the async threads: it may wait on the lock).
    async fn record(&self, outcome: &ServiceOutcome, svc: &Service, hash: &str) -> Result<()> {
        let state = self.state.clone();
        let project = self.project.clone();
        let entry = ServiceState {
            container_id: outcome.container_id.clone(),
            image: svc.image.clone(),
            config_hash: hash.to_string(),
            ports: outcome.ports.clone(),
            remapped: outcome.remapped.clone(),
            health: outcome.health.clone(),
            started_at: None,
        };
        let name = outcome.service.clone();
        let unchanged = outcome.action == Action::Unchanged;
        tokio::task::spawn_blocking(move || {
            state.update(|s| {
                let p = s.projects.entry(project).or_default();
                // An unchanged service keeps the remap record of the run that created it.
                let remapped = p
                    .services
                    .get(&name)
                    .filter(|_| unchanged)
                    .map(|old| old.remapped.clone());
                let mut entry = entry;
                if let Some(r) = remapped {
                    entry.remapped = r;
                }
                p.services.insert(name, entry);
            })
        })
        .await
        .map_err(|e| Error::runtime(format!("state update task failed: {e}")))?
    }
}

struct StartJob {
    existing: Option<ContainerInfo>,
    gpu: bool,
    network: String,
    ports: Arc<PortAllocator>,
    opts: Arc<UpOptions>,
    events: EventSink,
}

/// How long a service may take to become healthy: `--wait-timeout` or its own `timeout_s`,
/// kept within (0, 1 day] whatever a caller passed (NaN included).
fn startup_budget(svc: &Service, opts: &UpOptions) -> Duration {
    let secs = opts.wait_timeout.unwrap_or(svc.health.timeout_s);
    if secs.is_nan() || secs <= 0.0 {
        return Duration::from_millis(1);
    }
    Duration::from_secs_f64(secs.min(86_400.0))
}

/// The label that decides whether a container is stale: the definition plus the GPU decision.
pub fn config_hash(svc: &Service, gpu: bool) -> String {
    if gpu {
        format!("{}-gpu", svc.config_hash())
    } else {
        svc.config_hash()
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

impl Stack {
    /// Stop and remove services, dependents first; everything in parallel that the graph allows.
    pub async fn down(
        self: &Arc<Self>,
        opts: DownOptions,
        events: EventSink,
    ) -> Result<DownReport> {
        let started = Instant::now();
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
}

impl Stack {
    /// The project's services as Docker sees them (labels are the truth); repairs state.json.
    pub async fn status(&self) -> Result<Vec<ServiceStatus>> {
        let containers = self.runtime.project_containers(&self.project).await?;
        let mut checks = JoinSet::new();
        for c in containers {
            let svc = self.catalog.services.get(&c.service).cloned();
            let rt = self.runtime.clone();
            checks.spawn(async move {
                let health = health_of(&rt, svc.as_ref(), &c).await;
                ServiceStatus {
                    service: c.service.clone(),
                    state: c.state.clone(),
                    health,
                    container_id: c.id.clone(),
                    image: c.image.clone(),
                    ports: c.ports.clone(),
                    started_at: c.started_at.clone(),
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
        let project = self.project.clone();
        let live = rows.clone();
        let vanished = tokio::task::spawn_blocking(move || {
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
        .map_err(|e| Error::runtime(format!("state update task failed: {e}")))??;
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
            });
        }
        rows.sort_by(|a, b| a.service.cmp(&b.service));
        Ok(rows)
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
