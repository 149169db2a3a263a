//! Scheduler events: a tokio broadcast channel with a bounded buffer, plus the most recent
//! events retained for `since` replay. Emitting never waits: a subscriber that falls more than
//! the buffer behind loses events and is told so with a `gap` event. `follow` is the one fan-out
//! (replay, then live, with a type filter) that gRPC StreamEvents and HTTP /events both serve.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

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
    /// A failed or cancelled task was put back in its queue (`Scheduler::retry`).
    TaskRetried,
    LeaseExpired,
    Shutdown,
    WorkflowStarted,
    StepStarted,
    StepCompleted,
    StepFailed,
    WorkflowCompleted,
    /// A service container's main process exited without a stop or kill through the engine.
    ServiceDied,
    /// Docker brought a service container back under its restart policy.
    ServiceRestarted,
    /// A service's image HEALTHCHECK failed its retries.
    ServiceUnhealthy,
    /// A service's image HEALTHCHECK passes again after `service_unhealthy`.
    ServiceHealthy,
    /// Stands in for events a slow subscriber lost; always delivered, whatever the filter.
    Gap,
}

impl EventKind {
    pub const ALL: [EventKind; 19] = [
        EventKind::TaskSubmitted,
        EventKind::TaskStarted,
        EventKind::TaskRetrying,
        EventKind::TaskCompleted,
        EventKind::TaskFailed,
        EventKind::TaskCancelled,
        EventKind::TaskRetried,
        EventKind::LeaseExpired,
        EventKind::Shutdown,
        EventKind::WorkflowStarted,
        EventKind::StepStarted,
        EventKind::StepCompleted,
        EventKind::StepFailed,
        EventKind::WorkflowCompleted,
        EventKind::ServiceDied,
        EventKind::ServiceRestarted,
        EventKind::ServiceUnhealthy,
        EventKind::ServiceHealthy,
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
            EventKind::TaskRetried => "task_retried",
            EventKind::LeaseExpired => "lease_expired",
            EventKind::Shutdown => "shutdown",
            EventKind::WorkflowStarted => "workflow_started",
            EventKind::StepStarted => "step_started",
            EventKind::StepCompleted => "step_completed",
            EventKind::StepFailed => "step_failed",
            EventKind::WorkflowCompleted => "workflow_completed",
            EventKind::ServiceDied => "service_died",
            EventKind::ServiceRestarted => "service_restarted",
            EventKind::ServiceUnhealthy => "service_unhealthy",
            EventKind::ServiceHealthy => "service_healthy",
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
            timestamp_ms: crate::server::clock::now_ms(),
            task_id: String::new(),
            data: BTreeMap::from([("missed".to_string(), missed.to_string())]),
            task: None,
        }
    }
}

pub struct Events {
    tx: broadcast::Sender<Arc<Event>>,
    /// The terminal task events alone (with their task), for result streams: a burst of
    /// submissions (300,000/s in batches) would overrun the full bus's capacity before a
    /// result stream read past it, where finished tasks come far slower.
    results: broadcast::Sender<Arc<Event>>,
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
        let (results, _) = broadcast::channel(CHANNEL_CAPACITY);
        Events {
            tx,
            results,
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
            timestamp_ms: crate::server::clock::now_ms(),
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
        if event.is_terminal() && event.task.is_some() {
            let _ = self.results.send(event.clone());
        }
        let _ = self.tx.send(event);
    }

    /// The retained events of one task, oldest first (its timeline, as far as retention
    /// reaches).
    pub fn of_task(&self, task_id: &str) -> Vec<Arc<Event>> {
        let guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .1
            .iter()
            .filter(|e| e.task_id == task_id)
            .cloned()
            .collect()
    }

