//! The live display of `--log-format tty` on a terminal: a region at the
//! bottom of the screen, redrawn in place (at most ten times a second, from
//! a ticker thread and on events), holding
//!
//! - one line for the components that finished:
//!   `12 done: 9 ran, 2 cached, 1 reused`;
//! - one line per running component: its elapsed time, its path and its
//!   current op (`4.2s build  #compute[2] exec sh -c ...`);
//! - under it, the last [`TAIL`] lines its current op printed.
//!
//! Text printed while it runs (errors, warnings) goes above the region
//! through [`above`]; [`finish`] replaces the region with the final table
//! and [`interrupted`] with what was known at Ctrl-C. Lines are cut to the
//! terminal's width; colours follow `NO_COLOR`, cursor movements do not.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::dag::events::{Event, EventKind};
use ::dag::path::Path;
use unicode_width::UnicodeWidthChar;

use super::progress::{op_detail, op_label, ComponentStats, Outcome};

/// Output lines kept under a running component.
pub const TAIL: usize = 5;
/// The shortest time between two redraws.
const FRAME: Duration = Duration::from_millis(100);
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";
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

fn text_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

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

/// The final table: `head`, then a heading and one row per component
/// (state coloured unless `color` is off). Not cut to the terminal's
/// width: it stays on the screen, where wrapping loses nothing.
pub fn table(head: &str, rows: &[Row], color: bool) -> Vec<String> {
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
    out
}

/// The terminal's size (columns, rows): asked of stderr, else `COLUMNS`
/// and `LINES`, else 80x24.
fn terminal_size() -> (usize, usize) {
    if let Some((w, h)) = terminal_size::terminal_size_of(std::io::stderr()) {
        if w.0 > 0 && h.0 > 0 {
            return (usize::from(w.0), usize::from(h.0));
        }
    }
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or(default)
    };
    (env("COLUMNS", 80), env("LINES", 24))
}

type SizeFn = Box<dyn Fn() -> (usize, usize) + Send>;

/// The region on the terminal and what is drawn in it.
struct Screen {
    board: Board,
    out: Box<dyn Write + Send>,
    color: bool,
    size: SizeFn,
    /// Lines of the region now on the screen, the cursor under the last.
    drawn: usize,
    last_draw: Option<Instant>,
    finished: bool,
}

impl Screen {
    /// Moves the cursor to the region's first line and clears from there
    /// to the end of the screen.
    fn clear(&self, buf: &mut String) {
        if self.drawn > 0 {
            let _ = write!(buf, "\x1b[{}A", self.drawn);
        }
        buf.push_str("\r\x1b[J");
    }

    fn region(&mut self, now: Instant, buf: &mut String) {
        let (width, height) = (self.size)();
        // One column and one row spare: a full last column makes some
        // terminals wrap, and a region as tall as the screen scrolls away.
        let lines = self.board.lines(
            now,
            width.saturating_sub(1).max(1),
            height.saturating_sub(1),
            self.color,
        );
        for l in &lines {
            buf.push_str(l);
            buf.push('\n');
        }
        self.drawn = lines.len();
        self.last_draw = Some(now);
    }

    fn write(&mut self, buf: &str) {
        let _ = self.out.write_all(buf.as_bytes());
        let _ = self.out.flush();
    }

    fn draw(&mut self, now: Instant) {
        let mut buf = String::new();
        self.clear(&mut buf);
        self.region(now, &mut buf);
        self.write(&buf);
    }

    fn due(&self, now: Instant) -> bool {
        self.last_draw
            .is_none_or(|t| now.saturating_duration_since(t) >= FRAME)
    }
}

/// The live display: its board, drawn on a terminal.
pub struct Live {
    screen: Mutex<Screen>,
}

