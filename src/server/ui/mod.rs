//! The web dashboard at `/ui/`, served by `serve` itself: HTML rendered here (every value
//! escaped through `html::escape`), one small hand-written script and one stylesheet embedded
//! in the binary (`assets`). Logins (`login`) open a session whose cookie stands for the token
//! that minted the code; the auth gate admits it on `/ui` routes with that token's role. Pages:
//! `overview`, `tasks` (the list), `task` (one task, with its Cancel and Retry forms),
//! `workflows` (definitions and runs), `runs` (one run: its graph, laid out by `layout` and
//! drawn by `graph`, and its Retry/Cancel forms), `run_items` (a map step's items), `services`
//! (the managed stack, and one service with its log tail from `service_logs`), `gpus`,
//! `workers`; `stream` is the one event stream a tab opens for its live parts (fed by `hub`).
//!
//! Every page calls the same scheduler functions as gRPC, HTTP and the CLI (`Scheduler::query`,
//! `get`, `cancel`, `overview`, `gauges`), and sends the headers of `html`: a strict
//! Content-Security-Policy with no inline script or style. Every form posts a per-session CSRF
//! token, checked here, and the browser guard checks the Origin.

pub mod assets;
mod gpus;
mod graph;
mod hub;
pub mod layout;
mod login;
mod overview;
mod run_items;
pub mod runs;
mod service_logs;
mod services;
pub mod stream;
mod task;
mod tasks;
mod workers;
mod workflows;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::server::auth::Caller;
use crate::server::auth::sessions::{UiSession, same_secret};
use crate::server::context::ServerCtx;
use crate::server::html::{escape, page_headers};

type Ctx = axum::extract::State<Arc<ServerCtx>>;

/// The dashboard's routes (the auth gate and the browser guard wrap them with the others).
pub fn router(ctx: Arc<ServerCtx>) -> Router {
    let live = Arc::new(stream::Registry::default());
    Router::new()
        .route("/ui", get(overview::handler))
        .route("/ui/", get(overview::handler))
        .route("/ui/login", get(login::login))
        .route("/ui/logout", post(login::logout))
        .route("/ui/assets/{name}", get(assets::serve))
        .route("/ui/tasks", get(tasks::handler))
        .route("/ui/tasks/{id}", get(task::handler))
        .route("/ui/tasks/{id}/cancel", post(task::cancel))
        .route("/ui/tasks/{id}/retry", post(task::retry))
        .route("/ui/workflows", get(workflows::handler))
        .route("/ui/runs/{id}", get(runs::handler))
        .route("/ui/runs/{id}/steps/{step}", get(run_items::handler))
        .route("/ui/runs/{id}/retry", post(runs::retry))
        .route("/ui/runs/{id}/cancel", post(runs::cancel))
        .route("/ui/services", get(services::list))
        .route("/ui/services/{name}", get(services::detail))
        .route("/ui/gpus", get(gpus::handler))
        .route("/ui/workers", get(workers::handler))
        .route("/ui/stream", get(stream::handler))
        .layer(axum::Extension(live))
        .with_state(ctx.clone())
        .merge(service_logs::router(ctx))
}

/// Who is looking: the session (with its CSRF token) or a bearer token's caller.
pub struct Viewer {
    pub caller: Option<Caller>,
    pub session: Option<UiSession>,
}

impl Viewer {
    pub fn of(caller: Option<Caller>, session: Option<UiSession>) -> Viewer {
        Viewer { caller, session }
    }

    /// Whether this viewer may press the buttons that change tasks (the submit role or admin;
    /// the server checks again when the form arrives).
    pub fn may_act(&self) -> bool {
        use crate::server::auth::Role;
        self.caller
            .as_ref()
            .is_some_and(|c| matches!(c.role, Role::Admin | Role::Submit))
    }

    /// The hidden field every form of this viewer carries.
    pub fn csrf_field(&self) -> String {
        match &self.session {
            Some(s) => format!(
                "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                escape(&s.csrf)
            ),
            None => String::new(),
        }
    }
}

/// The icon every page names, so the browser does not ask for `/favicon.ico` (outside `/ui`,
/// refused without a token: a console error on every page).
pub const ICON: &str = "<link rel=\"icon\" href=\"/ui/assets/favicon.svg\" type=\"image/svg+xml\">";

/// Handlers take the viewer as an argument: the caller and the session the auth gate put in
/// the request's extensions.
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Viewer::of(
            parts.extensions.get::<Caller>().cloned(),
            parts.extensions.get::<UiSession>().cloned(),
        ))
    }
}

/// The navigation bar's pages, in order.
const NAV: &[(&str, &str)] = &[
    ("/ui/", "Overview"),
    ("/ui/tasks", "Tasks"),
    ("/ui/workflows", "Workflows"),
    ("/ui/services", "Services"),
    ("/ui/gpus", "GPUs"),
    ("/ui/workers", "Workers"),
];

/// A page: the layout around `body`, with the security headers and no caching.
pub fn page(viewer: &Viewer, title: &str, body: &str) -> Response {
    page_with_scripts(viewer, title, body, &[])
}

