//! Scheduler events: a tokio broadcast channel with a bounded buffer, plus the most recent
//! events retained for `since_timestamp` replay. Emitting never waits: a subscriber that falls
//! more than the buffer behind loses events and is told so with a `gap` event.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::server::scheduler::Task;

/// Events buffered per subscriber before it starts losing them.
pub const CHANNEL_CAPACITY: usize = 4096;
/// Events kept for replay.
pub const RETAINED: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub sequence: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub timestamp_ms: u64,
    pub task_id: String,
    pub data: BTreeMap<String, String>,
    /// The task as it ended (terminal events only), for result streams.
    #[serde(skip)]
    pub task: Option<Arc<Task>>,
}

impl Event {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "task_completed" | "task_failed" | "task_cancelled"
        )
    }

    /// The marker a lagging subscriber gets in place of the events it lost.
    pub fn gap(missed: u64) -> Event {
        Event {
            sequence: 0,
            kind: "gap".into(),
            timestamp_ms: crate::server::now_ms(),
            task_id: String::new(),
            data: BTreeMap::from([("missed".to_string(), missed.to_string())]),
            task: None,
        }
    }
}

pub struct Events {
    tx: broadcast::Sender<Arc<Event>>,
    /// Retained events; also the lock that orders emission against subscription.
    retained: Mutex<(u64, VecDeque<Arc<Event>>)>,
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

impl Events {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Events {
            tx,
            retained: Mutex::new((0, VecDeque::with_capacity(1024))),
        }
    }

    pub fn emit(
        &self,
        kind: &str,
        task_id: &str,
        data: BTreeMap<String, String>,
        task: Option<Arc<Task>>,
    ) {
        let mut guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let event = Arc::new(Event {
            sequence: guard.0,
            kind: kind.to_string(),
            timestamp_ms: crate::server::now_ms(),
            task_id: task_id.to_string(),
            data,
            task,
        });
        if guard.1.len() >= RETAINED {
            guard.1.pop_front();
        }
        // The retained copy drops the task snapshot: replay needs the event, and keeping
        // 10,000 results alive here would multiply memory.
        let retained = if event.task.is_some() {
            Arc::new(Event {
                task: None,
                ..(*event).clone()
            })
        } else {
            event.clone()
        };
        guard.1.push_back(retained);
        // No receivers is fine.
        let _ = self.tx.send(event);
    }

    /// A live receiver plus the retained events at or after `since_ms` (none when 0). Nothing is
    /// missed or repeated between the two.
    pub fn subscribe(&self, since_ms: u64) -> (broadcast::Receiver<Arc<Event>>, Vec<Arc<Event>>) {
        let guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        let rx = self.tx.subscribe();
        let replay = if since_ms == 0 {
            vec![]
        } else {
            guard
                .1
                .iter()
                .filter(|e| e.timestamp_ms >= since_ms)
                .cloned()
                .collect()
        };
        (rx, replay)
    }
}
