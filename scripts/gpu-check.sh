#!/usr/bin/env bash
# The real-GPU check, for a machine with an NVIDIA GPU and driver (CI has none):
#   1. `dspy-agent gpu --json` agrees with nvidia-smi (index, uuid, name, memory total/used);
#   2. a 1-GPU process task sees exactly its own device: CUDA (libcuda through python3's ctypes,
#      which honours CUDA_VISIBLE_DEVICES) counts 1 device with the assigned UUID; `nvidia-smi -L`
#      is run inside it too and reported;
#   3. a container task on `--gpus 1` (only where Docker with NVIDIA's runtime exists; else SKIP);
#   4. a task that leaks a child holding a CUDA context: the GPU is quarantined after the grace
#      period (gpu_quarantined 1 in /metrics) and released once the child is gone;
#   5. a `dspy-agent worker --gpus auto` (its own home, a worker token) offers this machine's
#      NVML GPUs, and a 1-GPU task of class gpu_slurm (`executor = "workers"` here) run by it sees exactly
#      the device the server assigned.
#
#   scripts/gpu-check.sh [path/to/dspy-agent]      (default: target/release/dspy-agent)
#
# Needs nvidia-smi, python3 and curl. Prints PASS/FAIL/SKIP per check; exits 1 when any check
# failed, 2 when this machine has no NVIDIA GPU, else 0.
set -uo pipefail

BIN="${1:-target/release/dspy-agent}"
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "SKIP: $*"; }

if [[ ! -x "$BIN" ]]; then
    echo "gpu-check: no dspy-agent binary at $BIN" >&2
    exit 2
fi
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu-check: no NVIDIA GPU here (nvidia-smi missing or failing)" >&2
    "$BIN" gpu || true
    exit 2
fi
for tool in python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "gpu-check: needs $tool" >&2; exit 2; }
done

