#!/usr/bin/env bash
# Benchmark (not a test): time `up` and `down` of the five non-GPU services
# (redis, reddb, infermesh-node-a, infermesh-node-b, infermesh-router) with
# dspy-agent and with docker-compose 1.29, on the same local test images,
# commands, host ports and health checks.
#
#   bench/lifecycle.sh [--rounds N] [--cold-rounds N] [--registry ADDR] [--no-build] [--bin PATH]
#                      [--port-base P] [--wait-quiet S] [--show-files]
#
# --show-files prints the generated services file and compose files and exits.
# --bin PATH times that dspy-agent binary instead of building target/release (implies
# --no-build; e.g. a debug build when there is no room or time for a release one).
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
# Cold start (after the rounds above; --cold-rounds N, default 3, 0 to skip): dspy-agent and
# plain docker-compose bring up the same five services with their images absent, pulled from a
# local registry (Debian's docker-registry on --registry ADDR, default 127.0.0.1:5000, started
# with scripts/registry-up.sh when none answers, and stopped afterwards only then). Before each
# cold run, untimed, scripts/registry-push-cold.sh pushes fresh copies of the two test images
# under names of their own (one new layer each, shared with nothing on the engine) and removes
# them locally, so each contender downloads and extracts every byte; they are removed again
# after the run's `down`. Timed: from the command's start until all five are healthy
# (dspy-agent's `up` returns then; compose's `up -d` pulls, then we wait for healthy).
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
cold_rounds=3
registry=${DSPY_AGENT_TEST_REGISTRY:-127.0.0.1:5000}
bin=
build=1
show_files=
wait_quiet=0
port_base=47000
usage() { echo "usage: bench/lifecycle.sh [--rounds N] [--cold-rounds N] [--registry ADDR] [--no-build] [--bin PATH] [--port-base P] [--wait-quiet S] [--show-files]"; }
while (($#)); do
    case $1 in
        --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
        --rounds=*) rounds=${1#*=}; shift ;;
        --cold-rounds) cold_rounds=${2:?--cold-rounds needs a number}; shift 2 ;;
        --registry) registry=${2:?--registry needs host:port}; shift 2 ;;
        --no-build) build=; shift ;;
        --bin) bin=${2:?--bin needs a path}; build=; shift 2 ;;
        --show-files) show_files=1; build=; shift ;;
        --wait-quiet) wait_quiet=${2:?--wait-quiet needs seconds}; shift 2 ;;
        --port-base) port_base=${2:?--port-base needs a port}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "--rounds must be a positive integer" >&2; exit 2; }
