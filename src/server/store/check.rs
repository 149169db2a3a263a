//! Reading the journal back: what it holds, and a report of what could not be trusted.
//!
//! A damaged line (wrong or missing checksum, JSON that does not read) is never applied. Nor is
//! an unknown record: an update for a task whose creation the journal does not have. A task
//! that such a line names, where its id can be read, comes back `failed` with the error
//! `journal record lost`, unless a later intact record rebuilds it. A torn last line (no
//! newline: a crash mid-write) is expected and dropped without a report.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::record::{self, Line, Record};
use super::{JOURNAL, Loaded};
use crate::error::{Error, Result};
use crate::server::task::{Task, TaskState};

/// The error of a task rebuilt from a damaged journal.
pub const LOST: &str = "journal record lost";
/// Where a server's start wrote the report of a damaged journal (for `serve status`).
pub(super) const REPORT: &str = "journal-report.json";

/// What reading the journal found.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Report {
    pub journal: PathBuf,
    /// Lines read (the torn last line included).
    pub lines: usize,
    /// Lines without a checksum (written before checksums existed): accepted, not verified.
    pub legacy_lines: usize,
    /// Lines that failed their check: never applied.
    pub damaged: Vec<Damage>,
    /// Intact updates for tasks whose creation is missing: never applied.
    pub unknown: Vec<Damage>,
    /// Tasks that come back `failed` with `journal record lost`.
    pub lost_tasks: Vec<String>,
    /// The last line was torn by a crash mid-write (expected; dropped silently).
    pub torn_tail: bool,
    /// Where the damaged journal was copied before it was rewritten.
    pub copy: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Damage {
    pub line: usize,
    pub task_id: Option<String>,
    pub reason: String,
}

impl Report {
    /// Records lost: damaged lines and unknown updates (the torn last line is not counted).
    pub fn records_lost(&self) -> usize {
        self.damaged.len() + self.unknown.len()
    }

    pub fn is_clean(&self) -> bool {
        self.records_lost() == 0
    }

    /// The first bad line, for messages.
    pub fn first_line(&self) -> Option<usize> {
        self.damaged
            .iter()
            .chain(&self.unknown)
            .map(|d| d.line)
            .min()
    }

    /// One paragraph a user can act on.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "the journal {} has {} lost record(s) (first at line {}); {} task(s) marked failed with `{LOST}`",
            self.journal.display(),
            self.records_lost(),
            self.first_line().unwrap_or(0),
            self.lost_tasks.len()
        );
        if let Some(copy) = &self.copy {
            s.push_str(&format!("; the original is kept as {}", copy.display()));
        }
        s
    }
}

struct Entry {
    task: Option<Task>,
    payload: Option<String>,
    /// A creation or snapshot record was read: the task can be rebuilt.
    based: bool,
    /// A damaged line named it after its last intact record.
    damaged: bool,
    /// What a damaged line said of it, when nothing intact did.
    template: Option<Box<Task>>,
}