work="$(mktemp -d)"
server_pid=""
worker_pid=""
cleanup() {
    [[ -n "$worker_pid" ]] && kill -9 "$worker_pid" 2>/dev/null
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$server_pid" 2>/dev/null
    fi
    [[ -f "$work/hold.pid" ]] && kill -9 "$(cat "$work/hold.pid")" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
unset DSPY_AGENT_GPU_INVENTORY CUDA_VISIBLE_DEVICES
export DSPY_AGENT_HOME="$work/home" NO_COLOR=1
mkdir -p "$DSPY_AGENT_HOME"

echo "== $("$BIN" --version), $(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1) driver"
nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv
"$BIN" gpu
echo

# -- 1. gpu --json against nvidia-smi -----------------------------------------------------------
"$BIN" gpu --json >"$work/gpu.json" || fail "gpu --json exited $?"
nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv,noheader,nounits >"$work/smi.csv"
if python3 - "$work/gpu.json" "$work/smi.csv" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
rows = [[c.strip() for c in line.split(",")] for line in open(sys.argv[2]) if line.strip()]
ok = True
def bad(msg):
    global ok
    ok = False
    print("  mismatch:", msg)
if doc["schema_version"] != 1 or doc["source"] != "nvml":
    bad(f"schema_version/source {doc['schema_version']}/{doc['source']}")
if len(doc["gpus"]) != len(rows):
    bad(f"{len(doc['gpus'])} GPUs in gpu --json, {len(rows)} in nvidia-smi")
for g, (index, uuid, name, total, used) in zip(doc["gpus"], rows):
    if g["index"] != int(index): bad(f"index {g['index']} vs {index}")
    if g["uuid"] != uuid: bad(f"uuid {g['uuid']} vs {uuid}")
    if g["name"] != name: bad(f"name {g['name']!r} vs {name!r}")
    if abs(g["memory_total_mb"] - int(total)) > 1: bad(f"memory total {g['memory_total_mb']} vs {total} MiB")
    # Used memory moves; allow a little.
    if abs(g["memory_used_mb"] - int(used)) > 256: bad(f"memory used {g['memory_used_mb']} vs {used} MiB")
    print(f"  gpu {g['index']}: {g['uuid']} {g['name']} {g['memory_used_mb']}/{g['memory_total_mb']} MiB, "
          f"{g['temperature_c']}C, {g['power_draw_w']} W, mig {g['mig_enabled']}, {len(g['processes'])} process(es)")
print("  driver", doc["driver_version"], "cuda", doc["cuda_version"])
sys.exit(0 if ok else 1)
EOF
then pass "gpu --json agrees with nvidia-smi"; else fail "gpu --json disagrees with nvidia-smi"; fi

# What a look costs: median wall time of 5 runs each.
median_ms() {
    local t=()
    for _ in 1 2 3 4 5; do
        local s e
        s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
        t+=($(( (e - s) / 1000000 )))
    done
    printf '%s\n' "${t[@]}" | sort -n | sed -n 3p
}
echo "  timing (median of 5): dspy-agent gpu --json $(median_ms "$BIN" gpu --json) ms," \
    "nvidia-smi --query-gpu=... $(median_ms nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv) ms"

# -- a server on ephemeral ports ----------------------------------------------------------------
cat >"$DSPY_AGENT_HOME/config.toml" <<'EOF'
orchestrator_addr = "127.0.0.1:0"
env_manager_addr = "127.0.0.1:0"
http_addr = "127.0.0.1:0"
[scheduler]
gpu_release_grace_s = 2
[scheduler.classes.gpu_slurm]
executor = "workers"
EOF
RUST_LOG=info "$BIN" serve >"$work/serve.log" 2>&1 &
server_pid=$!
addr() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['serve'][sys.argv[2]])" "$DSPY_AGENT_HOME/state.json" "$1" 2>/dev/null; }
for _ in $(seq 200); do
    [[ -n "$(addr http_addr)" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
http="$(addr http_addr)"
if [[ -z "$http" ]]; then
    fail "serve did not start"; cat "$work/serve.log"; exit 1
fi
export DSPY_AGENT_ORCHESTRATOR_ADDR="$(addr orchestrator_addr)"
# /metrics wants a token like every route: the home's own, which `serve` wrote. The header
# goes through a private file, not curl's command line, where `ps` would show it.
(umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$DSPY_AGENT_HOME/auth/token")" >"$work/auth.header")
metric() {
    curl -s -m 5 -H @"$work/auth.header" "http://$http/metrics" |
        grep -E "^$1\{" | grep "uuid=\"$2\"" | awk '{print $2}'
}

# -- 2. a 1-GPU task sees exactly its own device --------------------------------------------------
cat >"$work/probe.py" <<'EOF'
import ctypes, json, os
cuda = ctypes.CDLL("libcuda.so.1")
assert cuda.cuInit(0) == 0, "cuInit failed"
n = ctypes.c_int()
cuda.cuDeviceGetCount(ctypes.byref(n))
uuids = []
for i in range(n.value):
    dev = ctypes.c_int()
    cuda.cuDeviceGet(ctypes.byref(dev), i)
    raw = (ctypes.c_ubyte * 16)()
    cuda.cuDeviceGetUuid(raw, dev)
    h = bytes(raw).hex()
    uuids.append(f"GPU-{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")
print(json.dumps({"cuda_count": n.value, "cuda_uuids": ",".join(uuids),
                  "cvd": os.environ.get("CUDA_VISIBLE_DEVICES", ""),
                  "order": os.environ.get("CUDA_DEVICE_ORDER", "")}))
EOF
# Runs the probe as a 1-GPU task of class $1; PASS when CUDA inside it counts exactly the device
# the server assigned.
probe_task() {
    local class="$1" what="$2"
    local payload="{\"command\": \"nvidia-smi -L; python3 $work/probe.py\"}"
    if timeout 60 "$BIN" --json submit --class "$class" --gpus 1 --max-attempts 1 --payload "$payload" --wait >"$work/own-$class.json"; then
        if python3 - "$work/own-$class.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
r = t["result"]
print("  assigned", t["gpu_uuids"], "| worker", t.get("worker_id"), "| CUDA sees", r.get("cuda_count"),
      r.get("cuda_uuids"), "| CUDA_VISIBLE_DEVICES", r.get("cvd"), "| order", r.get("order"))
print("  nvidia-smi -L inside the task (NVML lists every device; CUDA is what honours the mask):")
for line in r["stdout_tail"].splitlines()[:-1]:
    print("   ", line)
ok = (len(t["gpu_uuids"]) == 1 and r.get("cuda_count") == "1"
      and r.get("cuda_uuids") == t["gpu_uuids"][0] and r.get("order") == "PCI_BUS_ID")
sys.exit(0 if ok else 1)
EOF
        then pass "$what sees exactly its own device"; else fail "$what saw other devices"; fi
    else
        fail "$what did not complete"; cat "$work/own-$class.json"
    fi
}
probe_task gpu "a 1-GPU task"

# -- 3. a container task on --gpus ----------------------------------------------------------------
if command -v docker >/dev/null 2>&1 && docker info 2>/dev/null | grep -qi nvidia; then
    image="$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>' | head -1)"
    if [[ -z "$image" ]]; then
        skip "container task: Docker has no local image to run"
    else
        payload="{\"image\": \"$image\", \"command\": [\"nvidia-smi\", \"-L\"]}"
        if timeout 120 "$BIN" --json submit --class gpu --gpus 1 --max-attempts 1 --payload "$payload" --wait >"$work/ctr.json" &&
            python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))
