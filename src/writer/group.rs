//! One group commit: commit each file, flush once, move, fsync, log.

use super::{Batch, Writer};
use crate::archive::{self, Sidecar};
use crate::changelog::Event;
use crate::commit::{Input, Outcome};
use crate::intake::claims::backoff;
use crate::intake::settle::Seen;
use crate::intake::{Prepared, PreparedKind};
use crate::monitor;
use crate::telemetry::{allow, escape};
use crate::{commit, failpoint};
use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;
use tokio::task::JoinHandle;

/// Store failures in a row before the writer reopens the store (sled's
/// I/O errors are sticky, see `reopen`).
const REOPEN_AFTER: u32 = 3;

/// How one step of a group ended.
enum Step<T> {
    /// It worked.
    Done(T),
    /// Shutdown came while the store was failing.
    Stop,
    /// The store keeps failing: reopen it.
    Reopen,
}

/// A file committed in this group, waiting for the flush and its move.
struct Done {
    name: OsString,
    queued: Instant,
    seen: Option<Seen>,
    bytes: u64,
    outcome: Outcome,
    events: Vec<Event>,
}

fn copy(i: &Input) -> Input {
    Input {
        file: i.file.clone(),
        blake3: i.blake3,
        analysis: i.analysis.clone(),
        // the writer recomputes what the copy lacks (same result)
        prep: None,
    }
}

