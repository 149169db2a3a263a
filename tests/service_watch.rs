//! `serve` watches the project's containers through Docker's event stream: a real server, a
//! real engine, services started by the real `up`, and a real tonic client and SSE reader.
//! A service's main process killed inside its container comes back under Docker's restart
//! policy and is reported (event, `ps`, metrics, `/health`); a failing image HEALTHCHECK makes
//! `/health` DEGRADED.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::Env;
use dspy_agent::proto::orchestrator as pb;
use futures_util::StreamExt;

/// `serve` for `env` (its home, project and services file), killed on drop, after which the
/// project's containers are taken down.
struct Served<'a> {
    env: &'a Env,
    child: Child,
    orch: String,
    http: String,
    /// Images the test built, removed on drop.
    images: Vec<String>,
}

impl<'a> Served<'a> {
    fn start(env: &'a Env) -> Served<'a> {
        Served::start_with(env, &[])
    }

    /// With `envs` for the server only (the CLI the test runs keeps the test's own).
    fn start_with(env: &'a Env, envs: &[(&str, &str)]) -> Served<'a> {
        let log = std::fs::File::create(env.home().join("server.log")).unwrap();
        let mut child = env
            .command(&["serve"])
            .env("DSPY_AGENT_ORCHESTRATOR_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_ENV_MANAGER_ADDR", "127.0.0.1:0")
            .env("DSPY_AGENT_HTTP_ADDR", "127.0.0.1:0")
            .envs(envs.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let log_path = env.home().join("server.log");
        let serve = common::wait_for_serve(&mut child, env.home(), Duration::from_secs(20), || {
            std::fs::read_to_string(&log_path).unwrap_or_default()
        });
        Served {
            env,
            child,
            orch: serve["orchestrator_addr"].as_str().unwrap().into(),
            http: format!("http://{}", serve["http_addr"].as_str().unwrap()),
            images: vec![],
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.env.home().join("server.log")).unwrap_or_default()
    }

    async fn get(&self, path: &str) -> String {
        common::http(self.env.home())
            .get(format!("{}{path}", self.http))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn health(&self) -> serde_json::Value {
        serde_json::from_str(&self.get("/health").await).unwrap()
    }

    /// Poll `/health` until `ok` holds (deadline `within`); the last answer.
    async fn health_until(
        &self,
        within: Duration,
        ok: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + within;
        loop {
            let h = self.health().await;
            if ok(&h) {
                return h;
            }
            assert!(
                Instant::now() < deadline,
                "health never got there: {h}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A live StreamEvents feed of `types`, read by a task into a channel with the wall-clock
    /// time each event arrived.
    async fn grpc_events(
        &self,
        types: &[&str],
    ) -> tokio::sync::mpsc::UnboundedReceiver<(pb::Event, SystemTime)> {
        let mut c = common::orch(&self.orch, self.env.home()).await;
        let mut stream = c
            .stream_events(pb::StreamEventsRequest {
                event_types: types.iter().map(|t| t.to_string()).collect(),
                since_timestamp: 0,
            })
            .await
            .unwrap()
            .into_inner();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(e)) = stream.next().await {
                if tx.send((e, SystemTime::now())).is_err() {
                    return;
                }
            }
        });
        rx
    }
}

impl Drop for Served<'_> {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.env.run(&["down", "--volumes", "--timeout", "1"]);
        let label = format!("label=dspy-agent.project={}", self.env.project);
        let ids = docker(&["ps", "-aq", "--filter", &label]);
        for id in ids.split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", id]).output();
        }
        for image in &self.images {
            let _ = Command::new("docker").args(["rmi", "-f", image]).output();
        }
    }
}

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn ms(t: SystemTime) -> u64 {
    u64::try_from(t.duration_since(UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// The next event from `rx` within `within`.
async fn next_event(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<(pb::Event, SystemTime)>,
    within: Duration,
    what: &str,
    log: impl Fn() -> String,
) -> (pb::Event, SystemTime) {
    match tokio::time::timeout(within, rx.recv()).await {
        Ok(Some(e)) => e,
        _ => panic!("no {what} event within {within:?}\n{}", log()),
    }
}

/// `promtool check metrics` accepts the exposition.
fn promtool(text: &str) {
    let mut p = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus)");
    std::io::Write::write_all(p.stdin.as_mut().unwrap(), text.as_bytes()).unwrap();
    let out = p.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of the sample line `name{labels}` in Prometheus text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// What redis logs each time it starts.
const READY: &str = "Ready to accept connections";

/// A `dspy-agent logs -f` process whose output is collected as it comes.
struct LogFollower {
    child: Child,
    out: std::sync::Arc<std::sync::Mutex<String>>,
}

impl LogFollower {
    fn start(mut cmd: Command) -> LogFollower {
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        LogFollower { child, out }
    }

    /// Wait until `needle` occurs exactly `n` times in the output (and not more).
    fn wait_for_count(&self, needle: &str, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let seen = self.out.lock().unwrap().matches(needle).count();
            assert!(
                seen <= n,
                "{needle:?} {seen} times, expected {n}:\n{}",
                self.out.lock().unwrap()
            );
            if seen == n {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} {seen} times after {within:?}, expected {n}:\n{}",
                self.out.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for LogFollower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_service_is_restarted_by_docker_and_serve_reports_it_within_2s() {
    let env = Env::new("watch-restart").with_services(
        "[services.cache]\nimage = \"dspy-test/redis:latest\"\nrestart = \"always\"\nports = [\"47311:6379\"]\n",
    );
    let s = Served::start(&env);
    // The watcher has read the containers and follows the stream.
    s.health_until(Duration::from_secs(20), |h| {
        h["services_watch"]["watching"] == true
    })
    .await;
    let mut grpc = s.grpc_events(&["service_restarted", "service_died"]).await;
    let mut sse = common::http(env.home())
        .get(format!("{}/events?types=service_restarted", s.http))
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 200);

    env.run(&["up", "--services", "cache"]).ok();
    let container = format!("{}-cache", env.project);
    // `up` created and started it: neither a death nor a restart.
    let m = s.get("/metrics").await;
    assert_eq!(
        sample(&m, "service_restarts_total{service=\"cache\"}"),
        Some(0.0),
        "{m}"
    );

    // `logs -f` follows the container across Docker's restart (its log stream ends when the
    // container stops): redis says it is ready once per start.
    let follow = LogFollower::start(env.command(&["logs", "-f", "--service", "cache"]));
    follow.wait_for_count(READY, 1, Duration::from_secs(20));
    // `-n 0` asks for nothing from before: across the restart too (no replay of the old log).
    let follow_new =
        LogFollower::start(env.command(&["logs", "-f", "-t", "-n", "0", "--service", "cache"]));

    // redis-server runs under the init process (pid 1), so SIGKILL reaches it; no `docker
    // kill` or `docker stop`, which Docker does not restart after. The image's PATH is
    // /usr/bin; its busybox is in /bin.
    let killed = SystemTime::now();
    docker(&[
        "exec",
        &container,
        "/bin/sh",
        "-c",
        "kill -9 $(/bin/busybox pidof redis-server)",
    ]);
    let (died, _) = next_event(&mut grpc, Duration::from_secs(30), "service_died", || {
        s.log()
    })
    .await;
    assert_eq!(died.r#type, "service_died");
    assert_eq!(died.data["service"], "cache");
    assert_eq!(died.data["exit_code"], "137");
    let (restarted, arrived) = next_event(
        &mut grpc,
        Duration::from_secs(30),
        "service_restarted",
        || s.log(),
    )
    .await;
    assert_eq!(restarted.r#type, "service_restarted", "{restarted:?}");
    assert_eq!(restarted.data["service"], "cache");
    assert_eq!(restarted.data["restart_count"], "1");
    assert_eq!(restarted.data["exit_code"], "137");
    let id = docker(&["inspect", "-f", "{{.Id}}", &container]);
    assert_eq!(restarted.data["container_id"], id);

    // Docker's own `start` event for the restart: its time is when the engine brought the
    // container back (after its restart delay, 100 ms the first time). The 2 s is the
    // time from there to our event reaching a subscriber, which the test measures; from the
    // kill it is that plus Docker's delay, bounded loosely here.
    let since = (ms(killed) / 1000).to_string();
    let until = (ms(SystemTime::now()) / 1000 + 1).to_string();
    let starts = docker(&[
        "events",
        "--since",
        &since,
        "--until",
        &until,
        "--filter",
        &format!("container={id}"),
        "--filter",
        "event=start",
        "--format",
        "{{.TimeNano}}",
    ]);
    let docker_start_ms = starts
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .map(|n| n / 1_000_000)
        .find(|t| *t >= ms(killed))
        .unwrap_or_else(|| panic!("no start event from Docker after the kill: {starts:?}"));
    let gap = ms(arrived).saturating_sub(docker_start_ms);
    eprintln!(
        "kill -> Docker start {} ms; Docker start -> service_restarted at the client {gap} ms",
        docker_start_ms.saturating_sub(ms(killed))
    );
    assert!(
        gap <= 2000,
        "service_restarted came {gap} ms after Docker's start"
    );
    assert!(
        ms(arrived) - ms(killed) <= 10_000,
        "service_restarted came {} ms after the kill",
        ms(arrived) - ms(killed)
    );

    // The restarted redis's own start, once: lines from before the restart are not sent again.
    follow.wait_for_count(READY, 2, Duration::from_secs(20));
    drop(follow);
    follow_new.wait_for_count(READY, 1, Duration::from_secs(20));
    let out = follow_new.out.lock().unwrap().clone();
    let ready_at = out
        .lines()
        .find(|l| l.contains(READY))
        .and_then(|l| l.split(" | ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no timestamped ready line: {out}"));
    let killed_at = humantime::format_rfc3339_nanos(killed).to_string();
    assert!(
        ready_at > killed_at.as_str(),
        "`logs -f -n 0` sent a line from before the restart ({ready_at} <= kill at {killed_at}):\n{out}"
    );
    drop(follow_new);

    // The same event on SSE.
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.contains("\"cache\"") {
        let chunk = tokio::time::timeout_at(deadline.into(), sse.chunk())
            .await
            .expect("no SSE event")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: service_restarted"), "{seen}");
    assert!(seen.contains("\"restart_count\":\"1\""), "{seen}");

    // ps shows the restart and the exit code of the killed process.
    let ps = env.run(&["--json", "ps"]).ok().json();
    let row = ps["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service"] == "cache")
        .cloned()
        .unwrap_or_else(|| panic!("{ps}"));
    assert_eq!(row["restart_count"], 1, "{row}");
    assert_eq!(row["exit_code"], 137, "{row}");
    assert_eq!(row["state"], "running", "{row}");

    let m = s.get("/metrics").await;
    assert_eq!(
        sample(&m, "service_restarts_total{service=\"cache\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "service_up{service=\"cache\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(sample(&m, "service_events_connected"), Some(1.0), "{m}");
    promtool(&m);
    // GetMetrics has the same families.
    let mut c = common::orch(&s.orch, env.home()).await;
    let got = c
        .get_metrics(pb::GetMetricsRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(
        got.metrics
            .iter()
            .any(|x| x.name == "service_restarts_total"
                && x.labels.get("service").map(String::as_str) == Some("cache")
                && x.value == 1.0),
        "{got:?}"
    );

    // /health says what happened; it is serving again.
    let h = s.health().await;
    let cache = &h["services_watch"]["services"]["cache"];
    assert_eq!(cache["restarts"], 1, "{h}");
    assert_eq!(cache["last_exit_code"], 137, "{h}");
    assert_eq!(cache["up"], true, "{h}");
    assert_eq!(h["status"], "SERVING", "{h}");

    // `down` stops it through the engine: no death, no restart, not degraded.
    env.run(&["down", "--timeout", "1"]).ok();
    let h = s
        .health_until(Duration::from_secs(20), |h| {
            h["services_watch"]["services"]["cache"]["state"] == "removed"
        })
        .await;
    assert_eq!(h["status"], "SERVING", "{h}");
    let m = s.get("/metrics").await;
    assert_eq!(
        sample(&m, "service_up{service=\"cache\"}"),
        Some(0.0),
        "{m}"
    );
    assert_eq!(
        sample(&m, "service_restarts_total{service=\"cache\"}"),
        Some(1.0),
        "{m}"
    );
    // The watcher emits before it records the removal, so anything `down` caused would be in
    // the stream already; the short wait covers only the hop to this client.
    if let Ok(Some((e, _))) = tokio::time::timeout(Duration::from_millis(500), grpc.recv()).await {
        panic!("`down` was reported as {e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_healthcheck_makes_the_service_unhealthy_and_health_degraded() {
    let env = Env::new("watch-health");
    // The test images have no HEALTHCHECK: one built on the busybox image, checking a file.
    let image = format!("dspy-test/{}-hc:latest", env.project);
    let mut build = Command::new("docker")
        .args(["build", "-q", "-t", &image, "-"])
        .env("DOCKER_BUILDKIT", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        build.stdin.as_mut().unwrap(),
        b"FROM dspy-test/busybox:latest\nHEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD test -f /tmp/ok\n",
    )
    .unwrap();
    let out = build.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = env.with_services(&format!(
        "[services.hc]\nimage = \"{image}\"\ncommand = [\"sh\", \"-c\", \"touch /tmp/ok; exec httpd -f -p 8080 -h /www\"]\nports = [\"47312:8080\"]\n[services.hc.health]\nkind = \"container\"\n"
    ));
    let mut s = Served::start(&env);
    s.images.push(image);
    s.health_until(Duration::from_secs(20), |h| {
        h["services_watch"]["watching"] == true
    })
    .await;
    let mut grpc = s
        .grpc_events(&["service_unhealthy", "service_healthy"])
        .await;
    // `up` waits for the HEALTHCHECK to pass.
    env.run(&["up", "--services", "hc"]).ok();
    let h = s.health().await;
    assert_eq!(h["status"], "SERVING", "{h}");

    let container = format!("{}-hc", env.project);
    docker(&["exec", &container, "rm", "/tmp/ok"]);
    let (e, _) = next_event(
        &mut grpc,
        Duration::from_secs(30),
        "service_unhealthy",
        || s.log(),
    )
    .await;
    assert_eq!(e.r#type, "service_unhealthy");
    assert_eq!(e.data["service"], "hc");
    let h = s
        .health_until(Duration::from_secs(5), |h| h["status"] == "DEGRADED")
        .await;
    assert_eq!(h["reason"], "service `hc` is unhealthy", "{h}");
    // The Health RPC says so too; the unauthenticated answer says only the status.
    let mut c = common::orch(&s.orch, env.home()).await;
    let rpc = c.health(pb::HealthRequest {}).await.unwrap().into_inner();
    assert_eq!(rpc.status, "DEGRADED");
    let bare: serde_json::Value = reqwest::get(format!("{}/health", s.http))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bare, serde_json::json!({"status": "DEGRADED"}));

    // The check passes again: service_healthy, and serving.
    docker(&["exec", &container, "touch", "/tmp/ok"]);
    let (e, _) = next_event(
        &mut grpc,
        Duration::from_secs(30),
        "service_healthy",
        || s.log(),
    )
    .await;
    assert_eq!(e.r#type, "service_healthy");
    s.health_until(Duration::from_secs(5), |h| h["status"] == "SERVING")
        .await;
}

/// The engine's socket that the test's own `docker` talks to.
fn engine_socket() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/var/run/docker.sock".to_string())
}

/// A Unix socket that forwards each connection to the real engine's, standing in for an engine
/// that goes away (`stop`: the socket disappears and open connections drop) and comes back.
struct EngineProxy {
    path: std::path::PathBuf,
    accept: tokio::task::JoinHandle<()>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl EngineProxy {
    fn start(path: &std::path::Path) -> EngineProxy {
        let _ = std::fs::remove_file(path);
        let listener = tokio::net::UnixListener::bind(path).unwrap();
        let conns = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let held = conns.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let Ok(mut engine) = tokio::net::UnixStream::connect(engine_socket()).await else {
                    continue;
                };
                let copy = tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                });
                held.lock().unwrap().push(copy.abort_handle());
            }
        });
        EngineProxy {
            path: path.to_path_buf(),
            accept,
            conns,
        }
    }

    fn stop(self) {
        self.accept.abort();
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_survives_the_engine_going_away_and_counts_restarts_it_missed() {
    let env = Env::new("watch-engine").with_services(
        "[services.cache]\nimage = \"dspy-test/redis:latest\"\nrestart = \"always\"\nports = [\"47313:6379\"]\n",
    );
    let sock = env.home().join("engine.sock");
    let host = format!("unix://{}", sock.display());
    // No engine at all at first: serve starts and serves, and says why it does not watch.
    let s = Served::start_with(&env, &[("DOCKER_HOST", &host)]);
    let h = s
        .health_until(Duration::from_secs(10), |h| {
            h["services_watch"]["error"].is_string()
        })
        .await;
    assert_eq!(h["status"], "SERVING", "{h}");
    assert_eq!(h["services_watch"]["watching"], false, "{h}");
    assert!(
        h["services_watch"]["error"]
            .as_str()
            .unwrap()
            .contains("engine.sock"),
        "{h}"
    );
    let m = s.get("/metrics").await;
    assert_eq!(sample(&m, "service_events_connected"), Some(0.0), "{m}");

    // The engine appears: the watch connects (its pauses grow from 1 s; 30 s at most).
    let proxy = EngineProxy::start(&sock);
    s.health_until(Duration::from_secs(40), |h| {
        h["services_watch"]["watching"] == true
    })
    .await;
    env.run(&["up", "--services", "cache"]).ok();
    s.health_until(Duration::from_secs(10), |h| {
        h["services_watch"]["services"]["cache"]["up"] == true
    })
    .await;

    // The engine goes away; meanwhile Docker restarts the service after a crash.
    proxy.stop();
    s.health_until(Duration::from_secs(10), |h| {
        h["services_watch"]["watching"] == false
    })
    .await;
    let container = format!("{}-cache", env.project);
    docker(&[
        "exec",
        &container,
        "/bin/sh",
        "-c",
        "kill -9 $(/bin/busybox pidof redis-server)",
    ]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while docker(&[
        "inspect",
        "-f",
        "{{.RestartCount}} {{.State.Running}}",
        &container,
    ]) != "1 true"
    {
        assert!(Instant::now() < deadline, "Docker did not restart it");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut grpc = s.grpc_events(&["service_restarted"]).await;

    // Back: the watch reconnects and counts the restart it did not see happen.
    let proxy = EngineProxy::start(&sock);
    let (e, _) = next_event(
        &mut grpc,
        Duration::from_secs(40),
        "service_restarted",
        || s.log(),
    )
    .await;
    assert_eq!(e.data["service"], "cache");
    assert_eq!(e.data["restart_count"], "1");
    let h = s
        .health_until(Duration::from_secs(5), |h| {
            h["services_watch"]["watching"] == true
        })
        .await;
    assert_eq!(
        h["services_watch"]["services"]["cache"]["restarts"], 1,
        "{h}"
    );
    let m = s.get("/metrics").await;
    assert_eq!(
        sample(&m, "service_restarts_total{service=\"cache\"}"),
        Some(1.0),
        "{m}"
    );
    assert_eq!(sample(&m, "service_events_connected"), Some(1.0), "{m}");
    drop(s);
    proxy.stop();
}
