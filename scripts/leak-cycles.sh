#!/usr/bin/env bash
# Issue 15's leak campaign: N create/start/wait-or-exec/delete cycles of a busybox bundle, through the CLI
# (`carton --root`) and through the daemon (`carton serve` driven by `carton system`), sampling what a cycle could
# leave behind: after WARMUP cycles, every EVERY cycles and at the end. Every sample must show nothing of this run's
# (no mount, cgroup directory, state entry or process), and the daemon's fds, threads and RSS must stay flat.
#
#   sudo ./scripts/leak-cycles.sh                        # the campaign: N=1000 per mode, MODES=cli,daemon
#   N=30 WARMUP=5 EVERY=10 ./scripts/leak-cycles.sh      # the CI smoke (scripts/bench-smoke.sh)
#
# The cycle mix (cycle i, by i % 10): 0-5 run /bin/true, wait for its exit, delete; 6-8 run `sleep 1000`, delete it
# while it runs (`delete --force`; the daemon's `system rm` kills first), 6 with a terminal-less `exec /bin/true` in
# it first; 9 as 7 but deleted after a `kill` (the CLI) or `system stop` (the daemon) and the exit.
# The daemon's wait is its long poll, GET /v1/systems/ID/wait (curl): `carton system` has no wait verb.
#
# Environment:
#   N (1000) cycles per mode; WARMUP (20) cycles before the first sample; EVERY (100) cycles between samples
#   MODES (cli,daemon)
#   FD_SLACK (4), THREAD_SLACK (8): how far the daemon's fd and thread counts may rise above the first sample
#   RSS_SLACK_KIB (24576): how far the daemon's RSS may end above the first sample: its server GC heap saws
#       up and down by ~10 MiB between collections here; 24 MiB over 1000 cycles is a leak of 25 KiB a cycle (the
#       slope per 100 cycles is printed for smaller ones; docs/reliability.md)
#   LEAVE_ONE (unset): the cycle whose container is NOT deleted: the self-test of the leftover checks (must fail)
#   CARTON (artifacts/bin/carton; carton-serve, carton-system, carton-monitor and carton-dmz beside it)
# Everything it makes is named after TAG=leak<pid>: the roots /run/TAG-*, the ids TAG-c-I and TAG-d-I; what it
# checks is scoped to that tag and to its own process tree (it runs as a child subreaper, so the containers' inits
# and the daemon's monitors are reparented to it, not to pid 1), never to host-wide totals.
# Exit: 0 when every verdict passes; 1 with the failed verdicts (and the leftovers listed) otherwise.
set -euo pipefail

# Become a child subreaper (prctl PR_SET_CHILD_SUBREAPER = 36; kept across execve) so that orphaned inits and
# monitors are ours: a zombie or a live process left by a cycle is then one of our descendants.
if [ "${LEAK_CYCLES_SUBREAPER:-}" != 1 ]; then
    exec env LEAK_CYCLES_SUBREAPER=1 python3 -c '
