#!/usr/bin/env bash
# Benchmark (not a test): time `up` and `down` of the five non-GPU services
# (redis, reddb, infermesh-node-a, infermesh-node-b, infermesh-router) with
# dspy-agent and with docker-compose 1.29, on the same local test images,
# commands, host ports and health checks.
#
#   bench/lifecycle.sh [--rounds N] [--no-build] [--port-base P] [--wait-quiet S] [--show-files]
#
# --show-files prints the generated services file and compose files and exits.
# --wait-quiet S waits up to S seconds before each run until the engine's
# containers hold still and the load is below the CPU count (a test suite or
# a build sharing the machine skews timings).
#
# Three contenders, run in turn within every round (the starting one rotates
# so that none always runs first):
#   dspy-agent        `up --services infermesh-router,reddb` (health-gated,
#                     host-side probes, init=true by default), then `down`
#   compose           docker-compose as people usually write it (no `init:`),
#                     `up -d`, then `down`
#   compose-init      the same with `init: true` on every service: busybox
#                     httpd as PID 1 ignores SIGTERM, so without an init each
#                     `docker stop` waits its full 10 s grace period. This
#                     contender shows how much of the `down` gap is that alone.
#
# What is timed:
#   up        the command's own wall time. `docker-compose up -d` returns once
#             every container is *started* (a dependent starts only after its
#             dependencies are healthy), but it does not wait for the leaves
#             (router, reddb) to turn healthy. dspy-agent's `up` returns only
#             when all five are healthy. So for compose we also report
#   healthy   from the start of `up -d` until `docker inspect` shows all five
#             containers healthy: the like-for-like figure.
#   down      the command's wall time (containers and network removed; named
#             volumes are kept by both tools and removed afterwards, untimed,
#             so that every `up` starts cold: no containers, images present).
#
# Prints a per-round line, a table of medians (min-max), the ratios
# compose/dspy-agent, and one final JSON line (prefix-free) for machines.
# Cleans up every container, network and volume it made, even on failure.
#
# Needs: a running dockerd, docker-compose 1.29 (Debian's docker-compose),
# the images of scripts/build-test-images.sh (the redis one with busybox,
# for compose's in-container health check), cargo (unless --no-build).
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and awk must use '.' as the decimal point

rounds=5
build=1
show_files=
wait_quiet=0
port_base=47000
usage() { echo "usage: bench/lifecycle.sh [--rounds N] [--no-build] [--port-base P] [--wait-quiet S] [--show-files]"; }
while (($#)); do
    case $1 in
        --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
        --rounds=*) rounds=${1#*=}; shift ;;
        --no-build) build=; shift ;;
        --show-files) show_files=1; build=; shift ;;
        --wait-quiet) wait_quiet=${2:?--wait-quiet needs seconds}; shift 2 ;;
        --port-base) port_base=${2:?--port-base needs a port}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer" >&2; exit 2; }
[[ $wait_quiet =~ ^[0-9]+$ ]] || { echo "--wait-quiet must be whole seconds" >&2; exit 2; }

