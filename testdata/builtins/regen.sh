#!/usr/bin/env bash
# Regenerates the expected outputs of txtar cases by running the reference
# implementation, CUE v0.4.3 (never our own code):
#   GOBIN=$HOME/.cache/dagger-bench/bin go install cuelang.org/go/cmd/cue@v0.4.3
#   bash testdata/builtins/regen.sh testdata/builtins/strings.txtar ...
# Input sections (names ending in .cue) are kept; out/ sections are rewritten.
set -euo pipefail
CUE=${CUE:-$HOME/.cache/dagger-bench/bin/cue}
"$CUE" version | grep -q 'v0.4.3' || { echo "need cue v0.4.3 at $CUE" >&2; exit 1; }
for f in "$@"; do
  tmp=$(mktemp -d)
  python3 - "$f" "$tmp" <<'PY'
import sys, os
path, tmp = sys.argv[1], sys.argv[2]
secs, name, order = {}, None, []
for line in open(path).read().splitlines(keepends=True):
    s = line.rstrip('\n')
    if s.startswith('-- ') and s.endswith(' --'):
        name = s[3:-3]; secs[name] = ''; order.append(name)
    elif name is not None:
        secs[name] += line
inputs = [n for n in order if n.endswith('.cue') and not n.startswith('out/')]
if not inputs: sys.exit("no .cue input sections in " + path)
for n in inputs:
    p = os.path.join(tmp, n); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'w').write(secs[n])
open(os.path.join(tmp, '.inputs'), 'w').write(''.join(n + '\n' for n in inputs))
open(os.path.join(tmp, '.roots'), 'w').write(' '.join(n for n in inputs if '/' not in n))
PY
  roots=$(cat "$tmp/.roots")
  (cd "$tmp" && { "$CUE" export --out json $roots > out.json 2> err.txt && echo ok > export.status || echo fail > export.status; }
               { "$CUE" eval $roots > eval.out 2> eval.err && echo ok > eval.status || echo fail > eval.status; })
  {
    echo "# expected outputs produced by the CUE v0.4.3 reference implementation (testdata/builtins/regen.sh)"
    while read -r n; do echo "-- $n --"; cat "$tmp/$n"; done < "$tmp/.inputs"
    if [ "$(cat "$tmp/export.status")" = ok ]; then echo "-- out/export.json --"; cat "$tmp/out.json";
    else echo "-- out/export.err --"; cat "$tmp/err.txt"; fi
    if [ "$(cat "$tmp/eval.status")" = ok ]; then echo "-- out/eval.cue --"; cat "$tmp/eval.out";
    else echo "-- out/eval.err --"; cat "$tmp/eval.err"; fi
  } > "$f.new"
  mv "$f.new" "$f"
  rm -rf "$tmp"
  echo "regenerated $f"
done
