#!/usr/bin/env bash
# Stop the one-node Slurm cluster that scripts/slurm-up.sh started: slurmd, slurmctld, munged,
# by their pid files (never by name), each with a deadline. Safe when nothing runs.
set -uo pipefail

alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }

stop() { # stop NAME PIDFILE
    local p
    [[ -f $2 ]] && p=$(cat "$2" 2>/dev/null) && [[ -n $p ]] || return 0
    alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$1" ]] || return 0
    kill -TERM "$p" 2>/dev/null || return 0
    for _ in $(seq 100); do
        alive "$p" || return 0
        sleep 0.1
    done
    echo "slurm-down: $1 ($p) still runs after 10s; killing it" >&2
    kill -KILL "$p" 2>/dev/null || true
}

stop slurmd /run/slurmd.pid
stop slurmctld /run/slurmctld.pid
stop munged /run/munge/munged.pid
rm -f /tmp/dspy-agent-slurm.started
exit 0
