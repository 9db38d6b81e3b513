//! Intake: decides which files of the drop folder to take, and when, and
//! hands them, in order, to the readers and on to the single writer.
//!
//! The folder is the queue. Intake keeps what it has seen (`pending`, each
//! with its settle state) in arrival order (`intake::order`: by ctime, then
//! inode, then name), and hands a file out only when every file that
//! arrived before it has gone, so the order survives restarts. It learns about names from watcher hints and
//! from full scans: at start (after the watch is armed), on overflow or
//! watcher error, and every `rescan_interval`, when it also checks that the
//! drop folder is still the same folder and re-arms the watch if not.
//!
//! Files go to the writer through a bounded channel of reader tasks. When
//! the channel is full intake stops handing out files (backpressure) and
//! the rest simply wait in the folder; nothing is ever dropped.

pub mod claims;
pub mod names;
pub mod order;
mod prepare;
pub mod read;
pub mod settle;

pub use prepare::{Caps, Prepared, PreparedKind, prepare};

use crate::config::Config;
use crate::monitor::{self, Monitor};
use crate::telemetry::{self, escape};
use crate::watch::{self, Hints};
use claims::Claims;
use order::{Key, Order, State};
use settle::{Ready, Seen, Settling};
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{Semaphore, mpsc, oneshot, watch as tokio_watch};
use tokio::task::JoinHandle;

/// The channel from intake to the writer: reader tasks in arrival order.
pub type Queue = mpsc::Sender<JoinHandle<Prepared>>;

/// The backlog as it is on disk: names in the drop folder that intake
/// would take (not folders, not temporary or hidden names). Files in flight
/// count until the writer moves them. For shutdown, when intake's gauge
/// ([`Monitor::backlog`]) no longer follows the writer.
///
/// # Errors
/// The drop folder cannot be listed.
pub fn backlog_on_disk(drop: &std::path::Path) -> std::io::Result<u64> {
    let mut n = 0;
    for entry in std::fs::read_dir(drop)? {
        let entry = entry?;
        let dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !dir && names::skip(&entry.file_name()).is_none() {
            n += 1;
        }
    }
    Ok(n)
}

/// The inode's change time (set by a rename into the folder and by writes).
fn ctime(meta: &std::fs::Metadata) -> Option<SystemTime> {
    let secs = u64::try_from(meta.ctime()).ok()?;
    let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos))
}

/// Where a pending file stands in the arrival order.
fn key(name: &OsStr, e: &Entry) -> Key {
    Key {
        arrived: e.arrived,
        ino: e.settling.seen().ino,
        name: name.to_os_string(),
    }
}

/// What intake shares with the rest of the daemon.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The drop folder.
    pub drop: PathBuf,
    /// Watcher hints.
    pub hints: Arc<Hints>,
    /// The claim table.
    pub claims: Arc<Claims>,
    /// Live state.
    pub monitor: Arc<Monitor>,
    /// The live configuration.
    pub live: tokio_watch::Receiver<Arc<Config>>,
    /// Becomes true at shutdown.
    pub shutdown: tokio_watch::Receiver<bool>,
    /// Bounds how many files are read at once.
    pub readers: Arc<Semaphore>,
}

struct Entry {
    settling: Settling,
    ready: bool,
    /// Settled, but backing off after a failure (later files go past it).
    backoff: bool,
    /// When the file arrived in the drop folder as far as intake can tell:
    /// its ctime, which a rename or a write sets. Not its mtime: a
    /// producer that keeps the original mtime (`cp -p`, `rsync -t`) would
    /// make a file that just arrived look hours old.
    arrived: SystemTime,
}

/// The intake task's state. Owned by that task alone.
pub struct Intake {
    sh: Shared,
    pending: HashMap<OsString, Entry>,
    /// Every pending file in arrival order (`intake::order`).
    order: Order,
    dirs: HashSet<OsString>,
    skipped: HashSet<OsString>,
    watcher: Option<notify::RecommendedWatcher>,
    root: Option<(u64, u64)>,
    last_rescan: Instant,
    next_check: Option<Instant>,
    dirty: bool,
}

impl Intake {
    /// Intake over the shared state; nothing runs until [`Intake::run`].
    #[must_use]
    pub fn new(sh: Shared) -> Self {
        Intake {
            sh,
            pending: HashMap::new(),
            order: Order::default(),
            dirs: HashSet::new(),
            skipped: HashSet::new(),
            watcher: None,
            root: None,
            last_rescan: Instant::now(),
            next_check: None,
            dirty: false,
        }
    }

