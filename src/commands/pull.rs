//! `dspy-agent pull`: pull the services' images ahead of `up`.

use serde_json::json;

use crate::cli::PullArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::{Stack, services_to_start};

pub async fn run(ctx: &Ctx, args: PullArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    // The same names `up` would start, as PullImages takes them.
    let services = services_to_start(&settings, &catalog, args.services)?;
    let stack = Stack::connect(&settings, catalog).await?;
    let p = &ctx.printer;
    let mut pulled = Vec::new();
    for service in services {
        let image = stack.service(&service)?.image;
        let printer = p.clone();
        let (s, i) = (service.clone(), image.clone());
        let result = stack
            .runtime
            .pull(&image, move |progress| {
                if printer.json {
                    printer.event(&json!({
                        "event": "pull", "service": s, "image": i, "layer": progress.layer,
                        "status": progress.status, "current": progress.current, "total": progress.total,
                    }));
                } else if progress.layer.is_none() {
                    printer.progress(format!("{s:<18} {}", progress.status));
                }
            })
            .await;
        if let Err(e) = result {
            return Err(crate::error::Error::from(e)
                .context(format!("service `{service}`: cannot pull image {image}")));
        }
        p.progress(format!("{service:<18} pulled {image}"));
        pulled.push(json!({"service": service, "image": image}));
    }
    if p.json {
        p.json_document(json!({ "pulled": pulled }))?;
    }
    Ok(ExitStatus::Success)
}
