//! The `cue`-style error report: sorting, collapsing and layout.
//!
//! As the reference prints errors (`cue/errors/errors.go`, `Print` after
//! `Sanitize`):
//!
//! - sort by primary position (file name, line, column; errors without a
//!   position first), then by path (element-wise), then by message;
//! - drop an error when the previously kept one has the same file, line and
//!   path (or, when either has no position, the same text);
//! - print each error as `path: message` (no `path: ` for the root), then,
//!   if it has positions, `:` and one line per position, indented by four
//!   spaces: the primary position first, the others sorted and deduplicated;
//! - file names are shown relative to the working directory with a `./`
//!   prefix (`./in.cue:3:4`); a position without a file prints `line:col`.
//!
//! A position with line 0 stands for "no position". As the first entry it
//! marks an error that has related positions but no primary one (the
//! reference's `incomplete value` errors from validation are like that);
//! such an error sorts with the errors without position, before the others.

use super::{Error, Errors, Position};
use std::cmp::Ordering;
use std::fmt::Write as _;

impl Errors {
    /// The report `cue` prints for these errors, with file names taken as
    /// relative to the working directory.
    pub fn report(&self) -> String {
        self.report_in(None)
    }

    /// Like [`Errors::report`]; absolute file names under `cwd` are shown
    /// relative to it.
    pub fn report_in(&self, cwd: Option<&str>) -> String {
        let mut out = String::new();
        for e in self.sanitized() {
            write_error(&mut out, e, cwd);
        }
        out
    }

    /// The errors in report order, with near-duplicates removed.
    pub fn sanitized(&self) -> Vec<&Error> {
        let mut sorted: Vec<&Error> = self.0.iter().collect();
        sorted.sort_by(|a, b| compare(a, b));
        let mut kept: Vec<&Error> = Vec::with_capacity(sorted.len());
        for e in sorted {
            if kept.last().is_some_and(|last| approximately_equal(last, e)) {
                continue;
            }
            kept.push(e);
        }
        kept
    }
}

/// The primary position, if the error has one.
fn primary(e: &Error) -> Option<&Position> {
    e.positions.first().filter(|p| p.line > 0)
}

fn compare(a: &Error, b: &Error) -> Ordering {
    compare_pos(primary(a), primary(b))
        .then_with(|| compare_path(&a.path, &b.path))
        .then_with(|| a.message.cmp(&b.message))
}

fn compare_pos(a: Option<&Position>, b: Option<&Position>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a
            .file
            .cmp(&b.file)
            .then(a.line.cmp(&b.line))
            .then(a.col.cmp(&b.col)),
    }
}

