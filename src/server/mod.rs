//! `dspy-agent serve`: the long-lived scheduler behind gRPC (OrchestratorService,
//! EnvManagerService) and HTTP. This module binds the listeners, holds the home's serve lock for
//! the server's life, records where it listens in state.json, and shuts down gracefully.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod context;
pub mod dispatch;
pub mod env_manager;
pub mod events;
pub mod executor;
pub mod gpu_scheduling;
pub mod gpus;
pub mod grpc;
pub mod grpc_status;
pub mod grpc_workflows;
pub mod html;
pub mod http;
pub mod lease;
pub mod lock;
pub mod metrics;
pub mod retry;
pub mod scheduler;
pub mod service_health;
pub mod service_watch;
pub mod slurm_jobs;
pub mod stop;
pub mod store;
pub mod stream_cap;
pub mod submission;
pub mod table;
pub mod task;
pub mod task_query;
pub mod tls;
pub mod ui;
pub mod view;
pub mod why;
pub mod workers;
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
use http::guard::{setting, whole_setting};

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

/// The TLS identity the settings ask for, if any.
fn tls_identity(
    settings: &Settings,
    home: &std::path::Path,
    bound: &[SocketAddr],
) -> Result<Option<tls::Identity>> {
    let text = |key: &str| {
        setting(settings, key)
            .as_str()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
    };
    match (text("tls.cert_file"), text("tls.key_file")) {
        (Some(cert), Some(key)) => {
            return tls::from_files(std::path::Path::new(&cert), std::path::Path::new(&key))
                .map(Some);
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::usage(
                "tls.cert_file and tls.key_file go together: set both, or tls.self_signed = true",
            ));
        }
        (None, None) => {}
    }
    if setting(settings, "tls.self_signed").as_bool() != Some(true) {
        return Ok(None);
    }
    let mut extra: Vec<String> = setting(settings, "http.allowed_hosts")
        .as_str()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        extra.push(name.trim().to_string());
    }
    let ips: Vec<std::net::IpAddr> = bound.iter().map(|a| a.ip()).collect();
    tls::self_signed(home, &tls::names_for(&ips, &extra)).map(Some)
}

/// A listener another machine can reach needs TLS (tokens are always on), unless the user
/// says `--insecure-bind`, which is then said on every start.
fn check_exposure(bound: &[SocketAddr], tls: bool, insecure_bind: bool) -> Result<()> {
    let exposed: Vec<String> = bound
        .iter()
        .filter(|a| !a.ip().is_loopback())
        .map(|a| a.to_string())
        .collect();
    if exposed.is_empty() || tls {
        return Ok(());
    }
    if insecure_bind {
        crate::stderr_line(format_args!(
            "dspy-agent serve: warning: listening on {} without TLS (--insecure-bind): tokens and tasks cross the network in clear text",
            exposed.join(", ")
        ));
        return Ok(());
    }
    Err(Error::usage(format!(
        "refusing to listen on {} without TLS: anyone on the network could read tokens and tasks\nhint: set tls.self_signed = true (or tls.cert_file and tls.key_file), bind orchestrator_addr, env_manager_addr and http_addr to 127.0.0.1, or pass --insecure-bind",
        exposed.join(", ")
    )))
}

/// Say so when the home can be read by the group or others: it holds tokens and payloads.
fn warn_if_home_is_readable(home: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(home)
        && meta.permissions().mode() & 0o077 != 0
    {
        crate::stderr_line(format_args!(
            "dspy-agent serve: warning: {} is readable by others (mode {:o}); it holds tokens and task payloads\nhint: chmod 700 {}",
            home.display(),
            meta.permissions().mode() & 0o777,
            home.display()
        ));
    }
}

/// Accepted connections with TCP_NODELAY: the builder's `tcp_nodelay` applies only to
/// listeners tonic binds itself, and over TLS a reply is several records, which Nagle's
/// algorithm would hold back for the client's delayed ACK.
fn no_delay(
    l: TcpListener,
) -> impl futures_util::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use futures_util::StreamExt;
    TcpListenerStream::new(l).map(|s| {
        if let Ok(s) = &s {
            let _ = s.set_nodelay(true);
        }
        s
    })
}

fn local(l: &TcpListener) -> String {
    l.local_addr()
        .map(|a: SocketAddr| a.to_string())
        .unwrap_or_default()
}

