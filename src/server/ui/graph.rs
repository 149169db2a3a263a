//! A run's steps drawn as SVG from the server-side layout (`layout`): one box per step,
//! coloured by status through CSS classes (the CSP allows no inline style), labelled with the
//! step's name and status. A map step is one box with its items' counts per status, wrapped
//! in a link to its items table; a plain step links to its task.

use std::fmt::Write;

use super::layout::{self, NODE_W};
use crate::server::html::{escape, url_encode};
use crate::server::workflow::pages::{RunSnapshot, StepSnapshot};
use crate::server::workflow::run::Counts;

/// Height of a plain step's box and of a map's (one more line: the counts).
const PLAIN_H: f64 = 42.0;
const MAP_H: f64 = 60.0;
/// Characters of a name that fit in a box.
const NAME_CHARS: usize = 21;

/// A map's counts as short text parts: (CSS class, text), only the non-zero ones, in the
/// order done, failed, running, waiting, cancelled (`812 ✔ 3 ✘ 185 …`).
pub fn count_parts(c: &Counts) -> Vec<(&'static str, String)> {
    [
        ("n-completed", c.completed, "✔"),
        ("n-failed", c.failed, "✘"),
        ("n-running", c.running, "▶"),
        ("n-pending", c.pending, "…"),
        ("n-cancelled", c.cancelled, "⊘"),
    ]
    .into_iter()
    .filter(|(_, n, _)| *n > 0)
    .map(|(class, n, sign)| (class, format!("{n} {sign}")))
    .collect()
}

/// The counts as HTML (for tables): the same parts as spans.
pub fn counts_html(c: &Counts) -> String {
    let parts: Vec<String> = count_parts(c)
        .into_iter()
        .map(|(class, text)| format!("<span class=\"{class}\">{text}</span>"))
        .collect();
    if parts.is_empty() {
        "0 items".into()
    } else {
        format!("<span class=\"counts\">{}</span>", parts.join(" "))
    }
}