import ctypes, os, sys
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0: sys.exit("leak-cycles.sh: prctl(PR_SET_CHILD_SUBREAPER) failed")
os.execv("/bin/bash", ["bash"] + sys.argv[1:])' "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
C=${CARTON:-$here/../artifacts/bin/carton}
bin=$(cd "$(dirname "$C")" && pwd)
N=${N:-1000}
WARMUP=${WARMUP:-20}
EVERY=${EVERY:-100}
MODES=${MODES:-cli,daemon}
FD_SLACK=${FD_SLACK:-4}
THREAD_SLACK=${THREAD_SLACK:-8}
RSS_SLACK_KIB=${RSS_SLACK_KIB:-24576}
LEAVE_ONE=${LEAVE_ONE:-}
die() { echo "leak-cycles.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root"
for b in carton $( [[ ",$MODES," == *,daemon,* ]] && echo carton-serve carton-system carton-monitor ); do
    [ -x "$bin/$b" ] || die "$bin/$b not found: build it first with ./scripts/build.sh"
done
command -v curl >/dev/null || die "curl not found (scripts/install-deps.sh)"
[ -x /bin/busybox ] || die "/bin/busybox not found (busybox-static)"
[ "$WARMUP" -lt "$N" ] || die "WARMUP ($WARMUP) must be less than N ($N)"

TAG=leak$$
work=/run/$TAG-work
CLIROOT=/run/$TAG-cli
DROOT=/run/$TAG-daemon
SOCK=$DROOT/carton.sock
dpid=
mkdir -p "$work/samples" "$work/bin"

# Whatever a failed or interrupted run leaves, removed on the way out (after the verdicts were printed).
cleanup() {
    local rc=$? id d m
    set +e
    if [ -d "$CLIROOT" ]; then
        for d in "$CLIROOT"/"$TAG"-*; do [ -e "$d" ] && "$C" --root "$CLIROOT" delete --force "$(basename "$d")" >/dev/null 2>&1; done
    fi
    if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
        for id in $(CARTON_SOCKET=$SOCK "$C" system ls -q 2>/dev/null); do CARTON_SOCKET=$SOCK "$C" system rm "$id" >/dev/null 2>&1; done
        kill -TERM "$dpid"; wait "$dpid" 2>/dev/null
    fi
    grep -F "$TAG" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do umount -l "$m"; done
    find /sys/fs/cgroup -mindepth 2 -maxdepth 7 -depth -type d -name "$TAG-*" -exec rmdir {} + 2>/dev/null
    rm -rf "$work" "$CLIROOT" "$DROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Private copies of the binaries: a rebuild during the campaign must not change (or break) what is measured.
for b in carton carton-dmz carton-serve carton-system carton-monitor libcarton_native.so; do
    if [ -e "$bin/$b" ]; then cp "$bin/$b" "$work/bin/$b"; fi
done
C=$work/bin/carton
bin=$work/bin

# Two bundles sharing one rootfs (static busybox, every applet a symlink; root.path absolute): /bin/true and
# `sleep 1000`.
mkdir -p "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/busybox"
/bin/busybox --list | python3 -c 'import os, sys
for a in sys.stdin.read().split():
    if a != "busybox": os.symlink("busybox", os.path.join(sys.argv[1], a))' "$work/rootfs/bin"
for kind in true sleep; do
    mkdir -p "$work/$kind"
    "$C" spec -b "$work/$kind"
    python3 - "$work/$kind/config.json" "$kind" "$work/rootfs" <<'EOF'
import json, sys
p, kind, rootfs = sys.argv[1:4]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"] if kind == "true" else ["/bin/sleep", "1000"]
c["root"]["path"] = rootfs
json.dump(c, open(p, "w"), indent=2)
EOF
done

# One sample, one tab-separated line: cycle, mounts, cgroup directories, state entries, processes, and for the
# daemon its fds, threads and VmRSS (KiB). The leftovers themselves go to $work/samples/<mode>.detail.
sample() {   # MODE CYCLE
    python3 - "$1" "$2" "$TAG" "$$" "${dpid:-0}" "$CLIROOT" "$DROOT" "$work/samples/$1.detail" <<'EOF' >>"$work/samples/$1.tsv"
import os, sys
mode, cycle, tag, shell, dpid, cliroot, droot, detail = sys.argv[1:9]
shell, dpid = int(shell), int(dpid)
found = []
def read(p):
    try:
        with open(p, "rb") as f: return f.read().decode(errors="replace")
    except OSError: return None
# Mounts whose source, target or options name this run (its roots or ids): the host's table, and the daemon's.
tables = ["/proc/self/mountinfo"] + ([f"/proc/{dpid}/mountinfo"] if dpid else [])
mounts = set()
for t in tables:
    for line in (read(t) or "").splitlines():
        if tag in line: mounts.add(line)
found += [f"mount: {m}" for m in sorted(mounts)]
# Cgroup directories named after this run's ids, in every hierarchy (v1 controllers and the cgroup2 at unified).
cgroups = []
def walk(d, depth):
    try: subs = [e for e in os.scandir(d) if e.is_dir(follow_symlinks=False)]
    except OSError: return
    for e in subs:
        if e.name.startswith(tag + "-"): cgroups.append(e.path)
        if depth < 7: walk(e.path, depth + 1)
walk("/sys/fs/cgroup", 1)
found += [f"cgroup: {c}" for c in cgroups]
# State entries named after the ids under the roots (the CLI's <id>/; the daemon's <id>/, .scratch/<id>/, and the
# docker, network and image roots it was given).
state = []
for root in (cliroot, droot):
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath.count("/") - root.count("/") >= 4: dirnames[:] = []
        for n in dirnames + filenames:
            if n.startswith(tag + "-"): state.append(os.path.join(dirpath, n))
found += [f"state: {s}" for s in state]
# Processes: every descendant of the campaign's shell (a subreaper, so orphans are its children) other than this
# sampler, its parents up to the shell, and the daemon; zombies count. And any carton process naming the tag.
ppid, comm, st = {}, {}, {}
for p in os.listdir("/proc"):
    if not p.isdigit(): continue
    s = read(f"/proc/{p}/stat")
    if s is None: continue
    rest = s[s.rindex(")") + 2:].split()
    ppid[int(p)], comm[int(p)], st[int(p)] = int(rest[1]), s[s.index("(") + 1:s.rindex(")")], rest[0]
mine = set()
p = os.getpid()
while p and p != shell: mine.add(p); p = ppid.get(p, 0)
kids = {}
for p, pp in ppid.items(): kids.setdefault(pp, []).append(p)
procs, todo = [], [shell]
while todo:
    for c in kids.get(todo.pop(), []):
        todo.append(c)
        if c not in mine and c != dpid: procs.append(c)
for p in ppid:
    if p in procs or p in mine or p == dpid: continue
    if tag in (read(f"/proc/{p}/cmdline") or "").replace("\0", " ") or f"/{tag}-" in (read(f"/proc/{p}/cgroup") or ""):
        procs.append(p)
found += [f"process: {p} ({comm.get(p)}, state {st.get(p)}, ppid {ppid.get(p)}): {(read(f'/proc/{p}/cmdline') or '').replace(chr(0), ' ')}" for p in procs]
row = [cycle, len(mounts), len(cgroups), len(state), len(procs)]
if dpid:
    status = dict(l.split(":", 1) for l in (read(f"/proc/{dpid}/status") or "").splitlines() if ":" in l)
    row += [len(os.listdir(f"/proc/{dpid}/fd")), int(status["Threads"]), int(status["VmRSS"].split()[0])]
print("\t".join(map(str, row)))
if found:
    with open(detail, "a") as f: f.write("".join(f"cycle {cycle}: {x}\n" for x in found))
EOF
}

# Polls `carton state` until the init has exited (its status "stopped"); 10 s at most.
cli_wait_stopped() {
    local id=$1 n
    for n in $(seq 500); do
        "$C" --root "$CLIROOT" state "$id" | grep -q '"status": *"stopped"' && return 0
        sleep 0.02
    done
    die "$id: still not stopped 10 s after start"
}

cli_cycle() {   # I
    local i=$1 id=$TAG-c-$1
    case $((i % 10)) in
        [0-5]) "$C" --root "$CLIROOT" create -b "$work/true" "$id" </dev/null
               "$C" --root "$CLIROOT" start "$id"
               cli_wait_stopped "$id"
               [ "$i" = "$LEAVE_ONE" ] || "$C" --root "$CLIROOT" delete "$id" ;;
        *)     "$C" --root "$CLIROOT" create -b "$work/sleep" "$id" </dev/null
               "$C" --root "$CLIROOT" start "$id"
               if [ $((i % 10)) = 6 ]; then "$C" --root "$CLIROOT" exec "$id" /bin/true </dev/null || die "$id: exec /bin/true failed"; fi
               if [ $((i % 10)) = 9 ]; then
                   "$C" --root "$CLIROOT" kill "$id" KILL
                   cli_wait_stopped "$id"
                   [ "$i" = "$LEAVE_ONE" ] || "$C" --root "$CLIROOT" delete "$id"
               else
                   [ "$i" = "$LEAVE_ONE" ] || "$C" --root "$CLIROOT" delete --force "$id"
               fi ;;
    esac
}

