//! Pulls against a real registry: Debian's docker-registry (distribution 2.8) on 127.0.0.1:5000,
//! started by scripts/registry-up.sh (idempotently, once per test binary), and the real engine.
//!
//! Each test pushes its own copy of a local test image (scripts/registry-push-cold.sh: the
//! image's filesystem plus a unique file, flattened into one new layer, so no layer of it is on
//! the engine) under a unique name, and that script removes the local copy, so every pull
//! downloads for real. The shared `dspy-test/*` images are never removed.
//!
//! Without docker-registry installed the tests skip, loudly, unless DSPY_AGENT_REQUIRE_REGISTRY
//! is set (the test command sets it), in which case they fail. DSPY_AGENT_TEST_REGISTRY names
//! the registry's address (default 127.0.0.1:5000).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::Env;
use serde_json::Value;

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The registry's address, once it answers (started if need be); None to skip.
fn registry() -> Option<String> {
    static REGISTRY: OnceLock<Option<String>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| {
            let addr = std::env::var("DSPY_AGENT_TEST_REGISTRY")
                .unwrap_or_else(|_| "127.0.0.1:5000".to_string());
            if !Path::new("/usr/bin/docker-registry").exists() {
                assert!(
                    std::env::var_os("DSPY_AGENT_REQUIRE_REGISTRY").is_none(),
                    "DSPY_AGENT_REQUIRE_REGISTRY is set but docker-registry is not installed (scripts/setup.sh installs it)"
                );
                eprintln!(
                    "SKIPPED: docker-registry is not installed; scripts/setup.sh installs it"
                );
                return None;
            }
            let up = Command::new(script("registry-up.sh"))
                .env("REGISTRY_ADDR", &addr)
                .output()
                .expect("run scripts/registry-up.sh");
            assert!(
                up.status.success(),
                "scripts/registry-up.sh failed: {}",
                String::from_utf8_lossy(&up.stderr)
            );
            Some(addr)
        })
        .clone()
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI")
}

fn image_present(image: &str) -> bool {
    docker(&["image", "inspect", image]).status.success()
}

/// A test's own image in the registry, absent from the engine. Removed from the engine (never
/// the shared source image) when dropped.
struct Pushed {
    tag: String,
    digest: String,
}

impl Pushed {
    /// Push a cold copy of `src` as `<registry>/dspy-test-cold/<name>-<pid>:t<nanos>`.
    fn new(registry: &str, src: &str, name: &str) -> Pushed {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let tag = format!(
            "{registry}/dspy-test-cold/{name}-{}:t{nanos}",
            std::process::id()
        );
        let out = Command::new(script("registry-push-cold.sh"))
            .args([src, &tag])
            .output()
            .expect("run scripts/registry-push-cold.sh");
        assert!(
            out.status.success(),
            "registry-push-cold.sh {src} {tag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let digest = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(digest.contains("@sha256:"), "no digest: {digest:?}");
        assert!(!image_present(&tag), "{tag} is still on the engine");
        Pushed { tag, digest }
    }
}

impl Drop for Pushed {
    fn drop(&mut self) {
        for r in [&self.tag, &self.digest] {
            let _ = docker(&["rmi", r]);
        }
    }
}

/// Removes everything a test's project created, whatever happened in the test.
struct Cleanup<'a>(&'a Env);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.0.project);
        for kind in ["container", "network"] {
            let all: &[&str] = if kind == "container" { &["-a"] } else { &[] };
            let mut args = vec![kind, "ls", "-q", "--filter", &label];
            args.extend_from_slice(all);
            let out = docker(&args);
            for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = docker(&[kind, "rm", "-f", id]);
            }
        }
    }
}

/// The project's containers, running or not.
fn containers_of(env: &Env) -> Vec<String> {
    let label = format!("label=dspy-agent.project={}", env.project);
    let out = docker(&["ps", "-aq", "--filter", &label]);
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The NDJSON events on a `--json` command's stderr (other lines skipped). `pull` names its
/// events with `event`, `up` with `type`.
fn events(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("event").is_some() || v.get("type").is_some())
        .collect()
}

