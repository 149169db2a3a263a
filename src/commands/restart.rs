//! `dspy-agent restart`: stop services and their dependants, then start them again, health-gated.

use std::sync::Arc;

use crate::cli::RestartArgs;
use crate::commands::Ctx;
use crate::commands::up::print_report;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::{Stack, services_to_start};
use crate::progress::{Verb, View, until_interrupted};

pub async fn run(ctx: &Ctx, args: RestartArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    // Unknown services are usage errors, reported before anything is stopped.
    let services = services_to_start(&settings, &catalog, args.services)?;
    crate::lifecycle::check_state_writable(&settings.home.value)?;
    let stack = Arc::new(Stack::connect(&settings, catalog).await?);
    let view = View::new(&ctx.printer, Verb::Up);
    let report =
        until_interrupted(&view, stack.restart(services, args.timeout, view.sink())).await?;
    print_report(ctx, report, "restart")
}
