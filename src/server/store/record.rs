//! One journal line: its JSON, its checksum, and how a line read back is judged.
//!
//! A line is `{"crc":"XXXXXXXX","op":...}\n`: the first field is the CRC32C (8 hex digits) of
//! everything after `{"crc":"XXXXXXXX",`, up to the end of the line. The field has a fixed
//! place and width, so a line is written in one pass and checked without parsing. A line that
//! starts with `{"op":` was written before checksums existed (a legacy line): it is accepted as
//! it parses, and cannot be verified.

use serde::{Deserialize, Serialize};

use crate::server::task::Task;

const PREFIX: &[u8] = b"{\"crc\":\"";
/// `{"crc":"` + 8 hex digits + `",`: the checksummed part starts after it.
const HEAD: usize = PREFIX.len() + 8 + 2;
const LEGACY_PREFIX: &[u8] = b"{\"op\":";

/// One journal record.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Record {
    /// The task's full state. `payload` travels only when it is new (or in a compacted file).
    Put {
        task: Box<Task>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
        /// The task's creation, or its snapshot in a compacted file: a record the task can be
        /// rebuilt from. An update without one, for a task the journal has not seen, is
        /// unknown: its creation was lost.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        base: bool,
    },
    /// The task was dropped by retention.
    Del { id: String },
}

/// What a line read back turned out to be.
#[derive(Debug)]
pub enum Line {
    /// Checksum right, JSON right.
    Verified(Record),
    /// No checksum (written before checksums existed), JSON right.
    Legacy(Record),
    /// Damaged: the checksum is wrong or missing, or the JSON does not read. `id` is the task
    /// id where it can still be read; `task` what the line says, where it still parses (not to
    /// be trusted beyond naming the task).
    Damaged {
        reason: String,
        id: Option<String>,
        task: Option<Box<Task>>,
    },
}

/// Append one `put` line to `out`. `base`: this record is the task's creation or snapshot.
pub fn encode_put(out: &mut Vec<u8>, task: &Task, payload: Option<&str>, base: bool) {
    #[derive(Serialize)]
    #[serde(tag = "op", rename = "put")]
    struct PutRef<'a> {
        task: &'a Task,
        #[serde(skip_serializing_if = "Option::is_none")]
        payload: Option<&'a str>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        base: bool,
    }
    encode(
        out,
        &PutRef {
            task,
            payload,
            base,
        },
    );
}

/// Append one `del` line to `out`.
pub fn encode_del(out: &mut Vec<u8>, id: &str) {
    encode(out, &Record::Del { id: id.to_string() });
}

/// Write `{"crc":"00000000"` then the record's JSON over its opening brace's place, then fill
/// in the checksum: one pass, no copy.
fn encode<T: Serialize>(out: &mut Vec<u8>, record: &T) {
    let start = out.len();
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(b"00000000\"");
    let body = out.len();
    if serde_json::to_writer(&mut *out, record).is_err() || out.get(body) != Some(&b'{') {
        out.truncate(start);
        return;
    }
    out[body] = b',';
    let crc = crc32c::crc32c(&out[start + HEAD..]);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in out[start + PREFIX.len()..start + PREFIX.len() + 8]
        .iter_mut()
        .enumerate()
    {
        *b = HEX[((crc >> (28 - 4 * i)) & 0xf) as usize];
    }
    out.push(b'\n');
}

/// Judge one line (without its newline).
pub fn decode(line: &[u8]) -> Line {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.starts_with(LEGACY_PREFIX) {
        return match serde_json::from_slice::<Record>(line) {
            Ok(r) => Line::Legacy(r),
            Err(e) => damaged(line, format!("unreadable record without a checksum ({e})")),
        };
    }
    let Some(stored) = stored_crc(line) else {
        return damaged(
            line,
            "not a journal record (no checksum, and not a line from before checksums)".into(),
        );
    };
    let actual = crc32c::crc32c(&line[HEAD..]);
    if actual != stored {
        return damaged(
            line,
            format!("checksum mismatch (stored {stored:08x}, computed {actual:08x})"),
        );
    }
    match serde_json::from_slice::<Record>(line) {
        Ok(r) => Line::Verified(r),
        Err(e) => damaged(
            line,
            format!("checksum right but the record does not read ({e})"),
        ),
    }
}

fn stored_crc(line: &[u8]) -> Option<u32> {
    if line.len() <= HEAD || !line.starts_with(PREFIX) || &line[HEAD - 2..HEAD] != b"\"," {
        return None;
    }
    let hex = std::str::from_utf8(&line[PREFIX.len()..PREFIX.len() + 8]).ok()?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// A damaged line, with what can still be read of it.
fn damaged(line: &[u8], reason: String) -> Line {
    #[derive(Deserialize)]
    struct Loose {
        task: Option<Box<Task>>,
        id: Option<String>,
    }
    let loose = serde_json::from_slice::<Loose>(line).ok();
    let task = loose.as_ref().and_then(|l| l.task.clone());
    let id = task
        .as_ref()
        .map(|t| t.id.clone())
        .or_else(|| loose.and_then(|l| l.id))
        .or_else(|| scan_id(line));
    Line::Damaged { reason, id, task }
}

/// The first `"id":"..."` of a line that does not parse: a task's id comes first in its record.
fn scan_id(line: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"id\":\"";
    let at = line.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let len = line[at..].iter().position(|&b| b == b'"')?;
    let id = std::str::from_utf8(&line[at..at + len]).ok()?;
    crate::server::task::validate_id(id).ok()?;
    Some(id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_round_trips_and_any_flipped_byte_is_caught() {
        let task: Task = serde_json::from_str(
            r#"{"id":"e0","class":"cpu_short","priority":0,"max_attempts":3,"state":"queued",
            "attempt":0,"seq":1,"submitted_at_ms":1,"executor":"worker","payload_hash":"h"}"#,
        )
        .unwrap();
        let mut out = Vec::new();
        encode_put(&mut out, &task, Some("{\"argv\":[\"true\"]}"), true);
        assert!(
            out.starts_with(b"{\"crc\":\""),
            "{}",
            String::from_utf8_lossy(&out)
        );
        assert_eq!(out.last(), Some(&b'\n'));
        let line = &out[..out.len() - 1];
        match decode(line) {
            Line::Verified(Record::Put {
                task,
                payload,
                base,
            }) => {
                assert_eq!(task.id, "e0");
                assert_eq!(payload.as_deref(), Some("{\"argv\":[\"true\"]}"));
                assert!(base);
            }
            other => panic!("{other:?}"),
        }
        for i in 0..line.len() {
            let mut bad = line.to_vec();
            bad[i] ^= 0x01;
            assert!(
                matches!(decode(&bad), Line::Damaged { .. }),
                "byte {i} flipped passed"
            );
        }
        let mut del = Vec::new();
        encode_del(&mut del, "e0");
        assert!(matches!(
            decode(&del[..del.len() - 1]),
            Line::Verified(Record::Del { .. })
        ));
    }

    #[test]
    fn legacy_lines_load_and_damaged_ones_name_their_task() {
        let legacy = br#"{"op":"del","id":"old"}"#;
        assert!(matches!(decode(legacy), Line::Legacy(Record::Del { .. })));
        match decode(br#"{"crc":"zz","op":"put","task":{"id":"t-1","cla"#) {
            Line::Damaged { id, .. } => assert_eq!(id.as_deref(), Some("t-1")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(decode(b"garbage"), Line::Damaged { id: None, .. }));
    }
}
