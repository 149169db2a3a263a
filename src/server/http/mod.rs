//! The HTTP API (axum): queue, tasks, events (server-sent), health and Prometheus metrics.
//! Same scheduler functions as gRPC. Every route sits behind `guard` (Host, Origin,
//! Content-Type, body limits); `listener` serves it with a header timeout and a connection cap.

mod batch;
pub mod guard;
pub mod listener;
mod reply;
mod workflows;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_stream::wrappers::ReceiverStream;

use crate::server::auth::{AuditIds, Caller};
use crate::server::clock::now_ms;
use crate::server::context::ServerCtx;
use crate::server::events::{Event, TypeFilter};
use crate::server::task::{
    ErrorKind, MAX_ATTEMPTS, REASON_DRAINING, REASON_EXPIRED, REASON_KEY, SchedError,
    SubmitRequest, TaskState,
};
use crate::server::view::TaskView;
use crate::settings::TASK_CLASSES;
use guard::{Policy, whole_setting};
pub use reply::error;

/// What the HTTP handlers share: the server's context and the `/events` subscriber cap.
pub struct Http {
    ctx: Arc<ServerCtx>,
    sse: Arc<Semaphore>,
    sse_cap: u64,
}

impl Deref for Http {
    type Target = ServerCtx;
    fn deref(&self) -> &ServerCtx {
        &self.ctx
    }
}

type Ctx = State<Arc<Http>>;

/// Serve the HTTP API on `listener` until `shutdown`.
pub fn serve(
    listener: TcpListener,
    ctx: Arc<ServerCtx>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) -> impl Future<Output = ()> {
    let bound = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let max = whole_setting(&ctx.settings, "http.max_connections", 1024);
    let app = router(ctx, bound);
    listener::serve(
        listener,
        app,
        usize::try_from(max).unwrap_or(1024),
        tls,
        shutdown,
    )
}

/// Every route, behind the browser guard and then the auth gate (token, role, audit). `bound` is the listener's address (the server's own
/// origin and host).
pub fn router(ctx: Arc<ServerCtx>, bound: SocketAddr) -> Router {
    let policy = Arc::new(Policy::new(&ctx.settings, bound));
    let limit = policy.body_limit;
    let sse_cap = whole_setting(&ctx.settings, "http.max_sse_subscribers", 64);
    let gate = ctx.gate.clone();
    let dashboard = crate::server::ui::router(ctx.clone());
    let http = Arc::new(Http {
        sse: Arc::new(Semaphore::new(usize::try_from(sse_cap).unwrap_or(64))),
        sse_cap,
        ctx,
    });
    Router::new()
        .route("/queue/submit", post(submit))
        .route("/queue/submit-batch", post(batch::submit_batch))
        .route("/queue/status", get(queue_status))
        .route("/tasks", get(list_tasks))
        .route("/tasks/{id}", get(get_task))
        .route("/tasks/{id}/cancel", post(cancel_task))
        .route("/tasks/{id}/retry", post(retry_task))
        .route("/events", get(events))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/workers", get(workers))
        .route("/workflows", get(workflows::list).post(workflows::create))
        .route("/workflows/runs", get(workflows::list_runs))
        .route("/workflows/{name}/runs", post(workflows::start))
        .route("/workflows/runs/{run_id}", get(workflows::get))
        .route("/workflows/runs/{run_id}/retry", post(workflows::retry))
        .route("/workflows/runs/{run_id}/cancel", post(workflows::cancel))
        .route("/workflows/runs/{run_id}/events", get(workflows::events))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(http)
        .merge(dashboard)
        .layer(from_fn_with_state(
            gate,
            crate::server::auth::http_layer::gate,
        ))
        .layer(from_fn_with_state(policy, guard::guard))
}

fn sched_error(e: SchedError) -> Response {
    let status = match e.kind {
        ErrorKind::InvalidArgument => StatusCode::BAD_REQUEST,
        ErrorKind::AlreadyExists => StatusCode::CONFLICT,
        ErrorKind::NotFound => {
            let Some(at) = e.expired_at_ms else {
                return error(StatusCode::NOT_FOUND, e.message);
            };
            // Retention dropped it: say so, and when it finished, as fields and a header.
            let body = json!({"error": e.message, "expired": true, "finished_at_ms": at});
            let mut r = (StatusCode::NOT_FOUND, Json(body)).into_response();
            r.headers_mut()
                .insert(REASON_KEY, header::HeaderValue::from_static(REASON_EXPIRED));
            return r;
        }
        ErrorKind::FailedPrecondition => StatusCode::PRECONDITION_FAILED,
        ErrorKind::Draining => {
            // The same machine-readable reason gRPC carries in its metadata.
            let mut r = error(StatusCode::SERVICE_UNAVAILABLE, e.message);
            r.headers_mut().insert(
                REASON_KEY,
                header::HeaderValue::from_static(REASON_DRAINING),
            );
            return r;
        }
        ErrorKind::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.message)
}

