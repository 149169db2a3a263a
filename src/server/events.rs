//! Scheduler events: a tokio broadcast channel with a bounded buffer, plus the most recent
//! events retained for `since_timestamp` replay. Emitting never waits: a subscriber that falls
//! more than the buffer behind loses events and is told so with a `gap` event.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::server::task::Task;

/// Events buffered per subscriber before it starts losing them.
pub const CHANNEL_CAPACITY: usize = 4096;
/// Events kept for replay.
pub const RETAINED: usize = 10_000;

/// What happened. The wire name (`as_str`, and the serialized form) is the event's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    TaskSubmitted,
    TaskStarted,
    TaskRetrying,
    TaskCompleted,
    TaskFailed,
    TaskCancelled,
    LeaseExpired,
    Shutdown,
    /// Stands in for events a slow subscriber lost; always delivered, whatever the filter.
    Gap,
}

impl EventKind {
    pub const ALL: [EventKind; 9] = [
        EventKind::TaskSubmitted,
        EventKind::TaskStarted,
        EventKind::TaskRetrying,
        EventKind::TaskCompleted,
        EventKind::TaskFailed,
        EventKind::TaskCancelled,
        EventKind::LeaseExpired,
        EventKind::Shutdown,
        EventKind::Gap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::TaskSubmitted => "task_submitted",
            EventKind::TaskStarted => "task_started",
            EventKind::TaskRetrying => "task_retrying",
            EventKind::TaskCompleted => "task_completed",
            EventKind::TaskFailed => "task_failed",
            EventKind::TaskCancelled => "task_cancelled",
            EventKind::LeaseExpired => "lease_expired",
            EventKind::Shutdown => "shutdown",
            EventKind::Gap => "gap",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            EventKind::TaskCompleted | EventKind::TaskFailed | EventKind::TaskCancelled
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub sequence: u64,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub timestamp_ms: u64,
    pub task_id: String,
    pub data: BTreeMap<String, String>,
    /// The task as it ended (terminal events only), for result streams.
    #[serde(skip)]
    pub task: Option<Arc<Task>>,
}

impl Event {
    pub fn is_terminal(&self) -> bool {
        self.kind.is_terminal()
    }

    /// The marker a lagging subscriber gets in place of the events it lost.
    pub fn gap(missed: u64) -> Event {
        Event {
            sequence: 0,
            kind: EventKind::Gap,
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
        kind: EventKind,
        task_id: &str,
        data: BTreeMap<String, String>,
        task: Option<Arc<Task>>,
    ) {
        let mut guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        guard.0 += 1;
        let event = Arc::new(Event {
            sequence: guard.0,
            kind,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_keep_their_wire_names() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "task_submitted",
                "task_started",
                "task_retrying",
                "task_completed",
                "task_failed",
                "task_cancelled",
                "lease_expired",
                "shutdown",
                "gap"
            ]
        );
        for k in EventKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }
}
