//! Reopening the store after persistent failures.
//!
//! sled 0.34 makes an I/O error sticky: after a failed write (ENOSPC, EIO)
//! every later flush fails too, even once the disk has room again. So when
//! a commit or flush keeps failing, the writer lets go of the store (its
//! committer, and the API's handle through [`StoreSlot`]), reopens it
//! (sled recovers to its last durable state), rebuilds the committer, and
//! puts the files it had in hand back into the drop folder's queue: they
//! are read and committed again, which their content hashes make
//! harmless.

use super::Writer;
use crate::commit::Committer;
use crate::config::DedupParams;
use crate::intake::claims::backoff;
use crate::store::{Store, watermark};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The store as the API sees it: swapped out while the writer reopens it.
#[derive(Debug, Default)]
pub struct StoreSlot(RwLock<Option<Arc<Store>>>);

impl StoreSlot {
    /// A slot holding `store`.
    #[must_use]
    pub fn new(store: Arc<Store>) -> Arc<Self> {
        Arc::new(StoreSlot(RwLock::new(Some(store))))
    }

    /// The current store; `None` while it is being reopened.
    #[must_use]
    pub fn get(&self) -> Option<Arc<Store>> {
        match self.0.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn set(&self, s: Option<Arc<Store>>) {
        match self.0.write() {
            Ok(mut g) => *g = s,
            Err(p) => *p.into_inner() = s,
        }
    }
}

/// What the writer needs to open the store again.
#[derive(Debug, Clone)]
pub struct Reopen {
    /// The store folder.
    pub path: PathBuf,
    /// sled's cache in bytes.
    pub cache_capacity: u64,
    /// The near-duplicate parameters for the new committer.
    pub dedup: DedupParams,
}

impl Writer {
    /// Drops the store and opens it again, retrying with backoff. Returns
    /// false when shutdown came first (the writer then has no committer).
    pub(super) async fn reopen(&mut self) -> bool {
        tracing::warn!("the store keeps failing; reopening it");
        self.committer = None;
        self.slot.set(None);
        let mut attempts = 0u32;
        loop {
            // In-flight API reads may still hold the old store for a moment;
            // sled then reports it locked and the next attempt succeeds.
            // A store reopened below the durable watermark lost events: it
            // is not extended (the writer stalls; the watchdog restarts the
            // daemon, which then refuses to start, naming the recovery).
            let opened = Store::open(&self.reopen.path, self.reopen.cache_capacity)
                .and_then(|s| {
                    watermark::verify(&self.reopen.path, s.last_seq()?)?;
                    Ok(Arc::new(s))
                })
                .and_then(|s| {
                    Committer::new(Arc::clone(&s), self.reopen.dedup.clone()).map(|c| (s, c))
                });
            match opened {
                Ok((store, committer)) => {
                    self.slot.set(Some(store));
                    self.committer = Some(committer);
                    tracing::info!(attempts, "the store was reopened");
                    return true;
                }
                Err(e) => {
                    attempts += 1;
                    if let Some(n) = crate::telemetry::allow("reopen") {
                        tracing::error!(error = %e, attempts, suppressed = n, "cannot reopen the store yet");
                    }
                }
            }
            let wait = backoff(attempts).min(Duration::from_secs(10));
            if self.pause(wait).await {
                return false;
            }
        }
    }
}
