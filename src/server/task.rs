//! The task model: what a task is, what a client asks for, and the scheduler's errors.
//!
//! It sits at the bottom of the server's modules: the store journals `Task`, events carry it,
//! the scheduler changes it, gRPC and HTTP show it. So it uses none of them; that is what keeps
//! those modules free of import cycles.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Longest task id.
pub const MAX_ID_LEN: usize = 128;
/// Most attempts a task may ask for.
pub const MAX_ATTEMPTS: u32 = 100;

/// The gRPC metadata key (and HTTP header) that says why the server refused, for clients that
/// must not guess from the message text.
pub const REASON_KEY: &str = "dspy-agent-reason";
/// `REASON_KEY`'s value when the server refuses because it drains (stops taking work).
pub const REASON_DRAINING: &str = "draining";
/// `REASON_KEY`'s value on NOT_FOUND for a task that finished and was dropped by retention.
pub const REASON_EXPIRED: &str = "expired";
/// The gRPC metadata key (and HTTP header) with an expired task's finish time, in ms.
pub const FINISHED_AT_KEY: &str = "dspy-agent-finished-at-ms";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Completed => "completed",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<TaskState> {
        Some(match s {
            "queued" => TaskState::Queued,
            "running" => TaskState::Running,
            "completed" => TaskState::Completed,
            "failed" => TaskState::Failed,
            "cancelled" => TaskState::Cancelled,
            _ => return None,
        })
    }
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Failed | TaskState::Cancelled
        )
    }
}

/// How a task runs, decided from its payload (and the class's handler) at submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutorKind {
    Process,
    Container,
    Handler,
    Worker,
    /// A job on the Slurm cluster (the class's `executor = "slurm"`).
    Slurm,
}

impl ExecutorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutorKind::Process => "process",
            ExecutorKind::Container => "container",
            ExecutorKind::Handler => "handler",
            ExecutorKind::Worker => "worker",
            ExecutorKind::Slurm => "slurm",
        }
    }
}

/// A task as stored in the journal (the payload is kept apart). Clients see it through
/// `server::view`, never as this struct.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    pub class: String,
    pub priority: i32,
    pub max_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<f64>,
    pub state: TaskState,
    pub attempt: u32,
    /// Attempts made before the last retry by hand (`tasks retry`, RetryTask, the dashboard).
    /// A retry grants the task its attempts again by raising `max_attempts` past this, and the
    /// attempt number keeps counting: a retried run never reuses an attempt number, which
    /// container names, Slurm job comments and the late outcome of a cancelled run key on.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attempts_before_retry: u32,
    /// FIFO order within a priority.
    pub seq: u64,
    pub submitted_at_ms: u64,
    #[serde(default)]
    pub queued_at_ms: u64,
    #[serde(default)]
    pub started_at_ms: u64,
    #[serde(default)]
    pub finished_at_ms: u64,
    #[serde(default)]
    pub result: BTreeMap<String, String>,
    #[serde(default)]
    pub error: String,
    pub executor: ExecutorKind,
    /// sha256 of class and canonical payload: what idempotent resubmission compares.
    pub payload_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_id: Option<String>,
    /// Process group of the running local process: after a crash, recovery kills what is
    /// left of it before the task runs again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgid: Option<u32>,
    /// The name of the token that submitted it (a `submit` token may cancel only its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_by: Option<String>,
    /// The Slurm job of the current attempt, journaled in the same record that makes the task
    /// running, so a restart looks it up rather than submitting it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm: Option<SlurmJob>,
    /// GPUs the task needs (0: none).
    #[serde(default)]
    pub gpus: u32,
    /// Free memory each of its GPUs must have, in MiB (0: any).
    #[serde(default)]
    pub gpu_memory_mb: u64,
    /// The UUIDs of the GPUs its current attempt holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gpu_uuids: Vec<String>,
    /// A pull worker's lease on the current attempt, journaled with it: after a server
    /// restart the lease holds again (for its length from the restart), so the worker that
    /// still runs the task can extend it and report its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<LeaseRecord>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Task {
    /// `max_attempts` after a retry by hand: as many attempts again as the task was given (at
    /// least 1), on top of the attempts made, since the attempt number keeps counting.
    pub fn max_attempts_after_retry(&self) -> u32 {
        let given = self
            .max_attempts
            .saturating_sub(self.attempts_before_retry)
            .max(1);
        self.attempt.saturating_add(given)
    }

    /// A queued task `id` with nothing else set: class `cpu_short`, no attempt yet, the
    /// `worker` executor. Callers set what they know with struct update syntax, so that a
    /// new field is defaulted in one place.
    pub fn blank(id: &str) -> Task {
        Task {
            id: id.into(),
            class: "cpu_short".into(),
            priority: 0,
            max_attempts: 0,
            timeout_s: None,
            state: TaskState::Queued,
            attempt: 0,
            attempts_before_retry: 0,
            seq: 0,
            submitted_at_ms: 0,
            queued_at_ms: 0,
            started_at_ms: 0,
            finished_at_ms: 0,
            result: BTreeMap::new(),
            error: String::new(),
            executor: ExecutorKind::Worker,
            payload_hash: String::new(),
            worker_id: None,
            pgid: None,
            submitted_by: None,
            slurm: None,
            gpus: 0,
            gpu_memory_mb: 0,
            gpu_uuids: Vec::new(),
            lease: None,
        }
    }
}

