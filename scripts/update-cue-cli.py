#!/usr/bin/env python3
"""Regenerate testdata/cue-cli: CUE's own command-line tests with what the
REFERENCE cue v0.4.3 prints for each of their commands.

Usage: scripts/update-cue-cli.py [--mirror GIT_DIR] [--list] [SCRIPT ...]
       (default: every selected script)

The scripts are `cmd/cue/cmd/testdata/script/*.txt` of cue-lang/cue at tag
v0.4.3 (testscript format), read with `git show` from a clone or mirror
($CUE_MIRROR, else /work/.mirror/cue-lang+cue/repo). A script is selected
when every `cue` command it runs is `cue eval`, `cue export`, `cue vet` or
`cue fmt`, and its other commands are testscript builtins that need no
program (`cmp`, `stdout`, `stderr`, `stdin`); see testdata/cue-cli/README.md.

For each selected script, its files are written into an empty work
directory and its `cue` commands run there in order with the reference
binary ($CUE, else ~/.cache/dagger-bench/bin/cue; scripts/bench-eval.sh
installs v0.4.3 there), every command regardless of what the script asserts
(its expect files can lag the release). Recorded per command: the arguments,
exit status, stdout, stderr and the files it created, changed or removed.
The builtins' assertions are not recorded: the recorded outputs are the
expectations. The work directory's path in outputs becomes `$WORK`.
Expected outputs must never come from our own binary.

Each script becomes testdata/cue-cli/NAME.txtar:

  -- script --              the testscript commands, as in CUE's file
  -- in/PATH --             the script's files (the work directory)
  -- out/N/cmd.json --      command N: {"argv": [...] (after `cue`),
                            "negated": the script's `!`, "stdin": FILE or
                            null, "exit": status, "nonl": outputs stored
                            with a newline added, "removed": [PATH...]}
  -- out/N/stdout --, -- out/N/stderr --, -- out/N/files/PATH --
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "testdata" / "cue-cli"
TAG = "v0.4.3"
SCRIPTS = "cmd/cue/cmd/testdata/script"
COMMANDS = {"eval", "export", "vet", "fmt"}
BUILTINS = {"cmp", "stdout", "stderr", "stdin"}
# Directories of the work directory that are the environment, not outputs.
HIDDEN = {".user-home", ".tmp"}


def git(mirror, *args):
    return subprocess.run(
        ["git", "--git-dir", mirror, *args], check=True, capture_output=True
    ).stdout


def parse_txtar(data):
    """(comment, [(name, bytes)]) with a newline added to each file that
    lacks one, as Go's txtar parser does."""
    comment, files, cur, buf = b"", [], None, []
    for line in data.splitlines(keepends=True):
        bare = line.rstrip(b"\n").rstrip(b"\r")
        if bare.startswith(b"-- ") and bare.endswith(b" --") and bare[3:-3].strip():
            if cur is None:
                comment = b"".join(buf)
            else:
                files.append((cur, b"".join(buf)))
            cur, buf = bare[3:-3].strip().decode(), []
        else:
            buf.append(line)
    if cur is None:
        comment = b"".join(buf)
    else:
        files.append((cur, b"".join(buf)))
    fix = lambda b: b if b == b"" or b.endswith(b"\n") else b + b"\n"
    return fix(comment), [(n, fix(d)) for n, d in files]


def words(line, env):
    """A testscript command line split into words: blanks separate words,
    single quotes quote (`''` inside is a quote), `$NAME` and `${NAME}`
    expand outside quotes; double quotes are ordinary characters."""
    out, cur, quoted, have, i = [], [], False, False, 0
    while i < len(line):
        c = line[i]
        if quoted:
            if c == "'":
                if line[i + 1 : i + 2] == "'":
                    cur.append("'")
                    i += 2
                    continue
                quoted = False
            else:
                cur.append(c)
        elif c in " \t":
            if have:
                out.append("".join(cur))
            cur, have = [], False
        elif c == "'":
            quoted = have = True
        elif c == "$":
            j = i + 1
            if line[j : j + 1] == "{":
                k = line.index("}", j)
                name, i = line[j + 1 : k], k
            else:
                k = j
                while k < len(line) and (line[k].isalnum() or line[k] == "_"):
                    k += 1
                name, i = line[j:k], k - 1
            cur.append(env.get(name, ""))
            have = True
        else:
            cur.append(c)
            have = True
        i += 1
    if quoted:
        raise ValueError(f"unterminated quote: {line}")
    if have:
        out.append("".join(cur))
    return out


def commands(script):
    """[(negated, cond, words)] of a script's command lines, with `$WORK`
    kept as is (expanded when run)."""
    out = []
    for line in script.decode().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cond = None
        if line.startswith("["):
            cond, line = line[1:].split("]", 1)
            line = line.strip()
        negated = line.startswith("!")
        if negated:
            line = line[1:].strip()
        out.append((negated, cond, words(line, {"WORK": "$WORK"})))
    return out


