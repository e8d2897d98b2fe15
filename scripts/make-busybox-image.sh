#!/bin/sh
# Writes an OCI image layout of a busybox image, built from this machine's busybox-static (no registry needed):
#   scripts/make-busybox-image.sh DIR [TAG]
# DIR gets oci-layout, index.json (naming the image TAG, default busybox:latest) and blobs/sha256/: one gzip layer
# (/bin/busybox, its applets as symlinks, /etc/passwd and /etc/group with root and nobody), the config (Cmd ["sh"],
# PATH), the manifest. `carton image import DIR` reads it, as do skopeo and umoci. The tests shape the config with
# IMAGE_CMD (a JSON array, default ["sh"]), IMAGE_ENV (JSON strings after PATH, e.g. "A=1","B=2") and IMAGE_USER.
set -eu
out=${1:?usage: make-busybox-image.sh DIR [TAG]}
tag=${2:-busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}
ldd "$busybox" 2>&1 | grep -q "not a dynamic" || { echo "$busybox is not static: apt-get install busybox-static" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/home" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
# A reproducible layer: sorted names, fixed owner and time.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=2026-01-01T00:00:00Z -C "$root" -cf "$work/layer.tar" .
diffid=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -c "$work/layer.tar" > "$work/layer.tar.gz"
layer=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"%s],"Cmd":%s,"WorkingDir":"/","User":"%s"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"2026-01-01T00:00:00Z","created_by":"scripts/make-busybox-image.sh"}]}' "${IMAGE_ENV:+,$IMAGE_ENV}" "${IMAGE_CMD:-[\"sh\"]}" "${IMAGE_USER:-}" "$diffid" > "$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest.json")
mkdir -p "$out/blobs/sha256"
cp "$work/layer.tar.gz" "$out/blobs/sha256/$layer"
cp "$work/config.json" "$out/blobs/sha256/$config"
cp "$work/manifest.json" "$out/blobs/sha256/$manifest"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' "$manifest" "$manifest_size" "$tag" > "$out/index.json"
echo "$out: $tag sha256:$manifest"
