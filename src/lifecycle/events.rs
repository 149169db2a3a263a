//! Progress events, streamed while `up` and `down` run: NDJSON on stderr with `--json`, gRPC
//! StartServices messages, or the CLI's progress lines.

use std::sync::Arc;

use serde::Serialize;

/// Progress, streamed while `up` runs (NDJSON on stderr with `--json`, gRPC StartServices).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Pull {
        service: String,
        image: String,
        status: String,
        layer: Option<String>,
        current: Option<i64>,
        total: Option<i64>,
    },
    Service {
        service: String,
        status: Phase,
        message: Option<String>,
    },
    /// One line of `docker build` output for a service's image, with the Dockerfile step when
    /// the line starts one (`Step 3/7`), so a terminal view can draw a bar.
    Build {
        service: String,
        image: String,
        line: String,
        step: Option<u32>,
        steps: Option<u32>,
    },
    PortRemapped {
        service: String,
        container_port: u16,
        requested: u16,
        actual: u16,
    },
    Warning {
        service: Option<String>,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Pulling,
    Building,
    Creating,
    Waiting,
    Healthy,
    Unchanged,
    Failed,
    Skipped,
    Stopping,
    Removed,
}

pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;
