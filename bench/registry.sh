#!/usr/bin/env bash
# Registry benchmark (issue 16): a push and a pull of one multi-layer image against a local docker-registry
# (Debian's, plain HTTP on 127.0.0.1), Carton side by side with skopeo in ONE hyperfine invocation per direction:
#
#   push:  carton image push REF            vs  skopeo copy oci:LAYOUT docker://REF
#   pull:  carton image pull REF            vs  skopeo copy docker://REF oci:DIR
#
#   ./bench/registry.sh                     # RUNS=10, 4 layers of 24 MiB (gzip, incompressible) + a small one
#   SMOKE=1 ./bench/registry.sh             # 3 layers of 1 MiB, 2 runs: a few seconds (for CI)
#   CARTON_BIN=/path/to/artifacts/bin LAYERS=8 LAYER_MB=16 ./bench/registry.sh
#
# Environment:
#   RUNS        hyperfine --runs (default 10; SMOKE: 2), one warmup run each
#   LAYERS      big layers (default 4; SMOKE: 3), each LAYER_MB MiB of AES-CTR keystream (default 24; SMOKE: 1),
#               tarred and gzipped (-1: random data does not shrink), plus one small text layer
#   CARTON_BIN  the directory holding carton and carton-image (default artifacts/bin; this script never builds)
#
# Fairness: every timed push starts from an empty registry (hyperfine's --prepare, not timed, stops the registry,
# empties its storage and starts it again), so both tools upload every blob; every timed pull starts from an empty
# destination (Carton's store, skopeo's OCI layout), so both download every blob. Both tools use their defaults for
# concurrency. skopeo keeps a blob-info cache (~/.local/share/containers/cache) that may suggest cross-repository
# mounts; with the storage emptied there is nothing to mount, and a refused mount costs one round trip. Before timing,
# each pushed image is pulled back by the other tool and the manifest digests are compared (the push is checked, not
# just timed).
#
# Output (bench/results/): registry-{push,pull}.{json,md}, registry-summary.txt (means, ratios Carton/skopeo),
# registry-environment.txt. SMOKE=1 writes registry-smoke-* instead. The work directory (/tmp/push16-bench-registry.*)
# and the registry process are removed at the end; the script checks that neither is left.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
    RUNS=${RUNS:-2}; LAYERS=${LAYERS:-3}; LAYER_MB=${LAYER_MB:-1}; name=registry-smoke
else
    RUNS=${RUNS:-10}; LAYERS=${LAYERS:-4}; LAYER_MB=${LAYER_MB:-24}; name=registry
fi
CARTON_BIN=${CARTON_BIN:-$repo/artifacts/bin}
results=$here/results
mkdir -p "$results"
die() { echo "registry.sh: $*" >&2; exit 1; }
for tool in hyperfine skopeo docker-registry jq openssl; do command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"; done
[ -x "$CARTON_BIN/carton-image" ] || die "$CARTON_BIN/carton-image is missing: run scripts/build.sh"

work=$(mktemp -d /tmp/push16-bench-registry.XXXXXX)
registry_pid=
# The registry runs under the pid in $work/registry.pid (the reset script restarts it): stop that one, and wait.
stop_registry() {
    [ -f "$work/registry.pid" ] || return 0
    registry_pid=$(cat "$work/registry.pid")
    kill "$registry_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$registry_pid" 2>/dev/null || return 0; sleep 0.05; done
}
cleanup() { stop_registry; rm -rf "$work"; }
trap cleanup EXIT

