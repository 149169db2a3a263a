//! The gate as an axum middleware, around every HTTP route (inside the browser guard): bearer
//! token, role, the `Caller` extension for handlers, and the audit line with the status code.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::gate::{AuditIds, Gate, Refusal};

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
    let admitted = match gate.admit(&call, auth) {
        Ok(a) => a,
        Err(refusal) => {
            let mutates = super::roles::rule_for(&call).mutates;
            let r = match refusal {
                Refusal::Unauthenticated => {
                    refuse(StatusCode::UNAUTHORIZED, super::UNAUTHENTICATED)
                }
                Refusal::Forbidden(m) => refuse(StatusCode::FORBIDDEN, &m),
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
