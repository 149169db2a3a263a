//! Building service images from a Dockerfile against the real engine: `FROM` the local test
//! image (no registry is reachable), with an `ARG`, a `COPY` and a `RUN`. Each test has its own
//! project, so its images are `<project>-<service>:latest`, removed at the end with the
//! project's containers and network.

mod common;

use std::path::Path;
use std::process::Command;

use common::Env;
use serde_json::Value;

/// Removes the project's containers, networks and the images it built, whatever happened.
struct Cleanup<'a>(&'a Env);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["down", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.0.project);
        for (kind, extra) in [("container", "-a"), ("network", ""), ("image", "-a")] {
            let mut ls = Command::new("docker");
            ls.args([kind, "ls", "-q", "--filter", &label]);
            if !extra.is_empty() {
                ls.arg(extra);
            }
            if let Ok(out) = ls.output() {
                for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("docker").args([kind, "rm", "-f", id]).output();
                }
            }
        }
    }
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// What the engine holds under this project's label: containers, networks and images.
fn engine_objects(project: &str) -> String {
    let label = format!("label=dspy-agent.project={project}");
    ["container", "network", "image"]
        .iter()
        .map(|kind| {
            let mut ls = Command::new("docker");
            ls.args([kind, "ls", "-q", "--filter", &label]);
            if *kind != "network" {
                ls.arg("-a");
            }
            String::from_utf8_lossy(&ls.output().unwrap().stdout).into_owned()
        })
        .collect::<String>()
}

const DOCKERFILE: &str = "\
# a base picked by an ARG before FROM
ARG BASE=dspy-test/busybox:latest
FROM ${BASE}

ARG MSG=unset
COPY data.txt /data.txt
RUN echo \"msg=$MSG\" > /msg.txt && \\
    cat /data.txt
