#!/usr/bin/env bash
# Start a Docker engine for tests on a machine without systemd; idempotent.
#
# Flags: none needed. Plain `dockerd` works here (Debian docker.io 20.10,
# overlay2, cgroup v1 via cgroupfs, iptables-nft present); checked with a
# port published on 127.0.0.1 and with two containers reaching each other by
# name on a user-defined bridge. On a machine without iptables, set
# DOCKERD_FLAGS=--iptables=false (published ports then rely on docker-proxy
# alone and containers lose outbound NAT).
#
# Env: DOCKERD_FLAGS (extra flags, word-split), DOCKERD_LOG (default
# /tmp/dockerd.log), DOCKERD_WAIT_S (default 60).
set -euo pipefail

log=${DOCKERD_LOG:-/tmp/dockerd.log}
wait_s=${DOCKERD_WAIT_S:-60}
marker=/tmp/dspy-agent-dockerd.started   # read by stop-dockerd.sh

docker_up() { docker info >/dev/null 2>&1; }

# Alive = exists and not a zombie. PID 1 here (not an init) reaps orphans
# late, so a killed dockerd/containerd can linger as a zombie that pgrep and
# kill -0 still see; dockerd's own pid-file check sees it too.
alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }
live_dockerd() {
    local p
    for p in $(pgrep -x dockerd); do alive "$p" && return 0; done
    return 1
}

docker_up && exit 0

started=
if ! live_dockerd; then
    # A killed dockerd leaves its pid file behind and the next dockerd then
    # refuses to start ("pid file found"); same for the containerd it spawns.
    rm -f /var/run/docker.pid   # no live dockerd, so it is stale
    cpid=/var/run/docker/containerd/containerd.pid
    if [[ -f $cpid ]] && ! alive "$(cat "$cpid")"; then rm -f "$cpid"; fi
    # setsid + nohup: the daemon must outlive this script and its session.
    # shellcheck disable=SC2086 # DOCKERD_FLAGS is meant to be word-split
    setsid nohup dockerd ${DOCKERD_FLAGS:-} >"$log" 2>&1 </dev/null &
    started=1
fi
# else: some dockerd is already starting (maybe not ours): just wait for it.

for _ in $(seq $((wait_s * 2))); do
    if docker_up; then
        # dockerd's own pid (setsid may fork, so $! is not reliable).
        [[ -n $started ]] && cp /var/run/docker.pid "$marker"
        exit 0
    fi
    sleep 0.5
done
echo "start-dockerd: docker info did not answer within ${wait_s}s; tail of $log:" >&2
tail -n 30 "$log" >&2 || true
exit 1
