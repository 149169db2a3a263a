//! The Services pages: `/ui/services` lists the stack `serve` manages (state, health, ports,
//! restarts, last exit code, uptime, image), from the same probe as `/health` (the read-only
//! `Stack::status` of `ps` and GetServicesStatus, one probe at a time, bounded); services of
//! the catalog with no container are listed as not created. Without a Docker engine the page
//! says so (200). `/ui/services/{name}` shows one service and its log viewer (`ui/logs.js`,
//! fed by `service_logs`); a name outside the catalog is a 404.

use std::fmt::Write;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Ctx, Viewer, duration_text, error_page, page, page_with_scripts};
use crate::lifecycle::ServiceStatus;
use crate::server::clock::now_ms;
use crate::server::context::ServerCtx;
use crate::server::html::{escape, url_encode};

/// How old the probe a page shows may be.
const FRESH: Duration = Duration::from_secs(1);

/// The catalog's service names, or why it could not be read.
fn catalog_names(ctx: &ServerCtx) -> Result<Vec<String>, String> {
    crate::catalog::resolve(&ctx.settings)
        .map(|c| c.services.keys().cloned().collect())
        .map_err(|e| e.message)
}

/// Whether `name` is a service of the catalog (the only names the pages and streams accept).
pub fn known_service(ctx: &ServerCtx, name: &str) -> bool {
    catalog_names(ctx).is_ok_and(|names| names.iter().any(|n| n == name))
}

/// Docker's RFC 3339 start time as ms since the epoch.
fn started_ms(started_at: &str) -> Option<u64> {
    let t = humantime::parse_rfc3339_weak(started_at.trim_end_matches('Z')).ok()?;
    let ms = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis();
    u64::try_from(ms).ok().filter(|ms| *ms > 0)
}

/// How long a running service has been up, as text ("—" when it is not running).
fn uptime(s: &ServiceStatus, now: u64) -> String {
    match (
        s.state.as_str(),
        s.started_at.as_deref().and_then(started_ms),
    ) {
        ("running", Some(at)) => duration_text(now.saturating_sub(at)),
        _ => "—".into(),
    }
}

fn ports_text(s: &ServiceStatus) -> String {
    let ports: Vec<String> = s
        .ports
        .iter()
        .map(|p| format!("{}:{}→{}", p.host_ip, p.host_port, p.container_port))
        .collect();
    if ports.is_empty() {
        "—".into()
    } else {
        ports.join(", ")
    }
}

fn state_html(state: &str) -> String {
    let class = match state {
        "running" => "succeeded",
        "exited" | "dead" | "removed" => "failed",
        _ => "queued",
    };
    format!(
        "<span class=\"state state-{class}\" data-state=\"{s}\">{s}</span>",
        s = escape(state)
    )
}

/// GET /ui/services.
pub async fn list(State(ctx): Ctx, viewer: Viewer) -> Response {
    let probed = ctx.services_health(FRESH).await;
    let names = catalog_names(&ctx);
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<h1>Services</h1>");
    h.push_str("<div id=\"live\" data-stream=\"/ui/stream?topics=services\" hidden></div>");
    h.push_str("<div data-live=\"services\">");
    let project = escape(&ctx.settings.project.value);
    let _ = write!(h, "<p class=\"muted\">project {project}</p>");
    match &*probed {
        Err(e) => {
            let _ = write!(
                h,
                "<p class=\"error\" id=\"no-engine\">The services cannot be listed: {}</p>",
                escape(e)
            );
        }
        Ok(rows) => table(&mut h, rows, names.as_deref().unwrap_or(&[])),
    }
    if let Err(e) = &names {
        let _ = write!(
            h,
            "<p class=\"error\">The services file cannot be read: {}</p>",
            escape(e)
        );
    }
    h.push_str("</div>");
    page(&viewer, "Services", &h)
}

