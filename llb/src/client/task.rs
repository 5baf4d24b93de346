//! Background tasks tied to a solve: they end when the solve's future is
//! dropped (Ctrl-C), so a cancelled build leaves nothing running.

/// Aborts the task when dropped.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Builds left to finish in the background (see [`spawn_background`]).
static BACKGROUND: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static SETTLED: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Runs `fut` (the end of a build that already returned its result) on its
/// own, counted until it is done.
pub(crate) fn spawn_background(fut: impl std::future::Future<Output = ()> + Send + 'static) {
    use std::sync::atomic::Ordering;
    BACKGROUND.fetch_add(1, Ordering::SeqCst);
    tokio::spawn(async move {
        // Counted down even if the task is dropped (the runtime stopping).
        struct Done;
        impl Drop for Done {
            fn drop(&mut self) {
                BACKGROUND.fetch_sub(1, Ordering::SeqCst);
                SETTLED.notify_waiters();
            }
        }
        let _done = Done;
        fut.await;
    });
}

/// Waits (at most `limit`) until the builds that returned their results
/// early have finished on the daemon. A process should call this before it
/// exits: a build cut off by the connection closing makes BuildKit drop
/// what it keeps for the next transfer of the same local directory (which
/// then sends every file again instead of the changed ones).
pub async fn settle(limit: std::time::Duration) {
    use std::sync::atomic::Ordering;
    let _ = tokio::time::timeout(limit, async {
        loop {
            let settled = SETTLED.notified();
            if BACKGROUND.load(Ordering::SeqCst) == 0 {
                return;
            }
            settled.await;
        }
    })
    .await;
}

/// A fresh random-enough identifier for refs and sessions (hex, 25 chars).
pub(crate) fn new_id() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut h = Sha256::new();
    h.update(now.as_nanos().to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let local = 0u8;
    h.update((&local as *const u8 as usize).to_le_bytes());
    hex::encode(h.finalize())[..25].to_string()
}
