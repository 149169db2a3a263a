//! A service's log on the dashboard, from the same `Stack::logs` as `dspy-agent logs` and
//! StreamLogs:
//! - `GET /ui/services/{name}/logs/stream?tail=N&q=TEXT`: server-sent events, `event: line` per
//!   log line (`{"t": timestamp, "s": stream, "m": message}`), only the lines holding `q`
//!   (case-insensitive; the search happens here, not in the browser), keep-alives, and a last
//!   `event: end` with why it ended (the session expired or logged out, the server is stopping,
//!   the engine failed). `ui/logs.js` reads it.
//! - `GET /ui/services/{name}/logs.txt?tail=N&q=TEXT`: the same lines as a download
//!   (`Content-Disposition: attachment`), bounded in lines and bytes.
//!
//! Bounded: at most `MAX_PER_SESSION` open at once per session (or bearer token) and
//! `MAX_STREAMS` in all; one more is refused with 429. Lines are cut at `MAX_LINE` bytes.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::services::known_service;
use super::{Viewer, error_page, url_decode_pairs};
use crate::lifecycle::{LogOptions, LogReceiver, ServiceLine};
use crate::server::context::ServerCtx;
use crate::server::html::page_headers;

/// Log streams (and downloads) one session may have open at once. A browser allows six
/// HTTP/1.1 connections per origin; the dashboard's own stream takes one.
pub const MAX_PER_SESSION: usize = 3;
/// Log streams open at once, all sessions together.
pub const MAX_STREAMS: usize = 64;
/// The longest tail a stream starts with.
pub const MAX_TAIL: u64 = 5_000;
/// A download's tail unless asked, and the most it may ask for.
pub const DOWNLOAD_DEFAULT_TAIL: u64 = 5_000;
pub const DOWNLOAD_MAX_TAIL: u64 = 100_000;
/// A download stops (with a note) past this size.
const DOWNLOAD_MAX_BYTES: usize = 16 << 20;
/// A longer log line is cut (on a character boundary).
const MAX_LINE: usize = 16 * 1024;
/// Events waiting for a slow client, per stream (each line at most `MAX_LINE`).
const EVENTS_BUFFERED: usize = 64;
/// The longest search text.
const MAX_QUERY: usize = 200;
/// How often an open stream checks its session and the server's shutdown.
const CHECK_EVERY: Duration = Duration::from_secs(1);
const KEEP_ALIVE: Duration = Duration::from_secs(10);
/// How long Docker may take to start a read or finish a download.
const ENGINE_WAIT: Duration = Duration::from_secs(5);
const DOWNLOAD_WAIT: Duration = Duration::from_secs(30);

/// The open log streams, per session.
pub struct LogStreams {
    ctx: Arc<ServerCtx>,
    open: Mutex<HashMap<String, usize>>,
}

/// A place among the open streams, given back when dropped.
struct Slot {
    streams: Arc<LogStreams>,
    owner: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.streams.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.owner) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.owner);
            }
        }
    }
}

impl LogStreams {
    /// A place for one more stream of `owner`, or why not.
    fn admit(self: &Arc<Self>, owner: &str) -> Result<Slot, String> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(owner).copied().unwrap_or(0);
        if mine >= MAX_PER_SESSION {
            return Err(format!(
                "this session has {mine} log streams open (at most {MAX_PER_SESSION}); close a tab showing a log"
            ));
        }
        if total >= MAX_STREAMS {
            return Err(format!(
                "the server has {total} log streams open (at most {MAX_STREAMS}); try again later"
            ));
        }
        *open.entry(owner.to_string()).or_default() += 1;
        Ok(Slot {
            streams: self.clone(),
            owner: owner.to_string(),
        })
    }
}

