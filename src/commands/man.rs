//! `dspy-agent man --out DIR` (hidden): man pages for the command and each subcommand, made from
//! the same clap definitions as `--help`. The committed man/ directory is checked against it.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::commands::Ctx;
use crate::error::{Error, ExitStatus, Result};

pub fn run(ctx: &Ctx, args: ManArgs) -> Result<ExitStatus> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Error::runtime(format!("cannot create {}: {e}", args.out.display())))?;
    let written = write_pages(&args.out)?;
    for page in written {
        ctx.printer.progress(format!("wrote {page}"));
    }
    Ok(ExitStatus::Success)
}

fn write_pages(dir: &Path) -> Result<Vec<String>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut written = Vec::new();
    write_page(dir, &cmd, "dspy-agent", &mut written)?;
    Ok(written)
}

fn write_page(
    dir: &Path,
    cmd: &clap::Command,
    name: &str,
    written: &mut Vec<String>,
) -> Result<()> {
    if cmd.is_hide_set() {
        return Ok(());
    }
    let page = clap_mangen::Man::new(cmd.clone().name(name.to_string()));
    let mut buf = Vec::new();
    page.render(&mut buf)?;
    let file = format!("{name}.1");
    std::fs::write(dir.join(&file), buf)?;
    written.push(file);
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        write_page(dir, sub, &format!("{name}-{}", sub.get_name()), written)?;
    }
    Ok(())
}
