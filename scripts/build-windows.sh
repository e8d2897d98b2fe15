#!/bin/sh
# Issue 18 §7: the Windows build, from Linux. carton-serve (which picks the HCS backend when it runs on Windows) and
# carton-system (the client, on the \\.\pipe\carton pipe by default there), built for win-x64 into artifacts/win-x64.
# NativeAOT cannot cross-compile from Linux to Windows, so this is a JIT build (self-contained, with the runtime);
# docs/windows.md gives the NativeAOT publish to run on a Windows host.
set -eu
cd "$(dirname "$0")/.."
for project in src/Carton.Service src/Carton.SystemCli; do
    dotnet build "$project" -c Release -r win-x64 -o artifacts/win-x64 -nologo -clp:ErrorsOnly "$@"
done
test -f artifacts/win-x64/carton-serve.exe && test -f artifacts/win-x64/carton-system.exe
echo "scripts/build-windows.sh: artifacts/win-x64/carton-serve.exe and carton-system.exe"
