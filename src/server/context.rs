//! What the RPC and HTTP handlers share, in a file of its own so that the handlers never import
//! the module that starts them.

use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::lifecycle::{ServiceStatus, Stack};
use crate::server::scheduler::Scheduler;
use crate::server::stop::StopRequests;
use crate::settings::Settings;

/// What the RPC and HTTP handlers share.
pub struct ServerCtx {
    pub sched: Arc<Scheduler>,
    pub settings: Settings,
    /// Where the Shutdown RPC asks the server to stop.
    pub stop: StopRequests,
}

impl ServerCtx {
    /// The same lifecycle stack the CLI builds (settings, catalog, Docker).
    pub async fn stack(&self) -> Result<Arc<Stack>> {
        Ok(Arc::new(Stack::from_settings(&self.settings).await?))
    }

    /// The managed services as `ps` sees them, or why that failed (bounded to a few seconds).
    pub async fn services_health(&self) -> std::result::Result<Vec<ServiceStatus>, String> {
        let work = async {
            let stack = self.stack().await?;
            stack.status().await
        };
        match tokio::time::timeout(Duration::from_secs(5), work).await {
            Ok(Ok(rows)) => Ok(rows),
            Ok(Err(e)) => Err(e.message),
            Err(_) => Err("the Docker engine did not answer within 5s".into()),
        }
    }
}