def selected(script):
    cmds = commands(script)
    cues = [w for _, _, w in cmds if w[0] == "cue"]
    return (
        bool(cues)
        and all(len(w) > 1 and w[1] in COMMANDS for w in cues)
        and all(w[0] in BUILTINS | {"cue"} and c is None for _, c, w in cmds)
    )


def snapshot(work):
    files = {}
    for root, dirs, names in os.walk(work):
        rel_root = Path(root).relative_to(work)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in HIDDEN]
        for n in names:
            p = Path(root, n)
            files[str(rel_root / n) if rel_root != Path(".") else n] = p.read_bytes()
    return files


def text(b, what):
    try:
        return b.decode()
    except UnicodeDecodeError:
        sys.exit(f"{what}: not UTF-8 text")


def section(name, body, nonl, what):
    s = text(body, what)
    for line in s.splitlines():
        if line.startswith("-- ") and line.endswith(" --"):
            sys.exit(f"{what}: a line looks like a txtar marker: {line!r}")
    if s and not s.endswith("\n"):
        s += "\n"
        nonl.append(name)
    return f"-- {name} --\n{s}"


def record(name, data, cue):
    comment, files = parse_txtar(data)
    parts = [
        f"# cue-cli: {SCRIPTS}/{name}.txt of cue-lang/cue {TAG}, with the\n"
        "# exit status, stdout, stderr and files of each `cue` command as the\n"
        "# reference cue v0.4.3 ran them (scripts/update-cue-cli.py).\n",
        section("script", comment, [], f"{name}: script"),
    ]
    for n, d in files:
        parts.append(section(f"in/{n}", d, [], f"{name}: {n}"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp).resolve() / "work"
        work.mkdir()
        for h in HIDDEN:
            (work / h).mkdir()
        for n, d in files:
            p = work / n
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(d)
        env = {
            "HOME": str(work / ".user-home"),
            "TMPDIR": str(work / ".tmp"),
            "WORK": str(work),
            "PATH": "/usr/bin:/bin",
        }
        before = snapshot(work)
        stdin, n = None, 0
        for negated, _, w in commands(comment):
            if w[0] == "stdin":
                stdin = w[1]
                continue
            if w[0] != "cue":
                continue
            n += 1
            argv = [a.replace("$WORK", str(work)) for a in w[1:]]
            feed = (work / stdin).read_bytes() if stdin else b""
            p = subprocess.run(
                [cue, *argv], cwd=work, env=env, input=feed, capture_output=True
            )
            after = snapshot(work)
            nonl = []
            out = [
                section(
                    f"out/{n}/stdout",
                    p.stdout.replace(str(work).encode(), b"$WORK"),
                    nonl,
                    f"{name}: command {n} stdout",
                ),
                section(
                    f"out/{n}/stderr",
                    p.stderr.replace(str(work).encode(), b"$WORK"),
                    nonl,
                    f"{name}: command {n} stderr",
                ),
            ]
            for path in sorted(after):
                if before.get(path) != after[path]:
                    out.append(
                        section(
                            f"out/{n}/files/{path}",
                            after[path],
                            nonl,
                            f"{name}: command {n} file {path}",
                        )
                    )
            meta = {
                "argv": w[1:],
                "negated": negated,
                "stdin": stdin,
                "exit": p.returncode,
                "nonl": [s[len(f"out/{n}/") :] for s in nonl],
                "removed": sorted(set(before) - set(after)),
            }
            parts.append(f"-- out/{n}/cmd.json --\n{json.dumps(meta)}\n")
            parts.extend(out)
            before, stdin = after, None
    return "".join(parts)


def main():
    args = sys.argv[1:]
    mirror = os.environ.get("CUE_MIRROR", "/work/.mirror/cue-lang+cue/repo")
    if args[:1] == ["--mirror"]:
        mirror, args = args[1], args[2:]
    only_list = args[:1] == ["--list"]
    if only_list:
        args = args[1:]
    cue = os.environ.get("CUE", str(Path.home() / ".cache/dagger-bench/bin/cue"))
    if not only_list:
        version = subprocess.run([cue, "version"], capture_output=True, text=True)
        if "v0.4.3" not in version.stdout:
            sys.exit(f"{cue} is not cue v0.4.3 (scripts/bench-eval.sh installs it)")
    names = [
        Path(p).stem
        for p in git(mirror, "ls-tree", "--name-only", f"{TAG}:{SCRIPTS}")
        .decode()
        .split()
        if p.endswith(".txt")
    ]
    chosen = []
    for name in sorted(names):
        data = git(mirror, "show", f"{TAG}:{SCRIPTS}/{name}.txt")
        if selected(parse_txtar(data)[0]) and (not args or name in args):
            chosen.append((name, data))
    if only_list:
        print("\n".join(n for n, _ in chosen))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    if not args:
        for old in OUT.glob("*.txtar"):
            old.unlink()
    for name, data in chosen:
        (OUT / f"{name}.txtar").write_text(record(name, data, cue))
    print(f"wrote {len(chosen)} scripts to {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
