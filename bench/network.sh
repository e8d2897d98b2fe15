#!/usr/bin/env bash
# Network benchmark (issue 12): the time to create, start, attach, detach and delete a container on a bridge network,
# through Carton's daemon and its CLI (carton-serve + carton-system), beside `podman run --rm --network` of the same
# image through CNI (Debian's podman 4.3, its default OCI runtime), in one run, interleaved round by round.
#
#   sudo ./bench/network.sh                  # RUNS=20, WARMUP=3
#   SMOKE=1 ./bench/network.sh               # RUNS=2, WARMUP=1: well under a minute (for CI)
#   CARTON_BIN=/path/to/artifacts/bin RUNS=50 ./bench/network.sh
#
# Environment:
#   RUNS        timed rounds (default 20; SMOKE: 2). Each round runs every variant once, in a rotating order.
#   WARMUP      untimed rounds before them (default 3; SMOKE: 1): Carton's first create snapshots the image, and both
#               sides' binaries and the image get into the page cache
#   EXTRAS      1 (default): also podman-steps and podman-nonet (below), to compare step by step with Carton's and to
#               show podman's own cost of the network; 0: only `podman run --rm --network`
#   PROFILE     1 (default unless SMOKE): after the rounds, one carton-net cycle with carton-serve under strace and one
#               podman run under strace (execve only): every program each one runs, when, and for how long
#               (network-profile.txt); the timings above are never taken under strace
#   SMOKE=1     RUNS=2, WARMUP=1, PROFILE=0, results named network-smoke.* (the full run's files are left alone)
#   CARTON_BIN  the directory holding carton, carton-serve, carton-system, carton-image, carton-monitor (default artifacts/bin; this
#               script never builds them; private copies are run)
#
# The variants, each one container running `true` from the same busybox-static image (scripts/make-busybox-image.sh):
#   carton-net    carton-system create ID --image REF --network benchnet -- true; start ID; poll `inspect ID` until
#                 stopped; rm ID. Create attaches (CNI ADD: an endpoint, a namespace pin, a veth on the bridge, an
#                 address), rm detaches and deletes them (CNI DEL). carton-system has no `wait`, so the wait is a loop of
#                 `inspect` (one CLI process per poll, no sleep; the poll count is recorded).
#   carton-nonet  the same without --network: the container gets a new network namespace with lo only, no CNI.
#   podman-run    podman run --rm --network NET REF true (the network made by `podman network create`, CNI backend).
#   podman-steps  (EXTRAS=1) podman create --network NET REF true; podman start ID; podman wait ID; podman rm ID.
#                 (podman attaches at start, not create; podman wait polls every 250 ms by default.)
#   podman-nonet  (EXTRAS=1) podman run --rm --network none REF true: lo only, no CNI.
# Each CLI step is timed on its own (bash's EPOCHREALTIME, no fork), and carton-serve's request log gives the
# daemon's own time per request, so the CLI's share shows.
#
# Isolation. Everything runs in a network namespace made here (carton-bench-net-PID), entered with
# `nsenter --net=` (no mount namespace): carton-serve is started in it, and so is every podman command (nsenter adds
# about a millisecond to each; carton-system talks to the daemon's socket and runs outside). Both bridges, the veths,
# the firewall and NAT rules live and die there. podman has its own --root, --runroot, --tmpdir, containers.conf
# (network_backend "cni", cni_plugin_dirs /usr/lib/cni, a private network_config_dir, cgroupfs, file logs and events,
# ulimits within the host's) and registries.conf. CNI's host-local IPAM and libcni's result cache under podman are
# on the host file system (/var/lib/cni/{networks/NET,results/NET-*}, NET = carton-bench-PID): the script removes
# them, and the directories above them if it made them. Carton's IPAM, CNI cache, endpoints and pins are under the
# work directory (carton-serve --network-run-root, --netns-dir).
#
# Leftovers: after the timed rounds the script checks that no system, container, veth, endpoint, namespace pin, CNI
# result or IPAM reservation is left (Carton's and podman's) and no cgroup is named after a container; after the
# teardown that the namespace, the work directory, every mount under it, every process of it and the /var/lib/cni
# entries are gone. Anything found is printed as a WARNING, and the exit status is then 1.
#
# Output (bench/results/): network.tsv (every step of every round), network.json (figures, environment, leftover
# checks), network.md (summary), network-serve.log (carton-serve's log), network-profile.txt (PROFILE=1).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
    RUNS=${RUNS:-2}
    WARMUP=${WARMUP:-1}
    name=network-smoke
