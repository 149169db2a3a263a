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
        let el = format!("<div id=\"live\" data-stream=\"/ui/stream?topics={topics}\" hidden>");
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
