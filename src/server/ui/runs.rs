//! One workflow run's page: status, the graph (SVG laid out here, `graph` + `layout`; a run
//! with more than `GRAPH_MAX` steps shows its table unless `?draw=1`), the steps table, and
//! for a viewer who may act the Retry-failed and Cancel forms. `POST /ui/runs/{id}/retry` and
//! `/cancel` call the same engine functions as `RetryWorkflowRun` / `CancelWorkflowRun` (and
//! `workflow retry` / `workflow cancel`). The page reads the engine's kept counts, never the
//! items, so a 10,000-item map costs what a 10-item one does.

use std::fmt::Write;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{
    Ctx, Viewer, csrf_refusal, duration_text, error_page, form_fields, last_line, page, time_html,
    url_decode_pairs,
};
use crate::server::clock::now_ms;
use crate::server::html::{escape, url_encode};
use crate::server::scheduler::Scheduler;
use crate::server::task::{ErrorKind, SchedError};
use crate::server::workflow::pages::{RunSnapshot, StepSnapshot};
use crate::server::workflow::run::Status;

/// Steps past which the graph is shown as a table unless asked (`?draw=1`).
pub const GRAPH_MAX: usize = 300;

/// The HTTP status for an engine error.
pub fn status_of(e: &SchedError) -> StatusCode {
    match e.kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidArgument => StatusCode::BAD_REQUEST,
        ErrorKind::FailedPrecondition | ErrorKind::AlreadyExists => StatusCode::CONFLICT,
        ErrorKind::Draining | ErrorKind::ResourceExhausted => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A run id as the API takes it (1-48 of A-Z a-z 0-9 _ -), or the 400 page's message.
pub fn check_run_id(id: &str) -> Result<(), String> {
    crate::server::workflow::spec::check_name("run id", id)
}

/// GET /ui/runs/{run_id}.
pub async fn handler(
    State(ctx): Ctx,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Response {
    let live_refresh = headers.contains_key(super::stream::LIVE_REFRESH);
    if let Err(e) = check_run_id(&id) {
        return error_page(&viewer, StatusCode::BAD_REQUEST, &e);
    }
    let draw = url_decode_pairs(query.as_deref().unwrap_or(""))
        .iter()
        .any(|(k, v)| k == "draw" && v == "1");
    match render(&ctx.workflows, &ctx.sched, &viewer, &id, draw, live_refresh) {
        Ok(h) => page(&viewer, &format!("Run {id}"), &h),
        Err(e) => error_page(&viewer, status_of(&e), &e.message),
    }
}

/// The run page's HTML (without the layout). `draw`: draw a graph over `GRAPH_MAX` steps too;
/// `live_refresh`: the page's script fetches it for its live parts only.
pub fn render(
    engine: &crate::server::workflow::Engine,
    sched: &Scheduler,
    viewer: &Viewer,
    id: &str,
    draw: bool,
    live_refresh: bool,
) -> Result<String, SchedError> {
    let run = engine.run_snapshot(id)?;
    let mut h = String::with_capacity(16 * 1024 + run.steps.len() * 900);
    let _ = write!(
        h,
        "<div id=\"live\" data-stream=\"/ui/stream?topics=run:{}\" hidden></div><h1>Run {}</h1>",
        url_encode(&run.id),
        escape(&run.id)
    );
    head(&mut h, viewer, &run);
    let big = run.steps.len() > GRAPH_MAX;
    if big && draw {
        // Drawn on request, once: not a live part, since laying out thousands of steps again
        // at every change would keep a core busy (the steps table below stays live).
        h.push_str("<div id=\"graph-box\">");
    } else {
        h.push_str("<div data-live=\"graph\" id=\"graph-box\">");
    }
    if big && draw && live_refresh {
        h.push_str("<p class=\"muted\">(drawn once; reload to draw again)</p>");
    } else if big && !draw {
        let _ = write!(
            h,
            "<p class=\"muted\" id=\"graph-skipped\">{} steps are more than the {GRAPH_MAX} drawn by default: they are listed below. <a href=\"/ui/runs/{}?draw=1\" id=\"draw-anyway\">Draw anyway</a></p>",
            run.steps.len(),
            url_encode(&run.id)
        );
    } else {
        h.push_str("<div class=\"graph-scroll\">");
        super::graph::svg(&mut h, &run);
        h.push_str("</div>");
    }
    h.push_str("</div><h2>Steps</h2>");
    steps_table(&mut h, sched, &run);
    Ok(h)
}

fn head(h: &mut String, viewer: &Viewer, run: &RunSnapshot) {
    let status = run.status.as_str();
    let _ = write!(
        h,
        "<div data-live=\"run-head\" id=\"run-head\"><p>workflow <a href=\"/ui/workflows?workflow={wf_url}\">{wf}</a> (version {ver}), \
status <span class=\"state state-{status}\" id=\"status\">{status}</span>, attempt {attempt}, started {created}, finished {finished}</p>",
        wf_url = url_encode(&run.workflow),
        wf = escape(&run.workflow),
        ver = escape(&run.version.chars().take(12).collect::<String>()),
        attempt = run.attempt,
        created = time_html(run.created_at_ms),
        finished = time_html(run.finished_at_ms),
    );
    if !run.error.is_empty() {
        let _ = write!(
            h,
            "<p class=\"error\" id=\"run-error\">{}</p>",
            escape(&run.error)
        );
    }
    if viewer.may_act() {
        let id_url = url_encode(&run.id);
        let mut forms = String::new();
        if matches!(run.status, Status::Failed | Status::Cancelled) {
            let _ = write!(
                forms,
                "<form method=\"post\" action=\"/ui/runs/{id_url}/retry\" data-confirm=\"Run the failed items and steps of this run again?\">{}<button type=\"submit\" class=\"primary\" data-action=\"retry-failed\">Retry failed</button></form>",
                viewer.csrf_field()
            );
        }
        if !run.status.is_terminal() {
            let _ = write!(
                forms,
                "<form method=\"post\" action=\"/ui/runs/{id_url}/cancel\" data-confirm=\"Cancel this run?\">{}<button type=\"submit\" class=\"danger\" data-action=\"cancel-run\">Cancel run</button></form>",
                viewer.csrf_field()
            );
        }
        if !forms.is_empty() {
            let _ = write!(h, "<div class=\"actions\">{forms}</div>");
        }
    }
    h.push_str("</div>");
}

fn took(s: &StepSnapshot, now: u64) -> String {
    match (s.started_at_ms, s.finished_at_ms) {
        (0, _) => "—".into(),
        (a, 0) => duration_text(now.saturating_sub(a)),
        (a, b) => duration_text(b.saturating_sub(a)),
    }
}

fn steps_table(h: &mut String, sched: &Scheduler, run: &RunSnapshot) {
    let now = now_ms();
    h.push_str("<div data-live=\"steps\"><table id=\"steps\"><thead><tr><th>step</th><th>after</th><th>status</th><th>attempt</th><th>took</th><th>items / task</th><th>error</th></tr></thead><tbody>");
    for s in &run.steps {
        let after: Vec<String> = s
            .deps
            .iter()
            .filter_map(|&d| run.steps.get(d))
            .map(|d| escape(&d.id))
            .collect();
        // A plain step's task knows its attempts (n/max); a map's items each have their own,
        // so a map shows how many times the step itself ran.
        let step_runs = if s.attempt == 0 {
            "—".to_string()
        } else {
            format!("step ×{}", s.attempt)
        };
        let (attempts, work) = if s.is_map {
            (
                step_runs,
                format!(
                    "<a href=\"/ui/runs/{}/steps/{}\">{} items</a> {}",
                    url_encode(&run.id),
                    url_encode(&s.id),
                    s.counts.total,
                    super::graph::counts_html(&s.counts)
                ),
            )
        } else if s.task_id.is_empty() {
            (step_runs, "—".into())
        } else {
            let tries = sched
                .get(&s.task_id)
                .map(|t| format!("{}/{}", t.attempt, t.max_attempts))
                .unwrap_or(step_runs);
            (
                tries,
                format!(
                    "<a href=\"/ui/tasks/{}\">{}</a>",
                    url_encode(&s.task_id),
                    escape(&s.task_id)
                ),
            )
        };
        let _ = write!(
            h,
            "<tr data-step=\"{id}\"><td>{id}</td><td>{after}</td><td class=\"state state-{st}\">{st}</td><td>{attempts}</td><td>{took}</td><td>{work}</td><td><div class=\"errline\">{err}</div></td></tr>",
            id = escape(&s.id),
            after = after.join(", "),
            st = s.status.as_str(),
            took = took(s, now),
            err = escape(last_line(&s.error)),
        );
    }
    h.push_str("</tbody></table></div>");
}

/// Back to the run's page after a form (same origin: the Strict cookie goes along).
fn back_to(id: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/ui/runs/{}", url_encode(id))) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// What a run form does.
#[derive(Clone, Copy)]
enum Act {
    Retry,
    Cancel,
}

async fn act(
    ctx: Ctx,
    viewer: Viewer,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    what: Act,
) -> Response {
    if let Some(why) = csrf_refusal(&viewer, &headers, &form_fields(&body)) {
        return error_page(&viewer, StatusCode::FORBIDDEN, why);
    }
    if !viewer.may_act() {
        return error_page(
            &viewer,
            StatusCode::FORBIDDEN,
            "this session's role may not change workflow runs",
        );
    }
    if let Err(e) = check_run_id(&id) {
        return error_page(&viewer, StatusCode::BAD_REQUEST, &e);
    }
    let done = match what {
        Act::Retry => ctx.workflows.retry_run(&id, None, Default::default()).await,
        Act::Cancel => ctx.workflows.cancel_run(&id).await,
    };
    match done {
        Ok(_) => back_to(&id),
        Err(e) => error_page(&viewer, status_of(&e), &e.message),
    }
}

/// POST /ui/runs/{run_id}/retry: run the failed items (and what they hold back) again.
pub async fn retry(
    State(ctx): Ctx,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(State(ctx), viewer, id, headers, body, Act::Retry).await
}

/// POST /ui/runs/{run_id}/cancel.
pub async fn cancel(
    State(ctx): Ctx,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    act(State(ctx), viewer, id, headers, body, Act::Cancel).await
}
