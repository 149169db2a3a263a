//! Logs of the project's services, merged: what `dspy-agent logs` prints and StreamLogs sends.
//!
//! Without `follow`, every selected container's log is read to its end and the lines come out
//! in Docker's timestamp order. With `follow`, lines come out as they arrive; services that
//! start later are attached within a second, and so is a container that Docker restarted (its
//! log stream ends when it stops), from the line after the last one sent. Everything stops
//! when the receiver is dropped.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::stack::Stack;
use crate::error::{Error, Result};
use crate::runtime::{ContainerInfo, LogLine, Runtime};

/// Lines buffered between the per-container readers and the consumer.
const CHANNEL_CAPACITY: usize = 1024;
/// How often `follow` looks for containers that started since.
const RESCAN: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Default)]
pub struct LogOptions {
    /// Services to read; empty means all of the project's.
    pub services: Vec<String>,
    pub follow: bool,
    /// Lines per container from the end of its log; `None` means all.
    pub tail: Option<u64>,
    /// Seconds since the epoch.
    pub since: Option<i64>,
    /// Without `follow`, the most bytes of messages read into memory (they are sorted before
    /// any is sent): past it the read stops with an error. `None`: no bound (the CLI's own
    /// `logs`, whose user asked for all of it).
    pub max_bytes: Option<usize>,
}

/// One log line of one service.
#[derive(Debug, Clone)]
pub struct ServiceLine {
    pub service: String,
    pub line: LogLine,
}

/// Lines in order; an `Err` ends the stream (the engine went away, or a log could not be read
/// to its end without `follow`).
pub type LogReceiver = mpsc::Receiver<Result<ServiceLine>>;

impl Stack {
    /// Start reading logs. Unknown service names are a usage error, before anything is read.
    pub async fn logs(&self, opts: LogOptions) -> Result<LogReceiver> {
        for s in &opts.services {
            if !self.catalog.services.contains_key(s) {
                return Err(Error::usage(format!("unknown service `{s}`")));
            }
        }
        let wanted: HashSet<String> = opts.services.iter().cloned().collect();
        let selected = move |c: &ContainerInfo| wanted.is_empty() || wanted.contains(&c.service);
        let containers: Vec<ContainerInfo> = self
            .runtime
            .project_containers(&self.project)
            .await?
            .into_iter()
            .filter(&selected)
            .collect();
        let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
        if !opts.follow {
            tokio::spawn(read_sorted(self.runtime.clone(), containers, opts, tx));
            return Ok(rx);
        }
        let followed = Followed::default();
        for c in &containers {
            followed.start(&c.id);
            spawn_follower(
                &self.runtime,
                c,
                opts.tail,
                opts.since,
                &followed,
                tx.clone(),
            );
        }
        // Attach to containers that start later, from the start of their logs, and again to a
        // restarted one, after the last line sent.
        let (runtime, project) = (self.runtime.clone(), self.project.clone());
        tokio::spawn(async move {
            let mut rescan = tokio::time::interval(RESCAN);
            rescan.tick().await;
            loop {
                tokio::select! {
                    _ = rescan.tick() => {}
                    _ = tx.closed() => return,
                }
                match runtime.project_containers(&project).await {
                    Ok(list) => {
                        for c in list.iter().filter(|c| selected(c) && c.running) {
                            if let Some(since) = followed.start(&c.id) {
                                spawn_follower(&runtime, c, None, since, &followed, tx.clone());
                            }
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.into())).await;
                        return;
                    }
                }
            }
        });
        Ok(rx)
    }
}

