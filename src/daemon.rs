//! `shingled run`: wires the long-running service together. Wiring only;
//! each part lives in its own module.
//!
//! ```text
//! notify thread --hints--> intake task --reader tasks (bounded, ordered)--> writer thread
//!                                                                             | flush
//!                             API (unix socket, optional loopback TCP) <--events, counts
//! ```
//!
//! Start-up order matters: signals are hooked first (SIGHUP would
//! otherwise kill us), then the instance lock, the store and the writer's
//! index, the API socket (a stale one is replaced only while holding the
//! lock), the watch and the backlog scan. READY=1 goes out only then.

pub mod reload;
mod report;

use crate::api::{self, server};
use crate::commit::Committer;
use crate::config::{Config, Origin, Paths};
use crate::intake::claims::Claims;
use crate::intake::{Intake, Shared};
use crate::monitor::{self, Monitor};
use crate::store::watermark::{self, Watermark};
use crate::store::{self, Store};
use crate::watch::Hints;
use crate::writer::{Reopen, StoreSlot, Writer};
use crate::{sd, telemetry};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Semaphore, broadcast, mpsc, oneshot, watch};

/// How long the writer may take to finish the files in hand at shutdown.
const STOP_LIMIT: Duration = Duration::from_secs(30);
/// How long open API connections may take to close at shutdown.
const API_STOP_LIMIT: Duration = Duration::from_secs(3);

/// Why the daemon could not start, or stopped badly.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another daemon holds the instance lock.
    #[error(
        "another shingled daemon is already running on the store {store} (it holds the lock {lock}{pid})"
    )]
    AlreadyRunning {
        /// The store folder.
        store: PathBuf,
        /// The lock file.
        lock: PathBuf,
        /// `, pid N` when the lock file names it.
        pid: String,
    },
    /// A file or folder the daemon needs could not be set up. The cause is
    /// the error's `source` (printed once, by the chain), not in this text.
    #[error("cannot set up {what} {path}")]
    Setup {
        /// What it is.
        what: &'static str,
        /// Where.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The configuration cannot work on this machine (exit 78 like any
    /// config error).
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The drop folder cannot be watched.
    #[error("{0}")]
    Watch(String),
    /// Logging could not be set up.
    #[error(transparent)]
    Telemetry(#[from] telemetry::Error),
    /// A part of the pipeline stopped unexpectedly or did not stop in time.
    #[error("{0}")]
    Pipeline(String),
}

fn setup<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Error + 'a {
    move |source| Error::Setup {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// Runs the daemon until SIGTERM or SIGINT. `config` was loaded from
/// `config_path`, which SIGHUP reads again.
///
/// # Errors
/// [`Error`]; a bad file is never one (it is quarantined).
pub fn run(config_path: &Path, origin: Origin, config: Config) -> Result<(), Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("shingled")
        .build()
        .map_err(setup("the runtime", Path::new("-")))?;
    let r = rt.block_on(daemon(config_path.to_path_buf(), origin, config));
    rt.shutdown_timeout(Duration::from_secs(2));
    r
}

/// Moves are renames, atomic only within one filesystem: the drop,
/// archive and quarantine folders must share one.
fn same_filesystem(p: &Paths) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let dev = |d: &Path| {
        std::fs::metadata(d)
            .map(|m| m.dev())
            .map_err(setup("a folder", d))
    };
    let drop = dev(&p.drop)?;
    for (key, dir) in [
        ("paths.archive", &p.archive),
        ("paths.quarantine", &p.quarantine),
    ] {
        if dev(dir)? != drop {
            return Err(Error::Config(crate::config::Error::Invalid {
                key,
                reason: format!(
                    "{} must be on the same filesystem as paths.drop (files are moved by rename)",
                    dir.display()
                ),
            }));
        }
    }
    Ok(())
}

/// Takes the instance lock (`paths.lock`), an flock held for the life of
/// the process, and writes our pid into it.
fn lock(paths: &Paths) -> Result<File, Error> {
    std::fs::create_dir_all(&paths.store).map_err(setup("the store folder", &paths.store))?;
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&paths.lock)
        .map_err(setup("the lock file", &paths.lock))?;
    match f.try_lock() {
        Ok(()) => {
            let _ = f.set_len(0);
            let _ = writeln!(&f, "{}", std::process::id());
            Ok(f)
        }
        Err(TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(&paths.lock)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .map_or_else(String::new, |p| format!(", pid {p}"));
            Err(Error::AlreadyRunning {
                store: paths.store.clone(),
                lock: paths.lock.clone(),
                pid,
            })
        }
        Err(TryLockError::Error(e)) => Err(setup("the lock file", &paths.lock)(e)),
    }
}

