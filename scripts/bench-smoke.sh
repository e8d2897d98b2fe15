#!/bin/sh
# The CI smoke of every benchmark under bench/ (long campaigns live there; CI runs a short version of each, so that a
# benchmark broken by a change fails CI instead of the next person who runs it). Each runs a handful of iterations
# end to end with its leftover checks; the figures mean nothing and are not recorded in docs/benchmarks.md.
# The binaries come from artifacts/bin (scripts/build.sh); peers are installed by scripts/install-deps.sh.
set -eu
cd "$(dirname "$0")/.."
step() { printf '== bench smoke: %s\n' "$*"; }
step "start-time (carton, runc, crun)";  RUNS=3 PHASE_RUNS=2 PARALLEL_RUNS=1 HOST_COMPARE=0 ./bench/start-time.sh >/dev/null
step "carton-breakdown";                 N=2 ./bench/carton-breakdown.sh >/dev/null
step "compute (library and daemon)";     ITERATIONS=2 WARMUP=1 CONCURRENCY=4 ROUNDS=1 ./bench/compute.sh >/dev/null
step "unpack (carton, umoci, tar)";      SMOKE=1 ./bench/unpack.sh >/dev/null
step "registry push and pull (carton, skopeo)"; SMOKE=1 ./bench/registry.sh >/dev/null
step "network (carton, podman)";         SMOKE=1 ./bench/network.sh >/dev/null
step "docker run (carton, dockerd)";     SMOKE=1 ./bench/docker-run.sh >/dev/null
step "docker run, concurrent, and the daemons' idle memory (issue 17: carton, dockerd)"; SMOKE=1 ./bench/docker-concurrent.sh >/dev/null
step "kill-create (issue 15: SIGKILLed creates leave nothing)"; N=10 ./scripts/kill-create.sh >/dev/null
step "full-disk (issue 15: a full state root and image store)"; ROUNDS=1 ./scripts/full-disk.sh >/dev/null
step "leak-cycles (issue 15: create/start/delete cycles leave nothing, the daemon stays flat)"; N=30 WARMUP=5 EVERY=10 ./scripts/leak-cycles.sh >/dev/null
step "leak-docker (issue 15: docker run --rm and network cycles leak nothing)"; N=20 M=10 WARMUP=3 EVERY=10 ./scripts/leak-docker.sh >/dev/null
step "fault-inject (issue 15: create and exec killed at each step leave nothing)"; R=1 ./scripts/fault-inject.sh >/dev/null
step "kill-daemon (issue 15: a SIGKILLed daemon re-adopts its systems, loses no exit code)"; R=2 N=4 ./scripts/kill-daemon.sh >/dev/null
step "image ls (issue 16: carton image ls, umoci ls)"; SMOKE=1 ./bench/image-ls.sh >/dev/null
step "try-registry (issue 16: login, push, pull, check, prune against a TLS + auth registry)"; ./scripts/try-registry.sh >/dev/null
step "all passed"
