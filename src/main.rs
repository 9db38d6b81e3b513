//! The `shingled` binary: parse the command line, load the config, call the
//! library, map the result to an exit code. Nothing else lives here.

use anyhow::Context;
use clap::{Parser, Subcommand};
use shingled::api::client;
use shingled::config::{Config, Origin};
use shingled::store::watermark::{self, Watermark};
use shingled::store::{self, Store};
use shingled::{commit, daemon, explain, ingest, views};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit status for configuration errors (sysexits EX_CONFIG); the systemd
/// unit sets `RestartPreventExitStatus=78` so a bad config never restart-loops.
const EX_CONFIG: u8 = 78;
/// Exit status of `check` when the store is damaged (the report says how).
const EX_DAMAGED: u8 = 3;
/// Exit status when this user may not use the store or the daemon's socket
/// (sysexits EX_NOPERM): not damage, so no repair advice.
const EX_NOPERM: u8 = 77;
/// Exit status of `log --follow` when the daemon stopped and ended the
/// stream (sysexits EX_TEMPFAIL: try again later, with `--since`).
const EX_TEMPFAIL: u8 = 75;

/// Set when a write to stdout found the reading end closed
/// (`shingled export | head -1`): the command then ends quietly with 0,
/// as command-line tools do, instead of reporting "Broken pipe".
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Stdout, noting a closed pipe in [`STDOUT_CLOSED`]. Only stdout's own
/// EPIPE counts: a broken pipe anywhere else (the daemon's socket) is
/// still an error.
struct Stdout<W>(W);

impl<W: Write> Stdout<W> {
    fn note<T>(r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
        r
    }
}

impl<W: Write> Write for Stdout<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        Self::note(self.0.write(buf))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Self::note(self.0.flush())
    }
}

