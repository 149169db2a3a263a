//! POST /queue/submit-batch: many submissions in one body, a JSON array of `/queue/submit`
//! bodies or NDJSON (one per line), answered per task in order. Built on the scheduler's
//! `submit_batch`, as gRPC SubmitTasks is.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::{Ctx, SubmitBody, error, submit_request};
use crate::server::auth::{AuditIds, Caller};

/// The body's items: an array's elements, or each non-empty line. An item that is not an
/// object is an error of its own, not of the batch.
fn items(body: &[u8]) -> Result<Vec<Result<SubmitBody, String>>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string())?;
    let one =
        |v: Value| serde_json::from_value::<SubmitBody>(v).map_err(|e| format!("not a task: {e}"));
    if text.trim_start().starts_with('[') {
        let all: Vec<Value> =
            serde_json::from_str(text).map_err(|e| format!("bad JSON array: {e}"))?;
        return Ok(all.into_iter().map(one).collect());
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str::<Value>(l)
                .map_err(|e| format!("line {}: bad JSON: {e}", n + 1))
                .and_then(one)
        })
        .collect())
}

pub async fn submit_batch(
    State(ctx): Ctx,
    caller: Option<Extension<Caller>>,
    audit: Option<Extension<AuditIds>>,
    body: Bytes,
) -> Response {
    let items = match items(&body) {
        Ok(items) => items,
        Err(msg) => return error(StatusCode::BAD_REQUEST, msg),
    };
    let max = ctx.sched.settings().max_batch_tasks.value;
    if items.len() as u64 > max {
        return error(
            StatusCode::BAD_REQUEST,
            format!(
                "the batch has {} tasks; the limit is {max} (scheduler.max_batch_tasks)",
                items.len()
            ),
        );
    }
    let by = caller.map(|Extension(c)| c.name);
    let asked: Vec<String> = items
        .iter()
        .map(|i| match i {
            Ok(b) => b
                .task_id
                .clone()
                .or_else(|| b.id.clone())
                .unwrap_or_default(),
            Err(_) => String::new(),
        })
        .collect();
    let reqs = items
        .into_iter()
        .map(|i| i.and_then(|b| submit_request(b, by.clone())))
        .collect();
    let outcomes = ctx.sched.submit_batch(reqs, |e| e.message).await;
    let (mut created, mut existing, mut errors) = (0u64, 0u64, 0u64);
    let results: Vec<Value> = outcomes
        .into_iter()
        .zip(asked)
        .map(|(o, asked)| match o {
            Ok((id, new)) => {
                if let Some(Extension(a)) = &audit {
                    a.add([id.clone()]);
                }
                let outcome = if new { "created" } else { "existing" };
                if new {
                    created += 1
                } else {
                    existing += 1
                }
                json!({"task_id": id, "outcome": outcome})
            }
            Err(message) => {
                errors += 1;
                json!({"task_id": asked, "outcome": "error", "error": message})
            }
        })
        .collect();
    let doc =
        json!({"created": created, "existing": existing, "errors": errors, "results": results});
    (StatusCode::OK, Json(doc)).into_response()
}
