//! Printing then re-parsing gives the same tree (positions, literal source
//! text and comment placement aside; comment texts must all survive), and
//! printing is idempotent. Checked over the conformance corpus and over
//! generated inputs.

mod common;

use cue_syntax::format::{format_file_with_source, FormatOptions};
use cue_syntax::{parse_file, testing, FileId};
use proptest::prelude::*;

/// Checks the round trip of one source text; `Err` describes the failure.
fn round_trip(src: &str) -> Result<(), String> {
    let opts = FormatOptions::tabs();
    let (mut first, errors) = parse_file(FileId(0), src);
    if !errors.is_empty() {
        return Err(format!("input does not parse: {}", errors[0]));
    }
    let printed = format_file_with_source(&first, src, &opts);
    let (mut second, errors) = parse_file(FileId(0), &printed);
    if !errors.is_empty() {
        return Err(format!(
            "printed text does not parse: {}\n{printed}",
            errors[0]
        ));
    }
    let again = format_file_with_source(&second, &printed, &opts);
    if again != printed {
        return Err(format!(
            "printing is not idempotent:\n{printed}\n----\n{again}"
        ));
    }
    let c1 = testing::strip(&mut first);
    let c2 = testing::strip(&mut second);
    if c1 != c2 {
        return Err(format!("comments differ: {c1:?} vs {c2:?}\n{printed}"));
    }
    if first != second {
        return Err(format!("trees differ after printing:\n{printed}"));
    }
    Ok(())
}

#[test]
fn corpus_round_trips() {
    let Some(dir) = common::corpus_dir() else {
        eprintln!("conformance corpus not found next to the repository; skipping");
        return;
    };
    let mut failures = Vec::new();
    let mut n = 0;
    for (path, name, body) in common::corpus_inputs(&dir) {
        if parse_file(FileId(0), &body).1.is_empty() {
            n += 1;
            if let Err(e) = round_trip(&body) {
                failures.push(format!("{}: {name}: {e}", path.display()));
            }
        }
    }
    eprintln!("corpus: {n} files round-tripped");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Inputs the fuzzer found; each once broke the round trip.
#[test]
fn fuzz_regressions_round_trip() {
    let cases = [
        "a: 1 & int\nb: numbe2 & 1\nc: 1.0\n1\nc: 1.0\nc: flonull: int & // _|:e_ \n\"4\" & string\nf: true\nf: bool\n",
    ];
    for src in cases {
        if let Err(e) = round_trip(src) {
            panic!("{src:?}: {e}");
        }
    }
}

// ---------------------------------------------------------------------------
// Generated inputs: CUE source text from a small random grammar.

fn ident() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "x1", "#D", "_h", "_#hd", "$v", "div", "αβ", "_",
    ])
    .prop_map(str::to_string)
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "a", "b", "x1", "#D", "_h", "_#hd", "for", "in", "if", "let", "true", "null"
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec!["\"q-s\"", "\"a b\"", "#\"raw\"#"]).prop_map(str::to_string),
    ]
}