sys() { CARTON_SOCKET=$SOCK "$C" system "$@"; }
# The daemon's long poll for the init's exit; prints the exit code.
daemon_wait() {
    local out
    out=$(curl -sS --fail-with-body --max-time 30 --unix-socket "$SOCK" "http://localhost/v1/systems/$1/wait") || die "$1: wait failed: $out"
    [[ $out =~ \"exitCode\":(-?[0-9]+) ]] || die "$1: wait answered $out"
    echo "${BASH_REMATCH[1]}"
}

daemon_cycle() {   # I
    local i=$1 id=$TAG-d-$1 code
    case $((i % 10)) in
        [0-5]) sys create "$id" --oci "$work/true"
               sys start "$id"
               code=$(daemon_wait "$id")
               [ "$code" = 0 ] || die "$id: /bin/true exited with $code" ;;
        *)     sys create "$id" --oci "$work/sleep"
               sys start "$id"
               if [ $((i % 10)) = 6 ]; then sys exec "$id" -- /bin/true </dev/null || die "$id: exec /bin/true failed"; fi
               if [ $((i % 10)) = 9 ]; then
                   sys stop -t 1 "$id"
                   code=$(daemon_wait "$id")
                   [ "$code" != 0 ] || die "$id: a stopped sleep exited with 0"
               fi ;;
    esac
    [ "$i" = "$LEAVE_ONE" ] || sys rm "$id"
}

