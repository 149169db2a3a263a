//! `dspy-agent completions SHELL`: a completion script on stdout.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};

pub fn run(_ctx: &Ctx, args: CompletionsArgs) -> Result<ExitStatus> {
    // Generate into memory first: clap_complete panics when its writer fails (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(
        target(args.shell),
        &mut Cli::command(),
        "dspy-agent",
        &mut script,
    );
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitStatus::Success)
}

pub fn target(shell: Shell) -> Target {
    match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Elvish => Target::Elvish,
        Shell::Powershell => Target::PowerShell,
    }
}
