"""Pull workers: lease tasks of some classes, run a Python handler on each, report the outcome.

The server owns delivery: a leased task whose worker dies (no ExtendLease, no CompleteTask) goes
back to the queue when its lease expires. This side keeps the lease alive while the handler runs
and reports exactly once per lease.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import inspect
import json
import logging
import os
import socket
import traceback
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._proto.orchestrator import v1_pb2 as pb
from .errors import InfraError, InvalidTask, LeaseLost, OrchestratorUnavailable, Overloaded, TaskNotFound
from .grpc_client import GrpcClient
from .types import encode_values

log = logging.getLogger("dspy_agent.infra.worker")

Result = Mapping[str, Any] | None
Handler = Callable[[str, dict[str, Any]], Result | Awaitable[Result]]


@dataclass(frozen=True)
class LeasedTask:
    task_id: str
    lease_id: str
    task_class: str
    payload: dict[str, Any]
    attempt: int
    gpu_uuids: tuple[str, ...] = ()


_current_gpus: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("dspy_agent_gpus", default=())


def current_gpus() -> tuple[str, ...]:
    """Inside a handler: the UUIDs of the worker's GPUs the server gave this task (empty when
    the worker declares none, or the task asks for none). Set CUDA_VISIBLE_DEVICES to them."""
    return _current_gpus.get()


def _client_version() -> str:
    try:
        from importlib.metadata import version

        return version("dspy-agent-infra")
    except Exception:  # not installed as a distribution (a source checkout)
        return "dev"


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs `handler` on tasks of `classes`, at most `concurrency` at a time.

    Cancelling `run()` stops leasing, gives running handlers `drain_timeout` seconds to finish
    and report, then cancels the rest and reports them as failed (so the server retries them
    now rather than after their lease expires).
    """

    def __init__(
        self,
        client: GrpcClient,
        handler: Handler,
        *,
        classes: Sequence[str] = ("cpu_short",),
        concurrency: int = 1,
        lease_seconds: float = 30.0,
        poll_wait_ms: int = 5_000,
        drain_timeout: float = 10.0,
        worker_id: str | None = None,
        gpus: Sequence[str] = (),
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        self.client = client
        self.handler = handler
        self.classes = list(classes)
        self.concurrency = concurrency
        self.lease_seconds = lease_seconds
        self.poll_wait_ms = poll_wait_ms
        self.drain_timeout = drain_timeout
        self.worker_id = worker_id or default_worker_id()
        # The GPUs this worker owns, by UUID: the server then leases only tasks that fit them.
        self.gpus = list(gpus)
        self._running: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)
        # A coroutine function, or an object whose __call__ is one.
        self._is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
            type(handler).__call__
        )
        # Sync handlers run in threads of their own, so they cannot starve the default executor.
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    async def run(self) -> None:
        try:
            await self._register()
            await self._lease_loop()
        finally:
            await self._drain()
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)

    async def _register(self) -> bool:
        """RegisterWorker, so `dspy-agent workers` and GET /workers list this worker. A server
        that is away is no reason to stop: the lease loop registers once it answers."""
        req = pb.RegisterWorkerRequest(
            name=self.worker_id,
            host=socket.gethostname(),
            version=f"python-{_client_version()}",
            classes=self.classes,
            concurrency=self.concurrency,
            gpus=self.gpus,
            lease_seconds=self.lease_seconds,
        )
        try:
            await self.client.orchestrator.unary("RegisterWorker", self.client.orch.RegisterWorker, req, self.client.timeout)
        except OrchestratorUnavailable as e:
            log.warning("cannot register (%s); retrying after the next lease", e)
            return False
        return True

    async def _lease_loop(self) -> None:
        backoff = 0.1
        registered = True
        while True:
            await self._slots.acquire()  # one free slot at least
            free = 1
            while free < self.concurrency and not self._slots.locked():
                await self._slots.acquire()
                free += 1
            try:
                tasks, unknown = await self._lease(free)
                backoff = 0.1
                if not registered or unknown:
                    # A restarted server has forgotten this worker (its registry is in memory).
                    registered = await self._register()
            except OrchestratorUnavailable as e:
                # A restarting server is not a reason to stop working: retry, bounded.
                for _ in range(free):
                    self._slots.release()
                registered = False
                log.warning("lease failed (%s); retrying in %.1fs", e, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            except BaseException:
                for _ in range(free):
                    self._slots.release()
                raise
            for _ in range(free - len(tasks)):
                self._slots.release()
            for t in tasks:
                job = asyncio.create_task(self._run_one(t), name=f"task {t.task_id}")
                self._running.add(job)
                job.add_done_callback(self._finished)

    def _finished(self, job: asyncio.Task[None]) -> None:
        self._running.discard(job)
        self._slots.release()

    async def _lease(self, n: int) -> tuple[list[LeasedTask], bool]:
        """The leased tasks, and whether the server asked this worker to register again."""
        req = pb.LeaseTasksRequest(
            worker_id=self.worker_id,
            classes=self.classes,
            max=n,
            lease_seconds=self.lease_seconds,
            wait_ms=self.poll_wait_ms,
            gpus=self.gpus,
        )
        # The long poll may legitimately take wait_ms; the deadline covers that plus a call.
        timeout = self.poll_wait_ms / 1000 + self.client.timeout
        resp = await self.client.orchestrator.unary("LeaseTasks", self.client.orch.LeaseTasks, req, timeout)
        out = []
        for t in resp.tasks:
            try:
                payload = json.loads(t.payload_json) if t.payload_json else {}
            except ValueError:
                payload = {"_raw": t.payload_json}
            out.append(
                LeasedTask(t.task_id, t.lease_id, getattr(t, "class"), payload, t.attempt, tuple(t.gpu_uuids))
            )
        return out, resp.unknown_worker

    async def _call_handler(self, task: LeasedTask) -> Result:
        _current_gpus.set(task.gpu_uuids)
        if self._is_async:
            return await self.handler(task.task_id, task.payload)  # type: ignore[no-any-return,misc]
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                self.concurrency, thread_name_prefix="dspy-agent-worker"
            )
        loop = asyncio.get_running_loop()
        # The handler's thread sees this task's context (current_gpus()).
        ctx = contextvars.copy_context()
        result = await loop.run_in_executor(
            self._pool, ctx.run, functools.partial(self.handler, task.task_id, task.payload)
        )
        if inspect.isawaitable(result):  # a sync callable that returned a coroutine
            result = await result
        return result

    async def _heartbeat(self, task: LeasedTask, handler: asyncio.Task[Result]) -> None:
        """Extend the lease every third of its length; stop the handler when the lease is lost
        (the task was cancelled, or the lease expired anyway)."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            req = pb.ExtendLeaseRequest(
                task_id=task.task_id, lease_id=task.lease_id, lease_seconds=self.lease_seconds
            )
            try:
                await self.client.orchestrator.unary(
                    "ExtendLease",
                    self.client.orch.ExtendLease,
                    req,
                    min(self.client.timeout, self.lease_seconds / 3),
                )
            except (LeaseLost, TaskNotFound) as e:
                log.warning("task %s: %s; stopping its handler", task.task_id, e)
                handler.cancel()
                return
            except OrchestratorUnavailable as e:
                log.warning("task %s: extending the lease failed (%s); will retry", task.task_id, e)

    async def _run_one(self, task: LeasedTask) -> None:
        handler = asyncio.create_task(self._call_handler(task))
        beat = asyncio.create_task(self._heartbeat(task, handler))
        success, result, error = False, {}, ""
        try:
            try:
                value = await asyncio.shield(handler)
                if value is None:
                    value = {}
                if not isinstance(value, Mapping):
                    raise TypeError(f"the handler returned {type(value).__name__}; expected a dict (or None)")
                result, success = encode_values(value), True
            except asyncio.CancelledError:
                if not handler.done():  # we were cancelled (drain): stop the handler too
                    handler.cancel()
                    raise
                if beat.done():  # the heartbeat stopped it: the lease is gone, report nothing
                    return
                error = "the handler was cancelled"
            except Exception:
                error = traceback.format_exc()
        except asyncio.CancelledError:
            error = "the worker stopped before the handler finished"
        finally:
            beat.cancel()
        await self._complete(task, success, result, error)

    async def _complete(self, task: LeasedTask, success: bool, result: dict[str, str], error: str) -> None:
        req = pb.CompleteTaskRequest(
            task_id=task.task_id,
            lease_id=task.lease_id,
            success=success,
            result=result,
            error=error,
        )
        try:
            await self.client.orchestrator.unary(
                "CompleteTask", self.client.orch.CompleteTask, req, self.client.timeout
            )
        except (InvalidTask, Overloaded) as e:
            # Over scheduler.max_payload_bytes, or over the server's gRPC message limit.
            if not success:
                log.warning("task %s: reporting the failure failed: %s", task.task_id, e)
                return
            # The result was refused (too large, say): a failure now beats a redelivery loop.
            await self._complete(task, False, {}, f"the handler's result was refused: {e}")
        except InfraError as e:
            # The lease expired meanwhile (or the server is gone): the server redelivers.
            log.warning("task %s: reporting the outcome failed: %s", task.task_id, e)

    async def _drain(self) -> None:
        if not self._running:
            return
        running = set(self._running)
        _, pending = await asyncio.wait(running, timeout=self.drain_timeout)
        for job in pending:
            job.cancel()
        if pending:
            await asyncio.wait(pending, timeout=self.client.timeout)