start_daemon() {
    mkdir -p "$DROOT" && chmod 700 "$DROOT"
    "$bin/carton-serve" --socket "$SOCK" --root "$DROOT/compute" --init-binary "$bin/carton" \
        --image-root "$DROOT/images" --network-root "$DROOT/networks" --network-run-root "$DROOT/network" \
        --netns-dir "$DROOT/netns" --docker-socket "$DROOT/docker.sock" --docker-root "$DROOT/docker" \
        2>"$work/serve.log" &
    dpid=$!
    local n
    for n in $(seq 150); do
        [ -S "$SOCK" ] && sys ls -q >/dev/null 2>&1 && return 0
        kill -0 "$dpid" 2>/dev/null || die "carton-serve exited at start: $(tail -3 "$work/serve.log")"
        sleep 0.1
    done
    die "carton-serve not ready after 15 s"
}

run_mode() {   # MODE
    local mode=$1 i t0 t1
    [ "$mode" = daemon ] && start_daemon
    echo "== $mode: $N cycles (warm-up $WARMUP, a sample every $EVERY)" >&2
    t0=$(date +%s.%N)
    for i in $(seq "$N"); do
        "${mode}_cycle" "$i" >/dev/null
        if [ "$i" = "$WARMUP" ] || { [ "$i" -gt "$WARMUP" ] && [ $((i % EVERY)) = 0 ] && [ "$i" != "$N" ]; }; then
            sample "$mode" "$i"
            echo "   $mode sample: $(tail -1 "$work/samples/$mode.tsv")" >&2   # progress: cycle, mounts, cgroups, state, processes[, fds, threads, rss]
        fi
    done
    t1=$(date +%s.%N)
    sleep 0.5   # an init killed by the last delete is reaped by now
    sample "$mode" "$N"
    echo "$t0 $t1" >"$work/samples/$mode.time"
    if [ "$mode" = daemon ]; then
        # The daemon's own leftovers: after SIGTERM it must exit, and its socket be gone.
        kill -TERM "$dpid"
        wait "$dpid" || echo "carton-serve exited with $? after SIGTERM" >>"$work/samples/daemon.detail"
        [ ! -e "$SOCK" ] || echo "end: state: the socket $SOCK is still there after carton-serve exited" >>"$work/samples/daemon.detail"
        dpid=
    fi
}

