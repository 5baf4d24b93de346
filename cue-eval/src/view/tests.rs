use super::*;
use crate::api::{evaluate, Source};

fn eval(src: &str) -> Evaluated {
    evaluate(&[Source::new("in.cue", src)]).expect("evaluates")
}

fn p(segs: &[&str]) -> Vec<PathSeg> {
    segs.iter()
        .map(|s| match s.parse::<usize>() {
            Ok(i) => PathSeg::Index(i),
            Err(_) => PathSeg::Field(s.to_string()),
        })
        .collect()
}

fn at<'a>(inst: &'a Evaluated, path: &str) -> View<'a> {
    let segs: Vec<&str> = path.split('.').collect();
    inst.root()
        .lookup(&p(&segs))
        .unwrap_or_else(|| panic!("no {path}"))
}

fn string(s: &str) -> ViewKind {
    ViewKind::Scalar(Data::String(s.into()))
}

fn refs(inst: &Evaluated, path: &str) -> Vec<Vec<PathSeg>> {
    let v = if path.is_empty() {
        inst.root()
    } else {
        at(inst, path)
    };
    v.references()
}

fn paths(ps: &[&[&str]]) -> Vec<Vec<PathSeg>> {
    ps.iter().map(|x| p(x)).collect()
}

#[test]
fn embedded_scalar_keeps_definitions() {
    let inst = eval("x: {string, #compute: [1]}\ny: x & \"abc\"\n");
    let x = at(&inst, "x");
    assert_eq!(x.kind(), ViewKind::Incomplete("string".into()));
    let fields = x.fields();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0, "#compute");
    assert_eq!(fields[0].1, FieldKind::Definition);
    assert_eq!(fields[0].2.kind(), ViewKind::List);
    let y = at(&inst, "y");
    assert_eq!(y.kind(), string("abc"));
    let names: Vec<String> = y.fields().into_iter().map(|f| f.0).collect();
    assert_eq!(names, ["#compute"]);
    assert_eq!(
        at(&inst, "y.#compute.0").kind(),
        ViewKind::Scalar(Data::Number(1.into()))
    );
    assert!(inst.errors().0.is_empty(), "{:?}", inst.errors());
}

#[test]
fn regular_field_next_to_embedded_scalar_is_a_conflict() {
    let inst = eval("x: {\"abc\", a: 1}\n");
    assert!(
        matches!(at(&inst, "x").kind(), ViewKind::Bottom(m) if m.contains("conflicting values"))
    );
    assert_eq!(inst.errors().0.len(), 1);
    assert_eq!(inst.errors().0[0].path, ["x"]);
}

#[test]
fn kind_takes_defaults() {
    let inst = eval(concat!(
        "a: *\"/\" | string\n",
        "b: a & \"/x\"\n",
        "c: *{p: 1} | {q: 2}\n",
        "d: \"u\" | \"v\"\n",
        "e: *1 | *2 | 3\n",
        "f: int | *7\n",
    ));
    assert_eq!(at(&inst, "a").kind(), string("/"));
    assert_eq!(at(&inst, "b").kind(), string("/x"));
    assert_eq!(at(&inst, "c").kind(), ViewKind::Struct);
    let c: Vec<String> = at(&inst, "c").fields().into_iter().map(|f| f.0).collect();
    assert_eq!(c, ["p"]);
    assert_eq!(
        at(&inst, "d").kind(),
        ViewKind::Incomplete("\"u\" | \"v\"".into())
    );
    assert!(matches!(at(&inst, "e").kind(), ViewKind::Incomplete(_)));
    assert_eq!(
        at(&inst, "f").kind(),
        ViewKind::Scalar(Data::Number(7.into()))
    );
}

#[test]
fn fields_of_every_kind_in_order() {
    let inst = eval(concat!(
        "s: {\n",
        "\tb: 1\n",
        "\t#d: {x: 1}\n",
        "\t_h: \"h\"\n",
        "\to?: int\n",
        "\tset?: string\n",
        "\t_#hd: 2\n",
        "\ta: 2\n",
        "}\n",
        "s: set: \"yes\"\n",
    ));
    let fields: Vec<(String, FieldKind)> = at(&inst, "s")
        .fields()
        .into_iter()
        .map(|(l, k, _)| (l, k))
        .collect();
    let want = [
        ("b", FieldKind::Regular),
        ("#d", FieldKind::Definition),
        ("_h", FieldKind::Hidden),
        ("o", FieldKind::Optional),
        ("set", FieldKind::Regular),
        ("_#hd", FieldKind::Hidden),
        ("a", FieldKind::Regular),
    ];
    let want: Vec<(String, FieldKind)> = want.iter().map(|(l, k)| (l.to_string(), *k)).collect();
    assert_eq!(fields, want);
    let s = at(&inst, "s");
    let o = s.fields().into_iter().find(|f| f.0 == "o").unwrap().2;
    assert_eq!(o.kind(), ViewKind::Incomplete("int".into()));
    assert_eq!(at(&inst, "s.set").kind(), string("yes"));
    assert_eq!(at(&inst, "s._h").kind(), string("h"));
}

