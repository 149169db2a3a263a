//! `dspy-agent submit`: hand a task to the running scheduler over gRPC; with `--wait`, follow
//! it to its end (exit 0 completed, 6 failed or cancelled).

use std::collections::HashMap;
use std::io::Read;

use crate::cli::SubmitArgs;
use crate::commands::Ctx;
use crate::commands::client::{self, status_error};
use crate::error::{Code, Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;
use crate::server::view::TaskView;

/// The payload checked as one JSON object and sent as the typed `payload_json`, so every value
/// (the string "true", the string "10001", null, nested structures) arrives exactly as given.
pub fn payload_json(text: &str) -> Result<String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::usage(format!("the payload is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Error::usage("the payload must be a JSON object"));
    }
    Ok(value.to_string())
}

fn read_payload(args: &SubmitArgs) -> Result<String> {
    match (&args.payload, &args.payload_file) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Error::usage(format!("cannot read the payload from stdin: {e}")))?;
            Ok(text)
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display()))),
        (None, None) => Ok("{}".into()),
    }
}

pub async fn run(ctx: &Ctx, args: SubmitArgs) -> Result<ExitStatus> {
    if let Some(path) = &args.batch {
        return super::submit_batch::run(ctx, path).await;
    }
    let payload_json = payload_json(&read_payload(&args)?)?;
    let (mut client, addr) = client::connect(ctx).await?;
    let resp = client
        .submit_task(pb::SubmitTaskRequest {
            task_id: args.id.clone().unwrap_or_default(),
            payload: HashMap::new(),
            payload_json,
            class: args.class.clone(),
            priority: args.priority,
            max_attempts: args.max_attempts.unwrap_or(0),
            timeout_seconds: args.timeout.unwrap_or(0.0),
            // The server refuses what does not fit its fields, naming the limit.
            gpus: args.gpus.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            gpu_memory_mb: args
                .gpu_memory_mb
                .map(|m| i64::try_from(m).unwrap_or(i64::MAX)),
        })
        .await
        .map_err(|s| status_error(s, &addr))?
        .into_inner();
    let id = resp.task_id.clone();
    if !args.wait {
        if ctx.printer.json {
            let status = resp.status.as_ref().map(TaskView::from);
            ctx.printer.json_document(serde_json::json!({
                "task_id": id,
                "created": resp.created,
                "task": status,
            }))?;
            return Ok(ExitStatus::Success);
        }
        ctx.printer.progress(if resp.created {
            format!("submitted {id}")
        } else {
            format!("{id} already exists with this payload")
        });
        ctx.printer.line(&id)?;
        return Ok(ExitStatus::Success);
    }
    ctx.printer
        .progress(format!("submitted {id}; waiting for it to finish"));
    let mut stream = client
        .stream_task_results(pb::StreamTaskResultsRequest {
            task_ids: vec![id.clone()],
            include_completed: true,
        })
        .await
        .map_err(|s| status_error(s, &addr))?
        .into_inner();
    let result = stream
        .message()
        .await
        .map_err(|s| status_error(s, &addr))?
        .ok_or_else(|| {
            crate::commands::client::orchestrator_down(&addr, "the server closed the result stream")
        })?;
    // The full status; when retention already dropped the task, what the result says.
    let task = match client
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: id.clone(),
        })
        .await
    {
        Ok(t) => t.into_inner(),
        Err(s) if s.code() == tonic::Code::NotFound => pb::TaskStatus {
            task_id: result.task_id,
            class: result.class,
            status: result.status,
            attempt: result.attempt,
            finished_at_ms: result.finished_at_ms,
            result: result.result,
            error: result.error,
            ..Default::default()
        },
        Err(s) => return Err(status_error(s, &addr)),
    };
    crate::commands::tasks::print_task(&ctx.printer, &task)?;
    if task.status == "completed" {
        Ok(ExitStatus::Success)
    } else {
        Ok(ctx.printer.failed(
            Code::TaskFailed,
            format!("task {id} {}: {}", task.status, task.error),
        ))
    }
}
