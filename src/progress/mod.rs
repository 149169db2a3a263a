//! How `up`, `down`, `restart`, `pull` and `build` show their progress: one renderer per mode
//! (`--progress auto|plain|tty|json`, README "Progress output").
//!
//! - plain: a line per step on stderr, what scripts have always parsed;
//! - tty: a live view on a terminal (indicatif): a line per service, redrawn in place, with a
//!   spinner, its state, a byte bar while pulling, a step bar while building, its duration,
//!   then ✔ or ✘; colour unless NO_COLOR;
//! - json: one NDJSON `Event` per line on stderr.
//!
//! The lifecycle emits `Event`s into the `EventSink` a `View` hands out; the command calls
//! `finish` (or the view finishes when its last sink is dropped) so that nothing is left
//! half-drawn before the command's table or error message, and `until_interrupted` marks the
//! unfinished lines on Ctrl-C.

mod plain;
mod tty;

use std::future::Future;
use std::io::IsTerminal;
use std::sync::Arc;

use crate::cli::ProgressArg;
use crate::error::{Error, Result};
use crate::lifecycle::{Event, EventSink};
use crate::output::{Printer, ProgressMode};

/// The mode `auto` picks: NDJSON with `--json`, the live view when stderr is a terminal that
/// can move its cursor, plain lines otherwise.
pub fn auto_mode(json: bool) -> ProgressMode {
    if json {
        ProgressMode::Json
    } else if stderr_is_terminal() {
        ProgressMode::Tty
    } else {
        ProgressMode::Plain
    }
}

/// The mode `--progress` asks for. `tty` needs a terminal on stderr: it is refused (exit 2)
/// rather than drawn into a pipe.
pub fn choose(arg: ProgressArg, json: bool) -> Result<ProgressMode> {
    Ok(match arg {
        ProgressArg::Auto => auto_mode(json),
        ProgressArg::Plain => ProgressMode::Plain,
        ProgressArg::Json => ProgressMode::Json,
        ProgressArg::Tty if stderr_is_terminal() => ProgressMode::Tty,
        ProgressArg::Tty => {
            return Err(Error::usage(
                "--progress tty: stderr is not a terminal (or TERM is `dumb`); use --progress \
                 plain or json when output is piped",
            ));
        }
    })
}

fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Which verb a view is for: `down`'s plain log names only the removed services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Up,
    Down,
    Pull,
}

enum Renderer {
    Quiet,
    Plain(plain::Plain),
    Json,
    Tty(tty::Tty),
}

struct Shared(Renderer);

impl Drop for Shared {
    fn drop(&mut self) {
        if let Renderer::Tty(t) = &self.0 {
            t.finish(false);
        }
    }
}

/// One command's progress display. Cheap to clone; every clone and sink draws the same view.
#[derive(Clone)]
pub struct View(Arc<Shared>);

impl View {
    pub fn new(printer: &Printer, verb: Verb) -> View {
        let renderer = if printer.quiet {
            Renderer::Quiet
        } else {
            match printer.progress {
                ProgressMode::Plain => Renderer::Plain(plain::Plain::new(verb)),
                ProgressMode::Json => Renderer::Json,
                ProgressMode::Tty => Renderer::Tty(tty::Tty::new(crate::output::color_allowed())),
            }
        };
        View(Arc::new(Shared(renderer)))
    }

    /// The sink the lifecycle emits into.
    pub fn sink(&self) -> EventSink {
        let view = self.clone();
        Arc::new(move |event: Event| view.event(event))
    }

    pub fn event(&self, event: Event) {
        match &self.0.0 {
            Renderer::Quiet => {}
            Renderer::Plain(p) => p.event(&event),
            Renderer::Json => {
                if let Ok(line) = serde_json::to_string(&event) {
                    crate::stderr_line(format_args!("{line}"));
                }
            }
            Renderer::Tty(t) => t.event(&event),
        }
    }

    /// `pull` finished a service's image: its plain line, or ✔ on its live line.
    pub fn pulled(&self, service: &str, image: &str) {
        match &self.0.0 {
            Renderer::Plain(p) => p.pulled(service, image),
            Renderer::Tty(t) => t.done(service, true, &format!("pulled {image}")),
            Renderer::Quiet | Renderer::Json => {}
        }
    }

    /// A service's step failed outside the lifecycle's own events (a `pull` that failed):
    /// ✘ with the reason on its live line. Plain and JSON say it in the error that follows.
    pub fn failed(&self, service: &str, reason: &str) {
        if let Renderer::Tty(t) = &self.0.0 {
            t.done(service, false, &format!("failed: {reason}"));
        }
    }

    /// Leave the live view complete: every line stops its spinner, and a line still at work
    /// gets ✘. Call before printing the command's table or error.
    pub fn finish(&self) {
        if let Renderer::Tty(t) = &self.0.0 {
            t.finish(false);
        }
    }

    fn interrupted(&self) {
        if let Renderer::Tty(t) = &self.0.0 {
            t.finish(true);
        }
    }
}

/// Run `work`, but on Ctrl-C stop waiting for it: the view marks the lines still at work as
/// interrupted and the command fails (exit 1) instead of dying with a half-drawn screen.
pub async fn until_interrupted<T>(view: &View, work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::select! {
        result = work => {
            view.finish();
            result
        }
        _ = tokio::signal::ctrl_c() => {
            view.interrupted();
            Err(Error::runtime(
                "interrupted (Ctrl-C): what had started keeps running; `dspy-agent ps` shows it",
            ))
        }
    }
}
