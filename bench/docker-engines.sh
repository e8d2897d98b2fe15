# shellcheck shell=bash
# Sourced by the Docker API benchmarks (bench/docker-run.sh, bench/docker-concurrent.sh): carton-serve and Debian's
# dockerd (+ its managed containerd + runc) side by side in a network namespace of their own, each with its own roots,
# the same busybox image loaded into both, and a teardown (trap EXIT) that removes every container and checks that
# nothing is left. Not a script of its own: the caller sets `set -euo pipefail`, `name` (the results' base name:
# bench/results/NAME.*) and `bench` (its own file name, for messages), then sources this file (which sets the EXIT
# trap) and calls start_engines.
#
# Environment (the caller may set them too):
#   DOCKER_CLI     the client (default /usr/bin/docker, Debian's 20.10; both engines get the same one)
#   CARTON_BIN     carton, carton-serve, carton-monitor, carton-image (default artifacts/bin; never built here)
#   NETWORK        the container's network: bridge (default: both engines attach a veth to their bridge) or none
#
# Isolation: a network namespace made here (carton-bench-docker-PID) holds both daemons, their bridges, veths and
# firewall rules; each daemon has its own roots under a work directory (dockerd: --data-root, --exec-root, --pidfile,
# its socket; carton-serve: every root). The image is scripts/make-busybox-image.sh's busybox, imported into Carton's
# store with carton-image and loaded into dockerd's with `docker load` (skopeo makes the docker-archive).
# Leftovers: after the teardown, no namespace, mount, process or work directory; the caller checks its containers
# (check_no_containers). A leftover is a WARNING and exit status 1.
#
# What the caller gets: $work (every process of the benchmark has it in its command line), $csock and $dsock (the
# engines' Docker sockets), $serve_pid and $dockerd_pid, $IMG, $results, and dk SOCKET ARGS... (the docker CLI in
# the namespace), die, warn.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
CARTON_BIN=${CARTON_BIN:-$repo/artifacts/bin}
NETWORK=${NETWORK:-bridge}
results=$here/results
ns=carton-bench-docker-$$
IMG=bench-busybox:latest

die() { echo "$bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for b in carton carton-serve carton-monitor carton-image; do [ -x "$CARTON_BIN/$b" ] || die "$CARTON_BIN/$b not found: ./scripts/build.sh"; done
for c in dockerd containerd runc skopeo nsenter ip python3 "$DOCKER_CLI"; do command -v "$c" >/dev/null || die "$c not found (scripts/install-deps.sh)"; done

mkdir -p "$results"
work=$(mktemp -d /tmp/carton-bench-docker.XXXXXX)
csock=$work/carton/docker.sock
dsock=$work/dockerd/docker.sock
serve_pid= dockerd_pid=
warnings=()
warn() { warnings+=("$*"); echo "WARNING: $*" >&2; }
in_ns() { nsenter --net="/run/netns/$ns" -- "$@"; }
# dk SOCKET ARGS...: the docker CLI in the namespace; with dk_timeout=SECONDS set, SIGKILLed after that long
dk() {
    local sock=$1; shift
    DOCKER_CONFIG=$work/cli ${dk_timeout:+timeout -s KILL "$dk_timeout"} nsenter --net="/run/netns/$ns" -- "$DOCKER_CLI" -H "unix://$sock" "$@"
}

stop_pid() {
    local pid=$1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

# After the rounds: no container may be left in either engine (--rm is the daemons' AutoRemove).
check_no_containers() {
    local left_c left_d
    left_c=$(dk "$csock" ps -aq | wc -l); left_d=$(dk "$dsock" ps -aq | wc -l)
    [ "$left_c" = 0 ] || warn "carton still has $left_c container(s) after the rounds"
    [ "$left_d" = 0 ] || warn "dockerd still has $left_d container(s) after the rounds"
}

teardown() {
    set +e
    for s in "$csock" "$dsock"; do
        [ -S "$s" ] && for c in $(dk "$s" ps -aq 2>/dev/null); do dk "$s" rm -f "$c" >/dev/null 2>&1; done
    done
    stop_pid "$serve_pid"; stop_pid "$dockerd_pid"
    wait 2>/dev/null
    [ -f "$work/serve.log" ] && cp "$work/serve.log" "$results/$name-serve.log"
    awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r \
        | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
    ip netns list | grep -w "$ns" >/dev/null && warn "network namespace $ns still exists"
    grep -q "$work" /proc/self/mountinfo && warn "mounts under $work remain"
    [ -e "$work" ] && warn "$work still exists"
    local procs
    procs=$(ps -eo pid=,args= | grep -F "$work" | grep -v grep)
    [ -n "$procs" ] && warn "processes of the benchmark remain: $procs"
    if [ ${#warnings[@]} -gt 0 ]; then echo "$bench: ${#warnings[@]} leftover(s) (above)" >&2; exit 1; fi
    echo "== teardown: nothing left (namespace, mounts, processes, work directory)"
}

trap teardown EXIT

# Both daemons started in the namespace and answering, the image in both stores.
start_engines() {
    mkdir -p "$work/carton" "$work/dockerd" "$work/cli" "$work/bin"
    for b in carton carton-serve carton-monitor carton-image carton-dmz; do cp "$CARTON_BIN/$b" "$work/bin/"; done
    [ -f "$CARTON_BIN/libcarton_native.so" ] && cp "$CARTON_BIN/libcarton_native.so" "$work/bin/"
    ip netns add "$ns"
    ip -n "$ns" link set lo up

    echo "== image $IMG (scripts/make-busybox-image.sh)"
    "$repo/scripts/make-busybox-image.sh" "$work/layout" "$IMG" >/dev/null
    "$work/bin/carton-image" --image-root "$work/carton/images" import "$work/layout" >/dev/null
    skopeo copy --quiet "oci:$work/layout:$IMG" "docker-archive:$work/image.tar:$IMG"

    echo "== carton-serve in $ns"
    # nsenter without --fork execs the daemon: $! is carton-serve's own pid (SIGTERM reaches it; its RSS is its own)
    nsenter --net="/run/netns/$ns" -- "$work/bin/carton-serve" --socket "$work/carton/carton.sock" --docker-socket "$csock" --root "$work/carton/compute" \
        --init-binary "$work/bin/carton" --image-root "$work/carton/images" --network-root "$work/carton/networks" \
        --network-run-root "$work/carton/netrun" --netns-dir "$work/carton/netns" >"$work/serve.log" 2>&1 &
    serve_pid=$!
    echo "== dockerd (own data-root, exec-root, managed containerd, runc) in $ns"
    nsenter --net="/run/netns/$ns" -- dockerd --data-root "$work/dockerd/data" --exec-root "$work/dockerd/exec" --pidfile "$work/dockerd/dockerd.pid" \
        -H "unix://$dsock" --storage-driver overlay2 --log-level error >"$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 300); do
        [ -S "$csock" ] && [ -S "$dsock" ] && dk "$csock" version >/dev/null 2>&1 && dk "$dsock" version >/dev/null 2>&1 && break
        kill -0 "$serve_pid" 2>/dev/null || die "carton-serve exited: $(cat "$work/serve.log")"
        kill -0 "$dockerd_pid" 2>/dev/null || die "dockerd exited: $(tail -20 "$work/dockerd.log")"
        sleep 0.1
    done
    dk "$dsock" load -q -i "$work/image.tar" >/dev/null
    dk "$csock" image inspect "$IMG" >/dev/null || die "carton does not have $IMG"
}
