//! Progress on stderr while a plan runs, in three formats, and what the
//! run summary needs from it.
//!
//! - `plain`: exactly one line per event, `[component] label: text`, where
//!   the label of an op is its index and kind (`#compute[2] exec`), never
//!   the whole command;
//! - `tty`: on a terminal, the live display of [`super::live`]; elsewhere
//!   (a file, a pipe) the plain lines with timings; coloured unless
//!   `NO_COLOR` is set;
//! - `json`: one JSON object per event and nothing else (errors, warnings
//!   and the summary are events too: see [`Diag`]).
//!
//! Every secret value is printed as `<secret>`.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ::dag::events::{Event, EventKind, Sink};
use ::dag::path::Path;
use ::dag::secrets::Secrets;

use super::compute::LogFormat;

/// The format actually used: `auto` is `tty` on a terminal (not
/// `TERM=dumb`), else `plain`.
pub fn resolve(format: LogFormat) -> LogFormat {
    match format {
        LogFormat::Auto if on_terminal() => LogFormat::Tty,
        LogFormat::Auto => LogFormat::Plain,
        f => f,
    }
}

/// Whether colour may be used (`NO_COLOR` unset or empty, see no-color.org).
pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// What one component did, as seen in its events.
#[derive(Clone, Debug, Default)]
pub struct ComponentStats {
    pub started: Option<Instant>,
    pub finished: Option<Instant>,
    /// Ops that completed, and how many of them came from the cache.
    pub ops_done: usize,
    pub ops_cached: usize,
    pub outcome: Outcome,
}

/// How a component ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Outcome {
    /// Still running, or never started.
    #[default]
    Pending,
    Completed,
    /// Stored outputs reused with no solve.
    Reused,
    Skipped(String),
    Failed(String),
}

impl ComponentStats {
    /// Completed with every op answered from the cache.
    pub fn cached(&self) -> bool {
        self.outcome == Outcome::Completed && self.ops_done > 0 && self.ops_done == self.ops_cached
    }

    /// From its start to its end, once both happened.
    pub fn duration(&self) -> Option<Duration> {
        Some(self.finished?.duration_since(self.started?))
    }
}

/// Per-component stats collected from the events of one run.
#[derive(Clone, Debug, Default)]
pub struct Tracker(Arc<Mutex<BTreeMap<Path, ComponentStats>>>);

impl ComponentStats {
    /// Updates the stats with `kind`, which happened at `now`.
    pub fn apply(&mut self, kind: &EventKind, now: Instant) {
        match kind {
            EventKind::Started => self.started = Some(now),
            // Only the plan's own ops count: BuildKit reports image and git
            // sources as done on every solve.
            EventKind::Log {
                vertex: Some(v),
                line,
            } if v.contains("#compute[") && line == "cached" => {
                self.ops_done += 1;
                self.ops_cached += 1;
            }
            EventKind::Log {
                vertex: Some(v),
                line,
            } if v.contains("#compute[") && line == "done" => self.ops_done += 1,
            EventKind::Log { .. } => {}
            EventKind::Completed { .. } => {
                self.finished = Some(now);
                self.outcome = Outcome::Completed;
            }
            EventKind::Reused { .. } => {
                self.started.get_or_insert(now);
                self.finished = Some(now);
                self.outcome = Outcome::Reused;
            }
            EventKind::Skipped { reason } => self.outcome = Outcome::Skipped(reason.clone()),
            EventKind::Failed { message } => {
                self.finished = Some(now);
                self.outcome = Outcome::Failed(message.clone());
            }
        }
    }

    /// How it ended, as the summary and the json `completed` event say it:
    /// `ran`, `cached`, `reused`, `skipped` or `failed`; `None` while it is
    /// pending.
    pub fn result(&self) -> Option<&'static str> {
        Some(match self.outcome {
            Outcome::Completed if self.cached() => "cached",
            Outcome::Completed => "ran",
            Outcome::Reused => "reused",
            Outcome::Skipped(_) => "skipped",
            Outcome::Failed(_) => "failed",
            Outcome::Pending => return None,
        })
    }
}

