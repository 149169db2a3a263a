from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SubmitTaskRequest(_message.Message):
    __slots__ = ("task_id", "payload", "priority", "max_attempts", "timeout_seconds", "gpus", "gpu_memory_mb", "payload_json")
    class PayloadEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    GPU_MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    payload: _containers.ScalarMap[str, str]
    priority: int
    max_attempts: int
    timeout_seconds: float
    gpus: int
    gpu_memory_mb: int
    payload_json: str
    def __init__(self, task_id: _Optional[str] = ..., payload: _Optional[_Mapping[str, str]] = ..., priority: _Optional[int] = ..., max_attempts: _Optional[int] = ..., timeout_seconds: _Optional[float] = ..., gpus: _Optional[int] = ..., gpu_memory_mb: _Optional[int] = ..., payload_json: _Optional[str] = ..., **kwargs) -> None: ...

class SubmitTasksRequest(_message.Message):
    __slots__ = ("tasks",)
    TASKS_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[SubmitTaskRequest]
    def __init__(self, tasks: _Optional[_Iterable[_Union[SubmitTaskRequest, _Mapping]]] = ...) -> None: ...

class SubmitTaskOutcome(_message.Message):
    __slots__ = ("task_id", "outcome", "error", "code")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    outcome: str
    error: str
    code: str
    def __init__(self, task_id: _Optional[str] = ..., outcome: _Optional[str] = ..., error: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class SubmitTasksResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SubmitTaskOutcome]
    def __init__(self, results: _Optional[_Iterable[_Union[SubmitTaskOutcome, _Mapping]]] = ...) -> None: ...

class SubmitTaskResponse(_message.Message):
    __slots__ = ("task_id", "created", "status")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    created: bool
    status: TaskStatus
    def __init__(self, task_id: _Optional[str] = ..., created: _Optional[bool] = ..., status: _Optional[_Union[TaskStatus, _Mapping]] = ...) -> None: ...

class StreamTaskResultsRequest(_message.Message):
    __slots__ = ("task_ids", "include_completed")
    TASK_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    task_ids: _containers.RepeatedScalarFieldContainer[str]
    include_completed: bool
    def __init__(self, task_ids: _Optional[_Iterable[str]] = ..., include_completed: _Optional[bool] = ...) -> None: ...

class TaskResult(_message.Message):
    __slots__ = ("task_id", "status", "result", "error", "attempt", "finished_at_ms")
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    status: str
    result: _containers.ScalarMap[str, str]
    error: str
    attempt: int
    finished_at_ms: int
    def __init__(self, task_id: _Optional[str] = ..., status: _Optional[str] = ..., result: _Optional[_Mapping[str, str]] = ..., error: _Optional[str] = ..., attempt: _Optional[int] = ..., finished_at_ms: _Optional[int] = ..., **kwargs) -> None: ...

class GetTaskStatusRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class TaskStatus(_message.Message):
    __slots__ = ("task_id", "status", "priority", "attempt", "max_attempts", "submitted_at_ms", "started_at_ms", "finished_at_ms", "result", "error", "executor", "worker_id", "gpus", "gpu_memory_mb", "gpu_uuids", "slurm", "blocked_reason")
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class SlurmEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    EXECUTOR_FIELD_NUMBER: _ClassVar[int]
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    GPU_MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    GPU_UUIDS_FIELD_NUMBER: _ClassVar[int]
    SLURM_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_REASON_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    status: str
    priority: int
    attempt: int
    max_attempts: int
    submitted_at_ms: int
    started_at_ms: int
    finished_at_ms: int
    result: _containers.ScalarMap[str, str]
    error: str
    executor: str
    worker_id: str
    gpus: int
    gpu_memory_mb: int
    gpu_uuids: _containers.RepeatedScalarFieldContainer[str]
    slurm: _containers.ScalarMap[str, str]
    blocked_reason: BlockedReason
    def __init__(self, task_id: _Optional[str] = ..., status: _Optional[str] = ..., priority: _Optional[int] = ..., attempt: _Optional[int] = ..., max_attempts: _Optional[int] = ..., submitted_at_ms: _Optional[int] = ..., started_at_ms: _Optional[int] = ..., finished_at_ms: _Optional[int] = ..., result: _Optional[_Mapping[str, str]] = ..., error: _Optional[str] = ..., executor: _Optional[str] = ..., worker_id: _Optional[str] = ..., gpus: _Optional[int] = ..., gpu_memory_mb: _Optional[int] = ..., gpu_uuids: _Optional[_Iterable[str]] = ..., slurm: _Optional[_Mapping[str, str]] = ..., blocked_reason: _Optional[_Union[BlockedReason, _Mapping]] = ..., **kwargs) -> None: ...

