//! The systemd notification protocol (`Type=notify`), through sd-notify.
//! Every function is a no-op when `NOTIFY_SOCKET` is unset; a failure to
//! notify is logged at debug and otherwise ignored (it must never stop the
//! pipeline).
//!
//! The watchdog is not a free-running timer: [`watchdog_loop`] pings only
//! while the pipeline's heartbeat ([`Monitor::health`]) says it is making
//! progress or idle, so a deadlocked daemon stops pinging and systemd
//! restarts it.

use crate::monitor::{Health, Monitor};
use sd_notify::NotifyState;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!(error = %e, "sd_notify failed");
    }
}

/// READY=1 with a status line.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// RELOADING=1 with MONOTONIC_USEC (which systemd ≥ 253 requires).
pub fn reloading() {
    match NotifyState::monotonic_usec_now() {
        Ok(m) => send(&[NotifyState::Reloading, m]),
        Err(_) => send(&[NotifyState::Reloading]),
    }
}

/// STOPPING=1 with a status line.
pub fn stopping(status: &str) {
    send(&[NotifyState::Stopping, NotifyState::Status(status)]);
}

/// STATUS=.
pub fn status(status: &str) {
    send(&[NotifyState::Status(status)]);
}

/// The watchdog interval systemd asked for (`WATCHDOG_USEC`, for this pid).
#[must_use]
pub fn watchdog() -> Option<Duration> {
    sd_notify::watchdog_enabled()
}

/// Pings WATCHDOG=1 every half `interval` while the pipeline is healthy;
/// ends at shutdown.
pub async fn watchdog_loop(
    interval: Duration,
    monitor: Arc<Monitor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let period = (interval / 2).max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        match monitor.health(interval) {
            Health::Ok => send(&[NotifyState::Watchdog]),
            Health::Stalled(why) => {
                if let Some(n) = crate::telemetry::allow("watchdog") {
                    tracing::error!(reason = %why, suppressed = n, "the pipeline is stalled; not pinging the watchdog");
                }
            }
        }
    }
}
