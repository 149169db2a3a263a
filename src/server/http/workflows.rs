//! The workflow routes: the same engine functions gRPC calls (`workflow/ops.rs`).

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio_stream::wrappers::ReceiverStream;

use super::{Ctx, error, json_rejection, sched_error};
use crate::server::workflow::OnConflict;
use crate::server::workflow::ops::changed_steps;

fn path_text(p: Result<Path<String>, PathRejection>) -> Result<String, Box<Response>> {
    p.map(|Path(s)| s)
        .map_err(|e| Box::new(error(StatusCode::BAD_REQUEST, e.body_text())))
}

/// POST /workflows: the spec as the JSON body.
pub async fn create(State(ctx): Ctx, body: Result<Json<Value>, JsonRejection>) -> Response {
    let spec = match body {
        Ok(Json(v)) => v,
        Err(e) => return json_rejection(e),
    };
    match ctx.workflows.create(&spec.to_string()).await {
        Ok(c) => super::reply::created(
            json!({"name": c.name, "version": c.version, "steps": c.steps}),
            c.created,
        ),
        Err(e) => sched_error(e),
    }
}

/// GET /workflows: every workflow with its latest version.
pub async fn list(State(ctx): Ctx) -> Response {
    Json(json!({"workflows": ctx.workflows.workflows()})).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    #[serde(default)]
    run_id: String,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    on_conflict: String,
}

/// POST /workflows/{name}/runs: {"run_id"?, "params"?, "on_conflict"?}.
pub async fn start(
    State(ctx): Ctx,
    name: Result<Path<String>, PathRejection>,
    body: Result<Json<StartBody>, JsonRejection>,
) -> Response {
    let name = match path_text(name) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(JsonRejection::MissingJsonContentType(_)) => StartBody::default(),
        Err(e) => return json_rejection(e),
    };
    let on_conflict = match OnConflict::parse(&body.on_conflict) {
        Ok(o) => o,
        Err(e) => return sched_error(e),
    };
    match ctx
        .workflows
        .start_run(&name, &body.run_id, body.params, on_conflict)
        .await
    {
        Ok((doc, created)) => super::reply::created(doc, created),
        Err(e) => sched_error(e),
    }
}

#[derive(Deserialize)]
pub struct RunQuery {
    /// Include every map item.
    #[serde(default)]
    items: bool,
}

/// GET /workflows/runs/{run_id}: the run document (`?items=true`: with every map item).
pub async fn get(
    State(ctx): Ctx,
    run: Result<Path<String>, PathRejection>,
    q: Result<Query<RunQuery>, QueryRejection>,
) -> Response {
    let run = match path_text(run) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let items = q.map(|Query(q)| q.items).unwrap_or(false);
    match ctx.workflows.run_document(&run, items) {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => sched_error(e),
    }
}

#[derive(Deserialize)]
pub struct RunsQuery {
    workflow: Option<String>,
    limit: Option<usize>,
}

/// GET /workflows/runs: runs, newest first (`?workflow=NAME&limit=N`).
pub async fn list_runs(State(ctx): Ctx, q: Result<Query<RunsQuery>, QueryRejection>) -> Response {
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.body_text()),
    };
    let runs = ctx
        .workflows
        .runs(q.workflow.as_deref(), q.limit.unwrap_or(100));
    Json(json!({"runs": runs})).into_response()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RetryBody {
    #[serde(default)]
    from_step: Option<String>,
    #[serde(default)]
    params_override: Map<String, Value>,
}

/// POST /workflows/runs/{run_id}/retry: {"from_step"?, "params_override"?}.
pub async fn retry(
    State(ctx): Ctx,
    run: Result<Path<String>, PathRejection>,
    body: Result<Json<RetryBody>, JsonRejection>,
) -> Response {
    let run = match path_text(run) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(JsonRejection::MissingJsonContentType(_)) => RetryBody::default(),
        Err(e) => return json_rejection(e),
    };
    let from = body.from_step.as_deref().filter(|f| !f.is_empty());
    match ctx
        .workflows
        .retry_run(&run, from, body.params_override)
        .await
    {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => sched_error(e),
    }
}

/// POST /workflows/runs/{run_id}/cancel.
pub async fn cancel(State(ctx): Ctx, run: Result<Path<String>, PathRejection>) -> Response {
    let run = match path_text(run) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match ctx.workflows.cancel_run(&run).await {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => sched_error(e),
    }
}

/// GET /workflows/runs/{run_id}/events: server-sent events: `graph` (the whole run document),
/// then `update` (the steps that changed), then `end`; the stream closes after it.
pub async fn events(State(ctx): Ctx, run: Result<Path<String>, PathRejection>) -> Response {
    let run = match path_text(run) {
        Ok(r) => r,
        Err(r) => return *r,
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
    let (mut last, mut changes) = match ctx.workflows.watch_run(&run) {
        Ok(w) => w,
        Err(e) => return sched_error(e),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<(&'static str, Value)>(64);
    let http = Arc::clone(&ctx);
    tokio::spawn(async move {
        let _permit = permit;
        if tx.send(("graph", last.clone())).await.is_err() {
            return;
        }
        while last["status"] == "running" {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                () = tx.closed() => return,
            }
            let Ok(doc) = http.workflows.status_document(&run) else {
                return;
            };
            let steps = changed_steps(&last, &doc);
            let update = json!({"run_id": doc["run_id"], "status": doc["status"], "steps": steps});
            if tx.send(("update", update)).await.is_err() {
                return;
            }
            last = doc;
        }
        let doc = http.workflows.run_document(&run, false).unwrap_or(last);
        let _ = tx.send(("end", doc)).await;
    });
    let to_sse = |(kind, v): (&'static str, Value)| {
        Ok::<_, Infallible>(SseEvent::default().event(kind).data(v.to_string()))
    };
    Sse::new(ReceiverStream::new(rx).map(to_sse))
        .keep_alive(KeepAlive::default())
        .into_response()
}
