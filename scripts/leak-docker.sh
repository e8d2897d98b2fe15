#!/usr/bin/env bash
# Issue 15's campaign on the upper layers: N `docker run --rm IMAGE true` through carton-serve's Docker socket (part A),
# then M `docker network connect` / `disconnect` cycles of a running container (part B), with the daemon's fds,
# threads and RSS sampled after a warm-up, every 50 operations and at the end, and the leftovers counted: veths,
# namespace pins, IPAM records, endpoint/namespace/CNI-cache records, active and committed snapshots, blobs, compute
# and Docker state directories, cgroups of the containers run here, iptables rules and chains, and processes.
# Exits 1 on any leftover, on fds or threads above the warm-up's plus a small tolerance, and on RSS growth past a bound.
#
#   sudo ./scripts/leak-docker.sh                 # the campaign: N=500, M=200
#   N=20 M=10 ./scripts/leak-docker.sh            # the CI smoke (scripts/bench-smoke.sh)
#   INJECT=rm ./scripts/leak-docker.sh            # proves the checks can fail: one run of part A without --rm
#   INJECT=disconnect ./scripts/leak-docker.sh    # ... the last connect of part B not followed by its disconnect
#
# Environment:
#   N, M            part A's runs and part B's cycles (after WARMUP of each; WARMUP default 10, at least 3)
#   EVERY           sample every EVERY operations (default 50)
#   FD_TOL, THREAD_TOL   fds and threads allowed above the warm-up's sample (default 4 and 8: the thread pool adds
#                   workers under load; 16 -> 19 in a CI-sized run on a loaded machine)
#   RSS_TOL_KB      VmRSS growth allowed from the warm-up's sample to any later one (default 32768: see
#                   docs/reliability.md for the figure and why)
#   DOCKER_CLI      the client (default /usr/bin/docker, Debian's 20.10)
#   CARTON_BIN      carton, carton-serve, carton-monitor, carton-image, carton-dmz (default artifacts/bin; never built here)
#   INJECT          rm or disconnect: a deliberate leak (above); the script must then fail
#   OUT             the samples, a TSV (default: none kept)
#
# Part A's runs: every 5th with `--network none`, every 5th (offset) with a published port (`-p 127.0.0.1::80`, which
# adds portmap's DNAT rules and a socket the daemon binds), the rest on the default bridge (a veth, an address, a pin).
# Part B: one container (`sleep`) on the default bridge; each cycle connects it to a user network and disconnects it
# (a veth made and deleted, an address taken and freed, a CNI cache entry, /etc/hosts rewritten), and every 10th
# cycle does so on a network created for the cycle and removed after it (a bridge, a masquerade rule, an IPAM
# directory). The pin is the container's own: part A makes and removes one per run.
#
# Isolation: a network namespace made here (upper-leak-PID) holds the daemon, its bridges, veths and iptables rules;
# every root of the daemon is under a work directory /tmp/upper-leak-docker.XXXXXX; the image is
# scripts/make-busybox-image.sh's busybox imported into the daemon's store (no registry: a local image is not pulled).
# Cgroups are counted by the ids the CLI wrote (--cidfile), so other users' containers are never counted.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
N=${N:-500}
M=${M:-200}
WARMUP=${WARMUP:-10}
EVERY=${EVERY:-50}
FD_TOL=${FD_TOL:-4}
THREAD_TOL=${THREAD_TOL:-8}
RSS_TOL_KB=${RSS_TOL_KB:-32768}
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
CARTON_BIN=${CARTON_BIN:-$repo/artifacts/bin}
INJECT=${INJECT:-}
OUT=${OUT:-}
IMG=leak-busybox:latest
ns=upper-leak-$$

die() { echo "leak-docker.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for v in N M WARMUP EVERY FD_TOL THREAD_TOL RSS_TOL_KB; do
    case ${!v} in '' | *[!0-9]*) die "$v must be a non-negative integer (got \"${!v}\")";; esac
