//! Resource limits (`cue_eval::limits`): inputs that would run away end
//! with one located error, quickly; moderate sizes keep working (as they do
//! with the reference `cue` v0.4.3). Reports are the text `cue` prints.

use cue_eval::api::{evaluate_with, Source};
use cue_eval::limits::{Limits, DEFAULT_MAX_MEMORY};
use std::time::{Duration, Instant};

/// Wall time allowed for any single case here: they take milliseconds to a
/// few seconds in a debug build; without the limits they run until memory
/// is gone, so this bound only has to tell the two apart, even on a loaded
/// machine (speed is measured by the benchmarks, not here).
const QUICK: Duration = Duration::from_secs(60);

fn limits(max_memory: u64) -> Limits {
    Limits {
        max_memory,
        max_time: None,
    }
}

/// The export of `src` as JSON, or the error report.
fn export_with(src: &str, l: Limits) -> Result<String, String> {
    let start = Instant::now();
    let inst = evaluate_with(&[Source::new("in.cue", src)], l).map_err(|e| e.report())?;
    let out = inst.export().map(|d| d.to_json()).map_err(|e| e.report());
    assert!(start.elapsed() < QUICK, "took {:?}: {src}", start.elapsed());
    out
}

fn export(src: &str) -> Result<String, String> {
    export_with(src, limits(DEFAULT_MAX_MEMORY))
}

fn err(src: &str) -> String {
    match export(src) {
        Ok(j) => panic!("export succeeded for {src:?}: {j}"),
        Err(e) => e,
    }
}

fn ok(src: &str) -> String {
    match export(src) {
        Ok(j) => j.split_whitespace().collect(),
        Err(e) => panic!("export failed for {src:?}: {e}"),
    }
}

/// The `cue eval` text of `src`, or the error report.
fn eval(src: &str) -> Result<String, String> {
    let inst = evaluate_with(&[Source::new("in.cue", src)], limits(DEFAULT_MAX_MEMORY))
        .map_err(|e| e.report())?;
    inst.eval_syntax()
        .map(|f| format!("{f:?}"))
        .map_err(|e| e.report())
}

#[test]
fn repetition_past_the_limits_is_a_located_error() {
    assert_eq!(
        err("a: [1] * 100000000000\n"),
        "a: list repetition would make a list of 100000000000 elements (the limit is 1048576):\n    ./in.cue:1:4\n"
    );
    assert_eq!(
        err("x: 1\na: \"x\" * 100000000000\n"),
        "a: string repetition would make a string of 100000000000 bytes (the limit is 268435456):\n    ./in.cue:2:4\n"
    );
    assert_eq!(
        err("a: 100000000000 * 'xy'\n"),
        "a: bytes repetition would make a bytes value of 200000000000 bytes (the limit is 268435456):\n    ./in.cue:1:4\n"
    );
    // Counts beyond 64 bits are refused as before.
    assert!(err("a: \"x\" * 100000000000000000000\n").contains("too large"));
}

#[test]
fn moderate_repetitions_keep_working() {
    assert_eq!(ok("a: len(\"ab\" * 1000000)\n"), "{\"a\":2000000}");
    assert_eq!(ok("a: len('ab' * 1000000)\n"), "{\"a\":2000000}");
    assert_eq!(ok("a: len([1, 2] * 100000)\n"), "{\"a\":200000}");
    assert_eq!(ok("a: len([1] * 1048576)\n"), "{\"a\":1048576}");
    // An empty list repeated any number of times is empty, at once.
    assert_eq!(ok("a: [] * 100000000000\n"), "{\"a\":[]}");
    assert_eq!(ok("a: \"\" * 100000000000\n"), "{\"a\":\"\"}");
}