/// Element-wise path order; a prefix sorts first.
fn compare_path(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match x.cmp(y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    a.len().cmp(&b.len())
}

fn approximately_equal(a: &Error, b: &Error) -> bool {
    match (primary(a), primary(b)) {
        (Some(pa), Some(pb)) => pa.file == pb.file && pa.line == pb.line && a.path == b.path,
        _ => a.path == b.path && a.message == b.message,
    }
}

/// The positions as printed: the primary one, then the rest sorted with
/// duplicates (and copies of the primary) removed.
fn ordered_positions(e: &Error) -> Vec<&Position> {
    let first = primary(e);
    let mut others: Vec<&Position> = e
        .positions
        .iter()
        .filter(|p| p.line > 0 && Some(*p) != first)
        .collect();
    others.sort_by(|a, b| compare_pos(Some(a), Some(b)));
    others.dedup();
    first.into_iter().chain(others).collect()
}

fn display_file(file: &str, cwd: Option<&str>) -> String {
    let mut name = file;
    if let Some(cwd) = cwd {
        let cwd = cwd.trim_end_matches('/');
        if let Some(rest) = file.strip_prefix(cwd).and_then(|r| r.strip_prefix('/')) {
            name = rest;
        } else if file.starts_with('/') {
            // Not under the working directory: the reference prints a
            // relative path with `..` steps; an absolute one is as clear.
            return file.to_string();
        }
    }
    // `--input-...` and `<embedded>/...` name what the host gave the
    // evaluator instead of a file; they are shown as they are.
    if name.is_empty()
        || name.starts_with('.')
        || name.starts_with('/')
        || name.starts_with("--")
        || name.starts_with("<embedded>")
    {
        name.to_string()
    } else {
        format!("./{name}")
    }
}

fn write_error(out: &mut String, e: &Error, cwd: Option<&str>) {
    if !e.path.is_empty() {
        out.push_str(&e.path.join("."));
        out.push_str(": ");
    }
    out.push_str(&e.message);
    let positions = ordered_positions(e);
    if positions.is_empty() {
        out.push('\n');
        return;
    }
    out.push_str(":\n");
    for p in positions {
        let file = display_file(&p.file, cwd);
        if file.is_empty() {
            let _ = writeln!(out, "    {}:{}", p.line, p.col);
        } else {
            let _ = writeln!(out, "    {file}:{}:{}", p.line, p.col);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(file: &str, line: u32, col: u32) -> Position {
        Position {
            file: file.to_string(),
            line,
            col,
        }
    }

    fn err(path: &str, msg: &str, positions: Vec<Position>) -> Error {
        Error {
            path: if path.is_empty() {
                Vec::new()
            } else {
                path.split('.').map(String::from).collect()
            },
            message: msg.to_string(),
            positions,
        }
    }

    #[test]
    fn conflicts_sorted_by_position() {
        // x: 1 / x: 2 / y: "a" & 3 / z: {a: 1} & {a: 2}
        // (cue export, verified with cue v0.4.3)
        let errs = Errors(vec![
            err(
                "z.a",
                "conflicting values 2 and 1",
                vec![pos("e4.cue", 4, 8), pos("e4.cue", 4, 17)],
            ),
            err(
                "y",
                "conflicting values \"a\" and 3 (mismatched types string and int)",
                vec![pos("e4.cue", 3, 4), pos("e4.cue", 3, 10)],
            ),
            err(
                "x",
                "conflicting values 2 and 1",
                vec![pos("e4.cue", 1, 4), pos("e4.cue", 2, 4)],
            ),
        ]);
        assert_eq!(
            errs.report(),
            "x: conflicting values 2 and 1:\n    ./e4.cue:1:4\n    ./e4.cue:2:4\n\
             y: conflicting values \"a\" and 3 (mismatched types string and int):\n    ./e4.cue:3:4\n    ./e4.cue:3:10\n\
             z.a: conflicting values 2 and 1:\n    ./e4.cue:4:8\n    ./e4.cue:4:17\n"
        );
    }

    #[test]
    fn errors_without_primary_position_sort_first() {
        // a: b + 1 / b: int  (cue export, verified with cue v0.4.3): the
        // incomplete-value error has only a related position.
        let none = pos("", 0, 0);
        let errs = Errors(vec![
            err(
                "a",
                "non-concrete value int in operand to +",
                vec![pos("in.cue", 1, 4), pos("in.cue", 2, 4)],
            ),
            err("b", "incomplete value int", vec![none, pos("in.cue", 2, 4)]),
        ]);
        assert_eq!(
            errs.report(),
            "b: incomplete value int:\n    ./in.cue:2:4\n\
             a: non-concrete value int in operand to +:\n    ./in.cue:1:4\n    ./in.cue:2:4\n"
        );
    }

    #[test]
    fn errors_without_positions_first_and_without_colon() {
        let errs = Errors(vec![
            err("x", "conflicting values 1 and 2", vec![pos("in.cue", 1, 1)]),
            err("svc.kind", "incomplete value \"a\" | \"b\"", vec![]),
        ]);
        assert_eq!(
            errs.report(),
            "svc.kind: incomplete value \"a\" | \"b\"\nx: conflicting values 1 and 2:\n    ./in.cue:1:1\n"
        );
    }

    #[test]
    fn same_line_and_path_collapse() {
        let errs = Errors(vec![
            err("a", "second", vec![pos("in.cue", 3, 9)]),
            err("a", "first", vec![pos("in.cue", 3, 4)]),
            err("b", "other path", vec![pos("in.cue", 4, 4)]),
        ]);
        assert_eq!(
            errs.report(),
            "a: first:\n    ./in.cue:3:4\nb: other path:\n    ./in.cue:4:4\n"
        );
    }

    #[test]
    fn only_neighbours_collapse() {
        // As in the reference, an error is compared with the last one kept
        // only, so another path in between keeps both.
        let errs = Errors(vec![
            err("a", "second", vec![pos("in.cue", 3, 9)]),
            err("a", "first", vec![pos("in.cue", 3, 4)]),
            err("b", "other path", vec![pos("in.cue", 3, 5)]),
        ]);
        assert_eq!(errs.sanitized().len(), 3);
    }

    #[test]
    fn secondary_positions_sorted_and_deduplicated() {
        let errs = Errors(vec![err(
            "x",
            "conflicting values 1 and 2",
            vec![
                pos("b.cue", 5, 1),
                pos("b.cue", 2, 3),
                pos("a.cue", 9, 9),
                pos("b.cue", 2, 3),
                pos("b.cue", 5, 1),
            ],
        )]);
        assert_eq!(
            errs.report(),
            "x: conflicting values 1 and 2:\n    ./b.cue:5:1\n    ./a.cue:9:9\n    ./b.cue:2:3\n"
        );
    }

    #[test]
    fn sort_by_file_then_path_then_message() {
        let errs = Errors(vec![
            err("z", "m", vec![pos("b.cue", 1, 1)]),
            err("a.b", "m", vec![pos("a.cue", 2, 1)]),
            err("a", "m2", vec![pos("a.cue", 1, 1)]),
            err("", "root error", vec![pos("a.cue", 1, 1)]),
        ]);
        let report = errs.report();
        let firsts: Vec<&str> = report.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(firsts, ["root error:", "a: m2:", "a.b: m:", "z: m:"]);
    }

    #[test]
    fn paths_relative_to_cwd() {
        let errs = Errors(vec![err("a", "m", vec![pos("/tmp/w/sub/x.cue", 1, 2)])]);
        assert_eq!(
            errs.report_in(Some("/tmp/w")),
            "a: m:\n    ./sub/x.cue:1:2\n"
        );
        assert_eq!(
            errs.report_in(Some("/elsewhere")),
            "a: m:\n    /tmp/w/sub/x.cue:1:2\n"
        );
        let errs = Errors(vec![err("a", "m", vec![pos("", 1, 2)])]);
        assert_eq!(errs.report(), "a: m:\n    1:2\n");
    }
}
