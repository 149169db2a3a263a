//! `GET /ui/stream?topics=a,b`: the one Server-Sent-Events stream a dashboard tab opens. It
//! sends `event: changed` (data: the topic) when an event of a requested topic happens, at most
//! once per topic every `COALESCE`; the page then fetches itself again and swaps its live parts
//! (`ui/app.js`). The streams do not follow the scheduler's event bus themselves: `hub` does,
//! once for all of them, and publishes the topics that changed. Topics: `tasks` (any task event),
//! `workflows` and `run:RUN_ID` (workflow events and their tasks' events, of one run),
//! `services` (service_* events), `workers` and `gpus` (lease expiries, and a tick every
//! `TICK` while there is a worker or a GPU whose data ages).
//!
//! Bounded: `PER_VIEWER` streams per session (a browser's HTTP/1.1 connections per origin;
//! 429 beyond) and `MAX_STREAMS` in all (503 beyond). A stream ends when its session expires or
//! logs out (checked every `SESSION_CHECK`, then `event: ended`), when the client goes, and
//! when the server shuts down.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;

use super::hub::Changes;
use super::{Ctx, url_decode_pairs};
use crate::server::auth::sessions::UiSession;
use crate::server::context::ServerCtx;
use crate::server::events::{Event, EventKind};
use crate::server::scheduler::WORKFLOW_TASK_PREFIX;

/// Streams one session (or one bearer token) may hold open.
pub const PER_VIEWER: usize = 6;
/// Streams open at most, all viewers together.
pub const MAX_STREAMS: usize = 256;
/// At most one `changed` per topic this often.
pub const COALESCE: Duration = Duration::from_millis(250);
/// How often `workers` and `gpus` tick (their ages change without events).
pub const TICK: Duration = Duration::from_secs(2);
/// How often a stream checks that its session is still open.
pub const SESSION_CHECK: Duration = Duration::from_secs(2);
/// Topics one stream may ask for.
const MAX_TOPICS: usize = 8;

/// A topic a page may follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    Tasks,
    Workflows,
    Run(String),
    Services,
    Workers,
    Gpus,
}

impl Topic {
    pub(super) fn name(&self) -> String {
        match self {
            Topic::Tasks => "tasks".into(),
            Topic::Workflows => "workflows".into(),
            Topic::Run(id) => format!("run:{id}"),
            Topic::Services => "services".into(),
            Topic::Workers => "workers".into(),
            Topic::Gpus => "gpus".into(),
        }
    }

    /// Whether `e` changes what a page following this topic shows.
    pub(super) fn wants(&self, e: &Event) -> bool {
        use EventKind as K;
        let task_event = matches!(
            e.kind,
            K::TaskSubmitted
                | K::TaskStarted
                | K::TaskRetrying
                | K::TaskCompleted
                | K::TaskFailed
                | K::TaskCancelled
                | K::TaskRetried
                | K::LeaseExpired
        );
        let workflow_event = matches!(
            e.kind,
            K::WorkflowStarted
                | K::StepStarted
                | K::StepCompleted
                | K::StepFailed
                | K::WorkflowCompleted
        );
        match self {
            Topic::Tasks => task_event,
            Topic::Workflows => {
                workflow_event || (task_event && e.task_id.starts_with(WORKFLOW_TASK_PREFIX))
            }
            Topic::Run(id) => {
                (workflow_event && e.data.get("run_id") == Some(id))
                    || (task_event
                        && e.task_id
                            .strip_prefix(WORKFLOW_TASK_PREFIX)
                            .and_then(|rest| rest.split(':').next())
                            == Some(id.as_str()))
            }
            Topic::Services => matches!(
                e.kind,
                K::ServiceDied | K::ServiceRestarted | K::ServiceUnhealthy | K::ServiceHealthy
            ),
            // A lease taken or lost; the rest (heartbeats, counts) ages: the tick.
            Topic::Workers => {
                e.kind == K::LeaseExpired
                    || (e.kind == K::TaskStarted && e.data.contains_key("worker_id"))
            }
            Topic::Gpus => false,
        }
    }
}

/// `since=SEQ`: the event sequence the page was rendered at (`live_controls` writes it), so
/// that what happened between the render and the stream's start is not missed. None when
/// absent; an error when it is not a number.
pub fn parse_since(query: Option<&str>) -> Result<Option<u64>, String> {
    match url_decode_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "since")
    {
        None => Ok(None),
        Some((_, v)) => v
            .parse()
            .map(Some)
            .map_err(|_| format!("since={v:?} is not an event sequence number")),
    }
}

