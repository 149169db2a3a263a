"""DAG workflows: a small spec builder, and what the server's workflow RPCs answer as plain
dicts (the run document, as `dspy-agent workflow status --json` prints it).

    wf = (
        Workflow("pipeline", params={"query": "why"})
        .step("retrieve", payload={"query": "${params.query}"})
        .map("infer", over="${steps.retrieve.outputs.items}", payload={"q": "${item}"},
             depends=["retrieve"], max_parallel=8)
        .step("score", payload={"answers": "${steps.infer.outputs}"}, depends=["infer"])
    )
    await infra.create_workflow(wf)
    run = await infra.start_workflow_run("pipeline", run_id="p-1")
    done = await infra.wait_for_workflow("p-1", timeout=60)

Steps with no `command` or `image` in their payload go to pull workers of their class, so
workers written with `run_worker` serve workflow steps unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._proto.orchestrator import v1_pb2 as pb
from .errors import InfraError


class WorkflowFailed(InfraError):
    """The waited-for run failed or was cancelled; `run` is its document."""

    def __init__(self, run: dict[str, Any]) -> None:
        super().__init__(f"workflow run {run.get('run_id')} {run.get('status')}: {run.get('error')}")
        self.run = run


class WorkflowTimeout(InfraError, TimeoutError):
    """The run did not end within the wait's timeout (it goes on running)."""


class Workflow:
    """A spec builder. `to_dict()` (or `json()`) gives what CreateWorkflow takes."""

    def __init__(self, name: str, *, params: Mapping[str, Any] | None = None) -> None:
        self.name = name
        self.params: dict[str, Any] = dict(params or {})
        self.steps: list[dict[str, Any]] = []

    def step(
        self,
        step_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        depends: Sequence[str] = (),
        task_class: str = "cpu_short",
        when: str | None = None,
        max_attempts: int = 0,
        timeout_seconds: float = 0.0,
        priority: int = 0,
        trigger: str = "all_success",
        continue_on_failure: bool = False,
    ) -> Workflow:
        s: dict[str, Any] = {
            "id": step_id,
            "depends": list(depends),
            "class": task_class,
            "payload": dict(payload or {}),
        }
        for key, value, default in (
            ("when", when, None),
            ("max_attempts", max_attempts, 0),
            ("timeout_seconds", timeout_seconds, 0.0),
            ("priority", priority, 0),
            ("trigger", trigger, "all_success"),
            ("continue_on_failure", continue_on_failure, False),
        ):
            if value != default:
                s[key] = value
        self.steps.append(s)
        return self

    def map(
        self,
        step_id: str,
        *,
        over: str,
        max_parallel: int = 0,
        **kw: Any,
    ) -> Workflow:
        """A step with one task per item of the list `over` names (`${params.x}` or
        `${steps.a.outputs.field}`); `${item}` and `${index}` are available in its payload."""
        self.step(step_id, **kw)
        self.steps[-1]["map"] = over
        if max_parallel:
            self.steps[-1]["max_parallel"] = max_parallel
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.params, "steps": self.steps}

    def json(self) -> str:
        return json.dumps(self.to_dict())


def spec_json(spec: Workflow | Mapping[str, Any] | str) -> str:
    if isinstance(spec, Workflow):
        return spec.json()
    return spec if isinstance(spec, str) else json.dumps(spec)


def encode_json_values(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Params travel as JSON texts, whatever their type (a string too)."""
    return {k: json.dumps(v) for k, v in (values or {}).items()}


def step_dict(s: pb.WorkflowStep) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": s.id,
        "status": s.status,
        "attempt": s.attempt,
        "depends": list(s.depends),
        "error": s.error,
        "started_at_ms": s.started_at_ms,
        "finished_at_ms": s.finished_at_ms,
        "outputs": json.loads(s.outputs_json) if s.outputs_json else None,
        "map": None,
    }
    if s.is_map:
        d["map"] = {
            "total": s.items_total,
            "completed": s.items_completed,
            "failed": s.items_failed,
            "running": s.items_running,
        }
    return d


def run_dict(r: pb.WorkflowRun) -> dict[str, Any]:
    """The run document when the message carries it, else what its fields say."""
    if r.document_json:
        return json.loads(r.document_json)  # type: ignore[no-any-return]
    return {
        "run_id": r.run_id,
        "workflow": r.workflow,
        "version": r.version,
        "status": r.status,
        "attempt": r.attempt,
        "error": r.error,
        "steps": [step_dict(s) for s in r.steps],
    }


@dataclass(frozen=True)
class WorkflowUpdate:
    """One message of StreamWorkflowStatus: `graph` (every step), `update` (the steps that
    changed) or `end` (the final run document)."""

    kind: str
    run: dict[str, Any]
