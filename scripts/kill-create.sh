#!/usr/bin/env bash
# Issue 15's first fault campaign: N `carton create`s SIGKILLed at random moments (0 to 80 ms), each followed by
# `delete --force`; after each, no cgroup directory named after the id may be left in any hierarchy, no state
# directory, no init process. Exits 1 on the first run with a leftover count > 0 (all are listed).
#
#   sudo N=300 ./scripts/kill-create.sh        # the campaign (default N=30)
#   N=10 ./scripts/kill-create.sh              # the CI smoke (scripts/bench-smoke.sh)
#
# Before the fix (ContainerCreator recorded the cgroup paths only after creating the directories) 1 to 3 containers
# in 30 kept their directories in all 10 hierarchies; after it, none in 300.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=${CARTON:-$here/../artifacts/bin/carton}
N=${N:-30}
[ "$(id -u)" = 0 ] || { echo "kill-create.sh: must run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/carton-kill-create.XXXXXX)
R=$work/root
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin" "$R"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && "$C" spec)
python3 -c '
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"))' "$work/bundle/config.json"
prefix=kc$$-
left=0
for i in $(seq "$N"); do
    id=$prefix$i
    "$C" --root "$R" create -b "$work/bundle" "$id" </dev/null >/dev/null 2>&1 &
    p=$!
    sleep "$(printf '0.%03d' $((RANDOM % 80)))"
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
    out=$("$C" --root "$R" delete --force "$id" 2>&1) || true
    dirs=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null | wc -l)
    if [ "$dirs" -gt 0 ] || [ -e "$R/$id" ]; then
        left=$((left + 1))
        echo "LEFTOVER: $id: $dirs cgroup directories, state dir $( [ -e "$R/$id" ] && echo kept || echo gone); delete said: $out" >&2
        find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" -exec rmdir {} + 2>/dev/null || true
    fi
done
# An init whose create was killed exits when its channel closes: none may be left.
sleep 0.5
inits=$(pgrep -c -f '^carton-dmz ' || true)
echo "kill-create: $N creates killed, $left left something behind, $inits carton-dmz processes alive"
[ "$left" = 0 ] && [ "$inits" = 0 ]