/// What the journal keeps of a lease: its id and length (not its expiry, which each
/// ExtendLease moves, and which a restart starts afresh).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaseRecord {
    pub id: String,
    pub seconds: f64,
}

/// A task's Slurm job as the last poll saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlurmJob {
    /// `123`, or `123_4` for element 4 of array 123.
    pub job_id: String,
    /// The attempt's directory under `slurm.workdir` (script, payload, outputs, exit code).
    pub dir: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub node: String,
    /// Slurm's word: PENDING, RUNNING, COMPLETED, TIMEOUT...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub state: String,
    /// Why it waits (Resources, Priority...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// What a client asks for.
#[derive(Debug, Clone, Default)]
pub struct SubmitRequest {
    pub task_id: String,
    /// Legacy: each value parsed as JSON when it parses. Read only without `payload_json`.
    pub payload: BTreeMap<String, String>,
    /// The payload as a JSON object's text; when present it wins over `payload`.
    pub payload_json: Option<String>,
    pub class: String,
    pub priority: i32,
    pub max_attempts: u32,
    pub timeout_s: f64,
    /// The submitting token's name.
    pub submitted_by: Option<String>,
    /// None: the class's default (`default_gpus`). Signed so that a negative count reaches
    /// validation and is refused there, not wrapped.
    pub gpus: Option<i64>,
    /// None or 0: any free memory.
    pub gpu_memory_mb: Option<i64>,
}

/// GPUs a task of `class` needs when it does not say: one for `gpu`, none otherwise. The
/// `gpu_slurm` class asks Slurm, not this machine, so it takes none here unless told.
pub fn default_gpus(class: &str) -> u32 {
    u32::from(class == "gpu")
}

/// Check a request's GPU fields (before the machine's inventory is consulted): counts and
/// sizes that are not negative and fit in the task's fields.
pub fn validate_gpu_request(
    class: &str,
    gpus: Option<i64>,
    gpu_memory_mb: Option<i64>,
) -> SResult<(u32, u64)> {
    let gpus = match gpus {
        None => default_gpus(class),
        Some(n) => u32::try_from(n).map_err(|_| {
            SchedError::invalid(format!(
                "gpus is {n}; expected a whole number of GPUs, 0 or more"
            ))
        })?,
    };
    let memory = match gpu_memory_mb {
        None => 0,
        Some(m) => u64::try_from(m).map_err(|_| {
            SchedError::invalid(format!(
                "gpu_memory_mb is {m}; expected a whole number of MiB, 0 or more (0: any)"
            ))
        })?,
    };
    if memory > 0 && gpus == 0 {
        return Err(SchedError::invalid(format!(
            "gpu_memory_mb is {memory} but the task asks for no GPU (gpus = 0)"
        )));
    }
    Ok((gpus, memory))
}

