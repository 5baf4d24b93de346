//! What the live display shows: the state of the run's components, fed
//! with events and the time they happened at, rendered as the lines of
//! the live region.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ::dag::events::{Event, EventKind};
use ::dag::path::Path;
use unicode_width::UnicodeWidthChar;

use super::table::Row;
use crate::commands::progress::{op_detail, op_label, ComponentStats, Outcome};

/// Output lines kept under a running component.
pub const TAIL: usize = 5;
/// Where the text of an output line starts, under its component's path.
const INDENT: &str = "         ";

/// What the display knows of one component.
#[derive(Clone, Debug, Default)]
struct Comp {
    stats: ComponentStats,
    /// Vertices started and not done yet, oldest first.
    running: Vec<String>,
    /// The vertex started last, shown while none runs.
    last: Option<String>,
    /// The last lines printed by its current op.
    tail: VecDeque<String>,
}

/// The state the live display shows, fed with events and the time they
/// happened at (tests use a fake clock).
#[derive(Debug, Default)]
pub struct Board {
    comps: BTreeMap<Path, Comp>,
}

impl Board {
    /// Takes in `e`, which happened at `now`.
    pub fn apply(&mut self, e: &Event, now: Instant) {
        let c = self.comps.entry(e.component.clone()).or_default();
        c.stats.apply(&e.kind, now);
        let EventKind::Log { vertex, line } = &e.kind else {
            return;
        };
        // BuildKit's status of a vertex comes as these exact lines (see
        // dag's buildkit.rs); anything else is output.
        match (vertex, line.as_str()) {
            (Some(v), "started") => {
                // A new op of the plan: the last op's output is history.
                if v.contains("#compute[") {
                    c.tail.clear();
                }
                c.running.push(v.clone());
                c.last = Some(v.clone());
            }
            (Some(v), "done" | "cached") => c.running.retain(|r| r != v),
            (Some(v), l) if l.starts_with("failed: ") => c.running.retain(|r| r != v),
            (_, l) => {
                if c.tail.len() == TAIL {
                    c.tail.pop_front();
                }
                c.tail.push_back(clean(l));
            }
        }
    }

    /// The live region at `now`: lines of at most `width` columns, at most
    /// `height` of them (the output tails shrink first, then the running
    /// components are cut short with a `+N more running` line).
    pub fn lines(&self, now: Instant, width: usize, height: usize, color: bool) -> Vec<String> {
        let height = height.max(1);
        let mut out = Vec::new();
        if let Some(done) = self.done_line() {
            out.push(Line::new().push("32", done).render(width, color));
        }
        let mut running: Vec<(&Path, &Comp)> = self
            .comps
            .iter()
            .filter(|(_, c)| c.stats.started.is_some() && c.stats.outcome == Outcome::Pending)
            .collect();
        running.sort_by_key(|(p, c)| (c.stats.started, *p));
        let room = height.saturating_sub(out.len());
        if room == 0 {
            return out;
        }
        let (shown, more) = if running.len() > room {
            let shown = room.saturating_sub(1);
            (&running[..shown], running.len() - shown)
        } else {
            (&running[..], 0)
        };
        let mut spare = room - shown.len() - usize::from(more > 0);
        for (path, c) in shown {
            out.push(comp_line(path, c, now).render(width, color));
            let n = c.tail.len().min(spare);
            spare -= n;
            for text in c.tail.iter().skip(c.tail.len() - n) {
                let line = Line::new().push("", INDENT).push("2", text.clone());
                out.push(line.render(width, color));
            }
        }
        if more > 0 {
            let text = format!("+{more} more running");
            out.push(Line::new().push("2", text).render(width, color));
        }
        out.truncate(height);
        out
    }