    /// The sequence number of the last event emitted (0 before the first).
    pub fn last_sequence(&self) -> u64 {
        self.retained.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    /// The retained events after sequence `seq`, oldest first, and whether retention already
    /// dropped some of those (then the list is not all that happened).
    pub fn after(&self, seq: u64) -> (Vec<Arc<Event>>, bool) {
        let guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        let n = guard
            .1
            .iter()
            .rev()
            .take_while(|e| e.sequence > seq)
            .count();
        let lost = guard.0.saturating_sub(seq) > n as u64;
        let from = guard.1.len() - n;
        (guard.1.iter().skip(from).cloned().collect(), lost)
    }

    /// Events per second over the last `window_ms` (from the retained ones), and the total
    /// emitted since the start.
    pub fn rate(&self, window_ms: u64) -> (f64, u64) {
        let guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        let since = crate::server::clock::now_ms().saturating_sub(window_ms);
        let n = guard
            .1
            .iter()
            .rev()
            .take_while(|e| e.timestamp_ms >= since)
            .count();
        (n as f64 * 1000.0 / window_ms.max(1) as f64, guard.0)
    }

    /// A live receiver of terminal task events that carry their task (completed, failed,
    /// cancelled), as they are emitted from now on.
    pub fn subscribe_results(&self) -> broadcast::Receiver<Arc<Event>> {
        self.results.subscribe()
    }

    /// A live receiver plus the retained events at or after `since_ms` (none when `None`).
    /// Nothing is missed or repeated between the two.
    pub fn subscribe(
        &self,
        since_ms: Option<u64>,
    ) -> (broadcast::Receiver<Arc<Event>>, Vec<Arc<Event>>) {
        let guard = self.retained.lock().unwrap_or_else(|p| p.into_inner());
        let rx = self.tx.subscribe();
        let replay = match since_ms {
            None => vec![],
            Some(since) => guard
                .1
                .iter()
                .filter(|e| e.timestamp_ms >= since)
                .cloned()
                .collect(),
        };
        (rx, replay)
    }

    /// Replay the retained events from `since_ms` (none when `None`), then follow live ones,
    /// keeping those `types` wants. A subscriber that falls behind gets a `gap` event in place
    /// of what it lost and goes on. The feed stops when the receiver is dropped.
    pub fn follow(
        &self,
        since_ms: Option<u64>,
        types: TypeFilter,
        buffer: usize,
    ) -> mpsc::Receiver<Arc<Event>> {
        let (mut live, replay) = self.subscribe(since_ms);
        let (tx, rx) = mpsc::channel(buffer);
        tokio::spawn(async move {
            for e in replay {
                if types.wants(&e) && tx.send(e).await.is_err() {
                    return;
                }
            }
            loop {
                let e = tokio::select! {
                    e = live.recv() => e,
                    _ = tx.closed() => return,
                };
                let e = match e {
                    Ok(e) => e,
                    Err(broadcast::error::RecvError::Lagged(n)) => Arc::new(Event::gap(n)),
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                if types.wants(&e) && tx.send(e).await.is_err() {
                    return;
                }
            }
        });
        rx
    }
}

/// The event types a subscriber asked for. Names no event has match nothing (a `gap` still
/// comes through); an empty list asks for every type.
#[derive(Debug, Clone, Default)]
pub struct TypeFilter(Option<HashSet<EventKind>>);

impl TypeFilter {
    pub fn from_names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> TypeFilter {
        let mut any = false;
        let kinds: HashSet<EventKind> = names
            .into_iter()
            .inspect(|_| any = true)
            .filter_map(|n| EventKind::parse(n.as_ref()))
            .collect();
        TypeFilter(any.then_some(kinds))
    }

    pub fn wants(&self, e: &Event) -> bool {
        e.kind == EventKind::Gap || self.0.as_ref().is_none_or(|k| k.contains(&e.kind))
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
                "task_retried",
                "lease_expired",
                "shutdown",
                "workflow_started",
                "step_started",
                "step_completed",
                "step_failed",
                "workflow_completed",
                "service_died",
                "service_restarted",
                "service_unhealthy",
                "service_healthy",
                "gap"
            ]
        );
        for k in EventKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }

    #[tokio::test]
    async fn follow_replays_since_then_goes_live_through_the_filter() {
        let events = Events::new();
        events.emit(EventKind::TaskSubmitted, "old", BTreeMap::new(), None);
        events.emit(EventKind::TaskStarted, "old", BTreeMap::new(), None);
        let mut all = events.follow(Some(0), TypeFilter::from_names(["task_submitted"]), 8);
        let mut live = events.follow(None, TypeFilter::default(), 8);
        let mut unknown = events.follow(None, TypeFilter::from_names(["nope"]), 8);
        events.emit(EventKind::TaskSubmitted, "new", BTreeMap::new(), None);
        events.emit(EventKind::Shutdown, "", BTreeMap::new(), None);
        let first = all.recv().await.unwrap();
        let second = all.recv().await.unwrap();
        assert_eq!(
            (first.task_id.as_str(), second.task_id.as_str()),
            ("old", "new")
        );
        assert_eq!(live.recv().await.unwrap().task_id, "new");
        assert_eq!(live.recv().await.unwrap().kind, EventKind::Shutdown);
        // Only a gap would pass the unknown filter; nothing else arrives.
        drop(events);
        assert!(unknown.recv().await.is_none());
    }

    #[test]
    fn a_burst_of_submissions_does_not_overrun_a_result_stream() {
        use crate::server::task::Task;
        let events = Events::new();
        let mut bus = events.subscribe(None).0;
        let mut results = events.subscribe_results();
        for i in 0..2 * CHANNEL_CAPACITY {
            events.emit(
                EventKind::TaskSubmitted,
                &format!("t{i}"),
                BTreeMap::new(),
                None,
            );
        }
        let done = Arc::new(Task::blank("t0"));
        events.emit(EventKind::TaskCompleted, "t0", BTreeMap::new(), Some(done));
        // The whole bus lost the oldest events; the results bus holds the completion alone.
        assert!(matches!(
            bus.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        let got = results.try_recv().unwrap();
        assert_eq!(
            (got.kind, got.task_id.as_str()),
            (EventKind::TaskCompleted, "t0")
        );
        assert!(results.try_recv().is_err());
    }
}
