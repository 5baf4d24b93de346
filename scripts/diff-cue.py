#!/usr/bin/env python3
"""Differential test: random CUE programs through `dagger eval` and the
reference `cue` (v0.4.3, for comparison only), reporting disagreements.

Usage: scripts/diff-cue.py [-n COUNT] [--seed S] [--eval] [--keep DIR]
                           [--gen py|fuzz] [--len BYTES] [--report FILE]
                           [--dagger PATH] [--cue PATH]

--gen py (the default) uses the small generator below; --gen fuzz uses the
grammar of the fuzz target eval_gen (fuzz/gen, `cue-gen`, built here with
cargo): program i of seed S is the one `cue-gen --seed S --from i -n 1`
prints, from --len random bytes. --report writes every disagreement with
the program and both outputs (Markdown), a start for
testdata/diff-cue-known.md.

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


def fuzz_programs(seed, n, length):
    """The programs of the fuzz generator (fuzz/gen), built on demand."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    manifest = os.path.join(root, "fuzz", "Cargo.toml")
    subprocess.run(
        ["cargo", "build", "--quiet", "--release", "--manifest-path", manifest, "-p", "cue-gen"],
        check=True,
    )
    exe = os.path.join(root, "fuzz", "target", "release", "cue-gen")
    out = subprocess.run(
        [exe, "--seed", str(seed), "-n", str(n), "--len", str(length)],
        check=True,
        capture_output=True,
    ).stdout
    return [p.decode() for p in out.split(b"\0")]


def kind(why):
    """The kind of a disagreement, for the summary."""
    if why.startswith("export: cue exit 0"):
        return "export: only ours fails"
    if why.startswith("export: cue exit"):
        return "export: only cue fails"
    if why.startswith("eval: cue exit 0"):
        return "eval: only ours fails"
    if why.startswith("eval: cue exit"):
        return "eval: only cue fails"
    return why.split(" (")[0]


def limits():
    # Both tools get 4 GiB of address space: a program that makes either
    # run away fails alone instead of starving the machine.
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


# The reference uses one OS thread, like us.
ENV = dict(os.environ, GOMAXPROCS="1")


def run(cmd, cwd):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=20,
                           env=ENV, preexec_fn=limits)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval", action="store_true")
    ap.add_argument("--keep")
    ap.add_argument("--gen", choices=["py", "fuzz"], default="py")
    ap.add_argument("--len", type=int, default=1024)
    ap.add_argument("--report")
    ap.add_argument("--dagger", default="target/release/dagger")
    ap.add_argument("--cue", default=os.path.expanduser("~/.cache/dagger-bench/bin/cue"))
    a = ap.parse_args()
    dagger = os.path.abspath(a.dagger)
    keep = a.keep or tempfile.mkdtemp(prefix="diff-cue-")
    os.makedirs(keep, exist_ok=True)
    if a.gen == "fuzz":
        programs = fuzz_programs(a.seed, a.n, a.len)
    else:
        g = Gen(random.Random(a.seed))
        programs = [g.program() for _ in range(a.n)]
    bad = 0
    kinds = {}
    report = open(a.report, "w") if a.report else None
    work = tempfile.mkdtemp()
    for i, src in enumerate(programs):
        with open(os.path.join(work, "in.cue"), "w") as f:
            f.write(src)
        rc_c, out_c = run([a.cue, "export", "--out", "json", "in.cue"], work)
        rc_d, out_d = run([dagger, "eval", "--out", "json", "in.cue"], work)
        why = None
        if rc_c is None and rc_d is None:
            why = "timeout: both"
        elif rc_c is None:
            why = f"timeout: cue (ours exit {rc_d})"
        elif rc_d is None:
            why = f"timeout: ours (cue exit {rc_c})"
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
            rc_c, out_c = run([a.cue, "eval", "in.cue"], work)
            rc_d, out_d = run([dagger, "eval", "in.cue"], work)
            if (rc_c == 0) != (rc_d == 0):
                why = f"eval: cue exit {rc_c}, ours exit {rc_d}"
            elif rc_c == 0 and out_c != out_d:
                why = "eval: text differs"
        if why:
            bad += 1
            kinds[kind(why)] = kinds.get(kind(why), 0) + 1
            path = os.path.join(keep, f"case{i:04d}.cue")
            with open(path, "w") as f:
                f.write(src)
            print(f"{path}: {why}")
            if report:
                report.write(f"## case {i} (seed {a.seed}, --gen {a.gen}): {why}\n\n")
                report.write("```cue\n" + src + ("" if src.endswith("\n") else "\n") + "```\n\n")
                for who, cmd in (("cue v0.4.3", a.cue), ("dagger", dagger)):
                    args = [cmd, "export", "--out", "json", "in.cue"] if who != "dagger" else [cmd, "eval", "--out", "json", "in.cue"]
                    if why.startswith("eval"):
                        args = [cmd, "eval", "in.cue"]
                    try:
                        p = subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=20,
                                           env=ENV, preexec_fn=limits)
                        text, rc = p.stdout + p.stderr, p.returncode
                    except subprocess.TimeoutExpired:
                        text, rc = "(no answer in 20s)\n", "timeout"
                    report.write(f"{who} (exit {rc}):\n\n```\n{text}```\n\n")
    for k, c in sorted(kinds.items(), key=lambda kc: -kc[1]):
        print(f"  {c:5d}  {k}")
    print(f"{len(programs) - bad} agree, {bad} disagree (seed {a.seed}, --gen {a.gen})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
