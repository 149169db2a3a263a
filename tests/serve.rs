//! `dspy-agent serve` as a black box: a real server process of the built binary on free ports
//! with a temporary home, driven by the generated tonic clients, HTTP and the CLI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::env_manager as em;
use dspy_agent::proto::orchestrator as pb;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

use common::Orch;

/// A server process and its home; killed (and its task containers removed) on drop.
struct Server {
    child: Option<Child>,
    home: PathBuf,
    _dir: Option<tempfile::TempDir>,
    project: String,
    orch: String,
    env: String,
    http: String,
    extra_env: Vec<(String, String)>,
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn base_cmd(home: &Path, project: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_PROJECT", project)
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("DSPY_AGENT_TOKEN")
        .env_remove("DSPY_AGENT_TLS_CA")
        .env_remove("ORCHESTRATOR_GRPC_ADDR")
        .env_remove("ENV_MANAGER_GRPC_ADDR")
        .env_remove("RUST_LOG");
    cmd
}

impl Server {
    fn start(config: &str) -> Server {
        Self::start_with_env(config, &[])
    }

    fn start_with_env(config: &str, extra_env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_path_buf();
        std::fs::write(home.join("config.toml"), config).unwrap();
        let mut s = Server {
            child: None,
            home,
            _dir: Some(dir),
            project: unique("sv"),
            orch: String::new(),
            env: String::new(),
            http: String::new(),
            extra_env: extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        s.spawn();
        s
    }

    /// Start (again) on the same home.
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home.join("server.log"))
            .unwrap();
        let child = base_cmd(&self.home, &self.project)
            .arg("serve")
            .env(
                "DSPY_AGENT_SERVICES_FILE",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
            )
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state: serde_json::Value = std::fs::read_to_string(self.home.join("state.json"))
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            if state["serve"]["pid"].as_u64() == Some(u64::from(pid)) {
                self.orch = state["serve"]["orchestrator_addr"].as_str().unwrap().into();
                self.env = state["serve"]["env_manager_addr"].as_str().unwrap().into();
                self.http = state["serve"]["http_addr"].as_str().unwrap().into();
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("server exited early ({status}): {}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "server did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("server.log")).unwrap_or_default()
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for a clean exit.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        unsafe {
            libc::kill(c.id() as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Reap a server that was told to stop some other way (`serve stop`).
    fn terminate_reaped(&mut self) -> std::process::ExitStatus {
        let mut c = self.child.take().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    async fn client(&self) -> Orch {
        common::orch(&self.orch, &self.home).await
    }

    async fn env_client(&self) -> common::EnvClient {
        common::env_manager(&self.env, &self.home).await
    }

    fn cli(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("DSPY_AGENT_HOME", &self.home)
            .env("DSPY_AGENT_PROJECT", &self.project)
            .env_remove("ORCHESTRATOR_GRPC_ADDR");
        cmd
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
        // Task and service containers of this test's project.
        if let Ok(out) = Command::new("docker")
            .args([
                "ps",
                "-aq",
                "--filter",
                &format!("label=dspy-agent.project={}", self.project),
            ])
            .output()
        {
            let ids = String::from_utf8_lossy(&out.stdout).to_string();
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let _ = Command::new("docker")
                    .args(["rm", "-f", "-v"])
                    .args(&ids)
                    .output();
            }
            let _ = Command::new("docker")
                .args(["network", "rm", &format!("{}_default", self.project)])
                .stderr(Stdio::null())
                .output();
        }
    }
}

fn payload(pairs: &[(&str, serde_json::Value)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn req(id: &str, p: HashMap<String, String>) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: p,
        class: String::new(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
        ..Default::default()
    }
}

fn sh(script: &str) -> HashMap<String, String> {
    payload(&[("command", serde_json::json!(["sh", "-c", script]))])
}

/// Poll until the task reaches a terminal status.
async fn wait_done(c: &mut Orch, id: &str) -> pb::TaskStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let t = c
            .get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
            .await
            .unwrap()
            .into_inner();
        if matches!(t.status.as_str(), "completed" | "failed" | "cancelled") {
            return t;
        }
        assert!(Instant::now() < deadline, "task {id} never finished: {t:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_status(c: &mut Orch, id: &str, status: &str) -> pb::TaskStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = c
            .get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
            .await
            .unwrap()
            .into_inner();
        if t.status == status {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "task {id} never became {status}: {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait until a metric (summed over its labels, or only those with `label`) satisfies `ok`.
async fn wait_metric(
    c: &mut Orch,
    name: &str,
    label: Option<(&str, &str)>,
    ok: impl Fn(f64) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v: f64 = c
            .get_metrics(pb::GetMetricsRequest {
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
            .sum();
        if ok(v) {
            return;
        }
        assert!(Instant::now() < deadline, "{name} stayed at {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn process_task_gets_payload_env_and_reports_its_result() {
    let s = Server::start("");
    let mut c = s.client().await;
    let script = r#"read -r line; echo "got $line"; echo "$DSPY_TASK_ID $DSPY_TASK_CLASS $DSPY_TASK_ATTEMPT" >&2; echo '{"answer": 42, "label": "ok"}'"#;
    let mut p = sh(script);
    p.insert("extra".into(), "\"x\"".into());
    let r = c.submit_task(req("p1", p)).await.unwrap().into_inner();
    assert!(r.created);
    assert_eq!(r.task_id, "p1");
    let t = wait_done(&mut c, "p1").await;
    assert_eq!(t.status, "completed", "{t:?}");
    assert_eq!(t.result["exit_code"], "0");
    assert_eq!(t.result["answer"], "42");
    assert_eq!(t.result["label"], "ok");
    assert!(t.result["stdout_tail"].contains("got {"), "{t:?}");
    assert!(t.result["stdout_tail"].contains("\"extra\":\"x\""), "{t:?}");
    assert_eq!(t.result["stderr_tail"].trim(), "p1 cpu_short 1");
    assert!(t.result.contains_key("duration_ms"));
    assert_eq!(t.executor, "process");

    // A string command runs through sh -c; a generated id when none is given.
    let r = c
        .submit_task(req(
            "",
            payload(&[("command", serde_json::json!("exit 0"))]),
        ))
        .await
        .unwrap()
        .into_inner();
    assert!(!r.task_id.is_empty());
    assert_eq!(wait_done(&mut c, &r.task_id).await.status, "completed");

    // Results stream: finished ones replayed first.
    let mut stream = c
        .stream_task_results(pb::StreamTaskResultsRequest {
            task_ids: vec!["p1".into()],
            include_completed: true,
        })
        .await
        .unwrap()
        .into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert_eq!(first.task_id, "p1");
    assert_eq!(first.result["answer"], "42");

    let list = c
        .list_tasks(pb::ListTasksRequest {
            status: "completed".into(),
            class: String::new(),
            limit: 0,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total, 2);
    let err = c
        .list_tasks(pb::ListTasksRequest {
            status: "bogus".into(),
            class: String::new(),
            limit: 0,
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);
}

#[tokio::test]
async fn submission_is_idempotent_and_validated() {
    let s = Server::start("[scheduler]\nmax_payload_bytes = 1000\n");
    let mut c = s.client().await;
    let p = payload(&[("data", serde_json::json!("value"))]);
    let a = c
        .submit_task(req("same", p.clone()))
        .await
        .unwrap()
        .into_inner();
    assert!(a.created);
    let b = c.submit_task(req("same", p)).await.unwrap().into_inner();
    assert!(!b.created);
    assert_eq!(
        b.status.unwrap().submitted_at_ms,
        a.status.unwrap().submitted_at_ms
    );
    let err = c
        .submit_task(req(
            "same",
            payload(&[("data", serde_json::json!("other"))]),
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::AlreadyExists);

    for bad in ["a/b", "..", "x y", &"z".repeat(129), "a\\b"] {
        let err = c.submit_task(req(bad, HashMap::new())).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad}");
    }
    assert!(
        c.submit_task(req(&"z".repeat(128), HashMap::new()))
            .await
            .is_ok()
    );
    for size in [2000, 3 << 20] {
        let big = payload(&[("blob", serde_json::json!("x".repeat(size)))]);
        let err = c.submit_task(req("big", big)).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument, "{size}");
        assert!(err.message().contains("limit"), "{}", err.message());
    }

    let mut slurm = req("s1", HashMap::new());
    slurm.class = "gpu_slurm".into();
    assert_eq!(
        c.submit_task(slurm).await.unwrap_err().code(),
        tonic::Code::FailedPrecondition
    );
    let mut unknown = req("u1", HashMap::new());
    unknown.class = "tpu".into();
    assert_eq!(
        c.submit_task(unknown).await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    let bad_cmd = payload(&[("command", serde_json::json!([1, 2]))]);
    assert_eq!(
        c.submit_task(req("bc", bad_cmd)).await.unwrap_err().code(),
        tonic::Code::InvalidArgument
    );
    let err = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "missing".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);
}

#[tokio::test]
async fn higher_priority_runs_first_then_fifo() {
    let s = Server::start("[scheduler.classes.cpu_long]\nconcurrency = 1\n");
    let mut c = s.client().await;
    let order = s.home.join("order.txt");
    let append = format!("echo $DSPY_TASK_ID >> {}", order.display());
    // The blocker holds the only slot until every other task is queued.
    let go = s.home.join("go");
    let mut blocker = req(
        "blocker",
        sh(&format!(
            "while [ ! -f {} ]; do sleep 0.02; done",
            go.display()
        )),
    );
    blocker.class = "cpu_long".into();
    c.submit_task(blocker).await.unwrap();
    wait_status(&mut c, "blocker", "running").await;
    for (id, prio) in [
        ("low-a", 0),
        ("low-b", 0),
        ("high", 5),
        ("mid", 1),
        ("low-c", 0),
    ] {
        let mut r = req(id, sh(&append));
        r.class = "cpu_long".into();
        r.priority = prio;
        c.submit_task(r).await.unwrap();
    }
    std::fs::write(&go, "").unwrap();
    wait_done(&mut c, "low-c").await;
    for id in ["low-a", "low-b", "high", "mid"] {
        wait_done(&mut c, id).await;
    }
    let got = std::fs::read_to_string(&order).unwrap();
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got, ["high", "mid", "low-a", "low-b", "low-c"]);
}

#[tokio::test]
async fn failures_retry_with_backoff_until_max_attempts() {
    let s = Server::start("[scheduler]\nretry_backoff_ms = 50\n");
    let mut c = s.client().await;
    let mut events = c
        .stream_events(pb::StreamEventsRequest {
            event_types: vec!["task_retrying".into()],
            since_timestamp: 0,
        })
        .await
        .unwrap()
        .into_inner();
    c.submit_task(req("always", sh("echo nope >&2; exit 7")))
        .await
        .unwrap();
    let t = wait_done(&mut c, "always").await;
    assert_eq!(t.status, "failed");
    assert_eq!(t.attempt, 3);
    assert_eq!(t.error, "exited with code 7");
    assert_eq!(t.result["exit_code"], "7");
    for attempt in ["1", "2"] {
        let e = events.message().await.unwrap().unwrap();
        assert_eq!(e.r#type, "task_retrying");
        assert_eq!(e.data["attempt"], attempt);
    }

    // Succeeds on the second attempt.
    c.submit_task(req("flaky", sh("[ \"$DSPY_TASK_ATTEMPT\" -ge 2 ]")))
        .await
        .unwrap();
    let t = wait_done(&mut c, "flaky").await;
    assert_eq!((t.status.as_str(), t.attempt), ("completed", 2));

    // An absurd timeout is bounded, not a crash.
    let mut huge = req("huge-timeout", sh("true"));
    huge.timeout_seconds = 1e300;
    c.submit_task(huge).await.unwrap();
    assert_eq!(wait_done(&mut c, "huge-timeout").await.status, "completed");

    // max_attempts 1: no retry.
    let mut once = req("once", sh("exit 1"));
    once.max_attempts = 1;
    c.submit_task(once).await.unwrap();
    let t = wait_done(&mut c, "once").await;
    assert_eq!((t.status.as_str(), t.attempt), ("failed", 1));
}

fn alive(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat.is_empty()
        && !stat
            .rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
}

#[tokio::test]
async fn cancel_kills_running_and_drops_queued_never_retried() {
    let s = Server::start("[scheduler.classes.cpu_long]\nconcurrency = 1\n");
    let mut c = s.client().await;
    let pidfile = s.home.join("pid");
    let mut running = req(
        "run",
        sh(&format!("echo $$ > {}; sleep 30", pidfile.display())),
    );
    running.class = "cpu_long".into();
    c.submit_task(running).await.unwrap();
    let mut queued = req("wait", sh("true"));
    queued.class = "cpu_long".into();
    c.submit_task(queued).await.unwrap();
    wait_status(&mut c, "run", "running").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let pid: i32 = loop {
        if let Some(p) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            break p;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // Queued first: it must never run.
    let r = c
        .cancel_task(pb::CancelTaskRequest {
            task_id: "wait".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.cancelled);
    assert_eq!(r.status.unwrap().status, "cancelled");
    let r = c
        .cancel_task(pb::CancelTaskRequest {
            task_id: "run".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.cancelled);
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "the cancelled process still runs"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The killed process's outcome has been taken back (its slot is free): a retry would
    // have happened by now.
    wait_metric(
        &mut c,
        "orchestrator_inflight_tasks",
        Some(("class", "cpu_long")),
        |v| v == 0.0,
    )
    .await;
    for (id, attempt) in [("run", 1), ("wait", 0)] {
        let t = c
            .get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (t.status.as_str(), t.attempt),
            ("cancelled", attempt),
            "{id}"
        );
    }
    // Cancelling a finished task changes nothing.
    let r = c
        .cancel_task(pb::CancelTaskRequest {
            task_id: "run".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!r.cancelled);
    assert_eq!(
        c.cancel_task(pb::CancelTaskRequest {
            task_id: "nope".into()
        })
        .await
        .unwrap_err()
        .code(),
        tonic::Code::NotFound
    );
}

#[tokio::test]
async fn timeout_kills_the_task_and_fails_it() {
    let s = Server::start("");
    let mut c = s.client().await;
    let mut r = req("slow", sh("sleep 20"));
    r.timeout_seconds = 0.3;
    r.max_attempts = 1;
    c.submit_task(r).await.unwrap();
    let t = wait_done(&mut c, "slow").await;
    assert_eq!(t.status, "failed");
    assert!(t.error.contains("timed out after 0.3s"), "{}", t.error);
    let d: u64 = t.result["duration_ms"].parse().unwrap();
    assert!((250..5000).contains(&d), "{d}");
}

#[tokio::test]
async fn leases_expire_and_redeliver_as_a_new_attempt() {
    let s = Server::start("");
    let mut c = s.client().await;
    let p = payload(&[
        ("data", serde_json::json!("value")),
        ("n", serde_json::json!(3)),
    ]);
    c.submit_task(req("task-1", p)).await.unwrap();
    let lease = |worker: &str, secs: f64, wait_ms: u32| pb::LeaseTasksRequest {
        worker_id: worker.into(),
        classes: vec![],
        max: 5,
        lease_seconds: secs,
        wait_ms,
        gpus: vec![],
    };
    let got = c
        .lease_tasks(lease("w1", 0.3, 0))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.tasks.len(), 1);
    let first = &got.tasks[0];
    assert_eq!((first.task_id.as_str(), first.attempt), ("task-1", 1));
    let body: serde_json::Value = serde_json::from_str(&first.payload_json).unwrap();
    assert_eq!(body, serde_json::json!({"data": "value", "n": 3}));
    let t = wait_status(&mut c, "task-1", "running").await;
    assert_eq!(t.worker_id, "w1");
    // Nothing else to lease meanwhile.
    assert!(
        c.lease_tasks(lease("w2", 1.0, 0))
            .await
            .unwrap()
            .into_inner()
            .tasks
            .is_empty()
    );

    // Expired: back in the queue as attempt 2, and the old lease is void.
    let again = c
        .lease_tasks(lease("w2", 30.0, 3000))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.tasks.len(), 1);
    let second = &again.tasks[0];
    assert_eq!((second.task_id.as_str(), second.attempt), ("task-1", 2));
    let stale = c
        .extend_lease(pb::ExtendLeaseRequest {
            task_id: "task-1".into(),
            lease_id: first.lease_id.clone(),
            lease_seconds: 10.0,
        })
        .await
        .unwrap_err();
    assert_eq!(stale.code(), tonic::Code::FailedPrecondition);
    let ext = c
        .extend_lease(pb::ExtendLeaseRequest {
            task_id: "task-1".into(),
            lease_id: second.lease_id.clone(),
            lease_seconds: 60.0,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ext.lease_expires_at_ms > second.lease_expires_at_ms);
    let done = c
        .complete_task(pb::CompleteTaskRequest {
            task_id: "task-1".into(),
            lease_id: second.lease_id.clone(),
            success: true,
            result: HashMap::from([("answer".to_string(), "42".to_string())]),
            error: String::new(),
            hand_back: false,
        })
        .await
        .unwrap()
        .into_inner();
    let st = done.status.unwrap();
    assert_eq!((st.status.as_str(), st.attempt), ("completed", 2));
    assert_eq!(st.result["answer"], "42");

    // A long poll wakes when a task arrives.
    let mut c2 = s.client().await;
    let waiter = tokio::spawn(async move {
        c2.lease_tasks(pb::LeaseTasksRequest {
            worker_id: "w3".into(),
            classes: vec!["cpu_long".into()],
            max: 1,
            lease_seconds: 5.0,
            wait_ms: 5000,
            gpus: vec![],
        })
        .await
        .unwrap()
        .into_inner()
    });
    // The worker is parked in its long poll before the task arrives.
    wait_metric(&mut c, "orchestrator_lease_waiters", None, |v| v == 1.0).await;
    let mut r = req("later", HashMap::new());
    r.class = "cpu_long".into();
    let t0 = Instant::now();
    c.submit_task(r).await.unwrap();
    let got = waiter.await.unwrap();
    assert_eq!(got.tasks[0].task_id, "later");
    assert!(t0.elapsed() < Duration::from_secs(2));
    // A failure reported by the worker is retried.
    let fail = c
        .complete_task(pb::CompleteTaskRequest {
            task_id: "later".into(),
            lease_id: got.tasks[0].lease_id.clone(),
            success: false,
            result: HashMap::new(),
            error: "worker broke".into(),
            hand_back: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(fail.status.unwrap().status, "queued");
}

#[tokio::test]
async fn kill_9_loses_no_acknowledged_task() {
    let mut s = Server::start("[scheduler.classes.cpu_short]\nconcurrency = 1\n");
    let mut c = s.client().await;
    c.submit_task(req("done-before", sh("echo '{\"v\": 1}'")))
        .await
        .unwrap();
    assert_eq!(wait_done(&mut c, "done-before").await.status, "completed");
    let marker = s.home.join("runs");
    c.submit_task(req(
        "running",
        sh(&format!(
            "echo $DSPY_TASK_ATTEMPT >> {}; sleep 1",
            marker.display()
        )),
    ))
    .await
    .unwrap();
    wait_status(&mut c, "running", "running").await;
    let mut acked = vec![];
    for i in 0..20 {
        let id = format!("q-{i}");
        c.submit_task(req(&id, payload(&[("i", serde_json::json!(i))])))
            .await
            .unwrap();
        acked.push(id);
    }
    for i in 0..3 {
        let id = format!("cmd-{i}");
        c.submit_task(req(&id, sh("true"))).await.unwrap();
        acked.push(id);
    }
    // Concurrent submissions (group commit), all acknowledged before the kill.
    let mut joins = vec![];
    for i in 0..50 {
        let mut c = c.clone();
        joins.push(tokio::spawn(async move {
            c.submit_task(req(&format!("burst-{i}"), HashMap::new()))
                .await
                .unwrap();
        }));
    }
    for j in joins {
        j.await.unwrap();
    }
    s.kill9();

    s.spawn();
    let mut c = s.client().await;
    let done = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "done-before".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.status, "completed");
    assert_eq!(done.result["v"], "1");
    for id in acked.iter().chain(
        (0..50)
            .map(|i| format!("burst-{i}"))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        c.get_task_status(pb::GetTaskStatusRequest {
            task_id: id.clone(),
        })
        .await
        .unwrap_or_else(|e| panic!("{id} was lost: {e}"));
    }
    // The interrupted task runs again as attempt 2, and the queued commands run.
    let t = wait_done(&mut c, "running").await;
    assert_eq!((t.status.as_str(), t.attempt), ("completed", 2), "{t:?}");
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "1\n2\n");
    for i in 0..3 {
        assert_eq!(
            wait_done(&mut c, &format!("cmd-{i}")).await.status,
            "completed"
        );
    }
    let queued = c
        .list_tasks(pb::ListTasksRequest {
            status: "queued".into(),
            class: String::new(),
            limit: 1000,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.total, 70);
}

#[tokio::test]
async fn metrics_pass_promtool_and_get_metrics_filters() {
    let s = Server::start("");
    let mut c = s.client().await;
    c.submit_task(req("m1", sh("exit 0"))).await.unwrap();
    let mut f = req("m2", sh("exit 1"));
    f.max_attempts = 1;
    c.submit_task(f).await.unwrap();
    wait_done(&mut c, "m1").await;
    wait_done(&mut c, "m2").await;
    let text = common::http(&s.home)
        .get(format!("http://{}/metrics", s.http))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "orchestrator_concurrency_limit{class=\"cpu_short\"} 4",
        "orchestrator_inflight_tasks",
        "orchestrator_task_errors_total{class=\"cpu_short\"} 1",
        "env_queue_depth",
        "gpu_wait_seconds",
        "env_error_rate 0.5",
        "orchestrator_task_duration_seconds_bucket",
        "orchestrator_queue_wait_seconds_count{class=\"cpu_short\"} 2",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert!(!text.contains("m1"), "no per-task labels");
    let path = s.home.join("metrics.txt");
    std::fs::write(&path, &text).unwrap();
    let out = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .expect("promtool (Debian package prometheus)");
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let m = c
        .get_metrics(pb::GetMetricsRequest {
            metric_names: vec!["orchestrator_task_errors_total".into()],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!m.metrics.is_empty());
    let all = c
        .get_metrics(pb::GetMetricsRequest {
            metric_names: vec!["tasks_pending".into(), "tasks_running".into()],
        })
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = all.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["tasks_pending", "tasks_running"]);
    assert!(
        m.metrics
            .iter()
            .all(|x| x.name == "orchestrator_task_errors_total")
    );
    let cpu = m
        .metrics
        .iter()
        .find(|x| x.labels.get("class").map(String::as_str) == Some("cpu_short"))
        .unwrap();
    assert_eq!(cpu.value, 1.0);
}

#[tokio::test]
async fn http_endpoints() {
    let s = Server::start("");
    let base = format!("http://{}", s.http);
    let http = common::http(&s.home);
    // SSE first, so it sees the submission live.
    let mut sse = http
        .get(format!("{base}/events?types=task_submitted"))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 200);
    let r = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(r#"{"task_id": "h1", "payload": {"command": ["echo", "hi"]}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["task_id"], "h1");
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.contains("\"h1\"") {
        let chunk = tokio::time::timeout_at(deadline.into(), sse.chunk())
            .await
            .expect("no SSE event")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: task_submitted"), "{seen}");

    let bad = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let msg: serde_json::Value = bad.json().await.unwrap();
    assert!(msg["error"].as_str().unwrap().contains("bad JSON"));
    let bad = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(r#"{"payload": [1]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let dup = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(r#"{"task_id": "h1", "payload": {"command": ["echo", "other"]}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let huge = format!("{{\"payload\": {{\"x\": \"{}\"}}}}", "y".repeat(2 << 20));
    // Its own connection: the server may answer 413 and close before reading it all.
    match common::http(&s.home)
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
    {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t: serde_json::Value = http
            .get(format!("{base}/tasks/h1"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if t["status"] == "completed" {
            assert_eq!(t["result"]["stdout_tail"], "hi\n");
            break;
        }
        assert!(Instant::now() < deadline, "{t}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        http.get(format!("{base}/tasks/unknown"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let r = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(r#"{"task_id": "h2", "class": "cpu_long", "payload": {"data": "value"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let q: serde_json::Value = http
        .get(format!("{base}/queue/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(q["classes"]["cpu_long"]["queued"], 1);
    let c: serde_json::Value = http
        .post(format!("{base}/tasks/h2/cancel"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (c["cancelled"].as_bool(), c["status"].as_str()),
        (Some(true), Some("cancelled"))
    );
    assert_eq!(
        http.post(format!("{base}/tasks/zz/cancel"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let h: serde_json::Value = http
        .get(format!("{base}/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "SERVING");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn events_filter_and_replay_since_timestamp() {
    let s = Server::start("");
    let mut c = s.client().await;
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    c.submit_task(req("e1", sh("true"))).await.unwrap();
    wait_done(&mut c, "e1").await;
    let mut replay = c
        .stream_events(pb::StreamEventsRequest {
            event_types: vec!["task_completed".into(), "task_submitted".into()],
            since_timestamp: t0,
        })
        .await
        .unwrap()
        .into_inner();
    let a = replay.message().await.unwrap().unwrap();
    let b = replay.message().await.unwrap().unwrap();
    assert_eq!(
        (a.r#type.as_str(), a.task_id.as_str()),
        ("task_submitted", "e1")
    );
    assert_eq!(
        (b.r#type.as_str(), b.task_id.as_str()),
        ("task_completed", "e1")
    );
    assert!(b.sequence > a.sequence);
    // Then live.
    c.submit_task(req("e2", HashMap::new())).await.unwrap();
    let live = replay.message().await.unwrap().unwrap();
    assert_eq!(
        (live.r#type.as_str(), live.task_id.as_str()),
        ("task_submitted", "e2")
    );
}

#[tokio::test]
async fn health_workflows_and_second_server() {
    let s = Server::start("");
    let mut c = s.client().await;
    let h = c.health(pb::HealthRequest {}).await.unwrap().into_inner();
    assert_eq!(h.status, "SERVING");
    assert_eq!(h.version, env!("CARGO_PKG_VERSION"));
    assert!(h.services.is_empty(), "{h:?}");
    // The workflow RPCs answer (tests/workflows.rs tests them in depth).
    let e = c
        .create_workflow(pb::CreateWorkflowRequest::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert_eq!(
        c.start_workflow_run(pb::StartWorkflowRunRequest::default())
            .await
            .unwrap_err()
            .code(),
        tonic::Code::NotFound
    );
    assert_eq!(
        c.stream_workflow_status(pb::StreamWorkflowStatusRequest::default())
            .await
            .unwrap_err()
            .code(),
        tonic::Code::NotFound
    );

    // A second server on the same home refuses and names the first.
    let out = base_cmd(&s.home, &s.project).arg("serve").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already running") && err.contains(&s.pid().to_string()),
        "{err}"
    );

    // serve status names the addresses.
    let out = s
        .cli()
        .args(["serve", "status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["orchestrator_addr"], s.orch.as_str());
    assert_eq!(doc["status"], "SERVING");
    assert_eq!(doc["tasks"]["pending"], 0);
    let r = common::http(&s.home)
        .get(format!("http://{}/workflows", s.http))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn sigterm_lets_running_tasks_finish_and_keeps_the_rest() {
    let mut s = Server::start("[scheduler.classes.cpu_short]\nconcurrency = 1\n");
    let mut c = s.client().await;
    c.submit_task(req("finishing", sh("sleep 0.5; echo '{\"ok\": true}'")))
        .await
        .unwrap();
    wait_status(&mut c, "finishing", "running").await;
    c.submit_task(req("kept", sh("true"))).await.unwrap();
    let status = s.terminate();
    assert!(status.success(), "{status}: {}", s.log());
    let state = std::fs::read_to_string(s.home.join("state.json")).unwrap();
    assert!(!state.contains("\"serve\""), "{state}");

    s.spawn();
    let mut c = s.client().await;
    let t = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "finishing".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((t.status.as_str(), t.attempt), ("completed", 1));
    assert_eq!(t.result["ok"], "true");
    let t = wait_done(&mut c, "kept").await;
    assert_eq!((t.status.as_str(), t.attempt), ("completed", 1));
}

#[tokio::test]
async fn cli_submit_wait_tasks_and_orchestrator_down() {
    let s = Server::start("");
    let out = s
        .cli()
        .args(["submit", "--id", "c1", "--wait", "--json", "--payload"])
        .arg(r#"{"command": ["sh", "-c", "echo '{\"x\": 1}'"]}"#)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "completed");
    assert_eq!(doc["result"]["x"], "1");

    let mut child = s
        .cli()
        .args([
            "submit",
            "--id",
            "c2",
            "--max-attempts",
            "1",
            "--wait",
            "--payload-file",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"command": "exit 4"}"#)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = s
        .cli()
        .args(["submit", "--payload", "[1]"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = s.cli().args(["tasks", "--json"]).output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["total"], 2);
    let out = s.cli().args(["tasks", "show", "c2"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("exited with code 4"));
    let out = s
        .cli()
        .args([
            "submit",
            "--id",
            "c3",
            "--class",
            "cpu_long",
            "--payload",
            "{\"data\": 1}",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "c3");
    let out = s.cli().args(["tasks", "cancel", "c3"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("cancelled c3"));

    // Another home with no server: exit 5 and the hint.
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .env("DSPY_AGENT_HOME", empty.path())
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:1")
        .args(["submit", "--payload", "{}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dspy-agent serve --detach"));
}

#[tokio::test]
async fn detach_status_stop() {
    let dir = tempfile::tempdir().unwrap();
    let project = unique("dt");
    let out = base_cmd(dir.path(), &project)
        .args(["serve", "--detach", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pid = doc["pid"].as_u64().unwrap() as i32;
    let guard = scopeguard(pid);
    assert!(Path::new(doc["log_file"].as_str().unwrap()).exists());
    let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
    assert!(state.contains(&format!("\"pid\": {pid}")), "{state}");
    let out = base_cmd(dir.path(), &project)
        .args(["serve", "stop", "--timeout", "20", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!alive(pid));
    // One shape, whether or not a server was running.
    let keys = |doc: &serde_json::Value| -> Vec<String> {
        doc.as_object().unwrap().keys().cloned().collect()
    };
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        keys(&doc),
        ["schema_version", "was_running", "stopped", "pid", "killed"]
    );
    assert_eq!(
        (&doc["was_running"], &doc["stopped"], &doc["killed"]),
        (
            &serde_json::json!(true),
            &serde_json::json!(true),
            &serde_json::json!(false)
        )
    );
    assert_eq!(doc["pid"], pid);
    let out = base_cmd(dir.path(), &project)
        .args(["serve", "stop", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let none: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(keys(&none), keys(&doc));
    assert_eq!(
        none,
        serde_json::json!({"schema_version": 1, "was_running": false, "stopped": false, "pid": null, "killed": false})
    );
    let out = base_cmd(dir.path(), &project)
        .args(["serve", "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    drop(guard);
}

/// After a crash the pid in state.json may belong to an unrelated process: `serve stop` and
/// `serve status` must see that it does not hold the serve lock, and leave it alone.
#[test]
fn serve_stop_never_signals_a_pid_that_is_not_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut bystander = Command::new("sleep").arg("60").spawn().unwrap();
    let pid = bystander.id();
    let _guard = scopeguard(pid as i32);
    let state = serde_json::json!({
        "schema_version": 1,
        "projects": {},
        "serve": {
            "pid": pid,
            "orchestrator_addr": "127.0.0.1:1",
            "env_manager_addr": "127.0.0.1:1",
            "http_addr": "127.0.0.1:1",
            "log_file": null,
            "started_at": "2020-01-01T00:00:00Z",
            "version": "0.0.0",
        },
    });
    std::fs::write(dir.path().join("state.json"), state.to_string()).unwrap();
    // With and without the lock file a crashed server leaves behind.
    for leftover_lock in [false, true] {
        if leftover_lock {
            std::fs::write(dir.path().join("serve.lock"), "").unwrap();
        }
        let out = base_cmd(dir.path(), "bystander")
            .args(["serve", "stop", "--timeout", "1"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(err.contains("dspy-agent serve is not running"), "{err}");
        let out = base_cmd(dir.path(), "bystander")
            .args(["serve", "stop", "--json"])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["was_running"], false, "{doc}");
        assert_eq!(doc["pid"], serde_json::Value::Null, "{doc}");
        let out = base_cmd(dir.path(), "bystander")
            .args(["serve", "status"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(5));
        assert!(
            bystander.try_wait().unwrap().is_none(),
            "serve stop signalled an unrelated process"
        );
    }
    bystander.kill().unwrap();
    bystander.wait().unwrap();
}

/// Kill a detached server if the test fails before stopping it.
struct KillOnDrop(i32);
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if alive(self.0) {
            unsafe {
                libc::kill(self.0, libc::SIGKILL);
            }
        }
    }
}
fn scopeguard(pid: i32) -> KillOnDrop {
    KillOnDrop(pid)
}

#[tokio::test]
async fn container_task_runs_labelled_and_removed() {
    let s = Server::start("");
    let mut c = s.client().await;
    let p = payload(&[
        ("image", serde_json::json!("dspy-test/busybox:latest")),
        (
            "command",
            serde_json::json!([
                "sh",
                "-c",
                "echo err >&2; echo \"{\\\"id\\\": \\\"$DSPY_TASK_ID\\\"}\"; exit 3"
            ]),
        ),
    ]);
    let mut r = req("ct1", p);
    r.max_attempts = 1;
    c.submit_task(r).await.unwrap();
    let t = wait_done(&mut c, "ct1").await;
    assert_eq!(t.executor, "container");
    assert_eq!(t.status, "failed", "{t:?}");
    assert_eq!(t.result["exit_code"], "3", "{t:?}");
    assert_eq!(t.result["id"], "ct1", "{t:?}");
    assert_eq!(t.result["stderr_tail"].trim(), "err");
    let out = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=dspy-agent.project={}", s.project),
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().is_empty(),
        "container left behind"
    );
}

#[tokio::test]
async fn env_manager_rpcs_use_the_lifecycle_code() {
    let s = Server::start("");
    let mut e = s.env_client().await;
    let res = e
        .get_resource_availability(em::GetResourceAvailabilityRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        res.cpu_cores as usize,
        std::thread::available_parallelism().unwrap().get()
    );
    assert!(res.memory_total_bytes > 0 && res.memory_available_bytes > 0);
    assert_eq!(res.gpus.len(), dspy_agent::gpu::nvidia_gpu_count());

    let mut progress = e
        .start_services(em::StartServicesRequest {
            services: vec!["redis".into()],
            no_pull: true,
            recreate: false,
            wait_timeout_seconds: 30.0,
        })
        .await
        .unwrap()
        .into_inner();
    let mut msgs = vec![];
    while let Some(m) = progress.message().await.unwrap() {
        msgs.push(m);
    }
    let last = msgs.last().unwrap();
    assert_eq!(
        (last.r#type.as_str(), last.status.as_str()),
        ("done", "ok"),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.service == "redis" && m.status == "healthy"),
        "{msgs:?}"
    );

    let st = e
        .get_services_status(em::GetServicesStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let redis = st.services.iter().find(|x| x.name == "redis").unwrap();
    assert_eq!(redis.state, "running");
    assert_eq!(redis.health, "healthy");
    assert!(!redis.ports.is_empty());
    assert!(redis.memory_bytes > 0, "{redis:?}");

    let mut health = e
        .stream_health(em::StreamHealthRequest { interval_ms: 200 })
        .await
        .unwrap()
        .into_inner();
    for _ in 0..2 {
        let u = health.message().await.unwrap().unwrap();
        assert!(
            u.services
                .iter()
                .any(|x| x.name == "redis" && x.health == "healthy"),
            "{u:?}"
        );
    }
    drop(health);

    let mut logs = e
        .stream_logs(em::StreamLogsRequest {
            services: vec!["redis".into()],
            follow: false,
            tail: 5,
            since: 0,
        })
        .await
        .unwrap()
        .into_inner();
    let line = logs.message().await.unwrap().unwrap();
    assert_eq!(line.service, "redis");
    assert!(line.timestamp.starts_with("20"), "{line:?}");

    // No registry is reachable here: the pull must say it failed, not pretend.
    let mut pull = e
        .pull_images(em::PullImagesRequest {
            services: vec!["redis".into()],
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(m) = pull.message().await.unwrap() {
        last = Some(m);
    }
    let last = last.unwrap();
    assert!(last.done);
    assert_eq!(last.image, "dspy-test/redis:latest");

    // Restart: the same service comes back in a new container.
    let before = redis.container_id.clone();
    let mut restart = e
        .restart_service(em::RestartServiceRequest {
            service: "redis".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(m) = restart.message().await.unwrap() {
        last = Some(m);
    }
    let last = last.unwrap();
    assert_eq!(
        (last.r#type.as_str(), last.status.as_str()),
        ("done", "ok"),
        "{last:?}"
    );
    let st = e
        .get_services_status(em::GetServicesStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let again = st.services.iter().find(|x| x.name == "redis").unwrap();
    assert_ne!(again.container_id, before);
    assert_eq!(again.health, "healthy");
    assert_eq!(
        e.restart_service(em::RestartServiceRequest {
            service: "nope".into()
        })
        .await
        .unwrap_err()
        .code(),
        tonic::Code::InvalidArgument
    );

    // Health reports the real service.
    let mut c = s.client().await;
    let h = c.health(pb::HealthRequest {}).await.unwrap().into_inner();
    assert!(
        h.services
            .iter()
            .any(|x| x.name == "redis" && x.state == "running"),
        "{h:?}"
    );

    let stop = e
        .stop_services(em::StopServicesRequest {
            services: vec!["redis".into(), "ollama".into()],
            volumes: true,
            timeout_seconds: 5,
        })
        .await
        .unwrap()
        .into_inner();
    let r = stop.results.iter().find(|x| x.service == "redis").unwrap();
    assert!(r.removed);
    let o = stop.results.iter().find(|x| x.service == "ollama").unwrap();
    assert!(!o.removed);
    let st = e
        .get_services_status(em::GetServicesStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(st.services.is_empty(), "{st:?}");
}

#[tokio::test]
async fn retention_keeps_the_newest_finished_tasks() {
    let mut s = Server::start("[scheduler]\nretention_count = 2\nretention_min_age_s = 0\n");
    let mut c = s.client().await;
    for i in 0..4 {
        let id = format!("r{i}");
        c.submit_task(req(&id, sh("true"))).await.unwrap();
        wait_done(&mut c, &id).await;
    }
    c.submit_task(req("pending", HashMap::new())).await.unwrap();
    let check = |list: pb::ListTasksResponse| {
        let mut ids: Vec<String> = list.tasks.into_iter().map(|t| t.task_id).collect();
        ids.sort();
        assert_eq!(ids, ["pending", "r2", "r3"]);
    };
    let all = pb::ListTasksRequest {
        status: String::new(),
        class: String::new(),
        limit: 100,
    };
    check(c.list_tasks(all.clone()).await.unwrap().into_inner());
    s.kill9();
    s.spawn();
    let mut c = s.client().await;
    check(c.list_tasks(all).await.unwrap().into_inner());
    assert_eq!(
        c.get_task_status(pb::GetTaskStatusRequest {
            task_id: "r0".into()
        })
        .await
        .unwrap_err()
        .code(),
        tonic::Code::NotFound
    );
}

#[tokio::test]
async fn serve_stop_timeout_leaves_unfinished_work_for_the_next_start() {
    // The SIGTERM half below drains for the configured timeout (`serve stop` passes its own).
    let mut s = Server::start("[scheduler]\nshutdown_timeout_s = 0.1\n");
    let mut c = s.client().await;
    // One attempt only: a graceful stop must not use it up.
    let mut long = req(
        "long",
        sh("sleep 2; echo \"{\\\"ran_as\\\": $DSPY_TASK_ATTEMPT}\""),
    );
    long.max_attempts = 1;
    c.submit_task(long).await.unwrap();
    wait_status(&mut c, "long", "running").await;
    let t0 = Instant::now();
    let out = s
        .cli()
        .args(["serve", "stop", "--timeout", "0.1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(t0.elapsed() < Duration::from_secs(8));
    let status = s.terminate_reaped();
    assert!(status.success(), "{}", s.log());
    s.spawn();
    let mut c = s.client().await;
    let t = wait_done(&mut c, "long").await;
    assert_eq!((t.status.as_str(), t.attempt), ("completed", 1), "{t:?}");
    assert_eq!(t.result["ran_as"], "1", "{t:?}");

    // SIGTERM drains the same way.
    let mut again = req(
        "again",
        payload(&[("command", serde_json::json!(["sleep", "5"]))]),
    );
    again.max_attempts = 1;
    c.submit_task(again).await.unwrap();
    wait_status(&mut c, "again", "running").await;
    let status = s.terminate();
    assert!(status.success(), "{}", s.log());
    s.spawn();
    let mut c = s.client().await;
    let t = wait_status(&mut c, "again", "running").await;
    assert_eq!(t.attempt, 1, "{t:?}");
}

/// A server already draining keeps its first drain timeout; a later `serve stop` with a shorter
/// one waits for that drain instead of killing the server at its own deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_stop_waits_for_the_drain_already_under_way() {
    let mut s = Server::start("");
    let mut c = s.client().await;
    // Finishes on its own after 11 s: past `serve stop --timeout 0`'s 10 s grace, well inside
    // the 60 s drain asked for first.
    let mut long = req(
        "long",
        payload(&[("command", serde_json::json!(["sleep", "11"]))]),
    );
    long.max_attempts = 1;
    c.submit_task(long).await.unwrap();
    wait_status(&mut c, "long", "running").await;
    let first = c
        .shutdown(pb::ShutdownRequest {
            pid: s.pid(),
            drain_timeout_seconds: Some(60.0),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.drain_timeout_seconds, 60.0);
    let out = s
        .cli()
        .args(["serve", "stop", "--timeout", "0", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["killed"], false, "{doc}\n{}", s.log());
    assert!(s.terminate_reaped().success(), "{}", s.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_event_consumer_gets_a_gap_and_never_blocks_submission() {
    let s = Server::start("");
    let c = s.client().await;
    // Subscribed on its own connection with small HTTP/2 windows, as a slow reader looks, and
    // not reading.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", s.orch))
        .unwrap()
        .initial_stream_window_size(Some(16 * 1024))
        .initial_connection_window_size(Some(16 * 1024))
        .connect()
        .await
        .unwrap();
    let mut slow = dspy_agent::commands::client::with_bearer(
        channel,
        dspy_agent::commands::client::Bearer::new(Some(&common::token(&s.home))),
    )
    .stream_events(pb::StreamEventsRequest {
        event_types: vec![],
        since_timestamp: 0,
    })
    .await
    .unwrap()
    .into_inner();
    let total = 15_000;
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut joins = vec![];
    for _ in 0..32 {
        let mut c = c.clone();
        let next = next.clone();
        joins.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    return;
                }
                c.submit_task(req(&format!("g{i}"), HashMap::new()))
                    .await
                    .unwrap();
            }
        }));
    }
    for j in joins {
        j.await.unwrap();
    }
    assert!(t0.elapsed() < Duration::from_secs(60));
    let mut gap = None;
    let mut seen = 0;
    while gap.is_none() && seen < total {
        let e = tokio::time::timeout(Duration::from_secs(10), slow.message())
            .await
            .expect("the stream stalled")
            .unwrap()
            .unwrap();
        seen += 1;
        if e.r#type == "gap" {
            gap = Some(e);
        }
    }
    let gap = gap.expect("no gap marker");
    assert!(gap.data["missed"].parse::<u64>().unwrap() > 0, "{gap:?}");
}

#[tokio::test]
async fn a_missing_engine_is_reported_not_fatal() {
    let s = Server::start_with_env("", &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]);
    let mut c = s.client().await;
    let h = c.health(pb::HealthRequest {}).await.unwrap().into_inner();
    assert_eq!(h.status, "SERVING");
    assert!(
        h.services_error.contains("cannot reach the Docker engine"),
        "{h:?}"
    );
    let mut r = req(
        "ct",
        payload(&[("image", serde_json::json!("dspy-test/busybox:latest"))]),
    );
    r.max_attempts = 1;
    c.submit_task(r).await.unwrap();
    let t = wait_done(&mut c, "ct").await;
    assert_eq!(t.status, "failed");
    assert!(t.error.contains("Docker engine"), "{}", t.error);
    let mut e = s.env_client().await;
    let err = e
        .get_services_status(em::GetServicesStatusRequest {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unavailable);
    // Resources still answer from /proc.
    let res = e
        .get_resource_availability(em::GetResourceAvailabilityRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(res.cpu_cores > 0);
    assert_eq!(res.engine_cpus, 0);
}

#[tokio::test]
async fn class_handler_runs_payloads_without_command_or_image() {
    let s = Server::start(
        "[scheduler.classes.cpu_long]\nhandler = \"read -r p; echo \\\"{\\\\\\\"handled\\\\\\\": $p}\\\"\"\n",
    );
    let mut c = s.client().await;
    let mut r = req("hd", payload(&[("x", serde_json::json!(5))]));
    r.class = "cpu_long".into();
    c.submit_task(r).await.unwrap();
    let t = wait_done(&mut c, "hd").await;
    assert_eq!(
        (t.status.as_str(), t.executor.as_str()),
        ("completed", "handler"),
        "{t:?}"
    );
    assert_eq!(t.result["handled"], "{\"x\":5}", "{t:?}");
    // Other classes have no handler: their tasks wait for a pull worker.
    let r = c
        .submit_task(req("pw", HashMap::new()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(r.status.unwrap().executor, "worker");
}

#[test]
fn config_set_writes_and_validates_scheduler_keys() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(BIN)
            .env("DSPY_AGENT_HOME", dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    assert!(
        run(&["config", "set", "scheduler.classes.gpu.concurrency", "3"])
            .status
            .success()
    );
    assert!(
        run(&["config", "set", "scheduler.retry_backoff_ms", "20"])
            .status
            .success()
    );
    assert_eq!(
        run(&["config", "set", "scheduler.max_attempts", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["config", "set", "scheduler.classes.tpu.concurrency", "1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["config", "set", "scheduler.retention_count", "-1"])
            .status
            .code(),
        Some(2)
    );
    let out = run(&["--json", "config", "show"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let get = |key: &str| {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} missing"))
    };
    assert_eq!(get("scheduler.classes.gpu.concurrency")["value"], 3);
    assert_eq!(get("scheduler.classes.gpu.concurrency")["source"], "file");
    assert_eq!(get("scheduler.retry_backoff_ms")["value"], 20);
    assert_eq!(get("scheduler.max_attempts")["value"], 3);
    assert_eq!(get("scheduler.max_attempts")["source"], "default");
}

#[tokio::test]
async fn out_of_range_attempts_and_bad_queries_are_rejected_as_json() {
    let s = Server::start("");
    let base = format!("http://{}", s.http);
    let http = common::http(&s.home);
    for (body, what) in [
        (r#"{"task_id": "m0", "max_attempts": 0}"#, "max_attempts"),
        (
            r#"{"task_id": "m1", "max_attempts": 100000}"#,
            "max_attempts",
        ),
        (r#"{"task_id": "m2", "max_attempts": 1.5}"#, "max_attempts"),
    ] {
        let r = http
            .post(format!("{base}/queue/submit"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let doc: serde_json::Value = r.json().await.unwrap();
        assert!(doc["error"].as_str().unwrap().contains(what), "{doc}");
    }
    let r = http
        .post(format!("{base}/queue/submit"))
        .header("content-type", "application/json")
        .body(r#"{"task_id": "m3", "max_attempts": 100}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let mut c = s.client().await;
    let mut big = req("m4", HashMap::new());
    big.max_attempts = 100_000;
    let e = c.submit_task(big).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("max_attempts"), "{e:?}");

    for path in ["/tasks?limit=abc", "/events?since=abc"] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let doc: serde_json::Value = r.json().await.unwrap();
        assert!(doc["error"].is_string(), "{path}: {doc}");
    }

    // since=0 replays everything retained (m3's submission included).
    let mut sse = http
        .get(format!("{base}/events?since=0&types=task_submitted"))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 200);
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.contains("\"m3\"") {
        let chunk = tokio::time::timeout_at(deadline.into(), sse.chunk())
            .await
            .expect("since=0 replayed nothing")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// Pids of live (not zombie) processes whose command line is exactly `argv`.
fn pids_running(argv: &[&str]) -> Vec<i32> {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if std::fs::read(format!("/proc/{pid}/cmdline"))
            .ok()
            .as_deref()
            == Some(&want[..])
            && alive(pid)
        {
            out.push(pid);
        }
    }
    out
}

/// Everything the server journaled so far is on disk once a later submission is acknowledged
/// (one writer, in order, and a submission answers after its sync). A crash test that expects
/// the journal to know a task ran (its attempt, its process group) waits for this first;
/// without it the crash may come before those records and the task rightly runs again.
async fn durable_barrier(c: &mut Orch) {
    // A new id each time: a resubmitted one would answer from memory without a new sync.
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = format!("barrier-{}-{n}", std::process::id());
    c.submit_task(req(&id, payload(&[("data", serde_json::json!("x"))])))
        .await
        .unwrap();
}

fn wait_gone(argv: &[&str], within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if pids_running(argv).is_empty() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[tokio::test]
async fn kill_9_takes_the_task_processes_with_it() {
    let mut s = Server::start("[scheduler.classes.cpu_short]\nconcurrency = 4\n");
    let mut c = s.client().await;
    // A direct child, and a shell's child (which the shell's death does not reach).
    let direct = ["sleep", "3017"];
    let nested = ["sleep", "3018"];
    let mut a = req("direct", payload(&[("command", serde_json::json!(direct))]));
    a.max_attempts = 1;
    let mut b = req("nested", sh("sleep 3018; true"));
    b.max_attempts = 1;
    c.submit_task(a).await.unwrap();
    c.submit_task(b).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pids_running(&direct).is_empty() || pids_running(&nested).is_empty() {
        assert!(Instant::now() < deadline, "the sleeps never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    durable_barrier(&mut c).await;
    s.kill9();
    for argv in [&direct, &nested] {
        assert!(
            wait_gone(argv, Duration::from_secs(3)),
            "{argv:?} outlived the server"
        );
    }

    // Without the reaper (killed first), the restart kills what is left of a crashed task
    // before anything runs again.
    s.spawn();
    let mut c = s.client().await;
    for id in ["direct", "nested"] {
        let t = wait_done(&mut c, id).await;
        assert_eq!(t.status, "failed", "{t:?}");
    }
    let left = ["sleep", "3019"];
    let mut n = req("left", sh("sleep 3019; true"));
    n.max_attempts = 1;
    c.submit_task(n).await.unwrap();
    while pids_running(&left).is_empty() {
        assert!(Instant::now() < deadline, "the sleep never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    durable_barrier(&mut c).await;
    let reaper = pids_running(&[BIN, "__task-reaper"])
        .into_iter()
        .find(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            stat.rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().nth(1).map(str::to_string))
                == Some(s.pid().to_string())
        })
        .expect("no task reaper");
    unsafe {
        libc::kill(reaper, libc::SIGKILL);
    }
    s.kill9();
    std::thread::sleep(Duration::from_millis(300));
    assert!(!pids_running(&left).is_empty(), "nothing was left behind");
    s.spawn();
    assert!(
        wait_gone(&left, Duration::from_secs(3)),
        "the shell's child survived the restart: {}",
        s.log()
    );
    let mut c = s.client().await;
    let t = wait_done(&mut c, "left").await;
    assert_eq!(t.status, "failed", "{t:?}");
}

#[test]
fn negative_or_nan_timeouts_get_a_clear_usage_error() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["submit", "--timeout", "-1"][..],
        &["submit", "--timeout", "nan"],
        &["submit", "--timeout=inf"],
        &["serve", "stop", "--timeout", "-1"],
        &["serve", "stop", "-t", "NaN"],
    ] {
        let out = base_cmd(home.path(), "neg").args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("is not a number of seconds"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn submit_wait_reports_a_server_that_dies_as_orchestrator_down() {
    let mut s = Server::start("");
    let child = s
        .cli()
        .args(["submit", "--id", "w1", "--wait", "--payload"])
        .arg(r#"{"command": ["sleep", "30"]}"#)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = s.client().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "w1".into(),
        })
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "the CLI never submitted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_status(&mut c, "w1", "running").await;
    // The CLI is in its result stream.
    wait_metric(&mut c, "orchestrator_result_streams", None, |v| v >= 1.0).await;
    s.kill9();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("dspy-agent serve --detach"), "{err}");
    assert!(!err.contains("h2 protocol error\n"), "{err}");
    for args in [
        &["tasks"][..],
        &["tasks", "show", "w1"],
        &["tasks", "cancel", "w1"],
    ] {
        let out = s.cli().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(5), "{args:?}: {err}");
        assert!(err.contains("dspy-agent serve --detach"), "{args:?}: {err}");
    }
}

/// The CLI's `--json` document without its envelope field, to compare with HTTP's.
fn cli_doc(s: &Server, args: &[&str]) -> serde_json::Value {
    let out = s.cli().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["schema_version"], 1);
    doc.as_object_mut().unwrap().shift_remove("schema_version");
    doc
}

fn keys(doc: &serde_json::Value) -> Vec<String> {
    doc.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn http_and_cli_show_the_same_task_document() {
    let s = Server::start("");
    let mut c = s.client().await;
    let http = common::http(&s.home);
    // Queued for a worker (no worker_id), leased (a worker_id), and finished with a result.
    c.submit_task(req("doc-queued", HashMap::new()))
        .await
        .unwrap();
    let mut held = req("doc-held", HashMap::new());
    held.class = "cpu_long".into();
    c.submit_task(held).await.unwrap();
    let leased = c
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "w9".into(),
            classes: vec!["cpu_long".into()],
            max: 1,
            lease_seconds: 120.0,
            wait_ms: 0,
            gpus: vec![],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(leased.tasks[0].task_id, "doc-held");
    c.submit_task(req("doc-done", sh("echo '{\"x\": 1}'")))
        .await
        .unwrap();
    wait_done(&mut c, "doc-done").await;

    for (id, worker) in [
        ("doc-queued", serde_json::Value::Null),
        ("doc-held", serde_json::json!("w9")),
        ("doc-done", serde_json::Value::Null),
    ] {
        let over_http: serde_json::Value = http
            .get(format!("http://{}/tasks/{id}", s.http))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let over_cli = cli_doc(&s, &["tasks", "show", id, "--json"]);
        assert_eq!(keys(&over_http), keys(&over_cli), "{id}");
        assert_eq!(over_http, over_cli, "{id}");
        assert_eq!(over_http["worker_id"], worker, "{id}");
    }
    let list_http: serde_json::Value = http
        .get(format!("http://{}/tasks", s.http))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list_http, cli_doc(&s, &["tasks", "--json"]));
}

#[tokio::test]
async fn a_draining_server_says_so_in_metadata_and_the_cli_exits_1() {
    let mut s = Server::start("[scheduler]\nshutdown_timeout_s = 60\n");
    let mut c = s.client().await;
    // A running task keeps the drain going while the refusals are checked.
    c.submit_task(req("busy", sh("sleep 60"))).await.unwrap();
    wait_status(&mut c, "busy", "running").await;
    unsafe {
        libc::kill(s.pid() as i32, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while c
        .health(pb::HealthRequest {})
        .await
        .unwrap()
        .into_inner()
        .status
        != "DRAINING"
    {
        assert!(Instant::now() < deadline, "the server never drained");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let e = c
        .submit_task(req("late", HashMap::new()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::Unavailable, "{e:?}");
    assert_eq!(
        e.metadata()
            .get("dspy-agent-reason")
            .and_then(|v| v.to_str().ok()),
        Some("draining"),
        "{e:?}"
    );
    let r = common::http(&s.home)
        .post(format!("http://{}/queue/submit", s.http))
        .header("content-type", "application/json")
        .body(r#"{"task_id": "late-http"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["dspy-agent-reason"], "draining");
    // The CLI tells a draining server (1) from one that is gone (5) by that reason.
    let out = s
        .cli()
        .args(["submit", "--payload", "{}"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("shutting down"), "{err}");
    s.kill9();
}

#[tokio::test]
async fn http_priority_takes_the_whole_i32_range_and_names_it_when_out_of_range() {
    let s = Server::start("");
    let http = common::http(&s.home);
    let submit = |body: &'static str| {
        http.post(format!("http://{}/queue/submit", s.http))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = submit(r#"{"task_id": "p-min", "priority": -2147483648}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["priority"], i64::from(i32::MIN));
    for body in [
        r#"{"task_id": "p-big", "priority": 2147483648}"#,
        r#"{"task_id": "p-huge", "priority": 1e300}"#,
        r#"{"task_id": "p-frac", "priority": 1.5}"#,
    ] {
        let r = submit(body).await.unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let doc: serde_json::Value = r.json().await.unwrap();
        let msg = doc["error"].as_str().unwrap();
        assert!(
            msg.contains("`priority`") && msg.contains("-2147483648 to 2147483647"),
            "{body}: {msg}"
        );
    }
}

#[tokio::test]
async fn container_tasks_whose_ids_differ_only_in_a_colon_do_not_collide() {
    let s = Server::start("");
    let mut c = s.client().await;
    // Both run at once; with one shared container name the second start removed the first.
    for id in ["cc:1", "cc_1"] {
        let mut r = req(
            id,
            payload(&[
                ("image", serde_json::json!("dspy-test/busybox:latest")),
                (
                    "command",
                    serde_json::json!([
                        "sh",
                        "-c",
                        "sleep 1; echo \"{\\\"id\\\": \\\"$DSPY_TASK_ID\\\"}\""
                    ]),
                ),
            ]),
        );
        r.max_attempts = 1;
        c.submit_task(r).await.unwrap();
    }
    for id in ["cc:1", "cc_1"] {
        let t = wait_done(&mut c, id).await;
        assert_eq!(t.status, "completed", "{t:?}");
        assert_eq!(t.result["id"], id, "{t:?}");
    }
}
