//! Service lifecycle against the real Docker engine, on the local test images
//! (scripts/build-test-images.sh). Each test has its own home, project and host ports, and
//! removes its containers, network and volumes even when it fails.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Env, test_stack};
use serde_json::Value;

/// Removes everything a test's project created, whatever happened in the test.
struct Cleanup<'a>(&'a Env);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.run(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.0.project);
        for kind in ["container", "volume", "network"] {
            let ids = Command::new("docker")
                .args([kind, "ls", "-q", "--filter", &label])
                .args(if kind == "container" {
                    &["-a"][..]
                } else {
                    &[][..]
                })
                .output();
            if let Ok(out) = ids {
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

fn services_of(doc: &Value) -> Vec<Value> {
    doc["services"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(list: &'a [Value], service: &str) -> &'a Value {
    list.iter()
        .find(|s| s["service"] == service)
        .unwrap_or_else(|| panic!("no {service} in {list:?}"))
}

#[test]
fn up_brings_dependencies_healthy_and_ps_ports_report_them() {
    let env = Env::new("up").with_services(&test_stack(41000));
    let _cleanup = Cleanup(&env);
    let doc = env
        .run(&["--json", "up", "--services", "infermesh-router"])
        .ok()
        .json();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["ok"], true);
    let services = services_of(&doc);
    let names: BTreeSet<_> = services
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "infermesh-node-a",
            "infermesh-node-b",
            "infermesh-router",
            "redis"
        ])
    );
    for s in &services {
        assert_eq!(s["health"], "healthy");
        assert_eq!(s["action"], "created");
    }

    // Docker objects follow the naming contract and carry the labels.
    let name = format!("{}-redis", env.project);
    let labels = docker(&["inspect", "-f", "{{json .Config.Labels}}", &name]);
    let labels: Value = serde_json::from_str(&labels).unwrap();
    assert_eq!(labels["dspy-agent.project"], env.project.as_str());
    assert_eq!(labels["dspy-agent.service"], "redis");
    assert!(labels["dspy-agent.config-hash"].as_str().unwrap().len() >= 12);
    assert_eq!(
        docker(&["inspect", "-f", "{{.HostConfig.Init}}", &name]),
        "true"
    );
    docker(&["network", "inspect", &format!("{}_default", env.project)]);
    // Reachable by service name on the project network: node-a's container resolves `redis`.
    let out = docker(&[
        "exec",
        &format!("{}-infermesh-node-a", env.project),
        "sh",
        "-c",
        "echo PING | nc -w 2 redis 6379",
    ]);
    assert!(out.contains("PONG"), "{out}");

    let ps = env.run(&["--json", "ps"]).ok().json();
    assert_eq!(ps["schema_version"], 1);
    let rows = services_of(&ps);
    assert_eq!(rows.len(), 4);
    let redis = find(&rows, "redis");
    assert_eq!(redis["state"], "running");
    assert_eq!(redis["health"], "healthy");
    assert_eq!(redis["image"], "dspy-test/redis:latest");
    assert_eq!(
        redis["ports"],
        serde_json::json!([{"container_port": 6379, "host_ip": "127.0.0.1", "host_port": 41000}])
    );
    assert!(redis["container_id"].as_str().unwrap().len() == 64);
    assert!(redis["started_at"].as_str().unwrap().starts_with("20"));
    let table = env.run(&["ps"]).ok().stdout;
    assert!(
        table.contains("SERVICE")
            && table.contains("infermesh-router")
            && table.contains("healthy"),
        "{table}"
    );

    let ports = env.run(&["--json", "ports"]).ok().json();
    let list = ports["ports"].as_array().unwrap();
    let router = list
        .iter()
        .find(|p| p["service"] == "infermesh-router")
        .unwrap();
    assert_eq!(router["url"], "http://127.0.0.1:41004");
    let env_lines = env.run(&["ports", "--env"]).ok().stdout;
    assert!(
        env_lines
            .lines()
            .any(|l| l == "REDIS_URL=redis://127.0.0.1:41000"),
        "{env_lines}"
    );
    assert!(
        env_lines
            .lines()
            .any(|l| l == "INFERMESH_ROUTER_URL=http://127.0.0.1:41004"),
        "{env_lines}"
    );

    // A second `up` leaves the healthy stack alone.
    let start = Instant::now();
    let again = env
        .run(&["--json", "up", "--services", "infermesh-router"])
        .ok()
        .json();
    let elapsed = start.elapsed();
    for s in services_of(&again) {
        assert_eq!(s["action"], "unchanged", "{s}");
    }
    assert!(
        elapsed < Duration::from_secs(5),
        "idempotent up took {elapsed:?}"
    );

    // The state file mirrors it.
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.home().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(state["schema_version"], 1);
    assert_eq!(
        state["projects"][&env.project]["services"]
            .as_object()
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn down_stops_dependents_first_and_is_idempotent() {
    let env = Env::new("down").with_services(&test_stack(41100));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "infermesh-router,reddb"])
        .ok();

    // Stopping redis takes what needs it along, and leaves reddb running.
    let doc = env
        .run(&["--json", "down", "--services", "redis"])
        .ok()
        .json();
    let removed: BTreeSet<_> = doc["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        removed,
        BTreeSet::from(
            [
                "infermesh-node-a",
                "infermesh-node-b",
                "infermesh-router",
                "redis"
            ]
            .map(String::from)
        )
    );
    assert_eq!(doc["network_removed"], false);
    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["service"], "reddb");

    let start = Instant::now();
    let doc = env.run(&["--json", "down"]).ok().json();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "down took {:?} (init should forward SIGTERM)",
        start.elapsed()
    );
    assert_eq!(doc["removed"].as_array().unwrap().len(), 1);
    assert_eq!(doc["network_removed"], true);
    assert_eq!(
        docker(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=dspy-agent.project={}", env.project)
        ]),
        ""
    );
    // Idempotent.
    let doc = env.run(&["--json", "down"]).ok().json();
    assert_eq!(doc["removed"].as_array().unwrap().len(), 0);
}

