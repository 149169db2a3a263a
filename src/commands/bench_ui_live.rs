//! The part of `dspy-agent bench --ui` that asks whether live dashboards slow the scheduler:
//! durable submissions/s with no dashboard open and with `DASHBOARDS` open and live, on the
//! same server in one run: `ROUNDS` runs of each, interleaved A-B-B-A, compared by their
//! medians (a shared machine is noisy). A dashboard is what a browser tab on the overview
//! does: one `GET /ui/stream?topics=tasks` stream, and a fetch of the overview page on every
//! `changed` event it sends (one fetch at a time, over its own keep-alive connection).

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

/// What the dashboards count: overview fetches.
#[derive(Default)]
struct Seen {
    refreshes: AtomicU64,
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
            // As the page's script asks: a live refresh.
            let (status, _) = crate::commands::bench_ui::get_with(
                &mut page,
                &http_addr,
                &token,
                "/ui/",
                "X-Live-Refresh: 1\r\n",
            )
            .await?;
            if status != 200 {
                return Err(Error::runtime(format!("the overview answered {status}")));
            }
            seen.refreshes.fetch_add(1, Ordering::Relaxed);
        } else {
            carry.drain(..cut);
        }
    }
}

/// Rounds of one run without and one with the dashboards, in A-B-B-A order (so the store's
/// growth from run to run weighs on both sides alike).
pub const ROUNDS: usize = 4;

/// One throughput run with `DASHBOARDS` live dashboards open: (per second, overview
/// refreshes, seconds).
async fn with_dashboards(
    clients: &[Client],
    http_addr: &str,
    token: &str,
    submissions: usize,
    in_flight: usize,
    prefix: &str,
) -> Result<(f64, u64, f64)> {
    let data: HashMap<String, String> = HashMap::from([("data".into(), "\"value\"".into())]);
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
    let (_, per_second) = throughput(clients, submissions, in_flight, prefix, &data).await?;
    // Let the last change be fetched, then close the tabs (their streams end with them).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(Ok(Err(e))) = tabs.try_join_next() {
        return Err(e);
    }
    tabs.abort_all();
    while tabs.join_next().await.is_some() {}
    Ok((per_second, seen.refreshes.load(Ordering::Relaxed), seconds))
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Submissions/s without and with `DASHBOARDS` live dashboards, `ROUNDS` runs each: the
/// report for `bench --ui`.
pub async fn compare(
    clients: &[Client],
    http_addr: &str,
    token: &str,
    submissions: usize,
    in_flight: usize,
    progress: impl Fn(String),
) -> Result<serde_json::Value> {
    let data: HashMap<String, String> = HashMap::from([("data".into(), "\"value\"".into())]);
    let (mut without, mut with) = (Vec::new(), Vec::new());
    let (mut refreshes, mut live_seconds) = (0u64, 0f64);
    for round in 0..ROUNDS {
        for dashboards_first in [round % 2 == 1, round % 2 == 0] {
            let prefix = format!("live-{round}-{}", u8::from(dashboards_first));
            if dashboards_first {
                let (per_second, n, seconds) =
                    with_dashboards(clients, http_addr, token, submissions, in_flight, &prefix)
                        .await?;
                refreshes += n;
                live_seconds += seconds;
                with.push(per_second);
                progress(format!(
                    "round {}: {DASHBOARDS} live dashboards: {per_second:.0} durable submissions/s ({n} overview refreshes)",
                    round + 1
                ));
            } else {
                let (_, per_second) =
                    throughput(clients, submissions, in_flight, &prefix, &data).await?;
                without.push(per_second);
                progress(format!(
                    "round {}: 0 dashboards: {per_second:.0} durable submissions/s",
                    round + 1
                ));
            }
        }
    }
    let (base, live) = (median(&without), median(&with));
    let ratio = if base > 0.0 { live / base } else { 0.0 };
    progress(format!(
        "durable submissions/s ({submissions} a run, {in_flight} in flight, median of {ROUNDS}): \
         {base:.0} with 0 dashboards, {live:.0} with {DASHBOARDS} live dashboards: ratio {ratio:.2} \
         ({:.1} overview refreshes/s per dashboard)",
        refreshes as f64 / live_seconds.max(1e-9) / DASHBOARDS as f64
    ));
    Ok(json!({
        "submissions": submissions,
        "in_flight": in_flight,
        "dashboards": DASHBOARDS,
        "rounds": ROUNDS,
        "per_second_without": base,
        "per_second_with": live,
        "ratio": ratio,
        "runs_without": without,
        "runs_with": with,
        "overview_refreshes": refreshes,
        "overview_refreshes_per_second_per_dashboard": refreshes as f64 / live_seconds.max(1e-9) / DASHBOARDS as f64,
    }))
}
