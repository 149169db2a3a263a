"""DAG workflows from Python against a real server: the DSPy-shaped pipeline (retrieve, a map
of 50 inferences, score, a gated aggregate) served by a Python pull worker written with
`run_worker`, the stream's first message, failures and a retry of exactly the failed items."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dspy_agent.infra import AgentInfra, InvalidTask, TaskConflict, Workflow, WorkflowFailed


def pipeline() -> Workflow:
    return (
        Workflow("rag", params={"query": "why", "fail": []})
        .step("retrieve", payload={"op": "retrieve", "query": "${params.query}"})
        .map(
            "infer",
            over="${steps.retrieve.outputs.items}",
            payload={"op": "infer", "doc": "${item}", "index": "${index}", "fail": "${params.fail}"},
            depends=["retrieve"],
            max_parallel=16,
            max_attempts=1,
        )
        .step("score", payload={"op": "score", "answers": "${steps.infer.outputs}"}, depends=["infer"])
        .step(
            "aggregate",
            payload={"op": "aggregate", "n": "${steps.score.outputs.n}"},
            depends=["score"],
            when="${steps.score.outputs.ok} == true",
        )
    )


class Handler:
    """One worker for every step: what it ran, by op."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def __call__(self, task_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        op = payload["op"]
        if op == "retrieve":
            self.calls.append((op, payload["query"]))
            return {"items": [f"doc-{i}" for i in range(50)]}
        if op == "infer":
            self.calls.append((op, payload["index"]))
            if payload["index"] in payload["fail"]:
                raise RuntimeError(f"model error on item {payload['index']}")
            return {"answer": payload["doc"].upper(), "index": payload["index"]}
        if op == "score":
            answers = payload["answers"]
            self.calls.append((op, len(answers)))
            return {"ok": all(a["answer"].startswith("DOC-") for a in answers), "n": len(answers)}
        self.calls.append((op, payload["n"]))
        return {"summary": f"{payload['n']} answers"}


async def test_the_dspy_pipeline_runs_on_a_python_worker(infra: AgentInfra) -> None:
    created = await infra.create_workflow(pipeline())
    assert created["created"] and created["steps"] == 4
    handler = Handler()
    worker = asyncio.create_task(infra.run_worker(handler, concurrency=8))
    try:
        run = await infra.start_workflow_run("rag", run_id="rag-1")
        assert run["created"] and run["status"] == "running"
        updates = infra.stream_workflow_status("rag-1")
        first = await updates.__anext__()
        await updates.aclose()
        assert first.kind == "graph"
        assert [s["id"] for s in first.run["steps"]] == ["retrieve", "infer", "score", "aggregate"]
        done = await infra.wait_for_workflow("rag-1", timeout=60)
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
    steps = {s["id"]: s for s in done["steps"]}
    assert steps["infer"]["map"]["completed"] == 50
    outputs = steps["infer"]["outputs"]
    assert [o["index"] for o in outputs] == list(range(50))
    assert outputs[7]["answer"] == "DOC-7"
    assert steps["score"]["outputs"] == {"ok": True, "n": 50}
    assert steps["aggregate"]["outputs"] == {"summary": "50 answers"}
    assert sorted(i for op, i in handler.calls if op == "infer") == list(range(50))
    # Starting it again with the same id is the same run, not a second one.
    again = await infra.start_workflow_run("rag", run_id="rag-1")
    assert not again["created"]
    with pytest.raises(TaskConflict):
        await infra.start_workflow_run("rag", run_id="rag-1", params={"query": "other"})
    metrics = {(m.name, tuple(sorted(m.labels.items()))): m.value for m in await infra.get_metrics()}
    assert metrics[("workflow_runs_total", (("status", "completed"),))] == 1


async def test_a_retry_runs_only_the_failed_items_then_downstream(infra: AgentInfra) -> None:
    await infra.create_workflow(pipeline())
    handler = Handler()
    worker = asyncio.create_task(infra.run_worker(handler, concurrency=8))
    try:
        await infra.start_workflow_run("rag", run_id="rag-f", params={"fail": [4, 9]})
        with pytest.raises(WorkflowFailed) as failed:
            await infra.wait_for_workflow("rag-f", timeout=60)
        steps = {s["id"]: s for s in failed.value.run["steps"]}
        assert steps["infer"]["map"]["failed"] == 2
        assert steps["score"]["status"] == "skipped"
        handler.calls.clear()
        await infra.retry_workflow_run("rag-f", params_override={"fail": []})
        done = await infra.wait_for_workflow("rag-f", timeout=60)
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
    assert sorted(i for op, i in handler.calls if op == "infer") == [4, 9]
    assert [op for op, _ in handler.calls if op != "infer"] == ["score", "aggregate"]
    assert done["history"][-1]["params_override"] == {"fail": []}


async def test_a_bad_spec_names_the_step_and_field(infra: AgentInfra) -> None:
    bad = Workflow("bad").step("a", depends=["b"]).step("b", depends=["a"])
    with pytest.raises(InvalidTask, match="depends: a cycle"):
        await infra.create_workflow(bad)
    with pytest.raises(InvalidTask, match=r"step \"x\": payload: unknown param"):
        await infra.create_workflow(Workflow("bad2").step("x", payload={"v": "${params.nope}"}))
