//! A run's state: its steps, each step's items (one for a plain step, one per list element for
//! a map), every earlier attempt of each step, and the run document clients see.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::watch;

use crate::server::workflow::spec::Compiled;

/// The status of a run, a step or an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Running,
    Completed,
    Failed,
    Skipped,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Cancelled => "cancelled",
        }
    }
    pub fn is_terminal(self) -> bool {
        !matches!(self, Status::Pending | Status::Running)
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    pub status: Status,
    /// The step attempt that last started this item: part of its task id.
    pub generation: u32,
    pub outputs: Value,
    pub error: String,
    pub task_id: String,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
}

impl Default for Item {
    fn default() -> Self {
        Self::new()
    }
}

impl Item {
    pub fn new() -> Item {
        Item {
            status: Status::Pending,
            generation: 0,
            outputs: Value::Null,
            error: String::new(),
            task_id: String::new(),
            started_at_ms: 0,
            finished_at_ms: 0,
        }
    }
}

/// Items per status, kept as items change, so a large map never has to be counted.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub total: usize,
    pub pending: usize,
    pub running: usize,
    pub completed: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl Counts {
    fn slot(&mut self, s: Status) -> &mut usize {
        match s {
            Status::Pending | Status::Skipped => &mut self.pending,
            Status::Running => &mut self.running,
            Status::Completed => &mut self.completed,
            Status::Failed => &mut self.failed,
            Status::Cancelled => &mut self.cancelled,
        }
    }
}

/// One finished attempt of a step, kept when the step runs again.
#[derive(Debug, Clone, Serialize)]
pub struct StepAttempt {
    pub attempt: u32,
    pub status: Status,
    pub counts: Counts,
    pub outputs: Value,
    pub error: String,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
}

#[derive(Debug, Clone)]
pub struct StepRun {
    pub status: Status,
    /// 0 until the step first starts.
    pub attempt: u32,
    pub items: Vec<Item>,
    pub counts: Counts,
    /// A map's resolved list (kept so a retry can tell whether the items are still the same).
    pub list: Option<Vec<Value>>,
    /// Items before this index are not pending (a cursor, so a large map starts in O(1)).
    pub next: usize,
    pub error: String,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
    pub history: Vec<StepAttempt>,
}

impl Default for StepRun {
    fn default() -> Self {
        Self::new()
    }
}

impl StepRun {
    pub fn new() -> StepRun {
        StepRun {
            status: Status::Pending,
            attempt: 0,
            items: Vec::new(),
            counts: Counts::default(),
            list: None,
            next: 0,
            error: String::new(),
            started_at_ms: 0,
            finished_at_ms: 0,
            history: Vec::new(),
        }
    }

    pub fn set_items(&mut self, items: Vec<Item>) {
        self.counts = Counts {
            total: items.len(),
            ..Default::default()
        };
        for it in &items {
            *self.counts.slot(it.status) += 1;
        }
        self.items = items;
        self.next = 0;
    }

    pub fn set_item_status(&mut self, i: usize, s: Status) {
        let old = self.items[i].status;
        *self.counts.slot(old) -= 1;
        *self.counts.slot(s) += 1;
        self.items[i].status = s;
        if s == Status::Pending {
            self.next = self.next.min(i);
        }
    }

    /// The step's outputs: a plain step's item outputs, or a map's list of them, in order.
    pub fn outputs(&self, is_map: bool) -> Value {
        if is_map {
            Value::Array(self.items.iter().map(|i| i.outputs.clone()).collect())
        } else {
            self.items
                .first()
                .map_or(Value::Null, |i| i.outputs.clone())
        }
    }

    /// Keep the attempt that just ended in the history.
    pub fn archive(&mut self, is_map: bool) {
        if self.attempt == 0 {
            return;
        }
        self.history.push(StepAttempt {
            attempt: self.attempt,
            status: self.status,
            counts: self.counts,
            outputs: self.outputs(is_map),
            error: self.error.clone(),
            started_at_ms: self.started_at_ms,
            finished_at_ms: self.finished_at_ms,
        });
    }
}

