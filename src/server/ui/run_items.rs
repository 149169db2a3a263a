//! A map step's items: `GET /ui/runs/{run_id}/steps/{step}`, 50 a page chosen on the server
//! (`Engine::map_items`: one pass over the items, only the page copied), failures first, or
//! only those of `?status=` (`&page=` from 1). Each row: index, status, the task's attempt
//! n/max, the last line of its error, and a link to its task.

use std::fmt::Write;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::runs::{check_run_id, status_of};
use super::{Ctx, Viewer, duration_text, error_page, last_line, page, url_decode_pairs};
use crate::server::clock::now_ms;
use crate::server::html::{escape, url_encode};
use crate::server::scheduler::Scheduler;
use crate::server::task::SchedError;
use crate::server::workflow::Engine;
use crate::server::workflow::pages::{STATUSES, parse_status};
use crate::server::workflow::run::Status;

use super::PAGE_SIZE;
/// Pages past this are refused (a map holds at most 100,000 items: 2,000 pages).
const MAX_PAGE: usize = 2_000;

/// The items page's filters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemFilters {
    pub status: Option<Status>,
    pub page: usize,
}

impl ItemFilters {
    pub fn parse(query: &str) -> Result<ItemFilters, String> {
        let mut f = ItemFilters {
            status: None,
            page: 1,
        };
        for (k, v) in url_decode_pairs(query) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "status" => {
                    f.status = Some(parse_status(v).ok_or_else(|| {
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

    fn href(&self, run: &str, step: &str, page: usize) -> String {
        let mut q = Vec::new();
        if let Some(s) = self.status {
            q.push(format!("status={}", s.as_str()));
        }
        if page > 1 {
            q.push(format!("page={page}"));
        }
        format!(
            "/ui/runs/{}/steps/{}?{}",
            url_encode(run),
            url_encode(step),
            q.join("&")
        )
    }
}

/// GET /ui/runs/{run_id}/steps/{step}.
pub async fn handler(
    State(ctx): Ctx,
    viewer: Viewer,
    Path((run, step)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let checked = check_run_id(&run)
        .and_then(|()| crate::server::workflow::spec::check_name("step id", &step))
        .and_then(|()| ItemFilters::parse(query.as_deref().unwrap_or("")));
    let f = match checked {
        Ok(f) => f,
        Err(e) => return error_page(&viewer, StatusCode::BAD_REQUEST, &e),
    };
    match render(&ctx.workflows, &ctx.sched, &run, &step, &f) {
        Ok(h) => page(&viewer, &format!("{step} of run {run}"), &h),
        Err(e) => error_page(&viewer, status_of(&e), &e.message),
    }
}

/// The items page's HTML (without the layout).
pub fn render(
    engine: &Engine,
    sched: &Scheduler,
    run: &str,
    step: &str,
    f: &ItemFilters,
) -> Result<String, SchedError> {
    let offset = (f.page - 1) * PAGE_SIZE;
    let p = engine.map_items(run, step, f.status, offset, PAGE_SIZE)?;
    let now = now_ms();
    let mut h = String::with_capacity(24 * 1024);
    let (run_url, step_url) = (url_encode(run), url_encode(step));
    let _ = write!(
        h,
        "<div id=\"live\" data-stream=\"/ui/stream?topics=run:{run_url}\" hidden></div>\
<h1>Step {step_h} of run <a href=\"/ui/runs/{run_url}\">{run_h}</a></h1>\
<div data-live=\"step-head\"><p>status <span class=\"state state-{st}\" id=\"status\">{st}</span>, step attempt {att}, {total} items {counts}</p>",
        step_h = escape(step),
        run_h = escape(run),
        st = p.step.status.as_str(),
        att = p.step.attempt,
        total = p.step.counts.total,
        counts = super::graph::counts_html(&p.step.counts),
    );
    if !p.step.error.is_empty() {
        let _ = write!(h, "<p class=\"error\">{}</p>", escape(&p.step.error));
    }
    h.push_str("</div>");
    // The filter: one link per status with its count where the step keeps one.
    let _ = write!(
        h,
        "<nav class=\"pager\" id=\"item-filters\"><a href=\"/ui/runs/{run_url}/steps/{step_url}\"{}>all (failures first)</a>",
        if f.status.is_none() {
            " class=\"current\""
        } else {
            ""
        }
    );
    for s in [
        Status::Failed,
        Status::Running,
        Status::Pending,
        Status::Completed,
        Status::Cancelled,
    ] {
        let _ = write!(
            h,
            "<a href=\"/ui/runs/{run_url}/steps/{step_url}?status={s}\"{}>{s}</a>",
            if f.status == Some(s) {
                " class=\"current\""
            } else {
                ""
            },
            s = s.as_str()
        );
    }
    h.push_str("</nav>");
    h.push_str("<div data-live=\"items\">");
    super::count_line(&mut h, offset, p.rows.len(), p.matching);
    h.push_str("<table id=\"items\"><thead><tr><th class=\"num\">item</th><th>status</th><th>attempt</th><th>took</th><th>last error</th><th>task</th></tr></thead><tbody>");
    let max = p.step.max_attempts;
    for r in &p.rows {
        let attempt = match sched.get(&r.task_id) {
            Ok(t) => format!("{}/{}", t.attempt, t.max_attempts),
            Err(_) if max > 0 => format!("—/{max}"),
            Err(_) => "—".into(),
        };
        let took = match (r.started_at_ms, r.finished_at_ms) {
            (0, _) => "—".to_string(),
            (a, 0) => duration_text(now.saturating_sub(a)),
            (a, b) => duration_text(b.saturating_sub(a)),
        };
        let task = if r.task_id.is_empty() {
            "—".to_string()
        } else {
            format!(
                "<a href=\"/ui/tasks/{}\">{}</a>",
                url_encode(&r.task_id),
                escape(&r.task_id)
            )
        };
        let _ = write!(
            h,
            "<tr data-item=\"{i}\"><td class=\"num\">{i}</td><td class=\"state state-{st}\">{st}</td><td>{attempt}</td><td>{took}</td><td><div class=\"errline\">{err}</div></td><td>{task}</td></tr>",
            i = r.index,
            st = r.status.as_str(),
            err = escape(last_line(&r.error)),
        );
    }
    h.push_str("</tbody></table>");
    let href = |page| f.href(run, step, page);
    super::pager(&mut h, f.page, p.matching, href, ("← previous", "next →"));
    h.push_str("</div>");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_filters_parse_and_refuse() {
        let f = ItemFilters::parse("status=failed&page=3&x=1").unwrap();
        assert_eq!(f.status, Some(Status::Failed));
        assert_eq!(f.page, 3);
        assert_eq!(
            f.href("r", "s", 2),
            "/ui/runs/r/steps/s?status=failed&page=2"
        );
        for bad in ["status=nope", "page=0", "page=x", "page=2001"] {
            assert!(ItemFilters::parse(bad).is_err(), "{bad}");
        }
    }
}
