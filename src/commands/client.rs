//! What the scheduler's client commands (`submit`, `tasks`, `serve status`) share: finding the
//! running server, connecting to it, and mapping its answers to exit codes.

use std::path::Path;
use std::time::Duration;

use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::commands::Ctx;
use crate::error::{Code, Error, Result};
use crate::proto::orchestrator::orchestrator_service_client::OrchestratorServiceClient;
use crate::server;
use crate::server::task::{REASON_DRAINING, REASON_KEY};

pub type Client = OrchestratorServiceClient<InterceptedService<Channel, Bearer>>;

/// Adds `authorization: Bearer <token>` to every call: the token from `DSPY_AGENT_TOKEN`, else
/// the home's own (`$DSPY_AGENT_HOME/auth/token`), so the local user never handles it.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<Ascii>>);

impl Bearer {
    pub fn for_home(home: &Path) -> Bearer {
        Bearer::new(server::auth::tokens::client_token(home).as_deref())
    }
    pub fn new(token: Option<&str>) -> Bearer {
        Bearer(token.and_then(|t| format!("Bearer {t}").parse().ok()))
    }
}

impl Interceptor for Bearer {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> std::result::Result<tonic::Request<()>, tonic::Status> {
        if let Some(v) = &self.0 {
            request.metadata_mut().insert("authorization", v.clone());
        }
        Ok(request)
    }
}

/// Where a server listens and how to reach it.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: String,
    /// The server speaks TLS: verify it with `DSPY_AGENT_TLS_CA` or the home's CA.
    pub tls: bool,
}

impl Target {
    /// The orchestrator of a running server, as it recorded itself.
    pub fn of(s: &crate::state::ServeState) -> Target {
        Target {
            addr: s.orchestrator_addr.clone(),
            tls: s.tls,
        }
    }
}

/// The orchestrator: what the running server recorded (it may have picked free ports, and
/// says whether it speaks TLS), else the settings (over TLS when DSPY_AGENT_TLS_CA is set).
pub fn orchestrator_target(ctx: &Ctx) -> Result<Target> {
    let settings = ctx.settings()?;
    Ok(match server::running(&settings.home.value) {
        Some(s) => Target {
            addr: s.orchestrator_addr,
            tls: s.tls,
        },
        // A server elsewhere (no running one in this home): TLS when a CA is named for it.
        None => Target {
            addr: settings.orchestrator_addr.value,
            tls: std::env::var_os(server::tls::CA_ENV).is_some_and(|v| !v.is_empty()),
        },
    })
}

/// A channel to `target` (TLS verified against the home's CA when it speaks TLS), with the
/// interceptor that sends the token: what every gRPC client of serve in this crate uses.
pub async fn channel(home: &Path, target: &Target) -> Result<(Channel, Bearer)> {
    let addr = &target.addr;
    let scheme = if target.tls { "https" } else { "http" };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{addr}"))
        .map_err(|e| Error::usage(format!("bad orchestrator address {addr:?}: {e}")))?
        .connect_timeout(Duration::from_secs(3))
        .tcp_nodelay(true);
    if target.tls {
        let ca_path = server::tls::client_ca_path(home);
        let ca = std::fs::read(&ca_path).map_err(|e| {
            Error::usage(format!(
                "the server at {addr} speaks TLS, and its CA file {} cannot be read: {e}\nhint: copy the server's $DSPY_AGENT_HOME/tls/ca.pem and point {} at it",
                ca_path.display(),
                server::tls::CA_ENV
            ))
        })?;
        endpoint = endpoint
            .tls_config(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca)))
            .map_err(|e| Error::usage(format!("TLS: {e}")))?;
    }
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| orchestrator_down(addr, error_chain(&e)))?;
    Ok((channel, Bearer::for_home(home)))
}

pub async fn connect_to(home: &Path, target: &Target) -> Result<Client> {
    let (channel, bearer) = channel(home, target).await?;
    Ok(with_bearer(channel, bearer))
}

/// A client on `channel` that sends `bearer`'s token.
pub fn with_bearer(channel: Channel, bearer: Bearer) -> Client {
    OrchestratorServiceClient::with_interceptor(channel, bearer)
        .max_decoding_message_size(64 << 20)
        .max_encoding_message_size(64 << 20)
}

pub async fn connect(ctx: &Ctx) -> Result<(Client, String)> {
    let target = orchestrator_target(ctx)?;
    let home = ctx.settings()?.home.value;
    Ok((connect_to(&home, &target).await?, target.addr))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// A gRPC error as this tool's error: bad requests are usage errors (2), a vanished server
/// (refused, reset, or gone mid-stream) is exit 5, a server that drains (it says so in the
/// `dspy-agent-reason` metadata, not only in words) is a runtime error (1).
pub fn status_error(s: tonic::Status, addr: &str) -> Error {
    use tonic::Code as G;
    if is_transport_failure(&s) {
        return orchestrator_down(addr, s.message());
    }
    match s.code() {
        G::Unavailable if is_draining(&s) => Error::runtime(s.message().to_string()),
        G::Unavailable => orchestrator_down(addr, s.message()),
        G::InvalidArgument | G::AlreadyExists | G::FailedPrecondition => {
            Error::new(Code::Usage, s.message().to_string())
        }
        G::Unauthenticated | G::PermissionDenied => {
            Error::new(Code::Usage, s.message().to_string())
        }
        _ => Error::runtime(s.message().to_string()),
    }
}

/// The server refused because it drains (stops taking work before it exits).
fn is_draining(s: &tonic::Status) -> bool {
    s.metadata()
        .get(REASON_KEY)
        .is_some_and(|v| v.as_bytes() == REASON_DRAINING.as_bytes())
}

/// A status made on this side from a broken connection (the server died mid-call or
/// mid-stream), not an answer the server sent: those come from trailers and carry no source.
fn is_transport_failure(s: &tonic::Status) -> bool {
    use tonic::Code as G;
    if !matches!(
        s.code(),
        G::Unknown | G::Internal | G::Unavailable | G::Cancelled
    ) {
        return false;
    }
    if std::error::Error::source(s).is_some() {
        return true;
    }
    let m = s.message();
    [
        "h2 protocol error",
        "transport error",
        "error reading a body from connection",
        "connection reset",
        "broken pipe",
    ]
    .iter()
    .any(|p| m.contains(p))
}

pub fn ms_to_time(ms: u64) -> String {
    if ms == 0 {
        return "-".into();
    }
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// The error every client command gives when no orchestrator answers.
pub fn orchestrator_down(addr: &str, why: impl std::fmt::Display) -> Error {
    Error::new(
        Code::OrchestratorDown,
        format!(
            "the orchestrator is not running at {addr} ({why})\nhint: start it with `dspy-agent serve --detach`"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draining_is_read_from_metadata_not_from_the_message() {
        let addr = "127.0.0.1:1";
        let drains = crate::server::grpc::draining("the server stops (any wording)");
        assert_eq!(status_error(drains, addr).code, Code::Runtime);
        // Words alone say nothing: an UNAVAILABLE without the reason is a server that is gone.
        let words = tonic::Status::unavailable("the peer is shutting down");
        assert_eq!(status_error(words, addr).code, Code::OrchestratorDown);
    }
}
