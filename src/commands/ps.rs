//! `dspy-agent ps` (alias `status`): the project's services as Docker sees them.

use std::time::SystemTime;

use crate::cli::PsArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::ServiceStatus;

pub async fn run(ctx: &Ctx, args: PsArgs) -> Result<ExitStatus> {
    let stack = ctx.stack().await?;
    let mut rows = stack.status().await?;
    if args.all {
        for name in stack.catalog.services.keys() {
            if !rows.iter().any(|r| &r.service == name) {
                rows.push(ServiceStatus {
                    service: name.clone(),
                    state: "absent".into(),
                    health: "none".into(),
                    container_id: String::new(),
                    image: stack.catalog.services[name].image.clone(),
                    ports: vec![],
                    started_at: None,
                    restart_count: 0,
                    exit_code: None,
                });
            }
        }
        rows.sort_by(|a, b| a.service.cmp(&b.service));
    }
    let p = &ctx.printer;
    if p.json {
        p.json_document(serde_json::json!({"project": stack.project, "services": rows}))?;
        return Ok(ExitStatus::Success);
    }
    let table = rows
        .iter()
        .map(|r| {
            let ports: Vec<String> = r
                .ports
                .iter()
                .map(|b| format!("{}:{}->{}", b.host_ip, b.host_port, b.container_port))
                .collect();
            vec![
                r.service.clone(),
                r.state.clone(),
                r.health.clone(),
                ports.join(", "),
                r.started_at
                    .as_deref()
                    .map(uptime)
                    .unwrap_or_else(|| "-".into()),
                r.restart_count.to_string(),
                r.exit_code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.container_id.chars().take(12).collect(),
            ]
        })
        .collect();
    p.table(
        &[
            "service",
            "state",
            "health",
            "ports",
            "uptime",
            "restarts",
            "exit",
            "container",
        ],
        table,
    )?;
    Ok(ExitStatus::Success)
}

/// "3m 12s" since an RFC 3339 start time.
fn uptime(started_at: &str) -> String {
    let Ok(start) = humantime::parse_rfc3339_weak(
        started_at
            .split('.')
            .next()
            .unwrap_or(started_at)
            .trim_end_matches('Z'),
    ) else {
        return "-".into();
    };
    let secs = SystemTime::now()
        .duration_since(start)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}
