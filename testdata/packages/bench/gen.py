#!/usr/bin/env python3
"""Generates a module with N imported packages and its single-file
equivalent, to compare evaluating a package graph with one file.

    python3 gen.py OUT_DIR [N_PACKAGES] [FIELDS_PER_PACKAGE]

OUT_DIR/multi: cue.mod + main.cue importing pkgs/p0..p{N-1}
OUT_DIR/single/main.cue: the same values, each package as a struct field
"""
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
m = int(sys.argv[3]) if len(sys.argv) > 3 else 50


def body(k):
    lines = [f"#Def{k}: {{", "\tname: string", "\tsize: int & >=0", "\ttags: [...string]", "}"]
    for j in range(m):
        lines.append(f"f{j}: #Def{k} & {{name: \"p{k}-{j}\", size: {j} * {k + 1}, tags: [\"a\", \"b{j}\"]}}")
    lines.append(f"total: {' + '.join(f'f{j}.size' for j in range(m))}")
    return "\n".join(lines) + "\n"


multi = os.path.join(out, "multi")
os.makedirs(os.path.join(multi, "cue.mod"), exist_ok=True)
with open(os.path.join(multi, "cue.mod", "module.cue"), "w") as f:
    f.write('module: "example.com/bench"\n')
for k in range(n):
    d = os.path.join(multi, "pkgs", f"p{k}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"p{k}.cue"), "w") as f:
        f.write(f"package p{k}\n\n" + body(k))
with open(os.path.join(multi, "main.cue"), "w") as f:
    f.write("package main\n\nimport (\n")
    for k in range(n):
        f.write(f'\t"example.com/bench/pkgs/p{k}"\n')
    f.write(")\n\n")
    for k in range(n):
        f.write(f"r{k}: {{total: p{k}.total, first: p{k}.f0, last: p{k}.f{m - 1}}}\n")

single = os.path.join(out, "single")
os.makedirs(single, exist_ok=True)
with open(os.path.join(single, "main.cue"), "w") as f:
    f.write("package main\n\n")
    for k in range(n):
        f.write(f"_p{k}: {{\n" + "".join("\t" + l + "\n" for l in body(k).splitlines()) + "}\n")
    for k in range(n):
        f.write(f"r{k}: {{total: _p{k}.total, first: _p{k}.f0, last: _p{k}.f{m - 1}}}\n")
