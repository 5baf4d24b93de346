//! The final table of a run, as the live display leaves it on the screen.

use std::time::Duration;

use super::board::text_width;

/// One row of the final table.
#[derive(Clone, Debug)]
pub struct Row {
    pub component: String,
    /// `ran`, `cached`, `reused`, `skipped`, `failed`, `not run`,
    /// `interrupted`.
    pub state: &'static str,
    pub duration: Option<Duration>,
    pub note: String,
}

/// The final table: `summary: {head}`, a heading, one row per component
/// (state coloured unless `color` is off), then `footer` (the timings).
/// Not cut to the terminal's width: it stays on the screen, where
/// wrapping loses nothing.
pub fn table(head: &str, rows: &[Row], footer: Option<&str>, color: bool) -> Vec<String> {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let width = rows
        .iter()
        .map(|r| text_width(&r.component))
        .chain([text_width("COMPONENT")])
        .max()
        .unwrap_or(0);
    let mut out = vec![format!("{} {head}", paint("1", "summary:"))];
    let heading = format!("  {:width$}  {:11} {:>8}", "COMPONENT", "STATE", "TIME");
    out.push(paint("2", &heading));
    for r in rows {
        let time = r
            .duration
            .map(|d| format!("{:.2}s", d.as_secs_f64()))
            .unwrap_or_default();
        let code = match r.state {
            "ran" => "32",
            "cached" => "36",
            "reused" => "34",
            "failed" => "31",
            "skipped" => "33",
            _ => "35",
        };
        let pad = width.saturating_sub(text_width(&r.component));
        let line = format!(
            "  {}{}  {}{} {time:>8}  {}",
            r.component,
            " ".repeat(pad),
            paint(code, r.state),
            " ".repeat(11usize.saturating_sub(r.state.len())),
            r.note
        );
        out.push(line.trim_end().to_string());
    }
    out.extend(footer.map(|f| paint("2", f)));
    out
}

/// `N components: 2 ran, 1 interrupted` for the table printed on Ctrl-C.
pub fn interrupted_head(rows: &[Row]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for r in rows {
        match counts.iter_mut().find(|(s, _)| *s == r.state) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.state, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let plural = if rows.len() == 1 { "" } else { "s" };
    format!("{} component{plural}: {}", rows.len(), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_its_columns_and_colours_only_the_state() {
        let row = |component: &str, state, ms: Option<u64>, note: &str| Row {
            component: component.into(),
            state,
            duration: ms.map(Duration::from_millis),
            note: note.into(),
        };
        let rows = [
            row("a.long.path", "ran", Some(1234), ""),
            row("b", "skipped", None, "not concrete (unset: b.in)"),
        ];
        assert_eq!(
            table("2 components", &rows, Some("total 1.500s"), false),
            [
                "summary: 2 components",
                "  COMPONENT    STATE           TIME",
                "  a.long.path  ran            1.23s",
                "  b            skipped               not concrete (unset: b.in)",
                "total 1.500s",
            ]
        );
        let coloured = table("1 component", &rows[..1], None, true);
        assert_eq!(
            coloured[2],
            "  a.long.path  \x1b[32mran\x1b[0m            1.23s"
        );
        assert_eq!(
            interrupted_head(&[row("a", "ran", None, ""), row("b", "interrupted", None, "")]),
            "2 components: 1 ran, 1 interrupted"
        );
    }
}
