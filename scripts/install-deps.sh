#!/bin/sh
# Installs what a fresh Debian 12 machine with the .NET 10 SDK lacks for building and testing carton:
# busybox-static (the test rootfs), runc (the reference runtime of the differential tests), and the engines the
# end-to-end tests start (tests/Carton.EngineTests): containerd, dockerd (docker.io), podman with conmon, and ip(8)
# for their network namespaces; the registry and tools of the image tests. The tests start and stop each engine themselves; no service is enabled here.
set -eu
need=""
[ -x /bin/busybox ] && ldd /bin/busybox 2>&1 | grep -q "not a dynamic" || need="$need busybox-static"
command -v runc >/dev/null 2>&1 || need="$need runc"
command -v gcc >/dev/null 2>&1 || need="$need gcc"
# carton-dmz, the container init that runs the setup plan, is a static musl executable (issue 14).
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
command -v newuidmap >/dev/null 2>&1 || need="$need uidmap"
command -v containerd >/dev/null 2>&1 || need="$need containerd"
[ -x /usr/sbin/dockerd ] && [ -x /usr/bin/docker ] || need="$need docker.io"
command -v podman >/dev/null 2>&1 || need="$need podman"
command -v conmon >/dev/null 2>&1 || need="$need conmon"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
command -v script >/dev/null 2>&1 || need="$need bsdutils"
# The image tests: a real registry (distribution) with TLS from a test CA and htpasswd basic auth, and the peers of
# the differential tests and benchmarks (skopeo, umoci).
[ -x /usr/bin/docker-registry ] || need="$need docker-registry"
command -v htpasswd >/dev/null 2>&1 || need="$need apache2-utils"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v skopeo >/dev/null 2>&1 || need="$need skopeo"
command -v umoci >/dev/null 2>&1 || need="$need umoci"
command -v zstd >/dev/null 2>&1 || need="$need zstd"
# Networks (issue 12): the real CNI plugins (bridge, host-local, loopback, portmap, firewall, tuning), iptables for
# portmap's and firewall's rules, and nsenter (util-linux) to run the daemon inside a test's network namespace.
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/portmap ] || need="$need containernetworking-plugins"
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need="$need iptables"
command -v nsenter >/dev/null 2>&1 || need="$need util-linux"
# The benchmarks' CI smoke (scripts/bench-smoke.sh): hyperfine, the peer runtime crun, and strace (carton-breakdown).
command -v hyperfine >/dev/null 2>&1 || need="$need hyperfine"
[ -x /usr/bin/time ] || need="$need time"  # GNU time: peak RSS in bench/start-time.sh
command -v crun >/dev/null 2>&1 || need="$need crun"
command -v strace >/dev/null 2>&1 || need="$need strace"
# The Docker API tests (issue 13) fetch a published port with wget inside their namespace (the host's static busybox
# wget is not used there); the benchmarks' summaries are computed with python3.
[ -x /usr/bin/wget ] || need="$need wget"
command -v python3 >/dev/null 2>&1 || need="$need python3"
# docker-py as a real client of the Docker API (issue 17: scripts/docker-py-check.py, DockerPyTests): Debian's
# python3-docker, for /usr/bin/python3 (not a pyenv python that may come first on PATH).
/usr/bin/python3 -c "import docker" >/dev/null 2>&1 || need="$need python3-docker"
# scripts/leak-cycles.sh waits on the daemon's long poll (GET /v1/systems/ID/wait) with curl.
command -v curl >/dev/null 2>&1 || need="$need curl"
if [ -n "$need" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # policy-rc.d: a package's postinst must not start its daemon (dockerd, containerd) on the host's default state.
    # (A policy the host already has is left as it is.)
    ours=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && ours=1
    fi
    # shellcheck disable=SC2086
    apt-get install -y -qq $need >/dev/null || status=$?
    [ -n "$ours" ] && rm -f /usr/sbin/policy-rc.d
    [ "${status:-0}" = 0 ] || exit "$status"
fi
