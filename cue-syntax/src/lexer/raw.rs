//! The raw token set, recognised by `logos`.
//!
//! String and bytes literals are not tokens here: only their opening
//! delimiter is ([`RawTok::Quote`]); the modal layer in [`super`] scans their
//! bodies, because the closing delimiter depends on the opening one (`#`
//! count, `"""`) and interpolations nest expressions inside them.

use logos::Logos;

/// A raw token. Whitespace other than newlines is skipped.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq)]
#[logos(skip r"[ \t\r\u{feff}]+")]
pub(crate) enum RawTok {
    #[token("\n")]
    Newline,
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,

    /// Identifiers, including the lone `#` that old-style definitions use
    /// as a label (`#: "name": T`).
    #[regex(r"(#|_#)?[_$\p{L}][_$\p{L}\p{Nd}]*")]
    #[token("#")]
    Ident,
    #[token("package")]
    Package,
    #[token("import")]
    Import,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("if")]
    If,
    #[token("let")]
    Let,
    #[token("null")]
    Null,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("_|_")]
    Bottom,
    /// `div`, `mod`, `quo`, `rem`: integer operators after an operand,
    /// identifiers (the predeclared builtins) elsewhere.
    #[token("div")]
    #[token("mod")]
    #[token("quo")]
    #[token("rem")]
    IntOp,

    /// Decimal, hex, octal, binary ints and ints with a multiplier.
    #[regex(r"[0-9](_?[0-9])*")]
    #[regex(r"0[xX][0-9a-fA-F](_?[0-9a-fA-F])*")]
    #[regex(r"0o[0-7](_?[0-7])*")]
    #[regex(r"0b[01](_?[01])*")]
    #[regex(r"([0-9](_?[0-9])*(\.[0-9](_?[0-9])*)?|\.[0-9](_?[0-9])*)[KMGTP]i?")]
    Int,
    #[regex(r"[0-9](_?[0-9])*\.([0-9](_?[0-9])*)?([eE][+-]?[0-9](_?[0-9])*)?")]
    #[regex(r"[0-9](_?[0-9])*[eE][+-]?[0-9](_?[0-9])*")]
    #[regex(r"\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?")]
    Float,

    /// The opening delimiter of a string or bytes literal.
    #[regex(r##"#*("""|"|'''|')"##)]
    Quote,
    /// `@`, the start of an attribute (scanned by the modal layer).
    #[token("@")]
    At,

    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("&")]
    Amp,
    #[token("&&")]
    AmpAmp,
    #[token("|")]
    Pipe,
    #[token("||")]
    PipePipe,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=~")]
    Match,
    #[token("!~")]
    NotMatch,
    #[token("!")]
    Bang,
    #[token("=")]
    Eq,
    #[token(":")]
    Colon,
    #[token("?")]
    Question,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBrack,
    #[token("]")]
    RBrack,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("...")]
    Ellipsis,
}
