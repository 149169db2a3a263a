//! EnvManagerService over gRPC. Every RPC calls the lifecycle functions the CLI uses
//! (`Stack::up`, `Stack::down`, `Stack::status`, `Stack::logs`) and the runtime module; there is
//! no second implementation.

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::{ReceiverStream, UnboundedReceiverStream};
use tonic::{Request, Response, Status};

use crate::error::{Code, Error};
use crate::lifecycle::{
    DownOptions, Event as LifecycleEvent, EventSink, LogOptions, ServiceStatus, Stack, UpOptions,
    services_to_start,
};
use crate::proto::env_manager as pb;
use crate::proto::env_manager::env_manager_service_server::EnvManagerService;
use crate::server::clock::now_ms;
use crate::server::context::ServerCtx;
use crate::server::stream_cap;

/// The most bytes of messages a StreamLogs without `follow` reads into memory (its lines are
/// sorted across services before any is sent); past it the stream ends with an error asking
/// for a shorter tail.
const STREAM_LOGS_MAX_BYTES: usize = 256 << 20;

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub struct EnvManager {
    pub ctx: Arc<ServerCtx>,
}

fn status_of(e: impl Into<Error>) -> Status {
    let e = e.into();
    match e.code {
        Code::Usage => Status::invalid_argument(e.message),
        Code::EngineUnreachable => Status::unavailable(e.message),
        Code::Unhealthy => Status::deadline_exceeded(e.message),
        _ => Status::internal(e.message),
    }
}

fn progress_of(e: &LifecycleEvent) -> pb::ServiceProgress {
    let json = serde_json::to_string(e).unwrap_or_default();
    match e {
        LifecycleEvent::Pull {
            service, status, ..
        } => pb::ServiceProgress {
            r#type: "pull".into(),
            service: service.clone(),
            status: "pulling".into(),
            message: status.clone(),
            json,
        },
        LifecycleEvent::Service {
            service,
            status,
            message,
        } => pb::ServiceProgress {
            r#type: "service".into(),
            service: service.clone(),
            status: serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            message: message.clone().unwrap_or_default(),
            json,
        },
        LifecycleEvent::PortRemapped {
            service,
            requested,
            actual,
            ..
        } => pb::ServiceProgress {
            r#type: "port_remapped".into(),
            service: service.clone(),
            status: String::new(),
            message: format!("host port {requested} was busy; using {actual}"),
            json,
        },
        LifecycleEvent::Build { service, line, .. } => pb::ServiceProgress {
            r#type: "build".into(),
            service: service.clone(),
            status: "building".into(),
            message: line.clone(),
            json,
        },
        LifecycleEvent::Warning { service, message } => pb::ServiceProgress {
            r#type: "warning".into(),
            service: service.clone().unwrap_or_default(),
            status: String::new(),
            message: message.clone(),
            json,
        },
    }
}

/// `up` with its progress forwarded to a stream; the last message is `done`.
fn start_stream(stack: Arc<Stack>, opts: UpOptions) -> BoxStream<pb::ServiceProgress> {
    report_stream(move |sink| async move { stack.up(opts, sink).await })
}

/// The progress of a lifecycle operation (`up`, `restart`) as it runs, then its report.
fn report_stream<F, Fut>(run: F) -> BoxStream<pb::ServiceProgress>
where
    F: FnOnce(EventSink) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = crate::error::Result<crate::lifecycle::UpReport>> + Send,
{
    // Unbounded: `up` emits a bounded number of events per service and layer.
    let (tx, rx) = mpsc::unbounded_channel();
    let sink_tx = tx.clone();
    let sink: EventSink = Arc::new(move |e: LifecycleEvent| {
        let _ = sink_tx.send(Ok(progress_of(&e)));
    });
    tokio::spawn(async move {
        let done = match run(sink).await {
            Ok(report) => pb::ServiceProgress {
                r#type: "done".into(),
                service: String::new(),
                status: if report.ok { "ok" } else { "failed" }.into(),
                message: report
                    .failed
                    .as_ref()
                    .map(|f| format!("{}: {}", f.service, f.reason))
                    .unwrap_or_default(),
                json: serde_json::to_string(&report).unwrap_or_default(),
            },
            Err(e) => {
                let _ = tx.send(Err(status_of(e)));
                return;
            }
        };
        let _ = tx.send(Ok(done));
    });
    Box::pin(UnboundedReceiverStream::new(rx))
}

async fn with_stats(stack: &Stack, rows: Vec<ServiceStatus>) -> Vec<pb::ServiceStatus> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let stats = if r.state == "running" {
            stack.runtime.stats(&r.container_id).await.ok()
        } else {
            None
        };
        out.push(pb::ServiceStatus {
            name: r.service,
            state: r.state,
            health: r.health,
            container_id: r.container_id,
            image: r.image,
            ports: r
                .ports
                .iter()
                .map(|p| pb::Port {
                    container_port: p.container_port.into(),
                    host_ip: p.host_ip.clone(),
                    host_port: p.host_port.into(),
                })
                .collect(),
            started_at: r.started_at.unwrap_or_default(),
            cpu_percent: stats.map_or(0.0, |s| s.cpu_percent),
            memory_bytes: stats.map_or(0, |s| s.memory_bytes),
            memory_limit_bytes: stats.map_or(0, |s| s.memory_limit_bytes),
        });
    }
    out
}

