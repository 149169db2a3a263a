#!/usr/bin/env python3
"""Python-side durable submission throughput: `submission` SubmitTask calls through
AgentInfra.submit_task with `concurrency` in flight on one asyncio loop, or, with --batch N,
AgentInfra.submit_tasks in SubmitTasks calls of N tasks, `--batches-in-flight` at a time.

    python bench/submit_bench.py --spawn target/debug/dspy-agent   # a private server
    python bench/submit_bench.py --addr 127.0.0.1:9098             # a running one
    python bench/submit_bench.py --spawn target/release/dspy-agent --batch 500 --submissions 200000

The tasks are pull-worker tasks ({"data": "value"}, class cpu_short, no worker), as in
`dspy-agent bench`: they stay queued, so this measures the durable submission path alone.
Prints tasks/s and per-call latency percentiles; --json prints one JSON document.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from dspy_agent.infra import AgentInfra


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(q * len(sorted_ms)))]


def spawn_server(cli: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "DSPY_AGENT_HOME": str(home),
        "ORCHESTRATOR_GRPC_ADDR": "127.0.0.1:0",
        "ENV_MANAGER_GRPC_ADDR": "127.0.0.1:0",
        "DSPY_AGENT_HTTP_ADDR": "127.0.0.1:0",
    }
    log = open(home / "serve.log", "wb")
    proc = subprocess.Popen([cli, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            serve = json.loads((home / "state.json").read_text()).get("serve")
        except (OSError, ValueError):
            serve = None
        if serve and serve.get("pid") == proc.pid:
            return proc, str(serve["orchestrator_addr"])
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise SystemExit(f"the server did not start; see {home / 'serve.log'}")


async def bench(addr: str, total: int, concurrency: int, warmup: int, home: Path | None) -> dict[str, object]:
    run = uuid.uuid4().hex[:8]
    payload = {"data": "value"}
    # The spawned server's home holds its token; a named --addr uses DSPY_AGENT_TOKEN or the
    # default home's.
    async with AgentInfra.start(addr, auto_start=False, timeout=30, home=home) as infra:
        for i in range(warmup):
            await infra.submit_task(f"warm-{run}-{i}", payload)
        latencies: list[float] = []
        next_i = 0

        async def client() -> None:
            nonlocal next_i
            while next_i < total:
                i = next_i
                next_i += 1  # one loop, no await in between: no lock needed
                t = time.perf_counter()
                await infra.submit_task(f"py-{run}-{i}", payload)
                latencies.append((time.perf_counter() - t) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "submissions": total,
        "concurrency": concurrency,
        "seconds": round(elapsed, 3),
        "tasks_per_s": round(total / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 3),
            "p90": round(percentile(latencies, 0.90), 3),
            "p99": round(percentile(latencies, 0.99), 3),
            "max": round(latencies[-1], 3),
        },
    }


async def bench_batch(addr: str, total: int, batch: int, in_flight: int, home: Path | None) -> dict[str, object]:
    run = uuid.uuid4().hex[:8]
    payload = {"data": "value"}
    async with AgentInfra.start(addr, auto_start=False, timeout=30, home=home) as infra:
        await infra.submit_tasks(({"task_id": f"warm-{run}-{i}", "payload": payload} for i in range(batch)))
        tasks = ({"task_id": f"py-{run}-{i}", "payload": payload} for i in range(total))
        started, cpu = time.perf_counter(), time.process_time()
        results = await infra.submit_tasks(tasks, batch_size=batch, concurrency=in_flight)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    created = sum(1 for r in results if r["outcome"] == "created")
    if created != total:
        raise SystemExit(f"only {created} of {total} tasks were created")
    return {
        "submissions": total,
        "batch_size": batch,
        "batches_in_flight": in_flight,
        "seconds": round(elapsed, 3),
        "tasks_per_s": round(total / elapsed, 1),
        # This process's CPU (gRPC's threads included) per task, the tasks' dicts included.
        "client_cpu_us_per_task": round(cpu * 1e6 / total, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--addr", help="orchestrator address of a running server")
    where.add_argument("--spawn", metavar="CLI", help="start a private `CLI serve` in a temporary home")
    ap.add_argument("--submissions", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--batch", type=int, default=0, help="submit_tasks with this batch size")
    ap.add_argument("--batches-in-flight", type=int, default=4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    proc = None
    with tempfile.TemporaryDirectory(prefix="dspy-agent-pybench-") as tmp:
        addr = args.addr
        if args.spawn:
            proc, addr = spawn_server(args.spawn, Path(tmp))
        try:
            home = Path(tmp) if args.spawn else None
            if args.batch > 0:
                report = asyncio.run(
                    bench_batch(addr, args.submissions, args.batch, args.batches_in_flight, home)
                )
            else:
                report = asyncio.run(bench(addr, args.submissions, args.concurrency, args.warmup, home))
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
    if args.json:
        print(json.dumps(report))
    elif args.batch > 0:
        print(
            f"python submit_tasks: {report['submissions']} durable submissions in {report['seconds']}s = "
            f"{report['tasks_per_s']:.0f} tasks/s, batches of {args.batch}, {args.batches_in_flight} in flight; "
            f"client CPU {report['client_cpu_us_per_task']} µs a task"
        )
    else:
        lat = report["latency_ms"]
        assert isinstance(lat, dict)
        print(
            f"python submit: {report['submissions']} durable submissions in {report['seconds']}s = "
            f"{report['tasks_per_s']:.0f} tasks/s at {report['concurrency']} in flight; "
            f"latency p50 {lat['p50']:.2f} ms, p90 {lat['p90']:.2f} ms, p99 {lat['p99']:.2f} ms, "
            f"max {lat['max']:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