#[test]
fn volumes_survive_down_unless_asked() {
    let stack = test_stack(41150)
        + "\n[services.redis]\nimage = \"dspy-test/redis:latest\"\nports = [\"41150:6379\"]\nvolumes = [\"data:/data\"]\n";
    let env = Env::new("volumes").with_services(&stack.replacen(
        "[services.redis]\nimage = \"dspy-test/redis:latest\"\nports = [\"41150:6379\"]\n\n",
        "",
        1,
    ));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "redis"]).ok();
    let volume = format!("{}_redis_data", env.project);
    docker(&["volume", "inspect", &volume]);
    env.run(&["down"]).ok();
    docker(&["volume", "inspect", &volume]);
    let doc = env.run(&["--json", "down", "--volumes"]).ok().json();
    assert_eq!(doc["volumes_removed"], serde_json::json!([volume]));
    assert!(
        Command::new("docker")
            .args(["volume", "inspect", &volume])
            .output()
            .unwrap()
            .status
            .code()
            != Some(0)
    );
}

#[test]
fn logs_are_merged_and_followed_into_later_services() {
    let env = Env::new("logs").with_services(&test_stack(41200));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "infermesh-node-a"]).ok();

    let out = env.run(&["logs"]).ok().stdout;
    assert!(
        out.lines()
            .any(|l| l.starts_with("redis ") && l.contains("Ready to accept connections")),
        "{out}"
    );
    // busybox httpd -v logged the health probe's request.
    assert!(
        out.lines()
            .any(|l| l.starts_with("infermesh-node-a |") && l.contains("response:200")),
        "{out}"
    );
    let prefix_width = out
        .lines()
        .map(|l| l.find(" | ").unwrap())
        .collect::<BTreeSet<_>>();
    assert_eq!(prefix_width.len(), 1, "names are not aligned:\n{out}");

    let json = env
        .run(&["--json", "logs", "--service", "redis", "-n", "2"])
        .ok()
        .stdout;
    let lines: Vec<Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{json}");
    for l in &lines {
        assert_eq!(l["service"], "redis");
        assert!(l["stream"] == "stdout" || l["stream"] == "stderr");
        assert!(l["timestamp"].as_str().unwrap().starts_with("20"));
        assert!(l["message"].is_string());
    }

    // Follow: a service started after `logs -f` began shows up.
    let mut follow = env
        .command(&["logs", "-f", "-n", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Wait until `logs -f` follows: a request to node-a (port 41202) shows up in its output.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        if let Ok(mut conn) = std::net::TcpStream::connect("127.0.0.1:41202") {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = conn.write_all(b"GET /health HTTP/1.0\r\n\r\n");
            let _ = conn.read_to_end(&mut Vec::new());
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.starts_with("infermesh-node-a ") => break,
            Ok(line) => seen.push(line),
            Err(_) => assert!(
                Instant::now() < deadline,
                "`logs -f` never showed node-a's new lines: {seen:?}"
            ),
        }
    }
    env.run(&["up", "--services", "reddb"]).ok();
    let deadline = Instant::now() + Duration::from_secs(15);
    let found = loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                let hit = line.starts_with("reddb ") && line.contains("response:200");
                seen.push(line);
                if hit {
                    break true;
                }
            }
            Err(_) if Instant::now() > deadline => break false,
            Err(_) => {}
        }
    };
    // Ctrl-C ends it cleanly.
    let _ = Command::new("kill")
        .args(["-INT", &follow.id().to_string()])
        .status();
    let status = follow.wait().unwrap();
    assert!(found, "reddb's lines never appeared in `logs -f`: {seen:?}");
    assert!(status.success(), "logs -f after SIGINT: {status:?}");
}

