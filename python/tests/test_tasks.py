"""Task RPCs against a real server: process tasks, errors, streams, metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dspy_agent.infra import (
    AgentInfra,
    Event,
    InvalidTask,
    NotSupported,
    TaskCancelled,
    TaskConflict,
    TaskFailed,
    TaskNotFound,
    TaskResult,
    TaskTimeout,
)


async def test_submit_and_wait_on_a_process_task(infra: AgentInfra) -> None:
    task_id = await infra.submit_task("proc-1", {"command": ["sh", "-c", "echo hello; echo oops >&2"]})
    assert task_id == "proc-1"
    status = await infra.wait_for_task(task_id, timeout=15)
    assert status.status == "completed"
    assert status.executor == "process"
    assert status.result["exit_code"] == "0"
    assert status.result["stdout_tail"] == "hello\n"
    assert status.result["stderr_tail"] == "oops\n"
    assert status.attempt == 1


async def test_failed_process_raises_task_failed(infra: AgentInfra) -> None:
    await infra.submit_task("proc-fail", {"command": "exit 3"}, max_attempts=1)
    with pytest.raises(TaskFailed) as err:
        await infra.wait_for_task("proc-fail", timeout=15)
    assert err.value.status.status == "failed"
    assert err.value.status.result.get("exit_code") == "3"


async def test_generated_id_and_idempotent_resubmission(infra: AgentInfra) -> None:
    generated = await infra.submit_task(None, {"command": ["true"]})
    assert generated
    assert await infra.submit_task("same", {"command": ["true"]}) == "same"
    assert await infra.submit_task("same", {"command": ["true"]}) == "same"
    with pytest.raises(TaskConflict):
        await infra.submit_task("same", {"command": ["false"]})


async def test_typed_errors(infra: AgentInfra) -> None:
    with pytest.raises(TaskNotFound):
        await infra.get_task_status("no-such-task")
    with pytest.raises(InvalidTask):
        await infra.submit_task("bad id!", {"a": 1})
    with pytest.raises(InvalidTask):
        await infra.submit_task("x", {"a": 1}, task_class="no_such_class")
    with pytest.raises(NotSupported):
        await infra.submit_task("slurm", {"a": 1}, task_class="gpu_slurm")


async def test_cancel_list_and_wait_timeout(infra: AgentInfra) -> None:
    # No worker serves cpu_long here, so the task stays queued.
    await infra.submit_task("parked", {"data": 1}, task_class="cpu_long")
    with pytest.raises(TaskTimeout):
        await infra.wait_for_task("parked", timeout=0.3)
    queued = await infra.list_tasks(status="queued")
    assert [t.task_id for t in queued] == ["parked"]
    assert queued[0].task_class == "cpu_long"
    assert await infra.cancel_task("parked") is True
    assert await infra.cancel_task("parked") is False
    with pytest.raises(TaskCancelled):
        await infra.wait_for_task("parked", timeout=5)
    assert (await infra.get_task_status("parked")).status == "cancelled"


async def test_stream_task_results(infra: AgentInfra) -> None:
    await infra.submit_task("early", {"command": ["true"]})
    await infra.wait_for_task("early", timeout=15)

    got: list[TaskResult] = []

    async def collect() -> None:
        async for r in infra.stream_task_results(include_completed=True):
            got.append(r)
            if len(got) == 3:
                return

    reader = asyncio.create_task(collect())
    await infra.submit_task("live-ok", {"command": ["sh", "-c", "echo hi"]})
    await infra.submit_task("live-bad", {"command": ["false"]}, max_attempts=1)
    await asyncio.wait_for(reader, 15)
    by_id = {r.task_id: r for r in got}
    assert set(by_id) == {"early", "live-ok", "live-bad"}
    assert by_id["early"].status == "completed"  # replayed
    assert by_id["live-ok"].result["stdout_tail"] == "hi\n"
    assert by_id["live-bad"].status == "failed"


async def test_stream_events(infra: AgentInfra) -> None:
    since = int(time.time() * 1000) - 1
    await infra.submit_task("evt", {"command": ["true"]})
    await infra.wait_for_task("evt", timeout=15)

    seen: list[Event] = []

    async def collect() -> None:
        async for e in infra.stream_events(since_ms=since):
            if e.task_id == "evt":
                seen.append(e)
                if e.type == "task_completed":
                    return

    await asyncio.wait_for(collect(), 15)
    types = [e.type for e in seen]
    assert types[0] == "task_submitted" and types[-1] == "task_completed"
    assert "task_started" in types
    assert all(b.sequence > a.sequence for a, b in zip(seen, seen[1:], strict=False))

    # A type filter, live: only task_completed of the next task.
    async def first_completed() -> Event:
        async for e in infra.stream_events(["task_completed"]):
            return e
        raise AssertionError("stream ended")

    reader = asyncio.create_task(first_completed())
    await asyncio.sleep(0.2)  # let the subscription reach the server
    await infra.submit_task("evt2", {"command": ["true"]})
    event = await asyncio.wait_for(reader, 15)
    assert (event.type, event.task_id) == ("task_completed", "evt2")


async def test_health_and_metrics(infra: AgentInfra) -> None:
    health = await infra.health()
    assert health.status == "SERVING"
    assert health.version
    await infra.submit_task("m", {"command": ["true"]})
    await infra.wait_for_task("m", timeout=15)
    metrics = await infra.get_metrics()
    assert metrics
    names = {m.name for m in metrics}
    assert any("submitted" in n for n in names), sorted(names)


async def test_submit_tasks_in_batches_with_one_bad_task(infra: AgentInfra) -> None:
    def tasks() -> Iterator[dict[str, Any]]:  # a generator: submit_tasks reads it lazily
        for i in range(1203):
            task: dict[str, Any] = {"task_id": f"bt-{i}", "payload": {"zip": "10001", "i": i}}
            if i == 700:
                task["class"] = "no_such_class"
            yield task

    results = await infra.submit_tasks(tasks(), batch_size=250, concurrency=3)
    assert len(results) == 1203
    assert [r["task_id"] for r in results] == [f"bt-{i}" for i in range(1203)]
    assert results[700]["outcome"] == "error" and "unknown task class" in results[700]["error"]
    assert sum(r["outcome"] == "created" for r in results) == 1202
    again = await infra.submit_tasks(({"task_id": "bt-1", "payload": {"i": 1, "zip": "10001"}},))
    assert again == [{"task_id": "bt-1", "outcome": "existing", "error": ""}]
    with pytest.raises(ValueError, match="unknown task fields"):
        await infra.submit_tasks([{"task_id": "x", "paylod": {}}])


async def test_a_waiting_task_says_why(infra: AgentInfra) -> None:
    # A payload with neither command nor image waits for a pull worker; none is connected.
    await infra.submit_task("why-w", {"question": "q"})
    status = await infra.get_task_status("why-w")
    assert status.status == "queued"
    reason = status.blocked_reason
    assert reason is not None
    assert reason.kind == "no_worker"
    assert reason.workers_connected == 0
    assert "no pull worker" in reason.message
    assert reason.task_class == status.task_class
    await infra.cancel_task("why-w")
    assert (await infra.get_task_status("why-w")).blocked_reason is None


async def test_retry_task_runs_a_failed_task_again_with_its_payload(
    infra: AgentInfra, tmp_path: Any
) -> None:
    # Fails while the marker is missing and creates it: the retry finds it and succeeds.
    marker = tmp_path / "marker"
    script = f"test -e {marker} || {{ touch {marker}; exit 3; }}"
    await infra.submit_task("flaky", {"command": ["sh", "-c", script]}, max_attempts=1)
    with pytest.raises(TaskFailed):
        await infra.wait_for_task("flaky", timeout=15)
    status = await infra.retry_task("flaky")
    assert status.status in ("queued", "running", "completed")
    done = await infra.wait_for_task("flaky", timeout=15)
    assert done.status == "completed" and done.attempt == 2  # the attempt number keeps counting
    with pytest.raises(TaskConflict):
        await infra.retry_task("flaky")  # completed: nothing to retry
    with pytest.raises(TaskNotFound):
        await infra.retry_task("never-submitted")
