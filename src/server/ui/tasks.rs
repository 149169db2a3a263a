//! The tasks page: 50 tasks a page, selected on the server by `Scheduler::query` (the
//! selection every listing runs), failures first, with the filters in the URL:
//! `status`, `class`, `q` (a piece of the id or error), `since` / `until` (submitted within /
//! before a duration ago: `15m`, `2h`, `3d`), `page` (from 1) and `order=newest` (no failures
//! first).

use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Ctx, Viewer, duration_text, error_page, last_line, page, time_html};
use crate::server::clock::now_ms;
use crate::server::html::{escape, url_encode};
use crate::server::scheduler::Scheduler;
use crate::server::task::TaskState;
use crate::server::task_query::TaskQuery;
use crate::server::view::TaskView;
use crate::settings::TASK_CLASSES;

use super::PAGE_SIZE;
/// Longest text filter.
const MAX_TEXT: usize = 200;
/// Pages past this are refused (50 × 10,000 tasks is past what a server retains).
const MAX_PAGE: usize = 10_000;

/// The filters, as parsed from the URL (and written back into links).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Filters {
    pub status: Option<TaskState>,
    pub class: Option<String>,
    pub text: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub newest: bool,
    pub page: usize,
}

fn duration_ms(key: &str, text: &str) -> Result<u64, String> {
    humantime::parse_duration(text)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .map_err(|e| format!("`{key}` is {text:?}: {e} (examples: 15m, 2h, 3d)"))
}

