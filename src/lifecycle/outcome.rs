//! What `up` is asked to do, and what it reports for each service and as a whole.

use serde::Serialize;

use crate::ports::PortBinding;
use crate::state::PortRemap;

#[derive(Debug, Clone, Default)]
pub struct UpOptions {
    pub services: Vec<String>,
    pub pull: bool,
    pub recreate: bool,
    /// Build every image with a `build` section, even a present, current one.
    pub build: bool,
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
