#!/usr/bin/env bash
# GPU figures for the README, on a simulated inventory (no GPU needed):
#   scripts/gpu-bench.sh target/release/dspy-agent
# 1. what one `dspy-agent gpu --json` costs: NVML (here: no driver) and 4 simulated GPUs;
# 2. 40 short 1-GPU tasks through 2 fake GPUs against 40 gpus=0 tasks (class concurrency 2
#    both ways), timed from releasing them all to the last finish: the price of allocation.
set -euo pipefail
BIN=${1:-target/release/dspy-agent}
H=$(mktemp -d)
spid=""
trap '[[ -n $spid ]] && kill $spid 2>/dev/null; sleep 0.5; rm -rf "$H"' EXIT
unset DSPY_AGENT_GPU_INVENTORY
python3 - > $H/inv4.json <<'PY'
import json
print(json.dumps({"gpus": [{"uuid": f"GPU-measure-{i}", "memory_total_mb": 40960} for i in range(4)]}))
PY
python3 - > $H/inv2.json <<'PY'
import json
print(json.dumps({"gpus": [{"uuid": f"GPU-measure-{i}", "memory_total_mb": 40960} for i in range(2)]}))
PY
median() { sort -n | sed -n "$(( ($1 + 1) / 2 ))p"; }
for mode in nvml sim4; do
  for i in $(seq 21); do
    s=$(date +%s%N)
    if [[ $mode == nvml ]]; then DSPY_AGENT_HOME=$H $BIN gpu --json >/dev/null 2>&1; else DSPY_AGENT_GPU_INVENTORY=$H/inv4.json DSPY_AGENT_HOME=$H $BIN gpu --json >/dev/null; fi
    e=$(date +%s%N); echo $(( (e-s)/1000 ))
  done | median 21 | awk -v m=$mode '{printf "gpu --json (%s): median %.1f ms of 21 runs\n", m, $1/1000}'
done
cat > $H/config.toml <<'C'
orchestrator_addr = "127.0.0.1:0"
env_manager_addr = "127.0.0.1:0"
http_addr = "127.0.0.1:0"
C
DSPY_AGENT_HOME=$H DSPY_AGENT_GPU_INVENTORY=$H/inv2.json $BIN serve > $H/serve.log 2>&1 &
spid=$!
for _ in $(seq 100); do [[ -s $H/state.json ]] && grep -q orchestrator_addr $H/state.json && break; sleep 0.1; done
export DSPY_AGENT_ORCHESTRATOR_ADDR=$(python3 -c "import json;print(json.load(open('$H/state.json'))['serve']['orchestrator_addr'])")
for gpus in 1 0; do
  rm -f $H/go
  cmd="{\"command\": [\"sh\", \"-c\", \"while [ ! -f $H/go ]; do sleep 0.005; done\"]}"
  for i in $(seq 40); do DSPY_AGENT_HOME=$H $BIN submit -q --id "g$gpus-$i" --class gpu --gpus $gpus --payload "$cmd" >/dev/null; done
  go=$(date +%s%3N); touch $H/go
  for _ in $(seq 600); do
    n=$(DSPY_AGENT_HOME=$H $BIN --json tasks --status completed --limit 200 | python3 -c "import json,sys; print(sum(t['task_id'].startswith('g$gpus-') for t in json.load(sys.stdin)['tasks']))")
    [[ $n == 40 ]] && break; sleep 0.1
  done
  DSPY_AGENT_HOME=$H $BIN --json tasks --limit 200 > $H/t$gpus.json
  echo $go > $H/go$gpus
  python3 - $H/t$gpus.json $gpus <<'PY'
import json, sys
ts = [t for t in json.load(open(sys.argv[1]))["tasks"] if t["task_id"].startswith(f"g{sys.argv[2]}-")]
import os; start = int(open(os.path.join(os.path.dirname(sys.argv[1]), "go" + sys.argv[2])).read()); end = max(t["finished_at_ms"] for t in ts)
waits = sorted(t["started_at_ms"] - t["submitted_at_ms"] for t in ts)
uu = {u for t in ts for u in t["gpu_uuids"]}
print(f"{len(ts)} tasks, gpus={sys.argv[2]}, 2 fake GPUs (class concurrency 2): go to last finish {end-start} ms, "
      f"{len(ts)/((end-start)/1000):.0f} tasks/s; GPUs used {sorted(uu)}; all completed: {all(t['status']=='completed' for t in ts)}")
PY
done
