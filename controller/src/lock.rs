//! The exclusive lock of one controller, held during `up`, `down` and
//! input or plan changes.
//!
//! It is an advisory lock (`flock`) on `<controller>/lock`: the kernel
//! releases it when the holder dies, even by SIGKILL, so a stale lock never
//! needs cleaning. Who holds it is written to `<controller>/lock.owner`,
//! for the message a second process prints.

use std::fs::{File, OpenOptions};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// How to behave when another process holds the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Wait for it, after calling the `waiting` callback once.
    Yes,
    /// Fail at once.
    No,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("controller {name} is locked by {holder}; try again when it is done, or drop --no-wait to wait for it")]
    Busy { name: String, holder: String },
    #[error("cannot lock controller {name}: {error}")]
    Io { name: String, error: std::io::Error },
}

/// Takes the lock of the controller in `dir` (named `name` in messages);
/// `command` is what this process does, recorded for others to see.
pub fn acquire(
    dir: &Path,
    name: &str,
    command: &str,
    wait: Wait,
    waiting: &mut dyn FnMut(&str),
) -> Result<Lock, LockError> {
    let io = |error| LockError::Io {
        name: name.to_string(),
        error,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = holder(dir);
            if wait == Wait::No {
                return Err(LockError::Busy {
                    name: name.to_string(),
                    holder,
                });
            }
            waiting(&holder);
            file.lock().map_err(io)?;
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let owner = serde_json::json!({
        "pid": std::process::id(),
        "command": command,
        "since": since,
    });
    // Best effort: the lock holds without it.
    let _ = crate::atomic::write(&dir.join("lock.owner"), owner.to_string().as_bytes());
    Ok(Lock { _file: file })
}

/// Who holds the lock, as recorded: `process 123 (dagger up) since 12:00:01 UTC`.
pub fn holder(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("lock.owner")).unwrap_or_default();
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return "another process".to_string();
    };
    let pid = v["pid"].as_u64().unwrap_or(0);
    let command = v["command"].as_str().unwrap_or("dagger");
    let since = v["since"].as_u64().unwrap_or(0);
    format!(
        "process {pid} ({command}) since {} UTC",
        crate::time::clock(since)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), "app", "dagger up", Wait::No, &mut |_| {}).unwrap();
        let err = acquire(dir.path(), "app", "dagger up", Wait::No, &mut |_| {}).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("controller app is locked by process"),
            "{text}"
        );
        assert!(text.contains(&format!("{}", std::process::id())), "{text}");
        assert!(text.contains("(dagger up)"), "{text}");
        drop(first);
        acquire(dir.path(), "app", "dagger up", Wait::No, &mut |_| {}).unwrap();
    }
}