die() { echo "lifecycle bench: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/target/release/dspy-agent
busybox_img=dspy-test/busybox:latest
redis_img=dspy-test/redis:latest

# --- preflight --------------------------------------------------------------

docker info >/dev/null 2>&1 || die "docker does not answer (scripts/start-dockerd.sh)"
command -v docker-compose >/dev/null || die "docker-compose not found (apt-get install docker-compose)"
compose_version=$(docker-compose version --short 2>/dev/null || true)
[[ $compose_version == 1.29.* ]] || log "warning: docker-compose $compose_version, the reference is 1.29"
docker_version=$(docker version -f '{{.Server.Version}}')
for img in "$busybox_img" "$redis_img"; do
    docker image inspect "$img" >/dev/null 2>&1 || die "image $img missing: run scripts/build-test-images.sh"
done
# compose's redis health check runs inside the container, so the redis image
# must carry busybox (sh, nc, grep); older builds of it did not.
docker run --rm --entrypoint /bin/sh "$redis_img" -c 'nc --help' >/dev/null 2>&1 ||
    die "$redis_img has no /bin/sh + nc: rebuild it with scripts/build-test-images.sh"

if [[ $build ]]; then
    log "building $bin (cargo build --release) ..."
    (cd "$root" && cargo build --release --quiet) || die "cargo build failed"
fi
[[ -x $bin ]] || die "$bin not found (drop --no-build)"

# One host port per service, the same for all contenders (they never run at
# the same time). Checked free up front: dspy-agent would silently remap a
# busy port while compose would fail, which would make the runs unequal.
declare -A port=(
    [router]=$((port_base)) [node-a]=$((port_base + 1)) [node-b]=$((port_base + 2))
    [reddb]=$((port_base + 80)) [redis]=$((port_base + 379))
)
for p in "${port[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        die "host port $p is in use (choose another --port-base)"
    fi
done

# --- scratch space and names --------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/dspy-bench.XXXXXX")
home=$work/home
mkdir -p "$home"
runlog=$work/run.log
tag=$$
agent_proj=dspybench-agent-$tag
compose_proj=dspybench-compose-$tag
cinit_proj=dspybench-cinit-$tag
services=(redis reddb infermesh-node-a infermesh-node-b infermesh-router)

# --- cleanup: always, also on failure or Ctrl-C ---------------------------------

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    set +e
    # Fast paths first (no grace period), then a label/name sweep that
    # catches whatever a half-finished command left behind.
    "$bin" --home "$home" --project "$agent_proj" --services-file "$work/services.toml" \
        --quiet down --volumes --timeout 0 >/dev/null 2>&1
    docker-compose -p "$compose_proj" -f "$work/compose.yml" down -v -t 0 >/dev/null 2>&1
    docker-compose -p "$cinit_proj" -f "$work/compose-init.yml" down -v -t 0 >/dev/null 2>&1
    for p in "$agent_proj" "$compose_proj" "$cinit_proj"; do
        docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f >/dev/null 2>&1
        docker ps -aq --filter "label=dspy-agent.project=$p" | xargs -r docker rm -f >/dev/null 2>&1
        docker network rm "${p}_default" >/dev/null 2>&1
        docker volume rm "${p}_redis_data" >/dev/null 2>&1
    done
    # On a failure (not on Ctrl-C / TERM), show what the failing command said.
    if ((rc != 0 && rc != 130 && rc != 143)) && [[ -s $runlog ]]; then
        log "--- last lines of the failing command's output ---"
        tail -n 30 "$runlog" >&2
    fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the two descriptions of one stack ---------------------------------------

# dspy-agent: the default catalog already has the dependencies and the health
# checks (redis: RESP PING from the host; the rest: HTTP GET /health), and a
# named volume redis/data; only images, commands and ports are overridden,
# exactly as tests/fixtures/services.toml does on other ports.
cat >"$work/services.toml" <<EOF
[services.redis]
image = "$redis_img"
ports = ["${port[redis]}:6379"]

[services.reddb]
image = "$busybox_img"
ports = ["${port[reddb]}:8080"]

[services.infermesh-node-a]
image = "$busybox_img"
command = ["httpd", "-f", "-p", "19001", "-h", "/www"]
ports = ["${port[node-a]}:19001"]

[services.infermesh-node-b]
image = "$busybox_img"
command = ["httpd", "-f", "-p", "19002", "-h", "/www"]
ports = ["${port[node-b]}:19002"]

[services.infermesh-router]
image = "$busybox_img"
command = ["httpd", "-f", "-p", "19000", "-h", "/www"]
ports = ["${port[router]}:19000"]
EOF

# docker-compose: format 2.4, the last one where `depends_on` can wait for
# `condition: service_healthy` in compose 1.29 (v3 dropped it). Health checks
# run inside the containers every 200 ms. Ports bind 127.0.0.1 as
# dspy-agent's do; the redis volume gets the name dspy-agent gives it.
# $1: output file, $2: "true" to give every service `init: true`.
write_compose() {
    local file=$1 init_line=
    [[ $2 == true ]] && init_line='    init: true'
    # http_check PORT: busybox wget, the tool the image has.
    http_check() {
        cat <<EOF
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:$1/health"]
      interval: 200ms
      timeout: 2s
      retries: 300
EOF
    }
    {
        cat <<EOF
version: "2.4"
services:
  redis:
    image: $redis_img
$init_line
    ports: ["127.0.0.1:${port[redis]}:6379"]
    volumes: ["redis_data:/data"]
    healthcheck:
      # QUIT makes redis close the connection, so nc exits without a timeout.
      test: ["CMD-SHELL", 'printf "PING\r\nQUIT\r\n" | nc 127.0.0.1 6379 | grep -q PONG']
      interval: 200ms
      timeout: 2s
      retries: 300
  reddb:
    image: $busybox_img
$init_line
    ports: ["127.0.0.1:${port[reddb]}:8080"]
EOF
        http_check 8080
        local n cport
        for n in a b; do
            cport=$([[ $n == a ]] && echo 19001 || echo 19002)
            cat <<EOF
  infermesh-node-$n:
    image: $busybox_img
$init_line
    command: ["httpd", "-f", "-p", "$cport", "-h", "/www"]
    ports: ["127.0.0.1:${port[node-$n]}:$cport"]
    depends_on:
      redis: {condition: service_healthy}
EOF
            http_check "$cport"
        done
        cat <<EOF
  infermesh-router:
    image: $busybox_img
$init_line
    command: ["httpd", "-f", "-p", "19000", "-h", "/www"]
    ports: ["127.0.0.1:${port[router]}:19000"]
    depends_on:
      infermesh-node-a: {condition: service_healthy}
      infermesh-node-b: {condition: service_healthy}
EOF
        http_check 19000
        cat <<EOF
volumes:
  redis_data: {}
EOF
    } | grep -v '^$' >"$file" # drop the blank $init_line of the plain variant
}
write_compose "$work/compose.yml" false
write_compose "$work/compose-init.yml" true
docker-compose -p "$compose_proj" -f "$work/compose.yml" config -q || die "compose.yml does not validate"
docker-compose -p "$cinit_proj" -f "$work/compose-init.yml" config -q || die "compose-init.yml does not validate"

if [[ $show_files ]]; then
    for f in services.toml compose.yml compose-init.yml; do
        echo "### $f"
        cat "$work/$f"
    done
    exit 0
fi

# --- helpers -------------------------------------------------------------------

# Seconds between two $EPOCHREALTIME readings (bash 5: no fork to read the clock).
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }

# run CMD...: run it with its output in $runlog; on failure the EXIT trap
# shows the tail of that log.
run() { "$@" >"$runlog" 2>&1 || die "failed ($?): $*"; }

agent() { "$bin" --home "$home" --project "$agent_proj" --services-file "$work/services.toml" "$@"; }

# compose_wait_healthy PROJECT: poll until all five containers report
# healthy (compose 1.29 names them <project>_<service>_1). Each poll is one
# `docker inspect` (~tens of ms), which bounds the resolution of "healthy".
compose_wait_healthy() {
    local proj=$1 names=() s deadline
    for s in "${services[@]}"; do names+=("${proj}_${s}_1"); done
    deadline=$((SECONDS + 60))
    until [[ $(docker inspect -f '{{.State.Health.Status}}' "${names[@]}" | sort -u) == healthy ]]; do
        ((SECONDS < deadline)) || die "$proj: not all healthy after 60 s"
    done
}

# check_up LABEL PROJECT: untimed sanity check that five containers run and
# publish the expected host ports (a remapped port would mean unequal runs).
check_up() {
    local ps p
    ps=$(docker ps --filter "label=$1=$2" --format '{{.Ports}}')
    (($(wc -l <<<"$ps") == 5)) || die "$2: expected 5 running containers, got: $ps"
    for p in "${port[@]}"; do
        grep -q "127.0.0.1:$p->" <<<"$ps" || die "$2: host port $p not published: $ps"
    done
}

# check_down LABEL PROJECT: nothing of the project is left but its volume,
# which is then removed (untimed) so the next `up` starts cold.
check_down() {
    [[ -z $(docker ps -aq --filter "label=$1=$2") ]] || die "$2: containers left after down"
    ! docker network inspect "${2}_default" >/dev/null 2>&1 || die "$2: network left after down"
    docker volume rm "${2}_redis_data" >/dev/null 2>&1 || true
}

