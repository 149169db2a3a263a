//! `serve` as something you can expose: browser attacks on the HTTP listener are refused, a
//! client cannot hold the listener down, and a services file cannot inject into a probe. Real
//! server process, real curl and raw sockets.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Env;

#[test]
fn health_path_with_control_characters_is_refused_at_load() {
    for (path, shown) in [
        ("/health\\r\\nX-Injected: 1", "\\r\\n"),
        ("/a\\nb", "\\n"),
        ("/a\\u0000b", "\\0"),
        ("/a\\tb", "\\t"),
        ("/a\\u007fb", "\\u{7f}"),
    ] {
        let text = format!(
            "[services.web]\nimage = \"x\"\nports = [\"8080:80\"]\n[services.web.health]\nkind = \"http\"\npath = \"{path}\"\n"
        );
        let env = Env::new("ctlpath").with_services(&text);
        for args in [
            &["config", "services"][..],
            &["up", "--services", "web"][..],
        ] {
            let out = env.run(args).code(2);
            assert!(
                out.stderr.contains("service `web`")
                    && out.stderr.contains("`health.path`")
                    && out.stderr.contains("control characters")
                    && out.stderr.contains(shown),
                "{args:?} {path}: {}",
                out.stderr
            );
        }
    }
    // A plain path still loads.
    Env::new("okpath")
        .with_services("[services.web]\nimage = \"x\"\nports = [\"8080:80\"]\n[services.web.health]\nkind = \"http\"\npath = \"/ok?x=1\"\n")
        .run(&["config", "services"])
        .ok();
}

/// A `serve` process on free loopback ports with its own home and config.toml; killed on drop.
struct Server {
    child: Child,
    home: tempfile::TempDir,
    http: String,
}

impl Server {
    fn start(config: &str) -> Server {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("config.toml"), config).unwrap();
        let log = std::fs::File::create(home.path().join("server.log")).unwrap();
        let child = Command::new(common::BIN)
            .arg("serve")
            .env("DSPY_AGENT_HOME", home.path())
            .env("DSPY_AGENT_PROJECT", format!("sec{}", std::process::id()))
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .env(
                "DSPY_AGENT_SERVICES_FILE",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/services.toml"),
            )
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut child = child;
        let log_path = home.path().join("server.log");
        let serve =
            common::wait_for_serve(&mut child, home.path(), Duration::from_secs(20), || {
                std::fs::read_to_string(&log_path).unwrap_or_default()
            });
        Server {
            child,
            home,
            http: serve["http_addr"].as_str().unwrap().into(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.http)
    }

    /// `curl -s` with the home's admin token and `args`, then the URL; the status code and
    /// the body.
    fn curl(&self, args: &[&str], path: &str) -> (u16, String) {
        self.curl_as(Some(&common::token(self.home.path())), args, path)
    }

