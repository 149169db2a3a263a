//! OrchestratorService over gRPC: a thin mapping onto the scheduler's functions.

use std::collections::{BTreeMap, HashSet};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::proto::orchestrator as pb;
use crate::proto::orchestrator::orchestrator_service_server::OrchestratorService;
use crate::server::auth::{self, AuditIds, Caller};
use crate::server::clock::now_ms;
use crate::server::context::ServerCtx;
use crate::server::events::{Event, TypeFilter};
use crate::server::grpc_workflows;
use crate::server::scheduler::Scheduler;
use crate::server::stream_cap;
use crate::server::task::{SubmitRequest, TaskState};

/// Messages buffered per stream before its producer waits (or, for events, starts skipping).
const STREAM_BUFFER: usize = 256;

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub struct Orchestrator {
    pub ctx: Arc<ServerCtx>,
}

impl Orchestrator {
    fn sched(&self) -> &Arc<Scheduler> {
        &self.ctx.sched
    }
}

/// The token that made this call (the auth gate puts it in the request's extensions).
fn caller<T>(request: &Request<T>) -> Option<Caller> {
    request.extensions().get::<Caller>().cloned()
}

pub use crate::server::grpc_status::{draining, status_of};

fn event_pb(e: &Event) -> pb::Event {
    pb::Event {
        sequence: e.sequence,
        r#type: e.kind.as_str().into(),
        timestamp_ms: e.timestamp_ms,
        task_id: e.task_id.clone(),
        data: e.data.clone().into_iter().collect(),
    }
}

fn lease_duration(seconds: f64, default: f64) -> Duration {
    let s = if seconds > 0.0 && seconds.is_finite() {
        seconds
    } else {
        default
    };
    crate::server::clock::seconds(s.clamp(0.1, 24.0 * 3600.0))
}

/// A gRPC submission as the scheduler's request; refuses what the scheduler cannot read.
fn submit_request(
    r: pb::SubmitTaskRequest,
    submitted_by: Option<String>,
) -> Result<SubmitRequest, Status> {
    // 0 (proto3's "not set") means the class's default, as the CLI's --timeout 0 does.
    if !(r.timeout_seconds.is_finite() && r.timeout_seconds >= 0.0) {
        return Err(Status::invalid_argument(format!(
            "timeout_seconds is {}; expected a finite number of seconds, 0 or more (0: the class's default)",
            r.timeout_seconds
        )));
    }
    Ok(SubmitRequest {
        task_id: r.task_id,
        payload: r.payload.into_iter().collect(),
        payload_json: (!r.payload_json.is_empty()).then_some(r.payload_json),
        class: r.class,
        priority: r.priority,
        max_attempts: r.max_attempts,
        timeout_s: r.timeout_seconds,
        submitted_by,
        gpus: r.gpus.map(i64::from),
        gpu_memory_mb: r.gpu_memory_mb,
    })
}

#[tonic::async_trait]
impl OrchestratorService for Orchestrator {
    async fn submit_task(
        &self,
        request: Request<pb::SubmitTaskRequest>,
    ) -> Result<Response<pb::SubmitTaskResponse>, Status> {
        let submitted_by = caller(&request).map(|c| c.name);
        let audit = AuditIds::of(request.extensions());
        let req = submit_request(request.into_inner(), submitted_by)?;
        let (task, created) = self.sched().submit(req).await.map_err(status_of)?;
        audit.add([task.id.clone()]);
        Ok(Response::new(pb::SubmitTaskResponse {
            task_id: task.id.clone(),
            created,
            status: Some((&task).into()),
        }))
    }