[[ $wait_quiet =~ ^[0-9]+$ ]] || { echo "--wait-quiet must be whole seconds" >&2; exit 2; }
[[ $cold_rounds =~ ^[0-9]+$ ]] || { echo "--cold-rounds must be a whole number" >&2; exit 2; }
[[ $registry =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || { echo "--registry must be host:port" >&2; exit 2; }

die() { echo "lifecycle bench: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${bin:-$root/target/release/dspy-agent}
[[ $bin == /* ]] || bin=$PWD/$bin
busybox_img=dspy-test/busybox:latest
redis_img=dspy-test/redis:latest
busybox_src=$busybox_img
redis_src=$redis_img

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
cold_refs=()
registry_started=

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
    # The cold runs' images, if a run stopped before removing them.
    ((${#cold_refs[@]})) && docker rmi "${cold_refs[@]}" >/dev/null 2>&1
    [[ -z $registry_started ]] || REGISTRY_ADDR=$registry "$root/scripts/registry-down.sh" >/dev/null 2>&1
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

# The cold start's registry: used when it answers, else started (and stopped at the end).
registry_answers() { curl -fsS --max-time 2 -o /dev/null "http://$registry/v2/" 2>/dev/null; }
if ((cold_rounds)) && [[ ! $show_files ]] && ! registry_answers; then
    log "starting a registry on $registry (scripts/registry-up.sh) ..."
    registry_started=1 # before: a half-started one is stopped too
    REGISTRY_ADDR=$registry "$root/scripts/registry-up.sh" >&2 || die "no registry on $registry"
fi

# --- the two descriptions of one stack ---------------------------------------

# dspy-agent: the default catalog already has the dependencies and the health
# checks (redis: RESP PING from the host; the rest: HTTP GET /health), and a
# named volume redis/data; only images, commands and ports are overridden,
# exactly as tests/fixtures/services.toml does on other ports.
# $1: output file; the images are $redis_img and $busybox_img.
write_services() {
cat >"$1" <<EOF
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
}
write_services "$work/services.toml"

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

agent_file=$work/services.toml
agent() { "$bin" --home "$home" --project "$agent_proj" --services-file "$agent_file" "$@"; }

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

# cold_images NAME: push fresh, never-pulled copies of the two test images (untimed) and
# write the cold services file and compose file for them; sets $cold_redis $cold_busybox.
cold_images() {
    local push=$root/scripts/registry-push-cold.sh
    cold_redis=$registry/dspy-bench-cold/redis:$1
    cold_busybox=$registry/dspy-bench-cold/busybox:$1
    cold_refs+=("$cold_redis" "$cold_busybox")
    run "$push" "$redis_src" "$cold_redis"
    run "$push" "$busybox_src" "$cold_busybox"
    local redis_img=$cold_redis busybox_img=$cold_busybox
    write_services "$work/cold-services.toml"
    write_compose "$work/cold-compose.yml" false
}

# drop_cold: remove the pulled copies (after `down`), so nothing of them stays on the engine.
drop_cold() {
    docker rmi "$cold_redis" "$cold_busybox" >/dev/null 2>&1 || true
    cold_refs=()
}

cold_agent() {
    local t0 up before m
    cold_images "agent-$tag-$1"
    settle
    before=$(others)
    t0=$EPOCHREALTIME
    agent_file=$work/cold-services.toml run agent up --services infermesh-router,reddb
    up=$(since "$t0")
    check_up dspy-agent.project "$agent_proj"
    agent_file=$work/cold-services.toml run agent down --timeout 1
    check_down dspy-agent.project "$agent_proj"
    drop_cold
    add agent.cold "$up"
    mark "$before"
    printf '%s %-13s cold up, healthy %7.3f s\n' "$m" dspy-agent "$up"
}

cold_compose() {
    local t0 upd healthy before m
    cold_images "compose-$tag-$1"
    settle
    before=$(others)
    t0=$EPOCHREALTIME
    run docker-compose -p "$compose_proj" -f "$work/cold-compose.yml" up -d
    upd=$(since "$t0")
    compose_wait_healthy "$compose_proj"
    healthy=$(since "$t0")
    check_up com.docker.compose.project "$compose_proj"
    run docker-compose -p "$compose_proj" -f "$work/cold-compose.yml" down -t 1
    check_down com.docker.compose.project "$compose_proj"
    drop_cold
    add compose.cold_up "$upd"
    add compose.cold "$healthy"
    mark "$before"
    printf '%s %-13s cold up -d %7.3f s, healthy %7.3f s\n' "$m" compose "$upd" "$healthy"
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

for ((r = 1; r <= cold_rounds; r++)); do
    echo "cold start $r/$cold_rounds (images pulled from $registry)"
    if ((r % 2)); then cold_agent "$r"; cold_compose "$r"; else cold_compose "$r"; cold_agent "$r"; fi
done

log "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((noisy)); then
    log "warning: $noisy of $((rounds * 3 + cold_rounds * 2)) runs (marked *) saw other containers come or go, or a load above" \
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
if ((cold_rounds)); then
    echo
    echo "Cold start: images absent, pulled from the registry at $registry, until all 5 healthy;"
    echo "seconds, median (min-max) over $cold_rounds round(s)"
    printf '%-28s %s\n' "dspy-agent" "$(cell agent.cold)"
    printf '%-28s %s   (up -d returns: %s)\n' "docker-compose" "$(cell compose.cold)" "$(cell compose.cold_up)"
    printf '%-28s %s\n' "compose / dspy-agent" "$(ratio "$(median compose.cold)" "$(median agent.cold)")x"
fi
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
if ((cold_rounds)); then
    printf '"cold":{"registry":"%s","rounds":%d,"dspy_agent_healthy":%s,"compose_up_d":%s,"compose_healthy":%s,"ratio_compose_healthy":%s},' \
        "$registry" "$cold_rounds" "$(json_stats agent.cold)" "$(json_stats compose.cold_up)" \
        "$(json_stats compose.cold)" "$(ratio "$(median compose.cold)" "$(median agent.cold)")"
fi
printf '"noisy_runs":%d,"targets":{"up_2x":%s,"down_10x":%s}}\n' "$noisy" \
    "$([[ $up_ok == PASS ]] && echo true || echo false)" \
    "$([[ $down_ok == PASS ]] && echo true || echo false)"
