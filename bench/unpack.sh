#!/usr/bin/env bash
# Image unpack benchmark (issue 11): one gzip layer (built here, deterministic, >= 50 MB compressed at full size)
# unpacked by `carton image unpack`, by `tar -xzf` (without and with a sync) and by `umoci unpack`, side by side in
# ONE hyperfine invocation; then, unless SMOKE=1, a profile of Carton's unpack (decompression, hashing, tar parsing
# and writing timed apart, through bench/unpack-tool) and the syscall counts of carton and tar.
#
#   sudo ./bench/unpack.sh                 # RUNS=10, full-size layer, profile
#   SMOKE=1 ./bench/unpack.sh              # small layer, 2 runs, no profile, no build: well under a minute (for CI)
#   CARTON_BIN=/path/to/artifacts/bin RUNS=20 ./bench/unpack.sh
#
# Environment:
#   RUNS       hyperfine --runs for every command (default 10; SMOKE: 2); one warmup run each, so the inputs are in
#              the page cache when the timed runs start
#   SMOKE=1    a small layer (about 1.5 MB), RUNS=2, PROFILE=0, results under the name unpack-smoke.*
#   PROFILE    1 (default unless SMOKE): publish bench/unpack-tool (NativeAOT, into bench/results/unpack-tool/) and
#              run the profile; 0: only the comparison, no build
#   CARTON_BIN the directory holding carton and carton-image (default artifacts/bin; this script never builds them)
#   LOOP       1 (default): everything on a fresh ext4 on a loop device (see below); 0: on /tmp's file system as it is
#   FS_SIZE    that file system's size (default 3G; SMOKE: 256M); a sparse file, removed at the end
#
# Every timed iteration starts from an empty target and a clean file system: hyperfine's --prepare (not timed)
# removes the previous output and runs `sync -f` on the file system, so no iteration pays for the writeback of
# another one's files.
#
# Output (bench/results/): unpack.{json,md} (the comparison), unpack-profile.{json,md}, unpack-strace.txt (syscall
# counts), unpack-environment.txt (machine, versions, file system, the layer's digests and sizes), unpack-summary.txt
# (means ± σ and the ratios, computed from the JSON). SMOKE=1 writes the same files named unpack-smoke* instead
# (unpack-smoke.{json,md}, unpack-smoke-environment.txt, ...), and leaves the full run's files alone.
#
# Nothing is left behind: the work directory (/tmp/carton-bench-unpack.*) holds the binaries' copies and the file
# system's image, mounted on its mnt/ (the layer, the layout, carton's image store, every output); at the end it is
# unmounted, the loop device detached and the directory removed, and the script checks that no directory, mount or
# loop device of it remains, and fails otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
SMOKE=${SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
    RUNS=${RUNS:-2}
    PROFILE=${PROFILE:-0}
    name=unpack-smoke
else
    RUNS=${RUNS:-10}
    PROFILE=${PROFILE:-1}
    name=unpack
fi
CARTON_BIN=${CARTON_BIN:-$repo/artifacts/bin}
LOOP=${LOOP:-1}
FS_SIZE=${FS_SIZE:-$([ "$SMOKE" = 1 ] && echo 256M || echo 3G)}
results=$here/results
TAG=bench-unpack:latest
REF=bench-unpack:latest
GZIP_LAYER=application/vnd.oci.image.layer.v1.tar+gzip

die() { echo "unpack.sh: $*" >&2; exit 1; }

# The layer's shape: full size (>= 50 MB compressed) or the SMOKE one.
if [ "$SMOKE" = 1 ]; then
    BIG_FILES=1 BIG_MB=1 MEDIUM_GROUPS=2 MEDIUM_PER=4 SMALL_DIRS=6 SMALL_PER=40
else
    BIG_FILES=4 BIG_MB=10 MEDIUM_GROUPS=8 MEDIUM_PER=12 SMALL_DIRS=60 SMALL_PER=120
fi

# ---------------------------------------------------------------------------------------------------------------
# The layer
# ---------------------------------------------------------------------------------------------------------------

# rnd SEED BYTES: BYTES of AES-128-CTR keystream under the key SEED (zero IV): pseudo-random, incompressible and the
# same on every machine (openssl, no python).
rnd() {
    head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt -K "$(printf '%032x' "$1")" -iv 00000000000000000000000000000000
}

# make_tree DIR: the layer's content. Deterministic: fixed keys, names, sizes and modes (umask 022); tar fixes the
# owner and the times. Large incompressible files, medium text files (hex dumps, about 2:1 under gzip), thousands of
# small base64 files (about 4:3) in many directories, relative, absolute and dangling symlinks, hardlinks (within a
# directory, across directories and to a large file), empty files and directories, a deep directory tree, a few
# modes (0755, 0600, setuid, sticky).
make_tree() {
    local t=$1 i size lines files
    umask 022
    mkdir -p "$t"/usr/{bin,lib/big,share/{small,medium,hard},links} "$t"/etc "$t"/tmp "$t"/var/lib/deep "$t"/root
    for i in $(seq 1 "$BIG_FILES"); do
        rnd $((100 + i)) $((BIG_MB << 20)) >"$t/usr/lib/big/blob-$i.bin"
    done
    ln "$t/usr/lib/big/blob-1.bin" "$t/usr/lib/big/blob-1.hardlink"
    for i in $(seq 0 $((MEDIUM_GROUPS - 1))); do
        size=$(((32 + 48 * i) << 10))
        lines=$(((size * MEDIUM_PER + 48) / 49)) # od -An -tx1 -v: 49 characters a line for 16 bytes
        mkdir "$t/usr/share/medium/g$i"
        rnd $((200 + i)) $((lines * 16)) | od -An -tx1 -v | (cd "$t/usr/share/medium/g$i" && split -b "$size" -a 2 -d - part-)
    done
    for i in $(seq 0 $((SMALL_DIRS - 1))); do
        size=$((64 + (i * 397) % 6000))
        files=$((size * SMALL_PER))
        mkdir "$t/usr/share/small/d$(printf %02d "$i")"
        rnd $((1000 + i)) $((files * 57 / 77 + 57)) | base64 -w 76 | head -c "$files" \
            | (cd "$t/usr/share/small/d$(printf %02d "$i")" && split -b "$size" -a 3 -d - f)
    done
    chmod 0755 "$t"/usr/share/small/d01/*
    chmod 0600 "$t"/usr/share/small/d02/*
    for i in 00 01 02 03; do
        mkdir "$t/usr/links/d$i"
        (cd "$t/usr/links/d$i" && ln -s ../../share/small/d$i/* .)
    done
    cp -al "$t"/usr/share/small/d0{1,2,3} "$t/usr/share/hard/"
    cp "$t/usr/share/small/d00/f000" "$t/usr/bin/tool"
    chmod 4755 "$t/usr/bin/tool"
    ln -s /usr/lib/big/blob-1.bin "$t/usr/lib/libabsolute.so"
    ln -s ../lib/missing "$t/usr/bin/dangling"
    ln -s share/small "$t/usr/small"
    chmod 1777 "$t/tmp"
    chmod 0700 "$t/root"
    mkdir -p "$t"/var/lib/deep/{a,b,c,d,e,f,g,h}/{0,1,2,3,4,5,6,7}/{x,y}
    touch "$t"/var/lib/deep/{a,b,c,d,e,f,g,h}/{0,1,2,3,4,5,6,7}/x/.keep
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$t/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$t/etc/group"
}

# make_layout DIR LAYER_GZ DIFFID: an OCI image layout of one image (tag $TAG) holding the layer, as
# scripts/make-busybox-image.sh writes one.
make_layout() {
    local out=$1 gz=$2 diffid=$3 layer layer_size config config_size manifest manifest_size
    mkdir -p "$out/blobs/sha256"
    layer=$(sha256sum "$gz" | cut -d' ' -f1)
    layer_size=$(stat -c %s "$gz")
    cp "$gz" "$out/blobs/sha256/$layer"
    printf '{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z","config":{"Env":["PATH=/usr/bin:/bin"],"Cmd":["/usr/bin/tool"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"2026-01-01T00:00:00Z","created_by":"bench/unpack.sh"}]}' \
        "$diffid" >"$out/config.json"
    config=$(sha256sum "$out/config.json" | cut -d' ' -f1)
    config_size=$(stat -c %s "$out/config.json")
    mv "$out/config.json" "$out/blobs/sha256/$config"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"%s","digest":"sha256:%s","size":%s}]}' \
        "$config" "$config_size" "$GZIP_LAYER" "$layer" "$layer_size" >"$out/manifest.json"
    manifest=$(sha256sum "$out/manifest.json" | cut -d' ' -f1)
    manifest_size=$(stat -c %s "$out/manifest.json")
    mv "$out/manifest.json" "$out/blobs/sha256/$manifest"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
        "$manifest" "$manifest_size" "$TAG" >"$out/index.json"
}

# tree_digest DIR: one line that changes with any name, type, mode, owner, size, link target, link count, mtime of a
# non-directory, or file content under DIR (directories' mtimes are left out: tar sets them, and so does Carton, but
# the digest is also taken of trees whose directories were touched afterwards).
tree_digest() {
    (
        cd "$1"
        find . -mindepth 1 \( -type d -printf '%p d %m %U:%G\n' \) -o \( -printf '%p %y %m %U:%G %s %n %T@ %l\n' \) | LC_ALL=C sort
        find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    ) | sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites, the work directory, the layer, the layout, the store
# ---------------------------------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "must run as root (tar, umoci and carton write root-owned trees)"
[ -x "$CARTON_BIN/carton" ] && [ -x "$CARTON_BIN/carton-image" ] \
    || die "$CARTON_BIN/carton or carton-image not found: build them first with ./scripts/build.sh, or set CARTON_BIN"
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v umoci >/dev/null || missing+=(umoci)
command -v jq >/dev/null || missing+=(jq)
command -v openssl >/dev/null || missing+=(openssl)
if [ "$LOOP" = 1 ]; then command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs); fi
if [ "$PROFILE" = 1 ]; then command -v strace >/dev/null || missing+=(strace); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$PROFILE" = 1 ]; then command -v dotnet >/dev/null || die "dotnet not found (needed for the profile; PROFILE=0 skips it)"; fi

mkdir -p "$results"
work=$(mktemp -d /tmp/carton-bench-unpack.XXXXXX)
loopdev=
cleanup() {
    if mountpoint -q "$work/mnt" 2>/dev/null; then umount "$work/mnt" || umount -l "$work/mnt"; fi
    if [ -n "$loopdev" ]; then losetup -d "$loopdev" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The file system every input and output lives on. By default a fresh ext4 (mkfs defaults: journaled; inode tables
# and journal initialised now, so no ext4lazyinit writes in the background) on a loop device with direct I/O, backed
# by a sparse file in $work: the same state for every run, and `sync -f` flushes nothing of other work on the
# machine. Why not the work directory's own file system: on a host whose ext4 has no journal (this VM's root), ext4
# will not reuse an inode freed in the last minute or so and scans past every one of them on each create
# (recently_deleted() in find_inode_bit), so an unpack right after the previous iteration's `rm -rf` pays 5 to 10
# times the system time, varying with the timing; a journaled ext4 does not do that. LOOP=0 uses $work as it is.
if [ "$LOOP" = 1 ]; then
    truncate -s "$FS_SIZE" "$work/fs.img"
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$work/fs.img"
    loopdev=$(losetup --find --show --direct-io=on "$work/fs.img") || die "no loop device (LOOP=0 runs on $work's file system)"
    mkdir "$work/mnt"
    mount "$loopdev" "$work/mnt"
    data=$work/mnt
else
    mkdir "$work/data"
    data=$work/data
fi

# Private copies of the binaries: a rebuild while the benchmark runs must not change what is measured. carton execs
# carton-image from its own directory.
mkdir "$work/bin"
cp "$CARTON_BIN/carton" "$CARTON_BIN/carton-image" "$CARTON_BIN/carton-dmz" "$work/bin/"
[ -f "$CARTON_BIN/libcarton_native.so" ] && cp "$CARTON_BIN/libcarton_native.so" "$work/bin/"
carton="$work/bin/carton"

tool=
if [ "$PROFILE" = 1 ]; then
    echo "== publishing bench/unpack-tool (NativeAOT, into bench/results/unpack-tool)"
    dotnet publish "$here/unpack-tool/UnpackTool.csproj" -c Release -o "$results/unpack-tool/bin" \
        --artifacts-path "$results/unpack-tool/build" -p:DebugType=none -nologo -clp:ErrorsOnly >"$work/publish.log" 2>&1 \
        || { cat "$work/publish.log" >&2; die "publishing bench/unpack-tool failed"; }
    cp "$results/unpack-tool/bin/unpack-tool" "$work/bin/unpack-tool"
    tool=$work/bin/unpack-tool
fi

echo "== building the layer ($([ "$SMOKE" = 1 ] && echo smoke || echo full) size)"
make_tree "$data/tree"
# Every time fixed (tar --mtime does the same in the archive): the tree is then exactly what an unpack must give.
find "$data/tree" -exec touch -h -d 2026-01-01T00:00:00Z {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01T00:00:00Z -C "$data/tree" -cf "$data/layer.tar" .
diffid=sha256:$(sha256sum "$data/layer.tar" | cut -d' ' -f1)
gzip -n -6 -c "$data/layer.tar" >"$data/layer.tar.gz"
make_layout "$data/layout" "$data/layer.tar.gz" "$diffid"
blob=$data/layout/blobs/sha256/$(sha256sum "$data/layer.tar.gz" | cut -d' ' -f1)
rm -f "$data/layer.tar.gz"
tar_bytes=$(stat -c %s "$data/layer.tar")
gz_bytes=$(stat -c %s "$blob")
entries=$(tar -tf "$data/layer.tar" | wc -l)
counts=$(cd "$data/tree" && printf '%s files (%s with a link count > 1), %s directories, %s symlinks' \
    "$(find . -type f | wc -l)" "$(find . -type f -links +1 | wc -l)" "$(find . -type d | wc -l)" "$(find . -type l | wc -l)")
expected=$(tree_digest "$data/tree")
rm -rf "$data/tree"
if [ "$SMOKE" != 1 ] && [ "$gz_bytes" -lt 50000000 ]; then die "the layer is $gz_bytes bytes compressed, less than 50 MB"; fi

"$carton" image --image-root "$data/store" import "$data/layout" >/dev/null || die "carton image import of the layout failed"
store_blob=$data/store/blobs/sha256/${blob##*/}
[ -f "$store_blob" ] || die "carton's store holds no $store_blob"

# Sanity, before anything is timed: each way gives the same tree (the layer's), so they all do the same work.
out=$data/out
mkdir "$out"
check() {
    local what=$1 dir=$2 got
    got=$(tree_digest "$dir")
    [ "$got" = "$expected" ] || die "$what: the unpacked tree differs from the layer's ($got, expected $expected)"
    echo "   $what: same tree as the layer ($got)"
}
echo "== sanity: every unpack gives the layer's tree"
# (cmd || die; check: a failure in the middle of an && list would not stop a set -e script)
mkdir "$out/tar"
tar -xzf "$blob" -C "$out/tar" || die "tar -xzf failed"
check "tar -xzf" "$out/tar"
"$carton" image --image-root "$data/store" unpack "$REF" "$out/carton" >/dev/null || die "carton image unpack failed"
check "carton image unpack" "$out/carton/rootfs"
umoci unpack --image "$data/layout:$TAG" "$out/umoci" >/dev/null 2>&1 || die "umoci unpack failed"
check "umoci unpack" "$out/umoci/rootfs"
if [ -n "$tool" ]; then
    "$tool" snapshot "$store_blob" "$diffid" "$out/snap" >/dev/null || die "unpack-tool snapshot failed"
    check "carton snapshot (unpack-tool)" "$out/snap/${diffid/:/-}/fs"
    "$tool" unpack "$store_blob" "$out/nosync" --no-sync >/dev/null || die "unpack-tool unpack failed"
    check "carton unpack, no syncfs (unpack-tool)" "$out/nosync"
fi
echo "   umoci's bundle also holds: $(cd "$out/umoci" && ls | grep -v '^rootfs$' | tr '\n' ' ')"
rm -rf "${out:?}"/*

{
    echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "kernel:    $(uname -srm)"
    echo "cpu:       $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
    echo "memory:    $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    echo "os:        $(. /etc/os-release && echo "$PRETTY_NAME")"
    if [ "$LOOP" = 1 ]; then
        echo "target fs: ext4 (mkfs.ext4 defaults, journaled), $FS_SIZE on $loopdev (direct I/O: $(cat /sys/block/${loopdev#/dev/}/loop/dio 2>/dev/null || echo '?')), backed by a file on $(findmnt -n -o FSTYPE,SOURCE --target "$work" | tr -s ' ')"
    else
        echo "target fs: $(findmnt -n -o FSTYPE,SOURCE,OPTIONS --target "$work" | tr -s ' ') (LOOP=0)"
    fi
    echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
    echo "carton:    $("$carton" --version), carton-image $("$work/bin/carton-image" --version) (sha256 $(sha256sum "$work/bin/carton-image" | cut -c1-12), from $CARTON_BIN)"
    [ -n "$tool" ] && echo "unpack-tool: published from this tree (repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$repo" diff --quiet HEAD -- src bench/unpack-tool 2>/dev/null || echo ', uncommitted changes'))"
    echo "tar:       $(tar --version | head -1); gzip: $(gzip --version | head -1)"
    echo "umoci:     $(umoci --version)"
    echo "hyperfine: $(hyperfine --version)"
    echo "layer:     $gz_bytes bytes gzip (-6 -n), $tar_bytes bytes tar, $entries entries: $counts"
    echo "           blob sha256:${blob##*/}"
    echo "           diffid $diffid"
    echo "runs:      $RUNS (warmup 1)$([ "$SMOKE" = 1 ] && echo ', SMOKE')"
} | tee "$results/$name-environment.txt"