#[test]
fn incomplete_values_are_not_errors() {
    let inst = eval(concat!(
        "input: string\n",
        "ref: input\n",
        "msg: \"hello \\(input)\"\n",
        "n: >=1 & <10\n",
        "l: [input, 1]\n",
    ));
    assert_eq!(
        at(&inst, "input").kind(),
        ViewKind::Incomplete("string".into())
    );
    assert_eq!(
        at(&inst, "ref").kind(),
        ViewKind::Incomplete("string".into())
    );
    assert!(matches!(at(&inst, "msg").kind(), ViewKind::Incomplete(_)));
    assert_eq!(
        at(&inst, "n").kind(),
        ViewKind::Incomplete(">=1 & <10".into())
    );
    let l = at(&inst, "l");
    assert_eq!(l.kind(), ViewKind::List);
    let elems = l.elems();
    assert_eq!(elems.len(), 2);
    assert_eq!(elems[0].kind(), ViewKind::Incomplete("string".into()));
    assert_eq!(elems[1].kind(), ViewKind::Scalar(Data::Number(1.into())));
    assert!(inst.errors().0.is_empty());
}

#[test]
fn conflicts_are_reported_per_field_and_listed() {
    let inst = eval("a: 1\na: 2\nok: \"fine\"\n#d: {x: int & \"s\"}\n");
    assert_eq!(
        at(&inst, "a").kind(),
        ViewKind::Bottom("conflicting values 2 and 1".into())
    );
    assert_eq!(at(&inst, "ok").kind(), string("fine"));
    let errs = inst.errors().0;
    let paths: Vec<String> = errs.iter().map(|e| e.path.join(".")).collect();
    assert_eq!(paths, ["a", "#d.x"]);
    // A conflict has no primary position (line 0), then both values'.
    let lines: Vec<u32> = errs[0].positions.iter().map(|p| p.line).collect();
    assert_eq!(lines, [0, 2, 1]);
    assert_eq!(errs[0].positions[1].file, "in.cue");
}

#[test]
fn references_of_plain_and_selector_references() {
    let inst = eval(concat!(
        "a: b: c: 1\n",
        "r: a\n",
        "s: a.b.c\n",
        "t: r.b\n",
        "l: [1, 2]\n",
        "i: l[1]\n",
        "k: a[\"b\"]\n",
        "lit: 3\n",
    ));
    assert_eq!(refs(&inst, "r"), paths(&[&["a"]]));
    assert_eq!(refs(&inst, "s"), paths(&[&["a", "b", "c"]]));
    assert_eq!(refs(&inst, "t"), paths(&[&["r", "b"]]));
    assert_eq!(refs(&inst, "i"), paths(&[&["l", "1"]]));
    assert_eq!(refs(&inst, "k"), paths(&[&["a", "b"]]));
    assert!(refs(&inst, "lit").is_empty());
}

#[test]
fn references_through_interpolations_operators_and_builtin_calls() {
    let inst = eval(concat!(
        "import (\"encoding/json\"\n\"strings\")\n",
        "x: y: \"a\"\n",
        "z: \"b\"\n",
        "s: \"\\(x.y)-\\(z)\"\n",
        "j: json.Unmarshal(z)\n",
        "m: json.Marshal({k: z, l: [x.y]})\n",
        "u: strings.ToUpper(s) + z\n",
        "n: len(x) > 0\n",
    ));
    assert_eq!(refs(&inst, "s"), paths(&[&["x", "y"], &["z"]]));
    assert_eq!(refs(&inst, "j"), paths(&[&["z"]]));
    assert_eq!(refs(&inst, "m"), paths(&[&["z"], &["x", "y"]]));
    assert_eq!(refs(&inst, "u"), paths(&[&["s"], &["z"]]));
    assert_eq!(refs(&inst, "n"), paths(&[&["x"]]));
}

