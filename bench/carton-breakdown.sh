#!/usr/bin/env bash
# Where does `carton run` of /bin/true spend its time? Runs it N times (default 20, env N) under
#   strace -f --seccomp-bpf -ttt -T -e trace=execve,execveat,memfd_create,fcntl,openat,read,write,exit_group
# (--seccomp-bpf: only the listed syscalls stop the tracee, so the overhead stays small but is NOT zero: the traced
# total is longer than the untraced hyperfine mean, read the split, not the absolute sum), and prints the median of
# each interval on the critical path, from syscall markers:
#
#   parent P (carton run)                              init I (carton init, exec'd from the sealed memfd)
#   1 execve carton -> first open of config.json       NativeAOT startup + command line
#   2 -> memfd_create                                  spec load/validate, cgroup probe+create, fifo, socketpair
#   3 memfd_create -> F_ADD_SEALS                      the sealed copy of the binary (CVE-2019-5736)
#   4 -> execveat returns in I                         native spawn helper: clone (vfork) x2, execveat
#   5                                                  I: NativeAOT startup again, up to its first channel read
#   6                                                  I: blocked on the channel: P puts I in its cgroups, sends config
#   7                                                  I: config decode, namespaces, mounts, pivot_root -> "ready"
#   8 P: hooks round trip, state.json (O_SYNC+fsync), `start` via exec.fifo -> I execve /bin/true
#   9 /bin/true runs                                   (I execve -> I exit_group)
#  10 P: wait, delete (cgroups, state dir) -> P exit_group
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
names = ["1 carton startup (parent)", "2 spec, cgroups, fifo", "3 sealed memfd copy", "4 spawn helper -> execveat",
         "5 init startup (NativeAOT)", "6 init waits: cgroup placement + config", "7 init builds container",
         "8 state save + start", "9 /bin/true", "10 wait + delete + exit"]
rows = []
for i in range(1, n + 1):
    ev = []  # (pid, start, end, text)
    for l in open(f"{work}/trace.{i}"):
        m = line_re.match(l.rstrip())
        if not m: continue
        pid, ts, text, dur = int(m[1]), float(m[2]), m[3], float(m[4] or 0)
        if text.startswith("<..."): ev.append((pid, ts - dur, ts, text))
        elif "unfinished" in text: ev.append((pid, ts, None, text))
        else: ev.append((pid, ts, ts + dur, text))
    P = ev[0][0]
    def first(pred, after=0.0):
        return next(e for e in ev if pred(e) and e[1] >= after)
    t1 = first(lambda e: e[0] == P and 'config.json' in e[3])[1]
    t2 = first(lambda e: e[0] == P and e[3].startswith('memfd_create'))[1]
    t3 = first(lambda e: e[0] == P and 'F_ADD_SEALS' in e[3])[1]
    ex = first(lambda e: e[3].startswith('<... execveat resumed>') or (e[3].startswith('execveat(') and e[2] is not None))
    I, t4 = ex[0], ex[2]
    # the init's first read of a 4-byte length prefix: its channel
    rd = first(lambda e: e[0] == I and e[2] is not None and (e[3].startswith('<... read resumed>') or e[3].startswith('read(')) and re.search(r', 4\) = 4$', e[3]), t4)
    t5, t6 = rd[1], rd[2]
    t7 = first(lambda e: e[0] == I and e[3].startswith('write(') and '"ready' in e[3].replace('\\"', '"'), t6)[1]
    t8 = first(lambda e: e[0] == I and e[3].startswith('execve("/bin/true"'), t7)[1]
    t9 = first(lambda e: e[0] == I and e[3].startswith('exit_group'), t8)[1]
    t10 = first(lambda e: e[0] == P and e[3].startswith('exit_group'), t9)[1]
    t0 = ev[0][1]
    marks = [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10]
    rows.append([(b - a) * 1e3 for a, b in zip(marks, marks[1:])] + [(t10 - t0) * 1e3])
print(f"carton run /bin/true under strace --seccomp-bpf, {n} runs, median (min..max) ms per interval")
for k, name in enumerate(names + ["total (traced)"]):
    col = [r[k] for r in rows]
    print(f"  {name:42} {statistics.median(col):7.2f}  ({min(col):6.2f} .. {max(col):6.2f})")
EOF
