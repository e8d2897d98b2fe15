#!/bin/sh
# Builds carton and runs a container from a busybox bundle made with `carton spec`.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
bundle=${BUNDLE:-/tmp/carton-demo}
rm -rf "$bundle" && mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp" "$bundle/rootfs/etc"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in $("$bundle/rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
done
echo "root:x:0:0:root:/root:/bin/sh" > "$bundle/rootfs/etc/passwd"
echo "root:x:0:" > "$bundle/rootfs/etc/group"
cd "$bundle"
"$OLDPWD/artifacts/bin/carton" spec
# A non-interactive command instead of the default interactive shell on a terminal.
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sh", "-c", "echo hello from $(hostname), I am $(id -un) with pid $$; exit 7"/' config.json
set +e
"$OLDPWD/artifacts/bin/carton" --root /run/carton-demo run "demo-$$"
code=$?
echo "carton run exited with $code (the command's exit status)"
