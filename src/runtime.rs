//! The Docker engine, through bollard. This is the only module that imports bollard: every
//! other module talks about services, containers and ports in this module's own types.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as DockerError;
use bollard::models::{
    ContainerCreateBody, DeviceRequest, EndpointSettings, HostConfig, Mount, MountType,
    NetworkCreateRequest, NetworkingConfig, PortBinding as DockerPortBinding, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, CreateImageOptionsBuilder, ListContainersOptionsBuilder,
    ListNetworksOptionsBuilder, ListVolumesOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveVolumeOptionsBuilder, StatsOptionsBuilder,
    StopContainerOptionsBuilder,
};
use futures_util::{Stream, StreamExt};
use serde::Serialize;

use crate::error::{Code, Error, Result};
use crate::ports::PortBinding;

pub const LABEL_PROJECT: &str = "dspy-agent.project";
pub const LABEL_SERVICE: &str = "dspy-agent.service";
pub const LABEL_HASH: &str = "dspy-agent.config-hash";
/// Marks one-off task containers (the scheduler's), so `ps` and `down` leave them alone.
pub const LABEL_TASK: &str = "dspy-agent.task";

/// How long to wait for the engine to answer at all before calling it unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected, version-negotiated Docker client.
#[derive(Clone)]
pub struct Runtime {
    docker: Docker,
    host: String,
}

/// What `ps`, `ports`, `down` and `up` need to know about one container.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub service: String,
    pub config_hash: String,
    pub image: String,
    /// Docker's state: created, running, exited, paused, restarting, dead.
    pub state: String,
    pub running: bool,
    pub exit_code: Option<i64>,
    /// The image HEALTHCHECK's status, when the image has one.
    pub docker_health: Option<String>,
    pub ports: Vec<PortBinding>,
    pub started_at: Option<String>,
}

/// Everything needed to create a service container.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub env: BTreeMap<String, String>,
    pub labels: HashMap<String, String>,
    /// (container port, host port), published on `host_ip`.
    pub ports: Vec<(u16, u16)>,
    pub host_ip: String,
    /// (volume name, container path).
    pub volumes: Vec<(String, String)>,
    pub network: Option<String>,
    /// DNS names on the network (the service name).
    pub aliases: Vec<String>,
    pub init: bool,
    pub nano_cpus: Option<i64>,
    pub memory: Option<i64>,
    pub gpus: bool,
    /// Remove the container when it exits (task containers).
    pub auto_remove: bool,
}

/// One progress message of an image pull.
#[derive(Debug, Clone, Serialize)]
pub struct PullProgress {
    pub layer: Option<String>,
    pub status: String,
    pub current: Option<i64>,
    pub total: Option<i64>,
}

