//! `dspy-agent ports [--json | --env]`: host endpoints of running services.

use serde::Serialize;

use crate::cli::PortsArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};

#[derive(Debug, Serialize)]
struct Endpoint {
    service: String,
    container_port: u16,
    host_ip: String,
    host_port: u16,
    url: String,
    /// The port health checks use and `--env` prints as NAME_URL.
    primary: bool,
}

pub async fn run(ctx: &Ctx, args: PortsArgs) -> Result<ExitStatus> {
    // clap's conflicts_with does not see the global --json, so say it here.
    if args.env && ctx.printer.json {
        return Err(crate::error::Error::usage(
            "--env and --json are two different outputs: pick one",
        ));
    }
    let stack = ctx.stack().await?;
    let rows = stack.status().await?;
    let mut endpoints = Vec::new();
    for r in rows.iter().filter(|r| r.state == "running") {
        let svc = stack.catalog.services.get(&r.service);
        let primary = svc.and_then(|s| s.primary_container_port());
        for b in &r.ports {
            let is_primary = primary == Some(b.container_port);
            let scheme = match svc {
                Some(s) if is_primary => s.url_scheme(),
                _ => "tcp",
            };
            let host = if b.host_ip.is_empty() || b.host_ip == "0.0.0.0" {
                "127.0.0.1"
            } else {
                &b.host_ip
            };
            endpoints.push(Endpoint {
                service: r.service.clone(),
                container_port: b.container_port,
                host_ip: host.to_string(),
                host_port: b.host_port,
                url: format!("{scheme}://{host}:{}", b.host_port),
                primary: is_primary || primary.is_none(),
            });
        }
    }
    let p = &ctx.printer;
    if p.json {
        p.json_document(serde_json::json!({"project": stack.project, "ports": endpoints}))?;
        return Ok(ExitStatus::Success);
    }
    if args.env {
        for e in &endpoints {
            let name = env_name(&e.service);
            if e.primary {
                p.line(format!("{name}_URL={}", e.url))?;
            } else {
                p.line(format!("{name}_{}_URL={}", e.container_port, e.url))?;
            }
        }
        return Ok(ExitStatus::Success);
    }
    let table = endpoints
        .iter()
        .map(|e| {
            vec![
                e.service.clone(),
                e.container_port.to_string(),
                format!("{}:{}", e.host_ip, e.host_port),
                e.url.clone(),
            ]
        })
        .collect();
    p.table(&["service", "container_port", "host", "url"], table)?;
    Ok(ExitStatus::Success)
}

/// `infermesh-router` -> `INFERMESH_ROUTER`.
fn env_name(service: &str) -> String {
    service.to_ascii_uppercase().replace(['-', '.'], "_")
}
