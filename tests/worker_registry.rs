//! Worker registration and visibility: real `serve` and real `dspy-agent worker` processes on
//! loopback. A worker registers when it starts; `workers --json`, GET /workers and /metrics
//! show it with its counts; a worker killed with SIGKILL becomes `lost`.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;
use serde_json::{Value, json};

use common::server::Server;

const CONFIG: &str = "[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n";

struct Worker {
    child: Child,
    _home: tempfile::TempDir,
}

impl Worker {
    fn start(s: &Server, token: &str, name: &str, extra: &[&str]) -> Worker {
        Worker::start_with(s, token, name, extra, &[])
    }

    fn start_with(
        s: &Server,
        token: &str,
        name: &str,
        extra: &[&str],
        envs: &[(&str, &std::path::Path)],
    ) -> Worker {
        let home = tempfile::tempdir().unwrap();
        let child = Command::new(common::BIN)
            .args(["worker", "--server", &s.orch, "--classes", "cpu_long"])
            .args(["--name", name])
            .args(extra)
            .envs(envs.iter().copied())
            .env("DSPY_AGENT_HOME", home.path())
            .env("DSPY_AGENT_TOKEN", token)
            .env_remove("DSPY_AGENT_TLS_CA")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Worker { child, _home: home }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpus_auto_offers_the_gpus_of_the_workers_own_inventory() {
    let s = Server::start(CONFIG);
    let token = s.token("pool", "worker");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gpus.json");
    let uuids = ["GPU-auto-0", "GPU-auto-1"];
    let gpus: Vec<Value> = uuids
        .iter()
        .map(|u| json!({"uuid": u, "name": "Simulated GPU", "memory_total_mb": 1024}))
        .collect();
    std::fs::write(&file, json!({ "gpus": gpus }).to_string()).unwrap();
    // The worker reads its own machine's inventory (here the simulated file), not the server's.
    let _w = Worker::start_with(
        &s,
        &token,
        "auto",
        &["--gpus", "auto"],
        &[("DSPY_AGENT_GPU_INVENTORY", &file)],
    );
    let w = wait_worker(&s, "auto", Duration::from_secs(20), |w| {
        w["state"] == "connected"
    });
    assert_eq!(w["gpus"], json!(uuids), "{w}");
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The worker called `name` in `workers --json`, once `ready` holds for it (or a panic).
fn wait_worker(s: &Server, name: &str, limit: Duration, ready: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        let listed = s.cli(&["workers", "--json"]).ok().json();
        let found = listed["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == name)
            .cloned();
        if let Some(w) = &found
            && ready(w)
        {
            return w.clone();
        }
        assert!(
            Instant::now() < deadline,
            "worker {name} not as expected: {listed}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn task(id: &str, command: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        class: "cpu_long".into(),
        payload_json: json!({ "command": command }).to_string(),
        max_attempts: 1,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_registers_and_is_listed_with_its_counts_and_metrics() {
    let s = Server::start(CONFIG);
    let token = s.token("pool", "worker");
    let _w = Worker::start(&s, &token, "reg-1", &["--concurrency", "3"]);
    let w = wait_worker(&s, "reg-1", Duration::from_secs(20), |w| {
        w["state"] == "connected"
    });
    assert_eq!(w["classes"], json!(["cpu_long"]));
    assert_eq!(w["concurrency"], 3);
    assert_eq!(w["version"], env!("CARGO_PKG_VERSION"));
    assert!(!w["host"].as_str().unwrap().is_empty(), "{w}");
    assert!(w["last_seen_ms"].as_u64().unwrap() > 0);

    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let mut tasks: Vec<_> = (0..5).map(|i| task(&format!("ok-{i}"), "true")).collect();
    tasks.extend((0..2).map(|i| task(&format!("bad-{i}"), "false")));
    c.submit_tasks(pb::SubmitTasksRequest { tasks })
        .await
        .unwrap();
    let w = wait_worker(&s, "reg-1", Duration::from_secs(30), |w| {
        w["tasks_done"] == 5 && w["tasks_failed"] == 2
    });
    assert_eq!(w["tasks_running"], 0, "{w}");

    // A long task shows as running in the listing and the metric.
    c.submit_task(task("slow", "sleep 30")).await.unwrap();
    wait_worker(&s, "reg-1", Duration::from_secs(20), |w| {
        w["tasks_running"] == 1
    });

    let reader = s.token("viewer", "read");
    let (code, body) = s.curl(Some(&reader), &[], "/workers");
    assert_eq!(code, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let w = &listed["workers"][0];
    assert_eq!(
        (
            &w["name"],
            &w["state"],
            &w["tasks_done"],
            &w["tasks_failed"]
        ),
        (&json!("reg-1"), &json!("connected"), &json!(5), &json!(2)),
        "{body}"
    );
    let (code, _) = s.curl(None, &[], "/workers");
    assert_eq!(code, 401, "GET /workers needs a token");

    let (code, metrics) = s.curl(Some(&reader), &[], "/metrics");
    assert_eq!(code, 200);
    assert!(metrics.contains("\nworkers_connected 1\n"), "{metrics}");
    assert!(
        metrics.contains("\nworker_tasks_running{worker=\"reg-1\"} 1\n"),
        "{metrics}"
    );
    // GetMetrics has the same families as /metrics.
    let samples = c
        .get_metrics(pb::GetMetricsRequest {
            metric_names: vec!["workers_connected".into(), "worker_tasks_running".into()],
        })
        .await
        .unwrap()
        .into_inner()
        .metrics;
    let value = |name: &str, worker: Option<&str>| {
        samples
            .iter()
            .find(|m| m.name == name && m.labels.get("worker").map(String::as_str) == worker)
            .map(|m| m.value)
    };
    assert_eq!(value("workers_connected", None), Some(1.0), "{samples:?}");
    assert_eq!(
        value("worker_tasks_running", Some("reg-1")),
        Some(1.0),
        "{samples:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_becomes_lost() {
    let s = Server::start(CONFIG);
    let token = s.token("pool", "worker");
    let mut w = Worker::start(&s, &token, "doomed", &["--lease-seconds", "1"]);
    wait_worker(&s, "doomed", Duration::from_secs(20), |w| {
        w["state"] == "connected"
    });
    w.child.kill().unwrap(); // SIGKILL: no goodbye
    w.child.wait().unwrap();
    // Lost once silent longer than its lease (1 s) plus its long poll (2 s).
    let lost = wait_worker(&s, "doomed", Duration::from_secs(15), |w| {
        w["state"] == "lost"
    });
    assert_eq!(lost["tasks_running"], 0);
    let reader = s.token("viewer", "read");
    let (_, metrics) = s.curl(Some(&reader), &[], "/metrics");
    assert!(metrics.contains("\nworkers_connected 0\n"), "{metrics}");
}
