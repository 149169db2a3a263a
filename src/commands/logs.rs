//! `dspy-agent logs`: every service's log merged, prefixed with the service name.
//! With `-f` it follows until Ctrl-C and attaches to services that start later (the reading is
//! `Stack::logs`, shared with the env manager's StreamLogs; this file only prints).

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::cli::LogsArgs;
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};
use crate::lifecycle::{LogOptions, ServiceLine};
use crate::output::Printer;
use crate::runtime::LogLine;

#[derive(Debug, Serialize)]
struct JsonLine<'a> {
    service: &'a str,
    stream: &'a str,
    timestamp: &'a str,
    message: &'a str,
}

pub async fn run(ctx: &Ctx, args: LogsArgs) -> Result<ExitStatus> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let stack = ctx.stack().await?;
    let wanted: HashSet<&String> = args.services.iter().collect();
    let select = |service: &String| wanted.is_empty() || wanted.contains(service);
    // Width of the name column: the catalog's names, so later services line up too.
    let width = stack
        .catalog
        .services
        .keys()
        .filter(|s| select(s))
        .map(|s| s.len())
        .max()
        .unwrap_or(8);
    let names: Vec<&String> = stack.catalog.services.keys().collect();
    let color_of = |service: &str| names.iter().position(|n| *n == service).unwrap_or(0);
    let mut lines = stack
        .logs(LogOptions {
            services: args.services.clone(),
            follow: args.follow,
            tail: args.tail,
            since,
            max_bytes: None,
        })
        .await?;
    let emit = |l: &ServiceLine| -> Result<()> {
        print_line(
            &ctx.printer,
            &l.service,
            width,
            color_of(&l.service),
            &l.line,
            args.timestamps,
        )
    };
    // Without -f the stream ends by itself; with -f it runs until Ctrl-C.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c, if args.follow => return Ok(ExitStatus::Success),
            line = lines.recv() => match line {
                Some(line) => emit(&line?)?,
                None => return Ok(ExitStatus::Success),
            },
        }
    }
}

fn print_line(
    p: &Printer,
    service: &str,
    width: usize,
    color: usize,
    line: &LogLine,
    timestamps: bool,
) -> Result<()> {
    if p.json {
        return p.json_line(&JsonLine {
            service,
            stream: line.stream,
            timestamp: &line.timestamp,
            message: &line.message,
        });
    }
    let name = p.paint(&format!("{service:<width$}"), color);
    if timestamps {
        p.line(format!("{name} | {} {}", line.timestamp, line.message))
    } else {
        p.line(format!("{name} | {}", line.message))
    }
}

/// Seconds since the epoch, or a duration before now ("90s", "5m", "2h", "1d").
fn parse_since(s: &str) -> Result<i64> {
    if let Ok(epoch) = s.parse::<i64>() {
        return Ok(epoch);
    }
    let ago = humantime::parse_duration(s).map_err(|e| {
        Error::usage(format!(
            "--since {s:?}: {e} (expected seconds since the epoch or a duration like 5m)"
        ))
    })?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(now.saturating_sub(ago).as_secs() as i64)
}