/// A JSON number as a whole number (`1.0` counts as 1), or None for a fraction or a number
/// past i64's range. Callers check their own range with try_from: nothing wraps or saturates.
fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
            .map(|f| f as i64)
    })
}

/// POST /queue/submit's body. Absent and null fields take their defaults; unknown ones are
/// ignored.
#[derive(Deserialize)]
pub(crate) struct SubmitBody {
    task_id: Option<String>,
    /// Another name for `task_id`.
    id: Option<String>,
    class: Option<String>,
    priority: Option<serde_json::Number>,
    max_attempts: Option<serde_json::Number>,
    timeout_seconds: Option<serde_json::Number>,
    gpus: Option<serde_json::Number>,
    gpu_memory_mb: Option<serde_json::Number>,
    payload: Option<serde_json::Map<String, Value>>,
}

/// A body the JSON extractor refused, as the JSON error: 400 for bad JSON or the wrong shape,
/// 413 for too large, 415 for another Content-Type.
fn json_rejection(e: JsonRejection) -> Response {
    match e {
        JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => error(
            StatusCode::BAD_REQUEST,
            format!("bad JSON: {}", e.body_text()),
        ),
        other => error(other.status(), other.body_text()),
    }
}

/// A submission body as the scheduler's request; the error is the message of a 400 answer.
fn submit_request(body: SubmitBody, submitted_by: Option<String>) -> Result<SubmitRequest, String> {
    let task_id = body
        .task_id
        .filter(|id| !id.is_empty())
        .or(body.id)
        .unwrap_or_default();
    // Sent as the typed payload: every value exactly as the JSON body has it.
    let payload_json =
        Value::Object(body.payload.unwrap_or_default().into_iter().collect()).to_string();
    let priority = match &body.priority {
        None => 0,
        Some(n) => whole(n)
            .and_then(|p| i32::try_from(p).ok())
            .ok_or_else(|| {
                format!(
                    "`priority` is {n}; expected an integer from {} to {}",
                    i32::MIN,
                    i32::MAX
                )
            })?,
    };
    let max_attempts = match &body.max_attempts {
        None => 0,
        Some(n) => whole(n)
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| (1..=MAX_ATTEMPTS).contains(m))
            .ok_or_else(|| {
                format!("`max_attempts` is {n}; expected an integer from 1 to {MAX_ATTEMPTS}")
            })?,
    };
    // 0 means the class's default; a negative number is refused, as the CLI does.
    let timeout_s = match &body.timeout_seconds {
        None => 0.0,
        Some(n) => n
            .as_f64()
            .filter(|t| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| {
                format!(
                    "`timeout_seconds` is {n}; expected a number of seconds, 0 or more (0: the class's default)"
                )
            })?,
    };
    // Whole numbers only; the sign is checked by the scheduler, as for gRPC.
    let gpus = body
        .gpus
        .as_ref()
        .map(|n| {
            whole(n)
                .ok_or_else(|| format!("`gpus` is {n}; expected a whole number of GPUs, 0 or more"))
        })
        .transpose()?;
    let gpu_memory_mb = body
        .gpu_memory_mb
        .as_ref()
        .map(|n| {
            whole(n).ok_or_else(|| {
                format!("`gpu_memory_mb` is {n}; expected a whole number of MiB, 0 or more")
            })
        })
        .transpose()?;
    Ok(SubmitRequest {
        task_id,
        payload: BTreeMap::new(),
        payload_json: Some(payload_json),
        class: body.class.unwrap_or_default(),
        priority,
        max_attempts,
        timeout_s,
        submitted_by,
        gpus,
        gpu_memory_mb,
    })
}

