use super::*;

fn toks(src: &str) -> Vec<Tok<'_>> {
    Lexer::new(FileId(0), src)
        .map(|t| match t {
            Ok((_, t, _)) => t,
            Err(v) => match v {},
        })
        .collect()
}

fn errors(src: &str) -> Vec<ParseErrorKind> {
    let mut lx = Lexer::new(FileId(0), src);
    for _ in lx.by_ref() {}
    lx.errors.into_iter().map(|e| e.kind).collect()
}

#[test]
fn commas_are_inserted_after_operands_at_newlines() {
    use Tok::*;
    assert_eq!(
        toks("a: 1\nb: c +\n  d\n"),
        vec![
            Ident("a"),
            Colon,
            Int("1"),
            Comma(true),
            Ident("b"),
            Colon,
            Ident("c"),
            Plus,
            Ident("d"),
            Comma(true)
        ]
    );
    // `)` `]` `}` `?` `...`, keywords and `_|_` end operands too; `{` does not.
    assert_eq!(
        toks("{\n}\n[...\n]\n_|_\nnull"),
        vec![
            LBrace,
            RBrace,
            Comma(true),
            LBrack,
            Ellipsis,
            Comma(true),
            RBrack,
            Comma(true),
            Bottom,
            Comma(true),
            Null,
            Comma(true)
        ]
    );
}

#[test]
fn comments_act_like_newlines_and_are_kept_aside() {
    let mut lx = Lexer::new(FileId(0), "a: 1 // one\n// two\nb: 2");
    let t: Vec<_> = lx
        .by_ref()
        .map(|t| t.map(|x| x.1))
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    assert_eq!(
        t.iter().filter(|t| matches!(t, Tok::Comma(true))).count(),
        2
    );
    assert_eq!(lx.comments.len(), 2);
    assert_eq!(lx.comments[0].start, 5);
}

#[test]
fn numbers() {
    use Tok::*;
    assert_eq!(
        toks("1_000 0x1F 0o17 0b101 1.5Ki 1K .5 1e3 1.e+0 2.5"),
        vec![
            Int("1_000"),
            Int("0x1F"),
            Int("0o17"),
            Int("0b101"),
            Int("1.5Ki"),
            Int("1K"),
            Float(".5"),
            Float("1e3"),
            Float("1.e+0"),
            Float("2.5"),
            Comma(true)
        ]
    );
}

#[test]
fn identifiers_keywords_and_integer_operators() {
    use Tok::*;
    assert_eq!(
        toks("#A _x _#y _ $x div"),
        vec![
            Ident("#A"),
            Ident("_x"),
            Ident("_#y"),
            Ident("_"),
            Ident("$x"),
            IntOp("div"),
            Comma(true)
        ]
    );
    // Keywords where their construct can start.
    assert_eq!(
        toks("for k in l"),
        vec![For, Ident("k"), In, Ident("l"), Comma(true)]
    );
    assert_eq!(toks("if c"), vec![If, Ident("c"), Comma(true)]);
    assert_eq!(toks("let x"), vec![Let, Ident("x"), Comma(true)]);
    assert_eq!(toks("package p"), vec![Package, Ident("p"), Comma(true)]);
    assert_eq!(
        toks("import \"p\""),
        vec![Import, Str("\"p\""), Comma(true)]
    );
}

#[test]
fn keywords_are_identifiers_where_their_construct_cannot_start() {
    use Tok::*;
    assert_eq!(
        toks("a: for + if"),
        vec![
            Ident("a"),
            Colon,
            Ident("for"),
            Plus,
            Ident("if"),
            Comma(true)
        ]
    );
    assert_eq!(
        toks("{let}"),
        vec![LBrace, Ident("let"), RBrace, Comma(true)]
    );
    assert_eq!(
        toks("x.package.import.in.for"),
        vec![
            Ident("x"),
            Dot,
            Ident("package"),
            Dot,
            Ident("import"),
            Dot,
            In,
            Dot,
            For,
            Comma(true)
        ]
    );
    // After an operand, `if` starts the next clause; after `if`, an operand
    // follows.
    assert_eq!(
        toks("[if if for x in y if]"),
        vec![
            LBrack,
            If,
            Ident("if"),
            For,
            Ident("x"),
            In,
            Ident("y"),
            If,
            RBrack,
            Comma(true)
        ]
    );
}

