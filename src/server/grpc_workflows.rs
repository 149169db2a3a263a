//! The workflow RPCs of OrchestratorService: conversions onto the workflow engine's functions
//! (`workflow/ops.rs`), which HTTP calls too.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tonic::{Response, Status};

use crate::proto::orchestrator as pb;
use crate::server::context::ServerCtx;
use crate::server::grpc_status::status_of;
use crate::server::workflow::OnConflict;
use crate::server::workflow::ops::changed_steps;

/// gRPC maps carry JSON values as text; a bare word that is not JSON is a string.
pub fn json_values(m: HashMap<String, String>) -> Map<String, Value> {
    m.into_iter()
        .map(|(k, v)| {
            let value = serde_json::from_str(&v).unwrap_or(Value::String(v));
            (k, value)
        })
        .collect()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

pub fn step_pb(s: &Value) -> pb::WorkflowStep {
    let m = &s["map"];
    pb::WorkflowStep {
        id: text(&s["id"]),
        status: text(&s["status"]),
        attempt: num(&s["attempt"]) as u32,
        depends: s["depends"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect(),
        is_map: m.is_object(),
        items_total: num(&m["total"]) as u32,
        items_completed: num(&m["completed"]) as u32,
        items_failed: num(&m["failed"]) as u32,
        items_running: num(&m["running"]) as u32,
        error: text(&s["error"]),
        started_at_ms: num(&s["started_at_ms"]),
        finished_at_ms: num(&s["finished_at_ms"]),
        outputs_json: if s["outputs"].is_null() {
            String::new()
        } else {
            s["outputs"].to_string()
        },
    }
}

/// A run document as the proto message; `steps` chooses which step entries travel.
pub fn run_pb(doc: &Value, steps: &[Value], with_document: bool) -> pb::WorkflowRun {
    pb::WorkflowRun {
        run_id: text(&doc["run_id"]),
        workflow: text(&doc["workflow"]),
        version: text(&doc["version"]),
        status: text(&doc["status"]),
        attempt: num(&doc["attempt"]) as u32,
        params_json: doc["params"].to_string(),
        created_at_ms: num(&doc["created_at_ms"]),
        finished_at_ms: num(&doc["finished_at_ms"]),
        error: text(&doc["error"]),
        steps: steps.iter().map(step_pb).collect(),
        document_json: if with_document {
            doc.to_string()
        } else {
            String::new()
        },
    }
}

fn full(doc: &Value) -> pb::WorkflowRun {
    let steps = doc["steps"].as_array().cloned().unwrap_or_default();
    run_pb(doc, &steps, true)
}

pub async fn create(
    ctx: &ServerCtx,
    r: pb::CreateWorkflowRequest,
) -> Result<Response<pb::CreateWorkflowResponse>, Status> {
    let c = ctx
        .workflows
        .create(&r.spec_json)
        .await
        .map_err(status_of)?;
    Ok(Response::new(pb::CreateWorkflowResponse {
        name: c.name,
        version: c.version,
        created: c.created,
        steps: c.steps as u32,
    }))
}

pub fn list(ctx: &ServerCtx) -> Result<Response<pb::ListWorkflowsResponse>, Status> {
    Ok(Response::new(pb::ListWorkflowsResponse {
        workflows_json: ctx
            .workflows
            .workflows()
            .iter()
            .map(Value::to_string)
            .collect(),
    }))
}

pub async fn start(
    ctx: &ServerCtx,
    r: pb::StartWorkflowRunRequest,
) -> Result<Response<pb::StartWorkflowRunResponse>, Status> {
    let on_conflict = OnConflict::parse(&r.on_conflict).map_err(status_of)?;
    let (doc, created) = ctx
        .workflows
        .start_run(&r.workflow, &r.run_id, json_values(r.params), on_conflict)
        .await
        .map_err(status_of)?;
    Ok(Response::new(pb::StartWorkflowRunResponse {
        run: Some(full(&doc)),
        created,
    }))
}

pub fn get(
    ctx: &ServerCtx,
    r: pb::GetWorkflowRunRequest,
) -> Result<Response<pb::WorkflowRun>, Status> {
    let doc = ctx
        .workflows
        .run_document(&r.run_id, false)
        .map_err(status_of)?;
    Ok(Response::new(full(&doc)))
}

pub fn list_runs(
    ctx: &ServerCtx,
    r: pb::ListWorkflowRunsRequest,
) -> Result<Response<pb::ListWorkflowRunsResponse>, Status> {
    let limit = if r.limit == 0 { 100 } else { r.limit as usize };
    let workflow = Some(r.workflow.as_str()).filter(|w| !w.is_empty());
    let runs = ctx.workflows.runs(workflow, limit);
    Ok(Response::new(pb::ListWorkflowRunsResponse {
        runs: runs.iter().map(|d| run_pb(d, &[], true)).collect(),
    }))
}

pub async fn cancel(
    ctx: &ServerCtx,
    r: pb::CancelWorkflowRunRequest,
) -> Result<Response<pb::WorkflowRun>, Status> {
    let doc = ctx
        .workflows
        .cancel_run(&r.run_id)
        .await
        .map_err(status_of)?;
    Ok(Response::new(full(&doc)))
}

pub async fn retry(
    ctx: &ServerCtx,
    r: pb::RetryWorkflowRunRequest,
) -> Result<Response<pb::WorkflowRun>, Status> {
    let from = Some(r.from_step.as_str()).filter(|f| !f.is_empty());
    let doc = ctx
        .workflows
        .retry_run(&r.run_id, from, json_values(r.params_override))
        .await
        .map_err(status_of)?;
    Ok(Response::new(full(&doc)))
}

/// The graph first, then the steps that change, then the end; the receiver closes after it.
pub fn stream(
    ctx: &Arc<ServerCtx>,
    r: pb::StreamWorkflowStatusRequest,
) -> Result<mpsc::Receiver<Result<pb::WorkflowStatus, Status>>, Status> {
    let (mut last, mut changes) = ctx.workflows.watch_run(&r.run_id).map_err(status_of)?;
    let (tx, rx) = mpsc::channel(64);
    let ctx = ctx.clone();
    let run_id = r.run_id;
    tokio::spawn(async move {
        let first = pb::WorkflowStatus {
            kind: "graph".into(),
            run: Some(full(&last)),
        };
        if tx.send(Ok(first)).await.is_err() {
            return;
        }
        loop {
            if last["status"] != "running" {
                // The end carries the whole document, params and history included.
                let doc = ctx.workflows.run_document(&run_id, false).unwrap_or(last);
                let end = pb::WorkflowStatus {
                    kind: "end".into(),
                    run: Some(full(&doc)),
                };
                let _ = tx.send(Ok(end)).await;
                return;
            }
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                () = tx.closed() => return,
            }
            let Ok(doc) = ctx.workflows.status_document(&run_id) else {
                return;
            };
            let steps = changed_steps(&last, &doc);
            if !steps.is_empty() || doc["status"] != last["status"] {
                let update = pb::WorkflowStatus {
                    kind: "update".into(),
                    run: Some(run_pb(&doc, &steps, false)),
                };
                if tx.send(Ok(update)).await.is_err() {
                    return;
                }
            }
            last = doc;
        }
    });
    Ok(rx)
}
