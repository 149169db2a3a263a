//! `dspy-agent completions SHELL`: a completion script on stdout.

use clap::CommandFactory;
use clap_complete::Shell as Target;

use crate::cli::{Cli, CompletionsArgs, Shell};
use crate::commands::Ctx;
use crate::error::Result;

pub fn run(_ctx: &Ctx, args: CompletionsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(
        target(args.shell),
        &mut Cli::command(),
        "dspy-agent",
        &mut out,
    );
    Ok(())
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
