#!/usr/bin/env bash
# The project's test command: starts the local engine (BuildKit, registry, git
# server on loopback), then runs every test of the workspace against it.
set -euo pipefail
cd "$(dirname "$0")/.."
DAGGER_ENGINE_DOCKER=1 bash scripts/engine.sh up
eval "$(bash scripts/engine.sh env)"
cargo test --workspace
