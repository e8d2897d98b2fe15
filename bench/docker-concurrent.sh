#!/usr/bin/env bash
# Docker API benchmark (issue 17, "Performance"): CONCURRENCY `docker run --rm IMAGE true` at once, the image already
# local, through carton-serve's Docker socket and through Debian's dockerd (+ its managed containerd + runc), in one
# run, batch by batch interleaved (the order alternating), with the same docker CLI; and the daemons' resident memory
# at idle, after their start and again after the batches have settled. Goal: carton's batch at most half of dockerd's.
#
#   sudo ./bench/docker-concurrent.sh       # CONCURRENCY=20, ROUNDS=10, WARMUP=1
#   SMOKE=1 ./bench/docker-concurrent.sh    # CONCURRENCY=4, ROUNDS=1, WARMUP=0, SETTLE=1 (for CI): the figures mean nothing
#
# Environment (and those of bench/docker-engines.sh: DOCKER_CLI, CARTON_BIN, NETWORK):
#   CONCURRENCY    the docker CLIs started together in a batch (each one `docker run --rm IMAGE true`)
#   ROUNDS, WARMUP timed and untimed rounds; each round runs one batch on each engine
#   SETTLE         seconds the daemons are left alone before each memory reading (default 10)
#   RUN_TIMEOUT    seconds after which a docker run is killed and the benchmark fails (default 300)
#
# A batch's time: from the first CLI's start to the last one's exit (the CLIs are started by this shell, in the
# background, then waited for); a CLI that fails fails the benchmark.
# Memory: every process whose command line names the work directory (both daemons' roots are there), by engine:
# carton-serve and any carton-monitor (one per running container: none at idle); dockerd, its containerd and any
# containerd-shim-runc-v2 (one per running container). VmRSS from /proc/PID/status and Pss from
# /proc/PID/smaps_rollup (the shared pages split between the processes that map them: the fairer sum).
#
# Setup, isolation and leftover checks: bench/docker-engines.sh (shared with bench/docker-run.sh).
# Output (bench/results/): docker-concurrent.tsv (every batch), docker-concurrent-memory.tsv (every process at each
# reading), docker-concurrent.md (medians, the ratio, the memory table).
set -euo pipefail
export LC_ALL=C

SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
    CONCURRENCY=${CONCURRENCY:-4}; ROUNDS=${ROUNDS:-1}; WARMUP=${WARMUP:-0}; SETTLE=${SETTLE:-1}; name=docker-concurrent-smoke
else
    CONCURRENCY=${CONCURRENCY:-20}; ROUNDS=${ROUNDS:-10}; WARMUP=${WARMUP:-1}; SETTLE=${SETTLE:-10}; name=docker-concurrent
fi
bench=docker-concurrent.sh
# shellcheck source=bench/docker-engines.sh
. "$(dirname "$0")/docker-engines.sh"
for v in CONCURRENCY ROUNDS; do case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer";; esac; done
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
case $WARMUP$SETTLE$RUN_TIMEOUT in *[!0-9]*) die "WARMUP, SETTLE and RUN_TIMEOUT must be integers";; esac
start_engines

batch() { # engine socket → seconds from the first CLI's start to the last one's exit
    local t0 t1 pids=() failed=0 p i
    rm -f "$work"/batch-*.err
    t0=$EPOCHREALTIME
    for i in $(seq "$CONCURRENCY"); do
        # SIGKILL after RUN_TIMEOUT: a run that never ends fails the benchmark instead of hanging it (the docker CLI
        # proxies SIGTERM to its container, so only SIGKILL ends a CLI whose container is gone)
        dk_timeout=$RUN_TIMEOUT dk "$2" run --rm --network "$NETWORK" "$IMG" true >/dev/null 2>"$work/batch-$1-$i.err" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
    t1=$EPOCHREALTIME
    [ "$failed" = 0 ] || die "$1: $failed of $CONCURRENCY docker run failed or were killed after $RUN_TIMEOUT s: $(cat "$work"/batch-"$1"-*.err)" >&2
    python3 -c "print(f'{$t1 - $t0:.4f}')"
}