else
    RUNS=${RUNS:-20}
    WARMUP=${WARMUP:-3}
    name=network
fi
EXTRAS=${EXTRAS:-1}
CARTON_BIN=${CARTON_BIN:-$repo/artifacts/bin}
# podman's OCI runtime: runc by default (the figures in docs/benchmarks.md), named so that installing crun, which
# podman would then prefer, changes nothing; crun 1.8 refuses a hybrid cgroup host
PODMAN_RUNTIME=${PODMAN_RUNTIME:-runc}
results=$here/results
CARTON_SUBNET=10.88.0.0/24
PODMAN_SUBNET=10.89.0.0/24
ns=carton-bench-net-$$
pnet=carton-bench-$$ # podman's network (and so /var/lib/cni/networks/$pnet)
cnet=benchnet        # Carton's network (its state is under the work directory)
prefix=cbn$$         # container ids
CREF=bench-busybox:latest
PREF=localhost/bench-busybox:latest

die() { echo "network.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for b in carton carton-serve carton-system carton-image carton-monitor; do
    [ -x "$CARTON_BIN/$b" ] || die "$CARTON_BIN/$b not found: build it first with ./scripts/build.sh"
done
for c in podman conmon nsenter ip python3; do command -v "$c" >/dev/null || die "$c not found"; done
[ -x /usr/lib/cni/bridge ] || die "/usr/lib/cni/bridge not found (apt-get install containernetworking-plugins)"
case $(ldd /bin/busybox 2>&1 || true) in *'not a dynamic'*) ;; *) die "/bin/busybox is not static (apt-get install busybox-static)";; esac
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer";; esac
case $WARMUP in '' | *[!0-9]*) die "WARMUP must be an integer";; esac

mkdir -p "$results"
work=$(mktemp -d /tmp/carton-bench-network.XXXXXX)
bin=$work/bin
P=$work/podman
NR=$work/netrun
ND=$work/netns
sock=$work/serve.sock
serve_pid=
warnings=()
cni_made=() # /var/lib/cni directories this run made (removed at the end if empty)
for d in /var/lib/cni /var/lib/cni/networks /var/lib/cni/results; do [ -e "$d" ] || cni_made=("$d" "${cni_made[@]}"); done

