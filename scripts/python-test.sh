#!/usr/bin/env bash
# The Python client's tests: a virtual environment, the package with its test extras, pytest
# against the real binary. The binary comes from DSPY_AGENT_CLI_PATH (default: the debug build).
# Extra arguments go to pytest (`scripts/python-test.sh tests/browser` runs the dashboard's
# browser tests only). "No tests collected" (pytest exit 5) fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

export DSPY_AGENT_CLI_PATH="${DSPY_AGENT_CLI_PATH:-$root/target/debug/dspy-agent}"
if [[ ! -x "$DSPY_AGENT_CLI_PATH" ]]; then
    echo "python-test: no dspy-agent binary at $DSPY_AGENT_CLI_PATH (run cargo build, or set DSPY_AGENT_CLI_PATH)" >&2
    exit 2
fi
case "$DSPY_AGENT_CLI_PATH" in /*) ;; *) DSPY_AGENT_CLI_PATH="$root/$DSPY_AGENT_CLI_PATH" ;; esac

venv="${PYTHON_TEST_VENV:-$root/python/.venv}"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
# Installed, not editable: the tests import what a user would get (stubs, py.typed, .pyi).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$root/python[test]"

cd "$root/python"
rc=0
# The browser tests (tests/browser/) drive /usr/bin/chromium through /usr/bin/chromedriver; they
# are skipped when those are missing, unless DSPY_AGENT_REQUIRE_BROWSER=1 (scripts/test.sh).
# Selenium Manager must not try to download a browser or driver.
export SE_OFFLINE=true
# The pytest script, not `python -m pytest`: that would put python/ on sys.path first and test
# the source tree instead of the installed package.
"$venv/bin/pytest" "$@" || rc=$?
if [[ $rc -eq 5 ]]; then
    echo "python-test: pytest collected no tests; that is a failure" >&2
    exit 1
fi
exit "$rc"