/// Read the journal at `path`: the tasks to load (lost ones `failed`) and the report. Reads
/// only.
pub fn read(path: &Path, now_ms: u64) -> Result<(Loaded, Report)> {
    let mut report = Report {
        journal: path.to_path_buf(),
        ..Report::default()
    };
    let mut bytes = Vec::new();
    match std::fs::File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes)
                .map_err(|e| Error::runtime(format!("cannot read {}: {e}", path.display())))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((vec![], report)),
        Err(e) => {
            return Err(Error::runtime(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    }
    let mut live: HashMap<String, Entry> = HashMap::new();
    let mut order: Vec<String> = Vec::new();

    let mut lines = bytes.split(|&b| b == b'\n').peekable();
    let mut lineno = 0usize;
    while let Some(line) = lines.next() {
        // The piece after the final newline is empty; a non-empty one is a torn last line.
        let last = lines.peek().is_none();
        if last && line.is_empty() {
            break;
        }
        lineno += 1;
        report.lines = lineno;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let (rec, legacy) = match record::decode(line) {
            Line::Verified(r) => (r, false),
            Line::Legacy(r) => (r, true),
            Line::Damaged { .. } if last => {
                report.torn_tail = true;
                break;
            }
            Line::Damaged { reason, id, task } => {
                if let Some(id) = &id {
                    let e = get(&mut live, &mut order, id);
                    e.damaged = true;
                    if e.template.is_none() {
                        e.template = task;
                    }
                }
                report.damaged.push(Damage {
                    line: lineno,
                    task_id: id,
                    reason,
                });
                continue;
            }
        };
        if legacy {
            report.legacy_lines += 1;
        }
        match rec {
            Record::Put {
                task,
                payload,
                base,
            } => {
                // Before checksums, creation carried the payload and compaction wrote finished
                // tasks without one.
                let base = base || payload.is_some() || (legacy && task.state.is_terminal());
                let e = get(&mut live, &mut order, &task.id);
                if !base && !e.based && e.task.is_none() && !e.damaged {
                    report.unknown.push(Damage {
                        line: lineno,
                        task_id: Some(task.id.clone()),
                        reason: "an update for a task whose creation is missing".into(),
                    });
                }
                e.based |= base;
                if payload.is_some() {
                    e.payload = payload;
                }
                e.damaged = false;
                e.task = Some(*task);
            }
            Record::Del { id } => {
                live.remove(&id);
            }
        }
    }
    let mut loaded = Vec::new();
    for id in order {
        let Some(e) = live.remove(&id) else { continue };
        if e.based
            && !e.damaged
            && let Some(task) = e.task
        {
            loaded.push((task, e.payload));
            continue;
        }
        let mut task = e
            .task
            .or(e.template.map(|t| *t))
            .unwrap_or_else(|| placeholder(&id));
        task.id = id.clone();
        task.state = TaskState::Failed;
        task.error = LOST.into();
        task.result.clear();
        task.worker_id = None;
        task.pgid = None;
        if task.finished_at_ms == 0 {
            task.finished_at_ms = now_ms;
        }
        report.lost_tasks.push(id);
        loaded.push((task, None));
    }
    Ok((loaded, report))
}

fn get<'a>(
    live: &'a mut HashMap<String, Entry>,
    order: &mut Vec<String>,
    id: &str,
) -> &'a mut Entry {
    live.entry(id.to_string()).or_insert_with(|| {
        order.push(id.to_string());
        Entry {
            task: None,
            payload: None,
            based: false,
            damaged: false,
            template: None,
        }
    })
}

/// A task known only by its id.
fn placeholder(id: &str) -> Task {
    Task {
        class: "unknown".into(),
        state: TaskState::Failed,
        error: LOST.into(),
        ..Task::blank(id)
    }
}

