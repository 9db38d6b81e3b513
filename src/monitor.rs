//! Live state of the running daemon, shared by its tasks: counters for
//! the summary, STATUS= and /health; the heartbeat the watchdog pinger
//! checks; the durable change-log watermark; and the Prometheus metric
//! names (recorded through the `metrics` facade).
//!
//! Everything is an atomic so that readers (API, pinger) never wait for
//! the writer or intake.

pub mod process;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Files finished, by outcome and reason (`outcome`, `reason` labels).
pub const FILES: &str = "shingled_files_total";
/// Names left alone in the drop folder (`rule` label).
pub const SKIPPED: &str = "shingled_skipped_names_total";
/// Files waiting in the drop folder (seen, not yet finished).
pub const BACKLOG: &str = "shingled_backlog_files";
/// Age of the oldest waiting file, by its mtime.
pub const OLDEST: &str = "shingled_oldest_pending_age_seconds";
/// Time to decide and apply one file.
pub const COMMIT_SECONDS: &str = "shingled_commit_seconds";
/// Time of one sled flush (one group).
pub const FLUSH_SECONDS: &str = "shingled_flush_seconds";
/// Files per group commit.
pub const GROUP_FILES: &str = "shingled_group_files";
/// Distinct blocks in the index.
pub const INDEX_BLOCKS: &str = "shingled_index_blocks";
/// Full scans of the drop folder (`cause` label).
pub const RESCANS: &str = "shingled_rescans_total";
/// Watcher errors.
pub const WATCH_ERRORS: &str = "shingled_watch_errors_total";
/// Transient failures that were retried (`stage` label).
pub const RETRIES: &str = "shingled_retries_total";
/// Last change-log seq made durable.
pub const DURABLE_SEQ: &str = "shingled_changelog_durable_seq";
/// Always 1; the labels say which build runs (`version`, `schema`,
/// `normalizer`).
pub const BUILD_INFO: &str = "shingled_build_info";

/// The `stage` labels of [`RETRIES`]: where the writer retries a file or a
/// store operation (`read`: the reader could not read the file; `store`:
/// the store was being reopened; `commit`, `flush`: a store write failed;
/// `archive`: the move out of the drop folder failed).
pub const RETRY_STAGES: [&str; 5] = ["read", "store", "commit", "flush", "archive"];
/// The `cause` labels of [`RESCANS`].
pub const RESCAN_CAUSES: [&str; 3] = ["startup", "watcher", "periodic"];
/// The `outcome` labels of [`FILES`]; `quarantined` comes with each
/// reason code as `reason`, the others with `reason="none"`.
pub const OUTCOMES: [&str; 3] = ["ingested", "unchanged", "quarantined"];

/// Registers descriptions and histogram buckets; returns the handle that
/// renders `/metrics`. `None` when another recorder is already installed
/// (metrics then go nowhere, which only happens in tests).
#[must_use]
pub fn install_metrics() -> Option<metrics_exporter_prometheus::PrometheusHandle> {
    use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
    let buckets = [
        0.000_1, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
        10.0,
    ];
    let group = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Full(GROUP_FILES.into()), &group))
        .ok()?
        .install_recorder()
        .ok()?;
    metrics::describe_counter!(FILES, "Files finished, by outcome and reason");
    metrics::describe_counter!(SKIPPED, "Hidden or temporary names left alone, by rule");
    metrics::describe_gauge!(BACKLOG, "Files in the drop folder waiting to be finished");
    metrics::describe_gauge!(
        OLDEST,
        "Age by mtime of the oldest waiting file, in seconds"
    );
    metrics::describe_histogram!(COMMIT_SECONDS, "Time to decide and apply one file");
    metrics::describe_histogram!(FLUSH_SECONDS, "Time of one sled flush (one group commit)");
    metrics::describe_histogram!(GROUP_FILES, "Files per group commit");
    metrics::describe_gauge!(INDEX_BLOCKS, "Distinct blocks in the index");
    metrics::describe_counter!(RESCANS, "Full scans of the drop folder, by cause");
    metrics::describe_counter!(WATCH_ERRORS, "Errors reported by the file watcher");
    metrics::describe_counter!(RETRIES, "Transient failures retried, by stage");
    metrics::describe_gauge!(DURABLE_SEQ, "Last change-log seq made durable");
    metrics::describe_gauge!(
        BUILD_INFO,
        "Always 1; the labels name the running build and its store formats"
    );
    Some(handle)
}

/// Creates every series at its start value, so that an alert rule or a
/// `rate()` has a series to read from the first scrape on (a counter that
/// appears only at its first event looks like no data, not like zero).
/// Call once after [`install_metrics`], with the store's state at start.
pub fn register_series(index_blocks: u64, durable_seq: u64) {
    use crate::intake::names::Skip;
    use crate::model::Reason;
    for outcome in OUTCOMES {
        if outcome == "quarantined" {
            for r in Reason::ALL {
                metrics::counter!(FILES, "outcome" => outcome, "reason" => r.as_str()).increment(0);
            }
        } else {
            metrics::counter!(FILES, "outcome" => outcome, "reason" => "none").increment(0);
        }
    }
    for rule in [Skip::Hidden, Skip::Temporary, Skip::Autosave] {
        metrics::counter!(SKIPPED, "rule" => rule.as_str()).increment(0);
    }
    for cause in RESCAN_CAUSES {
        metrics::counter!(RESCANS, "cause" => cause).increment(0);
    }
    for stage in RETRY_STAGES {
        metrics::counter!(RETRIES, "stage" => stage).increment(0);
    }
    metrics::counter!(WATCH_ERRORS).increment(0);
    metrics::gauge!(BACKLOG).set(0.0);
    metrics::gauge!(OLDEST).set(0.0);
    metrics::gauge!(INDEX_BLOCKS).set(index_blocks as f64);
    metrics::gauge!(DURABLE_SEQ).set(durable_seq as f64);
    for h in [COMMIT_SECONDS, FLUSH_SECONDS, GROUP_FILES] {
        // a histogram handle registers the series with empty buckets
        let _ = metrics::histogram!(h);
    }
    metrics::gauge!(
        BUILD_INFO,
        "version" => env!("CARGO_PKG_VERSION"),
        "schema" => crate::store::SCHEMA_VERSION.to_string(),
        "normalizer" => crate::store::NORMALIZER_VERSION.to_string()
    )
    .set(1.0);
}