async fn daemon(config_path: PathBuf, origin: Origin, config: Config) -> Result<(), Error> {
    let tel = telemetry::init(&config.log)?;
    let sig = |k: SignalKind| signal(k).map_err(setup("signal handling", Path::new("-")));
    let (mut term, mut int, mut hup) = (
        sig(SignalKind::terminate())?,
        sig(SignalKind::interrupt())?,
        sig(SignalKind::hangup())?,
    );
    let p = &config.paths;
    // Missing folders are refused, naming the key, unless the config
    // allows creating them (`paths.create_missing`).
    p.prepare()?;
    same_filesystem(p)?;
    let _lock = lock(p)?;
    match crate::archive::remove_stale_sidecars(&p.quarantine) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            removed = n,
            "removed temporary sidecars a crash left in quarantine"
        ),
        Err(e) => tracing::warn!(error = %e, "cannot clear temporary sidecars from quarantine"),
    }
    let store = Arc::new(Store::open(&p.store, config.store.cache_capacity)?);
    let last_seq = store.last_seq()?;
    // A store that lost the end of its log (F3) is refused, not extended.
    watermark::verify(&p.store, last_seq)?;
    let watermark = match Watermark::open(&p.store, last_seq) {
        Ok(w) => Some(Arc::new(w)),
        Err(e) => {
            tracing::warn!(error = %e, file = %watermark::path(&p.store).display(),
                "cannot write the durable watermark; a store cut short will only be found by `shingled check`");
            None
        }
    };
    let committer = Committer::new(Arc::clone(&store), config.dedup.clone())?;
    let monitor = Arc::new(Monitor::new(last_seq));
    // Only the committer and the slot hold the store from here on, so the
    // writer can close and reopen it (see `writer::reopen`).
    let slot = StoreSlot::new(store);
    monitor
        .index_blocks
        .store(committer.counts().blocks, Ordering::Relaxed);
    monitor.intake_beat();
    let metrics = monitor::install_metrics();
    monitor::register_series(committer.counts().blocks, last_seq);
    let (stop_tx, stop) = watch::channel(false);
    let (live_tx, live) = watch::channel(Arc::new(config.clone()));
    let (events, _) = broadcast::channel(1024);
    let watchdog = sd::watchdog();
    let state = server::ApiState {
        store: Arc::clone(&slot),
        metrics,
        events: events.clone(),
        monitor: Arc::clone(&monitor),
        shutdown: stop.clone(),
        stall_limit: watchdog.unwrap_or(Duration::from_secs(60)),
    };
    let api = serve_api(&config, server::router(state), &stop).await?;

    let hints = Hints::new();
    let claims = Arc::new(Claims::default());
    let (tx, rx) = mpsc::channel(config.intake.queue_capacity);
    let readers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    let intake = Intake::new(Shared {
        drop: p.drop.clone(),
        hints: Arc::clone(&hints),
        claims: Arc::clone(&claims),
        monitor: Arc::clone(&monitor),
        live: live.clone(),
        shutdown: stop.clone(),
        readers: Arc::new(Semaphore::new(readers)),
    });
    let (started_tx, started) = oneshot::channel();
    let mut intake_task = tokio::spawn(intake.run(tx, started_tx));
    let backlog = match started.await {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(Error::Watch(e)),
        Err(_) => return Err(Error::Pipeline("intake stopped during start-up".into())),
    };
    let writer = Writer {
        committer: Some(committer),
        slot,
        watermark,
        reopen: Reopen {
            path: p.store.clone(),
            cache_capacity: config.store.cache_capacity,
            dedup: config.dedup.clone(),
        },
        rx,
        drop: p.drop.clone(),
        archive: p.archive.clone(),
        quarantine: p.quarantine.clone(),
        claims,
        hints,
        monitor: Arc::clone(&monitor),
        events,
        live: live.clone(),
        shutdown: stop.clone(),
    };
    let handle = tokio::runtime::Handle::current();
    let (writer_done_tx, mut writer_done) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("shingled-writer".into())
        .spawn(move || {
            handle.block_on(writer.run());
            let _ = writer_done_tx.send(());
        })
        .map_err(setup("the writer thread", Path::new("-")))?;

    sd::ready(&format!("ready; backlog {backlog} files"));
    tracing::info!(
        config = %config_path.display(), config_from = origin.as_str(),
        drop = %p.drop.display(), store = %p.store.display(), socket = %p.socket.display(),
        backlog, log_output = tel.output, version = env!("CARGO_PKG_VERSION"),
        "shingled is ready"
    );
    if let Some(interval) = watchdog {
        tokio::spawn(sd::watchdog_loop(
            interval,
            Arc::clone(&monitor),
            stop.clone(),
        ));
    }
    tokio::spawn(report::reporter(
        Arc::clone(&monitor),
        live.clone(),
        stop.clone(),
    ));

    let mut failure = None;
    let mut intake_ended = false;
    let why = loop {
        tokio::select! {
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = hup.recv() => reload_config(&config_path, &live_tx, &tel),
            _ = &mut intake_task => {
                intake_ended = true;
                failure = Some("intake stopped unexpectedly");
                break "a failure";
            }
            _ = &mut writer_done => {
                failure = Some("the writer stopped unexpectedly");
                break "a failure";
            }
        }
    };
    monitor.set_draining();
    // Intake's gauge lags up to a second behind the writer; from here on
    // intake stops and the writer moves the files in hand, so the backlog
    // in the status lines is counted on disk instead.
    let count_backlog = || {
        if let Ok(n) = crate::intake::backlog_on_disk(&p.drop) {
            monitor.backlog.store(n, Ordering::Relaxed);
        }
    };
    count_backlog();
    sd::stopping(&monitor.status_line());
    tracing::info!(signal = why, "stopping: finishing the files in hand");
    let _ = stop_tx.send(true);
    let t = Instant::now();
    if tokio::time::timeout(STOP_LIMIT, &mut writer_done)
        .await
        .is_err()
    {
        failure =
            Some("the writer did not finish in time; unfinished files stay in the drop folder");
    }
    let _ = tokio::time::timeout(API_STOP_LIMIT, async {
        for t in api {
            let _ = t.await;
        }
    })
    .await;
    let _ = std::fs::remove_file(&p.socket);
    if !intake_ended {
        // Intake must not overwrite the gauge after the count below.
        let _ = tokio::time::timeout(API_STOP_LIMIT, &mut intake_task).await;
    }
    count_backlog();
    tracing::info!(ms = t.elapsed().as_millis() as u64, status = %monitor.status_line(), "stopped");
    match failure {
        Some(f) => Err(Error::Pipeline(f.into())),
        None => Ok(()),
    }
}

