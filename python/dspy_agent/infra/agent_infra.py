"""AgentInfra: the high-level async interface over the orchestrator and environment manager."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Any

import grpc

from ._proto.env_manager import v1_pb2 as envpb
from ._proto.orchestrator import v1_pb2 as pb
from .discovery import (
    Candidate,
    Cli,
    candidates,
    env_manager_addr,
    find_cli,
    home_dir,
    named_addr,
    read_serve_state,
)
from .errors import (
    InfraError,
    OrchestratorUnavailable,
    Overloaded,
    ServiceError,
    TaskCancelled,
    TaskConflict,
    TaskFailed,
    TaskTimeout,
)
from .grpc_client import DEFAULT_TIMEOUT, GrpcClient, find_tls_ca, find_token
from .types import (
    Event,
    Health,
    LogLine,
    Metric,
    ServiceProgress,
    ServiceStatus,
    StopResult,
    TaskResult,
    TaskStatus,
    payload_json,
)
from .worker import Handler, Worker
from .workflow import (
    Workflow,
    WorkflowFailed,
    WorkflowTimeout,
    WorkflowUpdate,
    encode_json_values,
    run_dict,
    spec_json,
)

log = logging.getLogger("dspy_agent.infra")


class _Auth:
    """What `start` was told about credentials, passed to each connection it tries."""

    def __init__(self, home: Path, token: str | None, tls_ca: str | os.PathLike[str] | None) -> None:
        self.home = home
        self.token = token
        self.tls_ca = tls_ca


class AgentInfra:
    """A connection to `dspy-agent serve`.

    Most code wants `AgentInfra.start()`, which finds (or starts) the server. Constructing one
    directly connects to the given address without probing it.
    """

    def __init__(
        self,
        addr: str,
        *,
        env_manager_addr: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        token: str | None = None,
        tls_ca: str | os.PathLike[str] | None = None,
        home: str | os.PathLike[str] | None = None,
        server_tls: bool = False,
    ) -> None:
        """`token`: default DSPY_AGENT_TOKEN, then `$DSPY_AGENT_HOME/auth/token`. `tls_ca`: a
        PEM CA file to verify a TLS server with (default DSPY_AGENT_TLS_CA; with `server_tls`,
        the home's `tls/ca.pem`); without one the channel is plain."""
        home_path = home_dir(home)
        self.client = GrpcClient(
            addr,
            env_manager_addr,
            timeout=timeout,
            token=token or find_token(home_path),
            tls_ca=find_tls_ca(home_path, tls_ca, server_tls),
        )
        self.timeout = timeout

    @property
    def addr(self) -> str:
        return self.client.orchestrator_addr

    async def close(self) -> None:
        await self.client.close()

    async def __aenter__(self) -> AgentInfra:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- connecting -------------------------------------------------------------------------

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        addr: str | None = None,
        *,
        env_manager_addr: str | None = None,
        services: Sequence[str] = (),
        auto_start: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        start_timeout: float = 60.0,
        home: str | os.PathLike[str] | None = None,
        cli_path: str | os.PathLike[str] | None = None,
        token: str | None = None,
        tls_ca: str | os.PathLike[str] | None = None,
    ) -> AsyncGenerator[AgentInfra, None]:
        """Connect to the orchestrator, starting it (and `services`) when needed.

        Address order: `addr`, ORCHESTRATOR_GRPC_ADDR, the entry `serve --detach` wrote in
        $DSPY_AGENT_HOME/state.json, 127.0.0.1:9098. A named address (argument or environment)
        is the only one tried. When none answers Health within `timeout` and `auto_start` is
        on, runs `dspy-agent serve --detach` and waits up to `start_timeout` for Health. On
        exit, stops only what this call started.

        The token comes from `token`, DSPY_AGENT_TOKEN or the home's `auth/token`; a server
        that speaks TLS is verified with `tls_ca`, DSPY_AGENT_TLS_CA or the home's CA.
        """
        home_path = home_dir(home)
        auth = _Auth(home_path, token, tls_ca)
        named = named_addr(addr)
        cands = candidates(addr, home_path)
        infra, _ = await cls._probe(cands, env_manager_addr, timeout, auth)
        cli: Cli | None = None
        started_server = False
        started_services: list[str] = []
        try:
            if infra is None:
                if not auto_start:
                    tried = ", ".join(f"{c.addr} ({c.source})" for c in cands) or (
                        f"{named[0] if named else '?'} (no server recorded in {home_path})"
                    )
                    raise OrchestratorUnavailable(
                        f"no orchestrator answered at {tried} within {timeout:g}s\n"
                        "hint: start it with `dspy-agent serve --detach`, or use auto_start=True"
                    )
                env = {}
                if named:
                    # The server we start listens where the caller named (both names, since
                    # the server prefers DSPY_AGENT_ORCHESTRATOR_ADDR).
                    env = {"ORCHESTRATOR_GRPC_ADDR": named[0], "DSPY_AGENT_ORCHESTRATOR_ADDR": named[0]}
                cli = Cli(find_cli(cli_path), home_path, env)
                log.info("no orchestrator answered; running `dspy-agent serve --detach`")
                before = read_serve_state(home_path)
                try:
                    await cli.serve_detach(start_timeout)
                finally:
                    # Ours to stop if a new server is recorded, even when `serve --detach`
                    # failed or was interrupted after launching it; never one that was there.
                    after = read_serve_state(home_path)
                    started_server = after is not None and (before is None or after["pid"] != before["pid"])
                infra = await cls._wait_started(env_manager_addr, timeout, start_timeout, home_path, auth)
            if services:
                cli = cli or Cli(find_cli(cli_path), home_path)
                try:
                    started_services = await cli.up(list(services), timeout=start_timeout + 300)
                except ServiceError as e:
                    started_services = list(e.started)  # half-started: take those down below
                    raise
            yield infra
        finally:
            if infra is not None:
                await infra.close()
            if cli is not None and started_services:
                try:
                    await cli.down(started_services, timeout=120)
                except InfraError as e:
                    log.warning("stopping services %s failed: %s", started_services, e)
            if cli is not None and started_server:
                try:
                    await cli.serve_stop(timeout=60)
                except InfraError as e:
                    log.warning("stopping the orchestrator failed: %s", e)

    @classmethod
    async def _probe(
        cls,
        cands: list[Candidate],
        env_addr: str | None,
        timeout: float,
        auth: _Auth,
    ) -> tuple[AgentInfra | None, Candidate | None]:
        """The first candidate that answers Health; all probes together take at most `timeout`."""
        deadline = time.monotonic() + timeout
        for cand in cands:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            infra = cls(
                cand.addr,
                env_manager_addr=env_manager_addr(env_addr, cand),
                timeout=timeout,
                token=auth.token,
                tls_ca=auth.tls_ca,
                home=auth.home,
                server_tls=cand.tls,
            )
            try:
                await infra._orch("Health", pb.HealthRequest(), left, wait_for_ready=False)
                return infra, cand
            except OrchestratorUnavailable as e:
                log.debug("no orchestrator at %s (%s): %s", cand.addr, cand.source, e)
                await infra.close()
        return None, None

    @classmethod
    async def _wait_started(
        cls, env_addr: str | None, timeout: float, start_timeout: float, home: Path, auth: _Auth
    ) -> AgentInfra:
        """After `serve --detach`: where it listens is in state.json (it may have picked free
        ports); wait for Health there."""
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            serve = read_serve_state(home)
            if serve and serve.get("orchestrator_addr"):
                cand = Candidate(
                    serve["orchestrator_addr"], "state.json", serve.get("env_manager_addr"), bool(serve.get("tls"))
                )
                infra, _ = await cls._probe([cand], env_addr, min(timeout, 2.0), auth)
                if infra is not None:
                    return infra
            await asyncio.sleep(0.05)
        raise OrchestratorUnavailable(
            f"`dspy-agent serve --detach` ran, but no orchestrator answered Health within "
            f"{start_timeout:g}s (see {home / 'logs' / 'serve.log'})"
        )

    # -- tasks ------------------------------------------------------------------------------

    async def submit_task(
        self,
        task_id: str | None,
        payload: Mapping[str, Any],
        *,
        task_class: str = "cpu_short",
        priority: int = 0,
        max_attempts: int = 0,
        timeout_seconds: float = 0.0,
        gpus: int | None = None,
        gpu_memory_mb: int | None = None,
        timeout: float | None = None,
    ) -> str:
        """Submit a task durably; returns its id (generated when `task_id` is empty or None).

        The payload travels as JSON text (payload_json): every value, strings included,
        reaches the worker exactly as given. A payload with `command` (argv
        list or shell string) runs as a process, one with `image` in a container; anything else
        waits for a worker of its class. Resubmitting the same id and payload is a no-op;
        the same id with another payload raises TaskConflict.

        `gpus` (None: 1 for the gpu class, 0 otherwise) and `gpu_memory_mb` (None: any) say
        what GPUs the task needs; a negative value or more than the machine has raises
        InvalidTask naming the total.
        """
        gpu_fields: dict[str, int] = {}
        if gpus is not None:
            gpu_fields["gpus"] = gpus
        if gpu_memory_mb is not None:
            gpu_fields["gpu_memory_mb"] = gpu_memory_mb
        req = pb.SubmitTaskRequest(
            task_id=task_id or "",
            payload_json=payload_json(payload),
            priority=priority,
            max_attempts=max_attempts,
            timeout_seconds=timeout_seconds,
            **gpu_fields,
            **{"class": task_class},
        )
        resp = await self._orch("SubmitTask", req, timeout)
        return resp.task_id  # type: ignore[no-any-return]

    async def submit_tasks(
        self,
        tasks: Iterable[Mapping[str, Any]],
        *,
        batch_size: int = 500,
        concurrency: int = 4,
        timeout: float | None = None,
    ) -> list[dict[str, str]]:
        """Submit many tasks with SubmitTasks, `batch_size` per call and at most `concurrency`
        calls in flight; `tasks` is read lazily. Each task is a mapping of `payload` and the
        optional `task_id`, `class`, `priority`, `max_attempts`, `timeout_seconds`, `gpus`,
        `gpu_memory_mb`. Returns one {"task_id", "outcome": created|existing|error, "error"}
        per task, in order; a bad task does not stop the others (a whole call that fails
        raises, as submit_task does).
        """
        if batch_size < 1 or concurrency < 1:
            raise ValueError("batch_size and concurrency must be at least 1")
        gate = asyncio.Semaphore(concurrency)
        calls: list[asyncio.Task[list[dict[str, str]]]] = []

        async def send(batch: Any) -> list[dict[str, str]]:
            try:
                resp = await self._orch("SubmitTasks", batch, timeout)
            finally:
                gate.release()
            return [
                {"task_id": r.task_id, "outcome": r.outcome, "error": r.error} for r in resp.results
            ]

        # Each task is added to the request in place (`tasks.add`): building it apart and
        # copying it in cost a third more.
        batch = pb.SubmitTasksRequest()
        try:
            for task in tasks:
                _add_task(batch.tasks.add, task)
                if len(batch.tasks) == batch_size:
                    await gate.acquire()
                    calls.append(asyncio.create_task(send(batch)))
                    batch = pb.SubmitTasksRequest()
            if len(batch.tasks):
                await gate.acquire()
                calls.append(asyncio.create_task(send(batch)))
            done = await asyncio.gather(*calls)
        except BaseException:
            for c in calls:
                c.cancel()
            raise
        return [r for part in done for r in part]

    async def get_task_status(self, task_id: str, *, timeout: float | None = None) -> TaskStatus:
        m = await self._orch("GetTaskStatus", pb.GetTaskStatusRequest(task_id=task_id), timeout)
        return TaskStatus.from_pb(m)

    async def wait_for_task(self, task_id: str, timeout: float | None = None) -> TaskStatus:
        """Wait until the task finishes. Returns its status when completed; raises TaskFailed
        (or TaskCancelled) otherwise, TaskTimeout after `timeout` seconds (None: no limit),
        TaskNotFound for an unknown id."""

        async def wait() -> TaskStatus:
            while True:
                status = await self.get_task_status(task_id)
                if status.done:
                    return status
                try:
                    # aclosing: returning from inside the loop closes the stream at once.
                    results = self.stream_task_results([task_id], include_completed=True)
                    async with aclosing(results):
                        async for _ in results:
                            return await self.get_task_status(task_id)
                except Overloaded:
                    continue  # the stream fell behind: resubscribe
                raise OrchestratorUnavailable(f"the result stream for {task_id} ended early")

        try:
            status = await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise TaskTimeout(f"task {task_id} did not finish within {timeout:g}s") from None
        if status.status == "failed":
            raise TaskFailed(status)
        if status.status == "cancelled":
            raise TaskCancelled(status)
        return status

    async def cancel_task(self, task_id: str, *, timeout: float | None = None) -> bool:
        """Cancel a queued or running task; False when it had already finished."""
        resp = await self._orch("CancelTask", pb.CancelTaskRequest(task_id=task_id), timeout)
        return bool(resp.cancelled)

    async def retry_task(self, task_id: str, *, timeout: float | None = None) -> TaskStatus:
        """Queue a failed or cancelled task again, with its attempts granted again (max_attempts
        moves up by what it was given; the attempt number keeps counting) and the payload it
        was submitted with. Returns its status (queued). Raises TaskConflict for a
        task that is queued, running or completed, a workflow's task (retry its run) or one whose
        payload is no longer kept; TaskNotFound for an unknown id."""
        try:
            resp = await self._orch("RetryTask", pb.RetryTaskRequest(task_id=task_id), timeout)
        except InfraError as e:
            if e.code == grpc.StatusCode.FAILED_PRECONDITION:
                raise TaskConflict(str(e), code=e.code) from None
            raise
        return TaskStatus.from_pb(resp.status)

    async def list_tasks(
        self,
        *,
        status: str | None = None,
        task_class: str | None = None,
        limit: int = 100,
        timeout: float | None = None,
    ) -> list[TaskStatus]:
        req = pb.ListTasksRequest(status=status or "", limit=limit, **{"class": task_class or ""})
        resp = await self._orch("ListTasks", req, timeout)
        return [TaskStatus.from_pb(t) for t in resp.tasks]

    async def list_workers(self, *, timeout: float | None = None) -> list[dict[str, Any]]:
        """The pull workers registered with the server, as GET /workers lists them."""
        resp = await self._orch("ListWorkers", pb.ListWorkersRequest(), timeout)
        return [
            {
                "name": w.name,
                "host": w.host,
                "version": w.version,
                "classes": list(w.classes),
                "concurrency": w.concurrency,
                "gpus": list(w.gpus),
                "last_seen_ms": w.last_seen_ms,
                "state": w.state,
                "tasks_running": w.tasks_running,
                "tasks_done": w.tasks_done,
                "tasks_failed": w.tasks_failed,
            }
            for w in resp.workers
        ]

    async def stream_task_results(
        self, task_ids: Sequence[str] = (), *, include_completed: bool = False
    ) -> AsyncGenerator[TaskResult, None]:
        """Results of finishing tasks (all, or those of `task_ids`), live; with
        `include_completed`, those already finished first."""
        req = pb.StreamTaskResultsRequest(task_ids=list(task_ids), include_completed=include_completed)
        async for m in self._orch_stream("StreamTaskResults", req):
            yield TaskResult.from_pb(m)

    async def stream_events(
        self, event_types: Sequence[str] = (), *, since_ms: int = 0
    ) -> AsyncGenerator[Event, None]:
        """Scheduler events (task_submitted, task_started, task_completed, ...). A `gap` event
        says how many a slow reader missed."""
        req = pb.StreamEventsRequest(event_types=list(event_types), since_timestamp=since_ms)
        async for m in self._orch_stream("StreamEvents", req):
            yield Event.from_pb(m)

    async def get_metrics(self, names: Sequence[str] = (), *, timeout: float | None = None) -> list[Metric]:
        resp = await self._orch("GetMetrics", pb.GetMetricsRequest(metric_names=list(names)), timeout)
        return [Metric(m.name, dict(m.labels), m.value) for m in resp.metrics]

    async def health(self, *, timeout: float | None = None) -> Health:
        return Health.from_pb(await self._orch("Health", pb.HealthRequest(), timeout))

    # -- workers ----------------------------------------------------------------------------

    async def run_worker(
        self,
        handler: Handler,
        *,
        classes: Sequence[str] = ("cpu_short",),
        concurrency: int = 1,
        lease_seconds: float = 30.0,
        drain_timeout: float = 10.0,
        worker_id: str | None = None,
        gpus: Sequence[str] = (),
    ) -> None:
        """Take tasks of `classes` and run `handler(task_id, payload) -> dict` on them until
        cancelled. See Worker. `gpus` lists the UUIDs of the GPUs this worker owns: it then
        gets only tasks that fit those free, and `current_gpus()` names a task's own."""
        await Worker(
            self.client,
            handler,
            classes=classes,
            concurrency=concurrency,
            lease_seconds=lease_seconds,
            drain_timeout=drain_timeout,
            worker_id=worker_id,
            gpus=gpus,
        ).run()

    # -- services ---------------------------------------------------------------------------

    async def services_status(self, *, timeout: float | None = None) -> list[ServiceStatus]:
        resp = await self._env("GetServicesStatus", envpb.GetServicesStatusRequest(), timeout)
        return [ServiceStatus.from_pb(s) for s in resp.services]

    async def start_services(
        self,
        services: Sequence[str] = (),
        *,
        no_pull: bool = False,
        recreate: bool = False,
        wait_timeout: float = 0.0,
    ) -> AsyncGenerator[ServiceProgress, None]:
        """Start services (empty: those enabled in settings), yielding progress; the last
        message has type "done". Raises ServiceError when that says failed."""
        req = envpb.StartServicesRequest(
            services=list(services), no_pull=no_pull, recreate=recreate, wait_timeout_seconds=wait_timeout
        )
        env = self.client.env_manager
        async for m in env.stream("StartServices", self.client.env.StartServices, req, self.timeout):
            progress = ServiceProgress.from_pb(m)
            yield progress
            if progress.type == "done" and progress.status != "ok":
                raise ServiceError(f"starting services failed: {progress.message}")

    async def stop_services(
        self,
        services: Sequence[str] = (),
        *,
        volumes: bool = False,
        stop_timeout: int = 10,
        timeout: float | None = None,
    ) -> list[StopResult]:
        req = envpb.StopServicesRequest(
            services=list(services), volumes=volumes, timeout_seconds=stop_timeout
        )
        # Each dependency level may take stop_timeout: the call's deadline allows for that.
        resp = await self._env("StopServices", req, timeout or self.timeout + 6 * stop_timeout)
        return [StopResult(r.service, r.container_id, r.removed, r.message) for r in resp.results]

    async def stream_logs(
        self,
        services: Sequence[str] = (),
        *,
        follow: bool = False,
        tail: int = 0,
        since: int = 0,
    ) -> AsyncGenerator[LogLine, None]:
        req = envpb.StreamLogsRequest(services=list(services), follow=follow, tail=tail, since=since)
        env = self.client.env_manager
        async for m in env.stream("StreamLogs", self.client.env.StreamLogs, req, self.timeout):
            yield LogLine(m.service, m.stream, m.timestamp, m.message)

    # -- workflows --------------------------------------------------------------------------

    async def create_workflow(
        self, spec: Workflow | Mapping[str, Any] | str, *, timeout: float | None = None
    ) -> dict[str, Any]:
        """Check and store a spec (a Workflow, a dict, or JSON text); {name, version, created}.
        A bad spec raises InvalidTask naming the step and field."""
        req = pb.CreateWorkflowRequest(spec_json=spec_json(spec))
        r = await self._orch("CreateWorkflow", req, timeout)
        return {"name": r.name, "version": r.version, "created": r.created, "steps": r.steps}

    async def start_workflow_run(
        self,
        name: str,
        run_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        *,
        on_conflict: str = "",
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Start a run of the workflow's latest version; returns the run document. The same
        run_id with the same spec and params returns the existing run; other params raise
        TaskConflict unless `on_conflict="allow_if_failed"` and the run failed."""
        req = pb.StartWorkflowRunRequest(
            workflow=name,
            run_id=run_id or "",
            params=encode_json_values(params),
            on_conflict=on_conflict,
        )
        r = await self._orch("StartWorkflowRun", req, timeout)
        doc = run_dict(r.run)
        doc["created"] = r.created
        return doc

    async def get_workflow_run(self, run_id: str, *, timeout: float | None = None) -> dict[str, Any]:
        r = await self._orch("GetWorkflowRun", pb.GetWorkflowRunRequest(run_id=run_id), timeout)
        return run_dict(r)

    async def list_workflow_runs(
        self, workflow: str | None = None, *, limit: int = 100, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        req = pb.ListWorkflowRunsRequest(workflow=workflow or "", limit=limit)
        return [run_dict(r) for r in (await self._orch("ListWorkflowRuns", req, timeout)).runs]

    async def cancel_workflow_run(self, run_id: str, *, timeout: float | None = None) -> dict[str, Any]:
        r = await self._orch("CancelWorkflowRun", pb.CancelWorkflowRunRequest(run_id=run_id), timeout)
        return run_dict(r)

    async def retry_workflow_run(
        self,
        run_id: str,
        from_step: str | None = None,
        params_override: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Run again, under the same run id, what failed (inside a map only the failed items),
        or with `from_step` that step and everything downstream."""
        req = pb.RetryWorkflowRunRequest(
            run_id=run_id,
            from_step=from_step or "",
            params_override=encode_json_values(params_override),
        )
        return run_dict(await self._orch("RetryWorkflowRun", req, timeout))

    async def stream_workflow_status(self, run_id: str) -> AsyncGenerator[WorkflowUpdate, None]:
        """The whole graph first, then each change, then the end (the stream stops there)."""
        req = pb.StreamWorkflowStatusRequest(run_id=run_id)
        async for m in self._orch_stream("StreamWorkflowStatus", req):
            yield WorkflowUpdate(m.kind, run_dict(m.run))

    async def wait_for_workflow(self, run_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the run to end; its document when it completed. Raises WorkflowFailed
        when it failed or was cancelled, WorkflowTimeout after `timeout` seconds."""

        async def wait() -> dict[str, Any]:
            updates = self.stream_workflow_status(run_id)
            async with aclosing(updates):
                async for u in updates:
                    if u.kind == "end":
                        return u.run
            raise OrchestratorUnavailable(f"the status stream of workflow run {run_id} ended early")

        try:
            run = await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise WorkflowTimeout(f"workflow run {run_id} did not end within {timeout:g}s") from None
        if run.get("status") != "completed":
            raise WorkflowFailed(run)
        return run

    # -- plumbing ---------------------------------------------------------------------------

    async def _orch(
        self, method: str, request: Any, timeout: float | None, *, wait_for_ready: bool = True
    ) -> Any:
        call = getattr(self.client.orch, method)
        return await self.client.orchestrator.unary(
            method, call, request, timeout or self.timeout, wait_for_ready=wait_for_ready
        )

    async def _env(self, method: str, request: Any, timeout: float | None) -> Any:
        call = getattr(self.client.env, method)
        return await self.client.env_manager.unary(method, call, request, timeout or self.timeout)

    def _orch_stream(self, method: str, request: Any) -> AsyncGenerator[Any, None]:
        call = getattr(self.client.orch, method)
        return self.client.orchestrator.stream(method, call, request, self.timeout)


_TASK_FIELDS = frozenset(
    {"task_id", "payload", "class", "priority", "max_attempts", "timeout_seconds", "gpus",
     "gpu_memory_mb"}
)


def _add_task(add: Any, task: Mapping[str, Any]) -> None:
    """One submit_tasks item as a SubmitTaskRequest with the typed payload, made by `add`
    (a batch's `tasks.add`). Fields left out
    (or None) keep the wire's defaults, which the server reads as cpu_short, priority 0, the
    class's attempts and timeout, no GPU."""
    fields: dict[str, Any] = {}
    for key, value in task.items():
        if key not in _TASK_FIELDS:
            unknown = sorted(set(task) - _TASK_FIELDS)
            raise ValueError(f"unknown task fields {unknown}; expected {sorted(_TASK_FIELDS)}")
        if key == "payload" or key == "task_id" or value is None:
            continue
        fields[key] = value
    add(
        task_id=task.get("task_id") or "",
        payload_json=payload_json(task.get("payload") or {}),
        **fields,
    )