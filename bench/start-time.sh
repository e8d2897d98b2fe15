#!/usr/bin/env bash
# Start-time benchmark: `run` of /bin/true under carton, runc and crun, side by side in ONE hyperfine invocation,
# on the same busybox bundle, plus the create/start/delete phases and carton's bare binary startup.
#
#   sudo ./bench/start-time.sh             # RUNS=50 by default
#   RUNS=200 PHASE_RUNS=50 ./bench/start-time.sh
#
# Environment:
#   RUNS        hyperfine --runs for the `run` comparison (default 50); warmup is 5
#   PHASE_RUNS  hyperfine --runs for each create/start/delete phase, and for exec and state (default 30)
#   PARALLEL_RUNS  hyperfine --runs of 50 runs in parallel (default 5)
#   CARTON      the carton binary (default artifacts/bin/carton; this script never builds it)
#   HOST_COMPARE=0  skip the extra carton/runc measurement outside the unshare wrapper
#
# Output: bench/results/start-time.{json,md}, phases.{json,md}, startup.{json,md}, host.json, environment.txt,
# summary.txt.
#
# Why the unshare wrapper: crun 1.8 refuses a hybrid cgroup host (v1 + cgroup2 at /sys/fs/cgroup/unified). Inside a
# private mount namespace the unified mount is replaced by an empty tmpfs, so crun sees a pure v1 host (and writes
# nothing to the real unified hierarchy). For fairness all three runtimes run inside that same wrapper, and the
# wrapper is started ONCE: hyperfine runs inside it, so its own cost is not part of any timed iteration. On a pure
# v1 or pure v2 host the wrapper is not needed and not used.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
RUNS=${RUNS:-50}
PHASE_RUNS=${PHASE_RUNS:-30}
HOST_COMPARE=${HOST_COMPARE:-1}
CARTON=${CARTON:-$repo/artifacts/bin/carton}
results=$here/results
ID=bench-start
ROOT_CARTON=/run/bench-carton
ROOT_RUNC=/run/bench-runc
ROOT_CRUN=/run/bench-crun