cs() { "$bin/carton-system" --socket "$sock" "$@"; }
pm() { nsenter --net="/run/netns/$ns" -- podman --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" --storage-driver overlay "$@"; }
warn() { warnings+=("$*"); echo "WARNING: $*" >&2; }

# ---------------------------------------------------------------------------------------------------------------
# Teardown (also on failure) and the final leftover check
# ---------------------------------------------------------------------------------------------------------------
teardown() {
    set +e
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
        for id in $(cs ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do cs rm "$id" >/dev/null 2>&1; done
        cs network rm "$cnet" >/dev/null 2>&1
        kill -TERM "$serve_pid"
        for _ in $(seq 50); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$serve_pid" 2>/dev/null && kill -KILL "$serve_pid"
        wait "$serve_pid" 2>/dev/null
    fi
    [ -f "$work/serve.log" ] && cp "$work/serve.log" "$results/$name-serve.log"
    if [ -d "$P/root" ] && [ -e "/run/netns/$ns" ]; then
        pm rm -a -f -t 0 >/dev/null 2>&1
        pm network rm -f "$pnet" >/dev/null 2>&1
    fi
    # Mounts under the work directory, deepest first (carton-serve's netns pin directory is one).
    awk -v w="$work" '$5 == w || index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r \
        | while read -r m; do umount "$m" || umount -l "$m"; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "/var/lib/cni/networks/$pnet" /var/lib/cni/results/"$pnet"-* 2>/dev/null
    for d in "${cni_made[@]}"; do rmdir "$d" 2>/dev/null; done
    rm -rf "$work"

    # What must be gone now.
    ip netns list | grep -w "$ns" >/dev/null && warn "network namespace $ns still exists"
    grep -q "$work" /proc/self/mountinfo && warn "mounts under $work remain: $(grep "$work" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')"
    [ -e "$work" ] && warn "$work still exists"
    local procs
    procs=$(ps -eo pid=,args= | grep -F "$work" | grep -v grep)
    [ -n "$procs" ] && warn "processes of the benchmark remain: $procs"
    [ -e "/var/lib/cni/networks/$pnet" ] && warn "/var/lib/cni/networks/$pnet remains"
    ls /var/lib/cni/results/"$pnet"-* >/dev/null 2>&1 && warn "CNI results /var/lib/cni/results/$pnet-* remain"
    local cg
    cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$prefix*" 2>/dev/null | head -5)
    [ -n "$cg" ] && warn "cgroups named after the containers remain: $cg"
    if [ ${#warnings[@]} -gt 0 ]; then
        echo "network.sh: WARNING: ${#warnings[@]} leftover(s) found (above)" >&2
        exit 1
    fi
    echo "== teardown: nothing left (namespace, work directory, mounts, processes, /var/lib/cni entries, cgroups)"
}
trap teardown EXIT

# ---------------------------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$bin"
for b in carton carton-serve carton-system carton-image carton-monitor carton-dmz; do cp "$CARTON_BIN/$b" "$bin/"; done
[ -f "$CARTON_BIN/libcarton_native.so" ] && cp "$CARTON_BIN/libcarton_native.so" "$bin/"

ip netns add "$ns"
ip -n "$ns" link set lo up

echo "== image: $CREF (scripts/make-busybox-image.sh)"
"$repo/scripts/make-busybox-image.sh" "$work/layout" "$CREF" >/dev/null
"$bin/carton-image" --image-root "$work/images" import "$work/layout" >/dev/null

echo "== carton-serve in $ns"
nsenter --net="/run/netns/$ns" -- "$bin/carton-serve" --socket "$sock" --root "$work/compute" \
    --init-binary "$bin/carton" --image-root "$work/images" --network-root "$work/networks" \
    --network-run-root "$NR" --netns-dir "$ND" >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
    [ -S "$sock" ] && cs ls >/dev/null 2>&1 && break
    kill -0 "$serve_pid" 2>/dev/null || die "carton-serve exited: $(cat "$work/serve.log")"
    sleep 0.1
done
cs ls >/dev/null || die "carton-serve does not answer on $sock"
cs network create "$cnet" --subnet "$CARTON_SUBNET" >/dev/null

echo "== podman (own root, containers.conf, CNI, runtime $PODMAN_RUNTIME) in $ns"
mkdir -p "$P/networks"
hard_nofile=$(ulimit -Hn)
cat >"$P/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=32768:32768"]
[engine]
runtime = "$PODMAN_RUNTIME"
events_logger = "file"
cgroup_manager = "cgroupfs"
[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
network_config_dir = "$P/networks"
EOF
echo 'unqualified-search-registries = []' >"$P/registries.conf"
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_REGISTRIES_CONF=$P/registries.conf
backend=$(pm info --format '{{.Host.NetworkBackend}}')
[ "$backend" = cni ] || die "podman's network backend is '$backend', not cni"
podman_runtime=$(pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}')
podman_runtime=${podman_runtime%%$'\n'*}
tar -C "$work/layout" -cf "$work/layout.tar" .
pm load -q -i "$work/layout.tar" >/dev/null
pm image exists "$PREF" || die "podman load did not give $PREF"
pm network create --subnet "$PODMAN_SUBNET" "$pnet" >/dev/null

carton_version=$("$bin/carton" --version)
hybrid=0
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]; then hybrid=1; fi
{
    echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
    echo "kernel:   $(uname -srm)"
    echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "cgroups:  $( [ $hybrid = 1 ] && echo 'hybrid (v1 + cgroup2 at /sys/fs/cgroup/unified)' || stat -f -c %T /sys/fs/cgroup)"
    echo "tmp:      $(stat -f -c %T /tmp)"
    echo "carton:   $carton_version, sha256 $(sha256sum "$bin/carton" | cut -c1-12), carton-serve sha256 $(sha256sum "$bin/carton-serve" | cut -c1-12) (from $CARTON_BIN)"
    echo "podman:   $(podman --version | awk '{print $3}'), network backend $backend, runtime $podman_runtime, conmon $(conmon --version | awk 'NR == 1 {print $3}'), storage overlay"
    echo "cni:      containernetworking-plugins $(dpkg-query -W -f '${Version}' containernetworking-plugins 2>/dev/null || echo '?') (/usr/lib/cni), for both"
} | tee "$work/environment.txt"

# ---------------------------------------------------------------------------------------------------------------
# The cycles
# ---------------------------------------------------------------------------------------------------------------
tsv=$work/times.tsv
printf 'variant\tround\tstep\tms\n' >"$tsv"
_t=0
mark() { _t=${EPOCHREALTIME/./}; }
# rec VARIANT ROUND STEP T0 T1: one row (microseconds → ms); warmup rounds (w*) are not written.
rec() {
    case $2 in w*) return;; esac
    printf '%s\t%s\t%s\t%d.%03d\n' "$1" "$2" "$3" $((($5 - $4) / 1000)) $((($5 - $4) % 1000)) >>"$tsv"
}

# carton_cycle VARIANT ROUND ID [--network NET]
carton_cycle() {
    local v=$1 r=$2 id=$3 t0 t1 t2 t3 t4 out polls=0 deadline
    shift 3
    mark; t0=$_t
    cs create "$id" --image "$CREF" "$@" -- true >/dev/null
    mark; t1=$_t
    cs start "$id"
    mark; t2=$_t
    deadline=$((t2 + 30000000))
    while :; do
        out=$(cs inspect "$id")
        polls=$((polls + 1))
        case $out in *'"state": "stopped"'*) break;; esac
        mark
        [ "$_t" -lt "$deadline" ] || die "$id did not stop within 30 s: $out"
    done
    mark; t3=$_t
    cs rm "$id"
    mark; t4=$_t
    case $out in *'"exitCode": 0'*) ;; *) die "$id did not exit 0: $out";; esac
    rec "$v" "$r" create "$t0" "$t1"; rec "$v" "$r" start "$t1" "$t2"; rec "$v" "$r" wait "$t2" "$t3"
    rec "$v" "$r" rm "$t3" "$t4"; rec "$v" "$r" total "$t0" "$t4"
    case $r in w*) ;; *) printf '%s\t%s\tpolls\t%d\n' "$v" "$r" "$polls" >>"$tsv";; esac
}