/// The topics of `topics=a,b` (each at most once), or why they are refused.
pub fn parse_topics(query: Option<&str>) -> Result<Vec<Topic>, String> {
    let raw = url_decode_pairs(query.unwrap_or_default())
        .into_iter()
        .find(|(k, _)| k == "topics")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let mut topics = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let topic = match name {
            "tasks" => Topic::Tasks,
            "workflows" => Topic::Workflows,
            "services" => Topic::Services,
            "workers" => Topic::Workers,
            "gpus" => Topic::Gpus,
            _ => match name.strip_prefix("run:") {
                Some(id) => {
                    crate::server::workflow::spec::check_name("run id", id)?;
                    Topic::Run(id.to_string())
                }
                None => {
                    return Err(format!(
                        "unknown topic {name:?} (expected tasks, workflows, run:RUN_ID, services, workers or gpus)"
                    ));
                }
            },
        };
        if !topics.contains(&topic) {
            topics.push(topic);
        }
        if topics.len() > MAX_TOPICS {
            return Err(format!("at most {MAX_TOPICS} topics per stream"));
        }
    }
    if topics.is_empty() {
        return Err("name the topics to follow: /ui/stream?topics=tasks,services".into());
    }
    Ok(topics)
}

/// Open streams (per viewer and in all), the hub that feeds them, and the overview's body as
/// last rendered for a live refresh.
#[derive(Default)]
pub struct Registry {
    open: Mutex<HashMap<String, usize>>,
    hub: Arc<super::hub::Hub>,
    shared: Mutex<Option<(Instant, Arc<str>)>>,
}

/// The header `ui/app.js` sends on a live refresh (a fetch that follows a `changed`).
pub const LIVE_REFRESH: &str = "x-live-refresh";

impl Registry {
    /// A page body for a live refresh: every tab woken by the same publication of the hub gets
    /// one render, made after that publication (so it shows every change the publication
    /// announced; later ones come with the next). A fresh render otherwise.
    pub fn shared_render(&self, render: impl FnOnce() -> String) -> Arc<str> {
        let since = self.hub.last_publish();
        let mut shared = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(published), Some((at, body))) = (since, shared.as_ref())
            && *at >= published
            && at.elapsed() < COALESCE
        {
            return body.clone();
        }
        let at = Instant::now();
        let body: Arc<str> = Arc::from(render());
        *shared = Some((at, body.clone()));
        body
    }
}

/// A stream's place in the registry, given back when the stream ends.
struct Place {
    registry: Arc<Registry>,
    viewer: String,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.registry.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.viewer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.viewer);
            }
        }
    }
}

impl Registry {
    /// A place for one more stream of `viewer`, or the refusal (status and message).
    fn admit(self: &Arc<Self>, viewer: &str) -> Result<Place, (StatusCode, String)> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = open.values().sum();
        if total >= MAX_STREAMS {
            return Err((
                StatusCode::SERVICE_UNAVAILABLE,
                format!("too many dashboard streams open ({MAX_STREAMS}); try again later"),
            ));
        }
        let mine = open.entry(viewer.to_string()).or_default();
        if *mine >= PER_VIEWER {
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "this session already has {PER_VIEWER} live streams open; close a dashboard tab"
                ),
            ));
        }
        *mine += 1;
        Ok(Place {
            registry: self.clone(),
            viewer: viewer.to_string(),
        })
    }

    /// Streams open now, all viewers.
    pub fn open(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .sum()
    }
}

fn refusal(status: StatusCode, message: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        message,
    )
        .into_response()
}

/// GET /ui/stream?topics=...
pub async fn handler(
    State(ctx): Ctx,
    Extension(registry): Extension<Arc<Registry>>,
    viewer: super::Viewer,
    RawQuery(query): RawQuery,
) -> Response {
    let (topics, since) = match (
        parse_topics(query.as_deref()),
        parse_since(query.as_deref()),
    ) {
        (Ok(t), Ok(s)) => (t, s),
        (Err(e), _) | (_, Err(e)) => return refusal(StatusCode::BAD_REQUEST, e),
    };
    if ctx.sched.is_draining() {
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server is shutting down".into(),
        );
    }
    let super::Viewer { caller, session } = viewer;
    let holder = match (&session, caller) {
        (Some(s), _) => format!("session:{}", s.key()),
        (None, Some(c)) => format!("token:{}", c.name),
        (None, None) => "anonymous".to_string(),
    };
    let place = match registry.admit(&holder) {
        Ok(p) => p,
        Err((status, message)) => return refusal(status, message),
    };
    let (tx, rx) = mpsc::channel(16);
    // Subscribed before the response goes out (and before looking back at what the page
    // missed): a change after the client sees the stream open is never missed.
    let mut changes = registry.hub.subscribe(&ctx);
    // What the hub had published by now, taken before looking back: a publication after this
    // line is sent by `run`, one before it is covered by the look-back.
    let baseline = changes.borrow_and_update().clone();
    let mut missed = vec![false; topics.len()];
    if let Some(seq) = since {
        let (events, lost) = ctx.sched.events.after(seq);
        for (i, t) in topics.iter().enumerate() {
            missed[i] = lost || events.iter().any(|e| t.wants(e));
        }
    }
    let stream = Follow {
        ctx,
        topics,
        session,
        tx,
        _place: place,
    };
    tokio::spawn(stream.run(missed, baseline, changes));
    let mut r = Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

/// One open stream.
struct Follow {
    ctx: Arc<ServerCtx>,
    topics: Vec<Topic>,
    session: Option<UiSession>,
    tx: mpsc::Sender<Result<SseEvent, Infallible>>,
    _place: Place,
}

