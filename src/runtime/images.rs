//! Images: presence and pulls with progress.

use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;

use super::error::{ErrorKind, Result, RuntimeError, pull_failure};
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
                err if err.kind == ErrorKind::Unreachable => {
                    err.context(format!("cannot pull image `{image}`"))
                }
                err => RuntimeError::new(err.kind, pull_failure(image, &err.message)),
            })?;
            if let Some(detail) = info.error_detail {
                let message = detail.message.unwrap_or_default();
                return Err(RuntimeError::other(pull_failure(image, &message)));
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

/// Split a reference into what the engine's pull takes: the repository, and a tag or digest.
/// "repo/name:tag" -> ("repo/name", "tag"); "name@sha256:…" -> ("name", "sha256:…"), where a
/// digest pins the image, so a tag beside it is dropped.
fn split_image(image: &str) -> (&str, &str) {
    if let Some((name, digest)) = image.split_once('@') {
        return (&name[..tag_colon(name).unwrap_or(name.len())], digest);
    }
    match tag_colon(image) {
        Some(colon) => (&image[..colon], &image[colon + 1..]),
        None => (image, "latest"),
    }
}

/// Where a name's tag starts: its last ':' after the last '/' (a registry's port is no tag).
fn tag_colon(name: &str) -> Option<usize> {
    let start = name.rfind('/').map_or(0, |i| i + 1);
    name[start..].rfind(':').map(|i| start + i)
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

    #[test]
    fn digests_are_not_tags() {
        let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
        assert_eq!(
            split_image(&format!("name@{digest}")),
            ("name", digest.as_str())
        );
        assert_eq!(
            split_image("registry:5000/name:tag"),
            ("registry:5000/name", "tag")
        );
        assert_eq!(split_image("name"), ("name", "latest"));
        assert_eq!(
            split_image(&format!("registry:5000/name@{digest}")),
            ("registry:5000/name", digest.as_str())
        );
        // A tag beside the digest: the digest decides what is pulled.
        assert_eq!(
            split_image(&format!("registry:5000/name:1.2@{digest}")),
            ("registry:5000/name", digest.as_str())
        );
    }
}
