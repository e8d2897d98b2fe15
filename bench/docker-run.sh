#!/usr/bin/env bash
# Docker API benchmark (issue 13): `docker run --rm IMAGE true`, the image already local, through carton-serve's
# Docker socket and through Debian's dockerd (+ its managed containerd + runc), in one run, interleaved round by
# round, with the same docker CLI. Goal: carton at most half of dockerd's time.
#
#   sudo ./bench/docker-run.sh              # RUNS=30, WARMUP=3
#   SMOKE=1 ./bench/docker-run.sh           # RUNS=2, WARMUP=1 (for CI): the figures mean nothing
#
# Environment:
#   RUNS, WARMUP   timed and untimed rounds; each round runs both engines once, the order alternating
#   DOCKER_CLI     the client (default /usr/bin/docker, Debian's 20.10; both engines get the same one)
#   CARTON_BIN     carton, carton-serve, carton-monitor, carton-image (default artifacts/bin; never built here)
#   NETWORK        the container's network: bridge (default: both engines attach a veth to their bridge) or none
#
# Setup, isolation and leftover checks: bench/docker-engines.sh (shared with bench/docker-concurrent.sh).
# Output (bench/results/): docker-run.tsv (every run), docker-run.md (medians and the ratio).
set -euo pipefail
export LC_ALL=C

SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then RUNS=${RUNS:-2}; WARMUP=${WARMUP:-1}; name=docker-run-smoke; else RUNS=${RUNS:-30}; WARMUP=${WARMUP:-3}; name=docker-run; fi
bench=docker-run.sh
# shellcheck source=bench/docker-engines.sh
. "$(dirname "$0")/docker-engines.sh"
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer";; esac
start_engines

run_once() { # engine socket → seconds
    local t0 t1
    t0=$EPOCHREALTIME
    dk "$2" run --rm --network "$NETWORK" "$IMG" true >/dev/null || die "$1: docker run failed"
    t1=$EPOCHREALTIME
    python3 -c "print(f'{$t1 - $t0:.4f}')"
}

echo "== $WARMUP warm-up round(s), $RUNS timed round(s), network $NETWORK, client $DOCKER_CLI"
for _ in $(seq "$WARMUP"); do run_once carton "$csock" >/dev/null; run_once dockerd "$dsock" >/dev/null; done
printf 'round\tengine\tseconds\n' >"$results/$name.tsv"
for r in $(seq "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then order="carton dockerd"; else order="dockerd carton"; fi
    for e in $order; do
        if [ "$e" = carton ]; then s=$csock; else s=$dsock; fi
        printf '%s\t%s\t%s\n' "$r" "$e" "$(run_once "$e" "$s")" >>"$results/$name.tsv"
    done
done

check_no_containers

python3 - "$results/$name.tsv" "$results/$name.md" "$RUNS" "$NETWORK" "$DOCKER_CLI" <<'EOF'
import sys, statistics
tsv, md, runs, network, cli = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(tsv)][1:]
by = {}
for _, e, s in rows: by.setdefault(e, []).append(float(s))
med = {e: statistics.median(v) for e, v in by.items()}
ratio = med["carton"] / med["dockerd"]
out = [f"# docker run --rm IMAGE true ({runs} rounds, network {network}, client {cli})", "",
       "| engine | median (ms) | min (ms) | max (ms) |", "|---|---|---|---|"]
for e in ("carton", "dockerd"):
    v = by[e]
    out.append(f"| {e} | {med[e]*1000:.1f} | {min(v)*1000:.1f} | {max(v)*1000:.1f} |")
out += ["", f"carton / dockerd = **{ratio:.2f}** (goal: at most 0.50)"]
open(md, "w").write("\n".join(out) + "\n")
print("\n".join(out))
EOF
