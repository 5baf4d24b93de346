#!/usr/bin/env python3
"""Generate CUE benchmark inputs for scripts/bench-eval.sh.

Usage: scripts/gen-cue.py KIND SIZE > file.cue

KIND:
  fields         SIZE concrete leaf fields, spread over items that unify a
                 definition with defaults, bounds and string interpolation
  disjunctions   SIZE values checked against a disjunction-heavy schema
                 (enum fields, defaults, struct disjunctions)
  comprehensions SIZE elements pushed through list and struct
                 comprehensions with guards

Every input is fully concrete, so `cue export` succeeds on it.
"""
import sys


def fields(n):
    # Each item contributes 5 leaf fields.
    items = max(1, n // 5)
    out = [
        "#Item: {",
        "\tname:     string",
        "\tport:     *8080 | int & >0 & <65536",
        "\treplicas: *1 | int & >=0",
        '\tlabel:    "item-\\(name)-\\(port)"',
        "\tenabled:  *true | bool",
        "}",
        "",
        "items: {",
    ]
    for i in range(items):
        if i % 3 == 0:
            out.append(f'\ti{i}: #Item & {{name: "n{i}", port: {1000 + i % 60000}}}')
        elif i % 3 == 1:
            out.append(f'\ti{i}: #Item & {{name: "n{i}", replicas: {i % 7}}}')
        else:
            out.append(f'\ti{i}: #Item & {{name: "n{i}", enabled: false}}')
    out.append("}")
    return "\n".join(out) + "\n"


def disjunctions(n):
    out = [
        '#Kind: "a" | "b" | "c" | "d" | "e" | "f" | "g" | "h"',
        '#Size: *"small" | "medium" | "large" | "xlarge"',
        "#Shape: {type: \"circle\", r: number} | {type: \"rect\", w: number, h: number} | {type: \"tri\", a: number, b: number, c: number}",
        "#Spec: {",
        "\tkind:  #Kind",
        "\tsize:  #Size",
        "\tmode:  *1 | 2 | 3 | 4",
        "\tshape: #Shape",
        "\tlevel: *\"info\" | \"warn\" | \"error\" | int",
        "}",
        "",
        "specs: [",
    ]
    kinds = "abcdefgh"
    shapes = [
        '{type: "circle", r: 1}',
        '{type: "rect", w: 2, h: 3}',
        '{type: "tri", a: 3, b: 4, c: 5}',
    ]
    count = max(1, n // 5)
    for i in range(count):
        extra = ' size: "large",' if i % 4 == 0 else ""
        out.append(
            f'\t#Spec & {{kind: "{kinds[i % 8]}",{extra} shape: {shapes[i % 3]}}},'
        )
    out.append("]")
    return "\n".join(out) + "\n"


def comprehensions(n):
    count = max(1, n // 5)
    nums = ", ".join(str(i) for i in range(count))
    out = [
        f"nums: [{nums}]",
        "squares: [for x in nums {x * x}]",
        'byName: {for x in nums {"k\\(x)": {v: x, even: x mod 2 == 0, half: x div 2}}}',
        "evens: [for k, v in byName if v.even {k}]",
        'pairs: {for k, v in byName if v.v mod 3 == 0 {"\\(k)-pair": [v.v, v.half]}}',
    ]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    kind, size = sys.argv[1], int(sys.argv[2])
    gen = {"fields": fields, "disjunctions": disjunctions, "comprehensions": comprehensions}
    if kind not in gen:
        sys.exit(f"unknown kind {kind!r}\n{__doc__}")
    sys.stdout.write(gen[kind](size))


if __name__ == "__main__":
    main()
