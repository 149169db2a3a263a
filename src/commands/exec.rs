//! `dspy-agent exec SERVICE -- CMD...`: a command inside a running service's container.

use std::io::IsTerminal;

use crate::cli::ExecArgs;
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};

pub async fn run(ctx: &Ctx, args: ExecArgs) -> Result<ExitStatus> {
    let stack = ctx.stack().await?;
    if !stack.catalog.services.contains_key(&args.service) {
        return Err(Error::usage(format!("unknown service `{}`", args.service)));
    }
    let containers = stack.runtime.project_containers(&stack.project).await?;
    let container = containers
        .iter()
        .find(|c| c.service == args.service && c.running)
        .ok_or_else(|| {
            Error::runtime(format!(
                "service `{}` is not running (start it with `dspy-agent up --services {}`)",
                args.service, args.service
            ))
        })?;
    let tty = !args.no_tty && std::io::stdin().is_terminal();
    let size = tty.then(crate::os::terminal::size).flatten();
    // Raw while the command runs, as `docker exec -it`: keys and Ctrl-C go to it; restored
    // when this guard drops, error or not.
    let raw = tty.then(crate::os::terminal::raw_stdin).flatten();
    let code = stack
        .runtime
        .exec(&container.id, &args.command, tty, size)
        .await
        .map_err(|e| {
            Error::from(e).context(format!("cannot run the command in `{}`", args.service))
        })?;
    drop(raw);
    Ok(match code {
        0 => ExitStatus::Success,
        // Docker reports 126/127 for a command it cannot run, like a shell.
        c => ExitStatus::Exited(u8::try_from(c).unwrap_or(1)),
    })
}
