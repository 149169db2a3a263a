//! Logging in and out. `GET /ui/login?code=...` spends a one-time code (from `dspy-agent ui`)
//! and answers with a page, not a redirect (a SameSite=Strict cookie set by a redirect that a
//! link from elsewhere started would not be sent on the next request), that sets the session
//! cookie and moves on to the overview with a meta refresh. `POST /ui/logout` ends the session.

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{Ctx, Viewer, csrf_refusal, error_page, form_fields, html_response};
use crate::server::auth::sessions::COOKIE;
use crate::server::context::ServerCtx;

/// Whether the listeners speak TLS (then the cookie is `Secure`).
fn tls_on(ctx: &ServerCtx) -> bool {
    ctx.settings.value_of("tls.self_signed").as_bool() == Some(true)
        || ctx
            .settings
            .value_of("tls.cert_file")
            .as_str()
            .is_some_and(|s| !s.is_empty())
}

fn cookie(ctx: &ServerCtx, value: &str, max_age_s: u64) -> String {
    let secure = if tls_on(ctx) { "; Secure" } else { "" };
    format!("{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age={max_age_s}{secure}")
}

const BAD_CODE: &str = "This login link is not valid: it was used already, it expired, or it is mistyped. Run `dspy-agent ui` for a new one.";

/// GET /ui/login?code=CODE.
pub async fn login(axum::extract::State(ctx): Ctx, RawQuery(query): RawQuery) -> Response {
    let code = super::url_decode_pairs(query.as_deref().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let nobody = Viewer::of(None, None);
    let sessions = &ctx.gate.sessions;
    let Some((id, session)) = (!code.is_empty()).then(|| sessions.redeem(&code)).flatten() else {
        return error_page(&nobody, StatusCode::UNAUTHORIZED, BAD_CODE);
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"refresh\" content=\"0;url=/ui/\"><title>Logged in · dspy-agent</title>\
<link rel=\"stylesheet\" href=\"/ui/assets/{css}\">{icon}</head><body><main>\
<h1>Logged in</h1><p>as {name} ({role}). <a href=\"/ui/\">Open the dashboard</a>.</p>\
</main></body></html>\n",
        css = super::assets::CSS_NAME,
        icon = super::ICON,
        name = crate::server::html::escape(&session.caller.name),
        role = session.caller.role.as_str(),
    );
    let mut r = html_response(StatusCode::OK, html);
    let max_age = sessions.session_ttl().as_secs();
    if let Ok(v) = HeaderValue::from_str(&cookie(&ctx, &id, max_age)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// POST /ui/logout (a form with the CSRF token).
pub async fn logout(
    axum::extract::State(ctx): Ctx,
    viewer: Viewer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(session) = viewer.session.clone() else {
        return error_page(
            &viewer,
            StatusCode::BAD_REQUEST,
            "no dashboard session to end (a bearer token is not logged in)",
        );
    };
    if let Some(why) = csrf_refusal(&viewer, &headers, &form_fields(&body)) {
        return error_page(&viewer, StatusCode::FORBIDDEN, why);
    }
    ctx.gate.sessions.end(&session);
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Logged out · dspy-agent</title>\
<link rel=\"stylesheet\" href=\"/ui/assets/{}\">{}</head><body><main><h1>Logged out</h1>\
<p>Run <code>dspy-agent ui</code> for a new login link.</p></main></body></html>\n",
        super::assets::CSS_NAME,
        super::ICON
    );
    let mut r = html_response(StatusCode::OK, html);
    if let Ok(v) = HeaderValue::from_str(&cookie(&ctx, "", 0)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
