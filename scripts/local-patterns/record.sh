#!/usr/bin/env bash
# Re-records llb/tests/golden/local_patterns.json: what BuildKit's own Go
# client (fsutil's sender) sends of a local directory for each pattern set.
# A recording tool only: tests and CI read the committed file, never run this.
#
# To re-record (after editing the fixture or the cases in the JSON file):
#
#   bash scripts/engine.sh up && eval "$(bash scripts/engine.sh env)"
#   bash scripts/local-patterns/record.sh
#   git diff llb/tests/golden/local_patterns.json   # review, then commit
#
# Needs Go and BuildKit's module in the Go module cache (scripts/engine.sh
# puts it there when it builds the daemon). The program is compiled inside
# that module, so it uses exactly BuildKit's own go.mod and dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
golden="$(cd "$here/../.." && pwd)/llb/tests/golden/local_patterns.json"
version=v0.34.2
: "${BUILDKIT_HOST:?run: eval \"\$(bash scripts/engine.sh env)\"}"
module="$(go env GOMODCACHE)/github.com/moby/buildkit@$version"
[ -d "$module" ] || go mod download "github.com/moby/buildkit@$version"
cd "$module"
GOFLAGS=-mod=mod GOPROXY=off go run "$here/main.go" "$golden"