#[derive(Parser)]
#[command(
    name = "shingled",
    version,
    about = "Turns a drop folder of scraped news files into a clean, deduplicated article store",
    long_about = "shingled watches a drop folder, splits each file into stories of typed blocks \
                  (title, timestamp, dateline, byline, credit, paragraph, caption, boilerplate), \
                  finds exact and near-duplicate blocks against everything ever ingested, and \
                  keeps canonical articles with versions and an append-only change log in sled."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon: watch the drop folder, ingest every file that lands
    /// there, archive or quarantine it, serve the local API. Stops on
    /// SIGTERM/SIGINT; SIGHUP reloads the config.
    Run {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Run the pipeline on files in place (they are not moved) and print one
    /// JSON line per file: {file, blake3, outcome, reason, articles[]}.
    Ingest {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Files to ingest, in this order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print a closing line on stderr: files, seconds, and the CPU
        /// seconds of the writer and reader threads (which one bounds the
        /// run).
        #[arg(long)]
        stats: bool,
    },
    /// Print the stories and typed blocks of a file as JSON, without
    /// touching the store (a dry run for debugging the rules).
    Normalize {
        /// The file.
        file: PathBuf,
    },
    /// Print every canonical article at its current version, one JSON line
    /// each (NDJSON).
    Export {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Print the change log as NDJSON, oldest first.
    Log {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Only events with a seq greater than this.
        #[arg(long, default_value_t = 0)]
        since: u64,
        /// Keep streaming new events as the running daemon commits them
        /// (needs a running daemon).
        #[arg(long, short)]
        follow: bool,
    },
    /// Print one article as readable text.
    Show {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// The article id (16 hex digits).
        id: String,
        /// Print the export JSON line instead.
        #[arg(long)]
        json: bool,
    },
    /// Print counts: articles, versions, blocks, sources, change-log length,
    /// boilerplate seen.
    Stats {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Explain an article: why it holds each block (relation, matched
    /// block, scores, first seen where), which sources fed it, its versions
    /// and their diffs. Given a 32-digit block id, what the store knows of
    /// that block. While the daemon runs, asks it (over its socket).
    Explain {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// An article id (16 hex digits) or a block id (32 hex digits).
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild every block's near-duplicate index payload from the stored
    /// texts for the configured [dedup] parameters (needed after changing
    /// shingle_words, window or min_fuzzy_words). Stop the daemon first.
    Reindex {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Verify the store: read every record, check the change log is
    /// gap-free and every article's versions and blocks exist. Prints a
    /// JSON report; exits 3 when the store is damaged. Stop the daemon first.
    Check {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Rebuild the store from the archived files: move the current store
    /// aside to STORE.damaged-<time> (never deleting it) and ingest every
    /// file under archive/ (or --from) in archive order into a new store.
    /// Files are read in place. Stop the daemon first.
    Reingest {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Read the files from this folder instead of paths.archive.
        #[arg(long)]
        from: Option<PathBuf>,
    },
    /// Check a config file and exit (0 when valid, 78 otherwise).
    CheckConfig {
        /// The config file (default: $SHINGLED_CONFIG, then
        /// /etc/shingled/shingled.toml).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(_) if STDOUT_CLOSED.load(Ordering::Relaxed) => ExitCode::SUCCESS,
        Err(err) if let Some(msg) = no_permission(&err) => {
            eprintln!("shingled: {msg}");
            ExitCode::from(EX_NOPERM)
        }
        Err(err) => {
            let config_error = err.downcast_ref::<shingled::config::Error>().is_some()
                || matches!(
                    err.downcast_ref::<daemon::Error>(),
                    Some(daemon::Error::Config(_))
                );
            let code = if config_error { EX_CONFIG } else { 1 };
            eprintln!("shingled: {err:#}");
            ExitCode::from(code)
        }
    }
}

/// Finds and loads the config: `--config`, `SHINGLED_CONFIG`, then
/// /etc/shingled/shingled.toml.
fn locate(flag: Option<PathBuf>) -> anyhow::Result<(PathBuf, Origin)> {
    Ok(shingled::config::locate(
        flag,
        std::env::var_os("SHINGLED_CONFIG"),
        Path::is_file,
    )?)
}

fn load(flag: Option<PathBuf>) -> anyhow::Result<Config> {
    let (path, _) = locate(flag)?;
    Ok(Config::load(&path)?)
}

/// For the commands that write: loads the config and says on stderr which
/// config and store they use, so a wrong default is seen before it matters.
fn load_announced(flag: Option<PathBuf>, cmd: &str) -> anyhow::Result<Config> {
    let (path, origin) = locate(flag)?;
    let config = Config::load(&path)?;
    eprintln!(
        "shingled {cmd}: config {} (from {}), store {}",
        path.display(),
        origin.as_str(),
        config.paths.store.display()
    );
    Ok(config)
}

/// Whether this user is refused the store folder or its files (sled then
/// reports a failed open, which reads like damage).
fn denied(store: &Path) -> bool {
    let refused =
        |r: std::io::Result<()>| r.is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
    refused(std::fs::read_dir(store).map(drop))
        || refused(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(store.join("conf"))
                .map(drop),
        )
}

fn this_uid() -> String {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or_else(|_| "?".into(), |m| m.uid().to_string())
}

/// The message for a store or socket this user may not use, if that is
/// what `err` is: a permission problem, not damage.
fn no_permission(err: &anyhow::Error) -> Option<String> {
    const HOW: &str = "operators who use the CLI need to be in group `shingled` (docs/OPERATIONS.md), \
                       or run it as the service user: `sudo -u shingled shingled …`";
    for e in err.chain() {
        let open = match (
            e.downcast_ref::<store::Error>(),
            e.downcast_ref::<explain::Error>(),
        ) {
            (Some(store::Error::Open { path, .. }), _) => Some(path),
            (_, Some(explain::Error::Store(store::Error::Open { path, .. }))) => Some(path),
            _ => match e.downcast_ref::<daemon::Error>() {
                Some(daemon::Error::Store(store::Error::Open { path, .. })) => Some(path),
                _ => None,
            },
        };
        if let Some(path) = open.filter(|p| denied(p)) {
            return Some(format!(
                "permission denied: this user (uid {}) may not open the store {} and no daemon \
                 socket it may use was found; {HOW}",
                this_uid(),
                path.display()
            ));
        }
        if let Some(client::Error::Connect { path, source }) = e.downcast_ref::<client::Error>()
            && source.kind() == std::io::ErrorKind::PermissionDenied
        {
            return Some(format!(
                "permission denied: this user (uid {}) may not use the daemon's socket {}; {HOW}",
                this_uid(),
                path.display()
            ));
        }
    }
    None
}

fn open(config: &Config) -> anyhow::Result<Arc<Store>> {
    let store = Store::open(&config.paths.store, config.store.cache_capacity)
        .with_context(|| format!("opening the store {}", config.paths.store.display()))?;
    Ok(Arc::new(store))
}

/// Where the read commands get their answers: the store itself, or the
/// running daemon that holds it (sled admits one process).
enum Source {
    Store(Arc<Store>),
    Daemon(PathBuf),
}

fn source(config: &Config) -> anyhow::Result<Source> {
    match Store::open(&config.paths.store, config.store.cache_capacity) {
        Ok(s) => Ok(Source::Store(Arc::new(s))),
        Err(store::Error::Locked { .. }) => Ok(Source::Daemon(config.paths.socket.clone())),
        // An operator who may use the socket but not write the store (the
        // systemd layout) also goes through the daemon.
        Err(store::Error::Open { .. }) if config.paths.socket.exists() => {
            Ok(Source::Daemon(config.paths.socket.clone()))
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!(
            "opening the store {}",
            config.paths.store.display()
        ))),
    }
}

/// Prints the daemon's answer to `target` (the same bytes the offline
/// path prints).
fn ask(socket: &Path, target: &str, out: &mut impl Write) -> anyhow::Result<()> {
    client::get(socket, target, out)?;
    Ok(())
}

fn json_line(out: &mut impl Write, v: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(Stdout(stdout.lock()));
    match cli.command {
        Command::Ingest {
            config,
            files,
            stats: print_stats,
        } => {
            let config = load_announced(config, "ingest")?;
            let store = open(&config)?;
            // Never extend a store that lost the end of its log (F3).
            watermark::verify(&config.paths.store, store.last_seq()?)?;
            let mut committer = commit::Committer::new(store, config.dedup.clone())?;
            let mut failed = None;
            let stats = ingest::run(
                &mut committer,
                &files,
                config.intake.max_file_bytes,
                config.intake.max_blocks_per_file,
                config.commit.group_max_files,
                |o| {
                    if let Err(e) = json_line(&mut out, o) {
                        failed.get_or_insert(e);
                    }
                },
            )?;
            if print_stats {
                let cpu = |s: Option<f64>| s.map_or_else(|| "?".into(), |s| format!("{s:.2}"));
                eprintln!(
                    "shingled: ingest: {} files in {:.2} s (writer waited {:.2} s for flushes, {:.2} s for the reader); writer thread {} CPU s, reader thread {} CPU s",
                    stats.files,
                    stats.seconds,
                    stats.flush_s,
                    stats.wait_s,
                    cpu(stats.writer_cpu_s),
                    cpu(stats.reader_cpu_s)
                );
            }
            // Everything is flushed: record it as durable. A failure only
            // checks less (the daemon writes the watermark when it starts).
            let _ = Watermark::open(&config.paths.store, committer.next_seq().saturating_sub(1));
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Command::Normalize { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            match ingest::analyze(&bytes) {
                Ok(parsed) => {
                    serde_json::to_writer_pretty(&mut out, &parsed)?;
                    out.write_all(b"\n")?;
                }
                Err(rej) => {
                    json_line(&mut out, &rej)?;
                    out.flush()?;
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Run { config } => {
            let (path, origin) = locate(config)?;
            let cfg = Config::load(&path)?;
            daemon::run(&path, origin, cfg)?;
        }
        Command::Export { config } => match source(&load(config)?)? {
            Source::Store(store) => {
                for head in store.heads() {
                    json_line(&mut out, &views::export_line(&store, &head?)?)?;
                }
            }
            Source::Daemon(sock) => ask(&sock, "/export", &mut out)?,
        },
        Command::Log {
            config,
            since,
            follow,
        } => match source(&load(config)?)? {
            Source::Store(_) if follow => anyhow::bail!(
                "`log --follow` streams events as a running daemon commits them, and no daemon \
                 is running on this store; `shingled log` prints the log as it is"
            ),
            Source::Store(store) => {
                for change in store.changes(since) {
                    out.write_all(&change?.1)?;
                    out.write_all(b"\n")?;
                }
            }
            Source::Daemon(sock) if follow => {
                // Stream straight to stdout, unbuffered, line by line.
                drop(out);
                let mut stdout = Stdout(std::io::stdout().lock());
                let last = client::follow(&sock, since, &mut stdout)?;
                // The daemon ends the stream only when it stops: say so, and
                // exit non-zero, so a consumer can tell this from a clean end
                // and resume where it was.
                let last = last.unwrap_or(since);
                eprintln!(
                    "shingled: the daemon stopped and ended the stream after seq {last}; \
                     resume with `shingled log --follow --since {last}` once it runs again"
                );
                return Ok(ExitCode::from(EX_TEMPFAIL));
            }
            Source::Daemon(sock) => ask(&sock, &format!("/log?since={since}"), &mut out)?,
        },
        Command::Show { config, id, json } => match source(&load(config)?)? {
            Source::Store(store) => {
                let Some(article) = views::find(&store, &id)? else {
                    anyhow::bail!("no article with id {id}");
                };
                if json {
                    json_line(&mut out, &article)?;
                } else {
                    out.write_all(views::show_text(&article).as_bytes())?;
                }
            }
            Source::Daemon(sock) => {
                if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                    anyhow::bail!("no article with id {id}");
                }
                let target = format!("/articles/{id}{}", if json { "" } else { "?text=1" });
                match client::get(&sock, &target, &mut out) {
                    Err(client::Error::Status { status: 404, .. }) => {
                        anyhow::bail!("no article with id {id}")
                    }
                    r => r?,
                }
            }
        },
        Command::Stats { config } => match source(&load(config)?)? {
            Source::Store(store) => {
                let s = views::stats(&store)?;
                serde_json::to_writer_pretty(&mut out, &s)?;
                out.write_all(b"\n")?;
            }
            Source::Daemon(sock) => ask(&sock, "/stats", &mut out)?,
        },
        Command::Explain { config, id, json } => {
            let cfg = load(config)?;
            let store = match explain::open_offline(&cfg, "explain") {
                Ok(store) => store,
                // the daemon holds the store: it answers over its socket
                Err(explain::Error::DaemonRunning { .. }) if cfg.paths.socket.exists() => {
                    let bare = id.strip_prefix("b:").unwrap_or(&id);
                    if bare.is_empty() || !bare.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(explain::Error::NotFound(id).into());
                    }
                    let q = if json { "" } else { "?text=1" };
                    match client::get(&cfg.paths.socket, &format!("/explain/{id}{q}"), &mut out) {
                        // the daemon's message is the offline one
                        Err(client::Error::Status {
                            status: 404 | 409,
                            message,
                        }) => anyhow::bail!("{message}"),
                        r => r?,
                    }
                    out.flush()?;
                    return Ok(ExitCode::SUCCESS);
                }
                Err(e) => return Err(e.into()),
            };
            match explain::explain(&store, &id)? {
                explain::Explained::Block(b) if json => json_line(&mut out, &b)?,
                explain::Explained::Block(b) => {
                    out.write_all(explain::block_text(&b).as_bytes())?
                }
                explain::Explained::Article(x) if json => json_line(&mut out, &x)?,
                explain::Explained::Article(x) => out.write_all(explain::text(&x).as_bytes())?,
            }
        }
        Command::Reindex { config } => {
            let cfg = load_announced(config, "reindex")?;
            let store = explain::open_offline(&cfg, "reindex")?;
            let report = commit::reindex(&store, &cfg.dedup)?;
            json_line(&mut out, &report)?;
        }
        Command::Check { config } => {
            let cfg = load(config)?;
            if denied(&cfg.paths.store) {
                // not damage: the report would say so and advise a rebuild
                return Err(store::Error::Open {
                    path: cfg.paths.store.clone(),
                    message: "permission denied".into(),
                }
                .into());
            }
            let report = shingled::repair::check_config(&cfg)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            out.write_all(b"\n")?;
            out.flush()?;
            if !report.ok {
                eprintln!(
                    "shingled: the store {} is damaged ({} problems); {}",
                    report.store.display(),
                    report.problems_total,
                    report.recovery.as_deref().unwrap_or("")
                );
                return Ok(ExitCode::from(EX_DAMAGED));
            }
        }
        Command::Reingest { config, from } => {
            let cfg = load_announced(config, "reingest")?;
            let r = shingled::repair::reingest(&cfg, from.as_deref(), |_| {})?;
            json_line(&mut out, &r)?;
        }
        Command::CheckConfig { config } => {
            let (path, _) = locate(config)?;
            let cfg = Config::load(&path)?;
            // the folders too: a typo in a path is a config error here,
            // not a new empty folder at the first start
            cfg.paths.check()?;
            writeln!(out, "{}: ok", path.display())?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