/// Errors in the terms both gRPC and HTTP map to their own codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidArgument,
    AlreadyExists,
    NotFound,
    FailedPrecondition,
    /// The server drains: it takes no new work (gRPC UNAVAILABLE, HTTP 503, both with
    /// `REASON_KEY: draining`).
    Draining,
    ResourceExhausted,
    Internal,
}

#[derive(Debug, Clone)]
pub struct SchedError {
    pub kind: ErrorKind,
    pub message: String,
    /// NOT_FOUND for a task retention dropped: when it finished (ms since the epoch).
    pub expired_at_ms: Option<u64>,
}

impl SchedError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        SchedError {
            kind,
            message: message.into(),
            expired_at_ms: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    pub fn not_found(id: &str) -> Self {
        Self::new(ErrorKind::NotFound, format!("no task {id}"))
    }

    /// NOT_FOUND for a task that finished at `finished_at_ms` and was dropped by retention.
    pub fn expired(id: &str, finished_at_ms: u64) -> Self {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(finished_at_ms);
        let mut e = Self::new(
            ErrorKind::NotFound,
            format!(
                "task {id} expired: it finished at {} and retention dropped its result",
                humantime::format_rfc3339_millis(at)
            ),
        );
        e.expired_at_ms = Some(finished_at_ms);
        e
    }
}

pub type SResult<T> = std::result::Result<T, SchedError>;

/// Task ids become file-free keys, log fields and container-name parts: keep them plain.
pub fn validate_id(id: &str) -> SResult<()> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(SchedError::invalid(format!(
            "task id must be 1-{MAX_ID_LEN} characters"
        )));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-')))
    {
        return Err(SchedError::invalid(format!(
            "task id {id:?} has the character {c:?}: use only A-Z a-z 0-9 . _ : -"
        )));
    }
    if id == "." || id == ".." {
        return Err(SchedError::invalid("task id may not be . or .."));
    }
    Ok(())
}

/// The payload map as one JSON object: each value is parsed as JSON when it parses, and kept as
/// a string otherwise.
pub fn payload_object(
    payload: &BTreeMap<String, String>,
) -> serde_json::Map<String, serde_json::Value> {
    payload
        .iter()
        .map(|(k, v)| {
            let value = serde_json::from_str::<serde_json::Value>(v)
                .unwrap_or_else(|_| serde_json::Value::String(v.clone()));
            (k.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_and_bounded() {
        for ok in ["task-1", "a.b_c:d-E9", &"x".repeat(MAX_ID_LEN)] {
            assert!(validate_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a/b",
            "a\\b",
            "..",
            ".",
            "a b",
            "é",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            let e = validate_id(bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{bad}");
        }
    }

    #[test]
    fn gpu_requests_default_by_class_and_refuse_negatives() {
        assert_eq!(validate_gpu_request("gpu", None, None).unwrap(), (1, 0));
        assert_eq!(
            validate_gpu_request("cpu_short", None, None).unwrap(),
            (0, 0)
        );
        assert_eq!(
            validate_gpu_request("gpu_slurm", None, None).unwrap(),
            (0, 0)
        );
        assert_eq!(
            validate_gpu_request("cpu_long", Some(2), Some(1024)).unwrap(),
            (2, 1024)
        );
        for (gpus, mem) in [(Some(-1), None), (None, Some(-5)), (Some(0), Some(10))] {
            let e = validate_gpu_request("gpu", gpus, mem).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidArgument, "{gpus:?} {mem:?}");
        }
        let e = validate_gpu_request("gpu", Some(-1), None).unwrap_err();
        assert!(e.message.contains("gpus is -1"), "{}", e.message);
    }

    #[test]
    fn payload_values_carry_json_or_stay_strings() {
        let m = BTreeMap::from([
            ("n".to_string(), "3".to_string()),
            ("s".to_string(), "\"quoted\"".to_string()),
            ("plain".to_string(), "value".to_string()),
            ("argv".to_string(), "[\"echo\", \"hi\"]".to_string()),
        ]);
        let o = payload_object(&m);
        assert_eq!(
            serde_json::Value::Object(o),
            serde_json::json!({"n": 3, "s": "quoted", "plain": "value", "argv": ["echo", "hi"]})
        );
    }
}
