//! One rendering for the diagnostics of the plan commands (`compute`, `dag`,
//! `llb`): `error: message`, each position the message lists (`file:line:col`
//! on its own indented line, as `cue` prints them) followed by that line of
//! the source with a caret under the column, in the layout of the project's
//! syntax diagnostics. `dagger eval` keeps `cue`'s own format instead, since
//! it promises the reference's output.

use std::fmt::Write;

/// `kind: message` with the source line of every position in it.
pub fn render(kind: &str, message: &str) -> String {
    let mut out = String::new();
    for (i, line) in message.trim_end().lines().enumerate() {
        if i == 0 {
            let _ = write!(out, "{kind}: {line}");
        } else {
            let _ = write!(out, "\n{line}");
        }
        if let Some(snippet) = position(line).and_then(|(file, l, c)| snippet(file, l, c)) {
            out.push_str(&snippet);
        }
    }
    out
}

/// `(file, line, col)` of a position line (`    ./main.cue:6:8` or with a
/// trailing `:`).
fn position(line: &str) -> Option<(&str, usize, usize)> {
    if !line.starts_with("    ") {
        return None;
    }
    let text = line.trim().trim_end_matches(':');
    let (rest, col) = text.rsplit_once(':')?;
    let (file, line_no) = rest.rsplit_once(':')?;
    let line_no: usize = line_no.parse().ok()?;
    let col: usize = col.parse().ok()?;
    (line_no > 0 && !file.is_empty()).then_some((file, line_no, col))
}

/// The source line and a caret under `col` (1-based, tabs count as one),
/// when `file` can be read.
fn snippet(file: &str, line_no: usize, col: usize) -> Option<String> {
    if file.starts_with("--") || file.starts_with('<') {
        return None;
    }
    let text = std::fs::read_to_string(file).ok()?;
    let src = text.lines().nth(line_no - 1)?;
    let expanded = src.replace('\t', "    ");
    let prefix: String = src.chars().take(col.saturating_sub(1)).collect();
    let caret_at = prefix.replace('\t', "    ").chars().count();
    let gutter = line_no.to_string().len();
    let pad = " ".repeat(gutter);
    Some(format!(
        "\n    {pad} │\n    {line_no} │ {expanded}\n    {pad} │ {}^",
        " ".repeat(caret_at)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_get_their_source_line_and_a_caret() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.cue");
        std::fs::write(&file, "package main\n\na: {\n\tdo: \"exce\"\n}\n").unwrap();
        let msg = format!("a.do: unknown op:\n    {}:4:6", file.display());
        let out = render("error", &msg);
        let want = format!(
            "error: a.do: unknown op:\n    {}:4:6\n      │\n    4 │     do: \"exce\"\n      │         ^",
            file.display()
        );
        assert_eq!(out, want);
    }

    #[test]
    fn unreadable_or_synthetic_positions_are_left_alone() {
        let msg = "x: conflict:\n    --input-string x=1:1:4\n    ./no/such/file.cue:3:1";
        assert_eq!(render("error", msg), format!("error: {msg}"));
    }
}
