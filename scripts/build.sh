#!/bin/sh
# Builds the carton NativeAOT binary into artifacts/bin/carton.
set -eu
cd "$(dirname "$0")/.."
dotnet publish src/Carton.Cli -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
