//! One task's page: its fields, the attempt timeline (from the retained events), payload
//! (while the task is unfinished, or failed or cancelled: kept for a retry; a completed one's is
//! dropped), result fields, stdout and stderr tails, links to where it ran (worker, GPUs, its
//! workflow run; container and Slurm job as text), and the Cancel and Retry forms for a viewer
//! whose role may act. `POST /ui/tasks/{id}/cancel` and `/retry` run the same `Scheduler::cancel`
//! and `Scheduler::retry` as gRPC and HTTP, with the same ownership rule. The page follows the
//! `tasks` topic of the event stream (`stream`) and refreshes its live part.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Ctx, Viewer, csrf_refusal, duration_text, error_page, form_fields, page, time_html};
use crate::server::clock::now_ms;
use crate::server::html::{escape, url_encode};
use crate::server::task::{ErrorKind, Task, TaskState};
use crate::server::view::TaskView;

/// Result fields shown in their own boxes rather than the table.
const TAILS: [&str; 2] = ["stdout_tail", "stderr_tail"];

/// GET /ui/tasks/{id}.
pub async fn handler(State(ctx): Ctx, viewer: Viewer, Path(id): Path<String>) -> Response {
    // The event sequence before the data: a change after it reaches the page's stream.
    let live = super::stream::live_controls(&ctx.sched.events, "tasks");
    let task = match ctx.sched.get(&id) {
        Ok(t) => t,
        Err(e) => {
            let status = if e.kind == ErrorKind::NotFound {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            return error_page(&viewer, status, &e.message);
        }
    };
    let payload = ctx.sched.payload(&id);
    let timeline = ctx.sched.events.of_task(&id);
    let blocked = ctx.sched.why(&id).ok().flatten().map(|r| r.message);
    let mut h = String::with_capacity(16 * 1024);
    let found = Found {
        task: &task,
        payload: payload.as_deref(),
        timeline: &timeline,
        blocked,
        project: &ctx.sched.project,
    };
    h.push_str(&live);
    h.push_str("<div data-live=\"task\">");
    render(&mut h, &viewer, found);
    h.push_str("</div>");
    page(&viewer, &format!("Task {id}"), &h)
}

fn field(h: &mut String, name: &str, value_html: &str) {
    let _ = write!(h, "<dt>{name}</dt><dd>{value_html}</dd>");
}

/// What the page shows of one task.
struct Found<'a> {
    task: &'a Task,
    payload: Option<&'a str>,
    timeline: &'a [std::sync::Arc<crate::server::events::Event>],
    /// What holds it back, while it waits (the scheduler's `blocked_reason` message).
    blocked: Option<String>,
    /// The project, part of a task container's name.
    project: &'a str,
}

