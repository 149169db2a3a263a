"""Plain dataclasses for what the server answers, so callers never touch generated messages."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._proto.env_manager import v1_pb2 as envpb
from ._proto.orchestrator import v1_pb2 as pb

TERMINAL = frozenset({"completed", "failed", "cancelled"})


def encode_values(values: Mapping[str, Any]) -> dict[str, str]:
    """A payload or result map for the wire: strings as they are, anything else as JSON.

    Never repr(): the server parses each value as JSON, and the worker gets the JSON back.
    """
    out: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(key, str):
            raise TypeError(f"payload keys must be strings, got {key!r}")
        out[key] = value if isinstance(value, str) else json.dumps(value)
    return out


def _not_serializable(o: Any) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _payload_encoder() -> Any:
    """One encoder for every payload. json.dumps with arguments builds a new JSONEncoder per
    call, and JSONEncoder.encode a new C encoder per call: for a small payload that setup was
    most of the cost (1.8 µs against 0.4 µs for the C encoder made once). The C encoder is
    CPython's private `json.encoder.c_make_encoder`; where it is missing or differs, the
    public JSONEncoder does the same work more slowly. Without the circular-reference check,
    a payload that contains itself fails with RecursionError instead of ValueError."""
    slow = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return slow
    try:
        fast = make(
            None, _not_serializable, json.encoder.encode_basestring_ascii, None, ":", ",",
            False, False, False,
        )
        probe = {"a": [1, 2.5, None, True, "é"]}
        if "".join(fast(probe, 0)) != slow(probe):
            return slow
    except Exception:  # noqa: BLE001 - any mismatch in the private API: use the public one
        return slow
    return lambda payload: "".join(fast(payload, 0))


_encode_payload = _payload_encoder()


def payload_json(payload: Mapping[str, Any]) -> str:
    """A payload for SubmitTaskRequest.payload_json: the whole object as JSON text, so each
    value reaches the worker exactly as given (the string "true" stays a string)."""
    if type(payload) is not dict:
        payload = dict(payload)
    for key in payload:
        if not isinstance(key, str):
            raise TypeError(f"payload keys must be strings, got {key!r}")
    return _encode_payload(payload)


def decode_values(values: Mapping[str, str]) -> dict[str, Any]:
    """The server's own reading of a map: each value as JSON when it parses, else the string."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


@dataclass(frozen=True)
class BlockedReason:
    """What holds a waiting task back (README "Why a task waits"); `kind` says which reason."""

    kind: str  # class_cap, queue_ahead, gpu, no_worker, workers_busy, retry_backoff, ...
    message: str
    task_class: str = ""
    running: int = 0
    limit: int = 0
    ahead: int = 0
    gpus_needed: int = 0
    gpus_free: int = 0
    # The GPUs held, each {uuid, index, task_id, state}.
    gpus_held: tuple[dict[str, Any], ...] = ()
    workers_connected: int = 0
    until_ms: int = 0
    slurm_job_id: str = ""
    slurm_state: str = ""
    slurm_reason: str = ""

    @classmethod
    def from_pb(cls, m: pb.BlockedReason) -> BlockedReason:
        return cls(
            kind=m.kind,
            message=m.message,
            task_class=getattr(m, "class"),
            running=m.running,
            limit=m.limit,
            ahead=m.ahead,
            gpus_needed=m.gpus_needed,
            gpus_free=m.gpus_free,
            gpus_held=tuple(
                {"uuid": h.uuid, "index": h.index, "task_id": h.task_id, "state": h.state}
                for h in m.gpus_held
            ),
            workers_connected=m.workers_connected,
            until_ms=m.until_ms,
            slurm_job_id=m.slurm_job_id,
            slurm_state=m.slurm_state,
            slurm_reason=m.slurm_reason,
        )