fn literal() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "1",
        "0",
        "0x1F",
        "0o17",
        "0b101",
        "1_000",
        "1.5Ki",
        "2M",
        "2.5",
        ".5",
        "1e3",
        "1.e+0",
        "\"s\"",
        "\"esc\\n\\\"\\t\"",
        "\"\"",
        "#\"r\\(x)\"#",
        "'b\\x00\\377'",
        "''",
        "null",
        "true",
        "false",
        "_|_",
        "\"\"\"\n\tml\n\t  two\n\t\"\"\"",
    ])
    .prop_map(str::to_string)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![literal(), ident()];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "|", "&", "||", "&&", "==", "!=", "<", "<=", ">", ">=", "=~", "!~", "+", "-",
                    "*", "/", "div", "mod", "quo", "rem"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (
                prop::sample::select(vec!["-", "+", "!", "*", ">=", "<", "!=", "=~", "!~"]),
                inner.clone()
            )
                .prop_map(|(op, a)| format!("{op} {a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (ident(), ident()).prop_map(|(a, b)| format!("{a}.{b}")),
            (ident(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}]")),
            (ident(), inner.clone()).prop_map(|(a, i)| format!("{a}[{i}:]")),
            (ident(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
            (
                prop::collection::vec(inner.clone(), 0..3),
                proptest::option::of(ident())
            )
                .prop_map(|(v, t)| {
                    let mut parts = v;
                    parts.push(format!("...{}", t.unwrap_or_default()));
                    format!("[{}]", parts.join(", "))
                }),
            inner.clone().prop_map(|a| format!("\"x\\({a})y\"")),
            inner.clone().prop_map(|a| format!("#\"x\\#({a})\"#")),
            inner
                .clone()
                .prop_map(|a| format!("\"\"\"\n\tx\\({a})\n\t\"\"\"")),
            (ident(), inner.clone()).prop_map(|(x, a)| format!("[for {x} in {a} {{{x}}}]")),
            prop::collection::vec((label(), inner.clone()), 0..3).prop_map(|fs| {
                let body: Vec<String> = fs.into_iter().map(|(l, v)| format!("{l}: {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

fn decl() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (label(), expr()).prop_map(|(l, v)| format!("{l}: {v}")),
        1 => (label(), expr()).prop_map(|(l, v)| format!("{l}?: {v}")),
        1 => (label(), label(), expr()).prop_map(|(a, b, v)| format!("{a}: {b}: {v}")),
        1 => expr().prop_map(|v| format!("[string]: {v}")),
        1 => (ident(), expr()).prop_map(|(x, v)| format!("[X=string]: {x} & {v}")),
        1 => (label(), expr()).prop_map(|(l, v)| format!("X={l}: Y= {v}")),
        1 => (label(), expr()).prop_map(|(l, v)| format!("{l}: {v} @go(A,\"b\") @x()")),
        1 => expr().prop_map(|v| format!("let l1 = {v}")),
        1 => expr().prop_map(|v| format!("({v}): 1")),
        1 => expr(),
        1 => expr().prop_map(|v| format!("...{v}")),
        1 => (expr(), label(), expr()).prop_map(|(s, l, v)| format!("for k, v in {s} if v > 1 let w = v {{\n{l}: {v}\n}}")),
        1 => (expr(), expr()).prop_map(|(c, v)| format!("if {c} {{ a: {v} }}")),
        1 => Just("@attr(x, {y}, [z])".to_string()),
        1 => (label(), prop::collection::vec(expr(), 0..4)).prop_map(|(l, v)| {
            format!("{l}: [\n{}\n]", v.iter().map(|e| format!("{e}, // c")).collect::<Vec<_>>().join("\n"))
        }),
    ]
}

fn file() -> impl Strategy<Value = String> {
    (
        proptest::option::of(Just("package p\n")),
        proptest::option::of(Just("import \"strings\"\nimport (\n\tm \"math\"\n)\n")),
        prop::collection::vec(
            (
                decl(),
                prop::sample::select(vec![
                    "\n",
                    "\n\n",
                    ", ",
                    " // trailing\n",
                    "\n// own line\n",
                ]),
            ),
            0..8,
        ),
    )
        .prop_map(|(p, i, decls)| {
            let mut s = String::new();
            s.push_str(p.unwrap_or_default());
            s.push_str(i.unwrap_or_default());
            for (d, sep) in decls {
                s.push_str(&d);
                s.push_str(sep);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn generated_files_round_trip(src in file()) {
        let (_, errors) = parse_file(FileId(0), &src);
        // The generator only writes valid CUE; a rejection is a parser bug.
        prop_assert!(errors.is_empty(), "generated input does not parse:\n{}\n{}", src, errors[0]);
        if let Err(e) = round_trip(&src) {
            prop_assert!(false, "source:\n{}\n{}", src, e);
        }
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        let _ = parse_file(FileId(0), &src);
    }

    #[test]
    fn cue_like_text_never_panics(src in "[a-z#_ \n:{}\\[\\](),.\"'\\\\|&*=<>!~0-9@/+-]{0,200}") {
        let (f, _) = parse_file(FileId(0), &src);
        let _ = cue_syntax::format::format_file(&f, &FormatOptions::tabs());
    }
}