    /// `N done: 9 ran, 2 cached, ...` (the counts that are not zero), or
    /// nothing while no component has finished.
    fn done_line(&self) -> Option<String> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for c in self.comps.values() {
            if let Some(r) = c.stats.result() {
                *counts.entry(r).or_default() += 1;
            }
        }
        let total: usize = counts.values().sum();
        if total == 0 {
            return None;
        }
        let parts: Vec<String> = ["ran", "cached", "reused", "skipped", "failed"]
            .iter()
            .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
            .collect();
        Some(format!("{total} done: {}", parts.join(", ")))
    }

    /// A row per component seen, for the table printed when the run is
    /// cut short at `now`: the running ones are `interrupted`.
    pub fn rows(&self, now: Instant) -> Vec<Row> {
        self.comps
            .iter()
            .map(|(path, c)| {
                let (state, duration) = match c.stats.result() {
                    Some(r) => (r, c.stats.duration()),
                    None => match c.stats.started {
                        Some(t) => ("interrupted", Some(now.saturating_duration_since(t))),
                        None => ("not run", None),
                    },
                };
                Row {
                    component: path.to_string(),
                    state,
                    duration,
                    note: String::new(),
                }
            })
            .collect()
    }
}

/// The line of a running component: elapsed time, path, current op and
/// its command.
fn comp_line(path: &Path, c: &Comp, now: Instant) -> Line {
    let elapsed = c
        .stats
        .started
        .map(|t| now.saturating_duration_since(t))
        .unwrap_or_default();
    let line = Line::new()
        .push("36", format!("{:>7} ", clock(elapsed)))
        .push("1", path.to_string())
        .push("", "  ");
    match c.running.last().or(c.last.as_ref()) {
        Some(v) => {
            let line = line.push("", op_label(path, v));
            match op_detail(v, 200) {
                Some(detail) => line.push("2", format!(" {detail}")),
                None => line,
            }
        }
        None => line.push("2", "starting"),
    }
}

/// A duration as the display shows it: `4.2s`, `3m07s`.
fn clock(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let s = d.as_secs();
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

/// One line of output made printable in one row of the display: what a
/// carriage return overwrote is gone, escape sequences are dropped, other
/// control characters become spaces.
fn clean(text: &str) -> String {
    let text = text.trim_end_matches('\r');
    let text = text.rsplit('\r').next().unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\x1b' {
            // CSI: ESC [ parameters, then one final byte in @..~.
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
        } else if ch.is_control() {
            out.push(' ');
        } else {
            out.push(ch);
        }
    }
    out
}