# podman_run VARIANT ROUND NETWORK
podman_run() {
    local t0 t1
    mark; t0=$_t
    pm run --rm --network "$3" "$PREF" true
    mark; t1=$_t
    rec "$1" "$2" total "$t0" "$t1"
}

podman_steps() {
    local r=$1 t0 t1 t2 t3 t4 id code
    mark; t0=$_t
    id=$(pm create --network "$pnet" "$PREF" true)
    mark; t1=$_t
    pm start "$id" >/dev/null
    mark; t2=$_t
    code=$(pm wait "$id")
    mark; t3=$_t
    pm rm "$id" >/dev/null
    mark; t4=$_t
    [ "$code" = 0 ] || die "podman container $id exited $code"
    rec podman-steps "$r" create "$t0" "$t1"; rec podman-steps "$r" start "$t1" "$t2"; rec podman-steps "$r" wait "$t2" "$t3"
    rec podman-steps "$r" rm "$t3" "$t4"; rec podman-steps "$r" total "$t0" "$t4"
}

nsenter_true() {
    local r=$1 t0 t1
    mark; t0=$_t
    nsenter --net="/run/netns/$ns" -- true
    mark; t1=$_t
    rec nsenter "$r" total "$t0" "$t1"
}

variants=(carton-net carton-nonet podman-run)
[ "$EXTRAS" = 1 ] && variants+=(podman-steps podman-nonet)
run_variant() { # VARIANT ROUND
    case $1 in
        carton-net) carton_cycle carton-net "$2" "$prefix-n-$2" --network "$cnet";;
        carton-nonet) carton_cycle carton-nonet "$2" "$prefix-x-$2";;
        podman-run) podman_run podman-run "$2" "$pnet";;
        podman-nonet) podman_run podman-nonet "$2" none;;
        podman-steps) podman_steps "$2";;
    esac
}
# round ROUND INDEX: every variant once, the order rotated by INDEX (so no variant always runs first or after podman).
round() {
    local n=${#variants[@]} k
    for k in $(seq 0 $((n - 1))); do run_variant "${variants[$(((k + $2) % n))]}" "$1"; done
    nsenter_true "$1"
}

cpu_sample() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }

