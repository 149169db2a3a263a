//! Tokens, roles, the audit log, TLS and the exposure rule, against the real `serve` with real
//! clients: curl, the tonic clients the CLI uses, and the CLI itself.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use dspy_agent::proto::env_manager as em;
use dspy_agent::proto::orchestrator as pb;

use common::server::{Server, serve_cmd};

fn worker_task(id: &str) -> pb::SubmitTaskRequest {
    pb::SubmitTaskRequest {
        task_id: id.into(),
        payload: HashMap::from([("data".to_string(), "1".to_string())]),
        class: String::new(),
        priority: 0,
        max_attempts: 0,
        timeout_seconds: 0.0,
        ..Default::default()
    }
}

fn lease_req() -> pb::LeaseTasksRequest {
    pb::LeaseTasksRequest {
        worker_id: "w".into(),
        classes: vec![],
        max: 10,
        lease_seconds: 30.0,
        wait_ms: 2000,
        ..Default::default()
    }
}

fn list_req() -> pb::ListTasksRequest {
    pb::ListTasksRequest::default()
}

#[track_caller]
fn code_of<T: std::fmt::Debug>(r: Result<T, tonic::Status>) -> tonic::Code {
    match r {
        Ok(_) => tonic::Code::Ok,
        Err(s) => s.code(),
    }
}

#[tokio::test]
async fn missing_wrong_and_revoked_tokens_get_one_answer_on_all_three_listeners() {
    let s = Server::start("");
    let (none_code, none_body) = s.curl(None, &[], "/tasks");
    let (wrong_code, wrong_body) = s.curl(Some("0123"), &[], "/tasks");
    assert_eq!((none_code, wrong_code), (401, 401));
    assert_eq!(none_body, wrong_body, "the same generic answer for both");
    let (ok, _) = s.curl(Some(&common::token(s.home())), &[], "/tasks");
    assert_eq!(ok, 200);

    let no = s
        .orch_as(None)
        .await
        .list_tasks(list_req())
        .await
        .unwrap_err();
    let bad = s
        .orch_as(Some("0123"))
        .await
        .list_tasks(list_req())
        .await
        .unwrap_err();
    assert_eq!(no.code(), tonic::Code::Unauthenticated);
    assert_eq!((bad.code(), bad.message()), (no.code(), no.message()));
    let env_no = s
        .env_as(None)
        .await
        .get_services_status(em::GetServicesStatusRequest {})
        .await
        .unwrap_err();
    assert_eq!(env_no.code(), tonic::Code::Unauthenticated);
    assert_eq!(env_no.message(), no.message());

    // A named token works until it is revoked, then gets the same answer.
    let t = s.token("reader", "read");
    assert_eq!(s.curl(Some(&t), &[], "/tasks").0, 200);
    let mut c = s.orch_as(Some(&t)).await;
    c.list_tasks(list_req()).await.unwrap();
    s.cli(&["auth", "token", "revoke", "reader"]).ok();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        // The server notices the file's change (its mtime) at the next call.
        if s.curl(Some(&t), &[], "/tasks").0 == 401 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "revoked token still works"
        );
        std::thread::sleep(Duration::from_millis(50));
        let _ = std::fs::File::open(s.home().join("auth/tokens.json"))
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    }
    let revoked = c.list_tasks(list_req()).await.unwrap_err();
    assert_eq!(
        (revoked.code(), revoked.message()),
        (no.code(), no.message())
    );
    // The CLI lists names and roles, never tokens.
    let listed = s.cli(&["auth", "token", "list", "--json"]).ok();
    assert!(!listed.stdout.contains(&t));
    // Bad names and roles are usage errors.
    s.cli(&["auth", "token", "create", "a b", "--role", "read"])
        .code(2);
    s.cli(&["auth", "token", "create", "x", "--role", "root"])
        .code(2);
    s.cli(&["auth", "token", "revoke", "nobody"]).code(2);
}

