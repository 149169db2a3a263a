#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, then every test, then clean-up.
# This is what CI runs (.ci/run) and what the README calls the test command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Stop the engine afterwards only if this run started it.
engine_was_running=no
docker info >/dev/null 2>&1 && engine_was_running=yes
scripts/setup.sh
# The same for the one-node Slurm cluster the gpu_slurm tests run on.
slurm_was_running=no
sinfo -h >/dev/null 2>&1 && slurm_was_running=yes
# And for the local registry the pull tests pull from.
registry_was_running=no
curl -fsS --max-time 2 -o /dev/null http://127.0.0.1:5000/v2/ 2>/dev/null && registry_was_running=yes
cleanup() {
    # The registry first: its clean-up untags images on the engine.
    if [[ $registry_was_running == no ]]; then
        scripts/registry-down.sh >/dev/null 2>&1 || true
    fi
    if [[ $engine_was_running == no ]]; then
        scripts/stop-dockerd.sh >/dev/null 2>&1 || true
    fi
    if [[ $slurm_was_running == no ]]; then
        scripts/slurm-down.sh >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
scripts/slurm-up.sh
# The Slurm tests fail, rather than skip, when Slurm is missing.
export DSPY_AGENT_REQUIRE_SLURM=1
scripts/registry-up.sh
# The registry tests (tests/registry.rs) pull from it, and fail rather than skip without it.
export DSPY_AGENT_TEST_REGISTRY=127.0.0.1:5000
export DSPY_AGENT_REQUIRE_REGISTRY=1
# The dashboard's browser tests (python/tests/browser/) fail, rather than skip, without Chromium.
export DSPY_AGENT_REQUIRE_BROWSER=1

cargo build --locked --all-targets
# Run both suites even when the first fails, and fail if either did.
status=0
cargo test --locked --no-fail-fast || status=$?
scripts/python-test.sh || status=$?
exit "$status"
