//! The parser: runs the generated LALRPOP parser over the modal lexer and
//! turns its errors into [`ParseError`]s. This is the one place where
//! LALRPOP types are converted; none appear in public signatures.

pub(crate) mod build;

use crate::ast::{File, FileId, Span};
use crate::error::{ParseError, ParseErrorKind};
use crate::lexer::{Lexer, Tok, Void};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications, unused_parens)]
    grammar
);

type LalrpopError<'s> = lalrpop_util::ParseError<usize, Tok<'s>, Void>;

/// Parses one CUE file. Never panics; a file that does not parse still gives
/// a tree (with [`crate::ast::Decl::Bad`] for the regions that did not) and the
/// list of errors, sorted by position.
pub fn parse_file(file: FileId, src: &str) -> (File, Vec<ParseError>) {
    let mut lexer = Lexer::new(file, src);
    let mut errors = Vec::new();
    let result = grammar::FileParser::new().parse(file, src, &mut errors, &mut lexer);
    let mut ast = match result {
        Ok(ast) => ast,
        Err(e) => {
            errors.push(from_lalrpop(e, file));
            File {
                span: Span::new(file, 0, src.len() as u32),
                decls: Vec::new(),
                trailing_comments: Vec::new(),
            }
        }
    };
    errors.append(&mut lexer.errors);
    crate::comments::attach(&mut ast, src, &lexer.comments);
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup_by(|a, b| a.span == b.span && a.kind == b.kind);
    (ast, errors)
}

/// Parses a single expression (for `-e` flags and tests).
pub fn parse_expr(file: FileId, src: &str) -> Result<crate::ast::Expr, Vec<ParseError>> {
    let mut lexer = Lexer::new(file, src);
    let mut errors = Vec::new();
    let result = grammar::ExprInputParser::new().parse(file, src, &mut errors, &mut lexer);
    let expr = match result {
        Ok(e) => Some(e),
        Err(e) => {
            errors.push(from_lalrpop(e, file));
            None
        }
    };
    errors.append(&mut lexer.errors);
    match expr {
        Some(e) if errors.is_empty() => Ok(e),
        _ => {
            errors.sort_by_key(|e| e.span.start);
            Err(errors)
        }
    }
}

/// Converts a LALRPOP error (the only conversion point).
pub(crate) fn from_lalrpop(e: LalrpopError<'_>, file: FileId) -> ParseError {
    use lalrpop_util::ParseError as E;
    let span = |l: usize, r: usize| Span::new(file, l as u32, r as u32);
    match e {
        E::InvalidToken { location } => ParseError::new(
            ParseErrorKind::UnexpectedToken {
                found: "invalid token".to_string(),
                expected: Vec::new(),
            },
            span(location, location),
        ),
        E::UnrecognizedEof { location, expected } => ParseError::new(
            ParseErrorKind::UnexpectedEof {
                expected: readable_expected(&expected),
            },
            span(location, location),
        ),
        E::UnrecognizedToken {
            token: (l, tok, r),
            expected,
        } => {
            if matches!(tok, Tok::Comma(true)) && l == r {
                // The comma inserted at the end of input.
                return ParseError::new(
                    ParseErrorKind::UnexpectedEof {
                        expected: readable_expected(&expected),
                    },
                    span(l, r),
                );
            }
            ParseError::new(
                ParseErrorKind::UnexpectedToken {
                    found: tok.describe(),
                    expected: readable_expected(&expected),
                },
                span(l, r),
            )
        }
        E::ExtraToken { token: (l, tok, r) } => ParseError::new(
            ParseErrorKind::UnexpectedToken {
                found: tok.describe(),
                expected: vec!["end of input".to_string()],
            },
            span(l, r),
        ),
        E::User { error } => match error {},
    }
}

/// Terminals that can start an expression; when most of them are expected,
/// they are summarised as "expression".
const EXPR_START: &[&str] = &[
    "identifier",
    "integer",
    "float",
    "string",
    "interpolated string",
    "`null`",
    "`true`",
    "`false`",
    "`_|_`",
    "`(`",
    "`[`",
    "`{`",
    "`+`",
    "`-`",
    "`!`",
    "`*`",
    "`!=`",
    "`<`",
    "`<=`",
    "`>`",
    "`>=`",
    "`=~`",
    "`!~`",
];

const INT_OPS: &[&str] = &["`div`", "`mod`", "`quo`", "`rem`"];

/// Binary operators; when most are expected they are summarised as "operator".
const BINARY_OPS: &[&str] = &[
    "`|`", "`&`", "`||`", "`&&`", "`==`", "`!=`", "`<`", "`<=`", "`>`", "`>=`", "`=~`", "`!~`",
    "`+`", "`-`", "`*`", "`/`",
];

/// Terminal names as LALRPOP reports them are quoted grammar names
/// (`"\"identifier\""`); descriptive names stay plain, symbols and keywords
/// get backquotes.
fn readable_expected(expected: &[String]) -> Vec<String> {
    const WORDS: &[&str] = &[
        "identifier",
        "integer",
        "float",
        "string",
        "interpolated string",
        "interpolation continued",
        "end of interpolation",
        "attribute",
    ];
    let mut out: Vec<String> = expected
        .iter()
        .map(|t| {
            let t = t.trim_matches('"');
            let t = t.replace("\\\"", "\"");
            if WORDS.contains(&t.as_str()) {
                t
            } else {
                format!("`{t}`")
            }
        })
        .collect();
    // `div` and friends are both names and operators: always noise here.
    out.retain(|t| !INT_OPS.contains(&t.as_str()));
    // Where a name may come, `package`, `import` and `in` are only expected
    // as labels (`in: 1`): noise for a person reading the message.
    if out.iter().any(|t| t == "identifier") {
        out.retain(|t| !matches!(t.as_str(), "`package`" | "`import`" | "`in`"));
    }
    let mut summary = Vec::new();
    for (group, name, min) in [
        (EXPR_START, "expression", EXPR_START.len() / 2),
        (BINARY_OPS, "operator", 3),
    ] {
        let n = out.iter().filter(|t| group.contains(&t.as_str())).count();
        if n >= min {
            out.retain(|t| !group.contains(&t.as_str()));
            summary.push(name.to_string());
        }
    }
    summary.extend(out);
    summary
}

#[cfg(test)]
mod tests;
