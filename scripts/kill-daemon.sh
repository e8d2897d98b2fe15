#!/usr/bin/env bash
# Issue 15, the daemon killed mid-operation: a carton-serve of its own (own socket, state root, image root and network
# roots under one temp dir) is SIGKILLed during each kind of operation, R times each, and restarted on the same roots.
# After each restart the system the operation was about must be either re-adopted in a consistent state or cleanly
# absent; a present one is then driven to its end (started if created, exec'd into if running, let exit, waited for)
# and must report its real exit code (each container exits with a code of its own), then deleted. After each
# delete nothing named after the id may be left: no state directory, no scratch directory, no cgroup directory in
# any hierarchy, no mount, no process in its cgroup, no carton-monitor (a monitor is found by its fds into the
# system's scratch directory). A last round kills the daemon while N containers run, lets them all exit with
# distinct codes while it is down, restarts it and checks every code.
#
#   sudo R=20 N=20 ./scripts/kill-daemon.sh      # the campaign (the defaults)
#   R=2 N=4 ./scripts/kill-daemon.sh             # the CI smoke (scripts/bench-smoke.sh)
#   OPS="create start" ./scripts/kill-daemon.sh  # some kinds only
#
# The kill comes at a random moment in the operation's window: a calibration run (no kill) times each operation
# first, and each kill waits 0 to that many ms after the client starts. Exits 1 when any check failed (all listed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BIN=${CARTON_BIN:-$(cd "$here/../artifacts/bin" && pwd)}
R=${R:-20}
N=${N:-20}
OPS=${OPS:-create create-image start exec wait shutdown terminate delete}
[ "$(id -u)" = 0 ] || { echo "kill-daemon.sh: must run as root" >&2; exit 1; }
for b in carton carton-serve carton-monitor carton-system carton-image; do
    [ -x "$BIN/$b" ] || { echo "kill-daemon.sh: $BIN/$b is missing: ./scripts/build.sh" >&2; exit 1; }
done
MONITOR=$BIN/carton-monitor

work=$(mktemp -d /tmp/daemon-kd.XXXXXX)
chmod 0700 "$work"
tag=kd$$                        # every id starts with daemon-$tag-: the leftover checks look only for those
S=$work/sock/carton.sock
ROOT=$work/root
IMG=$work/images
LOG=$work/daemon.log
dpid=

fail=0
failures=()
flunk() { fail=$((fail + 1)); failures+=("$*"); echo "FAIL: $*" >&2; }

# ---- the daemon --------------------------------------------------------------------------------------------------
start_daemon() {
    "$BIN/carton-serve" --socket "$S" --root "$ROOT" --image-root "$IMG" --docker-socket none \
        --network-root "$work/net" --network-run-root "$work/netrun" --netns-dir "$work/netns" </dev/null 2>>"$LOG" &
    dpid=$!
    for _ in $(seq 200); do
        [ -S "$S" ] && curl -s -o /dev/null --unix-socket "$S" http://localhost/v1/systems && return 0
        kill -0 "$dpid" 2>/dev/null || { echo "kill-daemon.sh: carton-serve exited at start:" >&2; tail -5 "$LOG" >&2; exit 1; }
        sleep 0.02
    done
    echo "kill-daemon.sh: carton-serve did not answer within 4 s" >&2; exit 1
}
kill_daemon() { kill -9 "$dpid" 2>/dev/null || true; wait "$dpid" 2>/dev/null || true; dpid=; }
kills=0
restart_after_kill() { kill_daemon; kills=$((kills + 1)); start_daemon; }

# ---- clients: carton system for the verbs it has, curl for the rest (wait, signal, terminate, properties) ----------
sys() { "$BIN/carton-system" --socket "$S" "$@"; }
# api METHOD PATH: prints the body, returns 0 when the status is 2xx; the status is in $work/status
api() {
    local code
    code=$(curl -s -o "$work/body" -w '%{http_code}' --max-time "${API_TIMEOUT:-30}" --unix-socket "$S" -X "$1" "http://localhost$2") || code=000
    echo "$code" >"$work/status"
    cat "$work/body"
    [ "${code:0:1}" = 2 ]
}
state_of() { # created, running, paused, stopped, or absent (404)
    local body
    if body=$(api GET "/v1/systems/$1"); then jq -r .summary.state <<<"$body"
    elif [ "$(cat "$work/status")" = 404 ]; then echo absent
    else echo "error $(cat "$work/status"): $body"; fi
}