/// The log routes, with their own state (the per-session count).
pub fn router(ctx: Arc<ServerCtx>) -> Router {
    let streams = Arc::new(LogStreams {
        ctx,
        open: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/ui/services/{name}/logs/stream", get(stream))
        .route("/ui/services/{name}/logs.txt", get(download))
        .with_state(streams)
}

/// What a log request asks: the tail and the search text.
#[derive(Debug, PartialEq)]
struct Ask {
    tail: u64,
    q: String,
}

fn parse_ask(query: Option<&str>, default_tail: u64, max_tail: u64) -> Result<Ask, String> {
    let mut ask = Ask {
        tail: default_tail,
        q: String::new(),
    };
    for (k, v) in url_decode_pairs(query.unwrap_or("")) {
        match k.as_str() {
            "tail" => {
                ask.tail = match v.parse::<u64>() {
                    Ok(n) if n <= max_tail => n,
                    _ => {
                        return Err(format!(
                            "tail must be a whole number from 0 to {max_tail}, got {v:?}"
                        ));
                    }
                }
            }
            "q" => {
                if v.chars().count() > MAX_QUERY {
                    return Err(format!("q is longer than {MAX_QUERY} characters"));
                }
                ask.q = v.to_lowercase();
            }
            _ => {}
        }
    }
    Ok(ask)
}

fn matches(q: &str, message: &str) -> bool {
    q.is_empty() || message.to_lowercase().contains(q)
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_LINE {
        let mut end = MAX_LINE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// Who the per-session bound counts: the session, or the bearer token's name.
fn owner(viewer: &Viewer) -> String {
    match (&viewer.session, &viewer.caller) {
        (Some(s), _) => format!("session:{}", s.key()),
        (None, Some(c)) => format!("token:{}", c.name),
        (None, None) => "anonymous".into(),
    }
}

/// Why a log request is refused: the status and the message of its error page.
type Refusal = (StatusCode, String);

/// Start reading `name`'s log, bounded in time.
async fn open_log(
    ctx: &ServerCtx,
    name: &str,
    follow: bool,
    tail: u64,
) -> Result<LogReceiver, Refusal> {
    let opened = tokio::time::timeout(ENGINE_WAIT, async {
        let stack = ctx.stack().await?;
        stack
            .logs(LogOptions {
                services: vec![name.to_string()],
                follow,
                tail: Some(tail),
                since: None,
                // Lines are cut to 16 KiB and the download to 16 MiB after the sort.
                max_bytes: Some(4 * DOWNLOAD_MAX_BYTES),
            })
            .await
    })
    .await;
    match opened {
        Ok(Ok(rx)) => Ok(rx),
        Ok(Err(e)) => Err((
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the log of {name} cannot be read: {}", e.message),
        )),
        Err(_) => Err((
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the Docker engine did not answer within {}s",
                ENGINE_WAIT.as_secs()
            ),
        )),
    }
}

/// The checks every log request passes: a known service, a valid query, a free slot. Then
/// the log, opened.
async fn admit(
    streams: &Arc<LogStreams>,
    viewer: &Viewer,
    name: &str,
    query: Option<&str>,
    follow: bool,
) -> Result<(Ask, Slot, LogReceiver), Refusal> {
    if !known_service(&streams.ctx, name) {
        return Err((
            StatusCode::NOT_FOUND,
            format!("no service named {name:?} in this server's services file"),
        ));
    }
    let tails = if follow {
        (super::services::VIEW_TAIL, MAX_TAIL)
    } else {
        (DOWNLOAD_DEFAULT_TAIL, DOWNLOAD_MAX_TAIL)
    };
    let ask = parse_ask(query, tails.0, tails.1).map_err(|why| (StatusCode::BAD_REQUEST, why))?;
    let slot = streams
        .admit(&owner(viewer))
        .map_err(|why| (StatusCode::TOO_MANY_REQUESTS, why))?;
    let lines = open_log(&streams.ctx, name, follow, ask.tail).await?;
    Ok((ask, slot, lines))
}

fn line_event(l: &ServiceLine) -> SseEvent {
    let data = serde_json::json!({
        "t": l.line.timestamp,
        "s": l.line.stream,
        "m": cut(l.line.message.clone()),
    });
    SseEvent::default().event("line").data(data.to_string())
}

/// GET /ui/services/{name}/logs/stream.
async fn stream(
    State(streams): State<Arc<LogStreams>>,
    viewer: Viewer,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (ask, slot, mut lines) = match admit(&streams, &viewer, &name, query.as_deref(), true).await
    {
        Ok(v) => v,
        Err((status, why)) => return error_page(&viewer, status, &why),
    };
    let (tx, rx) = mpsc::channel::<SseEvent>(EVENTS_BUFFERED);
    let ctx = streams.ctx.clone();
    let session = viewer.session.clone();
    tokio::spawn(async move {
        let _slot = slot;
        let mut check = tokio::time::interval(CHECK_EVERY);
        let ended = loop {
            tokio::select! {
                line = lines.recv() => match line {
                    Some(Ok(l)) => {
                        if matches(&ask.q, &l.line.message) && tx.send(line_event(&l)).await.is_err() {
                            return;
                        }
                    }
                    Some(Err(e)) => break format!("the log stream failed: {}", e.message),
                    None => break "the log ended".to_string(),
                },
                _ = check.tick() => {
                    if ctx.sched.is_draining() {
                        break "the server is stopping".to_string();
                    }
                    if let Some(s) = &session
                        && !ctx.gate.session_open(s)
                    {
                        break "the session ended: log in again".to_string();
                    }
                }
                _ = tx.closed() => return,
            }
        };
        let _ = tx.send(SseEvent::default().event("end").data(ended)).await;
    });
    let sse = Sse::new(ReceiverStream::new(rx).map(Ok::<_, Infallible>))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    let mut r = sse.into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page_headers(r.headers_mut());
    r
}

/// GET /ui/services/{name}/logs.txt.
async fn download(
    State(streams): State<Arc<LogStreams>>,
    viewer: Viewer,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let (ask, _slot, mut lines) =
        match admit(&streams, &viewer, &name, query.as_deref(), false).await {
            Ok(v) => v,
            Err((status, why)) => return error_page(&viewer, status, &why),
        };
    let mut text = String::new();
    let read = tokio::time::timeout(DOWNLOAD_WAIT, async {
        while let Some(line) = lines.recv().await {
            let l = line.map_err(|e| e.message)?;
            if !matches(&ask.q, &l.line.message) {
                continue;
            }
            let row = format!(
                "{} [{}] {}\n",
                l.line.timestamp,
                l.line.stream,
                cut(l.line.message)
            );
            if text.len() + row.len() > DOWNLOAD_MAX_BYTES {
                text.push_str("… (cut: the download is bounded; ask for a shorter tail)\n");
                break;
            }
            text.push_str(&row);
        }
        Ok::<(), String>(())
    })
    .await;
    match read {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return error_page(
                &viewer,
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("the log of {name} cannot be read: {e}"),
            );
        }
        Err(_) => {
            return error_page(
                &viewer,
                StatusCode::SERVICE_UNAVAILABLE,
                &format!(
                    "the log of {name} was not read within {}s",
                    DOWNLOAD_WAIT.as_secs()
                ),
            );
        }
    }
    let file: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut r = (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}-logs.txt\""),
            ),
        ],
        text,
    )
        .into_response();
    page_headers(r.headers_mut());
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_parse_and_are_bounded() {
        assert_eq!(
            parse_ask(Some("tail=5&q=Ready+To"), 200, 5000).unwrap(),
            Ask {
                tail: 5,
                q: "ready to".into()
            }
        );
        assert_eq!(parse_ask(None, 200, 5000).unwrap().tail, 200);
        assert!(parse_ask(Some("tail=-1"), 200, 5000).is_err());
        assert!(parse_ask(Some("tail=5001"), 200, 5000).is_err());
        let long = format!("q={}", "x".repeat(MAX_QUERY + 1));
        assert!(parse_ask(Some(&long), 200, 5000).is_err());
        assert!(matches("ready", "Ready to accept connections"));
        assert!(!matches("ready", "Server initialized"));
        assert!(matches("", "anything"));
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        let line = "é".repeat(MAX_LINE);
        let cut = cut(line);
        assert!(cut.len() <= MAX_LINE + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }
}
