#!/usr/bin/env bash
# Issue 15, "a full disk": a state root and an image store on tmpfs mounts too small for them.
#
#   1. State root (24 KiB): creates until one is refused; the refusal names the container, its state.json and ENOSPC,
#      and leaves no state dir, cgroup or process. With the root filled to the last byte: start fails and the container
#      stays created (its process not released), update fails and the cgroup's limit is unchanged, state/list/kill/
#      delete work. With room again: start works. At the end nothing is left.
#   2. Image store (256 KiB, the busybox layer is ~1 MB): import of an OCI layout and pull from a local
#      docker-registry (on loopback, in a network namespace of the script's own) fail with ENOSPC naming the blob and
#      the store; no partial file is left in ingest/, every blob hashes to its name, no image is named. After a
#      remount with room, the same pull succeeds. `image unpack` into a full directory fails and leaves it empty.
#
#   ./scripts/full-disk.sh          # campaign and CI smoke alike (ROUNDS=N repeats part 1; default 3, CI 1)
# Exits 1 on the first check that fails, saying which.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=${CARTON:-$here/../artifacts/bin/carton}
IMG=${CARTON_IMAGE:-$here/../artifacts/bin/carton-image}
ROUNDS=${ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "full-disk.sh: must run as root" >&2; exit 1; }
work=$(mktemp -d /tmp/carton-full-disk.XXXXXX)
S=$work/state; I=$work/images; U=$work/unpack
reg_pid=
cleanup() {
    set +e
    for id in $("$C" --root "$S/root" list -q 2>/dev/null); do "$C" --root "$S/root" delete --force "$id" >/dev/null 2>&1; done
    [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
    for m in "$S" "$I" "$U"; do mountpoint -q "$m" && umount "$m"; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "full-disk: FAIL: $*" >&2; exit 1; }
mkdir -p "$S" "$I" "$U" "$work/bundle/rootfs/bin"
cp /bin/busybox "$work/bundle/rootfs/bin/busybox"
for l in sh sleep true; do ln -s busybox "$work/bundle/rootfs/bin/$l"; done
(cd "$work/bundle" && "$C" spec)
python3 -c '
import json, sys
c = json.load(open(sys.argv[1])); c["process"]["terminal"] = False; c["process"]["args"] = ["sleep", "1000"]
json.dump(c, open(sys.argv[1], "w"))' "$work/bundle/config.json"
# Same conditions as the other campaigns on a hybrid host (crun's wrapper is not needed: carton handles hybrid).
cgroups_of() { find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null | wc -l; }
fill() { head -c 1048576 /dev/zero > "$1/fill.$RANDOM" 2>/dev/null || true; }
prefix=fd$$-

# ---- 1. the state root ----
for round in $(seq "$ROUNDS"); do
    mount -t tmpfs -o size=24k carton-full-state "$S"
    R="--root $S/root"
    made=()
    for i in $(seq 1 40); do
        id=$prefix$round-$i
        # carton's stderr to a file, not a pipe: the created container inherits it and would hold a pipe open.
        if "$C" $R create -b "$work/bundle" "$id" </dev/null >/dev/null 2>"$work/create.err"; then made+=("$id"); continue; fi
        out=$(cat "$work/create.err")
        case $out in
            *"save state of container \"$id\": write $S/root/$id/state.json: no space left on device (ENOSPC)"*) ;;
            *) fail "create $id on a full root said: $out" ;;
        esac
        [ -e "$S/root/$id" ] && fail "refused create $id left its state dir"
        [ "$(cgroups_of "$id")" = 0 ] || fail "refused create $id left cgroup directories"
        break
    done
    [ "${#made[@]}" -ge 2 ] || fail "round $round: fewer than 2 containers fit on the 24 KiB root (${#made[@]})"
    [ "${#made[@]}" -lt 40 ] || fail "round $round: the root never filled"
    a=${made[0]}; b=${made[1]}
    fill "$S"
    # start on a full root: refused, the container still created, its init not released
    "$C" $R start "$a" </dev/null >/dev/null 2>"$work/start.err" && fail "start $a on a full root succeeded"
    out=$(cat "$work/start.err")
    case $out in *"no space left on device (ENOSPC)"*) ;; *) fail "start $a said: $out" ;; esac
    st=$("$C" $R state "$a" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["status"], s["pid"])')
    [ "${st%% *}" = created ] || fail "after a refused start $a is ${st%% *}"
    case $(readlink "/proc/${st#* }/exe") in *carton-dmz*) ;; *) fail "after a refused start the init of $a exec'd: $(readlink "/proc/${st#* }/exe")" ;; esac
    # update on a full root: refused, the limit unchanged
    mem=$(find /sys/fs/cgroup/memory -maxdepth 3 -type d -name "$b" | head -1)
    before=$(cat "$mem/memory.limit_in_bytes")
    out=$("$C" $R update --memory 123456789 "$b" 2>&1) && fail "update $b on a full root succeeded"
    [ "$(cat "$mem/memory.limit_in_bytes")" = "$before" ] || fail "a refused update changed $b's memory limit"
    # what must work on a full root: list, state, kill, delete (which frees space)
    "$C" $R list >/dev/null || fail "list on a full root"
    "$C" $R kill "$b" KILL || fail "kill on a full root"
    "$C" $R delete --force "$b" || fail "delete --force on a full root"
    rm -f "$S"/fill.*
    "$C" $R start "$a" </dev/null >/dev/null 2>&1 || fail "start $a with room again"
    [ "$("$C" $R state "$a" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = running ] || fail "$a not running after its start"
    for id in "${made[@]}"; do "$C" $R delete --force "$id" 2>/dev/null || true; done
    for id in "${made[@]}"; do
        [ "$(cgroups_of "$id")" = 0 ] || fail "$id left cgroup directories"
        [ -e "$S/root/$id" ] && fail "$id left its state dir"
    done
    umount "$S"
    echo "full-disk: state root round $round: ${#made[@]} containers fit, the next create, a start and an update were refused cleanly"
done
sleep 0.3
pgrep -f "^carton-dmz" >/dev/null && pgrep -fa "^carton-dmz" | grep -q "$prefix" && fail "carton-dmz processes left"

# ---- 2. the image store ----
"$here/make-busybox-image.sh" "$work/layout" busybox:latest >/dev/null
consistent() { # the store on $I: no partial, every blob hashes to its name
    local bad=0
    if [ -d "$I/store/ingest" ] && [ -n "$(ls -A "$I/store/ingest")" ]; then echo "ingest/ not empty: $(ls "$I/store/ingest")" >&2; bad=1; fi
    [ -z "$(find "$I/store" -name '*.tmp')" ] || { echo "temp files left" >&2; bad=1; }
    for f in "$I"/store/blobs/sha256/*; do
        [ -e "$f" ] || continue
        [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "blob $f does not hash to its name" >&2; bad=1; }
    done
    return $bad
}
mount -t tmpfs -o size=256k carton-full-images "$I"
out=$("$IMG" --image-root "$I/store" import "$work/layout" 2>&1) && fail "import onto a full store succeeded"
case $out in *"write to the content store $I/store: no space left on device (ENOSPC)"*) ;; *) fail "import said: $out" ;; esac
consistent || fail "store inconsistent after the refused import"
[ -z "$("$IMG" --image-root "$I/store" ls -q)" ] || fail "a refused import named an image"

# The registry and the pulls live in a network namespace of their own (loopback only).
port=$((20000 + RANDOM % 20000))
mkdir -p "$work/registry"
cat > "$work/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
export C IMG I work port
unshare -n bash -euo pipefail -c '
ip link set lo up
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg=$!
trap "kill $reg" EXIT
for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:busybox:latest" "docker://127.0.0.1:$port/bb:1"
if out=$("$IMG" --image-root "$I/store" pull -q "127.0.0.1:$port/bb:1" 2>&1); then echo "pull onto a full store succeeded" >&2; exit 1; fi
case $out in *"write to the content store $I/store: no space left on device (ENOSPC)"*) ;; *) echo "pull said: $out" >&2; exit 1 ;; esac
echo "$out" > "$work/pull.err"
mount -o remount,size=16m "$I"
"$IMG" --image-root "$I/store" pull -q "127.0.0.1:$port/bb:1" >/dev/null
' || fail "pull (see above)"
"$IMG" --image-root "$I/store" ls -q | grep -q "bb:1" || fail "the pull with room named no image"
consistent || fail "store inconsistent after the pulls"
# unpack into a directory on a full file system: refused, the directory left empty
mount -t tmpfs -o size=128k carton-full-unpack "$U"
out=$("$IMG" --image-root "$I/store" unpack "127.0.0.1:$port/bb:1" "$U/bundle" 2>&1) && fail "unpack onto a full disk succeeded"
case $out in *"no space left on device"*|*ENOSPC*) ;; *) fail "unpack said: $out" ;; esac
[ -z "$(ls -A "$U")" ] || fail "a refused unpack left $(ls -A "$U")"
echo "full-disk: image store: import and pull refused with ENOSPC, no partial file, blobs sound, the pull with room worked; unpack refused and left nothing"
echo "full-disk: all checks passed"
