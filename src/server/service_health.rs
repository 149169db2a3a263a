//! The managed services' health for `/health` and the Health RPC: cheap and read-only. One probe of Docker at a time
//! (callers that arrive meanwhile wait for it and share its result), a result kept for a second,
//! and never a write to state.json.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::lifecycle::{ServiceStatus, Stack};
use crate::settings::Settings;

/// How long one probe's result answers `/health`.
pub const FRESH_FOR: Duration = Duration::from_secs(1);

/// The managed services, or why they could not be listed.
pub type Probed = Result<Vec<ServiceStatus>, String>;

#[derive(Default)]
pub struct HealthCache {
    /// The last probe's result and when it started. Held across the probe, so that there is
    /// one at a time.
    last: Mutex<Option<(Instant, Arc<Probed>)>>,
    probes: AtomicU64,
}

impl HealthCache {
    /// The services' health from a probe that started no earlier than `max_age` ago. `/health`
    /// takes a second ([`FRESH_FOR`]); the Health RPC takes zero: a probe that started while it
    /// waited for the one in flight still answers it, so a flood costs one probe at a time.
    pub async fn get(&self, settings: &Settings, max_age: Duration) -> Arc<Probed> {
        let asked = Instant::now();
        let mut last = self.last.lock().await;
        if let Some((started, probed)) = &*last
            && *started + max_age >= asked
        {
            return probed.clone();
        }
        self.probes.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let probed = Arc::new(probe(settings).await);
        *last = Some((started, probed.clone()));
        probed
    }

    /// The last probe's result and how long ago it started, without waiting: None while a
    /// probe is in flight or none was made yet (the dashboard shows it and asks for a fresh one
    /// in the background, so a page never waits on Docker).
    pub fn peek(&self) -> Option<(Duration, Arc<Probed>)> {
        let last = self.last.try_lock().ok()?;
        last.as_ref().map(|(at, p)| (at.elapsed(), p.clone()))
    }

    /// Probes made so far (the `orchestrator_health_probes_total` metric).
    pub fn probes(&self) -> u64 {
        self.probes.load(Ordering::Relaxed)
    }
}

/// The services as `ps` sees them without its repair of state.json, bounded to a few seconds.
async fn probe(settings: &Settings) -> Probed {
    let work = async {
        let stack = Stack::from_settings(settings).await?;
        stack.status_read_only().await
    };
    match tokio::time::timeout(Duration::from_secs(5), work).await {
        Ok(Ok(rows)) => Ok(rows),
        Ok(Err(e)) => Err(e.message),
        Err(_) => Err("the Docker engine did not answer within 5s".into()),
    }
}

/// The server's own state for `/health` and the Health RPC: draining while it shuts down,
/// degraded (with why) while journal writes fail, so that submissions are refused, or while a
/// service is unhealthy, restarting or crashed as Docker's event stream reports it
/// (`services`), serving otherwise.
pub fn server_status(
    draining: bool,
    failing: Option<String>,
    services: Option<String>,
) -> (&'static str, Option<String>) {
    if draining {
        ("DRAINING", None)
    } else if let Some(why) = failing.or(services) {
        ("DEGRADED", Some(why))
    } else {
        ("SERVING", None)
    }
}