echo "== warmup: $WARMUP round(s) of: ${variants[*]}"
for i in $(seq 1 "$WARMUP"); do round "w$i" "$i"; done
echo "== $RUNS timed round(s)"
cpu_before=$(cpu_sample)
for i in $(seq 1 "$RUNS"); do
    round "$i" "$i"
    printf '.'
done
echo
cpu_after=$(cpu_sample)
cpu_busy=$(echo "$cpu_before $cpu_after" | awk '{ printf "%.0f", 100 * (1 - ($4 - $2) / ($3 - $1)) }')
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------
# Profile (PROFILE=1): which processes one cycle runs, and for how long (strace of execve and exits)
# ---------------------------------------------------------------------------------------------------------------
# exec_timeline TRACE T0: every execve in TRACE (strace -f -ttt -e trace=execve), with its start relative to T0 (s,
# EPOCHREALTIME) and how long that program ran (to the pid's next execve or exit), in ms.
exec_timeline() {
    python3 - "$1" "$2" <<'PY'
import re, sys
trace, t0 = sys.argv[1], float(sys.argv[2])
segs, cur = [], {}
for line in open(trace):
    m = re.match(r"(\d+)\s+(\d+\.\d+)\s+(.*)", line)
    if not m:
        continue
    pid, t, rest = m.group(1), float(m.group(2)), m.group(3)
    if rest.startswith("execve(") and rest.rstrip().endswith("= 0"):
        if pid in cur:
            cur[pid][2] = t
        prog = re.match(r'execve\("([^"]*)", \[(.*?)\]', rest)
        args = " ".join(a.strip('"') for a in re.findall(r'"(?:[^"\\]|\\.)*"', prog.group(2))[:4]) if prog else rest
        seg = [prog.group(1) if prog else "?", t, None, args]
        segs.append(seg)
        cur[pid] = seg
    elif rest.startswith("+++ exited") or rest.startswith("+++ killed"):
        if pid in cur and cur[pid][2] is None:
            cur[pid][2] = t
cni = [(p, s, e) for p, s, e, _ in segs if p.startswith("/usr/lib/cni/") and not p.endswith("/host-local") and e]
print(f"# CNI plugin runs (host-local runs inside bridge, iptables inside bridge, portmap and firewall): {len(cni)}, "
      f"{sum(e - s for _, s, e in cni) * 1000:.0f} ms in all")
print(f"{'start ms':>9} {'ran ms':>8}  program (first arguments)")
for prog, s, e, args in segs:
    d = f"{(e - s) * 1000:8.1f}" if e else "       ?"
    print(f"{(s - t0) * 1000:9.1f} {d}  {args}")
PY
}

PROFILE=${PROFILE:-$([ "$SMOKE" = 1 ] && echo 0 || echo 1)}
if [ "$PROFILE" = 1 ] && command -v strace >/dev/null; then
    echo "== profile: one carton-net cycle with carton-serve under strace, one podman run under strace"
    prof=$results/$name-profile.txt
    strace -f -ttt -e trace=execve -e signal=none -o "$work/serve.strace" -p "$serve_pid" 2>/dev/null &
    strace_pid=$!
    sleep 1 # attached
    mark; p0=$_t
    carton_cycle profile w-profile "$prefix-n-wprofile" --network "$cnet"
    mark; p1=$_t
    sleep 0.5
    kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
    mark; p2=$_t
    strace -f -ttt -e trace=execve -e signal=none -o "$work/podman.strace" \
        nsenter --net="/run/netns/$ns" -- podman --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" \
        --storage-driver overlay run --rm --network "$pnet" "$PREF" true
    mark; p3=$_t
    {
        echo "# carton-net cycle (CLI: create, start, inspect until stopped, rm): $(((p1 - p0) / 1000)) ms under strace;"
        echo "# what carton-serve exec'd meanwhile (the CLI's own processes are not traced)"
        exec_timeline "$work/serve.strace" "${p0:0:-6}.${p0: -6}"
        echo
        echo "# podman run --rm --network: $(((p3 - p2) / 1000)) ms under strace; everything it exec'd"
        exec_timeline "$work/podman.strace" "${p2:0:-6}.${p2: -6}"
    } >"$prof"
    cat "$prof"
