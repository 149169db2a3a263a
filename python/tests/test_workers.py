"""Pull workers against a real server: round trips, failures, lease extension, graceful stop,
and redelivery after a worker process is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Server, free_port, start_server, stop_server
from dspy_agent.infra import AgentInfra, TaskFailed


async def _with_worker(infra: AgentInfra, handler: Any, **kw: Any) -> asyncio.Task[None]:
    return asyncio.create_task(infra.run_worker(handler, **kw))


async def _stop(worker: asyncio.Task[None]) -> None:
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await worker


async def test_worker_round_trip_async_and_sync(infra: AgentInfra) -> None:
    got: dict[str, dict[str, Any]] = {}

    async def async_handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        got[task_id] = payload
        return {"sum": sum(payload["xs"]), "label": payload["label"], "nested": {"ok": True}}

    def sync_handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.05)  # blocking is fine: sync handlers run in a thread
        return {"double": payload["n"] * 2}

    await infra.submit_task("rt-1", {"xs": [1, 2, 3], "label": "plain text"})
    worker = await _with_worker(infra, async_handler, concurrency=4)
    try:
        status = await infra.wait_for_task("rt-1", timeout=15)
    finally:
        await _stop(worker)
    # Non-string payload values were JSON on the wire and arrive decoded.
    assert got["rt-1"] == {"xs": [1, 2, 3], "label": "plain text"}
    assert status.result == {"sum": "6", "label": "plain text", "nested": '{"ok": true}'}
    assert status.decoded_result() == {"sum": 6, "label": "plain text", "nested": {"ok": True}}
    assert status.worker_id == "" and status.executor == "worker"

    await infra.submit_task("rt-2", {"n": 21}, task_class="gpu")
    worker = await _with_worker(infra, sync_handler, classes=["gpu"])
    try:
        assert (await infra.wait_for_task("rt-2", timeout=15)).decoded_result() == {"double": 42}
    finally:
        await _stop(worker)


async def test_typed_payload_reaches_the_worker_unchanged(infra: AgentInfra) -> None:
    """Strings that look like JSON stay strings (payload_json on the wire, not the legacy map)."""
    payload = {
        "zip": "10001",
        "flag": "true",
        "nothing": "null",
        "real_null": None,
        "nested": {"a": [1, "2", {"b": "false"}], "d": {}},
        "list": ["true", 10001, None, [["x"]]],
    }
    got: dict[str, Any] = {}

    async def handler(task_id: str, p: dict[str, Any]) -> dict[str, Any]:
        got[task_id] = p
        return {}

    await infra.submit_task("typed-1", payload)
    # Resubmitting the same payload is idempotent, not a conflict.
    await infra.submit_task("typed-1", dict(reversed(list(payload.items()))))
    worker = await _with_worker(infra, handler)
    try:
        await infra.wait_for_task("typed-1", timeout=15)
    finally:
        await _stop(worker)
    assert got["typed-1"] == payload


async def test_handler_exception_becomes_a_failure_with_traceback(infra: AgentInfra) -> None:
    def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        raise ValueError(f"boom on {task_id}")

    await infra.submit_task("exc", {"a": 1}, max_attempts=1)
    worker = await _with_worker(infra, handler)
    try:
        with pytest.raises(TaskFailed) as err:
            await infra.wait_for_task("exc", timeout=15)
    finally:
        await _stop(worker)
    assert "Traceback (most recent call last)" in err.value.error
    assert "ValueError: boom on exc" in err.value.error


async def test_failed_attempt_is_retried(infra: AgentInfra) -> None:
    calls: list[int] = []

    async def flaky(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first try fails")
        return {"try": len(calls)}

    await infra.submit_task("flaky", {"a": 1}, max_attempts=2)
    worker = await _with_worker(infra, flaky)
    try:
        status = await infra.wait_for_task("flaky", timeout=15)
    finally:
        await _stop(worker)
    assert status.attempt == 2 and status.result == {"try": "2"}


async def test_leases_are_extended_while_the_handler_runs(infra: AgentInfra) -> None:
    async def slow(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(2.5)  # 2.5 leases long
        return {"done": True}

    await infra.submit_task("slow", {"a": 1})
    worker = await _with_worker(infra, slow, lease_seconds=1.0)
    try:
        status = await infra.wait_for_task("slow", timeout=15)
    finally:
        await _stop(worker)
    assert status.attempt == 1  # never expired, never redelivered
    assert status.result == {"done": "true"}


async def test_cancelling_the_worker_lets_running_handlers_finish(infra: AgentInfra) -> None:
    started = asyncio.Event()

    async def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        started.set()
        await asyncio.sleep(0.5)
        return {"finished": True}

    await infra.submit_task("drain", {"a": 1})
    worker = await _with_worker(infra, handler, drain_timeout=10)
    await asyncio.wait_for(started.wait(), 15)
    await _stop(worker)  # returns once the running handler has reported
    status = await infra.get_task_status("drain")
    assert status.status == "completed" and status.result == {"finished": "true"}


async def test_cancelling_a_task_stops_its_handler(infra: AgentInfra) -> None:
    started = asyncio.Event()
    stopped = asyncio.Event()

    async def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            stopped.set()
            raise
        return {}

    await infra.submit_task("cancel-me", {"a": 1})
    worker = await _with_worker(infra, handler, lease_seconds=0.6)
    try:
        await asyncio.wait_for(started.wait(), 15)
        assert await infra.cancel_task("cancel-me")
        await asyncio.wait_for(stopped.wait(), 5)  # the next heartbeat finds the lease gone
    finally:
        await _stop(worker)
    assert (await infra.get_task_status("cancel-me")).status == "cancelled"


WORKER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from dspy_agent.infra import AgentInfra

    addr, marker = sys.argv[1], Path(sys.argv[2])

    async def hang(task_id, payload):
        marker.write_text(task_id)
        await asyncio.sleep(3600)

    async def main():
        async with AgentInfra.start(addr, auto_start=False) as infra:
            await infra.run_worker(hang, lease_seconds=1.0, worker_id="doomed")

    asyncio.run(main())
    """
)