/// POST /queue/submit: {"task_id"?, "class"?, "priority"?, "max_attempts"?, "timeout_seconds"?,
/// "gpus"?, "gpu_memory_mb"?, "payload": {...}}.
async fn submit(
    State(ctx): Ctx,
    caller: Option<Extension<Caller>>,
    audit: Option<Extension<AuditIds>>,
    body: Result<Json<SubmitBody>, JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(b)) => b,
        Err(e) => return json_rejection(e),
    };
    let parsed = submit_request(body, caller.map(|Extension(c)| c.name));
    let req = match parsed {
        Ok(r) => r,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    match ctx.sched.submit(req).await {
        Ok((task, created)) => {
            if let Some(Extension(a)) = &audit {
                a.add([task.id.clone()]);
            }
            reply::created(TaskView::from(&task).to_json(), created)
        }
        Err(e) => sched_error(e),
    }
}

async fn queue_status(State(ctx): Ctx) -> Response {
    let g = ctx.sched.gauges();
    let classes: serde_json::Map<String, Value> = TASK_CLASSES
        .iter()
        .map(|c| {
            let (limit, inflight, queued) = g.classes.get(*c).copied().unwrap_or_default();
            (
                c.to_string(),
                json!({"concurrency_limit": limit, "running": inflight, "queued": queued}),
            )
        })
        .collect();
    Json(json!({
        "draining": ctx.sched.is_draining(),
        "classes": classes,
        "tasks_stored": g.tasks_stored,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    status: Option<String>,
    class: Option<String>,
    limit: Option<usize>,
}

/// A query string that does not parse answers 400 with the JSON `{error}` body, like every
/// other error here (axum's own rejection is text/plain).
fn bad_query(e: QueryRejection) -> Response {
    error(StatusCode::BAD_REQUEST, e.body_text())
}

async fn list_tasks(State(ctx): Ctx, q: Result<Query<ListQuery>, QueryRejection>) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return bad_query(e),
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match TaskState::parse(s) {
            Some(s) => Some(s),
            None => return error(StatusCode::BAD_REQUEST, format!("unknown status {s:?}")),
        },
    };
    let (tasks, total) = ctx.sched.list(
        status,
        q.class.as_deref().filter(|c| !c.is_empty()),
        q.limit.unwrap_or(100).min(10_000),
    );
    Json(json!({
        "tasks": ctx.sched.statuses(&tasks).into_iter().map(TaskView::from).collect::<Vec<_>>(),
        "total": total,
    }))
    .into_response()
}

/// A task id from the path, or the JSON error for one that is not UTF-8 once decoded.
fn task_id(path: Result<Path<String>, PathRejection>) -> Result<String, String> {
    path.map(|Path(id)| id).map_err(|e| e.body_text())
}

async fn get_task(State(ctx): Ctx, path: Result<Path<String>, PathRejection>) -> Response {
    let id = match task_id(path) {
        Ok(id) => id,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    match ctx.sched.status(&id) {
        Ok(t) => Json(TaskView::from(t)).into_response(),
        Err(e) => sched_error(e),
    }
}

async fn cancel_task(
    State(ctx): Ctx,
    caller: Option<Extension<Caller>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match task_id(path) {
        Ok(id) => id,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    // The submit role cancels only what it submitted.
    let caller = caller.map(|Extension(c)| c);
    if let Ok(t) = ctx.sched.get(&id)
        && !crate::server::auth::may_cancel(caller.as_ref(), t.submitted_by.as_deref())
    {
        return error(
            StatusCode::FORBIDDEN,
            format!(
                "task {id:?} was not submitted by this token; a submit token cancels only its own tasks"
            ),
        );
    }
    match ctx.sched.cancel(&id) {
        Ok((t, cancelled)) => {
            let mut doc = TaskView::from(&t).to_json();
            doc["cancelled"] = json!(cancelled);
            Json(doc).into_response()
        }
        Err(e) => sched_error(e),
    }
}

/// POST /tasks/{id}/retry: a failed or cancelled task queued again (`Scheduler::retry`), with
/// the ownership rule of cancel. 412 for a task that cannot be retried.
async fn retry_task(
    State(ctx): Ctx,
    caller: Option<Extension<Caller>>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let id = match task_id(path) {
        Ok(id) => id,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let caller = caller.map(|Extension(c)| c);
    if let Ok(t) = ctx.sched.get(&id)
        && !crate::server::auth::may_cancel(caller.as_ref(), t.submitted_by.as_deref())
    {
        return error(
            StatusCode::FORBIDDEN,
            format!(
                "task {id:?} was not submitted by this token; a submit token retries only its own tasks"
            ),
        );
    }
    match ctx.sched.retry(&id).await {
        Ok(t) => Json(TaskView::from(&t).to_json()).into_response(),
        Err(e) => sched_error(e),
    }
}

#[derive(Deserialize)]
struct EventsQuery {
    /// Milliseconds since the epoch: replay retained events from then (0: every retained
    /// event; absent: none).
    since: Option<u64>,
    /// Comma-separated event types.
    types: Option<String>,
}

/// GET /events: server-sent events, one per scheduler event (`event:` is its type).
/// At most `http.max_sse_subscribers` at once; one more gets 503.
async fn events(State(ctx): Ctx, q: Result<Query<EventsQuery>, QueryRejection>) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return bad_query(e),
    };
    let Ok(permit) = ctx.sse.clone().try_acquire_owned() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "too many event subscribers (http.max_sse_subscribers is {})",
                ctx.sse_cap
            ),
        );
    };
    event_stream(&ctx, q, permit).into_response()
}

