//! The runtime's own error: what went wrong, as a kind callers can match on, plus the message
//! users see. Docker's API reports most failures only as an HTTP status and a sentence, so the
//! sentence is read here, once, and nowhere else.

use std::fmt;

use bollard::errors::Error as DockerError;

use crate::error::{Code, Error};

/// The failures that callers handle differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A container with that name exists already (another `up` created it a moment ago).
    NameInUse,
    /// A host port to publish is taken (someone bound it after our check).
    PortConflict,
    /// The engine cannot pass GPUs through (no NVIDIA container runtime installed).
    NoGpuRuntime,
    /// The object does not exist.
    NotFound,
    /// The engine cannot be reached, or went away (exit code 4).
    Unreachable,
    /// DOCKER_HOST is not an engine address (a usage error, exit code 2).
    BadAddress,
    /// Anything else the engine refused or failed at.
    Other,
}

/// A Docker failure: its kind and the message to show.
#[derive(Debug, Clone)]
pub struct RuntimeError {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = RuntimeError> = std::result::Result<T, E>;

impl RuntimeError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        RuntimeError {
            kind,
            message: message.into(),
        }
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, message)
    }

    /// Prefix the message with what was being done, keeping the kind.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// Map a bollard error. `host` names the engine in "lost the engine" messages.
    pub(super) fn from_docker(e: DockerError, host: &str) -> Self {
        match e {
            DockerError::DockerResponseServerError {
                status_code,
                message,
            } => RuntimeError::new(
                kind_of_response(status_code, &message),
                format!("Docker engine: {message} (HTTP {status_code})"),
            ),
            DockerError::HyperLegacyError { .. }
            | DockerError::IOError { .. }
            | DockerError::RequestTimeoutError
            | DockerError::SocketNotFoundError(_) => RuntimeError::new(
                ErrorKind::Unreachable,
                format!("lost the Docker engine at {host}: {e}"),
            ),
            other => RuntimeError::other(format!("Docker engine: {other}")),
        }
    }
}

