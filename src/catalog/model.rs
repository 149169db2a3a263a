//! The service model: what a service is once the defaults, the services file and the settings
//! are merged, and the hash that decides when its container is stale.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    /// Docker's restart policy: "no", "always", "unless-stopped", "on-failure[:N]".
    pub restart: String,
    /// Build `image` from a Dockerfile instead of pulling it. Left out of the serialized form
    /// (and so of the config hash) when absent, so services without one keep their hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
}

/// A services file's `build = { context, dockerfile, args, target }`, checked: the context is
/// an existing directory and the Dockerfile resolves inside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Build {
    /// The context directory, absolute with symlinks resolved.
    pub context: PathBuf,
    /// The Dockerfile's path relative to the context, as the engine takes it.
    pub dockerfile: String,
    /// Build arguments (`ARG`), `${VAR}`s already resolved.
    pub args: BTreeMap<String, String>,
    /// The stage to build, when not the last.
    pub target: Option<String>,
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
