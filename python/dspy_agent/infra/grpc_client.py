"""The gRPC layer: channels, stubs, deadlines, and the mapping of failures to typed errors.

Every unary call carries a deadline. A stream has no overall deadline (it may be idle for
hours), so it first waits, bounded, for the channel to connect: an unreachable server fails
within the timeout instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
import grpc.aio

from ._proto.env_manager import v1_pb2_grpc as env_grpc
from ._proto.orchestrator import v1_pb2_grpc as orch_grpc
from .errors import InfraError, OrchestratorTimeout, OrchestratorUnavailable, from_rpc_error

DEFAULT_TIMEOUT = 10.0

# The server accepts payloads up to scheduler.max_payload_bytes (1 MiB by default) plus slack;
# answers (ListTasks with many results) can be larger than grpc's 4 MiB default.
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    # Long-lived streams (events, results, logs) across idle NAT/firewalls.
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_permit_without_calls", 0),
    # Reconnect soon after a server restart (grpc's default backoff grows to 120 s).
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]

Resp = TypeVar("Resp")


class Endpoint:
    """One server address: a channel, a stub and the error mapping for its calls."""

    def __init__(self, addr: str, stub_class: Callable[[grpc.aio.Channel], Any], name: str) -> None:
        self.addr = addr
        self.name = name
        self.channel = grpc.aio.insecure_channel(addr, options=_CHANNEL_OPTIONS)
        self.stub = stub_class(self.channel)

    async def unary(
        self,
        what: str,
        call: Callable[..., Awaitable[Resp]],
        request: Any,
        timeout: float,
        *,
        wait_for_ready: bool = True,
    ) -> Resp:
        """One call, bounded by `timeout`. With `wait_for_ready` (the default) a call made while
        the server restarts waits for it within that bound instead of failing at once; probes
        turn it off to learn quickly that nothing listens."""
        try:
            return await call(request, timeout=timeout, wait_for_ready=wait_for_ready)
        except grpc.aio.AioRpcError as e:
            raise from_rpc_error(e, what=what, addr=self.addr) from None

    async def ready(self, what: str, timeout: float) -> None:
        """Wait until the channel is connected, at most `timeout` seconds."""
        try:
            await asyncio.wait_for(self.channel.channel_ready(), timeout)
        except asyncio.TimeoutError:
            raise OrchestratorTimeout(
                f"{what}: no {self.name} answered at {self.addr} within {timeout:g}s"
            ) from None

    async def stream(
        self,
        what: str,
        call: Callable[..., Any],
        request: Any,
        connect_timeout: float,
        timeout: float | None = None,
    ) -> AsyncGenerator[Any, None]:
        await self.ready(what, connect_timeout)
        rpc = call(request, timeout=timeout)
        try:
            async for message in rpc:
                yield message
        except grpc.aio.AioRpcError as e:
            raise from_rpc_error(e, what=what, addr=self.addr) from None
        finally:
            rpc.cancel()  # the consumer stopped early: tell the server

    async def close(self) -> None:
        await self.channel.close(grace=None)


class GrpcClient:
    """Channels to the orchestrator and (lazily) the environment manager."""

    def __init__(
        self,
        orchestrator_addr: str,
        env_manager_addr: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self.orchestrator = Endpoint(orchestrator_addr, orch_grpc.OrchestratorServiceStub, "orchestrator")
        self._env_addr = env_manager_addr
        self._env: Endpoint | None = None

    @property
    def orchestrator_addr(self) -> str:
        return self.orchestrator.addr

    @property
    def env_manager(self) -> Endpoint:
        if self._env is None:
            if not self._env_addr:
                raise InfraError("no environment manager address is known")
            self._env = Endpoint(self._env_addr, env_grpc.EnvManagerServiceStub, "env manager")
        return self._env

    @property
    def orch(self) -> orch_grpc.OrchestratorServiceStub:
        return self.orchestrator.stub  # type: ignore[no-any-return]

    @property
    def env(self) -> env_grpc.EnvManagerServiceStub:
        return self.env_manager.stub  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self.orchestrator.close()
        if self._env is not None:
            await self._env.close()


__all__ = ["DEFAULT_TIMEOUT", "Endpoint", "GrpcClient", "OrchestratorUnavailable"]
