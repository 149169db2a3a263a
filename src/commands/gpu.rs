//! `dspy-agent gpu [--json] [--watch [S]] [--require]`: the machine's NVIDIA GPUs (NVML, or the
//! simulated inventory named by DSPY_AGENT_GPU_INVENTORY) and the processes on each, naming the
//! dspy-agent task or service that owns a process when it is ours.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::GpuArgs;
use crate::commands::Ctx;
use crate::error::{Code, ExitStatus, Result};
use crate::gpu::{self, Inventory};
use crate::runtime::Runtime;

/// Shortest --watch interval.
const MIN_WATCH: f64 = 0.1;

pub async fn run(ctx: &Ctx, args: GpuArgs) -> Result<ExitStatus> {
    let settings = ctx.settings()?;
    let p = &ctx.printer;
    let stream = p.json || !std::io::stdout().is_terminal();
    let mut services = ServiceNames::new(&settings.docker_host.value);
    let mut said_why = false;
    loop {
        let mut inv = gpu::inventory()?;
        services.fill(&mut inv).await;
        if inv.gpus.is_empty() {
            if args.require {
                return Ok(p.failed(
                    Code::Runtime,
                    format!("no GPU (--require): {}", inv.why_none()),
                ));
            }
            if !said_why {
                p.warn(format!("no GPU: {}", inv.why_none()));
                said_why = true;
            }
        }
        match args.watch {
            None if p.json => p.json_document(&inv)?,
            None => print_tables(ctx, &inv)?,
            Some(_) if stream => p.json_line(&serde_json::json!({
                "schema_version": crate::output::JSON_SCHEMA_VERSION,
                "timestamp_ms": crate::server::clock::now_ms(),
                "source": inv.source,
                "driver_version": inv.driver_version,
                "cuda_version": inv.cuda_version,
                "gpus": inv.gpus,
                "reason": inv.reason,
            }))?,
            Some(_) => {
                // Redraw in place: home the cursor and clear the screen.
                p.line("\x1b[H\x1b[2J")?;
                print_tables(ctx, &inv)?;
            }
        }
        let Some(every) = args.watch else {
            return Ok(ExitStatus::Success);
        };
        tokio::time::sleep(Duration::from_secs_f64(every.max(MIN_WATCH))).await;
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    v.map_or("-".into(), |v| format!("{v}{unit}"))
}

fn print_tables(ctx: &Ctx, inv: &Inventory) -> Result<()> {
    let p = &ctx.printer;
    if inv.gpus.is_empty() {
        return Ok(());
    }
    let rows = inv
        .gpus
        .iter()
        .map(|g| {
            vec![
                g.index.to_string(),
                g.name.clone(),
                g.uuid.clone(),
                format!("{}/{} MiB", g.memory_used_mb, g.memory_total_mb),
                opt(g.utilization_gpu_pct, "%"),
                opt(g.temperature_c, "C"),
                match (g.power_draw_w, g.power_limit_w) {
                    (Some(d), Some(l)) => format!("{d:.0}/{l:.0} W"),
                    (Some(d), None) => format!("{d:.0} W"),
                    _ => "-".into(),
                },
            ]
        })
        .collect();
    p.table(
        &["gpu", "name", "uuid", "memory", "util", "temp", "power"],
        rows,
    )?;
    let procs: Vec<Vec<String>> = inv
        .gpus
        .iter()
        .flat_map(|g| g.processes.iter().map(move |pr| (g.index, pr)))
        .map(|(index, pr)| {
            let owner = match (&pr.task_id, &pr.service) {
                (Some(t), _) => format!("task {t}"),
                (None, Some(s)) => format!("service {s}"),
                (None, None) => "-".into(),
            };
            vec![
                index.to_string(),
                pr.pid.to_string(),
                opt(pr.used_memory_mb, " MiB"),
                owner,
            ]
        })
        .collect();
    p.line("")?;
    if procs.is_empty() {
        p.line("no processes on the GPUs")?;
        return Ok(());
    }
    p.table(&["gpu", "pid", "memory", "owner"], procs)
}

/// Names the dspy-agent service of processes that run in one of our containers. Docker is
/// asked only when such a process exists; an engine that does not answer names nothing.
struct ServiceNames {
    docker_host: String,
    runtime: Option<Runtime>,
    known: HashMap<String, Option<String>>,
}

impl ServiceNames {
    fn new(docker_host: &str) -> Self {
        ServiceNames {
            docker_host: docker_host.to_string(),
            runtime: None,
            known: HashMap::new(),
        }
    }

    async fn fill(&mut self, inv: &mut Inventory) {
        for g in &mut inv.gpus {
            for pr in &mut g.processes {
                let Some(cid) = pr.container_id.clone().filter(|_| pr.task_id.is_none()) else {
                    continue;
                };
                if !self.known.contains_key(&cid) {
                    let name = self.lookup(&cid).await;
                    self.known.insert(cid.clone(), name);
                }
                pr.service = self.known.get(&cid).cloned().flatten();
            }
        }
    }

    async fn lookup(&mut self, cid: &str) -> Option<String> {
        if self.runtime.is_none() {
            let rt =
                tokio::time::timeout(Duration::from_secs(2), Runtime::connect(&self.docker_host))
                    .await;
            self.runtime = rt.ok().and_then(|r| r.ok());
        }
        let rt = self.runtime.as_ref()?;
        let info = tokio::time::timeout(Duration::from_secs(2), rt.inspect(cid))
            .await
            .ok()?
            .ok()??;
        (!info.service.is_empty()).then(|| format!("{}/{}", info.project, info.service))
    }
}
