//! `dspy-agent store check|repair`: the journal's report without starting the server. `check`
//! only reads; `repair` keeps the damaged journal as a `.corrupt-<time>` copy and writes a clean
//! one, in which the tasks the damage names are `failed` with `journal record lost` (what
//! `serve` does at start without --strict-journal). Both refuse while a server runs on the home.

use std::fs::{File, TryLockError};
use std::path::Path;

use serde_json::json;

use crate::cli::{StoreArgs, StoreCommand};
use crate::commands::Ctx;
use crate::error::{Code, Error, ExitStatus, Result};
use crate::server;
use crate::server::store::Report;

pub fn run(ctx: &Ctx, args: StoreArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let home = settings.home.value.clone();
    let dir = home.join("store");
    match args.command {
        StoreCommand::Check => {
            let _lock = hold_if_present(&home)?;
            let report = server::store::check(&dir)?;
            print(ctx, &report, false)?;
            if report.is_clean() {
                return Ok(ExitStatus::Success);
            }
            Ok(ctx.printer.failed(
                Code::Runtime,
                format!(
                    "the journal {} is damaged: {} record(s) lost\nhint: `dspy-agent store repair` keeps it as a .corrupt-<time> copy and writes a clean journal",
                    report.journal.display(),
                    report.records_lost()
                ),
            ))
        }
        StoreCommand::Repair => {
            // Taking the serve lock refuses, naming the server, while one runs, and keeps one
            // from starting during the repair.
            let _lock = server::acquire_lock(&home)?;
            let report = server::store::repair(&dir)?;
            print(ctx, &report, true)?;
            Ok(ExitStatus::Success)
        }
    }
}

/// Hold the serve lock while reading, without creating anything: refuse if a server holds it.
fn hold_if_present(home: &Path) -> Result<Option<File>> {
    let path = server::lock_path(home);
    let Ok(file) = File::open(&path) else {
        return Ok(None);
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(file)),
        Err(TryLockError::WouldBlock) => Err(Error::runtime(format!(
            "dspy-agent serve is running for {}; it checked the journal at its start (see `dspy-agent serve status`)\nhint: stop it with `dspy-agent serve stop` to check the journal",
            home.display()
        ))),
        Err(TryLockError::Error(e)) => Err(Error::runtime(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

fn print(ctx: &Ctx, r: &Report, repair: bool) -> Result<()> {
    if ctx.printer.json {
        let mut doc = serde_json::to_value(r)?;
        if let Some(map) = doc.as_object_mut() {
            map.insert("clean".into(), json!(r.is_clean()));
            map.insert("records_lost".into(), json!(r.records_lost()));
            if repair {
                map.insert("repaired".into(), json!(!r.is_clean()));
            }
        }
        return ctx.printer.json_document(doc);
    }
    let p = &ctx.printer;
    p.line(format!("journal      {}", r.journal.display()))?;
    if r.legacy_lines > 0 {
        p.line(format!(
            "lines        {} ({} written before checksums: accepted, not verifiable)",
            r.lines, r.legacy_lines
        ))?;
    } else {
        p.line(format!("lines        {}", r.lines))?;
    }
    p.line(format!("lost         {} record(s)", r.records_lost()))?;
    let mut bad: Vec<_> = r.damaged.iter().chain(&r.unknown).collect();
    bad.sort_by_key(|d| d.line);
    for d in bad {
        let task = d
            .task_id
            .as_deref()
            .map_or(String::new(), |id| format!(" (task {id})"));
        p.line(format!("  line {}: {}{task}", d.line, d.reason))?;
    }
    if !r.lost_tasks.is_empty() {
        p.line(format!(
            "failed       {} (`{}`)",
            r.lost_tasks.join(", "),
            server::store::LOST
        ))?;
    }
    if r.torn_tail {
        p.line("torn tail    yes: the last line was cut by a crash mid-write (expected; dropped)")?;
    }
    if let Some(copy) = &r.copy {
        p.line(format!("copy         {}", copy.display()))?;
    }
    let verdict = match (r.is_clean(), repair) {
        (true, true) => "clean: nothing to repair",
        (true, false) => "clean",
        (false, true) => "repaired: a clean journal was written; the original is kept as the copy",
        (false, false) => "damaged",
    };
    p.line(format!("status       {verdict}"))
}
