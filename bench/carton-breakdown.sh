#!/usr/bin/env bash
# Where does `carton run` of /bin/true spend its time? Runs it N times (default 20, env N) under
#   strace -f --seccomp-bpf -ttt -T -e trace=execve,execveat,memfd_create,fcntl,openat,read,write,exit_group
# (--seccomp-bpf: only the listed syscalls stop the tracee, so the overhead stays small but is NOT zero: the traced
# total is longer than the untraced hyperfine mean, read the split, not the absolute sum), and prints the median of
# each interval on the critical path, from syscall markers:
#
#   parent P (carton run)                              init I (carton-dmz, exec'd from its sealed memfd)
#   1 execve carton -> first open of config.json       NativeAOT startup + command line
#   2 -> execveat of carton-dmz                        spec load/validate, cgroup probe+create, fifo, state, spawn
#   3 execveat -> it returns in I                      the kernel's exec of the static executor
#   4                                                  I: waits for its plan: P puts I in its cgroups, compiles and
#                                                         sends the setup plan
#   5                                                  I: runs the plan (namespaces, mounts, pivot_root) -> "ready"
#   6 P: state.json, `start` via exec.fifo -> I execve /bin/true
#   7 /bin/true runs                                   (I execve -> I exit_group)
#   8 P: wait, delete (cgroups, state dir) -> P exit_group
# (Before issue 14 the init was carton itself, re-exec'd from a sealed copy: see docs/benchmarks.md for that split.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
CARTON=${CARTON:-$here/../artifacts/bin/carton}
N=${N:-20}
work=$(mktemp -d /tmp/carton-breakdown.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin" /run/bench-carton
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && runc spec)
python3 - "$work/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"), indent=2)
EOF

# Same conditions as start-time.sh: inside the unshare wrapper on a hybrid host.
loop='for i in $(seq "$N"); do
  strace -f --seccomp-bpf -ttt -T -e trace=execve,execveat,memfd_create,fcntl,openat,read,write,exit_group \
    -o "$W/trace.$i" "$C" --root /run/bench-carton run -b "$W/bundle" bench-breakdown
done'
if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null && [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]; then
    W=$work C=$CARTON N=$N unshare -m --propagation private sh -c \
        "umount /sys/fs/cgroup/unified && mount -t tmpfs none /sys/fs/cgroup/unified && $loop"
else
    W=$work C=$CARTON N=$N sh -c "$loop"
fi

python3 - "$work" "$N" <<'EOF'
import re, statistics, sys
work, n = sys.argv[1], int(sys.argv[2])
line_re = re.compile(r'^(\d+)\s+(\d+\.\d+) (.*?)(?: <(\d+\.\d+)>)?$')
names = ["1 carton startup (parent)", "2 spec, cgroups, fifo, state, spawn", "3 exec of carton-dmz",
         "4 init waits: cgroup placement + plan", "5 init runs the plan -> ready", "6 state save + start",
         "7 /bin/true", "8 wait + delete + exit"]
rows = []
for i in range(1, n + 1):
    # (pid, start, end, text). A syscall interrupted by another thread's is printed in two lines,
    # `write(3, "..", 12 <unfinished ...>` and later `<... write resumed>) = 12 <dur>`: join them into one event
    # with the whole text, so that a marker matches however strace split it.
    ev, pending = [], {}
    for l in open(f"{work}/trace.{i}"):
        m = line_re.match(l.rstrip())
        if not m: continue
        pid, ts, text, dur = int(m[1]), float(m[2]), m[3], float(m[4] or 0)
        if text.endswith("<unfinished ...>"):
            pending[pid] = len(ev)
            ev.append((pid, ts, None, text[:-len("<unfinished ...>")].rstrip()))
        elif text.startswith("<... ") and " resumed>" in text:
            rest = text.split(" resumed>", 1)[1]
            k = pending.pop(pid, None)
            if k is None: ev.append((pid, ts - dur, ts, rest))
            else: ev[k] = (pid, ev[k][1], ts, ev[k][3] + rest)
        else: ev.append((pid, ts, ts + dur, text))
    P = ev[0][0]
    def first(pred, after=0.0):
        return next(e for e in ev if pred(e) and e[1] >= after)
    t1 = first(lambda e: e[0] == P and 'config.json' in e[3])[1]
    ex = first(lambda e: e[3].startswith('execveat(') and e[2] is not None and e[3].endswith('= 0'))
    I, t3 = ex[0], ex[2]
    t2 = first(lambda e: e[0] == I and e[3].startswith('execveat('))[1]
    # the executor's first read: the plan's 16-byte header
    rd = first(lambda e: e[0] == I and e[2] is not None and e[3].startswith('read(') and re.search(r', 16\) = 16$', e[3]), t3)
    t4 = rd[2]
    t5 = first(lambda e: e[0] == I and e[3].startswith('write(') and re.search(r', 12\) = 12$', e[3]), t4)[1]  # the ready report
    t6 = first(lambda e: e[0] == I and e[3].startswith('execve("/bin/true"'), t5)[1]
    t7 = first(lambda e: e[0] == I and e[3].startswith('exit_group'), t6)[1]
    t8 = first(lambda e: e[0] == P and e[3].startswith('exit_group'), t7)[1]
    t0 = ev[0][1]
    marks = [t0, t1, t2, t3, t4, t5, t6, t7, t8]
    rows.append([(b - a) * 1e3 for a, b in zip(marks, marks[1:])] + [(t8 - t0) * 1e3])
print(f"carton run /bin/true under strace --seccomp-bpf, {n} runs, median (min..max) ms per interval")
for k, name in enumerate(names + ["total (traced)"]):
    col = [r[k] for r in rows]
    print(f"  {name:42} {statistics.median(col):7.2f}  ({min(col):6.2f} .. {max(col):6.2f})")
EOF
