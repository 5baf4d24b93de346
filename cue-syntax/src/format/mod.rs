//! The canonical printer, in the style of `cue fmt`.
//!
//! Layout rules:
//! - one declaration per line; non-empty structs always open on their own
//!   lines (`{` at the end of the field line, `}` alone);
//! - the values of consecutive single-line fields are aligned in a column
//!   (a run ends at a blank line, a comment line, or a field whose value is a
//!   struct, a list or spans several lines), as `cue fmt`'s tabwriter does;
//!   trailing comments of consecutive lines are aligned too;
//! - lists stay on one line unless their source had a newline after `[`
//!   (when printing with source) or they hold comments;
//! - at most one blank line is kept between declarations; one blank line
//!   follows the package clause and the imports;
//! - literals are printed as written when they were parsed; built nodes are
//!   quoted canonically (strings with newlines as `"""` blocks);
//! - binary operators are spaced as `cue fmt` (gofmt) spaces them: `+` and
//!   `*` lose their spaces where levels mix or inside call arguments, index
//!   and interpolation (`x + y*z`, `f(a+1, b)`); other operators keep them;
//!   a line break before a right operand is kept, one level deeper;
//! - parentheses are added where a built tree needs them for precedence.
//!
//! Indentation is a tab by default (`dagger fmt`), or a number of spaces
//! (the evaluator prints `cue eval` output with four).

mod decl;
mod expr;

use crate::ast::{Expr, File};
use crate::error::ParseError;
use crate::FileId;

/// How to indent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Indent {
    /// One tab per level (`cue fmt`).
    #[default]
    Tab,
    /// This many spaces per level (`cue eval` output uses 4).
    Spaces(u8),
}

/// Printer options.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FormatOptions {
    pub indent: Indent,
    // print: layout of the reference's `cue eval` output for built trees.
    /// The reference printer's layout for built trees (`cue eval`):
    /// comprehension bodies go on their own lines, and a field whose value
    /// spans lines (other than a struct, list or multi-line string) still
    /// aligns with the fields above it.
    pub eval_layout: bool,
}

impl FormatOptions {
    /// Tabs, as `cue fmt` and `dagger fmt`.
    pub fn tabs() -> FormatOptions {
        FormatOptions {
            indent: Indent::Tab,
            eval_layout: false,
        }
    }

    /// `n` spaces per level, as `cue eval` prints with `n == 4`.
    pub fn spaces(n: u8) -> FormatOptions {
        FormatOptions {
            indent: Indent::Spaces(n),
            eval_layout: false,
        }
    }

    // print: the options `cue eval` output is printed with.
    /// Four spaces and [`FormatOptions::eval_layout`], as `cue eval` prints.
    pub fn eval() -> FormatOptions {
        FormatOptions {
            indent: Indent::Spaces(4),
            eval_layout: true,
        }
    }
}

/// Prints a file. Without the source text, multi-line lists are kept only
/// when they hold comments; see [`format_file_with_source`].
pub fn format_file(file: &File, opts: &FormatOptions) -> String {
    Printer::new(opts, None).file(file)
}

/// Prints a file parsed from `src`, keeping lists that were written one
/// element per line in that layout.
pub fn format_file_with_source(file: &File, src: &str, opts: &FormatOptions) -> String {
    Printer::new(opts, Some(src)).file(file)
}

/// Prints one expression at indentation level 0.
pub fn format_expr(expr: &Expr, opts: &FormatOptions) -> String {
    Printer::new(opts, None).expr(expr, 0)
}

/// Parses `src` and prints it canonically; the parse errors if it does not
/// parse cleanly (nothing is printed for a file with errors).
pub fn format_source(src: &str, opts: &FormatOptions) -> Result<String, Vec<ParseError>> {
    let (file, errors) = crate::parse_file(FileId(0), src);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(format_file_with_source(&file, src, opts))
}

pub(crate) struct Printer<'a> {
    unit: String,
    src: Option<&'a str>,
    // print: see `FormatOptions::eval_layout`.
    eval_layout: bool,
}

impl<'a> Printer<'a> {
    fn new(opts: &FormatOptions, src: Option<&'a str>) -> Printer<'a> {
        let unit = match opts.indent {
            Indent::Tab => "\t".to_string(),
            Indent::Spaces(n) => " ".repeat(n as usize),
        };
        Printer {
            unit,
            src,
            eval_layout: opts.eval_layout,
        }
    }

    fn indent(&self, level: usize) -> String {
        self.unit.repeat(level)
    }

    fn file(&self, file: &File) -> String {
        let mut out = String::new();
        self.block(&file.decls, &file.trailing_comments, 0, true, &mut out);
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests;
