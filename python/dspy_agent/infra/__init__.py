"""Async Python client for `dspy-agent serve`.

from dspy_agent.infra import AgentInfra

async with AgentInfra.start() as infra:
    await infra.submit_task("task-1", {"data": "value"})
"""

from .agent_infra import AgentInfra
from .errors import (
    AuthError,
    InfraError,
    InvalidTask,
    LeaseLost,
    NotSupported,
    OrchestratorTimeout,
    OrchestratorUnavailable,
    Overloaded,
    ServiceError,
    TaskCancelled,
    TaskConflict,
    TaskFailed,
    TaskNotFound,
    TaskTimeout,
)
from .grpc_client import GrpcClient
from .types import (
    BlockedReason,
    Event,
    Health,
    LogLine,
    Metric,
    ServiceProgress,
    ServiceStatus,
    StopResult,
    TaskResult,
    TaskStatus,
)
from .worker import Handler, LeasedTask, Worker, current_gpus
from .workflow import Workflow, WorkflowFailed, WorkflowTimeout, WorkflowUpdate

__all__ = [
    "AgentInfra",
    "AuthError",
    "BlockedReason",
    "Event",
    "GrpcClient",
    "Handler",
    "Health",
    "InfraError",
    "InvalidTask",
    "LeaseLost",
    "LeasedTask",
    "LogLine",
    "Metric",
    "NotSupported",
    "OrchestratorTimeout",
    "OrchestratorUnavailable",
    "Overloaded",
    "ServiceError",
    "ServiceProgress",
    "ServiceStatus",
    "StopResult",
    "TaskCancelled",
    "TaskConflict",
    "TaskFailed",
    "TaskNotFound",
    "TaskResult",
    "TaskStatus",
    "TaskTimeout",
    "Worker",
    "current_gpus",
    "Workflow",
    "WorkflowFailed",
    "WorkflowTimeout",
    "WorkflowUpdate",
]