# Other work on the same engine (a test suite creating containers) or on
# the CPUs (a cargo build) competes with the runs and skews the figures.
# A run is marked * and counted when the engine's set of other containers
# changed while it ran (idle long-lived containers do not count), or when
# the 1-minute load average exceeded the CPU count as it ended (crude and
# lagging, but it catches a compile running alongside).
noisy=0
ncpu=$(nproc)
# others: a fingerprint of all containers; ours are all gone between runs.
others() { docker ps -aq --no-trunc | sort | cksum; }
busy() { awk -v n="$ncpu" '{ exit !($1 > n) }' /proc/loadavg; }

# settle: wait (up to --wait-quiet seconds) until the container set holds
# still for 2 s and the load is below the CPU count.
settle() {
    local deadline=$((SECONDS + wait_quiet)) a b
    while ((SECONDS < deadline)); do
        a=$(others)
        sleep 2
        b=$(others)
        [[ $a == "$b" ]] && ! busy && break
    done
}

# mark BEFORE: sets $m to "*" (and counts the run) or " ". Called after the
# run's down, when none of its own containers are left.
mark() {
    m=' '
    if [[ $1 != "$(others)" ]] || busy; then noisy=$((noisy + 1)) m='*'; fi
}

# Results: one space-separated list of seconds per metric.
declare -A res=()
add() { res[$1]+="$2 "; }

bench_agent() {
    local t0 up down before m
    settle
    before=$(others)
    t0=$EPOCHREALTIME
    run agent up --services infermesh-router,reddb
    up=$(since "$t0")
    check_up dspy-agent.project "$agent_proj"
    t0=$EPOCHREALTIME
    run agent down
    down=$(since "$t0")
    check_down dspy-agent.project "$agent_proj"
    add agent.up "$up"
    add agent.down "$down"
    mark "$before"
    printf '%s %-13s up %7.3f s                      down %7.3f s\n' "$m" dspy-agent "$up" "$down"
}

# bench_compose KEY PROJECT FILE
bench_compose() {
    local key=$1 proj=$2 file=$3 t0 upd healthy down before m
    settle
    before=$(others)
    t0=$EPOCHREALTIME
    run docker-compose -p "$proj" -f "$file" up -d
    upd=$(since "$t0")
    compose_wait_healthy "$proj"
    healthy=$(since "$t0")
    check_up com.docker.compose.project "$proj"
    t0=$EPOCHREALTIME
    run docker-compose -p "$proj" -f "$file" down
    down=$(since "$t0")
    check_down com.docker.compose.project "$proj"
    add "$key.up" "$upd"
    add "$key.healthy" "$healthy"
    add "$key.down" "$down"
    mark "$before"
    printf '%s %-13s up -d %7.3f s, healthy %7.3f s   down %7.3f s\n' "$m" "$key" "$upd" "$healthy" "$down"
}

# --- the rounds ------------------------------------------------------------------


contenders=(agent compose compose-init)
log "dspy-agent $("$bin" --version | awk '{print $2}') vs docker-compose $compose_version, docker $docker_version;" \
    "$rounds rounds; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); scratch $work"
for ((r = 1; r <= rounds; r++)); do
    echo "round $r/$rounds"
    for ((i = 0; i < 3; i++)); do
        case ${contenders[(r - 1 + i) % 3]} in
            agent) bench_agent ;;
            compose) bench_compose compose "$compose_proj" "$work/compose.yml" ;;
            compose-init) bench_compose compose-init "$cinit_proj" "$work/compose-init.yml" ;;
        esac
    done
done

log "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((noisy)); then
    log "warning: $noisy of $((rounds * 3)) runs (marked *) saw other containers come or go, or a load above" \
        "$ncpu; work running alongside skews the figures: rerun on a quiet machine (--wait-quiet)"
fi

# --- summary -----------------------------------------------------------------------

