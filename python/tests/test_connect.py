"""Finding, starting and failing to reach the orchestrator."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Server, cli_path, free_port, read_serve, server_env
from dspy_agent.infra import AgentInfra, OrchestratorTimeout, OrchestratorUnavailable
from dspy_agent.infra.discovery import holds_serve_lock, read_serve_state


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never says a word: the worst case for a
    client that forgot a deadline."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


async def test_nothing_listening_fails_fast() -> None:
    addr = f"127.0.0.1:{free_port()}"
    t0 = time.monotonic()
    with pytest.raises(OrchestratorUnavailable, match=addr):
        async with AgentInfra.start(addr, auto_start=False, timeout=2):
            pass
    assert time.monotonic() - t0 < 2.5


async def test_silent_server_fails_within_the_timeout(silent_server: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(OrchestratorUnavailable):
        async with AgentInfra.start(silent_server, auto_start=False, timeout=1.0):
            pass
    assert time.monotonic() - t0 < 2.0


async def test_every_call_has_a_deadline(silent_server: str) -> None:
    async with AgentInfra(silent_server, timeout=0.5) as infra:
        for call in (
            lambda: infra.submit_task("t", {"a": 1}),
            lambda: infra.get_task_status("t"),
            lambda: infra.list_tasks(),
            lambda: infra.get_metrics(),
        ):
            t0 = time.monotonic()
            with pytest.raises(OrchestratorTimeout):
                await call()
            assert time.monotonic() - t0 < 1.5
        t0 = time.monotonic()
        with pytest.raises(OrchestratorUnavailable):
            async for _ in infra.stream_events():
                pass
        assert time.monotonic() - t0 < 1.5


async def test_readme_example_finds_the_server_through_state_json(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No address anywhere: only DSPY_AGENT_HOME, whose state.json the server wrote.
    monkeypatch.setenv("DSPY_AGENT_HOME", str(server.home))

    seen: list[tuple[str, dict[str, object]]] = []

    async def handler(task_id: str, payload: dict[str, object]) -> dict[str, object]:
        seen.append((task_id, payload))
        return {"echo": payload["data"]}

    async with AgentInfra.start() as infra:
        await infra.submit_task("task-1", {"data": "value"})
        assert infra.addr == server.addr
        worker = asyncio.create_task(infra.run_worker(handler, classes=["cpu_short"], concurrency=2))
        try:
            status = await infra.wait_for_task("task-1", timeout=15)
        finally:
            worker.cancel()
            with pytest.raises(asyncio.CancelledError):
                await worker
    assert status.status == "completed"
    assert status.executor == "worker"
    assert status.result == {"echo": "value"}
    assert seen == [("task-1", {"data": "value"})]
    assert server.proc.poll() is None  # found, not started: left running


async def test_auto_start_runs_serve_detach_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    addr = f"127.0.0.1:{free_port()}"
    for k, v in server_env(home).items():
        monkeypatch.setenv(k, v)
    for k in ("ORCHESTRATOR_GRPC_ADDR", "DSPY_AGENT_ORCHESTRATOR_ADDR"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("DSPY_AGENT_CLI_PATH", cli_path())

    async with AgentInfra.start(addr, timeout=2, start_timeout=30) as infra:
        assert infra.addr == addr
        health = await infra.health()
        assert health.status == "SERVING"
        serve = read_serve(home)
        assert serve is not None and serve["orchestrator_addr"] == addr
        pid = int(serve["pid"])  # type: ignore[call-overload]
        assert pid != os.getpid()
        task = await infra.submit_task("", {"command": ["true"]})
        assert (await infra.wait_for_task(task, timeout=15)).status == "completed"

    # It started the server, so it stopped it.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        await asyncio.sleep(0.05)
    assert not _alive(pid)
    assert read_serve(home) is None
    with pytest.raises(OrchestratorUnavailable):
        async with AgentInfra.start(addr, auto_start=False, timeout=1):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


async def test_found_server_is_left_running(server: Server) -> None:
    async with AgentInfra.start(server.addr, auto_start=True, cli_path="/nonexistent") as infra:
        await infra.health()
    assert server.proc.poll() is None
    assert read_serve(server.home) is not None


async def test_auto_start_on_free_ports_is_found_through_state_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ORCHESTRATOR_GRPC_ADDR=127.0.0.1:0 (and the same for the other listeners): the server
    # picks free ports, and only its entry in state.json says which.
    home = tmp_path / "home"
    home.mkdir()
    for k, v in server_env(home).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("DSPY_AGENT_CLI_PATH", cli_path())
    with pytest.raises(OrchestratorUnavailable, match="no server recorded"):
        async with AgentInfra.start(auto_start=False, timeout=1):
            pass
    async with AgentInfra.start(timeout=2) as infra:
        serve = read_serve(home)
        assert serve is not None
        assert infra.addr == serve["orchestrator_addr"]
        assert infra.client.env_manager.addr == serve["env_manager_addr"]
        assert isinstance(await infra.services_status(), list)
        pid = int(serve["pid"])  # type: ignore[call-overload]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        await asyncio.sleep(0.05)
    assert not _alive(pid)


async def test_auto_start_without_a_cli_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DSPY_AGENT_CLI_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dspy-agent here
    with pytest.raises(OrchestratorUnavailable, match="not on PATH"):
        async with AgentInfra.start(f"127.0.0.1:{free_port()}", timeout=1, home=tmp_path):
            pass


async def test_auto_start_failure_carries_the_cli_error(
    silent_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The named port is taken by something that is not an orchestrator: `serve --detach`
    # cannot listen there, and its own error reaches the caller.
    for k, v in server_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    t0 = time.monotonic()
    with pytest.raises(OrchestratorUnavailable, match=r"serve --detach.*exited"):
        async with AgentInfra.start(silent_server, timeout=0.5, cli_path=cli_path()):
            pass
    assert time.monotonic() - t0 < 20
    assert read_serve(tmp_path) is None


async def test_cancelled_auto_start_leaves_no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in server_env(tmp_path).items():
        monkeypatch.setenv(k, v)
    entered = asyncio.Event()

    async def use() -> None:
        async with AgentInfra.start(timeout=1, cli_path=cli_path()):
            entered.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(use())
    deadline = time.monotonic() + 30
    while read_serve(tmp_path) is None:  # `serve --detach` has launched the server
        assert time.monotonic() < deadline and not task.done()
        await asyncio.sleep(0.01)
    pid = int(read_serve(tmp_path)["pid"])  # type: ignore[index,call-overload]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        await asyncio.sleep(0.05)
    assert not _alive(pid)


def test_a_live_pid_that_does_not_hold_the_serve_lock_is_no_server(server: Server, tmp_path: Path) -> None:
    # The real server holds its home's serve lock: found.
    found = read_serve_state(server.home)
    assert found is not None and found["pid"] == server.proc.pid
    # After a crash, state.json may name a pid that now belongs to an unrelated live process.
    stranger = subprocess.Popen(["sleep", "30"])
    try:
        home = tmp_path / "crashed"
        home.mkdir()
        state = json.loads((server.home / "state.json").read_text())
        state["serve"]["pid"] = stranger.pid
        (home / "state.json").write_text(json.dumps(state))
        (home / "serve.lock").write_text("")
        assert read_serve_state(home) is None
        assert not holds_serve_lock(home, stranger.pid)
        # The real server's pid does not hold this home's lock either.
        assert not holds_serve_lock(home, server.proc.pid)
        assert stranger.poll() is None
    finally:
        stranger.kill()
        stranger.wait()