die() { echo "start-time.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Inner part: runs inside the (single) unshare wrapper. Everything timed happens here.
# ---------------------------------------------------------------------------------------------------------------
inner() {
    local bundle=$1
    local carton="$CARTON --root $ROOT_CARTON"
    local runc="runc --root $ROOT_RUNC"
    local crun="crun --root $ROOT_CRUN"
    local hf=(hyperfine --style basic --shell none)

    echo "== run /bin/true: carton vs runc vs crun (warmup 5, runs $RUNS)"
    "${hf[@]}" --warmup 5 --runs "$RUNS" \
        --export-json "$results/start-time.json" --export-markdown "$results/start-time.md" \
        -n carton "$carton run -b $bundle $ID" \
        -n runc "$runc run -b $bundle $ID" \
        -n crun "$crun run -b $bundle $ID"

    echo "== phases: create / start / delete (runs $PHASE_RUNS each)"
    # Each phase is timed alone; --prepare puts the container in the state the phase starts from and is not timed.
    # `delete` starts from a stopped container: the prepare step waits until /bin/true has exited.
    # The prepare steps are small scripts, so no quoting survives two shells.
    local h=$bundle/..
    cat >"$h/parallel.sh" <<'EOS'
i=0
while [ $i -lt $3 ]; do $1 run -b "$2" "$4-$i" </dev/null >/dev/null & i=$((i + 1)); done
wait
EOS
    # Peak RSS of a `run` (GNU time's %M: the largest of the run process and what it waited for; the fork of a
    # small program before exec counts too, about 1 MB, the same for all three). Python's getrusage is no use here:
    # a child's high-water mark keeps the RSS of the Python it was forked from.
    cat >"$h/maxrss.sh" <<'EOS'
max=0
for i in 1 2 3 4 5; do
    m=$(/usr/bin/time -f %M $2 run -b "$3" "$4" 2>&1 >/dev/null </dev/null | tail -1)
    [ "$m" -gt "$max" ] && max=$m
done
echo "$1 run_maxrss_kb $max"
EOS
    cat >"$h/wipe.sh" <<'EOS'
$1 delete -f "$ID" >/dev/null 2>&1; exit 0
EOS
    cat >"$h/created.sh" <<'EOS'
$1 delete -f "$ID" >/dev/null 2>&1; exec $1 create -b "$2" "$ID" </dev/null >/dev/null
EOS
    cat >"$h/stopped.sh" <<'EOS'
$1 delete -f "$ID" >/dev/null 2>&1
$1 create -b "$2" "$ID" </dev/null >/dev/null && $1 start "$ID" || exit 1
i=0
while [ $i -lt 5000 ]; do
    $1 state "$ID" 2>/dev/null | grep -Eq '"status": *"stopped"' && exit 0
    i=$((i + 1))
done
echo "$ID did not stop" >&2; exit 1
EOS
    local args=()
    local rt name
    for rt in carton runc crun; do
        case $rt in carton) name=$carton ;; runc) name=$runc ;; crun) name=$crun ;; esac
        args+=(--prepare "sh $h/wipe.sh '$name'" -n "$rt create" "$name create -b $bundle $ID")
        args+=(--prepare "sh $h/created.sh '$name' $bundle" -n "$rt start" "$name start $ID")
        args+=(--prepare "sh $h/stopped.sh '$name' $bundle" -n "$rt delete" "$name delete $ID")
    done
    # create leaves a container behind, start leaves a stopped one: the last cleanup of each is the delete phase's
    # prepare, and the final delete -f below.
    "${hf[@]}" --warmup 3 --runs "$PHASE_RUNS" \
        --export-json "$results/phases.json" --export-markdown "$results/phases.md" "${args[@]}" </dev/null
    for rt in "$carton" "$runc" "$crun"; do $rt delete -f "$ID" >/dev/null 2>&1 || true; done

    echo "== exec of /bin/true and state, in a running container (runs $PHASE_RUNS each)"
    # One long-running container per runtime (made and removed outside the timing), from a second bundle.
    local busy=$bundle/../busy
    for rt in "$carton" "$runc" "$crun"; do
        $rt delete -f "$ID-busy" >/dev/null 2>&1 || true
        $rt create -b "$busy" "$ID-busy" </dev/null >/dev/null 2>&1 && $rt start "$ID-busy" || die "$rt: cannot start the busy container"
    done
    "${hf[@]}" --warmup 3 --runs "$PHASE_RUNS" \
        --export-json "$results/exec.json" --export-markdown "$results/exec.md" \
        -n "carton exec" "$carton exec $ID-busy /bin/true" -n "runc exec" "$runc exec $ID-busy /bin/true" -n "crun exec" "$crun exec $ID-busy /bin/true" \
        -n "carton state" "$carton state $ID-busy" -n "runc state" "$runc state $ID-busy" -n "crun state" "$crun state $ID-busy" </dev/null
    # Peak RSS of each runtime's container init before exec (created, not started: VmHWM of pid 1 of the container),
    # and of the `run` process itself.
    : >"$results/rss.txt"
    for rt in carton runc crun; do
        case $rt in carton) name=$carton ;; runc) name=$runc ;; crun) name=$crun ;; esac
        $name delete -f "$ID-rss" >/dev/null 2>&1 || true
        $name create -b "$bundle" "$ID-rss" </dev/null >/dev/null 2>&1 || die "$rt: create for the RSS probe"
        local ipid
        ipid=$($name state "$ID-rss" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        echo "$rt init_hwm_kb $(awk '/VmHWM/ {print $2}' /proc/$ipid/status) exe $(readlink /proc/$ipid/exe)" >>"$results/rss.txt"
        $name delete -f "$ID-rss" >/dev/null 2>&1 || true
        sh "$h/maxrss.sh" "$rt" "$name" "$bundle" "$ID-rss" >>"$results/rss.txt"
    done
    for rt in "$carton" "$runc" "$crun"; do $rt delete -f "$ID-busy" >/dev/null 2>&1 || true; done

    echo "== 50 runs of /bin/true in parallel (wall time; runs ${PARALLEL_RUNS:-5})"
    "${hf[@]}" --warmup 1 --runs "${PARALLEL_RUNS:-5}" \
        --export-json "$results/parallel.json" --export-markdown "$results/parallel.md" \
        -n "carton x50" "sh $h/parallel.sh '$carton' $bundle 50 $ID-par" \
        -n "runc x50" "sh $h/parallel.sh '$runc' $bundle 50 $ID-par" \
        -n "crun x50" "sh $h/parallel.sh '$crun' $bundle 50 $ID-par" </dev/null

    echo "== binary startup alone"
    "${hf[@]}" --warmup 5 --runs "$RUNS" \
        --export-json "$results/startup.json" --export-markdown "$results/startup.md" \
        -n "carton --version" "$CARTON --version" \
        -n "carton list (empty root)" "$CARTON --root $ROOT_CARTON list" \
        -n "runc list (empty root)" "$runc list" \
        -n "crun list (empty root)" "$crun list" \
        -n "busybox true (the container's process)" "$bundle/rootfs/bin/busybox true"

    leftovers
}