fn ps_rows(env: &Env) -> Vec<Value> {
    env.run(&["--json", "ps"]).ok().json()["services"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn pull_reports_layer_progress_as_ndjson_and_as_lines() {
    let Some(reg) = registry() else { return };
    let img = Pushed::new(&reg, "dspy-test/redis:latest", "progress");
    let env = Env::new("reg-progress").with_services(&format!(
        "[services.cache]\nimage = \"{}\"\nports = [\"45000:6379\"]\n",
        img.tag
    ));

    let run = env.run(&["--json", "pull", "--services", "cache"]).ok();
    let doc = run.json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(
        doc["pulled"],
        serde_json::json!([{"service": "cache", "image": img.tag}])
    );
    let evs = events(&run.stderr);
    assert!(
        evs.iter()
            .all(|e| (e["type"] == "pull" || e["type"] == "service") && e["service"] == "cache"),
        "{evs:?}"
    );
    assert!(
        evs.iter()
            .filter(|e| e["type"] == "pull")
            .all(|e| e["image"] == img.tag),
        "{evs:?}"
    );
    // Per-layer byte counts while downloading, and each layer's completion.
    let downloading: Vec<&Value> = evs
        .iter()
        .filter(|e| e["status"] == "Downloading" && e["layer"].is_string())
        .collect();
    assert!(
        !downloading.is_empty(),
        "no Downloading events: {}",
        run.stderr
    );
    for e in &downloading {
        let (cur, total) = (e["current"].as_u64().unwrap(), e["total"].as_u64().unwrap());
        assert!(cur > 0 && cur <= total, "{e}");
    }
    let layer = downloading[0]["layer"].as_str().unwrap();
    assert!(
        evs.iter()
            .any(|e| e["layer"] == layer && e["status"] == "Pull complete"),
        "{}",
        run.stderr
    );
    assert!(image_present(&img.tag), "{} not on the engine", img.tag);

    // Plain mode: lines on stderr, one per finished layer, then the result; stdout empty.
    assert!(docker(&["rmi", &img.tag]).status.success());
    let run = env.run(&["pull", "--services", "cache"]).ok();
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains(&format!("layer {layer}: Pull complete")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("pulled {}", img.tag)),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains('{'),
        "JSON in plain mode: {}",
        run.stderr
    );
    assert!(image_present(&img.tag));
}

#[test]
fn an_image_pinned_by_digest_is_pulled_and_up_runs_it() {
    let Some(reg) = registry() else { return };
    let img = Pushed::new(&reg, "dspy-test/busybox:latest", "digest");
    let env = Env::new("reg-digest").with_services(&format!(
        "[services.web]\nimage = \"{}\"\ncommand = [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\nports = [\"45010:8080\"]\n[services.web.health]\nkind = \"http\"\npath = \"/health\"\n",
        img.digest
    ));
    let _cleanup = Cleanup(&env);

    let doc = env
        .run(&["--json", "pull", "--services", "web"])
        .ok()
        .json();
    assert_eq!(doc["pulled"][0]["image"], img.digest.as_str());
    assert!(image_present(&img.digest));
    // Only the digest was pulled: no tag came with it.
    assert!(!image_present(&img.tag));

    // Absent again: `up` pulls it by digest itself and runs it.
    assert!(docker(&["rmi", &img.digest]).status.success());
    let doc = env.run(&["--json", "up", "--services", "web"]).ok().json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["services"][0]["health"], "healthy");
    let rows = ps_rows(&env);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["image"], img.digest.as_str());
    assert_eq!(rows[0]["state"], "running");
    let body = Command::new("curl")
        .args(["-fsS", "--max-time", "5", "http://127.0.0.1:45010/health"])
        .output()
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&body.stdout).trim(), "ok");
}

