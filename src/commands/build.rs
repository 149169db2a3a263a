//! `dspy-agent build`: build the images of services with a `build` section, without starting
//! anything.

use crate::cli::BuildArgs;
use crate::commands::Ctx;
use crate::commands::up::progress_sink;
use crate::error::{Code, ExitStatus, Result};
use crate::lifecycle::{BuildOptions, Stack};

pub async fn run(ctx: &Ctx, args: BuildArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    let stack = Stack::connect(&settings, catalog).await?;
    // Unknown services, or ones without `build`, are usage errors before anything is built.
    stack.services_to_build(&args.services)?;
    let opts = BuildOptions {
        services: args.services,
        no_cache: args.no_cache,
    };
    let report = stack.build(opts, progress_sink(&ctx.printer)).await?;
    let p = &ctx.printer;
    if p.json {
        p.json_document(&report)?;
    } else if !report.built.is_empty() {
        let rows = report
            .built
            .iter()
            .map(|b| {
                vec![
                    b.service.clone(),
                    b.image.clone(),
                    short_id(&b.image_id).to_string(),
                    format!("{:.2}s", b.duration_ms as f64 / 1000.0),
                ]
            })
            .collect();
        p.table(&["service", "image", "id", "took"], rows)?;
    } else if report.failed.is_none() {
        p.progress("no service has a `build` section: nothing to build");
    }
    match report.failed {
        None => Ok(ExitStatus::Success),
        Some(f) => {
            if !p.json {
                eprintln!("\n{}", f.reason);
                if !f.log_tail.is_empty() {
                    eprintln!(
                        "last {} lines of the build of `{}`:",
                        f.log_tail.len(),
                        f.service
                    );
                    for line in &f.log_tail {
                        eprintln!("  | {line}");
                    }
                }
            }
            let code = if f.exit_code == Code::EngineUnreachable as u8 {
                Code::EngineUnreachable
            } else {
                Code::Runtime
            };
            Ok(p.failed(code, format!("`build` failed at service `{}`", f.service)))
        }
    }
}

/// `sha256:0123456789ab…` -> `0123456789ab`, as `docker images` shows ids.
fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}