/// Whether the pipeline is healthy, and if not why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Making progress, or idle with nothing pending.
    Ok,
    /// Something has not moved for longer than the limit.
    Stalled(String),
}

/// The shared live state.
#[derive(Debug)]
pub struct Monitor {
    start: Instant,
    /// Files ingested (new content).
    pub ingested: AtomicU64,
    /// Files whose bytes were already ingested.
    pub unchanged: AtomicU64,
    /// Files quarantined.
    pub quarantined: AtomicU64,
    /// Transient failures retried.
    pub retries: AtomicU64,
    /// Full rescans.
    pub rescans: AtomicU64,
    /// Files seen and not yet finished (intake's pending + in flight).
    pub backlog: AtomicU64,
    /// Age in ms of the oldest waiting file.
    pub oldest_pending_ms: AtomicU64,
    /// Distinct blocks (the writer's counts).
    pub index_blocks: AtomicU64,
    /// The last change-log seq made durable by a flush.
    pub durable_seq: AtomicU64,
    intake_beat: AtomicU64,
    writer_busy: AtomicBool,
    writer_progress: AtomicU64,
    draining: AtomicBool,
}

impl Monitor {
    /// A monitor whose clock starts now.
    #[must_use]
    pub fn new(durable_seq: u64) -> Self {
        Monitor {
            start: Instant::now(),
            ingested: AtomicU64::new(0),
            unchanged: AtomicU64::new(0),
            quarantined: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            rescans: AtomicU64::new(0),
            backlog: AtomicU64::new(0),
            oldest_pending_ms: AtomicU64::new(0),
            index_blocks: AtomicU64::new(0),
            durable_seq: AtomicU64::new(durable_seq),
            intake_beat: AtomicU64::new(0),
            writer_busy: AtomicBool::new(false),
            writer_progress: AtomicU64::new(0),
            draining: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Seconds since start.
    #[must_use]
    pub fn uptime(&self) -> Duration {
        self.start.elapsed()
    }

    /// Intake's loop came round.
    pub fn intake_beat(&self) {
        self.intake_beat.store(self.now_ms(), Ordering::Relaxed);
    }

    /// The writer took work.
    pub fn writer_busy(&self) {
        self.writer_progress.store(self.now_ms(), Ordering::Relaxed);
        self.writer_busy.store(true, Ordering::Relaxed);
    }

    /// The writer finished a step (a file, a flush, a move).
    pub fn writer_progress(&self) {
        self.writer_progress.store(self.now_ms(), Ordering::Relaxed);
    }

    /// The writer waits for work.
    pub fn writer_idle(&self) {
        self.writer_busy.store(false, Ordering::Relaxed);
        self.writer_progress();
    }

    /// Shutdown has begun.
    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    /// The heartbeat check: intake's loop must have come round, and the
    /// writer must be idle or have made progress, within `limit`.
    #[must_use]
    pub fn health(&self, limit: Duration) -> Health {
        let now = self.now_ms();
        let limit_ms = u64::try_from(limit.as_millis()).unwrap_or(u64::MAX);
        let intake_age = now.saturating_sub(self.intake_beat.load(Ordering::Relaxed));
        if intake_age > limit_ms {
            return Health::Stalled(format!("intake has not run for {intake_age} ms"));
        }
        let writer_age = now.saturating_sub(self.writer_progress.load(Ordering::Relaxed));
        if self.writer_busy.load(Ordering::Relaxed) && writer_age > limit_ms {
            return Health::Stalled(format!(
                "the writer has made no progress for {writer_age} ms"
            ));
        }
        Health::Ok
    }

    /// The one-line human summary sent as STATUS=.
    #[must_use]
    pub fn status_line(&self) -> String {
        let backlog = self.backlog.load(Ordering::Relaxed);
        let state = if self.draining.load(Ordering::Relaxed) {
            "stopping"
        } else if backlog > 0 {
            "ingesting"
        } else {
            "idle"
        };
        format!(
            "{state}; backlog {backlog}; ingested {}, unchanged {}, quarantined {}; retries {}",
            self.ingested.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
            self.quarantined.load(Ordering::Relaxed),
            self.retries.load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_pipeline_is_healthy_and_a_busy_stuck_writer_is_not() {
        let m = Monitor::new(0);
        m.intake_beat();
        m.writer_idle();
        assert_eq!(m.health(Duration::from_secs(10)), Health::Ok);
        m.writer_busy();
        std::thread::sleep(Duration::from_millis(30));
        m.intake_beat();
        assert!(matches!(
            m.health(Duration::from_millis(10)),
            Health::Stalled(s) if s.contains("writer")
        ));
        m.writer_idle();
        assert_eq!(m.health(Duration::from_millis(10)), Health::Ok);
    }

    #[test]
    fn the_status_line_has_the_counts() {
        let m = Monitor::new(0);
        m.ingested.store(3, Ordering::Relaxed);
        assert!(m.status_line().starts_with("idle; backlog 0; ingested 3"));
    }
}
