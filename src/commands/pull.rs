//! `dspy-agent pull`: pull the services' images ahead of `up`.

use serde_json::json;

use crate::cli::PullArgs;
use crate::commands::Ctx;
use crate::error::{ExitStatus, Result};
use crate::lifecycle::{Event, Phase, Stack};
use crate::progress::{Verb, View, until_interrupted};

pub async fn run(ctx: &Ctx, args: PullArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let catalog = ctx.catalog(&settings)?;
    let stack = Stack::connect(&settings, catalog).await?;
    let images = stack.images_to_pull(&settings, args.services)?;
    let p = &ctx.printer;
    let view = View::new(p, Verb::Pull);
    let mut pulled = Vec::new();
    let work = async {
        for (service, image) in images {
            view.event(Event::Service {
                service: service.clone(),
                status: Phase::Pulling,
                message: Some(image.clone()),
            });
            let events = view.clone();
            let (s, i) = (service.clone(), image.clone());
            let result = stack
                .pull_image(&service, &image, move |progress| {
                    events.event(Event::Pull {
                        service: s.clone(),
                        image: i.clone(),
                        status: progress.status,
                        layer: progress.layer,
                        current: progress.current,
                        total: progress.total,
                    })
                })
                .await;
            if let Err(e) = result {
                view.failed(&service, &e.message);
                return Err(e);
            }
            view.pulled(&service, &image);
            pulled.push(json!({"service": service, "image": image}));
        }
        Ok(())
    };
    until_interrupted(&view, work).await?;
    if p.json {
        p.json_document(json!({ "pulled": pulled }))?;
    }
    Ok(ExitStatus::Success)
}
