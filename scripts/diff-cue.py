#!/usr/bin/env python3
"""Differential test: random CUE programs through `dagger eval` and the
reference `cue` (v0.4.3, for comparison only), reporting disagreements.

Usage: scripts/diff-cue.py [-n COUNT] [--seed S] [--eval] [--keep DIR]
                           [--dagger PATH] [--cue PATH]

For each generated program both tools export JSON; they agree when both
fail, or both succeed with the same JSON value (key order included). With
--eval, the `cue eval` text is compared too. Disagreeing programs are
written to --keep (default: a temporary folder) and listed; the exit code
is 1 when any disagree.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal

IDENTS = ["a", "b", "c", "d", "x", "y"]
STRINGS = ['"a"', '"b"', '"foo"', '""', '"x y"']
NUMS = ["0", "1", "2", "3", "10", "-1", "1.5", "2.0", "1e3"]


class Gen:
    def __init__(self, rnd):
        self.r = rnd
        self.defs = []

    def pick(self, xs):
        return self.r.choice(xs)

    def atom(self):
        k = self.r.randrange(6)
        if k == 0:
            return self.pick(NUMS)
        if k == 1:
            return self.pick(STRINGS)
        if k == 2:
            return self.pick(["true", "false"])
        if k == 3:
            return "null"
        if k == 4:
            return self.pick(["int", "string", "number", "bool", "float", "_"])
        return self.pick([">0", "<10", ">=1", "<=2", '!="a"', "!=null", '=~"^f"', ">1.5"])

    def ref(self, scope):
        if not scope:
            return self.atom()
        return self.pick(scope)

    def expr(self, depth, scope):
        if depth <= 0:
            return self.ref(scope) if self.r.random() < 0.3 else self.atom()
        k = self.r.randrange(14)
        d = depth - 1
        if k == 12:
            return f"{{for k, v in {{p: 1, q: 2, r: 3}} if v != {self.pick(['1', '2'])} {{\"\\(k)x\": v + {self.pick(['0', '1'])}}}}}"
        if k == 13:
            return f"{{let L = {self.operand(d, scope)}, {self.pick(IDENTS)}: L, {self.pick(IDENTS)}: [L]}}"
        if k == 0:
            return f"{self.expr(d, scope)} & {self.expr(d, scope)}"
        if k == 1:
            star = "*" if self.r.random() < 0.4 else ""
            return f"{star}{self.expr(d, scope)} | {self.expr(d, scope)}"
        if k == 2:
            return self.struct(d, scope)
        if k == 3:
            items = ", ".join(self.expr(d, scope) for _ in range(self.r.randrange(4)))
            tail = self.pick(["", ", ...", ", ...int"]) if items else self.pick(["", "..."])
            return f"[{items}{tail}]"
        if k == 4:
            op = self.pick(["+", "-", "*", "/", "div", "mod", "==", "!=", "<", ">=", "&&", "||"])
            return f"({self.operand(d, scope)} {op} {self.operand(d, scope)})"
        if k == 5:
            return f'"v\\({self.operand(d, scope)})"'
        if k == 6 and scope:
            return f"{self.pick(scope)}.{self.pick(IDENTS)}"
        if k == 7:
            src = self.expr(d, scope)
            return f"[for i, v in [1, 2, 3] if v > {self.pick(['0', '1'])} {{v * {self.pick(['1', '2'])}}}]" if self.r.random() < 0.5 else f"[ for k, v in {{p: 1, q: 2}} {{k}}]"
        if k == 8 and self.defs:
            return f"{self.pick(self.defs)} & {self.struct(d, scope)}"
        if k == 9:
            fn = self.pick(["len", "close"])
            arg = self.struct(d, scope) if fn == "close" else self.pick(['"abc"', "[1, 2]", "{a: 1}", "'xy'"])
            return f"{fn}({arg})"
        if k == 10:
            return f"*{self.atom()} | {self.atom()} | {self.atom()}"
        if k == 11 and self.defs:
            # Embedding a definition, and selecting from one.
            if self.r.random() < 0.5:
                return f"{{{self.pick(self.defs)}, {self.pick(IDENTS)}: {self.expr(d, scope)}}}"
            return f"{self.pick(self.defs)}.{self.pick(IDENTS)}"
        return self.atom()

    def operand(self, depth, scope):
        # Mostly references and concrete values, as in real programs; now
        # and then any expression (`int + 1` is an error of the field).
        if depth > 0 and self.r.random() < 0.3:
            return self.expr(depth - 1, scope)
        if scope and self.r.random() < 0.4:
            return self.pick(scope)
        return self.pick(NUMS + STRINGS + ["true", "false", "null"])

    def struct(self, depth, scope):
        n = self.r.randrange(4)
        fields = []
        for _ in range(n):
            label = self.pick(IDENTS)
            opt = "?" if self.r.random() < 0.1 else ""
            fields.append(f"{label}{opt}: {self.expr(depth, scope)}")
        if self.r.random() < 0.15:
            fields.append(self.pick(["...", "[string]: int", "[=~\"^x\"]: string", "[string]: *1 | int", "[=~\"^[a-c]$\"]: {n: int} | int"]))
        return "{" + ", ".join(fields) + "}"

    def program(self):
        lines = []
        self.defs = []
        for i in range(self.r.randrange(3)):
            name = f"#D{i}"
            lines.append(f"{name}: {self.struct(2, [])}")
            self.defs.append(name)
        # Fields refer to the ones declared before them (a field that refers
        # into itself is a cycle, where the reference's quirks lie).
        scope = []
        for i in range(self.r.randrange(2, 6)):
            label = self.pick([x for x in IDENTS if x not in scope] or IDENTS)
            lines.append(f"{label}: {self.expr(3, scope)}")
            scope.append(label)
        return "\n".join(lines) + "\n"


def run(cmd, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval", action="store_true")
    ap.add_argument("--keep")
    ap.add_argument("--dagger", default="target/release/dagger")
    ap.add_argument("--cue", default=os.path.expanduser("~/.cache/dagger-bench/bin/cue"))
    a = ap.parse_args()
    dagger = os.path.abspath(a.dagger)
    keep = a.keep or tempfile.mkdtemp(prefix="diff-cue-")
    os.makedirs(keep, exist_ok=True)
    rnd = random.Random(a.seed)
    g = Gen(rnd)
    bad = 0
    work = tempfile.mkdtemp()
    for i in range(a.n):
        src = g.program()
        with open(os.path.join(work, "in.cue"), "w") as f:
            f.write(src)
        rc_c, out_c = run([a.cue, "export", "--out", "json", "in.cue"], work)
        rc_d, out_d = run([dagger, "eval", "--out", "json", "in.cue"], work)
        why = None
        if rc_c is None or rc_d is None:
            why = f"timeout (cue {rc_c}, ours {rc_d})"
        elif (rc_c == 0) != (rc_d == 0):
            why = f"export: cue exit {rc_c}, ours exit {rc_d}"
        elif rc_c == 0:
            try:
                jc = json.loads(out_c, parse_float=Decimal, parse_int=Decimal)
                jd = json.loads(out_d, parse_float=Decimal, parse_int=Decimal)
                if jc != jd:
                    why = "export: different JSON"
                elif out_c != out_d:
                    why = "export: same value, different text"
            except ValueError:
                why = "export: unparsable JSON"
        if why is None and a.eval:
            rc_c, ev_c = run([a.cue, "eval", "in.cue"], work)
            rc_d, ev_d = run([dagger, "eval", "in.cue"], work)
            if (rc_c == 0) != (rc_d == 0):
                why = f"eval: cue exit {rc_c}, ours exit {rc_d}"
            elif rc_c == 0 and ev_c != ev_d:
                why = "eval: text differs"
        if why:
            bad += 1
            path = os.path.join(keep, f"case{i:04d}.cue")
            with open(path, "w") as f:
                f.write(src)
            print(f"{path}: {why}")
    print(f"{a.n - bad} agree, {bad} disagree (seed {a.seed})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
