//! The dashboard's workflow pages against the real `serve`: a 200-item map where some items
//! fail (a flag file per bad index), drawn as one map node with its counts; the items table's
//! status filter and pages; Retry failed from the page re-runs exactly the failed items; read
//! sessions see no buttons and get 403; a graph past the threshold is a table until
//! `?draw=1`; Cancel from the page; bad run ids. Real server process, real curl.

mod common;
#[path = "common/web.rs"]
mod web;

use std::path::Path;
use std::time::{Duration, Instant};

use common::server::Server;
use serde_json::{Value, json};
use web::{assert_no_inline, csrf_of, get, http, log_in, post_form};

fn api(s: &Server, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let token = common::token(s.home());
    let text = body.map(Value::to_string).unwrap_or_default();
    let mut args = vec!["-X", method];
    if body.is_some() {
        args.extend(["-H", "Content-Type: application/json", "-d", &text]);
    }
    let (code, out) = s.curl(Some(&token), &args, path);
    (code, serde_json::from_str(&out).unwrap_or(Value::Null))
}

fn run_status(s: &Server, run: &str) -> String {
    let (code, doc) = api(s, "GET", &format!("/workflows/runs/{run}"), None);
    assert_eq!(code, 200, "{doc}");
    doc["status"].as_str().unwrap().to_string()
}

