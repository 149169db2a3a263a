//! Images: presence and pulls with progress.

use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;

use super::error::{ErrorKind, Result, RuntimeError};
use super::{PullProgress, Runtime, not_found};

impl Runtime {
    pub async fn image_present(&self, image: &str) -> Result<bool> {
        match self.docker.inspect_image(image).await {
            Ok(_) => Ok(true),
            Err(e) if not_found(&e) => Ok(false),
            Err(e) => Err(self.error(e)),
        }
    }

    /// Pull `image`, reporting progress. Errors name the image.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(PullProgress)) -> Result<()> {
        let (repo, tag) = split_image(image);
        let opts = CreateImageOptionsBuilder::new()
            .from_image(repo)
            .tag(tag)
            .build();
        let mut stream = self.docker.create_image(Some(opts), None, None);
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| match self.error(e) {
                err if err.kind == ErrorKind::Unreachable => err,
                err => err.context(format!("cannot pull image `{image}`")),
            })?;
            if let Some(detail) = info.error_detail {
                return Err(RuntimeError::other(format!(
                    "cannot pull image `{image}`: {}",
                    detail.message.unwrap_or_default()
                )));
            }
            let detail = info.progress_detail.unwrap_or_default();
            progress(PullProgress {
                layer: info.id,
                status: info.status.unwrap_or_default(),
                current: detail.current,
                total: detail.total,
            });
        }
        Ok(())
    }
}

/// "repo/name:tag" -> ("repo/name", "tag"); a registry port is not a tag.
fn split_image(image: &str) -> (&str, &str) {
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (image, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn image_names_split_on_the_tag_only() {
        assert_eq!(split_image("redis:7-alpine"), ("redis", "7-alpine"));
        assert_eq!(split_image("ollama/ollama"), ("ollama/ollama", "latest"));
        assert_eq!(
            split_image("localhost:5000/x"),
            ("localhost:5000/x", "latest")
        );
        assert_eq!(split_image("localhost:5000/x:1"), ("localhost:5000/x", "1"));
    }
}