/// One log line with Docker's own timestamp.
#[derive(Debug, Clone, Serialize)]
pub struct LogLine {
    pub stream: &'static str,
    /// RFC 3339 with nanoseconds, as Docker writes it.
    pub timestamp: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Stats {
    pub cpu_percent: f64,
    pub memory_bytes: u64,
    pub memory_limit_bytes: u64,
}

impl Runtime {
    /// Connect to `docker_host` and negotiate the API version (so Engine 20.10, API 1.41, works).
    /// An engine that does not answer within 10 s is exit code 4, with a hint.
    pub async fn connect(docker_host: &str) -> Result<Runtime> {
        let unreachable = |why: String| {
            Error::new(
                Code::EngineUnreachable,
                format!(
                    "cannot reach the Docker engine at {docker_host}: {why}\n\
                     hint: start Docker (`sudo systemctl start docker`, or `sudo dockerd &`), \
                     or point DOCKER_HOST at a running engine"
                ),
            )
        };
        const SCHEMES: [&str; 5] = ["unix://", "tcp://", "http://", "https://", "ssh://"];
        if !SCHEMES.iter().any(|s| docker_host.starts_with(s)) {
            return Err(Error::usage(format!(
                "DOCKER_HOST={docker_host:?} is not an engine address (expected unix:///path/docker.sock or tcp://HOST:PORT)"
            )));
        }
        if let Some(path) = docker_host.strip_prefix("unix://")
            && !std::path::Path::new(path).exists()
        {
            return Err(unreachable(format!("socket {path} does not exist")));
        }
        let docker =
            Docker::connect_with_host(docker_host).map_err(|e| unreachable(e.to_string()))?;
        let docker = match tokio::time::timeout(CONNECT_TIMEOUT, docker.negotiate_version()).await {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => return Err(unreachable(e.to_string())),
            Err(_) => {
                return Err(unreachable(format!(
                    "no answer within {}s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        };
        Ok(Runtime {
            docker,
            host: docker_host.to_string(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Engine facts for resource reports: (cpus, memory bytes).
    pub async fn engine_resources(&self) -> Result<(i64, i64)> {
        let info = self.docker.info().await.map_err(|e| self.error(e))?;
        Ok((info.ncpu.unwrap_or(0), info.mem_total.unwrap_or(0)))
    }

    /// Map a bollard error: transport failures mean the engine went away (exit 4).
    fn error(&self, e: DockerError) -> Error {
        match e {
            DockerError::DockerResponseServerError {
                status_code,
                message,
            } => Error::runtime(format!("Docker engine: {message} (HTTP {status_code})")),
            DockerError::HyperLegacyError { .. }
            | DockerError::IOError { .. }
            | DockerError::RequestTimeoutError
            | DockerError::SocketNotFoundError(_) => Error::new(
                Code::EngineUnreachable,
                format!("lost the Docker engine at {}: {e}", self.host),
            ),
            other => Error::runtime(format!("Docker engine: {other}")),
        }
    }

    fn not_found(e: &DockerError) -> bool {
        matches!(
            e,
            DockerError::DockerResponseServerError {
                status_code: 404,
                ..
            }
        )
    }

    /// Every container (running or not) that carries the project's label.
    pub async fn project_containers(&self, project: &str) -> Result<Vec<ContainerInfo>> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_PROJECT}={project}")])]);
        let opts = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_containers(Some(opts))
            .await
            .map_err(|e| self.error(e))?;
        let mut out = Vec::new();
        for summary in list {
            let labels = summary.labels.unwrap_or_default();
            if labels.contains_key(LABEL_TASK) {
                continue;
            }
            let Some(id) = summary.id else { continue };
            // The summary lacks StartedAt and the health status: inspect for those.
            match self.inspect(&id).await {
                Ok(Some(info)) => out.push(info),
                Ok(None) => {} // removed between list and inspect
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| a.service.cmp(&b.service));
        Ok(out)
    }

    /// Inspect one container; `None` when it does not exist.
    pub async fn inspect(&self, id: &str) -> Result<Option<ContainerInfo>> {
        let c = match self.docker.inspect_container(id, None).await {
            Ok(c) => c,
            Err(e) if Self::not_found(&e) => return Ok(None),
            Err(e) => return Err(self.error(e)),
        };
        let config = c.config.unwrap_or_default();
        let labels = config.labels.unwrap_or_default();
        let state = c.state.unwrap_or_default();
        let running = state.running.unwrap_or(false);
        let mut ports = Vec::new();
        if let Some(map) = c.network_settings.and_then(|n| n.ports) {
            for (key, bindings) in map {
                let Some(container_port) = key.split('/').next().and_then(|p| p.parse().ok())
                else {
                    continue;
                };
                for b in bindings.unwrap_or_default() {
                    if let Some(host_port) = b.host_port.and_then(|p| p.parse().ok()) {
                        ports.push(PortBinding {
                            container_port,
                            host_ip: b.host_ip.unwrap_or_default(),
                            host_port,
                        });
                    }
                }
            }
        }
        ports.sort_by_key(|p| (p.container_port, p.host_port));
        Ok(Some(ContainerInfo {
            id: c.id.unwrap_or_default(),
            name: c
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            service: labels.get(LABEL_SERVICE).cloned().unwrap_or_default(),
            config_hash: labels.get(LABEL_HASH).cloned().unwrap_or_default(),
            image: config.image.unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            running,
            exit_code: state.exit_code,
            docker_health: state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty() && s != "none"),
            ports,
            started_at: state.started_at.filter(|_| running),
        }))
    }

    /// Host ports that any container on this engine publishes (running ones hold them).
    pub async fn published_host_ports(&self) -> Result<HashSet<u16>> {
        let list = self
            .docker
            .list_containers(Some(ListContainersOptionsBuilder::new().build()))
            .await
            .map_err(|e| self.error(e))?;
        Ok(list
            .into_iter()
            .flat_map(|c| c.ports.unwrap_or_default())
            .filter_map(|p| p.public_port)
            .collect())
    }

    /// Create the project's bridge network if it does not exist; returns its id.
    /// Docker does not enforce unique network names, so callers serialise this (the state
    /// lock) and containers are attached by id, which is never ambiguous.
    pub async fn ensure_network(&self, project: &str) -> Result<String> {
        let name = network_name(project);
        if let Some(id) = self.network_ids(&name).await?.into_iter().next() {
            return Ok(id);
        }
        let req = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".into()),
            labels: Some(HashMap::from([(
                LABEL_PROJECT.to_string(),
                project.to_string(),
            )])),
            ..Default::default()
        };
        let created = self
            .docker
            .create_network(req)
            .await
            .map_err(|e| self.error(e))?;
        Ok(created.id)
    }

    /// Ids of the networks with exactly this name, oldest first.
    async fn network_ids(&self, name: &str) -> Result<Vec<String>> {
        let filters = HashMap::from([("name", vec![name.to_string()])]);
        let mut nets = self
            .docker
            .list_networks(Some(
                ListNetworksOptionsBuilder::new().filters(&filters).build(),
            ))
            .await
            .map_err(|e| self.error(e))?;
        // The name filter matches substrings; insist on the exact name.
        nets.retain(|n| n.name.as_deref() == Some(name));
        nets.sort_by(|a, b| a.created.cmp(&b.created));
        Ok(nets.into_iter().filter_map(|n| n.id).collect())
    }

    /// Remove the project's network(s); false when there was none.
    pub async fn remove_network(&self, project: &str) -> Result<bool> {
        let ids = self.network_ids(&network_name(project)).await?;
        for id in &ids {
            match self.docker.remove_network(id).await {
                Ok(()) => {}
                Err(e) if Self::not_found(&e) => {}
                Err(e) => return Err(self.error(e)),
            }
        }
        Ok(!ids.is_empty())
    }

    pub async fn image_present(&self, image: &str) -> Result<bool> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(e) if Self::not_found(&e) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Pull `image`, reporting progress. Errors name the image.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(PullProgress)) -> Result<()> {
        let (repo, tag) = split_image(image);
        let opts = CreateImageOptionsBuilder::new()
            .from_image(repo)
            .tag(tag)
            .build();
        let mut stream = self.docker.create_image(Some(opts), None, None);
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| match self.error(e) {
                err if err.code == Code::EngineUnreachable => err,
                err => Error::runtime(format!("cannot pull image `{image}`: {}", err.message)),
            })?;
            if let Some(detail) = info.error_detail {
                return Err(Error::runtime(format!(
                    "cannot pull image `{image}`: {}",
                    detail.message.unwrap_or_default()
                )));
            }
            let detail = info.progress_detail.unwrap_or_default();
            progress(PullProgress {
                layer: info.id,
                status: info.status.unwrap_or_default(),
                current: detail.current,
                total: detail.total,
            });
        }
        Ok(())
    }

    /// Create a named volume with the project's labels (idempotent).
    pub async fn ensure_volume(&self, name: &str, labels: HashMap<String, String>) -> Result<()> {
        let req = VolumeCreateRequest {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..Default::default()
        };
        self.docker
            .create_volume(req)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Names of the volumes carrying the project label (and the service label, when given).
    pub async fn project_volumes(
        &self,
        project: &str,
        service: Option<&str>,
    ) -> Result<Vec<String>> {
        let mut labels = vec![format!("{LABEL_PROJECT}={project}")];
        if let Some(s) = service {
            labels.push(format!("{LABEL_SERVICE}={s}"));
        }
        let filters = HashMap::from([("label", labels)]);
        let resp = self
            .docker
            .list_volumes(Some(
                ListVolumesOptionsBuilder::new().filters(&filters).build(),
            ))
            .await
            .map_err(|e| self.error(e))?;
        let mut names: Vec<String> = resp
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect();
        names.sort();
        Ok(names)
    }

    pub async fn remove_volume(&self, name: &str) -> Result<bool> {
        let opts = RemoveVolumeOptionsBuilder::new().force(true).build();
        match self.docker.remove_volume(name, Some(opts)).await {
            Ok(()) => Ok(true),
            Err(e) if Self::not_found(&e) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Create and start a container; returns its id. A failed start removes the container.
    pub async fn create_and_start(&self, spec: &ContainerSpec) -> Result<String> {
        let mut port_bindings = HashMap::new();
        let mut exposed = Vec::new();
        for (container, host) in &spec.ports {
            let key = format!("{container}/tcp");
            exposed.push(key.clone());
            port_bindings.insert(
                key,
                Some(vec![DockerPortBinding {
                    host_ip: Some(spec.host_ip.clone()),
                    host_port: Some(host.to_string()),
                }]),
            );
        }
        let mounts = spec
            .volumes
            .iter()
            .map(|(name, path)| Mount {
                target: Some(path.clone()),
                source: Some(name.clone()),
                typ: Some(MountType::VOLUME),
                ..Default::default()
            })
            .collect();
        let device_requests = spec.gpus.then(|| {
            vec![DeviceRequest {
                driver: Some("nvidia".into()),
                count: Some(-1),
                capabilities: Some(vec![vec!["gpu".into()]]),
                ..Default::default()
            }]
        });
        let host_config = HostConfig {
            port_bindings: Some(port_bindings),
            init: Some(spec.init),
            nano_cpus: spec.nano_cpus,
            memory: spec.memory,
            mounts: Some(mounts),
            device_requests,
            auto_remove: Some(spec.auto_remove),
            network_mode: spec.network.clone(),
            ..Default::default()
        };
        let networking_config = spec.network.as_ref().map(|net| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                net.clone(),
                EndpointSettings {
                    aliases: Some(spec.aliases.clone()),
                    ..Default::default()
                },
            )])),
        });
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: spec.command.clone(),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            labels: Some(spec.labels.clone()),
            exposed_ports: Some(exposed),
            host_config: Some(host_config),
            networking_config,
            ..Default::default()
        };
        let opts = CreateContainerOptionsBuilder::new()
            .name(&spec.name)
            .build();
        let created = self
            .docker
            .create_container(Some(opts), body)
            .await
            .map_err(|e| {
                self.error(e)
                    .context(format!("cannot create container {}", spec.name))
            })?;
        if let Err(e) = self.docker.start_container(&created.id, None).await {
            let err = self
                .error(e)
                .context(format!("cannot start container {}", spec.name));
            let _ = self.force_remove(&created.id).await;
            return Err(err);
        }
        Ok(created.id)
    }

