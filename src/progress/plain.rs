//! The plain line log: what `up`, `down`, `restart` and `pull` print off a terminal. Scripts
//! parse it, so its lines stay as they were before the live view existed.

use super::Verb;
use crate::lifecycle::{Event, Phase};

pub struct Plain {
    verb: Verb,
}

/// A line on stderr; `--quiet` never gets here (the view is quiet then).
fn line(args: std::fmt::Arguments) {
    crate::stderr_line(args);
}

impl Plain {
    pub fn new(verb: Verb) -> Plain {
        Plain { verb }
    }

    pub fn event(&self, event: &Event) {
        match event {
            Event::Service {
                service,
                status,
                message,
            } => {
                // `down` names only what it removed; `pull` prints its own statuses.
                if (self.verb == Verb::Down && *status != Phase::Removed) || self.verb == Verb::Pull
                {
                    return;
                }
                let status = serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                let msg = message
                    .as_deref()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default();
                line(format_args!("{service:<18} {status}{msg}"));
            }
            Event::Pull {
                service,
                status,
                layer,
                ..
            } => {
                // `pull` prints the image-wide statuses and one line per finished layer (the
                // byte counts are for --json); `up` only its `pulling` step.
                if self.verb != Verb::Pull {
                    return;
                }
                match layer {
                    None => line(format_args!("{service:<18} {status}")),
                    Some(layer)
                        if matches!(status.as_str(), "Pull complete" | "Already exists") =>
                    {
                        line(format_args!("{service:<18} layer {layer}: {status}"))
                    }
                    Some(_) => {}
                }
            }
            Event::PortRemapped {
                service,
                container_port,
                requested,
                actual,
            } => line(format_args!(
                "warning: {service}: host port {requested} is busy; published container port {container_port} on {actual} instead"
            )),
            Event::Build {
                service,
                line: text,
                ..
            } => line(format_args!("{service:<18} building: {text}")),
            Event::Warning { message, .. } => line(format_args!("warning: {message}")),
        }
    }

    pub fn pulled(&self, service: &str, image: &str) {
        line(format_args!("{service:<18} pulled {image}"));
    }
}
