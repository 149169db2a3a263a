//! Reading the task table for listings: one selection (filters, order, a page) that `ListTasks`,
//! `GET /tasks`, `dspy-agent tasks` and the dashboard's tasks page all run, and the counts of
//! the dashboard's overview. Pure functions of the table, run under the scheduler's lock; they
//! copy only the page they return, so a listing costs one pass over the tasks.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::server::table::Table;
use crate::server::task::{Task, TaskState};

/// Which tasks, in which order, and which page of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskQuery {
    pub status: Option<TaskState>,
    pub class: Option<String>,
    /// A piece of the task id or of its error text.
    pub text: Option<String>,
    /// Submitted at or after this time (ms since the epoch).
    pub since_ms: Option<u64>,
    /// Submitted before this time (ms since the epoch).
    pub until_ms: Option<u64>,
    /// Failed tasks before the others (each group newest first).
    pub failures_first: bool,
    pub offset: usize,
    pub limit: usize,
}

impl TaskQuery {
    fn admits(&self, t: &Task) -> bool {
        self.status.is_none_or(|s| t.state == s)
            && self.class.as_deref().is_none_or(|c| t.class == c)
            && self.since_ms.is_none_or(|s| t.submitted_at_ms >= s)
            && self.until_ms.is_none_or(|u| t.submitted_at_ms < u)
            && self
                .text
                .as_deref()
                .is_none_or(|x| t.id.contains(x) || t.error.contains(x))
    }
}

/// The page `q` asks for, newest first (failures first when asked), and how many match.
pub fn select(g: &Table, q: &TaskQuery) -> (Vec<Task>, usize) {
    let mut matching: Vec<&Task> = g.tasks.values().filter(|t| q.admits(t)).collect();
    let total = matching.len();
    let key = |t: &&Task| {
        (
            q.failures_first && t.state != TaskState::Failed,
            Reverse(t.seq),
        )
    };
    let end = q.offset.saturating_add(q.limit).min(total);
    if q.offset >= total || q.limit == 0 {
        return (Vec::new(), total);
    }
    // Only the first `end` need ordering: partition around the last of them, then sort those.
    if end < total {
        matching.select_nth_unstable_by_key(end, key);
        matching.truncate(end);
    }
    matching.sort_unstable_by_key(key);
    let page = matching[q.offset..end]
        .iter()
        .map(|t| (*t).clone())
        .collect();
    (page, total)
}

/// One class's queue: tasks waiting, running, its cap, and when its oldest waiting task was
/// queued.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassQueue {
    pub queued: u64,
    pub running: u64,
    pub oldest_queued_ms: Option<u64>,
}

/// The overview's counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    /// (state, class) -> tasks.
    pub counts: BTreeMap<(&'static str, String), u64>,
    pub by_class: BTreeMap<String, ClassQueue>,
    pub total: u64,
}

/// The states in the order the overview shows them.
pub const STATES: [TaskState; 5] = [
    TaskState::Failed,
    TaskState::Queued,
    TaskState::Running,
    TaskState::Completed,
    TaskState::Cancelled,
];

/// The index of a state in `STATES`.
fn state_index(s: TaskState) -> usize {
    match s {
        TaskState::Failed => 0,
        TaskState::Queued => 1,
        TaskState::Running => 2,
        TaskState::Completed => 3,
        TaskState::Cancelled => 4,
    }
}

/// Every task counted by state and class, and each class's queue. One pass, no allocation per
/// task: the classes are few, so a short list beats a map.
pub fn overview(g: &Table) -> Overview {
    let mut o = Overview {
        total: g.tasks.len() as u64,
        ..Default::default()
    };
    // (class, counts by state, oldest queued_at_ms)
    let mut per_class: Vec<(&str, [u64; STATES.len()], Option<u64>)> = Vec::new();
    for t in g.tasks.values() {
        let at = match per_class.iter().position(|(c, _, _)| *c == t.class) {
            Some(at) => at,
            None => {
                per_class.push((t.class.as_str(), [0; STATES.len()], None));
                per_class.len() - 1
            }
        };
        let entry = &mut per_class[at];
        entry.1[state_index(t.state)] += 1;
        if t.state == TaskState::Queued {
            entry.2 = Some(entry.2.map_or(t.queued_at_ms, |m| m.min(t.queued_at_ms)));
        }
    }
    for (class, counts, oldest) in per_class {
        o.by_class.insert(
            class.to_string(),
            ClassQueue {
                queued: counts[1],
                running: counts[2],
                oldest_queued_ms: oldest,
            },
        );
        for (state, n) in STATES.iter().zip(counts) {
            if n > 0 {
                o.counts.insert((state.as_str(), class.to_string()), n);
            }
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(n: u64, state: TaskState, class: &str) -> Task {
        Task {
            class: class.into(),
            max_attempts: 1,
            state,
            attempt: 1,
            seq: n,
            submitted_at_ms: 1000 + n,
            queued_at_ms: 1000 + n,
            error: if state == TaskState::Failed {
                format!("boom {n}")
            } else {
                String::new()
            },
            ..Task::blank(&format!("t{n}"))
        }
    }

    fn table(n: u64) -> Table {
        let mut g = Table::default();
        for i in 0..n {
            let state = match i % 4 {
                0 => TaskState::Failed,
                1 => TaskState::Queued,
                _ => TaskState::Completed,
            };
            let class = if i % 2 == 0 { "cpu_short" } else { "cpu_long" };
            g.tasks.insert(format!("t{i}"), task(i, state, class));
        }
        g
    }

    fn ids(page: &[Task]) -> Vec<&str> {
        page.iter().map(|t| t.id.as_str()).collect()
    }

    #[test]
    fn pages_newest_first_and_failures_first() {
        let g = table(10);
        let q = TaskQuery {
            limit: 3,
            ..Default::default()
        };
        let (page, total) = select(&g, &q);
        assert_eq!((ids(&page), total), (vec!["t9", "t8", "t7"], 10));
        let q = TaskQuery {
            limit: 3,
            offset: 9,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t0"]);
        let q = TaskQuery {
            limit: 4,
            failures_first: true,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t8", "t4", "t0", "t9"]);
        let q = TaskQuery {
            limit: 4,
            offset: 2,
            failures_first: true,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t0", "t9", "t7", "t6"]);
        let q = TaskQuery {
            limit: 4,
            offset: 20,
            ..Default::default()
        };
        let (page, total) = select(&g, &q);
        assert!(page.is_empty() && total == 10);
    }

    #[test]
    fn filters() {
        let g = table(10);
        let q = TaskQuery {
            status: Some(TaskState::Failed),
            class: Some("cpu_short".into()),
            limit: 50,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t8", "t4", "t0"]);
        let q = TaskQuery {
            text: Some("boom 4".into()),
            limit: 50,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t4"]);
        let q = TaskQuery {
            since_ms: Some(1003),
            until_ms: Some(1005),
            limit: 50,
            ..Default::default()
        };
        assert_eq!(ids(&select(&g, &q).0), vec!["t4", "t3"]);
    }

    #[test]
    fn overview_counts() {
        let o = overview(&table(10));
        assert_eq!(o.total, 10);
        assert_eq!(o.counts[&("failed", "cpu_short".to_string())], 3);
        assert_eq!(o.by_class["cpu_long"].queued, 3);
        assert_eq!(o.by_class["cpu_long"].oldest_queued_ms, Some(1001));
        assert_eq!(o.by_class["cpu_short"].oldest_queued_ms, None);
    }
}
