#!/usr/bin/env bash
# Build the local Docker test images without any registry (none is
# reachable): a root filesystem is assembled from Debian packages already
# installed here and fed to `docker import`.
#
#   dspy-test/busybox:latest  static busybox + applet links; CMD serves /www
#                             on :8080 (/health -> "ok", /api/tags -> Ollama-
#                             style empty model list, /index.html)
#   dspy-test/redis:latest    redis-server + the shared libraries ldd lists,
#                             plus /bin/busybox (sh, nc, grep) so that an
#                             in-container health check can PING it (the
#                             docker-compose side of bench/lifecycle.sh);
#                             dspy-agent's own probes stay host-side
#
# Usage: build-test-images.sh [--force]   (default: skip images that exist)
# Needs: root (or docker access), packages busybox-static and redis-server,
# a running dockerd (scripts/start-dockerd.sh).
set -euo pipefail

force=
case ${1:-} in
    --force) force=1 ;;
    "") ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
esac

die() { echo "build-test-images: $*" >&2; exit 1; }
need_pkg() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed' ||
        die "package $1 is not installed (apt-get install -y $1)"
}
exists() { [[ -z $force ]] && docker image inspect "$1" >/dev/null 2>&1; }
# Import rootfs dir $1 as image $2 with --change args $3...; on --force,
# drop the image it replaces (kept only while a container still uses it).
import_rootfs() {
    local dir=$1 img=$2 old
    shift 2
    old=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
    tar -C "$dir" --owner=0 --group=0 -c . | docker import "$@" - "$img" >/dev/null
    [[ -z $old ]] || docker rmi "$old" >/dev/null 2>&1 || true
    echo "$img: built"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

build_busybox() {
    local img=dspy-test/busybox:latest r=$work/busybox a
    if exists "$img"; then echo "$img: exists, skipped"; return; fi
    need_pkg busybox-static
    # busybox-static (which conflicts with the dynamic busybox package)
    # ships /bin/busybox statically linked: no libc needed in the image.
    mkdir -p "$r"/{bin,usr,etc,tmp,root,www/api}
    chmod 1777 "$r/tmp"
    cp -L /bin/busybox "$r/bin/busybox"
    # Link every applet this build has (sh, httpd, wget, nc, sleep, ...).
    for a in $(/bin/busybox --list); do
        [[ $a == busybox ]] || ln -s busybox "$r/bin/$a"
    done
    ln -s ../bin "$r/usr/bin"   # so #!/usr/bin/env and the like resolve
    echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
    echo 'root:x:0:' >"$r/etc/group"
    printf 'ok\n' >"$r/www/health"
    printf '{"models":[]}\n' >"$r/www/api/tags"
    printf '<html><body>dspy-test</body></html>\n' >"$r/www/index.html"
    import_rootfs "$r" "$img" \
        --change 'ENV PATH=/bin:/usr/bin' \
        --change 'CMD ["httpd","-f","-v","-p","8080","-h","/www"]'
}

# Bump when the redis image's content changes: an existing image without
# this label value is stale and rebuilt even without --force.
redis_rev=busybox-1

build_redis() {
    local img=dspy-test/redis:latest r=$work/redis lib a
    if exists "$img" &&
        [[ $(docker image inspect -f '{{index .Config.Labels "dspy-test.rev"}}' "$img") == "$redis_rev" ]]; then
        echo "$img: exists, skipped"; return
    fi
    need_pkg redis-server
    need_pkg busybox-static
    mkdir -p "$r"/{usr/bin,tmp,data}
    chmod 1777 "$r/tmp"
    # /usr/bin/redis-server is a symlink to redis-check-rdb and redis picks
    # its mode from argv[0], so copy the target under the redis-server name.
    cp -L /usr/bin/redis-server "$r/usr/bin/redis-server"
    # Libraries at the paths ldd resolved (including the loader, the line
    # without "=>"); glibc's loader searches /lib/x86_64-linux-gnu without
    # an ld.so.cache. /lib is a symlink on the host, a real dir in the image.
    for lib in $(ldd /usr/bin/redis-server | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
        mkdir -p "$r$(dirname "$lib")"
        cp -L "$lib" "$r$lib"
    done
    # A static busybox with just the applets a health check needs
    # (docker-compose's `CMD-SHELL` runs /bin/sh -c). Debian's busybox sh
    # prefers its own applets, so nc and grep resolve without /bin on PATH;
    # PATH stays /usr/bin as before.
    mkdir -p "$r/bin"
    cp -L /bin/busybox "$r/bin/busybox"
    for a in sh nc grep; do ln -s busybox "$r/bin/$a"; done
    import_rootfs "$r" "$img" \
        --change "LABEL dspy-test.rev=$redis_rev" \
        --change 'ENV PATH=/usr/bin' \
        --change 'WORKDIR /data' \
        --change 'CMD ["redis-server","--save","","--appendonly","no","--protected-mode","no","--bind","0.0.0.0"]'
}

docker info >/dev/null 2>&1 || die "docker does not answer (run scripts/start-dockerd.sh)"
build_busybox
build_redis
