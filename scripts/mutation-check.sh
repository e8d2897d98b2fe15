#!/bin/sh
# Shows that every attack test in docs/security.md can fail: builds with -p:CartonMutationBuild=true (never shipped),
# then for each defence runs its attack test twice: with the defence on (the test must pass) and switched off by
# CARTON_TEST_DISABLE_DEFENCE (the test must fail). Prints one line a row and a Markdown table for docs/security.md;
# exits non-zero if a test did not go red.
#   ./scripts/mutation-check.sh            every defence
#   ./scripts/mutation-check.sh NAME...    only these (CI runs one as a smoke)
# A row of scripts/mutation-table.txt names its test project in a third column when the defence is in-process (the
# test project itself is then built as a mutation build); without one, the attack test is black-box in
# tests/Carton.IntegrationTests and runs through a mutation build of carton (artifacts/mutation).
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "mutation-check: runs containers, needs root" >&2; exit 1; fi

out=artifacts/mutation
integration=tests/Carton.IntegrationTests
table="scripts/mutation-table.txt"
rows=$(mktemp)
results=$(mktemp)
trap 'rm -f "$rows" "$results" "$results.bad"' EXIT

# The rows asked for: name|filter|project.
grep -v '^#' "$table" | while IFS='|' read -r name filter project; do
    name=$(echo "$name" | tr -d ' '); filter=$(echo "$filter" | tr -d ' '); project=$(echo "${project:-}" | tr -d ' ')
    [ -n "$name" ] || continue
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    echo "$name|$filter|${project:-$integration}" >> "$rows"
done

# The define changes the compiler's inputs, so the next ordinary build recompiles: nothing of this build leaks into
# artifacts/bin or a test run that builds first.
for project in $(cut -d'|' -f3 "$rows" | sort -u); do
    if [ "$project" = "$integration" ]; then
        dotnet publish src/Carton.Cli -c Release -o "$out" -p:CartonMutationBuild=true -p:DebugType=none -nologo -clp:ErrorsOnly >/dev/null
        dotnet build "$integration" -c Release -nologo -clp:ErrorsOnly >/dev/null
    else
        dotnet build "$project" -c Release -p:CartonMutationBuild=true -nologo -clp:ErrorsOnly >/dev/null
    fi
done

while IFS='|' read -r name filter project; do
    run() {
        if [ "$project" = "$integration" ]; then
            OCI_RUNTIME="$PWD/$out/carton" dotnet test "$project" -c Release --no-build --filter "FullyQualifiedName~$filter" >/dev/null 2>&1
        else
            dotnet test "$project" -c Release --no-build --filter "FullyQualifiedName~$filter" >/dev/null 2>&1
        fi
    }
    if run; then on=pass; else on=FAIL; fi
    if CARTON_TEST_DISABLE_DEFENCE="$name" run; then off=pass; else off=fail; fi
    verdict=ok
    [ "$on" = pass ] && [ "$off" = fail ] || verdict=NOT-SHOWN
    echo "$name ($filter): defence on -> $on, off -> $off: $verdict"
    echo "| \`$name\` | \`$filter\` | $on | $off |" >> "$results"
    [ "$verdict" = ok ] || echo bad >> "$results.bad"
done < "$rows"

echo
echo "| defence switched off | attack test | with it | without it |"
echo "|---|---|---|---|"
cat "$results"
status=0
[ -e "$results.bad" ] && status=1
exit $status