#[test]
fn strings_and_raw_strings() {
    use Tok::*;
    assert_eq!(toks(r#""a\"b""#), vec![Str(r#""a\"b""#), Comma(true)]);
    assert_eq!(toks(r##"#"a"b"#"##), vec![Str(r##"#"a"b"#"##), Comma(true)]);
    assert_eq!(toks("'x' \"\""), vec![Str("'x'"), Str("\"\""), Comma(true)]);
    assert_eq!(
        toks("\"\"\"\n  a \"\" b\n  \"\"\""),
        vec![Str("\"\"\"\n  a \"\" b\n  \"\"\""), Comma(true)]
    );
    // In a raw string, `\(` is text; `\#(` interpolates.
    assert_eq!(
        toks(r##"#"\(x)"#"##),
        vec![Str(r##"#"\(x)"#"##), Comma(true)]
    );
    assert_eq!(
        toks(r##"#"a\#(x)b"#"##),
        vec![
            InterpStart(r##"#"a\#("##),
            Ident("x"),
            InterpEnd(r##")b"#"##),
            Comma(true)
        ]
    );
}

#[test]
fn interpolations_nest() {
    use Tok::*;
    assert_eq!(
        toks(r#""a\( f("b\(c)d") )e\(g)h""#),
        vec![
            InterpStart(r#""a\("#),
            Ident("f"),
            LParen,
            InterpStart(r#""b\("#),
            Ident("c"),
            InterpEnd(r#")d""#),
            RParen,
            InterpMid(r#")e\("#),
            Ident("g"),
            InterpEnd(r#")h""#),
            Comma(true)
        ]
    );
}

#[test]
fn attributes_are_one_token_with_balanced_body() {
    use Tok::*;
    assert_eq!(
        toks(r#"a: int @go(A,"x)",{[1]}) @b()"#),
        vec![
            Ident("a"),
            Colon,
            Ident("int"),
            Attribute(r#"@go(A,"x)",{[1]})"#),
            Attribute("@b()"),
            Comma(true)
        ]
    );
    assert_eq!(errors("@go(a"), vec![ParseErrorKind::MalformedAttribute]);
}

#[test]
fn lexical_errors_are_collected() {
    assert_eq!(
        errors("a: \"abc\nb: 1"),
        vec![ParseErrorKind::UnterminatedString]
    );
    assert_eq!(
        errors("a: 1 ^ 2"),
        vec![ParseErrorKind::InvalidCharacter('^')]
    );
    assert_eq!(
        errors("a: \"\\(b"),
        vec![ParseErrorKind::UnterminatedInterpolation]
    );
    assert_eq!(
        errors("a: \"\"\"x\"\"\""),
        vec![ParseErrorKind::MultilineNoNewline]
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "a: ".to_string() + &"[".repeat(5000) + &"]".repeat(5000);
    assert_eq!(errors(&deep), vec![ParseErrorKind::TooDeep(MAX_NESTING)]);
    let chain = "a: 1".to_string() + &" + 1".repeat(5000);
    assert_eq!(errors(&chain), vec![ParseErrorKind::TooDeep(MAX_NESTING)]);
    // Long flat lists and many declarations are fine.
    let list = "a: [".to_string() + &"1, ".repeat(5000) + "]";
    assert!(errors(&list).is_empty());
    let decls = "a: 1 + 2\n".repeat(5000);
    assert!(errors(&decls).is_empty());
}

#[test]
fn no_comma_is_inserted_before_a_line_starting_with_a_comma_or_colon() {
    use Tok::*;
    assert_eq!(
        toks("a\n: {\"k\": 1\n\n  , \"l\"\n:2\n}\n"),
        vec![
            Ident("a"),
            Colon,
            LBrace,
            Str("\"k\""),
            Colon,
            Int("1"),
            Comma(false),
            Str("\"l\""),
            Colon,
            Int("2"),
            Comma(true),
            RBrace,
            Comma(true)
        ]
    );
}

#[test]
fn a_double_colon_is_the_deprecated_definition_syntax_read_as_a_colon() {
    use Tok::*;
    assert_eq!(
        toks("a :: int"),
        vec![Ident("a"), Colon, Ident("int"), Comma(true)]
    );
    assert_eq!(
        errors("a :: int"),
        vec![ParseErrorKind::DeprecatedDoubleColon]
    );
}