# ---- containers: busybox, read-only root shared by all; /ctl is a host directory of their own -----------------------
mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev" "$work/rootfs/ctl" "$work/rootfs/tmp" "$work/sock"
chmod 0700 "$work/sock"
cp /bin/busybox "$work/rootfs/bin/busybox"
for a in sh sleep true; do ln -s busybox "$work/rootfs/bin/$a"; done
(cd "$work" && "$BIN/carton" spec && mv config.json base.json)
# The init waits for /ctl/go and exits with CODE; SIGTERM makes it exit with CODE too (pid 1 needs the trap).
script='trap "exit $CODE" TERM; while [ ! -e /ctl/go ]; do sleep 0.05; done; exit $CODE'
bundle() { # bundle ID CODE: a bundle directory for ID whose init exits with CODE
    local id=$1 code=$2
    mkdir -p "$work/b/$id" "$work/ctl/$id"
    jq --arg root "$work/rootfs" --arg ctl "$work/ctl/$id" --arg s "$script" --arg code "CODE=$code" '
        .process.terminal = false | .process.args = ["/bin/sh", "-c", $s] | .process.env += [$code]
        | .root = {path: $root, readonly: true}
        | .mounts += [{destination: "/ctl", type: "bind", source: $ctl, options: ["rbind", "rw"]}]' \
        "$work/base.json" >"$work/b/$id/config.json"
}
code_of() { echo $(( ($1 * 7 + 11) % 120 + 3 )); } # distinct, small, none of 0, 1, 126-128, 137, 143

# ---- leftovers of one id ------------------------------------------------------------------------------------------
procs_of() { # pids of processes in the id's cgroup, and of monitors holding files in its scratch directory
    local id=$1 p
    for p in $(grep -l -- "/$id\$" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3); do echo "$p"; done
    for p in $(pgrep -x carton-monitor || true); do
        [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$MONITOR" ] || continue
        ls -l "/proc/$p/fd" 2>/dev/null | grep -q -- "/.scratch/$id/" && echo "$p"
    done
    return 0
}
leftovers() { # prints what is left of ID after its delete (nothing when clean)
    local id=$1 out="" n i
    [ -e "$ROOT/$id" ] && out+=" state-dir"
    [ -e "$ROOT/.scratch/$id" ] && out+=" scratch-dir"
    n=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id" 2>/dev/null | wc -l)
    [ "$n" -gt 0 ] && out+=" cgroup-dirs:$n"
    n=$(grep -c -- "/$id[/ ]" /proc/self/mountinfo || true)
    [ "$n" -gt 0 ] && out+=" mounts:$n"
    # a monitor exits just after its init: give processes a moment
    for i in $(seq 40); do [ -z "$(procs_of "$id")" ] && break; sleep 0.05; done
    n=$(procs_of "$id" | sort -u | wc -l)
    [ "$n" -gt 0 ] && out+=" processes:$n($(procs_of "$id" | sort -u | xargs -r ps -o comm= -p | tr '\n' ','))"
    echo "$out"
}
# sweep ID: removes what a failed check left, so that the next iteration starts clean
sweep() {
    local id=$1
    api DELETE "/v1/systems/$id" >/dev/null || true
    "$BIN/carton" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    procs_of "$id" | xargs -r kill -9 2>/dev/null || true
    grep -- "/$id[/ ]" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$ROOT/.scratch/$id"
    find /sys/fs/cgroup -maxdepth 5 -depth -type d -name "$id" -exec rmdir {} + 2>/dev/null || true
}

# ---- the operations: each has a setup (daemon up), the operation itself (run in the background and interrupted),
# and what the container's code must be at the end -------------------------------------------------------------------
setup() { # setup OP ID CODE
    local op=$1 id=$2 code=$3
    [ "$op" = create-image ] && return 0
    bundle "$id" "$code"
    case $op in
        create) ;;
        start) sys create "$id" --oci "$work/b/$id" ;;
        *) sys create "$id" --oci "$work/b/$id" && sys start "$id" ;;
    esac
}
operation() { # operation OP ID: the client call the daemon is killed during
    local op=$1 id=$2
    case $op in
        create) sys create "$id" --oci "$work/b/$id" ;;
        create-image) sys create "$id" --image kd:latest -- /bin/sh -c "trap 'exit $(code_of_id "$id")' TERM; while [ ! -e /tmp/go ]; do sleep 0.05; done; exit $(code_of_id "$id")" ;;
        start) sys start "$id" ;;
        exec) sys exec "$id" -- /bin/sh -c 'sleep 0.1; exit 5' ;;
        wait) api GET "/v1/systems/$id/wait" ;;
        shutdown) api POST "/v1/systems/$id/shutdown?timeoutSeconds=5" >/dev/null ;;
        terminate) api POST "/v1/systems/$id/terminate" >/dev/null ;;
        delete) sys rm "$id" ;;
    esac
}
code_of_id() { code_of "${1##*-}"; }
expected_code() { # the code OP's container must report
    case $1 in terminate) echo 137 ;; *) code_of_id "$2" ;; esac
}
# let ID's init exit on its own: the go file (in /ctl for a bundle, in the snapshot's /tmp for an image)
let_exit() {
    local id=$1
    if [ -d "$work/ctl/$id" ]; then touch "$work/ctl/$id/go"
    else
        local rootfs
        rootfs=$(api GET "/v1/systems/$id" | jq -r '.rootfsPath // empty')
        [ -n "$rootfs" ] && touch "$rootfs/tmp/go"
    fi
}

