//! Image builds: a tarred context sent to the engine's classic builder (API `version=1`, no
//! BuildKit session), its output streamed line by line.

use std::collections::{BTreeMap, HashMap};

use bollard::query_parameters::{BuildImageOptionsBuilder, BuilderVersion};
use futures_util::StreamExt;

use super::Runtime;
use super::error::{ErrorKind, Result, RuntimeError};

/// Longest single output line kept (the rest is cut): a build may print anything.
const MAX_LINE: usize = 4096;

/// One image build: the context as an uncompressed tar, and what the engine's `/build` takes.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The tag the build produces.
    pub tag: String,
    /// The Dockerfile's path inside the context.
    pub dockerfile: String,
    pub args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub labels: HashMap<String, String>,
    pub no_cache: bool,
    pub context: Vec<u8>,
}

impl Runtime {
    /// Build `req.tag`, calling `line` with each line of the builder's output. Returns the new
    /// image's id. A failing instruction is an `Other` error carrying the builder's message.
    pub async fn build_image(
        &self,
        req: BuildRequest,
        mut line: impl FnMut(&str),
    ) -> Result<String> {
        let args: HashMap<String, String> = req.args.into_iter().collect();
        let mut opts = BuildImageOptionsBuilder::default()
            .dockerfile(&req.dockerfile)
            .t(&req.tag)
            .rm(true)
            .forcerm(true)
            .nocache(req.no_cache)
            .buildargs(&args)
            .labels(&req.labels)
            .version(BuilderVersion::BuilderV1);
        if let Some(target) = &req.target {
            opts = opts.target(target);
        }
        let body = bollard::body_full(req.context.into());
        let mut stream = self.docker.build_image(opts.build(), None, Some(body));
        let mut partial = String::new();
        let mut id = None;
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| match e {
                // The failing instruction's message, as the engine wrote it.
                bollard::errors::Error::DockerStreamError { error } => RuntimeError::other(error),
                e => match self.error(e) {
                    err if err.kind == ErrorKind::Unreachable => err,
                    err => err.context(format!("cannot build image `{}`", req.tag)),
                },
            })?;
            if let Some(text) = &info.stream {
                push_lines(&mut partial, text, &mut line);
            }
            if let Some(status) = &info.status {
                // Pulling a base image: one line per layer status, without the progress bar.
                let layer = info
                    .id
                    .as_deref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                push_lines(&mut partial, &format!("{layer}{status}\n"), &mut line);
            }
            if let Some(detail) = info.error_detail {
                push_lines(&mut partial, "\n", &mut line);
                return Err(RuntimeError::other(
                    detail.message.unwrap_or_else(|| "the build failed".into()),
                ));
            }
            if let Some(aux) = info.aux.and_then(|a| a.id) {
                id = Some(aux);
            }
        }
        push_lines(&mut partial, "\n", &mut line);
        match id {
            Some(id) => Ok(id),
            // Engines before API 1.30 sent no aux id: ask for the tag's.
            None => self
                .docker
                .inspect_image(&req.tag)
                .await
                .map_err(|e| self.error(e))?
                .id
                .ok_or_else(|| RuntimeError::other(format!("built image `{}` has no id", req.tag))),
        }
    }

    /// The value of one label on a local image; `None` when the image or the label is absent.
    pub async fn image_label(&self, image: &str, label: &str) -> Result<Option<String>> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(i
                .config
                .and_then(|c| c.labels)
                .and_then(|mut l| l.remove(label))),
            Err(e) if super::not_found(&e) => Ok(None),
            Err(e) => Err(self.error(e)),
        }
    }
}

/// Add `text` to the partial line; pass on each complete, non-blank line.
fn push_lines(partial: &mut String, text: &str, line: &mut impl FnMut(&str)) {
    partial.push_str(text);
    while let Some(nl) = partial.find('\n') {
        let mut l: String = partial.drain(..=nl).collect();
        l.pop();
        let l = l.trim_end_matches('\r');
        if !l.trim().is_empty() {
            line(cut(l));
        }
    }
    // A line without its end: bounded too.
    if partial.len() > MAX_LINE * 4 {
        let whole = std::mem::take(partial);
        line(cut(&whole));
    }
}

/// `l`, cut to at most MAX_LINE bytes on a character boundary.
fn cut(l: &str) -> &str {
    if l.len() <= MAX_LINE {
        return l;
    }
    let mut end = MAX_LINE;
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    &l[..end]
}
