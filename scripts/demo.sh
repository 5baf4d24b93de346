#!/usr/bin/env bash
# The main job on a fresh machine: build `dagger`, start the local engine
# (BuildKit, registry with base images, git server; all on loopback) and run
# the example controller in examples/hello.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin dagger
bash scripts/engine.sh up
eval "$(bash scripts/engine.sh env)"
echo "--- dagger dag examples/hello" >&2
./target/release/dagger dag examples/hello --format text
echo "--- dagger compute examples/hello --input-string name=${1:-dagger}" >&2
./target/release/dagger compute examples/hello --input-string "name=${1:-dagger}"
