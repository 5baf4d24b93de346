#!/usr/bin/env bash
# Runs one cargo-fuzz target of fuzz/ (parse, eval, eval_gen) at low CPU
# priority, one job, with per-input limits:
#   bash scripts/fuzz.sh TARGET [SECONDS] [more libFuzzer flags...]
# SECONDS defaults to 1800. The corpus is fuzz/corpus/TARGET (seeded, for
# parse and eval, with the .cue sections of testdata/ and
# ../shared/cue-conformance), crashes go to fuzz/artifacts/TARGET/, the log
# to fuzz/TARGET.log. Needs the nightly toolchain and `cargo install
# cargo-fuzz`. The build has debug assertions (overflow checks) on. The
# time limit per input is 30 s: the sanitized build is 30 to 100 times
# slower than a release build (recursion to the evaluator's depth limit,
# 0.3 s in release, takes up to 8 s), and `nice` slows it further on a busy
# machine.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh parse|eval|eval_gen [SECONDS] [flags...]}
secs=${2:-1800}
shift $(( $# >= 2 ? 2 : 1 ))
corpus=fuzz/corpus/$target
mkdir -p "$corpus" "fuzz/artifacts/$target"
if [ "$target" != eval_gen ] && [ -z "$(ls -A "$corpus")" ]; then
  python3 - "$corpus" testdata ../shared/cue-conformance <<'PY'
import hashlib, os, sys
out = sys.argv[1]
for root in sys.argv[2:]:
    for d, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".txtar"):
                continue
            name = None
            secs = {}
            for line in open(os.path.join(d, f), encoding="utf-8").read().splitlines(keepends=True):
                s = line.rstrip("\n")
                if s.startswith("-- ") and s.endswith(" --"):
                    name = s[3:-3].strip()
                    secs[name] = ""
                elif name is not None:
                    secs[name] += line
            for n, text in secs.items():
                if n.endswith(".cue") and not n.startswith("out/"):
                    h = hashlib.sha1(text.encode()).hexdigest()
                    open(os.path.join(out, h), "w").write(text)
PY
fi
(cd fuzz && nice -n 19 cargo +nightly fuzz build -O -a "$target")
# AddressSanitizer's fake stacks (use-after-return detection, useless for
# safe Rust) make deep evaluator recursion 4-5 times slower still.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}
dict=()
[ "$target" = eval_gen ] || dict=(-dict=fuzz/cue.dict)
exec nice -n 19 "fuzz/target/x86_64-unknown-linux-gnu/release/$target" "$corpus" \
  "${dict[@]}" -artifact_prefix="fuzz/artifacts/$target/" \
  -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
  -print_final_stats=1 "$@" 2>&1 | tee "fuzz/$target.log"
