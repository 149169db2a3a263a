//! `dspy-agent submit --batch FILE|-`: NDJSON task lines in, one NDJSON result line per task
//! out (in input order), sent with SubmitTasks in batches of `scheduler.max_batch_tasks`.
//! A line that is not a task is an error result of its own; the others still go.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::commands::Ctx;
use crate::commands::client::{self, status_error};
use crate::error::{Code, Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;

/// One input line. Unknown fields are refused, so a typo is not silently dropped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default, alias = "id")]
    task_id: Option<String>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    priority: Option<i32>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    timeout_seconds: Option<f64>,
    #[serde(default)]
    gpus: Option<i32>,
    #[serde(default)]
    gpu_memory_mb: Option<i64>,
    #[serde(default)]
    payload: Option<serde_json::Map<String, Value>>,
}

fn request(text: &str) -> std::result::Result<pb::SubmitTaskRequest, String> {
    let line: Line = serde_json::from_str(text).map_err(|e| format!("not a task line: {e}"))?;
    Ok(pb::SubmitTaskRequest {
        task_id: line.task_id.unwrap_or_default(),
        class: line.class.unwrap_or_default(),
        priority: line.priority.unwrap_or(0),
        max_attempts: line.max_attempts.unwrap_or(0),
        timeout_seconds: line.timeout_seconds.unwrap_or(0.0),
        gpus: line.gpus,
        gpu_memory_mb: line.gpu_memory_mb,
        payload_json: Value::Object(line.payload.unwrap_or_default()).to_string(),
        ..Default::default()
    })
}

/// Input lines waiting to be sent: their line numbers, and what each became.
type Pending = Vec<(usize, std::result::Result<pb::SubmitTaskRequest, String>)>;

pub async fn run(ctx: &Ctx, path: &Path) -> Result<ExitStatus> {
    let max = ctx.settings()?.scheduler.max_batch_tasks.value.max(1) as usize;
    let input: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))?;
        Box::new(std::io::BufReader::new(file))
    };
    let (mut client, addr) = client::connect(ctx).await?;
    let (mut total, mut failed) = (0usize, 0usize);
    let mut pending: Pending = Vec::new();
    let mut lines = input.lines().enumerate();
    loop {
        let next = lines.next();
        let at_end = next.is_none();
        if let Some((n, line)) = next {
            let line =
                line.map_err(|e| Error::usage(format!("cannot read line {}: {e}", n + 1)))?;
            if line.trim().is_empty() {
                continue;
            }
            pending.push((n + 1, request(&line)));
            let sendable = pending.iter().filter(|(_, r)| r.is_ok()).count();
            if sendable < max {
                continue;
            }
        }
        if !pending.is_empty() {
            let batch = std::mem::take(&mut pending);
            let sent: Vec<pb::SubmitTaskRequest> =
                batch.iter().filter_map(|(_, r)| r.clone().ok()).collect();
            let mut answers = if sent.is_empty() {
                Vec::new()
            } else {
                client
                    .submit_tasks(pb::SubmitTasksRequest { tasks: sent })
                    .await
                    .map_err(|s| status_error(s, &addr))?
                    .into_inner()
                    .results
            }
            .into_iter();
            for (line, r) in batch {
                total += 1;
                let doc = match r {
                    Err(e) => json!({"line": line, "outcome": "error", "error": e}),
                    Ok(_) => match answers.next() {
                        Some(a) if a.outcome == "error" => json!({
                            "line": line, "task_id": a.task_id, "outcome": a.outcome,
                            "error": a.error, "code": a.code,
                        }),
                        Some(a) => {
                            json!({"line": line, "task_id": a.task_id, "outcome": a.outcome})
                        }
                        None => json!({"line": line, "outcome": "error", "error": "no answer"}),
                    },
                };
                if doc["outcome"] == "error" {
                    failed += 1;
                }
                ctx.printer.json_line(&doc)?;
            }
        }
        if at_end {
            break;
        }
    }
    if failed > 0 {
        return Ok(ctx.printer.failed(
            Code::Runtime,
            format!("{failed} of {total} tasks were not submitted (see their result lines)"),
        ));
    }
    ctx.printer.progress(format!("submitted {total} tasks"));
    Ok(ExitStatus::Success)
}
