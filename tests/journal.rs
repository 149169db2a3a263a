//! A damaged journal against the real binary: `serve` restarted over a journal with a damaged
//! creation line, a garbage line, a torn last line, or no checksums at all; `--strict-journal`;
//! `store check` and `store repair`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

use common::Orch;

/// A server process on a temporary home, killed on drop. Its stderr goes to `server.log`.
struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    orch: String,
}

fn cmd(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_PROJECT", format!("jn{}", std::process::id()))
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env_remove("DSPY_AGENT_TOKEN")
        .env_remove("DSPY_AGENT_TLS_CA")
        .env(
            "DSPY_AGENT_SERVICES_FILE",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
        )
        .env_remove("DSPY_AGENT_STRICT_JOURNAL")
        .env_remove("ORCHESTRATOR_GRPC_ADDR")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    cmd
}

impl Server {
    fn new() -> Server {
        let mut s = Server {
            child: None,
            dir: tempfile::tempdir().unwrap(),
            orch: String::new(),
        };
        s.spawn();
        s
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn store(&self) -> PathBuf {
        self.home().join("store")
    }

    fn journal(&self) -> PathBuf {
        self.store().join("journal.ndjson")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("server.log")).unwrap_or_default()
    }

    /// Start `serve` on this home (again) and wait until it records its addresses.
    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home().join("server.log"))
            .unwrap();
        let child = cmd(self.home())
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut child = child;
        let serve =
            common::wait_for_serve(&mut child, self.home(), Duration::from_secs(20), || {
                self.log()
            });
        self.child = Some(child);
        self.orch = serve["orchestrator_addr"].as_str().unwrap().into();
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    async fn client(&self) -> Orch {
        common::orch(&self.orch, self.home()).await
    }

    /// A CLI command on this home.
    fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let out = cmd(self.home()).args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The `.corrupt-<time>` copies in the store.
    fn copies(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.store())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("journal.ndjson.corrupt-")
            })
            .collect()
    }

    /// Wait until the journal has a line that satisfies `ok`.
    fn wait_journal(&self, what: &str, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(self.journal())
            .unwrap_or_default()
            .lines()
            .any(&ok)
        {
            assert!(Instant::now() < deadline, "the journal never got {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

async fn submit(c: &mut Orch, id: &str, n: u32) {
    let payload: HashMap<String, String> = [("n".to_string(), n.to_string())].into();
    c.submit_task(pb::SubmitTaskRequest {
        task_id: id.into(),
        payload,
        class: String::new(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
        ..Default::default()
    })
    .await
    .unwrap();
}

async fn status(c: &mut Orch, id: &str) -> pb::TaskStatus {
    c.get_task_status(pb::GetTaskStatusRequest { task_id: id.into() })
        .await
        .unwrap()
        .into_inner()
}

async fn lease(c: &mut Orch, wait_ms: u32) -> Vec<pb::LeasedTask> {
    lease_for(c, wait_ms, 30.0).await
}

async fn lease_for(c: &mut Orch, wait_ms: u32, lease_seconds: f64) -> Vec<pb::LeasedTask> {
    c.lease_tasks(pb::LeaseTasksRequest {
        worker_id: "w".into(),
        classes: vec![],
        max: 10,
        lease_seconds,
        wait_ms,
        gpus: vec![],
    })
    .await
    .unwrap()
    .into_inner()
    .tasks
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The journal line that created `id` (the one with its payload).
fn creation(lines: &[String], id: &str) -> usize {
    let key = format!("\"id\":\"{id}\"");
    lines
        .iter()
        .position(|l| l.contains(&key) && l.contains("\"payload\""))
        .unwrap_or_else(|| panic!("no creation line for {id}: {lines:#?}"))
}

/// Flip a byte inside the payload of a line: still valid JSON, wrong content.
fn damage(line: &str) -> String {
    let at = line.find("\"payload\"").unwrap() + 14;
    let mut b = line.as_bytes().to_vec();
    b[at] ^= 0x01;
    String::from_utf8(b).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_creation_line_fails_its_task_and_keeps_a_copy() {
    let mut s = Server::new();
    let mut c = s.client().await;
    submit(&mut c, "e0", 1).await;
    submit(&mut c, "e1", 2).await;
    // e0 is leased: a later update line, without the payload, is written for it. A short
    // lease, for e1's to run out after the restart.
    let got = lease_for(&mut c, 0, 1.0).await;
    assert_eq!(got.len(), 2);
    for id in ["e0", "e1"] {
        let key = format!("\"id\":\"{id}\"");
        s.wait_journal(&format!("{id} running"), |l| {
            l.contains(&key) && l.contains("\"state\":\"running\"")
        });
    }
    s.kill9();

    let path = s.journal();
    let mut l = lines(&path);
    let at = creation(&l, "e0");
    l[at] = damage(&l[at]);
    write_lines(&path, &l);
    let damaged = std::fs::read(&path).unwrap();

    s.spawn();
    let mut c = s.client().await;
    let t = status(&mut c, "e0").await;
    assert_eq!(t.status, "failed", "{t:?}");
    assert_eq!(t.error, "journal record lost");
    // e1 was leased too: its lease holds again after the restart (its worker may still run
    // it); nobody extends it, so it runs out and e1 is leased again, with its payload.
    let t1 = status(&mut c, "e1").await;
    assert_eq!(t1.status, "running", "{t1:?}");
    let again = lease(&mut c, 10_000).await;
    assert_eq!(
        again.iter().map(|t| t.task_id.as_str()).collect::<Vec<_>>(),
        ["e1"],
        "e0 must never be leased again"
    );
    assert_eq!(again[0].payload_json, r#"{"n":2}"#);
    assert!(lease(&mut c, 300).await.is_empty());

    let copies = s.copies();
    assert_eq!(copies.len(), 1, "{copies:?}");
    assert_eq!(std::fs::read(&copies[0]).unwrap(), damaged);
    let log = s.log();
    assert!(
        log.contains("1 lost record(s)") && log.contains(&copies[0].display().to_string()),
        "{log}"
    );
    let (code, out, err) = s.cli(&["--json", "serve", "status"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["journal"]["records_lost"], 1, "{doc}");
    assert_eq!(doc["journal"]["lost_tasks"], serde_json::json!(["e0"]));
    assert_eq!(
        doc["journal"]["copy"].as_str(),
        Some(copies[0].to_str().unwrap())
    );
    let (_, human, _) = s.cli(&["serve", "status"]);
    assert!(human.contains("1 record(s) lost"), "{human}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_middle_line_is_reported_and_kept_and_other_tasks_are_intact() {
    let mut s = Server::new();
    let mut c = s.client().await;
    for (i, id) in ["a", "b", "c"].iter().enumerate() {
        submit(&mut c, id, i as u32).await;
    }
    s.kill9();
    let path = s.journal();
    let mut l = lines(&path);
    assert_eq!(l.len(), 3);
    l.insert(1, "#@! not a record".into());
    write_lines(&path, &l);

    s.spawn();
    let mut c = s.client().await;
    for id in ["a", "b", "c"] {
        assert_eq!(status(&mut c, id).await.status, "queued");
    }
    let got = lease(&mut c, 0).await;
    let mut payloads: Vec<_> = got
        .iter()
        .map(|t| (t.task_id.clone(), t.payload_json.clone()))
        .collect();
    payloads.sort();
    assert_eq!(
        payloads,
        [("a", "{\"n\":0}"), ("b", "{\"n\":1}"), ("c", "{\"n\":2}")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let copies = s.copies();
    assert_eq!(copies.len(), 1);
    assert!(
        std::fs::read_to_string(&copies[0])
            .unwrap()
            .contains("#@! not a record")
    );
    assert!(!std::fs::read_to_string(&path).unwrap().contains("#@!"));
    let (_, out, _) = s.cli(&["--json", "serve", "status"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["journal"]["records_lost"], 1, "{doc}");
    assert_eq!(doc["journal"]["first_line"], 2);
    assert_eq!(doc["journal"]["lost_tasks"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_last_line_is_silent() {
    let mut s = Server::new();
    let mut c = s.client().await;
    submit(&mut c, "a", 1).await;
    s.kill9();
    let path = s.journal();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(
        &mut f,
        b"{\"crc\":\"0123abcd\",\"op\":\"put\",\"task\":{\"id\":\"b",
    )
    .unwrap();
    drop(f);

    s.spawn();
    let mut c = s.client().await;
    assert_eq!(status(&mut c, "a").await.status, "queued");
    assert!(s.copies().is_empty());
    assert!(!s.log().contains("lost"), "{}", s.log());
    let (_, out, _) = s.cli(&["--json", "serve", "status"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc["journal"].is_null(), "{doc}");
}

/// A stopped server's home with one damaged creation line (task `e0`, line 1).
async fn damaged_home() -> Server {
    let mut s = Server::new();
    let mut c = s.client().await;
    submit(&mut c, "e0", 1).await;
    submit(&mut c, "e1", 2).await;
    s.kill9();
    let path = s.journal();
    let mut l = lines(&path);
    let at = creation(&l, "e0");
    assert_eq!(at, 0);
    l[at] = damage(&l[at]);
    write_lines(&path, &l);
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_detach_says_what_its_start_found() {
    let s = damaged_home().await;
    /// Stops the detached server, whatever happens to the test.
    struct Stop<'a>(&'a Path);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            let _ = cmd(self.0)
                .args(["serve", "stop", "--timeout", "1"])
                .output();
        }
    }
    let _stop = Stop(s.home());
    let out = cmd(s.home()).args(["serve", "--detach"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("1 lost record(s)"), "{err}");
    assert!(err.contains("journal.ndjson.corrupt-"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_journal_refuses_to_start_and_leaves_the_journal_alone() {
    let s = damaged_home().await;
    let before = std::fs::read(s.journal()).unwrap();
    let journal = s.journal().display().to_string();
    let refused = |out: std::process::Output| {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(&journal), "{err}");
        assert!(err.contains("line 1"), "{err}");
        assert!(err.contains("dspy-agent store check"), "{err}");
        assert!(err.contains("dspy-agent store repair"), "{err}");
    };
    refused(
        cmd(s.home())
            .args(["serve", "--strict-journal"])
            .output()
            .unwrap(),
    );
    // The setting does the same.
    refused(
        cmd(s.home())
            .arg("serve")
            .env("DSPY_AGENT_STRICT_JOURNAL", "true")
            .output()
            .unwrap(),
    );
    assert_eq!(std::fs::read(s.journal()).unwrap(), before);
    assert!(s.copies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_check_and_repair() {
    let mut s = damaged_home().await;
    let before = std::fs::read(s.journal()).unwrap();
    let (code, out, err) = s.cli(&["--json", "store", "check"]);
    assert_eq!(code, 1, "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["clean"], false);
    assert_eq!(doc["records_lost"], 1);
    assert_eq!(doc["damaged"][0]["line"], 1);
    assert_eq!(doc["lost_tasks"], serde_json::json!(["e0"]));
    let (code, human, _) = s.cli(&["store", "check"]);
    assert_eq!(code, 1);
    assert!(human.contains("line 1: checksum mismatch"), "{human}");
    // Read-only.
    assert_eq!(std::fs::read(s.journal()).unwrap(), before);
    assert!(s.copies().is_empty());

    let (code, out, err) = s.cli(&["--json", "store", "repair"]);
    assert_eq!(code, 0, "{out}{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["repaired"], true);
    let copies = s.copies();
    assert_eq!(copies.len(), 1);
    assert_eq!(doc["copy"].as_str(), Some(copies[0].to_str().unwrap()));
    assert_eq!(std::fs::read(&copies[0]).unwrap(), before);
    let (code, out, err) = s.cli(&["store", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("status       clean"), "{out}");

    // The repaired journal starts clean: e0 failed, e1 queued, no new copy, no report.
    s.spawn();
    let mut c = s.client().await;
    assert_eq!(status(&mut c, "e0").await.error, "journal record lost");
    assert_eq!(status(&mut c, "e1").await.status, "queued");
    assert_eq!(s.copies().len(), 1);
    // Both refuse while the server runs.
    for args in [["store", "check"], ["store", "repair"]] {
        let (code, _, err) = s.cli(&args);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("is running") || err.contains("already running"),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_without_checksums_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    // Finished just now, so that retention keeps it.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let task = |id: &str, state: &str, seq: u32| {
        format!(
            r#""task":{{"id":"{id}","class":"cpu_short","priority":0,"max_attempts":3,"state":"{state}","attempt":0,"seq":{seq},"submitted_at_ms":{now},"queued_at_ms":{now},"finished_at_ms":{now},"executor":"worker","payload_hash":"h"}}"#
        )
    };
    let legacy = [
        format!(
            r#"{{"op":"put",{},"payload":"{{\"n\":7}}"}}"#,
            task("old", "queued", 1)
        ),
        format!(r#"{{"op":"put",{}}}"#, task("done", "completed", 2)),
    ];
    write_lines(&store.join("journal.ndjson"), &legacy);

    let mut s = Server {
        child: None,
        dir,
        orch: String::new(),
    };
    s.spawn();
    let mut c = s.client().await;
    assert_eq!(status(&mut c, "done").await.status, "completed");
    let got = lease(&mut c, 0).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].task_id.as_str(), got[0].payload_json.as_str()),
        ("old", r#"{"n":7}"#)
    );
    assert!(s.copies().is_empty());
    // Rewritten with checksums.
    assert!(
        lines(&s.journal())
            .iter()
            .all(|l| l.starts_with("{\"crc\":\""))
    );
}