# ---------------------------------------------------------------------------------------------------------------
# The comparison: one hyperfine invocation
# ---------------------------------------------------------------------------------------------------------------
# Each command writes a fresh directory under $out; its --prepare (not timed) removes the previous one and syncs the
# file system. Commands run through hyperfine's shell (its start is measured and subtracted).
#   carton image unpack  the CLI: reads the store's index, manifest and config, decompresses the store's blob (.NET's
#                        GZipStream), unpacks it into DIR/rootfs (the DiffID checked), one syncfs, writes config.json
#   tar -xzf             GNU tar, gzip in a second process (tar -z runs `gzip -d` through a pipe), no sync
#   tar -xzf + sync      the same, then `sync -f DIR` (syncfs of the file system: what carton's one syncfs costs)
#   umoci unpack         reads the layout, verifies the blob's digest and the DiffID, unpacks into DIR/rootfs, writes
#                        config.json, umoci.json and an mtree manifest of the rootfs (sha256 of every file); no
#                        fsync or syncfs at all (strace shows none)
#   carton snapshot      (PROFILE=1) the same layer through Snapshotter.Ensure, as an image's first `run` unpacks it
#   carton unpack, no syncfs  (PROFILE=1) LayerStream.Open + LayerUnpacker.Unpack into a new directory, Sync off:
#                        what `tar -xzf` does (plus the DiffID hash), in one process
sync_work="sync -f $data"
args=(
    --prepare "rm -rf $out/carton; $sync_work" -n "carton image unpack"
        "$carton image --image-root $data/store unpack $REF $out/carton"
    --prepare "rm -rf $out/tar; mkdir $out/tar; $sync_work" -n "tar -xzf"
        "tar -xzf $blob -C $out/tar"
    --prepare "rm -rf $out/tars; mkdir $out/tars; $sync_work" -n "tar -xzf + sync"
        "tar -xzf $blob -C $out/tars && sync -f $out/tars"
    --prepare "rm -rf $out/umoci; $sync_work" -n "umoci unpack"
        "umoci unpack --image $data/layout:$TAG $out/umoci"
)
if [ -n "$tool" ]; then
    args+=(--prepare "rm -rf $out/snap; $sync_work" -n "carton snapshot (unpack-tool)"
        "$tool snapshot $store_blob $diffid $out/snap")
    args+=(--prepare "rm -rf $out/nosync; $sync_work" -n "carton unpack, no syncfs (unpack-tool)"
        "$tool unpack $store_blob $out/nosync --no-sync")
