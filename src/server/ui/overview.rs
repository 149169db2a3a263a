//! The overview page: tasks counted by state and class (each count links to the filtered
//! list), each class's queue (depth, running, cap, age of the oldest queued task), the pull
//! workers, the GPUs, the managed services and the event rate. The services come from the
//! health cache without waiting: a stale entry is refreshed in the background. The page
//! follows the event stream (`stream`) and refreshes its live part on each change; each
//! count by state carries `data-count="STATE"`.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::response::Response;

use super::{Ctx, Viewer, duration_text, page, time_html};
use crate::server::clock::now_ms;
use crate::server::context::ServerCtx;
use crate::server::html::{escape, url_encode};
use crate::server::task_query::STATES;
use crate::settings::TASK_CLASSES;

/// What the overview follows on the event stream: every part it shows.
const LIVE_TOPICS: &str = "tasks,services,workers,gpus";

/// How old the services' health may be before the page asks for a fresh probe.
const SERVICES_STALE: Duration = Duration::from_secs(5);

/// GET /ui/ (and /ui).
pub async fn handler(
    State(ctx): Ctx,
    Extension(live): Extension<Arc<super::stream::Registry>>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
) -> Response {
    // Live refreshes of many tabs after one change share one render (the body holds nothing
    // of the viewer's): the scheduler's lock is taken once, not once per tab.
    if headers.contains_key(super::stream::LIVE_REFRESH) {
        let body = live.shared_render(|| render(&ctx));
        return page(&viewer, "Overview", &body);
    }
    let body = render(&ctx);
    page(&viewer, "Overview", &body)
}

/// The overview's HTML (without the layout); also what the benchmark times.
pub fn render(ctx: &Arc<ServerCtx>) -> String {
    let sched = &ctx.sched;
    // The event sequence before the data: a change after it reaches the page's stream.
    let live = super::stream::live_controls(&sched.events, LIVE_TOPICS);
    let o = sched.overview();
    let gauges = sched.gauges();
    let now = now_ms();
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<h1>Overview</h1>");
    h.push_str(&live);
    h.push_str("<div data-live=\"overview\">");
    // Cards: totals by state.
    h.push_str("<div class=\"cards\">");
    let _ = write!(
        h,
        "<div class=\"card\"><div class=\"label\">tasks stored</div><div class=\"big\"><a href=\"/ui/tasks\">{}</a></div></div>",
        o.total
    );
    for state in STATES {
        let n: u64 = o
            .counts
            .iter()
            .filter(|((s, _), _)| *s == state.as_str())
            .map(|(_, n)| n)
            .sum();
        let _ = write!(
            h,
            "<div class=\"card\"><div class=\"label\">{s}</div><div class=\"big state-{s}\"><a href=\"/ui/tasks?status={s}\" class=\"state-{s}\" data-count=\"{s}\">{n}</a></div></div>",
            s = state.as_str()
        );
    }
    let (rate, emitted) = sched.events.rate(10_000);
    let _ = write!(
        h,
        "<div class=\"card\"><div class=\"label\">events / s (10 s)</div><div class=\"big\">{rate:.1}</div><div class=\"muted\">{emitted} since start</div></div>"
    );
    if sched.is_draining() {
        h.push_str("<div class=\"card\"><div class=\"label\">server</div><div class=\"big error\">draining</div></div>");
    }
    h.push_str("</div>");

    // Counts by state and class, and each class's queue.
    h.push_str("<h2>Tasks by class</h2><table><thead><tr><th>class</th>");
    for state in STATES {
        let _ = write!(h, "<th class=\"num\">{}</th>", state.as_str());
    }
    h.push_str("<th class=\"num\">running / cap</th><th>oldest queued</th></tr></thead><tbody>");
    for class in TASK_CLASSES {
        let _ = write!(
            h,
            "<tr><td><a href=\"/ui/tasks?class={c}\">{c}</a></td>",
            c = url_encode(class)
        );
        for state in STATES {
            let n = o
                .counts
                .get(&(state.as_str(), class.to_string()))
                .copied()
                .unwrap_or(0);
            let _ = write!(
                h,
                "<td class=\"num\"><a href=\"/ui/tasks?status={s}&amp;class={c}\" class=\"state-{s}\">{n}</a></td>",
                s = state.as_str(),
                c = url_encode(class)
            );
        }
        let (limit, inflight, _) = gauges.classes.get(class).copied().unwrap_or_default();
        let oldest = o
            .by_class
            .get(class)
            .and_then(|q| q.oldest_queued_ms)
            .map(|at| {
                format!(
                    "{} ago ({})",
                    duration_text(now.saturating_sub(at)),
                    time_html(at)
                )
            })
            .unwrap_or_else(|| "—".into());
        let _ = write!(
            h,
            "<td class=\"num\">{inflight} / {limit}</td><td>{oldest}</td></tr>"
        );
    }
    h.push_str("</tbody></table>");

    workers(&gauges.workers, &mut h, now);
    gpus(&gauges.gpus, &mut h);
    services(ctx, &mut h);
    h.push_str("</div>");
    h
}

