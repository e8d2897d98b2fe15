#!/usr/bin/env bash
# Compute service benchmark (issue 5): create / start / wait / delete latency of a compute system made from an OCI
# document (busybox rootfs, init /bin/true), and the throughput of 50 concurrent full lifecycles, through the
# in-process library (ComputeService) and through the daemon (carton-serve + ComputeClient).
#
#   sudo ./bench/compute.sh                      # ITERATIONS=30 CONCURRENCY=50 ROUNDS=3
#   ITERATIONS=100 MODES=daemon ./bench/compute.sh
#
# Environment:
#   ITERATIONS   sequential lifecycles timed per mode (default 30), after WARMUP (default 3) untimed ones
#   CONCURRENCY  systems per throughput round (default 50); ROUNDS throughput rounds per mode (default 3)
#   MODES        comma-separated: library,daemon,containerd (default all three; containerd when containerd and ctr
#                are installed): containerd is the peer, containerd 1.6 + its runc shim + runc, driven by
#                `ctr run --rm --rootfs` (create, start, wait and delete in one command) on the same rootfs
#   CARTON, CARTON_SERVE, CARTON_MONITOR  the binaries (default artifacts/bin/{carton,carton-serve,carton-monitor};
#                this script never builds them)
#
# The benchmark app (bench/compute, net10.0 Release, JIT) is built here, with its own --artifacts-path so the build
# never touches src/*/bin. It is not part of Carton.slnx.
#
# Output: bench/results/compute.json (all numbers, the environment, the leftover checks), compute.md (summary),
# compute.log (the app's console output).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
ITERATIONS=${ITERATIONS:-30}
WARMUP=${WARMUP:-3}
CONCURRENCY=${CONCURRENCY:-50}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-library,daemon,containerd}
CARTON=${CARTON:-$repo/artifacts/bin/carton}
CARTON_SERVE=${CARTON_SERVE:-$repo/artifacts/bin/carton-serve}
# every system is created by its monitor, which the service looks for beside the init binary (carton)
CARTON_MONITOR=${CARTON_MONITOR:-$(dirname "$CARTON")/carton-monitor}
results=$here/results

die() { echo "compute.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
[ -x "$CARTON" ] || die "$CARTON not found: build it first with ./scripts/build.sh"
[ -x "$CARTON_SERVE" ] || die "$CARTON_SERVE not found: build it first with ./scripts/build.sh"
command -v dotnet >/dev/null || die "dotnet not found"
command -v python3 >/dev/null || die "python3 not found"
if [ ! -x /bin/busybox ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
fi
file -L /bin/busybox 2>/dev/null | grep -q 'statically linked' || ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' \
    || die "/bin/busybox is not static (install busybox-static)"

mkdir -p "$results"
work=$(mktemp -d /tmp/carton-compute-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Private copies of the binaries: a rebuild while the benchmark runs must not change what is measured.
cp "$CARTON" "$work/carton"
cp "$CARTON_SERVE" "$work/carton-serve"
cp "$CARTON_MONITOR" "$work/carton-monitor"
# carton-dmz, the container init that runs the setup plan (issue 14), is found beside carton.
if [ -x "$(dirname "$CARTON")/carton-dmz" ]; then cp "$(dirname "$CARTON")/carton-dmz" "$work/carton-dmz"; fi
carton_version=$("$work/carton" --version)

echo "== building bench/compute (Release)"
dotnet build "$here/compute/ComputeBench.csproj" -c Release -nologo -clp:ErrorsOnly \
    --artifacts-path "$here/compute/bin/artifacts" >/dev/null
app=$here/compute/bin/artifacts/bin/ComputeBench/release/ComputeBench.dll
[ -f "$app" ] || die "build output $app not found"

# The bundle: static busybox with every applet as a symlink (`busybox --list` names busybox itself: skipped), and
# config.json from `carton spec` with terminal false and args ["/bin/true"].
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] && continue
    ln -s busybox "$bundle/rootfs/bin/$applet"
done
"$work/carton" spec -b "$bundle"
python3 - "$bundle/config.json" <<'EOF'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=2)
EOF

hybrid=0
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]; then hybrid=1; fi
{
    echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
    echo "kernel:   $(uname -srm)"
    echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "os:       $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "cgroups:  $( [ $hybrid = 1 ] && echo 'hybrid (v1 + cgroup2 at /sys/fs/cgroup/unified), host mount namespace' || stat -f -c %T /sys/fs/cgroup)"
    echo "tmp:      $(stat -f -c %T /tmp)"
    echo "carton:   $carton_version, sha256 $(sha256sum "$work/carton" | cut -c1-12) (repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD -- src native 2>/dev/null || echo ', working tree has uncommitted src changes'))"
    echo "serve:    sha256 $(sha256sum "$work/carton-serve" | cut -c1-12)"
    echo "dotnet:   $(dotnet --version)"
} | tee "$work/environment.txt"

