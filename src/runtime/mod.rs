//! The Docker engine, through bollard. This is the only module that imports bollard: every
//! other module talks about services, containers and ports in this module's own types, and
//! gets failures as a typed [`RuntimeError`] instead of Docker's text.
//!
//! One file per kind of engine object: `containers`, `images`, `build` (image builds), `logs`,
//! `objects` (networks and volumes); `events` is the engine's event stream for the project's
//! containers; `error` classifies what the engine answered.

mod build;
mod containers;
mod error;
mod events;
mod exec;
mod images;
mod logs;
mod objects;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error as DockerError;

use crate::ports::PortBinding;
pub use build::BuildRequest;
pub use error::{ErrorKind, RuntimeError};
use error::{Result, status_of};
pub use events::{ContainerAction, ContainerEvent};

pub const LABEL_PROJECT: &str = "dspy-agent.project";
pub const LABEL_SERVICE: &str = "dspy-agent.service";
pub const LABEL_HASH: &str = "dspy-agent.config-hash";
/// On an image a service's `build` produced: the build hash of its context, Dockerfile, args
/// and target, so `up` can tell the image is stale.
pub const LABEL_BUILD_HASH: &str = "dspy-agent.build-hash";
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
#[derive(Debug, Clone)]
pub struct ContainerInfo {
    pub id: String,
    /// The `dspy-agent.project` label; empty on a container we did not create.
    pub project: String,
    pub service: String,
    pub config_hash: String,
    pub image: String,
    /// Docker's state: created, running, exited, paused, restarting, dead.
    pub state: String,
    pub running: bool,
    pub exit_code: Option<i64>,
    /// How many times Docker restarted it under its restart policy.
    pub restart_count: i64,
    /// The image HEALTHCHECK's status, when the image has one.
    pub docker_health: Option<String>,
    pub ports: Vec<PortBinding>,
    pub started_at: Option<String>,
    /// When the engine created it (its `Created` time), when readable.
    pub created_at: Option<std::time::SystemTime>,
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
    /// All NVIDIA GPUs (a service with `gpu = "auto" | "required"`).
    pub gpus: bool,
    /// Only these GPUs, by UUID (a GPU task): the device request's `device_ids`.
    pub gpu_device_ids: Vec<String>,
    /// Remove the container when it exits (task containers).
    pub auto_remove: bool,
    /// Leave the container (created, not started) when the engine refuses to start it, as
    /// `docker run` does, so that what was asked for can be inspected. For GPU tasks on a
    /// simulated inventory, whose devices the engine cannot have.
    pub keep_on_start_failure: bool,
}

/// One progress message of an image pull.
#[derive(Debug, Clone)]
pub struct PullProgress {
    pub layer: Option<String>,
    pub status: String,
    pub current: Option<i64>,
    pub total: Option<i64>,
}

/// One log line with Docker's own timestamp.
#[derive(Debug, Clone)]
pub struct LogLine {
    pub stream: &'static str,
    /// RFC 3339 with nanoseconds, as Docker writes it.
    pub timestamp: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub cpu_percent: f64,
    pub memory_bytes: u64,
    pub memory_limit_bytes: u64,
}

/// Where the engine is, and whether plain TCP to another machine is allowed.
#[derive(Debug, Clone)]
pub struct Engine {
    pub host: String,
    pub allow_plain_tcp: bool,
}