#[test]
fn references_belong_to_the_vertex_whose_conjunct_has_them() {
    let inst = eval(concat!(
        "e: {q: 1}\n",
        "w: 1\n",
        "s: {\n",
        "\te\n",
        "\ta: w\n",
        "\tb: {c: a}\n",
        "}\n",
        "l: [w, e.q]\n",
    ));
    assert_eq!(refs(&inst, "s"), paths(&[&["e"]]));
    assert_eq!(refs(&inst, "s.a"), paths(&[&["w"]]));
    assert!(refs(&inst, "s.b").is_empty());
    assert_eq!(refs(&inst, "s.b.c"), paths(&[&["s", "a"]]));
    assert!(refs(&inst, "l").is_empty());
    assert_eq!(refs(&inst, "l.0"), paths(&[&["w"]]));
    assert_eq!(refs(&inst, "l.1"), paths(&[&["e", "q"]]));
}

#[test]
fn references_inside_definitions_are_rebound_to_their_use() {
    let inst = eval(concat!(
        "#D: {input: string, out: \"got \\(input)\"}\n",
        "d: #D & {input: \"x\"}\n",
    ));
    assert_eq!(refs(&inst, "d"), paths(&[&["#D"]]));
    assert_eq!(at(&inst, "d.out").kind(), string("got x"));
    // The conjunct of `d.out` comes from #D's literal, bound to `d`.
    assert_eq!(refs(&inst, "d.out"), paths(&[&["d", "input"]]));
    assert_eq!(refs(&inst, "#D.out"), paths(&[&["#D", "input"]]));
}

#[test]
fn lets_and_comprehension_variables_stand_for_their_values() {
    let inst = eval(concat!(
        "src: {one: {x: 1}, two: {x: 2}}\n",
        "let L = src.one\n",
        "r: L.x\n",
        "out: {for k, v in src {\"\\(k)\": v.x}}\n",
        "lst: [for v in src {v.x + 1}]\n",
        "c: {if src.one.x == 1 {yes: true}}\n",
    ));
    assert_eq!(refs(&inst, "r"), paths(&[&["src", "one", "x"]]));
    assert_eq!(refs(&inst, "out"), paths(&[&["src"]]));
    assert_eq!(refs(&inst, "out.two"), paths(&[&["src", "two", "x"]]));
    assert_eq!(refs(&inst, "lst"), paths(&[&["src"]]));
    assert_eq!(refs(&inst, "lst.1"), paths(&[&["src", "two", "x"]]));
    assert_eq!(refs(&inst, "c"), paths(&[&["src", "one", "x"]]));
    assert_eq!(
        at(&inst, "c.yes").kind(),
        ViewKind::Scalar(Data::Bool(true))
    );
}

#[test]
fn root_references_come_from_embeddings() {
    let inst = eval("#Base: {a: 1}\n#Base\nb: 2\n");
    assert_eq!(refs(&inst, ""), paths(&[&["#Base"]]));
    assert_eq!(inst.root().path(), Some(vec![]));
    assert_eq!(at(&inst, "b").path(), Some(p(&["b"])));
}

#[test]
fn to_data_exports_a_subtree() {
    let inst = eval(concat!(
        "op: {do: \"exec\", dir: *\"/\" | string, #hidden: 1, args: [\"a\"]}\n",
        "open: {x: int}\n",
    ));
    let data = at(&inst, "op").to_data().expect("concrete");
    let want = Data::from_json(r#"{"do":"exec","dir":"/","args":["a"]}"#).unwrap();
    assert_eq!(data, want);
    let errs = at(&inst, "open").to_data().unwrap_err().0;
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].path, ["open", "x"]);
    assert_eq!(errs[0].message, "incomplete value int");
}

#[test]
fn shared_atom_disjunctions_keep_each_fields_path() {
    // Both `size` fields reach the same disjunction outcome, whose
    // alternatives the evaluator shares between them.
    let inst = eval("#S: {size: *\"s\" | \"m\"}\na: #S\nb: #S\nc: #S & {size: \"m\"}\n");
    for f in ["a", "b"] {
        let v = at(&inst, &format!("{f}.size"));
        assert_eq!(v.kind(), string("s"));
        assert_eq!(v.path(), Some(p(&[f, "size"])));
    }
    assert_eq!(at(&inst, "c.size").kind(), string("m"));
    assert!(inst.errors().0.is_empty(), "{:?}", inst.errors());
}
