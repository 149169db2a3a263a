//! Pull: fetch the images of the services `up` would start, ahead of it. What `dspy-agent pull`
//! and the PullImages RPC both run.

use crate::error::{Error, Result};
use crate::runtime::PullProgress;
use crate::settings::Settings;

use super::stack::Stack;
use super::up::services_to_start;

impl Stack {
    /// (service, image) for each service `up` would start from `requested` (not their
    /// dependencies, which have their own images).
    pub fn images_to_pull(
        &self,
        settings: &Settings,
        requested: Vec<String>,
    ) -> Result<Vec<(String, String)>> {
        services_to_start(settings, &self.catalog, requested)?
            .into_iter()
            .map(|s| Ok((s.clone(), self.service(&s)?.image)))
            .collect()
    }

    /// Pull one service's image, reporting Docker's progress; the error names both (the
    /// runtime's names the image).
    pub async fn pull_image(
        &self,
        service: &str,
        image: &str,
        progress: impl FnMut(PullProgress),
    ) -> Result<()> {
        self.runtime
            .pull(image, progress)
            .await
            .map_err(|e| Error::from(e).context(format!("service `{service}`")))
    }
}
