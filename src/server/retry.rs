//! Retry of a finished task: a failed or cancelled task goes back in its queue with its
//! attempts granted again and the payload it was submitted with (kept for this when it ended,
//! see `Table::keep_for_retry`). gRPC `RetryTask`, HTTP `POST /tasks/{id}/retry`, the CLI's
//! `tasks retry` and the dashboard's Retry button all call `Scheduler::retry`.
//!
//! The retried task is journaled with its payload (as a submission is) and the call answers
//! once that record is on disk, so a retry that was answered survives a restart and runs with
//! the original payload.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::server::clock::now_ms;
use crate::server::events::EventKind;
use crate::server::scheduler::{Scheduler, WORKFLOW_TASK_PREFIX, missing};
use crate::server::task::{ErrorKind, ExecutorKind, SResult, SchedError, Task, TaskState};

fn precondition(message: String) -> SchedError {
    SchedError::new(ErrorKind::FailedPrecondition, message)
}

impl Scheduler {
    /// Put the failed or cancelled task `id` back in its queue with as many attempts again as
    /// it was given (the attempt number keeps counting: `max_attempts` moves up, so a task of
    /// 1 attempt that failed runs next as attempt 2/2), its error and result cleared, behind
    /// the tasks queued now at its priority. Not resetting the number keeps a cancelled run
    /// that is still stopping from being taken for the new one. Emits `task_retried`. Refused
    /// (FAILED_PRECONDITION) for a task that is queued, running or completed, for a
    /// workflow's task (its run is retried instead), and for one whose payload is no longer
    /// kept; NOT_FOUND for an unknown or expired id.
    pub async fn retry(self: &Arc<Self>, id: &str) -> SResult<Task> {
        self.refuse_when_draining()?;
        let (task, ack) = {
            let mut g = self.table();
            let task = g.tasks.get(id).cloned().ok_or_else(|| missing(&g, id))?;
            if let Some(rest) = id.strip_prefix(WORKFLOW_TASK_PREFIX) {
                let run = rest.split(':').next().unwrap_or_default();
                return Err(precondition(format!(
                    "task {id} is a step of workflow run {run}: retry the run instead \
                     (`dspy-agent workflows retry {run}`, RetryWorkflowRun)"
                )));
            }
            if !matches!(task.state, TaskState::Failed | TaskState::Cancelled) {
                return Err(precondition(format!(
                    "task {id} is {}; only a failed or cancelled task can be retried",
                    task.state.as_str()
                )));
            }
            // A cancelled local run is killed, but its end (which frees its class slot and its
            // GPUs by task id) comes later: until then a new run would be taken for it.
            let stopping = g.running_local.values().any(|s| s.contains(id));
            if stopping || g.gpus.running_for(id) {
                return Err(precondition(format!(
                    "task {id} is still stopping (its cancelled run has not exited yet); \
                     retry it in a moment"
                )));
            }
            let Some(payload) = g.kept_payloads.get(id).cloned() else {
                return Err(precondition(format!(
                    "task {id} can no longer be retried: its payload is not kept (sha256 {}); \
                     submit it again",
                    task.payload_hash
                )));
            };
            let previous = task.state;
            g.unfinish(&task);
            let seq = g.next_seq;
            g.next_seq += 1;
            let executor = match task.executor {
                // A handler may have been configured (or removed) since.
                ExecutorKind::Handler | ExecutorKind::Worker => self.handler_or_worker(&task.class),
                other => other,
            };
            let Some(t) = g.tasks.get_mut(id) else {
                return Err(crate::server::scheduler::vanished(id));
            };
            t.state = TaskState::Queued;
            t.max_attempts = t.max_attempts_after_retry();
            t.attempts_before_retry = t.attempt;
            t.seq = seq;
            t.executor = executor;
            t.queued_at_ms = now_ms();
            t.started_at_ms = 0;
            t.finished_at_ms = 0;
            t.error.clear();
            t.result.clear();
            t.worker_id = None;
            t.pgid = None;
            t.slurm = None;
            t.gpu_uuids.clear();
            t.lease = None;
            let task = t.clone();
            g.retry_at.remove(id);
            g.keep_payload(id, payload.clone());
            g.enqueue(&task);
            let ack = self.store.put_durable(&task, &payload);
            self.events.emit(
                EventKind::TaskRetried,
                id,
                BTreeMap::from([
                    ("class".to_string(), task.class.clone()),
                    ("was".to_string(), previous.as_str().to_string()),
                ]),
                None,
            );
            (task, ack)
        };
        self.wake_for(task.executor);
        match ack.await {
            Ok(Ok(())) => Ok(task),
            Ok(Err(e)) => Err(SchedError::new(
                ErrorKind::Internal,
                format!("task {id} is queued again, but its record could not be written: {e}"),
            )),
            Err(_) => Err(SchedError::new(
                ErrorKind::Internal,
                "the store writer stopped before the retry was written",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::server::scheduler::test_scheduler;
    use crate::server::task::{ErrorKind, SubmitRequest, TaskState};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cancelled_task_is_queued_again_with_its_payload_and_a_fresh_count() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        let req = SubmitRequest {
            task_id: "a".into(),
            payload_json: Some(r#"{"data":42}"#.into()),
            ..Default::default()
        };
        sched.submit(req).await.unwrap();
        let e = sched.retry("a").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FailedPrecondition, "{e:?}");
        assert!(e.message.contains("is queued"), "{}", e.message);
        sched.cancel("a").unwrap();
        let before = sched.table().finished_bytes;
        assert!(
            sched.payload("a").is_some(),
            "a cancelled task keeps its payload"
        );
        let t = sched.retry("a").await.unwrap();
        // Cancelled while queued: it never ran, so its next attempt is still the first.
        assert_eq!(
            (t.state, t.attempt, t.max_attempts),
            (TaskState::Queued, 0, 3)
        );
        assert_eq!(sched.payload("a").as_deref(), Some(r#"{"data":42}"#));
        {
            let g = sched.table();
            assert!(g.finished_bytes < before, "no longer counted as retained");
            assert!(g.kept_payloads.is_empty());
        }
        let e = sched.retry("nope").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_task_whose_payload_is_gone_gets_a_clear_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let sched = test_scheduler(dir.path());
        let req = SubmitRequest {
            task_id: "old".into(),
            payload_json: Some(r#"{"data":1}"#.into()),
            ..Default::default()
        };
        sched.submit(req).await.unwrap();
        sched.cancel("old").unwrap();
        // As a task that finished before payloads were kept for a retry.
        {
            let mut g = sched.table();
            let p = g.kept_payloads.remove("old").unwrap();
            g.finished_bytes -= p.len();
        }
        let e = sched.retry("old").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::FailedPrecondition);
        assert!(e.message.contains("payload is not kept"), "{}", e.message);
        assert_eq!(sched.get("old").unwrap().state, TaskState::Cancelled);
    }
}
