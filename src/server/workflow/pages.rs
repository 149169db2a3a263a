//! What the dashboard's workflow pages read of the engine, cheaply: a run's steps with their
//! kept per-status counts (never the items themselves), one page of a map's items, and one
//! page of run summaries. Each takes the engine lock once and copies only what it returns.

use crate::server::task::{SResult, SchedError};
use crate::server::workflow::engine::{Engine, not_found};
use crate::server::workflow::run::{Counts, Run, Status};

/// Every status, in the order filters list them.
pub const STATUSES: [Status; 6] = [
    Status::Pending,
    Status::Running,
    Status::Completed,
    Status::Failed,
    Status::Skipped,
    Status::Cancelled,
];

/// A status by its name.
pub fn parse_status(s: &str) -> Option<Status> {
    STATUSES.into_iter().find(|st| st.as_str() == s)
}

/// One step of a run, without its items.
#[derive(Debug, Clone)]
pub struct StepSnapshot {
    pub id: String,
    /// Indices of the steps it depends on.
    pub deps: Vec<usize>,
    pub is_map: bool,
    pub class: String,
    pub status: Status,
    pub attempt: u32,
    /// The spec's attempts per task (0: the class's default).
    pub max_attempts: u32,
    pub counts: Counts,
    pub error: String,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
    /// A plain step's task.
    pub task_id: String,
}

/// A run without its items.
#[derive(Debug, Clone)]
pub struct RunSnapshot {
    pub id: String,
    pub workflow: String,
    pub version: String,
    pub status: Status,
    pub attempt: u32,
    pub created_at_ms: u64,
    pub finished_at_ms: u64,
    pub error: String,
    pub steps: Vec<StepSnapshot>,
}

/// One item of a map, with its index.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub index: usize,
    pub status: Status,
    pub error: String,
    pub task_id: String,
    pub started_at_ms: u64,
    pub finished_at_ms: u64,
}

/// A page of a map's items.
#[derive(Debug, Clone)]
pub struct ItemsPage {
    pub step: StepSnapshot,
    pub run_status: Status,
    pub rows: Vec<ItemRow>,
    /// Items matching the filter.
    pub matching: usize,
}

/// A run in the list.
#[derive(Debug, Clone)]
pub struct RunSummary {
    pub id: String,
    pub workflow: String,
    pub status: Status,
    pub attempt: u32,
    pub created_at_ms: u64,
    pub finished_at_ms: u64,
    pub steps: usize,
    pub steps_completed: usize,
    pub error: String,
    /// The first failed step and its error, when one failed.
    pub first_failure: Option<(String, String)>,
}

fn step_snapshot(r: &Run, i: usize) -> StepSnapshot {
    let spec = &r.spec.spec.steps[i];
    let s = &r.steps[i];
    StepSnapshot {
        id: spec.id.clone(),
        deps: r.spec.deps[i].clone(),
        is_map: spec.map.is_some(),
        class: spec.class.clone(),
        status: s.status,
        attempt: s.attempt,
        max_attempts: spec.max_attempts,
        counts: s.counts,
        error: s.error.clone(),
        started_at_ms: s.started_at_ms,
        finished_at_ms: s.finished_at_ms,
        task_id: if spec.map.is_none() {
            s.items
                .first()
                .map(|it| it.task_id.clone())
                .unwrap_or_default()
        } else {
            String::new()
        },
    }
}

fn first_failure(r: &Run) -> Option<(String, String)> {
    let i = r.steps.iter().position(|s| s.status == Status::Failed)?;
    let s = &r.steps[i];
    // A map's first failed item says more than the step's summary.
    let error = s
        .items
        .iter()
        .find(|it| it.status == Status::Failed && !it.error.is_empty())
        .map_or_else(|| s.error.clone(), |it| it.error.clone());
    Some((r.spec.spec.steps[i].id.clone(), error))
}

