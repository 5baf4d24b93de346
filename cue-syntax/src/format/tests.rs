use super::*;

fn fmt(src: &str) -> String {
    match format_source(src, &FormatOptions::tabs()) {
        Ok(s) => s,
        Err(e) => panic!("{src:?} does not parse: {e:?}"),
    }
}

#[test]
fn aligns_values_of_consecutive_simple_fields() {
    assert_eq!(
        fmt("a: 1\nlonger: \"x\"\nc: {\nd: 1\n}\ne: 2\nff: 3\n"),
        "a:      1\nlonger: \"x\"\nc: {\n\td: 1\n}\ne:  2\nff: 3\n"
    );
}

#[test]
fn blank_lines_and_comments_break_alignment_runs() {
    assert_eq!(
        fmt("a: 1\n\n\n\nbbb: 2\n// doc\ncc: 3\n"),
        "a: 1\n\nbbb: 2\n// doc\ncc: 3\n"
    );
}

#[test]
fn keeps_comments_and_aligns_trailing_ones() {
    assert_eq!(
        fmt("// head\n\na: 1 // one\nbbb: 22 // two\n// tail\n"),
        "// head\n\na:   1  // one\nbbb: 22 // two\n// tail\n"
    );
    assert_eq!(
        fmt("x: {\n  // inner\n  y: 1\n  // end\n}\n"),
        "x: {\n\t// inner\n\ty: 1\n\t// end\n}\n"
    );
}

#[test]
fn one_field_per_line_and_tabs() {
    assert_eq!(
        fmt("a: {b: 1, c: {d: 2}}"),
        "a: {\n\tb: 1\n\tc: {\n\t\td: 2\n\t}\n}\n"
    );
    assert_eq!(fmt("a: b: c: 1"), "a: b: c: 1\n");
    assert_eq!(fmt("a: {}"), "a: {}\n");
}

#[test]
fn package_and_imports_are_followed_by_a_blank_line() {
    assert_eq!(
        fmt("package x\nimport \"strings\"\nimport (\n\"list\"\nm \"math\"\n)\na: 1"),
        "package x\n\nimport \"strings\"\nimport (\n\t\"list\"\n\tm \"math\"\n)\n\na: 1\n"
    );
}

#[test]
fn lists_keep_their_line_layout() {
    assert_eq!(fmt("a: [1,2,  3]"), "a: [1, 2, 3]\n");
    assert_eq!(fmt("a: [\n1,\n2]"), "a: [\n\t1,\n\t2,\n]\n");
    assert_eq!(fmt("a: [{b: 1}, ...int]"), "a: [{\n\tb: 1\n}, ...int]\n");
}

#[test]
fn expressions_and_literals_print_as_written() {
    let src = "a: *1 | >=2 & <10 | !=3\nb: x.y[0][1:2] & f(1, \"s\") & -z\nc: \"a\\(b)c\" + #\"r\\#(d)\"#\nd: 0x1F + 1.5Ki + .5\ne: 'by\\x00tes'\nf: _|_\ng: =~\"^a\" & !~\"b\"\nh: 7 div 2 mod 3\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "a: *1 | >=2 & <10 | !=3\nb: x.y[0][1:2] & f(1, \"s\") & -z\nc: \"a\\(b)c\" + #\"r\\#(d)\"#\nd: 0x1F + 1.5Ki + .5\ne: 'by\\x00tes'\nf: _|_\ng: =~\"^a\" & !~\"b\"\nh: 7 div 2 mod 3\n"
    );
}

#[test]
fn declarations_of_every_kind() {
    let src = "#D: {\n\t_h:         1\n\t[X=string]: X\n\t[string]:   int\n\t(k):        2\n\t\"q-s\"?:     3\n\tA=a:        b=4 @go(A) @json(\"a\")\n\tlet l = 1\n\t...\n}\n@attr(x)\nfor k, v in #D if v > 1 let w = v {\n\t\"\\(k)\": w\n}\nlist: [ for x in [1] {x}, ...]\nfor: 1\nif:  2\n";
    assert_eq!(fmt(src), src);
}

#[test]
fn built_trees_get_parentheses_and_quoting() {
    let sp = Span::synthetic();
    let num = |t: &str| {
        Expr::Number(NumberLit {
            span: sp,
            text: t.to_string(),
            kind: NumberKind::Int,
        })
    };
    let bin = |op, l, r| {
        Expr::Binary(Box::new(BinaryExpr {
            span: sp,
            op,
            lhs: l,
            rhs: r,
        }))
    };
    let e = bin(
        BinaryOp::Mul,
        bin(BinaryOp::Add, num("1"), num("2")),
        bin(BinaryOp::Sub, num("3"), num("4")),
    );
    assert_eq!(format_expr(&e, &FormatOptions::tabs()), "(1 + 2) * (3 - 4)");
    let e = bin(
        BinaryOp::Sub,
        num("1"),
        bin(BinaryOp::Sub, num("2"), num("3")),
    );
    assert_eq!(format_expr(&e, &FormatOptions::tabs()), "1 - (2 - 3)");
    let s = Expr::String(StringLit::new("a\"b\n\tc", sp));
    let field = Decl::Field(Field {
        span: sp,
        alias: None,
        label: Label::Ident(Ident::new("x", sp)),
        optional: false,
        value_alias: None,
        value: s,
        attributes: Vec::new(),
        comments: Comments::default(),
    });
    let file = File {
        span: sp,
        decls: vec![field],
        trailing_comments: Vec::new(),
    };
    assert_eq!(
        format_file(&file, &FormatOptions::spaces(4)),
        "x: \"\"\"\n    a\"b\n    \tc\n    \"\"\"\n"
    );
}

use crate::ast::*;

#[test]
fn comments_inside_shorthand_fields_are_kept() {
    // Found by the fuzzer: the comment was attached to the inner field of
    // `c: d: ...`, which the printer writes inline, and was lost.
    assert_eq!(
        fmt("c: d: int & // note\n\"4\"\n"),
        // The line break after `&` is kept, as `cue fmt` keeps it.
        "c: d: int &\n\t\"4\" // note\n"
    );
}

#[test]
fn binary_spacing_and_line_breaks_follow_cue_fmt() {
    // Expected outputs printed by `cue fmt` (v0.4.3) for the same inputs.
    let src = "a: 8000 + 0 * 2\nc: x + y * z - w\ng: x == y * 2\nh: x + y == z\n\
               n: x*2 + y*3 | z\no: f(a * b, c + d * e)\np: [x * 2, y + z*3]\n\
               q: \"\\(a * b + c)\"\nr: a[i * 2 + 1]\nt: x * (y + z)\nu: a - -b\n\
               v: a[i+1 : j]\nx: f(a * b)\nk: [for t in l {t}]\n\
               w: \"a\" |\n\t\"b\" |\n\t\"c\"\nm: 1 +\n\t2*3\n";
    let want = "a: 8000 + 0*2\nc: x + y*z - w\ng: x == y*2\nh: x+y == z\n\
                n: x*2+y*3 | z\no: f(a*b, c+d*e)\np: [x * 2, y + z*3]\n\
                q: \"\\(a*b+c)\"\nr: a[i*2+1]\nt: x * (y + z)\nu: a - -b\n\
                v: a[i+1 : j]\nx: f(a * b)\nk: [ for t in l {t}]\n\
                w: \"a\" |\n\t\"b\" |\n\t\"c\"\nm: 1 +\n\t2*3\n";
    assert_eq!(fmt(src), want);
}
