//! The single Printer: data to stdout (a table or `--json`), progress and warnings to stderr.
//! No colour when stdout is not a terminal or NO_COLOR is set (`color_allowed`).

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Code, ExitStatus, Result};

/// Version of every `--json` document this binary prints (README, "JSON output").
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    /// Colour and live progress are for people at a terminal.
    pub color: bool,
    pub stderr_tty: bool,
    /// How `up`, `down`, `restart`, `pull` and `build` show progress (`--progress`).
    pub progress: ProgressMode,
}

/// The progress display `--progress` chose (`auto` resolved: see `crate::progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A line per step on stderr.
    Plain,
    /// The live view: a line per service, redrawn in place.
    Tty,
    /// NDJSON events on stderr.
    Json,
}

/// Whether the environment allows colour. The one place that reads NO_COLOR, for the Printer
/// and the logs alike.
pub fn color_allowed() -> bool {
    !no_color_requested(std::env::var_os("NO_COLOR").as_deref())
}

/// no-color.org: NO_COLOR turns colour off when it is present and not empty.
fn no_color_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

impl Printer {
    pub fn new(json: bool, quiet: bool) -> Self {
        Printer {
            json,
            quiet,
            color: std::io::stdout().is_terminal() && color_allowed(),
            stderr_tty: std::io::stderr().is_terminal(),
            progress: crate::progress::auto_mode(json),
        }
    }

    /// Print a JSON document on stdout, with `schema_version` added at the top.
    pub fn json_document(&self, doc: impl Serialize) -> Result<()> {
        let mut value = serde_json::to_value(doc)?;
        if let Value::Object(map) = &mut value {
            let mut with_version = serde_json::Map::new();
            with_version.insert("schema_version".into(), JSON_SCHEMA_VERSION.into());
            with_version.extend(std::mem::take(map));
            value = Value::Object(with_version);
        }
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
        Ok(())
    }

    /// One NDJSON line on stdout (streams such as `logs --json`).
    pub fn json_line(&self, value: &impl Serialize) -> Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, value)?;
        writeln!(out)?;
        out.flush()?;
        Ok(())
    }

    /// A line of data on stdout.
    pub fn line(&self, text: impl AsRef<str>) -> Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", text.as_ref())?;
        Ok(())
    }

    /// A progress message on stderr. With `--json` progress is NDJSON (see `event`);
    /// with `--progress json` too: stderr then carries only NDJSON events (and errors).
    pub fn progress(&self, text: impl AsRef<str>) {
        if !self.quiet && !self.json && self.progress != ProgressMode::Json {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A progress event: NDJSON on stderr with `--json` or `--progress json`, nothing
    /// otherwise (the caller prints its human form with `progress`).
    pub fn event(&self, value: &impl Serialize) {
        if (self.json || self.progress == ProgressMode::Json)
            && !self.quiet
            && let Ok(line) = serde_json::to_string(value)
        {
            eprintln!("{line}");
        }
    }

    /// An expected failure the command has reported on stdout (or has nothing more to say
    /// about): its `error:` line on stderr, as `run` prints for errors, and the exit status.
    pub fn failed(&self, code: Code, message: impl AsRef<str>) -> ExitStatus {
        crate::stderr_line(format_args!("error: {}", message.as_ref()));
        ExitStatus::Failure(code)
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            if self.json || self.progress == ProgressMode::Json {
                self.event(&serde_json::json!({"type": "warning", "message": text.as_ref()}));
            } else {
                eprintln!("warning: {}", text.as_ref());
            }
        }
    }

    /// A table for people; plain ASCII without colour when not on a terminal.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
        let mut table = Table::new();
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header.iter().map(|h| h.to_uppercase()));
        for row in rows {
            table.add_row(row);
        }
        if !self.color {
            table.force_no_tty();
        }
        let text = table.to_string();
        let mut out = std::io::stdout().lock();
        for line in text.lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// Wrap `text` in an ANSI colour when colour is on (index picks from a small palette).
    pub fn paint(&self, text: &str, index: usize) -> String {
        if !self.color {
            return text.to_string();
        }
        const PALETTE: [u8; 6] = [36, 33, 32, 35, 34, 31];
        format!("\x1b[{}m{text}\x1b[0m", PALETTE[index % PALETTE.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_present_and_not_empty() {
        assert!(!no_color_requested(None));
        assert!(!no_color_requested(Some("".as_ref())));
        assert!(no_color_requested(Some("1".as_ref())));
        assert!(no_color_requested(Some("0".as_ref())));
    }
}
