//! GPUs without a GPU: `dspy-agent gpu` on this machine's (absent) driver, and GPU-aware
//! scheduling against a real `serve` with a simulated inventory of 1-2 fake GPUs
//! (DSPY_AGENT_GPU_INVENTORY). Every fake UUID is unique to its test, so servers running side
//! by side never see each other's processes on "their" GPUs.
//!
//! Every gRPC client comes from `Server::orch`/`Server::env_manager` and every HTTP request
//! goes through `http`, so that a credential can be added in one place.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{BIN, Env};
use dspy_agent::proto::env_manager as em;
use dspy_agent::proto::orchestrator as pb;

use common::Orch;

/// A unique fake UUID.
fn uuid(test: &str, i: usize) -> String {
    format!("GPU-{}-{test}-{i}", std::process::id())
}

/// A simulated inventory of GPUs with these (total, used) MiB.
fn inventory_json(test: &str, gpus: &[(u64, u64)]) -> String {
    let gpus: Vec<serde_json::Value> = gpus
        .iter()
        .enumerate()
        .map(|(i, (total, used))| {
            serde_json::json!({
                "uuid": uuid(test, i),
                "name": "Simulated GPU",
                "memory_total_mb": total,
                "memory_used_mb": used,
                "utilization_gpu_pct": 7,
            })
        })
        .collect();
    serde_json::json!({"driver_version": "550.0", "cuda_version": "12.4", "gpus": gpus}).to_string()
}

struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    project: String,
    orch: String,
    env: String,
    http: String,
}

impl Server {
    /// A server on a simulated inventory written to its home (None: the real NVML one).
    fn start(inventory: Option<&str>, config: &str) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path();
        std::fs::write(home.join("config.toml"), config).unwrap();
        let project = format!("gpu{}-{}", std::process::id(), fastrand::u32(..));
        let mut cmd = Command::new(BIN);
        cmd.env("DSPY_AGENT_HOME", home)
            .env("DSPY_AGENT_PROJECT", &project)
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env_remove("ORCHESTRATOR_GRPC_ADDR")
            .env_remove("ENV_MANAGER_GRPC_ADDR")
            .env_remove("CUDA_VISIBLE_DEVICES")
            .env_remove("DSPY_AGENT_GPU_INVENTORY");
        if let Some(text) = inventory {
            let path = home.join("gpus.json");
            std::fs::write(&path, text).unwrap();
            cmd.env("DSPY_AGENT_GPU_INVENTORY", &path);
        }
        let log = std::fs::File::create(home.join("server.log")).unwrap();
        let mut child = cmd
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let log_path = home.join("server.log");
        let state = common::wait_for_serve(&mut child, home, Duration::from_secs(20), || {
            std::fs::read_to_string(&log_path).unwrap_or_default()
        });
        let addr = |k: &str| state[k].as_str().unwrap().to_string();
        Server {
            orch: addr("orchestrator_addr"),
            env: addr("env_manager_addr"),
            http: addr("http_addr"),
            child: Some(child),
            dir,
            project,
        }
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn inventory_path(&self) -> PathBuf {
        self.home().join("gpus.json")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("server.log")).unwrap_or_default()
    }

    /// The one way this file makes an orchestrator client.
    async fn orch(&self) -> Orch {
        common::orch(&self.orch, self.home()).await
    }

    /// The one way this file makes an env manager client.
    async fn env_manager(&self) -> common::EnvClient {
        common::env_manager(&self.env, self.home()).await
    }

    fn cli(&self, args: &[&str]) -> common::Run {
        let out = Command::new(BIN)
            .env("DSPY_AGENT_HOME", self.home())
            .env("DSPY_AGENT_PROJECT", &self.project)
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", &self.orch)
            .env_remove("ORCHESTRATOR_GRPC_ADDR")
            .env("NO_COLOR", "1")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        common::to_run(out)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        remove_containers(&self.project);
    }
}

