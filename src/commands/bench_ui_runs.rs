//! The workflow part of `dspy-agent bench --ui`: a run whose map has `ITEMS` (10,000) items,
//! most of them finished by the bench acting as a pull worker (1 in 40 failed), the rest
//! still running, so the run page draws a map node with every count and the items table has
//! failures to put first. Its pages are then timed with the others.

use std::collections::HashMap;

use serde_json::json;

use crate::commands::client::Client;
use crate::error::{Error, Result};
use crate::proto::orchestrator as pb;

/// Items of the bench's map.
pub const ITEMS: usize = 10_000;
/// Of them, finished before the pages are timed.
const FINISH: usize = 6_000;
pub const RUN_ID: &str = "bench-map";

/// Create and start the run, and finish `FINISH` of its items; the pages to time.
pub async fn prepare(c: &mut Client) -> Result<Vec<(&'static str, String)>> {
    let fail = |s: tonic::Status| Error::runtime(format!("bench request failed: {s}"));
    let spec = json!({
        "name": "bench-ui-map",
        "params": {"xs": (0..ITEMS).collect::<Vec<usize>>()},
        "steps": [
            {"id": "prepare", "class": "cpu_long", "priority": 100, "payload": {"x": 1}},
            {"id": "infer", "depends": ["prepare"], "map": "${params.xs}", "class": "cpu_long",
             "priority": 100, "max_parallel": ITEMS, "max_attempts": 1,
             "payload": {"x": "${item}"}},
            {"id": "score", "depends": ["infer"], "class": "cpu_long", "priority": 100,
             "payload": {"x": 1}},
            {"id": "report", "depends": ["infer"], "class": "cpu_long", "priority": 100,
             "payload": {"x": 1}},
            {"id": "publish", "depends": ["score", "report"], "class": "cpu_long",
             "priority": 100, "payload": {"x": 1}}
        ]
    });
    c.create_workflow(pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    })
    .await
    .map_err(fail)?;
    c.start_workflow_run(pb::StartWorkflowRunRequest {
        workflow: "bench-ui-map".into(),
        run_id: RUN_ID.into(),
        params: HashMap::new(),
        ..Default::default()
    })
    .await
    .map_err(fail)?;
    // The first step, then FINISH of the map's items (their priority puts them before the
    // bench's plain tasks of the same class).
    let mut done = 0;
    let mut idle = 0;
    while done < FINISH + 1 {
        let leased = c
            .lease_tasks(pb::LeaseTasksRequest {
                worker_id: "bench-wf".into(),
                classes: vec!["cpu_long".into()],
                max: 1000.min((FINISH + 1 - done) as u32),
                lease_seconds: 600.0,
                wait_ms: 2000,
                ..Default::default()
            })
            .await
            .map_err(fail)?
            .into_inner()
            .tasks;
        if leased.is_empty() {
            idle += 1;
            if idle > 5 {
                return Err(Error::runtime(format!(
                    "the bench's workflow gave no task to lease after {done} finished"
                )));
            }
            continue;
        }
        for t in leased {
            let success = done % 40 != 7;
            c.complete_task(pb::CompleteTaskRequest {
                task_id: t.task_id,
                lease_id: t.lease_id,
                success,
                error: if success {
                    String::new()
                } else {
                    format!("Traceback (most recent call last):\nValueError: item {done} is bad")
                },
                ..Default::default()
            })
            .await
            .map_err(fail)?;
            done += 1;
        }
    }
    Ok(vec![
        (
            "workflow run (10,000-item map)",
            format!("/ui/runs/{RUN_ID}"),
        ),
        (
            "map items (failures first)",
            format!("/ui/runs/{RUN_ID}/steps/infer"),
        ),
        (
            "map items (status=completed, page 100)",
            format!("/ui/runs/{RUN_ID}/steps/infer?status=completed&page=100"),
        ),
        ("workflows", "/ui/workflows".to_string()),
    ])
}
