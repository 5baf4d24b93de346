//! Syntax errors as `miette` diagnostics.
//!
//! A [`ParseError`] owns typed data (what was found, what was expected, a
//! span); `miette` renders it. The source text is attached by
//! [`crate::SourceMap::parse`] (or [`ParseError::with_source`]) so that the
//! rendering shows the file name, line, column and a labelled snippet.

use crate::ast::Span;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use std::fmt;
use std::sync::Arc;

/// What went wrong while reading CUE source.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The parser met a token it cannot use here.
    #[error("unexpected {found}, expected {}", one_of(.expected))]
    UnexpectedToken {
        found: String,
        expected: Vec<String>,
    },
    /// The input ended too early.
    #[error("unexpected end of input, expected {}", one_of(.expected))]
    UnexpectedEof { expected: Vec<String> },
    #[error("invalid character {0:?} in source")]
    InvalidCharacter(char),
    #[error("string literal not terminated")]
    UnterminatedString,
    #[error("interpolation not terminated: missing `)`")]
    UnterminatedInterpolation,
    #[error("expected newline after multiline quote")]
    MultilineNoNewline,
    #[error("closing quote of a multiline string must be on its own line")]
    MultilineClosingNotAlone,
    #[error("invalid whitespace: line does not start with the indentation of the closing quote")]
    MultilineIndentation,
    #[error("invalid escape sequence `{0}`")]
    InvalidEscape(String),
    #[error("malformed attribute: expected `@name(...)` with balanced brackets on one line")]
    MalformedAttribute,
    #[error("a pattern constraint `[...]` must hold exactly one expression")]
    InvalidPattern,
    #[error("the package clause must come before all declarations except attributes")]
    MisplacedPackage,
    #[error("imports must come before all other declarations")]
    MisplacedImport,
    #[error("an import path must be a plain string literal")]
    InvalidImportPath,
    #[error("a label must be an identifier, a string, `(expr)` or `[pattern]`")]
    InvalidLabel,
    #[error("nesting too deep: more than {0} levels of brackets or operators")]
    TooDeep(u32),
    /// `a :: b`, the definition syntax of CUE before v0.2.1 (read as `:`).
    #[error("use of deprecated '::' (deprecated as of v0.2.1): try running `cue fix` (possibly with an earlier version, like v0.2.2) to upgrade")]
    DeprecatedDoubleColon,
}

impl ParseErrorKind {
    /// A hint shown under the message, when one helps.
    fn help(&self) -> Option<&'static str> {
        match self {
            ParseErrorKind::UnexpectedToken { found, .. } if found == "newline" => Some(
                "a newline after an identifier, literal or closing bracket ends the declaration; \
                 put the operator at the end of the line instead",
            ),
            ParseErrorKind::MultilineNoNewline => {
                Some("text after `\"\"\"` starts on the next line")
            }
            ParseErrorKind::InvalidEscape(_) => Some(
                "valid escapes are \\a \\b \\f \\n \\r \\t \\v \\/ \\\\ \\\" \\' \\uXXXX \\UXXXXXXXX, \
                 and \\xXX or \\OOO in bytes literals",
            ),
            _ => None,
        }
    }

    fn label(&self) -> &'static str {
        match self {
            ParseErrorKind::UnexpectedToken { .. } => "unexpected here",
            ParseErrorKind::UnexpectedEof { .. } => "input ends here",
            ParseErrorKind::UnterminatedString => "this literal is not closed",
            _ => "here",
        }
    }
}

fn one_of(expected: &[String]) -> String {
    match expected {
        [] => "something else".to_string(),
        [one] => one.clone(),
        many => {
            let mut s = String::from("one of ");
            for (i, e) in many.iter().enumerate() {
                if i > 0 {
                    s.push_str(if i + 1 == many.len() { " or " } else { ", " });
                }
                s.push_str(e);
            }
            s
        }
    }
}

/// A syntax error: a miette diagnostic with a labelled span.
#[derive(Clone, Debug)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
    /// File name, line and column (1-based), when a source map was used.
    pub location: Option<Location>,
    source_code: Option<Arc<NamedSource<Arc<str>>>>,
}

/// A position for messages: file name, 1-based line and column (in bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl ParseError {
    /// An error of `kind` at `span`, without source attached.
    pub fn new(kind: ParseErrorKind, span: Span) -> ParseError {
        ParseError {
            kind,
            span,
            location: None,
            source_code: None,
        }
    }

    /// Attaches the file name and text, for rendering and `location`.
    pub fn with_source(mut self, name: &str, text: Arc<str>) -> ParseError {
        let (line, column) = crate::source::line_col(&text, self.span.start as usize);
        self.location = Some(Location {
            file: name.to_string(),
            line,
            column,
        });
        self.source_code = Some(Arc::new(NamedSource::new(name, text)));
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for ParseError {}

impl Diagnostic for ParseError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("cue::syntax"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.kind
            .help()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source_code.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source_code.as_ref()?;
        let len = self.span.len() as usize;
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.kind.label().to_string()),
            self.span.start as usize,
            len,
        ))))
    }
}
