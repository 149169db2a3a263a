#!/usr/bin/env bash
# Start a real one-node Slurm cluster on this machine (munged, slurmctld, slurmd), for the
# gpu_slurm tests and for trying gpu_slurm locally. Idempotent: a running daemon is left alone,
# a missing one is started, and it waits (with a deadline) until `sinfo` shows the node idle.
#
# Needs Debian's slurm-wlm and munge (scripts/setup.sh installs them). Writes
# /etc/slurm/slurm.conf only when there is none or it is ours (its first line says so).
# The node claims 32 CPUs and 64 GB (SlurmdParameters=config_overrides) whatever the machine
# has, so hundreds of no-op jobs can run side by side on a small test machine.
#
# Env: SLURM_UP_WAIT_S (default 60). Writes /tmp/dspy-agent-slurm.started when it started
# something (read by scripts/test.sh).
set -euo pipefail

wait_s=${SLURM_UP_WAIT_S:-60}
conf=/etc/slurm/slurm.conf
marker=/tmp/dspy-agent-slurm.started
ours='# dspy-agent one-node test cluster (scripts/slurm-up.sh)'
host=$(hostname -s)

for bin in munged slurmctld slurmd sinfo; do
    command -v "$bin" >/dev/null || [[ -x /usr/sbin/$bin ]] || {
        echo "slurm-up: $bin not found; run scripts/setup.sh (Debian packages slurm-wlm, munge)" >&2
        exit 1
    }
done

alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{print $3}' "/proc/$1/stat") != Z ]]; }
running() { # running NAME PIDFILE
    local p
    [[ -f $2 ]] && p=$(cat "$2" 2>/dev/null) && [[ -n $p ]] && alive "$p" &&
        [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$1" ]]
}

if [[ ! -f $conf ]] || [[ $(head -n1 "$conf") == "$ours" ]]; then
    mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
    tmp=$(mktemp "$conf.XXXXXX")
    cat >"$tmp" <<EOF
$ours
ClusterName=dspy
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/filetxt
JobCompLoc=/var/log/slurm/jobcomp.log
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
OverTimeLimit=0
MinJobAge=300
MaxJobCount=20000
SchedulerParameters=batch_sched_delay=1,sched_min_interval=100000
NodeName=$host NodeAddr=127.0.0.1 CPUs=32 RealMemory=64000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    chmod 644 "$tmp"
    mv "$tmp" "$conf"
fi

started=()
# munge: a key owned by munge, mode 400; munged runs as the munge user.
if [[ ! -s /etc/munge/munge.key ]]; then
    (umask 077 && dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null)
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! running munged /run/munge/munged.pid; then
    runuser -u munge -- /usr/sbin/munged --force
    started+=(munged)
fi
if ! running slurmctld /run/slurmctld.pid; then
    /usr/sbin/slurmctld
    started+=(slurmctld)
fi
if ! running slurmd /run/slurmd.pid; then
    /usr/sbin/slurmd
    started+=(slurmd)
fi
if ((${#started[@]})); then
    echo "${started[*]}" >>"$marker"
fi

deadline=$((SECONDS + wait_s))
while ((SECONDS < deadline)); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    case $state in
    idle* | mix* | alloc*) exit 0 ;;
    down* | drain*) scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true ;;
    esac
    sleep 0.5
done
echo "slurm-up: the node did not become idle within ${wait_s}s (sinfo: ${state:-no answer}); logs:" >&2
tail -n 20 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