# rnd SEED BYTES: incompressible and the same on every machine (AES-128-CTR keystream under the key SEED).
rnd() { head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$1")" -iv 00000000000000000000000000000000; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- the image: an OCI layout (image-spec image-layout.md) -------------------------------------------------------
layout=$work/layout
mkdir -p "$layout/blobs/sha256" "$work/tree"
layers_json= diffs_json=
add_layer() { # DIR: tar + gzip it into a blob, remember its descriptor and diff_id
    local tar=$work/layer.tar
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01 -C "$1" -cf "$tar" .
    local diff; diff=$(sha "$tar")
    gzip -n -1 -c "$tar" > "$work/layer.gz"
    local digest; digest=$(sha "$work/layer.gz")
    mv "$work/layer.gz" "$layout/blobs/sha256/$digest"
    layers_json="$layers_json${layers_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$(stat -c %s "$layout/blobs/sha256/$digest")}"
    diffs_json="$diffs_json${diffs_json:+,}\"sha256:$diff\""
    rm -f "$tar"
}
for i in $(seq 1 "$LAYERS"); do
    rm -rf "$work/tree"; mkdir -p "$work/tree/data"
    rnd "$i" $((LAYER_MB << 20)) > "$work/tree/data/random-$i"
    add_layer "$work/tree"
done
rm -rf "$work/tree"; mkdir -p "$work/tree/etc"; echo "bench registry image" > "$work/tree/etc/motd"; add_layer "$work/tree"
rm -rf "$work/tree"
config='{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":['"$diffs_json"']}}'
printf '%s' "$config" > "$work/config"; cd_=$(sha "$work/config"); mv "$work/config" "$layout/blobs/sha256/$cd_"
manifest='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$cd_'","size":'${#config}'},"layers":['"$layers_json"']}'
printf '%s' "$manifest" > "$work/manifest"; md=$(sha "$work/manifest"); msize=$(stat -c %s "$work/manifest"); mv "$work/manifest" "$layout/blobs/sha256/$md"
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' "$md" "$msize" > "$layout/index.json"
total=$(du -sb "$layout/blobs" | cut -f1)

# --- the registry ----------------------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000)))
cat > "$work/registry.yml" <<YML
version: 0.1
log: { level: error, accesslog: { disabled: true } }
storage: { filesystem: { rootdirectory: $work/storage }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port, secret: push16-bench }
YML
start_registry() {
    docker-registry serve "$work/registry.yml" >>"$work/registry.log" 2>&1 &
    registry_pid=$!
    echo "$registry_pid" > "$work/registry.pid"
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && return 0; sleep 0.05; done
    die "docker-registry did not start: $(tail -5 "$work/registry.log")"
}
start_registry
# --prepare runs in hyperfine's shell: it empties the storage and restarts the registry (kill by the pid file).
cat > "$work/reset-registry.sh" <<SH
#!/bin/sh
kill \$(cat "$work/registry.pid") 2>/dev/null; while kill -0 \$(cat "$work/registry.pid") 2>/dev/null; do sleep 0.02; done
rm -rf "$work/storage"
docker-registry serve "$work/registry.yml" >>"$work/registry.log" 2>&1 &
echo \$! > "$work/registry.pid"
for i in \$(seq 1 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && exit 0; sleep 0.05; done
exit 1
SH
chmod +x "$work/reset-registry.sh"

host=127.0.0.1:$port
ref=$host/bench/image:1
store=$work/store
carton="$CARTON_BIN/carton"
"$carton" image --image-root "$store" import --name "$ref" "$layout" >/dev/null

# --- sanity: each tool's push read back by the other ---------------------------------------------------------------
"$carton" image --image-root "$store" push -q "$ref" >/dev/null
[ "$(skopeo inspect --tls-verify=false --raw "docker://$ref" | sha256sum | cut -d' ' -f1)" = "$md" ] || die "skopeo does not read back Carton's push"
"$work/reset-registry.sh"
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$layout" "docker://$ref"
rm -rf "$work/pulled"
[ "$("$carton" image --image-root "$work/pulled" pull -q "$ref")" = "sha256:$md" ] || die "Carton does not pull skopeo's push as sha256:$md"

# --- push ----------------------------------------------------------------------------------------------------------
hyperfine --warmup 1 --runs "$RUNS" --prepare "$work/reset-registry.sh" \
    --export-json "$results/$name-push.json" --export-markdown "$results/$name-push.md" \
    -n "carton image push" "'$carton' image --image-root '$store' push -q '$ref'" \
    -n "skopeo copy oci: docker://" "skopeo --insecure-policy copy -q --dest-tls-verify=false 'oci:$layout' 'docker://$ref'"

# --- pull (from a registry holding the image) ------------------------------------------------------------------------
"$carton" image --image-root "$store" push -q "$ref" >/dev/null
hyperfine --warmup 1 --runs "$RUNS" --prepare "rm -rf '$work/pulled' '$work/skopeo-oci'" \
    --export-json "$results/$name-pull.json" --export-markdown "$results/$name-pull.md" \
    -n "carton image pull" "'$carton' image --image-root '$work/pulled' pull -q '$ref'" \
    -n "skopeo copy docker:// oci:" "skopeo --insecure-policy copy -q --src-tls-verify=false 'docker://$ref' 'oci:$work/skopeo-oci:1'"

# --- summary -------------------------------------------------------------------------------------------------------
{
    echo "image: $LAYERS layers of $LAYER_MB MiB + 1 small, $total bytes of blobs, manifest sha256:$md"
    for dir in push pull; do
        jq -r --arg d "$dir" '.results as $r | ($r[0].mean) as $c | ($r[1].mean) as $s |
            "\($d): carton \($c*1000|floor) ms ± \($r[0].stddev*1000|floor), skopeo \($s*1000|floor) ms ± \($r[1].stddev*1000|floor), carton/skopeo \(($c/$s*100|round)/100)"' \
            "$results/$name-$dir.json"
    done
} | tee "$results/$name-summary.txt"
{
    date -u +%FT%TZ; uname -a; nproc; cat /proc/loadavg
    skopeo --version; docker-registry --version 2>&1 | head -1; hyperfine --version
    echo "carton: $(ls -l "$CARTON_BIN/carton-image")"
} > "$results/$name-environment.txt"
cleanup; trap - EXIT
[ ! -e "$work" ] || die "$work is left"
! kill -0 "$registry_pid" 2>/dev/null || die "the registry ($registry_pid) is still running"
