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

/// A failed pull in words: the image, what the engine's answer means when it is one of the
/// common two (no such image or tag; a registry that does not answer), then the answer itself.
fn pull_failure(image: &str, engine: &str) -> String {
    let registry = registry_of(image);
    let m = engine.to_ascii_lowercase();
    let missing = ["manifest unknown", "not found", "repository does not exist"];
    let down = [
        "connection refused",
        "no such host",
        "i/o timeout",
        "no route to host",
        "network is unreachable",
        "connection reset",
    ];
    if missing.iter().any(|w| m.contains(w)) {
        format!(
            "cannot pull image `{image}`: registry {registry} has no such image or tag ({engine})"
        )
    } else if down.iter().any(|w| m.contains(w)) {
        format!("cannot pull image `{image}`: registry {registry} does not answer ({engine})")
    } else {
        format!("cannot pull image `{image}`: {engine}")
    }
}

/// The registry a reference pulls from: its first component when that names a host (has a
/// '.' or ':', or is localhost), else Docker Hub.
fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => first,
        _ => "docker.io",
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
    use super::{pull_failure, registry_of, split_image};

    #[test]
    fn pull_failures_say_what_went_wrong() {
        assert_eq!(registry_of("127.0.0.1:5000/a/b:1"), "127.0.0.1:5000");
        assert_eq!(registry_of("localhost/a"), "localhost");
        assert_eq!(registry_of("ghcr.io/a/b"), "ghcr.io");
        assert_eq!(registry_of("ollama/ollama"), "docker.io");
        assert_eq!(registry_of("redis"), "docker.io");
        let m = pull_failure(
            "127.0.0.1:5000/a:nope",
            "manifest for 127.0.0.1:5000/a:nope not found: manifest unknown: manifest unknown",
        );
        assert!(
            m.starts_with("cannot pull image `127.0.0.1:5000/a:nope`: registry 127.0.0.1:5000 has no such image or tag ("),
            "{m}"
        );
        let m = pull_failure(
            "127.0.0.1:5999/a:1",
            "Get \"http://127.0.0.1:5999/v2/\": dial tcp 127.0.0.1:5999: connect: connection refused",
        );
        assert!(
            m.contains("registry 127.0.0.1:5999 does not answer ("),
            "{m}"
        );
        assert_eq!(pull_failure("a", "odd"), "cannot pull image `a`: odd");
    }

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
