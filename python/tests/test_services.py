"""Environment manager RPCs and `start(services=...)` on the real Docker engine, with the
local test image dspy-test/busybox (scripts/build-test-images.sh) on a free host port."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Server, cli_path, free_port, start_server, stop_server
from dspy_agent.infra import AgentInfra, ServiceError, ServiceProgress

IMAGE = "dspy-test/busybox:latest"


def _docker_ready() -> bool:
    if not shutil.which("docker"):
        return False
    r = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(not _docker_ready(), reason=f"needs a Docker engine with {IMAGE}")


@pytest.fixture
def docker_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, int]]:
    port = free_port()
    services = tmp_path / "services.toml"
    services.write_text(
        f"""
[services.ollama]
image = "{IMAGE}"
command = ["httpd", "-f", "-p", "11434", "-h", "/www"]
ports = ["{port}:11434"]

# Never healthy: nothing answers its HTTP health check.
[services.reddb]
image = "{IMAGE}"
command = ["sleep", "3600"]
ports = ["{free_port()}:8080"]
health = {{ timeout_s = 1.0 }}
"""
    )
    srv = start_server(tmp_path / "home", DSPY_AGENT_SERVICES_FILE=str(services))
    project = srv.env["DSPY_AGENT_PROJECT"]
    # The CLI that start(services=...) runs must see the same home, project and catalog.
    for key in ("DSPY_AGENT_HOME", "DSPY_AGENT_PROJECT", "DSPY_AGENT_SERVICES_FILE"):
        monkeypatch.setenv(key, srv.env[key])
    monkeypatch.setenv("DSPY_AGENT_CLI_PATH", cli_path())
    try:
        yield srv, port
    finally:
        stop_server(srv)
        ids = subprocess.run(
            ["docker", "ps", "-aq", "--filter", f"label=dspy-agent.project={project}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        if ids:
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
        subprocess.run(["docker", "network", "rm", f"{project}_default"], capture_output=True)
        # Named volumes (ollama's models) outlive their containers unless removed.
        vols = subprocess.run(
            ["docker", "volume", "ls", "-q", "--filter", f"label=dspy-agent.project={project}"],
            capture_output=True,
            text=True,
        ).stdout.split()
        if vols:
            subprocess.run(["docker", "volume", "rm", "-f", *vols], capture_output=True)


def _container_names(project: str) -> list[str]:
    out = subprocess.run(
        ["docker", "ps", "--format", "{{.Names}}", "--filter", f"label=dspy-agent.project={project}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(out.split())


async def test_start_status_logs_stop(docker_server: tuple[Server, int]) -> None:
    server, port = docker_server
    async with AgentInfra.start(
        server.addr, env_manager_addr=server.env_manager_addr, auto_start=False
    ) as infra:
        assert [s for s in await infra.services_status() if s.state == "running"] == []

        progress: list[ServiceProgress] = [p async for p in infra.start_services(["ollama"])]
        assert progress[-1].type == "done" and progress[-1].status == "ok", progress
        assert any(p.service == "ollama" and p.status == "healthy" for p in progress), progress

        status = {s.name: s for s in await infra.services_status()}
        assert status["ollama"].state == "running"
        assert status["ollama"].image == IMAGE
        assert [p.host_port for p in status["ollama"].ports] == [port]

        async for _ in infra.stream_logs(["ollama"], tail=10):
            pass  # httpd -f writes little; the point is that the stream ends cleanly

        results = await infra.stop_services(["ollama"], stop_timeout=2)
        assert [(r.service, r.removed) for r in results] == [("ollama", True)]
    assert _container_names(server.env["DSPY_AGENT_PROJECT"]) == []


async def test_start_brings_services_up_and_down(docker_server: tuple[Server, int]) -> None:
    server, _ = docker_server
    project = server.env["DSPY_AGENT_PROJECT"]
    async with AgentInfra.start(
        server.addr, env_manager_addr=server.env_manager_addr, services=["ollama"]
    ) as infra:
        assert _container_names(project) == [f"{project}-ollama"]
        health = await infra.health()
        assert [(s.name, s.state) for s in health.services] == [("ollama", "running")]
    # It started the service, so it stopped it; the server it found keeps running.
    assert _container_names(project) == []
    assert server.proc.poll() is None


async def test_start_leaves_services_it_did_not_start(docker_server: tuple[Server, int]) -> None:
    server, _ = docker_server
    project = server.env["DSPY_AGENT_PROJECT"]
    async with AgentInfra.start(server.addr, env_manager_addr=server.env_manager_addr) as infra:
        assert [p async for p in infra.start_services(["ollama"])][-1].status == "ok"
    async with AgentInfra.start(server.addr, env_manager_addr=server.env_manager_addr, services=["ollama"]):
        pass
    assert _container_names(project) == [f"{project}-ollama"]


async def test_start_takes_down_what_a_failed_up_created(docker_server: tuple[Server, int]) -> None:
    server, _ = docker_server
    project = server.env["DSPY_AGENT_PROJECT"]
    with pytest.raises(ServiceError, match="reddb") as err:
        async with AgentInfra.start(
            server.addr, env_manager_addr=server.env_manager_addr, services=["reddb"]
        ):
            pass
    assert "reddb" in err.value.started
    assert _container_names(project) == []