done
[ "$EVERY" -gt 0 ] || die "EVERY must be positive"
# the warm-up must include a published port: portmap makes its chains at the first one, and they stay
[ "$WARMUP" -ge 3 ] || die "WARMUP must be at least 3 (got $WARMUP): the warm-up must include a run with a published port"
case $INJECT in '' | rm | disconnect) ;; *) die "INJECT must be rm or disconnect (got \"$INJECT\")";; esac
for b in carton carton-serve carton-monitor carton-image carton-dmz; do [ -x "$CARTON_BIN/$b" ] || die "$CARTON_BIN/$b not found: ./scripts/build.sh"; done
for c in nsenter ip iptables-save python3 "$DOCKER_CLI"; do command -v "$c" >/dev/null || die "$c not found (scripts/install-deps.sh)"; done

work=$(mktemp -d /tmp/upper-leak-docker.XXXXXX)
C=$work/carton
sock=$C/docker.sock
serve_pid=
failures=()
fail() { failures+=("$*"); echo "LEAK: $*" >&2; }
in_ns() { nsenter --net="/run/netns/$ns" -- "$@"; }
dk() { DOCKER_CONFIG=$work/cli in_ns "$DOCKER_CLI" -H "unix://$sock" "$@"; }

teardown() {
    local rc=$?
    set +e
    if [ -S "$sock" ]; then
        for c in $(dk ps -aq 2>/dev/null); do dk rm -f "$c" >/dev/null 2>&1; done
        for n in $(dk network ls -q --filter type=custom 2>/dev/null); do dk network rm "$n" >/dev/null 2>&1; done
    fi
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
        kill -TERM "$serve_pid"
        for _ in $(seq 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$serve_pid" 2>/dev/null
    fi
    wait 2>/dev/null
    awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r \
        | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
    # cgroups of this script's containers that the checks already reported (the campaign goes on to its end)
    [ -f "$work/ids" ] && find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d 2>/dev/null | grep -F -f "$work/ids" | sort -r | xargs -r rmdir 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    [ $rc != 0 ] && [ -f "$work/serve.log" ] && { echo "--- daemon log (last 30 lines) ---" >&2; tail -30 "$work/serve.log" >&2; }
    rm -rf "$work"
    exit $rc
}
trap teardown EXIT

mkdir -p "$C" "$work/cli" "$work/bin" "$work/cid"
: >"$work/ids"
for b in carton carton-serve carton-monitor carton-image carton-dmz; do cp "$CARTON_BIN/$b" "$work/bin/"; done
[ -f "$CARTON_BIN/libcarton_native.so" ] && cp "$CARTON_BIN/libcarton_native.so" "$work/bin/"
ip netns add "$ns"
ip -n "$ns" link set lo up

"$repo/scripts/make-busybox-image.sh" "$work/layout" "$IMG" >/dev/null
"$work/bin/carton-image" --image-root "$C/images" import "$work/layout" >/dev/null

# nsenter --net only (not `ip netns exec`, which gives the daemon a mount namespace of its own: docs/network.md)
nsenter --net="/run/netns/$ns" -- "$work/bin/carton-serve" --socket "$C/carton.sock" --docker-socket "$sock" \
    --root "$C/compute" --docker-root "$C/docker" --init-binary "$work/bin/carton" --image-root "$C/images" \
    --network-root "$C/networks" --network-run-root "$C/netrun" --netns-dir "$C/netns" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 300); do
    [ -S "$sock" ] && dk version >/dev/null 2>&1 && break
    kill -0 "$serve_pid" 2>/dev/null || die "carton-serve exited: $(cat "$work/serve.log")"
    sleep 0.1
done
dk image inspect "$IMG" >/dev/null || die "the daemon does not have $IMG"