# Nothing may be left: every runtime's list empty, no cgroup directory named after the id in any hierarchy.
leftovers() {
    local bad=0 rt out
    for rt in "$CARTON --root $ROOT_CARTON" "runc --root $ROOT_RUNC" "crun --root $ROOT_CRUN"; do
        out=$($rt list -q 2>/dev/null || $rt list 2>/dev/null | tail -n +2)
        if [ -n "$out" ]; then echo "LEFTOVER: ${rt%% *} list is not empty: $out" >&2; bad=1; fi
    done
    local d
    for d in /sys/fs/cgroup/*/"$ID" /sys/fs/cgroup/*/*/"$ID" /sys/fs/cgroup/*/*/*/"$ID" /sys/fs/cgroup/"$ID"; do
        [ -e "$d" ] || continue
        if [ "${d#/sys/fs/cgroup/unified/}" != "$d" ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = tmpfs ]; then
            # Inside the wrapper, unified is the stand-in tmpfs: crun (seeing no cgroup2 there) still mkdirs the id
            # and writes a plain cgroup.procs file into it, which it then cannot rmdir. It is no cgroup and it
            # vanishes with the wrapper's mount namespace; say so rather than hide it.
            echo "note: $d on the wrapper's tmpfs (crun's, not a cgroup; gone with the mount namespace)"
            continue
        fi
        echo "LEFTOVER: cgroup directory $d" >&2; bad=1
    done
    [ $bad = 0 ] || die "the benchmark left containers or cgroups behind (see above)"
    echo "no leftovers: lists empty, no cgroup directory named $ID"
}

if [ "${1:-}" = "--inner" ]; then
    inner "$2"
    exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
# Outer part: prerequisites, bundle, environment, the wrapper, the summary.
# ---------------------------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$CARTON" ] || die "$CARTON not found: build it first with ./scripts/build.sh"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v runc >/dev/null || missing+=(runc)
command -v crun >/dev/null || missing+=(crun)
command -v python3 >/dev/null || missing+=(python3)
[ -x /usr/bin/time ] || missing+=(time)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
    || die "/bin/busybox is not static (install busybox-static)"

mkdir -p "$results"
work=$(mktemp -d /tmp/carton-bench.XXXXXX)
# A private copy of the binary: a rebuild while the benchmark runs must not change what is measured.
carton_version=$("$CARTON" --version)
cp "$CARTON" "$work/carton"
# carton-dmz, the container init that runs the setup plan, is found beside carton (issue 14).
if [ -x "$(dirname "$CARTON")/carton-dmz" ]; then cp "$(dirname "$CARTON")/carton-dmz" "$work/carton-dmz"; fi
CARTON=$work/carton
cleanup() {
    for rt in "$CARTON --root $ROOT_CARTON" "runc --root $ROOT_RUNC"; do $rt delete -f "$ID" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The bundle: a static busybox rootfs, config.json from `runc spec`, terminal off, args /bin/true. The same bundle
# for all three runtimes.
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
ln -s busybox "$bundle/rootfs/bin/true"
(cd "$bundle" && runc spec)
python3 - "$bundle/config.json" <<'EOF'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=2)
EOF
# A second bundle for exec and state: the same rootfs, a process that stays.
ln -s busybox "$bundle/rootfs/bin/sleep"
mkdir -p "$work/busy"
cp -a "$bundle/rootfs" "$work/busy/rootfs"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/sleep", "100000"]
json.dump(c, open(sys.argv[2], "w"), indent=2)
' "$bundle/config.json" "$work/busy/config.json"
mkdir -p "$ROOT_CARTON" "$ROOT_RUNC" "$ROOT_CRUN"

# Sanity: each runtime runs the bundle and returns 0 before anything is timed.
hybrid=0
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]; then hybrid=1; fi