lines = [l for l in t['result']['stdout_tail'].splitlines() if l.startswith('GPU ')]
print('  ', lines, t['gpu_uuids'])
sys.exit(0 if len(lines) == 1 and t['gpu_uuids'][0] in lines[0] else 1)" "$work/ctr.json"; then
            pass "a container task on --gpus 1 sees exactly its device"
        else
            fail "container task"; cat "$work/ctr.json"
        fi
    fi
else
    skip "container task: no Docker engine with NVIDIA's runtime on this machine"
fi

# -- 4. quarantine after a leaked process ---------------------------------------------------------
cat >"$work/hold.py" <<EOF
import ctypes, os, time
cuda = ctypes.CDLL("libcuda.so.1")
cuda.cuInit(0)
dev = ctypes.c_int(); cuda.cuDeviceGet(ctypes.byref(dev), 0)
ctx = ctypes.c_void_p(); assert cuda.cuCtxCreate_v2(ctypes.byref(ctx), 0, dev) == 0
open("$work/hold.pid.tmp", "w").write(str(os.getpid())); os.rename("$work/hold.pid.tmp", "$work/hold.pid")
time.sleep(120)
EOF
payload="{\"command\": \"python3 $work/hold.py >/dev/null 2>&1 &\"}"
if timeout 60 "$BIN" --json submit --id leak --class gpu --gpus 1 --max-attempts 1 --payload "$payload" --wait >"$work/leak.json"; then
    uuid="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['gpu_uuids'][0])" "$work/leak.json")"
    for _ in $(seq 100); do [[ -f "$work/hold.pid" ]] && break; sleep 0.1; done
    quarantined=""
    for _ in $(seq 150); do
        [[ "$(metric gpu_quarantined "$uuid")" == "1" ]] && { quarantined=yes; break; }
        sleep 0.1
    done
    if [[ -n "$quarantined" ]]; then
        pass "the leaked process (pid $(cat "$work/hold.pid" 2>/dev/null)) quarantined $uuid"
        grep -m1 quarantined "$work/serve.log" | sed 's/^/  /'
        "$BIN" gpu | sed 's/^/  /'
    else
        fail "no quarantine of $uuid (gpu_quarantined=$(metric gpu_quarantined "$uuid"))"
        "$BIN" gpu --json | head -60
    fi
    kill -9 "$(cat "$work/hold.pid" 2>/dev/null)" 2>/dev/null
    released=""
    for _ in $(seq 150); do
        [[ "$(metric gpu_quarantined "$uuid")" == "0" && "$(metric gpu_allocated "$uuid")" == "0" ]] && { released=yes; break; }
        sleep 0.1
    done
    if [[ -n "$released" ]]; then
        pass "released once the leaked process was gone"
        grep -m1 "released from quarantine" "$work/serve.log" | sed 's/^/  /'
    else
        fail "$uuid still held after the leaked process was killed"
    fi
else
    fail "the leaking task did not complete"; cat "$work/leak.json"
fi

# -- 5. a worker offering this machine's GPUs --------------------------------------------------
wtoken="$("$BIN" --json auth token create gpu-check-worker --role worker |
    python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")"
if [[ -z "$wtoken" ]]; then
    fail "could not create a worker token"
else
    mkdir -p "$work/worker-home"
    DSPY_AGENT_HOME="$work/worker-home" DSPY_AGENT_TOKEN="$wtoken" RUST_LOG=info \
        "$BIN" worker --server "$DSPY_AGENT_ORCHESTRATOR_ADDR" --classes gpu_slurm --gpus auto \
        --name gpu-worker >"$work/worker.log" 2>&1 &
    worker_pid=$!
    offered=""
    for _ in $(seq 100); do
        offered="$("$BIN" --json workers 2>/dev/null | python3 -c "
import json, sys
for w in json.load(sys.stdin)['workers']:
    if w['name'] == 'gpu-worker' and w['state'] == 'connected':
        print(','.join(w['gpus']))" 2>/dev/null)"
        [[ -n "$offered" ]] && break
        sleep 0.1
    done
    smi_uuids="$(nvidia-smi --query-gpu=uuid --format=csv,noheader | paste -sd, -)"
    if [[ "$offered" == "$smi_uuids" ]]; then
        pass "worker --gpus auto offers this machine's GPUs ($offered)"
        probe_task gpu_slurm "a 1-GPU task run by the worker"
    else
        fail "worker --gpus auto offered '$offered', nvidia-smi lists '$smi_uuids'"
        tail -20 "$work/worker.log"
    fi
fi

echo
if [[ $failures -gt 0 ]]; then
    echo "gpu-check: $failures check(s) failed; server log:"
    tail -20 "$work/serve.log"
    exit 1
fi
echo "gpu-check: all checks passed"
