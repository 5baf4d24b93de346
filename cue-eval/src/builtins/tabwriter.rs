//! `text/tabwriter`: Go's elastic tabstops with the reference's settings
//! (minwidth 0, tabwidth 4, padding 1, pad with spaces, no flags).

use super::args::{fail, ok_string};
use super::{func, BuiltinError, Kind, Package};
use crate::data::Data;

const P: &str = "text/tabwriter";
const PADDING: usize = 1;

type R = Result<Data, BuiltinError>;

pub static PACKAGE: Package = Package {
    path: P,
    cue: None,
    members: &[func!(P, "Write", [Kind::TOP], Kind::STRING, write)],
};

fn text_of(d: &Data) -> Result<String, BuiltinError> {
    match d {
        Data::String(s) => Ok(s.clone()),
        Data::Bytes(b) => Ok(String::from_utf8_lossy(b).into_owned()),
        other => fail(format!(
            "cannot use value {} (type {}) as bytes",
            super::args::short_text(other),
            Kind::of(other)
        )),
    }
}

fn write(a: &[Data]) -> R {
    let text = match super::args::any(a, 0)? {
        Data::List(items) => {
            let mut t = String::new();
            for it in items {
                t.push_str(&text_of(it)?);
                t.push('\n');
            }
            t
        }
        d @ (Data::String(_) | Data::Bytes(_)) => text_of(d)?,
        other => {
            return fail(format!(
                "tabwriter.Write: unsupported type {}",
                Kind::of(other)
            ))
        }
    };
    match format_text(&text) {
        Some(out) => ok_string(out),
        // Padding repeats on every line of a block: the text is checked
        // against the size limit as it grows.
        None => fail(format!(
            "result of more than {} bytes is too large",
            crate::limits::MAX_VALUE_BYTES
        )),
    }
}

/// Lays out `text`: cells end at tabs; a column block is a run of lines
/// that have a cell in that column; each cell is padded to the block's
/// widest cell plus padding. The last cell of a line is not aligned.
/// `None` when the result would pass [`crate::limits::MAX_VALUE_BYTES`].
pub(crate) fn format_text(text: &str) -> Option<String> {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format_block(&lines, 0, lines.len(), &mut widths, &mut out);
    (out.len() <= crate::limits::MAX_VALUE_BYTES).then_some(out)
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn format_block(
    lines: &[Vec<&str>],
    line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    out: &mut String,
) {
    let column = widths.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, start, this, widths, out);
        start = this;
        let mut w = 0;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + PADDING);
            this += 1;
        }
        widths.push(w);
        format_block(lines, start, this, widths, out);
        widths.pop();
        start = this;
    }
    write_lines(lines, start, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        if out.len() > crate::limits::MAX_VALUE_BYTES {
            // Too large: `format_text` gives up (a line is at most as long
            // as the whole input, padding aside).
            return;
        }
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j < widths.len() {
                for _ in width(cell)..widths[j] {
                    out.push(' ');
                }
            }
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}