impl Live {
    /// A display writing to `out`, of the size `size` says, with colour or
    /// not; the cursor is hidden until [`Live::finish`].
    fn new(out: Box<dyn Write + Send>, color: bool, size: SizeFn) -> Live {
        let mut screen = Screen {
            board: Board::default(),
            out,
            color,
            size,
            drawn: 0,
            last_draw: None,
            finished: false,
        };
        screen.write(HIDE_CURSOR);
        Live {
            screen: Mutex::new(screen),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Screen> {
        self.screen.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes in an event (its secrets already redacted); redraws unless
    /// the last redraw is too recent, leaving this one to the ticker.
    pub fn event(&self, e: &Event) {
        self.event_at(e, Instant::now());
    }

    fn event_at(&self, e: &Event, now: Instant) {
        let mut s = self.lock();
        if s.finished {
            return;
        }
        s.board.apply(e, now);
        if s.due(now) {
            s.draw(now);
        }
    }

    /// Redraws if due; false once the display is finished.
    fn tick(&self, now: Instant) -> bool {
        let mut s = self.lock();
        if s.finished {
            return false;
        }
        if s.due(now) {
            s.draw(now);
        }
        true
    }

    /// Prints `text` above the region; false once the display is finished.
    fn above_at(&self, text: &str, now: Instant) -> bool {
        let mut s = self.lock();
        if s.finished {
            return false;
        }
        let mut buf = String::new();
        s.clear(&mut buf);
        buf.push_str(text);
        buf.push('\n');
        s.region(now, &mut buf);
        s.write(&buf);
        true
    }

    /// Replaces the region with `lines` (or, when `None`, with the table
    /// of the board cut short at `now`), shows the cursor, and ignores
    /// every later event. False if it was finished already.
    fn finish(&self, lines: Option<&[String]>, now: Instant) -> bool {
        let mut s = self.lock();
        if s.finished {
            return false;
        }
        s.finished = true;
        let mut buf = String::new();
        s.clear(&mut buf);
        let own;
        let lines = match lines {
            Some(l) => l,
            None => {
                let rows = s.board.rows(now);
                own = table(&interrupted_head(&rows), &rows, s.color);
                &own
            }
        };
        for l in lines {
            buf.push_str(l);
            buf.push('\n');
        }
        buf.push_str(SHOW_CURSOR);
        s.drawn = 0;
        s.write(&buf);
        true
    }
}

/// `N components: 2 ran, 1 interrupted` for the table printed on Ctrl-C.
fn interrupted_head(rows: &[Row]) -> String {
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

/// The display of this process's run, while it is on.
static ACTIVE: Mutex<Option<Arc<Live>>> = Mutex::new(None);

fn active() -> Option<Arc<Live>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn take_active() -> Option<Arc<Live>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// Starts the live display on stderr (which must be a terminal), with a
/// ticker thread that keeps the elapsed times moving.
pub fn start(color: bool) -> Arc<Live> {
    let live = Arc::new(Live::new(
        Box::new(std::io::stderr()),
        color,
        Box::new(terminal_size),
    ));
    *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(live.clone());
    // A panic must not leave the user's terminal without a cursor.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = std::io::stderr().write_all(SHOW_CURSOR.as_bytes());
        previous(info);
    }));
    let ticker = live.clone();
    let spawned = std::thread::Builder::new()
        .name("live-display".into())
        .spawn(move || {
            // Twice a frame, so a redraw is never more than half a frame late.
            while ticker.tick(Instant::now()) {
                std::thread::sleep(FRAME / 2);
            }
        });
    // Without a ticker the display still follows the events.
    drop(spawned);
    live
}

/// Whether the live display is on.
pub fn is_active() -> bool {
    active().is_some()
}

/// Prints `text` above the live display if it is on; false if it is not
/// (the caller prints it itself).
pub fn above(text: &str) -> bool {
    active().is_some_and(|l| l.above_at(text, Instant::now()))
}

/// Ends the live display, if on, leaving `lines` (the final table) where
/// it was; false if it was not on.
pub fn finish(lines: &[String]) -> bool {
    take_active().is_some_and(|l| l.finish(Some(lines), Instant::now()))
}

/// Ends the live display, if on, after Ctrl-C: what each component did,
/// the running ones `interrupted`.
pub fn interrupted() -> bool {
    take_active().is_some_and(|l| l.finish(None, Instant::now()))
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

    /// A display writing into a buffer the test reads.
    fn live(width: usize, height: usize) -> (Live, Arc<Mutex<Vec<u8>>>) {
        #[derive(Clone)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl Write for Shared {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let out = Box::new(Shared(bytes.clone()));
        let live = Live::new(out, false, Box::new(move || (width, height)));
        (live, bytes)
    }

    /// The screen a terminal shows after `bytes`, with `\n` as a terminal
    /// line discipline turns it into (`\r\n`).
    fn screen(bytes: &Arc<Mutex<Vec<u8>>>) -> vt100::Parser {
        let raw = bytes.lock().unwrap().clone();
        let mut tty = Vec::new();
        for b in raw {
            if b == b'\n' {
                tty.push(b'\r');
            }
            tty.push(b);
        }
        let n = |v| std::num::NonZeroU16::new(v).unwrap();
        let mut parser = vt100::Parser::new(n(12), n(60), 0);
        parser.process(&tty);
        parser
    }

    fn rows(parser: &vt100::Parser) -> Vec<String> {
        let mut rows: Vec<String> = parser.screen().rows(0, 60).collect();
        while rows.last().is_some_and(String::is_empty) {
            rows.pop();
        }
        rows
    }

    #[test]
    fn the_display_redraws_in_place_keeps_printed_text_and_ends_with_the_table() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let (live, bytes) = live(40, 12);
        live.event_at(&ev("a", EventKind::Started), at(0));
        live.event_at(
            &log("a", "a.#compute[0] exec sh -c 'x'", "started"),
            at(200),
        );
        live.event_at(&log("a", "a.#compute[0] exec sh -c 'x'", "one"), at(250));
        // Too soon after the last redraw: left to the ticker.
        assert_eq!(
            rows(&screen(&bytes))[0],
            "   0.2s a  #compute[0] exec sh -c 'x'"
        );
        assert!(live.tick(at(400)));
        let shown = screen(&bytes);
        assert!(shown.screen().hide_cursor());
        assert_eq!(
            rows(&shown),
            ["   0.4s a  #compute[0] exec sh -c 'x'", "         one"]
        );
        assert!(live.above_at("warning: something", at(450)));
        live.event_at(&ev("a", EventKind::Completed { exports: 0 }), at(900));
        assert_eq!(
            rows(&screen(&bytes)),
            ["warning: something", "1 done: 1 ran"]
        );
        let rows_ = vec![Row {
            component: "a".into(),
            state: "ran",
            duration: Some(Duration::from_millis(900)),
            note: String::new(),
        }];
        assert!(live.finish(Some(&table("1 component", &rows_, false)), at(950)));
        let end = screen(&bytes);
        assert_eq!(
            rows(&end),
            [
                "warning: something",
                "summary: 1 component",
                "  COMPONENT  STATE           TIME",
                "  a          ran            0.90s",
            ]
        );
        assert!(!end.screen().hide_cursor(), "the cursor is shown again");
        // Late events and ticks draw nothing.
        let before = bytes.lock().unwrap().len();
        live.event_at(&ev("b", EventKind::Started), at(2000));
        assert!(!live.tick(at(2000)));
        assert!(!live.above_at("late", at(2000)));
        assert_eq!(bytes.lock().unwrap().len(), before);
    }

    #[test]
    fn an_interrupted_display_ends_with_what_each_component_did() {
        let t0 = Instant::now();
        let (live, bytes) = live(40, 12);
        for e in [
            ev("a", EventKind::Started),
            log("a", "a.#compute[0] exec true", "started"),
            log("a", "a.#compute[0] exec true", "done"),
            ev("a", EventKind::Completed { exports: 0 }),
            ev("b", EventKind::Started),
        ] {
            live.event_at(&e, t0);
        }
        assert!(live.finish(None, t0 + Duration::from_secs(2)));
        let end = screen(&bytes);
        assert_eq!(
            rows(&end),
            [
                "summary: 2 components: 1 ran, 1 interrupted",
                "  COMPONENT  STATE           TIME",
                "  a          ran            0.00s",
                "  b          interrupted    2.00s",
            ]
        );
        assert!(!end.screen().hide_cursor());
    }
}
