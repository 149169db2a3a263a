//! `dspy-agent worker` processes, each with its own home, against a real `serve` on loopback:
//! tasks of an `executor = "workers"` class run on the workers (never on the server), spread
//! over all of them; a wrong token is refused with a clear message; SIGTERM drains.

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
        let home = tempfile::tempdir().unwrap();
        let log = home.path().join("worker.log");
        let child = Command::new(common::BIN)
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
            .env_remove("DSPY_AGENT_TLS_CA")
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