/// The stream holds `permit` until the client goes away.
fn event_stream(
    ctx: &Http,
    q: EventsQuery,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>> {
    let types = TypeFilter::from_names(
        q.types
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty()),
    );
    // `since=0` replays every retained event; no `since`, none.
    let feed = ctx.sched.events.follow(q.since, types, 256);
    let to_sse = move |e: Arc<Event>| {
        let _subscribed = &permit;
        Ok(SseEvent::default()
            .event(e.kind.as_str())
            .id(e.sequence.to_string())
            .data(serde_json::to_string(&*e).unwrap_or_else(|_| "{}".into())))
    };
    Sse::new(ReceiverStream::new(feed).map(to_sse)).keep_alive(KeepAlive::default())
}

async fn health(State(ctx): Ctx, caller: Option<Extension<Caller>>) -> Response {
    if caller.is_none() {
        // Without a token: alive or not, and nothing about the machine. No probe either.
        let (status, _) = crate::server::service_health::server_status(
            ctx.sched.is_draining(),
            ctx.sched.store.failing(),
            ctx.sched.metrics.services.degraded(),
        );
        return Json(json!({ "status": status })).into_response();
    }
    let services = ctx
        .services_health(crate::server::service_health::FRESH_FOR)
        .await;
    let (services, services_error) = match &*services {
        Ok(rows) => (serde_json::to_value(rows).unwrap_or(Value::Null), None),
        Err(e) => (json!([]), Some(e.clone())),
    };
    let (status, reason) = crate::server::service_health::server_status(
        ctx.sched.is_draining(),
        ctx.sched.store.failing(),
        ctx.sched.metrics.services.degraded(),
    );
    Json(json!({
        "status": status,
        "reason": reason,
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_ms": u64::try_from(ctx.sched.started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "timestamp_ms": now_ms(),
        "services": services,
        "services_error": services_error,
        "slurm": slurm_health(&ctx.sched),
        "services_watch": ctx.sched.metrics.services.json(),
    }))
    .into_response()
}

/// Whether slurmctld answers the slurm executor; null when no class runs on Slurm.
fn slurm_health(sched: &crate::server::scheduler::Scheduler) -> Value {
    if !sched.uses_slurm() {
        return Value::Null;
    }
    match sched.metrics.slurm.unreachable() {
        None => json!({"reachable": true}),
        Some((since, why)) => json!({"reachable": false, "since_ms": since, "error": why}),
    }
}

/// The registered pull workers, as `dspy-agent workers --json` prints them.
async fn workers(State(ctx): Ctx) -> Response {
    let list: Vec<serde_json::Value> = ctx
        .workers()
        .iter()
        .map(crate::server::workers::json)
        .collect();
    axum::Json(serde_json::json!({ "workers": list })).into_response()
}

async fn metrics(State(ctx): Ctx) -> Response {
    let mut gauges = ctx.sched.gauges();
    gauges.store_write_errors = ctx.sched.store.write_errors();
    let mut text = ctx.sched.metrics.render(&gauges);
    // Kept by the HTTP listener itself, so only here (gRPC GetMetrics does not list it).
    text.push_str(&format!(
        "# HELP orchestrator_health_probes_total Docker probes made for GET /health and the Health RPC (at most one a second).\n\
         # TYPE orchestrator_health_probes_total counter\n\
         orchestrator_health_probes_total {}\n",
        ctx.health.probes()
    ));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