for m in ${MODES//,/ }; do
    case $m in cli|daemon) run_mode "$m" ;; *) die "MODES: unknown mode \"$m\" (cli, daemon)" ;; esac
done

# The verdicts, over the samples of each mode: the tables on stdout, the leftovers and failed verdicts on stderr.
python3 -u - "$work/samples" "$MODES" "$N" "$WARMUP" "$FD_SLACK" "$THREAD_SLACK" "$RSS_SLACK_KIB" <<'EOF'
import os, sys
d, modes, n, warmup, fd_slack, thread_slack, rss_slack = sys.argv[1:8]
n, warmup, fd_slack, thread_slack, rss_slack = int(n), int(warmup), int(fd_slack), int(thread_slack), int(rss_slack)
ok = True
for mode in modes.split(","):
    rows = [list(map(int, l.split("\t"))) for l in open(f"{d}/{mode}.tsv")]
    t0, t1 = map(float, open(f"{d}/{mode}.time").read().split())
    print(f"\n{mode}: {n} cycles in {t1 - t0:.0f} s ({(t1 - t0) / n * 1000:.0f} ms a cycle)")
    head = "| cycle | mounts | cgroup dirs | state entries | processes |" + (" daemon fds | threads | VmRSS (KiB) |" if mode == "daemon" else "")
    print(head)
    print("|" + "---:|" * (head.count("|") - 1))
    for r in rows: print("| " + " | ".join(map(str, r)) + " |")
    fails = []
    left = [r for r in rows if any(r[1:5])]
    if left: fails.append(f"something of this run's was there at {len(left)} of {len(rows)} samples (cycles {', '.join(str(r[0]) for r in left)})")
    if mode == "daemon":
        first, last = rows[0], rows[-1]
        if max(r[5] for r in rows) > first[5] + fd_slack: fails.append(f"fds rose from {first[5]} to {max(r[5] for r in rows)} (slack {fd_slack})")
        if max(r[6] for r in rows) > first[6] + thread_slack: fails.append(f"threads rose from {first[6]} to {max(r[6] for r in rows)} (slack {thread_slack})")
        if last[7] > first[7] + rss_slack: fails.append(f"VmRSS rose from {first[7]} to {last[7]} KiB (slack {rss_slack})")
        # least-squares slope of VmRSS over the samples, per 100 cycles
        xs, ys = [r[0] for r in rows], [r[7] for r in rows]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 100 if sxx else 0
        print(f"VmRSS: {first[7]} -> {last[7]} KiB ({last[7] - first[7]:+d}), slope {slope:+.0f} KiB per 100 cycles; "
              f"fds {first[5]} -> {last[5]} (max {max(r[5] for r in rows)}); threads {first[6]} -> {last[6]} (max {max(r[6] for r in rows)})")
    if os.path.exists(f"{d}/{mode}.detail"):
        for l in open(f"{d}/{mode}.detail"): print(f"LEFTOVER ({mode}): {l.rstrip()}", file=sys.stderr)
        if not left: fails.append("the daemon left something on its way out (above)")
    for f in fails: print(f"FAIL ({mode}): {f}", file=sys.stderr)
    if not fails: print(f"PASS ({mode}): nothing left at any sample" + (", fds, threads and RSS within their slack" if mode == "daemon" else ""))
    ok = ok and not fails
sys.exit(0 if ok else 1)
EOF
