#!/bin/sh
# The whole test suite: unit tests, native helper tests, and integration tests that run containers as root
# through the published NativeAOT carton binary (differential tests compare with runc).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "scripts/test.sh: the integration tests run containers and need root" >&2; exit 1; fi
./scripts/install-deps.sh
./scripts/build.sh
# One test assembly at a time (-m:1 after the build): the integration tests check the whole host for leaked mounts,
# cgroups and processes, which the compute and engine tests would otherwise make while they check.
dotnet build Carton.slnx -c Release -nologo -clp:ErrorsOnly
# The Docker API tests are in the solution too: tests/Carton.Docker.Tests (docker CLIs, raw HTTP) and
# tests/Carton.Docker.Testcontainers.Tests, which runs itself again as a nested `dotnet test` inside a network
# namespace of its own (nsenter --net), where its registry, daemon and Testcontainers' connections live.
dotnet test Carton.slnx -c Release --no-build -m:1 --logger "console;verbosity=normal" "$@"
# then a short run of every benchmark, so that none of them rots (after the tests: they check the host for leaks)
./scripts/bench-smoke.sh
# Issue 18: the Windows build of carton-serve and carton-system (win-x64, JIT), from Linux; last, so that its
# win-x64 restore touches nothing the tests and benchmarks above use
./scripts/build-windows.sh
