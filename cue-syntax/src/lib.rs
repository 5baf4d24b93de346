//! CUE syntax: lexer, parser, AST with byte spans, diagnostics, printer.
//!
//! - [`parse_file`] turns source text into an [`ast::File`] plus a list of
//!   [`ParseError`]s; it never panics and always returns a tree.
//! - [`SourceMap`] owns file names and texts and converts offsets to
//!   line/column; [`SourceMap::parse`] gives errors ready for `miette`.
//! - [`format::format_file`] prints a tree in the canonical `cue fmt` style.
//!
//! Pipeline: `lexer` (logos + a modal layer for commas, strings and
//! interpolations) → `grammar.lalrpop` (LALRPOP, built by `build.rs`) →
//! `comments` (attaching comments to the tree). Invariants: no LALRPOP or
//! logos type appears in a public signature (`parser::from_lalrpop` is the
//! one conversion point); deep nesting is refused by the lexer
//! ([`ParseErrorKind::TooDeep`]) so that later recursive passes cannot
//! overflow the stack.
//!
//! Tests: `tests/corpus.rs` (every input of `../shared/cue-conformance`
//! parses), `tests/roundtrip.rs` (print/re-parse over the corpus and
//! generated CUE), `tests/eval_style.rs` (the reference's `cue eval` outputs
//! re-print identically); `benches/parse.rs` and `examples/parse_speed.rs`
//! measure speed; `../fuzz` fuzzes parser and printer.

pub mod ast;
mod comments;
pub mod error;
pub mod format;
mod lexer;
pub mod literal;
mod parser;
pub mod source;
#[doc(hidden)]
pub mod testing;

pub use ast::{FileId, Span};
pub use error::{Location, ParseError, ParseErrorKind};
pub use parser::{parse_expr, parse_file};
pub use source::SourceMap;
