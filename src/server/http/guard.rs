//! Browser safety on every HTTP route, as one axum middleware (a later token check can sit
//! beside it as another layer): the `Host` must be loopback, the bound address or a configured
//! name (DNS rebinding); an `Origin`, when present, must be the server's own or a configured one
//! (cross-site requests); a request body must be `application/json` (415) and arrive within the
//! body timeout (408) and size limit (413).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::reply::error;
use crate::settings::Settings;

/// Who may talk to the HTTP listener, and how long and large a body may be.
#[derive(Debug)]
pub struct Policy {
    /// `http://<bound address>`, for a future web UI served by `serve` itself.
    own_origin: String,
    /// The bound IP, unless it is a wildcard (0.0.0.0, ::).
    bound_ip: Option<IpAddr>,
    allowed_origins: Vec<String>,
    allowed_hosts: Vec<String>,
    pub body_timeout: Duration,
    pub body_limit: usize,
}

/// A setting's effective value, by its key in the settings table.
pub fn setting(settings: &Settings, key: &str) -> serde_json::Value {
    settings
        .entries()
        .into_iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, _)| v)
        .unwrap_or_default()
}

/// A whole-number setting, or `default` if it is missing.
pub fn whole_setting(settings: &Settings, key: &str, default: u64) -> u64 {
    setting(settings, key).as_u64().unwrap_or(default)
}

/// A comma-separated text setting as trimmed, lowercased, non-empty items.
fn list_setting(settings: &Settings, key: &str) -> Vec<String> {
    setting(settings, key)
        .as_str()
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether the listeners speak TLS (tls.self_signed, or a certificate file).
fn tls_on(settings: &Settings) -> bool {
    setting(settings, "tls.self_signed").as_bool() == Some(true)
        || setting(settings, "tls.cert_file")
            .as_str()
            .is_some_and(|s| !s.is_empty())
}

impl Policy {
    pub fn new(settings: &Settings, bound: SocketAddr) -> Policy {
        let body_timeout = setting(settings, "http.body_timeout_s")
            .as_f64()
            .filter(|s| *s > 0.0)
            .unwrap_or(30.0);
        Policy {
            own_origin: format!(
                "{}://{bound}",
                if tls_on(settings) { "https" } else { "http" }
            ),
            bound_ip: Some(bound.ip()).filter(|ip| !ip.is_unspecified()),
            allowed_origins: list_setting(settings, "http.allowed_origins"),
            allowed_hosts: list_setting(settings, "http.allowed_hosts"),
            body_timeout: Duration::from_secs_f64(body_timeout),
            body_limit: settings.scheduler.max_payload_bytes.value as usize + 64 * 1024,
        }
    }

    /// A `Host` header's value (`name`, `name:port`, `[v6]:port`) names this server.
    fn host_ok(&self, host: &str) -> bool {
        let full = host.trim().to_ascii_lowercase();
        let name = match full.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => full.split(':').next().unwrap_or_default(),
        };
        let name = name.trim_end_matches('.');
        if name == "localhost" {
            return true;
        }
        if let Ok(ip) = name.parse::<IpAddr>()
            && (ip.is_loopback() || Some(ip) == self.bound_ip)
        {
            return true;
        }
        self.allowed_hosts
            .iter()
            .any(|h| h == "*" || h == name || *h == full)
    }

    fn origin_ok(&self, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        origin == self.own_origin || self.allowed_origins.contains(&origin)
    }

    /// The origin a browser shows for a page it fetched from `host` (a Host this server
    /// answers to, checked first): the dashboard opened as `localhost:PORT` posts from there.
    fn same_as_host(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        let scheme = self.own_origin.split("://").next().unwrap_or("http");
        self.host_ok(host) && origin == format!("{scheme}://{}", host.trim().to_ascii_lowercase())
    }
}

/// `application/json` (or NDJSON, for POST /queue/submit-batch), with or without parameters
/// (`; charset=utf-8`). None of them is a type a browser form may send across sites.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim();
            [
                "application/json",
                "application/x-ndjson",
                "application/ndjson",
            ]
            .iter()
            .any(|t| m.eq_ignore_ascii_case(t))
        })
}

