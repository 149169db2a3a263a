//! "Why isn't this task running?": one test per reason against a real `serve` of the built
//! binary, each reading the structured `blocked_reason` over gRPC (GetTaskStatus, ListTasks),
//! HTTP (`GET /tasks/{id}`, `GET /tasks`) and the CLI (`tasks why`, `tasks`). Held tasks are
//! shell loops that wait for a `go` file; every wait is on a condition with a deadline.
//!
//! The Slurm test needs the one-node cluster (scripts/slurm-up.sh); without Slurm installed it
//! skips, loudly, unless DSPY_AGENT_REQUIRE_SLURM is set, as tests/slurm.rs does.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;
use serde_json::{Value, json};

use common::Orch;
use common::server::Server;

const WITHIN: Duration = Duration::from_secs(30);

/// A task that says it started, then waits for `dir/go`.
fn held(dir: &Path, name: &str) -> String {
    format!(
        "touch {d}/{name}.started; while [ ! -f {d}/go ]; do sleep 0.05; done",
        d = dir.display()
    )
}

fn request(id: &str, class: &str, command: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: HashMap::from([(
            "command".to_string(),
            json!(["sh", "-c", command]).to_string(),
        )]),
        class: class.into(),
        max_attempts: 1,
        ..Default::default()
    }
}

async fn submit(c: &mut Orch, req: pb::SubmitTaskRequest) {
    let id = req.task_id.clone();
    c.submit_task(req)
        .await
        .unwrap_or_else(|s| panic!("submit {id}: {s:?}"));
}

async fn status(c: &mut Orch, id: &str) -> pb::TaskStatus {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .unwrap()
        .into_inner()
}