count() { find "$@" 2>/dev/null | wc -l; }
# One sample: name=value pairs, in a fixed order (the columns of OUT).
columns="fds threads rss_kb veths bridges pins ipam endpoints namespaces cni_cache active_snaps committed_snaps blobs compute_dirs docker_dirs cgroups ipt_rules ipt_chains procs"
sample() {
    local fds threads rss veths bridges pins ipam endpoints namespaces cni active committed blobs compute dockerd cgroups rules chains procs ipt
    fds=$(count "/proc/$serve_pid/fd" -mindepth 1 -maxdepth 1)
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$serve_pid/status")
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$serve_pid/status")
    veths=$(in_ns ip -o link show type veth | wc -l)
    bridges=$(in_ns ip -o link show type bridge | wc -l)
    # a pin is an nsfs bind mount under the daemon's pin directory (the directory itself is a bind mount of itself)
    pins=$(awk -v d="$C/netns/" 'index($5, d) == 1 { n++ } END { print n + 0 }' /proc/self/mountinfo)
    # host-local's records: one file per address handed out (not last_reserved_ip.*, not lock)
    ipam=$(find "$C/netrun/ipam" -type f ! -name 'last_reserved_ip*' ! -name lock 2>/dev/null | wc -l)
    endpoints=$(count "$C/netrun/endpoints" -mindepth 1 -maxdepth 1)
    namespaces=$(count "$C/netrun/namespaces" -mindepth 1 -maxdepth 1)
    cni=$(count "$C/netrun/cni/results" -mindepth 1 -maxdepth 1)
    active=$(count "$C/images/snapshots/.active" -mindepth 1 -maxdepth 1)
    committed=$(count "$C/images/snapshots" -mindepth 1 -maxdepth 1 -name 'sha256-*')
    blobs=$(count "$C/images/blobs" -type f)
    compute=$(count "$C/compute" -mindepth 1 -maxdepth 1)
    dockerd=$(count "$C/docker/containers" -mindepth 1 -maxdepth 1)
    cgroups=0
    [ -s "$work/ids" ] && cgroups=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d 2>/dev/null | grep -c -F -f "$work/ids" || true)
    ipt=$(in_ns iptables-save 2>/dev/null; in_ns iptables-save -t nat 2>/dev/null)
    rules=$(grep -c '^-A' <<<"$ipt" || true)
    chains=$(grep -c '^:' <<<"$ipt" || true)
    # processes started from this script's copies of the binaries, the daemon aside (monitors, inits)
    procs=0
    for e in /proc/[0-9]*/exe; do
        case $(readlink "$e" 2>/dev/null) in "$work/bin/"*) [ "${e%/exe}" = "/proc/$serve_pid" ] || procs=$((procs + 1));; esac
    done
    echo "$fds $threads $rss $veths $bridges $pins $ipam $endpoints $namespaces $cni $active $committed $blobs $compute $dockerd $cgroups $rules $chains $procs"
}
declare -A base
set_base() { local i=0 v; for v in $2; do base[$1.${columns_a[i]}]=$v; i=$((i + 1)); done; }
read -r -a columns_a <<<"$columns"
samples=$work/samples.tsv
printf 'part\top\t%s\n' "${columns// /$'\t'}" >"$samples"
record() { local s; s=$(sample); printf '%s\t%s\t%s\n' "$1" "$2" "${s// /$'\t'}" >>"$samples"; echo "$s"; }
# Every count but fds, threads and RSS must equal the baseline's; fds and threads may exceed it by their tolerance,
# RSS by RSS_TOL_KB.
check() { # part op sample baseline-name
    local part=$1 op=$2 i=0 v b
    for v in $3; do
        local col=${columns_a[i]}
        b=${base[$4.$col]}
        case $col in
            fds) [ "$v" -le $((b + FD_TOL)) ] || fail "$part after $op: daemon fds $v > $b + $FD_TOL";;
            threads) [ "$v" -le $((b + THREAD_TOL)) ] || fail "$part after $op: daemon threads $v > $b + $THREAD_TOL";;
            rss_kb) [ "$v" -le $((b + RSS_TOL_KB)) ] || fail "$part after $op: daemon VmRSS ${v} kB > $b + $RSS_TOL_KB kB";;
            *) [ "$v" = "$b" ] || fail "$part after $op: $col $v, $b before";;
        esac
        i=$((i + 1))
    done
}

run_one() { # i
    local i=$1 opts=(--rm) cid=$work/cid/$1
    case $((i % 5)) in
        0) opts+=(--network none);;
        2) opts+=(-p 127.0.0.1::80);;
    esac
    [ "$INJECT" = rm ] && [ "$i" = $((WARMUP + N / 2)) ] && opts=("${opts[@]:1}") && echo "INJECT: run $i without --rm" >&2
    dk run "${opts[@]}" --cidfile "$cid" "$IMG" true >/dev/null || die "run $i: docker run ${opts[*]} failed"
    printf '%s\n' "$(cat "$cid")" >>"$work/ids"  # $(...) drops a trailing newline: no empty pattern for grep -f
}

