//! CUE syntax: lexer, parser, AST with byte spans, diagnostics, printer.