/// The HTTP status of an engine answer, when the error is one.
pub(super) fn status_of(e: &DockerError) -> Option<u16> {
    match e {
        DockerError::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}

/// Docker says which failure it was only in words; these are its words (Engine 20.10 to 28).
fn kind_of_response(status: u16, message: &str) -> ErrorKind {
    let m = message.to_ascii_lowercase();
    // First, as "address already in use" also reads as "already in use".
    if m.contains("port is already allocated") || m.contains("address already in use") {
        ErrorKind::PortConflict
    } else if m.contains("device driver") {
        // `could not select device driver "nvidia" with capabilities: [[gpu]]`
        ErrorKind::NoGpuRuntime
    } else if status == 409 && m.contains("already in use") {
        // `Conflict. The container name "/x" is already in use by container "…"`
        ErrorKind::NameInUse
    } else if status == 404 {
        ErrorKind::NotFound
    } else {
        ErrorKind::Other
    }
}

/// A failed pull in words: the image, what the engine's answer means when it is one of the
/// common two (no such image or tag; a registry that does not answer), then the answer itself.
pub(super) fn pull_failure(image: &str, engine: &str) -> String {
    let registry = registry_of(image);
    let m = engine.to_ascii_lowercase();
    let missing = ["manifest unknown", "not found", "repository does not exist"];
    let down = [
        "connection refused",
        "no such host",
        "i/o timeout",
        "no route to host",
        "network is unreachable",
        "connection reset",
    ];
    if missing.iter().any(|w| m.contains(w)) {
        format!(
            "cannot pull image `{image}`: registry {registry} has no such image or tag ({engine})"
        )
    } else if down.iter().any(|w| m.contains(w)) {
        format!("cannot pull image `{image}`: registry {registry} does not answer ({engine})")
    } else {
        format!("cannot pull image `{image}`: {engine}")
    }
}

/// The registry a reference pulls from: its first component when that names a host (has a
/// '.' or ':', or is localhost), else Docker Hub.
fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuntimeError {}

/// The exit code a script sees: 4 when the engine is unreachable, 2 for a bad address, else 1.
impl From<RuntimeError> for Error {
    fn from(e: RuntimeError) -> Self {
        let code = match e.kind {
            ErrorKind::Unreachable => Code::EngineUnreachable,
            ErrorKind::BadAddress => Code::Usage,
            _ => Code::Runtime,
        };
        Error::new(code, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_failures_say_what_went_wrong() {
        assert_eq!(registry_of("127.0.0.1:5000/a/b:1"), "127.0.0.1:5000");
        assert_eq!(registry_of("localhost/a"), "localhost");
        assert_eq!(registry_of("ghcr.io/a/b"), "ghcr.io");
        assert_eq!(registry_of("ollama/ollama"), "docker.io");
        assert_eq!(registry_of("redis"), "docker.io");
        let m = pull_failure(
            "127.0.0.1:5000/a:nope",
            "manifest for 127.0.0.1:5000/a:nope not found: manifest unknown: manifest unknown",
        );
        assert!(
            m.starts_with("cannot pull image `127.0.0.1:5000/a:nope`: registry 127.0.0.1:5000 has no such image or tag ("),
            "{m}"
        );
        let m = pull_failure(
            "127.0.0.1:5999/a:1",
            "Get \"http://127.0.0.1:5999/v2/\": dial tcp 127.0.0.1:5999: connect: connection refused",
        );
        assert!(
            m.contains("registry 127.0.0.1:5999 does not answer ("),
            "{m}"
        );
        assert_eq!(pull_failure("a", "odd"), "cannot pull image `a`: odd");
    }

    fn response(status_code: u16, message: &str) -> RuntimeError {
        RuntimeError::from_docker(
            DockerError::DockerResponseServerError {
                status_code,
                message: message.into(),
            },
            "unix:///var/run/docker.sock",
        )
    }

    #[test]
    fn engine_answers_are_classified() {
        let e = response(
            409,
            "Conflict. The container name \"/p-redis\" is already in use by container \"4f2a\". You have to remove (or rename) that container to be able to reuse that name.",
        );
        assert_eq!(e.kind, ErrorKind::NameInUse);
        assert!(e.message.ends_with("(HTTP 409)"), "{}", e.message);
        let e = response(
            500,
            "driver failed programming external connectivity on endpoint p-redis: Bind for 127.0.0.1:6379 failed: port is already allocated",
        );
        assert_eq!(e.kind, ErrorKind::PortConflict);
        let e = response(
            500,
            "error while creating mount source path: listen tcp4 127.0.0.1:6379: bind: address already in use",
        );
        assert_eq!(e.kind, ErrorKind::PortConflict);
        let e = response(
            500,
            "could not select device driver \"nvidia\" with capabilities: [[gpu]]",
        );
        assert_eq!(e.kind, ErrorKind::NoGpuRuntime);
        assert_eq!(
            response(404, "No such container: x").kind,
            ErrorKind::NotFound
        );
        assert_eq!(response(500, "something else").kind, ErrorKind::Other);
        // "already in use" without a 409 is not a name conflict.
        assert_eq!(
            response(500, "volume is already in use").kind,
            ErrorKind::Other
        );
    }

    #[test]
    fn transport_failures_are_unreachable_and_exit_4() {
        let e = RuntimeError::from_docker(
            DockerError::IOError {
                err: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
            },
            "tcp://127.0.0.1:1",
        );
        assert_eq!(e.kind, ErrorKind::Unreachable);
        assert!(
            e.message
                .starts_with("lost the Docker engine at tcp://127.0.0.1:1")
        );
        let err: Error = e.context("cannot start container x").into();
        assert_eq!(err.code, Code::EngineUnreachable);
        assert!(err.message.starts_with("cannot start container x: lost"));
        let err: Error = response(409, "is already in use").into();
        assert_eq!(err.code, Code::Runtime);
        let err: Error = RuntimeError::new(ErrorKind::BadAddress, "bad").into();
        assert_eq!(err.code, Code::Usage);
    }
}
