//! What squeue and sacct print, as rows, and Slurm's job states in the scheduler's terms.

/// squeue's columns: job id (array elements as `123_4`), state, reason, node list, comment.
pub const SQUEUE_FORMAT: &str = "%i|%T|%r|%N|%k";

/// Slurm's job states, grouped by what they mean for a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobState {
    /// Waiting for resources or priority (also CONFIGURING, REQUEUED, SUSPENDED...).
    Pending,
    Running,
    /// Ended with exit code 0.
    Completed,
    /// Ended in a way worth another attempt: FAILED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL,
    /// BOOT_FAIL, DEADLINE, PREEMPTED.
    Failed,
    Cancelled,
}

impl JobState {
    /// `raw` as squeue's %T or sacct's State prints it (`CANCELLED by 0` included).
    pub fn parse(raw: &str) -> Option<JobState> {
        let word = raw.split_whitespace().next().unwrap_or_default();
        Some(match word {
            "PENDING" | "CONFIGURING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED"
            | "RESV_DEL_HOLD" | "SUSPENDED" | "STOPPED" | "SIGNALING" | "STAGE_OUT"
            | "RESIZING" | "SPECIAL_EXIT" => JobState::Pending,
            "RUNNING" | "COMPLETING" => JobState::Running,
            "COMPLETED" => JobState::Completed,
            "FAILED" | "TIMEOUT" | "OUT_OF_MEMORY" | "NODE_FAIL" | "BOOT_FAIL" | "DEADLINE"
            | "PREEMPTED" | "REVOKED" => JobState::Failed,
            "CANCELLED" => JobState::Cancelled,
            _ => return None,
        })
    }

    pub fn is_live(self) -> bool {
        matches!(self, JobState::Pending | JobState::Running)
    }
}

/// One job as squeue or sacct shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub job_id: String,
    /// Slurm's own word (`PENDING`, `TIMEOUT`...), shown by `tasks show`.
    pub state: String,
    pub reason: String,
    pub node: String,
    pub comment: String,
}

impl QueueRow {
    pub fn job_state(&self) -> Option<JobState> {
        JobState::parse(&self.state)
    }
}

/// Slurm prints "(null)" and "None" for empty fields.
fn field(s: &str) -> String {
    match s.trim() {
        "(null)" | "None" | "" => String::new(),
        s => s.to_string(),
    }
}

/// `squeue -h -o SQUEUE_FORMAT` output. Lines that do not have the five fields are skipped.
pub fn squeue(text: &str) -> Vec<QueueRow> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(5, '|');
            let job_id = parts.next()?.trim().to_string();
            let state = parts.next()?.trim().to_string();
            let reason = field(parts.next()?);
            let node = field(parts.next()?);
            let comment = field(parts.next()?);
            (!job_id.is_empty()).then_some(QueueRow {
                job_id,
                state,
                reason,
                node,
                comment,
            })
        })
        .collect()
}

/// `sacct -X -n -P -o JobID,State,Reason,NodeList` output.
pub fn sacct(text: &str) -> Vec<QueueRow> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, '|');
            let job_id = parts.next()?.trim().to_string();
            let state = parts.next()?.split_whitespace().next()?.to_string();
            let reason = field(parts.next().unwrap_or_default());
            let node = field(parts.next().unwrap_or_default());
            (!job_id.is_empty()).then_some(QueueRow {
                job_id,
                state,
                reason,
                node,
                comment: String::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeue_rows_with_arrays_and_empty_fields() {
        let rows = squeue(
            "12|PENDING|Resources||(null)\n13_4|RUNNING|None|node1|t1@2\nbroken line\n14|TIMEOUT|TimeLimit|n2|x|y\n",
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].reason, "Resources");
        assert_eq!(rows[0].node, "");
        assert_eq!(rows[0].comment, "");
        assert_eq!(rows[1].job_id, "13_4");
        assert_eq!(rows[1].reason, "");
        assert_eq!(rows[1].comment, "t1@2");
        assert_eq!(rows[2].job_state(), Some(JobState::Failed));
        assert_eq!(rows[2].comment, "x|y");
    }

    #[test]
    fn states_map_to_task_outcomes() {
        for (raw, want) in [
            ("PENDING", JobState::Pending),
            ("COMPLETING", JobState::Running),
            ("COMPLETED", JobState::Completed),
            ("OUT_OF_MEMORY", JobState::Failed),
            ("NODE_FAIL", JobState::Failed),
            ("TIMEOUT", JobState::Failed),
            ("CANCELLED by 0", JobState::Cancelled),
        ] {
            assert_eq!(JobState::parse(raw), Some(want), "{raw}");
        }
        assert_eq!(JobState::parse("WHATEVER"), None);
    }

    #[test]
    fn sacct_rows() {
        let rows = sacct("15|CANCELLED by 0|None|n1\n16_2|COMPLETED||n1\n");
        assert_eq!(rows[0].state, "CANCELLED");
        assert_eq!(rows[1].job_id, "16_2");
    }
}