/// Remove the task containers of `project` (created by the container test).
fn remove_containers(project: &str) {
    let out = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label=dspy-agent.project={project}"),
        ])
        .output();
    if let Ok(out) = out {
        for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", id]).output();
        }
    }
}

/// The one way this file speaks HTTP: real curl. Returns (status, body).
fn http(server: &Server, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-m", "10", "-X", method, "-w", "\n%{http_code}"])
        .args(common::curl_auth(server.home()))
        .arg(format!("http://{}{path}", server.http));
    if let Some(b) = body {
        cmd.args(["-H", "Content-Type: application/json", "--data-binary", b]);
    }
    let out = cmd.output().expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

fn submit_req(id: &str, command: &str, gpus: Option<i32>) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: HashMap::from([(
            "command".to_string(),
            serde_json::json!(command).to_string(),
        )]),
        class: "gpu".into(),
        max_attempts: 1,
        gpus,
        ..Default::default()
    }
}

/// A task that reports its GPU environment, says it started, then waits for `go`.
fn held_task(dir: &Path, id: &str) -> String {
    format!(
        "echo \"{{\\\"cvd\\\": \\\"$CUDA_VISIBLE_DEVICES\\\", \\\"order\\\": \\\"$CUDA_DEVICE_ORDER\\\"}}\"; touch {d}/{id}.started; while [ ! -f {d}/go ]; do sleep 0.05; done",
        d = dir.display()
    )
}

async fn status(c: &mut Orch, id: &str) -> pb::TaskStatus {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .unwrap()
        .into_inner()
}

