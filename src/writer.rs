//! The writer task: the only owner of the [`Committer`], so the change log
//! is stamped in one order, the order intake handed files out.
//!
//! For each group of files (group commit: up to `group_max_files`, or what
//! arrives within `group_max_wait`):
//! 1. commit each file (applied, not durable);
//! 2. flush sled once: only now are the files' effects durable;
//! 3. move each file to `archive/` or `quarantine/` (sidecar first);
//! 4. fsync the folders involved;
//! 5. log one outcome line per file and publish the events to followers.
//!
//! A crash before 2 leaves the files in the drop folder to be read again;
//! after 2 the store already knows their content hashes under their names
//! (`commit::names`), so the replay adds no event. A store error is never a verdict on a file: the writer
//! backs off and retries, and the file stays in the drop folder meanwhile.

mod group;
mod reopen;

pub use reopen::{Reopen, StoreSlot};

use crate::commit::Committer;
use crate::config::Config;
use crate::intake::claims::Claims;
use crate::intake::{Prepared, PreparedKind};
use crate::monitor::Monitor;
use crate::store::watermark::Watermark;
use crate::telemetry::escape;
use crate::watch::Hints;
use std::ffi::OsStr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, mpsc, watch};
use tokio::task::JoinHandle;

/// Change-log lines made durable by one flush, as `(seq, JSON)`.
pub type Batch = Arc<Vec<(u64, Vec<u8>)>>;

/// Everything the writer needs.
pub struct Writer {
    /// The single writer (`None` only while the store is being reopened).
    pub committer: Option<Committer>,
    /// The store handle shared with the API.
    pub slot: Arc<StoreSlot>,
    /// The durable watermark, recorded after each flush (`None` when its
    /// file could not be opened).
    pub watermark: Option<Arc<Watermark>>,
    /// How to reopen the store after persistent failures.
    pub reopen: Reopen,
    /// Reader tasks in arrival order.
    pub rx: mpsc::Receiver<JoinHandle<Prepared>>,
    /// The drop folder.
    pub drop: PathBuf,
    /// The archive root.
    pub archive: PathBuf,
    /// The quarantine folder.
    pub quarantine: PathBuf,
    /// The claim table (the writer releases names).
    pub claims: Arc<Claims>,
    /// Hints (the writer re-hints files it puts back).
    pub hints: Arc<Hints>,
    /// Live state.
    pub monitor: Arc<Monitor>,
    /// Followers of the change log.
    pub events: broadcast::Sender<Batch>,
    /// The live configuration (group sizes).
    pub live: watch::Receiver<Arc<Config>>,
    /// Becomes true at shutdown.
    pub shutdown: watch::Receiver<bool>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Sleeps for `d` unless shutdown comes first; true when it did.
    async fn pause(&mut self, d: Duration) -> bool {
        let mut s = self.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(d) => self.stopping(),
            _ = s.changed() => true,
        }
    }

    /// Runs until the queue closes or shutdown: then finishes the group in
    /// hand, flushes and returns. Meant for a dedicated thread
    /// (`Handle::block_on`), since sled calls block.
    pub async fn run(mut self) {
        loop {
            self.monitor.writer_idle();
            if self.stopping() {
                break;
            }
            let mut s = self.shutdown.clone();
            let first = tokio::select! {
                h = self.rx.recv() => h,
                _ = s.changed() => None,
            };
            let Some(first) = first else { break };
            if self.committer.is_none() {
                break;
            }
            self.monitor.writer_busy();
            let cfg = Arc::clone(&*self.live.borrow());
            let mut group = vec![first];
            let until = tokio::time::Instant::now() + cfg.commit.group_max_wait;
            while group.len() < cfg.commit.group_max_files && !self.stopping() {
                match self.rx.try_recv() {
                    Ok(h) => group.push(h),
                    Err(_) => match tokio::time::timeout_at(until, self.rx.recv()).await {
                        Ok(Some(h)) => group.push(h),
                        _ => break,
                    },
                }
            }
            self.group(group).await;
        }
        self.rx.close();
        if let Some(c) = &self.committer {
            match c.flush() {
                Ok(()) => self.record_durable(c.next_seq().saturating_sub(1)),
                Err(e) => {
                    tracing::error!(error = %e, "the final flush failed; unflushed files stay in the drop folder");
                }
            }
        }
    }

    /// Records `seq` as durable in the watermark (after a flush). A failure
    /// leaves the watermark lower, which only checks less: logged, not
    /// held against the files.
    fn record_durable(&self, seq: u64) {
        if let Some(w) = &self.watermark
            && let Err(e) = w.record(seq)
            && let Some(n) = crate::telemetry::allow("watermark")
        {
            tracing::warn!(error = %e, suppressed = n, "cannot record the durable watermark");
        }
    }

    /// Puts a file back: it stays in the drop folder and is tried again
    /// after a backoff.
    fn retry(&self, name: &OsStr, stage: &'static str, error: &str) {
        let wait = self.claims.retry(name, Instant::now());
        self.monitor.retries.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(crate::monitor::RETRIES, "stage" => stage).increment(1);
        if let Some(n) = crate::telemetry::allow(stage) {
            tracing::warn!(
                file = %escape(name), stage, error, retry_in_ms = wait.as_millis() as u64,
                suppressed = n, "transient failure; the file stays in the drop folder"
            );
        }
        let hints = Arc::clone(&self.hints);
        let name = name.to_os_string();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            hints.push(name);
        });
    }

    /// Handles a prepared file that needs no commit; returns it otherwise.
    fn triage(&self, p: Prepared) -> Option<Prepared> {
        match &p.kind {
            PreparedKind::Input { .. } => return Some(p),
            PreparedKind::Gone => self.claims.done(&p.name),
            PreparedKind::Changed => {
                self.claims.done(&p.name);
                self.hints.push(p.name.clone());
            }
            PreparedKind::Failed(e) => self.retry(&p.name, "read", e),
        }
        None
    }
}