    /// `curl -s` with `token` (or none) and `args`, then the URL; the status code and the body.
    fn curl_as(&self, token: Option<&str>, args: &[&str], path: &str) -> (u16, String) {
        let auth: Vec<String> = token
            .map(|t| vec!["-H".to_string(), format!("Authorization: Bearer {t}")])
            .unwrap_or_default();
        let out = Command::new("curl")
            .args(["-s", "--max-time", "10", "-w", "\n%{http_code}"])
            .args(&auth)
            .args(args)
            .arg(self.url(path))
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    fn tasks_total(&self) -> u64 {
        let (code, body) = self.curl(&[], "/tasks");
        assert_eq!(code, 200, "{body}");
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        doc["total"].as_u64().unwrap()
    }

    fn metric(&self, name: &str) -> f64 {
        let (_, body) = self.curl(&[], "/metrics");
        body.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{body}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// Wait until task `id` is finished; its document.
    fn wait_finished(&self, id: &str) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, body) = self.curl(&[], &format!("/tasks/{id}"));
            let doc: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if ["completed", "failed", "cancelled"].contains(&doc["status"].as_str().unwrap_or(""))
            {
                return doc;
            }
            assert!(Instant::now() < deadline, "{id} never finished: {body}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_error(code: u16, body: &str, want: u16, says: &str) {
    assert_eq!(code, want, "{body}");
    let doc: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{body}"));
    let msg = doc["error"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(msg.contains(says), "{body}");
}

#[test]
fn browser_attacks_are_refused_and_plain_clients_still_work() {
    let s = Server::start("");
    let pwned = s.home.path().join("pwned.txt");
    let attack = format!(
        r#"{{"payload":{{"command":"echo pwned > {}"}}}}"#,
        pwned.display()
    );
    // The issue's request: a cross-origin text/plain POST, which a web page can send without
    // a CORS preflight.
    let (code, body) = s.curl(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: text/plain",
            "-H",
            "Origin: http://evil.example",
            "--data",
            &attack,
        ],
        "/queue/submit",
    );
    assert_error(code, &body, 403, "Origin");
    // A cross-origin JSON POST.
    let (code, body) = s.curl(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            "Origin: http://evil.example",
            "--data",
            &attack,
        ],
        "/queue/submit",
    );
    assert_error(code, &body, 403, "Origin");
    // The same body without an Origin but as text/plain: 415, from the same origin too.
    let own = format!("Origin: http://{}", s.http);
    for extra in [&[][..], &["-H", own.as_str()][..]] {
        let mut args = vec!["-X", "POST", "-H", "Content-Type: text/plain", "--data"];
        args.push(&attack);
        args.extend_from_slice(extra);
        let (code, body) = s.curl(&args, "/queue/submit");
        assert_error(code, &body, 415, "application/json");
    }
    // DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends its own Host.
    for path in [
        "/tasks",
        "/health",
        "/metrics",
        "/queue/status",
        "/events",
        "/nope",
    ] {
        let (code, body) = s.curl(&["-H", "Host: evil.example"], path);
        assert_error(code, &body, 403, "Host");
    }
    let (code, body) = s.curl(
        &["-X", "POST", "-H", "Host: evil.example:80"],
        "/tasks/x/cancel",
    );
    assert_error(code, &body, 403, "Host");

    // Plain loopback clients (no Origin) work, and so does the server's own origin with JSON.
    let marker = s.home.path().join("marker.txt");
    let ok = format!(
        r#"{{"task_id":"ok","payload":{{"command":"echo ok > {}"}}}}"#,
        marker.display()
    );
    let (code, body) = s.curl(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json; charset=utf-8",
            "-H",
            &own,
            "--data",
            &ok,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201, "{body}");
    for host in ["localhost", &s.http, "[::1]:1", "127.0.0.2"] {
        let (code, body) = s.curl(&["-H", &format!("Host: {host}")], "/queue/status");
        assert_eq!(code, 200, "{host}: {body}");
    }
    // Once the later task has run, the refused one would have too: it was never created.
    assert_eq!(s.wait_finished("ok")["status"], "completed");
    assert!(marker.exists());
    assert_eq!(s.tasks_total(), 1, "only the allowed task exists");
    assert!(!pwned.exists(), "the cross-origin command ran");
}

#[test]
fn allowed_hosts_and_origins_come_from_the_settings() {
    let s = Server::start(
        "[http]\nallowed_hosts = \"box.example, other.example:8080\"\nallowed_origins = \"https://ui.example\"\n",
    );
    for host in ["box.example", "box.example:9", "other.example:8080"] {
        let (code, body) = s.curl(&["-H", &format!("Host: {host}")], "/tasks");
        assert_eq!(code, 200, "{host}: {body}");
    }
    let (code, body) = s.curl(&["-H", "Host: other.example:9"], "/tasks");
    assert_error(code, &body, 403, "http.allowed_hosts");
    let (code, body) = s.curl(
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-H",
            "Origin: https://ui.example",
            "--data",
            r#"{"task_id":"ui"}"#,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201, "{body}");
    let (code, body) = s.curl(&["-H", "Origin: https://ui.example.evil"], "/tasks");
    assert_error(code, &body, 403, "http.allowed_origins");
}

/// Send `request` on a fresh connection and read until the server closes it (or 10 s pass).
fn raw(addr: &str, request: &str) -> String {
    let mut c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = c.write_all(request.as_bytes());
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_slowloris_does_not_stop_a_normal_request_and_is_cut_off() {
    let s = Server::start("");
    let stalled: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut c = TcpStream::connect(&s.http).unwrap();
            c.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .unwrap();
            c
        })
        .collect();
    let started = Instant::now();
    let reply = raw(
        &s.http,
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    let took = started.elapsed();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(took < Duration::from_secs(1), "/health took {took:?}");
    // The header read timeout (10 s) closes the half-open connections.
    let mut first = &stalled[0];
    first
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = Vec::new();
    let cut = Instant::now();
    let _ = first.read_to_end(&mut buf);
    let waited = cut.elapsed() + took;
    assert!(
        waited < Duration::from_secs(19),
        "a stalled connection stayed open {waited:?}"
    );
}

#[test]
fn connections_past_the_cap_get_503_until_one_closes() {
    let s = Server::start("[http]\nmax_connections = 3\n");
    let idle: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(&s.http).unwrap())
        .collect();
    let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    // Accepted in order: the fourth connection is over the cap.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = raw(&s.http, request);
        if reply.starts_with("HTTP/1.1 503") {
            assert!(reply.contains("http.max_connections"), "{reply}");
            break;
        }
        // A reset before the reply was read is also a refusal; anything else is not.
        assert!(reply.is_empty(), "past the cap: {reply}");
        assert!(Instant::now() < deadline, "never refused");
    }
    drop(idle);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !raw(&s.http, request).starts_with("HTTP/1.1 200") {
        assert!(Instant::now() < deadline, "the cap was never released");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_body_that_does_not_arrive_gets_408() {
    let s = Server::start("[http]\nbody_timeout_s = 1\n");
    let started = Instant::now();
    let reply = raw(
        &s.http,
        &format!(
            "POST /queue/submit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"task_id\"",
            common::bearer(s.home.path())
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(reply.contains("http.body_timeout_s"), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(s.tasks_total(), 0);
}

#[tokio::test]
async fn event_subscribers_past_the_cap_get_503() {
    let s = Server::start("[http]\nmax_sse_subscribers = 2\n");
    let http = common::http(s.home.path());
    let url = s.url("/events");
    let a = http.get(&url).send().await.unwrap();
    let b = http.get(&url).send().await.unwrap();
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let c = http.get(&url).send().await.unwrap();
    assert_eq!(c.status(), 503);
    let doc: serde_json::Value = c.json().await.unwrap();
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("max_sse_subscribers"),
        "{doc}"
    );
    // A subscriber that leaves frees its place (noticed at the next event written to it).
    drop(a);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    loop {
        n += 1;
        let r = http
            .post(s.url("/queue/submit"))
            .header("content-type", "application/json")
            .body(format!(r#"{{"task_id": "wake-{n}"}}"#))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let d = http.get(&url).send().await.unwrap();
        if d.status() == 200 {
            break;
        }
        assert_eq!(d.status(), 503);
        assert!(Instant::now() < deadline, "the place was never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(b);
}

#[tokio::test]
async fn health_probes_once_for_a_flood_and_never_writes_state() {
    let s = Server::start("");
    let state = s.home.path().join("state.json");
    let before = (
        std::fs::metadata(&state).unwrap().modified().unwrap(),
        std::fs::read_to_string(&state).unwrap(),
    );
    let probes_before = s.metric("orchestrator_health_probes_total");
    let http = common::http(s.home.path());
    let started = Instant::now();
    let calls: Vec<_> = (0..200)
        .map(|_| {
            let r = http.get(s.url("/health")).send();
            tokio::spawn(async move {
                let r = r.await.unwrap();
                assert_eq!(r.status(), 200);
                let doc: serde_json::Value = r.json().await.unwrap();
                assert_eq!(doc["status"], "SERVING");
            })
        })
        .collect();
    for c in calls {
        c.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    let probes = s.metric("orchestrator_health_probes_total") - probes_before;
    // One per second at most (plus the one in flight at each end).
    assert!(
        probes >= 1.0 && probes <= secs.ceil() + 2.0,
        "{probes} probes in {secs}s"
    );
    let after = (
        std::fs::metadata(&state).unwrap().modified().unwrap(),
        std::fs::read_to_string(&state).unwrap(),
    );
    assert_eq!(before, after, "/health wrote state.json");
}

#[test]
fn bodies_over_the_limit_get_413_whether_announced_or_chunked() {
    let s = Server::start("[scheduler]\nmax_payload_bytes = 1000\n");
    let big = s.home.path().join("big.json");
    std::fs::write(
        &big,
        format!(r#"{{"payload": {{"x": "{}"}}}}"#, "y".repeat(200_000)),
    )
    .unwrap();
    let data = format!("@{}", big.display());
    for chunked in [false, true] {
        let mut args = vec!["-H", "Content-Type: application/json", "--data-binary"];
        args.push(&data);
        if chunked {
            args.extend_from_slice(&["-H", "Transfer-Encoding: chunked"]);
        }
        let (code, body) = s.curl(&args, "/queue/submit");
        assert_error(code, &body, 413, "larger than");
    }
    // A small chunked JSON body is read as usual.
    let (code, body) = s.curl(
        &[
            "-H",
            "Content-Type: application/json",
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            r#"{"task_id": "small"}"#,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201, "{body}");
    assert_eq!(s.tasks_total(), 1);
}