fn render(h: &mut String, viewer: &Viewer, found: Found<'_>) {
    let Found {
        task,
        payload,
        timeline,
        blocked,
        project,
    } = found;
    let v = TaskView::from(task);
    let _ = write!(
        h,
        "<h1>Task {}</h1><p>status <span class=\"state state-{s}\" id=\"status\">{s}</span>, attempt {}/{}</p>",
        escape(&v.task_id),
        v.attempt,
        v.max_attempts,
        s = escape(&v.status),
    );
    let run = workflow_run(&task.id);
    if viewer.may_act() && !task.state.is_terminal() {
        let _ = write!(
            h,
            "<div class=\"actions\"><form method=\"post\" action=\"/ui/tasks/{}/cancel\" data-confirm=\"Cancel this task?\">{}<button type=\"submit\" class=\"danger\" data-action=\"cancel\">Cancel</button></form></div>",
            url_encode(&v.task_id),
            viewer.csrf_field()
        );
    }
    if let (Some(run), true) = (run, viewer.may_act() && task.state == TaskState::Failed) {
        let _ = write!(
            h,
            "<p class=\"muted\">A workflow's task is retried with its run: <a href=\"/ui/runs/{}\">run {}</a>.</p>",
            url_encode(run),
            escape(run)
        );
    }
    if viewer.may_act() && crate::server::scheduler::retryable(task) {
        let _ = write!(
            h,
            "<div class=\"actions\"><form method=\"post\" action=\"/ui/tasks/{}/retry\">{}<button type=\"submit\" data-action=\"retry\">Retry</button></form> <span class=\"muted\">queues it again as attempt {}/{} with its original payload</span></div>",
            url_encode(&v.task_id),
            viewer.csrf_field(),
            task.attempt.saturating_add(1),
            task.max_attempts_after_retry()
        );
    }
    h.push_str("<dl class=\"fields\">");
    field(
        h,
        "class",
        &format!(
            "<a href=\"/ui/tasks?class={}\">{}</a>",
            url_encode(&v.class),
            escape(&v.class)
        ),
    );
    field(h, "priority", &v.priority.to_string());
    field(h, "executor", &escape(&v.executor));
    field(h, "submitted", &time_html(v.submitted_at_ms));
    field(h, "started", &time_html(v.started_at_ms));
    field(h, "finished", &time_html(v.finished_at_ms));
    if v.started_at_ms > 0 {
        let end = if v.finished_at_ms > 0 {
            v.finished_at_ms
        } else {
            now_ms()
        };
        field(
            h,
            "took",
            &duration_text(end.saturating_sub(v.started_at_ms)),
        );
    }
    if let Some(by) = &task.submitted_by {
        field(h, "submitted by", &escape(by));
    }
    if let Some(run) = run {
        field(
            h,
            "workflow run",
            &format!(
                "<a href=\"/ui/runs/{}\" id=\"run-link\">{}</a>",
                url_encode(run),
                escape(run)
            ),
        );
    }
    if let Some(w) = worker(task, timeline) {
        field(
            h,
            "worker",
            &format!(
                "<a href=\"/ui/workers#worker-{}\" id=\"worker-link\">{}</a>",
                url_encode(&w),
                escape(&w)
            ),
        );
    }
    if v.gpus > 0 || !v.gpu_uuids.is_empty() {
        let given: Vec<String> = v
            .gpu_uuids
            .iter()
            .map(|u| {
                format!(
                    "<a href=\"/ui/gpus#gpu-{}\" class=\"gpu-link\">{}</a>",
                    url_encode(u),
                    escape(u)
                )
            })
            .collect();
        let given = if given.is_empty() {
            "none yet".to_string()
        } else {
            given.join(", ")
        };
        field(h, "GPUs", &format!("{} asked; given {given}", v.gpus));
    }
    if let Some(id) = v.result.get("container_id") {
        // A task's container is its own (`<project>-task-...`), never a service's.
        field(
            h,
            "container",
            &format!(
                "<code>{}</code> (id {})",
                escape(&crate::server::executor::container_name(
                    project,
                    &task.id,
                    task.attempt
                )),
                escape(id)
            ),
        );
    }
    if let Some(job) = &v.slurm {
        let text: Vec<String> = job
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        field(h, "Slurm job", &escape(&text.join(", ")));
    }
    if let Some(why) = blocked {
        field(
            h,
            "waiting for",
            &format!("<span class=\"blocked\">{}</span>", escape(&why)),
        );
    }
    h.push_str("</dl>");
    if !v.error.is_empty() {
        let _ = write!(
            h,
            "<h2>Error</h2><pre id=\"error\">{}</pre>",
            escape(&v.error)
        );
    }
    timeline_table(h, timeline);
    h.push_str("<h2>Payload</h2>");
    match payload {
        Some(p) => {
            let pretty = serde_json::from_str::<serde_json::Value>(p)
                .ok()
                .and_then(|j| serde_json::to_string_pretty(&j).ok())
                .unwrap_or_else(|| p.to_string());
            let _ = write!(h, "<pre id=\"payload\">{}</pre>", escape(&pretty));
        }
        None => {
            let _ = write!(
                h,
                "<p class=\"muted\">Not kept: the scheduler drops a completed task's payload (sha256 {}).</p>",
                escape(&task.payload_hash)
            );
        }
    }
    let fields: Vec<_> = v
        .result
        .iter()
        .filter(|(k, _)| !TAILS.contains(&k.as_str()))
        .collect();
    if !fields.is_empty() {
        h.push_str("<h2>Result</h2><table id=\"result\"><tbody>");
        for (k, val) in fields {
            let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(k), escape(val));
        }
        h.push_str("</tbody></table>");
    }
    for (key, title) in TAILS.iter().zip(["stdout (tail)", "stderr (tail)"]) {
        if let Some(text) = v.result.get(*key).filter(|t| !t.is_empty()) {
            let _ = write!(
                h,
                "<h2>{title}</h2><pre id=\"{key}\">{}</pre>",
                escape(text)
            );
        }
    }
}

