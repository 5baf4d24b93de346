//! The controller commands: a plan, its inputs and its outputs kept in
//! `.dagger/<name>/` (crate `controller`), brought up to date by `up`.
//!
//! Each command takes `-d/--deployment NAME` (default: the only controller)
//! and the logging flags; data goes to stdout, messages to stderr.

pub mod history;
pub mod input;
pub mod list;
pub mod new;
pub mod output;
pub mod plan;
pub mod query;
pub mod remove;
pub mod up;
pub mod watch;

use std::process::ExitCode;

use clap::ValueEnum;
use controller::lock::Wait;
use controller::store::Store;

use super::compute::LogFormat;
use super::progress::Diag;

/// Which controller, and how to log.
#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// The controller (default: the only one in .dagger/).
    #[arg(short = 'd', long = "deployment", value_name = "NAME", global = true)]
    pub deployment: Option<String>,
    /// Progress and messages on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
    /// Least important messages shown.
    #[arg(short = 'l', long, value_enum, default_value_t = LogLevel::Info, global = true)]
    pub log_level: LogLevel,
}

/// How much is said on stderr.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum LogLevel {
    /// Debug details: timings of each phase.
    Debug,
    /// Progress of each component (the default).
    #[default]
    Info,
    /// Warnings and errors only.
    Warn,
    /// Errors only.
    Error,
}

impl Common {
    /// Where messages go (and the process's settings, for the code that
    /// prints through [`super::log`]).
    pub fn diag(&self) -> Diag {
        let diag = Diag::new(self.log_format);
        super::log::set(diag.json, self.log_level);
        diag
    }

    /// Prints an informational message (not below `info`).
    pub fn info(&self, text: &str) {
        if self.log_level <= LogLevel::Info {
            let diag = self.diag();
            if diag.json {
                diag.event("info", serde_json::json!({ "message": text }));
            } else {
                eprintln!("{text}");
            }
        }
    }

    /// Prints a debug message.
    pub fn debug(&self, text: &str) {
        if self.log_level <= LogLevel::Debug {
            let diag = self.diag();
            if diag.json {
                diag.event("debug", serde_json::json!({ "message": text }));
            } else {
                eprintln!("debug: {text}");
            }
        }
    }
}

/// The project's store (nearest `.dagger/` from the working directory up).
pub fn store() -> Result<Store, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    Ok(Store::find(&cwd))
}

/// Prints `error` and returns exit code `code`.
pub fn fail(common: &Common, error: &str, code: u8) -> ExitCode {
    common.diag().error(error);
    ExitCode::from(code)
}

/// Opens the selected controller: its name and state.
pub fn open(common: &Common) -> Result<(Store, controller::state::ControllerState), ExitCode> {
    let store = store().map_err(|e| fail(common, &e, 1))?;
    let name = store
        .select(common.deployment.as_deref())
        .map_err(|e| fail(common, &e.to_string(), 1))?;
    let state = store
        .load(&name)
        .map_err(|e| fail(common, &e.to_string(), 1))?;
    Ok((store, state))
}

/// [`open`] without printing errors (for polling).
pub fn open_quiet(common: &Common) -> Result<(Store, controller::state::ControllerState), String> {
    let store = store()?;
    let name = store
        .select(common.deployment.as_deref())
        .map_err(|e| e.to_string())?;
    let state = store.load(&name).map_err(|e| e.to_string())?;
    Ok((store, state))
}

/// Takes the controller's lock for `command`, saying who holds it while waiting.
pub fn lock(
    common: &Common,
    store: &Store,
    name: &str,
    command: &str,
    wait: Wait,
) -> Result<controller::lock::Lock, ExitCode> {
    let mut waiting = |holder: &str| {
        if common.log_level <= LogLevel::Warn {
            eprintln!("controller {name} is locked by {holder}; waiting for it (--no-wait to fail instead)");
        }
    };
    store
        .lock(name, command, wait, &mut waiting)
        .map_err(|e| fail(common, &e.to_string(), 1))
}

/// Reads a `VALUE`, `@FILE` or `-` (standard input) argument.
pub fn value_arg(text: &str) -> Result<String, String> {
    if text == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    match text.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}")),
        None => Ok(text.to_string()),
    }
}