#[test]
fn busy_host_port_is_moved_aside_and_recorded() {
    let holder = TcpListener::bind("127.0.0.1:41300").expect("test port 41300 free");
    let env = Env::new("busyport").with_services(&test_stack(41300));
    let _cleanup = Cleanup(&env);
    let out = env.run(&["--json", "up", "--services", "redis"]).ok();
    let doc = out.json();
    let services = services_of(&doc);
    let redis = find(&services, "redis");
    let remap = &redis["remapped"][0];
    assert_eq!(remap["requested"], 41300);
    let actual = remap["actual"].as_u64().unwrap();
    assert!(actual > 41300 && actual <= 41400, "{remap}");
    assert_eq!(redis["health"], "healthy");
    assert!(
        out.stderr.contains("port_remapped"),
        "no remap event: {}",
        out.stderr
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.home().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["projects"][&env.project]["services"]["redis"]["remapped"][0]["actual"],
        actual
    );
    let env_lines = env.run(&["ports", "--env"]).ok().stdout;
    assert!(
        env_lines.contains(&format!("REDIS_URL=redis://127.0.0.1:{actual}")),
        "{env_lines}"
    );
    // The human form says so on stderr.
    env.run(&["down"]).ok();
    let out = env.run(&["up", "--services", "redis"]).ok();
    assert!(
        out.stderr.contains("host port 41300 is busy"),
        "{}",
        out.stderr
    );
    // Once the port is free, a recreate takes it back and the remap record goes away.
    drop(holder);
    let doc = env
        .run(&["--json", "up", "--services", "redis", "--recreate"])
        .ok()
        .json();
    assert_eq!(
        find(&services_of(&doc), "redis")["ports"][0]["host_port"],
        41300
    );
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.home().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(
        state["projects"][&env.project]["services"]["redis"]["remapped"],
        serde_json::json!([])
    );
}

#[test]
fn killed_or_removed_containers_show_in_ps_and_up_heals_them() {
    let env = Env::new("heal").with_services(&test_stack(41400));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "reddb,redis"]).ok();
    docker(&["kill", &format!("{}-reddb", env.project)]);
    docker(&["rm", "-f", &format!("{}-redis", env.project)]);

    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    let reddb = find(&rows, "reddb");
    assert_eq!(reddb["state"], "exited");
    assert_eq!(reddb["health"], "unhealthy");
    assert_eq!(find(&rows, "redis")["state"], "removed");
    // The state file was repaired: the removed one is forgotten.
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.home().join("state.json")).unwrap())
            .unwrap();
    assert!(
        state["projects"][&env.project]["services"]
            .get("redis")
            .is_none(),
        "{state}"
    );
    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    assert_eq!(rows.len(), 1);

    let doc = env
        .run(&["--json", "up", "--services", "reddb,redis"])
        .ok()
        .json();
    let services = services_of(&doc);
    assert_eq!(find(&services, "reddb")["action"], "recreated");
    assert_eq!(find(&services, "redis")["action"], "created");
    for row in services_of(&env.run(&["--json", "ps"]).ok().json()) {
        assert_eq!(row["state"], "running");
        assert_eq!(row["health"], "healthy");
    }
}

