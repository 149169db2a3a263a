#!/usr/bin/env bash
# Stop the registry that scripts/registry-up.sh started, by its pid file (never by name), with
# a deadline, and remove its storage and the 127.0.0.1:5000/dspy-test/* tags it added. Safe
# when nothing runs.
set -uo pipefail

addr=${REGISTRY_ADDR:-127.0.0.1:5000}
dir=/tmp/dspy-agent-registry

alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }

if [[ -f $dir/pid ]] && p=$(cat "$dir/pid" 2>/dev/null) && [[ -n $p ]] && alive "$p" &&
    [[ $(cat "/proc/$p/comm" 2>/dev/null) == docker-registr* ]]; then
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 100); do
        alive "$p" || break
        sleep 0.1
    done
    if alive "$p"; then
        echo "registry-down: docker-registry ($p) still runs after 10s; killing it" >&2
        kill -KILL "$p" 2>/dev/null || true
    fi
fi
if [[ -f $dir/storage ]] && s=$(cat "$dir/storage") && [[ $s == "$dir"/storage.* ]]; then
    rm -rf -- "$s"
fi
rm -f "$dir/pid" "$dir/storage"
for image in dspy-test/redis:latest dspy-test/busybox:latest; do
    docker rmi "$addr/$image" >/dev/null 2>&1 || true
done
exit 0