memory() { # label: one row per process of either engine, to the memory TSV
    local pid comm engine rss pss
    sleep "$SETTLE"
    for pid in $(ps -eo pid= -o args= | grep -F "$work" | grep -v grep | awk '{ print $1 }'); do
        [ -r "/proc/$pid/status" ] || continue
        comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
        case $comm in
            carton-serve | carton-monitor) engine=carton ;;
            dockerd | containerd | containerd-shim*) engine=dockerd ;;
            *) continue ;; # nsenter, the docker CLI, a container's own processes
        esac
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
        pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || pss=
        [ -n "$rss" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$engine" "$comm" "$pid" "$rss" "${pss:-}" >>"$results/$name-memory.tsv"
    done
}

printf 'when\tengine\tprocess\tpid\trss_kib\tpss_kib\n' >"$results/$name-memory.tsv"
echo "== memory after the start (idle for $SETTLE s)"
memory after-start

echo "== $WARMUP warm-up round(s), $ROUNDS timed round(s) of $CONCURRENCY concurrent runs, network $NETWORK, client $DOCKER_CLI"
for _ in $(seq "$WARMUP"); do batch carton "$csock" >/dev/null; batch dockerd "$dsock" >/dev/null; done
printf 'round\tengine\tseconds\n' >"$results/$name.tsv"
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order="carton dockerd"; else order="dockerd carton"; fi
    for e in $order; do
        if [ "$e" = carton ]; then s=$csock; else s=$dsock; fi
        seconds=$(batch "$e" "$s") # a failed batch's die ends only this subshell: set -e ends the script
        printf '%s\t%s\t%s\n' "$r" "$e" "$seconds" >>"$results/$name.tsv"
    done
done

check_no_containers
echo "== memory after the runs (idle for $SETTLE s)"
memory after-runs

python3 - "$results/$name.tsv" "$results/$name-memory.tsv" "$results/$name.md" "$ROUNDS" "$CONCURRENCY" "$NETWORK" "$DOCKER_CLI" <<'EOF'
import sys, statistics, os
tsv, mem, md, rounds, conc, network, cli = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(tsv)][1:]
by = {}
for _, e, s in rows: by.setdefault(e, []).append(float(s))
med = {e: statistics.median(v) for e, v in by.items()}
ratio = med["carton"] / med["dockerd"]
out = [f"# {conc} concurrent docker run --rm IMAGE true ({rounds} rounds, network {network}, client {cli})", "",
       f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", "",
       "| engine | batch median (ms) | min (ms) | max (ms) | per run (ms) |", "|---|---|---|---|---|"]
for e in ("carton", "dockerd"):
    v = by[e]
    out.append(f"| {e} | {med[e]*1000:.0f} | {min(v)*1000:.0f} | {max(v)*1000:.0f} | {med[e]*1000/int(conc):.1f} |")
out += ["", f"carton / dockerd = **{ratio:.2f}** (goal: at most 0.50)", "",
        "## Daemons' memory at idle (KiB)", "",
        "| when | engine | processes | VmRSS | Pss |", "|---|---|---|---|---|"]
procs = {}
for l in list(open(mem))[1:]:
    when, engine, comm, pid, rss, pss = l.rstrip("\n").split("\t")
    k = (when, engine)
    procs.setdefault(k, []).append((comm, int(rss), int(pss) if pss else 0))
for (when, engine), ps in sorted(procs.items(), key=lambda kv: (kv[0][0] != "after-start", kv[0][1])):
    names = ", ".join(f"{c} {r}" for c, r, _ in sorted(ps))
    out.append(f"| {when} | {engine} | {names} | {sum(r for _, r, _ in ps)} | {sum(p for _, _, p in ps)} |")
open(md, "w").write("\n".join(out) + "\n")
print("\n".join(out))
EOF