/// Copy the journal to `journal.ndjson.corrupt-<time>` beside it (never over an older copy),
/// and sync it. Returns the copy's path.
pub fn keep_copy(dir: &Path) -> Result<PathBuf> {
    let stamp: String = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let src = dir.join(JOURNAL);
    let mut n = 0;
    loop {
        let name = match n {
            0 => format!("{JOURNAL}.corrupt-{stamp}"),
            n => format!("{JOURNAL}.corrupt-{stamp}-{n}"),
        };
        let dst = dir.join(name);
        let created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&dst);
        match created {
            Ok(mut f) => {
                let copy = std::fs::File::open(&src)
                    .and_then(|mut s| std::io::copy(&mut s, &mut f))
                    .and_then(|_| f.sync_all());
                return match copy {
                    Ok(()) => Ok(dst),
                    Err(e) => {
                        let _ = std::fs::remove_file(&dst);
                        Err(Error::runtime(format!(
                            "cannot keep a copy of the damaged journal {} as {}: {e}",
                            src.display(),
                            dst.display()
                        )))
                    }
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => {
                return Err(Error::runtime(format!(
                    "cannot keep a copy of the damaged journal {} as {}: {e}",
                    src.display(),
                    dst.display()
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::record::{encode_del, encode_put};

    fn task(id: &str, state: TaskState) -> Task {
        let mut t = placeholder(id);
        t.class = "cpu_short".into();
        t.max_attempts = 3;
        t.state = state;
        t.error = String::new();
        t
    }

    fn journal(dir: &Path, lines: &[Vec<u8>]) -> PathBuf {
        let path = dir.join(JOURNAL);
        std::fs::write(&path, lines.concat()).unwrap();
        path
    }

    fn put(t: &Task, payload: Option<&str>, base: bool) -> Vec<u8> {
        let mut out = Vec::new();
        encode_put(&mut out, t, payload, base);
        out
    }

    fn flip(mut line: Vec<u8>, at: usize) -> Vec<u8> {
        line[at] ^= 0x20;
        line
    }

    #[test]
    fn a_damaged_creation_with_an_intact_update_comes_back_failed_without_its_payload() {
        let dir = tempfile::tempdir().unwrap();
        let a = task("a", TaskState::Queued);
        let b = task("b", TaskState::Queued);
        let path = journal(
            dir.path(),
            &[
                flip(put(&a, Some("{\"x\":1}"), true), 60),
                put(&b, Some("{}"), true),
                put(&task("a", TaskState::Running), None, false),
            ],
        );
        let (loaded, report) = read(&path, 42).unwrap();
        assert_eq!(report.damaged.len(), 1, "{report:?}");
        assert_eq!(report.damaged[0].line, 1);
        assert_eq!(report.lost_tasks, ["a"]);
        assert!(!report.torn_tail);
        let (a, pa) = loaded.iter().find(|(t, _)| t.id == "a").unwrap();
        assert_eq!(a.state, TaskState::Failed);
        assert_eq!(a.error, LOST);
        assert_eq!(a.finished_at_ms, 42);
        assert!(pa.is_none());
        let (b, pb) = loaded.iter().find(|(t, _)| t.id == "b").unwrap();
        assert_eq!(b.state, TaskState::Queued);
        assert_eq!(pb.as_deref(), Some("{}"));
    }

    #[test]
    fn garbage_unknown_updates_and_torn_tails() {
        let dir = tempfile::tempdir().unwrap();
        let a = task("a", TaskState::Queued);
        let mut torn = put(&task("c", TaskState::Queued), Some("{}"), true);
        torn.truncate(30);
        let path = journal(
            dir.path(),
            &[
                put(&a, Some("{}"), true),
                b"this is not a record\n".to_vec(),
                put(&task("ghost", TaskState::Running), None, false),
                put(&task("a", TaskState::Running), None, false),
                torn,
            ],
        );
        let (loaded, report) = read(&path, 1).unwrap();
        assert_eq!(report.damaged.len(), 1);
        assert_eq!(report.damaged[0].task_id, None);
        assert_eq!(report.unknown.len(), 1);
        assert_eq!(report.unknown[0].line, 3);
        assert_eq!(report.records_lost(), 2);
        assert_eq!(report.lost_tasks, ["ghost"]);
        assert!(report.torn_tail);
        let a = &loaded.iter().find(|(t, _)| t.id == "a").unwrap().0;
        assert_eq!(a.state, TaskState::Running);
        assert!(loaded.iter().all(|(t, _)| t.id != "c"));

        // Only a torn tail: clean, silent.
        let mut torn = put(&a.clone(), None, false);
        torn.truncate(20);
        let path = journal(dir.path(), &[put(a, Some("{}"), true), torn]);
        let (loaded, report) = read(&path, 1).unwrap();
        assert!(report.is_clean() && report.torn_tail, "{report:?}");
        assert_eq!(loaded.len(), 1);
    }

    #[test]
    fn a_damaged_update_superseded_by_an_intact_one_loses_nothing_but_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let a = task("a", TaskState::Queued);
        let mut del = Vec::new();
        encode_del(&mut del, "gone");
        let path = journal(
            dir.path(),
            &[
                put(&a, Some("{}"), true),
                flip(put(&task("a", TaskState::Running), None, false), 70),
                put(&task("a", TaskState::Completed), None, false),
                put(&task("gone", TaskState::Completed), Some("{}"), true),
                del,
            ],
        );
        let (loaded, report) = read(&path, 1).unwrap();
        assert_eq!(report.records_lost(), 1);
        assert!(report.lost_tasks.is_empty());
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].0.state, TaskState::Completed);
    }

    #[test]
    fn a_legacy_journal_without_checksums_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal(
            dir.path(),
            &[
                br#"{"op":"put","task":{"id":"q","class":"cpu_short","priority":0,"max_attempts":3,"state":"queued","attempt":0,"seq":1,"submitted_at_ms":1,"executor":"worker","payload_hash":"h"},"payload":"{\"a\":1}"}
"#
                .to_vec(),
                br#"{"op":"put","task":{"id":"done","class":"cpu_short","priority":0,"max_attempts":3,"state":"completed","attempt":1,"seq":2,"submitted_at_ms":1,"executor":"worker","payload_hash":"h"}}
"#
                .to_vec(),
                br#"{"op":"put","task":{"id":"q","class":"cpu_short","priority":0,"max_attempts":3,"state":"running","attempt":1,"seq":1,"submitted_at_ms":1,"executor":"worker","payload_hash":"h"}}
"#
                .to_vec(),
            ],
        );
        let (loaded, report) = read(&path, 1).unwrap();
        assert!(report.is_clean(), "{report:?}");
        assert_eq!(report.legacy_lines, 3);
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[0].0.state, TaskState::Running);
        assert_eq!(loaded[0].1.as_deref(), Some("{\"a\":1}"));
        assert_eq!(loaded[1].0.state, TaskState::Completed);
    }
}
