#!/usr/bin/env bash
# Benchmark `dagger eval --out json` against the reference `cue export --out
# json` (CUE v0.4.3) on generated inputs, best of 3 runs each, and check that
# both print the same JSON value.
#
#   scripts/bench-eval.sh            # all inputs
#   QUICK=1 scripts/bench-eval.sh    # skip the 100k inputs
#   LARGE=1 scripts/bench-eval.sh    # also 300k fields (linear growth check)
#
# The reference binary is installed for comparison only (never used by the
# product) into ~/.cache/dagger-bench/bin with `go install`; set CUE to use
# another v0.4.3 binary, and DAGGER to use a given dagger binary instead of
# a fresh release build.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DIR="${HOME}/.cache/dagger-bench"
CUE="${CUE:-${BENCH_DIR}/bin/cue}"
if ! "${CUE}" version 2>/dev/null | grep -q 'v0.4.3'; then
    echo "installing the reference cue v0.4.3 into ${BENCH_DIR}/bin" >&2
    GOBIN="${BENCH_DIR}/bin" go install cuelang.org/go/cmd/cue@v0.4.3
    CUE="${BENCH_DIR}/bin/cue"
fi

if [[ -z "${DAGGER:-}" ]]; then
    cargo build --release -p dagger-cli >&2
    DAGGER="$(pwd)/target/release/dagger"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

inputs=("fields 1000 fields-1k" "fields 10000 fields-10k")
if [[ -z "${QUICK:-}" ]]; then
    inputs+=("fields 100000 fields-100k")
fi
if [[ -n "${LARGE:-}" ]]; then
    inputs+=("fields 300000 fields-300k")
fi
inputs+=("disjunctions 10000 disjunctions-10k")
if [[ -z "${QUICK:-}" ]]; then
    inputs+=("disjunctions 100000 disjunctions-100k")
fi
inputs+=("comprehensions 10000 comprehensions-10k")

# best_of3 OUT CMD...: runs CMD three times with stdout to OUT, prints the
# fastest wall time in seconds, or "fail" if any run exits non-zero.
best_of3() {
    local out="$1"
    shift
    local best=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        if ! "$@" >"${out}" 2>"${out}.err"; then
            echo fail
            return
        fi
        end=$(date +%s.%N)
        best=$(python3 -c "import sys; t=$end-$start; b='$best'; print(f'{min(t, float(b)) if b else t:.3f}')")
    done
    echo "${best}"
}

same_json() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
from decimal import Decimal
load = lambda p: json.load(open(p), parse_float=Decimal, parse_int=Decimal)
try:
    sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
except ValueError:
    sys.exit(1)
EOF
}

# speedup: cue's time divided by ours (5.0x = ours takes a fifth of cue's).
printf '%-20s %10s %10s %8s  %s\n' input "ours (s)" "cue (s)" speedup "same JSON"
for spec in "${inputs[@]}"; do
    read -r kind size name <<<"${spec}"
    src="${WORK}/${name}.cue"
    python3 scripts/gen-cue.py "${kind}" "${size}" >"${src}"
    ours=$(cd "${WORK}" && best_of3 "${WORK}/${name}.ours.json" "${DAGGER}" eval --out json "${name}.cue")
    ref=$(cd "${WORK}" && best_of3 "${WORK}/${name}.ref.json" "${CUE}" export --out json "${name}.cue")
    same=no
    if [[ "${ours}" != fail && "${ref}" != fail ]]; then
        if cmp -s "${WORK}/${name}.ours.json" "${WORK}/${name}.ref.json"; then
            same="yes (byte-identical)"
        elif same_json "${WORK}/${name}.ours.json" "${WORK}/${name}.ref.json"; then
            same="yes (value)"
        fi
    fi
    ratio=-
    if [[ "${ours}" != fail && "${ref}" != fail ]]; then
        ratio=$(python3 -c "print(f'{${ref}/max(${ours}, 0.001):.1f}x')")
    fi
    printf '%-20s %10s %10s %8s  %s\n' "${name}" "${ours}" "${ref}" "${ratio}" "${same}"
    if [[ "${ours}" == fail ]]; then
        head -3 "${WORK}/${name}.ours.json.err" | sed 's/^/    ours: /'
    fi
done
