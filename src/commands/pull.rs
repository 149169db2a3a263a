//! `dspy-agent pull`: pull the services' images ahead of `up`.

use serde_json::json;

use crate::cli::PullArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::Stack;

pub async fn run(ctx: &Ctx, args: PullArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    let stack = Stack::connect(&settings, catalog).await?;
    let images = stack.images_to_pull(&settings, args.services)?;
    let p = &ctx.printer;
    let mut pulled = Vec::new();
    for (service, image) in images {
        let printer = p.clone();
        let (s, i) = (service.clone(), image.clone());
        stack
            .pull_image(&service, &image, move |progress| {
                if printer.json {
                    printer.event(&json!({
                        "event": "pull", "service": s, "image": i, "layer": progress.layer,
                        "status": progress.status, "current": progress.current, "total": progress.total,
                    }));
                } else if progress.layer.is_none() {
                    printer.progress(format!("{s:<18} {}", progress.status));
                } else if let Some(layer) = progress.layer.as_deref().filter(|_| {
                    // One line per layer when it is done; the byte counts are for --json.
                    matches!(progress.status.as_str(), "Pull complete" | "Already exists")
                }) {
                    printer.progress(format!("{s:<18} layer {layer}: {}", progress.status));
                }
            })
            .await?;
        p.progress(format!("{service:<18} pulled {image}"));
        pulled.push(json!({"service": service, "image": image}));
    }
    if p.json {
        p.json_document(json!({ "pulled": pulled }))?;
    }
    Ok(ExitStatus::Success)
}