pub struct Run {
    pub id: String,
    pub spec: Arc<Compiled>,
    pub params: Map<String, Value>,
    /// Attempts of the whole run (a start with on_conflict = allow_if_failed adds one).
    pub attempt: u32,
    pub status: Status,
    /// A step failed for good: nothing new starts, and the run fails once nothing runs.
    pub failing: bool,
    pub created_at_ms: u64,
    pub finished_at_ms: u64,
    pub error: String,
    /// Starts, retries (with their params overrides) and cancels, in order.
    pub history: Vec<Value>,
    pub steps: Vec<StepRun>,
    /// Map steps whose class runs on Slurm: all their items go at once, as one job array that
    /// Slurm throttles to `max_parallel`, instead of the engine holding items back.
    pub slurm_maps: Vec<bool>,
    /// Bumped at every change: what StreamWorkflowStatus waits on.
    pub changed: watch::Sender<u64>,
}

impl Run {
    pub fn is_map(&self, step: usize) -> bool {
        self.spec.spec.steps[step].map.is_some()
    }

    pub fn touch(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    /// The task id of item `item` of `step` as its current generation runs it.
    pub fn task_id(&self, step: usize, item: usize) -> String {
        let s = &self.spec.spec.steps[step];
        let idx = if s.map.is_some() {
            item.to_string()
        } else {
            "-".to_string()
        };
        format!(
            "{}{}:{}:{idx}:{}.{}",
            crate::server::scheduler::WORKFLOW_TASK_PREFIX,
            self.id,
            s.id,
            self.attempt,
            self.steps[step].items[item].generation
        )
    }

    /// The run document: what `workflow status --json`, GetWorkflowRun and HTTP show.
    /// `items`: include each map item (large; only on request).
    /// The run document without params and history: what a stream compares at each change
    /// (a large param list is not copied for every finished item).
    pub fn status_document(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| self.step_document(i, s, false))
            .collect();
        json!({
            "run_id": self.id,
            "workflow": self.spec.spec.name,
            "version": self.spec.hash,
            "status": self.status.as_str(),
            "attempt": self.attempt,
            "error": self.error,
            "steps": steps,
        })
    }

    pub fn document(&self, items: bool) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| self.step_document(i, s, items))
            .collect();
        json!({
            "schema_version": 1,
            "run_id": self.id,
            "workflow": self.spec.spec.name,
            "version": self.spec.hash,
            "status": self.status.as_str(),
            "attempt": self.attempt,
            "params": self.params,
            "created_at_ms": self.created_at_ms,
            "finished_at_ms": self.finished_at_ms,
            "error": self.error,
            "history": self.history,
            "steps": steps,
        })
    }

    /// A pending step of a live run waits for its dependencies: a step's tasks are submitted
    /// only once they are done, so this, not a task's `blocked_reason`, is where a
    /// workflow dependency shows. Null when it does not wait on one.
    fn step_blocked(&self, i: usize, s: &StepRun) -> Value {
        if s.status != Status::Pending || self.status.is_terminal() {
            return Value::Null;
        }
        let waiting: Vec<&str> = self.spec.deps[i]
            .iter()
            .filter(|&&d| !self.steps[d].status.is_terminal())
            .map(|&d| self.spec.spec.steps[d].id.as_str())
            .collect();
        if waiting.is_empty() {
            return Value::Null;
        }
        json!({
            "kind": "workflow_dependency",
            "message": format!("waiting for step(s) {} to finish", waiting.join(", ")),
            "waiting_on": waiting,
        })
    }

    pub fn step_document(&self, i: usize, s: &StepRun, items: bool) -> Value {
        let spec = &self.spec.spec.steps[i];
        let is_map = spec.map.is_some();
        let duration_ms = match (s.started_at_ms, s.finished_at_ms) {
            (0, _) => 0,
            (a, 0) => crate::server::clock::now_ms().saturating_sub(a),
            (a, b) => b.saturating_sub(a),
        };
        let mut doc = json!({
            "id": spec.id,
            "depends": spec.depends,
            "status": s.status.as_str(),
            "attempt": s.attempt,
            "map": if is_map { serde_json::to_value(s.counts).unwrap_or_default() } else { Value::Null },
            "outputs": if s.status == Status::Completed { s.outputs(is_map) } else { Value::Null },
            "error": s.error,
            "started_at_ms": s.started_at_ms,
            "finished_at_ms": s.finished_at_ms,
            "duration_ms": duration_ms,
            "attempts": s.history,
            "blocked_reason": self.step_blocked(i, s),
        });
        if !is_map && let Some(it) = s.items.first() {
            doc["task_id"] = Value::String(it.task_id.clone());
        }
        if items && is_map {
            doc["items"] = s
                .items
                .iter()
                .map(|it| {
                    json!({"status": it.status.as_str(), "task_id": it.task_id,
                           "outputs": it.outputs, "error": it.error})
                })
                .collect();
        }
        doc
    }
}
