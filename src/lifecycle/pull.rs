//! Pull: fetch the images of the services `up` would start, ahead of it. What `dspy-agent pull`
//! and the PullImages RPC both run.

use crate::error::{Error, Result};
use crate::runtime::PullProgress;
use crate::settings::Settings;

use super::stack::Stack;
use super::up::services_to_start;

impl Stack {
    /// (service, image) for each service `up` would start from `requested` (not their
    /// dependencies, which have their own images). Services with `build` are left out: their
    /// image is built here (`dspy-agent build`), not fetched, as compose's `--ignore-buildable`.
    pub fn images_to_pull(
        &self,
        settings: &Settings,
        requested: Vec<String>,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for name in services_to_start(settings, &self.catalog, requested)? {
            let service = self.service(&name)?;
            if service.build.is_none() {
                out.push((name, service.image));
            }
        }
        Ok(out)
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
