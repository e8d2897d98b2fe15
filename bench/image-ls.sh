#!/usr/bin/env bash
# `carton image ls` with many images in the store (issue 16: "with 500 images in the store: under 50 ms"), side by
# side with umoci listing the same images' tags in an OCI layout, in ONE hyperfine invocation.
#
# The images are built here: COUNT distinct images (each its own config, differing by a label, over one shared tiny
# layer), written as one OCI image layout whose index.json names all of them, imported once into a fresh Carton
# store. `umoci ls --layout` reads that layout's index.json; `carton image ls` reads the store's (the store is an OCI
# layout too) and, for its table, each image's size: from cache/image-sizes.json at rest, else from its manifest.
#
#   ./bench/image-ls.sh                 # COUNT=500, RUNS=30
#   SMOKE=1 ./bench/image-ls.sh         # COUNT=50, RUNS=3: a few seconds (for CI)
#   CARTON_BIN=/path/to/artifacts/bin ./bench/image-ls.sh
#
# Output (bench/results/): image-ls.{json,md} (hyperfine), image-ls-summary.txt (means, the ratio to umoci, and the
# goal's verdict); SMOKE=1 writes image-ls-smoke.* instead. Nothing is left behind: the work directory is removed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then COUNT=${COUNT:-50}; RUNS=${RUNS:-3}; name=image-ls-smoke
else COUNT=${COUNT:-500}; RUNS=${RUNS:-30}; name=image-ls; fi
BIN=${CARTON_BIN:-$repo/artifacts/bin}
[ -x "$BIN/carton-image" ] || { echo "image-ls.sh: $BIN/carton-image is missing: ./scripts/build.sh" >&2; exit 1; }
for tool in hyperfine umoci python3; do command -v "$tool" >/dev/null || { echo "image-ls.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 1; }; done
results=$here/results
mkdir -p "$results"

work=$(mktemp -d /tmp/carton-bench-image-ls.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# The layout: one gzip layer of one file, COUNT configs and manifests, index.json naming each as bench/img-N:latest.
python3 - "$work/layout" "$COUNT" <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile
root, count = sys.argv[1], int(sys.argv[2])
blobs = os.path.join(root, "blobs", "sha256")
os.makedirs(blobs)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, d), "wb") as f: f.write(data)
    return "sha256:" + d, len(data)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    body = b"image-ls bench\n"
    info = tarfile.TarInfo("hello.txt"); info.size = len(body); info.mtime = 0
    t.addfile(info, io.BytesIO(body))
diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
layer, layer_size = put(gzip.compress(raw.getvalue(), mtime=0))
manifests = []
for i in range(count):
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2026-11-30T00:00:00Z",
                         "config": {"Labels": {"n": str(i)}, "Cmd": ["/hello.txt"]},
                         "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    cd, cs = put(config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer, "size": layer_size}]}).encode()
    md, ms = put(manifest)
    manifests.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
                      "annotations": {"org.opencontainers.image.ref.name": f"img-{i}"}})
with open(os.path.join(root, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}, f)
with open(os.path.join(root, "oci-layout"), "w") as f: json.dump({"imageLayoutVersion": "1.0.0"}, f)
EOF

# Carton's import names each image after its ref.name; the store then holds COUNT names.
store=$work/store
"$BIN/carton-image" --image-root "$store" import "$work/layout" >/dev/null
listed=$("$BIN/carton-image" --image-root "$store" ls -q | wc -l)
[ "$listed" = "$COUNT" ] || { echo "image-ls.sh: the store lists $listed images, not $COUNT" >&2; exit 1; }
tags=$(umoci ls --layout "$work/layout" | wc -l)
[ "$tags" = "$COUNT" ] || { echo "image-ls.sh: umoci lists $tags tags, not $COUNT" >&2; exit 1; }

# The table's sizes come from cache/image-sizes.json, which a listing writes once the blobs have been still for a
# second (ImageSizeCache): wait that second, as a store at rest has. The "no cache" row removes the cache before each
# run, so it shows what a listing right after a pull costs (every manifest read).
sleep 1.2
hyperfine --style basic --warmup 2 --runs "$RUNS" -N \
    --export-json "$results/$name.json" --export-markdown "$results/$name.md" \
    --prepare true --prepare "rm -f $store/cache/image-sizes.json" --prepare true --prepare true \
    -n "carton image ls ($COUNT images)" "$BIN/carton-image --image-root $store ls" \
    -n "carton image ls, no cache" "$BIN/carton-image --image-root $store ls" \
    -n "carton image ls -q" "$BIN/carton-image --image-root $store ls -q" \
    -n "umoci ls --layout ($COUNT tags)" "umoci ls --layout $work/layout" >/dev/null

python3 - "$results/$name.json" "$COUNT" > "$results/$name-summary.txt" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = {x["command"]: x for x in r}
umoci = next(x for x in r if x["command"].startswith("umoci"))
print(f"image ls with {sys.argv[2]} images (means ± σ over {len(r[0]['times'])} runs)")
for x in r:
    print(f"  {x['command']:<32} {x['mean']*1000:7.1f} ± {x['stddev']*1000:5.1f} ms   {x['mean']/umoci['mean']:.2f} × umoci")
table = r[0]
if sys.argv[2] == "500":
    print(f"goal (issue 16): carton image ls under 50 ms with 500 images: {'met' if table['mean'] < 0.050 else 'NOT met'} ({table['mean']*1000:.1f} ms)")
else:
    print(f"goal (issue 16) is for 500 images: no verdict with {sys.argv[2]}")
EOF
cat "$results/$name-summary.txt"