#[test]
fn library_builders_check_their_size_first() {
    let cases = [
        (
            "import \"list\"\na: list.Range(0, 100000000000, 1)\n",
            "error in call to list.Range: result of 100000000000 elements is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
        ),
        (
            "import \"list\"\na: list.Repeat([1, 2], 100000000000)\n",
            "error in call to list.Repeat: result of 200000000000 elements is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
        ),
        (
            "import \"strings\"\na: strings.Repeat(\"x\", 100000000000)\n",
            "error in call to strings.Repeat: result of 100000000000 bytes is too large (the limit is 268435456):\n    ./in.cue:2:4\n",
        ),
        (
            "import \"math/bits\"\na: bits.Lsh(1, 100000000000)\n",
            "error in call to math/bits.Lsh: result of 100000000001 bits is too large (the limit is 1048576):\n    ./in.cue:2:4\n",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(err(src), want, "{src}");
    }
    // Results that multiply their input are checked before being built.
    let big = "import \"strings\"\ns: strings.Repeat(\"x\", 1000000)\n";
    for call in [
        "strings.Replace(s, \"x\", strings.Repeat(\"y\", 1000), -1)",
        "strings.Join([s, s, s], strings.Repeat(\"-\", 300000000))",
    ] {
        let e = err(&format!("{big}a: {call}\n"));
        assert!(
            e.contains("is too large (the limit is 268435456)"),
            "{call}: {e}"
        );
    }
    let e = err("import \"regexp\"\nimport \"strings\"\na: regexp.ReplaceAll(\"x\", strings.Repeat(\"x\", 1000000), strings.Repeat(\"y\", 1000))\n");
    assert!(
        e.contains("error in call to regexp.ReplaceAll: result of"),
        "{e}"
    );
    let e = err("import \"strconv\"\na: strconv.FormatFloat(1.5, 102, 1000000000, 64)\n");
    assert!(
        e.contains("error in call to strconv.FormatFloat: result of"),
        "{e}"
    );
}

#[test]
fn moderate_library_results_keep_working() {
    let src = "import \"list\"\nimport \"strings\"\nimport \"math/bits\"\n\
               a: len(list.Range(0, 100000, 1))\n\
               b: len(list.Repeat([1, 2], 1000))\n\
               c: len(strings.Repeat(\"ab\", 1000000))\n\
               d: len(strings.Replace(strings.Repeat(\"x\", 1000), \"x\", \"yy\", -1))\n\
               e: bits.Lsh(1, 100000) > 1\n";
    assert_eq!(
        ok(src),
        "{\"a\":100000,\"b\":2000,\"c\":2000000,\"d\":2000,\"e\":true}"
    );
}

#[test]
fn numbers_keep_the_reference_exponent_range() {
    // Outputs verified with cue v0.4.3.
    assert_eq!(
        err("a: 1e100000 * 10\n"),
        "a: failed arithmetic: exponent out of range:\n    ./in.cue:1:4\n"
    );
    assert_eq!(
        err("a: 1e-100000 / 10\n"),
        "a: failed arithmetic: exponent out of range:\n    ./in.cue:1:4\n"
    );
    assert_eq!(
        err("import \"math\"\na: math.Pow(10, 1000000000)\n"),
        "error in call to math.Pow: exponent out of range:\n    ./in.cue:2:4\n"
    );
    assert_eq!(ok("a: 1e99999 * 10\n"), "{\"a\":1.0E+100000}");
    // A literal outside the range keeps its digits (the reference drops
    // the exponent it cannot represent).
    assert_eq!(ok("a: 1e1000000000\n"), "{\"a\":1}");
    assert_eq!(ok("a: 1e1000000000 + 1\n"), "{\"a\":2}");
    assert_eq!(ok("a: 1e1000000000 > 1\n"), "{\"a\":false}");
    assert_eq!(ok("a: 2.5e100001\n"), "{\"a\":25}");
    assert_eq!(ok("a: 1.5e-100001\n"), "{\"a\":15}");
    // Far apart exponents compare without scaling either number.
    assert_eq!(
        ok("a: 1e100000 > 1e-100000\nb: -1e100000 < 1e-100000\n"),
        "{\"a\":true,\"b\":true}"
    );
}

#[test]
fn recursion_through_a_definition_is_a_structural_cycle() {
    // As cue v0.4.3 reports it (no position).
    assert_eq!(
        err("#L: {n: int, next: #L & {n: n + 1}}\n"),
        "#L.next.next: structural cycle\n"
    );
    assert_eq!(
        err("#L: {n: int, next: [#L & {n: n + 1}]}\n"),
        "#L.next.0.next.0: structural cycle\n"
    );
    // Unifying it into a field ends too (the reference stops one level
    // sooner below `a`).
    let e = err("#L: {n: int, next: #L & {n: n + 1}}\na: #L & {n: 0}\n");
    assert!(e.starts_with("#L.next.next: structural cycle\n"), "{e}");
    assert!(e.contains("a.next.next.next: structural cycle\n"), "{e}");
    // Recursive schemas over finite data still work.
    assert_eq!(
        ok("#T: {c: [...#T]}\nx: #T & {c: [{c: [{c: [{}]}]}]}\n"),
        "{\"x\":{\"c\":[{\"c\":[{\"c\":[{\"c\":[]}]}]}]}}"
    );
    assert_eq!(
        ok("#L: {h: _, t: #L | null}\nx: #L & {h: 1, t: {h: 2, t: null}}\n"),
        "{\"x\":{\"h\":1,\"t\":{\"h\":2,\"t\":null}}}"
    );
}

#[test]
fn runaway_recursion_stops_at_the_depth_limit() {
    let src = "#F: {n: int, let N = n, r: int\n\tif n > 0 {r: (#F & {n: N - 1}).r + 1}\n\tif n == 0 {r: 0}\n}\nx: (#F & {n: 1000000}).r\n";
    let e = err(src);
    assert!(
        e.starts_with(
            "x: evaluation exceeds the depth limit (20000 nested evaluations; a recursion that does not end?):\n    ./in.cue:"
        ),
        "{e}"
    );
    assert_eq!(e.lines().count(), 2, "one error: {e}");
    // Shallow recursion of the same form evaluates.
    assert_eq!(ok(&src.replace("1000000", "50")), "{\"x\":50}");
}

#[test]
fn memory_limit_names_the_largest_value() {
    let mut src = String::from("a0: [1]\n");
    for i in 1..40 {
        src.push_str(&format!("a{i}: a{} + a{}\n", i - 1, i - 1));
    }
    let e = export_with(&src, limits(64 << 20)).unwrap_err();
    assert!(
        e.contains(
            ": evaluation exceeds the memory limit (64 MiB); the largest value is this list of "
        ),
        "{e}"
    );
    // One error, at the list's field and position.
    assert_eq!(e.lines().count(), 2, "{e}");
    let field: usize = e[1..e.find(':').unwrap()].parse().unwrap();
    assert!((10..20).contains(&field), "{e}");
    assert!(
        e.ends_with(&format!(
            "    ./in.cue:{}:{}\n",
            field + 1,
            4 + field.to_string().len()
        )),
        "{e}"
    );

    // Strings count their bytes.
    let mut src = String::from("s0: \"x\"\n");
    for i in 1..40 {
        src.push_str(&format!("s{i}: \"\\(s{})\\(s{})\"\n", i - 1, i - 1));
    }
    let e = export_with(&src, limits(64 << 20)).unwrap_err();
    assert!(
        e.contains("the memory limit (64 MiB); the largest value is this string of "),
        "{e}"
    );

    // Structs doubling through references.
    let mut src = String::from("a0: {x: 1}\n");
    for i in 1..40 {
        src.push_str(&format!("a{i}: {{l: a{}, r: a{}}}\n", i - 1, i - 1));
    }
    let e = export_with(&src, limits(64 << 20)).unwrap_err();
    assert!(
        e.contains("the largest value is this struct of 2 fields (about "),
        "{e}"
    );
}

#[test]
fn memory_limit_counts_what_an_export_copies_and_prints() {
    // One string copied into a library call many times.
    let src = "import \"encoding/json\"\ns: \"x\" * 10000000\na: len(json.Marshal([s, s, s, s, s, s, s, s, s, s]))\n";
    assert!(export_with(src, limits(DEFAULT_MAX_MEMORY)).is_ok());
    let e = export_with(src, limits(64 << 20)).unwrap_err();
    assert!(
        e.contains("evaluation exceeds the memory limit (64 MiB)"),
        "{e}"
    );
    // Nesting: the printed text grows with depth times values.
    let mut src = String::from("a0: {n: 0}\n");
    for i in 1..300 {
        src.push_str(&format!("a{i}: {{x: a{}}}\n", i - 1));
    }
    assert!(export_with(&src, limits(DEFAULT_MAX_MEMORY)).is_ok());
    let e = export_with(&src, limits(16 << 20)).unwrap_err();
    assert!(
        e.contains("evaluation exceeds the memory limit (16 MiB)"),
        "{e}"
    );
}

#[test]
fn time_limit_stops_evaluation() {
    let mut src = String::from("a0: {n: 0}\n");
    for i in 1..2000 {
        src.push_str(&format!("a{i}: {{x: a{}}}\n", i - 1));
    }
    let l = Limits {
        max_memory: DEFAULT_MAX_MEMORY,
        max_time: Some(Duration::from_millis(50)),
    };
    let start = Instant::now();
    let e = export_with(&src, l).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        e.contains(": evaluation exceeds the time limit (0.05s):\n    ./in.cue:"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 2, "{e}");
}

#[test]
fn limit_errors_fail_eval_output_too() {
    let e = eval("a: [1] * 100000000000\n").unwrap_err();
    assert!(
        e.starts_with("a: list repetition would make a list of"),
        "{e}"
    );
    let e = eval("#L: {n: int, next: #L & {n: n + 1}}\n").unwrap_err();
    assert_eq!(e, "#L.next.next: structural cycle\n");
}

#[test]
fn library_outputs_that_grow_while_built_are_bounded() {
    let yaml_bomb = {
        let mut lines = vec!["a0: &a0 [x, x, x, x, x, x, x, x, x, x]".to_string()];
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            lines.push(format!("a{i}: &a{i} [{refs}]"));
        }
        format!(
            "import \"encoding/yaml\"\nb: \"\"\"\n\t{}\n\t\"\"\"\na: len(yaml.Unmarshal(b).a9)\n",
            lines.join("\n\t")
        )
    };
    let cases = [
        (
            "import \"text/template\"\nimport \"list\"\nl: list.Range(0, 1000, 1)\na: len(template.Execute(\"{{range .}}{{range $}}{{range $}}x{{end}}{{end}}{{end}}\", l))\n".to_string(),
            "error in call to text/template.Execute: template: :execution takes more than 16777216 steps:",
        ),
        (
            "import \"text/template\"\na: template.Execute(\"{{range 100000000000}}x{{end}}\", {})\n".to_string(),
            "error in call to text/template.Execute: template: :range over 100000000000 takes more than 16777216 steps:",
        ),
        (
            "import \"text/tabwriter\"\nimport \"strings\"\nimport \"list\"\nw: strings.Repeat(\"x\", 100000)\na: len(tabwriter.Write([w + \"\\tx\"] + [for _ in list.Range(0, 100000, 1) {\"a\\tb\"}]))\n".to_string(),
            "error in call to text/tabwriter.Write: result of more than 268435456 bytes is too large:",
        ),
        (
            "import \"encoding/json\"\nimport \"strings\"\nimport \"list\"\nsrc: json.Marshal([for _ in list.Range(0, 100000, 1) {1}])\na: len(json.Indent(src, strings.Repeat(\" \", 100000), \"  \"))\n".to_string(),
            "error in call to encoding/json.Indent: result of more than 268435456 bytes is too large:",
        ),
        (
            "import \"encoding/json\"\nimport \"strings\"\ns: \"[\" + strings.Repeat(\"0,\", 5000000) + \"0]\"\na: len(json.Unmarshal(s))\n".to_string(),
            "error in call to encoding/json.Unmarshal: json: could not parse JSON: more than 4194304 values:",
        ),
        (
            yaml_bomb,
            "error in call to encoding/yaml.Unmarshal: yaml: line 7: document has more than 4194304 values (aliases counted in full):",
        ),
        (
            "import \"strings\"\na: strings.Split(strings.Repeat(\"x,\", 2000000), \",\")\n".to_string(),
            "error in call to strings.Split: result of 2000001 elements is too large (the limit is 1048576):",
        ),
    ];
    for (src, want) in cases {
        let e = err(&src);
        assert!(e.starts_with(want), "{src}\n{e}");
    }
    // Go's fmt refuses widths past a million.
    let out = export(
        "import \"text/template\"\na: template.Execute(\"{{printf \\\"%99999999d\\\" 1}}\", {})\n",
    )
    .unwrap();
    assert!(out.contains("\"%!(NOVERB)%!(EXTRA int=1)\""), "{out}");
}
