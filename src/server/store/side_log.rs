//! A second, small journal beside the task journal, for records that are not tasks (the
//! workflow engine's specs, runs, retries, cancels and item outcomes). Each line is
//! `CRC32C-hex<TAB>JSON`. `append` writes at once (a `write` survives kill -9 in the page
//! cache); `sync` makes everything appended so far durable before a caller acknowledges.
//! Reading back drops a torn or damaged line and says how many it dropped.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

pub struct SideLog {
    path: PathBuf,
    file: Mutex<File>,
}

/// Records read back, and how many lines were damaged (skipped).
pub struct ReadBack {
    pub records: Vec<serde_json::Value>,
    pub damaged: usize,
}

fn encode(out: &mut Vec<u8>, record: &serde_json::Value) {
    let json = record.to_string();
    let crc = crc32c::crc32c(json.as_bytes());
    let _ = writeln!(out, "{crc:08x}\t{json}");
}

impl SideLog {
    /// Open `store/<name>`, read what it holds, and rewrite it with `keep`'s choice of the
    /// records (compaction at start).
    pub fn open(
        dir: &Path,
        name: &str,
        keep: impl FnOnce(Vec<serde_json::Value>) -> Vec<serde_json::Value>,
    ) -> Result<(SideLog, ReadBack)> {
        crate::state::ensure_home(dir)?;
        let path = dir.join(name);
        let mut back = ReadBack {
            records: Vec::new(),
            damaged: 0,
        };
        if let Ok(bytes) = std::fs::read(&path) {
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                match decode(line) {
                    Some(v) => back.records.push(v),
                    None => back.damaged += 1,
                }
            }
        }
        back.records = keep(back.records);
        let mut bytes = Vec::new();
        for r in &back.records {
            encode(&mut bytes, r);
        }
        let tmp = dir.join(format!("{name}.tmp"));
        let written = File::create(&tmp)
            .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &path))
            .and_then(|()| File::open(dir)?.sync_all());
        written.map_err(|e| Error::runtime(format!("cannot write {}: {e}", path.display())))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| Error::runtime(format!("cannot open {}: {e}", path.display())))?;
        Ok((
            SideLog {
                path,
                file: Mutex::new(file),
            },
            back,
        ))
    }

    /// Append one record (written at once, not yet synced).
    pub fn append(&self, record: &serde_json::Value) -> std::result::Result<(), String> {
        let mut bytes = Vec::with_capacity(256);
        encode(&mut bytes, record);
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&bytes)
            .map_err(|e| format!("cannot append to {}: {e}", self.path.display()))
    }

    /// Append several records in one write (not yet synced).
    pub fn append_all(&self, records: &[serde_json::Value]) -> std::result::Result<(), String> {
        let mut bytes = Vec::with_capacity(256 * records.len());
        for r in records {
            encode(&mut bytes, r);
        }
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(&bytes)
            .map_err(|e| format!("cannot append to {}: {e}", self.path.display()))
    }

    /// Make everything appended so far durable.
    pub fn sync(&self) -> std::result::Result<(), String> {
        let f = {
            let f = self.file.lock().unwrap_or_else(|p| p.into_inner());
            f.try_clone()
        };
        f.and_then(|f| f.sync_data())
            .map_err(|e| format!("cannot sync {}: {e}", self.path.display()))
    }
}

fn decode(line: &[u8]) -> Option<serde_json::Value> {
    let text = std::str::from_utf8(line).ok()?;
    let (crc, json) = text.split_once('\t')?;
    let crc = u32::from_str_radix(crc, 16).ok()?;
    if crc32c::crc32c(json.as_bytes()) != crc {
        return None;
    }
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_and_a_torn_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (log, back) = SideLog::open(dir.path(), "x.log", |r| r).unwrap();
        assert!(back.records.is_empty());
        log.append(&serde_json::json!({"a": 1})).unwrap();
        log.append(&serde_json::json!({"b": [2]})).unwrap();
        log.sync().unwrap();
        drop(log);
        let path = dir.path().join("x.log");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"0000\t{\"torn").unwrap();
        let (_, back) = SideLog::open(dir.path(), "x.log", |r| r).unwrap();
        assert_eq!(back.records.len(), 2);
        assert_eq!(back.damaged, 1);
        assert_eq!(back.records[1]["b"][0], 2);
    }
}