CMD [\"sleep\", \"3600\"]
";

/// A context directory `ctx` beside the services file, holding `files`.
fn context(env: &Env, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = env.home().join("ctx");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

/// NDJSON events of one kind from a --json run's stderr.
fn events(stderr: &str, kind: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == kind)
        .collect()
}

fn container_id(env: &Env, service: &str) -> String {
    docker(&[
        "inspect",
        "-f",
        "{{.Id}}",
        &format!("{}-{service}", env.project),
    ])
}

fn action(doc: &Value, service: &str) -> String {
    doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == service)
        .unwrap_or_else(|| panic!("no {service} in {doc}"))["action"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn builds_cache_and_a_changed_context_recreates_the_service() {
    let env = Env::new("build-cache")
        .with_services(
            "[services.app]\n\
             build = { context = \"ctx\", args = { MSG = \"${BUILD_MSG}\" } }\n\
             depends_on = []\n",
        )
        .env("BUILD_MSG", "hello-from-env");
    let _cleanup = Cleanup(&env);
    context(&env, &[("Dockerfile", DOCKERFILE), ("data.txt", "first\n")]);
    let image = format!("{}-app:latest", env.project);

    // First build: NDJSON build events on stderr, with the classic builder's steps.
    let first = env.run(&["--json", "build"]).ok();
    let doc = first.json();
    assert_eq!(doc["built"][0]["service"], "app");
    assert_eq!(doc["built"][0]["image"], image.as_str());
    let id = doc["built"][0]["image_id"].as_str().unwrap().to_string();
    let builds = events(&first.stderr, "build");
    assert!(
        builds.iter().any(|e| e["step"] == 4
            && e["steps"] == 9
            && e["line"].as_str().unwrap().contains("COPY")),
        "{}",
        first.stderr
    );
    assert!(
        first.stderr.contains("\"status\":\"building\""),
        "{}",
        first.stderr
    );
    // The ARG took the variable's value; the image carries the build hash.
    assert_eq!(
        docker(&["run", "--rm", &image, "cat", "/msg.txt"]),
        "msg=hello-from-env"
    );
    let labels = docker(&["image", "inspect", "-f", "{{json .Config.Labels}}", &image]);
    assert!(labels.contains("dspy-agent.build-hash"), "{labels}");

    // Second build: every step from the cache, the same image.
    let second = env.run(&["--json", "build"]).ok();
    assert_eq!(second.json()["built"][0]["image_id"], id.as_str());
    assert!(second.stderr.contains("Using cache"), "{}", second.stderr);

    // `up` finds the image current: no build, a container from it.
    let run = env.run(&["--json", "up", "-s", "app"]).ok();
    assert!(events(&run.stderr, "build").is_empty(), "{}", run.stderr);
    assert_eq!(action(&run.json(), "app"), "created");
    let before = container_id(&env, "app");
    assert_eq!(
        docker(&["inspect", "-f", "{{.Image}}", &before]),
        id,
        "the container runs the built image"
    );
    let run = env.run(&["--json", "up", "-s", "app"]).ok();
    assert_eq!(action(&run.json(), "app"), "unchanged");

    // A changed context: `up` rebuilds and recreates the service.
    std::fs::write(env.home().join("ctx/data.txt"), "second\n").unwrap();
    let run = env.run(&["--json", "up", "-s", "app"]).ok();
    assert!(!events(&run.stderr, "build").is_empty(), "{}", run.stderr);
    assert_eq!(action(&run.json(), "app"), "recreated");
    let after = container_id(&env, "app");
    assert_ne!(before, after);
    assert_eq!(
        docker(&["exec", &format!("{}-app", env.project), "cat", "/data.txt"]),
        "second"
    );

    // `up --build` builds even a current image; unchanged contents keep the container.
    let run = env.run(&["--json", "up", "-s", "app", "--build"]).ok();
    assert!(!events(&run.stderr, "build").is_empty(), "{}", run.stderr);
    assert_eq!(action(&run.json(), "app"), "unchanged");
    assert_eq!(container_id(&env, "app"), after);

    // The human form: a table naming the image.
    let plain = env.run(&["build", "--services", "app"]).ok();
    assert!(plain.stdout.contains(&image), "{}", plain.stdout);
}

#[test]
fn a_failing_run_names_the_service_the_dockerfile_line_and_the_output() {
    let env = Env::new("build-fail").with_services(
        "[services.bad]\nbuild = { context = \"ctx\", dockerfile = \"docker/Dockerfile.bad\" }\n",
    );
    let _cleanup = Cleanup(&env);
    let dir = context(&env, &[("data.txt", "x\n")]);
    std::fs::create_dir_all(dir.join("docker")).unwrap();
    std::fs::write(
        dir.join("docker/Dockerfile.bad"),
        // The failing RUN comes before the COPY: a failed build then leaves no intermediate
        // image behind (one it committed would carry no label to clean it up by).
        "FROM dspy-test/busybox:latest\n\
         # fail, then copy\n\
         RUN echo before-the-failure && \\\n    \
             exit 7\n\
         COPY data.txt /data.txt\n\
         CMD [\"sleep\", \"3600\"]\n",
    )
    .unwrap();
    let run = env.run(&["build"]).code(1);
    for want in [
        "service `bad`",
        "docker/Dockerfile.bad:3",
        "(`RUN echo before-the-failure",
        "returned a non-zero code: 7",
        "before-the-failure",
        "`build` failed at service `bad`",
    ] {
        assert!(
            run.stderr.contains(want),
            "missing {want:?} in:\n{}",
            run.stderr
        );
    }
    // `up` fails the same way, creating no container.
    let run = env.run(&["up", "-s", "bad"]).code(1);
    assert!(
        run.stderr.contains("docker/Dockerfile.bad:3") && run.stderr.contains("before-the-failure"),
        "{}",
        run.stderr
    );
    let ps = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("name={}-bad", env.project),
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&ps.stdout).trim().is_empty());
    // --json: the failure in the report, build lines as NDJSON.
    let run = env.run(&["--json", "build"]).code(1);
    let doc = run.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["failed"]["service"], "bad");
    let tail = doc["failed"]["log_tail"].as_array().unwrap();
    assert!(
        tail.len() <= 20
            && tail
                .iter()
                .any(|l| l.as_str().unwrap().contains("before-the-failure"))
    );
    assert!(!events(&run.stderr, "build").is_empty(), "{}", run.stderr);
}

