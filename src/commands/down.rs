//! `dspy-agent down`: stop and remove services, dependents first.

use std::sync::Arc;

use crate::cli::DownArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::DownOptions;
use crate::progress::{Verb, View, until_interrupted};

pub async fn run(ctx: &Ctx, args: DownArgs) -> Result<ExitStatus> {
    // Before Docker is even asked: a home `down` cannot write means nothing is removed.
    crate::lifecycle::check_state_writable(&ctx.settings()?.home.value)?;
    let stack = Arc::new(ctx.stack().await?);
    let view = View::new(&ctx.printer, Verb::Down);
    let down = stack.down(
        DownOptions {
            services: args.services,
            volumes: args.volumes,
            timeout_s: args.timeout,
        },
        view.sink(),
    );
    let report = until_interrupted(&view, down).await?;
    let p = &ctx.printer;
    if p.json {
        p.json_document(&report)?;
        return Ok(ExitStatus::Success);
    }
    if report.removed.is_empty() {
        p.progress(format!("nothing to stop in project `{}`", report.project));
    }
    if report.network_removed {
        p.progress(format!(
            "network {} removed",
            crate::runtime::network_name(&report.project)
        ));
    }
    for v in &report.volumes_removed {
        p.progress(format!("volume {v} removed"));
    }
    Ok(ExitStatus::Success)
}