# finish OP ID CLIENT_RC: after the restart, the system must be absent and clean, or present and drivable to its end
finish() {
    local op=$1 id=$2 rc=$3 st code got left
    st=$(state_of "$id")
    case $st in
        absent)
            case $op in
                create|create-image) [ "$rc" = 0 ] && flunk "$op $id: the create answered 201 before the kill, the restarted daemon does not know the system" ;;
                delete) ;;
                *) flunk "$op $id: the system is gone after the restart" ;;
            esac
            left=$(leftovers "$id")
            [ -n "$left" ] && { flunk "$op $id: absent after the restart, left:$left"; sweep "$id"; }
            return 0 ;;
        created|running|stopped) ;;
        *) flunk "$op $id: state after the restart: $st"; sweep "$id"; return 0 ;;
    esac
    [ "$op" = delete ] && [ "$rc" = 0 ] && flunk "$op $id: the delete answered before the kill, the system is still there ($st)"
    if [ "$st" = created ]; then
        api POST "/v1/systems/$id/start" >/dev/null || { flunk "$op $id: start after the restart: $(cat "$work/status") $(cat "$work/body")"; sweep "$id"; return 0; }
        st=running
    fi
    if [ "$st" = running ]; then
        # a running system can be exec'd into after the restart
        got=0; sys exec "$id" -- /bin/sh -c 'exit 5' >/dev/null 2>&1 || got=$?
        # (a shutdown or terminate interrupted by the kill may still end the system meanwhile)
        if [ "$got" != 5 ] && [ "$(state_of "$id")" = running ]; then flunk "$op $id: exec after the restart exited $got, not 5"; fi
        if [ "$op" = terminate ]; then api POST "/v1/systems/$id/terminate" >/dev/null || true
        else let_exit "$id"; fi
    fi
    code=$(expected_code "$op" "$id")
    if ! got=$(API_TIMEOUT=20 api GET "/v1/systems/$id/wait" | jq -r .exitCode); then
        flunk "$op $id: wait after the restart: $(cat "$work/status") $(cat "$work/body")"
    elif [ "$got" != "$code" ] && ! { [ "$op" = delete ] && [ "$got" = 137 ]; }; then
        # (an interrupted delete may have SIGKILLed the container already: 137 is its real code then)
        flunk "$op $id: exit code $got after the restart, not $code"
    fi
    api DELETE "/v1/systems/$id" >/dev/null || flunk "$op $id: delete after the restart: $(cat "$work/status") $(cat "$work/body")"
    left=$(leftovers "$id")
    [ -n "$left" ] && { flunk "$op $id: after its delete, left:$left"; sweep "$id"; }
    return 0
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

cleanup() {
    local id
    [ -n "$dpid" ] || start_daemon 2>/dev/null || true
    for id in $(ls "$ROOT" 2>/dev/null; ls "$ROOT/.scratch" 2>/dev/null); do [ "${id#daemon-$tag-}" != "$id" ] && sweep "$id"; done
    [ -n "$dpid" ] && kill_daemon
    "$BIN/carton-image" --image-root "$IMG" ls -q 2>/dev/null | xargs -r "$BIN/carton-image" --image-root "$IMG" rm >/dev/null 2>&1 || true
    grep -- " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # (so that a stopped campaign still cleans up)

start_daemon
case " $OPS " in *" create-image "*)
    "$here/make-busybox-image.sh" "$work/layout" kd:latest >/dev/null
    "$BIN/carton-image" --image-root "$IMG" import "$work/layout" >/dev/null ;;
esac