{
    echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load:     $(cut -d" " -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
    echo "kernel:   $(uname -srm)"
    echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "cgroups:  $( [ $hybrid = 1 ] && echo 'hybrid (v1 + cgroup2 at /sys/fs/cgroup/unified); all runtimes run in one unshare -m wrapper with unified replaced by tmpfs' || stat -f -c %T /sys/fs/cgroup)"
    echo "carton:   $carton_version, sha256 $(sha256sum "$CARTON" | cut -c1-12) (repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD -- src native 2>/dev/null || echo ', working tree has uncommitted src changes'); $(stat -c %s "$CARTON") bytes)"
    echo "runc:     $(runc --version | head -1)"
    echo "crun:     $(crun --version | head -1)"
    echo "hyperfine: $(hyperfine --version)"
    echo "governor: $(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || echo n/a)"
} | tee "$results/environment.txt"

export CARTON RUNS PHASE_RUNS ID ROOT_CARTON ROOT_RUNC ROOT_CRUN results
if [ $hybrid = 1 ]; then
    # ONE wrapper for the whole measurement. `unshare -m --propagation private`: the tmpfs over unified stays in here.
    unshare -m --propagation private sh -c \
        'umount /sys/fs/cgroup/unified && mount -t tmpfs none /sys/fs/cgroup/unified && exec "$0" --inner "$1"' \
        "$0" "$bundle"
    if [ "$HOST_COMPARE" = 1 ]; then
        # Does the wrapper matter? carton and runc once more, outside it (crun cannot run here).
        echo "== outside the wrapper (host mount namespace): carton vs runc"
        hyperfine --style basic --shell none --warmup 5 --runs "$RUNS" --export-json "$results/host.json" \
            -n carton "$CARTON --root $ROOT_CARTON run -b $bundle $ID" \
            -n runc "runc --root $ROOT_RUNC run -b $bundle $ID"
    fi
else
    "$0" --inner "$bundle"
    rm -f "$results/host.json"
fi
# The same checks in the host's view of /sys/fs/cgroup (the real unified hierarchy included).
leftovers

python3 - "$results" <<'EOF' | tee "$results/summary.txt"
import json, math, os, sys
d = sys.argv[1]
def load(name):
    p = os.path.join(d, name)
    return {r["command"]: r for r in json.load(open(p))["results"]} if os.path.exists(p) else {}
def sd(r): return r["stddev"] or 0.0  # hyperfine gives null for a single run (the CI smoke's PARALLEL_RUNS=1)
def ms(r): return f'{r["mean"]*1e3:7.2f} ± {sd(r)*1e3:5.2f} ms  (median {r["median"]*1e3:6.2f}, min {r["min"]*1e3:6.2f})'
def ratio(a, b):
    # mean ratio with the stddev propagated from both relative errors
    q = a["mean"] / b["mean"]
    return f'{q:5.2f} ± {q*math.hypot(sd(a)/a["mean"], sd(b)/b["mean"]):4.2f}'
print(open(os.path.join(d, "environment.txt")).read())
run = load("start-time.json")
print("run /bin/true (one hyperfine invocation, same bundle, same wrapper)")
for k in ("carton", "runc", "crun"):
    if k in run: print(f"  {k:8} {ms(run[k])}")
print(f"  carton/runc  {ratio(run['carton'], run['runc'])}")
print(f"  carton/crun  {ratio(run['carton'], run['crun'])}")
print(f"  runc/crun    {ratio(run['runc'], run['crun'])}")
ph = load("phases.json")
if ph:
    print("\nphases (each timed alone; means in ms)")
    print(f"  {'':8} {'create':>15} {'start':>15} {'delete':>15} {'sum':>8}")
    for k in ("carton", "runc", "crun"):
        cells = [ph.get(f"{k} {p}") for p in ("create", "start", "delete")]
        if None in cells: continue
        print(f"  {k:8} " + " ".join(f'{c["mean"]*1e3:7.2f} ± {sd(c)*1e3:5.2f}' for c in cells)
              + f' {sum(c["mean"] for c in cells)*1e3:8.2f}')
    for p in ("create", "start", "delete"):
        c, r, cr = ph.get(f"carton {p}"), ph.get(f"runc {p}"), ph.get(f"crun {p}")
        if c and r and cr: print(f"  {p:7} carton/runc {ratio(c, r)}   carton/crun {ratio(c, cr)}")
ex = load("exec.json")
if ex:
    print("\nexec of /bin/true and state, in a running container")
    for k, r in ex.items(): print(f"  {k:14} {ms(r)}")
    for p in ("exec", "state"):
        c, r, cr = ex.get(f"carton {p}"), ex.get(f"runc {p}"), ex.get(f"crun {p}")
        if c and r and cr: print(f"  {p:7} carton/runc {ratio(c, r)}   carton/crun {ratio(c, cr)}")
par = load("parallel.json")
if par:
    print("\n50 runs in parallel (wall time)")
    for k, r in par.items(): print(f"  {k:12} {ms(r)}")
    if "carton x50" in par and "crun x50" in par:
        print(f"  carton/runc {ratio(par['carton x50'], par['runc x50'])}   carton/crun {ratio(par['carton x50'], par['crun x50'])}")
rss = os.path.join(d, "rss.txt")
if os.path.exists(rss):
    print("\npeak RSS (kB)")
    for line in open(rss): print("  " + line.rstrip())
st = load("startup.json")
if st:
    print("\nbinary startup alone")
    for k, r in st.items(): print(f"  {k:40} {ms(r)}")
host = load("host.json")
if host:
    print("\noutside the unshare wrapper (host mount namespace)")
    for k in ("carton", "runc"):
        if k in host:
            print(f"  {k:8} {ms(host[k])}   inside/outside {ratio(run[k], host[k])}")
EOF
