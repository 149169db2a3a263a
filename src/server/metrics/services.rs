//! The project's services as the Docker event watcher (`service_watch`) last saw them: up or
//! not, restarts, the image HEALTHCHECK's verdict. The metrics `service_up`,
//! `service_restarts_total` and `service_events_connected`, the `services_watch` part of
//! `/health`, and the reason `/health` says DEGRADED come from here.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use super::{Family, Sample};

/// One service's state as the event stream told it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ServiceView {
    /// Its container is running.
    pub up: bool,
    /// `running`, `restarting` (died; Docker brings it back), `crashed` (died with a non-zero
    /// exit code, not stopped through the engine, and not coming back), `exited`, `created` or
    /// `removed`.
    pub state: String,
    /// Restarts by Docker's restart policy seen since serve started (the RestartCount delta).
    pub restarts: u64,
    /// Docker's RestartCount of the current container.
    pub restart_count: i64,
    pub last_exit_code: Option<i64>,
    /// When the last restart was seen (ms since the epoch).
    pub last_restart_ms: Option<u64>,
    /// The image HEALTHCHECK's status (`starting`, `healthy`, `unhealthy`), if it has one.
    pub health: Option<String>,
    pub container_id: String,
}

impl ServiceView {
    /// Why this service makes the server DEGRADED, if it does.
    fn trouble(&self, name: &str) -> Option<String> {
        let code = |c: Option<i64>| c.map_or(String::new(), |c| format!(" (exit code {c})"));
        if self.health.as_deref() == Some("unhealthy") {
            Some(format!("service `{name}` is unhealthy"))
        } else if self.state == "restarting" {
            Some(format!(
                "service `{name}` is restarting{}",
                code(self.last_exit_code)
            ))
        } else if self.state == "crashed" {
            Some(format!(
                "service `{name}` crashed{} and was not restarted",
                code(self.last_exit_code)
            ))
        } else {
            None
        }
    }
}

#[derive(Default)]
struct Inner {
    services: BTreeMap<String, ServiceView>,
    /// Why the watcher is not receiving events (None while it is).
    not_watching: Option<String>,
    started: bool,
}

#[derive(Default)]
pub struct ServiceStats {
    inner: Mutex<Inner>,
}

impl ServiceStats {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Change one service's view (added when new).
    pub fn update<T>(&self, service: &str, f: impl FnOnce(&mut ServiceView) -> T) -> T {
        let mut g = self.lock();
        f(g.services.entry(service.to_string()).or_default())
    }

    /// Every service's view.
    pub fn views(&self) -> BTreeMap<String, ServiceView> {
        self.lock().services.clone()
    }

    /// The watcher follows the event stream (None) or cannot (why).
    pub fn watching(&self, why_not: Option<String>) {
        let mut g = self.lock();
        g.started = true;
        g.not_watching = why_not;
    }

    /// The services that make the server DEGRADED, and why, in one line; None when none do.
    pub fn degraded(&self) -> Option<String> {
        let g = self.lock();
        let why: Vec<String> = g
            .services
            .iter()
            .filter_map(|(name, v)| v.trouble(name))
            .collect();
        (!why.is_empty()).then(|| why.join("; "))
    }

    /// The `services_watch` object of the authenticated `/health`.
    pub fn json(&self) -> serde_json::Value {
        let g = self.lock();
        serde_json::json!({
            "watching": g.started && g.not_watching.is_none(),
            "error": g.not_watching,
            "services": g.services,
        })
    }

    pub(super) fn samples(&self) -> Vec<(Family, Vec<Sample>)> {
        let g = self.lock();
        let per_service = |f: &dyn Fn(&ServiceView) -> f64| {
            g.services
                .iter()
                .map(|(name, v)| Sample {
                    name: String::new(),
                    labels: BTreeMap::from([("service".to_string(), name.clone())]),
                    value: f(v),
                })
                .collect::<Vec<_>>()
        };
        vec![
            (
                Family::gauge(
                    "service_up",
                    "1 while the service's container runs, as Docker's event stream reports it",
                ),
                per_service(&|v| f64::from(u8::from(v.up))),
            ),
            (
                Family::counter(
                    "service_restarts_total",
                    "Restarts by Docker's restart policy since serve started (RestartCount increases)",
                ),
                per_service(&|v| v.restarts as f64),
            ),
            (
                Family::gauge(
                    "service_events_connected",
                    "1 while serve follows the Docker engine's event stream for the project",
                ),
                vec![Sample {
                    name: String::new(),
                    labels: BTreeMap::new(),
                    value: f64::from(u8::from(g.started && g.not_watching.is_none())),
                }],
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhealthy_restarting_and_crashed_services_degrade() {
        let s = ServiceStats::default();
        s.update("ok", |v| {
            v.up = true;
            v.state = "running".into();
            v.restarts = 2;
        });
        assert_eq!(s.degraded(), None);
        s.update("web", |v| v.health = Some("unhealthy".into()));
        s.update("redis", |v| {
            v.state = "restarting".into();
            v.last_exit_code = Some(137);
        });
        s.update("job", |v| {
            v.state = "crashed".into();
            v.last_exit_code = Some(1);
        });
        assert_eq!(
            s.degraded().unwrap(),
            "service `job` crashed (exit code 1) and was not restarted; \
             service `redis` is restarting (exit code 137); service `web` is unhealthy"
        );
        let text: Vec<String> = s
            .samples()
            .iter()
            .flat_map(|(f, samples)| {
                samples
                    .iter()
                    .map(move |x| format!("{} {:?} {}", f.name, x.labels, x.value))
            })
            .collect();
        assert!(
            text.contains(&"service_restarts_total {\"service\": \"ok\"} 2".to_string()),
            "{text:?}"
        );
        assert!(text.contains(&"service_up {\"service\": \"ok\"} 1".to_string()));
        assert!(text.contains(&"service_events_connected {} 0".to_string()));
        s.watching(None);
        assert_eq!(s.json()["watching"], true);
    }
}
