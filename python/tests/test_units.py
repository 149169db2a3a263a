"""Pure functions: encoding, addresses, discovery order. No server needed."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dspy_agent.infra.discovery import candidates, normalize_addr
from dspy_agent.infra._proto.orchestrator import v1_pb2 as pb
from dspy_agent.infra.agent_infra import _add_task
from dspy_agent.infra.types import decode_values, encode_values, payload_json


def test_non_string_values_are_json_never_repr() -> None:
    wire = encode_values(
        {"s": "value", "n": 5, "f": 1.5, "b": True, "none": None, "xs": [1, "a"], "d": {"k": (1, 2)}}
    )
    assert wire == {
        "s": "value",
        "n": "5",
        "f": "1.5",
        "b": "true",
        "none": "null",
        "xs": '[1, "a"]',
        "d": '{"k": [1, 2]}',
    }
    with pytest.raises(TypeError):
        encode_values({"x": object()})


def test_payload_json_is_compact_json_with_clear_errors() -> None:
    payload = {"t": "true", "zip": "10001", "n": None, "l": [1, 2.5, {"k": "é"}], "tu": (1, 2)}
    text = payload_json(payload)
    assert text == json.dumps(payload, separators=(",", ":"))
    assert json.loads(text) == {"t": "true", "zip": "10001", "n": None, "l": [1, 2.5, {"k": "é"}], "tu": [1, 2]}
    with pytest.raises(ValueError):
        payload_json({"x": float("nan")})
    with pytest.raises(TypeError, match="not JSON serializable"):
        payload_json({"x": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        payload_json({1: "x"})
    looped: dict[str, object] = {}
    looped["self"] = looped
    with pytest.raises((ValueError, RecursionError)):
        payload_json(looped)


def test_a_batch_task_takes_only_the_fields_it_gives() -> None:
    batch = pb.SubmitTasksRequest()
    _add_task(batch.tasks.add, {"task_id": "a", "payload": {"x": "1"}, "class": "gpu", "gpus": 1, "priority": None})
    _add_task(batch.tasks.add, {"payload": {}})
    first, second = batch.tasks
    assert (first.task_id, first.payload_json, getattr(first, "class"), first.gpus, first.priority) == (
        "a", '{"x":"1"}', "gpu", 1, 0
    )
    assert (second.task_id, second.payload_json, getattr(second, "class")) == ("", "{}", "")
    with pytest.raises(ValueError, match="unknown task fields"):
        _add_task(batch.tasks.add, {"payload": {}, "paylod": {}})
    with pytest.raises(ValueError, match="unknown task fields"):
        _add_task(batch.tasks.add, {"payload": {}, "prio": None})
    assert len(batch.tasks) == 2


def test_decode_follows_the_server_rule() -> None:
    assert decode_values({"a": "[1, 2]", "b": "plain text", "c": '"q"'}) == {
        "a": [1, 2],
        "b": "plain text",
        "c": "q",
    }


@pytest.mark.parametrize(
    ("given", "want"),
    [
        (":9098", "127.0.0.1:9098"),
        ("localhost:1", "localhost:1"),
        (" 10.0.0.1:80 ", "10.0.0.1:80"),
        ("[::1]:5", "[::1]:5"),
    ],
)
def test_normalize_addr(given: str, want: str) -> None:
    assert normalize_addr(given) == want


@pytest.mark.parametrize("bad", ["9098", "host:", "host:x", "h:70000"])
def test_normalize_addr_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_addr(bad)


@contextmanager
def serving(home: Path) -> Iterator[None]:
    """This process holds the home's serve lock, as a running server does: state.json's pid
    counts only while its process holds the lock."""
    with open(home / "serve.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def test_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ORCHESTRATOR_GRPC_ADDR", "DSPY_AGENT_ORCHESTRATOR_ADDR"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "state.json").write_text(
        json.dumps(
            {
                "schema_version": 1,
                "serve": {
                    "pid": os.getpid(),
                    "orchestrator_addr": "127.0.0.1:4444",
                    "env_manager_addr": "127.0.0.1:5555",
                },
            }
        )
    )
    with serving(tmp_path):
        got = candidates(None, tmp_path)
    assert [(c.addr, c.source) for c in got] == [
        ("127.0.0.1:4444", "state.json"),
        ("127.0.0.1:9098", "default"),
    ]
    assert got[0].env_manager_addr == "127.0.0.1:5555"
    monkeypatch.setenv("ORCHESTRATOR_GRPC_ADDR", ":7777")
    assert [(c.addr, c.source) for c in candidates(None, tmp_path)] == [
        ("127.0.0.1:7777", "ORCHESTRATOR_GRPC_ADDR")
    ]
    assert [c.addr for c in candidates("h:1", tmp_path)] == ["h:1"]


def test_dead_server_entry_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORCHESTRATOR_GRPC_ADDR", raising=False)
    monkeypatch.delenv("DSPY_AGENT_ORCHESTRATOR_ADDR", raising=False)
    (tmp_path / "state.json").write_text(
        json.dumps({"serve": {"pid": 2**22 + 7, "orchestrator_addr": "127.0.0.1:4444"}})
    )
    assert [c.source for c in candidates(None, tmp_path)] == ["default"]


def test_named_port_zero_is_found_only_through_state_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DSPY_AGENT_ORCHESTRATOR_ADDR", raising=False)
    monkeypatch.setenv("ORCHESTRATOR_GRPC_ADDR", "127.0.0.1:0")
    assert candidates(None, tmp_path) == []
    (tmp_path / "state.json").write_text(
        json.dumps({"serve": {"pid": os.getpid(), "orchestrator_addr": "127.0.0.1:4444"}})
    )
    with serving(tmp_path):
        assert [(c.addr, c.source) for c in candidates(None, tmp_path)] == [("127.0.0.1:4444", "state.json")]
