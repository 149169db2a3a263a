//! The web dashboard against the real `serve`: login links from `dspy-agent ui`, the session
//! cookie, CSRF and Origin checks, roles, the security headers, the tasks page's pages and
//! filters, asset caching, logout. Real server process, real curl.

mod common;
#[path = "common/web.rs"]
mod web;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::Server;
use web::{Reply, assert_no_inline, csrf_of, http};

fn get(s: &Server, path: &str, cookie: Option<&str>) -> Reply {
    let headers: Vec<String> = cookie.map(|c| format!("Cookie: {c}")).into_iter().collect();
    http(s, "GET", path, &headers, None)
}

/// A login link from `dspy-agent ui --json`, minted with `token` (the home's admin token when
/// None).
fn login_link(s: &Server, token: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dspy-agent"));
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
    let prefix = format!("http://{}", s.http);
    assert!(url.starts_with(&prefix), "{url}");
    assert!(url.contains("/ui/login?code="), "{url}");
    url[prefix.len()..].to_string()
}

/// Follow a login link; the cookie (`name=value`) it sets.
fn log_in(s: &Server, token: Option<&str>) -> String {
    let r = get(s, &login_link(s, token), None);
    assert_eq!(r.status, 200, "{}", r.body);
    let set = r.header("set-cookie").expect("a cookie").to_string();
    set.split(';').next().unwrap().trim().to_string()
}

fn origin(s: &Server) -> String {
    format!("Origin: http://{}", s.http)
}

