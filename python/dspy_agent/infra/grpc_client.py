"""The gRPC layer: channels, stubs, deadlines, and the mapping of failures to typed errors.

Every unary call carries a deadline. A stream has no overall deadline (it may be idle for
hours), so it first waits, bounded, for the channel to connect: an unreachable server fails
within the timeout instead of hanging.
"""

from __future__ import annotations

import asyncio
import os
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

TOKEN_ENV = "DSPY_AGENT_TOKEN"
TLS_CA_ENV = "DSPY_AGENT_TLS_CA"


def find_token(home: str | os.PathLike[str] | None) -> str | None:
    """The token to send: DSPY_AGENT_TOKEN, else the home's own (`$HOME/auth/token`), which
    `serve` creates on its first start; the local user never handles it."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env
    if home is None:
        return None
    try:
        text = open(os.path.join(os.fspath(home), "auth", "token"), encoding="ascii").read().strip()
    except OSError:
        return None
    return text or None


def find_tls_ca(home: str | os.PathLike[str] | None, tls_ca: str | os.PathLike[str] | None, server_tls: bool) -> bytes | None:
    """The CA (PEM) to verify the server with, or None for a plain channel: `tls_ca`, else
    DSPY_AGENT_TLS_CA, else (when the server recorded that it speaks TLS) `$HOME/tls/ca.pem`."""
    path = tls_ca or os.environ.get(TLS_CA_ENV) or None
    if path is None and server_tls and home is not None:
        path = os.path.join(os.fspath(home), "tls", "ca.pem")
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise InfraError(f"cannot read the TLS CA file {path}: {e}") from None


class Endpoint:
    """One server address: a channel, a stub and the error mapping for its calls. Every call
    goes through `unary` or `stream`, which send the token."""

    def __init__(
        self,
        addr: str,
        stub_class: Callable[[grpc.aio.Channel], Any],
        name: str,
        *,
        token: str | None = None,
        tls_ca: bytes | None = None,
    ) -> None:
        self.addr = addr
        self.name = name
        if tls_ca is not None:
            creds = grpc.ssl_channel_credentials(root_certificates=tls_ca)
            self.channel = grpc.aio.secure_channel(addr, creds, options=_CHANNEL_OPTIONS)
        else:
            self.channel = grpc.aio.insecure_channel(addr, options=_CHANNEL_OPTIONS)
        self.metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
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
            return await call(request, timeout=timeout, wait_for_ready=wait_for_ready, metadata=self.metadata)
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
        rpc = call(request, timeout=timeout, metadata=self.metadata)
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
        token: str | None = None,
        tls_ca: bytes | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = timeout
        self._token = token
        self._tls_ca = tls_ca
        self.orchestrator = Endpoint(
            orchestrator_addr, orch_grpc.OrchestratorServiceStub, "orchestrator", token=token, tls_ca=tls_ca
        )
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
            self._env = Endpoint(
                self._env_addr, env_grpc.EnvManagerServiceStub, "env manager", token=self._token, tls_ca=self._tls_ca
            )
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


__all__ = ["DEFAULT_TIMEOUT", "Endpoint", "GrpcClient", "OrchestratorUnavailable", "find_tls_ca", "find_token"]