echo "== part A: $WARMUP warm-up + $N docker run --rm (every 5th --network none, every 5th a published port)"
t0=$SECONDS
for i in $(seq "$WARMUP"); do run_one "$i"; done
s=$(record A 0); set_base A "$s"; echo "   warm-up: $s"
for j in $(seq "$N"); do
    run_one $((WARMUP + j))
    if [ $((j % EVERY)) = 0 ] || [ "$j" = "$N" ]; then s=$(record A "$j"); check A "run $j" "$s" A; fi
done
left=$(dk ps -aq | wc -l)
[ "$left" = 0 ] || fail "A: $left container(s) left in docker ps -a"
echo "   $N runs in $((SECONDS - t0)) s; last: $s"

echo "== part B: $WARMUP warm-up + $M network connect/disconnect cycles (every 10th on a network made for it)"
dk network create --subnet 10.91.0.0/24 upper-net >/dev/null
dk run -d --name upper-sleeper --cidfile "$work/cid/sleeper" "$IMG" sleep 100000 >/dev/null
printf '%s\n' "$(cat "$work/cid/sleeper")" >>"$work/ids"
cycle() { # i
    local i=$1 net=upper-net
    if [ $((i % 10)) = 0 ]; then net=upper-c$i; dk network create --subnet 10.92.$((i % 250)).0/24 "$net" >/dev/null; fi
    dk network connect "$net" upper-sleeper
    if [ "$INJECT" = disconnect ] && [ "$i" = $((WARMUP + M)) ]; then echo "INJECT: cycle $i (the last) not disconnected" >&2; return; fi
    dk network disconnect "$net" upper-sleeper
    [ "$net" = upper-net ] || dk network rm "$net" >/dev/null
}
t0=$SECONDS
for i in $(seq "$WARMUP"); do cycle "$i"; done
s=$(record B 0); set_base B "$s"; echo "   warm-up: $s"
for j in $(seq "$M"); do
    cycle $((WARMUP + j))
    if [ $((j % EVERY)) = 0 ] || [ "$j" = "$M" ]; then s=$(record B "$j"); check B "cycle $j" "$s" B; fi
done
echo "   $M cycles in $((SECONDS - t0)) s; last: $s"

# The end: the sleeper and the user networks removed, everything must be as after part A's warm-up.
dk rm -f upper-sleeper >/dev/null
for n in $(dk network ls -q --filter type=custom); do dk network rm "$n" >/dev/null || fail "end: docker network rm $n failed"; done
sleep 0.5
s=$(record end 0); check end "removing the sleeper and the networks" "$s" A
echo "   end: $s"

# RSS over the operations after the warm-up: least-squares slope (kB per operation) and the growth, per part.
python3 - "$samples" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
h, rows = rows[0], rows[1:]
col = {c: i for i, c in enumerate(h)}
for part in ("A", "B"):
    pts = [(int(r[1]), int(r[col["rss_kb"]])) for r in rows if r[0] == part]
    if len(pts) < 2: continue
    n = len(pts); mx = sum(x for x, _ in pts) / n; my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    slope = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else 0.0
    fds = [int(r[col["fds"]]) for r in rows if r[0] == part]; th = [int(r[col["threads"]]) for r in rows if r[0] == part]
    print(f"   {part}: VmRSS {pts[0][1]} -> {pts[-1][1]} kB ({pts[-1][1] - pts[0][1]:+d} kB, slope {slope:.2f} kB/op over {pts[-1][0]} ops); "
          f"fds {fds[0]} -> max {max(fds)}; threads {th[0]} -> max {max(th)}")
EOF
[ -n "$OUT" ] && cp "$samples" "$OUT"
if [ ${#failures[@]} -gt 0 ]; then echo "leak-docker.sh: ${#failures[@]} leak(s) (above)" >&2; exit 1; fi
echo "leak-docker: $N runs and $M cycles, nothing left behind, fds/threads within +$FD_TOL/+$THREAD_TOL, VmRSS within +$RSS_TOL_KB kB"
