//! The durable task store: an append-only journal under `$DSPY_AGENT_HOME/store/`.
//!
//! Every change of a task appends one JSON line (`put` with the whole task, or `del`), with a
//! CRC32C of the line (`record.rs`). One writer thread owns the file: it takes every record
//! waiting at that moment, writes them in one go, calls `fdatasync` once, and only then
//! acknowledges the durable ones (group commit), so concurrent submissions share a sync. On open
//! the journal is checked and replayed (`check.rs`: a torn last line from a crash is dropped;
//! a damaged or unknown record is never applied, the journal is copied aside first, and the
//! tasks it names come back failed) and rewritten compacted; it is compacted again when it
//! grows large. This module is the only code that touches the files under `store/`.

mod check;
mod record;
pub mod side_log;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::server::task::Task;

pub use check::{Damage, LOST, Report};
use record::{encode_del, encode_put};

const JOURNAL: &str = "journal.ndjson";
/// Records written in one group at most (one write, one sync).
const MAX_GROUP: usize = 4096;

/// Live tasks read back from the journal, each with its payload while it has one.
pub type Loaded = Vec<(Task, Option<String>)>;

enum Msg {
    Append {
        bytes: Vec<u8>,
        /// How many records `bytes` holds (a batch's share one message and one ack).
        records: usize,
        ack: Option<oneshot::Sender<std::result::Result<(), String>>>,
    },
    /// Replace the journal with this compacted content (everything sent before is in it).
    Compact(Vec<u8>),
    /// Acknowledged once everything sent before is on disk.
    Flush(oneshot::Sender<()>),
}

/// Test hooks: hold the writer, or make its next write fail part-way (as a full disk does).
#[cfg(test)]
#[derive(Default)]
pub struct Faults {
    pub gate: std::sync::Mutex<()>,
    /// Write this many bytes of the next group, then fail with ENOSPC.
    pub fail_after: std::sync::Mutex<Option<usize>>,
    /// Panic in the next group's write.
    pub panic_next: std::sync::Mutex<bool>,
}

/// What the writer says about its writes: failures so far and, while the last one failed, why
/// (a full disk, say). The next group that reaches the disk clears it: the writer tries every
/// group anew, so submissions succeed again once space returns.
#[derive(Default)]
pub struct WriteHealth {
    errors: AtomicU64,
    failing: std::sync::Mutex<Option<String>>,
}

impl WriteHealth {
    fn failed(&self, why: &str) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = Some(why.to_string());
    }

    fn succeeded(&self) {
        let mut failing = self.failing.lock().unwrap_or_else(|p| p.into_inner());
        if failing.is_some() {
            *failing = None;
        }
    }
}

/// Handle to the writer thread. Cheap to share behind an Arc.
pub struct Store {
    tx: mpsc::UnboundedSender<Msg>,
    /// Records sent but not yet written: bounded by the scheduler's submit check.
    pending: Arc<AtomicUsize>,
    /// Bytes in the current journal file.
    bytes: Arc<AtomicU64>,
    /// fdatasync calls so far: with group commit, far fewer than records.
    syncs: Arc<AtomicU64>,
    health: Arc<WriteHealth>,
    #[cfg(test)]
    pub faults: Arc<Faults>,
}

impl Store {
    /// Open (creating) the store, replay the journal, write it back compacted, and start the
    /// writer. Returns the live tasks with their payloads. A damaged journal is copied aside
    /// and its lost tasks come back failed (see `open_checked`).
    pub fn open(dir: &Path) -> Result<(Store, Loaded)> {
        Self::open_checked(dir, false).map(|(s, l, _)| (s, l))
    }

