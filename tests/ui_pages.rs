//! The dashboard's Services, GPUs and Workers pages against a real `serve`: a real redis
//! started by the real `up` on the shared Docker engine (its own project), the log tail read
//! over real SSE by a real HTTP client with a real session cookie, a simulated GPU inventory
//! held by a real running task, and a worker registered and leasing over real gRPC.

mod common;
#[path = "common/web.rs"]
mod web;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::Server;
use dspy_agent::proto::orchestrator as pb;

/// A login session's cookie (`name=value`), from a `dspy-agent ui --json` link minted with
/// `token` (the home's admin token when None).
fn log_in(s: &Server, token: Option<&str>) -> String {
    let mut cmd = Command::new(common::BIN);
    cmd.args(["ui", "--json"])
        .env("DSPY_AGENT_HOME", s.home())
        .env_remove("DSPY_AGENT_TOKEN")
        .env_remove("DSPY_AGENT_TLS_CA")
        .stdin(Stdio::null());
    if let Some(t) = token {
        cmd.env("DSPY_AGENT_TOKEN", t);
    }
    let out = common::to_run(cmd.output().unwrap()).ok();
    let url = out.json()["url"].as_str().unwrap().to_string();
    let out = Command::new("curl")
        .args(["-s", "-i", "--max-time", "10", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap_or_else(|| panic!("no cookie from the login link: {text}"));
    line.split_once(':')
        .unwrap()
        .1
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(s: &Server, path: &str, cookie: &str) -> Page {
    let r = client()
        .get(format!("http://{}{path}", s.http))
        .header("Cookie", cookie)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    Page {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.text().await.unwrap(),
    }
}

/// A page as the CSP wants it: the policy header, and no inline script, handler or style
/// (escaped text has no raw `<`, so every `<...>` is a real tag).
fn assert_strict(page: &Page) {
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    web::assert_no_inline(&page.body);
}

/// A server-sent-events reader: `(event, data)` pairs; keep-alive comments are skipped.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

impl Events {
    /// Open `path`; the status and body when it is refused.
    async fn open(s: &Server, path: &str, cookie: &str) -> Result<Events, (u16, String)> {
        let resp = client()
            .get(format!("http://{}{path}", s.http))
            .header("Cookie", cookie)
            .send()
            .await
            .unwrap();
        if resp.status() != 200 {
            let status = resp.status().as_u16();
            return Err((status, resp.text().await.unwrap_or_default()));
        }
        let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(ct.starts_with("text/event-stream"), "{ct}");
        Ok(Events {
            resp,
            buf: String::new(),
        })
    }

    /// The next event within `within`; None when the stream ended or the time ran out.
    async fn next(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(at) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..at + 2).collect();
                let (mut event, mut data) = (String::from("message"), Vec::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some((event, data.join("\n")));
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Log lines (`line` events' messages) until one holds `want`; every line before it.
    async fn lines_until(&mut self, want: &str, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some((event, data)) = self.next(left).await else {
                panic!("no line with {want:?} within {within:?}; got {seen:?}");
            };
            assert_eq!(event, "line", "{data}");
            let v: serde_json::Value = serde_json::from_str(&data).unwrap();
            let m = v["m"].as_str().unwrap().to_string();
            assert!(v["t"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
            seen.push(m.clone());
            if m.contains(want) {
                return seen;
            }
        }
    }
}

/// A stack of one redis under its own project, started by the real `up`; removed on drop.
struct Stack {
    home: PathBuf,
    project: String,
    file: PathBuf,
    port: u16,
}

impl Stack {
    fn new(dir: &Path, name: &str) -> Stack {
        let port = common::server::free_port();
        let file = dir.join("services.toml");
        std::fs::write(
            &file,
            format!(
                "[services.redis]\nimage = \"dspy-test/redis:latest\"\nports = [\"{port}:6379\"]\n"
            ),
        )
        .unwrap();
        Stack {
            home: dir.to_path_buf(),
            project: format!("uip{}-{name}", std::process::id()),
            file,
            port,
        }
    }

    /// The server's environment: this project and services file.
    fn envs(&self) -> Vec<(&str, &str)> {
        vec![
            ("DSPY_AGENT_PROJECT", self.project.as_str()),
            ("DSPY_AGENT_SERVICES_FILE", self.file.to_str().unwrap()),
        ]
    }

    fn cli(&self, args: &[&str]) -> common::Run {
        let out = Command::new(common::BIN)
            .arg("--home")
            .arg(&self.home)
            .args(["--project", &self.project, "--services-file"])
            .arg(&self.file)
            .args(args)
            .env_remove("DSPY_AGENT_TOKEN")
            .env_remove("DSPY_AGENT_TLS_CA")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        common::to_run(out)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.cli(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.project);
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", &label])
            .output()
            .unwrap();
        for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", id]).output();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_pages_show_a_running_redis_and_stream_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::new(dir.path(), "svc");
    let s = Server::start_with("", &[], &stack.envs());
    stack.cli(&["up", "--services", "redis"]).ok();
    let ps = stack.cli(&["ps", "--json"]).ok().json();
    let row = ps["services"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["service"] == "redis"))
        .cloned()
        .unwrap_or_else(|| panic!("redis in ps: {ps}"));
    let reader = s.token("viewer", "read");
    let cookie = log_in(&s, Some(&reader));

    // The list: redis with its state, health (as `ps` says), port and a link.
    let list = get(&s, "/ui/services", &cookie).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let at = list.body.find("id=\"service-redis\"").expect("a redis row");
    let tr = &list.body[at..list.body[at..].find("</tr>").unwrap() + at];
    assert!(tr.contains("href=\"/ui/services/redis\""), "{tr}");
    assert!(tr.contains("data-state=\"running\""), "{tr}");
    let health = row["health"].as_str().unwrap();
    assert!(tr.contains(&format!("<td>{health}</td>")), "{tr} vs {row}");
    assert!(
        tr.contains(&format!(":{}→6379", stack.port)),
        "no port in {tr}"
    );
    assert!(tr.contains("dspy-test/redis:latest"), "{tr}");
    assert!(
        list.body
            .contains("<div id=\"live\" data-stream=\"/ui/stream?topics=services\" hidden></div>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("data-live=\"services\""));
    assert_strict(&list);

    // One service's page: its fields and the log viewer, with its own script and no #live.
    let page = get(&s, "/ui/services/redis", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<pre id=\"log\" data-log"),
        "{}",
        page.body
    );
    assert!(page.body.contains("src=\"/ui/assets/logs.js\""));
    assert!(!page.body.contains("id=\"live\""), "{}", page.body);
    assert!(page.body.contains("/ui/services/redis/logs.txt?tail="));
    assert_strict(&page);
    let js = get(&s, "/ui/assets/logs.js", "").await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("EventSource"));

    // Unknown or invalid names: 404, for the page and its streams.
    for path in [
        "/ui/services/nope",
        "/ui/services/..%2Fetc",
        "/ui/services/nope/logs/stream",
        "/ui/services/nope/logs.txt",
    ] {
        assert_eq!(get(&s, path, &cookie).await.status, 404, "{path}");
    }
    // A bad tail or search is refused before anything is read.
    for q in ["tail=-1", "tail=x", "tail=999999"] {
        let r = get(&s, &format!("/ui/services/redis/logs/stream?{q}"), &cookie).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
    }

    // The stream sends what redis logged (the read session may view).
    let mut all = Events::open(&s, "/ui/services/redis/logs/stream?tail=100", &cookie)
        .await
        .unwrap();
    let before = all
        .lines_until("Ready to accept connections", Duration::from_secs(20))
        .await;
    assert!(
        before.iter().any(|l| !l.contains("eady")),
        "redis logged more than the ready line: {before:?}"
    );
    drop(all);
    // q= filters on the server: every line sent before the ready line holds the text, though
    // redis logged others before it.
    let mut some = Events::open(
        &s,
        "/ui/services/redis/logs/stream?tail=100&q=READY+to",
        &cookie,
    )
    .await
    .unwrap();
    let got = some
        .lines_until("Ready to accept connections", Duration::from_secs(20))
        .await;
    assert!(
        got.iter().all(|l| l.to_lowercase().contains("ready to")),
        "{got:?}"
    );
    drop(some);

    // The download: an attachment with the lines.
    let dl = get(&s, "/ui/services/redis/logs.txt?tail=50", &cookie).await;
    assert_eq!(dl.status, 200, "{}", dl.body);
    let cd = dl.headers["content-disposition"].to_str().unwrap();
    assert_eq!(cd, "attachment; filename=\"redis-logs.txt\"");
    assert!(
        dl.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(
        dl.body.contains("Ready to accept connections"),
        "{}",
        dl.body
    );
    assert!(dl.body.lines().count() <= 50);
    let filtered = get(&s, "/ui/services/redis/logs.txt?q=ready+to", &cookie).await;
    assert!(filtered.body.lines().count() >= 1);
    assert!(
        filtered
            .body
            .lines()
            .all(|l| l.to_lowercase().contains("ready to")),
        "{}",
        filtered.body
    );
}

/// A stream's slot comes back once its client is gone; poll with a deadline.
async fn wait_admitted(s: &Server, path: &str, cookie: &str, within: Duration) -> Events {
    let deadline = Instant::now() + within;
    loop {
        match Events::open(s, path, cookie).await {
            Ok(e) => return e,
            Err((429, _)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err((code, body)) => panic!("stream refused with {code}: {body}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_streams_are_bounded_per_session_and_end_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let stack = Stack::new(dir.path(), "cap");
    let s = Server::start_with("", &[], &stack.envs());
    stack.cli(&["up", "--services", "redis"]).ok();
    let cookie = log_in(&s, None);
    let other = log_in(&s, None);
    let path = "/ui/services/redis/logs/stream?tail=5";

    let mut open = Vec::new();
    for _ in 0..3 {
        let mut e = Events::open(&s, path, &cookie).await.unwrap();
        assert!(e.next(Duration::from_secs(20)).await.is_some());
        open.push(e);
    }
    // A fourth of the same session: 429, saying why; another session still gets one.
    let (code, body) = Events::open(&s, path, &cookie).await.err().unwrap();
    assert_eq!(code, 429, "{body}");
    assert!(body.contains("at most 3"), "{body}");
    let mut theirs = Events::open(&s, "/ui/services/redis/logs/stream?tail=0", &other)
        .await
        .unwrap();
    // Closing one gives its place back.
    drop(open.pop());
    let mut again = wait_admitted(&s, path, &cookie, Duration::from_secs(30)).await;
    assert!(again.next(Duration::from_secs(20)).await.is_some());

    // Logging out ends the session's streams with an `end` event saying why; the other
    // session's goes on.
    let page = get(&s, "/ui/services/redis", &cookie).await.body;
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..].split('"').next().unwrap();
    let r = client()
        .post(format!("http://{}/ui/logout", s.http))
        .header("Cookie", &cookie)
        .header("Origin", format!("http://{}", s.http))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success() || r.status().is_redirection(),
        "{}",
        r.status()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let ended = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match again.next(left).await {
            Some((event, data)) if event == "end" => break data,
            Some(_) => {}
            None => panic!("the stream did not end with the session"),
        }
    };
    assert!(ended.contains("session ended"), "{ended}");
    assert!(
        again.next(Duration::from_secs(5)).await.is_none(),
        "closed after end"
    );
    drop(open);
    // The other session's stream (no tail, and redis is quiet) is still open: no end.
    assert_eq!(theirs.next(Duration::from_secs(2)).await, None);

    // The server stopping ends it, saying so, rather than leaving it hanging.
    let pid = s.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let (event, data) = theirs
        .next(Duration::from_secs(10))
        .await
        .expect("an end event when the server stops");
    assert_eq!(
        (event.as_str(), data.as_str()),
        ("end", "the server is stopping")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_engine_or_a_gpu_the_pages_say_why() {
    let s = Server::start_with(
        "",
        &[],
        &[
            ("DOCKER_HOST", "unix:///nonexistent/docker.sock"),
            ("DSPY_AGENT_GPU_INVENTORY", ""),
        ],
    );
    let cookie = log_in(&s, None);
    let list = get(&s, "/ui/services", &cookie).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("id=\"no-engine\""), "{}", list.body);
    assert!(list.body.contains("nonexistent"), "{}", list.body);
    let one = get(&s, "/ui/services/redis", &cookie).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert!(one.body.contains("id=\"no-engine\""), "{}", one.body);
    let stream = get(&s, "/ui/services/redis/logs/stream", &cookie).await;
    assert_eq!(stream.status, 503, "{}", stream.body);

    let gpus = get(&s, "/ui/gpus", &cookie).await;
    assert_eq!(gpus.status, 200, "{}", gpus.body);
    assert!(gpus.body.contains("id=\"no-gpus\""), "{}", gpus.body);
    // The inventory's own reason (this machine has no NVIDIA driver).
    let reason = s.cli(&["gpu", "--json"]).ok().json()["reason"]
        .as_str()
        .map(str::to_string);
    if let Some(reason) = reason {
        let escaped = reason.replace('&', "&amp;").replace('"', "&quot;");
        assert!(gpus.body.contains(&escaped), "{reason}: {}", gpus.body);
    }
    assert!(gpus.body.contains("data-stream=\"/ui/stream?topics=gpus\""));
    let workers = get(&s, "/ui/workers", &cookie).await;
    assert!(
        workers.body.contains("id=\"no-workers\""),
        "{}",
        workers.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gpus_page_shows_the_task_holding_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let uuids: Vec<String> = (0..2)
        .map(|i| format!("GPU-{}-uip-{i}", std::process::id()))
        .collect();
    let gpus: Vec<serde_json::Value> = uuids
        .iter()
        .map(|u| {
            serde_json::json!({"uuid": u, "name": "Simulated GPU", "memory_total_mb": 16384,
                "memory_used_mb": 1024, "utilization_gpu_pct": 7})
        })
        .collect();
    let file = dir.path().join("gpus.json");
    std::fs::write(
        &file,
        serde_json::json!({"driver_version": "550.0", "gpus": gpus}).to_string(),
    )
    .unwrap();
    let s = Server::start_with(
        "",
        &[],
        &[("DSPY_AGENT_GPU_INVENTORY", file.to_str().unwrap())],
    );
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let started = dir.path().join("started");
    c.submit_task(pb::SubmitTaskRequest {
        task_id: "held".into(),
        payload: HashMap::from([(
            "command".to_string(),
            serde_json::json!(format!("touch {}; sleep 60", started.display())).to_string(),
        )]),
        class: "gpu".into(),
        max_attempts: 1,
        gpus: Some(1),
        ..Default::default()
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(
            Instant::now() < deadline,
            "the task did not start: {}",
            s.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let given = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "held".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .gpu_uuids;
    assert_eq!(given.len(), 1, "{given:?}");
    let cookie = log_in(&s, Some(&s.token("viewer", "read")));
    let page = get(&s, "/ui/gpus", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let row = |uuid: &str| {
        let at = page
            .body
            .find(&format!("<tr id=\"gpu-{uuid}\">"))
            .unwrap_or_else(|| panic!("no row for {uuid}: {}", page.body));
        page.body[at..at + page.body[at..].find("</tr>").unwrap()].to_string()
    };
    let held = row(&given[0]);
    assert!(
        held.contains("<a href=\"/ui/tasks/held\">held</a>"),
        "{held}"
    );
    assert!(held.contains("1024 / 16384 MiB"), "{held}");
    assert!(held.contains("7%"), "{held}");
    let free = uuids.iter().find(|u| **u != given[0]).unwrap();
    assert!(row(free).contains("free"), "{}", row(free));
    assert!(page.body.contains("driver 550.0"));
    assert_strict(&page);
    let _ = c
        .cancel_task(pb::CancelTaskRequest {
            task_id: "held".into(),
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workers_page_lists_a_worker_with_its_task_and_lease_expiry() {
    let s = Server::start("[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n");
    let admin = common::token(s.home());
    let mut a = s.orch_as(Some(&admin)).await;
    let mut w = s.orch_as(Some(&s.token("pool", "worker"))).await;
    w.register_worker(pb::RegisterWorkerRequest {
        name: "box-1".into(),
        host: "box.example".into(),
        version: "9.9.9".into(),
        classes: vec!["cpu_long".into()],
        concurrency: 4,
        lease_seconds: 60.0,
        ..Default::default()
    })
    .await
    .unwrap();
    a.submit_task(pb::SubmitTaskRequest {
        task_id: "remote-1".into(),
        payload: HashMap::from([("data".to_string(), "1".to_string())]),
        class: "cpu_long".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let leased = w
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "box-1".into(),
            classes: vec!["cpu_long".into()],
            max: 1,
            lease_seconds: 45.0,
            wait_ms: 5000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(leased.len(), 1, "{leased:?}");
    let expires = leased[0].lease_expires_at_ms;

    let cookie = log_in(&s, Some(&s.token("viewer", "read")));
    let page = get(&s, "/ui/workers", &cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page
        .body
        .find("<tr id=\"worker-box-1\">")
        .unwrap_or_else(|| panic!("no worker row: {}", page.body));
    let tr = &page.body[at..at + page.body[at..].find("</tr>").unwrap()];
    for want in [
        "<td>box.example</td>",
        "<td>9.9.9</td>",
        "<td>cpu_long</td>",
        ">connected</span>",
        "<td class=\"num\">4</td>",
        "<a href=\"/ui/tasks/remote-1\">remote-1</a>",
        "lease expires in",
        &format!("data-ms=\"{expires}\""),
    ] {
        assert!(tr.contains(want), "{want:?} not in {tr}");
    }
    assert!(
        page.body
            .contains("data-stream=\"/ui/stream?topics=workers\"")
    );
    assert_strict(&page);

    // Completed: no longer held, and counted as done.
    w.complete_task(pb::CompleteTaskRequest {
        task_id: "remote-1".into(),
        lease_id: leased[0].lease_id.clone(),
        success: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let page = get(&s, "/ui/workers", &cookie).await.body;
    let at = page.find("<tr id=\"worker-box-1\">").unwrap();
    let tr = &page[at..at + page[at..].find("</tr>").unwrap()];
    assert!(!tr.contains("remote-1"), "{tr}");
    assert!(
        tr.ends_with("<td class=\"num\">1</td><td class=\"num\">0</td>"),
        "{tr}"
    );
}
