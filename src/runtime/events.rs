//! The project's containers as the engine's event stream reports them (GET /events with filters),
//! so that `serve` learns of a crash, a restart or a failing HEALTHCHECK as it happens instead of
//! polling. Task containers (the scheduler's) are left out, as `ps` leaves them out.

use std::collections::HashMap;

use bollard::models::EventMessage;
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::{Stream, StreamExt};

use super::error::Result;
use super::{LABEL_PROJECT, LABEL_SERVICE, LABEL_TASK, Runtime};

/// What happened to a container, of the engine's actions the watcher asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerAction {
    Create,
    Start,
    /// The main process exited (a crash, or the end of a stop or kill).
    Die,
    /// A signal sent through the engine (`docker kill`, and the first step of `docker stop`).
    Kill,
    /// `docker stop` (and `down`) finished stopping it.
    Stop,
    Destroy,
    /// The image HEALTHCHECK passes (`health_status: healthy`).
    Healthy,
    /// The image HEALTHCHECK failed its retries (`health_status: unhealthy`).
    Unhealthy,
}

impl ContainerAction {
    /// The engine's action names (as the `event` filter takes them; `health_status` matches
    /// `health_status: healthy` and `health_status: unhealthy`).
    const FILTER: [&'static str; 7] = [
        "create",
        "start",
        "die",
        "kill",
        "stop",
        "destroy",
        "health_status",
    ];

    fn parse(action: &str) -> Option<ContainerAction> {
        Some(match action.trim() {
            "create" => ContainerAction::Create,
            "start" => ContainerAction::Start,
            "die" => ContainerAction::Die,
            "kill" => ContainerAction::Kill,
            "stop" => ContainerAction::Stop,
            "destroy" => ContainerAction::Destroy,
            "health_status: healthy" => ContainerAction::Healthy,
            "health_status: unhealthy" => ContainerAction::Unhealthy,
            _ => return None,
        })
    }
}

/// One event about one of the project's service containers.
#[derive(Debug, Clone)]
pub struct ContainerEvent {
    pub service: String,
    pub container_id: String,
    pub action: ContainerAction,
    /// The main process's exit code (`die` only).
    pub exit_code: Option<i64>,
    /// When the engine saw it, in milliseconds since the epoch.
    pub time_ms: u64,
}

impl Runtime {
    /// The events of the project's service containers from now on, until the engine closes the
    /// stream (it stopped or restarted) or the connection fails: the caller reconnects.
    pub fn container_events(
        &self,
        project: &str,
    ) -> impl Stream<Item = Result<ContainerEvent>> + Send + Unpin + 'static {
        let filters = HashMap::from([
            ("type", vec!["container".to_string()]),
            ("label", vec![format!("{LABEL_PROJECT}={project}")]),
            (
                "event",
                ContainerAction::FILTER
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
        ]);
        let opts = EventsOptionsBuilder::new().filters(&filters).build();
        let host = self.host.clone();
        self.docker
            .events(Some(opts))
            .filter_map(move |item| {
                let out = match item {
                    Ok(msg) => from_message(msg).map(Ok),
                    Err(e) => Some(Err(super::RuntimeError::from_docker(e, &host))),
                };
                std::future::ready(out)
            })
            .boxed()
    }
}

/// Our event from the engine's, or `None` for one that is not about a service container.
fn from_message(msg: EventMessage) -> Option<ContainerEvent> {
    let action = ContainerAction::parse(msg.action.as_deref()?)?;
    let actor = msg.actor?;
    let attrs = actor.attributes.unwrap_or_default();
    if attrs.contains_key(LABEL_TASK) {
        return None;
    }
    let service = attrs.get(LABEL_SERVICE)?.clone();
    let container_id = actor.id?;
    let exit_code = attrs.get("exitCode").and_then(|c| c.parse().ok());
    let time_ms = msg
        .time_nano
        .map(|n| n / 1_000_000)
        .or(msg.time.map(|s| s.saturating_mul(1000)))
        .and_then(|ms| u64::try_from(ms).ok())
        .unwrap_or(0);
    Some(ContainerEvent {
        service,
        container_id,
        action,
        exit_code,
        time_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;

    fn msg(action: &str, attrs: &[(&str, &str)]) -> EventMessage {
        EventMessage {
            action: Some(action.to_string()),
            actor: Some(EventActor {
                id: Some("abc".into()),
                attributes: Some(
                    attrs
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
            }),
            time_nano: Some(1_700_000_000_123_456_789),
            ..Default::default()
        }
    }

    #[test]
    fn engine_events_become_service_events() {
        let e = from_message(msg("die", &[(LABEL_SERVICE, "redis"), ("exitCode", "137")])).unwrap();
        assert_eq!(e.action, ContainerAction::Die);
        assert_eq!(
            (e.service.as_str(), e.container_id.as_str()),
            ("redis", "abc")
        );
        assert_eq!(e.exit_code, Some(137));
        assert_eq!(e.time_ms, 1_700_000_000_123);
        let h = from_message(msg("health_status: unhealthy", &[(LABEL_SERVICE, "web")])).unwrap();
        assert_eq!(h.action, ContainerAction::Unhealthy);
        assert_eq!(h.exit_code, None);
        // Task containers, containers without a service, and other actions are not ours.
        assert!(from_message(msg("die", &[(LABEL_SERVICE, "x"), (LABEL_TASK, "t1")])).is_none());
        assert!(from_message(msg("die", &[])).is_none());
        assert!(from_message(msg("exec_die", &[(LABEL_SERVICE, "x")])).is_none());
        for name in ContainerAction::FILTER {
            if name != "health_status" {
                assert!(ContainerAction::parse(name).is_some(), "{name}");
            }
        }
    }
}
