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
cleanup() {
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

cargo build --locked --all-targets
# Run both suites even when the first fails, and fail if either did.
status=0
cargo test --locked --no-fail-fast || status=$?
scripts/python-test.sh || status=$?
exit "$status"