/// DOCKER_TLS_VERIFY or DOCKER_CERT_PATH set (non-empty): talk TLS over tcp://.
fn tls_requested() -> bool {
    ["DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// `HOST:PORT` names this machine (localhost, 127.0.0.0/8, ::1).
fn is_loopback_host(hostport: &str) -> bool {
    let host = hostport.trim_end_matches('/');
    let host = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Runtime {
    /// Connect to `docker_host` and negotiate the API version (so Engine 20.10, API 1.41, works).
    /// An engine that does not answer within 10 s is exit code 4, with a hint.
    pub async fn connect(docker_host: &str) -> Result<Runtime> {
        Runtime::connect_to(&Engine {
            host: docker_host.to_string(),
            allow_plain_tcp: false,
        })
        .await
    }

    /// Connect to an engine. A `tcp://` address speaks TLS when DOCKER_TLS_VERIFY or
    /// DOCKER_CERT_PATH is set (certificates from DOCKER_CERT_PATH, as the docker CLI reads
    /// them); plain TCP to another machine is refused unless `allow_plain_tcp`: whoever reaches
    /// that port owns the engine.
    pub async fn connect_to(engine: &Engine) -> Result<Runtime> {
        let docker_host = engine.host.as_str();
        let unreachable = |why: String| {
            RuntimeError::new(
                ErrorKind::Unreachable,
                format!(
                    "cannot reach the Docker engine at {docker_host}: {why}\n\
                     hint: start Docker (`sudo systemctl start docker`, or `sudo dockerd &`), \
                     or point DOCKER_HOST at a running engine"
                ),
            )
        };
        const SCHEMES: [&str; 5] = ["unix://", "tcp://", "http://", "https://", "ssh://"];
        if !SCHEMES.iter().any(|s| docker_host.starts_with(s)) {
            return Err(RuntimeError::new(
                ErrorKind::BadAddress,
                format!(
                    "DOCKER_HOST={docker_host:?} is not an engine address (expected unix:///path/docker.sock or tcp://HOST:PORT)"
                ),
            ));
        }
        if let Some(path) = docker_host.strip_prefix("unix://")
            && !std::path::Path::new(path).exists()
        {
            return Err(unreachable(format!("socket {path} does not exist")));
        }
        let tls = tls_requested();
        if let Some(hostport) = docker_host
            .strip_prefix("tcp://")
            .or_else(|| docker_host.strip_prefix("http://"))
            && !tls
            && !engine.allow_plain_tcp
            && !is_loopback_host(hostport)
        {
            return Err(RuntimeError::new(
                ErrorKind::BadAddress,
                format!(
                    "refusing plain TCP to the Docker engine at {docker_host}: anyone on the network could drive it\n\
                     hint: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), or allow it with docker.allow_plain_tcp = true"
                ),
            ));
        }
        let docker = if tls && docker_host.starts_with("tcp://") {
            // The docker CLI's files: ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH, else
            // ~/.docker (rustls with ring, no OpenSSL).
            let dir = std::env::var_os("DOCKER_CERT_PATH")
                .filter(|v| !v.is_empty())
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker"))
                })
                .unwrap_or_default();
            Docker::connect_with_ssl(
                docker_host,
                &dir.join("key.pem"),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                120,
                bollard::API_DEFAULT_VERSION,
            )
            .map_err(|e| {
                unreachable(format!(
                    "TLS with the certificates in {}: {e}",
                    dir.display()
                ))
            })?
        } else {
            Docker::connect_with_host(docker_host).map_err(|e| unreachable(e.to_string()))?
        };
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

    /// Engine facts for resource reports: (cpus, memory bytes).
    pub async fn engine_resources(&self) -> Result<(i64, i64)> {
        let info = self.docker.info().await.map_err(|e| self.error(e))?;
        Ok((info.ncpu.unwrap_or(0), info.mem_total.unwrap_or(0)))
    }

    /// Map a bollard error: transport failures mean the engine went away (exit 4).
    fn error(&self, e: DockerError) -> RuntimeError {
        RuntimeError::from_docker(e, &self.host)
    }
}

/// A 404 answer: the object does not exist.
fn not_found(e: &DockerError) -> bool {
    status_of(e) == Some(404)
}

/// Seconds as the engine's API takes them (32 bits): a value too large for that means "as long
/// as possible" and a negative one "from the start", never a number wrapped around.
fn api_seconds(secs: i64) -> i32 {
    i32::try_from(secs.max(0)).unwrap_or(i32::MAX)
}

/// The refusal for an engine object that has one of our names but not our project label:
/// someone else made it, and using (or removing) it would take over their object.
/// `kind` is `container`, `network` or `volume`.
pub fn foreign_object(kind: &str, name: &str, project: &str) -> RuntimeError {
    let rm = match kind {
        "container" => format!("docker rm -f {name}"),
        other => format!("docker {other} rm {name}"),
    };
    RuntimeError::other(format!(
        "{kind} {name} already exists and was not created by dspy-agent for project `{project}` \
         (it lacks the label {LABEL_PROJECT}={project}); refusing to use it\n\
         hint: remove it (`{rm}`) if nobody needs it, or pick another project name with --project"
    ))
}

/// The engine's RFC 3339 time (nanoseconds, `Z`), as a `SystemTime`.
fn parse_time(t: &str) -> Option<std::time::SystemTime> {
    humantime::parse_rfc3339_weak(t).ok()
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

#[cfg(test)]
mod tests {
    use super::{api_seconds, parse_time};

    #[test]
    fn engine_times_parse() {
        let t = parse_time("2026-11-27T15:33:05.123456789Z").unwrap();
        let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap();
        assert_eq!(secs.as_secs(), 1_795_793_585);
        assert_eq!(secs.subsec_nanos(), 123_456_789);
        assert!(parse_time("2026-11-27T15:33:05Z").is_some());
        assert!(parse_time("").is_none());
    }

    #[test]
    fn seconds_saturate_instead_of_wrapping() {
        // `u32::MAX as i32` was -1: Docker's "wait forever" for a stop timeout.
        assert_eq!(api_seconds(u32::MAX.into()), i32::MAX);
        assert_eq!(api_seconds(i64::MAX), i32::MAX);
        assert_eq!(api_seconds(i64::from(i32::MAX) + 1), i32::MAX);
        assert_eq!(api_seconds(i64::MIN), 0);
        assert_eq!(api_seconds(-1), 0);
        assert_eq!(api_seconds(0), 0);
        assert_eq!(api_seconds(1_700_000_000), 1_700_000_000);
        assert_eq!(api_seconds(10), 10);
    }
}