/// Wait until the task has `want` status.
async fn wait_status(c: &mut Orch, id: &str, want: &str, within: Duration) -> pb::TaskStatus {
    let deadline = Instant::now() + within;
    loop {
        let t = status(c, id).await;
        if t.status == want {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "task {id} is {} after {within:?}, expected {want}: {t:?}",
            t.status
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn metric(c: &mut Orch, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    c.get_metrics(pb::GetMetricsRequest {
        metric_names: vec![name.into()],
    })
    .await
    .unwrap()
    .into_inner()
    .metrics
    .into_iter()
    .find(|m| {
        m.name == name
            && labels
                .iter()
                .all(|(k, v)| m.labels.get(*k).map(String::as_str) == Some(*v))
    })
    .map(|m| m.value)
}

/// Wait until `name{labels}` satisfies `ok`; returns the value.
async fn wait_metric(
    c: &mut Orch,
    name: &str,
    labels: &[(&str, &str)],
    ok: impl Fn(f64) -> bool,
    within: Duration,
) -> f64 {
    let deadline = Instant::now() + within;
    loop {
        let v = metric(c, name, labels).await;
        if let Some(v) = v.filter(|v| ok(*v)) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{name}{labels:?} is {v:?} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn gpus_seen(s: &Server) -> Vec<em::Gpu> {
    s.env_manager()
        .await
        .get_resource_availability(em::GetResourceAvailabilityRequest {})
        .await
        .unwrap()
        .into_inner()
        .gpus
}

fn wait_file(path: &Path, within: Duration) {
    let deadline = Instant::now() + within;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn gpu_command_without_a_driver_is_empty_with_the_reason() {
    let env = Env::new("gpu-none").env("DSPY_AGENT_GPU_INVENTORY", "");
    let out = env.run(&["gpu", "--json"]).ok();
    let doc = out.json();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "source",
            "driver_version",
            "cuda_version",
            "gpus",
            "reason"
        ]
    );
    if Path::new("/proc/driver/nvidia/gpus").exists() {
        return; // a machine with a driver: scripts/gpu-check.sh covers it
    }
    assert_eq!(doc["gpus"], serde_json::json!([]));
    let reason = doc["reason"].as_str().unwrap();
    assert!(reason.contains("libnvidia-ml.so.1"), "{reason}");
    assert!(out.stderr.contains(reason), "{}", out.stderr);
    let table = env.run(&["gpu"]).ok();
    assert!(table.stdout.is_empty(), "{}", table.stdout);
    assert!(table.stderr.contains("no GPU"), "{}", table.stderr);
    let req = env.run(&["gpu", "--require"]).code(1);
    assert!(req.stderr.contains("--require"), "{}", req.stderr);
}

#[test]
fn gpu_command_shows_a_simulated_inventory_and_its_owned_processes() {
    let env = Env::new("gpu-sim");
    let path = env.home().join("gpus.json");
    std::fs::write(&path, inventory_json("cmd", &[(16384, 1024), (16384, 0)])).unwrap();
    let env = env.env("DSPY_AGENT_GPU_INVENTORY", path.to_str().unwrap());
    // A process that holds GPU 1 the way the simulated inventory sees it, owned by a task.
    let mut holder = Command::new("sleep")
        .arg("30")
        .env("CUDA_VISIBLE_DEVICES", uuid("cmd", 1))
        .env("DSPY_TASK_ID", "owner-task")
        .spawn()
        .unwrap();
    let doc = env.run(&["gpu", "--json"]).ok().json();
    let table = env.run(&["gpu"]).ok().stdout;
    let watch = env
        .command(&["gpu", "--watch", "0.2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(doc["source"], "simulated");
    assert_eq!(doc["driver_version"], "550.0");
    assert_eq!(doc["gpus"].as_array().unwrap().len(), 2);
    assert_eq!(doc["gpus"][0]["memory_free_mb"], 15360);
    let procs = &doc["gpus"][1]["processes"];
    assert_eq!(procs[0]["pid"], holder.id());
    assert_eq!(procs[0]["task_id"], "owner-task");
    assert!(doc["reason"].is_null());
    assert!(table.contains("1024/16384 MiB"), "{table}");
    assert!(table.contains("task owner-task"), "{table}");
    // Off a terminal, --watch is NDJSON: two documents arrive.
    let mut watch = watch;
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(watch.stdout.take().unwrap()));
    for _ in 0..2 {
        let line = lines.next().unwrap().unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["schema_version"], 1);
        assert_eq!(v["gpus"].as_array().unwrap().len(), 2);
    }
    let _ = watch.kill();
    let _ = watch.wait();
}

#[test]
fn a_malformed_simulated_inventory_exits_2_naming_the_file() {
    let env = Env::new("gpu-bad");
    let path = env.home().join("broken-gpus.json");
    std::fs::write(
        &path,
        r#"{"gpus": [{"uuid": "a", "memory_total_mb": "lots"}]}"#,
    )
    .unwrap();
    let env = env.env("DSPY_AGENT_GPU_INVENTORY", path.to_str().unwrap());
    for args in [&["gpu"][..], &["serve"][..]] {
        let out = env.run(args).code(2);
        assert!(out.stderr.contains("broken-gpus.json"), "{}", out.stderr);
    }
}

#[tokio::test]
async fn two_one_gpu_tasks_share_two_gpus_and_a_third_waits() {
    let inv = inventory_json("pair", &[(16384, 0), (16384, 0)]);
    let s = Server::start(Some(&inv), "");
    let mut c = s.orch().await;
    let dir = s.home().to_path_buf();
    for id in ["a", "b", "c"] {
        c.submit_task(submit_req(id, &held_task(&dir, id), None))
            .await
            .unwrap();
    }
    // Both run at once (the gpu class's concurrency is the GPU count, 2), the third waits.
    wait_file(&dir.join("a.started"), Duration::from_secs(15));
    wait_file(&dir.join("b.started"), Duration::from_secs(15));
    let a = status(&mut c, "a").await;
    let b = status(&mut c, "b").await;
    assert_eq!(a.gpu_uuids.len(), 1, "{a:?}");
    assert_eq!(b.gpu_uuids.len(), 1, "{b:?}");
    assert_ne!(a.gpu_uuids, b.gpu_uuids);
    assert_eq!(status(&mut c, "c").await.status, "queued");
    // gpu_wait_seconds rises while c waits for a device.
    let w = wait_metric(
        &mut c,
        "gpu_wait_seconds",
        &[],
        |v| v >= 0.5,
        Duration::from_secs(10),
    )
    .await;
    assert!(w >= 0.5);
    assert_eq!(status(&mut c, "c").await.status, "queued");
    // Per-GPU gauges: both allocated; the same over gRPC metrics, /metrics and the env manager.
    for i in 0..2 {
        let u = uuid("pair", i);
        let labels = [("gpu", &*i.to_string()), ("uuid", &*u)];
        assert_eq!(metric(&mut c, "gpu_allocated", &labels).await, Some(1.0));
        assert_eq!(
            metric(&mut c, "gpu_memory_total_bytes", &labels).await,
            Some(16384.0 * 1024.0 * 1024.0)
        );
    }
    let (code, text) = http(&s, "GET", "/metrics", None);
    assert_eq!(code, 200);
    let line = format!("gpu_allocated{{gpu=\"0\",uuid=\"{}\"}} 1", uuid("pair", 0));
    assert!(text.contains(&line), "{line} not in\n{text}");
    let path = s.home().join("metrics.txt");
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
    let seen = gpus_seen(&s).await;
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|g| g.allocated), "{seen:?}");
    // The task document and `tasks show` name the GPU.
    let (code, doc) = http(&s, "GET", "/tasks/a", None);
    assert_eq!(code, 200, "{doc}");
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["gpu_uuids"], serde_json::json!(a.gpu_uuids));
    assert_eq!(doc["gpus"], 1);
    let shown = s.cli(&["tasks", "show", "a"]).ok().stdout;
    assert!(shown.contains(&a.gpu_uuids[0]), "{shown}");

    std::fs::write(dir.join("go"), "").unwrap();
    for id in ["a", "b", "c"] {
        let t = wait_status(&mut c, id, "completed", Duration::from_secs(20)).await;
        // The task saw exactly its own device, by UUID, in PCI bus order.
        assert_eq!(t.result["cvd"], t.gpu_uuids.join(","), "{t:?}");
        assert_eq!(t.result["order"], "PCI_BUS_ID");
    }
    wait_metric(
        &mut c,
        "gpu_wait_seconds",
        &[],
        |v| v == 0.0,
        Duration::from_secs(5),
    )
    .await;
}

#[tokio::test]
async fn a_two_gpu_task_waits_for_both() {
    let inv = inventory_json("both", &[(8192, 0), (8192, 0)]);
    let s = Server::start(Some(&inv), "");
    let mut c = s.orch().await;
    let dir = s.home().to_path_buf();
    c.submit_task(submit_req("one", &held_task(&dir, "one"), Some(1)))
        .await
        .unwrap();
    wait_file(&dir.join("one.started"), Duration::from_secs(15));
    let two = format!(
        "echo \"{{\\\"cvd\\\": \\\"$CUDA_VISIBLE_DEVICES\\\"}}\"; touch {}/two.started",
        dir.display()
    );
    c.submit_task(submit_req("two", &two, Some(2)))
        .await
        .unwrap();
    // A 1-GPU task submitted later does not overtake it.
    c.submit_task(submit_req("later", "true", Some(1)))
        .await
        .unwrap();
    wait_metric(
        &mut c,
        "gpu_wait_seconds",
        &[],
        |v| v >= 0.3,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(status(&mut c, "two").await.status, "queued");
    assert_eq!(status(&mut c, "later").await.status, "queued");
    std::fs::write(dir.join("go"), "").unwrap();
    let t = wait_status(&mut c, "two", "completed", Duration::from_secs(20)).await;
    let mut got: Vec<&str> = t.result["cvd"].split(',').collect();
    got.sort();
    assert_eq!(got, [uuid("both", 0), uuid("both", 1)]);
    wait_status(&mut c, "later", "completed", Duration::from_secs(20)).await;
}

#[tokio::test]
async fn gpu_memory_beyond_what_is_free_waits_until_it_frees() {
    // 16 GiB GPUs with 12 GiB in use: 8 GiB does not fit until the memory frees.
    let s = Server::start(Some(&inventory_json("mem", &[(16384, 12288)])), "");
    let mut c = s.orch().await;
    let mut r = submit_req(
        "big",
        "echo \"{\\\"cvd\\\": \\\"$CUDA_VISIBLE_DEVICES\\\"}\"",
        None,
    );
    r.gpu_memory_mb = Some(8192);
    c.submit_task(r).await.unwrap();
    wait_metric(
        &mut c,
        "gpu_wait_seconds",
        &[],
        |v| v >= 0.5,
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(status(&mut c, "big").await.status, "queued");
    std::fs::write(s.inventory_path(), inventory_json("mem", &[(16384, 1024)])).unwrap();
    let t = wait_status(&mut c, "big", "completed", Duration::from_secs(15)).await;
    assert_eq!(t.result["cvd"], uuid("mem", 0));
    assert_eq!(t.gpu_memory_mb, 8192);
}

#[tokio::test]
async fn a_leaked_child_quarantines_the_gpu_until_it_exits() {
    let s = Server::start(
        Some(&inventory_json("leak", &[(8192, 0)])),
        "[scheduler]\ngpu_release_grace_s = 0.5\n",
    );
    let mut c = s.orch().await;
    let dir = s.home().to_path_buf();
    // The task ends at once, leaving a child that keeps CUDA_VISIBLE_DEVICES (so the simulated
    // inventory shows it on the GPU) until the test lets it go.
    let leak = format!(
        "sh -c 'while [ ! -f {d}/free ]; do sleep 0.05; done' >/dev/null 2>&1 &",
        d = dir.display()
    );
    c.submit_task(submit_req("leaky", &leak, None))
        .await
        .unwrap();
    wait_status(&mut c, "leaky", "completed", Duration::from_secs(15)).await;
    let u = uuid("leak", 0);
    let labels = [("gpu", "0"), ("uuid", u.as_str())];
    wait_metric(
        &mut c,
        "gpu_quarantined",
        &labels,
        |v| v == 1.0,
        Duration::from_secs(10),
    )
    .await;
    assert!(s.log().contains("quarantined"), "{}", s.log());
    let seen = gpus_seen(&s).await;
    assert!(
        seen[0].quarantined && seen[0].task_id == "leaky",
        "{seen:?}"
    );
    // The next GPU task waits for the quarantined device.
    c.submit_task(submit_req("next", "true", None))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(status(&mut c, "next").await.status, "queued");
    std::fs::write(dir.join("free"), "").unwrap();
    wait_status(&mut c, "next", "completed", Duration::from_secs(15)).await;
    wait_metric(
        &mut c,
        "gpu_quarantined",
        &labels,
        |v| v == 0.0,
        Duration::from_secs(10),
    )
    .await;
    assert!(s.log().contains("released from quarantine"), "{}", s.log());
}

#[tokio::test]
async fn container_tasks_ask_docker_for_exactly_their_device_ids() {
    if Command::new("docker")
        .args(["image", "inspect", "dspy-test/busybox:latest"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        panic!("the test image dspy-test/busybox:latest is missing: run scripts/setup.sh");
    }
    let s = Server::start(Some(&inventory_json("ctr", &[(8192, 0), (8192, 0)])), "");
    let mut c = s.orch().await;
    let r = pb::SubmitTaskRequest {
        task_id: "ctr".into(),
        payload: HashMap::from([
            (
                "image".to_string(),
                serde_json::json!("dspy-test/busybox:latest").to_string(),
            ),
            (
                "command".to_string(),
                serde_json::json!(["sleep", "30"]).to_string(),
            ),
        ]),
        class: "gpu".into(),
        max_attempts: 1,
        gpus: Some(1),
        ..Default::default()
    };
    c.submit_task(r).await.unwrap();
    // Created at least; on this GPU-less engine the start fails and the container is kept
    // for inspection; an engine with the NVIDIA toolkit runs it.
    let deadline = Instant::now() + Duration::from_secs(20);
    let container = loop {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", "label=dspy-agent.task=ctr"])
            .args([
                "--filter",
                &format!("label=dspy-agent.project={}", s.project),
            ])
            .output()
            .unwrap();
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !id.is_empty() {
            break id;
        }
        assert!(Instant::now() < deadline, "no container: {}", s.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let t = status(&mut c, "ctr").await;
    assert_eq!(t.gpu_uuids.len(), 1, "{t:?}");
    let out = Command::new("docker")
        .args([
            "inspect",
            "--format",
            "{{json .HostConfig.DeviceRequests}}",
            &container,
        ])
        .output()
        .unwrap();
    let requests: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(requests.as_array().map(Vec::len), Some(1), "{requests}");
    assert_eq!(requests[0]["Driver"], "nvidia");
    assert_eq!(requests[0]["DeviceIDs"], serde_json::json!(t.gpu_uuids));
    assert_eq!(requests[0]["Capabilities"], serde_json::json!([["gpu"]]));
    let env = Command::new("docker")
        .args(["inspect", "--format", "{{json .Config.Env}}", &container])
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&env.stdout);
    assert!(
        env.contains(&format!("CUDA_VISIBLE_DEVICES={}", t.gpu_uuids[0])),
        "{env}"
    );
    // On an engine without NVIDIA's runtime the attempt fails and says the container is kept;
    // either way the GPU comes back.
    let _ = c
        .cancel_task(pb::CancelTaskRequest {
            task_id: "ctr".into(),
        })
        .await;
    let t = status(&mut c, "ctr").await;
    if t.status == "failed" {
        assert!(t.error.contains("kept"), "{t:?}");
    }
    wait_metric(
        &mut c,
        "gpu_allocated",
        &[("uuid", &t.gpu_uuids[0])],
        |v| v == 0.0,
        Duration::from_secs(15),
    )
    .await;
}

#[tokio::test]
async fn impossible_gpu_requests_are_refused_naming_the_total() {
    let s = Server::start(Some(&inventory_json("bad", &[(8192, 0), (4096, 0)])), "");
    let mut c = s.orch().await;
    let refuse = |r: Result<tonic::Response<pb::SubmitTaskResponse>, tonic::Status>| {
        let e = r.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e:?}");
        e.message().to_string()
    };
    let m = refuse(c.submit_task(submit_req("neg", "true", Some(-1))).await);
    assert!(m.contains("gpus is -1"), "{m}");
    let m = refuse(c.submit_task(submit_req("many", "true", Some(3))).await);
    assert!(m.contains("2 in total"), "{m}");
    let mut r = submit_req("mem-neg", "true", None);
    r.gpu_memory_mb = Some(-5);
    assert!(refuse(c.submit_task(r).await).contains("gpu_memory_mb is -5"));
    let mut r = submit_req("mem-big", "true", Some(1));
    r.gpu_memory_mb = Some(10_000);
    let m = refuse(c.submit_task(r).await);
    assert!(m.contains("8192 MiB"), "{m}");
    let mut r = submit_req("mem-two", "true", Some(2));
    r.gpu_memory_mb = Some(6000);
    let m = refuse(c.submit_task(r).await);
    assert!(m.contains("1 of this machine's 2"), "{m}");

    // HTTP: fractions and negatives are 400s that name the field.
    for (body, needle) in [
        (
            r#"{"class": "gpu", "gpus": 1.5, "payload": {"command": "true"}}"#,
            "`gpus` is 1.5",
        ),
        (
            r#"{"class": "gpu", "gpus": -1, "payload": {"command": "true"}}"#,
            "gpus is -1",
        ),
        (
            r#"{"class": "gpu", "gpus": 9, "payload": {"command": "true"}}"#,
            "2 in total",
        ),
        (
            r#"{"class": "gpu", "gpu_memory_mb": 0.5, "payload": {"command": "true"}}"#,
            "`gpu_memory_mb` is 0.5",
        ),
    ] {
        let (code, text) = http(&s, "POST", "/queue/submit", Some(body));
        assert_eq!(code, 400, "{body}: {text}");
        assert!(text.contains(needle), "{body}: {text}");
    }
    // The CLI refuses what is not a whole number before sending anything.
    for bad in ["-1", "1.5", "x"] {
        let out = s.cli(&["submit", "--class", "gpu", "--gpus", bad]);
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
    }
    let out = s.cli(&[
        "submit",
        "-c",
        "gpu",
        "--gpus",
        "5",
        "--payload",
        r#"{"command": "true"}"#,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("2 in total"), "{}", out.stderr);
    // Nothing was kept.
    let list = c
        .list_tasks(pb::ListTasksRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.tasks.len(), 0, "{list:?}");
}

#[tokio::test]
async fn without_a_gpu_a_gpu_task_is_refused_and_gpus_0_runs() {
    let s = Server::start(None, "");
    if Path::new("/proc/driver/nvidia/gpus").exists() {
        return;
    }
    let mut c = s.orch().await;
    let e = c
        .submit_task(submit_req("needs", "true", None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    assert!(e.message().contains("0 in total"), "{}", e.message());
    c.submit_task(submit_req(
        "cpu",
        "echo \"{\\\"cvd\\\": \\\"${CUDA_VISIBLE_DEVICES-unset}\\\"}\"",
        Some(0),
    ))
    .await
    .unwrap();
    let t = wait_status(&mut c, "cpu", "completed", Duration::from_secs(15)).await;
    assert_eq!(t.result["cvd"], "unset");
    assert!(t.gpu_uuids.is_empty());
}

#[tokio::test]
async fn pull_workers_get_only_tasks_that_fit_their_gpus() {
    let s = Server::start(None, "");
    let mut c = s.orch().await;
    for (id, gpus) in [("w2", 2), ("w1", 1)] {
        c.submit_task(pb::SubmitTaskRequest {
            task_id: id.into(),
            class: "gpu".into(),
            gpus: Some(gpus),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    let lease = |worker: &str, gpus: &[&str]| pb::LeaseTasksRequest {
        worker_id: worker.into(),
        classes: vec!["gpu".into()],
        max: 5,
        lease_seconds: 30.0,
        wait_ms: 0,
        gpus: gpus.iter().map(|g| g.to_string()).collect(),
    };
    // One GPU: the 2-GPU task (first in line) is passed over for this worker.
    let got = c
        .lease_tasks(lease("small", &["GPU-w-a"]))
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].task_id, "w1");
    assert_eq!(got[0].gpu_uuids, ["GPU-w-a"]);
    // Its only GPU is busy now: nothing more for it.
    let more = c
        .lease_tasks(lease("small", &["GPU-w-a"]))
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert!(more.is_empty(), "{more:?}");
    let big = c
        .lease_tasks(lease("big", &["GPU-w-b", "GPU-w-c"]))
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(big.len(), 1, "{big:?}");
    assert_eq!(big[0].task_id, "w2");
    assert_eq!(big[0].gpu_uuids, ["GPU-w-b", "GPU-w-c"]);
    assert_eq!(status(&mut c, "w2").await.gpu_uuids, ["GPU-w-b", "GPU-w-c"]);
}
