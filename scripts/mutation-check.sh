#!/bin/sh
# Shows that every attack test in docs/security.md can fail: builds carton once with -p:CartonMutationBuild=true
# (into artifacts/mutation, never shipped), then for each defence runs its attack test twice through that binary:
# with the defence on (the test must pass) and switched off by CARTON_TEST_DISABLE_DEFENCE (the test must fail).
# Prints one line a defence and a Markdown table for docs/security.md; exits non-zero if a test did not go red.
#   ./scripts/mutation-check.sh            every defence
#   ./scripts/mutation-check.sh NAME...    only these (CI runs one as a smoke)
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "mutation-check: runs containers, needs root" >&2; exit 1; fi

out=artifacts/mutation
# The define changes the compiler's inputs, so the next ordinary build recompiles: nothing of this build leaks into
# artifacts/bin or a test run that builds first.
dotnet publish src/Carton.Cli -c Release -o "$out" -p:CartonMutationBuild=true -p:DebugType=none -nologo -clp:ErrorsOnly >/dev/null
dotnet build tests/Carton.IntegrationTests -c Release -nologo -clp:ErrorsOnly >/dev/null

# defence name | test filter (xunit FullyQualifiedName~...)
table="scripts/mutation-table.txt"
results=$(mktemp)
status=0
grep -v '^#' "$table" | while IFS='|' read -r name filter; do
    name=$(echo "$name" | tr -d ' '); filter=$(echo "$filter" | tr -d ' ')
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    run() { OCI_RUNTIME="$PWD/$out/carton" dotnet test tests/Carton.IntegrationTests -c Release --no-build \
                --filter "FullyQualifiedName~$filter" >/dev/null 2>&1; }
    if run; then on=pass; else on=FAIL; fi
    if CARTON_TEST_DISABLE_DEFENCE="$name" run; then off=pass; else off=fail; fi
    verdict=ok
    [ "$on" = pass ] && [ "$off" = fail ] || verdict=NOT-SHOWN
    echo "$name: defence on -> $on, off -> $off: $verdict"
    echo "| \`$name\` | \`$filter\` | $on | $off |" >> "$results"
    [ "$verdict" = ok ] || echo bad >> "$results.bad"
done
echo
echo "| defence switched off | attack test | with it | without it |"
echo "|---|---|---|---|"
cat "$results"
if [ -e "$results.bad" ]; then status=1; rm -f "$results.bad"; fi
rm -f "$results"
exit $status
