//! The one shape of a task that clients see. gRPC sends `pb::TaskStatus` (built only here, from
//! `Task`); HTTP and the CLI's `--json` both show `TaskView`, made from that same TaskStatus, so
//! the two documents cannot drift apart again.
//!
//! `worker_id` is the one field whose "none" differs on the wire: proto3 has no null, so gRPC
//! sends "", and the JSON view turns "" into null.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::proto::orchestrator as pb;
use crate::server::task::Task;

impl From<&Task> for pb::TaskStatus {
    fn from(t: &Task) -> Self {
        pb::TaskStatus {
            task_id: t.id.clone(),
            class: t.class.clone(),
            status: t.state.as_str().into(),
            priority: t.priority,
            attempt: t.attempt,
            max_attempts: t.max_attempts,
            submitted_at_ms: t.submitted_at_ms,
            started_at_ms: t.started_at_ms,
            finished_at_ms: t.finished_at_ms,
            result: t.result.clone().into_iter().collect(),
            error: t.error.clone(),
            executor: t.executor.as_str().into(),
            worker_id: t.worker_id.clone().unwrap_or_default(),
            gpus: t.gpus,
            gpu_memory_mb: t.gpu_memory_mb,
            gpu_uuids: t.gpu_uuids.clone(),
            slurm: t
                .slurm
                .as_ref()
                .map(|j| {
                    [
                        ("job_id", &j.job_id),
                        ("node", &j.node),
                        ("state", &j.state),
                        ("reason", &j.reason),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect()
                })
                .unwrap_or_default(),
            blocked_reason: None,
        }
    }
}

impl From<&Task> for pb::TaskResult {
    fn from(t: &Task) -> Self {
        pb::TaskResult {
            task_id: t.id.clone(),
            status: t.state.as_str().into(),
            result: t.result.clone().into_iter().collect(),
            error: t.error.clone(),
            attempt: t.attempt,
            finished_at_ms: t.finished_at_ms,
            class: t.class.clone(),
        }
    }
}

/// The task document of HTTP (`GET /tasks/{id}` and the others) and of `tasks show --json`,
/// `submit --wait --json`. Field order is the document's key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskView {
    pub task_id: String,
    pub class: String,
    pub status: String,
    pub priority: i32,
    pub attempt: u32,
    pub max_attempts: u32,
    pub executor: String,
    pub submitted_at_ms: u64,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
    pub result: BTreeMap<String, String>,
    pub error: String,
    /// The pull worker holding the task's lease; null while none does.
    pub worker_id: Option<String>,
    pub gpus: u32,
    pub gpu_memory_mb: u64,
    /// The GPUs the latest attempt was given, by UUID.
    pub gpu_uuids: Vec<String>,
    /// A slurm task's job (job_id, node, state, reason); absent for other executors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slurm: Option<BTreeMap<String, String>>,
    /// What holds it back while it waits (`server::why`); null otherwise.
    pub blocked_reason: Option<BlockedView>,
}

/// `BlockedReason` as JSON: every field, whichever the kind uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockedView {
    pub kind: String,
    pub message: String,
    pub class: String,
    pub running: u32,
    pub limit: u32,
    pub ahead: u64,
    pub gpus_needed: u32,
    pub gpus_free: u32,
    pub gpus_held: Vec<HeldGpuView>,
    pub workers_connected: u32,
    pub until_ms: u64,
    pub slurm_job_id: String,
    pub slurm_state: String,
    pub slurm_reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldGpuView {
    pub uuid: String,
    pub index: u32,
    pub task_id: String,
    pub state: String,
}

impl From<pb::BlockedReason> for BlockedView {
    fn from(b: pb::BlockedReason) -> Self {
        BlockedView {
            kind: b.kind,
            message: b.message,
            class: b.class,
            running: b.running,
            limit: b.limit,
            ahead: b.ahead,
            gpus_needed: b.gpus_needed,
            gpus_free: b.gpus_free,
            gpus_held: b
                .gpus_held
                .into_iter()
                .map(|h| HeldGpuView {
                    uuid: h.uuid,
                    index: h.index,
                    task_id: h.task_id,
                    state: h.state,
                })
                .collect(),
            workers_connected: b.workers_connected,
            until_ms: b.until_ms,
            slurm_job_id: b.slurm_job_id,
            slurm_state: b.slurm_state,
            slurm_reason: b.slurm_reason,
        }
    }
}

impl BlockedView {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl From<pb::TaskStatus> for TaskView {
    fn from(t: pb::TaskStatus) -> Self {
        TaskView {
            task_id: t.task_id,
            class: t.class,
            status: t.status,
            priority: t.priority,
            attempt: t.attempt,
            max_attempts: t.max_attempts,
            executor: t.executor,
            submitted_at_ms: t.submitted_at_ms,
            started_at_ms: t.started_at_ms,
            finished_at_ms: t.finished_at_ms,
            result: t.result.into_iter().collect(),
            error: t.error,
            worker_id: Some(t.worker_id).filter(|w| !w.is_empty()),
            gpus: t.gpus,
            gpu_memory_mb: t.gpu_memory_mb,
            gpu_uuids: t.gpu_uuids,
            slurm: (!t.slurm.is_empty()).then(|| t.slurm.into_iter().collect()),
            blocked_reason: t.blocked_reason.map(BlockedView::from),
        }
    }
}

impl From<&pb::TaskStatus> for TaskView {
    fn from(t: &pb::TaskStatus) -> Self {
        TaskView::from(t.clone())
    }
}

impl From<&Task> for TaskView {
    fn from(t: &Task) -> Self {
        TaskView::from(pb::TaskStatus::from(t))
    }
}

impl TaskView {
    /// As a JSON object, for documents that add a field of their own (`created`, `cancelled`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::task::TaskState;

    fn task(worker: Option<&str>) -> Task {
        Task {
            priority: -3,
            max_attempts: 2,
            state: TaskState::Running,
            attempt: 1,
            seq: 9,
            submitted_at_ms: 10,
            queued_at_ms: 11,
            started_at_ms: 12,
            result: BTreeMap::from([("b".into(), "2".into()), ("a".into(), "1".into())]),
            error: "e".into(),
            payload_hash: "h".into(),
            worker_id: worker.map(str::to_string),
            pgid: Some(4),
            ..Task::blank("t")
        }
    }

    #[test]
    fn the_view_has_the_documented_keys_and_worker_id_is_null_when_none() {
        let doc = TaskView::from(&task(None)).to_json();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "task_id",
                "class",
                "status",
                "priority",
                "attempt",
                "max_attempts",
                "executor",
                "submitted_at_ms",
                "started_at_ms",
                "finished_at_ms",
                "result",
                "error",
                "worker_id",
                "gpus",
                "gpu_memory_mb",
                "gpu_uuids",
                "blocked_reason"
            ]
        );
        assert_eq!(doc["worker_id"], serde_json::Value::Null);
        assert_eq!(doc["blocked_reason"], serde_json::Value::Null);
        assert_eq!(doc["status"], "running");
        assert_eq!(doc["result"], serde_json::json!({"a": "1", "b": "2"}));
        let held = TaskView::from(&task(Some("w1"))).to_json();
        assert_eq!(held["worker_id"], "w1");
    }
}
