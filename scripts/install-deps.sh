#!/bin/sh
# Installs what a fresh Debian 12 machine with the .NET 10 SDK lacks for building and testing carton:
# busybox-static (the test rootfs), runc (the reference runtime of the differential tests), strace-free.
set -eu
need=""
[ -x /bin/busybox ] && ldd /bin/busybox 2>&1 | grep -q "not a dynamic" || need="$need busybox-static"
command -v runc >/dev/null 2>&1 || need="$need runc"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
command -v newuidmap >/dev/null 2>&1 || need="$need uidmap"
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $need >/dev/null
fi
