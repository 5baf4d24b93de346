//! The live display of `--log-format tty` on a terminal: a region at the
//! bottom of the screen, redrawn in place (at most ten times a second, from
//! a ticker thread and on events), holding
//!
//! - one line for the components that finished:
//!   `12 done: 9 ran, 2 cached, 1 reused`;
//! - one line per running component: its elapsed time, its path and its
//!   current op (`4.2s build  #compute[2] exec sh -c ...`);
//! - under it, the last [`board::TAIL`] lines its current op printed.
//!
//! Text printed while it runs (errors, warnings) goes above the region
//! through [`above`]; [`finish`] replaces the region with the final table
//! and [`interrupted`] with what was known at Ctrl-C. Lines are cut to the
//! terminal's width; colours follow `NO_COLOR`, cursor movements do not.

mod board;
mod table;

use std::fmt::Write as _;
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::dag::events::Event;

use board::Board;
use table::interrupted_head;
pub use table::{table, Row};

/// The shortest time between two redraws.
const FRAME: Duration = Duration::from_millis(100);
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

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
    /// The width of each line of the region now on the screen (the
    /// cursor under the last).
    drawn: Vec<usize>,
    last_draw: Option<Instant>,
    finished: bool,
}

impl Screen {
    /// Moves the cursor to the region's first line and clears from there
    /// to the end of the screen. A terminal made narrower since the last
    /// draw has wrapped the longer lines onto more rows: they are counted.
    fn clear(&self, buf: &mut String) {
        let width = (self.size)().0.max(1);
        let rows: usize = self.drawn.iter().map(|w| w.div_ceil(width).max(1)).sum();
        if rows > 0 {
            let _ = write!(buf, "\x1b[{rows}A");
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
        self.drawn = lines.iter().map(|l| board::visible_width(l)).collect();
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
            drawn: Vec::new(),
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
                own = table(&interrupted_head(&rows), &rows, None, s.color);
                &own
            }
        };
        for l in lines {
            buf.push_str(l);
            buf.push('\n');
        }
        buf.push_str(SHOW_CURSOR);
        s.drawn.clear();
        s.write(&buf);
        true
    }
}

/// The display of this process's run, while it is on.
static ACTIVE: Mutex<Option<Arc<Live>>> = Mutex::new(None);

fn active() -> Option<Arc<Live>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

fn take_active() -> Option<Arc<Live>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// The progress sink's hold on the live display. Dropped with the sink at
/// the end of the run, it ends the display if nothing did (a run cut short
/// by an error the summary never saw): the table of what each component
/// did, the cursor shown.
pub struct Handle(Arc<Live>);

impl Handle {
    /// Takes in an event (its secrets already redacted).
    pub fn event(&self, e: &Event) {
        self.0.event(e);
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
        if active.as_ref().is_some_and(|l| Arc::ptr_eq(l, &self.0)) {
            *active = None;
            drop(active);
            self.0.finish(None, Instant::now());
        }
    }
}

/// Starts the live display on stderr (which must be a terminal), with a
/// ticker thread that keeps the elapsed times moving.
pub fn start(color: bool) -> Handle {
    let live = Arc::new(Live::new(
        Box::new(std::io::stderr()),
        color,
        Box::new(terminal_size),
    ));
    *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(live.clone());
    // A panic must not leave the user's terminal without a cursor (one
    // hook, however many runs a process shows).
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = std::io::stderr().write_all(SHOW_CURSOR.as_bytes());
            previous(info);
        }));
    });
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
    Handle(live)
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
    use ::dag::events::EventKind;
    use ::dag::path::Path;

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

    /// A terminal that is a buffer the test reads.
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

    /// A display writing into a buffer the test reads.
    fn live(width: usize, height: usize) -> (Live, Arc<Mutex<Vec<u8>>>) {
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
        assert!(live.finish(Some(&table("1 component", &rows_, None, false)), at(950)));
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

    #[test]
    fn a_display_nothing_ended_ends_when_the_sink_lets_go_of_it() {
        let (live, bytes) = live(40, 12);
        let live = Arc::new(live);
        *ACTIVE.lock().unwrap() = Some(live.clone());
        let handle = Handle(live);
        handle.event(&ev("a", EventKind::Started));
        handle.event(&ev("a", EventKind::Completed { exports: 0 }));
        assert!(screen(&bytes).screen().hide_cursor());
        drop(handle);
        assert!(!is_active());
        let end = screen(&bytes);
        assert_eq!(rows(&end)[0], "summary: 1 component: 1 ran");
        assert!(!end.screen().hide_cursor());
    }

    #[test]
    fn a_narrower_terminal_has_the_wrapped_rows_cleared_too() {
        let size = Arc::new(Mutex::new((40, 12)));
        let (live, bytes) = {
            let size = size.clone();
            let bytes = Arc::new(Mutex::new(Vec::new()));
            let out = Box::new(Shared(bytes.clone()));
            let live = Live::new(out, false, Box::new(move || *size.lock().unwrap()));
            (live, bytes)
        };
        let t0 = Instant::now();
        live.event_at(&ev("a", EventKind::Started), t0);
        let vertex = "a.#compute[0] exec sh -c 'a command of some length'";
        live.event_at(&log("a", vertex, "started"), t0 + FRAME);
        // 39 columns drawn; at 20 columns that line takes 2 rows.
        let drawn = String::from_utf8_lossy(&bytes.lock().unwrap()).into_owned();
        assert!(
            drawn.ends_with("   0.1s a  #compute[0] exec sh -c 'a c…\n"),
            "{drawn:?}"
        );
        *size.lock().unwrap() = (20, 12);
        let before = bytes.lock().unwrap().len();
        assert!(live.tick(t0 + FRAME * 2));
        let redraw = bytes.lock().unwrap()[before..].to_vec();
        assert!(redraw.starts_with(b"\x1b[2A\r\x1b[J"), "{redraw:?}");
    }
}