#[tonic::async_trait]
impl EnvManagerService for EnvManager {
    type StartServicesStream = BoxStream<pb::ServiceProgress>;

    async fn start_services(
        &self,
        request: Request<pb::StartServicesRequest>,
    ) -> Result<Response<Self::StartServicesStream>, Status> {
        let r = request.into_inner();
        // As `up` does: unknown names and cycles are refused before Docker is contacted.
        let settings = &self.ctx.settings;
        let catalog = crate::catalog::resolve(settings).map_err(status_of)?;
        let services = services_to_start(settings, &catalog, r.services).map_err(status_of)?;
        let stack = Arc::new(Stack::connect(settings, catalog).await.map_err(status_of)?);
        let opts = UpOptions {
            services,
            pull: !r.no_pull,
            recreate: r.recreate,
            build: false,
            // Bounded: the lifecycle turns it into a Duration.
            wait_timeout: (r.wait_timeout_seconds > 0.0)
                .then_some(r.wait_timeout_seconds.min(24.0 * 3600.0)),
        };
        Ok(Response::new(start_stream(stack, opts)))
    }

    async fn stop_services(
        &self,
        request: Request<pb::StopServicesRequest>,
    ) -> Result<Response<pb::StopServicesResponse>, Status> {
        let r = request.into_inner();
        let stack = self.ctx.stack().await.map_err(status_of)?;
        let requested = r.services.clone();
        let report = stack
            .down(
                DownOptions {
                    services: r.services,
                    volumes: r.volumes,
                    timeout_s: if r.timeout_seconds == 0 {
                        10
                    } else {
                        r.timeout_seconds
                    },
                },
                Arc::new(|_| {}),
            )
            .await
            .map_err(status_of)?;
        let mut results: Vec<pb::StopResult> = report
            .removed
            .iter()
            .map(|rm| pb::StopResult {
                service: rm.service.clone(),
                container_id: rm.container_id.clone(),
                removed: true,
                message: format!("removed in {} ms", rm.duration_ms),
            })
            .collect();
        // Asked for, but had no container: say so rather than claim a removal.
        for s in requested {
            if !results.iter().any(|x| x.service == s) {
                results.push(pb::StopResult {
                    service: s,
                    container_id: String::new(),
                    removed: false,
                    message: "not running".into(),
                });
            }
        }
        Ok(Response::new(pb::StopServicesResponse {
            results,
            network_removed: report.network_removed,
            volumes_removed: report.volumes_removed,
        }))
    }

    type RestartServiceStream = BoxStream<pb::ServiceProgress>;

    async fn restart_service(
        &self,
        request: Request<pb::RestartServiceRequest>,
    ) -> Result<Response<Self::RestartServiceStream>, Status> {
        let name = request.into_inner().service;
        let stack = self.ctx.stack().await.map_err(status_of)?;
        if !stack.catalog.services.contains_key(&name) {
            return Err(Status::invalid_argument(format!(
                "unknown service `{name}`"
            )));
        }
        // The same function as `dspy-agent restart`: dependants follow, health-gated.
        Ok(Response::new(report_stream(move |sink| async move {
            stack.restart(vec![name], 10, sink).await
        })))
    }

    async fn get_services_status(
        &self,
        _request: Request<pb::GetServicesStatusRequest>,
    ) -> Result<Response<pb::GetServicesStatusResponse>, Status> {
        let stack = self.ctx.stack().await.map_err(status_of)?;
        let rows = stack.status().await.map_err(status_of)?;
        Ok(Response::new(pb::GetServicesStatusResponse {
            services: with_stats(&stack, rows).await,
        }))
    }

    type StreamHealthStream = BoxStream<pb::HealthUpdate>;

