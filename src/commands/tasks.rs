//! `dspy-agent tasks`: list the scheduler's tasks; `tasks show ID`; `tasks cancel ID`;
//! `tasks retry ID` (a failed or cancelled task queued again, `server::retry`);
//! `tasks why ID` (what holds it back, `server::why`).

use crate::cli::{TasksArgs, TasksCommand};
use crate::commands::Ctx;
use crate::commands::client::{self, ms_to_time, status_error};
use crate::error::{ExitStatus, Result};
use crate::output::Printer;
use crate::proto::orchestrator as pb;
use crate::server::view::{BlockedView, TaskView};

pub async fn run(ctx: &Ctx, args: TasksArgs) -> Result<ExitStatus> {
    let (mut client, addr) = client::connect(ctx).await?;
    match args.command {
        None => {
            let resp = client
                .list_tasks(pb::ListTasksRequest {
                    status: args.status.unwrap_or_default(),
                    class: args.class.unwrap_or_default(),
                    limit: args.limit,
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            if ctx.printer.json {
                ctx.printer.json_document(serde_json::json!({
                    "tasks": resp.tasks.iter().map(TaskView::from).collect::<Vec<_>>(),
                    "total": resp.total,
                }))?;
                return Ok(ExitStatus::Success);
            }
            let rows = resp
                .tasks
                .iter()
                .map(|t| {
                    vec![
                        t.task_id.clone(),
                        t.class.clone(),
                        t.status.clone(),
                        t.priority.to_string(),
                        format!("{}/{}", t.attempt, t.max_attempts),
                        t.executor.clone(),
                        ms_to_time(t.submitted_at_ms),
                        t.blocked_reason.as_ref().map_or("-".into(), short),
                    ]
                })
                .collect();
            ctx.printer.table(
                &[
                    "id",
                    "class",
                    "status",
                    "priority",
                    "attempt",
                    "executor",
                    "submitted",
                    "blocked",
                ],
                rows,
            )?;
            if resp.total as usize > resp.tasks.len() {
                ctx.printer.progress(format!(
                    "showing {} of {} tasks (--limit)",
                    resp.tasks.len(),
                    resp.total
                ));
            }
            Ok(ExitStatus::Success)
        }
        Some(TasksCommand::Show { id }) => {
            let task = client
                .get_task_status(pb::GetTaskStatusRequest { task_id: id })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            print_task(&ctx.printer, &task)?;
            Ok(ExitStatus::Success)
        }
        Some(TasksCommand::Why { id }) => {
            let task = client
                .get_task_status(pb::GetTaskStatusRequest { task_id: id })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            print_why(&ctx.printer, &task)?;
            Ok(ExitStatus::Success)
        }
        Some(TasksCommand::Cancel { id }) => {
            let resp = client
                .cancel_task(pb::CancelTaskRequest {
                    task_id: id.clone(),
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            if ctx.printer.json {
                ctx.printer.json_document(serde_json::json!({
                    "cancelled": resp.cancelled,
                    "task": resp.status.as_ref().map(TaskView::from),
                }))?;
                return Ok(ExitStatus::Success);
            }
            let state = resp.status.map(|s| s.status).unwrap_or_default();
            ctx.printer.line(if resp.cancelled {
                format!("cancelled {id}")
            } else {
                format!("{id} had already finished ({state})")
            })?;
            Ok(ExitStatus::Success)
        }
        Some(TasksCommand::Retry { id }) => {
            let resp = client
                .retry_task(pb::RetryTaskRequest {
                    task_id: id.clone(),
                })
                .await
                .map_err(|s| status_error(s, &addr))?
                .into_inner();
            if ctx.printer.json {
                ctx.printer.json_document(serde_json::json!({
                    "retried": true,
                    "task": resp.status.as_ref().map(TaskView::from),
                }))?;
                return Ok(ExitStatus::Success);
            }
            let state = resp.status.map(|s| s.status).unwrap_or_default();
            ctx.printer.line(format!("retried {id}: {state} again"))?;
            Ok(ExitStatus::Success)
        }
    }
}

/// One task, its result fields and tails, for people; the task document with `--json`.
pub fn print_task(printer: &Printer, t: &pb::TaskStatus) -> Result<()> {
    if printer.json {
        return printer.json_document(TaskView::from(t));
    }
    let mut lines = vec![
        format!("id:        {}", t.task_id),
        format!("class:     {}", t.class),
        format!("status:    {}", t.status),
        format!("priority:  {}", t.priority),
        format!("attempt:   {}/{}", t.attempt, t.max_attempts),
        format!("executor:  {}", t.executor),
        format!("submitted: {}", ms_to_time(t.submitted_at_ms)),
        format!("started:   {}", ms_to_time(t.started_at_ms)),
        format!("finished:  {}", ms_to_time(t.finished_at_ms)),
    ];
    if !t.worker_id.is_empty() {
        lines.push(format!("worker:    {}", t.worker_id));
    }
    if t.gpus > 0 {
        let memory = match t.gpu_memory_mb {
            0 => String::new(),
            m => format!(", {m} MiB free each"),
        };
        lines.push(format!("gpus:      {}{memory}", t.gpus));
    }
    if !t.gpu_uuids.is_empty() {
        lines.push(format!("gpu_uuids: {}", t.gpu_uuids.join(",")));
    }
    if let Some(job) = t.slurm.get("job_id") {
        let field = |k: &str| t.slurm.get(k).filter(|v| !v.is_empty()).map_or("-", |v| v);
        lines.push(format!(
            "slurm:     job {job}, node {}, state {}, reason {}",
            field("node"),
            field("state"),
            field("reason")
        ));
    }
    if let Some(b) = &t.blocked_reason {
        lines.push(format!("blocked:   {} ({})", b.message, b.kind));
    }
    if !t.error.is_empty() {
        lines.push(format!("error:     {}", t.error));
    }
    let mut keys: Vec<&String> = t.result.keys().collect();
    keys.sort();
    for k in keys {
        let v = &t.result[k];
        if v.contains('\n') {
            lines.push(format!("{k}:"));
            for l in v.lines() {
                lines.push(format!("  {l}"));
            }
        } else {
            lines.push(format!("{k}: {v}"));
        }
    }
    for l in lines {
        printer.line(l)?;
    }
    Ok(())
}

/// A few words for the `blocked` column of `tasks`.
fn short(b: &pb::BlockedReason) -> String {
    match b.kind.as_str() {
        "class_cap" => format!("cap {}/{}", b.running, b.limit),
        "queue_ahead" => format!("{} ahead", b.ahead),
        "gpu" => match b.gpus_held.first() {
            Some(h) => format!("gpu (held by {})", h.task_id),
            None => "gpu".into(),
        },
        "no_worker" => "no worker".into(),
        "workers_busy" => "workers busy".into(),
        "retry_backoff" => format!("retry at {}", ms_to_time(b.until_ms)),
        "slurm_submit" => "slurm: to submit".into(),
        "slurm_pending" if !b.slurm_reason.is_empty() => format!("slurm: {}", b.slurm_reason),
        "slurm_pending" => "slurm: pending".into(),
        other => other.into(),
    }
}

/// `tasks why`: what holds the task back, or that nothing does; `{task_id, status,
/// blocked_reason}` with `--json`.
fn print_why(printer: &Printer, t: &pb::TaskStatus) -> Result<()> {
    if printer.json {
        return printer.json_document(serde_json::json!({
            "task_id": t.task_id,
            "status": t.status,
            "blocked_reason": t.blocked_reason.clone().map(|b| BlockedView::from(b).to_json()),
        }));
    }
    let Some(b) = &t.blocked_reason else {
        return printer.line(format!(
            "{} is {}: nothing holds it back",
            t.task_id, t.status
        ));
    };
    let mut lines = vec![
        format!("{} is {}: {}", t.task_id, t.status, b.message),
        format!("reason:   {}", b.kind),
        format!("class:    {}", b.class),
    ];
    if b.limit > 0 {
        lines.push(format!("running:  {} of {}", b.running, b.limit));
    }
    if matches!(
        b.kind.as_str(),
        "class_cap" | "queue_ahead" | "workers_busy" | "no_worker" | "slurm_submit" | "gpu"
    ) {
        lines.push(format!("ahead:    {}", b.ahead));
    }
    if b.kind == "gpu" {
        lines.push(format!(
            "gpus:     needs {}, {} free",
            b.gpus_needed, b.gpus_free
        ));
        for h in &b.gpus_held {
            lines.push(format!(
                "held:     GPU {} ({}) by {} ({})",
                h.index, h.uuid, h.task_id, h.state
            ));
        }
    }
    if matches!(b.kind.as_str(), "no_worker" | "workers_busy") {
        lines.push(format!("workers:  {} connected", b.workers_connected));
    }
    if b.until_ms > 0 {
        lines.push(format!("until:    {}", ms_to_time(b.until_ms)));
    }
    if !b.slurm_job_id.is_empty() {
        let or_dash = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.to_string()
            }
        };
        lines.push(format!(
            "slurm:    job {}, state {}, reason {}",
            b.slurm_job_id,
            or_dash(&b.slurm_state),
            or_dash(&b.slurm_reason)
        ));
    }
    for l in lines {
        printer.line(l)?;
    }
    Ok(())
}
