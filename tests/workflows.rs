//! DAG workflows against the real server: kill -9 in the middle of a map, a retry after 3 of
//! 50 items failed, `--from`, `when` and skip propagation, idempotent starts, the stream's
//! first message, the DOT output through Graphviz, bad input, and the HTTP routes (curl).
//! Every step is a real process task; each appends to a file, which is how the tests count
//! what ran.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dspy_agent::proto::orchestrator as pb;
use serde_json::{Value, json};

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_dspy-agent");

use common::Orch;

struct Server {
    child: Option<Child>,
    dir: tempfile::TempDir,
    orch: String,
    http: String,
}

fn cmd(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("DSPY_AGENT_HOME", home)
        .env("DSPY_AGENT_PROJECT", format!("wf{}", std::process::id()))
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
        .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
        .env(
            "DSPY_AGENT_SERVICES_FILE",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
        )
        .env_remove("ORCHESTRATOR_GRPC_ADDR")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd
}

impl Server {
    fn new() -> Server {
        let mut s = Server {
            child: None,
            dir: tempfile::tempdir().unwrap(),
            orch: String::new(),
            http: String::new(),
        };
        s.spawn();
        s
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.home().join(name)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home().join("server.log")).unwrap_or_default()
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.home().join("server.log"))
            .unwrap();
        let mut child = cmd(self.home())
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let serve =
            common::wait_for_serve(&mut child, self.home(), Duration::from_secs(20), || {
                self.log()
            });
        self.child = Some(child);
        self.orch = serve["orchestrator_addr"].as_str().unwrap().into();
        self.http = serve["http_addr"].as_str().unwrap().into();
    }

    fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The one place a gRPC client is made (auth, when it comes, goes here).
    async fn client(&self) -> Orch {
        common::orch(&self.orch, self.home()).await
    }

    /// The one place an HTTP request is made, with curl: (status, body).
    fn http(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
        let mut c = Command::new("curl");
        c.args([
            "-s",
            "-m",
            "20",
            "-o",
            "-",
            "-w",
            "\n%{http_code}",
            "-X",
            method,
        ]);
        c.args(common::curl_auth(self.home()));
        if let Some(b) = body {
            c.args(["-H", "Content-Type: application/json", "-d", &b.to_string()]);
        }
        let out = c
            .arg(format!("http://{}{path}", self.http))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    fn cli(&self, args: &[&str]) -> common::Run {
        common::to_run(cmd(self.home()).args(args).output().unwrap())
    }

    async fn create(&self, spec: &Value) -> pb::CreateWorkflowResponse {
        self.client()
            .await
            .create_workflow(pb::CreateWorkflowRequest {
                spec_json: spec.to_string(),
            })
            .await
            .unwrap_or_else(|s| panic!("create: {s:?}"))
            .into_inner()
    }

    async fn start(&self, name: &str, run_id: &str) -> pb::StartWorkflowRunResponse {
        self.client()
            .await
            .start_workflow_run(pb::StartWorkflowRunRequest {
                workflow: name.into(),
                run_id: run_id.into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|s| panic!("start: {s:?}"))
            .into_inner()
    }

    async fn doc(&self, run: &str) -> Value {
        let r = self
            .client()
            .await
            .get_workflow_run(pb::GetWorkflowRunRequest { run_id: run.into() })
            .await
            .unwrap()
            .into_inner();
        serde_json::from_str(&r.document_json).unwrap()
    }

    /// Wait until the run is no longer running; its document.
    async fn wait_end(&self, run: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let d = self.doc(run).await;
            if d["status"] != "running" {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "run {run} still running: {d:#}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Lines of a file the steps append to.
    fn lines(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.file(name))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn step<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {doc:#}"))
}

/// A shell step that appends `mark` to `file` and prints `out` as its outputs.
fn sh(file: &Path, mark: &str, out: &str) -> Value {
    json!({"command": ["sh", "-c", format!("echo {mark} >> {}; echo '{out}'", file.display())]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_a_map_then_a_restart_runs_no_finished_item_again() {
    let mut s = Server::new();
    let ran = s.file("ran");
    let items: Vec<u32> = (0..20).collect();
    let spec = json!({
        "name": "durable",
        "params": {"xs": items},
        "steps": [
            {"id": "fan", "map": "${params.xs}", "max_parallel": 2, "max_attempts": 3,
             "payload": {"command": ["sh", "-c",
                format!("echo ${{item}} >> {}; sleep 0.3; echo '{{\"sq\": ${{item}}}}'", ran.display())]}},
            {"id": "after", "depends": ["fan"], "payload": sh(&s.file("after"), "after", "{}")}
        ]
    });
    s.create(&spec).await;
    s.start("durable", "r1").await;
    // Wait until some items finished, then kill the server mid-map.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let d = s.doc("r1").await;
        if step(&d, "fan")["map"]["completed"].as_u64().unwrap_or(0) >= 6 {
            break;
        }
        assert!(Instant::now() < deadline, "the map never got going: {d:#}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    s.kill9();
    let before = s.lines("ran").len();
    assert!(before < 20, "the map finished before the kill");
    s.spawn();
    let d = s.wait_end("r1", Duration::from_secs(60)).await;
    assert_eq!(d["status"], "completed", "{d:#}");
    let ran = s.lines("ran");
    for i in 0..20 {
        assert!(ran.contains(&i.to_string()), "item {i} never ran: {ran:?}");
    }
    // Only what was in flight at the kill (at most max_parallel items) may run twice.
    assert!(
        ran.len() <= 20 + 2,
        "finished items ran again after the restart: {} runs: {ran:?}",
        ran.len()
    );
    assert_eq!(s.lines("after"), vec!["after"]);
    let outputs = &step(&d, "fan")["outputs"];
    assert_eq!(outputs.as_array().unwrap().len(), 20);
    assert_eq!(outputs[7], json!({"sq": 7}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_3_of_50_items_failed_runs_exactly_those_3_and_the_downstream_steps() {
    let s = Server::new();
    let ran = s.file("ran");
    let flags = s.file("flags");
    std::fs::create_dir(&flags).unwrap();
    for bad in [3, 17, 42] {
        std::fs::write(flags.join(bad.to_string()), "").unwrap();
    }
    let spec = json!({
        "name": "fifty",
        "params": {"n": (0..50).collect::<Vec<u32>>()},
        "steps": [
            {"id": "items", "payload": sh(&s.file("items"), "items", "{\"ok\": true}")},
            {"id": "infer", "depends": ["items"], "map": "${params.n}", "max_parallel": 50,
             "max_attempts": 1,
             "payload": {"command": ["sh", "-c", format!(
                "echo ${{index}} >> {}; test ! -e {}/${{index}} || exit 1; echo '{{\"v\": ${{item}}}}'",
                ran.display(), flags.display())]}},
            {"id": "score", "depends": ["infer"], "payload": sh(&s.file("score"), "score", "{\"total\": 1}")}
        ]
    });
    s.create(&spec).await;
    s.start("fifty", "r50").await;
    let d = s.wait_end("r50", Duration::from_secs(60)).await;
    assert_eq!(d["status"], "failed", "{d:#}");
    let infer = step(&d, "infer");
    assert_eq!(infer["map"]["completed"], 47, "{infer:#}");
    assert_eq!(infer["map"]["failed"], 3, "{infer:#}");
    assert_eq!(step(&d, "score")["status"], "skipped");
    assert_eq!(s.lines("ran").len(), 50);

    for bad in [3, 17, 42] {
        std::fs::remove_file(flags.join(bad.to_string())).unwrap();
    }
    let r = s
        .cli(&["workflow", "retry", "r50", "--wait", "--json"])
        .ok();
    let d = r.json();
    assert_eq!(d["status"], "completed", "{d:#}");
    let ran = s.lines("ran");
    assert_eq!(ran.len(), 53, "{ran:?}");
    let again: Vec<&String> = ran[50..].iter().collect();
    let mut again: Vec<u32> = again.iter().map(|x| x.parse().unwrap()).collect();
    again.sort();
    assert_eq!(again, vec![3, 17, 42]);
    assert_eq!(
        s.lines("items"),
        vec!["items"],
        "the completed first step ran again"
    );
    assert_eq!(s.lines("score"), vec!["score"]);
    // The map's outputs combine the kept and the re-run items, in order.
    let outputs = step(&d, "infer")["outputs"].as_array().unwrap().clone();
    assert_eq!(outputs.len(), 50);
    for (i, o) in outputs.iter().enumerate() {
        assert_eq!(o["v"], i, "{o}");
    }
    // Every attempt is kept: the failed one first.
    let attempts = step(&d, "infer")["attempts"].as_array().unwrap().clone();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0]["status"], "failed");
    assert_eq!(attempts[0]["counts"]["failed"], 3);
    assert_eq!(step(&d, "infer")["attempt"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_from_a_step_runs_it_and_everything_downstream_with_overridden_params() {
    let s = Server::new();
    let spec = json!({
        "name": "chain",
        "params": {"word": "one"},
        "steps": [
            {"id": "a", "payload": sh(&s.file("a"), "a", "{}")},
            {"id": "b", "depends": ["a"], "payload": sh(&s.file("b"), "b-${params.word}", "{}")},
            {"id": "c", "depends": ["b"], "payload": sh(&s.file("c"), "c", "{}")}
        ]
    });
    s.create(&spec).await;
    s.cli(&["workflow", "run", "chain", "--run-id", "rc", "--wait"])
        .ok();
    // Nothing failed: a plain retry has nothing to do, and says so.
    let r = s.cli(&["workflow", "retry", "rc"]).code(2);
    assert!(r.stderr.contains("nothing failed"), "{}", r.stderr);
    let r = s.cli(&["workflow", "retry", "rc", "--from", "zz"]).code(2);
    assert!(r.stderr.contains("no step \"zz\""), "{}", r.stderr);
    let d = s
        .cli(&[
            "workflow", "retry", "rc", "--from", "b", "-p", "word=two", "--wait", "--json",
        ])
        .ok()
        .json();
    assert_eq!(d["status"], "completed");
    assert_eq!(s.lines("a"), vec!["a"]);
    assert_eq!(s.lines("b"), vec!["b-one", "b-two"]);
    assert_eq!(s.lines("c"), vec!["c", "c"]);
    let last = d["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], "retried");
    assert_eq!(last["from_step"], "b");
    assert_eq!(last["params_override"], json!({"word": "two"}));
    assert_eq!(d["params"]["word"], "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_false_when_skips_the_step_and_its_dependants_unless_they_run_on_all_done() {
    let s = Server::new();
    let spec = json!({
        "name": "gated",
        "steps": [
            {"id": "score", "payload": sh(&s.file("score"), "score", "{\"ok\": false, \"n\": 3}")},
            {"id": "publish", "depends": ["score"], "when": "${steps.score.outputs.ok} == true",
             "payload": sh(&s.file("publish"), "publish", "{}")},
            {"id": "notify", "depends": ["publish"], "payload": sh(&s.file("notify"), "notify", "{}")},
            {"id": "cleanup", "depends": ["publish"], "trigger": "all_done",
             "payload": sh(&s.file("cleanup"), "cleanup", "{}")},
            {"id": "big", "depends": ["score"], "when": "${steps.score.outputs.n} > 2 && !${steps.score.outputs.ok}",
             "payload": {"command": ["sh", "-c", "echo '{\"n\": ${steps.score.outputs.n}}'"]}}
        ]
    });
    s.create(&spec).await;
    s.start("gated", "g1").await;
    let d = s.wait_end("g1", Duration::from_secs(30)).await;
    assert_eq!(d["status"], "completed", "{d:#}");
    assert_eq!(step(&d, "publish")["status"], "skipped");
    assert_eq!(step(&d, "notify")["status"], "skipped");
    assert_eq!(step(&d, "cleanup")["status"], "completed");
    assert_eq!(step(&d, "big")["status"], "completed");
    assert_eq!(step(&d, "big")["outputs"], json!({"n": 3}));
    assert!(s.lines("publish").is_empty() && s.lines("notify").is_empty());
    assert_eq!(s.lines("cleanup"), vec!["cleanup"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_are_idempotent_by_run_id_and_a_failed_run_may_start_a_new_attempt() {
    let s = Server::new();
    let gate = s.file("gate");
    let spec = json!({
        "name": "idem",
        "params": {"x": 1},
        "steps": [{"id": "a", "max_attempts": 1, "payload": {"command": ["sh", "-c",
            format!("echo a >> {}; test -e {}", s.file("a").display(), gate.display())]}}]
    });
    let c = s.create(&spec).await;
    assert!(c.created);
    assert!(
        !s.create(&spec).await.created,
        "the same spec is stored once"
    );
    let first = s.start("idem", "same").await;
    assert!(first.created);
    let again = s.start("idem", "same").await;
    assert!(!again.created);
    assert_eq!(again.run.unwrap().run_id, "same");
    let d = s.wait_end("same", Duration::from_secs(30)).await;
    assert_eq!(d["status"], "failed");
    assert_eq!(s.lines("a").len(), 1, "a repeated start ran the step again");

    let mut client = s.client().await;
    let other = pb::StartWorkflowRunRequest {
        workflow: "idem".into(),
        run_id: "same".into(),
        params: [("x".to_string(), "2".to_string())].into(),
        on_conflict: String::new(),
    };
    let e = client.start_workflow_run(other.clone()).await.unwrap_err();
    assert_eq!(e.code(), tonic::Code::AlreadyExists, "{e:?}");
    std::fs::write(&gate, "").unwrap();
    let r = client
        .start_workflow_run(pb::StartWorkflowRunRequest {
            on_conflict: "allow_if_failed".into(),
            ..other
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.created);
    assert_eq!(r.run.unwrap().attempt, 2);
    let d = s.wait_end("same", Duration::from_secs(30)).await;
    assert_eq!(d["status"], "completed");
    assert_eq!(d["params"]["x"], 2);
    // A completed run with other params is refused even with allow_if_failed.
    let e = client
        .start_workflow_run(pb::StartWorkflowRunRequest {
            workflow: "idem".into(),
            run_id: "same".into(),
            params: [("x".to_string(), "3".to_string())].into(),
            on_conflict: "allow_if_failed".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::AlreadyExists);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_starts_with_the_whole_planned_graph_and_ends_with_the_run() {
    let s = Server::new();
    let spec = json!({
        "name": "streamed",
        "params": {"xs": [1, 2, 3, 4]},
        "steps": [
            {"id": "slow", "payload": {"command": ["sh", "-c", "sleep 0.5; echo '{}'"]}},
            {"id": "fan", "depends": ["slow"], "map": "${params.xs}",
             "payload": {"command": ["sh", "-c", "echo '{\"x\": ${item}}'"]}},
            {"id": "last", "depends": ["fan"], "payload": {"command": ["true"]}}
        ]
    });
    s.create(&spec).await;
    s.start("streamed", "st").await;
    let mut stream = s
        .client()
        .await
        .stream_workflow_status(pb::StreamWorkflowStatusRequest {
            run_id: "st".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(first.kind, "graph");
    let run = first.run.unwrap();
    let ids: Vec<&str> = run.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["slow", "fan", "last"]);
    assert_eq!(run.steps[1].status, "pending");
    assert!(run.steps[1].is_map);
    assert_eq!(run.steps[2].depends, ["fan"]);
    let mut kinds = vec![];
    let mut fan_done = false;
    let end = loop {
        let m = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .expect("the stream stalled")
            .unwrap()
            .expect("the stream closed before the end");
        kinds.push(m.kind.clone());
        let r = m.run.unwrap();
        if r.steps
            .iter()
            .any(|s| s.id == "fan" && s.items_completed == 4)
        {
            fan_done = true;
        }
        if m.kind == "end" {
            break r;
        }
    };
    assert_eq!(end.status, "completed");
    assert!(fan_done, "no update showed the map's counts: {kinds:?}");
    assert!(kinds.iter().any(|k| k == "update"), "{kinds:?}");
    // The stream closes after the end.
    let after = tokio::time::timeout(Duration::from_secs(5), stream.message())
        .await
        .unwrap()
        .unwrap();
    assert!(after.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dot_graph_parses_with_graphviz_and_status_draws_a_tree() {
    let s = Server::new();
    let spec_file = s.file("spec.toml");
    std::fs::write(
        &spec_file,
        r#"name = "drawn"
[[steps]]
id = "a"
payload = { command = ["true"] }
[[steps]]
id = "b"
depends = ["a"]
payload = { command = ["false"] }
max_attempts = 1
[[steps]]
id = "c"
depends = ["a", "b"]
payload = { command = ["true"] }
"#,
    )
    .unwrap();
    s.cli(&["workflow", "create", spec_file.to_str().unwrap()])
        .ok();
    let r = s
        .cli(&["workflows", "run", "drawn", "--run-id", "d1", "--wait"])
        .code(6);
    assert!(r.stderr.contains("failed"), "{}", r.stderr);
    let dot = s
        .cli(&["workflow", "show", "d1", "--format", "dot"])
        .ok()
        .stdout;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("graphviz's `dot` must be installed (scripts/setup.sh installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot: {}\n{dot}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    assert!(
        dot.contains("\"a\" -> \"b\"") && dot.contains("#e88f8f"),
        "{dot}"
    );
    let mermaid = s
        .cli(&["workflow", "show", "d1", "--format", "mermaid"])
        .ok()
        .stdout;
    assert!(
        mermaid.starts_with("flowchart LR") && mermaid.contains("a --> c"),
        "{mermaid}"
    );
    let tree = s.cli(&["workflow", "status", "d1"]).ok().stdout;
    assert!(tree.contains("└─ a [completed]"), "{tree}");
    assert!(
        tree.contains("b [failed]") && tree.contains("c [skipped]"),
        "{tree}"
    );
    let list = s.cli(&["workflow", "list", "--json"]).ok().json();
    assert_eq!(list["runs"][0]["run_id"], "d1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_specs_and_bad_runs_get_clear_errors_and_never_hang_the_scheduler() {
    let s = Server::new();
    let mut client = s.client().await;
    let bad = |spec: Value| pb::CreateWorkflowRequest {
        spec_json: spec.to_string(),
    };
    for (spec, says) in [
        (
            json!({"name": "w", "steps": [{"id": "a", "depends": ["b"]}, {"id": "b", "depends": ["a"]}]}),
            "cycle",
        ),
        (
            json!({"name": "w", "steps": [{"id": "a", "depends": ["a"]}]}),
            "step \"a\": depends: a step cannot depend on itself",
        ),
        (
            json!({"name": "w", "steps": [{"id": "a", "payload": {"x": "${steps.zz.outputs}"}}]}),
            "step \"a\": payload: unknown step \"zz\"",
        ),
        (
            json!({"name": "w", "steps": [{"id": "a", "class": "quantum"}]}),
            "step \"a\": class",
        ),
    ] {
        let e = client.create_workflow(bad(spec)).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert!(e.message().contains(says), "{} lacks {says}", e.message());
    }
    // Over the spec limit (4 x the 1 MiB payload limit).
    let huge = json!({"name": "w", "steps": [{"id": "a", "payload": {"x": "y".repeat(5 << 20)}}]});
    let e = client.create_workflow(bad(huge)).await.unwrap_err();
    assert!(
        matches!(
            e.code(),
            tonic::Code::InvalidArgument | tonic::Code::OutOfRange
        ),
        "{e:?}"
    );
    // A map over something that is not a list fails the step with that reason; a map over
    // more than 100,000 items too, and the scheduler still answers.
    let many: Vec<u32> = (0..100_001).collect();
    let spec = json!({
        "name": "maps",
        "params": {"word": "hello", "many": many},
        "steps": [
            {"id": "notlist", "map": "${params.word}", "continue_on_failure": true,
             "payload": {"command": ["true"]}},
            {"id": "toomany", "map": "${params.many}", "continue_on_failure": true,
             "payload": {"command": ["true"]}}
        ]
    });
    s.create(&spec).await;
    s.start("maps", "m1").await;
    let d = s.wait_end("m1", Duration::from_secs(30)).await;
    assert_eq!(d["status"], "completed", "continue_on_failure steps: {d:#}");
    let e = step(&d, "notlist")["error"].as_str().unwrap().to_string();
    assert!(e.contains("not a list (it is a string)"), "{e}");
    let e = step(&d, "toomany")["error"].as_str().unwrap().to_string();
    assert!(e.contains("at most 100000"), "{e}");
    // Unknown workflow, unknown run, unknown param.
    let e = client
        .start_workflow_run(pb::StartWorkflowRunRequest {
            workflow: "nope".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    let e = client
        .get_workflow_run(pb::GetWorkflowRunRequest {
            run_id: "nope".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::NotFound);
    let e = client
        .start_workflow_run(pb::StartWorkflowRunRequest {
            workflow: "maps".into(),
            params: [("zz".to_string(), "1".to_string())].into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
    let r = s.cli(&["workflow", "create", "/no/such/file.json"]).code(2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_http_routes_create_start_follow_and_cancel_runs() {
    let s = Server::new();
    let spec = json!({
        "name": "web",
        "steps": [
            {"id": "a", "payload": {"command": ["sh", "-c", "echo '{\"k\": 1}'"]}},
            {"id": "wait", "depends": ["a"], "payload": {"command": ["sleep", "30"]}}
        ]
    });
    let (code, body) = s.http("POST", "/workflows", Some(&spec));
    assert_eq!(code, 201, "{body}");
    let (code, body) = s.http(
        "POST",
        "/workflows",
        Some(&json!({"name": "w", "steps": [{"id": "a", "depends": ["a"]}]})),
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("cannot depend on itself"), "{body}");
    let (code, body) = s.http("GET", "/workflows", None);
    assert_eq!(code, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["workflows"][0]["name"], "web");
    let (code, body) = s.http(
        "POST",
        "/workflows/web/runs",
        Some(&json!({"run_id": "h1"})),
    );
    assert_eq!(code, 201, "{body}");
    let (code, _) = s.http(
        "POST",
        "/workflows/web/runs",
        Some(&json!({"run_id": "h1"})),
    );
    assert_eq!(code, 200, "an idempotent start answers 200");
    // Wait until the long step runs, then cancel the run.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = s.http("GET", "/workflows/runs/h1", None);
        let d: Value = serde_json::from_str(&body).unwrap();
        if step(&d, "wait")["status"] == "running" {
            break;
        }
        assert!(Instant::now() < deadline, "{d:#}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The SSE stream: the graph first.
    let sse = Command::new("curl")
        .args(["-s", "-N", "-m", "2"])
        .args(common::curl_auth(s.home()))
        .arg(format!("http://{}/workflows/runs/h1/events", s.http))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&sse.stdout);
    assert!(text.starts_with("event: graph\n"), "{text}");
    assert!(text.contains("\"wait\""), "{text}");
    let (code, body) = s.http("POST", "/workflows/runs/h1/cancel", None);
    assert_eq!(code, 200, "{body}");
    let d: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["status"], "cancelled");
    // The step's task was killed: its task is cancelled.
    let task_id = step(&d, "wait")["task_id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = s.http("GET", &format!("/tasks/{task_id}"), None);
        if body.contains("\"cancelled\"") {
            break;
        }
        assert!(Instant::now() < deadline, "{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (code, body) = s.http("POST", "/workflows/runs/h1/retry", Some(&json!({})));
    assert_eq!(code, 200, "{body}");
    let (code, body) = s.http("POST", "/workflows/runs/h1/cancel", None);
    assert_eq!(code, 200, "{body}");
    let (code, _) = s.http("GET", "/workflows/runs/nope", None);
    assert_eq!(code, 404);
    // The run's events went through the scheduler's event stream.
    let events = Command::new("curl")
        .args(["-s", "-N", "-m", "2"])
        .args(common::curl_auth(s.home()))
        .arg(format!(
            "http://{}/events?since=0&types=workflow_started,step_started,step_completed,workflow_completed",
            s.http
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&events.stdout);
    for kind in [
        "workflow_started",
        "step_started",
        "step_completed",
        "workflow_completed",
    ] {
        assert!(
            text.contains(&format!("event: {kind}")),
            "no {kind} in {text}"
        );
    }
    let (_, body) = s.http("GET", "/metrics", None);
    assert!(
        body.contains("workflow_runs_total{status=\"cancelled\"} 2"),
        "{body}"
    );
    assert!(body.contains("workflow_runs_active 0"), "{body}");
    assert!(
        body.contains("workflow_step_duration_seconds_count"),
        "{body}"
    );
}