/// A line of styled pieces (SGR codes, `""` for none), cut to a width when
/// rendered.
#[derive(Default)]
struct Line(Vec<(&'static str, String)>);

impl Line {
    fn new() -> Line {
        Line::default()
    }

    fn push(mut self, style: &'static str, text: impl Into<String>) -> Line {
        self.0.push((style, text.into()));
        self
    }

    /// The text in at most `width` columns, ending in `…` where it was cut.
    fn render(&self, width: usize, color: bool) -> String {
        let total: usize = self.0.iter().map(|(_, t)| text_width(t)).sum();
        let (mut room, cut) = if total > width {
            (width.saturating_sub(1), true)
        } else {
            (width, false)
        };
        let mut out = String::new();
        for (style, text) in &self.0 {
            let mut piece = String::new();
            for ch in text.chars() {
                let w = ch.width().unwrap_or(0);
                if w > room {
                    room = 0;
                    break;
                }
                room -= w;
                piece.push(ch);
            }
            if color && !style.is_empty() && !piece.is_empty() {
                let _ = write!(out, "\x1b[{style}m{piece}\x1b[0m");
            } else {
                out.push_str(&piece);
            }
            if room == 0 {
                break;
            }
        }
        if cut && width > 0 {
            out.push('…');
        }
        out
    }
}

/// How many columns `line` takes on a terminal, colours left out.
pub fn visible_width(line: &str) -> usize {
    text_width(&clean(line))
}

/// How many columns `text` (printable) takes.
pub fn text_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Path {
        Path::parse(s).unwrap()
    }

    fn ev(c: &str, kind: EventKind) -> Event {
        Event {
            component: p(c),
            kind,
        }
    }

    fn log(c: &str, vertex: &str, line: &str) -> Event {
        ev(
            c,
            EventKind::Log {
                vertex: Some(vertex.into()),
                line: line.into(),
            },
        )
    }

    const EXEC: &str = "build.#compute[1] exec sh -c 'make all'";

    /// `build` runs an exec that printed 7 lines; `lib` finished from the
    /// cache, `conf` was reused, `docs` was skipped.
    fn board(t0: Instant) -> Board {
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut b = Board::default();
        b.apply(&ev("build", EventKind::Started), at(0));
        b.apply(
            &log("build", "build.#compute[0] fetch-container", "started"),
            at(10),
        );
        b.apply(
            &log("build", "build.#compute[0] fetch-container", "done"),
            at(20),
        );
        b.apply(&log("build", EXEC, "started"), at(30));
        for i in 1..=7 {
            b.apply(&log("build", EXEC, &format!("line {i}")), at(40 + i));
        }
        b.apply(&ev("lib", EventKind::Started), at(50));
        b.apply(&log("lib", "lib.#compute[0] exec true", "started"), at(50));
        b.apply(&log("lib", "lib.#compute[0] exec true", "cached"), at(60));
        b.apply(&ev("lib", EventKind::Completed { exports: 0 }), at(70));
        b.apply(&ev("conf", EventKind::Reused { exports: 1 }), at(80));
        let reason = "not concrete".to_string();
        b.apply(&ev("docs", EventKind::Skipped { reason }), at(90));
        b
    }

    #[test]
    fn the_region_shows_running_components_with_their_op_time_and_tail() {
        let t0 = Instant::now();
        let b = board(t0);
        let lines = b.lines(t0 + Duration::from_millis(2500), 80, 20, false);
        assert_eq!(
            lines,
            [
                "3 done: 1 cached, 1 reused, 1 skipped",
                "   2.5s build  #compute[1] exec sh -c 'make all'",
                "         line 3",
                "         line 4",
                "         line 5",
                "         line 6",
                "         line 7",
            ]
        );
        // The clock ticks: the same board later.
        let later = b.lines(t0 + Duration::from_secs(75), 80, 20, false);
        assert_eq!(later[1], "  1m15s build  #compute[1] exec sh -c 'make all'");
    }

    #[test]
    fn finishing_collapses_a_component_into_the_done_line() {
        let t0 = Instant::now();
        let mut b = board(t0);
        b.apply(&log("build", EXEC, "done"), t0 + Duration::from_secs(3));
        let completed = ev("build", EventKind::Completed { exports: 1 });
        b.apply(&completed, t0 + Duration::from_secs(3));
        let lines = b.lines(t0 + Duration::from_secs(4), 80, 20, false);
        assert_eq!(lines, ["4 done: 1 ran, 1 cached, 1 reused, 1 skipped"]);
    }

    #[test]
    fn a_new_op_starts_with_an_empty_tail() {
        let t0 = Instant::now();
        let mut b = board(t0);
        let next = "build.#compute[2] exec sh -c 'make install'";
        b.apply(&log("build", EXEC, "done"), t0 + Duration::from_secs(1));
        b.apply(&log("build", next, "started"), t0 + Duration::from_secs(1));
        let lines = b.lines(t0 + Duration::from_secs(1), 80, 20, false);
        assert_eq!(
            lines[1..],
            ["   1.0s build  #compute[2] exec sh -c 'make install'"]
        );
    }

    #[test]
    fn lines_fit_the_width_and_the_height() {
        let t0 = Instant::now();
        let mut b = board(t0);
        let lines = b.lines(t0 + Duration::from_secs(1), 30, 4, false);
        assert_eq!(
            lines,
            [
                "3 done: 1 cached, 1 reused, 1…",
                "   1.0s build  #compute[1] ex…",
                "         line 6",
                "         line 7",
            ]
        );
        assert!(lines.iter().all(|l| text_width(l) <= 30));
        for c in ["a", "b", "c", "d"] {
            b.apply(&ev(c, EventKind::Started), t0);
        }
        let lines = b.lines(t0 + Duration::from_secs(1), 30, 4, false);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3], "+3 more running");
    }

    #[test]
    fn output_is_made_printable() {
        assert_eq!(clean("\x1b[31mred\x1b[0m\tok"), "red ok");
        assert_eq!(clean("10%\r50%\r100%\r"), "100%");
        assert_eq!(text_width("日本"), 4);
    }
}
