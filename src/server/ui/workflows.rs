//! The workflows page: every workflow definition (latest version, steps, params, runs), then
//! the runs newest first, 50 a page chosen on the server (`Engine::run_summaries`), with the
//! filters in the URL: `workflow`, `status`, `page` (from 1). A failed run shows its first
//! failure: the step and the last line of its error.

use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Ctx, Viewer, duration_text, error_page, last_line, page, time_html, url_decode_pairs};
use crate::server::html::{escape, url_encode};
use crate::server::workflow::Engine;
use crate::server::workflow::pages::{STATUSES, parse_status};
use crate::server::workflow::run::Status;

use super::PAGE_SIZE;
const MAX_PAGE: usize = 10_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunFilters {
    pub workflow: Option<String>,
    pub status: Option<Status>,
    pub page: usize,
}

impl RunFilters {
    pub fn parse(query: &str) -> Result<RunFilters, String> {
        let mut f = RunFilters {
            page: 1,
            ..Default::default()
        };
        for (k, v) in url_decode_pairs(query) {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "workflow" => {
                    crate::server::workflow::spec::check_name("workflow", &v)?;
                    f.workflow = Some(v);
                }
                "status" => {
                    f.status = Some(parse_status(&v).ok_or_else(|| {
                        let names: Vec<&str> = STATUSES.iter().map(|s| s.as_str()).collect();
                        format!("unknown status {v:?} (one of {})", names.join(", "))
                    })?)
                }
                "page" => {
                    f.page = v
                        .parse::<usize>()
                        .ok()
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .ok_or_else(|| format!("`page` is {v:?}; expected 1 to {MAX_PAGE}"))?
                }
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn href(&self, page: usize) -> String {
        let mut q = Vec::new();
        if let Some(w) = &self.workflow {
            q.push(format!("workflow={}", url_encode(w)));
        }
        if let Some(s) = self.status {
            q.push(format!("status={}", s.as_str()));
        }
        if page > 1 {
            q.push(format!("page={page}"));
        }
        format!("/ui/workflows?{}", q.join("&"))
    }
}

/// GET /ui/workflows.
pub async fn handler(State(ctx): Ctx, viewer: Viewer, RawQuery(query): RawQuery) -> Response {
    match RunFilters::parse(query.as_deref().unwrap_or("")) {
        Ok(f) => page(&viewer, "Workflows", &render(&ctx.workflows, &f)),
        Err(e) => error_page(&viewer, StatusCode::BAD_REQUEST, &e),
    }
}

/// The page's HTML (without the layout).
pub fn render(engine: &Engine, f: &RunFilters) -> String {
    let mut h = String::with_capacity(32 * 1024);
    h.push_str("<div id=\"live\" data-stream=\"/ui/stream?topics=workflows\" hidden></div><h1>Workflows</h1>");
    definitions(&mut h, engine);
    let offset = (f.page - 1) * PAGE_SIZE;
    let (runs, total) = engine.run_summaries(f.workflow.as_deref(), f.status, offset, PAGE_SIZE);
    h.push_str("<h2>Runs</h2><form method=\"get\" action=\"/ui/workflows\" class=\"filters\">");
    let _ = write!(
        h,
        "<label>workflow<input name=\"workflow\" value=\"{}\" maxlength=\"48\"></label><label>status<select name=\"status\"><option value=\"\">any</option>",
        escape(f.workflow.as_deref().unwrap_or(""))
    );
    for s in STATUSES {
        let sel = if f.status == Some(s) { " selected" } else { "" };
        let _ = write!(h, "<option value=\"{s}\"{sel}>{s}</option>", s = s.as_str());
    }
    h.push_str("</select></label><button type=\"submit\" class=\"primary\">Filter</button> <a href=\"/ui/workflows\">clear</a></form>");
    h.push_str("<div data-live=\"runs\">");
    super::count_line(&mut h, offset, runs.len(), total);
    h.push_str("<table id=\"runs\"><thead><tr><th>run</th><th>workflow</th><th>status</th><th>steps done</th><th>attempt</th><th>started</th><th>took</th><th>first failure</th></tr></thead><tbody>");
    let now = crate::server::clock::now_ms();
    for r in &runs {
        let took = match (r.created_at_ms, r.finished_at_ms) {
            (0, _) => "—".to_string(),
            (a, 0) => duration_text(now.saturating_sub(a)),
            (a, b) => duration_text(b.saturating_sub(a)),
        };
        let failure = match &r.first_failure {
            Some((step, error)) => format!(
                "<div class=\"errline\"><b>{}</b>: {}</div>",
                escape(step),
                escape(last_line(error))
            ),
            None if !r.error.is_empty() => {
                format!("<div class=\"errline\">{}</div>", escape(&r.error))
            }
            None => String::new(),
        };
        let _ = write!(
            h,
            "<tr data-run=\"{id}\"><td><a href=\"/ui/runs/{id_url}\">{id}</a></td><td><a href=\"/ui/workflows?workflow={wf_url}\">{wf}</a></td><td class=\"state state-{st}\">{st}</td><td>{done}/{steps}</td><td>{att}</td><td>{started}</td><td>{took}</td><td>{failure}</td></tr>",
            id = escape(&r.id),
            id_url = url_encode(&r.id),
            wf = escape(&r.workflow),
            wf_url = url_encode(&r.workflow),
            st = r.status.as_str(),
            done = r.steps_completed,
            steps = r.steps,
            att = r.attempt,
            started = time_html(r.created_at_ms),
        );
    }
    h.push_str("</tbody></table>");
    super::pager(&mut h, f.page, total, |p| f.href(p), ("← newer", "older →"));
    h.push_str("</div>");
    h
}

fn definitions(h: &mut String, engine: &Engine) {
    let defs = engine.workflows();
    h.push_str("<h2>Definitions</h2>");
    if defs.is_empty() {
        h.push_str("<p class=\"muted\" id=\"no-workflows\">No workflow yet: <code>dspy-agent workflow create FILE</code> adds one.</p>");
        return;
    }
    h.push_str("<table id=\"workflows\"><thead><tr><th>workflow</th><th>version</th><th class=\"num\">steps</th><th>params</th><th class=\"num\">runs</th></tr></thead><tbody>");
    for d in &defs {
        let name = d["name"].as_str().unwrap_or("");
        let params: Vec<String> = d["params"]
            .as_object()
            .map(|m| m.keys().map(|k| escape(k)).collect())
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr data-workflow=\"{n}\"><td><a href=\"/ui/workflows?workflow={nu}\">{n}</a></td><td><code>{v}</code></td><td class=\"num\">{steps}</td><td>{params}</td><td class=\"num\">{runs}</td></tr>",
            n = escape(name),
            nu = url_encode(name),
            v = escape(
                &d["version"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(12)
                    .collect::<String>()
            ),
            steps = d["steps"].as_u64().unwrap_or(0),
            params = params.join(", "),
            runs = d["runs"].as_u64().unwrap_or(0),
        );
    }
    h.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_filters_round_trip_and_refuse() {
        let f = RunFilters::parse("workflow=fifty&status=failed&page=2").unwrap();
        assert_eq!(f.workflow.as_deref(), Some("fifty"));
        assert_eq!(f.status, Some(Status::Failed));
        let again = RunFilters::parse(f.href(2).trim_start_matches("/ui/workflows?")).unwrap();
        assert_eq!(again, f);
        for bad in ["status=nope", "workflow=a%20b", "page=0", "page=x"] {
            assert!(RunFilters::parse(bad).is_err(), "{bad}");
        }
    }
}