#[test]
fn a_missing_tag_is_exit_1_naming_the_image() {
    let Some(reg) = registry() else { return };
    let image = format!("{reg}/dspy-test/busybox:no-such-tag-{}", std::process::id());
    let env = Env::new("reg-missing").with_services(&format!(
        "[services.ghost]\nimage = \"{image}\"\nports = [\"45020:8080\"]\n"
    ));
    let _cleanup = Cleanup(&env);

    let run = env.run(&["pull", "--services", "ghost"]).code(1);
    assert!(run.stderr.contains("service `ghost`"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("`{image}`")), "{}", run.stderr);
    assert!(
        run.stderr.contains("has no such image or tag"),
        "{}",
        run.stderr
    );
    // The same in JSON, as the error document.
    let run = env.run(&["--json", "pull", "--services", "ghost"]).code(1);
    let doc = run.json();
    assert_eq!(doc["error"]["code"], 1);
    assert!(
        doc["error"]["message"].as_str().unwrap().contains(&image),
        "{doc}"
    );
    // `up` fails on it the same way, and creates no container.
    let run = env.run(&["up", "--services", "ghost"]).code(1);
    assert!(run.stderr.contains(&image), "{}", run.stderr);
    assert!(containers_of(&env).is_empty());
    assert!(!image_present(&image));
}

#[test]
fn a_registry_that_does_not_answer_fails_quickly_and_changes_nothing() {
    // Needs no registry at all: the point is that there is none on this port.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let image = format!("127.0.0.1:{port}/dspy-test/busybox:latest");
    let env = Env::new("reg-down").with_services(&format!(
        "[services.web]\nimage = \"{image}\"\nports = [\"45030:8080\"]\n"
    ));
    let _cleanup = Cleanup(&env);

    let t = Instant::now();
    let run = env.run(&["pull", "--services", "web"]).code(1);
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    assert!(run.stderr.contains(&format!("`{image}`")), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("registry 127.0.0.1:{port} does not answer")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    let t = Instant::now();
    let run = env.run(&["--json", "up", "--services", "web"]).code(1);
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    let doc = run.json();
    assert!(
        doc.to_string().contains("does not answer"),
        "{doc}\n{}",
        run.stderr
    );
    // Nothing half-done: no container, no image, and `ps` shows the service not running.
    assert!(containers_of(&env).is_empty());
    assert!(!image_present(&image));
    let rows = ps_rows(&env);
    assert!(rows.iter().all(|r| r["state"] != "running"), "{rows:?}");
}

#[test]
fn up_on_a_stack_whose_images_are_absent_pulls_them_and_gets_healthy() {
    let Some(reg) = registry() else { return };
    let store = Pushed::new(&reg, "dspy-test/redis:latest", "cold-store");
    let web = Pushed::new(&reg, "dspy-test/busybox:latest", "cold-web");
    let env = Env::new("reg-cold").with_services(&format!(
        "[services.store]\nimage = \"{}\"\nports = [\"45040:6379\"]\n[services.store.health]\nkind = \"redis\"\n\n\
         [services.web]\nimage = \"{}\"\ncommand = [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\nports = [\"45041:8080\"]\ndepends_on = [\"store\"]\n[services.web.health]\nkind = \"http\"\npath = \"/health\"\n",
        store.tag, web.tag
    ));
    let _cleanup = Cleanup(&env);

    let run = env.run(&["--json", "up", "--services", "web"]).ok();
    let doc = run.json();
    assert_eq!(doc["ok"], true, "{doc}");
    let services = doc["services"].as_array().unwrap();
    assert_eq!(services.len(), 2, "{doc}");
    for s in services {
        assert_eq!(s["health"], "healthy", "{doc}");
    }
    // Both were pulled by `up` itself: a pulling phase and downloads for each.
    let evs = events(&run.stderr);
    for (service, image) in [("store", &store.tag), ("web", &web.tag)] {
        assert!(
            evs.iter().any(|e| e["type"] == "pull"
                && e["service"] == service
                && e["status"] == "Downloading"
                && e["image"] == image.as_str()),
            "no download for {service}: {}",
            run.stderr
        );
        assert!(image_present(image));
    }
    let rows = ps_rows(&env);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r["health"] == "healthy"), "{rows:?}");
}
