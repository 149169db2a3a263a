//! `dspy-agent audit [--since T] [--json]`: the audit log, oldest first, rotated files
//! included.

use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::cli::AuditArgs;
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};
use crate::server::audit;

/// `--since`: an RFC 3339 time, or an age such as `10m`.
fn since(text: &str) -> Result<SystemTime> {
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(t);
    }
    let age: Duration = humantime::parse_duration(text).map_err(|_| {
        Error::usage(format!(
            "--since {text:?}: expected an RFC 3339 time (2026-01-02T03:04:05Z) or an age (10m, 2h)"
        ))
    })?;
    Ok(SystemTime::now()
        .checked_sub(age)
        .unwrap_or(SystemTime::UNIX_EPOCH))
}

pub fn run(ctx: &Ctx, args: AuditArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let from = args.since.as_deref().map(since).transpose()?;
    let entries: Vec<audit::Entry> = audit::read(&settings.home.value)?
        .into_iter()
        .filter(|e| match from {
            None => true,
            Some(from) => humantime::parse_rfc3339_weak(&e.time).is_ok_and(|t| t >= from),
        })
        .collect();
    if ctx.printer.json {
        ctx.printer.json_document(json!({ "entries": entries }))?;
        return Ok(ExitStatus::Success);
    }
    let rows = entries
        .into_iter()
        .map(|e| {
            vec![
                e.time,
                e.peer,
                e.token,
                e.method,
                e.ids.join(","),
                e.outcome,
            ]
        })
        .collect();
    ctx.printer
        .table(&["time", "peer", "token", "method", "ids", "outcome"], rows)?;
    Ok(ExitStatus::Success)
}