/// Read every log to its end, then send all lines in timestamp order (RFC 3339 strings of equal
/// precision sort as text). The first read error is sent instead of any line; so is going past
/// `opts.max_bytes`. Reading stops when the receiver goes.
async fn read_sorted(
    runtime: Runtime,
    containers: Vec<ContainerInfo>,
    opts: LogOptions,
    tx: mpsc::Sender<Result<ServiceLine>>,
) {
    let read_bytes = std::sync::atomic::AtomicUsize::new(0);
    let budget = opts.max_bytes.unwrap_or(usize::MAX);
    let reads = containers.iter().map(|c| {
        let mut lines = Box::pin(runtime.logs(&c.id, false, opts.tail, opts.since));
        let service = c.service.clone();
        let read_bytes = &read_bytes;
        async move {
            let mut out = Vec::new();
            while let Some(line) = lines.next().await {
                let line = line.map(|line| ServiceLine {
                    service: service.clone(),
                    line,
                });
                if let Ok(l) = &line {
                    let n = l.line.message.len() + l.line.timestamp.len();
                    let total = read_bytes.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
                    if total > budget {
                        out.push(Err(crate::runtime::RuntimeError::other(format!(
                            "the log is larger than {budget} bytes; ask for a shorter tail"
                        ))));
                        break;
                    }
                }
                out.push(line);
            }
            out
        }
    });
    let read = tokio::select! {
        read = futures_util::future::join_all(reads) => read,
        _ = tx.closed() => return,
    };
    let mut all = Vec::new();
    for line in read.into_iter().flatten() {
        match line {
            Ok(line) => all.push(line),
            Err(e) => {
                let _ = tx.send(Err(e.into())).await;
                return;
            }
        }
    }
    all.sort_by(|a, b| a.line.timestamp.cmp(&b.line.timestamp));
    for line in all {
        if tx.send(Ok(line)).await.is_err() {
            return;
        }
    }
}

/// Which containers a `follow` reads now, and the timestamp of the last line sent from each
/// whose stream ended (it stopped; it may be restarted).
#[derive(Clone, Default)]
struct Followed(Arc<Mutex<FollowedInner>>);

#[derive(Default)]
struct FollowedInner {
    reading: HashSet<String>,
    last_sent: HashMap<String, Option<String>>,
}

impl Followed {
    fn lock(&self) -> std::sync::MutexGuard<'_, FollowedInner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Mark `id` as read from now on. `None`: it already is. `Some(since)`: start its reader
    /// from `since` (seconds; `None` for a container never read, from its start).
    fn start(&self, id: &str) -> Option<Option<i64>> {
        let mut g = self.lock();
        if !g.reading.insert(id.to_string()) {
            return None;
        }
        let last = g.last_sent.get(id).cloned().flatten();
        Some(last.as_deref().and_then(rfc3339_seconds))
    }

    /// The last line sent from `id`, if one was (lines up to it are skipped when re-read).
    fn last_sent(&self, id: &str) -> Option<String> {
        self.lock().last_sent.get(id).cloned().flatten()
    }

    /// `id`'s reader ended after sending up to `last`.
    fn ended(&self, id: &str, last: Option<String>) {
        let mut g = self.lock();
        g.reading.remove(id);
        let kept = g.last_sent.entry(id.to_string()).or_default();
        if last.is_some() {
            *kept = last;
        }
    }
}

/// Whole seconds since the epoch of an RFC 3339 timestamp as Docker writes them.
fn rfc3339_seconds(ts: &str) -> Option<i64> {
    let t = humantime::parse_rfc3339_weak(ts.trim_end_matches('Z')).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}

/// Follow one container's log until it ends, fails or nobody listens. A failed stream ends
/// only this container's part: the container may simply have been removed, or stopped (and
/// the rescan attaches again if it comes back). Lines at or before the last one sent from this
/// container are skipped: a re-read starts at a whole second.
fn spawn_follower(
    runtime: &Runtime,
    c: &ContainerInfo,
    tail: Option<u64>,
    since: Option<i64>,
    followed: &Followed,
    tx: mpsc::Sender<Result<ServiceLine>>,
) {
    let mut lines = Box::pin(runtime.logs(&c.id, true, tail, since));
    let (id, service, followed) = (c.id.clone(), c.service.clone(), followed.clone());
    let mut last = followed.last_sent(&id);
    let attached_at = std::time::SystemTime::now();
    tokio::spawn(async move {
        loop {
            let next = tokio::select! {
                next = lines.next() => next,
                _ = tx.closed() => break,
            };
            let line = match next {
                Some(Ok(line)) => line,
                Some(Err(e)) => {
                    tracing::debug!("log stream of {service} ended: {e}");
                    break;
                }
                None => break,
            };
            // RFC 3339 strings of equal precision order as text.
            if last.as_ref().is_some_and(|l| line.timestamp <= *l) {
                continue;
            }
            last = Some(line.timestamp.clone());
            let line = ServiceLine {
                service: service.clone(),
                line,
            };
            if tx.send(Ok(line)).await.is_err() {
                break;
            }
        }
        // Nothing sent (`--tail 0`, or a quiet log): what came before the attach was left
        // out on purpose, so a re-attach starts there, in Docker's fixed-width format.
        let last = last.or_else(|| Some(humantime::format_rfc3339_nanos(attached_at).to_string()));
        followed.ended(&id, last);
    });
}