fi

# ---------------------------------------------------------------------------------------------------------------
# Leftovers after the rounds (before the teardown removes the networks)
# ---------------------------------------------------------------------------------------------------------------
left=$(cs ls | awk 'NR > 1')
[ -n "$left" ] && warn "carton systems left: $left"
veths=$(ip -n "$ns" -o link show type veth)
[ -n "$veths" ] && warn "veths left in $ns: $veths"
for d in "$NR/endpoints" "$NR/namespaces" "$NR/cni/results" "$ND"; do
    [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && warn "Carton leftovers in $d: $(ls -A "$d" | tr '\n' ' ')"
done
ipam=$(ls -A "$NR/ipam/$cnet" 2>/dev/null | grep -Ev '^(lock|last_reserved_ip\..*)$' || true)
[ -n "$ipam" ] && warn "Carton IPAM reservations left: $ipam"
grep -q " $ND/" /proc/self/mountinfo && warn "namespace pins still mounted under $ND"
left=$(pm ps -a -q)
[ -n "$left" ] && warn "podman containers left: $left"
ipam=$(ls -A "/var/lib/cni/networks/$pnet" 2>/dev/null | grep -Ev '^(lock|last_reserved_ip\..*)$' || true)
[ -n "$ipam" ] && warn "podman's CNI IPAM reservations left: $ipam"
ls /var/lib/cni/results/"$pnet"-* >/dev/null 2>&1 && warn "podman's CNI results left: $(ls /var/lib/cni/results/"$pnet"-*)"
cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$prefix*" 2>/dev/null | head -5)
[ -n "$cg" ] && warn "cgroups named after Carton's containers left: $cg"
clean=true
[ ${#warnings[@]} -gt 0 ] && clean=false
echo "== leftovers after the rounds: $([ "$clean" = true ] && echo none || echo "${#warnings[@]} (see the warnings)")"

cp "$tsv" "$results/$name.tsv"
python3 - "$tsv" "$work/serve.log" "$work/environment.txt" "$results/$name.json" "$results/$name.md" \
    "$RUNS" "$WARMUP" "$cpu_busy" "$load_after" "$clean" "$prefix" <<'EOF'
import json, statistics, sys, re
tsv, serve_log, envf, out_json, out_md, runs, warmup, cpu_busy, load_after, clean, prefix = sys.argv[1:12]
rows = [l.rstrip("\n").split("\t") for l in open(tsv)][1:]
data = {}
for v, r, step, ms in rows:
    data.setdefault(v, {}).setdefault(step, []).append(float(ms))

def stats(xs):
    xs = sorted(xs)
    return {"n": len(xs), "median": statistics.median(xs), "mean": statistics.fmean(xs),
            "stddev": statistics.stdev(xs) if len(xs) > 1 else 0.0, "min": xs[0], "max": xs[-1]}

figures = {v: {s: stats(x) for s, x in steps.items()} for v, steps in data.items()}

# carton-serve's own time per request, by container: POST /v1/systems names no id; it belongs to the next id seen
# (the cycles are sequential).
daemon = {}
pending = None
for line in open(serve_log):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("msg") != "request":
        continue
    path, method, ms = e["path"], e["method"], float(e["ms"])
    if method == "POST" and path == "/v1/systems":
        pending = ms
        continue
    m = re.match(r"/v1/systems/([^/]+)(/.*)?$", path)
    if not m or not m.group(1).startswith(prefix + "-"):
        continue
    cid, sub = m.group(1), m.group(2) or ""
    _, kind, rnd = cid.split("-", 2)
    if rnd.startswith("w"):
        pending = None
        continue
    d = daemon.setdefault({"n": "carton-net", "x": "carton-nonet"}[kind], {}).setdefault(rnd, {"create": 0.0, "start": 0.0, "inspect": 0.0, "rm": 0.0})
    if pending is not None:
        d["create"] += pending
        pending = None
    if method == "POST" and sub == "/start":
        d["start"] += ms
    elif method == "GET":
        d["inspect"] += ms
    elif method == "DELETE":
        d["rm"] += ms
daemon_figs = {v: {s: stats([r[s] for r in rs.values()]) for s in ("create", "start", "inspect", "rm")} for v, rs in daemon.items()}

med = lambda v, s="total": figures[v][s]["median"] if v in figures and s in figures[v] else None
ratios = {
    "carton-net / podman-run": med("carton-net") / med("podman-run"),
    "carton-nonet / podman-run": med("carton-nonet") / med("podman-run"),
}
if "podman-steps" in figures:
    ratios["carton-net / podman-steps"] = med("carton-net") / med("podman-steps")
net_cost = {s: med("carton-net", s) - med("carton-nonet", s) for s in ("create", "start", "wait", "rm", "total")}
if "podman-nonet" in figures:
    ratios["carton-nonet / podman-nonet"] = med("carton-nonet") / med("podman-nonet")
    ratios["network's cost: carton / podman"] = (med("carton-net") - med("carton-nonet")) / (med("podman-run") - med("podman-nonet"))

env = {}
for line in open(envf):
    k, _, v = line.partition(":")
    env[k.strip()] = v.strip()
env["loadAfter"] = load_after
env["cpuBusyPercent"] = int(cpu_busy)
out = {"runs": int(runs), "warmup": int(warmup), "environment": env, "figuresMs": figures, "daemonMs": daemon_figs,
       "ratiosOfMedians": ratios, "networkCostMs": net_cost,
       "podmanNetworkCostMs": med("podman-run") - med("podman-nonet") if "podman-nonet" in figures else None, "goal": "carton-net / podman-run <= 0.5",
       "goalMet": ratios["carton-net / podman-run"] <= 0.5, "clean": clean == "true"}
json.dump(out, open(out_json, "w"), indent=2)

f = lambda x: f"{x:.1f}"
md = ["# Network benchmark", "", "```", open(envf).read().rstrip(), f"load after: {load_after}",
      f"CPUs busy during the timed rounds: {cpu_busy} % (this benchmark included)", "```", "",
      f"{runs} rounds after {warmup} warmup round(s); each round runs every variant once (rotating order). ms.", "",
      "| variant | median | mean ± σ | min | max |", "|---|---:|---:|---:|---:|"]
for v in ("carton-net", "carton-nonet", "podman-run", "podman-steps", "podman-nonet", "nsenter"):
    if v in figures:
        s = figures[v]["total"]
        md.append(f"| {v} | {f(s['median'])} | {f(s['mean'])} ± {f(s['stddev'])} | {f(s['min'])} | {f(s['max'])} |")
md += ["", "| ratio (of medians) | value |", "|---|---:|"]
for k, v in ratios.items():
    md.append(f"| {k} | {v:.2f} |")
md += ["", f"Goal (carton-net at most half of podman-run): **{'met' if out['goalMet'] else 'not met'}** "
       f"({ratios['carton-net / podman-run']:.2f}).", "",
       "Per step (CLI wall time, medians, ms):", "", "| variant | create | start | wait | rm | total | inspect polls |",
       "|---|---:|---:|---:|---:|---:|---:|"]
for v in ("carton-net", "carton-nonet", "podman-steps"):
    if v in figures:
        g = figures[v]
        polls = f(g["polls"]["median"]) if "polls" in g else ""
        md.append(f"| {v} | " + " | ".join(f(g[s]["median"]) for s in ("create", "start", "wait", "rm", "total")) + f" | {polls} |")
md.append("| network's cost (carton-net − carton-nonet) | " + " | ".join(f(net_cost[s]) for s in ("create", "start", "wait", "rm", "total")) + " | |")
if out["podmanNetworkCostMs"] is not None:
    md += ["", f"podman's network cost (podman-run − podman-nonet): {f(out['podmanNetworkCostMs'])} ms; Carton's: {f(net_cost['total'])} ms."]
md += ["", "Inside carton-serve (its request log; medians, ms; `inspect` is the sum over the wait's polls):", "",
       "| variant | create | start | inspect | rm |", "|---|---:|---:|---:|---:|"]
for v in ("carton-net", "carton-nonet"):
    if v in daemon_figs:
        md.append(f"| {v} | " + " | ".join(f(daemon_figs[v][s]["median"]) for s in ("create", "start", "inspect", "rm")) + " |")
md += ["", "Leftovers after the rounds: " + ("none." if out["clean"] else "**FOUND** (see the warnings).")]
open(out_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
EOF