#[tokio::test]
async fn each_role_makes_its_calls_and_is_refused_the_rest() {
    let s = Server::start("");
    let admin = common::token(s.home());
    let sub = s.token("sub1", "submit");
    let sub2 = s.token("sub2", "submit");
    let work = s.token("work1", "worker");
    let read = s.token("read1", "read");
    let mut a = s.orch_as(Some(&admin)).await;
    let mut su = s.orch_as(Some(&sub)).await;
    let mut su2 = s.orch_as(Some(&sub2)).await;
    let mut w = s.orch_as(Some(&work)).await;
    let mut r = s.orch_as(Some(&read)).await;
    use tonic::Code::{Ok as Fine, PermissionDenied as Denied};

    // submit: submit, read, cancel its own; not lease, not shutdown, not others' tasks.
    assert_eq!(code_of(su.submit_task(worker_task("s-own")).await), Fine);
    assert_eq!(code_of(su.list_tasks(list_req()).await), Fine);
    assert_eq!(code_of(su.lease_tasks(lease_req()).await), Denied);
    assert_eq!(
        code_of(
            su.shutdown(pb::ShutdownRequest {
                pid: 0,
                drain_timeout_seconds: None
            })
            .await
        ),
        Denied
    );
    assert_eq!(code_of(a.submit_task(worker_task("a-task")).await), Fine);
    let cancel = |id: &str| pb::CancelTaskRequest { task_id: id.into() };
    assert_eq!(code_of(su.cancel_task(cancel("a-task")).await), Denied);
    assert_eq!(code_of(su2.cancel_task(cancel("s-own")).await), Denied);
    let (code, body) = s.curl(Some(&sub2), &["-X", "POST"], "/tasks/s-own/cancel");
    assert_eq!(code, 403, "{body}");
    assert_eq!(code_of(su.cancel_task(cancel("s-own")).await), Fine);
    // Over HTTP too: its own yes.
    let (code, body) = s.curl(
        Some(&sub2),
        &[
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"task_id": "h-own", "payload": {"data": 1}}"#,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201, "{body}");
    let (code, body) = s.curl(Some(&sub2), &["-X", "POST"], "/tasks/h-own/cancel");
    assert_eq!(code, 200, "{body}");

    // worker: lease, extend, complete; nothing else.
    assert_eq!(code_of(w.submit_task(worker_task("w-no")).await), Denied);
    assert_eq!(code_of(w.list_tasks(list_req()).await), Denied);
    assert_eq!(code_of(a.submit_task(worker_task("w-task")).await), Fine);
    let leased = w.lease_tasks(lease_req()).await.unwrap().into_inner().tasks;
    let l = leased
        .iter()
        .find(|l| l.task_id == "w-task")
        .expect("leased");
    w.extend_lease(pb::ExtendLeaseRequest {
        task_id: l.task_id.clone(),
        lease_id: l.lease_id.clone(),
        lease_seconds: 30.0,
    })
    .await
    .unwrap();
    w.complete_task(pb::CompleteTaskRequest {
        task_id: l.task_id.clone(),
        lease_id: l.lease_id.clone(),
        success: true,
        result: HashMap::from([("ok".to_string(), "1".to_string())]),
        error: String::new(),
        hand_back: false,
    })
    .await
    .unwrap();

    // read: status, metrics, events; no submit, no cancel, no services.
    assert_eq!(code_of(r.list_tasks(list_req()).await), Fine);
    assert_eq!(
        code_of(
            r.get_metrics(pb::GetMetricsRequest {
                metric_names: vec![]
            })
            .await
        ),
        Fine
    );
    assert_eq!(code_of(r.submit_task(worker_task("r-no")).await), Denied);
    assert_eq!(code_of(r.cancel_task(cancel("a-task")).await), Denied);
    assert_eq!(s.curl(Some(&read), &[], "/metrics").0, 200);
    assert_eq!(s.curl(Some(&work), &[], "/metrics").0, 403);
    let mut env_read = s.env_as(Some(&read)).await;
    let stop = env_read
        .stop_services(em::StopServicesRequest {
            services: vec!["web".into()],
            volumes: false,
            timeout_seconds: 1,
        })
        .await;
    assert_eq!(code_of(stop), Denied);
    let pulls = env_read
        .pull_images(em::PullImagesRequest { services: vec![] })
        .await;
    assert_eq!(code_of(pulls.map(|_| ())), Denied);
}

#[test]
fn health_without_a_token_says_only_its_status_and_metrics_need_the_read_role() {
    let s = Server::start("");
    let (code, body) = s.curl(None, &[], "/health");
    assert_eq!(code, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc, serde_json::json!({"status": "SERVING"}));
    let (code, body) = s.curl(Some(&common::token(s.home())), &[], "/health");
    assert_eq!(code, 200);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        doc["version"].is_string() && doc["services"].is_array(),
        "{doc}"
    );
    assert_eq!(s.curl(None, &[], "/metrics").0, 401);
    drop(s);
    let open = Server::start("[http]\nmetrics_public = true\n");
    let (code, body) = open.curl(None, &[], "/metrics");
    assert_eq!(code, 200);
    assert!(
        body.contains("orchestrator_tasks_submitted_total"),
        "{body}"
    );
    // Only /metrics opens.
    assert_eq!(open.curl(None, &[], "/tasks").0, 401);
}