    /// Stop (SIGTERM, then SIGKILL after `timeout_s`) and remove a container. Missing is fine.
    pub async fn stop_and_remove(&self, id: &str, timeout_s: u32) -> Result<()> {
        let opts = StopContainerOptionsBuilder::new()
            .t(timeout_s as i32)
            .build();
        match self.docker.stop_container(id, Some(opts)).await {
            Ok(()) => {}
            Err(e) if Self::not_found(&e) => return Ok(()),
            // 304: already stopped.
            Err(DockerError::DockerResponseServerError {
                status_code: 304, ..
            }) => {}
            Err(e) => return Err(self.error(e)),
        }
        self.force_remove(id).await
    }

    pub async fn force_remove(&self, id: &str) -> Result<()> {
        let opts = RemoveContainerOptionsBuilder::new()
            .force(true)
            .v(true)
            .build();
        match self.docker.remove_container(id, Some(opts)).await {
            Ok(()) => Ok(()),
            // 404: gone; 409: removal already in progress (auto-remove).
            Err(e) if Self::not_found(&e) => Ok(()),
            Err(DockerError::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(()),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Wait for a container to exit; its exit code (non-zero included).
    pub async fn wait_exit(&self, id: &str) -> Result<i64> {
        let mut stream = self.docker.wait_container(id, None);
        match stream.next().await {
            Some(Ok(r)) => Ok(r.status_code),
            Some(Err(DockerError::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(self.error(e)),
            None => Err(Error::runtime(format!(
                "the engine stopped answering while waiting for container {id}"
            ))),
        }
    }

    /// The last `n` lines of a container's output (stdout and stderr interleaved).
    pub async fn log_tail(&self, id: &str, n: usize) -> Vec<String> {
        let opts = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut lines = Vec::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let text = chunk.to_string();
            lines.extend(text.lines().map(str::to_string));
        }
        let skip = lines.len().saturating_sub(n);
        lines.split_off(skip)
    }

    /// A container's log as lines with timestamps. `since` is seconds since the epoch.
    pub fn logs(
        &self,
        id: &str,
        follow: bool,
        tail: Option<u64>,
        since: Option<i64>,
    ) -> impl Stream<Item = Result<LogLine>> + Send + 'static {
        let mut builder = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .follow(follow)
            .tail(&tail.map(|n| n.to_string()).unwrap_or_else(|| "all".into()));
        if let Some(s) = since {
            builder = builder.since(s as i32);
        }
        let rt = self.clone();
        // Docker may split or join lines across frames; re-split on newlines per stream.
        let mut partial: HashMap<&'static str, String> = HashMap::new();
        self.docker
            .logs(id, Some(builder.build()))
            .map(move |item| {
                let chunk = item.map_err(|e| rt.error(e))?;
                let (stream, bytes) = match &chunk {
                    bollard::container::LogOutput::StdErr { message } => ("stderr", message),
                    bollard::container::LogOutput::StdOut { message } => ("stdout", message),
                    bollard::container::LogOutput::Console { message } => ("stdout", message),
                    bollard::container::LogOutput::StdIn { message } => ("stdin", message),
                };
                let buf = partial.entry(stream).or_default();
                buf.push_str(&String::from_utf8_lossy(bytes));
                let mut lines = Vec::new();
                while let Some(pos) = buf.find('\n') {
                    let line: String = buf.drain(..=pos).collect();
                    let line = line.trim_end_matches(['\n', '\r']);
                    let (timestamp, message) = line.split_once(' ').unwrap_or((line, ""));
                    lines.push(Ok(LogLine {
                        stream,
                        timestamp: timestamp.to_string(),
                        message: message.to_string(),
                    }));
                }
                Ok::<_, Error>(futures_util::stream::iter(lines))
            })
            .flat_map(|r| match r {
                Ok(s) => s.left_stream(),
                Err(e) => futures_util::stream::iter(vec![Err(e)]).right_stream(),
            })
    }

    /// One sample of a running container's CPU and memory use.
    pub async fn stats(&self, id: &str) -> Result<Stats> {
        let opts = StatsOptionsBuilder::new().stream(false).build();
        let mut stream = self.docker.stats(id, Some(opts));
        let s = match stream.next().await {
            Some(Ok(s)) => s,
            Some(Err(e)) => return Err(self.error(e)),
            None => return Err(Error::runtime(format!("no stats for container {id}"))),
        };
        let cpu = s.cpu_stats.unwrap_or_default();
        let pre = s.precpu_stats.unwrap_or_default();
        let total = |c: &bollard::models::ContainerCpuStats| {
            c.cpu_usage
                .as_ref()
                .and_then(|u| u.total_usage)
                .unwrap_or(0) as f64
        };
        let cpu_delta = total(&cpu) - total(&pre);
        let sys_delta =
            cpu.system_cpu_usage.unwrap_or(0) as f64 - pre.system_cpu_usage.unwrap_or(0) as f64;
        let cpus = cpu.online_cpus.unwrap_or(1).max(1) as f64;
        let cpu_percent = if cpu_delta > 0.0 && sys_delta > 0.0 {
            cpu_delta / sys_delta * cpus * 100.0
        } else {
            0.0
        };
        let mem = s.memory_stats.unwrap_or_default();
        Ok(Stats {
            cpu_percent,
            memory_bytes: mem.usage.unwrap_or(0),
            memory_limit_bytes: mem.limit.unwrap_or(0),
        })
    }
}

pub fn network_name(project: &str) -> String {
    format!("{project}_default")
}

pub fn container_name(project: &str, service: &str) -> String {
    format!("{project}-{service}")
}

pub fn volume_name(project: &str, service: &str, volume: &str) -> String {
    format!("{project}_{service}_{volume}")
}

/// "repo/name:tag" -> ("repo/name", "tag"); a registry port is not a tag.
fn split_image(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_split_on_the_tag_only() {
        assert_eq!(split_image("redis:7-alpine"), ("redis", "7-alpine"));
        assert_eq!(split_image("ollama/ollama"), ("ollama/ollama", "latest"));
        assert_eq!(
            split_image("localhost:5000/x"),
            ("localhost:5000/x", "latest")
        );
        assert_eq!(split_image("localhost:5000/x:1"), ("localhost:5000/x", "1"));
    }
}