class BlockedReason(_message.Message):
    __slots__ = ("kind", "message", "running", "limit", "ahead", "gpus_needed", "gpus_free", "gpus_held", "workers_connected", "until_ms", "slurm_job_id", "slurm_state", "slurm_reason")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    AHEAD_FIELD_NUMBER: _ClassVar[int]
    GPUS_NEEDED_FIELD_NUMBER: _ClassVar[int]
    GPUS_FREE_FIELD_NUMBER: _ClassVar[int]
    GPUS_HELD_FIELD_NUMBER: _ClassVar[int]
    WORKERS_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    UNTIL_MS_FIELD_NUMBER: _ClassVar[int]
    SLURM_JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SLURM_STATE_FIELD_NUMBER: _ClassVar[int]
    SLURM_REASON_FIELD_NUMBER: _ClassVar[int]
    kind: str
    message: str
    running: int
    limit: int
    ahead: int
    gpus_needed: int
    gpus_free: int
    gpus_held: _containers.RepeatedCompositeFieldContainer[HeldGpu]
    workers_connected: int
    until_ms: int
    slurm_job_id: str
    slurm_state: str
    slurm_reason: str
    def __init__(self, kind: _Optional[str] = ..., message: _Optional[str] = ..., running: _Optional[int] = ..., limit: _Optional[int] = ..., ahead: _Optional[int] = ..., gpus_needed: _Optional[int] = ..., gpus_free: _Optional[int] = ..., gpus_held: _Optional[_Iterable[_Union[HeldGpu, _Mapping]]] = ..., workers_connected: _Optional[int] = ..., until_ms: _Optional[int] = ..., slurm_job_id: _Optional[str] = ..., slurm_state: _Optional[str] = ..., slurm_reason: _Optional[str] = ..., **kwargs) -> None: ...

class HeldGpu(_message.Message):
    __slots__ = ("uuid", "index", "task_id", "state")
    UUID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    uuid: str
    index: int
    task_id: str
    state: str
    def __init__(self, uuid: _Optional[str] = ..., index: _Optional[int] = ..., task_id: _Optional[str] = ..., state: _Optional[str] = ...) -> None: ...

class CreateWorkflowRequest(_message.Message):
    __slots__ = ("spec_json",)
    SPEC_JSON_FIELD_NUMBER: _ClassVar[int]
    spec_json: str
    def __init__(self, spec_json: _Optional[str] = ...) -> None: ...

class CreateWorkflowResponse(_message.Message):
    __slots__ = ("name", "version", "created", "steps")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    created: bool
    steps: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., created: _Optional[bool] = ..., steps: _Optional[int] = ...) -> None: ...

class ListWorkflowsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWorkflowsResponse(_message.Message):
    __slots__ = ("workflows_json",)
    WORKFLOWS_JSON_FIELD_NUMBER: _ClassVar[int]
    workflows_json: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, workflows_json: _Optional[_Iterable[str]] = ...) -> None: ...

class StartWorkflowRunRequest(_message.Message):
    __slots__ = ("workflow", "run_id", "params", "on_conflict")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    ON_CONFLICT_FIELD_NUMBER: _ClassVar[int]
    workflow: str
    run_id: str
    params: _containers.ScalarMap[str, str]
    on_conflict: str
    def __init__(self, workflow: _Optional[str] = ..., run_id: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., on_conflict: _Optional[str] = ...) -> None: ...

