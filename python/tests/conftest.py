"""Fixtures that run a real `dspy-agent serve` (foreground, ephemeral ports, temporary home).

The binary comes from DSPY_AGENT_CLI_PATH (scripts/python-test.sh sets it), else `dspy-agent`
on PATH. Each test gets its own server, so no test's queued tasks reach another test's worker.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dspy_agent.infra import AgentInfra

# Variables a developer's shell may carry that would point the tests at their own server.
_LEAKY_ENV = (
    "ORCHESTRATOR_GRPC_ADDR",
    "DSPY_AGENT_ORCHESTRATOR_ADDR",
    "ENV_MANAGER_GRPC_ADDR",
    "DSPY_AGENT_ENV_MANAGER_ADDR",
    "DSPY_AGENT_HTTP_ADDR",
    "DSPY_AGENT_HOME",
    "DSPY_AGENT_PROJECT",
    "DSPY_AGENT_SERVICES_FILE",
    "DSPY_AGENT_TOKEN",
    "DSPY_AGENT_TLS_CA",
    "DSPY_AGENT_GPU_INVENTORY",
)


def cli_path() -> str:
    path = os.environ.get("DSPY_AGENT_CLI_PATH") or shutil.which("dspy-agent")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set DSPY_AGENT_CLI_PATH to the dspy-agent binary (or put it on PATH)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """A server environment on ephemeral ports, isolated from the developer's settings."""
    env = {k: v for k, v in os.environ.items() if k not in _LEAKY_ENV}
    env.update(
        DSPY_AGENT_HOME=str(home),
        DSPY_AGENT_PROJECT=f"pyt{uuid.uuid4().hex[:8]}",
        ORCHESTRATOR_GRPC_ADDR="127.0.0.1:0",
        ENV_MANAGER_GRPC_ADDR="127.0.0.1:0",
        DSPY_AGENT_HTTP_ADDR="127.0.0.1:0",
        # Retries come back fast, so redelivery tests do not wait on backoff.
        DSPY_AGENT_RETRY_BACKOFF_MS="50",
    )
    env.update(extra)
    return env


def read_serve(home: Path) -> dict[str, object] | None:
    try:
        return json.loads((home / "state.json").read_text()).get("serve")  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    home: Path
    env: dict[str, str]
    addr: str
    env_manager_addr: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(home: Path, timeout: float = 30.0, **extra_env: str) -> Server:
    home.mkdir(parents=True, exist_ok=True)
    env = server_env(home, **extra_env)
    log = home / "serve-test.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [cli_path(), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        serve = read_serve(home)
        if serve and serve.get("pid") == proc.pid:
            return Server(
                proc, home, env, str(serve["orchestrator_addr"]), str(serve["env_manager_addr"]), log
            )
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"dspy-agent serve did not come up:\n{log.read_text(errors='replace')}")


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    srv = start_server(tmp_path / "home")
    # As a user's agent would: the token of the server it talks to (here in the environment,
    # since some tests name only the address).
    monkeypatch.setenv("DSPY_AGENT_TOKEN", (srv.home / "auth" / "token").read_text().strip())
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture
async def infra(server: Server) -> AsyncIterator[AgentInfra]:
    async with AgentInfra.start(
        server.addr, env_manager_addr=server.env_manager_addr, auto_start=False, timeout=5
    ) as infra:
        yield infra
