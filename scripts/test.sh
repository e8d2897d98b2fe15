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
# The output is kept too: when a test fails, its name and message are printed again at the very end, so that the
# last lines of a CI log (often all one gets to see) say what failed, not only that the last assembly passed.
log=$(mktemp /tmp/carton-test-log.XXXXXX)
status=0
{ dotnet test Carton.slnx -c Release --no-build -m:1 --logger "console;verbosity=normal" "$@" || echo "$?" > "$log.status"; } 2>&1 | tee "$log"
[ -f "$log.status" ] && status=$(cat "$log.status")
if [ "$status" != 0 ]; then
    echo "== scripts/test.sh: dotnet test failed (exit $status); what failed, from its output:"
    # a failed test's line and the message and stack lines under it; an aborted or crashed test host; each
    # assembly's summary line
    grep -E -A25 '^[[:space:]]+Failed [A-Za-z_]' "$log" | head -400
    grep -E -B2 -A10 'Test Run Aborted|test host process crashed|Test host process exited|The active test run was aborted' "$log" | head -120
    grep -E '^(Failed!|Passed!)|Total tests:|Failed: ' "$log"
    rm -f "$log" "$log.status"
    exit "$status"
fi
rm -f "$log"
# then a short run of every benchmark, so that none of them rots (after the tests: they check the host for leaks)
./scripts/bench-smoke.sh
# Issue 18: the Windows build of carton-serve and carton-system (win-x64, JIT), from Linux; last, so that its
# win-x64 restore touches nothing the tests and benchmarks above use
./scripts/build-windows.sh