impl Tracker {
    pub fn record(&self, e: &Event) {
        let Ok(mut all) = self.0.lock() else {
            return;
        };
        all.entry(e.component.clone())
            .or_default()
            .apply(&e.kind, Instant::now());
    }

    /// What was recorded for `component`.
    pub fn get(&self, component: &Path) -> Option<ComponentStats> {
        self.0.lock().ok()?.get(component).cloned()
    }

    /// What was recorded, by component.
    pub fn snapshot(&self) -> BTreeMap<Path, ComponentStats> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// The progress renderer for `format`, recording into `tracker`. `tty`
/// on a terminal is the live display of [`super::live`]; elsewhere (a file,
/// a pipe) it prints timed lines, as a live display needs a terminal.
pub fn sink(format: LogFormat, secrets: Secrets, tracker: Tracker) -> Sink {
    let format = resolve(format);
    let color = color_allowed();
    let start = Instant::now();
    let live = (format == LogFormat::Tty && on_terminal()).then(|| super::live::start(color));
    Arc::new(move |e: &Event| {
        tracker.record(e);
        let e = &redacted(e, &secrets);
        if let Some(live) = &live {
            live.event(e);
            return;
        }
        let secs = start.elapsed().as_secs_f64();
        let line = match format {
            LogFormat::Json => {
                let result = match e.kind {
                    EventKind::Completed { .. } => {
                        tracker.get(&e.component).and_then(|s| s.result())
                    }
                    _ => None,
                };
                json_line(e, secs, result)
            }
            LogFormat::Tty => tty_line(e, secs, color),
            _ => plain_line(e),
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
    })
}

/// Whether stderr is a terminal that can take cursor movements (not
/// `TERM=dumb`).
fn on_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// The event with every secret value in its text printed as `<secret>`.
fn redacted(e: &Event, secrets: &Secrets) -> Event {
    if secrets.is_empty() {
        return e.clone();
    }
    let kind = match &e.kind {
        EventKind::Log { vertex, line } => EventKind::Log {
            vertex: vertex.as_deref().map(|v| secrets.redact(v)),
            line: secrets.redact(line),
        },
        EventKind::Skipped { reason } => EventKind::Skipped {
            reason: secrets.redact(reason),
        },
        EventKind::Failed { message } => EventKind::Failed {
            message: secrets.redact(message),
        },
        other => other.clone(),
    };
    Event {
        component: e.component.clone(),
        kind,
    }
}

/// The short label of a vertex seen from `component`: an op of the plan
/// is `#compute[i] kind` (prefixed with its component when it is
/// another's, compiled in through `from:`); other vertices (image pulls,
/// local transfers) keep their name, on one line.
pub fn op_label(component: &Path, vertex: &str) -> String {
    let one_line = vertex.replace('\n', "\\n");
    let Some(at) = one_line.find("#compute[") else {
        return one_line;
    };
    let Some(close) = one_line[at..].find("] ") else {
        return one_line;
    };
    let end_path = at + close + 1;
    let kind_end = one_line[end_path + 1..]
        .find(' ')
        .map_or(one_line.len(), |k| end_path + 1 + k);
    let path = &one_line[..end_path];
    let kind = &one_line[end_path + 1..kind_end];
    let own = format!("{component}.");
    let path = path.strip_prefix(own.as_str()).unwrap_or(path);
    format!("{path} {kind}")
}

/// The text after an op's label: its command or arguments (`exec sh -c ...`
/// gives `sh -c ...`), shortened to `max` characters.
pub fn op_detail(vertex: &str, max: usize) -> Option<String> {
    let at = vertex.find("#compute[")?;
    let close = at + vertex[at..].find("] ")? + 2;
    let rest = &vertex[close..];
    let detail = rest.split_once(' ')?.1.replace('\n', "\\n");
    Some(if detail.chars().count() > max {
        let cut: String = detail.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        detail
    })
}

fn plain_line(e: &Event) -> String {
    let c = &e.component;
    match &e.kind {
        EventKind::Started => format!("[{c}] started"),
        EventKind::Log {
            vertex: Some(v),
            line,
        } => format!("[{c}] {}: {}", op_label(c, v), line.replace('\n', "\\n")),
        EventKind::Log { vertex: None, line } => format!("[{c}] {}", line.replace('\n', "\\n")),
        EventKind::Completed { exports } => format!("[{c}] completed ({exports} exported)"),
        EventKind::Reused { exports } => {
            format!("[{c}] reused ({exports} exported, unchanged since the last run)")
        }
        EventKind::Skipped { reason } => {
            format!("[{c}] skipped: {}", reason.replace('\n', " "))
        }
        // The details follow once, in the error at the end.
        EventKind::Failed { .. } => format!("[{c}] failed"),
    }
}

fn tty_line(e: &Event, secs: f64, color: bool) -> String {
    if !color {
        return format!("{secs:6.1}s {}", plain_line(e));
    }
    let code = match e.kind {
        EventKind::Completed { .. } | EventKind::Reused { .. } => "32",
        EventKind::Failed { .. } => "31",
        EventKind::Skipped { .. } => "33",
        EventKind::Started => "36",
        EventKind::Log { .. } => "2",
    };
    format!("\x1b[{code}m{secs:6.1}s {}\x1b[0m", plain_line(e))
}

/// The JSON object of `e`; a `completed` event carries `result` (`ran`
/// or `cached`).
fn json_line(e: &Event, secs: f64, result: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "time": (secs * 1000.0).round() / 1000.0,
        "component": e.component.to_string(),
    });
    let (event, extra) = match &e.kind {
        EventKind::Started => ("started", serde_json::json!({})),
        EventKind::Log { vertex, line } => (
            "log",
            serde_json::json!({
                "vertex": vertex,
                "op": vertex.as_deref().map(|v| op_label(&e.component, v)),
                "line": line,
            }),
        ),
        EventKind::Completed { exports } => (
            "completed",
            serde_json::json!({"exports": exports, "result": result}),
        ),
        EventKind::Reused { exports } => ("reused", serde_json::json!({"exports": exports})),
        EventKind::Skipped { reason } => ("skipped", serde_json::json!({"reason": reason})),
        EventKind::Failed { message } => ("failed", serde_json::json!({"message": message})),
    };
    v["event"] = event.into();
    if let (Some(obj), serde_json::Value::Object(extra)) = (v.as_object_mut(), extra) {
        obj.extend(extra);
    }
    v.to_string()
}