fn assert_page_headers(r: &Reply) {
    let csp = r.header("content-security-policy").expect("a CSP");
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("referrer-policy"), Some("same-origin"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

/// Submit a task over HTTP with the admin token; its id.
fn submit(s: &Server, body: &str) -> String {
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
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["task_id"].as_str().unwrap().to_string()
}

fn status_of(s: &Server, id: &str) -> String {
    let (code, text) = s.curl(Some(&common::token(s.home())), &[], &format!("/tasks/{id}"));
    assert_eq!(code, 200, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["status"].as_str().unwrap().to_string()
}

fn wait_status(s: &Server, id: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if status_of(s, id) == want {
            return;
        }
        assert!(Instant::now() < deadline, "{id} never became {want}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_login_link_works_once_and_sets_a_strict_http_only_cookie() {
    let s = Server::start("");
    let link = login_link(&s, None);
    let r = get(&s, &link, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_page_headers(&r);
    assert_no_inline(&r.body);
    let cookie = r.header("set-cookie").unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // A page that moves on by itself, not a redirect.
    assert!(r.body.contains("http-equiv=\"refresh\""), "{}", r.body);
    assert!(r.header("location").is_none());
    let session = cookie.split(';').next().unwrap().to_string();
    let page = get(&s, "/ui/", Some(&session));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Overview</h1>"));
    // Once only.
    let again = get(&s, &link, None);
    assert_eq!(again.status, 401);
    assert!(again.header("set-cookie").is_none());
    assert!(again.body.contains("dspy-agent ui"), "{}", again.body);
    // A made-up code, or none, opens nothing.
    assert_eq!(get(&s, "/ui/login?code=00ff", None).status, 401);
    assert_eq!(get(&s, "/ui/login", None).status, 401);
}

#[test]
fn login_links_and_sessions_expire() {
    let s = Server::start("[ui]\nlogin_code_ttl_s = 1\nsession_ttl_s = 3\n");
    let link = login_link(&s, None);
    std::thread::sleep(Duration::from_millis(1300));
    assert_eq!(get(&s, &link, None).status, 401, "an expired code");
    let opened = Instant::now();
    let cookie = log_in(&s, None);
    assert_eq!(get(&s, "/ui/tasks", Some(&cookie)).status, 200);
    std::thread::sleep(Duration::from_millis(3300).saturating_sub(opened.elapsed()));
    let r = get(&s, "/ui/tasks", Some(&cookie));
    assert_eq!(r.status, 401, "an expired session: {}", r.body);
}

#[test]
fn every_page_names_the_icon_and_the_icon_needs_no_session() {
    // Without it a browser asks for /favicon.ico, outside /ui: a 401 in the console.
    let s = Server::start("");
    let link = login_link(&s, None);
    let logged_in = get(&s, &link, None);
    let cookie = logged_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let icon = "<link rel=\"icon\" href=\"/ui/assets/favicon.svg\"";
    for (what, body) in [
        ("login page", logged_in.body.clone()),
        ("overview", get(&s, "/ui/", Some(&cookie)).body),
        ("error page", get(&s, "/ui/tasks/nope", Some(&cookie)).body),
        ("login hint", get(&s, "/ui/tasks", None).body),
    ] {
        assert!(body.contains(icon), "{what}: {body}");
    }
    let r = get(&s, "/ui/assets/favicon.svg", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/svg+xml"));
    assert!(r.body.starts_with("<svg"), "{}", r.body);
}

#[test]
fn without_a_session_pages_show_a_login_hint_and_no_data() {
    let s = Server::start("");
    let id = submit(&s, r#"{"task_id":"secret-task-1","payload":{"x":1}}"#);
    for path in ["/ui/", "/ui", "/ui/tasks", &format!("/ui/tasks/{id}")] {
        for cookie in [None, Some("dspy_ui=forged")] {
            let r = get(&s, path, cookie);
            assert_eq!(r.status, 401, "{path}");
            assert!(r.body.contains("dspy-agent ui"), "{}", r.body);
            assert!(!r.body.contains("secret-task-1"), "{path} leaks data");
            assert!(r.header("content-security-policy").is_some());
            assert_no_inline(&r.body);
        }
    }
    // The cookie counts on /ui only: the API still wants a token.
    let cookie = log_in(&s, None);
    assert_eq!(get(&s, "/tasks", Some(&cookie)).status, 401);
    // A bearer token works on the dashboard too (no cookie, no CSRF to check).
    let bearer = format!("Authorization: Bearer {}", common::token(s.home()));
    let r = http(&s, "GET", "/ui/tasks", &[bearer], None);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("secret-task-1"));
}

#[test]
fn every_page_sends_the_headers_and_no_inline_script() {
    let s = Server::start("");
    let failing = submit(
        &s,
        r#"{"task_id":"f1","max_attempts":1,"payload":{"command":["sh","-c","echo out-line; echo '<script>alert(1)</script>' >&2; exit 3"]}}"#,
    );
    wait_status(&s, &failing, "failed");
    let queued = submit(&s, r#"{"task_id":"q1","payload":{"note":"<b onclick=x>"}}"#);
    let cookie = log_in(&s, None);
    let detail = format!("/ui/tasks/{queued}");
    for path in [
        "/ui/",
        "/ui/tasks",
        "/ui/tasks?status=failed",
        "/ui/tasks/f1",
        detail.as_str(),
        "/ui/tasks/nope",
        "/ui/tasks?status=bogus",
    ] {
        let r = get(&s, path, Some(&cookie));
        assert!([200, 400, 404].contains(&r.status), "{path}: {}", r.status);
        assert_page_headers(&r);
        assert_no_inline(&r.body);
        assert!(!r.body.contains("<script>alert"), "{path} did not escape");
        assert!(!r.body.contains("<b onclick"), "{path} did not escape");
    }
    assert_eq!(get(&s, "/ui/tasks/nope", Some(&cookie)).status, 404);
    assert_eq!(get(&s, "/ui/tasks?status=bogus", Some(&cookie)).status, 400);
    // The failed task's page: error, attempt, tails, timeline.
    let r = get(&s, "/ui/tasks/f1", Some(&cookie));
    assert!(r.body.contains("attempt 1/1"), "{}", r.body);
    assert!(r.body.contains("id=\"stdout_tail\">out-line"), "{}", r.body);
    assert!(r.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(r.body.contains("task_failed"), "timeline: {}", r.body);
    // The queued one shows its payload, escaped.
    let r = get(&s, &detail, Some(&cookie));
    assert!(r.body.contains("&lt;b onclick=x&gt;"), "{}", r.body);
}

#[test]
fn forms_need_the_csrf_token_and_the_own_origin() {
    let s = Server::start("");
    let id = submit(&s, r#"{"task_id":"c1","payload":{"x":1}}"#);
    let cookie = log_in(&s, None);
    let page = get(&s, "/ui/tasks/c1", Some(&cookie));
    assert!(page.body.contains("/ui/tasks/c1/cancel"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let c = format!("Cookie: {cookie}");
    let path = "/ui/tasks/c1/cancel";
    // No token; a wrong token; the right token from a foreign origin; no Origin at all.
    let refused = [
        http(&s, "POST", path, &[c.clone(), origin(&s)], Some("x=1")),
        http(
            &s,
            "POST",
            path,
            &[c.clone(), origin(&s)],
            Some("csrf=0123"),
        ),
        http(
            &s,
            "POST",
            path,
            &[c.clone(), "Origin: http://evil.example".into()],
            Some(&format!("csrf={csrf}")),
        ),
        http(
            &s,
            "POST",
            path,
            std::slice::from_ref(&c),
            Some(&format!("csrf={csrf}")),
        ),
    ];
    for r in refused {
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(
            status_of(&s, &id),
            "queued",
            "a refused form changed the task"
        );
    }
    // Another session's token does not pass either.
    let other = log_in(&s, None);
    let other_csrf = csrf_of(&get(&s, "/ui/tasks/c1", Some(&other)).body);
    let r = http(
        &s,
        "POST",
        path,
        &[c.clone(), origin(&s)],
        Some(&format!("csrf={other_csrf}")),
    );
    assert_eq!(r.status, 403);
    assert_eq!(status_of(&s, &id), "queued");
    // The page's own form: cancelled, and back to the task's page.
    let r = http(
        &s,
        "POST",
        path,
        &[c.clone(), origin(&s)],
        Some(&format!("csrf={csrf}")),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/ui/tasks/c1"));
    assert_eq!(status_of(&s, &id), "cancelled");
    let after = get(&s, "/ui/tasks/c1", Some(&cookie));
    assert!(
        !after.body.contains("/cancel\""),
        "a finished task has no Cancel button"
    );
}

#[test]
fn a_read_session_has_no_buttons_and_a_forged_post_gets_403() {
    let s = Server::start("");
    let reader = s.token("viewer", "read");
    let id = submit(&s, r#"{"task_id":"r1","payload":{"x":1}}"#);
    let cookie = log_in(&s, Some(&reader));
    let page = get(&s, "/ui/tasks/r1", Some(&cookie));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("viewer (read)"), "{}", page.body);
    assert!(
        !page.body.contains("/cancel"),
        "a read session sees a Cancel button"
    );
    assert!(
        !page
            .body
            .contains("<button type=\"submit\" class=\"danger\"")
    );
    // It still has a CSRF token (for logout); a forged cancel with it is refused by role.
    let csrf = csrf_of(&page.body);
    let r = http(
        &s,
        "POST",
        "/ui/tasks/r1/cancel",
        &[format!("Cookie: {cookie}"), origin(&s)],
        Some(&format!("csrf={csrf}")),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(status_of(&s, &id), "queued");
    // The admin's page has the button.
    let admin = log_in(&s, None);
    assert!(
        get(&s, "/ui/tasks/r1", Some(&admin))
            .body
            .contains("/ui/tasks/r1/cancel")
    );
}

fn rows(page: &str) -> Vec<String> {
    page.match_indices("<tr><td><a href=\"/ui/tasks/")
        .map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_tasks_page_shows_50_a_page_failures_first_and_filters_from_the_url() {
    let s = Server::start("");
    let batch: String = (0..118)
        .map(|i| format!("{{\"task_id\":\"w{i:03}\",\"payload\":{{\"i\":{i}}}}}\n"))
        .collect();
    let (code, text) = s.curl(
        Some(&common::token(s.home())),
        &[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/x-ndjson",
            "--data-binary",
            &batch,
        ],
        "/queue/submit-batch",
    );
    assert_eq!(code, 200, "{text}");
    for n in 0..2 {
        let id = submit(
            &s,
            &format!(
                r#"{{"task_id":"bad{n}","class":"cpu_long","max_attempts":1,"payload":{{"command":["sh","-c","echo first; echo boom-{n} >&2; exit 2"]}}}}"#
            ),
        );
        wait_status(&s, &id, "failed");
    }
    let cookie = log_in(&s, None);
    let p1 = get(&s, "/ui/tasks", Some(&cookie));
    let ids = rows(&p1.body);
    assert_eq!(ids.len(), 50);
    assert_eq!(&ids[..2], ["bad1", "bad0"], "failures first");
    assert_eq!(ids[2], "w117", "then newest first");
    assert!(p1.body.contains("1 to 50 of 120 matching"), "{}", p1.body);
    assert!(p1.body.contains("attempt 1/1"));
    assert!(
        p1.body.contains("attempt 0/"),
        "queued tasks show attempt 0/max"
    );
    assert!(p1.body.contains("rel=\"next\""));
    let p3 = get(&s, "/ui/tasks?page=3", Some(&cookie));
    assert_eq!(rows(&p3.body).len(), 20);
    assert!(p3.body.contains("101 to 120 of 120"));
    let p2 = rows(&get(&s, "/ui/tasks?page=2", Some(&cookie)).body);
    assert!(p2.iter().all(|id| !ids.contains(id)), "pages overlap");
    // Filters, as the URL carries them.
    let failed = get(&s, "/ui/tasks?status=failed", Some(&cookie));
    assert_eq!(rows(&failed.body), ["bad1", "bad0"]);
    assert!(
        failed
            .body
            .contains("<div class=\"errline\">exited with code 2</div>"),
        "the last error line: {}",
        failed.body
    );
    assert_eq!(
        rows(&get(&s, "/ui/tasks?class=cpu_long", Some(&cookie)).body).len(),
        2
    );
    assert_eq!(
        rows(&get(&s, "/ui/tasks?q=bad0", Some(&cookie)).body),
        ["bad0"]
    );
    // The text filter reads the error too.
    assert_eq!(
        rows(&get(&s, "/ui/tasks?q=code+2", Some(&cookie)).body).len(),
        2
    );
    assert_eq!(
        rows(&get(&s, "/ui/tasks?q=w11", Some(&cookie)).body).len(),
        8
    );
    assert_eq!(
        rows(&get(&s, "/ui/tasks?since=1h&status=queued", Some(&cookie)).body).len(),
        50
    );
    assert!(rows(&get(&s, "/ui/tasks?until=1h", Some(&cookie)).body).is_empty());
    let newest = rows(&get(&s, "/ui/tasks?order=newest", Some(&cookie)).body);
    assert_eq!(newest[0], "bad1");
    assert_eq!(newest[1], "bad0");
    // The overview links its counts to these lists.
    let o = get(&s, "/ui/", Some(&cookie));
    assert!(
        o.body
            .contains("href=\"/ui/tasks?status=failed&amp;class=cpu_long\""),
        "{}",
        o.body
    );
    assert!(o.body.contains(">118</a>"), "{}", o.body);
    for bad in ["page=0", "status=x", "class=x", "since=soon"] {
        assert_eq!(
            get(&s, &format!("/ui/tasks?{bad}"), Some(&cookie)).status,
            400,
            "{bad}"
        );
    }
}

#[test]
fn assets_have_etags_gzip_and_answer_304() {
    let s = Server::start("");
    for name in ["app.js", "app.css"] {
        let path = format!("/ui/assets/{name}");
        let plain = get(&s, &path, None);
        assert_eq!(plain.status, 200);
        assert!(plain.header("content-encoding").is_none());
        let tag = plain.header("etag").unwrap().to_string();
        let again = http(&s, "GET", &path, &[format!("If-None-Match: {tag}")], None);
        assert_eq!(again.status, 304);
        assert!(again.body.is_empty());
        let gz = http(&s, "GET", &path, &["Accept-Encoding: gzip".into()], None);
        assert_eq!(gz.header("content-encoding"), Some("gzip"));
        let gz_tag = gz.header("etag").unwrap().to_string();
        assert_ne!(gz_tag, tag);
        let r = http(
            &s,
            "GET",
            &path,
            &[
                "Accept-Encoding: gzip".into(),
                format!("If-None-Match: {gz_tag}"),
            ],
            None,
        );
        assert_eq!(r.status, 304);
        assert_eq!(plain.header("x-content-type-options"), Some("nosniff"));
    }
    assert_eq!(get(&s, "/ui/assets/nope.js", None).status, 404);
}

#[test]
fn logout_ends_the_session() {
    let s = Server::start("");
    let cookie = log_in(&s, None);
    let page = get(&s, "/ui/", Some(&cookie));
    let csrf = csrf_of(&page.body);
    let c = format!("Cookie: {cookie}");
    // Without the token: refused, and the session lives on.
    let r = http(
        &s,
        "POST",
        "/ui/logout",
        &[c.clone(), origin(&s)],
        Some("csrf=bad"),
    );
    assert_eq!(r.status, 403);
    assert_eq!(get(&s, "/ui/", Some(&cookie)).status, 200);
    let r = http(
        &s,
        "POST",
        "/ui/logout",
        &[c.clone(), origin(&s)],
        Some(&format!("csrf={csrf}")),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(get(&s, "/ui/", Some(&cookie)).status, 401);
}

#[test]
fn revoking_the_token_ends_its_sessions() {
    let s = Server::start("");
    let viewer = s.token("viewer", "read");
    let cookie = log_in(&s, Some(&viewer));
    assert_eq!(get(&s, "/ui/", Some(&cookie)).status, 200);
    s.cli(&["auth", "token", "revoke", "viewer"]).ok();
    let r = get(&s, "/ui/", Some(&cookie));
    assert_eq!(r.status, 401, "{}", r.body);
    // A token of the same name made again does not bring the old session back either.
    s.token("viewer", "read");
    assert_eq!(get(&s, "/ui/", Some(&cookie)).status, 401);
}

#[test]
fn a_waiting_task_shows_why_on_the_tasks_page_and_its_own() {
    // Only pull workers run cpu_long, and none is connected.
    let s = Server::start("[scheduler.classes.cpu_long]\nexecutor = \"workers\"\n");
    let cookie = log_in(&s, None);
    let id = submit(
        &s,
        r#"{"task_id":"waits","class":"cpu_long","payload":{"command":"true"}}"#,
    );
    assert_eq!(id, "waits");
    let list = get(&s, "/ui/tasks", Some(&cookie));
    assert_eq!(list.status, 200);
    assert!(list.body.contains("class=\"blocked\""), "{}", list.body);
    assert!(list.body.contains("no pull worker"), "{}", list.body);
    let one = get(&s, "/ui/tasks/waits", Some(&cookie));
    assert!(one.body.contains("waiting for"), "{}", one.body);
    assert!(one.body.contains("no pull worker"), "{}", one.body);
}