impl Follow {
    /// Send `changed` for `topic`; false when the client reads nothing and fell 16 behind
    /// (then it goes).
    fn changed(&self, topic: &Topic) -> bool {
        let e = SseEvent::default().event("changed").data(topic.name());
        self.tx.try_send(Ok(e)).is_ok()
    }

    /// Feed the stream until its client goes, its session ends or the server stops: first
    /// what the page missed, then each topic the hub says changed.
    async fn run(
        self,
        missed: Vec<bool>,
        baseline: Arc<Changes>,
        mut changes: watch::Receiver<Arc<Changes>>,
    ) {
        let mut seen: Vec<u64> = self.topics.iter().map(|t| baseline.of(&t.name())).collect();
        for (t, _) in self.topics.iter().zip(missed).filter(|(_, m)| *m) {
            if !self.changed(t) {
                return;
            }
        }
        let mut check = tokio::time::interval_at(Instant::now() + SESSION_CHECK, SESSION_CHECK);
        loop {
            tokio::select! {
                _ = self.tx.closed() => return,
                r = changes.changed() => {
                    if r.is_err() {
                        return;
                    }
                    let now = changes.borrow_and_update().clone();
                    if now.shutdown {
                        return;
                    }
                    for (i, t) in self.topics.iter().enumerate() {
                        let g = now.of(&t.name());
                        if g > seen[i] {
                            seen[i] = g;
                            if !self.changed(t) {
                                return;
                            }
                        }
                    }
                }
                _ = check.tick() => {
                    if self.ctx.sched.is_draining() {
                        return;
                    }
                    if let Some(s) = &self.session
                        && !self.ctx.gate.session_open(s)
                    {
                        let _ = self
                            .tx
                            .send(Ok(SseEvent::default().event("ended").data("session ended")))
                            .await;
                        return;
                    }
                }
            }
        }
    }
}

/// Sleep until `at`, or forever when there is nothing to flush.
pub(super) async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The live controls and the stream element a page puts where its live toggle goes: the
/// script opens one EventSource on `/ui/stream?topics=TOPICS&since=SEQ` and refreshes the
/// page's `data-live` parts on each `changed`. `since` is the event sequence now (call this
/// before reading what the page shows), so a change between the render and the stream's start
/// is sent at once.
pub fn live_controls(events: &crate::server::events::Events, topics: &str) -> String {
    format!(
        "<p class=\"live\"><label><input type=\"checkbox\" id=\"live-toggle\" checked> live</label> \
<span id=\"live-stamp\"></span></p><div id=\"live\" data-stream=\"/ui/stream?topics={}&amp;since={}\" hidden></div>",
        crate::server::html::escape(topics),
        events.last_sequence()
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn event(kind: EventKind, task_id: &str, data: &[(&str, &str)]) -> Event {
        Event {
            sequence: 1,
            kind,
            timestamp_ms: 0,
            task_id: task_id.into(),
            data: data
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            task: None,
        }
    }

    #[test]
    fn topics_parse_and_refuse() {
        assert_eq!(
            parse_topics(Some("topics=tasks%2Crun%3Aabc-1,tasks")).unwrap(),
            vec![Topic::Tasks, Topic::Run("abc-1".into())]
        );
        assert!(
            parse_topics(Some("topics=nope"))
                .unwrap_err()
                .contains("unknown topic")
        );
        assert!(parse_topics(Some("topics=run:a/b")).is_err());
        assert!(parse_topics(Some("topics=run:")).is_err());
        assert!(parse_topics(None).is_err());
        assert_eq!(parse_since(Some("topics=tasks&since=42")), Ok(Some(42)));
        assert_eq!(parse_since(Some("topics=tasks")), Ok(None));
        assert!(parse_since(Some("since=x")).is_err());
    }

    #[test]
    fn topics_pick_their_events() {
        let submitted = event(EventKind::TaskSubmitted, "t1", &[]);
        let wf_task = event(EventKind::TaskStarted, "wf:r1:step:-:1.1", &[]);
        let step = event(EventKind::StepStarted, "r1", &[("run_id", "r1")]);
        let died = event(EventKind::ServiceDied, "", &[]);
        assert!(Topic::Tasks.wants(&submitted) && !Topic::Tasks.wants(&died));
        assert!(Topic::Services.wants(&died) && !Topic::Services.wants(&submitted));
        assert!(Topic::Workflows.wants(&wf_task) && !Topic::Workflows.wants(&submitted));
        let r1 = Topic::Run("r1".into());
        assert!(r1.wants(&wf_task) && r1.wants(&step));
        assert!(!Topic::Run("r2".into()).wants(&step));
        assert!(!Topic::Run("r".into()).wants(&wf_task));
    }

    #[test]
    fn the_registry_caps_each_viewer() {
        let r = Arc::new(Registry::default());
        let places: Vec<_> = (0..PER_VIEWER).map(|_| r.admit("a").unwrap()).collect();
        assert_eq!(r.admit("a").err().unwrap().0, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.admit("b").is_ok());
        drop(places);
        assert_eq!(r.open(), 0);
        assert!(r.admit("a").is_ok());
    }
}
