//! `dspy-agent worker`: connect to a scheduler (token and CA from the environment or this
//! home, like every client) and run `worker::run` until SIGTERM or SIGINT.

use std::time::Duration;

use crate::cli::WorkerArgs;
use crate::commands::Ctx;
use crate::commands::client::{self, Target};
use crate::error::{Code, Error, ExitStatus, Result};
use crate::worker::{self, Config};

pub async fn run(ctx: &Ctx, args: WorkerArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    if !(args.lease_seconds.is_finite() && args.lease_seconds >= 1.0) {
        return Err(Error::usage("--lease-seconds must be 1 or more"));
    }
    if !(args.drain_seconds.is_finite() && args.drain_seconds >= 0.0) {
        return Err(Error::usage("--drain-seconds must be 0 or more"));
    }
    let gpus = match args.gpus.as_str() {
        "none" | "" => Vec::new(),
        // This machine's GPUs, from the inventory `dspy-agent gpu` shows (NVML, or the
        // simulated file DSPY_AGENT_GPU_INVENTORY names); none when it has none.
        "auto" => {
            let inventory = crate::gpu::inventory()?;
            if inventory.gpus.is_empty() {
                ctx.printer.warn(format!(
                    "--gpus auto: no GPU to offer ({})",
                    inventory.why_none()
                ));
            }
            inventory.gpus.into_iter().map(|g| g.uuid).collect()
        }
        list => list.split(',').map(|u| u.trim().to_string()).collect(),
    };
    let target = Target {
        addr: args.server.clone(),
        // TLS when a CA is known: DSPY_AGENT_TLS_CA, else this home's tls/ca.pem.
        tls: crate::server::tls::client_ca_path(&settings.home.value).is_file(),
    };
    let client = client::connect_to(&settings.home.value, &target).await?;
    let name = args.name.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        format!("{}-{}", host.trim(), std::process::id())
    });
    let cfg = Config {
        name: name.clone(),
        classes: args.classes.clone(),
        concurrency: args.concurrency.max(1),
        gpus,
        lease_s: args.lease_seconds,
        drain: Duration::from_secs_f64(args.drain_seconds),
        project: settings.project.value.clone(),
        docker_host: crate::lifecycle::engine(&settings),
    };
    ctx.printer.progress(format!(
        "worker {name} taking {} from {} ({} at once)",
        if args.classes.is_empty() {
            "every class".to_string()
        } else {
            args.classes.join(",")
        },
        args.server,
        cfg.concurrency
    ));
    match worker::run(client, cfg, crate::server::stop::wait_for_signal()).await {
        Ok(counts) => {
            use std::sync::atomic::Ordering::Relaxed;
            ctx.printer.progress(format!(
                "worker {name} stopped: {} done, {} failed, {} results dropped",
                counts.done.load(Relaxed),
                counts.failed.load(Relaxed),
                counts.dropped.load(Relaxed)
            ));
            Ok(ExitStatus::Success)
        }
        Err(message) => Ok(ctx.printer.failed(Code::Usage, message)),
    }
}