fn workers(list: &[crate::proto::orchestrator::WorkerInfo], h: &mut String, now: u64) {
    let _ = write!(h, "<h2>Workers ({})</h2>", list.len());
    if list.is_empty() {
        h.push_str("<p class=\"muted\">No pull worker is registered.</p>");
        return;
    }
    h.push_str("<table><thead><tr><th>name</th><th>host</th><th>state</th><th>classes</th><th class=\"num\">running</th><th class=\"num\">done</th><th class=\"num\">failed</th><th>last seen</th></tr></thead><tbody>");
    for w in list.iter().take(200) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{} ago</td></tr>",
            escape(&w.name),
            escape(&w.host),
            escape(&w.state),
            escape(&w.classes.join(", ")),
            w.tasks_running,
            w.tasks_done,
            w.tasks_failed,
            duration_text(now.saturating_sub(w.last_seen_ms)),
        );
    }
    h.push_str("</tbody></table>");
}

fn gpus(gpus: &[crate::server::gpus::GpuGauge], h: &mut String) {
    let _ = write!(h, "<h2>GPUs ({})</h2>", gpus.len());
    if gpus.is_empty() {
        h.push_str("<p class=\"muted\">No GPU in this server's inventory.</p>");
        return;
    }
    h.push_str("<table><thead><tr><th class=\"num\">#</th><th>name</th><th class=\"num\">memory used / total MiB</th><th class=\"num\">util %</th><th>held by</th></tr></thead><tbody>");
    for g in gpus {
        let held = match (&g.task_id, g.quarantined) {
            (_, true) => "quarantined".to_string(),
            (Some(t), _) => format!("<a href=\"/ui/tasks/{}\">{}</a>", url_encode(t), escape(t)),
            (None, _) if g.allocated => "allocated".into(),
            (None, _) => "free".into(),
        };
        let _ = write!(
            h,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td><td>{held}</td></tr>",
            g.index,
            escape(&g.name),
            g.memory_used_mb,
            g.memory_total_mb,
            g.utilization_pct,
        );
    }
    h.push_str("</tbody></table>");
}

fn services(ctx: &Arc<ServerCtx>, h: &mut String) {
    h.push_str("<h2>Services</h2>");
    let peeked = ctx.health.peek();
    if peeked.as_ref().is_none_or(|(age, _)| *age > SERVICES_STALE) {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            ctx.services_health(SERVICES_STALE).await;
        });
    }
    let Some((age, probed)) = peeked else {
        h.push_str("<p class=\"muted\">Checking the services…</p>");
        return;
    };
    match &*probed {
        Err(e) => {
            let _ = write!(h, "<p class=\"error\">{}</p>", escape(e));
        }
        Ok(rows) if rows.is_empty() => {
            h.push_str("<p class=\"muted\">No managed service is running.</p>");
        }
        Ok(rows) => {
            let _ = write!(
                h,
                "<p class=\"muted\">as of {} ago</p><table><thead><tr><th>service</th><th>state</th><th>health</th><th>ports</th><th class=\"num\">restarts</th><th>started</th></tr></thead><tbody>",
                duration_text(u64::try_from(age.as_millis()).unwrap_or(u64::MAX))
            );
            for s in rows {
                let ports: Vec<String> = s
                    .ports
                    .iter()
                    .map(|p| format!("{}:{}→{}", p.host_ip, p.host_port, p.container_port))
                    .collect();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                    escape(&s.service),
                    escape(&s.state),
                    escape(&s.health),
                    escape(&ports.join(", ")),
                    s.restart_count,
                    escape(s.started_at.as_deref().unwrap_or("—")),
                );
            }
            h.push_str("</tbody></table>");
        }
    }
}
