#!/bin/sh
# Builds the NativeAOT binaries into artifacts/bin: carton (the runtime CLI), carton-serve (the compute service
# daemon; `carton serve` execs it), carton-monitor (the per-container monitor the daemon starts), carton-system
# (the daemon's client; `carton system` execs it) and carton-image (the image commands; `carton image` execs it).
set -eu
cd "$(dirname "$0")/.."
dotnet publish src/Carton.Cli -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
dotnet publish src/Carton.Service -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
dotnet publish src/Carton.Monitor -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
dotnet publish src/Carton.SystemCli -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
dotnet publish src/Carton.ImageCli -c Release -o artifacts/bin -p:DebugType=none -nologo -clp:ErrorsOnly "$@"