fn short(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        name.to_string()
    } else {
        let head: String = name.chars().take(NAME_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// Points as an SVG path: curves between layers, straight runs through the layers an edge
/// crosses (its odd segments come out of a dummy's two points).
fn path_d(points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(24 * points.len());
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0:.0},{y0:.0}");
    for (i, w) in points.windows(2).enumerate() {
        let ((px, py), (cx, cy)) = (w[0], w[1]);
        if i % 2 == 0 {
            let mx = (px + cx) / 2.0;
            let _ = write!(d, " C{mx:.0},{py:.0} {mx:.0},{cy:.0} {cx:.0},{cy:.0}");
        } else {
            let _ = write!(d, " L{cx:.0},{cy:.0}");
        }
    }
    d
}

fn node(h: &mut String, run_id: &str, s: &StepSnapshot, place: &layout::Place) {
    let status = s.status.as_str();
    let (open, close) = if s.is_map {
        (
            format!(
                "<a href=\"/ui/runs/{}/steps/{}\">",
                url_encode(run_id),
                url_encode(&s.id)
            ),
            "</a>",
        )
    } else if !s.task_id.is_empty() {
        (
            format!("<a href=\"/ui/tasks/{}\">", url_encode(&s.task_id)),
            "</a>",
        )
    } else {
        (String::new(), "")
    };
    let _ = write!(
        h,
        "{open}<g class=\"node{map} state-{status}\" data-step=\"{id}\" transform=\"translate({x:.0},{y:.0})\">\
<title>{id}: {status}</title><rect width=\"{w:.0}\" height=\"{hh:.0}\" rx=\"6\"></rect>\
<text x=\"10\" y=\"17\" class=\"name\">{name}</text><text x=\"10\" y=\"33\" class=\"status\">{status}</text>",
        map = if s.is_map { " map" } else { "" },
        id = escape(&s.id),
        x = place.x,
        y = place.y,
        w = NODE_W,
        hh = place.h,
        name = escape(&short(&s.id)),
    );
    if s.is_map {
        h.push_str("<text x=\"10\" y=\"50\" class=\"counts\">");
        let parts = count_parts(&s.counts);
        if parts.is_empty() {
            h.push_str("<tspan>0 items</tspan>");
        }
        for (i, (class, text)) in parts.into_iter().enumerate() {
            let sep = if i > 0 { " " } else { "" };
            let _ = write!(h, "<tspan class=\"{class}\">{sep}{text}</tspan>");
        }
        h.push_str("</text>");
    }
    h.push_str("</g>");
    h.push_str(close);
}

/// The run's graph as an `<svg>` element.
pub fn svg(h: &mut String, run: &RunSnapshot) {
    let deps: Vec<Vec<usize>> = run.steps.iter().map(|s| s.deps.clone()).collect();
    let heights: Vec<f64> = run
        .steps
        .iter()
        .map(|s| if s.is_map { MAP_H } else { PLAIN_H })
        .collect();
    let l = layout::layout(&deps, &heights);
    let _ = write!(
        h,
        "<svg class=\"graph\" id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {hh:.0}\" width=\"{w:.0}\" height=\"{hh:.0}\" role=\"img\" aria-label=\"the steps of run {id} and their dependencies\">\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"></path></marker></defs><g class=\"edges\">",
        w = l.width,
        hh = l.height,
        id = escape(&run.id),
    );
    for e in &l.edges {
        let _ = write!(
            h,
            "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"{}\" marker-end=\"url(#arrow)\"></path>",
            escape(&run.steps[e.from].id),
            escape(&run.steps[e.to].id),
            path_d(&e.points)
        );
    }
    h.push_str("</g><g class=\"nodes\">");
    for (s, place) in run.steps.iter().zip(&l.nodes) {
        node(h, &run.id, s, place);
    }
    h.push_str("</g></svg>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::workflow::run::Status;

    fn step(id: &str, deps: Vec<usize>, is_map: bool, status: Status) -> StepSnapshot {
        StepSnapshot {
            id: id.into(),
            deps,
            is_map,
            class: "cpu_short".into(),
            status,
            attempt: 1,
            max_attempts: 1,
            counts: Counts {
                total: 1000,
                pending: 185,
                running: 0,
                completed: 812,
                failed: 3,
                cancelled: 0,
            },
            error: String::new(),
            started_at_ms: 0,
            finished_at_ms: 0,
            task_id: format!("wf:{id}"),
        }
    }

    #[test]
    fn a_map_is_one_linked_node_with_its_counts() {
        let run = RunSnapshot {
            id: "r1".into(),
            workflow: "w".into(),
            version: "v".into(),
            status: Status::Running,
            attempt: 1,
            created_at_ms: 0,
            finished_at_ms: 0,
            error: String::new(),
            steps: vec![
                step("prep<x>", vec![], false, Status::Completed),
                step("infer", vec![0], true, Status::Running),
                step("score", vec![1], false, Status::Pending),
            ],
        };
        let mut h = String::new();
        svg(&mut h, &run);
        assert!(h.contains("<a href=\"/ui/runs/r1/steps/infer\"><g class=\"node map state-running\" data-step=\"infer\""), "{h}");
        assert!(h.contains("812 ✔</tspan>"), "{h}");
        assert!(
            h.contains(" 3 ✘</tspan>") && h.contains(" 185 …</tspan>"),
            "{h}"
        );
        assert_eq!(h.matches("<g class=\"node ").count(), 3);
        assert_eq!(h.matches("class=\"edge\"").count(), 2);
        assert!(h.contains("prep&lt;x&gt;") && !h.contains("prep<x>"));
        assert!(!h.contains("style"), "{h}");
    }

    #[test]
    fn paths_curve_between_layers_and_run_straight_through_them() {
        assert_eq!(path_d(&[(0.0, 0.0), (10.0, 20.0)]), "M0,0 C5,0 5,20 10,20");
        assert_eq!(
            path_d(&[(0.0, 0.0), (10.0, 20.0), (30.0, 20.0), (40.0, 0.0)]),
            "M0,0 C5,0 5,20 10,20 L30,20 C35,20 35,0 40,0"
        );
        assert_eq!(short(&"x".repeat(30)).chars().count(), NAME_CHARS);
    }
}
