//! `dspy-agent up`: start services and their dependencies, health-gated.

use std::sync::Arc;

use crate::cli::UpArgs;
use crate::commands::Ctx;
use crate::error::{Code, Error, ExitStatus, Result};
use crate::lifecycle::{EventSink, Stack, UpOptions, services_to_start};
use crate::output::Printer;
use crate::progress::{Verb, View, until_interrupted};

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
    let view = View::new(&ctx.printer, Verb::Up);
    let report = until_interrupted(&view, stack.up(opts, view.sink())).await?;
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

/// The sink for a lifecycle command's progress, drawn as `--progress` chose (`crate::progress`).
/// The view finishes (no spinner left, unfinished lines marked ✘) when the sink's last clone
/// is dropped; commands that print after the work call `View::finish` themselves.
pub fn progress_sink(printer: &Printer) -> EventSink {
    View::new(printer, Verb::Up).sink()
}
