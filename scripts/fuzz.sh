#!/usr/bin/env bash
# Issue 15 §2's fuzz campaign: every target of tests/Carton.Fuzz.Tests (config.json, seccomp, HCS documents, the
# compute daemon's request bodies, image manifests and configs, layer tars, CNI conflists and plugin results, the
# Docker API's bodies) run one after the other with FUZZ_INPUTS inputs each (half structure-aware, half byte
# mutations of tests/Carton.Fuzz.Tests/Corpus/<target>), each input under a FUZZ_TIMEOUT_MS watchdog. Prints each
# target's inputs, inputs/s and findings; a finding's smallest input is written under $FUZZ_FINDINGS. Exits 1 if
# any target found anything (an exception other than its typed validation error, or a hang).
#
#   nice ./scripts/fuzz.sh                              # the campaign: 10^6 inputs per target
#   FUZZ_INPUTS=20000 TARGETS="OciConfig Seccomp" ./scripts/fuzz.sh   # some targets, fewer inputs
#
# The CI smoke is not here: the solution's `dotnet test` runs every target with its small default (1500 inputs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export FUZZ_INPUTS=${FUZZ_INPUTS:-1000000}
export FUZZ_TIMEOUT_MS=${FUZZ_TIMEOUT_MS:-2000}
export FUZZ_FINDINGS=${FUZZ_FINDINGS:-/tmp/carton-fuzz-findings}
TARGETS=${TARGETS:-"OciConfig Seccomp HcsDocument ComputeRequest ImageManifest ImageConfig LayerTar CniConfList CniResult DockerContainerCreate DockerExecCreate DockerNetworkCreate"}
project=$here/../tests/Carton.Fuzz.Tests
report=$(mktemp /tmp/carton-fuzz-report.XXXXXX)
trap 'rm -f "$report"' EXIT
export FUZZ_REPORT=$report
mkdir -p "$FUZZ_FINDINGS"
[ "${FUZZ_BUILD:-1}" = 0 ] || dotnet build "$project" -c Release >/dev/null   # FUZZ_BUILD=0: test what is built
status=0
for t in $TARGETS; do
    before=$(wc -l <"$report")
    dotnet test "$project" -c Release --no-build --filter "FullyQualifiedName=Carton.Fuzz.Tests.Targets.${t}Fuzz.Fuzz" >/dev/null 2>&1 || status=1
    if [ "$(wc -l <"$report")" = "$before" ]; then
        echo "fuzz ${t}: no report (the test host crashed or hung: see $FUZZ_FINDINGS)"; status=1
    else
        tail -n +"$((before + 1))" "$report"
    fi
done
exit $status