impl Engine {
    /// A run's steps with their counts: O(steps), whatever the number of items.
    pub fn run_snapshot(&self, run: &str) -> SResult<RunSnapshot> {
        let st = self.lock();
        let r = st.runs.get(run).ok_or_else(|| not_found(run))?;
        Ok(RunSnapshot {
            id: r.id.clone(),
            workflow: r.spec.spec.name.clone(),
            version: r.spec.hash.clone(),
            status: r.status,
            attempt: r.attempt,
            created_at_ms: r.created_at_ms,
            finished_at_ms: r.finished_at_ms,
            error: r.error.clone(),
            steps: (0..r.steps.len()).map(|i| step_snapshot(r, i)).collect(),
        })
    }

    /// Items `offset..offset + limit` of map step `step`: those with `status`, or all of them
    /// failures first; each in index order. One pass over the items, copying only the page.
    pub fn map_items(
        &self,
        run: &str,
        step: &str,
        status: Option<Status>,
        offset: usize,
        limit: usize,
    ) -> SResult<ItemsPage> {
        let st = self.lock();
        let r = st.runs.get(run).ok_or_else(|| not_found(run))?;
        let i = *r.spec.index.get(step).ok_or_else(|| {
            SchedError::new(
                crate::server::task::ErrorKind::NotFound,
                format!("workflow run {run} has no step {step:?}"),
            )
        })?;
        let s = &r.steps[i];
        let row = |(index, it): (usize, &crate::server::workflow::run::Item)| ItemRow {
            index,
            status: it.status,
            error: it.error.clone(),
            task_id: it.task_id.clone(),
            started_at_ms: it.started_at_ms,
            finished_at_ms: it.finished_at_ms,
        };
        let items = s.items.iter().enumerate();
        let (rows, matching) = match status {
            Some(want) => {
                let matching = items.clone().filter(|(_, it)| it.status == want).count();
                let rows = items
                    .filter(|(_, it)| it.status == want)
                    .skip(offset)
                    .take(limit)
                    .map(row)
                    .collect();
                (rows, matching)
            }
            None => {
                let failed = s.counts.failed;
                let mut rows: Vec<ItemRow> = items
                    .clone()
                    .filter(|(_, it)| it.status == Status::Failed)
                    .skip(offset)
                    .take(limit)
                    .map(row)
                    .collect();
                if rows.len() < limit {
                    let rest = offset.saturating_sub(failed);
                    rows.extend(
                        items
                            .filter(|(_, it)| it.status != Status::Failed)
                            .skip(rest)
                            .take(limit - rows.len())
                            .map(row),
                    );
                }
                (rows, s.items.len())
            }
        };
        Ok(ItemsPage {
            step: step_snapshot(r, i),
            run_status: r.status,
            rows,
            matching,
        })
    }

    /// Runs newest first, of `workflow` and with `status` when given: the page
    /// `offset..offset + limit` and how many match.
    pub fn run_summaries(
        &self,
        workflow: Option<&str>,
        status: Option<Status>,
        offset: usize,
        limit: usize,
    ) -> (Vec<RunSummary>, usize) {
        let st = self.lock();
        let mut runs: Vec<&Run> = st
            .runs
            .values()
            .filter(|r| workflow.is_none_or(|w| r.spec.spec.name == w))
            .filter(|r| status.is_none_or(|s| r.status == s))
            .collect();
        let total = runs.len();
        runs.sort_by(|a, b| (b.created_at_ms, &b.id).cmp(&(a.created_at_ms, &a.id)));
        let page = runs
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|r| RunSummary {
                id: r.id.clone(),
                workflow: r.spec.spec.name.clone(),
                status: r.status,
                attempt: r.attempt,
                created_at_ms: r.created_at_ms,
                finished_at_ms: r.finished_at_ms,
                steps: r.steps.len(),
                steps_completed: r
                    .steps
                    .iter()
                    .filter(|s| s.status == Status::Completed)
                    .count(),
                error: r.error.clone(),
                first_failure: first_failure(r),
            })
            .collect();
        (page, total)
    }
}