    /// As `open`, with the report of what the journal held. `strict`: refuse a damaged journal
    /// (leaving it untouched) instead of copying it aside and going on without the lost records.
    pub fn open_checked(dir: &Path, strict: bool) -> Result<(Store, Loaded, Report)> {
        crate::state::ensure_home(dir)?;
        let path = dir.join(JOURNAL);
        let (tasks, report) = prepare(dir, strict)?;
        save_report(dir, &report);
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::runtime(format!("cannot open {}: {e}", path.display())))?;
        // Payloads are private to the user (a journal from before this rule is narrowed too).
        let _ = crate::state::narrow_to_owner(&file);
        let len = file.metadata().map_or(0, |m| m.len());
        let (tx, rx) = mpsc::unbounded_channel();
        let pending = Arc::new(AtomicUsize::new(0));
        let size = Arc::new(AtomicU64::new(len));
        let syncs = Arc::new(AtomicU64::new(0));
        let health = Arc::new(WriteHealth::default());
        #[cfg(test)]
        let faults = Arc::new(Faults::default());
        let writer = Writer {
            dir: dir.to_path_buf(),
            file,
            len,
            pending: pending.clone(),
            bytes: size.clone(),
            syncs: syncs.clone(),
            health: health.clone(),
            in_group: 0,
            #[cfg(test)]
            faults: faults.clone(),
        };
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer.serve(rx))
            .map_err(|e| Error::runtime(format!("cannot start the store writer: {e}")))?;
        Ok((
            Store {
                tx,
                pending,
                bytes: size,
                syncs,
                health,
                #[cfg(test)]
                faults,
            },
            tasks,
            report,
        ))
    }

    /// Records waiting for the writer.
    pub fn backlog(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    pub fn journal_bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Failed journal writes and compactions so far (`store_write_errors_total`).
    pub fn write_errors(&self) -> u64 {
        self.health.errors.load(Ordering::Relaxed)
    }

    /// Why the last journal write failed, while writes fail (a full disk): the server is
    /// degraded, since submissions are refused until a write succeeds again.
    pub fn failing(&self) -> Option<String> {
        self.health
            .failing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Append without waiting. Order between appends is kept.
    pub fn put(&self, task: &Task) {
        let mut bytes = Vec::with_capacity(256);
        encode_put(&mut bytes, task, None, false);
        self.send(bytes, None);
    }

    /// Append the new task with its payload; the receiver answers once it is fsync'd.
    pub fn put_durable(
        &self,
        task: &Task,
        payload: &str,
    ) -> oneshot::Receiver<std::result::Result<(), String>> {
        let mut bytes = Vec::with_capacity(256 + payload.len());
        Self::encode_durable(&mut bytes, task, payload);
        self.put_durable_batch(bytes, 1)
    }

    /// Add a new task's record to a batch's buffer, for `put_durable_batch`.
    pub fn encode_durable(buf: &mut Vec<u8>, task: &Task, payload: &str) {
        encode_put(buf, task, Some(payload), true);
    }

    /// Send the `records` records of a batch (`encode_durable`) as one message, with one
    /// acknowledgement once all are on disk: a SubmitTasks call's thousand records cost one
    /// channel message and one wake of the writer rather than a thousand.
    pub fn put_durable_batch(
        &self,
        bytes: Vec<u8>,
        records: usize,
    ) -> oneshot::Receiver<std::result::Result<(), String>> {
        let (ack, rx) = oneshot::channel();
        self.send_records(bytes, records, Some(ack));
        rx
    }

    pub fn delete(&self, id: &str) {
        let mut bytes = Vec::with_capacity(64);
        encode_del(&mut bytes, id);
        self.send(bytes, None);
    }

    /// Replace the journal with these live tasks. The caller holds the scheduler's lock, so
    /// every record sent before is reflected in `tasks`.
    pub fn compact<'a>(&self, tasks: impl Iterator<Item = (&'a Task, Option<&'a str>)>) {
        let mut bytes = Vec::new();
        for (task, payload) in tasks {
            encode_put(&mut bytes, task, payload, true);
        }
        let _ = self.tx.send(Msg::Compact(bytes));
    }

    /// Wait until everything appended so far is on disk.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    fn send(&self, bytes: Vec<u8>, ack: Option<oneshot::Sender<std::result::Result<(), String>>>) {
        self.send_records(bytes, 1, ack);
    }

    fn send_records(
        &self,
        bytes: Vec<u8>,
        records: usize,
        ack: Option<oneshot::Sender<std::result::Result<(), String>>>,
    ) {
        self.pending.fetch_add(records, Ordering::Relaxed);
        if let Err(mpsc::error::SendError(Msg::Append { ack: Some(ack), .. })) =
            self.tx.send(Msg::Append {
                bytes,
                records,
                ack,
            })
        {
            let _ = ack.send(Err("the store writer has stopped".into()));
        }
    }
}

