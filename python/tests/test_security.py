"""Tokens and TLS from the Python client, against the real `dspy-agent serve`."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from conftest import Server, cli_path, start_server, stop_server
from dspy_agent.infra import AgentInfra, AuthError, OrchestratorUnavailable


def make_token(home: Path, name: str, role: str) -> str:
    out = subprocess.run(
        [cli_path(), "auth", "token", "create", name, "--role", role],
        env={"DSPY_AGENT_HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


async def test_the_home_token_is_found_without_being_named(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # No DSPY_AGENT_TOKEN: the home's own token file is read.
    monkeypatch.delenv("DSPY_AGENT_TOKEN")
    async with AgentInfra.start(server.addr, auto_start=False, timeout=5, home=server.home) as infra:
        assert await infra.submit_task("py-home-token", {"data": 1}) == "py-home-token"


async def test_missing_wrong_and_too_weak_tokens_are_refused(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSPY_AGENT_TOKEN")
    # A home without a token file: nothing is sent.
    async with AgentInfra(server.addr, timeout=5, home=server.home / "nowhere") as infra:
        with pytest.raises(AuthError, match="missing or invalid token"):
            await infra.list_tasks()
    async with AgentInfra(server.addr, timeout=5, token="wrong") as infra:
        with pytest.raises(AuthError, match="missing or invalid token"):
            await infra.list_tasks()
    reader = make_token(server.home, "py-read", "read")
    async with AgentInfra(server.addr, timeout=5, token=reader) as infra:
        await infra.list_tasks()
        with pytest.raises(AuthError, match="may not call"):
            await infra.submit_task("py-no", {"data": 1})


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    for name in ("DSPY_AGENT_TOKEN", "DSPY_AGENT_TLS_CA", "DSPY_AGENT_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[tls]\nself_signed = true\n")
    srv = start_server(home)
    try:
        yield srv
    finally:
        stop_server(srv)


async def test_tls_is_verified_with_the_home_ca_tls_ca_or_the_env(
    tls_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tls_server.home
    ca = home / "tls" / "ca.pem"
    # Found through state.json (tls: true) and the home's CA, with no arguments.
    async with AgentInfra.start(auto_start=False, timeout=5, home=home) as infra:
        await infra.submit_task("py-tls-1", {"data": 1})
    # An explicit tls_ca=, and the address named.
    async with AgentInfra(tls_server.addr, timeout=5, home=home, tls_ca=ca) as infra:
        assert (await infra.get_task_status("py-tls-1")).task_id == "py-tls-1"
    # The environment variable.
    monkeypatch.setenv("DSPY_AGENT_TLS_CA", str(ca))
    async with AgentInfra(tls_server.addr, timeout=5, home=home) as infra:
        await infra.list_tasks()
    monkeypatch.delenv("DSPY_AGENT_TLS_CA")
    # A CA of another home (another server's) is refused.
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.toml").write_text("[tls]\nself_signed = true\n")
    other_srv = start_server(other)
    stop_server(other_srv)
    async with AgentInfra(tls_server.addr, timeout=3, home=home, tls_ca=other / "tls" / "ca.pem") as infra:
        with pytest.raises(OrchestratorUnavailable):
            await infra.list_tasks()
    # A plain channel to a TLS server gets nowhere either.
    async with AgentInfra(tls_server.addr, timeout=3, home=home) as infra:
        with pytest.raises(OrchestratorUnavailable):
            await infra.list_tasks()


async def test_a_remote_worker_with_a_worker_token_over_tls(tls_server: Server) -> None:
    """The remote-worker path: only the address, a `worker` token and the CA."""
    home = tls_server.home
    ca = home / "tls" / "ca.pem"
    worker_token = make_token(home, "py-worker", "worker")
    submit_token = make_token(home, "py-submit", "submit")
    done: list[str] = []

    async def handler(task_id: str, payload: dict[str, object]) -> dict[str, object]:
        done.append(task_id)
        return {"ok": True}

    async with AgentInfra(tls_server.addr, timeout=5, token=submit_token, tls_ca=ca, home=home / "x") as client:
        await client.submit_task("py-remote-1", {"n": 1})
        async with AgentInfra(tls_server.addr, timeout=5, token=worker_token, tls_ca=ca, home=home / "x") as worker:
            # The worker role may not submit.
            with pytest.raises(AuthError):
                await worker.submit_task("py-no", {"n": 2})
            run = asyncio.create_task(worker.run_worker(handler))
            try:
                status = await client.wait_for_task("py-remote-1", timeout=20)
                assert status.status == "completed"
                assert done == ["py-remote-1"]
            finally:
                run.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await run