fi
# How busy the machine was meanwhile (all CPUs, this benchmark included): tar -xzf runs gzip in a second process,
# which gains nothing when no second CPU is free.
cpu_sample() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
echo "== the comparison (warmup 1, runs $RUNS)"
before=$(cpu_sample)
hyperfine --style basic --warmup 1 --runs "$RUNS" \
    --export-json "$results/$name.json" --export-markdown "$results/$name.md" "${args[@]}" </dev/null
after=$(cpu_sample)
cpu_busy=$(echo "$before $after" | awk '{ printf "%.0f", 100 * (1 - ($4 - $2) / ($3 - $1)) }')
echo "   the machine's CPUs were $cpu_busy % busy during the comparison ($(nproc) CPUs, this benchmark included)"
rm -rf "${out:?}"/*

# ---------------------------------------------------------------------------------------------------------------
# The profile (PROFILE=1): where Carton's time goes
# ---------------------------------------------------------------------------------------------------------------
# Each part of Carton's unpack alone (every unpack-tool row includes its process start: the first row), next to
# GNU gzip and tar doing the same part; the unpack on the uncompressed tar (no decompression), with and without the
# syncfs; and an experiment: --readahead decompresses on a second thread (bench/unpack-tool/ReadAheadStream.cs), which
# is what tar -xzf gets from its gzip child.
if [ -n "$tool" ]; then
    tarfile=$data/layer.tar
    p=(
        -n "unpack-tool start (process start only)" "$tool start"
        -n "carton image inspect (the CLI's fixed part)" "$carton image --image-root $data/store inspect $REF >/dev/null"
        -n "gzip -dc > /dev/null" "gzip -dc $blob >/dev/null"
        -n "unpack-tool gunzip (.NET GZipStream)" "$tool gunzip $store_blob"
        -n "sha256sum of the tar" "sha256sum $tarfile"
        -n "unpack-tool sha256 of the tar (.NET)" "$tool sha256 $tarfile"
        -n "unpack-tool read-tar (TarReader, nothing written)" "$tool read-tar $tarfile"
    )
    prep=()
    for i in "${!p[@]}"; do [ "${p[$i]}" = -n ] && prep+=(--prepare true); done
    p+=(
        -n "tar -xf (uncompressed)" "tar -xf $tarfile -C $out/t"
        -n "unpack-tool unpack-tar --no-sync" "$tool unpack-tar $tarfile $out/u --no-sync"
        -n "unpack-tool unpack-tar" "$tool unpack-tar $tarfile $out/us"
        -n "unpack-tool unpack --no-sync (gzip)" "$tool unpack $store_blob $out/g --no-sync"
        -n "unpack-tool unpack (gzip)" "$tool unpack $store_blob $out/gs"
        -n "unpack-tool unpack --no-sync --readahead (gzip)" "$tool unpack $store_blob $out/ra --no-sync --readahead"
        -n "unpack-tool unpack --readahead (gzip)" "$tool unpack $store_blob $out/ras --readahead"
    )
    prep+=(--prepare "rm -rf $out/t; mkdir $out/t; $sync_work" --prepare "rm -rf $out/u; $sync_work"
        --prepare "rm -rf $out/us; $sync_work" --prepare "rm -rf $out/g; $sync_work" --prepare "rm -rf $out/gs; $sync_work"
        --prepare "rm -rf $out/ra; $sync_work" --prepare "rm -rf $out/ras; $sync_work")
    # hyperfine pairs the i-th --prepare with the i-th command.
    echo "== the profile (warmup 1, runs $RUNS)"
    hyperfine --style basic --warmup 1 --runs "$RUNS" \
        --export-json "$results/$name-profile.json" --export-markdown "$results/$name-profile.md" \
        "${prep[@]}" "${p[@]}" </dev/null

    echo "== syscall counts (strace -f -c, one run each, not timed)"
    {
        for what in carton tar; do
            rm -rf "${out:?}"/*; sync -f "$data"
            if [ $what = carton ]; then
                echo "### carton image unpack"
                strace -f -c -o "$work/strace.txt" "$carton" image --image-root "$data/store" unpack "$REF" "$out/c" >/dev/null
            else
                echo "### tar -xzf (tar and its gzip child)"
                mkdir "$out/t"
                strace -f -c -o "$work/strace.txt" tar -xzf "$blob" -C "$out/t"
            fi
            cat "$work/strace.txt"
            echo
        done
    } >"$results/$name-strace.txt"
    rm -rf "${out:?}"/*
    sed -n '1,200p' "$results/$name-strace.txt" | grep -E '^###|total' || true
fi

# ---------------------------------------------------------------------------------------------------------------
# Cleanup, the leftover check, the summary
# ---------------------------------------------------------------------------------------------------------------
trap - EXIT
cleanup
bad=0
if [ -e "$work" ]; then echo "LEFTOVER: $work still exists" >&2; bad=1; fi
if grep -q "$work" /proc/self/mountinfo; then echo "LEFTOVER: a mount under $work:" >&2; grep "$work" /proc/self/mountinfo >&2; bad=1; fi
# losetup -d returns before the device is gone from the list: give it up to two seconds.
for _ in $(seq 20); do losetup -a | grep -q "$work" || break; sleep 0.1; done
if losetup -a | grep -q "$work"; then echo "LEFTOVER: a loop device on $work:" >&2; losetup -a | grep "$work" >&2; bad=1; fi
[ $bad = 0 ] || die "the benchmark left something behind (see above)"
echo "no leftovers: $work removed, no mount under it, no loop device on it"

summary() {
    # mean ± σ of each command, and each one's ratio to tar -xzf, tar -xzf + sync and umoci (σ propagated from both
    # relative errors).
    jq -r --arg a "$1" '
        def fmt(x): (x * 1000 | round | tostring);
        def f2: (. * 100 | round) as $n | ($n / 100 | floor | tostring) + "." + ($n % 100 | tostring | if length < 2 then "0" + . else . end);
        def r(a; b): (a.mean / b.mean) as $q
            | ($q * ((((a.stddev // 0) / a.mean) | . * .) + (((b.stddev // 0) / b.mean) | . * .) | sqrt)) as $s
            | ($q | f2) + " ± " + ($s | f2);
        (.results | map({(.command): .}) | add) as $m
        | .results[]
        | "  \(.command | . + " " * ([50 - length, 0] | max)) \(fmt(.mean)) ± \(fmt(.stddev // 0)) ms (min \(fmt(.min)))"
          + (if $a == "comparison" then
                "   /tar \(r(.; $m["tar -xzf"]))   /tar+sync \(r(.; $m["tar -xzf + sync"]))   /umoci \(r(.; $m["umoci unpack"]))"
             else "" end)
    ' "$2"
}
{
    cat "$results/$name-environment.txt"
    echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end"
    echo "busy:      $cpu_busy % of the $(nproc) CPUs during the comparison (all processes, this benchmark's included)"
    echo
    echo "comparison (one hyperfine invocation; mean ± σ, ratios of the means)"
    summary comparison "$results/$name.json"
    if [ -n "$tool" ]; then
        echo
        echo "profile (one hyperfine invocation; mean ± σ)"
        summary profile "$results/$name-profile.json"
    fi
} | tee "$results/$name-summary.txt"