/// Check the journal and write it back compacted: the loaded tasks and the report. A damaged
/// journal is copied aside first (or, `strict`, refused untouched).
fn prepare(dir: &Path, strict: bool) -> Result<(Loaded, Report)> {
    let path = dir.join(JOURNAL);
    let (tasks, mut report) = check::read(&path, crate::server::clock::now_ms())?;
    if !report.is_clean() {
        if strict {
            return Err(refusal(&report));
        }
        report.copy = Some(check::keep_copy(dir)?);
    }
    let mut bytes = Vec::new();
    for (task, payload) in &tasks {
        encode_put(&mut bytes, task, payload.as_deref(), true);
    }
    if let Err(e) = rewrite(dir, &bytes) {
        let _ = std::fs::remove_file(dir.join(format!("{JOURNAL}.tmp")));
        // A clean journal is as good as its compacted copy: on a disk too full for the copy
        // (a second journal's worth), start on it as it is rather than not at all.
        if report.is_clean() && !report.torn_tail {
            tracing::warn!(
                "cannot compact the journal {} at start ({e}); going on with it as it is",
                path.display()
            );
            return Ok((tasks, report));
        }
        return Err(Error::runtime(format!(
            "cannot compact the journal {}: {e}",
            path.display()
        )));
    }
    Ok((tasks, report))
}

/// What `serve --strict-journal` says about a damaged journal.
fn refusal(report: &Report) -> Error {
    let first = report
        .damaged
        .iter()
        .chain(&report.unknown)
        .min_by_key(|d| d.line);
    Error::runtime(format!(
        "the journal {} is damaged: line {}: {} ({} record(s) lost in all); refusing to start \
         (strict journal)\nhint: see what is lost with `dspy-agent store check`, then run \
         `dspy-agent store repair` (keeps the original as a .corrupt-<time> copy and marks the \
         tasks it names failed), or start without --strict-journal to do the same at start",
        report.journal.display(),
        first.map_or(0, |d| d.line),
        first.map_or("", |d| d.reason.as_str()),
        report.records_lost(),
    ))
}

/// Keep the report of a damaged journal for `serve status`; a clean start removes it.
fn save_report(dir: &Path, report: &Report) {
    let path = dir.join(check::REPORT);
    if report.is_clean() {
        let _ = std::fs::remove_file(&path);
        return;
    }
    let tmp = dir.join(format!("{}.tmp", check::REPORT));
    let written = serde_json::to_vec_pretty(report)
        .map_err(std::io::Error::other)
        .and_then(|b| std::fs::write(&tmp, b))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        tracing::warn!("cannot write {}: {e}", path.display());
    }
}

