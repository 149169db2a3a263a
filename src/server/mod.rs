//! `dspy-agent serve`: the long-lived scheduler behind gRPC (OrchestratorService,
//! EnvManagerService) and HTTP. This module binds the listeners, holds the home's serve lock for
//! the server's life, records where it listens in state.json, and shuts down gracefully.

pub mod clock;
pub mod context;
pub mod dispatch;
pub mod env_manager;
pub mod events;
pub mod executor;
pub mod grpc;
pub mod grpc_status;
pub mod grpc_workflows;
pub mod http;
pub mod lease;
pub mod lock;
pub mod metrics;
pub mod scheduler;
pub mod service_health;
pub mod stop;
pub mod store;
pub mod submission;
pub mod table;
pub mod task;
pub mod view;
pub mod workflow;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;

use crate::error::{Error, Result};
use crate::proto::env_manager::env_manager_service_server::EnvManagerServiceServer;
use crate::proto::orchestrator::orchestrator_service_server::OrchestratorServiceServer;
use crate::settings::Settings;
use crate::state::{ServeState, StateFile};

pub use context::ServerCtx;
pub use lock::{acquire_lock, lock_path, running};
use scheduler::Scheduler;
use service_health::HealthCache;
use stop::StopRequests;

/// gRPC messages up to this size (or twice the payload limit, if larger) are decoded, so an
/// oversized payload gets the scheduler's INVALID_ARGUMENT with the limit named.
const GRPC_MIN_MESSAGE: usize = 4 << 20;

async fn bind(addr: &str, what: &str) -> Result<TcpListener> {
    TcpListener::bind(addr).await.map_err(|e| {
        Error::runtime(format!(
            "cannot listen on {addr} for {what}: {e} (change it with `dspy-agent config set`)"
        ))
    })
}

fn local(l: &TcpListener) -> String {
    l.local_addr()
        .map(|a: SocketAddr| a.to_string())
        .unwrap_or_default()
}

/// Run the server in the foreground until SIGTERM or SIGINT. `log_file` is recorded in the
/// state for a detached server.
pub async fn run(settings: Settings, log_file: Option<PathBuf>) -> Result<()> {
    let home = settings.home.value.clone();
    let _lock = acquire_lock(&home)?;

    let store_dir = home.join("store");
    let strict = settings.scheduler.strict_journal.value;
    let (store, loaded, report) =
        tokio::task::block_in_place(|| store::Store::open_checked(&store_dir, strict))?;
    if !report.is_clean() {
        // Not eprintln!: a full or closed stderr must not stop the server.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("dspy-agent serve: warning: {}\n", report.summary()),
        );
    }
    let recovered = loaded.len();
    let sched = Scheduler::new(
        store,
        loaded,
        settings.scheduler.clone(),
        settings.project.value.clone(),
        settings.docker_host.value.clone(),
    );

    let orch_l = bind(&settings.orchestrator_addr.value, "orchestrator gRPC").await?;
    let env_l = bind(&settings.env_manager_addr.value, "env manager gRPC").await?;
    let http_l = bind(&settings.http_addr.value, "HTTP").await?;
    let serve_state = ServeState {
        pid: std::process::id(),
        orchestrator_addr: local(&orch_l),
        env_manager_addr: local(&env_l),
        http_addr: local(&http_l),
        log_file,
        started_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let state_file = StateFile::new(&home);
    {
        let st = serve_state.clone();
        state_file.update(|s| s.serve = Some(st))?;
    }
    tracing::info!(
        "serving: orchestrator {} env manager {} http {} ({recovered} task(s) recovered)",
        serve_state.orchestrator_addr,
        serve_state.env_manager_addr,
        serve_state.http_addr
    );
    crate::stderr_line(format_args!(
        "dspy-agent serve: orchestrator gRPC {}, env manager gRPC {}, HTTP {} (pid {})",
        serve_state.orchestrator_addr,
        serve_state.env_manager_addr,
        serve_state.http_addr,
        serve_state.pid
    ));

    let workflows = workflow::Engine::start(sched.clone(), &store_dir)?;
    let ctx = Arc::new(ServerCtx {
        sched: sched.clone(),
        workflows,
        settings: settings.clone(),
        stop: StopRequests::new(settings.scheduler.shutdown_timeout_s.value),
        health: HealthCache::default(),
    });
    let dispatcher = tokio::spawn(sched.clone().run());

    // Stop accepting once the scheduler has drained.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let max_msg = (settings.scheduler.max_payload_bytes.value as usize)
        .saturating_mul(2)
        .max(GRPC_MIN_MESSAGE);
    let orch_svc = OrchestratorServiceServer::new(grpc::Orchestrator { ctx: ctx.clone() })
        .max_decoding_message_size(max_msg);
    let env_svc = EnvManagerServiceServer::new(env_manager::EnvManager { ctx: ctx.clone() });
    let orch = tokio::spawn(
        tonic::transport::Server::builder()
            .tcp_nodelay(true)
            .add_service(orch_svc)
            .serve_with_incoming_shutdown(TcpListenerStream::new(orch_l), stopped(stop_rx.clone())),
    );
    let envm = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(env_svc)
            .serve_with_incoming_shutdown(TcpListenerStream::new(env_l), stopped(stop_rx.clone())),
    );
    let web = tokio::spawn(http::serve(http_l, ctx.clone(), stopped(stop_rx.clone())));

    // SIGTERM, SIGINT or the Shutdown RPC (`serve stop`, with its own drain timeout).
    let timeout = ctx.stop.wait().await;
    // A second signal while draining: leave now. Acknowledged tasks are already on disk, and
    // running ones are retried at the next start.
    tokio::spawn(async {
        stop::wait_for_signal().await;
        crate::stderr_line(format_args!(
            "dspy-agent serve: second signal, exiting without waiting for running tasks"
        ));
        std::process::exit(1);
    });
    crate::stderr_line(format_args!(
        "dspy-agent serve: stopping (no new tasks; running ones may finish within {timeout}s)"
    ));
    let timeout = clock::seconds(timeout);
    sched.shutdown(timeout).await;
    dispatcher.abort();
    let _ = stop_tx.send(true);
    // Streams may keep connections open; do not wait on them long.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = orch.await;
        let _ = envm.await;
        let _ = web.await;
    })
    .await;
    let pid = std::process::id();
    let _ = state_file.update(|s| {
        if s.serve.as_ref().is_some_and(|v| v.pid == pid) {
            s.serve = None;
        }
    });
    crate::stderr_line(format_args!("dspy-agent serve: stopped"));
    Ok(())
}
