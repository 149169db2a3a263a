//! The dashboard's live stream against the real `serve`: `GET /ui/stream?topics=...` sends
//! `changed` for the topics asked and no others, refuses bad topics, caps streams per session,
//! ends on logout; the pages that follow it carry the stream element and their live parts.

mod common;
#[path = "common/web.rs"]
mod web;

use std::time::Duration;

use common::server::Server;
use web::{Stream, get, log_in, open_stream, post_form};

fn submit(s: &Server, body: &str) {
    let (code, text) = s.curl(
        Some(&common::token(s.home())),
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

#[test]
fn the_stream_sends_changed_for_its_topics_only() {
    let s = Server::start("");
    let cookie = log_in(&s, None);
    let mut tasks = open_stream(&s, "/ui/stream?topics=tasks", Some(&cookie));
    assert_eq!(tasks.status, 200, "{}", tasks.head);
    let head = tasks.head.to_ascii_lowercase();
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    let mut services = open_stream(&s, "/ui/stream?topics=services,workflows", Some(&cookie));
    assert_eq!(services.status, 200, "{}", services.head);
    // Nothing happened yet: no change.
    assert!(!tasks.wait_for("event: changed", Duration::from_millis(500)));

    submit(&s, r#"{"task_id":"live-1","payload":{"x":1}}"#);
    assert!(
        tasks.wait_for(&Stream::changed("tasks"), Duration::from_secs(5)),
        "no change after a submission: {:?}",
        tasks.received()
    );
    // A burst is coalesced: 20 submissions give a few changes, not 20.
    for i in 0..20 {
        submit(
            &s,
            &format!(r#"{{"task_id":"burst-{i}","payload":{{"x":1}}}}"#),
        );
    }
    assert!(tasks.wait_for(&Stream::changed("tasks"), Duration::from_secs(5)));
    std::thread::sleep(Duration::from_millis(600));
    tasks.wait_for("never", Duration::from_millis(200));
    let n = tasks.received().matches("event: changed").count();
    assert!(n < 15, "{n} changes for 21 submissions: not coalesced");
    // The other stream asked for services and workflows: task events are not for it.
    assert!(
        !services.wait_for("event: changed", Duration::from_millis(800)),
        "a change for an unrequested topic: {:?}",
        services.received()
    );
}

#[test]
fn bad_topics_are_400_and_no_session_is_401() {
    let s = Server::start("");
    let cookie = log_in(&s, None);
    for path in [
        "/ui/stream",
        "/ui/stream?topics=",
        "/ui/stream?topics=bogus",
        "/ui/stream?topics=tasks,bogus",
        "/ui/stream?topics=run:",
        "/ui/stream?topics=run:a%2Fb",
        "/ui/stream?topics=run:has%20space",
        "/ui/stream?topics=tasks&since=x",
    ] {
        let st = open_stream(&s, path, Some(&cookie));
        assert_eq!(st.status, 400, "{path}: {}", st.head);
    }
    assert_eq!(
        open_stream(
            &s,
            "/ui/stream?topics=run:my-run_1,gpus,workers",
            Some(&cookie)
        )
        .status,
        200
    );
    assert_eq!(open_stream(&s, "/ui/stream?topics=tasks", None).status, 401);
    assert_eq!(
        open_stream(&s, "/ui/stream?topics=tasks", Some("dspy_ui=forged")).status,
        401
    );
}

#[test]
fn a_session_holds_six_streams_at_most_and_logout_ends_them() {
    let s = Server::start("");
    let a = log_in(&s, None);
    let mut open: Vec<Stream> = (0..6)
        .map(|_| open_stream(&s, "/ui/stream?topics=tasks", Some(&a)))
        .collect();
    assert!(open.iter().all(|st| st.status == 200));
    let refused = open_stream(&s, "/ui/stream?topics=tasks", Some(&a));
    assert_eq!(refused.status, 429, "{}", refused.head);
    // Another session has its own six.
    let b = log_in(&s, None);
    assert_eq!(
        open_stream(&s, "/ui/stream?topics=tasks", Some(&b)).status,
        200
    );
    // A tab closed gives its place back (once the server sees the connection go).
    drop(open.pop());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let st = open_stream(&s, "/ui/stream?topics=tasks", Some(&a));
        if st.status == 200 {
            open.push(st);
            break;
        }
        assert_eq!(st.status, 429);
        assert!(
            std::time::Instant::now() < deadline,
            "a closed stream never gave its place back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Logout ends every stream of the session: `ended`, then the server closes it.
    let page = get(&s, "/ui/", &a);
    let csrf = web::csrf_of(&page.body);
    let r = post_form(&s, "/ui/logout", &a, &csrf);
    assert!(
        r.status == 200 || r.status == 303,
        "{} {}",
        r.status,
        r.body
    );
    for st in &mut open {
        assert!(
            st.wait_for("event: ended", Duration::from_secs(6)),
            "{:?}",
            st.received()
        );
        assert!(st.wait_closed(Duration::from_secs(3)), "still open");
    }
}

#[test]
fn live_pages_open_one_stream_with_their_topics_and_mark_their_parts() {
    let s = Server::start("");
    submit(&s, r#"{"task_id":"p1","payload":{"x":1}}"#);
    let cookie = log_in(&s, None);
    for (path, topics, part) in [
        ("/ui/", "tasks,services,workers,gpus", "overview"),
        ("/ui/tasks", "tasks", "tasks"),
        ("/ui/tasks/p1", "tasks", "task"),
    ] {
        let r = get(&s, path, &cookie);
        assert_eq!(r.status, 200, "{path}");
        let el = format!("<div id=\"live\" data-stream=\"/ui/stream?topics={topics}&amp;since=");
        assert_eq!(r.body.matches("id=\"live\"").count(), 1, "{path}");
        assert!(r.body.contains(&el), "{path}: {}", r.body);
        assert!(r.body.contains(&format!("data-live=\"{part}\"")), "{path}");
        assert!(!r.body.contains("data-every"), "{path} still polls");
    }
    // The overview's counts carry their state.
    let r = get(&s, "/ui/", &cookie);
    assert!(r.body.contains("data-count=\"queued\">1</a>"), "{}", r.body);
    for state in ["running", "completed", "failed", "cancelled"] {
        assert!(
            r.body.contains(&format!("data-count=\"{state}\"")),
            "{state}"
        );
    }
    // A live refresh (the script's fetch after a change) gets the same page.
    let r = web::http(
        &s,
        "GET",
        "/ui/",
        &[format!("Cookie: {cookie}"), "X-Live-Refresh: 1".into()],
        None,
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("data-count=\"queued\">1</a>"), "{}", r.body);
    // The script polls no more: it opens the page's one EventSource.
    let js = get(&s, "/ui/assets/app.js", &cookie);
    assert_eq!(js.status, 200);
    assert!(js.body.contains("new EventSource("));
    assert!(!js.body.contains("setInterval"), "app.js still polls");
}

#[test]
fn a_server_stop_ends_the_streams_while_it_drains() {
    let s = Server::start("[scheduler]\nshutdown_timeout_s = 15\n");
    // A running task keeps the server draining for a while after the signal.
    submit(
        &s,
        r#"{"task_id":"slow","payload":{"command":["sleep","30"]}}"#,
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !s
        .curl(Some(&common::token(s.home())), &[], "/tasks/slow")
        .1
        .contains("\"running\"")
    {
        assert!(std::time::Instant::now() < deadline, "never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let cookie = log_in(&s, None);
    let mut st = open_stream(&s, "/ui/stream?topics=tasks", Some(&cookie));
    assert_eq!(st.status, 200);
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(s.home().join("state.json")).unwrap())
            .unwrap();
    let pid = state["serve"]["pid"]
        .as_u64()
        .expect("serve's pid")
        .to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(
        st.wait_closed(Duration::from_secs(5)),
        "the stream outlived the stop: {:?}",
        st.received()
    );
    // Still draining (the task has seconds to go): the stream ended, not the process.
    assert!(
        std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the server exited first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_page_links_to_its_worker_gpus_and_workflow_run() {
    use dspy_agent::proto::orchestrator as pb;
    let dir = tempfile::tempdir().unwrap();
    let uuid = format!("GPU-{}-links-0", std::process::id());
    let inventory = dir.path().join("gpus.json");
    std::fs::write(
        &inventory,
        serde_json::json!({"driver_version": "550.0", "cuda_version": "12.4", "gpus": [
            {"uuid": uuid, "name": "Simulated GPU", "memory_total_mb": 16384,
             "memory_used_mb": 0, "utilization_gpu_pct": 0}
        ]})
        .to_string(),
    )
    .unwrap();
    let s = Server::start_with(
        "",
        &[],
        &[("DSPY_AGENT_GPU_INVENTORY", inventory.to_str().unwrap())],
    );
    let cookie = log_in(&s, None);
    // A GPU task: its page links to the device it holds.
    submit(
        &s,
        r#"{"task_id":"g1","class":"gpu","gpus":1,"payload":{"command":["sleep","30"]}}"#,
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page = get(&s, "/ui/tasks/g1", &cookie).body;
        if page.contains("class=\"gpu-link\"") {
            break page;
        }
        assert!(std::time::Instant::now() < deadline, "no GPU link: {page}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        page.contains(&format!("href=\"/ui/gpus#gpu-{uuid}\"")),
        "{page}"
    );
    // A pull worker's task: its page links to the worker, also once it is done.
    submit(&s, r#"{"task_id":"w1","payload":{"x":1}}"#);
    let mut c = s.orch_as(Some(&common::token(s.home()))).await;
    let leased = c
        .lease_tasks(pb::LeaseTasksRequest {
            worker_id: "wk-1".into(),
            max: 1,
            lease_seconds: 30.0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .tasks;
    assert_eq!(leased[0].task_id, "w1");
    let link = "<a href=\"/ui/workers#worker-wk-1\" id=\"worker-link\">wk-1</a>";
    assert!(get(&s, "/ui/tasks/w1", &cookie).body.contains(link));
    c.complete_task(pb::CompleteTaskRequest {
        task_id: "w1".into(),
        lease_id: leased[0].lease_id.clone(),
        success: true,
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(get(&s, "/ui/tasks/w1", &cookie).body.contains(link));
    // A workflow's task: its page links to the run, and offers no Retry of its own.
    let spec = s.home().join("spec.toml");
    std::fs::write(
        &spec,
        "name = \"lk\"\n[[steps]]\nid = \"bad\"\npayload = { command = [\"false\"] }\nmax_attempts = 1\n",
    )
    .unwrap();
    s.cli(&["workflow", "create", spec.to_str().unwrap()]).ok();
    s.cli(&["workflows", "run", "lk", "--run-id", "lk1", "--wait"])
        .code(6);
    let (_, text) = s.curl(Some(&common::token(s.home())), &[], "/tasks?status=failed");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["task_id"].as_str())
        .find(|id| id.starts_with("wf:lk1:"))
        .unwrap()
        .to_string();
    let page = get(&s, &format!("/ui/tasks/{id}"), &cookie).body;
    assert!(
        page.contains("<a href=\"/ui/runs/lk1\" id=\"run-link\">lk1</a>"),
        "{page}"
    );
    assert!(!page.contains("data-action=\"retry\""));
}

#[test]
fn a_stream_from_a_pages_render_sends_what_happened_since_at_once() {
    let s = Server::start("");
    let cookie = log_in(&s, None);
    let page = get(&s, "/ui/tasks", &cookie).body;
    let at = page.find("&amp;since=").expect("the page's sequence") + "&amp;since=".len();
    let seq: u64 = page[at..].split('"').next().unwrap().parse().unwrap();
    // Nothing since the render: nothing sent.
    let path = format!("/ui/stream?topics=tasks&since={seq}");
    let mut quiet = open_stream(&s, &path, Some(&cookie));
    assert_eq!(quiet.status, 200);
    assert!(!quiet.wait_for("event: changed", Duration::from_millis(600)));
    drop(quiet);
    // A task submitted between the render and the stream's start: sent at once.
    submit(&s, r#"{"task_id":"between","payload":{"x":1}}"#);
    let mut late = open_stream(&s, &path, Some(&cookie));
    assert!(
        late.wait_for(&Stream::changed("tasks"), Duration::from_secs(2)),
        "{:?}",
        late.received()
    );
    // Not for a topic the events were not about.
    let mut other = open_stream(
        &s,
        &format!("/ui/stream?topics=services&since={seq}"),
        Some(&cookie),
    );
    assert!(!other.wait_for("event: changed", Duration::from_millis(600)));
}
