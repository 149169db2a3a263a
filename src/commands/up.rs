//! `dspy-agent up`: start services and their dependencies, health-gated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::cli::UpArgs;
use crate::commands::Ctx;
use crate::error::{Code, Error, ExitStatus, Result};
use crate::lifecycle::{Event, EventSink, Phase, Stack, UpOptions, services_to_start};
use crate::output::Printer;

pub async fn run(ctx: &Ctx, args: UpArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    // Unknown services and cycles are usage errors, reported before Docker is contacted.
    let services = services_to_start(&settings, &catalog, args.services.clone())?;
    if let Some(t) = args.wait_timeout
        && !(t > 0.0 && t <= 86_400.0)
    {
        return Err(Error::usage(format!(
            "--wait-timeout {t}: expected seconds between 0 and 86400"
        )));
    }
    let stack = Arc::new(Stack::connect(&settings, catalog).await?);
    let opts = UpOptions {
        services,
        pull: !args.no_pull,
        recreate: args.recreate,
        build: args.build,
        wait_timeout: args.wait_timeout,
    };
    let report = stack.up(opts, progress_sink(&ctx.printer)).await?;
    print_report(ctx, report, "up")
}

/// The started services as a table (or the report as JSON); a failure's chain and log tail on
/// stderr, and its exit code. `verb` names the command in the failure line.
pub fn print_report(
    ctx: &Ctx,
    report: crate::lifecycle::UpReport,
    verb: &str,
) -> Result<ExitStatus> {
    let p = &ctx.printer;
    if p.json {
        p.json_document(&report)?;
    } else {
        let rows = report
            .services
            .iter()
            .map(|s| {
                let ports: Vec<String> = s
                    .ports
                    .iter()
                    .map(|b| format!("{}:{}->{}", b.host_ip, b.host_port, b.container_port))
                    .collect();
                vec![
                    s.service.clone(),
                    format!("{:?}", s.action).to_lowercase(),
                    s.health.clone(),
                    ports.join(", "),
                    format!("{:.2}s", s.duration_ms as f64 / 1000.0),
                ]
            })
            .collect();
        if !report.services.is_empty() {
            p.table(&["service", "action", "health", "ports", "took"], rows)?;
        }
    }
    match report.failed {
        None => Ok(ExitStatus::Success),
        Some(f) => {
            if !p.json {
                eprintln!("\nservice `{}` failed: {}", f.service, f.reason);
                if f.chain.len() > 1 {
                    eprintln!("needed by: {}", f.chain.join(" -> "));
                }
                if !report.skipped.is_empty() {
                    eprintln!("not started: {}", report.skipped.join(", "));
                }
                if !f.log_tail.is_empty() {
                    eprintln!("last {} log lines of `{}`:", f.log_tail.len(), f.service);
                    for line in &f.log_tail {
                        eprintln!("  | {line}");
                    }
                }
            }
            let code = match f.exit_code {
                3 => Code::Unhealthy,
                4 => Code::EngineUnreachable,
                2 => Code::Usage,
                _ => Code::Runtime,
            };
            Ok(p.failed(code, format!("`{verb}` failed at service `{}`", f.service)))
        }
    }
}

/// Progress: NDJSON on stderr with --json; otherwise a line per step, and pull bars on a terminal.
pub fn progress_sink(printer: &Printer) -> EventSink {
    let printer = printer.clone();
    let bars = MultiProgress::new();
    let pulls: Mutex<HashMap<String, ProgressBar>> = Mutex::new(HashMap::new());
    Arc::new(move |event: Event| {
        if printer.json {
            printer.event(&event);
            return;
        }
        match &event {
            Event::Pull {
                service,
                image,
                status,
                current,
                total,
                ..
            } => {
                if !printer.stderr_tty || printer.quiet {
                    return;
                }
                let mut pulls = pulls.lock().unwrap_or_else(|e| e.into_inner());
                let bar = pulls.entry(service.clone()).or_insert_with(|| {
                    let bar = bars.add(ProgressBar::new(0));
                    bar.set_style(
                        ProgressStyle::with_template(
                            "{prefix} {msg} {bar:30} {bytes}/{total_bytes}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    bar.set_prefix(format!("pulling {image} for {service}"));
                    bar
                });
                if let (Some(c), Some(t)) = (current, total) {
                    bar.set_length(*t as u64);
                    bar.set_position(*c as u64);
                }
                bar.set_message(status.clone());
            }
            Event::Service {
                service,
                status,
                message,
            } => {
                if (*status == Phase::Healthy || *status == Phase::Failed)
                    && let Some(bar) = pulls
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .remove(service)
                {
                    bar.finish_and_clear();
                }
                let status = serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                let msg = message
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                printer.progress(format!("{service:<18} {status}{msg}"));
            }
            Event::PortRemapped {
                service,
                container_port,
                requested,
                actual,
            } => {
                printer.warn(format!(
                    "{service}: host port {requested} is busy; published container port {container_port} on {actual} instead"
                ));
            }
            Event::Build { service, line, .. } => {
                printer.progress(format!("{service:<18} building: {line}"))
            }
            Event::Warning { message, .. } => printer.warn(message),
        }
    })
}