# The peer: the same number of concurrent lifecycles through containerd (its own root, state and socket; the CRI
# plugin off) and its runc shim, each lifecycle one `ctr run --rm --rootfs` of /bin/true on the same rootfs.
containerd_peer() {
    local cd=$work/containerd ctr pid i r
    mkdir -p "$cd/root" "$cd/state"
    cat >"$cd/config.toml" <<EOC
version = 2
root = "$cd/root"
state = "$cd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$cd/containerd.sock"
[ttrpc]
  address = "$cd/containerd.sock.ttrpc"
EOC
    containerd --config "$cd/config.toml" >"$cd/log" 2>&1 &
    pid=$!
    for i in $(seq 100); do [ -S "$cd/containerd.sock" ] && break; sleep 0.1; done
    ctr="ctr --address $cd/containerd.sock -n carton-bench"
    $ctr run --rm --rootfs "$bundle/rootfs" warm /bin/true >/dev/null
    local walls=()
    for r in $(seq "$ROUNDS"); do
        local t0 t1
        t0=$(date +%s.%N)
        for i in $(seq "$CONCURRENCY"); do
            { $ctr run --rm --rootfs "$bundle/rootfs" "r$r-$i" /bin/true >/dev/null 2>>"$cd/errors" || echo "r$r-$i" >>"$cd/failed"; } &
        done
        wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null || true
        t1=$(date +%s.%N)
        walls+=("$(python3 -c "print(f'{$t1 - $t0:.3f}')")")
    done
    local left
    left=$($ctr containers ls -q | wc -l)
    # A lifecycle that failed would make the peer look faster than it is: none may.
    if [ -s "$cd/failed" ]; then kill "$pid"; die "containerd: $(wc -l <"$cd/failed") ctr runs failed: $(head -3 "$cd/errors")"; fi
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "${walls[*]} $left" >"$work/containerd.txt"
}

set +e
dotnet "$app" --carton "$work/carton" --serve "$work/carton-serve" --bundle "$bundle" --out "$work/compute.json" \
    --iterations "$ITERATIONS" --warmup "$WARMUP" --concurrency "$CONCURRENCY" --rounds "$ROUNDS" --modes "$(echo "$MODES" | tr , "\n" | grep -v "^containerd$" | paste -sd, -)" \
    2>&1 | tee "$results/compute.log"
rc=${PIPESTATUS[0]}
set -e
[ -f "$work/compute.json" ] || die "the benchmark failed (exit $rc) before writing its results"
if [[ ",$MODES," == *,containerd,* ]] && command -v containerd >/dev/null && command -v ctr >/dev/null; then
    echo "== containerd + runc through ctr: $ROUNDS rounds of $CONCURRENCY concurrent lifecycles"
    containerd_peer
    cat "$work/containerd.txt"
fi

