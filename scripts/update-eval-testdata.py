#!/usr/bin/env python3
"""Regenerate the expected outputs of txtar cases with the REFERENCE cue.

Usage: scripts/update-eval-testdata.py [CASE.txtar ...]
       (default: every testdata/eval/*.txtar)

For each case, the input sections (names ending in .cue) are written into an
empty directory and `cue export --out json` and `cue eval` are run there on
the root-level .cue files in archive order, exactly as the cases of
../shared/cue-conformance were made. The out/ sections are replaced with
the results (plus out/export.yaml when the export succeeds, for the YAML
encoder's tests). The reference binary is $CUE, else
~/.cache/dagger-bench/bin/cue (scripts/bench-eval.sh installs v0.4.3 there).
Expected outputs must never come from our own evaluator.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = "# expected outputs produced by the CUE v0.4.3 reference implementation\n"


def parse(text):
    comment, files, cur, buf = [], [], None, []
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\n").rstrip("\r")
        if bare.startswith("-- ") and bare.endswith(" --") and bare[3:-3].strip():
            if cur is None:
                comment = buf
            else:
                files.append((cur, "".join(buf)))
            cur, buf = bare[3:-3].strip(), []
        else:
            buf.append(line)
    if cur is None:
        comment = buf
    else:
        files.append((cur, "".join(buf)))
    return "".join(comment), files


def nl(s):
    return s if s.endswith("\n") or s == "" else s + "\n"


def run(cue, args, cwd):
    p = subprocess.run([cue] + args, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def update(path, cue):
    comment, files = parse(Path(path).read_text())
    inputs = [(n, d) for n, d in files if n.endswith(".cue") and not n.startswith("out/")]
    roots = [n for n, _ in inputs if "/" not in n]
    with tempfile.TemporaryDirectory() as d:
        for n, data in inputs:
            p = Path(d, n)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(data)
        rc, out, err = run(cue, ["export", "--out", "json"] + roots, d)
        export = ("out/export.json", out) if rc == 0 else ("out/export.err", err)
        rc, out, err = run(cue, ["eval"] + roots, d)
        evals = ("out/eval.cue", out) if rc == 0 else ("out/eval.err", err)
        rc, out, err = run(cue, ["export", "--out", "yaml"] + roots, d)
        yaml = [("out/export.yaml", out)] if rc == 0 else []
    lines = [l for l in comment.splitlines(keepends=True) if l != HEADER]
    text = "".join(lines) + HEADER
    for n, data in inputs:
        text += f"-- {n} --\n{nl(data)}"
    for n, data in [export, evals] + yaml:
        text += f"-- {n} --\n{nl(data)}"
    Path(path).write_text(text)


def main():
    cue = os.environ.get("CUE") or str(Path.home() / ".cache/dagger-bench/bin/cue")
    version = subprocess.run([cue, "version"], capture_output=True, text=True).stdout
    if "v0.4.3" not in version:
        sys.exit(f"{cue} is not cue v0.4.3 (got {version.strip()!r})")
    root = Path(__file__).resolve().parent.parent
    cases = sys.argv[1:] or sorted(str(p) for p in (root / "testdata/eval").glob("*.txtar"))
    for c in cases:
        update(c, cue)
        print("updated", c)


if __name__ == "__main__":
    main()
