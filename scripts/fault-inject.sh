#!/usr/bin/env bash
# Issue 15, fault injection: kills carton at each named step of `create` and `exec` and checks that nothing is lost
# or leaked. Builds its own NativeAOT carton with -p:CartonFaultInjection=true into artifacts/fault-bin (carton-dmz
# beside it); that build SIGKILLs itself where CARTON_FAULT_POINT says (src/Carton.Linux/FaultPoints.cs names every
# point; this script reads them from there). For each point, R times:
#   create points: `create` with the point armed must die by SIGKILL at that point (a point never reached fails the
#     script); `state` and `list` must then answer sensibly (no crash); `delete --force` must leave no cgroup
#     directory named after the id in any hierarchy (v1 and /sys/fs/cgroup/unified), no state directory, no mount
#     mentioning the id or the bundle, and no process of the killed carton's session (its init, carton-dmz).
#   exec points: on a running container, `exec` with the point armed must die there; the container must still run
#     and answer an exec, its init must hold the same fds as before, and nothing of the killed exec may be left
#     (no process of its session, alive or zombie); at the end `delete --force` must leave nothing.
# create.after-cgroup-mkdir is reached once per hierarchy: it is armed as NAME#1, NAME#2, ... until one is not reached.
# Also checks that the shipped binary (artifacts/bin/carton, when built) ignores CARTON_FAULT_POINT and does not
# contain the variable's name at all. Exits 1 if anything failed (every failure is listed).
#
#   sudo ./scripts/fault-inject.sh             # the campaign (R=5 per point)
#   R=1 ./scripts/fault-inject.sh              # the CI smoke (scripts/bench-smoke.sh): every point once
#   BUILD=0 ...                                # reuse artifacts/fault-bin as it is
#   MANAGED=1 ...                              # the managed init (`carton init`) instead of carton-dmz
#   POINTS='create.after-(spawn|ready)' ...    # only the points this extended regex matches
set -eEuo pipefail
# A command that fails outside the checks says where (two runs once ended with status 1 and no word).
trap 'echo "fault-inject.sh: line $LINENO: a command failed (status $?)" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
R=${R:-5}
BUILD=${BUILD:-1}
FAULT_BIN=${FAULT_BIN:-$PWD/artifacts/fault-bin}
SHIPPED=${CARTON:-$PWD/artifacts/bin/carton}
[ "$(id -u)" = 0 ] || { echo "fault-inject.sh: must run as root" >&2; exit 1; }
if [ "${MANAGED:-0}" = 1 ]; then export CARTON_MANAGED_INIT=1; fi

if [ "$BUILD" = 1 ]; then
    start=$(date +%s)
    # The define changes the compiler's inputs, so the next ordinary build recompiles: nothing of this build reaches
    # artifacts/bin.
    dotnet publish src/Carton.Cli -c Release -o "$FAULT_BIN" -p:CartonFaultInjection=true -p:DebugType=none -nologo -clp:ErrorsOnly >/dev/null
    echo "fault-inject: fault build of carton in $(( $(date +%s) - start )) s"
fi
F=$FAULT_BIN/carton
[ -x "$F" ] && [ -x "$FAULT_BIN/carton-dmz" ] || { echo "fault-inject.sh: no fault build in $FAULT_BIN" >&2; exit 1; }

work=$(mktemp -d /tmp/faults-inject.XXXXXX)
ROOT=$work/root
prefix=faults-$$-
mkdir -p "$work/bundle/rootfs/bin" "$ROOT"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for cmd in sh true echo sleep; do ln -s busybox "$work/bundle/rootfs/bin/$cmd"; done
(cd "$work/bundle" && "$F" spec)
# The container's init is a shell loop: it runs until killed and reaps whatever is reparented to it.
python3 -c '
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", "while :; do sleep 1; done"]
json.dump(c, open(sys.argv[1], "w"))' "$work/bundle/config.json"

