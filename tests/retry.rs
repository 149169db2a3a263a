//! Retry of a finished task against the real `serve`, through every door: HTTP
//! `POST /tasks/{id}/retry`, the CLI's `tasks retry`, gRPC `RetryTask` and the dashboard's
//! Retry button. A failed task runs again with its original payload and completes; completed,
//! running and workflow tasks are refused; a read session has no button and is refused; a
//! retried task is still queued, with its payload, after a restart.

mod common;
#[path = "common/web.rs"]
mod web;

use std::time::{Duration, Instant};

use common::server::Server;
use dspy_agent::proto::orchestrator as pb;

fn admin(s: &Server) -> String {
    common::token(s.home())
}

fn submit(s: &Server, body: &str) {
    let (code, text) = s.curl(
        Some(&admin(s)),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            body,
        ],
        "/queue/submit",
    );
    assert!(code == 201 || code == 200, "{code} {text}");
}

fn task(s: &Server, id: &str) -> serde_json::Value {
    let (code, text) = s.curl(Some(&admin(s)), &[], &format!("/tasks/{id}"));
    assert_eq!(code, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn wait_status(s: &Server, id: &str, want: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = task(s, id);
        if t["status"] == want {
            return t;
        }
        assert!(Instant::now() < deadline, "{id} never became {want}: {t}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn retry_http(s: &Server, token: &str, id: &str) -> (u16, String) {
    s.curl(Some(token), &["-X", "POST"], &format!("/tasks/{id}/retry"))
}

/// A command that fails while `marker` is missing (and creates it), then succeeds.
fn flaky(id: &str, marker: &std::path::Path) -> String {
    let script = format!("test -e {0} || {{ touch {0}; exit 3; }}", marker.display());
    serde_json::json!({"task_id": id, "max_attempts": 1, "payload": {"command": ["sh", "-c", script]}})
        .to_string()
}

#[test]
fn a_failed_task_retried_over_http_runs_again_and_completes() {
    let s = Server::start("");
    let marker = s.home().join("marker-http");
    submit(&s, &flaky("f1", &marker));
    let failed = wait_status(&s, "f1", "failed");
    assert_eq!(failed["attempt"], 1);
    let (code, text) = retry_http(&s, &admin(&s), "f1");
    assert_eq!(code, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["status"], "queued", "{v}");
    assert_eq!(
        (&v["attempt"], &v["max_attempts"]),
        (&1.into(), &2.into()),
        "{v}"
    );
    assert_eq!(v["error"], "");
    let done = wait_status(&s, "f1", "completed");
    assert_eq!(
        done["attempt"], 2,
        "the attempt number keeps counting: {done}"
    );
    // The event says so.
    let (_, events) = s.curl(
        Some(&admin(&s)),
        &["--max-time", "2"],
        "/events?since=0&types=task_retried",
    );
    assert!(events.contains("event: task_retried"), "{events}");
    assert!(events.contains("\"task_id\":\"f1\""), "{events}");

    // Completed: refused, nothing changes.
    let (code, text) = retry_http(&s, &admin(&s), "f1");
    assert_eq!(code, 412, "{text}");
    assert!(text.contains("only a failed or cancelled task"), "{text}");
    assert_eq!(task(&s, "f1")["status"], "completed");
    // Running: refused.
    submit(
        &s,
        r#"{"task_id":"long","payload":{"command":["sleep","30"]}}"#,
    );
    wait_status(&s, "long", "running");
    let (code, text) = retry_http(&s, &admin(&s), "long");
    assert_eq!(code, 412, "{text}");
    assert_eq!(task(&s, "long")["status"], "running");
    // Unknown: 404. A submit token retries only its own tasks.
    assert_eq!(retry_http(&s, &admin(&s), "nope").0, 404);
    let submitter = s.token("sub", "submit");
    s.curl(Some(&admin(&s)), &["-X", "POST"], "/tasks/long/cancel");
    wait_status(&s, "long", "cancelled");
    assert_eq!(retry_http(&s, &submitter, "long").0, 403);
    let reader = s.token("ro", "read");
    assert_eq!(retry_http(&s, &reader, "long").0, 403);
    assert_eq!(task(&s, "long")["status"], "cancelled");
    // A cancelled task is retried too (the admin may).
    assert_eq!(retry_http(&s, &admin(&s), "long").0, 200);
    wait_status(&s, "long", "running");
}

/// Cancel a running task and retry it at once: the retry waits for the cancelled run to end
/// (refused as still stopping until then), and the new run, attempt 2, is not mistaken for the
/// old one: it completes, and the class's running count comes back to 0.
#[test]
fn a_task_retried_right_after_its_cancel_runs_as_a_new_attempt() {
    let s = Server::start("");
    let marker = s.home().join("marker-cancel");
    // The first run sleeps (after leaving the marker); the second finds it and succeeds.
    let script = format!(
        "test -e {0} && exit 0; touch {0}; sleep 300",
        marker.display()
    );
    submit(
        &s,
        &serde_json::json!({"task_id": "c1", "max_attempts": 1,
            "payload": {"command": ["sh", "-c", script]}})
        .to_string(),
    );
    wait_status(&s, "c1", "running");
    // The first run has left its marker (it is in its sleep) before it is cancelled.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !marker.exists() {
        assert!(
            Instant::now() < deadline,
            "the first run never started its script"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let (code, text) = s.curl(Some(&admin(&s)), &["-X", "POST"], "/tasks/c1/cancel");
    assert_eq!(code, 200, "{text}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (code, text) = retry_http(&s, &admin(&s), "c1");
        if code == 200 {
            break;
        }
        assert_eq!(code, 412, "{text}");
        assert!(text.contains("still stopping"), "{text}");
        assert!(
            Instant::now() < deadline,
            "still refused after 20 s: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let done = wait_status(&s, "c1", "completed");
    assert_eq!(
        (&done["attempt"], &done["max_attempts"]),
        (&2.into(), &2.into()),
        "{done}"
    );
    let (_, metrics) = s.curl(Some(&admin(&s)), &[], "/metrics");
    assert!(
        metrics.contains("orchestrator_inflight_tasks{class=\"cpu_short\"} 0"),
        "{metrics}"
    );
}

#[test]
fn the_cli_retries_and_exits_2_when_it_cannot() {
    let s = Server::start("");
    let marker = s.home().join("marker-cli");
    submit(&s, &flaky("c1", &marker));
    wait_status(&s, "c1", "failed");
    let r = s.cli(&["tasks", "retry", "c1", "--json"]).ok();
    let v = r.json();
    assert_eq!(v["retried"], true, "{v}");
    assert_eq!(v["task"]["task_id"], "c1");
    assert_eq!(v["task"]["status"], "queued");
    wait_status(&s, "c1", "completed");
    let r = s.cli(&["tasks", "retry", "c1"]).code(2);
    assert!(
        r.stderr.contains("only a failed or cancelled task"),
        "{}",
        r.stderr
    );
    let r = s.cli(&["tasks", "retry", "missing"]).code(1);
    assert!(r.stderr.contains("no task missing"), "{}", r.stderr);
    // Plain output.
    submit(&s, r#"{"task_id":"c2","payload":{"x":1}}"#);
    s.cli(&["tasks", "cancel", "c2"]).ok();
    let r = s.cli(&["tasks", "retry", "c2"]).ok();
    assert!(r.stdout.contains("retried c2"), "{}", r.stdout);
}

#[test]
fn a_workflow_task_is_refused_with_a_pointer_to_workflow_retry() {
    let s = Server::start("");
    let spec = s.home().join("spec.toml");
    std::fs::write(
        &spec,
        "name = \"wr\"\n[[steps]]\nid = \"bad\"\npayload = { command = [\"false\"] }\nmax_attempts = 1\n",
    )
    .unwrap();
    s.cli(&["workflow", "create", spec.to_str().unwrap()]).ok();
    s.cli(&["workflows", "run", "wr", "--run-id", "wr1", "--wait"])
        .code(6);
    let (_, text) = s.curl(Some(&admin(&s)), &[], "/tasks?status=failed");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["task_id"].as_str())
        .find(|id| id.starts_with("wf:wr1:"))
        .unwrap_or_else(|| panic!("no failed workflow task in {v}"))
        .to_string();
    let (code, text) = retry_http(&s, &admin(&s), &id);
    assert_eq!(code, 412, "{text}");
    assert!(text.contains("workflows retry wr1"), "{text}");
    assert_eq!(task(&s, &id)["status"], "failed");
}

#[test]
fn the_retry_button_is_for_sessions_that_may_act() {
    let s = Server::start("");
    let marker = s.home().join("marker-ui");
    submit(&s, &flaky("b1", &marker));
    wait_status(&s, "b1", "failed");
    // A read session: no button, and a forged post is refused by role.
    let reader = s.token("viewer", "read");
    let ro = web::log_in(&s, Some(&reader));
    let page = web::get(&s, "/ui/tasks/b1", &ro);
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("data-action=\"retry\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/ui/tasks/b1/retry"));
    let csrf = web::csrf_of(&page.body);
    let r = web::post_form(&s, "/ui/tasks/b1/retry", &ro, &csrf);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(task(&s, "b1")["status"], "failed");
    // The admin's page has it, with the payload kept for it; a post without the CSRF token
    // is refused; the page's own form retries and goes back to the page.
    let rw = web::log_in(&s, None);
    let page = web::get(&s, "/ui/tasks/b1", &rw);
    assert!(
        page.body
            .contains("<button type=\"submit\" data-action=\"retry\">Retry</button>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("id=\"payload\""),
        "payload kept: {}",
        page.body
    );
    let r = web::post_form(&s, "/ui/tasks/b1/retry", &rw, "wrong");
    assert_eq!(r.status, 403);
    assert_eq!(task(&s, "b1")["status"], "failed");
    let csrf = web::csrf_of(&page.body);
    let r = web::post_form(&s, "/ui/tasks/b1/retry", &rw, &csrf);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/ui/tasks/b1"));
    wait_status(&s, "b1", "completed");
    let page = web::get(&s, "/ui/tasks/b1", &rw);
    assert!(
        !page.body.contains("data-action=\"retry\""),
        "a completed task has no Retry"
    );
    // Retrying again (a stale page) says why, as a page.
    let r = web::post_form(&s, "/ui/tasks/b1/retry", &rw, &csrf);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("only a failed or cancelled task"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_task_is_queued_after_a_restart_with_its_original_payload() {
    let mut s = Server::start("");
    // A pull-worker task: nothing runs it here, so it stays queued.
    let payload = r#"{"data":"original","n":7}"#;
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    c.submit_task(pb::SubmitTaskRequest {
        task_id: "w1".into(),
        payload_json: payload.into(),
        max_attempts: 1,
        ..Default::default()
    })
    .await
    .unwrap();
    // A worker fails it: failed, out of attempts.
    let leased = c
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "wk".into(),
            max: 1,
            lease_seconds: 30.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(leased.len(), 1);
    c.complete_task(pb::CompleteTaskRequest {
        task_id: "w1".into(),
        lease_id: leased[0].lease_id.clone(),
        success: false,
        error: "boom".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    // Retention keeps it; a restart in between keeps its payload for the retry.
    s.restart("TERM");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let t = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "w1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.status, "failed");
    let r = c
        .retry_task(pb::RetryTaskRequest {
            task_id: "w1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let st = r.status.unwrap();
    assert_eq!((st.status.as_str(), st.attempt), ("queued", 1));
    // A crash right after the answer: the retry was on disk.
    s.restart("KILL");
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let t = c
        .get_task_status(pb::GetTaskStatusRequest {
            task_id: "w1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((t.status.as_str(), t.attempt), ("queued", 1), "{t:?}");
    let leased = c
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "wk2".into(),
            max: 1,
            lease_seconds: 30.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(leased.len(), 1);
    assert_eq!((leased[0].task_id.as_str(), leased[0].attempt), ("w1", 2));
    let got: serde_json::Value = serde_json::from_str(&leased[0].payload_json).unwrap();
    let want: serde_json::Value = serde_json::from_str(payload).unwrap();
    assert_eq!(got, want);
    // Retried twice is fine too; a queued one is refused.
    let e = c
        .retry_task(pb::RetryTaskRequest {
            task_id: "w1".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::FailedPrecondition, "{e:?}");
}
