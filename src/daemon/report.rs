//! The periodic reports: STATUS= for systemd and the summary log line.

use crate::config::Config;
use crate::monitor::Monitor;
use crate::sd;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// STATUS= whenever the counts change (at most once a second) and the
/// periodic summary line.
pub(super) async fn reporter(
    monitor: Arc<Monitor>,
    live: watch::Receiver<Arc<Config>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut last_status = String::new();
    let mut last_summary = Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
        let status = monitor.status_line();
        if status != last_status {
            sd::status(&status);
            last_status = status;
        }
        let every = live.borrow().log.summary_interval;
        if last_summary.elapsed() >= every {
            last_summary = Instant::now();
            let m = &monitor;
            tracing::info!(
                ingested = m.ingested.load(Ordering::Relaxed),
                unchanged = m.unchanged.load(Ordering::Relaxed),
                quarantined = m.quarantined.load(Ordering::Relaxed),
                retries = m.retries.load(Ordering::Relaxed),
                backlog = m.backlog.load(Ordering::Relaxed),
                oldest_pending_s = m.oldest_pending_ms.load(Ordering::Relaxed) / 1000,
                rescans = m.rescans.load(Ordering::Relaxed),
                index_blocks = m.index_blocks.load(Ordering::Relaxed),
                changelog_seq = m.durable_seq.load(Ordering::Relaxed),
                "summary"
            );
        }
    }
}