fn table(h: &mut String, rows: &[ServiceStatus], catalog: &[String]) {
    let now = now_ms();
    h.push_str("<table id=\"services\"><thead><tr><th>service</th><th>state</th><th>health</th><th>ports (host→container)</th><th class=\"num\">restarts</th><th class=\"num\">exit code</th><th>uptime</th><th>image</th></tr></thead><tbody>");
    for s in rows {
        let _ = write!(
            h,
            "<tr id=\"service-{id}\"><td><a href=\"/ui/services/{link}\">{name}</a></td><td>{state}</td><td>{health}</td><td>{ports}</td><td class=\"num\">{restarts}</td><td class=\"num\">{exit}</td><td>{up}</td><td>{image}</td></tr>",
            id = escape(&s.service),
            link = url_encode(&s.service),
            name = escape(&s.service),
            state = state_html(&s.state),
            health = escape(&s.health),
            ports = escape(&ports_text(s)),
            restarts = s.restart_count,
            exit = s.exit_code.map_or("—".into(), |c| c.to_string()),
            up = uptime(s, now),
            image = escape(&s.image),
        );
    }
    for name in catalog
        .iter()
        .filter(|n| !rows.iter().any(|r| &r.service == *n))
    {
        let _ = write!(
            h,
            "<tr id=\"service-{id}\"><td><a href=\"/ui/services/{link}\">{id}</a></td><td>{state}</td><td colspan=\"6\" class=\"muted\">no container (start it with <code>dspy-agent up --services {id}</code>)</td></tr>",
            id = escape(name),
            link = url_encode(name),
            state = state_html("not created"),
        );
    }
    h.push_str("</tbody></table>");
    if rows.is_empty() && catalog.is_empty() {
        h.push_str("<p class=\"muted\">No service is defined.</p>");
    }
}

/// Lines the log view asks for at first.
pub const VIEW_TAIL: u64 = 200;

/// GET /ui/services/{name}.
pub async fn detail(State(ctx): Ctx, viewer: Viewer, Path(name): Path<String>) -> Response {
    if !known_service(&ctx, &name) {
        return error_page(
            &viewer,
            StatusCode::NOT_FOUND,
            &format!("no service named {name:?} in this server's services file"),
        );
    }
    let probed = ctx.services_health(FRESH).await;
    let mut h = String::with_capacity(8 * 1024);
    let _ = write!(
        h,
        "<h1>Service {}</h1><p><a href=\"/ui/services\">All services</a></p>",
        escape(&name)
    );
    match &*probed {
        Err(e) => {
            let _ = write!(
                h,
                "<p class=\"error\" id=\"no-engine\">The service's state cannot be read: {}</p>",
                escape(e)
            );
        }
        Ok(rows) => match rows.iter().find(|r| r.service == name) {
            Some(s) => fields(&mut h, s),
            None => h.push_str(
                "<p class=\"muted\" id=\"no-container\">No container: the service is not started.</p>",
            ),
        },
    }
    let link = url_encode(&name);
    // No #live element: this page's one stream is its log tail (ui/logs.js).
    let _ = write!(
        h,
        "<h2>Logs</h2>\
<form id=\"log-controls\" class=\"log-controls\" data-stream=\"/ui/services/{link}/logs/stream\" data-tail=\"{VIEW_TAIL}\">\
<label>search <input type=\"search\" name=\"q\" id=\"log-q\" maxlength=\"200\" placeholder=\"text in a line\"></label> \
<button type=\"submit\">Search</button> \
<button type=\"button\" id=\"log-follow\" aria-pressed=\"true\">Pause</button> \
<a href=\"/ui/services/{link}/logs.txt?tail={DOWNLOAD_TAIL}\" id=\"log-download\" download>Download</a> \
<span id=\"log-state\" class=\"muted\">connecting…</span></form>\
<pre id=\"log\" data-log class=\"log\"></pre>",
        DOWNLOAD_TAIL = super::service_logs::DOWNLOAD_DEFAULT_TAIL,
    );
    page_with_scripts(&viewer, &format!("Service {name}"), &h, &["logs.js"])
}

fn fields(h: &mut String, s: &ServiceStatus) {
    let now = now_ms();
    h.push_str("<dl class=\"fields\" id=\"service\">");
    let mut field = |name: &str, value: String| {
        let _ = write!(h, "<dt>{name}</dt><dd>{value}</dd>");
    };
    field("state", state_html(&s.state));
    field("health", escape(&s.health));
    field("ports", escape(&ports_text(s)));
    field("restarts", s.restart_count.to_string());
    field(
        "exit code",
        s.exit_code.map_or("—".into(), |c| c.to_string()),
    );
    field("uptime", uptime(s, now));
    field("started", escape(s.started_at.as_deref().unwrap_or("—")));
    field("image", escape(&s.image));
    field(
        "container",
        escape(s.container_id.get(..12).unwrap_or(&s.container_id)),
    );
    h.push_str("</dl>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_start_times_parse() {
        assert_eq!(started_ms("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(
            started_ms("2026-11-27T22:00:00.123456789Z"),
            Some(1_795_816_800_123)
        );
        assert_eq!(started_ms("0001-01-01T00:00:00Z"), None);
        assert_eq!(started_ms("garbage"), None);
    }
}
