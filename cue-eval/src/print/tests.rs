//! `cue eval` text for small inputs; expected texts are the reference's
//! (from `../shared/cue-conformance` `out/eval.cue` sections and the
//! evaluator notes' verified examples).

use crate::api::{evaluate, Source};
use cue_syntax::format::{format_file, FormatOptions};

fn eval_text(src: &str) -> Result<String, String> {
    let inst = evaluate(&[Source::new("in.cue", src)]).map_err(|e| format!("{e:?}"))?;
    let file = inst.eval_syntax().map_err(|e| format!("{e:?}"))?;
    Ok(format_file(&file, &FormatOptions::eval()))
}

fn check(src: &str, want: &str) {
    match eval_text(src) {
        Ok(got) => assert_eq!(got, want, "input:\n{src}"),
        Err(e) => panic!("eval failed for\n{src}\n{e}"),
    }
}

#[test]
fn defaults_and_disjunctions() {
    // Notes §8, verified example 1.
    check(
        "a: *1 | 2\nb: int | string\nh: *1 | *2 | 3\ne: (*1 | 2) + 1\n",
        "a: 1\nb: int | string\nh: 1 | 2\ne: 2\n",
    );
}

#[test]
fn definitions_shown_hidden_and_optional_left_out() {
    // Notes §8, verified example 2.
    check(
        "#Port: {name: string, port: *80 | int}\nsvc: {_tmp: 1, ports: [#Port & {name: \"http\"}], kind: \"a\" | \"b\", replicas?: int, tags: [...string]}\n",
        "#Port: {\n    name: string\n    port: 80\n}\nsvc: {\n    ports: [{\n        name: \"http\"\n        port: 80\n    }]\n    kind: \"a\" | \"b\"\n    tags: []\n}\n",
    );
}

#[test]
fn incomplete_expressions_print_as_source() {
    // Notes §8, verified example 3.
    check(
        "a: b + 1\nb: int\nf: len(g)\ng: [...int]\n",
        "a: b + 1\nb: int\nf: 0\ng: []\n",
    );
}

#[test]
fn named_int_ranges() {
    // conformance export/016.
    check(
        "{\n\tu16:  int & >=0 & <=65535\n\tu32:  uint32\n\tua:   uint16 & >0\n\tus:   >=0 & <10_000 & int\n\ti16:  >=-32768 & int & <=32767\n\ti32:  int32 & >0\n\tf64:  float64\n\tfi:   float64 & int\n}\n",
        "u16: uint16\nu32: uint32\nua:  uint16 & >0\nus:  uint & <10000\ni16: int16\ni32: int32 & >0\nf64: float64\nfi:  int & float64\n",
    );
}

#[test]
fn bounds_without_a_name_keep_their_order() {
    // conformance export/013.
    check("a: >=0 & <=10 & !=1\n", "a: >=0 & <=10 & !=1\n");
}

#[test]
fn quoted_labels_and_scalars() {
    // conformance export/004 and export/003.
    check(
        "{\n\t$type:  3\n\t\"_\":    int\n\t\"_foo\": int\n\t_bar:   int\n}\n",
        "$type:  3\n\"_\":    int\n\"_foo\": int\n",
    );
    check(
        "\"hello\\nworld\"\n",
        "\"\"\"\n    hello\n    world\n    \"\"\"\n",
    );
}

#[test]
fn floats_keep_a_fraction() {
    // conformance export/006.
    check(
        "{a: {b: 2.0, s: \"abc\"}, b: a.b, c: a.c, d: a[\"d\"], e: a.t[2:3]}\n",
        "a: {\n    b: 2.0\n    s: \"abc\"\n}\nb: 2.0\nc: a.c\nd: a[\"d\"]\ne: a.t[2:3]\n",
    );
}

#[test]
fn permanent_errors_fail_the_eval() {
    assert!(eval_text("a: 1 & 2\nb: c + 1\n").is_err());
    assert!(eval_text("#D: {x: 1 & 2}\n").is_err());
}

