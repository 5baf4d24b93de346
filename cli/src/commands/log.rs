//! `--log-format` and `--log-level` for the commands that do not run
//! plans (`eval`, `fmt`, `dag`, `llb`, `ops`, `conformance`): they only
//! print diagnostics, so the flags choose how errors and warnings are
//! printed (text or JSON events) and which are shown. They are set once
//! per process, before the command runs, and read by [`super::progress::Diag`].
//!
//! On `eval`, `-l` is left free (it is `cue`'s `--path`): these flags are
//! long only there.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use super::compute::LogFormat;
pub use super::controller::LogLevel;

static JSON: AtomicBool = AtomicBool::new(false);
static LEVEL: AtomicU8 = AtomicU8::new(1);

/// The logging flags of a command that prints only diagnostics.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct LogArgs {
    /// How errors and warnings are printed on stderr: text, or JSON events (`json`).
    #[arg(long, value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
    /// Least important messages shown: debug, info, warn, error.
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
}

impl LogArgs {
    /// Makes these the settings of the process.
    pub fn apply(&self) {
        set(self.log_format == LogFormat::Json, self.log_level);
    }
}

/// Sets the process's settings.
pub fn set(json: bool, level: LogLevel) {
    JSON.store(json, Ordering::Relaxed);
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Whether diagnostics are JSON events.
pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

/// Whether messages of `level` are shown.
pub fn shows(level: LogLevel) -> bool {
    level as u8 >= LEVEL.load(Ordering::Relaxed)
}

/// Prints an error already worded for a terminal: as is, or as an `error`
/// event in JSON mode.
pub fn error_text(text: &str) {
    if json() {
        let v = serde_json::json!({"event": "error", "message": text.trim_end()});
        eprintln!("{v}");
    } else if text.ends_with('\n') {
        eprint!("{text}");
    } else {
        eprintln!("{text}");
    }
}

/// Prints a warning already worded for a terminal, unless the level hides it.
pub fn warning_text(text: &str) {
    if !shows(LogLevel::Warn) {
        return;
    }
    if json() {
        let v = serde_json::json!({"event": "warning", "message": text.trim_end()});
        eprintln!("{v}");
    } else {
        eprintln!("{text}");
    }
}
