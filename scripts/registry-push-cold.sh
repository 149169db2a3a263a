#!/usr/bin/env bash
# Push a copy of local image SRC to the test registry as DEST that shares no layer with
# anything on this engine, then remove DEST locally, so that pulling DEST afterwards is a
# real, cold pull (every byte comes from the registry). For tests/registry.rs and the
# cold-start row of bench/lifecycle.sh; SRC (e.g. dspy-test/redis:latest) is left alone.
#
# The copy is SRC's filesystem plus one file with a unique id (/.dspy-cold), flattened into
# one new layer (docker export | docker import), with SRC's Cmd, Entrypoint, Env and WorkingDir.
# Prints DEST's digest reference (REPO@sha256:...) on stdout.
#
# Usage: registry-push-cold.sh SRC DEST    (DEST like 127.0.0.1:5000/name:tag)
set -euo pipefail

[[ $# == 2 ]] || { echo "usage: $0 SRC DEST" >&2; exit 2; }
src=$1 dest=$2
repo=${dest%@*}
[[ ${repo##*/} == *:* ]] && repo=${repo%:*}

docker image inspect "$src" >/dev/null 2>&1 || {
    echo "registry-push-cold: $src is not on this engine (scripts/build-test-images.sh)" >&2
    exit 1
}
work=$(mktemp -d)
ctr=
cleanup() {
    [[ -z $ctr ]] || docker rm -f "$ctr" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

changes=()
f() { docker image inspect -f "$1" "$src"; }
cmd=$(f '{{json .Config.Cmd}}')
[[ $cmd == null ]] || changes+=(--change "CMD $cmd")
entry=$(f '{{json .Config.Entrypoint}}')
[[ $entry == null ]] || changes+=(--change "ENTRYPOINT $entry")
wd=$(f '{{.Config.WorkingDir}}')
[[ -z $wd ]] || changes+=(--change "WORKDIR $wd")
while IFS= read -r e; do
    [[ -z $e ]] || changes+=(--change "ENV $e")
done < <(f '{{range .Config.Env}}{{println .}}{{end}}')

ctr=$(docker create "$src")
echo "$dest $(date +%s%N) $$ $RANDOM" >"$work/.dspy-cold"
docker cp "$work/.dspy-cold" "$ctr:/.dspy-cold" >/dev/null
docker export "$ctr" | docker import "${changes[@]}" - "$dest" >/dev/null
docker push -q "$dest" >/dev/null
digest=$(docker image inspect -f '{{range .RepoDigests}}{{println .}}{{end}}' "$dest" | grep -m1 "^$repo@")
docker rmi "$dest" >/dev/null
echo "$digest"
