//! Service definitions: the six defaults of ARCHITECTURE.md, merged field by field with the
//! user's services file (`$DSPY_AGENT_HOME/services.toml` or `--services-file`), then with
//! config.toml's `[ports]`.
//!
//! This file holds the model and the defaults; `file` reads the services file, `resolve` applies
//! the settings (what `up` runs), `validate` checks the dependency edges.

mod file;
mod resolve;
mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use file::{load, merge};
pub use resolve::{default_services, resolve};
pub use validate::validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuMode {
    None,
    Auto,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthKind {
    Http,
    Tcp,
    Redis,
    Container,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthCheck {
    pub kind: HealthKind,
    /// Container port whose host mapping is probed; defaults to the first mapped port.
    pub port: Option<u16>,
    pub path: String,
    /// Startup budget in seconds.
    pub timeout_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortMapping {
    pub host: u16,
    pub container: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeMount {
    pub name: String,
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Resources {
    pub cpus: Option<f64>,
    /// Bytes.
    pub memory: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub name: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub ports: Vec<PortMapping>,
    pub env: BTreeMap<String, String>,
    pub volumes: Vec<VolumeMount>,
    pub depends_on: Vec<String>,
    pub gpu: GpuMode,
    pub init: bool,
    pub health: HealthCheck,
    pub resources: Resources,
}

impl Service {
    /// Hash of everything that shapes the container. A change means the container is recreated.
    pub fn config_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a service always serializes");
        hex::encode(&Sha256::digest(&canonical)[..12])
    }

    /// The container port probed for health, and the one `ports --env` advertises.
    pub fn primary_container_port(&self) -> Option<u16> {
        self.health
            .port
            .or_else(|| self.ports.first().map(|p| p.container))
    }

    /// URL scheme for `ports --env`.
    pub fn url_scheme(&self) -> &'static str {
        match self.health.kind {
            HealthKind::Redis => "redis",
            HealthKind::Http => "http",
            _ if self.name.contains("redis") => "redis",
            _ => "tcp",
        }
    }
}

/// The resolved catalog: service name -> definition, in name order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    pub services: BTreeMap<String, Service>,
}

fn service(
    name: &str,
    image: &str,
    port: u16,
    health: HealthKind,
    path: &str,
    depends_on: &[&str],
    gpu: GpuMode,
) -> Service {
    Service {
        name: name.into(),
        image: image.into(),
        command: None,
        ports: vec![PortMapping {
            host: port,
            container: port,
        }],
        env: BTreeMap::new(),
        volumes: vec![],
        depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
        gpu,
        init: true,
        health: HealthCheck {
            kind: health,
            port: Some(port),
            path: path.into(),
            timeout_s: 60.0,
        },
        resources: Resources::default(),
    }
}

/// The six services of ARCHITECTURE.md with their ports, health checks and dependencies.
pub fn defaults() -> Catalog {
    use HealthKind::{Http, Redis};
    let none = GpuMode::None;
    let mut redis = service("redis", "redis:7-alpine", 6379, Redis, "", &[], none);
    redis.volumes.push(VolumeMount {
        name: "data".into(),
        path: "/data".into(),
    });
    let mut ollama = service(
        "ollama",
        "ollama/ollama:latest",
        11434,
        Http,
        "/api/tags",
        &[],
        GpuMode::Auto,
    );
    ollama.volumes.push(VolumeMount {
        name: "models".into(),
        path: "/root/.ollama".into(),
    });
    ollama.health.timeout_s = 120.0;
    let services = [
        redis,
        service(
            "reddb",
            "dspy-lightweight:latest",
            8080,
            Http,
            "/health",
            &[],
            none,
        ),
        service(
            "infermesh-node-a",
            "official-infermesh:latest",
            19001,
            Http,
            "/health",
            &["redis"],
            none,
        ),
        service(
            "infermesh-node-b",
            "official-infermesh:latest",
            19002,
            Http,
            "/health",
            &["redis"],
            none,
        ),
        service(
            "infermesh-router",
            "official-infermesh:latest",
            19000,
            Http,
            "/health",
            &["infermesh-node-a", "infermesh-node-b"],
            none,
        ),
        ollama,
    ];
    Catalog {
        services: services.into_iter().map(|s| (s.name.clone(), s)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_architecture() {
        let c = defaults();
        let names: Vec<_> = c.services.keys().cloned().collect();
        assert_eq!(
            names,
            [
                "infermesh-node-a",
                "infermesh-node-b",
                "infermesh-router",
                "ollama",
                "reddb",
                "redis"
            ]
        );
        assert_eq!(c.services["redis"].ports[0].host, 6379);
        assert_eq!(c.services["redis"].health.kind, HealthKind::Redis);
        assert_eq!(c.services["reddb"].health.path, "/health");
        assert_eq!(c.services["ollama"].health.path, "/api/tags");
        assert_eq!(c.services["ollama"].gpu, GpuMode::Auto);
        assert_eq!(
            c.services["infermesh-router"].depends_on,
            ["infermesh-node-a", "infermesh-node-b"]
        );
        assert_eq!(c.services["infermesh-node-b"].depends_on, ["redis"]);
        assert_eq!(c.services["infermesh-router"].ports[0].host, 19000);
    }
}
