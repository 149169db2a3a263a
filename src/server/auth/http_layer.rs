//! The gate as an axum middleware, around every HTTP route (inside the browser guard): bearer
//! token, role, the `Caller` extension for handlers, and the audit line with the status code.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::gate::{AuditIds, Gate, Refusal};
use super::sessions::cookie_value;

/// What a browser without a dashboard session is shown on `/ui`: how to get one, and no data.
const UI_LOGIN_HINT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dspy-agent: log in</title><link rel=\"icon\" href=\"/ui/assets/favicon.svg\" type=\"image/svg+xml\"></head><body><h1>Not logged in</h1><p>Run <code>dspy-agent ui</code> on the server's machine and open the one-time link it prints (or your session has expired or ended).</p></body></html>";

/// Whether a path belongs to the dashboard (where a session cookie may stand for a token).
pub fn is_ui(path: &str) -> bool {
    path == "/ui" || path.starts_with("/ui/")
}

fn ui_refusal(status: StatusCode, message: &str) -> Response {
    let body = if status == StatusCode::UNAUTHORIZED {
        UI_LOGIN_HINT.to_string()
    } else {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dspy-agent: refused</title><link rel=\"icon\" href=\"/ui/assets/favicon.svg\" type=\"image/svg+xml\"></head><body><h1>Refused</h1><p>{}</p></body></html>",
            crate::server::html::escape(message)
        )
    };
    let mut r = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response();
    crate::server::html::page_headers(r.headers_mut());
    r
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    r
}

pub async fn gate(State(gate): State<Arc<Gate>>, mut req: Request, next: Next) -> Response {
    let call = format!("{} {}", req.method(), req.uri().path());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string())
        .unwrap_or_default();
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes());
    let ids = AuditIds::default();
    let ui = is_ui(req.uri().path());
    // On the dashboard's routes only, and only without a bearer token: the session cookie.
    let session = match (ui, auth) {
        (true, None) => req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(cookie_value)
            .and_then(|id| gate.session(id)),
        _ => None,
    };
    let admission = match &session {
        Some(s) => gate.admit_caller(&call, Some(s.caller.clone())),
        None => gate.admit(&call, auth),
    };
    let admitted = match admission {
        Ok(a) => a,
        Err(refusal) => {
            let mutates = super::roles::rule_for(&call).mutates;
            let (status, message) = match refusal {
                Refusal::Unauthenticated => {
                    (StatusCode::UNAUTHORIZED, super::UNAUTHENTICATED.to_string())
                }
                Refusal::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            };
            let r = if ui {
                ui_refusal(status, &message)
            } else {
                refuse(status, &message)
            };
            gate.audit(
                &call,
                mutates,
                peer,
                None,
                &ids,
                r.status().as_u16().to_string(),
            );
            return r;
        }
    };
    if let Some(c) = &admitted.caller {
        req.extensions_mut().insert(c.clone());
    }
    if let Some(s) = session {
        req.extensions_mut().insert(s);
    }
    req.extensions_mut().insert(ids.clone());
    let resp = next.run(req).await;
    let status = resp.status();
    let outcome = if status.is_success() {
        "ok".to_string()
    } else {
        status.as_u16().to_string()
    };
    gate.audit(
        &call,
        admitted.rule.mutates,
        peer,
        admitted.caller.as_ref(),
        &ids,
        outcome,
    );
    resp
}
