#!/usr/bin/env bash
# Evaluation cost of a run over a chain of components (issue #12): builds
# chain plans of 50 and 200 components, runs them with the in-memory solver
# on the real CUE plan, and prints the first evaluation, the re-evaluations
# after fills, and the ratio of total evaluation time 200/50 (linear growth
# is 4; the goal is at most 4.5). Best of BENCH_RUNS (default 3) runs per
# size; other chain lengths can be given as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p dag --bench chain -- "$@"
