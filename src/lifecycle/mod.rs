//! Service lifecycle: `up`, `down`, status and logs. The CLI commands and the EnvManagerService
//! gRPC API both call these functions; there is no second implementation.
//!
//! `up` plans and runs the start (`up.rs`), one service at a time as its dependencies become
//! healthy (`start.rs`); `down.rs`, `status.rs` and `logs.rs` hold the other verbs.

mod down;
mod logs;
mod start;
mod status;
mod up;

use std::sync::Arc;

use serde::Serialize;

use crate::catalog::{Catalog, Service};
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::settings::Settings;
use crate::state::StateFile;

pub use down::{DownOptions, DownReport, Removed};
pub use logs::{LogOptions, LogReceiver, ServiceLine};
pub use status::ServiceStatus;
pub use up::{Action, Failure, ServiceOutcome, UpOptions, UpReport, services_to_start};

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

impl Stack {
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
}
