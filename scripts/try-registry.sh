#!/usr/bin/env bash
# A new user's round trip through Carton's image store against a registry of their own (issue 16, "Tried as a new
# user would"): Debian's docker-registry on 127.0.0.1 with TLS (a CA made here) and basic auth, then
#   login → import a busybox image → tag it for the registry → push → pull into a second, empty store → check both
#   stores → remove the names and prune → check again → logout.
# Every command is printed before it runs, so the output reads as a transcript. Uses the binaries in artifacts/bin
# (./scripts/build.sh); leaves nothing behind (the registry is stopped, the work directory removed, and the login
# goes to a DOCKER_CONFIG of its own, not ~/.docker).
#
#   ./scripts/try-registry.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/artifacts/bin
for tool in docker-registry openssl htpasswd; do command -v "$tool" >/dev/null || { echo "try-registry.sh: $tool is missing: ./scripts/install-deps.sh" >&2; exit 1; }; done
[ -x "$bin/carton-image" ] || { echo "try-registry.sh: $bin/carton-image is missing: ./scripts/build.sh" >&2; exit 1; }

work=$(mktemp -d /tmp/carton-try-registry.XXXXXX)
registry_pid=
cleanup() {
    local rc=$? # the script's status, not the killed registry's (143)
    if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
export DOCKER_CONFIG=$work/docker-config

# The registry: a CA, a server certificate for 127.0.0.1, a user, a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=try CA" -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 1 \
    -extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
htpasswd -Bbn tryuser trypass > "$work/htpasswd"
cat > "$work/registry.yml" <<EOF
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/registry }, delete: { enabled: true } }
http: { addr: $host, tls: { certificate: $work/server.crt, key: $work/server.key } }
auth: { htpasswd: { realm: try, path: $work/htpasswd } }
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s --cacert "$work/ca.crt" -o /dev/null "https://$host/v2/" && break; sleep 0.05; done
# Carton reads CAs from docker's certs.d layout: <cert-dir>/HOST:PORT/ca.crt
mkdir -p "$work/certs.d/$host" && cp "$work/ca.crt" "$work/certs.d/$host/ca.crt"

say() { printf '\n$ %s\n' "$*"; "$@"; }
img() { "$bin/carton-image" "$@"; }
one=$work/store-one
two=$work/store-two
./scripts/make-busybox-image.sh "$work/layout" busybox:latest >/dev/null

say img login --cert-dir "$work/certs.d" -u tryuser --password-stdin "$host" <<<"trypass"
say img --image-root "$one" import "$work/layout"
say img --image-root "$one" tag busybox "$host/try/busybox:1"
say img --image-root "$one" push --cert-dir "$work/certs.d" "$host/try/busybox:1"
say img --image-root "$two" pull --cert-dir "$work/certs.d" "$host/try/busybox:1"
say img --image-root "$two" ls
[ "$(img --image-root "$one" inspect "$host/try/busybox:1" | jq -r .digest)" = "$(img --image-root "$two" inspect "$host/try/busybox:1" | jq -r .digest)" ] \
    || { echo "try-registry.sh: the pulled image's digest differs from the pushed one" >&2; exit 1; }
say img --image-root "$one" check
say img --image-root "$two" check
say img --image-root "$two" rm "$host/try/busybox:1"
say img --image-root "$two" prune
say img --image-root "$two" check
say img logout "$host"
echo
echo "try-registry.sh: login, push, pull into a second store, check, prune and logout all worked against $host"
