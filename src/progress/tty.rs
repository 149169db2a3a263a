//! The live view on a terminal: one indicatif line per service, redrawn in place at a bounded
//! rate (10 Hz), with a spinner while it works, its state, a byte bar while pulling or a step
//! bar while building, its duration, then ✔ or ✘. Colour (plain SGR) only when allowed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::lifecycle::{Event, Phase};

const GREEN: u8 = 32;
const RED: u8 = 31;
const YELLOW: u8 = 33;
const CYAN: u8 = 36;
const DIM: u8 = 2;
/// Redraws per second at most: the view never slows the work it shows.
const REDRAW_HZ: u8 = 10;
const TICK: Duration = Duration::from_millis(100);
/// A build's output line is cut to this many characters on the service's line.
const BUILD_LINE_CHARS: usize = 40;

pub struct Tty {
    multi: MultiProgress,
    color: bool,
    lines: Mutex<Lines>,
}

#[derive(Default)]
struct Lines {
    by_service: HashMap<String, Line>,
    finished: bool,
}

struct Line {
    bar: ProgressBar,
    started: Instant,
    /// What the line says while it works (`pulling`, `creating`, ...), for `finish`.
    state: String,
    done: bool,
    /// Pull progress per layer: (current, total) bytes.
    layers: HashMap<String, (u64, u64)>,
}

#[derive(Clone, Copy)]
enum Bar {
    None,
    Bytes,
    Steps,
}

