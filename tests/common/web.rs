//! The dashboard from a test: log in through a real login link, fetch and post pages with the
//! session cookie (curl), and read a live event stream over a plain TCP connection. Included
//! with `#[path = "common/web.rs"] mod web;` by the tests that need it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::common::server::Server;

/// One HTTP exchange: status, the headers (lowercased names) and the body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// curl `method path` with extra headers and an optional form body.
pub fn http(s: &Server, method: &str, path: &str, headers: &[String], form: Option<&str>) -> Reply {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-i", "--max-time", "10", "-X", method]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    if let Some(body) = form {
        cmd.args([
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data-raw",
            body,
        ]);
    }
    let out = cmd
        .arg(format!("http://{}{path}", s.http))
        .stdin(Stdio::null())
        .output()
        .expect("curl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

pub fn get(s: &Server, path: &str, cookie: &str) -> Reply {
    http(s, "GET", path, &[format!("Cookie: {cookie}")], None)
}

/// Post a page's form the way a browser does: cookie, own Origin, the page's CSRF token.
pub fn post_form(s: &Server, path: &str, cookie: &str, csrf: &str) -> Reply {
    http(
        s,
        "POST",
        path,
        &[
            format!("Cookie: {cookie}"),
            format!("Origin: http://{}", s.http),
        ],
        Some(&format!("csrf={csrf}")),
    )
}

/// Log in through a link from `dspy-agent ui --json` minted with `token` (the home's admin
/// token when None); the session cookie (`name=value`).
pub fn log_in(s: &Server, token: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dspy-agent"));
    cmd.args(["ui", "--json"])
        .env("DSPY_AGENT_HOME", s.home())
        .env_remove("DSPY_AGENT_TOKEN")
        .env_remove("DSPY_AGENT_TLS_CA")
        .stdin(Stdio::null());
    if let Some(t) = token {
        cmd.env("DSPY_AGENT_TOKEN", t);
    }
    let out = super::common::to_run(cmd.output().unwrap()).ok();
    let url = out.json()["url"].as_str().unwrap().to_string();
    let path = url[format!("http://{}", s.http).len()..].to_string();
    let r = http(s, "GET", &path, &[], None);
    assert_eq!(r.status, 200, "{}", r.body);
    let set = r.header("set-cookie").expect("a cookie").to_string();
    set.split(';').next().unwrap().trim().to_string()
}

pub fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("a CSRF field in the page")
        + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_string()
}

/// No inline script, event handler or style attribute anywhere (the CSP forbids them).
pub fn assert_no_inline(page: &str) {
    let lower = page.to_ascii_lowercase();
    assert!(!lower.contains("<style"), "a style element");
    for piece in lower.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap();
        if tag.starts_with("script") {
            assert!(tag.contains(" src="), "inline script: <{tag}>");
        }
        for attr in tag.split_whitespace().skip(1) {
            let name = attr.split('=').next().unwrap();
            assert!(name != "style", "inline style: <{tag}>");
            assert!(!name.starts_with("on"), "an event handler: <{tag}>");
        }
    }
}

/// An open `GET /ui/stream` response, read as it arrives.
pub struct Stream {
    pub status: u16,
    pub head: String,
    conn: TcpStream,
    /// Everything read after the head (raw: chunk sizes and events).
    seen: String,
    /// Where the next `wait_for` looks from.
    from: usize,
    pub closed: bool,
}

/// Open the stream at `path` with `cookie` (no cookie: a bearer-less, cookie-less request).
pub fn open_stream(s: &Server, path: &str, cookie: Option<&str>) -> Stream {
    let mut conn = TcpStream::connect(&s.http).expect("connect");
    conn.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n{cookie}\r\n",
        s.http
    )
    .unwrap();
    let mut st = Stream {
        status: 0,
        head: String::new(),
        conn,
        seen: String::new(),
        from: 0,
        closed: false,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !st.seen.contains("\r\n\r\n") {
        assert!(Instant::now() < deadline, "no response head: {:?}", st.seen);
        if !st.read_some() && st.closed {
            break;
        }
    }
    let (head, rest) = st
        .seen
        .split_once("\r\n\r\n")
        .map(|(h, r)| (h.to_string(), r.to_string()))
        .unwrap_or_else(|| (st.seen.clone(), String::new()));
    st.status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    st.head = head;
    st.seen = rest;
    st
}

impl Stream {
    /// Read what arrived within the read timeout; false when nothing did.
    fn read_some(&mut self) -> bool {
        let mut buf = [0u8; 4096];
        match self.conn.read(&mut buf) {
            Ok(0) => {
                self.closed = true;
                false
            }
            Ok(n) => {
                self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                true
            }
            Err(_) => false,
        }
    }

    /// Wait up to `within` for `needle` past what earlier waits consumed; true when it came.
    pub fn wait_for(&mut self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if let Some(at) = self.seen[self.from..].find(needle) {
                self.from += at + needle.len();
                return true;
            }
            if self.closed || Instant::now() >= deadline {
                return false;
            }
            self.read_some();
        }
    }

    /// Wait up to `within` for the server to end the stream: the body's last chunk, or the
    /// connection closed.
    pub fn wait_closed(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let ended =
            |s: &Stream| s.closed || s.seen == "0\r\n\r\n" || s.seen.ends_with("\r\n0\r\n\r\n");
        while !ended(self) && Instant::now() < deadline {
            self.read_some();
        }
        ended(self)
    }

    /// Everything received so far after the head.
    pub fn received(&self) -> &str {
        &self.seen
    }

    /// The `changed` event for `topic`, as it appears on the wire.
    pub fn changed(topic: &str) -> String {
        format!("event: changed\ndata: {topic}\n")
    }
}
