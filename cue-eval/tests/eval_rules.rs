//! The reference's observable evaluation rules (verified examples from the
//! design notes), each checked through the public API: exported JSON text
//! or the failing path and message.

use cue_eval::api::{evaluate, Source};

fn export(src: &str) -> Result<String, String> {
    let inst = evaluate(&[Source::new("in.cue", src)]).map_err(|e| e.to_string())?;
    inst.export()
        .map(|d| d.to_json())
        .map_err(|e| e.to_string())
}

fn compact(json: &str) -> String {
    json.split_whitespace().collect::<Vec<_>>().join("")
}

fn ok(src: &str) -> String {
    match export(src) {
        Ok(j) => compact(&j),
        Err(e) => panic!("export failed for {src:?}: {e}"),
    }
}

fn err(src: &str) -> String {
    match export(src) {
        Ok(j) => panic!("export succeeded for {src:?}: {j}"),
        Err(e) => e,
    }
}

#[test]
fn resolved_reference_cycle() {
    assert_eq!(ok("a: b + 1\nb: a - 1\na: 5"), r#"{"a":5,"b":4}"#);
    assert!(err("a: b + 1\nb: a - 1").contains("cycle"));
}

#[test]
fn mutual_references_are_top() {
    assert!(err("a: b\nb: a").contains("a: incomplete value _"));
}

#[test]
fn structural_cycle() {
    assert!(err("x: {a: x}").contains("x.a: structural cycle"));
    assert!(err("a: [a]").contains("a.0: structural cycle"));
    assert!(err("#A: {x: #B}\n#B: {y: #A}\nz: #A").contains("structural cycle"));
}

#[test]
fn long_reference_chains_do_not_overflow() {
    let mut src = String::new();
    for i in 0..5000 {
        src.push_str(&format!("a{i}: a{} + 1\n", i + 1));
    }
    src.push_str("a5000: 0\n");
    assert!(ok(&src).contains(r#""a0":5000"#));
}

#[test]
fn recursive_definition_with_finite_data() {
    let src = "#L: {h: _, t: #L | null}\nl: #L & {h: 1, t: {h: 2, t: null}}";
    assert_eq!(ok(src), r#"{"l":{"h":1,"t":{"h":2,"t":null}}}"#);
}

#[test]
fn default_rules() {
    assert_eq!(ok("a: *1 | 2"), r#"{"a":1}"#);
    assert!(err("a: (*1 | 2) & (1 | *2)").contains("incomplete value 1 | 2"));
    assert_eq!(
        ok(r#"a: (*"a" | *"b" | "c") & ("b" | "c")"#),
        r#"{"a":"b"}"#
    );
    assert!(err("h: *1 | *2 | 3").contains("h: incomplete value 1 | 2"));
    // Defaults do not propagate through operators.
    assert_eq!(ok("e: (*1 | 2) + 1"), r#"{"e":2}"#);
    assert!(err("x: (*1 | 2) + 1\nx: 3").contains("conflicting values"));
}

#[test]
fn number_semantics() {
    assert_eq!(
        ok("a: 100000000000000000000000000001 + 1"),
        r#"{"a":1.00000000000000000000000E+29}"#
    );
    assert_eq!(ok("a: 1 / 3"), r#"{"a":0.333333333333333333333333}"#);
    assert_eq!(ok("a: 3 * 1.10"), r#"{"a":3.30}"#);
    assert_eq!(
        ok("a: div(-7, 2)\nb: mod(-7, 2)\nc: quo(-7, 2)\nd: rem(-7, 2)"),
        r#"{"a":-4,"b":1,"c":-3,"d":-1}"#
    );
    assert_eq!(ok("a: 1.5K\nb: 1Ki"), r#"{"a":1500,"b":1024}"#);
    assert!(err("a: int & 5.0").contains("conflicting values"));
    assert!(err("a: 1 / 0").contains("division by zero"));
    assert_eq!(ok("a: 1 == 1.0"), r#"{"a":true}"#);
}

#[test]
fn strings_and_interpolation() {
    assert_eq!(ok(r#"a: len("é")"#), r#"{"a":2}"#);
    assert_eq!(ok(r#"a: "\(1e3)""#), r#"{"a":"1E+3"}"#);
    assert!(err(r#"a: "\(null)""#).contains("invalid interpolation"));
    assert_eq!(ok(r#"a: "ab" =~ "^a""#), r#"{"a":true}"#);
}

#[test]
fn field_order_follows_the_struct_merge() {
    assert_eq!(
        ok("w: {k: 1, j: 2}\nw: l: 3"),
        r#"{"w":{"k":1,"l":3,"j":2}}"#
    );
    assert_eq!(
        ok("x: y & {b: 1, a: 1}\ny: {a: 1, c: 2}"),
        r#"{"x":{"b":1,"a":1,"c":2},"y":{"a":1,"c":2}}"#
    );
}

#[test]
fn comprehensions_iterate_in_insertion_order() {
    let src = "a: {x: 1}\na: {y: 1, x: 1}\nb: [for k, _ in a {k}]";
    assert_eq!(ok(src), r#"{"a":{"y":1,"x":1},"b":["x","y"]}"#);
    assert_eq!(
        ok("l: [1, 2, 3]\nm: {for i, x in l if x > 1 {\"k\\(i)\": x}}"),
        r#"{"l":[1,2,3],"m":{"k1":2,"k2":3}}"#
    );
}

#[test]
fn open_lists_export_closed() {
    assert_eq!(ok("g: [...int]\nf: len(g)"), r#"{"g":[],"f":0}"#);
    assert!(err("a: [1, 2] & [1, 2, 3]").contains("incompatible list lengths"));
}

#[test]
fn closedness() {
    assert!(err("#A: {a: int}\nx: #A & {b: 1}").contains("field not allowed"));
    assert_eq!(
        ok("#A: {a: int}\nx: #A & {#b: 1, _c: 2, a: 1}"),
        r#"{"x":{"a":1}}"#
    );
    assert!(err("#A: {a: int}\nx: {#A} & {d: 1}").contains("field not allowed"));
    assert_eq!(
        ok("#A: {a: int, ...}\nx: #A & {a: 1, b: 1}"),
        r#"{"x":{"a":1,"b":1}}"#
    );
    assert!(err("x: close({a: 1}) & {b: 1}").contains("field not allowed"));
}

#[test]
fn patterns_apply_to_every_match() {
    let e = err("a: {[=~\"^x\"]: int, [string]: >0}\na: x2: -1");
    assert!(
        e.contains("a.x2: invalid value -1 (out of bound >0)"),
        "{e}"
    );
    assert_eq!(
        ok("a: [N=string]: {name: N}\na: foo: {}"),
        r#"{"a":{"foo":{"name":"foo"}}}"#
    );
}

#[test]
fn permanent_errors_hide_incomplete_ones() {
    let e = err("a: [1, 2][2]\nb: {x: 1}.y");
    assert!(e.contains("index out of range [2] with length 2"), "{e}");
    assert!(!e.contains("undefined field"), "{e}");
}

#[test]
fn errors_in_hidden_fields_fail_export() {
    assert!(err("_h: 1 & 2\na: 1").contains("conflicting values"));
}

#[test]
fn let_and_aliases() {
    assert_eq!(ok("let x = 2\na: x * 3"), r#"{"a":6}"#);
    assert_eq!(ok("a: X={b: 1, c: X.b + 1}"), r#"{"a":{"b":1,"c":2}}"#);
}

#[test]
fn bounds_simplify() {
    assert_eq!(ok("a: >=3 & <=3 & int"), r#"{"a":3}"#);
    assert_eq!(ok("a: >0 & <2 & int"), r#"{"a":1}"#);
    assert!(err("a: >10 & <5").contains("incompatible bounds"));
}

#[test]
fn expressions_in_the_instance_scope() {
    let inst = evaluate(&[Source::new("in.cue", "a: {b: 2}\nc: a.b * 10")]).expect("compiles");
    let v = inst.eval_expr("c + a.b").expect("expression compiles");
    assert_eq!(v.export().expect("exports").to_json().trim(), "22");
    assert!(inst.eval_expr("nope").is_err());
}

#[test]
fn unresolved_references_are_compile_errors() {
    let e = evaluate(&[Source::new("in.cue", "a: z")])
        .err()
        .expect("fails");
    assert!(e.to_string().contains(r#"reference "z" not found"#), "{e}");
}

#[test]
fn partial_disjuncts_merge_only_with_the_same_pending_disjunctions() {
    // Choosing `#E` leaves `"a" | "b"` pending; that partial result must
    // not absorb the list alternative, which has nothing more pending.
    let src = "#E: \"a\" | \"b\"\non: (#E | [...#E]) & (#E | [...#E]) & [\"a\"]";
    assert_eq!(ok(src), r#"{"on":["a"]}"#);
}

#[test]
fn closedness_waits_for_pending_disjunctions() {
    // The struct alternative of the second `#W` declares `on` only once
    // it is chosen.
    let src = "#W: {\n\tnull | {on: string, jobs?: [string]: int}\n}\n\
               _#bw: #W & {jobs: [string]: 1}\n\
               test: _#bw & {on: \"a\"}\nw: #W & test";
    assert_eq!(
        ok(src),
        r#"{"test":{"on":"a","jobs":{}},"w":{"on":"a","jobs":{}}}"#
    );
    assert!(err("#W: {null | {on: string}}\nw: #W & {on: \"a\", x: 1}").contains("not allowed"));
}

#[test]
fn a_reference_closes_its_target_anew() {
    // `_#step`'s list tail (from `#S`) declares `if` for the scopes of the
    // definitions that refer to it.
    let src = "#S: [...{if?: string, name?: string}]\n\
               _#step: (#S & [_])[0]\n_#ws: _#step & {name: \"w\"}\n\
               t: [_#ws & {if: \"c\"}]";
    assert_eq!(ok(src), r#"{"t":[{"if":"c","name":"w"}]}"#);
    assert!(
        err("#S: [...{name?: string}]\n_#step: (#S & [_])[0]\nt: [_#step & {if: \"c\"}]")
            .contains("field not allowed: if")
    );
}

#[test]
fn operands_written_as_types_or_bounds_are_permanent_errors() {
    let e = err("a: string + \":\"\na: \"x:\"");
    assert!(
        e.contains("a: invalid operand string ('+' requires concrete value)"),
        "{e}"
    );
    assert!(err("x: (>10 * 2) & 0").contains("invalid operand >10 ('*'"));
    // A reference to a non-concrete value stays incomplete.
    let e = err("a: b + 1\nb: int");
    assert!(e.contains("non-concrete value int in operand to +"), "{e}");
}

#[test]
fn ranging_over_a_non_list_type_is_permanent() {
    let e = err("k: {for v in e {v}}\ne: int");
    assert!(
        e.contains("k: cannot range over int (found int, want list or struct)"),
        "{e}"
    );
}

#[test]
fn invalid_labels_are_errors_of_their_struct() {
    let e = err("s: {\n\t_: 1\n\ta: 2\n}");
    assert!(e.contains("s: cannot use _ as label"), "{e}");
    let e = err("b: [for x in [1] {x}]: string");
    assert!(
        e.contains("b: comprehension values not allowed in this position"),
        "{e}"
    );
}

#[test]
fn a_non_concrete_index_is_incomplete() {
    let e = err("b: {\n\tidx: a[str]\n\tstr: string\n\ta: b: 4\n}");
    assert!(
        e.contains("invalid non-ground value string (must be concrete string)"),
        "{e}"
    );
    let inst = evaluate(&[Source::new("in.cue", "a: {b: 1}[s]\ns: string")]).unwrap();
    assert!(inst.eval_syntax().is_ok());
    assert!(err("top: _\na: [1][top]").contains("invalid index"));
}

#[test]
fn value_aliases_are_scoped_to_their_value() {
    let src = "s: X={b: 3, c: X.b}\nl: X=[1, 2, X[0]]";
    assert_eq!(ok(src), r#"{"s":{"b":3,"c":3},"l":[1,2,1]}"#);
}

#[test]
fn an_unknown_package_member_is_incomplete() {
    let src = "import \"list\"\nx: {\n\tif list.max < 0 {}\n}";
    let inst = evaluate(&[Source::new("in.cue", src)]).unwrap();
    assert!(inst.eval_syntax().is_ok());
    assert!(err(src).contains("undefined field: max"));
}

#[test]
fn scalars_embedded_next_to_constraints_stay_scalars() {
    // `...`, patterns and optional fields add no field: the value is the
    // embedded scalar with its definitions.
    let src = "t: {\n\t\"x\"\n\t#foo: \"bar\"\n}\n\
               #Def: {\n\t...\n\tbar?: int\n\t[string]: int\n\t#foo: string\n\t_\n}\n\
               check: t & #Def";
    assert_eq!(ok(src), r#"{"t":"x","check":"x"}"#);
    // `_` with definitions is not a struct.
    assert!(err("d: {_, #foo: 1}").contains("incomplete value _"));
}

#[test]
fn disjuncts_keep_the_labels_their_alternatives_declare() {
    // Partial results {} and {a: string} are equal in value but not in
    // what they allow; the result is a disjunction, checked per disjunct.
    let src = "#B: {\n\t*{} | {a: string}\n\t*{} | {b: int}\n}\n#A: #B & {a: \"x\"}\nv: #A";
    assert_eq!(ok(src), r#"{"v":{"a":"x"}}"#);
}

#[test]
fn error_paths_quote_labels_that_are_not_identifiers() {
    // Expected text from cue v0.4.3 (`cue export`).
    let e = err("\"a-b\": {\"#dev\": int, \"_x\": string, \"if\": int, ok: [{\"1a\": int}]}");
    for want in [
        "\"a-b\".\"#dev\": incomplete value int",
        "\"a-b\".\"_x\": incomplete value string",
        "\"a-b\".if: incomplete value int",
        "\"a-b\".ok.0.\"1a\": incomplete value int",
    ] {
        assert!(e.contains(want), "{want:?} not in {e}");
    }
}

#[test]
fn incomplete_conjunctions_have_no_position() {
    // As cue v0.4.3 prints them: `_` and conjunctions of constraints have
    // no position; a single type or bound points at its source.
    let first = |src: &str| {
        let inst = evaluate(&[Source::new("in.cue", src)]).expect("compiles");
        let errs = inst.export().expect_err("export fails");
        let e = errs.0[0].clone();
        let at: Vec<(u32, u32)> = e.positions.iter().map(|p| (p.line, p.col)).collect();
        (e.message, at)
    };
    assert_eq!(
        first("b: >=0 & <5"),
        ("incomplete value >=0 & <5".into(), vec![])
    );
    assert_eq!(first("c: _"), ("incomplete value _".into(), vec![]));
    assert_eq!(
        first("g: int & >0"),
        ("incomplete value >0 & int".into(), vec![])
    );
    assert_eq!(
        first("j: !=null"),
        ("incomplete value !=null".into(), vec![(1, 4)])
    );
    assert_eq!(
        first("d: int"),
        ("incomplete value int".into(), vec![(1, 4)])
    );
}

#[test]
fn compile_errors_name_their_field() {
    // Texts from cue v0.4.3: a default mark is only allowed on an
    // alternative of a disjunction; list elements add no path label.
    let e = |src: &str| {
        let errs = evaluate(&[Source::new("in.cue", src)])
            .err()
            .expect("fails");
        errs.0
            .iter()
            .map(|e| format!("{}: {}", e.path.join("."), e.message))
            .collect::<Vec<_>>()
    };
    let mark = "preference mark not allowed at this position";
    assert_eq!(e("a: {b: 1 & *2 | 3}"), [format!("a.b: {mark}")]);
    assert_eq!(e("a: (*1)"), [format!("a: {mark}")]);
    assert_eq!(e("let X = *1\na: X"), [format!("let[]: {mark}")]);
    assert_eq!(
        e("\"a-b\": [1, {c: y}]"),
        ["\"a-b\".c: reference \"y\" not found"]
    );
    assert_eq!(e("a: *(*1) | 2"), [format!("a: {mark}")]);
    assert_eq!(
        ok("a: *1 | (*2 | 3)\nb: (*1 | 2) & 1\nc: **1 | 2"),
        r#"{"a":1,"b":1,"c":1}"#
    );
}

#[test]
fn empty_disjunction_lists_each_alternative() {
    // As cue v0.4.3 reports it: a header without position, then each
    // alternative's error at its own path, all sorted by path and message.
    let inst = evaluate(&[Source::new(
        "in.cue",
        "#S: {type: \"circle\", r: number} | {type: \"rect\", w: number}\none: #S & {type: \"square\"}\n",
    )])
    .expect("compiles");
    let report = inst.export().expect_err("fails").report();
    let lines: Vec<&str> = report.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        lines,
        [
            "one: 2 errors in empty disjunction:",
            "one.type: conflicting values \"circle\" and \"square\":",
            "one.type: conflicting values \"rect\" and \"square\":",
        ]
    );
}
