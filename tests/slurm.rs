//! gpu_slurm on a real one-node Slurm cluster (munged, slurmctld, slurmd from Debian's
//! slurm-wlm; scripts/slurm-up.sh starts it, idempotently). A real `serve` of the built binary,
//! driven over tonic and HTTP (one helper each: `Server::client`, `Server::http_get`) and the
//! CLI. The tests take turns (one cluster, and one of them stops slurmctld).
//!
//! Without Slurm installed they skip, loudly, unless DSPY_AGENT_REQUIRE_SLURM is set (the test
//! command sets it), in which case they fail.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

use common::Orch;

/// One test at a time on the cluster.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// Whether the cluster is there (started if need be). Skips loudly, or fails when the test
/// command requires Slurm.
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
        eprintln!(
            "SKIPPED: Slurm is not installed (sinfo not found); scripts/setup.sh installs slurm-wlm and munge"
        );
        return false;
    }
    let up = Command::new(script("slurm-up.sh")).output().unwrap();
    assert!(
        up.status.success(),
        "scripts/slurm-up.sh failed: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    true
}

/// A server process on a temporary home with the slurm executor polling every `poll_s`.
struct Server {
    child: Option<Child>,
    home: tempfile::TempDir,
    orch: String,
    http: String,
}

impl Server {
    fn start(poll_s: u32, extra: &str) -> Server {
        let home = tempfile::tempdir().unwrap();
        let config = format!(
            "[slurm]\npoll_interval_s = {poll_s}\nworkdir = \"{}\"\n{extra}",
            home.path().join("slurm").display()
        );
        std::fs::write(home.path().join("config.toml"), config).unwrap();
        let mut s = Server {
            child: None,
            home,
            orch: String::new(),
            http: String::new(),
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home.path().join("server.log"))
            .unwrap();
        let child = self
            .cli()
            .arg("serve")
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let pid = u64::from(child.id());
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state: serde_json::Value =
                std::fs::read_to_string(self.home.path().join("state.json"))
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default();
            if state["serve"]["pid"].as_u64() == Some(pid) {
                self.orch = state["serve"]["orchestrator_addr"].as_str().unwrap().into();
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
        std::fs::read_to_string(self.home.path().join("server.log")).unwrap_or_default()
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn cli(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env("DSPY_AGENT_HOME", self.home.path())
            .env("DSPY_AGENT_PROJECT", "slurmtest")
            .env_remove("ORCHESTRATOR_GRPC_ADDR")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        cmd
    }

    /// Every gRPC call of this file goes through this client.
    async fn client(&self) -> Orch {
        common::orch(&self.orch, self.home.path()).await
    }

    /// Every HTTP request of this file goes through here.
    async fn http_get(&self, path: &str) -> String {
        common::http(self.home.path())
            .get(format!("http://{}{path}", self.http))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// A sample of GET /metrics, `name{labels}` as the exposition writes it (0 when absent).
    async fn metric(&self, sample: &str) -> f64 {
        let text = self.http_get("/metrics").await;
        text.lines()
            .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0.0)
    }

    /// The name all of this server's jobs share (see server::slurm_jobs::Runner).
    fn job_name(&self) -> String {
        use sha2::{Digest, Sha256};
        let home = self.home.path().canonicalize().unwrap();
        let hash = hex::encode(&Sha256::digest(home.to_string_lossy().as_bytes())[..4]);
        format!("dspy-agent-{hash}")
    }

    async fn commands(&self, command: &str) -> f64 {
        self.metric(&format!("slurm_commands_total{{command=\"{command}\"}}"))
            .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
        // Jobs of this test that still wait or run go with it.
        let _ = Command::new("scancel")
            .arg(format!("--name={}", self.job_name()))
            .output();
    }
}

fn request(id: &str, command: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: HashMap::from([(
            "command".to_string(),
            serde_json::json!(["sh", "-c", command]).to_string(),
        )]),
        class: "gpu_slurm".into(),
        ..Default::default()
    }
}

async fn status(c: &mut Orch, id: &str) -> pb::TaskStatus {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .unwrap()
        .into_inner()
}

/// Wait until the task is in `want`; panics with the task when `within` passes.
async fn wait_status(c: &mut Orch, id: &str, want: &str, within: Duration) -> pb::TaskStatus {
    let deadline = Instant::now() + within;
    loop {
        let t = status(c, id).await;
        if t.status == want {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "task {id} not {want} within {within:?}: {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Tasks in `state`, all of them.
async fn list(c: &mut Orch, state: &str) -> Vec<pb::TaskStatus> {
    c.list_tasks(pb::ListTasksRequest {
        status: state.into(),
        class: String::new(),
        limit: 10_000,
    })
    .await
    .unwrap()
    .into_inner()
    .tasks
}

async fn wait_count(c: &mut Orch, state: &str, n: usize, within: Duration) -> Vec<pb::TaskStatus> {
    let deadline = Instant::now() + within;
    loop {
        let tasks = list(c, state).await;
        if tasks.len() >= n {
            return tasks;
        }
        assert!(
            Instant::now() < deadline,
            "{} of {n} tasks {state} after {within:?}; failed: {:?}",
            tasks.len(),
            list(c, "failed").await.first()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The distinct jobs (an array counts once) slurmctld holds under `name`, ended ones included:
/// what was submitted. (NEXT_JOB_ID cannot tell: array elements take job ids as they start.)
fn submitted_jobs(name: &str) -> std::collections::BTreeSet<String> {
    let text = stdout_of(Command::new("squeue").args([
        "-h",
        "--states=all",
        "-r",
        &format!("--name={name}"),
        "-o",
        "%F",
    ]));
    text.split_whitespace().map(str::to_string).collect()
}

/// slurmctld's own count of job-info RPCs (REQUEST_JOB_INFO and REQUEST_JOB_INFO_SINGLE, what
/// squeue sends), from sdiag.
fn sdiag_job_info() -> u64 {
    let text = stdout_of(&mut Command::new("sdiag"));
    text.lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("REQUEST_JOB_INFO ") || l.starts_with("REQUEST_JOB_INFO_SINGLE ")
        })
        .filter_map(|l| {
            l.split("count:")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// The Slurm jobs among `ids` that still wait or run.
fn live_jobs(ids: &[String]) -> Vec<String> {
    if ids.is_empty() {
        return vec![];
    }
    let text = stdout_of(Command::new("squeue").args([
        "-h",
        "-r",
        "-t",
        "PD,R,CG",
        "-o",
        "%i",
        "-j",
        &ids.join(","),
    ]));
    text.split_whitespace().map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_completes_with_its_output_exit_code_and_job_details() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let s = Server::start(1, "");
    let mut c = s.client().await;
    let mut req = request(
        "ok-1",
        "echo out; echo err >&2; echo \"task=$DSPY_TASK_ID attempt=$DSPY_TASK_ATTEMPT\"; cat; echo; echo '{\"score\": 0.5}'",
    );
    req.payload.insert("x".into(), "41".into());
    c.submit_task(req).await.unwrap();
    let t = wait_status(&mut c, "ok-1", "completed", Duration::from_secs(60)).await;
    assert_eq!(t.executor, "slurm");
    assert_eq!(t.attempt, 1);
    let r = &t.result;
    assert_eq!(r["exit_code"], "0", "{t:?}");
    assert!(
        r["stdout_tail"].contains("out\ntask=ok-1 attempt=1\n"),
        "{t:?}"
    );
    assert!(
        r["stdout_tail"].contains("\"x\":41"),
        "payload on stdin: {t:?}"
    );
    assert_eq!(r["stderr_tail"], "err\n");
    assert_eq!(r["score"], "0.5", "JSON last line: {t:?}");
    assert_eq!(r["slurm_state"], "COMPLETED");
    assert_eq!(t.slurm["job_id"], r["slurm_job_id"]);
    assert!(!t.slurm["node"].is_empty(), "{t:?}");

    // The CLI: submit --wait gets the result; tasks show gives the job's details.
    let out = s
        .cli()
        .args(["submit", "--class", "gpu_slurm", "--payload"])
        .arg(r#"{"command": "echo hello from slurm"}"#)
        .args(["--wait", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"], "completed");
    assert_eq!(doc["result"]["stdout_tail"], "hello from slurm\n");
    assert!(
        doc["slurm"]["job_id"]
            .as_str()
            .is_some_and(|j| !j.is_empty())
    );
    let shown = stdout_of(s.cli().args(["tasks", "show", "ok-1"]));
    assert!(
        shown.contains(&format!("slurm:     job {}, node ", r["slurm_job_id"])),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_job_is_retried_then_fails_with_its_exit_code() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let s = Server::start(1, "[scheduler]\nretry_backoff_ms = 100\n");
    let mut c = s.client().await;
    let mut req = request("fails", "echo \"try $DSPY_TASK_ATTEMPT\" >&2; exit 3");
    req.max_attempts = 2;
    c.submit_task(req).await.unwrap();
    let t = wait_status(&mut c, "fails", "failed", Duration::from_secs(60)).await;
    assert_eq!(t.attempt, 2);
    assert!(t.error.contains("exited with code 3"), "{t:?}");
    assert_eq!(t.result["stderr_tail"], "try 2\n");
    assert_eq!(s.commands("sbatch").await, 2.0, "one sbatch per attempt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_live_jobs_cost_one_squeue_per_interval_then_timeout_and_batched_cancel() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let poll = 2u32;
    let s = Server::start(poll, "");
    let mut c = s.client().await;
    // Over its one-minute limit: Slurm ends it as TIMEOUT.
    let mut limited = request("limited", "sleep 300");
    limited.timeout_seconds = 60.0;
    limited.max_attempts = 1;
    c.submit_task(limited).await.unwrap();
    let submits = (0..199).map(|i| {
        let mut c = c.clone();
        async move {
            c.submit_task(request(&format!("live-{i}"), "sleep 600"))
                .await
        }
    });
    for r in futures_util::future::join_all(submits).await {
        r.unwrap();
    }
    let running = wait_count(&mut c, "running", 200, Duration::from_secs(60)).await;
    let jobs: Vec<String> = running.iter().map(|t| t.slurm["job_id"].clone()).collect();

    let squeue_before = s.commands("squeue").await;
    let rpc_before = sdiag_job_info();
    let minute = Instant::now();
    tokio::time::sleep(Duration::from_secs(60)).await;
    let squeue_calls = s.commands("squeue").await - squeue_before;
    let rpcs = sdiag_job_info() - rpc_before;
    let elapsed = minute.elapsed().as_secs_f64();
    let bound = (elapsed / f64::from(poll)).floor() + 1.0;
    assert!(
        squeue_calls <= bound && squeue_calls >= 10.0,
        "{squeue_calls} squeue calls in {elapsed:.1}s with 200 live jobs (bound {bound})"
    );
    assert!(
        (rpcs as f64) <= squeue_calls + 2.0,
        "slurmctld saw {rpcs} job-info RPCs for {squeue_calls} squeue calls (sdiag)"
    );
    let polls = s.metric("slurm_poll_seconds_count").await;
    assert!(polls >= squeue_calls, "{polls} polls recorded");

    let t = wait_status(&mut c, "limited", "failed", Duration::from_secs(120)).await;
    assert!(t.error.contains("TIMEOUT"), "{t:?}");
    assert_eq!(t.slurm["state"], "TIMEOUT");

    // Cancel the 199 at once: a few scancel calls, not 199.
    let scancel_before = s.commands("scancel").await;
    let cancels = (0..199).map(|i| {
        let mut c = c.clone();
        async move {
            c.cancel_task(pb::CancelTaskRequest {
                task_id: format!("live-{i}"),
            })
            .await
        }
    });
    for r in futures_util::future::join_all(cancels).await {
        assert!(r.unwrap().into_inner().cancelled);
    }
    wait_count(&mut c, "cancelled", 199, Duration::from_secs(10)).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while !live_jobs(&jobs).is_empty() {
        assert!(
            Instant::now() < deadline,
            "jobs still live after cancel: {:?}",
            live_jobs(&jobs)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let scancels = s.commands("scancel").await - scancel_before;
    assert!(
        (1.0..=5.0).contains(&scancels),
        "{scancels} scancel calls for 199 cancellations"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_with_20_jobs_then_a_restart_adopts_them_and_submits_none() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let mut s = Server::start(1, "");
    let mut c = s.client().await;
    for i in 0..20 {
        // Half end while the server is down: their results come from their files.
        let secs = if i % 2 == 0 { 1 } else { 12 };
        let req = request(
            &format!("adopt-{i}"),
            &format!("sleep {secs}; echo done {i}"),
        );
        c.submit_task(req).await.unwrap();
    }
    let running = wait_count(&mut c, "running", 20, Duration::from_secs(30)).await;
    let before: BTreeMap<String, String> = running
        .iter()
        .map(|t| (t.task_id.clone(), t.slurm["job_id"].clone()))
        .collect();
    assert_eq!(before.len(), 20);
    let submitted = submitted_jobs(&s.job_name());
    assert!(!submitted.is_empty());
    s.kill9();
    tokio::time::sleep(Duration::from_secs(4)).await;
    s.spawn();
    let mut c = s.client().await;
    let done = wait_count(&mut c, "completed", 20, Duration::from_secs(90)).await;
    for t in &done {
        assert_eq!(t.attempt, 1, "{t:?}");
        assert_eq!(t.slurm["job_id"], before[&t.task_id], "{t:?}");
        let i = t.task_id.trim_start_matches("adopt-");
        assert_eq!(t.result["stdout_tail"], format!("done {i}\n"), "{t:?}");
    }
    assert_eq!(
        submitted_jobs(&s.job_name()),
        submitted,
        "the restart submitted jobs again"
    );
    assert_eq!(s.commands("sbatch").await, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_submitted_at_once_go_as_one_array() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let s = Server::start(1, "");
    let c = s.client().await;
    let submits = (0..50).map(|i| {
        let mut c = c.clone();
        async move {
            c.submit_task(request(&format!("item-{i}"), "echo item $DSPY_TASK_ID"))
                .await
        }
    });
    for r in futures_util::future::join_all(submits).await {
        r.unwrap();
    }
    let mut c = c.clone();
    let done = wait_count(&mut c, "completed", 50, Duration::from_secs(90)).await;
    let mut arrays: BTreeMap<String, usize> = BTreeMap::new();
    for t in &done {
        assert_eq!(
            t.result["stdout_tail"],
            format!("item {}\n", t.task_id),
            "{t:?}"
        );
        let job = &t.slurm["job_id"];
        let base = job.split('_').next().unwrap().to_string();
        *arrays.entry(base).or_default() += 1;
    }
    let sbatch = s.commands("sbatch").await;
    assert!(
        sbatch <= 3.0,
        "{sbatch} sbatch calls for 50 tasks: {arrays:?}"
    );
    assert!(
        arrays.values().any(|n| *n >= 40),
        "no array holds most of the tasks: {arrays:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workflow_map_on_gpu_slurm_goes_as_one_array_throttled_to_max_parallel() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let s = Server::start(1, "");
    let mut c = s.client().await;
    let spec = serde_json::json!({
        "name": "sweep",
        "params": {"xs": (0..12).collect::<Vec<u32>>()},
        "steps": [{
            "id": "train",
            "class": "gpu_slurm",
            "map": "${params.xs}",
            "max_parallel": 3,
            "payload": {"command": ["sh", "-c", "echo '{\"ok\": true}'"]},
        }],
    });
    c.create_workflow(pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    })
    .await
    .unwrap();
    c.start_workflow_run(pb::StartWorkflowRunRequest {
        workflow: "sweep".into(),
        run_id: "sweep-1".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let done = wait_count(&mut c, "completed", 12, Duration::from_secs(120)).await;
    let bases: std::collections::BTreeSet<String> = done
        .iter()
        .map(|t| t.slurm["job_id"].split('_').next().unwrap().to_string())
        .collect();
    assert_eq!(bases.len(), 1, "the 12 items ran as {bases:?}");
    let sbatch = s.commands("sbatch").await;
    assert_eq!(sbatch, 1.0, "{sbatch} sbatch calls for one map step");
    // The array's own script carries the step's throttle.
    let mut scripts = Vec::new();
    let mut dirs = vec![s.home.path().join("slurm")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p)
                && t.contains("#SBATCH --array=")
            {
                scripts.push(t);
            }
        }
    }
    assert_eq!(scripts.len(), 1, "{scripts:?}");
    assert!(
        scripts[0].contains("#SBATCH --array=0-11%3"),
        "{}",
        scripts[0]
    );
}

/// Starts slurmctld again when dropped, so a failing test leaves the cluster up.
struct RestartController;
impl Drop for RestartController {
    fn drop(&mut self) {
        let _ = Command::new(script("slurm-up.sh")).output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slurmctld_down_for_30s_marks_nothing_failed() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let s = Server::start(1, "unknown_grace_s = 3\n");
    let mut c = s.client().await;
    for i in 0..5 {
        c.submit_task(request(&format!("through-{i}"), "sleep 40; echo survived"))
            .await
            .unwrap();
    }
    wait_count(&mut c, "running", 5, Duration::from_secs(30)).await;
    let _restart = RestartController;
    let stop = Command::new("scontrol")
        .args(["shutdown", "slurmctld"])
        .output()
        .unwrap();
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let down_since = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let health: serde_json::Value = serde_json::from_str(&s.http_get("/health").await).unwrap();
        if health["slurm"]["reachable"] == false {
            assert!(health["slurm"]["error"].as_str().is_some(), "{health}");
            break;
        }
        assert!(Instant::now() < deadline, "/health never said so: {health}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let status = stdout_of(s.cli().args(["serve", "status"]));
    assert!(status.contains("slurmctld unreachable"), "{status}");
    // Submitted while it is down: waits in the queue.
    c.submit_task(request("while-down", "echo late"))
        .await
        .unwrap();
    while down_since.elapsed() < Duration::from_secs(30) {
        assert!(list(&mut c, "failed").await.is_empty());
        assert_eq!(status_of(&mut c, "while-down").await, "queued");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let up = Command::new(script("slurm-up.sh")).output().unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let done = wait_count(&mut c, "completed", 6, Duration::from_secs(120)).await;
    for t in &done {
        assert_eq!(t.attempt, 1, "{t:?}");
    }
    let health: serde_json::Value = serde_json::from_str(&s.http_get("/health").await).unwrap();
    assert_eq!(health["slurm"]["reachable"], true, "{health}");
}

async fn status_of(c: &mut Orch, id: &str) -> String {
    status(c, id).await.status
}

/// The job script a task's attempt got, wherever the workdir put it.
fn job_script(home: &Path, id: &str, attempt: u32) -> String {
    let root = home.join("slurm");
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry
            .unwrap()
            .path()
            .join(id)
            .join(attempt.to_string())
            .join("job.sh");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return text;
        }
    }
    panic!("no job.sh for {id} under {}", root.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_nothing_hangs() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    // No sbatch: refused at submission, naming the setting.
    {
        let s = Server::start(1, "sbatch = \"/nonexistent/sbatch\"\n");
        let mut c = s.client().await;
        let e = c.submit_task(request("nosb", "true")).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
        assert!(e.message().contains("slurm.sbatch"), "{e:?}");
    }
    let s = Server::start(1, "");
    let mut c = s.client().await;
    // Below Slurm's minute.
    let mut short = request("short", "true");
    short.timeout_seconds = 30.0;
    let e = c.submit_task(short).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
    assert!(e.message().contains("minimum"), "{e:?}");

    // GPUs, GPU memory and cpus become sbatch arguments; this cluster has no GPU (no gres), so
    // sbatch rejects the job and the task fails with sbatch's words.
    let mut gpu = request("wants-gpus", "nvidia-smi");
    gpu.gpus = Some(2);
    gpu.gpu_memory_mb = Some(2048);
    gpu.max_attempts = 1;
    gpu.payload
        .insert("resources".into(), r#"{"cpus": 2}"#.into());
    c.submit_task(gpu).await.unwrap();
    let t = wait_status(&mut c, "wants-gpus", "failed", Duration::from_secs(30)).await;
    assert!(t.error.contains("sbatch failed"), "{t:?}");
    let script = job_script(s.home.path(), "wants-gpus", 1);
    for line in [
        "#SBATCH --gres=gpu:2",
        "#SBATCH --mem=2048M",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --time=1440",
        "#SBATCH --comment=wants-gpus@1",
    ] {
        assert!(script.contains(line), "{line} missing:\n{script}");
    }

    // The exit-code file cannot be written: the task fails with the reason.
    let mut lost = request("lost-output", "mkdir exit_code.tmp");
    lost.max_attempts = 1;
    c.submit_task(lost).await.unwrap();
    let t = wait_status(&mut c, "lost-output", "failed", Duration::from_secs(30)).await;
    assert!(t.error.contains("no exit code file"), "{t:?}");
}

/// Whether `sinfo` gets an answer from slurmctld.
fn controller_answers() -> bool {
    Command::new("sinfo")
        .arg("-h")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_slurm_forgot_is_unknown_for_the_grace_period_then_retried() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    let grace = 8u64;
    // --begin keeps the job pending, so it never leaves an exit-code file.
    let s = Server::start(
        1,
        &format!("unknown_grace_s = {grace}\nextra_args = \"--begin=now+3600\"\n"),
    );
    let mut c = s.client().await;
    let mut req = request("forgotten", "true");
    req.max_attempts = 2;
    c.submit_task(req).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let first = loop {
        let t = status(&mut c, "forgotten").await;
        if t.slurm.get("reason").is_some_and(|r| r == "BeginTime") {
            break t;
        }
        assert!(
            Instant::now() < deadline,
            "never pending for BeginTime: {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(first.slurm["state"], "PENDING");
    let job = first.slurm["job_id"].clone();

    // A controller that starts clean (`slurmctld -c`) forgets every job: the one way to make a
    // job vanish from squeue without waiting MinJobAge (and this cluster has no sacct).
    let _restart = RestartController;
    let stop = Command::new("scontrol")
        .args(["shutdown", "slurmctld"])
        .output()
        .unwrap();
    assert!(
        stop.status.success(),
        "{}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while controller_answers() {
        assert!(Instant::now() < deadline, "slurmctld did not stop");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The unknown clock cannot start before the controller answers again.
    let forgotten_at = Instant::now();
    let clean = Command::new("slurmctld").arg("-c").status().unwrap();
    assert!(clean.success());
    let up = Command::new(script("slurm-up.sh")).output().unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );

    // Within the grace period: still the same running attempt.
    tokio::time::sleep(Duration::from_secs(grace / 2).saturating_sub(forgotten_at.elapsed())).await;
    let t = status(&mut c, "forgotten").await;
    assert_eq!((t.status.as_str(), t.attempt), ("running", 1), "{t:?}");
    assert_eq!(t.slurm["job_id"], job);

    // After it: the attempt fails as vanished, and the task is submitted again.
    let deadline = Instant::now() + Duration::from_secs(60);
    let t = loop {
        let t = status(&mut c, "forgotten").await;
        if t.attempt == 2 {
            break t;
        }
        assert!(Instant::now() < deadline, "never retried: {t:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        forgotten_at.elapsed() >= Duration::from_secs(grace),
        "retried before the grace ended"
    );
    assert!(t.error.contains("neither squeue nor sacct"), "{t:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_payload_runs_in_the_job_through_the_container_runtime() {
    let _turn = SERIAL.lock().await;
    if !cluster() {
        return;
    }
    // The local test image (scripts/build-test-images.sh), through docker inside the job.
    let s = Server::start(1, "container_runtime = \"docker\"\n");
    let mut c = s.client().await;
    let mut req = request("boxed", "");
    req.payload = HashMap::from([
        (
            "image".to_string(),
            "\"dspy-test/busybox:latest\"".to_string(),
        ),
        (
            "command".to_string(),
            serde_json::json!(["sh", "-c", "echo in $DSPY_TASK_ID; cat"]).to_string(),
        ),
        ("n".to_string(), "7".to_string()),
    ]);
    req.max_attempts = 1;
    c.submit_task(req).await.unwrap();
    let t = wait_status(&mut c, "boxed", "completed", Duration::from_secs(60)).await;
    assert!(t.result["stdout_tail"].starts_with("in boxed\n"), "{t:?}");
    assert!(
        t.result["stdout_tail"].contains("\"n\":7"),
        "payload on stdin: {t:?}"
    );
}