impl Writer {
    pub(super) async fn group(&mut self, group: Vec<JoinHandle<Prepared>>) {
        let mut done = Vec::with_capacity(group.len());
        let mut halt: Option<Step<()>> = None;
        for h in group {
            let p = match h.await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "BUG: a reader task was lost; its file waits for a restart");
                    continue;
                }
            };
            match halt {
                // Shutdown while the store fails: the file stays in drop/.
                Some(Step::Stop) => {
                    self.claims.done(&p.name);
                    continue;
                }
                Some(_) => {
                    self.retry(&p.name, "store", "the store is being reopened");
                    continue;
                }
                None => {}
            }
            let Some(p) = self.triage(p) else {
                self.monitor.writer_progress();
                continue;
            };
            let name = p.name.clone();
            match self.commit_one(p).await {
                Step::Done(d) => done.push(d),
                Step::Stop => {
                    self.claims.done(&name);
                    halt = Some(Step::Stop);
                }
                Step::Reopen => {
                    self.retry(&name, "store", "the store is being reopened");
                    halt = Some(Step::Reopen);
                }
            }
            self.monitor.writer_progress();
        }
        if halt.is_none() && !done.is_empty() {
            halt = match self.flush_all().await {
                Step::Done(()) => None,
                other => Some(other),
            };
        }
        match halt {
            None if done.is_empty() => {}
            None => {
                self.publish(&done);
                self.finish(done);
            }
            Some(Step::Stop) => {
                for d in &done {
                    self.claims.done(&d.name);
                }
            }
            Some(_) => {
                // Committed but not durable: read and commit them again.
                for d in &done {
                    self.retry(&d.name, "store", "the store is being reopened");
                }
                self.reopen().await;
            }
        }
    }

    /// Commits one file, retrying store errors a few times with backoff.
    async fn commit_one(&mut self, p: Prepared) -> Step<Done> {
        let PreparedKind::Input { input, seen, bytes } = p.kind else {
            return Step::Stop;
        };
        // The first attempt takes the input as prepared (fingerprints
        // included); a retry takes a copy of what was kept, which the writer
        // prepares itself (same decisions).
        let kept = copy(&input);
        let mut first = Some(input);
        let mut attempts = 0;
        loop {
            let Some(committer) = self.committer.as_mut() else {
                return Step::Reopen;
            };
            let t = Instant::now();
            match committer.commit(first.take().unwrap_or_else(|| copy(&kept))) {
                Ok((outcome, events)) => {
                    metrics::histogram!(monitor::COMMIT_SECONDS).record(t.elapsed().as_secs_f64());
                    failpoint::hit("after_commit");
                    return Step::Done(Done {
                        name: p.name,
                        queued: p.queued,
                        seen,
                        bytes,
                        outcome,
                        events,
                    });
                }
                Err(e) => {
                    attempts += 1;
                    self.note_store_error("commit", &e, attempts);
                    if attempts >= REOPEN_AFTER {
                        return Step::Reopen;
                    }
                    if self.pause(backoff(attempts)).await {
                        return Step::Stop;
                    }
                }
            }
        }
    }

    fn note_store_error(&self, stage: &'static str, e: &crate::store::Error, attempts: u32) {
        self.monitor.retries.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(monitor::RETRIES, "stage" => stage).increment(1);
        if let Some(n) = allow(stage) {
            tracing::error!(stage, error = %e, attempts, suppressed = n, "store failure; retrying with backoff");
        }
    }

    /// Flushes, retrying a few times with backoff.
    async fn flush_all(&mut self) -> Step<()> {
        let mut attempts = 0;
        loop {
            let Some(committer) = self.committer.as_ref() else {
                return Step::Reopen;
            };
            let t = Instant::now();
            match committer.flush() {
                Ok(()) => {
                    metrics::histogram!(monitor::FLUSH_SECONDS).record(t.elapsed().as_secs_f64());
                    failpoint::hit("after_flush");
                    self.monitor.writer_progress();
                    return Step::Done(());
                }
                Err(e) => {
                    attempts += 1;
                    self.note_store_error("flush", &e, attempts);
                    if attempts >= REOPEN_AFTER {
                        return Step::Reopen;
                    }
                    if self.pause(backoff(attempts)).await {
                        return Step::Stop;
                    }
                }
            }
        }
    }

    /// After the flush: the durable watermark, gauges, and the new events
    /// for `log --follow`.
    fn publish(&self, done: &[Done]) {
        let Some(c) = self.committer.as_ref() else {
            return;
        };
        let durable = c.next_seq().saturating_sub(1);
        self.record_durable(durable);
        self.monitor.durable_seq.store(durable, Ordering::SeqCst);
        let blocks = c.counts().blocks;
        self.monitor.index_blocks.store(blocks, Ordering::Relaxed);
        metrics::gauge!(monitor::DURABLE_SEQ).set(durable as f64);
        metrics::gauge!(monitor::INDEX_BLOCKS).set(blocks as f64);
        metrics::histogram!(monitor::GROUP_FILES).record(done.len() as f64);
        let batch: Vec<(u64, Vec<u8>)> = done
            .iter()
            .flat_map(|d| d.events.iter().map(|e| (e.seq, e.to_json())))
            .collect();
        if !batch.is_empty() {
            // No receiver is fine: nobody follows the log right now.
            let _ = self.events.send(Batch::from(Arc::new(batch)));
        }
    }

    /// Moves every file of the group, fsyncs the folders, logs outcomes.
    fn finish(&mut self, done: Vec<Done>) {
        let day = match archive::day_dir(&self.archive, archive::today()) {
            Ok(d) => d,
            Err(e) => {
                for d in &done {
                    self.retry(&d.name, "archive", &e.to_string());
                }
                return;
            }
        };
        let (mut to_archive, mut to_quarantine) = (false, false);
        let mut moved = Vec::with_capacity(done.len());
        for d in done {
            if !self.still_there(&d) {
                continue;
            }
            let quarantined = d.outcome.outcome == "quarantined";
            let r = if quarantined {
                self.quarantine(&d)
            } else {
                archive::archive(&self.drop, &d.name, &day, &d.outcome_hash())
            };
            match r {
                Ok(to) => {
                    to_archive |= !quarantined;
                    to_quarantine |= quarantined;
                    moved.push((d, to));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    tracing::warn!(file = %escape(&d.name), "the file vanished before it could be moved");
                    self.claims.done(&d.name);
                }
                Err(e) => self.retry(&d.name, "archive", &e.to_string()),
            }
            self.monitor.writer_progress();
        }
        failpoint::hit("before_dirsync");
        let mut dirs: Vec<&Path> = vec![&self.drop];
        if to_archive {
            dirs.push(&day);
        }
        if to_quarantine {
            dirs.push(&self.quarantine);
        }
        for dir in dirs {
            if let Err(e) = archive::sync_dir(dir)
                && let Some(n) = allow("dirsync")
            {
                tracing::error!(folder = %dir.display(), error = %e, suppressed = n, "cannot fsync a folder");
            }
        }
        for (d, to) in moved {
            self.outcome(&d, &to);
            self.claims.done(&d.name);
        }
    }

    /// Whether the file in the drop folder is still the one that was read
    /// (a producer may have replaced it under the same name meanwhile).
    fn still_there(&self, d: &Done) -> bool {
        let Some(seen) = d.seen else { return true };
        match std::fs::symlink_metadata(self.drop.join(&d.name)) {
            Ok(m) if m.ino() == seen.ino => true,
            Ok(_) => {
                tracing::warn!(file = %escape(&d.name), "the file was replaced while being ingested; taking the new one");
                self.claims.done(&d.name);
                self.hints.push(d.name.clone());
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::warn!(file = %escape(&d.name), "the file vanished before it could be moved");
                self.claims.done(&d.name);
                false
            }
            Err(e) => {
                self.retry(&d.name, "archive", &e.to_string());
                false
            }
        }
    }

    fn quarantine(&self, d: &Done) -> std::io::Result<PathBuf> {
        let o = &d.outcome;
        let sidecar = Sidecar {
            file: o.file.clone(),
            reason: o.reason.clone().unwrap_or_default(),
            message: o.message.clone().unwrap_or_default(),
            stage: o.stage.unwrap_or("intake").to_string(),
            at: commit::now_rfc3339(),
            blake3: d.seen.map(|_| o.blake3.clone()),
        };
        archive::quarantine(
            &self.drop,
            &d.name,
            &self.quarantine,
            &d.outcome_hash(),
            &sidecar,
        )
    }

    fn outcome(&self, d: &Done, to: &Path) {
        let o = &d.outcome;
        let first = o.articles.first();
        let seq = d.events.first().map(|e| e.seq).or(first.map(|a| a.seq));
        let ms = u64::try_from(d.queued.elapsed().as_millis()).unwrap_or(u64::MAX);
        let counter = match o.outcome {
            "ingested" => &self.monitor.ingested,
            "unchanged" => &self.monitor.unchanged,
            _ => &self.monitor.quarantined,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let reason = o.reason.clone().unwrap_or_else(|| "none".into());
        // every story's article, not only the first (a file may hold several)
        let ids: Vec<&str> = o.articles.iter().map(|a| a.id.as_str()).collect();
        metrics::counter!(monitor::FILES, "outcome" => o.outcome, "reason" => reason).increment(1);
        tracing::info!(
            target: "shingled::outcome",
            file = %escape(&d.name),
            outcome = o.outcome,
            reason = o.reason.as_deref(),
            error = o.message.as_deref(),
            article = first.map(|a| a.id.as_str()),
            articles = ?crate::telemetry::List(&ids),
            version = first.map(|a| a.version),
            seq,
            events = d.events.len(),
            bytes = d.bytes,
            duration_ms = ms,
            to = %escape(to.as_os_str()),
            "file {}", o.outcome
        );
    }
}

impl Done {
    fn outcome_hash(&self) -> crate::model::Hash32 {
        crate::model::Hash32::from_hex(&self.outcome.blake3)
            .expect("BUG: an outcome's blake3 is always 64 hex digits")
    }
}
