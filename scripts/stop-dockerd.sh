#!/usr/bin/env bash
# Stop the dockerd that start-dockerd.sh started, and only that one (a
# dockerd someone else runs is left alone); wait for it to exit so that the
# next start finds no live pid.
set -euo pipefail

marker=/tmp/dspy-agent-dockerd.started
wait_s=${DOCKERD_WAIT_S:-30}

# Exited = gone or a zombie (PID 1 here reaps orphans late).
running() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }

[[ -f $marker ]] || { echo "stop-dockerd: no $marker, nothing of ours to stop"; exit 0; }
pid=$(cat "$marker")
# Guard against pid reuse: signal it only if it is still a dockerd.
if ! running "$pid" || [[ $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
    rm -f "$marker"; exit 0
fi
kill -TERM "$pid"   # dockerd stops its containers and containerd itself
for _ in $(seq $((wait_s * 10))); do
    running "$pid" || { rm -f "$marker"; exit 0; }
    sleep 0.1
done
echo "stop-dockerd: dockerd $pid still running after ${wait_s}s" >&2
exit 1
