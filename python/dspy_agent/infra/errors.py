"""Typed exceptions. Every gRPC status the server answers maps to one of these, so callers
catch what they mean (a missing task, a bad payload) rather than grpc.aio.AioRpcError."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import grpc

if TYPE_CHECKING:
    from .types import TaskStatus


class InfraError(Exception):
    """Base class of every error this package raises."""

    code: grpc.StatusCode | None = None

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class OrchestratorUnavailable(InfraError):
    """No orchestrator answered (not running, wrong address, or not within the deadline)."""


class OrchestratorTimeout(OrchestratorUnavailable, TimeoutError):
    """The orchestrator did not answer within the call's deadline."""


class InvalidTask(InfraError, ValueError):
    """The server rejected the request's arguments (bad id, class, payload, size)."""


class TaskConflict(InfraError):
    """A task with this id already exists with a different class or payload."""


class TaskNotFound(InfraError, LookupError):
    """No task with this id (never submitted, or dropped by retention)."""


class LeaseLost(InfraError):
    """A worker's lease is no longer held: it expired, or the task was cancelled."""


class NotSupported(InfraError):
    """The server does not implement this yet (UNIMPLEMENTED), or lacks the backend it needs."""


class AuthError(InfraError):
    """The server refused the token (missing, wrong or revoked: UNAUTHENTICATED) or the token's
    role does not allow the call (PERMISSION_DENIED)."""


class Overloaded(InfraError):
    """The server holds too many tasks, or a stream fell behind (RESOURCE_EXHAUSTED)."""


class ServiceError(InfraError):
    """The environment manager could not do what was asked (Docker, health, catalog)."""

    #: For a failed `dspy-agent up`: the services it created anyway.
    started: Sequence[str] = ()


class TaskFailed(InfraError):
    """A waited-for task finished as failed (or cancelled: see TaskCancelled)."""

    def __init__(self, status: TaskStatus) -> None:
        super().__init__(f"task {status.task_id} {status.status}: {status.error or 'no error text'}")
        self.status = status
        self.task_id = status.task_id
        self.error = status.error


class TaskCancelled(TaskFailed):
    """A waited-for task was cancelled."""


class TaskTimeout(InfraError, TimeoutError):
    """wait_for_task gave up before the task finished; the task itself goes on."""


_BY_CODE: dict[grpc.StatusCode, type[InfraError]] = {
    grpc.StatusCode.UNAVAILABLE: OrchestratorUnavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: OrchestratorTimeout,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidTask,
    # tonic's answer to a message over the server's size limit.
    grpc.StatusCode.OUT_OF_RANGE: InvalidTask,
    grpc.StatusCode.ALREADY_EXISTS: TaskConflict,
    grpc.StatusCode.NOT_FOUND: TaskNotFound,
    grpc.StatusCode.UNIMPLEMENTED: NotSupported,
    grpc.StatusCode.RESOURCE_EXHAUSTED: Overloaded,
    grpc.StatusCode.UNAUTHENTICATED: AuthError,
    grpc.StatusCode.PERMISSION_DENIED: AuthError,
}


def from_rpc_error(err: grpc.aio.AioRpcError | grpc.RpcError, *, what: str, addr: str) -> InfraError:
    """The typed exception for a failed RPC. `what` names the call, `addr` the server."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = (err.details() if hasattr(err, "details") else None) or str(code)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        cls = _BY_CODE[code]
        return cls(f"{what}: the orchestrator at {addr} did not answer ({details})", code=code)
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return NotSupported(f"{what} is not supported by the server at {addr} yet ({details})", code=code)
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        # The server uses FAILED_PRECONDITION for a lease that is no longer held, and for a task
        # class whose backend is missing (gpu_slurm).
        cls = LeaseLost if "lease" in details else NotSupported
        return cls(f"{what}: {details}", code=code)
    cls = _BY_CODE.get(code, InfraError)
    return cls(f"{what}: {details}", code=code)