/// Where diagnostics outside the event stream go (errors, warnings, the
/// summary): plain text, or JSON events in `json` mode.
#[derive(Clone, Copy, Debug)]
pub struct Diag {
    pub json: bool,
}

impl Diag {
    /// For `format` (after resolving `auto`).
    pub fn new(format: LogFormat) -> Diag {
        Diag {
            json: resolve(format) == LogFormat::Json,
        }
    }

    /// `error: message` (rendered with its source lines), or an `error` event.
    pub fn error(&self, message: &str) {
        if self.json || super::log::json() {
            self.event("error", serde_json::json!({"message": message}));
        } else {
            above_or_eprint(&super::diagnostics::render("error", message));
        }
    }

    /// `warning: message`, or a `warning` event.
    pub fn warning(&self, message: &str) {
        if !super::log::shows(super::log::LogLevel::Warn) {
            return;
        }
        if self.json || super::log::json() {
            self.event("warning", serde_json::json!({"message": message}));
        } else {
            above_or_eprint(&super::diagnostics::render("warning", message));
        }
    }

    /// A line of information on stderr, above the live display when it is
    /// on (JSON mode has its own events: callers emit those instead).
    pub fn note(&self, message: &str) {
        above_or_eprint(message);
    }

    /// A JSON event `{"event": kind, ...fields}` on stderr.
    pub fn event(&self, kind: &str, fields: serde_json::Value) {
        let mut v = serde_json::json!({ "event": kind });
        if let (Some(obj), serde_json::Value::Object(extra)) = (v.as_object_mut(), fields) {
            obj.extend(extra);
        }
        eprintln!("{v}");
    }
}

