//! The one error shape of the HTTP API: `{"error": "..."}` with a status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// A created-or-found answer: `doc` with `created` set, 201 when new, else 200 (an idempotent
/// repeat).
pub fn created(mut doc: serde_json::Value, created: bool) -> Response {
    doc["created"] = json!(created);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(doc)).into_response()
}
