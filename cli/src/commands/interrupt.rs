//! Ctrl-C (SIGINT) during `dagger compute`: say what is being cancelled,
//! cancel it on the daemon, exit 130 at once.
//!
//! Dropping the run's future drops its component tasks and with them every
//! open call to BuildKit: the reset streams (and, at the latest, the socket
//! closing when the process exits) make the daemon cancel the builds, which
//! kills their containers. Nothing waits for the daemon to confirm.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

use super::progress::Diag;

/// The exit code after an interrupt (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs `fut` to completion on `runtime`, unless SIGINT comes first: then
/// says `interrupted: cancelling N running components` (`running()` is N)
/// on stderr, drops the future (cancelling its work), gives the runtime a
/// moment to send the cancellations, and returns the exit code to use.
pub fn block_on<F: Future>(
    runtime: tokio::runtime::Runtime,
    fut: F,
    running: impl Fn() -> usize,
    diag: Diag,
) -> Result<F::Output, ExitCode> {
    let outcome = runtime.block_on(async {
        tokio::select! {
            out = fut => Some(out),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    let Some(out) = outcome else {
        let n = running();
        // The live display (tty) ends with what each component did.
        super::live::interrupted();
        if diag.json {
            diag.event("interrupted", serde_json::json!({ "running": n }));
        } else {
            let plural = if n == 1 { "" } else { "s" };
            eprintln!("interrupted: cancelling {n} running component{plural}");
        }
        // The future is dropped: its tasks are aborted. Let them unwind and
        // their calls' resets reach the daemon, then stop whatever is left
        // (a directory walk on a blocking thread) without waiting for it.
        runtime.block_on(async { tokio::time::sleep(Duration::from_millis(100)).await });
        runtime.shutdown_timeout(Duration::from_millis(500));
        return Err(ExitCode::from(EXIT_INTERRUPTED));
    };
    // Builds that returned their results early finish on the daemon before
    // the connection closes (tens of milliseconds): cut off, they would
    // cost the next run its incremental transfer of local directories.
    runtime.block_on(::llb::client::settle(SETTLE_LIMIT));
    Ok(out)
}

/// How long a finished run waits for the daemon to wrap up its builds.
const SETTLE_LIMIT: Duration = Duration::from_secs(5);