#[test]
fn operators_lose_spaces_inside_larger_expressions() {
    // conformance fulleval/021 (`s: "a"+d & "a"+d`) and notes §7
    // (`a: b+1 & int`).
    check(
        "a: b + 1 & int\nb: int\nc: (b + 1) * 2\n",
        "a: b+1 & int\nb: int\nc: (b + 1) * 2\n",
    );
}

#[test]
fn values_spanning_lines_align_with_the_fields_above() {
    // conformance export/030: `ref:    null | {` aligns, the run ends after it.
    check(
        "#Foo: {\n\tsgl: string\n\t\"#Foo\": 2\n\tref: null | {a: 1}\n\text: string | null\n\tref2: null | string\n}\n",
        "#Foo: {\n    sgl:    string\n    \"#Foo\": 2\n    ref:    null | {\n        a: 1\n    }\n    ext:  string | null\n    ref2: null | string\n}\n",
    );
}

#[test]
fn all_shows_hidden_and_optional_fields_in_place() {
    let inst = evaluate(&[Source::new("in.cue", "a: {x?: int, _h: 1, y: 2}\n")]).unwrap();
    let file = inst
        .eval_syntax_with(crate::print::PrintOptions::all())
        .unwrap();
    assert_eq!(
        format_file(&file, &FormatOptions::eval()),
        "a: {\n    x?: int\n    _h: 1\n    y:  2\n}\n"
    );
}

#[test]
fn text_with_newlines_prints_as_blocks() {
    // conformance export/003 shows the block form of strings; bytes and
    // incomplete interpolations use the same form.
    check(
        "b: 'hello\\nworld'\nx: string\ns: \"a\\(x)\\nb\"\n",
        "b: '''\n    hello\n    world\n    '''\nx: string\ns: \"\"\"\n    a\\(x)\n    b\n    \"\"\"\n",
    );
}

#[test]
fn scalars_and_lists_with_definitions_print_as_structs() {
    // The value is embedded: a scalar first (conformance comprehensions/issue843
    // prints `{ _ \n #c: [] }`), a list after the fields (reference
    // `structComposite` adds list elements last).
    check("l: {#d: 1, [1, 2]}\n", "l: {\n    #d: 1\n    [1, 2]\n}\n");
}

#[test]
fn lets_referred_to_by_incomplete_values_are_printed() {
    // conformance references/let (`incompleteLet.bar`): the binding comes
    // first in the struct that uses it.
    check(
        "bar: {\n\tlet mx = x.max\n\tmin: 1\n\tmax: mx\n}\nx: {...}\n",
        "bar: {\n    let mx = x.max\n    min: 1\n    max: mx\n}\nx: {}\n",
    );
}

#[test]
fn errors_below_scalars_fail_the_eval() {
    // Notes §7: any permanent error anywhere makes `cue eval` fail.
    assert!(eval_text("l: {\"b\", #a: 1 & 2}\n").is_err());
}

#[test]
fn pattern_aliases_keep_their_names() {
    // conformance export/025 prints `[X=_]: int` inside an incomplete value.
    check(
        "a: int\nb: {\n\t{[X=_]: X}\n\tif a > 4 {f: 4}\n}\n",
        "a: int\nb: {\n    {\n        [X=_]: X\n    }\n    if a > 4 {\n        f: 4\n    }\n}\n",
    );
}

#[test]
fn constraints_print_bounds_before_the_type() {
    // Notes §8: `int & >0` prints `>0 & int`, `=~"^a" & string` prints
    // `=~"^a"`, `>0 & int & <10` prints `uint & >0 & <10`.
    check(
        "a: int & >0\nb: =~\"^a\" & string\nc: >0 & int & <10\n",
        "a: >0 & int\nb: =~\"^a\"\nc: uint & >0 & <10\n",
    );
}