/// The workflow run a workflow's task belongs to (`wf:RUN:step:item:gen`).
fn workflow_run(id: &str) -> Option<&str> {
    id.strip_prefix(crate::server::scheduler::WORKFLOW_TASK_PREFIX)?
        .split(':')
        .next()
        .filter(|r| !r.is_empty())
}

/// The pull worker running the task now, or the one of its last started attempt (a finished
/// task's record no longer names it; its `task_started` event does).
fn worker(
    task: &Task,
    timeline: &[std::sync::Arc<crate::server::events::Event>],
) -> Option<String> {
    if let Some(w) = &task.worker_id {
        return Some(w.clone());
    }
    timeline
        .iter()
        .rev()
        .find(|e| e.kind == crate::server::events::EventKind::TaskStarted)
        .and_then(|e| e.data.get("worker_id").cloned())
}

fn timeline_table(h: &mut String, events: &[std::sync::Arc<crate::server::events::Event>]) {
    h.push_str("<h2>Timeline</h2>");
    if events.is_empty() {
        h.push_str("<p class=\"muted\">No retained event for this task (the server keeps the last 10,000).</p>");
        return;
    }
    h.push_str("<table id=\"timeline\"><thead><tr><th>time</th><th>event</th><th>attempt</th><th>details</th></tr></thead><tbody>");
    let mut started = 0;
    for e in events {
        let mut details: Vec<String> = e
            .data
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "attempt" | "class"))
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        if e.kind == crate::server::events::EventKind::TaskStarted {
            started = e.timestamp_ms;
        } else if started > 0 && e.kind != crate::server::events::EventKind::TaskSubmitted {
            details.insert(
                0,
                format!(
                    "after {}",
                    duration_text(e.timestamp_ms.saturating_sub(started))
                ),
            );
            started = 0;
        }
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            time_html(e.timestamp_ms),
            e.kind.as_str(),
            escape(e.data.get("attempt").map_or("", String::as_str)),
            escape(&details.join("; ")),
        );
    }
    h.push_str("</tbody></table>");
}

/// POST /ui/tasks/{id}/cancel (a form with the CSRF token).
pub async fn cancel(
    State(ctx): Ctx,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(why) = csrf_refusal(&viewer, &headers, &form_fields(&body)) {
        return error_page(&viewer, StatusCode::FORBIDDEN, why);
    }
    if let Ok(t) = ctx.sched.get(&id)
        && !crate::server::auth::may_cancel(viewer.caller.as_ref(), t.submitted_by.as_deref())
    {
        return error_page(
            &viewer,
            StatusCode::FORBIDDEN,
            &format!(
                "task {id:?} was not submitted by this token; a submit token cancels only its own tasks"
            ),
        );
    }
    match ctx.sched.cancel(&id) {
        Ok(_) => back_to(&id),
        Err(e) if e.kind == ErrorKind::NotFound => {
            error_page(&viewer, StatusCode::NOT_FOUND, &e.message)
        }
        Err(e) => error_page(&viewer, StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    }
}

/// POST /ui/tasks/{id}/retry (a form with the CSRF token): `Scheduler::retry`, then back to the
/// task's page. A read session never gets here (the auth gate answers 403).
pub async fn retry(
    State(ctx): Ctx,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(why) = csrf_refusal(&viewer, &headers, &form_fields(&body)) {
        return error_page(&viewer, StatusCode::FORBIDDEN, why);
    }
    if let Ok(t) = ctx.sched.get(&id)
        && !crate::server::auth::may_cancel(viewer.caller.as_ref(), t.submitted_by.as_deref())
    {
        return error_page(
            &viewer,
            StatusCode::FORBIDDEN,
            &format!(
                "task {id:?} was not submitted by this token; a submit token retries only its own tasks"
            ),
        );
    }
    match ctx.sched.retry(&id).await {
        Ok(_) => back_to(&id),
        Err(e) => {
            let status = match e.kind {
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::FailedPrecondition => StatusCode::CONFLICT,
                ErrorKind::Draining => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            error_page(&viewer, status, &e.message)
        }
    }
}

/// 303 to the task's page (same origin: the Strict cookie goes along).
fn back_to(id: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/ui/tasks/{}", url_encode(id))) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
