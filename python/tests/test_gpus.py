"""GPU requests from Python against a real server on this (GPU-less) machine: the fields reach
validation, and a pull worker that declares its GPUs gets a fitting task and sees its own."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dspy_agent.infra import AgentInfra, InvalidTask, current_gpus


async def test_gpu_fields_are_validated_with_the_total_named(infra: AgentInfra) -> None:
    with pytest.raises(InvalidTask, match="gpus is -1"):
        await infra.submit_task("neg", {"command": ["true"]}, task_class="gpu", gpus=-1)
    with pytest.raises(InvalidTask, match="gpu_memory_mb is -3"):
        await infra.submit_task("negmem", {"command": ["true"]}, gpus=1, gpu_memory_mb=-3)
    # A process task needs this machine's GPUs: none here, so the total is named.
    with pytest.raises(InvalidTask, match="0 in total"):
        await infra.submit_task("local", {"command": ["true"]}, task_class="gpu")
    # gpus=0 runs it without one.
    await infra.submit_task("cpu", {"command": ["true"]}, task_class="gpu", gpus=0)
    status = await infra.wait_for_task("cpu", timeout=15)
    assert status.gpus == 0 and status.gpu_uuids == ()


async def test_a_worker_declaring_gpus_gets_fitting_tasks_and_sees_its_own(infra: AgentInfra) -> None:
    def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"gpus": list(current_gpus())}

    await infra.submit_task("two", {"n": 2}, task_class="gpu", gpus=2)
    await infra.submit_task("one", {"n": 1}, task_class="gpu", gpus=1, gpu_memory_mb=100)
    worker = asyncio.create_task(infra.run_worker(handler, classes=["gpu"], gpus=["GPU-py-a"]))
    try:
        done = await infra.wait_for_task("one", timeout=15)
        # The 2-GPU task does not fit a 1-GPU worker: it is still waiting.
        assert (await infra.get_task_status("two")).status == "queued"
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
    assert done.decoded_result()["gpus"] == ["GPU-py-a"]
    assert done.gpu_uuids == ("GPU-py-a",) and done.gpus == 1 and done.gpu_memory_mb == 100