    /// Arms the watch, scans the backlog (reporting its size, or why the
    /// drop folder cannot be watched, on `started`), then feeds `tx` until
    /// shutdown.
    pub async fn run(mut self, tx: Queue, started: oneshot::Sender<Result<usize, String>>) {
        if let Err(e) = self.rescan("startup") {
            let _ = started.send(Err(e));
            return;
        }
        let _ = started.send(Ok(self.pending.len()));
        let hints = Arc::clone(&self.sh.hints);
        let mut shutdown = self.sh.shutdown.clone();
        loop {
            self.sh.monitor.intake_beat();
            if *shutdown.borrow() {
                return;
            }
            let cfg = Arc::clone(&*self.sh.live.borrow());
            let (names, rescan) = hints.take();
            let now = Instant::now();
            let due = self.last_rescan + cfg.intake.rescan_interval;
            let cause = if rescan {
                Some("watcher")
            } else if now >= due {
                Some("periodic")
            } else {
                None
            };
            if let Some(cause) = cause
                && let Err(e) = self.rescan(cause)
                && let Some(n) = telemetry::allow("intake.rescan")
            {
                tracing::error!(error = %e, suppressed = n, "cannot scan the drop folder");
            }
            let now = Instant::now();
            for (name, renamed) in names {
                self.observe(name, renamed, now);
            }
            if self.dirty || self.next_check.is_some_and(|t| t <= now) {
                self.evaluate(&cfg, now);
            }
            self.gauges();
            // Hand out ready files while the queue has room. When it is
            // full we stop here: the files wait in the folder (backpressure).
            while self.next().is_some() {
                match tx.try_reserve() {
                    Ok(permit) => self.dispatch(permit, &cfg),
                    Err(mpsc::error::TrySendError::Full(())) => break,
                    Err(mpsc::error::TrySendError::Closed(())) => return,
                }
            }
            // Wake at least every second so the heartbeat stays fresh.
            let mut wake = now + Duration::from_secs(1);
            wake = wake.min(self.last_rescan + cfg.intake.rescan_interval);
            if let Some(t) = self.next_check {
                wake = wake.min(t);
            }
            let want_room = self.next().is_some();
            let permit = tokio::select! {
                () = hints.wake.notified() => None,
                () = tokio::time::sleep_until(wake.into()) => None,
                p = tx.reserve(), if want_room => match p {
                    Ok(p) => Some(p),
                    Err(_) => return,
                },
                _ = shutdown.changed() => None,
            };
            if let Some(p) = permit {
                self.dispatch(p, &cfg);
            }
        }
    }

    fn dispatch(&mut self, permit: mpsc::Permit<'_, JoinHandle<Prepared>>, cfg: &Config) {
        let Some(name) = self.next().map(|k| k.name.clone()) else {
            return;
        };
        let Some(entry) = self.pending.remove(&name) else {
            return;
        };
        self.order.remove(&key(&name, &entry));
        if !self.sh.claims.claim(&name) {
            return;
        }
        let drop = self.sh.drop.clone();
        let caps = Caps::of(cfg);
        let readers = Arc::clone(&self.sh.readers);
        let expect = entry.settling.seen();
        let queued = Instant::now();
        let handle = tokio::spawn(async move {
            let _slot = readers.acquire_owned().await.ok();
            let n = name.clone();
            match tokio::task::spawn_blocking(move || prepare(&drop, n, expect, caps, queued)).await
            {
                Ok(p) => p,
                Err(e) => Prepared {
                    name,
                    queued,
                    kind: PreparedKind::Failed(format!("the reader failed: {e}")),
                },
            }
        });
        permit.send(handle);
    }

    /// The first file in arrival order, if it may go now.
    fn next(&self) -> Option<&Key> {
        self.order.next(|name| match self.pending.get(name) {
            Some(e) if e.ready => State::Ready,
            Some(e) if e.backoff => State::BackingOff,
            _ => State::Settling,
        })
    }

    fn forget(&mut self, name: &OsString) {
        if let Some(e) = self.pending.remove(name) {
            self.order.remove(&key(name, &e));
        }
    }