#[test]
fn a_changed_definition_is_recreated_and_nothing_else() {
    let env = Env::new("changed").with_services(&test_stack(41500));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "reddb,redis"]).ok();
    let changed = test_stack(41500) + "\n[services.reddb.resources]\nmemory = \"64m\"\n";
    std::fs::write(env.services_file.as_ref().unwrap(), changed).unwrap();
    let doc = env
        .run(&["--json", "up", "--services", "reddb,redis"])
        .ok()
        .json();
    let services = services_of(&doc);
    assert_eq!(find(&services, "reddb")["action"], "recreated");
    assert_eq!(find(&services, "redis")["action"], "unchanged");
    // The recreated container keeps its host port (the old one freed it).
    assert_eq!(find(&services, "reddb")["ports"][0]["host_port"], 41501);
    assert_eq!(find(&services, "reddb")["remapped"], serde_json::json!([]));
    assert_eq!(
        docker(&[
            "inspect",
            "-f",
            "{{.HostConfig.Memory}}",
            &format!("{}-reddb", env.project)
        ]),
        (64u64 << 20).to_string()
    );
    // --recreate forces it.
    let doc = env
        .run(&["--json", "up", "--services", "redis", "--recreate"])
        .ok()
        .json();
    assert_eq!(find(&services_of(&doc), "redis")["action"], "recreated");
    assert_eq!(
        find(&services_of(&doc), "redis")["ports"][0]["host_port"],
        41500
    );
}

