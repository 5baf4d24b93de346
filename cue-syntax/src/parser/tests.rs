//! Parser tests: tree shapes for every construct, precedence, spans, and
//! error messages with recovery.

use crate::ast::*;
use crate::error::ParseErrorKind;
use crate::{parse_expr, parse_file, FileId};

fn expr(src: &str) -> Expr {
    match parse_expr(FileId(0), src) {
        Ok(e) => e,
        Err(e) => panic!("{src:?}: {}", e[0]),
    }
}

/// A compact rendering of an expression's structure: binary and unary
/// nodes in prefix form, leaves as written.
fn shape(e: &Expr) -> String {
    match e {
        Expr::Binary(b) => format!("({} {} {})", b.op.as_str(), shape(&b.lhs), shape(&b.rhs)),
        Expr::Unary(u) => format!("({} {})", u.op.as_str(), shape(&u.expr)),
        Expr::Paren(p) => format!("[{}]", shape(&p.expr)),
        Expr::Ident(i) => i.name.clone(),
        Expr::Number(n) => n.text.clone(),
        Expr::String(s) => format!("{:?}", s.value),
        Expr::Selector(s) => format!("{}.{}", shape(&s.base), s.sel.name()),
        Expr::Index(i) => format!("{}[{}]", shape(&i.base), shape(&i.index)),
        Expr::Call(c) => format!(
            "{}({})",
            shape(&c.func),
            c.args.iter().map(shape).collect::<Vec<_>>().join(",")
        ),
        Expr::Bottom(_) => "_|_".into(),
        Expr::Null(_) => "null".into(),
        other => format!("{other:?}"),
    }
}

fn file(src: &str) -> File {
    let (f, errors) = parse_file(FileId(0), src);
    assert!(errors.is_empty(), "{src:?}: {}", errors[0]);
    f
}

fn field(d: &Decl) -> &Field {
    match d {
        Decl::Field(f) => f,
        other => panic!("not a field: {other:?}"),
    }
}

#[test]
fn binary_operators_follow_the_spec_precedence() {
    assert_eq!(shape(&expr("a | b & c")), "(| a (& b c))");
    assert_eq!(shape(&expr("a & b | c")), "(| (& a b) c)");
    assert_eq!(
        shape(&expr("a || b && c == d + e * f")),
        "(|| a (&& b (== c (+ d (* e f)))))"
    );
    assert_eq!(shape(&expr("a * b + c")), "(+ (* a b) c)");
    assert_eq!(shape(&expr("1 - 2 - 3")), "(- (- 1 2) 3)");
    assert_eq!(shape(&expr("x / y * z")), "(* (/ x y) z)");
    assert_eq!(shape(&expr("a + b * c - d")), "(- (+ a (* b c)) d)");
    assert_eq!(shape(&expr("(a | b) & c")), "(& [(| a b)] c)");
    assert_eq!(shape(&expr("7 div 2 + 1 mod 3")), "(+ (div 7 2) (mod 1 3))");
    assert_eq!(shape(&expr("a =~ b & c !~ d")), "(& (=~ a b) (!~ c d))");
    // `div` is also a name: the builtin call form.
    assert_eq!(shape(&expr("div(7, 2)")), "div(7,2)");
}

#[test]
fn unary_operators_defaults_and_bounds() {
    assert_eq!(shape(&expr("*1 | 2")), "(| (* 1) 2)");
    assert_eq!(shape(&expr("string | *\"x\"")), "(| string (* \"x\"))");
    assert_eq!(
        shape(&expr(">=0 & <10 & !=5")),
        "(& (& (>= 0) (< 10)) (!= 5))"
    );
    assert_eq!(
        shape(&expr("=~\"a\" & !~\"b\"")),
        "(& (=~ \"a\") (!~ \"b\"))"
    );
    assert_eq!(shape(&expr("-a * !b")), "(* (- a) (! b))");
    assert_eq!(shape(&expr("a * *b")), "(* a (* b))");
}