impl Tty {
    pub fn new(color: bool) -> Tty {
        Tty {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(REDRAW_HZ)),
            color,
            lines: Mutex::new(Lines::default()),
        }
    }

    fn paint(&self, code: u8, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn working_style(&self, bar: Bar) -> ProgressStyle {
        let tail = match bar {
            Bar::None => "",
            Bar::Bytes => " {bar:24} {bytes}/{total_bytes}",
            Bar::Steps => " {bar:24} step {pos}/{len}",
        };
        let template = format!("{{spinner}} {{prefix}} {{msg}}{tail} {{secs}}");
        let ticks: Vec<String> = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏", " "]
            .iter()
            .map(|t| self.paint(CYAN, t))
            .collect();
        let ticks: Vec<&str> = ticks.iter().map(String::as_str).collect();
        let color = self.color;
        ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
            .tick_strings(&ticks)
            .progress_chars("=> ")
            .with_key(
                "secs",
                move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let secs = format!("{:.1}s", s.elapsed().as_secs_f64());
                    let _ = if color {
                        write!(w, "\x1b[{DIM}m{secs}\x1b[0m")
                    } else {
                        write!(w, "{secs}")
                    };
                },
            )
    }

    fn done_style() -> ProgressStyle {
        ProgressStyle::with_template("{msg}").unwrap_or_else(|_| ProgressStyle::default_bar())
    }

    pub fn event(&self, event: &Event) {
        match event {
            Event::Service {
                service,
                status,
                message,
            } => self.phase(service, *status, message.as_deref()),
            Event::Pull {
                service,
                layer,
                status,
                current,
                total,
                ..
            } => self.pull(service, layer.as_deref(), status, *current, *total),
            Event::Build {
                service,
                line,
                step,
                steps,
                ..
            } => self.build(service, line, *step, *steps),
            Event::PortRemapped {
                service,
                container_port,
                requested,
                actual,
            } => self.println(format!(
                "{} {service}: host port {requested} is busy; published container port {container_port} on {actual} instead",
                self.paint(YELLOW, "warning:")
            )),
            Event::Warning { message, .. } => {
                self.println(format!("{} {message}", self.paint(YELLOW, "warning:")))
            }
        }
    }

    /// A line above the view, which keeps drawing below it.
    fn println(&self, text: String) {
        self.multi
            .suspend(|| crate::stderr_line(format_args!("{text}")));
    }

    fn phase(&self, service: &str, phase: Phase, message: Option<&str>) {
        let label = |m: &str| match message {
            Some(detail) if !detail.is_empty() => format!("{m} {detail}"),
            _ => m.to_string(),
        };
        match phase {
            Phase::Pulling => self.working(service, &label("pulling"), Bar::None),
            Phase::Building => self.working(service, "building", Bar::None),
            Phase::Creating => self.working(service, "creating", Bar::None),
            Phase::Waiting => self.working(service, "waiting for health", Bar::None),
            Phase::Stopping => self.working(service, "stopping", Bar::None),
            Phase::Healthy => self.done(service, true, "healthy"),
            Phase::Unchanged => self.done(service, true, "running (unchanged)"),
            Phase::Removed => self.done(service, true, "removed"),
            Phase::Failed => self.done(
                service,
                false,
                &format!("failed: {}", message.unwrap_or("?")),
            ),
            Phase::Skipped => self.finish_line(service, "-", DIM, &label("not started:")),
        }
    }

    /// The service's line, added below the others the first time it is named.
    fn with_line(&self, service: &str, f: impl FnOnce(&mut Line)) {
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if lines.finished {
            return;
        }
        let line = lines
            .by_service
            .entry(service.to_string())
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                bar.set_prefix(format!("{service:<18}"));
                Line {
                    bar,
                    started: Instant::now(),
                    state: String::new(),
                    done: true,
                    layers: HashMap::new(),
                }
            });
        f(line);
    }

    fn working(&self, service: &str, state: &str, bar: Bar) {
        self.with_line(service, |line| {
            line.state = state.to_string();
            line.bar.set_style(self.working_style(bar));
            if line.done {
                line.done = false;
                line.bar.enable_steady_tick(TICK);
            }
            line.bar.set_message(state.to_string());
        });
    }

    fn pull(
        &self,
        service: &str,
        layer: Option<&str>,
        status: &str,
        current: Option<i64>,
        total: Option<i64>,
    ) {
        let Some(layer) = layer else { return };
        self.with_line(service, |line| {
            let entry = line.layers.entry(layer.to_string()).or_insert((0, 0));
            if let (Some(c), Some(t)) = (current, total)
                && t > 0
            {
                *entry = (c.max(0) as u64, t as u64);
            } else if matches!(status, "Download complete" | "Pull complete") {
                entry.0 = entry.1;
            }
            let (cur, tot) = line
                .layers
                .values()
                .fold((0, 0), |(c, t), (lc, lt)| (c + lc, t + lt));
            if tot > 0 && !line.done {
                if line.bar.length() == Some(0) || line.bar.length().is_none() {
                    line.bar.set_style(self.working_style(Bar::Bytes));
                }
                line.bar.set_length(tot);
                line.bar.set_position(cur.min(tot));
            }
        });
    }

    fn build(&self, service: &str, text: &str, step: Option<u32>, steps: Option<u32>) {
        let short: String = text.trim().chars().take(BUILD_LINE_CHARS).collect();
        self.with_line(service, |line| {
            if line.done {
                line.done = false;
                line.bar.enable_steady_tick(TICK);
            }
            line.state = "building".into();
            if let (Some(step), Some(steps)) = (step, steps)
                && steps > 0
            {
                if line.bar.length() != Some(u64::from(steps)) {
                    line.bar.set_style(self.working_style(Bar::Steps));
                    line.bar.set_length(u64::from(steps));
                }
                line.bar.set_position(u64::from(step));
            } else if line.bar.length().unwrap_or(0) == 0 {
                line.bar.set_style(self.working_style(Bar::None));
            }
            line.bar.set_message(format!("building {short}"));
        });
    }

    /// ✔ or ✘, the final state and how long the service took, on its own line.
    pub fn done(&self, service: &str, ok: bool, text: &str) {
        let (mark, code) = if ok { ("✔", GREEN) } else { ("✘", RED) };
        self.finish_line(service, mark, code, text);
    }

    fn finish_line(&self, service: &str, mark: &str, code: u8, text: &str) {
        let mark = self.paint(code, mark);
        let text = if code == RED {
            self.paint(RED, text)
        } else {
            text.to_string()
        };
        self.with_line(service, |line| {
            let secs = format!("{:.1}s", line.started.elapsed().as_secs_f64());
            line.done = true;
            line.layers.clear();
            line.bar.disable_steady_tick();
            line.bar.set_length(0);
            line.bar.set_style(Self::done_style());
            line.bar.set_message(format!(
                "{mark} {service:<18} {text} {}",
                self.paint(DIM, &secs)
            ));
            line.bar.tick();
        });
    }

    /// Stop every spinner and draw the last frame. A line still at work gets ✘: `interrupted`
    /// after Ctrl-C, `did not finish` when the command stopped on an error. Idempotent.
    pub fn finish(&self, interrupted: bool) {
        let unfinished: Vec<(String, String)> = {
            let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
            if lines.finished {
                return;
            }
            lines
                .by_service
                .iter()
                .filter(|(_, l)| !l.done)
                .map(|(s, l)| (s.clone(), l.state.clone()))
                .collect()
        };
        let why = if interrupted {
            "interrupted"
        } else {
            "did not finish"
        };
        for (service, state) in unfinished {
            self.done(&service, false, &format!("{state} ({why})"));
        }
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.finished = true;
        for line in lines.by_service.values() {
            line.bar.finish();
        }
    }
}
