#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, then every test, then clean-up.
# This is what CI runs (.ci/run) and what the README calls the test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Stop the engine afterwards only if this run started it.
engine_was_running=no
docker info >/dev/null 2>&1 && engine_was_running=yes
scripts/setup.sh
if [[ $engine_was_running == no ]]; then
    trap 'scripts/stop-dockerd.sh >/dev/null 2>&1 || true' EXIT
fi

cargo build --locked --all-targets
# Run both suites even when the first fails, and fail if either did.
status=0
cargo test --locked --no-fail-fast || status=$?
scripts/python-test.sh || status=$?
exit "$status"
