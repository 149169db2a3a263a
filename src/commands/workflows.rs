//! `dspy-agent workflows` (alias `workflow`): create specs, start, follow, retry, cancel and
//! draw runs, over the same gRPC calls the Python client makes.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::cli::{GraphFormat, WorkflowsCommand};
use crate::commands::Ctx;
use crate::commands::client::{self, Client, status_error};
use crate::error::{Code, Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;
use crate::server::workflow::view;

pub async fn run(ctx: &Ctx, command: WorkflowsCommand) -> Result<ExitStatus> {
    let (mut client, addr) = client::connect(ctx).await?;
    let doc = match command {
        WorkflowsCommand::Create { file } => {
            let spec_json = read_spec(&file)?;
            let r = client
                .create_workflow(pb::CreateWorkflowRequest { spec_json })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            if ctx.printer.json {
                ctx.printer.json_document(serde_json::json!({
                    "schema_version": 1, "name": r.name, "version": r.version,
                    "created": r.created, "steps": r.steps,
                }))?;
            } else {
                ctx.printer.progress(if r.created {
                    format!("created workflow {} ({} steps)", r.name, r.steps)
                } else {
                    format!("workflow {} is already stored with this spec", r.name)
                });
                ctx.printer.line(format!("{} {}", r.name, r.version))?;
            }
            return Ok(ExitStatus::Success);
        }
        WorkflowsCommand::Run {
            name,
            run_id,
            params,
            on_conflict,
            wait,
        } => {
            let r = client
                .start_workflow_run(pb::StartWorkflowRunRequest {
                    workflow: name,
                    run_id: run_id.unwrap_or_default(),
                    params: key_values(&params)?,
                    on_conflict: on_conflict.unwrap_or_default(),
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            let run = r.run.unwrap_or_default();
            ctx.printer.progress(if r.created {
                format!("started run {}", run.run_id)
            } else {
                format!("run {} exists with this spec and params", run.run_id)
            });
            if wait {
                return wait_for(ctx, &mut client, &addr, &run.run_id).await;
            }
            if !ctx.printer.json {
                ctx.printer.line(&run.run_id)?;
                return Ok(ExitStatus::Success);
            }
            document(&run)?
        }
        WorkflowsCommand::Status { run } => {
            let run = get(&mut client, &addr, &run).await?;
            document(&run)?
        }
        WorkflowsCommand::Retry {
            run,
            from,
            params,
            wait,
        } => {
            let r = client
                .retry_workflow_run(pb::RetryWorkflowRunRequest {
                    run_id: run.clone(),
                    from_step: from.unwrap_or_default(),
                    params_override: key_values(&params)?,
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            ctx.printer.progress(format!("retrying run {run}"));
            if wait {
                return wait_for(ctx, &mut client, &addr, &run).await;
            }
            document(&r)?
        }
        WorkflowsCommand::Cancel { run } => {
            let r = client
                .cancel_workflow_run(pb::CancelWorkflowRunRequest { run_id: run })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            document(&r)?
        }
        WorkflowsCommand::List { workflow, limit } => {
            let r = client
                .list_workflow_runs(pb::ListWorkflowRunsRequest {
                    workflow: workflow.unwrap_or_default(),
                    limit,
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            if ctx.printer.json {
                let runs: Vec<Value> = r.runs.iter().map(document).collect::<Result<_>>()?;
                ctx.printer.json_document(serde_json::json!({
                    "schema_version": 1, "runs": runs,
                }))?;
                return Ok(ExitStatus::Success);
            }
            let rows = r
                .runs
                .iter()
                .map(|run| {
                    let d = document(run).unwrap_or_default();
                    vec![
                        run.run_id.clone(),
                        run.workflow.clone(),
                        run.status.clone(),
                        run.attempt.to_string(),
                        format!("{}/{}", d["steps"]["completed"], d["steps"]["total"]),
                    ]
                })
                .collect();
            ctx.printer
                .table(&["RUN", "WORKFLOW", "STATUS", "ATTEMPT", "STEPS"], rows)?;
            return Ok(ExitStatus::Success);
        }
        WorkflowsCommand::Show { run, format } => {
            let run = get(&mut client, &addr, &run).await?;
            let doc = document(&run)?;
            let text = match format {
                GraphFormat::Dot => view::dot(&doc),
                GraphFormat::Mermaid => view::mermaid(&doc),
            };
            ctx.printer.line(text.trim_end())?;
            return Ok(ExitStatus::Success);
        }
    };
    if ctx.printer.json {
        ctx.printer.json_document(doc)?;
    } else {
        print_tree(ctx, &doc)?;
    }
    Ok(ExitStatus::Success)
}

/// A spec file as JSON text: `.toml` files are converted, `-` is stdin.
fn read_spec(file: &Path) -> Result<String> {
    let text = if file == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| Error::usage(format!("cannot read the spec from stdin: {e}")))?
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", file.display())))?
    };
    if file.extension().is_some_and(|e| e == "toml") {
        let v: Value =
            toml::from_str(&text).map_err(|e| Error::usage(format!("{}: {e}", file.display())))?;
        return Ok(v.to_string());
    }
    Ok(text)
}

/// KEY=VALUE pairs as the proto's map of JSON texts (a VALUE that is not JSON is a string).
fn key_values(pairs: &[String]) -> Result<HashMap<String, String>> {
    pairs
        .iter()
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| Error::usage(format!("expected KEY=VALUE, got {p:?}")))?;
            let json = match serde_json::from_str::<Value>(v) {
                Ok(j) => j.to_string(),
                Err(_) => Value::String(v.to_string()).to_string(),
            };
            Ok((k.to_string(), json))
        })
        .collect()
}

async fn get(client: &mut Client, addr: &str, run: &str) -> Result<pb::WorkflowRun> {
    client
        .get_workflow_run(pb::GetWorkflowRunRequest {
            run_id: run.to_string(),
        })
        .await
        .map(tonic::Response::into_inner)
        .map_err(|s| status_error(s, addr))
}

fn document(run: &pb::WorkflowRun) -> Result<Value> {
    serde_json::from_str(&run.document_json)
        .map_err(|e| Error::runtime(format!("the server sent a bad run document: {e}")))
}

fn print_tree(ctx: &Ctx, doc: &Value) -> Result<()> {
    ctx.printer.line(view::tree(doc).trim_end())
}

/// Follow the run's stream to its end; print the final run; exit 0 or 6.
async fn wait_for(ctx: &Ctx, client: &mut Client, addr: &str, run: &str) -> Result<ExitStatus> {
    let mut stream = client
        .stream_workflow_status(pb::StreamWorkflowStatusRequest {
            run_id: run.to_string(),
        })
        .await
        .map_err(|s| status_error(s, addr))?
        .into_inner();
    let mut last = None;
    while let Some(msg) = stream.message().await.map_err(|s| status_error(s, addr))? {
        if let Some(r) = msg.run.as_ref().filter(|_| msg.kind != "end") {
            for s in &r.steps {
                ctx.printer.progress(format!("{}: {}", s.id, s.status));
            }
        }
        if msg.kind == "end" {
            last = msg.run;
            break;
        }
    }
    let run = last
        .ok_or_else(|| client::orchestrator_down(addr, "the server closed the workflow stream"))?;
    let doc = document(&run)?;
    if ctx.printer.json {
        ctx.printer.json_document(&doc)?;
    } else {
        print_tree(ctx, &doc)?;
    }
    if run.status == "completed" {
        Ok(ExitStatus::Success)
    } else {
        Ok(ctx.printer.failed(
            Code::TaskFailed,
            format!("workflow run {} {}: {}", run.run_id, run.status, run.error),
        ))
    }
}
