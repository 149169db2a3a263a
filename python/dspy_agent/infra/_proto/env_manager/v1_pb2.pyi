from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StartServicesRequest(_message.Message):
    __slots__ = ("services", "no_pull", "recreate", "wait_timeout_seconds")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    NO_PULL_FIELD_NUMBER: _ClassVar[int]
    RECREATE_FIELD_NUMBER: _ClassVar[int]
    WAIT_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedScalarFieldContainer[str]
    no_pull: bool
    recreate: bool
    wait_timeout_seconds: float
    def __init__(self, services: _Optional[_Iterable[str]] = ..., no_pull: _Optional[bool] = ..., recreate: _Optional[bool] = ..., wait_timeout_seconds: _Optional[float] = ...) -> None: ...

class ServiceProgress(_message.Message):
    __slots__ = ("type", "service", "status", "message", "json")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    JSON_FIELD_NUMBER: _ClassVar[int]
    type: str
    service: str
    status: str
    message: str
    json: str
    def __init__(self, type: _Optional[str] = ..., service: _Optional[str] = ..., status: _Optional[str] = ..., message: _Optional[str] = ..., json: _Optional[str] = ...) -> None: ...

class StopServicesRequest(_message.Message):
    __slots__ = ("services", "volumes", "timeout_seconds")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedScalarFieldContainer[str]
    volumes: bool
    timeout_seconds: int
    def __init__(self, services: _Optional[_Iterable[str]] = ..., volumes: _Optional[bool] = ..., timeout_seconds: _Optional[int] = ...) -> None: ...

class StopResult(_message.Message):
    __slots__ = ("service", "container_id", "removed", "message")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    service: str
    container_id: str
    removed: bool
    message: str
    def __init__(self, service: _Optional[str] = ..., container_id: _Optional[str] = ..., removed: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...

class StopServicesResponse(_message.Message):
    __slots__ = ("results", "network_removed", "volumes_removed")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REMOVED_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_REMOVED_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[StopResult]
    network_removed: bool
    volumes_removed: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, results: _Optional[_Iterable[_Union[StopResult, _Mapping]]] = ..., network_removed: _Optional[bool] = ..., volumes_removed: _Optional[_Iterable[str]] = ...) -> None: ...

class RestartServiceRequest(_message.Message):
    __slots__ = ("service",)
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    service: str
    def __init__(self, service: _Optional[str] = ...) -> None: ...

class GetServicesStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Port(_message.Message):
    __slots__ = ("container_port", "host_ip", "host_port")
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    HOST_IP_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    container_port: int
    host_ip: str
    host_port: int
    def __init__(self, container_port: _Optional[int] = ..., host_ip: _Optional[str] = ..., host_port: _Optional[int] = ...) -> None: ...

class ServiceStatus(_message.Message):
    __slots__ = ("name", "state", "health", "container_id", "image", "ports", "started_at", "cpu_percent", "memory_bytes", "memory_limit_bytes")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    CPU_PERCENT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_LIMIT_BYTES_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: str
    health: str
    container_id: str
    image: str
    ports: _containers.RepeatedCompositeFieldContainer[Port]
    started_at: str
    cpu_percent: float
    memory_bytes: int
    memory_limit_bytes: int
    def __init__(self, name: _Optional[str] = ..., state: _Optional[str] = ..., health: _Optional[str] = ..., container_id: _Optional[str] = ..., image: _Optional[str] = ..., ports: _Optional[_Iterable[_Union[Port, _Mapping]]] = ..., started_at: _Optional[str] = ..., cpu_percent: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., memory_limit_bytes: _Optional[int] = ...) -> None: ...

class GetServicesStatusResponse(_message.Message):
    __slots__ = ("services",)
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedCompositeFieldContainer[ServiceStatus]
    def __init__(self, services: _Optional[_Iterable[_Union[ServiceStatus, _Mapping]]] = ...) -> None: ...

class StreamHealthRequest(_message.Message):
    __slots__ = ("interval_ms",)
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    interval_ms: int
    def __init__(self, interval_ms: _Optional[int] = ...) -> None: ...

