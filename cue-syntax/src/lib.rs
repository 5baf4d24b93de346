//! CUE syntax: lexer, parser, AST with byte spans, diagnostics, printer.

pub mod ast;

pub use ast::{FileId, Span};
