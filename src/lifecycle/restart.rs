//! Restart: stop the services and what depends on them (dependants first), then start them all
//! again in dependency order, health-gated, as `up` does.

use std::sync::Arc;

use super::down::DownOptions;
use super::events::EventSink;
use super::outcome::{UpOptions, UpReport};
use super::stack::Stack;
use crate::error::Result;

impl Stack {
    /// What `dspy-agent restart` and the RestartService RPC run.
    pub async fn restart(
        self: &Arc<Self>,
        services: Vec<String>,
        timeout_s: u32,
        events: EventSink,
    ) -> Result<UpReport> {
        // Down takes the dependants along; all of them come back.
        let report = self
            .down(
                DownOptions {
                    services: services.clone(),
                    volumes: false,
                    timeout_s,
                },
                events.clone(),
            )
            .await?;
        let mut again = services;
        for r in report.removed {
            if !again.contains(&r.service) {
                again.push(r.service);
            }
        }
        let opts = UpOptions {
            services: again,
            pull: false,
            recreate: true,
            build: false,
            wait_timeout: None,
        };
        self.up(opts, events).await
    }
}