/// The report the running server's start wrote, if its journal was damaged.
pub fn start_report(dir: &Path) -> Option<Report> {
    let bytes = std::fs::read(dir.join(check::REPORT)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Check the journal without changing anything (`dspy-agent store check`). The caller makes
/// sure no server runs on it.
pub fn check(dir: &Path) -> Result<Report> {
    check::read(&dir.join(JOURNAL), crate::server::clock::now_ms()).map(|(_, r)| r)
}

/// Write a clean journal (`dspy-agent store repair`): a damaged one is copied aside first and
/// the tasks it names are kept as failed. A clean journal is left as it is. The caller holds
/// the serve lock.
pub fn repair(dir: &Path) -> Result<Report> {
    let report = check(dir)?;
    if report.is_clean() {
        return Ok(report);
    }
    prepare(dir, false).map(|(_, r)| r)
}

/// Write `bytes` as the new journal: temp file, fsync, rename, fsync the directory.
fn rewrite(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!("{JOURNAL}.tmp"));
    let mut f = crate::state::create_private(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, dir.join(JOURNAL))?;
    File::open(dir)?.sync_all()
}

struct Writer {
    dir: PathBuf,
    file: File,
    /// Length of the journal up to its last complete, written group.
    len: u64,
    #[cfg(test)]
    faults: Arc<Faults>,
    pending: Arc<AtomicUsize>,
    bytes: Arc<AtomicU64>,
    syncs: Arc<AtomicU64>,
    health: Arc<WriteHealth>,
    /// Records taken into the group under way (still counted in `pending`).
    in_group: usize,
}

impl Writer {
    /// Run until every Store handle is gone. A panic (a bug, or a logger that panics) loses the
    /// group under way, unacknowledged, and never the writer: later records are written.
    fn serve(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        loop {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run(&mut rx)));
            match run {
                Ok(()) => return,
                Err(_) => {
                    self.health
                        .failed("the journal writer panicked; the group under way was lost");
                    // Its records are no longer waiting.
                    self.pending.fetch_sub(self.in_group, Ordering::Relaxed);
                    self.in_group = 0;
                    let _ = self.file.set_len(self.len);
                }
            }
        }
    }

    fn run(&mut self, rx: &mut mpsc::UnboundedReceiver<Msg>) {
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut acks = Vec::new();
        let mut flushes = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            let mut next = Some(first);
            // Drain what is waiting now: this group shares one write and one sync.
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Append {
                        bytes,
                        records,
                        ack,
                    } => {
                        self.in_group += records;
                        buf.extend_from_slice(&bytes);
                        if let Some(ack) = ack {
                            acks.push(ack);
                        }
                    }
                    Msg::Flush(tx) => flushes.push(tx),
                    Msg::Compact(snapshot) => {
                        // Write what came before into the old file first (it is in the snapshot
                        // anyway), then swap in the compacted file.
                        self.commit(&mut buf, &mut acks);
                        match rewrite(&self.dir, &snapshot).and_then(|()| {
                            OpenOptions::new().append(true).open(self.dir.join(JOURNAL))
                        }) {
                            Ok(f) => {
                                self.file = f;
                                self.len = snapshot.len() as u64;
                                self.bytes.store(snapshot.len() as u64, Ordering::Relaxed);
                            }
                            Err(e) => {
                                self.health
                                    .failed(&format!("journal compaction failed: {e}"));
                                tracing::error!("journal compaction failed: {e}");
                            }
                        }
                    }
                }
                if self.in_group < MAX_GROUP {
                    next = rx.try_recv().ok();
                }
            }
            self.commit(&mut buf, &mut acks);
            self.pending.fetch_sub(self.in_group, Ordering::Relaxed);
            self.in_group = 0;
            for f in flushes.drain(..) {
                let _ = f.send(());
            }
        }
        self.commit(&mut buf, &mut acks);
    }

    fn commit(
        &mut self,
        buf: &mut Vec<u8>,
        acks: &mut Vec<oneshot::Sender<std::result::Result<(), String>>>,
    ) {
        if buf.is_empty() && acks.is_empty() {
            return;
        }
        #[cfg(test)]
        let faults = self.faults.clone();
        #[cfg(test)]
        let _gate = faults.gate.lock().unwrap_or_else(|p| p.into_inner());
        let result = self
            .write_group(buf)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| format!("journal write failed: {e}"));
        self.syncs.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = &result {
            self.health.failed(e);
            tracing::error!("{e}");
            // A partial write (a full disk) leaves a torn line: cut the file back to the last
            // complete group, so that later records do not glue onto it and replay does not
            // drop them. Nothing of this group is acknowledged.
            if let Err(e) = self
                .file
                .set_len(self.len)
                .and_then(|()| self.file.sync_data())
            {
                tracing::error!("cannot truncate the journal after a failed write: {e}");
            }
        } else {
            self.health.succeeded();
            self.len += buf.len() as u64;
            self.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
        buf.clear();
        if buf.capacity() > 8 << 20 {
            buf.shrink_to(1 << 20);
        }
        for ack in acks.drain(..) {
            let _ = ack.send(result.clone());
        }
    }

    fn write_group(&mut self, buf: &[u8]) -> std::io::Result<()> {
        #[cfg(test)]
        if let Some(n) = self
            .faults
            .fail_after
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            self.file.write_all(&buf[..n.min(buf.len())])?;
            return Err(std::io::Error::from(rustix::io::Errno::NOSPC));
        }
        #[cfg(test)]
        if std::mem::take(
            &mut *self
                .faults
                .panic_next
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        ) {
            panic!("test: the writer panics");
        }
        self.file.write_all(buf)
    }
}

#[cfg(test)]
mod tests;