/// A page that also loads `scripts` (names of files in `ui/`, served from `/ui/assets/`) after
/// the common `app.js`.
pub fn page_with_scripts(viewer: &Viewer, title: &str, body: &str, scripts: &[&str]) -> Response {
    let who = viewer
        .caller
        .as_ref()
        .map(|c| format!("{} ({})", escape(&c.name), c.role.as_str()))
        .unwrap_or_default();
    let logout = if viewer.session.is_some() {
        format!(
            "<form method=\"post\" action=\"/ui/logout\" class=\"inline\">{}<button type=\"submit\">Log out</button></form>",
            viewer.csrf_field()
        )
    } else {
        String::new()
    };
    let nav: String = NAV
        .iter()
        .map(|(href, label)| format!("<a href=\"{href}\">{label}</a> "))
        .collect();
    let extra: String = scripts
        .iter()
        .map(|name| {
            format!(
                "<script src=\"/ui/assets/{}\" defer></script>",
                escape(name)
            )
        })
        .collect();
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · dspy-agent</title>\
<link rel=\"stylesheet\" href=\"/ui/assets/{css}\">{ICON}\
<script src=\"/ui/assets/{js}\" defer></script>{extra}</head>\
<body><header><nav><a href=\"/ui/\" class=\"brand\">dspy-agent</a> {nav}</nav>\
<div class=\"who\">{who} {logout}</div></header>\
<main>{body}</main></body></html>\n",
        title = escape(title),
        css = assets::CSS_NAME,
        js = assets::JS_NAME,
    );
    html_response(StatusCode::OK, html)
}

/// "21 to 40 of 200 matching" above a page of rows (`shown` of them from `offset`), or what a
/// page past the end has.
pub fn count_line(h: &mut String, offset: usize, shown: usize, total: usize) {
    use std::fmt::Write;
    let _ = if shown == 0 && total > 0 {
        write!(
            h,
            "<p class=\"muted\" id=\"count\">nothing on this page; {total} matching in all</p>"
        )
    } else {
        write!(
            h,
            "<p class=\"muted\" id=\"count\">{} to {} of {total} matching</p>",
            (offset + 1).min(total),
            offset + shown
        )
    };
}

/// Rows on one page of every dashboard list (tasks, runs, a map's items).
pub const PAGE_SIZE: usize = 50;

/// The pager under a list of `total` rows, `PAGE_SIZE` a page: links to the pages around
/// `page` (`href` makes a page's URL) with the given labels for back and forward.
pub fn pager(
    h: &mut String,
    page: usize,
    total: usize,
    href: impl Fn(usize) -> String,
    (back, forward): (&str, &str),
) {
    use std::fmt::Write;
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    h.push_str("<nav class=\"pager\">");
    if page > 1 {
        let _ = write!(
            h,
            "<a href=\"{}\" rel=\"prev\">{back}</a>",
            escape(&href(page - 1))
        );
    }
    let _ = write!(h, "<span>page {page} of {pages}</span>");
    if page < pages {
        let _ = write!(
            h,
            "<a href=\"{}\" rel=\"next\">{forward}</a>",
            escape(&href(page + 1))
        );
    }
    h.push_str("</nav>");
}

/// HTML with the page headers, never cached (pages carry data and CSRF tokens).
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut r = (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response();
    page_headers(r.headers_mut());
    r
}

/// An error page: the message, escaped, and a way back.
pub fn error_page(viewer: &Viewer, status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p class=\"error\">{}</p><p><a href=\"/ui/\">Back to the overview</a></p>",
        status.as_u16(),
        escape(message)
    );
    let mut r = page(viewer, "Error", &body);
    *r.status_mut() = status;
    r
}

/// A form's fields (`application/x-www-form-urlencoded`), at most a few, each short.
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url_decode_pairs(&String::from_utf8_lossy(body))
        .into_iter()
        .take(16)
        .collect()
}

/// `a=1&b=x+y` as pairs, percent-decoded (`+` is a space).
pub fn url_decode_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit() =>
            {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(0));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why a form post is refused, or None when it may act. A session's form must carry the
/// session's CSRF token and come from a page of this server (an Origin the guard accepted; a
/// browser always sends one on a POST). A bearer-token caller (no cookie, so no CSRF) passes.
pub fn csrf_refusal(
    viewer: &Viewer,
    headers: &HeaderMap,
    fields: &[(String, String)],
) -> Option<&'static str> {
    let session = viewer.session.as_ref()?;
    if !headers.contains_key(header::ORIGIN) {
        return Some("a dashboard form must come with an Origin header");
    }
    let sent = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    match sent {
        Some(t) if same_secret(t, &session.csrf) => None,
        _ => Some("the form's CSRF token is missing or wrong (reload the page)"),
    }
}

/// Milliseconds since the epoch as UTC text (`2026-11-27 20:01:02`), or "—" for 0.
pub fn time_text(ms: u64) -> String {
    if ms == 0 {
        return "—".into();
    }
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms);
    let text = humantime::format_rfc3339_seconds(t).to_string();
    text.trim_end_matches('Z').replace('T', " ")
}

/// A `<time>` element: UTC text the script turns into the browser's local time.
pub fn time_html(ms: u64) -> String {
    if ms == 0 {
        return "—".into();
    }
    format!("<time data-ms=\"{ms}\">{}</time>", time_text(ms))
}

/// A duration in ms as short text (`850ms`, `12.3s`, `4m05s`, `2h03m`).
pub fn duration_text(ms: u64) -> String {
    match ms {
        0..1000 => format!("{ms}ms"),
        1000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
        _ => format!("{}h{:02}m", ms / 3_600_000, (ms / 60_000) % 60),
    }
}

/// The last non-empty line of an error text.
pub fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        assert_eq!(
            url_decode_pairs("csrf=a%2Bb&x=1+2&bad=%zz&end=%4"),
            vec![
                ("csrf".into(), "a+b".into()),
                ("x".into(), "1 2".into()),
                ("bad".into(), "%zz".into()),
                ("end".into(), "%4".into()),
            ]
        );
    }

    #[test]
    fn texts() {
        assert_eq!(time_text(0), "—");
        assert_eq!(time_text(1_000), "1970-01-01 00:00:01");
        assert_eq!(duration_text(850), "850ms");
        assert_eq!(duration_text(245_000), "4m05s");
        assert_eq!(last_line("a\nlast one\n\n"), "last one");
    }
}