/// Prints `text` on stderr, above the live display when one is on (so
/// the display never overwrites it).
fn above_or_eprint(text: &str) {
    if !super::live::above(text) {
        eprintln!("{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Path {
        Path::parse(s).unwrap()
    }

    #[test]
    fn an_op_label_is_its_index_and_kind() {
        let c = p("a");
        assert_eq!(
            op_label(&c, "a.#compute[2] exec sh -c 'echo hi\nthere'"),
            "#compute[2] exec"
        );
        assert_eq!(
            op_label(&c, "b.#compute[0] fetch-container x"),
            "b.#compute[0] fetch-container"
        );
        assert_eq!(op_label(&c, "a.#compute[3] load"), "#compute[3] load");
        assert_eq!(
            op_label(&c, "docker-image://docker.io/library/busybox:latest"),
            "docker-image://docker.io/library/busybox:latest"
        );
    }

    #[test]
    fn an_op_detail_is_its_command_shortened() {
        assert_eq!(
            op_detail("a.#compute[2] exec sh -c 'echo hi'", 80).as_deref(),
            Some("sh -c 'echo hi'")
        );
        assert_eq!(
            op_detail("a.#compute[2] exec 0123456789", 8).as_deref(),
            Some("01234...")
        );
        assert_eq!(op_detail("a.#compute[3] load", 80), None);
    }

    #[test]
    fn a_component_ran_unless_every_op_of_its_own_was_cached() {
        let now = Instant::now();
        let log = |v: &str, line: &str| EventKind::Log {
            vertex: Some(v.into()),
            line: line.into(),
        };
        let run = |ops: &[EventKind]| {
            let mut s = ComponentStats::default();
            s.apply(&EventKind::Started, now);
            for op in ops {
                s.apply(op, now);
            }
            assert_eq!(s.result(), None, "pending until it ends");
            s.apply(&EventKind::Completed { exports: 0 }, now);
            s.result()
        };
        let pull = log("docker-image://docker.io/library/busybox:latest", "done");
        let cached = log("a.#compute[1] exec true", "cached");
        let done = log("a.#compute[2] exec true", "done");
        assert_eq!(run(&[pull.clone(), cached.clone()]), Some("cached"));
        assert_eq!(run(&[pull, cached, done]), Some("ran"));
        // No op of its own reported: nothing says it came from the cache.
        assert_eq!(run(&[]), Some("ran"));
        let mut s = ComponentStats::default();
        s.apply(&EventKind::Reused { exports: 1 }, now);
        assert_eq!(s.result(), Some("reused"));
    }

    #[test]
    fn json_completed_events_carry_the_result_and_reused_is_an_event() {
        let event = |kind| Event {
            component: p("a.b"),
            kind,
        };
        let parse = |line: String| serde_json::from_str::<serde_json::Value>(&line).unwrap();
        let done = parse(json_line(
            &event(EventKind::Completed { exports: 1 }),
            1.5,
            Some("cached"),
        ));
        assert_eq!(done["event"], "completed");
        assert_eq!(done["component"], "a.b");
        assert_eq!(done["result"], "cached");
        assert_eq!(done["exports"], 1);
        let reused = parse(json_line(
            &event(EventKind::Reused { exports: 2 }),
            0.1,
            None,
        ));
        assert_eq!(reused["event"], "reused");
        assert_eq!(reused["exports"], 2);
        assert_eq!(reused.get("result"), None);
    }

    #[test]
    fn plain_lines_are_one_line_each() {
        let e = Event {
            component: p("a"),
            kind: EventKind::Log {
                vertex: Some("a.#compute[1] exec sh -c 'a\nb'".into()),
                line: "x\ny".into(),
            },
        };
        let line = plain_line(&e);
        assert_eq!(line, "[a] #compute[1] exec: x\\ny");
        assert!(!line.contains('\n'));
    }
}