    async fn stream_health(
        &self,
        request: Request<pb::StreamHealthRequest>,
    ) -> Result<Response<Self::StreamHealthStream>, Status> {
        let place = self.ctx.streams.admit()?;
        let interval = match request.into_inner().interval_ms {
            0 => 2000,
            n => n.clamp(100, 600_000),
        };
        let ctx = self.ctx.clone();
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            loop {
                let update = match ctx.stack().await {
                    Ok(stack) => match stack.status().await {
                        Ok(rows) => pb::HealthUpdate {
                            timestamp_ms: now_ms(),
                            services: with_stats(&stack, rows).await,
                            error: String::new(),
                        },
                        Err(e) => pb::HealthUpdate {
                            timestamp_ms: now_ms(),
                            services: vec![],
                            error: e.message,
                        },
                    },
                    Err(e) => pb::HealthUpdate {
                        timestamp_ms: now_ms(),
                        services: vec![],
                        error: e.message,
                    },
                };
                if tx.send(Ok(update)).await.is_err() {
                    return;
                }
                // Stop probing as soon as the client goes away.
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(interval.into())) => {}
                    _ = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(stream_cap::hold(
            place,
            ReceiverStream::new(rx),
        )))
    }

    type PullImagesStream = BoxStream<pb::PullProgress>;

    async fn pull_images(
        &self,
        request: Request<pb::PullImagesRequest>,
    ) -> Result<Response<Self::PullImagesStream>, Status> {
        let r = request.into_inner();
        let stack = self.ctx.stack().await.map_err(status_of)?;
        let images = stack
            .images_to_pull(&self.ctx.settings, r.services)
            .map_err(status_of)?;
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            for (service, image) in images {
                let ptx = tx.clone();
                let (s2, i2) = (service.clone(), image.clone());
                let result = stack
                    .pull_image(&service, &image, move |p| {
                        // Progress is advisory: a slow client skips some, never the last one.
                        let _ = ptx.try_send(Ok(pb::PullProgress {
                            service: s2.clone(),
                            image: i2.clone(),
                            layer: p.layer.unwrap_or_default(),
                            status: p.status,
                            current: p.current.unwrap_or(0),
                            total: p.total.unwrap_or(0),
                            done: false,
                            error: String::new(),
                        }));
                    })
                    .await;
                let last = pb::PullProgress {
                    service,
                    image,
                    layer: String::new(),
                    status: if result.is_ok() { "pulled" } else { "failed" }.into(),
                    current: 0,
                    total: 0,
                    done: true,
                    error: result.err().map(|e| e.message).unwrap_or_default(),
                };
                if tx.send(Ok(last)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    type StreamLogsStream = BoxStream<pb::LogLine>;

    async fn stream_logs(
        &self,
        request: Request<pb::StreamLogsRequest>,
    ) -> Result<Response<Self::StreamLogsStream>, Status> {
        let place = self.ctx.streams.admit()?;
        let r = request.into_inner();
        let stack = self.ctx.stack().await.map_err(status_of)?;
        let lines = stack
            .logs(LogOptions {
                services: r.services,
                follow: r.follow,
                tail: (r.tail > 0).then_some(r.tail),
                since: (r.since > 0).then_some(r.since),
                max_bytes: Some(STREAM_LOGS_MAX_BYTES),
            })
            .await
            .map_err(status_of)?;
        // Dropping the response (the client left) drops `lines`, which stops the readers. An
        // error ends the response with its status.
        let stream = ReceiverStream::new(lines).map(|item| match item {
            Ok(l) => Ok(pb::LogLine {
                service: l.service,
                stream: l.line.stream.into(),
                timestamp: l.line.timestamp,
                message: l.line.message,
            }),
            Err(e) => Err(status_of(e)),
        });
        Ok(Response::new(stream_cap::hold(place, stream)))
    }

    async fn get_resource_availability(
        &self,
        _request: Request<pb::GetResourceAvailabilityRequest>,
    ) -> Result<Response<pb::ResourceAvailability>, Status> {
        let cpu_cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem = |key: &str| -> u64 {
            meminfo
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
                .map_or(0, |kb| kb * 1024)
        };
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
            .unwrap_or(0.0);
        let gpus = gpu_list(&self.ctx.sched);
        let (engine_cpus, engine_memory_bytes) =
            match tokio::time::timeout(Duration::from_secs(3), async {
                let rt = crate::runtime::Runtime::connect_to(&crate::lifecycle::engine(
                    &self.ctx.settings,
                ))
                .await?;
                rt.engine_resources().await
            })
            .await
            {
                Ok(Ok(v)) => v,
                _ => (0, 0),
            };
        Ok(Response::new(pb::ResourceAvailability {
            cpu_cores,
            load_average_1m: load,
            memory_total_bytes: mem("MemTotal:"),
            memory_available_bytes: mem("MemAvailable:"),
            gpus,
            engine_cpus,
            engine_memory_bytes,
        }))
    }
}

/// The machine's GPUs as the scheduler sees them (inventory and allocation).
fn gpu_list(sched: &crate::server::scheduler::Scheduler) -> Vec<pb::Gpu> {
    const MIB: u64 = 1024 * 1024;
    sched
        .gpu_gauges()
        .0
        .into_iter()
        .map(|g| pb::Gpu {
            index: g.index,
            name: g.name,
            uuid: g.uuid,
            memory_total_bytes: g.memory_total_mb * MIB,
            memory_used_bytes: g.memory_used_mb * MIB,
            utilization_percent: g.utilization_pct,
            allocated: g.allocated,
            quarantined: g.quarantined,
            task_id: g.task_id.unwrap_or_default(),
        })
        .collect()
}
