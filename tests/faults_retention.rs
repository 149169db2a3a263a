//! Retention under a burst (issue 10, item 4): finished tasks stay readable for
//! `retention_min_age_s` whatever `retention_count` says, and across a restart; only the memory
//! budget evicts earlier, and then it is counted, logged once, shown by `serve status`, and the
//! evicted task answers NOT_FOUND / 404 with `expired` and its finish time.
//! A real `serve` process of the built binary, in a temporary home.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;
use dspy_agent::proto::orchestrator::orchestrator_service_client::OrchestratorServiceClient;
use tonic::transport::Channel;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

type Orch = OrchestratorServiceClient<Channel>;

/// A server process on free ports in its own home; killed on drop.
struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    project: String,
    orch: String,
    http: String,
}

impl Server {
    fn start(config: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let mut s = Server {
            child: None,
            dir,
            project: format!("ret-{}", std::process::id()),
            orch: String::new(),
            http: String::new(),
        };
        s.spawn();
        s
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("DSPY_AGENT_HOME", self.home())
            .env("DSPY_AGENT_PROJECT", &self.project)
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .env(
                "DSPY_AGENT_SERVICES_FILE",
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
            )
            .env_remove("ORCHESTRATOR_GRPC_ADDR")
            .env_remove("ENV_MANAGER_GRPC_ADDR")
            .env_remove("RUST_LOG")
            .env_remove("DSPY_AGENT_RETENTION_COUNT")
            .env_remove("DSPY_AGENT_RETENTION_AGE_S")
            .env_remove("DSPY_AGENT_RETENTION_MIN_AGE_S")
            .env_remove("DSPY_AGENT_RETENTION_MEMORY_BYTES")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    /// Start (again) on the same home and wait until state.json names this process.
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home().join("server.log"))
            .unwrap();
        let child = self
            .command()
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut child = child;
        let serve =
            common::wait_for_serve(&mut child, self.home(), Duration::from_secs(30), || {
                self.log()
            });
        self.child = Some(child);
        self.orch = serve["orchestrator_addr"].as_str().unwrap().into();
        self.http = serve["http_addr"].as_str().unwrap().into();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("server.log")).unwrap_or_default()
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    async fn client(&self) -> Orch {
        OrchestratorServiceClient::connect(format!("http://{}", self.orch))
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn quick(id: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: HashMap::from([("command".to_string(), r#"["true"]"#.to_string())]),
        class: String::new(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
        ..Default::default()
    }
}

async fn metric(c: &mut Orch, name: &str, label: Option<(&str, &str)>) -> f64 {
    c.get_metrics(pb::GetMetricsRequest {
        metric_names: vec![name.into()],
    })
    .await
    .unwrap()
    .into_inner()
    .metrics
    .iter()
    .filter(|m| m.name == name)
    .filter(|m| label.is_none_or(|(k, v)| m.labels.get(k).map(String::as_str) == Some(v)))
    .map(|m| m.value)
    .sum()
}

/// Wait until `n` attempts have completed.
async fn wait_completed(c: &mut Orch, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let done = metric(
            c,
            "orchestrator_task_attempts_finished_total",
            Some(("status", "completed")),
        )
        .await;
        if done as usize >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {done} of {n} tasks completed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status(c: &mut Orch, id: &str) -> Result<pb::TaskStatus, tonic::Status> {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .map(tonic::Response::into_inner)
}

/// Every task of the burst answers completed.
async fn all_readable(c: &mut Orch, ids: &[String]) {
    for id in ids {
        let t = status(c, id)
            .await
            .unwrap_or_else(|e| panic!("task {id} is gone within the minimum age: {e:?}"));
        assert_eq!(t.status, "completed", "{t:?}");
        assert_eq!(t.result.get("exit_code").map(String::as_str), Some("0"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_three_times_retention_count_keeps_every_result() {
    const COUNT: usize = 200;
    let mut s = Server::start(&format!("[scheduler]\nretention_count = {COUNT}\n"));
    let c = s.client().await;
    let ids: Vec<String> = (0..3 * COUNT).map(|i| format!("b{i}")).collect();
    // Eight submitters at once, as a burst of clients would.
    let mut submitters = Vec::new();
    for chunk in ids.chunks(ids.len() / 8 + 1) {
        let mut c = c.clone();
        let chunk = chunk.to_vec();
        submitters.push(tokio::spawn(async move {
            for id in chunk {
                c.submit_task(quick(&id)).await.unwrap();
            }
        }));
    }
    for h in submitters {
        h.await.unwrap();
    }
    let mut c = c;
    wait_completed(&mut c, ids.len(), Duration::from_secs(240)).await;
    all_readable(&mut c, &ids).await;
    assert_eq!(metric(&mut c, "tasks_evicted_total", None).await, 0.0);

    // The journal keeps what retention keeps: a restart still has every result.
    s.kill9();
    s.spawn();
    let mut c = s.client().await;
    all_readable(&mut c, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tiny_memory_budget_evicts_counted_logged_and_answered_as_expired() {
    let s = Server::start("[scheduler]\nretention_memory_bytes = 4096\n");
    let mut c = s.client().await;
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let n = 12;
    for i in 0..n {
        c.submit_task(quick(&format!("e{i}"))).await.unwrap();
        wait_completed(&mut c, i + 1, Duration::from_secs(60)).await;
    }
    let evicted = metric(&mut c, "tasks_evicted_total", None).await;
    assert!(evicted >= 1.0, "nothing evicted");
    assert!(evicted < n as f64, "all {evicted} evicted");
    // The newest is kept.
    assert_eq!(
        status(&mut c, &format!("e{}", n - 1)).await.unwrap().status,
        "completed"
    );

    // gRPC: NOT_FOUND, reason `expired`, and the finish time.
    let e = status(&mut c, "e0").await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    assert!(e.message().contains("expired"), "{e:?}");
    let md = e.metadata();
    assert_eq!(
        md.get("dspy-agent-reason").and_then(|v| v.to_str().ok()),
        Some("expired"),
        "{e:?}"
    );
    let at: u64 = md
        .get("dspy-agent-finished-at-ms")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no finish time: {e:?}"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(before <= at && at <= now, "{before} <= {at} <= {now}");

    // HTTP: 404 with `expired` and the same finish time.
    let r = reqwest::get(format!("http://{}/tasks/e0", s.http))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["expired"], true, "{body}");
    assert_eq!(body["finished_at_ms"], at, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("expired"),
        "{body}"
    );

    // A task that never existed is still a plain "no task".
    let e = status(&mut c, "never").await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    assert_eq!(e.message(), "no task never");
    assert!(e.metadata().get("dspy-agent-reason").is_none(), "{e:?}");

    // The Prometheus text has the counter too.
    let text = reqwest::get(format!("http://{}/metrics", s.http))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("tasks_evicted_total ") && !l.ends_with(" 0")),
        "{text}"
    );

    // `serve status` says so, in text and JSON.
    let out = s.command().args(["serve", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("retention") && l.contains("evicted")),
        "{text}"
    );
    let out = s
        .command()
        .args(["--json", "serve", "status"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["tasks"]["evicted"].as_f64(), Some(evicted), "{doc}");

    // Warned once in the log, however many were evicted.
    let log = s.log();
    assert_eq!(
        log.matches("outgrew scheduler.retention_memory_bytes")
            .count(),
        1,
        "{log}"
    );
}
