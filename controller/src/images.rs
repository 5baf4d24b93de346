//! Image configs remembered between runs, so that a component whose inputs
//! did not change can be recognised (its LLB holds its image's env and
//! working directory) without asking the daemon.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use dag::events::Progress;
use dag::solver::{SolveError, Solver};
use dag::state::{ImageMeta, State};

use crate::state::StoredImage;

/// A solver that answers image configs from what earlier runs resolved,
/// and asks `inner` for the others (and for everything else).
pub struct CachedImages<S> {
    inner: Arc<S>,
    known: Mutex<BTreeMap<String, ImageMeta>>,
}

impl<S: Solver> CachedImages<S> {
    /// Wraps `inner`, knowing `stored` already.
    pub fn new(inner: Arc<S>, stored: &BTreeMap<String, StoredImage>) -> CachedImages<S> {
        let known = stored
            .iter()
            .map(|(r, i)| {
                (
                    r.clone(),
                    ImageMeta {
                        env: i.env.clone(),
                        workdir: i.workdir.clone(),
                        user: i.user.clone(),
                    },
                )
            })
            .collect();
        CachedImages {
            inner,
            known: Mutex::new(known),
        }
    }

    /// Every config known now, to store.
    pub fn stored(&self) -> BTreeMap<String, StoredImage> {
        let known = self.known.lock().map(|k| k.clone()).unwrap_or_default();
        known
            .into_iter()
            .map(|(r, m)| {
                (
                    r,
                    StoredImage {
                        env: m.env,
                        workdir: m.workdir,
                        user: m.user,
                    },
                )
            })
            .collect()
    }
}

impl<S: Solver> Solver for CachedImages<S> {
    async fn ready(&self) -> Result<(), SolveError> {
        self.inner.ready().await
    }

    async fn image_config(&self, reference: &str) -> Result<ImageMeta, SolveError> {
        if let Some(m) = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.get(reference).cloned())
        {
            return Ok(m);
        }
        let meta = self.inner.image_config(reference).await?;
        if let Ok(mut k) = self.known.lock() {
            k.insert(reference.to_string(), meta.clone());
        }
        Ok(meta)
    }

    async fn solve(&self, state: &State, progress: &Progress) -> Result<(), SolveError> {
        self.inner.solve(state, progress).await
    }

    async fn read_file(
        &self,
        state: &State,
        path: &str,
        progress: &Progress,
    ) -> Result<Vec<u8>, SolveError> {
        self.inner.read_file(state, path, progress).await
    }

    async fn push(
        &self,
        state: &State,
        meta: &ImageMeta,
        reference: &str,
        progress: &Progress,
    ) -> Result<(), SolveError> {
        self.inner.push(state, meta, reference, progress).await
    }
}