fn wait_run(s: &Server, run: &str, want: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = run_status(s, run);
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "run {run} is {now}, never {want}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn lines(file: &Path) -> Vec<String> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// `<tr data-item="N">` rows of an items page, as (index, status).
fn item_rows(page: &str) -> Vec<(usize, String)> {
    page.split("<tr data-item=\"")
        .skip(1)
        .map(|row| {
            let index = row.split('"').next().unwrap().parse().unwrap();
            let status = row
                .split("class=\"state state-")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string();
            (index, status)
        })
        .collect()
}

#[test]
fn a_map_run_is_one_node_its_items_filter_and_page_and_retry_failed_reruns_only_those() {
    let s = Server::start("");
    let flags = s.home().join("flags");
    let ran = s.home().join("ran");
    std::fs::create_dir(&flags).unwrap();
    let bad: Vec<usize> = (0..200).filter(|i| i % 20 == 7).collect();
    for i in &bad {
        std::fs::write(flags.join(i.to_string()), "").unwrap();
    }
    let spec = json!({
        "name": "fanout",
        "params": {"n": (0..200).collect::<Vec<u32>>()},
        "steps": [
            {"id": "prep", "payload": {"command": ["sh", "-c", "echo '{}'"]}},
            {"id": "infer", "depends": ["prep"], "map": "${params.n}", "max_parallel": 32,
             "max_attempts": 1,
             "payload": {"command": ["sh", "-c", format!(
                "echo ${{index}} >> {}; test ! -e {}/${{index}} || {{ echo \"item ${{index}} is bad\" >&2; exit 1; }}; echo '{{}}'",
                ran.display(), flags.display())]}},
            {"id": "score", "depends": ["infer"], "payload": {"command": ["true"]}}
        ]
    });
    let (code, out) = api(&s, "POST", "/workflows", Some(&spec));
    assert!(code == 200 || code == 201, "{code} {out}");
    let (code, out) = api(
        &s,
        "POST",
        "/workflows/fanout/runs",
        Some(&json!({"run_id": "r200"})),
    );
    assert!(code == 200 || code == 201, "{code} {out}");
    wait_run(&s, "r200", "failed", Duration::from_secs(120));
    assert_eq!(lines(&ran).len(), 200);

    let admin = log_in(&s, None);
    let r = get(&s, "/ui/runs/r200", &admin);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_no_inline(&r.body);
    assert!(
        r.body
            .contains("<div id=\"live\" data-stream=\"/ui/stream?topics=run:r200\" hidden></div>")
    );
    assert!(r.body.contains("data-live=\"graph\""));
    // One node for the map, linked to its items table, with its counts.
    assert_eq!(
        r.body.matches("<g class=\"node map").count(),
        1,
        "{}",
        r.body
    );
    assert!(r.body.contains(
        "<a href=\"/ui/runs/r200/steps/infer\"><g class=\"node map state-failed\" data-step=\"infer\""
    ));
    assert!(r.body.contains(">190 ✔</tspan>"), "{}", r.body);
    assert!(r.body.contains("> 10 ✘</tspan>"), "{}", r.body);
    assert_eq!(r.body.matches("<g class=\"node ").count(), 3);
    assert!(r.body.contains("data-step=\"score\""));
    assert_eq!(r.body.matches("class=\"edge\"").count(), 2);
    // The steps table: the plain step's task link, the map's error line.
    assert!(r.body.contains("<table id=\"steps\">"));
    assert!(
        r.body
            .contains("href=\"/ui/tasks/wf%3Ar200%3Aprep%3A-%3A1.1\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("10 of 200 items failed"), "{}", r.body);
    // Failed: Retry, no Cancel.
    assert!(r.body.contains("data-action=\"retry-failed\""));
    assert!(!r.body.contains("data-action=\"cancel-run\""));

    // The items: failures first, 50 a page, 4 pages.
    let r = get(&s, "/ui/runs/r200/steps/infer", &admin);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_no_inline(&r.body);
    let rows = item_rows(&r.body);
    assert_eq!(rows.len(), 50);
    let first: Vec<usize> = rows[..10].iter().map(|r| r.0).collect();
    assert_eq!(first, bad);
    assert!(rows[..10].iter().all(|r| r.1 == "failed"));
    assert!(rows[10..].iter().all(|r| r.1 == "completed"));
    assert!(r.body.contains("1 to 50 of 200 matching"), "{}", r.body);
    let past = get(&s, "/ui/runs/r200/steps/infer?page=9", &admin);
    assert!(
        past.body
            .contains("nothing on this page; 200 matching in all"),
        "{}",
        past.body
    );
    assert!(r.body.contains("page 1 of 4"));
    assert!(
        r.body.contains("exited with code 1"),
        "the error line: {}",
        r.body
    );
    assert!(r.body.contains("<td>1/1</td>"), "attempt n/max: {}", r.body);
    assert!(
        r.body
            .contains("href=\"/ui/tasks/wf%3Ar200%3Ainfer%3A7%3A1.1\"")
    );
    let r = get(&s, "/ui/runs/r200/steps/infer?status=failed", &admin);
    let rows = item_rows(&r.body);
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), bad);
    assert!(r.body.contains("1 to 10 of 10 matching"));
    let r = get(
        &s,
        "/ui/runs/r200/steps/infer?status=completed&page=4",
        &admin,
    );
    let rows = item_rows(&r.body);
    assert_eq!(rows.len(), 40, "190 completed: 40 on page 4");
    assert!(rows.iter().all(|r| r.1 == "completed"));
    assert!(r.body.contains("151 to 190 of 190 matching"), "{}", r.body);
    assert!(r.body.contains("rel=\"prev\""));
    // The last page of all: the completed ones from 140 on.
    let r = get(&s, "/ui/runs/r200/steps/infer?page=4", &admin);
    assert_eq!(item_rows(&r.body).len(), 50);

    // The workflows page: the definition, the run with its first failure, the filters.
    let r = get(&s, "/ui/workflows", &admin);
    assert_eq!(r.status, 200);
    assert_no_inline(&r.body);
    assert!(r.body.contains("<tr data-workflow=\"fanout\">"));
    assert!(r.body.contains("<tr data-run=\"r200\">"), "{}", r.body);
    assert!(
        r.body.contains("<b>infer</b>: exited with code 1"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("data-stream=\"/ui/stream?topics=workflows\"")
    );
    let r = get(&s, "/ui/workflows?status=completed", &admin);
    assert!(!r.body.contains("data-run=\"r200\""));
    let r = get(&s, "/ui/workflows?workflow=fanout&status=failed", &admin);
    assert!(r.body.contains("data-run=\"r200\""));
    assert_eq!(get(&s, "/ui/workflows?status=bogus", &admin).status, 400);

    // A read session: no buttons; a forged retry gets 403 and changes nothing.
    let reader = s.token("viewer", "read");
    let read = log_in(&s, Some(&reader));
    let r = get(&s, "/ui/runs/r200", &read);
    assert_eq!(r.status, 200);
    assert!(
        !r.body.contains("data-action="),
        "a read session sees buttons"
    );
    let forged = post_form(&s, "/ui/runs/r200/retry", &read, &csrf_of(&r.body));
    assert_eq!(forged.status, 403, "{}", forged.body);
    let forged = post_form(&s, "/ui/runs/r200/cancel", &read, &csrf_of(&r.body));
    assert_eq!(forged.status, 403, "{}", forged.body);
    // The admin's form without its CSRF token is refused too.
    let no_token = post_form(&s, "/ui/runs/r200/retry", &admin, "0123");
    assert_eq!(no_token.status, 403);
    assert_eq!(run_status(&s, "r200"), "failed");
    assert_eq!(lines(&ran).len(), 200);

    // Retry failed from the page: exactly the 10 bad items run again, then the last step.
    for i in &bad {
        std::fs::remove_file(flags.join(i.to_string())).unwrap();
    }
    let page = get(&s, "/ui/runs/r200", &admin);
    let r = post_form(&s, "/ui/runs/r200/retry", &admin, &csrf_of(&page.body));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/ui/runs/r200"));
    wait_run(&s, "r200", "completed", Duration::from_secs(60));
    let all = lines(&ran);
    assert_eq!(all.len(), 210, "{all:?}");
    let mut again: Vec<usize> = all[200..].iter().map(|x| x.parse().unwrap()).collect();
    again.sort();
    assert_eq!(again, bad);
    let r = get(&s, "/ui/runs/r200", &admin);
    assert!(r.body.contains(">200 ✔</tspan>"), "{}", r.body);
    assert!(!r.body.contains("✘"));
    assert!(
        !r.body.contains("data-action="),
        "a completed run has no buttons"
    );
    // A completed run has nothing to retry: 409, not a silent success.
    let r = post_form(&s, "/ui/runs/r200/retry", &admin, &csrf_of(&r.body));
    assert_eq!(r.status, 409, "{}", r.body);

    // Bad ids: malformed 400, unknown 404.
    for (path, want) in [
        ("/ui/runs/bad%20id", 400),
        ("/ui/runs/a:b", 400),
        (
            "/ui/runs/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            400,
        ),
        ("/ui/runs/nope", 404),
        ("/ui/runs/r200/steps/nope", 404),
        ("/ui/runs/nope/steps/infer", 404),
        ("/ui/runs/r200/steps/bad%3Cx", 400),
        ("/ui/runs/r200/steps/infer?status=bogus", 400),
        ("/ui/runs/r200/steps/infer?page=0", 400),
    ] {
        let r = get(&s, path, &admin);
        assert_eq!(r.status, want, "{path}: {}", r.body);
        assert_no_inline(&r.body);
    }
    let page = get(&s, "/ui/runs/r200", &admin);
    let r = post_form(&s, "/ui/runs/nope/cancel", &admin, &csrf_of(&page.body));
    assert_eq!(r.status, 404);
}

#[test]
fn a_graph_past_the_threshold_is_a_table_until_asked_and_cancel_stops_the_run() {
    let s = Server::start("");
    let mut steps = vec![json!({"id": "gate", "payload": {"command": ["sleep", "60"]}})];
    for i in 0..300 {
        steps.push(json!({"id": format!("s{i}"), "depends": ["gate"],
                          "payload": {"command": ["true"]}}));
    }
    let spec = json!({"name": "wide", "steps": steps});
    let (code, out) = api(&s, "POST", "/workflows", Some(&spec));
    assert!(code == 200 || code == 201, "{code} {out}");
    let (code, out) = api(
        &s,
        "POST",
        "/workflows/wide/runs",
        Some(&json!({"run_id": "wide1"})),
    );
    assert!(code == 200 || code == 201, "{code} {out}");
    let admin = log_in(&s, None);
    let r = get(&s, "/ui/runs/wide1", &admin);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.contains("<svg"), "301 steps are drawn by default");
    assert!(
        r.body
            .contains("<a href=\"/ui/runs/wide1?draw=1\" id=\"draw-anyway\">Draw anyway</a>")
    );
    assert_eq!(r.body.matches("<tr data-step=").count(), 301);
    let r = get(&s, "/ui/runs/wide1?draw=1", &admin);
    assert_eq!(r.status, 200);
    assert_no_inline(&r.body);
    assert!(r.body.contains("<svg class=\"graph\""));
    assert_eq!(r.body.matches("<g class=\"node ").count(), 301);
    assert_eq!(r.body.matches("class=\"edge\"").count(), 300);
    assert!(!r.body.contains("draw-anyway"));
    // Drawn on request, it is not a live part: a live refresh does not lay it out again.
    assert!(r.body.contains("<div id=\"graph-box\">"), "{}", r.body);
    let live = http(
        &s,
        "GET",
        "/ui/runs/wide1?draw=1",
        &[format!("Cookie: {admin}"), "X-Live-Refresh: 1".to_string()],
        None,
    );
    assert_eq!(live.status, 200);
    assert!(
        !live.body.contains("<svg"),
        "laid out again on a live refresh"
    );
    assert_eq!(live.body.matches("<tr data-step=").count(), 301);
    // Running: Cancel, no Retry.
    assert!(r.body.contains("data-action=\"cancel-run\""));
    assert!(!r.body.contains("data-action=\"retry-failed\""));
    let c = post_form(&s, "/ui/runs/wide1/cancel", &admin, &csrf_of(&r.body));
    assert_eq!(c.status, 303, "{}", c.body);
    wait_run(&s, "wide1", "cancelled", Duration::from_secs(20));
    let r = get(&s, "/ui/runs/wide1", &admin);
    assert!(
        r.body.contains("data-action=\"retry-failed\""),
        "a cancelled run may be retried"
    );
    assert!(!r.body.contains("data-action=\"cancel-run\""));
}