#[tokio::test]
async fn the_audit_log_has_a_line_for_each_kind_of_mutating_call() {
    let s = Server::start("");
    let admin = common::token(s.home());
    let mut a = s.orch_as(Some(&admin)).await;
    let sub = s.token("aud-sub", "submit");
    let mut su = s.orch_as(Some(&sub)).await;
    su.submit_task(worker_task("au-1")).await.unwrap();
    su.cancel_task(pb::CancelTaskRequest {
        task_id: "au-1".into(),
    })
    .await
    .unwrap();
    a.submit_task(worker_task("au-2")).await.unwrap();
    let l = a.lease_tasks(lease_req()).await.unwrap().into_inner().tasks;
    let l = l.iter().find(|l| l.task_id == "au-2").unwrap();
    a.extend_lease(pb::ExtendLeaseRequest {
        task_id: "au-2".into(),
        lease_id: l.lease_id.clone(),
        lease_seconds: 30.0,
    })
    .await
    .unwrap();
    a.complete_task(pb::CompleteTaskRequest {
        task_id: "au-2".into(),
        lease_id: l.lease_id.clone(),
        success: true,
        result: HashMap::new(),
        error: String::new(),
        hand_back: false,
    })
    .await
    .unwrap();
    let (code, _) = s.curl(
        Some(&admin),
        &[
            "-H",
            "Content-Type: application/json",
            "--data",
            r#"{"task_id": "au-3", "payload": {"data": 1}}"#,
        ],
        "/queue/submit",
    );
    assert_eq!(code, 201);
    // Refused: audited with who tried.
    let _ = su.lease_tasks(lease_req()).await.unwrap_err();
    let _ = s.orch_as(None).await.submit_task(worker_task("au-x")).await;
    // Services: an unknown name is refused by the lifecycle, and still audited.
    let mut env = s.env_as(Some(&admin)).await;
    let _ = env
        .stop_services(em::StopServicesRequest {
            services: vec!["no-such-service".into()],
            volumes: false,
            timeout_seconds: 1,
        })
        .await;
    let _ = env
        .pull_images(em::PullImagesRequest {
            services: vec!["no-such-service".into()],
        })
        .await;
    let _ = env
        .restart_service(em::RestartServiceRequest {
            service: "no-such-service".into(),
        })
        .await;
    s.cli(&["auth", "token", "revoke", "aud-sub"]).ok();
    s.cli(&["serve", "stop"]).ok();

    let doc = s.cli(&["audit", "--json"]).ok().json();
    let entries = doc["entries"].as_array().unwrap();
    let find = |method: &str| {
        entries
            .iter()
            .filter(|e| e["method"] == method)
            .cloned()
            .collect::<Vec<_>>()
    };
    let one = |method: &str| {
        find(method)
            .first()
            .cloned()
            .unwrap_or_else(|| panic!("no {method} line in {doc:#}"))
    };
    let submit = one("OrchestratorService/SubmitTask");
    assert_eq!(submit["token"], "aud-sub");
    assert_eq!(submit["ids"], serde_json::json!(["au-1"]));
    assert_eq!(submit["outcome"], "ok");
    assert!(submit["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(submit["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(one("OrchestratorService/CancelTask")["ids"][0], "au-1");
    for m in [
        "OrchestratorService/LeaseTasks",
        "OrchestratorService/ExtendLease",
        "OrchestratorService/CompleteTask",
    ] {
        assert!(
            find(m)
                .iter()
                .any(|e| e["ids"][0] == "au-2" && e["token"] == "default" && e["outcome"] == "ok"),
            "{m}: {doc:#}"
        );
    }
    assert!(
        find("OrchestratorService/LeaseTasks")
            .iter()
            .any(|e| e["token"] == "" && e["outcome"] == "permission_denied"),
        "{doc:#}"
    );
    assert!(
        find("OrchestratorService/SubmitTask")
            .iter()
            .any(|e| e["outcome"] == "unauthenticated"),
        "{doc:#}"
    );
    let http = one("POST /queue/submit");
    assert_eq!(
        (&http["ids"][0], &http["outcome"], &http["token"]),
        (
            &serde_json::json!("au-3"),
            &serde_json::json!("ok"),
            &serde_json::json!("default")
        )
    );
    for m in [
        "EnvManagerService/StopServices",
        "EnvManagerService/PullImages",
        "EnvManagerService/RestartService",
        "OrchestratorService/Shutdown",
        "auth token create",
        "auth token revoke",
    ] {
        one(m);
    }
    // Reads are not audited.
    assert!(find("OrchestratorService/ListTasks").is_empty());
    // --since in the future: nothing.
    let later = s
        .cli(&["audit", "--json", "--since", "2999-01-01T00:00:00Z"])
        .ok()
        .json();
    assert_eq!(later["entries"], serde_json::json!([]));
    s.cli(&["audit", "--since", "yesterday-ish"]).code(2);
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_homes_secrets_are_written_0600_and_a_readable_home_is_warned_about() {
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        home.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let log = std::fs::File::create(home.path().join("server.log")).unwrap();
    let mut child = serve_cmd(home.path(), &[]).stderr(log).spawn().unwrap();
    let log_path = home.path().join("server.log");
    let serve = common::wait_for_serve(&mut child, home.path(), Duration::from_secs(20), || {
        std::fs::read_to_string(&log_path).unwrap_or_default()
    });
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        text.contains("readable by others") && text.contains("chmod 700"),
        "{text}"
    );
    let mut c = common::orch(serve["orchestrator_addr"].as_str().unwrap(), home.path()).await;
    c.submit_task(worker_task("m-1")).await.unwrap();
    let made = Command::new(common::BIN)
        .args(["auth", "token", "create", "m", "--role", "read"])
        .env("DSPY_AGENT_HOME", home.path())
        .output()
        .unwrap();
    assert!(made.status.success());
    for f in [
        "auth/token",
        "auth/tokens.json",
        "logs/audit.ndjson",
        "state.json",
        "store/journal.ndjson",
    ] {
        assert_eq!(mode(&home.path().join(f)), 0o600, "{f}");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A tonic channel to `addr` over TLS, trusting `ca` (PEM).
async fn tls_channel(addr: &str, ca: &[u8]) -> Result<tonic::transport::Channel, String> {
    use tonic::transport::{Certificate, ClientTlsConfig, Endpoint};
    Endpoint::from_shared(format!("https://{addr}"))
        .unwrap()
        .tls_config(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(ca)))
        .map_err(|e| e.to_string())?
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .map_err(|e| format!("{e:?}"))
}

#[tokio::test]
async fn tls_self_signed_is_verified_by_tonic_curl_and_the_cli_and_a_wrong_ca_is_refused() {
    let s = Server::start("[tls]\nself_signed = true\n");
    assert!(s.log().contains("certificate SHA-256"), "{}", s.log());
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.home().join("state.json")).unwrap())
            .unwrap();
    assert_eq!(state["serve"]["tls"], true);
    let ca_path = s.home().join("tls/ca.pem");
    let ca = std::fs::read(&ca_path).unwrap();
    assert_eq!(mode(&s.home().join("tls/key.pem")), 0o600);

    // tonic, verifying with the home's CA, on both gRPC listeners.
    let token = common::token(s.home());
    let bearer = dspy_agent::commands::client::Bearer::new(Some(&token));
    let ch = tls_channel(&s.orch, &ca).await.unwrap();
    let mut c = dspy_agent::commands::client::with_bearer(ch, bearer.clone());
    c.submit_task(worker_task("tls-1")).await.unwrap();
    let ch = tls_channel(&s.env, &ca).await.unwrap();
    em::env_manager_service_client::EnvManagerServiceClient::with_interceptor(ch, bearer)
        .get_resource_availability(em::GetResourceAvailabilityRequest::default())
        .await
        .unwrap();

    // Another CA (a second home's) is refused.
    let other = tempfile::tempdir().unwrap();
    dspy_agent::server::tls::self_signed(other.path(), &["localhost".to_string()]).unwrap();
    let wrong = std::fs::read(other.path().join("tls/ca.pem")).unwrap();
    let refused = match tls_channel(&s.orch, &wrong).await {
        Err(e) => e,
        Ok(ch) => dspy_agent::commands::client::with_bearer(
            ch,
            dspy_agent::commands::client::Bearer::new(Some(&token)),
        )
        .list_tasks(list_req())
        .await
        .map(|_| ())
        .unwrap_err()
        .to_string(),
    };
    assert!(
        refused.to_lowercase().contains("certificate") || refused.contains("UnknownIssuer"),
        "{refused}"
    );

    // curl: the home's CA works, a wrong one and plain HTTP do not.
    let url = format!("https://{}/tasks/tls-1", s.http);
    let auth = format!("Authorization: Bearer {token}");
    let ok = Command::new("curl")
        .args(["-s", "--max-time", "10", "--cacert"])
        .arg(&ca_path)
        .args(["-H", &auth, &url])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&ok.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&ok.stderr)));
    assert_eq!(doc["task_id"], "tls-1", "{doc}");
    let bad = Command::new("curl")
        .args(["-s", "--max-time", "10", "--cacert"])
        .arg(other.path().join("tls/ca.pem"))
        .args(["-H", &auth, &url])
        .status()
        .unwrap();
    // 60: the peer's certificate cannot be verified; 35: the handshake failed (curl builds
    // differ in which they say).
    assert!(
        matches!(bad.code(), Some(35 | 60)),
        "curl with a wrong CA: {bad:?}"
    );
    let plain = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "10",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
        ])
        .arg(format!("http://{}/health", s.http))
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&plain.stdout), "200");

    // The CLI finds the CA and the token in the home by itself.
    let tasks = s.cli(&["tasks", "--json"]).ok().json();
    assert!(tasks.to_string().contains("tls-1"), "{tasks}");
    // A client elsewhere (its own empty home) with a named token and the CA: the remote path.
    let remote = tempfile::tempdir().unwrap();
    let sub = s.token("remote-sub", "submit");
    let out = Command::new(common::BIN)
        .args([
            "submit",
            "--id",
            "remote-1",
            "--payload",
            r#"{"data": 1}"#,
            "--json",
        ])
        .env("DSPY_AGENT_HOME", remote.path())
        .env("DSPY_AGENT_ORCHESTRATOR_ADDR", &s.orch)
        .env("DSPY_AGENT_TOKEN", &sub)
        .env("DSPY_AGENT_TLS_CA", &ca_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let audit = s.cli(&["audit", "--json"]).ok().json();
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["token"] == "remote-sub"
                && e["ids"][0] == "remote-1"
                && e["peer"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("127.0.0.1:"))),
        "{audit}"
    );
    // ... and says what to do when it has no CA.
    let out = Command::new(common::BIN)
        .args(["tasks"])
        .env("DSPY_AGENT_HOME", s.home())
        .env("DSPY_AGENT_TLS_CA", "/nonexistent/ca.pem")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("DSPY_AGENT_TLS_CA"), "{err}");
}

