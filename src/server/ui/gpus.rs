//! The GPUs page: the scheduler's inventory (NVML, or the simulated one named by
//! `DSPY_AGENT_GPU_INVENTORY`, as `dspy-agent gpu` reads it) with the `gpu` table's columns,
//! the task holding each device (from the scheduler's allocation, linked), and the processes
//! on each. No GPU: the inventory's reason. Each row is `id="gpu-{uuid}"`; live on the
//! `gpus` topic.

use std::fmt::Write;

use axum::extract::State;
use axum::response::Response;

use super::{Ctx, Viewer, page};
use crate::gpu::Inventory;
use crate::server::gpus::GpuGauge;
use crate::server::html::{escape, url_encode};

/// GET /ui/gpus.
pub async fn handler(State(ctx): Ctx, viewer: Viewer) -> Response {
    let inv = ctx.sched.gpu_inventory();
    let (gauges, waited_s) = ctx.sched.gpu_gauges();
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<h1>GPUs</h1>");
    h.push_str("<div id=\"live\" data-stream=\"/ui/stream?topics=gpus\" hidden></div>");
    h.push_str("<div data-live=\"gpus\">");
    render(&mut h, &inv, &gauges, waited_s);
    h.push_str("</div>");
    page(&viewer, "GPUs", &h)
}

fn task_link(id: &str) -> String {
    format!(
        "<a href=\"/ui/tasks/{}\">{}</a>",
        url_encode(id),
        escape(id)
    )
}

fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    v.map_or("—".into(), |v| format!("{v}{unit}"))
}

/// The page's live part (also what a test or benchmark can render alone).
pub fn render(h: &mut String, inv: &Inventory, gauges: &[GpuGauge], waited_s: f64) {
    let versions: Vec<String> = [("driver", &inv.driver_version), ("CUDA", &inv.cuda_version)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {}", escape(v))))
        .collect();
    let _ = write!(
        h,
        "<p class=\"muted\">source {}{}{}</p>",
        escape(&inv.source),
        if versions.is_empty() { "" } else { ", " },
        versions.join(", ")
    );
    if inv.gpus.is_empty() {
        let _ = write!(
            h,
            "<p class=\"muted\" id=\"no-gpus\">No GPU: {}</p>",
            escape(&inv.why_none())
        );
        return;
    }
    if waited_s > 0.0 {
        let _ = write!(
            h,
            "<p class=\"blocked\">A task has waited {waited_s:.0}s for a free GPU.</p>"
        );
    }
    h.push_str("<table id=\"gpus\"><thead><tr><th class=\"num\">gpu</th><th>name</th><th>uuid</th><th class=\"num\">memory used / total</th><th class=\"num\">util</th><th class=\"num\">temp</th><th class=\"num\">power</th><th>held by</th></tr></thead><tbody>");
    for g in &inv.gpus {
        let gauge = gauges.iter().find(|x| x.uuid == g.uuid);
        let held = match gauge {
            Some(x) if x.quarantined => format!(
                "<span class=\"error\">quarantined</span> (task {})",
                x.task_id.as_deref().map(task_link).unwrap_or_default()
            ),
            Some(GpuGauge {
                task_id: Some(t), ..
            }) => format!("task {}", task_link(t)),
            Some(x) if x.allocated => "allocated".into(),
            _ => "<span class=\"muted\">free</span>".into(),
        };
        let power = match (g.power_draw_w, g.power_limit_w) {
            (Some(d), Some(l)) => format!("{d:.0}/{l:.0} W"),
            (Some(d), None) => format!("{d:.0} W"),
            _ => "—".into(),
        };
        let _ = write!(
            h,
            "<tr id=\"gpu-{uuid}\"><td class=\"num\">{index}</td><td>{name}</td><td><code>{uuid}</code></td><td class=\"num\">{used} / {total} MiB</td><td class=\"num\">{util}</td><td class=\"num\">{temp}</td><td class=\"num\">{power}</td><td>{held}</td></tr>",
            uuid = escape(&g.uuid),
            index = g.index,
            name = escape(&g.name),
            used = g.memory_used_mb,
            total = g.memory_total_mb,
            util = opt(g.utilization_gpu_pct, "%"),
            temp = opt(g.temperature_c, " °C"),
        );
    }
    h.push_str("</tbody></table>");
    h.push_str("<h2>Processes</h2>");
    let procs: Vec<_> = inv
        .gpus
        .iter()
        .flat_map(|g| g.processes.iter().map(move |p| (g.index, p)))
        .collect();
    if procs.is_empty() {
        h.push_str("<p class=\"muted\">No process on the GPUs.</p>");
        return;
    }
    h.push_str("<table id=\"gpu-processes\"><thead><tr><th class=\"num\">gpu</th><th class=\"num\">pid</th><th class=\"num\">memory</th><th>owner</th></tr></thead><tbody>");
    for (index, p) in procs.iter().take(500) {
        let owner = match (&p.task_id, &p.container_id) {
            (Some(t), _) => format!("task {}", task_link(t)),
            (None, Some(c)) => format!("container {}", escape(c.get(..12).unwrap_or(c))),
            (None, None) => "—".into(),
        };
        let _ = write!(
            h,
            "<tr><td class=\"num\">{index}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{owner}</td></tr>",
            p.pid,
            opt(p.used_memory_mb, " MiB"),
        );
    }
    h.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::Gpu;

    #[test]
    fn rows_carry_their_uuid_and_holder_and_no_gpu_says_why() {
        let inv = Inventory {
            source: "simulated".into(),
            gpus: vec![Gpu {
                uuid: "GPU-<x>".into(),
                memory_total_mb: 100,
                ..Default::default()
            }],
            ..Default::default()
        };
        let gauges = vec![GpuGauge {
            uuid: "GPU-<x>".into(),
            allocated: true,
            task_id: Some("t 1".into()),
            ..Default::default()
        }];
        let mut h = String::new();
        render(&mut h, &inv, &gauges, 0.0);
        assert!(h.contains("id=\"gpu-GPU-&lt;x&gt;\""), "{h}");
        assert!(h.contains("<a href=\"/ui/tasks/t%201\">t 1</a>"), "{h}");
        let mut h = String::new();
        let none = Inventory {
            source: "nvml".into(),
            reason: Some("libnvidia-ml.so.1 not found".into()),
            ..Default::default()
        };
        render(&mut h, &none, &[], 0.0);
        assert!(h.contains("No GPU: libnvidia-ml.so.1 not found"), "{h}");
    }
}