#[test]
fn unhealthy_service_exits_3_with_chain_and_log_tail() {
    let stack = test_stack(41600)
        + "\n[services.infermesh-node-a.health]\npath = \"/missing\"\ntimeout_s = 2\n";
    let env = Env::new("unhealthy").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let out = env
        .run(&["--json", "up", "--services", "infermesh-router,reddb"])
        .code(3);
    let doc = out.json();
    assert_eq!(doc["ok"], false);
    let failed = &doc["failed"];
    assert_eq!(failed["service"], "infermesh-node-a");
    assert_eq!(
        failed["chain"],
        serde_json::json!(["infermesh-router", "infermesh-node-a"])
    );
    assert!(
        failed["reason"].as_str().unwrap().contains("404"),
        "{failed}"
    );
    let tail = failed["log_tail"].as_array().unwrap();
    assert!(!tail.is_empty() && tail.len() <= 20, "{tail:?}");
    assert!(
        tail.iter()
            .any(|l| l.as_str().unwrap().contains("response:404")),
        "{tail:?}"
    );
    assert_eq!(doc["skipped"], serde_json::json!(["infermesh-router"]));

    // The healthy part keeps running.
    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    assert_eq!(find(&rows, "redis")["health"], "healthy");
    assert_eq!(find(&rows, "reddb")["health"], "healthy");
    assert!(rows.iter().all(|r| r["service"] != "infermesh-router"));

    // Without --json: the same facts on stderr.
    let out = env.run(&["up", "--services", "infermesh-node-a"]).code(3);
    assert!(
        out.stderr.contains("service `infermesh-node-a` failed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("log lines of `infermesh-node-a`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_container_that_exits_fails_fast() {
    let stack = test_stack(41650)
        + "\n[services.broken]\nimage = \"dspy-test/busybox:latest\"\ncommand = [\"sh\", \"-c\", \"echo starting; echo cannot open config >&2; exit 7\"]\nports = [\"41659:8080\"]\n[services.broken.health]\nkind = \"http\"\ntimeout_s = 60\n";
    let env = Env::new("exits").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let start = Instant::now();
    let doc = env
        .run(&["--json", "up", "--services", "broken"])
        .code(3)
        .json();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "waited for the timeout: {:?}",
        start.elapsed()
    );
    let failed = &doc["failed"];
    assert!(
        failed["reason"].as_str().unwrap().contains("code 7"),
        "{failed}"
    );
    let tail: Vec<&str> = failed["log_tail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(tail.contains(&"cannot open config"), "{tail:?}");
}

#[test]
fn missing_images_are_clear_errors() {
    let stack = test_stack(41700) + "\n[services.ghost]\nimage = \"dspy-test/does-not-exist:1\"\n";
    let env = Env::new("noimage").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let out = env.run(&["up", "--services", "ghost", "--no-pull"]).code(1);
    assert!(
        out.stderr.contains("dspy-test/does-not-exist:1") && out.stderr.contains("ghost"),
        "{}",
        out.stderr
    );
    // No registry is reachable here: the pull fails, naming image and service.
    let out = env.run(&["up", "--services", "ghost"]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("dspy-test/does-not-exist:1") && out.stderr.contains("ghost"),
        "{}",
        out.stderr
    );
}

const GPU_SERVICES: &str = "\n[services.wants-gpu]\nimage = \"dspy-test/busybox:latest\"\ngpu = \"auto\"\n[services.needs-gpu]\nimage = \"dspy-test/busybox:latest\"\ngpu = \"required\"\n";

#[test]
fn gpu_auto_starts_on_cpu_and_required_is_refused_without_a_gpu() {
    if dspy_agent::gpu::nvidia_gpu_count() > 0 {
        // A GPU host checks passthrough instead (the assertions below are about machines
        // without a driver).
        return gpus_are_passed_through_where_the_engine_can();
    }
    let stack = test_stack(41800) + GPU_SERVICES;
    let env = Env::new("gpu").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let out = env.run(&["--json", "up", "--services", "wants-gpu"]).ok();
    assert!(
        out.stderr.contains("no NVIDIA GPU available"),
        "{}",
        out.stderr
    );
    let doc = out.json();
    assert_eq!(find(&services_of(&doc), "wants-gpu")["gpu"], false);
    assert_eq!(
        docker(&[
            "inspect",
            "-f",
            "{{json .HostConfig.DeviceRequests}}",
            &format!("{}-wants-gpu", env.project)
        ]),
        "null"
    );
    let out = env.run(&["up", "--services", "needs-gpu"]).code(1);
    assert!(
        out.stderr.contains("requires an NVIDIA GPU"),
        "{}",
        out.stderr
    );
}

/// Only on a host with an NVIDIA driver. Where the engine can pass GPUs through (the NVIDIA
/// container toolkit), both services get every GPU and the container sees the devices; where it
/// cannot, `auto` falls back to the CPU with a warning and `required` fails, naming the service.
fn gpus_are_passed_through_where_the_engine_can() {
    let stack = test_stack(41850) + GPU_SERVICES;
    let env = Env::new("gpuhost")
        .with_services(&stack)
        .env("DSPY_AGENT_GPU", "true");
    let _cleanup = Cleanup(&env);
    // The engine's own answer decides which case this host is.
    let engine_can = Command::new("docker")
        .args([
            "run",
            "--rm",
            "--gpus",
            "all",
            "dspy-test/busybox:latest",
            "true",
        ])
        .output()
        .expect("docker CLI")
        .status
        .success();
    let device_requests = |service: &str| -> Value {
        let json = docker(&[
            "inspect",
            "-f",
            "{{json .HostConfig.DeviceRequests}}",
            &format!("{}-{service}", env.project),
        ]);
        serde_json::from_str(&json).unwrap()
    };
    if engine_can {
        for service in ["needs-gpu", "wants-gpu"] {
            let out = env.run(&["--json", "up", "--services", service]).ok();
            assert!(!out.stderr.contains("on CPU"), "{}", out.stderr);
            assert_eq!(find(&services_of(&out.json()), service)["gpu"], true);
            let requests = device_requests(service);
            assert_eq!(requests[0]["Driver"], "nvidia", "{requests}");
            assert_eq!(requests[0]["Count"], -1, "{requests}");
            assert_eq!(
                requests[0]["Capabilities"],
                serde_json::json!([["gpu"]]),
                "{requests}"
            );
            let devices = docker(&["exec", &format!("{}-{service}", env.project), "ls", "/dev"]);
            assert!(
                devices.lines().any(|d| d.starts_with("nvidia")),
                "no NVIDIA device in the container's /dev: {devices}"
            );
        }
    } else {
        let out = env.run(&["--json", "up", "--services", "wants-gpu"]).ok();
        assert!(
            out.stderr.contains("Docker cannot pass GPUs through"),
            "{}",
            out.stderr
        );
        assert_eq!(find(&services_of(&out.json()), "wants-gpu")["gpu"], false);
        assert_eq!(device_requests("wants-gpu"), Value::Null);
        let out = env.run(&["up", "--services", "needs-gpu"]).code(1);
        assert!(
            out.stderr.contains("service `needs-gpu` failed"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn twenty_concurrent_invocations_leave_a_consistent_state() {
    // Twenty services, each started by its own process at the same moment, in one home and
    // project: every process writes state.json under the lock; none may lose another's entry.
    let mut stack = String::new();
    for i in 0..20 {
        stack += &format!(
            "[services.s{i}]\nimage = \"dspy-test/busybox:latest\"\nports = [\"{}:8080\"]\n[services.s{i}.health]\nkind = \"http\"\npath = \"/health\"\n\n",
            41900 + i
        );
    }
    let env = Env::new("twenty").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let children: Vec<_> = (0..20)
        .map(|i| {
            env.command(&["up", "--services", &format!("s{i}")])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Readers at the same time must never see a torn file.
    let readers: Vec<_> = (0..5)
        .map(|_| {
            env.command(&["--json", "ps"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for r in readers {
        let out = r.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).expect("ps --json during writes");
    }
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(env.home().join("state.json")).unwrap())
            .expect("valid JSON");
    let entries = state["projects"][&env.project]["services"]
        .as_object()
        .unwrap();
    assert_eq!(entries.len(), 20, "{state}");
    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|r| r["health"] == "healthy"));
    // No temp files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(env.home())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn concurrent_ups_of_the_same_services_all_succeed() {
    // Scripts bringing up the same stack at once: one creates each container, the others
    // wait for it instead of failing on Docker's name conflict.
    let env = Env::new("sameup").with_services(&test_stack(42000));
    let _cleanup = Cleanup(&env);
    let children: Vec<_> = (0..6)
        .map(|_| {
            env.command(&["--json", "up", "--services", "redis,reddb"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ids = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        for s in services_of(&doc) {
            assert_eq!(s["health"], "healthy");
            ids.insert(s["container_id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 2, "one container per service: {ids:?}");
}

#[test]
fn a_service_recreated_from_another_home_shows_once() {
    let env = Env::new("twohomes").with_services(&test_stack(42100));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "redis"]).ok();
    // Same project, another home: it recreates the container the first home recorded.
    let other = tempfile::tempdir().unwrap();
    let mut cmd = env.command(&["up", "--services", "redis", "--recreate"]);
    cmd.arg("--home").arg(other.path());
    assert!(cmd.status().unwrap().success());
    let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["state"], "running");
}

#[test]
fn config_ports_move_a_service_and_config_services_says_so() {
    let env = Env::new("cfgports").with_services(&test_stack(42200));
    let _cleanup = Cleanup(&env);
    std::fs::write(env.home().join("config.toml"), "[ports]\nredis = 42250\n").unwrap();
    let doc = env.run(&["--json", "config", "services"]).ok().json();
    let redis = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "redis")
        .unwrap()
        .clone();
    assert_eq!(redis["ports"][0]["host"], 42250);
    let doc = env
        .run(&["--json", "up", "--services", "redis"])
        .ok()
        .json();
    assert_eq!(
        find(&services_of(&doc), "redis")["ports"][0]["host_port"],
        42250
    );
}

#[tokio::test]
async fn engine_failures_come_back_as_typed_errors() {
    use dspy_agent::runtime::{ContainerSpec, ErrorKind, LABEL_PROJECT, Runtime};
    let env = Env::new("typed");
    let _cleanup = Cleanup(&env);
    let host = std::env::var("DOCKER_HOST").unwrap_or("unix:///var/run/docker.sock".into());
    let rt = Runtime::connect(&host).await.unwrap();
    let spec = |suffix: &str| ContainerSpec {
        name: format!("{}-{suffix}", env.project),
        image: "dspy-test/busybox:latest".into(),
        command: None,
        env: Default::default(),
        labels: [(LABEL_PROJECT.to_string(), env.project.clone())].into(),
        ports: vec![],
        host_ip: "127.0.0.1".into(),
        volumes: vec![],
        network: None,
        aliases: vec![],
        init: true,
        nano_cpus: None,
        memory: None,
        gpus: false,
        gpu_device_ids: vec![],
        auto_remove: false,
        keep_on_start_failure: false,
    };

    // Another process created the same name first.
    rt.create_and_start(&spec("twice")).await.unwrap();
    let err = rt.create_and_start(&spec("twice")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NameInUse, "{err}");

    // Something outside Docker took the host port after the allocator looked.
    // A port the kernel picks (a fixed one in the ephemeral range can be some connection's).
    let holder = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let taken = holder.local_addr().unwrap().port();
    let mut busy = spec("busy");
    busy.ports = vec![(8080, taken)];
    let err = rt.create_and_start(&busy).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::PortConflict, "{err}");
    drop(holder);

    // GPUs: started where the engine has the NVIDIA runtime, else NoGpuRuntime.
    let mut gpu = spec("gpu");
    gpu.gpus = true;
    match rt.create_and_start(&gpu).await {
        Ok(_) => assert!(dspy_agent::gpu::nvidia_gpu_count() > 0),
        Err(err) => assert_eq!(err.kind, ErrorKind::NoGpuRuntime, "{err}"),
    }

    // Not an engine address at all: a usage error (exit 2), not "unreachable".
    let err = Runtime::connect("docker.example:2375")
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::BadAddress, "{err}");
    let err = Runtime::connect("unix:///nonexistent/docker.sock")
        .await
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unreachable, "{err}");
}

#[test]
fn a_killed_main_process_is_restarted_by_docker_and_ps_shows_it() {
    // reddb is a default service (unless-stopped); `oneshot` is one the user adds (no).
    let stack = test_stack(44100)
        + "\n[services.oneshot]\nimage = \"dspy-test/busybox:latest\"\ncommand = [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\nports = [\"44109:8080\"]\n";
    let env = Env::new("restart").with_services(&stack);
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "reddb,oneshot"]).ok();
    let reddb = format!("{}-reddb", env.project);
    let oneshot = format!("{}-oneshot", env.project);
    assert_eq!(
        docker(&[
            "inspect",
            "-f",
            "{{.HostConfig.RestartPolicy.Name}}",
            &reddb
        ]),
        "unless-stopped"
    );
    // Docker's default, which reads as "" when none was set.
    let none = docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.RestartPolicy.Name}}",
        &oneshot,
    ]);
    assert!(none.is_empty() || none == "no", "{none}");
    // The main process (httpd, under the init process), killed from inside the container.
    for c in [&reddb, &oneshot] {
        docker(&["exec", c, "sh", "-c", "kill -9 $(pidof httpd)"]);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let rows = services_of(&env.run(&["--json", "ps"]).ok().json());
        let r = find(&rows, "reddb");
        let o = find(&rows, "oneshot");
        if r["restart_count"].as_i64() >= Some(1)
            && r["state"] == "running"
            && o["state"] == "exited"
        {
            assert_eq!(r["exit_code"], 137, "{r}");
            assert_eq!(o["restart_count"], 0, "{o}");
            assert_eq!(o["exit_code"], 137, "{o}");
            break;
        }
        assert!(Instant::now() < deadline, "not restarted: {rows:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The plain table has the columns too.
    let out = env.run(&["ps"]).ok();
    assert!(
        out.stdout.contains("RESTARTS") && out.stdout.contains("EXIT"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_crashing_service_with_a_restart_policy_still_fails_fast() {
    let stack = test_stack(44150)
        + "\n[services.crashy]\nimage = \"dspy-test/busybox:latest\"\nrestart = \"always\"\ncommand = [\"sh\", \"-c\", \"echo cannot open config >&2; exit 7\"]\nports = [\"44159:8080\"]\n[services.crashy.health]\nkind = \"http\"\ntimeout_s = 60\n";
    let env = Env::new("crashy").with_services(&stack);
    let _cleanup = Cleanup(&env);
    let start = Instant::now();
    let doc = env
        .run(&["--json", "up", "--services", "crashy"])
        .code(3)
        .json();
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "waited for the timeout: {:?}",
        start.elapsed()
    );
    let reason = doc["failed"]["reason"].as_str().unwrap();
    assert!(reason.contains("code 7"), "{reason}");
    let policy = docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.RestartPolicy.Name}}",
        &format!("{}-crashy", env.project),
    ]);
    assert_eq!(policy, "always");
}

#[test]
fn exec_runs_in_the_container_and_passes_its_exit_code() {
    let stack = test_stack(44200)
        + "\n[services.stopped]\nimage = \"dspy-test/busybox:latest\"\ncommand = [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\nports = [\"44209:8080\"]\n";
    let env = Env::new("exec").with_services(&stack);
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "reddb,stopped"]).ok();
    let out = env
        .run(&[
            "exec",
            "reddb",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; test -d /www && exit 3",
        ])
        .code(3);
    assert_eq!(out.stdout, "out\n");
    assert_eq!(out.stderr, "err\n");
    // Our stdin reaches the command, and its end ends the command's.
    let mut child = env
        .command(&["exec", "reddb", "--", "sh", "-c", "cat; tty || true"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\nnot a tty\n");
    // Under a terminal (a pty from `script`), the command gets one.
    let cmd = format!(
        "{} --home {} --project {} --services-file {} exec reddb -- tty",
        common::BIN,
        env.home().display(),
        env.project,
        env.services_file.as_ref().unwrap().display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("/dev/pts/"),
        "{:?} stdout {} stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // This terminal is raw only while the command runs: canonical mode (`icanon`) is back
    // afterwards. (The remote TTY's size is set too, but busybox's `stty size` cannot read a
    // Docker exec TTY's size here, even under `docker exec -it`.)
    let restored = format!("{cmd}; stty -a");
    let out = Command::new("script")
        .args(["-qec", &restored, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("/dev/pts/"), "{text}");
    assert!(
        text.contains(" icanon") && !text.contains("-icanon"),
        "{text}"
    );
    // A service that is not running: exit 1 naming it; an unknown one: exit 2.
    docker(&["stop", "-t", "1", &format!("{}-stopped", env.project)]);
    let out = env.run(&["exec", "stopped", "--", "true"]).code(1);
    assert!(
        out.stderr.contains("`stopped` is not running"),
        "{}",
        out.stderr
    );
    env.run(&["exec", "nosuch", "--", "true"]).code(2);
    // A command that does not exist: Docker's 126/127, not a crash.
    let out = env.run(&["exec", "reddb", "--", "/no/such/binary"]);
    assert!(out.code == 126 || out.code == 127, "{}", out.code);
}

#[test]
fn restart_brings_back_the_service_and_its_dependants_health_gated() {
    let env = Env::new("restartverb").with_services(&test_stack(44250));
    let _cleanup = Cleanup(&env);
    env.run(&["up", "--services", "infermesh-node-a,reddb"])
        .ok();
    let id_of =
        |rows: &[Value], s: &str| find(rows, s)["container_id"].as_str().unwrap().to_string();
    let before = services_of(&env.run(&["--json", "ps"]).ok().json());
    let doc = env
        .run(&["--json", "restart", "--services", "redis"])
        .ok()
        .json();
    let restarted: BTreeSet<String> = services_of(&doc)
        .iter()
        .map(|s| s["service"].as_str().unwrap().to_string())
        .collect();
    // node-a depends on redis and follows it; reddb does not and is left alone.
    assert_eq!(
        restarted,
        BTreeSet::from(["redis".to_string(), "infermesh-node-a".to_string()])
    );
    let after = services_of(&env.run(&["--json", "ps"]).ok().json());
    for s in ["redis", "infermesh-node-a"] {
        assert_ne!(id_of(&before, s), id_of(&after, s), "{s} was not recreated");
        assert_eq!(find(&after, s)["health"], "healthy");
    }
    assert_eq!(id_of(&before, "reddb"), id_of(&after, "reddb"));
    // An unknown service changes nothing: exit 2.
    env.run(&["restart", "--services", "nosuch"]).code(2);
}

#[test]
fn pull_of_an_unreachable_image_is_exit_1_naming_it() {
    // No registry listens on 127.0.0.1:1: the failure path, fast and offline.
    let stack = "[services.web]\nimage = \"127.0.0.1:1/dspy-test/none:1\"\n";
    let env = Env::new("pullfail").with_services(stack);
    let out = env.run(&["pull", "--services", "web"]).code(1);
    assert!(
        out.stderr.contains("service `web`") && out.stderr.contains("127.0.0.1:1/dspy-test/none:1"),
        "{}",
        out.stderr
    );
    let out = env.run(&["--json", "pull", "--services", "web"]).code(1);
    assert!(out.stdout.contains("\"error\""), "{}", out.stdout);
    env.run(&["pull", "--services", "nosuch"]).code(2);
}