failures=$work/failures
: > "$failures"
fail() { echo "FAIL: $*" >&2; echo "$*" >> "$failures"; }
cleanup() {
    # Whatever a failure left: the ids' containers, cgroups and the work directory.
    for d in "$ROOT"/"$prefix"*; do [ -e "$d" ] && "$F" --root "$ROOT" delete --force "$(basename "$d")" >/dev/null 2>&1 || true; done
    find /sys/fs/cgroup -maxdepth 6 -depth -type d -name "$prefix*" -exec rmdir {} + 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# Processes of the session a killed carton led (setsid made it the leader: its init and exec'd processes inherit
# the session, nothing else on the host has it). Prints "pid stat comm" lines.
session_procs() { { ps -e -o sid=,pid=,stat=,comm= || true; } | awk -v s="$1" '$1 == s { print $2, $3, $4 }'; }

# Waits up to 3 s for the session to be empty; prints what is left.
session_left() {
    local i left
    for i in $(seq 30); do
        left=$(session_procs "$1")
        [ -z "$left" ] && return 0
        sleep 0.1
    done
    echo "$left"
}

# Runs carton with $2 armed ($1 names the run in messages, the rest is carton's command line) in a new session;
# sets rc, sid and reached (1 when the marker for the armed point is on stderr).
armed_run() {
    local what=$1 point=$2; shift 2
    rc=0
    CARTON_FAULT_POINT=$point setsid "$F" --root "$ROOT" "$@" </dev/null >"$work/out" 2>"$work/err" &
    sid=$!
    { wait "$sid" || rc=$?; } 2>/dev/null   # (no "Killed" line from bash: the kill is the point)
    reached=0
    case "$point" in *'#'*) marker=$point ;; *) marker=$point'#1' ;; esac
    grep -qF "fault point $marker reached" "$work/err" && reached=1
    if [ "$reached" = 1 ] && [ "$rc" != 137 ]; then fail "$what: reached $point but exited $rc, not by SIGKILL: $(cat "$work/err")"; fi
    if [ "$reached" = 0 ] && [ "$rc" = 137 ]; then fail "$what: SIGKILLed, but not at $point"; fi
    return 0
}

# `state` and `list` on a half-made container: an answer or a clear "does not exist", never a crash.
check_state_list() {
    local what=$1 id=$2 out src=0
    out=$("$F" --root "$ROOT" state "$id" 2>&1) || src=$?
    case "$out" in *Unhandled*|*"   at "*) fail "$what: state crashed: $out" ;; esac
    if [ "$src" = 0 ]; then
        python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["status"] in ("creating","created","stopped","running"), s["status"]' "$out" \
            || fail "$what: state printed no sensible state: $out"
    elif [ "$src" != 1 ] || ! echo "$out" | grep -qiE 'not exist|not found|no such'; then
        fail "$what: state exited $src: $out"
    fi
    src=0
    out=$("$F" --root "$ROOT" list -f json 2>&1) || src=$?
    [ "$src" = 0 ] || fail "$what: list exited $src: $out"
    python3 -c 'import json,sys; json.loads(sys.argv[1] or "[]")' "$out" 2>/dev/null || fail "$what: list printed no JSON: $out"
}

# After `delete --force`: nothing named after the id, nothing of the bundle mounted, nothing of session $2 alive.
check_nothing_left() {
    local what=$1 id=$2 session=$3 dirs left
    dirs=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" 2>/dev/null)
    [ -z "$dirs" ] || fail "$what: cgroup directories left: $(echo $dirs)"
    [ ! -e "$ROOT/$id" ] || fail "$what: state directory $ROOT/$id left: $(ls -A "$ROOT/$id")"
    if grep -qF -e "$id" -e "$work" /proc/self/mountinfo; then fail "$what: mounts left: $(grep -F -e "$id" -e "$work" /proc/self/mountinfo)"; fi
    left=$(session_left "$session")
    [ -z "$left" ] || fail "$what: processes of the killed carton left: $left"
}

n=0
created=0; execs=0
run_create_point() {
    local point=$1 id what
    n=$((n + 1)); id=$prefix$n; what="create $point ($id)"
    armed_run "$what" "$point" create -b "$work/bundle" --pid-file "$work/$id.pid" "$id"
    if [ "$reached" = 0 ]; then
        "$F" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || fail "$what: delete --force of the unharmed container failed"
        check_nothing_left "$what (not reached)" "$id" "$sid"
        return 1
    fi
    created=$((created + 1))
    check_state_list "$what" "$id"
    out=$("$F" --root "$ROOT" delete --force "$id" 2>&1) || fail "$what: delete --force exited non-zero: $out"
    check_nothing_left "$what" "$id" "$sid"
    return 0
}

# (ls fails when an fd closes while it reads the directory: that is a difference the comparison reports, not an error.)
fds_of() { { ls -l "/proc/$1/fd" 2>/dev/null || true; } | awk 'NR > 1 { print $(NF-2), $NF }' | sort; }