class HealthUpdate(_message.Message):
    __slots__ = ("timestamp_ms", "services", "error")
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    timestamp_ms: int
    services: _containers.RepeatedCompositeFieldContainer[ServiceStatus]
    error: str
    def __init__(self, timestamp_ms: _Optional[int] = ..., services: _Optional[_Iterable[_Union[ServiceStatus, _Mapping]]] = ..., error: _Optional[str] = ...) -> None: ...

class PullImagesRequest(_message.Message):
    __slots__ = ("services",)
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, services: _Optional[_Iterable[str]] = ...) -> None: ...

class PullProgress(_message.Message):
    __slots__ = ("service", "image", "layer", "status", "current", "total", "done", "error")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    LAYER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    service: str
    image: str
    layer: str
    status: str
    current: int
    total: int
    done: bool
    error: str
    def __init__(self, service: _Optional[str] = ..., image: _Optional[str] = ..., layer: _Optional[str] = ..., status: _Optional[str] = ..., current: _Optional[int] = ..., total: _Optional[int] = ..., done: _Optional[bool] = ..., error: _Optional[str] = ...) -> None: ...

class StreamLogsRequest(_message.Message):
    __slots__ = ("services", "follow", "tail", "since")
    SERVICES_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_FIELD_NUMBER: _ClassVar[int]
    TAIL_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    services: _containers.RepeatedScalarFieldContainer[str]
    follow: bool
    tail: int
    since: int
    def __init__(self, services: _Optional[_Iterable[str]] = ..., follow: _Optional[bool] = ..., tail: _Optional[int] = ..., since: _Optional[int] = ...) -> None: ...

class LogLine(_message.Message):
    __slots__ = ("service", "stream", "timestamp", "message")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    service: str
    stream: str
    timestamp: str
    message: str
    def __init__(self, service: _Optional[str] = ..., stream: _Optional[str] = ..., timestamp: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class GetResourceAvailabilityRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Gpu(_message.Message):
    __slots__ = ("index", "name", "uuid", "memory_total_bytes", "memory_used_bytes", "utilization_percent", "allocated", "quarantined", "task_id")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    UUID_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_USED_BYTES_FIELD_NUMBER: _ClassVar[int]
    UTILIZATION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    ALLOCATED_FIELD_NUMBER: _ClassVar[int]
    QUARANTINED_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    index: int
    name: str
    uuid: str
    memory_total_bytes: int
    memory_used_bytes: int
    utilization_percent: int
    allocated: bool
    quarantined: bool
    task_id: str
    def __init__(self, index: _Optional[int] = ..., name: _Optional[str] = ..., uuid: _Optional[str] = ..., memory_total_bytes: _Optional[int] = ..., memory_used_bytes: _Optional[int] = ..., utilization_percent: _Optional[int] = ..., allocated: _Optional[bool] = ..., quarantined: _Optional[bool] = ..., task_id: _Optional[str] = ...) -> None: ...

class ResourceAvailability(_message.Message):
    __slots__ = ("cpu_cores", "load_average_1m", "memory_total_bytes", "memory_available_bytes", "gpus", "engine_cpus", "engine_memory_bytes")
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    LOAD_AVERAGE_1M_FIELD_NUMBER: _ClassVar[int]
    MEMORY_TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    MEMORY_AVAILABLE_BYTES_FIELD_NUMBER: _ClassVar[int]
    GPUS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_CPUS_FIELD_NUMBER: _ClassVar[int]
    ENGINE_MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    cpu_cores: int
    load_average_1m: float
    memory_total_bytes: int
    memory_available_bytes: int
    gpus: _containers.RepeatedCompositeFieldContainer[Gpu]
    engine_cpus: int
    engine_memory_bytes: int
    def __init__(self, cpu_cores: _Optional[int] = ..., load_average_1m: _Optional[float] = ..., memory_total_bytes: _Optional[int] = ..., memory_available_bytes: _Optional[int] = ..., gpus: _Optional[_Iterable[_Union[Gpu, _Mapping]]] = ..., engine_cpus: _Optional[int] = ..., engine_memory_bytes: _Optional[int] = ...) -> None: ...
