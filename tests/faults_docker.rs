//! Faults around the Docker engine (issue 10, items 3 and 7): engine objects with our names that
//! someone else made are refused, never adopted or removed; concurrent `up`s never destroy a
//! container that another `up` reported healthy. Real engine, local test images
//! (scripts/build-test-images.sh); each test has its own home, project and host ports.

mod common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};

use common::{Env, test_stack};
use serde_json::Value;

/// Removes the project's labelled objects and the named strangers, whatever happened.
struct Cleanup<'a> {
    env: &'a Env,
    strangers: Vec<(&'static str, String)>,
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.env.run(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.env.project);
        for kind in ["container", "volume", "network"] {
            let mut ls = Command::new("docker");
            ls.args([kind, "ls", "-q", "--filter", &label]);
            if kind == "container" {
                ls.arg("-a");
            }
            if let Ok(out) = ls.output() {
                for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("docker").args([kind, "rm", "-f", id]).output();
                }
            }
        }
        for (kind, name) in &self.strangers {
            let _ = Command::new("docker")
                .args([kind, "rm", "-f", name])
                .output();
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

fn services_of(doc: &Value) -> Vec<Value> {
    doc["services"].as_array().cloned().unwrap_or_default()
}

/// The project's containers as the engine lists them by label.
fn labelled_containers(env: &Env) -> String {
    docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=dspy-agent.project={}", env.project),
    ])
}

/// Exit 1 and a message that names the object and says how to get out.
#[track_caller]
fn assert_refused(env: &Env, args: &[&str], kind: &str, name: &str) {
    let out = env.run(args).code(1);
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains(&format!("{kind} {name}")), "{text}");
    assert!(text.contains("--project"), "{text}");
    let rm = if kind == "container" {
        format!("docker rm -f {name}")
    } else {
        format!("docker {kind} rm {name}")
    };
    assert!(text.contains(&rm), "{text}");
}

#[test]
fn a_squatting_container_is_refused_by_name_and_left_alone() {
    let env = Env::new("squat").with_services(&test_stack(43000));
    let name = format!("{}-redis", env.project);
    let _cleanup = Cleanup {
        env: &env,
        strangers: vec![("container", name.clone())],
    };
    // Started by hand, with our name but none of our labels (and no published port).
    let stranger = docker(&["run", "-d", "--name", &name, "dspy-test/redis:latest"]);

    assert_refused(&env, &["up", "--services", "redis"], "container", &name);
    let json = env.run(&["--json", "up", "--services", "redis"]).code(1);
    assert!(json.stdout.contains(&name), "{}", json.stdout);

    // The stranger is untouched and still running; nothing of ours was left behind.
    assert_eq!(
        docker(&["inspect", "-f", "{{.Id}} {{.State.Running}}", &name]),
        format!("{stranger} true")
    );
    assert_eq!(labelled_containers(&env), "");
    let ps = env.run(&["--json", "ps"]).ok().json();
    assert!(services_of(&ps).is_empty(), "{ps}");
}

#[test]
fn a_squatting_network_is_refused_and_not_removed() {
    let env = Env::new("squatnet").with_services(&test_stack(43050));
    let network = format!("{}_default", env.project);
    let _cleanup = Cleanup {
        env: &env,
        strangers: vec![("network", network.clone())],
    };
    let id = docker(&["network", "create", &network]);

    assert_refused(&env, &["up", "--services", "redis"], "network", &network);
    assert_eq!(labelled_containers(&env), "");
    // `down` removes only the project's own network, never the stranger's.
    env.run(&["down"]).ok();
    assert_eq!(
        docker(&["network", "inspect", "-f", "{{.Id}}", &network]),
        id
    );
}

#[test]
fn a_squatting_volume_is_refused_and_keeps_its_data() {
    let stack = test_stack(43100).replacen(
        "ports = [\"43100:6379\"]\n",
        "ports = [\"43100:6379\"]\nvolumes = [\"data:/data\"]\n",
        1,
    );
    let env = Env::new("squatvol").with_services(&stack);
    let volume = format!("{}_redis_data", env.project);
    let _cleanup = Cleanup {
        env: &env,
        strangers: vec![("volume", volume.clone())],
    };
    docker(&["volume", "create", &volume]);

    assert_refused(&env, &["up", "--services", "redis"], "volume", &volume);
    assert_eq!(labelled_containers(&env), "");
    // Still there, still without our label: not taken over.
    assert_eq!(
        docker(&["volume", "inspect", "-f", "{{json .Labels}}", &volume]),
        "null"
    );
}

#[test]
fn thirty_concurrent_commands_never_recreate_a_healthy_container() {
    // Mixed `up`, `ps` and `config set` in one home and project, all at once, five rounds from
    // nothing. Every `up` must succeed, and the container each reports must be the one that is
    // there at the end: none destroyed after another `up` called it healthy.
    let env = Env::new("race30").with_services(&test_stack(43150));
    let _cleanup = Cleanup {
        env: &env,
        strangers: vec![],
    };
    let spawn = |args: &[&str]| -> Child {
        env.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dspy-agent")
    };
    for round in 0..5 {
        let mut ups = Vec::new();
        let mut others = Vec::new();
        for i in 0..30 {
            match i % 5 {
                0 | 2 | 4 => ups.push(spawn(&["--json", "up", "--services", "redis,reddb"])),
                1 => others.push(spawn(&["--json", "ps"])),
                _ => others.push(spawn(&[
                    "config",
                    "set",
                    "lock_timeout_s",
                    &format!("{}", 30 + i),
                ])),
            }
        }
        let mut reported: Vec<BTreeMap<String, (String, String)>> = Vec::new();
        for child in ups {
            let out = common::to_run(child.wait_with_output().unwrap()).ok();
            let doc = out.json();
            assert_eq!(doc["ok"], true, "round {round}: {doc}");
            reported.push(
                services_of(&doc)
                    .iter()
                    .map(|s| {
                        assert_eq!(s["health"], "healthy", "round {round}: {s}");
                        (
                            s["service"].as_str().unwrap().to_string(),
                            (
                                s["container_id"].as_str().unwrap().to_string(),
                                s["action"].as_str().unwrap().to_string(),
                            ),
                        )
                    })
                    .collect(),
            );
        }
        for child in others {
            common::to_run(child.wait_with_output().unwrap()).ok();
        }
        let ps = env.run(&["--json", "ps"]).ok().json();
        let now: BTreeMap<String, String> = services_of(&ps)
            .iter()
            .map(|r| {
                (
                    r["service"].as_str().unwrap().to_string(),
                    r["container_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(now.len(), 2, "round {round}: {ps}");
        for report in &reported {
            for (service, (id, action)) in report {
                assert_ne!(action, "recreated", "round {round}: {service}");
                assert_eq!(
                    Some(id),
                    now.get(service),
                    "round {round}: `up` reported {service} healthy as {id}, but ps shows {now:?}"
                );
            }
        }
        env.run(&["down", "--timeout", "1"]).ok();
    }
}
