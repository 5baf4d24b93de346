#!/usr/bin/env bash
# Benchmark of controllers (`dagger up`) on chains of 50 and 200 components,
# each component's value computed from the previous one's export; input
# `first` feeds the first component, input `last` only the last one.
#
# Prints, per chain (release build, best of 3):
#   noop    `up` with nothing changed: wall time, components started (0 = no solve)
#   last    `up` after changing `last`: wall time, components that ran
#   first   `up` after changing `first`: wall time, components that ran, and
#           the time spent evaluating (first evaluation + re-evaluations)
# and the ratio of the 200-chain's evaluation time to the 50-chain's.
#
# Needs the engine: scripts/engine.sh up. Usage: scripts/bench-up.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
cargo build --release -q -p dagger-cli
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/dagger"
[ -n "${BUILDKIT_HOST:-}" ] || eval "$(bash scripts/engine.sh env)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" NO_COLOR=1

gen() { # N DIR
  mkdir -p "$2"
  python3 - "$1" "$2/main.cue" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    f.write("package main\n\nfirst: int\nlast: int\n\n")
    for i in range(n):
        if i == 0:
            content = "\\(first)"
        elif i == n - 1:
            content = "\\(c%03d + last)" % (i - 1)
        else:
            content = "\\(c%03d + 1)" % (i - 1)
        f.write('c%03d: {\n\tint\n\t#compute: [\n\t\t{do: "write-file", content: "%s", dest: "/n"},\n\t\t{do: "export", source: "/n", format: "json"},\n\t]\n}\n' % (i, content))
PY
}

now() { date +%s.%N; }
count() { grep -c "\"event\":\"$1\"" "$2" || true; }
best() { sort -g | head -1; }

declare -A eval_best
for n in 50 200; do
  dir="$work/chain-$n"
  gen "$n" "$dir/plan"
  cd "$dir"
  "$bin" new chain --plan-dir plan -l error
  "$bin" input json first 1 -l error
  "$bin" input json last 0 -l error
  "$bin" up -l error
  seq=100
  noop_t=(); noop_started=0; last_t=(); last_ran=0; first_t=(); first_ran=0; eval_t=()
  for r in $(seq "$runs"); do
    s=$(now); "$bin" up --log-format json 2>"$work/ev"; e=$(now)
    noop_t+=("$(awk "BEGIN{print $e - $s}")"); noop_started=$((noop_started + $(count started "$work/ev")))
    seq=$((seq + 1)); "$bin" input json last "$seq" -l error
    s=$(now); "$bin" up --log-format json 2>"$work/ev"; e=$(now)
    last_t+=("$(awk "BEGIN{print $e - $s}")"); last_ran=$(count completed "$work/ev")
    seq=$((seq + 1)); "$bin" input json first "$seq" -l error
    s=$(now); "$bin" up --log-format plain -l debug 2>"$work/log"; e=$(now)
    first_t+=("$(awk "BEGIN{print $e - $s}")")
    first_ran=$(grep -c '\] completed' "$work/log" || true)
    eval_t+=("$(sed -n 's/.*(evaluation \([0-9.]*\)s in.*/\1/p' "$work/log" | tail -1)")
  done
  nb=$(printf '%s\n' "${noop_t[@]}" | best); lb=$(printf '%s\n' "${last_t[@]}" | best)
  fb=$(printf '%s\n' "${first_t[@]}" | best); eb=$(printf '%s\n' "${eval_t[@]}" | best)
  eval_best[$n]=$eb
  printf 'chain-%-4s noop  %.3fs (%d started in %d runs)\n' "$n" "$nb" "$noop_started" "$runs"
  printf 'chain-%-4s last  %.3fs (%d of %d ran)\n' "$n" "$lb" "$last_ran" "$n"
  printf 'chain-%-4s first %.3fs (%d of %d ran; evaluation %.3fs)\n' "$n" "$fb" "$first_ran" "$n" "$eb"
  cd - >/dev/null
done
printf 'evaluation ratio chain-200 / chain-50: %.2f (target <= 4.5)\n' \
  "$(awk "BEGIN{print ${eval_best[200]} / ${eval_best[50]}}")"
