"""The committed stubs are exactly what scripts/gen_protos.py makes from ../proto."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

PYTHON_ROOT = Path(__file__).resolve().parent.parent


def load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_protos", PYTHON_ROOT / "scripts" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_protos"] = module
    spec.loader.exec_module(module)
    return module


def test_generated_stubs_match_the_protos() -> None:
    gen = load_generator()
    assert gen.DEFAULT_PROTO_DIR == PYTHON_ROOT.parent / "proto"
    assert all((gen.DEFAULT_PROTO_DIR / p).exists() for p in gen.PROTOS)
    stale = gen.diff(gen.DEFAULT_PROTO_DIR, gen.DEFAULT_OUT)
    assert stale == [], f"stubs are stale, run python/scripts/gen_protos.py: {stale}"


def test_drift_is_detected(tmp_path: Path) -> None:
    gen = load_generator()
    out = tmp_path / "_proto"
    gen.generate(gen.DEFAULT_PROTO_DIR, out)
    assert gen.diff(gen.DEFAULT_PROTO_DIR, out) == []
    stub = out / "orchestrator" / "v1_pb2.py"
    stub.write_bytes(stub.read_bytes() + b"# edited\n")
    (out / "extra.py").write_text("")
    assert gen.diff(gen.DEFAULT_PROTO_DIR, out) == ["extra.py", "orchestrator/v1_pb2.py"]


def test_stub_imports_are_package_relative() -> None:
    from dspy_agent.infra._proto.orchestrator import v1_pb2_grpc

    assert v1_pb2_grpc.OrchestratorServiceStub
    assert "orchestrator" not in sys.modules  # no top-level package leaked in


def test_installed_package_ships_types() -> None:
    from importlib.resources import files

    pkg = files("dspy_agent.infra")
    assert (pkg / "py.typed").is_file()
    assert (pkg / "_proto" / "orchestrator" / "v1_pb2.pyi").is_file()
    import dspy_agent

    # A namespace package: other distributions may add dspy_agent.* modules.
    assert not hasattr(dspy_agent, "__file__") or dspy_agent.__file__ is None