#[test]
fn primaries_selectors_index_slice_call() {
    assert_eq!(shape(&expr("a.b.#c._d[0](1, 2).e")), "a.b.#c._d[0](1,2).e");
    assert_eq!(shape(&expr("a.\"b-c\"")), "a.b-c");
    match expr("l[1:]") {
        Expr::Slice(s) => assert!(s.lo.is_some() && s.hi.is_none()),
        other => panic!("{other:?}"),
    }
    match expr("l[:2]") {
        Expr::Slice(s) => assert!(s.lo.is_none() && s.hi.is_some()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn literals() {
    let f = file("a: 1_000\nb: 0x1F\nc: 1.5Ki\nd: .5\ne: 1e3\nf: \"s\\n\"\ng: 'b\\x00'\nh: _|_\ni: null\nj: true\n");
    let v: Vec<&Expr> = f.decls.iter().map(|d| &field(d).value).collect();
    assert!(matches!(v[0], Expr::Number(n) if n.text == "1_000" && n.kind == NumberKind::Int));
    assert!(matches!(v[2], Expr::Number(n) if n.text == "1.5Ki" && n.kind == NumberKind::Int));
    assert!(matches!(v[3], Expr::Number(n) if n.kind == NumberKind::Float));
    assert!(matches!(v[4], Expr::Number(n) if n.kind == NumberKind::Float));
    assert!(matches!(v[5], Expr::String(s) if s.value == "s\n"));
    assert!(matches!(v[6], Expr::Bytes(b) if b.value == b"b\0"));
    assert!(matches!(v[7], Expr::Bottom(_)));
    assert!(matches!(v[8], Expr::Null(_)));
    assert!(matches!(v[9], Expr::Bool(b) if b.value));
}

#[test]
fn multiline_and_raw_strings() {
    let f = file("a: \"\"\"\n    one\n      two\n    \"\"\"\nb: #\"x\\ny\"#\nc: '''\n\tz\n\t'''\n");
    let v: Vec<&Expr> = f.decls.iter().map(|d| &field(d).value).collect();
    assert!(matches!(v[0], Expr::String(s) if s.value == "one\n  two"));
    assert!(matches!(v[1], Expr::String(s) if s.value == "x\\ny"));
    assert!(matches!(v[2], Expr::Bytes(b) if b.value == b"z"));
}

#[test]
fn interpolations_are_split_in_parts_and_nest() {
    let Expr::Interpolation(i) = expr(r#""a\(x + 1)b\("c\(y)")""#) else {
        panic!("not an interpolation");
    };
    assert_eq!(i.parts.len(), 5);
    assert!(matches!(&i.parts[0], InterpPart::Text { value, .. } if value == b"a"));
    assert!(matches!(&i.parts[1], InterpPart::Expr(Expr::Binary(_))));
    assert!(matches!(&i.parts[2], InterpPart::Text { value, .. } if value == b"b"));
    assert!(matches!(
        &i.parts[3],
        InterpPart::Expr(Expr::Interpolation(_))
    ));
    assert!(matches!(&i.parts[4], InterpPart::Text { value, .. } if value.is_empty()));
    // Multi-line interpolations strip the closing quote's indentation.
    let Expr::Interpolation(i) = expr("\"\"\"\n  a \\(x)\n  b\n  \"\"\"") else {
        panic!("not an interpolation");
    };
    assert!(matches!(&i.parts[0], InterpPart::Text { value, .. } if value == b"a "));
    assert!(matches!(&i.parts[2], InterpPart::Text { value, .. } if value == b"\nb"));
}

#[test]
fn labels_of_every_kind() {
    let f = file(
        "a: 1\n#D: 2\n_h: 3\n_#hd: 4\n\"q\": 5\n\"\\(k)\": 6\n(k): 7\n[string]: 8\n[X=string]: X\nopt?: 9\nA=al: 10\nfor: 11\nin: 12\n",
    );
    let labels: Vec<&Label> = f.decls.iter().map(|d| &field(d).label).collect();
    assert!(matches!(labels[0], Label::Ident(i) if i.name == "a"));
    assert!(matches!(labels[1], Label::Definition(i) if i.name == "#D"));
    assert!(matches!(labels[2], Label::Hidden(i) if i.name == "_h"));
    assert!(matches!(labels[3], Label::Hidden(i) if i.kind() == IdentKind::HiddenDefinition));
    assert!(matches!(labels[4], Label::String(s) if s.value == "q"));
    assert!(matches!(labels[5], Label::Interpolated(_)));
    assert!(matches!(labels[6], Label::Paren(_)));
    assert!(matches!(labels[7], Label::Pattern(p) if p.alias.is_none()));
    assert!(
        matches!(labels[8], Label::Pattern(p) if p.alias.as_ref().is_some_and(|a| a.name == "X"))
    );
    assert!(field(&f.decls[9]).optional);
    assert_eq!(
        field(&f.decls[10]).alias.as_ref().map(|a| a.name.as_str()),
        Some("A")
    );
    assert!(matches!(labels[11], Label::Ident(i) if i.name == "for"));
    assert!(matches!(labels[12], Label::Ident(i) if i.name == "in"));
}

#[test]
fn shorthand_fields_are_elided_structs() {
    let f = file("a: b: c: 1 @x()\n");
    let a = field(&f.decls[0]);
    let Expr::Struct(s) = &a.value else { panic!() };
    assert!(s.elided);
    let b = field(&s.decls[0]);
    let Expr::Struct(s) = &b.value else { panic!() };
    let c = field(&s.decls[0]);
    assert_eq!(c.attributes.len(), 1);
    assert_eq!(c.attributes[0].name, "x");
}

#[test]
fn declarations_and_preamble() {
    let f = file(
        "@file(attr)\npackage p\nimport \"strings\"\nimport (\n\tm \"math\"\n\t\"list\"\n)\nlet x = 1\n#A\n...\nfor k, v in a if v let w = v { (k): w }\nif true { b: 1 }\na: int @go(A,opt) @json(\"a,omitempty\")\n",
    );
    assert!(
        matches!(&f.decls[0], Decl::Attribute(a) if a.attribute.name == "file" && a.attribute.body == "attr")
    );
    assert_eq!(f.package().map(|p| p.name.name.as_str()), Some("p"));
    let imports: Vec<(&str, Option<&str>)> = f
        .imports()
        .map(|i| {
            (
                i.path.value.as_str(),
                i.alias.as_ref().map(|a| a.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        imports,
        vec![("strings", None), ("math", Some("m")), ("list", None)]
    );
    assert!(matches!(&f.decls[4], Decl::Let(l) if l.name.name == "x"));
    assert!(
        matches!(&f.decls[5], Decl::Embed(e) if matches!(&e.expr, Expr::Ident(i) if i.name == "#A"))
    );
    assert!(matches!(&f.decls[6], Decl::Ellipsis(e) if e.value.is_none()));
    let Decl::Comprehension(c) = &f.decls[7] else {
        panic!()
    };
    assert_eq!(c.clauses.len(), 3);
    assert!(
        matches!(&c.clauses[0], Clause::For { key: Some(k), value, .. } if k.name == "k" && value.name == "v")
    );
    assert!(matches!(&c.clauses[1], Clause::If { .. }));
    assert!(matches!(&c.clauses[2], Clause::Let { .. }));
    let a = field(&f.decls[9]);
    assert_eq!(a.attributes[1].body, "\"a,omitempty\"");
}

#[test]
fn lists_with_comprehensions_and_ellipsis() {
    let Expr::List(l) = expr("[1, for x in y if x > 1 {x}, ...int]") else {
        panic!()
    };
    assert_eq!(l.elems.len(), 2);
    assert!(matches!(l.elems[1].kind, ElementKind::Comprehension(_)));
    assert!(matches!(&l.ellipsis, Some(e) if e.value.is_some()));
    let Expr::List(l) = expr("[...]") else {
        panic!()
    };
    assert!(l.elems.is_empty() && l.ellipsis.is_some());
    let Expr::List(l) = expr("[\n\t1,\n\t2,\n]") else {
        panic!()
    };
    assert_eq!(l.elems.len(), 2);
}

#[test]
fn spans_cover_the_source_of_each_node() {
    let src = "a: {\n\tb: x.y + 1\n}\n";
    let f = file(src);
    let a = field(&f.decls[0]);
    assert_eq!(&src[a.span.range()], "a: {\n\tb: x.y + 1\n}");
    let Expr::Struct(s) = &a.value else { panic!() };
    let b = field(&s.decls[0]);
    assert_eq!(&src[b.span.range()], "b: x.y + 1");
    assert_eq!(&src[b.value.span().range()], "x.y + 1");
    let Expr::Binary(bin) = &b.value else {
        panic!()
    };
    assert_eq!(&src[bin.lhs.span().range()], "x.y");
}

#[test]
fn comments_are_attached_to_the_nearest_item() {
    let f = file("// doc a\na: 1 // after a\n\n// doc b\nb: {\n\tc: 2 // after c\n\t// end of b\n}\n// end of file\n");
    let a = f.decls[0].comments();
    assert_eq!(a.leading[0].text, "// doc a");
    assert_eq!(a.trailing[0].text, "// after a");
    let b = f.decls[1].comments();
    assert_eq!(b.leading[0].text, "// doc b");
    assert!(b.leading[0].blank_line_before);
    let Expr::Struct(s) = &field(&f.decls[1]).value else {
        panic!()
    };
    assert_eq!(s.decls[0].comments().trailing[0].text, "// after c");
    assert_eq!(s.trailing_comments[0].text, "// end of b");
    assert_eq!(f.trailing_comments[0].text, "// end of file");
}

#[test]
fn commas_are_needed_between_list_elements_and_inserted_at_newlines() {
    assert!(parse_file(FileId(0), "a: 1\nb: 2").1.is_empty());
    assert!(parse_file(FileId(0), "a: 1 b: 2").1.len() == 1);
    // A newline after an operand ends the declaration.
    assert!(!parse_file(FileId(0), "a: 1\n+ 2 +").1.is_empty());
    assert!(parse_file(FileId(0), "a: 1 +\n2").1.is_empty());
}

#[test]
fn errors_say_what_was_found_and_expected_and_recover() {
    let (f, errors) = parse_file(FileId(0), "a: {\n\tb: 1 +\n}\nc: d e\nf: 2\n");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        errors[0].kind,
        ParseErrorKind::UnexpectedToken {
            found: "`}`".to_string(),
            expected: vec!["expression".to_string()],
        }
    );
    assert_eq!(errors[0].span.start, 13);
    match &errors[1].kind {
        ParseErrorKind::UnexpectedToken { found, expected } => {
            assert_eq!(found, "identifier `e`");
            assert!(expected.contains(&"operator".to_string()), "{expected:?}");
        }
        other => panic!("{other:?}"),
    }
    // The declaration after the errors is still in the tree.
    assert!(f
        .decls
        .iter()
        .any(|d| matches!(d, Decl::Field(f) if f.label.static_name() == Some("f"))));
}

#[test]
fn errors_render_with_file_line_and_column() {
    let mut map = crate::SourceMap::new();
    let id = map.add("x.cue", "a: 1\nb: ]\n");
    let (_, errors) = map.parse(id);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "x.cue:2:4: unexpected `]`, expected one of expression, `for`, `if` or `let`"
    );
    use miette::Diagnostic;
    let label = errors[0]
        .labels()
        .and_then(|mut l| l.next())
        .expect("a label");
    assert_eq!(label.offset(), 8);
}

#[test]
fn misplaced_preamble_is_an_error() {
    let errors = parse_file(FileId(0), "a: 1\npackage p\n").1;
    assert_eq!(errors[0].kind, ParseErrorKind::MisplacedPackage);
    let errors = parse_file(FileId(0), "a: 1\nimport \"x\"\n").1;
    assert_eq!(errors[0].kind, ParseErrorKind::MisplacedImport);
}

#[test]
fn pattern_with_a_comprehension_parses_for_the_evaluator_to_reject() {
    let f = file("bad: [for x in [1] {x}]: string\n");
    let Expr::Struct(s) = &field(&f.decls[0]).value else {
        panic!()
    };
    let inner = field(&s.decls[0]);
    assert!(matches!(&inner.label, Label::Pattern(p) if matches!(p.expr, Expr::List(_))));
    assert_eq!(
        parse_file(FileId(0), "x: [a, b]: 1").1[0].kind,
        ParseErrorKind::InvalidPattern
    );
}

#[test]
fn in_is_an_identifier_outside_a_for_clause_head() {
    assert_eq!(shape(&expr("in")), "in");
    assert_eq!(shape(&expr("in + a.b")), "(+ in a.b)");
    let f = file(
        "in: 2\nz: in\ns: \"\\(in)\"\nx: [for k, v in in {v}]\ny: [for v in in if in > 0 {in}]\n",
    );
    assert!(matches!(&field(&f.decls[0]).label, Label::Ident(i) if i.name == "in"));
    assert!(matches!(&field(&f.decls[1]).value, Expr::Ident(i) if i.name == "in"));
    match &field(&f.decls[2]).value {
        Expr::Interpolation(i) => assert!(
            matches!(&i.parts[..], [_, InterpPart::Expr(Expr::Ident(id)), _] if id.name == "in"),
            "{i:?}"
        ),
        other => panic!("not an interpolation: {other:?}"),
    }
    for (n, d) in f.decls[3..].iter().enumerate() {
        let Expr::List(l) = &field(d).value else {
            panic!("not a list: {d:?}");
        };
        let ElementKind::Comprehension(c) = &l.elems[0].kind else {
            panic!("not a comprehension: {l:?}");
        };
        let Clause::For { value, source, .. } = &c.clauses[0] else {
            panic!("not a for clause: {c:?}");
        };
        assert_eq!(value.name, "v", "decl {n}");
        assert!(
            matches!(source, Expr::Ident(i) if i.name == "in"),
            "decl {n}"
        );
    }
}

#[test]
fn in_cannot_be_the_variable_of_a_for_clause() {
    // As in the reference parser, `in` right after `for` stays a keyword.
    let (_, errors) = parse_file(FileId(0), "x: [for in in [1] {in}]\n");
    assert!(!errors.is_empty());
    assert!(
        matches!(
            &errors[0].kind,
            ParseErrorKind::UnexpectedToken { found, .. } if found == "`in`"
        ),
        "{errors:?}"
    );
}

#[test]
fn keywords_are_identifiers_where_their_construct_cannot_start() {
    // The cases checked against the reference parser (cue v0.4.3).
    let f = file(
        "for: 1\nif: true\nlet: 2\nimport: 3\na: for + 1\nb: -if\nc: x.package\nd: x.import\n\
         e: {let}\nf: [let]\ng: [if if {1}]\nh: {if if {a: 1}}\ni: f(for, let)\n",
    );
    let value = |n: usize| &field(&f.decls[n]).value;
    assert_eq!(shape(value(4)), "(+ for 1)");
    assert_eq!(shape(value(5)), "(- if)");
    assert_eq!(shape(value(6)), "x.package");
    assert_eq!(shape(value(7)), "x.import");
    let Expr::Struct(s) = value(8) else {
        panic!("{:?}", value(8));
    };
    assert!(matches!(&s.decls[0], Decl::Embed(e) if shape(&e.expr) == "let"));
    let Expr::List(l) = value(9) else {
        panic!("{:?}", value(9));
    };
    assert!(matches!(&l.elems[0].kind, ElementKind::Expr(e) if shape(e) == "let"));
    for n in [10, 11] {
        let clauses = match value(n) {
            Expr::List(l) => match &l.elems[0].kind {
                ElementKind::Comprehension(c) => &c.clauses,
                other => panic!("{other:?}"),
            },
            Expr::Struct(s) => match &s.decls[0] {
                Decl::Comprehension(c) => &c.clauses,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert!(
            matches!(&clauses[..], [Clause::If { cond: Expr::Ident(i), .. }] if i.name == "if"),
            "{clauses:?}"
        );
    }
    assert_eq!(shape(value(12)), "f(for,let)");
}

#[test]
fn keywords_that_start_a_construct_stay_keywords() {
    // Each is an error in the reference parser too: `for`, `if`, `let` and
    // `in` are not selectors, and `for` at the start of an element or
    // declaration starts a comprehension.
    for src in [
        "b: a.for\n",
        "b: a.if\n",
        "b: a.let\n",
        "b: a.in\n",
        "b: [for]\n",
        "b: {for}\n",
    ] {
        let (_, errors) = parse_file(FileId(0), src);
        assert!(!errors.is_empty(), "{src:?} parsed");
    }
    // A clause after an operand: `let` and `for` start the next clause.
    let f = file("x: [for k, v in y let z = v if z for w in z {w}]\n");
    let Expr::List(l) = &field(&f.decls[0]).value else {
        panic!("{:?}", f.decls[0]);
    };
    let ElementKind::Comprehension(c) = &l.elems[0].kind else {
        panic!("{l:?}");
    };
    assert_eq!(c.clauses.len(), 4, "{c:?}");
}