/// A browser form's body, accepted on the dashboard's routes only: they check a per-session
/// CSRF token and the Origin, which no other route does.
fn is_form(headers: &HeaderMap, path: &str) -> bool {
    (path == "/ui" || path.starts_with("/ui/"))
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                m.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
}

/// Whether the request announces a body (a length above zero, or chunks).
fn has_body(headers: &HeaderMap) -> bool {
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim() != "0");
    length.unwrap_or_else(|| headers.contains_key(header::TRANSFER_ENCODING))
}

/// The middleware: refuse what a browser could be tricked into sending, then read the body
/// within its time and size limits.
pub async fn guard(State(policy): State<Arc<Policy>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match &host {
        Some(h) if policy.host_ok(h) => {}
        Some(h) => {
            return error(
                StatusCode::FORBIDDEN,
                format!("Host {h:?} is not allowed (add it to the http.allowed_hosts setting)"),
            );
        }
        None => return error(StatusCode::FORBIDDEN, "a request needs a Host header"),
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        let own_host = host
            .as_deref()
            .is_some_and(|h| policy.same_as_host(&origin, h));
        if !own_host && !policy.origin_ok(&origin) {
            return error(
                StatusCode::FORBIDDEN,
                format!(
                    "Origin {origin:?} is not allowed (add it to the http.allowed_origins setting)"
                ),
            );
        }
    }
    if !has_body(req.headers()) {
        return next.run(req).await;
    }
    if !is_json(req.headers()) && !is_form(req.headers(), req.uri().path()) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a request body must have Content-Type: application/json",
        );
    }
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} bytes",
                policy.body_limit
            ),
        )
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > policy.body_limit as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let read = axum::body::to_bytes(body, policy.body_limit);
    let bytes = match tokio::time::timeout(policy.body_timeout, read).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) if format!("{e:?}").contains("LengthLimit") => return too_large(),
        Ok(Err(e)) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("cannot read the request body: {e}"),
            );
        }
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {}s (http.body_timeout_s)",
                    policy.body_timeout.as_secs_f64()
                ),
            );
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(bound: &str, hosts: &[&str], origins: &[&str]) -> Policy {
        Policy {
            own_origin: format!("http://{bound}"),
            bound_ip: Some(bound.parse::<SocketAddr>().unwrap().ip())
                .filter(|i| !i.is_unspecified()),
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            allowed_hosts: hosts.iter().map(|s| s.to_string()).collect(),
            body_timeout: Duration::from_secs(1),
            body_limit: 10,
        }
    }

    #[test]
    fn hosts() {
        let p = policy("10.0.0.5:9097", &["box.lan"], &[]);
        for ok in [
            "localhost",
            "LOCALHOST:1",
            "127.0.0.1:9097",
            "127.9.9.9",
            "[::1]:80",
            "10.0.0.5:9097",
            "box.lan",
            "box.lan:9097",
        ] {
            assert!(p.host_ok(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:9097",
            "10.0.0.6",
            "[::2]:1",
            "localhost.evil.example",
            "",
        ] {
            assert!(!p.host_ok(bad), "{bad}");
        }
        assert!(!policy("0.0.0.0:1", &[], &[]).host_ok("0.0.0.0"));
        assert!(policy("0.0.0.0:1", &["*"], &[]).host_ok("anything"));
    }

    #[test]
    fn origins() {
        let p = policy("127.0.0.1:9097", &[], &["https://ui.example"]);
        assert!(p.origin_ok("http://127.0.0.1:9097"));
        assert!(p.origin_ok("https://ui.example/"));
        assert!(p.same_as_host("http://localhost:9097", "localhost:9097"));
        assert!(!p.same_as_host("http://evil.example", "evil.example"));
        assert!(!p.same_as_host("http://localhost:1", "localhost:9097"));
        for bad in [
            "http://evil.example",
            "null",
            "http://127.0.0.1:9098",
            "https://127.0.0.1:9097",
        ] {
            assert!(!p.origin_ok(bad), "{bad}");
        }
    }
}