/// Run the server in the foreground until SIGTERM or SIGINT. `log_file` is recorded in the
/// state for a detached server.
pub async fn run(settings: Settings, log_file: Option<PathBuf>, insecure_bind: bool) -> Result<()> {
    let home = settings.home.value.clone();
    let _lock = acquire_lock(&home)?;
    warn_if_home_is_readable(&home);
    auth::tokens::ensure_default(&home)?;

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
        crate::lifecycle::engine(&settings),
    );

    let gpu_source = crate::gpu::Source::from_env();
    let inventory = tokio::task::block_in_place(|| gpu_source.read())?;
    match &inventory.reason {
        Some(why) => tracing::info!("no GPU for tasks: {why}"),
        None => tracing::info!(
            "{} GPU(s) for tasks ({} inventory)",
            inventory.gpus.len(),
            inventory.source
        ),
    }
    sched.init_gpus(gpu_source, inventory);

    let orch_l = bind(&settings.orchestrator_addr.value, "orchestrator gRPC").await?;
    let env_l = bind(&settings.env_manager_addr.value, "env manager gRPC").await?;
    let http_l = bind(&settings.http_addr.value, "HTTP").await?;
    let bound: Vec<SocketAddr> = [&orch_l, &env_l, &http_l]
        .iter()
        .filter_map(|l| l.local_addr().ok())
        .collect();
    let tls = tls_identity(&settings, &home, &bound)?;
    check_exposure(&bound, tls.is_some(), insecure_bind)?;
    if let Some(id) = &tls {
        crate::stderr_line(format_args!(
            "dspy-agent serve: TLS on all listeners; certificate SHA-256 {}",
            id.fingerprint
        ));
    }
    let serve_state = ServeState {
        pid: std::process::id(),
        orchestrator_addr: local(&orch_l),
        env_manager_addr: local(&env_l),
        http_addr: local(&http_l),
        log_file,
        started_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        version: env!("CARGO_PKG_VERSION").into(),
        tls: tls.is_some(),
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
        streams: stream_cap::StreamCap::new(
            usize::try_from(whole_setting(&settings, "grpc.max_streams", 256)).unwrap_or(256),
        ),
        gate: Arc::new(auth::Gate::new(
            &home,
            audit::AuditLog::new(
                &home,
                whole_setting(&settings, "audit.max_bytes", 10 << 20),
                u32::try_from(whole_setting(&settings, "audit.keep", 5)).unwrap_or(5),
            ),
            match setting(&settings, "http.metrics_public").as_bool() {
                Some(true) => vec!["GET /metrics".to_string()],
                _ => vec![],
            },
            auth::sessions::Sessions::new(
                seconds_setting(&settings, "ui.login_code_ttl_s", 60.0),
                seconds_setting(&settings, "ui.session_ttl_s", 28_800.0),
            ),
        )),
    });
    let dispatcher = tokio::spawn(sched.clone().run());
    // Docker's events for the project's services; it never ends serve, with or without an engine.
    let service_watch = tokio::spawn(service_watch::run(
        sched.clone(),
        crate::lifecycle::engine(&settings),
        settings.project.value.clone(),
    ));
    let slurm_loop = sched.uses_slurm().then(|| {
        let runner = slurm_jobs::Runner::new(&sched, &home);
        tokio::spawn(sched.clone().run_slurm(runner))
    });

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
    // Every RPC passes the auth gate (token, role, audit), wrapped here at build time.
    let builder = || -> Result<tonic::transport::Server<_>> {
        let mut b = tonic::transport::Server::builder().tcp_nodelay(true);
        if let Some(id) = &tls {
            b = b
                .tls_config(tls::grpc_config(id))
                .map_err(|e| Error::usage(format!("TLS: {e}")))?;
        }
        Ok(b.layer(auth::grpc_layer::GateLayer::new(ctx.gate.clone())))
    };
    let orch = tokio::spawn(
        builder()?
            .add_service(orch_svc)
            .serve_with_incoming_shutdown(no_delay(orch_l), stopped(stop_rx.clone())),
    );
    let envm = tokio::spawn(
        builder()?
            .add_service(env_svc)
            .serve_with_incoming_shutdown(no_delay(env_l), stopped(stop_rx.clone())),
    );
    let http_tls = tls.as_ref().map(tls::server_config).transpose()?;
    let web = tokio::spawn(http::serve(
        http_l,
        ctx.clone(),
        http_tls,
        stopped(stop_rx.clone()),
    ));

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
    service_watch.abort();
    if let Some(l) = slurm_loop {
        l.abort();
    }
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

/// A duration setting in seconds, or `default` seconds when it is missing.
fn seconds_setting(settings: &crate::settings::Settings, key: &str, default: f64) -> Duration {
    let s = setting(settings, key)
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(default);
    Duration::from_secs_f64(s)
}
