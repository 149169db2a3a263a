//! `dspy-agent worker` processes, each with its own home, against a real `serve` on loopback:
//! tasks of an `executor = "workers"` class run on the workers (never on the server), spread
//! over all of them; a wrong token is refused with a clear message; SIGTERM drains, and hands
//! back what its drain time did not finish; leases outlive a server restart; over TLS a
//! worker needs only the token and the CA; a class's timeout reaches the worker.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;
use serde_json::json;

use common::server::Server;

const CONFIG: &str = "[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n";

struct Worker {
    child: Child,
    _home: tempfile::TempDir,
    log: std::path::PathBuf,
}

impl Worker {
    fn start(s: &Server, token: &str, tag: &str, extra: &[&str]) -> Worker {
        Worker::start_env(s, token, tag, extra, &[])
    }

    /// A worker with its own empty home: all it has of the server is `--server`, the token
    /// and whatever `envs` give it (a CA with TLS).
    fn start_env(
        s: &Server,
        token: &str,
        tag: &str,
        extra: &[&str],
        envs: &[(&str, &Path)],
    ) -> Worker {
        let home = tempfile::tempdir().unwrap();
        let log = home.path().join("worker.log");
        let mut cmd = Command::new(common::BIN);
        cmd.env_remove("DSPY_AGENT_TLS_CA");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd
            .args([
                "worker",
                "--server",
                &s.orch,
                "--classes",
                "cpu_long",
                "--name",
                tag,
            ])
            .args(extra)
            .env("DSPY_AGENT_HOME", home.path())
            .env("DSPY_AGENT_TOKEN", token)
            .env("WORKER_TAG", tag)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Worker {
            child,
            _home: home,
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The exit status within `limit`, or a panic naming the log.
    fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "worker still running: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn side_task(id: String, side: &Path, extra: &str) -> pb::SubmitTaskRequest {
    let cmd = format!(
        "{extra}echo \"$DSPY_TASK_ID $WORKER_TAG\" >> {}",
        side.display()
    );
    pb::SubmitTaskRequest {
        task_id: id,
        class: "cpu_long".into(),
        payload_json: json!({"command": cmd}).to_string(),
        max_attempts: 3,
        ..Default::default()
    }
}

async fn wait_all_completed(c: &mut common::Orch, n: u64, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let done = c
            .list_tasks(pb::ListTasksRequest {
                status: "completed".into(),
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .total;
        if done == n {
            return;
        }
        assert!(Instant::now() < deadline, "only {done} of {n} completed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_run_2000_command_tasks_spread_over_all_of_them() {
    let s = Server::start(CONFIG);
    let token = s.token("pool", "worker");
    let side = s.home().join("side.txt");
    let workers: Vec<Worker> = ["w1", "w2", "w3"]
        .iter()
        .map(|t| Worker::start(&s, &token, t, &["--concurrency", "4"]))
        .collect();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let started = Instant::now();
    for chunk in (0..2000).collect::<Vec<_>>().chunks(1000) {
        let tasks = chunk
            .iter()
            .map(|i| side_task(format!("t-{i}"), &side, ""))
            .collect();
        let r = c
            .submit_tasks(pb::SubmitTasksRequest { tasks })
            .await
            .unwrap()
            .into_inner();
        assert!(r.results.iter().all(|r| r.outcome == "created"));
    }
    wait_all_completed(&mut c, 2000, Duration::from_secs(240)).await;
    eprintln!("2000 tasks through 3 workers in {:?}", started.elapsed());
    let text = std::fs::read_to_string(&side).unwrap();
    let mut per_worker: HashMap<&str, usize> = HashMap::new();
    let mut ids = HashSet::new();
    for line in text.lines() {
        let (id, tag) = line.split_once(' ').unwrap();
        ids.insert(id.to_string());
        *per_worker.entry(tag).or_default() += 1;
    }
    assert_eq!(ids.len(), 2000);
    assert_eq!(per_worker.len(), 3, "{per_worker:?}: {}", workers[0].log());
    assert!(per_worker.values().all(|n| *n > 0), "{per_worker:?}");
}

#[tokio::test]
async fn a_worker_with_a_wrong_token_is_refused_with_a_clear_message() {
    let s = Server::start(CONFIG);
    let mut w = Worker::start(&s, "not-a-token", "bad", &[]);
    let st = w.wait_exit(Duration::from_secs(20));
    assert_eq!(st.code(), Some(2), "{}", w.log());
    let log = w.log();
    assert!(log.contains("the server refused this worker"), "{log}");
    assert!(log.contains("DSPY_AGENT_TOKEN"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_the_running_task_then_the_worker_exits() {
    let s = Server::start(CONFIG);
    let token = s.token("drainer", "worker");
    let side = s.home().join("side.txt");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    c.submit_task(side_task("slow".into(), &side, "sleep 2; "))
        .await
        .unwrap();
    let mut w = Worker::start(&s, &token, "d", &["--drain-seconds", "30"]);
    // Wait until the task runs on the worker.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let st = c
            .get_task_status(pb::GetTaskStatusRequest {
                task_id: "slow".into(),
            })
            .await
            .unwrap()
            .into_inner();
        if st.status == "running" {
            break;
        }
        assert!(Instant::now() < deadline, "{st:?} {}", w.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let killed = Command::new("kill")
        .args(["-TERM", &w.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let st = w.wait_exit(Duration::from_secs(30));
    assert!(st.success(), "{}", w.log());
    let status = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "slow".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.status, "completed", "{status:?} {}", w.log());
    assert!(w.log().contains("1 done"), "{}", w.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_of_a_worker_killed_with_sigkill_run_again_elsewhere_after_the_lease() {
    let s = Server::start(CONFIG);
    let token = s.token("pool", "worker");
    let side = s.home().join("side.txt");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let tasks = (0..20)
        .map(|i| side_task(format!("k-{i}"), &side, "sleep 1; "))
        .collect();
    c.submit_tasks(pb::SubmitTasksRequest { tasks })
        .await
        .unwrap();
    let lease = ["--concurrency", "8", "--lease-seconds", "2"];
    let mut doomed = Worker::start(&s, &token, "doomed", &lease);
    // Kill it while it holds leases.
    let deadline = Instant::now() + Duration::from_secs(20);
    let held: Vec<String> = loop {
        let running = c
            .list_tasks(pb::ListTasksRequest {
                status: "running".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .tasks;
        if !running.is_empty() {
            break running.into_iter().map(|t| t.task_id).collect();
        }
        assert!(Instant::now() < deadline, "{}", doomed.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    doomed.child.kill().unwrap(); // SIGKILL
    doomed.child.wait().unwrap();
    let _other = Worker::start(&s, &token, "other", &lease);
    wait_all_completed(&mut c, 20, Duration::from_secs(60)).await;
    let all = c
        .list_tasks(pb::ListTasksRequest {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.total, 20);
    assert!(all.tasks.iter().all(|t| t.status == "completed"));
    for id in &held {
        let t = all.tasks.iter().find(|t| &t.task_id == id).unwrap();
        assert!(t.attempt >= 2, "{id} was held by the killed worker: {t:?}");
    }
    // At least once: every task ran to its echo on "other"; the killed worker's orphans may
    // have written theirs too.
    let text = std::fs::read_to_string(&side).unwrap();
    for i in 0..20 {
        let id = format!("k-{i}");
        assert!(
            text.lines()
                .any(|l| l == format!("{id} other") || l == format!("{id} doomed")),
            "{id} never ran: {text}"
        );
    }
    for id in &held {
        assert!(
            text.lines().any(|l| l == format!("{id} other")),
            "{id}: {text}"
        );
    }
}

async fn status_of(c: &mut common::Orch, id: &str) -> pb::TaskStatus {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .unwrap()
        .into_inner()
}

/// Wait until task `id` is `status`, or panic with `log`.
async fn wait_status(
    c: &mut common::Orch,
    id: &str,
    status: &str,
    limit: Duration,
    log: impl Fn() -> String,
) -> pb::TaskStatus {
    let deadline = Instant::now() + limit;
    loop {
        let st = status_of(c, id).await;
        if st.status == status {
            return st;
        }
        assert!(Instant::now() < deadline, "{id}: {st:?}\n{}", log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_the_drain_time_cut_short_is_handed_back_and_its_attempt_does_not_count() {
    let s = Server::start(CONFIG);
    let token = s.token("drainer", "worker");
    let side = s.home().join("side.txt");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    // Endless on the draining worker, quick anywhere else.
    let req = side_task(
        "long".into(),
        &side,
        "if [ \"$WORKER_TAG\" = d ]; then sleep 600; fi; ",
    );
    c.submit_task(req).await.unwrap();
    let mut w = Worker::start(&s, &token, "d", &["--drain-seconds", "1"]);
    wait_status(&mut c, "long", "running", Duration::from_secs(20), || {
        w.log()
    })
    .await;
    let sent = Command::new("kill")
        .args(["-TERM", &w.child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Drain 1 s, then the task is stopped and handed back: well before any lease would expire.
    let st = w.wait_exit(Duration::from_secs(20));
    assert!(st.success(), "{}", w.log());
    assert!(w.log().contains("handed long back"), "{}", w.log());
    let back = status_of(&mut c, "long").await;
    assert_eq!(back.status, "queued", "{back:?}");
    assert_eq!(
        back.attempt, 0,
        "a handed-back attempt does not count: {back:?}"
    );
    assert!(back.error.contains("handed back"), "{back:?}");
    let other = Worker::start(&s, &token, "o", &[]);
    let done = wait_status(&mut c, "long", "completed", Duration::from_secs(30), || {
        other.log()
    })
    .await;
    assert_eq!(done.attempt, 1, "{done:?}");
    let text = std::fs::read_to_string(&side).unwrap();
    assert_eq!(text, "long o\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_outlive_a_server_restart_and_the_workers_results_are_kept() {
    let port = common::server::free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let mut s = Server::start_with(
        CONFIG,
        &[],
        &[("DSPY_AGENT_ORCHESTRATOR_ADDR", addr.as_str())],
    );
    let token = s.token("pool", "worker");
    let side = s.home().join("side.txt");
    let gate = s.home().join("gate");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    // Each task waits for the gate file, so all are held while the server restarts.
    let wait_gate = format!("while [ ! -e {} ]; do sleep 0.05; done; ", gate.display());
    let tasks = (0..6)
        .map(|i| side_task(format!("r-{i}"), &side, &wait_gate))
        .collect();
    c.submit_tasks(pb::SubmitTasksRequest { tasks })
        .await
        .unwrap();
    let lease = ["--concurrency", "3", "--lease-seconds", "5"];
    let w1 = Worker::start(&s, &token, "w1", &lease);
    let w2 = Worker::start(&s, &token, "w2", &lease);
    let logs = || format!("{}\n{}", w1.log(), w2.log());
    for i in 0..6 {
        wait_status(
            &mut c,
            &format!("r-{i}"),
            "running",
            Duration::from_secs(30),
            logs,
        )
        .await;
    }
    s.restart("TERM");
    std::fs::write(&gate, "").unwrap();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    wait_all_completed(&mut c, 6, Duration::from_secs(60)).await;
    for i in 0..6 {
        let st = status_of(&mut c, &format!("r-{i}")).await;
        assert_eq!(
            st.attempt,
            1,
            "run once, reported after the restart: {st:?}\n{}",
            logs()
        );
    }
    let text = std::fs::read_to_string(&side).unwrap();
    assert_eq!(text.lines().count(), 6, "{text}");
    assert!(!logs().contains("dropped the result"), "{}", logs());
    // Both workers register again with the new server, which had forgotten them.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, body) = s.curl(Some(&common::token(s.home())), &[], "/workers");
        assert_eq!(code, 200, "{body}");
        if body.contains("\"w1\"") && body.contains("\"w2\"") {
            break;
        }
        assert!(Instant::now() < deadline, "{body}\n{}", logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_a_worker_needs_only_the_address_a_worker_token_and_the_ca() {
    let s = Server::start(
        "[tls]\nself_signed = true\n[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n",
    );
    let token = s.token("remote", "worker");
    let ca = s.home().join("tls/ca.pem");
    let side = s.home().join("side.txt");
    let w = Worker::start_env(&s, &token, "remote", &[], &[("DSPY_AGENT_TLS_CA", &ca)]);
    let cmd = format!("echo \"$DSPY_TASK_ID $WORKER_TAG\" >> {}", side.display());
    let payload = json!({ "command": cmd }).to_string();
    let run = s.cli(&[
        "submit",
        "--class",
        "cpu_long",
        "--id",
        "tls-w",
        "--payload",
        &payload,
        "--wait",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{run:?}\n{}\n{}", w.log(), s.log());
    assert_eq!(run.json()["status"], "completed", "{run:?}");
    assert_eq!(std::fs::read_to_string(&side).unwrap(), "tls-w remote\n");
    // Without the CA the same worker cannot connect: it says why and keeps retrying.
    let blind = Worker::start(&s, &token, "blind", &[]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !blind.log().contains("lease failed") {
        assert!(Instant::now() < deadline, "{}", blind.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_over_its_timeout_on_a_worker_fails_the_attempt() {
    let s = Server::start("[scheduler.classes.cpu_long]\nexecutor = \"workers\"\ntimeout_s = 1\n");
    let token = s.token("pool", "worker");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    c.submit_task(pb::SubmitTaskRequest {
        task_id: "slow".into(),
        class: "cpu_long".into(),
        payload_json: json!({"command": "sleep 600"}).to_string(),
        max_attempts: 1,
        ..Default::default()
    })
    .await
    .unwrap();
    let w = Worker::start(&s, &token, "t", &[]);
    let started = Instant::now();
    let st = wait_status(&mut c, "slow", "failed", Duration::from_secs(30), || {
        w.log()
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(20), "{st:?}");
    assert!(
        st.error.contains("timed out") || st.error.contains("timeout"),
        "{st:?}"
    );
}
