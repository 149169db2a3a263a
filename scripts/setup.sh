#!/usr/bin/env bash
# Everything a fresh Debian machine needs before dspy-agent can be built, run and tested:
# the packages, a running Docker engine, and the local test images (no public registry is needed).
# Idempotent: installs only what is missing, starts dockerd only when none answers.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: the engine, what the test images are built from, promtool for metrics,
# a one-node Slurm cluster for the gpu_slurm executor (scripts/slurm-up.sh runs it),
# graphviz (`dot`) for the workflow graph test, a local registry for the pull tests and the
# cold-start bench (docker-registry; scripts/registry-up.sh runs it), tmux for the
# terminal-view test, and for the dashboard's browser tests (python/tests/browser/) Chromium,
# its chromedriver and the one font family the reference screenshots were taken with
# (fonts-dejavu-core: system-ui and sans-serif resolve to DejaVu Sans).
packages=(docker.io busybox-static redis-server prometheus slurm-wlm munge graphviz docker-registry tmux
    chromium chromium-driver fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo_=""
    [[ $(id -u) == 0 ]] || sudo_=sudo
    $sudo_ apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust (rustup) first" >&2; exit 1; }

scripts/start-dockerd.sh
scripts/build-test-images.sh
# Not started here: scripts/test.sh starts the cluster (and stops it after, if it started it);
# to try gpu_slurm by hand, run scripts/slurm-up.sh. The same for the registry
# (scripts/registry-up.sh).
