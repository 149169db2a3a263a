//! Containers: list, inspect, create and start, stop and remove, wait, stats.

use std::collections::{HashMap, HashSet};

use bollard::errors::Error as DockerError;
use bollard::models::{
    ContainerCreateBody, DeviceRequest, EndpointSettings, HostConfig, Mount, MountType,
    NetworkingConfig, PortBinding as DockerPortBinding,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    StatsOptionsBuilder, StopContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::error::{Result, RuntimeError, status_of};
use super::{
    ContainerInfo, ContainerSpec, LABEL_HASH, LABEL_PROJECT, LABEL_SERVICE, LABEL_TASK, Runtime,
    Stats, api_seconds, not_found,
};
use crate::ports::PortBinding;

impl Runtime {
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
            Err(e) if not_found(&e) => return Ok(None),
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
        let created_at = c.created.as_deref().and_then(super::parse_time);
        Ok(Some(ContainerInfo {
            id: c.id.unwrap_or_default(),
            project: labels.get(LABEL_PROJECT).cloned().unwrap_or_default(),
            service: labels.get(LABEL_SERVICE).cloned().unwrap_or_default(),
            config_hash: labels.get(LABEL_HASH).cloned().unwrap_or_default(),
            image: config.image.unwrap_or_default(),
            state: state.status.map(|s| s.to_string()).unwrap_or_default(),
            running,
            exit_code: state.exit_code,
            restart_count: c.restart_count.unwrap_or(0),
            docker_health: state
                .health
                .and_then(|h| h.status)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty() && s != "none"),
            ports,
            started_at: state.started_at.filter(|_| running),
            created_at,
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
        let device_requests = if !spec.gpu_device_ids.is_empty() {
            Some(vec![DeviceRequest {
                driver: Some("nvidia".into()),
                device_ids: Some(spec.gpu_device_ids.clone()),
                capabilities: Some(vec![vec!["gpu".into()]]),
                ..Default::default()
            }])
        } else {
            spec.gpus.then(|| {
                vec![DeviceRequest {
                    driver: Some("nvidia".into()),
                    count: Some(-1),
                    capabilities: Some(vec![vec!["gpu".into()]]),
                    ..Default::default()
                }]
            })
        };
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
            if spec.keep_on_start_failure {
                return Err(err.context(format!(
                    "container {} is kept, created but not started, for inspection",
                    spec.name
                )));
            }
            let _ = self.force_remove(&created.id).await;
            return Err(err);
        }
        Ok(created.id)
    }

    /// The exit code of a container's last exit, from the engine's `die` events since it was
    /// created: once Docker restarted it, its state only holds the current run's.
    pub async fn last_exit_code(
        &self,
        id: &str,
        created: std::time::SystemTime,
    ) -> Result<Option<i64>> {
        let secs = |t: std::time::SystemTime| {
            t.duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .to_string()
        };
        let filters = HashMap::from([("container", vec![id]), ("event", vec!["die"])]);
        // `until` now makes the engine end the stream after the past events.
        let opts = bollard::query_parameters::EventsOptionsBuilder::default()
            .since(&secs(created))
            .until(
                &(secs(std::time::SystemTime::now())
                    .parse::<u64>()
                    .unwrap_or(0)
                    + 1)
                .to_string(),
            )
            .filters(&filters)
            .build();
        let mut events = self.docker.events(Some(opts));
        let mut last = None;
        let read = async {
            while let Some(e) = events.next().await {
                let e = e.map_err(|e| self.error(e))?;
                let code = e
                    .actor
                    .and_then(|a| a.attributes)
                    .and_then(|a| a.get("exitCode").and_then(|c| c.parse().ok()));
                if code.is_some() {
                    last = code;
                }
            }
            Ok::<_, RuntimeError>(())
        };
        match tokio::time::timeout(std::time::Duration::from_secs(5), read).await {
            Ok(r) => r?,
            Err(_) => return Ok(None),
        }
        Ok(last)
    }

    /// Set a container's restart policy ("no", "always", "unless-stopped", "on-failure[:N]").
    pub async fn set_restart_policy(&self, id: &str, policy: &str) -> Result<()> {
        use bollard::models::{ContainerUpdateBody, RestartPolicy, RestartPolicyNameEnum};
        let (name, max) = match policy.split_once(':') {
            Some((name, n)) => (name, n.parse::<i64>().ok()),
            None => (policy, None),
        };
        let name = match name {
            "always" => RestartPolicyNameEnum::ALWAYS,
            "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
            "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
            _ => RestartPolicyNameEnum::NO,
        };
        let body = ContainerUpdateBody {
            restart_policy: Some(RestartPolicy {
                name: Some(name),
                maximum_retry_count: max,
            }),
            ..Default::default()
        };
        let Err(e) = self.docker.update_container(id, body.clone()).await else {
            return Ok(());
        };
        // A container whose process has just exited, before the engine has seen it go: the
        // engine still has it running, hands the policy to its restart monitor, asks
        // containerd to update the process, is refused ("cannot update a stopped container")
        // and puts the old settings back, while the monitor keeps the new policy and restarts
        // the container. Once the engine shows it stopped or restarting, an update only saves
        // the policy: try again until then.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut last = e;
        while std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            match self.docker.update_container(id, body.clone()).await {
                Ok(_) => return Ok(()),
                Err(e) => last = e,
            }
        }
        Err(self
            .error(last)
            .context(format!("cannot set the restart policy of {id}")))
    }

    /// Stop (SIGTERM, then SIGKILL after `timeout_s`) and remove a container. Missing is fine.
    pub async fn stop_and_remove(&self, id: &str, timeout_s: u32) -> Result<()> {
        let opts = StopContainerOptionsBuilder::new()
            .t(api_seconds(timeout_s.into()))
            .build();
        match self.docker.stop_container(id, Some(opts)).await {
            Ok(()) => {}
            Err(e) if not_found(&e) => return Ok(()),
            // 304: already stopped.
            Err(e) if status_of(&e) == Some(304) => {}
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
            Err(e) if not_found(&e) => Ok(()),
            Err(e) if status_of(&e) == Some(409) => Ok(()),
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
            None => Err(RuntimeError::other(format!(
                "the engine stopped answering while waiting for container {id}"
            ))),
        }
    }

    /// One sample of a running container's CPU and memory use.
    pub async fn stats(&self, id: &str) -> Result<Stats> {
        let opts = StatsOptionsBuilder::new().stream(false).build();
        let mut stream = self.docker.stats(id, Some(opts));
        let s = match stream.next().await {
            Some(Ok(s)) => s,
            Some(Err(e)) => return Err(self.error(e)),
            None => return Err(RuntimeError::other(format!("no stats for container {id}"))),
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
