//! `dspy-agent bench --slurm N`: N no-op gpu_slurm tasks through a private server, then the same
//! N no-op jobs through a naive client (one sbatch each, then one squeue per live job per
//! second), on the same cluster in the same run. Reports the time until all are done, the
//! commands each made, and slurmctld's job-info RPC count (sdiag) for each.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::commands::Ctx;
use crate::commands::bench::{Variant, start_server};
use crate::commands::client;
use crate::error::{Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;
use crate::slurm::{Command, Config, sdiag_job_info_rpcs};

/// Submissions in flight for the server's run.
const IN_FLIGHT: usize = 32;

/// The server's run: N tasks submitted with IN_FLIGHT in flight, until all completed.
async fn through_server(ctx: &Ctx, n: usize, poll_s: f64) -> Result<serde_json::Value> {
    // From before the server starts: its first poll (looking for jobs to adopt) counts too.
    let rpcs_before = sdiag_job_info_rpcs();
    let home_slurm =
        std::env::temp_dir().join(format!("dspy-agent-bench-slurm-{}", std::process::id()));
    let (server, addr) = start_server(
        Variant::default(),
        "slurm",
        &[
            ("DSPY_AGENT_SLURM_POLL_INTERVAL_S", poll_s.to_string()),
            ("DSPY_AGENT_SLURM_WORKDIR", home_slurm.display().to_string()),
        ],
    )
    .await?;
    let fail = |s: tonic::Status| Error::runtime(format!("bench request failed: {s}"));
    let mut one = client::connect_to(&server.home, &addr).await?;
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for _ in 0..IN_FLIGHT {
        let mut c = one.clone();
        let next = next.clone();
        set.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    return Ok::<(), tonic::Status>(());
                }
                c.submit_task(pb::SubmitTaskRequest {
                    task_id: format!("noop-{i}"),
                    payload: HashMap::from([("command".into(), "[\"true\"]".into())]),
                    class: "gpu_slurm".into(),
                    timeout_seconds: 600.0,
                    max_attempts: 1,
                    ..Default::default()
                })
                .await?;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(|e| Error::runtime(format!("bench worker failed: {e}")))?
            .map_err(fail)?;
    }
    let submitted_s = started.elapsed().as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(600);
    let (done, failed) = loop {
        let count = |status: &str| {
            let mut c = one.clone();
            let status = status.to_string();
            async move {
                c.list_tasks(pb::ListTasksRequest {
                    status,
                    class: String::new(),
                    limit: 1,
                })
                .await
                .map(|r| r.into_inner().total)
            }
        };
        let done = count("completed").await.map_err(fail)?;
        let failed = count("failed").await.map_err(fail)?;
        if done + failed >= n as u64 || Instant::now() > deadline {
            break (done, failed);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let all_s = started.elapsed().as_secs_f64();
    let rpcs = sdiag_job_info_rpcs().saturating_sub(rpcs_before);
    let metrics = one
        .get_metrics(pb::GetMetricsRequest {
            metric_names: vec!["slurm_commands_total".into()],
        })
        .await
        .map_err(fail)?
        .into_inner()
        .metrics;
    let commands: BTreeMap<String, u64> = metrics
        .iter()
        .filter_map(|m| Some((m.labels.get("command")?.clone(), m.value as u64)))
        .collect();
    drop(server);
    let _ = std::fs::remove_dir_all(&home_slurm);
    ctx.printer.progress(format!(
        "dspy-agent: {done} of {n} completed ({failed} failed) in {all_s:.1}s; commands {commands:?}; slurmctld job-info RPCs {rpcs}"
    ));
    Ok(json!({
        "completed": done,
        "failed": failed,
        "submitted_s": submitted_s,
        "all_done_s": all_s,
        "commands": commands,
        "slurmctld_job_info_rpcs": rpcs,
        "poll_interval_s": poll_s,
    }))
}

/// The naive client: sbatch per job in a loop, then squeue per live job every second.
async fn naive(ctx: &Ctx, n: usize) -> Result<serde_json::Value> {
    let slurm = Config::default();
    let fail = |e: crate::slurm::SlurmError| Error::runtime(e.message().to_string());
    let name = format!("naive-bench-{}", std::process::id());
    let rpcs_before = sdiag_job_info_rpcs();
    let started = Instant::now();
    let mut calls: BTreeMap<&str, u64> = [Command::Sbatch, Command::Squeue, Command::Sacct]
        .iter()
        .map(|c| (c.as_str(), 0))
        .collect();
    let args: Vec<String> = vec![
        "--parsable".to_string(),
        format!("--job-name={name}"),
        "--output=/dev/null".into(),
        "--time=10".into(),
        "--wrap=true".into(),
    ];
    let mut live: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        *calls.entry(Command::Sbatch.as_str()).or_default() += 1;
        let answer = slurm.run(Command::Sbatch, &args).await.map_err(fail)?;
        live.push(
            answer
                .stdout
                .trim()
                .split(';')
                .next()
                .unwrap_or_default()
                .to_string(),
        );
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    while !live.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let mut still = Vec::new();
        for id in live {
            *calls.entry(Command::Squeue.as_str()).or_default() += 1;
            let ask = ["-h", "-t", "PD,R,CG", "-o", "%T", "-j", &id].map(str::to_string);
            let gone = slurm
                .run(Command::Squeue, &ask)
                .await
                .is_ok_and(|a| a.stdout.trim().is_empty());
            if !gone {
                still.push(id);
            }
        }
        live = still;
    }
    let all_s = started.elapsed().as_secs_f64();
    let rpcs = sdiag_job_info_rpcs().saturating_sub(rpcs_before);
    if !live.is_empty() {
        let _ = slurm.scancel(&[format!("--name={name}")]).await;
    }
    ctx.printer.progress(format!(
        "naive: {n} jobs done in {all_s:.1}s; commands {calls:?}; slurmctld job-info RPCs {rpcs}"
    ));
    Ok(json!({
        "all_done_s": all_s,
        "unfinished": live.len(),
        "commands": calls,
        "slurmctld_job_info_rpcs": rpcs,
    }))
}

pub async fn run(ctx: &Ctx, n: usize, poll_s: f64) -> Result<ExitStatus> {
    Config::default()
        .resolve(Command::Sbatch)
        .map_err(|e| Error::runtime(e.message().to_string()))?;
    let ours = through_server(ctx, n, poll_s).await?;
    let naive = naive(ctx, n).await?;
    let doc = json!({"jobs": n, "dspy_agent": ours, "naive": naive});
    if ctx.printer.json {
        ctx.printer.json_document(doc)?;
    } else {
        ctx.printer
            .line(serde_json::to_string_pretty(&doc).unwrap_or_default())?;
    }
    Ok(ExitStatus::Success)
}