python3 - "$work/compute.json" "$work/environment.txt" "$results/compute.json" "$results/compute.md" "$(cut -d' ' -f1-3 /proc/loadavg)" "$work/containerd.txt" <<'EOF'
import json, os, statistics, sys
src, envf, out_json, out_md, load_after, peer = sys.argv[1:7]
r = json.load(open(src))
if os.path.exists(peer):
    f = open(peer).read().split()
    walls, left = [float(x) for x in f[:-1]], int(f[-1])
    med = statistics.median(walls)
    r["containerd"] = {"rounds": walls, "medianWallSeconds": med, "lifecyclesPerSecond": r["concurrency"] / med, "leftoverContainers": left}
env = {}
for line in open(envf):
    k, _, v = line.partition(":")
    env[k.strip()] = v.strip()
env["loadAfter"] = load_after
r["environment"] = env
json.dump(r, open(out_json, "w"), indent=2)

md = ["# Compute service benchmark", "", "```", open(envf).read().rstrip(), f"load after: {load_after}", "```", ""]
md.append(f"Sequential latency: {r['iterations']} lifecycles per mode after {r['warmup']} warmup ones (ms).")
md.append("")
md.append("| mode | phase | mean ± σ | median | p95 | min | max |")
md.append("|---|---|---:|---:|---:|---:|---:|")
for mode, m in r["modes"].items():
    for ph in ("create", "start", "wait", "delete", "total"):
        s = m["latencyMs"][ph]
        md.append(f"| {mode} | {ph} | {s['mean']:.2f} ± {s['stddev']:.2f} | {s['median']:.2f} | {s['p95']:.2f} | {s['min']:.2f} | {s['max']:.2f} |")
md.append("")
md.append(f"Throughput: {r['concurrency']} concurrent create→start→wait→delete lifecycles, {r['rounds']} rounds per mode "
          "(rates from the median wall time; 4 operations per lifecycle).")
md.append("")
md.append("| mode | wall per round [s] | median wall [s] | lifecycles/s | ops/s |")
md.append("|---|---|---:|---:|---:|")
for mode, m in r["modes"].items():
    t = m["throughput"]
    walls = ", ".join(f"{x['wallSeconds']:.2f}" for x in t["rounds"])
    md.append(f"| {mode} | {walls} | {t['medianWallSeconds']:.2f} | {t['lifecyclesPerSecond']:.1f} | {t['opsPerSecond']:.1f} |")
if "containerd" in r:
    c = r["containerd"]
    md.append(f"| containerd 1.6 + runc (ctr run --rm) | {', '.join(f'{x:.2f}' for x in c['rounds'])} | {c['medianWallSeconds']:.2f} | {c['lifecyclesPerSecond']:.1f} | {4 * c['lifecyclesPerSecond']:.1f} |")
    md.append("")
    for mode, m in r["modes"].items():
        md.append(f"{mode} / containerd throughput ratio: {m['throughput']['lifecyclesPerSecond'] / c['lifecyclesPerSecond']:.2f} (goal ≥ 2)")
    if c["leftoverContainers"]: md.append(f"**containerd left {c['leftoverContainers']} containers**")
md.append("")
md.append("Per-lifecycle phase latency under concurrency (all rounds, ms):")
md.append("")
md.append("| mode | phase | mean | median | p95 | max |")
md.append("|---|---|---:|---:|---:|---:|")
for mode, m in r["modes"].items():
    for ph in ("create", "start", "wait", "delete", "total"):
        s = m["throughput"]["perPhaseMsAllRounds"][ph]
        md.append(f"| {mode} | {ph} | {s['mean']:.1f} | {s['median']:.1f} | {s['p95']:.1f} | {s['max']:.1f} |")
md.append("")
md.append("Leftover checks (state/scratch entries, cgroup directories named after the ids, child processes): "
          + ("all clean." if r["clean"] else "**LEFTOVERS FOUND** (see compute.log)."))
open(out_md, "w").write("\n".join(md) + "\n")
print("\n".join(md))
EOF
exit "$rc"