declare -A window
seq_id=0
for op in $OPS; do
    # calibration: the operation's duration with no kill, the window the kills fall in
    seq_id=$((seq_id + 1)); id=daemon-$tag-$op-$seq_id
    setup "$op" "$id" "$(code_of "$seq_id")" >/dev/null
    exiter=
    if [ "$op" = wait ]; then (sleep 0.3; let_exit "$id") & exiter=$!; fi
    t0=$(now_ms); operation "$op" "$id" >/dev/null 2>&1 || true; t1=$(now_ms)
    [ -z "$exiter" ] || wait "$exiter"
    window[$op]=$(( t1 - t0 > 0 ? t1 - t0 : 1 ))
    finish "$op" "$id" 0
    lost=0
    for _ in $(seq "$R"); do
        seq_id=$((seq_id + 1)); id=daemon-$tag-$op-$seq_id
        setup "$op" "$id" "$(code_of "$seq_id")" >/dev/null || { flunk "$op $id: setup failed"; sweep "$id"; continue; }
        w=${window[$op]}
        if [ "$op" = wait ]; then
            # the container exits at a random moment too: before, during or after the daemon's death
            (sleep "$(printf '0.%03d' $((RANDOM % 300)))"; let_exit "$id") &
            exiter=$!
        fi
        operation "$op" "$id" >/dev/null 2>&1 &
        client=$!
        sleep "$(awk -v ms=$((RANDOM % w)) 'BEGIN { printf "%.3f", ms / 1000 }')"
        kill_daemon; kills=$((kills + 1))
        rc=0; wait "$client" || rc=$?
        [ "$op" = wait ] && wait "$exiter"
        start_daemon
        finish "$op" "$id" "$rc"
    done
    echo "kill-daemon: $op: $R kills (window ${window[$op]} ms), $fail failures so far"
done

# ---- N containers exit while no daemon runs ------------------------------------------------------------------------
ids=()
for i in $(seq "$N"); do
    seq_id=$((seq_id + 1)); id=daemon-$tag-down-$seq_id
    setup down "$id" "$(code_of "$seq_id")" >/dev/null || { flunk "down $id: setup failed"; sweep "$id"; continue; }
    ids+=("$id")
done
kill_daemon; kills=$((kills + 1))
for id in "${ids[@]}"; do let_exit "$id"; done
# every init has exited and its monitor has recorded it before the daemon comes back
for _ in $(seq 100); do
    busy=0
    for id in "${ids[@]}"; do [ -e "$ROOT/.scratch/$id/exit.json" ] || busy=1; done
    [ "$busy" = 0 ] && break
    sleep 0.1
done
start_daemon
adopted=$(grep '"listening"' "$LOG" | tail -1 | jq -r .adopted)
[ "$adopted" = "${#ids[@]}" ] || flunk "down: the restarted daemon re-adopted $adopted systems, not ${#ids[@]}"
for id in "${ids[@]}"; do
    st=$(state_of "$id")
    [ "$st" = stopped ] || flunk "down $id: state $st after the restart, not stopped"
    got=$(api GET "/v1/systems/$id/wait" | jq -r .exitCode) || true
    code=$(code_of_id "$id")
    [ "$got" = "$code" ] || flunk "down $id: exit code $got after the restart, not $code"
    api DELETE "/v1/systems/$id" >/dev/null || flunk "down $id: delete: $(cat "$work/status")"
    left=$(leftovers "$id")
    [ -n "$left" ] && { flunk "down $id: after its delete, left:$left"; sweep "$id"; }
done
echo "kill-daemon: down: ${#ids[@]} containers exited while the daemon was dead"

# ---- nothing of ours is left: no system, no monitor --------------------------------------------------------------------
left_systems=$(ls "$ROOT" | grep -c "^daemon-$tag-" || true)
left_scratch=$(ls "$ROOT/.scratch" 2>/dev/null | grep -c "^daemon-$tag-" || true)
monitors=0
for p in $(pgrep -x carton-monitor || true); do [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$MONITOR" ] && monitors=$((monitors + 1)); done
[ "$left_systems" = 0 ] && [ "$left_scratch" = 0 ] && [ "$monitors" = 0 ] \
    || flunk "at the end: $left_systems state dirs, $left_scratch scratch dirs, $monitors carton-monitor processes of ours"
echo "kill-daemon: $kills daemon kills over ops [$OPS] x $R and $N containers exiting while it was down: $fail failures"
# how often a kill fell between a terminate's or delete's freeze and its thaw (the restarted daemon thawed the system)
echo "kill-daemon: $(grep -c 'an interrupted kill left frozen' "$LOG" || true) systems thawed at a restart after an interrupted kill"
for f in "${failures[@]}"; do echo "  $f"; done
[ "$fail" = 0 ]