# stats KEY -> "median min max"
stats() {
    tr ' ' '\n' <<<"${res[$1]}" | grep . | sort -g | awk '
        { v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.3f %.3f %.3f", m, v[1], v[NR] }'
}
median() { stats "$1" | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cell() { read -r m lo hi <<<"$(stats "$1")"; printf '%7.3f (%.3f-%.3f)' "$m" "$lo" "$hi"; }

a_up=$(median agent.up)
a_down=$(median agent.down)
echo
echo "Seconds, median (min-max) over $rounds round(s); 5 services, 200 ms health checks"
printf '%-28s %-24s %-28s %s\n' "" "up (command returns)" "up (all 5 healthy)" "down"
printf '%-28s %-24s %-28s %s\n' "dspy-agent" "$(cell agent.up)" "(same: up is health-gated)" "$(cell agent.down)"
printf '%-28s %-24s %-28s %s\n' "docker-compose" "$(cell compose.up)" "$(cell compose.healthy)" "$(cell compose.down)"
printf '%-28s %-24s %-28s %s\n' "docker-compose, init: true" "$(cell compose-init.up)" "$(cell compose-init.healthy)" "$(cell compose-init.down)"
echo
echo "compose / dspy-agent (ratio of medians)"
printf '%-28s %-10s %-12s %s\n' "" "up -d" "up healthy" "down"
for k in compose compose-init; do
    printf '%-28s %-10s %-12s %s\n' "$([[ $k == compose ]] && echo docker-compose || echo 'docker-compose, init: true')" \
        "$(ratio "$(median $k.up)" "$a_up")x" "$(ratio "$(median $k.healthy)" "$a_up")x" \
        "$(ratio "$(median $k.down)" "$a_down")x"
done
r_up=$(ratio "$(median compose.up)" "$a_up")
r_down=$(ratio "$(median compose.down)" "$a_down")
# pass NUM DEN TARGET: on the medians themselves, not on a rounded ratio.
pass() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print (a >= t * b ? "PASS" : "FAIL") }'; }
up_ok=$(pass "$(median compose.up)" "$a_up" 2)
down_ok=$(pass "$(median compose.down)" "$a_down" 10)
echo
echo "targets: up >= 2x compose up -d: $up_ok (${r_up}x); down >= 10x compose down: $down_ok (${r_down}x)"

# One JSON line: {"bench":"lifecycle", ..., "results":{KEY:{median,min,max,samples}}}
json_stats() {
    local m lo hi
    read -r m lo hi <<<"$(stats "$1")"
    printf '{"median":%s,"min":%s,"max":%s,"samples":[%s]}' "$m" "$lo" "$hi" \
        "$(tr ' ' '\n' <<<"${res[$1]}" | grep . | paste -sd,)"
}
printf '{"bench":"lifecycle","schema_version":1,"rounds":%d,"services":5,"health_interval_ms":200,' "$rounds"
printf '"dspy_agent_version":"%s","docker_compose_version":"%s","docker_version":"%s","unit":"s",' \
    "$("$bin" --version | awk '{print $2}')" "$compose_version" "$docker_version"
printf '"results":{"dspy_agent":{"up":%s,"down":%s},' "$(json_stats agent.up)" "$(json_stats agent.down)"
for k in compose compose-init; do
    printf '"%s":{"up_d":%s,"up_healthy":%s,"down":%s}' "${k/-/_}" \
        "$(json_stats $k.up)" "$(json_stats $k.healthy)" "$(json_stats $k.down)"
    [[ $k == compose ]] && printf ','
done
printf '},"ratios":{"compose_up_d":%s,"compose_up_healthy":%s,"compose_down":%s,' \
    "$r_up" "$(ratio "$(median compose.healthy)" "$a_up")" "$r_down"
printf '"compose_init_up_d":%s,"compose_init_up_healthy":%s,"compose_init_down":%s},' \
    "$(ratio "$(median compose-init.up)" "$a_up")" "$(ratio "$(median compose-init.healthy)" "$a_up")" \
    "$(ratio "$(median compose-init.down)" "$a_down")"
printf '"noisy_runs":%d,"targets":{"up_2x":%s,"down_10x":%s}}\n' "$noisy" \
    "$([[ $up_ok == PASS ]] && echo true || echo false)" \
    "$([[ $down_ok == PASS ]] && echo true || echo false)"