run_exec_point() {
    local point=$1 id pid before i what
    n=$((n + 1)); id=$prefix$n
    "$F" --root "$ROOT" create -b "$work/bundle" "$id" </dev/null >/dev/null
    "$F" --root "$ROOT" start "$id"
    pid=$("$F" --root "$ROOT" state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
    before=$(fds_of "$pid")
    for i in $(seq "$R"); do
        what="exec $point ($id, $i)"
        armed_run "$what" "$point" exec --pid-file "$work/$id.exec.pid" "$id" /bin/true
        [ "$reached" = 1 ] || { fail "$what: point not reached (exec exited $rc: $(cat "$work/err"))"; continue; }
        execs=$((execs + 1))
        left=$(session_left "$sid")
        [ -z "$left" ] || fail "$what: processes of the killed exec left: $left"
        st=$("$F" --root "$ROOT" state "$id" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["status"], s["pid"])') || st="no state"
        [ "$st" = "running $pid" ] || fail "$what: the container is no longer running with its init (state: $st)"
        out=$(timeout 10 "$F" --root "$ROOT" exec "$id" /bin/echo alive 2>&1) || true
        [ "$out" = alive ] || fail "$what: a later exec failed: $out"
        [ "$(fds_of "$pid")" = "$before" ] || fail "$what: the container init's fds changed: $(fds_of "$pid" | tr '\n' ' ') (were: $(echo $before))"
    done
    out=$("$F" --root "$ROOT" delete --force "$id" 2>&1) || fail "exec $point ($id): delete --force exited non-zero: $out"
    check_nothing_left "exec $point ($id)" "$id" "$sid"
}

points=$(grep -oE '"(create|exec)\.[a-z-]+"' src/Carton.Linux/FaultPoints.cs | tr -d '"' | grep -E "^(${POINTS:-.*})\$" || true)
[ -n "$points" ] || { echo "fault-inject.sh: no points found in src/Carton.Linux/FaultPoints.cs" >&2; exit 1; }
npoints=0
for point in $points; do
    npoints=$((npoints + 1))
    case "$point" in
    create.after-cgroup-mkdir)
        # Once per hierarchy: #1, #2, ... until a create goes through without reaching it.
        hit=1
        while [ "$hit" -le 32 ]; do
            reached_all=1
            for i in $(seq "$R"); do run_create_point "$point#$hit" || reached_all=0; done
            [ "$reached_all" = 1 ] || break
            hit=$((hit + 1))
        done
        [ "$hit" -gt 1 ] || fail "create $point: not reached even once"
        echo "fault-inject: $point reached in $((hit - 1)) hierarchies"
        ;;
    create.*)
        for i in $(seq "$R"); do run_create_point "$point" || fail "create $point: point not reached (create exited $rc: $(cat "$work/err"))"; done
        ;;
    exec.*)
        run_exec_point "$point"
        ;;
    esac
done

# The shipped binary ignores the variable: a create and an exec armed at their first point go through, and the
# variable's name is nowhere in the binary (checked on the fault build too, where it must be found).
shipped=skipped
if [ -x "$SHIPPED" ]; then
    # NativeAOT keeps string literals as UTF-16 (the last character's high byte may be shared with what follows).
    has_name() { python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); s="CARTON_FAULT_POINT"; sys.exit(0 if s.encode() in d or s.encode("utf-16-le")[:-1] in d else 1)' "$1"; }
    has_name "$F" || fail "the fault build does not contain CARTON_FAULT_POINT (the name check cannot fail)"
    ! has_name "$SHIPPED" || fail "the shipped binary $SHIPPED contains CARTON_FAULT_POINT"
    n=$((n + 1)); id=$prefix$n
    CARTON_FAULT_POINT=create.after-spec "$SHIPPED" --root "$ROOT" create -b "$work/bundle" "$id" </dev/null >/dev/null 2>"$work/err" \
        || fail "shipped carton: create with CARTON_FAULT_POINT set failed: $(cat "$work/err")"
    "$SHIPPED" --root "$ROOT" start "$id" || fail "shipped carton: start failed"
    out=$(CARTON_FAULT_POINT=exec.after-load "$SHIPPED" --root "$ROOT" exec "$id" /bin/echo alive 2>&1) || true
    [ "$out" = alive ] || fail "shipped carton: exec with CARTON_FAULT_POINT set: $out"
    "$SHIPPED" --root "$ROOT" delete --force "$id" >/dev/null || fail "shipped carton: delete failed"
    shipped=ignores
fi

nfail=$(wc -l < "$failures")
echo "fault-inject: $npoints points, R=$R: $created creates and $execs execs killed at their point, $nfail failures; shipped binary: $shipped the variable; ${SECONDS} s in all"
[ "$nfail" = 0 ]
