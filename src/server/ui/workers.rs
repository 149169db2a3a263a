//! The Workers page: every registered pull worker (the same registry as `dspy-agent workers`,
//! ListWorkers and GET /workers) with its host, version, classes, state, heartbeat age,
//! concurrency, done and failed counts, and the tasks it holds now, each linked with when its
//! lease expires (the scheduler's lease table). Each row is `id="worker-{name}"`; live on the
//! `workers` topic.

use std::collections::BTreeMap;
use std::fmt::Write;

use axum::extract::State;
use axum::response::Response;

use super::{Ctx, Viewer, duration_text, page, time_html};
use crate::proto::orchestrator::WorkerInfo;
use crate::server::clock::now_ms;
use crate::server::html::{escape, url_encode};

/// Workers listed at most (a registry that large is a misconfiguration to see, not to scroll).
const MAX_ROWS: usize = 1_000;
/// Current tasks shown per worker.
const MAX_TASKS: usize = 50;

/// GET /ui/workers.
pub async fn handler(State(ctx): Ctx, viewer: Viewer) -> Response {
    let list = ctx.workers();
    let holding = ctx.worker_tasks();
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<h1>Workers</h1>");
    h.push_str("<div id=\"live\" data-stream=\"/ui/stream?topics=workers\" hidden></div>");
    h.push_str("<div data-live=\"workers\">");
    render(&mut h, &list, &holding, now_ms());
    h.push_str("</div>");
    page(&viewer, "Workers", &h)
}

/// The page's live part.
pub fn render(
    h: &mut String,
    list: &[WorkerInfo],
    holding: &BTreeMap<String, Vec<(String, u64)>>,
    now: u64,
) {
    let connected = list.iter().filter(|w| w.state == "connected").count();
    let _ = write!(
        h,
        "<p class=\"muted\">{} registered, {connected} connected</p>",
        list.len()
    );
    if list.is_empty() {
        h.push_str("<p class=\"muted\" id=\"no-workers\">No pull worker is registered. Start one with <code>dspy-agent worker --server ADDR</code>.</p>");
        return;
    }
    h.push_str("<table id=\"workers\"><thead><tr><th>name</th><th>host</th><th>version</th><th>classes</th><th>state</th><th>heartbeat</th><th class=\"num\">concurrency</th><th>running (lease expires)</th><th class=\"num\">done</th><th class=\"num\">failed</th></tr></thead><tbody>");
    for w in list.iter().take(MAX_ROWS) {
        let state_class = if w.state == "connected" {
            "succeeded"
        } else {
            "failed"
        };
        let tasks = holding.get(&w.name).map(Vec::as_slice).unwrap_or(&[]);
        let mut running = String::new();
        if w.state == "connected" && !tasks.is_empty() {
            running.push_str("<ul class=\"tasks\">");
            for (task, expires) in tasks.iter().take(MAX_TASKS) {
                let left = expires.saturating_sub(now);
                let _ = write!(
                    running,
                    "<li data-task=\"{id}\"><a href=\"/ui/tasks/{link}\">{id}</a> <span class=\"muted\">(lease expires in {left}, {at})</span></li>",
                    id = escape(task),
                    link = url_encode(task),
                    left = duration_text(left),
                    at = time_html(*expires),
                );
            }
            if tasks.len() > MAX_TASKS {
                let _ = write!(running, "<li>… {} more</li>", tasks.len() - MAX_TASKS);
            }
            running.push_str("</ul>");
        } else {
            let _ = write!(running, "{}", w.tasks_running);
        }
        let classes = if w.classes.is_empty() {
            "all".to_string()
        } else {
            escape(&w.classes.join(", "))
        };
        let _ = write!(
            h,
            "<tr id=\"worker-{name}\"><td>{name}</td><td>{host}</td><td>{version}</td><td>{classes}</td><td><span class=\"state state-{state_class}\">{state}</span></td><td>{age} ago</td><td class=\"num\">{conc}</td><td>{running}</td><td class=\"num\">{done}</td><td class=\"num\">{failed}</td></tr>",
            name = escape(&w.name),
            host = escape(&w.host),
            version = escape(&w.version),
            state = escape(&w.state),
            age = duration_text(now.saturating_sub(w.last_seen_ms)),
            conc = w.concurrency,
            done = w.tasks_done,
            failed = w.tasks_failed,
        );
    }
    h.push_str("</tbody></table>");
    if list.len() > MAX_ROWS {
        let _ = write!(
            h,
            "<p class=\"muted\">… and {} more (see <code>dspy-agent workers</code>)</p>",
            list.len() - MAX_ROWS
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_row_links_its_tasks_with_their_lease_expiry() {
        let w = WorkerInfo {
            name: "w<1>".into(),
            state: "connected".into(),
            last_seen_ms: 1_000,
            tasks_running: 1,
            ..Default::default()
        };
        let holding = BTreeMap::from([("w<1>".to_string(), vec![("t1".to_string(), 31_000)])]);
        let mut h = String::new();
        render(&mut h, &[w], &holding, 1_000);
        assert!(h.contains("id=\"worker-w&lt;1&gt;\""), "{h}");
        assert!(h.contains("<a href=\"/ui/tasks/t1\">t1</a>"), "{h}");
        assert!(h.contains("lease expires in 30.0s"), "{h}");
    }
}