    fn observe(&mut self, name: OsString, renamed: bool, now: Instant) {
        if let Some(rule) = names::skip(&name) {
            if self.skipped.insert(name.clone()) {
                metrics::counter!(monitor::SKIPPED, "rule" => rule.as_str()).increment(1);
                tracing::debug!(file = %escape(&name), rule = rule.as_str(), "leaving a temporary name alone");
            }
            return;
        }
        if self.sh.claims.in_flight(&name) {
            return;
        }
        let meta = match std::fs::symlink_metadata(self.sh.drop.join(&name)) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.forget(&name);
                return;
            }
            Err(e) => {
                tracing::debug!(file = %escape(&name), error = %e, "cannot stat; will look again");
                return;
            }
        };
        if meta.is_dir() {
            self.forget(&name);
            if self.dirs.insert(name.clone()) {
                tracing::info!(file = %escape(&name), "leaving a folder in the drop folder alone");
            }
            return;
        }
        let seen = Seen {
            size: meta.len(),
            mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            ino: meta.ino(),
        };
        let arrived = ctime(&meta).unwrap_or(seen.mtime);
        self.dirty = true;
        match self.pending.get_mut(&name) {
            Some(e) => {
                if e.settling.seen() != seen {
                    self.order.remove(&key(&name, e));
                    e.ready = false;
                    e.backoff = false;
                    e.settling.observe(seen, now);
                    e.arrived = arrived;
                    self.order.insert(key(&name, e));
                }
                if renamed {
                    e.settling.mark_renamed();
                }
            }
            None => {
                let e = Entry {
                    settling: Settling::new(seen, now, renamed),
                    ready: false,
                    backoff: false,
                    arrived,
                };
                self.order.insert(key(&name, &e));
                self.pending.insert(name, e);
            }
        }
    }

    /// Marks settled files ready; finds the next time to look.
    fn evaluate(&mut self, cfg: &Config, now: Instant) {
        let wall = SystemTime::now();
        let mut next = None::<Instant>;
        for (name, e) in &mut self.pending {
            if e.ready {
                continue;
            }
            let wait = match e.settling.decide(cfg.intake.settle, now, wall) {
                Ready::Now => {
                    let t = self.sh.claims.not_before(name, now);
                    e.backoff = t.is_some();
                    t
                }
                Ready::At(t) => Some(t),
            };
            match wait {
                None => e.ready = true,
                Some(t) => next = Some(next.map_or(t, |n| n.min(t))),
            }
        }
        self.next_check = next;
        self.dirty = false;
    }

    fn gauges(&self) {
        let backlog = (self.pending.len() + self.sh.claims.in_flight_count()) as u64;
        self.sh
            .monitor
            .backlog
            .store(backlog, std::sync::atomic::Ordering::Relaxed);
        // Computed from the files waiting now, on every pass: a file handed
        // to the writer stops counting at once, not at the next rescan.
        let age = self
            .pending
            .values()
            .map(|e| e.arrived)
            .min()
            .and_then(|o| SystemTime::now().duration_since(o).ok())
            .unwrap_or_default();
        self.sh.monitor.oldest_pending_ms.store(
            u64::try_from(age.as_millis()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
        metrics::gauge!(monitor::BACKLOG).set(backlog as f64);
        metrics::gauge!(monitor::OLDEST).set(age.as_secs_f64());
        metrics::counter!(monitor::WATCH_ERRORS).absolute(self.sh.hints.errors());
    }

    /// A full scan: checks the folder is the one watched (re-arming the
    /// watch if it was replaced), then looks at every name in it.
    fn rescan(&mut self, cause: &'static str) -> Result<(), String> {
        self.last_rescan = Instant::now();
        metrics::counter!(monitor::RESCANS, "cause" => cause).increment(1);
        self.sh
            .monitor
            .rescans
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let drop = self.sh.drop.clone();
        let meta = std::fs::metadata(&drop)
            .map_err(|e| format!("the drop folder {}: {e}", drop.display()))?;
        if !meta.is_dir() {
            return Err(format!(
                "the drop folder {} is not a folder",
                drop.display()
            ));
        }
        let id = (meta.dev(), meta.ino());
        if self.root != Some(id) || self.watcher.is_none() {
            if self.root.is_some() {
                tracing::warn!(folder = %drop.display(), "the drop folder was replaced; re-arming the watch");
            }
            self.watcher = None;
            let w = watch::arm(&drop, &self.sh.hints)
                .map_err(|e| format!("cannot watch the drop folder {}: {e}", drop.display()))?;
            self.watcher = Some(w);
            self.root = Some(id);
        }
        if cause == "watcher" {
            tracing::info!("the watcher overflowed or failed; rescanning the drop folder");
        }
        let now = Instant::now();
        let mut present = HashSet::new();
        let entries = std::fs::read_dir(&drop)
            .map_err(|e| format!("cannot list the drop folder {}: {e}", drop.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            present.insert(name.clone());
            self.observe(name, false, now);
        }
        let gone: Vec<OsString> = self
            .pending
            .keys()
            .filter(|n| !present.contains(*n))
            .cloned()
            .collect();
        for n in &gone {
            self.forget(n);
        }
        self.dirs.retain(|n| present.contains(n));
        self.skipped.retain(|n| present.contains(n));
        self.sh.claims.retain_backoff(|n| present.contains(n));
        self.dirty = true;
        Ok(())
    }
}