/// Poll the task until `ok` holds; its status then.
async fn wait_for(
    c: &mut Orch,
    id: &str,
    what: &str,
    ok: impl Fn(&pb::TaskStatus) -> bool,
) -> pb::TaskStatus {
    let deadline = Instant::now() + WITHIN;
    loop {
        let t = status(c, id).await;
        if ok(&t) {
            return t;
        }
        assert!(Instant::now() < deadline, "task {id}: never {what}: {t:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn wait_status(c: &mut Orch, id: &str, want: &str) -> pb::TaskStatus {
    wait_for(c, id, want, |t| t.status == want).await
}

/// The reason gRPC gives, which must be set.
async fn why(c: &mut Orch, id: &str) -> pb::BlockedReason {
    let t = status(c, id).await;
    match t.blocked_reason {
        Some(r) => r,
        None => panic!("{id} has no blocked_reason: {t:?}"),
    }
}

fn wait_file(path: &Path) {
    let deadline = Instant::now() + WITHIN;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `GET /tasks/{id}`'s `blocked_reason` (null when none).
fn http_reason(s: &Server, id: &str) -> Value {
    let token = common::token(s.home());
    let (code, body) = s.curl(Some(&token), &[], &format!("/tasks/{id}"));
    assert_eq!(code, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    doc["blocked_reason"].clone()
}

/// `tasks why ID --json`'s document.
fn cli_why(s: &Server, id: &str) -> Value {
    s.cli(&["tasks", "why", id, "--json"]).ok().json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn class_cap_says_n_running_of_m_everywhere() {
    let s = Server::start("[scheduler.classes.cpu_short]\nconcurrency = 2\n");
    let dir = tempfile::tempdir().unwrap();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    for id in ["r1", "r2"] {
        submit(&mut c, request(id, "cpu_short", &held(dir.path(), id))).await;
    }
    for id in ["r1", "r2"] {
        wait_file(&dir.path().join(format!("{id}.started")));
        assert_eq!(status(&mut c, id).await.blocked_reason, None, "{id} runs");
    }
    submit(&mut c, request("q", "cpu_short", "true")).await;
    let r = why(&mut c, "q").await;
    assert_eq!(r.kind, "class_cap", "{r:?}");
    assert_eq!((r.running, r.limit, r.ahead), (2, 2, 0), "{r:?}");
    assert_eq!(r.class, "cpu_short");
    assert!(r.message.contains("2 running of 2"), "{}", r.message);

    // HTTP: the same object.
    let h = http_reason(&s, "q");
    assert_eq!(h["kind"], "class_cap", "{h}");
    assert_eq!(
        (h["running"].as_u64(), h["limit"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(h["message"], r.message.as_str());
    assert_eq!(http_reason(&s, "r1"), Value::Null);

    // The CLI: `tasks why` in JSON and for people, and the listing's column and objects.
    let doc = cli_why(&s, "q");
    assert_eq!(doc["task_id"], "q");
    assert_eq!(doc["status"], "queued");
    assert_eq!(doc["blocked_reason"]["kind"], "class_cap");
    assert_eq!(doc["blocked_reason"]["running"], 2);
    let text = s.cli(&["tasks", "why", "q"]).ok().stdout;
    assert!(text.contains("2 running of 2"), "{text}");
    assert!(text.contains("reason:   class_cap"), "{text}");
    let show = s.cli(&["tasks", "show", "q"]).ok().stdout;
    assert!(show.contains("blocked:   class cpu_short"), "{show}");
    let running = s.cli(&["tasks", "why", "r1"]).ok().stdout;
    assert!(running.contains("nothing holds it back"), "{running}");
    let listing = s.cli(&["tasks"]).ok().stdout;
    let row = listing
        .lines()
        .find(|l| l.split_whitespace().next() == Some("q"))
        .unwrap_or_else(|| panic!("no row for q: {listing}"));
    assert!(row.contains("cap 2/2"), "{listing}");
    assert!(
        listing.lines().next().unwrap().contains("BLOCKED"),
        "{listing}"
    );
    let list = s.cli(&["tasks", "--json"]).ok().json();
    let q = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task_id"] == "q")
        .unwrap();
    assert_eq!(q["blocked_reason"]["kind"], "class_cap");
    // A missing task is the usual not-found error.
    let missing = s.cli(&["tasks", "why", "nope"]);
    assert_ne!(missing.code, 0);
    assert!(missing.stderr.contains("nope"), "{}", missing.stderr);

    // Once a slot frees, it runs and nothing holds it back.
    std::fs::write(dir.path().join("go"), "").unwrap();
    let done = wait_status(&mut c, "q", "completed").await;
    assert_eq!(done.blocked_reason, None);
    assert_eq!(http_reason(&s, "q"), Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_ahead_counts_higher_or_equal_priority_submitted_before() {
    let s = Server::start("[scheduler.classes.cpu_short]\nconcurrency = 1\n");
    let dir = tempfile::tempdir().unwrap();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    submit(
        &mut c,
        request("run", "cpu_short", &held(dir.path(), "run")),
    )
    .await;
    wait_file(&dir.path().join("run.started"));
    // Before `me`: low (lower priority, not ahead), a and b (equal, earlier), hi (higher).
    // After it: c (equal, later) and top (higher, later: ahead of it).
    for (id, priority) in [("low", -5), ("a", 0), ("hi", 5), ("b", 0)] {
        let mut req = request(id, "cpu_short", "true");
        req.priority = priority;
        submit(&mut c, req).await;
    }
    submit(&mut c, request("me", "cpu_short", "true")).await;
    for (id, priority) in [("c", 0), ("top", 9)] {
        let mut req = request(id, "cpu_short", "true");
        req.priority = priority;
        submit(&mut c, req).await;
    }
    let r = why(&mut c, "me").await;
    assert_eq!(r.kind, "queue_ahead", "{r:?}");
    assert_eq!(r.ahead, 4, "top, hi, a and b are ahead: {r:?}");
    assert_eq!((r.running, r.limit), (1, 1));
    assert!(r.message.contains("4 tasks ahead"), "{}", r.message);
    // The head of the queue waits only for the cap; the last one has all the others ahead.
    let top = why(&mut c, "top").await;
    assert_eq!((top.kind.as_str(), top.ahead), ("class_cap", 0), "{top:?}");
    assert_eq!(why(&mut c, "low").await.ahead, 6);
    assert_eq!(http_reason(&s, "me")["ahead"], 4);
    // The listing computes the same numbers for every row (one walk of the queue).
    let list = c
        .list_tasks(pb::ListTasksRequest {
            status: "queued".into(),
            class: "cpu_short".into(),
            limit: 100,
        })
        .await
        .unwrap()
        .into_inner();
    let ahead: HashMap<String, u64> = list
        .tasks
        .iter()
        .map(|t| (t.task_id.clone(), t.blocked_reason.as_ref().unwrap().ahead))
        .collect();
    let want: HashMap<String, u64> = [
        ("top", 0),
        ("hi", 1),
        ("a", 2),
        ("b", 3),
        ("me", 4),
        ("c", 5),
        ("low", 6),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(ahead, want);
    let token = common::token(s.home());
    let (_, body) = s.curl(Some(&token), &[], "/tasks?status=queued");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let me = doc["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task_id"] == "me")
        .unwrap();
    assert_eq!(me["blocked_reason"]["ahead"], 4, "{me}");
    std::fs::write(dir.path().join("go"), "").unwrap();
    wait_status(&mut c, "low", "completed").await;
}

/// A simulated inventory of one GPU (unique UUID per run).
fn one_gpu(home: &Path) -> (std::path::PathBuf, String) {
    let uuid = format!("GPU-{}-why-0", std::process::id());
    let inv = json!({"driver_version": "550.0", "cuda_version": "12.4", "gpus": [{
        "uuid": uuid, "name": "Simulated GPU", "memory_total_mb": 16384,
        "memory_used_mb": 0, "utilization_gpu_pct": 0}]});
    let path = home.join("gpus.json");
    std::fs::write(&path, inv.to_string()).unwrap();
    (path, uuid)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpu_names_the_held_gpu_and_the_task_holding_it() {
    let inv_dir = tempfile::tempdir().unwrap();
    let (inv, uuid) = one_gpu(inv_dir.path());
    // A class limit above the GPU count, so that the GPU, not the cap, holds the second task.
    let s = Server::start_with(
        "[scheduler.classes.gpu]\nconcurrency = 4\n",
        &[],
        &[("DSPY_AGENT_GPU_INVENTORY", inv.to_str().unwrap())],
    );
    let dir = tempfile::tempdir().unwrap();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let mut first = request("g1", "gpu", &held(dir.path(), "g1"));
    first.gpus = Some(1);
    submit(&mut c, first).await;
    wait_file(&dir.path().join("g1.started"));
    let mut second = request("g2", "gpu", "true");
    second.gpus = Some(1);
    submit(&mut c, second).await;
    let r = why(&mut c, "g2").await;
    assert_eq!(r.kind, "gpu", "{r:?}");
    assert_eq!((r.gpus_needed, r.gpus_free, r.ahead), (1, 0, 0), "{r:?}");
    assert_eq!((r.running, r.limit), (1, 4), "{r:?}");
    assert_eq!(r.gpus_held.len(), 1, "{r:?}");
    let h = &r.gpus_held[0];
    assert_eq!(
        (
            h.uuid.as_str(),
            h.index,
            h.task_id.as_str(),
            h.state.as_str()
        ),
        (uuid.as_str(), 0, "g1", "running")
    );
    assert!(r.message.contains("GPU 0 by g1"), "{}", r.message);
    let web = http_reason(&s, "g2");
    assert_eq!(web["gpus_held"][0]["task_id"], "g1", "{web}");
    let text = s.cli(&["tasks", "why", "g2"]).ok().stdout;
    assert!(
        text.contains(&format!("GPU 0 ({uuid}) by g1 (running)")),
        "{text}"
    );
    let listing = s.cli(&["tasks"]).ok().stdout;
    assert!(listing.contains("gpu (held by g1)"), "{listing}");
    std::fs::write(dir.path().join("go"), "").unwrap();
    let done = wait_status(&mut c, "g2", "completed").await;
    assert_eq!(done.blocked_reason, None);
}

/// `dspy-agent worker` for cpu_long against `s`.
fn start_worker(s: &Server, home: &Path) -> Child {
    Command::new(common::BIN)
        .args([
            "worker",
            "--server",
            &s.orch,
            "--classes",
            "cpu_long",
            "--name",
            "why-w1",
        ])
        .env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_TOKEN", common::token(s.home()))
        .env_remove("DSPY_AGENT_TLS_CA")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(home.join("worker.log")).unwrap())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_worker_until_one_connects_then_it_runs() {
    let s = Server::start("[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    submit(&mut c, request("w", "cpu_long", "echo '{\"ok\": 1}'")).await;
    let r = why(&mut c, "w").await;
    assert_eq!(r.kind, "no_worker", "{r:?}");
    assert_eq!(r.workers_connected, 0);
    assert!(
        r.message.contains("no pull worker of class cpu_long"),
        "{}",
        r.message
    );
    assert_eq!(http_reason(&s, "w")["kind"], "no_worker");
    assert_eq!(cli_why(&s, "w")["blocked_reason"]["workers_connected"], 0);
    let listing = s.cli(&["tasks"]).ok().stdout;
    assert!(listing.contains("no worker"), "{listing}");

    let home = tempfile::tempdir().unwrap();
    let mut worker = start_worker(&s, home.path());
    let done = wait_status(&mut c, "w", "completed").await;
    assert_eq!(done.blocked_reason, None);
    assert_eq!(done.worker_id, "");
    // With the worker connected (and busy elsewhere or idle), a new task no longer says
    // "no worker": it is leased at once or waits for the connected worker.
    submit(&mut c, request("w2", "cpu_long", "true")).await;
    let t = status(&mut c, "w2").await;
    if let Some(r) = &t.blocked_reason {
        assert_ne!(r.kind, "no_worker", "{r:?}");
        assert_eq!(r.workers_connected, 1, "{r:?}");
    }
    wait_status(&mut c, "w2", "completed").await;
    let _ = worker.kill();
    let _ = worker.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_backoff_gives_the_time_the_retry_policy_chose() {
    const BACKOFF_MS: u64 = 3000;
    let s = Server::start(&format!("[scheduler]\nretry_backoff_ms = {BACKOFF_MS}\n"));
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let mut req = request("f", "cpu_short", "exit 3");
    req.max_attempts = 2;
    submit(&mut c, req).await;
    let t = wait_for(&mut c, "f", "in its backoff", |t| {
        t.blocked_reason
            .as_ref()
            .is_some_and(|r| r.kind == "retry_backoff")
    })
    .await;
    let now = dspy_agent::server::clock::now_ms();
    let r = t.blocked_reason.unwrap();
    assert_eq!(t.status, "queued");
    assert_eq!(t.attempt, 1);
    assert!(
        r.until_ms > now,
        "until {} is not after now {now}",
        r.until_ms
    );
    // The first retry waits retry_backoff_ms with +-25 % jitter, from the failure (which is
    // after the attempt started, and well within a second of it).
    let after_start = r.until_ms - t.started_at_ms;
    assert!(
        (BACKOFF_MS * 3 / 4..=BACKOFF_MS * 5 / 4 + 1000).contains(&after_start),
        "until is {after_start} ms after the start: {r:?}"
    );
    assert!(r.message.contains("attempt 1 of 2"), "{}", r.message);
    let web = http_reason(&s, "f");
    assert_eq!(web["kind"], "retry_backoff");
    assert_eq!(web["until_ms"].as_u64(), Some(r.until_ms));
    assert!(
        s.cli(&["tasks", "why", "f"]).ok().stdout.contains("until:"),
        "tasks why shows the time"
    );
    // The second attempt starts no earlier than that time, and ends the task.
    let done = wait_status(&mut c, "f", "failed").await;
    assert_eq!(done.attempt, 2);
    assert!(
        // (20 ms for the wall clock against the timer's monotonic one)
        done.started_at_ms + 20 >= r.until_ms,
        "attempt 2 started at {}, before {}",
        done.started_at_ms,
        r.until_ms
    );
    assert_eq!(done.blocked_reason, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_workflow_step_names_the_steps_it_waits_for() {
    let s = Server::start("");
    let dir = tempfile::tempdir().unwrap();
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let spec = json!({
        "name": "why",
        "steps": [
            {"id": "a", "payload": {"command": ["sh", "-c", held(dir.path(), "a")]}},
            {"id": "b", "payload": {"command": ["true"]}},
            {"id": "c", "depends": ["a", "b"], "payload": {"command": ["true"]}}
        ]
    });
    c.create_workflow(pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    })
    .await
    .unwrap();
    c.start_workflow_run(pb::StartWorkflowRunRequest {
        workflow: "why".into(),
        run_id: "r1".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    wait_file(&dir.path().join("a.started"));
    let token = common::token(s.home());
    let step = |doc: &Value, id: &str| -> Value {
        doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|st| st["id"] == id)
            .unwrap()
            .clone()
    };
    // Wait until b is done: c then waits on a alone.
    let deadline = Instant::now() + WITHIN;
    let doc = loop {
        let (_, body) = s.curl(Some(&token), &[], "/workflows/runs/r1");
        let doc: Value = serde_json::from_str(&body).unwrap();
        if step(&doc, "b")["status"] == "completed" {
            break doc;
        }
        assert!(Instant::now() < deadline, "b never completed: {doc:#}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let blocked = step(&doc, "c")["blocked_reason"].clone();
    assert_eq!(blocked["kind"], "workflow_dependency", "{doc:#}");
    assert_eq!(blocked["waiting_on"], json!(["a"]));
    assert!(
        blocked["message"].as_str().unwrap().contains("a"),
        "{blocked}"
    );
    assert_eq!(step(&doc, "a")["blocked_reason"], Value::Null);
    // A step's task exists only once its dependencies are done: a's runs, nothing holds it.
    let a_task = step(&doc, "a")["task_id"].as_str().unwrap().to_string();
    assert_eq!(status(&mut c, &a_task).await.blocked_reason, None);
    // The gRPC run document says the same.
    let run = c
        .get_workflow_run(pb::GetWorkflowRunRequest {
            run_id: "r1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let grpc_doc: Value = serde_json::from_str(&run.document_json).unwrap();
    assert_eq!(
        step(&grpc_doc, "c")["blocked_reason"]["waiting_on"],
        json!(["a"])
    );
    std::fs::write(dir.path().join("go"), "").unwrap();
    let deadline = Instant::now() + WITHIN;
    loop {
        let (_, body) = s.curl(Some(&token), &[], "/workflows/runs/r1");
        let doc: Value = serde_json::from_str(&body).unwrap();
        if doc["status"] == "completed" {
            assert_eq!(step(&doc, "c")["blocked_reason"], Value::Null);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run never completed: {doc:#}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Whether Slurm is here (the cluster started if need be); tests/slurm.rs's rule.
fn cluster() -> bool {
    let installed = Command::new("sinfo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var_os("DSPY_AGENT_REQUIRE_SLURM").is_none(),
            "DSPY_AGENT_REQUIRE_SLURM is set but Slurm is not installed (scripts/setup.sh installs it)"
        );
        eprintln!("SKIPPED: Slurm is not installed (sinfo not found)");
        return false;
    }
    let up = Command::new(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts")
            .join("slurm-up.sh"),
    )
    .output()
    .unwrap();
    assert!(
        up.status.success(),
        "scripts/slurm-up.sh failed: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_slurm_job_gives_slurms_reason() {
    if !cluster() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    // Held by Slurm for an hour: squeue says PENDING (BeginTime).
    let s = Server::start(&format!(
        "[slurm]\npoll_interval_s = 1\nworkdir = \"{}\"\nextra_args = \"--begin=now+1hour\"\n",
        home.path().join("slurm").display()
    ));
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let mut req = request("s1", "gpu_slurm", "true");
    req.gpus = Some(0);
    submit(&mut c, req).await;
    let t = wait_for(&mut c, "s1", "pending in Slurm with a reason", |t| {
        t.slurm.get("state").map(String::as_str) == Some("PENDING")
            && t.slurm.get("reason").is_some_and(|r| !r.is_empty())
    })
    .await;
    let job = t.slurm["job_id"].clone();
    let _job = Scancel(job.clone());
    let r = t.blocked_reason.clone().expect("a pending job is blocked");
    assert_eq!(r.kind, "slurm_pending", "{r:?}");
    assert_eq!(r.slurm_job_id, job);
    assert_eq!(r.slurm_state, "PENDING");
    assert_eq!(r.slurm_reason, "BeginTime", "{r:?}");
    assert!(r.message.contains("BeginTime"), "{}", r.message);
    assert_eq!(http_reason(&s, "s1")["slurm_reason"], "BeginTime");
    let text = s.cli(&["tasks", "why", "s1"]).ok().stdout;
    assert!(
        text.contains(&format!("job {job}, state PENDING, reason BeginTime")),
        "{text}"
    );
    assert!(s.cli(&["tasks"]).ok().stdout.contains("slurm: BeginTime"));
    c.cancel_task(pb::CancelTaskRequest {
        task_id: "s1".into(),
    })
    .await
    .unwrap();
    let done = wait_status(&mut c, "s1", "cancelled").await;
    assert_eq!(done.blocked_reason, None);
}

/// A job cancelled when the test ends, passed or not (the server's scancel may not have run).
struct Scancel(String);

impl Drop for Scancel {
    fn drop(&mut self) {
        let _ = Command::new("scancel").arg(&self.0).output();
    }
}