    async fn submit_tasks(
        &self,
        request: Request<pb::SubmitTasksRequest>,
    ) -> Result<Response<pb::SubmitTasksResponse>, Status> {
        let submitted_by = caller(&request).map(|c| c.name);
        let audit = AuditIds::of(request.extensions());
        let tasks = request.into_inner().tasks;
        let max = self.sched().settings().max_batch_tasks.value;
        if tasks.len() as u64 > max {
            return Err(Status::invalid_argument(format!(
                "the batch has {} tasks; the limit is {max} (scheduler.max_batch_tasks)",
                tasks.len()
            )));
        }
        let ids: Vec<String> = tasks.iter().map(|t| t.task_id.clone()).collect();
        let reqs = tasks
            .into_iter()
            .map(|t| {
                submit_request(t, submitted_by.clone())
                    .map_err(|s| (s.code(), s.message().to_string()))
            })
            .collect();
        let outcomes = self
            .sched()
            .submit_batch(reqs, |e| {
                let s = status_of(e);
                (s.code(), s.message().to_string())
            })
            .await;
        let mut accepted = Vec::with_capacity(outcomes.len());
        let results = outcomes
            .into_iter()
            .zip(ids)
            .map(|(outcome, asked)| match outcome {
                Ok((id, created)) => {
                    accepted.push(id.clone());
                    pb::SubmitTaskOutcome {
                        task_id: id,
                        outcome: if created { "created" } else { "existing" }.into(),
                        ..Default::default()
                    }
                }
                Err((code, message)) => pb::SubmitTaskOutcome {
                    task_id: asked,
                    outcome: "error".into(),
                    error: message,
                    code: format!("{code:?}"),
                },
            })
            .collect();
        audit.add(accepted);
        Ok(Response::new(pb::SubmitTasksResponse { results }))
    }

    type StreamTaskResultsStream = BoxStream<pb::TaskResult>;

