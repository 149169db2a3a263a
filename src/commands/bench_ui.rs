//! `dspy-agent bench --ui TASKS`: the dashboard's page times with TASKS tasks stored. A private
//! server gets the tasks (SubmitTasks, 1,000 a call); a pull worker fails 1 in 10 and completes
//! 1 in 10 of them so the list has every state; then each page is fetched `samples` times over
//! one keep-alive HTTP/1.1 connection on loopback. The times are end to end (request written
//! to body read), so they bound the server's render time from above. The workflow pages are
//! timed on a run with a 10,000-item map (`bench_ui_runs`). Last, on the same server, durable
//! submissions/s with and without live dashboards (`bench_ui_live`).

use std::collections::HashMap;
use std::time::Instant;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::cli::BenchArgs;
use crate::commands::Ctx;
use crate::commands::bench::{Variant, percentile, start_server};
use crate::commands::client;
use crate::error::{Error, ExitStatus, Result};
use crate::proto::orchestrator as pb;
use crate::state::StateFile;

/// One GET on a keep-alive connection: the status and the body's length.
pub(crate) async fn get(
    conn: &mut BufReader<TcpStream>,
    host: &str,
    token: &str,
    path: &str,
) -> Result<(u16, usize)> {
    get_with(conn, host, token, path, "").await
}

/// `get` with extra header lines (each ending in CRLF).
pub(crate) async fn get_with(
    conn: &mut BufReader<TcpStream>,
    host: &str,
    token: &str,
    path: &str,
    extra: &str,
) -> Result<(u16, usize)> {
    let io = |e: std::io::Error| Error::runtime(format!("bench HTTP request failed: {e}"));
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nConnection: keep-alive\r\n{extra}\r\n"
    );
    conn.get_mut().write_all(req.as_bytes()).await.map_err(io)?;
    let mut status = 0u16;
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        if conn.read_line(&mut line).await.map_err(io)? == 0 {
            return Err(Error::runtime("the server closed the connection"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(rest) = l.strip_prefix("HTTP/1.1 ") {
            status = rest.split(' ').next().unwrap_or("0").parse().unwrap_or(0);
        } else if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).await.map_err(io)?;
    Ok((status, length))
}

pub async fn run(ctx: &Ctx, tasks: usize, args: &BenchArgs) -> Result<ExitStatus> {
    let samples = args.samples.min(1000);
    let (server, addr) = start_server(Variant::default(), "ui", &[]).await?;
    let fail = |s: tonic::Status| Error::runtime(format!("bench request failed: {s}"));
    let mut c = client::connect_to(&server.home, &addr).await?;
    let started = Instant::now();
    let data: HashMap<String, String> = HashMap::from([("data".into(), "\"value\"".into())]);
    for chunk in (0..tasks).collect::<Vec<_>>().chunks(1000) {
        let batch = chunk
            .iter()
            .map(|i| pb::SubmitTaskRequest {
                task_id: format!("ui-{i:06}"),
                payload: data.clone(),
                class: if i % 3 == 0 { "cpu_long" } else { "cpu_short" }.into(),
                max_attempts: 1,
                ..Default::default()
            })
            .collect();
        c.submit_tasks(pb::SubmitTasksRequest { tasks: batch })
            .await
            .map_err(fail)?;
    }
    // A worker finishes a fifth of them: half failed (with a two-line error), half completed.
    let finish = tasks / 5;
    let mut done = 0;
    while done < finish {
        let leased = c
            .lease_tasks(pb::LeaseTasksRequest {
                worker_id: "bench".into(),
                max: 1000.min((finish - done) as u32),
                lease_seconds: 600.0,
                ..Default::default()
            })
            .await
            .map_err(fail)?
            .into_inner()
            .tasks;
        if leased.is_empty() {
            break;
        }
        for t in leased {
            let success = done % 2 == 0;
            c.complete_task(pb::CompleteTaskRequest {
                task_id: t.task_id,
                lease_id: t.lease_id,
                success,
                error: if success {
                    String::new()
                } else {
                    format!("Traceback (most recent call last):\nValueError: item {done} is bad")
                },
                ..Default::default()
            })
            .await
            .map_err(fail)?;
            done += 1;
        }
    }
    ctx.printer.progress(format!(
        "{tasks} tasks stored ({done} finished) in {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    let wf_started = Instant::now();
    let run_pages = crate::commands::bench_ui_runs::prepare(&mut c).await?;
    ctx.printer.progress(format!(
        "a workflow run with a {}-item map started and mostly finished in {:.1}s",
        crate::commands::bench_ui_runs::ITEMS,
        wf_started.elapsed().as_secs_f64()
    ));
    let http_addr = StateFile::new(&server.home)
        .read()
        .ok()
        .and_then(|s| s.serve)
        .map(|s| s.http_addr)
        .ok_or_else(|| Error::runtime("the bench server recorded no HTTP address"))?;
    let token = crate::server::auth::tokens::read_default(&server.home)
        .ok_or_else(|| Error::runtime("the bench server has no token"))?;
    let stream = TcpStream::connect(&http_addr)
        .await
        .map_err(|e| Error::runtime(format!("cannot connect to {http_addr}: {e}")))?;
    stream.set_nodelay(true).ok();
    let mut conn = BufReader::new(stream);
    let mut pages = vec![
        ("overview", "/ui/".to_string()),
        ("tasks (failures first, page 1)", "/ui/tasks".to_string()),
        (
            "tasks (status=queued, page 100)",
            "/ui/tasks?status=queued&page=100".to_string(),
        ),
        ("tasks (text search)", "/ui/tasks?q=bad".to_string()),
        ("task detail", "/ui/tasks/ui-000001".to_string()),
    ];
    pages.extend(run_pages);
    let mut report = serde_json::Map::new();
    for (name, path) in &pages {
        for _ in 0..5 {
            get(&mut conn, &http_addr, &token, path).await?;
        }
        let mut times = Vec::with_capacity(samples);
        let mut bytes = 0;
        for _ in 0..samples.max(1) {
            let t = Instant::now();
            let (status, len) = get(&mut conn, &http_addr, &token, path).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if status != 200 {
                return Err(Error::runtime(format!("{path} answered {status}")));
            }
            bytes = len;
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let doc = json!({
            "path": path,
            "p50_ms": percentile(&times, 0.50),
            "p95_ms": percentile(&times, 0.95),
            "p99_ms": percentile(&times, 0.99),
            "max_ms": times.last().copied().unwrap_or(0.0),
            "samples": times.len(),
            "bytes": bytes,
        });
        ctx.printer.progress(format!(
            "{name}: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms ({bytes} bytes)",
            doc["p50_ms"].as_f64().unwrap_or(0.0),
            doc["p95_ms"].as_f64().unwrap_or(0.0),
            doc["p99_ms"].as_f64().unwrap_or(0.0),
        ));
        report.insert(name.to_string(), doc);
    }
    let mut clients = Vec::new();
    for _ in 0..crate::commands::bench::CONNECTIONS {
        clients.push(client::connect_to(&server.home, &addr).await?);
    }
    let live = crate::commands::bench_ui_live::compare(
        &clients,
        &http_addr,
        &token,
        args.submissions,
        args.concurrency,
        |line| ctx.printer.progress(line),
    )
    .await?;
    ctx.printer.json_document(json!({
        "tasks": tasks,
        "finished": done,
        "pages": report,
        "live_dashboards": live,
    }))?;
    Ok(ExitStatus::Success)
}
