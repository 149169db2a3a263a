//! `dspy-agent logs`: every service's log merged, prefixed with the service name.
//! With `-f` it follows until Ctrl-C and attaches to services that start later.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cli::LogsArgs;
use crate::commands::Ctx;
use crate::error::{Error, Result};
use crate::output::Printer;
use crate::runtime::{LogLine, Runtime};

/// Lines buffered between the per-container readers and the printer.
const CHANNEL_CAPACITY: usize = 1024;

#[derive(Debug, Serialize)]
struct JsonLine<'a> {
    service: &'a str,
    stream: &'a str,
    timestamp: &'a str,
    message: &'a str,
}

pub async fn run(ctx: &Ctx, args: LogsArgs) -> Result<()> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let stack = ctx.stack().await?;
    let wanted: HashSet<String> = args.services.iter().cloned().collect();
    for s in &wanted {
        if !stack.catalog.services.contains_key(s) {
            return Err(Error::usage(format!("unknown service `{s}`")));
        }
    }
    let select = |service: &str| wanted.is_empty() || wanted.contains(service);
    let containers: Vec<_> = stack
        .runtime
        .project_containers(&stack.project)
        .await?
        .into_iter()
        .filter(|c| select(&c.service))
        .collect();
    // Width of the name column: the catalog's names, so later services line up too.
    let width = stack
        .catalog
        .services
        .keys()
        .filter(|s| select(s))
        .map(|s| s.len())
        .max()
        .unwrap_or(8);
    let names: Vec<String> = stack.catalog.services.keys().cloned().collect();
    let color_of = |service: &str| names.iter().position(|n| n == service).unwrap_or(0);

    let (tx, mut rx) = mpsc::channel::<(String, Result<LogLine>)>(CHANNEL_CAPACITY);
    let mut attached: HashSet<String> = HashSet::new();
    for c in &containers {
        attached.insert(c.id.clone());
        spawn_reader(
            &stack.runtime,
            &c.id,
            &c.service,
            args.follow,
            args.tail,
            since,
            tx.clone(),
        );
    }
    let printer = &ctx.printer;
    let emit = |service: &str, line: &LogLine| -> Result<()> {
        print_line(
            printer,
            service,
            width,
            color_of(service),
            line,
            args.timestamps,
        )
    };

    if !args.follow {
        drop(tx);
        // Merge by Docker's timestamp: RFC 3339 strings of equal precision sort as text.
        let mut all = Vec::new();
        while let Some((service, line)) = rx.recv().await {
            all.push((service, line?));
        }
        all.sort_by(|a, b| a.1.timestamp.cmp(&b.1.timestamp));
        for (service, line) in &all {
            emit(service, line)?;
        }
        return Ok(());
    }

    // Follow: print as lines arrive; look for new containers every second; stop on Ctrl-C.
    let mut rescan = tokio::time::interval(Duration::from_secs(1));
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => return Ok(()),
            Some((service, line)) = rx.recv() => match line {
                Ok(line) => emit(&service, &line)?,
                Err(e) => tracing::debug!("log stream of {service} ended: {e}"),
            },
            _ = rescan.tick() => {
                for c in stack.runtime.project_containers(&stack.project).await? {
                    if select(&c.service) && c.running && attached.insert(c.id.clone()) {
                        spawn_reader(&stack.runtime, &c.id, &c.service, true, None, None, tx.clone());
                    }
                }
            }
        }
    }
}

fn spawn_reader(
    runtime: &Runtime,
    id: &str,
    service: &str,
    follow: bool,
    tail: Option<u64>,
    since: Option<i64>,
    tx: mpsc::Sender<(String, Result<LogLine>)>,
) {
    let mut stream = Box::pin(runtime.logs(id, follow, tail, since));
    let service = service.to_string();
    tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            let stop = item.is_err();
            if tx
                .send((service.clone(), item.map_err(Error::from)))
                .await
                .is_err()
                || stop
            {
                break;
            }
        }
    });
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
pub fn parse_since(s: &str) -> Result<i64> {
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