@dataclass(frozen=True)
class TaskStatus:
    task_id: str
    task_class: str
    status: str  # queued, running, completed, failed, cancelled
    priority: int = 0
    attempt: int = 0
    max_attempts: int = 0
    submitted_at_ms: int = 0
    started_at_ms: int = 0
    finished_at_ms: int = 0
    result: dict[str, str] = field(default_factory=dict)  # raw strings, as stored
    error: str = ""
    executor: str = ""  # process, container, handler, worker or slurm
    worker_id: str = ""
    gpus: int = 0
    gpu_memory_mb: int = 0
    gpu_uuids: tuple[str, ...] = ()  # the GPUs its latest attempt was given
    # A slurm task's job: job_id, node, state (Slurm's word), reason (why it waits).
    slurm: dict[str, str] = field(default_factory=dict)
    # What holds it back while it waits; None when nothing does.
    blocked_reason: BlockedReason | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def decoded_result(self) -> dict[str, Any]:
        """`result` with JSON values decoded (see decode_values)."""
        return decode_values(self.result)

    @classmethod
    def from_pb(cls, m: pb.TaskStatus) -> TaskStatus:
        return cls(
            task_id=m.task_id,
            task_class=getattr(m, "class"),
            status=m.status,
            priority=m.priority,
            attempt=m.attempt,
            max_attempts=m.max_attempts,
            submitted_at_ms=m.submitted_at_ms,
            started_at_ms=m.started_at_ms,
            finished_at_ms=m.finished_at_ms,
            result=dict(m.result),
            error=m.error,
            executor=m.executor,
            worker_id=m.worker_id,
            gpus=m.gpus,
            gpu_memory_mb=m.gpu_memory_mb,
            gpu_uuids=tuple(m.gpu_uuids),
            slurm=dict(m.slurm),
            blocked_reason=BlockedReason.from_pb(m.blocked_reason)
            if m.HasField("blocked_reason")
            else None,
        )


@dataclass(frozen=True)
class TaskResult:
    task_id: str
    status: str  # completed, failed or cancelled
    result: dict[str, str]
    error: str
    attempt: int
    finished_at_ms: int
    task_class: str

    def decoded_result(self) -> dict[str, Any]:
        return decode_values(self.result)

    @classmethod
    def from_pb(cls, m: pb.TaskResult) -> TaskResult:
        return cls(
            task_id=m.task_id,
            status=m.status,
            result=dict(m.result),
            error=m.error,
            attempt=m.attempt,
            finished_at_ms=m.finished_at_ms,
            task_class=getattr(m, "class"),
        )


@dataclass(frozen=True)
class Event:
    sequence: int
    type: str
    timestamp_ms: int
    task_id: str
    data: dict[str, str]

    @classmethod
    def from_pb(cls, m: pb.Event) -> Event:
        return cls(m.sequence, m.type, m.timestamp_ms, m.task_id, dict(m.data))


@dataclass(frozen=True)
class Metric:
    name: str
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    state: str
    health: str


@dataclass(frozen=True)
class Health:
    status: str  # SERVING, DRAINING (shutting down) or DEGRADED (see GET /health reason)
    version: str
    uptime_ms: int
    services: list[ServiceHealth]
    services_error: str

    @classmethod
    def from_pb(cls, m: pb.HealthResponse) -> Health:
        return cls(
            status=m.status,
            version=m.version,
            uptime_ms=m.uptime_ms,
            services=[ServiceHealth(s.name, s.state, s.health) for s in m.services],
            services_error=m.services_error,
        )


@dataclass(frozen=True)
class Port:
    container_port: int
    host_ip: str
    host_port: int


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str
    health: str
    container_id: str
    image: str
    ports: list[Port]
    started_at: str
    cpu_percent: float
    memory_bytes: int
    memory_limit_bytes: int

    @classmethod
    def from_pb(cls, m: envpb.ServiceStatus) -> ServiceStatus:
        return cls(
            name=m.name,
            state=m.state,
            health=m.health,
            container_id=m.container_id,
            image=m.image,
            ports=[Port(p.container_port, p.host_ip, p.host_port) for p in m.ports],
            started_at=m.started_at,
            cpu_percent=m.cpu_percent,
            memory_bytes=m.memory_bytes,
            memory_limit_bytes=m.memory_limit_bytes,
        )


@dataclass(frozen=True)
class ServiceProgress:
    type: str  # service, pull, port_remapped, warning, or done (the last message)
    service: str
    status: str
    message: str
    json: str  # the event as `dspy-agent up --json` prints it

    @classmethod
    def from_pb(cls, m: envpb.ServiceProgress) -> ServiceProgress:
        return cls(m.type, m.service, m.status, m.message, m.json)


@dataclass(frozen=True)
class StopResult:
    service: str
    container_id: str
    removed: bool
    message: str


@dataclass(frozen=True)
class LogLine:
    service: str
    stream: str
    timestamp: str
    message: str
