//! The part of `dspy-agent bench --ui` that asks whether live dashboards slow the scheduler:
//! durable submissions/s with no dashboard open, then with `DASHBOARDS` open and live, then
//! with none again, on the same server in one run. A dashboard is what a browser tab on the
//! overview does: one `GET /ui/stream?topics=tasks` stream, and a fetch of the overview page
//! on every `changed` event it sends (one fetch at a time, over its own keep-alive
//! connection). The baseline is the mean of the runs before and after, so that the store's
//! growth between runs does not count against the dashboards.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::commands::bench::throughput;
use crate::commands::client::Client;
use crate::error::{Error, Result};

/// Dashboards open during the second run.
pub const DASHBOARDS: usize = 5;

/// Counts the dashboards keep: overview fetches, and the bytes they read.
#[derive(Default)]
struct Seen {
    refreshes: AtomicU64,
    bytes: AtomicU64,
}

async fn connect(http_addr: &str) -> Result<TcpStream> {
    let s = TcpStream::connect(http_addr)
        .await
        .map_err(|e| Error::runtime(format!("cannot connect to {http_addr}: {e}")))?;
    s.set_nodelay(true).ok();
    Ok(s)
}

/// Open the stream; the connection once its head (200) has arrived.
async fn open_stream(http_addr: &str, token: &str) -> Result<BufReader<TcpStream>> {
    let io = |e: std::io::Error| Error::runtime(format!("dashboard stream failed: {e}"));
    let mut conn = BufReader::new(connect(http_addr).await?);
    let req = format!(
        "GET /ui/stream?topics=tasks HTTP/1.1\r\nHost: {http_addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    conn.get_mut().write_all(req.as_bytes()).await.map_err(io)?;
    let mut line = String::new();
    conn.read_line(&mut line).await.map_err(io)?;
    if !line.starts_with("HTTP/1.1 200") {
        return Err(Error::runtime(format!(
            "the dashboard stream answered {}",
            line.trim()
        )));
    }
    loop {
        line.clear();
        if conn.read_line(&mut line).await.map_err(io)? == 0 || line.trim().is_empty() {
            return Ok(conn);
        }
    }
}

/// One dashboard: follow the stream, fetch the overview on each change (changes that arrive
/// during a fetch are folded into the next one, as the page's script does).
async fn dashboard(
    mut stream: BufReader<TcpStream>,
    http_addr: String,
    token: String,
    seen: Arc<Seen>,
) -> Result<()> {
    let mut page = BufReader::new(connect(&http_addr).await?);
    let mut buf = vec![0u8; 16 * 1024];
    let mut carry = String::new();
    loop {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| Error::runtime(format!("dashboard stream failed: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        carry.push_str(&String::from_utf8_lossy(&buf[..n]));
        let changes = carry.matches("event: changed").count();
        // Keep a tail in case an event name is split across reads.
        let keep = carry.len().saturating_sub(32);
        let cut = (keep..=carry.len())
            .find(|i| carry.is_char_boundary(*i))
            .unwrap_or(carry.len());
        if changes > 0 {
            carry.clear();
            let (status, len) =
                crate::commands::bench_ui::get(&mut page, &http_addr, &token, "/ui/").await?;
            if status != 200 {
                return Err(Error::runtime(format!("the overview answered {status}")));
            }
            seen.refreshes.fetch_add(1, Ordering::Relaxed);
            seen.bytes.fetch_add(len as u64, Ordering::Relaxed);
        } else {
            carry.drain(..cut);
        }
    }
}

/// Submissions/s with none, `DASHBOARDS`, then none open: the report for `bench --ui`.
pub async fn compare(
    clients: &[Client],
    http_addr: &str,
    token: &str,
    submissions: usize,
    in_flight: usize,
    progress: impl Fn(String),
) -> Result<serde_json::Value> {
    let data: HashMap<String, String> = HashMap::from([("data".into(), "\"value\"".into())]);
    let (_, before) = throughput(clients, submissions, in_flight, "live-a", &data).await?;
    progress(format!(
        "0 dashboards: {before:.0} durable submissions/s ({submissions} at {in_flight} in flight)"
    ));
    let seen = Arc::new(Seen::default());
    let mut tabs = tokio::task::JoinSet::new();
    for _ in 0..DASHBOARDS {
        let stream = open_stream(http_addr, token).await?;
        tabs.spawn(dashboard(
            stream,
            http_addr.to_string(),
            token.to_string(),
            seen.clone(),
        ));
    }
    let started = Instant::now();
    let (_, during) = throughput(clients, submissions, in_flight, "live-b", &data).await?;
    let live_s = started.elapsed().as_secs_f64();
    // Let the last changes be fetched, then close the tabs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    if let Some(Ok(Err(e))) = tabs.try_join_next() {
        return Err(e);
    }
    tabs.abort_all();
    let refreshes = seen.refreshes.load(Ordering::Relaxed);
    progress(format!(
        "{DASHBOARDS} live dashboards: {during:.0} durable submissions/s; {refreshes} overview refreshes ({:.1}/s per dashboard)",
        refreshes as f64 / live_s / DASHBOARDS as f64
    ));
    let (_, after) = throughput(clients, submissions, in_flight, "live-c", &data).await?;
    let baseline = (before + after) / 2.0;
    let ratio = if baseline > 0.0 {
        during / baseline
    } else {
        0.0
    };
    progress(format!(
        "0 dashboards again: {after:.0}/s; with {DASHBOARDS} live dashboards the scheduler keeps {:.0}% of its rate ({during:.0} vs {baseline:.0}/s)",
        ratio * 100.0
    ));
    Ok(json!({
        "submissions": submissions,
        "in_flight": in_flight,
        "dashboards": DASHBOARDS,
        "per_second_without": baseline,
        "per_second_without_before": before,
        "per_second_without_after": after,
        "per_second_with": during,
        "ratio": ratio,
        "overview_refreshes": refreshes,
        "overview_bytes": seen.bytes.load(Ordering::Relaxed),
    }))
}
