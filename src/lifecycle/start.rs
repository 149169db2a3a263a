//! Starting one service inside `up`: build its image when it has a `build` section and the
//! image is missing or stale, then adopt a matching container, or pull, create, publish
//! (moving busy host ports aside), start and wait until healthy; record it in state.json.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::events::{Event, EventSink, Phase};
use super::outcome::{Action, ServiceOutcome, UpOptions};
use super::stack::Stack;
use crate::catalog::{GpuMode, HealthKind, Service};
use crate::error::{Code, Error, Result};
use crate::health::{self, Probe};
use crate::ports::PortAllocator;
use crate::runtime::{self, ContainerInfo, ContainerSpec, ErrorKind, RuntimeError};
use crate::state::{PortRemap, ServiceState};

/// Lines of a failed service's log shown with the failure.
const LOG_TAIL_LINES: usize = 20;
/// Host address that published ports bind to.
const HOST_IP: &str = "127.0.0.1";

/// A service failure inside `up`, before the chain is known.
pub(super) struct StartError {
    pub(super) reason: String,
    pub(super) code: Code,
    pub(super) log_tail: Vec<String>,
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

/// What one service's start shares with the rest of its `up`.
pub(super) struct StartJob {
    pub(super) gpu: bool,
    pub(super) network: String,
    pub(super) ports: Arc<PortAllocator>,
    pub(super) opts: Arc<UpOptions>,
    pub(super) events: EventSink,
    /// The build hash, for a service with a `build` section.
    pub(super) build_hash: Option<String>,
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

/// Whether the engine created `c` less than `budget` ago (unknown: no).
fn created_within(c: &ContainerInfo, budget: Duration) -> bool {
    c.created_at
        .and_then(|t| std::time::SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < budget)
}

/// The label that decides whether a container is stale: the definition, the GPU decision and,
/// for a built image, the build hash (so a changed context recreates the container).
fn config_hash(svc: &Service, gpu: bool, build: Option<&str>) -> String {
    let mut hash = svc.config_hash();
    if gpu {
        hash.push_str("-gpu");
    }
    if let Some(b) = build {
        hash.push_str("-b");
        hash.push_str(b);
    }
    hash
}

impl Stack {
    pub(super) async fn start_service(
        &self,
        name: &str,
        job: StartJob,
    ) -> std::result::Result<ServiceOutcome, StartError> {
        let started = Instant::now();
        let svc = self.service(name)?;
        let build_hash = job.build_hash.as_deref();
        let hash = config_hash(&svc, job.gpu, build_hash);
        let timeout = startup_budget(&svc, &job.opts);
        let events = &job.events;

        // A built image first, so that an unchanged container is kept only on a current image.
        if let Some(b) = build_hash {
            self.ensure_built(&svc, b, job.opts.build, events).await?;
        }

        let mut action = Action::Created;
        let container = runtime::container_name(&self.project, name);
        if let Some(old) = self.current_container(name, &container).await? {
            if old.state == "created" && created_within(&old, timeout) {
                // Another `up` created it a moment ago and is about to start it: removing it
                // would destroy what that `up` reports healthy. Wait for theirs instead.
                let theirs = self.wait_running(name, &container, timeout).await?;
                return self.adopt(&svc, &theirs, &job, started).await;
            }
            if old.running && old.config_hash == hash && !job.opts.recreate {
                return self.adopt(&svc, &old, &job, started).await;
            }
            action = Action::Recreated;
            self.runtime.stop_and_remove(&old.id, 10).await?;
            // Its host ports are free again: the new container may keep them.
            for p in &old.ports {
                job.ports.release(p.host_port);
            }
        }

        if build_hash.is_none() && !self.runtime.image_present(&svc.image).await? {
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
                    (
                        runtime::LABEL_HASH.to_string(),
                        config_hash(&svc, gpu, build_hash),
                    ),
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
                gpu_device_ids: vec![],
                keep_on_start_failure: false,
                auto_remove: false,
            };
            match self.runtime.create_and_start(&spec).await {
                Ok(id) => {
                    // Set after the start: ContainerSpec is shared with task containers, which
                    // never restart (they are auto-removed).
                    // (A container that already exited gets its policy too: the runtime
                    // waits out Docker's refusal; the health wait below reports the crash.)
                    if svc.restart != "no" {
                        self.runtime.set_restart_policy(&id, &svc.restart).await?;
                    }
                    break (id, remapped);
                }
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
                    let theirs = self.wait_running(name, &spec.name, timeout).await?;
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
            // Exited already, or restarting by its policy after exiting (Docker lists no
            // ports for either): that is the failure to report.
            Err(_) if !info.running || info.state == "restarting" => {
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
        let hash = config_hash(&svc, gpu, build_hash);
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

    /// The service's container as it is now, read under the state lock so that this `up`
    /// decides on what is there, not on a list read before its dependencies came up. A
    /// container of that name without our labels is a squatter, refused by name.
    async fn current_container(
        &self,
        service: &str,
        container: &str,
    ) -> Result<Option<ContainerInfo>> {
        let state = self.state.clone();
        let _lock = tokio::task::spawn_blocking(move || state.exclusive())
            .await
            .map_err(|e| Error::runtime(format!("lock task failed: {e}")))??;
        let found = self.runtime.inspect(container).await?;
        match found {
            Some(c) => Ok(Some(self.ours(service, container, c)?)),
            None => Ok(None),
        }
    }

    /// `c` when it carries this project's and service's labels; the squatter error otherwise.
    fn ours(&self, service: &str, container: &str, c: ContainerInfo) -> Result<ContainerInfo> {
        if c.project == self.project && c.service == service {
            Ok(c)
        } else {
            Err(runtime::foreign_object("container", container, &self.project).into())
        }
    }

    /// Wait until the named container runs (another process may have created it and not yet
    /// started it); its details then. It must be ours: a squatter is refused at once.
    async fn wait_running(
        &self,
        service: &str,
        container: &str,
        timeout: Duration,
    ) -> Result<ContainerInfo> {
        let deadline = Instant::now() + timeout;
        let mut pause = health::FIRST_BACKOFF;
        loop {
            let found = match self.runtime.inspect(container).await? {
                Some(c) => Some(self.ours(service, container, c)?),
                None => None,
            };
            match found {
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
            Ok(()) => Ok(()),
            Err(reason) => Err(StartError {
                reason,
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
