//! `dspy-agent workers`: the pull workers registered with the scheduler (ListWorkers).

use crate::commands::Ctx;
use crate::commands::client::{self, ms_to_time, status_error};
use crate::error::{ExitStatus, Result};
use crate::proto::orchestrator as pb;

pub async fn run(ctx: &Ctx) -> Result<ExitStatus> {
    let (mut client, addr) = client::connect(ctx).await?;
    let workers = client
        .list_workers(pb::ListWorkersRequest {})
        .await
        .map_err(|s| status_error(s, &addr))?
        .into_inner()
        .workers;
    if ctx.printer.json {
        ctx.printer.json_document(serde_json::json!({
            "workers": workers.iter().map(crate::server::workers::json).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitStatus::Success);
    }
    let rows = workers
        .iter()
        .map(|w| {
            vec![
                w.name.clone(),
                w.host.clone(),
                w.state.clone(),
                w.classes.join(","),
                w.concurrency.to_string(),
                w.gpus.len().to_string(),
                ms_to_time(w.last_seen_ms),
                w.tasks_running.to_string(),
                w.tasks_done.to_string(),
                w.tasks_failed.to_string(),
            ]
        })
        .collect();
    ctx.printer.table(
        &[
            "name",
            "host",
            "state",
            "classes",
            "slots",
            "gpus",
            "last seen",
            "running",
            "done",
            "failed",
        ],
        rows,
    )?;
    Ok(ExitStatus::Success)
}
