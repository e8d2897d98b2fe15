#!/bin/sh
# The whole test suite: unit tests, native helper tests, and integration tests that run containers as root
# through the published NativeAOT carton binary (differential tests compare with runc).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "scripts/test.sh: the integration tests run containers and need root" >&2; exit 1; fi
./scripts/install-deps.sh
./scripts/build.sh
dotnet test Carton.slnx -c Release --logger "console;verbosity=normal" "$@"
