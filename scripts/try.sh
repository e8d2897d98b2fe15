#!/bin/sh
# Builds carton and runs a container from an image: a busybox image built here from busybox-static (no registry is
# needed) is imported into an image store, unpacked into a bundle, and run.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
bin="$PWD/artifacts/bin"
work=${TRY_DIR:-/tmp/carton-try}
rm -rf "$work" && mkdir -p "$work"
./scripts/make-busybox-image.sh "$work/layout" busybox:latest
"$bin/carton" image --image-root "$work/store" import "$work/layout"
"$bin/carton" image --image-root "$work/store" unpack busybox "$work/bundle"
# A non-interactive command instead of the image's interactive shell.
sed -i 's/^      "sh"$/      "sh", "-c", "echo hello from $(hostname), I am $(id -un) with pid $$; exit 7"/' "$work/bundle/config.json"
set +e
"$bin/carton" --root /run/carton-try run --bundle "$work/bundle" "try-$$"
code=$?
echo "carton run exited with $code (the command's exit status)"
