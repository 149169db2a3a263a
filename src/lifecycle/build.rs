//! Building service images from their `build` section: what `up` runs when an image is
//! missing or stale (or with `--build`), and what `dspy-agent build` runs. Output streams as
//! `Event::Build` lines; a failure names the service, the Dockerfile line of the failing step
//! and the last lines of output.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use super::context::Context;
use super::events::{Event, EventSink, Phase};
use super::outcome::Failure;
use super::stack::Stack;
use super::start::StartError;
use crate::catalog::{Build, Service};
use crate::error::{Code, Error, Result};
use crate::runtime::{self, BuildRequest, ErrorKind};

/// Lines of build output shown with a failure.
const TAIL_LINES: usize = 20;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Services to build; empty: every service with a `build` section.
    pub services: Vec<String>,
    pub no_cache: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub service: String,
    pub image: String,
    pub image_id: String,
    pub build_hash: String,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub project: String,
    pub ok: bool,
    pub built: Vec<Built>,
    pub failed: Option<Failure>,
    pub duration_ms: u64,
}

impl Stack {
    /// The services `build` builds: those named (each must exist and have a `build` section),
    /// or else every service that has one.
    pub fn services_to_build(&self, requested: &[String]) -> Result<Vec<String>> {
        if requested.is_empty() {
            return Ok(self
                .catalog
                .services
                .values()
                .filter(|s| s.build.is_some())
                .map(|s| s.name.clone())
                .collect());
        }
        let mut out = Vec::new();
        for name in requested {
            if self.service(name)?.build.is_none() {
                return Err(Error::usage(format!(
                    "service `{name}` has no `build` section in the services file"
                )));
            }
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        Ok(out)
    }

    /// The build hash of each of `services` that has a `build` section: its context scanned
    /// (bounded by docker.max_build_context_bytes) and digested, off the async threads.
    pub(super) async fn build_hashes(
        &self,
        services: &[String],
    ) -> Result<BTreeMap<String, String>> {
        let builds: Vec<(String, Build)> = services
            .iter()
            .filter_map(|s| {
                let b = self.catalog.services.get(s)?.build.clone()?;
                Some((s.clone(), b))
            })
            .collect();
        let max = self.max_build_context;
        tokio::task::spawn_blocking(move || {
            builds
                .into_iter()
                .map(|(s, b)| {
                    let hash = Context::scan(&s, &b, max)?.digest(&b)?;
                    Ok((s, hash))
                })
                .collect()
        })
        .await
        .map_err(|e| Error::runtime(format!("context scan task failed: {e}")))?
    }

    /// `dspy-agent build`: build each service's image in turn; the first failure stops it.
    pub async fn build(&self, opts: BuildOptions, events: EventSink) -> Result<BuildReport> {
        let started = Instant::now();
        let services = self.services_to_build(&opts.services)?;
        let hashes = self.build_hashes(&services).await?;
        let mut built = Vec::new();
        let mut failed = None;
        for name in &services {
            let svc = self.service(name)?;
            match self
                .build_service(&svc, &hashes[name], opts.no_cache, &events)
                .await
            {
                Ok(b) => built.push(b),
                Err(e) => {
                    self.emit_service(&events, name, Phase::Failed, Some(e.reason.clone()));
                    failed = Some(Failure {
                        service: name.clone(),
                        reason: e.reason,
                        chain: vec![name.clone()],
                        log_tail: e.log_tail,
                        exit_code: e.code as u8,
                    });
                    break;
                }
            }
        }
        Ok(BuildReport {
            project: self.project.clone(),
            ok: failed.is_none(),
            built,
            failed,
            duration_ms: started.elapsed().as_millis() as u64,
        })
    }

    /// Inside `up`: build `svc`'s image when `always`, when it is missing, or when its
    /// build-hash label differs from `hash` (the context, Dockerfile, args or target changed).
    pub(super) async fn ensure_built(
        &self,
        svc: &Service,
        hash: &str,
        always: bool,
        events: &EventSink,
    ) -> std::result::Result<(), StartError> {
        // Services sharing an image: the first builds it, the others then find it current.
        let lock = Arc::clone(
            self.build_locks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(svc.image.clone())
                .or_default(),
        );
        let mut built_here = lock.lock().await;
        if built_here.as_deref() == Some(hash) {
            return Ok(());
        }
        let current = self
            .runtime
            .image_label(&svc.image, runtime::LABEL_BUILD_HASH)
            .await?;
        if always || current.as_deref() != Some(hash) {
            self.build_service(svc, hash, false, events).await?;
            *built_here = Some(hash.to_string());
        }
        Ok(())
    }

    /// Build one service's image, tagged `svc.image` and labelled with its build hash.
    async fn build_service(
        &self,
        svc: &Service,
        hash: &str,
        no_cache: bool,
        events: &EventSink,
    ) -> std::result::Result<Built, StartError> {
        let started = Instant::now();
        let name = svc.name.as_str();
        let build = svc
            .build
            .clone()
            .ok_or_else(|| Error::usage(format!("service `{name}` has no `build` section")))?;
        self.emit_service(events, name, Phase::Building, Some(svc.image.clone()));
        let max = self.max_build_context;
        let (service, b) = (name.to_string(), build.clone());
        let context = tokio::task::spawn_blocking(move || Context::scan(&service, &b, max)?.tar())
            .await
            .map_err(|e| Error::runtime(format!("context tar task failed: {e}")))??;
        let dockerfile_path = build.context.join(&build.dockerfile);
        let instructions = std::fs::read_to_string(&dockerfile_path)
            .map(|t| instruction_lines(&t))
            .unwrap_or_default();
        let req = BuildRequest {
            tag: svc.image.clone(),
            dockerfile: build.dockerfile.clone(),
            args: build.args.clone(),
            target: build.target.clone(),
            labels: HashMap::from([
                (runtime::LABEL_PROJECT.to_string(), self.project.clone()),
                (runtime::LABEL_SERVICE.to_string(), name.to_string()),
                (runtime::LABEL_BUILD_HASH.to_string(), hash.to_string()),
            ]),
            no_cache,
            context,
        };
        let mut tail: VecDeque<String> = VecDeque::with_capacity(TAIL_LINES);
        let mut step: Option<(u32, u32, String)> = None;
        let sink = Arc::clone(events);
        let result = self
            .runtime
            .build_image(req, |line| {
                let parsed = parse_step(line);
                if let Some((n, of)) = parsed {
                    step = Some((n, of, line.to_string()));
                }
                if tail.len() == TAIL_LINES {
                    tail.pop_front();
                }
                tail.push_back(line.to_string());
                sink(Event::Build {
                    service: name.to_string(),
                    image: svc.image.clone(),
                    line: line.to_string(),
                    step: parsed.map(|p| p.0),
                    steps: parsed.map(|p| p.1),
                });
            })
            .await;
        match result {
            Ok(image_id) => Ok(Built {
                service: name.to_string(),
                image: svc.image.clone(),
                image_id,
                build_hash: hash.to_string(),
                duration_ms: started.elapsed().as_millis() as u64,
            }),
            Err(e) if e.kind == ErrorKind::Unreachable => Err(Error::from(e).into()),
            Err(e) => {
                let at = match &step {
                    Some((n, of, text)) => {
                        let line = instructions
                            .get(*n as usize - 1)
                            .map(|l| format!("{}:{l}", dockerfile_path.display()))
                            .unwrap_or_else(|| dockerfile_path.display().to_string());
                        let instr = text.split_once(" : ").map_or("", |(_, i)| i);
                        format!(" at {line} (`{instr}`, the engine's step {n}/{of})")
                    }
                    None => format!(" ({})", dockerfile_path.display()),
                };
                Err(StartError {
                    reason: format!(
                        "service `{name}`: building image `{}` failed{at}: {}",
                        svc.image, e.message
                    ),
                    code: Code::Runtime,
                    log_tail: tail.into_iter().collect(),
                })
            }
        }
    }
}

/// `Step 3/7 : RUN make` -> (3, 7): the classic builder's step header.
fn parse_step(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("Step ")?;
    let (frac, _) = rest.split_once(' ').unwrap_or((rest, ""));
    let (n, of) = frac.split_once('/')?;
    let (n, of) = (n.parse().ok()?, of.parse().ok()?);
    (n >= 1 && n <= of).then_some((n, of))
}

/// The 1-based line each Dockerfile instruction starts on, in order: the classic builder
/// numbers its steps the same way (build args before the first FROM included). Comments and
/// blank lines are skipped, inside continuations too; a line ending in the escape character
/// (`\`, or what a leading `# escape=` directive sets) continues onto the next.
pub(super) fn instruction_lines(text: &str) -> Vec<usize> {
    let mut escape = '\\';
    let mut directives = true;
    let mut continued = false;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if directives {
            let directive = t
                .strip_prefix('#')
                .and_then(|d| d.split_once('='))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()));
            match directive {
                Some((key, value)) if !key.contains(' ') && !key.is_empty() => {
                    if key == "escape"
                        && let Some(c) = value.chars().next()
                    {
                        escape = c;
                    }
                    continue;
                }
                _ => directives = false,
            }
        }
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !continued {
            out.push(i + 1);
        }
        continued = t.ends_with(escape);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_map_to_dockerfile_lines() {
        let text = "# syntax=docker/dockerfile:1\n\
                    ARG BASE=x\n\
                    \n\
                    # a comment\n\
                    FROM ${BASE}\n\
                    RUN a \\\n\
                    # inside\n\
                    \n\
                      && b\n\
                    COPY . /app\n\
                    RUN false\n";
        assert_eq!(instruction_lines(text), [2, 5, 6, 10, 11]);
        let text = "# escape=`\nFROM x\nRUN a `\n  b\nRUN c\n";
        assert_eq!(instruction_lines(text), [2, 3, 5]);
    }

    #[test]
    fn step_headers() {
        assert_eq!(parse_step("Step 3/7 : RUN make"), Some((3, 7)));
        assert_eq!(parse_step("Step 1/1 : FROM x"), Some((1, 1)));
        assert_eq!(parse_step(" ---> Running in abc"), None);
        assert_eq!(parse_step("Step 9/7 : x"), None);
        assert_eq!(parse_step("Step x/7 : x"), None);
    }
}
