//! The gate as a tower layer around a tonic server's routes: it sees the method's path and the
//! response's `grpc-status`, so every RPC, present and future, is checked and audited without
//! code in its handler. The handler finds the caller as a `Caller` request extension.

use std::sync::Arc;
use std::task::{Context, Poll};

use axum::http::{Request, Response};
use futures_util::future::BoxFuture;
use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};

use super::gate::{AuditIds, Gate, Refusal};
use super::roles::grpc_call;

#[derive(Clone)]
pub struct GateLayer {
    gate: Arc<Gate>,
}

impl GateLayer {
    pub fn new(gate: Arc<Gate>) -> GateLayer {
        GateLayer { gate }
    }
}

impl<S> tower::Layer<S> for GateLayer {
    type Service = GateService<S>;
    fn layer(&self, inner: S) -> GateService<S> {
        GateService {
            inner,
            gate: self.gate.clone(),
        }
    }
}

#[derive(Clone)]
pub struct GateService<S> {
    inner: S,
    gate: Arc<Gate>,
}

fn peer<B>(req: &Request<B>) -> String {
    let e = req.extensions();
    e.get::<TcpConnectInfo>()
        .and_then(|i| i.remote_addr())
        .or_else(|| {
            e.get::<TlsConnectInfo<TcpConnectInfo>>()
                .and_then(|i| i.get_ref().remote_addr())
        })
        .map(|a| a.to_string())
        .unwrap_or_default()
}

/// The gRPC code's name as the audit log writes it (`ok`, `not_found`, ...).
fn outcome<B>(resp: &Response<B>) -> String {
    let code = resp
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(tonic::Code::Ok, tonic::Code::from);
    code_name(code)
}

pub fn code_name(code: tonic::Code) -> String {
    match code {
        tonic::Code::Ok => "ok".into(),
        other => format!("{other:?}")
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let sep = (i > 0 && c.is_ascii_uppercase()).then_some('_');
                sep.into_iter()
                    .chain(std::iter::once(c.to_ascii_lowercase()))
            })
            .collect(),
    }
}

impl<S, B, R> tower::Service<Request<B>> for GateService<S>
where
    S: tower::Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    R: Default + Send + 'static,
{
    type Response = Response<R>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<R>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let call = grpc_call(req.uri().path());
        let peer = peer(&req);
        let auth = req.headers().get("authorization").map(|v| v.as_bytes());
        let gate = self.gate.clone();
        let ids = AuditIds::default();
        let admitted = gate.admit(&call, auth);
        // The service that was made ready is the one to call; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let admitted = match admitted {
                Ok(a) => a,
                Err(refusal) => {
                    let (status, mutates) = match refusal {
                        Refusal::Unauthenticated => (
                            tonic::Status::unauthenticated(super::UNAUTHENTICATED),
                            super::roles::rule_for(&call).mutates,
                        ),
                        Refusal::Forbidden(m) => (
                            tonic::Status::permission_denied(m),
                            super::roles::rule_for(&call).mutates,
                        ),
                    };
                    gate.audit(&call, mutates, peer, None, &ids, code_name(status.code()));
                    return Ok(status.into_http());
                }
            };
            if let Some(c) = &admitted.caller {
                req.extensions_mut().insert(c.clone());
            }
            req.extensions_mut().insert(ids.clone());
            let resp = inner.call(req).await?;
            let result = outcome(&resp);
            gate.audit(
                &call,
                admitted.rule.mutates,
                peer,
                admitted.caller.as_ref(),
                &ids,
                result,
            );
            Ok(resp)
        })
    }
}