async def test_task_is_redelivered_after_its_worker_process_is_killed(
    infra: AgentInfra, server: Server, tmp_path: Path
) -> None:
    since = int(time.time() * 1000) - 1
    await infra.submit_task("orphan", {"work": "x"}, max_attempts=3)
    marker = tmp_path / "leased"
    proc = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, server.addr, str(marker)])
    try:
        deadline = time.monotonic() + 20
        while not marker.exists():
            assert proc.poll() is None, "the worker process died on its own"
            assert time.monotonic() < deadline, "the worker never leased the task"
            await asyncio.sleep(0.05)
        held = await infra.get_task_status("orphan")
        assert (held.status, held.worker_id, held.attempt) == ("running", "doomed", 1)
        # Alive and heartbeating: the lease outlives its 1 s length.
        await asyncio.sleep(1.5)
        assert (await infra.get_task_status("orphan")).status == "running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

    async def finish(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"rescued": payload["work"]}

    worker = await _with_worker(infra, finish, worker_id="rescuer")
    try:
        status = await infra.wait_for_task("orphan", timeout=20)
    finally:
        await _stop(worker)
    assert status.attempt == 2
    assert status.result == {"rescued": "x"}

    async def expired() -> str:
        async for e in infra.stream_events(["lease_expired"], since_ms=since):
            return e.data.get("worker_id", "")
        raise AssertionError("stream ended")

    assert await asyncio.wait_for(expired(), 5) == "doomed"


async def test_refused_result_becomes_a_failure(infra: AgentInfra) -> None:
    async def huge(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"blob": "x" * (2 * 1024 * 1024)}  # over the 1 MiB default limit

    await infra.submit_task("huge", {"a": 1}, max_attempts=1)
    worker = await _with_worker(infra, huge)
    try:
        with pytest.raises(TaskFailed, match="result was refused"):
            await infra.wait_for_task("huge", timeout=15)
    finally:
        await _stop(worker)


async def test_concurrency_runs_handlers_side_by_side(infra: AgentInfra) -> None:
    running = 0
    peak = 0

    async def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.4)
        running -= 1
        return {}

    ids = [await infra.submit_task(f"par-{i}", {"i": i}) for i in range(8)]
    worker = await _with_worker(infra, handler, concurrency=4)
    t0 = time.monotonic()
    try:
        for task_id in ids:
            await infra.wait_for_task(task_id, timeout=15)
    finally:
        await _stop(worker)
    assert peak == 4  # never more than asked, and all of it used
    assert time.monotonic() - t0 < 8 * 0.4  # faster than one at a time


async def test_worker_survives_a_server_restart(tmp_path: Path) -> None:
    port = free_port()
    home = tmp_path / "home"
    srv = start_server(home, ORCHESTRATOR_GRPC_ADDR=f"127.0.0.1:{port}")
    worker: asyncio.Task[None] | None = None
    try:
        async with AgentInfra.start(srv.addr, auto_start=False, timeout=2, home=home) as infra:

            async def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
                return {"ok": True}

            worker = await _with_worker(infra, handler)
            await infra.submit_task("before", {"a": 1})
            await infra.wait_for_task("before", timeout=15)

            stop_server(srv)
            await asyncio.sleep(0.5)  # the worker's long poll fails and it backs off
            srv = start_server(home, ORCHESTRATOR_GRPC_ADDR=f"127.0.0.1:{port}")
            await infra.submit_task("after", {"a": 2})
            status = await infra.wait_for_task("after", timeout=20)
            assert status.status == "completed"
            assert not worker.done()
            await _stop(worker)
    finally:
        if worker is not None and not worker.done():
            worker.cancel()
        stop_server(srv)


async def test_run_worker_registers_and_is_listed_with_its_counts(infra: AgentInfra) -> None:
    def handler(task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("fail"):
            raise RuntimeError("asked to fail")
        return {}

    worker = await _with_worker(infra, handler, concurrency=2, worker_id="py-reg", classes=["cpu_short"])
    try:
        await infra.submit_task("reg-ok", {"n": 1})
        await infra.submit_task("reg-bad", {"fail": True}, max_attempts=1)
        deadline = time.monotonic() + 15
        while True:
            listed = {w["name"]: w for w in await infra.list_workers()}
            w = listed.get("py-reg")
            if w and w["tasks_done"] == 1 and w["tasks_failed"] == 1:
                break
            assert time.monotonic() < deadline, f"py-reg not listed as expected: {listed}"
            await asyncio.sleep(0.1)
    finally:
        await _stop(worker)
    assert w["state"] == "connected"
    assert w["classes"] == ["cpu_short"] and w["concurrency"] == 2
    assert w["version"].startswith("python-") and w["host"]