class StartWorkflowRunResponse(_message.Message):
    __slots__ = ("run", "created")
    RUN_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    run: WorkflowRun
    created: bool
    def __init__(self, run: _Optional[_Union[WorkflowRun, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class WorkflowStep(_message.Message):
    __slots__ = ("id", "status", "attempt", "depends", "is_map", "items_total", "items_completed", "items_failed", "items_running", "error", "started_at_ms", "finished_at_ms", "outputs_json")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    DEPENDS_FIELD_NUMBER: _ClassVar[int]
    IS_MAP_FIELD_NUMBER: _ClassVar[int]
    ITEMS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ITEMS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FAILED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_JSON_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: str
    attempt: int
    depends: _containers.RepeatedScalarFieldContainer[str]
    is_map: bool
    items_total: int
    items_completed: int
    items_failed: int
    items_running: int
    error: str
    started_at_ms: int
    finished_at_ms: int
    outputs_json: str
    def __init__(self, id: _Optional[str] = ..., status: _Optional[str] = ..., attempt: _Optional[int] = ..., depends: _Optional[_Iterable[str]] = ..., is_map: _Optional[bool] = ..., items_total: _Optional[int] = ..., items_completed: _Optional[int] = ..., items_failed: _Optional[int] = ..., items_running: _Optional[int] = ..., error: _Optional[str] = ..., started_at_ms: _Optional[int] = ..., finished_at_ms: _Optional[int] = ..., outputs_json: _Optional[str] = ...) -> None: ...

class WorkflowRun(_message.Message):
    __slots__ = ("run_id", "workflow", "version", "status", "attempt", "params_json", "created_at_ms", "finished_at_ms", "error", "steps", "document_json")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_JSON_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    workflow: str
    version: str
    status: str
    attempt: int
    params_json: str
    created_at_ms: int
    finished_at_ms: int
    error: str
    steps: _containers.RepeatedCompositeFieldContainer[WorkflowStep]
    document_json: str
    def __init__(self, run_id: _Optional[str] = ..., workflow: _Optional[str] = ..., version: _Optional[str] = ..., status: _Optional[str] = ..., attempt: _Optional[int] = ..., params_json: _Optional[str] = ..., created_at_ms: _Optional[int] = ..., finished_at_ms: _Optional[int] = ..., error: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[WorkflowStep, _Mapping]]] = ..., document_json: _Optional[str] = ...) -> None: ...

class GetWorkflowRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class ListWorkflowRunsRequest(_message.Message):
    __slots__ = ("workflow", "limit")
    WORKFLOW_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    workflow: str
    limit: int
    def __init__(self, workflow: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListWorkflowRunsResponse(_message.Message):
    __slots__ = ("runs",)
    RUNS_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[WorkflowRun]
    def __init__(self, runs: _Optional[_Iterable[_Union[WorkflowRun, _Mapping]]] = ...) -> None: ...

class CancelWorkflowRunRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class RetryWorkflowRunRequest(_message.Message):
    __slots__ = ("run_id", "from_step", "params_override")
    class ParamsOverrideEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    PARAMS_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    from_step: str
    params_override: _containers.ScalarMap[str, str]
    def __init__(self, run_id: _Optional[str] = ..., from_step: _Optional[str] = ..., params_override: _Optional[_Mapping[str, str]] = ...) -> None: ...

class StreamWorkflowStatusRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class WorkflowStatus(_message.Message):
    __slots__ = ("kind", "run")
    KIND_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    kind: str
    run: WorkflowRun
    def __init__(self, kind: _Optional[str] = ..., run: _Optional[_Union[WorkflowRun, _Mapping]] = ...) -> None: ...

class GetMetricsRequest(_message.Message):
    __slots__ = ("metric_names",)
    METRIC_NAMES_FIELD_NUMBER: _ClassVar[int]
    metric_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, metric_names: _Optional[_Iterable[str]] = ...) -> None: ...

class Metric(_message.Message):
    __slots__ = ("name", "labels", "value")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    labels: _containers.ScalarMap[str, str]
    value: float
    def __init__(self, name: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., value: _Optional[float] = ...) -> None: ...

class GetMetricsResponse(_message.Message):
    __slots__ = ("metrics", "timestamp_ms")
    METRICS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    metrics: _containers.RepeatedCompositeFieldContainer[Metric]
    timestamp_ms: int
    def __init__(self, metrics: _Optional[_Iterable[_Union[Metric, _Mapping]]] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("event_types", "since_timestamp")
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    SINCE_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    event_types: _containers.RepeatedScalarFieldContainer[str]
    since_timestamp: int
    def __init__(self, event_types: _Optional[_Iterable[str]] = ..., since_timestamp: _Optional[int] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("sequence", "type", "timestamp_ms", "task_id", "data")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    type: str
    timestamp_ms: int
    task_id: str
    data: _containers.ScalarMap[str, str]
    def __init__(self, sequence: _Optional[int] = ..., type: _Optional[str] = ..., timestamp_ms: _Optional[int] = ..., task_id: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ...) -> None: ...

class HealthRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ServiceHealth(_message.Message):
    __slots__ = ("name", "state", "health")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: str
    health: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[str] = ..., health: _Optional[str] = ...) -> None: ...

class HealthResponse(_message.Message):
    __slots__ = ("status", "version", "uptime_ms", "services", "services_error")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_MS_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    SERVICES_ERROR_FIELD_NUMBER: _ClassVar[int]
    status: str
    version: str
    uptime_ms: int
    services: _containers.RepeatedCompositeFieldContainer[ServiceHealth]
    services_error: str
    def __init__(self, status: _Optional[str] = ..., version: _Optional[str] = ..., uptime_ms: _Optional[int] = ..., services: _Optional[_Iterable[_Union[ServiceHealth, _Mapping]]] = ..., services_error: _Optional[str] = ...) -> None: ...

class CancelTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class CancelTaskResponse(_message.Message):
    __slots__ = ("cancelled", "status")
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    cancelled: bool
    status: TaskStatus
    def __init__(self, cancelled: _Optional[bool] = ..., status: _Optional[_Union[TaskStatus, _Mapping]] = ...) -> None: ...

class RetryTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class RetryTaskResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: TaskStatus
    def __init__(self, status: _Optional[_Union[TaskStatus, _Mapping]] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("status", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    limit: int
    def __init__(self, status: _Optional[str] = ..., limit: _Optional[int] = ..., **kwargs) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("tasks", "total")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[TaskStatus]
    total: int
    def __init__(self, tasks: _Optional[_Iterable[_Union[TaskStatus, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class LeaseTasksRequest(_message.Message):
    __slots__ = ("worker_id", "classes", "max", "lease_seconds", "wait_ms", "gpus")
    WORKER_ID_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    worker_id: str
    classes: _containers.RepeatedScalarFieldContainer[str]
    max: int
    lease_seconds: float
    wait_ms: int
    gpus: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, worker_id: _Optional[str] = ..., classes: _Optional[_Iterable[str]] = ..., max: _Optional[int] = ..., lease_seconds: _Optional[float] = ..., wait_ms: _Optional[int] = ..., gpus: _Optional[_Iterable[str]] = ...) -> None: ...

class LeasedTask(_message.Message):
    __slots__ = ("task_id", "lease_id", "payload_json", "attempt", "lease_expires_at_ms", "gpu_uuids", "timeout_seconds")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    CLASS_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_JSON_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    LEASE_EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    GPU_UUIDS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    lease_id: str
    payload_json: str
    attempt: int
    lease_expires_at_ms: int
    gpu_uuids: _containers.RepeatedScalarFieldContainer[str]
    timeout_seconds: float
    def __init__(self, task_id: _Optional[str] = ..., lease_id: _Optional[str] = ..., payload_json: _Optional[str] = ..., attempt: _Optional[int] = ..., lease_expires_at_ms: _Optional[int] = ..., gpu_uuids: _Optional[_Iterable[str]] = ..., timeout_seconds: _Optional[float] = ..., **kwargs) -> None: ...

class LeaseTasksResponse(_message.Message):
    __slots__ = ("tasks", "unknown_worker")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_WORKER_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[LeasedTask]
    unknown_worker: bool
    def __init__(self, tasks: _Optional[_Iterable[_Union[LeasedTask, _Mapping]]] = ..., unknown_worker: _Optional[bool] = ...) -> None: ...

class CompleteTaskRequest(_message.Message):
    __slots__ = ("task_id", "lease_id", "success", "result", "error", "hand_back")
    class ResultEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    HAND_BACK_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    lease_id: str
    success: bool
    result: _containers.ScalarMap[str, str]
    error: str
    hand_back: bool
    def __init__(self, task_id: _Optional[str] = ..., lease_id: _Optional[str] = ..., success: _Optional[bool] = ..., result: _Optional[_Mapping[str, str]] = ..., error: _Optional[str] = ..., hand_back: _Optional[bool] = ...) -> None: ...

class CompleteTaskResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: TaskStatus
    def __init__(self, status: _Optional[_Union[TaskStatus, _Mapping]] = ...) -> None: ...

class ExtendLeaseRequest(_message.Message):
    __slots__ = ("task_id", "lease_id", "lease_seconds")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    lease_id: str
    lease_seconds: float
    def __init__(self, task_id: _Optional[str] = ..., lease_id: _Optional[str] = ..., lease_seconds: _Optional[float] = ...) -> None: ...

class ExtendLeaseResponse(_message.Message):
    __slots__ = ("lease_expires_at_ms",)
    LEASE_EXPIRES_AT_MS_FIELD_NUMBER: _ClassVar[int]
    lease_expires_at_ms: int
    def __init__(self, lease_expires_at_ms: _Optional[int] = ...) -> None: ...

class RegisterWorkerRequest(_message.Message):
    __slots__ = ("name", "host", "version", "classes", "concurrency", "gpus", "lease_seconds")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    host: str
    version: str
    classes: _containers.RepeatedScalarFieldContainer[str]
    concurrency: int
    gpus: _containers.RepeatedScalarFieldContainer[str]
    lease_seconds: float
    def __init__(self, name: _Optional[str] = ..., host: _Optional[str] = ..., version: _Optional[str] = ..., classes: _Optional[_Iterable[str]] = ..., concurrency: _Optional[int] = ..., gpus: _Optional[_Iterable[str]] = ..., lease_seconds: _Optional[float] = ...) -> None: ...

class RegisterWorkerResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWorkersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateUiLoginRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateUiLoginResponse(_message.Message):
    __slots__ = ("code", "expires_in_ms", "path")
    CODE_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_MS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    code: str
    expires_in_ms: int
    path: str
    def __init__(self, code: _Optional[str] = ..., expires_in_ms: _Optional[int] = ..., path: _Optional[str] = ...) -> None: ...

class WorkerInfo(_message.Message):
    __slots__ = ("name", "host", "version", "classes", "concurrency", "gpus", "last_seen_ms", "state", "tasks_running", "tasks_done", "tasks_failed")
    NAME_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    CONCURRENCY_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_MS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TASKS_RUNNING_FIELD_NUMBER: _ClassVar[int]
    TASKS_DONE_FIELD_NUMBER: _ClassVar[int]
    TASKS_FAILED_FIELD_NUMBER: _ClassVar[int]
    name: str
    host: str
    version: str
    classes: _containers.RepeatedScalarFieldContainer[str]
    concurrency: int
    gpus: _containers.RepeatedScalarFieldContainer[str]
    last_seen_ms: int
    state: str
    tasks_running: int
    tasks_done: int
    tasks_failed: int
    def __init__(self, name: _Optional[str] = ..., host: _Optional[str] = ..., version: _Optional[str] = ..., classes: _Optional[_Iterable[str]] = ..., concurrency: _Optional[int] = ..., gpus: _Optional[_Iterable[str]] = ..., last_seen_ms: _Optional[int] = ..., state: _Optional[str] = ..., tasks_running: _Optional[int] = ..., tasks_done: _Optional[int] = ..., tasks_failed: _Optional[int] = ...) -> None: ...

class ListWorkersResponse(_message.Message):
    __slots__ = ("workers",)
    WORKERS_FIELD_NUMBER: _ClassVar[int]
    workers: _containers.RepeatedCompositeFieldContainer[WorkerInfo]
    def __init__(self, workers: _Optional[_Iterable[_Union[WorkerInfo, _Mapping]]] = ...) -> None: ...

class ShutdownRequest(_message.Message):
    __slots__ = ("pid", "drain_timeout_seconds")
    PID_FIELD_NUMBER: _ClassVar[int]
    DRAIN_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    pid: int
    drain_timeout_seconds: float
    def __init__(self, pid: _Optional[int] = ..., drain_timeout_seconds: _Optional[float] = ...) -> None: ...

class ShutdownResponse(_message.Message):
    __slots__ = ("pid", "drain_timeout_seconds")
    PID_FIELD_NUMBER: _ClassVar[int]
    DRAIN_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    pid: int
    drain_timeout_seconds: float
    def __init__(self, pid: _Optional[int] = ..., drain_timeout_seconds: _Optional[float] = ...) -> None: ...
