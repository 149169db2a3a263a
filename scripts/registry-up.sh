#!/usr/bin/env bash
# Start a real Docker registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1:5000,
# with its storage in a temp dir, and push the local test images to it as
# 127.0.0.1:5000/dspy-test/{redis,busybox}:latest. For tests/registry.rs and the cold-start
# row of bench/lifecycle.sh. Idempotent: a registry already answering /v2/ on the address is
# left alone (the images are pushed again, which is cheap when the layers are there).
#
# Docker allows plain HTTP to registries in 127.0.0.0/8 without any daemon setting (check:
# `docker info` lists 127.0.0.0/8 under Insecure Registries).
#
# Not systemd: the binary runs as `/usr/bin/docker-registry serve <config.yml>` in the
# background; its pid, config and storage live under /tmp/dspy-agent-registry/ and
# scripts/registry-down.sh stops it by that pid. scripts/test.sh and bench/lifecycle.sh stop it
# afterwards only when /v2/ did not answer before they ran this.
#
# Env: REGISTRY_ADDR (default 127.0.0.1:5000), REGISTRY_UP_WAIT_S (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."

addr=${REGISTRY_ADDR:-127.0.0.1:5000}
wait_s=${REGISTRY_UP_WAIT_S:-30}
bin=/usr/bin/docker-registry
dir=/tmp/dspy-agent-registry
images=(dspy-test/redis:latest dspy-test/busybox:latest)

answers() { curl -fsS --max-time 2 -o /dev/null "http://$addr/v2/" 2>/dev/null; }

if ! answers; then
    [[ -x $bin ]] || {
        echo "registry-up: $bin not found; run scripts/setup.sh (Debian package docker-registry)" >&2
        exit 1
    }
    mkdir -p "$dir"
    storage=$(mktemp -d "$dir/storage.XXXXXX")
    cat >"$dir/config.yml" <<YAML
# dspy-agent test registry (scripts/registry-up.sh)
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
http:
  addr: $addr
YAML
    # setsid: the registry outlives this script and the terminal that ran it.
    setsid "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$dir/pid"
    echo "$storage" >"$dir/storage"
    deadline=$((SECONDS + wait_s))
    until answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "registry-up: docker-registry exited; its log:" >&2
            tail -n 20 "$dir/registry.log" >&2 || true
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            echo "registry-up: http://$addr/v2/ did not answer within ${wait_s}s; its log:" >&2
            tail -n 20 "$dir/registry.log" >&2 || true
            exit 1
        fi
        sleep 0.2
    done
fi

for image in "${images[@]}"; do
    docker image inspect "$image" >/dev/null 2>&1 || {
        echo "registry-up: $image is not built; run scripts/build-test-images.sh" >&2
        exit 1
    }
    docker tag "$image" "$addr/$image"
    docker push -q "$addr/$image" >/dev/null || {
        echo "registry-up: cannot push $addr/$image" >&2
        exit 1
    }
done
