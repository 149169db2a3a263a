"""Where the orchestrator is, and how to start one with the `dspy-agent` CLI.

The CLI is the only thing that starts or stops the server and services: this package never
re-implements `serve` or `up`, it runs them.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InfraError, OrchestratorUnavailable, ServiceError

DEFAULT_ORCHESTRATOR_ADDR = "127.0.0.1:9098"
DEFAULT_ENV_MANAGER_ADDR = "127.0.0.1:50100"
# Same names and precedence as the server's settings (DSPY_AGENT_* first).
ORCHESTRATOR_ENV = ("DSPY_AGENT_ORCHESTRATOR_ADDR", "ORCHESTRATOR_GRPC_ADDR")
ENV_MANAGER_ENV = ("DSPY_AGENT_ENV_MANAGER_ADDR", "ENV_MANAGER_GRPC_ADDR")


def normalize_addr(addr: str) -> str:
    """`host:port`, or `:port` (Go style, ORCHESTRATOR_GRPC_ADDR=":9098") meaning loopback."""
    addr = addr.strip()
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"address {addr!r} is not HOST:PORT")
    return f"{host or '127.0.0.1'}:{port}"


def home_dir(home: str | os.PathLike[str] | None = None) -> Path:
    if home is not None:
        return Path(home)
    env = os.environ.get("DSPY_AGENT_HOME")
    return Path(env) if env else Path.home() / ".dspy-agent"


def _env_addr(names: Sequence[str]) -> tuple[str, str] | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return normalize_addr(value), name
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holds_serve_lock(home: Path, pid: int) -> bool:
    """Whether `pid` holds the home's `serve.lock`, that is, is its running server. After a
    crash the pid in state.json may belong to an unrelated process; the lock cannot. Read from
    /proc/locks, as the CLI does; where that is missing, a held lock plus a live pid."""
    lock = home / "serve.lock"
    try:
        st = os.stat(lock)
    except OSError:
        return False
    try:
        locks = Path("/proc/locks").read_text()
    except OSError:
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        except BlockingIOError:
            return _pid_alive(pid)
        finally:
            os.close(fd)
    want = (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    for line in locks.splitlines():
        # "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF"; waiters ("1: -> FLOCK ...")
        # hold nothing.
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":
            continue
        try:
            holder = int(fields[4])
            major, minor, inode = fields[5].split(":")
            found = (int(major, 16), int(minor, 16), int(inode))
        except ValueError:
            continue
        if holder == pid and found == want:
            return True
    return False


def read_serve_state(home: Path) -> dict[str, Any] | None:
    """The `serve` entry of state.json when its process is the running server (it holds the
    home's serve lock). The server writes the file by rename, so a plain read never sees half a
    document."""
    try:
        state = json.loads((home / "state.json").read_text())
    except (OSError, ValueError):
        return None
    serve = state.get("serve") if isinstance(state, dict) else None
    if not isinstance(serve, dict) or not isinstance(serve.get("pid"), int):
        return None
    return serve if holds_serve_lock(home, serve["pid"]) else None


@dataclass(frozen=True)
class Candidate:
    addr: str
    source: str  # argument, an environment variable's name, state.json, or default
    env_manager_addr: str | None = None
    tls: bool = False  # the server recorded that it speaks TLS


def _picks_free_port(addr: str) -> bool:
    return addr.rpartition(":")[2] == "0"


def named_addr(addr: str | None) -> tuple[str, str] | None:
    """The orchestrator address the caller named (argument, else environment), and where."""
    if addr:
        return normalize_addr(addr), "argument"
    return _env_addr(ORCHESTRATOR_ENV)


def candidates(addr: str | None, home: Path) -> list[Candidate]:
    """Orchestrator addresses to try, in order.

    An address that is named (argument or environment) is the only candidate: falling back to
    some other server would send tasks where the caller did not ask. A named port 0 ("let the
    server pick", as tests do) can only be found through the server's entry in state.json.
    """
    named = named_addr(addr)
    serve = read_serve_state(home)
    from_state = (
        Candidate(
            normalize_addr(serve["orchestrator_addr"]),
            "state.json",
            serve.get("env_manager_addr") or None,
            bool(serve.get("tls")),
        )
        if serve and serve.get("orchestrator_addr")
        else None
    )
    if named:
        if _picks_free_port(named[0]):
            return [from_state] if from_state else []
        return [Candidate(named[0], named[1])]
    out = [from_state] if from_state else []
    if all(c.addr != DEFAULT_ORCHESTRATOR_ADDR for c in out):
        out.append(Candidate(DEFAULT_ORCHESTRATOR_ADDR, "default"))
    return out


def env_manager_addr(explicit: str | None, found: Candidate | None) -> str:
    """The environment manager's address: argument, environment, the entry of the server we
    found (or started), then the default."""
    if explicit:
        return normalize_addr(explicit)
    env = _env_addr(ENV_MANAGER_ENV)
    if env and not _picks_free_port(env[0]):
        return env[0]
    if found and found.env_manager_addr:
        return normalize_addr(found.env_manager_addr)
    return DEFAULT_ENV_MANAGER_ADDR


def find_cli(cli_path: str | os.PathLike[str] | None = None) -> str:
    path = str(cli_path) if cli_path else os.environ.get("DSPY_AGENT_CLI_PATH")
    if path:
        if not os.access(path, os.X_OK):
            raise OrchestratorUnavailable(f"DSPY_AGENT_CLI_PATH {path!r} is not an executable")
        return path
    found = shutil.which("dspy-agent")
    if not found:
        raise OrchestratorUnavailable(
            "no orchestrator answered, and the dspy-agent CLI is not on PATH to start one "
            "(set DSPY_AGENT_CLI_PATH, or pass auto_start=False)"
        )
    return found


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


class Cli:
    """Runs `dspy-agent` subcommands for a given home."""

    def __init__(self, path: str, home: Path, env: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.env = {**os.environ, "DSPY_AGENT_HOME": str(home), **(env or {})}

    async def run(self, *args: str, timeout: float) -> CliResult:
        proc = await asyncio.create_subprocess_exec(
            self.path,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except BaseException as e:  # timed out, or the caller was cancelled: no stray CLI
            if proc.returncode is None:
                proc.kill()
                await asyncio.shield(proc.wait())
            if isinstance(e, asyncio.TimeoutError):
                raise InfraError(
                    f"`dspy-agent {' '.join(args)}` did not finish within {timeout:g}s"
                ) from None
            raise
        return CliResult(proc.returncode or 0, out.decode(errors="replace"), err.decode(errors="replace"))

    async def serve_detach(self, timeout: float) -> None:
        r = await self.run("serve", "--detach", timeout=timeout)
        if r.code != 0:
            raise OrchestratorUnavailable(
                f"`dspy-agent serve --detach` exited {r.code}: {r.stderr.strip() or r.stdout.strip()}"
            )

    async def serve_stop(self, timeout: float) -> None:
        r = await self.run("serve", "stop", timeout=timeout)
        if r.code != 0:
            raise InfraError(f"`dspy-agent serve stop` exited {r.code}: {r.stderr.strip()}")

    async def up(self, services: Sequence[str], timeout: float) -> list[str]:
        """Start services; return those this call created (not those already running).

        On failure raises ServiceError whose `started` lists what it created anyway (and the
        service that failed), so the caller can take them down again.
        """
        r = await self.run("--json", "up", "--services", ",".join(services), timeout=timeout)
        try:
            report = json.loads(r.stdout)  # printed on failure too
        except ValueError:
            report = None
        rows = report.get("services", []) if isinstance(report, dict) else []
        started = [
            row["service"]
            for row in rows
            if isinstance(row, dict) and str(row.get("action", "")).lower() != "unchanged"
        ]
        if r.code == 0 and isinstance(report, dict):
            return started
        failed = report.get("failed") if isinstance(report, dict) else None
        if isinstance(failed, dict) and failed.get("service") and failed["service"] not in started:
            started.append(str(failed["service"]))
        err = ServiceError(
            f"`dspy-agent up --services {','.join(services)}` exited {r.code}: "
            f"{r.stderr.strip()[-2000:] or r.stdout.strip()[:2000]}"
        )
        err.started = started
        raise err

    async def down(self, services: Sequence[str], timeout: float) -> None:
        r = await self.run("down", "--services", ",".join(services), timeout=timeout)
        if r.code != 0:
            raise ServiceError(f"`dspy-agent down` exited {r.code}: {r.stderr.strip()[-2000:]}")