    async fn stream_task_results(
        &self,
        request: Request<pb::StreamTaskResultsRequest>,
    ) -> Result<Response<Self::StreamTaskResultsStream>, Status> {
        let place = self.ctx.streams.admit()?;
        let r = request.into_inner();
        let ids: HashSet<String> = r.task_ids.into_iter().collect();
        // Subscribe before reading finished tasks, so nothing falls between the two.
        let mut live = self.sched().events.subscribe_results();
        let open = self.sched().metrics.result_streams.enter();
        let replay = if r.include_completed {
            self.sched().finished_tasks(&ids)
        } else {
            vec![]
        };
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        tokio::spawn(async move {
            // Counted as open until this feed ends.
            let _open = open;
            let mut sent: HashSet<String> = HashSet::new();
            for t in replay {
                sent.insert(t.id.clone());
                if tx.send(Ok((&t).into())).await.is_err() {
                    return;
                }
            }
            loop {
                let event = tokio::select! {
                    e = live.recv() => e,
                    _ = tx.closed() => return,
                };
                match event {
                    Ok(e) => {
                        let Some(task) = e.task.as_ref().filter(|_| e.is_terminal()) else {
                            continue;
                        };
                        if !ids.is_empty() && !ids.contains(&task.id) {
                            continue;
                        }
                        if sent.contains(&task.id) {
                            continue;
                        }
                        if tx.send(Ok(task.as_ref().into())).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        let _ = tx
                            .send(Err(Status::resource_exhausted(format!(
                                "the stream fell {n} events behind; resubscribe with include_completed"
                            ))))
                            .await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        });
        Ok(Response::new(stream_cap::hold(
            place,
            ReceiverStream::new(rx),
        )))
    }

    async fn get_task_status(
        &self,
        request: Request<pb::GetTaskStatusRequest>,
    ) -> Result<Response<pb::TaskStatus>, Status> {
        let status = self
            .sched()
            .status(&request.into_inner().task_id)
            .map_err(status_of)?;
        Ok(Response::new(status))
    }

    async fn create_workflow(
        &self,
        request: Request<pb::CreateWorkflowRequest>,
    ) -> Result<Response<pb::CreateWorkflowResponse>, Status> {
        grpc_workflows::create(&self.ctx, request.into_inner()).await
    }

    async fn list_workflows(
        &self,
        _request: Request<pb::ListWorkflowsRequest>,
    ) -> Result<Response<pb::ListWorkflowsResponse>, Status> {
        grpc_workflows::list(&self.ctx)
    }

    async fn start_workflow_run(
        &self,
        request: Request<pb::StartWorkflowRunRequest>,
    ) -> Result<Response<pb::StartWorkflowRunResponse>, Status> {
        grpc_workflows::start(&self.ctx, request.into_inner()).await
    }

    type StreamWorkflowStatusStream = BoxStream<pb::WorkflowStatus>;

    async fn stream_workflow_status(
        &self,
        request: Request<pb::StreamWorkflowStatusRequest>,
    ) -> Result<Response<Self::StreamWorkflowStatusStream>, Status> {
        let place = self.ctx.streams.admit()?;
        let rx = grpc_workflows::stream(&self.ctx, request.into_inner())?;
        Ok(Response::new(stream_cap::hold(
            place,
            ReceiverStream::new(rx),
        )))
    }

    async fn get_workflow_run(
        &self,
        request: Request<pb::GetWorkflowRunRequest>,
    ) -> Result<Response<pb::WorkflowRun>, Status> {
        grpc_workflows::get(&self.ctx, request.into_inner())
    }

    async fn list_workflow_runs(
        &self,
        request: Request<pb::ListWorkflowRunsRequest>,
    ) -> Result<Response<pb::ListWorkflowRunsResponse>, Status> {
        grpc_workflows::list_runs(&self.ctx, request.into_inner())
    }

    async fn cancel_workflow_run(
        &self,
        request: Request<pb::CancelWorkflowRunRequest>,
    ) -> Result<Response<pb::WorkflowRun>, Status> {
        grpc_workflows::cancel(&self.ctx, request.into_inner()).await
    }

    async fn retry_workflow_run(
        &self,
        request: Request<pb::RetryWorkflowRunRequest>,
    ) -> Result<Response<pb::WorkflowRun>, Status> {
        grpc_workflows::retry(&self.ctx, request.into_inner()).await
    }

    async fn get_metrics(
        &self,
        request: Request<pb::GetMetricsRequest>,
    ) -> Result<Response<pb::GetMetricsResponse>, Status> {
        let names: HashSet<String> = request.into_inner().metric_names.into_iter().collect();
        let mut gauges = self.sched().gauges();
        gauges.store_write_errors = self.sched().store.write_errors();
        let mut metrics = Vec::new();
        for (family, samples) in self.sched().metrics.samples(&gauges) {
            for s in samples {
                if s.name.ends_with("_bucket") {
                    continue;
                }
                if !names.is_empty() && !names.contains(family.name) && !names.contains(&s.name) {
                    continue;
                }
                metrics.push(pb::Metric {
                    name: s.name,
                    labels: s.labels.into_iter().collect(),
                    value: s.value,
                });
            }
        }
        Ok(Response::new(pb::GetMetricsResponse {
            metrics,
            timestamp_ms: now_ms(),
        }))
    }

    type StreamEventsStream = BoxStream<pb::Event>;

    async fn stream_events(
        &self,
        request: Request<pb::StreamEventsRequest>,
    ) -> Result<Response<Self::StreamEventsStream>, Status> {
        let place = self.ctx.streams.admit()?;
        let r = request.into_inner();
        // 0 is proto3's "not set": live events only.
        let since = (r.since_timestamp > 0).then_some(r.since_timestamp);
        let feed = self.sched().events.follow(
            since,
            TypeFilter::from_names(&r.event_types),
            STREAM_BUFFER,
        );
        let stream = ReceiverStream::new(feed).map(|e| Ok(event_pb(&e)));
        Ok(Response::new(stream_cap::hold(place, stream)))
    }

    async fn health(
        &self,
        _request: Request<pb::HealthRequest>,
    ) -> Result<Response<pb::HealthResponse>, Status> {
        let (services, services_error) =
            match &*self.ctx.services_health(std::time::Duration::ZERO).await {
                Ok(rows) => (
                    rows.iter()
                        .map(|r| pb::ServiceHealth {
                            name: r.service.clone(),
                            state: r.state.clone(),
                            health: r.health.clone(),
                        })
                        .collect(),
                    String::new(),
                ),
                Err(e) => (vec![], e.clone()),
            };
        // DEGRADED's reason is in GET /health (`reason`); the message has no field for it.
        let (status, _reason) = crate::server::service_health::server_status(
            self.sched().is_draining(),
            self.sched().store.failing(),
            self.sched().metrics.services.degraded(),
        );
        Ok(Response::new(pb::HealthResponse {
            status: status.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            uptime_ms: u64::try_from(self.sched().started.elapsed().as_millis())
                .unwrap_or(u64::MAX),
            services,
            services_error,
        }))
    }

    async fn cancel_task(
        &self,
        request: Request<pb::CancelTaskRequest>,
    ) -> Result<Response<pb::CancelTaskResponse>, Status> {
        let who = caller(&request);
        let audit = AuditIds::of(request.extensions());
        let id = request.into_inner().task_id;
        audit.add([id.clone()]);
        // The submit role cancels only what it submitted.
        if let Ok(t) = self.sched().get(&id)
            && !auth::may_cancel(who.as_ref(), t.submitted_by.as_deref())
        {
            return Err(Status::permission_denied(format!(
                "task {id:?} was not submitted by this token; a submit token cancels only its own tasks"
            )));
        }
        let (task, cancelled) = self.sched().cancel(&id).map_err(status_of)?;
        Ok(Response::new(pb::CancelTaskResponse {
            cancelled,
            status: Some((&task).into()),
        }))
    }

    async fn retry_task(
        &self,
        request: Request<pb::RetryTaskRequest>,
    ) -> Result<Response<pb::RetryTaskResponse>, Status> {
        let who = caller(&request);
        let audit = AuditIds::of(request.extensions());
        let id = request.into_inner().task_id;
        audit.add([id.clone()]);
        // Who may cancel a task may retry it.
        if let Ok(t) = self.sched().get(&id)
            && !auth::may_cancel(who.as_ref(), t.submitted_by.as_deref())
        {
            return Err(Status::permission_denied(format!(
                "task {id:?} was not submitted by this token; a submit token retries only its own tasks"
            )));
        }
        let task = self.sched().retry(&id).await.map_err(status_of)?;
        Ok(Response::new(pb::RetryTaskResponse {
            status: Some((&task).into()),
        }))
    }

    async fn list_tasks(
        &self,
        request: Request<pb::ListTasksRequest>,
    ) -> Result<Response<pb::ListTasksResponse>, Status> {
        let r = request.into_inner();
        let status = if r.status.is_empty() {
            None
        } else {
            Some(TaskState::parse(&r.status).ok_or_else(|| {
                Status::invalid_argument(format!(
                    "unknown status {:?} (queued, running, completed, failed, cancelled)",
                    r.status
                ))
            })?)
        };
        let class = (!r.class.is_empty()).then_some(r.class.as_str());
        let limit = if r.limit == 0 {
            100
        } else {
            r.limit.min(10_000)
        } as usize;
        let (tasks, total) = self.sched().list(status, class, limit);
        Ok(Response::new(pb::ListTasksResponse {
            tasks: self.sched().statuses(&tasks),
            total: total as u64,
        }))
    }

    async fn lease_tasks(
        &self,
        request: Request<pb::LeaseTasksRequest>,
    ) -> Result<Response<pb::LeaseTasksResponse>, Status> {
        let audit = AuditIds::of(request.extensions());
        let r = request.into_inner();
        let max = r.max.clamp(1, 1000) as usize;
        let wait_ms = r.wait_ms.min(60_000);
        let known = self
            .sched()
            .workers
            .polling(&r.worker_id, u64::from(wait_ms));
        let leased = self
            .sched()
            .lease(
                &r.worker_id,
                &r.classes,
                max,
                lease_duration(r.lease_seconds, 30.0),
                Duration::from_millis(u64::from(wait_ms)),
                &r.gpus,
            )
            .await
            .map_err(status_of)?;
        audit.add(leased.iter().map(|l| l.task_id.clone()));
        self.sched()
            .workers
            .leased(&r.worker_id, leased.iter().map(|l| l.task_id.as_str()));
        Ok(Response::new(pb::LeaseTasksResponse {
            tasks: leased
                .into_iter()
                .map(|l| pb::LeasedTask {
                    task_id: l.task_id,
                    lease_id: l.lease_id,
                    class: l.class,
                    payload_json: l.payload_json,
                    attempt: l.attempt,
                    lease_expires_at_ms: l.lease_expires_at_ms,
                    gpu_uuids: l.gpu_uuids,
                    timeout_seconds: l.timeout_s,
                })
                .collect(),
            unknown_worker: !known,
        }))
    }

    async fn complete_task(
        &self,
        request: Request<pb::CompleteTaskRequest>,
    ) -> Result<Response<pb::CompleteTaskResponse>, Status> {
        let audit = AuditIds::of(request.extensions());
        let r = request.into_inner();
        audit.add([r.task_id.clone()]);
        let result: BTreeMap<String, String> = r.result.into_iter().collect();
        let size: usize =
            result.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>() + r.error.len();
        if size > self.sched().settings().max_payload_bytes.value as usize {
            return Err(Status::invalid_argument(
                "result and error together are larger than scheduler.max_payload_bytes",
            ));
        }
        let task = if r.hand_back {
            self.sched().hand_back(&r.task_id, &r.lease_id)
        } else {
            self.sched()
                .complete(&r.task_id, &r.lease_id, r.success, result, r.error)
        }
        .map_err(status_of)?;
        let counted = (!r.hand_back).then_some(r.success);
        self.sched().workers.completed(&r.task_id, counted);
        Ok(Response::new(pb::CompleteTaskResponse {
            status: Some((&task).into()),
        }))
    }

    async fn extend_lease(
        &self,
        request: Request<pb::ExtendLeaseRequest>,
    ) -> Result<Response<pb::ExtendLeaseResponse>, Status> {
        let audit = AuditIds::of(request.extensions());
        let r = request.into_inner();
        audit.add([r.task_id.clone()]);
        let expires = self
            .sched()
            .extend_lease(
                &r.task_id,
                &r.lease_id,
                lease_duration(r.lease_seconds, 30.0),
            )
            .map_err(status_of)?;
        self.sched().workers.extended(&r.task_id);
        Ok(Response::new(pb::ExtendLeaseResponse {
            lease_expires_at_ms: expires,
        }))
    }

    async fn register_worker(
        &self,
        request: Request<pb::RegisterWorkerRequest>,
    ) -> Result<Response<pb::RegisterWorkerResponse>, Status> {
        let r = request.into_inner();
        if r.name.trim().is_empty() {
            return Err(Status::invalid_argument("a worker needs a name"));
        }
        self.sched().workers.register(r);
        Ok(Response::new(pb::RegisterWorkerResponse {}))
    }

    async fn list_workers(
        &self,
        _request: Request<pb::ListWorkersRequest>,
    ) -> Result<Response<pb::ListWorkersResponse>, Status> {
        Ok(Response::new(pb::ListWorkersResponse {
            workers: self.ctx.workers(),
        }))
    }

    /// `dspy-agent ui`: a one-time dashboard login for the caller's token and role.
    async fn create_ui_login(
        &self,
        request: Request<pb::CreateUiLoginRequest>,
    ) -> Result<Response<pb::CreateUiLoginResponse>, Status> {
        let caller =
            caller(&request).ok_or_else(|| Status::unauthenticated(auth::UNAUTHENTICATED))?;
        let sessions = &self.ctx.gate.sessions;
        let code = sessions
            .mint(caller)
            .ok_or_else(|| Status::internal("cannot read random bytes for a login code"))?;
        Ok(Response::new(pb::CreateUiLoginResponse {
            path: format!("/ui/login?code={code}"),
            code,
            expires_in_ms: u64::try_from(sessions.code_ttl().as_millis()).unwrap_or(u64::MAX),
        }))
    }

    /// `serve stop`: the server's run loop drains and exits (see server::stop).
    async fn shutdown(
        &self,
        request: Request<pb::ShutdownRequest>,
    ) -> Result<Response<pb::ShutdownResponse>, Status> {
        self.ctx.stop.request(request.get_ref()).map(Response::new)
    }
}
