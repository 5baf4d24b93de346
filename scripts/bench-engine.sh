#!/usr/bin/env bash
# Client overhead benchmark: llb::client against `buildctl build` on the local
# test engine (100 cached execs; 20 parallel 1 s sleeps). Prints the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/engine.sh up
eval "$(bash scripts/engine.sh env)"
cargo bench -p llb --bench engine_overhead