#[test]
fn a_non_loopback_bind_without_tls_refuses_to_start_unless_told() {
    let home = tempfile::tempdir().unwrap();
    let out = serve_cmd(home.path(), &[])
        .env("DSPY_AGENT_HTTP_ADDR", "0.0.0.0:0")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for says in [
        "without TLS",
        "tls.self_signed",
        "tls.cert_file",
        "--insecure-bind",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    // Nothing was recorded as running.
    let state = std::fs::read_to_string(home.path().join("state.json")).unwrap_or_default();
    assert!(!state.contains("\"pid\""), "{state}");

    let s = Server::start_with(
        "",
        &["--insecure-bind"],
        &[("DSPY_AGENT_HTTP_ADDR", "0.0.0.0:0")],
    );
    assert!(
        s.log().contains("without TLS (--insecure-bind)"),
        "{}",
        s.log()
    );
    drop(s);
    let s = Server::start_with(
        "[tls]\nself_signed = true\n",
        &[],
        &[("DSPY_AGENT_HTTP_ADDR", "0.0.0.0:0")],
    );
    assert!(!s.log().contains("without TLS"), "{}", s.log());
}

#[test]
fn plain_tcp_to_another_machines_engine_is_refused_and_tls_is_used_when_asked() {
    let env = common::Env::new("dockertcp")
        .env("DOCKER_HOST", "tcp://192.0.2.1:2375")
        .env("DOCKER_TLS_VERIFY", "")
        .env("DOCKER_CERT_PATH", "");
    let run = env.run(&["ps"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("refusing plain TCP") && run.stderr.contains("docker.allow_plain_tcp"),
        "{}",
        run.stderr
    );
    // With TLS asked for, the certificates are read (here: missing, said so) instead.
    let tls = common::Env::new("dockertls")
        .env("DOCKER_HOST", "tcp://192.0.2.1:2376")
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", "/nonexistent/certs");
    let run = tls.run(&["ps"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("TLS with the certificates in /nonexistent/certs"),
        "{}",
        run.stderr
    );
}