impl Filters {
    /// The filters of a query string; the error is shown as a 400 page.
    pub fn parse(query: &str) -> Result<Filters, String> {
        let mut f = Filters {
            page: 1,
            ..Default::default()
        };
        for (k, v) in super::url_decode_pairs(query) {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "status" => {
                    f.status = Some(TaskState::parse(&v).ok_or_else(|| {
                        format!(
                            "unknown status {v:?} (queued, running, completed, failed, cancelled)"
                        )
                    })?)
                }
                "class" if TASK_CLASSES.contains(&v.as_str()) => f.class = Some(v),
                "class" => {
                    return Err(format!(
                        "unknown class {v:?} (one of {})",
                        TASK_CLASSES.join(", ")
                    ));
                }
                "q" if v.len() > MAX_TEXT => {
                    return Err(format!("`q` is longer than {MAX_TEXT} bytes"));
                }
                "q" => f.text = Some(v),
                "since" => {
                    duration_ms("since", &v)?;
                    f.since = Some(v);
                }
                "until" => {
                    duration_ms("until", &v)?;
                    f.until = Some(v);
                }
                "order" => f.newest = v == "newest",
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

    /// The scheduler's query for these filters at time `now`.
    pub fn query(&self, now: u64) -> TaskQuery {
        let ago = |d: &Option<String>| {
            d.as_deref()
                .and_then(|t| duration_ms("", t).ok())
                .map(|ms| now.saturating_sub(ms))
        };
        TaskQuery {
            status: self.status,
            class: self.class.clone(),
            text: self.text.clone(),
            since_ms: ago(&self.since),
            until_ms: ago(&self.until),
            failures_first: !self.newest,
            offset: (self.page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
        }
    }

    /// These filters as a query string, at page `page`.
    pub fn href(&self, page: usize) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: &str| parts.push(format!("{k}={}", url_encode(v)));
        if let Some(s) = self.status {
            add("status", s.as_str());
        }
        for (k, v) in [
            ("class", &self.class),
            ("q", &self.text),
            ("since", &self.since),
            ("until", &self.until),
        ] {
            if let Some(v) = v {
                add(k, v);
            }
        }
        if self.newest {
            add("order", "newest");
        }
        if page > 1 {
            add("page", &page.to_string());
        }
        format!("/ui/tasks?{}", parts.join("&"))
    }
}

/// One row of the list.
pub struct TaskRow {
    pub view: TaskView,
    /// Why a queued task is not running yet, when the scheduler says (the task view's
    /// `blocked_reason`, issue 16 item 1); None for the others.
    pub blocked: Option<String>,
}

/// GET /ui/tasks.
pub async fn handler(State(ctx): Ctx, viewer: Viewer, RawQuery(query): RawQuery) -> Response {
    let filters = match Filters::parse(query.as_deref().unwrap_or("")) {
        Ok(f) => f,
        Err(e) => return error_page(&viewer, StatusCode::BAD_REQUEST, &e),
    };
    page(&viewer, "Tasks", &render(&ctx.sched, &filters))
}

/// The tasks page's HTML (without the layout); also what the benchmark times.
pub fn render(sched: &Scheduler, f: &Filters) -> String {
    let now = now_ms();
    // The event sequence before the data: a change after it reaches the page's stream.
    let live = super::stream::live_controls(&sched.events, "tasks");
    let (tasks, total) = sched.query(&f.query(now));
    // One lock for the page's reasons (the scheduler's `blocked_reason`, as its message).
    let mut why = sched.why_many(&tasks);
    let rows: Vec<TaskRow> = tasks
        .iter()
        .map(|t| TaskRow {
            blocked: why.remove(&t.id).map(|r| r.message),
            view: TaskView::from(t),
        })
        .collect();
    let mut h = String::with_capacity(32 * 1024);
    h.push_str("<h1>Tasks</h1>");
    h.push_str(&live);
    filter_form(&mut h, f);
    h.push_str("<div data-live=\"tasks\">");
    let first = (f.page - 1) * PAGE_SIZE;
    let _ = write!(
        h,
        "<p class=\"muted\" id=\"count\">{} to {} of {total} matching</p>",
        (first + 1).min(total),
        first + rows.len()
    );
    h.push_str("<table id=\"tasks\"><thead><tr><th>task</th><th>class</th><th>status</th><th>attempt</th><th>submitted</th><th>took</th><th>last error / why waiting</th></tr></thead><tbody>");
    for r in &rows {
        let t = &r.view;
        let took = match (t.started_at_ms, t.finished_at_ms) {
            (0, _) => "—".to_string(),
            (s, 0) => duration_text(now.saturating_sub(s)),
            (s, e) => duration_text(e.saturating_sub(s)),
        };
        let note = match &r.blocked {
            Some(why) if t.status == "queued" => {
                format!("<span class=\"blocked\">{}</span>", escape(why))
            }
            _ => format!(
                "<div class=\"errline\">{}</div>",
                escape(last_line(&t.error))
            ),
        };
        let _ = write!(
            h,
            "<tr><td><a href=\"/ui/tasks/{id_url}\">{id}</a></td><td>{class}</td><td class=\"state state-{s}\">{s}</td><td>attempt {a}/{m}</td><td>{sub}</td><td>{took}</td><td>{note}</td></tr>",
            id_url = url_encode(&t.task_id),
            id = escape(&t.task_id),
            class = escape(&t.class),
            s = escape(&t.status),
            a = t.attempt,
            m = t.max_attempts,
            sub = time_html(t.submitted_at_ms),
        );
    }
    h.push_str("</tbody></table>");
    pager(&mut h, f, total);
    h.push_str("</div>");
    h
}

fn filter_form(h: &mut String, f: &Filters) {
    h.push_str("<form method=\"get\" action=\"/ui/tasks\" class=\"filters\">");
    h.push_str("<label>status<select name=\"status\"><option value=\"\">any</option>");
    for s in crate::server::task_query::STATES {
        let sel = if f.status == Some(s) { " selected" } else { "" };
        let _ = write!(h, "<option value=\"{s}\"{sel}>{s}</option>", s = s.as_str());
    }
    h.push_str(
        "</select></label><label>class<select name=\"class\"><option value=\"\">any</option>",
    );
    for c in TASK_CLASSES {
        let sel = if f.class.as_deref() == Some(c) {
            " selected"
        } else {
            ""
        };
        let _ = write!(h, "<option value=\"{c}\"{sel}>{c}</option>");
    }
    let _ = write!(
        h,
        "</select></label><label>id or error<input name=\"q\" value=\"{}\" maxlength=\"{MAX_TEXT}\"></label>\
<label>within (15m, 2h)<input name=\"since\" value=\"{}\" size=\"6\"></label>\
<label>older than<input name=\"until\" value=\"{}\" size=\"6\"></label>\
<label>order<select name=\"order\"><option value=\"\">failures first</option><option value=\"newest\"{}>newest first</option></select></label>\
<button type=\"submit\" class=\"primary\">Filter</button> <a href=\"/ui/tasks\">clear</a></form>",
        escape(f.text.as_deref().unwrap_or("")),
        escape(f.since.as_deref().unwrap_or("")),
        escape(f.until.as_deref().unwrap_or("")),
        if f.newest { " selected" } else { "" },
    );
}

fn pager(h: &mut String, f: &Filters, total: usize) {
    super::pager(h, f.page, total, |p| f.href(p), ("← newer", "older →"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_through_the_url() {
        let f =
            Filters::parse("status=failed&class=cpu_long&q=a+b%26c&since=2h&page=3&x=1").unwrap();
        assert_eq!(f.status, Some(TaskState::Failed));
        assert_eq!(f.text.as_deref(), Some("a b&c"));
        assert_eq!(f.page, 3);
        let again = Filters::parse(f.href(3).trim_start_matches("/ui/tasks?")).unwrap();
        assert_eq!(again, f);
        let q = f.query(10_000_000);
        assert_eq!((q.offset, q.limit), (100, PAGE_SIZE));
        assert_eq!(q.since_ms, Some(10_000_000 - 7_200_000));
        assert!(q.failures_first);
    }

    #[test]
    fn bad_filters_are_refused() {
        for bad in ["status=nope", "class=x", "since=soon", "page=0", "page=x"] {
            assert!(Filters::parse(bad).is_err(), "{bad}");
        }
    }
}