/// Starts the API listeners; they stop when `stop` becomes true.
async fn serve_api(
    config: &Config,
    router: axum::Router,
    stop: &watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, Error> {
    let until = |mut s: watch::Receiver<bool>| async move {
        let _ = s.wait_for(|v| *v).await;
    };
    let sock = &config.paths.socket;
    let unix = api::bind_unix(sock).map_err(setup("the API socket", sock))?;
    let mut tasks = vec![tokio::spawn({
        let (r, s) = (router.clone(), until(stop.clone()));
        async move {
            if let Err(e) = axum::serve(unix, r).with_graceful_shutdown(s).await {
                tracing::error!(error = %e, "the API (unix socket) failed");
            }
        }
    })];
    if let Some(addr) = config.api.tcp {
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "the API listens beyond this machine, as configured");
        }
        let l = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(setup("the API TCP listener", Path::new("api.tcp")))?;
        if let Ok(a) = l.local_addr() {
            tracing::info!(addr = %a, "the API listens on TCP");
        }
        let s = until(stop.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = axum::serve(l, router).with_graceful_shutdown(s).await {
                tracing::error!(error = %e, "the API (TCP) failed");
            }
        }));
    }
    Ok(tasks)
}

/// SIGHUP: RELOADING=1, read and validate the file, apply what can change
/// live, report what cannot, READY=1. A bad file changes nothing.
fn reload_config(path: &Path, live: &watch::Sender<Arc<Config>>, tel: &telemetry::Telemetry) {
    sd::reloading();
    match Config::load(path) {
        Err(e) => {
            tracing::error!(error = %telemetry::chain(&e), "config reload failed; the running configuration stays");
        }
        Ok(new) => {
            let m = reload::merge(&live.borrow(), &new);
            if m.applied.contains(&"log.level")
                && let Err(e) = tel.set_level(&m.effective.log.level)
            {
                tracing::error!(error = %e, "cannot change the log level");
            }
            tracing::info!(applied = ?telemetry::List(&m.applied), "configuration reloaded");
            if !m.not_live.is_empty() {
                tracing::warn!(
                    not_applied = ?telemetry::List(&m.not_live),
                    "these changes need a restart and were not applied; the running values stay"
                );
            }
            live.send_replace(Arc::new(m.effective));
        }
    }
    sd::ready("reloaded");
}