#[test]
fn bad_contexts_are_usage_errors_that_change_nothing() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "build-nocontext",
            "build = { context = \"missing\" }",
            &[
                "service `app`",
                "field `build`",
                "missing",
                "does not exist",
            ],
        ),
        (
            "build-outside",
            "build = { context = \"ctx\", dockerfile = \"../Dockerfile.outside\" }",
            &["service `app`", "outside the build context"],
        ),
        (
            "build-symlink",
            "build = { context = \"ctx\", dockerfile = \"linked\" }",
            &["service `app`", "outside the build context"],
        ),
        (
            "build-toobig",
            "build = { context = \"ctx\" }",
            &["service `app`", "docker.max_build_context_bytes"],
        ),
    ];
    for (name, build, wants) in cases {
        let env = Env::new(name)
            .with_services(&format!("[services.app]\n{build}\n"))
            .env("DSPY_AGENT_MAX_BUILD_CONTEXT_BYTES", "64");
        let _cleanup = Cleanup(&env);
        let dir = context(
            &env,
            &[("Dockerfile", DOCKERFILE), ("data.txt", &"x".repeat(100))],
        );
        std::fs::write(env.home().join("Dockerfile.outside"), DOCKERFILE).unwrap();
        std::os::unix::fs::symlink(env.home().join("Dockerfile.outside"), dir.join("linked"))
            .unwrap();
        for verb in [&["up", "-s", "app"][..], &["build"][..]] {
            let run = env.run(verb).code(2);
            for want in wants {
                assert!(
                    run.stderr.contains(want),
                    "{name} {verb:?}: missing {want:?} in:\n{}",
                    run.stderr
                );
            }
            if name != "build-toobig" {
                assert!(
                    run.stderr.contains("test-services.toml:2:"),
                    "{name}: {}",
                    run.stderr
                );
            }
        }
        assert_eq!(engine_objects(&env.project), "", "{name} created something");
        assert!(
            !Path::new(&env.home().join("state.json")).exists(),
            "{name} wrote the state"
        );
    }
}

#[test]
fn services_sharing_a_built_image_build_it_once() {
    let env = Env::new("build-shared");
    let image = format!("{}-shared:latest", env.project);
    let service = |name: &str| {
        format!("[services.{name}]\nimage = \"{image}\"\nbuild = {{ context = \"ctx\" }}\n")
    };
    let env = env.with_services(&(service("one") + &service("two")));
    let _cleanup = Cleanup(&env);
    context(
        &env,
        &[("Dockerfile", DOCKERFILE), ("data.txt", "shared\n")],
    );
    for extra in [&[][..], &["--build"][..]] {
        let mut args = vec!["--json", "up", "-s", "one,two"];
        args.extend_from_slice(extra);
        let run = env.run(&args).ok();
        let built: Vec<Value> = events(&run.stderr, "service")
            .into_iter()
            .filter(|e| e["status"] == "building")
            .collect();
        assert_eq!(built.len(), 1, "{extra:?}: {}", run.stderr);
        let ids: Vec<String> = ["one", "two"]
            .iter()
            .map(|s| {
                docker(&[
                    "inspect",
                    "-f",
                    "{{.Image}}",
                    &format!("{}-{s}", env.project),
                ])
            })
            .collect();
        assert_eq!(ids[0], ids[1]);
    }
}

#[test]
fn pull_leaves_out_services_whose_image_is_built() {
    let env = Env::new("build-pull").with_services(
        "[services.made]\nimage = \"dspy-agent-never-pushed/made:latest\"\nbuild = { context = \"ctx\" }\n",
    );
    context(&env, &[("Dockerfile", DOCKERFILE)]);
    // No registry has this image: a pull would fail.
    let run = env.run(&["--json", "pull", "-s", "made"]).ok();
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let pulled: Vec<&str> = doc["pulled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["service"].as_str().unwrap())
        .collect();
    assert!(pulled.is_empty(), "{}", run.stdout);
}
