//! The `Stack`: settings, catalog and a connected Docker client, built once per command (or per
//! RPC); every lifecycle verb is a method on it.

use super::events::{Event, EventSink, Phase};
use crate::catalog::{Catalog, Service};
use crate::error::{Error, Result};
use crate::runtime::Runtime;
use crate::settings::Settings;
use crate::state::StateFile;

/// Everything the lifecycle functions need, built once per command.
pub struct Stack {
    pub runtime: Runtime,
    pub catalog: Catalog,
    pub project: String,
    pub state: StateFile,
    /// Settings' `gpu`: allow passthrough for `gpu = "auto"` services.
    pub gpu_allowed: bool,
    /// Settings' `docker.max_build_context_bytes`.
    pub max_build_context: u64,
    /// One lock per image tag being built, holding the build hash this stack last built it
    /// with, so services sharing a built image build it once (even under `up --build`).
    pub(super) build_locks: BuildLocks,
}

pub(super) type BuildLocks = std::sync::Mutex<
    std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<Option<String>>>>,
>;

impl Stack {
    /// Settings, catalog and a connected Docker client: what the lifecycle commands and the
    /// EnvManagerService share.
    pub async fn from_settings(settings: &Settings) -> Result<Stack> {
        Self::connect(settings, crate::catalog::resolve(settings)?).await
    }

    /// A stack over this catalog (from `catalog::resolve`) with a connected Docker client.
    pub async fn connect(settings: &Settings, catalog: Catalog) -> Result<Stack> {
        let runtime = Runtime::connect_to(&engine(settings)).await?;
        Ok(Stack {
            runtime,
            catalog,
            project: settings.project.value.clone(),
            state: StateFile::new(&settings.home.value),
            gpu_allowed: settings.gpu.value,
            max_build_context: settings
                .value_of("docker.max_build_context_bytes")
                .as_u64()
                .unwrap_or(512 << 20),
            build_locks: Default::default(),
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

    pub(super) fn emit_service(
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

/// The engine the settings name: `docker_host`, and `docker.allow_plain_tcp`.
pub fn engine(settings: &Settings) -> crate::runtime::Engine {
    crate::runtime::Engine {
        host: settings.docker_host.value.clone(),
        allow_plain_tcp: settings.value_of("docker.allow_plain_tcp").as_bool() == Some(true),
    }
}
