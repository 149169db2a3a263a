"""gpu_slurm through the Python client (grpcio) on the real one-node Slurm cluster.

Skipped, loudly, without Slurm installed unless DSPY_AGENT_REQUIRE_SLURM is set (the test
command sets it), in which case it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dspy_agent.infra import AgentInfra, TaskFailed

from conftest import _LEAKY_ENV, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]


def need_cluster() -> None:
    if shutil.which("sinfo") is None:
        if os.environ.get("DSPY_AGENT_REQUIRE_SLURM"):
            pytest.fail("DSPY_AGENT_REQUIRE_SLURM is set but Slurm is not installed")
        pytest.skip("SKIPPED: Slurm is not installed; scripts/setup.sh installs slurm-wlm and munge")
    up = subprocess.run([ROOT / "scripts" / "slurm-up.sh"], capture_output=True, text=True, timeout=120)
    assert up.returncode == 0, up.stderr


@pytest.fixture
async def slurm_infra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AgentInfra]:
    need_cluster()
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)
    srv = start_server(
        tmp_path / "home",
        DSPY_AGENT_SLURM_POLL_INTERVAL_S="1",
        DSPY_AGENT_SLURM_WORKDIR=str(tmp_path / "slurm"),
    )
    # The token of the server it talks to, as the `server` fixture gives it.
    monkeypatch.setenv("DSPY_AGENT_TOKEN", (srv.home / "auth" / "token").read_text().strip())
    try:
        async with AgentInfra.start(
            srv.addr, env_manager_addr=srv.env_manager_addr, auto_start=False, timeout=5
        ) as infra:
            yield infra
    finally:
        stop_server(srv)


async def test_gpu_slurm_task_runs_as_a_slurm_job(slurm_infra: AgentInfra) -> None:
    await slurm_infra.submit_task(
        "py-slurm", {"command": "echo \"on $(hostname)\"; echo '{\"loss\": 0.25}'"}, task_class="gpu_slurm"
    )
    status = await slurm_infra.wait_for_task("py-slurm", timeout=60)
    assert status.status == "completed"
    assert status.executor == "slurm"
    assert status.result["exit_code"] == "0"
    assert status.result["loss"] == "0.25"
    assert status.slurm["job_id"] == status.result["slurm_job_id"]
    assert status.slurm["state"] == "COMPLETED"

    await slurm_infra.submit_task("py-slurm-fail", {"command": "exit 4"}, task_class="gpu_slurm", max_attempts=1)
    with pytest.raises(TaskFailed) as err:
        await slurm_infra.wait_for_task("py-slurm-fail", timeout=60)
    assert err.value.status.result["exit_code"] == "4"
