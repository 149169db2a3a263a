//! What the RPC and HTTP handlers share, in a file of its own so that the handlers never import
//! the module that starts them.

use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::lifecycle::Stack;
use crate::server::auth::Gate;
use crate::server::scheduler::Scheduler;
use crate::server::service_health::{HealthCache, Probed};
use crate::server::stop::StopRequests;
use crate::server::stream_cap::StreamCap;
use crate::server::workflow::Engine;
use crate::settings::Settings;

/// What the RPC and HTTP handlers share.
pub struct ServerCtx {
    pub sched: Arc<Scheduler>,
    /// The workflow engine: gRPC and HTTP call the same functions.
    pub workflows: Arc<Engine>,
    pub settings: Settings,
    /// Where the Shutdown RPC asks the server to stop.
    pub stop: StopRequests,
    /// The services' health shared by `/health` and the Health RPC (at most a second old).
    pub health: HealthCache,
    /// Tokens, roles and the audit log: what every gRPC call and HTTP request passes.
    pub gate: Arc<Gate>,
    /// The cap on open gRPC server streams (both services).
    pub streams: StreamCap,
}

impl ServerCtx {
    /// The same lifecycle stack the CLI builds (settings, catalog, Docker).
    pub async fn stack(&self) -> Result<Arc<Stack>> {
        Ok(Arc::new(Stack::from_settings(&self.settings).await?))
    }

    /// The registered pull workers, their running counts checked against the leases.
    pub fn workers(&self) -> Vec<crate::proto::orchestrator::WorkerInfo> {
        self.sched.worker_list()
    }

    /// The tasks each registered worker holds now, with when each lease expires (ms).
    pub fn worker_tasks(&self) -> std::collections::BTreeMap<String, Vec<(String, u64)>> {
        let table = self.sched.table();
        self.sched
            .workers
            .holding(|task| table.leases.get(task).map(|l| l.expires_ms))
    }

    /// The managed services as `ps` sees them (without its repair of state.json), or why that
    /// failed: one probe at a time, from a probe that started at most `max_age` ago.
    pub async fn services_health(&self, max_age: Duration) -> Arc<Probed> {
        self.health.get(&self.settings, max_age).await
    }
}
